//! Stream lifecycle and metadata: create, delete, describe, list, list
//! shards, retention, tags and enhanced fan-out consumers.

use alloc::borrow::ToOwned;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::keys;
use super::*;
use crate::event::Event;

/// AWS's default shard quota: 500 in its three largest regions, 200 elsewhere.
pub(super) fn shard_quota(region: &str) -> u32 {
    match region {
        "us-east-1" | "us-west-2" | "eu-west-1" => 500,
        _ => 200,
    }
}

pub(crate) fn valid_stream_name(name: &str) -> bool {
    (1..=128).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
}

fn check_limit(value: Option<i64>, member: &str, max: i64) -> Result<Option<usize>, KinesisError> {
    match value {
        None => Ok(None),
        Some(v) if v < 1 => {
            Err(KinesisError::constraint(v, member, "Member must have value greater than or equal to 1"))
        }
        Some(v) if v > max => {
            Err(KinesisError::constraint(v, member, &format!("Member must have value less than or equal to {max}")))
        }
        Some(v) => Ok(Some(v as usize)),
    }
}

fn check_tags(tags: &[(String, String)]) -> Result<(), KinesisError> {
    for (key, value) in tags {
        if key.is_empty() || key.chars().count() > 128 {
            return Err(KinesisError::constraint(key, "tags", "Map keys must satisfy constraint: [Member must have length less than or equal to 128, Member must have length greater than or equal to 1]"));
        }
        if value.chars().count() > 256 {
            return Err(KinesisError::constraint(
                value,
                "tags",
                "Map value must satisfy constraint: [Member must have length less than or equal to 256]",
            ));
        }
    }
    Ok(())
}

impl Kinesis<'_> {
    pub fn create_stream(&mut self, req: CreateStreamRequest) -> Result<(), KinesisError> {
        if !valid_stream_name(&req.stream_name) {
            return Err(KinesisError::constraint(
                &req.stream_name,
                "streamName",
                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            ));
        }
        let mode = req.mode.unwrap_or(StreamMode::Provisioned);
        let shard_count = match (mode, req.shard_count) {
            (_, Some(n)) if n < 1 => {
                return Err(KinesisError::constraint(
                    n,
                    "shardCount",
                    "Member must have value greater than or equal to 1",
                ))
            }
            (_, Some(n)) => u32::try_from(n).unwrap_or(u32::MAX),
            (StreamMode::OnDemand, None) => ON_DEMAND_INITIAL_SHARDS,
            (StreamMode::Provisioned, None) => {
                return Err(KinesisError::invalid("ShardCount is required for PROVISIONED streams."))
            }
        };
        let max_record_size_kib = match req.max_record_size_kib {
            None => 1024,
            Some(v) if (1024..=10_240).contains(&v) => v as u32,
            Some(v) if v < 1024 => {
                return Err(KinesisError::constraint(
                    v,
                    "maxRecordSizeInKiB",
                    "Member must have value greater than or equal to 1024",
                ))
            }
            Some(v) => {
                return Err(KinesisError::constraint(
                    v,
                    "maxRecordSizeInKiB",
                    "Member must have value less than or equal to 10240",
                ))
            }
        };
        check_tags(&req.tags)?;
        if req.tags.len() > 50 {
            return Err(KinesisError::invalid("Failed to create stream: number of tags exceeds 50."));
        }
        let account = self.account().to_owned();
        if self.state.streams.contains_key(&req.stream_name) {
            return Err(KinesisError::new(
                KinesisErrorCode::ResourceInUseException,
                format!("Stream {} under account {account} already exists.", req.stream_name),
            ));
        }
        self.check_shard_quota(shard_count)?;

        let now = self.core.now;
        let name: StreamName = req.stream_name.as_str().into();
        let arn = self.stream_arn(&name);
        let shards = keys::even_ranges(shard_count)
            .into_iter()
            .zip(0..)
            .map(|((starting, ending), number)| Shard::new(number, HashKeyRange { starting, ending }, now))
            .collect();
        self.state.next_incarnation += 1;
        let incarnation = self.state.next_incarnation;
        let deadline = self.core.schedule_in(
            STREAM_CREATE_DELAY,
            Deadline::KinesisStreamStatus { stream: StreamName::clone(&name), incarnation },
        );
        let stream = Stream {
            name: name.clone(),
            arn,
            status: StreamStatus::Creating,
            mode,
            created_at: now,
            retention_hours: DEFAULT_RETENTION_HOURS,
            max_record_size_kib,
            shards,
            tags: req.tags.into_iter().collect(),
            consumers: Vec::new(),
            incarnation,
            pending: None,
            scalings: VecDeque::new(),
            status_deadline: Some(deadline),
        };
        self.state.streams.insert(req.stream_name, stream);
        self.core.emit(Event::StreamCreated { stream: name, shards: shard_count });
        Ok(())
    }

    /// LimitExceededException when `additional` more open shards would pass the account's quota.
    pub(super) fn check_shard_quota(&self, additional: u32) -> Result<(), KinesisError> {
        let current = self.state.open_shards();
        let quota = shard_quota(&self.core.config.region);
        if current.saturating_add(additional) > quota {
            return Err(KinesisError::new(
                KinesisErrorCode::LimitExceededException,
                format!(
                    "This request would exceed the shard limit for the account {} in {}. Current shard count for the account: {current}. Limit: {quota}. Number of additional shards that would have resulted from this request: {additional}. Refer to the AWS Service Limits page (http://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.",
                    self.core.config.account_id, self.core.config.region
                ),
            ));
        }
        Ok(())
    }

    pub fn delete_stream(&mut self, req: DeleteStreamRequest) -> Result<(), KinesisError> {
        let account = self.account().to_owned();
        let stream = self.any_stream(&req.stream)?;
        match stream.status {
            StreamStatus::Deleting => return Err(KinesisError::stream_not_found(&stream.name, &account)),
            StreamStatus::Creating => {
                return Err(KinesisError::not_active(&stream.name, &account, stream.status.as_str()))
            }
            StreamStatus::Active | StreamStatus::Updating => {}
        }
        if !stream.consumers.is_empty() && !req.enforce_consumer_deletion {
            return Err(KinesisError::new(
                KinesisErrorCode::ResourceInUseException,
                format!(
                    "Stream {} under account {account} has registered consumers. Deregister them first, or call DeleteStream with EnforceConsumerDeletion set to true.",
                    stream.name
                ),
            ));
        }
        stream.status = StreamStatus::Deleting;
        stream.pending = None;
        let (name, incarnation) = (stream.name.clone(), stream.incarnation);
        let old = stream.status_deadline.take();
        let retention: Vec<_> = stream.shards.iter_mut().filter_map(|s| s.retention_deadline.take()).collect();
        for key in old.into_iter().chain(retention) {
            self.core.deadlines.cancel(key);
        }
        let key = self
            .core
            .schedule_in(STREAM_DELETE_DELAY, Deadline::KinesisStreamStatus { stream: name.clone(), incarnation });
        if let Some(stream) = self.state.streams.get_mut(&*name) {
            stream.status_deadline = Some(key);
        }
        Ok(())
    }

    pub fn describe_stream(&mut self, req: DescribeStreamRequest) -> Result<StreamDescription, KinesisError> {
        let limit = check_limit(req.limit, "limit", 10_000)?.unwrap_or(100);
        let after = match &req.exclusive_start_shard_id {
            None => None,
            Some(id) => Some(keys::parse_shard_id(id).ok_or_else(|| {
                KinesisError::invalid(format!("ExclusiveStartShardId {id} is not a valid shard id."))
            })?),
        };
        let stream = self.any_stream(&req.stream)?;
        let mut shards: Vec<ShardDescription> = stream
            .shards
            .iter()
            .filter(|s| after.is_none_or(|a| s.number > a))
            .take(limit + 1)
            .map(Shard::describe)
            .collect();
        let has_more_shards = shards.len() > limit;
        shards.truncate(limit);
        Ok(StreamDescription {
            stream_name: String::from(&*stream.name),
            stream_arn: stream.arn.clone(),
            status: stream.status,
            mode: stream.mode,
            shards,
            has_more_shards,
            retention_period_hours: stream.retention_hours,
            created_at: stream.created_at,
            max_record_size_kib: stream.max_record_size_kib,
        })
    }

    pub fn describe_stream_summary(&mut self, stream: StreamRef) -> Result<StreamSummary, KinesisError> {
        let stream = self.any_stream(&stream)?;
        Ok(summary(stream))
    }

    pub fn list_streams(&mut self, req: ListStreamsRequest) -> Result<ListStreamsResponse, KinesisError> {
        let limit = check_limit(req.limit, "limit", 10_000)?.unwrap_or(100);
        let after = match crate::page::resume_after(req.next_token.as_deref()) {
            Ok(Some(after)) => Some(after),
            Ok(None) => req.exclusive_start_stream_name.clone(),
            Err(()) => {
                return Err(KinesisError::invalid(format!(
                    "NextToken {} is not valid.",
                    req.next_token.unwrap_or_default()
                )))
            }
        };
        let (page, next_token) =
            crate::page::take(self.state.streams.keys().map(String::as_str), after.as_deref(), limit, true);
        let summaries: Vec<StreamSummary> =
            page.iter().filter_map(|n| self.state.streams.get(*n)).map(summary).collect();
        Ok(ListStreamsResponse {
            stream_names: page.iter().map(|n| String::from(*n)).collect(),
            summaries,
            has_more_streams: next_token.is_some(),
            next_token,
        })
    }

    pub fn list_shards(&mut self, req: ListShardsRequest) -> Result<ListShardsResponse, KinesisError> {
        let size = check_limit(req.max_results, "maxResults", 10_000)?.unwrap_or(1_000);
        let (stream_name, after) = match req.next_token.as_deref() {
            Some(token) => {
                if req.stream.name.is_some() || req.stream.arn.is_some() {
                    return Err(KinesisError::invalid("NextToken and StreamName cannot be provided together."));
                }
                decode_shards_token(token)
                    .ok_or_else(|| KinesisError::invalid(format!("NextToken {token} is not valid.")))?
            }
            None => {
                let name = String::from(self.resolve_name(&req.stream)?);
                let after = match &req.exclusive_start_shard_id {
                    Some(id) => Some(keys::parse_shard_id(id).ok_or_else(|| {
                        KinesisError::invalid(format!("ExclusiveStartShardId {id} is not a valid shard id."))
                    })?),
                    None => None,
                };
                (name, after)
            }
        };
        let now = self.core.now;
        let stream = self.any_stream(&StreamRef::named(stream_name.as_str()))?;
        let horizon = (now - stream.retention()).max(stream.created_at);
        let filter = req.filter.unwrap_or_default();
        let after = match filter.kind.as_str() {
            "AFTER_SHARD_ID" => {
                let id = filter.shard_id.as_deref().ok_or_else(|| {
                    KinesisError::invalid("ShardId must be specified for AFTER_SHARD_ID ShardFilter type.")
                })?;
                Some(keys::parse_shard_id(id).ok_or_else(|| {
                    KinesisError::invalid(format!("ShardId {id} in ShardFilter is not a valid shard id."))
                })?)
                .max(after)
            }
            _ => after,
        };
        let at = filter.timestamp;
        let wants_timestamp = matches!(filter.kind.as_str(), "AT_TIMESTAMP" | "FROM_TIMESTAMP");
        if wants_timestamp && at.is_none() {
            return Err(KinesisError::invalid(format!(
                "Timestamp must be specified for {} ShardFilter type.",
                filter.kind
            )));
        }
        let open_at = |s: &Shard, t: SimTime| s.created_at <= t && s.closed_at.is_none_or(|c| c > t);
        let keep = |s: &Shard| match filter.kind.as_str() {
            "AT_TRIM_HORIZON" => open_at(s, horizon),
            "AT_LATEST" => s.is_open(),
            "AT_TIMESTAMP" => open_at(s, at.unwrap_or(now).max(stream.created_at)),
            "FROM_TIMESTAMP" => s.closed_at.is_none_or(|c| c > at.unwrap_or(now)),
            // FROM_TRIM_HORIZON, AFTER_SHARD_ID and no filter: every shard still in retention.
            _ => s.closed_at.is_none_or(|c| c > horizon),
        };
        let mut shards: Vec<&Shard> =
            stream.shards.iter().filter(|s| after.is_none_or(|a| s.number > a) && keep(s)).take(size + 1).collect();
        let more = shards.len() > size;
        shards.truncate(size);
        let next_token = more.then(|| shards.last().map(|s| encode_shards_token(&stream.name, s.number))).flatten();
        Ok(ListShardsResponse { shards: shards.into_iter().map(Shard::describe).collect(), next_token })
    }

    pub fn increase_stream_retention_period(&mut self, req: RetentionPeriodRequest) -> Result<(), KinesisError> {
        let hours = check_retention(req.retention_period_hours)?;
        let stream = self.active_stream(&req.stream)?;
        if hours < stream.retention_hours {
            return Err(KinesisError::invalid(format!(
                "Requested retention period ({hours} hours) for stream {} can not be shorter than existing retention period ({} hours). Use DecreaseRetentionPeriod API.",
                stream.name, stream.retention_hours
            )));
        }
        stream.retention_hours = hours;
        let name = String::from(&*stream.name);
        records::reschedule_all_trims(self.core, self.state, &name);
        Ok(())
    }

    pub fn decrease_stream_retention_period(&mut self, req: RetentionPeriodRequest) -> Result<(), KinesisError> {
        let hours = check_retention(req.retention_period_hours)?;
        let stream = self.active_stream(&req.stream)?;
        if hours > stream.retention_hours {
            return Err(KinesisError::invalid(format!(
                "Requested retention period ({hours} hours) for stream {} can not be longer than existing retention period ({} hours). Use IncreaseRetentionPeriod API.",
                stream.name, stream.retention_hours
            )));
        }
        stream.retention_hours = hours;
        let name = String::from(&*stream.name);
        records::reschedule_all_trims(self.core, self.state, &name);
        Ok(())
    }

    pub fn add_tags_to_stream(&mut self, req: AddTagsToStreamRequest) -> Result<(), KinesisError> {
        check_tags(&req.tags)?;
        let stream = self.any_stream(&req.stream)?;
        let added = req.tags.iter().filter(|(k, _)| !stream.tags.contains_key(k)).count();
        if stream.tags.len() + added > 50 {
            return Err(KinesisError::invalid("Failed to add tags to stream: number of tags exceeds 50."));
        }
        stream.tags.extend(req.tags);
        Ok(())
    }

    pub fn remove_tags_from_stream(&mut self, req: RemoveTagsFromStreamRequest) -> Result<(), KinesisError> {
        let stream = self.any_stream(&req.stream)?;
        for key in &req.tag_keys {
            stream.tags.remove(key);
        }
        Ok(())
    }

    pub fn list_tags_for_stream(
        &mut self,
        req: ListTagsForStreamRequest,
    ) -> Result<ListTagsForStreamResponse, KinesisError> {
        let limit = check_limit(req.limit, "limit", 50)?.unwrap_or(50);
        let stream = self.any_stream(&req.stream)?;
        let mut tags: Vec<(String, String)> = stream
            .tags
            .iter()
            .filter(|(k, _)| req.exclusive_start_tag_key.as_ref().is_none_or(|a| *k > a))
            .take(limit + 1)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let has_more_tags = tags.len() > limit;
        tags.truncate(limit);
        Ok(ListTagsForStreamResponse { tags, has_more_tags })
    }

    pub fn register_stream_consumer(
        &mut self,
        stream_arn: &str,
        consumer_name: &str,
    ) -> Result<ConsumerDescription, KinesisError> {
        if consumer_name.is_empty()
            || consumer_name.len() > 128
            || !consumer_name.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
        {
            return Err(KinesisError::constraint(
                consumer_name,
                "consumerName",
                "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+",
            ));
        }
        let now = self.core.now;
        let account = self.account().to_owned();
        let stream = self.any_stream(&StreamRef { name: None, arn: Some(stream_arn.into()) })?;
        if stream.consumers.iter().any(|c| c.name == consumer_name) {
            return Err(KinesisError::new(
                KinesisErrorCode::ResourceInUseException,
                format!("Consumer {consumer_name} under stream {} already exists for account {account}.", stream.name),
            ));
        }
        if stream.consumers.len() >= 20 {
            return Err(KinesisError::new(
                KinesisErrorCode::LimitExceededException,
                format!("Consumer limit of 20 reached for stream {} under account {account}.", stream.name),
            ));
        }
        let consumer = Consumer {
            name: consumer_name.into(),
            arn: format!("{}/consumer/{consumer_name}:{}", stream.arn, now.as_secs()),
            status: ConsumerStatus::Creating,
            created_at: now,
        };
        let description = describe_consumer(stream, &consumer);
        stream.consumers.push(consumer);
        let (name, incarnation) = (stream.name.clone(), stream.incarnation);
        self.core.schedule_in(
            CONSUMER_CREATE_DELAY,
            Deadline::KinesisConsumerStatus(alloc::boxed::Box::new(ConsumerDue {
                stream: name,
                incarnation,
                consumer: consumer_name.into(),
            })),
        );
        Ok(description)
    }

    pub fn describe_stream_consumer(&mut self, req: ConsumerRef) -> Result<ConsumerDescription, KinesisError> {
        let (stream, index) = self.find_consumer(&req)?;
        Ok(describe_consumer(stream, &stream.consumers[index]))
    }

    pub fn deregister_stream_consumer(&mut self, req: ConsumerRef) -> Result<(), KinesisError> {
        let (stream, index) = self.find_consumer(&req)?;
        let name = String::from(&*stream.name);
        let arn = stream.consumers[index].arn.clone();
        if let Some(stream) = self.state.streams.get_mut(&name) {
            stream.consumers.remove(index);
        }
        let gone: Vec<u64> =
            self.state.subscriptions.values().filter(|s| s.consumer_arn == arn).map(|s| s.id.0).collect();
        for id in gone {
            super::fanout::finish(
                self.core,
                self.state,
                super::fanout::SubscriptionId(id),
                super::fanout::SubscriptionEnd::Gone,
            );
        }
        Ok(())
    }

    pub fn list_stream_consumers(
        &mut self,
        req: ListStreamConsumersRequest,
    ) -> Result<ListStreamConsumersResponse, KinesisError> {
        let size = check_limit(req.max_results, "maxResults", 10_000)?.unwrap_or(100);
        let after = crate::page::resume_after(req.next_token.as_deref())
            .map_err(|()| KinesisError::invalid("NextToken is not valid."))?;
        let stream = self.any_stream(&StreamRef { name: None, arn: Some(req.stream_arn) })?;
        let (page, next_token) =
            crate::page::take(stream.consumers.iter().map(|c| c.name.as_str()), after.as_deref(), size, true);
        let consumers = page
            .iter()
            .filter_map(|n| stream.consumers.iter().find(|c| c.name == *n))
            .map(|c| describe_consumer(stream, c))
            .collect();
        Ok(ListStreamConsumersResponse { consumers, next_token })
    }

    fn find_consumer(&mut self, req: &ConsumerRef) -> Result<(&Stream, usize), KinesisError> {
        let account = self.account().to_owned();
        let (stream_arn, name) = match (&req.consumer_arn, &req.stream_arn, &req.consumer_name) {
            (Some(arn), _, _) => {
                let (stream, rest) = arn
                    .split_once("/consumer/")
                    .ok_or_else(|| KinesisError::invalid(format!("ConsumerARN {arn} is not a valid consumer ARN.")))?;
                let name = rest.split_once(':').map_or(rest, |(n, _)| n);
                (String::from(stream), String::from(name))
            }
            (None, Some(stream), Some(name)) => (stream.clone(), name.clone()),
            _ => {
                return Err(KinesisError::invalid(
                    "Either ConsumerARN or both StreamARN and ConsumerName must be provided.",
                ))
            }
        };
        let stream = self.any_stream(&StreamRef { name: None, arn: Some(stream_arn) })?;
        let index = stream.consumers.iter().position(|c| c.name == name).ok_or_else(|| {
            KinesisError::new(
                KinesisErrorCode::ResourceNotFoundException,
                format!("Consumer {name} under stream {} not found for account {account}.", stream.name),
            )
        })?;
        Ok((stream, index))
    }
}

fn check_retention(hours: i64) -> Result<u32, KinesisError> {
    if hours < i64::from(DEFAULT_RETENTION_HOURS) {
        return Err(KinesisError::invalid(format!(
            "Minimum allowed retention period is 24 hours. Requested retention period ({hours} hours) is too short."
        )));
    }
    if hours > i64::from(MAX_RETENTION_HOURS) {
        return Err(KinesisError::invalid(format!(
            "Maximum allowed retention period is 8760 hours. Requested retention period ({hours} hours) is too long."
        )));
    }
    Ok(hours as u32)
}

fn summary(stream: &Stream) -> StreamSummary {
    StreamSummary {
        stream_name: String::from(&*stream.name),
        stream_arn: stream.arn.clone(),
        status: stream.status,
        mode: stream.mode,
        retention_period_hours: stream.retention_hours,
        created_at: stream.created_at,
        open_shard_count: stream.open_shard_count(),
        consumer_count: stream.consumers.len() as u32,
        max_record_size_kib: stream.max_record_size_kib,
    }
}

fn describe_consumer(stream: &Stream, consumer: &Consumer) -> ConsumerDescription {
    ConsumerDescription {
        consumer_name: consumer.name.clone(),
        consumer_arn: consumer.arn.clone(),
        status: consumer.status,
        created_at: consumer.created_at,
        stream_arn: stream.arn.clone(),
    }
}

fn encode_shards_token(stream: &str, after: u32) -> String {
    STANDARD.encode(format!("{stream}\n{after}"))
}

fn decode_shards_token(token: &str) -> Option<(String, Option<u32>)> {
    let text = String::from_utf8(STANDARD.decode(token).ok()?).ok()?;
    let (stream, after) = text.split_once('\n')?;
    Some((String::from(stream), Some(after.parse().ok()?)))
}

/// CREATING → ACTIVE, UPDATING → ACTIVE (applying the reshard), DELETING → gone.
pub(super) fn finish_transition(core: &mut Core, state: &mut KinesisState, name: &str, incarnation: u64) {
    let Some(stream) = state.streams.get_mut(name).filter(|s| s.incarnation == incarnation) else {
        return;
    };
    stream.status_deadline = None;
    match stream.status {
        StreamStatus::Creating => {
            stream.status = StreamStatus::Active;
            core.emit(Event::StreamActive { stream: stream.name.clone() });
        }
        StreamStatus::Updating => {
            if let Some(reshard) = stream.pending.take() {
                reshard::apply(core, stream, reshard);
            }
            stream.status = StreamStatus::Active;
            core.emit(Event::StreamActive { stream: stream.name.clone() });
            // Subscribers of shards just closed get their last event, with the children.
            let closed: Vec<u64> = stream
                .shards
                .iter()
                .filter(|s| s.closed_at == Some(core.now))
                .flat_map(|s| s.subscribers.iter().copied())
                .collect();
            super::fanout::wake(core, &mut state.subscriptions, &closed);
        }
        StreamStatus::Deleting => {
            let gone: Vec<u64> = state.subscriptions.values().filter(|s| &*s.stream == name).map(|s| s.id.0).collect();
            for id in gone {
                super::fanout::finish(
                    core,
                    state,
                    super::fanout::SubscriptionId(id),
                    super::fanout::SubscriptionEnd::Gone,
                );
            }
            if let Some(stream) = state.streams.remove(name) {
                for key in stream.shards.iter().filter_map(|s| s.retention_deadline) {
                    core.deadlines.cancel(key);
                }
                core.emit(Event::StreamDeleted { stream: stream.name });
            }
        }
        StreamStatus::Active => {}
    }
}

pub(super) fn finish_consumer(core: &mut Core, state: &mut KinesisState, name: &str, incarnation: u64, consumer: &str) {
    let Some(stream) = state.streams.get_mut(name).filter(|s| s.incarnation == incarnation) else {
        return;
    };
    if let Some(c) = stream.consumers.iter_mut().find(|c| c.name == consumer && c.status == ConsumerStatus::Creating) {
        c.status = ConsumerStatus::Active;
        core.emit(Event::ConsumerActive { stream: stream.name.clone(), consumer: c.name.clone() });
    }
}
