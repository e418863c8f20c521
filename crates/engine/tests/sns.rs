#![cfg(feature = "sns")]
//! SNS fan-out to SQS: subscriptions, the notification envelope, raw delivery,
//! filter policies, FIFO topics, queue access policies, and AWS's errors.

use std::collections::BTreeMap;

use decouple_engine::sns::*;
use decouple_engine::sqs::{self, CreateQueue, Receive, ReceiveMessage, SetQueueAttributes};
use decouple_engine::{Engine, EngineConfig, Event};

const ACCOUNT: &str = "000000000000";

fn engine() -> Engine {
    Engine::new(EngineConfig { seed: 11, ..EngineConfig::default() })
}

fn topic(e: &mut Engine, name: &str, attrs: &[(&str, &str)]) -> String {
    let attributes = attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    e.sns().create_topic(CreateTopic { name: name.into(), attributes, ..Default::default() }).unwrap().topic_arn
}

/// A queue whose policy lets SNS topics in this account send to it.
fn queue(e: &mut Engine, name: &str, fifo: bool) -> (String, String) {
    let mut attributes = BTreeMap::new();
    if fifo {
        attributes.insert("FifoQueue".to_string(), "true".to_string());
    }
    let url = e
        .sqs()
        .create_queue(CreateQueue { queue_name: name.into(), attributes, ..Default::default() })
        .unwrap()
        .queue_url;
    let arn = format!("arn:aws:sqs:us-east-1:{ACCOUNT}:{name}");
    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"sns.amazonaws.com"}},"Action":"sqs:SendMessage","Resource":"{arn}","Condition":{{"ArnLike":{{"aws:SourceArn":"arn:aws:sns:us-east-1:{ACCOUNT}:*"}}}}}}]}}"#
    );
    e.sqs()
        .set_queue_attributes(SetQueueAttributes {
            queue_url: url.clone(),
            attributes: [("Policy".to_string(), policy)].into(),
        })
        .unwrap();
    (url, arn)
}

fn subscribe(e: &mut Engine, topic_arn: &str, queue_arn: &str, attrs: &[(&str, &str)]) -> String {
    let attributes = attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    e.sns()
        .subscribe(Subscribe {
            topic_arn: topic_arn.into(),
            protocol: "sqs".into(),
            endpoint: Some(queue_arn.into()),
            attributes,
            return_subscription_arn: false,
        })
        .unwrap()
        .subscription_arn
}

/// Subscribes an https endpoint and confirms it with the token it was sent.
fn confirmed_https(e: &mut Engine, topic_arn: &str, endpoint: &str, attrs: &[(&str, &str)]) {
    let attributes = attrs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    e.sns()
        .subscribe(Subscribe {
            topic_arn: topic_arn.into(),
            protocol: "https".into(),
            endpoint: Some(endpoint.into()),
            attributes,
            ..Default::default()
        })
        .unwrap();
    let sub = e.sns_state().subscriptions().find(|s| s.endpoint == endpoint).unwrap();
    let body: serde_json::Value = serde_json::from_str(&sub.deliveries[0].body).unwrap();
    let token = body["Token"].as_str().unwrap().to_string();
    e.sns()
        .confirm_subscription(ConfirmSubscription { topic_arn: topic_arn.into(), token, ..Default::default() })
        .unwrap();
}

fn receive_all(e: &mut Engine, url: &str) -> Vec<sqs::Message> {
    let req = ReceiveMessage {
        queue_url: url.into(),
        max_number_of_messages: Some(10),
        message_attribute_names: vec!["All".into()],
        message_system_attribute_names: vec!["All".into()],
        ..Default::default()
    };
    match e.sqs().receive_message(req).unwrap() {
        Receive::Ready(r) => r.messages,
        Receive::Pending(_) => panic!("short poll"),
    }
}

fn publish(e: &mut Engine, topic_arn: &str, message: &str) -> Result<PublishResult, SnsError> {
    e.sns().publish(Publish { topic_arn: Some(topic_arn.into()), message: message.into(), ..Default::default() })
}

#[test]
fn standard_topic_wraps_the_message_in_aws_envelope() {
    let mut e = engine();
    let t = topic(&mut e, "orders", &[]);
    let (url, arn) = queue(&mut e, "billing", false);
    let sub = subscribe(&mut e, &t, &arn, &[]);
    assert!(sub.starts_with(&format!("{t}:")), "{sub}");
    let published = e
        .sns()
        .publish(Publish {
            topic_arn: Some(t.clone()),
            message: "order 1 \"paid\"".into(),
            subject: Some("New order".into()),
            message_attributes: [("kind".to_string(), sqs::MessageAttributeValue::string("paid"))].into(),
            ..Default::default()
        })
        .unwrap();
    let got = receive_all(&mut e, &url);
    assert_eq!(got.len(), 1);
    let body = &got[0].body;
    let keys: Vec<&str> = body.lines().filter_map(|l| l.trim().split('"').nth(1)).collect();
    assert_eq!(
        keys,
        [
            "Type",
            "MessageId",
            "TopicArn",
            "Subject",
            "Message",
            "Timestamp",
            "SignatureVersion",
            "Signature",
            "SigningCertURL",
            "UnsubscribeURL",
            "MessageAttributes",
            "kind"
        ]
    );
    let doc: serde_json::Value = serde_json::from_str(body).expect("the envelope is JSON");
    assert_eq!(doc["Type"], "Notification");
    assert_eq!(doc["MessageId"], published.message_id.as_str());
    assert_eq!(doc["Message"], "order 1 \"paid\"");
    assert_eq!(doc["Timestamp"], "2026-01-01T00:00:00.000Z");
    assert_eq!(doc["MessageAttributes"]["kind"], serde_json::json!({"Type": "String", "Value": "paid"}));
    assert_eq!(
        doc["UnsubscribeURL"],
        format!("https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={sub}")
    );
    assert!(got[0].message_attributes.is_empty(), "attributes travel inside the envelope");
}

#[test]
fn raw_delivery_passes_body_and_attributes_through() {
    let mut e = engine();
    let t = topic(&mut e, "orders", &[]);
    let (url, arn) = queue(&mut e, "raw", false);
    subscribe(&mut e, &t, &arn, &[("RawMessageDelivery", "true")]);
    e.sns()
        .publish(Publish {
            topic_arn: Some(t),
            message: "plain".into(),
            message_attributes: [("Foo".to_string(), sqs::MessageAttributeValue::string("Bar"))].into(),
            ..Default::default()
        })
        .unwrap();
    let got = receive_all(&mut e, &url);
    assert_eq!(got[0].body, "plain");
    assert_eq!(got[0].message_attributes["Foo"].string_value.as_deref(), Some("Bar"));
    assert_eq!(got[0].md5_of_message_attributes.as_deref(), Some("ae7155c6026991b6d54b11589678bf9c"));
}

#[test]
fn a_queue_without_a_policy_for_sns_gets_nothing() {
    let mut e = engine();
    let t = topic(&mut e, "orders", &[]);
    let url =
        e.sqs().create_queue(CreateQueue { queue_name: "closed".into(), ..Default::default() }).unwrap().queue_url;
    subscribe(&mut e, &t, &format!("arn:aws:sqs:us-east-1:{ACCOUNT}:closed"), &[]);
    publish(&mut e, &t, "hello").unwrap();
    assert!(receive_all(&mut e, &url).is_empty());
    let stats = e.sns_state().topic_by_name("orders").unwrap().stats;
    assert_eq!((stats.published, stats.delivered, stats.failed), (1, 0, 1));
    assert!(e
        .drain_events()
        .iter()
        .any(|l| matches!(&l.event, Event::NotificationFailed { reason, .. } if reason.contains("access policy"))));
}

#[test]
fn fan_out_respects_each_filter_policy() {
    let mut e = engine();
    let t = topic(&mut e, "orders", &[]);
    let (eu_url, eu) = queue(&mut e, "eu", false);
    let (big_url, big) = queue(&mut e, "big", false);
    let (all_url, all) = queue(&mut e, "all", false);
    subscribe(&mut e, &t, &eu, &[("FilterPolicy", r#"{"region":["eu-west-1","eu-central-1"]}"#)]);
    subscribe(&mut e, &t, &big, &[("FilterPolicy", r#"{"amount":[{"numeric":[">",100]}]}"#)]);
    subscribe(&mut e, &t, &all, &[]);
    let send = |e: &mut Engine, region: &str, amount: &str| {
        e.sns()
            .publish(Publish {
                topic_arn: Some(t.clone()),
                message: format!("{region} {amount}"),
                message_attributes: [
                    ("region".to_string(), sqs::MessageAttributeValue::string(region)),
                    ("amount".to_string(), sqs::MessageAttributeValue::number(amount)),
                ]
                .into(),
                ..Default::default()
            })
            .unwrap();
    };
    send(&mut e, "eu-west-1", "50");
    send(&mut e, "us-east-1", "500");
    send(&mut e, "eu-central-1", "101");
    let count = |e: &mut Engine, url: &str| receive_all(e, url).len();
    assert_eq!((count(&mut e, &eu_url), count(&mut e, &big_url), count(&mut e, &all_url)), (2, 2, 3));
    assert_eq!(e.sns_state().topic_by_name("orders").unwrap().stats.filtered_out, 2);
}

#[test]
fn fifo_topic_feeds_fifo_queue_in_group_order_without_signatures() {
    let mut e = engine();
    let t = topic(&mut e, "orders.fifo", &[("FifoTopic", "true"), ("ContentBasedDeduplication", "true")]);
    let (url, arn) = queue(&mut e, "orders.fifo", true);
    subscribe(&mut e, &t, &arn, &[]);
    for body in ["a", "b", "a"] {
        e.sns()
            .publish(Publish {
                topic_arn: Some(t.clone()),
                message: body.into(),
                message_group_id: Some("g1".into()),
                ..Default::default()
            })
            .unwrap();
    }
    let got = receive_all(&mut e, &url);
    assert_eq!(got.len(), 2, "the second \"a\" is a duplicate within 5 minutes");
    let doc: serde_json::Value = serde_json::from_str(&got[0].body).unwrap();
    assert!(doc.get("Signature").is_none() && doc.get("SigningCertURL").is_none());
    assert!(doc["SequenceNumber"].as_str().is_some());
    assert_eq!(got[0].attributes["MessageGroupId"], "g1");
    let messages: Vec<String> = got
        .iter()
        .map(|m| serde_json::from_str::<serde_json::Value>(&m.body).unwrap()["Message"].as_str().unwrap().into())
        .collect();
    assert_eq!(messages, ["a", "b"]);
}

#[test]
fn validation_errors_are_aws_s() {
    let mut e = engine();
    let t = topic(&mut e, "orders", &[]);
    let (_, fifo_queue) = queue(&mut e, "q.fifo", true);
    let err = |r: Result<PublishResult, SnsError>| r.unwrap_err();
    assert_eq!(err(publish(&mut e, &t, "")).message, "Invalid parameter: Empty message");
    assert_eq!(err(publish(&mut e, &t, &"x".repeat(262_145))).message, "Invalid parameter: Message too long");
    assert!(publish(&mut e, &t, &"x".repeat(262_144)).is_ok());
    let e404 = err(publish(&mut e, "arn:aws:sns:us-east-1:000000000000:nope", "x"));
    assert_eq!(
        (e404.code, e404.code.http_status(), e404.message.as_str()),
        (SnsErrorCode::NotFound, 404, "Topic does not exist")
    );
    assert_eq!(
        err(publish(&mut e, "foo:bar", "x")).message,
        "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2"
    );
    let structured = e.sns().publish(Publish {
        topic_arn: Some(t.clone()),
        message: r#"{"sqs":"for queues"}"#.into(),
        message_structure: Some("json".into()),
        ..Default::default()
    });
    assert_eq!(err(structured).message, "Invalid parameter: Message Structure - No default entry in JSON message body");
    let subject = e.sns().publish(Publish {
        topic_arn: Some(t.clone()),
        message: "x".into(),
        subject: Some("line\nbreak".into()),
        ..Default::default()
    });
    assert_eq!(err(subject).message, "Invalid parameter: Subject");
    let dedup = e.sns().publish(Publish {
        topic_arn: Some(t.clone()),
        message: "x".into(),
        message_deduplication_id: Some("d".into()),
        ..Default::default()
    });
    assert_eq!(
        err(dedup).message,
        "Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type"
    );
    let fifo_sub = e.sns().subscribe(Subscribe {
        topic_arn: t.clone(),
        protocol: "sqs".into(),
        endpoint: Some(fifo_queue),
        ..Default::default()
    });
    assert_eq!(
        fifo_sub.unwrap_err().message,
        "Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics"
    );
    let protocol =
        e.sns().subscribe(Subscribe { topic_arn: t.clone(), protocol: "test-protocol".into(), ..Default::default() });
    assert_eq!(
        protocol.unwrap_err().message,
        "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol"
    );
    let bad_raw = e.sns().subscribe(Subscribe {
        topic_arn: t,
        protocol: "sqs".into(),
        endpoint: Some(format!("arn:aws:sqs:us-east-1:{ACCOUNT}:other")),
        attributes: [("RawMessageDelivery".to_string(), "x".to_string())].into(),
        ..Default::default()
    });
    assert_eq!(
        bad_raw.unwrap_err().message,
        "Invalid parameter: Attributes Reason: RawMessageDelivery: Invalid value [x]. Must be true or false."
    );
}

#[test]
fn topics_are_idempotent_and_subscriptions_listed() {
    let mut e = engine();
    let t = topic(&mut e, "orders", &[("DisplayName", "Orders")]);
    assert_eq!(topic(&mut e, "orders", &[("DisplayName", "Orders")]), t);
    let clash = e.sns().create_topic(CreateTopic {
        name: "orders".into(),
        attributes: [("DisplayName".to_string(), "Other".to_string())].into(),
        ..Default::default()
    });
    assert_eq!(
        clash.unwrap_err().message,
        "Invalid parameter: Attributes Reason: Topic already exists with different attributes"
    );
    assert_eq!(
        e.sns().create_topic(CreateTopic { name: "bad name".into(), ..Default::default() }).unwrap_err().message,
        "Invalid parameter: Topic Name"
    );
    let (_, arn) = queue(&mut e, "q", false);
    let sub = subscribe(&mut e, &t, &arn, &[]);
    assert_eq!(subscribe(&mut e, &t, &arn, &[]), sub, "subscribing again returns the same subscription");
    let email = e
        .sns()
        .subscribe(Subscribe {
            topic_arn: t.clone(),
            protocol: "email".into(),
            endpoint: Some("a@example.com".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(email.subscription_arn, "pending confirmation");
    let attrs = e.sns().get_topic_attributes(TopicArnOnly { topic_arn: t.clone() }).unwrap().attributes;
    assert_eq!((attrs["SubscriptionsConfirmed"].as_str(), attrs["SubscriptionsPending"].as_str()), ("1", "1"));
    assert_eq!(attrs["DisplayName"], "Orders");
    let listed = e
        .sns()
        .list_subscriptions_by_topic(ListSubscriptionsByTopic { topic_arn: t.clone(), next_token: None })
        .unwrap();
    assert_eq!(listed.subscriptions.len(), 2);
    let sub_attrs =
        e.sns().get_subscription_attributes(SubscriptionArnOnly { subscription_arn: sub.clone() }).unwrap().attributes;
    assert_eq!(sub_attrs["PendingConfirmation"], "false");
    assert_eq!(sub_attrs["RawMessageDelivery"], "false");
    e.sns().unsubscribe(SubscriptionArnOnly { subscription_arn: sub.clone() }).unwrap();
    let gone = e.sns().get_subscription_attributes(SubscriptionArnOnly { subscription_arn: sub }).unwrap_err();
    assert_eq!((gone.code.http_status(), gone.message.as_str()), (404, "Subscription does not exist"));
}

#[test]
fn publish_batch_checks_the_batch_then_each_entry() {
    let mut e = engine();
    let t = topic(&mut e, "orders", &[]);
    let entry =
        |id: &str, message: &str| PublishBatchEntry { id: id.into(), message: message.into(), ..Default::default() };
    let dup =
        e.sns().publish_batch(PublishBatch { topic_arn: t.clone(), entries: vec![entry("a", "x"), entry("a", "y")] });
    assert_eq!(dup.unwrap_err().code, SnsErrorCode::BatchEntryIdsNotDistinct);
    let many = e.sns().publish_batch(PublishBatch {
        topic_arn: t.clone(),
        entries: (0..11).map(|i| entry(&i.to_string(), "x")).collect(),
    });
    assert_eq!(many.unwrap_err().message, "The batch request contains more entries than permissible.");
    let mixed = e
        .sns()
        .publish_batch(PublishBatch { topic_arn: t, entries: vec![entry("ok", "x"), entry("empty", "")] })
        .unwrap();
    assert_eq!(mixed.successful.len(), 1);
    assert_eq!(mixed.failed[0].id, "empty");
    assert_eq!(mixed.failed[0].code, "InvalidParameter");
}

#[test]
fn email_endpoint_confirms_with_the_token_it_was_sent() {
    let mut e = engine();
    let t = topic(&mut e, "alerts", &[]);
    let pending = e
        .sns()
        .subscribe(Subscribe {
            topic_arn: t.clone(),
            protocol: "email".into(),
            endpoint: Some("ops@example.com".into()),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(pending.subscription_arn, "pending confirmation");
    let sub = e.sns_state().subscriptions().next().unwrap();
    let confirmation: serde_json::Value = serde_json::from_str(&sub.deliveries[0].body).unwrap();
    assert_eq!(confirmation["Type"], "SubscriptionConfirmation");
    let token = confirmation["Token"].as_str().unwrap().to_string();
    assert!(confirmation["SubscribeURL"].as_str().unwrap().ends_with(&format!("&Token={token}")));
    let wrong = e.sns().confirm_subscription(ConfirmSubscription {
        topic_arn: t.clone(),
        token: "nope".into(),
        ..Default::default()
    });
    assert_eq!(wrong.unwrap_err().message, "Invalid parameter: Token");
    let confirmed = e
        .sns()
        .confirm_subscription(ConfirmSubscription { topic_arn: t.clone(), token, ..Default::default() })
        .unwrap();
    let attrs = e
        .sns()
        .get_subscription_attributes(SubscriptionArnOnly { subscription_arn: confirmed.subscription_arn })
        .unwrap()
        .attributes;
    assert_eq!(attrs["PendingConfirmation"], "false");
    publish(&mut e, &t, "disk full").unwrap();
    let inbox = &e.sns_state().subscriptions().next().unwrap().deliveries;
    assert_eq!(inbox.len(), 2, "the confirmation, then the notification");
    let topic_attrs = e.sns().get_topic_attributes(TopicArnOnly { topic_arn: t }).unwrap().attributes;
    assert!(!topic_attrs.contains_key("FifoTopic"), "standard topics do not report FifoTopic");
}

#[test]
fn failing_http_endpoint_is_retried_by_the_delivery_policy_then_dead_lettered() {
    let mut e = engine();
    let t = topic(&mut e, "webhooks", &[]);
    let (dlq_url, dlq_arn) = queue(&mut e, "webhooks-dlq", false);
    let redrive = format!(r#"{{"deadLetterTargetArn":"{dlq_arn}"}}"#);
    confirmed_https(&mut e, &t, "https://down.example.com/hook", &[("RedrivePolicy", &redrive)]);
    confirmed_https(&mut e, &t, "https://flaky.example.com/hook", &[]);
    e.sns().set_endpoint_healthy("https://down.example.com/hook", false);
    e.sns().set_endpoint_healthy("https://flaky.example.com/hook", false);
    let start = e.now();
    publish(&mut e, &t, "deploy finished").unwrap();

    let (at, deadline) = e.peek_deadline().map(|(at, d)| (at, d.clone())).unwrap();
    assert_eq!(at.saturating_sub(start).as_secs(), 20, "AWS's default: retry after 20 s");
    assert!(e.sns_state().is_endpoint_failing("https://down.example.com/hook"));
    let pending: Vec<_> = e.sns_state().pending_deliveries().map(|p| (p.attempts(), p.next_attempt())).collect();
    assert_eq!(pending, [(1, at), (1, at)], "both endpoints wait for their first retry");
    assert!(
        e.describe_deadline(&deadline).contains("retry the notification to https://"),
        "{}",
        e.describe_deadline(&deadline)
    );
    // The flaky endpoint comes back before its first retry.
    e.sns().set_endpoint_healthy("https://flaky.example.com/hook", true);
    e.advance_by(decouple_engine::SimDuration::from_secs(20));
    let flaky = e.sns_state().subscriptions().find(|s| s.endpoint.contains("flaky")).unwrap();
    assert_eq!(flaky.deliveries.len(), 2, "confirmation, then the notification on its first retry");
    // The dead endpoint gets three retries 20 s apart (at +20, +40, +60 s); after the
    // last one fails the message goes to its DLQ.
    e.advance_by(decouple_engine::SimDuration::from_secs(20));
    assert!(receive_all(&mut e, &dlq_url).is_empty(), "not yet: the third retry is still due");
    e.advance_by(decouple_engine::SimDuration::from_secs(20));
    let dead_lettered = receive_all(&mut e, &dlq_url);
    assert_eq!(dead_lettered.len(), 1);
    let envelope: serde_json::Value = serde_json::from_str(&dead_lettered[0].body).unwrap();
    assert_eq!(envelope["Message"], "deploy finished");
    let retries: Vec<u32> = e
        .drain_events()
        .into_iter()
        .filter_map(|l| match l.event {
            Event::NotificationRetrying { endpoint, retry, .. } if endpoint.contains("down") => Some(retry),
            _ => None,
        })
        .collect();
    assert_eq!(retries, [1, 2, 3]);
    let stats = e.sns_state().topic_by_name("webhooks").unwrap().stats;
    assert_eq!((stats.delivered, stats.failed), (1, 1));
}

#[test]
fn a_slow_endpoint_answers_late_and_one_slower_than_15_s_is_retried_and_sees_duplicates() {
    use decouple_engine::SimDuration;
    let mut e = engine();
    let t = topic(&mut e, "webhooks", &[]);
    for endpoint in ["https://slow.example.com/hook", "https://stuck.example.com/hook"] {
        confirmed_https(&mut e, &t, endpoint, &[]);
    }
    e.sns().set_endpoint_latency("https://slow.example.com/hook", SimDuration::from_secs(5));
    e.sns().set_endpoint_latency("https://stuck.example.com/hook", SimDuration::from_secs(40));
    assert_eq!(e.sns_state().endpoint_latency("https://slow.example.com/hook"), SimDuration::from_secs(5));
    let arrivals = |e: &Engine, host: &str| {
        e.sns_state().subscriptions().find(|s| s.endpoint.contains(host)).unwrap().deliveries.len() - 1
    };
    publish(&mut e, &t, "deploy finished").unwrap();
    assert!(e.sns_state().pending_deliveries().all(|p| p.awaiting_answer()));
    let (_, first) = e.peek_deadline().map(|(at, d)| (at, d.clone())).unwrap();
    assert!(e.describe_deadline(&first).contains("the answer (or SNS's 15 s timeout) from https://slow"));

    e.advance_by(SimDuration::from_secs(5));
    assert_eq!(arrivals(&e, "slow"), 1);
    assert_eq!(e.sns_state().topic_by_name("webhooks").unwrap().stats.delivered, 1, "the slow one answered in time");
    // The stuck endpoint got the notification, but SNS gave up waiting at 15 s and retries 20 s later.
    e.advance_by(SimDuration::from_secs(10));
    assert_eq!(arrivals(&e, "stuck"), 1);
    let retry: Vec<(u32, bool)> =
        e.sns_state().pending_deliveries().map(|p| (p.attempts(), p.awaiting_answer())).collect();
    assert_eq!(retry, [(1, false)]);
    e.advance_by(SimDuration::from_secs(35));
    assert_eq!(arrivals(&e, "stuck"), 2, "the retry delivers the same notification again");
    // Four attempts (AWS's default policy: three retries), each timing out: then the message is dropped.
    e.advance_by(SimDuration::from_secs(200));
    assert_eq!(arrivals(&e, "stuck"), 4);
    let stats = e.sns_state().topic_by_name("webhooks").unwrap().stats;
    assert_eq!((stats.delivered, stats.failed), (1, 1));
    assert!(e.sns_state().pending_deliveries().next().is_none());
    let timeouts = e
        .drain_events()
        .into_iter()
        .filter(|l| matches!(&l.event, Event::NotificationTimedOut { endpoint, .. } if endpoint.contains("stuck")))
        .count();
    assert_eq!(timeouts, 4);
}

#[test]
fn mobile_push_reaches_a_device_endpoint_directly() {
    let mut e = engine();
    let attrs = |pairs: &[(&str, &str)]| -> std::collections::BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    };
    let err = e.sns().create_platform_application("my app", "GCM", attrs(&[])).unwrap_err();
    assert_eq!(
        err.message,
        "Invalid parameter: my app Reason: must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'"
    );
    let err = e.sns().create_platform_application("app", "PIGEON", attrs(&[])).unwrap_err();
    assert_eq!(err.message, "Invalid parameter: Platform Reason: PIGEON is not supported");
    let err = e.sns().create_platform_application("app", "APNS", attrs(&[("PlatformCredential", "key")])).unwrap_err();
    assert_eq!(
        err.message,
        "Invalid parameter: Attributes Reason: PlatformCredential attribute provided without PlatformPrincipal"
    );
    let app =
        e.sns().create_platform_application("shop", "GCM", attrs(&[("PlatformCredential", "server-key")])).unwrap();
    assert_eq!(app, "arn:aws:sns:us-east-1:000000000000:app/GCM/shop");
    assert_eq!(e.sns().get_platform_application_attributes(&app).unwrap(), attrs(&[("Enabled", "true")]));

    let phone = e.sns().create_platform_endpoint(&app, "device-token-1", Some("alice".into()), attrs(&[])).unwrap();
    assert!(phone.starts_with("arn:aws:sns:us-east-1:000000000000:endpoint/GCM/shop/"), "{phone}");
    let again = e.sns().create_platform_endpoint(&app, "device-token-1", Some("alice".into()), attrs(&[])).unwrap();
    assert_eq!(again, phone, "the same token and attributes: the same endpoint");
    let err = e.sns().create_platform_endpoint(&app, "device-token-1", Some("bob".into()), attrs(&[])).unwrap_err();
    assert!(err.message.ends_with("already exists with the same Token, but different attributes."), "{err}");

    let sent = e
        .sns()
        .publish(Publish {
            target_arn: Some(phone.clone()),
            message: r#"{"default":"hi","GCM":"{\"notification\":{\"title\":\"hi\"}}"}"#.into(),
            message_structure: Some("json".into()),
            ..Default::default()
        })
        .unwrap();
    let device = e.sns_state().platform_endpoint(&phone).unwrap();
    assert_eq!(device.received.len(), 1);
    assert_eq!(device.received[0].payload, r#"{"notification":{"title":"hi"}}"#);
    assert_eq!(device.received[0].message_id, sent.message_id);

    e.sns().set_endpoint_attributes(&phone, attrs(&[("Enabled", "false")])).unwrap();
    let err = e
        .sns()
        .publish(Publish { target_arn: Some(phone.clone()), message: "hi".into(), ..Default::default() })
        .unwrap_err();
    assert_eq!((err.code.code(), err.message.as_str()), ("EndpointDisabled", "Endpoint is disabled"));
    let err = e.sns().set_endpoint_attributes(&phone, attrs(&[("Colour", "red")])).unwrap_err();
    assert_eq!(err.message, "Invalid parameter: Attributes Reason: Invalid attribute name: Colour");

    assert_eq!(e.sns().list_endpoints_by_platform_application(&app).unwrap().len(), 1);
    e.sns().delete_endpoint(&phone).unwrap();
    assert!(e.sns().list_endpoints_by_platform_application(&app).unwrap().is_empty());
    e.sns().delete_platform_application(&app).unwrap();
    let err = e.sns().list_endpoints_by_platform_application(&app).unwrap_err();
    assert_eq!(err.message, "PlatformApplication does not exist");
}

#[test]
fn a_topic_pushes_to_subscribed_devices_with_their_platforms_payload() {
    let mut e = engine();
    let t = topic(&mut e, "orders", &[]);
    let key = [("PlatformCredential".to_string(), "k".to_string())].into_iter().collect();
    let app = e.sns().create_platform_application("shop", "GCM", key).unwrap();
    let phone = e.sns().create_platform_endpoint(&app, "token-1", None, BTreeMap::new()).unwrap();
    e.sns()
        .subscribe(Subscribe {
            topic_arn: t.clone(),
            protocol: "application".into(),
            endpoint: Some(phone.clone()),
            attributes: BTreeMap::new(),
            return_subscription_arn: false,
        })
        .unwrap();

    // The device gets its platform's entry of a JSON message (never the envelope), with the topic's message id.
    let sent = e
        .sns()
        .publish(Publish {
            topic_arn: Some(t.clone()),
            message: r#"{"default":"order paid","GCM":"{\"data\":{\"order\":1}}"}"#.into(),
            message_structure: Some("json".into()),
            ..Default::default()
        })
        .unwrap();
    publish(&mut e, &t, "order shipped").unwrap();
    let device = e.sns_state().platform_endpoint(&phone).unwrap();
    let got: Vec<(&str, &str)> = device.received.iter().map(|n| (n.payload.as_str(), n.message_id.as_str())).collect();
    assert_eq!(got[0], (r#"{"data":{"order":1}}"#, sent.message_id.as_str()));
    assert_eq!(got[1].0, "order shipped");
    assert_eq!(e.sns_state().topic_by_name("orders").unwrap().stats.delivered, 2);

    // A disabled device is not retried: the notification fails at once.
    let disabled = [("Enabled".to_string(), "false".to_string())].into_iter().collect();
    e.sns().set_endpoint_attributes(&phone, disabled).unwrap();
    publish(&mut e, &t, "order lost").unwrap();
    assert_eq!(e.sns_state().platform_endpoint(&phone).unwrap().received.len(), 2);
    assert_eq!(e.sns_state().topic_by_name("orders").unwrap().stats.failed, 1);
    assert!(e.sns_state().pending_deliveries().next().is_none(), "nothing to retry");
    let events = e.drain_events();
    assert!(events.iter().any(|l| matches!(&l.event,
        Event::NotificationFailed { reason, .. } if reason == "the endpoint is disabled")));

    // A push service that fails (the simulation's switch) is retried by the
    // application policy, and the device gets it once the service answers.
    let enabled = [("Enabled".to_string(), "true".to_string())].into_iter().collect();
    e.sns().set_endpoint_attributes(&phone, enabled).unwrap();
    e.sns().set_endpoint_healthy(&phone, false);
    publish(&mut e, &t, "order retried").unwrap();
    assert_eq!(e.sns_state().pending_deliveries().count(), 1);
    e.sns().set_endpoint_healthy(&phone, true);
    e.advance_to_next_deadline();
    let device = e.sns_state().platform_endpoint(&phone).unwrap();
    assert_eq!(device.received.back().unwrap().payload, "order retried");
}

#[test]
fn lambda_and_email_endpoints_are_retried_by_awss_fixed_policies() {
    let mut e = engine();
    let t = topic(&mut e, "orders", &[]);
    let function = "arn:aws:lambda:us-east-1:000000000000:function:ship";
    e.sns()
        .subscribe(Subscribe {
            topic_arn: t.clone(),
            protocol: "lambda".into(),
            endpoint: Some(function.into()),
            ..Default::default()
        })
        .unwrap();
    e.sns().set_endpoint_healthy(function, false);
    let start = e.now();
    publish(&mut e, &t, "order 1").unwrap();
    // AWS-managed: three immediate retries, then 1 s, 1 s, then backing off.
    e.advance_by(decouple_engine::SimDuration::ZERO);
    let next: Vec<_> = e.sns_state().pending_deliveries().map(|p| (p.attempts(), p.next_attempt())).collect();
    assert_eq!(next, [(4, start + decouple_engine::SimDuration::from_secs(1))]);
    e.sns().set_endpoint_healthy(function, true);
    e.advance_by(decouple_engine::SimDuration::from_secs(1));
    let lambda = e.sns_state().subscriptions().find(|s| s.endpoint == function).unwrap();
    assert_eq!(lambda.deliveries.len(), 1, "delivered on the first retry after it came back");

    // Customer-managed (email): 50 retries over about six hours, then given up.
    let (_, dlq_arn) = queue(&mut e, "mail-dlq", false);
    e.sns()
        .subscribe(Subscribe {
            topic_arn: t.clone(),
            protocol: "email".into(),
            endpoint: Some("ops@example.com".into()),
            attributes: [("RedrivePolicy".to_string(), format!(r#"{{"deadLetterTargetArn":"{dlq_arn}"}}"#))].into(),
            ..Default::default()
        })
        .unwrap();
    let mail = e.sns_state().subscriptions().find(|s| s.endpoint == "ops@example.com").unwrap();
    let body: serde_json::Value = serde_json::from_str(&mail.deliveries[0].body).unwrap();
    let token = body["Token"].as_str().unwrap().to_string();
    e.sns().confirm_subscription(ConfirmSubscription { topic_arn: t.clone(), token, ..Default::default() }).unwrap();
    e.sns().set_endpoint_healthy("ops@example.com", false);
    e.drain_events();
    let sent = e.now();
    publish(&mut e, &t, "order 2").unwrap();
    e.advance_by(decouple_engine::SimDuration::from_secs(8 * 3600));
    let failed_at = e
        .drain_events()
        .into_iter()
        .find(|l| matches!(&l.event, Event::NotificationFailed { endpoint, .. } if endpoint == "ops@example.com"))
        .map(|l| l.at)
        .expect("given up after its 50 retries");
    // 10 and 10; backing off 20, 40, 80, 160, 320 and then capped at 600 five
    // times; 38 more 600 apart: about seven hours (AWS: "over 6 hours").
    assert_eq!(failed_at.saturating_sub(sent).as_secs(), 10 + 10 + 20 + 40 + 80 + 160 + 320 + 600 * 43);
}
