//! What happened, and when: the engine's record of every state change.
//!
//! A UI animates from these and tests snapshot them. The log is a bounded ring
//! the caller drains; when it is full the oldest entries are dropped and
//! counted, so a forgotten log can never grow without bound.

use alloc::rc::Rc;
use alloc::vec::Vec;
use core::fmt;

use crate::rng::Uuid;
use crate::time::SimTime;

/// A queue's (or topic's) name, shared cheaply between it and its events.
pub type QueueName = Rc<str>;

/// One state change. Messages are named by their AWS `MessageId` and by
/// `number`, their 1-based position in the order the queue accepted them
/// (the "msg 3" a learner sees).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    QueueCreated {
        queue: QueueName,
        fifo: bool,
    },
    QueueDeleted {
        queue: QueueName,
    },
    QueueAttributesChanged {
        queue: QueueName,
    },
    QueuePurged {
        queue: QueueName,
        messages: usize,
    },
    MessageSent {
        queue: QueueName,
        number: u64,
        message_id: Uuid,
        visible_at: SimTime,
    },
    /// A FIFO send whose deduplication id was seen within the 5-minute window: accepted, not enqueued.
    MessageDeduplicated {
        queue: QueueName,
        message_id: Uuid,
    },
    /// Standard-queue realism: SQS stored an extra copy, so the message will be delivered twice.
    MessageDuplicated {
        queue: QueueName,
        number: u64,
        copy_of: u64,
        message_id: Uuid,
    },
    DelayEnded {
        queue: QueueName,
        number: u64,
    },
    MessageReceived {
        queue: QueueName,
        number: u64,
        receive_count: u32,
        visible_at: SimTime,
    },
    VisibilityChanged {
        queue: QueueName,
        number: u64,
        visible_at: SimTime,
    },
    VisibilityExpired {
        queue: QueueName,
        number: u64,
    },
    MessageDeleted {
        queue: QueueName,
        number: u64,
    },
    MovedToDeadLetterQueue {
        queue: QueueName,
        number: u64,
        dead_letter_queue: QueueName,
        new_number: u64,
    },
    MessageExpired {
        queue: QueueName,
        number: u64,
    },
    /// A FIFO action went over its transactions-per-second quota.
    Throttled {
        queue: QueueName,
        action: &'static str,
    },
    LongPollWaiting {
        queue: QueueName,
        ticket: u64,
    },
    LongPollCompleted {
        queue: QueueName,
        ticket: u64,
        messages: usize,
    },
    MoveTaskStarted {
        source: QueueName,
        to_move: u64,
    },
    MessageRedriven {
        source: QueueName,
        number: u64,
        destination: QueueName,
        new_number: u64,
    },
    MoveTaskFinished {
        source: QueueName,
        moved: u64,
        status: &'static str,
    },
    TopicCreated {
        topic: QueueName,
        fifo: bool,
    },
    TopicDeleted {
        topic: QueueName,
    },
    Subscribed {
        topic: QueueName,
        protocol: &'static str,
        endpoint: alloc::string::String,
        pending: bool,
    },
    Unsubscribed {
        topic: QueueName,
        endpoint: alloc::string::String,
    },
    Published {
        topic: QueueName,
        message_id: Uuid,
    },
    NotificationDelivered {
        topic: QueueName,
        protocol: &'static str,
        endpoint: alloc::string::String,
    },
    /// The subscription's filter policy did not match the message.
    NotificationFilteredOut {
        topic: QueueName,
        endpoint: alloc::string::String,
    },
    NotificationFailed {
        topic: QueueName,
        endpoint: alloc::string::String,
        reason: alloc::string::String,
    },
    /// A slow http(s) endpoint did not answer within SNS's 15-second wait:
    /// the attempt counts as failed although the endpoint got the notification.
    NotificationTimedOut {
        topic: QueueName,
        endpoint: alloc::string::String,
    },
    /// An endpoint failed; the delivery policy tries again at `at`.
    NotificationRetrying {
        topic: QueueName,
        endpoint: alloc::string::String,
        retry: u32,
        at: SimTime,
    },
    StreamCreated {
        stream: QueueName,
        shards: u32,
    },
    /// A stream left CREATING or UPDATING.
    StreamActive {
        stream: QueueName,
    },
    StreamDeleted {
        stream: QueueName,
    },
    /// A record was appended to a shard; `index` is its 1-based position there.
    RecordPut {
        stream: QueueName,
        shard: u32,
        index: u64,
    },
    /// A GetRecords call returned `count` records starting at `from_index`.
    RecordsRead {
        stream: QueueName,
        shard: u32,
        from_index: u64,
        count: u32,
    },
    /// A write passed the shard's 1 MiB/s or 1,000 records/s quota.
    WriteThrottled {
        stream: QueueName,
        shard: u32,
    },
    /// A read passed the shard's 5 calls/s or 2 MiB/s quota.
    ReadThrottled {
        stream: QueueName,
        shard: u32,
    },
    RecordsExpired {
        stream: QueueName,
        shard: u32,
        count: u32,
    },
    ShardSplit {
        stream: QueueName,
        parent: u32,
        children: [u32; 2],
    },
    ShardsMerged {
        stream: QueueName,
        parents: [u32; 2],
        child: u32,
    },
    ConsumerActive {
        stream: QueueName,
        consumer: alloc::string::String,
    },
    /// An enhanced fan-out consumer subscribed to a shard (SubscribeToShard).
    ShardSubscribed {
        stream: QueueName,
        shard: u32,
        consumer: alloc::string::String,
    },
    /// Records were pushed to an enhanced fan-out subscriber.
    RecordsPushed {
        stream: QueueName,
        shard: u32,
        count: u32,
    },
    SubscriptionEnded {
        stream: QueueName,
        shard: u32,
        reason: &'static str,
    },
    /// A KCL application's lease table gained a lease: at start, or for a
    /// child shard once all its parents reached SHARD_END.
    LeaseCreated {
        app: QueueName,
        shard: u32,
    },
    /// A finished (SHARD_END) lease was cleaned up after its children started.
    LeaseDeleted {
        app: QueueName,
        shard: u32,
    },
    /// A KCL worker took a lease: an unowned or expired one, or (`stolen`)
    /// one from the most loaded worker, to balance the load.
    LeaseTaken {
        app: QueueName,
        shard: u32,
        worker: QueueName,
        previous_owner: Option<QueueName>,
        stolen: bool,
    },
    /// A lease's owner did not renew it within the failover time.
    LeaseExpired {
        app: QueueName,
        shard: u32,
        owner: QueueName,
    },
    /// A worker found its lease taken by another (its renewal or checkpoint
    /// was refused) and stopped processing the shard.
    LeaseLost {
        app: QueueName,
        shard: u32,
        worker: QueueName,
    },
    /// A KCL worker processed `count` records of a shard, from `from_index` on.
    RecordsProcessed {
        app: QueueName,
        shard: u32,
        worker: QueueName,
        from_index: u64,
        count: u32,
    },
    /// A KCL worker wrote a checkpoint (a sequence number) to the lease.
    Checkpointed {
        app: QueueName,
        shard: u32,
        worker: QueueName,
        checkpoint: alloc::string::String,
    },
    /// A KCL worker read a closed shard to its end and checkpointed SHARD_END.
    ShardEnded {
        app: QueueName,
        shard: u32,
        worker: QueueName,
        children: alloc::vec::Vec<u32>,
    },
    /// A KCL worker was started, crashed, restarted or removed.
    KclWorkerChanged {
        app: QueueName,
        worker: QueueName,
        status: &'static str,
    },
    /// A simulated producer will retry throttled records at `retry_at`.
    ProducerBackoff {
        producer: QueueName,
        records: u32,
        attempt: u32,
        retry_at: SimTime,
    },
    /// A simulated producer gave up records older than its record TTL.
    ProducerGaveUp {
        producer: QueueName,
        records: u32,
    },
    /// A Firehose delivery stream was created (CREATING); `source` is its
    /// `DeliveryStreamType`.
    DeliveryStreamCreated {
        stream: QueueName,
        source: &'static str,
    },
    DeliveryStreamActive {
        stream: QueueName,
    },
    DeliveryStreamDeleted {
        stream: QueueName,
    },
    /// A delivery stream took `records` into its buffer (one put call, or one
    /// read of its Kinesis source); `buffered_bytes` is the buffer's size after.
    FirehoseRecordsBuffered {
        stream: QueueName,
        records: u32,
        buffered_bytes: u64,
    },
    /// The simulated Lambda processor returned these results for one delivery.
    FirehoseRecordsTransformed {
        stream: QueueName,
        ok: u32,
        dropped: u32,
        processing_failed: u32,
    },
    /// A delivery stream wrote one object (its buffer, or the records that
    /// failed processing under the error prefix).
    FirehoseBufferFlushed {
        stream: QueueName,
        bucket: alloc::string::String,
        key: alloc::string::String,
        records: u32,
        bytes: u64,
    },
    /// OpenSearch indexed, Redshift loaded (COPY) or Splunk took a batch.
    FirehoseDestinationLoaded {
        stream: QueueName,
        /// `OpenSearch`, `Elasticsearch`, `Redshift` or `Splunk`.
        destination: &'static str,
        /// The index, table or HEC endpoint.
        target: alloc::string::String,
        records: u32,
    },
    /// A delivery failed (e.g. the bucket does not exist); nothing was written.
    FirehoseDeliveryFailed {
        stream: QueueName,
        bucket: alloc::string::String,
        records: u32,
        reason: alloc::string::String,
    },
    /// A simulated Kinesis Data Analytics application was created, started,
    /// stopped or deleted.
    AnalyticsApplicationChanged {
        app: QueueName,
        status: &'static str,
    },
    /// A pump inserted rows into an in-application stream: one event per
    /// closed tumbling window (with its bounds), or per read for a row-by-row pump.
    AnalyticsRowsEmitted {
        app: QueueName,
        stream: QueueName,
        rows: u32,
        window_start: Option<SimTime>,
        window_end: Option<SimTime>,
    },
    /// A record could not be mapped to `SOURCE_SQL_STREAM_001` and went to
    /// the application's error stream.
    AnalyticsRecordRejected {
        app: QueueName,
        shard: u32,
        reason: alloc::string::String,
    },
}

/// An event and the virtual time it happened at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedEvent {
    pub at: SimTime,
    pub event: Event,
}

impl fmt::Display for LoggedEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:>9}ms {:?}", self.at.as_millis(), self.event)
    }
}

/// A bounded ring of events.
#[derive(Clone, Debug)]
pub struct EventLog {
    /// Oldest first from `head` on, then from the start up to `head`.
    entries: Vec<LoggedEvent>,
    head: usize,
    capacity: usize,
    /// How many events fell off the front because nobody drained them.
    dropped: u64,
}

impl EventLog {
    pub fn new(capacity: usize) -> Self {
        EventLog { entries: Vec::new(), head: 0, capacity, dropped: 0 }
    }

    /// Logs the event `event` builds. Built only once its place is known,
    /// it is written there field by field: built before the log chose
    /// between growing and overwriting its oldest, it was kept whole on the
    /// stack and copied into place with wide loads, each waiting on the
    /// narrow stores that had just built it, and the oldest was copied out
    /// to be dropped after: a loop of pushes took 27 ns a pair of events
    /// that way, 9 ns this way.
    // Not in wasm, where every emitting call site would carry a copy (+12 KB).
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn push_with(&mut self, at: SimTime, event: impl FnOnce() -> Event) {
        if self.entries.len() < self.capacity {
            self.entries.push(LoggedEvent { at, event: event() });
            return;
        }
        self.dropped += 1;
        // Full: the newest takes the oldest's place, which is dropped where it is.
        if let Some(oldest) = self.entries.get_mut(self.head) {
            *oldest = LoggedEvent { at, event: event() };
            // A wrap, not `%`: a division on every event showed in the
            // profiles of the busiest calls.
            self.head += 1;
            if self.head == self.entries.len() {
                self.head = 0;
            }
        }
    }

    /// Takes every event recorded since the last drain, oldest first.
    pub fn drain(&mut self) -> impl Iterator<Item = LoggedEvent> + '_ {
        let head = core::mem::take(&mut self.head);
        self.entries.rotate_left(head);
        self.entries.drain(..)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &LoggedEvent> {
        let (newer, older) = self.entries.split_at(self.head);
        older.iter().chain(newer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_drops_oldest_and_counts() {
        let mut log = EventLog::new(2);
        let q: QueueName = Rc::from("q");
        for n in 1..=3 {
            log.push_with(SimTime(n), || Event::DelayEnded { queue: q.clone(), number: n });
        }
        assert_eq!(log.dropped(), 1);
        let numbers: Vec<u64> = log
            .drain()
            .map(|e| match e.event {
                Event::DelayEnded { number, .. } => number,
                _ => 0,
            })
            .collect();
        assert_eq!(numbers, [2, 3]);
        assert!(log.is_empty());
    }

    fn numbers<'a>(events: impl Iterator<Item = &'a LoggedEvent>) -> Vec<u64> {
        events.map(|e| e.at.as_millis()).collect()
    }

    proptest::proptest! {
        /// The ring keeps exactly the newest `capacity` events, oldest
        /// first, however pushes and drains interleave.
        #[test]
        fn ring_keeps_the_newest_in_order(
            capacity in 0usize..6,
            steps in proptest::collection::vec(proptest::option::of(0u8..4), 0..60),
        ) {
            let mut log = EventLog::new(capacity);
            let mut model = alloc::collections::VecDeque::new();
            let (mut next, mut dropped) = (0u64, 0u64);
            let q: QueueName = Rc::from("q");
            for step in steps {
                match step {
                    Some(pushes) => {
                        for _ in 0..pushes {
                            next += 1;
                            log.push_with(SimTime(next), || Event::DelayEnded { queue: q.clone(), number: next });
                            model.push_back(next);
                            if model.len() > capacity {
                                model.pop_front();
                                dropped += 1;
                            }
                        }
                    }
                    None => {
                        let drained: Vec<u64> = log.drain().map(|e| e.at.as_millis()).collect();
                        proptest::prop_assert_eq!(drained, model.drain(..).collect::<Vec<_>>());
                    }
                }
                proptest::prop_assert_eq!(numbers(log.iter()), model.iter().copied().collect::<Vec<_>>());
                proptest::prop_assert_eq!(log.len(), model.len());
                proptest::prop_assert_eq!(log.dropped(), dropped);
            }
        }
    }
}
