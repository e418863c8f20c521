//! SendMessage and SendMessageBatch.

use alloc::boxed::Box;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};

use arrayvec::ArrayString;
use sha2::{Digest, Sha256};

use super::attributes::{DeduplicationScope, MAX_DELAY_SECONDS, MAX_MESSAGE_SIZE};
use super::error::{SqsError, SqsErrorCode};
use super::model::*;
use super::queue::{DedupEntry, StoredMessage};
use super::throttle::ThrottledAction;
use super::validate::{self, attributes_size};
use super::{QueueId, Sqs};
use crate::engine::Deadline;
use crate::event::Event;
use crate::rng::Uuid;
use crate::time::SimDuration;
use crate::{ascii, hex};

/// FIFO deduplication ids are remembered this long, even after deletion.
pub const DEDUPLICATION_WINDOW: SimDuration = SimDuration::from_mins(5);

/// Characters of a message id, and of an MD5 digest in hex.
pub(crate) const ID_CHARS: usize = 36;
pub(crate) const MD5_CHARS: usize = 32;

/// A message's id and its body's digest in hex, side by side, as SendMessage
/// and ReceiveMessage answer them.
pub(crate) type IdAndMd5Text = ArrayString<{ ID_CHARS + MD5_CHARS }>;

/// Formats a message's id and its body's digest, and checks them as UTF-8, once.
fn id_and_md5_text(id: &Uuid, md5: &[u8; 16]) -> IdAndMd5Text {
    let mut texts = ascii::Buffer::<{ ID_CHARS + MD5_CHARS }>::new();
    let (id_text, md5_text) = texts.0.split_at_mut(ID_CHARS);
    id_text.copy_from_slice(&id.to_canonical());
    hex::encode_into(md5, md5_text);
    ascii::inline(ascii::text(&texts.0), 0)
}

/// What SendMessage answers about a message it took, before it is written
/// out: the id and digest as the text the message keeps, the rest as
/// numbers, formatted only if present.
pub(crate) struct Sent {
    id_and_md5: IdAndMd5Text,
    sequence_number: Option<u128>,
    md5_of_attributes: Option<[u8; 16]>,
    md5_of_system_attributes: Option<[u8; 16]>,
}

impl Sent {
    /// The answer, written where the caller returns it: built earlier and
    /// handed back, it was copied twice, and each copy waited on the stores
    /// that had just written it (2% of a send → receive → delete).
    #[inline(always)]
    fn answer(&self) -> SendMessageResult {
        SendMessageResult {
            message_id: ascii::inline(&self.id_and_md5, 0),
            md5_of_message_body: ascii::inline(&self.id_and_md5, ID_CHARS),
            md5_of_message_attributes: self.md5_of_attributes.map(|d| hex::encode(&d)),
            md5_of_message_system_attributes: self.md5_of_system_attributes.map(|d| hex::encode(&d)),
            sequence_number: self.sequence_number.map(|n| n.to_string()),
        }
    }
}

/// The members of one message to send, shared by SendMessage and batch
/// entries. Owned, so the body and attributes move into the queue uncopied.
pub(crate) struct Outgoing {
    pub body: String,
    pub delay_seconds: Option<i64>,
    pub attributes: MessageAttributes,
    pub system_attributes: MessageAttributes,
    pub deduplication_id: Option<String>,
    pub group_id: Option<String>,
}

impl Outgoing {
    /// A message that is only a body, as services deliver their notifications.
    #[cfg(feature = "sns")]
    pub(crate) fn body_only(body: String) -> Outgoing {
        Outgoing {
            body,
            delay_seconds: None,
            attributes: MessageAttributes::new(),
            system_attributes: MessageAttributes::new(),
            deduplication_id: None,
            group_id: None,
        }
    }

    /// Bytes counted against MaximumMessageSize: body plus attributes.
    fn size(&self) -> usize {
        self.body.len() + attributes_size(&self.attributes)
    }
}

impl Sqs<'_> {
    pub fn send_message(&mut self, req: SendMessage) -> Result<SendMessageResult, SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        self.admit(id, ThrottledAction::Send)?;
        let outgoing = Outgoing {
            body: req.message_body,
            delay_seconds: req.delay_seconds,
            attributes: req.message_attributes,
            system_attributes: req.message_system_attributes,
            deduplication_id: req.message_deduplication_id,
            group_id: req.message_group_id,
        };
        let sent = self.send_one(id, outgoing, false)?;
        self.serve_waiters(id);
        Ok(sent.answer())
    }

    pub fn send_message_batch(&mut self, req: SendMessageBatch) -> Result<SendMessageBatchResult, SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        validate::check_batch_ids(req.entries.iter().map(|e| e.id.as_str()), "SendMessageBatchRequestEntry")?;
        let total: usize =
            req.entries.iter().map(|e| e.message_body.len() + attributes_size(&e.message_attributes)).sum();
        if total > MAX_MESSAGE_SIZE as usize {
            return Err(SqsError::new(
                SqsErrorCode::BatchRequestTooLong,
                format!("Batch requests cannot be longer than {MAX_MESSAGE_SIZE} bytes. You have sent {total} bytes."),
            ));
        }
        self.admit(id, ThrottledAction::Send)?;
        let mut result = SendMessageBatchResult::default();
        for entry in req.entries {
            let outgoing = Outgoing {
                body: entry.message_body,
                delay_seconds: entry.delay_seconds,
                attributes: entry.message_attributes,
                system_attributes: entry.message_system_attributes,
                deduplication_id: entry.message_deduplication_id,
                group_id: entry.message_group_id,
            };
            match self.send_one(id, outgoing, true).map(|sent| sent.answer()) {
                Ok(sent) => result.successful.push(SendMessageBatchResultEntry {
                    id: entry.id,
                    message_id: sent.message_id,
                    md5_of_message_body: sent.md5_of_message_body,
                    md5_of_message_attributes: sent.md5_of_message_attributes,
                    md5_of_message_system_attributes: sent.md5_of_message_system_attributes,
                    sequence_number: sent.sequence_number,
                }),
                Err(error) => result.failed.push(BatchResultErrorEntry::from_error(&entry.id, error)),
            }
        }
        self.serve_waiters(id);
        Ok(result)
    }

    #[cfg(feature = "sns")]
    /// Delivers a message from an AWS service (SNS, S3) acting on behalf of
    /// `source_arn`: allowed only if the queue's policy lets that service
    /// send. The error is the reason the delivery failed, for the sender's metrics.
    pub(crate) fn deliver_as_service(
        &mut self,
        queue_arn: &str,
        service: &str,
        source_arn: &str,
        message: Outgoing,
    ) -> Result<(), alloc::string::String> {
        let id = self.resolve_arn(queue_arn).ok_or_else(|| format!("queue {queue_arn} does not exist"))?;
        let queue = self.queue_ref(id);
        let call = crate::policy::ServiceCall {
            service,
            action: "sqs:SendMessage",
            source_arn,
            source_account: &self.core.config.account_id,
        };
        if !crate::policy::allows(queue.config.policy.as_deref(), &call) {
            return Err(format!("the access policy of queue {} does not allow {service} to send", queue.name));
        }
        self.send_one(id, message, false).map_err(|e| alloc::string::ToString::to_string(&e))?;
        self.serve_waiters(id);
        Ok(())
    }

    /// Counts a call against the queue's FIFO quota; ThrottlingException when over.
    /// Inlined (natively) as far as the test for a standard queue, which has no quota.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn admit(&mut self, id: QueueId, action: ThrottledAction) -> Result<(), SqsError> {
        if self.queue_ref(id).fifo {
            self.admit_to_fifo(id, action)
        } else {
            Ok(())
        }
    }

    #[inline(never)]
    fn admit_to_fifo(&mut self, id: QueueId, action: ThrottledAction) -> Result<(), SqsError> {
        let now = self.core.now.as_millis();
        let region_tps = super::throttle::high_throughput_tps(&self.core.config.region);
        let queue = self.queue_mut(id);
        let limit = if queue.config.high_throughput() { region_tps } else { super::throttle::FIFO_TPS };
        if queue.throttle.admit(action, now, limit) {
            return Ok(());
        }
        let name = queue.name.clone();
        self.core.emit(Event::Throttled { queue: name, action: action.name() });
        Err(SqsError::throttled())
    }

    /// Validates and stores one message. Does not wake long polls: the caller
    /// does that once per request.
    pub(crate) fn send_one(&mut self, id: QueueId, msg: Outgoing, in_batch: bool) -> Result<Sent, SqsError> {
        let queue = self.queue_ref(id);
        let fifo = queue.fifo;
        if msg.body.is_empty() {
            return Err(SqsError::missing("MessageBody"));
        }
        validate::check_body_chars(&msg.body)?;
        validate::check_message_attributes(&msg.attributes)?;
        validate::check_system_attributes(&msg.system_attributes)?;
        let max = queue.config.maximum_message_size;
        if msg.size() > max as usize {
            return Err(SqsError::invalid_parameter(format!(
                "One or more parameters are invalid. Reason: Message must be shorter than {max} bytes."
            )));
        }
        let delay = match msg.delay_seconds {
            None => queue.config.delay_seconds,
            Some(d) if !(0..=i64::from(MAX_DELAY_SECONDS)).contains(&d) => {
                return Err(SqsError::invalid_value(d, "DelaySeconds", "DelaySeconds must be >= 0 and <= 900."))
            }
            Some(d) if fifo && d != 0 => {
                return Err(SqsError::invalid_value(
                    d,
                    "DelaySeconds",
                    "The request include parameter that is not valid for this queue type.",
                ))
            }
            Some(d) => d as u32,
        };
        if let Some(group) = &msg.group_id {
            validate::check_fifo_id(group, "MessageGroupId")?;
        }
        let dedup_id = if fifo {
            if msg.group_id.is_none() {
                let missing = SqsError::missing("MessageGroupId");
                return Err(if in_batch { SqsError::invalid_parameter(missing.message) } else { missing });
            }
            match &msg.deduplication_id {
                Some(d) => {
                    validate::check_fifo_id(d, "MessageDeduplicationId")?;
                    Some(d.clone())
                }
                None if queue.config.content_based_deduplication => Some(hex::encode(&Sha256::digest(msg.body.as_bytes()))),
                None => {
                    return Err(SqsError::invalid_parameter(
                        "The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly",
                    ))
                }
            }
        } else {
            if let Some(d) = &msg.deduplication_id {
                return Err(SqsError::invalid_value(
                    d,
                    "MessageDeduplicationId",
                    "The request includes a parameter that is not valid for this queue type.",
                ));
            }
            None
        };

        let md5_of_body = validate::md5(msg.body.as_bytes());
        let md5_of_attributes = validate::md5_of_attributes(&msg.attributes);
        let md5_of_system_attributes = validate::md5_of_attributes(&msg.system_attributes);
        let sent = |id_and_md5, sequence_number| Sent {
            id_and_md5,
            sequence_number,
            md5_of_attributes,
            md5_of_system_attributes,
        };

        let dedup_key = dedup_id.as_ref().map(|d| match queue.config.deduplication_scope {
            DeduplicationScope::Queue => d.clone(),
            DeduplicationScope::MessageGroup => format!("{}\u{0}{d}", msg.group_id.as_deref().unwrap_or_default()),
        });
        if let Some(seen) = dedup_key.as_ref().and_then(|k| queue.dedup.get(k)) {
            let (message_id, sequence_number) = (seen.message_id, seen.sequence_number);
            let name = queue.name.clone();
            self.core.emit(Event::MessageDeduplicated { queue: name, message_id });
            return Ok(sent(id_and_md5_text(&message_id, &md5_of_body), sequence_number));
        }

        let now = self.core.now;
        let message_id = self.core.rng.uuid();
        let id_and_md5 = id_and_md5_text(&message_id, &md5_of_body);
        let duplicate_chance = if fifo { 0 } else { self.core.config.realism.duplicate_per_million };
        let (core, queue) = self.parts(id);
        let number = queue.take_number();
        let sequence_number = fifo.then(|| {
            let n = queue.next_sequence_number;
            queue.next_sequence_number += 1;
            n
        });
        // Allocated first and then written, so that the message is built
        // where it will live: built on the stack and then boxed, its copy
        // waited on the stores that had just built it (2% of a send → receive → delete).
        let message = Box::write(
            Box::new_uninit(),
            StoredMessage {
                number,
                id: message_id,
                body: msg.body,
                id_and_md5,
                attributes: msg.attributes,
                md5_of_attributes,
                system_attributes: msg.system_attributes,
                md5_of_system_attributes,
                sent_at: now,
                enqueued_at: now,
                receive_count: 0,
                first_received_at: None,
                group_id: msg.group_id.as_deref().map(Rc::from),
                deduplication_id: dedup_id,
                sequence_number,
                dead_letter_source_arn: None,
                last_receipt: None,
                retention_key: None,
            },
        );
        let delay = SimDuration::from_secs(u64::from(delay));
        let duplicate = core.rng.chance(duplicate_chance).then(|| message.clone());
        queue.insert(core, message, delay);
        queue.stats.sent += 1;
        let name = queue.name.clone();
        if let Some(key) = dedup_key {
            let lapses = self.core.schedule_in(
                DEDUPLICATION_WINDOW,
                Deadline::SqsDeduplicationLapses { queue: id, key: key.as_str().into() },
            );
            self.queue_mut(id).dedup.insert(key, DedupEntry { message_id, lapses, sequence_number });
        }
        self.core.emit(Event::MessageSent { queue: name.clone(), number, message_id, visible_at: now + delay });
        if let Some(mut copy) = duplicate {
            let (core, queue) = self.parts(id);
            copy.number = queue.take_number();
            let copy_number = copy.number;
            queue.insert(core, copy, delay);
            self.core.emit(Event::MessageDuplicated { queue: name, number: copy_number, copy_of: number, message_id });
        }
        Ok(sent(id_and_md5, sequence_number))
    }
}
