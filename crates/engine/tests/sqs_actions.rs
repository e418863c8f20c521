//! One group of tests per SQS action (all 23 of the API model), each error
//! case checked by its AWS code and exact message.

mod common;

use std::collections::BTreeMap;

use common::*;
use decouple_engine::sqs::SqsErrorCode::*;
use decouple_engine::sqs::*;
use decouple_engine::Event;

// ---------------------------------------------------------------------------
// Every action that takes a queue URL answers QueueDoesNotExist for an unknown one.

#[test]
fn every_url_action_rejects_an_unknown_queue() {
    let mut e = engine();
    let bad = url("nope");
    let other_account = "https://sqs.us-east-1.amazonaws.com/111122223333/real".to_string();
    create(&mut e, "real", &[]);
    for bad in [bad, other_account] {
        let u = || bad.clone();
        let mut sqs = e.sqs();
        let msg = "The specified queue does not exist.";
        assert_err(
            sqs.get_queue_attributes(GetQueueAttributes { queue_url: u(), ..Default::default() }),
            QueueDoesNotExist,
            msg,
        );
        assert_err(
            sqs.set_queue_attributes(SetQueueAttributes { queue_url: u(), ..Default::default() }),
            QueueDoesNotExist,
            msg,
        );
        assert_err(sqs.delete_queue(QueueUrlOnly { queue_url: u() }), QueueDoesNotExist, msg);
        assert_err(sqs.purge_queue(QueueUrlOnly { queue_url: u() }), QueueDoesNotExist, msg);
        assert_err(sqs.list_queue_tags(QueueUrlOnly { queue_url: u() }), QueueDoesNotExist, msg);
        assert_err(sqs.tag_queue(TagQueue { queue_url: u(), ..Default::default() }), QueueDoesNotExist, msg);
        assert_err(sqs.untag_queue(UntagQueue { queue_url: u(), ..Default::default() }), QueueDoesNotExist, msg);
        assert_err(sqs.send_message(send_req(&bad, "x")), QueueDoesNotExist, msg);
        assert_err(
            sqs.send_message_batch(SendMessageBatch { queue_url: u(), entries: vec![] }),
            QueueDoesNotExist,
            msg,
        );
        assert_err(sqs.receive_message(receive_req(&bad, 1)), QueueDoesNotExist, msg);
        assert_err(
            sqs.delete_message(DeleteMessage { queue_url: u(), receipt_handle: "h".into() }),
            QueueDoesNotExist,
            msg,
        );
        assert_err(
            sqs.delete_message_batch(DeleteMessageBatch { queue_url: u(), entries: vec![] }),
            QueueDoesNotExist,
            msg,
        );
        assert_err(
            sqs.change_message_visibility(ChangeMessageVisibility { queue_url: u(), ..Default::default() }),
            QueueDoesNotExist,
            msg,
        );
        assert_err(
            sqs.change_message_visibility_batch(ChangeMessageVisibilityBatch { queue_url: u(), entries: vec![] }),
            QueueDoesNotExist,
            msg,
        );
        assert_err(
            sqs.list_dead_letter_source_queues(ListDeadLetterSourceQueues { queue_url: u(), ..Default::default() }),
            QueueDoesNotExist,
            msg,
        );
        assert_err(sqs.add_permission(AddPermission { queue_url: u(), ..Default::default() }), QueueDoesNotExist, msg);
        assert_err(
            sqs.remove_permission(RemovePermission { queue_url: u(), label: "l".into() }),
            QueueDoesNotExist,
            msg,
        );
    }
    assert_err(
        e.sqs().get_queue_attributes(GetQueueAttributes::default()),
        MissingParameter,
        "The request must contain the parameter QueueUrl.",
    );
}

// ---------------------------------------------------------------------------
// CreateQueue

#[test]
fn create_queue_returns_url_and_emits_event() {
    let mut e = engine();
    let u = create(&mut e, "orders", &[]);
    assert_eq!(u, "https://sqs.us-east-1.amazonaws.com/000000000000/orders");
    let q = e.sqs_state().queue_by_name("orders").unwrap();
    assert!(!q.fifo);
    assert_eq!(q.arn, "arn:aws:sqs:us-east-1:000000000000:orders");
    let events: Vec<Event> = e.drain_events().into_iter().map(|l| l.event).collect();
    assert_eq!(events, vec![Event::QueueCreated { queue: "orders".into(), fifo: false }]);
}

#[test]
fn queue_name_rules() {
    let mut e = engine();
    let rule = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length";
    let fifo_rule = "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.";
    assert_err(try_create(&mut e, "", &[]), MissingParameter, "The request must contain the parameter QueueName.");
    let too_long = "a".repeat(81);
    for bad in ["has space", "dot.name", "slash/name", "ümlaut", too_long.as_str(), "x.fifo"] {
        assert_err(try_create(&mut e, bad, &[]), InvalidParameterValue, rule);
    }
    // 80 characters is fine, and names are case-sensitive.
    let eighty = "a".repeat(80);
    try_create(&mut e, &eighty, &[]).unwrap();
    try_create(&mut e, "Az09-_", &[]).unwrap();
    try_create(&mut e, "az09-_", &[]).unwrap();
    assert_eq!(e.sqs_state().queues().count(), 3);

    let fifo = [("FifoQueue", "true")];
    let too_long = format!("{}.fifo", "a".repeat(76));
    for bad in ["nofifo", ".fifo", "bad name.fifo", too_long.as_str()] {
        assert_err(try_create(&mut e, bad, &fifo), InvalidParameterValue, fifo_rule);
    }
    // ".fifo" counts toward the 80 characters.
    try_create(&mut e, &format!("{}.fifo", "a".repeat(75)), &fifo).unwrap();
    assert_err(
        try_create(&mut e, "q", &[("FifoQueue", "yes")]),
        InvalidAttributeValue,
        "Invalid value for the parameter FifoQueue.",
    );
    // FifoQueue=false on a standard queue is accepted and not kept.
    try_create(&mut e, "std", &[("FifoQueue", "false")]).unwrap();
    assert!(!e.sqs_state().queue_by_name("std").unwrap().fifo);
}

#[test]
fn create_queue_is_idempotent_with_identical_attributes() {
    let mut e = engine();
    let first = create(&mut e, "q", &[("DelaySeconds", "5"), ("VisibilityTimeout", "40")]);
    e.drain_events();
    let again = try_create(&mut e, "q", &[("DelaySeconds", "5"), ("VisibilityTimeout", "40")]).unwrap();
    assert_eq!(first, again);
    let subset = try_create(&mut e, "q", &[("DelaySeconds", "5")]).unwrap();
    assert_eq!(first, subset);
    assert_eq!(e.sqs_state().queues().count(), 1);
    assert!(e.drain_events().is_empty(), "no second QueueCreated");
    assert_err(
        try_create(&mut e, "q", &[("DelaySeconds", "6")]),
        QueueNameExists,
        "A queue already exists with the same name and a different value for attribute DelaySeconds",
    );
    assert_err(
        try_create(&mut e, "q", &[("VisibilityTimeout", "40"), ("MessageRetentionPeriod", "60")]),
        QueueNameExists,
        "A queue already exists with the same name and a different value for attribute MessageRetentionPeriod",
    );
    let f = create(&mut e, "f.fifo", &[]);
    assert_eq!(try_create(&mut e, "f.fifo", &[("FifoQueue", "true")]).unwrap(), f);
}

#[test]
fn deleted_queue_name_is_reserved_for_60_seconds() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "hello");
    e.sqs().delete_queue(QueueUrlOnly { queue_url: u.clone() }).unwrap();
    assert!(e.sqs_state().queue_by_name("q").is_none());
    assert_err(e.sqs().send_message(send_req(&u, "x")), QueueDoesNotExist, "The specified queue does not exist.");
    let msg = "You must wait 60 seconds after deleting a queue before you can create another with the same name.";
    assert_err(try_create(&mut e, "q", &[]), QueueDeletedRecently, msg);
    e.advance_by(secs(59));
    assert_err(try_create(&mut e, "q", &[]), QueueDeletedRecently, msg);
    e.advance_by(secs(1));
    let again = try_create(&mut e, "q", &[]).unwrap();
    assert_eq!(again, u);
    assert_eq!(e.sqs_state().queue_by_name("q").unwrap().len(), 0, "a new, empty queue");
}

#[test]
fn create_queue_tags_are_validated_and_kept() {
    let mut e = engine();
    let tags: BTreeMap<String, String> = [("team".to_string(), "blue".to_string())].into();
    e.sqs().create_queue(CreateQueue { queue_name: "t".into(), tags: tags.clone(), ..Default::default() }).unwrap();
    assert_eq!(e.sqs().list_queue_tags(QueueUrlOnly { queue_url: url("t") }).unwrap().tags, tags);
    let many: BTreeMap<String, String> = (0..51).map(|i| (format!("k{i}"), "v".to_string())).collect();
    assert_err(
        e.sqs().create_queue(CreateQueue { queue_name: "t2".into(), tags: many, ..Default::default() }),
        InvalidParameterValue,
        "Too many tags added for queue t2.",
    );
}

// ---------------------------------------------------------------------------
// GetQueueUrl, ListQueues, ListDeadLetterSourceQueues

#[test]
fn get_queue_url() {
    let mut e = engine();
    create(&mut e, "q", &[]);
    let got = e.sqs().get_queue_url(GetQueueUrl { queue_name: "q".into(), queue_owner_aws_account_id: None }).unwrap();
    assert_eq!(got.queue_url, url("q"));
    let own = GetQueueUrl { queue_name: "q".into(), queue_owner_aws_account_id: Some(ACCOUNT.into()) };
    assert_eq!(e.sqs().get_queue_url(own).unwrap().queue_url, url("q"));
    assert_err(
        e.sqs().get_queue_url(GetQueueUrl { queue_name: "Q".into(), ..Default::default() }),
        QueueDoesNotExist,
        "The specified queue does not exist.",
    );
    assert_err(
        e.sqs().get_queue_url(GetQueueUrl {
            queue_name: "q".into(),
            queue_owner_aws_account_id: Some("111122223333".into()),
        }),
        QueueDoesNotExist,
        "The specified queue does not exist.",
    );
    assert_err(
        e.sqs().get_queue_url(GetQueueUrl::default()),
        MissingParameter,
        "The request must contain the parameter QueueName.",
    );
}

#[test]
fn list_queues_prefix_and_pagination() {
    let mut e = engine();
    for name in ["a1", "a2", "a3", "a4", "a5", "b1"] {
        create(&mut e, name, &[]);
    }
    let all = e.sqs().list_queues(ListQueues::default()).unwrap();
    assert_eq!(all.queue_urls.len(), 6);
    assert_eq!(all.next_token, None);

    let b = e.sqs().list_queues(ListQueues { queue_name_prefix: Some("b".into()), ..Default::default() }).unwrap();
    assert_eq!(b.queue_urls, vec![url("b1")]);
    let none = e.sqs().list_queues(ListQueues { queue_name_prefix: Some("c".into()), ..Default::default() }).unwrap();
    assert!(none.queue_urls.is_empty());

    let mut pages = Vec::new();
    let mut token = None;
    loop {
        let page = e
            .sqs()
            .list_queues(ListQueues { queue_name_prefix: Some("a".into()), next_token: token, max_results: Some(2) })
            .unwrap();
        pages.push(page.queue_urls.clone());
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(pages, vec![vec![url("a1"), url("a2")], vec![url("a3"), url("a4")], vec![url("a5")]]);

    // Exactly MaxResults left: no token.
    let exact = e
        .sqs()
        .list_queues(ListQueues { queue_name_prefix: Some("b".into()), max_results: Some(1), ..Default::default() })
        .unwrap();
    assert_eq!(exact.next_token, None);

    for n in [0, 1001, -1] {
        assert_err(
            e.sqs().list_queues(ListQueues { max_results: Some(n), ..Default::default() }),
            InvalidParameterValue,
            &format!("Value {n} for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000."),
        );
    }
    assert_err(
        e.sqs().list_queues(ListQueues { next_token: Some("YTI=".into()), ..Default::default() }),
        InvalidParameterValue,
        "MaxResults is a mandatory parameter when you provide a value for NextToken.",
    );
    assert_err(
        e.sqs().list_queues(ListQueues { next_token: Some("!!".into()), max_results: Some(1), ..Default::default() }),
        InvalidParameterValue,
        "Invalid NextToken value.",
    );
}

#[test]
fn list_queues_returns_at_most_1000() {
    let mut e = engine();
    for i in 0..1001 {
        create(&mut e, &format!("q{i:04}"), &[]);
    }
    let all = e.sqs().list_queues(ListQueues::default()).unwrap();
    assert_eq!(all.queue_urls.len(), 1000);
    let paged = e.sqs().list_queues(ListQueues { max_results: Some(1000), ..Default::default() }).unwrap();
    assert_eq!(paged.queue_urls.len(), 1000);
    let rest = e
        .sqs()
        .list_queues(ListQueues { max_results: Some(1000), next_token: paged.next_token, ..Default::default() })
        .unwrap();
    assert_eq!(rest.queue_urls, vec![url("q1000")]);
}

#[test]
fn list_dead_letter_source_queues() {
    let mut e = engine();
    let dlq = create(&mut e, "dlq", &[]);
    let policy = redrive("dlq", 3);
    create(&mut e, "src-b", &[("RedrivePolicy", &policy)]);
    create(&mut e, "src-a", &[("RedrivePolicy", &policy)]);
    create(&mut e, "unrelated", &[]);
    let list = e
        .sqs()
        .list_dead_letter_source_queues(ListDeadLetterSourceQueues { queue_url: dlq.clone(), ..Default::default() })
        .unwrap();
    assert_eq!(list.queue_urls, vec![url("src-a"), url("src-b")]);
    let first = e
        .sqs()
        .list_dead_letter_source_queues(ListDeadLetterSourceQueues {
            queue_url: dlq.clone(),
            max_results: Some(1),
            next_token: None,
        })
        .unwrap();
    assert_eq!(first.queue_urls, vec![url("src-a")]);
    let second = e
        .sqs()
        .list_dead_letter_source_queues(ListDeadLetterSourceQueues {
            queue_url: dlq,
            max_results: Some(1),
            next_token: first.next_token,
        })
        .unwrap();
    assert_eq!(second.queue_urls, vec![url("src-b")]);
    assert_eq!(second.next_token, None);
    let none = e
        .sqs()
        .list_dead_letter_source_queues(ListDeadLetterSourceQueues {
            queue_url: url("unrelated"),
            ..Default::default()
        })
        .unwrap();
    assert!(none.queue_urls.is_empty());
}

// ---------------------------------------------------------------------------
// GetQueueAttributes / SetQueueAttributes

fn get_all(e: &mut decouple_engine::Engine, u: &str) -> Attributes {
    e.sqs()
        .get_queue_attributes(GetQueueAttributes { queue_url: u.into(), attribute_names: vec!["All".into()] })
        .unwrap()
        .attributes
}

#[test]
fn standard_queue_attribute_defaults() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let created = (e.now().as_millis() / 1000).to_string();
    let expected = attrs(&[
        ("ApproximateNumberOfMessages", "0"),
        ("ApproximateNumberOfMessagesNotVisible", "0"),
        ("ApproximateNumberOfMessagesDelayed", "0"),
        ("CreatedTimestamp", &created),
        ("LastModifiedTimestamp", &created),
        ("QueueArn", &arn("q")),
        ("DelaySeconds", "0"),
        ("MaximumMessageSize", "1048576"),
        ("MessageRetentionPeriod", "345600"),
        ("ReceiveMessageWaitTimeSeconds", "0"),
        ("VisibilityTimeout", "30"),
        ("SqsManagedSseEnabled", "true"),
    ]);
    assert_eq!(get_all(&mut e, &u), expected);
    // No names: no attributes.
    let none = e.sqs().get_queue_attributes(GetQueueAttributes { queue_url: u.clone(), attribute_names: vec![] });
    assert!(none.unwrap().attributes.is_empty());
    let some = e
        .sqs()
        .get_queue_attributes(GetQueueAttributes {
            queue_url: u,
            attribute_names: vec!["VisibilityTimeout".into(), "QueueArn".into()],
        })
        .unwrap();
    assert_eq!(some.attributes, attrs(&[("VisibilityTimeout", "30"), ("QueueArn", &arn("q"))]));
}

#[test]
fn fifo_queue_attribute_defaults() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    let all = get_all(&mut e, &u);
    assert_eq!(all["FifoQueue"], "true");
    assert_eq!(all["ContentBasedDeduplication"], "false");
    assert_eq!(all["DeduplicationScope"], "queue");
    assert_eq!(all["FifoThroughputLimit"], "perQueue");
    assert_eq!(all["MaximumMessageSize"], "1048576");
    assert_eq!(all.len(), 16);
}

#[test]
fn approximate_counts_follow_the_messages() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "a");
    send(&mut e, &u, "b");
    e.sqs().send_message(SendMessage { delay_seconds: Some(10), ..send_req(&u, "c") }).unwrap();
    receive(&mut e, &u, 1);
    let all = get_all(&mut e, &u);
    assert_eq!(all["ApproximateNumberOfMessages"], "1");
    assert_eq!(all["ApproximateNumberOfMessagesNotVisible"], "1");
    assert_eq!(all["ApproximateNumberOfMessagesDelayed"], "1");
}

#[test]
fn set_queue_attributes_ranges() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("DelaySeconds", &["0", "900"], &["-1", "901", "x", ""]),
        ("MaximumMessageSize", &["1024", "1048576"], &["1023", "1048577"]),
        ("MessageRetentionPeriod", &["60", "1209600"], &["59", "1209601"]),
        ("ReceiveMessageWaitTimeSeconds", &["0", "20"], &["21"]),
        ("VisibilityTimeout", &["0", "43200"], &["43201"]),
        ("KmsDataKeyReusePeriodSeconds", &["60", "86400"], &["59", "86401"]),
        ("SqsManagedSseEnabled", &["false", "true"], &["maybe"]),
    ];
    for &(name, good, bad) in cases {
        for &value in good {
            e.sqs()
                .set_queue_attributes(SetQueueAttributes { queue_url: u.clone(), attributes: attrs(&[(name, value)]) })
                .unwrap_or_else(|err| panic!("{name}={value}: {err}"));
            if name != "KmsDataKeyReusePeriodSeconds" {
                assert_eq!(get_all(&mut e, &u)[name], value, "{name}");
            }
        }
        for &value in bad {
            assert_err(
                e.sqs().set_queue_attributes(SetQueueAttributes {
                    queue_url: u.clone(),
                    attributes: attrs(&[(name, value)]),
                }),
                InvalidAttributeValue,
                &format!("Invalid value for the parameter {name}."),
            );
        }
    }
}

#[test]
fn set_queue_attributes_is_all_or_nothing_and_updates_last_modified() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    e.drain_events();
    e.advance_by(secs(10));
    let result = e.sqs().set_queue_attributes(SetQueueAttributes {
        queue_url: u.clone(),
        attributes: attrs(&[("DelaySeconds", "5"), ("VisibilityTimeout", "99999")]),
    });
    assert_err(result, InvalidAttributeValue, "Invalid value for the parameter VisibilityTimeout.");
    let all = get_all(&mut e, &u);
    assert_eq!(all["DelaySeconds"], "0");
    assert_eq!(all["LastModifiedTimestamp"], all["CreatedTimestamp"]);
    e.sqs()
        .set_queue_attributes(SetQueueAttributes { queue_url: u.clone(), attributes: attrs(&[("DelaySeconds", "5")]) })
        .unwrap();
    let all = get_all(&mut e, &u);
    assert_eq!(all["DelaySeconds"], "5");
    let created: u64 = all["CreatedTimestamp"].parse().unwrap();
    assert_eq!(all["LastModifiedTimestamp"], (created + 10).to_string());
    let events: Vec<Event> = e.drain_events().into_iter().map(|l| l.event).collect();
    assert_eq!(events, vec![Event::QueueAttributesChanged { queue: "q".into() }]);
}

#[test]
fn unknown_and_fifo_only_attributes() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let set = |e: &mut decouple_engine::Engine, pairs: &[(&str, &str)]| {
        e.sqs().set_queue_attributes(SetQueueAttributes { queue_url: url("q"), attributes: attrs(pairs) })
    };
    assert_err(set(&mut e, &[("Colour", "blue")]), InvalidAttributeName, "Unknown Attribute Colour.");
    assert_err(
        set(&mut e, &[("ApproximateNumberOfMessages", "1")]),
        InvalidAttributeName,
        "Unknown Attribute ApproximateNumberOfMessages.",
    );
    assert_err(
        e.sqs().get_queue_attributes(GetQueueAttributes { queue_url: u, attribute_names: vec!["Colour".into()] }),
        InvalidAttributeName,
        "Unknown Attribute Colour.",
    );
    assert_err(set(&mut e, &[("FifoQueue", "true")]), InvalidAttributeName, "Unknown Attribute FifoQueue.");
    assert_err(
        set(&mut e, &[("ContentBasedDeduplication", "true")]),
        InvalidAttributeName,
        "Unknown Attribute ContentBasedDeduplication.",
    );
    assert_err(
        set(&mut e, &[("DeduplicationScope", "queue")]),
        InvalidAttributeName,
        "You can specify the DeduplicationScope only when FifoQueue is set to true.",
    );
    assert_err(
        try_create(&mut e, "other", &[("FifoThroughputLimit", "perQueue")]),
        InvalidAttributeName,
        "You can specify the FifoThroughputLimit only when FifoQueue is set to true.",
    );

    let f = create(&mut e, "f.fifo", &[]);
    let set_f = |e: &mut decouple_engine::Engine, pairs: &[(&str, &str)]| {
        e.sqs().set_queue_attributes(SetQueueAttributes { queue_url: f.clone(), attributes: attrs(pairs) })
    };
    assert_err(
        set_f(&mut e, &[("FifoQueue", "false")]),
        InvalidAttributeValue,
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
    );
    assert_err(
        set_f(&mut e, &[("DeduplicationScope", "group")]),
        InvalidAttributeValue,
        "Invalid value for the parameter DeduplicationScope.",
    );
    assert_err(
        set_f(&mut e, &[("FifoThroughputLimit", "perMessageGroupId")]),
        InvalidAttributeValue,
        "Invalid value for the parameter FifoThroughputLimit. Reason: The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.",
    );
    set_f(&mut e, &[("FifoThroughputLimit", "perMessageGroupId"), ("DeduplicationScope", "messageGroup")]).unwrap();
    set_f(&mut e, &[("ContentBasedDeduplication", "true")]).unwrap();
    let all = get_all(&mut e, &url("f.fifo"));
    assert_eq!(all["FifoThroughputLimit"], "perMessageGroupId");
    assert_eq!(all["DeduplicationScope"], "messageGroup");
    assert_eq!(all["ContentBasedDeduplication"], "true");
}

#[test]
fn sse_attributes() {
    let mut e = engine();
    assert_err(
        try_create(&mut e, "q", &[("KmsMasterKeyId", "alias/aws/sqs"), ("SqsManagedSseEnabled", "true")]),
        InvalidAttributeName,
        "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.",
    );
    let u = create(&mut e, "q", &[("KmsMasterKeyId", "alias/aws/sqs")]);
    let all = get_all(&mut e, &u);
    assert_eq!(all["KmsMasterKeyId"], "alias/aws/sqs");
    assert_eq!(all["KmsDataKeyReusePeriodSeconds"], "300");
    assert_eq!(all["SqsManagedSseEnabled"], "false");
    e.sqs()
        .set_queue_attributes(SetQueueAttributes {
            queue_url: u.clone(),
            attributes: attrs(&[("SqsManagedSseEnabled", "true")]),
        })
        .unwrap();
    let all = get_all(&mut e, &u);
    assert_eq!(all["SqsManagedSseEnabled"], "true");
    assert!(!all.contains_key("KmsMasterKeyId"));
    assert!(!all.contains_key("KmsDataKeyReusePeriodSeconds"));
}

#[test]
fn policy_attribute_must_be_a_json_object() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    assert_err(
        e.sqs()
            .set_queue_attributes(SetQueueAttributes { queue_url: u.clone(), attributes: attrs(&[("Policy", "[1]")]) }),
        InvalidAttributeValue,
        "Invalid value for the parameter Policy.",
    );
    let policy = r#"{"Version":"2012-10-17","Statement":[]}"#;
    e.sqs()
        .set_queue_attributes(SetQueueAttributes { queue_url: u.clone(), attributes: attrs(&[("Policy", policy)]) })
        .unwrap();
    assert_eq!(get_all(&mut e, &u)["Policy"], policy);
    e.sqs()
        .set_queue_attributes(SetQueueAttributes { queue_url: u.clone(), attributes: attrs(&[("Policy", "")]) })
        .unwrap();
    assert!(!get_all(&mut e, &u).contains_key("Policy"));
}

#[test]
fn redrive_policy_validation() {
    let mut e = engine();
    create(&mut e, "dlq", &[]);
    create(&mut e, "dlq.fifo", &[]);
    let u = create(&mut e, "src", &[]);
    let set = |e: &mut decouple_engine::Engine, value: &str| {
        e.sqs().set_queue_attributes(SetQueueAttributes {
            queue_url: url("src"),
            attributes: attrs(&[("RedrivePolicy", value)]),
        })
    };
    let reason = |v: &str, r: &str| format!("Value {v} for parameter RedrivePolicy is invalid. Reason: {r}");
    assert_err(set(&mut e, "nope"), InvalidParameterValue, &reason("nope", "Redrive policy is not a valid JSON map."));
    assert_err(set(&mut e, "[]"), InvalidParameterValue, &reason("[]", "Redrive policy is not a valid JSON map."));
    let no_arn = r#"{"maxReceiveCount":3}"#;
    assert_err(
        set(&mut e, no_arn),
        InvalidParameterValue,
        &reason(no_arn, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn."),
    );
    for count in ["0", "1001", "\"x\""] {
        let v = format!("{{\"deadLetterTargetArn\":\"{}\",\"maxReceiveCount\":{count}}}", arn("dlq"));
        let shown = count.trim_matches('"');
        assert_err(
            set(&mut e, &v),
            InvalidParameterValue,
            &reason(
                &v,
                &format!("Invalid value for maxReceiveCount: {shown}, valid values are from 1 to 1000 both inclusive."),
            ),
        );
    }
    let extra = format!("{{\"deadLetterTargetArn\":\"{}\",\"colour\":1}}", arn("dlq"));
    assert_err(
        set(&mut e, &extra),
        InvalidParameterValue,
        &reason(
            &extra,
            "Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount]. Found: colour.",
        ),
    );
    let missing = format!("{{\"deadLetterTargetArn\":\"{}\",\"maxReceiveCount\":3}}", arn("ghost"));
    assert_err(set(&mut e, &missing), InvalidParameterValue, &reason(&missing, "Dead letter target does not exist."));
    let to_fifo = format!("{{\"deadLetterTargetArn\":\"{}\",\"maxReceiveCount\":3}}", arn("dlq.fifo"));
    assert_err(
        set(&mut e, &to_fifo),
        InvalidParameterValue,
        &reason(&to_fifo, "Dead-letter queue must be same type of queue as the source."),
    );

    // maxReceiveCount may be a string, and defaults to 10; the stored form is normalised.
    set(&mut e, &format!("{{\"deadLetterTargetArn\":\"{}\",\"maxReceiveCount\":\"5\"}}", arn("dlq"))).unwrap();
    assert_eq!(get_all(&mut e, &u)["RedrivePolicy"], redrive("dlq", 5));
    set(&mut e, &format!("{{\"deadLetterTargetArn\":\"{}\"}}", arn("dlq"))).unwrap();
    assert_eq!(get_all(&mut e, &u)["RedrivePolicy"], redrive("dlq", 10));
    set(&mut e, "").unwrap();
    assert!(!get_all(&mut e, &u).contains_key("RedrivePolicy"));
}

#[test]
fn redrive_allow_policy_is_enforced() {
    let mut e = engine();
    create(&mut e, "closed", &[("RedriveAllowPolicy", r#"{"redrivePermission":"denyAll"}"#)]);
    let by_queue = format!(r#"{{"redrivePermission":"byQueue","sourceQueueArns":["{}"]}}"#, arn("friend"));
    create(&mut e, "picky", &[("RedriveAllowPolicy", &by_queue)]);
    let policy = redrive("closed", 3);
    assert_err(
        try_create(&mut e, "src", &[("RedrivePolicy", &policy)]),
        InvalidParameterValue,
        &format!(
            "Value {policy} for parameter RedrivePolicy is invalid. Reason: Queue {} does not allow this queue to use it as a dead-letter queue.",
            arn("closed")
        ),
    );
    let policy = redrive("picky", 3);
    assert!(try_create(&mut e, "stranger", &[("RedrivePolicy", &policy)]).is_err());
    try_create(&mut e, "friend", &[("RedrivePolicy", &policy)]).unwrap();
    assert_err(
        try_create(&mut e, "bad", &[("RedriveAllowPolicy", r#"{"redrivePermission":"byQueue"}"#)]),
        InvalidAttributeValue,
        "Invalid value for the parameter RedriveAllowPolicy. Reason: When redrivePermission is byQueue, sourceQueueArns must list 1 to 10 queue ARNs.",
    );
    assert_eq!(get_all(&mut e, &url("picky"))["RedriveAllowPolicy"], by_queue);
}

#[test]
fn retention_change_applies_to_messages_already_queued() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "old");
    e.advance_by(secs(100));
    e.sqs()
        .set_queue_attributes(SetQueueAttributes {
            queue_url: u.clone(),
            attributes: attrs(&[("MessageRetentionPeriod", "120")]),
        })
        .unwrap();
    e.advance_by(secs(19));
    assert_eq!(counts(&e, "q"), (1, 0, 0));
    e.advance_by(secs(1));
    assert_eq!(counts(&e, "q"), (0, 0, 0), "expires 120 s after it was sent");
}

// ---------------------------------------------------------------------------
// DeleteQueue, PurgeQueue

#[test]
fn delete_queue_cancels_everything_it_scheduled() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "a");
    e.sqs().send_message(SendMessage { delay_seconds: Some(30), ..send_req(&u, "b") }).unwrap();
    receive(&mut e, &u, 1);
    assert!(e.pending_deadlines() > 0);
    e.sqs().delete_queue(QueueUrlOnly { queue_url: u.clone() }).unwrap();
    // Only the name reservation is left.
    assert_eq!(e.pending_deadlines(), 1);
    e.advance_by(secs(60));
    assert_eq!(e.pending_deadlines(), 0);
    assert_err(
        e.sqs().delete_queue(QueueUrlOnly { queue_url: u }),
        QueueDoesNotExist,
        "The specified queue does not exist.",
    );
}

#[test]
fn purge_queue_removes_every_message_and_then_waits_60_seconds() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "visible");
    send(&mut e, &u, "in flight");
    e.sqs().send_message(SendMessage { delay_seconds: Some(60), ..send_req(&u, "delayed") }).unwrap();
    receive(&mut e, &u, 1);
    assert_eq!(counts(&e, "q"), (1, 1, 1));
    e.drain_events();
    e.sqs().purge_queue(QueueUrlOnly { queue_url: u.clone() }).unwrap();
    assert_eq!(counts(&e, "q"), (0, 0, 0));
    let events: Vec<Event> = e.drain_events().into_iter().map(|l| l.event).collect();
    assert_eq!(events, vec![Event::QueuePurged { queue: "q".into(), messages: 3 }]);
    let msg = "Only one PurgeQueue operation on q is allowed every 60 seconds.";
    assert_err(e.sqs().purge_queue(QueueUrlOnly { queue_url: u.clone() }), PurgeQueueInProgress, msg);
    e.advance_by(secs(59));
    assert_err(e.sqs().purge_queue(QueueUrlOnly { queue_url: u.clone() }), PurgeQueueInProgress, msg);
    e.advance_by(secs(1));
    e.sqs().purge_queue(QueueUrlOnly { queue_url: u }).unwrap();
    assert_eq!(PurgeQueueInProgress.http_status(), 403);
}

// ---------------------------------------------------------------------------
// SendMessage

#[test]
fn send_message_digests_match_aws() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let plain = send(&mut e, &u, "msg");
    assert_eq!(plain.md5_of_message_body.as_str(), "6e2baaf3b97dbeef01c0043275f9a0e7");
    assert_eq!(plain.md5_of_message_attributes, None);
    assert_eq!(plain.sequence_number, None);
    assert_eq!(plain.message_id.len(), 36);

    let foo = BTreeMap::from([("Foo".to_string(), string_attr("Bar"))]);
    let sent = e.sqs().send_message(SendMessage { message_attributes: foo, ..send_req(&u, "msg") }).unwrap();
    assert_eq!(sent.md5_of_message_attributes.as_deref(), Some("ae7155c6026991b6d54b11589678bf9c"));

    let num = BTreeMap::from([("attr1".to_string(), MessageAttributeValue::number("99.12"))]);
    let sent = e.sqs().send_message(SendMessage { message_attributes: num, ..send_req(&u, "msg") }).unwrap();
    assert_eq!(sent.md5_of_message_attributes.as_deref(), Some("d302007e9aa062660afc85fd0a482472"));

    // The receiver sees the same digests for the attributes it asked for.
    let got = receive(&mut e, &u, 10);
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|m| m.md5_of_body.as_str() == "6e2baaf3b97dbeef01c0043275f9a0e7"));
    // As the queue keeps it, beside the id the receive answered with.
    let queue = e.sqs_state().queue_by_name("q").unwrap();
    for (stored, received) in queue.messages().zip(&got) {
        assert_eq!(stored.md5_of_body(), "6e2baaf3b97dbeef01c0043275f9a0e7");
        assert_eq!(stored.id.to_string(), received.message_id.as_str());
    }
    assert_eq!(got[0].md5_of_message_attributes, None);
    assert_eq!(got[1].md5_of_message_attributes.as_deref(), Some("ae7155c6026991b6d54b11589678bf9c"));
    assert_eq!(got[2].md5_of_message_attributes.as_deref(), Some("d302007e9aa062660afc85fd0a482472"));
    assert_eq!(got[2].message_attributes["attr1"], MessageAttributeValue::number("99.12"));
}

#[test]
fn received_message_attributes_follow_the_requested_names() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let attributes = BTreeMap::from([
        ("a.x".to_string(), string_attr("1")),
        ("a.y".to_string(), string_attr("2")),
        ("b".to_string(), MessageAttributeValue::binary(vec![1u8, 2, 3])),
    ]);
    e.sqs().send_message(SendMessage { message_attributes: attributes, ..send_req(&u, "m") }).unwrap();
    let req = ReceiveMessage { message_attribute_names: vec!["a.*".into()], ..receive_req(&u, 1) };
    let got = ready(e.sqs().receive_message(req));
    assert_eq!(got[0].message_attributes.keys().collect::<Vec<_>>(), ["a.x", "a.y"]);
    e.advance_by(secs(30));
    let req = ReceiveMessage { message_attribute_names: vec![], ..receive_req(&u, 1) };
    let got = ready(e.sqs().receive_message(req));
    assert!(got[0].message_attributes.is_empty());
    assert_eq!(got[0].md5_of_message_attributes, None);
}

#[test]
fn system_attributes_on_receive() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let t0 = e.now().as_millis();
    let trace = BTreeMap::from([("AWSTraceHeader".to_string(), string_attr("Root=1-abc"))]);
    let sent = e.sqs().send_message(SendMessage { message_system_attributes: trace, ..send_req(&u, "m") }).unwrap();
    assert!(sent.md5_of_message_system_attributes.is_some());
    e.advance_by(secs(5));
    let got = receive(&mut e, &u, 1);
    let m = &got[0];
    assert_eq!(m.message_id, sent.message_id);
    assert_eq!(attr(m, "SentTimestamp"), t0.to_string());
    assert_eq!(attr(m, "ApproximateFirstReceiveTimestamp"), (t0 + 5000).to_string());
    assert_eq!(attr(m, "ApproximateReceiveCount"), "1");
    assert_eq!(attr(m, "SenderId"), ACCOUNT);
    assert_eq!(attr(m, "AWSTraceHeader"), "Root=1-abc");
    assert!(!m.attributes.contains_key("SequenceNumber"));
    let bad = BTreeMap::from([("Other".to_string(), string_attr("x"))]);
    assert_err(
        e.sqs().send_message(SendMessage { message_system_attributes: bad, ..send_req(&u, "m") }),
        InvalidParameterValue,
        "Message system attribute name 'Other' is invalid.",
    );
    // Only the requested system attributes come back.
    e.advance_by(secs(30));
    let req = ReceiveMessage {
        message_system_attribute_names: vec![],
        attribute_names: vec!["ApproximateReceiveCount".into()],
        ..receive_req(&u, 1)
    };
    let got = ready(e.sqs().receive_message(req));
    assert_eq!(got[0].attributes, BTreeMap::from([("ApproximateReceiveCount".to_string(), "2".to_string())]));
}

#[test]
fn message_size_limit_counts_attributes() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let max = 1_048_576;
    // Attribute "a" of type "String" with value "x" adds 1 + 6 + 1 bytes.
    let attribute = || BTreeMap::from([("a".to_string(), string_attr("x"))]);
    let at_limit = "b".repeat(max - 8);
    e.sqs()
        .send_message(SendMessage { message_attributes: attribute(), ..send_req(&u, &at_limit) })
        .expect("exactly 1 MiB with attributes is accepted");
    let over = "b".repeat(max - 7);
    assert_err(
        e.sqs().send_message(SendMessage { message_attributes: attribute(), ..send_req(&u, &over) }),
        InvalidParameterValue,
        "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.",
    );
    send(&mut e, &u, &"c".repeat(max));
    assert_err(
        e.sqs().send_message(send_req(&u, &"c".repeat(max + 1))),
        InvalidParameterValue,
        "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.",
    );
    // Multi-byte characters count in bytes.
    assert!(e.sqs().send_message(send_req(&u, &"é".repeat(max / 2 + 1))).is_err());
    // The queue's own MaximumMessageSize applies.
    let small = create(&mut e, "small", &[("MaximumMessageSize", "1024")]);
    send(&mut e, &small, &"d".repeat(1024));
    assert_err(
        e.sqs().send_message(send_req(&small, &"d".repeat(1025))),
        InvalidParameterValue,
        "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.",
    );
}

#[test]
fn message_body_characters() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let msg = "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF";
    // Long bodies too, where the bytes are checked many at a time: a bad
    // character far in, after a line break or not.
    let long_bad =
        ["x".repeat(150) + "\u{1}" + &"y".repeat(49), "x\n".repeat(75) + "\u{1}", "é".repeat(90) + "\u{FFFE}"];
    for bad in
        ["\u{0}", "a\u{1}b", "\u{1F}", "\u{FFFE}", "\u{FFFF}"].into_iter().chain(long_bad.iter().map(String::as_str))
    {
        assert_err(e.sqs().send_message(send_req(&u, bad)), InvalidMessageContents, msg);
    }
    let long_good = ["{\n\t\"a\": 1\r\n}\n".repeat(20), "\u{7F}~ ".repeat(70), "é🦀".repeat(40)];
    for good in ["\t\n\r", " ", "\u{7F}", "\u{D7FF}", "\u{E000}", "\u{FFFD}", "\u{10000}", "🦀", "\u{10FFFF}"]
        .into_iter()
        .chain(long_good.iter().map(String::as_str))
    {
        send(&mut e, &u, good);
    }
    assert_err(
        e.sqs().send_message(send_req(&u, "")),
        MissingParameter,
        "The request must contain the parameter MessageBody.",
    );
    let bad_attr = BTreeMap::from([("a".to_string(), string_attr("\u{0}"))]);
    assert_err(
        e.sqs().send_message(SendMessage { message_attributes: bad_attr, ..send_req(&u, "m") }),
        InvalidMessageContents,
        "Message (user) attribute 'a' contains invalid characters.",
    );
}

#[test]
fn message_attribute_rules() {
    let mut e = engine();
    create(&mut e, "q", &[]);
    let send_with = |e: &mut decouple_engine::Engine, attributes: MessageAttributes| {
        e.sqs().send_message(SendMessage { message_attributes: attributes, ..send_req(&url("q"), "m") })
    };
    let eleven: MessageAttributes = (0..11).map(|i| (format!("a{i}"), string_attr("v"))).collect();
    assert_err(
        send_with(&mut e, eleven),
        InvalidParameterValue,
        "Number of message attributes [11] exceeds the allowed maximum [10].",
    );
    let ten: MessageAttributes = (0..10).map(|i| (format!("a{i}"), string_attr("v"))).collect();
    send_with(&mut e, ten).unwrap();
    let invalid_name = |n: &str| {
        format!("The message attribute name '{n}' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters.")
    };
    for name in ["AWS.x", "amazon.y", ".lead", "trail.", "a..b", "sp ace", ""] {
        assert_err(
            send_with(&mut e, BTreeMap::from([(name.to_string(), string_attr("v"))])),
            InvalidParameterValue,
            &invalid_name(name),
        );
    }
    let long = "n".repeat(257);
    assert_err(
        send_with(&mut e, BTreeMap::from([(long.clone(), string_attr("v"))])),
        InvalidParameterValue,
        &format!("Message (user) attribute name '{long}' exceeds the maximum allowed length of 256 characters."),
    );
    assert_err(
        send_with(&mut e, BTreeMap::from([("ErrorDetails".to_string(), string_attr(""))])),
        InvalidParameterValue,
        "Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.",
    );
    assert_err(
        send_with(&mut e, BTreeMap::from([("n".to_string(), MessageAttributeValue::number("12x"))])),
        InvalidParameterValue,
        "Can't cast the value of message (user) attribute 'n' to a number.",
    );
    assert_err(
        send_with(&mut e, BTreeMap::from([("b".to_string(), MessageAttributeValue::binary(Vec::<u8>::new()))])),
        InvalidParameterValue,
        "Message (user) attribute 'b' must contain a non-empty value of type 'Binary'.",
    );
    let weird =
        MessageAttributeValue { data_type: "Blob".into(), string_value: Some("v".into()), ..Default::default() };
    assert_err(
        send_with(&mut e, BTreeMap::from([("w".to_string(), weird)])),
        InvalidParameterValue,
        "The message attribute 'w' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
    );
    let custom = MessageAttributeValue {
        data_type: "Number.int".into(),
        string_value: Some("-1.5e10".into()),
        ..Default::default()
    };
    send_with(&mut e, BTreeMap::from([("c".to_string(), custom)])).unwrap();
}

#[test]
fn send_message_parameter_errors() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    for d in [-1, 901] {
        assert_err(
            e.sqs().send_message(SendMessage { delay_seconds: Some(d), ..send_req(&u, "m") }),
            InvalidParameterValue,
            &format!("Value {d} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."),
        );
    }
    assert_err(
        e.sqs().send_message(SendMessage { message_deduplication_id: Some("d".into()), ..send_req(&u, "m") }),
        InvalidParameterValue,
        "Value d for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.",
    );
    // A standard queue accepts a MessageGroupId (fair queues) and returns it.
    let fair = SendMessage { message_group_id: Some("tenant-1".into()), ..send_req(&u, "m") };
    e.sqs().send_message(fair).unwrap();
    let got = receive(&mut e, &u, 1);
    assert_eq!(attr(&got[0], "MessageGroupId"), "tenant-1");
    assert_eq!(e.sqs_state().queue_by_name("q").unwrap().stats.sent, 1, "failed sends store nothing");
}

// ---------------------------------------------------------------------------
// SendMessageBatch

fn entry(id: &str, body: &str) -> SendMessageBatchEntry {
    SendMessageBatchEntry { id: id.into(), message_body: body.into(), ..Default::default() }
}

#[test]
fn send_message_batch_request_errors() {
    let mut e = engine();
    create(&mut e, "q", &[]);
    let batch = |entries: Vec<SendMessageBatchEntry>| SendMessageBatch { queue_url: url("q"), entries };
    assert_err(
        e.sqs().send_message_batch(batch(vec![])),
        EmptyBatchRequest,
        "There should be at least one SendMessageBatchRequestEntry in the request.",
    );
    let eleven = (0..11).map(|i| entry(&format!("e{i}"), "m")).collect();
    assert_err(
        e.sqs().send_message_batch(batch(eleven)),
        TooManyEntriesInBatchRequest,
        "Maximum number of entries per request are 10. You have sent 11.",
    );
    assert_err(
        e.sqs().send_message_batch(batch(vec![entry("a", "1"), entry("b", "2"), entry("a", "3")])),
        BatchEntryIdsNotDistinct,
        "Id a repeated.",
    );
    let id_rule = "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.";
    let too_long = "x".repeat(81);
    for bad in ["", "a b", "a.b", too_long.as_str()] {
        assert_err(e.sqs().send_message_batch(batch(vec![entry(bad, "m")])), InvalidBatchEntryId, id_rule);
    }
    e.sqs().send_message_batch(batch(vec![entry(&"x".repeat(80), "m"), entry("A-z_9", "m")])).unwrap();
    // Total size: sum of bodies and attributes.
    let big = "b".repeat(524_288);
    let with_attr = SendMessageBatchEntry {
        message_attributes: BTreeMap::from([("a".to_string(), string_attr("x"))]),
        ..entry("two", &big)
    };
    assert_err(
        e.sqs().send_message_batch(batch(vec![entry("one", &big), with_attr])),
        BatchRequestTooLong,
        "Batch requests cannot be longer than 1048576 bytes. You have sent 1048584 bytes.",
    );
    e.sqs().send_message_batch(batch(vec![entry("one", &big), entry("two", &big)])).unwrap();
    assert_eq!(e.sqs_state().queue_by_name("q").unwrap().len(), 4);
}

#[test]
fn send_message_batch_reports_each_entry() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let entries = vec![
        entry("ok1", "msg"),
        entry("empty", ""),
        entry("badchar", "\u{0}"),
        SendMessageBatchEntry { delay_seconds: Some(901), ..entry("delay", "m") },
        SendMessageBatchEntry { delay_seconds: Some(5), ..entry("ok2", "later") },
    ];
    let r = e.sqs().send_message_batch(SendMessageBatch { queue_url: u.clone(), entries }).unwrap();
    assert_eq!(r.successful.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(), ["ok1", "ok2"]);
    assert_eq!(r.successful[0].md5_of_message_body.as_str(), "6e2baaf3b97dbeef01c0043275f9a0e7");
    assert_ne!(r.successful[0].message_id, r.successful[1].message_id);
    assert_eq!(
        r.failed,
        vec![
            BatchResultErrorEntry {
                id: "empty".into(),
                sender_fault: true,
                code: "MissingParameter".into(),
                message: "The request must contain the parameter MessageBody.".into(),
            },
            BatchResultErrorEntry {
                id: "badchar".into(),
                sender_fault: true,
                code: "InvalidMessageContents".into(),
                message: "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF".into(),
            },
            BatchResultErrorEntry {
                id: "delay".into(),
                sender_fault: true,
                code: "InvalidParameterValue".into(),
                message: "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900."
                    .into(),
            },
        ]
    );
    assert_eq!(counts(&e, "q"), (1, 0, 1));
}

// ---------------------------------------------------------------------------
// ReceiveMessage

#[test]
fn receive_message_parameter_errors() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let r = |e: &mut decouple_engine::Engine, req: ReceiveMessage| e.sqs().receive_message(req);
    for n in [0, 11] {
        assert_err(
            r(&mut e, receive_req(&u, n)),
            InvalidParameterValue,
            &format!("Value {n} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."),
        );
    }
    for n in [-1, 21] {
        assert_err(
            r(&mut e, ReceiveMessage { wait_time_seconds: Some(n), ..receive_req(&u, 1) }),
            InvalidParameterValue,
            &format!(
                "Value {n} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."
            ),
        );
    }
    for n in [-1, 43201] {
        assert_err(
            r(&mut e, ReceiveMessage { visibility_timeout: Some(n), ..receive_req(&u, 1) }),
            InvalidParameterValue,
            &format!(
                "Value {n} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
            ),
        );
    }
    // Empty queue: an empty answer, counted as an empty receive.
    assert!(receive(&mut e, &u, 10).is_empty());
    assert_eq!(e.sqs_state().queue_by_name("q").unwrap().stats.empty_receives, 1);
}

#[test]
fn receive_hides_messages_for_the_visibility_timeout() {
    let mut e = engine();
    let u = create(&mut e, "q", &[("VisibilityTimeout", "20")]);
    for b in ["1", "2", "3"] {
        send(&mut e, &u, b);
    }
    assert_eq!(bodies(&receive(&mut e, &u, 2)), ["1", "2"]);
    assert_eq!(counts(&e, "q"), (1, 2, 0));
    assert_eq!(bodies(&receive(&mut e, &u, 10)), ["3"]);
    assert!(receive(&mut e, &u, 10).is_empty());
    e.advance_by(millis(19_999));
    assert!(receive(&mut e, &u, 10).is_empty());
    e.advance_by(millis(1));
    let again = receive(&mut e, &u, 10);
    assert_eq!(bodies(&again), ["1", "2", "3"]);
    assert!(again.iter().all(|m| attr(m, "ApproximateReceiveCount") == "2"));
    // A per-request VisibilityTimeout overrides the queue's.
    e.advance_by(secs(20));
    receive_vt(&mut e, &u, 1, 5);
    e.advance_by(secs(5));
    assert_eq!(counts(&e, "q"), (3, 0, 0));
}

#[test]
fn visibility_timeout_zero_makes_the_message_receivable_at_once() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "m");
    assert_eq!(receive_vt(&mut e, &u, 10, 0).len(), 1);
    assert_eq!(counts(&e, "q"), (1, 0, 0));
    let again = receive_vt(&mut e, &u, 10, 0);
    assert_eq!(again.len(), 1, "one receive hands a message out once, the next gets it again");
    assert_eq!(attr(&again[0], "ApproximateReceiveCount"), "2");
}

#[test]
fn over_limit_at_120000_in_flight_on_short_polls_of_standard_queues() {
    let mut e = decouple_engine::Engine::new(decouple_engine::EngineConfig {
        event_capacity: 0,
        ..decouple_engine::EngineConfig::default()
    });
    let u = create(&mut e, "busy", &[("VisibilityTimeout", "43200")]);
    for batch in 0..12_001 {
        let entries = (0..10).map(|i| entry(&format!("e{i}"), &format!("{batch}-{i}"))).collect();
        let r = e.sqs().send_message_batch(SendMessageBatch { queue_url: u.clone(), entries }).unwrap();
        assert!(r.failed.is_empty());
    }
    for _ in 0..12_000 {
        let got = ready(e.sqs().receive_message(ReceiveMessage {
            queue_url: u.clone(),
            max_number_of_messages: Some(10),
            ..Default::default()
        }));
        assert_eq!(got.len(), 10);
    }
    assert_eq!(counts(&e, "busy"), (10, 120_000, 0));
    assert_err(
        e.sqs().receive_message(receive_req(&u, 1)),
        OverLimit,
        "Too many messages have been received without being deleted. Please delete your received messages or let them timeout before receiving more.",
    );
    assert_eq!(OverLimit.http_status(), 403);
    // A long poll gets no error.
    let long = ReceiveMessage { wait_time_seconds: Some(1), ..receive_req(&u, 1) };
    assert_eq!(ready(e.sqs().receive_message(long)).len(), 1);
}

// ---------------------------------------------------------------------------
// Long polling

#[test]
fn long_poll_waits_and_wakes_on_send() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let req = ReceiveMessage { wait_time_seconds: Some(20), ..receive_req(&u, 10) };
    let Receive::Pending(ticket) = e.sqs().receive_message(req).unwrap() else { panic!("should wait") };
    assert!(e.sqs().is_waiting(ticket));
    assert_eq!(e.sqs_state().waiting_polls(e.sqs_state().queue_by_name("q").unwrap().id).collect::<Vec<_>>(), [ticket]);
    e.advance_by(secs(7));
    assert_eq!(e.sqs().take_poll_result(ticket), None);
    send(&mut e, &u, "hello");
    assert!(!e.sqs().is_waiting(ticket));
    let result = e.sqs().take_poll_result(ticket).unwrap().unwrap();
    assert_eq!(bodies(&result.messages), ["hello"]);
    assert_eq!(e.sqs().take_poll_result(ticket), None, "taken once");
    assert_eq!(counts(&e, "q"), (0, 1, 0));
    // Its timeout no longer fires: only the message's visibility and retention remain.
    assert_eq!(e.pending_deadlines(), 2);
}

#[test]
fn several_long_polls_are_served_oldest_first() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let mut tickets = Vec::new();
    for _ in 0..3 {
        let req = ReceiveMessage { wait_time_seconds: Some(20), ..receive_req(&u, 10) };
        match e.sqs().receive_message(req).unwrap() {
            Receive::Pending(t) => tickets.push(t),
            Receive::Ready(_) => panic!("empty queue should make the poll wait"),
        }
        e.advance_by(secs(1));
    }
    send(&mut e, &u, "first");
    let entries = vec![entry("a", "second"), entry("b", "third")];
    e.sqs().send_message_batch(SendMessageBatch { queue_url: u.clone(), entries }).unwrap();
    let r0 = e.sqs().take_poll_result(tickets[0]).unwrap().unwrap();
    let r1 = e.sqs().take_poll_result(tickets[1]).unwrap().unwrap();
    assert_eq!(bodies(&r0.messages), ["first"]);
    assert_eq!(bodies(&r1.messages), ["second", "third"]);
    assert!(e.sqs().is_waiting(tickets[2]));
    // The third gives up 20 s after it began (it began at +2 s; now is +3 s).
    e.advance_by(millis(18_999));
    assert!(e.sqs().is_waiting(tickets[2]));
    e.advance_by(millis(1));
    assert!(!e.sqs().is_waiting(tickets[2]));
    assert_eq!(e.sqs().take_poll_result(tickets[2]), Some(Ok(ReceiveMessageResult::default())));
}

#[test]
fn long_poll_times_out_after_wait_time_in_virtual_time() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let start = e.now();
    let req = ReceiveMessage { wait_time_seconds: Some(20), ..receive_req(&u, 1) };
    let Receive::Pending(ticket) = e.sqs().receive_message(req).unwrap() else { panic!("should wait") };
    assert_eq!(e.next_deadline(), Some(start + secs(20)));
    e.advance_to_next_deadline();
    assert_eq!(e.now(), start + secs(20));
    assert_eq!(e.sqs().take_poll_result(ticket), Some(Ok(ReceiveMessageResult::default())));
    assert_eq!(e.pending_deadlines(), 0);
    let events: Vec<Event> = e.drain_events().into_iter().skip(1).map(|l| l.event).collect();
    assert_eq!(
        events,
        vec![
            Event::LongPollWaiting { queue: "q".into(), ticket: ticket.0 },
            Event::LongPollCompleted { queue: "q".into(), ticket: ticket.0, messages: 0 },
        ]
    );
}

#[test]
fn queue_default_wait_time_makes_receives_long_polls() {
    let mut e = engine();
    let u = create(&mut e, "q", &[("ReceiveMessageWaitTimeSeconds", "5")]);
    let req = ReceiveMessage { queue_url: u.clone(), ..Default::default() };
    let Receive::Pending(ticket) = e.sqs().receive_message(req).unwrap() else { panic!("queue default applies") };
    e.advance_by(millis(4_999));
    assert!(e.sqs().is_waiting(ticket));
    e.advance_by(millis(1));
    assert!(!e.sqs().is_waiting(ticket));
    // WaitTimeSeconds=0 in the request overrides the queue default.
    assert!(receive(&mut e, &u, 1).is_empty());
}

#[test]
fn long_poll_wakes_when_a_delay_or_visibility_timeout_ends() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    e.sqs().send_message(SendMessage { delay_seconds: Some(3), ..send_req(&u, "late") }).unwrap();
    let req = ReceiveMessage { wait_time_seconds: Some(20), visibility_timeout: Some(10), ..receive_req(&u, 1) };
    let Receive::Pending(t) = e.sqs().receive_message(req.clone()).unwrap() else { panic!() };
    e.advance_by(secs(3));
    assert_eq!(bodies(&e.sqs().take_poll_result(t).unwrap().unwrap().messages), ["late"]);
    let Receive::Pending(t) = e.sqs().receive_message(req).unwrap() else { panic!() };
    e.advance_by(millis(9_999));
    assert!(e.sqs().is_waiting(t));
    e.advance_by(millis(1));
    let again = e.sqs().take_poll_result(t).unwrap().unwrap();
    assert_eq!(attr(&again.messages[0], "ApproximateReceiveCount"), "2");
}

#[test]
fn deleting_a_queue_ends_its_long_polls() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let req = ReceiveMessage { wait_time_seconds: Some(20), ..receive_req(&u, 1) };
    let Receive::Pending(t) = e.sqs().receive_message(req).unwrap() else { panic!() };
    e.sqs().delete_queue(QueueUrlOnly { queue_url: u }).unwrap();
    assert_err(e.sqs().take_poll_result(t).unwrap(), QueueDoesNotExist, "The specified queue does not exist.");
    assert_eq!(e.pending_deadlines(), 1, "only the name reservation");
}

#[test]
fn cancelled_long_poll_leaves_nothing_behind() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let req = ReceiveMessage { wait_time_seconds: Some(20), ..receive_req(&u, 1) };
    let Receive::Pending(t) = e.sqs().receive_message(req).unwrap() else { panic!() };
    e.sqs().cancel_poll(t);
    assert_eq!(e.pending_deadlines(), 0);
    send(&mut e, &u, "m");
    assert_eq!(e.sqs().take_poll_result(t), None);
    assert_eq!(counts(&e, "q"), (1, 0, 0));
}

// ---------------------------------------------------------------------------
// Delays and retention

#[test]
fn queue_delay_and_per_message_delay() {
    let mut e = engine();
    let u = create(&mut e, "q", &[("DelaySeconds", "10")]);
    send(&mut e, &u, "queue default");
    e.sqs().send_message(SendMessage { delay_seconds: Some(3), ..send_req(&u, "own delay") }).unwrap();
    e.sqs().send_message(SendMessage { delay_seconds: Some(0), ..send_req(&u, "no delay") }).unwrap();
    assert_eq!(counts(&e, "q"), (1, 0, 2));
    assert_eq!(bodies(&receive(&mut e, &u, 10)), ["no delay"]);
    e.advance_by(millis(2_999));
    assert!(receive(&mut e, &u, 10).is_empty());
    e.advance_by(millis(1));
    assert_eq!(bodies(&receive(&mut e, &u, 10)), ["own delay"]);
    e.advance_by(secs(7));
    assert_eq!(bodies(&receive(&mut e, &u, 10)), ["queue default"]);
}

#[test]
fn fifo_rejects_per_message_delay_but_honours_the_queue_delay() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[("DelaySeconds", "4")]);
    assert_err(
        e.sqs().send_message(SendMessage { delay_seconds: Some(2), ..fifo_req(&u, "m", "g", Some("d")) }),
        InvalidParameterValue,
        "Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.",
    );
    e.sqs().send_message(SendMessage { delay_seconds: Some(0), ..fifo_req(&u, "zero", "g", Some("d0")) }).unwrap();
    e.sqs().send_message(fifo_req(&u, "m", "h", Some("d"))).unwrap();
    assert_eq!(counts(&e, "q.fifo").2, 1, "the queue's delay applies to a send without DelaySeconds");
    assert_eq!(bodies(&receive(&mut e, &u, 10)), ["zero"]);
    e.advance_by(secs(4));
    assert_eq!(bodies(&receive(&mut e, &u, 1)), ["m"]);
}

#[test]
fn messages_expire_after_the_retention_period() {
    let mut e = engine();
    let u = create(&mut e, "q", &[("MessageRetentionPeriod", "60")]);
    let start = e.now();
    send(&mut e, &u, "visible");
    send(&mut e, &u, "in flight");
    receive_vt(&mut e, &u, 1, 300);
    e.drain_events();
    e.advance_by(millis(59_999));
    assert_eq!(counts(&e, "q"), (1, 1, 0));
    e.advance_by(millis(1));
    assert_eq!(counts(&e, "q"), (0, 0, 0));
    let events = e.drain_events();
    assert!(events.iter().all(|l| l.at == start + secs(60)));
    let events: Vec<Event> = events.into_iter().map(|l| l.event).collect();
    assert_eq!(
        events,
        vec![
            Event::MessageExpired { queue: "q".into(), number: 1 },
            Event::MessageExpired { queue: "q".into(), number: 2 },
        ]
    );
    assert_eq!(e.pending_deadlines(), 0);
}

// ---------------------------------------------------------------------------
// Dead-letter queues

fn receive_and_let_go(e: &mut decouple_engine::Engine, u: &str) -> Vec<Message> {
    let got = receive(e, u, 10);
    e.advance_by(secs(30));
    got
}

#[test]
fn standard_dlq_move_keeps_the_original_enqueue_time() {
    let mut e = engine();
    create(&mut e, "dlq", &[("MessageRetentionPeriod", "120")]);
    let u = create(&mut e, "src", &[("RedrivePolicy", &redrive("dlq", 2))]);
    let start = e.now();
    let sent = send(&mut e, &u, "poison");
    assert_eq!(receive_and_let_go(&mut e, &u).len(), 1);
    assert_eq!(receive_and_let_go(&mut e, &u).len(), 1);
    e.drain_events();
    // Third receive: past maxReceiveCount, so it moves instead of being delivered.
    assert!(receive(&mut e, &u, 10).is_empty());
    let events: Vec<Event> = e.drain_events().into_iter().map(|l| l.event).collect();
    assert_eq!(
        events,
        vec![Event::MovedToDeadLetterQueue {
            queue: "src".into(),
            number: 1,
            dead_letter_queue: "dlq".into(),
            new_number: 1
        }]
    );
    assert_eq!(counts(&e, "src"), (0, 0, 0));
    let moved = receive(&mut e, &url("dlq"), 10);
    assert_eq!(moved.len(), 1);
    assert_eq!(moved[0].message_id, sent.message_id);
    assert_eq!(attr(&moved[0], "DeadLetterQueueSourceArn"), arn("src"));
    assert_eq!(attr(&moved[0], "SentTimestamp"), start.as_millis().to_string());
    assert_eq!(attr(&moved[0], "ApproximateReceiveCount"), "3");
    // Retention counts from the original send (t = 0), not from the move (t = 60 s).
    assert_eq!(e.now(), start + secs(60));
    e.advance_by(millis(59_999));
    assert_eq!(e.sqs_state().queue_by_name("dlq").unwrap().len(), 1);
    e.advance_by(millis(1));
    assert_eq!(e.sqs_state().queue_by_name("dlq").unwrap().len(), 0);
}

#[test]
fn fifo_dlq_move_resets_the_enqueue_time() {
    let mut e = engine();
    create(&mut e, "dlq.fifo", &[("MessageRetentionPeriod", "120")]);
    let u = create(&mut e, "src.fifo", &[("RedrivePolicy", &redrive("dlq.fifo", 2))]);
    let start = e.now();
    send_fifo(&mut e, &u, "poison", "g");
    send_fifo(&mut e, &u, "next", "g");
    assert_eq!(bodies(&receive_and_let_go(&mut e, &u)), ["poison", "next"]);
    assert_eq!(bodies(&receive_and_let_go(&mut e, &u)), ["poison", "next"]);
    // Both are past maxReceiveCount: both move, in order.
    assert!(receive(&mut e, &u, 10).is_empty());
    let moved = receive_vt(&mut e, &url("dlq.fifo"), 10, 0);
    assert_eq!(bodies(&moved), ["poison", "next"]);
    assert_eq!(attr(&moved[0], "MessageGroupId"), "g");
    assert!(attr(&moved[0], "SequenceNumber") < attr(&moved[1], "SequenceNumber"));
    // Retention restarts at the move (t = 60 s): gone at t = 180 s, not t = 120 s.
    e.advance_to(start + secs(179));
    assert_eq!(e.sqs_state().queue_by_name("dlq.fifo").unwrap().len(), 2);
    e.advance_to(start + secs(180));
    assert_eq!(e.sqs_state().queue_by_name("dlq.fifo").unwrap().len(), 0);
}

#[test]
fn dlq_move_wakes_a_long_poll_on_the_dlq() {
    let mut e = engine();
    let dlq = create(&mut e, "dlq", &[]);
    let u = create(&mut e, "src", &[("RedrivePolicy", &redrive("dlq", 1))]);
    send(&mut e, &u, "m");
    receive_and_let_go(&mut e, &u);
    let req = ReceiveMessage { wait_time_seconds: Some(20), ..receive_req(&dlq, 1) };
    let Receive::Pending(t) = e.sqs().receive_message(req).unwrap() else { panic!() };
    assert!(receive(&mut e, &u, 1).is_empty());
    assert_eq!(bodies(&e.sqs().take_poll_result(t).unwrap().unwrap().messages), ["m"]);
}

// ---------------------------------------------------------------------------
// DeleteMessage, DeleteMessageBatch and receipt handles

#[test]
fn delete_message_removes_it() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "m");
    let got = receive(&mut e, &u, 1);
    e.drain_events();
    delete(&mut e, &u, &got[0].receipt_handle).unwrap();
    assert_eq!(counts(&e, "q"), (0, 0, 0));
    let events: Vec<Event> = e.drain_events().into_iter().map(|l| l.event).collect();
    assert_eq!(events, vec![Event::MessageDeleted { queue: "q".into(), number: 1 }]);
    // Deleting again with the same handle succeeds and does nothing.
    delete(&mut e, &u, &got[0].receipt_handle).unwrap();
    assert!(e.drain_events().is_empty());
    assert_eq!(e.pending_deadlines(), 0);
    assert_eq!(e.sqs_state().queue_by_name("q").unwrap().stats.deleted, 1);
}

#[test]
fn receipt_handle_rules() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let other = create(&mut e, "other", &[]);
    assert_err(
        delete(&mut e, &u, "garbage"),
        ReceiptHandleIsInvalid,
        "The input receipt handle \"garbage\" is not a valid receipt handle.",
    );
    assert_err(delete(&mut e, &u, ""), MissingParameter, "The request must contain the parameter ReceiptHandle.");
    send(&mut e, &u, "m");
    let got = receive(&mut e, &u, 1);
    let h = &got[0].receipt_handle;
    assert!(h.starts_with("AQEB"));
    // A handle from another queue is not valid here (AWS Knowledge Center, "sqs-receipt-handle-error").
    assert_err(
        delete(&mut e, &other, h),
        ReceiptHandleIsInvalid,
        &format!("The receipt handle \"{h}\" is not valid for this queue."),
    );
    // Nor is it valid in an engine with another seed.
    let mut foreign = engine_with_seed(2);
    let fu = create(&mut foreign, "q", &[]);
    assert_eq!(delete(&mut foreign, &fu, h).unwrap_err().code, ReceiptHandleIsInvalid);
}

#[test]
fn standard_stale_handle_delete_succeeds_but_does_not_delete() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "m");
    let first = receive(&mut e, &u, 1);
    e.advance_by(secs(30));
    let second = receive(&mut e, &u, 1);
    assert_ne!(first[0].receipt_handle, second[0].receipt_handle);
    delete(&mut e, &u, &first[0].receipt_handle).unwrap();
    assert_eq!(counts(&e, "q"), (0, 1, 0), "old handle: 200, message stays");
    e.advance_by(secs(30));
    let third = receive(&mut e, &u, 1);
    assert_eq!(third[0].message_id, first[0].message_id, "it is received again");
    delete(&mut e, &u, &third[0].receipt_handle).unwrap();
    assert_eq!(counts(&e, "q"), (0, 0, 0));
}

#[test]
fn standard_latest_handle_still_deletes_after_visibility_expired() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "m");
    let got = receive(&mut e, &u, 1);
    e.advance_by(secs(31));
    assert_eq!(counts(&e, "q"), (1, 0, 0));
    delete(&mut e, &u, &got[0].receipt_handle).unwrap();
    assert_eq!(counts(&e, "q"), (0, 0, 0));
}

#[test]
fn fifo_expired_handle_is_refused() {
    let mut e = engine();
    let u = create(&mut e, "q.fifo", &[]);
    send_fifo(&mut e, &u, "m", "g");
    let got = receive_vt(&mut e, &u, 1, 1);
    e.advance_by(secs(2));
    let h = &got[0].receipt_handle;
    assert_err(
        delete(&mut e, &u, h),
        InvalidParameterValue,
        &format!("Value {h} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."),
    );
    assert_err(
        e.sqs().change_message_visibility(ChangeMessageVisibility {
            queue_url: u.clone(),
            receipt_handle: h.clone(),
            visibility_timeout: Some(10),
        }),
        InvalidParameterValue,
        &format!("Value {h} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired."),
    );
    assert_eq!(counts(&e, "q.fifo"), (1, 0, 0));
    // Received again, the old handle is still expired and the new one works.
    let again = receive(&mut e, &u, 1);
    assert!(delete(&mut e, &u, h).is_err());
    delete(&mut e, &u, &again[0].receipt_handle).unwrap();
    assert_eq!(counts(&e, "q.fifo"), (0, 0, 0));
}

#[test]
fn delete_message_batch() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    for b in ["1", "2", "3"] {
        send(&mut e, &u, b);
    }
    let got = receive(&mut e, &u, 10);
    let batch = |entries: Vec<DeleteMessageBatchEntry>| DeleteMessageBatch { queue_url: url("q"), entries };
    let de = |id: &str, h: &str| DeleteMessageBatchEntry { id: id.into(), receipt_handle: h.into() };
    assert_err(
        e.sqs().delete_message_batch(batch(vec![])),
        EmptyBatchRequest,
        "There should be at least one DeleteMessageBatchRequestEntry in the request.",
    );
    let eleven = (0..11).map(|i| de(&format!("d{i}"), &got[0].receipt_handle)).collect();
    assert_err(
        e.sqs().delete_message_batch(batch(eleven)),
        TooManyEntriesInBatchRequest,
        "Maximum number of entries per request are 10. You have sent 11.",
    );
    assert_err(
        e.sqs().delete_message_batch(batch(vec![de("x", "h"), de("x", "h")])),
        BatchEntryIdsNotDistinct,
        "Id x repeated.",
    );
    assert_err(
        e.sqs().delete_message_batch(batch(vec![de("x!", "h")])),
        InvalidBatchEntryId,
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
    );
    let r = e
        .sqs()
        .delete_message_batch(batch(vec![
            de("a", &got[0].receipt_handle),
            de("bad", "garbage"),
            de("c", &got[2].receipt_handle),
        ]))
        .unwrap();
    assert_eq!(r.successful, ["a", "c"]);
    assert_eq!(
        r.failed,
        vec![BatchResultErrorEntry {
            id: "bad".into(),
            sender_fault: true,
            code: "ReceiptHandleIsInvalid".into(),
            message: "The input receipt handle \"garbage\" is not a valid receipt handle.".into(),
        }]
    );
    assert_eq!(counts(&e, "q"), (0, 1, 0));
}

// ---------------------------------------------------------------------------
// ChangeMessageVisibility and its batch form

fn change(e: &mut decouple_engine::Engine, u: &str, h: &str, t: i64) -> Result<(), SqsError> {
    e.sqs().change_message_visibility(ChangeMessageVisibility {
        queue_url: u.into(),
        receipt_handle: h.into(),
        visibility_timeout: Some(t),
    })
}

#[test]
fn change_message_visibility_counts_from_the_call() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "m");
    let h = receive(&mut e, &u, 1)[0].receipt_handle.clone();
    e.advance_by(secs(20));
    change(&mut e, &u, &h, 60).unwrap();
    e.advance_by(millis(59_999));
    assert_eq!(counts(&e, "q"), (0, 1, 0));
    e.advance_by(millis(1));
    assert_eq!(counts(&e, "q"), (1, 0, 0));
    // After it became visible again the latest handle gets 200 and changes nothing.
    change(&mut e, &u, &h, 60).unwrap();
    assert_eq!(counts(&e, "q"), (1, 0, 0));
    // Zero makes an in-flight message visible at once.
    let h = receive(&mut e, &u, 1)[0].receipt_handle.clone();
    change(&mut e, &u, &h, 0).unwrap();
    assert_eq!(counts(&e, "q"), (1, 0, 0));
    assert_eq!(receive(&mut e, &u, 1).len(), 1);
}

#[test]
fn change_message_visibility_errors() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "m");
    let h = receive(&mut e, &u, 1)[0].receipt_handle.clone();
    for t in [-1, 43201] {
        assert_err(
            change(&mut e, &u, &h, t),
            InvalidParameterValue,
            &format!(
                "Value {t} for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
            ),
        );
    }
    assert_err(
        e.sqs().change_message_visibility(ChangeMessageVisibility {
            queue_url: u.clone(),
            receipt_handle: h.clone(),
            visibility_timeout: None,
        }),
        MissingParameter,
        "The request must contain the parameter VisibilityTimeout.",
    );
    assert_err(
        change(&mut e, &u, "garbage", 5),
        ReceiptHandleIsInvalid,
        "The input receipt handle \"garbage\" is not a valid receipt handle.",
    );
    delete(&mut e, &u, &h).unwrap();
    assert_err(
        change(&mut e, &u, &h, 5),
        InvalidParameterValue,
        &format!("Value {h} for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for visibility timeout change."),
    );
}

#[test]
fn visibility_timeout_total_is_limited_to_12_hours() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "m");
    let h = receive(&mut e, &u, 1)[0].receipt_handle.clone();
    change(&mut e, &u, &h, 43_200).unwrap();
    e.advance_by(secs(100));
    assert_err(
        change(&mut e, &u, &h, 43_101),
        InvalidParameterValue,
        "Value 43101 for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
    );
    change(&mut e, &u, &h, 43_100).unwrap();
    e.advance_by(secs(43_099));
    assert_eq!(counts(&e, "q"), (0, 1, 0));
    e.advance_by(secs(1));
    assert_eq!(counts(&e, "q"), (1, 0, 0));
    // A new receive starts a new 12 hours.
    let h = receive(&mut e, &u, 1)[0].receipt_handle.clone();
    change(&mut e, &u, &h, 43_200).unwrap();
}

#[test]
fn change_message_visibility_batch() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    send(&mut e, &u, "1");
    send(&mut e, &u, "2");
    let got = receive(&mut e, &u, 10);
    let ce = |id: &str, h: &str, t: Option<i64>| ChangeMessageVisibilityBatchEntry {
        id: id.into(),
        receipt_handle: h.into(),
        visibility_timeout: t,
    };
    let batch = |entries| ChangeMessageVisibilityBatch { queue_url: url("q"), entries };
    assert_err(
        e.sqs().change_message_visibility_batch(batch(vec![])),
        EmptyBatchRequest,
        "There should be at least one ChangeMessageVisibilityBatchRequestEntry in the request.",
    );
    assert_err(
        e.sqs().change_message_visibility_batch(batch(vec![ce("a", "h", Some(1)), ce("a", "h", Some(1))])),
        BatchEntryIdsNotDistinct,
        "Id a repeated.",
    );
    let r = e
        .sqs()
        .change_message_visibility_batch(batch(vec![
            ce("zero", &got[0].receipt_handle, Some(0)),
            ce("long", &got[1].receipt_handle, Some(100)),
            ce("bad", &got[1].receipt_handle, Some(50_000)),
        ]))
        .unwrap();
    assert_eq!(r.successful, ["zero", "long"]);
    assert_eq!(
        r.failed,
        vec![BatchResultErrorEntry {
            id: "bad".into(),
            sender_fault: true,
            code: "InvalidParameterValue".into(),
            message: "Value 50000 for parameter VisibilityTimeout is invalid. Reason: Must be >= 0 and <= 43200, if provided."
                .into(),
        }]
    );
    assert_eq!(counts(&e, "q"), (1, 1, 0));
    e.advance_by(secs(99));
    assert_eq!(counts(&e, "q"), (1, 1, 0));
    e.advance_by(secs(1));
    assert_eq!(counts(&e, "q"), (2, 0, 0));
}

// ---------------------------------------------------------------------------
// TagQueue, UntagQueue, ListQueueTags

#[test]
fn tags() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let tags = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    e.sqs().tag_queue(TagQueue { queue_url: u.clone(), tags: tags(&[("env", "dev"), ("team", "a")]) }).unwrap();
    e.sqs().tag_queue(TagQueue { queue_url: u.clone(), tags: tags(&[("env", "prod")]) }).unwrap();
    let listed = e.sqs().list_queue_tags(QueueUrlOnly { queue_url: u.clone() }).unwrap();
    assert_eq!(listed.tags, tags(&[("env", "prod"), ("team", "a")]));
    e.sqs().untag_queue(UntagQueue { queue_url: u.clone(), tag_keys: vec!["team".into(), "absent".into()] }).unwrap();
    assert_eq!(e.sqs().list_queue_tags(QueueUrlOnly { queue_url: u.clone() }).unwrap().tags, tags(&[("env", "prod")]));

    assert_err(
        e.sqs().tag_queue(TagQueue { queue_url: u.clone(), tags: BTreeMap::new() }),
        MissingParameter,
        "The request must contain the parameter Tags.",
    );
    assert_err(
        e.sqs().untag_queue(UntagQueue { queue_url: u.clone(), tag_keys: vec![] }),
        MissingParameter,
        "The request must contain the parameter TagKeys.",
    );
    assert_err(
        e.sqs().tag_queue(TagQueue { queue_url: u.clone(), tags: tags(&[("aws:x", "v")]) }),
        InvalidParameterValue,
        "Tag keys must not start with the reserved prefix aws:.",
    );
    let long_key = "k".repeat(129);
    assert_err(
        e.sqs().tag_queue(TagQueue { queue_url: u.clone(), tags: tags(&[(long_key.as_str(), "v")]) }),
        InvalidParameterValue,
        &format!("Tag key {long_key:?} must be 1 to 128 characters long."),
    );
    let long_value = "v".repeat(257);
    assert_err(
        e.sqs().tag_queue(TagQueue { queue_url: u.clone(), tags: tags(&[("k", long_value.as_str())]) }),
        InvalidParameterValue,
        "Tag value for key \"k\" must be at most 256 characters long.",
    );
    let fill: BTreeMap<String, String> = (0..49).map(|i| (format!("t{i}"), "v".to_string())).collect();
    e.sqs().tag_queue(TagQueue { queue_url: u.clone(), tags: fill }).unwrap();
    assert_eq!(e.sqs().list_queue_tags(QueueUrlOnly { queue_url: u.clone() }).unwrap().tags.len(), 50);
    // Overwriting an existing key is fine at 50; a 51st key is not.
    e.sqs().tag_queue(TagQueue { queue_url: u.clone(), tags: tags(&[("env", "x")]) }).unwrap();
    assert_err(
        e.sqs().tag_queue(TagQueue { queue_url: u.clone(), tags: tags(&[("one-more", "x")]) }),
        InvalidParameterValue,
        "Too many tags added for queue q.",
    );
}

// ---------------------------------------------------------------------------
// AddPermission, RemovePermission

#[test]
fn add_and_remove_permission() {
    let mut e = engine();
    let u = create(&mut e, "q", &[]);
    let add = |label: &str, accounts: &[&str], actions: &[&str]| AddPermission {
        queue_url: url("q"),
        label: label.into(),
        aws_account_ids: accounts.iter().map(|s| s.to_string()).collect(),
        actions: actions.iter().map(|s| s.to_string()).collect(),
    };
    e.sqs().add_permission(add("send-only", &["111122223333"], &["SendMessage"])).unwrap();
    e.sqs().add_permission(add("all", &["444455556666", "777788889999"], &["*"])).unwrap();
    let policy = get_all(&mut e, &u)["Policy"].clone();
    let doc: serde_json::Value = serde_json::from_str(&policy).unwrap();
    assert_eq!(doc["Version"], "2012-10-17");
    assert_eq!(doc["Id"], format!("{}/SQSDefaultPolicy", arn("q")));
    let statements = doc["Statement"].as_array().unwrap();
    assert_eq!(statements.len(), 2);
    assert_eq!(statements[0]["Sid"], "send-only");
    assert_eq!(statements[0]["Effect"], "Allow");
    assert_eq!(statements[0]["Principal"]["AWS"][0], "arn:aws:iam::111122223333:root");
    assert_eq!(statements[0]["Action"][0], "SQS:SendMessage");
    assert_eq!(statements[0]["Resource"], arn("q"));
    assert_eq!(statements[1]["Principal"]["AWS"].as_array().unwrap().len(), 2);
    assert_eq!(statements[1]["Action"][0], "SQS:*");

    assert_err(
        e.sqs().add_permission(add("all", &["111122223333"], &["ReceiveMessage"])),
        InvalidParameterValue,
        "Value all for parameter Label is invalid. Reason: Already exists.",
    );
    assert_err(
        e.sqs().add_permission(add("x", &["111122223333"], &["Fly"])),
        InvalidParameterValue,
        "Value SQS:Fly for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.",
    );
    assert_err(
        e.sqs().add_permission(add("bad label", &["111122223333"], &["*"])),
        InvalidParameterValue,
        "Value bad label for parameter Label is invalid. Reason: Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
    );
    assert_err(
        e.sqs().add_permission(add("", &["1"], &["*"])),
        MissingParameter,
        "The request must contain the parameter Label.",
    );
    assert_err(
        e.sqs().add_permission(add("x", &[], &["*"])),
        MissingParameter,
        "The request must contain the parameter AWSAccountIds.",
    );
    assert_err(
        e.sqs().add_permission(add("x", &["1"], &[])),
        MissingParameter,
        "The request must contain the parameter Actions.",
    );

    e.sqs().remove_permission(RemovePermission { queue_url: u.clone(), label: "send-only".into() }).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&get_all(&mut e, &u)["Policy"]).unwrap();
    assert_eq!(doc["Statement"].as_array().unwrap().len(), 1);
    assert_err(
        e.sqs().remove_permission(RemovePermission { queue_url: u.clone(), label: "send-only".into() }),
        InvalidParameterValue,
        "Value send-only for parameter Label is invalid. Reason: can't find label on existing policy.",
    );
    assert_err(
        e.sqs().remove_permission(RemovePermission { queue_url: u.clone(), label: String::new() }),
        MissingParameter,
        "The request must contain the parameter Label.",
    );
    e.sqs().remove_permission(RemovePermission { queue_url: u.clone(), label: "all".into() }).unwrap();
    assert!(!get_all(&mut e, &u).contains_key("Policy"), "no statements left: no policy");
}

// ---------------------------------------------------------------------------
// StartMessageMoveTask, CancelMessageMoveTask, ListMessageMoveTasks

/// A DLQ "dlq" with `n` messages that came from source queue "src".
fn dlq_with_messages(e: &mut decouple_engine::Engine, n: usize) -> (String, String) {
    let dlq = create(e, "dlq", &[]);
    let src = create(e, "src", &[("RedrivePolicy", &redrive("dlq", 1))]);
    for i in 0..n {
        send(e, &src, &format!("m{i}"));
    }
    let mut received = 0;
    while received < n {
        received += receive_vt(e, &src, 10, 0).len();
    }
    while e.sqs_state().queue_by_name("dlq").unwrap().len() < n {
        assert!(receive(e, &src, 10).is_empty());
    }
    assert_eq!(counts(e, "src"), (0, 0, 0));
    (src, dlq)
}

fn list_tasks(e: &mut decouple_engine::Engine, source: &str, max: Option<i64>) -> Vec<MessageMoveTask> {
    e.sqs().list_message_move_tasks(ListMessageMoveTasks { source_arn: arn(source), max_results: max }).unwrap().results
}

#[test]
fn move_task_redrives_to_the_source_at_the_given_rate() {
    let mut e = engine();
    dlq_with_messages(&mut e, 25);
    let start = e.now();
    let started = e
        .sqs()
        .start_message_move_task(StartMessageMoveTask {
            source_arn: arn("dlq"),
            destination_arn: None,
            max_number_of_messages_per_second: Some(10),
        })
        .unwrap();
    let running = list_tasks(&mut e, "dlq", None);
    assert_eq!(
        running,
        vec![MessageMoveTask {
            task_handle: Some(started.task_handle.clone()),
            status: "RUNNING".into(),
            source_arn: arn("dlq"),
            destination_arn: None,
            max_number_of_messages_per_second: Some(10),
            approximate_number_of_messages_moved: 0,
            approximate_number_of_messages_to_move: Some(25),
            failure_reason: None,
            started_timestamp: start.as_millis(),
        }]
    );
    e.advance_by(secs(1));
    assert_eq!(counts(&e, "src"), (10, 0, 0));
    assert_eq!(list_tasks(&mut e, "dlq", None)[0].approximate_number_of_messages_moved, 10);
    e.advance_by(secs(1));
    assert_eq!(counts(&e, "src"), (20, 0, 0));
    e.advance_by(secs(1));
    assert_eq!(counts(&e, "src"), (25, 0, 0));
    assert_eq!(counts(&e, "dlq"), (0, 0, 0));
    let done = &list_tasks(&mut e, "dlq", None)[0];
    assert_eq!(done.status, "COMPLETED");
    assert_eq!(done.task_handle, None);
    assert_eq!(done.approximate_number_of_messages_moved, 25);
    assert_eq!(e.pending_deadlines(), 25, "only the redriven messages' retention");
    // Redriven messages start afresh in the source, in their original order.
    let back = receive(&mut e, &url("src"), 10);
    assert_eq!(bodies(&back)[..3], ["m0", "m1", "m2"]);
    assert!(back.iter().all(|m| attr(m, "ApproximateReceiveCount") == "1"));
    assert!(back.iter().all(|m| !m.attributes.contains_key("DeadLetterQueueSourceArn")));
}

#[test]
fn move_task_to_an_explicit_destination_with_the_default_rate() {
    let mut e = engine();
    dlq_with_messages(&mut e, 3);
    create(&mut e, "elsewhere", &[]);
    e.sqs()
        .start_message_move_task(StartMessageMoveTask {
            source_arn: arn("dlq"),
            destination_arn: Some(arn("elsewhere")),
            max_number_of_messages_per_second: None,
        })
        .unwrap();
    e.advance_by(secs(1));
    assert_eq!(counts(&e, "elsewhere"), (3, 0, 0));
    assert_eq!(counts(&e, "src"), (0, 0, 0));
    let task = &list_tasks(&mut e, "dlq", None)[0];
    assert_eq!(task.status, "COMPLETED");
    assert_eq!(task.destination_arn, Some(arn("elsewhere")));
    assert_eq!(task.max_number_of_messages_per_second, None);
}

#[test]
fn move_task_errors() {
    let mut e = engine();
    dlq_with_messages(&mut e, 3);
    let start = |e: &mut decouple_engine::Engine, source: &str, dest: Option<&str>, rate: Option<i64>| {
        e.sqs().start_message_move_task(StartMessageMoveTask {
            source_arn: source.into(),
            destination_arn: dest.map(Into::into),
            max_number_of_messages_per_second: rate,
        })
    };
    assert_err(start(&mut e, "", None, None), MissingParameter, "The request must contain the parameter SourceArn.");
    assert_err(
        start(&mut e, &arn("src"), None, None),
        InvalidParameterValue,
        "Source queue must be configured as a Dead Letter Queue.",
    );
    assert_err(
        start(&mut e, &arn("ghost"), None, None),
        ResourceNotFoundException,
        "The resource that you specified for the SourceArn parameter doesn't exist.",
    );
    assert_eq!(ResourceNotFoundException.http_status(), 404);
    assert_err(
        start(&mut e, &arn("dlq"), Some(&arn("ghost")), None),
        ResourceNotFoundException,
        "The resource that you specified for the DestinationArn parameter doesn't exist.",
    );
    for rate in [0, 501] {
        assert_err(
            start(&mut e, &arn("dlq"), None, Some(rate)),
            InvalidParameterValue,
            &format!("Value {rate} for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: Must be between 1 and 500."),
        );
    }
    start(&mut e, &arn("dlq"), None, Some(1)).unwrap();
    assert_err(
        start(&mut e, &arn("dlq"), None, Some(1)),
        InvalidParameterValue,
        "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
    );
    assert_err(
        e.sqs().list_message_move_tasks(ListMessageMoveTasks { source_arn: arn("dlq"), max_results: Some(11) }),
        InvalidParameterValue,
        "Value 11 for parameter MaxResults is invalid. Reason: Must be between 1 and 10.",
    );
    assert_err(
        e.sqs().list_message_move_tasks(ListMessageMoveTasks { source_arn: arn("ghost"), max_results: None }),
        ResourceNotFoundException,
        "The resource that you specified for the SourceArn parameter doesn't exist.",
    );
    assert_err(
        e.sqs().list_message_move_tasks(ListMessageMoveTasks::default()),
        MissingParameter,
        "The request must contain the parameter SourceArn.",
    );
}

#[test]
fn cancel_and_list_move_tasks() {
    let mut e = engine();
    dlq_with_messages(&mut e, 5);
    let handle = e
        .sqs()
        .start_message_move_task(StartMessageMoveTask {
            source_arn: arn("dlq"),
            max_number_of_messages_per_second: Some(1),
            ..Default::default()
        })
        .unwrap()
        .task_handle;
    e.advance_by(secs(2));
    let cancelled = e.sqs().cancel_message_move_task(CancelMessageMoveTask { task_handle: handle.clone() }).unwrap();
    assert_eq!(cancelled.approximate_number_of_messages_moved, 2);
    e.advance_by(secs(10));
    assert_eq!(counts(&e, "src"), (2, 0, 0), "nothing moves after the cancel");
    assert_eq!(counts(&e, "dlq"), (3, 0, 0));
    assert_err(
        e.sqs().cancel_message_move_task(CancelMessageMoveTask { task_handle: handle.clone() }),
        InvalidParameterValue,
        "Value for parameter TaskHandle is invalid.",
    );
    assert_err(
        e.sqs().cancel_message_move_task(CancelMessageMoveTask { task_handle: "not a handle".into() }),
        InvalidParameterValue,
        "Value for parameter TaskHandle is invalid.",
    );
    assert_err(
        e.sqs().cancel_message_move_task(CancelMessageMoveTask { task_handle: String::new() }),
        MissingParameter,
        "The request must contain the parameter TaskHandle.",
    );
    // A well-formed handle of no known task (base64 of {"taskId":...}).
    assert_err(
        e.sqs().cancel_message_move_task(CancelMessageMoveTask { task_handle: "eyJ0YXNrSWQiOiJ4In0=".into() }),
        ResourceNotFoundException,
        "Task does not exist.",
    );
    // A second task may start now; the list shows the newest first.
    e.sqs().start_message_move_task(StartMessageMoveTask { source_arn: arn("dlq"), ..Default::default() }).unwrap();
    let latest = list_tasks(&mut e, "dlq", None);
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].status, "RUNNING");
    assert_eq!(latest[0].approximate_number_of_messages_to_move, Some(3));
    e.advance_by(secs(1));
    let both = list_tasks(&mut e, "dlq", Some(10));
    assert_eq!(both.iter().map(|t| t.status.as_str()).collect::<Vec<_>>(), ["COMPLETED", "CANCELLED"]);
    assert_eq!(both[1].approximate_number_of_messages_moved, 2);
    assert_eq!(counts(&e, "src"), (5, 0, 0));
    assert_eq!(e.pending_deadlines(), 5);
}

#[test]
fn deleting_the_source_fails_a_running_move_task() {
    let mut e = engine();
    let (_, dlq) = dlq_with_messages(&mut e, 3);
    e.sqs()
        .start_message_move_task(StartMessageMoveTask {
            source_arn: arn("dlq"),
            max_number_of_messages_per_second: Some(1),
            ..Default::default()
        })
        .unwrap();
    e.advance_by(secs(1));
    e.drain_events();
    e.sqs().delete_queue(QueueUrlOnly { queue_url: dlq }).unwrap();
    let events: Vec<Event> = e.drain_events().into_iter().map(|l| l.event).collect();
    assert!(events.contains(&Event::MoveTaskFinished { source: "dlq".into(), moved: 1, status: "FAILED" }));
    assert_eq!(e.pending_deadlines(), 2, "the moved message's retention and the name reservation");
}
