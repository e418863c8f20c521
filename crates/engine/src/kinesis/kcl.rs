//! A simulated Kinesis Client Library (KCL 2.x-style) consumer application.
//!
//! The course's hardest Kinesis ideas — one worker per shard, leases that
//! move when a worker dies, parents read before children — are what the KCL
//! does, so the engine runs one in virtual time for a UI to show. It is a
//! client of the stream, not part of Kinesis: every record a worker reads
//! comes through the engine's own GetShardIterator and GetRecords, so the
//! per-shard read quotas throttle workers exactly as they throttle SDK calls.
//! Its lease table stands in for the DynamoDB table the KCL keeps (named
//! after the application, one item per shard).
//!
//! Each worker has three recurring deadlines, as the KCL's threads do:
//! - **poll** every `idleTimeBetweenReadsInMillis` (default 1,000 ms): one
//!   GetRecords per held shard, "process" the batch, checkpoint.
//! - **renew** every `failoverTimeMillis / 3 - epsilon` (3,308 ms by
//!   default; KCL's `LeaseCoordinator`): bump the counter of every held lease,
//!   conditionally on the counter it last saw — a failed condition means the
//!   lease was taken, and the worker drops it (the counter is the fence).
//! - **take** every `(failoverTimeMillis + epsilon) * 2` (20,050 ms): KCL's
//!   `LeaseTaker` — take expired or unowned leases up to a fair share, or,
//!   only when none are expired, steal `maxLeasesToStealAtOneTime` (default
//!   1) from the most loaded worker.
//!
//! A lease not renewed for `failoverTimeMillis` (default 10,000 ms) is
//! expired; one more deadline per owned lease notices the moment that
//! happens, so the event log says when a crashed worker's leases expire.
//! Defaults are `KinesisClientLibConfiguration`'s (`DEFAULT_FAILOVER_TIME_MILLIS`,
//! `DEFAULT_IDLETIME_BETWEEN_READS_MILLIS`, `DEFAULT_MAX_RECORDS`,
//! `DEFAULT_MAX_LEASES_TO_STEAL_AT_ONE_TIME`).
//!
//! # Where the KCL leaves room
//! - Expiry is judged on one shared clock from the lease's last counter
//!   change; the real KCL judges it per worker from when *it* saw the
//!   counter move, which gives the same times when clocks agree.
//! - A worker whose lease was stolen keeps reading it until its next renewal
//!   or checkpoint is refused (up to one renewer interval). The records it
//!   reads meanwhile are processed twice — real KCL at-least-once behaviour.
//! - SHARD_END leases need no worker: they are not renewed, taken or counted
//!   when balancing, and keep their last owner's name until cleaned up.
//! - A child's lease is created when its last parent reaches SHARD_END (a
//!   merge's child waits for both), and starts at TRIM_HORIZON. Because the
//!   child has no lease before that, no worker can block on it.
//! - Shard discovery happens at start (TRIM_HORIZON: the shards without
//!   parents; LATEST: the open shards) and at each SHARD_END; the KCL's
//!   periodic shard sync would find nothing more, as shards only appear by
//!   resharding.
//! - A LATEST lease that never checkpointed starts again at LATEST after a
//!   failover, skipping what arrived meanwhile — as the real KCL does.
//! - Ties for the most loaded worker (a HashMap's order in the KCL) go to the
//!   first name; every other random choice uses the engine's generator.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::keys::{self, SequenceNumber};
use super::*;
use crate::event::Event;

/// KCL's `DEFAULT_FAILOVER_TIME_MILLIS`: a lease not renewed for this long is expired.
pub const DEFAULT_FAILOVER_TIME: SimDuration = SimDuration::from_millis(10_000);
/// KCL's `DEFAULT_IDLETIME_BETWEEN_READS_MILLIS`: a worker polls each shard this often.
pub const DEFAULT_IDLE_TIME_BETWEEN_READS: SimDuration = SimDuration::from_millis(1_000);
/// KCL's `DEFAULT_MAX_RECORDS` per GetRecords call.
pub const DEFAULT_MAX_RECORDS: u32 = 10_000;
/// KCL's `DEFAULT_MAX_LEASES_TO_STEAL_AT_ONE_TIME`.
pub const DEFAULT_MAX_LEASES_TO_STEAL: u32 = 1;
/// KCL's `epsilonMillis`, the slack in its renew and take intervals.
const EPSILON_MILLIS: u64 = 25;
/// How many processed records each worker remembers for a UI.
pub const DEFAULT_HISTORY: usize = 50;

/// A worker's or application's name, shared cheaply with events.
pub type Name = Rc<str>;

/// Where a new application starts reading shards that have no checkpoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InitialPosition {
    TrimHorizon,
    Latest,
}

/// The KCL settings a learner may change; `Default` gives KCL's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KclConfig {
    pub failover_time: SimDuration,
    pub idle_time_between_reads: SimDuration,
    pub max_records: u32,
    pub max_leases_to_steal_at_one_time: u32,
    /// The simulated record processor checkpoints after this many batches of
    /// a shard (1: after every batch). More means more records are processed
    /// again after a failover — at-least-once made visible.
    pub checkpoint_every_batches: u32,
    /// Processed records each worker keeps (the newest), for a UI.
    pub history: usize,
}

impl Default for KclConfig {
    fn default() -> Self {
        KclConfig {
            failover_time: DEFAULT_FAILOVER_TIME,
            idle_time_between_reads: DEFAULT_IDLE_TIME_BETWEEN_READS,
            max_records: DEFAULT_MAX_RECORDS,
            max_leases_to_steal_at_one_time: DEFAULT_MAX_LEASES_TO_STEAL,
            checkpoint_every_batches: 1,
            history: DEFAULT_HISTORY,
        }
    }
}

impl KclConfig {
    /// `LeaseCoordinator`: `renewerIntervalMillis = leaseDurationMillis / 3 - epsilonMillis`.
    pub fn renewer_interval(&self) -> SimDuration {
        SimDuration::from_millis((self.failover_time.as_millis() / 3).saturating_sub(EPSILON_MILLIS).max(1))
    }

    /// `LeaseCoordinator`: `takerIntervalMillis = (leaseDurationMillis + epsilonMillis) * 2`.
    pub fn taker_interval(&self) -> SimDuration {
        SimDuration::from_millis((self.failover_time.as_millis() + EPSILON_MILLIS) * 2)
    }
}

/// Creates a simulated KCL application.
#[derive(Clone, Debug)]
pub struct CreateApplication {
    pub name: String,
    pub stream: String,
    pub workers: u32,
    pub initial_position: InitialPosition,
    pub config: KclConfig,
}

impl CreateApplication {
    /// An application with KCL's defaults, starting at LATEST as the KCL does.
    pub fn new(name: impl Into<String>, stream: impl Into<String>, workers: u32) -> Self {
        CreateApplication {
            name: name.into(),
            stream: stream.into(),
            workers,
            initial_position: InitialPosition::Latest,
            config: KclConfig::default(),
        }
    }
}

/// Why a simulation control was refused. These are not AWS errors: the
/// controls are the playground's, not an AWS API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ControlError {
    NotFound(String),
    AlreadyExists(String),
    Invalid(String),
}

impl fmt::Display for ControlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ControlError::NotFound(m) | ControlError::AlreadyExists(m) | ControlError::Invalid(m) => f.write_str(m),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ControlError {}

/// A lease's checkpoint: a sequence number or one of KCL's sentinels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Checkpoint {
    TrimHorizon,
    Latest,
    /// After this record (its sequence number).
    Sequence(String),
    /// The shard is closed and every record of it was processed.
    ShardEnd,
}

impl Checkpoint {
    pub fn as_str(&self) -> &str {
        match self {
            Checkpoint::TrimHorizon => "TRIM_HORIZON",
            Checkpoint::Latest => "LATEST",
            Checkpoint::Sequence(s) => s,
            Checkpoint::ShardEnd => "SHARD_END",
        }
    }
}

/// One item of the lease table.
#[derive(Clone, Debug)]
pub struct Lease {
    pub shard: u32,
    pub owner: Option<Name>,
    /// +1 on every take and renewal; writes are conditional on it (fencing).
    pub counter: u64,
    pub checkpoint: Checkpoint,
    pub owner_switches_since_checkpoint: u64,
    pub parents: Vec<u32>,
    /// Filled in when the shard reaches SHARD_END.
    pub children: Vec<u32>,
    /// When the counter last changed: what "renewed" means to other workers.
    pub last_renewed: SimTime,
    /// Set when the lease went `failoverTimeMillis` without renewal.
    pub expired: bool,
    expiry: Option<DeadlineKey>,
}

impl Lease {
    fn new(shard: u32, checkpoint: Checkpoint, parents: Vec<u32>, now: SimTime) -> Self {
        Lease {
            shard,
            owner: None,
            counter: 0,
            checkpoint,
            owner_switches_since_checkpoint: 0,
            parents,
            children: Vec::new(),
            last_renewed: now,
            expired: false,
            expiry: None,
        }
    }

    /// `leaseKey`: the shard id.
    pub fn lease_key(&self) -> String {
        keys::shard_id(self.shard)
    }

    pub fn is_finished(&self) -> bool {
        self.checkpoint == Checkpoint::ShardEnd
    }

    /// KCL's `Lease.isExpired`: unowned, or not renewed for longer than the failover time.
    fn expired_at(&self, now: SimTime, failover: SimDuration) -> bool {
        self.owner.is_none() || now.saturating_sub(self.last_renewed) > failover
    }

    /// The item as the DynamoDB console would list it.
    pub fn row(&self) -> LeaseRow {
        LeaseRow {
            lease_key: self.lease_key(),
            lease_owner: self.owner.as_deref().map(String::from),
            lease_counter: self.counter,
            checkpoint: String::from(self.checkpoint.as_str()),
            owner_switches_since_checkpoint: self.owner_switches_since_checkpoint,
            parent_shard_ids: self.parents.iter().map(|p| keys::shard_id(*p)).collect(),
            child_shard_ids: self.children.iter().map(|c| keys::shard_id(*c)).collect(),
            expired: self.expired,
        }
    }
}

/// A lease-table item with the KCL's attribute names (camelCase in DynamoDB).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseRow {
    pub lease_key: String,
    pub lease_owner: Option<String>,
    pub lease_counter: u64,
    pub checkpoint: String,
    pub owner_switches_since_checkpoint: u64,
    pub parent_shard_ids: Vec<String>,
    pub child_shard_ids: Vec<String>,
    /// Not an attribute: whether the lease is past its failover time.
    pub expired: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerStatus {
    Running,
    Crashed,
}

/// A lease as the worker holding it sees it (KCL's in-memory copy).
#[derive(Clone, Debug)]
pub struct HeldLease {
    pub shard: u32,
    /// The counter this worker last wrote; the table's must still match.
    pub counter: u64,
    pub millis_behind_latest: u64,
    /// Records processed since the last successful checkpoint.
    pub unchecked_records: u64,
    iterator: Option<String>,
    /// The last record processed, to resume after an iterator error.
    last_sequence: Option<String>,
    batches_since_checkpoint: u32,
}

impl HeldLease {
    fn new(shard: u32, counter: u64) -> Self {
        HeldLease {
            shard,
            counter,
            millis_behind_latest: 0,
            unchecked_records: 0,
            iterator: None,
            last_sequence: None,
            batches_since_checkpoint: 0,
        }
    }
}

/// A record as a worker's record processor saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProcessedRecord {
    pub shard: u32,
    /// 1-based position in the shard (decoded from the sequence number).
    pub index: u64,
    pub sequence_number: String,
    pub partition_key: String,
    pub data: Vec<u8>,
    pub at: SimTime,
}

/// One worker (one KCL `Scheduler`, i.e. one instance of the application).
#[derive(Clone, Debug)]
pub struct Worker {
    pub name: Name,
    pub number: u32,
    pub status: WorkerStatus,
    pub processed: u64,
    pub processed_by_shard: BTreeMap<u32, u64>,
    /// The newest processed records, at most `KclConfig::history`.
    pub recent: VecDeque<ProcessedRecord>,
    /// GetRecords calls refused with ProvisionedThroughputExceededException.
    pub read_throttled: u64,
    /// Leases this worker found taken from it (renewal or checkpoint failed).
    pub leases_lost: u64,
    held: BTreeMap<u32, HeldLease>,
    tasks: [Option<DeadlineKey>; 3],
}

impl Worker {
    fn new(number: u32) -> Self {
        Worker {
            name: Rc::from(format!("worker-{number}").as_str()),
            number,
            status: WorkerStatus::Running,
            processed: 0,
            processed_by_shard: BTreeMap::new(),
            recent: VecDeque::new(),
            read_throttled: 0,
            leases_lost: 0,
            held: BTreeMap::new(),
            tasks: [None; 3],
        }
    }

    /// The leases this worker believes it holds.
    pub fn leases(&self) -> impl Iterator<Item = &HeldLease> {
        self.held.values()
    }

    pub fn holds(&self, shard: u32) -> bool {
        self.held.contains_key(&shard)
    }

    /// A running worker with no lease: the quiz's extra instance.
    pub fn is_idle(&self) -> bool {
        self.status == WorkerStatus::Running && self.held.is_empty()
    }
}

/// What a worker's recurring deadline does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerTask {
    Poll,
    Renew,
    Take,
}

impl WorkerTask {
    fn slot(self) -> usize {
        match self {
            WorkerTask::Poll => 0,
            WorkerTask::Renew => 1,
            WorkerTask::Take => 2,
        }
    }
}

/// A simulated KCL application: its lease table and its workers.
#[derive(Clone, Debug)]
pub struct KclApplication {
    pub id: u64,
    pub name: Name,
    pub stream: String,
    pub initial_position: InitialPosition,
    pub config: KclConfig,
    leases: BTreeMap<u32, Lease>,
    workers: BTreeMap<u32, Worker>,
    /// Shards this application read to SHARD_END (kept after their leases
    /// are cleaned up, so a merge's second parent can be recognised).
    finished: BTreeSet<u32>,
    next_worker: u32,
}

impl KclApplication {
    /// The lease table, by shard.
    pub fn leases(&self) -> impl Iterator<Item = &Lease> {
        self.leases.values()
    }

    pub fn lease(&self, shard: u32) -> Option<&Lease> {
        self.leases.get(&shard)
    }

    /// The lease table as DynamoDB items, by leaseKey.
    pub fn lease_table(&self) -> Vec<LeaseRow> {
        self.leases.values().map(Lease::row).collect()
    }

    pub fn workers(&self) -> impl Iterator<Item = &Worker> {
        self.workers.values()
    }

    pub fn worker(&self, name: &str) -> Option<&Worker> {
        self.workers.values().find(|w| &*w.name == name)
    }

    /// How far the application is behind its stream, in the spirit of
    /// CloudWatch's GetRecords.IteratorAgeMilliseconds (maximum): the age of
    /// the oldest record past an unfinished lease's checkpoint, 0 when every
    /// lease is caught up. Judged from the lease table rather than from the
    /// last GetRecords answer, so it keeps growing while a crashed worker's
    /// leases wait to fail over (nobody reads them, nothing is checkpointed).
    pub fn iterator_age(&self, stream: &Stream, now: SimTime) -> SimDuration {
        let behind = self.leases.values().filter_map(|lease| {
            let shard = stream.shards.iter().find(|s| s.number == lease.shard)?;
            let next = match &lease.checkpoint {
                Checkpoint::TrimHorizon => shard.trim_horizon(),
                Checkpoint::Sequence(seq) => SequenceNumber::parse(seq)?.index + 1,
                Checkpoint::Latest | Checkpoint::ShardEnd => return None,
            };
            Some(shard.millis_behind(next, now))
        });
        SimDuration::from_millis(behind.max().unwrap_or(0))
    }

    /// Records processed by all workers (duplicates counted).
    pub fn processed(&self) -> u64 {
        self.workers.values().map(|w| w.processed).sum()
    }

    fn worker_number(&self, name: &str) -> Result<u32, ControlError> {
        self.worker(name)
            .map(|w| w.number)
            .ok_or_else(|| ControlError::NotFound(format!("Application {} has no worker {name}.", self.name)))
    }
}

/// Every simulated KCL application, kept beside the streams they read.
#[derive(Clone, Debug, Default)]
pub struct KclState {
    apps: BTreeMap<u64, KclApplication>,
    next_id: u64,
}

impl KclState {
    fn named(&mut self, name: &str) -> Result<&mut KclApplication, ControlError> {
        self.apps
            .values_mut()
            .find(|a| &*a.name == name)
            .ok_or_else(|| ControlError::NotFound(format!("No KCL application named {name}.")))
    }
}

impl KinesisState {
    pub fn kcl_applications(&self) -> impl Iterator<Item = &KclApplication> {
        self.kcl.apps.values()
    }

    pub fn kcl_application(&self, name: &str) -> Option<&KclApplication> {
        self.kcl.apps.values().find(|a| &*a.name == name)
    }
}

/// The KCL simulation controls of an engine, borrowed for one call.
pub struct Kcl<'a> {
    core: &'a mut Core,
    state: &'a mut KinesisState,
}

impl<'a> Kcl<'a> {
    pub(crate) fn new(core: &'a mut Core, state: &'a mut KinesisState) -> Self {
        Kcl { core, state }
    }

    /// Starts an application: its lease table (shard discovery, as the
    /// KCL's shard sync does with ListShards) and `workers` workers.
    pub fn create_application(&mut self, req: CreateApplication) -> Result<(), ControlError> {
        if req.name.is_empty() {
            return Err(ControlError::Invalid(String::from("An application needs a name.")));
        }
        lease_table_name(&req.name)?;
        if self.state.kcl_application(&req.name).is_some() {
            return Err(ControlError::AlreadyExists(format!("A KCL application named {} already exists.", req.name)));
        }
        let c = &req.config;
        if c.failover_time < SimDuration::from_millis(300) || c.idle_time_between_reads == SimDuration::ZERO {
            return Err(ControlError::Invalid(String::from(
                "failoverTimeMillis must be at least 300 ms and idleTimeBetweenReadsInMillis more than 0.",
            )));
        }
        if c.max_records == 0 || c.max_records > GET_RECORDS_MAX_RECORDS || c.checkpoint_every_batches == 0 {
            return Err(ControlError::Invalid(String::from(
                "maxRecords must be 1 to 10000 and checkpoints must happen every 1 or more batches.",
            )));
        }
        if req.workers > 1_000 {
            return Err(ControlError::Invalid(String::from("At most 1000 workers.")));
        }
        let stream = match self.state.streams.get(&req.stream) {
            Some(s) if s.status != StreamStatus::Deleting => s,
            _ => return Err(ControlError::NotFound(format!("No stream named {}.", req.stream))),
        };
        let now = self.core.now;
        // TRIM_HORIZON starts at the oldest shards (those without parents);
        // their descendants get leases as they reach SHARD_END. LATEST starts
        // at the open shards: what came before is not wanted.
        let leases: BTreeMap<u32, Lease> = stream
            .shards
            .iter()
            .filter(|s| match req.initial_position {
                InitialPosition::TrimHorizon => s.parent.is_none(),
                InitialPosition::Latest => s.is_open(),
            })
            .map(|s| {
                let checkpoint = match req.initial_position {
                    InitialPosition::TrimHorizon => Checkpoint::TrimHorizon,
                    InitialPosition::Latest => Checkpoint::Latest,
                };
                let parents = s.parent.iter().chain(s.adjacent_parent.iter()).copied().collect();
                (s.number, Lease::new(s.number, checkpoint, parents, now))
            })
            .collect();
        let id = self.state.kcl.next_id;
        self.state.kcl.next_id += 1;
        let name: Name = Rc::from(req.name.as_str());
        for shard in leases.keys() {
            self.core.emit(Event::LeaseCreated { app: name.clone(), shard: *shard });
        }
        let mut app = KclApplication {
            id,
            name,
            stream: req.stream,
            initial_position: req.initial_position,
            config: req.config,
            leases,
            workers: BTreeMap::new(),
            finished: BTreeSet::new(),
            next_worker: 1,
        };
        for _ in 0..req.workers {
            start_worker(self.core, &mut app);
        }
        self.state.kcl.apps.insert(id, app);
        Ok(())
    }

    /// Stops every worker and forgets the lease table.
    pub fn delete_application(&mut self, name: &str) -> Result<(), ControlError> {
        let id = self.state.kcl.named(name)?.id;
        let Some(app) = self.state.kcl.apps.remove(&id) else { return Ok(()) };
        for worker in app.workers.values() {
            for key in worker.tasks.iter().flatten() {
                self.core.deadlines.cancel(*key);
            }
        }
        for lease in app.leases.values() {
            if let Some(key) = lease.expiry {
                self.core.deadlines.cancel(key);
            }
        }
        Ok(())
    }

    /// Starts one more worker; returns its name.
    pub fn add_worker(&mut self, app: &str) -> Result<String, ControlError> {
        let core = &mut *self.core;
        let app = self.state.kcl.named(app)?;
        let number = start_worker(core, app);
        Ok(app.workers.get(&number).map_or_else(String::new, |w| String::from(&*w.name)))
    }

    /// A graceful shutdown: the worker checkpoints what it processed and
    /// releases its leases (owner cleared), so others take them at their
    /// next take without waiting for the failover time. A crashed worker is
    /// simply forgotten; its leases expire as they would.
    pub fn remove_worker(&mut self, app: &str, worker: &str) -> Result<(), ControlError> {
        let core = &mut *self.core;
        let app = self.state.kcl.named(app)?;
        let number = app.worker_number(worker)?;
        let shards: Vec<u32> = app.workers.get(&number).map(|w| w.held.keys().copied().collect()).unwrap_or_default();
        for shard in shards {
            let last = app
                .workers
                .get(&number)
                .and_then(|w| w.held.get(&shard))
                .and_then(|h| (h.unchecked_records > 0).then(|| h.last_sequence.clone()).flatten());
            if let Some(seq) = last {
                if !checkpoint(core, app, number, shard, Checkpoint::Sequence(seq)) {
                    continue;
                }
            }
            let Some(w) = app.workers.get(&number) else { break };
            let counter = w.held.get(&shard).map(|h| h.counter);
            if let Some(lease) = app.leases.get_mut(&shard) {
                if lease.owner.as_ref() == Some(&w.name) && Some(lease.counter) == counter {
                    // KCL's evictLease: the owner is cleared, the counter moves.
                    lease.owner = None;
                    lease.counter += 1;
                    lease.last_renewed = core.now;
                }
            }
        }
        if let Some(w) = app.workers.remove(&number) {
            for key in w.tasks.iter().flatten() {
                core.deadlines.cancel(*key);
            }
            core.emit(Event::KclWorkerChanged { app: app.name.clone(), worker: w.name, status: "removed" });
        }
        Ok(())
    }

    /// The worker's process dies: it stops renewing, polling and taking, and
    /// forgets what it held. Its leases stay in the table under its name
    /// until they expire and others take them.
    pub fn crash_worker(&mut self, app: &str, worker: &str) -> Result<(), ControlError> {
        let core = &mut *self.core;
        let app = self.state.kcl.named(app)?;
        let number = app.worker_number(worker)?;
        let Some(w) = app.workers.get_mut(&number) else { return Ok(()) };
        if w.status == WorkerStatus::Crashed {
            return Err(ControlError::Invalid(format!("{worker} has already crashed.")));
        }
        w.status = WorkerStatus::Crashed;
        w.held.clear();
        for key in w.tasks.iter_mut().filter_map(Option::take) {
            core.deadlines.cancel(key);
        }
        core.emit(Event::KclWorkerChanged { app: app.name.clone(), worker: w.name.clone(), status: "crashed" });
        Ok(())
    }

    /// A crashed worker starts again with the same name and an empty memory.
    pub fn restart_worker(&mut self, app: &str, worker: &str) -> Result<(), ControlError> {
        let core = &mut *self.core;
        let app = self.state.kcl.named(app)?;
        let number = app.worker_number(worker)?;
        let (id, config) = (app.id, app.config);
        let Some(w) = app.workers.get_mut(&number) else { return Ok(()) };
        if w.status == WorkerStatus::Running {
            return Err(ControlError::Invalid(format!("{worker} is running.")));
        }
        w.status = WorkerStatus::Running;
        schedule_tasks(core, id, &config, w);
        core.emit(Event::KclWorkerChanged { app: app.name.clone(), worker: w.name.clone(), status: "restarted" });
        Ok(())
    }
}

/// The KCL names its lease table after the application, so the name must be
/// a DynamoDB table name; CreateTable's ValidationException otherwise.
fn lease_table_name(name: &str) -> Result<(), ControlError> {
    let constraint = if !(3..=255).contains(&name.len()) {
        if name.len() < 3 {
            "Member must have length greater than or equal to 3"
        } else {
            "Member must have length less than or equal to 255"
        }
    } else if !name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')) {
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
    } else {
        return Ok(());
    };
    Err(ControlError::Invalid(format!(
        "The KCL could not create its lease table: ValidationException: 1 validation error detected: \
         Value '{name}' at 'tableName' failed to satisfy constraint: {constraint}"
    )))
}

/// Adds a running worker and schedules its tasks; returns its number.
fn start_worker(core: &mut Core, app: &mut KclApplication) -> u32 {
    let number = app.next_worker;
    app.next_worker += 1;
    let mut worker = Worker::new(number);
    schedule_tasks(core, app.id, &app.config, &mut worker);
    core.emit(Event::KclWorkerChanged { app: app.name.clone(), worker: worker.name.clone(), status: "started" });
    app.workers.insert(number, worker);
    number
}

/// A starting worker looks for leases at once (KCL's first taker run), reads
/// one idle interval later and renews on its own cadence.
fn schedule_tasks(core: &mut Core, app: u64, config: &KclConfig, worker: &mut Worker) {
    let now = core.now;
    for (task, at) in [
        (WorkerTask::Take, now),
        (WorkerTask::Poll, now + config.idle_time_between_reads),
        (WorkerTask::Renew, now + config.renewer_interval()),
    ] {
        let key = core.deadlines.schedule(at, Deadline::KclWorkerTask { app, worker: worker.number, task });
        worker.tasks[task.slot()] = Some(key);
    }
}

/// A lease's owner changed or renewed it: make sure one deadline watches for
/// its expiry. The deadline re-arms itself lazily, so renewals cost nothing.
fn watch_expiry(core: &mut Core, app: u64, config: &KclConfig, lease: &mut Lease) {
    if lease.expiry.is_none() {
        let at = lease.last_renewed + config.failover_time + SimDuration::from_millis(1);
        lease.expiry = Some(core.deadlines.schedule(at, Deadline::KclLeaseExpiry { app, shard: lease.shard }));
    }
}

/// Performs a KCL deadline.
pub(crate) fn on_deadline(core: &mut Core, state: &mut KinesisState, deadline: Deadline) {
    match deadline {
        Deadline::KclWorkerTask { app, worker, task } => {
            // The application is taken out so that its workers can call the
            // stream's API (which borrows the whole Kinesis state).
            let Some(mut a) = state.kcl.apps.remove(&app) else { return };
            run_task(core, state, &mut a, worker, task);
            state.kcl.apps.insert(app, a);
        }
        Deadline::KclLeaseExpiry { app, shard } => {
            let Some(a) = state.kcl.apps.get_mut(&app) else { return };
            let (config, name) = (a.config, a.name.clone());
            let Some(lease) = a.leases.get_mut(&shard) else { return };
            lease.expiry = None;
            let Some(owner) = lease.owner.clone() else { return };
            if lease.is_finished() {
                return;
            }
            if lease.expired_at(core.now, config.failover_time) {
                if !lease.expired {
                    lease.expired = true;
                    core.emit(Event::LeaseExpired { app: name, shard, owner });
                }
            } else {
                watch_expiry(core, app, &config, lease);
            }
        }
        _ => {}
    }
}

fn run_task(core: &mut Core, state: &mut KinesisState, app: &mut KclApplication, number: u32, task: WorkerTask) {
    if app.workers.get(&number).is_none_or(|w| w.status != WorkerStatus::Running) {
        return;
    }
    let every = match task {
        WorkerTask::Poll => {
            poll(core, state, app, number);
            app.config.idle_time_between_reads
        }
        WorkerTask::Renew => {
            renew(core, app, number);
            app.config.renewer_interval()
        }
        WorkerTask::Take => {
            take(core, app, number);
            clean_up(core, app);
            app.config.taker_interval()
        }
    };
    let key = core.schedule_in(every, Deadline::KclWorkerTask { app: app.id, worker: number, task });
    if let Some(w) = app.workers.get_mut(&number) {
        w.tasks[task.slot()] = Some(key);
    }
}

/// The worker found that a lease it held is no longer its own.
fn lose(core: &mut Core, app: &Name, worker: &mut Worker, shard: u32) {
    if worker.held.remove(&shard).is_some() {
        worker.leases_lost += 1;
        core.emit(Event::LeaseLost { app: app.clone(), shard, worker: worker.name.clone() });
    }
}

/// KCL's `LeaseRenewer`: a conditional update per held lease.
fn renew(core: &mut Core, app: &mut KclApplication, number: u32) {
    let (id, config, name) = (app.id, app.config, app.name.clone());
    let Some(worker) = app.workers.get_mut(&number) else { return };
    let shards: Vec<u32> = worker.held.keys().copied().collect();
    for shard in shards {
        let seen = worker.held.get(&shard).map(|h| h.counter);
        match app.leases.get_mut(&shard) {
            Some(lease) if lease.owner.as_ref() == Some(&worker.name) && Some(lease.counter) == seen => {
                lease.counter += 1;
                lease.last_renewed = core.now;
                lease.expired = false;
                if let Some(held) = worker.held.get_mut(&shard) {
                    held.counter = lease.counter;
                }
                watch_expiry(core, id, &config, lease);
            }
            _ => lose(core, &name, worker, shard),
        }
    }
}

/// KCL's `LeaseTaker.computeLeasesToTake`: aim for a fair share (the number
/// of leases over the number of workers that own one, plus this worker),
/// take expired leases first (in random order, so workers do not all go for
/// the same one), and steal only when nothing is expired.
fn take(core: &mut Core, app: &mut KclApplication, number: u32) {
    let now = core.now;
    let (id, config, app_name) = (app.id, app.config, app.name.clone());
    let Some(me) = app.workers.get(&number).map(|w| w.name.clone()) else { return };
    // Finished (SHARD_END) leases need no worker, so they do not count.
    let mut expired: Vec<u32> = Vec::new();
    let mut counts: BTreeMap<Name, u32> = BTreeMap::new();
    let mut active = 0u32;
    for lease in app.leases.values().filter(|l| !l.is_finished()) {
        active += 1;
        if lease.expired_at(now, config.failover_time) {
            expired.push(lease.shard);
        } else if let Some(owner) = &lease.owner {
            *counts.entry(owner.clone()).or_default() += 1;
        }
    }
    if active == 0 {
        return;
    }
    counts.entry(me.clone()).or_default();
    let workers = counts.len() as u32;
    let target = if workers >= active { 1 } else { active.div_ceil(workers) };
    let mine = counts.get(&me).copied().unwrap_or(0);
    if mine >= target {
        return;
    }
    let needed = target - mine;
    let mut chosen: Vec<(u32, bool)> = Vec::new();
    if !expired.is_empty() {
        shuffle(core, &mut expired);
        chosen.extend(expired.into_iter().take(needed as usize).map(|s| (s, false)));
    } else {
        // chooseLeasesToSteal. Ties for "most loaded" go to the first name,
        // where the KCL's HashMap order is arbitrary.
        let Some((victim, most)) = counts.iter().fold(None::<(&Name, u32)>, |best, (w, c)| match best {
            Some((_, b)) if b >= *c => best,
            _ => Some((w, *c)),
        }) else {
            return;
        };
        if most < target {
            return;
        }
        let over = most - target;
        let mut steal = needed.min(over);
        if needed > 1 && over == 0 {
            steal = 1;
        }
        let steal = steal.min(config.max_leases_to_steal_at_one_time);
        let victim = victim.clone();
        let mut theirs: Vec<u32> = app
            .leases
            .values()
            .filter(|l| !l.is_finished() && l.owner.as_ref() == Some(&victim))
            .map(|l| l.shard)
            .collect();
        shuffle(core, &mut theirs);
        chosen.extend(theirs.into_iter().take(steal as usize).map(|s| (s, true)));
    }
    let Some(worker) = app.workers.get_mut(&number) else { return };
    for (shard, stolen) in chosen {
        let Some(lease) = app.leases.get_mut(&shard) else { continue };
        let previous = lease.owner.replace(me.clone());
        if previous.as_ref().is_some_and(|p| *p != me) {
            lease.owner_switches_since_checkpoint += 1;
        }
        lease.counter += 1;
        lease.last_renewed = now;
        lease.expired = false;
        watch_expiry(core, id, &config, lease);
        worker.held.insert(shard, HeldLease::new(shard, lease.counter));
        core.emit(Event::LeaseTaken {
            app: app_name.clone(),
            shard,
            worker: me.clone(),
            previous_owner: previous,
            stolen,
        });
    }
}

/// Fisher–Yates with the engine's generator.
fn shuffle(core: &mut Core, items: &mut [u32]) {
    for i in (1..items.len()).rev() {
        let j = core.rng.below(i as u32 + 1) as usize;
        items.swap(i, j);
    }
}

/// KCL's lease cleanup: a SHARD_END lease is deleted once every child has
/// started processing (checkpointed past TRIM_HORIZON). A child that never
/// gets a record keeps its parent's lease in the table, as in the KCL.
fn clean_up(core: &mut Core, app: &mut KclApplication) {
    let done: Vec<u32> = app
        .leases
        .values()
        .filter(|l| {
            l.is_finished()
                && !l.children.is_empty()
                && l.children.iter().all(|c| {
                    // A child finished and cleaned up itself has certainly started.
                    app.finished.contains(c)
                        || app.leases.get(c).is_some_and(|cl| matches!(cl.checkpoint, Checkpoint::Sequence(_)))
                })
        })
        .map(|l| l.shard)
        .collect();
    for shard in done {
        if let Some(lease) = app.leases.remove(&shard) {
            if let Some(key) = lease.expiry {
                core.deadlines.cancel(key);
            }
            core.emit(Event::LeaseDeleted { app: app.name.clone(), shard });
        }
    }
}

/// One GetRecords per held shard, through the stream's own API.
fn poll(core: &mut Core, state: &mut KinesisState, app: &mut KclApplication, number: u32) {
    let shards: Vec<u32> = match app.workers.get(&number) {
        Some(w) => w.held.keys().copied().collect(),
        None => return,
    };
    for shard in shards {
        poll_shard(core, state, app, number, shard);
    }
}

fn poll_shard(core: &mut Core, state: &mut KinesisState, app: &mut KclApplication, number: u32, shard: u32) {
    let stream = StreamRef::named(app.stream.clone());
    let (max_records, history, every) =
        (app.config.max_records, app.config.history, app.config.checkpoint_every_batches);
    let Some(held) = app.workers.get(&number).and_then(|w| w.held.get(&shard)) else { return };
    let iterator = match &held.iterator {
        Some(it) => it.clone(),
        None => {
            // A fresh shard consumer starts from the lease's checkpoint, or
            // after the last record it processed if it only lost its iterator.
            let checkpoint = app.leases.get(&shard).map(|l| l.checkpoint.clone());
            let (kind, seq) = match (&held.last_sequence, checkpoint) {
                (Some(seq), _) => ("AFTER_SEQUENCE_NUMBER", Some(seq.clone())),
                (None, Some(Checkpoint::Sequence(seq))) => ("AFTER_SEQUENCE_NUMBER", Some(seq)),
                (None, Some(Checkpoint::TrimHorizon)) => ("TRIM_HORIZON", None),
                (None, Some(Checkpoint::Latest)) => ("LATEST", None),
                (None, Some(Checkpoint::ShardEnd) | None) => {
                    if let Some(w) = app.workers.get_mut(&number) {
                        w.held.remove(&shard);
                    }
                    return;
                }
            };
            let request = GetShardIteratorRequest {
                stream: stream.clone(),
                shard_id: keys::shard_id(shard),
                shard_iterator_type: String::from(kind),
                starting_sequence_number: seq,
                timestamp: None,
            };
            match Kinesis::new(core, state).get_shard_iterator(request) {
                Ok(it) => it,
                // The stream may be gone or still CREATING: try next time.
                Err(_) => return,
            }
        }
    };
    let request = GetRecordsRequest { shard_iterator: iterator, limit: Some(i64::from(max_records)), stream_arn: None };
    let result = Kinesis::new(core, state).get_records(request);
    let app_name = app.name.clone();
    let Some(worker) = app.workers.get_mut(&number) else { return };
    let response = match result {
        Ok(r) => r,
        Err(e) => {
            if e.code == KinesisErrorCode::ProvisionedThroughputExceededException {
                // Back off until the next poll, as the KCL does.
                worker.read_throttled += 1;
            } else if let Some(held) = worker.held.get_mut(&shard) {
                // An expired or invalid iterator: get a new one next time.
                held.iterator = None;
            }
            return;
        }
    };
    let count = response.records.len();
    if count > 0 {
        let now = core.now;
        let first = SequenceNumber::parse(&response.records[0].sequence_number).map_or(0, |s| s.index);
        let Some(held) = worker.held.get_mut(&shard) else { return };
        for record in response.records {
            let index = SequenceNumber::parse(&record.sequence_number).map_or(0, |s| s.index);
            held.last_sequence = Some(record.sequence_number.as_str().into());
            if history > 0 {
                if worker.recent.len() == history {
                    worker.recent.pop_front();
                }
                worker.recent.push_back(ProcessedRecord {
                    shard,
                    index,
                    sequence_number: record.sequence_number.as_str().into(),
                    partition_key: record.partition_key,
                    data: record.data,
                    at: now,
                });
            }
        }
        held.batches_since_checkpoint += 1;
        held.unchecked_records += count as u64;
        worker.processed += count as u64;
        *worker.processed_by_shard.entry(shard).or_default() += count as u64;
        core.emit(Event::RecordsProcessed {
            app: app_name.clone(),
            shard,
            worker: worker.name.clone(),
            from_index: first,
            count: count as u32,
        });
    }
    let Some(held) = worker.held.get_mut(&shard) else { return };
    held.millis_behind_latest = response.millis_behind_latest;
    match response.next_shard_iterator {
        Some(next) => {
            held.iterator = Some(next);
            if count > 0 && held.batches_since_checkpoint >= every {
                if let Some(seq) = held.last_sequence.clone() {
                    checkpoint(core, app, number, shard, Checkpoint::Sequence(seq));
                }
            }
        }
        None => {
            let children = response.child_shards.unwrap_or_default();
            shard_end(core, app, number, shard, &children);
        }
    }
}

/// A conditional checkpoint write: it succeeds only while the table still
/// says this worker owns the lease at the counter it last wrote. On failure
/// the worker learns that the lease was taken and drops it.
fn checkpoint(core: &mut Core, app: &mut KclApplication, number: u32, shard: u32, to: Checkpoint) -> bool {
    let name = app.name.clone();
    let Some(worker) = app.workers.get_mut(&number) else { return false };
    let Some(held) = worker.held.get_mut(&shard) else { return false };
    match app.leases.get_mut(&shard) {
        Some(lease) if lease.owner.as_ref() == Some(&worker.name) && lease.counter == held.counter => {
            if to != Checkpoint::ShardEnd {
                core.emit(Event::Checkpointed {
                    app: name,
                    shard,
                    worker: worker.name.clone(),
                    checkpoint: String::from(to.as_str()),
                });
            }
            lease.checkpoint = to;
            lease.owner_switches_since_checkpoint = 0;
            held.batches_since_checkpoint = 0;
            held.unchecked_records = 0;
            true
        }
        _ => {
            lose(core, &name, worker, shard);
            false
        }
    }
}

/// The shard is closed and read to its end: checkpoint SHARD_END, record the
/// children, and create a child's lease once all its parents are finished
/// (a merge's child waits for both), so parents are processed before children.
fn shard_end(core: &mut Core, app: &mut KclApplication, number: u32, shard: u32, children: &[ChildShard]) {
    if !checkpoint(core, app, number, shard, Checkpoint::ShardEnd) {
        return;
    }
    let now = core.now;
    let child_numbers: Vec<u32> = children.iter().filter_map(|c| keys::parse_shard_id(&c.shard_id)).collect();
    app.finished.insert(shard);
    if let Some(lease) = app.leases.get_mut(&shard) {
        lease.children.clone_from(&child_numbers);
        if let Some(key) = lease.expiry.take() {
            core.deadlines.cancel(key);
        }
    }
    let Some(worker) = app.workers.get_mut(&number) else { return };
    worker.held.remove(&shard);
    core.emit(Event::ShardEnded {
        app: app.name.clone(),
        shard,
        worker: worker.name.clone(),
        children: child_numbers.clone(),
    });
    for child in children {
        let Some(c) = keys::parse_shard_id(&child.shard_id) else { continue };
        let parents: Vec<u32> = child.parent_shards.iter().filter_map(|p| keys::parse_shard_id(p)).collect();
        if app.leases.contains_key(&c) || !parents.iter().all(|p| app.finished.contains(p)) {
            continue;
        }
        // Children always start at TRIM_HORIZON: nothing of them was read.
        app.leases.insert(c, Lease::new(c, Checkpoint::TrimHorizon, parents, now));
        core.emit(Event::LeaseCreated { app: app.name.clone(), shard: c });
    }
}

/// "app: worker-2 polls its shards", for "jump to next deadline".
pub(crate) fn describe_deadline(state: &KinesisState, deadline: &Deadline) -> String {
    match deadline {
        Deadline::KclWorkerTask { app, worker, task } => {
            let Some(a) = state.kcl.apps.get(app) else { return String::new() };
            let what = match task {
                WorkerTask::Poll => "reads its shards",
                WorkerTask::Renew => "renews its leases",
                WorkerTask::Take => "looks for leases to take",
            };
            format!("{}: worker-{worker} {what}", a.name)
        }
        Deadline::KclLeaseExpiry { app, shard } => {
            let Some(a) = state.kcl.apps.get(app) else { return String::new() };
            format!("{}: lease {} expires unless renewed", a.name, keys::shard_id(*shard))
        }
        _ => String::new(),
    }
}
