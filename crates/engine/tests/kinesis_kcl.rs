#![cfg(feature = "kinesis")]
//! The simulated KCL application and producer: lease balancing (one worker
//! per shard at most), failover after a crash with at-least-once processing
//! from the last checkpoint, parents before children after a split, a hot
//! partition key throttled on one shard with retries that back off — and a
//! property test over random crashes, restarts, splits and time steps.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use decouple_engine::kinesis::kcl::*;
use decouple_engine::kinesis::keys::{self, SequenceNumber};
use decouple_engine::kinesis::producer::*;
use decouple_engine::kinesis::*;
use decouple_engine::{Engine, EngineConfig, Event, LoggedEvent, SimDuration};
use proptest::prelude::*;

const APP: &str = "orders-app";

fn engine(seed: u64) -> Engine {
    Engine::new(EngineConfig { seed, event_capacity: 2_000_000, ..EngineConfig::default() })
}

fn secs(s: u64) -> SimDuration {
    SimDuration::from_secs(s)
}

fn active_stream(e: &mut Engine, name: &str, shards: i64) {
    e.kinesis()
        .create_stream(CreateStreamRequest {
            stream_name: name.into(),
            shard_count: Some(shards),
            ..Default::default()
        })
        .unwrap();
    e.advance_by(STREAM_CREATE_DELAY);
}

/// Puts one record; returns its shard number and index.
fn put(e: &mut Engine, stream: &str, key: &str, data: &str) -> (u32, u64) {
    let r = e
        .kinesis()
        .put_record(PutRecordRequest {
            stream: StreamRef::named(stream),
            partition_key: key.into(),
            data: data.as_bytes().to_vec(),
            ..Default::default()
        })
        .unwrap();
    let seq = SequenceNumber::parse(&r.sequence_number).unwrap();
    (seq.shard, seq.index)
}

fn app(e: &mut Engine, stream: &str, workers: u32, config: KclConfig) {
    e.kcl()
        .create_application(CreateApplication {
            name: APP.into(),
            stream: stream.into(),
            workers,
            initial_position: InitialPosition::TrimHorizon,
            config,
        })
        .unwrap();
}

fn state(e: &Engine) -> &KclApplication {
    e.kinesis_state().kcl_application(APP).unwrap()
}

/// Lease count per worker name, from the lease table (unfinished leases).
fn owners(e: &Engine) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for lease in state(e).leases().filter(|l| !l.is_finished()) {
        if let Some(owner) = &lease.owner {
            *counts.entry(owner.to_string()).or_default() += 1;
        }
    }
    counts
}

/// The (shard, index) pairs the application processed, with how often.
fn processed(events: &[LoggedEvent]) -> HashMap<(u32, u64), u32> {
    let mut seen = HashMap::new();
    for e in events {
        if let Event::RecordsProcessed { shard, from_index, count, .. } = &e.event {
            for i in *from_index..*from_index + u64::from(*count) {
                *seen.entry((*shard, i)).or_default() += 1;
            }
        }
    }
    seen
}

#[test]
fn four_shards_two_workers_balance_to_two_leases_each() {
    let mut e = engine(1);
    active_stream(&mut e, "s", 4);
    app(&mut e, "s", 2, KclConfig::default());
    e.advance_by(secs(1));
    // worker-1's first take finds no other worker and takes all four;
    // worker-2 then steals one (maxLeasesToStealAtOneTime = 1) ...
    assert_eq!(owners(&e), BTreeMap::from([("worker-1".into(), 3), ("worker-2".into(), 1)]));
    // ... and one more at its next take, 20,050 ms later.
    e.advance_by(secs(25));
    assert_eq!(owners(&e), BTreeMap::from([("worker-1".into(), 2), ("worker-2".into(), 2)]));
    for w in state(&e).workers() {
        assert_eq!(w.leases().count(), 2, "{} holds {:?}", w.name, w.leases().map(|l| l.shard).collect::<Vec<_>>());
    }
    let events = e.drain_events();
    let stolen = events.iter().filter(|l| matches!(l.event, Event::LeaseTaken { stolen: true, .. })).count();
    assert_eq!(stolen, 2);
    // The old owner noticed at its next renewal (the counter moved on).
    let lost = events.iter().filter(|l| matches!(l.event, Event::LeaseLost { .. })).count();
    assert_eq!(lost, 2);
    // Stable from then on.
    e.advance_by(secs(120));
    assert_eq!(owners(&e), BTreeMap::from([("worker-1".into(), 2), ("worker-2".into(), 2)]));
    let row = &state(&e).lease_table()[0];
    assert_eq!(row.lease_key, "shardId-000000000000");
    assert_eq!(row.checkpoint, "TRIM_HORIZON");
    assert!(row.lease_counter > 1);
}

#[test]
fn four_shards_six_workers_leave_two_idle() {
    let mut e = engine(2);
    active_stream(&mut e, "s", 4);
    app(&mut e, "s", 6, KclConfig::default());
    for _ in 0..10 {
        e.advance_by(secs(30));
        let counts = owners(&e);
        assert_eq!(counts.len(), 4, "{counts:?}");
        assert!(counts.values().all(|c| *c == 1), "{counts:?}");
        let a = state(&e);
        assert_eq!(a.workers().filter(|w| w.is_idle()).count(), 2);
        assert_eq!(a.workers().filter(|w| w.leases().count() == 1).count(), 4);
    }
}

#[test]
fn a_crashed_workers_leases_fail_over_and_processing_resumes_from_the_checkpoint() {
    let mut e = engine(3);
    active_stream(&mut e, "s", 4);
    // Checkpointing every 5 batches leaves work to redo after a crash.
    app(&mut e, "s", 2, KclConfig { checkpoint_every_batches: 5, ..KclConfig::default() });
    let mut puts = Vec::new();
    let mut events = Vec::new();
    let mut n = 0;
    let mut run = |e: &mut Engine, seconds: u64, puts: &mut Vec<(u32, u64)>, events: &mut Vec<LoggedEvent>| {
        for _ in 0..seconds {
            for _ in 0..8 {
                n += 1;
                puts.push(put(e, "s", &format!("k{}", n % 16), &n.to_string()));
            }
            e.advance_by(secs(1));
            events.extend(e.drain_events());
        }
    };
    run(&mut e, 43, &mut puts, &mut events);
    assert_eq!(owners(&e), BTreeMap::from([("worker-1".into(), 2), ("worker-2".into(), 2)]));
    let crash_at = e.now();
    let lost: Vec<u32> = state(&e).worker("worker-1").unwrap().leases().map(|l| l.shard).collect();
    e.kcl().crash_worker(APP, "worker-1").unwrap();
    let checkpoints: BTreeMap<u32, u64> = lost
        .iter()
        .map(|s| match &state(&e).lease(*s).unwrap().checkpoint {
            Checkpoint::Sequence(seq) => (*s, SequenceNumber::parse(seq).unwrap().index),
            other => panic!("{other:?}"),
        })
        .collect();
    let done_before: BTreeMap<u32, u64> =
        lost.iter().map(|s| (*s, *state(&e).worker("worker-1").unwrap().processed_by_shard.get(s).unwrap())).collect();

    // Not expired yet 9 s later: the table still names worker-1.
    run(&mut e, 9, &mut puts, &mut events);
    assert_eq!(owners(&e).get("worker-1"), Some(&2));
    // Expired after failoverTimeMillis, taken at worker-2's next take (every 20,050 ms).
    run(&mut e, 22, &mut puts, &mut events);
    assert_eq!(owners(&e), BTreeMap::from([("worker-2".into(), 4)]));
    let expired: BTreeSet<u32> = events
        .iter()
        .filter_map(|l| match &l.event {
            Event::LeaseExpired { shard, owner, .. } if &**owner == "worker-1" => {
                // Counted from its last renewal, at most one renewer interval before the crash.
                let renewed_before_crash = KclConfig::default().renewer_interval();
                assert!(l.at + renewed_before_crash >= crash_at + DEFAULT_FAILOVER_TIME);
                Some(*shard)
            }
            _ => None,
        })
        .collect();
    assert_eq!(expired, lost.iter().copied().collect());
    // worker-2 started each of them right after the checkpoint.
    for shard in &lost {
        let first = events
            .iter()
            .find_map(|l| match &l.event {
                Event::RecordsProcessed { shard: s, worker, from_index, .. }
                    if s == shard && &**worker == "worker-2" =>
                {
                    Some(*from_index)
                }
                _ => None,
            })
            .unwrap();
        assert_eq!(first, checkpoints[shard] + 1, "shard {shard}");
        assert!(first <= done_before[shard], "records after the checkpoint are processed again");
        let lease = state(&e).lease(*shard).unwrap();
        assert!(lease.owner_switches_since_checkpoint <= 1);
    }
    // Keep going, then stop producing and let the application catch up.
    run(&mut e, 10, &mut puts, &mut events);
    e.advance_by(secs(10));
    events.extend(e.drain_events());
    let seen = processed(&events);
    let skipped: Vec<_> = puts.iter().filter(|p| !seen.contains_key(p)).collect();
    assert!(skipped.is_empty(), "never processed: {skipped:?}");
    let twice = puts.iter().filter(|p| seen[p] > 1).count();
    assert!(twice > 0, "at-least-once: some records after the checkpoint were processed twice");
    // Restarted, worker-1 gets its share back by stealing.
    e.kcl().restart_worker(APP, "worker-1").unwrap();
    e.advance_by(secs(60));
    assert_eq!(owners(&e), BTreeMap::from([("worker-1".into(), 2), ("worker-2".into(), 2)]));
}

#[test]
fn after_a_split_children_wait_for_the_parent_and_key_order_holds() {
    let mut e = engine(4);
    active_stream(&mut e, "s", 2);
    app(&mut e, "s", 2, KclConfig::default());
    let mut serial = 0u64;
    let mut puts = Vec::new();
    let mut put_some = |e: &mut Engine, puts: &mut Vec<(u32, u64)>| {
        for k in 0..10 {
            serial += 1;
            puts.push(put(e, "s", &format!("key-{k}"), &serial.to_string()));
        }
    };
    for _ in 0..5 {
        put_some(&mut e, &mut puts);
        e.advance_by(SimDuration::from_millis(300));
    }
    let range = e.kinesis_state().stream("s").unwrap().shards[0].range.clone();
    let middle = range.starting + (range.ending - range.starting) / 2;
    e.kinesis()
        .split_shard(SplitShardRequest {
            stream: StreamRef::named("s"),
            shard_to_split: "shardId-000000000000".into(),
            new_starting_hash_key: middle.to_string(),
        })
        .unwrap();
    // Writes keep going while UPDATING, then into the children.
    for _ in 0..60 {
        put_some(&mut e, &mut puts);
        e.advance_by(SimDuration::from_millis(500));
    }
    e.advance_by(secs(60));
    let events = e.drain_events();
    assert!(puts.iter().any(|(s, _)| *s == 2) && puts.iter().any(|(s, _)| *s == 3));

    // The children's leases appear only when the parent reached SHARD_END,
    // and their records are processed only after that.
    let position = |pred: &dyn Fn(&Event) -> bool| events.iter().position(|l| pred(&l.event)).unwrap();
    let ended = position(&|ev| matches!(ev, Event::ShardEnded { shard: 0, .. }));
    match &events[ended].event {
        Event::ShardEnded { children, .. } => assert_eq!(children, &[2, 3]),
        _ => unreachable!(),
    }
    for child in [2, 3] {
        let created = position(&|ev| matches!(ev, Event::LeaseCreated { shard, .. } if *shard == child));
        let first = position(&|ev| matches!(ev, Event::RecordsProcessed { shard, .. } if *shard == child));
        assert!(ended < created && created < first);
        let lease = state(&e).lease(child).unwrap();
        assert_eq!(lease.row().parent_shard_ids, ["shardId-000000000000"]);
    }

    // Per partition key, records are processed in the order they were put,
    // across parent and child (records seen again are not new).
    let stream = e.kinesis_state().stream("s").unwrap();
    let mut seen = BTreeSet::new();
    let mut last: HashMap<String, u64> = HashMap::new();
    for l in &events {
        if let Event::RecordsProcessed { shard, from_index, count, .. } = &l.event {
            for i in *from_index..*from_index + u64::from(*count) {
                if !seen.insert((*shard, i)) {
                    continue;
                }
                let s = &stream.shards[*shard as usize];
                let r = s.record(i).unwrap();
                let n: u64 = std::str::from_utf8(s.data(r)).unwrap().parse().unwrap();
                let key = s.partition_key(r);
                let before = last.insert(key.to_string(), n).unwrap_or(0);
                assert!(before < n, "{key} went from {before} back to {n}");
            }
        }
    }
    assert!(puts.iter().all(|p| seen.contains(p)));

    // Once both children have checkpointed, the finished parent lease is cleaned up.
    assert!(events.iter().any(|l| matches!(l.event, Event::LeaseDeleted { shard: 0, .. })));
    assert!(state(&e).lease(0).is_none());
    assert!(matches!(state(&e).lease(1).unwrap().checkpoint, Checkpoint::Sequence(_)));
}

#[test]
fn a_merged_child_waits_for_both_parents() {
    let mut e = engine(10);
    active_stream(&mut e, "s", 2);
    // The second parent has far more to read than the first.
    app(&mut e, "s", 2, KclConfig { max_records: 10, ..KclConfig::default() });
    let mut puts = Vec::new();
    let (mut low, mut high) = (0, 0);
    for i in 0.. {
        let key = format!("k{i}");
        let upper = keys::hash_key_of(&key) >> 127 == 1;
        if (upper && high < 300) || (!upper && low < 20) {
            puts.push(put(&mut e, "s", &key, &i.to_string()));
            *(if upper { &mut high } else { &mut low }) += 1;
        }
        if low == 20 && high == 300 {
            break;
        }
    }
    let stream = e.kinesis_state().stream("s").unwrap();
    let per_shard = |s: u32| puts.iter().filter(|(shard, _)| *shard == s).count();
    assert!(per_shard(0) > 0 && per_shard(1) > 0);
    assert!(stream.shards.iter().all(|s| s.parent.is_none()));
    e.kinesis()
        .merge_shards(MergeShardsRequest {
            stream: StreamRef::named("s"),
            shard_to_merge: "shardId-000000000000".into(),
            adjacent_shard_to_merge: "shardId-000000000001".into(),
        })
        .unwrap();
    e.advance_by(RESHARD_DELAY);
    for i in 0..50 {
        puts.push(put(&mut e, "s", &format!("k{}", i % 40), &i.to_string()));
    }
    e.advance_by(secs(120));
    let events = e.drain_events();
    let at = |pred: &dyn Fn(&Event) -> bool| events.iter().position(|l| pred(&l.event)).unwrap();
    let ended = [0, 1].map(|p| at(&|ev| matches!(ev, Event::ShardEnded { shard, .. } if *shard == p)));
    let created = at(&|ev| matches!(ev, Event::LeaseCreated { shard: 2, .. }));
    let first = at(&|ev| matches!(ev, Event::RecordsProcessed { shard: 2, .. }));
    assert!(ended[0] < ended[1] && ended[1] < created && created < first, "{ended:?} {created} {first}");
    // The first parent ended well before the second: the child waited.
    assert!(events[ended[1]].at.saturating_sub(events[ended[0]].at) >= secs(20));
    let row = state(&e).lease(2).unwrap().row();
    assert_eq!(row.parent_shard_ids, ["shardId-000000000000", "shardId-000000000001"]);
    let seen = processed(&events);
    assert!(puts.iter().all(|p| seen.contains_key(p)));
}

#[test]
fn a_hot_key_is_throttled_on_its_shard_only_and_retries_back_off_until_written() {
    let mut e = engine(5);
    active_stream(&mut e, "s", 5);
    e.kinesis_producers()
        .start_producer(StartProducer {
            name: "p".into(),
            stream: "s".into(),
            records_per_second: 1_800,
            strategy: PartitionKeyStrategy::PerCountry { skew: 3 },
        })
        .unwrap();
    e.advance_by(secs(5));
    e.kinesis_producers().stop_producer("p").unwrap();
    let hot = e.kinesis_state().stream("s").unwrap().shard_for_hash(keys::hash_key_of("US")).unwrap().number;
    let stream = e.kinesis_state().stream("s").unwrap();
    for shard in &stream.shards {
        if shard.number == hot {
            assert!(shard.metrics.write_throttled > 0);
            // Ticks at x.1 s … (x+5).0 s touch six one-second windows.
            assert!(shard.metrics.incoming_records <= 6 * 1_000);
        } else {
            assert_eq!(shard.metrics.write_throttled, 0, "shard {}", shard.number);
            assert!(shard.metrics.incoming_records > 0);
        }
    }
    let p = e.kinesis_state().producer("p").unwrap();
    assert_eq!(p.stats.generated, 9_000);
    assert!(p.stats.throttled > 0 && p.stats.retried > 0 && p.backlog() > 0);
    assert!(p.stats.max_attempt >= 2);
    let events = e.drain_events();
    let backoffs: Vec<(u32, u64)> = events
        .iter()
        .filter_map(|l| match &l.event {
            Event::ProducerBackoff { attempt, retry_at, .. } => {
                Some((*attempt, retry_at.saturating_sub(l.at).as_millis()))
            }
            _ => None,
        })
        .collect();
    // 100 ms doubling, with equal jitter: between half and all of the ceiling.
    for (attempt, wait) in &backoffs {
        let ceiling = (100u64 << (attempt - 1)).min(20_000);
        assert!(ceiling / 2 <= *wait && *wait <= ceiling, "attempt {attempt} waited {wait}");
    }
    // The load stops; the backlog drains within the shard's quota.
    e.advance_by(secs(40));
    let p = e.kinesis_state().producer("p").unwrap();
    assert_eq!(p.backlog(), 0);
    assert_eq!(p.stats.gave_up, 0);
    assert_eq!(p.stats.put, p.stats.generated);
    assert_eq!(e.pending_deadlines(), 5, "only the shards' retention deadlines are left");
}

#[test]
fn the_iterator_age_grows_while_a_crashed_workers_leases_wait_and_falls_after_failover() {
    let mut e = engine(11);
    active_stream(&mut e, "s", 2);
    app(&mut e, "s", 1, KclConfig::default());
    let age = |e: &Engine| {
        let s = e.kinesis_state();
        s.kcl_application(APP).unwrap().iterator_age(s.stream("s").unwrap(), e.now()).as_millis()
    };
    let mut n = 0;
    let mut run = |e: &mut Engine, seconds: u64| {
        for _ in 0..seconds {
            for _ in 0..4 {
                n += 1;
                put(e, "s", &format!("k{n}"), "x");
            }
            e.advance_by(secs(1));
        }
    };
    run(&mut e, 5);
    // Caught up: every lease is checkpointed at the shard's last record.
    assert_eq!(age(&e), 0);
    e.kcl().add_worker(APP).unwrap();
    run(&mut e, 25);
    assert!(state(&e).workers().all(|w| w.leases().count() == 1), "one lease each");
    let victim = state(&e).workers().find(|w| w.leases().count() == 1).unwrap().name.to_string();
    e.kcl().crash_worker(APP, &victim).unwrap();
    run(&mut e, 8);
    // Nobody reads the crashed worker's shard: its oldest unprocessed record ages.
    let waiting = age(&e);
    assert!((7_000..=9_000).contains(&waiting), "{waiting}");
    run(&mut e, 30);
    assert_eq!(owners(&e).len(), 1, "the survivor took the lease over");
    assert!(age(&e) < 1_000, "{}", age(&e));
}

#[test]
fn a_throttled_producer_shows_its_longest_backoff() {
    let mut e = engine(5);
    active_stream(&mut e, "s", 1);
    e.kinesis_producers()
        .start_producer(StartProducer {
            name: "p".into(),
            stream: "s".into(),
            records_per_second: 1_500,
            strategy: PartitionKeyStrategy::Random,
        })
        .unwrap();
    assert_eq!(e.kinesis_state().producer("p").unwrap().backoff(), None);
    e.advance_by(secs(3));
    let p = e.kinesis_state().producer("p").unwrap();
    let b = p.backoff().expect("1,500 a second into one shard must back off");
    assert!(b.attempt <= p.stats.max_attempt);
    assert!(b.attempt >= 2, "{b:?}");
    assert_eq!(b.ceiling, backoff_ceiling(b.attempt));
    assert!(b.retry_at > e.now() && b.retry_at <= e.now() + b.ceiling, "{b:?}");
    assert!(b.records > 0 && b.records <= p.backlog());
    assert_eq!(backoff_ceiling(1), SimDuration::from_millis(100));
    assert_eq!(backoff_ceiling(4), SimDuration::from_millis(800));
    assert_eq!(backoff_ceiling(30), BACKOFF_CAP);
    e.kinesis_producers().stop_producer("p").unwrap();
    e.advance_by(secs(60));
    assert_eq!(e.kinesis_state().producer("p").unwrap().backoff(), None);
}

#[test]
fn a_stopped_producer_finishes_its_retries_and_a_removed_one_leaves_nothing_behind() {
    let mut e = engine(12);
    active_stream(&mut e, "s", 1);
    let req = StartProducer {
        name: "p".into(),
        stream: "s".into(),
        records_per_second: 3_000,
        strategy: PartitionKeyStrategy::PerUser { users: 10 },
    };
    e.kinesis_producers().start_producer(req.clone()).unwrap();
    assert!(matches!(e.kinesis_producers().start_producer(req), Err(ControlError::AlreadyExists(_))));
    let next = e.peek_deadline().unwrap().1.clone();
    assert_eq!(e.describe_deadline(&next), "producer p puts its next records into s");
    e.advance_by(secs(1));
    e.kinesis_producers().stop_producer("p").unwrap();
    let p = e.kinesis_state().producer("p").unwrap();
    assert!(!p.running && p.backlog() > 0);
    let generated = p.stats.generated;
    e.advance_by(secs(2));
    let p = e.kinesis_state().producer("p").unwrap();
    assert_eq!(p.stats.generated, generated, "no new records once stopped");
    assert!(p.stats.put > 1_000, "retries went on in the next seconds");
    e.kinesis_producers().remove_producer("p").unwrap();
    assert!(e.kinesis_state().producer("p").is_none());
    assert_eq!(e.pending_deadlines(), 1, "only the shard's retention deadline");
    assert!(matches!(e.kinesis_producers().stop_producer("p"), Err(ControlError::NotFound(_))));
    assert!(matches!(e.kinesis_producers().set_rate("p", 10), Err(ControlError::NotFound(_))));
}

#[test]
fn evenly_spread_keys_are_not_throttled() {
    for strategy in [PartitionKeyStrategy::Random, PartitionKeyStrategy::PerUser { users: 500 }] {
        let mut e = engine(6);
        active_stream(&mut e, "s", 5);
        let req = StartProducer { name: "p".into(), stream: "s".into(), records_per_second: 2_500, strategy };
        e.kinesis_producers().start_producer(req).unwrap();
        e.advance_by(secs(3));
        let p = e.kinesis_state().producer("p").unwrap();
        assert_eq!((p.stats.generated, p.stats.put, p.stats.throttled), (7_500, 7_500, 0), "{strategy:?}");
    }
}

#[test]
fn workers_read_through_the_shard_read_quota() {
    // Six applications on one shard: 6 GetRecords a second against a quota of 5.
    let mut e = engine(7);
    active_stream(&mut e, "s", 1);
    put(&mut e, "s", "k", "x");
    for i in 0..6 {
        e.kcl().create_application(CreateApplication::new(format!("app-{i}"), "s", 1)).unwrap();
    }
    e.advance_by(secs(30));
    let throttled: u64 = e.kinesis_state().kcl_applications().flat_map(|a| a.workers().map(|w| w.read_throttled)).sum();
    assert!(throttled > 0);
    assert!(e.kinesis_state().stream("s").unwrap().shards[0].metrics.read_throttled > 0);
}

#[test]
fn the_same_seed_gives_the_same_events() {
    let run = || {
        let mut e = engine(9);
        active_stream(&mut e, "s", 3);
        app(&mut e, "s", 3, KclConfig::default());
        let req = StartProducer {
            name: "p".into(),
            stream: "s".into(),
            records_per_second: 1_500,
            strategy: PartitionKeyStrategy::PerCountry { skew: 2 },
        };
        e.kinesis_producers().start_producer(req).unwrap();
        e.advance_by(secs(15));
        e.kcl().crash_worker(APP, "worker-2").unwrap();
        e.advance_by(secs(40));
        e.drain_events().iter().map(ToString::to_string).collect::<Vec<_>>()
    };
    assert_eq!(run(), run());
}

#[test]
fn controls_refuse_what_does_not_exist() {
    let mut e = engine(8);
    assert!(matches!(
        e.kcl().create_application(CreateApplication::new("app", "nope", 1)),
        Err(ControlError::NotFound(_))
    ));
    active_stream(&mut e, "s", 1);
    // The application names its DynamoDB lease table: DynamoDB's naming rules apply.
    for (bad, constraint) in [
        ("ab", "Member must have length greater than or equal to 3"),
        ("my app", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"),
    ] {
        let Err(ControlError::Invalid(m)) = e.kcl().create_application(CreateApplication::new(bad, "s", 1)) else {
            panic!("{bad} is no table name")
        };
        assert_eq!(
            m,
            format!(
                "The KCL could not create its lease table: ValidationException: 1 validation error detected: \
                 Value '{bad}' at 'tableName' failed to satisfy constraint: {constraint}"
            )
        );
    }
    let long = "x".repeat(256);
    assert!(matches!(e.kcl().create_application(CreateApplication::new(long, "s", 1)), Err(ControlError::Invalid(_))));
    e.kcl().create_application(CreateApplication::new("app", "s", 1)).unwrap();
    assert!(matches!(
        e.kcl().create_application(CreateApplication::new("app", "s", 1)),
        Err(ControlError::AlreadyExists(_))
    ));
    assert!(matches!(e.kcl().crash_worker("app", "worker-9"), Err(ControlError::NotFound(_))));
    assert!(matches!(e.kcl().restart_worker("app", "worker-1"), Err(ControlError::Invalid(_))));
    assert_eq!(e.kcl().add_worker("app").unwrap(), "worker-2");
    // LATEST: leases on the open shards, checkpoint LATEST.
    assert_eq!(e.kinesis_state().kcl_application("app").unwrap().lease_table()[0].checkpoint, "LATEST");
    let next = e.peek_deadline().unwrap().1.clone();
    assert!(e.describe_deadline(&next).starts_with("app: worker-"));
    e.kcl().delete_application("app").unwrap();
    assert_eq!(e.pending_deadlines(), 0);
}

// ---------------------------------------------------------------------------
// Property: random crashes, restarts, removals, splits and time steps.

#[derive(Clone, Debug)]
enum Op {
    Put { key: u8, count: u8 },
    Advance { ms: u32 },
    Crash { worker: u8 },
    Restart { worker: u8 },
    Add,
    Remove { worker: u8 },
    Split { shard: u8 },
    Merge { shard: u8 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..20, 1u8..6).prop_map(|(key, count)| Op::Put { key, count }),
        6 => (0u32..20_000).prop_map(|ms| Op::Advance { ms }),
        2 => (0u8..6).prop_map(|worker| Op::Crash { worker }),
        2 => (0u8..6).prop_map(|worker| Op::Restart { worker }),
        1 => Just(Op::Add),
        1 => (0u8..6).prop_map(|worker| Op::Remove { worker }),
        1 => (0u8..8).prop_map(|shard| Op::Split { shard }),
        1 => (0u8..8).prop_map(|shard| Op::Merge { shard }),
    ]
}

fn worker_name(e: &Engine, pick: u8) -> Option<String> {
    let names: Vec<String> = state(e).workers().map(|w| w.name.to_string()).collect();
    (!names.is_empty()).then(|| names[pick as usize % names.len()].clone())
}

/// At most one live worker holds a valid lease on each shard.
fn check_single_holder(e: &Engine) -> Result<(), TestCaseError> {
    let a = state(e);
    let mut holders: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for w in a.workers().filter(|w| w.status == WorkerStatus::Running) {
        for held in w.leases() {
            let lease = a.lease(held.shard);
            if lease.is_some_and(|l| l.owner.as_deref() == Some(&*w.name) && l.counter == held.counter) {
                holders.entry(held.shard).or_default().push(w.name.to_string());
            }
        }
    }
    for (shard, ws) in holders {
        prop_assert!(ws.len() <= 1, "shard {} held by {:?}", shard, ws);
    }
    Ok(())
}

fn run(seed: u64, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut e = engine(seed);
    active_stream(&mut e, "s", 3);
    app(&mut e, "s", 3, KclConfig { checkpoint_every_batches: 2, history: 0, ..KclConfig::default() });
    let mut puts = Vec::new();
    let mut events = Vec::new();
    let mut n = 0u64;
    let mut reshards = 0;
    for op in ops {
        match op {
            Op::Put { key, count } => {
                for _ in 0..*count {
                    n += 1;
                    puts.push(put(&mut e, "s", &format!("k{key}"), &n.to_string()));
                }
            }
            Op::Advance { ms } => e.advance_by(SimDuration::from_millis(u64::from(*ms))),
            Op::Crash { worker } => {
                if let Some(w) = worker_name(&e, *worker) {
                    let _ = e.kcl().crash_worker(APP, &w);
                }
            }
            Op::Restart { worker } => {
                if let Some(w) = worker_name(&e, *worker) {
                    let _ = e.kcl().restart_worker(APP, &w);
                }
            }
            Op::Add => {
                e.kcl().add_worker(APP).unwrap();
            }
            Op::Remove { worker } => {
                if let Some(w) = worker_name(&e, *worker) {
                    e.kcl().remove_worker(APP, &w).unwrap();
                }
            }
            Op::Split { shard } => {
                let stream = e.kinesis_state().stream("s").unwrap();
                let open: Vec<_> = stream.open_shards().collect();
                if reshards < 3 && stream.status == StreamStatus::Active {
                    let s = open[*shard as usize % open.len()];
                    let middle = s.range.starting + (s.range.ending - s.range.starting) / 2;
                    let req = SplitShardRequest {
                        stream: StreamRef::named("s"),
                        shard_to_split: s.id(),
                        new_starting_hash_key: middle.to_string(),
                    };
                    e.kinesis().split_shard(req).unwrap();
                    reshards += 1;
                }
            }
            Op::Merge { shard } => {
                let stream = e.kinesis_state().stream("s").unwrap();
                let mut open: Vec<_> = stream.open_shards().collect();
                open.sort_by_key(|s| s.range.starting);
                if reshards < 3 && stream.status == StreamStatus::Active && open.len() > 1 {
                    let i = *shard as usize % (open.len() - 1);
                    let req = MergeShardsRequest {
                        stream: StreamRef::named("s"),
                        shard_to_merge: open[i].id(),
                        adjacent_shard_to_merge: open[i + 1].id(),
                    };
                    e.kinesis().merge_shards(req).unwrap();
                    reshards += 1;
                }
            }
        }
        events.extend(e.drain_events());
        check_single_holder(&e)?;
    }
    // Bring every worker back (or start one) and let the application catch up.
    let crashed: Vec<String> =
        state(&e).workers().filter(|w| w.status == WorkerStatus::Crashed).map(|w| w.name.to_string()).collect();
    for w in crashed {
        e.kcl().restart_worker(APP, &w).unwrap();
    }
    if state(&e).workers().next().is_none() {
        e.kcl().add_worker(APP).unwrap();
    }
    for _ in 0..10 {
        e.advance_by(secs(30));
        events.extend(e.drain_events());
        check_single_holder(&e)?;
    }

    // Every record put was processed at least once.
    let seen = processed(&events);
    for p in &puts {
        prop_assert!(seen.contains_key(p), "record {:?} never processed", p);
    }
    // Per shard, processing goes by sequence number: each worker's batches
    // continue where its previous one ended until it (re)takes the lease,
    // nothing is ever skipped, and children wait for their parents.
    let stream = e.kinesis_state().stream("s").unwrap();
    let mut next: HashMap<(String, u32), u64> = HashMap::new();
    let mut high: HashMap<u32, u64> = HashMap::new();
    let mut ended = BTreeSet::new();
    for l in &events {
        match &l.event {
            Event::LeaseTaken { worker, shard, .. } => {
                next.remove(&(worker.to_string(), *shard));
            }
            Event::KclWorkerChanged { worker, .. } => next.retain(|(w, _), _| w != &**worker),
            Event::ShardEnded { shard, .. } => {
                ended.insert(*shard);
            }
            Event::RecordsProcessed { worker, shard, from_index, count, .. } => {
                let s = &stream.shards[*shard as usize];
                for p in s.parent.iter().chain(s.adjacent_parent.iter()) {
                    prop_assert!(ended.contains(p), "shard {} read before its parent {} ended", shard, p);
                }
                let key = (worker.to_string(), *shard);
                if let Some(expected) = next.get(&key) {
                    prop_assert_eq!(*from_index, *expected, "{} on shard {} jumped", worker, shard);
                }
                let top = high.entry(*shard).or_default();
                prop_assert!(*from_index <= *top + 1, "shard {}: skipped from {} to {}", shard, top, from_index);
                let end = from_index + u64::from(*count);
                *top = (*top).max(end - 1);
                next.insert(key, end);
            }
            _ => {}
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_record_is_processed_in_order_by_one_worker_at_a_time(
        seed in 0u64..1_000,
        ops in prop::collection::vec(op(), 1..60),
    ) {
        run(seed, &ops)?;
    }
}
