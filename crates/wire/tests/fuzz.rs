//! Fuzzing the dispatcher: random and mutated requests must never panic and
//! must always get a well-formed AWS response.
//!
//! Requests are built from the SQS vocabulary (targets, member names, queue
//! URLs of queues that exist) so that many reach deep into the engine, then
//! garbled: truncated, bytes flipped, members given the wrong type, numbers far
//! beyond i64. Set `FUZZ_CASES` to run more (default 20,000).

mod common;

use common::{js_sdk, Harness, URL};
use decouple_engine::SimDuration;
use decouple_wire::{Dispatch, HttpResponse};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value;

const ACTIONS: &[&str] = &[
    "AddPermission",
    "CancelMessageMoveTask",
    "ChangeMessageVisibility",
    "ChangeMessageVisibilityBatch",
    "CreateQueue",
    "DeleteMessage",
    "DeleteMessageBatch",
    "DeleteQueue",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "ListMessageMoveTasks",
    "ListQueueTags",
    "ListQueues",
    "PurgeQueue",
    "ReceiveMessage",
    "RemovePermission",
    "SendMessage",
    "SendMessageBatch",
    "SetQueueAttributes",
    "StartMessageMoveTask",
    "TagQueue",
    "UntagQueue",
];

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
    let body: Value = serde_json::from_slice(&r.body)
        .unwrap_or_else(|e| panic!("{what}: body is not JSON ({e}): {}", String::from_utf8_lossy(&r.body)));
    assert!(body.is_object(), "{what}: body is not an object");
    if r.status != 200 {
        let ty = body["__type"].as_str().unwrap_or_else(|| panic!("{what}: error without __type: {body}"));
        assert!(ty.contains('#'), "{what}: __type without namespace: {ty}");
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
