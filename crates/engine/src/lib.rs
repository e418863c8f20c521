//! Decouple's simulation engine: Amazon SQS, SNS, Kinesis and a small S3 as
//! plain data on a virtual clock.
//!
//! The engine is deterministic. It never reads a clock, never does I/O and
//! never asks the OS for randomness: time moves only through
//! [`Engine::advance_to`], and every id comes from a PRNG seeded by
//! [`EngineConfig::seed`]. The same seed and the same calls produce the same
//! responses and the same [`Event`] log, byte for byte.
//!
//! # Layout
//! - [`time`]: `SimTime` / `SimDuration`, the virtual clock's types.
//! - [`rng`]: the seeded PCG generator and UUIDs.
//! - [`event`]: the closed [`Event`] enum and the bounded log a UI drains.
//! - [`engine`]: [`Engine`], the clock, and the deadline index that drives
//!   everything that happens "later" (delays, visibility, retention, long polls).
//! - [`sqs`]: Amazon SQS, one file per concern, with AWS's limits, defaults,
//!   error codes and messages.
//! - [`sns`]: Amazon SNS topics, subscriptions, filter policies and fan-out.
//! - [`s3`]: a small S3 (buckets, objects, event notifications) for the
//!   integrations the course teaches.
//! - [`kinesis`]: Amazon Kinesis Data Streams: streams, shards, records,
//!   throughput quotas and resharding.
//! - [`firehose`]: Amazon Data Firehose: delivery streams that buffer
//!   records (put directly or read from a Kinesis stream) and deliver them
//!   as objects into the S3, with an optional simulated Lambda transform.
//! - [`analytics`]: simulated Kinesis Data Analytics SQL applications
//!   (streaming SQL with tumbling windows over a Kinesis stream).
//! - `policy`: resource policies, for deliveries made by AWS services.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "analytics")]
pub mod analytics;
pub mod engine;
pub mod event;
#[cfg(feature = "firehose")]
pub mod firehose;
#[cfg(feature = "kinesis")]
pub mod kinesis;
pub mod rng;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "sns")]
pub mod sns;
pub mod sqs;
pub mod time;

mod ascii;
mod hex;
mod page;
#[cfg(any(feature = "sns", feature = "s3"))]
mod policy;
mod token;

pub use engine::{Deadline, Engine, EngineConfig, Realism};
pub use event::{Event, LoggedEvent};
pub use rng::Uuid;
pub use time::{SimDuration, SimTime};
