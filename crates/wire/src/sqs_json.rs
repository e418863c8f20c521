//! Amazon SQS over AWS JSON 1.0, as the current SDKs speak it.
//!
//! Each action reads its members as the AWS API model names and types them,
//! calls the engine's typed API, and writes the result the way AWS does.
//! Errors carry AWS's `__type` (with the namespace AWS uses for that error),
//! its HTTP status, and the legacy query code in `x-amzn-query-error`, which
//! the SDKs use to give the error its old name (the model is
//! `awsQueryCompatible`).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use decouple_engine::sqs::*;
use decouple_engine::Engine;
use serde_json::{Map, Value};

use crate::json::{self, encode_blob, InputError, JsonError, Members, Output};
use crate::service::{Protocol, Service};
use crate::HttpResponse;

const PROTOCOL: Protocol = Protocol::AwsJson1_0;

/// What handling one SQS request came to.
pub(crate) enum Outcome {
    Ready(HttpResponse),
    /// A long poll is waiting; its answer is rendered by [`receive_response`].
    Pending(PollTicket),
}

/// Why an action failed before or inside the engine.
enum Fault {
    Input(InputError),
    Sqs(SqsError),
}

impl From<InputError> for Fault {
    fn from(e: InputError) -> Self {
        Fault::Input(e)
    }
}

impl From<SqsError> for Fault {
    fn from(e: SqsError) -> Self {
        Fault::Sqs(e)
    }
}

type Result<T> = core::result::Result<T, Fault>;

/// The 23 actions of the SQS API (botocore's sqs model, 2012-11-05).
pub const ACTIONS: &[&str] = &[
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

pub(crate) fn handle(engine: &mut Engine, operation: &str, body: &[u8], request_id: &str) -> Outcome {
    if !ACTIONS.contains(&operation) {
        return Outcome::Ready(json::unknown_operation(Some(Service::Sqs), PROTOCOL, operation, request_id));
    }
    let map = match json::parse_body(body) {
        Ok(map) => map,
        Err(e) => return Outcome::Ready(fault_response(Fault::Input(e), request_id)),
    };
    let m = Members(&map);
    let sqs = &mut engine.sqs();
    let result = match operation {
        "ReceiveMessage" => match receive_message(sqs, m) {
            Ok(Receive::Ready(result)) => Ok(receive_body(result)),
            Ok(Receive::Pending(ticket)) => return Outcome::Pending(ticket),
            Err(e) => Err(e),
        },
        "AddPermission" => add_permission(sqs, m),
        "CancelMessageMoveTask" => cancel_message_move_task(sqs, m),
        "ChangeMessageVisibility" => change_message_visibility(sqs, m),
        "ChangeMessageVisibilityBatch" => change_message_visibility_batch(sqs, m),
        "CreateQueue" => create_queue(sqs, m),
        "DeleteMessage" => delete_message(sqs, m),
        "DeleteMessageBatch" => delete_message_batch(sqs, m),
        "DeleteQueue" => delete_queue(sqs, m),
        "GetQueueAttributes" => get_queue_attributes(sqs, m),
        "GetQueueUrl" => get_queue_url(sqs, m),
        "ListDeadLetterSourceQueues" => list_dead_letter_source_queues(sqs, m),
        "ListMessageMoveTasks" => list_message_move_tasks(sqs, m),
        "ListQueueTags" => list_queue_tags(sqs, m),
        "ListQueues" => list_queues(sqs, m),
        "PurgeQueue" => purge_queue(sqs, m),
        "RemovePermission" => remove_permission(sqs, m),
        "SendMessage" => send_message(sqs, m),
        "SendMessageBatch" => send_message_batch(sqs, m),
        "SetQueueAttributes" => set_queue_attributes(sqs, m),
        "StartMessageMoveTask" => start_message_move_task(sqs, m),
        "TagQueue" => tag_queue(sqs, m),
        "UntagQueue" => untag_queue(sqs, m),
        _ => unreachable!("ACTIONS lists every action matched here"),
    };
    Outcome::Ready(match result {
        Ok(body) => json::ok(PROTOCOL, &body, request_id),
        Err(fault) => fault_response(fault, request_id),
    })
}

/// The response to a long poll that has finished.
pub(crate) fn receive_response(
    result: core::result::Result<ReceiveMessageResult, SqsError>,
    request_id: &str,
) -> HttpResponse {
    match result {
        Ok(result) => json::ok(PROTOCOL, &receive_body(result), request_id),
        Err(e) => fault_response(Fault::Sqs(e), request_id),
    }
}

// ---------------------------------------------------------------- errors

/// The namespace of an error's `__type`. Errors in the SQS API model are
/// `com.amazonaws.sqs#...`; the generic ones SQS inherits from Coral, AWS's
/// service framework, keep Coral's namespaces (as AWS's responses show, e.g.
/// `com.amazon.coral.service#InvalidParameterValueException`).
fn namespace(code: SqsErrorCode) -> &'static str {
    use SqsErrorCode::*;
    match code {
        InvalidParameterValue | MissingParameter | AccessDenied => "com.amazon.coral.service",
        ThrottlingException => "com.amazon.coral.availability",
        _ => "com.amazonaws.sqs",
    }
}

fn fault_response(fault: Fault, request_id: &str) -> HttpResponse {
    match fault {
        Fault::Input(InputError::Serialization(message)) => json::error(
            PROTOCOL,
            &JsonError {
                status: 400,
                type_id: "com.amazon.coral.service#SerializationException",
                message: Some(&message),
                query_code: Some("MalformedInput"),
            },
            request_id,
        ),
        Fault::Input(InputError::Missing(name)) => sqs_error(
            &SqsError::new(SqsErrorCode::MissingParameter, format!("The request must contain the parameter {name}.")),
            request_id,
        ),
        Fault::Sqs(e) => sqs_error(&e, request_id),
    }
}

fn sqs_error(e: &SqsError, request_id: &str) -> HttpResponse {
    let type_id = format!("{}#{}", namespace(e.code), e.code.name());
    json::error(
        PROTOCOL,
        &JsonError {
            status: e.code.http_status(),
            type_id: &type_id,
            message: Some(&e.message),
            query_code: Some(e.code.query_code()),
        },
        request_id,
    )
}

// ---------------------------------------------------------------- shapes

/// `MessageAttributes` / `MessageSystemAttributes`: name → MessageAttributeValue.
fn message_attributes(m: Members<'_>, name: &str) -> core::result::Result<MessageAttributes, InputError> {
    m.structure_map(name)?
        .into_iter()
        .map(|(key, v)| {
            Ok((
                String::from(key),
                MessageAttributeValue {
                    data_type: v.string_or_empty("DataType")?,
                    string_value: v.string("StringValue")?,
                    binary_value: v.blob("BinaryValue")?,
                    string_list_values: v.string_list("StringListValues")?,
                    binary_list_values: v.blob_list("BinaryListValues")?,
                },
            ))
        })
        .collect()
}

fn message_attributes_value(attributes: &MessageAttributes) -> Map<String, Value> {
    attributes
        .iter()
        .map(|(name, v)| {
            let mut out = Output::new()
                .opt("StringValue", v.string_value.clone())
                .opt("BinaryValue", v.binary_value.as_deref().map(encode_blob))
                .list("StringListValues", v.string_list_values.iter().cloned().map(Value::String).collect())
                .list("BinaryListValues", v.binary_list_values.iter().map(|b| encode_blob(b)).collect());
            out = out.put("DataType", v.data_type.clone());
            (name.clone(), out.into_value())
        })
        .collect()
}

fn batch_failures(failed: &[BatchResultErrorEntry]) -> Vec<Value> {
    failed
        .iter()
        .map(|f| {
            Output::new()
                .put("Id", f.id.clone())
                .put("SenderFault", f.sender_fault)
                .put("Code", f.code.clone())
                .put("Message", f.message.clone())
                .into_value()
        })
        .collect()
}

fn ids_result(result: BatchIdsResult) -> Value {
    Output::new()
        .list("Successful", result.successful.into_iter().map(|id| Output::new().put("Id", id).into_value()).collect())
        .list("Failed", batch_failures(&result.failed))
        .into_value()
}

fn empty() -> Value {
    Value::Object(Map::new())
}

fn queue_url(m: Members<'_>) -> core::result::Result<String, InputError> {
    m.required_string("QueueUrl")
}

// ---------------------------------------------------------------- queues

fn create_queue(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let result = sqs.create_queue(CreateQueue {
        queue_name: m.string_or_empty("QueueName")?,
        attributes: m.string_map("Attributes")?,
        // The JSON model names this member `tags` (lower case), unlike every other.
        tags: m.string_map("tags")?,
    })?;
    Ok(Output::new().put("QueueUrl", result.queue_url).into_value())
}

fn get_queue_url(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let result = sqs.get_queue_url(GetQueueUrl {
        queue_name: m.string_or_empty("QueueName")?,
        queue_owner_aws_account_id: m.string("QueueOwnerAWSAccountId")?,
    })?;
    Ok(Output::new().put("QueueUrl", result.queue_url).into_value())
}

fn list_queues(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let result = sqs.list_queues(ListQueues {
        queue_name_prefix: m.string("QueueNamePrefix")?,
        next_token: m.string("NextToken")?,
        max_results: m.integer("MaxResults")?,
    })?;
    Ok(Output::new()
        .list("QueueUrls", result.queue_urls.into_iter().map(Value::String).collect())
        .opt("NextToken", result.next_token)
        .into_value())
}

fn list_dead_letter_source_queues(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let result = sqs.list_dead_letter_source_queues(ListDeadLetterSourceQueues {
        queue_url: queue_url(m)?,
        next_token: m.string("NextToken")?,
        max_results: m.integer("MaxResults")?,
    })?;
    // The model spells this member `queueUrls`, in lower camel case.
    Ok(Output::new()
        .list("queueUrls", result.queue_urls.into_iter().map(Value::String).collect())
        .opt("NextToken", result.next_token)
        .into_value())
}

fn get_queue_attributes(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let result = sqs.get_queue_attributes(GetQueueAttributes {
        queue_url: queue_url(m)?,
        attribute_names: m.string_list("AttributeNames")?,
    })?;
    Ok(Output::new().string_map("Attributes", &result.attributes).into_value())
}

fn set_queue_attributes(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    sqs.set_queue_attributes(SetQueueAttributes { queue_url: queue_url(m)?, attributes: m.string_map("Attributes")? })?;
    Ok(empty())
}

fn delete_queue(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    sqs.delete_queue(DeleteQueue { queue_url: queue_url(m)? })?;
    Ok(empty())
}

fn purge_queue(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    sqs.purge_queue(PurgeQueue { queue_url: queue_url(m)? })?;
    Ok(empty())
}

fn tag_queue(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    sqs.tag_queue(TagQueue { queue_url: queue_url(m)?, tags: m.string_map("Tags")? })?;
    Ok(empty())
}

fn untag_queue(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    sqs.untag_queue(UntagQueue { queue_url: queue_url(m)?, tag_keys: m.string_list("TagKeys")? })?;
    Ok(empty())
}

fn list_queue_tags(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let result = sqs.list_queue_tags(ListQueueTags { queue_url: queue_url(m)? })?;
    Ok(Output::new().string_map("Tags", &result.tags).into_value())
}

fn add_permission(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    sqs.add_permission(AddPermission {
        queue_url: queue_url(m)?,
        label: m.string_or_empty("Label")?,
        aws_account_ids: m.string_list("AWSAccountIds")?,
        actions: m.string_list("Actions")?,
    })?;
    Ok(empty())
}

fn remove_permission(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    sqs.remove_permission(RemovePermission { queue_url: queue_url(m)?, label: m.string_or_empty("Label")? })?;
    Ok(empty())
}

// ---------------------------------------------------------------- messages

fn send_message(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let result = sqs.send_message(SendMessage {
        queue_url: queue_url(m)?,
        message_body: m.string_or_empty("MessageBody")?,
        delay_seconds: m.integer("DelaySeconds")?,
        message_attributes: message_attributes(m, "MessageAttributes")?,
        message_system_attributes: message_attributes(m, "MessageSystemAttributes")?,
        message_deduplication_id: m.string("MessageDeduplicationId")?,
        message_group_id: m.string("MessageGroupId")?,
    })?;
    Ok(Output::new()
        .put("MD5OfMessageBody", result.md5_of_message_body.as_str())
        .opt("MD5OfMessageAttributes", result.md5_of_message_attributes)
        .opt("MD5OfMessageSystemAttributes", result.md5_of_message_system_attributes)
        .put("MessageId", result.message_id.as_str())
        .opt("SequenceNumber", result.sequence_number)
        .into_value())
}

fn send_message_batch(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let entries = m
        .structure_list("Entries")?
        .into_iter()
        .map(|e| {
            Ok(SendMessageBatchEntry {
                id: e.string_or_empty("Id")?,
                message_body: e.string_or_empty("MessageBody")?,
                delay_seconds: e.integer("DelaySeconds")?,
                message_attributes: message_attributes(e, "MessageAttributes")?,
                message_system_attributes: message_attributes(e, "MessageSystemAttributes")?,
                message_deduplication_id: e.string("MessageDeduplicationId")?,
                message_group_id: e.string("MessageGroupId")?,
            })
        })
        .collect::<core::result::Result<Vec<_>, InputError>>()?;
    let result = sqs.send_message_batch(SendMessageBatch { queue_url: queue_url(m)?, entries })?;
    let successful = result
        .successful
        .into_iter()
        .map(|s| {
            Output::new()
                .put("Id", s.id)
                .put("MessageId", s.message_id.as_str())
                .put("MD5OfMessageBody", s.md5_of_message_body.as_str())
                .opt("MD5OfMessageAttributes", s.md5_of_message_attributes)
                .opt("MD5OfMessageSystemAttributes", s.md5_of_message_system_attributes)
                .opt("SequenceNumber", s.sequence_number)
                .into_value()
        })
        .collect();
    Ok(Output::new().list("Successful", successful).list("Failed", batch_failures(&result.failed)).into_value())
}

fn receive_message(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Receive> {
    Ok(sqs.receive_message(ReceiveMessage {
        queue_url: queue_url(m)?,
        attribute_names: m.string_list("AttributeNames")?,
        message_system_attribute_names: m.string_list("MessageSystemAttributeNames")?,
        message_attribute_names: m.string_list("MessageAttributeNames")?,
        max_number_of_messages: m.integer("MaxNumberOfMessages")?,
        visibility_timeout: m.integer("VisibilityTimeout")?,
        wait_time_seconds: m.integer("WaitTimeSeconds")?,
        receive_request_attempt_id: m.string("ReceiveRequestAttemptId")?,
    })?)
}

fn receive_body(result: ReceiveMessageResult) -> Value {
    let messages = result
        .messages
        .into_iter()
        .map(|msg| {
            Output::new()
                .put("MessageId", msg.message_id.as_str())
                .put("ReceiptHandle", msg.receipt_handle)
                .put("MD5OfBody", msg.md5_of_body.as_str())
                .put("Body", msg.body)
                .string_map("Attributes", &msg.attributes)
                .opt("MD5OfMessageAttributes", msg.md5_of_message_attributes)
                .object("MessageAttributes", message_attributes_value(&msg.message_attributes))
                .into_value()
        })
        .collect();
    Output::new().list("Messages", messages).into_value()
}

fn delete_message(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    sqs.delete_message(DeleteMessage {
        queue_url: queue_url(m)?,
        receipt_handle: m.required_string("ReceiptHandle")?,
    })?;
    Ok(empty())
}

fn delete_message_batch(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let entries = m
        .structure_list("Entries")?
        .into_iter()
        .map(|e| {
            Ok(DeleteMessageBatchEntry {
                id: e.string_or_empty("Id")?,
                receipt_handle: e.string_or_empty("ReceiptHandle")?,
            })
        })
        .collect::<core::result::Result<Vec<_>, InputError>>()?;
    let result = sqs.delete_message_batch(DeleteMessageBatch { queue_url: queue_url(m)?, entries })?;
    Ok(ids_result(result))
}

fn change_message_visibility(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    sqs.change_message_visibility(ChangeMessageVisibility {
        queue_url: queue_url(m)?,
        receipt_handle: m.required_string("ReceiptHandle")?,
        visibility_timeout: m.integer("VisibilityTimeout")?,
    })?;
    Ok(empty())
}

fn change_message_visibility_batch(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let entries = m
        .structure_list("Entries")?
        .into_iter()
        .map(|e| {
            Ok(ChangeMessageVisibilityBatchEntry {
                id: e.string_or_empty("Id")?,
                receipt_handle: e.string_or_empty("ReceiptHandle")?,
                visibility_timeout: e.integer("VisibilityTimeout")?,
            })
        })
        .collect::<core::result::Result<Vec<_>, InputError>>()?;
    let result =
        sqs.change_message_visibility_batch(ChangeMessageVisibilityBatch { queue_url: queue_url(m)?, entries })?;
    Ok(ids_result(result))
}

// ---------------------------------------------------------------- move tasks

fn start_message_move_task(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let result = sqs.start_message_move_task(StartMessageMoveTask {
        source_arn: m.required_string("SourceArn")?,
        destination_arn: m.string("DestinationArn")?,
        max_number_of_messages_per_second: m.integer("MaxNumberOfMessagesPerSecond")?,
    })?;
    Ok(Output::new().put("TaskHandle", result.task_handle).into_value())
}

fn cancel_message_move_task(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let result =
        sqs.cancel_message_move_task(CancelMessageMoveTask { task_handle: m.required_string("TaskHandle")? })?;
    Ok(Output::new().put("ApproximateNumberOfMessagesMoved", result.approximate_number_of_messages_moved).into_value())
}

fn list_message_move_tasks(sqs: &mut Sqs<'_>, m: Members<'_>) -> Result<Value> {
    let result = sqs.list_message_move_tasks(ListMessageMoveTasks {
        source_arn: m.required_string("SourceArn")?,
        max_results: m.integer("MaxResults")?,
    })?;
    let results = result
        .results
        .into_iter()
        .map(|t| {
            Output::new()
                .opt("TaskHandle", t.task_handle)
                .put("Status", t.status)
                .put("SourceArn", t.source_arn)
                .opt("DestinationArn", t.destination_arn)
                .opt("MaxNumberOfMessagesPerSecond", t.max_number_of_messages_per_second)
                .put("ApproximateNumberOfMessagesMoved", t.approximate_number_of_messages_moved)
                .opt("ApproximateNumberOfMessagesToMove", t.approximate_number_of_messages_to_move)
                .opt("FailureReason", t.failure_reason)
                .put("StartedTimestamp", t.started_timestamp)
                .into_value()
        })
        .collect();
    Ok(Output::new().list("Results", results).into_value())
}
