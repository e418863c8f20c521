//! FIFO queues: message groups, deduplication, ordering, receive attempts and quotas.

mod common;

use common::*;
use decouple_engine::sqs::SqsErrorCode::*;
use decouple_engine::sqs::*;
use decouple_engine::Event;
use sha2::{Digest, Sha256};

fn len(e: &decouple_engine::Engine, name: &str) -> usize {
    e.sqs_state().queue_by_name(name).unwrap().len()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn message_group_id_is_required_and_validated() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    assert_err(
        e.sqs().send_message(SendMessage { message_deduplication_id: Some("d".into()), ..send_req(&u, "m") }),
        MissingParameter,
        "The request must contain the parameter MessageGroupId.",
    );
    let rule = |v: &str, p: &str| {
        format!("Value {v} for parameter {p} is invalid. Reason: {p} can only include alphanumeric and punctuation characters. 1 to 128 in length.")
    };
    let long = "g".repeat(129);
    for bad in ["group 123", "", long.as_str(), "grüppe"] {
        assert_err(
            e.sqs().send_message(fifo_req(&u, "m", bad, Some("d"))),
            InvalidParameterValue,
            &rule(bad, "MessageGroupId"),
        );
        assert_err(
            e.sqs().send_message(fifo_req(&u, "m", "g", Some(bad))),
            InvalidParameterValue,
            &rule(bad, "MessageDeduplicationId"),
        );
    }
    e.sqs().send_message(fifo_req(&u, "m", &"g".repeat(128), Some("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"))).unwrap();
    // In a batch the missing group is a per-entry InvalidParameterValue.
    let r = e
        .sqs()
        .send_message_batch(SendMessageBatch {
            queue_url: u.clone(),
            entries: vec![
                SendMessageBatchEntry {
                    id: "no-group".into(),
                    message_body: "m".into(),
                    message_deduplication_id: Some("x".into()),
                    ..Default::default()
                },
                SendMessageBatchEntry {
                    id: "ok".into(),
                    message_body: "m".into(),
                    message_deduplication_id: Some("y".into()),
                    message_group_id: Some("g".into()),
                    ..Default::default()
                },
            ],
        })
        .unwrap();
    assert_eq!(r.successful.len(), 1);
    assert_eq!(
        r.failed,
        vec![BatchResultErrorEntry {
            id: "no-group".into(),
            sender_fault: true,
            code: "InvalidParameterValue".into(),
            message: "The request must contain the parameter MessageGroupId.".into(),
        }]
    );
}

#[test]
fn deduplication_id_or_content_based_deduplication_is_required() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    assert_err(
        e.sqs().send_message(fifo_req(&u, "m", "g", None)),
        InvalidParameterValue,
        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
    );
    assert_eq!(len(&e, "q.fifo"), 0);
}

#[test]
fn explicit_deduplication_id_holds_for_five_minutes() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    let first = e.sqs().send_message(fifo_req(&u, "one", "g", Some("d1"))).unwrap();
    e.drain_events();
    e.advance_by(millis(299_999));
    let again = e.sqs().send_message(fifo_req(&u, "different body", "g", Some("d1"))).unwrap();
    assert_eq!(again.message_id, first.message_id, "the original's id");
    assert_eq!(again.sequence_number, first.sequence_number);
    assert_eq!(len(&e, "q.fifo"), 1);
    let events: Vec<Event> = e.drain_events().into_iter().map(|l| l.event).collect();
    let id = decouple_engine::Uuid::parse(&first.message_id).unwrap();
    assert_eq!(events, vec![Event::MessageDeduplicated { queue: "q.fifo".into(), message_id: id }]);
    e.advance_by(millis(1));
    let later = e.sqs().send_message(fifo_req(&u, "one", "g", Some("d1"))).unwrap();
    assert_ne!(later.message_id, first.message_id);
    assert_eq!(len(&e, "q.fifo"), 2);
}

#[test]
fn the_window_counts_from_the_first_send_not_the_duplicates() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    e.sqs().send_message(fifo_req(&u, "m", "g", Some("d"))).unwrap();
    e.advance_by(secs(200));
    e.sqs().send_message(fifo_req(&u, "m", "g", Some("d"))).unwrap();
    e.advance_by(secs(100));
    e.sqs().send_message(fifo_req(&u, "m", "g", Some("d"))).unwrap();
    assert_eq!(len(&e, "q.fifo"), 2);
}

#[test]
fn content_based_deduplication_uses_sha256_of_the_body() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[("ContentBasedDeduplication", "true")]);
    let a = e.sqs().send_message(fifo_req(&u, "same", "g1", None)).unwrap();
    let b = e.sqs().send_message(fifo_req(&u, "same", "g2", None)).unwrap();
    assert_eq!(a.message_id, b.message_id, "scope is the queue: another group does not matter");
    // Attributes are not part of the hash.
    let with_attr = SendMessage {
        message_attributes: [("k".to_string(), string_attr("v"))].into(),
        ..fifo_req(&u, "same", "g1", None)
    };
    assert_eq!(e.sqs().send_message(with_attr).unwrap().message_id, a.message_id);
    e.sqs().send_message(fifo_req(&u, "other", "g1", None)).unwrap();
    // An explicit id wins over the content.
    e.sqs().send_message(fifo_req(&u, "same", "g1", Some("explicit"))).unwrap();
    assert_eq!(len(&e, "q.fifo"), 3);
    let got = receive(&mut e, &u, 10);
    assert_eq!(bodies(&got), ["same", "other", "same"]);
    assert_eq!(attr(&got[0], "MessageDeduplicationId"), hex(&Sha256::digest(b"same")));
    assert_eq!(attr(&got[2], "MessageDeduplicationId"), "explicit");
}

#[test]
fn deduplication_survives_deletion() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    send_fifo(&mut e, &u, "once", "g");
    let got = receive(&mut e, &u, 1);
    delete(&mut e, &u, &got[0].receipt_handle).unwrap();
    e.advance_by(secs(60));
    let again = send_fifo(&mut e, &u, "once", "g");
    assert_eq!(again.message_id, got[0].message_id);
    assert!(receive(&mut e, &u, 10).is_empty(), "arrives once");
    e.advance_by(secs(240));
    send_fifo(&mut e, &u, "once", "g");
    assert_eq!(receive(&mut e, &u, 10).len(), 1, "after 5 minutes the id is new again");
}

#[test]
fn deduplication_scope_queue_versus_message_group() {
    let mut e = engine();
    let q = create(&mut e, "q.fifo", &[("DeduplicationScope", "queue")]);
    e.sqs().send_message(fifo_req(&q, "a", "g1", Some("same"))).unwrap();
    e.sqs().send_message(fifo_req(&q, "b", "g2", Some("same"))).unwrap();
    assert_eq!(bodies(&receive(&mut e, &q, 10)), ["a"]);

    let g = create(&mut e, "g.fifo", &[("DeduplicationScope", "messageGroup")]);
    e.sqs().send_message(fifo_req(&g, "a", "g1", Some("same"))).unwrap();
    e.sqs().send_message(fifo_req(&g, "b", "g2", Some("same"))).unwrap();
    e.sqs().send_message(fifo_req(&g, "c", "g2", Some("same"))).unwrap();
    assert_eq!(bodies(&receive(&mut e, &g, 10)), ["a", "b"]);
}

#[test]
fn order_is_strict_within_a_group() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    for i in 1..=5 {
        send_fifo(&mut e, &u, &format!("m{i}"), "g");
    }
    assert_eq!(bodies(&receive(&mut e, &u, 10)), ["m1", "m2", "m3", "m4", "m5"]);
    // Not deleted: after the timeout they come back, still in order.
    e.advance_by(secs(30));
    let got = receive(&mut e, &u, 2);
    assert_eq!(bodies(&got), ["m1", "m2"]);
    for m in &got {
        delete(&mut e, &u, &m.receipt_handle).unwrap();
    }
    assert_eq!(bodies(&receive(&mut e, &u, 10)), ["m3", "m4", "m5"]);
}

#[test]
fn a_group_is_blocked_while_any_of_its_messages_is_in_flight() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    for b in ["a1", "a2", "a3"] {
        send_fifo(&mut e, &u, b, "a");
    }
    let first = receive(&mut e, &u, 1);
    assert_eq!(bodies(&first), ["a1"]);
    assert!(receive(&mut e, &u, 10).is_empty(), "a2 is visible but its group is busy");
    assert_eq!(counts(&e, "q.fifo"), (2, 1, 0));
    // Extending a1's visibility keeps the group blocked.
    e.sqs()
        .change_message_visibility(ChangeMessageVisibility {
            queue_url: u.clone(),
            receipt_handle: first[0].receipt_handle.clone(),
            visibility_timeout: Some(60),
        })
        .unwrap();
    e.advance_by(secs(59));
    assert!(receive(&mut e, &u, 10).is_empty());
    delete(&mut e, &u, &first[0].receipt_handle).unwrap();
    assert_eq!(bodies(&receive(&mut e, &u, 1)), ["a2"]);
    // A message whose visibility runs out comes back before the rest of its group.
    e.advance_by(secs(30));
    assert_eq!(bodies(&receive(&mut e, &u, 10)), ["a2", "a3"]);
}

#[test]
fn receive_serves_one_group_as_far_as_it_can_then_the_others() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    for (body, group) in [("a1", "a"), ("b1", "b"), ("a2", "a"), ("c1", "c"), ("b2", "b"), ("a3", "a")] {
        send_fifo(&mut e, &u, body, group);
    }
    assert_eq!(bodies(&receive(&mut e, &u, 2)), ["a1", "a2"]);
    assert_eq!(bodies(&receive(&mut e, &u, 10)), ["b1", "b2", "c1"], "group a is busy");
    e.advance_by(secs(30));
    assert_eq!(bodies(&receive(&mut e, &u, 10)), ["a1", "a2", "a3", "b1", "b2", "c1"]);
}

#[test]
fn sequence_numbers_increase_across_the_queue() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    let mut last: u128 = 0;
    let mut sent = Vec::new();
    for i in 0..20 {
        let r = send_fifo(&mut e, &u, &format!("m{i}"), if i % 2 == 0 { "even" } else { "odd" });
        let s = r.sequence_number.clone().expect("FIFO sends have a sequence number");
        assert_eq!(s.len(), 20, "{s}");
        let n: u128 = s.parse().unwrap();
        assert!(n > last);
        last = n;
        sent.push(s);
    }
    let got = receive(&mut e, &u, 10);
    for m in got {
        let i: usize = m.body[1..].parse().unwrap();
        assert_eq!(attr(&m, "SequenceNumber"), sent[i]);
        assert_eq!(attr(&m, "MessageGroupId"), if i.is_multiple_of(2) { "even" } else { "odd" });
        assert_eq!(attr(&m, "MessageDeduplicationId"), m.body);
    }
}

#[test]
fn receive_request_attempt_id_replays_within_five_minutes() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    for b in ["m1", "m2"] {
        send_fifo(&mut e, &u, b, "g");
    }
    let attempt = |id: &str, vt: i64| ReceiveMessage {
        receive_request_attempt_id: Some(id.into()),
        visibility_timeout: Some(vt),
        ..receive_req(&url("q.fifo"), 10)
    };
    let first = ready(e.sqs().receive_message(attempt("try-1", 30)));
    assert_eq!(bodies(&first), ["m1", "m2"]);
    e.advance_by(secs(10));
    let replay = ready(e.sqs().receive_message(attempt("try-1", 30)));
    assert_eq!(replay, first, "same messages, same receipt handles");
    // The replay reset the visibility timeout: 30 s from now.
    e.advance_by(millis(29_999));
    assert_eq!(counts(&e, "q.fifo"), (0, 2, 0));
    e.advance_by(millis(1));
    assert_eq!(counts(&e, "q.fifo"), (2, 0, 0));
    // Once the messages went back, the attempt id no longer replays: a fresh receive with new handles.
    let fresh = ready(e.sqs().receive_message(attempt("try-1", 600)));
    assert_eq!(bodies(&fresh), ["m1", "m2"]);
    assert_ne!(fresh[0].receipt_handle, first[0].receipt_handle);
    // Another attempt id is a new receive: the group is busy.
    assert!(ready(e.sqs().receive_message(attempt("try-2", 30))).is_empty());
    // After 5 minutes the attempt id is forgotten.
    e.advance_by(secs(299));
    assert_eq!(ready(e.sqs().receive_message(attempt("try-1", 600))).len(), 2);
    e.advance_by(secs(1));
    assert!(ready(e.sqs().receive_message(attempt("try-1", 600))).is_empty());
    assert_err(
        e.sqs().receive_message(attempt("bad id", 30)),
        InvalidParameterValue,
        "Value bad id for parameter ReceiveRequestAttemptId is invalid. Reason: ReceiveRequestAttemptId can only include alphanumeric and punctuation characters. 1 to 128 in length.",
    );
}

#[test]
fn throttling_over_300_calls_per_second_per_action() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[("ContentBasedDeduplication", "true")]);
    e.drain_events();
    for i in 0..300 {
        e.sqs().send_message(fifo_req(&u, &format!("m{i}"), "g", None)).unwrap();
    }
    assert_err(e.sqs().send_message(fifo_req(&u, "over", "g", None)), ThrottlingException, "Rate exceeded");
    // A batch counts as one call too.
    let batch = SendMessageBatch {
        queue_url: u.clone(),
        entries: vec![SendMessageBatchEntry {
            id: "e".into(),
            message_body: "b".into(),
            message_group_id: Some("g".into()),
            ..Default::default()
        }],
    };
    assert_err(e.sqs().send_message_batch(batch.clone()), ThrottlingException, "Rate exceeded");
    assert_eq!(len(&e, "q.fifo"), 300);
    let throttled = e.drain_events().iter().filter(|l| matches!(l.event, Event::Throttled { .. })).count();
    assert_eq!(throttled, 2);
    // Receives are counted separately.
    assert_eq!(receive(&mut e, &u, 10).len(), 10);
    e.advance_by(secs(1));
    e.sqs().send_message(fifo_req(&u, "next second", "g", None)).unwrap();
    e.sqs().send_message_batch(batch).unwrap();
}

#[test]
fn receive_and_delete_are_throttled_separately() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    send_fifo(&mut e, &u, "m", "g");
    for _ in 0..300 {
        receive(&mut e, &u, 1);
    }
    assert_err(e.sqs().receive_message(receive_req(&u, 1)), ThrottlingException, "Rate exceeded");
    for _ in 0..300 {
        delete(&mut e, &u, "garbage").unwrap_err();
    }
    assert_err(delete(&mut e, &u, "garbage"), ThrottlingException, "Rate exceeded");
    assert_eq!(ThrottlingException.http_status(), 400);
}

#[test]
fn batches_reach_3000_messages_per_second() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    for b in 0..300 {
        let entries = (0..10)
            .map(|i| SendMessageBatchEntry {
                id: format!("e{i}"),
                message_body: format!("{b}-{i}"),
                message_group_id: Some(format!("g{i}")),
                message_deduplication_id: Some(format!("{b}-{i}")),
                ..Default::default()
            })
            .collect();
        let r = e.sqs().send_message_batch(SendMessageBatch { queue_url: u.clone(), entries }).unwrap();
        assert!(r.failed.is_empty());
    }
    assert_eq!(len(&e, "q.fifo"), 3000);
}

#[test]
fn standard_queues_are_not_throttled() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    for i in 0..1000 {
        send(&mut e, &u, &format!("m{i}"));
    }
    assert_eq!(len(&e, "q"), 1000);
}

#[test]
fn high_throughput_mode_lifts_the_quota() {
    let mut e = engine();
    let u = create(
        &mut e,
        "ht.fifo",
        &[
            ("DeduplicationScope", "messageGroup"),
            ("FifoThroughputLimit", "perMessageGroupId"),
            ("ContentBasedDeduplication", "true"),
        ],
    );
    for i in 0..2000 {
        e.sqs().send_message(fifo_req(&u, &format!("m{i}"), &format!("g{}", i % 7), None)).unwrap();
    }
    assert_eq!(len(&e, "ht.fifo"), 2000);
    // Only one of the two settings is not high throughput.
    let half =
        create(&mut e, "half.fifo", &[("DeduplicationScope", "messageGroup"), ("ContentBasedDeduplication", "true")]);
    for i in 0..300 {
        e.sqs().send_message(fifo_req(&half, &format!("m{i}"), "g", None)).unwrap();
    }
    assert_err(e.sqs().send_message(fifo_req(&half, "over", "g", None)), ThrottlingException, "Rate exceeded");
}

#[test]
fn fifo_batch_keeps_entry_order() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    let entries = (0..10)
        .map(|i| SendMessageBatchEntry {
            id: format!("e{i}"),
            message_body: format!("m{i}"),
            message_group_id: Some("g".into()),
            message_deduplication_id: Some(format!("d{i}")),
            ..Default::default()
        })
        .collect();
    let r = e.sqs().send_message_batch(SendMessageBatch { queue_url: u.clone(), entries }).unwrap();
    let seqs: Vec<u128> = r.successful.iter().map(|s| s.sequence_number.as_ref().unwrap().parse().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]));
    let got = receive(&mut e, &u, 10);
    assert_eq!(bodies(&got), (0..10).map(|i| format!("m{i}")).collect::<Vec<_>>());
}

#[test]
fn fifo_visibility_timeout_zero_on_receive_keeps_the_group_order() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    send_fifo(&mut e, &u, "m1", "g");
    send_fifo(&mut e, &u, "m2", "g");
    assert_eq!(bodies(&receive_vt(&mut e, &u, 1, 0)), ["m1"]);
    assert_eq!(bodies(&receive_vt(&mut e, &u, 1, 0)), ["m1"], "m1 is visible again at once and comes first");
    let got = receive(&mut e, &u, 10);
    assert_eq!(bodies(&got), ["m1", "m2"]);
    assert_eq!(attr(&got[0], "ApproximateReceiveCount"), "3");
}

fn long_poll(e: &mut decouple_engine::Engine, u: &str) -> PollTicket {
    let req = ReceiveMessage { wait_time_seconds: Some(20), ..receive_req(u, 10) };
    match e.sqs().receive_message(req).unwrap() {
        Receive::Pending(t) => t,
        Receive::Ready(r) => panic!("expected the poll to wait, got {:?}", bodies(&r.messages)),
    }
}

#[test]
fn a_long_poll_waits_while_the_only_group_is_busy_and_wakes_when_its_visibility_ends() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    send_fifo(&mut e, &u, "a1", "a");
    send_fifo(&mut e, &u, "a2", "a");
    receive_vt(&mut e, &u, 1, 5);
    let t = long_poll(&mut e, &u);
    e.advance_by(secs(5));
    let got = e.sqs().take_poll_result(t).expect("answered when a1 came back").unwrap();
    assert_eq!(bodies(&got.messages), ["a1", "a2"]);
}

#[test]
fn deleting_the_in_flight_head_of_a_group_wakes_a_waiting_long_poll() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    send_fifo(&mut e, &u, "a1", "a");
    send_fifo(&mut e, &u, "a2", "a");
    let first = receive(&mut e, &u, 1);
    let t = long_poll(&mut e, &u);
    delete(&mut e, &u, &first[0].receipt_handle).unwrap();
    // a2 is receivable now, so a long poll returns it at once (AWS: a long poll
    // returns as soon as a message is available).
    assert!(!e.sqs().is_waiting(t), "the poll should have been answered with a2");
    let got = e.sqs().take_poll_result(t).unwrap().unwrap();
    assert_eq!(bodies(&got.messages), ["a2"]);
}

#[test]
fn batch_deleting_the_in_flight_head_of_a_group_wakes_a_waiting_long_poll() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    send_fifo(&mut e, &u, "a1", "a");
    send_fifo(&mut e, &u, "a2", "a");
    let first = receive(&mut e, &u, 1);
    let t = long_poll(&mut e, &u);
    let entries = vec![DeleteMessageBatchEntry { id: "a1".into(), receipt_handle: first[0].receipt_handle.clone() }];
    e.sqs().delete_message_batch(DeleteMessageBatch { queue_url: u.clone(), entries }).unwrap();
    assert!(!e.sqs().is_waiting(t), "the poll should have been answered with a2");
    assert_eq!(bodies(&e.sqs().take_poll_result(t).unwrap().unwrap().messages), ["a2"]);
}

#[test]
fn expiry_of_the_in_flight_head_of_a_group_wakes_a_waiting_long_poll() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[("MessageRetentionPeriod", "60")]);
    send_fifo(&mut e, &u, "a1", "a");
    e.advance_by(secs(10));
    send_fifo(&mut e, &u, "a2", "a");
    receive_vt(&mut e, &u, 1, 600);
    e.advance_by(secs(45));
    let t = long_poll(&mut e, &u);
    // a1 expires at +60 s while in flight; a2 (sent at +10 s) is then the group's head.
    e.advance_by(secs(5));
    assert_eq!(e.sqs_state().queue_by_name("q.fifo").unwrap().len(), 1, "a1 expired");
    assert!(!e.sqs().is_waiting(t), "the poll should have been answered with a2");
    assert_eq!(bodies(&e.sqs().take_poll_result(t).unwrap().unwrap().messages), ["a2"]);
}

#[test]
fn delete_message_batch_reports_expired_fifo_handles_per_entry() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    send_fifo(&mut e, &u, "a1", "a");
    send_fifo(&mut e, &u, "b1", "b");
    let got = receive_vt(&mut e, &u, 10, 5);
    assert_eq!(bodies(&got), ["a1", "b1"]);
    e.advance_by(secs(5));
    let again = receive(&mut e, &u, 1);
    assert_eq!(bodies(&again), ["a1"]);
    let entries = vec![
        DeleteMessageBatchEntry { id: "old".into(), receipt_handle: got[0].receipt_handle.clone() },
        DeleteMessageBatchEntry { id: "new".into(), receipt_handle: again[0].receipt_handle.clone() },
    ];
    let r = e.sqs().delete_message_batch(DeleteMessageBatch { queue_url: u.clone(), entries }).unwrap();
    assert_eq!(r.successful, ["new"]);
    assert_eq!(
        r.failed,
        vec![BatchResultErrorEntry {
            id: "old".into(),
            sender_fault: true,
            code: "InvalidParameterValue".into(),
            message: format!(
                "Value {} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.",
                got[0].receipt_handle
            ),
        }]
    );
}
