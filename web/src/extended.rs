//! The SQS Extended Client pattern on the SNS page (which has S3): a payload
//! too big for a queue goes to a bucket, and the queue carries a pointer to
//! it in the format the AWS extended client libraries (Java
//! `amazon-sqs-java-extended-client-lib`, Python `sqs-extended-client`, and
//! `crates/js/js/extended.mjs`) read and write, so what the playground sends
//! is what a real consumer would resolve.
//!
//! This is client-side logic — the libraries run in the application, not in
//! SQS — so it lives in the page, and every step is an ordinary S3 or SQS
//! request in the API log.

use decouple_engine::rng::Rng;
use serde_json::{json, Map, Value};

use crate::api::ApiRequest;

/// The pointer's class name, first in the body's JSON array (payload-offloading library 2.x).
pub const POINTER_CLASS: &str = "software.amazon.payloadoffloading.PayloadS3Pointer";
/// The class name extended clients before 2.0 wrote; still read.
const LEGACY_POINTER_CLASS: &str = "com.amazon.sqs.javamessaging.MessageS3Pointer";
/// The message attribute carrying the payload's size in bytes; reserved by the libraries.
pub const SIZE_ATTRIBUTE: &str = "ExtendedPayloadSize";
const LEGACY_SIZE_ATTRIBUTE: &str = "SQSLargePayloadSize";
/// The libraries' default threshold: offload when body plus attributes exceed 256 KiB.
/// (SQS itself takes 1 MiB since August 2025; the libraries kept their default.)
pub const THRESHOLD: usize = 256 * 1024;

/// A payload stored in S3 in place of a message body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pointer {
    pub bucket: String,
    pub key: String,
}

/// Bytes a message counts against the threshold, counted as SQS counts a
/// message's size: the body, and each attribute's name, type and value.
pub fn message_size(body: &str, attributes: &Value) -> usize {
    let attrs = attributes.as_object().into_iter().flatten();
    body.len()
        + attrs
            .map(|(name, v)| {
                let text = |k: &str| v.get(k).and_then(Value::as_str).map_or(0, str::len);
                name.len() + text("DataType") + text("StringValue") + text("BinaryValue") * 3 / 4
            })
            .sum::<usize>()
}

/// Why a message cannot go through the extended client, as the libraries say it.
pub fn check(attributes: &Value) -> Result<(), String> {
    for reserved in [SIZE_ATTRIBUTE, LEGACY_SIZE_ATTRIBUTE] {
        if attributes.get(reserved).is_some() {
            return Err(format!("Message attribute name {reserved} is reserved for use by the SQS extended client."));
        }
    }
    Ok(())
}

/// Whether the libraries would offload this message.
pub fn offloads(body: &str, attributes: &Value, always_through_s3: bool) -> bool {
    always_through_s3 || message_size(body, attributes) > THRESHOLD
}

/// A fresh object key: a UUID, as the libraries use, drawn from a generator
/// seeded with the playground's history so that a replayed journal and a
/// share link reproduce the same keys.
pub fn object_key(seed: u64) -> String {
    Rng::new(seed).uuid().to_canonical_string()
}

/// The two requests the extended client's sendMessage makes: PutObject of
/// the payload, then SendMessage of the pointer with the size attribute.
/// `send` is the SendMessage the application asked for.
pub fn offload(send: &ApiRequest, bucket: &str, key: &str) -> [ApiRequest; 2] {
    let body = send.member("MessageBody").unwrap_or_default().to_string();
    let put = ApiRequest::s3("PutObject", [("Bucket", json!(bucket)), ("Key", json!(key)), ("Body", json!(body))]);
    let mut pointer = send.clone();
    let mut attributes =
        send.body.get("MessageAttributes").and_then(Value::as_object).cloned().unwrap_or_else(Map::new);
    attributes.insert(SIZE_ATTRIBUTE.into(), json!({"DataType": "Number", "StringValue": body.len().to_string()}));
    if let Some(members) = pointer.body.as_object_mut() {
        members.insert("MessageBody".into(), json!(pointer_body(bucket, key)));
        members.insert("MessageAttributes".into(), Value::Object(attributes));
    }
    [put, pointer]
}

/// The pointer body, byte for byte as the libraries write it.
pub fn pointer_body(bucket: &str, key: &str) -> String {
    json!([POINTER_CLASS, {"s3BucketName": bucket, "s3Key": key}]).to_string()
}

/// The pointer in a message body, or `None` when the body is the payload itself.
pub fn parse_pointer(body: &str) -> Option<Pointer> {
    if !body.starts_with('[') {
        return None;
    }
    let doc: Value = serde_json::from_str(body).ok()?;
    let class = doc.get(0)?.as_str()?;
    if class != POINTER_CLASS && class != LEGACY_POINTER_CLASS {
        return None;
    }
    let fields = doc.get(1)?;
    let text = |k: &str| fields.get(k).and_then(Value::as_str).map(str::to_string);
    Some(Pointer { bucket: text("s3BucketName")?, key: text("s3Key")? })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn send(body: &str, attributes: Value) -> ApiRequest {
        ApiRequest::new(
            "SendMessage",
            [("QueueUrl", json!("u")), ("MessageBody", json!(body)), ("MessageAttributes", attributes)],
        )
    }

    #[test]
    fn offloads_above_256_kib_counting_attributes_or_always_when_asked() {
        let attrs = json!({"trace": {"DataType": "String", "StringValue": "abc"}});
        let just_fits = "x".repeat(THRESHOLD - "trace".len() - "String".len() - 3);
        assert!(!offloads(&just_fits, &attrs, false));
        assert!(offloads(&format!("{just_fits}x"), &attrs, false));
        assert!(offloads("small", &Value::Null, true));
        assert!(!offloads("small", &Value::Null, false));
    }

    #[test]
    fn the_pointer_message_is_the_libraries_format_and_keeps_the_attributes() {
        let attrs = json!({"trace": {"DataType": "String", "StringValue": "abc"}});
        let [put, pointer] = offload(&send("héllo", attrs), "large-payloads", "k-1");
        assert_eq!(put.action, "PutObject");
        assert_eq!(put.member("Body"), Some("héllo"));
        assert_eq!(put.member("Key"), Some("k-1"));
        assert_eq!(
            pointer.member("MessageBody"),
            Some(
                r#"["software.amazon.payloadoffloading.PayloadS3Pointer",{"s3BucketName":"large-payloads","s3Key":"k-1"}]"#
            )
        );
        let attributes = &pointer.body["MessageAttributes"];
        assert_eq!(attributes["ExtendedPayloadSize"], json!({"DataType": "Number", "StringValue": "6"}));
        assert_eq!(attributes["trace"]["StringValue"], "abc");
        assert_eq!(pointer.member("QueueUrl"), Some("u"));
    }

    #[test]
    fn pointers_are_recognised_in_both_formats_and_nothing_else_is() {
        let p = parse_pointer(&pointer_body("b", "k")).unwrap();
        assert_eq!(p, Pointer { bucket: "b".into(), key: "k".into() });
        let legacy = r#"["com.amazon.sqs.javamessaging.MessageS3Pointer",{"s3BucketName":"b","s3Key":"k"}]"#;
        assert_eq!(parse_pointer(legacy), Some(p));
        for not_one in [
            "hello",
            "[1,2]",
            r#"["other",{"s3BucketName":"b","s3Key":"k"}]"#,
            "[",
            r#"["software.amazon.payloadoffloading.PayloadS3Pointer",{}]"#,
        ] {
            assert_eq!(parse_pointer(not_one), None, "{not_one}");
        }
    }

    #[test]
    fn reserved_attribute_names_are_refused_and_keys_are_reproducible_uuids() {
        assert!(check(&json!({"ExtendedPayloadSize": {"DataType": "Number", "StringValue": "1"}})).is_err());
        assert!(check(&json!({"size": {"DataType": "Number", "StringValue": "1"}})).is_ok());
        let key = object_key(7);
        assert_eq!(key, object_key(7));
        assert_ne!(key, object_key(8));
        assert_eq!(key.len(), 36);
        assert_eq!(key.as_bytes()[14], b'4', "a version-4 UUID: {key}");
    }
}
