//! Publish and PublishBatch: validation, FIFO deduplication, the notification
//! envelope, and delivery to every subscription whose filter policy matches.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

use super::error::{SnsError, SnsErrorCode};
use super::filter::FilterPolicyScope;
use super::model::*;
use super::{Protocol, SeenPublish, Sns};
use crate::event::Event;
use crate::rng::Uuid;
use crate::sqs::{validate, Outgoing, Sqs};
use crate::time::SimDuration;

/// SNS's default maximum payload (a topic may raise it with MaximumMessageSize).
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 262_144;
const DEDUPLICATION_WINDOW: SimDuration = SimDuration::from_mins(5);
const SNS_PRINCIPAL: &str = "sns.amazonaws.com";

/// One message to publish, from Publish or a PublishBatch entry.
struct Message {
    message: String,
    subject: Option<String>,
    structure: Option<String>,
    attributes: MessageAttributes,
    deduplication_id: Option<String>,
    group_id: Option<String>,
}

fn attribute_error(message: String) -> SnsError {
    SnsError::new(SnsErrorCode::InvalidParameterValue, message)
}

fn check_attributes(attributes: &MessageAttributes) -> Result<(), SnsError> {
    for (name, value) in attributes {
        if name.len() >= 256 {
            return Err(attribute_error("Length of message attribute name must be less than 256 bytes.".into()));
        }
        let base = value.data_type.split('.').next().unwrap_or_default();
        if !matches!(base, "String" | "Number" | "Binary") {
            return Err(attribute_error(format!(
                "The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
            )));
        }
        let empty = match base {
            "Binary" => value.binary_value.as_ref().is_none_or(Vec::is_empty),
            _ => value.string_value.as_ref().is_none_or(String::is_empty),
        };
        if empty {
            return Err(attribute_error(format!(
                "The message attribute '{name}' must contain non-empty message attribute value for message attribute type '{base}'."
            )));
        }
    }
    Ok(())
}

/// JSON string literal for `text`.
fn quoted(text: &str) -> String {
    Value::String(text.into()).to_string()
}

impl Sns<'_> {
    pub fn publish(&mut self, req: Publish) -> Result<PublishResult, SnsError> {
        let arn = match (req.topic_arn.as_deref(), req.target_arn.as_deref(), req.phone_number.as_deref()) {
            (Some(arn), _, _) | (None, Some(arn), _) if !arn.is_empty() => String::from(arn),
            (_, _, Some(phone)) if !phone.is_empty() => {
                // Direct SMS: nothing to fan out; AWS answers with a message id.
                return Ok(PublishResult {
                    message_id: self.core.rng.uuid().to_canonical_string(),
                    sequence_number: None,
                });
            }
            _ => return Err(SnsError::invalid("TopicArn or TargetArn Reason: no value for required parameter")),
        };
        if req.topic_arn.is_none() && arn.contains(":endpoint/") {
            let message_id = self.publish_to_endpoint(&arn, &req.message, req.message_structure.as_deref())?;
            return Ok(PublishResult { message_id, sequence_number: None });
        }
        let message = Message {
            message: req.message,
            subject: req.subject,
            structure: req.message_structure,
            attributes: req.message_attributes,
            deduplication_id: req.message_deduplication_id,
            group_id: req.message_group_id,
        };
        self.publish_one(&arn, message)
    }

    pub fn publish_batch(&mut self, req: PublishBatch) -> Result<PublishBatchResult, SnsError> {
        self.topic(&req.topic_arn)?;
        if req.entries.is_empty() {
            return Err(SnsError::new(
                SnsErrorCode::EmptyBatchRequest,
                "The batch request doesn't contain any entries",
            ));
        }
        if req.entries.len() > 10 {
            return Err(SnsError::new(
                SnsErrorCode::TooManyEntriesInBatchRequest,
                "The batch request contains more entries than permissible.",
            ));
        }
        let mut seen: Vec<&str> = Vec::new();
        for entry in &req.entries {
            if entry.id.len() > 80 {
                return Err(SnsError::new(
                    SnsErrorCode::InvalidBatchEntryId,
                    format!("The Id of a batch entry in the batch request is too long: {}", entry.id),
                ));
            }
            if entry.id.is_empty() || !entry.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(SnsError::new(
                    SnsErrorCode::InvalidBatchEntryId,
                    format!(
                        "The Id of a batch entry in the batch request contains an impermissible character: {}",
                        entry.id
                    ),
                ));
            }
            if seen.contains(&entry.id.as_str()) {
                return Err(SnsError::new(
                    SnsErrorCode::BatchEntryIdsNotDistinct,
                    "Two or more batch entries in the request have the same Id.",
                ));
            }
            seen.push(&entry.id);
        }
        let total: usize =
            req.entries.iter().map(|e| e.message.len() + validate::attributes_size(&e.message_attributes)).sum();
        if total > self.max_message_size(&req.topic_arn) {
            return Err(SnsError::new(
                SnsErrorCode::BatchRequestTooLong,
                "The length of all the messages put together is more than the limit.",
            ));
        }
        let mut result = PublishBatchResult::default();
        for entry in req.entries {
            let message = Message {
                message: entry.message,
                subject: entry.subject,
                structure: entry.message_structure,
                attributes: entry.message_attributes,
                deduplication_id: entry.message_deduplication_id,
                group_id: entry.message_group_id,
            };
            match self.publish_one(&req.topic_arn, message) {
                Ok(r) => result.successful.push(PublishBatchResultEntry {
                    id: entry.id,
                    message_id: r.message_id,
                    sequence_number: r.sequence_number,
                }),
                Err(e) => result.failed.push(BatchResultErrorEntry {
                    id: entry.id,
                    sender_fault: true,
                    code: e.code.code().into(),
                    message: e.message,
                }),
            }
        }
        Ok(result)
    }

    /// Publishes for an AWS service (S3) acting for `source_arn`: allowed only
    /// if the topic's policy lets that service publish.
    #[cfg(feature = "s3")]
    pub(crate) fn publish_as_service(
        &mut self,
        topic_arn: &str,
        service: &str,
        source_arn: &str,
        message: String,
        subject: &str,
    ) -> Result<PublishResult, SnsError> {
        let policy = self.topic(topic_arn)?.attributes.get("Policy").cloned();
        let call = crate::policy::ServiceCall {
            service,
            action: "sns:Publish",
            source_arn,
            source_account: &self.core.config.account_id,
        };
        if !crate::policy::allows(policy.as_deref(), &call) {
            return Err(SnsError::new(SnsErrorCode::AuthorizationError, "Not authorized"));
        }
        let message = Message {
            message,
            subject: Some(subject.into()),
            structure: None,
            attributes: MessageAttributes::new(),
            deduplication_id: None,
            group_id: None,
        };
        self.publish_one(topic_arn, message)
    }

    fn max_message_size(&self, topic_arn: &str) -> usize {
        self.topic(topic_arn)
            .ok()
            .and_then(|t| t.attributes.get("MaximumMessageSize"))
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_MAX_MESSAGE_SIZE)
    }

    fn publish_one(&mut self, topic_arn: &str, m: Message) -> Result<PublishResult, SnsError> {
        let topic = self.topic(topic_arn)?;
        if m.message.is_empty() {
            return Err(SnsError::invalid("Empty message"));
        }
        if let Some(subject) = &m.subject {
            // "ASCII text that begins with a letter, number, or punctuation mark; must not
            // include line breaks or control characters; and must be less than 100 characters long."
            let ok = subject.len() < 100
                && subject.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c.is_ascii_punctuation())
                && subject.chars().all(|c| c.is_ascii() && !c.is_ascii_control());
            if !ok {
                return Err(SnsError::invalid("Subject"));
            }
        }
        let per_protocol = match m.structure.as_deref() {
            None => None,
            Some("json") => {
                let doc: Value = serde_json::from_str(&m.message)
                    .map_err(|_| SnsError::invalid("Message Structure - JSON message body failed to parse"))?;
                match doc.get("default") {
                    Some(Value::String(_)) => Some(doc),
                    _ => return Err(SnsError::invalid("Message Structure - No default entry in JSON message body")),
                }
            }
            Some(_) => return Err(SnsError::invalid("MessageStructure")),
        };
        check_attributes(&m.attributes)?;
        if m.message.len() + validate::attributes_size(&m.attributes) > self.max_message_size(topic_arn) {
            return Err(SnsError::invalid("Message too long"));
        }
        let fifo = topic.fifo;
        let deduplication_id = if fifo {
            if m.group_id.as_deref().is_none_or(str::is_empty) {
                return Err(SnsError::invalid("The MessageGroupId parameter is required for FIFO topics"));
            }
            match &m.deduplication_id {
                Some(id) => Some(id.clone()),
                None if topic.content_based_deduplication() => {
                    Some(crate::hex::encode(&Sha256::digest(m.message.as_bytes())))
                }
                None => {
                    return Err(SnsError::invalid(
                        "The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                    ))
                }
            }
        } else {
            if m.deduplication_id.is_some() {
                return Err(SnsError::invalid(
                    "MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type",
                ));
            }
            None
        };

        let now = self.core.now;
        let topic = self.topic_mut(topic_arn)?;
        topic.dedup.retain(|_, seen| now.saturating_sub(seen.at) < DEDUPLICATION_WINDOW);
        if let Some(seen) = deduplication_id.as_ref().and_then(|d| topic.dedup.get(d)) {
            return Ok(PublishResult {
                message_id: seen.message_id.to_canonical_string(),
                sequence_number: Some(seen.sequence_number.to_string()),
            });
        }
        let sequence_number = fifo.then(|| {
            let n = topic.next_sequence_number;
            topic.next_sequence_number += 1;
            n
        });
        let message_id = self.core.rng.uuid();
        let topic = self.topic_mut(topic_arn)?;
        if let (Some(dedup), Some(n)) = (&deduplication_id, sequence_number) {
            topic.dedup.insert(dedup.clone(), SeenPublish { message_id, sequence_number: n, at: now });
        }
        topic.stats.published += 1;
        let topic_name = topic.name.clone();
        self.core.emit(Event::Published { topic: topic_name, message_id });
        let published = Published {
            topic_arn: String::from(topic_arn),
            message_id,
            sequence_number,
            deduplication_id,
            message: m,
            per_protocol,
        };
        self.fan_out(&published);
        Ok(PublishResult {
            message_id: message_id.to_canonical_string(),
            sequence_number: sequence_number.map(|n| n.to_string()),
        })
    }

    /// Delivers a published message to each confirmed subscription of its topic.
    fn fan_out(&mut self, p: &Published) {
        let targets: Vec<String> = self
            .state
            .subscriptions
            .values()
            .filter(|s| s.topic_arn == p.topic_arn && s.pending_token.is_none())
            .map(|s| s.arn.clone())
            .collect();
        let topic_name = self.topic(&p.topic_arn).map(|t| t.name.clone()).unwrap_or_else(|_| "".into());
        for arn in targets {
            let s = &self.state.subscriptions[&arn];
            let body_for_filter = p.text_for(s.protocol);
            let matches = match &s.filter_policy {
                None => true,
                Some((_, policy)) => match s.filter_policy_scope {
                    FilterPolicyScope::MessageAttributes => policy.matches_attributes(&p.message.attributes),
                    FilterPolicyScope::MessageBody => policy.matches_body_text(&body_for_filter),
                },
            };
            let (protocol, endpoint, raw) = (s.protocol, s.endpoint.clone(), s.raw_message_delivery);
            if !matches {
                self.bump(&p.topic_arn, |stats| stats.filtered_out += 1);
                self.core.emit(Event::NotificationFilteredOut { topic: topic_name.clone(), endpoint });
                continue;
            }
            let message_id = p.message_id.to_canonical_string();
            if protocol == Protocol::Application {
                // A device gets the payload for its push service, never the JSON envelope.
                let platform = self.device_platform(&endpoint).unwrap_or_default();
                let payload = p.text_for_key(&platform);
                self.attempt_delivery(&arn, message_id, payload, 0);
                continue;
            }
            let body = if raw { body_for_filter } else { self.envelope(p, &arn, protocol) };
            if protocol != Protocol::Sqs {
                // Retried by the protocol's delivery policy; it reports its own outcome.
                self.attempt_delivery(&arn, message_id, body, 0);
                continue;
            }
            let outcome = self.deliver_to_queue(p, &endpoint, body, raw);
            match outcome {
                Ok(()) => {
                    self.bump(&p.topic_arn, |stats| stats.delivered += 1);
                    self.core.emit(Event::NotificationDelivered {
                        topic: topic_name.clone(),
                        protocol: protocol.as_str(),
                        endpoint,
                    });
                }
                Err(reason) => {
                    self.bump(&p.topic_arn, |stats| stats.failed += 1);
                    self.core.emit(Event::NotificationFailed { topic: topic_name.clone(), endpoint, reason });
                }
            }
        }
    }

    pub(crate) fn bump(&mut self, topic_arn: &str, change: impl FnOnce(&mut super::TopicStats)) {
        if let Ok(topic) = self.topic_mut(topic_arn) {
            change(&mut topic.stats);
        }
    }

    /// Sends into the subscribed queue through SQS's own send path, as the
    /// SNS service principal: the queue's access policy must allow it.
    fn deliver_to_queue(&mut self, p: &Published, queue_arn: &str, body: String, raw: bool) -> Result<(), String> {
        let mut sqs = Sqs::new(self.core, self.sqs);
        let queue_fifo = queue_arn.ends_with(".fifo");
        let outgoing = Outgoing {
            attributes: if raw { p.message.attributes.clone() } else { MessageAttributes::new() },
            // A FIFO topic passes group and deduplication ids on; a standard
            // topic passes the group id only to standard queues (fair queues).
            deduplication_id: if queue_fifo { p.deduplication_id.clone() } else { None },
            group_id: p.message.group_id.clone(),
            ..Outgoing::body_only(body)
        };
        sqs.deliver_as_service(queue_arn, SNS_PRINCIPAL, &p.topic_arn, outgoing)
    }

    /// The notification envelope AWS wraps a message in, keys in AWS's order
    /// and layout. FIFO topics do not sign their notifications.
    fn envelope(&mut self, p: &Published, subscription_arn: &str, protocol: Protocol) -> String {
        let region = &self.core.config.region;
        let mut out = String::from("{\n");
        let field = |out: &mut String, key: &str, value: &str| {
            out.push_str(&format!("  \"{key}\" : {value},\n"));
        };
        field(&mut out, "Type", "\"Notification\"");
        field(&mut out, "MessageId", &quoted(&p.message_id.to_canonical_string()));
        if let Some(n) = p.sequence_number {
            field(&mut out, "SequenceNumber", &quoted(&n.to_string()));
        }
        field(&mut out, "TopicArn", &quoted(&p.topic_arn));
        if let Some(subject) = &p.message.subject {
            field(&mut out, "Subject", &quoted(subject));
        }
        field(&mut out, "Message", &quoted(&p.text_for(protocol)));
        field(&mut out, "Timestamp", &quoted(&self.core.now.to_iso8601()));
        if p.sequence_number.is_none() {
            let mut signature = [0u8; 256];
            self.core.rng.fill(&mut signature);
            field(&mut out, "SignatureVersion", "\"1\"");
            field(&mut out, "Signature", &quoted(&STANDARD.encode(signature)));
            field(
                &mut out,
                "SigningCertURL",
                &quoted(&format!(
                    "https://sns.{region}.amazonaws.com/SimpleNotificationService-{}.pem",
                    signing_certificate_id(region)
                )),
            );
        }
        field(
            &mut out,
            "UnsubscribeURL",
            &quoted(&format!(
                "https://sns.{region}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={subscription_arn}"
            )),
        );
        if !p.message.attributes.is_empty() {
            let entries: Vec<String> = p
                .message
                .attributes
                .iter()
                .map(|(name, v)| {
                    let value = match &v.binary_value {
                        Some(bytes) if v.data_type.starts_with("Binary") => STANDARD.encode(bytes),
                        _ => v.string_value.clone().unwrap_or_default(),
                    };
                    format!("    {} : {{\"Type\":{},\"Value\":{}}}", quoted(name), quoted(&v.data_type), quoted(&value))
                })
                .collect();
            out.push_str(&format!("  \"MessageAttributes\" : {{\n{}\n  }}\n", entries.join(",\n")));
        } else {
            // The last field carries no trailing comma.
            out.truncate(out.len() - 2);
            out.push('\n');
        }
        out.push('}');
        out
    }
}

/// A stable, region-specific certificate name (AWS rotates a 32-hex id).
fn signing_certificate_id(region: &str) -> String {
    crate::hex::encode(&validate::md5(region.as_bytes()))
}

/// A message that passed validation, on its way to subscriptions.
struct Published {
    topic_arn: String,
    message_id: Uuid,
    sequence_number: Option<u128>,
    deduplication_id: Option<String>,
    message: Message,
    /// With MessageStructure=json: the per-protocol messages.
    per_protocol: Option<Value>,
}

impl Published {
    /// The message text a protocol receives (its own entry under
    /// MessageStructure=json, else `default`).
    fn text_for(&self, protocol: Protocol) -> String {
        self.text_for_key(protocol.as_str())
    }

    /// The `MessageStructure=json` entry under `key` (a protocol, or a push
    /// platform such as `GCM` for devices), else `default`, else the message.
    fn text_for_key(&self, key: &str) -> String {
        match &self.per_protocol {
            Some(doc) => doc.get(key).or_else(|| doc.get("default")).and_then(Value::as_str).unwrap_or_default().into(),
            None => self.message.message.clone(),
        }
    }
}
