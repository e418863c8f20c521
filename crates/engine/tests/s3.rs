#![cfg(feature = "s3")]
//! S3 buckets, objects and event notifications, including AWS's overlap rule
//! (the course's reason to fan S3 events out through SNS).

use decouple_engine::s3::*;
#[cfg(feature = "sns")]
use decouple_engine::sns::{CreateTopic, SetTopicAttributes, Subscribe};
use decouple_engine::sqs::{CreateQueue, Receive, ReceiveMessage, SetQueueAttributes};
use decouple_engine::{Engine, EngineConfig};
use serde_json::Value;

fn engine() -> Engine {
    Engine::new(EngineConfig { seed: 5, ..EngineConfig::default() })
}

fn put(e: &mut Engine, bucket: &str, key: &str, body: &str) -> PutObjectResult {
    e.s3()
        .put_object(PutObject {
            bucket: bucket.into(),
            key: key.into(),
            body: body.as_bytes().to_vec(),
            content_type: None,
        })
        .unwrap()
}

/// A queue whose policy allows `principal` to send.
fn queue(e: &mut Engine, name: &str, principal: &str) -> (String, String) {
    let url = e.sqs().create_queue(CreateQueue { queue_name: name.into(), ..Default::default() }).unwrap().queue_url;
    let arn = format!("arn:aws:sqs:us-east-1:000000000000:{name}");
    let policy = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"Service":"{principal}"}},"Action":"sqs:SendMessage","Resource":"{arn}"}}]}}"#
    );
    e.sqs()
        .set_queue_attributes(SetQueueAttributes {
            queue_url: url.clone(),
            attributes: [("Policy".into(), policy)].into(),
        })
        .unwrap();
    (url, arn)
}

fn bodies(e: &mut Engine, url: &str) -> Vec<String> {
    let req = ReceiveMessage { queue_url: url.into(), max_number_of_messages: Some(10), ..Default::default() };
    match e.sqs().receive_message(req).unwrap() {
        Receive::Ready(r) => r.messages.into_iter().map(|m| m.body).collect(),
        Receive::Pending(_) => panic!("short poll"),
    }
}

fn rule(arn: &str, events: &[&str], prefix: Option<&str>, suffix: Option<&str>) -> NotificationRule {
    NotificationRule {
        id: Some("rule".into()),
        destination_arn: arn.into(),
        events: events.iter().map(|s| s.to_string()).collect(),
        prefix: prefix.map(Into::into),
        suffix: suffix.map(Into::into),
    }
}

#[test]
fn buckets_and_objects() {
    let mut e = engine();
    assert_eq!(
        e.s3().create_bucket(CreateBucket { bucket: "Bad_Name".into() }).unwrap_err().code,
        S3ErrorCode::InvalidBucketName
    );
    e.s3().create_bucket(CreateBucket { bucket: "photos".into() }).unwrap();
    let missing =
        e.s3().put_object(PutObject { bucket: "nope".into(), key: "k".into(), ..Default::default() }).unwrap_err();
    assert_eq!((missing.code.http_status(), missing.code.code()), (404, "NoSuchBucket"));
    let etag = put(&mut e, "photos", "a/1.jpg", "msg").etag;
    assert_eq!(etag, "\"6e2baaf3b97dbeef01c0043275f9a0e7\"");
    put(&mut e, "photos", "a/2.jpg", "x");
    put(&mut e, "photos", "b/3.png", "y");
    put(&mut e, "photos", "top.txt", "z");
    let got = e.s3().get_object(ObjectKey { bucket: "photos".into(), key: "a/1.jpg".into() }).unwrap();
    assert_eq!(got.body, b"msg");
    let list = e
        .s3()
        .list_objects_v2(ListObjectsV2 { bucket: "photos".into(), delimiter: Some("/".into()), ..Default::default() })
        .unwrap();
    assert_eq!(list.common_prefixes, ["a/", "b/"]);
    assert_eq!(list.contents.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), ["top.txt"]);
    let page = e
        .s3()
        .list_objects_v2(ListObjectsV2 { bucket: "photos".into(), max_keys: Some(2), ..Default::default() })
        .unwrap();
    assert!(page.is_truncated);
    let rest = e
        .s3()
        .list_objects_v2(ListObjectsV2 {
            bucket: "photos".into(),
            continuation_token: page.next_continuation_token,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(rest.contents.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), ["b/3.png", "top.txt"]);
    assert_eq!(e.s3().delete_bucket(BucketOnly { bucket: "photos".into() }).unwrap_err().code.http_status(), 409);
    e.s3().delete_object(ObjectKey { bucket: "photos".into(), key: "a/1.jpg".into() }).unwrap();
    let gone = e.s3().get_object(ObjectKey { bucket: "photos".into(), key: "a/1.jpg".into() }).unwrap_err();
    assert_eq!((gone.code.code(), gone.message.as_str()), ("NoSuchKey", "The specified key does not exist."));
}

#[test]
fn overlapping_configurations_are_refused_with_aws_messages() {
    let mut e = engine();
    e.s3().create_bucket(CreateBucket { bucket: "uploads".into() }).unwrap();
    let (_, a) = queue(&mut e, "a", "s3.amazonaws.com");
    let (_, b) = queue(&mut e, "b", "s3.amazonaws.com");
    let put_config = |e: &mut Engine, rules: Vec<NotificationRule>| {
        e.s3().put_bucket_notification_configuration(PutBucketNotificationConfiguration {
            bucket: "uploads".into(),
            configuration: NotificationConfiguration { queue_configurations: rules, ..Default::default() },
        })
    };
    let same = put_config(
        &mut e,
        vec![rule(&a, &["s3:ObjectCreated:*"], None, None), rule(&b, &["s3:ObjectCreated:Put"], None, None)],
    );
    assert_eq!(
        same.unwrap_err().message,
        "Configurations overlap. Configurations on the same bucket cannot share a common event type."
    );
    let filtered = put_config(
        &mut e,
        vec![
            rule(&a, &["s3:ObjectCreated:*"], Some("images/"), None),
            rule(&b, &["s3:ObjectCreated:*"], Some("images/raw/"), None),
        ],
    );
    assert_eq!(
        filtered.unwrap_err().message,
        "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type."
    );
    // Disjoint prefixes, or different event types, are fine.
    put_config(
        &mut e,
        vec![
            rule(&a, &["s3:ObjectCreated:*"], Some("images/"), None),
            rule(&b, &["s3:ObjectCreated:*"], Some("docs/"), None),
        ],
    )
    .unwrap();
    put_config(
        &mut e,
        vec![rule(&a, &["s3:ObjectCreated:*"], None, None), rule(&b, &["s3:ObjectRemoved:*"], None, None)],
    )
    .unwrap();
}

#[test]
fn a_destination_must_allow_s3() {
    let mut e = engine();
    e.s3().create_bucket(CreateBucket { bucket: "uploads".into() }).unwrap();
    let (_, closed) = queue(&mut e, "closed", "sns.amazonaws.com");
    let err = e
        .s3()
        .put_bucket_notification_configuration(PutBucketNotificationConfiguration {
            bucket: "uploads".into(),
            configuration: NotificationConfiguration {
                queue_configurations: vec![rule(&closed, &["s3:ObjectCreated:*"], None, None)],
                ..Default::default()
            },
        })
        .unwrap_err();
    assert_eq!(
        (err.code.code(), err.message.as_str()),
        ("InvalidArgument", "Unable to validate the following destination configurations")
    );
    assert_eq!(err.argument_name.as_deref(), Some(closed.as_str()));
}

#[test]
fn queue_gets_test_event_then_records_for_matching_keys() {
    let mut e = engine();
    e.s3().create_bucket(CreateBucket { bucket: "uploads".into() }).unwrap();
    let (url, arn) = queue(&mut e, "thumbnails", "s3.amazonaws.com");
    e.s3()
        .put_bucket_notification_configuration(PutBucketNotificationConfiguration {
            bucket: "uploads".into(),
            configuration: NotificationConfiguration {
                queue_configurations: vec![rule(&arn, &["s3:ObjectCreated:*"], Some("images/"), Some(".jpg"))],
                ..Default::default()
            },
        })
        .unwrap();
    let test: Value = serde_json::from_str(&bodies(&mut e, &url)[0]).unwrap();
    assert_eq!((test["Service"].as_str(), test["Event"].as_str()), (Some("Amazon S3"), Some("s3:TestEvent")));
    put(&mut e, "uploads", "images/red flower.jpg", "pixels");
    put(&mut e, "uploads", "images/notes.txt", "skip");
    put(&mut e, "uploads", "docs/a.jpg", "skip");
    let got = bodies(&mut e, &url);
    assert_eq!(got.len(), 1);
    let record = &serde_json::from_str::<Value>(&got[0]).unwrap()["Records"][0];
    assert_eq!(record["eventSource"], "aws:s3");
    assert_eq!(record["eventName"], "ObjectCreated:Put");
    assert_eq!(record["s3"]["bucket"]["arn"], "arn:aws:s3:::uploads");
    assert_eq!(record["s3"]["object"]["key"], "images/red+flower.jpg");
    assert_eq!(record["s3"]["object"]["size"], 6);
    assert_eq!(record["s3"]["configurationId"], "rule");
}

#[test]
#[cfg(feature = "sns")]
fn fan_out_through_sns_reaches_every_subscribed_queue() {
    let mut e = engine();
    e.s3().create_bucket(CreateBucket { bucket: "uploads".into() }).unwrap();
    let topic =
        e.sns().create_topic(CreateTopic { name: "uploads-events".into(), ..Default::default() }).unwrap().topic_arn;
    let policy = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"Service":"s3.amazonaws.com"}},"Action":"SNS:Publish","Resource":"{topic}","Condition":{{"ArnLike":{{"aws:SourceArn":"arn:aws:s3:*:*:uploads"}}}}}}]}}"#
    );
    e.sns()
        .set_topic_attributes(SetTopicAttributes {
            topic_arn: topic.clone(),
            attribute_name: "Policy".into(),
            attribute_value: Some(policy),
        })
        .unwrap();
    let mut urls = Vec::new();
    for name in ["thumbnails", "audit"] {
        let (url, arn) = queue(&mut e, name, "sns.amazonaws.com");
        e.sns()
            .subscribe(Subscribe {
                topic_arn: topic.clone(),
                protocol: "sqs".into(),
                endpoint: Some(arn),
                ..Default::default()
            })
            .unwrap();
        urls.push(url);
    }
    e.s3()
        .put_bucket_notification_configuration(PutBucketNotificationConfiguration {
            bucket: "uploads".into(),
            configuration: NotificationConfiguration {
                topic_configurations: vec![rule(&topic, &["s3:ObjectCreated:*"], None, None)],
                ..Default::default()
            },
        })
        .unwrap();
    put(&mut e, "uploads", "cat.png", "meow");
    for url in &urls {
        let got = bodies(&mut e, url);
        assert_eq!(got.len(), 2, "the test event and the upload");
        let envelope: Value = serde_json::from_str(&got[1]).unwrap();
        assert_eq!(envelope["Subject"], "Amazon S3 Notification");
        let event: Value = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
        assert_eq!(event["Records"][0]["s3"]["object"]["key"], "cat.png");
    }
}

#[test]
fn common_prefixes_page_once_and_rules_get_ids() {
    let mut e = engine();
    e.s3().create_bucket(CreateBucket { bucket: "bkt".into() }).unwrap();
    for key in ["img/1.jpg", "img/2.jpg", "img/3.jpg", "z.txt"] {
        put(&mut e, "bkt", key, "x");
    }
    let mut pages = Vec::new();
    let mut token = None;
    loop {
        let page = e
            .s3()
            .list_objects_v2(ListObjectsV2 {
                bucket: "bkt".into(),
                delimiter: Some("/".into()),
                max_keys: Some(1),
                continuation_token: token.take(),
                ..Default::default()
            })
            .unwrap();
        pages.push((page.common_prefixes.clone(), page.contents.iter().map(|o| o.key.clone()).collect::<Vec<_>>()));
        match page.next_continuation_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    assert_eq!(pages, [(vec!["img/".to_string()], vec![]), (vec![], vec!["z.txt".to_string()])]);

    let (_, q) = queue(&mut e, "q", "s3.amazonaws.com");
    let mut unnamed = rule(&q, &["s3:ObjectRemoved:*"], None, None);
    unnamed.id = None;
    e.s3()
        .put_bucket_notification_configuration(PutBucketNotificationConfiguration {
            bucket: "bkt".into(),
            configuration: NotificationConfiguration { queue_configurations: vec![unnamed], ..Default::default() },
        })
        .unwrap();
    let stored = e.s3().get_bucket_notification_configuration(BucketOnly { bucket: "bkt".into() }).unwrap();
    assert!(stored.queue_configurations[0].id.as_deref().is_some_and(|id| !id.is_empty()));
}

fn put_topic_rule(e: &mut Engine, topic: &str) -> Result<(), S3Error> {
    e.s3().put_bucket_notification_configuration(PutBucketNotificationConfiguration {
        bucket: "bkt".into(),
        configuration: NotificationConfiguration {
            topic_configurations: vec![rule(topic, &["s3:ObjectCreated:*"], None, None)],
            ..Default::default()
        },
    })
}

/// The topic is named in `<ArgumentName>`, as S3 names the destination it could not validate.
fn assert_unable_to_validate(refused: Result<(), S3Error>, topic: &str) {
    let err = refused.unwrap_err();
    assert_eq!(
        (err.code.code(), err.code.http_status(), err.message.as_str()),
        ("InvalidArgument", 400, "Unable to validate the following destination configurations")
    );
    assert_eq!(err.argument_name.as_deref(), Some(topic));
}

#[test]
#[cfg(feature = "sns")]
fn a_topic_must_exist_and_allow_s3() {
    let mut e = engine();
    e.s3().create_bucket(CreateBucket { bucket: "bkt".into() }).unwrap();
    assert_unable_to_validate(
        put_topic_rule(&mut e, "arn:aws:sns:us-east-1:000000000000:missing"),
        "arn:aws:sns:us-east-1:000000000000:missing",
    );
    // A topic that keeps its default policy does not let S3 publish.
    let topic = e.sns().create_topic(CreateTopic { name: "t".into(), ..Default::default() }).unwrap().topic_arn;
    assert_unable_to_validate(put_topic_rule(&mut e, &topic), &topic);
}

/// Built without SNS (the Kinesis page's engine) there are no topics, so a
/// topic destination gets the error of one that does not exist, and the
/// bucket keeps the configuration it had.
#[test]
#[cfg(not(feature = "sns"))]
fn without_sns_a_topic_destination_cannot_be_validated() {
    let mut e = engine();
    e.s3().create_bucket(CreateBucket { bucket: "bkt".into() }).unwrap();
    let (url, q) = queue(&mut e, "q", "s3.amazonaws.com");
    e.s3()
        .put_bucket_notification_configuration(PutBucketNotificationConfiguration {
            bucket: "bkt".into(),
            configuration: NotificationConfiguration {
                queue_configurations: vec![rule(&q, &["s3:ObjectCreated:*"], None, None)],
                ..Default::default()
            },
        })
        .unwrap();
    let topic = "arn:aws:sns:us-east-1:000000000000:uploads";
    assert_unable_to_validate(put_topic_rule(&mut e, topic), topic);
    let kept = e.s3().get_bucket_notification_configuration(BucketOnly { bucket: "bkt".into() }).unwrap();
    assert_eq!(kept.queue_configurations.len(), 1);
    assert!(kept.topic_configurations.is_empty());
    put(&mut e, "bkt", "a.txt", "x");
    assert_eq!(bodies(&mut e, &url).len(), 2, "the test event and the upload, still to the queue");
}
