//! A live card per queue: AWS's approximate counters, the messages in each
//! state (a window of at most [`WINDOW`] chips per state, never thousands of
//! DOM nodes), FIFO groups colour-coded, in-flight messages with a draining
//! visibility bar, the dead-letter queue linked, waiting long polls, and the
//! send / receive forms. Everything is read from `engine.sqs_state()`.

use std::collections::BTreeMap;

use decouple_engine::sqs::{MessageRef, MessageState, Queue};
use decouple_engine::SimTime;
use serde_json::json;
use yew::prelude::*;

use super::apps_panel::AppsPanel;
use super::message_detail::MessageDetail;
use super::monitoring::Monitoring;
use super::queue_form::{Fields, QueueForm};
use super::receive_form::ReceiveForm;
use super::send_form::SendForm;
use super::{dom_id, group_hue};
use crate::api::ApiRequest;
use crate::state::{Action, Selection, SimRef};
use crate::timefmt;

/// Most chips drawn per message state; the rest are counted.
pub const WINDOW: usize = 50;

#[derive(Properties, PartialEq)]
pub struct QueueCardProps {
    pub url: AttrValue,
    pub sim: SimRef,
    pub version: u64,
    pub selected: Selection,
    /// All queues (name, ARN), for the DLQ choices when editing.
    pub queues: Vec<(String, String)>,
    pub on_action: Callback<Action>,
}

/// One chip's worth of a message.
struct Chip {
    number: u64,
    preview: String,
    group: Option<String>,
    /// Delayed / in flight: time left, and the fraction of the wait remaining.
    left: Option<(String, f64)>,
    /// FIFO: visible, but its group has a message in flight, so no receive gets it yet.
    blocked: bool,
    /// In flight: who received it ("you" or a simulated consumer), when the playground knows.
    holder: Option<String>,
}

#[derive(Default)]
struct Lane {
    chips: Vec<Chip>,
}

fn chip(m: MessageRef<'_>, now: SimTime) -> Chip {
    let preview: String = m.body.chars().take(14).collect();
    let left = match *m.state {
        MessageState::Delayed { until, .. } => {
            let total = until.saturating_sub(m.sent_at).as_millis().max(1) as f64;
            let left = until.saturating_sub(now);
            Some((timefmt::countdown(left), left.as_millis() as f64 / total))
        }
        MessageState::InFlight { until, received_at, .. } => {
            let total = until.saturating_sub(received_at).as_millis().max(1) as f64;
            let left = until.saturating_sub(now);
            Some((timefmt::countdown(left), left.as_millis() as f64 / total))
        }
        MessageState::Visible => None,
    };
    Chip {
        number: m.number,
        preview,
        group: m.group_id.as_deref().map(str::to_string),
        left,
        blocked: false,
        holder: None,
    }
}

/// The first [`WINDOW`] messages in each state, in order.
fn lanes(q: &Queue, now: SimTime, holders: &BTreeMap<String, String>) -> [Lane; 3] {
    let mut lanes: [Lane; 3] = Default::default();
    // A FIFO group's messages are delivered in order, so the one in flight has
    // a lower number than the ones it blocks: it is seen first.
    let mut groups_in_flight = std::collections::BTreeSet::new();
    for m in q.messages() {
        let i = match m.state {
            MessageState::Delayed { .. } => 0,
            MessageState::Visible => 1,
            MessageState::InFlight { .. } => {
                if let Some(g) = &m.group_id {
                    groups_in_flight.insert(g.clone());
                }
                2
            }
        };
        if lanes[i].chips.len() < WINDOW {
            let mut c = chip(m, now);
            c.blocked = i == 1 && m.group_id.as_ref().is_some_and(|g| groups_in_flight.contains(g));
            if i == 2 {
                c.holder = holders.get(&m.id.to_string()).cloned();
            }
            lanes[i].chips.push(c);
        }
        if lanes.iter().all(|l| l.chips.len() == WINDOW) {
            break;
        }
    }
    lanes
}

#[function_component(QueueCard)]
pub fn queue_card(p: &QueueCardProps) -> Html {
    let editing = use_state(|| false);
    let sim = p.sim.0.borrow();
    let state = sim.engine.sqs_state();
    let Some(q) = state.queues().find(|q| q.url == p.url.as_str()) else { return html! {} };
    let now = sim.engine.now();
    let name = q.name.to_string();
    let url = q.url.clone();
    // Who holds each in-flight message: the client-side knowledge of which
    // receive (the learner's, or a simulated consumer's) got its receipt handle.
    let mut holders: BTreeMap<String, String> = BTreeMap::new();
    for app in sim.apps.iter().filter(|a| a.queue_url == q.url) {
        for job in &app.jobs {
            holders.insert(job.message_id.clone(), app.label());
        }
    }
    for (queue_url, message_id) in sim.receipts.keys() {
        if *queue_url == q.url {
            holders.entry(message_id.clone()).or_insert_with(|| "you".into());
        }
    }
    let [delayed, visible, in_flight] = lanes(q, now, &holders);
    let waiting = sim.waiting_on(&url);
    let dlq = q.config.redrive_policy.as_ref().map(|r| {
        let target = state.queues().find(|d| d.arn == r.dead_letter_target_arn).map(|d| d.name.to_string());
        (target.unwrap_or_else(|| r.dead_letter_target_arn.clone()), r.max_receive_count)
    });
    let sources: Vec<String> = state
        .queues()
        .filter(|s| s.config.redrive_policy.as_ref().is_some_and(|r| r.dead_letter_target_arn == q.arn))
        .map(|s| s.name.to_string())
        .collect();
    let selected = p.selected.as_ref().filter(|(u, _)| *u == url).map(|(_, n)| *n);

    let call = |action: &'static str, success: Option<String>| {
        let (on_action, url) = (p.on_action.clone(), url.clone());
        Callback::from(move |_: MouseEvent| {
            let request = ApiRequest::new(action, [("QueueUrl", json!(url))]);
            on_action.emit(Action::Call { request, success: success.clone() });
        })
    };
    let redrive = {
        let (on_action, arn) = (p.on_action.clone(), q.arn.clone());
        Callback::from(move |_: MouseEvent| {
            let request = ApiRequest::new("StartMessageMoveTask", [("SourceArn", json!(arn))]);
            let success = Some("DLQ redrive started: messages move back to their source queues.".into());
            on_action.emit(Action::Call { request, success })
        })
    };
    let toggle_edit = {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| editing.set(!*editing))
    };
    let close_edit = {
        let editing = editing.clone();
        Callback::from(move |_: ()| editing.set(false))
    };

    let lane = |title: &str, class: &str, count: usize, lane: Lane| {
        let more = count.saturating_sub(lane.chips.len());
        html! {
            <div class={classes!("lane", class.to_string())}>
                <h3>{ title }<span class="count">{ count }</span></h3>
                <ol class="chips" aria-label={format!("{title} messages in {name}")}>
                    { for lane.chips.into_iter().map(|c| {
                        let number = c.number;
                        let onclick = {
                            let (on_action, url) = (p.on_action.clone(), url.clone());
                            Callback::from(move |_: MouseEvent| {
                                let same = selected == Some(number);
                                on_action.emit(Action::Select((!same).then(|| (url.clone(), number))))
                            })
                        };
                        let style = c.group.as_deref().map(|g| format!("--hue:{}", group_hue(g)));
                        let pressed = (selected == Some(number)).to_string();
                        html! {
                            <li key={number}>
                                <button type="button"
                                    data-flip={format!("{name}#{number}")} data-lane={class.to_string()}
                                    class={classes!("chip", c.group.is_some().then_some("grouped"), c.blocked.then_some("blocked"))}
                                    {style} {onclick} aria-pressed={pressed}
                                    title={c.group.as_ref().map(|g| if c.blocked {
                                        format!("group {g}: blocked while an earlier message of the group is in flight")
                                    } else {
                                        format!("group {g}")
                                    })}>
                                    <b>{ format!("#{number}") }</b>
                                    if c.blocked { <span class="sr-only">{ "(group blocked)" }</span> }
                                    <span class="preview">{ c.preview }</span>
                                    if let Some(holder) = c.holder {
                                        <span class="holder" title="received by">{ format!("· {holder}") }</span>
                                    }
                                    if let Some((left, frac)) = c.left {
                                        <span class="left">{ left }</span>
                                        <span class="bar" style={format!("width:{:.1}%", (frac * 100.0).clamp(0.0, 100.0))}></span>
                                    }
                                </button>
                            </li>
                        }
                    }) }
                </ol>
                if more > 0 { <p class="more">{ format!("+ {more} more") }</p> }
            </div>
        }
    };

    let edit_fields = (*editing).then(|| Fields::of(q));
    let card_id = dom_id("q", &name);
    #[cfg(feature = "sns")]
    let send_form = {
        let buckets: Vec<String> = sim.engine.s3_state().buckets().map(|b| b.name.to_string()).collect();
        html! {
            <SendForm url={url.clone()} name={name.clone()} fifo={q.fifo} {buckets} sim={p.sim.clone()}
                on_action={p.on_action.clone()} />
        }
    };
    #[cfg(not(feature = "sns"))]
    let send_form = html! {
        <SendForm url={url.clone()} name={name.clone()} fifo={q.fifo} on_action={p.on_action.clone()} />
    };
    html! {
        <article class="card" id={card_id} aria-labelledby={dom_id("qt", &name)} data-queue={name.clone()}>
            <header>
                <h2 id={dom_id("qt", &name)}>{ &name }</h2>
                <span class="badge">{ if q.fifo { "FIFO" } else { "Standard" } }</span>
                <div class="card-actions">
                    <button type="button" onclick={toggle_edit} aria-expanded={editing.to_string()}>{ "Edit" }</button>
                    <button type="button" onclick={call("PurgeQueue", Some(format!("Purge of {name} started.")))}>{ "Purge" }</button>
                    <button type="button" class="danger" onclick={call("DeleteQueue", Some(format!("Queue {name} deleted.")))}>{ "Delete" }</button>
                </div>
            </header>
            <p class="url"><code>{ &url }</code></p>
            if let Some(fields) = edit_fields {
                <QueueForm queues={p.queues.clone()} edit={Some((url.clone(), fields))}
                    on_action={p.on_action.clone()} on_close={close_edit} />
            }
            <dl class="counters">
                <div><dt>{ "Messages available" }</dt><dd data-testid="available">{ q.visible_count() }</dd></div>
                <div><dt>{ "Messages in flight" }</dt><dd data-testid="in-flight">{ q.in_flight_count() }</dd></div>
                <div><dt>{ "Messages delayed" }</dt><dd data-testid="delayed">{ q.delayed_count() }</dd></div>
            </dl>
            <p class="settings">
                { format!("Visibility timeout {} s · retention {} · delay {} s · wait {} s · sent {} · received {} · deleted {}",
                    q.config.visibility_timeout,
                    timefmt::countdown(decouple_engine::SimDuration::from_secs(u64::from(q.config.message_retention_period))),
                    q.config.delay_seconds, q.config.receive_message_wait_time_seconds,
                    q.stats.sent, q.stats.received, q.stats.deleted) }
            </p>
            if let Some((target, max)) = dlq {
                <p class="dlq-link">{ "Dead-letter queue: " }
                    <a href={format!("#{}", dom_id("q", &target))}>{ target.clone() }</a>
                    { format!(" after {max} receive{}", if max == 1 { "" } else { "s" }) }</p>
            }
            if !sources.is_empty() {
                <p class="dlq-link">{ "Dead-letter queue for: " }
                    { for sources.iter().map(|s| html! { <><a href={format!("#{}", dom_id("q", s))}>{ s }</a>{ " " }</> }) }
                    <button type="button" onclick={redrive} disabled={q.is_empty()}>{ "Start DLQ redrive" }</button>
                </p>
            }
            if waiting > 0 {
                <p class="polling" data-testid="long-poll">
                    <span class="spinner" aria-hidden="true"></span>
                    { format!("{waiting} consumer{} waiting (long poll)", if waiting == 1 { "" } else { "s" }) }
                </p>
            }
            <div class="lanes">
                { lane("Delayed", "delayed", q.delayed_count(), delayed) }
                { lane("Available", "visible", q.visible_count(), visible) }
                { lane("In flight", "inflight", q.in_flight_count(), in_flight) }
            </div>
            if let Some(number) = selected {
                <MessageDetail sim={p.sim.clone()} version={p.version} url={url.clone()} {number}
                    on_action={p.on_action.clone()} />
            }
            <Monitoring sim={p.sim.clone()} version={p.version} url={url.clone()} fifo={q.fifo} />
            <AppsPanel sim={p.sim.clone()} version={p.version} url={url.clone()} name={name.clone()}
                on_action={p.on_action.clone()} />
            <div class="forms">
                { send_form }
                <ReceiveForm url={url.clone()} name={name.clone()} on_action={p.on_action.clone()} />
            </div>
        </article>
    }
}
