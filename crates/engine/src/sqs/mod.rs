//! Amazon SQS: standard and FIFO queues, as AWS behaves today.
//!
//! # Layout
//! - [`model`]: the typed API (request and response structs per action).
//! - [`error`]: errors by their AWS names, with AWS's messages.
//! - `queue`: a queue's stored messages and the indexes that keep every
//!   operation O(log n): visible messages in order, FIFO groups ready to serve.
//! - `visible_set`: a standard queue's visible messages as a two-level bitmap by number.
//! - `attributes`: queue attributes, their ranges, defaults and validation.
//! - `validate`: message bodies, message attributes, ids; MD5 digests as AWS computes them.
//! - `admin`: create, look up, list, delete, purge, attributes, tags, permissions.
//! - `send`, `receive`, `visibility`: the message lifecycle, long polls and DLQ moves.
//! - `move_task`: redriving a dead-letter queue with StartMessageMoveTask.
//! - `throttle`: FIFO transactions-per-second quotas in virtual time.

pub mod error;
pub mod model;

mod admin;
mod attributes;
mod move_task;
mod queue;
mod receipt;
mod receive;
mod send;
mod throttle;
pub(crate) mod validate;
mod visibility;
mod visible_set;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;

pub use attributes::{DeduplicationScope, FifoThroughputLimit, QueueConfig, RedrivePolicy};
pub use error::{SqsError, SqsErrorCode};
pub use model::*;
pub use queue::{MessageRef, MessageState, Queue, QueueStats, StoredMessage};
#[cfg(feature = "sns")]
pub(crate) use send::Outgoing;

use crate::engine::{Core, Deadline};
use crate::event::Event;
use crate::time::SimTime;
use move_task::MoveTask;
use receive::WaitingPoll;

/// Identifies a queue inside the engine. Never reused, so a stale id simply finds nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QueueId(pub u32);

/// Queues by id. Ids are handed out in order and never reused, so a vector
/// of slots is an index: every request looks its queue up several times, and
/// a slot is cheaper to reach than a tree node.
#[derive(Clone, Debug, Default)]
struct QueueTable {
    slots: alloc::vec::Vec<Option<Queue>>,
}

impl QueueTable {
    fn get(&self, id: &QueueId) -> Option<&Queue> {
        self.slots.get(id.0 as usize).and_then(Option::as_ref)
    }
    fn get_mut(&mut self, id: &QueueId) -> Option<&mut Queue> {
        self.slots.get_mut(id.0 as usize).and_then(Option::as_mut)
    }
    /// Stores a queue under the next id (`id` must be that id).
    fn insert(&mut self, id: QueueId, queue: Queue) {
        debug_assert_eq!(id.0 as usize, self.slots.len());
        self.slots.push(Some(queue));
    }
    fn remove(&mut self, id: &QueueId) -> Option<Queue> {
        self.slots.get_mut(id.0 as usize).and_then(Option::take)
    }
    fn values(&self) -> impl Iterator<Item = &Queue> {
        self.slots.iter().flatten()
    }
}

/// Every queue in the account, and the work in progress around them.
#[derive(Clone, Debug, Default)]
pub struct SqsState {
    queues: QueueTable,
    /// Queue names are unique per account and region; URLs and ARNs resolve through this.
    by_name: BTreeMap<String, QueueId>,
    next_queue_id: u32,
    /// Names deleted less than 60 seconds ago cannot be reused yet (QueueDeletedRecently).
    recently_deleted: BTreeMap<String, SimTime>,
    /// Long polls still waiting, by ticket.
    polls: BTreeMap<u64, WaitingPoll>,
    /// Long polls that have their answer and wait for the caller to take it.
    finished_polls: BTreeMap<u64, Result<ReceiveMessageResult, SqsError>>,
    next_ticket: u64,
    move_tasks: BTreeMap<u64, MoveTask>,
    next_task: u64,
    /// The queue the last URL resolved to: clients send the same URL with
    /// every request, and comparing it with that queue's own URL is cheaper
    /// than parsing it and searching the names.
    last_resolved: core::cell::Cell<Option<QueueId>>,
}

impl SqsState {
    pub fn queues(&self) -> impl Iterator<Item = &Queue> {
        self.queues.values()
    }

    pub fn queue_by_name(&self, name: &str) -> Option<&Queue> {
        self.by_name.get(name).and_then(|id| self.queues.get(id))
    }

    pub fn queue(&self, id: QueueId) -> Option<&Queue> {
        self.queues.get(&id)
    }

    /// Long polls currently waiting on a queue, oldest first.
    pub fn waiting_polls(&self, queue: QueueId) -> impl Iterator<Item = PollTicket> + '_ {
        self.queues.get(&queue).into_iter().flat_map(|q| q.waiters.iter().map(|&t| PollTicket(t)))
    }

    pub(crate) fn describe_deadline(&self, deadline: &Deadline) -> String {
        let queue_name = |id: &QueueId| -> String {
            self.queues.get(id).map(|q| String::from(&*q.name)).unwrap_or_else(|| "(deleted queue)".into())
        };
        match deadline {
            Deadline::SqsDelayEnds { queue, seq } => {
                format!("{}: msg {seq} becomes visible (delay ends)", queue_name(queue))
            }
            Deadline::SqsVisibilityExpires { queue, seq } => {
                format!("{}: msg {seq} becomes visible again (visibility timeout ends)", queue_name(queue))
            }
            Deadline::SqsRetentionExpires { queue, seq } => {
                format!("{}: msg {seq} expires (retention period ends)", queue_name(queue))
            }
            Deadline::SqsLongPollTimesOut { ticket } => {
                let queue = self.polls.get(ticket).map(|p| queue_name(&p.queue)).unwrap_or_default();
                format!("{queue}: long poll #{ticket} returns empty (wait time ends)")
            }
            Deadline::SqsDeduplicationLapses { queue, key } => {
                format!("{}: deduplication id {key:?} leaves the 5-minute window", queue_name(queue))
            }
            Deadline::SqsPurgeCooldownEnds { queue } => format!("{}: PurgeQueue allowed again", queue_name(queue)),
            Deadline::SqsQueueNameReleased { name } => format!("{name}: queue name can be reused"),
            Deadline::SqsMoveTaskStep { task } => {
                let source = self.move_tasks.get(task).map(|t| t.source_name.clone()).unwrap_or_default();
                format!("{source}: move task moves its next batch")
            }
            // Another service's deadline (if any service beyond SQS is built in).
            #[allow(unreachable_patterns)]
            _ => String::new(),
        }
    }
}

/// The SQS API, borrowed from an [`crate::Engine`] with `engine.sqs()`.
pub struct Sqs<'a> {
    core: &'a mut Core,
    state: &'a mut SqsState,
}

impl<'a> Sqs<'a> {
    pub(crate) fn new(core: &'a mut Core, state: &'a mut SqsState) -> Self {
        Sqs { core, state }
    }

    fn queue_url(&self, name: &str) -> String {
        format!("https://sqs.{}.amazonaws.com/{}/{}", self.core.config.region, self.core.config.account_id, name)
    }

    fn queue_arn(&self, name: &str) -> String {
        format!("arn:aws:sqs:{}:{}:{}", self.core.config.region, self.core.config.account_id, name)
    }

    /// Resolves a queue URL the way AWS does: any host, but the account and name decide.
    ///
    /// Inlined as far as the usual case, the URL of the queue resolved last:
    /// a call that could take the other paths first saved the registers they
    /// need. Not in wasm, where every action would carry a copy.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    fn resolve_url(&self, url: &str) -> Result<QueueId, SqsError> {
        match self.state.last_resolved.get() {
            Some(id) if self.state.queues.get(&id).is_some_and(|q| q.url == url) => Ok(id),
            _ => self.resolve_other_url(url),
        }
    }

    #[inline(never)]
    fn resolve_other_url(&self, url: &str) -> Result<QueueId, SqsError> {
        if url.is_empty() {
            return Err(SqsError::missing("QueueUrl"));
        }
        // Byte scans rather than `rsplit`: this runs on every request.
        let url = url.strip_suffix('/').unwrap_or(url);
        let (rest, name) = match url.as_bytes().iter().rposition(|&b| b == b'/') {
            Some(i) => (&url[..i], &url[i + 1..]),
            None => ("", url),
        };
        // The segment before the name must be the account (twelve digits, no
        // slash): compared from the end, without scanning for the slash before it.
        let account = &self.core.config.account_id;
        let segment_is_account = rest.ends_with(account.as_str())
            && (rest.len() == account.len() || rest.as_bytes()[rest.len() - account.len() - 1] == b'/');
        if !segment_is_account {
            return Err(SqsError::queue_does_not_exist());
        }
        let id = self.state.by_name.get(name).copied().ok_or_else(SqsError::queue_does_not_exist)?;
        self.state.last_resolved.set(Some(id));
        Ok(id)
    }

    /// Resolves `arn:aws:sqs:<region>:<account>:<name>` in this engine's region and account.
    fn resolve_arn(&self, arn: &str) -> Option<QueueId> {
        let name = self.name_from_arn(arn)?;
        self.state.by_name.get(name).copied()
    }

    fn name_from_arn<'s>(&self, arn: &'s str) -> Option<&'s str> {
        let mut parts = arn.splitn(6, ':');
        let (arn_lit, partition, service, region, account, name) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let ours = arn_lit == "arn"
            && partition == "aws"
            && service == "sqs"
            && region == self.core.config.region
            && account == self.core.config.account_id;
        ours.then_some(name)
    }

    fn queue_mut(&mut self, id: QueueId) -> &mut Queue {
        self.state.queues.get_mut(&id).expect("resolved queue ids exist until the queue is deleted")
    }

    /// The shared core and one queue, borrowed together.
    fn parts(&mut self, id: QueueId) -> (&mut Core, &mut Queue) {
        let queue = self.state.queues.get_mut(&id).expect("resolved queue ids exist until the queue is deleted");
        (&mut *self.core, queue)
    }

    fn queue_ref(&self, id: QueueId) -> &Queue {
        self.state.queues.get(&id).expect("resolved queue ids exist until the queue is deleted")
    }

    /// The result of a long poll that has finished, taken once.
    pub fn take_poll_result(&mut self, ticket: PollTicket) -> Option<Result<ReceiveMessageResult, SqsError>> {
        self.state.finished_polls.remove(&ticket.0)
    }

    /// Whether a long poll is still waiting.
    pub fn is_waiting(&self, ticket: PollTicket) -> bool {
        self.state.polls.contains_key(&ticket.0)
    }
}

/// Performs one SQS deadline that has come due.
pub(crate) fn on_deadline(core: &mut Core, state: &mut SqsState, deadline: Deadline) {
    let mut sqs = Sqs::new(core, state);
    match deadline {
        Deadline::SqsDelayEnds { queue, seq } => {
            sqs.became_visible(queue, seq, |queue, number| Event::DelayEnded { queue, number })
        }
        Deadline::SqsVisibilityExpires { queue, seq } => {
            sqs.became_visible(queue, seq, |queue, number| Event::VisibilityExpired { queue, number })
        }
        Deadline::SqsRetentionExpires { queue, seq } => sqs.retention_expired(queue, seq),
        Deadline::SqsLongPollTimesOut { ticket } => sqs.poll_timed_out(ticket),
        Deadline::SqsDeduplicationLapses { queue, key } => {
            if let Some(q) = sqs.state.queues.get_mut(&queue) {
                q.dedup.remove(&*key);
            }
        }
        Deadline::SqsPurgeCooldownEnds { queue } => {
            if let Some(q) = sqs.state.queues.get_mut(&queue) {
                q.purge_cooldown = None;
            }
        }
        Deadline::SqsQueueNameReleased { name } => {
            sqs.state.recently_deleted.remove(&*name);
        }
        Deadline::SqsMoveTaskStep { task } => sqs.move_task_step(task),
        // Another service's deadline: the engine routes those elsewhere.
        #[allow(unreachable_patterns)]
        _ => {}
    }
}
