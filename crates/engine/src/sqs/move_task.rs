//! Message move tasks: redriving a dead-letter queue back to its sources (or
//! to a chosen queue) at a bounded rate, in virtual time.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::error::{SqsError, SqsErrorCode};
use super::model::*;
use super::{QueueId, Sqs};
use crate::engine::{Deadline, DeadlineKey};
use crate::event::Event;
use crate::time::{SimDuration, SimTime};

/// AWS's ceiling for MaxNumberOfMessagesPerSecond, also used when the caller
/// leaves the rate to SQS ("system optimized").
pub const MAX_RATE: u32 = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    Running,
    Completed,
    Cancelled,
    Failed,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Completed => "COMPLETED",
            Status::Cancelled => "CANCELLED",
            Status::Failed => "FAILED",
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct MoveTask {
    handle: String,
    source: QueueId,
    source_arn: String,
    pub source_name: String,
    destination_arn: Option<String>,
    rate: Option<u32>,
    status: Status,
    moved: u64,
    to_move: u64,
    started: SimTime,
    failure: Option<String>,
    next_step: Option<DeadlineKey>,
}

fn invalid_handle() -> SqsError {
    SqsError::invalid_parameter("Value for parameter TaskHandle is invalid.")
}

fn not_found(parameter: &str) -> SqsError {
    SqsError::new(
        SqsErrorCode::ResourceNotFoundException,
        format!("The resource that you specified for the {parameter} parameter doesn't exist."),
    )
}

impl Sqs<'_> {
    pub fn start_message_move_task(
        &mut self,
        req: StartMessageMoveTask,
    ) -> Result<StartMessageMoveTaskResult, SqsError> {
        if req.source_arn.is_empty() {
            return Err(SqsError::missing("SourceArn"));
        }
        let source = self.resolve_arn(&req.source_arn).ok_or_else(|| not_found("SourceArn"))?;
        let source_queue = self.queue_ref(source);
        let is_dead_letter_queue =
            self.state.queues.values().any(|q| {
                q.config.redrive_policy.as_ref().is_some_and(|p| p.dead_letter_target_arn == source_queue.arn)
            });
        if !is_dead_letter_queue {
            return Err(SqsError::invalid_parameter("Source queue must be configured as a Dead Letter Queue."));
        }
        if let Some(destination) = &req.destination_arn {
            self.resolve_arn(destination).ok_or_else(|| not_found("DestinationArn"))?;
        }
        let rate = match req.max_number_of_messages_per_second {
            None => None,
            Some(r) if (1..=i64::from(MAX_RATE)).contains(&r) => Some(r as u32),
            Some(r) => {
                return Err(SqsError::invalid_value(r, "MaxNumberOfMessagesPerSecond", "Must be between 1 and 500."))
            }
        };
        if self.state.move_tasks.values().any(|t| t.source == source && t.status == Status::Running) {
            return Err(SqsError::invalid_parameter(
                "There is already a task running. Only one active task is allowed for a source queue arn at a given time.",
            ));
        }
        let task_id = self.core.rng.uuid();
        let source_queue = self.queue_ref(source);
        let handle = STANDARD.encode(format!("{{\"taskId\":\"{task_id}\",\"sourceArn\":\"{}\"}}", source_queue.arn));
        let to_move = source_queue.visible_count() as u64;
        let source_name = source_queue.name.clone();
        let source_arn = source_queue.arn.clone();
        let id = self.state.next_task;
        self.state.next_task += 1;
        let next_step = Some(self.core.schedule_in(SimDuration::from_secs(1), Deadline::SqsMoveTaskStep { task: id }));
        self.state.move_tasks.insert(
            id,
            MoveTask {
                handle: handle.clone(),
                source,
                source_arn,
                source_name: String::from(&*source_name),
                destination_arn: req.destination_arn,
                rate,
                status: Status::Running,
                moved: 0,
                to_move,
                started: self.core.now,
                failure: None,
                next_step,
            },
        );
        self.core.emit(Event::MoveTaskStarted { source: source_name, to_move });
        Ok(StartMessageMoveTaskResult { task_handle: handle })
    }

    pub fn cancel_message_move_task(
        &mut self,
        req: CancelMessageMoveTask,
    ) -> Result<CancelMessageMoveTaskResult, SqsError> {
        if req.task_handle.is_empty() {
            return Err(SqsError::missing("TaskHandle"));
        }
        let decodes = STANDARD
            .decode(&req.task_handle)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .is_some_and(|s| s.contains("taskId"));
        if !decodes {
            return Err(invalid_handle());
        }
        let (&id, task) = self
            .state
            .move_tasks
            .iter()
            .find(|(_, t)| t.handle == req.task_handle)
            .ok_or_else(|| SqsError::new(SqsErrorCode::ResourceNotFoundException, "Task does not exist."))?;
        if task.status != Status::Running {
            return Err(invalid_handle());
        }
        let moved = task.moved;
        self.finish_task(id, Status::Cancelled, None);
        Ok(CancelMessageMoveTaskResult { approximate_number_of_messages_moved: moved })
    }

    pub fn list_message_move_tasks(
        &mut self,
        req: ListMessageMoveTasks,
    ) -> Result<ListMessageMoveTasksResult, SqsError> {
        if req.source_arn.is_empty() {
            return Err(SqsError::missing("SourceArn"));
        }
        let source = self.resolve_arn(&req.source_arn).ok_or_else(|| not_found("SourceArn"))?;
        let max = match req.max_results {
            None => 1,
            Some(n) if (1..=10).contains(&n) => n as usize,
            Some(n) => return Err(SqsError::invalid_value(n, "MaxResults", "Must be between 1 and 10.")),
        };
        let results = self
            .state
            .move_tasks
            .values()
            .rev()
            .filter(|t| t.source == source)
            .take(max)
            .map(|t| MessageMoveTask {
                task_handle: (t.status == Status::Running).then(|| t.handle.clone()),
                status: t.status.name().into(),
                source_arn: t.source_arn.clone(),
                destination_arn: t.destination_arn.clone(),
                max_number_of_messages_per_second: t.rate,
                approximate_number_of_messages_moved: t.moved,
                approximate_number_of_messages_to_move: Some(t.to_move),
                failure_reason: t.failure.clone(),
                started_timestamp: t.started.as_millis(),
            })
            .collect();
        Ok(ListMessageMoveTasksResult { results })
    }

    /// Moves the next second's worth of messages, then schedules the next step.
    pub(crate) fn move_task_step(&mut self, task_id: u64) {
        let Some(task) = self.state.move_tasks.get_mut(&task_id) else { return };
        task.next_step = None;
        if task.status != Status::Running {
            return;
        }
        let (source, budget) = (task.source, u64::from(task.rate.unwrap_or(MAX_RATE)).min(task.to_move - task.moved));
        let explicit = task.destination_arn.clone();
        let Some(queue) = self.state.queues.get(&source) else {
            self.finish_task(task_id, Status::Failed, Some("AWS.SimpleQueueService.NonExistentQueue".into()));
            return;
        };
        let batch: Vec<u64> =
            queue.messages.values().filter(|m| m.is_visible()).take(budget as usize).map(|m| m.number).collect();
        for number in batch {
            let origin = self.queue_ref(source).messages[&number].dead_letter_source_arn.clone();
            let Some(destination) = explicit.as_deref().or(origin.as_deref()).and_then(|arn| self.resolve_arn(arn))
            else {
                self.finish_task(task_id, Status::Failed, Some("AWS.SimpleQueueService.NonExistentQueue".into()));
                return;
            };
            self.redrive(source, destination, number);
            if let Some(task) = self.state.move_tasks.get_mut(&task_id) {
                task.moved += 1;
            }
            self.serve_waiters(destination);
        }
        let task = &self.state.move_tasks[&task_id];
        let nothing_left = self.queue_ref(source).visible_count() == 0;
        if task.moved >= task.to_move || nothing_left {
            self.finish_task(task_id, Status::Completed, None);
        } else {
            let key = self.core.schedule_in(SimDuration::from_secs(1), Deadline::SqsMoveTaskStep { task: task_id });
            if let Some(task) = self.state.move_tasks.get_mut(&task_id) {
                task.next_step = Some(key);
            }
        }
    }

    /// Sends one message from a dead-letter queue to `to` as a fresh arrival:
    /// receive count and retention start again; the MessageId stays.
    fn redrive(&mut self, from: QueueId, to: QueueId, number: u64) {
        let (core, source) = self.parts(from);
        let Some(mut message) = source.remove(core, number) else { return };
        let source_name = source.name.clone();
        let now = self.core.now;
        let (core, destination) = self.parts(to);
        message.number = destination.take_number();
        message.receive_count = 0;
        message.first_received_at = None;
        message.last_receipt = None;
        message.dead_letter_source_arn = None;
        message.enqueued_at = now;
        if destination.fifo {
            message.sequence_number = Some(destination.next_sequence_number);
            destination.next_sequence_number += 1;
        }
        let new_number = message.number;
        destination.insert(core, message, SimDuration::ZERO);
        let destination_name = destination.name.clone();
        self.core.emit(Event::MessageRedriven {
            source: source_name,
            number,
            destination: destination_name,
            new_number,
        });
    }

    fn finish_task(&mut self, task_id: u64, status: Status, failure: Option<String>) {
        let Some(task) = self.state.move_tasks.get_mut(&task_id) else { return };
        task.status = status;
        task.failure = failure;
        if let Some(key) = task.next_step.take() {
            self.core.deadlines.cancel(key);
        }
        let (source, moved) = (task.source_name.as_str().into(), task.moved);
        self.core.emit(Event::MoveTaskFinished { source, moved, status: status.name() });
    }

    /// A deleted source queue fails its running tasks, as AWS reports it.
    pub(crate) fn fail_move_tasks_of(&mut self, source_arn: &str) {
        let running: Vec<u64> = self
            .state
            .move_tasks
            .iter()
            .filter(|(_, t)| t.source_arn == source_arn && t.status == Status::Running)
            .map(|(&id, _)| id)
            .collect();
        for id in running {
            self.finish_task(id, Status::Failed, Some("AWS.SimpleQueueService.NonExistentQueue".to_string()));
        }
    }
}
