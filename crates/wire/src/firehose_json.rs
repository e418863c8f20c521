//! Amazon Data Firehose over AWS JSON 1.1 (`Firehose_20150804.*`), as the
//! current SDKs speak it: base64 `Data`, timestamps in epoch seconds, errors
//! as `{"__type": "<Name>", "message": ...}` without a namespace, as Kinesis
//! answers them.
//!
//! # The simulated Lambda processor
//! Decouple runs no Lambda code. When an S3 destination's
//! `ProcessingConfiguration` has an enabled `Lambda` processor, the function
//! name in its `LambdaArn` (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`)
//! chooses what the simulated function does to each record:
//! - `uppercase`: `Ok`, with ASCII letters upper-cased;
//! - `drop-if-contains-<text>`: `Dropped` when the data contains `<text>`, else `Ok`;
//! - `fail-if-contains-<text>`: `ProcessingFailed` when the data contains
//!   `<text>` (written under the error output prefix), else `Ok`;
//! - any other name (e.g. `identity`): `Ok`, unchanged.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use decouple_engine::firehose::*;
use decouple_engine::Engine;
use serde_json::{Map, Value};

use crate::json::{self, epoch_seconds, InputError, Members, Output};
use crate::service::{Protocol, Service};
use crate::HttpResponse;

const PROTOCOL: Protocol = Protocol::AwsJson1_1;

/// The Firehose actions the engine simulates.
pub const ACTIONS: &[&str] = &[
    "CreateDeliveryStream",
    "DeleteDeliveryStream",
    "DescribeDeliveryStream",
    "ListDeliveryStreams",
    "ListTagsForDeliveryStream",
    "PutRecord",
    "PutRecordBatch",
    "TagDeliveryStream",
    "UntagDeliveryStream",
];

/// Destinations AWS has that Decouple does not simulate.
const OTHER_DESTINATIONS: &[&str] = &[
    "HttpEndpointDestinationConfiguration",
    "AmazonOpenSearchServerlessDestinationConfiguration",
    "SnowflakeDestinationConfiguration",
    "IcebergDestinationConfiguration",
];

enum Fault {
    Input(InputError),
    Firehose(FirehoseError),
}

impl From<InputError> for Fault {
    fn from(e: InputError) -> Self {
        Fault::Input(e)
    }
}

impl From<FirehoseError> for Fault {
    fn from(e: FirehoseError) -> Self {
        Fault::Firehose(e)
    }
}

type Result<T> = core::result::Result<T, Fault>;

pub(crate) fn handle(engine: &mut Engine, operation: &str, body: &[u8], request_id: &str) -> HttpResponse {
    if !ACTIONS.contains(&operation) {
        return json::unknown_operation(Some(Service::Firehose), PROTOCOL, operation, request_id);
    }
    let map = match json::parse_body(body) {
        Ok(map) => map,
        Err(e) => return fault_response(Fault::Input(e), request_id),
    };
    let m = Members(&map);
    let f = &mut engine.firehose();
    let result = match operation {
        "CreateDeliveryStream" => create_delivery_stream(f, m),
        "DeleteDeliveryStream" => delete_delivery_stream(f, m),
        "DescribeDeliveryStream" => describe_delivery_stream(f, m),
        "ListDeliveryStreams" => list_delivery_streams(f, m),
        "ListTagsForDeliveryStream" => list_tags_for_delivery_stream(f, m),
        "PutRecord" => put_record(f, m),
        "PutRecordBatch" => put_record_batch(f, m),
        "TagDeliveryStream" => tag_delivery_stream(f, m),
        "UntagDeliveryStream" => untag_delivery_stream(f, m),
        _ => unreachable!("ACTIONS lists every action matched here"),
    };
    match result {
        Ok(body) => json::ok(PROTOCOL, &body, request_id),
        Err(fault) => fault_response(fault, request_id),
    }
}

fn fault_response(fault: Fault, request_id: &str) -> HttpResponse {
    match fault {
        Fault::Input(e) => json::plain_input_error(PROTOCOL, e, request_id),
        Fault::Firehose(e) => json::plain_error(PROTOCOL, e.code.http_status(), e.code.name(), &e.message, request_id),
    }
}

fn empty() -> Value {
    Value::Object(Map::new())
}

fn tags(m: Members<'_>) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for tag in m.structure_list("Tags")? {
        out.push((tag.required_string("Key")?, tag.string("Value")?.unwrap_or_default()));
    }
    Ok(out)
}

fn tag_list(tags: Vec<(String, String)>) -> Value {
    Value::Array(tags.into_iter().map(|(k, v)| Output::new().put("Key", k).put("Value", v).into_value()).collect())
}

/// The simulated Lambda's behaviour, from the function name in its ARN (see the module docs).
pub(crate) fn transform_for(lambda_arn: &str) -> Transform {
    let name = lambda_arn.split_once(":function:").map_or("", |(_, rest)| rest);
    let name = name.split(':').next().unwrap_or("");
    if name.eq_ignore_ascii_case("uppercase") {
        Transform::Uppercase
    } else if let Some(text) = name.strip_prefix("drop-if-contains-").filter(|t| !t.is_empty()) {
        Transform::DropIfContains(text.into())
    } else if let Some(text) = name.strip_prefix("fail-if-contains-").filter(|t| !t.is_empty()) {
        Transform::FailIfContains(text.into())
    } else {
        Transform::Identity
    }
}

fn processing(m: Members<'_>) -> Result<Option<ProcessingConfiguration>> {
    let Some(p) = m.structure("ProcessingConfiguration")? else { return Ok(None) };
    let mut processors = Vec::new();
    for processor in p.structure_list("Processors")? {
        let mut parameters = Vec::new();
        for param in processor.structure_list("Parameters")? {
            parameters.push((param.required_string("ParameterName")?, param.required_string("ParameterValue")?));
        }
        processors.push(Processor { kind: processor.required_string("Type")?, parameters });
    }
    Ok(Some(ProcessingConfiguration { enabled: p.boolean("Enabled")?, processors }))
}

fn s3_destination(m: Members<'_>) -> Result<S3DestinationConfiguration> {
    let buffering_hints = match m.structure("BufferingHints")? {
        None => None,
        Some(h) => Some(BufferingHints {
            size_in_mbs: h.integer("SizeInMBs")?,
            interval_in_seconds: h.integer("IntervalInSeconds")?,
        }),
    };
    if let Some(zone) = m.string("CustomTimeZone")?.filter(|z| !z.is_empty() && z != "UTC") {
        return Err(FirehoseError::new(
            FirehoseErrorCode::InvalidArgumentException,
            format!("CustomTimeZone {zone} is not simulated by Decouple; prefixes are evaluated in UTC."),
        )
        .into());
    }
    let dynamic_partitioning = match m.structure("DynamicPartitioningConfiguration")? {
        None => None,
        Some(d) => d.boolean("Enabled")?,
    };
    Ok(S3DestinationConfiguration {
        role_arn: m.required_string("RoleARN")?,
        bucket_arn: m.required_string("BucketARN")?,
        prefix: m.string("Prefix")?,
        error_output_prefix: m.string("ErrorOutputPrefix")?,
        buffering_hints,
        compression_format: m.string("CompressionFormat")?,
        processing: processing(m)?,
        dynamic_partitioning,
    })
}

fn buffering_hints(m: Members<'_>) -> Result<Option<BufferingHints>> {
    Ok(match m.structure("BufferingHints")? {
        None => None,
        Some(h) => Some(BufferingHints {
            size_in_mbs: h.integer("SizeInMBs")?,
            interval_in_seconds: h.integer("IntervalInSeconds")?,
        }),
    })
}

fn retry_duration(m: Members<'_>) -> Result<Option<i64>> {
    match m.structure("RetryOptions")? {
        None => Ok(None),
        Some(r) => Ok(r.integer("DurationInSeconds")?),
    }
}

fn s3_configuration(m: Members<'_>) -> Result<S3DestinationConfiguration> {
    s3_destination(m.structure("S3Configuration")?.ok_or(InputError::Missing("S3Configuration"))?)
}

fn opensearch_destination(m: Members<'_>, legacy: bool) -> Result<OpenSearchDestinationConfiguration> {
    Ok(OpenSearchDestinationConfiguration {
        legacy,
        role_arn: m.required_string("RoleARN")?,
        domain_arn: m.string("DomainARN")?,
        cluster_endpoint: m.string("ClusterEndpoint")?,
        index_name: m.required_string("IndexName")?,
        index_rotation_period: m.string("IndexRotationPeriod")?,
        type_name: m.string("TypeName")?,
        buffering_hints: buffering_hints(m)?,
        retry_duration_in_seconds: retry_duration(m)?,
        s3_backup_mode: m.string("S3BackupMode")?,
        s3: s3_configuration(m)?,
        processing: processing(m)?,
    })
}

fn redshift_destination(m: Members<'_>) -> Result<RedshiftDestinationConfiguration> {
    let copy = m.structure("CopyCommand")?.ok_or(InputError::Missing("CopyCommand"))?;
    Ok(RedshiftDestinationConfiguration {
        role_arn: m.required_string("RoleARN")?,
        cluster_jdbc_url: m.required_string("ClusterJDBCURL")?,
        data_table_name: copy.required_string("DataTableName")?,
        data_table_columns: copy.string("DataTableColumns")?,
        copy_options: copy.string("CopyOptions")?,
        username: m.string("Username")?,
        retry_duration_in_seconds: retry_duration(m)?,
        s3_backup_mode: m.string("S3BackupMode")?,
        s3: s3_configuration(m)?,
        processing: processing(m)?,
    })
}

fn splunk_destination(m: Members<'_>) -> Result<SplunkDestinationConfiguration> {
    Ok(SplunkDestinationConfiguration {
        hec_endpoint: m.required_string("HECEndpoint")?,
        hec_endpoint_type: m.required_string("HECEndpointType")?,
        hec_token: m.string("HECToken")?,
        hec_acknowledgment_timeout_in_seconds: m.integer("HECAcknowledgmentTimeoutInSeconds")?,
        buffering_hints: buffering_hints(m)?,
        retry_duration_in_seconds: retry_duration(m)?,
        s3_backup_mode: m.string("S3BackupMode")?,
        s3: s3_configuration(m)?,
        processing: processing(m)?,
    })
}

fn create_delivery_stream(f: &mut Firehose<'_>, m: Members<'_>) -> Result<Value> {
    let name = m.required_string("DeliveryStreamName")?;
    if let Some(other) = OTHER_DESTINATIONS.iter().find(|d| m.0.get(**d).is_some_and(|v| !v.is_null())) {
        return Err(FirehoseError::new(
            FirehoseErrorCode::InvalidArgumentException,
            format!("{other} is not simulated by Decouple; use ExtendedS3DestinationConfiguration."),
        )
        .into());
    }
    let kinesis_stream_source = match m.structure("KinesisStreamSourceConfiguration")? {
        None => None,
        Some(k) => Some(KinesisStreamSourceConfiguration {
            kinesis_stream_arn: k.required_string("KinesisStreamARN")?,
            role_arn: k.required_string("RoleARN")?,
        }),
    };
    let s3 = m.structure("S3DestinationConfiguration")?.map(s3_destination).transpose()?;
    let extended = m.structure("ExtendedS3DestinationConfiguration")?.map(s3_destination).transpose()?;
    let mut opensearch = m
        .structure("AmazonopensearchserviceDestinationConfiguration")?
        .map(|d| opensearch_destination(d, false))
        .transpose()?;
    if let Some(legacy) = m.structure("ElasticsearchDestinationConfiguration")? {
        if opensearch.is_some() {
            return Err(FirehoseError::new(
                FirehoseErrorCode::InvalidArgumentException,
                "Exactly one destination configuration is required.",
            )
            .into());
        }
        opensearch = Some(opensearch_destination(legacy, true)?);
    }
    let redshift = m.structure("RedshiftDestinationConfiguration")?.map(redshift_destination).transpose()?;
    let splunk = m.structure("SplunkDestinationConfiguration")?.map(splunk_destination).transpose()?;
    let lambda_arn = extended
        .iter()
        .chain(&s3)
        .filter_map(|d| d.processing.as_ref())
        .chain(opensearch.iter().filter_map(|d| d.processing.as_ref()))
        .chain(redshift.iter().filter_map(|d| d.processing.as_ref()))
        .chain(splunk.iter().filter_map(|d| d.processing.as_ref()))
        .flat_map(|p| &p.processors)
        .filter(|p| p.kind == "Lambda")
        .flat_map(|p| &p.parameters)
        .find(|(k, _)| k == "LambdaArn")
        .map(|(_, v)| v.clone());
    let arn = f.create_delivery_stream(CreateDeliveryStreamRequest {
        delivery_stream_name: name,
        delivery_stream_type: m.string("DeliveryStreamType")?,
        kinesis_stream_source,
        s3_destination: s3,
        extended_s3_destination: extended,
        opensearch_destination: opensearch,
        redshift_destination: redshift,
        splunk_destination: splunk,
        tags: tags(m)?,
        transform: lambda_arn.as_deref().map(transform_for),
    })?;
    Ok(Output::new().put("DeliveryStreamARN", arn).into_value())
}

fn delete_delivery_stream(f: &mut Firehose<'_>, m: Members<'_>) -> Result<Value> {
    f.delete_delivery_stream(DeleteDeliveryStreamRequest {
        delivery_stream_name: m.required_string("DeliveryStreamName")?,
        allow_force_delete: m.boolean("AllowForceDelete")?.unwrap_or(false),
    })?;
    Ok(empty())
}

fn processing_value(p: &ProcessingConfiguration) -> Value {
    let processors = p
        .processors
        .iter()
        .map(|processor| {
            let params = processor
                .parameters
                .iter()
                .map(|(k, v)| {
                    Output::new().put("ParameterName", k.as_str()).put("ParameterValue", v.as_str()).into_value()
                })
                .collect();
            Output::new().put("Type", processor.kind.as_str()).put("Parameters", Value::Array(params)).into_value()
        })
        .collect();
    Output::new()
        .put("Enabled", p.enabled.unwrap_or(!p.processors.is_empty()))
        .put("Processors", Value::Array(processors))
        .into_value()
}

fn s3_description(d: &S3DestinationDescription, extended: bool) -> Value {
    let hints = Output::new().put("SizeInMBs", d.size_in_mbs).put("IntervalInSeconds", d.interval_in_seconds);
    let out = Output::new()
        .put("RoleARN", d.role_arn.as_str())
        .put("BucketARN", d.bucket_arn.as_str())
        .opt("Prefix", d.prefix.as_deref())
        .opt("ErrorOutputPrefix", d.error_output_prefix.as_deref())
        .put("BufferingHints", hints.into_value())
        .put("CompressionFormat", d.compression_format.as_str())
        .put("EncryptionConfiguration", Output::new().put("NoEncryptionConfig", "NoEncryption").into_value())
        .put("CloudWatchLoggingOptions", Output::new().put("Enabled", false).into_value());
    if extended {
        out.opt("ProcessingConfiguration", d.processing.as_ref().map(processing_value))
            .put("S3BackupMode", "Disabled")
            .into_value()
    } else {
        out.into_value()
    }
}

/// An OpenSearch, Redshift or Splunk destination's description, its S3
/// configuration nested as `S3DestinationDescription`.
fn other_description(o: &DestinationSettings, s3: Value) -> (&'static str, Value) {
    let retry = Output::new().put("DurationInSeconds", o.retry_duration_in_seconds).into_value();
    let hints =
        Output::new().put("IntervalInSeconds", o.interval_in_seconds).put("SizeInMBs", o.size_in_mbs).into_value();
    let logging = Output::new().put("Enabled", false).into_value();
    let out = Output::new().opt("RoleARN", o.role_arn.as_deref());
    let (member, out) = match &o.kind {
        DestinationKind::OpenSearch { legacy, domain_arn, cluster_endpoint, index_name, rotation, type_name } => (
            if *legacy {
                "ElasticsearchDestinationDescription"
            } else {
                "AmazonopensearchserviceDestinationDescription"
            },
            out.opt("DomainARN", domain_arn.as_deref())
                .opt("ClusterEndpoint", cluster_endpoint.as_deref())
                .put("IndexName", index_name.as_str())
                .opt("TypeName", type_name.as_deref())
                .put("IndexRotationPeriod", rotation.as_str())
                .put("BufferingHints", hints)
                .put("RetryOptions", retry),
        ),
        DestinationKind::Redshift { cluster_jdbc_url, data_table_name, data_table_columns, copy_options, username } => {
            let copy = Output::new()
                .put("DataTableName", data_table_name.as_str())
                .opt("DataTableColumns", data_table_columns.as_deref())
                .opt("CopyOptions", copy_options.as_deref())
                .into_value();
            (
                "RedshiftDestinationDescription",
                out.put("ClusterJDBCURL", cluster_jdbc_url.as_str())
                    .put("CopyCommand", copy)
                    .opt("Username", username.as_deref())
                    .put("RetryOptions", retry),
            )
        }
        DestinationKind::Splunk { hec_endpoint, hec_endpoint_type, hec_acknowledgment_timeout_in_seconds } => (
            "SplunkDestinationDescription",
            out.put("HECEndpoint", hec_endpoint.as_str())
                .put("HECEndpointType", hec_endpoint_type.as_str())
                .put("HECAcknowledgmentTimeoutInSeconds", *hec_acknowledgment_timeout_in_seconds)
                .put("BufferingHints", hints)
                .put("RetryOptions", retry),
        ),
    };
    let value = out
        .put("S3BackupMode", o.s3_backup_mode.as_str())
        .put("S3DestinationDescription", s3)
        .opt("ProcessingConfiguration", o.processing.as_ref().map(processing_value))
        .put("CloudWatchLoggingOptions", logging)
        .into_value();
    (member, value)
}

fn describe_delivery_stream(f: &mut Firehose<'_>, m: Members<'_>) -> Result<Value> {
    let d = f.describe_delivery_stream(&m.required_string("DeliveryStreamName")?)?;
    let mut destination = Output::new().put("DestinationId", d.destination.destination_id.as_str());
    match &d.other_destination {
        None => {
            destination = destination.put("S3DestinationDescription", s3_description(&d.destination, false));
            if d.destination.extended {
                destination = destination.put("ExtendedS3DestinationDescription", s3_description(&d.destination, true));
            }
        }
        Some(other) => {
            let (member, value) = other_description(other, s3_description(&d.destination, false));
            destination = destination.put(member, value);
        }
    }
    let source = d.source.map(|s| {
        let kinesis = Output::new()
            .put("KinesisStreamARN", s.kinesis_stream_arn)
            .put("RoleARN", s.role_arn)
            .put("DeliveryStartTimestamp", epoch_seconds(s.delivery_start_timestamp))
            .into_value();
        Output::new().put("KinesisStreamSourceDescription", kinesis).into_value()
    });
    let description = Output::new()
        .put("DeliveryStreamName", d.delivery_stream_name)
        .put("DeliveryStreamARN", d.delivery_stream_arn)
        .put("DeliveryStreamStatus", d.status.as_str())
        .put("DeliveryStreamEncryptionConfiguration", Output::new().put("Status", "DISABLED").into_value())
        .put("DeliveryStreamType", d.delivery_stream_type.as_str())
        .put("VersionId", d.version_id)
        .put("CreateTimestamp", epoch_seconds(d.created_at))
        .opt("Source", source)
        .put("Destinations", Value::Array(alloc::vec![destination.into_value()]))
        .put("HasMoreDestinations", d.has_more_destinations)
        .into_value();
    Ok(Output::new().put("DeliveryStreamDescription", description).into_value())
}

fn list_delivery_streams(f: &mut Firehose<'_>, m: Members<'_>) -> Result<Value> {
    let r = f.list_delivery_streams(ListDeliveryStreamsRequest {
        limit: m.integer("Limit")?,
        delivery_stream_type: m.string("DeliveryStreamType")?,
        exclusive_start_delivery_stream_name: m.string("ExclusiveStartDeliveryStreamName")?,
    })?;
    Ok(Output::new()
        .put("DeliveryStreamNames", Value::Array(r.delivery_stream_names.into_iter().map(Value::String).collect()))
        .put("HasMoreDeliveryStreams", r.has_more_delivery_streams)
        .into_value())
}

fn put_record(f: &mut Firehose<'_>, m: Members<'_>) -> Result<Value> {
    let name = m.required_string("DeliveryStreamName")?;
    let record = m.structure("Record")?.ok_or(InputError::Missing("Record"))?;
    let data = record.blob("Data")?.ok_or(InputError::Missing("Record.Data"))?;
    let r = f.put_record(PutRecordRequest { delivery_stream_name: name, data })?;
    Ok(Output::new().put("RecordId", r.record_id).put("Encrypted", r.encrypted).into_value())
}

fn put_record_batch(f: &mut Firehose<'_>, m: Members<'_>) -> Result<Value> {
    let name = m.required_string("DeliveryStreamName")?;
    if m.0.get("Records").is_none_or(Value::is_null) {
        return Err(InputError::Missing("Records").into());
    }
    let mut records = Vec::new();
    for entry in m.structure_list("Records")? {
        records.push(entry.blob("Data")?.ok_or(InputError::Missing("Records.member.Data"))?);
    }
    let r = f.put_record_batch(PutRecordBatchRequest { delivery_stream_name: name, records })?;
    let entries = r
        .request_responses
        .into_iter()
        .map(|e| match e {
            PutRecordBatchEntry::Ok { record_id } => Output::new().put("RecordId", record_id).into_value(),
            PutRecordBatchEntry::Failed { error_code, error_message } => {
                Output::new().put("ErrorCode", error_code).put("ErrorMessage", error_message).into_value()
            }
        })
        .collect();
    Ok(Output::new()
        .put("FailedPutCount", r.failed_put_count)
        .put("Encrypted", r.encrypted)
        .put("RequestResponses", Value::Array(entries))
        .into_value())
}

fn tag_delivery_stream(f: &mut Firehose<'_>, m: Members<'_>) -> Result<Value> {
    let name = m.required_string("DeliveryStreamName")?;
    if m.0.get("Tags").is_none_or(Value::is_null) {
        return Err(InputError::Missing("Tags").into());
    }
    f.tag_delivery_stream(TagDeliveryStreamRequest { delivery_stream_name: name, tags: tags(m)? })?;
    Ok(empty())
}

fn untag_delivery_stream(f: &mut Firehose<'_>, m: Members<'_>) -> Result<Value> {
    let name = m.required_string("DeliveryStreamName")?;
    if m.0.get("TagKeys").is_none_or(Value::is_null) {
        return Err(InputError::Missing("TagKeys").into());
    }
    f.untag_delivery_stream(UntagDeliveryStreamRequest {
        delivery_stream_name: name,
        tag_keys: m.string_list("TagKeys")?,
    })?;
    Ok(empty())
}

fn list_tags_for_delivery_stream(f: &mut Firehose<'_>, m: Members<'_>) -> Result<Value> {
    let r = f.list_tags_for_delivery_stream(ListTagsForDeliveryStreamRequest {
        delivery_stream_name: m.required_string("DeliveryStreamName")?,
        exclusive_start_tag_key: m.string("ExclusiveStartTagKey")?,
        limit: m.integer("Limit")?,
    })?;
    Ok(Output::new().put("Tags", tag_list(r.tags)).put("HasMoreTags", r.has_more_tags).into_value())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_function_names_choose_the_transform() {
        let arn = |name: &str| format!("arn:aws:lambda:us-east-1:000000000000:function:{name}");
        assert_eq!(transform_for(&arn("uppercase")), Transform::Uppercase);
        assert_eq!(transform_for(&arn("uppercase:$LATEST")), Transform::Uppercase);
        assert_eq!(transform_for(&arn("drop-if-contains-debug")), Transform::DropIfContains("debug".into()));
        assert_eq!(transform_for(&arn("fail-if-contains-bad")), Transform::FailIfContains("bad".into()));
        assert_eq!(transform_for(&arn("my-function")), Transform::Identity);
        assert_eq!(transform_for("not an arn"), Transform::Identity);
    }
}
