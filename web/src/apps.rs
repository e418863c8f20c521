//! Simulated applications a learner attaches to a queue: producers that send
//! at a steady rate and consumers that poll, process and delete. They are
//! *clients* (what a program using the SDK would be), not part of SQS: they
//! act at virtual times and do everything through AWS requests (see
//! `Sim::advance_to`, which runs them between the engine's deadlines).
//!
//! This module holds their plain data; `sim.rs` drives them.

use std::collections::BTreeSet;

use decouple_engine::SimTime;

/// How a consumer behaves, as a learner sets it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConsumerConfig {
    /// Pause between one receive's answer and the next receive.
    pub poll_interval_ms: u64,
    /// MaxNumberOfMessages.
    pub batch: u32,
    /// WaitTimeSeconds (0 = short polling).
    pub wait_seconds: u32,
    /// How long processing one message takes; longer than the visibility
    /// timeout and the message comes back while still being processed.
    pub processing_ms: u64,
    /// Chance (percent) that processing fails and the message is not deleted.
    pub failure_percent: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppKind {
    Producer { per_minute: u32 },
    Consumer(ConsumerConfig),
}

/// A message a consumer is processing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    pub done_at: SimTime,
    pub message_id: String,
    pub receipt_handle: String,
    /// Decided when the message arrives, from the seeded generator.
    pub fails: bool,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AppStats {
    pub sent: u64,
    pub received: u64,
    pub empty_receives: u64,
    pub deleted: u64,
    pub failed: u64,
    /// Messages received again after this consumer had already processed them.
    pub duplicates: u64,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimApp {
    pub id: u32,
    pub queue_url: String,
    pub queue_name: String,
    pub kind: AppKind,
    /// A crashed consumer does nothing more; what it held comes back after the visibility timeout.
    pub crashed: bool,
    /// Why the app stopped by itself (an AWS error on one of its calls).
    pub error: Option<String>,
    /// Producer: the next send. Consumer: the next receive (unless a long poll is out).
    pub next_at: SimTime,
    /// Consumer: a long poll is waiting for its answer.
    pub polling: bool,
    pub jobs: Vec<Job>,
    pub stats: AppStats,
    /// Message ids this consumer processed (bounded), to spot duplicates.
    pub seen: BTreeSet<String>,
    /// Producer: messages sent, for numbered bodies.
    pub counter: u64,
}

impl SimApp {
    pub fn label(&self) -> String {
        match self.kind {
            AppKind::Producer { .. } => format!("producer {}", self.id),
            AppKind::Consumer(_) => format!("consumer {}", self.id),
        }
    }

    /// When this app next acts, and what it will do.
    pub fn next_due(&self) -> Option<(SimTime, String)> {
        if self.crashed {
            return None;
        }
        let job = self.jobs.iter().min_by_key(|j| j.done_at);
        let poll = (!self.polling).then_some(self.next_at);
        let label = self.label();
        match (poll, job) {
            (Some(p), Some(j)) if j.done_at < p => Some((j.done_at, finish_text(&label, j))),
            (None, Some(j)) => Some((j.done_at, finish_text(&label, j))),
            (Some(p), _) => Some((
                p,
                match self.kind {
                    AppKind::Producer { .. } => format!("{label} sends a message to {}", self.queue_name),
                    AppKind::Consumer(_) => format!("{label} polls {}", self.queue_name),
                },
            )),
            (None, None) => None,
        }
    }

    /// Remembers a processed message id (bounded: the oldest ids go first).
    pub fn remember(&mut self, message_id: &str) -> bool {
        let fresh = self.seen.insert(message_id.to_string());
        if self.seen.len() > 4096 {
            if let Some(first) = self.seen.iter().next().cloned() {
                self.seen.remove(&first);
            }
        }
        fresh
    }
}

fn finish_text(label: &str, job: &Job) -> String {
    let short: String = job.message_id.chars().take(8).collect();
    if job.fails {
        format!("{label} fails processing {short}… (no delete)")
    } else {
        format!("{label} finishes {short}… and deletes it")
    }
}

/// A small seeded generator (SplitMix64) for the apps' own choices, apart
/// from the engine's stream so that adding an app never changes SQS's ids.
#[derive(Clone, Debug)]
pub struct AppRng(u64);

impl AppRng {
    pub fn new(seed: u64) -> Self {
        AppRng(seed ^ 0x6170_7073_2d72_6e67) // "apps-rng"
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// True with the given chance in percent.
    pub fn chance(&mut self, percent: u32) -> bool {
        self.next_u64() % 100 < u64::from(percent.min(100))
    }
}
