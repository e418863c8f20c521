//! Enhanced fan-out: SubscribeToShard as a push in virtual time.
//!
//! A registered, ACTIVE consumer subscribes to one shard and gets events
//! pushed to it — each with records, the `ContinuationSequenceNumber` to
//! resume from, and `MillisBehindLatest` — at up to 2 MiB per second of its
//! own (reads by enhanced fan-out do not count against the shard's shared
//! GetRecords quota). A subscription lasts 5 minutes; at the end of a closed
//! shard its last event carries the `ChildShards` and it ends.
//!
//! Pushes are event-driven, not polled: a write to a shard with subscribers
//! schedules one push deadline per subscriber that has none pending, and a
//! push that runs out of its second's 2 MiB schedules the next at the next
//! second. The caller (the wire layer, or a UI) drains pushed events with
//! [`Kinesis::take_subscription_events`].

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::keys::{self, SequenceNumber};
use super::*;
use crate::event::Event;

/// How long a SubscribeToShard connection lasts.
pub const SUBSCRIPTION_LIFETIME: SimDuration = SimDuration::from_mins(5);
/// Enhanced fan-out throughput per consumer per shard, per second.
pub const FAN_OUT_BYTES_PER_SECOND: u64 = 2 * 1024 * 1024;
/// A new subscription for the same consumer and shard must wait this long.
pub const RESUBSCRIBE_WAIT: SimDuration = SimDuration::from_secs(5);

/// Where a subscription starts reading.
#[derive(Clone, Debug, Default)]
pub struct StartingPosition {
    /// AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST or AT_TIMESTAMP.
    pub kind: String,
    pub sequence_number: Option<String>,
    pub timestamp: Option<SimTime>,
}

#[derive(Clone, Debug, Default)]
pub struct SubscribeToShardRequest {
    pub consumer_arn: String,
    pub shard_id: String,
    pub starting_position: StartingPosition,
}

/// Identifies a subscription whose events the caller drains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubscriptionId(pub u64);

/// One `SubscribeToShardEvent` of the event stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscribeToShardEvent {
    pub records: Vec<RecordView>,
    pub continuation_sequence_number: String,
    pub millis_behind_latest: u64,
    pub child_shards: Option<Vec<ChildShard>>,
}

/// Why a subscription stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubscriptionEnd {
    /// Its five minutes ran out; the consumer subscribes again to go on.
    Expired,
    /// The shard was closed by resharding and read to its end.
    ShardEnded,
    /// A newer subscription for the same consumer and shard replaced it.
    Replaced,
    /// The stream or the consumer went away.
    Gone,
}

impl SubscriptionEnd {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionEnd::Expired => "expired",
            SubscriptionEnd::ShardEnded => "shard ended",
            SubscriptionEnd::Replaced => "replaced",
            SubscriptionEnd::Gone => "stream or consumer gone",
        }
    }
}

/// An open (or just finished, not yet drained) subscription.
#[derive(Clone, Debug)]
pub struct Subscription {
    pub id: SubscriptionId,
    pub stream: StreamName,
    pub(crate) incarnation: u64,
    pub consumer_arn: String,
    pub shard: u32,
    /// Index of the next record to push.
    pub next_index: u64,
    pub started_at: SimTime,
    pub delivered_records: u64,
    /// Events pushed so far (the first is sent even when it has no records).
    pub events_pushed: u64,
    pub finished: Option<SubscriptionEnd>,
    outbox: VecDeque<SubscribeToShardEvent>,
    /// Bytes pushed in the current virtual second, for the 2 MiB/s budget.
    window: RateWindow,
    push_deadline: Option<DeadlineKey>,
    end_deadline: Option<DeadlineKey>,
}

impl Subscription {
    /// Events pushed and not yet drained.
    pub fn pending_events(&self) -> usize {
        self.outbox.len()
    }
}

impl Kinesis<'_> {
    pub fn subscribe_to_shard(&mut self, req: SubscribeToShardRequest) -> Result<SubscriptionId, KinesisError> {
        let account = self.core.config.account_id.clone();
        let now = self.core.now;
        let (stream_arn, consumer_name) = req
            .consumer_arn
            .split_once("/consumer/")
            .map(|(s, rest)| (String::from(s), String::from(rest.split_once(':').map_or(rest, |(n, _)| n))))
            .ok_or_else(|| KinesisError::invalid(format!("Invalid ConsumerARN {}.", req.consumer_arn)))?;
        let (_, stream) = self.usable_stream(&StreamRef { name: None, arn: Some(stream_arn) })?;
        let consumer = stream.consumers.iter().find(|c| c.arn == req.consumer_arn).ok_or_else(|| {
            KinesisError::new(
                KinesisErrorCode::ResourceNotFoundException,
                format!("Consumer {consumer_name} under stream {} not found for account {account}.", stream.name),
            )
        })?;
        if consumer.status != ConsumerStatus::Active {
            return Err(KinesisError::new(
                KinesisErrorCode::ResourceInUseException,
                format!("Consumer {} is not ACTIVE, instead in state {}.", req.consumer_arn, consumer.status.as_str()),
            ));
        }
        let number = keys::parse_shard_id(&req.shard_id)
            .filter(|n| (*n as usize) < stream.shards.len())
            .ok_or_else(|| KinesisError::shard_not_found(&req.shard_id, &stream.name, &account))?;
        let shard = &stream.shards[number as usize];
        let next_index = starting_index(shard, &req.starting_position, &stream.name, &account)?;
        let (stream_name, incarnation) = (stream.name.clone(), stream.incarnation);

        let previous: Vec<SubscriptionId> = self
            .state
            .subscriptions
            .values()
            .filter(|s| s.consumer_arn == req.consumer_arn && s.shard == number && s.finished.is_none())
            .map(|s| s.id)
            .collect();
        for id in &previous {
            if self.state.subscriptions[&id.0].started_at + RESUBSCRIBE_WAIT > now {
                return Err(KinesisError::new(
                    KinesisErrorCode::ResourceInUseException,
                    format!("Another active subscription exists for this consumer: {}", req.consumer_arn),
                ));
            }
        }
        for id in previous {
            finish(self.core, self.state, id, SubscriptionEnd::Replaced);
        }

        self.state.next_subscription += 1;
        let id = SubscriptionId(self.state.next_subscription);
        let end_deadline =
            self.core.schedule_in(SUBSCRIPTION_LIFETIME, Deadline::KinesisFanOutEnd { subscription: id.0 });
        let push_deadline =
            self.core.schedule_in(SimDuration::ZERO, Deadline::KinesisFanOutPush { subscription: id.0 });
        self.state.subscriptions.insert(
            id.0,
            Subscription {
                id,
                stream: stream_name.clone(),
                incarnation,
                consumer_arn: req.consumer_arn,
                shard: number,
                next_index,
                started_at: now,
                delivered_records: 0,
                events_pushed: 0,
                finished: None,
                outbox: VecDeque::new(),
                window: RateWindow::default(),
                push_deadline: Some(push_deadline),
                end_deadline: Some(end_deadline),
            },
        );
        if let Some(stream) = self.state.streams.get_mut(&*stream_name) {
            stream.shards[number as usize].subscribers.push(id.0);
        }
        self.core.emit(Event::ShardSubscribed { stream: stream_name, shard: number, consumer: consumer_name });
        Ok(id)
    }

    /// The events pushed to a subscription since the last call, and whether
    /// it has finished (then it is forgotten once drained). `None` for an
    /// unknown or already forgotten subscription.
    pub fn take_subscription_events(
        &mut self,
        id: SubscriptionId,
    ) -> Option<(Vec<SubscribeToShardEvent>, Option<SubscriptionEnd>)> {
        let subscription = self.state.subscriptions.get_mut(&id.0)?;
        let events: Vec<_> = subscription.outbox.drain(..).collect();
        let finished = subscription.finished;
        if finished.is_some() {
            self.state.subscriptions.remove(&id.0);
        }
        Some((events, finished))
    }
}

/// The first record index a starting position names.
fn starting_index(
    shard: &Shard,
    position: &StartingPosition,
    stream: &str,
    account: &str,
) -> Result<u64, KinesisError> {
    let shard_id = shard.id();
    match position.kind.as_str() {
        "TRIM_HORIZON" => Ok(shard.trim_horizon()),
        "LATEST" => Ok(shard.next_index),
        "AT_TIMESTAMP" => {
            let at = position.timestamp.ok_or_else(|| {
                KinesisError::invalid("Must specify timestamp for StartingPosition of type AT_TIMESTAMP.")
            })?;
            Ok(shard.records.iter().find(|r| r.arrival >= at).map_or(shard.next_index, |r| r.index))
        }
        kind @ ("AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER") => {
            let text = position.sequence_number.as_deref().ok_or_else(|| {
                KinesisError::invalid(format!("Must specify SequenceNumber for StartingPosition of type {kind}."))
            })?;
            let seq = SequenceNumber::parse(text).filter(|s| s.shard == shard.number).ok_or_else(|| {
                KinesisError::invalid(format!(
                    "StartingSequenceNumber {text} used in SubscribeToShard on shard {shard_id} in stream {stream} under account {account} is invalid."
                ))
            })?;
            let index = seq.index.min(shard.next_index);
            Ok(if kind == "AFTER_SEQUENCE_NUMBER" { (index + 1).min(shard.next_index) } else { index })
        }
        other => Err(KinesisError::constraint(
            other,
            "startingPosition.type",
            "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP, TRIM_HORIZON, LATEST]",
        )),
    }
}

/// Schedules a push for every subscriber of a shard that has none pending
/// (after a write, or when resharding closes the shard).
pub(super) fn wake(core: &mut Core, subscriptions: &mut BTreeMap<u64, Subscription>, subscribers: &[u64]) {
    for id in subscribers {
        if let Some(s) = subscriptions.get_mut(id).filter(|s| s.push_deadline.is_none() && s.finished.is_none()) {
            s.push_deadline =
                Some(core.schedule_in(SimDuration::ZERO, Deadline::KinesisFanOutPush { subscription: *id }));
        }
    }
}

/// Pushes what the subscription may send now: records from its position, up
/// to its 2 MiB for this second.
pub(super) fn push(core: &mut Core, state: &mut KinesisState, id: u64) {
    let now = core.now;
    let Some(subscription) = state.subscriptions.get_mut(&id) else { return };
    subscription.push_deadline = None;
    if subscription.finished.is_some() {
        return;
    }
    let Some(stream) = state.streams.get(&*subscription.stream).filter(|s| s.incarnation == subscription.incarnation)
    else {
        finish(core, state, SubscriptionId(id), SubscriptionEnd::Gone);
        return;
    };
    let shard = &stream.shards[subscription.shard as usize];
    let window = subscription.window.at(now);
    let mut records = Vec::new();
    let mut read = keys::LastDigits::default();
    let mut index = subscription.next_index.max(shard.trim_horizon());
    while let Some(record) = shard.record(index) {
        let size = record.size() as u64;
        if window.bytes + size > FAN_OUT_BYTES_PER_SECOND && !(records.is_empty() && window.bytes == 0) {
            break;
        }
        window.bytes += size;
        records.push(shard.view(record, &mut read));
        index += 1;
    }
    let caught_up = index >= shard.next_index;
    let ended = caught_up && !shard.is_open();
    if records.is_empty() && !ended && subscription.events_pushed > 0 {
        // Nothing new: no empty event, except the first one (below) and the last.
        if !caught_up {
            reschedule_next_second(core, subscription, now);
        }
        return;
    }
    let millis_behind_latest = shard.millis_behind(index, now);
    // AWS's continuation number is the last record's, or where reading would resume.
    let continuation_sequence_number = match records.last() {
        Some(last) => last.sequence_number.as_str().into(),
        None => shard.sequence_number(index.saturating_sub(1), now),
    };
    let child_shards = ended.then(|| stream.child_shards(shard.number));
    let count = records.len() as u32;
    subscription.delivered_records += u64::from(count);
    subscription.next_index = index;
    subscription.events_pushed += 1;
    subscription.outbox.push_back(SubscribeToShardEvent {
        records,
        continuation_sequence_number,
        millis_behind_latest,
        child_shards,
    });
    let (stream_name, shard_number) = (subscription.stream.clone(), subscription.shard);
    if !caught_up {
        reschedule_next_second(core, subscription, now);
    }
    if count > 0 {
        core.emit(Event::RecordsPushed { stream: stream_name, shard: shard_number, count });
    }
    if ended {
        finish(core, state, SubscriptionId(id), SubscriptionEnd::ShardEnded);
    }
}

fn reschedule_next_second(core: &mut Core, subscription: &mut Subscription, now: SimTime) {
    let next_second = SimTime((now.as_secs() + 1) * 1000);
    subscription.push_deadline =
        Some(core.deadlines.schedule(next_second, Deadline::KinesisFanOutPush { subscription: subscription.id.0 }));
}

/// Ends a subscription: its deadlines go, its shard forgets it; its
/// undrained events stay for the caller.
pub(super) fn finish(core: &mut Core, state: &mut KinesisState, id: SubscriptionId, why: SubscriptionEnd) {
    let Some(subscription) = state.subscriptions.get_mut(&id.0) else { return };
    if subscription.finished.is_some() {
        return;
    }
    subscription.finished = Some(why);
    for key in [subscription.push_deadline.take(), subscription.end_deadline.take()].into_iter().flatten() {
        core.deadlines.cancel(key);
    }
    let (stream, shard) = (subscription.stream.clone(), subscription.shard);
    if let Some(s) = state.streams.get_mut(&*stream).and_then(|s| s.shards.get_mut(shard as usize)) {
        s.subscribers.retain(|x| *x != id.0);
    }
    core.emit(Event::SubscriptionEnded { stream, shard, reason: why.as_str() });
}

/// The subscription's five minutes are up.
pub(super) fn expire(core: &mut Core, state: &mut KinesisState, id: u64) {
    if let Some(s) = state.subscriptions.get_mut(&id) {
        s.end_deadline = None;
    }
    finish(core, state, SubscriptionId(id), SubscriptionEnd::Expired);
}
