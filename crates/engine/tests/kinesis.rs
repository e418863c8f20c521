#![cfg(feature = "kinesis")]
//! Kinesis Data Streams: lifecycle, routing by MD5 hash key, sequence
//! numbers, iterators, the per-shard quotas, retention and resharding, with
//! AWS's error names and messages.

use decouple_engine::kinesis::*;
use decouple_engine::{Engine, EngineConfig, Event, SimDuration};

const ACCOUNT: &str = "000000000000";

fn engine() -> Engine {
    Engine::new(EngineConfig { seed: 11, ..EngineConfig::default() })
}

fn stream(name: &str) -> StreamRef {
    StreamRef::named(name)
}

/// A provisioned stream with `shards` shards, already ACTIVE.
fn active_stream(e: &mut Engine, name: &str, shards: i64) {
    e.kinesis()
        .create_stream(CreateStreamRequest {
            stream_name: name.into(),
            shard_count: Some(shards),
            ..Default::default()
        })
        .unwrap();
    e.advance_by(STREAM_CREATE_DELAY);
    assert_eq!(e.kinesis_state().stream(name).unwrap().status, StreamStatus::Active);
}

fn put(e: &mut Engine, name: &str, key: &str, data: &str) -> Result<PutRecordResponse, KinesisError> {
    e.kinesis().put_record(PutRecordRequest {
        stream: stream(name),
        partition_key: key.into(),
        data: data.as_bytes().to_vec(),
        ..Default::default()
    })
}

fn iterator(e: &mut Engine, name: &str, shard: &str, kind: &str, seq: Option<&str>) -> Result<String, KinesisError> {
    e.kinesis().get_shard_iterator(GetShardIteratorRequest {
        stream: stream(name),
        shard_id: shard.into(),
        shard_iterator_type: kind.into(),
        starting_sequence_number: seq.map(Into::into),
        timestamp: None,
    })
}

fn get(e: &mut Engine, it: &str) -> Result<GetRecordsResponse, KinesisError> {
    e.kinesis().get_records(GetRecordsRequest { shard_iterator: it.into(), limit: None, stream_arn: None })
}

fn bodies(r: &GetRecordsResponse) -> Vec<String> {
    r.records.iter().map(|r| String::from_utf8(r.data.clone()).unwrap()).collect()
}

#[test]
fn a_stream_is_creating_for_a_while_then_active_with_even_hash_ranges() {
    let mut e = engine();
    e.kinesis()
        .create_stream(CreateStreamRequest { stream_name: "orders".into(), shard_count: Some(2), ..Default::default() })
        .unwrap();
    let d =
        e.kinesis().describe_stream(DescribeStreamRequest { stream: stream("orders"), ..Default::default() }).unwrap();
    assert_eq!(d.status, StreamStatus::Creating);
    assert_eq!(d.stream_arn, "arn:aws:kinesis:us-east-1:000000000000:stream/orders");
    let err = put(&mut e, "orders", "k", "x").unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ResourceNotFoundException);
    assert_eq!(err.message, "Stream orders under account 000000000000 not found.");

    e.advance_by(STREAM_CREATE_DELAY);
    let d =
        e.kinesis().describe_stream(DescribeStreamRequest { stream: stream("orders"), ..Default::default() }).unwrap();
    assert_eq!(d.status, StreamStatus::Active);
    assert_eq!(d.retention_period_hours, 24);
    assert_eq!(d.shards.len(), 2);
    assert_eq!(d.shards[0].shard_id, "shardId-000000000000");
    assert_eq!(d.shards[0].hash_key_range, HashKeyRange { starting: 0, ending: (1u128 << 127) - 1 });
    assert_eq!(d.shards[1].hash_key_range, HashKeyRange { starting: 1u128 << 127, ending: u128::MAX });
    assert!(d.shards[0].ending_sequence_number.is_none());

    let err = e
        .kinesis()
        .create_stream(CreateStreamRequest { stream_name: "orders".into(), shard_count: Some(1), ..Default::default() })
        .unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ResourceInUseException);
    assert_eq!(err.message, "Stream orders under account 000000000000 already exists.");
}

#[test]
fn on_demand_streams_start_with_four_shards_and_refuse_resharding() {
    let mut e = engine();
    e.kinesis()
        .create_stream(CreateStreamRequest {
            stream_name: "clicks".into(),
            mode: Some(StreamMode::OnDemand),
            ..Default::default()
        })
        .unwrap();
    e.advance_by(STREAM_CREATE_DELAY);
    let s = e.kinesis().describe_stream_summary(stream("clicks")).unwrap();
    assert_eq!((s.open_shard_count, s.mode), (4, StreamMode::OnDemand));
    let err = e
        .kinesis()
        .update_shard_count(UpdateShardCountRequest {
            stream: stream("clicks"),
            target_shard_count: 8,
            scaling_type: "UNIFORM_SCALING".into(),
        })
        .unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ValidationException);
    assert_eq!(err.message, "Request is invalid. Stream clicks under account 000000000000 is in On-Demand mode.");
}

#[test]
fn bad_names_and_counts_get_aws_validation_errors() {
    let mut e = engine();
    let err = e
        .kinesis()
        .create_stream(CreateStreamRequest {
            stream_name: "bad name".into(),
            shard_count: Some(1),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ValidationException);
    assert!(err.message.contains("Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"), "{err}");
    let err = e
        .kinesis()
        .create_stream(CreateStreamRequest { stream_name: "s".into(), shard_count: Some(0), ..Default::default() })
        .unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ValidationException);
    let err = e
        .kinesis()
        .create_stream(CreateStreamRequest { stream_name: "s".into(), shard_count: Some(501), ..Default::default() })
        .unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::LimitExceededException);
    assert!(err.message.starts_with("This request would exceed the shard limit for the account 000000000000 in us-east-1. Current shard count for the account: 0. Limit: 500."), "{err}");
}

#[test]
fn partition_keys_are_one_to_256_characters_not_bytes() {
    let mut e = engine();
    active_stream(&mut e, "keys", 1);
    let err = put(&mut e, "keys", "", "x").unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ValidationException);
    assert_eq!(
        err.message,
        "1 validation error detected: Value '' at 'partitionKey' failed to satisfy constraint: \
         Member must have length greater than or equal to 1"
    );
    // 256 two-byte characters are 512 bytes, and still a valid key.
    let wide = "é".repeat(256);
    put(&mut e, "keys", &wide, "x").unwrap();
    put(&mut e, "keys", &"k".repeat(256), "x").unwrap();
    for long in ["é".repeat(257), "k".repeat(257)] {
        let err = put(&mut e, "keys", &long, "x").unwrap_err();
        assert_eq!(err.code, KinesisErrorCode::ValidationException);
        assert!(err.message.ends_with("Member must have length less than or equal to 256"), "{}", err.message);
    }
}

#[test]
fn partition_keys_route_by_md5_and_sequence_numbers_increase_per_shard() {
    let mut e = engine();
    active_stream(&mut e, "s", 4);
    // MD5("1") = 261578874264819908609102035485573088411, in the fourth quarter.
    let first = put(&mut e, "s", "1", "a").unwrap();
    assert_eq!(first.shard_id.as_str(), "shardId-000000000003");
    let second = put(&mut e, "s", "1", "b").unwrap();
    assert_eq!(second.shard_id.as_str(), "shardId-000000000003");
    assert_eq!(first.sequence_number.len(), 56);
    assert!(second.sequence_number > first.sequence_number);

    // An explicit hash key overrides the partition key.
    let pinned = e
        .kinesis()
        .put_record(PutRecordRequest {
            stream: stream("s"),
            partition_key: "1".into(),
            data: b"c".to_vec(),
            explicit_hash_key: Some("0".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(pinned.shard_id.as_str(), "shardId-000000000000");
    let err = e
        .kinesis()
        .put_record(PutRecordRequest {
            stream: stream("s"),
            partition_key: "1".into(),
            data: b"c".to_vec(),
            explicit_hash_key: Some("340282366920938463463374607431768211456".into()),
            ..Default::default()
        })
        .unwrap_err();
    assert_eq!(err.message, "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was 340282366920938463463374607431768211456");
}

#[test]
fn iterators_read_from_trim_horizon_latest_and_sequence_numbers() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    let seqs: Vec<SequenceNumberText> =
        ["a", "b", "c"].iter().map(|d| put(&mut e, "s", "k", d).unwrap().sequence_number).collect();
    let shard = "shardId-000000000000";

    let it = iterator(&mut e, "s", shard, "TRIM_HORIZON", None).unwrap();
    let page = get(&mut e, &it).unwrap();
    assert_eq!(bodies(&page), ["a", "b", "c"]);
    assert_eq!(page.records[1].sequence_number, seqs[1]);
    assert_eq!(page.millis_behind_latest, 0);
    assert!(page.child_shards.is_none());

    let it = iterator(&mut e, "s", shard, "AT_SEQUENCE_NUMBER", Some(&seqs[1])).unwrap();
    assert_eq!(bodies(&get(&mut e, &it).unwrap()), ["b", "c"]);
    let it = iterator(&mut e, "s", shard, "AFTER_SEQUENCE_NUMBER", Some(&seqs[1])).unwrap();
    assert_eq!(bodies(&get(&mut e, &it).unwrap()), ["c"]);

    let latest = iterator(&mut e, "s", shard, "LATEST", None).unwrap();
    let empty = get(&mut e, &latest).unwrap();
    assert!(empty.records.is_empty());
    e.advance_by(SimDuration::from_secs(1));
    put(&mut e, "s", "k", "d").unwrap();
    let next = empty.next_shard_iterator.unwrap();
    assert_eq!(bodies(&get(&mut e, &next).unwrap()), ["d"]);

    // A limit of 1 leaves the consumer behind the tip.
    e.advance_by(SimDuration::from_secs(3));
    let it = iterator(&mut e, "s", shard, "TRIM_HORIZON", None).unwrap();
    let page =
        e.kinesis().get_records(GetRecordsRequest { shard_iterator: it, limit: Some(1), stream_arn: None }).unwrap();
    assert_eq!(bodies(&page), ["a"]);
    assert_eq!(page.millis_behind_latest, 4_000);
}

#[test]
fn iterator_arguments_are_checked_as_aws_checks_them() {
    let mut e = engine();
    active_stream(&mut e, "s", 2);
    let seq = put(&mut e, "s", "1", "a").unwrap().sequence_number; // shard 1
    let err = iterator(&mut e, "s", "shardId-000000000000", "AT_SEQUENCE_NUMBER", Some(&seq)).unwrap_err();
    assert_eq!(
        err.message,
        "Invalid StartingSequenceNumber. It encodes shardId-000000000001, while it was used in a call to a shard with shardId-000000000000"
    );
    let err = iterator(&mut e, "s", "shardId-000000000000", "LATEST", Some(&seq)).unwrap_err();
    assert!(err.message.ends_with("Request specified LATEST and also a StartingSequenceNumber."), "{err}");
    let err = iterator(&mut e, "s", "shardId-000000000000", "AT_SEQUENCE_NUMBER", None).unwrap_err();
    assert!(err.message.ends_with("Request specified AT_SEQUENCE_NUMBER and no StartingSequenceNumber."), "{err}");
    let err = iterator(&mut e, "s", "shardId-000000000007", "LATEST", None).unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ResourceNotFoundException);
    assert_eq!(err.message, "Shard shardId-000000000007 in stream s under account 000000000000 does not exist");
    let err = iterator(&mut e, "s", "shardId-000000000000", "SOMEWHERE", None).unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ValidationException);
    let err = get(&mut e, "bm90IGFuIGl0ZXJhdG9y").unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        (KinesisErrorCode::InvalidArgumentException, "Invalid ShardIterator.")
    );
}

#[test]
fn iterators_expire_after_five_minutes() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    let it = iterator(&mut e, "s", "shardId-000000000000", "TRIM_HORIZON", None).unwrap();
    e.advance_by(SimDuration::from_mins(5));
    assert!(get(&mut e, &it).is_ok(), "exactly five minutes is still tolerated");
    e.advance_by(SimDuration::from_millis(1));
    let err = get(&mut e, &it).unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ExpiredIteratorException);
    assert_eq!(
        err.message,
        "Iterator expired. The iterator was created at time Thu Jan 01 00:00:10 UTC 2026 while right now it is Thu Jan 01 00:05:10 UTC 2026 which is further in the future than the tolerated delay of 300000 milliseconds."
    );
}

#[test]
fn a_shard_takes_a_thousand_records_per_second_and_throttles_the_rest() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    let entries: Vec<PutRecordsEntry> = (0..500)
        .map(|i| PutRecordsEntry { partition_key: format!("user-{i}"), data: vec![b'x'; 10], explicit_hash_key: None })
        .collect();
    for _ in 0..2 {
        let r = e.kinesis().put_records(PutRecordsRequest { stream: stream("s"), records: entries.clone() }).unwrap();
        assert_eq!(r.failed_record_count, 0);
    }
    let r = e.kinesis().put_records(PutRecordsRequest { stream: stream("s"), records: entries[..3].to_vec() }).unwrap();
    assert_eq!(r.failed_record_count, 3);
    assert_eq!(
        r.records[0],
        PutRecordsResult::Failed {
            error_code: "ProvisionedThroughputExceededException".into(),
            error_message: "Rate exceeded for shard shardId-000000000000 in stream s under account 000000000000."
                .into(),
        }
    );
    let err = put(&mut e, "s", "k", "x").unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ProvisionedThroughputExceededException);
    e.advance_by(SimDuration::from_secs(1));
    put(&mut e, "s", "k", "x").unwrap();
    let shard = &e.kinesis_state().stream("s").unwrap().shards[0];
    assert_eq!((shard.metrics.incoming_records, shard.metrics.write_throttled), (1001, 4));
}

#[test]
fn a_shard_takes_one_mebibyte_per_second() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    let half = "x".repeat(512 * 1024 - 1);
    put(&mut e, "s", "k", &half).unwrap();
    put(&mut e, "s", "k", &half).unwrap();
    let err = put(&mut e, "s", "k", "x").unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ProvisionedThroughputExceededException);
    let too_big = "x".repeat(1024 * 1024);
    e.advance_by(SimDuration::from_secs(1));
    let err = put(&mut e, "s", "k", &too_big).unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ValidationException);
    assert_eq!(
        err.message,
        "1 validation error detected: Value at 'data' failed to satisfy constraint: Member must have length less than or equal to 1048576"
    );
}

#[test]
fn reads_are_limited_to_five_calls_per_second_per_shard() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    let mut it = iterator(&mut e, "s", "shardId-000000000000", "TRIM_HORIZON", None).unwrap();
    for _ in 0..5 {
        it = get(&mut e, &it).unwrap().next_shard_iterator.unwrap();
    }
    let err = get(&mut e, &it).unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ProvisionedThroughputExceededException);
    assert_eq!(err.message, "Rate exceeded for Shard - 000000000000/s/shardId-000000000000");
    let shard = |e: &Engine| e.kinesis_state().stream("s").unwrap().shards[0].reads_at(e.now());
    assert_eq!((shard(&e).calls, shard(&e).blocked_until), (5, None), "the throttled call is not counted");
    e.advance_by(SimDuration::from_secs(1));
    assert_eq!(shard(&e).calls, 0, "a new second");
    assert!(get(&mut e, &it).is_ok());
    assert_eq!(shard(&e).calls, 1);
}

#[test]
fn reading_more_than_two_mebibytes_blocks_the_shard_until_paid_off() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    let big = "x".repeat(1000 * 1024);
    for _ in 0..5 {
        put(&mut e, "s", "k", &big).unwrap();
        e.advance_by(SimDuration::from_secs(1));
    }
    let it = iterator(&mut e, "s", "shardId-000000000000", "TRIM_HORIZON", None).unwrap();
    let page = get(&mut e, &it).unwrap();
    assert_eq!(page.records.len(), 5);
    let next = page.next_shard_iterator.unwrap();
    // About 5 MB read: the shard is blocked for three seconds at 2 MiB/s.
    let reads = e.kinesis_state().stream("s").unwrap().shards[0].reads_at(e.now());
    assert!(reads.bytes > 5_000_000, "{reads:?}");
    assert_eq!(reads.blocked_until.map(|t| t.saturating_sub(e.now()).as_secs()), Some(3));
    e.advance_by(SimDuration::from_secs(2));
    assert_eq!(get(&mut e, &next).unwrap_err().code, KinesisErrorCode::ProvisionedThroughputExceededException);
    e.advance_by(SimDuration::from_secs(1));
    assert!(get(&mut e, &next).is_ok());
}

#[test]
fn reads_return_the_sequence_numbers_writes_answered_with() {
    // Records are written a few per second and several to a second (the
    // engine derives each record's digits from the one before it when they
    // share a second), by PutRecord and PutRecords, then read from every start.
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    let mut written = Vec::new();
    for round in 0..12u64 {
        written.push(put(&mut e, "s", "k", &format!("{round}")).unwrap().sequence_number);
        let batch = e
            .kinesis()
            .put_records(PutRecordsRequest {
                stream: stream("s"),
                records: (0..3)
                    .map(|i| PutRecordsEntry {
                        partition_key: "k".into(),
                        data: format!("{round}.{i}").into_bytes(),
                        ..Default::default()
                    })
                    .collect(),
            })
            .unwrap();
        for result in batch.records {
            let PutRecordsResult::Ok { sequence_number, .. } = result else { panic!("throttled") };
            written.push(sequence_number);
        }
        e.advance_by(SimDuration::from_millis(300 + 100 * (round % 3)));
    }
    let mut sorted = written.clone();
    sorted.sort_by_key(|s| (s.len(), *s));
    assert_eq!(sorted, written, "sequence numbers increase");
    let shard = "shardId-000000000000";
    for (from, seq) in written.iter().enumerate() {
        let it = iterator(&mut e, "s", shard, "AT_SEQUENCE_NUMBER", Some(seq)).unwrap();
        e.advance_by(SimDuration::from_millis(200));
        let read: Vec<SequenceNumberText> =
            get(&mut e, &it).unwrap().records.into_iter().map(|r| r.sequence_number).collect();
        assert_eq!(read, written[from..], "read from record {from}");
    }
}

#[test]
fn trimmed_records_give_their_memory_back() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    let data = "x".repeat(100);
    for _ in 0..2_000 {
        put(&mut e, "s", "k", &data).unwrap();
        e.advance_by(SimDuration::from_millis(10));
    }
    let shard = |e: &Engine| {
        (
            e.kinesis_state().stream("s").unwrap().shards[0].records.len(),
            e.kinesis_state().stream("s").unwrap().shards[0].record_bytes_held(),
        )
    };
    // Each record holds its data and its key (its sequence number is not kept).
    let per_record = 100 + 1;
    let (kept, held_before) = shard(&e);
    assert_eq!(kept, 2_000);
    assert!((2_000 * per_record..2 * 2_000 * per_record).contains(&held_before), "{held_before} bytes");
    e.advance_by(SimDuration::from_secs(24 * 3600 - 10));
    let (kept, held) = shard(&e);
    assert!(kept > 0 && kept < 2_000, "{kept} records are a day old");
    // Blocks go whole: at most the two newest of each kind hold trimmed records too.
    assert!(held < held_before && held <= kept * per_record + 4 * 64 * 1024, "{held} bytes for {kept} records");
    e.advance_by(SimDuration::from_secs(60));
    assert_eq!(shard(&e), (0, 0));
}

#[test]
fn records_stay_for_the_whole_retention_and_go_at_the_next_whole_second() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    // Five records within one second, the first 200 ms past it.
    e.advance_by(SimDuration::from_millis(200));
    let start = e.now();
    for i in 0..5 {
        put(&mut e, "s", "k", &format!("r{i}")).unwrap();
        e.advance_by(SimDuration::from_millis(150));
    }
    let day = SimDuration::from_secs(24 * 3600);
    let kept = |e: &Engine| e.kinesis_state().stream("s").unwrap().shards[0].records.len();
    // The last record arrived at start + 600 ms: readable a day later to the millisecond.
    e.advance_to(start + day + SimDuration::from_millis(600));
    assert_eq!(kept(&e), 5, "every record is kept for its whole retention period");
    let (due, _) = e.peek_deadline().unwrap();
    assert_eq!(due.as_millis() % 1000, 0, "trims fall on whole seconds");
    assert_eq!(due, start + day + SimDuration::from_millis(800));
    e.drain_events();
    e.advance_to(due);
    assert_eq!(kept(&e), 0, "one trim takes all five");
    let expired: Vec<u32> = e
        .drain_events()
        .into_iter()
        .filter_map(|logged| match logged.event {
            Event::RecordsExpired { count, .. } => Some(count),
            _ => None,
        })
        .collect();
    assert_eq!(expired, [5]);
}

#[test]
fn records_are_trimmed_after_the_retention_period() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    put(&mut e, "s", "k", "old").unwrap();
    e.advance_by(SimDuration::from_secs(3600));
    put(&mut e, "s", "k", "new").unwrap();
    e.advance_by(SimDuration::from_secs(23 * 3600));
    let it = iterator(&mut e, "s", "shardId-000000000000", "TRIM_HORIZON", None).unwrap();
    assert_eq!(bodies(&get(&mut e, &it).unwrap()), ["new"]);
    assert_eq!(
        e.describe_deadline(e.peek_deadline().unwrap().1),
        "s: oldest record of shardId-000000000000 passes retention"
    );

    e.kinesis()
        .increase_stream_retention_period(RetentionPeriodRequest { stream: stream("s"), retention_period_hours: 48 })
        .unwrap();
    e.advance_by(SimDuration::from_secs(2 * 3600));
    let it = iterator(&mut e, "s", "shardId-000000000000", "TRIM_HORIZON", None).unwrap();
    assert_eq!(bodies(&get(&mut e, &it).unwrap()), ["new"], "kept: 25 h old, retention now 48 h");

    let err = e
        .kinesis()
        .increase_stream_retention_period(RetentionPeriodRequest { stream: stream("s"), retention_period_hours: 30 })
        .unwrap_err();
    assert_eq!(err.message, "Requested retention period (30 hours) for stream s can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API.");
    let err = e
        .kinesis()
        .decrease_stream_retention_period(RetentionPeriodRequest { stream: stream("s"), retention_period_hours: 12 })
        .unwrap_err();
    assert_eq!(
        err.message,
        "Minimum allowed retention period is 24 hours. Requested retention period (12 hours) is too short."
    );
    let err = e
        .kinesis()
        .increase_stream_retention_period(RetentionPeriodRequest { stream: stream("s"), retention_period_hours: 8761 })
        .unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::InvalidArgumentException);

    e.kinesis()
        .decrease_stream_retention_period(RetentionPeriodRequest { stream: stream("s"), retention_period_hours: 24 })
        .unwrap();
    e.advance_by(SimDuration::ZERO);
    let it = iterator(&mut e, "s", "shardId-000000000000", "TRIM_HORIZON", None).unwrap();
    assert!(get(&mut e, &it).unwrap().records.is_empty());
    assert_eq!(e.pending_deadlines(), 0);
}

#[test]
fn splitting_closes_the_parent_and_readers_move_on_to_the_children() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    put(&mut e, "s", "k", "before").unwrap();
    let parent_it = iterator(&mut e, "s", "shardId-000000000000", "TRIM_HORIZON", None).unwrap();
    let middle = (1u128 << 127).to_string();
    e.kinesis()
        .split_shard(SplitShardRequest {
            stream: stream("s"),
            shard_to_split: "shardId-000000000000".into(),
            new_starting_hash_key: middle.clone(),
        })
        .unwrap();
    assert_eq!(e.kinesis_state().stream("s").unwrap().status, StreamStatus::Updating);
    let err = e
        .kinesis()
        .split_shard(SplitShardRequest {
            stream: stream("s"),
            shard_to_split: "shardId-000000000000".into(),
            new_starting_hash_key: middle.clone(),
        })
        .unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ResourceInUseException);
    assert_eq!(err.message, "Stream s under account 000000000000 not ACTIVE, instead in state UPDATING");
    put(&mut e, "s", "k", "during").unwrap();

    e.advance_by(RESHARD_DELAY);
    let d = e.kinesis().describe_stream(DescribeStreamRequest { stream: stream("s"), ..Default::default() }).unwrap();
    assert_eq!(d.status, StreamStatus::Active);
    assert_eq!(d.shards.len(), 3);
    assert!(d.shards[0].ending_sequence_number.is_some());
    assert_eq!(d.shards[1].parent_shard_id.as_deref(), Some("shardId-000000000000"));
    assert_eq!(d.shards[1].hash_key_range.ending + 1, d.shards[2].hash_key_range.starting);

    let after = put(&mut e, "s", "k", "after").unwrap();
    assert_ne!(after.shard_id.as_str(), "shardId-000000000000");
    let page = get(&mut e, &parent_it).unwrap();
    assert_eq!(bodies(&page), ["before", "during"]);
    assert!(page.next_shard_iterator.is_none(), "a closed shard read to its end has no next iterator");
    let children = page.child_shards.unwrap();
    assert_eq!(children.len(), 2);
    assert_eq!(children[0].parent_shards, ["shardId-000000000000"]);

    let err = e
        .kinesis()
        .split_shard(SplitShardRequest {
            stream: stream("s"),
            shard_to_split: "shardId-000000000000".into(),
            new_starting_hash_key: middle,
        })
        .unwrap_err();
    assert_eq!(err.message, "Shard shardId-000000000000 in stream s under account 000000000000 has already been merged or split, and thus is not eligible for merging or splitting.");
    let err = e
        .kinesis()
        .split_shard(SplitShardRequest {
            stream: stream("s"),
            shard_to_split: "shardId-000000000001".into(),
            new_starting_hash_key: "1".into(),
        })
        .unwrap_err();
    assert!(err.message.starts_with("NewStartingHashKey 1 used in SplitShard() on shard shardId-000000000001 in stream s under account 000000000000 is not both greater than one plus the shard's StartingHashKey 0"), "{err}");
}

#[test]
fn merging_needs_adjacent_shards() {
    let mut e = engine();
    active_stream(&mut e, "s", 3);
    let merge = |e: &mut Engine, a: &str, b: &str| {
        e.kinesis().merge_shards(MergeShardsRequest {
            stream: stream("s"),
            shard_to_merge: a.into(),
            adjacent_shard_to_merge: b.into(),
        })
    };
    let err = merge(&mut e, "shardId-000000000000", "shardId-000000000002").unwrap_err();
    assert_eq!(err.message, "Shards shardId-000000000000 and shardId-000000000002 in stream s under account 000000000000 are not an adjacent pair of shards eligible for merging");
    let err = merge(&mut e, "shardId-000000000000", "shardId-000000000009").unwrap_err();
    assert_eq!(err.message, "Could not find shard shardId-000000000009 in stream s under account 000000000000.");
    merge(&mut e, "shardId-000000000001", "shardId-000000000002").unwrap();
    e.advance_by(RESHARD_DELAY);
    let stream_state = e.kinesis_state().stream("s").unwrap();
    let child = &stream_state.shards[3];
    assert_eq!((child.parent, child.adjacent_parent), (Some(1), Some(2)));
    assert_eq!(child.range.ending, u128::MAX);
    assert_eq!(stream_state.open_shard_count(), 2);
}

#[test]
fn update_shard_count_splits_and_merges_to_an_even_split() {
    let mut e = engine();
    active_stream(&mut e, "s", 4);
    let update = |e: &mut Engine, target: i64| {
        e.kinesis().update_shard_count(UpdateShardCountRequest {
            stream: stream("s"),
            target_shard_count: target,
            scaling_type: "UNIFORM_SCALING".into(),
        })
    };
    let err = update(&mut e, 9).unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::LimitExceededException);
    assert_eq!(err.message, "UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: 4, Target shard count: 9");
    let err = update(&mut e, 1).unwrap_err();
    assert_eq!(err.message, "UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: 4, Target shard count: 1");

    let r = update(&mut e, 5).unwrap();
    assert_eq!((r.current_shard_count, r.target_shard_count), (4, 5));
    e.advance_by(UPDATE_SHARD_COUNT_DELAY);
    let s = e.kinesis_state().stream("s").unwrap();
    assert_eq!(s.shards.len(), 15, "4 original + 4 splits × 2 + 3 merges");
    let mut open: Vec<(u128, u128)> = s.open_shards().map(|s| (s.range.starting, s.range.ending)).collect();
    open.sort();
    assert_eq!(open, keys::even_ranges(5));
    assert!(s.shards.iter().all(|sh| sh.parent.is_some() || sh.number < 4));
}

#[test]
fn deleting_a_stream_takes_a_while_and_then_it_is_gone() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    put(&mut e, "s", "k", "x").unwrap();
    e.kinesis().delete_stream(DeleteStreamRequest { stream: stream("s"), ..Default::default() }).unwrap();
    let s = e.kinesis().describe_stream_summary(stream("s")).unwrap();
    assert_eq!(s.status, StreamStatus::Deleting);
    assert_eq!(put(&mut e, "s", "k", "x").unwrap_err().code, KinesisErrorCode::ResourceNotFoundException);
    e.advance_by(STREAM_DELETE_DELAY);
    assert!(e.kinesis_state().stream("s").is_none());
    assert_eq!(e.pending_deadlines(), 0);
    let err = e.kinesis().describe_stream_summary(stream("s")).unwrap_err();
    assert_eq!(err.message, format!("Stream s under account {ACCOUNT} not found."));
}

#[test]
fn list_streams_and_shards_page_through() {
    let mut e = engine();
    for name in ["a", "b", "c"] {
        active_stream(&mut e, name, 3);
    }
    let page = e.kinesis().list_streams(ListStreamsRequest { limit: Some(2), ..Default::default() }).unwrap();
    assert_eq!(page.stream_names, ["a", "b"]);
    assert!(page.has_more_streams);
    let rest =
        e.kinesis().list_streams(ListStreamsRequest { next_token: page.next_token, ..Default::default() }).unwrap();
    assert_eq!(rest.stream_names, ["c"]);

    let shards = e
        .kinesis()
        .list_shards(ListShardsRequest { stream: stream("a"), max_results: Some(2), ..Default::default() })
        .unwrap();
    assert_eq!(shards.shards.len(), 2);
    let more =
        e.kinesis().list_shards(ListShardsRequest { next_token: shards.next_token, ..Default::default() }).unwrap();
    assert_eq!(more.shards.iter().map(|s| s.shard_id.as_str()).collect::<Vec<_>>(), ["shardId-000000000002"]);
    assert!(more.next_token.is_none());
}

#[test]
fn enhanced_fan_out_consumers_register_and_become_active() {
    let mut e = engine();
    active_stream(&mut e, "s", 1);
    let arn = "arn:aws:kinesis:us-east-1:000000000000:stream/s";
    let c = e.kinesis().register_stream_consumer(arn, "analytics").unwrap();
    assert_eq!(c.status, ConsumerStatus::Creating);
    assert!(c.consumer_arn.starts_with("arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/analytics:"));
    e.advance_by(CONSUMER_CREATE_DELAY);
    let c = e
        .kinesis()
        .describe_stream_consumer(ConsumerRef { consumer_arn: Some(c.consumer_arn), ..Default::default() })
        .unwrap();
    assert_eq!(c.status, ConsumerStatus::Active);
    let err = e.kinesis().delete_stream(DeleteStreamRequest { stream: stream("s"), ..Default::default() }).unwrap_err();
    assert_eq!(err.code, KinesisErrorCode::ResourceInUseException);
    e.kinesis().delete_stream(DeleteStreamRequest { stream: stream("s"), enforce_consumer_deletion: true }).unwrap();
}

mod fan_out {
    use super::*;
    use decouple_engine::kinesis::fanout::*;

    const STREAM_ARN: &str = "arn:aws:kinesis:us-east-1:000000000000:stream/s";

    fn consumer(e: &mut Engine) -> String {
        let arn = e.kinesis().register_stream_consumer(STREAM_ARN, "app").unwrap().consumer_arn;
        e.advance_by(CONSUMER_CREATE_DELAY);
        arn
    }

    fn subscribe(e: &mut Engine, consumer_arn: &str, kind: &str) -> Result<SubscriptionId, KinesisError> {
        e.kinesis().subscribe_to_shard(SubscribeToShardRequest {
            consumer_arn: consumer_arn.into(),
            shard_id: "shardId-000000000000".into(),
            starting_position: StartingPosition { kind: kind.into(), ..Default::default() },
        })
    }

    fn texts(events: &[SubscribeToShardEvent]) -> Vec<Vec<String>> {
        events.iter().map(|e| e.records.iter().map(|r| String::from_utf8(r.data.clone()).unwrap()).collect()).collect()
    }

    #[test]
    fn records_are_pushed_as_they_arrive_until_the_subscription_expires() {
        let mut e = engine();
        active_stream(&mut e, "s", 1);
        put(&mut e, "s", "k", "old").unwrap();
        let creating = e.kinesis().register_stream_consumer(STREAM_ARN, "early").unwrap().consumer_arn;
        let err = subscribe(&mut e, &creating, "TRIM_HORIZON").unwrap_err();
        assert_eq!(err.code, KinesisErrorCode::ResourceInUseException);
        let arn = consumer(&mut e);

        let id = subscribe(&mut e, &arn, "TRIM_HORIZON").unwrap();
        e.advance_by(SimDuration::ZERO);
        let (events, end) = e.kinesis().take_subscription_events(id).unwrap();
        assert_eq!(texts(&events), [["old"]]);
        assert_eq!(events[0].continuation_sequence_number, events[0].records[0].sequence_number.as_str());
        assert_eq!(end, None);

        e.advance_by(SimDuration::from_secs(2));
        put(&mut e, "s", "k", "new").unwrap();
        e.advance_by(SimDuration::ZERO);
        let (events, _) = e.kinesis().take_subscription_events(id).unwrap();
        assert_eq!(texts(&events), [["new"]]);
        assert_eq!(events[0].millis_behind_latest, 0);

        let err = subscribe(&mut e, &arn, "LATEST").unwrap_err();
        assert_eq!(err.message, format!("Another active subscription exists for this consumer: {arn}"));

        e.advance_by(SUBSCRIPTION_LIFETIME);
        let (events, end) = e.kinesis().take_subscription_events(id).unwrap();
        assert!(events.is_empty());
        assert_eq!(end, Some(SubscriptionEnd::Expired));
        assert!(e.kinesis().take_subscription_events(id).is_none(), "forgotten once drained");
        e.kinesis().deregister_stream_consumer(ConsumerRef { consumer_arn: Some(arn), ..Default::default() }).unwrap();
        e.kinesis()
            .deregister_stream_consumer(ConsumerRef { consumer_arn: Some(creating), ..Default::default() })
            .unwrap();
        e.advance_by(SimDuration::from_secs(3600 * 25));
        assert_eq!(e.pending_deadlines(), 0, "no push or expiry deadline left behind");
    }

    #[test]
    fn each_subscriber_gets_two_mebibytes_per_second() {
        let mut e = engine();
        active_stream(&mut e, "s", 1);
        let big = "x".repeat(1000 * 1024);
        for _ in 0..3 {
            put(&mut e, "s", "k", &big).unwrap();
            e.advance_by(SimDuration::from_secs(1));
        }
        let arn = consumer(&mut e);
        let id = subscribe(&mut e, &arn, "TRIM_HORIZON").unwrap();
        e.advance_by(SimDuration::ZERO);
        let (events, _) = e.kinesis().take_subscription_events(id).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].records.len(), 2, "2 × 1,000 KiB fit in 2 MiB, a third does not");
        assert!(events[0].millis_behind_latest > 0);
        e.advance_by(SimDuration::from_secs(1));
        let (events, _) = e.kinesis().take_subscription_events(id).unwrap();
        assert_eq!(events.iter().map(|e| e.records.len()).sum::<usize>(), 1);
        // A second consumer has its own 2 MiB/s.
        let other = e.kinesis().register_stream_consumer(STREAM_ARN, "other").unwrap().consumer_arn;
        e.advance_by(CONSUMER_CREATE_DELAY);
        let second = subscribe(&mut e, &other, "TRIM_HORIZON").unwrap();
        e.advance_by(SimDuration::ZERO);
        assert_eq!(e.kinesis().take_subscription_events(second).unwrap().0[0].records.len(), 2);
    }

    #[test]
    fn a_subscription_to_a_closed_shard_ends_with_its_children() {
        let mut e = engine();
        active_stream(&mut e, "s", 1);
        let arn = consumer(&mut e);
        let id = subscribe(&mut e, &arn, "LATEST").unwrap();
        put(&mut e, "s", "k", "last").unwrap();
        e.kinesis()
            .split_shard(SplitShardRequest {
                stream: stream("s"),
                shard_to_split: "shardId-000000000000".into(),
                new_starting_hash_key: (1u128 << 127).to_string(),
            })
            .unwrap();
        e.advance_by(RESHARD_DELAY);
        let (events, end) = e.kinesis().take_subscription_events(id).unwrap();
        let last = events.last().unwrap();
        assert_eq!(
            last.child_shards.as_ref().unwrap().iter().map(|c| c.shard_id.as_str()).collect::<Vec<_>>(),
            ["shardId-000000000001", "shardId-000000000002"]
        );
        assert_eq!(texts(&events).concat(), ["last"]);
        assert_eq!(end, Some(SubscriptionEnd::ShardEnded));
    }
}
