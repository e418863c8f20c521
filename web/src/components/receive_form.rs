//! Receive messages as a consumer would: max messages, wait time (a long poll
//! waits on the card until a message arrives or time runs out) and a
//! visibility-timeout override.

use serde_json::json;
use yew::prelude::*;

use super::{dom_id, number_member, Field};
use crate::api::ApiRequest;
use crate::state::Action;

#[derive(Properties, PartialEq)]
pub struct ReceiveFormProps {
    pub url: String,
    pub name: String,
    pub on_action: Callback<Action>,
}

#[derive(Clone, PartialEq)]
struct Form {
    max: String,
    wait: String,
    visibility: String,
}

#[function_component(ReceiveForm)]
pub fn receive_form(p: &ReceiveFormProps) -> Html {
    let form = use_state(|| Form { max: "1".into(), wait: String::new(), visibility: String::new() });
    let id = |s: &str| AttrValue::from(dom_id(&format!("recv-{s}"), &p.name));
    let set = |apply: fn(&mut Form, String)| super::setter(&form, apply);
    let onsubmit = {
        let (form, url, on_action) = (form.clone(), p.url.clone(), p.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            // As the console does: ask for every system and message attribute.
            let request = ApiRequest::new(
                "ReceiveMessage",
                [
                    ("QueueUrl", json!(url)),
                    ("MaxNumberOfMessages", number_member(&form.max)),
                    ("WaitTimeSeconds", number_member(&form.wait)),
                    ("VisibilityTimeout", number_member(&form.visibility)),
                    ("MessageSystemAttributeNames", json!(["All"])),
                    ("MessageAttributeNames", json!(["All"])),
                ],
            );
            on_action.emit(Action::Call { request, success: None });
        })
    };
    let f = (*form).clone();
    html! {
        <form class="receive" {onsubmit} novalidate=true aria-label={format!("Receive messages from {}", p.name)}>
            <h3>{ "Receive" }</h3>
            <div class="row">
                <Field id={id("max")} label="Max messages" numeric=true value={f.max.clone()} hint="1 – 10"
                    oninput={set(|f, v| f.max = v)} />
                <Field id={id("wait")} label="Wait time (s)" numeric=true value={f.wait.clone()}
                    placeholder="queue default" hint="0 – 20; above 0 is a long poll" oninput={set(|f, v| f.wait = v)} />
                <Field id={id("vis")} label="Visibility timeout (s)" numeric=true value={f.visibility.clone()}
                    placeholder="queue default" hint="0 – 43,200" oninput={set(|f, v| f.visibility = v)} />
            </div>
            <button type="submit" class="primary">{ "Poll for messages" }</button>
        </form>
    }
}
