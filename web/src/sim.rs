//! The playground's one connection to the simulation: an engine, the wire
//! gateway in front of it, and what a client keeps (the API log, receipt
//! handles it was given, long polls it is waiting on).
//!
//! No simulation logic lives here. Every learner action is an [`ApiRequest`]
//! dispatched through [`Gateway`] (the path the AWS SDK takes too); time moves
//! only by asking the engine to advance. Plain Rust, so it is tested natively.
//! With the `sns` feature it also keeps what the SNS views show: notification
//! outcomes per subscription endpoint (the engine keeps no history of them).
//! With the `kinesis` feature it also runs the controls of the simulated KCL
//! application and producers and of Kinesis Data Analytics SQL applications
//! ([`SqlControl`]), which have no AWS API, and follows SubscribeToShard event streams.

use std::collections::{BTreeMap, VecDeque};

#[cfg(feature = "sns")]
use decouple_engine::Event;
use decouple_engine::{Engine, EngineConfig, SimDuration, SimTime};
use decouple_wire::{Dispatch, Gateway, PendingId};
use serde_json::Value;

use crate::api::{self, ApiRequest, AwsError};
use crate::apps::{AppKind, AppRng, Job, SimApp};
use crate::metrics::Metrics;

/// At most this many app and sample steps per clock movement (one frame, or
/// one jump), so a busy producer and a long jump can never hang the page.
/// Apps that fall behind skip ahead, like a program that could not keep up.
const MAX_STEPS: usize = 20_000;
/// The fastest producer: ten messages a virtual second (6,000 a second of
/// real time at 600×, which is plenty to watch a queue fill).
pub const MAX_PER_MINUTE: u32 = 600;

/// How many log entries are kept (the oldest go first).
pub const LOG_CAPACITY: usize = 200;

/// One API call as the log shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct LogEntry {
    pub id: u64,
    /// Virtual time of the request.
    pub at: SimTime,
    pub action: &'static str,
    /// The simulated app that made the call (`consumer 2`), or `None` for the learner.
    pub actor: Option<String>,
    pub cli: String,
    pub request: String,
    /// `None` while a long poll waits.
    pub response: Option<String>,
    pub error: Option<AwsError>,
    /// A one-line outcome for the log and the screen-reader announcement.
    pub summary: String,
}

/// Something the learner did, as the journal records it (see `persist`).
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    Call(ApiRequest),
    /// Several requests in a row (send N, put N); stops at the first error
    /// (failed records of a Kinesis PutRecords do not stop it: see `PutTally`).
    CallMany(Vec<ApiRequest>),
    AddApp {
        url: String,
        kind: AppKind,
    },
    CrashApp(u32),
    RemoveApp(u32),
    Realism(bool),
    /// A simulated http(s) endpoint starts failing (false) or answering again
    /// (true): a control of the simulation, like the clock, not an AWS API.
    #[cfg(feature = "sns")]
    EndpointHealth {
        endpoint: String,
        healthy: bool,
    },
    /// A simulated http(s) endpoint takes this many seconds to answer each
    /// notification (0: at once); a simulation control too.
    #[cfg(feature = "sns")]
    EndpointLatency {
        endpoint: String,
        seconds: u32,
    },
    /// A control of the simulated KCL application or producers (clients in
    /// the engine, not AWS APIs: see `kinesis_controls`).
    #[cfg(feature = "kinesis")]
    Kinesis(crate::kinesis_controls::KinesisControl),
    /// A simulated Kinesis Data Analytics SQL application is created,
    /// started, stopped or deleted: AWS retired the service, so there is no
    /// API call to make, and the playground drives the engine's simulation.
    #[cfg(feature = "kinesis")]
    Sql(SqlControl),
}

/// What a learner does to a simulated Kinesis Data Analytics SQL application.
#[cfg(feature = "kinesis")]
#[derive(Clone, Debug, PartialEq)]
pub enum SqlControl {
    Create {
        name: String,
        stream: String,
        /// Read the records the stream still holds (TRIM_HORIZON), not only new ones (NOW).
        trim_horizon: bool,
        /// (column name, JSON mapping such as `$.ticker`, SQL type such as `VARCHAR(4)`).
        columns: Vec<(String, String, String)>,
        code: String,
    },
    Start(String),
    Stop(String),
    Delete(String),
}

/// What one call came to, for the caller (a flash message, a form reset).
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    Ok(Value),
    Err(AwsError),
    /// A long poll waits; its answer will appear in the log.
    Waiting,
}

/// What became of one notification to one subscription endpoint.
#[cfg(feature = "sns")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Attempt {
    Delivered,
    /// The subscription's filter policy did not match.
    FilteredOut,
    /// A slow endpoint got it but did not answer within SNS's 15-second wait.
    TimedOut,
    /// The endpoint failed; the delivery policy tries again at `next`.
    Retrying {
        retry: u32,
        next: SimTime,
    },
    Failed(String),
}

/// The slowest an endpoint can be made: a minute, well past SNS's 15-second wait.
#[cfg(feature = "sns")]
pub const MAX_LATENCY_SECONDS: u32 = 60;

/// How many outcomes are kept per subscription endpoint (the newest).
#[cfg(feature = "sns")]
pub const KEPT_ATTEMPTS: usize = 8;

/// PutRecords answers added up over several calls: records sent, records
/// failed, and the first failure's code and message.
#[cfg(feature = "kinesis")]
#[derive(Default)]
struct PutTally {
    sent: usize,
    failed: u64,
    first: Option<AwsError>,
}

#[cfg(feature = "kinesis")]
impl PutTally {
    fn add(&mut self, body: &Value) {
        self.sent += body.get("Records").and_then(Value::as_array).map_or(0, Vec::len);
        self.failed += body.get("FailedRecordCount").and_then(Value::as_u64).unwrap_or(0);
        if self.first.is_none() {
            self.first = api::first_batch_failure(body);
        }
    }

    /// `ProvisionedThroughputExceededException: 200 of 1200 records failed, the first with: …`.
    fn error(self) -> Option<AwsError> {
        let first = self.first?;
        let detail = first.message.split(", the first with: ").nth(1).unwrap_or(&first.message).to_string();
        let message = format!("{} of {} records failed, the first with: {detail}", self.failed, self.sent);
        Some(AwsError { code: first.code, message })
    }
}

/// A receipt handle the playground holds for an in-flight message, and the
/// log entry of the receive that got it ("who holds it").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    pub handle: String,
    pub receive_log_id: u64,
}

pub struct Sim {
    pub engine: Engine,
    gateway: Gateway,
    seed: u64,
    /// Newest last.
    pub log: VecDeque<LogEntry>,
    next_log_id: u64,
    /// Long polls waiting: the log entry each one will complete, its queue
    /// URL, and the simulated app waiting on it (if it is not the learner).
    pending: BTreeMap<PendingId, (u64, String, Option<u32>)>,
    /// Receipt handles from receives, by (queue URL, message id).
    pub receipts: BTreeMap<(String, String), Receipt>,
    /// Bumped whenever the log changes, so the log view re-renders only then.
    pub log_revision: u64,
    /// Simulated producers and consumers, in the order they were added.
    pub apps: Vec<SimApp>,
    next_app_id: u32,
    app_rng: AppRng,
    /// CloudWatch-style samples and request counts per queue.
    pub metrics: Metrics,
    /// Every command the learner gave, with the virtual time it was given:
    /// replayed on a fresh engine with the same seed, it rebuilds this state.
    pub journal: Vec<(SimTime, Command)>,
    /// Recent notification outcomes per (topic name, endpoint), newest last,
    /// read from the engine's events as they happen (the engine's state keeps
    /// no history of attempts, and exposes no list of pending retries).
    #[cfg(feature = "sns")]
    pub notifications: BTreeMap<(String, String), VecDeque<(SimTime, Attempt)>>,
    /// Bumped whenever `notifications` changes, so topic views re-render only then.
    #[cfg(feature = "sns")]
    pub notifications_revision: u64,
    /// Why the last SQL application created was refused, when its code did
    /// not compile: the position the page points at, as the console did.
    #[cfg(feature = "kinesis")]
    pub sql_error: Option<decouple_engine::analytics::SqlError>,
    /// Open SubscribeToShard answers, by the gateway's event-stream id.
    #[cfg(feature = "kinesis")]
    event_streams: BTreeMap<u64, EventStreamLog>,
}

/// An open SubscribeToShard answer: its log entry, and the frames its body has carried.
#[cfg(feature = "kinesis")]
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct EventStreamLog {
    log_id: u64,
    frames: u64,
    bytes: u64,
}

impl Sim {
    pub fn new(seed: u64) -> Self {
        let engine = Engine::new(EngineConfig {
            seed,
            start_time: decouple_engine::engine::DEFAULT_START,
            ..EngineConfig::default()
        });
        let gateway = Gateway::new(&engine);
        Sim {
            engine,
            gateway,
            seed,
            log: VecDeque::new(),
            next_log_id: 1,
            pending: BTreeMap::new(),
            receipts: BTreeMap::new(),
            log_revision: 0,
            apps: Vec::new(),
            next_app_id: 1,
            app_rng: AppRng::new(seed),
            metrics: Metrics::new(decouple_engine::engine::DEFAULT_START),
            journal: Vec::new(),
            #[cfg(feature = "sns")]
            #[cfg(feature = "sns")]
            notifications: BTreeMap::new(),
            #[cfg(feature = "sns")]
            notifications_revision: 0,
            #[cfg(feature = "kinesis")]
            event_streams: BTreeMap::new(),
            #[cfg(feature = "kinesis")]
            sql_error: None,
        }
    }

    /// A fresh engine with the same seed: the same run replays byte for byte.
    pub fn reset(&mut self) {
        let revision = self.log_revision + 1;
        *self = Sim::new(self.seed);
        self.log_revision = revision;
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    /// Performs a learner's command and records it in the journal. For
    /// several calls, the outcome is the first error (a batch's first refused
    /// entry counts) or the last success.
    pub fn perform(&mut self, command: Command) -> Outcome {
        self.journal.push((self.engine.now(), command.clone()));
        match command {
            Command::Call(request) => self.call(&request),
            Command::CallMany(requests) => {
                let mut last = Outcome::Ok(Value::Null);
                // Kinesis PutRecords batches go on after records failed (a
                // program would), and the failures are added up at the end.
                #[cfg(feature = "kinesis")]
                let mut puts = PutTally::default();
                for request in &requests {
                    last = match self.call(request) {
                        #[cfg(feature = "kinesis")]
                        Outcome::Ok(body) if request.action == "PutRecords" => {
                            puts.add(&body);
                            Outcome::Ok(body)
                        }
                        Outcome::Ok(body) => match api::first_batch_failure(&body) {
                            Some(e) => Outcome::Err(e),
                            None => Outcome::Ok(body),
                        },
                        other => other,
                    };
                    if matches!(last, Outcome::Err(_)) {
                        break;
                    }
                }
                #[cfg(feature = "kinesis")]
                if let Some(e) = puts.error() {
                    return Outcome::Err(e);
                }
                last
            }
            Command::AddApp { url, kind } => Outcome::Ok(Value::from(self.add_app(&url, kind))),
            Command::CrashApp(id) => {
                self.crash_app(id);
                Outcome::Ok(Value::Null)
            }
            Command::RemoveApp(id) => {
                self.remove_app(id);
                Outcome::Ok(Value::Null)
            }
            Command::Realism(on) => {
                self.set_realism(on);
                Outcome::Ok(Value::Null)
            }
            #[cfg(feature = "sns")]
            Command::EndpointHealth { endpoint, healthy } => {
                self.engine.sns().set_endpoint_healthy(&endpoint, healthy);
                Outcome::Ok(Value::Null)
            }
            #[cfg(feature = "sns")]
            Command::EndpointLatency { endpoint, seconds } => {
                let latency = SimDuration::from_secs(u64::from(seconds.min(MAX_LATENCY_SECONDS)));
                self.engine.sns().set_endpoint_latency(&endpoint, latency);
                Outcome::Ok(Value::Null)
            }
            #[cfg(feature = "kinesis")]
            Command::Kinesis(control) => crate::kinesis_controls::apply(&mut self.engine, &control),
            #[cfg(feature = "kinesis")]
            Command::Sql(control) => match self.sql(control) {
                Ok(()) => Outcome::Ok(Value::Null),
                Err(e) => Outcome::Err(e),
            },
        }
    }

    /// Performs a SQL application control on the engine. Refusals carry the
    /// error names the Kinesis Analytics API had (CodeValidationException
    /// for code that does not compile), so the banner reads as AWS's did.
    #[cfg(feature = "kinesis")]
    fn sql(&mut self, control: SqlControl) -> Result<(), AwsError> {
        use decouple_engine::analytics::{AnalyticsError, CreateApplication, SchemaColumn, StartingPosition};
        let mut analytics = self.engine.analytics();
        let result = match control {
            SqlControl::Create { name, stream, trim_horizon, columns, code } => {
                let columns = columns.into_iter().map(|(n, m, t)| SchemaColumn::new(n, m, t)).collect();
                let mut request = CreateApplication::new(name, stream, columns, code);
                if trim_horizon {
                    request.starting_position = StartingPosition::TrimHorizon;
                }
                let created = analytics.create_application(request);
                self.sql_error = match &created {
                    Err(AnalyticsError::Sql(e)) => Some(e.clone()),
                    _ => None,
                };
                created
            }
            SqlControl::Start(name) => analytics.start_application(&name),
            SqlControl::Stop(name) => analytics.stop_application(&name),
            SqlControl::Delete(name) => analytics.delete_application(&name),
        };
        result.map_err(|e| {
            let code = match &e {
                AnalyticsError::NotFound(_) => "ResourceNotFoundException",
                AnalyticsError::AlreadyExists(_) => "ResourceInUseException",
                AnalyticsError::Invalid(_) => "InvalidArgumentException",
                AnalyticsError::Sql(_) => "CodeValidationException",
            };
            AwsError { code: code.into(), message: e.to_string() }
        })
    }

    pub fn start(&self) -> SimTime {
        self.engine.config().start_time
    }

    /// Dispatches one request through the gateway and logs it.
    pub fn call(&mut self, request: &ApiRequest) -> Outcome {
        self.call_as(request, None)
    }

    /// Dispatches one request on behalf of a simulated app (or the learner).
    fn call_as(&mut self, request: &ApiRequest, app: Option<u32>) -> Outcome {
        let id = self.next_log_id;
        self.next_log_id += 1;
        let mut entry = LogEntry {
            id,
            at: self.engine.now(),
            action: request.action,
            actor: app.and_then(|a| self.app(a)).map(SimApp::label),
            cli: request.cli(),
            request: request.raw(),
            response: None,
            error: None,
            summary: format!("{} waiting (long poll)", request.action),
        };
        let queue_url = request.member("QueueUrl").unwrap_or_default().to_string();
        self.metrics.count_request(&queue_url);
        let outcome = match self.gateway.dispatch(&mut self.engine, &request.to_http()) {
            Dispatch::Ready(response) => {
                let outcome = self.complete(&mut entry, &queue_url, &response);
                if request.action == "DeleteMessage" && matches!(outcome, Outcome::Ok(_)) {
                    self.forget_receipt(&queue_url, request.member("ReceiptHandle").unwrap_or_default());
                }
                if request.action == "DeleteQueue" && matches!(outcome, Outcome::Ok(_)) {
                    self.metrics.forget(&queue_url);
                }
                outcome
            }
            Dispatch::Pending(pending) => {
                self.pending.insert(pending, (id, queue_url, app));
                Outcome::Waiting
            }
        };
        self.push_log(entry);
        // A send may have woken a long poll that was waiting.
        self.settle();
        #[cfg(feature = "sns")]
        self.take_events();
        outcome
    }

    /// Reads the engine's new events and keeps the notification outcomes.
    /// Draining also keeps the engine's bounded event log from filling up.
    #[cfg(feature = "sns")]
    fn take_events(&mut self) {
        if self.engine.events().is_empty() {
            return;
        }
        for logged in self.engine.drain_events() {
            let (topic, endpoint, attempt) = match logged.event {
                Event::NotificationDelivered { topic, endpoint, .. } => (topic, endpoint, Attempt::Delivered),
                Event::NotificationFilteredOut { topic, endpoint } => (topic, endpoint, Attempt::FilteredOut),
                Event::NotificationFailed { topic, endpoint, reason } => (topic, endpoint, Attempt::Failed(reason)),
                Event::NotificationTimedOut { topic, endpoint } => (topic, endpoint, Attempt::TimedOut),
                Event::NotificationRetrying { topic, endpoint, retry, at } => {
                    (topic, endpoint, Attempt::Retrying { retry, next: at })
                }
                _ => continue,
            };
            let kept = self.notifications.entry((topic.to_string(), endpoint)).or_default();
            if kept.len() == KEPT_ATTEMPTS {
                kept.pop_front();
            }
            kept.push_back((logged.at, attempt));
            self.notifications_revision += 1;
        }
    }

    /// Moves virtual time forward by `d`, performing everything that falls due.
    pub fn advance_by(&mut self, d: SimDuration) {
        self.advance_to(self.engine.now() + d);
    }

    /// Moves virtual time to `target`. The engine performs its deadlines; in
    /// between, simulated apps act at their own virtual times (sending,
    /// receiving, deleting through the gateway), in time order.
    pub fn advance_to(&mut self, target: SimTime) {
        self.metrics.skip_towards(target);
        let mut finished = false;
        for _ in 0..MAX_STEPS {
            let app_at = self.apps_due().map(|(at, _)| at);
            let sample_at = self.metrics.next_sample;
            let at = app_at.map_or(sample_at, |a| a.min(sample_at));
            if at > target {
                finished = true;
                break;
            }
            self.engine.advance_to(at);
            self.settle();
            #[cfg(feature = "sns")]
            self.take_events();
            let now = at.max(self.engine.now());
            if app_at.is_some_and(|a| a <= now) {
                self.run_apps(now);
            }
            if sample_at <= now {
                #[cfg(feature = "sns")]
                self.metrics.sample_topics(self.engine.sns_state(), now);
                #[cfg(feature = "kinesis")]
                self.metrics.sample_streams(self.engine.kinesis_state(), now);
                self.metrics.sample(self.engine.sqs_state(), now);
            }
        }
        if !finished {
            for app in &mut self.apps {
                app.next_at = app.next_at.max(target);
                for job in &mut app.jobs {
                    job.done_at = job.done_at.max(target);
                }
            }
            self.metrics.next_sample = self.metrics.next_sample.max(target);
        }
        self.engine.advance_to(target);
        self.settle();
        #[cfg(feature = "sns")]
        self.take_events();
    }

    /// Jumps to the next deadline (the engine's or an app's); `None` when nothing is scheduled.
    pub fn advance_to_next_deadline(&mut self) -> Option<SimTime> {
        let (at, _) = self.next_deadline()?;
        self.advance_to(at);
        Some(at)
    }

    /// What happens next, e.g. "orders: msg 3 becomes visible again …" or "consumer 2 polls orders".
    pub fn next_deadline(&self) -> Option<(SimTime, String)> {
        let engine = self.engine.peek_deadline().map(|(at, d)| (at, self.engine.describe_deadline(d)));
        match (engine, self.apps_due()) {
            (Some(e), Some(a)) => Some(if a.0 < e.0 { a } else { e }),
            (e, a) => e.or(a),
        }
    }

    /// How many long polls sent from here still wait, per queue URL.
    pub fn waiting_on(&self, queue_url: &str) -> usize {
        self.pending.values().filter(|(_, url, _)| url == queue_url).count()
    }

    /// Who holds an in-flight message: a simulated consumer processing it.
    pub fn holder(&self, queue_url: &str, message_id: &str) -> Option<String> {
        self.apps
            .iter()
            .filter(|a| a.queue_url == queue_url)
            .find(|a| a.jobs.iter().any(|j| j.message_id == message_id))
            .map(SimApp::label)
    }

    /// Turns standard-queue irregularities (duplicates, reordering) on or off.
    pub fn set_realism(&mut self, on: bool) {
        let realism = if on {
            // Rare enough to be surprising, common enough to be seen in a lesson.
            decouple_engine::Realism { duplicate_per_million: 20_000, reorder_per_million: 100_000 }
        } else {
            decouple_engine::Realism::default()
        };
        self.engine.set_realism(realism);
    }

    pub fn realism_on(&self) -> bool {
        self.engine.config().realism != decouple_engine::Realism::default()
    }

    // ------------------------------------------------------------ simulated apps

    /// Adds a producer or consumer on a queue; it first acts right away.
    pub fn add_app(&mut self, queue_url: &str, kind: AppKind) -> u32 {
        let id = self.next_app_id;
        self.next_app_id += 1;
        let queue_name = queue_url.rsplit('/').next().unwrap_or_default().to_string();
        let kind = match kind {
            AppKind::Producer { per_minute } => AppKind::Producer { per_minute: per_minute.clamp(1, MAX_PER_MINUTE) },
            AppKind::Consumer(mut c) => {
                // A consumer that never waits between polls would spin in place.
                c.poll_interval_ms = c.poll_interval_ms.max(100);
                c.batch = c.batch.clamp(1, 10);
                c.wait_seconds = c.wait_seconds.min(20);
                AppKind::Consumer(c)
            }
        };
        self.apps.push(SimApp {
            id,
            queue_url: queue_url.to_string(),
            queue_name,
            kind,
            crashed: false,
            error: None,
            next_at: self.engine.now(),
            polling: false,
            jobs: Vec::new(),
            stats: Default::default(),
            seen: Default::default(),
            counter: 0,
        });
        id
    }

    /// The app stops at once, as if its process died: messages it was
    /// processing are never deleted and come back after their visibility timeout.
    pub fn crash_app(&mut self, id: u32) {
        let Some(i) = self.apps.iter().position(|a| a.id == id) else { return };
        self.apps[i].crashed = true;
        self.apps[i].jobs.clear();
        self.apps[i].polling = false;
        let waiting: Vec<PendingId> =
            self.pending.iter().filter(|(_, (_, _, app))| *app == Some(id)).map(|(p, _)| *p).collect();
        for pending in waiting {
            self.gateway.cancel(&mut self.engine, pending);
            if let Some((log_id, _, _)) = self.pending.remove(&pending) {
                if let Some(entry) = self.log.iter_mut().find(|e| e.id == log_id) {
                    entry.summary = "ReceiveMessage abandoned: the consumer crashed".into();
                    entry.response = Some("(no response: the connection closed)".into());
                    self.log_revision += 1;
                }
            }
        }
    }

    pub fn remove_app(&mut self, id: u32) {
        self.crash_app(id);
        self.apps.retain(|a| a.id != id);
    }

    fn app(&self, id: u32) -> Option<&SimApp> {
        self.apps.iter().find(|a| a.id == id)
    }

    fn app_mut(&mut self, id: u32) -> Option<&mut SimApp> {
        self.apps.iter_mut().find(|a| a.id == id)
    }

    fn apps_due(&self) -> Option<(SimTime, String)> {
        self.apps.iter().filter_map(SimApp::next_due).min_by_key(|(at, _)| *at)
    }

    /// Lets every app do what is due at `now`.
    fn run_apps(&mut self, now: SimTime) {
        let ids: Vec<u32> = self.apps.iter().map(|a| a.id).collect();
        for id in ids {
            self.finish_jobs(id, now);
            let Some(app) = self.app(id) else { continue };
            if app.crashed || app.polling || app.next_at > now {
                continue;
            }
            let (url, kind) = (app.queue_url.clone(), app.kind.clone());
            match kind {
                AppKind::Producer { per_minute } => self.produce(id, &url, per_minute, now),
                AppKind::Consumer(c) => {
                    let request = ApiRequest::new(
                        "ReceiveMessage",
                        [
                            ("QueueUrl", Value::from(url)),
                            ("MaxNumberOfMessages", Value::from(c.batch)),
                            ("WaitTimeSeconds", Value::from(c.wait_seconds)),
                        ],
                    );
                    match self.call_as(&request, Some(id)) {
                        Outcome::Ok(body) => self.deliver(id, &body, now),
                        Outcome::Waiting => {
                            if let Some(app) = self.app_mut(id) {
                                app.polling = true;
                            }
                        }
                        Outcome::Err(e) => self.stop_app(id, e),
                    }
                    if let Some(app) = self.app_mut(id) {
                        app.next_at = now + SimDuration::from_millis(c.poll_interval_ms);
                    }
                }
            }
        }
    }

    fn produce(&mut self, id: u32, url: &str, per_minute: u32, now: SimTime) {
        let fifo = self.engine.sqs_state().queues().any(|q| q.url == url && q.fifo);
        let Some(app) = self.app_mut(id) else { return };
        app.counter += 1;
        app.next_at = now + SimDuration::from_millis((60_000 / u64::from(per_minute.max(1))).max(1));
        let (label, n) = (app.label(), app.counter);
        let fifo_ids = |v: String| if fifo { Value::from(v) } else { Value::Null };
        let request = ApiRequest::new(
            "SendMessage",
            [
                ("QueueUrl", Value::from(url)),
                ("MessageBody", Value::from(format!("{label} #{n}"))),
                ("MessageGroupId", fifo_ids(label.replace(' ', "-"))),
                ("MessageDeduplicationId", fifo_ids(format!("{}-{n}", label.replace(' ', "-")))),
            ],
        );
        match self.call_as(&request, Some(id)) {
            Outcome::Err(e) => self.stop_app(id, e),
            _ => {
                if let Some(app) = self.app_mut(id) {
                    app.stats.sent += 1;
                }
            }
        }
    }

    /// A consumer got a receive's answer: each message starts processing.
    fn deliver(&mut self, id: u32, body: &Value, now: SimTime) {
        let messages = body.get("Messages").and_then(Value::as_array).cloned().unwrap_or_default();
        let rng = &mut self.app_rng;
        let Some(app) = self.apps.iter_mut().find(|a| a.id == id) else { return };
        let AppKind::Consumer(config) = app.kind.clone() else { return };
        app.polling = false;
        if messages.is_empty() {
            app.stats.empty_receives += 1;
        }
        for m in messages {
            let text = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            let message_id = text("MessageId");
            app.stats.received += 1;
            if !app.remember(&message_id) {
                app.stats.duplicates += 1;
            }
            app.jobs.push(Job {
                done_at: now + SimDuration::from_millis(config.processing_ms),
                message_id,
                receipt_handle: text("ReceiptHandle"),
                fails: rng.chance(config.failure_percent),
            });
        }
    }

    /// Processing that is done: delete the message, unless processing failed.
    fn finish_jobs(&mut self, id: u32, now: SimTime) {
        loop {
            let Some(app) = self.app_mut(id) else { return };
            let Some(pos) = app.jobs.iter().position(|j| j.done_at <= now) else { return };
            let job = app.jobs.remove(pos);
            if job.fails {
                app.stats.failed += 1;
                continue;
            }
            let request = ApiRequest::new(
                "DeleteMessage",
                [("QueueUrl", Value::from(app.queue_url.clone())), ("ReceiptHandle", Value::from(job.receipt_handle))],
            );
            match self.call_as(&request, Some(id)) {
                Outcome::Err(e) => return self.stop_app(id, e),
                _ => {
                    if let Some(app) = self.app_mut(id) {
                        app.stats.deleted += 1;
                    }
                }
            }
        }
    }

    /// An app whose call failed stops (a real program would crash or alert),
    /// rather than repeating the failing call many times a second.
    fn stop_app(&mut self, id: u32, error: AwsError) {
        self.crash_app(id);
        if let Some(app) = self.app_mut(id) {
            app.error = Some(error.to_string());
        }
    }

    pub fn receipt(&self, queue_url: &str, message_id: &str) -> Option<&Receipt> {
        self.receipts.get(&(queue_url.to_string(), message_id.to_string()))
    }

    /// Completes the log entries of long polls that finished.
    /// Reads what the open event streams carried since the last call into their log entries.
    #[cfg(feature = "kinesis")]
    fn drain_event_streams(&mut self) {
        for chunk in self.gateway.poll_event_streams(&mut self.engine) {
            let Some(log) = self.event_streams.get_mut(&chunk.stream) else { continue };
            log.bytes += chunk.bytes.len() as u64;
            log.frames += chunk.messages();
            let (log_id, text) = (log.log_id, event_stream_text(log, chunk.done));
            let frames = log.frames;
            if chunk.done {
                self.event_streams.remove(&chunk.stream);
            }
            if let Some(entry) = self.log.iter_mut().find(|e| e.id == log_id) {
                entry.response = Some(text);
                if chunk.done {
                    entry.summary = format!("SubscribeToShard → event stream ended after {frames} events");
                }
                self.log_revision += 1;
            }
        }
    }

    fn settle(&mut self) {
        #[cfg(feature = "kinesis")]
        self.drain_event_streams();
        for (pending, response) in self.gateway.poll_completed(&mut self.engine) {
            let Some((log_id, queue_url, app)) = self.pending.remove(&pending) else { continue };
            let mut entry = match self.log.iter().position(|e| e.id == log_id) {
                Some(i) => self.log[i].clone(),
                None => continue,
            };
            let outcome = self.complete(&mut entry, &queue_url, &response);
            if let Some(slot) = self.log.iter_mut().find(|e| e.id == log_id) {
                *slot = entry;
                self.log_revision += 1;
            }
            if let Some(app) = app {
                let now = self.engine.now();
                match outcome {
                    Outcome::Ok(body) => self.deliver(app, &body, now),
                    Outcome::Err(e) => self.stop_app(app, e),
                    Outcome::Waiting => {}
                }
                if let Some(a) = self.app_mut(app) {
                    if let AppKind::Consumer(c) = &a.kind {
                        a.next_at = now + SimDuration::from_millis(c.poll_interval_ms);
                    }
                }
            }
        }
    }

    /// Fills in a log entry from its response and keeps any receipt handles.
    fn complete(&mut self, entry: &mut LogEntry, queue_url: &str, response: &decouple_wire::HttpResponse) -> Outcome {
        #[cfg(feature = "kinesis")]
        if let Some(stream) = response.header(decouple_wire::EVENT_STREAM_HEADER).and_then(|id| id.parse().ok()) {
            // SubscribeToShard: the body is an event stream that goes on as the clock moves.
            self.event_streams.insert(stream, EventStreamLog { log_id: entry.id, ..EventStreamLog::default() });
            entry.response = Some(event_stream_text(&EventStreamLog::default(), false));
            entry.summary = "SubscribeToShard → event stream open: records are pushed as they arrive".into();
            return Outcome::Ok(Value::Null);
        }
        entry.response = Some(api::raw_response(response));
        match api::parse_response(response) {
            Ok(body) => {
                entry.summary = summarize(entry.action, &body);
                if entry.action == "ReceiveMessage" && entry.actor.is_none() {
                    self.keep_receipts(queue_url, entry.id, &body);
                }
                Outcome::Ok(body)
            }
            Err(error) => {
                entry.summary = format!("{} failed — {error}", entry.action);
                entry.error = Some(error.clone());
                Outcome::Err(error)
            }
        }
    }

    fn keep_receipts(&mut self, queue_url: &str, log_id: u64, body: &Value) {
        let messages = body.get("Messages").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        for m in messages {
            let (Some(id), Some(handle)) =
                (m.get("MessageId").and_then(Value::as_str), m.get("ReceiptHandle").and_then(Value::as_str))
            else {
                continue;
            };
            self.receipts.insert(
                (queue_url.to_string(), id.to_string()),
                Receipt { handle: handle.to_string(), receive_log_id: log_id },
            );
        }
        // Handles of messages that are gone or visible again are useless; keep the map small.
        if self.receipts.len() > 2048 {
            let state = self.engine.sqs_state();
            let live: std::collections::BTreeSet<(String, String)> = state
                .queues()
                .flat_map(|q| q.messages().filter(|m| m.is_in_flight()).map(|m| (q.url.clone(), m.id.to_string())))
                .collect();
            self.receipts.retain(|key, _| live.contains(key));
        }
    }

    fn forget_receipt(&mut self, queue_url: &str, handle: &str) {
        self.receipts.retain(|(url, _), r| !(url == queue_url && r.handle == handle));
    }

    fn push_log(&mut self, entry: LogEntry) {
        if self.log.len() == LOG_CAPACITY {
            self.log.pop_front();
        }
        self.log.push_back(entry);
        self.log_revision += 1;
    }
}

/// A one-line outcome: "SendMessage → 8c1f…", "ReceiveMessage → 2 messages".
/// A SubscribeToShard log entry's response: the frames so far, not their bytes.
#[cfg(feature = "kinesis")]
fn event_stream_text(log: &EventStreamLog, done: bool) -> String {
    format!(
        "HTTP/1.1 200\ncontent-type: application/vnd.amazon.eventstream\n\n\
         initial-response, then {} SubscribeToShardEvent frames ({} bytes){}",
        log.frames,
        log.bytes,
        if done { "; the stream has ended" } else { " so far; more as the clock moves" }
    )
}

fn summarize(action: &str, body: &Value) -> String {
    match action {
        "ReceiveMessage" => {
            let n = body.get("Messages").and_then(Value::as_array).map_or(0, Vec::len);
            format!("ReceiveMessage → {n} message{}", if n == 1 { "" } else { "s" })
        }
        "SendMessage" => match body.get("MessageId").and_then(Value::as_str) {
            Some(id) => format!("SendMessage → MessageId {id}"),
            None => "SendMessage succeeded".into(),
        },
        "SendMessageBatch" => {
            let ok = body.get("Successful").and_then(Value::as_array).map_or(0, Vec::len);
            let failed = body.get("Failed").and_then(Value::as_array).map_or(0, Vec::len);
            format!("SendMessageBatch → {ok} sent, {failed} failed")
        }
        "CreateQueue" => format!("CreateQueue → {}", body.get("QueueUrl").and_then(Value::as_str).unwrap_or("")),
        #[cfg(feature = "sns")]
        "CreateTopic" => format!("CreateTopic → {}", body.get("TopicArn").and_then(Value::as_str).unwrap_or("")),
        #[cfg(feature = "sns")]
        "Subscribe" => format!("Subscribe → {}", body.get("SubscriptionArn").and_then(Value::as_str).unwrap_or("")),
        #[cfg(feature = "sns")]
        "Publish" => match body.get("MessageId").and_then(Value::as_str) {
            Some(id) => format!("Publish → MessageId {id}"),
            None => "Publish succeeded".into(),
        },
        #[cfg(feature = "sns")]
        "PutObject" => match body.get("ETag").and_then(Value::as_str) {
            Some(etag) => format!("PutObject → ETag {etag}"),
            None => "PutObject succeeded".into(),
        },
        #[cfg(feature = "sns")]
        "ListObjectsV2" => {
            let n = body.get("KeyCount").and_then(Value::as_str).unwrap_or("0");
            format!("ListObjectsV2 → {n} object{}", if n == "1" { "" } else { "s" })
        }
        #[cfg(feature = "kinesis")]
        "PutRecord" => {
            let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
            // Kinesis and Firehose both have a PutRecord; only Firehose's answer has a RecordId.
            if body.get("RecordId").is_some() {
                format!("PutRecord → RecordId {}…", text("RecordId").chars().take(12).collect::<String>())
            } else {
                format!("PutRecord → {} · sequence number {}", text("ShardId"), text("SequenceNumber"))
            }
        }
        #[cfg(feature = "kinesis")]
        "PutRecordBatch" => {
            let n = body.get("RequestResponses").and_then(Value::as_array).map_or(0, Vec::len) as u64;
            let failed = body.get("FailedPutCount").and_then(Value::as_u64).unwrap_or(0);
            format!("PutRecordBatch → {} put, {failed} failed", n - failed.min(n))
        }
        #[cfg(feature = "kinesis")]
        "CreateDeliveryStream" => {
            format!("CreateDeliveryStream → {}", body.get("DeliveryStreamARN").and_then(Value::as_str).unwrap_or(""))
        }
        #[cfg(feature = "kinesis")]
        "PutRecords" => {
            let n = body.get("Records").and_then(Value::as_array).map_or(0, Vec::len);
            let failed = body.get("FailedRecordCount").and_then(Value::as_u64).unwrap_or(0);
            match api::first_batch_failure(body) {
                Some(e) => {
                    format!("PutRecords → {} put, {failed} failed ({})", n as u64 - failed.min(n as u64), e.code)
                }
                None => format!("PutRecords → {n} put, 0 failed"),
            }
        }
        #[cfg(feature = "kinesis")]
        "GetRecords" => {
            let n = body.get("Records").and_then(Value::as_array).map_or(0, Vec::len);
            let behind = body.get("MillisBehindLatest").and_then(Value::as_u64).unwrap_or(0);
            format!("GetRecords → {n} record{}, MillisBehindLatest {behind}", if n == 1 { "" } else { "s" })
        }
        other => format!("{other} succeeded"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn create(sim: &mut Sim, name: &str, attributes: Value) -> String {
        let req = ApiRequest::new("CreateQueue", [("QueueName", json!(name)), ("Attributes", attributes)]);
        match sim.call(&req) {
            Outcome::Ok(body) => body["QueueUrl"].as_str().unwrap().to_string(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn send_receive_and_the_message_comes_back() {
        let mut sim = Sim::new(1);
        let url = create(&mut sim, "orders", json!({"VisibilityTimeout": "10"}));
        sim.call(&ApiRequest::new("SendMessage", [("QueueUrl", json!(url)), ("MessageBody", json!("hi"))]));
        let got = sim.call(&ApiRequest::new("ReceiveMessage", [("QueueUrl", json!(url))]));
        assert!(matches!(got, Outcome::Ok(ref b) if b["Messages"].as_array().unwrap().len() == 1));
        assert_eq!(sim.receipts.len(), 1);
        let (_, what) = sim.next_deadline().unwrap();
        assert!(what.contains("msg 1 becomes visible again"), "{what}");
        sim.advance_to_next_deadline();
        assert_eq!(sim.engine.sqs_state().queue_by_name("orders").unwrap().visible_count(), 1);
        assert_eq!(sim.log.len(), 3);
    }

    #[test]
    fn invalid_attribute_is_aws_error() {
        let mut sim = Sim::new(1);
        let req = ApiRequest::new(
            "CreateQueue",
            [("QueueName", json!("q")), ("Attributes", json!({"VisibilityTimeout": "99999"}))],
        );
        let Outcome::Err(e) = sim.call(&req) else { panic!() };
        assert_eq!(e.to_string(), "InvalidAttributeValue: Invalid value for the parameter VisibilityTimeout.");
        assert!(sim.log[0].error.is_some());
    }

    fn consumer(poll_s: u64, wait: u32, processing_s: u64, failure_percent: u32) -> AppKind {
        AppKind::Consumer(crate::apps::ConsumerConfig {
            poll_interval_ms: poll_s * 1000,
            batch: 1,
            wait_seconds: wait,
            processing_ms: processing_s * 1000,
            failure_percent,
        })
    }

    #[test]
    fn producer_and_consumer_move_messages_on_the_virtual_clock() {
        let mut sim = Sim::new(7);
        let url = create(&mut sim, "work", json!({}));
        sim.add_app(&url, AppKind::Producer { per_minute: 60 });
        let c = sim.add_app(&url, consumer(1, 20, 2, 0));
        sim.advance_by(SimDuration::from_secs(10));
        let p = &sim.apps[0];
        assert_eq!(p.stats.sent, 11, "one at 0 s, then one a second");
        let c = sim.app(c).unwrap();
        assert!(c.stats.deleted >= 8, "{:?}", c.stats);
        assert_eq!(c.stats.duplicates, 0);
        assert!(sim.log.iter().any(|e| e.actor.as_deref() == Some("consumer 2")));
        let (_, next) = sim.next_deadline().unwrap();
        assert!(!next.is_empty());
    }

    #[test]
    fn slow_processing_gets_duplicates_and_failures_reach_the_dlq() {
        let mut sim = Sim::new(7);
        create(&mut sim, "dlq", json!({}));
        let dlq_arn = sim.engine.sqs_state().queue_by_name("dlq").unwrap().arn.clone();
        let policy = json!({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}).to_string();
        let url = create(&mut sim, "work", json!({"VisibilityTimeout": "5", "RedrivePolicy": policy}));
        sim.call(&ApiRequest::new("SendMessage", [("QueueUrl", json!(url)), ("MessageBody", json!("slow"))]));
        // Processing (8 s) outlasts the visibility timeout (5 s): a second consumer gets it again.
        let a = sim.add_app(&url, consumer(1, 0, 8, 0));
        let b = sim.add_app(&url, consumer(1, 0, 8, 0));
        sim.advance_by(SimDuration::from_secs(30));
        let received = sim.app(a).unwrap().stats.received + sim.app(b).unwrap().stats.received;
        assert!(received >= 2, "{received}");
        sim.remove_app(a);
        sim.remove_app(b);

        sim.call(&ApiRequest::new("SendMessage", [("QueueUrl", json!(url)), ("MessageBody", json!("poison"))]));
        let f = sim.add_app(&url, consumer(1, 0, 1, 100));
        sim.advance_by(SimDuration::from_secs(60));
        assert!(sim.app(f).unwrap().stats.failed >= 2);
        // "slow" was received twice already, so it went to the DLQ too.
        assert_eq!(sim.engine.sqs_state().queue_by_name("dlq").unwrap().len(), 2);
        assert!(sim.engine.sqs_state().queue_by_name("dlq").unwrap().messages().any(|m| m.body == "poison"));
    }

    #[test]
    fn a_crashed_consumer_drops_its_messages_and_its_long_poll() {
        let mut sim = Sim::new(7);
        let url = create(&mut sim, "work", json!({"VisibilityTimeout": "10"}));
        sim.call(&ApiRequest::new("SendMessage", [("QueueUrl", json!(url)), ("MessageBody", json!("m"))]));
        let c = sim.add_app(&url, consumer(1, 20, 60, 0));
        sim.advance_by(SimDuration::from_secs(2));
        assert_eq!(sim.engine.sqs_state().queue_by_name("work").unwrap().in_flight_count(), 1);
        assert!(sim.holder(&url, &sim.app(c).unwrap().jobs[0].message_id.clone()).is_some());
        assert_eq!(sim.waiting_on(&url), 1, "polling again while processing");
        sim.crash_app(c);
        assert_eq!(sim.waiting_on(&url), 0);
        sim.advance_by(SimDuration::from_secs(10));
        assert_eq!(sim.engine.sqs_state().queue_by_name("work").unwrap().visible_count(), 1);
    }

    #[test]
    fn an_app_on_a_deleted_queue_stops_with_the_error() {
        let mut sim = Sim::new(7);
        let url = create(&mut sim, "gone", json!({}));
        let p = sim.add_app(&url, AppKind::Producer { per_minute: 600 });
        sim.call(&ApiRequest::new("DeleteQueue", [("QueueUrl", json!(url))]));
        sim.advance_by(SimDuration::from_secs(5));
        let app = sim.app(p).unwrap();
        assert!(app.crashed);
        assert!(app.error.as_deref().unwrap_or_default().contains("NonExistentQueue"), "{:?}", app.error);
    }

    #[test]
    fn metrics_sample_every_period_and_count_requests() {
        let mut sim = Sim::new(7);
        let url = create(&mut sim, "work", json!({}));
        sim.add_app(&url, AppKind::Producer { per_minute: 60 });
        sim.advance_by(SimDuration::from_secs(60));
        let m = &sim.metrics.queues[&url];
        assert_eq!(m.samples.len(), 6);
        // Sends at 0, 1, …, 60 s: a sample includes what happened at its own instant.
        assert_eq!(m.samples.iter().map(|s| s.sent).collect::<Vec<_>>(), [11, 10, 10, 10, 10, 10]);
        assert_eq!(m.samples.back().unwrap().visible, 61);
        assert_eq!(m.requests, 61);
        // A four-day jump keeps one hour of samples and does not take 34,560 steps.
        sim.remove_app(1);
        sim.advance_by(SimDuration::from_secs(4 * 86_400));
        assert_eq!(sim.metrics.queues[&url].samples.len(), crate::metrics::KEPT);
        assert_eq!(sim.metrics.queues[&url].samples.back().unwrap().visible, 0, "retention ran out");
    }

    #[test]
    fn a_busy_producer_and_a_long_jump_cannot_hang_the_page() {
        let mut sim = Sim::new(7);
        let url = create(&mut sim, "flood", json!({}));
        sim.add_app(&url, AppKind::Producer { per_minute: 1_000_000 });
        sim.advance_by(SimDuration::from_secs(4 * 86_400));
        let sent = sim.apps[0].stats.sent;
        assert!(sent > 1000 && sent <= MAX_STEPS as u64, "{sent}");
        assert!(sim.apps[0].next_at >= sim.engine.now(), "it skipped ahead instead of catching up forever");
        sim.advance_by(SimDuration::from_secs(1));
        assert!(sim.apps[0].stats.sent <= sent + 11, "ten a second");
    }

    #[cfg(feature = "sns")]
    #[test]
    fn sns_and_s3_go_through_their_own_protocols() {
        let mut sim = Sim::new(1);
        let url = create(&mut sim, "inbox", json!({}));
        let queue_arn = sim.engine.sqs_state().queue_by_name("inbox").unwrap().arn.clone();
        let Outcome::Ok(body) = sim.call(&ApiRequest::sns("CreateTopic", [("Name", json!("orders"))])) else {
            panic!("{:?}", sim.log.back())
        };
        let topic_arn = body["TopicArn"].as_str().unwrap().to_string();
        let policy = api::allow_service(None, "sns.amazonaws.com", "sqs:SendMessage", &queue_arn, &topic_arn);
        sim.call(&ApiRequest::new(
            "SetQueueAttributes",
            [("QueueUrl", json!(url)), ("Attributes", json!({"Policy": policy}))],
        ));
        let subscribe = ApiRequest::sns(
            "Subscribe",
            [
                ("TopicArn", json!(topic_arn)),
                ("Protocol", json!("sqs")),
                ("Endpoint", json!(queue_arn)),
                ("Attributes", json!({"FilterPolicy": "{\"color\":[\"red\"]}"})),
            ],
        );
        assert!(matches!(sim.call(&subscribe), Outcome::Ok(_)), "{:?}", sim.log.back());
        let publish = |color: &str| {
            ApiRequest::sns(
                "Publish",
                [
                    ("TopicArn", json!(topic_arn)),
                    ("Message", json!("hi & <b>")),
                    ("MessageAttributes", json!({"color": {"DataType": "String", "StringValue": color}})),
                ],
            )
        };
        assert!(matches!(sim.call(&publish("red")), Outcome::Ok(ref b) if b["MessageId"].is_string()));
        sim.call(&publish("blue"));
        let q = sim.engine.sqs_state().queue_by_name("inbox").unwrap();
        assert_eq!(q.len(), 1);
        let body = &q.messages().next().unwrap().body;
        assert!(body.contains(r#""Message" : "hi & <b>""#), "{body}");
        let kept = &sim.notifications[&("orders".to_string(), queue_arn.clone())];
        assert_eq!(kept.iter().map(|(_, a)| a.clone()).collect::<Vec<_>>(), [Attempt::Delivered, Attempt::FilteredOut]);
        assert!(
            sim.log.back().unwrap().cli.starts_with("aws sns publish --message "),
            "{}",
            sim.log.back().unwrap().cli
        );

        // AWS's error comes back from the XML.
        let Outcome::Err(e) = sim.call(&ApiRequest::sns("Publish", [("TopicArn", json!(topic_arn))])) else { panic!() };
        assert_eq!(e.code, "ValidationError", "{e}");

        // S3: a bucket whose uploads notify the queue.
        sim.call(&ApiRequest::s3("CreateBucket", [("Bucket", json!("photos"))]));
        let policy = api::allow_service(
            Some(&sim.engine.sqs_state().queue_by_name("inbox").unwrap().config.policy.clone().unwrap()),
            "s3.amazonaws.com",
            "sqs:SendMessage",
            &queue_arn,
            "arn:aws:s3:::photos",
        );
        sim.call(&ApiRequest::new(
            "SetQueueAttributes",
            [("QueueUrl", json!(url)), ("Attributes", json!({"Policy": policy}))],
        ));
        let config = json!({"QueueConfigurations": [{"QueueArn": queue_arn, "Events": ["s3:ObjectCreated:*"],
            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "up/"}]}}}]});
        let put = ApiRequest::s3(
            "PutBucketNotificationConfiguration",
            [("Bucket", json!("photos")), ("NotificationConfiguration", config)],
        );
        assert!(matches!(sim.call(&put), Outcome::Ok(_)), "{:?}", sim.log.back());
        let upload = |key: &str| {
            ApiRequest::s3("PutObject", [("Bucket", json!("photos")), ("Key", json!(key)), ("Body", json!("meow"))])
        };
        assert!(matches!(sim.call(&upload("up/cat 1.txt")), Outcome::Ok(ref b) if b["ETag"].is_string()));
        sim.call(&upload("other.txt"));
        let q = sim.engine.sqs_state().queue_by_name("inbox").unwrap();
        // The test event, then the one upload under up/.
        assert_eq!(q.len(), 3, "{:?}", q.messages().map(|m| m.body.clone()).collect::<Vec<_>>());
        assert!(q.messages().last().unwrap().body.contains("up/cat+1.txt"));
        assert!(sim.log.back().unwrap().cli.starts_with("printf '%s' meow > body.txt && aws s3api put-object"));
        let Outcome::Err(e) = sim.call(&ApiRequest::s3("DeleteBucket", [("Bucket", json!("photos"))])) else {
            panic!()
        };
        assert_eq!(e.code, "BucketNotEmpty");
        assert!(matches!(sim.call(&ApiRequest::s3("ListObjectsV2", [("Bucket", json!("photos"))])), Outcome::Ok(_)));
        assert_eq!(sim.log.back().unwrap().summary, "ListObjectsV2 → 2 objects");
    }

    #[test]
    fn long_poll_waits_and_a_send_wakes_it() {
        let mut sim = Sim::new(1);
        let url = create(&mut sim, "q", json!({}));
        let got =
            sim.call(&ApiRequest::new("ReceiveMessage", [("QueueUrl", json!(url)), ("WaitTimeSeconds", json!(20))]));
        assert_eq!(got, Outcome::Waiting);
        assert_eq!(sim.waiting_on(&url), 1);
        sim.call(&ApiRequest::new("SendMessage", [("QueueUrl", json!(url)), ("MessageBody", json!("wake"))]));
        assert_eq!(sim.waiting_on(&url), 0);
        assert!(sim.log[1].summary.contains("1 message"), "{:?}", sim.log[1]);
        assert_eq!(sim.receipts.len(), 1);
    }
}

#[cfg(all(test, feature = "kinesis"))]
mod fan_out_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_subscribe_to_shard_entry_counts_the_events_pushed_until_the_stream_ends() {
        let mut sim = Sim::new(4);
        let kinesis = |sim: &mut Sim, action: &'static str, members: Vec<(&'static str, Value)>| {
            sim.call(&ApiRequest::kinesis(action, members))
        };
        kinesis(&mut sim, "CreateStream", vec![("StreamName", json!("clicks")), ("ShardCount", json!(1))]);
        sim.advance_by(SimDuration::from_secs(10));
        let arn = sim.engine.kinesis_state().stream("clicks").unwrap().arn.clone();
        let registered = kinesis(
            &mut sim,
            "RegisterStreamConsumer",
            vec![("StreamARN", json!(arn)), ("ConsumerName", json!("app"))],
        );
        let Outcome::Ok(body) = registered else { panic!("{registered:?}") };
        let consumer = body["Consumer"]["ConsumerARN"].as_str().unwrap().to_string();
        sim.advance_by(SimDuration::from_secs(10));
        let subscribed = kinesis(
            &mut sim,
            "SubscribeToShard",
            vec![
                ("ConsumerARN", json!(consumer)),
                ("ShardId", json!("shardId-000000000000")),
                ("StartingPosition", json!({"Type": "LATEST"})),
            ],
        );
        assert_eq!(subscribed, Outcome::Ok(Value::Null));
        let entry_id = sim.log.back().unwrap().id;
        assert_eq!(
            sim.log.back().unwrap().summary,
            "SubscribeToShard → event stream open: records are pushed as they arrive"
        );
        for i in 0..3 {
            let data = json!(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, format!("r{i}")));
            kinesis(
                &mut sim,
                "PutRecord",
                vec![("StreamName", json!("clicks")), ("PartitionKey", json!("k")), ("Data", data)],
            );
            sim.advance_by(SimDuration::from_secs(1));
        }
        let entry = |sim: &Sim| sim.log.iter().find(|e| e.id == entry_id).unwrap().clone();
        let response = entry(&sim).response.unwrap();
        assert!(response.contains("SubscribeToShardEvent frames"), "{response}");
        assert!(!response.contains("then 0 "), "events were pushed: {response}");
        let pushed = sim.engine.kinesis_state().subscriptions().next().unwrap().delivered_records;
        assert_eq!(pushed, 3);
        // Five minutes on, the subscription ends and its entry says so.
        sim.advance_by(SimDuration::from_mins(5));
        assert!(
            entry(&sim).summary.starts_with("SubscribeToShard → event stream ended after "),
            "{}",
            entry(&sim).summary
        );
        assert!(sim.engine.kinesis_state().subscriptions().next().is_none(), "drained and forgotten");
    }
}
