//! DeleteMessage, ChangeMessageVisibility and their batch forms: everything
//! done with a receipt handle.
//!
//! Only the most recent receipt handle acts on a message. An older one is
//! answered the way AWS answers it: on a standard queue the call succeeds and
//! does nothing; on a FIFO queue it fails with "The receipt handle has expired."

use super::attributes::MAX_VISIBILITY_TIMEOUT;
use alloc::format;

use super::error::{SqsError, SqsErrorCode};
use super::model::*;
use super::queue::MessageState;
use super::receipt;
use super::throttle::ThrottledAction;
use super::{validate, QueueId, Sqs};
use crate::event::Event;
use crate::time::SimDuration;

/// What a receipt handle points at.
enum Target {
    /// The message, and the handle is its latest.
    Current(u64),
    /// The message, but it has been received again since (or, on FIFO, is no longer in flight).
    Stale,
    /// No such message any more (deleted, expired, moved).
    Gone,
}

impl Sqs<'_> {
    fn target(&self, id: QueueId, handle: &str) -> Result<Target, SqsError> {
        if handle.is_empty() {
            return Err(SqsError::missing("ReceiptHandle"));
        }
        let receipt =
            receipt::decode(self.core.config.seed, handle).ok_or_else(|| SqsError::invalid_receipt_handle(handle))?;
        if receipt.queue != id {
            return Err(SqsError::new(
                SqsErrorCode::ReceiptHandleIsInvalid,
                format!("The receipt handle \"{handle}\" is not valid for this queue."),
            ));
        }
        let queue = self.queue_ref(id);
        let Some(message) = queue.messages.get(&receipt.number) else { return Ok(Target::Gone) };
        let latest = message.last_receipt == Some(receipt.nonce);
        let usable = if queue.fifo { latest && message.is_in_flight() } else { latest };
        Ok(if usable { Target::Current(receipt.number) } else { Target::Stale })
    }

    pub fn delete_message(&mut self, req: DeleteMessage) -> Result<(), SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        self.admit(id, ThrottledAction::Delete)?;
        self.delete_one(id, &req.receipt_handle)?;
        // Deleting a FIFO group's in-flight message frees the group for a waiting long poll.
        self.serve_waiters(id);
        Ok(())
    }

    pub fn delete_message_batch(&mut self, req: DeleteMessageBatch) -> Result<BatchIdsResult, SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        validate::check_batch_ids(req.entries.iter().map(|e| e.id.as_str()), "DeleteMessageBatchRequestEntry")?;
        self.admit(id, ThrottledAction::Delete)?;
        let mut result = BatchIdsResult::default();
        for entry in &req.entries {
            match self.delete_one(id, &entry.receipt_handle) {
                Ok(()) => result.successful.push(entry.id.clone()),
                Err(error) => result.failed.push(BatchResultErrorEntry::from_error(&entry.id, error)),
            }
        }
        self.serve_waiters(id);
        Ok(result)
    }

    fn delete_one(&mut self, id: QueueId, handle: &str) -> Result<(), SqsError> {
        match self.target(id, handle)? {
            Target::Current(number) => {
                let (core, queue) = self.parts(id);
                queue.remove(core, number);
                queue.stats.deleted += 1;
                let name = queue.name.clone();
                self.core.emit(Event::MessageDeleted { queue: name, number });
                Ok(())
            }
            Target::Stale if self.queue_ref(id).fifo => Err(SqsError::expired_receipt_handle(handle)),
            Target::Stale | Target::Gone => Ok(()),
        }
    }

    pub fn change_message_visibility(&mut self, req: ChangeMessageVisibility) -> Result<(), SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        self.change_one(id, &req.receipt_handle, req.visibility_timeout)?;
        self.serve_waiters(id);
        Ok(())
    }

    pub fn change_message_visibility_batch(
        &mut self,
        req: ChangeMessageVisibilityBatch,
    ) -> Result<BatchIdsResult, SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        validate::check_batch_ids(
            req.entries.iter().map(|e| e.id.as_str()),
            "ChangeMessageVisibilityBatchRequestEntry",
        )?;
        let mut result = BatchIdsResult::default();
        for entry in &req.entries {
            match self.change_one(id, &entry.receipt_handle, entry.visibility_timeout) {
                Ok(()) => result.successful.push(entry.id.clone()),
                Err(error) => result.failed.push(BatchResultErrorEntry::from_error(&entry.id, error)),
            }
        }
        self.serve_waiters(id);
        Ok(result)
    }

    fn change_one(&mut self, id: QueueId, handle: &str, timeout: Option<i64>) -> Result<(), SqsError> {
        let timeout = match timeout {
            None => return Err(SqsError::missing("VisibilityTimeout")),
            Some(t) if (0..=i64::from(MAX_VISIBILITY_TIMEOUT)).contains(&t) => t as u64,
            Some(t) => {
                return Err(SqsError::invalid_value(t, "VisibilityTimeout", "Must be >= 0 and <= 43200, if provided."))
            }
        };
        let number = match self.target(id, handle)? {
            Target::Current(number) => number,
            Target::Stale if self.queue_ref(id).fifo => return Err(SqsError::expired_receipt_handle(handle)),
            Target::Stale => return Ok(()),
            Target::Gone => {
                return Err(SqsError::invalid_value(
                    handle,
                    "ReceiptHandle",
                    "Message does not exist or is not available for visibility timeout change.",
                ))
            }
        };
        let now = self.core.now;
        let (core, queue) = self.parts(id);
        let received_at = match queue.messages.get(&number).map(|m| *m.state) {
            Some(MessageState::InFlight { received_at, .. }) => received_at,
            // A standard message whose latest handle outlived its visibility: AWS answers 200 and changes nothing.
            _ => return Ok(()),
        };
        let held = now.saturating_sub(received_at).as_secs();
        if held + timeout > u64::from(MAX_VISIBILITY_TIMEOUT) {
            return Err(SqsError::invalid_value(
                timeout,
                "VisibilityTimeout",
                "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]",
            ));
        }
        let name = queue.name.clone();
        if timeout == 0 {
            if let Some(&MessageState::InFlight { key, .. }) = queue.messages.get(&number).map(|m| m.state) {
                core.deadlines.cancel(key);
            }
            queue.make_visible(number);
        } else {
            queue.change_visibility(core, number, SimDuration::from_secs(timeout));
        }
        self.core.emit(Event::VisibilityChanged {
            queue: name,
            number,
            visible_at: now + SimDuration::from_secs(timeout),
        });
        Ok(())
    }
}
