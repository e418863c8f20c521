//! CloudWatch-style metrics per queue, sampled on the virtual clock: the
//! three approximate-message gauges and the per-period sent / received /
//! deleted / empty-receive counts, plus a request counter for the cost
//! estimate. Read from `engine.sqs_state()`; the engine keeps only totals.
//! With the `sns` feature, SNS's per-topic metrics too (from `sns_state()`);
//! with `kinesis`, Kinesis Data Streams' per-stream metrics (from
//! `kinesis_state()`: the shards' counters and the KCL applications' lease tables).

use std::collections::{BTreeMap, VecDeque};

#[cfg(feature = "kinesis")]
use decouple_engine::kinesis::KinesisState;
#[cfg(feature = "sns")]
use decouple_engine::sns::SnsState;
use decouple_engine::sqs::SqsState;
use decouple_engine::{SimDuration, SimTime};

/// One sample every 10 virtual seconds (CloudWatch's standard period is a
/// minute; a lesson moves faster).
pub const PERIOD: SimDuration = SimDuration::from_secs(10);
/// Samples kept per queue: one virtual hour.
pub const KEPT: usize = 360;
/// SQS request prices in us-east-1 beyond the free tier, in dollars per million.
pub const PRICE_STANDARD: f64 = 0.40;
pub const PRICE_FIFO: f64 = 0.50;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sample {
    pub at: SimTime,
    pub visible: u64,
    pub not_visible: u64,
    pub delayed: u64,
    /// During the period that ended at `at`.
    pub sent: u64,
    pub received: u64,
    pub deleted: u64,
    pub empty_receives: u64,
}

/// The engine's cumulative counters at the last sample. (`QueueStats` itself
/// is not re-exported by the engine, so its fields are copied.)
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    sent: u64,
    received: u64,
    deleted: u64,
    empty_receives: u64,
}

#[derive(Clone, Debug, Default)]
pub struct QueueMetrics {
    pub samples: VecDeque<Sample>,
    last: Totals,
    /// API requests naming this queue.
    pub requests: u64,
}

/// One topic's sample: SNS's CloudWatch metrics per period.
#[cfg(feature = "sns")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TopicSample {
    pub at: SimTime,
    /// NumberOfMessagesPublished.
    pub published: u64,
    /// NumberOfNotificationsDelivered.
    pub delivered: u64,
    /// NumberOfNotificationsFailed.
    pub failed: u64,
    /// NumberOfNotificationsFilteredOut.
    pub filtered_out: u64,
}

#[cfg(feature = "sns")]
#[derive(Clone, Debug, Default)]
pub struct TopicMetrics {
    pub samples: VecDeque<TopicSample>,
    /// The engine's cumulative counters at the last sample.
    last: TopicSample,
}

/// One stream's sample: Kinesis's CloudWatch stream metrics per period.
#[cfg(feature = "kinesis")]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StreamSample {
    pub at: SimTime,
    /// IncomingRecords: records the stream took (all shards).
    pub incoming_records: u64,
    /// IncomingBytes.
    pub incoming_bytes: u64,
    /// WriteProvisionedThroughputExceeded: records refused for the shard quotas.
    pub write_throttled: u64,
    /// GetRecords.IteratorAgeMilliseconds (maximum) of the KCL applications
    /// reading the stream, at the sample's instant (see `KclApplication::iterator_age`).
    pub iterator_age_ms: u64,
}

#[cfg(feature = "kinesis")]
#[derive(Clone, Debug, Default)]
pub struct StreamMetrics {
    pub samples: VecDeque<StreamSample>,
    /// The shards' cumulative counters at the last sample.
    last: StreamSample,
}

#[derive(Clone, Debug)]
pub struct Metrics {
    pub queues: BTreeMap<String, QueueMetrics>,
    /// By topic ARN.
    #[cfg(feature = "sns")]
    pub topics: BTreeMap<String, TopicMetrics>,
    /// By stream name.
    #[cfg(feature = "kinesis")]
    pub streams: BTreeMap<String, StreamMetrics>,
    pub next_sample: SimTime,
}

impl Metrics {
    pub fn new(start: SimTime) -> Self {
        Metrics {
            queues: BTreeMap::new(),
            #[cfg(feature = "sns")]
            topics: BTreeMap::new(),
            #[cfg(feature = "kinesis")]
            streams: BTreeMap::new(),
            next_sample: start + PERIOD,
        }
    }

    pub fn count_request(&mut self, queue_url: &str) {
        if !queue_url.is_empty() {
            self.queues.entry(queue_url.to_string()).or_default().requests += 1;
        }
    }

    pub fn forget(&mut self, queue_url: &str) {
        self.queues.remove(queue_url);
    }

    /// Samples every topic at `at` (call before [`Metrics::sample`], which
    /// schedules the next sample). Topics that were deleted are forgotten.
    #[cfg(feature = "sns")]
    pub fn sample_topics(&mut self, state: &SnsState, at: SimTime) {
        let mut live = 0;
        for t in state.topics() {
            live += 1;
            let m = self.topics.entry(t.arn.clone()).or_default();
            let s = t.stats;
            m.samples.push_back(TopicSample {
                at,
                published: s.published.saturating_sub(m.last.published),
                delivered: s.delivered.saturating_sub(m.last.delivered),
                failed: s.failed.saturating_sub(m.last.failed),
                filtered_out: s.filtered_out.saturating_sub(m.last.filtered_out),
            });
            m.last = TopicSample {
                at,
                published: s.published,
                delivered: s.delivered,
                failed: s.failed,
                filtered_out: s.filtered_out,
            };
            if m.samples.len() > KEPT {
                m.samples.pop_front();
            }
        }
        if live != self.topics.len() {
            self.topics.retain(|arn, _| state.topics().any(|t| &t.arn == arn));
        }
    }

    /// Samples every stream at `at` (call before [`Metrics::sample`]).
    /// Streams that were deleted are forgotten.
    #[cfg(feature = "kinesis")]
    pub fn sample_streams(&mut self, state: &KinesisState, at: SimTime) {
        for stream in state.streams() {
            let m = self.streams.entry(stream.name.to_string()).or_default();
            let total =
                stream.shards.iter().fold(StreamSample { at, ..StreamSample::default() }, |t, s| StreamSample {
                    incoming_records: t.incoming_records + s.metrics.incoming_records,
                    incoming_bytes: t.incoming_bytes + s.metrics.incoming_bytes,
                    write_throttled: t.write_throttled + s.metrics.write_throttled,
                    ..t
                });
            let iterator_age_ms = state
                .kcl_applications()
                .filter(|a| a.stream == *stream.name)
                .map(|a| a.iterator_age(stream, at).as_millis())
                .max()
                .unwrap_or(0);
            m.samples.push_back(StreamSample {
                at,
                incoming_records: total.incoming_records.saturating_sub(m.last.incoming_records),
                incoming_bytes: total.incoming_bytes.saturating_sub(m.last.incoming_bytes),
                write_throttled: total.write_throttled.saturating_sub(m.last.write_throttled),
                iterator_age_ms,
            });
            m.last = total;
            if m.samples.len() > KEPT {
                m.samples.pop_front();
            }
        }
        if self.streams.len() != state.streams().count() {
            self.streams.retain(|name, _| state.stream(name).is_some());
        }
    }

    /// Samples every queue at `at` (the clock is there now) and schedules the next sample.
    pub fn sample(&mut self, state: &SqsState, at: SimTime) {
        for q in state.queues() {
            let m = self.queues.entry(q.url.clone()).or_default();
            let s = q.stats;
            m.samples.push_back(Sample {
                at,
                visible: q.visible_count() as u64,
                not_visible: q.in_flight_count() as u64,
                delayed: q.delayed_count() as u64,
                sent: s.sent.saturating_sub(m.last.sent),
                received: s.received.saturating_sub(m.last.received),
                deleted: s.deleted.saturating_sub(m.last.deleted),
                empty_receives: s.empty_receives.saturating_sub(m.last.empty_receives),
            });
            m.last =
                Totals { sent: s.sent, received: s.received, deleted: s.deleted, empty_receives: s.empty_receives };
            if m.samples.len() > KEPT {
                m.samples.pop_front();
            }
        }
        self.next_sample = at + PERIOD;
    }

    /// Before a long jump: samples that would fall out of the window anyway
    /// are skipped (a 4-day jump takes one hour of samples, not 34,560).
    pub fn skip_towards(&mut self, target: SimTime) {
        let window = SimDuration::from_millis(PERIOD.as_millis() * KEPT as u64);
        let earliest = SimTime::from_millis(target.as_millis().saturating_sub(window.as_millis()));
        if self.next_sample < earliest {
            let behind = earliest.as_millis() - self.next_sample.as_millis();
            let periods = behind / PERIOD.as_millis();
            self.next_sample = SimTime::from_millis(self.next_sample.as_millis() + periods * PERIOD.as_millis());
        }
    }
}

/// Estimated cost in dollars of `requests` requests.
pub fn cost(requests: u64, fifo: bool) -> f64 {
    requests as f64 / 1e6 * if fifo { PRICE_FIFO } else { PRICE_STANDARD }
}
