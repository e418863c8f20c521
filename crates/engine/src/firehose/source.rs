//! A Kinesis data stream as a delivery stream's source.
//!
//! Firehose is a consumer of the stream like any other: it "starts reading
//! data from the LATEST position of your Kinesis stream" and "calls the
//! Kinesis Data Streams GetRecords operation once per second for each shard"
//! (Firehose developer guide, writing-with-kinesis-streams). So the positions
//! are taken at CreateDeliveryStream, and each shard is read once per virtual
//! second through the engine's own GetShardIterator and GetRecords: the
//! shard's read quota counts these calls, and a throttled read simply waits
//! for the next second. When a shard is closed by resharding and read to its
//! end, its children are read from TRIM_HORIZON, parents before children.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::records::{accept, after_call};
use super::*;
use crate::kinesis::{GetRecordsRequest, GetShardIteratorRequest, Kinesis, KinesisErrorCode, StreamRef, StreamStatus};

impl Firehose<'_> {
    /// Resolves the source stream and takes a LATEST iterator on each open shard.
    pub(super) fn open_source(
        &mut self,
        config: KinesisStreamSourceConfiguration,
    ) -> Result<KinesisSource, FirehoseError> {
        let prefix = format!("arn:aws:kinesis:{}:{}:stream/", self.core.config.region, self.core.config.account_id);
        let missing = || {
            FirehoseError::invalid(format!(
                "Kinesis stream {} does not exist or is not ACTIVE.",
                config.kinesis_stream_arn
            ))
        };
        if config.role_arn.is_empty() {
            return Err(FirehoseError::constraint(
                "",
                "kinesisStreamSourceConfiguration.roleARN",
                "Member must have length greater than or equal to 1",
            ));
        }
        let name = config.kinesis_stream_arn.strip_prefix(prefix.as_str()).ok_or_else(missing)?.to_string();
        let stream = self
            .kinesis
            .stream(&name)
            .filter(|s| matches!(s.status, StreamStatus::Active | StreamStatus::Updating))
            .ok_or_else(missing)?;
        let shard_ids: Vec<String> = stream.open_shards().map(|s| s.id()).collect();
        let mut readers = Vec::with_capacity(shard_ids.len());
        for shard_id in shard_ids {
            let iterator = iterator(self.core, self.kinesis, &name, &shard_id, "LATEST", None);
            readers.push(ShardReader { shard_id, iterator, last_sequence_number: None });
        }
        Ok(KinesisSource {
            kinesis_stream_arn: config.kinesis_stream_arn,
            stream_name: name,
            role_arn: config.role_arn,
            delivery_start: self.core.now,
            readers,
        })
    }

    /// One GetRecords per shard being read, then again in a second.
    pub(super) fn poll_source(&mut self, name: &str, incarnation: u64) {
        let Firehose { core, state, kinesis, sinks } = self;
        let Some(stream) = state.streams.get_mut(name).filter(|s| s.incarnation == incarnation) else {
            return;
        };
        stream.poll_deadline = None;
        let Some(mut source) = stream.source.take() else { return };
        let mut accepted = 0u32;
        let mut i = 0;
        while i < source.readers.len() {
            let reader = &mut source.readers[i];
            i += 1;
            let Some(shard_iterator) = reader.iterator.clone() else { continue };
            let request = GetRecordsRequest { shard_iterator, limit: None, stream_arn: None };
            match Kinesis::new(core, kinesis).get_records(request) {
                Ok(response) => {
                    for record in response.records {
                        reader.last_sequence_number = Some(record.sequence_number.as_str().into());
                        accept(core, stream, sinks, record.data, record.approximate_arrival);
                        accepted += 1;
                    }
                    reader.iterator = response.next_shard_iterator;
                    // A closed shard read to its end: its children come next.
                    for child in response.child_shards.unwrap_or_default() {
                        if source.readers.iter().all(|r| r.shard_id != child.shard_id) {
                            let iterator =
                                iterator(core, kinesis, &source.stream_name, &child.shard_id, "TRIM_HORIZON", None);
                            source.readers.push(ShardReader {
                                shard_id: child.shard_id,
                                iterator,
                                last_sequence_number: None,
                            });
                        }
                    }
                }
                Err(e) if e.code == KinesisErrorCode::ExpiredIteratorException => {
                    let (kind, after) = match &reader.last_sequence_number {
                        Some(seq) => ("AFTER_SEQUENCE_NUMBER", Some(seq.clone())),
                        None => ("TRIM_HORIZON", None),
                    };
                    reader.iterator = iterator(core, kinesis, &source.stream_name, &reader.shard_id, kind, after);
                }
                // Throttled: the next second's read tries again.
                Err(e) if e.code == KinesisErrorCode::ProvisionedThroughputExceededException => {}
                // The stream (or shard) is gone: nothing more to read there.
                Err(_) => reader.iterator = None,
            }
        }
        let reading = source.readers.iter().any(|r| r.iterator.is_some());
        stream.source = Some(source);
        after_call(core, stream, sinks, accepted);
        if reading && stream.status == DeliveryStreamStatus::Active {
            stream.poll_deadline = Some(core.schedule_in(
                SOURCE_POLL_INTERVAL,
                Deadline::FirehoseSourcePoll { stream: stream.name.clone(), incarnation },
            ));
        }
    }
}

/// A shard iterator from the engine's own GetShardIterator (`None` if refused).
fn iterator(
    core: &mut Core,
    kinesis: &mut KinesisState,
    stream: &str,
    shard_id: &str,
    kind: &str,
    starting_sequence_number: Option<String>,
) -> Option<String> {
    let request = GetShardIteratorRequest {
        stream: StreamRef::named(stream),
        shard_id: shard_id.into(),
        shard_iterator_type: kind.into(),
        starting_sequence_number,
        timestamp: None,
    };
    Kinesis::new(core, kinesis).get_shard_iterator(request).ok()
}
