//! One queue: its messages and the indexes that make every operation cheap.
//!
//! Each message is in exactly one state (delayed, visible, in flight) and,
//! while delayed or in flight, owns exactly one deadline in the engine's index
//! plus its retention deadline. Visible messages of a standard queue sit in an
//! ordered set; a FIFO queue keeps each message group in send order and an
//! ordered set of the groups that can be served right now.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::attributes::QueueConfig;
use super::model::MessageAttributes;
use super::{throttle::Throttle, QueueId};
use crate::engine::{Core, Deadline, DeadlineKey};
use crate::event::QueueName;
use crate::rng::Uuid;
use crate::time::{SimDuration, SimTime};

/// Where a message is in its lifecycle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MessageState {
    /// Sent with a delay; invisible to receivers until `until`.
    Delayed {
        until: SimTime,
        key: DeadlineKey,
    },
    Visible,
    /// Received and not yet deleted; `receipt` identifies the latest receipt handle.
    InFlight {
        until: SimTime,
        key: DeadlineKey,
        receipt: u64,
        received_at: SimTime,
    },
}

/// A message as the queue stores it.
#[derive(Clone, Debug)]
pub struct StoredMessage {
    /// 1-based order in which this queue accepted the message ("msg 3").
    pub number: u64,
    pub id: Uuid,
    pub body: String,
    pub md5_of_body: [u8; 16],
    pub attributes: MessageAttributes,
    pub md5_of_attributes: Option<[u8; 16]>,
    pub system_attributes: MessageAttributes,
    pub md5_of_system_attributes: Option<[u8; 16]>,
    pub sent_at: SimTime,
    /// Retention counts from here: the send time, except that a FIFO message
    /// moved to a dead-letter queue starts again (AWS keeps it for standard).
    pub enqueued_at: SimTime,
    pub receive_count: u32,
    pub first_received_at: Option<SimTime>,
    pub group_id: Option<Arc<str>>,
    pub deduplication_id: Option<String>,
    pub sequence_number: Option<u128>,
    /// Set on messages a redrive policy moved here: the ARN of the queue they came from.
    pub dead_letter_source_arn: Option<String>,
    pub state: MessageState,
    /// The nonce of the most recent receipt handle: only that handle deletes the message.
    pub(crate) last_receipt: Option<u64>,
    pub(crate) retention_key: Option<DeadlineKey>,
}

impl StoredMessage {
    pub fn is_visible(&self) -> bool {
        self.state == MessageState::Visible
    }
    pub fn is_in_flight(&self) -> bool {
        matches!(self.state, MessageState::InFlight { .. })
    }
    pub fn is_delayed(&self) -> bool {
        matches!(self.state, MessageState::Delayed { .. })
    }
    /// When a delayed or in-flight message becomes visible.
    pub fn visible_at(&self) -> Option<SimTime> {
        match self.state {
            MessageState::Delayed { until, .. } | MessageState::InFlight { until, .. } => Some(until),
            MessageState::Visible => None,
        }
    }
}

/// A FIFO message group: its live messages in order.
#[derive(Clone, Debug, Default)]
pub(crate) struct Group {
    pub members: VecDeque<u64>,
    pub in_flight: u32,
    /// The key under which the group sits in `ready_groups`, if it is ready.
    pub ready_key: Option<u64>,
}

/// A FIFO deduplication record, kept 5 minutes from the first send.
#[derive(Clone, Debug)]
pub(crate) struct DedupEntry {
    pub message_id: Uuid,
    pub lapses: DeadlineKey,
    pub sequence_number: Option<u128>,
}

/// A FIFO receive that may be retried with the same ReceiveRequestAttemptId.
#[derive(Clone, Debug)]
pub(crate) struct ReceiveAttempt {
    pub at: SimTime,
    pub delivered: Vec<(u64, u64)>,
    pub result: super::model::ReceiveMessageResult,
}

/// Cumulative counters for CloudWatch-style charts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueStats {
    pub sent: u64,
    pub received: u64,
    pub deleted: u64,
    pub empty_receives: u64,
}

#[derive(Clone, Debug)]
pub struct Queue {
    pub id: QueueId,
    pub name: QueueName,
    pub url: String,
    pub arn: String,
    pub fifo: bool,
    pub config: QueueConfig,
    pub created_at: SimTime,
    pub last_modified_at: SimTime,
    pub tags: BTreeMap<String, String>,
    /// Every live message by number.
    /// Boxed so that the map's nodes stay small: a message is a few hundred
    /// bytes, and a node holds eleven.
    pub(crate) messages: BTreeMap<u64, Box<StoredMessage>>,
    /// Standard queues: numbers of visible messages, oldest first.
    pub(crate) visible: BTreeSet<u64>,
    /// FIFO queues: message groups by id.
    pub(crate) groups: BTreeMap<Arc<str>, Group>,
    /// FIFO queues: groups that can be served now (none in flight, head
    /// visible), ordered by their head message so the oldest is served first.
    pub(crate) ready_groups: BTreeSet<(u64, Arc<str>)>,
    pub(crate) delayed: usize,
    pub(crate) in_flight: usize,
    pub(crate) next_number: u64,
    pub(crate) next_sequence_number: u128,
    /// FIFO deduplication ids seen in the last 5 minutes.
    pub(crate) dedup: BTreeMap<String, DedupEntry>,
    pub(crate) receive_attempts: BTreeMap<String, ReceiveAttempt>,
    /// While set, PurgeQueue answers PurgeQueueInProgress; the key is the cool-down's end.
    pub(crate) purge_cooldown: Option<DeadlineKey>,
    /// Long-poll tickets waiting here, in the order they began waiting.
    pub(crate) waiters: VecDeque<u64>,
    pub(crate) throttle: Throttle,
    pub stats: QueueStats,
}

impl Queue {
    pub(crate) fn new(
        id: QueueId,
        name: QueueName,
        url: String,
        arn: String,
        fifo: bool,
        config: QueueConfig,
        now: SimTime,
    ) -> Self {
        Queue {
            id,
            name,
            url,
            arn,
            fifo,
            config,
            created_at: now,
            last_modified_at: now,
            tags: BTreeMap::new(),
            messages: BTreeMap::new(),
            visible: BTreeSet::new(),
            groups: BTreeMap::new(),
            ready_groups: BTreeSet::new(),
            delayed: 0,
            in_flight: 0,
            next_number: 1,
            // AWS FIFO sequence numbers are large, 20-digit, increasing numbers.
            next_sequence_number: 18_000_000_000_000_000_000,
            dedup: BTreeMap::new(),
            receive_attempts: BTreeMap::new(),
            purge_cooldown: None,
            waiters: VecDeque::new(),
            throttle: Throttle::default(),
            stats: QueueStats::default(),
        }
    }

    /// ApproximateNumberOfMessages.
    pub fn visible_count(&self) -> usize {
        self.messages.len() - self.delayed - self.in_flight
    }
    /// ApproximateNumberOfMessagesNotVisible.
    pub fn in_flight_count(&self) -> usize {
        self.in_flight
    }
    /// ApproximateNumberOfMessagesDelayed.
    pub fn delayed_count(&self) -> usize {
        self.delayed
    }
    pub fn len(&self) -> usize {
        self.messages.len()
    }
    pub fn is_empty(&self) -> bool {
        self.messages.is_empty()
    }
    pub fn messages(&self) -> impl Iterator<Item = &StoredMessage> {
        self.messages.values().map(|m| &**m)
    }
    pub fn message(&self, number: u64) -> Option<&StoredMessage> {
        self.messages.get(&number).map(|m| &**m)
    }

    pub(crate) fn take_number(&mut self) -> u64 {
        let n = self.next_number;
        self.next_number += 1;
        n
    }

    /// Stores a new message: delayed if `delay` is non-zero, otherwise visible.
    /// Retention counts from `message.enqueued_at`.
    pub(crate) fn insert(&mut self, core: &mut Core, mut message: StoredMessage, delay: SimDuration) {
        let number = message.number;
        let expires = message.enqueued_at + SimDuration::from_secs(u64::from(self.config.message_retention_period));
        message.retention_key = Some(
            core.deadlines
                .schedule(expires.max(core.now), Deadline::SqsRetentionExpires { queue: self.id, seq: number }),
        );
        if delay > SimDuration::ZERO {
            let until = core.now + delay;
            let key = core.deadlines.schedule(until, Deadline::SqsDelayEnds { queue: self.id, seq: number });
            message.state = MessageState::Delayed { until, key };
            self.delayed += 1;
        } else {
            message.state = MessageState::Visible;
        }
        let visible = message.is_visible();
        let group = message.group_id.clone().filter(|_| self.fifo);
        self.messages.insert(number, Box::new(message));
        if let Some(group) = group {
            self.groups.entry(group.clone()).or_default().members.push_back(number);
            self.refresh_group(&group);
        } else if visible {
            self.visible.insert(number);
        }
    }

    /// Makes a delayed or in-flight message visible (its deadline has been
    /// consumed or cancelled by the caller).
    pub(crate) fn make_visible(&mut self, number: u64) {
        let Some(message) = self.messages.get_mut(&number) else { return };
        match message.state {
            MessageState::Delayed { .. } => self.delayed -= 1,
            MessageState::InFlight { .. } => self.in_flight -= 1,
            MessageState::Visible => return,
        }
        let was_in_flight = message.is_in_flight();
        message.state = MessageState::Visible;
        match message.group_id.clone().filter(|_| self.fifo) {
            Some(group) => {
                if was_in_flight {
                    if let Some(g) = self.groups.get_mut(&group) {
                        g.in_flight -= 1;
                    }
                }
                self.refresh_group(&group);
            }
            None => {
                self.visible.insert(number);
            }
        }
    }

    /// Marks a visible message as received: in flight until `now + timeout`.
    /// Returns the receipt nonce that its new receipt handle carries.
    pub(crate) fn set_in_flight(&mut self, core: &mut Core, number: u64, timeout: SimDuration) -> u64 {
        let receipt = core.rng.next_u64();
        let until = core.now + timeout;
        let key = core.deadlines.schedule(until, Deadline::SqsVisibilityExpires { queue: self.id, seq: number });
        let fifo = self.fifo;
        let Some(message) = self.messages.get_mut(&number) else { return receipt };
        debug_assert!(message.is_visible());
        message.state = MessageState::InFlight { until, key, receipt, received_at: core.now };
        message.receive_count += 1;
        message.last_receipt = Some(receipt);
        message.first_received_at.get_or_insert(core.now);
        self.in_flight += 1;
        match message.group_id.clone().filter(|_| fifo) {
            Some(group) => {
                if let Some(g) = self.groups.get_mut(&group) {
                    g.in_flight += 1;
                }
                self.refresh_group(&group);
            }
            None => {
                self.visible.remove(&number);
            }
        }
        receipt
    }

    /// Moves an in-flight message's visibility deadline to `now + timeout`.
    pub(crate) fn change_visibility(&mut self, core: &mut Core, number: u64, timeout: SimDuration) {
        let Some(message) = self.messages.get_mut(&number) else { return };
        if let MessageState::InFlight { until, key, .. } = &mut message.state {
            core.deadlines.cancel(*key);
            *until = core.now + timeout;
            *key = core.deadlines.schedule(*until, Deadline::SqsVisibilityExpires { queue: self.id, seq: number });
        }
    }

    /// Removes a message in any state, cancelling its deadlines.
    pub(crate) fn remove(&mut self, core: &mut Core, number: u64) -> Option<StoredMessage> {
        let message = *self.messages.remove(&number)?;
        if let Some(key) = message.retention_key {
            core.deadlines.cancel(key);
        }
        match message.state {
            MessageState::Delayed { key, .. } => {
                core.deadlines.cancel(key);
                self.delayed -= 1;
            }
            MessageState::InFlight { key, .. } => {
                core.deadlines.cancel(key);
                self.in_flight -= 1;
            }
            MessageState::Visible => {}
        }
        match message.group_id.clone().filter(|_| self.fifo) {
            Some(group) => {
                if let Some(g) = self.groups.get_mut(&group) {
                    if let Some(pos) = g.members.iter().position(|&n| n == number) {
                        g.members.remove(pos);
                    }
                    if message.is_in_flight() {
                        g.in_flight -= 1;
                    }
                }
                self.refresh_group(&group);
            }
            None => {
                self.visible.remove(&number);
            }
        }
        Some(message)
    }

    /// Re-files a FIFO group in `ready_groups` after anything about it changed;
    /// drops the group when it has no messages left.
    pub(crate) fn refresh_group(&mut self, group: &Arc<str>) {
        let Some(g) = self.groups.get_mut(group) else { return };
        let ready = match g.members.front() {
            Some(&head) if g.in_flight == 0 => self.messages.get(&head).filter(|m| m.is_visible()).map(|_| head),
            _ => None,
        };
        if g.ready_key != ready {
            if let Some(old) = g.ready_key.take() {
                self.ready_groups.remove(&(old, group.clone()));
            }
            if let Some(new) = ready {
                self.ready_groups.insert((new, group.clone()));
            }
            g.ready_key = ready;
        }
        if g.members.is_empty() {
            self.groups.remove(group);
        }
    }

    /// Removes every message (PurgeQueue, DeleteQueue), cancelling all deadlines.
    pub(crate) fn clear(&mut self, core: &mut Core) -> usize {
        let numbers: Vec<u64> = self.messages.keys().copied().collect();
        for &n in &numbers {
            self.remove(core, n);
        }
        numbers.len()
    }
}
