//! PutRecord and PutRecordBatch, the per-stream throughput quota, buffering,
//! and delivery into S3 under the destination's (custom) prefixes.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::*;
use crate::event::Event;
use crate::rng::Rng;
use crate::s3::{PutObject, S3};

impl Firehose<'_> {
    pub fn put_record(&mut self, req: PutRecordRequest) -> Result<PutRecordResponse, FirehoseError> {
        check_data(&req.data, "record.data")?;
        let Firehose { core, state, sinks, .. } = self;
        let stream = writable(state, &core.config.account_id, &req.delivery_stream_name)?;
        let now = core.now;
        let window = stream.writes.at(now);
        if window.calls >= MAX_CALLS_PER_SECOND
            || window.records >= MAX_RECORDS_PER_SECOND
            || window.bytes + req.data.len() as u64 > MAX_BYTES_PER_SECOND
        {
            stream.metrics.throttled_records += 1;
            return Err(FirehoseError::slow_down());
        }
        window.calls += 1;
        window.records += 1;
        window.bytes += req.data.len() as u64;
        let record_id = accept(core, stream, sinks, req.data, now);
        after_call(core, stream, sinks, 1);
        Ok(PutRecordResponse { record_id, encrypted: false })
    }

    pub fn put_record_batch(&mut self, req: PutRecordBatchRequest) -> Result<PutRecordBatchResponse, FirehoseError> {
        if req.records.is_empty() {
            return Err(FirehoseError::constraint(
                "[]",
                "records",
                "Member must have length greater than or equal to 1",
            ));
        }
        if req.records.len() > MAX_BATCH_RECORDS {
            return Err(FirehoseError::constraint(
                format!("[{} records]", req.records.len()),
                "records",
                "Member must have length less than or equal to 500",
            ));
        }
        for (i, data) in req.records.iter().enumerate() {
            check_data(data, &format!("records.{}.member.data", i + 1))?;
        }
        let total: usize = req.records.iter().map(Vec::len).sum();
        if total > MAX_BATCH_BYTES {
            return Err(FirehoseError::invalid(format!(
                "Records size exceeds the 4 MiB limit of a PutRecordBatch request: {total} bytes."
            )));
        }
        let Firehose { core, state, sinks, .. } = self;
        let stream = writable(state, &core.config.account_id, &req.delivery_stream_name)?;
        let now = core.now;
        if stream.writes.at(now).calls >= MAX_CALLS_PER_SECOND {
            stream.metrics.throttled_records += req.records.len() as u64;
            return Err(FirehoseError::slow_down());
        }
        stream.writes.at(now).calls += 1;
        let mut failed_put_count = 0;
        let mut accepted = 0;
        let mut request_responses = Vec::with_capacity(req.records.len());
        for data in req.records {
            let window = stream.writes.at(now);
            if window.records >= MAX_RECORDS_PER_SECOND || window.bytes + data.len() as u64 > MAX_BYTES_PER_SECOND {
                stream.metrics.throttled_records += 1;
                failed_put_count += 1;
                request_responses.push(PutRecordBatchEntry::Failed {
                    error_code: "ServiceUnavailableException".into(),
                    error_message: "Slow down.".into(),
                });
                continue;
            }
            window.records += 1;
            window.bytes += data.len() as u64;
            let record_id = accept(core, stream, sinks, data, now);
            accepted += 1;
            request_responses.push(PutRecordBatchEntry::Ok { record_id });
        }
        after_call(core, stream, sinks, accepted);
        Ok(PutRecordBatchResponse { failed_put_count, encrypted: false, request_responses })
    }

    /// The buffering interval ran out: deliver what is buffered.
    pub(super) fn interval_elapsed(&mut self, name: &str, incarnation: u64) {
        let Some(stream) = self.state.streams.get_mut(name).filter(|s| s.incarnation == incarnation) else {
            return;
        };
        stream.flush_deadline = None;
        flush(self.core, stream, &mut self.sinks);
    }
}

/// A DirectPut stream that is ACTIVE.
fn writable<'s>(
    state: &'s mut FirehoseState,
    account: &str,
    name: &str,
) -> Result<&'s mut DeliveryStream, FirehoseError> {
    if name.is_empty() {
        return Err(FirehoseError::constraint(
            name,
            "deliveryStreamName",
            "Member must have length greater than or equal to 1",
        ));
    }
    match state.streams.get_mut(name) {
        Some(s) if s.status == DeliveryStreamStatus::Active => {
            if s.stream_type == DeliveryStreamType::KinesisStreamAsSource {
                return Err(FirehoseError::invalid(
                    "This operation is not permitted on KinesisStreamAsSource delivery stream type.",
                ));
            }
            Ok(s)
        }
        _ => Err(FirehoseError::not_found(name, account)),
    }
}

fn check_data(data: &[u8], member: &str) -> Result<(), FirehoseError> {
    if data.len() > MAX_RECORD_BYTES {
        return Err(FirehoseError::new(
            FirehoseErrorCode::ValidationException,
            format!(
                "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {MAX_RECORD_BYTES}"
            ),
        ));
    }
    Ok(())
}

/// A record id: opaque to clients, unique per record. AWS's are long
/// base64-like strings; these are 64 characters from the engine's generator.
fn record_id(rng: &mut Rng) -> String {
    let mut bytes = [0u8; 48];
    rng.fill(&mut bytes);
    STANDARD.encode(bytes).replace(['+', '/'], "0")
}

/// Adds one record to the buffer (starting the interval if it is the
/// first), and delivers at once if the buffer reached `SizeInMBs`.
/// Returns the record id.
pub(super) fn accept(
    core: &mut Core,
    stream: &mut DeliveryStream,
    sinks: &mut Sinks<'_>,
    data: Vec<u8>,
    arrival: SimTime,
) -> String {
    let record_id = record_id(&mut core.rng);
    let size = data.len() as u64;
    stream.metrics.incoming_records += 1;
    stream.metrics.incoming_bytes += size;
    let number = stream.next_number;
    stream.next_number += 1;
    stream.buffer.push(BufferedRecord { number, record_id: record_id.clone(), data, arrival });
    stream.buffered_bytes += size;
    let (size_limit, interval) = stream.buffering();
    if stream.flush_deadline.is_none() && interval > 0 {
        let interval = SimDuration::from_secs(u64::from(interval));
        stream.flush_deadline = Some(core.schedule_in(
            interval,
            Deadline::FirehoseBufferInterval { stream: stream.name.clone(), incarnation: stream.incarnation },
        ));
    }
    if stream.buffered_bytes >= size_limit {
        flush(core, stream, sinks);
    }
    record_id
}

/// After a call added `records`: say so, and with zero buffering deliver now.
pub(super) fn after_call(core: &mut Core, stream: &mut DeliveryStream, sinks: &mut Sinks<'_>, records: u32) {
    if records == 0 {
        return;
    }
    core.emit(Event::FirehoseRecordsBuffered {
        stream: stream.name.clone(),
        records,
        buffered_bytes: stream.buffered_bytes,
    });
    if stream.buffering().1 == 0 && !stream.buffer.is_empty() {
        flush(core, stream, sinks);
    }
}

/// The object key AWS gives a delivery: `<evaluated prefix><name>-<version>-YYYY-MM-dd-HH-mm-ss-<uuid>`,
/// the times being the oldest record's arrival (UTC).
fn object_key(core: &mut Core, stream: &DeliveryStream, prefix: &str, oldest: SimTime) -> String {
    let f = oldest.utc_fields();
    let uuid = core.rng.uuid();
    format!(
        "{prefix}{}-{}-{:04}-{:02}-{:02}-{:02}-{:02}-{:02}-{uuid}",
        stream.name, stream.version, f.year, f.month, f.day, f.hour, f.minute, f.second
    )
}

/// A failed record as AWS writes it under `processing-failed`: one JSON
/// document per line.
fn failed_record_json(record: &BufferedRecord, lambda_arn: &str, now: SimTime) -> String {
    let doc = serde_json::json!({
        "attemptsMade": 1,
        "arrivalTimestamp": record.arrival.as_millis(),
        "errorCode": "Lambda.ProcessingFailed",
        "errorMessage": "The record was returned with the result ProcessingFailed.",
        "attemptEndingTimestamp": now.as_millis(),
        "rawData": STANDARD.encode(&record.data),
        "lambdaArn": lambda_arn,
    });
    doc.to_string()
}

/// Delivers the whole buffer: transform (if configured), one object for the
/// records that came out `Ok`, one under the error prefix for those that failed.
pub(super) fn flush(core: &mut Core, stream: &mut DeliveryStream, sinks: &mut Sinks<'_>) {
    if let Some(key) = stream.flush_deadline.take() {
        core.deadlines.cancel(key);
    }
    if stream.buffer.is_empty() {
        return;
    }
    let records = core::mem::take(&mut stream.buffer);
    stream.buffered_bytes = 0;
    let mut delivered: Vec<(u64, SimTime, Vec<u8>)> = Vec::with_capacity(records.len());
    let mut failed: Vec<&BufferedRecord> = Vec::new();
    match stream.destination.lambda_arn.clone() {
        None => delivered.extend(records.iter().map(|r| (r.number, r.arrival, r.data.clone()))),
        Some(_) => {
            let mut dropped = 0u32;
            for record in &records {
                match stream.destination.transform.apply(&record.data) {
                    TransformResult::Ok(data) => delivered.push((record.number, record.arrival, data)),
                    TransformResult::Dropped => dropped += 1,
                    TransformResult::ProcessingFailed => failed.push(record),
                }
            }
            stream.metrics.dropped_records += u64::from(dropped);
            stream.metrics.failed_records += failed.len() as u64;
            core.emit(Event::FirehoseRecordsTransformed {
                stream: stream.name.clone(),
                ok: delivered.len() as u32,
                dropped,
                processing_failed: failed.len() as u32,
            });
        }
    }
    if stream.other_destination.is_some() {
        load_other(core, stream, sinks, delivered);
    } else if let Some(oldest) = delivered.iter().map(|d| d.1).min() {
        let prefix = stream.destination.key_layout.prefix(oldest, &mut core.rng);
        let key = object_key(core, stream, &prefix, oldest);
        let first = delivered[0].0;
        let count = delivered.len() as u32;
        let body: Vec<u8> = delivered.into_iter().flat_map(|d| d.2).collect();
        write(core, stream, sinks, key, body, count, first, ObjectRole::Delivery);
    }
    if let Some(oldest) = failed.iter().map(|r| r.arrival).min() {
        let lambda_arn = stream.destination.lambda_arn.clone().unwrap_or_default();
        let prefix = stream.destination.key_layout.error_prefix(oldest, &mut core.rng, prefix::PROCESSING_FAILED);
        let key = object_key(core, stream, &prefix, oldest);
        let now = core.now;
        let body = failed.iter().map(|r| failed_record_json(r, &lambda_arn, now) + "\n").collect::<String>();
        let (count, first) = (failed.len() as u32, failed[0].number);
        write(core, stream, sinks, key, body.into_bytes(), count, first, ObjectRole::ErrorOutput);
    }
}

/// Delivery to OpenSearch, Redshift or Splunk: the S3 object first where
/// there is one (Redshift's intermediate object, or a backup of everything),
/// then one batch per target — for Redshift only if its COPY has an object
/// to load.
fn load_other(
    core: &mut Core,
    stream: &mut DeliveryStream,
    sinks: &mut Sinks<'_>,
    delivered: Vec<(u64, SimTime, Vec<u8>)>,
) {
    let Some(settings) = stream.other_destination.as_ref().map(|o| o.settings.clone()) else { return };
    let Some(oldest) = delivered.iter().map(|d| d.1).min() else { return };
    let mut copied_from = None;
    if settings.writes_s3() {
        let prefix = stream.destination.key_layout.prefix(oldest, &mut core.rng);
        let key = object_key(core, stream, &prefix, oldest);
        let body: Vec<u8> = delivered.iter().flat_map(|d| d.2.iter().copied()).collect();
        let count = delivered.len() as u32;
        write(core, stream, sinks, key.clone(), body, count, delivered[0].0, ObjectRole::Backup);
        let written = stream.deliveries.back().is_some_and(|d| d.error.is_none());
        if matches!(settings.kind, DestinationKind::Redshift { .. }) {
            if !written {
                return;
            }
            copied_from = Some(format!("s3://{}/{key}", stream.destination.bucket));
        }
    }
    for (target, members) in destinations::batches(&settings, &delivered) {
        let bytes: u64 = members.iter().map(|&i| delivered[i].2.len() as u64).sum();
        let records = members.len() as u32;
        let batch = LoadedBatch {
            at: core.now,
            target: target.clone(),
            records,
            bytes,
            first_record: delivered[members[0]].0,
            copied_from: copied_from.clone(),
            preview: destinations::preview(&delivered, &members),
        };
        stream.metrics.delivered_records += u64::from(records);
        stream.metrics.delivered_bytes += bytes;
        if let Some(other) = stream.other_destination.as_mut() {
            other.record(batch);
        }
        core.emit(Event::FirehoseDestinationLoaded {
            stream: stream.name.clone(),
            destination: settings.kind.name(),
            target,
            records,
        });
    }
}

/// What an object written to S3 is to the delivery stream.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ObjectRole {
    /// The S3 destination's delivery: counted as delivered.
    Delivery,
    /// Records that failed processing, under the error output prefix.
    ErrorOutput,
    /// Another destination's intermediate or backup object: its records
    /// count as delivered when that destination takes them.
    Backup,
}

/// Puts one object through S3's own path (notifications fire), and records it.
#[allow(clippy::too_many_arguments)]
fn write(
    core: &mut Core,
    stream: &mut DeliveryStream,
    sinks: &mut Sinks<'_>,
    key: String,
    body: Vec<u8>,
    records: u32,
    first_record: u64,
    role: ObjectRole,
) {
    let error_output = role == ObjectRole::ErrorOutput;
    let bucket = stream.destination.bucket.clone();
    let bytes = body.len() as u64;
    let put = PutObject { bucket: bucket.clone(), key: key.clone(), body, content_type: None };
    let result = S3::new(core, sinks.s3, sinks.notified.reborrow()).put_object(put);
    let error = result.err().map(|e| e.to_string());
    match &error {
        None => {
            if role == ObjectRole::Delivery {
                stream.metrics.delivered_records += u64::from(records);
                stream.metrics.delivered_bytes += bytes;
            }
            core.emit(Event::FirehoseBufferFlushed {
                stream: stream.name.clone(),
                bucket: bucket.clone(),
                key: key.clone(),
                records,
                bytes,
            });
        }
        Some(reason) => {
            stream.metrics.failed_deliveries += 1;
            core.emit(Event::FirehoseDeliveryFailed {
                stream: stream.name.clone(),
                bucket: bucket.clone(),
                records,
                reason: reason.clone(),
            });
        }
    }
    if stream.deliveries.len() == DELIVERY_HISTORY {
        stream.deliveries.pop_front();
    }
    stream.deliveries.push_back(Delivery {
        at: core.now,
        bucket,
        key,
        records,
        bytes,
        first_record,
        error_output,
        error,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_time_paths_are_utc() {
        assert_eq!(prefix::default_time_path(SimTime(1_767_225_600_000 + 3_723_000)), "2026/01/01/01/");
    }
}
