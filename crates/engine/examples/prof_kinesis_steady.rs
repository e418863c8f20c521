use decouple_engine::kinesis::{
    CreateStreamRequest, GetRecordsRequest, GetShardIteratorRequest, PutRecordRequest, StreamRef, STREAM_CREATE_DELAY,
};
use decouple_engine::{Engine, EngineConfig, SimDuration};
use std::hint::black_box;

#[inline(never)]
fn step(engine: &mut Engine, iterator: &mut String, put: PutRecordRequest) {
    engine.advance_by(SimDuration::from_millis(200));
    let mut kinesis = engine.kinesis();
    black_box(kinesis.put_record(put).unwrap());
    let got = kinesis
        .get_records(GetRecordsRequest { shard_iterator: std::mem::take(iterator), limit: None, stream_arn: None })
        .unwrap();
    *iterator = got.next_shard_iterator.expect("open");
    black_box(got.records);
}

fn main() {
    let warm: usize = std::env::args().nth(1).map(|s| s.parse().unwrap()).unwrap_or(432_100);
    let n: usize = std::env::args().nth(2).map(|s| s.parse().unwrap()).unwrap_or(20_000);
    let mut engine = Engine::new(EngineConfig::default());
    engine
        .kinesis()
        .create_stream(CreateStreamRequest { stream_name: "bench".into(), shard_count: Some(1), ..Default::default() })
        .unwrap();
    engine.advance_by(STREAM_CREATE_DELAY);
    let mut iterator = engine
        .kinesis()
        .get_shard_iterator(GetShardIteratorRequest {
            stream: StreamRef::named("bench"),
            shard_id: "shardId-000000000000".into(),
            shard_iterator_type: "LATEST".into(),
            ..Default::default()
        })
        .unwrap();
    let data: Vec<u8> = (0..200).map(|i| b'a' + (i % 26) as u8).collect();
    let mk = || PutRecordRequest {
        stream: StreamRef::named("bench"),
        partition_key: "user-42".into(),
        data: data.clone(),
        ..Default::default()
    };
    for _ in 0..warm {
        step(&mut engine, &mut iterator, mk());
    }
    let mut best = f64::MAX;
    for _ in 0..5 {
        let puts: Vec<_> = (0..n).map(|_| mk()).collect();
        let t = std::time::Instant::now();
        for p in puts {
            step(&mut engine, &mut iterator, p);
        }
        best = best.min(t.elapsed().as_nanos() as f64 / n as f64);
    }
    eprintln!("{best:.1} ns/iter");
}
