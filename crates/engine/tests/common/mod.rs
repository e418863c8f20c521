//! Helpers shared by the engine's integration tests: build an engine, create
//! queues, send, receive (short polls only), delete, and render the event log.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fmt::Write as _;

use decouple_engine::sqs::{
    Attributes, CreateQueue, DeleteMessage, Message, MessageAttributeValue, Receive, ReceiveMessage,
    ReceiveMessageResult, SendMessage, SendMessageResult, SqsError, SqsErrorCode,
};
use decouple_engine::{Engine, EngineConfig, SimDuration, SimTime};

pub const ACCOUNT: &str = "000000000000";
pub const REGION: &str = "us-east-1";

/// A reproducible engine (seed 1, default start time, realism off).
pub fn engine() -> Engine {
    engine_with_seed(1)
}

pub fn engine_with_seed(seed: u64) -> Engine {
    Engine::new(EngineConfig { seed, ..EngineConfig::default() })
}

pub fn secs(s: u64) -> SimDuration {
    SimDuration::from_secs(s)
}

pub fn millis(ms: u64) -> SimDuration {
    SimDuration::from_millis(ms)
}

pub fn url(name: &str) -> String {
    format!("https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}")
}

pub fn arn(name: &str) -> String {
    format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}")
}

pub fn attrs(pairs: &[(&str, &str)]) -> Attributes {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

pub fn redrive(dlq: &str, max_receive_count: u32) -> String {
    format!("{{\"deadLetterTargetArn\":\"{}\",\"maxReceiveCount\":{max_receive_count}}}", arn(dlq))
}

/// Creates a queue (FIFO when the name ends in `.fifo`) with the given attributes; returns its URL.
pub fn create(engine: &mut Engine, name: &str, pairs: &[(&str, &str)]) -> String {
    let mut attributes = attrs(pairs);
    if name.ends_with(".fifo") {
        attributes.entry("FifoQueue".into()).or_insert_with(|| "true".into());
    }
    let result = engine
        .sqs()
        .create_queue(CreateQueue { queue_name: name.into(), attributes, tags: BTreeMap::new() })
        .unwrap_or_else(|e| panic!("create_queue {name}: {e}"));
    assert_eq!(result.queue_url, url(name));
    result.queue_url
}

pub fn try_create(engine: &mut Engine, name: &str, pairs: &[(&str, &str)]) -> Result<String, SqsError> {
    engine
        .sqs()
        .create_queue(CreateQueue { queue_name: name.into(), attributes: attrs(pairs), tags: BTreeMap::new() })
        .map(|r| r.queue_url)
}

pub fn send_req(url: &str, body: &str) -> SendMessage {
    SendMessage { queue_url: url.into(), message_body: body.into(), ..Default::default() }
}

pub fn send(engine: &mut Engine, url: &str, body: &str) -> SendMessageResult {
    engine.sqs().send_message(send_req(url, body)).unwrap_or_else(|e| panic!("send_message: {e}"))
}

pub fn fifo_req(url: &str, body: &str, group: &str, dedup: Option<&str>) -> SendMessage {
    SendMessage {
        queue_url: url.into(),
        message_body: body.into(),
        message_group_id: Some(group.into()),
        message_deduplication_id: dedup.map(Into::into),
        ..Default::default()
    }
}

/// Sends to a FIFO queue with an explicit deduplication id (the body, unless given).
pub fn send_fifo(engine: &mut Engine, url: &str, body: &str, group: &str) -> SendMessageResult {
    engine.sqs().send_message(fifo_req(url, body, group, Some(body))).unwrap_or_else(|e| panic!("send fifo: {e}"))
}

pub fn receive_req(url: &str, max: i64) -> ReceiveMessage {
    ReceiveMessage {
        queue_url: url.into(),
        max_number_of_messages: Some(max),
        wait_time_seconds: Some(0),
        message_system_attribute_names: vec!["All".into()],
        message_attribute_names: vec!["All".into()],
        ..Default::default()
    }
}

/// Unwraps a receive that must answer at once.
pub fn ready(receive: Result<Receive, SqsError>) -> Vec<Message> {
    match receive {
        Ok(Receive::Ready(ReceiveMessageResult { messages })) => messages,
        Ok(Receive::Pending(ticket)) => panic!("expected an immediate answer, got long poll {ticket:?}"),
        Err(e) => panic!("receive_message: {e}"),
    }
}

/// A short poll for up to `max` messages, asking for all attributes.
pub fn receive(engine: &mut Engine, url: &str, max: i64) -> Vec<Message> {
    ready(engine.sqs().receive_message(receive_req(url, max)))
}

pub fn receive_vt(engine: &mut Engine, url: &str, max: i64, visibility_timeout: i64) -> Vec<Message> {
    let req = ReceiveMessage { visibility_timeout: Some(visibility_timeout), ..receive_req(url, max) };
    ready(engine.sqs().receive_message(req))
}

pub fn delete(engine: &mut Engine, url: &str, handle: &str) -> Result<(), SqsError> {
    engine.sqs().delete_message(DeleteMessage { queue_url: url.into(), receipt_handle: handle.into() })
}

pub fn bodies(messages: &[Message]) -> Vec<&str> {
    messages.iter().map(|m| m.body.as_str()).collect()
}

pub fn attr<'m>(message: &'m Message, name: &str) -> &'m str {
    message.attributes.get(name).unwrap_or_else(|| panic!("message lacks attribute {name}")).as_str()
}

pub fn string_attr(value: &str) -> MessageAttributeValue {
    MessageAttributeValue::string(value)
}

/// Asserts an error's code and exact message.
#[track_caller]
pub fn assert_err<T: std::fmt::Debug>(result: Result<T, SqsError>, code: SqsErrorCode, message: &str) {
    match result {
        Ok(v) => panic!("expected {code:?} ({message}), got Ok({v:?})"),
        Err(e) => {
            assert_eq!(e.code, code, "code of {e}");
            assert_eq!(e.message, message, "message of {e:?}");
        }
    }
}

/// (visible, in flight, delayed) of a queue.
pub fn counts(engine: &Engine, name: &str) -> (usize, usize, usize) {
    let q = engine.sqs_state().queue_by_name(name).unwrap_or_else(|| panic!("no queue {name}"));
    (q.visible_count(), q.in_flight_count(), q.delayed_count())
}

/// Renders the events recorded since the last drain, one per line, with
/// times relative to `start`, for snapshots.
pub fn event_log(engine: &mut Engine, start: SimTime) -> String {
    let mut out = String::new();
    for e in engine.drain_events() {
        writeln!(out, "+{} {:?}", e.at.saturating_sub(start), e.event).unwrap();
    }
    out
}
