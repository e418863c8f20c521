//! The engine: configuration, the virtual clock, and the deadline index.
//!
//! Everything that happens "later" in AWS (a delay ends, a visibility timeout
//! runs out, retention expires, a long poll gives up, a deduplication id
//! lapses, a cool-down ends, a move task moves its next batch) is a
//! [`Deadline`] in one ordered index. [`Engine::advance_to`] pops them in order,
//! so advancing costs O(log n) per thing that happens and nothing for the
//! messages that simply sit there.

use alloc::collections::{BinaryHeap, VecDeque};
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Reverse;

#[cfg(feature = "analytics")]
use crate::analytics::{Analytics, AnalyticsState};
use crate::event::{EventLog, LoggedEvent};
#[cfg(feature = "firehose")]
use crate::firehose::{Firehose, FirehoseState};
#[cfg(feature = "kinesis")]
use crate::kinesis::{Kinesis, KinesisState};
use crate::rng::Rng;
#[cfg(feature = "s3")]
use crate::s3::{S3State, S3};
#[cfg(feature = "sns")]
use crate::sns::{Sns, SnsState};
use crate::sqs::{QueueId, Sqs, SqsState};
use crate::time::{SimDuration, SimTime};

/// How an engine is set up. `Default` gives a reproducible engine in
/// us-east-1 under account 000000000000, starting at 2026-01-01T00:00:00Z.
#[derive(Clone, Debug)]
pub struct EngineConfig {
    /// Seeds every id, receipt handle and simulated irregularity.
    pub seed: u64,
    pub account_id: String,
    pub region: String,
    /// Where the virtual clock starts.
    pub start_time: SimTime,
    /// How many events the log keeps before dropping the oldest (and
    /// counting them). The default, 1,024, holds the events of any single
    /// request many times over, for a caller that drains after each request
    /// or frame; a caller that needs a longer history (a replay, a test that
    /// reads a long run's events at the end) asks for more. It is kept small
    /// because a log nobody drains is written round and round: at 10,000
    /// events (880 KB), beside a batch of 2,000 requests, every event
    /// written missed a 2 MB cache, about four lines per SQS send →
    /// receive → delete (simulated); at 1,024, none did.
    pub event_capacity: usize,
    pub realism: Realism,
}

/// Standard-queue irregularities that real SQS shows. Off by default so that
/// tests are exact; the playground turns them on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Realism {
    /// Chance per million that a message sent to a standard queue is stored
    /// twice (at-least-once delivery: it will be received twice).
    pub duplicate_per_million: u32,
    /// Chance per million that a receive from a standard queue skips ahead
    /// instead of taking the oldest visible message (best-effort ordering).
    pub reorder_per_million: u32,
}

/// 2026-01-01T00:00:00Z.
pub const DEFAULT_START: SimTime = SimTime(1_767_225_600_000);

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            seed: 0,
            account_id: "000000000000".into(),
            region: "us-east-1".into(),
            start_time: DEFAULT_START,
            event_capacity: 1_024,
            realism: Realism::default(),
        }
    }
}

/// Something the engine will do at a known virtual time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Deadline {
    SqsDelayEnds {
        queue: QueueId,
        seq: u64,
    },
    SqsVisibilityExpires {
        queue: QueueId,
        seq: u64,
    },
    SqsRetentionExpires {
        queue: QueueId,
        seq: u64,
    },
    SqsLongPollTimesOut {
        ticket: u64,
    },
    SqsDeduplicationLapses {
        queue: QueueId,
        key: Rc<str>,
    },
    SqsPurgeCooldownEnds {
        queue: QueueId,
    },
    SqsQueueNameReleased {
        name: Rc<str>,
    },
    SqsMoveTaskStep {
        task: u64,
    },
    /// An SNS delivery to a failing endpoint is tried again.
    #[cfg(feature = "sns")]
    SnsDeliveryRetry {
        delivery: u64,
    },
    /// A Kinesis stream leaves CREATING, UPDATING or DELETING.
    #[cfg(feature = "kinesis")]
    KinesisStreamStatus {
        stream: Rc<str>,
        incarnation: u64,
    },
    /// The oldest record of a shard passes the stream's retention period.
    #[cfg(feature = "kinesis")]
    KinesisRetention {
        stream: crate::kinesis::StreamName,
        incarnation: u64,
        shard: u32,
    },
    /// An enhanced fan-out consumer becomes ACTIVE.
    #[cfg(feature = "kinesis")]
    KinesisConsumerStatus(alloc::boxed::Box<crate::kinesis::ConsumerDue>),
    /// Records are pushed to an enhanced fan-out subscription.
    #[cfg(feature = "kinesis")]
    KinesisFanOutPush {
        subscription: u64,
    },
    /// An enhanced fan-out subscription's five minutes are up.
    #[cfg(feature = "kinesis")]
    KinesisFanOutEnd {
        subscription: u64,
    },
    /// A simulated KCL worker's recurring task: read its shards, renew its
    /// leases, or look for leases to take.
    #[cfg(feature = "kinesis")]
    KclWorkerTask {
        app: u64,
        worker: u32,
        task: crate::kinesis::kcl::WorkerTask,
    },
    /// A KCL lease may have gone unrenewed for the failover time.
    #[cfg(feature = "kinesis")]
    KclLeaseExpiry {
        app: u64,
        shard: u32,
    },
    /// A simulated producer puts its next records.
    #[cfg(feature = "kinesis")]
    KinesisProducerTick {
        producer: u64,
    },
    /// A simulated producer retries throttled records after backing off.
    #[cfg(feature = "kinesis")]
    KinesisProducerRetry {
        producer: u64,
        batch: u64,
    },
    /// A Firehose delivery stream leaves CREATING or DELETING.
    #[cfg(feature = "firehose")]
    FirehoseStatus {
        stream: Rc<str>,
        incarnation: u64,
    },
    /// A delivery stream's buffering interval runs out: deliver the buffer.
    #[cfg(feature = "firehose")]
    FirehoseBufferInterval {
        stream: Rc<str>,
        incarnation: u64,
    },
    /// A delivery stream reads each shard of its Kinesis source (every second).
    #[cfg(feature = "firehose")]
    FirehoseSourcePoll {
        stream: Rc<str>,
        incarnation: u64,
    },
    /// A simulated Kinesis Data Analytics application reads its stream.
    #[cfg(feature = "analytics")]
    AnalyticsPoll {
        app: u64,
    },
    /// A tumbling window of an analytics pump ends: its groups are emitted.
    #[cfg(feature = "analytics")]
    AnalyticsWindowEnds {
        app: u64,
        pump: u32,
    },
}

/// A scheduled deadline, as its owner holds it to cancel it: its time, and
/// an identity that no later deadline shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeadlineKey {
    pub at: SimTime,
    order: u64,
    /// Where the deadline waits in the index's slab.
    slot: u32,
}

/// A deadline's place in a heap: its time, then its rank among deadlines
/// scheduled at the same instant, so that those run in the order they were
/// scheduled. Sixteen bytes, so that a burst of expiries walks as small a
/// heap as possible (measured: 24-byte entries made expiring 100,000
/// in-flight messages about a fifth slower).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    at: SimTime,
    /// Increases with every schedule; renumbered before it would wrap.
    rank: u32,
    /// Never decides the order: ranks in the heaps are unique.
    slot: u32,
}

type Heap = BinaryHeap<Reverse<Entry>>;

/// The ordered index of everything that will happen: a few FIFO lanes and
/// two min-heaps of entries, over one slab of deadlines.
///
/// Deadlines scheduled the same span ahead of the clock come due in the
/// order they were scheduled, because the clock only moves forward: every
/// message received from a queue with a 30-second visibility timeout is due
/// 30 seconds after the one received before it. Such deadlines (up to
/// [`NEAR_HORIZON`] ahead) queue in a lane per span, where scheduling is a
/// push at the back and the next one due is at the front, so a burst of
/// 100,000 expiries costs the same per deadline as a burst of 10,000. A
/// deadline whose span has no lane (all [`MAX_LANES`] are busy) or that
/// would come due before the last one in its lane goes into a heap.
///
/// Of the heaps, deadlines due within [`NEAR_HORIZON`] of the time last
/// advanced to go into the near one; those further off (retention, days
/// away) into the far one, so the heap that irregular near deadlines pop
/// from is not as large as every message's retention.
///
/// The next deadline is the earliest of the heaps' tops and the lanes'
/// fronts, so none of this changes what happens when.
///
/// Cancelling is as frequent as scheduling (a deleted message cancels its
/// visibility and retention deadlines), so it only empties the deadline's
/// slot: the entry stays in its heap or lane until it reaches the top or
/// front, where it is dropped, or until dropped entries outnumber live ones
/// and the heaps and lanes are rebuilt without them. Every top and front is
/// always live, so the next deadline is read without a search.
#[derive(Clone, Debug)]
pub(crate) struct Deadlines {
    lanes: Vec<Lane>,
    near: Heap,
    far: Heap,
    /// Entries in the lanes and heaps, live or not.
    queued: usize,
    /// The time last advanced to: a deadline's lane is its span from here.
    now: SimTime,
    /// Deadlines due up to this time go into `near`.
    near_until: SimTime,
    slots: Vec<Slot>,
    free_slots: Vec<u32>,
    live: usize,
    next_order: u64,
    next_rank: u32,
    /// Ranks are renumbered when `next_rank` reaches this (lower in tests).
    rank_limit: u32,
}

/// How far beyond the time last advanced to a deadline still counts as near.
/// An hour holds every SQS delay, long poll, cool-down, deduplication window
/// and default visibility timeout, and no default retention period.
const NEAR_HORIZON: SimDuration = SimDuration::from_secs(3_600);

/// Lanes at most: a playground has a few visibility timeouts, delays and
/// waits in use at once; a span that finds none free uses a heap instead.
const MAX_LANES: usize = 6;

/// Entries scheduled `ahead` of the clock, in the order they come due.
#[derive(Clone, Debug)]
struct Lane {
    ahead: SimDuration,
    entries: VecDeque<Entry>,
}

// Every deadline takes a slot the size of the largest, and a burst of
// expiries walks the slots of all it fires: payloads that would make them
// larger are boxed, and names are shared `Rc<str>`s rather than `String`s
// (72 bytes a slot before, on 64-bit targets).
const _: () = assert!(core::mem::size_of::<Slot>() <= 48);

#[derive(Clone, Debug)]
struct Slot {
    /// The key's order of the deadline that holds (or last held) the slot.
    order: u64,
    /// The rank of its entry in a heap.
    rank: u32,
    deadline: Option<Deadline>,
}

impl Deadlines {
    /// An empty index whose clock starts at `now`.
    pub(crate) fn starting_at(now: SimTime) -> Self {
        Deadlines {
            lanes: Vec::new(),
            near: Heap::new(),
            far: Heap::new(),
            queued: 0,
            now,
            near_until: now + NEAR_HORIZON,
            slots: Vec::new(),
            free_slots: Vec::new(),
            live: 0,
            next_order: 0,
            next_rank: 0,
            rank_limit: u32::MAX,
        }
    }

    // Inlined: a `Deadline` built in the caller is then written straight
    // into its slot instead of being copied through the stack (measured:
    // about 3 % of an SQS send → receive → delete cycle).
    #[inline(always)]
    pub(crate) fn schedule(&mut self, at: SimTime, deadline: Deadline) -> DeadlineKey {
        if self.next_rank >= self.rank_limit {
            self.renumber();
        }
        let rank = self.next_rank;
        self.next_rank += 1;
        let order = self.next_order;
        self.next_order += 1;
        let filled = Slot { order, rank, deadline: Some(deadline) };
        let slot = match self.free_slots.pop() {
            Some(slot) => {
                // Replaced rather than assigned: the emptied slot's old value
                // is dropped after the new deadline is written, so nothing
                // runs between building the deadline and writing it (a call
                // there had it built on the stack and copied with wide loads
                // waiting on the narrow stores that built it).
                if let Some(place) = self.slots.get_mut(slot as usize) {
                    drop(core::mem::replace(place, filled));
                }
                slot
            }
            None => {
                self.slots.push(filled);
                (self.slots.len() - 1) as u32
            }
        };
        self.enqueue(Entry { at, rank, slot });
        self.live += 1;
        DeadlineKey { at, order, slot }
    }

    #[inline(always)]
    fn enqueue(&mut self, entry: Entry) {
        self.queued += 1;
        if let Some(lane) = self.lane_for(entry.at) {
            lane.entries.push_back(entry);
        } else {
            self.heap_for(entry.at).push(Reverse(entry));
        }
    }

    /// The lane a deadline due at `at` can join: the one for its span ahead
    /// of the clock, else a free one, if it would not come due before the
    /// lane's last.
    #[inline]
    fn lane_for(&mut self, at: SimTime) -> Option<&mut Lane> {
        let ahead = at.saturating_sub(self.now);
        if ahead > NEAR_HORIZON {
            return None;
        }
        let index = match self.lanes.iter().position(|lane| lane.ahead == ahead) {
            Some(index) => index,
            None => self.claim_lane(ahead)?,
        };
        let lane = &mut self.lanes[index];
        lane.entries.back().is_none_or(|last| last.at <= at).then_some(lane)
    }

    /// An empty lane (or a new one) given over to deadlines `ahead` of the clock.
    #[cold]
    fn claim_lane(&mut self, ahead: SimDuration) -> Option<usize> {
        let index = match self.lanes.iter().position(|lane| lane.entries.is_empty()) {
            Some(index) => index,
            None if self.lanes.len() < MAX_LANES => {
                self.lanes.push(Lane { ahead, entries: VecDeque::new() });
                self.lanes.len() - 1
            }
            None => return None,
        };
        self.lanes[index].ahead = ahead;
        Some(index)
    }

    #[inline(always)]
    fn heap_for(&mut self, at: SimTime) -> &mut Heap {
        if at <= self.near_until {
            &mut self.near
        } else {
            &mut self.far
        }
    }

    /// Empties a slot, handing back the deadline it held.
    #[inline(always)]
    fn vacate(&mut self, slot: u32) -> Option<Deadline> {
        let deadline = self.slots.get_mut(slot as usize)?.deadline.take()?;
        self.free_slots.push(slot);
        self.live -= 1;
        Some(deadline)
    }

    /// Gives the live entries ranks from 0 in their order, dropping the
    /// cancelled ones: once in about four billion schedules. (Sorted by the
    /// heaps' own code rather than a slice sort, which cost 3 KB of wasm.)
    #[cold]
    #[inline(never)]
    fn renumber(&mut self) {
        let mut all = core::mem::take(&mut self.near);
        all.append(&mut self.far);
        all.extend(self.lanes.drain(..).flat_map(|lane| lane.entries).map(Reverse));
        let slots = &self.slots;
        all.retain(|Reverse(entry)| is_live(slots, entry));
        // Ascending by `Reverse`, so latest first.
        let by_time = all.into_sorted_vec();
        self.next_rank = 0;
        self.queued = 0;
        for Reverse(mut entry) in by_time.into_iter().rev() {
            entry.rank = self.next_rank;
            self.next_rank += 1;
            self.slots[entry.slot as usize].rank = entry.rank;
            // In time order, each lands at the back of its lane or the bottom of its heap.
            self.enqueue(entry);
        }
    }

    /// Cancels a deadline; a key that already fired or was cancelled is ignored.
    #[inline]
    pub(crate) fn cancel(&mut self, key: DeadlineKey) {
        let holds_key = self.slots.get(key.slot as usize).is_some_and(|s| s.order == key.order);
        if holds_key && self.vacate(key.slot).is_some() {
            self.drop_cancelled_entries();
        }
    }

    /// Keeps every top and front live, and the entries at most about twice the live deadlines.
    fn drop_cancelled_entries(&mut self) {
        for heap in [&mut self.near, &mut self.far] {
            while heap.peek().is_some_and(|Reverse(top)| !is_live(&self.slots, top)) {
                heap.pop();
                self.queued -= 1;
            }
        }
        for lane in &mut self.lanes {
            while lane.entries.front().is_some_and(|front| !is_live(&self.slots, front)) {
                lane.entries.pop_front();
                self.queued -= 1;
            }
        }
        if self.queued > 2 * self.live + 64 {
            let slots = &self.slots;
            self.near.retain(|Reverse(entry)| is_live(slots, entry));
            self.far.retain(|Reverse(entry)| is_live(slots, entry));
            for lane in &mut self.lanes {
                lane.entries.retain(|entry| is_live(slots, entry));
            }
            self.queued = self.near.len() + self.far.len() + self.lanes.iter().map(|l| l.entries.len()).sum::<usize>();
        }
    }

    /// Where the entry due first waits, and the entry.
    #[inline(always)]
    fn earliest(&self) -> Option<(Source, Entry)> {
        let mut earliest = self.near.peek().map(|Reverse(top)| (Source::Near, *top));
        let mut consider = |source, entry: Entry| {
            if earliest.is_none_or(|(_, first)| entry < first) {
                earliest = Some((source, entry));
            }
        };
        if let Some(Reverse(top)) = self.far.peek() {
            consider(Source::Far, *top);
        }
        for (index, lane) in self.lanes.iter().enumerate() {
            if let Some(front) = lane.entries.front() {
                consider(Source::Lane(index), *front);
            }
        }
        earliest
    }

    fn first(&self) -> Option<(SimTime, &Deadline)> {
        let (_, entry) = self.earliest()?;
        Some((entry.at, self.slots[entry.slot as usize].deadline.as_ref()?))
    }

    // Inlined, so that a due deadline reaches its handler without being
    // copied on the way.
    #[inline(always)]
    fn pop_due(&mut self, until: SimTime) -> Option<(SimTime, Deadline)> {
        self.near_until = self.near_until.max(until + NEAR_HORIZON);
        let Some((source, entry)) = self.earliest().filter(|(_, entry)| entry.at <= until) else {
            self.now = self.now.max(until);
            return None;
        };
        match source {
            Source::Near => drop(self.near.pop()),
            Source::Far => drop(self.far.pop()),
            Source::Lane(index) => drop(self.lanes[index].entries.pop_front()),
        }
        self.queued -= 1;
        self.now = self.now.max(entry.at);
        // The top is live, so its slot holds the deadline.
        let deadline = self.vacate(entry.slot);
        self.drop_cancelled_entries();
        Some((entry.at, deadline?))
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }
}

/// Where an entry waits.
#[derive(Clone, Copy, Debug)]
enum Source {
    Near,
    Far,
    Lane(usize),
}

fn is_live(slots: &[Slot], entry: &Entry) -> bool {
    slots.get(entry.slot as usize).is_some_and(|s| s.rank == entry.rank && s.deadline.is_some())
}

/// The state every service shares: clock, randomness, events, deadlines.
pub(crate) struct Core {
    pub config: EngineConfig,
    pub now: SimTime,
    pub rng: Rng,
    pub events: EventLog,
    pub deadlines: Deadlines,
}

impl Core {
    // Inlined, so that an event is written into the log field by field as
    // its caller builds it: passed by reference, it was copied with wide
    // loads, each waiting on the narrow stores that had just built it.
    // Not in wasm, where every emitting call site would carry a copy (+12 KB).
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn emit(&mut self, event: crate::Event) {
        self.emit_with(|| event);
    }

    /// [`Core::emit`] for the busiest calls: the event is built where the
    /// log writes it (see [`EventLog::push_with`]).
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn emit_with(&mut self, event: impl FnOnce() -> crate::Event) {
        self.events.push_with(self.now, event);
    }

    pub(crate) fn schedule_in(&mut self, after: SimDuration, deadline: Deadline) -> DeadlineKey {
        self.deadlines.schedule(self.now + after, deadline)
    }
}

/// A simulated AWS account in one region, on a virtual clock.
pub struct Engine {
    core: Core,
    sqs: SqsState,
    #[cfg(feature = "sns")]
    sns: SnsState,
    #[cfg(feature = "s3")]
    s3: S3State,
    #[cfg(feature = "kinesis")]
    kinesis: KinesisState,
    #[cfg(feature = "firehose")]
    firehose: FirehoseState,
    #[cfg(feature = "analytics")]
    analytics: AnalyticsState,
}

impl Engine {
    pub fn new(config: EngineConfig) -> Self {
        let rng = Rng::new(config.seed);
        let core = Core {
            now: config.start_time,
            events: EventLog::new(config.event_capacity),
            rng,
            deadlines: Deadlines::starting_at(config.start_time),
            config,
        };
        Engine {
            core,
            sqs: SqsState::default(),
            #[cfg(feature = "sns")]
            sns: SnsState::default(),
            #[cfg(feature = "s3")]
            s3: S3State::default(),
            #[cfg(feature = "kinesis")]
            kinesis: KinesisState::default(),
            #[cfg(feature = "firehose")]
            firehose: FirehoseState::default(),
            #[cfg(feature = "analytics")]
            analytics: AnalyticsState::default(),
        }
    }

    pub fn config(&self) -> &EngineConfig {
        &self.core.config
    }

    /// Changes the standard-queue irregularities from now on.
    pub fn set_realism(&mut self, realism: Realism) {
        self.core.config.realism = realism;
    }

    pub fn now(&self) -> SimTime {
        self.core.now
    }

    /// When the next scheduled thing happens, if anything is scheduled.
    pub fn next_deadline(&self) -> Option<SimTime> {
        self.core.deadlines.first().map(|(at, _)| at)
    }

    /// The next scheduled thing and its time, for "jump to next deadline".
    pub fn peek_deadline(&self) -> Option<(SimTime, &Deadline)> {
        self.core.deadlines.first()
    }

    /// A sentence a learner can read, e.g. "orders: msg 3 becomes visible again".
    pub fn describe_deadline(&self, deadline: &Deadline) -> String {
        match deadline {
            #[cfg(feature = "sns")]
            Deadline::SnsDeliveryRetry { delivery } => self.sns.describe_retry(*delivery),
            #[cfg(feature = "kinesis")]
            Deadline::KinesisStreamStatus { .. }
            | Deadline::KinesisRetention { .. }
            | Deadline::KinesisConsumerStatus(_)
            | Deadline::KinesisFanOutPush { .. }
            | Deadline::KinesisFanOutEnd { .. } => self.kinesis.describe_deadline(deadline),
            #[cfg(feature = "kinesis")]
            Deadline::KclWorkerTask { .. } | Deadline::KclLeaseExpiry { .. } => {
                crate::kinesis::kcl::describe_deadline(&self.kinesis, deadline)
            }
            #[cfg(feature = "kinesis")]
            Deadline::KinesisProducerTick { .. } | Deadline::KinesisProducerRetry { .. } => {
                crate::kinesis::producer::describe_deadline(&self.kinesis, deadline)
            }
            #[cfg(feature = "firehose")]
            Deadline::FirehoseStatus { .. }
            | Deadline::FirehoseBufferInterval { .. }
            | Deadline::FirehoseSourcePoll { .. } => self.firehose.describe_deadline(deadline),
            #[cfg(feature = "analytics")]
            Deadline::AnalyticsPoll { .. } | Deadline::AnalyticsWindowEnds { .. } => {
                crate::analytics::describe_deadline(&self.analytics, deadline)
            }
            sqs => self.sqs.describe_deadline(sqs),
        }
    }

    /// How many deadlines are scheduled (useful to see that nothing leaks).
    pub fn pending_deadlines(&self) -> usize {
        self.core.deadlines.len()
    }

    /// Moves the clock to `t`, performing everything due up to and including
    /// `t` in deadline order. Moving backwards is ignored: virtual time never
    /// runs back.
    pub fn advance_to(&mut self, t: SimTime) {
        while let Some((at, deadline)) = self.core.deadlines.pop_due(t) {
            self.core.now = self.core.now.max(at);
            self.fire(deadline);
        }
        self.core.now = self.core.now.max(t);
    }

    pub fn advance_by(&mut self, d: SimDuration) {
        self.advance_to(self.core.now + d);
    }

    /// Jumps to the next deadline and performs it (and anything else due at
    /// the same instant). Returns the new time, or `None` when nothing is scheduled.
    pub fn advance_to_next_deadline(&mut self) -> Option<SimTime> {
        let at = self.next_deadline()?;
        self.advance_to(at);
        Some(at)
    }

    fn fire(&mut self, deadline: Deadline) {
        match deadline {
            #[cfg(feature = "sns")]
            Deadline::SnsDeliveryRetry { .. } => {
                crate::sns::delivery::on_deadline(&mut self.core, &mut self.sns, &mut self.sqs, deadline)
            }
            #[cfg(feature = "kinesis")]
            Deadline::KinesisStreamStatus { .. }
            | Deadline::KinesisRetention { .. }
            | Deadline::KinesisConsumerStatus(_)
            | Deadline::KinesisFanOutPush { .. }
            | Deadline::KinesisFanOutEnd { .. } => {
                crate::kinesis::on_deadline(&mut self.core, &mut self.kinesis, deadline)
            }
            #[cfg(feature = "kinesis")]
            Deadline::KclWorkerTask { .. } | Deadline::KclLeaseExpiry { .. } => {
                crate::kinesis::kcl::on_deadline(&mut self.core, &mut self.kinesis, deadline)
            }
            #[cfg(feature = "kinesis")]
            Deadline::KinesisProducerTick { .. } | Deadline::KinesisProducerRetry { .. } => {
                crate::kinesis::producer::on_deadline(&mut self.core, &mut self.kinesis, deadline)
            }
            #[cfg(feature = "firehose")]
            Deadline::FirehoseStatus { .. }
            | Deadline::FirehoseBufferInterval { .. }
            | Deadline::FirehoseSourcePoll { .. } => self.firehose().on_deadline(deadline),
            #[cfg(feature = "analytics")]
            Deadline::AnalyticsPoll { .. } | Deadline::AnalyticsWindowEnds { .. } => {
                crate::analytics::on_deadline(&mut self.core, &mut self.analytics, &mut self.kinesis, deadline)
            }
            sqs => crate::sqs::on_deadline(&mut self.core, &mut self.sqs, sqs),
        }
    }

    /// The SQS API of this engine.
    pub fn sqs(&mut self) -> Sqs<'_> {
        Sqs::new(&mut self.core, &mut self.sqs)
    }

    #[cfg(feature = "sns")]
    /// The SNS API of this engine. Deliveries to SQS subscriptions land in
    /// this engine's queues.
    pub fn sns(&mut self) -> Sns<'_> {
        Sns::new(&mut self.core, &mut self.sns, &mut self.sqs)
    }

    #[cfg(feature = "s3")]
    /// The S3 API of this engine. Bucket notifications land in this engine's
    /// queues, and its topics when SNS is built in.
    pub fn s3(&mut self) -> S3<'_> {
        let to = crate::s3::Destinations {
            sqs: &mut self.sqs,
            #[cfg(feature = "sns")]
            sns: &mut self.sns,
        };
        S3::new(&mut self.core, &mut self.s3, to)
    }

    #[cfg(feature = "kinesis")]
    /// The Kinesis Data Streams API of this engine.
    pub fn kinesis(&mut self) -> Kinesis<'_> {
        Kinesis::new(&mut self.core, &mut self.kinesis)
    }

    #[cfg(feature = "kinesis")]
    /// The simulated KCL applications' controls (not an AWS API, so not on
    /// the wire). Their state is read through `kinesis_state()`.
    pub fn kcl(&mut self) -> crate::kinesis::kcl::Kcl<'_> {
        crate::kinesis::kcl::Kcl::new(&mut self.core, &mut self.kinesis)
    }

    #[cfg(feature = "kinesis")]
    /// The simulated producers' controls (not an AWS API, so not on the wire).
    pub fn kinesis_producers(&mut self) -> crate::kinesis::producer::Producers<'_> {
        crate::kinesis::producer::Producers::new(&mut self.core, &mut self.kinesis)
    }

    #[cfg(feature = "firehose")]
    /// The Amazon Data Firehose API of this engine. Deliveries land in this
    /// engine's S3 buckets; Kinesis sources are read through this engine's streams.
    pub fn firehose(&mut self) -> Firehose<'_> {
        let notified = crate::s3::Destinations {
            sqs: &mut self.sqs,
            #[cfg(feature = "sns")]
            sns: &mut self.sns,
        };
        Firehose::new(&mut self.core, &mut self.firehose, &mut self.kinesis, &mut self.s3, notified)
    }

    #[cfg(feature = "firehose")]
    /// Read-only Firehose state, for views and assertions.
    pub fn firehose_state(&self) -> &FirehoseState {
        &self.firehose
    }

    #[cfg(feature = "analytics")]
    /// The simulated Kinesis Data Analytics SQL applications' controls (not
    /// an AWS API, so not on the wire). They read streams of this engine.
    pub fn analytics(&mut self) -> Analytics<'_> {
        Analytics::new(&mut self.core, &mut self.analytics, &mut self.kinesis)
    }

    #[cfg(feature = "analytics")]
    /// Read-only analytics state, for views and assertions.
    pub fn analytics_state(&self) -> &AnalyticsState {
        &self.analytics
    }

    #[cfg(feature = "kinesis")]
    /// Read-only Kinesis state, for views and assertions.
    pub fn kinesis_state(&self) -> &KinesisState {
        &self.kinesis
    }

    #[cfg(feature = "s3")]
    /// Read-only S3 state, for views and assertions.
    pub fn s3_state(&self) -> &S3State {
        &self.s3
    }

    #[cfg(feature = "sns")]
    /// Read-only SNS state, for views and assertions.
    pub fn sns_state(&self) -> &SnsState {
        &self.sns
    }

    /// Read-only SQS state, for views and assertions.
    pub fn sqs_state(&self) -> &SqsState {
        &self.sqs
    }

    /// Takes every event recorded since the last call, oldest first.
    pub fn drain_events(&mut self) -> alloc::vec::Vec<LoggedEvent> {
        self.core.events.drain().collect()
    }

    pub fn events(&self) -> &EventLog {
        &self.core.events
    }
}

impl Default for Engine {
    fn default() -> Self {
        Engine::new(EngineConfig::default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;
    use proptest::prelude::*;

    #[derive(Clone, Debug)]
    enum Op {
        Schedule(u64),
        /// Cancels the n-th key handed out so far (fired, cancelled or not).
        Cancel(usize),
        PopDue(u64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            // Ten-minute steps, so that some deadlines are near and some far.
            (0u64..50).prop_map(|t| Op::Schedule(t * 600_000)),
            any::<usize>().prop_map(Op::Cancel),
            (0u64..50).prop_map(|t| Op::PopDue(t * 600_000)),
        ]
    }

    proptest! {
        /// The heaps answer as an ordered map of keys would: the same next
        /// deadline, the same deadlines due, in the same order, also across
        /// renumbering (here every few schedules instead of every four billion).
        #[test]
        fn deadlines_behave_as_an_ordered_map(
            ops in proptest::collection::vec(op(), 0..300),
            rank_limit in prop_oneof![Just(u32::MAX), 1u32..20],
        ) {
            let mut deadlines = Deadlines::starting_at(SimTime(0));
            deadlines.rank_limit = rank_limit;
            let mut model: BTreeMap<(SimTime, u64), u64> = BTreeMap::new();
            let mut keys = Vec::new();
            for op in ops {
                match op {
                    Op::Schedule(at) => {
                        let seq = keys.len() as u64;
                        let key = deadlines.schedule(SimTime(at), Deadline::SqsDelayEnds { queue: QueueId(0), seq });
                        model.insert((key.at, key.order), seq);
                        keys.push(key);
                    }
                    Op::Cancel(n) if !keys.is_empty() => {
                        let key = keys[n % keys.len()];
                        deadlines.cancel(key);
                        model.remove(&(key.at, key.order));
                    }
                    Op::Cancel(_) => {}
                    Op::PopDue(until) => loop {
                        let ours = deadlines.pop_due(SimTime(until)).map(|(at, d)| match d {
                            Deadline::SqsDelayEnds { seq, .. } => (at, seq),
                            _ => unreachable!("only delays are scheduled"),
                        });
                        let expected = model.first_key_value().filter(|((at, _), _)| *at <= SimTime(until)).map(|(k, v)| (k.0, *v));
                        if expected.is_some() {
                            model.pop_first();
                        }
                        prop_assert_eq!(ours, expected);
                        if ours.is_none() {
                            break;
                        }
                    },
                }
                prop_assert_eq!(deadlines.len(), model.len());
                prop_assert_eq!(deadlines.first().map(|(at, _)| at), model.first_key_value().map(|(k, _)| k.0));
                let lanes = deadlines.lanes.iter().map(|l| l.entries.len()).sum::<usize>();
                prop_assert_eq!(deadlines.queued, deadlines.near.len() + deadlines.far.len() + lanes);
                prop_assert!(deadlines.queued <= 2 * deadlines.live + 64);
            }
        }
    }
}
