//! Amazon Kinesis Data Streams: streams, shards, records and resharding, on
//! the virtual clock.
//!
//! # Layout
//! - [`model`]: the typed API (request and response structs per action).
//! - [`error`]: errors by their JSON 1.1 `__type`, with AWS's messages.
//! - [`keys`]: MD5 hash keys and AWS's even split of the hash space, shard
//!   ids, sequence numbers and shard iterators.
//! - `streams`: create, delete, describe, list, list shards, retention, tags,
//!   enhanced fan-out consumers.
//! - `records`: PutRecord(s), GetShardIterator, GetRecords, per-shard
//!   throughput limits, retention trimming.
//! - `reshard`: SplitShard, MergeShards and UpdateShardCount.
//! - [`fanout`]: enhanced fan-out, SubscribeToShard as a push in virtual time.
//! - [`kcl`]: a simulated KCL consumer application (workers, lease table).
//! - [`producer`]: a simulated producer with partition-key strategies and
//!   backoff on throttling.
//!
//! Everything AWS does "after a while" is a deadline: a stream is CREATING,
//! UPDATING or DELETING for a fixed span of virtual time, and each shard has
//! one deadline for its oldest record's retention. Throughput limits are
//! counted per shard per virtual second, so a learner who puts 1,500 records
//! without moving the clock sees the last 500 throttled.

pub mod error;
pub mod fanout;
pub mod kcl;
pub mod keys;
pub mod model;
pub mod producer;

mod record_bytes;
mod records;
mod reshard;
mod streams;

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

pub use error::{KinesisError, KinesisErrorCode};
pub use model::*;

use crate::engine::{Core, Deadline, DeadlineKey};
use crate::time::{SimDuration, SimTime};
use record_bytes::RecordBytes;

/// A stream's name, shared cheaply between the stream and its events.
pub type StreamName = Rc<str>;

/// How long a stream stays CREATING, and a deleted one DELETING.
pub const STREAM_CREATE_DELAY: SimDuration = SimDuration::from_secs(10);
pub const STREAM_DELETE_DELAY: SimDuration = SimDuration::from_secs(10);
/// How long SplitShard and MergeShards keep a stream UPDATING.
pub const RESHARD_DELAY: SimDuration = SimDuration::from_secs(10);
/// UpdateShardCount reshards every open shard, so it takes longer.
pub const UPDATE_SHARD_COUNT_DELAY: SimDuration = SimDuration::from_secs(30);
/// How long a registered enhanced fan-out consumer stays CREATING.
pub const CONSUMER_CREATE_DELAY: SimDuration = SimDuration::from_secs(5);

pub const DEFAULT_RETENTION_HOURS: u32 = 24;
pub const MAX_RETENTION_HOURS: u32 = 8_760;
/// On-demand streams start with four shards.
pub const ON_DEMAND_INITIAL_SHARDS: u32 = 4;
/// AWS's default quota of on-demand streams per account.
pub const ON_DEMAND_STREAM_LIMIT: u32 = 50;

/// Per-shard quotas, per second.
pub const WRITE_BYTES_PER_SECOND: u64 = 1024 * 1024;
pub const WRITE_RECORDS_PER_SECOND: u32 = 1_000;
pub const READ_BYTES_PER_SECOND: u64 = 2 * 1024 * 1024;
pub const READ_CALLS_PER_SECOND: u32 = 5;
/// One GetRecords call returns at most this much.
pub const GET_RECORDS_MAX_BYTES: u64 = 10 * 1024 * 1024;
pub const GET_RECORDS_MAX_RECORDS: u32 = 10_000;
/// Shard iterators expire five minutes after they are issued.
pub const ITERATOR_LIFETIME: SimDuration = SimDuration::from_mins(5);

/// Which consumer a [`Deadline::KinesisConsumerStatus`] makes ACTIVE. Boxed
/// there: every deadline takes a slot the size of the largest, and this one
/// would have made them all half as large again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerDue {
    pub stream: StreamName,
    pub incarnation: u64,
    pub consumer: String,
}

/// Every stream in the account.
#[derive(Clone, Debug, Default)]
pub struct KinesisState {
    streams: BTreeMap<String, Stream>,
    next_incarnation: u64,
    /// Enhanced fan-out subscriptions, by id.
    subscriptions: BTreeMap<u64, fanout::Subscription>,
    next_subscription: u64,
    /// Simulated KCL applications reading the streams.
    kcl: kcl::KclState,
    /// Simulated producers writing to them.
    producers: producer::ProducerState,
    /// Shard iterators issued lately, decoded.
    iterators: keys::IteratorMemo,
    /// Where GetRecords decodes its iterator: kept, because clearing a
    /// fresh one on every call showed in a small read's profile.
    iterator_buffer: keys::IteratorBuffer,
}

impl KinesisState {
    pub fn streams(&self) -> impl Iterator<Item = &Stream> {
        self.streams.values()
    }

    /// Enhanced fan-out subscriptions: the open ones, and those that ended
    /// but whose last events have not been drained yet.
    pub fn subscriptions(&self) -> impl Iterator<Item = &fanout::Subscription> {
        self.subscriptions.values()
    }

    pub fn stream(&self, name: &str) -> Option<&Stream> {
        self.streams.get(name)
    }

    /// Shards across the account that count against the shard quota (open ones).
    pub fn open_shards(&self) -> u32 {
        self.streams.values().map(|s| s.open_shard_count()).sum()
    }

    pub(crate) fn describe_deadline(&self, deadline: &Deadline) -> String {
        match deadline {
            Deadline::KinesisStreamStatus { stream, .. } => match self.streams.get(&**stream) {
                Some(s) if s.status == StreamStatus::Creating => format!("stream {stream} becomes ACTIVE"),
                Some(s) if s.status == StreamStatus::Deleting => format!("stream {stream} is deleted"),
                _ => format!("stream {stream} finishes resharding"),
            },
            Deadline::KinesisRetention { stream, shard, .. } => {
                format!("{stream}: oldest record of {} passes retention", keys::shard_id(*shard))
            }
            Deadline::KinesisConsumerStatus(due) => {
                format!("{}: consumer {} becomes ACTIVE", due.stream, due.consumer)
            }
            Deadline::KinesisFanOutPush { subscription } | Deadline::KinesisFanOutEnd { subscription } => {
                match self.subscriptions.get(subscription) {
                    Some(s) if matches!(deadline, Deadline::KinesisFanOutEnd { .. }) => {
                        format!("{}: subscription to {} ends (5 minutes)", s.stream, keys::shard_id(s.shard))
                    }
                    Some(s) => format!("{}: records pushed to a subscriber of {}", s.stream, keys::shard_id(s.shard)),
                    None => String::new(),
                }
            }
            _ => String::new(),
        }
    }
}

/// One stream and its shards (open and closed).
#[derive(Clone, Debug)]
pub struct Stream {
    pub name: StreamName,
    pub arn: String,
    pub status: StreamStatus,
    pub mode: StreamMode,
    pub created_at: SimTime,
    pub retention_hours: u32,
    pub max_record_size_kib: u32,
    /// Every shard the stream ever had, by number (`shardId-…` suffix).
    pub shards: Vec<Shard>,
    pub tags: BTreeMap<String, String>,
    pub consumers: Vec<Consumer>,
    /// Tells this stream from an older one of the same name, for iterators
    /// and deadlines issued before a delete.
    pub(crate) incarnation: u64,
    /// The reshard that completes when UPDATING ends.
    pub(crate) pending: Option<reshard::Reshard>,
    /// When UpdateShardCount was called, for its 10-per-24-hours quota.
    pub(crate) scalings: VecDeque<SimTime>,
    pub(crate) status_deadline: Option<DeadlineKey>,
}

impl Stream {
    pub fn open_shards(&self) -> impl Iterator<Item = &Shard> {
        self.shards.iter().filter(|s| s.is_open())
    }

    pub fn open_shard_count(&self) -> u32 {
        self.open_shards().count() as u32
    }

    pub fn retention(&self) -> SimDuration {
        SimDuration::from_secs(u64::from(self.retention_hours) * 3600)
    }

    pub fn max_record_bytes(&self) -> usize {
        self.max_record_size_kib as usize * 1024
    }

    /// The shards made from `parent` by resharding, as GetRecords and
    /// SubscribeToShard report them at the end of a closed shard.
    pub fn child_shards(&self, parent: u32) -> Vec<ChildShard> {
        self.shards
            .iter()
            .filter(|s| s.parent == Some(parent) || s.adjacent_parent == Some(parent))
            .map(|s| ChildShard {
                shard_id: s.id(),
                parent_shards: s.parent.iter().chain(&s.adjacent_parent).map(|p| keys::shard_id(*p)).collect(),
                hash_key_range: s.range.clone(),
            })
            .collect()
    }

    /// The open shard whose hash key range holds `hash_key`.
    pub fn shard_for_hash(&self, hash_key: u128) -> Option<&Shard> {
        self.open_shards().find(|s| s.range.starting <= hash_key && hash_key <= s.range.ending)
    }
}

/// A shard: a hash key range and the records written to it, oldest first.
#[derive(Clone, Debug)]
pub struct Shard {
    pub number: u32,
    pub parent: Option<u32>,
    pub adjacent_parent: Option<u32>,
    pub range: HashKeyRange,
    pub created_at: SimTime,
    /// When resharding closed it; a closed shard takes no more writes.
    pub closed_at: Option<SimTime>,
    /// Records still within retention, by increasing index (contiguous).
    pub records: VecDeque<StoredRecord>,
    /// Their partition keys and data.
    bytes: RecordBytes,
    /// `shardId-…`, formatted once and kept inline: PutRecord answers with
    /// it every time.
    id: ShardId,
    /// The last sequence number written, with its digits and text: the next
    /// record of the same second adds to the digits instead of formatting
    /// afresh, and PutRecord and a reader at the tip copy the text.
    last_sequence: keys::LastDigits,
    /// The index the next record gets; the first record is 1.
    pub next_index: u64,
    pub(crate) writes: RateWindow,
    pub(crate) reads: RateWindow,
    /// A read of more than 2 MiB blocks further reads until it is paid off.
    pub(crate) reads_blocked_until: SimTime,
    pub(crate) retention_deadline: Option<DeadlineKey>,
    /// Enhanced fan-out subscriptions reading this shard, woken by writes.
    pub(crate) subscribers: Vec<u64>,
    pub metrics: ShardMetrics,
}

/// Cumulative per-shard counters, the CloudWatch metrics of the course.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ShardMetrics {
    pub incoming_records: u64,
    pub incoming_bytes: u64,
    pub outgoing_records: u64,
    pub write_throttled: u64,
    pub read_throttled: u64,
}

/// A shard's read quota use in one virtual second (see [`Shard::reads_at`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ShardReads {
    /// GetRecords calls answered this second (at most 5).
    pub calls: u32,
    /// Bytes they returned (2 MiB a second; one bigger read blocks the shard).
    pub bytes: u64,
    /// While a read of more than 2 MiB is paid off, no GetRecords is answered.
    pub blocked_until: Option<SimTime>,
}

impl Shard {
    /// The read quota used in the virtual second `now` falls in.
    pub fn reads_at(&self, now: SimTime) -> ShardReads {
        let mut window = self.reads;
        let window = window.at(now);
        ShardReads {
            calls: window.count,
            bytes: window.bytes,
            blocked_until: (self.reads_blocked_until > now).then_some(self.reads_blocked_until),
        }
    }

    fn new(number: u32, range: HashKeyRange, now: SimTime) -> Self {
        Shard {
            number,
            parent: None,
            adjacent_parent: None,
            range,
            created_at: now,
            closed_at: None,
            records: VecDeque::new(),
            bytes: RecordBytes::default(),
            id: ShardId::from(&keys::shard_id(number)).unwrap_or_default(),
            last_sequence: keys::LastDigits::default(),
            next_index: 1,
            writes: RateWindow::default(),
            reads: RateWindow::default(),
            reads_blocked_until: SimTime(0),
            retention_deadline: None,
            subscribers: Vec::new(),
            metrics: ShardMetrics::default(),
        }
    }

    pub fn id(&self) -> String {
        String::from(self.id.as_str())
    }

    /// The id inline, as write answers carry it.
    pub(crate) fn short_id(&self) -> ShardId {
        self.id
    }

    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    pub fn sequence_number(&self, index: u64, arrival: SimTime) -> String {
        self.sequence_of(index, arrival).to_decimal()
    }

    /// What the sequence number of this shard's record `index`, arrived at `arrival`, encodes.
    fn sequence_of(&self, index: u64, arrival: SimTime) -> keys::SequenceNumber {
        keys::SequenceNumber::new(self.created_at, self.number, index, arrival)
    }

    /// The sequence number of a record just written at `arrival`: copied
    /// from the shard's last, formatted only if another was written since.
    pub(crate) fn written_sequence_text(&self, index: u64, arrival: SimTime) -> SequenceNumberText {
        let number = self.sequence_of(index, arrival);
        match self.last_sequence.text(&number) {
            Some(text) => *text,
            None => number.to_digits().to_text(),
        }
    }

    /// A kept record's sequence number.
    pub fn record_sequence_number(&self, record: &StoredRecord) -> String {
        String::from(self.written_sequence_text(record.index, record.arrival).as_str())
    }

    pub fn partition_key(&self, record: &StoredRecord) -> &str {
        self.bytes.partition_key(&record.bytes)
    }

    pub fn data(&self, record: &StoredRecord) -> &[u8] {
        self.bytes.data(&record.bytes)
    }

    /// Bytes held for the records' partition keys and data (in blocks, free
    /// room included).
    pub fn record_bytes_held(&self) -> usize {
        self.bytes.capacity()
    }

    /// Keeps a record written now. Its sequence number is not kept with it:
    /// it follows from the shard, the index and the arrival. Only the
    /// shard's newest is kept, moved on from the one before by adding 2^80
    /// to its low digits, which costs less than writing 56 digits per record
    /// into memory that holds a day of them.
    pub(crate) fn store(&mut self, index: u64, arrival: SimTime, key: &str, data: &[u8]) {
        self.last_sequence.keep(self.sequence_of(index, arrival));
        let bytes = self.bytes.push(key, data);
        self.records.push_back(StoredRecord { index, arrival, bytes });
    }

    /// Drops the oldest records while `expired` says so; returns how many went.
    pub(crate) fn trim_while(&mut self, mut expired: impl FnMut(&StoredRecord) -> bool) -> u32 {
        let mut count = 0;
        while self.records.front().is_some_and(&mut expired) {
            self.records.pop_front();
            count += 1;
        }
        if count > 0 {
            self.bytes.release_before(self.records.front().map(|r| &r.bytes));
        }
        count
    }

    pub fn starting_sequence_number(&self) -> String {
        self.sequence_number(0, self.created_at)
    }

    pub fn ending_sequence_number(&self) -> Option<String> {
        self.closed_at.map(|at| self.sequence_number(keys::END_OF_SHARD_INDEX, at))
    }

    /// The record with `index`, if it is still retained.
    pub fn record(&self, index: u64) -> Option<&StoredRecord> {
        self.records.get(usize::try_from(index.checked_sub(self.trim_horizon())?).ok()?)
    }

    /// A stored record as readers get it; `read` is the sequence number of
    /// the record this reader took before it, if any.
    // Inlined, so that a read writes each record straight into its list.
    #[inline(always)]
    pub(crate) fn view(&self, record: &StoredRecord, read: &mut keys::LastDigits) -> RecordView {
        let number = self.sequence_of(record.index, record.arrival);
        RecordView {
            sequence_number: read.text_of(number, Some(&self.last_sequence)),
            approximate_arrival: record.arrival,
            data: self.data(record).to_vec(),
            partition_key: String::from(self.partition_key(record)),
        }
    }

    /// How far a reader about to read `next_index` is behind the tip:
    /// the age of that record, or 0 when it has caught up.
    pub fn millis_behind(&self, next_index: u64, now: SimTime) -> u64 {
        match self.record(next_index) {
            Some(next) if next_index < self.next_index => now.saturating_sub(next.arrival).as_millis(),
            _ => 0,
        }
    }

    /// Index of the oldest retained record (or the next one, if none is).
    // Derived, not read from the oldest record: that one was written a day
    // ago at a steady rate, and reading it cost a cache miss per GetRecords.
    pub fn trim_horizon(&self) -> u64 {
        self.next_index - self.records.len() as u64
    }

    fn describe(&self) -> ShardDescription {
        ShardDescription {
            shard_id: self.id(),
            parent_shard_id: self.parent.map(keys::shard_id),
            adjacent_parent_shard_id: self.adjacent_parent.map(keys::shard_id),
            hash_key_range: self.range.clone(),
            starting_sequence_number: self.starting_sequence_number(),
            ending_sequence_number: self.ending_sequence_number(),
        }
    }
}

/// A record a shard keeps. Its bytes — the partition key and the data — are
/// in the shard's `RecordBytes`, and its sequence number follows from the
/// shard, `index` and `arrival`: read them with [`Shard::partition_key`],
/// [`Shard::data`] and [`Shard::record_sequence_number`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecord {
    pub index: u64,
    pub arrival: SimTime,
    bytes: record_bytes::Span,
}

impl StoredRecord {
    /// What the record counts against throughput quotas.
    pub fn size(&self) -> usize {
        self.bytes.key_len() + self.bytes.data_len()
    }
}

/// Counts calls (or records) and bytes within one virtual second.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct RateWindow {
    second: u64,
    pub(crate) count: u32,
    pub(crate) bytes: u64,
}

impl RateWindow {
    /// Resets the window when `now` has moved into a new second.
    pub(crate) fn at(&mut self, now: SimTime) -> &mut Self {
        let second = now.as_secs();
        if second != self.second {
            *self = RateWindow { second, count: 0, bytes: 0 };
        }
        self
    }
}

/// An enhanced fan-out consumer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Consumer {
    pub name: String,
    pub arn: String,
    pub status: ConsumerStatus,
    pub created_at: SimTime,
}

/// The Kinesis API of an engine, borrowed for one call.
pub struct Kinesis<'a> {
    core: &'a mut Core,
    state: &'a mut KinesisState,
}

impl<'a> Kinesis<'a> {
    pub(crate) fn new(core: &'a mut Core, state: &'a mut KinesisState) -> Self {
        Kinesis { core, state }
    }

    fn account(&self) -> &str {
        &self.core.config.account_id
    }

    fn stream_arn(&self, name: &str) -> String {
        format!("arn:aws:kinesis:{}:{}:stream/{name}", self.core.config.region, self.core.config.account_id)
    }

    /// The stream a request names (by name or ARN), in any status.
    fn resolve_name<'r>(&self, stream: &'r StreamRef) -> Result<&'r str, KinesisError> {
        if let Some(arn) = &stream.arn {
            let prefix = self.stream_arn("");
            let name = arn.strip_prefix(prefix.as_str()).filter(|n| !n.is_empty() && !n.contains('/'));
            return match (name, &stream.name) {
                (Some(name), Some(given)) if given != name => Err(KinesisError::invalid(format!(
                    "StreamARN {arn} and StreamName {given} do not refer to the same stream."
                ))),
                (Some(name), _) => Ok(name),
                (None, _) => Err(KinesisError::new(
                    KinesisErrorCode::ResourceNotFoundException,
                    format!("Stream {arn} under account {} not found.", self.account()),
                )),
            };
        }
        match &stream.name {
            Some(name) => Ok(name),
            None => Err(KinesisError::new(
                KinesisErrorCode::ValidationException,
                "Either StreamName or StreamARN should be provided.",
            )),
        }
    }

    /// The clock's core and the stream, unless it does not exist (or is
    /// still being created or deleted, when AWS also answers "not found" to
    /// data-plane calls).
    fn usable_stream(&mut self, stream: &StreamRef) -> Result<(&mut Core, &mut Stream), KinesisError> {
        let name = self.resolve_name(stream)?;
        match self.state.streams.get_mut(name) {
            Some(s) if matches!(s.status, StreamStatus::Active | StreamStatus::Updating) => Ok((&mut *self.core, s)),
            _ => Err(KinesisError::stream_not_found(name, &self.core.config.account_id)),
        }
    }

    /// The stream in any status (describe, tags, retention).
    fn any_stream(&mut self, stream: &StreamRef) -> Result<&mut Stream, KinesisError> {
        let name = self.resolve_name(stream)?;
        let account = self.core.config.account_id.clone();
        self.state.streams.get_mut(name).ok_or_else(|| KinesisError::stream_not_found(name, &account))
    }

    /// A stream that may change shape: it must exist and be ACTIVE.
    fn active_stream(&mut self, stream: &StreamRef) -> Result<&mut Stream, KinesisError> {
        let account = self.core.config.account_id.clone();
        let s = self.any_stream(stream)?;
        if s.status != StreamStatus::Active {
            return Err(KinesisError::not_active(&s.name, &account, s.status.as_str()));
        }
        Ok(s)
    }
}

/// Performs a Kinesis deadline.
pub(crate) fn on_deadline(core: &mut Core, state: &mut KinesisState, deadline: Deadline) {
    match deadline {
        Deadline::KinesisStreamStatus { stream, incarnation } => {
            streams::finish_transition(core, state, &stream, incarnation)
        }
        Deadline::KinesisRetention { stream, incarnation, shard } => {
            records::trim(core, state, stream, incarnation, shard)
        }
        Deadline::KinesisConsumerStatus(due) => {
            streams::finish_consumer(core, state, &due.stream, due.incarnation, &due.consumer)
        }
        Deadline::KinesisFanOutPush { subscription } => fanout::push(core, state, subscription),
        Deadline::KinesisFanOutEnd { subscription } => fanout::expire(core, state, subscription),
        _ => {}
    }
}
