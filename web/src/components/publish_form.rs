//! Publish to a topic: subject, message, message attributes, the
//! per-protocol JSON structure (`MessageStructure=json`) and, for FIFO
//! topics, the message group and deduplication ids — one Publish request.

use serde_json::{json, Value};
use yew::prelude::*;

use super::attr_rows::{self, Attr, AttrRows};
use super::{checked, dom_id, textarea_value, Field};
use crate::api::ApiRequest;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct PublishFormProps {
    pub topic_arn: String,
    pub topic: String,
    pub fifo: bool,
    pub on_action: Callback<Action>,
}

#[derive(Clone, PartialEq)]
struct Form {
    subject: String,
    message: String,
    attrs: Vec<Attr>,
    json_structure: bool,
    group: String,
    dedup: String,
}

fn text(s: &str) -> Value {
    if s.is_empty() {
        Value::Null
    } else {
        Value::from(s)
    }
}

fn request(topic_arn: &str, f: &Form) -> ApiRequest {
    ApiRequest::sns(
        "Publish",
        [
            ("TopicArn", json!(topic_arn)),
            ("Subject", text(&f.subject)),
            ("Message", json!(f.message)),
            ("MessageStructure", if f.json_structure { json!("json") } else { Value::Null }),
            ("MessageAttributes", attr_rows::to_json(&f.attrs)),
            ("MessageGroupId", text(&f.group)),
            ("MessageDeduplicationId", text(&f.dedup)),
        ],
    )
}

#[function_component(PublishForm)]
pub fn publish_form(p: &PublishFormProps) -> Html {
    let form = use_state(|| Form {
        subject: String::new(),
        message: "Hello from SNS".into(),
        attrs: Vec::new(),
        json_structure: false,
        group: if p.fifo { "group-1".into() } else { String::new() },
        dedup: String::new(),
    });
    let id = |s: &str| AttrValue::from(dom_id(&format!("pub-{s}"), &p.topic));
    let set = |apply: fn(&mut Form, String)| super::setter(&form, apply);
    let onsubmit = {
        let (form, arn, on_action) = (form.clone(), p.topic_arn.clone(), p.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            on_action.emit(Action::Call { request: request(&arn, &form), success: None });
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
    let on_structure = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let mut f = (*form).clone();
            f.json_structure = checked(&e);
            if f.json_structure && !f.message.trim_start().starts_with('{') {
                // What MessageStructure=json expects: a "default" and, optionally, one message per protocol.
                f.message = json!({"default": f.message, "sqs": f.message}).to_string();
            }
            form.set(f);
        })
    };
    let f = (*form).clone();
    html! {
        <form class="publish" {onsubmit} novalidate=true aria-label={format!("Publish a message to {}", p.topic)}>
            <h3>{ "Publish" }</h3>
            <Field id={id("subject")} label="Subject" value={f.subject.clone()} placeholder="optional"
                hint="Up to 100 printable ASCII characters; email endpoints use it" oninput={set(|f, v| f.subject = v)} />
            <div class="field">
                <label for={id("message")}>{ "Message" }</label>
                <textarea id={id("message")} rows="2" value={f.message.clone()}
                    oninput={set(|f, v| f.message = v).reform(|e: InputEvent| textarea_value(&e))} />
            </div>
            <div class="field check">
                <input id={id("json")} type="checkbox" checked={f.json_structure} onchange={on_structure} />
                <label for={id("json")}>{ "Different message per protocol (MessageStructure=json)" }</label>
            </div>
            <AttrRows id={id("attr")} rows={f.attrs.clone()} on_change={on_attrs} types={attr_rows::SNS_TYPES} />
            if p.fifo {
                <div class="row">
                    <Field id={id("group")} label="Message group id" value={f.group.clone()}
                        hint="Required for FIFO topics" oninput={set(|f, v| f.group = v)} />
                    <Field id={id("dedup")} label="Deduplication id" value={f.dedup.clone()}
                        hint="Optional with content-based deduplication" oninput={set(|f, v| f.dedup = v)} />
                </div>
            }
            <button type="submit" class="primary">{ "Publish message" }</button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_members_are_left_out() {
        let f = Form {
            subject: String::new(),
            message: "m".into(),
            attrs: vec![Attr { name: "color".into(), data_type: "String".into(), value: "red".into() }],
            json_structure: false,
            group: String::new(),
            dedup: String::new(),
        };
        let r = request("arn", &f);
        assert_eq!(
            r.body,
            json!({"TopicArn": "arn", "Message": "m",
            "MessageAttributes": {"color": {"DataType": "String", "StringValue": "red"}}})
        );
    }
}
