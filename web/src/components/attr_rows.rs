//! Message attribute rows (name, type, value) as a learner types them, shared
//! by the SQS send form, the SNS publish form and the filter-policy tester,
//! and their two readings: AWS's JSON shape for a request, and (SNS) the
//! engine's typed attributes for asking a filter policy whether it matches.

#[cfg(feature = "sns")]
use decouple_engine::sqs::{MessageAttributeValue, MessageAttributes};
use serde_json::{json, Map, Value};
use yew::prelude::*;

use super::{input_value, select_value};

#[derive(Clone, Debug, PartialEq)]
pub struct Attr {
    pub name: String,
    pub data_type: String,
    pub value: String,
}

/// The data types SQS message attributes take.
pub const SQS_TYPES: &[&str] = &["String", "Number", "Binary"];
/// The data types SNS message attributes take.
pub const SNS_TYPES: &[&str] = &["String", "String.Array", "Number", "Binary"];

/// `MessageAttributes` as AWS JSON: `{"name": {"DataType": "String", "StringValue": "v"}}`;
/// a Binary value is sent as typed (base64 on the wire), so a wrong one gets AWS's error.
pub fn to_json(attrs: &[Attr]) -> Value {
    let map: Map<String, Value> = attrs
        .iter()
        .filter(|a| !a.name.trim().is_empty())
        .map(|a| {
            let value = if a.data_type.starts_with("Binary") {
                json!({"DataType": a.data_type, "BinaryValue": a.value})
            } else {
                json!({"DataType": a.data_type, "StringValue": a.value})
            };
            (a.name.trim().to_string(), value)
        })
        .collect();
    if map.is_empty() {
        Value::Null
    } else {
        Value::Object(map)
    }
}

/// The same rows as the engine's attributes, for matching a filter policy.
#[cfg(feature = "sns")]
pub fn to_engine(attrs: &[Attr]) -> MessageAttributes {
    attrs
        .iter()
        .filter(|a| !a.name.trim().is_empty())
        .map(|a| {
            let value = if a.data_type.starts_with("Binary") {
                MessageAttributeValue {
                    data_type: a.data_type.clone(),
                    binary_value: Some(a.value.clone().into_bytes()),
                    ..Default::default()
                }
            } else {
                MessageAttributeValue {
                    data_type: a.data_type.clone(),
                    string_value: Some(a.value.clone()),
                    ..Default::default()
                }
            };
            (a.name.trim().to_string(), value)
        })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct AttrRowsProps {
    /// Prefix of the inputs' ids (unique on the page).
    pub id: AttrValue,
    pub rows: Vec<Attr>,
    pub on_change: Callback<Vec<Attr>>,
    /// The data types offered ([`SQS_TYPES`] or [`SNS_TYPES`]).
    pub types: &'static [&'static str],
}

#[function_component(AttrRows)]
pub fn attr_rows(p: &AttrRowsProps) -> Html {
    let change = |i: usize, apply: fn(&mut Attr, String)| {
        let (rows, on_change) = (p.rows.clone(), p.on_change.clone());
        Callback::from(move |v: String| {
            let mut rows = rows.clone();
            if let Some(a) = rows.get_mut(i) {
                apply(a, v);
            }
            on_change.emit(rows);
        })
    };
    let add = {
        let (rows, on_change) = (p.rows.clone(), p.on_change.clone());
        Callback::from(move |_: MouseEvent| {
            let mut rows = rows.clone();
            rows.push(Attr { name: String::new(), data_type: "String".into(), value: String::new() });
            on_change.emit(rows);
        })
    };
    let rows = p.rows.iter().enumerate().map(|(i, a)| {
        let remove = {
            let (rows, on_change) = (p.rows.clone(), p.on_change.clone());
            Callback::from(move |_: MouseEvent| {
                let mut rows = rows.clone();
                if i < rows.len() {
                    rows.remove(i);
                }
                on_change.emit(rows);
            })
        };
        let id = |s: &str| format!("{}-{s}-{i}", p.id);
        html! {
            <div class="attr-row" key={i}>
                <label for={id("n")} class="sr-only">{ format!("Attribute {} name", i + 1) }</label>
                <input id={id("n")} type="text" placeholder="Name" value={a.name.clone()}
                    oninput={change(i, |a, v| a.name = v).reform(|e: InputEvent| input_value(&e))} />
                <label for={id("t")} class="sr-only">{ format!("Attribute {} type", i + 1) }</label>
                <select id={id("t")} onchange={change(i, |a, v| a.data_type = v).reform(|e: Event| select_value(&e))}>
                    { for p.types.iter().map(|t| html! {
                        <option value={*t} selected={a.data_type == *t}>{ *t }</option>
                    }) }
                </select>
                <label for={id("v")} class="sr-only">{ format!("Attribute {} value", i + 1) }</label>
                <input id={id("v")} type="text" placeholder="Value" value={a.value.clone()}
                    oninput={change(i, |a, v| a.value = v).reform(|e: InputEvent| input_value(&e))} />
                <button type="button" onclick={remove} aria-label={format!("Remove attribute {}", i + 1)}>{ "✕" }</button>
            </div>
        }
    });
    html! {
        <fieldset class="attrs">
            <legend>{ "Message attributes" }</legend>
            { for rows }
            <button type="button" onclick={add}>{ "+ Add attribute" }</button>
        </fieldset>
    }
}
