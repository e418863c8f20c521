//! Amazon SNS topics: create (standard or FIFO) and delete, and a card per
//! topic with its subscriptions drawn as rows leading to their endpoints
//! (queues in this playground, http(s) endpoints, inboxes, ...): status,
//! raw delivery, filter policy, the latest delivery outcomes with the next
//! retry's time, and the simulated endpoint's healthy/failing switch. The
//! subscribe, publish and filter-test forms sit under each card.
//!
//! Everything is read from `engine.sns_state()` (and the outcomes the
//! playground read from the engine's events); every change is an SNS request.

use decouple_engine::sns::{Protocol, Subscription, Topic};
use decouple_engine::{SimDuration, SimTime};
use serde_json::json;
use yew::prelude::*;

use super::monitoring::TopicMonitoring;
use super::publish_form::PublishForm;
use super::subscribe_form::{FilterTester, SubscribeForm};
use super::{checked, dom_id, select_value, Field};
use crate::api::ApiRequest;
use crate::sim::{Attempt, Sim};
use crate::state::{Action, SimRef};
use crate::timefmt;

#[derive(Properties, PartialEq)]
pub struct TopicsProps {
    pub sim: SimRef,
    pub version: u64,
    /// All queues (name, ARN): the endpoints an `sqs` subscription can pick.
    pub queues: Vec<(String, String)>,
    pub on_action: Callback<Action>,
}

#[derive(Clone, PartialEq)]
struct CreateForm {
    name: String,
    fifo: bool,
    content_dedup: bool,
}

#[function_component(Topics)]
pub fn topics(p: &TopicsProps) -> Html {
    let form = use_state(|| CreateForm { name: "orders-events".into(), fifo: false, content_dedup: false });
    let onsubmit = {
        let (form, on_action) = (form.clone(), p.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let name = form.name.trim().to_string();
            let attributes = form.fifo.then(|| {
                let mut a = json!({"FifoTopic": "true"});
                if form.content_dedup {
                    a["ContentBasedDeduplication"] = json!("true");
                }
                a
            });
            let request = ApiRequest::sns(
                "CreateTopic",
                [("Name", json!(name)), ("Attributes", attributes.unwrap_or(serde_json::Value::Null))],
            );
            on_action.emit(Action::Call { request, success: Some(format!("Topic {name} created successfully.")) });
        })
    };
    let on_type = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.fifo = select_value(&e) == "fifo";
            // FIFO topic names end in .fifo; keep the name valid as the type flips.
            let stem = f.name.trim().trim_end_matches(".fifo").to_string();
            f.name = if f.fifo { format!("{stem}.fifo") } else { stem };
            form.set(f);
        })
    };
    let on_cbd = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.content_dedup = checked(&e);
            form.set(f);
        })
    };
    let f = (*form).clone();
    let sim = p.sim.0.borrow();
    let arns: Vec<String> = sim.engine.sns_state().topics().map(|t| t.arn.clone()).collect();
    drop(sim);
    html! {
        <section id="topics" class="topics" aria-labelledby="topics-heading">
            <h2 id="topics-heading">{ "SNS topics" }</h2>
            <form class="create-inline" {onsubmit} novalidate=true aria-label="Create topic">
                <div class="field">
                    <label for="topic-type">{ "Type" }</label>
                    <select id="topic-type" onchange={on_type}>
                        <option value="standard" selected={!f.fifo}>{ "Standard" }</option>
                        <option value="fifo" selected={f.fifo}>{ "FIFO" }</option>
                    </select>
                </div>
                <Field id="topic-name" label="Topic name" value={f.name.clone()}
                    hint="Up to 256 characters: letters, digits, - and _; FIFO names end in .fifo"
                    oninput={super::setter(&form, |f, v| f.name = v)} />
                if f.fifo {
                    <div class="field check">
                        <input id="topic-cbd" type="checkbox" checked={f.content_dedup} onchange={on_cbd} />
                        <label for="topic-cbd">{ "Content-based deduplication" }</label>
                    </div>
                }
                <button type="submit" class="primary">{ "Create topic" }</button>
            </form>
            if arns.is_empty() {
                <p class="empty">{ "No topics yet. Create one, subscribe a queue, and publish." }</p>
            }
            { for arns.into_iter().map(|arn| html! {
                <TopicCard key={arn.clone()} arn={arn.clone()} sim={p.sim.clone()} version={p.version}
                    queues={p.queues.clone()} on_action={p.on_action.clone()} />
            }) }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct TopicCardProps {
    pub arn: AttrValue,
    pub sim: SimRef,
    pub version: u64,
    pub queues: Vec<(String, String)>,
    pub on_action: Callback<Action>,
}

/// The endpoint as a learner reads it: a queue's name (linked to its card), or the endpoint itself.
fn endpoint_view(s: &Subscription) -> Html {
    if s.protocol == Protocol::Sqs {
        let name = s.endpoint.rsplit(':').next().unwrap_or_default().to_string();
        html! { <a href={format!("#{}", dom_id("q", &name))}>{ name }</a> }
    } else {
        html! { <code>{ &s.endpoint }</code> }
    }
}

fn attempt_text(at: SimTime, attempt: &Attempt, sim: &Sim) -> String {
    let when = timefmt::relative(at.saturating_sub(sim.start()));
    match attempt {
        Attempt::Delivered => format!("{when} delivered"),
        Attempt::FilteredOut => format!("{when} filtered out by the filter policy"),
        Attempt::Failed(reason) => format!("{when} failed: {reason}"),
        Attempt::TimedOut => format!("{when} no answer within SNS's 15 s: counted as failed (the endpoint got it)"),
        Attempt::Retrying { retry, next } => {
            let now = sim.engine.now();
            let due = timefmt::relative(next.saturating_sub(sim.start()));
            if *next > now {
                format!("{when} failed; retry {retry} at {due} (in {})", timefmt::countdown(next.saturating_sub(now)))
            } else {
                format!("{when} failed; retry {retry} at {due}")
            }
        }
    }
}

/// How slow an http(s) endpoint can be made, in seconds: prompt, slow but in
/// time, and slower than SNS's 15-second wait.
const LATENCIES: [(u32, &str); 4] =
    [(0, "at once"), (5, "after 5 s"), (14, "after 14 s"), (20, "after 20 s (too late)")];

fn attempt_class(attempt: &Attempt) -> &'static str {
    match attempt {
        Attempt::Delivered => "ok",
        Attempt::FilteredOut => "skipped",
        _ => "bad",
    }
}

fn subscription_row(topic: &Topic, s: &Subscription, sim: &Sim, on_action: &Callback<Action>) -> Html {
    let arn = s.arn.clone();
    let unsubscribe = {
        let (on_action, arn) = (on_action.clone(), arn.clone());
        Callback::from(move |_: MouseEvent| {
            let request = ApiRequest::sns("Unsubscribe", [("SubscriptionArn", json!(arn))]);
            on_action.emit(Action::Call { request, success: Some("Subscription deleted.".into()) })
        })
    };
    let pending = s.pending_token.clone();
    let confirm = pending.as_ref().map(|token| {
        let (on_action, topic_arn, token) = (on_action.clone(), topic.arn.clone(), token.clone());
        Callback::from(move |_: MouseEvent| {
            let request =
                ApiRequest::sns("ConfirmSubscription", [("TopicArn", json!(topic_arn)), ("Token", json!(token))]);
            on_action.emit(Action::Call { request, success: Some("Subscription confirmed.".into()) })
        })
    });
    let raw = s.raw_message_delivery;
    let toggle_raw = {
        let (on_action, arn) = (on_action.clone(), arn.clone());
        Callback::from(move |_: MouseEvent| {
            let request = ApiRequest::sns(
                "SetSubscriptionAttributes",
                [
                    ("SubscriptionArn", json!(arn)),
                    ("AttributeName", json!("RawMessageDelivery")),
                    ("AttributeValue", json!(if raw { "false" } else { "true" })),
                ],
            );
            on_action.emit(Action::Call { request, success: None })
        })
    };
    // Every endpoint but a queue can fail; SNS retries it by its kind's policy.
    let can_fail = s.protocol != Protocol::Sqs;
    let how_it_fails = match s.protocol {
        Protocol::Http | Protocol::Https => "the endpoint answers 500 to every delivery",
        Protocol::Lambda => "the function errors on every invocation",
        Protocol::Email | Protocol::EmailJson => "every email bounces",
        Protocol::Sms => "every text message fails",
        _ => "every delivery fails",
    };
    let failing = sim.engine.sns_state().is_endpoint_failing(&s.endpoint);
    let toggle_health = {
        let (on_action, endpoint) = (on_action.clone(), s.endpoint.clone());
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::SetEndpointHealth { endpoint: endpoint.clone(), healthy: failing })
        })
    };
    let attempts = sim.notifications.get(&(topic.name.to_string(), s.endpoint.clone()));
    let http = matches!(s.protocol, Protocol::Http | Protocol::Https);
    let latency = sim.engine.sns_state().endpoint_latency(&s.endpoint).as_secs();
    let set_latency = {
        let (on_action, endpoint) = (on_action.clone(), s.endpoint.clone());
        Callback::from(move |e: Event| {
            let seconds = select_value(&e).parse().unwrap_or(0);
            on_action.emit(Action::SetEndpointLatency { endpoint: endpoint.clone(), seconds })
        })
    };
    // Notifications a slow endpoint is working on, with when its answer (or SNS's timeout) comes.
    let now = sim.engine.now();
    let awaiting: Vec<SimTime> = sim
        .engine
        .sns_state()
        .pending_deliveries()
        .filter(|d| d.awaiting_answer() && d.subscription_arn() == s.arn)
        .map(|d| d.next_attempt())
        .collect();
    let latency_id = dom_id("latency", &format!("{}-{}", topic.name, s.endpoint.replace(['/', ':'], "-")));
    let latest = attempts.and_then(|a| a.back()).map(|(at, a)| (*at, attempt_class(a)));
    let label = format!("{} subscription to {}", s.protocol.as_str(), s.endpoint);
    html! {
        <li class={classes!("sub", pending.is_some().then_some("pending"))} key={arn.clone()} aria-label={label.clone()}
            data-testid="subscription">
            <div class="sub-head">
                <span class="edge" aria-hidden="true">
                    { "→" }
                    // A packet travels the edge on each delivery attempt: keyed by
                    // the attempt, so a new one restarts the animation.
                    { for latest.map(|(at, kind)| html! {
                        <span key={format!("{}-{}", at.0, attempts.map_or(0, |a| a.len()))}
                            class={classes!("packet", kind)} data-testid="packet"></span>
                    }) }
                </span>
                <span class="badge">{ s.protocol.as_str() }</span>
                { endpoint_view(s) }
                <span class={classes!("status", if pending.is_some() { "pending" } else { "confirmed" })} data-testid="sub-status">
                    { if pending.is_some() { "PendingConfirmation" } else { "Confirmed" } }
                </span>
            </div>
            <p class="sub-meta">
                { format!("Raw message delivery: {}", if raw { "on" } else { "off" }) }
                { " · " }
                if let Some((text, _)) = &s.filter_policy {
                    { format!("Filter ({}): ", s.filter_policy_scope.as_str()) }<code data-testid="sub-filter">{ text }</code>
                } else {
                    { "No filter policy: receives every message" }
                }
            </p>
            if let Some(attempts) = attempts {
                <ul class="attempts" aria-label={format!("Latest deliveries to {}", s.endpoint)}>
                    { for attempts.iter().rev().take(3).map(|(at, a)| html! {
                        <li class={attempt_class(a)}>{ attempt_text(*at, a, sim) }</li>
                    }) }
                </ul>
            }
            if !awaiting.is_empty() {
                <p class="awaiting" data-testid="awaiting">
                    <span class="spinner" aria-hidden="true"></span>
                    { format!("The endpoint is working on {} notification{}: its answer, or SNS's 15 s timeout, in {}",
                        awaiting.len(), if awaiting.len() == 1 { "" } else { "s" },
                        timefmt::countdown(awaiting.iter().min().map_or(SimDuration::ZERO, |t| t.saturating_sub(now)))) }
                </p>
            }
            if !s.deliveries.is_empty() {
                <details class="received">
                    <summary>{ format!("The endpoint received {} message{}", s.deliveries.len(),
                        if s.deliveries.len() == 1 { "" } else { "s" }) }</summary>
                    if let Some(last) = s.deliveries.back() {
                        <pre>{ &last.body }</pre>
                    }
                </details>
            }
            <div class="sub-actions">
                if let Some(confirm) = confirm {
                    <button type="button" onclick={confirm}
                        title="ConfirmSubscription with the token the endpoint received">{ "Confirm subscription" }</button>
                }
                if !matches!(s.protocol, Protocol::Email | Protocol::Sms) {
                    <button type="button" onclick={toggle_raw} aria-pressed={raw.to_string()}>{ "Raw delivery" }</button>
                }
                if http {
                    <span class="latency">
                        <label for={latency_id.clone()}>{ "Answers" }</label>
                        <select id={latency_id} onchange={set_latency}
                            title="Simulation control (not an AWS API): how long the endpoint takes to answer. SNS waits 15 s, then counts the attempt as failed and retries.">
                            { for LATENCIES.iter().map(|(secs, text)| html! {
                                <option value={secs.to_string()} selected={u64::from(*secs) == latency}>{ *text }</option>
                            }) }
                        </select>
                    </span>
                }
                if can_fail {
                    <button type="button" onclick={toggle_health} aria-pressed={failing.to_string()}
                        title={format!("Simulation control (not an AWS API): {how_it_fails}")}>
                        { if failing { "Endpoint failing — make healthy" } else { "Make endpoint fail" } }
                    </button>
                }
                <button type="button" class="danger" onclick={unsubscribe}
                    aria-label={format!("Unsubscribe {label}")}>{ "Unsubscribe" }</button>
            </div>
        </li>
    }
}

#[function_component(TopicCard)]
pub fn topic_card(p: &TopicCardProps) -> Html {
    let sim = p.sim.0.borrow();
    let state = sim.engine.sns_state();
    let Some(t) = state.topics().find(|t| t.arn == p.arn.as_str()) else { return html! {} };
    let name = t.name.to_string();
    let delete = {
        let (on_action, arn, name) = (p.on_action.clone(), t.arn.clone(), name.clone());
        Callback::from(move |_: MouseEvent| {
            let request = ApiRequest::sns("DeleteTopic", [("TopicArn", json!(arn))]);
            on_action.emit(Action::Call { request, success: Some(format!("Topic {name} deleted.")) })
        })
    };
    let subs: Vec<&Subscription> = state.subscriptions().filter(|s| s.topic_arn == t.arn).collect();
    let stats = t.stats;
    html! {
        <article class="card topic" id={dom_id("t", &name)} data-topic={name.clone()} aria-label={format!("Topic {name}")}>
            <header>
                <h2>{ &name }</h2>
                <span class="badge">{ if t.fifo { "SNS FIFO" } else { "SNS standard" } }</span>
                if t.content_based_deduplication() { <span class="badge">{ "content-based dedup" }</span> }
                <div class="card-actions">
                    <button type="button" class="danger" onclick={delete}>{ "Delete topic" }</button>
                </div>
            </header>
            <p class="url"><code>{ &t.arn }</code></p>
            <p class="settings" data-testid="topic-stats">
                { format!("Published {} · delivered {} · failed {} · filtered out {}",
                    stats.published, stats.delivered, stats.failed, stats.filtered_out) }
            </p>
            <TopicMonitoring sim={p.sim.clone()} version={p.version} arn={t.arn.clone()} />
            <h3>{ format!("Subscriptions ({})", subs.len()) }</h3>
            if subs.is_empty() {
                <p class="empty">{ "No subscriptions: a published message goes nowhere." }</p>
            }
            <ul class="subs">
                { for subs.iter().map(|s| subscription_row(t, s, &sim, &p.on_action)) }
            </ul>
            <div class="forms">
                <SubscribeForm topic_arn={t.arn.clone()} topic={name.clone()} fifo={t.fifo}
                    queues={p.queues.clone()} sim={p.sim.clone()} on_action={p.on_action.clone()} />
                <PublishForm topic_arn={t.arn.clone()} topic={name.clone()} fifo={t.fifo}
                    on_action={p.on_action.clone()} />
            </div>
            <FilterTester sim={p.sim.clone()} version={p.version} topic_arn={t.arn.clone()} topic={name.clone()} />
        </article>
    }
}
