//! ReceiveMessage: short and long polls, FIFO group rules, dead-letter moves,
//! and what happens when delays, visibility timeouts and retention run out.

use alloc::borrow::ToOwned;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::attributes::{MAX_VISIBILITY_TIMEOUT, MAX_WAIT_TIME_SECONDS};
use super::error::{SqsError, SqsErrorCode};
use super::model::*;
use super::queue::{MessageState, Queue, ReceiveAttempt, StoredMessage};
use super::receipt::{self, Receipt};
use super::send::{DEDUPLICATION_WINDOW, ID_CHARS};
use super::throttle::ThrottledAction;
use super::{validate, QueueId, Sqs};
use crate::engine::{Deadline, DeadlineKey};
use crate::event::{Event, QueueName};
use crate::time::SimDuration;
use crate::{ascii, hex};

/// AWS's in-flight quota: beyond it a short poll of a standard queue gets
/// OverLimit, and a FIFO queue returns no more messages.
pub const MAX_IN_FLIGHT: usize = 120_000;

/// A validated ReceiveMessage, kept while a long poll waits.
#[derive(Clone, Debug)]
pub(crate) struct ReceiveSpec {
    max: usize,
    visibility_timeout: Option<u32>,
    system_attribute_names: Vec<String>,
    message_attribute_names: Vec<String>,
    attempt_id: Option<String>,
}

/// A long poll waiting for a message.
#[derive(Clone, Debug)]
pub(crate) struct WaitingPoll {
    pub queue: QueueId,
    spec: ReceiveSpec,
    timeout: DeadlineKey,
}

fn validate_receive(req: ReceiveMessage) -> Result<(ReceiveSpec, Option<u32>), SqsError> {
    let max = match req.max_number_of_messages {
        None => 1,
        Some(n) if (1..=10).contains(&n) => n as usize,
        Some(n) => {
            return Err(SqsError::invalid_value(n, "MaxNumberOfMessages", "Must be between 1 and 10, if provided."))
        }
    };
    let wait = match req.wait_time_seconds {
        None => None,
        Some(n) if (0..=i64::from(MAX_WAIT_TIME_SECONDS)).contains(&n) => Some(n as u32),
        Some(n) => return Err(SqsError::invalid_value(n, "WaitTimeSeconds", "Must be >= 0 and <= 20, if provided.")),
    };
    let visibility_timeout = match req.visibility_timeout {
        None => None,
        Some(n) if (0..=i64::from(MAX_VISIBILITY_TIMEOUT)).contains(&n) => Some(n as u32),
        Some(n) => {
            return Err(SqsError::invalid_value(n, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided."))
        }
    };
    if let Some(attempt) = &req.receive_request_attempt_id {
        validate::check_fifo_id(attempt, "ReceiveRequestAttemptId")?;
    }
    let mut system_attribute_names = req.attribute_names;
    system_attribute_names.extend(req.message_system_attribute_names);
    let spec = ReceiveSpec {
        max,
        visibility_timeout,
        system_attribute_names,
        message_attribute_names: req.message_attribute_names,
        attempt_id: req.receive_request_attempt_id,
    };
    Ok((spec, wait))
}

fn wants(names: &[String], name: &str) -> bool {
    names.iter().any(|n| n == "All" || n == name)
}

fn wants_message_attribute(names: &[String], name: &str) -> bool {
    names.iter().any(|n| {
        n == "All"
            || n == ".*"
            || n == name
            || n.strip_suffix(".*")
                .is_some_and(|prefix| name.strip_prefix(prefix).is_some_and(|rest| rest.starts_with('.')))
    })
}

/// The system attributes a receive asked for, each built only if asked for.
#[inline(never)]
fn system_attributes(
    queue: &Queue,
    m: &StoredMessage,
    spec: &ReceiveSpec,
    sender_id: &str,
) -> BTreeMap<String, String> {
    let names = &spec.system_attribute_names;
    let mut attributes = BTreeMap::new();
    let mut put = |name: &str, value: &dyn Fn() -> Option<String>| {
        if wants(names, name) {
            if let Some(value) = value() {
                attributes.insert(name.to_owned(), value);
            }
        }
    };
    put("SenderId", &|| Some(sender_id.to_owned()));
    put("SentTimestamp", &|| Some(m.sent_at.as_millis().to_string()));
    put("ApproximateReceiveCount", &|| Some(m.receive_count.to_string()));
    put("ApproximateFirstReceiveTimestamp", &|| m.first_received_at.map(|t| t.as_millis().to_string()));
    put("AWSTraceHeader", &|| m.system_attributes.get("AWSTraceHeader").and_then(|v| v.string_value.clone()));
    put("MessageGroupId", &|| m.group_id.as_ref().map(|g| g.to_string()));
    if queue.fifo {
        put("MessageDeduplicationId", &|| m.deduplication_id.clone());
        put("SequenceNumber", &|| m.sequence_number.map(|n| n.to_string()));
    }
    put("DeadLetterQueueSourceArn", &|| m.dead_letter_source_arn.clone());
    attributes
}

/// The message as ReceiveMessage returns it, with the system and message
/// attributes the caller asked for.
fn render(queue: &Queue, m: &StoredMessage, receipt: (u64, Receipt), spec: &ReceiveSpec, sender_id: &str) -> Message {
    let attributes = if spec.system_attribute_names.is_empty() {
        // Most receives ask for none: not even a name is compared.
        BTreeMap::new()
    } else {
        system_attributes(queue, m, spec, sender_id)
    };
    // Inserted one by one: collecting into a map sorts a vector first, which
    // costs even when nothing is asked for (the usual receive).
    let mut message_attributes = MessageAttributes::new();
    for (name, value) in &m.attributes {
        if wants_message_attribute(&spec.message_attribute_names, name) {
            message_attributes.insert(name.clone(), value.clone());
        }
    }
    let mut handle = ascii::Buffer::<{ receipt::ENCODED_LEN }>::new();
    let (seed, receipt) = receipt;
    receipt::encode_into(seed, receipt, &mut handle.0);
    Message {
        message_id: ascii::inline(&m.id_and_md5, 0),
        receipt_handle: ascii::text(&handle.0).into(),
        md5_of_body: ascii::inline(&m.id_and_md5, ID_CHARS),
        body: m.body.clone(),
        attributes,
        md5_of_message_attributes: validate::md5_of_attributes(&message_attributes).map(|d| hex::encode(&d)),
        message_attributes,
    }
}

impl Sqs<'_> {
    pub fn receive_message(&mut self, req: ReceiveMessage) -> Result<Receive, SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        let (spec, wait) = validate_receive(req)?;
        self.admit(id, ThrottledAction::Receive)?;
        let queue = self.queue_ref(id);
        let wait = wait.unwrap_or(queue.config.receive_message_wait_time_seconds);
        if wait == 0 && !queue.fifo && queue.in_flight_count() >= MAX_IN_FLIGHT {
            return Err(SqsError::new(
                SqsErrorCode::OverLimit,
                "Too many messages have been received without being deleted. Please delete your received messages or let them timeout before receiving more.",
            ));
        }
        let messages = self.collect(id, &spec);
        if !messages.is_empty() || wait == 0 {
            if messages.is_empty() {
                self.queue_mut(id).stats.empty_receives += 1;
            }
            return Ok(Receive::Ready(ReceiveMessageResult { messages }));
        }
        let ticket = self.state.next_ticket;
        self.state.next_ticket += 1;
        let timeout =
            self.core.schedule_in(SimDuration::from_secs(u64::from(wait)), Deadline::SqsLongPollTimesOut { ticket });
        self.state.polls.insert(ticket, WaitingPoll { queue: id, spec, timeout });
        let queue = self.queue_mut(id);
        queue.waiters.push_back(ticket);
        let name = queue.name.clone();
        self.core.emit(Event::LongPollWaiting { queue: name, ticket });
        Ok(Receive::Pending(PollTicket(ticket)))
    }

    /// Gives up a waiting long poll (its client went away). Messages are not affected.
    pub fn cancel_poll(&mut self, ticket: PollTicket) {
        if let Some(poll) = self.state.polls.remove(&ticket.0) {
            self.core.deadlines.cancel(poll.timeout);
            if let Some(queue) = self.state.queues.get_mut(&poll.queue) {
                queue.waiters.retain(|&t| t != ticket.0);
            }
        }
    }

    /// Takes up to `spec.max` messages: marks them in flight and renders them.
    /// Messages past their redrive policy's maxReceiveCount go to the
    /// dead-letter queue instead.
    fn collect(&mut self, id: QueueId, spec: &ReceiveSpec) -> Vec<Message> {
        if let Some(replayed) = self.replay_attempt(id, spec) {
            return replayed;
        }
        let queue = self.queue_ref(id);
        let timeout =
            SimDuration::from_secs(u64::from(spec.visibility_timeout.unwrap_or(queue.config.visibility_timeout)));
        let redrive = queue.config.redrive_policy.as_ref().and_then(|p| {
            let dlq = self.resolve_arn(&p.dead_letter_target_arn)?;
            (dlq != id).then_some((dlq, p.max_receive_count))
        });
        let fifo = queue.fifo;
        // At most 10 per receive: a stack buffer, not an allocation, on the hot path.
        let mut taken_buffer = [(0u64, 0u64); 10];
        let mut count = 0;
        let mut moved_any = None;
        // FIFO queues stop handing out messages at the in-flight quota, without an error.
        let room = if fifo { MAX_IN_FLIGHT.saturating_sub(queue.in_flight_count()) } else { usize::MAX };
        while count < spec.max.min(room) {
            let Some(number) = (if fifo {
                self.next_fifo_candidate(id, &taken_buffer[..count])
            } else {
                self.next_standard_candidate(id)
            }) else {
                break;
            };
            let receive_count = self.queue_ref(id).messages[&number].receive_count;
            if let Some((dlq, max_receives)) = redrive {
                if receive_count >= max_receives {
                    self.move_to_dead_letter_queue(id, dlq, number);
                    moved_any = Some(dlq);
                    continue;
                }
            }
            let (core, queue) = self.parts(id);
            let nonce = queue.set_in_flight(core, number, timeout);
            taken_buffer[count] = (number, nonce);
            count += 1;
        }
        let taken = &taken_buffer[..count];
        let queue = self.queue_ref(id);
        let seed = self.core.config.seed;
        let sender = &self.core.config.account_id;
        let messages: Vec<Message> = taken
            .iter()
            .map(|&(number, nonce)| {
                let m = &queue.messages[&number];
                render(queue, m, (seed, Receipt { queue: id, number, nonce }), spec, sender)
            })
            .collect();
        let now = self.core.now;
        let name = queue.name.clone();
        for &(number, _) in taken {
            let Some(m) = self.queue_ref(id).messages.get(&number) else { continue };
            let (receive_count, visible_at) = (m.receive_count, m.visible_at().unwrap_or(now));
            self.core.emit(Event::MessageReceived { queue: name.clone(), number, receive_count, visible_at });
        }
        if timeout == SimDuration::ZERO {
            // VisibilityTimeout=0: received and visible again at once. Released
            // only now so that one receive cannot hand out the same message twice.
            let (core, queue) = self.parts(id);
            for &(number, _) in taken {
                let in_flight = queue.messages.get(&number).and_then(|m| match *m.state {
                    MessageState::InFlight { key, .. } => Some(key),
                    _ => None,
                });
                if let Some(key) = in_flight {
                    core.deadlines.cancel(key);
                    queue.make_visible(number);
                }
            }
        }
        let queue = self.queue_mut(id);
        queue.stats.received += messages.len() as u64;
        if let (true, Some(attempt)) = (fifo, &spec.attempt_id) {
            queue.receive_attempts.retain(|_, a| now.saturating_sub(a.at) < DEDUPLICATION_WINDOW);
            if !taken.is_empty() {
                let result = ReceiveMessageResult { messages: messages.clone() };
                queue
                    .receive_attempts
                    .insert(attempt.clone(), ReceiveAttempt { at: now, delivered: taken.to_vec(), result });
            }
        }
        if let Some(dlq) = moved_any {
            self.serve_waiters(dlq);
        }
        messages
    }

    /// A FIFO receive retried with the same ReceiveRequestAttemptId within 5
    /// minutes gets the same messages and receipt handles, with their
    /// visibility timeout reset, as long as they are still in flight from it.
    fn replay_attempt(&mut self, id: QueueId, spec: &ReceiveSpec) -> Option<Vec<Message>> {
        let attempt_id = spec.attempt_id.as_ref()?;
        let now = self.core.now;
        let queue = self.queue_ref(id);
        if !queue.fifo {
            return None;
        }
        let attempt = queue.receive_attempts.get(attempt_id)?;
        let fresh = now.saturating_sub(attempt.at) < DEDUPLICATION_WINDOW;
        let intact = attempt.delivered.iter().all(|&(number, nonce)| {
            matches!(queue.messages.get(&number).map(|m| m.state), Some(MessageState::InFlight { receipt, .. }) if *receipt == nonce)
        });
        if !(fresh && intact) {
            return None;
        }
        let timeout =
            SimDuration::from_secs(u64::from(spec.visibility_timeout.unwrap_or(queue.config.visibility_timeout)));
        let (delivered, result) = (attempt.delivered.clone(), attempt.result.clone());
        let (core, queue) = self.parts(id);
        for (number, _) in delivered {
            queue.change_visibility(core, number, timeout);
        }
        Some(result.messages)
    }

    fn next_standard_candidate(&mut self, id: QueueId) -> Option<u64> {
        let reorder = self.core.config.realism.reorder_per_million;
        let skip = if self.core.rng.chance(reorder) { self.core.rng.below(10) as usize } else { 0 };
        let queue = self.queue_ref(id);
        let mut visible = queue.visible.iter();
        visible.clone().nth(skip).or_else(|| visible.next())
    }

    /// The next FIFO message to hand out: keep taking from the group already
    /// being served while its next message is visible, otherwise start on the
    /// ready group with the oldest head.
    fn next_fifo_candidate(&self, id: QueueId, taken: &[(u64, u64)]) -> Option<u64> {
        let queue = self.queue_ref(id);
        if let Some(&(last, _)) = taken.last() {
            let group = queue.messages[&last].group_id.as_ref()?;
            let members = &queue.groups.get(group)?.members;
            let position = members.iter().position(|&n| n == last)?;
            if let Some(&next) = members.get(position + 1) {
                if queue.messages.get(&next).is_some_and(|m| m.is_visible()) {
                    return Some(next);
                }
            }
        }
        queue.ready_groups.first().map(|(head, _)| *head)
    }

    fn move_to_dead_letter_queue(&mut self, from: QueueId, to: QueueId, number: u64) {
        let (core, source) = self.parts(from);
        let Some(mut message) = source.remove(core, number) else { return };
        let (source_name, source_arn) = (source.name.clone(), source.arn.clone());
        let now = self.core.now;
        let (core, dlq) = self.parts(to);
        message.number = dlq.take_number();
        message.dead_letter_source_arn = Some(source_arn);
        if dlq.fifo {
            message.enqueued_at = now;
            message.sequence_number = Some(dlq.next_sequence_number);
            dlq.next_sequence_number += 1;
        }
        let new_number = message.number;
        dlq.insert(core, message, SimDuration::ZERO);
        let dead_letter_queue = dlq.name.clone();
        self.core.emit(Event::MovedToDeadLetterQueue { queue: source_name, number, dead_letter_queue, new_number });
    }

    /// Hands newly visible messages to long polls, oldest waiter first.
    /// Inlined (natively) as far as the test for waiting polls: most queues have none.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn serve_waiters(&mut self, id: QueueId) {
        if self.state.queues.get(&id).is_some_and(|queue| !queue.waiters.is_empty()) {
            self.serve_some_waiters(id);
        }
    }

    #[inline(never)]
    fn serve_some_waiters(&mut self, id: QueueId) {
        loop {
            let Some(queue) = self.state.queues.get(&id) else { return };
            let Some(&ticket) = queue.waiters.front() else { return };
            let available = if queue.fifo { !queue.ready_groups.is_empty() } else { !queue.visible.is_empty() };
            if !available {
                return;
            }
            let spec = self.state.polls[&ticket].spec.clone();
            let messages = self.collect(id, &spec);
            if messages.is_empty() {
                return;
            }
            let poll = self.state.polls.remove(&ticket).expect("waiting tickets have a poll");
            self.core.deadlines.cancel(poll.timeout);
            let queue = self.queue_mut(id);
            queue.waiters.pop_front();
            let name = queue.name.clone();
            self.finish_poll(name, ticket, Ok(ReceiveMessageResult { messages }));
        }
    }

    pub(crate) fn finish_poll(
        &mut self,
        queue: QueueName,
        ticket: u64,
        result: Result<ReceiveMessageResult, SqsError>,
    ) {
        if let Some(poll) = self.state.polls.remove(&ticket) {
            self.core.deadlines.cancel(poll.timeout);
        }
        let messages = result.as_ref().map_or(0, |r| r.messages.len());
        self.state.finished_polls.insert(ticket, result);
        self.core.emit(Event::LongPollCompleted { queue, ticket, messages });
    }

    pub(crate) fn poll_timed_out(&mut self, ticket: u64) {
        let Some(poll) = self.state.polls.get(&ticket) else { return };
        let id = poll.queue;
        let queue = self.queue_mut(id);
        queue.waiters.retain(|&t| t != ticket);
        queue.stats.empty_receives += 1;
        let name = queue.name.clone();
        self.finish_poll(name, ticket, Ok(ReceiveMessageResult::default()));
    }

    /// A delay or a visibility timeout ran out: the message is visible and
    /// may answer a waiting long poll. `event` says which it was.
    pub(crate) fn became_visible(&mut self, id: QueueId, number: u64, event: fn(QueueName, u64) -> Event) {
        let Some(queue) = self.state.queues.get_mut(&id) else { return };
        queue.make_visible(number);
        let name = queue.name.clone();
        self.core.emit(event(name, number));
        self.serve_waiters(id);
    }

    pub(crate) fn retention_expired(&mut self, id: QueueId, number: u64) {
        let Some(queue) = self.state.queues.get_mut(&id) else { return };
        if let Some(mut message) = queue.messages.get_mut(&number) {
            message.retention_key = None;
        }
        if queue.remove(self.core, number).is_some() {
            let name = queue.name.clone();
            self.core.emit(Event::MessageExpired { queue: name, number });
            // An expired in-flight FIFO message frees its group.
            self.serve_waiters(id);
        }
    }
}
