//! The Kinesis page's simulation controls that are not AWS APIs: the
//! engine's simulated KCL application (workers, leases) and simulated
//! producers (partition-key strategies, backoff). They are clients of the
//! stream the engine runs in virtual time, so a learner drives them with
//! [`KinesisControl`]s, which `sim::Command::Kinesis` journals — a saved
//! playground or a share link replays them like any other command.
//!
//! This module only translates: a control to the engine's `kcl()` /
//! `kinesis_producers()` call and back to an outcome with a sentence for
//! the banner, and a control to and from the journal's JSON.

use decouple_engine::kinesis::kcl::{ControlError, CreateApplication};
use decouple_engine::kinesis::producer::{PartitionKeyStrategy, StartProducer};
use decouple_engine::Engine;
use serde_json::{json, Map, Value};

use crate::api::AwsError;
use crate::sim::Outcome;

/// A control of a simulated KCL application.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KclControl {
    Create { app: String, stream: String, workers: u32 },
    AddWorker { app: String },
    CrashWorker { app: String, worker: String },
    RestartWorker { app: String, worker: String },
    RemoveWorker { app: String, worker: String },
    Delete { app: String },
}

/// A control of a simulated producer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProducerControl {
    Start { name: String, stream: String, records_per_second: u32, strategy: PartitionKeyStrategy },
    SetRate { name: String, records_per_second: u32 },
    Stop { name: String },
    Remove { name: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KinesisControl {
    Kcl(KclControl),
    Producer(ProducerControl),
}

/// The most records one simulated producer makes before the page stops it:
/// every record is kept for the stream's retention (24 h and more), in
/// this tab's memory, and a fast clock reaches 24 h in minutes.
pub const PRODUCER_RECORD_BUDGET: u64 = 1_000_000;
/// While a producer runs, the clock moves at most this many virtual
/// milliseconds per animation frame, so one frame's work (thousands of
/// records, put, throttled, retried and read) stays small enough for the
/// page to respond; at 600× a slow frame falls behind instead of freezing.
pub const PRODUCER_FRAME_MS: f64 = 10_000.0;

/// The virtual milliseconds a frame may advance, given what runs.
pub fn frame_limit(engine: &Engine, virtual_ms: f64) -> f64 {
    if engine.kinesis_state().producers().any(|p| p.running) {
        virtual_ms.min(PRODUCER_FRAME_MS)
    } else {
        virtual_ms
    }
}

/// Stop controls for the running producers past [`PRODUCER_RECORD_BUDGET`]
/// (the page performs them as journaled commands, so a replay agrees).
pub fn over_budget(engine: &Engine) -> Vec<KinesisControl> {
    engine
        .kinesis_state()
        .producers()
        .filter(|p| p.running && p.stats.generated >= PRODUCER_RECORD_BUDGET)
        .map(|p| KinesisControl::Producer(ProducerControl::Stop { name: p.name.to_string() }))
        .collect()
}

/// The journal's key for each kind of control.
pub const KCL_KEY: &str = "kcl";
pub const PRODUCER_KEY: &str = "kinesisProducer";

/// A refused control in the banner's `code: message` shape. The code says
/// which simulated client refused: these are not AWS errors.
fn refused(who: &str, e: ControlError) -> Outcome {
    Outcome::Err(AwsError { code: who.to_string(), message: e.to_string() })
}

fn done(text: String) -> Outcome {
    Outcome::Ok(Value::String(text))
}

/// Performs a control on the engine; `Ok` carries a sentence for the banner.
pub fn apply(engine: &mut Engine, control: &KinesisControl) -> Outcome {
    match control {
        KinesisControl::Kcl(c) => apply_kcl(engine, c),
        KinesisControl::Producer(c) => apply_producer(engine, c),
    }
}

fn apply_kcl(engine: &mut Engine, control: &KclControl) -> Outcome {
    let mut kcl = engine.kcl();
    let result = match control {
        KclControl::Create { app, stream, workers } => {
            kcl.create_application(CreateApplication::new(app.clone(), stream.clone(), *workers)).map(|()| {
                format!(
                    "KCL application {app} started with {workers} worker{} on {stream}: they take leases at once, \
                     one worker per shard at most.",
                    if *workers == 1 { "" } else { "s" }
                )
            })
        }
        KclControl::AddWorker { app } => {
            kcl.add_worker(app).map(|w| format!("{w} started: it looks for a lease to take at once."))
        }
        KclControl::CrashWorker { app, worker } => kcl.crash_worker(app, worker).map(|()| {
            format!(
                "{worker} crashed: its leases stay in {app}'s lease table until they go 10 s (failoverTimeMillis) \
                 without renewal; then another worker takes them."
            )
        }),
        KclControl::RestartWorker { app, worker } => {
            kcl.restart_worker(app, worker).map(|()| format!("{worker} restarted with an empty memory."))
        }
        KclControl::RemoveWorker { app, worker } => kcl.remove_worker(app, worker).map(|()| {
            format!("{worker} shut down gracefully: it checkpointed and released its leases for others to take.")
        }),
        KclControl::Delete { app } => {
            kcl.delete_application(app).map(|()| format!("KCL application {app} stopped; its lease table is gone."))
        }
    };
    result.map_or_else(|e| refused("KCL", e), done)
}

fn apply_producer(engine: &mut Engine, control: &ProducerControl) -> Outcome {
    let mut producers = engine.kinesis_producers();
    let result = match control {
        ProducerControl::Start { name, stream, records_per_second, strategy } => producers
            .start_producer(StartProducer {
                name: name.clone(),
                stream: stream.clone(),
                records_per_second: *records_per_second,
                strategy: *strategy,
            })
            .map(|()| format!("Producer {name} puts {records_per_second} records a second into {stream}.")),
        ProducerControl::SetRate { name, records_per_second } => producers
            .set_rate(name, *records_per_second)
            .map(|()| format!("Producer {name} now puts {records_per_second} records a second.")),
        ProducerControl::Stop { name } => producers
            .stop_producer(name)
            .map(|()| format!("Producer {name} stopped; it still retries what was throttled.")),
        ProducerControl::Remove { name } => {
            producers.remove_producer(name).map(|()| format!("Producer {name} removed."))
        }
    };
    result.map_or_else(|e| refused("Producer", e), done)
}

/// How the journal and the UI name a strategy.
pub fn strategy_name(s: &PartitionKeyStrategy) -> &'static str {
    match s {
        PartitionKeyStrategy::PerUser { .. } => "perUser",
        PartitionKeyStrategy::PerCountry { .. } => "perCountry",
        PartitionKeyStrategy::Random => "random",
    }
}

fn strategy_json(s: &PartitionKeyStrategy) -> Value {
    match s {
        PartitionKeyStrategy::PerUser { users } => json!({"key": "perUser", "users": users}),
        PartitionKeyStrategy::PerCountry { skew } => json!({"key": "perCountry", "skew": skew}),
        PartitionKeyStrategy::Random => json!({"key": "random"}),
    }
}

/// The control as a journal entry (without its time).
pub fn to_json(control: &KinesisControl) -> Value {
    match control {
        KinesisControl::Kcl(c) => {
            let body = match c {
                KclControl::Create { app, stream, workers } => {
                    json!({"op": "create", "app": app, "stream": stream, "workers": workers})
                }
                KclControl::AddWorker { app } => json!({"op": "addWorker", "app": app}),
                KclControl::CrashWorker { app, worker } => json!({"op": "crash", "app": app, "worker": worker}),
                KclControl::RestartWorker { app, worker } => json!({"op": "restart", "app": app, "worker": worker}),
                KclControl::RemoveWorker { app, worker } => json!({"op": "removeWorker", "app": app, "worker": worker}),
                KclControl::Delete { app } => json!({"op": "delete", "app": app}),
            };
            json!({ KCL_KEY: body })
        }
        KinesisControl::Producer(c) => {
            let body = match c {
                ProducerControl::Start { name, stream, records_per_second, strategy } => json!({
                    "op": "start", "name": name, "stream": stream, "rate": records_per_second,
                    "strategy": strategy_json(strategy),
                }),
                ProducerControl::SetRate { name, records_per_second } => {
                    json!({"op": "rate", "name": name, "rate": records_per_second})
                }
                ProducerControl::Stop { name } => json!({"op": "stop", "name": name}),
                ProducerControl::Remove { name } => json!({"op": "remove", "name": name}),
            };
            json!({ PRODUCER_KEY: body })
        }
    }
}

fn text(o: &Value, k: &str) -> Result<String, String> {
    o.get(k).and_then(Value::as_str).map(str::to_string).ok_or_else(|| format!("missing {k}"))
}

fn count(o: &Value, k: &str) -> Result<u32, String> {
    o.get(k).and_then(Value::as_u64).and_then(|n| u32::try_from(n).ok()).ok_or_else(|| format!("missing {k}"))
}

/// Reads a journal entry written by [`to_json`]; `None` if it is no Kinesis control.
pub fn from_json(entry: &Map<String, Value>) -> Option<Result<KinesisControl, String>> {
    if let Some(c) = entry.get(KCL_KEY) {
        return Some(kcl_from(c).map(KinesisControl::Kcl));
    }
    entry.get(PRODUCER_KEY).map(|p| producer_from(p).map(KinesisControl::Producer))
}

fn kcl_from(c: &Value) -> Result<KclControl, String> {
    let app = text(c, "app")?;
    Ok(match c.get("op").and_then(Value::as_str) {
        Some("create") => KclControl::Create { app, stream: text(c, "stream")?, workers: count(c, "workers")? },
        Some("addWorker") => KclControl::AddWorker { app },
        Some("crash") => KclControl::CrashWorker { app, worker: text(c, "worker")? },
        Some("restart") => KclControl::RestartWorker { app, worker: text(c, "worker")? },
        Some("removeWorker") => KclControl::RemoveWorker { app, worker: text(c, "worker")? },
        Some("delete") => KclControl::Delete { app },
        other => return Err(format!("an unknown KCL control {other:?}")),
    })
}

fn producer_from(p: &Value) -> Result<ProducerControl, String> {
    let name = text(p, "name")?;
    Ok(match p.get("op").and_then(Value::as_str) {
        Some("start") => {
            let s = p.get("strategy").ok_or("missing strategy")?;
            let strategy = match s.get("key").and_then(Value::as_str) {
                Some("perUser") => PartitionKeyStrategy::PerUser { users: count(s, "users")? },
                Some("perCountry") => PartitionKeyStrategy::PerCountry { skew: count(s, "skew")? },
                Some("random") => PartitionKeyStrategy::Random,
                other => return Err(format!("an unknown partition-key strategy {other:?}")),
            };
            ProducerControl::Start { name, stream: text(p, "stream")?, records_per_second: count(p, "rate")?, strategy }
        }
        Some("rate") => ProducerControl::SetRate { name, records_per_second: count(p, "rate")? },
        Some("stop") => ProducerControl::Stop { name },
        Some("remove") => ProducerControl::Remove { name },
        other => return Err(format!("an unknown producer control {other:?}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(c: KinesisControl) {
        let v = to_json(&c);
        let back = from_json(v.as_object().unwrap()).unwrap().unwrap();
        assert_eq!(back, c, "{v}");
    }

    #[test]
    fn every_control_reads_back_from_the_journal() {
        let (app, worker) = (String::from("a"), String::from("worker-2"));
        for c in [
            KclControl::Create { app: app.clone(), stream: "s".into(), workers: 3 },
            KclControl::AddWorker { app: app.clone() },
            KclControl::CrashWorker { app: app.clone(), worker: worker.clone() },
            KclControl::RestartWorker { app: app.clone(), worker: worker.clone() },
            KclControl::RemoveWorker { app: app.clone(), worker },
            KclControl::Delete { app },
        ] {
            round_trip(KinesisControl::Kcl(c));
        }
        for strategy in [
            PartitionKeyStrategy::PerUser { users: 100 },
            PartitionKeyStrategy::PerCountry { skew: 2 },
            PartitionKeyStrategy::Random,
        ] {
            let start =
                ProducerControl::Start { name: "p".into(), stream: "s".into(), records_per_second: 5, strategy };
            round_trip(KinesisControl::Producer(start));
        }
        for c in [
            ProducerControl::SetRate { name: "p".into(), records_per_second: 9 },
            ProducerControl::Stop { name: "p".into() },
            ProducerControl::Remove { name: "p".into() },
        ] {
            round_trip(KinesisControl::Producer(c));
        }
        let bad = json!({"kcl": {"op": "explode", "app": "a"}});
        assert!(from_json(bad.as_object().unwrap()).unwrap().unwrap_err().contains("unknown KCL control"));
        let bad = json!({"kinesisProducer": {"op": "start", "name": "p", "stream": "s", "rate": 1, "strategy": {"key": "x"}}});
        assert!(from_json(bad.as_object().unwrap()).unwrap().unwrap_err().contains("unknown partition-key strategy"));
        assert!(from_json(json!({"call": {}}).as_object().unwrap()).is_none());
    }
}

#[cfg(test)]
mod sim_tests {
    use super::*;
    use crate::api::ApiRequest;
    use crate::sim::{Command, Sim};
    use decouple_engine::kinesis::kcl::WorkerStatus;
    use decouple_engine::SimDuration;

    fn secs(s: u64) -> SimDuration {
        SimDuration::from_secs(s)
    }

    pub(crate) fn stream(sim: &mut Sim, name: &str, shards: u32) {
        let create = ApiRequest::kinesis("CreateStream", [("StreamName", json!(name)), ("ShardCount", json!(shards))]);
        assert!(matches!(sim.perform(Command::Call(create)), Outcome::Ok(_)));
        sim.advance_by(secs(10));
    }

    fn kcl(sim: &mut Sim, c: KclControl) -> Outcome {
        sim.perform(Command::Kinesis(KinesisControl::Kcl(c)))
    }

    fn producer(sim: &mut Sim, c: ProducerControl) -> Outcome {
        sim.perform(Command::Kinesis(KinesisControl::Producer(c)))
    }

    fn owner_of(sim: &Sim, shard: u32) -> (Option<String>, u64) {
        let app = sim.engine.kinesis_state().kcl_application("orders-app").unwrap();
        let lease = app.lease(shard).unwrap();
        (lease.owner.as_deref().map(String::from), lease.counter)
    }

    #[test]
    fn three_workers_on_two_shards_leave_one_idle_and_a_crashed_workers_lease_moves() {
        let mut sim = Sim::new(42);
        stream(&mut sim, "s", 2);
        let steady = ProducerControl::Start {
            name: "p".into(),
            stream: "s".into(),
            records_per_second: 100,
            strategy: PartitionKeyStrategy::PerUser { users: 1_000 },
        };
        assert!(
            matches!(producer(&mut sim, steady), Outcome::Ok(Value::String(ref t)) if t.contains("100 records a second"))
        );
        let create = KclControl::Create { app: "orders-app".into(), stream: "s".into(), workers: 3 };
        let Outcome::Ok(Value::String(text)) = kcl(&mut sim, create.clone()) else { panic!() };
        assert!(text.starts_with("KCL application orders-app started with 3 workers on s"), "{text}");
        let Outcome::Err(e) = kcl(&mut sim, create) else { panic!("a second application of the same name") };
        assert_eq!(e.to_string(), "KCL: A KCL application named orders-app already exists.");
        sim.advance_by(secs(5));
        let app = sim.engine.kinesis_state().kcl_application("orders-app").unwrap();
        assert_eq!(app.workers().filter(|w| w.is_idle()).count(), 1, "two shards: at most two busy workers");
        let busy = app.workers().find(|w| w.leases().count() == 1).unwrap();
        let (victim, shard) = (busy.name.to_string(), busy.leases().next().unwrap().shard);
        let before = owner_of(&sim, shard);
        assert_eq!(before.0.as_deref(), Some(victim.as_str()));
        assert!(matches!(
            kcl(&mut sim, KclControl::CrashWorker { app: "orders-app".into(), worker: victim.clone() }),
            Outcome::Ok(_)
        ));
        let Outcome::Err(e) =
            kcl(&mut sim, KclControl::CrashWorker { app: "orders-app".into(), worker: victim.clone() })
        else {
            panic!()
        };
        assert_eq!(e.message, format!("{victim} has already crashed."));
        // The lease keeps the crashed owner until failoverTimeMillis (10 s) passes without renewal…
        sim.advance_by(secs(8));
        assert_eq!(owner_of(&sim, shard), before);
        sim.advance_by(secs(2));
        // … and meanwhile nobody checkpoints its shard: the iterator age climbs.
        sim.advance_by(secs(10));
        let ages: Vec<u64> = sim.metrics.streams["s"].samples.iter().map(|s| s.iterator_age_ms).collect();
        assert!(ages.iter().any(|a| *a >= 5_000), "{ages:?}");
        // Taken at a survivor's next lease-taker run (every 20,050 ms), counter bumped.
        sim.advance_by(secs(25));
        let after = owner_of(&sim, shard);
        assert_ne!(after.0, before.0);
        assert!(after.1 > before.1, "{after:?} {before:?}");
        let app = sim.engine.kinesis_state().kcl_application("orders-app").unwrap();
        assert_eq!(app.worker(&victim).unwrap().status, WorkerStatus::Crashed);
        assert!(app.processed() > 0);

        // The journal replays the controls: the same table, counts and producer.
        kcl(&mut sim, KclControl::RestartWorker { app: "orders-app".into(), worker: victim.clone() });
        kcl(&mut sim, KclControl::AddWorker { app: "orders-app".into() });
        producer(&mut sim, ProducerControl::SetRate { name: "p".into(), records_per_second: 50 });
        sim.advance_by(secs(30));
        kcl(&mut sim, KclControl::RemoveWorker { app: "orders-app".into(), worker: "worker-4".into() });
        producer(&mut sim, ProducerControl::Stop { name: "p".into() });
        sim.advance_by(secs(3));
        let saved = crate::persist::save(&sim);
        let back = crate::persist::restore(&saved).unwrap();
        assert_eq!(crate::persist::save(&back), saved);
        let view = |s: &Sim| {
            let k = s.engine.kinesis_state();
            let app = k.kcl_application("orders-app").unwrap();
            let workers: Vec<(String, u64)> = app.workers().map(|w| (w.name.to_string(), w.processed)).collect();
            (app.lease_table(), workers, k.producer("p").unwrap().stats)
        };
        assert_eq!(view(&back), view(&sim));
        assert_eq!(view(&sim).1.len(), 3, "worker-4 was removed");
    }

    #[test]
    fn a_producer_past_its_record_budget_is_due_to_stop_and_frames_are_capped_while_one_runs() {
        let mut sim = Sim::new(42);
        stream(&mut sim, "s", 4);
        assert_eq!(frame_limit(&sim.engine, 150_000.0), 150_000.0);
        let start = ProducerControl::Start {
            name: "p".into(),
            stream: "s".into(),
            records_per_second: 2_000,
            strategy: PartitionKeyStrategy::Random,
        };
        producer(&mut sim, start);
        assert_eq!(frame_limit(&sim.engine, 150_000.0), PRODUCER_FRAME_MS);
        assert_eq!(frame_limit(&sim.engine, 16.0), 16.0);
        sim.advance_by(secs(PRODUCER_RECORD_BUDGET / 2_000 - 1));
        assert!(over_budget(&sim.engine).is_empty());
        sim.advance_by(secs(1));
        let due = over_budget(&sim.engine);
        assert_eq!(due, [KinesisControl::Producer(ProducerControl::Stop { name: "p".into() })]);
        sim.perform(Command::Kinesis(due[0].clone()));
        assert!(over_budget(&sim.engine).is_empty());
        assert_eq!(frame_limit(&sim.engine, 150_000.0), 150_000.0);
    }

    #[test]
    fn a_skewed_producer_makes_a_hot_shard_that_a_split_cools() {
        let mut sim = Sim::new(42);
        stream(&mut sim, "s", 2);
        let start = ProducerControl::Start {
            name: "p".into(),
            stream: "s".into(),
            records_per_second: 1_500,
            strategy: PartitionKeyStrategy::PerCountry { skew: 1 },
        };
        producer(&mut sim, start);
        sim.advance_by(secs(5));
        let throttled = |sim: &Sim| -> Vec<(u32, u64)> {
            let s = sim.engine.kinesis_state().stream("s").unwrap();
            s.open_shards().map(|sh| (sh.number, sh.metrics.write_throttled)).collect()
        };
        let before = throttled(&sim);
        let hot: Vec<u32> = before.iter().filter(|(_, t)| *t > 0).map(|(n, _)| *n).collect();
        assert_eq!(hot.len(), 1, "{before:?}");
        assert!(sim.engine.kinesis_state().producer("p").unwrap().backoff().is_some());
        let shard = sim.engine.kinesis_state().stream("s").unwrap().open_shards().find(|s| s.number == hot[0]).unwrap();
        let mid = shard.range.starting + (shard.range.ending - shard.range.starting) / 2 + 1;
        let split = ApiRequest::kinesis(
            "SplitShard",
            [
                ("StreamName", json!("s")),
                ("ShardToSplit", json!(shard.id())),
                ("NewStartingHashKey", json!(mid.to_string())),
            ],
        );
        assert!(matches!(sim.perform(Command::Call(split)), Outcome::Ok(_)));
        // Resharding takes 10 s; then the backlog drains.
        sim.advance_by(secs(20));
        let settled = throttled(&sim);
        sim.advance_by(secs(10));
        assert_eq!(throttled(&sim), settled, "no more throttling on three shards");
        let p = sim.engine.kinesis_state().producer("p").unwrap();
        assert_eq!((p.backlog(), p.stats.gave_up), (0, 0));
        // The stream's CloudWatch samples saw the throttling, and the records since.
        let samples = &sim.metrics.streams["s"].samples;
        assert!(samples.iter().any(|s| s.write_throttled > 0));
        let last = samples.back().unwrap();
        // 1,500 a second for 10 s, plus the last retries of the backlog.
        assert_eq!(last.write_throttled, 0);
        assert!((15_000..16_000).contains(&last.incoming_records), "{last:?}");
        assert!(last.incoming_bytes > last.incoming_records * 30, "data and key bytes: {last:?}");
        // Bad input is refused, never a panic.
        let Outcome::Err(e) = producer(&mut sim, ProducerControl::SetRate { name: "p".into(), records_per_second: 0 })
        else {
            panic!()
        };
        assert_eq!(e.code, "Producer");
        let Outcome::Err(e) = producer(&mut sim, ProducerControl::Remove { name: "nope".into() }) else { panic!() };
        assert_eq!(e.message, "No producer named nope.");
    }
}
