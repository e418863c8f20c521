//! The playground's views. Each is a small function component that renders
//! what it is given and reports learner actions through `Callback`s.
//! The SNS topics and S3 buckets views are compiled only with the `sns`
//! feature (the SNS chapter's page); the Kinesis streams view (with its KCL,
//! producer, fan-out and stream-monitoring panels), the Firehose, SQL and
//! trucks views only with the `kinesis` feature (the Kinesis chapter's page).

pub mod api_log;
pub mod app;
pub mod apps_panel;
pub mod attr_rows;
#[cfg(feature = "sns")]
pub mod buckets;
pub mod clock_bar;
#[cfg(feature = "sns")]
pub mod devices;
#[cfg(feature = "kinesis")]
pub mod fanout_panel;
#[cfg(feature = "kinesis")]
pub mod firehose_panel;
pub mod flash;
pub mod help;
#[cfg(feature = "kinesis")]
pub mod kcl_panel;
pub mod message_detail;
pub mod monitoring;
#[cfg(feature = "kinesis")]
pub mod producer_panel;
#[cfg(feature = "sns")]
pub mod publish_form;
pub mod queue_card;
pub mod queue_form;
pub mod receive_form;
pub mod send_form;
pub mod share;
#[cfg(feature = "kinesis")]
pub mod sql_panel;
#[cfg(feature = "kinesis")]
pub mod stream_metrics;
#[cfg(feature = "kinesis")]
pub mod streams;
#[cfg(feature = "sns")]
pub mod subscribe_form;
#[cfg(feature = "sns")]
pub mod topics;
#[cfg(feature = "kinesis")]
pub mod trucks;

use serde_json::Value;
use web_sys::{HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};
use yew::prelude::*;

/// A callback that sets one field of a form kept in component state.
pub fn setter<F: Clone + 'static>(state: &UseStateHandle<F>, apply: fn(&mut F, String)) -> Callback<String> {
    let state = state.clone();
    Callback::from(move |v: String| {
        let mut f = (*state).clone();
        apply(&mut f, v);
        state.set(f);
    })
}

pub fn input_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlInputElement>().value()
}

pub fn textarea_value(e: &InputEvent) -> String {
    e.target_unchecked_into::<HtmlTextAreaElement>().value()
}

pub fn select_value(e: &Event) -> String {
    e.target_unchecked_into::<HtmlSelectElement>().value()
}

pub fn checked(e: &Event) -> bool {
    e.target_unchecked_into::<HtmlInputElement>().checked()
}

/// An element id derived from a queue name (names allow `A-Za-z0-9_-` and `.fifo`).
pub fn dom_id(prefix: &str, queue: &str) -> String {
    format!("{prefix}-{}", queue.replace('.', "-"))
}

/// A numeric member as typed: a JSON number when it is one, otherwise the
/// text itself, so that the engine answers AWS's error for it. Empty is absent.
pub fn number_member(text: &str) -> Value {
    let t = text.trim();
    if t.is_empty() {
        Value::Null
    } else if let Ok(n) = t.parse::<i64>() {
        Value::from(n)
    } else {
        Value::from(t)
    }
}

/// A stable hue for a FIFO message group, so each group has its colour.
pub fn group_hue(group: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in group.bytes() {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h % 360
}

/// A labelled text input with its AWS default and range underneath.
#[derive(Properties, PartialEq)]
pub struct FieldProps {
    pub id: AttrValue,
    pub label: AttrValue,
    pub value: AttrValue,
    #[prop_or_default]
    pub hint: AttrValue,
    #[prop_or_default]
    pub numeric: bool,
    #[prop_or_default]
    pub placeholder: AttrValue,
    pub oninput: Callback<String>,
}

#[function_component(Field)]
pub fn field(p: &FieldProps) -> Html {
    let oninput = p.oninput.reform(|e: InputEvent| input_value(&e));
    let hint_id = format!("{}-hint", p.id);
    html! {
        <div class="field">
            <label for={p.id.clone()}>{ &p.label }</label>
            <input id={p.id.clone()} type="text" value={p.value.clone()} {oninput}
                inputmode={if p.numeric { "numeric" } else { "text" }}
                placeholder={p.placeholder.clone()}
                aria-describedby={(!p.hint.is_empty()).then(|| hint_id.clone())} autocomplete="off" />
            if !p.hint.is_empty() { <small id={hint_id}>{ &p.hint }</small> }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_text_when_not_numbers() {
        assert_eq!(number_member(" 12 "), Value::from(12));
        assert_eq!(number_member("twelve"), Value::from("twelve"));
        assert_eq!(number_member(""), Value::Null);
        assert_eq!(dom_id("q", "a.fifo"), "q-a-fifo");
        assert!(group_hue("g1") < 360);
    }
}
