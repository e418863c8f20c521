#![cfg(feature = "firehose")]
//! Amazon Data Firehose: delivery stream lifecycle, buffering by size and by
//! interval in virtual time, AWS's default object keys and custom prefixes, a Kinesis stream as
//! the source, the simulated Lambda transform, batch limits and errors with
//! AWS's names and messages, and a property: every record put ends up in
//! exactly one object, in order.

use decouple_engine::firehose::*;
use decouple_engine::kinesis::{self, CreateStreamRequest, StreamRef};
use decouple_engine::s3::{CreateBucket, GetObject, ListObjectsV2};
use decouple_engine::{Engine, EngineConfig, Event, SimDuration};
use proptest::prelude::*;

const ACCOUNT: &str = "000000000000";

fn engine() -> Engine {
    Engine::new(EngineConfig { seed: 5, ..EngineConfig::default() })
}

fn bucket(e: &mut Engine, name: &str) {
    e.s3().create_bucket(CreateBucket { bucket: name.into() }).unwrap();
}

fn s3_config(bucket: &str, size: Option<i64>, interval: Option<i64>) -> S3DestinationConfiguration {
    S3DestinationConfiguration {
        role_arn: "arn:aws:iam::000000000000:role/firehose".into(),
        bucket_arn: format!("arn:aws:s3:::{bucket}"),
        buffering_hints: Some(BufferingHints { size_in_mbs: size, interval_in_seconds: interval }),
        ..Default::default()
    }
}

/// A DirectPut delivery stream into `bucket`, waited on until ACTIVE.
fn direct(e: &mut Engine, name: &str, config: S3DestinationConfiguration) {
    e.firehose()
        .create_delivery_stream(CreateDeliveryStreamRequest {
            delivery_stream_name: name.into(),
            extended_s3_destination: Some(config),
            ..Default::default()
        })
        .unwrap();
    e.advance_by(CREATE_DELAY);
    assert_eq!(e.firehose_state().delivery_stream(name).unwrap().status, DeliveryStreamStatus::Active);
}

fn put(e: &mut Engine, name: &str, data: &[u8]) -> Result<PutRecordResponse, FirehoseError> {
    e.firehose().put_record(PutRecordRequest { delivery_stream_name: name.into(), data: data.to_vec() })
}

/// Every object in a bucket: (key, body), in key order.
fn objects(e: &mut Engine, bucket: &str) -> Vec<(String, Vec<u8>)> {
    let list = e.s3().list_objects_v2(ListObjectsV2 { bucket: bucket.into(), ..Default::default() }).unwrap();
    list.contents
        .into_iter()
        .map(|o| {
            let body = e.s3().get_object(GetObject { bucket: bucket.into(), key: o.key.clone() }).unwrap().body;
            (o.key, body)
        })
        .collect()
}

/// `<prefix>2026/01/01/00/<name>-1-2026-01-01-00-MM-SS-` followed by a UUID.
fn assert_key(key: &str, expected_before_uuid: &str) {
    assert!(key.starts_with(expected_before_uuid), "{key} does not start with {expected_before_uuid}");
    let uuid = &key[expected_before_uuid.len()..];
    assert!(decouple_engine::Uuid::parse(uuid).is_some(), "{key}: no UUID at the end");
}

#[test]
fn create_describe_list_and_delete_follow_aws_statuses() {
    let mut e = engine();
    bucket(&mut e, "lake");
    let arn = e
        .firehose()
        .create_delivery_stream(CreateDeliveryStreamRequest {
            delivery_stream_name: "clicks".into(),
            extended_s3_destination: Some(s3_config("lake", None, None)),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(arn, "arn:aws:firehose:us-east-1:000000000000:deliverystream/clicks");
    let d = e.firehose().describe_delivery_stream("clicks").unwrap();
    assert_eq!(d.status, DeliveryStreamStatus::Creating);
    assert_eq!(d.version_id, "1");
    assert_eq!(d.delivery_stream_type, DeliveryStreamType::DirectPut);
    assert_eq!(d.destination.destination_id, "destinationId-000000000001");
    assert_eq!((d.destination.size_in_mbs, d.destination.interval_in_seconds), (5, 300));
    assert_eq!(d.destination.compression_format, "UNCOMPRESSED");
    // Not writable while CREATING.
    assert_eq!(put(&mut e, "clicks", b"x").unwrap_err().code, FirehoseErrorCode::ResourceNotFoundException);
    e.advance_by(CREATE_DELAY);
    assert_eq!(e.firehose().describe_delivery_stream("clicks").unwrap().status, DeliveryStreamStatus::Active);

    let again = e.firehose().create_delivery_stream(CreateDeliveryStreamRequest {
        delivery_stream_name: "clicks".into(),
        extended_s3_destination: Some(s3_config("lake", None, None)),
        ..Default::default()
    });
    assert_eq!(again.unwrap_err().code, FirehoseErrorCode::ResourceInUseException);

    direct(&mut e, "b-stream", s3_config("lake", None, None));
    let list = e.firehose().list_delivery_streams(ListDeliveryStreamsRequest { limit: Some(1), ..Default::default() });
    assert_eq!(
        list.unwrap(),
        ListDeliveryStreamsResponse { delivery_stream_names: vec!["b-stream".into()], has_more_delivery_streams: true }
    );

    e.firehose()
        .delete_delivery_stream(DeleteDeliveryStreamRequest {
            delivery_stream_name: "clicks".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(e.firehose().describe_delivery_stream("clicks").unwrap().status, DeliveryStreamStatus::Deleting);
    e.advance_by(DELETE_DELAY);
    let gone = e.firehose().describe_delivery_stream("clicks").unwrap_err();
    assert_eq!(gone.code, FirehoseErrorCode::ResourceNotFoundException);
    assert_eq!(gone.message, format!("Firehose clicks under account {ACCOUNT} not found."));
    let events: Vec<Event> = e.drain_events().into_iter().map(|l| l.event).collect();
    assert!(events.contains(&Event::DeliveryStreamCreated { stream: "clicks".into(), source: "DirectPut" }));
    assert!(events.contains(&Event::DeliveryStreamActive { stream: "clicks".into() }));
    assert!(events.contains(&Event::DeliveryStreamDeleted { stream: "clicks".into() }));
}

#[test]
fn interval_delivers_one_object_with_the_default_key_layout() {
    let mut e = engine();
    bucket(&mut e, "lake");
    direct(&mut e, "clicks", s3_config("lake", Some(1), Some(60)));
    e.advance_by(SimDuration::from_secs(3_595)); // 00:59:55 + 5 s create delay = 01:00:00
    put(&mut e, "clicks", b"{\"a\":1}").unwrap();
    e.advance_by(SimDuration::from_secs(2));
    put(&mut e, "clicks", b"{\"a\":2}").unwrap();
    e.advance_by(SimDuration::from_secs(57));
    assert!(objects(&mut e, "lake").is_empty(), "nothing before the interval ends");
    e.advance_by(SimDuration::from_secs(1));
    let objs = objects(&mut e, "lake");
    assert_eq!(objs.len(), 1);
    // The time path and stamp are the oldest record's arrival; Firehose adds no delimiter.
    assert_key(&objs[0].0, "2026/01/01/01/clicks-1-2026-01-01-01-00-00-");
    assert_eq!(objs[0].1, b"{\"a\":1}{\"a\":2}");
    let s = e.firehose_state().delivery_stream("clicks").unwrap();
    assert!(s.buffer.is_empty() && s.flush_at().is_none());
    assert_eq!((s.metrics.delivered_records, s.metrics.delivered_bytes), (2, 14));
    let flushed = e.drain_events().into_iter().find_map(|l| match l.event {
        Event::FirehoseBufferFlushed { key, records, bytes, .. } => Some((key, records, bytes)),
        _ => None,
    });
    assert_eq!(flushed, Some((objs[0].0.clone(), 2, 14)));
}

#[test]
fn size_delivers_as_soon_as_the_buffer_is_full_with_the_prefix() {
    let mut e = engine();
    bucket(&mut e, "lake");
    let mut config = s3_config("lake", Some(1), Some(900));
    config.prefix = Some("raw/".into());
    direct(&mut e, "big", config);
    let chunk = vec![b'x'; 600 * 1024];
    put(&mut e, "big", &chunk).unwrap();
    assert!(objects(&mut e, "lake").is_empty());
    put(&mut e, "big", &chunk).unwrap();
    let objs = objects(&mut e, "lake");
    assert_eq!(objs.len(), 1, "1 MiB reached: delivered without waiting");
    assert_key(&objs[0].0, "raw/2026/01/01/00/big-1-2026-01-01-00-00-05-");
    assert_eq!(objs[0].1.len(), 1_200 * 1024);
    // The interval deadline went with the delivery.
    assert!(e.firehose_state().delivery_stream("big").unwrap().flush_at().is_none());
    put(&mut e, "big", b"tail").unwrap();
    e.advance_by(SimDuration::from_secs(900));
    let objs = objects(&mut e, "lake");
    assert_eq!(objs.len(), 2);
    assert!(objs.iter().any(|(_, body)| body == b"tail"));
}

#[test]
fn zero_interval_delivers_each_call_at_once() {
    let mut e = engine();
    bucket(&mut e, "lake");
    direct(&mut e, "now", s3_config("lake", Some(1), Some(0)));
    put(&mut e, "now", b"one").unwrap();
    assert_eq!(objects(&mut e, "lake").len(), 1);
    let batch = e
        .firehose()
        .put_record_batch(PutRecordBatchRequest {
            delivery_stream_name: "now".into(),
            records: vec![b"a".to_vec(), b"b".to_vec()],
        })
        .unwrap();
    assert_eq!(batch.failed_put_count, 0);
    let objs = objects(&mut e, "lake");
    assert_eq!(objs.len(), 2);
    assert!(objs.iter().any(|(_, body)| body == b"ab"), "one object per call");
    assert_eq!(e.pending_deadlines(), 0, "zero buffering schedules nothing");
}

#[test]
fn a_missing_bucket_fails_the_delivery_and_says_why() {
    let mut e = engine();
    direct(&mut e, "lost", s3_config("no-such-bucket", None, Some(0)));
    put(&mut e, "lost", b"x").unwrap();
    let s = e.firehose_state().delivery_stream("lost").unwrap();
    assert_eq!(s.metrics.failed_deliveries, 1);
    let last = s.deliveries.back().unwrap();
    assert_eq!(last.error.as_deref(), Some("NoSuchBucket: The specified bucket does not exist"));
    assert!(e.drain_events().iter().any(|l| matches!(
        &l.event,
        Event::FirehoseDeliveryFailed { records: 1, reason, .. } if reason.contains("NoSuchBucket")
    )));
}

#[test]
fn kinesis_source_delivers_what_is_written_to_the_stream_after_creation() {
    let mut e = engine();
    bucket(&mut e, "lake");
    e.kinesis()
        .create_stream(CreateStreamRequest { stream_name: "events".into(), shard_count: Some(2), ..Default::default() })
        .unwrap();
    e.advance_by(kinesis::STREAM_CREATE_DELAY);
    let kput = |e: &mut Engine, key: &str, data: &str| {
        e.kinesis()
            .put_record(kinesis::PutRecordRequest {
                stream: StreamRef::named("events"),
                partition_key: key.into(),
                data: data.as_bytes().to_vec(),
                ..Default::default()
            })
            .unwrap();
    };
    kput(&mut e, "k", "before"); // Firehose starts at LATEST: never delivered.
    let source = KinesisStreamSourceConfiguration {
        kinesis_stream_arn: "arn:aws:kinesis:us-east-1:000000000000:stream/events".into(),
        role_arn: "arn:aws:iam::000000000000:role/firehose".into(),
    };
    e.firehose()
        .create_delivery_stream(CreateDeliveryStreamRequest {
            delivery_stream_name: "from-kinesis".into(),
            delivery_stream_type: Some("KinesisStreamAsSource".into()),
            kinesis_stream_source: Some(source),
            extended_s3_destination: Some(s3_config("lake", Some(1), Some(60))),
            ..Default::default()
        })
        .unwrap();
    for i in 0..4 {
        kput(&mut e, &format!("user-{i}"), &format!("r{i};"));
    }
    // PutRecord is refused with AWS's message.
    e.advance_by(CREATE_DELAY);
    let refused = put(&mut e, "from-kinesis", b"x").unwrap_err();
    assert_eq!(refused.code, FirehoseErrorCode::InvalidArgumentException);
    assert_eq!(refused.message, "This operation is not permitted on KinesisStreamAsSource delivery stream type.");
    let d = e.firehose().describe_delivery_stream("from-kinesis").unwrap();
    assert_eq!(d.delivery_stream_type, DeliveryStreamType::KinesisStreamAsSource);
    assert!(d.source.is_some());

    e.advance_by(SimDuration::from_secs(62));
    let objs = objects(&mut e, "lake");
    assert_eq!(objs.len(), 1);
    let body = String::from_utf8(objs[0].1.clone()).unwrap();
    let mut parts: Vec<&str> = body.split_terminator(';').collect();
    parts.sort();
    assert_eq!(parts, ["r0", "r1", "r2", "r3"]);
    // Its reads went through GetRecords, so the shards' outgoing counters moved.
    let stream = e.kinesis_state().stream("events").unwrap();
    assert_eq!(stream.shards.iter().map(|s| s.metrics.outgoing_records).sum::<u64>(), 4);
}

#[test]
fn transform_drops_and_fails_records_with_error_output() {
    let mut e = engine();
    bucket(&mut e, "lake");
    let mut config = s3_config("lake", None, Some(60));
    config.prefix = Some("ok/".into());
    config.error_output_prefix = Some("errors/".into());
    config.processing = Some(ProcessingConfiguration {
        enabled: Some(true),
        processors: vec![Processor {
            kind: "Lambda".into(),
            parameters: vec![("LambdaArn".into(), "arn:aws:lambda:us-east-1:000000000000:function:f".into())],
        }],
    });
    for (name, transform) in
        [("drop", Transform::DropIfContains("skip".into())), ("fail", Transform::FailIfContains("bad".into()))]
    {
        e.firehose()
            .create_delivery_stream(CreateDeliveryStreamRequest {
                delivery_stream_name: name.into(),
                extended_s3_destination: Some(config.clone()),
                transform: Some(transform),
                ..Default::default()
            })
            .unwrap();
    }
    e.advance_by(CREATE_DELAY);
    for name in ["drop", "fail"] {
        for data in ["keep;", "skip me;", "bad one;", "also keep;"] {
            put(&mut e, name, data.as_bytes()).unwrap();
        }
    }
    e.advance_by(SimDuration::from_secs(60));
    let objs = objects(&mut e, "lake");
    let bodies: Vec<(&str, String)> =
        objs.iter().map(|(k, b)| (k.as_str(), String::from_utf8(b.clone()).unwrap())).collect();
    assert_eq!(bodies.len(), 3, "{bodies:?}");
    let error = bodies.iter().find(|(k, _)| k.starts_with("errors/")).unwrap();
    assert_key(error.0, "errors/processing-failed/2026/01/01/00/fail-1-2026-01-01-00-00-05-");
    let doc: serde_json::Value = serde_json::from_str(error.1.lines().next().unwrap()).unwrap();
    assert_eq!(doc["rawData"], "YmFkIG9uZTs="); // "bad one;"
    assert_eq!(doc["lambdaArn"], "arn:aws:lambda:us-east-1:000000000000:function:f");
    assert_eq!(error.1.lines().count(), 1);
    let drop = bodies.iter().find(|(k, _)| k.starts_with("ok/2026/01/01/00/drop-1-")).unwrap();
    assert_eq!(drop.1, "keep;bad one;also keep;");
    let fail = bodies.iter().find(|(k, _)| k.starts_with("ok/2026/01/01/00/fail-1-")).unwrap();
    assert_eq!(fail.1, "keep;skip me;also keep;");
    let results: Vec<(u32, u32, u32)> = e
        .drain_events()
        .into_iter()
        .filter_map(|l| match l.event {
            Event::FirehoseRecordsTransformed { ok, dropped, processing_failed, .. } => {
                Some((ok, dropped, processing_failed))
            }
            _ => None,
        })
        .collect();
    assert_eq!(results, [(3, 1, 0), (3, 0, 1)]);
}

#[test]
fn batch_limits_and_errors_have_aws_names_and_messages() {
    let mut e = engine();
    bucket(&mut e, "lake");
    direct(&mut e, "s", s3_config("lake", None, None));
    let batch = |e: &mut Engine, records: Vec<Vec<u8>>| {
        e.firehose().put_record_batch(PutRecordBatchRequest { delivery_stream_name: "s".into(), records })
    };
    let err = batch(&mut e, vec![]).unwrap_err();
    assert_eq!(err.code, FirehoseErrorCode::ValidationException);
    assert_eq!(
        err.message,
        "1 validation error detected: Value '[]' at 'records' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
    let err = batch(&mut e, vec![b"x".to_vec(); 501]).unwrap_err();
    assert_eq!(err.code, FirehoseErrorCode::ValidationException);
    assert!(err.message.ends_with("Member must have length less than or equal to 500"), "{}", err.message);
    let err = put(&mut e, "s", &vec![0u8; 1_024_001]).unwrap_err();
    assert_eq!(
        err.message,
        "1 validation error detected: Value at 'record.data' failed to satisfy constraint: Member must have length less than or equal to 1024000"
    );
    assert!(put(&mut e, "s", &vec![0u8; 1_024_000]).is_ok(), "1,000 KiB exactly is allowed");
    let err = batch(&mut e, vec![vec![0u8; 1_000_000]; 5]).unwrap_err();
    assert_eq!(err.code, FirehoseErrorCode::InvalidArgumentException);
    let err = put(&mut e, "nope", b"x").unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (FirehoseErrorCode::ResourceNotFoundException, "Firehose nope under account 000000000000 not found.")
    );

    // The stream takes 5 MiB per second: the rest of a batch is refused per record.
    e.advance_by(SimDuration::from_secs(1));
    let ok = batch(&mut e, vec![vec![1u8; 1_000_000]; 4]).unwrap();
    assert_eq!(ok.failed_put_count, 0);
    let partly = batch(&mut e, vec![vec![1u8; 400_000]; 4]).unwrap();
    assert_eq!(partly.failed_put_count, 1, "4,000,000 + 3 × 400,000 bytes fit in 5 MiB; the fourth does not");
    assert!(matches!(&partly.request_responses[0], PutRecordBatchEntry::Ok { record_id } if record_id.len() == 64));
    assert_eq!(
        partly.request_responses[3],
        PutRecordBatchEntry::Failed {
            error_code: "ServiceUnavailableException".into(),
            error_message: "Slow down.".into()
        }
    );
    e.advance_by(SimDuration::from_secs(1));
    assert!(put(&mut e, "s", b"fine again").is_ok());
}

#[test]
fn create_validates_names_hints_and_sources() {
    let mut e = engine();
    let create = |e: &mut Engine, req: CreateDeliveryStreamRequest| e.firehose().create_delivery_stream(req);
    let base = || CreateDeliveryStreamRequest {
        delivery_stream_name: "ok".into(),
        extended_s3_destination: Some(s3_config("lake", None, None)),
        ..Default::default()
    };
    let err = create(&mut e, CreateDeliveryStreamRequest { delivery_stream_name: "bad name".into(), ..base() });
    assert_eq!(
        err.unwrap_err().message,
        "1 validation error detected: Value 'bad name' at 'deliveryStreamName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    );
    let err = create(
        &mut e,
        CreateDeliveryStreamRequest { extended_s3_destination: Some(s3_config("lake", Some(129), None)), ..base() },
    );
    assert_eq!(
        err.unwrap_err().message,
        "1 validation error detected: Value '129' at 'extendedS3DestinationConfiguration.bufferingHints.sizeInMBs' failed to satisfy constraint: Member must have value less than or equal to 128"
    );
    let err = create(
        &mut e,
        CreateDeliveryStreamRequest { extended_s3_destination: Some(s3_config("lake", None, Some(901))), ..base() },
    );
    assert!(err.unwrap_err().message.contains("intervalInSeconds"));
    let err = create(&mut e, CreateDeliveryStreamRequest { delivery_stream_type: Some("Kafka".into()), ..base() });
    assert_eq!(err.unwrap_err().code, FirehoseErrorCode::ValidationException);
    let err = create(
        &mut e,
        CreateDeliveryStreamRequest { delivery_stream_type: Some("KinesisStreamAsSource".into()), ..base() },
    );
    assert_eq!(err.unwrap_err().code, FirehoseErrorCode::InvalidArgumentException);
    let err = create(&mut e, CreateDeliveryStreamRequest { extended_s3_destination: None, ..base() });
    assert_eq!(err.unwrap_err().code, FirehoseErrorCode::InvalidArgumentException);
    let mut not_arn = s3_config("lake", None, None);
    not_arn.bucket_arn = "lake".into();
    let err = create(&mut e, CreateDeliveryStreamRequest { extended_s3_destination: Some(not_arn), ..base() });
    assert!(err.unwrap_err().message.contains("bucketARN"));
    assert!(e.firehose_state().delivery_streams().next().is_none());
}

#[test]
fn tags_are_added_listed_and_removed() {
    let mut e = engine();
    direct(&mut e, "s", s3_config("lake", None, None));
    e.firehose()
        .tag_delivery_stream(TagDeliveryStreamRequest {
            delivery_stream_name: "s".into(),
            tags: vec![("team".into(), "data".into()), ("env".into(), "dev".into())],
        })
        .unwrap();
    let list = |e: &mut Engine, limit| {
        e.firehose()
            .list_tags_for_delivery_stream(ListTagsForDeliveryStreamRequest {
                delivery_stream_name: "s".into(),
                limit,
                ..Default::default()
            })
            .unwrap()
    };
    let page = list(&mut e, Some(1));
    assert_eq!((page.tags, page.has_more_tags), (vec![("env".into(), "dev".into())], true));
    e.firehose()
        .untag_delivery_stream(UntagDeliveryStreamRequest {
            delivery_stream_name: "s".into(),
            tag_keys: vec!["env".into()],
        })
        .unwrap();
    assert_eq!(list(&mut e, None).tags, vec![("team".to_string(), "data".to_string())]);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Whatever the sizes, hints and pauses: after enough virtual time every
    /// record put is in exactly one object, and reading the objects in
    /// delivery order gives the records in the order they were put.
    #[test]
    fn every_record_is_delivered_exactly_once_in_order(
        interval in prop_oneof![Just(0i64), 1i64..120],
        records in proptest::collection::vec((1usize..300_000, 0u64..40_000), 1..40),
    ) {
        let mut e = engine();
        bucket(&mut e, "lake");
        direct(&mut e, "p", s3_config("lake", Some(1), Some(interval)));
        let mut expected = Vec::new();
        for (i, (len, pause)) in records.iter().enumerate() {
            let data: Vec<u8> = (0..*len).map(|j| ((i * 7 + j) % 251) as u8).collect();
            expected.extend_from_slice(&data);
            put(&mut e, "p", &data).unwrap();
            e.advance_by(SimDuration::from_millis(*pause));
        }
        e.advance_by(SimDuration::from_secs(901));
        let s = e.firehose_state().delivery_stream("p").unwrap();
        prop_assert!(s.buffer.is_empty());
        let in_order: Vec<String> = s.deliveries.iter().map(|d| d.key.clone()).collect();
        let mut numbers = s.deliveries.iter().map(|d| (d.first_record, d.records));
        let mut next = 1;
        for (first, count) in numbers.by_ref() {
            prop_assert_eq!(first, next);
            next += u64::from(count);
        }
        prop_assert_eq!(next, records.len() as u64 + 1);
        let objs: std::collections::BTreeMap<String, Vec<u8>> = objects(&mut e, "lake").into_iter().collect();
        prop_assert_eq!(objs.len(), in_order.len(), "one object per delivery");
        let delivered: Vec<u8> = in_order.iter().flat_map(|k| objs[k].clone()).collect();
        prop_assert!(delivered == expected, "delivered bytes differ from the bytes put");
    }
}

#[test]
fn kinesis_source_reads_a_split_shards_children_after_the_parent() {
    let mut e = engine();
    bucket(&mut e, "lake");
    e.kinesis()
        .create_stream(CreateStreamRequest { stream_name: "s".into(), shard_count: Some(1), ..Default::default() })
        .unwrap();
    e.advance_by(kinesis::STREAM_CREATE_DELAY);
    e.firehose()
        .create_delivery_stream(CreateDeliveryStreamRequest {
            delivery_stream_name: "d".into(),
            delivery_stream_type: Some("KinesisStreamAsSource".into()),
            kinesis_stream_source: Some(KinesisStreamSourceConfiguration {
                kinesis_stream_arn: "arn:aws:kinesis:us-east-1:000000000000:stream/s".into(),
                role_arn: "arn:aws:iam::000000000000:role/r".into(),
            }),
            extended_s3_destination: Some(s3_config("lake", Some(1), Some(120))),
            ..Default::default()
        })
        .unwrap();
    e.advance_by(CREATE_DELAY);
    let (at, deadline) = e.peek_deadline().map(|(t, d)| (t, d.clone())).unwrap();
    assert_eq!(at, e.now() + SOURCE_POLL_INTERVAL);
    assert_eq!(e.describe_deadline(&deadline), "delivery stream d reads its Kinesis stream");
    let kput = |e: &mut Engine, data: &str| {
        e.kinesis()
            .put_record(kinesis::PutRecordRequest {
                stream: StreamRef::named("s"),
                partition_key: "k".into(),
                data: data.as_bytes().to_vec(),
                ..Default::default()
            })
            .unwrap();
    };
    kput(&mut e, "parent;");
    e.kinesis()
        .split_shard(kinesis::SplitShardRequest {
            stream: StreamRef::named("s"),
            shard_to_split: "shardId-000000000000".into(),
            new_starting_hash_key: "170141183460469231731687303715884105728".into(),
        })
        .unwrap();
    e.advance_by(kinesis::RESHARD_DELAY);
    kput(&mut e, "child;");
    e.advance_by(SimDuration::from_secs(5));
    let readers: Vec<String> = e
        .firehose_state()
        .delivery_stream("d")
        .unwrap()
        .source
        .as_ref()
        .unwrap()
        .readers
        .iter()
        .map(|r| r.shard_id.clone())
        .collect();
    assert_eq!(readers, ["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]);
    e.advance_by(SimDuration::from_secs(120));
    let bodies: Vec<Vec<u8>> = objects(&mut e, "lake").into_iter().map(|(_, b)| b).collect();
    assert_eq!(bodies, [b"parent;child;".to_vec()]);
}

fn create(e: &mut Engine, req: CreateDeliveryStreamRequest) -> Result<String, FirehoseError> {
    let arn = e.firehose().create_delivery_stream(req)?;
    e.advance_by(CREATE_DELAY);
    Ok(arn)
}

#[test]
fn opensearch_indexes_by_hour_and_backs_up_only_when_asked() {
    let mut e = engine();
    bucket(&mut e, "backup");
    let opensearch = |backup: Option<&str>| OpenSearchDestinationConfiguration {
        role_arn: "arn:aws:iam::000000000000:role/firehose".into(),
        domain_arn: Some("arn:aws:es:us-east-1:000000000000:domain/logs".into()),
        index_name: "clicks".into(),
        index_rotation_period: Some("OneHour".into()),
        buffering_hints: Some(BufferingHints { size_in_mbs: Some(1), interval_in_seconds: Some(60) }),
        s3_backup_mode: backup.map(String::from),
        s3: s3_config("backup", None, None),
        ..Default::default()
    };
    let req = |name: &str, c: OpenSearchDestinationConfiguration| CreateDeliveryStreamRequest {
        delivery_stream_name: name.into(),
        opensearch_destination: Some(c),
        ..Default::default()
    };
    create(&mut e, req("search", opensearch(None))).unwrap();
    create(&mut e, req("search-all", opensearch(Some("AllDocuments")))).unwrap();
    let d = e.firehose().describe_delivery_stream("search").unwrap();
    let settings = d.other_destination.unwrap();
    assert_eq!((settings.size_in_mbs, settings.interval_in_seconds, settings.retry_duration_in_seconds), (1, 60, 300));
    assert_eq!(settings.s3_backup_mode, "FailedDocumentsOnly");

    // Two records 30 s before the hour, one just after: the 60 s buffer spans two indexes.
    e.advance_to(decouple_engine::SimTime(e.now().as_millis() / 3_600_000 * 3_600_000 + 3_570_000));
    for name in ["search", "search-all"] {
        put(&mut e, name, b"{\"page\":\"/\"}").unwrap();
        put(&mut e, name, b"{\"page\":\"/a\"}").unwrap();
    }
    e.advance_by(SimDuration::from_secs(40));
    for name in ["search", "search-all"] {
        put(&mut e, name, b"{\"page\":\"/b\"}").unwrap();
    }
    e.advance_by(SimDuration::from_secs(20));
    let stream = e.firehose_state().delivery_stream("search").unwrap();
    let other = stream.other_destination.as_ref().unwrap();
    let batches: Vec<(String, u32)> = other.batches.iter().map(|b| (b.target.clone(), b.records)).collect();
    assert_eq!(batches.len(), 2, "{batches:?}");
    assert!(batches[0].0.starts_with("clicks-2026-01-01-") && batches[0].1 == 2, "{batches:?}");
    assert!(batches[1].1 == 1 && batches[1].0 != batches[0].0, "{batches:?}");
    assert_eq!(other.batches[0].preview, ["{\"page\":\"/\"}", "{\"page\":\"/a\"}"]);
    assert_eq!((other.loaded_records, stream.metrics.delivered_records), (3, 3));
    // Nothing failed, so only the AllDocuments stream wrote a backup object.
    let keys: Vec<String> = objects(&mut e, "backup").into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(keys[0].contains("/search-all-1-"), "{keys:?}");
    assert!(e
        .drain_events()
        .iter()
        .any(|l| matches!(&l.event, Event::FirehoseDestinationLoaded { destination: "OpenSearch", records: 2, .. })));

    // Validation, with AWS's ranges.
    let err = create(&mut e, req("x", OpenSearchDestinationConfiguration { domain_arn: None, ..opensearch(None) }))
        .unwrap_err();
    assert_eq!(err.message, "Either DomainARN or ClusterEndpoint must be specified.");
    let big = OpenSearchDestinationConfiguration {
        buffering_hints: Some(BufferingHints { size_in_mbs: Some(101), interval_in_seconds: None }),
        ..opensearch(None)
    };
    let err = create(&mut e, req("x", big)).unwrap_err();
    assert!(err.message.ends_with("Member must have value less than or equal to 100"), "{}", err.message);
}

#[test]
fn redshift_loads_each_intermediate_object_with_a_copy_and_splunk_buffers_a_minute() {
    let mut e = engine();
    bucket(&mut e, "staging");
    create(
        &mut e,
        CreateDeliveryStreamRequest {
            delivery_stream_name: "warehouse".into(),
            redshift_destination: Some(RedshiftDestinationConfiguration {
                role_arn: "arn:aws:iam::000000000000:role/firehose".into(),
                cluster_jdbc_url: "jdbc:redshift://dw.abc123.us-east-1.redshift.amazonaws.com:5439/analytics".into(),
                data_table_name: "clicks".into(),
                s3: s3_config("staging", None, Some(30)),
                ..Default::default()
            }),
            ..Default::default()
        },
    )
    .unwrap();
    put(&mut e, "warehouse", b"1|/home\n").unwrap();
    e.advance_by(SimDuration::from_secs(30));
    let keys: Vec<String> = objects(&mut e, "staging").into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys.len(), 1);
    let other = e.firehose_state().delivery_stream("warehouse").unwrap().other_destination.clone().unwrap();
    assert_eq!(other.batches.len(), 1);
    assert_eq!(other.batches[0].target, "clicks");
    assert_eq!(other.batches[0].copied_from.as_deref(), Some(format!("s3://staging/{}", keys[0]).as_str()));

    let splunk = |interval: Option<i64>| SplunkDestinationConfiguration {
        hec_endpoint: "https://splunk.example.com:8088".into(),
        hec_endpoint_type: "Event".into(),
        buffering_hints: interval.map(|i| BufferingHints { size_in_mbs: None, interval_in_seconds: Some(i) }),
        s3: s3_config("staging", None, None),
        ..Default::default()
    };
    let req = |c| CreateDeliveryStreamRequest {
        delivery_stream_name: "events".into(),
        splunk_destination: Some(c),
        ..Default::default()
    };
    let err = create(&mut e, req(splunk(Some(61)))).unwrap_err();
    assert!(err.message.ends_with("Member must have value less than or equal to 60"), "{}", err.message);
    create(&mut e, req(splunk(None))).unwrap();
    put(&mut e, "events", b"{\"event\":\"login\"}").unwrap();
    e.advance_by(SimDuration::from_secs(59));
    let loaded = |e: &Engine| {
        e.firehose_state().delivery_stream("events").unwrap().other_destination.as_ref().unwrap().loaded_records
    };
    assert_eq!(loaded(&e), 0, "Splunk's default interval is 60 s");
    e.advance_by(SimDuration::from_secs(1));
    assert_eq!(loaded(&e), 1);
    assert_eq!(objects(&mut e, "staging").len(), 1, "FailedEventsOnly: no backup of delivered events");
}

/// The keys delivered by a stream with `prefix` / `error_output_prefix` in an engine seeded `seed`.
fn custom_prefix_keys(seed: u64, prefix: &str, error_output_prefix: &str) -> Vec<String> {
    let mut e = Engine::new(EngineConfig { seed, ..EngineConfig::default() });
    bucket(&mut e, "lake");
    let mut config = s3_config("lake", None, Some(60));
    config.prefix = Some(prefix.into());
    config.error_output_prefix = Some(error_output_prefix.into());
    config.processing = Some(ProcessingConfiguration {
        enabled: Some(true),
        processors: vec![Processor {
            kind: "Lambda".into(),
            parameters: vec![("LambdaArn".into(), "arn:aws:lambda:us-east-1:000000000000:function:f".into())],
        }],
    });
    e.firehose()
        .create_delivery_stream(CreateDeliveryStreamRequest {
            delivery_stream_name: "logs".into(),
            extended_s3_destination: Some(config),
            transform: Some(Transform::FailIfContains("bad".into())),
            ..Default::default()
        })
        .unwrap();
    // Created at 00:00:00, ACTIVE at 00:00:05; the first record arrives at 00:59:30.
    e.advance_by(SimDuration::from_secs(3_570));
    put(&mut e, "logs", b"first;").unwrap();
    e.advance_by(SimDuration::from_secs(40));
    put(&mut e, "logs", b"bad, at 01:00:10;").unwrap();
    put(&mut e, "logs", b"last;").unwrap();
    e.advance_by(SimDuration::from_secs(20));
    objects(&mut e, "lake").into_iter().map(|(k, _)| k).collect()
}

#[test]
fn custom_prefixes_evaluate_at_the_oldest_records_arrival_even_across_an_hour() {
    let keys = custom_prefix_keys(
        5,
        "logs/!{timestamp:yyyy/MM/dd/HH}/",
        "errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd'T'HH}/",
    );
    assert_eq!(keys.len(), 2, "{keys:?}");
    // One object for the buffer, named by its oldest record (00:59:30), though
    // most of its records arrived at 01:00:10.
    assert_key(&keys[1], "logs/2026/01/01/00/logs-1-2026-01-01-00-59-30-");
    // The failed record is alone in its object: its own arrival names it.
    assert_key(&keys[0], "errors/processing-failed/2026-01-01T01/logs-1-2026-01-01-01-00-10-");
}

#[test]
fn random_strings_in_prefixes_are_eleven_characters_and_reproducible_for_a_seed() {
    let prefix = "r/!{firehose:random-string}/";
    let error = "e/!{firehose:error-output-type}/!{firehose:random-string}/";
    let keys = custom_prefix_keys(5, prefix, error);
    assert_eq!(keys.len(), 2);
    for key in &keys {
        let random = key.split('/').find(|p| p.len() == 11 && p.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(random.is_some(), "{key} has no 11-character random string");
    }
    // No timestamp in Prefix: the default time path follows the random string.
    assert!(keys[1].starts_with("r/") && keys[1][14..].starts_with("2026/01/01/00/logs-1-"), "{}", keys[1]);
    assert_eq!(custom_prefix_keys(5, prefix, error), keys, "the same seed gives the same keys");
    assert_ne!(custom_prefix_keys(6, prefix, error), keys, "another seed, other strings");
}

#[test]
fn invalid_custom_prefixes_are_refused_at_creation_with_aws_errors() {
    let mut e = engine();
    bucket(&mut e, "lake");
    let mut attempt = |prefix: Option<&str>, error: Option<&str>| {
        let mut config = s3_config("lake", None, None);
        config.prefix = prefix.map(Into::into);
        config.error_output_prefix = error.map(Into::into);
        create(
            &mut e,
            CreateDeliveryStreamRequest {
                delivery_stream_name: "bad".into(),
                extended_s3_destination: Some(config),
                ..Default::default()
            },
        )
        .unwrap_err()
    };
    let err = attempt(Some("logs/!{timestamp:yyyy}/"), None);
    assert_eq!(err.code, FirehoseErrorCode::InvalidArgumentException);
    assert_eq!(
        err.message,
        "Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"
    );
    assert!(attempt(Some("!{firehose:error-output-type}/"), Some("e/!{firehose:error-output-type}"))
        .message
        .contains("Prefix cannot contain !{firehose:error-output-type}"));
    assert!(attempt(Some("!{partitionKeyFromQuery:id}/"), Some("e/!{firehose:error-output-type}"))
        .message
        .starts_with("Dynamic Partitioning Namespaces"));
    assert!(attempt(Some("!{timestamp:EEE}/"), Some("e/!{firehose:error-output-type}")).message.contains("EEE"));
    // Nothing was created.
    assert!(e.firehose_state().delivery_stream("bad").is_none());
    let d = {
        direct(&mut e, "good", {
            let mut c = s3_config("lake", None, None);
            c.prefix = Some("logs/!{timestamp:yyyy}/".into());
            c.error_output_prefix = Some("e/!{firehose:error-output-type}/".into());
            c
        });
        e.firehose().describe_delivery_stream("good").unwrap()
    };
    assert_eq!(d.destination.prefix.as_deref(), Some("logs/!{timestamp:yyyy}/"));
    assert_eq!(d.destination.error_output_prefix.as_deref(), Some("e/!{firehose:error-output-type}/"));
}
