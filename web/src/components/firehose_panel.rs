//! Amazon Data Firehose on the Kinesis page (`kinesis` feature): a form that
//! creates a delivery stream (direct PUT, or reading one of the page's data
//! streams) into an S3 bucket — created for the learner through S3 if it does
//! not exist — with buffering hints and an optional simulated Lambda
//! transform; and a card per delivery stream that shows what the course says
//! in words: the buffer filling against its size hint, the countdown to the
//! interval's delivery on the virtual clock, and the objects delivered with
//! AWS's key layout (`YYYY/MM/dd/HH/name-version-YYYY-MM-DD-HH-MM-SS-uuid`,
//! or the custom `Prefix` / `ErrorOutputPrefix` with their `!{...}`
//! expressions evaluated), each openable as text.
//!
//! Everything is read from `engine.firehose_state()` and `s3_state()`; every
//! change is a Firehose (or S3) request through the gateway (see `api.rs`).

use base64::Engine as _;
use decouple_engine::firehose::{
    DeliveryStream, DeliveryStreamStatus, DeliveryStreamType, Transform, CREATE_DELAY, DELETE_DELAY,
};
use decouple_engine::SimTime;
use serde_json::{json, Value};
use yew::prelude::*;

use super::{checked, select_value, Field};
use crate::api::ApiRequest;
use crate::state::{Action, SimRef};
use crate::timefmt;

/// Deliveries listed per delivery stream (the newest); the engine keeps more.
const DELIVERIES_SHOWN: usize = 20;
/// Most bytes of an object shown when it is opened.
const OBJECT_SHOWN: usize = 8 * 1024;
/// PutRecordBatch takes at most 500 records.
pub const MAX_BATCH: u32 = 500;

fn plural(n: u64, one: &str) -> String {
    format!("{n} {one}{}", if n == 1 { "" } else { "s" })
}

fn dom_id(name: &str) -> String {
    format!("fh-{}", name.replace('.', "-"))
}

/// What the simulated Lambda function does, chosen by its function name (see `decouple_wire::firehose_json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransformChoice {
    None,
    Identity,
    Uppercase,
    DropIfContains,
    FailIfContains,
}

impl TransformChoice {
    const ALL: [(TransformChoice, &'static str, &'static str); 5] = [
        (TransformChoice::None, "none", "None"),
        (TransformChoice::Identity, "identity", "Ok, unchanged"),
        (TransformChoice::Uppercase, "uppercase", "Ok, upper-cased"),
        (TransformChoice::DropIfContains, "drop", "Dropped if it contains…"),
        (TransformChoice::FailIfContains, "fail", "ProcessingFailed if it contains…"),
    ];

    fn parse(value: &str) -> TransformChoice {
        Self::ALL.iter().find(|(_, v, _)| *v == value).map_or(TransformChoice::None, |(c, _, _)| *c)
    }

    fn needs_text(self) -> bool {
        matches!(self, TransformChoice::DropIfContains | TransformChoice::FailIfContains)
    }
}

/// The create form as typed.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryForm {
    pub name: String,
    /// A data stream's name, or empty for direct PUT.
    pub source: String,
    pub bucket: String,
    pub size_mib: String,
    pub interval_s: String,
    pub transform: TransformChoice,
    pub contains: String,
    /// `Prefix` as typed; empty leaves it out.
    pub prefix: String,
    /// `ErrorOutputPrefix` as typed; empty leaves it out.
    pub error_prefix: String,
}

impl Default for DeliveryForm {
    fn default() -> Self {
        DeliveryForm {
            name: "clicks-to-s3".into(),
            source: String::new(),
            bucket: "clicks-archive".into(),
            size_mib: "5".into(),
            interval_s: "300".into(),
            transform: TransformChoice::None,
            contains: "error".into(),
            prefix: String::new(),
            error_prefix: String::new(),
        }
    }
}

/// Where the requests go: the account and region in ARNs, and the source
/// stream's ARN (when the form names one).
pub struct Context<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub source_arn: Option<&'a str>,
    pub bucket_exists: bool,
}

/// The requests that create what the form describes: CreateBucket if the
/// bucket is missing, then CreateDeliveryStream. Numbers go as typed, so the
/// engine answers AWS's ValidationException for one out of range. A problem
/// the form itself can see (a transform text Lambda names cannot hold) is an `Err`.
pub fn create_requests(f: &DeliveryForm, cx: &Context<'_>) -> Result<Vec<ApiRequest>, String> {
    let bucket = f.bucket.trim();
    let role = format!("arn:aws:iam::{}:role/firehose-delivery-role", cx.account);
    let mut hints = serde_json::Map::new();
    for (member, text) in [("SizeInMBs", &f.size_mib), ("IntervalInSeconds", &f.interval_s)] {
        let v = super::number_member(text);
        if !v.is_null() {
            hints.insert(member.into(), v);
        }
    }
    let mut destination = json!({"RoleARN": role, "BucketARN": format!("arn:aws:s3:::{bucket}")});
    if !hints.is_empty() {
        destination["BufferingHints"] = Value::Object(hints);
    }
    // As typed: the engine answers AWS's InvalidArgumentException for a prefix it refuses.
    for (member, text) in [("Prefix", &f.prefix), ("ErrorOutputPrefix", &f.error_prefix)] {
        if !text.is_empty() {
            destination[member] = json!(text);
        }
    }
    let function = match f.transform {
        TransformChoice::None => None,
        TransformChoice::Identity => Some("identity".to_string()),
        TransformChoice::Uppercase => Some("uppercase".to_string()),
        TransformChoice::DropIfContains | TransformChoice::FailIfContains => {
            let text = f.contains.trim();
            // Lambda function names are 1-64 of [a-zA-Z0-9-_]; the text is part of one.
            if text.is_empty()
                || text.len() > 40
                || !text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            {
                return Err("The text to look for: 1–40 letters, digits, - or _ (it becomes part of the Lambda function's name).".into());
            }
            let verb = if f.transform == TransformChoice::DropIfContains { "drop" } else { "fail" };
            Some(format!("{verb}-if-contains-{text}"))
        }
    };
    if let Some(function) = function {
        let arn = format!("arn:aws:lambda:{}:{}:function:{function}", cx.region, cx.account);
        destination["ProcessingConfiguration"] = json!({"Enabled": true, "Processors": [
            {"Type": "Lambda", "Parameters": [{"ParameterName": "LambdaArn", "ParameterValue": arn}]}
        ]});
    }
    let (kind, source) = match cx.source_arn {
        Some(arn) => ("KinesisStreamAsSource", json!({"KinesisStreamARN": arn, "RoleARN": role})),
        None => ("DirectPut", Value::Null),
    };
    let mut requests = Vec::new();
    if !cx.bucket_exists {
        requests.push(ApiRequest::s3("CreateBucket", [("Bucket", json!(bucket))]));
    }
    requests.push(ApiRequest::firehose(
        "CreateDeliveryStream",
        [
            ("DeliveryStreamName", json!(f.name.trim())),
            ("DeliveryStreamType", json!(kind)),
            ("KinesisStreamSourceConfiguration", source),
            ("ExtendedS3DestinationConfiguration", destination),
        ],
    ));
    Ok(requests)
}

/// The base64 `Data` of a record's text.
fn data_member(text: &str) -> Value {
    json!(base64::engine::general_purpose::STANDARD.encode(text.as_bytes()))
}

/// PutRecord for one record, PutRecordBatch for several (each the same text).
pub fn put_request(stream: &str, text: &str, n: u32) -> ApiRequest {
    if n == 1 {
        return ApiRequest::firehose(
            "PutRecord",
            [("DeliveryStreamName", json!(stream)), ("Record", json!({"Data": data_member(text)}))],
        );
    }
    let records: Vec<Value> = (0..n).map(|_| json!({"Data": data_member(text)})).collect();
    ApiRequest::firehose("PutRecordBatch", [("DeliveryStreamName", json!(stream)), ("Records", json!(records))])
}

/// An object's bytes as text a person can read: UTF-8 (invalid bytes
/// replaced), control characters other than newline and tab as `\u{..}`.
pub fn readable(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().min(OBJECT_SHOWN) + 16);
    for c in String::from_utf8_lossy(&bytes[..bytes.len().min(OBJECT_SHOWN)]).chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn transform_text(t: &Transform, lambda: bool) -> String {
    if !lambda {
        return "no transform".into();
    }
    match t {
        Transform::Identity => "Lambda transform: Ok, unchanged".into(),
        Transform::Uppercase => "Lambda transform: Ok, upper-cased".into(),
        Transform::DropIfContains(x) => format!("Lambda transform: Dropped if it contains \u{201c}{x}\u{201d}"),
        Transform::FailIfContains(x) => {
            format!("Lambda transform: ProcessingFailed if it contains \u{201c}{x}\u{201d}")
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct FirehosePanelProps {
    pub sim: SimRef,
    pub version: u64,
    pub on_action: Callback<Action>,
}

/// The Firehose section: the create form and one card per delivery stream.
#[function_component(FirehosePanel)]
pub fn firehose_panel(p: &FirehosePanelProps) -> Html {
    let form = use_state(DeliveryForm::default);
    let problem = use_state(|| None::<String>);
    let sim = p.sim.0.borrow();
    let streams: Vec<(String, String)> =
        sim.engine.kinesis_state().streams().map(|s| (s.name.to_string(), s.arn.clone())).collect();
    let names: Vec<String> = sim.engine.firehose_state().delivery_streams().map(|s| s.name.to_string()).collect();
    drop(sim);

    let onsubmit = {
        let (form, problem, on_action, sim) = (form.clone(), problem.clone(), p.on_action.clone(), p.sim.clone());
        let streams = streams.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let sim = sim.0.borrow();
            let config = sim.engine.config();
            let source_arn = streams.iter().find(|(n, _)| *n == form.source).map(|(_, arn)| arn.as_str());
            let cx = Context {
                account: &config.account_id,
                region: &config.region,
                source_arn,
                bucket_exists: sim.engine.s3_state().bucket(form.bucket.trim()).is_some(),
            };
            let requests = create_requests(&form, &cx);
            drop(sim);
            match requests {
                Err(text) => problem.set(Some(text)),
                Ok(requests) => {
                    problem.set(None);
                    let name = form.name.trim();
                    let bucket = if requests.len() > 1 { " (and its bucket)" } else { "" };
                    let success = format!(
                        "Delivery stream {name}{bucket} created: CREATING for its first {} virtual seconds, then ACTIVE.",
                        CREATE_DELAY.as_secs()
                    );
                    on_action.emit(Action::CallMany { requests, success });
                }
            }
        })
    };
    let f = (*form).clone();
    let on_source = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.source = select_value(&e);
            form.set(f);
        })
    };
    let on_transform = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.transform = TransformChoice::parse(&select_value(&e));
            form.set(f);
        })
    };
    html! {
        <section id="firehose" class="firehose" aria-labelledby="firehose-heading">
            <h2 id="firehose-heading">{ "Data Firehose" }</h2>
            <p class="hint">{ "Firehose buffers records and writes them to S3 as one object when the buffer \
                reaches its size hint or its interval runs out, whichever comes first. Records are \
                concatenated as they are, with no delimiter." }</p>
            <form class="firehose-form card" onsubmit={onsubmit} novalidate=true aria-label="Create delivery stream">
                <h3>{ "Create delivery stream" }</h3>
                <div class="row">
                    <Field id="fh-name" label="Delivery stream name" value={f.name.clone()}
                        hint="1–64 characters: letters, digits, _ - ."
                        oninput={super::setter(&form, |f, v| f.name = v)} />
                    <div class="field">
                        <label for="fh-source">{ "Source" }</label>
                        <select id="fh-source" onchange={on_source}>
                            <option value="" selected={f.source.is_empty()}>{ "Direct PUT" }</option>
                            { for streams.iter().map(|(n, _)| html! {
                                <option value={n.clone()} selected={f.source == *n}>{ format!("Kinesis data stream {n}") }</option>
                            }) }
                        </select>
                        <small>{ "A data stream is read once a second per shard, from LATEST: records put before the delivery stream exists are not delivered" }</small>
                    </div>
                    <Field id="fh-bucket" label="S3 bucket" value={f.bucket.clone()}
                        hint="Created for you if it does not exist"
                        oninput={super::setter(&form, |f, v| f.bucket = v)} />
                </div>
                <div class="row">
                    <Field id="fh-size" label="Buffer size (MiB)" value={f.size_mib.clone()} numeric=true
                        hint="SizeInMBs: 1–128, 5 by default"
                        oninput={super::setter(&form, |f, v| f.size_mib = v)} />
                    <Field id="fh-interval" label="Buffer interval (s)" value={f.interval_s.clone()} numeric=true
                        hint="IntervalInSeconds: 0–900, 300 by default (0: no buffering)"
                        oninput={super::setter(&form, |f, v| f.interval_s = v)} />
                    <div class="field">
                        <label for="fh-transform">{ "Transform (Lambda)" }</label>
                        <select id="fh-transform" onchange={on_transform}>
                            { for TransformChoice::ALL.iter().map(|(c, v, label)| html! {
                                <option value={*v} selected={f.transform == *c}>{ *label }</option>
                            }) }
                        </select>
                        <small>{ "A simulated Lambda function returns each record Ok, Dropped or ProcessingFailed" }</small>
                    </div>
                    if f.transform.needs_text() {
                        <Field id="fh-contains" label="…the text" value={f.contains.clone()}
                            hint="Records containing it are affected"
                            oninput={super::setter(&form, |f, v| f.contains = v)} />
                    }
                </div>
                <div class="row">
                    <Field id="fh-prefix" label="S3 prefix" value={f.prefix.clone()}
                        hint="Optional, e.g. logs/!{timestamp:yyyy/MM/dd}/ — without a timestamp expression, YYYY/MM/dd/HH/ follows"
                        oninput={super::setter(&form, |f, v| f.prefix = v)} />
                    <Field id="fh-error-prefix" label="S3 error output prefix" value={f.error_prefix.clone()}
                        hint="Required when the prefix has expressions, e.g. errors/!{firehose:error-output-type}/"
                        oninput={super::setter(&form, |f, v| f.error_prefix = v)} />
                </div>
                <p class="hint">{ "IAM is not simulated: the role ARN the request names is not checked." }</p>
                <button type="submit" class="primary">{ "Create delivery stream" }</button>
                if let Some(text) = &*problem { <p class="error-text" role="alert">{ text }</p> }
            </form>
            <div class="delivery-streams">
                { for names.into_iter().map(|name| html! {
                    <DeliveryCard key={name.clone()} name={name.clone()} sim={p.sim.clone()} version={p.version}
                        on_action={p.on_action.clone()} />
                }) }
            </div>
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct DeliveryCardProps {
    pub name: AttrValue,
    pub sim: SimRef,
    pub version: u64,
    pub on_action: Callback<Action>,
}

fn status_text(s: &DeliveryStream) -> String {
    match s.status {
        DeliveryStreamStatus::Creating => {
            "CREATING: 5 virtual seconds (⇥ Next deadline jumps there); puts are refused until it is ACTIVE.".into()
        }
        DeliveryStreamStatus::Deleting => "DELETING: buffered records are lost with the delivery stream.".into(),
        DeliveryStreamStatus::Active => match &s.source {
            Some(src) => format!(
                "ACTIVE: reads Kinesis data stream {} once a virtual second per shard (GetRecords), from where it was at creation.",
                src.stream_name
            ),
            None => "ACTIVE: takes PutRecord and PutRecordBatch.".into(),
        },
    }
}

/// The buffer: records, bytes against the size hint, and when the interval
/// delivers it, with a button that moves the clock there.
fn buffer_view(s: &DeliveryStream, now: SimTime, on_action: &Callback<Action>) -> Html {
    let limit = s.destination.size_limit_bytes();
    let bytes = s.buffered_bytes;
    let percent = (bytes as f64 / limit as f64 * 100.0).clamp(0.0, 100.0);
    let interval = s.destination.interval_in_seconds;
    let when = match s.flush_at() {
        Some(at) => format!("delivered in {} (interval {interval} s)", timefmt::countdown(at.saturating_sub(now))),
        None if interval == 0 => "no buffering: each call is delivered at once".into(),
        None => format!("empty: the {interval} s interval starts with the next record"),
    };
    html! {
        <div class="buffer" data-testid="buffer">
            <div class="meter">
                <span class="meter-label">{ format!("Buffer: {}", plural(s.buffer.len() as u64, "record")) }</span>
                <span class="meter-track" role="meter" aria-label="Buffer fill against the size hint" aria-valuemin="0"
                    aria-valuemax={limit.to_string()} aria-valuenow={bytes.min(limit).to_string()}>
                    <span class="meter-fill" style={format!("width:{percent:.2}%")}></span>
                </span>
                <span class="meter-text">{ format!("{bytes} B / {} MiB", s.destination.size_in_mbs) }</span>
            </div>
            <p class="countdown">
                <span data-testid="flush">{ when }</span>
                if let Some(at) = s.flush_at() {
                    <button type="button" class="jump" onclick={on_action.reform(move |_: MouseEvent| Action::AdvanceTo(at))}
                        title="Moves the virtual clock to the end of the buffer interval">{ "⇥ Jump to delivery" }</button>
                }
            </p>
        </div>
    }
}

#[function_component(DeliveryCard)]
pub fn delivery_card(p: &DeliveryCardProps) -> Html {
    let opened = use_state(|| None::<String>);
    let name = p.name.to_string();
    let sim = p.sim.0.borrow();
    let now = sim.engine.now();
    let start = sim.start();
    let Some(s) = sim.engine.firehose_state().delivery_stream(&name) else { return html! {} };
    let d = &s.destination;
    let m = s.metrics;
    let delete = {
        let (on_action, name) = (p.on_action.clone(), name.clone());
        Callback::from(move |_: MouseEvent| {
            let request = ApiRequest::firehose("DeleteDeliveryStream", [("DeliveryStreamName", json!(name))]);
            on_action.emit(Action::Call {
                request,
                success: Some(format!(
                    "Delivery stream {name} deleted: DELETING for its last {} virtual seconds.",
                    DELETE_DELAY.as_secs()
                )),
            });
        })
    };
    let deliveries: Vec<Html> = s
        .deliveries
        .iter()
        .rev()
        .take(DELIVERIES_SHOWN)
        .map(|delivery| {
            let key = delivery.key.clone();
            let is_open = opened.as_deref() == Some(key.as_str());
            let toggle = {
                let (opened, key) = (opened.clone(), key.clone());
                Callback::from(move |_: MouseEvent| opened.set(if is_open { None } else { Some(key.clone()) }))
            };
            let object = sim.engine.s3_state().bucket(&delivery.bucket).and_then(|b| b.objects.get(&delivery.key));
            let content = is_open.then(|| match object {
                Some(o) => {
                    let more = o.body.len().saturating_sub(OBJECT_SHOWN);
                    html! {
                        <td colspan="4" class="object-body">
                            <pre data-testid="object-body">{ readable(&o.body) }</pre>
                            if more > 0 { <p class="more">{ format!("+ {more} more bytes") }</p> }
                        </td>
                    }
                }
                None => html! { <td colspan="4" class="object-body"><p class="more">{ "No longer in the bucket." }</p></td> },
            });
            let kind = if delivery.error.is_some() {
                Some(("failed", "delivery failed"))
            } else if delivery.error_output {
                Some(("processing-failed", "processing-failed"))
            } else {
                None
            };
            html! {
                <>
                    <tr class={classes!("delivery", kind.map(|k| k.0))} data-key={key.clone()}>
                        <td class="when">{ timefmt::relative(delivery.at.saturating_sub(start)) }</td>
                        <td class="key">
                            if delivery.error.is_none() {
                                <button type="button" class="link" onclick={toggle} aria-expanded={is_open.to_string()}
                                    title={format!("s3://{}/{}", delivery.bucket, key)}>{ &key }</button>
                            } else {
                                <span>{ &key }</span>
                            }
                            if let Some((_, label)) = kind { <span class="badge warn">{ label }</span> }
                            if let Some(e) = &delivery.error { <p class="error-text">{ e }</p> }
                        </td>
                        <td class="num">{ format!("{} B", delivery.bytes) }</td>
                        <td class="num">{ delivery.records }</td>
                    </tr>
                    if let Some(content) = content { <tr class="opened">{ content }</tr> }
                </>
            }
        })
        .collect();
    let more = s.deliveries.len().saturating_sub(DELIVERIES_SHOWN);
    let source = match (&s.source, s.stream_type) {
        (Some(src), _) => format!("source: Kinesis data stream {}", src.stream_name),
        (None, DeliveryStreamType::DirectPut) => "source: Direct PUT".into(),
        (None, _) => String::new(),
    };
    let prefixes = match (&d.prefix, &d.error_output_prefix) {
        (None, None) => String::new(),
        (p, e) => format!(
            " · prefix {} · error output prefix {}",
            p.as_deref().unwrap_or("(none)"),
            e.as_deref().unwrap_or("(none)")
        ),
    };
    let settings = format!(
        "{source} · destination s3://{}/{prefixes} · buffer {} MiB or {} s · {}",
        d.bucket,
        d.size_in_mbs,
        d.interval_in_seconds,
        transform_text(&d.transform, d.lambda_arn.is_some())
    );
    let status = s.status;
    let direct = s.stream_type == DeliveryStreamType::DirectPut;
    let buffer = buffer_view(s, now, &p.on_action);
    let status_line = status_text(s);
    let id = dom_id(&name);
    drop(sim);
    html! {
        <article class="card delivery-stream" id={id.clone()} aria-labelledby={format!("{id}-t")} data-delivery-stream={name.clone()}>
            <header>
                <h3 id={format!("{id}-t")}>{ &name }</h3>
                <span class={classes!("badge", "status", status.as_str().to_ascii_lowercase())} data-testid="delivery-status">
                    { status.as_str() }</span>
                <div class="card-actions">
                    <button type="button" class="danger" onclick={delete}>{ "Delete" }</button>
                </div>
            </header>
            <p class="status-text">{ status_line }</p>
            <p class="settings">{ settings }</p>
            { buffer }
            <p class="fh-metrics" data-testid="fh-metrics">{ format!(
                "Incoming {} · delivered {} · dropped {} · processing-failed {} · failed deliveries {}",
                plural(m.incoming_records, "record"), m.delivered_records, m.dropped_records, m.failed_records, m.failed_deliveries
            ) }</p>
            <div class="forms">
                if direct {
                    <FirehosePut stream={name.clone()} on_action={p.on_action.clone()} />
                } else {
                    <p class="hint">{ "Put records into the data stream: PutRecord on this delivery stream is refused \
                        for a KinesisStreamAsSource delivery stream, as in AWS." }</p>
                }
            </div>
            <table class="deliveries" aria-label={format!("Objects delivered by {name}")}>
                <caption>{ "S3 objects delivered, newest first" }</caption>
                <thead><tr><th>{ "When" }</th><th>{ "Key" }</th><th>{ "Size" }</th><th>{ "Records" }</th></tr></thead>
                <tbody>
                    if deliveries.is_empty() {
                        <tr><td colspan="4" class="more">{ "None yet." }</td></tr>
                    }
                    { for deliveries }
                </tbody>
            </table>
            if more > 0 { <p class="more">{ format!("+ {more} older") }</p> }
        </article>
    }
}

#[derive(Clone, PartialEq)]
struct PutFields {
    data: String,
    newline: bool,
    count: String,
}

#[derive(Properties, PartialEq)]
pub struct FirehosePutProps {
    pub stream: AttrValue,
    pub on_action: Callback<Action>,
}

/// PutRecord, and PutRecordBatch for several records at once.
#[function_component(FirehosePut)]
pub fn firehose_put(p: &FirehosePutProps) -> Html {
    let form = use_state(|| PutFields { data: "{\"page\":\"/home\"}".into(), newline: true, count: "1".into() });
    let problem = use_state(|| None::<String>);
    let stream = p.stream.to_string();
    let onsubmit = {
        let (form, problem, on_action, stream) = (form.clone(), problem.clone(), p.on_action.clone(), stream.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let n = match form.count.trim().parse::<u32>() {
                Ok(n) if (1..=MAX_BATCH).contains(&n) => n,
                _ => {
                    problem.set(Some(format!("How many: a whole number from 1 to {MAX_BATCH} (one PutRecordBatch).")));
                    return;
                }
            };
            problem.set(None);
            let text = if form.newline { format!("{}\n", form.data) } else { form.data.clone() };
            let request = put_request(&stream, &text, n);
            let success = (n > 1).then(|| format!("Put {n} records into {stream} in one PutRecordBatch call."));
            on_action.emit(Action::Call { request, success });
        })
    };
    let on_newline = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.newline = checked(&e);
            form.set(f);
        })
    };
    let f = (*form).clone();
    let id = |field: &str| format!("{}-{field}", dom_id(&stream));
    let label = match f.count.trim() {
        "1" => "Put record".to_string(),
        n => format!("Put {n} records"),
    };
    html! {
        <form class="put-form" onsubmit={onsubmit} novalidate=true aria-label={format!("Put records into delivery stream {stream}")}>
            <div class="field">
                <label for={id("data")}>{ "Data" }</label>
                <textarea id={id("data")} rows="2" value={f.data.clone()}
                    oninput={super::setter(&form, |f, v| f.data = v).reform(|e: InputEvent| super::textarea_value(&e))} />
                <small>{ "Sent as text (base64 on the wire), up to 1,000 KiB a record" }</small>
            </div>
            <div class="field check">
                <input id={id("newline")} type="checkbox" checked={f.newline} onchange={on_newline} />
                <label for={id("newline")}>{ "End each record with a newline" }</label>
                <small>{ "Firehose adds no delimiter: without one the records run together in the object." }</small>
            </div>
            <Field id={id("count")} label="How many" value={f.count.clone()} numeric=true
                hint="1: PutRecord. 2–500: one PutRecordBatch"
                oninput={super::setter(&form, |f, v| f.count = v)} />
            <button type="submit" class="primary">{ label }</button>
            if let Some(text) = &*problem { <p class="error-text" role="alert">{ text }</p> }
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{Command, Outcome, Sim};
    use decouple_engine::SimDuration;

    fn cx(source_arn: Option<&str>, bucket_exists: bool) -> Context<'_> {
        Context { account: "000000000000", region: "us-east-1", source_arn, bucket_exists }
    }

    #[test]
    fn the_form_becomes_create_bucket_then_create_delivery_stream() {
        let form =
            DeliveryForm { interval_s: "60".into(), transform: TransformChoice::FailIfContains, ..Default::default() };
        let requests =
            create_requests(&form, &cx(Some("arn:aws:kinesis:us-east-1:000000000000:stream/clicks"), false)).unwrap();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].cli(), "aws s3api create-bucket --bucket clicks-archive");
        let create = &requests[1];
        assert_eq!(create.body["DeliveryStreamType"], "KinesisStreamAsSource");
        let dest = &create.body["ExtendedS3DestinationConfiguration"];
        assert_eq!(dest["BufferingHints"], json!({"SizeInMBs": 5, "IntervalInSeconds": 60}));
        assert_eq!(dest["BucketARN"], "arn:aws:s3:::clicks-archive");
        assert_eq!(
            dest["ProcessingConfiguration"]["Processors"][0]["Parameters"][0]["ParameterValue"],
            "arn:aws:lambda:us-east-1:000000000000:function:fail-if-contains-error"
        );
        assert!(
            create.cli().starts_with("aws firehose create-delivery-stream --delivery-stream-name clicks-to-s3 "),
            "{}",
            create.cli()
        );
        assert_eq!(create.to_http().header("x-amz-target"), Some("Firehose_20150804.CreateDeliveryStream"));

        let direct = create_requests(&DeliveryForm::default(), &cx(None, true)).unwrap();
        assert_eq!(direct.len(), 1, "the bucket exists");
        assert_eq!(direct[0].body["DeliveryStreamType"], "DirectPut");
        assert!(direct[0].body.get("KinesisStreamSourceConfiguration").is_none());

        let bad =
            DeliveryForm { transform: TransformChoice::DropIfContains, contains: "a:b".into(), ..Default::default() };
        assert!(create_requests(&bad, &cx(None, true)).is_err());
    }

    #[test]
    fn prefixes_go_as_typed_into_the_request_and_its_cli_line() {
        let form = DeliveryForm {
            prefix: "logs/!{timestamp:yyyy/MM/dd}/".into(),
            error_prefix: "errors/!{firehose:error-output-type}/".into(),
            ..Default::default()
        };
        let requests = create_requests(&form, &cx(None, true)).unwrap();
        let dest = &requests[0].body["ExtendedS3DestinationConfiguration"];
        assert_eq!(dest["Prefix"], "logs/!{timestamp:yyyy/MM/dd}/");
        assert_eq!(dest["ErrorOutputPrefix"], "errors/!{firehose:error-output-type}/");
        assert!(requests[0].cli().contains(r#""Prefix":"logs/!{timestamp:yyyy/MM/dd}/""#), "{}", requests[0].cli());
        let plain = create_requests(&DeliveryForm::default(), &cx(None, true)).unwrap();
        let dest = &plain[0].body["ExtendedS3DestinationConfiguration"];
        assert!(dest.get("Prefix").is_none() && dest.get("ErrorOutputPrefix").is_none());
    }

    #[test]
    fn a_custom_prefix_names_the_object_and_a_bad_one_is_refused() {
        let mut sim = Sim::new(3);
        let form = DeliveryForm {
            interval_s: "0".into(),
            prefix: "logs/!{timestamp:yyyy}/".into(),
            error_prefix: "errors/!{firehose:error-output-type}/".into(),
            ..Default::default()
        };
        sim.perform(Command::CallMany(create_requests(&form, &cx(None, false)).unwrap()));
        sim.advance_by(SimDuration::from_secs(5));
        call(&mut sim, put_request("clicks-to-s3", "a\n", 1));
        let s = sim.engine.firehose_state().delivery_stream("clicks-to-s3").unwrap();
        assert!(s.deliveries[0].key.starts_with("logs/2026/clicks-to-s3-1-"), "{}", s.deliveries[0].key);
        let bad = DeliveryForm { name: "bad".into(), prefix: "logs/!{timestamp:yyyy}/".into(), ..Default::default() };
        let Outcome::Err(e) = sim.perform(Command::CallMany(create_requests(&bad, &cx(None, true)).unwrap())) else {
            panic!("expressions without an error output prefix are refused")
        };
        assert_eq!(e.code, "InvalidArgumentException");
        assert!(e.message.ends_with("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"));
    }

    #[test]
    fn puts_are_put_record_or_one_batch_and_text_is_escaped() {
        let one = put_request("s", "hi\n", 1);
        assert_eq!(one.cli(), r#"aws firehose put-record --delivery-stream-name s --record '{"Data":"aGkK"}'"#);
        let batch = put_request("s", "x", 4);
        assert_eq!(batch.action, "PutRecordBatch");
        assert!(batch.cli().contains("--records file://records.json"), "{}", batch.cli());
        assert_eq!(readable(b"a\nb\x01<i>\xff"), "a\nb\\u{1}<i>\u{fffd}");
    }

    fn call(sim: &mut Sim, request: ApiRequest) -> Value {
        match sim.perform(Command::Call(request)) {
            Outcome::Ok(body) => body,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_kinesis_source_delivers_one_object_when_the_interval_ends() {
        let mut sim = Sim::new(3);
        call(
            &mut sim,
            ApiRequest::kinesis("CreateStream", [("StreamName", json!("clicks")), ("ShardCount", json!(1))]),
        );
        sim.advance_by(SimDuration::from_secs(10));
        let arn = sim.engine.kinesis_state().stream("clicks").unwrap().arn.clone();
        let form = DeliveryForm { source: "clicks".into(), interval_s: "60".into(), ..Default::default() };
        let requests = create_requests(&form, &cx(Some(&arn), false)).unwrap();
        assert!(matches!(sim.perform(Command::CallMany(requests)), Outcome::Ok(_)), "{:?}", sim.log.back());
        sim.advance_by(SimDuration::from_secs(5));
        let put = |sim: &mut Sim, text: &str| {
            let data = base64::engine::general_purpose::STANDARD.encode(text);
            let request = ApiRequest::kinesis(
                "PutRecord",
                [("StreamName", json!("clicks")), ("PartitionKey", json!("k")), ("Data", json!(data))],
            );
            call(sim, request);
        };
        put(&mut sim, "one\n");
        put(&mut sim, "two\n");
        sim.advance_by(SimDuration::from_secs(2));
        let s = sim.engine.firehose_state().delivery_stream("clicks-to-s3").unwrap();
        assert_eq!((s.buffer.len(), s.buffered_bytes), (2, 8));
        let flush = s.flush_at().unwrap();
        while sim.engine.now() < flush {
            sim.advance_to_next_deadline();
        }
        let s = sim.engine.firehose_state().delivery_stream("clicks-to-s3").unwrap();
        assert!(s.buffer.is_empty());
        let delivery = s.deliveries.back().unwrap();
        assert_eq!(delivery.records, 2);
        // YYYY/MM/dd/HH/name-version-YYYY-MM-DD-HH-MM-SS-uuid
        let parts: Vec<&str> = delivery.key.splitn(5, '/').collect();
        assert_eq!(parts.len(), 5, "{}", delivery.key);
        assert!(parts[4].starts_with("clicks-to-s3-1-"), "{}", delivery.key);
        let object = &sim.engine.s3_state().bucket("clicks-archive").unwrap().objects[&delivery.key];
        assert_eq!(readable(&object.body), "one\ntwo\n");
        assert!(sim.log.iter().any(|e| e.cli.starts_with("aws firehose create-delivery-stream")));
        let back = crate::persist::restore(&crate::persist::save(&sim)).unwrap();
        assert_eq!(back.engine.s3_state().bucket("clicks-archive").unwrap().objects.len(), 1, "the journal replays");
    }

    #[test]
    fn direct_puts_and_their_log_lines() {
        let mut sim = Sim::new(3);
        let requests =
            create_requests(&DeliveryForm { interval_s: "0".into(), ..Default::default() }, &cx(None, false)).unwrap();
        sim.perform(Command::CallMany(requests));
        sim.advance_by(SimDuration::from_secs(5));
        call(&mut sim, put_request("clicks-to-s3", "a\n", 1));
        assert!(
            sim.log.back().unwrap().summary.starts_with("PutRecord → RecordId "),
            "{}",
            sim.log.back().unwrap().summary
        );
        call(&mut sim, put_request("clicks-to-s3", "b\n", 3));
        assert_eq!(sim.log.back().unwrap().summary, "PutRecordBatch → 3 put, 0 failed");
        let s = sim.engine.firehose_state().delivery_stream("clicks-to-s3").unwrap();
        assert_eq!(s.deliveries.len(), 2, "zero buffering delivers every call");
        let Outcome::Err(e) = sim.perform(Command::CallMany(
            create_requests(
                &DeliveryForm { size_mib: "129".into(), name: "x".into(), ..Default::default() },
                &cx(None, true),
            )
            .unwrap(),
        )) else {
            panic!("129 MiB is over the limit")
        };
        assert_eq!(e.code, "ValidationException");
        assert!(e.message.contains("less than or equal to 128"), "{e}");
    }
}
