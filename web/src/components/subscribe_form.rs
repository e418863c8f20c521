//! Subscribing an endpoint to a topic, with a filter-policy editor that
//! validates as you type, and a tester that shows which of the topic's
//! subscriptions a sample message would reach.
//!
//! Validation and matching are the engine's own (`FilterPolicy::parse`,
//! `matches_attributes`, `matches_body_text`): the same code that answers
//! Subscribe and decides each delivery, so the editor shows AWS's message
//! before the request is even sent, and the tester agrees with Publish.

use decouple_engine::sns::filter::{FilterPolicy, FilterPolicyScope};
use decouple_engine::sns::Protocol;
use serde_json::{json, Map, Value};
use yew::prelude::*;

use super::attr_rows::{self, Attr, AttrRows};
use super::{checked, dom_id, input_value, select_value, textarea_value};
use crate::api::{self, ApiRequest};
use crate::state::{Action, SimRef};

/// The protocols a learner can subscribe, with an example endpoint for each.
const PROTOCOLS: [(&str, &str); 8] = [
    ("sqs", ""),
    ("http", "http://example.com/hooks/orders"),
    ("https", "https://example.com/hooks/orders"),
    ("email", "learner@example.com"),
    ("email-json", "learner@example.com"),
    ("sms", "+15555550100"),
    ("lambda", "arn:aws:lambda:us-east-1:000000000000:function:process-order"),
    // A device endpoint's ARN; the first registered device is offered (see `on_protocol`).
    ("application", "arn:aws:sns:us-east-1:000000000000:endpoint/GCM/orders-app/device-id"),
];

#[derive(Properties, PartialEq)]
pub struct SubscribeFormProps {
    pub topic_arn: String,
    pub topic: String,
    pub fifo: bool,
    /// All queues (name, ARN).
    pub queues: Vec<(String, String)>,
    /// Read when subscribing a queue, to add to the queue's current access policy.
    pub sim: SimRef,
    pub on_action: Callback<Action>,
}

#[derive(Clone, PartialEq)]
struct Form {
    protocol: String,
    endpoint: String,
    /// The queue's ARN, for `sqs`; empty means the first queue.
    queue: String,
    raw: bool,
    /// Add a statement to the queue's policy letting the topic send to it.
    allow: bool,
    policy: String,
    scope: String,
}

/// What AWS answers a Subscribe with this filter policy, or `None` when it is accepted.
pub fn policy_error(policy: &str, scope: &str) -> Option<String> {
    if policy.trim().is_empty() {
        return None;
    }
    let scope = FilterPolicyScope::parse(scope).unwrap_or_default();
    FilterPolicy::parse(policy, scope)
        .err()
        .map(|e| format!("InvalidParameter: Invalid parameter: Attributes Reason: {}", e.reason()))
}

#[function_component(SubscribeForm)]
pub fn subscribe_form(p: &SubscribeFormProps) -> Html {
    let form = use_state(|| Form {
        protocol: "sqs".into(),
        endpoint: String::new(),
        queue: String::new(),
        raw: false,
        allow: true,
        policy: String::new(),
        scope: "MessageAttributes".into(),
    });
    let id = |s: &str| AttrValue::from(dom_id(&format!("sub-{s}"), &p.topic));
    let f = (*form).clone();
    let queue_arn =
        if f.queue.is_empty() { p.queues.first().map(|q| q.1.clone()).unwrap_or_default() } else { f.queue.clone() };
    let onsubmit = {
        let (form, p_arn, sim, on_action, topic) =
            (form.clone(), p.topic_arn.clone(), p.sim.clone(), p.on_action.clone(), p.topic.clone());
        let queue_arn = queue_arn.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let f = (*form).clone();
            let sqs = f.protocol == "sqs";
            let endpoint = if sqs { queue_arn.clone() } else { f.endpoint.trim().to_string() };
            let mut requests = Vec::new();
            if sqs && f.allow {
                let sim = sim.0.borrow();
                let queue = sim.engine.sqs_state().queues().find(|q| q.arn == endpoint);
                if let Some(q) = queue {
                    let policy = api::allow_service(
                        q.config.policy.as_deref(),
                        "sns.amazonaws.com",
                        "sqs:SendMessage",
                        &q.arn,
                        &p_arn,
                    );
                    requests.push(ApiRequest::new(
                        "SetQueueAttributes",
                        [("QueueUrl", json!(q.url)), ("Attributes", json!({ "Policy": policy }))],
                    ));
                }
            }
            let mut attributes = Map::new();
            if f.raw {
                attributes.insert("RawMessageDelivery".into(), json!("true"));
            }
            if !f.policy.trim().is_empty() {
                attributes.insert("FilterPolicy".into(), json!(f.policy));
                if f.scope != "MessageAttributes" {
                    attributes.insert("FilterPolicyScope".into(), json!(f.scope));
                }
            }
            requests.push(ApiRequest::sns(
                "Subscribe",
                [
                    ("TopicArn", json!(p_arn)),
                    ("Protocol", json!(f.protocol)),
                    ("Endpoint", json!(endpoint)),
                    ("Attributes", if attributes.is_empty() { Value::Null } else { Value::Object(attributes) }),
                ],
            ));
            let confirm = Protocol::parse(&f.protocol)
                .is_some_and(|p| matches!(p, Protocol::Http | Protocol::Https | Protocol::Email | Protocol::EmailJson));
            let success = if confirm {
                format!("Subscription to {topic} created: pending confirmation by {endpoint}.")
            } else {
                format!("Subscribed {endpoint} to {topic}.")
            };
            on_action.emit(Action::CallMany { requests, success });
        })
    };
    let on_protocol = {
        let (form, sim) = (form.clone(), p.sim.clone());
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.protocol = select_value(&e);
            let device = (f.protocol == "application")
                .then(|| {
                    let sim = sim.0.borrow();
                    let state = sim.engine.sns_state();
                    let first = state.platform_applications().flat_map(|a| a.endpoints.values()).next().cloned();
                    first
                })
                .flatten();
            f.endpoint = device
                .unwrap_or_else(|| PROTOCOLS.iter().find(|(p, _)| *p == f.protocol).map_or("", |p| p.1).to_string());
            form.set(f);
        })
    };
    let on_flag = |apply: fn(&mut Form, bool)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            apply(&mut f, checked(&e));
            form.set(f);
        })
    };
    let on_select = |apply: fn(&mut Form, String)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            apply(&mut f, select_value(&e));
            form.set(f);
        })
    };
    let set = |apply: fn(&mut Form, String)| super::setter(&form, apply);
    // Parsed when the text or scope changes, not on every frame of the clock.
    let check = (*use_memo((f.policy.clone(), f.scope.clone()), |(policy, scope)| policy_error(policy, scope))).clone();
    let sqs = f.protocol == "sqs";
    html! {
        <form class="subscribe" {onsubmit} novalidate=true aria-label={format!("Subscribe to {}", p.topic)}>
            <h3>{ "Subscribe" }</h3>
            <div class="row">
                <div class="field">
                    <label for={id("protocol")}>{ "Protocol" }</label>
                    <select id={id("protocol")} onchange={on_protocol}>
                        { for PROTOCOLS.iter().map(|(name, _)| html! {
                            <option value={*name} selected={f.protocol == *name}>{ *name }</option>
                        }) }
                    </select>
                </div>
                if sqs {
                    <div class="field">
                        <label for={id("queue")}>{ "Queue" }</label>
                        <select id={id("queue")} onchange={on_select(|f, v| f.queue = v)} disabled={p.queues.is_empty()}>
                            if p.queues.is_empty() { <option value="">{ "(create a queue first)" }</option> }
                            { for p.queues.iter().map(|(name, arn)| html! {
                                <option value={arn.clone()} selected={*arn == queue_arn}>{ name }</option>
                            }) }
                        </select>
                    </div>
                } else {
                    <div class="field">
                        <label for={id("endpoint")}>{ "Endpoint" }</label>
                        <input id={id("endpoint")} type="text" value={f.endpoint.clone()} autocomplete="off"
                            oninput={set(|f, v| f.endpoint = v).reform(|e: InputEvent| input_value(&e))} />
                    </div>
                }
            </div>
            if sqs {
                <div class="field check">
                    <input id={id("allow")} type="checkbox" checked={f.allow} onchange={on_flag(|f, v| f.allow = v)} />
                    <label for={id("allow")}>{ "Allow the topic to send to the queue" }</label>
                    <small>{ "Adds a statement for sns.amazonaws.com to the queue's access policy first \
                        (SetQueueAttributes), as the console does. Without it, deliveries fail." }</small>
                </div>
            }
            <div class="field check">
                <input id={id("raw")} type="checkbox" checked={f.raw} onchange={on_flag(|f, v| f.raw = v)} />
                <label for={id("raw")}>{ "Raw message delivery" }</label>
            </div>
            <div class="field">
                <label for={id("scope")}>{ "Filter policy scope" }</label>
                <select id={id("scope")} onchange={on_select(|f, v| f.scope = v)}>
                    <option value="MessageAttributes" selected={f.scope == "MessageAttributes"}>{ "Message attributes" }</option>
                    <option value="MessageBody" selected={f.scope == "MessageBody"}>{ "Message body" }</option>
                </select>
            </div>
            <div class="field">
                <label for={id("policy")}>{ "Filter policy (JSON)" }</label>
                <textarea id={id("policy")} rows="2" value={f.policy.clone()} placeholder={r#"{"color": ["red"]}"#}
                    aria-describedby={id("policy-check")} spellcheck="false"
                    oninput={set(|f, v| f.policy = v).reform(|e: InputEvent| textarea_value(&e))} />
                <p id={id("policy-check")} data-testid="policy-check" aria-live="polite"
                    class={classes!("policy-check", check.is_some().then_some("error"))}>
                    { match (&check, f.policy.trim().is_empty()) {
                        (Some(e), _) => e.clone(),
                        (None, true) => "No filter policy: every message is delivered.".into(),
                        (None, false) => "✓ Valid filter policy".into(),
                    } }
                </p>
            </div>
            <button type="submit" class="primary">{ "Create subscription" }</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
pub struct FilterTesterProps {
    pub sim: SimRef,
    pub version: u64,
    pub topic_arn: String,
    pub topic: String,
}

#[derive(Clone, PartialEq)]
struct Sample {
    message: String,
    attrs: Vec<Attr>,
}

#[function_component(FilterTester)]
pub fn filter_tester(p: &FilterTesterProps) -> Html {
    let sample = use_state(|| Sample { message: r#"{"order": {"status": "paid"}}"#.into(), attrs: Vec::new() });
    let shown = use_state(|| false);
    let toggle = {
        let shown = shown.clone();
        Callback::from(move |e: Event| shown.set(e.target_unchecked_into::<web_sys::Element>().has_attribute("open")))
    };
    let id = |s: &str| AttrValue::from(dom_id(&format!("test-{s}"), &p.topic));
    let on_attrs = {
        let sample = sample.clone();
        Callback::from(move |attrs: Vec<Attr>| {
            let mut s = (*sample).clone();
            s.attrs = attrs;
            sample.set(s);
        })
    };
    let s = (*sample).clone();
    // Only while open: the verdicts ask each subscription's policy.
    let verdicts: Vec<(String, String, bool)> = if *shown {
        let sim = p.sim.0.borrow();
        let attributes = attr_rows::to_engine(&s.attrs);
        sim.engine
            .sns_state()
            .subscriptions()
            .filter(|sub| sub.topic_arn == p.topic_arn)
            .map(|sub| {
                let endpoint = if sub.protocol == Protocol::Sqs {
                    sub.endpoint.rsplit(':').next().unwrap_or_default()
                } else {
                    &sub.endpoint
                };
                let who = format!("{} {endpoint}", sub.protocol.as_str());
                let (why, yes) = match (&sub.pending_token, &sub.filter_policy) {
                    (Some(_), _) => ("not confirmed yet".to_string(), false),
                    (None, None) => ("no filter policy".to_string(), true),
                    (None, Some((_, policy))) => {
                        let yes = match policy.scope() {
                            FilterPolicyScope::MessageAttributes => policy.matches_attributes(&attributes),
                            FilterPolicyScope::MessageBody => policy.matches_body_text(&s.message),
                        };
                        (
                            format!(
                                "filter policy on the {}",
                                if policy.scope() == FilterPolicyScope::MessageBody { "body" } else { "attributes" }
                            ),
                            yes,
                        )
                    }
                };
                (who, why, yes)
            })
            .collect()
    } else {
        Vec::new()
    };
    html! {
        <details class="tester" ontoggle={toggle} open={*shown}>
            <summary>{ "Test filter policies with a sample message" }</summary>
            <div class="field">
                <label for={id("message")}>{ "Sample message" }</label>
                <textarea id={id("message")} rows="2" value={s.message.clone()} spellcheck="false"
                    oninput={super::setter(&sample, |s, v| s.message = v).reform(|e: InputEvent| textarea_value(&e))} />
            </div>
            <AttrRows id={id("attr")} rows={s.attrs.clone()} on_change={on_attrs} types={attr_rows::SNS_TYPES} />
            if verdicts.is_empty() {
                <p class="empty">{ "No subscriptions to test." }</p>
            }
            <ul class="verdicts" aria-label="Which subscriptions would receive the sample" data-testid="verdicts">
                { for verdicts.into_iter().map(|(who, why, yes)| html! {
                    <li class={if yes { "ok" } else { "bad" }}>
                        <b>{ if yes { "✓ receives" } else { "✗ does not receive" } }</b>{ format!(" — {who} ({why})") }
                    </li>
                }) }
            </ul>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_policies_get_aws_words() {
        assert_eq!(policy_error("", "MessageAttributes"), None);
        assert_eq!(policy_error(r#"{"a":["b"]}"#, "MessageAttributes"), None);
        let e = policy_error(r#"{"a":"b"}"#, "MessageAttributes").unwrap();
        assert!(e.starts_with("InvalidParameter: Invalid parameter: Attributes Reason: FilterPolicy: "), "{e}");
        let nested = policy_error(r#"{"a":{"b":["c"]}}"#, "MessageAttributes").unwrap();
        assert!(nested.ends_with("Filter policy scope MessageAttributes does not support nested filter policy"));
        assert_eq!(policy_error(r#"{"a":{"b":["c"]}}"#, "MessageBody"), None);
    }
}
