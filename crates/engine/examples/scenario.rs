//! A learner's first five minutes with SQS, printed as the engine's event log:
//! a queue with a dead-letter queue, a message that is received but never
//! deleted, the visibility timeout running out, and the message landing in the
//! DLQ after its third receive. Run with `cargo run -p decouple-engine --example scenario`.

use decouple_engine::sqs::{CreateQueue, GetQueueAttributes, Receive, ReceiveMessage, SendMessage};
use decouple_engine::{Engine, EngineConfig, SimDuration};

fn main() {
    let mut engine = Engine::new(EngineConfig { seed: 42, ..EngineConfig::default() });
    let start = engine.now();
    let dlq_url = engine
        .sqs()
        .create_queue(CreateQueue { queue_name: "orders-dlq".into(), ..Default::default() })
        .unwrap()
        .queue_url;
    let dlq_arn = engine
        .sqs()
        .get_queue_attributes(GetQueueAttributes {
            queue_url: dlq_url.clone(),
            attribute_names: vec!["QueueArn".into()],
        })
        .unwrap()
        .attributes["QueueArn"]
        .clone();
    let mut attributes = std::collections::BTreeMap::new();
    attributes.insert("VisibilityTimeout".to_string(), "30".to_string());
    attributes.insert(
        "RedrivePolicy".to_string(),
        format!("{{\"deadLetterTargetArn\":\"{dlq_arn}\",\"maxReceiveCount\":\"3\"}}"),
    );
    let url = engine
        .sqs()
        .create_queue(CreateQueue { queue_name: "orders".into(), attributes, ..Default::default() })
        .unwrap()
        .queue_url;

    let sent = engine
        .sqs()
        .send_message(SendMessage {
            queue_url: url.clone(),
            message_body: "{\"order\": 1}".into(),
            ..Default::default()
        })
        .unwrap();
    println!("sent {} (MD5 {})", sent.message_id, sent.md5_of_message_body);

    // A consumer that crashes: it receives the message and never deletes it.
    for attempt in 1..=4 {
        let receive = ReceiveMessage { queue_url: url.clone(), wait_time_seconds: Some(0), ..Default::default() };
        match engine.sqs().receive_message(receive).unwrap() {
            Receive::Ready(r) => println!("receive #{attempt}: {} message(s)", r.messages.len()),
            Receive::Pending(_) => unreachable!("short polls answer at once"),
        }
        if let Some((at, deadline)) = engine.peek_deadline() {
            println!("  next: +{} {}", at.saturating_sub(start), engine.describe_deadline(deadline));
        }
        engine.advance_by(SimDuration::from_secs(31));
    }
    let dlq = engine.sqs_state().queue_by_name("orders-dlq").unwrap();
    println!("DLQ {dlq_url} now holds {} message(s)\n\nevent log:", dlq.len());
    for event in engine.drain_events() {
        println!("  +{:>8} {:?}", event.at.saturating_sub(start).to_string(), event.event);
    }
}
