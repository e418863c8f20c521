//! Enhanced fan-out on the Kinesis page: register a consumer
//! (RegisterStreamConsumer), subscribe it to a shard (SubscribeToShard, an
//! HTTP/2 event stream that pushes records for five minutes), and watch what
//! each subscription has been pushed — the contrast with GetRecords, where
//! every consumer of a shard shares 2 MiB/s and five calls a second.
//!
//! Read from `engine.kinesis_state()`; every button is a Kinesis request
//! through the gateway. The sim drains the event streams' frames as the
//! clock moves and notes them in the SubscribeToShard log entry.

use decouple_engine::kinesis::fanout::SUBSCRIPTION_LIFETIME;
use decouple_engine::kinesis::ConsumerStatus;
use serde_json::json;
use yew::prelude::*;

use super::dom_id;
use crate::api::ApiRequest;
use crate::state::{Action, SimRef};
use crate::timefmt;

#[derive(Properties, PartialEq)]
pub struct FanOutPanelProps {
    pub sim: SimRef,
    pub version: u64,
    pub stream: AttrValue,
    pub on_action: Callback<Action>,
}

#[function_component(FanOutPanel)]
pub fn fan_out_panel(p: &FanOutPanelProps) -> Html {
    let name = use_state(|| "analytics-app".to_string());
    let sim = p.sim.0.borrow();
    let now = sim.engine.now();
    let state = sim.engine.kinesis_state();
    let Some(stream) = state.stream(&p.stream) else { return html! {} };
    let stream_arn = stream.arn.clone();
    let register = {
        let (on_action, name, arn) = (p.on_action.clone(), name.clone(), stream_arn.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let consumer = name.trim().to_string();
            let request = ApiRequest::kinesis(
                "RegisterStreamConsumer",
                [("StreamARN", json!(arn)), ("ConsumerName", json!(consumer))],
            );
            let success = format!("Consumer {consumer} registered: CREATING, ACTIVE in a few virtual seconds.");
            on_action.emit(Action::Call { request, success: Some(success) });
        })
    };
    let mut open: Vec<_> = stream.open_shards().collect();
    open.sort_by_key(|s| s.range.starting);
    let shard_ids: Vec<(u32, String)> = open.iter().map(|s| (s.number, s.id())).collect();
    let input_id = dom_id("efo-name", &p.stream);
    let consumers = stream.consumers.iter().map(|c| {
        let active = c.status == ConsumerStatus::Active;
        let subscribe = |shard_id: &str| {
            let (on_action, arn, shard_id) = (p.on_action.clone(), c.arn.clone(), shard_id.to_string());
            Callback::from(move |_: MouseEvent| {
                let request = ApiRequest::kinesis(
                    "SubscribeToShard",
                    [
                        ("ConsumerARN", json!(arn)),
                        ("ShardId", json!(shard_id)),
                        ("StartingPosition", json!({"Type": "LATEST"})),
                    ],
                );
                let success = format!("Subscribed to {shard_id}: new records are pushed for 5 virtual minutes.");
                on_action.emit(Action::Call { request, success: Some(success) });
            })
        };
        let deregister = {
            let (on_action, arn, consumer) = (p.on_action.clone(), c.arn.clone(), c.name.clone());
            Callback::from(move |_: MouseEvent| {
                let request = ApiRequest::kinesis("DeregisterStreamConsumer", [("ConsumerARN", json!(arn))]);
                on_action.emit(Action::Call { request, success: Some(format!("Consumer {consumer} deregistered.")) });
            })
        };
        let subscriptions: Vec<_> = state.subscriptions().filter(|s| s.consumer_arn == c.arn).collect();
        html! {
            <li class="efo-consumer" key={c.arn.clone()} data-consumer={c.name.clone()}>
                <div class="worker-head">
                    <b>{ &c.name }</b>
                    <span class={classes!("badge", if active { "busy" } else { "idle" })} data-testid="consumer-status">
                        { c.status.as_str() }
                    </span>
                </div>
                <p class="url"><code>{ &c.arn }</code></p>
                if !subscriptions.is_empty() {
                    <ul class="efo-subscriptions" aria-label={format!("Subscriptions of {}", c.name)}>
                        { for subscriptions.iter().map(|s| {
                            let shard = shard_ids.iter().find(|(n, _)| *n == s.shard).map_or_else(
                                || decouple_engine::kinesis::keys::shard_id(s.shard), |(_, id)| id.clone());
                            let left = (s.started_at + SUBSCRIPTION_LIFETIME).saturating_sub(now);
                            let status = match s.finished {
                                Some(end) => format!("ended: {}", end.as_str()),
                                None => format!("open, {} left", timefmt::countdown(left)),
                            };
                            html! {
                                <li data-testid="subscription" data-shard={shard.clone()}>
                                    { format!("{shard}: {} records pushed in {} events · {status}",
                                        s.delivered_records, s.events_pushed) }
                                </li>
                            }
                        }) }
                    </ul>
                }
                <div class="worker-actions">
                    { for shard_ids.iter().map(|(_, id)| html! {
                        <button type="button" disabled={!active} onclick={subscribe(id)}>{ format!("Subscribe to {id}") }</button>
                    }) }
                    <button type="button" class="danger" onclick={deregister}>{ "Deregister" }</button>
                </div>
            </li>
        }
    });
    html! {
        <section class="efo" aria-label={format!("Enhanced fan-out consumers of {}", p.stream)}>
            <h3>{ "Enhanced fan-out" }</h3>
            <p class="hint">
                { "GetRecords readers of a shard share its 2 MiB/s and 5 calls a second. A registered consumer gets \
                   its own 2 MiB/s per shard, pushed over SubscribeToShard for 5 minutes at a time." }
            </p>
            <form class="inline" onsubmit={register} novalidate=true aria-label={format!("Register a consumer of {}", p.stream)}>
                <label for={input_id.clone()}>{ "Consumer name" }</label>
                <input id={input_id} type="text" value={(*name).clone()}
                    oninput={let name = name.clone(); Callback::from(move |e: InputEvent| name.set(super::input_value(&e)))} />
                <button type="submit">{ "Register consumer" }</button>
            </form>
            <ul class="workers">{ for consumers }</ul>
        </section>
    }
}
