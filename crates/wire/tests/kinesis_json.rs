//! Kinesis Data Streams over AWS JSON 1.1 through the gateway, with request
//! bodies as `@aws-sdk/client-kinesis` sends them.

mod common;

use common::*;
use decouple_engine::kinesis::STREAM_CREATE_DELAY;
use serde_json::json;

fn active_stream(h: &mut Harness, name: &str, shards: u32) {
    let (status, body) = h.kinesis("CreateStream", &format!(r#"{{"StreamName":"{name}","ShardCount":{shards}}}"#));
    assert_eq!((status, body), (200, json!({})));
    h.engine.advance_by(STREAM_CREATE_DELAY);
}

#[test]
fn describe_stream_answers_in_aws_shape() {
    let mut h = Harness::new();
    active_stream(&mut h, "orders", 2);
    let (status, body) = h.kinesis("DescribeStream", r#"{"StreamName":"orders"}"#);
    assert_eq!(status, 200);
    let d = &body["StreamDescription"];
    assert_eq!(d["StreamStatus"], "ACTIVE");
    assert_eq!(d["StreamARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
    assert_eq!(d["StreamModeDetails"], json!({"StreamMode": "PROVISIONED"}));
    assert_eq!(d["RetentionPeriodHours"], 24);
    assert_eq!(d["StreamCreationTimestamp"], 1_767_225_600);
    assert_eq!(d["HasMoreShards"], false);
    assert_eq!(d["EncryptionType"], "NONE");
    let shard = &d["Shards"][1];
    assert_eq!(shard["ShardId"], "shardId-000000000001");
    assert_eq!(
        shard["HashKeyRange"],
        json!({"StartingHashKey": "170141183460469231731687303715884105728", "EndingHashKey": "340282366920938463463374607431768211455"})
    );
    assert!(shard["SequenceNumberRange"]["StartingSequenceNumber"].is_string());
    assert!(shard["SequenceNumberRange"].get("EndingSequenceNumber").is_none());
    assert!(shard.get("ParentShardId").is_none());
}

#[test]
fn put_and_get_records_with_base64_data_and_epoch_timestamps() {
    let mut h = Harness::new();
    active_stream(&mut h, "s", 1);
    let (status, put) = h.kinesis("PutRecord", r#"{"StreamName":"s","Data":"aGVsbG8=","PartitionKey":"user-1"}"#);
    assert_eq!(status, 200, "{put}");
    assert_eq!(put["ShardId"], "shardId-000000000000");
    let seq = put["SequenceNumber"].as_str().unwrap().to_string();

    let (_, it) = h.kinesis(
        "GetShardIterator",
        r#"{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"TRIM_HORIZON"}"#,
    );
    let iterator = it["ShardIterator"].as_str().unwrap();
    let (status, got) = h.kinesis("GetRecords", &format!(r#"{{"ShardIterator":"{iterator}","Limit":10}}"#));
    assert_eq!(status, 200, "{got}");
    assert_eq!(
        got["Records"],
        json!([{"SequenceNumber": seq, "ApproximateArrivalTimestamp": 1_767_225_610, "Data": "aGVsbG8=", "PartitionKey": "user-1"}])
    );
    assert_eq!(got["MillisBehindLatest"], 0);
    assert!(got["NextShardIterator"].is_string());

    // An empty read still carries `Records`.
    let next = got["NextShardIterator"].as_str().unwrap();
    let (_, empty) = h.kinesis("GetRecords", &format!(r#"{{"ShardIterator":"{next}"}}"#));
    assert_eq!(empty["Records"], json!([]));
}

#[test]
fn put_records_reports_each_entry_in_order() {
    let mut h = Harness::new();
    active_stream(&mut h, "s", 2);
    let (status, r) = h.kinesis(
        "PutRecords",
        r#"{"Records":[{"Data":"YQ==","PartitionKey":"1"},{"Data":"Yg==","PartitionKey":"k","ExplicitHashKey":"0"}],"StreamName":"s"}"#,
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["FailedRecordCount"], 0);
    assert_eq!(r["Records"][0]["ShardId"], "shardId-000000000001");
    assert_eq!(r["Records"][1]["ShardId"], "shardId-000000000000");
}

#[test]
fn errors_have_kinesis_names_without_namespace_and_status_400() {
    let mut h = Harness::new();
    let (status, e) = h.kinesis("DescribeStream", r#"{"StreamName":"nope"}"#);
    assert_eq!(status, 400);
    assert_eq!(
        e,
        json!({"__type": "ResourceNotFoundException", "message": "Stream nope under account 000000000000 not found."})
    );
    let (status, e) = h.kinesis("CreateStream", r#"{"ShardCount":1}"#);
    assert_eq!(status, 400);
    assert_eq!(e["__type"], "ValidationException");
    assert_eq!(
        e["message"],
        "1 validation error detected: Value null at 'streamName' failed to satisfy constraint: Member must not be null"
    );
    let (status, e) = h.kinesis("CreateStream", r#"{"StreamName":"x","ShardCount":"one"}"#);
    assert_eq!((status, e["__type"].as_str()), (400, Some("SerializationException")));
    let (status, e) = h.kinesis("GetRecords", r#"{"ShardIterator":"AAAAAAAAAAE="}"#);
    assert_eq!(
        (status, e["__type"].as_str(), e["message"].as_str()),
        (400, Some("InvalidArgumentException"), Some("Invalid ShardIterator."))
    );
    let (status, e) = h.kinesis("SubscribeToShardPlease", "{}");
    assert_eq!((status, e["__type"].as_str()), (400, Some("com.amazon.coral.service#UnknownOperationException")));
}

#[test]
fn list_shards_pages_with_next_token_alone() {
    let mut h = Harness::new();
    active_stream(&mut h, "s", 3);
    let (_, page) = h.kinesis("ListShards", r#"{"StreamName":"s","MaxResults":2}"#);
    assert_eq!(page["Shards"].as_array().unwrap().len(), 2);
    let token = page["NextToken"].as_str().unwrap();
    let (status, e) = h.kinesis("ListShards", &format!(r#"{{"StreamName":"s","NextToken":"{token}"}}"#));
    assert_eq!((status, e["message"].as_str()), (400, Some("NextToken and StreamName cannot be provided together.")));
    let (_, rest) = h.kinesis("ListShards", &format!(r#"{{"NextToken":"{token}"}}"#));
    assert_eq!(rest["Shards"][0]["ShardId"], "shardId-000000000002");
    assert!(rest.get("NextToken").is_none());
}

#[test]
fn update_shard_count_and_consumers_answer_their_shapes() {
    let mut h = Harness::new();
    active_stream(&mut h, "s", 2);
    let (status, r) =
        h.kinesis("UpdateShardCount", r#"{"StreamName":"s","TargetShardCount":4,"ScalingType":"UNIFORM_SCALING"}"#);
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        r,
        json!({"StreamName": "s", "CurrentShardCount": 2, "TargetShardCount": 4, "StreamARN": "arn:aws:kinesis:us-east-1:000000000000:stream/s"})
    );
    let (_, c) = h.kinesis(
        "RegisterStreamConsumer",
        r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","ConsumerName":"app"}"#,
    );
    assert_eq!(c["Consumer"]["ConsumerStatus"], "CREATING");
    assert!(c["Consumer"]["ConsumerCreationTimestamp"].is_number());
    let (_, tags) = h.kinesis("AddTagsToStream", r#"{"StreamName":"s","Tags":{"team":"data"}}"#);
    assert_eq!(tags, json!({}));
    let (_, tags) = h.kinesis("ListTagsForStream", r#"{"StreamName":"s"}"#);
    assert_eq!(tags, json!({"Tags": [{"Key": "team", "Value": "data"}], "HasMoreTags": false}));
}

#[test]
fn subscribe_to_shard_answers_an_event_stream_that_goes_on_as_time_moves() {
    use decouple_engine::kinesis::CONSUMER_CREATE_DELAY;
    use decouple_engine::SimDuration;
    use decouple_wire::EVENT_STREAM_HEADER;

    /// (event type, JSON payload) of each frame.
    fn frames(bytes: &[u8]) -> Vec<(String, serde_json::Value)> {
        let mut out = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            let total = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            let headers_len = u32::from_be_bytes(bytes[at + 4..at + 8].try_into().unwrap()) as usize;
            let frame = &bytes[at..at + total];
            let (mut h, mut event_type) = (12, String::new());
            while h < 12 + headers_len {
                let name_len = frame[h] as usize;
                let name = std::str::from_utf8(&frame[h + 1..h + 1 + name_len]).unwrap();
                let value_len = u16::from_be_bytes([frame[h + 2 + name_len], frame[h + 3 + name_len]]) as usize;
                let value = std::str::from_utf8(&frame[h + 4 + name_len..h + 4 + name_len + value_len]).unwrap();
                if name == ":event-type" {
                    event_type = value.to_string();
                }
                h += 4 + name_len + value_len;
            }
            let payload = serde_json::from_slice(&frame[12 + headers_len..total - 4]).unwrap();
            out.push((event_type, payload));
            at += total;
        }
        out
    }

    let mut h = Harness::new();
    active_stream(&mut h, "s", 1);
    h.kinesis("PutRecord", r#"{"StreamName":"s","Data":"YQ==","PartitionKey":"k"}"#);
    let (_, c) = h.kinesis(
        "RegisterStreamConsumer",
        r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","ConsumerName":"efo"}"#,
    );
    h.engine.advance_by(CONSUMER_CREATE_DELAY);
    let arn = c["Consumer"]["ConsumerARN"].as_str().unwrap();
    let r = h.call(&kinesis_sdk(
        "SubscribeToShard",
        &format!(
            r#"{{"ConsumerARN":"{arn}","ShardId":"shardId-000000000000","StartingPosition":{{"Type":"TRIM_HORIZON"}}}}"#
        ),
    ));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/vnd.amazon.eventstream"));
    let stream: u64 = r.header(EVENT_STREAM_HEADER).unwrap().parse().unwrap();
    let first = frames(&r.body);
    assert_eq!(first[0], ("initial-response".to_string(), json!({})));
    assert_eq!(first[1].0, "SubscribeToShardEvent");
    assert_eq!(first[1].1["Records"][0]["Data"], "YQ==");

    h.kinesis("PutRecord", r#"{"StreamName":"s","Data":"Yg==","PartitionKey":"k"}"#);
    h.engine.advance_by(SimDuration::from_millis(1));
    let chunks = h.gateway.poll_event_streams(&mut h.engine);
    assert_eq!(chunks.len(), 1);
    assert_eq!((chunks[0].stream, chunks[0].done), (stream, false));
    assert_eq!(frames(&chunks[0].bytes)[0].1["Records"][0]["Data"], "Yg==");

    h.engine.advance_by(SimDuration::from_mins(5));
    let chunks = h.gateway.poll_event_streams(&mut h.engine);
    assert_eq!((chunks.len(), chunks[0].done), (1, true));
    assert!(h.gateway.poll_event_streams(&mut h.engine).is_empty());
}

#[test]
fn describe_limits_and_update_stream_mode() {
    let mut h = Harness::new();
    active_stream(&mut h, "s", 3);
    let (_, limits) = h.kinesis("DescribeLimits", "{}");
    assert_eq!(
        limits,
        json!({"ShardLimit": 500, "OpenShardCount": 3, "OnDemandStreamCount": 0, "OnDemandStreamCountLimit": 50})
    );
    let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
    let (status, body) = h.kinesis(
        "UpdateStreamMode",
        &format!(r#"{{"StreamARN":"{arn}","StreamModeDetails":{{"StreamMode":"ON_DEMAND"}}}}"#),
    );
    assert_eq!((status, body), (200, json!({})));
    let (_, d) = h.kinesis("DescribeStreamSummary", r#"{"StreamName":"s"}"#);
    assert_eq!(d["StreamDescriptionSummary"]["StreamStatus"], "UPDATING");
    h.engine.advance_by(decouple_engine::kinesis::RESHARD_DELAY);
    let (_, d) = h.kinesis("DescribeStreamSummary", r#"{"StreamName":"s"}"#);
    assert_eq!(d["StreamDescriptionSummary"]["StreamModeDetails"]["StreamMode"], "ON_DEMAND");
    let (_, limits) = h.kinesis("DescribeLimits", "{}");
    assert_eq!(limits["OnDemandStreamCount"], 1);
    let (status, e) = h.kinesis(
        "UpdateStreamMode",
        &format!(r#"{{"StreamARN":"{arn}","StreamModeDetails":{{"StreamMode":"FAST"}}}}"#),
    );
    assert_eq!((status, e["__type"].as_str()), (400, Some("ValidationException")));
}
