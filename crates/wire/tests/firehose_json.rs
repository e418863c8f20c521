//! Amazon Data Firehose over AWS JSON 1.1 through the gateway, with request
//! bodies as `@aws-sdk/client-firehose` sends them, delivering into the S3
//! that the same gateway serves.

mod common;

use common::*;
use decouple_engine::firehose::CREATE_DELAY;
use decouple_engine::s3::{CreateBucket, ListObjectsV2};
use decouple_engine::SimDuration;
use decouple_wire::HttpRequest;
use serde_json::{json, Value};

/// As `@aws-sdk/client-firehose` v3 sends it: AWS JSON 1.1 with the
/// `Firehose_20150804` target prefix, signed for `firehose`.
fn firehose_sdk(action: &str, body: &str) -> HttpRequest {
    let header = |k: &str, v: &str| (k.to_string(), v.to_string());
    HttpRequest {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers: vec![
            header("content-type", "application/x-amz-json-1.1"),
            header("x-amz-target", &format!("Firehose_20150804.{action}")),
            header("host", "firehose.us-east-1.amazonaws.com"),
            header("amz-sdk-request", "attempt=1; max=3"),
            header("x-amz-date", "20260101T000000Z"),
            header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/firehose/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd",
            ),
            header("content-length", &body.len().to_string()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

fn firehose(h: &mut Harness, action: &str, body: &str) -> (u16, Value) {
    let r = h.call(&firehose_sdk(action, body));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    (r.status, json(&r))
}

fn active(h: &mut Harness, body: &str) {
    let (status, r) = firehose(h, "CreateDeliveryStream", body);
    assert_eq!(status, 200, "{r}");
    h.engine.advance_by(CREATE_DELAY);
}

fn bucket_keys(h: &mut Harness, bucket: &str) -> Vec<String> {
    let list = h.engine.s3().list_objects_v2(ListObjectsV2 { bucket: bucket.into(), ..Default::default() }).unwrap();
    list.contents.into_iter().map(|o| o.key).collect()
}

const ROLE: &str = "arn:aws:iam::000000000000:role/firehose";

#[test]
fn create_describe_and_list_answer_in_aws_shape() {
    let mut h = Harness::new();
    let (status, r) = firehose(
        &mut h,
        "CreateDeliveryStream",
        &format!(
            r#"{{"DeliveryStreamName":"clicks","DeliveryStreamType":"DirectPut","ExtendedS3DestinationConfiguration":{{"RoleARN":"{ROLE}","BucketARN":"arn:aws:s3:::lake","Prefix":"raw/","BufferingHints":{{"SizeInMBs":1,"IntervalInSeconds":60}}}},"Tags":[{{"Key":"team","Value":"data"}}]}}"#
        ),
    );
    assert_eq!(
        (status, r),
        (200, json!({"DeliveryStreamARN": "arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks"}))
    );
    let (_, d) = firehose(&mut h, "DescribeDeliveryStream", r#"{"DeliveryStreamName":"clicks"}"#);
    let d = &d["DeliveryStreamDescription"];
    assert_eq!(d["DeliveryStreamStatus"], "CREATING");
    assert_eq!(d["VersionId"], "1");
    assert_eq!(d["DeliveryStreamType"], "DirectPut");
    assert_eq!(d["CreateTimestamp"], 1_767_225_600);
    assert_eq!(d["HasMoreDestinations"], false);
    let dest = &d["Destinations"][0];
    assert_eq!(dest["DestinationId"], "destinationId-000000000001");
    let ext = &dest["ExtendedS3DestinationDescription"];
    assert_eq!(ext["BucketARN"], "arn:aws:s3:::lake");
    assert_eq!(ext["Prefix"], "raw/");
    assert_eq!(ext["BufferingHints"], json!({"SizeInMBs": 1, "IntervalInSeconds": 60}));
    assert_eq!(ext["CompressionFormat"], "UNCOMPRESSED");
    assert_eq!(dest["S3DestinationDescription"]["RoleARN"], ROLE);
    h.engine.advance_by(CREATE_DELAY);
    let (_, d) = firehose(&mut h, "DescribeDeliveryStream", r#"{"DeliveryStreamName":"clicks"}"#);
    assert_eq!(d["DeliveryStreamDescription"]["DeliveryStreamStatus"], "ACTIVE");
    let (_, list) = firehose(&mut h, "ListDeliveryStreams", "{}");
    assert_eq!(list, json!({"DeliveryStreamNames": ["clicks"], "HasMoreDeliveryStreams": false}));
    let (_, tags) = firehose(&mut h, "ListTagsForDeliveryStream", r#"{"DeliveryStreamName":"clicks"}"#);
    assert_eq!(tags, json!({"Tags": [{"Key": "team", "Value": "data"}], "HasMoreTags": false}));
}

#[test]
fn put_record_and_batch_deliver_into_s3_after_the_interval() {
    let mut h = Harness::new();
    h.engine.s3().create_bucket(CreateBucket { bucket: "lake".into() }).unwrap();
    active(
        &mut h,
        &format!(
            r#"{{"DeliveryStreamName":"clicks","S3DestinationConfiguration":{{"RoleARN":"{ROLE}","BucketARN":"arn:aws:s3:::lake","BufferingHints":{{"SizeInMBs":1,"IntervalInSeconds":60}}}}}}"#
        ),
    );
    let (status, r) = firehose(&mut h, "PutRecord", r#"{"DeliveryStreamName":"clicks","Record":{"Data":"aGVsbG8K"}}"#);
    assert_eq!(status, 200, "{r}");
    assert!(r["RecordId"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(r["Encrypted"], false);
    let (status, r) = firehose(
        &mut h,
        "PutRecordBatch",
        r#"{"DeliveryStreamName":"clicks","Records":[{"Data":"YQo="},{"Data":"Ygo="}]}"#,
    );
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["FailedPutCount"], 0);
    assert_eq!(r["RequestResponses"].as_array().unwrap().len(), 2);
    assert!(r["RequestResponses"][1]["RecordId"].is_string());
    assert!(bucket_keys(&mut h, "lake").is_empty());
    h.engine.advance_by(SimDuration::from_secs(60));
    let keys = bucket_keys(&mut h, "lake");
    assert_eq!(keys.len(), 1);
    assert!(keys[0].starts_with("2026/01/01/00/clicks-1-2026-01-01-00-00-05-"), "{}", keys[0]);
    let object =
        h.engine.s3().get_object(decouple_engine::s3::GetObject { bucket: "lake".into(), key: keys[0].clone() });
    assert_eq!(object.unwrap().body, b"hello\na\nb\n");
}

#[test]
fn lambda_function_name_chooses_the_simulated_transform() {
    let mut h = Harness::new();
    h.engine.s3().create_bucket(CreateBucket { bucket: "lake".into() }).unwrap();
    active(
        &mut h,
        &format!(
            r#"{{"DeliveryStreamName":"up","ExtendedS3DestinationConfiguration":{{"RoleARN":"{ROLE}","BucketARN":"arn:aws:s3:::lake","BufferingHints":{{"IntervalInSeconds":0,"SizeInMBs":1}},"ProcessingConfiguration":{{"Enabled":true,"Processors":[{{"Type":"Lambda","Parameters":[{{"ParameterName":"LambdaArn","ParameterValue":"arn:aws:lambda:us-east-1:000000000000:function:uppercase"}}]}}]}}}}}}"#
        ),
    );
    let (status, _) = firehose(&mut h, "PutRecord", r#"{"DeliveryStreamName":"up","Record":{"Data":"aGk="}}"#);
    assert_eq!(status, 200);
    let keys = bucket_keys(&mut h, "lake");
    let object =
        h.engine.s3().get_object(decouple_engine::s3::GetObject { bucket: "lake".into(), key: keys[0].clone() });
    assert_eq!(object.unwrap().body, b"HI");
    let (_, d) = firehose(&mut h, "DescribeDeliveryStream", r#"{"DeliveryStreamName":"up"}"#);
    let processing = &d["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"]
        ["ProcessingConfiguration"];
    assert_eq!(processing["Enabled"], true);
    assert_eq!(processing["Processors"][0]["Type"], "Lambda");
}

#[test]
fn errors_have_firehose_names_without_namespace() {
    let mut h = Harness::new();
    let (status, e) = firehose(&mut h, "DescribeDeliveryStream", r#"{"DeliveryStreamName":"nope"}"#);
    assert_eq!(
        (status, e),
        (
            400,
            json!({"__type": "ResourceNotFoundException", "message": "Firehose nope under account 000000000000 not found."})
        )
    );
    let (status, e) = firehose(&mut h, "PutRecord", r#"{"DeliveryStreamName":"nope"}"#);
    assert_eq!((status, e["__type"].as_str()), (400, Some("ValidationException")));
    assert_eq!(
        e["message"],
        "1 validation error detected: Value null at 'record' failed to satisfy constraint: Member must not be null"
    );
    let (status, e) = firehose(&mut h, "PutRecord", r#"{"DeliveryStreamName":"x","Record":{"Data":"%%%"}}"#);
    assert_eq!((status, e["__type"].as_str()), (400, Some("SerializationException")));
    let (status, e) = firehose(
        &mut h,
        "CreateDeliveryStream",
        &format!(
            r#"{{"DeliveryStreamName":"x","ExtendedS3DestinationConfiguration":{{"RoleARN":"{ROLE}","BucketARN":"arn:aws:s3:::lake","BufferingHints":{{"SizeInMBs":0}}}}}}"#
        ),
    );
    assert_eq!((status, e["__type"].as_str()), (400, Some("ValidationException")));
    assert_eq!(
        e["message"],
        "1 validation error detected: Value '0' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value greater than or equal to 1"
    );
    let (status, e) = firehose(&mut h, "PutRecordBatch", r#"{"DeliveryStreamName":"x","Records":[]}"#);
    assert_eq!((status, e["__type"].as_str()), (400, Some("ValidationException")));
    let (status, e) = firehose(&mut h, "StartDeliveryStreamEncryption", "{}");
    assert_eq!((status, e["__type"].as_str()), (400, Some("com.amazon.coral.service#UnknownOperationException")));
}

#[test]
fn kinesis_sourced_streams_refuse_puts_with_aws_message() {
    let mut h = Harness::new();
    let (status, _) = h.kinesis("CreateStream", r#"{"StreamName":"events","ShardCount":1}"#);
    assert_eq!(status, 200);
    h.engine.advance_by(SimDuration::from_secs(10));
    active(
        &mut h,
        &format!(
            r#"{{"DeliveryStreamName":"k","DeliveryStreamType":"KinesisStreamAsSource","KinesisStreamSourceConfiguration":{{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/events","RoleARN":"{ROLE}"}},"ExtendedS3DestinationConfiguration":{{"RoleARN":"{ROLE}","BucketARN":"arn:aws:s3:::lake"}}}}"#
        ),
    );
    let (status, e) = firehose(&mut h, "PutRecord", r#"{"DeliveryStreamName":"k","Record":{"Data":"YQ=="}}"#);
    assert_eq!(
        (status, e),
        (
            400,
            json!({"__type": "InvalidArgumentException", "message": "This operation is not permitted on KinesisStreamAsSource delivery stream type."})
        )
    );
    let (_, d) = firehose(&mut h, "DescribeDeliveryStream", r#"{"DeliveryStreamName":"k"}"#);
    let source = &d["DeliveryStreamDescription"]["Source"]["KinesisStreamSourceDescription"];
    assert_eq!(source["KinesisStreamARN"], "arn:aws:kinesis:us-east-1:000000000000:stream/events");
    assert_eq!(source["DeliveryStartTimestamp"], 1_767_225_610);
}

#[test]
fn custom_prefixes_are_described_as_given_and_name_the_objects() {
    let mut h = Harness::new();
    h.engine.s3().create_bucket(CreateBucket { bucket: "lake".into() }).unwrap();
    active(
        &mut h,
        &format!(
            r#"{{"DeliveryStreamName":"logs","ExtendedS3DestinationConfiguration":{{"RoleARN":"{ROLE}","BucketARN":"arn:aws:s3:::lake","Prefix":"logs/!{{timestamp:yyyy/MM/dd}}/","ErrorOutputPrefix":"errors/!{{firehose:error-output-type}}/","BufferingHints":{{"IntervalInSeconds":60}},"DynamicPartitioningConfiguration":{{"Enabled":false}}}}}}"#
        ),
    );
    let (_, d) = firehose(&mut h, "DescribeDeliveryStream", r#"{"DeliveryStreamName":"logs"}"#);
    let s3 = &d["DeliveryStreamDescription"]["Destinations"][0]["ExtendedS3DestinationDescription"];
    assert_eq!(s3["Prefix"], "logs/!{timestamp:yyyy/MM/dd}/");
    assert_eq!(s3["ErrorOutputPrefix"], "errors/!{firehose:error-output-type}/");
    let (status, _) = firehose(&mut h, "PutRecord", r#"{"DeliveryStreamName":"logs","Record":{"Data":"aGVsbG8="}}"#);
    assert_eq!(status, 200);
    h.engine.advance_by(SimDuration::from_secs(60));
    let keys = bucket_keys(&mut h, "lake");
    assert_eq!(keys.len(), 1);
    assert!(keys[0].starts_with("logs/2026/01/01/logs-1-2026-01-01-00-00-05-"), "{}", keys[0]);
}

#[test]
fn invalid_prefixes_and_dynamic_partitioning_are_refused_with_invalid_argument() {
    let mut h = Harness::new();
    let create = |prefix: &str, extra: &str| {
        format!(
            r#"{{"DeliveryStreamName":"bad","ExtendedS3DestinationConfiguration":{{"RoleARN":"{ROLE}","BucketARN":"arn:aws:s3:::lake","Prefix":"{prefix}"{extra}}}}}"#
        )
    };
    let (status, r) = firehose(&mut h, "CreateDeliveryStream", &create("logs/!{timestamp:yyyy}/", ""));
    assert_eq!(status, 400);
    assert_eq!(
        r,
        json!({"__type": "InvalidArgumentException", "message": "Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"})
    );
    let (status, r) = firehose(
        &mut h,
        "CreateDeliveryStream",
        &create("logs/", r#","DynamicPartitioningConfiguration":{"Enabled":true}"#),
    );
    assert_eq!((status, r["__type"].as_str()), (400, Some("InvalidArgumentException")));
    assert!(r["message"].as_str().unwrap().contains("DynamicPartitioningConfiguration"), "{r}");
    let (status, r) = firehose(&mut h, "CreateDeliveryStream", &create("logs/", r#","CustomTimeZone":"Asia/Tokyo""#));
    assert_eq!((status, r["__type"].as_str()), (400, Some("InvalidArgumentException")));
    assert!(r["message"].as_str().unwrap().contains("Asia/Tokyo"), "{r}");
}
