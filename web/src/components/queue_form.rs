//! Create a queue (standard or FIFO) or edit one's attributes, with every
//! attribute's AWS default and range shown. Values go to AWS as typed (only
//! the ones that differ from the default or the current value), so a wrong
//! value gets AWS's own error.

use decouple_engine::sqs::{DeduplicationScope, FifoThroughputLimit, Queue};
use serde_json::{json, Map, Value};
use yew::prelude::*;

use super::{checked, select_value, Field};
use crate::api::ApiRequest;
use crate::state::Action;

/// The form's values, as text, the way a learner types them.
#[derive(Clone, Debug, PartialEq)]
pub struct Fields {
    pub name: String,
    pub fifo: bool,
    pub visibility_timeout: String,
    pub message_retention_period: String,
    pub delay_seconds: String,
    pub receive_message_wait_time_seconds: String,
    pub maximum_message_size: String,
    pub content_based_deduplication: bool,
    pub deduplication_scope: String,
    pub fifo_throughput_limit: String,
    /// ARN of the dead-letter queue, empty for none.
    pub dead_letter_target_arn: String,
    pub max_receive_count: String,
    /// `sqs` (SSE-SQS, AWS's default), `kms` (SSE-KMS) or `none`.
    pub encryption: String,
    pub kms_master_key_id: String,
    pub kms_data_key_reuse_period_seconds: String,
    /// The access policy document, as JSON text (empty: none).
    pub policy: String,
    /// Which queues may use this one as their dead-letter queue, as JSON text (empty: allow all).
    pub redrive_allow_policy: String,
}

impl Default for Fields {
    /// AWS's defaults.
    fn default() -> Self {
        Fields {
            name: "orders".into(),
            fifo: false,
            visibility_timeout: "30".into(),
            message_retention_period: "345600".into(),
            delay_seconds: "0".into(),
            receive_message_wait_time_seconds: "0".into(),
            maximum_message_size: "1048576".into(),
            content_based_deduplication: false,
            deduplication_scope: "queue".into(),
            fifo_throughput_limit: "perQueue".into(),
            dead_letter_target_arn: String::new(),
            max_receive_count: "10".into(),
            encryption: "sqs".into(),
            kms_master_key_id: "alias/aws/sqs".into(),
            kms_data_key_reuse_period_seconds: "300".into(),
            policy: String::new(),
            redrive_allow_policy: String::new(),
        }
    }
}

impl Fields {
    /// A queue's current attributes.
    pub fn of(q: &Queue) -> Fields {
        let c = &q.config;
        Fields {
            name: q.name.to_string(),
            fifo: q.fifo,
            visibility_timeout: c.visibility_timeout.to_string(),
            message_retention_period: c.message_retention_period.to_string(),
            delay_seconds: c.delay_seconds.to_string(),
            receive_message_wait_time_seconds: c.receive_message_wait_time_seconds.to_string(),
            maximum_message_size: c.maximum_message_size.to_string(),
            content_based_deduplication: c.content_based_deduplication,
            deduplication_scope: match c.deduplication_scope {
                DeduplicationScope::Queue => "queue".into(),
                DeduplicationScope::MessageGroup => "messageGroup".into(),
            },
            fifo_throughput_limit: match c.fifo_throughput_limit {
                FifoThroughputLimit::PerQueue => "perQueue".into(),
                FifoThroughputLimit::PerMessageGroupId => "perMessageGroupId".into(),
            },
            dead_letter_target_arn: c
                .redrive_policy
                .as_ref()
                .map(|r| r.dead_letter_target_arn.clone())
                .unwrap_or_default(),
            max_receive_count: c.redrive_policy.as_ref().map_or(10, |r| r.max_receive_count).to_string(),
            encryption: match (&c.kms_master_key_id, c.sqs_managed_sse_enabled) {
                (Some(_), _) => "kms".into(),
                (None, true) => "sqs".into(),
                (None, false) => "none".into(),
            },
            kms_master_key_id: c.kms_master_key_id.clone().unwrap_or_else(|| "alias/aws/sqs".into()),
            kms_data_key_reuse_period_seconds: c.kms_data_key_reuse_period_seconds.to_string(),
            policy: c.policy.clone().unwrap_or_default(),
            redrive_allow_policy: c.redrive_allow_policy.as_ref().map(|p| p.render()).unwrap_or_default(),
        }
    }

    /// The attributes that differ from `base`, as CreateQueue/SetQueueAttributes take them.
    pub fn changed_attributes(&self, base: &Fields) -> Map<String, Value> {
        let mut out = Map::new();
        let mut put = |name: &str, now: &str, before: &str| {
            if now.trim() != before.trim() {
                out.insert(name.into(), Value::from(now.trim()));
            }
        };
        put("VisibilityTimeout", &self.visibility_timeout, &base.visibility_timeout);
        put("MessageRetentionPeriod", &self.message_retention_period, &base.message_retention_period);
        put("DelaySeconds", &self.delay_seconds, &base.delay_seconds);
        put(
            "ReceiveMessageWaitTimeSeconds",
            &self.receive_message_wait_time_seconds,
            &base.receive_message_wait_time_seconds,
        );
        put("MaximumMessageSize", &self.maximum_message_size, &base.maximum_message_size);
        if self.fifo {
            let flag = |b: bool| if b { "true" } else { "false" };
            put(
                "ContentBasedDeduplication",
                flag(self.content_based_deduplication),
                flag(base.content_based_deduplication),
            );
            put("DeduplicationScope", &self.deduplication_scope, &base.deduplication_scope);
            put("FifoThroughputLimit", &self.fifo_throughput_limit, &base.fifo_throughput_limit);
        }
        let policy = |f: &Fields| {
            if f.dead_letter_target_arn.is_empty() {
                String::new()
            } else {
                let count = super::number_member(&f.max_receive_count);
                json!({"deadLetterTargetArn": f.dead_letter_target_arn, "maxReceiveCount": count}).to_string()
            }
        };
        put("RedrivePolicy", &policy(self), &policy(base));
        put("Policy", &self.policy, &base.policy);
        put("RedriveAllowPolicy", &self.redrive_allow_policy, &base.redrive_allow_policy);
        // Encryption: one of SSE-SQS, SSE-KMS (with its key and reuse period) or none.
        let kms_changed = self.kms_master_key_id.trim() != base.kms_master_key_id.trim()
            || self.kms_data_key_reuse_period_seconds.trim() != base.kms_data_key_reuse_period_seconds.trim();
        match self.encryption.as_str() {
            "kms" if self.encryption != base.encryption || kms_changed => {
                out.insert("KmsMasterKeyId".into(), Value::from(self.kms_master_key_id.trim()));
                out.insert(
                    "KmsDataKeyReusePeriodSeconds".into(),
                    Value::from(self.kms_data_key_reuse_period_seconds.trim()),
                );
            }
            "sqs" if self.encryption != base.encryption => {
                out.insert("SqsManagedSseEnabled".into(), Value::from("true"));
            }
            "none" if self.encryption != base.encryption => {
                out.insert("SqsManagedSseEnabled".into(), Value::from("false"));
                if base.encryption == "kms" {
                    out.insert("KmsMasterKeyId".into(), Value::from(""));
                }
            }
            _ => {}
        }
        out
    }
}

#[derive(Properties, PartialEq)]
pub struct QueueFormProps {
    /// Existing queues (name, ARN): the dead-letter queue choices.
    pub queues: Vec<(String, String)>,
    /// Editing this queue (its URL and current values) instead of creating one.
    #[prop_or_default]
    pub edit: Option<(String, Fields)>,
    pub on_action: Callback<Action>,
    /// Editing: called when the form closes.
    #[prop_or_default]
    pub on_close: Callback<()>,
    /// Compact (embedded) layout: the attributes fold away behind their defaults.
    #[prop_or_default]
    pub compact: bool,
}

#[function_component(QueueForm)]
pub fn queue_form(p: &QueueFormProps) -> Html {
    let base = p.edit.as_ref().map(|(_, f)| f.clone()).unwrap_or_default();
    let fields = use_state({
        let base = base.clone();
        move || base
    });
    let prefix = match &p.edit {
        Some((_, f)) => super::dom_id("edit", &f.name),
        None => "create".to_string(),
    };
    let id = |s: &str| AttrValue::from(format!("{prefix}-{s}"));
    let set = |apply: fn(&mut Fields, String)| super::setter(&fields, apply);
    let f = (*fields).clone();

    let onsubmit = {
        let (fields, on_action, on_close, edit) =
            (fields.clone(), p.on_action.clone(), p.on_close.clone(), p.edit.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let f = (*fields).clone();
            match &edit {
                None => {
                    let defaults = Fields { fifo: f.fifo, ..Fields::default() };
                    let mut attributes = f.changed_attributes(&defaults);
                    if f.fifo {
                        attributes.insert("FifoQueue".into(), "true".into());
                    }
                    let attributes = (!attributes.is_empty()).then_some(Value::Object(attributes));
                    let request = ApiRequest::new(
                        "CreateQueue",
                        [("QueueName", json!(f.name.trim())), ("Attributes", attributes.unwrap_or(Value::Null))],
                    );
                    let success = Some(format!("Queue {} created successfully.", f.name.trim()));
                    on_action.emit(Action::Call { request, success });
                }
                Some((url, before)) => {
                    let attributes = f.changed_attributes(before);
                    if !attributes.is_empty() {
                        let request = ApiRequest::new(
                            "SetQueueAttributes",
                            [("QueueUrl", json!(url)), ("Attributes", Value::Object(attributes))],
                        );
                        let success = Some(format!("Queue {} updated.", f.name));
                        on_action.emit(Action::Call { request, success });
                    }
                    on_close.emit(());
                }
            }
        })
    };
    let on_type = {
        let fields = fields.clone();
        Callback::from(move |e: Event| {
            let mut f = (*fields).clone();
            f.fifo = select_value(&e) == "fifo";
            // FIFO queue names must end in .fifo; keep the name valid as the type flips.
            let stem = f.name.trim().trim_end_matches(".fifo").to_string();
            f.name = if f.fifo { format!("{stem}.fifo") } else { stem };
            fields.set(f);
        })
    };
    let on_cbd = {
        let fields = fields.clone();
        Callback::from(move |e: Event| {
            let mut f = (*fields).clone();
            f.content_based_deduplication = checked(&e);
            fields.set(f);
        })
    };
    let select = |apply: fn(&mut Fields, String)| {
        let fields = fields.clone();
        Callback::from(move |e: Event| {
            let mut f = (*fields).clone();
            apply(&mut f, select_value(&e));
            fields.set(f);
        })
    };
    let text = |apply: fn(&mut Fields, String)| set(apply).reform(|e: InputEvent| super::textarea_value(&e));
    let editing = p.edit.is_some();
    let own_name = f.name.clone();
    let dlq_choices: Vec<&(String, String)> = p.queues.iter().filter(|(n, _)| !editing || *n != own_name).collect();

    html! {
        <form class="queue-form" {onsubmit} novalidate=true
            aria-label={if editing { "Edit queue attributes" } else { "Create queue" }}>
            if !editing { <h2 id="create-heading">{ "Create queue" }</h2> }
            if !editing {
                <div class="field">
                    <label for={id("type")}>{ "Type" }</label>
                    <select id={id("type")} onchange={on_type}>
                        <option value="standard" selected={!f.fifo}>{ "Standard — at-least-once, best-effort order" }</option>
                        <option value="fifo" selected={f.fifo}>{ "FIFO — exactly-once, ordered per group" }</option>
                    </select>
                </div>
                <Field id={id("name")} label="Name" value={f.name.clone()}
                    hint="Up to 80 characters: letters, digits, - and _; FIFO names end in .fifo"
                    oninput={set(|f, v| f.name = v)} />
            }
            <details class="settings-fold" open={!p.compact}>
                <summary>{ "Attributes (AWS defaults shown)" }</summary>
            <Field id={id("visibility")} label="Visibility timeout (s)" numeric=true value={f.visibility_timeout.clone()}
                hint="Default 30 s · 0 s – 43,200 s (12 hours)" oninput={set(|f, v| f.visibility_timeout = v)} />
            <Field id={id("retention")} label="Message retention period (s)" numeric=true
                value={f.message_retention_period.clone()} hint="Default 345,600 s (4 days) · 60 s – 1,209,600 s (14 days)"
                oninput={set(|f, v| f.message_retention_period = v)} />
            <Field id={id("delay")} label="Delivery delay (s)" numeric=true value={f.delay_seconds.clone()}
                hint="Default 0 s · 0 s – 900 s (15 minutes)" oninput={set(|f, v| f.delay_seconds = v)} />
            <Field id={id("wait")} label="Receive message wait time (s)" numeric=true
                value={f.receive_message_wait_time_seconds.clone()} hint="Default 0 s (short polling) · 0 s – 20 s"
                oninput={set(|f, v| f.receive_message_wait_time_seconds = v)} />
            <Field id={id("maxsize")} label="Maximum message size (bytes)" numeric=true
                value={f.maximum_message_size.clone()} hint="Default 1,048,576 (1 MiB) · 1,024 – 1,048,576"
                oninput={set(|f, v| f.maximum_message_size = v)} />
            if f.fifo {
                <div class="field check">
                    <input id={id("cbd")} type="checkbox" checked={f.content_based_deduplication} onchange={on_cbd} />
                    <label for={id("cbd")}>{ "Content-based deduplication" }</label>
                    <small>{ "Default off · deduplicate by a SHA-256 of the body when no deduplication id is given" }</small>
                </div>
                <div class="field">
                    <label for={id("scope")}>{ "Deduplication scope" }</label>
                    <select id={id("scope")} onchange={select(|f, v| f.deduplication_scope = v)}>
                        <option value="queue" selected={f.deduplication_scope == "queue"}>{ "Queue (default)" }</option>
                        <option value="messageGroup" selected={f.deduplication_scope == "messageGroup"}>{ "Message group" }</option>
                    </select>
                </div>
                <div class="field">
                    <label for={id("throughput")}>{ "FIFO throughput limit" }</label>
                    <select id={id("throughput")} onchange={select(|f, v| f.fifo_throughput_limit = v)}>
                        <option value="perQueue" selected={f.fifo_throughput_limit == "perQueue"}>{ "Per queue (default)" }</option>
                        <option value="perMessageGroupId" selected={f.fifo_throughput_limit == "perMessageGroupId"}>
                            { "Per message group id (high throughput)" }</option>
                    </select>
                </div>
            }
            <fieldset class="dlq">
                <legend>{ "Dead-letter queue" }</legend>
                <div class="field">
                    <label for={id("dlq")}>{ "Send undeliverable messages to" }</label>
                    <select id={id("dlq")} onchange={select(|f, v| f.dead_letter_target_arn = v)}>
                        <option value="" selected={f.dead_letter_target_arn.is_empty()}>{ "None (disabled)" }</option>
                        { for dlq_choices.iter().map(|(name, arn)| html! {
                            <option value={arn.clone()} selected={f.dead_letter_target_arn == *arn}>{ name }</option>
                        }) }
                    </select>
                </div>
                <Field id={id("maxreceive")} label="Maximum receives" numeric=true value={f.max_receive_count.clone()}
                    hint="Default 10 · 1 – 1,000 receives before a message moves to the DLQ"
                    oninput={set(|f, v| f.max_receive_count = v)} />
                <div class="field">
                    <label for={id("redriveallow")}>{ "Redrive allow policy (JSON)" }</label>
                    <textarea id={id("redriveallow")} rows="2" value={f.redrive_allow_policy.clone()}
                        placeholder={r#"{"redrivePermission":"allowAll"}"#}
                        oninput={text(|f, v| f.redrive_allow_policy = v)} />
                    <small>{ "Default: any queue may use this one as its DLQ · allowAll, denyAll, or byQueue with up to 10 sourceQueueArns" }</small>
                </div>
            </fieldset>
            <fieldset class="encryption">
                <legend>{ "Encryption" }</legend>
                <div class="field">
                    <label for={id("sse")}>{ "Server-side encryption" }</label>
                    <select id={id("sse")} onchange={select(|f, v| f.encryption = v)}>
                        <option value="sqs" selected={f.encryption == "sqs"}>{ "SSE-SQS (default)" }</option>
                        <option value="kms" selected={f.encryption == "kms"}>{ "SSE-KMS" }</option>
                        <option value="none" selected={f.encryption == "none"}>{ "Disabled" }</option>
                    </select>
                </div>
                if f.encryption == "kms" {
                    <Field id={id("kmskey")} label="KMS key" value={f.kms_master_key_id.clone()}
                        hint="Default alias/aws/sqs (the AWS managed key) · stored and shown; nothing is encrypted here"
                        oninput={set(|f, v| f.kms_master_key_id = v)} />
                    <Field id={id("kmsreuse")} label="Data key reuse period (s)" numeric=true
                        value={f.kms_data_key_reuse_period_seconds.clone()} hint="Default 300 s · 60 s – 86,400 s (24 hours)"
                        oninput={set(|f, v| f.kms_data_key_reuse_period_seconds = v)} />
                }
            </fieldset>
            <div class="field">
                <label for={id("policy")}>{ "Access policy (JSON)" }</label>
                <textarea id={id("policy")} rows="3" value={f.policy.clone()}
                    placeholder={r#"{"Version":"2012-10-17","Statement":[...]}"#}
                    oninput={text(|f, v| f.policy = v)} />
                <small>{ "Default: none (only the owner). Needed for SNS or S3 to send to the queue" }</small>
            </div>
            </details>
            <div class="actions">
                <button type="submit" class="primary">{ if editing { "Save" } else { "Create queue" } }</button>
                if editing {
                    <button type="button" onclick={p.on_close.reform(|_: MouseEvent| ())}>{ "Cancel" }</button>
                }
            </div>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_attributes_are_sent() {
        let base = Fields::default();
        assert!(base.changed_attributes(&base).is_empty());
        let f = Fields { visibility_timeout: "99999".into(), dead_letter_target_arn: "arn:x".into(), ..base.clone() };
        let changed = f.changed_attributes(&base);
        assert_eq!(changed["VisibilityTimeout"], "99999");
        assert_eq!(changed["RedrivePolicy"], r#"{"deadLetterTargetArn":"arn:x","maxReceiveCount":10}"#);
        // Removing the DLQ while editing sends an empty policy, as AWS expects.
        let removed = base.changed_attributes(&f);
        assert_eq!(removed["RedrivePolicy"], "");
    }

    #[test]
    fn encryption_and_policies_map_to_aws_attributes() {
        let base = Fields::default();
        let kms = Fields { encryption: "kms".into(), ..base.clone() };
        let changed = kms.changed_attributes(&base);
        assert_eq!(
            (changed["KmsMasterKeyId"].as_str(), changed["KmsDataKeyReusePeriodSeconds"].as_str()),
            (Some("alias/aws/sqs"), Some("300"))
        );
        assert!(!changed.contains_key("SqsManagedSseEnabled"));
        let off = Fields { encryption: "none".into(), ..base.clone() }.changed_attributes(&kms);
        assert_eq!((off["SqsManagedSseEnabled"].as_str(), off["KmsMasterKeyId"].as_str()), (Some("false"), Some("")));
        let back = base.changed_attributes(&Fields { encryption: "none".into(), ..base.clone() });
        assert_eq!(back["SqsManagedSseEnabled"], "true");
        let allow = Fields {
            redrive_allow_policy: r#"{"redrivePermission":"denyAll"}"#.into(),
            policy: "{}".into(),
            ..base.clone()
        };
        let changed = allow.changed_attributes(&base);
        assert_eq!(changed["RedriveAllowPolicy"], r#"{"redrivePermission":"denyAll"}"#);
        assert_eq!(changed["Policy"], "{}");
    }
}
