//! The KCL panel of a stream card: the engine's simulated Kinesis Client
//! Library applications reading that stream. Each shows its workers (busy
//! with which shards, idle and why — at most one worker per shard — or
//! crashed), buttons to add, crash, restart and remove a worker, and its
//! lease table drawn as the DynamoDB table the KCL keeps, with the KCL's
//! attribute names, so a learner sees leases move when a crashed worker's
//! leases expire. A form starts a new application.
//!
//! Everything is read from `kinesis_state().kcl_applications()`; every
//! button is a journaled simulation control (`Action::Kinesis`), not an AWS
//! request: the KCL is a client library, not an API.

use decouple_engine::kinesis::kcl::{Checkpoint, KclApplication, Lease, WorkerStatus};
use decouple_engine::kinesis::keys::{self, SequenceNumber};
use decouple_engine::SimTime;
use yew::prelude::*;

use super::Field;
use crate::kinesis_controls::{KclControl, KinesisControl};
use crate::state::{Action, SimRef};
use crate::timefmt;

/// The most workers one form asks for (the engine takes up to 1,000).
const MAX_WORKERS: u32 = 1_000;

#[derive(Properties, PartialEq)]
pub struct KclPanelProps {
    pub sim: SimRef,
    pub version: u64,
    pub stream: AttrValue,
    pub on_action: Callback<Action>,
}

fn control(on_action: &Callback<Action>, c: KclControl) -> Callback<MouseEvent> {
    on_action.reform(move |_: MouseEvent| Action::Kinesis(KinesisControl::Kcl(c.clone())))
}

/// A checkpoint as a person reads it: the sentinel, or the record's
/// position in its shard (the full sequence number is in the title).
fn checkpoint_text(c: &Checkpoint) -> (String, String) {
    match c {
        Checkpoint::Sequence(seq) => {
            let index = SequenceNumber::parse(seq).map_or(String::new(), |s| format!("after #{}", s.index));
            let tail = seq.get(seq.len().saturating_sub(8)..).unwrap_or(seq);
            (format!("…{tail} {index}"), seq.clone())
        }
        other => (other.as_str().to_string(), String::new()),
    }
}

/// Why a running worker holds no lease.
fn idle_reason(app: &KclApplication) -> &'static str {
    let open: Vec<&Lease> = app.leases().filter(|l| !l.is_finished()).collect();
    if open.iter().any(|l| l.owner.is_none() || l.expired) {
        return "idle: a lease is free; it takes it at its next lease-taker run (every 20 s)";
    }
    let most = app.workers().map(|w| open.iter().filter(|l| l.owner.as_ref() == Some(&w.name)).count()).max();
    if most.unwrap_or(0) > 1 {
        "idle for now: it steals one lease from the busiest worker at its next lease-taker run (balancing)"
    } else {
        "idle: no shard left to lease — at most one worker per shard"
    }
}

fn lease_owner_cell(app: &KclApplication, lease: &Lease, now: SimTime) -> Html {
    let Some(owner) = &lease.owner else { return html! { <i class="muted">{ "(none)" }</i> } };
    let crashed = app.worker(owner).is_some_and(|w| w.status == WorkerStatus::Crashed);
    let note = if lease.is_finished() {
        None
    } else if lease.expired {
        Some("expired: the next lease-taker run takes it".to_string())
    } else if crashed {
        let expires = lease.last_renewed + app.config.failover_time;
        Some(format!("crashed · expires in {}", timefmt::countdown(expires.saturating_sub(now))))
    } else {
        None
    };
    // One element, so the stacked layout keeps the note under the owner in the value column.
    html! {
        <span>
            { owner.to_string() }
            if let Some(note) = note { <span class="lease-note">{ note }</span> }
        </span>
    }
}

/// The lease table's attributes, as the KCL names them in DynamoDB.
const ATTRIBUTES: [&str; 7] = [
    "leaseKey",
    "leaseOwner",
    "leaseCounter",
    "checkpoint",
    "ownerSwitchesSinceCheckpoint",
    "parentShardId",
    "childShardIds",
];

/// A camelCase name that may wrap before each capital (a narrow column
/// keeps the exact name; copying it gives the name without breaks).
fn camel_breaks(name: &str) -> Html {
    let mut parts: Vec<Html> = Vec::new();
    let mut start = 0;
    for (i, c) in name.char_indices().skip(1) {
        if c.is_ascii_uppercase() {
            parts.push(html! { <>{ &name[start..i] }<wbr /></> });
            start = i;
        }
    }
    parts.push(html! { { &name[start..] } });
    html! { <>{ for parts }</> }
}

/// An attribute name for a stacked lease (the narrow layout, where CSS shows
/// it before each value): a zero-width space before each capital lets
/// `ownerSwitchesSinceCheckpoint` wrap like [`camel_breaks`] does.
fn stacked_label(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    for (i, c) in name.char_indices() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push('\u{200B}');
        }
        out.push(c);
    }
    out
}

/// The lease table: a table while the card is wide enough for its seven
/// columns; in a narrow card (a phone) CSS stacks each lease into a small
/// card of attribute name and value, from the same markup. Explicit roles
/// keep it a table for screen readers when CSS changes the cells' display.
fn lease_table(app: &KclApplication, now: SimTime) -> Html {
    let caption_id = format!("lease-table-{}", app.id);
    let ids = |shards: &[u32]| -> String {
        if shards.is_empty() {
            String::new()
        } else {
            shards.iter().map(|s| keys::shard_id(*s)).collect::<Vec<_>>().join(", ")
        }
    };
    let [key_label, owner_label, counter_label, checkpoint_label, switches_label, parent_label, children_label] =
        ATTRIBUTES.map(stacked_label);
    html! {
        <>
            <p class="lease-caption" id={caption_id.clone()}>
                { format!("DynamoDB table {} ", app.name) }
                <span class="muted">{ "— the lease table: one item per shard, written only by the KCL" }</span>
            </p>
            <div class="lease-table-wrap">
            <table class="lease-table" role="table" data-testid="lease-table" aria-labelledby={caption_id}>
                <thead role="rowgroup">
                    <tr role="row">
                        { for ATTRIBUTES.iter().map(|name| html! { <th scope="col" role="columnheader">{ camel_breaks(name) }</th> }) }
                    </tr>
                </thead>
                <tbody role="rowgroup">
                    { for app.leases().map(|lease| {
                        let key = lease.lease_key();
                        let (checkpoint, full) = checkpoint_text(&lease.checkpoint);
                        let class = classes!(lease.expired.then_some("expired"), lease.is_finished().then_some("finished"));
                        html! {
                            <tr key={key.clone()} data-lease={key.clone()} {class} role="row">
                                <td role="cell" data-col="leaseKey" data-label={key_label.clone()}><code>{ &key }</code></td>
                                <td role="cell" data-col="leaseOwner" data-label={owner_label.clone()}>{ lease_owner_cell(app, lease, now) }</td>
                                <td role="cell" data-col="leaseCounter" data-label={counter_label.clone()} class="num">{ lease.counter }</td>
                                <td role="cell" data-col="checkpoint" data-label={checkpoint_label.clone()} title={full}>{ checkpoint }</td>
                                <td role="cell" data-col="ownerSwitchesSinceCheckpoint" data-label={switches_label.clone()} class="num">
                                    { lease.owner_switches_since_checkpoint }</td>
                                <td role="cell" data-col="parentShardId" data-label={parent_label.clone()}>{ ids(&lease.parents) }</td>
                                <td role="cell" data-col="childShardIds" data-label={children_label.clone()}>{ ids(&lease.children) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            </div>
        </>
    }
}

fn application(app: &KclApplication, now: SimTime, on_action: &Callback<Action>) -> Html {
    let name = app.name.to_string();
    let open = app.leases().filter(|l| !l.is_finished()).count();
    let running = app.workers().filter(|w| w.status == WorkerStatus::Running).count();
    let idle = app.workers().filter(|w| w.is_idle()).count();
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let rule = format!(
        "{} to lease → at most {} busy; {} running, {} idle. Like the quiz: 10 shards → at most 10 KCL instances.",
        plural(open, "shard"),
        plural(open, "worker"),
        running,
        idle
    );
    let workers = app.workers().map(|w| {
        let wname = w.name.to_string();
        let (state, detail) = match w.status {
            WorkerStatus::Crashed => (
                "crashed",
                "crashed: its leases stay in the table under its name until they go 10 s (failoverTimeMillis) \
                 without renewal"
                    .to_string(),
            ),
            WorkerStatus::Running if w.is_idle() => ("idle", idle_reason(app).to_string()),
            WorkerStatus::Running => {
                // A worker whose lease was stolen reads on until its next renewal is refused.
                let shards: Vec<String> = w
                    .leases()
                    .map(|l| {
                        let id = keys::shard_id(l.shard);
                        match app.lease(l.shard).and_then(|t| t.owner.as_ref()).filter(|o| **o != w.name) {
                            Some(thief) => format!("{id} (taken by {thief}: it finds out at its next renewal)"),
                            None => id,
                        }
                    })
                    .collect();
                ("busy", format!("processing {}", shards.join(", ")))
            }
        };
        let c = |f: fn(String, String) -> KclControl| control(on_action, f(name.clone(), wname.clone()));
        html! {
            <li key={wname.clone()} class={classes!("worker", state)} data-worker={wname.clone()}>
                <div class="worker-head">
                    <b>{ &wname }</b>
                    <span class={classes!("badge", state)}>{ state }</span>
                    <span class="count">{ format!("{} processed", w.processed) }</span>
                </div>
                <p class="worker-detail">{ detail }</p>
                <div class="worker-actions">
                    if w.status == WorkerStatus::Running {
                        <button type="button" class="danger"
                            onclick={c(|app, worker| KclControl::CrashWorker { app, worker })}>{ "Crash" }</button>
                    } else {
                        <button type="button"
                            onclick={c(|app, worker| KclControl::RestartWorker { app, worker })}>{ "Restart" }</button>
                    }
                    <button type="button" title="A graceful shutdown: checkpoint, then release its leases"
                        onclick={c(|app, worker| KclControl::RemoveWorker { app, worker })}>{ "Remove" }</button>
                </div>
            </li>
        }
    });
    html! {
        <div class="kcl-app" key={name.clone()} data-app={name.clone()}>
            <header>
                <h4>{ &name }</h4>
                <span class="count" data-testid="kcl-processed">{ format!("{} records processed", app.processed()) }</span>
                <div class="card-actions">
                    <button type="button" onclick={control(on_action, KclControl::AddWorker { app: name.clone() })}>
                        { "Add worker" }</button>
                    <button type="button" class="danger" onclick={control(on_action, KclControl::Delete { app: name.clone() })}>
                        { "Stop application" }</button>
                </div>
            </header>
            <p class="rule" data-testid="kcl-rule">{ rule }</p>
            <ul class="workers" aria-label={format!("Workers of {name}")}>{ for workers }</ul>
            { lease_table(app, now) }
        </div>
    }
}

#[derive(Clone, PartialEq)]
struct CreateFields {
    name: String,
    workers: String,
}

#[function_component(KclPanel)]
pub fn kcl_panel(p: &KclPanelProps) -> Html {
    let stream = p.stream.to_string();
    let form = use_state(|| CreateFields { name: format!("{stream}-consumer"), workers: "2".into() });
    let problem = use_state(|| None::<String>);
    let onsubmit = {
        let (form, problem, on_action, stream) = (form.clone(), problem.clone(), p.on_action.clone(), stream.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let workers = match form.workers.trim().parse::<u32>() {
                Ok(n) if n <= MAX_WORKERS => n,
                _ => {
                    problem.set(Some(format!("Workers: a whole number from 0 to {MAX_WORKERS}.")));
                    return;
                }
            };
            problem.set(None);
            let app = form.name.trim().to_string();
            on_action.emit(Action::Kinesis(KinesisControl::Kcl(KclControl::Create {
                app,
                stream: stream.clone(),
                workers,
            })));
        })
    };
    let sim = p.sim.0.borrow();
    let now = sim.engine.now();
    let apps: Vec<Html> = sim
        .engine
        .kinesis_state()
        .kcl_applications()
        .filter(|a| a.stream == stream)
        .map(|a| application(a, now, &p.on_action))
        .collect();
    drop(sim);
    let f = (*form).clone();
    let id = |field: &str| format!("ks-{}-kcl-{field}", stream.replace('.', "-"));
    html! {
        <section class="kcl" aria-label={format!("KCL applications reading {stream}")}>
            <h3>{ "KCL consumer applications" }</h3>
            <p class="hint">
                { "The Kinesis Client Library is a client library that runs inside your consumers, not an AWS API: \
                   its workers' own GetRecords calls and its DynamoDB lease-table writes are not in the API log. \
                   Each worker leases shards from the table; a shard is leased by one worker at a time." }
            </p>
            { for apps }
            <form class="kcl-form" {onsubmit} novalidate=true aria-label={format!("Start a KCL application on {stream}")}>
                <Field id={id("name")} label="Application name" value={f.name.clone()}
                    hint="Also the name of its DynamoDB lease table"
                    oninput={super::setter(&form, |f, v| f.name = v)} />
                <Field id={id("workers")} label="Workers" value={f.workers.clone()} numeric=true
                    hint="Instances of the application (EC2 instances, containers…)"
                    oninput={super::setter(&form, |f, v| f.workers = v)} />
                <button type="submit" class="primary">{ "Start KCL application" }</button>
                if let Some(text) = &*problem { <p class="error-text" role="alert">{ text }</p> }
            </form>
        </section>
    }
}
