//! Send one message (body, message attributes, delay, FIFO group and
//! deduplication ids) or N of them for load, as SendMessage /
//! SendMessageBatch requests.

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
    });
    let id = |s: &str| AttrValue::from(dom_id(&format!("send-{s}"), &p.name));
    let set = |apply: fn(&mut Form, String)| super::setter(&form, apply);
    let on_body = set(|f, v| f.body = v).reform(|e: InputEvent| textarea_value(&e));
    let onsubmit = {
        let (form, url, on_action) = (form.clone(), p.url.clone(), p.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
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
        }
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
