//! A simulated producer: a program that puts records into a stream at a
//! steady rate, with a chosen partition-key strategy, and retries what
//! Kinesis throttles with exponential backoff.
//!
//! It exists to make hot shards visible: a skewed key choice sends most
//! records to one shard, that shard's 1,000 records/s quota throttles them,
//! and the retries back off while the other shards stay fine. Like the KCL
//! application it is a client: every record goes through the engine's own
//! PutRecords, so quotas, events and metrics are the real ones.
//!
//! Timing follows the Kinesis Producer Library's defaults where a producer
//! has a choice: records are sent every `RecordMaxBufferedTime` (100 ms) and
//! a record still unsent `RecordTtl` (30 s) after it was made is given up.
//! Retries back off as the AWS SDKs do — a 100 ms base doubling per attempt,
//! capped at 20 s — with "equal jitter" (half the backoff fixed, half random
//! from the engine's generator), so the growing wait stays visible while
//! retries of different batches still spread out.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use super::kcl::ControlError;
use super::records::EntryOutcome;
use super::*;
use crate::event::Event;

/// KPL's `RecordMaxBufferedTime`: how often the producer sends.
pub const PRODUCER_TICK: SimDuration = SimDuration::from_millis(100);
/// KPL's `RecordTtl`: a record not written by then is given up.
pub const RECORD_TTL: SimDuration = SimDuration::from_secs(30);
pub const BACKOFF_BASE: SimDuration = SimDuration::from_millis(100);
/// The AWS SDKs' maximum backoff.
pub const BACKOFF_CAP: SimDuration = SimDuration::from_secs(20);
pub const MAX_RECORDS_PER_SECOND: u32 = 50_000;
/// PutRecords takes at most 500 entries.
const BATCH: usize = 500;

/// The countries of [`PartitionKeyStrategy::PerCountry`], most popular first.
pub const COUNTRIES: [&str; 20] = [
    "US", "IN", "BR", "DE", "GB", "FR", "JP", "CA", "AU", "MX", "ES", "IT", "NL", "SE", "PL", "KR", "ZA", "AR", "NG",
    "EG",
];

/// How the producer picks each record's partition key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionKeyStrategy {
    /// `user-1` … `user-N`, uniformly: many keys, spread evenly.
    PerUser { users: u32 },
    /// One of 20 country codes with Zipf weights `1/rank^skew`: 0 is
    /// uniform, 1 gives "US" 28 %, 2 gives it 62 %, 3 gives it 83 % — a hot key.
    PerCountry { skew: u32 },
    /// A fresh random UUID per record: even spread, no ordering to keep.
    Random,
}

#[derive(Clone, Debug)]
pub struct StartProducer {
    pub name: String,
    pub stream: String,
    pub records_per_second: u32,
    pub strategy: PartitionKeyStrategy,
}

/// Running totals, for the UI's meters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ProducerStats {
    /// Records made (each counted once, however often it is retried).
    pub generated: u64,
    /// Records Kinesis accepted.
    pub put: u64,
    /// Record attempts refused with ProvisionedThroughputExceededException.
    pub throttled: u64,
    /// Record attempts that were retries.
    pub retried: u64,
    /// Records given up after `RECORD_TTL`.
    pub gave_up: u64,
    /// Records lost to another error (the stream is gone, a record too big).
    pub failed: u64,
    pub put_records_calls: u64,
    /// The highest retry attempt so far.
    pub max_attempt: u32,
}

/// A record made and not yet accepted. It keeps what the record was made
/// of, not its strings: a PutRecords request owns its entries, so the strings
/// are built once per attempt instead of built and then copied for the
/// request (a producer makes up to 10,000 records a virtual second, and a
/// saved playground replays every one of them when it loads).
#[derive(Clone, Debug)]
struct Pending {
    key: KeyChoice,
    serial: u64,
    made_at: SimTime,
}

/// The partition key a record drew.
#[derive(Clone, Copy, Debug)]
enum KeyChoice {
    /// `user-N`.
    User(u32),
    /// An index into [`COUNTRIES`].
    Country(usize),
    Uuid(crate::rng::Uuid),
}

impl KeyChoice {
    fn text(self) -> String {
        match self {
            KeyChoice::User(n) => format!("user-{n}"),
            KeyChoice::Country(i) => String::from(COUNTRIES[i]),
            KeyChoice::Uuid(uuid) => uuid.to_canonical_string(),
        }
    }
}

impl Pending {
    /// The record as `producer` puts it.
    fn entry(&self, producer: &str) -> PutRecordsEntry {
        let key = self.key.text();
        let data = format!("{{\"producer\":\"{producer}\",\"n\":{},\"key\":\"{key}\"}}", self.serial);
        PutRecordsEntry { partition_key: key, data: data.into_bytes(), explicit_hash_key: None }
    }
}

#[derive(Clone, Debug)]
struct RetryBatch {
    attempt: u32,
    records: Vec<Pending>,
    key: DeadlineKey,
}

/// One simulated producer.
#[derive(Clone, Debug)]
pub struct Producer {
    pub id: u64,
    pub name: Rc<str>,
    pub stream: String,
    pub records_per_second: u32,
    pub strategy: PartitionKeyStrategy,
    /// False once stopped: it makes no new records but finishes its retries.
    pub running: bool,
    pub stats: ProducerStats,
    pub last_error: Option<String>,
    ticks: u64,
    serial: u64,
    /// Cumulative Zipf weights for PerCountry.
    weights: Vec<u64>,
    retries: BTreeMap<u64, RetryBatch>,
    next_batch: u64,
    tick: Option<DeadlineKey>,
}

/// A producer's longest wait for a retry, for a UI to show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    /// The retry attempt that is waiting (1: the first retry).
    pub attempt: u32,
    /// The most this attempt could wait (half of it is fixed, half jitter).
    pub ceiling: SimDuration,
    /// When the retry goes out.
    pub retry_at: SimTime,
    /// Records in that retry.
    pub records: usize,
}

/// The backoff ceiling before retry `attempt` (1-based): the base doubling per attempt, capped.
pub fn backoff_ceiling(attempt: u32) -> SimDuration {
    let millis = BACKOFF_BASE.as_millis().saturating_mul(1u64 << attempt.saturating_sub(1).min(20));
    SimDuration::from_millis(millis.min(BACKOFF_CAP.as_millis()))
}

impl Producer {
    /// The retry that has backed off furthest (highest attempt; the earliest
    /// of equals), or `None` when nothing waits.
    pub fn backoff(&self) -> Option<Backoff> {
        self.retries
            .values()
            .map(|b| Backoff {
                attempt: b.attempt,
                ceiling: backoff_ceiling(b.attempt),
                retry_at: b.key.at,
                records: b.records.len(),
            })
            .min_by_key(|b| (core::cmp::Reverse(b.attempt), b.retry_at))
    }

    /// Records waiting to be retried.
    pub fn backlog(&self) -> usize {
        self.retries.values().map(|b| b.records.len()).sum()
    }

    fn partition_key(&mut self, core: &mut Core) -> KeyChoice {
        match self.strategy {
            PartitionKeyStrategy::PerUser { users } => KeyChoice::User(core.rng.below(users.max(1)) + 1),
            PartitionKeyStrategy::PerCountry { .. } => {
                let total = self.weights.last().copied().unwrap_or(1).max(1);
                let r = core.rng.next_u64() % total;
                KeyChoice::Country(self.weights.partition_point(|w| *w <= r).min(COUNTRIES.len() - 1))
            }
            PartitionKeyStrategy::Random => KeyChoice::Uuid(core.rng.uuid()),
        }
    }
}

/// Cumulative weights `1e12 / rank^skew`, in integers (no floating point in
/// `no_std`); the exponent is capped where the weights would vanish.
fn zipf_weights(skew: u32) -> Vec<u64> {
    let mut total = 0u64;
    (1..=COUNTRIES.len() as u64)
        .map(|rank| {
            let power = rank.saturating_pow(skew.min(8));
            total += (1_000_000_000_000 / power).max(1);
            total
        })
        .collect()
}

/// Every simulated producer.
#[derive(Clone, Debug, Default)]
pub struct ProducerState {
    producers: BTreeMap<u64, Producer>,
    next_id: u64,
}

impl KinesisState {
    pub fn producers(&self) -> impl Iterator<Item = &Producer> {
        self.producers.producers.values()
    }

    pub fn producer(&self, name: &str) -> Option<&Producer> {
        self.producers.producers.values().find(|p| &*p.name == name)
    }
}

/// The producer controls of an engine, borrowed for one call.
pub struct Producers<'a> {
    core: &'a mut Core,
    state: &'a mut KinesisState,
}

impl<'a> Producers<'a> {
    pub(crate) fn new(core: &'a mut Core, state: &'a mut KinesisState) -> Self {
        Producers { core, state }
    }

    fn find(&mut self, name: &str) -> Result<&mut Producer, ControlError> {
        self.state
            .producers
            .producers
            .values_mut()
            .find(|p| &*p.name == name)
            .ok_or_else(|| ControlError::NotFound(format!("No producer named {name}.")))
    }

    /// Starts putting records; the first batch goes out one tick from now.
    pub fn start_producer(&mut self, req: StartProducer) -> Result<(), ControlError> {
        if req.name.is_empty() {
            return Err(ControlError::Invalid(String::from("A producer needs a name.")));
        }
        if self.state.producer(&req.name).is_some() {
            return Err(ControlError::AlreadyExists(format!("A producer named {} already exists.", req.name)));
        }
        check_rate(req.records_per_second)?;
        if matches!(req.strategy, PartitionKeyStrategy::PerUser { users: 0 }) {
            return Err(ControlError::Invalid(String::from("PerUser needs at least one user.")));
        }
        if !self.state.streams.contains_key(&req.stream) {
            return Err(ControlError::NotFound(format!("No stream named {}.", req.stream)));
        }
        let id = self.state.producers.next_id;
        self.state.producers.next_id += 1;
        let weights = match req.strategy {
            PartitionKeyStrategy::PerCountry { skew } => zipf_weights(skew),
            _ => Vec::new(),
        };
        let tick = self.core.schedule_in(PRODUCER_TICK, Deadline::KinesisProducerTick { producer: id });
        let producer = Producer {
            id,
            name: Rc::from(req.name.as_str()),
            stream: req.stream,
            records_per_second: req.records_per_second,
            strategy: req.strategy,
            running: true,
            stats: ProducerStats::default(),
            last_error: None,
            ticks: 0,
            serial: 0,
            weights,
            retries: BTreeMap::new(),
            next_batch: 0,
            tick: Some(tick),
        };
        self.state.producers.producers.insert(id, producer);
        Ok(())
    }

    /// Changes the rate from the next tick on.
    pub fn set_rate(&mut self, name: &str, records_per_second: u32) -> Result<(), ControlError> {
        check_rate(records_per_second)?;
        self.find(name)?.records_per_second = records_per_second;
        Ok(())
    }

    /// Stops making records. Throttled records still waiting are retried
    /// until they are written or pass their TTL, as a producer flushing on
    /// shutdown would.
    pub fn stop_producer(&mut self, name: &str) -> Result<(), ControlError> {
        let producer = self.find(name)?;
        producer.running = false;
        if let Some(key) = producer.tick.take() {
            self.core.deadlines.cancel(key);
        }
        Ok(())
    }

    /// Forgets the producer, dropping any records waiting to be retried.
    pub fn remove_producer(&mut self, name: &str) -> Result<(), ControlError> {
        let id = self.find(name)?.id;
        if let Some(p) = self.state.producers.producers.remove(&id) {
            for key in p.tick.iter().chain(p.retries.values().map(|b| &b.key)) {
                self.core.deadlines.cancel(*key);
            }
        }
        Ok(())
    }
}

fn check_rate(rate: u32) -> Result<(), ControlError> {
    if rate == 0 || rate > MAX_RECORDS_PER_SECOND {
        return Err(ControlError::Invalid(format!(
            "A producer puts 1 to {MAX_RECORDS_PER_SECOND} records per second."
        )));
    }
    Ok(())
}

/// Performs a producer deadline.
pub(crate) fn on_deadline(core: &mut Core, state: &mut KinesisState, deadline: Deadline) {
    let (id, batch) = match deadline {
        Deadline::KinesisProducerTick { producer } => (producer, None),
        Deadline::KinesisProducerRetry { producer, batch } => (producer, Some(batch)),
        _ => return,
    };
    // Taken out so that it can call the stream's API.
    let Some(mut producer) = state.producers.producers.remove(&id) else { return };
    match batch {
        None => tick(core, state, &mut producer),
        Some(batch) => {
            if let Some(b) = producer.retries.remove(&batch) {
                producer.stats.retried += b.records.len() as u64;
                send(core, state, &mut producer, b.records, b.attempt);
            }
        }
    }
    state.producers.producers.insert(id, producer);
}

fn tick(core: &mut Core, state: &mut KinesisState, producer: &mut Producer) {
    producer.tick = None;
    if !producer.running {
        return;
    }
    // Spread the rate over ten ticks a second without losing the remainder.
    let rate = u64::from(producer.records_per_second);
    let ticks_per_second = 1000 / PRODUCER_TICK.as_millis();
    let k = producer.ticks % ticks_per_second;
    let count = rate * (k + 1) / ticks_per_second - rate * k / ticks_per_second;
    producer.ticks += 1;
    let now = core.now;
    let mut records = Vec::with_capacity(count as usize);
    for _ in 0..count {
        let key = producer.partition_key(core);
        producer.serial += 1;
        records.push(Pending { key, serial: producer.serial, made_at: now });
    }
    producer.stats.generated += count;
    if !records.is_empty() {
        send(core, state, producer, records, 0);
    }
    producer.tick = Some(core.schedule_in(PRODUCER_TICK, Deadline::KinesisProducerTick { producer: producer.id }));
}

/// Puts records (at most 500 per call); throttled ones wait for a retry.
fn send(core: &mut Core, state: &mut KinesisState, producer: &mut Producer, records: Vec<Pending>, attempt: u32) {
    let mut records = records.into_iter().peekable();
    while records.peek().is_some() {
        let chunk: Vec<Pending> = records.by_ref().take(BATCH).collect();
        let request = PutRecordsRequest {
            stream: StreamRef::named(producer.stream.clone()),
            records: chunk.iter().map(|p| p.entry(&producer.name)).collect(),
        };
        producer.stats.put_records_calls += 1;
        let mut refused = Vec::with_capacity(chunk.len());
        let written = Kinesis::new(core, state)
            .put_entries(request, |_, outcome| refused.push(matches!(outcome, EntryOutcome::Throttled { .. })));
        if let Err(e) = written {
            producer.stats.failed += chunk.len() as u64;
            producer.last_error = Some(format!("{}: {}", e.code.name(), e.message));
            continue;
        }
        // A write fails only by throttling; the rest were stored.
        let mut throttled = Vec::new();
        for (pending, refused) in chunk.into_iter().zip(refused) {
            if refused {
                producer.stats.throttled += 1;
                throttled.push(pending);
            } else {
                producer.stats.put += 1;
            }
        }
        schedule_retry(core, producer, throttled, attempt + 1);
    }
}

/// Backs off before retrying throttled records; those past their TTL are given up.
fn schedule_retry(core: &mut Core, producer: &mut Producer, records: Vec<Pending>, attempt: u32) {
    let now = core.now;
    let (records, expired): (Vec<Pending>, Vec<Pending>) =
        records.into_iter().partition(|p| p.made_at + RECORD_TTL > now);
    if !expired.is_empty() {
        producer.stats.gave_up += expired.len() as u64;
        core.emit(Event::ProducerGaveUp { producer: producer.name.clone(), records: expired.len() as u32 });
    }
    if records.is_empty() {
        return;
    }
    let ceiling = backoff_ceiling(attempt).as_millis();
    let half = ceiling / 2;
    let wait = half + u64::from(core.rng.below(half as u32 + 1));
    let at = now + SimDuration::from_millis(wait);
    let batch = producer.next_batch;
    producer.next_batch += 1;
    producer.stats.max_attempt = producer.stats.max_attempt.max(attempt);
    let key = core.deadlines.schedule(at, Deadline::KinesisProducerRetry { producer: producer.id, batch });
    core.emit(Event::ProducerBackoff {
        producer: producer.name.clone(),
        records: records.len() as u32,
        attempt,
        retry_at: at,
    });
    producer.retries.insert(batch, RetryBatch { attempt, records, key });
}

/// "producer p retries 12 throttled records (attempt 3)".
pub(crate) fn describe_deadline(state: &KinesisState, deadline: &Deadline) -> String {
    match deadline {
        Deadline::KinesisProducerTick { producer } => match state.producers.producers.get(producer) {
            Some(p) => format!("producer {} puts its next records into {}", p.name, p.stream),
            None => String::new(),
        },
        Deadline::KinesisProducerRetry { producer, batch } => {
            let Some(p) = state.producers.producers.get(producer) else { return String::new() };
            match p.retries.get(batch) {
                Some(b) => {
                    format!("producer {} retries {} throttled records (attempt {})", p.name, b.records.len(), b.attempt)
                }
                None => String::new(),
            }
        }
        _ => String::new(),
    }
}
