//! The producer panel of a stream card: the engine's simulated producers
//! putting into that stream at a steady rate, each with a partition-key
//! strategy — per user id (many keys, even spread), per country with a Zipf
//! skew (a few hot keys: a hot shard) or random — and its counts: records
//! made, put, throttled, retried, waiting (the backlog) and the retry that
//! has backed off furthest (exponential backoff with jitter). The shard
//! lanes' write meters above turn red where the throttling happens.
//!
//! Read from `kinesis_state().producers()`; the buttons are journaled
//! simulation controls (`Action::Kinesis`). A producer is a client: its
//! PutRecords calls go through the engine's own path (so the quotas are
//! the real ones) but are not in the API log.

use decouple_engine::kinesis::producer::{PartitionKeyStrategy, Producer, BACKOFF_CAP};
use decouple_engine::SimTime;
use yew::prelude::*;

use super::{select_value, Field};
use crate::kinesis_controls::{KinesisControl, ProducerControl};
use crate::state::{Action, SimRef};
use crate::timefmt;

/// The fastest producer the page starts (the engine takes 50,000 a
/// second; every record is kept for the stream's retention, in this tab).
pub const MAX_RATE: u32 = 2_000;
/// The strongest skew offered: 3 gives the top country 83 % of the records.
const MAX_SKEW: u32 = 3;

#[derive(Properties, PartialEq)]
pub struct ProducerPanelProps {
    pub sim: SimRef,
    pub version: u64,
    pub stream: AttrValue,
    pub on_action: Callback<Action>,
}

fn emit(on_action: &Callback<Action>, c: ProducerControl) {
    on_action.emit(Action::Kinesis(KinesisControl::Producer(c)));
}

fn strategy_text(s: &PartitionKeyStrategy) -> String {
    match s {
        PartitionKeyStrategy::PerUser { users } => format!("key per user id (user-1…user-{users}, even)"),
        PartitionKeyStrategy::PerCountry { skew } => format!("key per country (20 countries, Zipf skew {skew})"),
        PartitionKeyStrategy::Random => "random key per record (UUID)".into(),
    }
}

fn parse_rate(text: &str) -> Result<u32, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=MAX_RATE).contains(&n) => Ok(n),
        _ => Err(format!("Records per second: a whole number from 1 to {MAX_RATE}.")),
    }
}

#[derive(Properties, PartialEq)]
struct ProducerRowProps {
    name: AttrValue,
    /// What the row shows, computed by the panel from the engine's producer.
    view: ProducerView,
    on_action: Callback<Action>,
}

#[derive(Clone, PartialEq)]
struct ProducerView {
    strategy: String,
    rate: u32,
    running: bool,
    stats: String,
    backoff: Option<String>,
    error: Option<String>,
    throttled: bool,
}

impl ProducerView {
    fn of(p: &Producer, now: SimTime) -> Self {
        let s = &p.stats;
        let backoff = p.backoff().map(|b| {
            format!(
                "Backing off: retry attempt {} of {} record{} waits up to {} (100 ms doubling per attempt, capped at {}, \
                 half of it random jitter) — it goes out in {}.",
                b.attempt,
                b.records,
                if b.records == 1 { "" } else { "s" },
                timefmt::countdown(b.ceiling),
                timefmt::countdown(BACKOFF_CAP),
                timefmt::countdown(b.retry_at.saturating_sub(now)),
            )
        });
        ProducerView {
            strategy: strategy_text(&p.strategy),
            rate: p.records_per_second,
            running: p.running,
            stats: format!(
                "{} made · {} put · {} throttled · {} retried · backlog {} · {} given up after 30 s",
                s.generated,
                s.put,
                s.throttled,
                s.retried,
                p.backlog(),
                s.gave_up
            ),
            backoff,
            error: p.last_error.clone(),
            throttled: s.throttled > 0,
        }
    }
}

#[function_component(ProducerRow)]
fn producer_row(p: &ProducerRowProps) -> Html {
    let rate = use_state(|| p.view.rate.to_string());
    let problem = use_state(|| None::<String>);
    let name = p.name.to_string();
    let set_rate = {
        let (rate, problem, on_action, name) = (rate.clone(), problem.clone(), p.on_action.clone(), name.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match parse_rate(&rate) {
                Ok(n) => {
                    problem.set(None);
                    emit(&on_action, ProducerControl::SetRate { name: name.clone(), records_per_second: n });
                }
                Err(text) => problem.set(Some(text)),
            }
        })
    };
    let button = |c: ProducerControl| {
        let on_action = p.on_action.clone();
        Callback::from(move |_: MouseEvent| emit(&on_action, c.clone()))
    };
    let v = &p.view;
    let id = format!("producer-{}-rate", name.replace(|c: char| !c.is_ascii_alphanumeric(), "-"));
    html! {
        <li class={classes!("producer", v.throttled.then_some("throttled"))} data-producer={name.clone()}>
            <div class="worker-head">
                <b>{ &name }</b>
                <span class={classes!("badge", if v.running { "busy" } else { "idle" })}>
                    { if v.running { "running" } else { "stopped" } }</span>
                <span class="count">{ format!("{} records/s · {}", v.rate, v.strategy) }</span>
            </div>
            <p class="worker-detail" data-testid="producer-stats">{ &v.stats }</p>
            if let Some(b) = &v.backoff { <p class="backoff" data-testid="producer-backoff">{ b }</p> }
            if let Some(e) = &v.error { <p class="error-text">{ format!("Last error: {e}") }</p> }
            <form class="worker-actions" onsubmit={set_rate} novalidate=true aria-label={format!("Rate of {name}")}>
                <label for={id.clone()} class="sr-only">{ format!("Records per second of {name}") }</label>
                <input id={id} type="text" inputmode="numeric" class="rate" value={(*rate).clone()} autocomplete="off"
                    oninput={Callback::from(move |e: InputEvent| rate.set(super::input_value(&e)))} />
                <button type="submit">{ "Set rate" }</button>
                if v.running {
                    <button type="button" onclick={button(ProducerControl::Stop { name: name.clone() })}>{ "Stop" }</button>
                }
                <button type="button" class="danger" onclick={button(ProducerControl::Remove { name: name.clone() })}>
                    { "Remove" }</button>
            </form>
            if let Some(text) = &*problem { <p class="error-text" role="alert">{ text }</p> }
        </li>
    }
}

#[derive(Clone, PartialEq)]
struct StartFields {
    name: String,
    strategy: String,
    rate: String,
    skew: String,
    users: String,
}

#[function_component(ProducerPanel)]
pub fn producer_panel(p: &ProducerPanelProps) -> Html {
    let stream = p.stream.to_string();
    let form = use_state(|| StartFields {
        name: format!("{stream}-producer"),
        strategy: "perCountry".into(),
        rate: "1500".into(),
        // A hot shard that a split cools: skew 1 (the top country 28 %) at
        // 1,500 a second overloads the shard holding most countries' keys;
        // at skew 2 the top key alone stays hot after a split.
        skew: "1".into(),
        users: "1000".into(),
    });
    let problem = use_state(|| None::<String>);
    let onsubmit = {
        let (form, problem, on_action, stream) = (form.clone(), problem.clone(), p.on_action.clone(), stream.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let strategy = match form.strategy.as_str() {
                "perUser" => match form.users.trim().parse::<u32>() {
                    Ok(users) if users >= 1 => PartitionKeyStrategy::PerUser { users },
                    _ => return problem.set(Some("Users: a whole number from 1 up.".into())),
                },
                "random" => PartitionKeyStrategy::Random,
                _ => match form.skew.trim().parse::<u32>() {
                    Ok(skew) if skew <= MAX_SKEW => PartitionKeyStrategy::PerCountry { skew },
                    _ => return problem.set(Some(format!("Skew: a whole number from 0 to {MAX_SKEW}."))),
                },
            };
            let records_per_second = match parse_rate(&form.rate) {
                Ok(n) => n,
                Err(text) => return problem.set(Some(text)),
            };
            problem.set(None);
            emit(
                &on_action,
                ProducerControl::Start {
                    name: form.name.trim().to_string(),
                    stream: stream.clone(),
                    records_per_second,
                    strategy,
                },
            );
        })
    };
    let on_strategy = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.strategy = select_value(&e);
            form.set(f);
        })
    };
    let sim = p.sim.0.borrow();
    let now = sim.engine.now();
    let rows: Vec<(String, ProducerView)> = sim
        .engine
        .kinesis_state()
        .producers()
        .filter(|pr| pr.stream == stream)
        .map(|pr| (pr.name.to_string(), ProducerView::of(pr, now)))
        .collect();
    drop(sim);
    let f = (*form).clone();
    let id = |field: &str| format!("ks-{}-producer-{field}", stream.replace('.', "-"));
    html! {
        <section class="producers" aria-label={format!("Producers putting into {stream}")}>
            <h3>{ "Producers" }</h3>
            <p class="hint">
                { "Simulated programs that put records at a steady rate (PutRecords every 100 ms, as the KPL \
                   batches) and retry throttled records with exponential backoff. Their calls are not in the API \
                   log; watch the shard meters above: a skewed key choice makes one shard hot. Every record \
                   stays in this tab for the stream's retention, so a producer stops itself after 1,000,000." }
            </p>
            if !rows.is_empty() {
                <ul class="producer-list">
                    { for rows.into_iter().map(|(name, view)| html! {
                        <ProducerRow key={name.clone()} name={name.clone()} {view} on_action={p.on_action.clone()} />
                    }) }
                </ul>
            }
            <form class="producer-form" {onsubmit} novalidate=true aria-label={format!("Start a producer on {stream}")}>
                <Field id={id("name")} label="Producer name" value={f.name.clone()}
                    oninput={super::setter(&form, |f, v| f.name = v)} />
                <div class="field">
                    <label for={id("strategy")}>{ "Partition key" }</label>
                    <select id={id("strategy")} onchange={on_strategy}>
                        <option value="perCountry" selected={f.strategy == "perCountry"}>{ "Per country (skewed)" }</option>
                        <option value="perUser" selected={f.strategy == "perUser"}>{ "Per user id" }</option>
                        <option value="random" selected={f.strategy == "random"}>{ "Random" }</option>
                    </select>
                </div>
                if f.strategy == "perCountry" {
                    <Field id={id("skew")} label="Skew" value={f.skew.clone()} numeric=true
                        hint="0 even · 1: US gets 28 % · 2: 62 % · 3: 83 % of the records"
                        oninput={super::setter(&form, |f, v| f.skew = v)} />
                }
                if f.strategy == "perUser" {
                    <Field id={id("users")} label="Users" value={f.users.clone()} numeric=true
                        oninput={super::setter(&form, |f, v| f.users = v)} />
                }
                <Field id={id("rate")} label="Records per second" value={f.rate.clone()} numeric=true
                    hint={format!("1–{MAX_RATE}; each shard takes 1,000 a second")}
                    oninput={super::setter(&form, |f, v| f.rate = v)} />
                <button type="submit" class="primary">{ "Start producer" }</button>
                if let Some(text) = &*problem { <p class="error-text" role="alert">{ text }</p> }
            </form>
        </section>
    }
}
