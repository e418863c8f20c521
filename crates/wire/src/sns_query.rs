//! Amazon SNS over the AWS query protocol, as the current SDKs speak it.
//!
//! Each action reads its parameters by the names of the API model (2010-03-31)
//! from the flattened form (`Attributes.entry.N.key`, `Tags.member.N.Key`,
//! `MessageAttributes.entry.N.Value.DataType`, ...), calls the engine's typed
//! SNS API, and answers in AWS's XML. Errors carry the query code the engine
//! names (`NotFound`, `InvalidParameter`, ...) with its HTTP status.
//!
//! A required parameter that is absent gets `ValidationError` with the message
//! of AWS's service framework, naming every missing member
//! (`1 validation error detected: Value null at 'topicArn' failed to satisfy
//! constraint: Member must not be null`); present-but-empty values go to the
//! engine, which knows SNS's own message for each.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use decouple_engine::sns::*;
use decouple_engine::Engine;

use crate::query::{self, Form, Node, Xml};
use crate::service::Service;
use crate::HttpResponse;

/// The actions Decouple simulates: exactly the ones only SNS has (botocore's
/// sns model names them all), which the router also recognises requests by.
const ACTIONS: &[&str] = crate::service::SNS_ONLY_ACTIONS;

/// Real SNS actions the engine does not simulate: they get `InvalidAction`
/// with a message that says so, rather than AWS's "typed correctly" text,
/// which would send a learner looking for a typo.
const NOT_SIMULATED: &[&str] = &[
    "AddPermission",
    "CheckIfPhoneNumberIsOptedOut",
    "CreateSMSSandboxPhoneNumber",
    "DeleteSMSSandboxPhoneNumber",
    "GetDataProtectionPolicy",
    "GetSMSAttributes",
    "GetSMSSandboxAccountStatus",
    "ListOriginationNumbers",
    "ListPhoneNumbersOptedOut",
    "ListSMSSandboxPhoneNumbers",
    "OptInPhoneNumber",
    "PutDataProtectionPolicy",
    "RemovePermission",
    "SetSMSAttributes",
    "VerifySMSSandboxPhoneNumber",
];

/// Why an action failed before or inside the engine.
enum Fault {
    /// Required members that are absent, by their paths in AWS's messages.
    Missing(Vec<String>),
    Sns(SnsError),
}

impl From<SnsError> for Fault {
    fn from(e: SnsError) -> Self {
        Fault::Sns(e)
    }
}

type Result<T> = core::result::Result<T, Fault>;

/// What an action answers: the members of its `Result` element, or `None`
/// for actions whose output has no shape at all.
type Answer = Result<Option<Xml>>;

pub(crate) fn handle(engine: &mut Engine, action: &str, form: &Form, request_id: &str) -> HttpResponse {
    if !ACTIONS.contains(&action) {
        return if NOT_SIMULATED.contains(&action) {
            let message = format!("Decouple does not simulate the SNS action {action} yet.");
            query::error(Some(Service::Sns), 400, "InvalidAction", &message, request_id)
        } else {
            query::unknown_action(Some(Service::Sns), request_id)
        };
    }
    let p = form.root();
    let sns = &mut engine.sns();
    let answer = match action {
        "ConfirmSubscription" => confirm_subscription(sns, &p),
        "CreatePlatformApplication" => create_platform_application(sns, &p),
        "CreatePlatformEndpoint" => create_platform_endpoint(sns, &p),
        "DeleteEndpoint" => arn_only(&p, "EndpointArn").and_then(|arn| Ok(sns.delete_endpoint(&arn)?)).map(|()| None),
        "DeletePlatformApplication" => arn_only(&p, "PlatformApplicationArn")
            .and_then(|arn| Ok(sns.delete_platform_application(&arn)?))
            .map(|()| None),
        "GetEndpointAttributes" => {
            attributes_of(arn_only(&p, "EndpointArn").and_then(|arn| Ok(sns.get_endpoint_attributes(&arn)?)))
        }
        "GetPlatformApplicationAttributes" => attributes_of(
            arn_only(&p, "PlatformApplicationArn").and_then(|arn| Ok(sns.get_platform_application_attributes(&arn)?)),
        ),
        "ListEndpointsByPlatformApplication" => list_endpoints(sns, &p),
        "ListPlatformApplications" => Ok(Some(list_platform_applications(sns))),
        "SetEndpointAttributes" => set_attributes(&p, "EndpointArn")
            .and_then(|(arn, attributes)| Ok(sns.set_endpoint_attributes(&arn, attributes)?))
            .map(|()| None),
        "SetPlatformApplicationAttributes" => set_attributes(&p, "PlatformApplicationArn")
            .and_then(|(arn, attributes)| Ok(sns.set_platform_application_attributes(&arn, attributes)?))
            .map(|()| None),
        "CreateTopic" => create_topic(sns, &p),
        "DeleteTopic" => delete_topic(sns, &p),
        "GetSubscriptionAttributes" => get_subscription_attributes(sns, &p),
        "GetTopicAttributes" => get_topic_attributes(sns, &p),
        "ListSubscriptions" => list_subscriptions(sns, &p),
        "ListSubscriptionsByTopic" => list_subscriptions_by_topic(sns, &p),
        "ListTagsForResource" => list_tags_for_resource(sns, &p),
        "ListTopics" => list_topics(sns, &p),
        "Publish" => publish(sns, &p),
        "PublishBatch" => publish_batch(sns, &p),
        "SetSubscriptionAttributes" => set_subscription_attributes(sns, &p),
        "SetTopicAttributes" => set_topic_attributes(sns, &p),
        "Subscribe" => subscribe(sns, &p),
        "TagResource" => tag_resource(sns, &p),
        "UntagResource" => untag_resource(sns, &p),
        "Unsubscribe" => unsubscribe(sns, &p),
        _ => unreachable!("ACTIONS lists every action matched here"),
    };
    match answer {
        Ok(result) => query::ok(Service::Sns, action, result, request_id),
        Err(fault) => fault_response(fault, request_id),
    }
}

fn fault_response(fault: Fault, request_id: &str) -> HttpResponse {
    match fault {
        Fault::Missing(paths) => {
            let count = paths.len();
            let details: Vec<String> = paths
                .iter()
                .map(|p| format!("Value null at '{p}' failed to satisfy constraint: Member must not be null"))
                .collect();
            let message = format!(
                "{count} validation error{} detected: {}",
                if count == 1 { "" } else { "s" },
                details.join("; ")
            );
            query::error(Some(Service::Sns), 400, "ValidationError", &message, request_id)
        }
        Fault::Sns(e) => query::error(Some(Service::Sns), e.code.http_status(), e.code.code(), &e.message, request_id),
    }
}

// ---------------------------------------------------------------- reading

/// Collects the required members a request lacks, so that one answer names
/// them all, as AWS's does.
#[derive(Default)]
struct Required(Vec<String>);

impl Required {
    /// A required string member; `at` is its structure's path in AWS's
    /// messages (empty at the top, `publishBatchRequestEntries.2.member.` in a list).
    fn string(&mut self, node: &Node<'_>, name: &str, at: &str) -> String {
        node.string(name).unwrap_or_else(|| {
            self.missing(name, at);
            String::new()
        })
    }

    /// A required list or map: absent is missing, `Name=` is an empty one.
    fn present(&mut self, node: &Node<'_>, name: &str) {
        if !node.has(name) {
            self.missing(name, "");
        }
    }

    fn missing(&mut self, name: &str, at: &str) {
        // AWS names members in lower camel case: TopicArn -> topicArn.
        let mut chars = name.chars();
        let first = chars.next().map(|c| c.to_ascii_lowercase());
        self.0.push(format!("{at}{}{}", first.map(String::from).unwrap_or_default(), chars.as_str()));
    }

    fn check(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Fault::Missing(self.0))
        }
    }
}

/// `Tags.member.N.Key` / `.Value`. SNS's tags are a list of structures, and a
/// key given twice is AWS's `InvalidParameter` (LocalStack's AWS-validated
/// `test_tags`); the check lives here because the engine takes a map.
fn tags(p: &Node<'_>, name: &str, required: &mut Required) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for (n, tag) in p.items(name, "member") {
        let at = format!("tags.{n}.member.");
        let (key, value) = (required.string(&tag, "Key", &at), required.string(&tag, "Value", &at));
        if out.insert(key, value).is_some() {
            return Err(Fault::Sns(SnsError::new(
                SnsErrorCode::InvalidParameter,
                "Invalid parameter: Duplicated keys are not allowed.",
            )));
        }
    }
    Ok(out)
}

/// `MessageAttributes.entry.N.Name` with `.Value.DataType`, `.Value.StringValue`
/// and `.Value.BinaryValue` (base64). An entry without a name is skipped.
fn message_attributes(p: &Node<'_>, at: &str, required: &mut Required) -> Result<MessageAttributes> {
    let mut out = MessageAttributes::new();
    for (_, entry) in p.items("MessageAttributes", "entry") {
        let Some(name) = entry.string("Name") else { continue };
        let value = entry.child("Value");
        let data_type = required.string(&value, "DataType", &format!("{at}messageAttributes.{name}.member."));
        let binary_value = match value.string("BinaryValue") {
            None => None,
            Some(text) => Some(STANDARD.decode(text.as_bytes()).map_err(|_| {
                // Decouple's wording: AWS documents no message for a blob that is not base64.
                SnsError::new(
                    SnsErrorCode::InvalidParameterValue,
                    format!("The message attribute '{name}' has a BinaryValue that is not valid base64."),
                )
            })?),
        };
        out.insert(
            name,
            MessageAttributeValue {
                data_type,
                string_value: value.string("StringValue"),
                binary_value,
                ..MessageAttributeValue::default()
            },
        );
    }
    Ok(out)
}

fn boolean(p: &Node<'_>, name: &str) -> bool {
    p.string(name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

// ---------------------------------------------------------------- mobile push

/// A request whose one required member is an ARN.
fn arn_only(p: &Node<'_>, name: &str) -> Result<String> {
    let mut required = Required::default();
    let arn = required.string(p, name, "");
    required.check()?;
    Ok(arn)
}

/// `Attributes` as an `entry.N` map in the answer.
fn attributes_of(attributes: Result<BTreeMap<String, String>>) -> Answer {
    let mut xml = Xml::new();
    xml.string_map("Attributes", &attributes?);
    Ok(Some(xml))
}

/// An ARN and a required `Attributes` map.
fn set_attributes(p: &Node<'_>, arn: &str) -> Result<(String, BTreeMap<String, String>)> {
    let mut required = Required::default();
    let arn = required.string(p, arn, "");
    required.present(p, "Attributes");
    required.check()?;
    Ok((arn, p.string_map("Attributes")))
}

fn create_platform_application(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let name = required.string(p, "Name", "");
    let platform = required.string(p, "Platform", "");
    required.present(p, "Attributes");
    required.check()?;
    let arn = sns.create_platform_application(&name, &platform, p.string_map("Attributes"))?;
    let mut xml = Xml::new();
    xml.leaf("PlatformApplicationArn", &arn);
    Ok(Some(xml))
}

fn create_platform_endpoint(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let application = required.string(p, "PlatformApplicationArn", "");
    let token = required.string(p, "Token", "");
    required.check()?;
    let arn =
        sns.create_platform_endpoint(&application, &token, p.string("CustomUserData"), p.string_map("Attributes"))?;
    let mut xml = Xml::new();
    xml.leaf("EndpointArn", &arn);
    Ok(Some(xml))
}

fn list_platform_applications(sns: &mut Sns<'_>) -> Xml {
    let mut xml = Xml::new();
    xml.open("PlatformApplications");
    for app in sns.list_platform_applications() {
        xml.open("member").leaf("PlatformApplicationArn", &app.arn);
        xml.string_map("Attributes", &app.attributes);
        xml.close("member");
    }
    xml.close("PlatformApplications");
    xml
}

fn list_endpoints(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let application = arn_only(p, "PlatformApplicationArn")?;
    let endpoints = sns.list_endpoints_by_platform_application(&application)?;
    let mut xml = Xml::new();
    xml.open("Endpoints");
    for endpoint in &endpoints {
        xml.open("member").leaf("EndpointArn", &endpoint.arn);
        xml.string_map("Attributes", &endpoint.attributes);
        xml.close("member");
    }
    xml.close("Endpoints");
    Ok(Some(xml))
}

// ---------------------------------------------------------------- topics

fn create_topic(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let name = required.string(p, "Name", "");
    let tags = tags(p, "Tags", &mut required)?;
    required.check()?;
    let result = sns.create_topic(CreateTopic { name, attributes: p.string_map("Attributes"), tags })?;
    let mut xml = Xml::new();
    xml.leaf("TopicArn", &result.topic_arn);
    Ok(Some(xml))
}

fn topic_arn(p: &Node<'_>) -> Result<String> {
    let mut required = Required::default();
    let arn = required.string(p, "TopicArn", "");
    required.check()?;
    Ok(arn)
}

fn delete_topic(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    sns.delete_topic(DeleteTopic { topic_arn: topic_arn(p)? })?;
    Ok(None)
}

fn list_topics(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let result = sns.list_topics(ListTopics { next_token: p.string("NextToken") })?;
    let mut xml = Xml::new();
    if result.topic_arns.is_empty() {
        xml.empty("Topics");
    } else {
        xml.open("Topics");
        for arn in &result.topic_arns {
            xml.open("member").leaf("TopicArn", arn).close("member");
        }
        xml.close("Topics");
    }
    xml.opt_leaf("NextToken", result.next_token.as_deref());
    Ok(Some(xml))
}

fn get_topic_attributes(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let result = sns.get_topic_attributes(GetTopicAttributes { topic_arn: topic_arn(p)? })?;
    let mut xml = Xml::new();
    xml.string_map("Attributes", &result.attributes);
    Ok(Some(xml))
}

fn set_topic_attributes(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let topic_arn = required.string(p, "TopicArn", "");
    let attribute_name = required.string(p, "AttributeName", "");
    required.check()?;
    sns.set_topic_attributes(SetTopicAttributes {
        topic_arn,
        attribute_name,
        attribute_value: p.string("AttributeValue"),
    })?;
    Ok(None)
}

fn resource_arn(p: &Node<'_>, required: &mut Required) -> String {
    required.string(p, "ResourceArn", "")
}

fn tag_resource(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let resource_arn = resource_arn(p, &mut required);
    required.present(p, "Tags");
    let tags = tags(p, "Tags", &mut required)?;
    required.check()?;
    sns.tag_resource(TagResource { resource_arn, tags })?;
    Ok(Some(Xml::new()))
}

fn untag_resource(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let resource_arn = resource_arn(p, &mut required);
    required.present(p, "TagKeys");
    required.check()?;
    sns.untag_resource(UntagResource { resource_arn, tag_keys: p.string_list("TagKeys") })?;
    Ok(Some(Xml::new()))
}

fn list_tags_for_resource(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let resource_arn = resource_arn(p, &mut required);
    required.check()?;
    let result = sns.list_tags_for_resource(ListTagsForResource { resource_arn })?;
    let mut xml = Xml::new();
    if result.tags.is_empty() {
        xml.empty("Tags");
    } else {
        xml.open("Tags");
        for (key, value) in &result.tags {
            xml.open("member").leaf("Key", key).leaf("Value", value).close("member");
        }
        xml.close("Tags");
    }
    Ok(Some(xml))
}

// ---------------------------------------------------------------- subscriptions

fn subscribe(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let topic_arn = required.string(p, "TopicArn", "");
    let protocol = required.string(p, "Protocol", "");
    required.check()?;
    let result = sns.subscribe(Subscribe {
        topic_arn,
        protocol,
        endpoint: p.string("Endpoint"),
        attributes: p.string_map("Attributes"),
        return_subscription_arn: boolean(p, "ReturnSubscriptionArn"),
    })?;
    let mut xml = Xml::new();
    xml.leaf("SubscriptionArn", &result.subscription_arn);
    Ok(Some(xml))
}

fn confirm_subscription(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let topic_arn = required.string(p, "TopicArn", "");
    let token = required.string(p, "Token", "");
    required.check()?;
    let result = sns.confirm_subscription(ConfirmSubscription {
        topic_arn,
        token,
        authenticate_on_unsubscribe: p.string("AuthenticateOnUnsubscribe"),
    })?;
    let mut xml = Xml::new();
    xml.leaf("SubscriptionArn", &result.subscription_arn);
    Ok(Some(xml))
}

fn subscription_arn(p: &Node<'_>) -> Result<String> {
    let mut required = Required::default();
    let arn = required.string(p, "SubscriptionArn", "");
    required.check()?;
    Ok(arn)
}

fn unsubscribe(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    sns.unsubscribe(Unsubscribe { subscription_arn: subscription_arn(p)? })?;
    Ok(None)
}

fn subscriptions_xml(result: &ListSubscriptionsResult) -> Xml {
    let mut xml = Xml::new();
    if result.subscriptions.is_empty() {
        xml.empty("Subscriptions");
    } else {
        xml.open("Subscriptions");
        for s in &result.subscriptions {
            xml.open("member")
                .leaf("SubscriptionArn", &s.subscription_arn)
                .leaf("Owner", &s.owner)
                .leaf("Protocol", &s.protocol)
                .leaf("Endpoint", &s.endpoint)
                .leaf("TopicArn", &s.topic_arn)
                .close("member");
        }
        xml.close("Subscriptions");
    }
    xml.opt_leaf("NextToken", result.next_token.as_deref());
    xml
}

fn list_subscriptions(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let result = sns.list_subscriptions(ListSubscriptions { next_token: p.string("NextToken") })?;
    Ok(Some(subscriptions_xml(&result)))
}

fn list_subscriptions_by_topic(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let result = sns.list_subscriptions_by_topic(ListSubscriptionsByTopic {
        topic_arn: topic_arn(p)?,
        next_token: p.string("NextToken"),
    })?;
    Ok(Some(subscriptions_xml(&result)))
}

fn get_subscription_attributes(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let result =
        sns.get_subscription_attributes(GetSubscriptionAttributes { subscription_arn: subscription_arn(p)? })?;
    let mut xml = Xml::new();
    xml.string_map("Attributes", &result.attributes);
    Ok(Some(xml))
}

fn set_subscription_attributes(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let subscription_arn = required.string(p, "SubscriptionArn", "");
    let attribute_name = required.string(p, "AttributeName", "");
    required.check()?;
    sns.set_subscription_attributes(SetSubscriptionAttributes {
        subscription_arn,
        attribute_name,
        attribute_value: p.string("AttributeValue"),
    })?;
    Ok(None)
}

// ---------------------------------------------------------------- publishing

fn publish(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let message = required.string(p, "Message", "");
    let message_attributes = message_attributes(p, "", &mut required)?;
    required.check()?;
    let result = sns.publish(Publish {
        topic_arn: p.string("TopicArn"),
        target_arn: p.string("TargetArn"),
        phone_number: p.string("PhoneNumber"),
        message,
        subject: p.string("Subject"),
        message_structure: p.string("MessageStructure"),
        message_attributes,
        message_deduplication_id: p.string("MessageDeduplicationId"),
        message_group_id: p.string("MessageGroupId"),
    })?;
    let mut xml = Xml::new();
    xml.leaf("MessageId", &result.message_id).opt_leaf("SequenceNumber", result.sequence_number.as_deref());
    Ok(Some(xml))
}

fn publish_batch(sns: &mut Sns<'_>, p: &Node<'_>) -> Answer {
    let mut required = Required::default();
    let topic_arn = required.string(p, "TopicArn", "");
    required.present(p, "PublishBatchRequestEntries");
    let mut entries = Vec::new();
    for (n, e) in p.items("PublishBatchRequestEntries", "member") {
        let at = format!("publishBatchRequestEntries.{n}.member.");
        entries.push(PublishBatchEntry {
            id: required.string(&e, "Id", &at),
            message: required.string(&e, "Message", &at),
            subject: e.string("Subject"),
            message_structure: e.string("MessageStructure"),
            message_attributes: message_attributes(&e, &at, &mut required)?,
            message_deduplication_id: e.string("MessageDeduplicationId"),
            message_group_id: e.string("MessageGroupId"),
        });
    }
    required.check()?;
    let result = sns.publish_batch(PublishBatch { topic_arn, entries })?;
    let mut xml = Xml::new();
    if result.successful.is_empty() {
        xml.empty("Successful");
    } else {
        xml.open("Successful");
        for s in &result.successful {
            xml.open("member")
                .leaf("Id", &s.id)
                .leaf("MessageId", &s.message_id)
                .opt_leaf("SequenceNumber", s.sequence_number.as_deref())
                .close("member");
        }
        xml.close("Successful");
    }
    if result.failed.is_empty() {
        xml.empty("Failed");
    } else {
        xml.open("Failed");
        for f in &result.failed {
            xml.open("member")
                .leaf("Id", &f.id)
                .leaf("Code", &f.code)
                .leaf("Message", &f.message)
                .leaf("SenderFault", if f.sender_fault { "true" } else { "false" })
                .close("member");
        }
        xml.close("Failed");
    }
    Ok(Some(xml))
}
