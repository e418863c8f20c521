//! Random sequences of SQS operations on standard and FIFO queues (each with a
//! dead-letter queue), with the engine's invariants checked after every step:
//! no message is lost or stored twice, FIFO order holds within each group,
//! deduplicated sends are not delivered again, the counters agree with the
//! messages, receipt handles act as AWS says, and no deadline leaks.

mod common;

use std::collections::{HashMap, HashSet};

use common::*;
use decouple_engine::sqs::*;
use decouple_engine::{Engine, Event, SimTime};
use proptest::prelude::*;

const STD: usize = 0;
const STD_DLQ: usize = 1;
const FIFO: usize = 2;
const FIFO_DLQ: usize = 3;
const NAMES: [&str; 4] = ["std", "std-dlq", "work.fifo", "work-dlq.fifo"];
const MAX_RECEIVES: u32 = 2;
const DEDUP_WINDOW_MS: u64 = 300_000;
const PURGE_COOL_DOWN_MS: u64 = 60_000;

#[derive(Clone, Debug)]
enum Op {
    SendStd { delay: Option<i64> },
    SendStdBatch { n: usize },
    SendFifo { group: u8, dedup: u8 },
    Receive { queue: usize, max: i64, visibility: i64 },
    Delete { pick: usize },
    ChangeVisibility { pick: usize, visibility: i64 },
    Advance { ms: u64 },
    Purge { queue: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => prop::option::of(0i64..=10).prop_map(|delay| Op::SendStd { delay }),
        1 => (1usize..=10).prop_map(|n| Op::SendStdBatch { n }),
        5 => (0u8..4, 0u8..12).prop_map(|(group, dedup)| Op::SendFifo { group, dedup }),
        8 => (0usize..4, 1i64..=10, 0i64..=15)
            .prop_map(|(queue, max, visibility)| Op::Receive { queue, max, visibility }),
        4 => any::<usize>().prop_map(|pick| Op::Delete { pick }),
        2 => (any::<usize>(), 0i64..=120).prop_map(|(pick, visibility)| Op::ChangeVisibility { pick, visibility }),
        3 => prop_oneof![
            5 => 0u64..2_000,
            3 => 0u64..20_000,
            1 => 300_000u64..2_000_000,
        ]
        .prop_map(|ms| Op::Advance { ms }),
        1 => (0usize..4).prop_map(|queue| Op::Purge { queue }),
    ]
}

/// Cumulative counts from the event log, per queue.
#[derive(Clone, Copy, Debug, Default)]
struct Tally {
    sent: u64,
    deleted: u64,
    expired: u64,
    purged: u64,
    moved_in: u64,
    moved_out: u64,
    deduplicated: u64,
}

/// A receipt handle the test holds, and which message it came with.
#[derive(Clone, Debug)]
struct Held {
    queue: usize,
    handle: String,
    message_id: MessageId,
}

struct World {
    engine: Engine,
    urls: Vec<String>,
    tally: HashMap<String, Tally>,
    /// Sends the model expects to have been stored (not deduplicated).
    accepted_sends: u64,
    /// FIFO deduplication ids: when first accepted, and the message id they map to.
    dedup: HashMap<String, (SimTime, MessageId)>,
    purged_at: [Option<SimTime>; 4],
    held: Vec<Held>,
    /// (queue, message id) -> its most recent receipt handle.
    latest: HashMap<(usize, MessageId), String>,
    /// (queue, group) -> sequence number of the last message delivered from that queue for the first time.
    first_delivery_seq: HashMap<(usize, String), u128>,
    delivered: HashSet<(usize, MessageId)>,
    next_body: u64,
}

impl World {
    fn new(seed: u64) -> World {
        let mut engine = engine_with_seed(seed);
        create(&mut engine, "std-dlq", &[("MessageRetentionPeriod", "900")]);
        create(&mut engine, "work-dlq.fifo", &[("MessageRetentionPeriod", "900")]);
        for (name, dlq) in [("std", "std-dlq"), ("work.fifo", "work-dlq.fifo")] {
            let policy = redrive(dlq, MAX_RECEIVES);
            let attributes =
                [("VisibilityTimeout", "10"), ("MessageRetentionPeriod", "600"), ("RedrivePolicy", policy.as_str())];
            create(&mut engine, name, &attributes);
        }
        let urls = NAMES.iter().map(|n| url(n)).collect();
        let mut world = World {
            engine,
            urls,
            tally: HashMap::new(),
            accepted_sends: 0,
            dedup: HashMap::new(),
            purged_at: [None; 4],
            held: Vec::new(),
            latest: HashMap::new(),
            first_delivery_seq: HashMap::new(),
            delivered: HashSet::new(),
            next_body: 0,
        };
        world.engine.drain_events();
        world
    }

    fn now(&self) -> SimTime {
        self.engine.now()
    }

    fn body(&mut self) -> String {
        self.next_body += 1;
        format!("body-{}", self.next_body)
    }

    fn queue(&self, q: usize) -> &Queue {
        self.engine.sqs_state().queue_by_name(NAMES[q]).expect("queues are never deleted here")
    }

    fn find(&self, q: usize, message_id: &str) -> Option<MessageRef<'_>> {
        self.queue(q).messages().find(|m| m.id.to_string() == message_id)
    }

    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        match *op {
            Op::SendStd { delay } => {
                let body = self.body();
                let req = SendMessage { delay_seconds: delay, ..send_req(&self.urls[STD], &body) };
                self.engine.sqs().send_message(req).map_err(|e| TestCaseError::fail(format!("send: {e}")))?;
                self.accepted_sends += 1;
            }
            Op::SendStdBatch { n } => {
                let entries = (0..n)
                    .map(|i| SendMessageBatchEntry {
                        id: format!("e{i}"),
                        message_body: self.body(),
                        delay_seconds: Some((i % 3) as i64),
                        ..Default::default()
                    })
                    .collect();
                let r = self
                    .engine
                    .sqs()
                    .send_message_batch(SendMessageBatch { queue_url: self.urls[STD].clone(), entries })
                    .map_err(|e| TestCaseError::fail(format!("batch: {e}")))?;
                prop_assert!(r.failed.is_empty());
                prop_assert_eq!(r.successful.len(), n);
                self.accepted_sends += n as u64;
            }
            Op::SendFifo { group, dedup } => {
                let body = self.body();
                let dedup_id = format!("d{dedup}");
                let req = fifo_req(&self.urls[FIFO], &body, &format!("g{group}"), Some(&dedup_id));
                let r = self.engine.sqs().send_message(req).map_err(|e| TestCaseError::fail(format!("fifo: {e}")))?;
                let now = self.now();
                match self.dedup.get(&dedup_id) {
                    Some((at, id)) if now.as_millis() < at.as_millis() + DEDUP_WINDOW_MS => {
                        prop_assert_eq!(&r.message_id, id, "a duplicate within 5 minutes maps to the original");
                        let events = self.engine.events().iter().map(|l| l.event.clone()).collect::<Vec<_>>();
                        prop_assert!(
                            matches!(events.last(), Some(Event::MessageDeduplicated { .. })),
                            "deduplicated, not sent: {:?}",
                            events.last()
                        );
                    }
                    _ => {
                        self.dedup.insert(dedup_id, (now, r.message_id));
                        self.accepted_sends += 1;
                    }
                }
            }
            Op::Receive { queue, max, visibility } => {
                let req =
                    ReceiveMessage { visibility_timeout: Some(visibility), ..receive_req(&self.urls[queue], max) };
                let got = ready(self.engine.sqs().receive_message(req));
                prop_assert!(got.len() <= max as usize);
                self.check_received(queue, &got)?;
                for m in got {
                    self.latest.insert((queue, m.message_id), m.receipt_handle.clone());
                    self.held.push(Held { queue, handle: m.receipt_handle, message_id: m.message_id });
                }
                if self.held.len() > 64 {
                    self.held.drain(..self.held.len() - 64);
                }
            }
            Op::Delete { pick } => {
                if self.held.is_empty() {
                    return Ok(());
                }
                let h = self.held[pick % self.held.len()].clone();
                let fifo = h.queue >= FIFO;
                let before = self.find(h.queue, &h.message_id).map(|m| m.is_in_flight());
                let is_latest = self.latest.get(&(h.queue, h.message_id)) == Some(&h.handle);
                let result = delete(&mut self.engine, &self.urls[h.queue], &h.handle);
                let after = self.find(h.queue, &h.message_id).is_some();
                match before {
                    None => prop_assert!(result.is_ok(), "deleting a gone message succeeds: {:?}", result),
                    Some(in_flight) if is_latest && (!fifo || in_flight) => {
                        prop_assert!(result.is_ok(), "{:?}", result);
                        prop_assert!(!after, "the latest handle deletes");
                    }
                    Some(_) if fifo => {
                        let e = result.expect_err("FIFO: stale handle");
                        prop_assert_eq!(e.code, SqsErrorCode::InvalidParameterValue);
                        prop_assert!(e.message.ends_with("Reason: The receipt handle has expired."));
                        prop_assert!(after);
                    }
                    Some(_) => {
                        prop_assert!(result.is_ok(), "standard: stale handle succeeds: {:?}", result);
                        prop_assert!(after, "but does not delete");
                    }
                }
            }
            Op::ChangeVisibility { pick, visibility } => {
                if self.held.is_empty() {
                    return Ok(());
                }
                let h = self.held[pick % self.held.len()].clone();
                let result = self.engine.sqs().change_message_visibility(ChangeMessageVisibility {
                    queue_url: self.urls[h.queue].clone(),
                    receipt_handle: h.handle.clone(),
                    visibility_timeout: Some(visibility),
                });
                if let Err(e) = result {
                    prop_assert_eq!(e.code, SqsErrorCode::InvalidParameterValue, "{}", e);
                }
            }
            Op::Advance { ms } => self.engine.advance_by(millis(ms)),
            Op::Purge { queue } => {
                let now = self.now();
                let cooling =
                    self.purged_at[queue].is_some_and(|t| now.as_millis() < t.as_millis() + PURGE_COOL_DOWN_MS);
                let result = self.engine.sqs().purge_queue(QueueUrlOnly { queue_url: self.urls[queue].clone() });
                if cooling {
                    prop_assert_eq!(result.map_err(|e| e.code), Err(SqsErrorCode::PurgeQueueInProgress));
                } else {
                    prop_assert!(result.is_ok(), "{:?}", result);
                    self.purged_at[queue] = Some(now);
                    prop_assert_eq!(self.queue(queue).len(), 0);
                }
            }
        }
        Ok(())
    }

    /// FIFO: every delivered message is the oldest of its group still in the
    /// queue, apart from those delivered before it in the same response; and
    /// messages delivered for the first time arrive in sequence order.
    fn check_received(&mut self, q: usize, got: &[Message]) -> Result<(), TestCaseError> {
        let ids: HashSet<&str> = got.iter().map(|m| m.message_id.as_str()).collect();
        prop_assert_eq!(ids.len(), got.len(), "one receive hands out a message once");
        for m in got {
            prop_assert!(self.find(q, &m.message_id).is_some(), "a delivered message is in the queue");
        }
        if q < FIFO {
            return Ok(());
        }
        let stored: HashMap<String, (u64, String)> = self
            .queue(q)
            .messages()
            .map(|m| (m.id.to_string(), (m.number, m.group_id.as_deref().unwrap_or_default().to_string())))
            .collect();
        for (i, m) in got.iter().enumerate() {
            let (number, group) = &stored[m.message_id.as_str()];
            prop_assert_eq!(attr(m, "MessageGroupId"), group.as_str());
            let earlier_in_response: HashSet<&str> = got[..i].iter().map(|m| m.message_id.as_str()).collect();
            for (other_id, (other_number, other_group)) in &stored {
                if other_group == group && other_number < number {
                    prop_assert!(
                        earlier_in_response.contains(other_id.as_str()),
                        "{} delivered while the older {} of group {} is still queued",
                        m.body,
                        other_id,
                        group
                    );
                }
            }
            if self.delivered.insert((q, m.message_id)) {
                let seq: u128 = attr(m, "SequenceNumber").parse().unwrap();
                let last = self.first_delivery_seq.entry((q, group.clone())).or_insert(0);
                prop_assert!(seq > *last, "first deliveries of group {} out of order", group);
                *last = seq;
            }
        }
        Ok(())
    }

    /// Tallies the events since the last call.
    fn absorb_events(&mut self) -> Result<(), TestCaseError> {
        prop_assert_eq!(self.engine.events().dropped(), 0);
        for logged in self.engine.drain_events() {
            match logged.event {
                Event::MessageSent { queue, .. } | Event::MessageDuplicated { queue, .. } => {
                    self.tally.entry(queue.to_string()).or_default().sent += 1
                }
                Event::MessageDeleted { queue, .. } => self.tally.entry(queue.to_string()).or_default().deleted += 1,
                Event::MessageExpired { queue, .. } => self.tally.entry(queue.to_string()).or_default().expired += 1,
                Event::QueuePurged { queue, messages } => {
                    self.tally.entry(queue.to_string()).or_default().purged += messages as u64
                }
                Event::MessageDeduplicated { queue, .. } => {
                    self.tally.entry(queue.to_string()).or_default().deduplicated += 1
                }
                Event::MovedToDeadLetterQueue { queue, dead_letter_queue, .. } => {
                    self.tally.entry(queue.to_string()).or_default().moved_out += 1;
                    self.tally.entry(dead_letter_queue.to_string()).or_default().moved_in += 1;
                }
                Event::MessageRedriven { source, destination, .. } => {
                    self.tally.entry(source.to_string()).or_default().moved_out += 1;
                    self.tally.entry(destination.to_string()).or_default().moved_in += 1;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Deadlines the engine should hold right now.
    fn expected_deadlines(&self) -> usize {
        let now = self.now().as_millis();
        let messages: usize =
            (0..4).map(|q| self.queue(q).messages().map(|m| if m.is_visible() { 1 } else { 2 }).sum::<usize>()).sum();
        let dedup = self.dedup.values().filter(|(at, _)| now < at.as_millis() + DEDUP_WINDOW_MS).count();
        let purges = self.purged_at.iter().flatten().filter(|t| now < t.as_millis() + PURGE_COOL_DOWN_MS).count();
        messages + dedup + purges
    }

    fn check_invariants(&mut self) -> Result<(), TestCaseError> {
        self.absorb_events()?;
        let mut total_held = 0u64;
        let mut all_ids = HashSet::new();
        for (q, name) in NAMES.iter().enumerate() {
            let queue = self.queue(q);
            let (mut visible, mut in_flight, mut delayed) = (0, 0, 0);
            for m in queue.messages() {
                prop_assert!(all_ids.insert(m.id), "message {} stored twice", m.id);
                match *m.state {
                    MessageState::Visible => visible += 1,
                    MessageState::InFlight { until, .. } => {
                        in_flight += 1;
                        prop_assert!(until > self.now(), "in flight only until a time still to come");
                    }
                    MessageState::Delayed { until, .. } => {
                        delayed += 1;
                        prop_assert!(until > self.now(), "delayed only until a time still to come");
                    }
                }
                prop_assert!(q < FIFO || m.group_id.is_some());
                prop_assert!(m.receive_count <= MAX_RECEIVES || q == STD_DLQ || q == FIFO_DLQ);
            }
            prop_assert_eq!(
                (queue.visible_count(), queue.in_flight_count(), queue.delayed_count()),
                (visible, in_flight, delayed),
                "counters of {}",
                name
            );
            prop_assert_eq!(queue.len(), visible + in_flight + delayed);
            let len = queue.len() as u64;
            total_held += len;
            let attributes = self
                .engine
                .sqs()
                .get_queue_attributes(GetQueueAttributes {
                    queue_url: self.urls[q].clone(),
                    attribute_names: vec!["All".into()],
                })
                .unwrap()
                .attributes;
            prop_assert_eq!(&attributes["ApproximateNumberOfMessages"], &visible.to_string());
            prop_assert_eq!(&attributes["ApproximateNumberOfMessagesNotVisible"], &in_flight.to_string());
            prop_assert_eq!(&attributes["ApproximateNumberOfMessagesDelayed"], &delayed.to_string());
            // No message lost: what came in equals what went out plus what is held.
            let t = self.tally.get(*name).copied().unwrap_or_default();
            prop_assert_eq!(
                t.sent + t.moved_in,
                t.deleted + t.expired + t.purged + t.moved_out + len,
                "conservation in {}: {:?}, holding {}",
                name,
                t,
                len
            );
        }
        let sent: u64 = self.tally.values().map(|t| t.sent).sum();
        let gone: u64 = self.tally.values().map(|t| t.deleted + t.expired + t.purged).sum();
        prop_assert_eq!(sent, self.accepted_sends, "every accepted send was stored once");
        prop_assert_eq!(sent, gone + total_held);
        prop_assert_eq!(self.engine.pending_deadlines(), self.expected_deadlines(), "deadline index");
        Ok(())
    }

    /// Receives and deletes everything, then lets every window lapse.
    fn wind_down(&mut self) -> Result<(), TestCaseError> {
        self.engine.advance_by(secs(130));
        self.check_invariants()?;
        for _round in 0..1000 {
            let mut any = false;
            for q in 0..4 {
                loop {
                    let got = ready(self.engine.sqs().receive_message(ReceiveMessage {
                        visibility_timeout: Some(600),
                        ..receive_req(&self.urls[q], 10)
                    }));
                    if got.is_empty() {
                        break;
                    }
                    any = true;
                    self.check_received(q, &got)?;
                    let entries = got
                        .iter()
                        .enumerate()
                        .map(|(i, m)| DeleteMessageBatchEntry {
                            id: format!("d{i}"),
                            receipt_handle: m.receipt_handle.clone(),
                        })
                        .collect();
                    let r = self
                        .engine
                        .sqs()
                        .delete_message_batch(DeleteMessageBatch { queue_url: self.urls[q].clone(), entries })
                        .unwrap();
                    prop_assert!(r.failed.is_empty(), "{:?}", r.failed);
                    // Stay under the FIFO quota of 300 calls per second.
                    self.engine.advance_by(millis(10));
                }
            }
            if !any {
                break;
            }
        }
        self.check_invariants()?;
        for (q, name) in NAMES.iter().enumerate() {
            prop_assert_eq!(self.queue(q).len(), 0, "{} drained", name);
        }
        // Only deduplication ids and purge cool-downs may still be pending.
        prop_assert_eq!(self.engine.pending_deadlines(), self.expected_deadlines());
        self.engine.advance_by(secs(301));
        prop_assert_eq!(self.engine.pending_deadlines(), 0, "{:?}", self.engine.peek_deadline());
        self.check_invariants()
    }
}

fn run(seed: u64, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut world = World::new(seed);
    world.check_invariants()?;
    for op in ops {
        world.apply(op)?;
        world.check_invariants()?;
    }
    world.wind_down()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_under_random_operations(seed in 0u64..4, ops in prop::collection::vec(op(), 1..120)) {
        run(seed, &ops)?;
    }
}

/// A fixed long run, so that a regression shows up without shrinking.
#[test]
fn a_long_fixed_sequence_keeps_the_invariants() {
    let mut ops = Vec::new();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |bound: u64| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng % bound
    };
    for _ in 0..3000 {
        let op = match next(8) {
            0 => Op::SendStd { delay: Some(next(5) as i64) },
            1 => Op::SendStdBatch { n: 1 + next(10) as usize },
            2 | 3 => Op::SendFifo { group: next(4) as u8, dedup: next(40) as u8 },
            4 => Op::Receive { queue: next(4) as usize, max: 1 + next(10) as i64, visibility: next(30) as i64 },
            5 => Op::Delete { pick: next(1 << 20) as usize },
            6 => Op::ChangeVisibility { pick: next(1 << 20) as usize, visibility: next(60) as i64 },
            _ => Op::Advance { ms: if next(20) == 0 { 700_000 } else { next(5_000) } },
        };
        ops.push(op);
    }
    run(7, &ops).unwrap();
}
