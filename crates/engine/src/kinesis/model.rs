//! The typed Kinesis Data Streams API: one request and one response per
//! action, named as in the AWS API reference.

use alloc::string::String;
use alloc::vec::Vec;

pub use arrayvec::ArrayString;

use crate::time::SimTime;

/// A shard id as Kinesis writes it (`shardId-` and twelve digits), in the
/// answers to writes. Fixed-length texts the engine mints are inline
/// strings, so that answering a write or a read allocates nothing for them.
pub type ShardId = ArrayString<20>;
/// A record's sequence number in decimal, in the answers to writes and reads
/// (the numbers this engine issues have 56 digits; AWS's are of that size).
pub type SequenceNumberText = ArrayString<64>;

/// How a request names its stream: AWS accepts `StreamName` or `StreamARN`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StreamRef {
    pub name: Option<String>,
    pub arn: Option<String>,
}

impl StreamRef {
    pub fn named(name: impl Into<String>) -> Self {
        StreamRef { name: Some(name.into()), arn: None }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamMode {
    Provisioned,
    OnDemand,
}

impl StreamMode {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamMode::Provisioned => "PROVISIONED",
            StreamMode::OnDemand => "ON_DEMAND",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamStatus {
    Creating,
    Deleting,
    Active,
    Updating,
}

impl StreamStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamStatus::Creating => "CREATING",
            StreamStatus::Deleting => "DELETING",
            StreamStatus::Active => "ACTIVE",
            StreamStatus::Updating => "UPDATING",
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct CreateStreamRequest {
    pub stream_name: String,
    /// Required for provisioned streams; on-demand streams start with 4.
    pub shard_count: Option<i64>,
    pub mode: Option<StreamMode>,
    pub tags: Vec<(String, String)>,
    /// 1,024 (the default) to 10,240 KiB.
    pub max_record_size_kib: Option<i64>,
}

#[derive(Clone, Debug, Default)]
pub struct DeleteStreamRequest {
    pub stream: StreamRef,
    pub enforce_consumer_deletion: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HashKeyRange {
    pub starting: u128,
    pub ending: u128,
}

/// A shard as `DescribeStream` and `ListShards` show it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardDescription {
    pub shard_id: String,
    pub parent_shard_id: Option<String>,
    pub adjacent_parent_shard_id: Option<String>,
    pub hash_key_range: HashKeyRange,
    pub starting_sequence_number: String,
    pub ending_sequence_number: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct DescribeStreamRequest {
    pub stream: StreamRef,
    pub limit: Option<i64>,
    pub exclusive_start_shard_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct StreamDescription {
    pub stream_name: String,
    pub stream_arn: String,
    pub status: StreamStatus,
    pub mode: StreamMode,
    pub shards: Vec<ShardDescription>,
    pub has_more_shards: bool,
    pub retention_period_hours: u32,
    pub created_at: SimTime,
    pub max_record_size_kib: u32,
}

#[derive(Clone, Debug)]
pub struct StreamSummary {
    pub stream_name: String,
    pub stream_arn: String,
    pub status: StreamStatus,
    pub mode: StreamMode,
    pub retention_period_hours: u32,
    pub created_at: SimTime,
    pub open_shard_count: u32,
    pub consumer_count: u32,
    pub max_record_size_kib: u32,
}

#[derive(Clone, Debug, Default)]
pub struct ListStreamsRequest {
    pub limit: Option<i64>,
    pub exclusive_start_stream_name: Option<String>,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ListStreamsResponse {
    pub stream_names: Vec<String>,
    pub summaries: Vec<StreamSummary>,
    pub has_more_streams: bool,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ShardFilter {
    /// AFTER_SHARD_ID, AT_TRIM_HORIZON, FROM_TRIM_HORIZON, AT_LATEST, AT_TIMESTAMP or FROM_TIMESTAMP.
    pub kind: String,
    pub shard_id: Option<String>,
    pub timestamp: Option<SimTime>,
}

#[derive(Clone, Debug, Default)]
pub struct ListShardsRequest {
    pub stream: StreamRef,
    pub next_token: Option<String>,
    pub exclusive_start_shard_id: Option<String>,
    pub max_results: Option<i64>,
    pub filter: Option<ShardFilter>,
}

#[derive(Clone, Debug)]
pub struct ListShardsResponse {
    pub shards: Vec<ShardDescription>,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct PutRecordRequest {
    pub stream: StreamRef,
    pub partition_key: String,
    pub data: Vec<u8>,
    pub explicit_hash_key: Option<String>,
    pub sequence_number_for_ordering: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutRecordResponse {
    pub shard_id: ShardId,
    pub sequence_number: SequenceNumberText,
}

#[derive(Clone, Debug, Default)]
pub struct PutRecordsEntry {
    pub partition_key: String,
    pub data: Vec<u8>,
    pub explicit_hash_key: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct PutRecordsRequest {
    pub stream: StreamRef,
    pub records: Vec<PutRecordsEntry>,
}

/// One entry of a PutRecords answer, in request order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PutRecordsResult {
    Ok { shard_id: ShardId, sequence_number: SequenceNumberText },
    Failed { error_code: String, error_message: String },
}

#[derive(Clone, Debug)]
pub struct PutRecordsResponse {
    pub failed_record_count: u32,
    pub records: Vec<PutRecordsResult>,
}

#[derive(Clone, Debug, Default)]
pub struct GetShardIteratorRequest {
    pub stream: StreamRef,
    pub shard_id: String,
    /// AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST or AT_TIMESTAMP.
    pub shard_iterator_type: String,
    pub starting_sequence_number: Option<String>,
    pub timestamp: Option<SimTime>,
}

#[derive(Clone, Debug, Default)]
pub struct GetRecordsRequest {
    pub shard_iterator: String,
    /// 1 to 10,000 (the default).
    pub limit: Option<i64>,
    pub stream_arn: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordView {
    pub sequence_number: SequenceNumberText,
    pub approximate_arrival: SimTime,
    pub data: Vec<u8>,
    pub partition_key: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChildShard {
    pub shard_id: String,
    pub parent_shards: Vec<String>,
    pub hash_key_range: HashKeyRange,
}

#[derive(Clone, Debug)]
pub struct GetRecordsResponse {
    pub records: Vec<RecordView>,
    /// `None` once a closed shard has been read to its end.
    pub next_shard_iterator: Option<String>,
    pub millis_behind_latest: u64,
    /// Present only when the end of a closed shard is reached.
    pub child_shards: Option<Vec<ChildShard>>,
}

#[derive(Clone, Debug, Default)]
pub struct SplitShardRequest {
    pub stream: StreamRef,
    pub shard_to_split: String,
    pub new_starting_hash_key: String,
}

#[derive(Clone, Debug, Default)]
pub struct MergeShardsRequest {
    pub stream: StreamRef,
    pub shard_to_merge: String,
    pub adjacent_shard_to_merge: String,
}

#[derive(Clone, Debug, Default)]
pub struct UpdateShardCountRequest {
    pub stream: StreamRef,
    pub target_shard_count: i64,
    /// Only UNIFORM_SCALING exists.
    pub scaling_type: String,
}

#[derive(Clone, Debug)]
pub struct UpdateShardCountResponse {
    pub stream_name: String,
    pub stream_arn: String,
    pub current_shard_count: u32,
    pub target_shard_count: u32,
}

#[derive(Clone, Debug, Default)]
pub struct RetentionPeriodRequest {
    pub stream: StreamRef,
    pub retention_period_hours: i64,
}

#[derive(Clone, Debug, Default)]
pub struct AddTagsToStreamRequest {
    pub stream: StreamRef,
    pub tags: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct RemoveTagsFromStreamRequest {
    pub stream: StreamRef,
    pub tag_keys: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ListTagsForStreamRequest {
    pub stream: StreamRef,
    pub exclusive_start_tag_key: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct ListTagsForStreamResponse {
    pub tags: Vec<(String, String)>,
    pub has_more_tags: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsumerStatus {
    Creating,
    Deleting,
    Active,
}

impl ConsumerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsumerStatus::Creating => "CREATING",
            ConsumerStatus::Deleting => "DELETING",
            ConsumerStatus::Active => "ACTIVE",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerDescription {
    pub consumer_name: String,
    pub consumer_arn: String,
    pub status: ConsumerStatus,
    pub created_at: SimTime,
    pub stream_arn: String,
}

/// Names a consumer either by its ARN or by stream ARN and name.
#[derive(Clone, Debug, Default)]
pub struct ConsumerRef {
    pub stream_arn: Option<String>,
    pub consumer_name: Option<String>,
    pub consumer_arn: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ListStreamConsumersRequest {
    pub stream_arn: String,
    pub max_results: Option<i64>,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ListStreamConsumersResponse {
    pub consumers: Vec<ConsumerDescription>,
    pub next_token: Option<String>,
}

/// DescribeLimits' answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub shard_limit: u32,
    pub open_shard_count: u32,
    pub on_demand_stream_count: u32,
    pub on_demand_stream_count_limit: u32,
}
