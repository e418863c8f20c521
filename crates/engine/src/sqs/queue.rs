//! One queue: its messages and the indexes that make every operation cheap.
//!
//! Each message is in exactly one state (delayed, visible, in flight) and,
//! while delayed or in flight, owns exactly one deadline in the engine's index
//! plus its retention deadline. Visible messages of a standard queue sit in a
//! bitmap by number (`visible_set`); a FIFO queue keeps each message group in
//! send order and an ordered set of the groups that can be served right now.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use super::attributes::QueueConfig;
use super::model::MessageAttributes;
use super::send::IdAndMd5Text;
use super::visible_set::VisibleSet;
use super::{throttle::Throttle, QueueId};
use crate::engine::{Core, Deadline, DeadlineKey};
use crate::event::QueueName;
use crate::rng::Uuid;
use crate::time::{SimDuration, SimTime};

/// Where a message is in its lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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
    /// The message id and MD5OfBody as text, side by side: written once
    /// when the message is sent (SendMessage answers with them) and copied
    /// into every receive, rather than formatted and checked as UTF-8 again.
    pub(crate) id_and_md5: IdAndMd5Text,
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
    pub group_id: Option<Rc<str>>,
    pub deduplication_id: Option<String>,
    pub sequence_number: Option<u128>,
    /// Set on messages a redrive policy moved here: the ARN of the queue they came from.
    pub dead_letter_source_arn: Option<String>,
    /// The nonce of the most recent receipt handle: only that handle deletes the message.
    pub(crate) last_receipt: Option<u64>,
    pub(crate) retention_key: Option<DeadlineKey>,
}

impl StoredMessage {
    /// MD5OfBody: the hex MD5 digest of the body.
    pub fn md5_of_body(&self) -> &str {
        self.id_and_md5.get(super::send::ID_CHARS..).unwrap_or_default()
    }
}

impl MessageState {
    pub fn is_visible(&self) -> bool {
        *self == MessageState::Visible
    }
    pub fn is_in_flight(&self) -> bool {
        matches!(self, MessageState::InFlight { .. })
    }
    pub fn is_delayed(&self) -> bool {
        matches!(self, MessageState::Delayed { .. })
    }
    /// When a delayed or in-flight message becomes visible.
    pub fn visible_at(&self) -> Option<SimTime> {
        match *self {
            MessageState::Delayed { until, .. } | MessageState::InFlight { until, .. } => Some(until),
            MessageState::Visible => None,
        }
    }
}

/// A stored message with its state: what a queue's messages are read as.
/// Everything but the state reads through to the [`StoredMessage`].
#[derive(Clone, Copy, Debug)]
pub struct MessageRef<'a> {
    pub state: &'a MessageState,
    stored: &'a StoredMessage,
}

impl MessageRef<'_> {
    pub fn is_visible(&self) -> bool {
        self.state.is_visible()
    }
    pub fn is_in_flight(&self) -> bool {
        self.state.is_in_flight()
    }
    pub fn is_delayed(&self) -> bool {
        self.state.is_delayed()
    }
    /// When a delayed or in-flight message becomes visible.
    pub fn visible_at(&self) -> Option<SimTime> {
        self.state.visible_at()
    }
}

impl core::ops::Deref for MessageRef<'_> {
    type Target = StoredMessage;

    fn deref(&self) -> &StoredMessage {
        self.stored
    }
}

/// [`MessageRef`], to change.
#[derive(Debug)]
pub(crate) struct MessageMut<'a> {
    pub state: &'a mut MessageState,
    stored: &'a mut StoredMessage,
}

impl core::ops::Deref for MessageMut<'_> {
    type Target = StoredMessage;

    fn deref(&self) -> &StoredMessage {
        self.stored
    }
}

impl core::ops::DerefMut for MessageMut<'_> {
    fn deref_mut(&mut self) -> &mut StoredMessage {
        self.stored
    }
}

/// A queue's live messages by number.
///
/// Numbers are handed out in increasing order and a message is stored as
/// soon as it has one, so the store is a window of slots from the oldest
/// live number on: finding a message is an index, storing one a push at the
/// back, and the window's front moves on as the oldest messages go (every
/// request finds its message here, several times).
///
/// A slot holds the message's state beside the boxed rest of it, so that a
/// burst of expiries, which changes only states, walks the slots in order
/// and never reads the boxes: reading them (a few hundred bytes apart, each
/// beside its body) about doubled the cost per expired message from 10,000
/// to 100,000 messages, where the slots alone keep it flat.
/// The price is a slot of 64 bytes rather than 8: a message that stays while
/// many after it come and go keeps their empty slots until it goes too.
#[derive(Clone, Debug, Default)]
pub(crate) struct MessageStore {
    /// The number of the message in `slots[0]`.
    first: u64,
    slots: VecDeque<Option<Held>>,
    len: usize,
}

// A burst of expiries walks one slot per message: keep it one cache line.
const _: () = assert!(core::mem::size_of::<Option<Held>>() <= 64);

#[derive(Clone, Debug)]
struct Held {
    state: MessageState,
    /// Boxed, so that a slot stays small: the rest of a message is a few hundred bytes.
    stored: Box<StoredMessage>,
}

impl Held {
    fn as_ref(&self) -> MessageRef<'_> {
        MessageRef { state: &self.state, stored: &self.stored }
    }

    fn as_mut(&mut self) -> MessageMut<'_> {
        MessageMut { state: &mut self.state, stored: &mut self.stored }
    }
}

impl MessageStore {
    fn index(&self, number: u64) -> Option<usize> {
        let index = usize::try_from(number.checked_sub(self.first)?).ok()?;
        (index < self.slots.len()).then_some(index)
    }

    pub(crate) fn get(&self, number: &u64) -> Option<MessageRef<'_>> {
        Some(self.slots.get(self.index(*number)?)?.as_ref()?.as_ref())
    }

    pub(crate) fn get_mut(&mut self, number: &u64) -> Option<MessageMut<'_>> {
        let index = self.index(*number)?;
        Some(self.slots.get_mut(index)?.as_mut()?.as_mut())
    }

    /// Stores a message under its number, replacing one stored there before.
    pub(crate) fn insert(&mut self, state: MessageState, stored: Box<StoredMessage>) -> Option<Box<StoredMessage>> {
        let number = stored.number;
        if self.slots.is_empty() {
            self.first = number;
        }
        // Numbers come from `Queue::take_number` just before, so the new one
        // is normally the largest; an older one still finds its place.
        while number < self.first {
            self.slots.push_front(None);
            self.first -= 1;
        }
        let index = (number - self.first) as usize;
        if index == self.slots.len() {
            self.slots.push_back(None);
        } else if index > self.slots.len() {
            self.slots.resize_with(index + 1, || None);
        }
        let old = self.slots[index].replace(Held { state, stored });
        if old.is_none() {
            self.len += 1;
        }
        old.map(|held| held.stored)
    }

    pub(crate) fn remove(&mut self, number: &u64) -> Option<(MessageState, Box<StoredMessage>)> {
        let index = self.index(*number)?;
        let Held { state, stored } = self.slots[index].take()?;
        self.len -= 1;
        while self.slots.front().is_some_and(Option::is_none) {
            self.slots.pop_front();
            self.first += 1;
        }
        Some((state, stored))
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Oldest first.
    pub(crate) fn values(&self) -> impl Iterator<Item = MessageRef<'_>> {
        self.slots.iter().flatten().map(Held::as_ref)
    }

    pub(crate) fn values_mut(&mut self) -> impl Iterator<Item = MessageMut<'_>> {
        self.slots.iter_mut().flatten().map(Held::as_mut)
    }

    pub(crate) fn keys(&self) -> impl Iterator<Item = u64> + '_ {
        self.values().map(|m| m.number)
    }
}

impl core::ops::Index<&u64> for MessageStore {
    type Output = StoredMessage;

    fn index(&self, number: &u64) -> &StoredMessage {
        &self.slots[self.index(*number).expect("a message the queue holds")]
            .as_ref()
            .expect("a message the queue holds")
            .stored
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
    pub(crate) messages: MessageStore,
    /// Standard queues: numbers of visible messages, oldest first.
    pub(crate) visible: VisibleSet,
    /// FIFO queues: message groups by id.
    pub(crate) groups: BTreeMap<Rc<str>, Group>,
    /// FIFO queues: groups that can be served now (none in flight, head
    /// visible), ordered by their head message so the oldest is served first.
    pub(crate) ready_groups: BTreeSet<(u64, Rc<str>)>,
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
            messages: MessageStore::default(),
            visible: VisibleSet::default(),
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
    pub fn messages(&self) -> impl Iterator<Item = MessageRef<'_>> {
        self.messages.values()
    }
    pub fn message(&self, number: u64) -> Option<MessageRef<'_>> {
        self.messages.get(&number)
    }

    pub(crate) fn take_number(&mut self) -> u64 {
        let n = self.next_number;
        self.next_number += 1;
        n
    }

    /// Stores a new message: delayed if `delay` is non-zero, otherwise visible.
    /// Retention counts from `message.enqueued_at`.
    pub(crate) fn insert(&mut self, core: &mut Core, mut message: Box<StoredMessage>, delay: SimDuration) {
        let number = message.number;
        let expires = message.enqueued_at + SimDuration::from_secs(u64::from(self.config.message_retention_period));
        message.retention_key = Some(
            core.deadlines
                .schedule(expires.max(core.now), Deadline::SqsRetentionExpires { queue: self.id, seq: number }),
        );
        let state = if delay > SimDuration::ZERO {
            let until = core.now + delay;
            let key = core.deadlines.schedule(until, Deadline::SqsDelayEnds { queue: self.id, seq: number });
            self.delayed += 1;
            MessageState::Delayed { until, key }
        } else {
            MessageState::Visible
        };
        let visible = state.is_visible();
        let group = message.group_id.clone().filter(|_| self.fifo);
        self.messages.insert(state, message);
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
        let was_in_flight = match message.state {
            MessageState::Delayed { .. } => {
                self.delayed -= 1;
                false
            }
            MessageState::InFlight { .. } => {
                self.in_flight -= 1;
                true
            }
            MessageState::Visible => return,
        };
        *message.state = MessageState::Visible;
        // A standard queue's message is not read past its state (its box is
        // left alone), so that a burst of expiries walks only the slots.
        let group = if self.fifo { message.group_id.clone() } else { None };
        match group {
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
        let Some(mut message) = self.messages.get_mut(&number) else { return receipt };
        debug_assert!(message.state.is_visible());
        *message.state = MessageState::InFlight { until, key, receipt, received_at: core.now };
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
                self.visible.remove(number);
            }
        }
        receipt
    }

    /// Moves an in-flight message's visibility deadline to `now + timeout`.
    pub(crate) fn change_visibility(&mut self, core: &mut Core, number: u64, timeout: SimDuration) {
        let Some(message) = self.messages.get_mut(&number) else { return };
        if let MessageState::InFlight { until, key, .. } = message.state {
            core.deadlines.cancel(*key);
            *until = core.now + timeout;
            *key = core.deadlines.schedule(*until, Deadline::SqsVisibilityExpires { queue: self.id, seq: number });
        }
    }

    /// Removes a message in any state, cancelling its deadlines.
    pub(crate) fn remove(&mut self, core: &mut Core, number: u64) -> Option<Box<StoredMessage>> {
        let (state, message) = self.messages.remove(&number)?;
        if let Some(key) = message.retention_key {
            core.deadlines.cancel(key);
        }
        match state {
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
                    if state.is_in_flight() {
                        g.in_flight -= 1;
                    }
                }
                self.refresh_group(&group);
            }
            // Only visible messages are in the set (a deleted message is usually in flight).
            None if state.is_visible() => {
                self.visible.remove(number);
            }
            None => {}
        }
        Some(message)
    }

    /// Re-files a FIFO group in `ready_groups` after anything about it changed;
    /// drops the group when it has no messages left.
    pub(crate) fn refresh_group(&mut self, group: &Rc<str>) {
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
        let numbers: Vec<u64> = self.messages.keys().collect();
        for &n in &numbers {
            self.remove(core, n);
        }
        numbers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn message(number: u64) -> Box<StoredMessage> {
        Box::new(StoredMessage {
            number,
            id: Uuid([0; 16]),
            body: String::new(),
            id_and_md5: IdAndMd5Text::new(),
            attributes: MessageAttributes::new(),
            md5_of_attributes: None,
            system_attributes: MessageAttributes::new(),
            md5_of_system_attributes: None,
            sent_at: SimTime(0),
            enqueued_at: SimTime(0),
            receive_count: 0,
            first_received_at: None,
            group_id: None,
            deduplication_id: None,
            sequence_number: None,
            dead_letter_source_arn: None,
            last_receipt: None,
            retention_key: None,
        })
    }

    proptest! {
        /// The store answers exactly as an ordered map of the same messages would.
        #[test]
        fn message_store_behaves_as_an_ordered_map(
            ops in proptest::collection::vec((any::<bool>(), 0u64..40), 0..200),
        ) {
            let mut store = MessageStore::default();
            let mut model: BTreeMap<u64, ()> = BTreeMap::new();
            for (insert, number) in ops {
                if insert {
                    let replaced = store.insert(MessageState::Visible, message(number)).map(|m| m.number);
                    prop_assert_eq!(replaced, model.insert(number, ()).map(|()| number));
                } else {
                    let removed = store.remove(&number).map(|(_, m)| m.number);
                    prop_assert_eq!(removed, model.remove(&number).map(|()| number));
                }
                prop_assert_eq!(store.len(), model.len());
                prop_assert_eq!(store.keys().collect::<Vec<_>>(), model.keys().copied().collect::<Vec<_>>());
                for n in 0..40 {
                    prop_assert_eq!(store.get(&n).map(|m| m.number), model.get(&n).map(|()| n));
                }
            }
            // Emptied, it keeps no slots: the window starts at the oldest live message.
            for n in 0..40 {
                store.remove(&n);
            }
            prop_assert!(store.is_empty() && store.slots.is_empty());
        }
    }
}
