//! Scenarios a learner would run, checked through the engine's event log
//! (snapshots), all in virtual time. Plus determinism: the same seed and calls
//! give the same responses and log; another seed gives other ids.

mod common;

use std::fmt::Write as _;

use common::*;
use decouple_engine::sqs::*;
use decouple_engine::{Engine, EngineConfig, Realism, SimTime};
use expect_test::expect;

/// The next scheduled thing, as the UI's "what happens next" line shows it.
fn next_up(e: &Engine, start: SimTime) -> String {
    match e.peek_deadline() {
        Some((at, d)) => format!("next: +{} {}", at.saturating_sub(start), e.describe_deadline(d)),
        None => "next: nothing scheduled".into(),
    }
}

#[test]
fn crashing_consumer_ends_in_the_dead_letter_queue() {
    let mut e = engine_with_seed(42);
    let start = e.now();
    create(&mut e, "orders-dlq", &[]);
    let u = create(&mut e, "orders", &[("VisibilityTimeout", "30"), ("RedrivePolicy", &redrive("orders-dlq", 3))]);
    send(&mut e, &u, "{\"order\": 1}");
    let mut narration = String::new();
    for attempt in 1..=4 {
        let got = receive(&mut e, &u, 1);
        writeln!(narration, "receive #{attempt}: {} message(s); {}", got.len(), next_up(&e, start)).unwrap();
        e.advance_by(secs(31));
    }
    expect![[r#"
        receive #1: 1 message(s); next: +30.000s orders: msg 1 becomes visible again (visibility timeout ends)
        receive #2: 1 message(s); next: +1m01.000s orders: msg 1 becomes visible again (visibility timeout ends)
        receive #3: 1 message(s); next: +1m32.000s orders: msg 1 becomes visible again (visibility timeout ends)
        receive #4: 0 message(s); next: +96h00m00.000s orders-dlq: msg 1 expires (retention period ends)
    "#]]
    .assert_eq(&narration);
    expect![[r#"
        +0.000s QueueCreated { queue: "orders-dlq", fifo: false }
        +0.000s QueueCreated { queue: "orders", fifo: false }
        +0.000s MessageSent { queue: "orders", number: 1, message_id: d67bf5c2-a9c4-476b-9bb2-b77283532144, visible_at: SimTime(1767225600000) }
        +0.000s MessageReceived { queue: "orders", number: 1, receive_count: 1, visible_at: SimTime(1767225630000) }
        +30.000s VisibilityExpired { queue: "orders", number: 1 }
        +31.000s MessageReceived { queue: "orders", number: 1, receive_count: 2, visible_at: SimTime(1767225661000) }
        +1m01.000s VisibilityExpired { queue: "orders", number: 1 }
        +1m02.000s MessageReceived { queue: "orders", number: 1, receive_count: 3, visible_at: SimTime(1767225692000) }
        +1m32.000s VisibilityExpired { queue: "orders", number: 1 }
        +1m33.000s MovedToDeadLetterQueue { queue: "orders", number: 1, dead_letter_queue: "orders-dlq", new_number: 1 }
    "#]].assert_eq(&event_log(&mut e, start));
}

#[test]
fn long_polls_wait_wake_and_time_out() {
    let mut e = engine_with_seed(7);
    let start = e.now();
    let u = create(&mut e, "jobs", &[("ReceiveMessageWaitTimeSeconds", "20")]);
    let poll =
        |e: &mut Engine| match e.sqs().receive_message(ReceiveMessage { queue_url: url("jobs"), ..Default::default() })
        {
            Ok(Receive::Pending(t)) => t,
            other => panic!("expected a waiting poll, got {other:?}"),
        };
    let first = poll(&mut e);
    let second = poll(&mut e);
    e.advance_by(secs(5));
    send(&mut e, &u, "job 1");
    let mut results = String::new();
    let r = e.sqs().take_poll_result(first).unwrap().unwrap();
    writeln!(results, "poll {} at +5s: {:?}", first.0, bodies(&r.messages)).unwrap();
    delete(&mut e, &u, &r.messages[0].receipt_handle).unwrap();
    writeln!(results, "{}", next_up(&e, start)).unwrap();
    e.advance_by(secs(30));
    let r = e.sqs().take_poll_result(second).unwrap().unwrap();
    writeln!(results, "poll {} at +35s: {:?}", second.0, bodies(&r.messages)).unwrap();
    let third = poll(&mut e);
    writeln!(results, "{}", next_up(&e, start)).unwrap();
    e.advance_by(secs(19));
    assert!(e.sqs().is_waiting(third));
    e.advance_by(secs(1));
    let r = e.sqs().take_poll_result(third).unwrap().unwrap();
    writeln!(results, "poll {} at +55s: {:?}", third.0, bodies(&r.messages)).unwrap();
    expect![[r#"
        poll 0 at +5s: ["job 1"]
        next: +20.000s jobs: long poll #1 returns empty (wait time ends)
        poll 1 at +35s: []
        next: +55.000s jobs: long poll #2 returns empty (wait time ends)
        poll 2 at +55s: []
    "#]]
    .assert_eq(&results);
    expect![[r#"
        +0.000s QueueCreated { queue: "jobs", fifo: false }
        +0.000s LongPollWaiting { queue: "jobs", ticket: 0 }
        +0.000s LongPollWaiting { queue: "jobs", ticket: 1 }
        +5.000s MessageSent { queue: "jobs", number: 1, message_id: d788e74b-dcc9-4afa-aa91-ef68283f2ae3, visible_at: SimTime(1767225605000) }
        +5.000s MessageReceived { queue: "jobs", number: 1, receive_count: 1, visible_at: SimTime(1767225635000) }
        +5.000s LongPollCompleted { queue: "jobs", ticket: 0, messages: 1 }
        +5.000s MessageDeleted { queue: "jobs", number: 1 }
        +20.000s LongPollCompleted { queue: "jobs", ticket: 1, messages: 0 }
        +35.000s LongPollWaiting { queue: "jobs", ticket: 2 }
        +55.000s LongPollCompleted { queue: "jobs", ticket: 2, messages: 0 }
    "#]].assert_eq(&event_log(&mut e, start));
}

#[test]
fn fifo_groups_deduplication_and_order() {
    let mut e = engine_with_seed(3);
    let start = e.now();
    let u = create(&mut e, "payments.fifo", &[("ContentBasedDeduplication", "true")]);
    for (body, group) in [("alice: open", "alice"), ("bob: open", "bob"), ("alice: pay 5", "alice")] {
        e.sqs().send_message(fifo_req(&u, body, group, None)).unwrap();
    }
    e.advance_by(secs(1));
    // A retry of the same content within 5 minutes is accepted and dropped.
    e.sqs().send_message(fifo_req(&u, "alice: pay 5", "alice", None)).unwrap();
    let mut transcript = String::new();
    let first = receive(&mut e, &u, 1);
    writeln!(transcript, "consumer A gets {:?}", bodies(&first)).unwrap();
    let second = receive(&mut e, &u, 10);
    writeln!(transcript, "consumer B gets {:?} (alice is busy)", bodies(&second)).unwrap();
    delete(&mut e, &u, &first[0].receipt_handle).unwrap();
    let third = receive(&mut e, &u, 10);
    writeln!(transcript, "consumer A gets {:?}", bodies(&third)).unwrap();
    expect![[r#"
        consumer A gets ["alice: open"]
        consumer B gets ["bob: open"] (alice is busy)
        consumer A gets ["alice: pay 5"]
    "#]]
    .assert_eq(&transcript);
    expect![[r#"
        +0.000s QueueCreated { queue: "payments.fifo", fifo: true }
        +0.000s MessageSent { queue: "payments.fifo", number: 1, message_id: 4d84fdb5-206b-48ab-aef8-d0d744e72011, visible_at: SimTime(1767225600000) }
        +0.000s MessageSent { queue: "payments.fifo", number: 2, message_id: bd32e3bc-cbf2-45cf-b9dd-a57dc7b10f37, visible_at: SimTime(1767225600000) }
        +0.000s MessageSent { queue: "payments.fifo", number: 3, message_id: 528ebfbe-c773-4b1c-aef1-ad2e1df724d1, visible_at: SimTime(1767225600000) }
        +1.000s MessageDeduplicated { queue: "payments.fifo", message_id: 528ebfbe-c773-4b1c-aef1-ad2e1df724d1 }
        +1.000s MessageReceived { queue: "payments.fifo", number: 1, receive_count: 1, visible_at: SimTime(1767225631000) }
        +1.000s MessageReceived { queue: "payments.fifo", number: 2, receive_count: 1, visible_at: SimTime(1767225631000) }
        +1.000s MessageDeleted { queue: "payments.fifo", number: 1 }
        +1.000s MessageReceived { queue: "payments.fifo", number: 3, receive_count: 1, visible_at: SimTime(1767225631000) }
    "#]].assert_eq(&event_log(&mut e, start));
}

#[test]
fn delays_visibility_and_retention_on_the_clock() {
    let mut e = engine_with_seed(5);
    let start = e.now();
    let u = create(&mut e, "tick", &[("DelaySeconds", "10"), ("MessageRetentionPeriod", "60")]);
    send(&mut e, &u, "delayed by the queue");
    e.sqs().send_message(SendMessage { delay_seconds: Some(0), ..send_req(&u, "right away") }).unwrap();
    let got = receive_vt(&mut e, &u, 10, 20);
    assert_eq!(bodies(&got), ["right away"]);
    let mut jumps = String::new();
    while let Some(at) = e.advance_to_next_deadline() {
        writeln!(jumps, "jumped to +{}", at.saturating_sub(start)).unwrap();
    }
    expect![[r#"
        jumped to +10.000s
        jumped to +20.000s
        jumped to +1m00.000s
    "#]]
    .assert_eq(&jumps);
    expect![[r#"
        +0.000s QueueCreated { queue: "tick", fifo: false }
        +0.000s MessageSent { queue: "tick", number: 1, message_id: 5de53014-a859-42b4-b0d7-3c351e762b1e, visible_at: SimTime(1767225610000) }
        +0.000s MessageSent { queue: "tick", number: 2, message_id: d95a5cdf-e019-4432-bad4-b703acceb3f5, visible_at: SimTime(1767225600000) }
        +0.000s MessageReceived { queue: "tick", number: 2, receive_count: 1, visible_at: SimTime(1767225620000) }
        +10.000s DelayEnded { queue: "tick", number: 1 }
        +20.000s VisibilityExpired { queue: "tick", number: 2 }
        +1m00.000s MessageExpired { queue: "tick", number: 1 }
        +1m00.000s MessageExpired { queue: "tick", number: 2 }
    "#]].assert_eq(&event_log(&mut e, start));
}

#[test]
fn redrive_from_the_dead_letter_queue() {
    let mut e = engine_with_seed(11);
    let start = e.now();
    let dlq = create(&mut e, "dlq", &[]);
    let u = create(&mut e, "work", &[("RedrivePolicy", &redrive("dlq", 1))]);
    for i in 1..=3 {
        send(&mut e, &u, &format!("m{i}"));
    }
    receive_vt(&mut e, &u, 10, 0);
    assert!(receive(&mut e, &u, 10).is_empty());
    assert_eq!(counts(&e, "dlq"), (3, 0, 0));
    e.sqs()
        .start_message_move_task(StartMessageMoveTask {
            source_arn: arn("dlq"),
            destination_arn: None,
            max_number_of_messages_per_second: Some(2),
        })
        .unwrap();
    e.advance_by(secs(5));
    let _ = dlq;
    expect![[r#"
        +0.000s QueueCreated { queue: "dlq", fifo: false }
        +0.000s QueueCreated { queue: "work", fifo: false }
        +0.000s MessageSent { queue: "work", number: 1, message_id: abc0aa1c-e516-40f8-bff1-539a00df861e, visible_at: SimTime(1767225600000) }
        +0.000s MessageSent { queue: "work", number: 2, message_id: 4e722aba-ab4f-4292-a621-7170f80a9617, visible_at: SimTime(1767225600000) }
        +0.000s MessageSent { queue: "work", number: 3, message_id: fac85dcb-be32-4dbd-bd88-9a6b7cffdbc2, visible_at: SimTime(1767225600000) }
        +0.000s MessageReceived { queue: "work", number: 1, receive_count: 1, visible_at: SimTime(1767225600000) }
        +0.000s MessageReceived { queue: "work", number: 2, receive_count: 1, visible_at: SimTime(1767225600000) }
        +0.000s MessageReceived { queue: "work", number: 3, receive_count: 1, visible_at: SimTime(1767225600000) }
        +0.000s MovedToDeadLetterQueue { queue: "work", number: 1, dead_letter_queue: "dlq", new_number: 1 }
        +0.000s MovedToDeadLetterQueue { queue: "work", number: 2, dead_letter_queue: "dlq", new_number: 2 }
        +0.000s MovedToDeadLetterQueue { queue: "work", number: 3, dead_letter_queue: "dlq", new_number: 3 }
        +0.000s MoveTaskStarted { source: "dlq", to_move: 3 }
        +1.000s MessageRedriven { source: "dlq", number: 1, destination: "work", new_number: 4 }
        +1.000s MessageRedriven { source: "dlq", number: 2, destination: "work", new_number: 5 }
        +2.000s MessageRedriven { source: "dlq", number: 3, destination: "work", new_number: 6 }
        +2.000s MoveTaskFinished { source: "dlq", moved: 3, status: "COMPLETED" }
    "#]].assert_eq(&event_log(&mut e, start));
}

#[test]
fn at_least_once_delivery_when_realism_is_on() {
    let mut e = Engine::new(EngineConfig {
        seed: 9,
        realism: Realism { duplicate_per_million: 1_000_000, reorder_per_million: 0 },
        ..EngineConfig::default()
    });
    let start = e.now();
    let u = create(&mut e, "std", &[]);
    let sent = send(&mut e, &u, "charge card");
    let got = receive(&mut e, &u, 10);
    assert_eq!(got.len(), 2, "stored twice, delivered twice");
    assert!(got.iter().all(|m| m.message_id == sent.message_id));
    assert_ne!(got[0].receipt_handle, got[1].receipt_handle);
    expect![[r#"
        +0.000s QueueCreated { queue: "std", fifo: false }
        +0.000s MessageSent { queue: "std", number: 1, message_id: 494775ca-8858-4a11-9df7-26de9029f6cf, visible_at: SimTime(1767225600000) }
        +0.000s MessageDuplicated { queue: "std", number: 2, copy_of: 1, message_id: 494775ca-8858-4a11-9df7-26de9029f6cf }
        +0.000s MessageReceived { queue: "std", number: 1, receive_count: 1, visible_at: SimTime(1767225630000) }
        +0.000s MessageReceived { queue: "std", number: 2, receive_count: 1, visible_at: SimTime(1767225630000) }
    "#]].assert_eq(&event_log(&mut e, start));
    // Realism never touches FIFO queues.
    let f = create(&mut e, "f.fifo", &[]);
    send_fifo(&mut e, &f, "once", "g");
    assert_eq!(receive(&mut e, &f, 10).len(), 1);
}

// ---------------------------------------------------------------------------
// Determinism

/// A script touching most of the engine; returns every response and the event log as text.
fn script(seed: u64) -> (String, Vec<decouple_engine::LoggedEvent>) {
    let mut e = engine_with_seed(seed);
    let mut out = String::new();
    create(&mut e, "dlq", &[]);
    let u = create(&mut e, "q", &[("RedrivePolicy", &redrive("dlq", 2)), ("VisibilityTimeout", "5")]);
    let f = create(&mut e, "f.fifo", &[("ContentBasedDeduplication", "true")]);
    for i in 0..5 {
        writeln!(out, "{:?}", e.sqs().send_message(send_req(&u, &format!("s{i}")))).unwrap();
        writeln!(out, "{:?}", e.sqs().send_message(fifo_req(&f, &format!("f{i}"), &format!("g{}", i % 2), None)))
            .unwrap();
    }
    let poll = e.sqs().receive_message(ReceiveMessage { wait_time_seconds: Some(10), ..receive_req(&url("dlq"), 10) });
    writeln!(out, "{poll:?}").unwrap();
    for round in 0..4 {
        let got = receive(&mut e, &u, 3);
        writeln!(out, "{got:?}").unwrap();
        if round == 1 {
            if let Some(m) = got.first() {
                writeln!(out, "{:?}", delete(&mut e, &u, &m.receipt_handle)).unwrap();
            }
        }
        let fifo = receive(&mut e, &f, 10);
        writeln!(out, "{fifo:?}").unwrap();
        e.advance_by(secs(6));
    }
    if let Ok(Receive::Pending(t)) = poll {
        writeln!(out, "{:?}", e.sqs().take_poll_result(t)).unwrap();
    }
    (out, e.drain_events())
}

fn message_ids(events: &[decouple_engine::LoggedEvent]) -> Vec<String> {
    events
        .iter()
        .filter_map(|l| match &l.event {
            decouple_engine::Event::MessageSent { message_id, .. } => Some(message_id.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn same_seed_same_calls_same_responses_and_log() {
    let (out_a, log_a) = script(1234);
    let (out_b, log_b) = script(1234);
    assert_eq!(out_a, out_b);
    assert_eq!(log_a, log_b);
    assert!(log_a.len() > 40, "the script does something: {} events", log_a.len());
    assert!(
        out_a.contains("MovedToDeadLetterQueue")
            || log_a.iter().any(|l| matches!(l.event, decouple_engine::Event::MovedToDeadLetterQueue { .. }))
    );
}

#[test]
fn another_seed_gives_other_ids_but_the_same_story() {
    let (out_a, log_a) = script(1);
    let (out_b, log_b) = script(2);
    assert_ne!(out_a, out_b);
    let (ids_a, ids_b) = (message_ids(&log_a), message_ids(&log_b));
    assert_eq!(ids_a.len(), 10);
    assert!(ids_a.iter().all(|id| !ids_b.contains(id)), "no id in common");
    // Apart from the ids, the same things happen at the same times.
    assert_eq!(log_a.len(), log_b.len());
    for (a, b) in log_a.iter().zip(&log_b) {
        assert_eq!(a.at, b.at);
        assert_eq!(std::mem::discriminant(&a.event), std::mem::discriminant(&b.event));
    }
}
