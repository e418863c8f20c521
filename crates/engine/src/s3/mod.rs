//! A small Amazon S3: buckets, objects, and the event notifications the
//! course uses to fan S3 events out to SQS queues and SNS topics.
//!
//! # Layout
//! - [`model`]: the typed API.
//! - `objects`: buckets and objects (Create/DeleteBucket, Put/Get/DeleteObject, ListObjectsV2).
//! - `notifications`: Put/GetBucketNotificationConfiguration with AWS's
//!   overlap rule, destination validation with the `s3:TestEvent`, and the
//!   `Records[...]` event JSON delivered on every matching change.
//!
//! Deliveries go through the destinations' own paths as the
//! `s3.amazonaws.com` service principal, so a queue's or topic's access
//! policy must allow S3, exactly as in AWS.
//!
//! Topics are destinations only when the engine is built with SNS as well
//! (the `sns` feature); S3 alone (the Kinesis page's Firehose buckets) ships
//! no SNS code, and a topic destination is then one S3 cannot validate, as
//! for a topic that does not exist.

pub mod model;

mod notifications;
mod objects;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

pub use model::*;

use crate::engine::Core;
#[cfg(feature = "sns")]
use crate::sns::SnsState;
use crate::sqs::SqsState;
use crate::time::SimTime;

/// A key as S3 URL-encodes it, in event records and in list answers with
/// `encoding-type=url`: unreserved characters and `/` kept, a space as `+`
/// ("red flower.jpg" → "red+flower.jpg"), every other byte as `%XX`.
pub fn url_encode_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&alloc::format!("%{b:02X}")),
        }
    }
    out
}

/// Every bucket in the account.
#[derive(Clone, Debug, Default)]
pub struct S3State {
    buckets: BTreeMap<String, Bucket>,
}

impl S3State {
    pub fn buckets(&self) -> impl Iterator<Item = &Bucket> {
        self.buckets.values()
    }
    pub fn bucket(&self, name: &str) -> Option<&Bucket> {
        self.buckets.get(name)
    }
}

#[derive(Clone, Debug)]
pub struct Bucket {
    pub name: String,
    pub created_at: SimTime,
    pub objects: BTreeMap<String, Object>,
    pub notification: NotificationConfiguration,
    /// Orders events per bucket, as S3's `sequencer` does.
    pub(crate) sequencer: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    pub body: Vec<u8>,
    /// The MD5 of the body in hex, as S3's ETag for a single-part upload.
    pub etag: String,
    pub content_type: String,
    pub last_modified: SimTime,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum S3ErrorCode {
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    InvalidArgument,
    InvalidBucketName,
    NoSuchBucket,
    NoSuchKey,
}

impl S3ErrorCode {
    pub fn code(self) -> &'static str {
        match self {
            S3ErrorCode::BucketAlreadyOwnedByYou => "BucketAlreadyOwnedByYou",
            S3ErrorCode::BucketNotEmpty => "BucketNotEmpty",
            S3ErrorCode::InvalidArgument => "InvalidArgument",
            S3ErrorCode::InvalidBucketName => "InvalidBucketName",
            S3ErrorCode::NoSuchBucket => "NoSuchBucket",
            S3ErrorCode::NoSuchKey => "NoSuchKey",
        }
    }

    pub fn http_status(self) -> u16 {
        match self {
            S3ErrorCode::BucketAlreadyOwnedByYou | S3ErrorCode::BucketNotEmpty => 409,
            S3ErrorCode::NoSuchBucket | S3ErrorCode::NoSuchKey => 404,
            S3ErrorCode::InvalidArgument | S3ErrorCode::InvalidBucketName => 400,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Error {
    pub code: S3ErrorCode,
    pub message: String,
    /// For InvalidArgument: which argument, as S3's `<ArgumentName>`.
    pub argument_name: Option<String>,
}

impl S3Error {
    fn new(code: S3ErrorCode, message: impl Into<String>) -> Self {
        S3Error { code, message: message.into(), argument_name: None }
    }
    fn no_such_bucket() -> Self {
        Self::new(S3ErrorCode::NoSuchBucket, "The specified bucket does not exist")
    }
}

impl fmt::Display for S3Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.code(), self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for S3Error {}

/// Where bucket notifications can go: the account's queues, and its topics
/// when SNS is built in.
pub(crate) struct Destinations<'a> {
    pub sqs: &'a mut SqsState,
    #[cfg(feature = "sns")]
    pub sns: &'a mut SnsState,
}

impl Destinations<'_> {
    /// The same destinations, borrowed again for one more S3 call (Firehose
    /// writes object after object through one borrow of them).
    #[cfg(feature = "firehose")]
    pub(crate) fn reborrow(&mut self) -> Destinations<'_> {
        Destinations {
            sqs: self.sqs,
            #[cfg(feature = "sns")]
            sns: self.sns,
        }
    }
}

/// The S3 API, borrowed from an [`crate::Engine`] with `engine.s3()`.
pub struct S3<'a> {
    core: &'a mut Core,
    state: &'a mut S3State,
    to: Destinations<'a>,
}

impl<'a> S3<'a> {
    pub(crate) fn new(core: &'a mut Core, state: &'a mut S3State, to: Destinations<'a>) -> Self {
        S3 { core, state, to }
    }

    fn bucket_mut(&mut self, name: &str) -> Result<&mut Bucket, S3Error> {
        self.state.buckets.get_mut(name).ok_or_else(S3Error::no_such_bucket)
    }

    fn bucket(&self, name: &str) -> Result<&Bucket, S3Error> {
        self.state.buckets.get(name).ok_or_else(S3Error::no_such_bucket)
    }
}
