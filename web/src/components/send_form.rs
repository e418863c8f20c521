//! Send one message (body, message attributes, delay, FIFO group and
//! deduplication ids) or N of them for load, as SendMessage /
//! SendMessageBatch requests. On the SNS page, which has S3, a message can
//! also go through the SQS Extended Client (see `crate::extended`).

use serde_json::{json, Map, Value};
use yew::prelude::*;

use super::attr_rows::{self, Attr, AttrRows};
use super::{dom_id, number_member, textarea_value, Field};
use crate::api::ApiRequest;
use crate::state::Action;

/// Most messages one "send N" sends (in batches of 10).
pub const MAX_SEND_N: usize = 10_000;

#[derive(Properties, PartialEq)]
pub struct SendFormProps {
    pub url: String,
    pub name: String,
    pub fifo: bool,
    /// The buckets an Extended Client send can offload to.
    #[cfg(feature = "sns")]
    pub buckets: Vec<String>,
    /// For reproducible S3 keys (see `extended::object_key`).
    #[cfg(feature = "sns")]
    pub sim: crate::state::SimRef,
    pub on_action: Callback<Action>,
}

#[derive(Clone, PartialEq)]
struct Form {
    body: String,
    attrs: Vec<Attr>,
    delay: String,
    group: String,
    dedup: String,
    count: String,
    #[cfg(feature = "sns")]
    extended: Extended,
}

/// The Extended Client options of the send form.
#[cfg(feature = "sns")]
#[derive(Clone, Default, PartialEq)]
struct Extended {
    on: bool,
    /// Offload even small payloads (the libraries' `alwaysThroughS3`).
    always: bool,
    /// Empty until the learner picks one: then the first bucket.
    bucket: String,
}

#[cfg(feature = "sns")]
impl Extended {
    fn bucket_among(&self, buckets: &[String]) -> String {
        if self.bucket.is_empty() || !buckets.contains(&self.bucket) {
            buckets.first().cloned().unwrap_or_default()
        } else {
            self.bucket.clone()
        }
    }
}

fn text(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::from(s)
    }
}

fn requests(url: &str, f: &Form) -> Vec<ApiRequest> {
    let count = f.count.trim().parse::<usize>().unwrap_or(1).clamp(1, MAX_SEND_N);
    if count == 1 {
        return vec![ApiRequest::new(
            "SendMessage",
            [
                ("QueueUrl", json!(url)),
                ("MessageBody", json!(f.body)),
                ("MessageAttributes", attr_rows::to_json(&f.attrs)),
                ("DelaySeconds", number_member(&f.delay)),
                ("MessageGroupId", text(&f.group)),
                ("MessageDeduplicationId", text(&f.dedup)),
            ],
        )];
    }
    let attrs = attr_rows::to_json(&f.attrs);
    (0..count)
        .collect::<Vec<_>>()
        .chunks(10)
        .map(|chunk| {
            let entries: Vec<Value> = chunk
                .iter()
                .map(|&i| {
                    // Numbered bodies (and dedup ids) keep N messages apart.
                    let mut e = Map::new();
                    e.insert("Id".into(), json!(format!("m{i}")));
                    e.insert("MessageBody".into(), json!(format!("{} #{}", f.body, i + 1)));
                    for (k, v) in [
                        ("MessageAttributes", attrs.clone()),
                        ("DelaySeconds", number_member(&f.delay)),
                        ("MessageGroupId", text(&f.group)),
                        (
                            "MessageDeduplicationId",
                            text(&f.dedup).as_str().map_or(Value::Null, |d| json!(format!("{d}-{}", i + 1))),
                        ),
                    ] {
                        if !v.is_null() {
                            e.insert(k.into(), v);
                        }
                    }
                    Value::Object(e)
                })
                .collect();
            ApiRequest::new("SendMessageBatch", [("QueueUrl", json!(url)), ("Entries", Value::Array(entries))])
        })
        .collect()
}

#[function_component(SendForm)]
pub fn send_form(p: &SendFormProps) -> Html {
    let form = use_state(|| Form {
        body: "Hello from Decouple".into(),
        attrs: Vec::new(),
        delay: String::new(),
        group: if p.fifo { "group-1".into() } else { String::new() },
        dedup: String::new(),
        count: "1".into(),
        #[cfg(feature = "sns")]
        extended: Extended::default(),
    });
    let id = |s: &str| AttrValue::from(dom_id(&format!("send-{s}"), &p.name));
    let set = |apply: fn(&mut Form, String)| super::setter(&form, apply);
    let on_body = set(|f, v| f.body = v).reform(|e: InputEvent| textarea_value(&e));
    let onsubmit = {
        let (form, url, on_action) = (form.clone(), p.url.clone(), p.on_action.clone());
        #[cfg(feature = "sns")]
        let (sim, buckets) = (p.sim.clone(), p.buckets.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            #[cfg(feature = "sns")]
            if form.extended.on {
                on_action.emit(extended_send(&url, &form, &buckets, &sim));
                return;
            }
            let mut reqs = requests(&url, &form);
            if reqs.len() == 1 && reqs[0].action == "SendMessage" {
                let request = reqs.remove(0);
                on_action.emit(Action::Call { request, success: None });
            } else {
                let n = form.count.trim().parse::<usize>().unwrap_or(1).clamp(1, MAX_SEND_N);
                on_action.emit(Action::CallMany { requests: reqs, success: format!("Sent {n} messages.") });
            }
        })
    };
    let on_attrs = {
        let form = form.clone();
        Callback::from(move |attrs: Vec<Attr>| {
            let mut f = (*form).clone();
            f.attrs = attrs;
            form.set(f);
        })
    };
    #[cfg(feature = "sns")]
    let extended = extended_fields(p, &form);
    #[cfg(not(feature = "sns"))]
    let extended = Html::default();
    let f = (*form).clone();
    html! {
        <form class="send" {onsubmit} novalidate=true aria-label={format!("Send a message to {}", p.name)}>
            <h3>{ "Send" }</h3>
            <div class="field">
                <label for={id("body")}>{ "Message body" }</label>
                <textarea id={id("body")} rows="2" value={f.body.clone()} oninput={on_body} />
            </div>
            <AttrRows id={id("attr")} rows={f.attrs.clone()} on_change={on_attrs} types={attr_rows::SQS_TYPES} />
            <div class="row">
                <Field id={id("delay")} label="Delay (s)" numeric=true value={f.delay.clone()}
                    placeholder="queue default" hint="0 – 900" oninput={set(|f, v| f.delay = v)} />
                <Field id={id("count")} label="How many" numeric=true value={f.count.clone()}
                    hint="1 – 10,000; bodies get #1…#N" oninput={set(|f, v| f.count = v)} />
            </div>
            { extended }
            if p.fifo {
                <div class="row">
                    <Field id={id("group")} label="Message group id" value={f.group.clone()}
                        hint="Required for FIFO" oninput={set(|f, v| f.group = v)} />
                    <Field id={id("dedup")} label="Deduplication id" value={f.dedup.clone()}
                        hint="Optional with content-based deduplication" oninput={set(|f, v| f.dedup = v)} />
                </div>
            }
            <button type="submit" class="primary">{ "Send message" }</button>
        </form>
    }
}

/// What the Extended Client's sendMessage does with this form: an ordinary
/// SendMessage when the message fits (and offloading is not forced), else
/// PutObject of the body then SendMessage of the pointer.
#[cfg(feature = "sns")]
fn extended_send(url: &str, f: &Form, buckets: &[String], sim: &crate::state::SimRef) -> Action {
    use crate::extended;
    let one = Form { count: "1".into(), ..f.clone() };
    let Some(send) = requests(url, &one).pop() else { return Action::DismissFlash };
    let attributes = send.body.get("MessageAttributes").cloned().unwrap_or(Value::Null);
    if let Err(text) = extended::check(&attributes) {
        return Action::ClientError(text);
    }
    let size = extended::message_size(&f.body, &attributes);
    if !extended::offloads(&f.body, &attributes, f.extended.always) {
        let success = format!(
            "{} fit in the queue, so the Extended Client sent an ordinary message (it offloads above 256 KiB).",
            bytes(size)
        );
        return Action::Call { request: send, success: Some(success) };
    }
    let bucket = f.extended.bucket_among(buckets);
    if bucket.is_empty() {
        return Action::ClientError("Choose the S3 bucket for large payloads (create one under Buckets first).".into());
    }
    let seed = {
        let sim = sim.0.borrow();
        sim.seed() ^ sim.engine.now().0 ^ ((sim.journal.len() as u64) << 40)
    };
    let key = extended::object_key(seed);
    let [put, pointer] = extended::offload(&send, &bucket, &key);
    let success = format!(
        "The {} payload went to s3://{bucket}/{key}; the queue holds the pointer and the {} attribute.",
        bytes(f.body.len()),
        extended::SIZE_ATTRIBUTE
    );
    Action::CallMany { requests: vec![put, pointer], success }
}

#[cfg(feature = "sns")]
fn bytes(n: usize) -> String {
    if n >= 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

/// The Extended Client options (the SNS page only: it has S3).
#[cfg(feature = "sns")]
fn extended_fields(p: &SendFormProps, form: &UseStateHandle<Form>) -> Html {
    use crate::extended;
    let id = |s: &str| AttrValue::from(dom_id(&format!("send-{s}"), &p.name));
    let f = (**form).clone();
    let update = |apply: fn(&mut Extended, &Event)| {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut next = (*form).clone();
            apply(&mut next.extended, &e);
            form.set(next);
        })
    };
    let on_toggle = update(|x, e| x.on = super::checked(e));
    let on_always = update(|x, e| x.always = super::checked(e));
    let on_bucket = update(|x, e| x.bucket = super::select_value(e));
    let fill = {
        let form = form.clone();
        Callback::from(move |_: MouseEvent| {
            let mut next = (*form).clone();
            next.body = large_payload(300 * 1024);
            form.set(next);
        })
    };
    let attributes = attr_rows::to_json(&f.attrs);
    let size = extended::message_size(&f.body, &attributes);
    let bucket = f.extended.bucket_among(&p.buckets);
    let verdict = if extended::offloads(&f.body, &attributes, f.extended.always) {
        format!("{}: the payload goes to S3, the queue gets a pointer.", bytes(size))
    } else {
        format!("{}: fits, sent as an ordinary message.", bytes(size))
    };
    html! {
        <fieldset class="extended">
            <div class="field check">
                <input id={id("ext")} type="checkbox" checked={f.extended.on} onchange={on_toggle} />
                <label for={id("ext")}>{ "Send through the SQS Extended Client" }</label>
                <small>{ "The client library (Java, Python, JS) stores payloads over 256 KiB in S3 and sends a pointer; the consumer's library fetches it back." }</small>
            </div>
            if f.extended.on {
                <div class="row">
                    <div class="field">
                        <label for={id("ext-bucket")}>{ "Payload bucket" }</label>
                        <select id={id("ext-bucket")} onchange={on_bucket}>
                            { for p.buckets.iter().map(|b| html! { <option value={b.clone()} selected={*b == bucket}>{ b }</option> }) }
                        </select>
                        if p.buckets.is_empty() { <small class="hint">{ "No buckets yet: create one under Buckets." }</small> }
                    </div>
                    <div class="field check">
                        <input id={id("ext-always")} type="checkbox" checked={f.extended.always} onchange={on_always} />
                        <label for={id("ext-always")}>{ "Always through S3" }</label>
                    </div>
                </div>
                <p class="hint" data-testid="ext-size">{ verdict }{ " One message per send." }</p>
                <button type="button" onclick={fill}>{ "Fill the body with 300 KiB" }</button>
            }
        </fieldset>
    }
}

/// A payload of about `len` bytes that reads as data, for trying the Extended Client.
#[cfg(feature = "sns")]
fn large_payload(len: usize) -> String {
    let mut text = String::with_capacity(len + 64);
    let mut n = 0;
    while text.len() < len {
        n += 1;
        text.push_str(&format!(
            "{{\"reading\":{n},\"sensor\":\"s-{}\",\"celsius\":{}.{}}}\n",
            n % 97,
            15 + n % 20,
            n % 10
        ));
    }
    text.truncate(len);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form() -> Form {
        Form {
            body: "b".into(),
            attrs: vec![Attr { name: "k".into(), data_type: "String".into(), value: "<v>".into() }],
            delay: String::new(),
            group: String::new(),
            dedup: String::new(),
            count: "1".into(),
            #[cfg(feature = "sns")]
            extended: Extended::default(),
        }
    }

    #[cfg(feature = "sns")]
    #[test]
    fn the_extended_client_offloads_big_payloads_to_s3_and_the_queue_gets_the_pointer() {
        use crate::sim::{Command, Outcome, Sim};
        use crate::state::SimRef;
        let sim = SimRef(std::rc::Rc::new(std::cell::RefCell::new(Sim::new(1))));
        let url = {
            let mut s = sim.0.borrow_mut();
            s.call(&ApiRequest::s3("CreateBucket", [("Bucket", json!("large-payloads"))]));
            match s.call(&ApiRequest::new("CreateQueue", [("QueueName", json!("jobs"))])) {
                Outcome::Ok(body) => body["QueueUrl"].as_str().unwrap().to_string(),
                other => panic!("{other:?}"),
            }
        };
        let buckets = vec!["large-payloads".to_string()];
        let big =
            Form { body: large_payload(300 * 1024), extended: Extended { on: true, ..Extended::default() }, ..form() };
        let Action::CallMany { requests, success } = extended_send(&url, &big, &buckets, &sim) else {
            panic!("a big payload is offloaded")
        };
        assert!(success.contains("300.0 KiB payload went to s3://large-payloads/"), "{success}");
        assert!(matches!(sim.0.borrow_mut().perform(Command::CallMany(requests)), Outcome::Ok(_)));
        let s = sim.0.borrow();
        let object = s.engine.s3_state().bucket("large-payloads").unwrap().objects.values().next().unwrap();
        assert_eq!(object.body.len(), 300 * 1024);
        let queue = s.engine.sqs_state().queue_by_name("jobs").unwrap();
        let message = queue.messages().next().unwrap();
        let pointer = crate::extended::parse_pointer(&message.body).unwrap();
        assert_eq!((pointer.bucket.as_str(), pointer.key.as_str()), ("large-payloads", object.key.as_str()));
        assert_eq!(message.attributes["ExtendedPayloadSize"].string_value.as_deref(), Some("307200"));
        drop(s);

        // Small payloads go as they are unless "always through S3"; no bucket or a reserved name is refused.
        let small = Form { extended: Extended { on: true, ..Extended::default() }, ..form() };
        assert!(matches!(extended_send(&url, &small, &buckets, &sim), Action::Call { .. }));
        let always = Form { extended: Extended { on: true, always: true, ..Extended::default() }, ..form() };
        assert!(matches!(extended_send(&url, &always, &buckets, &sim), Action::CallMany { .. }));
        assert!(matches!(extended_send(&url, &always, &[], &sim), Action::ClientError(_)));
        let reserved = Form {
            attrs: vec![Attr { name: "ExtendedPayloadSize".into(), data_type: "Number".into(), value: "1".into() }],
            ..always
        };
        let Action::ClientError(text) = extended_send(&url, &reserved, &buckets, &sim) else { panic!("refused") };
        assert_eq!(text, "Message attribute name ExtendedPayloadSize is reserved for use by the SQS extended client.");
    }

    #[test]
    fn one_message_or_batches_of_ten() {
        let one = requests("u", &form());
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].body["MessageAttributes"]["k"]["StringValue"], "<v>");
        assert!(one[0].body.get("DelaySeconds").is_none());
        let many = requests("u", &Form { count: "25".into(), dedup: "d".into(), ..form() });
        assert_eq!(many.len(), 3);
        assert_eq!(many[2].body["Entries"].as_array().unwrap().len(), 5);
        assert_eq!(many[0].body["Entries"][1]["MessageBody"], "b #2");
        assert_eq!(many[0].body["Entries"][1]["MessageDeduplicationId"], "d-2");
    }
}
