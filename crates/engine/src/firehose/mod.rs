//! Amazon Data Firehose: delivery streams that buffer records in virtual time
//! and deliver them as objects into the engine's S3, or to simulated
//! OpenSearch, Redshift and Splunk destinations.
//!
//! # Layout
//! - [`model`]: the typed API (request and response structs per action).
//! - [`error`]: errors by their JSON 1.1 `__type`, with AWS's messages.
//! - [`transform`]: the simulated Lambda processor (Ok / Dropped / ProcessingFailed).
//! - [`destinations`]: OpenSearch (Elasticsearch), Redshift and Splunk as
//!   simulated sinks keeping the batches they took.
//! - `streams`: create, delete, describe, list, tags.
//! - `records`: PutRecord, PutRecordBatch, the per-stream throughput quota,
//!   buffering, and delivery (object keys, error output).
//! - [`prefix`]: custom `Prefix` / `ErrorOutputPrefix` with `!{...}`
//!   expressions: AWS's validation rules and the object keys they give.
//! - `source`: reading a Kinesis data stream as the source, through the
//!   engine's own GetShardIterator and GetRecords.
//!
//! A delivery stream buffers records until the buffer holds `SizeInMBs` or
//! `IntervalInSeconds` have passed since the first buffered record (one
//! deadline), whichever comes first; then it writes ONE object through the
//! S3 module's own put path, so bucket notifications fire as for any upload.
//!
//! # Where AWS leaves room (decisions)
//! - CREATING lasts [`CREATE_DELAY`], DELETING [`DELETE_DELAY`]; data-plane
//!   calls in either state are answered "not found", as Kinesis does.
//! - The transform runs at delivery time on the whole buffer (AWS buffers
//!   separately for Lambda first); the buffer's size counts incoming bytes.
//! - A delivery into a missing bucket fails: nothing is written, the records
//!   are recorded as a failed delivery (no retries), and an event says why.
//! - Custom prefixes are evaluated in UTC (no `CustomTimeZone`), and dynamic
//!   partitioning is not simulated (see [`prefix`]).
//! - Records deleted with their delivery stream (buffered, undelivered) are lost.
//! - The throughput quota is the smaller regions' default for every region:
//!   2,000 calls, 5,000 records and 5 MiB per second per delivery stream;
//!   over it, PutRecord answers ServiceUnavailableException "Slow down." and
//!   PutRecordBatch fails the records that do not fit, each with that error.
//! - ListDeliveryStreams lists names in alphabetical order.
//! - Record ids are 64 characters from the engine's generator (AWS's are
//!   opaque strings too).

pub mod destinations;
pub mod error;
pub mod model;
pub mod prefix;
pub mod transform;

mod records;
mod source;
mod streams;

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

pub use destinations::{DestinationKind, DestinationSettings, IndexRotation, LoadedBatch, OtherDestination};
pub use error::{FirehoseError, FirehoseErrorCode};
pub use model::*;
pub use prefix::KeyLayout;
pub use transform::{Transform, TransformResult};

use crate::engine::{Core, Deadline, DeadlineKey};
use crate::kinesis::KinesisState;
use crate::s3::{Destinations, S3State};
use crate::time::{SimDuration, SimTime};

/// A delivery stream's name, shared cheaply between it and its events.
pub type DeliveryStreamName = Rc<str>;

/// How long a new delivery stream stays CREATING, and a deleted one DELETING.
pub const CREATE_DELAY: SimDuration = SimDuration::from_secs(5);
pub const DELETE_DELAY: SimDuration = SimDuration::from_secs(5);
/// Firehose polls each source shard once per second.
pub const SOURCE_POLL_INTERVAL: SimDuration = SimDuration::from_secs(1);

pub const DEFAULT_SIZE_IN_MBS: u32 = 5;
pub const DEFAULT_INTERVAL_IN_SECONDS: u32 = 300;
pub const MAX_SIZE_IN_MBS: i64 = 128;
pub const MAX_INTERVAL_IN_SECONDS: i64 = 900;
/// PutRecord's `Data` limit: 1,000 KiB.
pub const MAX_RECORD_BYTES: usize = 1_024_000;
pub const MAX_BATCH_RECORDS: usize = 500;
/// PutRecordBatch's limit for the whole request: 4 MiB.
pub const MAX_BATCH_BYTES: usize = 4 * 1024 * 1024;
/// Per delivery stream and second (us-east-1, us-west-2, eu-west-1 have
/// higher defaults; Decouple uses the other regions' numbers everywhere).
pub const MAX_RECORDS_PER_SECOND: u32 = 5_000;
pub const MAX_BYTES_PER_SECOND: u64 = 5 * 1024 * 1024;
pub const MAX_CALLS_PER_SECOND: u32 = 2_000;
pub const MAX_TAGS: usize = 50;
/// How many deliveries each stream remembers for a UI.
pub const DELIVERY_HISTORY: usize = 1_000;
/// `DestinationId` of the (only) destination.
pub const DESTINATION_ID: &str = "destinationId-000000000001";

/// Every delivery stream in the account.
#[derive(Clone, Debug, Default)]
pub struct FirehoseState {
    streams: BTreeMap<String, DeliveryStream>,
    next_incarnation: u64,
}

impl FirehoseState {
    pub fn delivery_streams(&self) -> impl Iterator<Item = &DeliveryStream> {
        self.streams.values()
    }

    pub fn delivery_stream(&self, name: &str) -> Option<&DeliveryStream> {
        self.streams.get(name)
    }

    pub(crate) fn describe_deadline(&self, deadline: &Deadline) -> String {
        match deadline {
            Deadline::FirehoseStatus { stream, .. } => match self.streams.get(&**stream) {
                Some(s) if s.status == DeliveryStreamStatus::Deleting => format!("delivery stream {stream} is deleted"),
                _ => format!("delivery stream {stream} becomes ACTIVE"),
            },
            Deadline::FirehoseBufferInterval { stream, .. } => {
                let records = self.streams.get(&**stream).map_or(0, |s| s.buffer.len());
                format!("delivery stream {stream}: buffering interval ends, {records} records delivered")
            }
            Deadline::FirehoseSourcePoll { stream, .. } => format!("delivery stream {stream} reads its Kinesis stream"),
            _ => String::new(),
        }
    }
}

/// The S3 destination as the stream keeps it (validated, defaults applied).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Destination {
    pub extended: bool,
    pub role_arn: String,
    pub bucket_arn: String,
    /// The bucket named by `bucket_arn`.
    pub bucket: String,
    pub prefix: Option<String>,
    pub error_output_prefix: Option<String>,
    /// `prefix` and `error_output_prefix` parsed: how objects are named.
    pub key_layout: KeyLayout,
    pub size_in_mbs: u32,
    pub interval_in_seconds: u32,
    pub compression_format: String,
    pub processing: Option<ProcessingConfiguration>,
    /// The Lambda processor's ARN, when processing is enabled with one.
    pub lambda_arn: Option<String>,
    /// What the simulated Lambda does; used only when `lambda_arn` is set.
    pub transform: Transform,
}

impl S3Destination {
    pub fn size_limit_bytes(&self) -> u64 {
        u64::from(self.size_in_mbs) * 1024 * 1024
    }
}

/// A Kinesis data stream a delivery stream reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KinesisSource {
    pub kinesis_stream_arn: String,
    pub stream_name: String,
    pub role_arn: String,
    pub delivery_start: SimTime,
    /// One reader per shard being read, oldest shard first.
    pub readers: Vec<ShardReader>,
}

/// Where the delivery stream is in one shard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardReader {
    pub shard_id: String,
    pub(crate) iterator: Option<String>,
    /// The last record read, to start again after it if the iterator expires.
    pub last_sequence_number: Option<String>,
}

/// A record waiting in the buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BufferedRecord {
    /// 1-based, in the order the delivery stream accepted records.
    pub number: u64,
    pub record_id: String,
    pub data: Vec<u8>,
    pub arrival: SimTime,
}

/// One object written (or not, when `error` is set).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub at: SimTime,
    pub bucket: String,
    pub key: String,
    /// Records in the object (for error output: failed records).
    pub records: u32,
    pub bytes: u64,
    /// The `number` of the first record in it.
    pub first_record: u64,
    /// Written under the error output prefix (`processing-failed`).
    pub error_output: bool,
    /// Why the delivery failed (no object was written).
    pub error: Option<String>,
}

/// Cumulative counters, the CloudWatch metrics of the course.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeliveryStreamMetrics {
    pub incoming_records: u64,
    pub incoming_bytes: u64,
    pub throttled_records: u64,
    pub delivered_records: u64,
    pub delivered_bytes: u64,
    pub dropped_records: u64,
    pub failed_records: u64,
    pub failed_deliveries: u64,
}

/// Counts calls, records and bytes within one virtual second.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RateWindow {
    second: u64,
    calls: u32,
    records: u32,
    bytes: u64,
}

impl RateWindow {
    fn at(&mut self, now: SimTime) -> &mut Self {
        if now.as_secs() != self.second {
            *self = RateWindow { second: now.as_secs(), ..RateWindow::default() };
        }
        self
    }
}

#[derive(Clone, Debug)]
pub struct DeliveryStream {
    pub name: DeliveryStreamName,
    pub arn: String,
    pub status: DeliveryStreamStatus,
    pub stream_type: DeliveryStreamType,
    pub created_at: SimTime,
    /// Starts at 1; AWS adds 1 on every configuration change.
    pub version: u64,
    pub source: Option<KinesisSource>,
    /// The S3 destination; with `other_destination`, that one's S3
    /// configuration (Redshift's intermediate bucket, or the backup bucket).
    pub destination: S3Destination,
    /// OpenSearch, Redshift or Splunk, when the stream delivers there.
    pub other_destination: Option<OtherDestination>,
    pub tags: BTreeMap<String, String>,
    /// Records waiting for delivery, oldest first.
    pub buffer: Vec<BufferedRecord>,
    pub buffered_bytes: u64,
    /// The newest deliveries, oldest first (at most [`DELIVERY_HISTORY`]).
    pub deliveries: VecDeque<Delivery>,
    pub metrics: DeliveryStreamMetrics,
    pub(crate) next_number: u64,
    pub(crate) incarnation: u64,
    pub(crate) writes: RateWindow,
    pub(crate) status_deadline: Option<DeadlineKey>,
    pub(crate) flush_deadline: Option<DeadlineKey>,
    pub(crate) poll_deadline: Option<DeadlineKey>,
}

impl DeliveryStream {
    /// When the buffer will be delivered by interval, if anything is buffered.
    pub fn flush_at(&self) -> Option<SimTime> {
        self.flush_deadline.map(|k| k.at)
    }

    /// The buffering hints in force: (size in bytes, interval in seconds).
    /// OpenSearch and Splunk have their own; S3 and Redshift use the S3 configuration's.
    pub fn buffering(&self) -> (u64, u32) {
        match &self.other_destination {
            Some(o) if !matches!(o.settings.kind, DestinationKind::Redshift { .. }) => {
                (u64::from(o.settings.size_in_mbs) * 1024 * 1024, o.settings.interval_in_seconds)
            }
            _ => (self.destination.size_limit_bytes(), self.destination.interval_in_seconds),
        }
    }
}

/// What a delivery writes into: S3, and through S3's notifications SQS (and SNS when built in).
pub(crate) struct Sinks<'a> {
    pub s3: &'a mut S3State,
    pub notified: Destinations<'a>,
}

/// The Firehose API of an engine, borrowed for one call.
pub struct Firehose<'a> {
    core: &'a mut Core,
    state: &'a mut FirehoseState,
    kinesis: &'a mut KinesisState,
    sinks: Sinks<'a>,
}

impl<'a> Firehose<'a> {
    pub(crate) fn new(
        core: &'a mut Core,
        state: &'a mut FirehoseState,
        kinesis: &'a mut KinesisState,
        s3: &'a mut S3State,
        notified: Destinations<'a>,
    ) -> Self {
        Firehose { core, state, kinesis, sinks: Sinks { s3, notified } }
    }

    fn account(&self) -> &str {
        &self.core.config.account_id
    }

    fn delivery_stream_arn(&self, name: &str) -> String {
        format!("arn:aws:firehose:{}:{}:deliverystream/{name}", self.core.config.region, self.core.config.account_id)
    }

    /// A delivery stream in any status (describe, delete, tags).
    fn any_stream(&mut self, name: &str) -> Result<&mut DeliveryStream, FirehoseError> {
        let account = &self.core.config.account_id;
        self.state.streams.get_mut(name).ok_or_else(|| FirehoseError::not_found(name, account))
    }

    /// Performs a Firehose deadline.
    pub(crate) fn on_deadline(mut self, deadline: Deadline) {
        match deadline {
            Deadline::FirehoseStatus { stream, incarnation } => self.finish_transition(&stream, incarnation),
            Deadline::FirehoseBufferInterval { stream, incarnation } => self.interval_elapsed(&stream, incarnation),
            Deadline::FirehoseSourcePoll { stream, incarnation } => self.poll_source(&stream, incarnation),
            _ => {}
        }
    }
}
