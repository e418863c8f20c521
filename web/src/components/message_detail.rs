//! The selected message: its body and attributes (always as text), where it
//! is in its lifecycle, who holds it, and — while in flight — delete and
//! change visibility with the receipt handle the playground was given.

use decouple_engine::sqs::MessageState;
use serde_json::json;
use yew::prelude::*;

use super::{input_value, number_member};
use crate::api::ApiRequest;
use crate::state::{Action, SimRef};
use crate::timefmt;

#[derive(Properties, PartialEq)]
pub struct MessageDetailProps {
    pub sim: SimRef,
    pub version: u64,
    pub url: String,
    pub number: u64,
    pub on_action: Callback<Action>,
}

#[function_component(MessageDetail)]
pub fn message_detail(p: &MessageDetailProps) -> Html {
    let seconds = use_state(|| "0".to_string());
    let close = p.on_action.reform(|_: MouseEvent| Action::Select(None));
    let sim = p.sim.0.borrow();
    let state = sim.engine.sqs_state();
    let Some(q) = state.queues().find(|q| q.url == p.url) else { return html! {} };
    let Some(m) = q.message(p.number) else {
        return html! {
            <section class="detail" aria-label="Selected message">
                <p>{ format!("msg {} is no longer in {} (deleted, expired or moved).", p.number, q.name) }</p>
                <button type="button" onclick={close}>{ "Close" }</button>
            </section>
        };
    };
    let now = sim.engine.now();
    let message_id = m.id.to_string();
    let receipt = sim.receipt(&p.url, &message_id).cloned();
    let app_holder = if m.is_in_flight() { sim.holder(&p.url, &message_id) } else { None };
    let status = match m.state {
        MessageState::Visible => "Available".to_string(),
        MessageState::Delayed { until, .. } => {
            format!("Delayed: available in {}", timefmt::countdown(until.saturating_sub(now)))
        }
        MessageState::InFlight { until, .. } => {
            format!("In flight: visible again in {}", timefmt::countdown(until.saturating_sub(now)))
        }
    };
    let in_flight = m.is_in_flight();
    #[cfg(feature = "sns")]
    let pointer = crate::extended::parse_pointer(&m.body);
    #[cfg(feature = "sns")]
    let payload = pointer.as_ref().map(|ptr| payload_view(&sim, ptr));
    #[cfg(not(feature = "sns"))]
    let payload: Option<Html> = None;
    let actions = match (&receipt, in_flight) {
        (Some(r), true) => {
            let delete = {
                let (on_action, url, handle) = (p.on_action.clone(), p.url.clone(), r.handle.clone());
                Callback::from(move |_: MouseEvent| {
                    let request =
                        ApiRequest::new("DeleteMessage", [("QueueUrl", json!(url)), ("ReceiptHandle", json!(handle))]);
                    on_action.emit(Action::Call { request, success: None });
                })
            };
            let change = {
                let (on_action, url, handle, seconds) =
                    (p.on_action.clone(), p.url.clone(), r.handle.clone(), seconds.clone());
                Callback::from(move |e: SubmitEvent| {
                    e.prevent_default();
                    let request = ApiRequest::new(
                        "ChangeMessageVisibility",
                        [
                            ("QueueUrl", json!(url)),
                            ("ReceiptHandle", json!(handle)),
                            ("VisibilityTimeout", number_member(&seconds)),
                        ],
                    );
                    on_action.emit(Action::Call { request, success: None });
                })
            };
            let set_seconds = {
                let seconds = seconds.clone();
                Callback::from(move |e: InputEvent| seconds.set(input_value(&e)))
            };
            #[cfg(feature = "sns")]
            let delete_both = pointer.clone().map(|ptr| {
                let (on_action, url, handle) = (p.on_action.clone(), p.url.clone(), r.handle.clone());
                let onclick = Callback::from(move |_: MouseEvent| {
                    let requests = vec![
                        ApiRequest::new("DeleteMessage", [("QueueUrl", json!(url)), ("ReceiptHandle", json!(handle))]),
                        ApiRequest::s3("DeleteObject", [("Bucket", json!(ptr.bucket)), ("Key", json!(ptr.key))]),
                    ];
                    let success = format!("Deleted the message and its payload s3://{}/{}.", ptr.bucket, ptr.key);
                    on_action.emit(Action::CallMany { requests, success });
                });
                html! {
                    <button type="button" class="danger" {onclick}
                        title="What the Extended Client's deleteMessage does: DeleteMessage, then DeleteObject">
                        { "Delete message and payload" }
                    </button>
                }
            });
            #[cfg(not(feature = "sns"))]
            let delete_both: Option<Html> = None;
            let vis_id = format!("vis-{}-{}", q.name.replace('.', "-"), m.number);
            html! {
                <div class="detail-actions">
                    <button type="button" class="danger" onclick={delete}>{ "Delete message" }</button>
                    { for delete_both }
                    <form onsubmit={change} class="inline" novalidate=true>
                        <label for={vis_id.clone()}>{ "New visibility timeout (s)" }</label>
                        <input id={vis_id} type="text" inputmode="numeric" value={(*seconds).clone()} oninput={set_seconds} />
                        <button type="submit">{ "Change visibility" }</button>
                    </form>
                </div>
            }
        }
        _ => html! {},
    };
    html! {
        <section class="detail" aria-label={format!("msg {}", m.number)} data-testid="detail">
            <header>
                <h3>{ format!("msg {}", m.number) }</h3>
                <button type="button" onclick={close} aria-label="Close message details">{ "✕" }</button>
            </header>
            <p class="status">{ status }</p>
            <pre class="body" data-testid="detail-body">{ &m.body }</pre>
            { for payload }
            <dl class="meta">
                <dt>{ "MessageId" }</dt><dd><code>{ &message_id }</code></dd>
                <dt>{ "Receive count" }</dt><dd>{ m.receive_count }</dd>
                <dt>{ "Sent" }</dt><dd>{ timefmt::utc(m.sent_at) }</dd>
                if let Some(g) = &m.group_id { <dt>{ "Group" }</dt><dd>{ g.to_string() }</dd> }
                if let Some(d) = &m.deduplication_id { <dt>{ "Deduplication id" }</dt><dd>{ d }</dd> }
                if let Some(s) = m.sequence_number { <dt>{ "Sequence number" }</dt><dd>{ s.to_string() }</dd> }
                if let Some(src) = &m.dead_letter_source_arn { <dt>{ "Dead-letter source" }</dt><dd>{ src }</dd> }
                if let Some(app) = app_holder {
                    <dt>{ "Held by" }</dt><dd>{ format!("{app} (processing)") }</dd>
                } else if let (Some(r), true) = (&receipt, in_flight) {
                    <dt>{ "Held by" }</dt><dd>{ format!("you: the receive in log entry #{}", r.receive_log_id) }</dd>
                }
            </dl>
            if !m.attributes.is_empty() {
                <table class="attrs">
                    <caption>{ "Message attributes" }</caption>
                    <thead><tr><th scope="col">{ "Name" }</th><th scope="col">{ "Type" }</th><th scope="col">{ "Value" }</th></tr></thead>
                    <tbody>
                        { for m.attributes.iter().map(|(name, v)| html! {
                            <tr>
                                <td>{ name }</td>
                                <td>{ &v.data_type }</td>
                                <td>{ match (&v.string_value, &v.binary_value) {
                                    (Some(s), _) => s.clone(),
                                    (None, Some(b)) => format!("({} bytes of binary)", b.len()),
                                    _ => String::new(),
                                } }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
            { actions }
        </section>
    }
}

/// Most payload characters previewed; the object can be up to S3's limits.
#[cfg(feature = "sns")]
const PAYLOAD_PREVIEW: usize = 2_000;

/// A pointer message's payload as the consumer's Extended Client would fetch
/// it with GetObject, read from the bucket.
#[cfg(feature = "sns")]
fn payload_view(sim: &crate::sim::Sim, ptr: &crate::extended::Pointer) -> Html {
    let object = sim.engine.s3_state().bucket(&ptr.bucket).and_then(|b| b.objects.get(&ptr.key));
    let location = format!("s3://{}/{}", ptr.bucket, ptr.key);
    match object {
        Some(o) => {
            let text = String::from_utf8_lossy(&o.body);
            let preview: String = text.chars().take(PAYLOAD_PREVIEW).collect();
            let more = text.chars().count().saturating_sub(PAYLOAD_PREVIEW);
            html! {
                <div class="payload" data-testid="extended-payload">
                    <p>{ format!("Extended Client pointer: the payload ({} bytes) is {location}; the consumer's library fetches it with GetObject.", o.body.len()) }</p>
                    <pre class="body">{ preview }</pre>
                    if more > 0 { <p class="hint">{ format!("… {more} more characters") }</p> }
                </div>
            }
        }
        None => html! {
            <p class="payload error" data-testid="extended-payload">
                { format!("Extended Client pointer to {location}, which no longer exists: the consumer's GetObject fails with NoSuchKey.") }
            </p>
        },
    }
}
