//! The typed SNS API: one request and one response struct per action, with
//! the members of the AWS API model (2010-03-31).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

pub use crate::sqs::{Attributes, BatchResult, BatchResultErrorEntry, MessageAttributeValue, MessageAttributes};

#[derive(Clone, Debug, Default)]
pub struct CreateTopic {
    pub name: String,
    pub attributes: Attributes,
    pub tags: BTreeMap<String, String>,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateTopicResult {
    pub topic_arn: String,
}

#[derive(Clone, Debug, Default)]
pub struct TopicArnOnly {
    pub topic_arn: String,
}
pub type DeleteTopic = TopicArnOnly;
pub type GetTopicAttributes = TopicArnOnly;

#[derive(Clone, Debug, Default)]
pub struct ListTopics {
    pub next_token: Option<String>,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListTopicsResult {
    pub topic_arns: Vec<String>,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttributesResult {
    pub attributes: Attributes,
}

#[derive(Clone, Debug, Default)]
pub struct SetTopicAttributes {
    pub topic_arn: String,
    pub attribute_name: String,
    pub attribute_value: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Subscribe {
    pub topic_arn: String,
    pub protocol: String,
    pub endpoint: Option<String>,
    pub attributes: Attributes,
    pub return_subscription_arn: bool,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscribeResult {
    /// The ARN, or `pending confirmation` for endpoints that must confirm first.
    pub subscription_arn: String,
}

#[derive(Clone, Debug, Default)]
pub struct ConfirmSubscription {
    pub topic_arn: String,
    pub token: String,
    pub authenticate_on_unsubscribe: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct SubscriptionArnOnly {
    pub subscription_arn: String,
}
pub type Unsubscribe = SubscriptionArnOnly;
pub type GetSubscriptionAttributes = SubscriptionArnOnly;

#[derive(Clone, Debug, Default)]
pub struct SetSubscriptionAttributes {
    pub subscription_arn: String,
    pub attribute_name: String,
    pub attribute_value: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ListSubscriptions {
    pub next_token: Option<String>,
}
#[derive(Clone, Debug, Default)]
pub struct ListSubscriptionsByTopic {
    pub topic_arn: String,
    pub next_token: Option<String>,
}
/// One row of ListSubscriptions(ByTopic).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionSummary {
    pub subscription_arn: String,
    pub owner: String,
    pub protocol: String,
    pub endpoint: String,
    pub topic_arn: String,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListSubscriptionsResult {
    pub subscriptions: Vec<SubscriptionSummary>,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Publish {
    pub topic_arn: Option<String>,
    pub target_arn: Option<String>,
    pub phone_number: Option<String>,
    pub message: String,
    pub subject: Option<String>,
    pub message_structure: Option<String>,
    pub message_attributes: MessageAttributes,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublishResult {
    pub message_id: String,
    pub sequence_number: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct PublishBatchEntry {
    pub id: String,
    pub message: String,
    pub subject: Option<String>,
    pub message_structure: Option<String>,
    pub message_attributes: MessageAttributes,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}
#[derive(Clone, Debug, Default)]
pub struct PublishBatch {
    pub topic_arn: String,
    pub entries: Vec<PublishBatchEntry>,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublishBatchResultEntry {
    pub id: String,
    pub message_id: String,
    pub sequence_number: Option<String>,
}
pub type PublishBatchResult = BatchResult<PublishBatchResultEntry>;

#[derive(Clone, Debug, Default)]
pub struct TagResource {
    pub resource_arn: String,
    pub tags: BTreeMap<String, String>,
}
#[derive(Clone, Debug, Default)]
pub struct UntagResource {
    pub resource_arn: String,
    pub tag_keys: Vec<String>,
}
#[derive(Clone, Debug, Default)]
pub struct ListTagsForResource {
    pub resource_arn: String,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListTagsForResourceResult {
    pub tags: BTreeMap<String, String>,
}
