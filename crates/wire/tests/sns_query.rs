//! SNS over the AWS query protocol through the gateway, with request bodies
//! exactly as the JS SDK v3 (captured from `@aws-sdk/client-sns` 3.1169.0) and
//! boto3 send them, answered in AWS's XML. Every response is read with a
//! strict XML reader, so each test also checks well-formedness.

mod common;

use common::query::{enc, sns_boto3, sns_js, xml, Element};
use common::*;
use decouple_wire::HttpRequest;
use serde_json::{json, Value};

const NS: &str = "http://sns.amazonaws.com/doc/2010-03-31/";
const ARN: &str = "arn:aws:sns:us-east-1:000000000000:";

/// Sends a JS-SDK-shaped request; answers status and the parsed document.
fn call(h: &mut Harness, body: &str) -> (u16, Element) {
    let r = h.call(&sns_js(body));
    (r.status, xml(&r))
}

/// Sends `Action=<action>&Version=2010-03-31&<rest>` and expects success;
/// answers the `<ActionResult>` element (or the whole response when there is none).
fn ok(h: &mut Harness, action: &str, rest: &str) -> Element {
    let body = format!("Action={action}&Version=2010-03-31{}{rest}", if rest.is_empty() { "" } else { "&" });
    let (status, doc) = call(h, &body);
    assert_eq!(status, 200, "{action}: {doc:?}");
    assert_eq!(doc.name, format!("{action}Response"));
    assert_eq!(doc.attributes, vec![("xmlns".to_string(), NS.to_string())]);
    assert!(!doc.text_at(&["ResponseMetadata", "RequestId"]).is_empty());
    doc.find(&format!("{action}Result")).cloned().unwrap_or(doc)
}

/// Sends and expects an error; answers (status, code, message).
fn err(h: &mut Harness, body: &str) -> (u16, String, String) {
    let (status, doc) = call(h, body);
    assert_eq!(doc.name, "ErrorResponse", "{doc:?}");
    assert_eq!(doc.attributes, vec![("xmlns".to_string(), NS.to_string())]);
    assert_eq!(doc.names(), ["Error", "RequestId"]);
    assert_eq!(doc.child("Error").names(), ["Type", "Code", "Message"]);
    assert_eq!(doc.text_at(&["Error", "Type"]), "Sender");
    (status, doc.text_at(&["Error", "Code"]), doc.text_at(&["Error", "Message"]))
}

fn create_topic(h: &mut Harness, name: &str) -> String {
    ok(h, "CreateTopic", &format!("Name={name}")).text_at(&["TopicArn"])
}

/// A queue whose access policy lets this topic send, subscribed to it.
fn subscribed_queue(h: &mut Harness, topic_arn: &str, name: &str, attributes: &str) -> String {
    let url = h.create(name);
    let queue_arn = format!("arn:aws:sqs:us-east-1:000000000000:{name}");
    let policy = json!({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},
        "Action":"sqs:SendMessage","Resource":queue_arn,"Condition":{"ArnEquals":{"aws:SourceArn":topic_arn}}}]});
    let (status, body) =
        h.js("SetQueueAttributes", &json!({"QueueUrl": url, "Attributes": {"Policy": policy.to_string()}}).to_string());
    assert_eq!(status, 200, "{body}");
    let sub = ok(
        h,
        "Subscribe",
        &format!("TopicArn={}&Protocol=sqs&Endpoint={}{attributes}", enc(topic_arn), enc(&queue_arn)),
    );
    assert!(sub.text_at(&["SubscriptionArn"]).starts_with(topic_arn));
    url
}

fn receive(h: &mut Harness, url: &str) -> Vec<Value> {
    let (status, body) = h.js(
        "ReceiveMessage",
        &json!({"QueueUrl": url, "MaxNumberOfMessages": 10, "MessageAttributeNames": ["All"]}).to_string(),
    );
    assert_eq!(status, 200, "{body}");
    body["Messages"].as_array().cloned().unwrap_or_default()
}

#[test]
fn create_topic_as_the_js_sdk_sends_it() {
    let mut h = Harness::new();
    // Captured from @aws-sdk/client-sns.
    let body = "Action=CreateTopic&Version=2010-03-31&Name=orders.fifo&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true&Attributes.entry.2.key=ContentBasedDeduplication&Attributes.entry.2.value=true&Tags.member.1.Key=team&Tags.member.1.Value=a%20b";
    let r = h.call(&sns_js(body));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/xml"));
    assert_eq!(r.header("content-length"), Some(r.body.len().to_string().as_str()));
    let id = r.header("x-amzn-RequestId").unwrap().to_string();
    let doc = xml(&r);
    assert_eq!(doc.names(), ["CreateTopicResult", "ResponseMetadata"]);
    assert_eq!(doc.text_at(&["CreateTopicResult", "TopicArn"]), format!("{ARN}orders.fifo"));
    assert_eq!(doc.text_at(&["ResponseMetadata", "RequestId"]), id);
    assert_eq!(
        String::from_utf8(r.body.clone()).unwrap(),
        format!(
            "<CreateTopicResponse xmlns=\"{NS}\"><CreateTopicResult><TopicArn>{ARN}orders.fifo</TopicArn></CreateTopicResult>\
             <ResponseMetadata><RequestId>{id}</RequestId></ResponseMetadata></CreateTopicResponse>"
        )
    );

    let arn = enc(&format!("{ARN}orders.fifo"));
    let attrs = ok(&mut h, "GetTopicAttributes", &format!("TopicArn={arn}"));
    let entries = attrs.child("Attributes").entries();
    assert!(entries.contains(&("FifoTopic".into(), "true".into())), "{entries:?}");
    assert!(entries.contains(&("ContentBasedDeduplication".into(), "true".into())), "{entries:?}");
    let tags = ok(&mut h, "ListTagsForResource", &format!("ResourceArn={arn}"));
    let tag = tags.at(&["Tags", "member"]);
    assert_eq!(tag.names(), ["Key", "Value"]);
    assert_eq!((tag.text_at(&["Key"]), tag.text_at(&["Value"])), ("team".into(), "a b".into()));
}

#[test]
fn boto3_bodies_with_plus_for_space_are_read() {
    let mut h = Harness::new();
    let r = h.call(&sns_boto3("Action=CreateTopic&Version=2010-03-31&Name=news"));
    assert_eq!(r.status, 200, "{}", text(&r));
    let topic = xml(&r).text_at(&["CreateTopicResult", "TopicArn"]);
    let url = subscribed_queue(
        &mut h,
        &topic,
        "inbox",
        "&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true",
    );
    let body = format!(
        "Action=Publish&Version=2010-03-31&TopicArn={}&Message=hello+world+%2B+more&MessageAttributes.entry.1.Name=kind&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=a+b",
        enc(&topic)
    );
    let r = h.call(&sns_boto3(&body));
    assert_eq!(r.status, 200, "{}", text(&r));
    let got = receive(&mut h, &url);
    assert_eq!(got[0]["Body"], "hello world + more");
    assert_eq!(got[0]["MessageAttributes"]["kind"], json!({"DataType": "String", "StringValue": "a b"}));
}

#[test]
fn publish_as_the_js_sdk_sends_it_reaches_the_queue_in_the_envelope() {
    let mut h = Harness::new();
    let topic = create_topic(&mut h, "orders");
    let url = subscribed_queue(&mut h, &topic, "q", "");
    // Captured from @aws-sdk/client-sns (the topic ARN in this account).
    let body = format!(
        "Action=Publish&Version=2010-03-31&Message=hello%20world%20%26%20%3Cmore%3E%20%2B1%20%C3%BC&TopicArn={}&Subject=Hi%21&MessageAttributes.entry.1.Name=color&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=red&MessageAttributes.entry.2.Name=bin&MessageAttributes.entry.2.Value.DataType=Binary&MessageAttributes.entry.2.Value.BinaryValue=AAH%2F",
        enc(&topic)
    );
    let (status, doc) = call(&mut h, &body);
    assert_eq!(status, 200, "{doc:?}");
    assert_eq!(doc.child("PublishResult").names(), ["MessageId"], "no SequenceNumber on a standard topic");
    let message_id = doc.text_at(&["PublishResult", "MessageId"]);

    let got = receive(&mut h, &url);
    assert_eq!(got.len(), 1);
    let envelope: Value = serde_json::from_str(got[0]["Body"].as_str().unwrap()).unwrap();
    assert_eq!(envelope["MessageId"], message_id.as_str());
    assert_eq!(envelope["Message"], "hello world & <more> +1 ü");
    assert_eq!(envelope["Subject"], "Hi!");
    assert_eq!(envelope["MessageAttributes"]["color"], json!({"Type": "String", "Value": "red"}));
    assert_eq!(envelope["MessageAttributes"]["bin"], json!({"Type": "Binary", "Value": "AAH/"}));
}

#[test]
fn raw_delivery_carries_binary_attributes_as_bytes() {
    let mut h = Harness::new();
    let topic = create_topic(&mut h, "t");
    let url = subscribed_queue(
        &mut h,
        &topic,
        "raw",
        "&Attributes.entry.1.key=RawMessageDelivery&Attributes.entry.1.value=true",
    );
    let body = format!(
        "Action=Publish&Version=2010-03-31&Message=m&TopicArn={}&MessageAttributes.entry.1.Name=bin&MessageAttributes.entry.1.Value.DataType=Binary&MessageAttributes.entry.1.Value.BinaryValue=AAH%2F",
        enc(&topic)
    );
    ok(&mut h, "Publish", body.split_once("2010-03-31&").unwrap().1);
    let got = receive(&mut h, &url);
    assert_eq!(got[0]["Body"], "m");
    assert_eq!(got[0]["MessageAttributes"]["bin"], json!({"DataType": "Binary", "BinaryValue": "AAH/"}));
}

#[test]
fn values_with_markup_are_escaped_and_round_trip() {
    let mut h = Harness::new();
    let topic = create_topic(&mut h, "t");
    let policy = r#"{"Version":"2008-10-17","Statement":[{"Sid":"<a&b>'q'","Effect":"Allow","Principal":{"AWS":"*"},"Action":"SNS:Publish","Resource":"*"}]}"#;
    ok(
        &mut h,
        "SetTopicAttributes",
        &format!("TopicArn={}&AttributeName=Policy&AttributeValue={}", enc(&topic), enc(policy)),
    );
    ok(
        &mut h,
        "SetTopicAttributes",
        &format!("TopicArn={}&AttributeName=DisplayName&AttributeValue={}", enc(&topic), enc("a\r\nb\u{1}c")),
    );
    let r = h.call(&sns_js(&format!("Action=GetTopicAttributes&Version=2010-03-31&TopicArn={}", enc(&topic))));
    let raw = text(&r).to_string();
    assert!(raw.contains("&quot;Sid&quot;:&quot;&lt;a&amp;b&gt;&apos;q&apos;&quot;"), "{raw}");
    let entries = xml(&r).at(&["GetTopicAttributesResult", "Attributes"]).entries();
    let get = |k: &str| entries.iter().find(|(key, _)| key == k).map(|(_, v)| v.clone()).unwrap();
    assert_eq!(get("Policy"), policy);
    // \r survives as a reference; a control character XML cannot carry becomes U+FFFD.
    assert_eq!(get("DisplayName"), "a\r\nb\u{fffd}c");
}

#[test]
fn not_found_is_404_in_aws_error_xml() {
    let mut h = Harness::new();
    let r = h.call(&sns_js(&format!(
        "Action=GetTopicAttributes&Version=2010-03-31&TopicArn={}",
        enc(&format!("{ARN}nope"))
    )));
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("text/xml"));
    let id = r.header("x-amzn-RequestId").unwrap().to_string();
    assert_eq!(
        text(&r),
        format!(
            "<ErrorResponse xmlns=\"{NS}\"><Error><Type>Sender</Type><Code>NotFound</Code><Message>Topic does not exist</Message></Error><RequestId>{id}</RequestId></ErrorResponse>"
        )
    );
    let sub = format!("{ARN}nope:3f1c2b7e-0000-4000-8000-000000000000");
    assert_eq!(
        err(&mut h, &format!("Action=GetSubscriptionAttributes&Version=2010-03-31&SubscriptionArn={}", enc(&sub))),
        (404, "NotFound".into(), "Subscription does not exist".into())
    );
}

#[test]
fn invalid_parameters_get_the_engine_codes_and_statuses() {
    let mut h = Harness::new();
    assert_eq!(
        err(&mut h, "Action=CreateTopic&Version=2010-03-31&Name=bad%20name"),
        (400, "InvalidParameter".into(), "Invalid parameter: Topic Name".into())
    );
    assert_eq!(
        err(&mut h, "Action=GetTopicAttributes&Version=2010-03-31&TopicArn=arn%3Aaws"),
        (
            400,
            "InvalidParameter".into(),
            "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2".into()
        )
    );
    let topic = enc(&create_topic(&mut h, "t"));
    assert_eq!(
        err(&mut h, &format!("Action=Publish&Version=2010-03-31&TopicArn={topic}&Message=")),
        (400, "InvalidParameter".into(), "Invalid parameter: Empty message".into())
    );
    let (status, code, message) = err(
        &mut h,
        &format!("Action=Publish&Version=2010-03-31&TopicArn={topic}&Message=m&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=String"),
    );
    assert_eq!((status, code.as_str()), (400, "ParameterValueInvalid"));
    assert!(message.contains("must contain non-empty message attribute value"), "{message}");
    let (status, code, _) = err(
        &mut h,
        &format!("Action=Publish&Version=2010-03-31&TopicArn={topic}&Message=m&MessageAttributes.entry.1.Name=a&MessageAttributes.entry.1.Value.DataType=Binary&MessageAttributes.entry.1.Value.BinaryValue=%25%25%25"),
    );
    assert_eq!((status, code.as_str()), (400, "ParameterValueInvalid"));
    assert_eq!(
        err(&mut h, &format!("Action=Subscribe&Version=2010-03-31&TopicArn={topic}&Protocol=test-protocol&Endpoint=x")),
        (
            400,
            "InvalidParameter".into(),
            "Invalid parameter: Amazon SNS does not support this protocol string: test-protocol".into()
        )
    );
}

#[test]
fn missing_required_parameters_are_validation_errors_naming_each() {
    let mut h = Harness::new();
    let null = |p: &str| format!("Value null at '{p}' failed to satisfy constraint: Member must not be null");
    assert_eq!(
        err(&mut h, "Action=CreateTopic&Version=2010-03-31"),
        (400, "ValidationError".into(), format!("1 validation error detected: {}", null("name")))
    );
    assert_eq!(
        err(&mut h, "Action=SetTopicAttributes&Version=2010-03-31"),
        (
            400,
            "ValidationError".into(),
            format!("2 validation errors detected: {}; {}", null("topicArn"), null("attributeName"))
        )
    );
    assert_eq!(
        err(&mut h, "Action=Publish&Version=2010-03-31&TopicArn=x").2,
        format!("1 validation error detected: {}", null("message"))
    );
    let topic = enc(&create_topic(&mut h, "t"));
    assert_eq!(
        err(&mut h, &format!("Action=PublishBatch&Version=2010-03-31&TopicArn={topic}&PublishBatchRequestEntries.member.1.Message=m&PublishBatchRequestEntries.member.2.Id=b")).2,
        format!(
            "2 validation errors detected: {}; {}",
            null("publishBatchRequestEntries.1.member.id"),
            null("publishBatchRequestEntries.2.member.message")
        )
    );
    assert_eq!(
        err(&mut h, &format!("Action=PublishBatch&Version=2010-03-31&TopicArn={topic}")).2,
        format!("1 validation error detected: {}", null("publishBatchRequestEntries"))
    );
    assert_eq!(
        err(&mut h, &format!("Action=UntagResource&Version=2010-03-31&ResourceArn={topic}")).2,
        format!("1 validation error detected: {}", null("tagKeys"))
    );
    assert_eq!(
        err(&mut h, &format!("Action=TagResource&Version=2010-03-31&ResourceArn={topic}&Tags.member.1.Key=k")).2,
        format!("1 validation error detected: {}", null("tags.1.member.value"))
    );
    // An empty list is sent as `Name=` and is not missing.
    ok(&mut h, "UntagResource", &format!("ResourceArn={topic}&TagKeys="));
    // The SDK's empty batch: the engine's own error.
    assert_eq!(
        err(&mut h, &format!("Action=PublishBatch&Version=2010-03-31&TopicArn={topic}&PublishBatchRequestEntries=")),
        (400, "EmptyBatchRequest".into(), "The batch request doesn't contain any entries".into())
    );
}

#[test]
fn unknown_and_unsimulated_actions_are_invalid_action() {
    let mut h = Harness::new();
    for body in ["Action=Nope&Version=2010-03-31", "Action=&Version=2010-03-31", "Action=publish"] {
        let (status, code, message) = err(&mut h, body);
        assert_eq!((status, code.as_str()), (400, "InvalidAction"), "{body}");
        assert!(message.contains("typed correctly"), "{message}");
    }
    let (status, code, message) = err(&mut h, "Action=GetSMSAttributes&Version=2010-03-31");
    assert_eq!((status, code.as_str()), (400, "InvalidAction"));
    assert_eq!(message, "Decouple does not simulate the SNS action GetSMSAttributes yet.");
    // Mobile push is simulated; a missing member gets AWS's validation error.
    let (status, code, message) = err(&mut h, "Action=CreatePlatformApplication&Version=2010-03-31&Name=a");
    assert_eq!((status, code.as_str()), (400, "ValidationError"));
    assert_eq!(
        message,
        "2 validation errors detected: Value null at 'platform' failed to satisfy constraint: Member must not be null; Value null at 'attributes' failed to satisfy constraint: Member must not be null"
    );
}

#[test]
fn topics_list_in_pages_of_100() {
    let mut h = Harness::new();
    let empty = ok(&mut h, "ListTopics", "");
    assert_eq!(empty.names(), ["Topics"]);
    assert!(empty.child("Topics").children.is_empty());
    for i in 0..101 {
        create_topic(&mut h, &format!("t{i:03}"));
    }
    let first = ok(&mut h, "ListTopics", "");
    let arns: Vec<String> = first.child("Topics").children.iter().map(|m| m.text_at(&["TopicArn"])).collect();
    assert_eq!(arns.len(), 100);
    assert_eq!(arns[0], format!("{ARN}t000"));
    let token = first.text_at(&["NextToken"]);
    let second = ok(&mut h, "ListTopics", &format!("NextToken={}", enc(&token)));
    assert_eq!(second.at(&["Topics", "member"]).text_at(&["TopicArn"]), format!("{ARN}t100"));
    assert!(second.find("NextToken").is_none());
    // Deleting is idempotent, as in AWS.
    ok(&mut h, "DeleteTopic", &format!("TopicArn={}", enc(&format!("{ARN}t100"))));
    ok(&mut h, "DeleteTopic", &format!("TopicArn={}", enc(&format!("{ARN}t100"))));
}

#[test]
fn subscriptions_list_and_attributes() {
    let mut h = Harness::new();
    let topic = create_topic(&mut h, "t");
    subscribed_queue(&mut h, &topic, "q", "");
    let sub =
        ok(&mut h, "Subscribe", &format!("TopicArn={}&Protocol=email&Endpoint={}", enc(&topic), enc("a@example.com")));
    assert_eq!(sub.text_at(&["SubscriptionArn"]), "pending confirmation");
    let sub = ok(
        &mut h,
        "Subscribe",
        &format!(
            "TopicArn={}&Protocol=email&Endpoint={}&ReturnSubscriptionArn=true",
            enc(&topic),
            enc("a@example.com")
        ),
    );
    let email_arn = sub.text_at(&["SubscriptionArn"]);
    assert!(email_arn.starts_with(&topic));

    for (action, rest) in
        [("ListSubscriptions", String::new()), ("ListSubscriptionsByTopic", format!("TopicArn={}", enc(&topic)))]
    {
        let list = ok(&mut h, action, &rest);
        let members = &list.child("Subscriptions").children;
        assert_eq!(members.len(), 2, "{action}");
        for m in members {
            assert_eq!(m.names(), ["SubscriptionArn", "Owner", "Protocol", "Endpoint", "TopicArn"]);
        }
        let email = members.iter().find(|m| m.text_at(&["Protocol"]) == "email").unwrap();
        assert_eq!(email.text_at(&["SubscriptionArn"]), "PendingConfirmation");
    }

    let sqs = ok(&mut h, "ListSubscriptionsByTopic", &format!("TopicArn={}", enc(&topic)));
    let sqs_arn = sqs
        .child("Subscriptions")
        .children
        .iter()
        .find(|m| m.text_at(&["Protocol"]) == "sqs")
        .unwrap()
        .text_at(&["SubscriptionArn"]);
    let policy = r#"{"store":["example_corp"],"price_usd":[{"numeric":[">=",100]}]}"#;
    ok(
        &mut h,
        "SetSubscriptionAttributes",
        &format!("SubscriptionArn={}&AttributeName=FilterPolicy&AttributeValue={}", enc(&sqs_arn), enc(policy)),
    );
    let attrs = ok(&mut h, "GetSubscriptionAttributes", &format!("SubscriptionArn={}", enc(&sqs_arn)))
        .child("Attributes")
        .entries();
    assert!(attrs.contains(&("FilterPolicy".into(), policy.into())), "{attrs:?}");
    assert!(attrs.contains(&("PendingConfirmation".into(), "false".into())), "{attrs:?}");

    ok(&mut h, "Unsubscribe", &format!("SubscriptionArn={}", enc(&sqs_arn)));
    assert_eq!(
        err(&mut h, &format!("Action=Unsubscribe&Version=2010-03-31&SubscriptionArn={}", enc(&sqs_arn))),
        (404, "NotFound".into(), "Subscription does not exist".into())
    );
    let left = ok(&mut h, "ListSubscriptions", "");
    assert_eq!(left.child("Subscriptions").children.len(), 1);
}

#[test]
fn publish_batch_answers_successful_and_failed_members() {
    let mut h = Harness::new();
    let topic =
        ok(&mut h, "CreateTopic", "Name=jobs.fifo&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true")
            .text_at(&["TopicArn"]);
    // Captured shape from @aws-sdk/client-sns, with FIFO members added.
    let body = format!(
        "TopicArn={}&PublishBatchRequestEntries.member.1.Id=a&PublishBatchRequestEntries.member.1.Message=x&PublishBatchRequestEntries.member.1.MessageGroupId=g&PublishBatchRequestEntries.member.1.MessageDeduplicationId=d1&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Name=n&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.DataType=Number&PublishBatchRequestEntries.member.1.MessageAttributes.entry.1.Value.StringValue=1&PublishBatchRequestEntries.member.2.Id=b&PublishBatchRequestEntries.member.2.Message=y&PublishBatchRequestEntries.member.2.MessageGroupId=g",
        enc(&topic)
    );
    let result = ok(&mut h, "PublishBatch", &body);
    assert_eq!(result.names(), ["Successful", "Failed"]);
    let success = result.at(&["Successful", "member"]);
    assert_eq!(success.names(), ["Id", "MessageId", "SequenceNumber"]);
    assert_eq!(success.text_at(&["Id"]), "a");
    let failure = result.at(&["Failed", "member"]);
    assert_eq!(failure.names(), ["Id", "Code", "Message", "SenderFault"]);
    assert_eq!(failure.text_at(&["Id"]), "b");
    assert_eq!(failure.text_at(&["Code"]), "InvalidParameter");
    assert_eq!(failure.text_at(&["SenderFault"]), "true");

    let all_good = ok(
        &mut h,
        "PublishBatch",
        &format!("TopicArn={}&PublishBatchRequestEntries.member.1.Id=c&PublishBatchRequestEntries.member.1.Message=z&PublishBatchRequestEntries.member.1.MessageGroupId=g&PublishBatchRequestEntries.member.1.MessageDeduplicationId=d3", enc(&topic)),
    );
    assert!(all_good.child("Failed").children.is_empty(), "AWS writes an empty <Failed/>");
}

#[test]
fn fifo_publish_answers_a_sequence_number() {
    let mut h = Harness::new();
    let topic = ok(&mut h, "CreateTopic", "Name=f.fifo&Attributes.entry.1.key=FifoTopic&Attributes.entry.1.value=true&Attributes.entry.2.key=ContentBasedDeduplication&Attributes.entry.2.value=true")
        .text_at(&["TopicArn"]);
    let first = ok(&mut h, "Publish", &format!("TopicArn={}&Message=a&MessageGroupId=g", enc(&topic)));
    assert_eq!(first.names(), ["MessageId", "SequenceNumber"]);
    // Content-based deduplication: the same body within 5 minutes answers the first publish.
    let again = ok(&mut h, "Publish", &format!("TopicArn={}&Message=a&MessageGroupId=g", enc(&topic)));
    assert_eq!(again, first);
}

#[test]
fn tags_add_list_and_remove() {
    let mut h = Harness::new();
    let topic = enc(&create_topic(&mut h, "t"));
    let empty = ok(&mut h, "ListTagsForResource", &format!("ResourceArn={topic}"));
    assert!(empty.child("Tags").children.is_empty());
    let tagged = ok(
        &mut h,
        "TagResource",
        &format!(
            "ResourceArn={topic}&Tags.member.1.Key=a&Tags.member.1.Value=1&Tags.member.2.Key=b&Tags.member.2.Value=2"
        ),
    );
    assert!(tagged.children.is_empty(), "TagResourceResult is empty");
    ok(&mut h, "UntagResource", &format!("ResourceArn={topic}&TagKeys.member.1=a"));
    let left = ok(&mut h, "ListTagsForResource", &format!("ResourceArn={topic}"));
    let keys: Vec<String> = left.child("Tags").children.iter().map(|t| t.text_at(&["Key"])).collect();
    assert_eq!(keys, ["b"]);
}

#[test]
fn members_are_read_in_numeric_index_order_even_when_huge() {
    let mut h = Harness::new();
    let topic = enc(&create_topic(&mut h, "t"));
    // 10 sorts after 9, and a 20-digit index needs no integer type.
    ok(
        &mut h,
        "TagResource",
        &format!("ResourceArn={topic}&Tags.member.99999999999999999999.Key=c&Tags.member.99999999999999999999.Value=3&Tags.member.10.Key=b&Tags.member.10.Value=2&Tags.member.9.Key=a&Tags.member.9.Value=1"),
    );
    let tags = ok(&mut h, "ListTagsForResource", &format!("ResourceArn={topic}"));
    let pairs: Vec<(String, String)> =
        tags.child("Tags").children.iter().map(|t| (t.text_at(&["Key"]), t.text_at(&["Value"]))).collect();
    assert_eq!(pairs, [("a".into(), "1".into()), ("b".into(), "2".into()), ("c".into(), "3".into())]);
    // In a map, a key given twice: the later index wins.
    ok(
        &mut h,
        "CreateTopic",
        "Name=m&Attributes.entry.99999999999.key=DisplayName&Attributes.entry.99999999999.value=last&Attributes.entry.2.key=DisplayName&Attributes.entry.2.value=first",
    );
    let attrs = ok(&mut h, "GetTopicAttributes", &format!("TopicArn={}", enc(&format!("{ARN}m"))))
        .child("Attributes")
        .entries();
    assert!(attrs.contains(&("DisplayName".into(), "last".into())), "{attrs:?}");
}

#[test]
fn a_tag_key_given_twice_is_invalid_parameter() {
    let mut h = Harness::new();
    let topic = enc(&create_topic(&mut h, "t"));
    // LocalStack's AWS-validated test_tags.
    assert_eq!(
        err(&mut h, &format!("Action=TagResource&Version=2010-03-31&ResourceArn={topic}&Tags.member.1.Key=k1&Tags.member.1.Value=v1&Tags.member.2.Key=k2&Tags.member.2.Value=v2&Tags.member.3.Key=k2&Tags.member.3.Value=v2")),
        (400, "InvalidParameter".into(), "Invalid parameter: Duplicated keys are not allowed.".into())
    );
    let tags = ok(&mut h, "ListTagsForResource", &format!("ResourceArn={topic}"));
    assert!(tags.child("Tags").children.is_empty(), "nothing was tagged");
}

#[test]
fn unsigned_and_query_string_requests_are_routed_by_action() {
    let mut h = Harness::new();
    create_topic(&mut h, "t");
    // No Authorization header: GetTopicAttributes is an action only SNS has.
    let mut unsigned =
        sns_js(&format!("Action=GetTopicAttributes&Version=2010-03-31&TopicArn={}", enc(&format!("{ARN}t"))));
    unsigned.headers.retain(|(k, _)| k != "authorization");
    let r = h.call(&unsigned);
    assert_eq!(r.status, 200, "{}", text(&r));
    // A GET with the parameters in the query string.
    let get = HttpRequest {
        method: "GET".into(),
        path: "/".into(),
        query: "Action=ListTopics&Version=2010-03-31".into(),
        headers: vec![("host".into(), "sns.us-east-1.amazonaws.com".into())],
        body: vec![],
    };
    let r = h.call(&get);
    assert_eq!(r.status, 200, "{}", text(&r));
    assert_eq!(xml(&r).at(&["ListTopicsResult", "Topics", "member"]).text_at(&["TopicArn"]), format!("{ARN}t"));
}

#[test]
fn a_queue_without_a_policy_for_sns_receives_nothing() {
    let mut h = Harness::new();
    let topic = create_topic(&mut h, "t");
    let url = h.create("closed");
    ok(
        &mut h,
        "Subscribe",
        &format!("TopicArn={}&Protocol=sqs&Endpoint={}", enc(&topic), enc("arn:aws:sqs:us-east-1:000000000000:closed")),
    );
    ok(&mut h, "Publish", &format!("TopicArn={}&Message=m", enc(&topic)));
    assert!(receive(&mut h, &url).is_empty());
}

#[test]
fn malformed_forms_never_panic_and_answer_xml() {
    let mut h = Harness::new();
    for body in [
        "",
        "&&&",
        "Action",
        "Action=Publish&%",
        "Action=Publish&Message=%ZZ%&TopicArn=%",
        "Action=Publish&Message=%FF%FE&TopicArn=x",
        "Action=CreateTopic&Name=a&Attributes.entry..key=x&Attributes.entry.-1.key=y&Attributes.entry.1=z",
        "Action=PublishBatch&TopicArn=x&PublishBatchRequestEntries.member.1=oops",
        "Action=TagResource&ResourceArn=x&Tags.member.00001.Key=a",
    ] {
        let mut req = sns_js(body);
        req.headers.retain(|(k, _)| k != "authorization");
        req.headers
            .push(("authorization".into(), "AWS4-HMAC-SHA256 Credential=A/20260101/us-east-1/sns/aws4_request".into()));
        let r = h.call(&req);
        assert!((200..600).contains(&r.status));
        xml(&r);
    }
}

#[test]
fn confirm_subscription_with_the_token_the_endpoint_got() {
    let mut h = Harness::new();
    let topic = create_topic(&mut h, "t");
    let endpoint = "https://example.com/hook";
    ok(&mut h, "Subscribe", &format!("TopicArn={}&Protocol=https&Endpoint={}", enc(&topic), enc(endpoint)));
    // The engine keeps the token a real endpoint would receive; read it from its state.
    let token = h.engine.sns_state().subscriptions().find_map(|s| s.pending_token.clone()).unwrap();
    assert_eq!(
        err(&mut h, &format!("Action=ConfirmSubscription&Version=2010-03-31&TopicArn={}&Token=wrong", enc(&topic))),
        (400, "InvalidParameter".into(), "Invalid parameter: Token".into())
    );
    let confirmed = ok(
        &mut h,
        "ConfirmSubscription",
        &format!("TopicArn={}&Token={token}&AuthenticateOnUnsubscribe=true", enc(&topic)),
    );
    let arn = confirmed.text_at(&["SubscriptionArn"]);
    assert!(arn.starts_with(&format!("{topic}:")), "{arn}");
    let attrs = ok(&mut h, "GetSubscriptionAttributes", &format!("SubscriptionArn={}", enc(&arn)))
        .child("Attributes")
        .entries();
    assert!(attrs.contains(&("PendingConfirmation".into(), "false".into())), "{attrs:?}");
}
