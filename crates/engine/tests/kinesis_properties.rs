#![cfg(feature = "kinesis")]
//! Properties of Kinesis streams across random puts, clock moves and
//! reshards (splits, merges, UpdateShardCount):
//! - nothing accepted is lost and nothing throttled is stored: reading every
//!   shard from TRIM_HORIZON returns exactly the accepted records, once each;
//! - each record sits in the shard whose hash key range holds its key;
//! - sequence numbers increase within a shard;
//! - per partition key, order survives resharding: each next record is in the
//!   same shard further on, or in a descendant of the previous record's shard;
//! - deleting the stream leaves no deadline behind.

use std::collections::BTreeMap;

use decouple_engine::kinesis::*;
use decouple_engine::{Engine, EngineConfig, SimDuration};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Put { key: u8, burst: u16 },
    Advance { ms: u32 },
    Split { pick: u8, at_per_mille: u16 },
    Merge { pick: u8 },
    Update { target: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..12, 1u16..400).prop_map(|(key, burst)| Op::Put { key, burst }),
        3 => (0u32..15_000).prop_map(|ms| Op::Advance { ms }),
        1 => (any::<u8>(), 1u16..999).prop_map(|(pick, at_per_mille)| Op::Split { pick, at_per_mille }),
        1 => any::<u8>().prop_map(|pick| Op::Merge { pick }),
        1 => (1u8..9).prop_map(|target| Op::Update { target }),
    ]
}

fn stream() -> StreamRef {
    StreamRef::named("s")
}

fn open_shards(e: &Engine) -> Vec<(u32, HashKeyRange)> {
    let mut open: Vec<_> =
        e.kinesis_state().stream("s").unwrap().open_shards().map(|s| (s.number, s.range.clone())).collect();
    open.sort_by_key(|(_, r)| r.starting);
    open
}

/// Every record of one shard, read from TRIM_HORIZON to the tip or the end.
fn read_all(e: &mut Engine, shard: u32) -> Vec<RecordView> {
    let mut out = Vec::new();
    let mut iterator = Some(
        e.kinesis()
            .get_shard_iterator(GetShardIteratorRequest {
                stream: stream(),
                shard_id: keys::shard_id(shard),
                shard_iterator_type: "TRIM_HORIZON".into(),
                ..Default::default()
            })
            .unwrap(),
    );
    while let Some(it) = iterator.take() {
        e.advance_by(SimDuration::from_secs(1)); // stay within 5 reads/s
        let page = e
            .kinesis()
            .get_records(GetRecordsRequest { shard_iterator: it, limit: Some(1000), stream_arn: None })
            .unwrap();
        let done = page.records.is_empty();
        out.extend(page.records);
        iterator = if done { None } else { page.next_shard_iterator };
    }
    out
}

fn is_descendant(shards: &[Shard], mut child: u32, ancestor: u32) -> bool {
    let mut frontier = vec![child];
    while let Some(s) = frontier.pop() {
        if s == ancestor {
            return true;
        }
        let shard = &shards[s as usize];
        frontier.extend(shard.parent.iter().chain(&shard.adjacent_parent));
        child = s;
    }
    let _ = child;
    false
}

fn numeric(seq: &str) -> (usize, &str) {
    (seq.len(), seq)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn records_survive_resharding_in_order(ops in proptest::collection::vec(op(), 1..60)) {
        let mut e = Engine::new(EngineConfig { seed: 9, ..EngineConfig::default() });
        e.kinesis().create_stream(CreateStreamRequest { stream_name: "s".into(), shard_count: Some(2), ..Default::default() }).unwrap();
        e.advance_by(STREAM_CREATE_DELAY);

        // data text -> (partition key, put order)
        let mut accepted: BTreeMap<String, (String, usize)> = BTreeMap::new();
        let mut counter = 0usize;
        let mut throttled = 0usize;
        for op in ops {
            match op {
                Op::Put { key, burst } => {
                    let key = format!("key-{key}");
                    for _ in 0..burst {
                        counter += 1;
                        let data = format!("r{counter}");
                        match e.kinesis().put_record(PutRecordRequest {
                            stream: stream(),
                            partition_key: key.clone(),
                            data: data.clone().into_bytes(),
                            ..Default::default()
                        }) {
                            Ok(_) => { accepted.insert(data, (key.clone(), counter)); }
                            Err(err) => {
                                prop_assert_eq!(err.code, KinesisErrorCode::ProvisionedThroughputExceededException);
                                throttled += 1;
                            }
                        }
                    }
                }
                Op::Advance { ms } => e.advance_by(SimDuration::from_millis(u64::from(ms))),
                Op::Split { pick, at_per_mille } => {
                    let open = open_shards(&e);
                    let (number, range) = &open[pick as usize % open.len()];
                    let width = range.ending - range.starting;
                    let at = range.starting + width / 1000 * u128::from(at_per_mille);
                    let _ = e.kinesis().split_shard(SplitShardRequest {
                        stream: stream(),
                        shard_to_split: keys::shard_id(*number),
                        new_starting_hash_key: at.to_string(),
                    });
                }
                Op::Merge { pick } => {
                    let open = open_shards(&e);
                    if open.len() > 1 {
                        let i = pick as usize % (open.len() - 1);
                        let _ = e.kinesis().merge_shards(MergeShardsRequest {
                            stream: stream(),
                            shard_to_merge: keys::shard_id(open[i].0),
                            adjacent_shard_to_merge: keys::shard_id(open[i + 1].0),
                        });
                    }
                }
                Op::Update { target } => {
                    let _ = e.kinesis().update_shard_count(UpdateShardCountRequest {
                        stream: stream(),
                        target_shard_count: i64::from(target),
                        scaling_type: "UNIFORM_SCALING".into(),
                    });
                }
            }
        }
        e.advance_by(UPDATE_SHARD_COUNT_DELAY);
        prop_assert_eq!(e.kinesis_state().stream("s").unwrap().status, StreamStatus::Active);
        let _ = throttled;

        // Open shards tile the hash space.
        let open = open_shards(&e);
        prop_assert_eq!(open[0].1.starting, 0);
        prop_assert_eq!(open.last().unwrap().1.ending, u128::MAX);
        for pair in open.windows(2) {
            prop_assert_eq!(pair[0].1.ending + 1, pair[1].1.starting);
        }

        let shard_count = e.kinesis_state().stream("s").unwrap().shards.len() as u32;
        // data -> (shard, position in shard)
        let mut found: BTreeMap<String, (u32, usize)> = BTreeMap::new();
        for shard in 0..shard_count {
            let records = read_all(&mut e, shard);
            let range = e.kinesis_state().stream("s").unwrap().shards[shard as usize].range.clone();
            for pair in records.windows(2) {
                prop_assert!(numeric(&pair[0].sequence_number) < numeric(&pair[1].sequence_number));
            }
            for (position, r) in records.iter().enumerate() {
                let data = String::from_utf8(r.data.clone()).unwrap();
                let hash = keys::hash_key_of(&r.partition_key);
                prop_assert!(range.starting <= hash && hash <= range.ending, "{} outside its shard", data);
                prop_assert!(found.insert(data.clone(), (shard, position)).is_none(), "{} read twice", data);
            }
        }
        let found_keys: Vec<&String> = found.keys().collect();
        let accepted_keys: Vec<&String> = accepted.keys().collect();
        prop_assert_eq!(found_keys, accepted_keys, "every accepted record, and only those");

        let shards = e.kinesis_state().stream("s").unwrap().shards.clone();
        let mut by_key: BTreeMap<&str, Vec<(usize, u32, usize)>> = BTreeMap::new();
        for (data, (key, order)) in &accepted {
            let (shard, position) = found[data];
            by_key.entry(key).or_default().push((*order, shard, position));
        }
        for (key, mut puts) in by_key {
            puts.sort();
            for pair in puts.windows(2) {
                let ((_, s1, p1), (_, s2, p2)) = (pair[0], pair[1]);
                let in_order = (s1 == s2 && p1 < p2) || (s1 != s2 && is_descendant(&shards, s2, s1));
                prop_assert!(in_order, "{}: shard {} pos {} then shard {} pos {}", key, s1, p1, s2, p2);
            }
        }

        e.kinesis().delete_stream(DeleteStreamRequest { stream: stream(), ..Default::default() }).unwrap();
        e.advance_by(STREAM_DELETE_DELAY);
        prop_assert_eq!(e.pending_deadlines(), 0);
    }
}
