//! The typed SQS API: one request and one response struct per action, with
//! the members the AWS API model gives them.
//!
//! Numbers that the caller may get wrong (`DelaySeconds`, `MaxNumberOfMessages`, ...)
//! are `Option<i64>` so that out-of-range values reach the engine and get AWS's
//! error, rather than being lost in a narrower type. Queue attributes travel as
//! AWS sends them: a map of attribute name to string.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

pub use arrayvec::ArrayString;

use super::error::SqsError;

/// A message id as SQS writes it: a UUID, 36 characters. Fixed-length texts
/// the engine mints are inline strings, so that answering one allocates nothing.
pub type MessageId = ArrayString<36>;
/// An MD5 digest in lower-case hex, 32 characters.
pub type Md5Hex = ArrayString<32>;

/// Queue attributes exactly as AWS transports them: name → string value.
pub type Attributes = BTreeMap<String, String>;

/// A message (or message system) attribute value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageAttributeValue {
    /// `String`, `Number` or `Binary`, optionally with a custom suffix (`Number.int`).
    pub data_type: String,
    pub string_value: Option<String>,
    pub binary_value: Option<Vec<u8>>,
    /// Reserved by AWS ("not implemented"); accepted and ignored.
    pub string_list_values: Vec<String>,
    pub binary_list_values: Vec<Vec<u8>>,
}

impl MessageAttributeValue {
    pub fn string(value: impl Into<String>) -> Self {
        MessageAttributeValue { data_type: "String".into(), string_value: Some(value.into()), ..Default::default() }
    }
    pub fn number(value: impl Into<String>) -> Self {
        MessageAttributeValue { data_type: "Number".into(), string_value: Some(value.into()), ..Default::default() }
    }
    pub fn binary(value: impl Into<Vec<u8>>) -> Self {
        MessageAttributeValue { data_type: "Binary".into(), binary_value: Some(value.into()), ..Default::default() }
    }
}

pub type MessageAttributes = BTreeMap<String, MessageAttributeValue>;

#[derive(Clone, Debug, Default)]
pub struct CreateQueue {
    pub queue_name: String,
    pub attributes: Attributes,
    pub tags: BTreeMap<String, String>,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateQueueResult {
    pub queue_url: String,
}

#[derive(Clone, Debug, Default)]
pub struct GetQueueUrl {
    pub queue_name: String,
    pub queue_owner_aws_account_id: Option<String>,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetQueueUrlResult {
    pub queue_url: String,
}

#[derive(Clone, Debug, Default)]
pub struct ListQueues {
    pub queue_name_prefix: Option<String>,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQueuesResult {
    pub queue_urls: Vec<String>,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct GetQueueAttributes {
    pub queue_url: String,
    pub attribute_names: Vec<String>,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GetQueueAttributesResult {
    pub attributes: Attributes,
}

#[derive(Clone, Debug, Default)]
pub struct SetQueueAttributes {
    pub queue_url: String,
    pub attributes: Attributes,
}

#[derive(Clone, Debug, Default)]
pub struct QueueUrlOnly {
    pub queue_url: String,
}
/// DeleteQueue and PurgeQueue take only the queue URL.
pub type DeleteQueue = QueueUrlOnly;
pub type PurgeQueue = QueueUrlOnly;
pub type ListQueueTags = QueueUrlOnly;

#[derive(Clone, Debug, Default)]
pub struct SendMessage {
    pub queue_url: String,
    pub message_body: String,
    pub delay_seconds: Option<i64>,
    pub message_attributes: MessageAttributes,
    pub message_system_attributes: MessageAttributes,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendMessageResult {
    pub message_id: MessageId,
    pub md5_of_message_body: Md5Hex,
    pub md5_of_message_attributes: Option<String>,
    pub md5_of_message_system_attributes: Option<String>,
    pub sequence_number: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct SendMessageBatchEntry {
    pub id: String,
    pub message_body: String,
    pub delay_seconds: Option<i64>,
    pub message_attributes: MessageAttributes,
    pub message_system_attributes: MessageAttributes,
    pub message_deduplication_id: Option<String>,
    pub message_group_id: Option<String>,
}
#[derive(Clone, Debug, Default)]
pub struct SendMessageBatch {
    pub queue_url: String,
    pub entries: Vec<SendMessageBatchEntry>,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SendMessageBatchResultEntry {
    pub id: String,
    pub message_id: MessageId,
    pub md5_of_message_body: Md5Hex,
    pub md5_of_message_attributes: Option<String>,
    pub md5_of_message_system_attributes: Option<String>,
    pub sequence_number: Option<String>,
}

/// A failed entry of a batch action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchResultErrorEntry {
    pub id: String,
    pub sender_fault: bool,
    /// The legacy query code AWS puts in batch failures (e.g. `InvalidParameterValue`).
    pub code: String,
    pub message: String,
}

impl BatchResultErrorEntry {
    pub(crate) fn from_error(id: &str, error: SqsError) -> Self {
        BatchResultErrorEntry {
            id: id.into(),
            sender_fault: error.code.sender_fault(),
            code: error.code.query_code().into(),
            message: error.message,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BatchResult<T> {
    pub successful: Vec<T>,
    pub failed: Vec<BatchResultErrorEntry>,
}
pub type SendMessageBatchResult = BatchResult<SendMessageBatchResultEntry>;

#[derive(Clone, Debug, Default)]
pub struct ReceiveMessage {
    pub queue_url: String,
    /// Deprecated by AWS in favour of `message_system_attribute_names`; both are honoured.
    pub attribute_names: Vec<String>,
    pub message_system_attribute_names: Vec<String>,
    pub message_attribute_names: Vec<String>,
    pub max_number_of_messages: Option<i64>,
    pub visibility_timeout: Option<i64>,
    pub wait_time_seconds: Option<i64>,
    pub receive_request_attempt_id: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Message {
    pub message_id: MessageId,
    pub receipt_handle: String,
    pub md5_of_body: Md5Hex,
    pub body: String,
    /// System attributes requested (`SentTimestamp`, `ApproximateReceiveCount`, ...).
    pub attributes: BTreeMap<String, String>,
    pub md5_of_message_attributes: Option<String>,
    pub message_attributes: MessageAttributes,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReceiveMessageResult {
    pub messages: Vec<Message>,
}

/// A ReceiveMessage either answers now or, as a long poll, later.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Receive {
    Ready(ReceiveMessageResult),
    /// Nothing to receive yet: the poll waits in virtual time. Its answer
    /// appears in [`super::Sqs::take_poll_result`] once a message arrives or
    /// the wait time runs out (an [`crate::Event::LongPollCompleted`] says when).
    Pending(PollTicket),
}

/// Identifies a waiting long poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PollTicket(pub u64);

#[derive(Clone, Debug, Default)]
pub struct DeleteMessage {
    pub queue_url: String,
    pub receipt_handle: String,
}

#[derive(Clone, Debug, Default)]
pub struct DeleteMessageBatchEntry {
    pub id: String,
    pub receipt_handle: String,
}
#[derive(Clone, Debug, Default)]
pub struct DeleteMessageBatch {
    pub queue_url: String,
    pub entries: Vec<DeleteMessageBatchEntry>,
}
/// Successful entries of DeleteMessageBatch and ChangeMessageVisibilityBatch carry only their id.
pub type BatchIdsResult = BatchResult<String>;

#[derive(Clone, Debug, Default)]
pub struct ChangeMessageVisibility {
    pub queue_url: String,
    pub receipt_handle: String,
    pub visibility_timeout: Option<i64>,
}
#[derive(Clone, Debug, Default)]
pub struct ChangeMessageVisibilityBatchEntry {
    pub id: String,
    pub receipt_handle: String,
    pub visibility_timeout: Option<i64>,
}
#[derive(Clone, Debug, Default)]
pub struct ChangeMessageVisibilityBatch {
    pub queue_url: String,
    pub entries: Vec<ChangeMessageVisibilityBatchEntry>,
}

#[derive(Clone, Debug, Default)]
pub struct ListDeadLetterSourceQueues {
    pub queue_url: String,
    pub next_token: Option<String>,
    pub max_results: Option<i64>,
}

#[derive(Clone, Debug, Default)]
pub struct TagQueue {
    pub queue_url: String,
    pub tags: BTreeMap<String, String>,
}
#[derive(Clone, Debug, Default)]
pub struct UntagQueue {
    pub queue_url: String,
    pub tag_keys: Vec<String>,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListQueueTagsResult {
    pub tags: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default)]
pub struct AddPermission {
    pub queue_url: String,
    pub label: String,
    pub aws_account_ids: Vec<String>,
    pub actions: Vec<String>,
}
#[derive(Clone, Debug, Default)]
pub struct RemovePermission {
    pub queue_url: String,
    pub label: String,
}

#[derive(Clone, Debug, Default)]
pub struct StartMessageMoveTask {
    pub source_arn: String,
    pub destination_arn: Option<String>,
    pub max_number_of_messages_per_second: Option<i64>,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartMessageMoveTaskResult {
    pub task_handle: String,
}
#[derive(Clone, Debug, Default)]
pub struct CancelMessageMoveTask {
    pub task_handle: String,
}
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancelMessageMoveTaskResult {
    pub approximate_number_of_messages_moved: u64,
}
#[derive(Clone, Debug, Default)]
pub struct ListMessageMoveTasks {
    pub source_arn: String,
    pub max_results: Option<i64>,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageMoveTask {
    pub task_handle: Option<String>,
    pub status: String,
    pub source_arn: String,
    pub destination_arn: Option<String>,
    pub max_number_of_messages_per_second: Option<u32>,
    pub approximate_number_of_messages_moved: u64,
    pub approximate_number_of_messages_to_move: Option<u64>,
    pub failure_reason: Option<String>,
    /// Epoch milliseconds, as AWS reports it.
    pub started_timestamp: u64,
}
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListMessageMoveTasksResult {
    pub results: Vec<MessageMoveTask>,
}
