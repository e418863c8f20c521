//! The app's state as plain data, the [`Action`]s a learner (or the clock)
//! can take, and the reducer that applies them.
//!
//! The engine lives in [`Sim`] behind an `Rc<RefCell<_>>`: it is far too big
//! to clone on every action, so the reducer mutates it in place and bumps
//! `version`, which is what components compare to know they must re-render.

use std::cell::RefCell;
use std::rc::Rc;

use decouple_engine::SimDuration;
use yew::Reducible;

use crate::api::ApiRequest;
use crate::sim::{Command, Outcome, Sim};
use crate::{browser, persist};

/// The seed every playground starts from (and returns to on reset).
pub const SEED: u64 = 42;
/// The clock speeds a learner can pick (virtual seconds per real second).
pub const SPEEDS: [u32; 4] = [1, 10, 60, 600];
/// A frame longer than this (a background tab, a debugger pause) counts as
/// this long, so the clock never lurches forward by minutes at once.
const MAX_FRAME_MS: f64 = 250.0;

/// Shared handle to the simulation; equal when it is the same simulation.
#[derive(Clone)]
pub struct SimRef(pub Rc<RefCell<Sim>>);

impl PartialEq for SimRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashKind {
    Success,
    Error,
}

/// The banner at the top, as the AWS console shows outcomes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flash {
    pub kind: FlashKind,
    pub text: String,
    /// Distinguishes two equal messages in a row (so the banner re-announces).
    pub serial: u64,
}

/// A message a learner selected: (queue URL, message number).
pub type Selection = Option<(String, u64)>;

#[derive(Clone)]
pub struct State {
    pub sim: SimRef,
    /// Bumped on every change to the simulation.
    pub version: u64,
    pub playing: bool,
    pub speed: u32,
    pub help: bool,
    pub flash: Option<Flash>,
    pub selected: Selection,
    /// The last "Get records" a learner asked for (the Kinesis page).
    #[cfg(feature = "kinesis")]
    pub shard_read: Option<Rc<ShardRead>>,
    /// Virtual milliseconds owed to the clock below one whole millisecond.
    carry: f64,
}

impl Default for State {
    fn default() -> Self {
        State {
            sim: SimRef(Rc::new(RefCell::new(Sim::new(SEED)))),
            version: 0,
            playing: true,
            speed: 1,
            help: false,
            flash: None,
            selected: None,
            #[cfg(feature = "kinesis")]
            shard_read: None,
            carry: 0.0,
        }
    }
}

impl State {
    /// The starting state: a share link's setup (`#setup=…`) if the page has
    /// one, else what this browser saved, else a fresh playground. Anything
    /// unreadable is said so in the banner, and the playground starts fresh.
    pub fn load() -> State {
        let mut state = State::default();
        let (loaded, what) = match persist::from_fragment(&browser::location_hash()) {
            Some(link) => {
                browser::clear_hash();
                (Some(link.and_then(|json| persist::restore(&json))), "This share link")
            }
            None => (
                browser::storage_get(&browser::storage_key(persist::STORAGE_KEY)).map(|text| persist::restore(&text)),
                "Your saved playground",
            ),
        };
        match loaded {
            // An untouched playground restores silently.
            Some(Ok(sim)) if sim.journal.is_empty() => state.sim = SimRef(Rc::new(RefCell::new(sim))),
            Some(Ok(sim)) => {
                #[cfg(not(feature = "kinesis"))]
                let (n, kind) = (sim.engine.sqs_state().queues().count(), "queue");
                #[cfg(feature = "kinesis")]
                let (n, kind) = (sim.engine.kinesis_state().streams().count(), "stream");
                let text = format!("{what} was restored: {n} {kind}{}.", if n == 1 { "" } else { "s" });
                state.sim = SimRef(Rc::new(RefCell::new(sim)));
                state.flash = Some(Flash { kind: FlashKind::Success, text, serial: 0 });
            }
            Some(Err(reason)) => {
                browser::storage_remove(&browser::storage_key(persist::STORAGE_KEY));
                let text = format!("{what} could not be restored because {reason}. Starting fresh.");
                state.flash = Some(Flash { kind: FlashKind::Error, text, serial: 0 });
            }
            None => {}
        }
        state
    }
}

/// What one "Get records" of a shard came back with: GetShardIterator
/// (TRIM_HORIZON), then one GetRecords with that iterator.
#[cfg(feature = "kinesis")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardRead {
    pub stream: String,
    pub shard_id: String,
    /// (sequence number, partition key, data as text), oldest first.
    pub records: Vec<(String, String, String)>,
    pub millis_behind_latest: u64,
    /// The first call's error, if one failed.
    pub error: Option<String>,
}

#[cfg(feature = "kinesis")]
impl ShardRead {
    /// Performs the two calls through the gateway (both are journaled).
    fn perform(sim: &mut Sim, stream: &str, shard_id: &str) -> ShardRead {
        use base64::Engine as _;
        use serde_json::{json, Value};
        let mut read = ShardRead {
            stream: stream.to_string(),
            shard_id: shard_id.to_string(),
            records: Vec::new(),
            millis_behind_latest: 0,
            error: None,
        };
        let iterator = ApiRequest::kinesis(
            "GetShardIterator",
            [("StreamName", json!(stream)), ("ShardId", json!(shard_id)), ("ShardIteratorType", json!("TRIM_HORIZON"))],
        );
        let iterator = match sim.perform(Command::Call(iterator)) {
            Outcome::Ok(body) => body.get("ShardIterator").and_then(Value::as_str).unwrap_or_default().to_string(),
            Outcome::Err(e) => {
                read.error = Some(e.to_string());
                return read;
            }
            Outcome::Waiting => return read,
        };
        let get = ApiRequest::kinesis("GetRecords", [("ShardIterator", json!(iterator))]);
        match sim.perform(Command::Call(get)) {
            Outcome::Ok(body) => {
                read.millis_behind_latest = body.get("MillisBehindLatest").and_then(Value::as_u64).unwrap_or(0);
                for r in body.get("Records").and_then(Value::as_array).into_iter().flatten() {
                    let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
                    let data = base64::engine::general_purpose::STANDARD.decode(text("Data")).unwrap_or_default();
                    let data = String::from_utf8_lossy(&data).into_owned();
                    read.records.push((text("SequenceNumber"), text("PartitionKey"), data));
                }
            }
            Outcome::Err(e) => read.error = Some(e.to_string()),
            Outcome::Waiting => {}
        }
        read
    }
}

pub enum Action {
    /// A real-time frame of this many milliseconds passed.
    Tick(f64),
    TogglePlay,
    SetSpeed(u32),
    /// +1 virtual second.
    Step,
    NextDeadline,
    /// Moves the clock to a virtual time the page points at (a delivery
    /// stream's interval ending), doing everything due on the way; a time
    /// already past does nothing.
    #[cfg(feature = "kinesis")]
    AdvanceTo(decouple_engine::SimTime),
    Reset,
    ToggleHelp,
    CloseHelp,
    /// One AWS request; `success` is the banner to show if it succeeds.
    Call {
        request: ApiRequest,
        success: Option<String>,
    },
    /// Several requests (send N); stops at the first error.
    CallMany {
        requests: Vec<ApiRequest>,
        success: String,
    },
    DismissFlash,
    /// An error raised by a client library before any request (the Extended
    /// Client's reserved attribute), shown as the SDK would throw it.
    ClientError(String),
    Select(Selection),
    /// Attach a simulated producer or consumer to the queue at this URL.
    AddApp {
        url: String,
        kind: crate::apps::AppKind,
    },
    CrashApp(u32),
    RemoveApp(u32),
    /// Standard-queue duplicates and reordering, as real SQS shows them.
    SetRealism(bool),
    /// A simulated http(s) endpoint answers (true) or fails every delivery (false).
    #[cfg(feature = "sns")]
    SetEndpointHealth {
        endpoint: String,
        healthy: bool,
    },
    /// A simulated http(s) endpoint answers after this many seconds.
    #[cfg(feature = "sns")]
    SetEndpointLatency {
        endpoint: String,
        seconds: u32,
    },
    /// Read a Kinesis shard from TRIM_HORIZON (GetShardIterator + GetRecords).
    #[cfg(feature = "kinesis")]
    ReadShard {
        stream: String,
        shard_id: String,
    },
    #[cfg(feature = "kinesis")]
    CloseShardRead,
    /// A control of the simulated KCL application or producers.
    #[cfg(feature = "kinesis")]
    Kinesis(crate::kinesis_controls::KinesisControl),
    /// A control of a simulated Kinesis Data Analytics SQL application (no
    /// AWS API: journaled as a simulation command); `success` is the banner.
    #[cfg(feature = "kinesis")]
    Sql {
        control: crate::sim::SqlControl,
        success: String,
    },
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        {
            let mut sim = next.sim.0.borrow_mut();
            match action {
                Action::Tick(real_ms) => {
                    if !next.playing {
                        return self;
                    }
                    let virtual_ms = real_ms.clamp(0.0, MAX_FRAME_MS) * f64::from(next.speed) + next.carry;
                    #[cfg(feature = "kinesis")]
                    let virtual_ms = crate::kinesis_controls::frame_limit(&sim.engine, virtual_ms);
                    let whole = virtual_ms.floor();
                    next.carry = virtual_ms - whole;
                    if whole < 1.0 {
                        return self;
                    }
                    sim.advance_by(SimDuration::from_millis(whole as u64));
                    #[cfg(feature = "kinesis")]
                    for control in crate::kinesis_controls::over_budget(&sim.engine) {
                        if let Outcome::Ok(_) = sim.perform(Command::Kinesis(control)) {
                            let text = format!(
                                "A producer stopped itself after {} records, so that this tab's memory stays in bounds.",
                                crate::kinesis_controls::PRODUCER_RECORD_BUDGET
                            );
                            next.flash = Some(flash(&self, FlashKind::Success, text));
                        }
                    }
                }
                Action::TogglePlay => next.playing = !next.playing,
                Action::SetSpeed(speed) => next.speed = speed,
                Action::Step => sim.advance_by(SimDuration::from_secs(1)),
                Action::NextDeadline => {
                    if sim.advance_to_next_deadline().is_none() {
                        next.flash = Some(flash(&self, FlashKind::Success, "Nothing is scheduled.".into()));
                    }
                }
                #[cfg(feature = "kinesis")]
                Action::AdvanceTo(at) => {
                    if at > sim.engine.now() {
                        sim.advance_to(at);
                    }
                }
                Action::Reset => {
                    sim.reset();
                    next.selected = None;
                    next.flash = None;
                    #[cfg(feature = "kinesis")]
                    {
                        next.shard_read = None;
                    }
                    next.carry = 0.0;
                }
                Action::ToggleHelp => next.help = !next.help,
                Action::CloseHelp => next.help = false,
                Action::Call { request, success } => match sim.perform(Command::Call(request)) {
                    Outcome::Err(e) => next.flash = Some(flash(&self, FlashKind::Error, e.to_string())),
                    Outcome::Ok(_) | Outcome::Waiting => {
                        if let Some(text) = success {
                            next.flash = Some(flash(&self, FlashKind::Success, text));
                        }
                    }
                },
                Action::CallMany { requests, success } => {
                    next.flash = Some(match sim.perform(Command::CallMany(requests)) {
                        Outcome::Err(e) => flash(&self, FlashKind::Error, e.to_string()),
                        _ => flash(&self, FlashKind::Success, success),
                    });
                }
                Action::DismissFlash => next.flash = None,
                Action::ClientError(text) => next.flash = Some(flash(&self, FlashKind::Error, text)),
                Action::Select(selection) => next.selected = selection,
                Action::AddApp { url, kind } => {
                    sim.perform(Command::AddApp { url, kind });
                }
                Action::CrashApp(id) => {
                    sim.perform(Command::CrashApp(id));
                }
                Action::RemoveApp(id) => {
                    sim.perform(Command::RemoveApp(id));
                }
                Action::SetRealism(on) => {
                    sim.perform(Command::Realism(on));
                }
                #[cfg(feature = "sns")]
                Action::SetEndpointHealth { endpoint, healthy } => {
                    sim.perform(Command::EndpointHealth { endpoint, healthy });
                }
                #[cfg(feature = "sns")]
                Action::SetEndpointLatency { endpoint, seconds } => {
                    sim.perform(Command::EndpointLatency { endpoint, seconds });
                }
                #[cfg(feature = "kinesis")]
                Action::ReadShard { stream, shard_id } => {
                    let read = ShardRead::perform(&mut sim, &stream, &shard_id);
                    if let Some(e) = &read.error {
                        next.flash = Some(flash(&self, FlashKind::Error, e.clone()));
                    }
                    next.shard_read = Some(Rc::new(read));
                }
                #[cfg(feature = "kinesis")]
                Action::CloseShardRead => next.shard_read = None,
                #[cfg(feature = "kinesis")]
                Action::Kinesis(control) => {
                    next.flash = match sim.perform(Command::Kinesis(control)) {
                        Outcome::Err(e) => Some(flash(&self, FlashKind::Error, e.to_string())),
                        Outcome::Ok(serde_json::Value::String(text)) => Some(flash(&self, FlashKind::Success, text)),
                        _ => next.flash.take(),
                    };
                }
                #[cfg(feature = "kinesis")]
                Action::Sql { control, success } => {
                    next.flash = Some(match sim.perform(Command::Sql(control)) {
                        Outcome::Err(e) => flash(&self, FlashKind::Error, e.to_string()),
                        _ => flash(&self, FlashKind::Success, success),
                    });
                }
            }
        }
        next.version += 1;
        Rc::new(next)
    }
}

fn flash(prev: &State, kind: FlashKind, text: String) -> Flash {
    Flash { kind, text, serial: prev.flash.as_ref().map_or(0, |f| f.serial + 1) }
}
