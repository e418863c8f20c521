//! Amazon Kinesis Data Streams over AWS JSON 1.1 (`Kinesis_20131202.*`), as
//! the current SDKs speak it: base64 `Data`, timestamps in epoch seconds,
//! errors as `{"__type": "<Name>", "message": ...}` with status 400.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use decouple_engine::kinesis::fanout::{
    StartingPosition, SubscribeToShardEvent, SubscribeToShardRequest, SubscriptionEnd, SubscriptionId,
};
use decouple_engine::kinesis::*;
use decouple_engine::Engine;
use serde_json::{Map, Value};

use crate::json::{self, encode_blob, epoch_seconds, InputError, Members, Output};
use crate::service::{Protocol, Service};
use crate::HttpResponse;

const PROTOCOL: Protocol = Protocol::AwsJson1_1;

/// The Kinesis actions the engine simulates.
pub const ACTIONS: &[&str] = &[
    "AddTagsToStream",
    "CreateStream",
    "DecreaseStreamRetentionPeriod",
    "DeleteStream",
    "DeregisterStreamConsumer",
    "DescribeLimits",
    "DescribeStream",
    "DescribeStreamConsumer",
    "DescribeStreamSummary",
    "GetRecords",
    "GetShardIterator",
    "IncreaseStreamRetentionPeriod",
    "ListShards",
    "ListStreamConsumers",
    "ListStreams",
    "ListTagsForStream",
    "MergeShards",
    "PutRecord",
    "PutRecords",
    "RegisterStreamConsumer",
    "RemoveTagsFromStream",
    "SplitShard",
    "SubscribeToShard",
    "UpdateShardCount",
    "UpdateStreamMode",
];

enum Fault {
    Input(InputError),
    Kinesis(KinesisError),
}

impl From<InputError> for Fault {
    fn from(e: InputError) -> Self {
        Fault::Input(e)
    }
}

impl From<KinesisError> for Fault {
    fn from(e: KinesisError) -> Self {
        Fault::Kinesis(e)
    }
}

type Result<T> = core::result::Result<T, Fault>;

pub(crate) fn handle(engine: &mut Engine, operation: &str, body: &[u8], request_id: &str) -> HttpResponse {
    if !ACTIONS.contains(&operation) {
        return json::unknown_operation(Some(Service::Kinesis), PROTOCOL, operation, request_id);
    }
    let map = match json::parse_body(body) {
        Ok(map) => map,
        Err(e) => return fault_response(Fault::Input(e), request_id),
    };
    let m = Members(&map);
    let k = &mut engine.kinesis();
    let result = match operation {
        "AddTagsToStream" => add_tags_to_stream(k, m),
        "CreateStream" => create_stream(k, m),
        "DecreaseStreamRetentionPeriod" => retention(k, m, false),
        "DeleteStream" => delete_stream(k, m),
        "DeregisterStreamConsumer" => deregister_stream_consumer(k, m),
        "DescribeLimits" => Ok(describe_limits(k)),
        "DescribeStream" => describe_stream(k, m),
        "DescribeStreamConsumer" => describe_stream_consumer(k, m),
        "DescribeStreamSummary" => describe_stream_summary(k, m),
        "GetRecords" => get_records(k, m),
        "GetShardIterator" => get_shard_iterator(k, m),
        "IncreaseStreamRetentionPeriod" => retention(k, m, true),
        "ListShards" => list_shards(k, m),
        "ListStreamConsumers" => list_stream_consumers(k, m),
        "ListStreams" => list_streams(k, m),
        "ListTagsForStream" => list_tags_for_stream(k, m),
        "MergeShards" => merge_shards(k, m),
        "PutRecord" => put_record(k, m),
        "PutRecords" => put_records(k, m),
        "RegisterStreamConsumer" => register_stream_consumer(k, m),
        "RemoveTagsFromStream" => remove_tags_from_stream(k, m),
        "SplitShard" => split_shard(k, m),
        // The gateway answers SubscribeToShard itself (it streams); see `subscribe`.
        "SubscribeToShard" => Err(InputError::Missing("ConsumerARN").into()),
        "UpdateShardCount" => update_shard_count(k, m),
        "UpdateStreamMode" => update_stream_mode(k, m),
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
        Fault::Kinesis(e) => json::plain_error(PROTOCOL, e.code.http_status(), e.code.name(), &e.message, request_id),
    }
}

fn empty() -> Value {
    Value::Object(Map::new())
}

fn stream_ref(m: Members<'_>) -> Result<StreamRef> {
    Ok(StreamRef { name: m.string("StreamName")?, arn: m.string("StreamARN")? })
}

fn mode_details(mode: StreamMode) -> Value {
    Output::new().put("StreamMode", mode.as_str()).into_value()
}

fn no_enhanced_monitoring() -> Value {
    Value::Array(alloc::vec![Output::new().put("ShardLevelMetrics", Value::Array(Vec::new())).into_value()])
}

fn hash_range(r: &HashKeyRange) -> Value {
    Output::new()
        .put("StartingHashKey", format!("{}", r.starting))
        .put("EndingHashKey", format!("{}", r.ending))
        .into_value()
}

fn shard(s: ShardDescription) -> Value {
    let sequence = Output::new()
        .put("StartingSequenceNumber", s.starting_sequence_number)
        .opt("EndingSequenceNumber", s.ending_sequence_number)
        .into_value();
    Output::new()
        .put("ShardId", s.shard_id)
        .opt("ParentShardId", s.parent_shard_id)
        .opt("AdjacentParentShardId", s.adjacent_parent_shard_id)
        .put("HashKeyRange", hash_range(&s.hash_key_range))
        .put("SequenceNumberRange", sequence)
        .into_value()
}

fn tags(m: Members<'_>) -> Result<Vec<(String, String)>> {
    Ok(m.string_map("Tags")?.into_iter().collect())
}

/// `StreamModeDetails.StreamMode`, checked against its enum.
fn stream_mode(m: Members<'_>) -> Result<Option<StreamMode>> {
    let Some(details) = m.structure("StreamModeDetails")? else { return Ok(None) };
    match details.required_string("StreamMode")?.as_str() {
        "PROVISIONED" => Ok(Some(StreamMode::Provisioned)),
        "ON_DEMAND" => Ok(Some(StreamMode::OnDemand)),
        other => Err(KinesisError::constraint(
            other,
            "streamModeDetails.streamMode",
            "Member must satisfy enum value set: [PROVISIONED, ON_DEMAND]",
        )
        .into()),
    }
}

fn describe_limits(k: &mut Kinesis<'_>) -> Value {
    let l = k.describe_limits();
    Output::new()
        .put("ShardLimit", l.shard_limit)
        .put("OpenShardCount", l.open_shard_count)
        .put("OnDemandStreamCount", l.on_demand_stream_count)
        .put("OnDemandStreamCountLimit", l.on_demand_stream_count_limit)
        .into_value()
}

fn update_stream_mode(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let arn = m.required_string("StreamARN")?;
    let mode = stream_mode(m)?.ok_or(InputError::Missing("StreamModeDetails"))?;
    k.update_stream_mode(&arn, mode)?;
    Ok(empty())
}

fn create_stream(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let mode = stream_mode(m)?;
    k.create_stream(CreateStreamRequest {
        stream_name: m.required_string("StreamName")?,
        shard_count: m.integer("ShardCount")?,
        mode,
        tags: tags(m)?,
        max_record_size_kib: m.integer("MaxRecordSizeInKiB")?,
    })?;
    Ok(empty())
}

fn delete_stream(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    k.delete_stream(DeleteStreamRequest {
        stream: stream_ref(m)?,
        enforce_consumer_deletion: m.boolean("EnforceConsumerDeletion")?.unwrap_or(false),
    })?;
    Ok(empty())
}

fn describe_stream(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let d = k.describe_stream(DescribeStreamRequest {
        stream: stream_ref(m)?,
        limit: m.integer("Limit")?,
        exclusive_start_shard_id: m.string("ExclusiveStartShardId")?,
    })?;
    let description = Output::new()
        .put("StreamName", d.stream_name)
        .put("StreamARN", d.stream_arn)
        .put("StreamStatus", d.status.as_str())
        .put("StreamModeDetails", mode_details(d.mode))
        .put("Shards", Value::Array(d.shards.into_iter().map(shard).collect()))
        .put("HasMoreShards", d.has_more_shards)
        .put("RetentionPeriodHours", d.retention_period_hours)
        .put("StreamCreationTimestamp", epoch_seconds(d.created_at))
        .put("EnhancedMonitoring", no_enhanced_monitoring())
        .put("EncryptionType", "NONE")
        .into_value();
    Ok(Output::new().put("StreamDescription", description).into_value())
}

fn summary(s: StreamSummary) -> Value {
    Output::new()
        .put("StreamName", s.stream_name)
        .put("StreamARN", s.stream_arn)
        .put("StreamStatus", s.status.as_str())
        .put("StreamModeDetails", mode_details(s.mode))
        .put("RetentionPeriodHours", s.retention_period_hours)
        .put("StreamCreationTimestamp", epoch_seconds(s.created_at))
        .put("EnhancedMonitoring", no_enhanced_monitoring())
        .put("EncryptionType", "NONE")
        .put("OpenShardCount", s.open_shard_count)
        .put("ConsumerCount", s.consumer_count)
        .put("MaxRecordSizeInKiB", s.max_record_size_kib)
        .into_value()
}

fn describe_stream_summary(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let s = k.describe_stream_summary(stream_ref(m)?)?;
    Ok(Output::new().put("StreamDescriptionSummary", summary(s)).into_value())
}

fn list_streams(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let r = k.list_streams(ListStreamsRequest {
        limit: m.integer("Limit")?,
        exclusive_start_stream_name: m.string("ExclusiveStartStreamName")?,
        next_token: m.string("NextToken")?,
    })?;
    let summaries = r
        .summaries
        .into_iter()
        .map(|s| {
            Output::new()
                .put("StreamName", s.stream_name)
                .put("StreamARN", s.stream_arn)
                .put("StreamStatus", s.status.as_str())
                .put("StreamModeDetails", mode_details(s.mode))
                .put("StreamCreationTimestamp", epoch_seconds(s.created_at))
                .into_value()
        })
        .collect();
    Ok(Output::new()
        .put("StreamNames", Value::Array(r.stream_names.into_iter().map(Value::String).collect()))
        .put("HasMoreStreams", r.has_more_streams)
        .opt("NextToken", r.next_token)
        .put("StreamSummaries", Value::Array(summaries))
        .into_value())
}

fn list_shards(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let filter = match m.structure("ShardFilter")? {
        None => None,
        Some(f) => Some(ShardFilter {
            kind: f.required_string("Type")?,
            shard_id: f.string("ShardId")?,
            timestamp: f.epoch_seconds("Timestamp")?,
        }),
    };
    let r = k.list_shards(ListShardsRequest {
        stream: stream_ref(m)?,
        next_token: m.string("NextToken")?,
        exclusive_start_shard_id: m.string("ExclusiveStartShardId")?,
        max_results: m.integer("MaxResults")?,
        filter,
    })?;
    Ok(Output::new()
        .put("Shards", Value::Array(r.shards.into_iter().map(shard).collect()))
        .opt("NextToken", r.next_token)
        .into_value())
}

fn put_record(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let r = k.put_record(PutRecordRequest {
        stream: stream_ref(m)?,
        partition_key: m.required_string("PartitionKey")?,
        data: m.blob("Data")?.ok_or(InputError::Missing("Data"))?,
        explicit_hash_key: m.string("ExplicitHashKey")?,
        sequence_number_for_ordering: m.string("SequenceNumberForOrdering")?,
    })?;
    Ok(Output::new().put("ShardId", r.shard_id.as_str()).put("SequenceNumber", r.sequence_number.as_str()).into_value())
}

fn put_records(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let mut records = Vec::new();
    for entry in m.structure_list("Records")? {
        records.push(PutRecordsEntry {
            partition_key: entry.required_string("PartitionKey")?,
            data: entry.blob("Data")?.ok_or(InputError::Missing("Data"))?,
            explicit_hash_key: entry.string("ExplicitHashKey")?,
        });
    }
    if m.structure_list("Records").is_ok_and(|r| r.is_empty()) && !m.0.contains_key("Records") {
        return Err(InputError::Missing("Records").into());
    }
    let r = k.put_records(PutRecordsRequest { stream: stream_ref(m)?, records })?;
    let entries = r
        .records
        .into_iter()
        .map(|e| match e {
            PutRecordsResult::Ok { shard_id, sequence_number } => Output::new()
                .put("SequenceNumber", sequence_number.as_str())
                .put("ShardId", shard_id.as_str())
                .into_value(),
            PutRecordsResult::Failed { error_code, error_message } => {
                Output::new().put("ErrorCode", error_code).put("ErrorMessage", error_message).into_value()
            }
        })
        .collect();
    Ok(Output::new().put("FailedRecordCount", r.failed_record_count).put("Records", Value::Array(entries)).into_value())
}

fn get_shard_iterator(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let iterator = k.get_shard_iterator(GetShardIteratorRequest {
        stream: stream_ref(m)?,
        shard_id: m.required_string("ShardId")?,
        shard_iterator_type: m.required_string("ShardIteratorType")?,
        starting_sequence_number: m.string("StartingSequenceNumber")?,
        timestamp: m.epoch_seconds("Timestamp")?,
    })?;
    Ok(Output::new().put("ShardIterator", iterator).into_value())
}

fn get_records(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let r = k.get_records(GetRecordsRequest {
        shard_iterator: m.required_string("ShardIterator")?,
        limit: m.integer("Limit")?,
        stream_arn: m.string("StreamARN")?,
    })?;
    let records = r.records.iter().map(record).collect();
    let children = r.child_shards.as_deref().map(child_shards);
    // AWS always sends `Records`, even empty, and `NextShardIterator` only while the shard has more.
    Ok(Output::new()
        .put("Records", Value::Array(records))
        .opt("NextShardIterator", r.next_shard_iterator)
        .put("MillisBehindLatest", r.millis_behind_latest)
        .opt("ChildShards", children)
        .into_value())
}

/// A record as GetRecords and SubscribeToShardEvent carry it.
fn record(rec: &RecordView) -> Value {
    Output::new()
        .put("SequenceNumber", rec.sequence_number.as_str())
        .put("ApproximateArrivalTimestamp", epoch_seconds(rec.approximate_arrival))
        .put("Data", encode_blob(&rec.data))
        .put("PartitionKey", rec.partition_key.as_str())
        .into_value()
}

fn child_shards(children: &[ChildShard]) -> Value {
    Value::Array(
        children
            .iter()
            .map(|c| {
                Output::new()
                    .put("ShardId", c.shard_id.as_str())
                    .put("ParentShards", Value::Array(c.parent_shards.iter().cloned().map(Value::String).collect()))
                    .put("HashKeyRange", hash_range(&c.hash_key_range))
                    .into_value()
            })
            .collect(),
    )
}

fn split_shard(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    k.split_shard(SplitShardRequest {
        stream: stream_ref(m)?,
        shard_to_split: m.required_string("ShardToSplit")?,
        new_starting_hash_key: m.required_string("NewStartingHashKey")?,
    })?;
    Ok(empty())
}

fn merge_shards(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    k.merge_shards(MergeShardsRequest {
        stream: stream_ref(m)?,
        shard_to_merge: m.required_string("ShardToMerge")?,
        adjacent_shard_to_merge: m.required_string("AdjacentShardToMerge")?,
    })?;
    Ok(empty())
}

fn update_shard_count(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let r = k.update_shard_count(UpdateShardCountRequest {
        stream: stream_ref(m)?,
        target_shard_count: m.integer("TargetShardCount")?.ok_or(InputError::Missing("TargetShardCount"))?,
        scaling_type: m.required_string("ScalingType")?,
    })?;
    Ok(Output::new()
        .put("StreamName", r.stream_name)
        .put("CurrentShardCount", r.current_shard_count)
        .put("TargetShardCount", r.target_shard_count)
        .put("StreamARN", r.stream_arn)
        .into_value())
}

fn retention(k: &mut Kinesis<'_>, m: Members<'_>, increase: bool) -> Result<Value> {
    let req = RetentionPeriodRequest {
        stream: stream_ref(m)?,
        retention_period_hours: m
            .integer("RetentionPeriodHours")?
            .ok_or(InputError::Missing("RetentionPeriodHours"))?,
    };
    if increase {
        k.increase_stream_retention_period(req)?;
    } else {
        k.decrease_stream_retention_period(req)?;
    }
    Ok(empty())
}

fn add_tags_to_stream(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    if !m.0.contains_key("Tags") {
        return Err(InputError::Missing("Tags").into());
    }
    k.add_tags_to_stream(AddTagsToStreamRequest { stream: stream_ref(m)?, tags: tags(m)? })?;
    Ok(empty())
}

fn remove_tags_from_stream(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    k.remove_tags_from_stream(RemoveTagsFromStreamRequest {
        stream: stream_ref(m)?,
        tag_keys: m.string_list("TagKeys")?,
    })?;
    Ok(empty())
}

fn list_tags_for_stream(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let r = k.list_tags_for_stream(ListTagsForStreamRequest {
        stream: stream_ref(m)?,
        exclusive_start_tag_key: m.string("ExclusiveStartTagKey")?,
        limit: m.integer("Limit")?,
    })?;
    let tags = r.tags.into_iter().map(|(key, value)| Output::new().put("Key", key).put("Value", value).into_value());
    Ok(Output::new().put("Tags", Value::Array(tags.collect())).put("HasMoreTags", r.has_more_tags).into_value())
}

fn consumer(c: ConsumerDescription, with_stream: bool) -> Value {
    let out = Output::new()
        .put("ConsumerName", c.consumer_name)
        .put("ConsumerARN", c.consumer_arn)
        .put("ConsumerStatus", c.status.as_str())
        .put("ConsumerCreationTimestamp", epoch_seconds(c.created_at));
    if with_stream {
        out.put("StreamARN", c.stream_arn).into_value()
    } else {
        out.into_value()
    }
}

fn consumer_ref(m: Members<'_>) -> Result<ConsumerRef> {
    Ok(ConsumerRef {
        stream_arn: m.string("StreamARN")?,
        consumer_name: m.string("ConsumerName")?,
        consumer_arn: m.string("ConsumerARN")?,
    })
}

fn register_stream_consumer(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let c = k.register_stream_consumer(&m.required_string("StreamARN")?, &m.required_string("ConsumerName")?)?;
    Ok(Output::new().put("Consumer", consumer(c, false)).into_value())
}

fn describe_stream_consumer(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let c = k.describe_stream_consumer(consumer_ref(m)?)?;
    Ok(Output::new().put("ConsumerDescription", consumer(c, true)).into_value())
}

fn deregister_stream_consumer(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    k.deregister_stream_consumer(consumer_ref(m)?)?;
    Ok(empty())
}

fn list_stream_consumers(k: &mut Kinesis<'_>, m: Members<'_>) -> Result<Value> {
    let r = k.list_stream_consumers(ListStreamConsumersRequest {
        stream_arn: m.required_string("StreamARN")?,
        max_results: m.integer("MaxResults")?,
        next_token: m.string("NextToken")?,
    })?;
    Ok(Output::new()
        .put("Consumers", Value::Array(r.consumers.into_iter().map(|c| consumer(c, false)).collect()))
        .opt("NextToken", r.next_token)
        .into_value())
}

// ---------------------------------------------------------------- SubscribeToShard

/// The content type of an event stream answer.
pub(crate) const EVENT_STREAM: &str = "application/vnd.amazon.eventstream";

/// Starts an enhanced fan-out subscription. On success the answer's body
/// holds the `initial-response` event and whatever was pushed at once; the
/// gateway hands out later events as the clock moves.
pub(crate) fn subscribe(
    engine: &mut Engine,
    body: &[u8],
    request_id: &str,
) -> core::result::Result<(SubscriptionId, HttpResponse), HttpResponse> {
    let started = (|| -> Result<SubscriptionId> {
        let map = json::parse_body(body)?;
        let m = Members(&map);
        let position = m.structure("StartingPosition")?.ok_or(InputError::Missing("StartingPosition"))?;
        let req = SubscribeToShardRequest {
            consumer_arn: m.required_string("ConsumerARN")?,
            shard_id: m.required_string("ShardId")?,
            starting_position: StartingPosition {
                kind: position.required_string("Type")?,
                sequence_number: position.string("SequenceNumber")?,
                timestamp: position.epoch_seconds("Timestamp")?,
            },
        };
        Ok(engine.kinesis().subscribe_to_shard(req)?)
    })();
    let id = started.map_err(|fault| fault_response(fault, request_id))?;
    // Pushes due now (the records already there) go out with the answer.
    engine.advance_by(decouple_engine::SimDuration::ZERO);
    let mut body = crate::eventstream::json_event("initial-response", b"{}");
    if let Some((events, end)) = engine.kinesis().take_subscription_events(id) {
        body.extend(encode_events(&events, end));
    }
    let response = HttpResponse {
        status: 200,
        headers: alloc::vec![
            ("x-amzn-RequestId".into(), request_id.into()),
            ("Content-Type".into(), EVENT_STREAM.into()),
        ],
        body,
    };
    Ok((id, response))
}

/// Event stream frames for pushed events. A subscription that ended is
/// simply the end of the stream, as AWS closes the connection.
pub(crate) fn encode_events(events: &[SubscribeToShardEvent], _end: Option<SubscriptionEnd>) -> Vec<u8> {
    let mut out = Vec::new();
    for event in events {
        let records = event.records.iter().map(record).collect();
        let children = event.child_shards.as_deref().map(child_shards);
        let payload = Output::new()
            .put("Records", Value::Array(records))
            .put("ContinuationSequenceNumber", event.continuation_sequence_number.clone())
            .put("MillisBehindLatest", event.millis_behind_latest)
            .opt("ChildShards", children)
            .into_value();
        let bytes = serde_json::to_vec(&payload).unwrap_or_default();
        out.extend(crate::eventstream::json_event("SubscribeToShardEvent", &bytes));
    }
    out
}
