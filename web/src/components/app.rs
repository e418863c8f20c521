//! The root component: owns the state, drives the clock with animation
//! frames while playing, maps keyboard shortcuts to actions, and lays out the
//! clock bar, the create form, the queue cards, the SNS topics, S3
//! buckets and mobile push devices (with the `sns` feature: the SNS chapter's
//! page), and the API log.
//! With the `kinesis` feature (the Kinesis chapter's page) the create form
//! and the cards are Kinesis data streams' instead, followed by the Data
//! Firehose and streaming SQL panels.

use yew::prelude::*;

use super::api_log::ApiLog;
#[cfg(all(feature = "sns", not(feature = "kinesis")))]
use super::buckets::Buckets;
use super::clock_bar::ClockBar;
#[cfg(all(feature = "sns", not(feature = "kinesis")))]
use super::devices::Devices;
#[cfg(feature = "kinesis")]
use super::firehose_panel::FirehosePanel;
use super::flash::FlashBanner;
use super::help::Help;
#[cfg(not(feature = "kinesis"))]
use super::queue_card::QueueCard;
#[cfg(not(feature = "kinesis"))]
use super::queue_form::QueueForm;
use super::share::Share;
#[cfg(feature = "kinesis")]
use super::sql_panel::SqlPanel;
#[cfg(feature = "kinesis")]
use super::streams::{StreamForm, Streams};
#[cfg(all(feature = "sns", not(feature = "kinesis")))]
use super::topics::Topics;
#[cfg(feature = "kinesis")]
use super::trucks::TrucksDemo;
use crate::state::{Action, State, SPEEDS};
use crate::timefmt;
use crate::{browser, persist};

#[cfg(feature = "kinesis")]
const TITLE: &str = "· Amazon Kinesis playground";
#[cfg(feature = "kinesis")]
const INTRO: &str = "Create a data stream, put records, watch them land on shards by partition key, \
    hit the per-shard write quota, reshard, and read back; deliver to S3 with Firehose, and count with \
    streaming SQL. Every Kinesis, Firehose and S3 action is a real AWS API call, shown in the log as \
    the AWS CLI command.";
#[cfg(not(any(feature = "sns", feature = "kinesis")))]
const TITLE: &str = "· Amazon SQS playground";
#[cfg(not(any(feature = "sns", feature = "kinesis")))]
const INTRO: &str = "Create a queue, send and receive messages, and control time. \
    Every action is a real SQS API call, shown in the log as the AWS CLI command.";
#[cfg(all(feature = "sns", not(feature = "kinesis")))]
const TITLE: &str = "· Amazon SQS, SNS and S3 playground";
#[cfg(all(feature = "sns", not(feature = "kinesis")))]
const INTRO: &str = "Create queues, topics and buckets, send, publish, upload and receive, and control time. \
    Every action is a real AWS API call, shown in the log as the AWS CLI command.";

/// The chapter page this build is: 0 SQS (`dist/`), 1 SNS (`dist/sns/`), 2 Kinesis (`dist/kinesis/`).
const PAGE: usize = if cfg!(feature = "kinesis") {
    2
} else if cfg!(feature = "sns") {
    1
} else {
    0
};

/// Links between the chapter pages (`dist/`, `dist/sns/` and `dist/kinesis/`,
/// relative, so they hold under any sub-path), the current one marked.
fn pages_nav() -> Html {
    let links: [&str; 3] = if PAGE == 0 { ["./", "sns/", "kinesis/"] } else { ["../", "../sns/", "../kinesis/"] };
    let current = |i: usize| (i == PAGE).then_some("page");
    html! {
        <nav class="pages" aria-label="Playgrounds">
            <a href={if PAGE == 0 { "./" } else { links[0] }} aria-current={current(0)}>{ "SQS" }</a>
            { " · " }
            <a href={if PAGE == 1 { "./" } else { links[1] }} aria-current={current(1)}>{ "SNS" }</a>
            { " · " }
            <a href={if PAGE == 2 { "./" } else { links[2] }} aria-current={current(2)}>{ "Kinesis" }</a>
        </nav>
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(State::load);
    let embed = use_memo((), |_| browser::query_flag("embed"));
    let on_action: Callback<Action> = {
        let dispatcher = state.dispatcher();
        Callback::from(move |a| dispatcher.dispatch(a))
    };

    // The engine owns time: while playing, each animation frame asks it to
    // advance by the real time elapsed (the reducer multiplies by the speed).
    {
        let dispatcher = state.dispatcher();
        use_effect_with(state.playing, move |&playing| {
            let animation = playing.then(|| browser::Animation::start(move |ms| dispatcher.dispatch(Action::Tick(ms))));
            move || drop(animation)
        });
    }
    {
        let dispatcher = state.dispatcher();
        use_effect_with((), move |_| {
            let keys = browser::Keys::listen(move |key| {
                let action = match key {
                    " " => Action::TogglePlay,
                    "n" | "N" => Action::NextDeadline,
                    "s" | "S" => Action::Step,
                    "r" | "R" => Action::Reset,
                    "?" => Action::ToggleHelp,
                    "Escape" => Action::CloseHelp,
                    "1" | "2" | "3" | "4" => {
                        let i = key.parse::<usize>().unwrap_or(1) - 1;
                        Action::SetSpeed(SPEEDS[i.min(SPEEDS.len() - 1)])
                    }
                    _ => return false,
                };
                dispatcher.dispatch(action);
                true
            });
            browser::mark_ready();
            move || drop(keys)
        });
    }
    // Saved to local storage whenever the learner does something, and when the
    // page is hidden or left (which also keeps the clock's position).
    {
        let sim = state.sim.clone();
        let journal_len = state.sim.0.borrow().journal.len();
        use_effect_with(journal_len, move |_| {
            browser::storage_set(&browser::storage_key(persist::STORAGE_KEY), &persist::save(&sim.0.borrow()));
        });
    }
    {
        let sim = state.sim.clone();
        use_effect_with((), move |_| {
            let hide = browser::PageHide::listen(move || {
                browser::storage_set(&browser::storage_key(persist::STORAGE_KEY), &persist::save(&sim.0.borrow()));
            });
            move || drop(hide)
        });
    }
    // Runs after every render: chips that changed state glide to their new
    // place, then the benchmark's frame measurement closes (so it counts the animation's work).
    use_effect(|| {
        browser::animate_moves();
        browser::frame_rendered();
    });

    let sim = state.sim.0.borrow();
    let now = sim.engine.now();
    let next = sim.next_deadline().map(|(at, what)| (timefmt::countdown(at.saturating_sub(now)), what));
    // The Kinesis page has no queues: not even the queue cards' code is built into it.
    #[cfg(not(feature = "kinesis"))]
    let queues: Vec<(String, String)> =
        sim.engine.sqs_state().queues().map(|q| (q.name.to_string(), q.arn.clone())).collect();
    #[cfg(not(feature = "kinesis"))]
    let urls: Vec<String> = sim.engine.sqs_state().queues().map(|q| q.url.clone()).collect();
    #[cfg(feature = "sns")]
    let topics: Vec<(String, String)> =
        sim.engine.sns_state().topics().map(|t| (t.name.to_string(), t.arn.clone())).collect();
    let log_revision = sim.log_revision;
    #[cfg(not(feature = "kinesis"))]
    let realism = sim.realism_on();
    drop(sim);

    #[cfg(not(feature = "kinesis"))]
    let queue_cards = html! {
        <section id="queues" class="queues" aria-label="Queues">
            if urls.is_empty() {
                <p class="empty">{ "No queues yet. Create one to start." }</p>
            }
            { for urls.into_iter().map(|url| html! {
                <QueueCard key={url.clone()} url={url.clone()} sim={state.sim.clone()} version={state.version}
                    selected={state.selected.clone()} queues={queues.clone()} on_action={on_action.clone()} />
            }) }
        </section>
    };
    // The Kinesis page: the stream cards (no queues).
    #[cfg(feature = "kinesis")]
    let middle = {
        #[cfg(feature = "sns")]
        drop(topics);
        html! {
            <div class="main-col">
                <Streams sim={state.sim.clone()} version={state.version} shard_read={state.shard_read.clone()}
                    on_action={on_action.clone()} />
                <FirehosePanel sim={state.sim.clone()} version={state.version} on_action={on_action.clone()} />
                <SqlPanel sim={state.sim.clone()} version={state.version} on_action={on_action.clone()} />
                <TrucksDemo sim={state.sim.clone()} version={state.version} on_action={on_action.clone()} />
            </div>
        }
    };
    // The SNS page: topics and buckets under the queues, in one column.
    #[cfg(all(feature = "sns", not(feature = "kinesis")))]
    let middle = html! {
        <div class="main-col">
            { queue_cards }
            <Topics sim={state.sim.clone()} version={state.version} queues={queues.clone()}
                on_action={on_action.clone()} />
            <Buckets sim={state.sim.clone()} version={state.version} queues={queues.clone()} {topics}
                on_action={on_action.clone()} />
            <Devices sim={state.sim.clone()} version={state.version} on_action={on_action.clone()} />
        </div>
    };
    #[cfg(not(any(feature = "sns", feature = "kinesis")))]
    let middle = queue_cards;
    // The side panel: what the page creates, and (for queues) sharing and realism.
    #[cfg(feature = "kinesis")]
    let create = html! {
        <>
            <StreamForm on_action={on_action.clone()} />
            <Share sim={state.sim.clone()} />
        </>
    };
    #[cfg(not(feature = "kinesis"))]
    let create = html! {
        <>
            <QueueForm queues={queues.clone()} on_action={on_action.clone()} compact={*embed} />
            <Share sim={state.sim.clone()} />
            <div class="field check realism">
                <input id="realism" type="checkbox" checked={realism}
                    onchange={on_action.reform(|e: Event| Action::SetRealism(super::checked(&e)))} />
                <label for="realism">{ "Real-world standard queues" }</label>
                <small>{ "Occasional duplicate deliveries and out-of-order receives, as SQS standard                             queues really behave (at-least-once, best-effort ordering)." }</small>
            </div>
        </>
    };

    html! {
        <div class={classes!("app", embed.then_some("embed"))}>
            if cfg!(feature = "kinesis") {
                <a class="skip" href="#streams">{ "Skip to streams" }</a>
            } else {
                <a class="skip" href="#queues">{ "Skip to queues" }</a>
            }
            <ClockBar
                relative={timefmt::relative(now.saturating_sub(state.sim.0.borrow().start()))}
                utc={timefmt::utc(now)}
                playing={state.playing} speed={state.speed} {next} on_action={on_action.clone()} />
            <FlashBanner flash={state.flash.clone()} on_dismiss={on_action.reform(|_| Action::DismissFlash)} />
            <main class="layout">
                <section class="side" aria-labelledby="create-heading">
                    if !*embed {
                        <h1>{ "Decouple " }<span class="sub">{ TITLE }</span></h1>
                        <p class="intro">{ INTRO }</p>
                        { pages_nav() }
                    }
                    { create }
                </section>
                { middle }
                <ApiLog sim={state.sim.clone()} revision={log_revision} collapsed={*embed} />
            </main>
            if state.help {
                <Help on_close={on_action.reform(|_| Action::CloseHelp)} />
            }
        </div>
    }
}
