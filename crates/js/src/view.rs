//! Read-only views of the engine for UIs: a snapshot of every queue and its
//! messages, and the event log, as plain JS objects (serde-wasm-bindgen).
//!
//! Times and counters are JS numbers (epoch milliseconds); 64-bit values a
//! number cannot hold exactly (FIFO sequence numbers) are strings, as AWS
//! sends them.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use decouple_engine::sqs::{DeduplicationScope, FifoThroughputLimit, MessageRef, MessageState, Queue};
use decouple_engine::{Engine, Event, LoggedEvent};
use serde::Serialize;
use wasm_bindgen::prelude::*;

pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, JsError> {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| JsError::new(&e.to_string()))
}

#[derive(Serialize)]
pub(crate) struct DeadlineView {
    pub at: f64,
    pub description: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Snapshot {
    now: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_deadline: Option<f64>,
    pending_deadlines: usize,
    queues: Vec<QueueView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct QueueView {
    name: String,
    url: String,
    arn: String,
    fifo: bool,
    created_at: f64,
    /// ApproximateNumberOfMessages, ...NotVisible, ...Delayed.
    visible: usize,
    in_flight: usize,
    delayed: usize,
    waiting_polls: usize,
    settings: Settings,
    stats: Stats,
    messages: Vec<MessageView>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Settings {
    visibility_timeout: u32,
    delay_seconds: u32,
    receive_message_wait_time_seconds: u32,
    message_retention_period: u32,
    maximum_message_size: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    dead_letter_target_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_receive_count: Option<u32>,
    content_based_deduplication: bool,
    deduplication_scope: &'static str,
    fifo_throughput_limit: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Stats {
    sent: f64,
    received: f64,
    deleted: f64,
    empty_receives: f64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MessageView {
    number: f64,
    message_id: String,
    body: String,
    /// `visible`, `inFlight` or `delayed`.
    state: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    visible_at: Option<f64>,
    receive_count: u32,
    sent_at: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    group_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    deduplication_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    sequence_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dead_letter_source_arn: Option<String>,
}

pub(crate) fn snapshot(engine: &Engine) -> Snapshot {
    let state = engine.sqs_state();
    Snapshot {
        now: engine.now().as_millis() as f64,
        next_deadline: engine.next_deadline().map(|t| t.as_millis() as f64),
        pending_deadlines: engine.pending_deadlines(),
        queues: state.queues().map(|q| queue(q, state.waiting_polls(q.id).count())).collect(),
    }
}

fn queue(q: &Queue, waiting_polls: usize) -> QueueView {
    let c = &q.config;
    QueueView {
        name: q.name.to_string(),
        url: q.url.clone(),
        arn: q.arn.clone(),
        fifo: q.fifo,
        created_at: q.created_at.as_millis() as f64,
        visible: q.visible_count(),
        in_flight: q.in_flight_count(),
        delayed: q.delayed_count(),
        waiting_polls,
        settings: Settings {
            visibility_timeout: c.visibility_timeout,
            delay_seconds: c.delay_seconds,
            receive_message_wait_time_seconds: c.receive_message_wait_time_seconds,
            message_retention_period: c.message_retention_period,
            maximum_message_size: c.maximum_message_size,
            dead_letter_target_arn: c.redrive_policy.as_ref().map(|p| p.dead_letter_target_arn.clone()),
            max_receive_count: c.redrive_policy.as_ref().map(|p| p.max_receive_count),
            content_based_deduplication: c.content_based_deduplication,
            deduplication_scope: match c.deduplication_scope {
                DeduplicationScope::Queue => "queue",
                DeduplicationScope::MessageGroup => "messageGroup",
            },
            fifo_throughput_limit: match c.fifo_throughput_limit {
                FifoThroughputLimit::PerQueue => "perQueue",
                FifoThroughputLimit::PerMessageGroupId => "perMessageGroupId",
            },
        },
        stats: Stats {
            sent: q.stats.sent as f64,
            received: q.stats.received as f64,
            deleted: q.stats.deleted as f64,
            empty_receives: q.stats.empty_receives as f64,
        },
        messages: q.messages().map(message).collect(),
    }
}

fn message(m: MessageRef<'_>) -> MessageView {
    MessageView {
        number: m.number as f64,
        message_id: m.id.to_string(),
        body: m.body.clone(),
        state: match m.state {
            MessageState::Visible => "visible",
            MessageState::InFlight { .. } => "inFlight",
            MessageState::Delayed { .. } => "delayed",
        },
        visible_at: m.visible_at().map(|t| t.as_millis() as f64),
        receive_count: m.receive_count,
        sent_at: m.sent_at.as_millis() as f64,
        group_id: m.group_id.as_ref().map(|g| g.to_string()),
        deduplication_id: m.deduplication_id.clone(),
        sequence_number: m.sequence_number.map(|n| n.to_string()),
        dead_letter_source_arn: m.dead_letter_source_arn.clone(),
    }
}

/// One event: `{at, type, ...}` with the event's own fields in camelCase.
#[derive(Serialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EventView {
    at: f64,
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    queue: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    number: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    visible_at: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    receive_count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fifo: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    messages: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    copy_of: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    destination: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    new_number: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    action: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ticket: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    topic: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    protocol: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pending: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stream: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shard: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    shards: Option<Vec<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    app: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    worker: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    previous_owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    stolen: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    checkpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    producer: Option<String>,
    /// The event as the engine's log prints it, for a plain-text view.
    text: String,
}

pub(crate) fn event(logged: &LoggedEvent) -> EventView {
    let n = |v: u64| Some(v as f64);
    let s = |v: &str| Some(v.to_string());
    let mut e =
        EventView { at: logged.at.as_millis() as f64, text: format!("{:?}", logged.event), ..Default::default() };
    match &logged.event {
        Event::QueueCreated { queue, fifo } => {
            (e.kind, e.queue, e.fifo) = ("QueueCreated", s(queue), Some(*fifo));
        }
        Event::QueueDeleted { queue } => (e.kind, e.queue) = ("QueueDeleted", s(queue)),
        Event::QueueAttributesChanged { queue } => (e.kind, e.queue) = ("QueueAttributesChanged", s(queue)),
        Event::QueuePurged { queue, messages } => {
            (e.kind, e.queue, e.messages) = ("QueuePurged", s(queue), n(*messages as u64));
        }
        Event::MessageSent { queue, number, message_id, visible_at } => {
            (e.kind, e.queue, e.number) = ("MessageSent", s(queue), n(*number));
            (e.message_id, e.visible_at) = (Some(message_id.to_string()), n(visible_at.as_millis()));
        }
        Event::MessageDeduplicated { queue, message_id } => {
            (e.kind, e.queue, e.message_id) = ("MessageDeduplicated", s(queue), Some(message_id.to_string()));
        }
        Event::MessageDuplicated { queue, number, copy_of, message_id } => {
            (e.kind, e.queue, e.number) = ("MessageDuplicated", s(queue), n(*number));
            (e.copy_of, e.message_id) = (n(*copy_of), Some(message_id.to_string()));
        }
        Event::DelayEnded { queue, number } => (e.kind, e.queue, e.number) = ("DelayEnded", s(queue), n(*number)),
        Event::MessageReceived { queue, number, receive_count, visible_at } => {
            (e.kind, e.queue, e.number) = ("MessageReceived", s(queue), n(*number));
            (e.receive_count, e.visible_at) = (Some(*receive_count), n(visible_at.as_millis()));
        }
        Event::VisibilityChanged { queue, number, visible_at } => {
            (e.kind, e.queue, e.number, e.visible_at) =
                ("VisibilityChanged", s(queue), n(*number), n(visible_at.as_millis()));
        }
        Event::VisibilityExpired { queue, number } => {
            (e.kind, e.queue, e.number) = ("VisibilityExpired", s(queue), n(*number));
        }
        Event::MessageDeleted { queue, number } => {
            (e.kind, e.queue, e.number) = ("MessageDeleted", s(queue), n(*number));
        }
        Event::MovedToDeadLetterQueue { queue, number, dead_letter_queue, new_number } => {
            (e.kind, e.queue, e.number) = ("MovedToDeadLetterQueue", s(queue), n(*number));
            (e.destination, e.new_number) = (s(dead_letter_queue), n(*new_number));
        }
        Event::MessageExpired { queue, number } => {
            (e.kind, e.queue, e.number) = ("MessageExpired", s(queue), n(*number));
        }
        Event::Throttled { queue, action } => (e.kind, e.queue, e.action) = ("Throttled", s(queue), Some(*action)),
        Event::LongPollWaiting { queue, ticket } => {
            (e.kind, e.queue, e.ticket) = ("LongPollWaiting", s(queue), n(*ticket));
        }
        Event::LongPollCompleted { queue, ticket, messages } => {
            (e.kind, e.queue, e.ticket, e.messages) = ("LongPollCompleted", s(queue), n(*ticket), n(*messages as u64));
        }
        Event::MoveTaskStarted { source, to_move } => {
            (e.kind, e.queue, e.messages) = ("MoveTaskStarted", s(source), n(*to_move));
        }
        Event::MessageRedriven { source, number, destination, new_number } => {
            (e.kind, e.queue, e.number) = ("MessageRedriven", s(source), n(*number));
            (e.destination, e.new_number) = (s(destination), n(*new_number));
        }
        Event::MoveTaskFinished { source, moved, status } => {
            (e.kind, e.queue, e.messages, e.status) = ("MoveTaskFinished", s(source), n(*moved), Some(*status));
        }
        Event::TopicCreated { topic, fifo } => (e.kind, e.topic, e.fifo) = ("TopicCreated", s(topic), Some(*fifo)),
        Event::TopicDeleted { topic } => (e.kind, e.topic) = ("TopicDeleted", s(topic)),
        Event::Subscribed { topic, protocol, endpoint, pending } => {
            (e.kind, e.topic, e.protocol) = ("Subscribed", s(topic), Some(*protocol));
            (e.endpoint, e.pending) = (s(endpoint), Some(*pending));
        }
        Event::Unsubscribed { topic, endpoint } => {
            (e.kind, e.topic, e.endpoint) = ("Unsubscribed", s(topic), s(endpoint))
        }
        Event::Published { topic, message_id } => {
            (e.kind, e.topic, e.message_id) = ("Published", s(topic), Some(message_id.to_string()));
        }
        Event::NotificationDelivered { topic, protocol, endpoint } => {
            (e.kind, e.topic, e.protocol, e.endpoint) =
                ("NotificationDelivered", s(topic), Some(*protocol), s(endpoint));
        }
        Event::NotificationFilteredOut { topic, endpoint } => {
            (e.kind, e.topic, e.endpoint) = ("NotificationFilteredOut", s(topic), s(endpoint));
        }
        Event::NotificationFailed { topic, endpoint, reason } => {
            (e.kind, e.topic, e.endpoint, e.reason) = ("NotificationFailed", s(topic), s(endpoint), s(reason));
        }
        Event::NotificationTimedOut { topic, endpoint } => {
            (e.kind, e.topic, e.endpoint) = ("NotificationTimedOut", s(topic), s(endpoint));
        }
        Event::NotificationRetrying { topic, endpoint, retry, at } => {
            (e.kind, e.topic, e.endpoint) = ("NotificationRetrying", s(topic), s(endpoint));
            (e.receive_count, e.visible_at) = (Some(*retry), n(at.as_millis()));
        }
        Event::StreamCreated { stream, shards } => {
            (e.kind, e.stream, e.messages) = ("StreamCreated", s(stream), n(u64::from(*shards)));
        }
        Event::StreamActive { stream } => (e.kind, e.stream) = ("StreamActive", s(stream)),
        Event::StreamDeleted { stream } => (e.kind, e.stream) = ("StreamDeleted", s(stream)),
        Event::RecordPut { stream, shard, index } => {
            (e.kind, e.stream, e.shard, e.number) = ("RecordPut", s(stream), Some(*shard), n(*index));
        }
        Event::RecordsRead { stream, shard, from_index, count } => {
            (e.kind, e.stream, e.shard) = ("RecordsRead", s(stream), Some(*shard));
            (e.number, e.messages) = (n(*from_index), n(u64::from(*count)));
        }
        Event::WriteThrottled { stream, shard } => {
            (e.kind, e.stream, e.shard) = ("WriteThrottled", s(stream), Some(*shard));
        }
        Event::ReadThrottled { stream, shard } => {
            (e.kind, e.stream, e.shard) = ("ReadThrottled", s(stream), Some(*shard));
        }
        Event::RecordsExpired { stream, shard, count } => {
            (e.kind, e.stream, e.shard, e.messages) = ("RecordsExpired", s(stream), Some(*shard), n(u64::from(*count)));
        }
        Event::ShardSplit { stream, parent, children } => {
            (e.kind, e.stream, e.shard, e.shards) = ("ShardSplit", s(stream), Some(*parent), Some(children.to_vec()));
        }
        Event::ShardsMerged { stream, parents, child } => {
            (e.kind, e.stream, e.shard, e.shards) = ("ShardsMerged", s(stream), Some(*child), Some(parents.to_vec()));
        }
        Event::ConsumerActive { stream, consumer } => {
            (e.kind, e.stream, e.endpoint) = ("ConsumerActive", s(stream), s(consumer));
        }
        Event::ShardSubscribed { stream, shard, consumer } => {
            (e.kind, e.stream, e.shard, e.endpoint) = ("ShardSubscribed", s(stream), Some(*shard), s(consumer));
        }
        Event::RecordsPushed { stream, shard, count } => {
            (e.kind, e.stream, e.shard, e.messages) = ("RecordsPushed", s(stream), Some(*shard), n(u64::from(*count)));
        }
        Event::SubscriptionEnded { stream, shard, reason } => {
            (e.kind, e.stream, e.shard, e.reason) = ("SubscriptionEnded", s(stream), Some(*shard), s(reason));
        }
        Event::LeaseCreated { app, shard } => (e.kind, e.app, e.shard) = ("LeaseCreated", s(app), Some(*shard)),
        Event::LeaseDeleted { app, shard } => (e.kind, e.app, e.shard) = ("LeaseDeleted", s(app), Some(*shard)),
        Event::LeaseTaken { app, shard, worker, previous_owner, stolen } => {
            (e.kind, e.app, e.shard, e.worker) = ("LeaseTaken", s(app), Some(*shard), s(worker));
            (e.previous_owner, e.stolen) = (previous_owner.as_deref().and_then(s), Some(*stolen));
        }
        Event::LeaseExpired { app, shard, owner } => {
            (e.kind, e.app, e.shard, e.worker) = ("LeaseExpired", s(app), Some(*shard), s(owner));
        }
        Event::LeaseLost { app, shard, worker } => {
            (e.kind, e.app, e.shard, e.worker) = ("LeaseLost", s(app), Some(*shard), s(worker));
        }
        Event::RecordsProcessed { app, shard, worker, from_index, count } => {
            (e.kind, e.app, e.shard, e.worker) = ("RecordsProcessed", s(app), Some(*shard), s(worker));
            (e.number, e.messages) = (n(*from_index), n(u64::from(*count)));
        }
        Event::Checkpointed { app, shard, worker, checkpoint } => {
            (e.kind, e.app, e.shard, e.worker) = ("Checkpointed", s(app), Some(*shard), s(worker));
            e.checkpoint = s(checkpoint);
        }
        Event::ShardEnded { app, shard, worker, children } => {
            (e.kind, e.app, e.shard, e.worker) = ("ShardEnded", s(app), Some(*shard), s(worker));
            e.shards = Some(children.clone());
        }
        Event::KclWorkerChanged { app, worker, status } => {
            (e.kind, e.app, e.worker, e.status) = ("KclWorkerChanged", s(app), s(worker), Some(*status));
        }
        Event::ProducerBackoff { producer, records, attempt, retry_at } => {
            (e.kind, e.producer, e.messages) = ("ProducerBackoff", s(producer), n(u64::from(*records)));
            (e.receive_count, e.visible_at) = (Some(*attempt), n(retry_at.as_millis()));
        }
        Event::ProducerGaveUp { producer, records } => {
            (e.kind, e.producer, e.messages) = ("ProducerGaveUp", s(producer), n(u64::from(*records)));
        }
        // Firehose reuses the generic fields: `stream` is the delivery stream,
        // `messages` a record count, `destination` the bucket, `endpoint` the
        // object key, `number` a byte count.
        Event::DeliveryStreamCreated { stream, source } => {
            (e.kind, e.stream, e.status) = ("DeliveryStreamCreated", s(stream), Some(*source));
        }
        Event::DeliveryStreamActive { stream } => (e.kind, e.stream) = ("DeliveryStreamActive", s(stream)),
        Event::DeliveryStreamDeleted { stream } => (e.kind, e.stream) = ("DeliveryStreamDeleted", s(stream)),
        Event::FirehoseRecordsBuffered { stream, records, buffered_bytes } => {
            (e.kind, e.stream, e.messages) = ("FirehoseRecordsBuffered", s(stream), n(u64::from(*records)));
            e.number = n(*buffered_bytes);
        }
        Event::FirehoseRecordsTransformed { stream, ok, dropped, processing_failed } => {
            (e.kind, e.stream, e.messages) = ("FirehoseRecordsTransformed", s(stream), n(u64::from(*ok)));
            (e.copy_of, e.new_number) = (n(u64::from(*dropped)), n(u64::from(*processing_failed)));
        }
        Event::FirehoseBufferFlushed { stream, bucket, key, records, bytes } => {
            (e.kind, e.stream, e.messages) = ("FirehoseBufferFlushed", s(stream), n(u64::from(*records)));
            (e.destination, e.endpoint, e.number) = (s(bucket), s(key), n(*bytes));
        }
        Event::FirehoseDestinationLoaded { stream, destination, target, records } => {
            (e.kind, e.stream, e.messages) = ("FirehoseDestinationLoaded", s(stream), n(u64::from(*records)));
            (e.protocol, e.destination) = (Some(*destination), s(target));
        }
        Event::FirehoseDeliveryFailed { stream, bucket, records, reason } => {
            (e.kind, e.stream, e.messages) = ("FirehoseDeliveryFailed", s(stream), n(u64::from(*records)));
            (e.destination, e.reason) = (s(bucket), s(reason));
        }
        // Analytics: `app` is the application, `stream` the in-application
        // stream, `messages` a row count, `number`/`visible_at` the window's
        // start/end in epoch milliseconds.
        Event::AnalyticsApplicationChanged { app, status } => {
            (e.kind, e.app, e.status) = ("AnalyticsApplicationChanged", s(app), Some(*status));
        }
        Event::AnalyticsRowsEmitted { app, stream, rows, window_start, window_end } => {
            (e.kind, e.app, e.stream) = ("AnalyticsRowsEmitted", s(app), s(stream));
            e.messages = n(u64::from(*rows));
            (e.number, e.visible_at) =
                (window_start.and_then(|t| n(t.as_millis())), window_end.and_then(|t| n(t.as_millis())));
        }
        Event::AnalyticsRecordRejected { app, shard, reason } => {
            (e.kind, e.app, e.shard, e.reason) = ("AnalyticsRecordRejected", s(app), Some(*shard), s(reason));
        }
    }
    e
}
