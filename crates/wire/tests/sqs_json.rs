//! SQS over AWS JSON 1.0 through the gateway, with request bodies exactly as
//! the JS SDK v3 and boto3 send them, checked against AWS's responses.

mod common;

use common::*;
use decouple_engine::SimDuration;
use decouple_wire::{Dispatch, HttpRequest};
use serde_json::json;

#[test]
fn create_queue_answers_queue_url_with_aws_headers() {
    let mut h = Harness::new();
    let r = h.call(&js_sdk(
        "CreateQueue",
        r#"{"QueueName":"orders","Attributes":{"VisibilityTimeout":"45"},"tags":{"team":"a"}}"#,
    ));
    assert_eq!(r.status, 200);
    assert_eq!(json(&r), json!({"QueueUrl": format!("{URL}orders")}));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    assert_eq!(r.header("content-length"), Some(r.body.len().to_string().as_str()));
    let id = r.header("x-amzn-requestid").unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    assert_eq!(&id[14..15], "4", "version 4: {id}");
    let (_, tags) = h.js("ListQueueTags", &format!(r#"{{"QueueUrl":"{URL}orders"}}"#));
    assert_eq!(tags, json!({"Tags": {"team": "a"}}));
}

#[test]
fn request_ids_are_reproducible_from_the_seed() {
    let ids = |_: ()| {
        let mut h = Harness::new();
        (0..3)
            .map(|_| h.call(&js_sdk("ListQueues", "{}")).header("x-amzn-RequestId").unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let first = ids(());
    assert_eq!(first, ids(()));
    assert_ne!(first[0], first[1]);
}

#[test]
fn send_and_receive_as_the_js_sdk_does() {
    let mut h = Harness::new();
    let url = h.create("orders");
    let send = format!(
        r#"{{"QueueUrl":"{url}","MessageBody":"msg","DelaySeconds":0,"MessageAttributes":{{"Foo":{{"StringValue":"Bar","DataType":"String"}}}}}}"#
    );
    let (status, sent) = h.js("SendMessage", &send);
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["MD5OfMessageBody"], "6e2baaf3b97dbeef01c0043275f9a0e7");
    assert_eq!(sent["MD5OfMessageAttributes"], "ae7155c6026991b6d54b11589678bf9c");
    assert!(sent.get("SequenceNumber").is_none(), "standard queues have no sequence numbers: {sent}");

    let receive = format!(
        r#"{{"QueueUrl":"{url}","MaxNumberOfMessages":10,"MessageAttributeNames":["All"],"MessageSystemAttributeNames":["SentTimestamp"],"AttributeNames":["ApproximateReceiveCount"]}}"#
    );
    let (status, got) = h.js("ReceiveMessage", &receive);
    assert_eq!(status, 200);
    let m = &got["Messages"][0];
    assert_eq!(m["Body"], "msg");
    assert_eq!(m["MessageId"], sent["MessageId"]);
    assert_eq!(m["MD5OfBody"], "6e2baaf3b97dbeef01c0043275f9a0e7");
    assert_eq!(m["MD5OfMessageAttributes"], "ae7155c6026991b6d54b11589678bf9c");
    assert_eq!(m["MessageAttributes"], json!({"Foo": {"StringValue": "Bar", "DataType": "String"}}));
    // Both the deprecated AttributeNames and MessageSystemAttributeNames count.
    assert_eq!(m["Attributes"], json!({"ApproximateReceiveCount": "1", "SentTimestamp": "1767225600000"}));
    assert!(m["ReceiptHandle"].as_str().is_some_and(|h| !h.is_empty()));
}

#[test]
fn boto3_member_order_and_binary_attributes() {
    let mut h = Harness::new();
    let url = h.create("orders");
    // boto3 keeps the caller's keyword order; BinaryValue is base64.
    let send = format!(
        r#"{{"MessageAttributes": {{"blob": {{"DataType": "Binary", "BinaryValue": "AAEC/w=="}}, "n": {{"DataType": "Number", "StringValue": "99.12"}}}}, "MessageBody": "hello", "QueueUrl": "{url}"}}"#
    );
    let r = h.call(&boto3("SendMessage", &send));
    assert_eq!(r.status, 200, "{}", text(&r));
    let r = h.call(&boto3(
        "ReceiveMessage",
        &format!(r#"{{"MessageAttributeNames": ["All"], "QueueUrl": "{url}", "WaitTimeSeconds": 0}}"#),
    ));
    let body = json(&r);
    let attrs = &body["Messages"][0]["MessageAttributes"];
    assert_eq!(attrs["blob"], json!({"BinaryValue": "AAEC/w==", "DataType": "Binary"}));
    assert_eq!(attrs["n"], json!({"StringValue": "99.12", "DataType": "Number"}));
}

#[test]
fn content_type_parameters_are_accepted() {
    let mut h = Harness::new();
    let mut req = js_sdk("ListQueues", "{}");
    req.headers[0].1 = "application/x-amz-json-1.0; charset=utf-8".into();
    assert_eq!(h.call(&req).status, 200);
}

#[test]
fn empty_receive_answers_an_empty_object() {
    let mut h = Harness::new();
    let url = h.create("empty");
    let r = h.call(&js_sdk("ReceiveMessage", &format!(r#"{{"QueueUrl":"{url}","WaitTimeSeconds":0}}"#)));
    assert_eq!((r.status, text(&r)), (200, "{}"));
    // Actions without output answer `{}` too.
    let r = h.call(&js_sdk("PurgeQueue", &format!(r#"{{"QueueUrl":"{url}"}}"#)));
    assert_eq!((r.status, text(&r)), (200, "{}"));
}

#[test]
fn queue_does_not_exist_exactly_as_aws_answers() {
    let mut h = Harness::new();
    let r = h.call(&js_sdk("GetQueueAttributes", &format!(r#"{{"QueueUrl":"{URL}nope","AttributeNames":["All"]}}"#)));
    assert_eq!(r.status, 400);
    assert_eq!(
        text(&r),
        r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"#
    );
    assert_eq!(r.header("x-amzn-query-error"), Some("AWS.SimpleQueueService.NonExistentQueue;Sender"));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
}

#[test]
fn coral_errors_keep_coral_namespaces() {
    let mut h = Harness::new();
    let url = h.create("q");
    let (status, body) = h.js("ReceiveMessage", &format!(r#"{{"QueueUrl":"{url}","MaxNumberOfMessages":11}}"#));
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"__type": "com.amazon.coral.service#InvalidParameterValueException",
               "message": "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."})
    );
    let r = h.call(&js_sdk("SendMessage", &format!(r#"{{"QueueUrl":"{url}","MessageBody":""}}"#)));
    assert_eq!(json(&r)["__type"], "com.amazon.coral.service#MissingRequiredParameterException");
    assert_eq!(r.header("x-amzn-query-error"), Some("MissingParameter;Sender"));
}

#[test]
fn missing_required_members_are_missing_parameter() {
    let mut h = Harness::new();
    for (action, body, member) in [
        ("SendMessage", r#"{"MessageBody":"x"}"#.to_string(), "QueueUrl"),
        ("DeleteMessage", format!(r#"{{"QueueUrl":"{URL}q"}}"#), "ReceiptHandle"),
        ("CancelMessageMoveTask", "{}".to_string(), "TaskHandle"),
    ] {
        let r = h.call(&js_sdk(action, &body));
        assert_eq!(r.status, 400, "{action}");
        assert_eq!(
            json(&r),
            json!({"__type": "com.amazon.coral.service#MissingRequiredParameterException",
                   "message": format!("The request must contain the parameter {member}.")}),
            "{action}"
        );
        assert_eq!(r.header("x-amzn-query-error"), Some("MissingParameter;Sender"));
    }
}

#[test]
fn malformed_json_and_wrong_types_are_serialization_exceptions() {
    let mut h = Harness::new();
    let url = h.create("q");
    for body in [
        "{".to_string(),
        "[]".to_string(),
        "\"QueueUrl\"".to_string(),
        "{\"QueueUrl\": 5}".to_string(),
        format!(r#"{{"QueueUrl":"{url}","MaxNumberOfMessages":"5"}}"#),
        format!(r#"{{"QueueUrl":"{url}","MaxNumberOfMessages":1.5}}"#),
        format!(r#"{{"QueueUrl":"{url}","WaitTimeSeconds":99999999999999999999999}}"#),
        format!(r#"{{"QueueUrl":"{url}","WaitTimeSeconds":1e400}}"#),
        format!(r#"{{"QueueUrl":"{url}","AttributeNames":"All"}}"#),
        format!(r#"{{"QueueUrl":"{url}","AttributeNames":[1]}}"#),
    ] {
        let r = h.call(&js_sdk("ReceiveMessage", &body));
        assert_eq!(r.status, 400, "{body}");
        assert_eq!(json(&r)["__type"], "com.amazon.coral.service#SerializationException", "{body}");
        assert_eq!(r.header("x-amzn-query-error"), Some("MalformedInput;Sender"));
    }
    let bad_blob = format!(
        r#"{{"QueueUrl":"{url}","MessageBody":"x","MessageAttributes":{{"b":{{"DataType":"Binary","BinaryValue":"!!"}}}}}}"#
    );
    assert_eq!(
        json(&h.call(&js_sdk("SendMessage", &bad_blob)))["__type"],
        "com.amazon.coral.service#SerializationException"
    );
}

#[test]
fn numbers_within_i64_reach_the_engine_for_its_range_check() {
    let mut h = Harness::new();
    let url = h.create("q");
    let (status, body) = h.js("ReceiveMessage", &format!(r#"{{"QueueUrl":"{url}","WaitTimeSeconds":3000000000}}"#));
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "Value 3000000000 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided."
    );
}

#[test]
fn null_members_count_as_absent() {
    let mut h = Harness::new();
    let url = h.create("q");
    let (status, body) =
        h.js("SendMessage", &format!(r#"{{"QueueUrl":"{url}","MessageBody":"x","DelaySeconds":null}}"#));
    assert_eq!(status, 200, "{body}");
}

#[test]
fn unknown_operations_and_other_services() {
    let mut h = Harness::new();
    let r = h.call(&js_sdk("SendMessages", "{}"));
    assert_eq!((r.status, text(&r)), (400, r#"{"__type":"com.amazon.coral.service#UnknownOperationException"}"#));
    assert_eq!(r.header("x-amzn-query-error"), Some("InvalidAction;Sender"));

    let mut no_target = js_sdk("ListQueues", "{}");
    no_target.headers.retain(|(k, _)| k != "x-amz-target");
    let r = h.call(&no_target);
    assert_eq!(json(&r)["__type"], "com.amazon.coral.service#UnknownOperationException");

    // Kinesis and Firehose speak JSON 1.1 and are not query-compatible: an
    // operation neither has is unknown there too, without SQS's query code.
    for target in ["Kinesis_20131202.SendMessage", "Firehose_20150804.SendMessage"] {
        let mut req = js_sdk("ListQueues", "{}");
        req.headers[0].1 = "application/x-amz-json-1.1".into();
        req.headers[1].1 = target.into();
        let r = h.call(&req);
        assert_eq!(r.status, 400);
        assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
        assert_eq!(json(&r)["__type"], "com.amazon.coral.service#UnknownOperationException");
        assert_eq!(r.header("x-amzn-query-error"), None);
    }
}

#[test]
fn query_protocol_requests_reach_sns_and_sqs_query_gets_an_xml_invalid_action() {
    let mut h = Harness::new();
    let sns = HttpRequest {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers: vec![
            ("Content-Type".into(), "application/x-www-form-urlencoded; charset=utf-8".into()),
            (
                "Authorization".into(),
                "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=ab"
                    .into(),
            ),
        ],
        body: b"Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A000000000000%3At&Message=hi"
            .to_vec(),
    };
    // SNS answers over the query protocol (tests/sns_query.rs); this topic does not exist.
    let r = h.call(&sns);
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("text/xml"));
    assert!(text(&r).contains("<Code>NotFound</Code>"), "{}", text(&r));
    assert!(text(&r).contains("http://sns.amazonaws.com/doc/2010-03-31/"));
    assert_eq!(
        decouple_wire::service::route(&sns),
        decouple_wire::service::Route {
            service: Some(decouple_wire::service::Service::Sns),
            protocol: decouple_wire::service::Protocol::AwsQuery,
            operation: "Publish"
        }
    );

    // SQS's legacy query protocol is not served: InvalidAction in SQS's namespace.
    let mut sqs = sns.clone();
    sqs.headers[1].1 =
        "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=ab".into();
    sqs.body = format!("Action=SendMessage&Version=2012-11-05&QueueUrl={URL}q&MessageBody=hi").into_bytes();
    let r = h.call(&sqs);
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("text/xml"));
    assert!(text(&r).contains("<Code>InvalidAction</Code>"), "{}", text(&r));
    assert!(text(&r).contains("http://queue.amazonaws.com/doc/2012-11-05/"));
}

#[test]
fn long_poll_is_pending_until_a_send_satisfies_it() {
    let mut h = Harness::new();
    let url = h.create("q");
    let poll = js_sdk("ReceiveMessage", &format!(r#"{{"QueueUrl":"{url}","WaitTimeSeconds":20}}"#));
    let Dispatch::Pending(id) = h.dispatch(&poll) else { panic!("expected a waiting long poll") };
    assert!(h.gateway.poll_completed(&mut h.engine).is_empty());
    assert_eq!(h.gateway.pending(), 1);
    h.engine.advance_by(SimDuration::from_secs(3));
    h.js("SendMessage", &format!(r#"{{"QueueUrl":"{url}","MessageBody":"late"}}"#));
    let done = h.gateway.poll_completed(&mut h.engine);
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].0, id);
    assert_eq!(json(&done[0].1)["Messages"][0]["Body"], "late");
    assert_eq!(h.gateway.pending(), 0);
}

#[test]
fn long_poll_times_out_with_an_empty_object() {
    let mut h = Harness::new();
    let url = h.create("q");
    let poll = js_sdk("ReceiveMessage", &format!(r#"{{"QueueUrl":"{url}","WaitTimeSeconds":5}}"#));
    let Dispatch::Pending(id) = h.dispatch(&poll) else { panic!("expected a waiting long poll") };
    h.engine.advance_by(SimDuration::from_millis(4_999));
    assert!(h.gateway.poll_completed(&mut h.engine).is_empty());
    h.engine.advance_by(SimDuration::from_millis(1));
    let done = h.gateway.poll_completed(&mut h.engine);
    assert_eq!(done.len(), 1);
    assert_eq!((done[0].0, text(&done[0].1)), (id, "{}"));
}

#[test]
fn a_deleted_queue_ends_its_long_polls_with_queue_does_not_exist() {
    let mut h = Harness::new();
    let url = h.create("q");
    let poll = js_sdk("ReceiveMessage", &format!(r#"{{"QueueUrl":"{url}","WaitTimeSeconds":20}}"#));
    assert!(matches!(h.dispatch(&poll), Dispatch::Pending(_)));
    h.js("DeleteQueue", &format!(r#"{{"QueueUrl":"{url}"}}"#));
    let done = h.gateway.poll_completed(&mut h.engine);
    assert_eq!(json(&done[0].1)["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
}

#[test]
fn a_cancelled_long_poll_never_answers_and_takes_no_message() {
    let mut h = Harness::new();
    let url = h.create("q");
    let poll = js_sdk("ReceiveMessage", &format!(r#"{{"QueueUrl":"{url}","WaitTimeSeconds":20}}"#));
    let Dispatch::Pending(id) = h.dispatch(&poll) else { panic!() };
    h.gateway.cancel(&mut h.engine, id);
    h.js("SendMessage", &format!(r#"{{"QueueUrl":"{url}","MessageBody":"kept"}}"#));
    assert!(h.gateway.poll_completed(&mut h.engine).is_empty());
    let (_, got) = h.js("ReceiveMessage", &format!(r#"{{"QueueUrl":"{url}"}}"#));
    assert_eq!(got["Messages"][0]["Body"], "kept");
}

#[test]
fn batch_results_list_successes_and_failures() {
    let mut h = Harness::new();
    let url = h.create("q");
    let body = format!(
        r#"{{"QueueUrl":"{url}","Entries":[{{"Id":"ok","MessageBody":"a"}},{{"Id":"bad","MessageBody":"b","DelaySeconds":901}}]}}"#
    );
    let (status, result) = h.js("SendMessageBatch", &body);
    assert_eq!(status, 200);
    assert_eq!(result["Successful"][0]["Id"], "ok");
    assert_eq!(result["Successful"][0]["MD5OfMessageBody"], "0cc175b9c0f1b6a831c399e269772661");
    let failed = &result["Failed"][0];
    assert_eq!(failed["Id"], "bad");
    assert_eq!(failed["SenderFault"], true);
    assert_eq!(failed["Code"], "InvalidParameterValue");
    assert!(failed["Message"].as_str().is_some());

    let (status, result) = h.js(
        "DeleteMessageBatch",
        &format!(r#"{{"QueueUrl":"{url}","Entries":[{{"Id":"x","ReceiptHandle":"garbage"}}]}}"#),
    );
    assert_eq!(status, 200);
    assert!(result.get("Successful").is_none(), "{result}");
    assert_eq!(result["Failed"][0]["Code"], "ReceiptHandleIsInvalid");

    let (status, error) = h.js("SendMessageBatch", &format!(r#"{{"QueueUrl":"{url}","Entries":[]}}"#));
    assert_eq!(status, 400);
    assert_eq!(error["__type"], "com.amazonaws.sqs#EmptyBatchRequest");
}

#[test]
fn fifo_send_returns_a_sequence_number() {
    let mut h = Harness::new();
    let (status, created) = h.js(
        "CreateQueue",
        r#"{"QueueName":"jobs.fifo","Attributes":{"FifoQueue":"true","ContentBasedDeduplication":"true"}}"#,
    );
    assert_eq!(status, 200, "{created}");
    let url = created["QueueUrl"].as_str().unwrap();
    let (status, sent) =
        h.js("SendMessage", &format!(r#"{{"QueueUrl":"{url}","MessageBody":"a","MessageGroupId":"g"}}"#));
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["SequenceNumber"].as_str().map(str::len), Some(20));
}

#[test]
fn dead_letter_sources_use_the_lower_camel_member() {
    let mut h = Harness::new();
    let dlq = h.create("dlq");
    let (_, attrs) = h.js("GetQueueAttributes", &format!(r#"{{"QueueUrl":"{dlq}","AttributeNames":["QueueArn"]}}"#));
    let arn = attrs["Attributes"]["QueueArn"].as_str().unwrap().to_string();
    let policy = format!(r#"{{\"deadLetterTargetArn\":\"{arn}\",\"maxReceiveCount\":\"2\"}}"#);
    let (status, created) =
        h.js("CreateQueue", &format!(r#"{{"QueueName":"src","Attributes":{{"RedrivePolicy":"{policy}"}}}}"#));
    assert_eq!(status, 200, "{created}");
    let (_, sources) = h.js("ListDeadLetterSourceQueues", &format!(r#"{{"QueueUrl":"{dlq}"}}"#));
    assert_eq!(sources, json!({"queueUrls": [format!("{URL}src")]}));

    let (status, task) = h.js("StartMessageMoveTask", &format!(r#"{{"SourceArn":"{arn}"}}"#));
    assert_eq!(status, 200, "{task}");
    assert!(task["TaskHandle"].as_str().is_some());
    let (status, tasks) = h.js("ListMessageMoveTasks", &format!(r#"{{"SourceArn":"{arn}"}}"#));
    assert_eq!(status, 200, "{tasks}");
    assert!(tasks["Results"][0]["StartedTimestamp"].is_u64(), "{tasks}");
}
