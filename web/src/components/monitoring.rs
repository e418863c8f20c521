//! CloudWatch-style charts over virtual time: for a queue, the approximate
//! message gauges, sent / received / deleted / empty receives per period and
//! its request count with an estimated cost; for a topic (with the `sns`
//! feature), SNS's NumberOfMessagesPublished and
//! NumberOfNotificationsDelivered / Failed / FilteredOut per period. Drawn as
//! small inline SVGs, and only while shown.

use yew::prelude::*;

use decouple_engine::SimTime;

#[cfg(feature = "sns")]
use crate::metrics::TopicSample;
use crate::metrics::{self, Sample};
use crate::state::SimRef;

#[derive(Properties, PartialEq)]
pub struct MonitoringProps {
    pub sim: SimRef,
    pub version: u64,
    pub url: String,
    pub fifo: bool,
}

const W: f64 = 360.0;
const H: f64 = 80.0;

/// A line: its legend, its CSS class, and how to read it from a sample.
pub(crate) type Series<S> = (&'static str, &'static str, fn(&S) -> u64);

/// Samples that a chart can place on the time axis.
pub(crate) trait At {
    fn at(&self) -> SimTime;
}
impl At for Sample {
    fn at(&self) -> SimTime {
        self.at
    }
}
#[cfg(feature = "sns")]
impl At for TopicSample {
    fn at(&self) -> SimTime {
        self.at
    }
}

pub(crate) fn chart<S: At>(title: &str, samples: &[S], series: &[Series<S>]) -> Html {
    let max = samples.iter().flat_map(|s| series.iter().map(move |(_, _, f)| f(s))).max().unwrap_or(0).max(1);
    let (first, last) = match (samples.first(), samples.last()) {
        (Some(a), Some(b)) => (a.at().as_millis(), b.at().as_millis()),
        _ => (0, 0),
    };
    // The x axis spans the samples there are (at least two minutes), so a young queue fills the chart.
    let window = (last - first).max(2 * 60_000) as f64;
    let x = |s: &S| W - (last - s.at().as_millis()) as f64 / window * W;
    let y = |v: u64| H - v as f64 / max as f64 * (H - 4.0);
    let latest = samples.last();
    let label = format!(
        "{title}: {}",
        series.iter().map(|(name, _, f)| format!("{name} {}", latest.map_or(0, f))).collect::<Vec<_>>().join(", ")
    );
    html! {
        <figure class="chart">
            <figcaption>{ title }<span class="max">{ format!("max {max}") }</span></figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" role="img" aria-label={label}>
                { for series.iter().map(|(_, class, f)| {
                    let points: String = samples.iter().map(|s| format!("{:.1},{:.1} ", x(s), y(f(s)))).collect();
                    html! { <polyline class={*class} points={points} /> }
                }) }
            </svg>
            <ul class="legend">
                { for series.iter().map(|(name, class, f)| html! {
                    <li><span class={classes!("swatch", *class)}></span>{ format!("{name} {}", latest.map_or(0, f)) }</li>
                }) }
            </ul>
        </figure>
    }
}

/// The shell every monitoring panel (queue, topic, stream) shares: a
/// Show/Hide button with `note` beside it and, while shown, `charts` — `None`
/// until the first sample, which the panel then says is on its way.
pub fn panel(shown: &UseStateHandle<bool>, class: Classes, label: String, note: Html, charts: Option<Html>) -> Html {
    let toggle = {
        let shown = shown.clone();
        Callback::from(move |_: MouseEvent| shown.set(!*shown))
    };
    html! {
        <section {class} aria-label={label}>
            <p class="requests">
                <button type="button" onclick={toggle} aria-expanded={shown.to_string()}>
                    { if **shown { "Hide monitoring" } else { "Show monitoring" } }</button>
                { note }
            </p>
            if **shown {
                { charts.unwrap_or_else(|| html! {
                    <p class="empty">{ "The first sample comes after 10 virtual seconds." }</p>
                }) }
            }
        </section>
    }
}

#[function_component(Monitoring)]
pub fn monitoring(p: &MonitoringProps) -> Html {
    let shown = use_state(|| false);
    let sim = p.sim.0.borrow();
    let m = sim.metrics.queues.get(&p.url);
    let requests = m.map_or(0, |m| m.requests);
    let price = if p.fifo { metrics::PRICE_FIFO } else { metrics::PRICE_STANDARD };
    let cost = metrics::cost(requests, p.fifo);
    let samples: Vec<Sample> =
        if *shown { m.map(|m| m.samples.iter().copied().collect()).unwrap_or_default() } else { Vec::new() };
    let note = html! {
        { format!(" {requests} request{} · ≈ ${cost:.6} at ${price:.2} per million", if requests == 1 { "" } else { "s" }) }
    };
    let charts = (!samples.is_empty()).then(|| {
        html! {
            <div class="charts">
                { chart("Approximate number of messages", &samples, &[
                    ("visible", "s-visible", |s| s.visible),
                    ("not visible", "s-inflight", |s| s.not_visible),
                    ("delayed", "s-delayed", |s| s.delayed),
                ]) }
                { chart("Per 10 s", &samples, &[
                    ("sent", "s-sent", |s| s.sent),
                    ("received", "s-received", |s| s.received),
                    ("deleted", "s-deleted", |s| s.deleted),
                    ("empty receives", "s-empty", |s| s.empty_receives),
                ]) }
            </div>
        }
    });
    panel(&shown, classes!("monitoring"), "Monitoring".into(), note, charts)
}

#[cfg(feature = "sns")]
#[derive(Properties, PartialEq)]
pub struct TopicMonitoringProps {
    pub sim: SimRef,
    pub version: u64,
    pub arn: String,
}

#[cfg(feature = "sns")]
#[function_component(TopicMonitoring)]
pub fn topic_monitoring(p: &TopicMonitoringProps) -> Html {
    let shown = use_state(|| false);
    let samples: Vec<TopicSample> = if *shown {
        let sim = p.sim.0.borrow();
        sim.metrics.topics.get(&p.arn).map(|m| m.samples.iter().copied().collect()).unwrap_or_default()
    } else {
        Vec::new()
    };
    let charts = (!samples.is_empty()).then(|| {
        html! {
            <div class="charts">
                { chart("Per 10 s", &samples, &[
                    ("NumberOfMessagesPublished", "s-sent", |s| s.published),
                    ("NumberOfNotificationsDelivered", "s-received", |s| s.delivered),
                    ("NumberOfNotificationsFailed", "s-deleted", |s| s.failed),
                    ("NumberOfNotificationsFilteredOut", "s-empty", |s| s.filtered_out),
                ]) }
            </div>
        }
    });
    panel(&shown, classes!("monitoring"), "Topic monitoring".into(), Html::default(), charts)
}
