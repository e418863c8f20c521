//! The Decouple playground: a Yew app in which a learner drives Amazon SQS on
//! a virtual clock they control — with the `sns` feature also SNS and S3 (the
//! SNS chapter's page), with `kinesis` Kinesis Data Streams instead (the
//! Kinesis chapter's page).
//!
//! The app holds no simulation logic. Every learner action becomes the AWS
//! JSON request an SDK would send, dispatched through `decouple_wire::Gateway`;
//! the views render the engine's read-only state and the responses; the
//! engine owns time, and the app only asks it to advance.
//!
//! # Layout
//! - [`api`]: requests in each service's protocol, the equivalent AWS CLI command, AWS errors.
//! - [`sim`]: the engine + gateway, the API log, receipt handles, waiting polls,
//!   and the simulated apps' turns between the engine's deadlines.
//! - [`apps`]: simulated producers and consumers (clients, as plain data).
//! - `extended` (SNS page): the SQS Extended Client pattern, payloads through S3.
//! - [`metrics`]: CloudWatch-style samples per queue and the request counter.
//! - [`kinesis_controls`]: the simulated KCL application's and producers' controls (`kinesis`).
//! - [`persist`]: the journal that survives a reload, and share links.
//! - [`state`]: plain-data app state, the `Action` enum and its reducer.
//! - [`timefmt`]: virtual time as text.
//! - [`browser`]: animation frames, keyboard, clipboard, panic banner (wasm only).
//! - [`components`]: the views, small function components taking `Callback`s.

pub mod api;
pub mod apps;
pub mod browser;
pub mod components;
#[cfg(feature = "sns")]
pub mod extended;
#[cfg(feature = "kinesis")]
pub mod kinesis_controls;
pub mod metrics;
pub mod persist;
pub mod sim;
pub mod state;
pub mod timefmt;

/// Mounts the playground at the end of the page's `<body>`.
pub fn start() {
    browser::install_panic_hook();
    yew::Renderer::<components::app::App>::new().render();
}

/// Mounts the playground inside `root` (several can share a page, or a test's `<div>`).
pub fn mount(root: web_sys::Element) {
    browser::install_panic_hook();
    yew::Renderer::<components::app::App>::with_root(root).render();
}
