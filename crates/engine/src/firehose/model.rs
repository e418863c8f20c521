//! The typed Firehose API: one request and one response per action, named
//! as in the AWS API reference (`Firehose_20150804`).

use alloc::string::String;
use alloc::vec::Vec;

use super::transform::Transform;
use crate::time::SimTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStreamType {
    DirectPut,
    KinesisStreamAsSource,
}

impl DeliveryStreamType {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStreamType::DirectPut => "DirectPut",
            DeliveryStreamType::KinesisStreamAsSource => "KinesisStreamAsSource",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStreamStatus {
    Creating,
    Deleting,
    Active,
}

impl DeliveryStreamStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStreamStatus::Creating => "CREATING",
            DeliveryStreamStatus::Deleting => "DELETING",
            DeliveryStreamStatus::Active => "ACTIVE",
        }
    }
}

/// `BufferingHints` as sent: out-of-range values reach the engine's checks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BufferingHints {
    /// 1 to 128 MiB; 5 by default.
    pub size_in_mbs: Option<i64>,
    /// 0 to 900 seconds; 300 by default. 0 is "zero buffering".
    pub interval_in_seconds: Option<i64>,
}

/// One processor of a `ProcessingConfiguration`: its `Type` and parameters
/// (`LambdaArn`, `NumberOfRetries`, ...), kept as given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Processor {
    pub kind: String,
    pub parameters: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProcessingConfiguration {
    pub enabled: Option<bool>,
    pub processors: Vec<Processor>,
}

/// `S3DestinationConfiguration` or `ExtendedS3DestinationConfiguration`
/// (the members Decouple simulates; the extended one adds processing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct S3DestinationConfiguration {
    pub role_arn: String,
    pub bucket_arn: String,
    pub prefix: Option<String>,
    pub error_output_prefix: Option<String>,
    pub buffering_hints: Option<BufferingHints>,
    /// Only `UNCOMPRESSED` (the default) is simulated.
    pub compression_format: Option<String>,
    pub processing: Option<ProcessingConfiguration>,
    /// `DynamicPartitioningConfiguration.Enabled`: not simulated, refused when true.
    pub dynamic_partitioning: Option<bool>,
}

/// `AmazonopensearchserviceDestinationConfiguration`, or with `legacy` the
/// older `ElasticsearchDestinationConfiguration` (the course's "ElasticSearch").
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpenSearchDestinationConfiguration {
    pub legacy: bool,
    pub role_arn: String,
    /// One of `domain_arn` and `cluster_endpoint`.
    pub domain_arn: Option<String>,
    pub cluster_endpoint: Option<String>,
    pub index_name: String,
    /// `NoRotation`, `OneHour`, `OneDay` (the default), `OneWeek` or `OneMonth`.
    pub index_rotation_period: Option<String>,
    pub type_name: Option<String>,
    /// 1 to 100 MiB (5) and 0 to 900 s (300).
    pub buffering_hints: Option<BufferingHints>,
    /// `RetryOptions.DurationInSeconds`: 0 to 7,200 (300).
    pub retry_duration_in_seconds: Option<i64>,
    /// `FailedDocumentsOnly` (the default) or `AllDocuments`.
    pub s3_backup_mode: Option<String>,
    /// Where failed (or all) documents are backed up.
    pub s3: S3DestinationConfiguration,
    pub processing: Option<ProcessingConfiguration>,
}

/// `RedshiftDestinationConfiguration`: records go to the S3 configuration's
/// bucket first, then a COPY loads each object into the table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RedshiftDestinationConfiguration {
    pub role_arn: String,
    pub cluster_jdbc_url: String,
    pub data_table_name: String,
    pub data_table_columns: Option<String>,
    pub copy_options: Option<String>,
    pub username: Option<String>,
    /// `RetryOptions.DurationInSeconds`: 0 to 7,200 (3,600).
    pub retry_duration_in_seconds: Option<i64>,
    /// `Disabled` (the default) or `Enabled`.
    pub s3_backup_mode: Option<String>,
    /// The intermediate bucket; its buffering hints are the stream's.
    pub s3: S3DestinationConfiguration,
    pub processing: Option<ProcessingConfiguration>,
}

/// `SplunkDestinationConfiguration`: events to a Splunk HTTP Event Collector.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SplunkDestinationConfiguration {
    pub hec_endpoint: String,
    /// `Raw` or `Event`.
    pub hec_endpoint_type: String,
    pub hec_token: Option<String>,
    /// 180 to 600 (180).
    pub hec_acknowledgment_timeout_in_seconds: Option<i64>,
    /// 1 to 5 MiB (5) and 0 to 60 s (60).
    pub buffering_hints: Option<BufferingHints>,
    /// `RetryOptions.DurationInSeconds`: 0 to 7,200 (3,600).
    pub retry_duration_in_seconds: Option<i64>,
    /// `FailedEventsOnly` (the default) or `AllEvents`.
    pub s3_backup_mode: Option<String>,
    pub s3: S3DestinationConfiguration,
    pub processing: Option<ProcessingConfiguration>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KinesisStreamSourceConfiguration {
    pub kinesis_stream_arn: String,
    pub role_arn: String,
}

#[derive(Clone, Debug, Default)]
pub struct CreateDeliveryStreamRequest {
    pub delivery_stream_name: String,
    /// `DirectPut` (the default) or `KinesisStreamAsSource`.
    pub delivery_stream_type: Option<String>,
    pub kinesis_stream_source: Option<KinesisStreamSourceConfiguration>,
    pub s3_destination: Option<S3DestinationConfiguration>,
    pub extended_s3_destination: Option<S3DestinationConfiguration>,
    pub opensearch_destination: Option<OpenSearchDestinationConfiguration>,
    pub redshift_destination: Option<RedshiftDestinationConfiguration>,
    pub splunk_destination: Option<SplunkDestinationConfiguration>,
    pub tags: Vec<(String, String)>,
    /// Simulation config, not AWS API: what the simulated Lambda processor
    /// does to each record when the destination's processing configuration
    /// has an enabled Lambda processor. `None` means [`Transform::Identity`].
    pub transform: Option<Transform>,
}

#[derive(Clone, Debug, Default)]
pub struct DeleteDeliveryStreamRequest {
    pub delivery_stream_name: String,
    pub allow_force_delete: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KinesisStreamSourceDescription {
    pub kinesis_stream_arn: String,
    pub role_arn: String,
    /// When the delivery stream started reading (at LATEST).
    pub delivery_start_timestamp: SimTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3DestinationDescription {
    pub destination_id: String,
    /// Whether it was created as an `ExtendedS3DestinationConfiguration`.
    pub extended: bool,
    pub role_arn: String,
    pub bucket_arn: String,
    pub prefix: Option<String>,
    pub error_output_prefix: Option<String>,
    pub size_in_mbs: u32,
    pub interval_in_seconds: u32,
    pub compression_format: String,
    pub processing: Option<ProcessingConfiguration>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryStreamDescription {
    pub delivery_stream_name: String,
    pub delivery_stream_arn: String,
    pub status: DeliveryStreamStatus,
    pub delivery_stream_type: DeliveryStreamType,
    /// "1" at creation.
    pub version_id: String,
    pub created_at: SimTime,
    pub source: Option<KinesisStreamSourceDescription>,
    /// The S3 destination; for the other sinks, their S3 configuration (backup or intermediate bucket).
    pub destination: S3DestinationDescription,
    /// A Redshift, OpenSearch or Splunk destination's own settings.
    pub other_destination: Option<super::destinations::DestinationSettings>,
    pub has_more_destinations: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ListDeliveryStreamsRequest {
    /// 1 to 10,000; 10 by default.
    pub limit: Option<i64>,
    pub delivery_stream_type: Option<String>,
    pub exclusive_start_delivery_stream_name: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListDeliveryStreamsResponse {
    pub delivery_stream_names: Vec<String>,
    pub has_more_delivery_streams: bool,
}

#[derive(Clone, Debug, Default)]
pub struct PutRecordRequest {
    pub delivery_stream_name: String,
    pub data: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutRecordResponse {
    pub record_id: String,
    pub encrypted: bool,
}

#[derive(Clone, Debug, Default)]
pub struct PutRecordBatchRequest {
    pub delivery_stream_name: String,
    pub records: Vec<Vec<u8>>,
}

/// One entry of a PutRecordBatch answer, in request order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PutRecordBatchEntry {
    Ok { record_id: String },
    Failed { error_code: String, error_message: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PutRecordBatchResponse {
    pub failed_put_count: u32,
    pub encrypted: bool,
    pub request_responses: Vec<PutRecordBatchEntry>,
}

#[derive(Clone, Debug, Default)]
pub struct TagDeliveryStreamRequest {
    pub delivery_stream_name: String,
    pub tags: Vec<(String, String)>,
}

#[derive(Clone, Debug, Default)]
pub struct UntagDeliveryStreamRequest {
    pub delivery_stream_name: String,
    pub tag_keys: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ListTagsForDeliveryStreamRequest {
    pub delivery_stream_name: String,
    pub exclusive_start_tag_key: Option<String>,
    /// 1 to 50; 50 by default.
    pub limit: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListTagsForDeliveryStreamResponse {
    pub tags: Vec<(String, String)>,
    pub has_more_tags: bool,
}
