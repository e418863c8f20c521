//! Queue attributes: AWS's names, ranges and defaults, parsed from and
//! rendered to the strings AWS transports them as.
//!
//! Policy-like attributes (`RedrivePolicy`, `RedriveAllowPolicy`, `Policy`) are
//! JSON documents *inside* an attribute value; AWS parses them, so the engine
//! does too (with `serde_json::Value`). The engine never speaks a wire format.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;

use super::error::{SqsError, SqsErrorCode};

pub const MAX_MESSAGE_SIZE: u32 = 1_048_576;
pub const MAX_VISIBILITY_TIMEOUT: u32 = 43_200;
pub const MAX_DELAY_SECONDS: u32 = 900;
pub const MAX_WAIT_TIME_SECONDS: u32 = 20;

/// Every settable attribute name, in the order `All` lists them.
pub const SETTABLE: &[&str] = &[
    "DelaySeconds",
    "MaximumMessageSize",
    "MessageRetentionPeriod",
    "Policy",
    "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout",
    "RedrivePolicy",
    "RedriveAllowPolicy",
    "KmsMasterKeyId",
    "KmsDataKeyReusePeriodSeconds",
    "SqsManagedSseEnabled",
    "FifoQueue",
    "ContentBasedDeduplication",
    "DeduplicationScope",
    "FifoThroughputLimit",
];

/// Attributes only GetQueueAttributes answers.
pub const READ_ONLY: &[&str] = &[
    "ApproximateNumberOfMessages",
    "ApproximateNumberOfMessagesNotVisible",
    "ApproximateNumberOfMessagesDelayed",
    "CreatedTimestamp",
    "LastModifiedTimestamp",
    "QueueArn",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum DeduplicationScope {
    #[default]
    Queue,
    MessageGroup,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FifoThroughputLimit {
    #[default]
    PerQueue,
    PerMessageGroupId,
}

/// Where messages go after `max_receive_count` receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RedrivePolicy {
    pub dead_letter_target_arn: String,
    pub max_receive_count: u32,
}

/// Which source queues may use a queue as their dead-letter queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedriveAllowPolicy {
    AllowAll,
    DenyAll,
    ByQueue(Vec<String>),
}

/// A queue's settable attributes, typed. `Default` is AWS's defaults for a standard queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueueConfig {
    pub delay_seconds: u32,
    pub maximum_message_size: u32,
    pub message_retention_period: u32,
    pub receive_message_wait_time_seconds: u32,
    pub visibility_timeout: u32,
    pub redrive_policy: Option<RedrivePolicy>,
    pub redrive_allow_policy: Option<RedriveAllowPolicy>,
    /// The access policy document as the caller gave it.
    pub policy: Option<String>,
    pub kms_master_key_id: Option<String>,
    pub kms_data_key_reuse_period_seconds: u32,
    pub sqs_managed_sse_enabled: bool,
    pub content_based_deduplication: bool,
    pub deduplication_scope: DeduplicationScope,
    pub fifo_throughput_limit: FifoThroughputLimit,
}

impl Default for QueueConfig {
    fn default() -> Self {
        QueueConfig {
            delay_seconds: 0,
            maximum_message_size: MAX_MESSAGE_SIZE,
            message_retention_period: 345_600,
            receive_message_wait_time_seconds: 0,
            visibility_timeout: 30,
            redrive_policy: None,
            redrive_allow_policy: None,
            policy: None,
            kms_master_key_id: None,
            kms_data_key_reuse_period_seconds: 300,
            sqs_managed_sse_enabled: true,
            content_based_deduplication: false,
            deduplication_scope: DeduplicationScope::Queue,
            fifo_throughput_limit: FifoThroughputLimit::PerQueue,
        }
    }
}

fn invalid_attribute_value(name: &str) -> SqsError {
    SqsError::new(SqsErrorCode::InvalidAttributeValue, format!("Invalid value for the parameter {name}."))
}

fn unknown_attribute(name: &str) -> SqsError {
    SqsError::new(SqsErrorCode::InvalidAttributeName, format!("Unknown Attribute {name}."))
}

fn parse_range(name: &str, value: &str, min: u32, max: u32) -> Result<u32, SqsError> {
    value.trim().parse::<u32>().ok().filter(|v| (min..=max).contains(v)).ok_or_else(|| invalid_attribute_value(name))
}

fn parse_bool(name: &str, value: &str) -> Result<bool, SqsError> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(invalid_attribute_value(name))
    }
}

fn invalid_redrive(value: &str, reason: &str) -> SqsError {
    SqsError::invalid_value(value, "RedrivePolicy", reason)
}

/// Parses a RedrivePolicy document. `maxReceiveCount` may be a number or a
/// numeric string, as AWS accepts both, and defaults to 10.
pub fn parse_redrive_policy(value: &str) -> Result<RedrivePolicy, SqsError> {
    let doc: Value =
        serde_json::from_str(value).map_err(|_| invalid_redrive(value, "Redrive policy is not a valid JSON map."))?;
    let map = doc.as_object().ok_or_else(|| invalid_redrive(value, "Redrive policy is not a valid JSON map."))?;
    let arn = map.get("deadLetterTargetArn").and_then(Value::as_str).ok_or_else(|| {
        invalid_redrive(value, "Redrive policy does not contain mandatory attribute: deadLetterTargetArn.")
    })?;
    let count = match map.get("maxReceiveCount") {
        None => 10,
        Some(v) => {
            let text = match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            match text.parse::<i64>() {
                Ok(n) if (1..=1000).contains(&n) => n as u32,
                _ => {
                    return Err(invalid_redrive(
                        value,
                        &format!(
                        "Invalid value for maxReceiveCount: {text}, valid values are from 1 to 1000 both inclusive."
                    ),
                    ))
                }
            }
        }
    };
    if let Some(extra) = map.keys().find(|k| *k != "deadLetterTargetArn" && *k != "maxReceiveCount") {
        return Err(invalid_redrive(
            value,
            &format!(
                "Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount]. Found: {extra}."
            ),
        ));
    }
    Ok(RedrivePolicy { dead_letter_target_arn: arn.to_owned(), max_receive_count: count })
}

fn invalid_redrive_allow(reason: &str) -> SqsError {
    SqsError::new(
        SqsErrorCode::InvalidAttributeValue,
        format!("Invalid value for the parameter RedriveAllowPolicy. Reason: {reason}"),
    )
}

pub fn parse_redrive_allow_policy(value: &str) -> Result<RedriveAllowPolicy, SqsError> {
    let doc: Value = serde_json::from_str(value)
        .map_err(|_| invalid_redrive_allow("Redrive allow policy is not a valid JSON map."))?;
    let map = doc.as_object().ok_or_else(|| invalid_redrive_allow("Redrive allow policy is not a valid JSON map."))?;
    let permission = map.get("redrivePermission").and_then(Value::as_str).ok_or_else(|| {
        invalid_redrive_allow("Redrive allow policy does not contain mandatory attribute: redrivePermission.")
    })?;
    let arns: Option<Vec<String>> = match map.get("sourceQueueArns") {
        None => None,
        Some(Value::Array(items)) => Some(
            items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| invalid_redrive_allow("sourceQueueArns must be a list of strings."))
                })
                .collect::<Result<_, _>>()?,
        ),
        Some(_) => return Err(invalid_redrive_allow("sourceQueueArns must be a list of strings.")),
    };
    match (permission, arns) {
        ("allowAll", None) => Ok(RedriveAllowPolicy::AllowAll),
        ("denyAll", None) => Ok(RedriveAllowPolicy::DenyAll),
        ("allowAll" | "denyAll", Some(_)) => {
            Err(invalid_redrive_allow("sourceQueueArns can be specified only when redrivePermission is byQueue."))
        }
        ("byQueue", Some(arns)) if !arns.is_empty() && arns.len() <= 10 => Ok(RedriveAllowPolicy::ByQueue(arns)),
        ("byQueue", _) => Err(invalid_redrive_allow(
            "When redrivePermission is byQueue, sourceQueueArns must list 1 to 10 queue ARNs.",
        )),
        (other, _) => Err(invalid_redrive_allow(&format!(
            "Invalid redrivePermission {other}. Valid values are allowAll, denyAll and byQueue."
        ))),
    }
}

impl RedrivePolicy {
    pub fn render(&self) -> String {
        format!(
            "{{\"deadLetterTargetArn\":{},\"maxReceiveCount\":{}}}",
            Value::String(self.dead_letter_target_arn.clone()),
            self.max_receive_count
        )
    }
}

impl RedriveAllowPolicy {
    pub fn render(&self) -> String {
        match self {
            RedriveAllowPolicy::AllowAll => "{\"redrivePermission\":\"allowAll\"}".into(),
            RedriveAllowPolicy::DenyAll => "{\"redrivePermission\":\"denyAll\"}".into(),
            RedriveAllowPolicy::ByQueue(arns) => {
                let list: Vec<Value> = arns.iter().cloned().map(Value::String).collect();
                format!("{{\"redrivePermission\":\"byQueue\",\"sourceQueueArns\":{}}}", Value::Array(list))
            }
        }
    }

    pub fn allows(&self, source_arn: &str) -> bool {
        match self {
            RedriveAllowPolicy::AllowAll => true,
            RedriveAllowPolicy::DenyAll => false,
            RedriveAllowPolicy::ByQueue(arns) => arns.iter().any(|a| a == source_arn),
        }
    }
}

impl QueueConfig {
    /// Applies attributes given to CreateQueue or SetQueueAttributes, checking
    /// each against AWS's rules. Nothing changes unless all of them are valid.
    pub fn apply(&self, attributes: &super::Attributes, fifo: bool) -> Result<QueueConfig, SqsError> {
        let mut next = self.clone();
        if fifo {
            // Checked up front so the error does not depend on map order.
        } else {
            for fifo_only in ["ContentBasedDeduplication"] {
                if attributes.contains_key(fifo_only) {
                    return Err(unknown_attribute(fifo_only));
                }
            }
            for (name, what) in
                [("DeduplicationScope", "DeduplicationScope"), ("FifoThroughputLimit", "FifoThroughputLimit")]
            {
                if attributes.contains_key(name) {
                    return Err(SqsError::new(
                        SqsErrorCode::InvalidAttributeName,
                        format!("You can specify the {what} only when FifoQueue is set to true."),
                    ));
                }
            }
        }
        let kms_given = attributes.get("KmsMasterKeyId").is_some_and(|v| !v.is_empty());
        let sqs_sse_given = attributes.get("SqsManagedSseEnabled").is_some_and(|v| v.eq_ignore_ascii_case("true"));
        if kms_given && sqs_sse_given {
            return Err(SqsError::new(
                SqsErrorCode::InvalidAttributeName,
                "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.",
            ));
        }
        for (name, value) in attributes {
            let value = value.as_str();
            match name.as_str() {
                "DelaySeconds" => next.delay_seconds = parse_range(name, value, 0, MAX_DELAY_SECONDS)?,
                "MaximumMessageSize" => next.maximum_message_size = parse_range(name, value, 1024, MAX_MESSAGE_SIZE)?,
                "MessageRetentionPeriod" => next.message_retention_period = parse_range(name, value, 60, 1_209_600)?,
                "ReceiveMessageWaitTimeSeconds" => {
                    next.receive_message_wait_time_seconds = parse_range(name, value, 0, MAX_WAIT_TIME_SECONDS)?
                }
                "VisibilityTimeout" => next.visibility_timeout = parse_range(name, value, 0, MAX_VISIBILITY_TIMEOUT)?,
                "KmsDataKeyReusePeriodSeconds" => {
                    next.kms_data_key_reuse_period_seconds = parse_range(name, value, 60, 86_400)?
                }
                "RedrivePolicy" => {
                    next.redrive_policy = if value.is_empty() { None } else { Some(parse_redrive_policy(value)?) }
                }
                "RedriveAllowPolicy" => {
                    next.redrive_allow_policy =
                        if value.is_empty() { None } else { Some(parse_redrive_allow_policy(value)?) }
                }
                "Policy" => {
                    next.policy = if value.is_empty() {
                        None
                    } else {
                        match serde_json::from_str::<Value>(value) {
                            Ok(Value::Object(_)) => Some(value.to_owned()),
                            _ => return Err(invalid_attribute_value(name)),
                        }
                    }
                }
                "KmsMasterKeyId" => {
                    if value.is_empty() {
                        next.kms_master_key_id = None;
                    } else {
                        next.kms_master_key_id = Some(value.to_owned());
                        next.sqs_managed_sse_enabled = false;
                    }
                }
                "SqsManagedSseEnabled" => {
                    next.sqs_managed_sse_enabled = parse_bool(name, value)?;
                    if next.sqs_managed_sse_enabled {
                        next.kms_master_key_id = None;
                    }
                }
                "FifoQueue" => {
                    if parse_bool(name, value)? != fifo {
                        return Err(if fifo {
                            SqsError::new(
                                SqsErrorCode::InvalidAttributeValue,
                                "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
                            )
                        } else {
                            unknown_attribute(name)
                        });
                    }
                }
                "ContentBasedDeduplication" => next.content_based_deduplication = parse_bool(name, value)?,
                "DeduplicationScope" => {
                    next.deduplication_scope = match value {
                        "queue" => DeduplicationScope::Queue,
                        "messageGroup" => DeduplicationScope::MessageGroup,
                        _ => return Err(invalid_attribute_value(name)),
                    }
                }
                "FifoThroughputLimit" => {
                    next.fifo_throughput_limit = match value {
                        "perQueue" => FifoThroughputLimit::PerQueue,
                        "perMessageGroupId" => FifoThroughputLimit::PerMessageGroupId,
                        _ => return Err(invalid_attribute_value(name)),
                    }
                }
                _ => return Err(unknown_attribute(name)),
            }
        }
        if fifo
            && next.fifo_throughput_limit == FifoThroughputLimit::PerMessageGroupId
            && next.deduplication_scope != DeduplicationScope::MessageGroup
        {
            return Err(SqsError::new(
                SqsErrorCode::InvalidAttributeValue,
                "Invalid value for the parameter FifoThroughputLimit. Reason: The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.",
            ));
        }
        Ok(next)
    }

    /// High-throughput FIFO mode: both deduplication and throughput per message group.
    pub fn high_throughput(&self) -> bool {
        self.deduplication_scope == DeduplicationScope::MessageGroup
            && self.fifo_throughput_limit == FifoThroughputLimit::PerMessageGroupId
    }

    /// The value of a settable attribute as GetQueueAttributes shows it, or
    /// `None` where AWS leaves it out (unset optional attributes, FIFO-only
    /// attributes on a standard queue).
    pub fn render(&self, name: &str, fifo: bool) -> Option<String> {
        let fifo_only = |v: String| fifo.then_some(v);
        match name {
            "DelaySeconds" => Some(self.delay_seconds.to_string()),
            "MaximumMessageSize" => Some(self.maximum_message_size.to_string()),
            "MessageRetentionPeriod" => Some(self.message_retention_period.to_string()),
            "ReceiveMessageWaitTimeSeconds" => Some(self.receive_message_wait_time_seconds.to_string()),
            "VisibilityTimeout" => Some(self.visibility_timeout.to_string()),
            "Policy" => self.policy.clone(),
            "RedrivePolicy" => self.redrive_policy.as_ref().map(RedrivePolicy::render),
            "RedriveAllowPolicy" => self.redrive_allow_policy.as_ref().map(RedriveAllowPolicy::render),
            "KmsMasterKeyId" => self.kms_master_key_id.clone(),
            "KmsDataKeyReusePeriodSeconds" => {
                self.kms_master_key_id.as_ref().map(|_| self.kms_data_key_reuse_period_seconds.to_string())
            }
            "SqsManagedSseEnabled" => Some(self.sqs_managed_sse_enabled.to_string()),
            "FifoQueue" => fifo_only("true".into()),
            "ContentBasedDeduplication" => fifo_only(self.content_based_deduplication.to_string()),
            "DeduplicationScope" => fifo_only(
                match self.deduplication_scope {
                    DeduplicationScope::Queue => "queue",
                    DeduplicationScope::MessageGroup => "messageGroup",
                }
                .into(),
            ),
            "FifoThroughputLimit" => fifo_only(
                match self.fifo_throughput_limit {
                    FifoThroughputLimit::PerQueue => "perQueue",
                    FifoThroughputLimit::PerMessageGroupId => "perMessageGroupId",
                }
                .into(),
            ),
            _ => None,
        }
    }
}
