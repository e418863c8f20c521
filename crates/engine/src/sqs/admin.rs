//! Queue administration: create, look up, list, attributes, delete, purge,
//! tags and permissions.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::{json, Value};

use super::attributes::{QueueConfig, READ_ONLY, SETTABLE};
use super::error::{SqsError, SqsErrorCode};
use super::model::*;
use super::queue::Queue;
use super::{QueueId, Sqs};
use crate::engine::Deadline;
use crate::event::Event;
use crate::time::SimDuration;

const NAME_RULE: &str = "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length";
const FIFO_NAME_RULE: &str = "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.";
const COOL_DOWN: SimDuration = SimDuration::from_secs(60);
const MAX_TAGS: usize = 50;

/// The actions AddPermission may grant.
const GRANTABLE_ACTIONS: &[&str] = &[
    "*",
    "SendMessage",
    "ReceiveMessage",
    "DeleteMessage",
    "ChangeMessageVisibility",
    "GetQueueAttributes",
    "GetQueueUrl",
    "ListDeadLetterSourceQueues",
    "PurgeQueue",
    "ListQueueTags",
];

fn check_queue_name(name: &str, fifo: bool) -> Result<(), SqsError> {
    let stem = if fifo { name.strip_suffix(".fifo") } else { Some(name) };
    let ok = stem.is_some_and(|s| {
        !s.is_empty() && name.len() <= 80 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    match (ok, fifo) {
        (true, _) => Ok(()),
        (false, true) => Err(SqsError::invalid_parameter(FIFO_NAME_RULE)),
        (false, false) => Err(SqsError::invalid_parameter(NAME_RULE)),
    }
}

fn check_tags(tags: &alloc::collections::BTreeMap<String, String>) -> Result<(), SqsError> {
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 128 {
            return Err(SqsError::invalid_parameter(format!("Tag key {key:?} must be 1 to 128 characters long.")));
        }
        if key.to_ascii_lowercase().starts_with("aws:") {
            return Err(SqsError::invalid_parameter("Tag keys must not start with the reserved prefix aws:."));
        }
        if value.chars().count() > 256 {
            return Err(SqsError::invalid_parameter(format!(
                "Tag value for key {key:?} must be at most 256 characters long."
            )));
        }
    }
    Ok(())
}

/// Pagination: the token is the last name returned, base64-encoded.
fn page<'n>(
    names: impl Iterator<Item = &'n str>,
    max_results: Option<i64>,
    next_token: Option<&str>,
) -> Result<(Vec<&'n str>, Option<String>), SqsError> {
    let max = match max_results {
        None => None,
        Some(n) if (1..=1000).contains(&n) => Some(n as usize),
        Some(n) => {
            return Err(SqsError::invalid_value(n, "MaxResults", "MaxResults must be an integer between 1 and 1000."))
        }
    };
    if next_token.is_some() && max.is_none() {
        return Err(SqsError::invalid_parameter(
            "MaxResults is a mandatory parameter when you provide a value for NextToken.",
        ));
    }
    let after =
        crate::page::resume_after(next_token).map_err(|()| SqsError::invalid_parameter("Invalid NextToken value."))?;
    Ok(crate::page::take(names, after.as_deref(), max.unwrap_or(1000), max.is_some()))
}

impl Sqs<'_> {
    pub fn create_queue(&mut self, req: CreateQueue) -> Result<CreateQueueResult, SqsError> {
        let name = req.queue_name;
        if name.is_empty() {
            return Err(SqsError::missing("QueueName"));
        }
        let fifo = match req.attributes.get("FifoQueue") {
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            Some(_) => {
                return Err(SqsError::new(
                    SqsErrorCode::InvalidAttributeValue,
                    "Invalid value for the parameter FifoQueue.",
                ))
            }
            None => false,
        };
        check_queue_name(&name, fifo)?;
        let mut attributes = req.attributes;
        if !fifo {
            // A standard queue may say FifoQueue=false at creation; it is not an attribute it keeps.
            attributes.remove("FifoQueue");
        }
        let config = QueueConfig::default().apply(&attributes, fifo)?;
        if let Some(&existing) = self.state.by_name.get(&name) {
            let queue = self.queue_ref(existing);
            for attr in attributes.keys() {
                if queue.fifo != fifo || config.render(attr, fifo) != queue.config.render(attr, queue.fifo) {
                    return Err(SqsError::new(
                        SqsErrorCode::QueueNameExists,
                        format!("A queue already exists with the same name and a different value for attribute {attr}"),
                    ));
                }
            }
            return Ok(CreateQueueResult { queue_url: queue.url.clone() });
        }
        if self.state.recently_deleted.contains_key(&name) {
            return Err(SqsError::new(
                SqsErrorCode::QueueDeletedRecently,
                "You must wait 60 seconds after deleting a queue before you can create another with the same name.",
            ));
        }
        check_tags(&req.tags)?;
        if req.tags.len() > MAX_TAGS {
            return Err(SqsError::invalid_parameter(format!("Too many tags added for queue {name}.")));
        }
        let arn = self.queue_arn(&name);
        self.check_redrive_target(&config, fifo, &arn)?;
        let id = QueueId(self.state.next_queue_id);
        self.state.next_queue_id += 1;
        let url = self.queue_url(&name);
        let queue_name: Rc<str> = Rc::from(name.as_str());
        let mut queue = Queue::new(id, queue_name.clone(), url.clone(), arn, fifo, config, self.core.now);
        queue.tags = req.tags;
        self.state.queues.insert(id, queue);
        self.state.by_name.insert(name, id);
        self.core.emit(Event::QueueCreated { queue: queue_name, fifo });
        Ok(CreateQueueResult { queue_url: url })
    }

    /// A RedrivePolicy must name an existing queue of the same type that allows this source.
    fn check_redrive_target(&self, config: &QueueConfig, fifo: bool, source_arn: &str) -> Result<(), SqsError> {
        let Some(policy) = &config.redrive_policy else { return Ok(()) };
        let rendered = policy.render();
        let target = self
            .resolve_arn(&policy.dead_letter_target_arn)
            .map(|id| self.queue_ref(id))
            .ok_or_else(|| SqsError::invalid_value(&rendered, "RedrivePolicy", "Dead letter target does not exist."))?;
        if target.fifo != fifo {
            return Err(SqsError::invalid_value(
                &rendered,
                "RedrivePolicy",
                "Dead-letter queue must be same type of queue as the source.",
            ));
        }
        if let Some(allow) = &target.config.redrive_allow_policy {
            if !allow.allows(source_arn) {
                return Err(SqsError::invalid_value(
                    &rendered,
                    "RedrivePolicy",
                    &format!("Queue {} does not allow this queue to use it as a dead-letter queue.", target.arn),
                ));
            }
        }
        Ok(())
    }

    pub fn get_queue_url(&mut self, req: GetQueueUrl) -> Result<GetQueueUrlResult, SqsError> {
        if req.queue_name.is_empty() {
            return Err(SqsError::missing("QueueName"));
        }
        if req.queue_owner_aws_account_id.as_deref().is_some_and(|a| a != self.core.config.account_id) {
            return Err(SqsError::queue_does_not_exist());
        }
        let id = self.state.by_name.get(&req.queue_name).copied().ok_or_else(SqsError::queue_does_not_exist)?;
        Ok(GetQueueUrlResult { queue_url: self.queue_ref(id).url.clone() })
    }

    pub fn list_queues(&mut self, req: ListQueues) -> Result<ListQueuesResult, SqsError> {
        let prefix = req.queue_name_prefix.unwrap_or_default();
        let names = self.state.by_name.keys().map(String::as_str).filter(|n| n.starts_with(prefix.as_str()));
        let (names, next_token) = page(names, req.max_results, req.next_token.as_deref())?;
        Ok(ListQueuesResult { queue_urls: names.into_iter().map(|n| self.queue_url(n)).collect(), next_token })
    }

    pub fn list_dead_letter_source_queues(
        &mut self,
        req: ListDeadLetterSourceQueues,
    ) -> Result<ListQueuesResult, SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        let arn = self.queue_ref(id).arn.clone();
        let sources = self
            .state
            .queues
            .values()
            .filter(|q| q.config.redrive_policy.as_ref().is_some_and(|p| p.dead_letter_target_arn == arn));
        let mut names: Vec<&str> = sources.map(|q| &*q.name).collect();
        names.sort_unstable();
        let (names, next_token) = page(names.into_iter(), req.max_results, req.next_token.as_deref())?;
        Ok(ListQueuesResult { queue_urls: names.into_iter().map(|n| self.queue_url(n)).collect(), next_token })
    }

    pub fn get_queue_attributes(&mut self, req: GetQueueAttributes) -> Result<GetQueueAttributesResult, SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        let queue = self.queue_ref(id);
        let all = req.attribute_names.iter().any(|n| n == "All");
        for name in &req.attribute_names {
            if name != "All" && !SETTABLE.contains(&name.as_str()) && !READ_ONLY.contains(&name.as_str()) {
                return Err(SqsError::new(SqsErrorCode::InvalidAttributeName, format!("Unknown Attribute {name}.")));
            }
        }
        let wanted = |n: &str| all || req.attribute_names.iter().any(|w| w == n);
        let mut attributes = Attributes::new();
        for &name in READ_ONLY.iter().chain(SETTABLE) {
            if !wanted(name) {
                continue;
            }
            let value = match name {
                "ApproximateNumberOfMessages" => Some(queue.visible_count().to_string()),
                "ApproximateNumberOfMessagesNotVisible" => Some(queue.in_flight_count().to_string()),
                "ApproximateNumberOfMessagesDelayed" => Some(queue.delayed_count().to_string()),
                "CreatedTimestamp" => Some(queue.created_at.as_secs().to_string()),
                "LastModifiedTimestamp" => Some(queue.last_modified_at.as_secs().to_string()),
                "QueueArn" => Some(queue.arn.clone()),
                other => queue.config.render(other, queue.fifo),
            };
            if let Some(value) = value {
                attributes.insert(name.to_owned(), value);
            }
        }
        Ok(GetQueueAttributesResult { attributes })
    }

    pub fn set_queue_attributes(&mut self, req: SetQueueAttributes) -> Result<(), SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        let queue = self.queue_ref(id);
        let (fifo, arn) = (queue.fifo, queue.arn.clone());
        let config = queue.config.apply(&req.attributes, fifo)?;
        self.check_redrive_target(&config, fifo, &arn)?;
        let retention_changed = config.message_retention_period != queue.config.message_retention_period;
        let now = self.core.now;
        let queue = self.state.queues.get_mut(&id).expect("resolved above");
        queue.config = config;
        queue.last_modified_at = now;
        if retention_changed {
            self.reschedule_retention(id);
        }
        let name = self.queue_ref(id).name.clone();
        self.core.emit(Event::QueueAttributesChanged { queue: name });
        Ok(())
    }

    /// A new retention period applies to the messages already in the queue.
    fn reschedule_retention(&mut self, id: QueueId) {
        let queue = self.state.queues.get_mut(&id).expect("caller resolved the queue");
        let period = SimDuration::from_secs(u64::from(queue.config.message_retention_period));
        let now = self.core.now;
        for mut message in queue.messages.values_mut() {
            if let Some(key) = message.retention_key.take() {
                self.core.deadlines.cancel(key);
            }
            let at = (message.enqueued_at + period).max(now);
            message.retention_key = Some(
                self.core.deadlines.schedule(at, Deadline::SqsRetentionExpires { queue: id, seq: message.number }),
            );
        }
    }

    pub fn delete_queue(&mut self, req: DeleteQueue) -> Result<(), SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        let mut queue = self.state.queues.remove(&id).expect("resolved above");
        self.state.by_name.remove(&*queue.name);
        queue.clear(self.core);
        if let Some(key) = queue.purge_cooldown.take() {
            self.core.deadlines.cancel(key);
        }
        for entry in core::mem::take(&mut queue.dedup).into_values() {
            self.core.deadlines.cancel(entry.lapses);
        }
        for ticket in core::mem::take(&mut queue.waiters) {
            self.finish_poll(queue.name.clone(), ticket, Err(SqsError::queue_does_not_exist()));
        }
        self.fail_move_tasks_of(&queue.arn);
        let released = self.core.now + COOL_DOWN;
        self.state.recently_deleted.insert(String::from(&*queue.name), released);
        self.core.deadlines.schedule(released, Deadline::SqsQueueNameReleased { name: queue.name.clone() });
        self.core.emit(Event::QueueDeleted { queue: queue.name });
        Ok(())
    }

    pub fn purge_queue(&mut self, req: PurgeQueue) -> Result<(), SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        let queue = self.state.queues.get_mut(&id).expect("resolved above");
        if queue.purge_cooldown.is_some() {
            return Err(SqsError::new(
                SqsErrorCode::PurgeQueueInProgress,
                format!("Only one PurgeQueue operation on {} is allowed every 60 seconds.", queue.name),
            ));
        }
        let purged = queue.clear(self.core);
        queue.purge_cooldown = Some(self.core.schedule_in(COOL_DOWN, Deadline::SqsPurgeCooldownEnds { queue: id }));
        let name = queue.name.clone();
        self.core.emit(Event::QueuePurged { queue: name, messages: purged });
        Ok(())
    }

    pub fn tag_queue(&mut self, req: TagQueue) -> Result<(), SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        if req.tags.is_empty() {
            return Err(SqsError::missing("Tags"));
        }
        check_tags(&req.tags)?;
        let queue = self.queue_mut(id);
        let new_keys = req.tags.keys().filter(|k| !queue.tags.contains_key(*k)).count();
        if queue.tags.len() + new_keys > MAX_TAGS {
            return Err(SqsError::invalid_parameter(format!("Too many tags added for queue {}.", queue.name)));
        }
        queue.tags.extend(req.tags);
        Ok(())
    }

    pub fn untag_queue(&mut self, req: UntagQueue) -> Result<(), SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        if req.tag_keys.is_empty() {
            return Err(SqsError::missing("TagKeys"));
        }
        let queue = self.queue_mut(id);
        for key in &req.tag_keys {
            queue.tags.remove(key);
        }
        Ok(())
    }

    pub fn list_queue_tags(&mut self, req: ListQueueTags) -> Result<ListQueueTagsResult, SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        Ok(ListQueueTagsResult { tags: self.queue_ref(id).tags.clone() })
    }

    /// Adds a statement (Sid = label) to the queue's access policy.
    pub fn add_permission(&mut self, req: AddPermission) -> Result<(), SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        if req.label.is_empty() {
            return Err(SqsError::missing("Label"));
        }
        if req.label.len() > 80 || !req.label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(SqsError::invalid_value(
                &req.label,
                "Label",
                "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
            ));
        }
        if req.aws_account_ids.is_empty() {
            return Err(SqsError::missing("AWSAccountIds"));
        }
        if req.actions.is_empty() {
            return Err(SqsError::missing("Actions"));
        }
        if let Some(bad) = req.actions.iter().find(|a| !GRANTABLE_ACTIONS.contains(&a.as_str())) {
            return Err(SqsError::invalid_value(
                format!("SQS:{bad}"),
                "ActionName",
                "Please refer to the appropriate WSDL for a list of valid actions.",
            ));
        }
        let queue = self.queue_ref(id);
        let mut policy = policy_document(queue);
        let statements = statements_mut(&mut policy);
        if statements.iter().any(|s| s.get("Sid").and_then(Value::as_str) == Some(req.label.as_str())) {
            return Err(SqsError::invalid_value(&req.label, "Label", "Already exists."));
        }
        let principals: Vec<Value> =
            req.aws_account_ids.iter().map(|a| Value::String(format!("arn:aws:iam::{a}:root"))).collect();
        let actions: Vec<Value> = req.actions.iter().map(|a| Value::String(format!("SQS:{a}"))).collect();
        statements.push(json!({
            "Sid": req.label,
            "Effect": "Allow",
            "Principal": { "AWS": principals },
            "Action": actions,
            "Resource": queue.arn,
        }));
        let text = policy.to_string();
        let now = self.core.now;
        let queue = self.queue_mut(id);
        queue.config.policy = Some(text);
        queue.last_modified_at = now;
        Ok(())
    }

    pub fn remove_permission(&mut self, req: RemovePermission) -> Result<(), SqsError> {
        let id = self.resolve_url(&req.queue_url)?;
        if req.label.is_empty() {
            return Err(SqsError::missing("Label"));
        }
        let queue = self.queue_ref(id);
        let mut policy = policy_document(queue);
        let statements = statements_mut(&mut policy);
        let before = statements.len();
        statements.retain(|s| s.get("Sid").and_then(Value::as_str) != Some(req.label.as_str()));
        if statements.len() == before {
            return Err(SqsError::invalid_value(&req.label, "Label", "can't find label on existing policy."));
        }
        let empty = statements.is_empty();
        let queue = self.queue_mut(id);
        queue.config.policy = if empty { None } else { Some(policy.to_string()) };
        Ok(())
    }
}

/// The queue's policy as a document to edit, or a fresh one in AWS's default shape.
fn policy_document(queue: &Queue) -> Value {
    queue
        .config
        .policy
        .as_deref()
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .filter(Value::is_object)
        .unwrap_or_else(
            || json!({ "Version": "2012-10-17", "Id": format!("{}/SQSDefaultPolicy", queue.arn), "Statement": [] }),
        )
}

fn statements_mut(policy: &mut Value) -> &mut Vec<Value> {
    let map = policy.as_object_mut().expect("policy_document returns an object");
    let entry = map.entry("Statement").or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Object(single) = entry {
        *entry = Value::Array(alloc::vec![Value::Object(core::mem::take(single))]);
    }
    if !entry.is_array() {
        *entry = Value::Array(Vec::new());
    }
    entry.as_array_mut().expect("made an array above")
}
