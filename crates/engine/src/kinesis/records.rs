//! Writing and reading records: PutRecord(s), GetShardIterator, GetRecords,
//! the per-shard throughput quotas, and retention trimming.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::fanout;
use super::keys::{self, IteratorFields, SequenceNumber};
use super::*;
use crate::event::Event;

/// Why a write to a shard was refused.
struct Throttled {
    shard: u32,
}

/// What became of one entry of a PutRecords request.
pub(crate) enum EntryOutcome {
    /// Stored in `shard` as its record `index`.
    Written { shard: u32, index: u64 },
    /// Refused: `shard` was over its write quota.
    Throttled { shard: u32 },
}

/// PutRecords accepts at most this much in one request, partition keys included.
const PUT_RECORDS_MAX_BYTES: usize = 10 * 1024 * 1024;
const PUT_RECORDS_MAX_ENTRIES: usize = 500;

impl Kinesis<'_> {
    pub fn put_record(&mut self, req: PutRecordRequest) -> Result<PutRecordResponse, KinesisError> {
        let now = self.core.now;
        let (core, stream) = self.usable_stream(&req.stream)?;
        let hash_key = checked_hash_key(stream, None, &req.partition_key, &req.data, req.explicit_hash_key.as_deref())?;
        if let Some(order) = &req.sequence_number_for_ordering {
            if SequenceNumber::parse(order).is_none() && order != "0" {
                return Err(KinesisError::invalid(format!(
                    "ExclusiveMinimumSequenceNumber {order} used in PutRecord on stream {} under account {} is invalid.",
                    stream.name, core.config.account_id
                )));
            }
        }
        let (shard, index) = match write(core, stream, &req.partition_key, &req.data, hash_key, now) {
            Ok(written) => written,
            Err(Throttled { shard }) => {
                return Err(KinesisError::new(
                    KinesisErrorCode::ProvisionedThroughputExceededException,
                    rate_exceeded(shard, &stream.name, &core.config.account_id),
                ))
            }
        };
        let shard = &stream.shards[shard as usize];
        let answer = |shard: &Shard| PutRecordResponse {
            shard_id: shard.short_id(),
            sequence_number: shard.written_sequence_text(index, now),
        };
        if shard.subscribers.is_empty() {
            // Built where it is returned: held across another call, the
            // answer was copied, and the copy waited on the stores that had
            // just written it.
            return Ok(answer(shard));
        }
        let (subscribers, response) = (shard.subscribers.clone(), answer(shard));
        fanout::wake(self.core, &mut self.state.subscriptions, &subscribers);
        Ok(response)
    }

    pub fn put_records(&mut self, req: PutRecordsRequest) -> Result<PutRecordsResponse, KinesisError> {
        let account = self.core.config.account_id.clone();
        let now = self.core.now;
        let mut failed_record_count = 0;
        let mut records = Vec::with_capacity(req.records.len());
        self.put_entries(req, |stream, outcome| {
            records.push(match outcome {
                EntryOutcome::Written { shard, index } => {
                    let shard = &stream.shards[shard as usize];
                    PutRecordsResult::Ok {
                        shard_id: shard.short_id(),
                        sequence_number: shard.written_sequence_text(index, now),
                    }
                }
                EntryOutcome::Throttled { shard } => {
                    failed_record_count += 1;
                    PutRecordsResult::Failed {
                        error_code: String::from("ProvisionedThroughputExceededException"),
                        error_message: rate_exceeded(shard, &stream.name, &account),
                    }
                }
            })
        })?;
        Ok(PutRecordsResponse { failed_record_count, records })
    }

    /// PutRecords without building its answer: the request is validated
    /// and each entry written exactly as PutRecords does, and `outcome`
    /// hears what became of each, in request order. The simulated producer
    /// writes this way: it only counts its throttled records, and a long
    /// run would otherwise format a shard id and a sequence number (or an
    /// error message) for every record, then drop them.
    pub(crate) fn put_entries(
        &mut self,
        req: PutRecordsRequest,
        mut outcome: impl FnMut(&Stream, EntryOutcome),
    ) -> Result<(), KinesisError> {
        if req.records.is_empty() {
            return Err(KinesisError::constraint(
                "[]",
                "records",
                "Member must have length greater than or equal to 1",
            ));
        }
        if req.records.len() > PUT_RECORDS_MAX_ENTRIES {
            return Err(KinesisError::constraint(
                format!("[{} records]", req.records.len()),
                "records",
                "Member must have length less than or equal to 500",
            ));
        }
        let total: usize = req.records.iter().map(|r| r.data.len() + r.partition_key.len()).sum();
        if total > PUT_RECORDS_MAX_BYTES {
            return Err(KinesisError::invalid("Records size exceeds 10 MB limit"));
        }
        let now = self.core.now;
        let (core, stream) = self.usable_stream(&req.stream)?;
        let mut hash_keys = Vec::with_capacity(req.records.len());
        for (i, entry) in req.records.iter().enumerate() {
            hash_keys.push(checked_hash_key(
                stream,
                Some(i + 1),
                &entry.partition_key,
                &entry.data,
                entry.explicit_hash_key.as_deref(),
            )?);
        }
        let mut subscribers = Vec::new();
        for (entry, hash_key) in req.records.iter().zip(hash_keys) {
            match write(core, stream, &entry.partition_key, &entry.data, hash_key, now) {
                Ok((shard, index)) => {
                    subscribers.extend_from_slice(&stream.shards[shard as usize].subscribers);
                    outcome(stream, EntryOutcome::Written { shard, index });
                }
                Err(Throttled { shard }) => outcome(stream, EntryOutcome::Throttled { shard }),
            }
        }
        fanout::wake(self.core, &mut self.state.subscriptions, &subscribers);
        Ok(())
    }

    pub fn get_shard_iterator(&mut self, req: GetShardIteratorRequest) -> Result<String, KinesisError> {
        const TYPES: [&str; 5] =
            ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"];
        if !TYPES.contains(&req.shard_iterator_type.as_str()) {
            return Err(KinesisError::constraint(
                &req.shard_iterator_type,
                "shardIteratorType",
                "Member must satisfy enum value set: [AFTER_SEQUENCE_NUMBER, AT_SEQUENCE_NUMBER, AT_TIMESTAMP, TRIM_HORIZON, LATEST]",
            ));
        }
        let account = self.core.config.account_id.clone();
        let now = self.core.now;
        let stream_name = self.resolve_name(&req.stream)?;
        let number = keys::parse_shard_id(&req.shard_id)
            .ok_or_else(|| KinesisError::shard_not_found(&req.shard_id, stream_name, &account))?;
        let shard_id = keys::shard_id(number);
        let not_there = || {
            KinesisError::new(
                KinesisErrorCode::ResourceNotFoundException,
                format!("Shard {shard_id} in stream {stream_name} under account {account} does not exist"),
            )
        };
        let (_, stream) = self.usable_stream(&req.stream).map_err(|_| not_there())?;
        let shard = stream.shards.get(number as usize).ok_or_else(not_there)?;
        let kind = req.shard_iterator_type.as_str();
        let by_sequence = matches!(kind, "AT_SEQUENCE_NUMBER" | "AFTER_SEQUENCE_NUMBER");
        let next_index = match (&req.starting_sequence_number, by_sequence) {
            (Some(_), false) | (None, true) if kind != "AT_TIMESTAMP" => {
                let also = if req.starting_sequence_number.is_some() { "also a" } else { "no" };
                return Err(KinesisError::invalid(format!(
                    "Must either specify (1) AT_SEQUENCE_NUMBER or AFTER_SEQUENCE_NUMBER and StartingSequenceNumber or (2) TRIM_HORIZON or LATEST and no StartingSequenceNumber. Request specified {kind} and {also} StartingSequenceNumber."
                )));
            }
            (Some(text), true) => {
                let invalid = |why: &str| {
                    KinesisError::invalid(format!(
                        "StartingSequenceNumber {text} used in GetShardIterator on shard {shard_id} in stream {stream_name} under account {account} is invalid{why}."
                    ))
                };
                let seq = SequenceNumber::parse(text).ok_or_else(|| invalid(""))?;
                if seq.shard != number {
                    return Err(KinesisError::invalid(format!(
                        "Invalid StartingSequenceNumber. It encodes {}, while it was used in a call to a shard with {shard_id}",
                        keys::shard_id(seq.shard)
                    )));
                }
                if seq.shard_created_secs != SequenceNumber::new(shard.created_at, number, 0, now).shard_created_secs {
                    return Err(invalid(" because it did not come from this stream"));
                }
                let index = seq.index.min(shard.next_index);
                if kind == "AFTER_SEQUENCE_NUMBER" {
                    (index + 1).min(shard.next_index)
                } else {
                    index
                }
            }
            _ => match kind {
                "TRIM_HORIZON" => shard.trim_horizon(),
                "LATEST" => shard.next_index,
                _ => {
                    let at = req.timestamp.ok_or_else(|| {
                        KinesisError::invalid(
                            "Must specify timestampInMillis parameter for iterator of type AT_TIMESTAMP. Current request has no timestamp parameter.",
                        )
                    })?;
                    shard.records.iter().find(|r| r.arrival >= at).map_or(shard.next_index, |r| r.index)
                }
            },
        };
        Ok(IteratorFields {
            created_at: now,
            stream: &stream.name,
            incarnation: stream.incarnation,
            shard: number,
            next_index,
        }
        .encode())
    }

    pub fn get_records(&mut self, req: GetRecordsRequest) -> Result<GetRecordsResponse, KinesisError> {
        let limit = match req.limit {
            None => GET_RECORDS_MAX_RECORDS as usize,
            Some(n) if n < 1 => {
                return Err(KinesisError::constraint(n, "limit", "Member must have value greater than or equal to 1"))
            }
            Some(n) if n > i64::from(GET_RECORDS_MAX_RECORDS) => {
                return Err(KinesisError::constraint(n, "limit", "Member must have value less than or equal to 10000"))
            }
            Some(n) => n as usize,
        };
        let buffer = &mut self.state.iterator_buffer;
        let (position, resume) = self
            .state
            .iterators
            .decode(&req.shard_iterator, buffer)
            .ok_or_else(|| KinesisError::invalid("Invalid ShardIterator."))?;
        let now = self.core.now;
        if now.saturating_sub(position.created_at) > ITERATOR_LIFETIME {
            return Err(KinesisError::new(
                KinesisErrorCode::ExpiredIteratorException,
                format!(
                    "Iterator expired. The iterator was created at time {} while right now it is {} which is further in the future than the tolerated delay of 300000 milliseconds.",
                    position.created_at.to_java_date(),
                    now.to_java_date()
                ),
            ));
        }
        let account = &self.core.config.account_id;
        let not_there = || {
            KinesisError::new(
                KinesisErrorCode::ResourceNotFoundException,
                format!(
                    "Shard {} in stream {} under account {account} does not exist",
                    keys::shard_id(position.shard),
                    position.stream
                ),
            )
        };
        let stream = self
            .state
            .streams
            .get_mut(position.stream)
            .filter(|s| s.incarnation == position.incarnation && s.status != StreamStatus::Deleting)
            .ok_or_else(not_there)?;
        let stream_name = stream.name.clone();
        let shard = stream.shards.get_mut(position.shard as usize).ok_or_else(not_there)?;

        let window = *shard.reads.at(now);
        if now < shard.reads_blocked_until || window.count >= READ_CALLS_PER_SECOND {
            shard.metrics.read_throttled += 1;
            self.core.emit(Event::ReadThrottled { stream: stream_name.clone(), shard: position.shard });
            return Err(KinesisError::new(
                KinesisErrorCode::ProvisionedThroughputExceededException,
                format!(
                    "Rate exceeded for Shard - {}/{stream_name}/{}",
                    self.core.config.account_id,
                    keys::shard_id(position.shard)
                ),
            ));
        }

        let start = position.next_index.max(shard.trim_horizon());
        // Sized for what is there (up to a point: the byte limit may stop
        // the read early), so a consumer at the tip gets one exact allocation.
        let waiting = usize::try_from(shard.next_index.saturating_sub(start)).unwrap_or(usize::MAX);
        let mut records = Vec::with_capacity(waiting.min(limit).min(64));
        let mut read = keys::LastDigits::default();
        let mut bytes = 0u64;
        let mut index = start;
        while records.len() < limit {
            let Some(record) = shard.record(index) else { break };
            let size = record.size() as u64;
            if !records.is_empty() && bytes + size > GET_RECORDS_MAX_BYTES {
                break;
            }
            bytes += size;
            records.push(shard.view(record, &mut read));
            index += 1;
        }
        let window = shard.reads.at(now);
        window.count += 1;
        window.bytes += bytes;
        if window.bytes > READ_BYTES_PER_SECOND {
            // Paying off a large read takes whole seconds at 2 MiB/s.
            let seconds = window.bytes.div_ceil(READ_BYTES_PER_SECOND);
            shard.reads_blocked_until = SimTime(now.as_secs() * 1000) + SimDuration::from_secs(seconds);
        }
        shard.metrics.outgoing_records += records.len() as u64;
        let at_end = index >= shard.next_index;
        let millis_behind_latest = shard.millis_behind(index, now);
        let finished = at_end && !shard.is_open();
        let children = finished.then(|| stream.child_shards(position.shard));
        let shard_number = position.shard;
        let mut next_shard_iterator = None;
        if !finished {
            let next = IteratorFields { created_at: now, stream: &stream_name, next_index: index, ..position };
            let (text, resume) = next.reissue(req.shard_iterator, resume);
            self.state.iterators.remember(&text, &stream_name, &next, resume);
            next_shard_iterator = Some(text);
        }
        if !records.is_empty() {
            let count = records.len() as u32;
            self.core.emit_with(|| Event::RecordsRead {
                stream: stream_name,
                shard: shard_number,
                from_index: start,
                count,
            });
        }
        Ok(GetRecordsResponse { records, next_shard_iterator, millis_behind_latest, child_shards: children })
    }
}

/// Validates one record and finds its hash key. `entry` is the record's
/// 1-based position in a PutRecords request, which AWS's messages name.
fn checked_hash_key(
    stream: &Stream,
    entry: Option<usize>,
    partition_key: &str,
    data: &[u8],
    explicit_hash_key: Option<&str>,
) -> Result<u128, KinesisError> {
    // Only an error names the member, so it is written only then.
    let member = || entry.map(|i| format!("records.{i}.member.")).unwrap_or_default();
    if partition_key.is_empty() {
        return Err(KinesisError::constraint(
            partition_key,
            &format!("{}partitionKey", member()),
            "Member must have length greater than or equal to 1",
        ));
    }
    // A key of at most 256 bytes has at most 256 characters: only a longer
    // one is counted.
    if partition_key.len() > 256 && partition_key.chars().count() > 256 {
        return Err(KinesisError::constraint(
            partition_key,
            &format!("{}partitionKey", member()),
            "Member must have length less than or equal to 256",
        ));
    }
    let max = stream.max_record_bytes();
    if data.len() + partition_key.len() > max {
        return Err(KinesisError::new(
            KinesisErrorCode::ValidationException,
            format!(
                "1 validation error detected: Value at '{}data' failed to satisfy constraint: Member must have length less than or equal to {max}",
                member()
            ),
        ));
    }
    match explicit_hash_key {
        None => Ok(keys::hash_key_of(partition_key)),
        Some(text) => keys::parse_hash_key(text).ok_or_else(|| {
            KinesisError::invalid(format!(
                "Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was {text}"
            ))
        }),
    }
}

fn rate_exceeded(shard: u32, stream: &str, account: &str) -> String {
    format!("Rate exceeded for shard {} in stream {stream} under account {account}.", keys::shard_id(shard))
}

/// Appends a record to the open shard owning `hash_key`, within the shard's
/// write quota. Returns the shard and the record's index.
fn write(
    core: &mut Core,
    stream: &mut Stream,
    partition_key: &str,
    data: &[u8],
    hash_key: u128,
    now: SimTime,
) -> Result<(u32, u64), Throttled> {
    let number = stream.shard_for_hash(hash_key).map_or(0, |s| s.number);
    let retention = stream.retention();
    let (name, incarnation) = (stream.name.clone(), stream.incarnation);
    let shard = &mut stream.shards[number as usize];
    let size = (data.len() + partition_key.len()) as u64;
    let window = shard.writes.at(now);
    if window.count >= WRITE_RECORDS_PER_SECOND || window.bytes + size > WRITE_BYTES_PER_SECOND {
        shard.metrics.write_throttled += 1;
        core.emit(Event::WriteThrottled { stream: name, shard: number });
        return Err(Throttled { shard: number });
    }
    window.count += 1;
    window.bytes += size;
    let index = shard.next_index;
    shard.next_index += 1;
    shard.metrics.incoming_records += 1;
    shard.metrics.incoming_bytes += size;
    shard.store(index, now, partition_key, data);
    if shard.retention_deadline.is_none() {
        shard.retention_deadline = Some(core.deadlines.schedule(
            trim_time(now, retention),
            Deadline::KinesisRetention { stream: name.clone(), incarnation, shard: number },
        ));
    }
    core.emit_with(|| Event::RecordPut { stream: name, shard: number, index });
    Ok((number, index))
}

/// When the record that arrived at `arrival` is trimmed: once its retention
/// has passed, at the next whole second. A shard trims at most once a
/// second, however fast it is written, and every record stays readable for
/// at least the retention period, as AWS promises (AWS trims in the
/// background, not at the millisecond either).
fn trim_time(arrival: SimTime, retention: SimDuration) -> SimTime {
    let expires = arrival + retention;
    SimTime::from_millis(expires.as_millis().div_ceil(1000) * 1000)
}

/// Drops the records of one shard that have passed retention, then waits for the next oldest.
pub(super) fn trim(core: &mut Core, state: &mut KinesisState, name: StreamName, incarnation: u64, number: u32) {
    let Some(stream) = state.streams.get_mut(&*name).filter(|s| s.incarnation == incarnation) else {
        return;
    };
    let retention = stream.retention();
    let Some(shard) = stream.shards.get_mut(number as usize) else { return };
    shard.retention_deadline = None;
    let now = core.now;
    let expired = shard.trim_while(|r| r.arrival + retention <= now);
    if expired > 0 {
        core.emit(Event::RecordsExpired { stream: name.clone(), shard: number, count: expired });
    }
    // The fired deadline's name waits for the next trim: at a steady write
    // rate a trim comes every second.
    if let Some(oldest) = shard.records.front() {
        shard.retention_deadline = Some(core.deadlines.schedule(
            trim_time(oldest.arrival, retention),
            Deadline::KinesisRetention { stream: name, incarnation, shard: number },
        ));
    }
}

/// After a retention change: every shard's next trim moves.
pub(super) fn reschedule_all_trims(core: &mut Core, state: &mut KinesisState, name: &str) {
    let Some(stream) = state.streams.get_mut(name) else { return };
    let retention = stream.retention();
    let incarnation = stream.incarnation;
    for shard in &mut stream.shards {
        if let Some(key) = shard.retention_deadline.take() {
            core.deadlines.cancel(key);
        }
        if let Some(oldest) = shard.records.front() {
            let at = trim_time(oldest.arrival, retention).max(core.now);
            shard.retention_deadline = Some(core.deadlines.schedule(
                at,
                Deadline::KinesisRetention { stream: stream.name.clone(), incarnation, shard: shard.number },
            ));
        }
    }
}
