//! Kinesis benchmark: PutRecord then GetRecords of that record on a
//! one-shard stream, beside a baseline doing the irreducible work (MD5 of the
//! partition key to find the shard, appending to a log bounded like the
//! stream's 24-hour retention, and reading the record back out by copying its
//! data), so the engine's overhead reads as a ratio.
//!
//! Each engine iteration also moves the virtual clock by 200 ms, so the shard
//! stays within its quotas (5 reads/s, 1,000 writes/s) exactly as a polite
//! consumer would; the clock move is part of the measured work.
//!
//! Run with `cargo bench -p decouple-engine --bench kinesis`.

use std::collections::VecDeque;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use decouple_engine::kinesis::{
    CreateStreamRequest, GetRecordsRequest, GetShardIteratorRequest, PutRecordRequest, StreamRef, STREAM_CREATE_DELAY,
};
use decouple_engine::{Engine, EngineConfig, SimDuration};
use md5::{Digest, Md5};

const DATA_LEN: usize = 200;
const PARTITION_KEY: &str = "user-42";

fn data() -> Vec<u8> {
    (0..DATA_LEN).map(|i| b'a' + (i % 26) as u8).collect()
}

fn put_get(c: &mut Criterion) {
    let mut group = c.benchmark_group("kinesis_put_get");
    group.throughput(Throughput::Elements(1));

    let mut engine = Engine::new(EngineConfig::default());
    engine
        .kinesis()
        .create_stream(CreateStreamRequest { stream_name: "bench".into(), shard_count: Some(1), ..Default::default() })
        .expect("create stream");
    engine.advance_by(STREAM_CREATE_DELAY);
    let mut iterator = engine
        .kinesis()
        .get_shard_iterator(GetShardIteratorRequest {
            stream: StreamRef::named("bench"),
            shard_id: "shardId-000000000000".into(),
            shard_iterator_type: "LATEST".into(),
            ..Default::default()
        })
        .expect("iterator");
    let data = data();
    group.bench_function("engine_put_record_get_records", |b| {
        b.iter_batched(
            || PutRecordRequest {
                stream: StreamRef::named("bench"),
                partition_key: PARTITION_KEY.into(),
                data: data.clone(),
                ..Default::default()
            },
            |put| {
                engine.advance_by(SimDuration::from_millis(200));
                let mut kinesis = engine.kinesis();
                black_box(kinesis.put_record(put).unwrap());
                let got = kinesis
                    .get_records(GetRecordsRequest {
                        shard_iterator: std::mem::take(&mut iterator),
                        limit: None,
                        stream_arn: None,
                    })
                    .unwrap();
                debug_assert_eq!(got.records.len(), 1);
                iterator = got.next_shard_iterator.expect("open shard");
                black_box(got.records);
            },
            BatchSize::SmallInput,
        )
    });

    // The same log bounded the way retention bounds the stream: 24 h of
    // records at one per 200 ms, the oldest dropped as each new one arrives.
    const RETAINED: usize = 24 * 3600 * 5;
    let mut log: VecDeque<(u128, String, Vec<u8>)> = VecDeque::with_capacity(RETAINED + 1);
    group.bench_function("baseline_md5_log_append_read", |b| {
        b.iter_batched(
            || (PARTITION_KEY.to_string(), data.clone()),
            |(key, owned)| {
                let hash = u128::from_be_bytes(Md5::digest(black_box(key.as_bytes())).into());
                log.push_back((hash, key, owned));
                let (_, key, record) = log.back().expect("just appended");
                black_box((key.clone(), record.clone()));
                if log.len() > RETAINED {
                    drop(log.pop_front());
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, put_get);
criterion_main!(benches);
