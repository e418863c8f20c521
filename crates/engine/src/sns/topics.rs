//! Topics: CreateTopic, DeleteTopic, ListTopics, Get/SetTopicAttributes and tags.

use alloc::borrow::ToOwned;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};

use super::error::{SnsError, SnsErrorCode};
use super::model::*;
use super::{page, Sns, Topic, TopicStats};
use crate::event::Event;

/// Attributes a caller may set on a topic, and which only FIFO topics take.
const SETTABLE: &[&str] = &[
    "DisplayName",
    "Policy",
    "DeliveryPolicy",
    "KmsMasterKeyId",
    "TracingConfig",
    "SignatureVersion",
    "ArchivePolicy",
    "ContentBasedDeduplication",
    "FifoThroughputScope",
    "MaximumMessageSize",
    "FifoTopic",
];
const FEEDBACK_PROTOCOLS: &[&str] = &["HTTP", "Firehose", "Lambda", "SQS", "Application"];
const LIST_PAGE: usize = 100;
const MAX_TAGS: usize = 50;

fn settable(name: &str) -> bool {
    SETTABLE.contains(&name)
        || FEEDBACK_PROTOCOLS.iter().any(|p| {
            name.strip_prefix(p).is_some_and(|rest| {
                matches!(rest, "SuccessFeedbackRoleArn" | "FailureFeedbackRoleArn" | "SuccessFeedbackSampleRate")
            })
        })
}

fn check_topic_attribute(name: &str, value: &str, fifo: bool) -> Result<(), SnsError> {
    let bad = |what: &str| SnsError::invalid(format!("Attributes Reason: {what}"));
    match name {
        "FifoTopic" if value != "true" && value != "false" => Err(SnsError::invalid("FifoTopic")),
        "ContentBasedDeduplication" | "FifoThroughputScope" | "ArchivePolicy" if !fifo => {
            Err(bad(&format!("{name} is only valid for FIFO topics")))
        }
        "ContentBasedDeduplication" if value != "true" && value != "false" => {
            Err(SnsError::invalid("ContentBasedDeduplication"))
        }
        "FifoThroughputScope" if value != "Topic" && value != "MessageGroup" => {
            Err(SnsError::invalid("FifoThroughputScope"))
        }
        "SignatureVersion" if value != "1" && value != "2" => Err(SnsError::invalid("SignatureVersion")),
        "TracingConfig" if value != "PassThrough" && value != "Active" => Err(SnsError::invalid("TracingConfig")),
        "MaximumMessageSize" if !value.parse::<u32>().is_ok_and(|v| (1024..=1_048_576).contains(&v)) => {
            Err(SnsError::invalid("MaximumMessageSize"))
        }
        "Policy" | "DeliveryPolicy" | "ArchivePolicy"
            if !value.is_empty()
                && !matches!(serde_json::from_str::<serde_json::Value>(value), Ok(serde_json::Value::Object(_))) =>
        {
            Err(SnsError::invalid(format!("{name}: failed to parse JSON")))
        }
        _ if !settable(name) => Err(SnsError::invalid("AttributeName")),
        _ => Ok(()),
    }
}

impl Sns<'_> {
    pub fn create_topic(&mut self, req: CreateTopic) -> Result<CreateTopicResult, SnsError> {
        let fifo = req.attributes.get("FifoTopic").is_some_and(|v| v == "true");
        let stem = if fifo { req.name.strip_suffix(".fifo") } else { Some(req.name.as_str()) };
        let valid = stem.is_some_and(|s| {
            !s.is_empty()
                && req.name.len() <= 256
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        });
        if !valid {
            return Err(SnsError::invalid("Topic Name"));
        }
        for (name, value) in &req.attributes {
            check_topic_attribute(name, value, fifo)?;
        }
        let arn = self.topic_arn(&req.name);
        if let Some(existing) = self.state.topics.get(&req.name) {
            let differs = req.attributes.iter().any(|(k, v)| k != "FifoTopic" && existing.attributes.get(k) != Some(v))
                || existing.fifo != fifo;
            if differs {
                return Err(SnsError::invalid("Attributes Reason: Topic already exists with different attributes"));
            }
            if req.tags.iter().any(|(k, v)| existing.tags.get(k) != Some(v)) {
                return Err(SnsError::invalid("Tags Reason: Topic already exists with different tags"));
            }
            return Ok(CreateTopicResult { topic_arn: existing.arn.clone() });
        }
        if req.tags.len() > MAX_TAGS {
            return Err(SnsError::new(
                SnsErrorCode::TagLimitExceeded,
                "Could not complete request: tag quota of per resource exceeded",
            ));
        }
        let mut attributes: BTreeMap<String, String> =
            req.attributes.into_iter().filter(|(k, v)| k != "FifoTopic" && !v.is_empty()).collect();
        if !attributes.contains_key("Policy") {
            attributes.insert("Policy".into(), default_policy(&arn, &self.core.config.account_id));
        }
        let name: Rc<str> = Rc::from(req.name.as_str());
        self.state.topics.insert(
            req.name,
            Topic {
                name: name.clone(),
                arn: arn.clone(),
                fifo,
                attributes,
                created_at: self.core.now,
                tags: req.tags,
                stats: TopicStats::default(),
                next_sequence_number: 10_000_000_000_000_000_000,
                dedup: BTreeMap::new(),
            },
        );
        self.core.emit(Event::TopicCreated { topic: name, fifo });
        Ok(CreateTopicResult { topic_arn: arn })
    }

    pub fn delete_topic(&mut self, req: DeleteTopic) -> Result<(), SnsError> {
        let name = String::from(self.topic_name_from_arn(&req.topic_arn, "TopicArn")?);
        // Deleting a topic that does not exist succeeds, as in AWS.
        if let Some(topic) = self.state.topics.remove(&name) {
            self.state.subscriptions.retain(|_, s| s.topic_arn != topic.arn);
            self.core.emit(Event::TopicDeleted { topic: topic.name });
        }
        Ok(())
    }

    pub fn list_topics(&mut self, req: ListTopics) -> Result<ListTopicsResult, SnsError> {
        let arns: alloc::vec::Vec<&str> = self.state.topics.values().map(|t| t.arn.as_str()).collect();
        let (arns, next_token) = page(arns.into_iter(), req.next_token.as_deref(), LIST_PAGE)?;
        Ok(ListTopicsResult { topic_arns: arns.into_iter().map(ToOwned::to_owned).collect(), next_token })
    }

    pub fn get_topic_attributes(&mut self, req: GetTopicAttributes) -> Result<AttributesResult, SnsError> {
        let topic = self.topic(&req.topic_arn)?;
        let mut attributes = topic.attributes.clone();
        let subscriptions = self.state.subscriptions.values().filter(|s| s.topic_arn == topic.arn);
        let (confirmed, pending) =
            subscriptions.fold((0, 0), |(c, p), s| if s.pending_token.is_some() { (c, p + 1) } else { (c + 1, p) });
        attributes.insert("TopicArn".into(), topic.arn.clone());
        attributes.insert("Owner".into(), self.core.config.account_id.clone());
        attributes.insert("SubscriptionsConfirmed".into(), confirmed.to_string());
        attributes.insert("SubscriptionsPending".into(), pending.to_string());
        attributes.insert("SubscriptionsDeleted".into(), "0".into());
        attributes.entry("DisplayName".into()).or_default();
        attributes.insert("EffectiveDeliveryPolicy".into(), EFFECTIVE_DELIVERY_POLICY.into());
        // Standard topics do not report FifoTopic (AWS-recorded: LocalStack test_create_topic_test_arn).
        if topic.fifo {
            attributes.insert("FifoTopic".into(), "true".into());
            attributes.entry("ContentBasedDeduplication".into()).or_insert_with(|| "false".into());
            attributes.entry("FifoThroughputScope".into()).or_insert_with(|| "Topic".into());
        }
        Ok(AttributesResult { attributes })
    }

    pub fn set_topic_attributes(&mut self, req: SetTopicAttributes) -> Result<(), SnsError> {
        let fifo = self.topic(&req.topic_arn)?.fifo;
        if req.attribute_name == "FifoTopic" {
            return Err(SnsError::invalid("AttributeName"));
        }
        let value = req.attribute_value.unwrap_or_default();
        check_topic_attribute(&req.attribute_name, &value, fifo)?;
        let topic = self.topic_mut(&req.topic_arn)?;
        if value.is_empty() {
            topic.attributes.remove(&req.attribute_name);
        } else {
            topic.attributes.insert(req.attribute_name, value);
        }
        Ok(())
    }

    pub fn tag_resource(&mut self, req: TagResource) -> Result<(), SnsError> {
        let topic = self.topic_mut(&req.resource_arn)?;
        let new_keys = req.tags.keys().filter(|k| !topic.tags.contains_key(*k)).count();
        if topic.tags.len() + new_keys > MAX_TAGS {
            return Err(SnsError::new(
                SnsErrorCode::TagLimitExceeded,
                "Could not complete request: tag quota of per resource exceeded",
            ));
        }
        topic.tags.extend(req.tags);
        Ok(())
    }

    pub fn untag_resource(&mut self, req: UntagResource) -> Result<(), SnsError> {
        let topic = self.topic_mut(&req.resource_arn)?;
        for key in &req.tag_keys {
            topic.tags.remove(key);
        }
        Ok(())
    }

    pub fn list_tags_for_resource(&mut self, req: ListTagsForResource) -> Result<ListTagsForResourceResult, SnsError> {
        Ok(ListTagsForResourceResult { tags: self.topic(&req.resource_arn)?.tags.clone() })
    }
}

/// The delivery policy AWS reports for a topic nobody configured.
const EFFECTIVE_DELIVERY_POLICY: &str = "{\"http\":{\"defaultHealthyRetryPolicy\":{\"minDelayTarget\":20,\"maxDelayTarget\":20,\"numRetries\":3,\"numMaxDelayRetries\":0,\"numNoDelayRetries\":0,\"numMinDelayRetries\":0,\"backoffFunction\":\"linear\"},\"disableSubscriptionOverrides\":false,\"defaultRequestPolicy\":{\"headerContentType\":\"text/plain; charset=UTF-8\"}}}";

/// AWS's default topic policy: the owner account may do the eight topic actions.
fn default_policy(arn: &str, account: &str) -> String {
    format!(
        "{{\"Version\":\"2008-10-17\",\"Id\":\"__default_policy_ID\",\"Statement\":[{{\"Sid\":\"__default_statement_ID\",\"Effect\":\"Allow\",\"Principal\":{{\"AWS\":\"*\"}},\"Action\":[\"SNS:GetTopicAttributes\",\"SNS:SetTopicAttributes\",\"SNS:AddPermission\",\"SNS:RemovePermission\",\"SNS:DeleteTopic\",\"SNS:Subscribe\",\"SNS:ListSubscriptionsByTopic\",\"SNS:Publish\"],\"Resource\":\"{arn}\",\"Condition\":{{\"StringEquals\":{{\"AWS:SourceOwner\":\"{account}\"}}}}}}]}}"
    )
}
