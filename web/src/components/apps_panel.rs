//! Simulated applications on a queue: add producers (a rate) and consumers
//! (poll interval, batch size, wait time, processing time, failure rate),
//! watch what each did, crash or remove them. They show horizontal scaling,
//! duplicates when processing outlasts the visibility timeout, and poison
//! messages ending in the dead-letter queue.

use yew::prelude::*;

use super::{dom_id, Field};
use crate::apps::{AppKind, ConsumerConfig};
use crate::sim::MAX_PER_MINUTE;
use crate::state::{Action, SimRef};
use crate::timefmt;

#[derive(Properties, PartialEq)]
pub struct AppsPanelProps {
    pub sim: SimRef,
    pub version: u64,
    pub url: String,
    pub name: String,
    pub on_action: Callback<Action>,
}

#[derive(Clone, PartialEq)]
struct Form {
    rate: String,
    poll: String,
    batch: String,
    wait: String,
    processing: String,
    failure: String,
}

fn num(text: &str, default: u64) -> u64 {
    text.trim().parse().unwrap_or(default)
}

/// Seconds as typed, with up to three decimals (`1.5`), to milliseconds, at
/// most a day. Parsed by hand: `f64::from_str` would add kilobytes of wasm.
fn millis(text: &str, default_ms: u64) -> u64 {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if t.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 3 || (whole.is_empty() && frac.is_empty()) {
        return default_ms;
    }
    let whole: u64 = if whole.is_empty() { 0 } else { whole.parse().unwrap_or(u64::MAX) };
    let frac: u64 = format!("{frac:0<3}").parse().unwrap_or(0);
    whole.saturating_mul(1000).saturating_add(frac).min(86_400_000)
}

#[cfg(test)]
mod tests {
    #[test]
    fn seconds_with_decimals() {
        assert_eq!(super::millis("1.5", 7), 1500);
        assert_eq!(super::millis(" 2 ", 7), 2000);
        assert_eq!(super::millis(".25", 7), 250);
        assert_eq!(super::millis("1.2345", 7), 7);
        assert_eq!(super::millis("-1", 7), 7);
        assert_eq!(super::millis("abc", 7), 7);
        assert_eq!(super::millis("999999", 7), 86_400_000);
    }
}

#[function_component(AppsPanel)]
pub fn apps_panel(p: &AppsPanelProps) -> Html {
    let form = use_state(|| Form {
        rate: "30".into(),
        poll: "1".into(),
        batch: "1".into(),
        wait: "0".into(),
        processing: "5".into(),
        failure: "0".into(),
    });
    let id = |s: &str| AttrValue::from(dom_id(&format!("app-{s}"), &p.name));
    let set = |apply: fn(&mut Form, String)| super::setter(&form, apply);
    let add_producer = {
        let (form, url, on_action) = (form.clone(), p.url.clone(), p.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let per_minute = num(&form.rate, 30).clamp(1, u64::from(MAX_PER_MINUTE)) as u32;
            on_action.emit(Action::AddApp { url: url.clone(), kind: AppKind::Producer { per_minute } });
        })
    };
    let add_consumer = {
        let (form, url, on_action) = (form.clone(), p.url.clone(), p.on_action.clone());
        Callback::from(move |_: MouseEvent| {
            let kind = AppKind::Consumer(ConsumerConfig {
                poll_interval_ms: millis(&form.poll, 1000),
                batch: num(&form.batch, 1).clamp(1, 10) as u32,
                wait_seconds: num(&form.wait, 0).min(20) as u32,
                processing_ms: millis(&form.processing, 5000),
                failure_percent: num(&form.failure, 0).min(100) as u32,
            });
            on_action.emit(Action::AddApp { url: url.clone(), kind });
        })
    };
    let sim = p.sim.0.borrow();
    let now = sim.engine.now();
    let apps: Vec<Html> = sim
        .apps
        .iter()
        .filter(|a| a.queue_url == p.url)
        .map(|a| {
            let s = a.stats;
            let what = match &a.kind {
                AppKind::Producer { per_minute } => format!("{per_minute} messages/min · sent {}", s.sent),
                AppKind::Consumer(c) => format!(
                    "every {} · batch {} · wait {} s · processing {} · fails {}% — received {} · deleted {} · \
                     failed {} · duplicates {} · empty receives {} · processing now {}",
                    timefmt::countdown(decouple_engine::SimDuration::from_millis(c.poll_interval_ms)),
                    c.batch,
                    c.wait_seconds,
                    timefmt::countdown(decouple_engine::SimDuration::from_millis(c.processing_ms)),
                    c.failure_percent,
                    s.received,
                    s.deleted,
                    s.failed,
                    s.duplicates,
                    s.empty_receives,
                    a.jobs.len()
                ),
            };
            let status = match (&a.error, a.crashed, a.polling) {
                (Some(e), _, _) => format!("stopped — {e}"),
                (None, true, _) => "crashed".to_string(),
                (None, false, true) => "long polling…".to_string(),
                (None, false, false) => match a.next_due() {
                    Some((at, _)) => format!("next step in {}", timefmt::countdown(at.saturating_sub(now))),
                    None => String::new(),
                },
            };
            let app_id = a.id;
            let is_consumer = matches!(a.kind, AppKind::Consumer(_));
            html! {
                <li key={app_id} class={classes!("app-row", a.crashed.then_some("crashed"))} data-testid={a.label()}>
                    <b>{ a.label() }</b>{ " " }<span class="app-status">{ status }</span>
                    <p class="app-stats">{ what }</p>
                    if is_consumer && !a.crashed {
                        <button type="button" onclick={p.on_action.reform(move |_: MouseEvent| Action::CrashApp(app_id))}>
                            { "Crash" }</button>
                    }
                    <button type="button" onclick={p.on_action.reform(move |_: MouseEvent| Action::RemoveApp(app_id))}>
                        { "Remove" }</button>
                </li>
            }
        })
        .collect();
    let count = apps.len();
    drop(sim);
    let f = (*form).clone();
    html! {
        <details class="apps" open={count > 0}>
            <summary>{ format!("Simulated apps ({count})") }</summary>
            if count > 0 { <ul class="app-list">{ for apps }</ul> }
            <div class="app-forms">
                <fieldset>
                    <legend>{ "Producer" }</legend>
                    <Field id={id("rate")} label="Messages per minute" numeric=true value={f.rate.clone()}
                        hint="1 – 600" oninput={set(|f, v| f.rate = v)} />
                    <button type="button" onclick={add_producer}>{ "Add producer" }</button>
                </fieldset>
                <fieldset>
                    <legend>{ "Consumer" }</legend>
                    <div class="row">
                        <Field id={id("poll")} label="Poll every (s)" numeric=true value={f.poll.clone()}
                            hint="≥ 0.1" oninput={set(|f, v| f.poll = v)} />
                        <Field id={id("batch")} label="Batch size" numeric=true value={f.batch.clone()}
                            hint="1 – 10" oninput={set(|f, v| f.batch = v)} />
                        <Field id={id("wait")} label="Long-poll wait (s)" numeric=true value={f.wait.clone()}
                            hint="0 – 20" oninput={set(|f, v| f.wait = v)} />
                        <Field id={id("processing")} label="Processing time (s)" numeric=true
                            value={f.processing.clone()} hint="per message" oninput={set(|f, v| f.processing = v)} />
                        <Field id={id("failure")} label="Failure rate (%)" numeric=true value={f.failure.clone()}
                            hint="failed messages are not deleted" oninput={set(|f, v| f.failure = v)} />
                    </div>
                    <button type="button" onclick={add_consumer}>{ "Add consumer" }</button>
                </fieldset>
            </div>
        </details>
    }
}
