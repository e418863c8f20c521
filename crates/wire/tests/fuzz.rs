//! Fuzzing the dispatcher: random and mutated requests must never panic and
//! must always get a well-formed AWS response.
//!
//! Requests are built from the SQS vocabulary (targets, member names, queue
//! URLs of queues that exist) so that many reach deep into the engine, then
//! garbled: truncated, bytes flipped, members given the wrong type, numbers far
//! beyond i64. SNS gets the same treatment with query-protocol forms: random
//! and garbled parameters, huge or malformed member indexes, missing values,
//! every answer checked to be well-formed XML. Set `FUZZ_CASES` to run more
//! (default 20,000 each).

mod common;

use common::{js_sdk, kinesis_sdk, Harness, URL};
use decouple_engine::SimDuration;
use decouple_wire::{Dispatch, HttpResponse};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

const ACTIONS: &[&str] = decouple_wire::SQS_ACTIONS;

const MEMBERS: &[&str] = &[
    "QueueUrl",
    "QueueName",
    "Attributes",
    "tags",
    "Tags",
    "TagKeys",
    "MessageBody",
    "DelaySeconds",
    "MessageAttributes",
    "MessageSystemAttributes",
    "MessageDeduplicationId",
    "MessageGroupId",
    "Entries",
    "Id",
    "ReceiptHandle",
    "VisibilityTimeout",
    "WaitTimeSeconds",
    "MaxNumberOfMessages",
    "AttributeNames",
    "MessageSystemAttributeNames",
    "MessageAttributeNames",
    "ReceiveRequestAttemptId",
    "DataType",
    "StringValue",
    "BinaryValue",
    "StringListValues",
    "BinaryListValues",
    "MaxResults",
    "NextToken",
    "QueueNamePrefix",
    "Label",
    "AWSAccountIds",
    "Actions",
    "SourceArn",
    "DestinationArn",
    "MaxNumberOfMessagesPerSecond",
    "TaskHandle",
    "RedrivePolicy",
    "FifoQueue",
];

const STRINGS: &[&str] = &[
    "https://sqs.us-east-1.amazonaws.com/000000000000/std",
    "https://sqs.us-east-1.amazonaws.com/000000000000/jobs.fifo",
    "https://sqs.us-east-1.amazonaws.com/000000000000/dlq",
    "http://localhost:4566/000000000000/std",
    "arn:aws:sqs:us-east-1:000000000000:dlq",
    "arn:aws:sqs:us-east-1:000000000000:std",
    "std",
    "jobs.fifo",
    "All",
    ".*",
    "String",
    "Number",
    "Binary",
    "Number.int",
    "true",
    "false",
    "g1",
    "AAEC/w==",
    "",
    "{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\",\"maxReceiveCount\":\"1\"}",
    "\u{0}\u{fffe}",
];

/// Numbers as literals, including ones no integer type holds.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        (0i64..50).prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        Just("1e400".to_string()),
        Just("-1e400".to_string()),
        Just("99999999999999999999999999999".to_string()),
        Just("-0".to_string()),
        Just("9223372036854775808".to_string()),
        Just("-9223372036854775809".to_string()),
    ]
}

fn json_text() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_string()),
        Just("true".to_string()),
        Just("false".to_string()),
        number(),
        proptest::sample::select(STRINGS).prop_map(|s| Value::String(s.into()).to_string()),
        any::<String>().prop_map(|s| Value::String(s).to_string()),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(|items| format!("[{}]", items.join(","))),
            proptest::collection::vec((proptest::sample::select(MEMBERS), inner), 0..8).prop_map(|members| {
                let body: Vec<String> =
                    members.into_iter().map(|(k, v)| format!("{}:{v}", Value::String(k.into()))).collect();
                format!("{{{}}}", body.join(","))
            }),
        ]
    })
}

/// Bodies as an SDK would send them, to be mutated.
fn templates() -> Vec<String> {
    let std = format!("{URL}std");
    let fifo = format!("{URL}jobs.fifo");
    vec![
        format!(r#"{{"QueueUrl":"{std}","MessageBody":"hello","DelaySeconds":1,"MessageAttributes":{{"a":{{"DataType":"String","StringValue":"x"}},"b":{{"DataType":"Binary","BinaryValue":"AAE="}}}}}}"#),
        format!(r#"{{"QueueUrl":"{fifo}","MessageBody":"hello","MessageGroupId":"g","MessageDeduplicationId":"d"}}"#),
        format!(r#"{{"QueueUrl":"{std}","MaxNumberOfMessages":10,"WaitTimeSeconds":2,"VisibilityTimeout":0,"AttributeNames":["All"],"MessageAttributeNames":["All"]}}"#),
        format!(r#"{{"QueueUrl":"{std}","Entries":[{{"Id":"a","MessageBody":"x"}},{{"Id":"b","MessageBody":"y","DelaySeconds":3}}]}}"#),
        format!(r#"{{"QueueUrl":"{std}","Entries":[{{"Id":"a","ReceiptHandle":"h","VisibilityTimeout":5}}]}}"#),
        r#"{"QueueName":"new","Attributes":{"DelaySeconds":"5","RedrivePolicy":"{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:000000000000:dlq\",\"maxReceiveCount\":\"3\"}"},"tags":{"k":"v"}}"#.to_string(),
        format!(r#"{{"QueueUrl":"{std}","Attributes":{{"VisibilityTimeout":"0","ReceiveMessageWaitTimeSeconds":"20"}}}}"#),
        r#"{"SourceArn":"arn:aws:sqs:us-east-1:000000000000:dlq","MaxNumberOfMessagesPerSecond":10}"#.to_string(),
        r#"{"QueueNamePrefix":"s","MaxResults":1,"NextToken":"c3Rk"}"#.to_string(),
        format!(r#"{{"QueueUrl":"{std}","Label":"l","AWSAccountIds":["111122223333"],"Actions":["SendMessage"]}}"#),
    ]
}

#[derive(Clone, Debug)]
enum Mutation {
    None,
    Truncate(usize),
    Flip(usize, u8),
    Insert(usize, String),
    /// Replace the n-th value-ish token after a colon with arbitrary JSON.
    Replace(usize, String),
}

fn mutate(body: &str, m: &Mutation) -> Vec<u8> {
    let mut bytes = body.as_bytes().to_vec();
    match m {
        Mutation::None => {}
        Mutation::Truncate(at) => bytes.truncate(at % (bytes.len() + 1)),
        Mutation::Flip(at, b) => {
            if !bytes.is_empty() {
                let i = at % bytes.len();
                bytes[i] = *b;
            }
        }
        Mutation::Insert(at, text) => {
            let i = at % (bytes.len() + 1);
            bytes.splice(i..i, text.bytes());
        }
        Mutation::Replace(n, value) => {
            let colons: Vec<usize> = body.match_indices("\":").map(|(i, _)| i + 2).collect();
            if !colons.is_empty() {
                let start = colons[n % colons.len()];
                // Up to the next comma or closing brace: a rough value boundary, which is the point.
                let end = body[start..].find([',', '}']).map_or(body.len(), |e| start + e);
                bytes.splice(start..end, value.bytes());
            }
        }
    }
    bytes
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::None),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        (any::<usize>(), "[\\[\\]{}\",:0-9a-z\\\\]{1,4}").prop_map(|(i, s)| Mutation::Insert(i, s)),
        (any::<usize>(), json_text()).prop_map(|(i, s)| Mutation::Replace(i, s)),
    ]
}

#[derive(Clone, Debug)]
enum Body {
    Bytes(Vec<u8>),
    Json(String),
    Mutated(usize, Mutation),
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(Body::Bytes),
        3 => json_text().prop_map(Body::Json),
        6 => (any::<usize>(), mutation()).prop_map(|(i, m)| Body::Mutated(i, m)),
    ]
}

fn target() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        8 => proptest::sample::select(ACTIONS).prop_map(|a| Some(format!("AmazonSQS.{a}"))),
        1 => "[A-Za-z_.0-9]{0,24}".prop_map(Some),
        1 => proptest::sample::select(&["Kinesis_20131202.PutRecord", "Firehose_20150804.PutRecord", "AmazonSQS", "AmazonSQS."][..])
            .prop_map(|t| Some(t.to_string())),
        1 => Just(None),
    ]
}

fn check_response(r: &HttpResponse, what: &str) {
    assert!((200..600).contains(&r.status), "{what}: status {}", r.status);
    assert!(r.header("x-amzn-RequestId").is_some(), "{what}: no request id");
    if r.header("content-type") == Some("application/vnd.amazon.eventstream") {
        // SubscribeToShard: binary event stream frames, each sized by its prelude.
        let mut at = 0;
        while at < r.body.len() {
            let len = u32::from_be_bytes(r.body[at..at + 4].try_into().unwrap()) as usize;
            assert!(len >= 16 && at + len <= r.body.len(), "{what}: bad frame length {len}");
            at += len;
        }
        return;
    }
    let body: Value = serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("{what}: body is not JSON ({e}): {}", String::from_utf8_lossy(&r.body)));
    assert!(body.is_object(), "{what}: body is not an object");
    if r.status != 200 {
        let ty = body["__type"].as_str().unwrap_or_else(|| panic!("{what}: error without __type: {body}"));
        // Kinesis and Firehose name their own errors without a namespace, as AWS's do.
        let kinesis = what.starts_with("Some(\"Kinesis_20131202.") || what.starts_with("Some(\"Firehose_20150804.");
        assert!(ty.contains('#') || kinesis, "{what}: __type without namespace: {ty}");
    }
}

#[test]
fn dispatcher_never_panics_and_always_answers_well_formed_json() {
    let cases: u32 = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let templates = templates();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let ran = std::cell::Cell::new(0u32);
    let strategy = (proptest::collection::vec((target(), body(), 0u64..30_000), 1..4),);
    runner
        .run(&strategy, |(requests,)| {
            ran.set(ran.get() + 1);
            let mut h = Harness::new();
            h.create("std");
            h.create("dlq");
            h.js("CreateQueue", r#"{"QueueName":"jobs.fifo","Attributes":{"FifoQueue":"true"}}"#);
            let mut waiting = 0;
            for (target, body, advance_ms) in requests {
                let bytes = match &body {
                    Body::Bytes(b) => b.clone(),
                    Body::Json(s) => s.clone().into_bytes(),
                    Body::Mutated(i, m) => mutate(&templates[i % templates.len()], m),
                };
                let mut req = js_sdk("ListQueues", "");
                req.headers.retain(|(k, _)| k != "x-amz-target");
                if let Some(t) = &target {
                    req.headers.push(("x-amz-target".into(), t.clone()));
                }
                req.body = bytes;
                let what = format!("{target:?} {:?}", String::from_utf8_lossy(&req.body));
                match h.dispatch(&req) {
                    Dispatch::Ready(r) => check_response(&r, &what),
                    Dispatch::Pending(_) => waiting += 1,
                }
                h.engine.advance_by(SimDuration::from_millis(advance_ms));
                for (_, r) in h.gateway.poll_completed(&mut h.engine) {
                    waiting -= 1;
                    check_response(&r, "long poll");
                }
            }
            // Every long poll answers within its 20-second limit.
            h.engine.advance_by(SimDuration::from_secs(21));
            for (_, r) in h.gateway.poll_completed(&mut h.engine) {
                waiting -= 1;
                check_response(&r, "long poll");
            }
            prop_assert_eq!(waiting, 0);
            Ok(())
        })
        .unwrap();
    eprintln!("fuzz: {} cases ran without a panic", ran.get());
    assert!(ran.get() >= cases);
}

// ---------------------------------------------------------------- SNS over the query protocol

const SNS_ACTIONS: &[&str] = &[
    "ConfirmSubscription",
    "CreateTopic",
    "DeleteTopic",
    "GetSubscriptionAttributes",
    "GetTopicAttributes",
    "ListSubscriptions",
    "ListSubscriptionsByTopic",
    "ListTagsForResource",
    "ListTopics",
    "Publish",
    "PublishBatch",
    "SetSubscriptionAttributes",
    "SetTopicAttributes",
    "Subscribe",
    "TagResource",
    "UntagResource",
    "Unsubscribe",
    "CreatePlatformApplication",
    "publish",
    "",
];

/// Top-level scalar parameters of the SNS model.
const SNS_SCALARS: &[&str] = &[
    "TopicArn",
    "TargetArn",
    "PhoneNumber",
    "Name",
    "Message",
    "Subject",
    "MessageStructure",
    "MessageGroupId",
    "MessageDeduplicationId",
    "Protocol",
    "Endpoint",
    "ReturnSubscriptionArn",
    "SubscriptionArn",
    "Token",
    "AuthenticateOnUnsubscribe",
    "AttributeName",
    "AttributeValue",
    "ResourceArn",
    "NextToken",
    "Version",
    "Action",
];

const SNS_STRINGS: &[&str] = &[
    "arn:aws:sns:us-east-1:000000000000:t",
    "arn:aws:sns:us-east-1:000000000000:f.fifo",
    "arn:aws:sns:us-east-1:000000000000:gone",
    "arn:aws:sns:us-east-1:000000000000:t:00000000-0000-4000-8000-000000000000",
    "arn:aws:sqs:us-east-1:000000000000:q",
    "arn:aws:sqs:us-east-1:000000000000:q.fifo",
    "arn:aws",
    "t",
    "f.fifo",
    "sqs",
    "email",
    "http",
    "https://example.com/hook",
    "a@example.com",
    "lambda",
    "json",
    "{\"default\":\"d\",\"sqs\":\"<s&q>\"}",
    "{\"color\":[\"red\",{\"prefix\":\"bl\"}],\"n\":[{\"numeric\":[\">\",1]}]}",
    "{\"$or\":[{\"a\":[\"x\"]},{\"b\":[{\"exists\":true}]}]}",
    "MessageBody",
    "MessageAttributes",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "DisplayName",
    "Policy",
    "FifoTopic",
    "ContentBasedDeduplication",
    "MaximumMessageSize",
    "String",
    "Number",
    "Binary",
    "String.Array",
    "[\"a\",1,true]",
    "true",
    "false",
    "g",
    "d",
    "1",
    "AAH/",
    "%%%",
    "",
    "<x a=\"1\">&amp;'</x>",
    "\u{0}\u{1}\r\n\u{fffe}",
    SUB,
];

/// List and map indexes, including ones no integer type holds.
fn sns_index() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => (1u32..4).prop_map(|n| n.to_string()),
        1 => Just("0".to_string()),
        1 => Just("99999999999".to_string()),
        1 => Just("999999999999999999999999999999".to_string()),
        1 => Just("0001".to_string()),
        1 => Just("-1".to_string()),
        1 => Just(String::new()),
        1 => Just("x".to_string()),
    ]
}

/// One parameter name from the model's shapes, flattened as the SDKs do.
fn sns_key() -> impl Strategy<Value = String> {
    let map_field = proptest::sample::select(
        &["key", "value", "Name", "Value.DataType", "Value.StringValue", "Value.BinaryValue", "Value"][..],
    );
    let entry_field = proptest::sample::select(
        &["Id", "Message", "Subject", "MessageStructure", "MessageGroupId", "MessageDeduplicationId", "Key", "Value"][..],
    );
    prop_oneof![
        6 => proptest::sample::select(SNS_SCALARS).prop_map(String::from),
        3 => (proptest::sample::select(&["Attributes", "MessageAttributes"][..]), sns_index(), map_field.clone())
            .prop_map(|(m, n, f)| format!("{m}.entry.{n}.{f}")),
        2 => (proptest::sample::select(&["Tags", "TagKeys"][..]), sns_index(), proptest::sample::select(&["Key", "Value", ""][..]))
            .prop_map(|(l, n, f)| if f.is_empty() { format!("{l}.member.{n}") } else { format!("{l}.member.{n}.{f}") }),
        3 => (sns_index(), entry_field).prop_map(|(n, f)| format!("PublishBatchRequestEntries.member.{n}.{f}")),
        1 => (sns_index(), sns_index(), map_field)
            .prop_map(|(n, m, f)| format!("PublishBatchRequestEntries.member.{n}.MessageAttributes.entry.{m}.{f}")),
        1 => proptest::sample::select(&["Tags", "TagKeys", "PublishBatchRequestEntries", "Attributes"][..]).prop_map(String::from),
        1 => "[A-Za-z.0-9]{0,12}",
    ]
}

fn sns_value() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(SNS_STRINGS).prop_map(String::from),
        1 => any::<String>(),
        1 => number(),
        1 => "[a-z%+&=0-9]{0,6}",
    ]
}

/// Percent-encodes a form value the way the SDKs do.
fn form_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Stands for the ARN of the setup's subscription, known only at run time.
const SUB: &str = "{SUB}";

/// A valid request per action, to be extended and garbled.
fn sns_template(action: &str) -> Vec<(&'static str, &'static str)> {
    const T: &str = "arn:aws:sns:us-east-1:000000000000:t";
    const F: &str = "arn:aws:sns:us-east-1:000000000000:f.fifo";
    match action {
        "CreateTopic" => {
            vec![("Name", "new"), ("Attributes.entry.1.key", "DisplayName"), ("Attributes.entry.1.value", "d")]
        }
        "DeleteTopic" => vec![("TopicArn", "arn:aws:sns:us-east-1:000000000000:gone")],
        "GetTopicAttributes" | "ListSubscriptionsByTopic" => vec![("TopicArn", T)],
        "SetTopicAttributes" => vec![("TopicArn", T), ("AttributeName", "DisplayName"), ("AttributeValue", "x")],
        "Subscribe" => vec![("TopicArn", T), ("Protocol", "sqs"), ("Endpoint", "arn:aws:sqs:us-east-1:000000000000:q")],
        "ConfirmSubscription" => vec![("TopicArn", T), ("Token", "abc")],
        "Unsubscribe" | "GetSubscriptionAttributes" => vec![("SubscriptionArn", SUB)],
        "SetSubscriptionAttributes" => {
            vec![
                ("SubscriptionArn", SUB),
                ("AttributeName", "FilterPolicy"),
                ("AttributeValue", "{\"color\":[\"red\"]}"),
            ]
        }
        "Publish" => vec![
            ("TopicArn", T),
            ("Message", "m"),
            ("MessageAttributes.entry.1.Name", "color"),
            ("MessageAttributes.entry.1.Value.DataType", "String"),
            ("MessageAttributes.entry.1.Value.StringValue", "red"),
        ],
        "PublishBatch" => vec![
            ("TopicArn", F),
            ("PublishBatchRequestEntries.member.1.Id", "a"),
            ("PublishBatchRequestEntries.member.1.Message", "x"),
            ("PublishBatchRequestEntries.member.1.MessageGroupId", "g"),
            ("PublishBatchRequestEntries.member.1.MessageDeduplicationId", "d"),
            ("PublishBatchRequestEntries.member.2.Id", "b"),
            ("PublishBatchRequestEntries.member.2.Message", "y"),
            ("PublishBatchRequestEntries.member.2.MessageGroupId", "g"),
        ],
        "TagResource" => vec![("ResourceArn", T), ("Tags.member.1.Key", "k"), ("Tags.member.1.Value", "v")],
        "UntagResource" => vec![("ResourceArn", T), ("TagKeys.member.1", "k")],
        "ListTagsForResource" => vec![("ResourceArn", T)],
        _ => vec![],
    }
}

#[derive(Clone, Debug)]
enum FormBody {
    /// The action's template plus random parameters (before it, so that they
    /// replace its values, or after it), encoded as an SDK would, then perhaps garbled.
    Params { extra: Vec<(String, String)>, before: bool, mutation: Mutation },
    /// Arbitrary bytes.
    Bytes(Vec<u8>),
}

fn form_body() -> impl Strategy<Value = (String, FormBody)> {
    let extra = proptest::collection::vec((sns_key(), sns_value()), 0..6);
    let garble = prop_oneof![3 => Just(Mutation::None), 2 => mutation()];
    (
        prop_oneof![
            12 => proptest::sample::select(&SNS_ACTIONS[..17]).prop_map(String::from),
            1 => proptest::sample::select(&SNS_ACTIONS[17..]).prop_map(String::from),
        ],
        prop_oneof![
            12 => (extra, any::<bool>(), garble).prop_map(|(extra, before, mutation)| FormBody::Params { extra, before, mutation }),
            1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(FormBody::Bytes),
        ],
    )
}

/// Checks one SNS answer; returns what it was (`200 Publish`, `404 NotFound`) for the tally.
fn check_xml_response(r: &HttpResponse, action: &str, what: &str) -> String {
    assert!((200..600).contains(&r.status), "{what}: status {}", r.status);
    assert!(r.header("x-amzn-RequestId").is_some(), "{what}: no request id");
    assert_eq!(r.header("content-type"), Some("text/xml"), "{what}");
    let text = std::str::from_utf8(&r.body).unwrap_or_else(|e| panic!("{what}: body is not UTF-8 ({e})"));
    let doc = common::query::parse_xml(text).unwrap_or_else(|e| panic!("{what}: not well-formed XML ({e}): {text}"));
    if r.status == 200 {
        assert_eq!(doc.name, format!("{action}Response"), "{what}: {text}");
        format!("200 {action}")
    } else {
        assert_eq!(doc.name, "ErrorResponse", "{what}: {text}");
        let code = doc.text_at(&["Error", "Code"]);
        assert!(!code.is_empty(), "{what}: {text}");
        format!("{} {code}", r.status)
    }
}

#[test]
fn sns_forms_never_panic_and_always_answer_well_formed_xml() {
    let cases: u32 = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let ran = std::cell::Cell::new(0u32);
    // How the answers came out, so a run shows it reached past validation.
    let tally = std::cell::RefCell::new(std::collections::BTreeMap::<String, u32>::new());
    let strategy = proptest::collection::vec(form_body(), 1..4);
    runner
        .run(&strategy, |requests| {
            ran.set(ran.get() + 1);
            let mut h = Harness::new();
            // A standard and a FIFO topic, each feeding a queue that allows it,
            // so publishes reach deep into fan-out.
            for (topic, queue, attributes) in [("t", "q", ""), ("f.fifo", "q.fifo", r#","Attributes":{"FifoQueue":"true"}"#)] {
                let (status, _) = h.js("CreateQueue", &format!(r#"{{"QueueName":"{queue}"{attributes}}}"#));
                assert_eq!(status, 200);
                let fifo = if topic.ends_with(".fifo") { "&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true" } else { "" };
                let r = h.call(&common::query::sns_js(&format!("Action=CreateTopic&Version=2010-03-31&Name={topic}{fifo}")));
                assert_eq!(r.status, 200);
                let policy = format!(
                    r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"Service":"sns.amazonaws.com"}},"Action":"sqs:SendMessage","Condition":{{"ArnEquals":{{"aws:SourceArn":"arn:aws:sns:us-east-1:000000000000:{topic}"}}}}}}]}}"#
                );
                let set = serde_json::json!({"QueueUrl": format!("{URL}{queue}"), "Attributes": {"Policy": policy}});
                assert_eq!(h.js("SetQueueAttributes", &set.to_string()).0, 200);
                let r = h.call(&common::query::sns_js(&format!(
                    "Action=Subscribe&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3A{topic}&Protocol=sqs&Endpoint=arn%3Aaws%3Asqs%3Aus-east-1%3A000000000000%3A{queue}"
                )));
                assert_eq!(r.status, 200);
            }
            let listed = h.call(&common::query::sns_js("Action=ListSubscriptions&Version=2010-03-31"));
            let listed = common::query::xml(&listed);
            let subscription = listed.at(&["ListSubscriptionsResult", "Subscriptions", "member"]).text_at(&["SubscriptionArn"]);
            for (action, body) in requests {
                let bytes = match &body {
                    FormBody::Bytes(b) => b.clone(),
                    FormBody::Params { extra, before, mutation } => {
                        let template = sns_template(&action).into_iter().map(|(k, v)| (k.to_string(), v.to_string()));
                        let params: Vec<(String, String)> = if *before {
                            extra.iter().cloned().chain(template).collect()
                        } else {
                            template.chain(extra.iter().cloned()).collect()
                        };
                        let mut text = format!("Action={action}&Version=2010-03-31");
                        for (k, v) in params {
                            let v = if v == SUB { subscription.clone() } else { v };
                            text.push_str(&format!("&{}={}", form_encode(&k), form_encode(&v)));
                        }
                        mutate(&text, mutation)
                    }
                };
                let req = common::query::sns_js(&String::from_utf8_lossy(&bytes));
                let req = decouple_wire::HttpRequest { body: bytes, ..req };
                let what = format!("{:?}", String::from_utf8_lossy(&req.body));
                match h.dispatch(&req) {
                    Dispatch::Ready(r) => {
                        // The action the router saw: the first `Action=` of the body.
                        let seen = std::str::from_utf8(&req.body)
                            .ok()
                            .and_then(|b| b.split('&').find_map(|p| p.strip_prefix("Action=")))
                            .unwrap_or("")
                            .to_string();
                        *tally.borrow_mut().entry(check_xml_response(&r, &seen, &what)).or_default() += 1;
                    }
                    Dispatch::Pending(_) => panic!("{what}: SNS never answers later"),
                }
            }
            Ok(())
        })
        .unwrap();
    eprintln!("fuzz (SNS query): {} cases ran without a panic; answers: {:?}", ran.get(), tally.borrow());
    assert!(ran.get() >= cases);
}

// ---------------------------------------------------------------- Kinesis over JSON 1.1

fn kinesis_templates() -> Vec<String> {
    vec![
        r#"{"StreamName":"s","ShardCount":2,"StreamModeDetails":{"StreamMode":"PROVISIONED"},"Tags":{"a":"b"}}"#.into(),
        r#"{"StreamName":"s","Data":"aGVsbG8=","PartitionKey":"k","ExplicitHashKey":"12"}"#.into(),
        r#"{"StreamName":"s","Records":[{"Data":"YQ==","PartitionKey":"1"},{"Data":"Yg==","PartitionKey":"2"}]}"#.into(),
        r#"{"StreamName":"s","ShardId":"shardId-000000000000","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1767225600.5}"#.into(),
        r#"{"ShardIterator":"AAAAAAAAAAEAAAGbd2xQAAAAAAAAAAABAAAAAAAAAAAAAAAAAXMAAAAAAAAAAA==","Limit":5}"#.into(),
        r#"{"StreamName":"s","ShardToSplit":"shardId-000000000000","NewStartingHashKey":"85070591730234615865843651857942052864"}"#.into(),
        r#"{"StreamName":"s","ShardToMerge":"shardId-000000000000","AdjacentShardToMerge":"shardId-000000000001"}"#.into(),
        r#"{"StreamName":"s","TargetShardCount":3,"ScalingType":"UNIFORM_SCALING"}"#.into(),
        r#"{"StreamName":"s","ShardFilter":{"Type":"AFTER_SHARD_ID","ShardId":"shardId-000000000000"},"MaxResults":1}"#.into(),
        r#"{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","ConsumerName":"c"}"#.into(),
        r#"{"StreamName":"s","RetentionPeriodHours":48}"#.into(),
    ]
}

#[test]
fn kinesis_requests_never_panic_and_always_answer_well_formed_json() {
    let cases: u32 = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let templates = kinesis_templates();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let ran = std::cell::Cell::new(0u32);
    let action = proptest::sample::select(decouple_wire::KINESIS_ACTIONS);
    let strategy = (proptest::collection::vec((action, body(), 0u64..20_000), 1..5),);
    runner
        .run(&strategy, |(requests,)| {
            ran.set(ran.get() + 1);
            let mut h = Harness::new();
            h.kinesis("CreateStream", r#"{"StreamName":"s","ShardCount":2}"#);
            h.engine.advance_by(SimDuration::from_secs(10));
            for (action, body, advance_ms) in requests {
                let bytes = match &body {
                    Body::Bytes(b) => b.clone(),
                    Body::Json(s) => s.clone().into_bytes(),
                    Body::Mutated(i, m) => mutate(&templates[i % templates.len()], m),
                };
                let mut req = kinesis_sdk(action, "");
                req.body = bytes;
                let what = format!("Some(\"Kinesis_20131202.{action}\") {:?}", String::from_utf8_lossy(&req.body));
                match h.dispatch(&req) {
                    Dispatch::Ready(r) => check_response(&r, &what),
                    Dispatch::Pending(_) => prop_assert!(false, "Kinesis never answers later: {}", what),
                }
                h.engine.advance_by(SimDuration::from_millis(advance_ms));
            }
            Ok(())
        })
        .unwrap();
    eprintln!("kinesis fuzz: {} cases ran without a panic", ran.get());
    assert!(ran.get() >= cases);
}

// ---------------------------------------------------------------- Firehose over JSON 1.1

fn firehose_templates() -> Vec<String> {
    vec![
        r#"{"DeliveryStreamName":"d","DeliveryStreamType":"DirectPut","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::lake","Prefix":"p/","ErrorOutputPrefix":"e/","BufferingHints":{"SizeInMBs":1,"IntervalInSeconds":0},"CompressionFormat":"UNCOMPRESSED","ProcessingConfiguration":{"Enabled":true,"Processors":[{"Type":"Lambda","Parameters":[{"ParameterName":"LambdaArn","ParameterValue":"arn:aws:lambda:us-east-1:000000000000:function:fail-if-contains-a"}]}]}},"Tags":[{"Key":"k","Value":"v"}]}"#.into(),
        r#"{"DeliveryStreamName":"k","DeliveryStreamType":"KinesisStreamAsSource","KinesisStreamSourceConfiguration":{"KinesisStreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/s","RoleARN":"arn:aws:iam::000000000000:role/r"},"S3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::lake"}}"#.into(),
        r#"{"DeliveryStreamName":"f","Record":{"Data":"aGVsbG8="}}"#.into(),
        r#"{"DeliveryStreamName":"f","Records":[{"Data":"YQ=="},{"Data":"Yg=="}]}"#.into(),
        r#"{"Limit":2,"DeliveryStreamType":"DirectPut","ExclusiveStartDeliveryStreamName":"a"}"#.into(),
        r#"{"DeliveryStreamName":"f","Tags":[{"Key":"a","Value":"b"}],"TagKeys":["a"],"Limit":1}"#.into(),
        r#"{"DeliveryStreamName":"f","AllowForceDelete":true}"#.into(),
    ]
}

fn firehose_sdk(action: &str) -> decouple_wire::HttpRequest {
    let mut req = kinesis_sdk(action, "");
    for (k, v) in &mut req.headers {
        if k == "x-amz-target" {
            *v = format!("Firehose_20150804.{action}");
        }
    }
    req
}

#[test]
fn firehose_requests_never_panic_and_always_answer_well_formed_json() {
    let cases: u32 = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(5_000);
    let templates = firehose_templates();
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let ran = std::cell::Cell::new(0u32);
    let action = proptest::sample::select(decouple_wire::FIREHOSE_ACTIONS);
    let strategy = (proptest::collection::vec((action, body(), 0u64..400_000), 1..5),);
    runner
        .run(&strategy, |(requests,)| {
            ran.set(ran.get() + 1);
            let mut h = Harness::new();
            h.engine.s3().create_bucket(decouple_engine::s3::CreateBucket { bucket: "lake".into() }).unwrap();
            h.kinesis("CreateStream", r#"{"StreamName":"s","ShardCount":2}"#);
            h.engine.advance_by(SimDuration::from_secs(10));
            let mut create = firehose_sdk("CreateDeliveryStream");
            create.body = br#"{"DeliveryStreamName":"f","ExtendedS3DestinationConfiguration":{"RoleARN":"arn:aws:iam::000000000000:role/r","BucketARN":"arn:aws:s3:::lake","BufferingHints":{"SizeInMBs":1,"IntervalInSeconds":60}}}"#.to_vec();
            h.dispatch(&create);
            h.engine.advance_by(SimDuration::from_secs(5));
            for (action, body, advance_ms) in requests {
                let bytes = match &body {
                    Body::Bytes(b) => b.clone(),
                    Body::Json(s) => s.clone().into_bytes(),
                    Body::Mutated(i, m) => mutate(&templates[i % templates.len()], m),
                };
                let mut req = firehose_sdk(action);
                req.body = bytes;
                let what = format!("Some(\"Firehose_20150804.{action}\") {:?}", String::from_utf8_lossy(&req.body));
                match h.dispatch(&req) {
                    Dispatch::Ready(r) => check_response(&r, &what),
                    Dispatch::Pending(_) => prop_assert!(false, "Firehose never answers later: {}", what),
                }
                h.engine.advance_by(SimDuration::from_millis(advance_ms));
            }
            Ok(())
        })
        .unwrap();
    eprintln!("firehose fuzz: {} cases ran without a panic", ran.get());
    assert!(ran.get() >= cases);
}
