//! Amazon Kinesis Data Streams (the Kinesis page, `kinesis` feature): the
//! create-stream form, and a card per stream that draws what the course
//! explains in words — its status and what happens next, its retention, the
//! 128-bit hash key space split among the open shards (closed shards listed
//! with their parents and children), one lane per open shard with its newest
//! records as chips coloured by partition key, per-shard write meters for the
//! current virtual second against the quotas, resharding buttons, a put form
//! (one record, or N as PutRecords batches to provoke throttling) and a
//! "Get records" read from TRIM_HORIZON, retention changes; and under them
//! the stream's simulated producers and KCL applications (whose checkpoints
//! are marked among the lane's chips) and its CloudWatch charts.
//!
//! Everything is read from `engine.kinesis_state()`; every change is a
//! Kinesis request through the gateway (see `api.rs`).

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use base64::Engine as _;
use decouple_engine::kinesis::kcl::Checkpoint;
use decouple_engine::kinesis::keys::SequenceNumber;
use decouple_engine::kinesis::{Shard, StreamMode, StreamStatus, STREAM_CREATE_DELAY, STREAM_DELETE_DELAY};
use decouple_engine::{SimDuration, SimTime};
use serde_json::{json, Value};
use yew::prelude::*;

use super::kcl_panel::KclPanel;
use super::producer_panel::ProducerPanel;
use super::stream_metrics::StreamMonitoring;
use super::{checked, group_hue, select_value, Field};
use crate::api::ApiRequest;
use crate::state::{Action, ShardRead, SimRef};
use crate::timefmt;

/// Most record chips drawn per shard lane (the newest); the shard keeps more.
pub const CHIPS_PER_LANE: usize = 50;
/// Most records listed from one "Get records".
const READ_SHOWN: usize = 50;
/// The most records one "Put N records" sends.
pub const MAX_PUT: u32 = 2_000;
/// PutRecords takes at most this many records per call.
const BATCH: usize = 500;
/// A shard's meter stays red this long after it throttled a write.
const THROTTLE_SHOWN: SimDuration = SimDuration::from_secs(5);
/// Per-shard write quotas, per second.
const WRITE_RECORDS: u64 = 1_000;
const WRITE_BYTES: u64 = 1024 * 1024;

fn stream_dom_id(name: &str) -> String {
    format!("ks-{}", name.replace('.', "-"))
}

fn plural(n: usize, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

#[derive(Clone, PartialEq)]
struct CreateForm {
    name: String,
    shards: String,
    on_demand: bool,
}

#[derive(Properties, PartialEq)]
pub struct StreamFormProps {
    pub on_action: Callback<Action>,
}

/// CreateStream: a name and a shard count (provisioned), or on-demand.
#[function_component(StreamForm)]
pub fn stream_form(p: &StreamFormProps) -> Html {
    let form = use_state(|| CreateForm { name: "clicks".into(), shards: "2".into(), on_demand: false });
    let onsubmit = {
        let (form, on_action) = (form.clone(), p.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = form.name.trim().to_string();
            let (count, mode) = if form.on_demand {
                (Value::Null, json!({"StreamMode": "ON_DEMAND"}))
            } else {
                (super::number_member(&form.shards), Value::Null)
            };
            let request = ApiRequest::kinesis(
                "CreateStream",
                [("StreamName", json!(name)), ("ShardCount", count), ("StreamModeDetails", mode)],
            );
            let success = format!(
                "Stream {name} created: CREATING for its first {} virtual seconds, then ACTIVE.",
                STREAM_CREATE_DELAY.as_secs()
            );
            on_action.emit(Action::Call { request, success: Some(success) });
        })
    };
    let on_mode = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.on_demand = select_value(&e) == "on-demand";
            form.set(f);
        })
    };
    let f = (*form).clone();
    html! {
        <form class="stream-form" {onsubmit} novalidate=true aria-label="Create stream">
            <h2 id="create-heading">{ "Create data stream" }</h2>
            <Field id="stream-name" label="Stream name" value={f.name.clone()}
                hint="1–128 characters: letters, digits, _ - ."
                oninput={super::setter(&form, |f, v| f.name = v)} />
            <div class="field">
                <label for="stream-mode">{ "Capacity mode" }</label>
                <select id="stream-mode" onchange={on_mode}>
                    <option value="provisioned" selected={!f.on_demand}>{ "Provisioned" }</option>
                    <option value="on-demand" selected={f.on_demand}>{ "On-demand" }</option>
                </select>
            </div>
            if f.on_demand {
                <p class="hint">{ "On-demand streams start with 4 shards and are billed per GB, not per shard." }</p>
            } else {
                <Field id="stream-shards" label="Shards" value={f.shards.clone()} numeric=true
                    hint="Each shard takes 1,000 records or 1 MiB a second, and serves 2 MiB a second to readers"
                    oninput={super::setter(&form, |f, v| f.shards = v)} />
            }
            <button type="submit" class="primary">{ "Create stream" }</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct StreamsProps {
    pub sim: SimRef,
    pub version: u64,
    pub shard_read: Option<Rc<ShardRead>>,
    pub on_action: Callback<Action>,
}

/// The stream cards.
#[function_component(Streams)]
pub fn streams(p: &StreamsProps) -> Html {
    let names: Vec<String> = p.sim.0.borrow().engine.kinesis_state().streams().map(|s| s.name.to_string()).collect();
    html! {
        <section id="streams" class="streams" aria-label="Data streams">
            if names.is_empty() {
                <p class="empty">{ "No streams yet. Create one with two shards to start." }</p>
            }
            { for names.into_iter().map(|name| {
                let read = p.shard_read.clone().filter(|r| r.stream == name);
                html! {
                    <StreamCard key={name.clone()} name={name.clone()} sim={p.sim.clone()} version={p.version}
                        {read} on_action={p.on_action.clone()} />
                }
            }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct StreamCardProps {
    pub name: AttrValue,
    pub sim: SimRef,
    pub version: u64,
    pub read: Option<Rc<ShardRead>>,
    pub on_action: Callback<Action>,
}

/// Per shard: the write-throttled count last seen, and when it last grew.
type ThrottleMemo = BTreeMap<u32, (u64, Option<SimTime>)>;

fn status_text(status: StreamStatus) -> &'static str {
    match status {
        StreamStatus::Creating => {
            "CREATING: AWS is provisioning the shards (here 10 virtual seconds; ⇥ Next deadline jumps there). \
             Writes and reads are refused until the stream is ACTIVE."
        }
        StreamStatus::Updating => {
            "UPDATING: resharding. Writes and reads go on; when it finishes (10 s, 30 s for UpdateShardCount) \
             the parent shards close and their children take over their hash keys."
        }
        StreamStatus::Active => "ACTIVE: ready for writes and reads.",
        StreamStatus::Deleting => "DELETING: the stream and its records go away in 10 virtual seconds.",
    }
}

/// The share of the 128-bit hash key space a range covers, in percent.
fn share_percent(start: u128, end: u128) -> f64 {
    (end.saturating_sub(start) as f64 + 1.0) / (u128::MAX as f64 + 1.0) * 100.0
}

/// A shard's colour on the hash bar: neighbours differ, and none is red,
/// which on this page means throttled (a new stream's one shard was red).
fn shard_hue(number: u32) -> u32 {
    const FROM: u32 = 40;
    const SPAN: u32 = 280;
    FROM + number.wrapping_mul(67) % SPAN
}

/// (records, bytes) the shard took in the virtual second `now` is in.
fn this_second(shard: &Shard, now: SimTime) -> (u64, u64) {
    let second_start = now.0 / 1000 * 1000;
    shard
        .records
        .iter()
        .rev()
        .take_while(|r| r.arrival.0 >= second_start)
        .fold((0, 0), |(n, b), r| (n + 1, b + r.size() as u64))
}

/// Per-shard read quotas, per second: GetRecords calls and bytes, shared by
/// every GetRecords reader of the shard (enhanced fan-out has its own).
const READ_CALLS: u64 = 5;
const READ_BYTES: u64 = 2 * 1024 * 1024;

/// The shard's read meters for the current virtual second, red when a
/// GetRecords would be refused.
fn read_meters(shard: &Shard, now: SimTime) -> Html {
    let reads = shard.reads_at(now);
    let calls = u64::from(reads.calls);
    let hot = calls >= READ_CALLS || reads.blocked_until.is_some();
    html! {
        <>
            { meter("Reads", calls, READ_CALLS, format!("{calls} / 5 GetRecords this second"), hot) }
            { meter("Read bytes", reads.bytes, READ_BYTES, format!("{} B / 2 MiB", reads.bytes), hot) }
            if let Some(until) = reads.blocked_until {
                <p class="throttled hot" data-testid="reads-blocked">
                    { format!("Reads refused for {}: a GetRecords returned more than 2 MiB, paid off at 2 MiB/s",
                        timefmt::countdown(until.saturating_sub(now))) }
                </p>
            }
            if shard.metrics.read_throttled > 0 {
                <p class="throttled" data-testid="read-throttled">
                    { format!("{} reads throttled", shard.metrics.read_throttled) }
                </p>
            }
        </>
    }
}

fn meter(label: &str, used: u64, max: u64, text: String, hot: bool) -> Html {
    let percent = (used as f64 / max as f64 * 100.0).clamp(0.0, 100.0);
    html! {
        <div class={classes!("meter", hot.then_some("hot"))}>
            <span class="meter-label">{ label }</span>
            <span class="meter-track" role="meter" aria-label={label.to_string()} aria-valuemin="0"
                aria-valuemax={max.to_string()} aria-valuenow={used.min(max).to_string()}>
                <span class="meter-fill" style={format!("width:{percent:.1}%")}></span>
            </span>
            <span class="meter-text">{ text }</span>
        </div>
    }
}

#[function_component(StreamCard)]
pub fn stream_card(p: &StreamCardProps) -> Html {
    let memo = use_mut_ref(ThrottleMemo::new);
    let target = use_state(String::new);
    let name = p.name.to_string();
    let sim = p.sim.0.borrow();
    let now = sim.engine.now();
    let start = sim.start();
    let Some(stream) = sim.engine.kinesis_state().stream(&name) else { return html! {} };

    let call = |action: &'static str, members: Vec<(&'static str, Value)>, success: Option<String>| {
        let on_action = p.on_action.clone();
        let stream = name.clone();
        Callback::from(move |_: MouseEvent| {
            let mut all = vec![("StreamName", json!(stream))];
            all.extend(members.iter().cloned());
            on_action.emit(Action::Call { request: ApiRequest::kinesis(action, all), success: success.clone() });
        })
    };
    let delete = call(
        "DeleteStream",
        Vec::new(),
        Some(format!(
            "Stream {name} deleted: DELETING for its last {} virtual seconds.",
            STREAM_DELETE_DELAY.as_secs()
        )),
    );
    let update_count = {
        let (on_action, stream, target) = (p.on_action.clone(), name.clone(), target.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let request = ApiRequest::kinesis(
                "UpdateShardCount",
                [
                    ("StreamName", json!(stream)),
                    ("TargetShardCount", super::number_member(&target)),
                    ("ScalingType", json!("UNIFORM_SCALING")),
                ],
            );
            let success = Some(format!("{stream} is UPDATING: UpdateShardCount takes 30 virtual seconds."));
            on_action.emit(Action::Call { request, success });
        })
    };

    let mut open: Vec<&Shard> = stream.open_shards().collect();
    open.sort_by_key(|s| s.range.starting);
    let closed: Vec<&Shard> = stream.shards.iter().filter(|s| !s.is_open()).collect();
    let id_of = |n: u32| decouple_engine::kinesis::keys::shard_id(n);

    // Which shards throttled a write lately: the counter's growth since the last render.
    let hot: BTreeMap<u32, bool> = {
        let mut memo: std::cell::RefMut<'_, ThrottleMemo> = RefCell::borrow_mut(&memo);
        open.iter()
            .map(|s| {
                let throttled = s.metrics.write_throttled;
                let entry = memo.entry(s.number).or_insert((throttled, None));
                if throttled > entry.0 {
                    *entry = (throttled, Some(now));
                }
                let recent = entry.1.is_some_and(|at| now.saturating_sub(at) < THROTTLE_SHOWN);
                (s.number, recent)
            })
            .collect()
    };

    let hash_bar = html! {
        <div class="hash-space">
            <div class="hash-bar" role="img"
                aria-label={format!("The hash key space 0 to 2^128 − 1, split among {}", plural(open.len(), "open shard"))}>
                { for open.iter().map(|s| {
                    let title = format!("{}: hash keys {} – {}", s.id(), s.range.starting, s.range.ending);
                    html! {
                        <span class="segment" data-shard={s.id()} {title}
                            style={format!("width:{:.3}%;--hue:{}", share_percent(s.range.starting, s.range.ending),
                                shard_hue(s.number))}>
                            { s.number }
                        </span>
                    }
                }) }
            </div>
            <div class="hash-ends"><span>{ "0" }</span><span>{ "2¹²⁸ − 1" }</span></div>
        </div>
    };

    let read_view = |shard_id: &str| -> Html {
        let Some(read) = p.read.as_ref().filter(|r| r.shard_id == shard_id) else { return html! {} };
        let close = p.on_action.reform(|_: MouseEvent| Action::CloseShardRead);
        let more = read.records.len().saturating_sub(READ_SHOWN);
        html! {
            <div class="shard-read" data-testid="shard-read">
                <header>
                    <b>{ format!("GetRecords from TRIM_HORIZON: {}", plural(read.records.len(), "record")) }</b>
                    <span class="behind">{ format!("MillisBehindLatest: {}", read.millis_behind_latest) }</span>
                    <button type="button" onclick={close} aria-label="Close records">{ "×" }</button>
                </header>
                if let Some(e) = &read.error { <p class="error-text">{ e }</p> }
                if !read.records.is_empty() {
                    <table>
                        <thead><tr><th>{ "Sequence number" }</th><th>{ "Partition key" }</th><th>{ "Data" }</th></tr></thead>
                        <tbody>
                            { for read.records.iter().take(READ_SHOWN).map(|(seq, key, data)| html! {
                                <tr><td><code>{ seq }</code></td><td>{ key }</td><td>{ data }</td></tr>
                            }) }
                        </tbody>
                    </table>
                }
                if more > 0 { <p class="more">{ format!("+ {more} more (a real consumer reads on with NextShardIterator)") }</p> }
            </div>
        }
    };

    // Where each KCL application reading this stream has checkpointed, per shard.
    let checkpoints: BTreeMap<u32, Vec<(String, u64)>> = {
        let mut by_shard: BTreeMap<u32, Vec<(String, u64)>> = BTreeMap::new();
        for app in sim.engine.kinesis_state().kcl_applications().filter(|a| a.stream == name) {
            for lease in app.leases() {
                let Some(shard) = stream.shards.iter().find(|s| s.number == lease.shard) else { continue };
                // The index of the last record processed and checkpointed (0: none yet).
                let after = match &lease.checkpoint {
                    Checkpoint::Sequence(seq) => SequenceNumber::parse(seq).map_or(0, |s| s.index),
                    Checkpoint::TrimHorizon => shard.trim_horizon().saturating_sub(1),
                    Checkpoint::Latest | Checkpoint::ShardEnd => continue,
                };
                by_shard.entry(lease.shard).or_default().push((app.name.to_string(), after));
            }
        }
        by_shard
    };

    let lanes = open.iter().enumerate().map(|(i, s)| {
        let shard_id = s.id();
        let (records, bytes) = this_second(s, now);
        let is_hot = hot.get(&s.number).copied().unwrap_or(false);
        let shown: Vec<_> = s.records.iter().rev().take(CHIPS_PER_LANE).collect::<Vec<_>>().into_iter().rev().collect();
        let marks = checkpoints.get(&s.number).map(Vec::as_slice).unwrap_or_default();
        // A checkpoint is drawn after the chip it names; one behind the
        // oldest chip shown goes first, with its record number.
        let first_shown = shown.first().map_or(u64::MAX, |r| r.index);
        let marker = |app: &String, a: u64| {
            let behind = a + 1 < first_shown;
            html! {
                <li key={format!("checkpoint-{app}")} class={classes!("checkpoint", behind.then_some("behind"))}
                    data-testid="checkpoint"
                    title={format!("{app} checkpointed here: records up to #{a} are processed; a worker taking this lease resumes after it")}>
                    <span aria-hidden="true">{ if behind { format!("⚑ #{a} …") } else { "⚑".to_string() } }</span>
                    <span class="sr-only">{ format!("{app} checkpoint after #{a}") }</span>
                </li>
            }
        };
        let mut chips: Vec<Html> = Vec::with_capacity(shown.len() + 1);
        if !shown.is_empty() {
            chips.extend(marks.iter().filter(|(_, a)| *a < first_shown).map(|(app, a)| marker(app, *a)));
        }
        for r in &shown {
            let key = s.partition_key(r);
            let title = format!("sequence number {} · partition key {key}", s.record_sequence_number(r));
            chips.push(html! {
                <li key={r.index}>
                    <span class="chip record" style={format!("--hue:{}", group_hue(key))} {title}>
                        <b>{ format!("#{}", r.index) }</b>
                        <span class="preview">{ key }</span>
                    </span>
                </li>
            });
            chips.extend(marks.iter().filter(|(_, a)| *a == r.index).map(|(app, a)| marker(app, *a)));
        }
        let more = s.records.len().saturating_sub(CHIPS_PER_LANE);
        let mid = s.range.starting.saturating_add(s.range.ending.saturating_sub(s.range.starting) / 2).saturating_add(1);
        let split = call(
            "SplitShard",
            vec![("ShardToSplit", json!(shard_id)), ("NewStartingHashKey", json!(mid.to_string()))],
            Some(format!("Splitting {shard_id} at its midpoint: UPDATING for 10 virtual seconds.")),
        );
        let neighbour = open.get(i + 1).filter(|n| s.range.ending.checked_add(1) == Some(n.range.starting));
        let merge = neighbour.map(|n| {
            call(
                "MergeShards",
                vec![("ShardToMerge", json!(shard_id)), ("AdjacentShardToMerge", json!(n.id()))],
                Some(format!("Merging {shard_id} with {}: UPDATING for 10 virtual seconds.", n.id())),
            )
        });
        let read = {
            let (on_action, stream, shard_id) = (p.on_action.clone(), name.clone(), shard_id.clone());
            Callback::from(move |_: MouseEvent| {
                on_action.emit(Action::ReadShard { stream: stream.clone(), shard_id: shard_id.clone() })
            })
        };
        let parents: Vec<String> = s.parent.iter().chain(&s.adjacent_parent).map(|n| id_of(*n)).collect();
        html! {
            <div class={classes!("lane", "shard-lane", is_hot.then_some("hot"))} key={shard_id.clone()} data-shard={shard_id.clone()}>
                <h3>{ &shard_id }<span class="count">{ plural(s.records.len(), "record") }</span></h3>
                if !parents.is_empty() {
                    <p class="lineage">{ format!("child of {}", parents.join(" + ")) }</p>
                }
                <div class="meters" data-testid="meters">
                    { meter("Records", records, WRITE_RECORDS, format!("{records} / 1,000 this second"), is_hot) }
                    { meter("Bytes", bytes, WRITE_BYTES, format!("{bytes} B / 1 MiB"), is_hot) }
                    if s.metrics.write_throttled > 0 {
                        <p class={classes!("throttled", is_hot.then_some("hot"))} data-testid="throttled">
                            { format!("{} writes throttled (ProvisionedThroughputExceededException)", s.metrics.write_throttled) }
                        </p>
                    }
                    { read_meters(s, now) }
                </div>
                <ol class="chips" aria-label={format!("Newest records in {shard_id}")}>{ for chips }</ol>
                if more > 0 { <p class="more">{ format!("+ {more} older") }</p> }
                <div class="shard-actions">
                    <button type="button" onclick={split}>{ "Split" }</button>
                    if let Some(merge) = merge {
                        <button type="button" onclick={merge} title="Merge with the shard to its right in the hash space">{ "Merge →" }</button>
                    }
                    <button type="button" onclick={read}>{ "Get records" }</button>
                </div>
                { read_view(&shard_id) }
            </div>
        }
    });

    let closed_view = (!closed.is_empty()).then(|| {
        html! {
            <div class="closed-shards">
                <h3>{ "Closed shards" }</h3>
                <ul>
                    { for closed.iter().map(|s| {
                        let children: Vec<String> = stream
                            .shards
                            .iter()
                            .filter(|c| c.parent == Some(s.number) || c.adjacent_parent == Some(s.number))
                            .map(|c| c.id())
                            .collect();
                        let parents: Vec<String> = s.parent.iter().chain(&s.adjacent_parent).map(|n| id_of(*n)).collect();
                        let when = s.closed_at.map(|t| timefmt::relative(t.saturating_sub(start))).unwrap_or_default();
                        html! {
                            <li class="closed" data-shard={s.id()}>
                                <b>{ s.id() }</b>
                                { format!(" closed at {when} · {} kept until retention", plural(s.records.len(), "record")) }
                                if !parents.is_empty() { { format!(" · child of {}", parents.join(" + ")) } }
                                if !children.is_empty() { { format!(" → {}", children.join(", ")) } }
                                <button type="button" class="link" onclick={{
                                    let (on_action, stream, id) = (p.on_action.clone(), name.clone(), s.id());
                                    Callback::from(move |_: MouseEvent| on_action.emit(Action::ReadShard { stream: stream.clone(), shard_id: id.clone() }))
                                }}>{ "Get records" }</button>
                                { read_view(&s.id()) }
                            </li>
                        }
                    }) }
                </ul>
            </div>
        }
    });

    let status = stream.status;
    let retention_hours = stream.retention_hours;
    let retention_days = stream.retention_hours / 24;
    let mode = stream.mode;
    let open_count = open.len();
    let lanes: Vec<Html> = lanes.collect();
    drop(sim);
    html! {
        <article class="card stream" id={stream_dom_id(&name)} aria-labelledby={format!("{}-t", stream_dom_id(&name))}
            data-stream={name.clone()}>
            <header>
                <h2 id={format!("{}-t", stream_dom_id(&name))}>{ &name }</h2>
                <span class={classes!("badge", "status", status.as_str().to_ascii_lowercase())} data-testid="stream-status">
                    { status.as_str() }</span>
                <span class="badge">{ if mode == StreamMode::OnDemand { "On-demand" } else { "Provisioned" } }</span>
                <span class="badge">{ plural(open_count, "open shard") }</span>
                <div class="card-actions">
                    <button type="button" class="danger" onclick={delete}>{ "Delete" }</button>
                </div>
            </header>
            <p class="status-text">{ status_text(status) }</p>
            <p class="settings">
                { format!("Retention {} h{} · 24 h by default, up to 365 days (8,760 h) — the course's 7-day maximum is outdated.",
                    retention_days * 24, if retention_days >= 1 { format!(" ({})", plural(retention_days as usize, "day")) } else { String::new() }) }
            </p>
            { hash_bar }
            <div class="lanes shard-lanes">{ for lanes }</div>
            { closed_view.unwrap_or_default() }
            <div class="forms">
                <PutForm stream={name.clone()} on_action={p.on_action.clone()} />
                <form class="reshard" onsubmit={update_count} aria-label={format!("Update shard count of {name}")} novalidate=true>
                    <Field id={format!("{}-target", stream_dom_id(&name))} label="Target shard count" value={(*target).clone()}
                        numeric=true hint="UpdateShardCount (uniform scaling): at most double or halve the open shards"
                        oninput={Callback::from(move |v: String| target.set(v))} />
                    <button type="submit">{ "Update shard count" }</button>
                </form>
                <RetentionForm stream={name.clone()} hours={retention_hours} on_action={p.on_action.clone()} />
            </div>
            <div class="stream-tools">
                <ProducerPanel sim={p.sim.clone()} version={p.version} stream={name.clone()} on_action={p.on_action.clone()} />
                <KclPanel sim={p.sim.clone()} version={p.version} stream={name.clone()} on_action={p.on_action.clone()} />
                <super::fanout_panel::FanOutPanel sim={p.sim.clone()} version={p.version} stream={name.clone()}
                    on_action={p.on_action.clone()} />
            </div>
            <StreamMonitoring sim={p.sim.clone()} version={p.version} stream={name.clone()} />
        </article>
    }
}

#[derive(Properties, PartialEq)]
pub struct RetentionFormProps {
    pub stream: AttrValue,
    pub hours: u32,
    pub on_action: Callback<Action>,
}

/// IncreaseStreamRetentionPeriod and DecreaseStreamRetentionPeriod: two
/// APIs, as in AWS, each refusing a change the wrong way with AWS's error.
#[function_component(RetentionForm)]
pub fn retention_form(p: &RetentionFormProps) -> Html {
    let hours = use_state(|| "168".to_string());
    let stream = p.stream.to_string();
    let change = |action: &'static str| {
        let (hours, on_action, stream) = (hours.clone(), p.on_action.clone(), stream.clone());
        Callback::from(move |_: MouseEvent| {
            let request = ApiRequest::kinesis(
                action,
                [("StreamName", json!(stream)), ("RetentionPeriodHours", super::number_member(&hours))],
            );
            let success = Some(format!("{stream} now keeps records for {} hours.", hours.trim()));
            on_action.emit(Action::Call { request, success });
        })
    };
    let id = format!("{}-retention", stream_dom_id(&stream));
    let (increase, decrease) = (change("IncreaseStreamRetentionPeriod"), change("DecreaseStreamRetentionPeriod"));
    html! {
        <form class="retention" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())} novalidate=true
            aria-label={format!("Retention of {stream}")}>
            <Field id={id} label="Retention period (hours)" value={(*hours).clone()} numeric=true
                hint={format!("Now {} h. 24 (the default) to 8,760 (365 days); longer than 24 h costs extra", p.hours)}
                oninput={Callback::from(move |v: String| hours.set(v))} />
            <div class="row-buttons">
                <button type="button" onclick={increase}>{ "Increase retention" }</button>
                <button type="button" onclick={decrease}>{ "Decrease retention" }</button>
            </div>
        </form>
    }
}

#[derive(Clone, PartialEq)]
struct PutFields {
    key: String,
    data: String,
    hash: String,
    count: String,
    same_key: bool,
}

#[derive(Properties, PartialEq)]
pub struct PutFormProps {
    pub stream: AttrValue,
    pub on_action: Callback<Action>,
}

/// The base64 `Data` member for a text.
fn data_member(text: &str) -> Value {
    json!(base64::engine::general_purpose::STANDARD.encode(text.as_bytes()))
}

/// PutRecords calls of at most 500 records for "Put N records": keys
/// `user-1`…`user-N`, or `key` for all of them.
pub fn put_batches(stream: &str, n: u32, key: Option<&str>, data: &str, hash: Option<&str>) -> Vec<ApiRequest> {
    let records: Vec<Value> = (1..=n)
        .map(|i| {
            let key = key.map_or_else(|| format!("user-{i}"), str::to_string);
            let mut r = json!({"Data": data_member(data), "PartitionKey": key});
            if let Some(h) = hash {
                r["ExplicitHashKey"] = json!(h);
            }
            r
        })
        .collect();
    records
        .chunks(BATCH)
        .map(|chunk| ApiRequest::kinesis("PutRecords", [("StreamName", json!(stream)), ("Records", json!(chunk))]))
        .collect()
}

/// PutRecord, and "Put N records" as PutRecords batches.
#[function_component(PutForm)]
pub fn put_form(p: &PutFormProps) -> Html {
    let form = use_state(|| PutFields {
        key: "user-1".into(),
        data: "{\"page\":\"/home\"}".into(),
        hash: String::new(),
        count: "10".into(),
        same_key: false,
    });
    let problem = use_state(|| None::<String>);
    let stream = p.stream.to_string();
    let hash_of = |f: &PutFields| Some(f.hash.trim().to_string()).filter(|h| !h.is_empty());
    let put_one = {
        let (form, on_action, stream) = (form.clone(), p.on_action.clone(), stream.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let request = ApiRequest::kinesis(
                "PutRecord",
                [
                    ("StreamName", json!(stream)),
                    ("PartitionKey", json!(form.key)),
                    ("Data", data_member(&form.data)),
                    ("ExplicitHashKey", hash_of(&form).map_or(Value::Null, Value::from)),
                ],
            );
            on_action.emit(Action::Call { request, success: None });
        })
    };
    let put_many = {
        let (form, on_action, stream, problem) = (form.clone(), p.on_action.clone(), stream.clone(), problem.clone());
        Callback::from(move |_: MouseEvent| {
            let n = match form.count.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_PUT).contains(&n) => n,
                _ => {
                    problem.set(Some(format!("How many: a whole number from 1 to {MAX_PUT}.")));
                    return;
                }
            };
            problem.set(None);
            let key = form.same_key.then_some(form.key.as_str());
            let requests = put_batches(&stream, n, key, &form.data, hash_of(&form).as_deref());
            let calls = requests.len();
            let keys = if form.same_key { format!("key {}", form.key) } else { format!("keys user-1…user-{n}") };
            let success = format!("Put {n} records ({keys}) in {}.", plural(calls, "PutRecords call"));
            on_action.emit(Action::CallMany { requests, success });
        })
    };
    let on_same = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.same_key = checked(&e);
            form.set(f);
        })
    };
    let f = (*form).clone();
    let id = |field: &str| format!("{}-{field}", stream_dom_id(&stream));
    html! {
        <form class="put-form" onsubmit={put_one} novalidate=true aria-label={format!("Put records into {stream}")}>
            <Field id={id("key")} label="Partition key" value={f.key.clone()}
                hint="MD5 of the key picks the shard; 1–256 characters"
                oninput={super::setter(&form, |f, v| f.key = v)} />
            <div class="field">
                <label for={id("data")}>{ "Data" }</label>
                <textarea id={id("data")} rows="2" value={f.data.clone()}
                    oninput={super::setter(&form, |f, v| f.data = v).reform(|e: InputEvent| super::textarea_value(&e))} />
                <small>{ "Sent as text (base64 on the wire), up to 1 MiB with the key" }</small>
            </div>
            <Field id={id("hash")} label="Explicit hash key (optional)" value={f.hash.clone()}
                hint="A decimal number from 0 to 2¹²⁸ − 1: overrides the key's MD5"
                oninput={super::setter(&form, |f, v| f.hash = v)} />
            <button type="submit" class="primary">{ "Put record" }</button>
            <div class="put-many">
                <Field id={id("count")} label="How many" value={f.count.clone()} numeric=true
                    hint="Up to 2,000, as PutRecords calls of 500"
                    oninput={super::setter(&form, |f, v| f.count = v)} />
                <div class="field check">
                    <input id={id("same")} type="checkbox" checked={f.same_key} onchange={on_same} />
                    <label for={id("same")}>{ "All with the partition key above" }</label>
                    <small>{ "Off: keys user-1…user-N spread over the shards. On: one hot shard." }</small>
                </div>
                <button type="button" onclick={put_many}>{
                    if f.count.trim() == "1" { "Put 1 record".to_string() } else { format!("Put {} records", f.count.trim()) }
                }</button>
                if let Some(text) = &*problem { <p class="error-text" role="alert">{ text }</p> }
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn put_n_makes_batches_of_500_with_keys() {
        let batches = put_batches("s", 1_200, None, "x", None);
        assert_eq!(batches.len(), 3);
        let records = |i: usize| batches[i].body["Records"].as_array().unwrap().clone();
        assert_eq!(records(0).len(), 500);
        assert_eq!(records(2).len(), 200);
        assert_eq!(records(0)[0]["PartitionKey"], "user-1");
        assert_eq!(records(2)[199]["PartitionKey"], "user-1200");
        assert_eq!(records(0)[0]["Data"], "eA==");
        let hot = put_batches("s", 2, Some("k"), "", Some("5"));
        assert_eq!(hot[0].body["Records"][1], json!({"Data": "", "PartitionKey": "k", "ExplicitHashKey": "5"}));
        assert!(hot[0].cli().starts_with("aws kinesis put-records --records '[{"));
    }

    #[test]
    fn shard_colours_stay_out_of_red_and_neighbours_differ() {
        let red = |hue: u32| !(30..=330).contains(&hue);
        for n in 0..1_000 {
            assert!(!red(shard_hue(n)), "shard {n}: hue {}", shard_hue(n));
            let gap = shard_hue(n).abs_diff(shard_hue(n + 1));
            assert!(gap >= 40, "shards {n} and {}: hues {} and {}", n + 1, shard_hue(n), shard_hue(n + 1));
        }
    }

    #[test]
    fn the_hash_space_shares_add_up() {
        let half = u128::MAX / 2;
        let total = share_percent(0, half) + share_percent(half + 1, u128::MAX);
        assert!((total - 100.0).abs() < 1e-9);
        assert!((share_percent(0, u128::MAX) - 100.0).abs() < 1e-9);
    }
}

#[cfg(test)]
mod sim_tests {
    use super::*;
    use crate::sim::{Command, Outcome, Sim};

    #[test]
    fn a_hot_key_is_throttled_and_the_journal_replays() {
        let mut sim = Sim::new(7);
        let create = ApiRequest::kinesis("CreateStream", [("StreamName", json!("s")), ("ShardCount", json!(2))]);
        assert!(matches!(sim.perform(Command::Call(create)), Outcome::Ok(_)));
        sim.advance_by(SimDuration::from_secs(10));
        assert_eq!(sim.engine.kinesis_state().stream("s").unwrap().status, StreamStatus::Active);
        let Outcome::Err(e) = sim.perform(Command::CallMany(put_batches("s", 1_200, Some("hot"), "x", None))) else {
            panic!("1,200 records on one shard in one second must be throttled");
        };
        assert_eq!(e.code, "ProvisionedThroughputExceededException");
        assert!(e.message.starts_with("200 of 1200 records failed, the first with: Rate exceeded for shard"), "{e}");
        let stream = sim.engine.kinesis_state().stream("s").unwrap();
        let hot = stream.open_shards().find(|s| s.metrics.write_throttled > 0).unwrap();
        assert_eq!((hot.records.len(), hot.metrics.write_throttled), (1_000, 200));
        assert_eq!(this_second(hot, sim.engine.now()), (1_000, 1_000 * 4));
        let back = crate::persist::restore(&crate::persist::save(&sim)).unwrap();
        let replayed = back.engine.kinesis_state().stream("s").unwrap();
        assert_eq!(replayed.shards.iter().map(|s| s.records.len()).sum::<usize>(), 1_000);
    }
}
