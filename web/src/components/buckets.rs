//! Amazon S3 buckets: create and delete, event notifications to a queue or a
//! topic (PutBucketNotificationConfiguration, with event types and
//! prefix/suffix filters), uploads of text objects (PutObject) and the
//! objects a bucket holds (a window of at most `WINDOW` keys).
//!
//! Read from `engine.s3_state()`; every change is an S3 REST request. An
//! upload's event then arrives in the destination queue's card, or fans out
//! through the topic's subscriptions.

use decouple_engine::s3::{Bucket, NotificationRule};
use serde_json::{json, Value};
use yew::prelude::*;

use super::{checked, dom_id, select_value, textarea_value, Field};
use crate::api::{self, ApiRequest};
use crate::state::{Action, SimRef};

/// Most object keys drawn per bucket; the rest are counted.
const WINDOW: usize = 50;

/// The event types offered, as S3 names them.
const EVENTS: [(&str, &str); 3] = [
    ("s3:ObjectCreated:*", "Object created (any way)"),
    ("s3:ObjectCreated:Put", "Object created by PutObject"),
    ("s3:ObjectRemoved:*", "Object removed"),
];

#[derive(Properties, PartialEq)]
pub struct BucketsProps {
    pub sim: SimRef,
    pub version: u64,
    /// Destinations: queues and topics (name, ARN).
    pub queues: Vec<(String, String)>,
    pub topics: Vec<(String, String)>,
    pub on_action: Callback<Action>,
}

#[function_component(Buckets)]
pub fn buckets(p: &BucketsProps) -> Html {
    let name = use_state(|| "uploads-000000000000".to_string());
    let onsubmit = {
        let (name, on_action) = (name.clone(), p.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let bucket = name.trim().to_string();
            let request = ApiRequest::s3("CreateBucket", [("Bucket", json!(bucket))]);
            on_action.emit(Action::Call { request, success: Some(format!("Bucket {bucket} created successfully.")) });
        })
    };
    let set_name = {
        let name = name.clone();
        Callback::from(move |v: String| name.set(v))
    };
    let sim = p.sim.0.borrow();
    let names: Vec<String> = sim.engine.s3_state().buckets().map(|b| b.name.clone()).collect();
    drop(sim);
    html! {
        <section id="buckets" class="buckets" aria-labelledby="buckets-heading">
            <h2 id="buckets-heading">{ "S3 buckets" }</h2>
            <form class="create-inline" {onsubmit} novalidate=true aria-label="Create bucket">
                <Field id="bucket-name" label="Bucket name" value={(*name).clone()}
                    hint="3 – 63 characters: lowercase letters, digits, - and ." oninput={set_name} />
                <button type="submit" class="primary">{ "Create bucket" }</button>
            </form>
            if names.is_empty() {
                <p class="empty">{ "No buckets yet. Create one, send its events to a queue or topic, and upload." }</p>
            }
            { for names.into_iter().map(|name| html! {
                <BucketCard key={name.clone()} name={name.clone()} sim={p.sim.clone()} version={p.version}
                    queues={p.queues.clone()} topics={p.topics.clone()} on_action={p.on_action.clone()} />
            }) }
        </section>
    }
}

/// A rule in the CLI's JSON shape, for writing the configuration back.
fn rule_json(rule: &NotificationRule, arn_member: &str) -> Value {
    let mut filter = Vec::new();
    if let Some(prefix) = &rule.prefix {
        filter.push(json!({"Name": "prefix", "Value": prefix}));
    }
    if let Some(suffix) = &rule.suffix {
        filter.push(json!({"Name": "suffix", "Value": suffix}));
    }
    let mut v = json!({"Events": rule.events, "Filter": {"Key": {"FilterRules": filter}}});
    v[arn_member] = json!(rule.destination_arn);
    if let Some(id) = &rule.id {
        v["Id"] = json!(id);
    }
    v
}

/// The bucket's configuration (the CLI's JSON shape) without rule `skip` (queue rules first, then topic rules), plus `add`.
pub fn configuration(b: &Bucket, skip: Option<usize>, add: Option<(&str, Value)>) -> Value {
    let n = &b.notification;
    let mut queues: Vec<Value> = n.queue_configurations.iter().map(|r| rule_json(r, "QueueArn")).collect();
    let mut topics: Vec<Value> = n.topic_configurations.iter().map(|r| rule_json(r, "TopicArn")).collect();
    if let Some(i) = skip {
        if i < queues.len() {
            queues.remove(i);
        } else if i - queues.len() < topics.len() {
            topics.remove(i - queues.len());
        }
    }
    match add {
        Some(("QueueConfigurations", rule)) => queues.push(rule),
        Some((_, rule)) => topics.push(rule),
        None => {}
    }
    json!({"QueueConfigurations": queues, "TopicConfigurations": topics})
}

#[derive(Clone, PartialEq)]
struct NotifyForm {
    events: Vec<String>,
    prefix: String,
    suffix: String,
    /// `q:<arn>` or `t:<arn>`; empty means the first choice.
    destination: String,
    allow: bool,
}

#[derive(Clone, PartialEq)]
struct Upload {
    key: String,
    body: String,
}

#[derive(Properties, PartialEq)]
pub struct BucketCardProps {
    pub name: AttrValue,
    pub sim: SimRef,
    pub version: u64,
    pub queues: Vec<(String, String)>,
    pub topics: Vec<(String, String)>,
    pub on_action: Callback<Action>,
}

#[function_component(BucketCard)]
pub fn bucket_card(p: &BucketCardProps) -> Html {
    let notify = use_state(|| NotifyForm {
        events: vec!["s3:ObjectCreated:*".into()],
        prefix: "uploads/".into(),
        suffix: String::new(),
        destination: String::new(),
        allow: true,
    });
    let upload = use_state(|| Upload { key: "uploads/photo-1.txt".into(), body: "hello from S3".into() });
    let sim = p.sim.0.borrow();
    let Some(b) = sim.engine.s3_state().bucket(p.name.as_str()) else { return html! {} };
    let bucket = b.name.clone();
    let id = |s: &str| AttrValue::from(dom_id(&format!("bf-{s}"), &bucket));
    let choices: Vec<(String, String)> = p
        .queues
        .iter()
        .map(|(n, arn)| (format!("q:{arn}"), format!("queue {n}")))
        .chain(p.topics.iter().map(|(n, arn)| (format!("t:{arn}"), format!("topic {n}"))))
        .collect();
    let n = (*notify).clone();
    let destination = if n.destination.is_empty() {
        choices.first().map(|c| c.0.clone()).unwrap_or_default()
    } else {
        n.destination.clone()
    };

    let on_notify = {
        let (notify, on_action, sim, bucket) = (notify.clone(), p.on_action.clone(), p.sim.clone(), bucket.clone());
        let destination = destination.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let f = (*notify).clone();
            let (kind, arn) = destination.split_once(':').unwrap_or(("q", ""));
            // The borrow ends before the action is dispatched (the reducer borrows the simulation mutably).
            let requests = {
                let sim = sim.0.borrow();
                let Some(b) = sim.engine.s3_state().bucket(&bucket) else { return };
                let mut requests = Vec::new();
                let source = format!("arn:aws:s3:::{bucket}");
                if f.allow && kind == "q" {
                    if let Some(q) = sim.engine.sqs_state().queues().find(|q| q.arn == arn) {
                        let policy = api::allow_service(
                            q.config.policy.as_deref(),
                            "s3.amazonaws.com",
                            "sqs:SendMessage",
                            arn,
                            &source,
                        );
                        requests.push(ApiRequest::new(
                            "SetQueueAttributes",
                            [("QueueUrl", json!(q.url)), ("Attributes", json!({ "Policy": policy }))],
                        ));
                    }
                } else if f.allow {
                    if let Some(t) = sim.engine.sns_state().topics().find(|t| t.arn == arn) {
                        let existing = t.attributes.get("Policy").map(String::as_str);
                        let policy = api::allow_service(existing, "s3.amazonaws.com", "sns:Publish", arn, &source);
                        requests.push(ApiRequest::sns(
                            "SetTopicAttributes",
                            [
                                ("TopicArn", json!(arn)),
                                ("AttributeName", json!("Policy")),
                                ("AttributeValue", json!(policy)),
                            ],
                        ));
                    }
                }
                let rule = NotificationRule {
                    id: None,
                    destination_arn: arn.to_string(),
                    events: f.events.clone(),
                    prefix: (!f.prefix.is_empty()).then(|| f.prefix.clone()),
                    suffix: (!f.suffix.is_empty()).then(|| f.suffix.clone()),
                };
                let (list, member) =
                    if kind == "q" { ("QueueConfigurations", "QueueArn") } else { ("TopicConfigurations", "TopicArn") };
                let config = configuration(b, None, Some((list, rule_json(&rule, member))));
                requests.push(ApiRequest::s3(
                    "PutBucketNotificationConfiguration",
                    [("Bucket", json!(bucket)), ("NotificationConfiguration", config)],
                ));
                requests
            };
            on_action.emit(Action::CallMany { requests, success: format!("Event notification added to {bucket}.") });
        })
    };
    let on_upload = {
        let (upload, on_action, bucket) = (upload.clone(), p.on_action.clone(), bucket.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let request = ApiRequest::s3(
                "PutObject",
                [("Bucket", json!(bucket)), ("Key", json!(upload.key)), ("Body", json!(upload.body))],
            );
            on_action.emit(Action::Call { request, success: Some(format!("Uploaded {} to {bucket}.", upload.key)) });
        })
    };
    let call = |request: ApiRequest, success: Option<String>| {
        let on_action = p.on_action.clone();
        Callback::from(move |_: MouseEvent| {
            on_action.emit(Action::Call { request: request.clone(), success: success.clone() })
        })
    };
    let event_toggle = |event: &'static str| {
        let notify = notify.clone();
        Callback::from(move |e: Event| {
            let mut f = (*notify).clone();
            f.events.retain(|x| x != event);
            if checked(&e) {
                f.events.push(event.to_string());
            }
            notify.set(f);
        })
    };
    let on_destination = {
        let notify = notify.clone();
        Callback::from(move |e: Event| {
            let mut f = (*notify).clone();
            f.destination = select_value(&e);
            notify.set(f);
        })
    };
    let on_allow = {
        let notify = notify.clone();
        Callback::from(move |e: Event| {
            let mut f = (*notify).clone();
            f.allow = checked(&e);
            notify.set(f);
        })
    };
    let rules: Vec<(String, &NotificationRule)> = b
        .notification
        .queue_configurations
        .iter()
        .map(|r| ("queue", r))
        .chain(b.notification.topic_configurations.iter().map(|r| ("topic", r)))
        .map(|(kind, r)| (format!("{kind} {}", r.destination_arn.rsplit(':').next().unwrap_or_default()), r))
        .collect();
    let objects = b.objects.len();
    html! {
        <article class="card bucket" id={dom_id("b", &bucket)} data-bucket={bucket.clone()} aria-label={format!("Bucket {bucket}")}>
            <header>
                <h2>{ &bucket }</h2>
                <span class="badge">{ "S3 bucket" }</span>
                <div class="card-actions">
                    <button type="button" onclick={call(ApiRequest::s3("ListObjectsV2", [("Bucket", json!(bucket))]), None)}>
                        { "List objects" }</button>
                    <button type="button" class="danger"
                        onclick={call(ApiRequest::s3("DeleteBucket", [("Bucket", json!(bucket))]), Some(format!("Bucket {bucket} deleted.")))}>
                        { "Delete bucket" }</button>
                </div>
            </header>
            <h3>{ format!("Event notifications ({})", rules.len()) }</h3>
            if rules.is_empty() {
                <p class="empty">{ "None: uploads notify nobody." }</p>
            }
            <ul class="subs">
                { for rules.iter().enumerate().map(|(i, (to, r))| {
                    let remove = {
                        let config = configuration(b, Some(i), None);
                        call(ApiRequest::s3("PutBucketNotificationConfiguration",
                            [("Bucket", json!(bucket)), ("NotificationConfiguration", config)]), None)
                    };
                    let filter = match (&r.prefix, &r.suffix) {
                        (None, None) => "every key".to_string(),
                        (Some(p), None) => format!("keys starting \"{p}\""),
                        (None, Some(s)) => format!("keys ending \"{s}\""),
                        (Some(p), Some(s)) => format!("keys starting \"{p}\" and ending \"{s}\""),
                    };
                    html! {
                        <li class="sub" data-testid="notification">
                            <div class="sub-head"><span class="edge" aria-hidden="true">{ "→" }</span><b>{ to }</b></div>
                            <p class="sub-meta">{ format!("{} · {filter}", r.events.join(", ")) }</p>
                            <div class="sub-actions">
                                <button type="button" class="danger" onclick={remove}
                                    aria-label={format!("Remove the notification to {to}")}>{ "Remove" }</button>
                            </div>
                        </li>
                    }
                }) }
            </ul>
            <div class="forms">
                <form class="notify" onsubmit={on_notify} novalidate=true aria-label={format!("Add an event notification to {bucket}")}>
                    <h3>{ "Add event notification" }</h3>
                    <fieldset>
                        <legend>{ "Event types" }</legend>
                        { for EVENTS.iter().enumerate().map(|(i, (event, label))| {
                            let eid = format!("{}-{i}", id("ev"));
                            html! {
                                <div class="field check">
                                    <input id={eid.clone()} type="checkbox" checked={n.events.iter().any(|e| e == event)}
                                        onchange={event_toggle(event)} />
                                    <label for={eid}>{ *label }</label>
                                </div>
                            }
                        }) }
                    </fieldset>
                    <div class="row">
                        <Field id={id("prefix")} label="Prefix" value={n.prefix.clone()} placeholder="any"
                            oninput={super::setter(&notify, |f, v| f.prefix = v)} />
                        <Field id={id("suffix")} label="Suffix" value={n.suffix.clone()} placeholder="any"
                            oninput={super::setter(&notify, |f, v| f.suffix = v)} />
                    </div>
                    <div class="field">
                        <label for={id("dest")}>{ "Destination" }</label>
                        <select id={id("dest")} onchange={on_destination} disabled={choices.is_empty()}>
                            if choices.is_empty() { <option value="">{ "(create a queue or topic first)" }</option> }
                            { for choices.iter().map(|(value, label)| html! {
                                <option value={value.clone()} selected={*value == destination}>{ label }</option>
                            }) }
                        </select>
                    </div>
                    <div class="field check">
                        <input id={id("allow")} type="checkbox" checked={n.allow} onchange={on_allow} />
                        <label for={id("allow")}>{ "Allow the bucket to send there" }</label>
                        <small>{ "Adds a statement for s3.amazonaws.com to the destination's access policy first, \
                            as the console asks you to. Without it, S3 refuses the configuration." }</small>
                    </div>
                    <button type="submit" class="primary" disabled={choices.is_empty()}>{ "Save notification" }</button>
                </form>
                <form class="upload" onsubmit={on_upload} novalidate=true aria-label={format!("Upload an object to {bucket}")}>
                    <h3>{ "Upload" }</h3>
                    <Field id={id("key")} label="Key" value={upload.key.clone()}
                        oninput={super::setter(&upload, |u, v| u.key = v)} />
                    <div class="field">
                        <label for={id("body")}>{ "Content (text)" }</label>
                        <textarea id={id("body")} rows="2" value={upload.body.clone()}
                            oninput={super::setter(&upload, |u, v| u.body = v).reform(|e: InputEvent| textarea_value(&e))} />
                    </div>
                    <button type="submit" class="primary">{ "Upload object" }</button>
                </form>
            </div>
            <h3>{ format!("Objects ({objects})") }</h3>
            <ul class="objects" data-testid="objects">
                { for b.objects.values().take(WINDOW).map(|o| {
                    let del = call(ApiRequest::s3("DeleteObject", [("Bucket", json!(bucket)), ("Key", json!(o.key))]), None);
                    html! {
                        <li key={o.key.clone()}>
                            <code>{ &o.key }</code>
                            <span class="size">{ format!("{} B", o.body.len()) }</span>
                            <button type="button" class="danger" onclick={del}
                                aria-label={format!("Delete object {}", o.key)}>{ "Delete" }</button>
                        </li>
                    }
                }) }
            </ul>
            if objects > WINDOW {
                <p class="more">{ format!("… and {} more", objects - WINDOW) }</p>
            }
        </article>
    }
}
