//! The AWS JSON protocols' common ground: reading request members with the
//! type rules AWS's servers apply, and writing responses and error bodies.
//!
//! Requests are parsed into a `serde_json::Value` and read member by member
//! rather than derived into structs: every type mismatch then becomes AWS's
//! `SerializationException` with a message naming what was found, and the
//! wasm stays small (no derive code per shape).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use decouple_engine::SimTime;
use serde_json::{Map, Value};

use crate::service::{Protocol, Service};
use crate::HttpResponse;

/// Why a request's members could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum InputError {
    /// Not JSON, or a member of the wrong type: AWS's `SerializationException`.
    Serialization(String),
    /// A required member is absent (or null).
    Missing(&'static str),
}

type Result<T> = core::result::Result<T, InputError>;

/// Parses a request body. An empty body counts as `{}`, as AWS's servers take it.
pub(crate) fn parse_body(body: &[u8]) -> Result<Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(InputError::Serialization(format!("{} found where a structure was expected.", kind(&other)))),
        Err(e) => Err(InputError::Serialization(format!("Could not parse the request body as JSON: {e}"))),
    }
}

/// How Coral, AWS's service framework, names a JSON token it did not expect.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL_VALUE",
        Value::Bool(true) => "TRUE_VALUE",
        Value::Bool(false) => "FALSE_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

fn mismatch(v: &Value, expected: &str) -> InputError {
    InputError::Serialization(format!("{} can not be converted to {expected}", kind(v)))
}

fn as_string(v: &Value) -> Result<String> {
    v.as_str().map(String::from).ok_or_else(|| mismatch(v, "a String"))
}

/// The members of one JSON structure. A member that is `null` counts as absent,
/// as it does on AWS; members the model does not know are ignored.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Members<'a>(pub &'a Map<String, Value>);

impl<'a> Members<'a> {
    fn get(&self, name: &str) -> Option<&'a Value> {
        self.0.get(name).filter(|v| !v.is_null())
    }

    pub fn string(&self, name: &str) -> Result<Option<String>> {
        self.get(name).map(as_string).transpose()
    }

    /// A required string: absent is `MissingParameter`, present-but-empty is the engine's to judge.
    pub fn required_string(&self, name: &'static str) -> Result<String> {
        self.string(name)?.ok_or(InputError::Missing(name))
    }

    /// A string whose absence the engine reports itself (it knows AWS's message for each).
    pub fn string_or_empty(&self, name: &str) -> Result<String> {
        Ok(self.string(name)?.unwrap_or_default())
    }

    /// An Integer or Long member. Anything that is not a whole number within
    /// i64 (a string, a fraction, 1e30) is a `SerializationException`; range
    /// checks within i64 are the engine's, so it can answer AWS's own message.
    pub fn integer(&self, name: &str) -> Result<Option<i64>> {
        match self.get(name) {
            None => Ok(None),
            Some(v @ Value::Number(n)) => n.as_i64().map(Some).ok_or_else(|| mismatch(v, "an Integer")),
            Some(v) => Err(mismatch(v, "an Integer")),
        }
    }

    /// A boolean member.
    #[cfg_attr(not(any(feature = "kinesis", feature = "firehose")), allow(dead_code))]
    pub fn boolean(&self, name: &str) -> Result<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(mismatch(v, "a Boolean")),
        }
    }

    /// A timestamp member as the JSON protocols send it: epoch seconds, possibly fractional.
    #[cfg_attr(not(any(feature = "kinesis", feature = "firehose")), allow(dead_code))]
    pub fn epoch_seconds(&self, name: &str) -> Result<Option<SimTime>> {
        match self.get(name) {
            None => Ok(None),
            Some(v @ Value::Number(n)) => match n.as_f64() {
                Some(secs) if (0.0..1e14).contains(&secs) => Ok(Some(SimTime((secs * 1000.0 + 0.5) as u64))),
                _ => Err(mismatch(v, "a Timestamp")),
            },
            Some(v) => Err(mismatch(v, "a Timestamp")),
        }
    }

    /// A structure member.
    #[cfg_attr(not(any(feature = "kinesis", feature = "firehose")), allow(dead_code))]
    pub fn structure(&self, name: &str) -> Result<Option<Members<'a>>> {
        Ok(self.object(name)?.map(Members))
    }

    /// A base64 blob member.
    pub fn blob(&self, name: &str) -> Result<Option<Vec<u8>>> {
        self.get(name).map(decode_blob).transpose()
    }

    fn array(&self, name: &str) -> Result<&'a [Value]> {
        match self.get(name) {
            None => Ok(&[]),
            Some(Value::Array(items)) => Ok(items),
            Some(v) => Err(mismatch(v, "a List")),
        }
    }

    fn object(&self, name: &str) -> Result<Option<&'a Map<String, Value>>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(v) => Err(mismatch(v, "a Map or Structure")),
        }
    }

    /// A list of strings; absent is empty. Null elements are skipped.
    pub fn string_list(&self, name: &str) -> Result<Vec<String>> {
        self.array(name)?.iter().filter(|v| !v.is_null()).map(as_string).collect()
    }

    /// A list of blobs; absent is empty.
    pub fn blob_list(&self, name: &str) -> Result<Vec<Vec<u8>>> {
        self.array(name)?.iter().filter(|v| !v.is_null()).map(decode_blob).collect()
    }

    /// A map of string to string; absent is empty. Null values are skipped.
    pub fn string_map(&self, name: &str) -> Result<BTreeMap<String, String>> {
        let Some(map) = self.object(name)? else { return Ok(BTreeMap::new()) };
        map.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| Ok((k.clone(), as_string(v)?))).collect()
    }

    /// A list of structures; absent is empty.
    pub fn structure_list(&self, name: &str) -> Result<Vec<Members<'a>>> {
        self.array(name)?
            .iter()
            .filter(|v| !v.is_null())
            .map(|v| match v {
                Value::Object(map) => Ok(Members(map)),
                other => Err(mismatch(other, "a Structure")),
            })
            .collect()
    }

    /// A map of string to structure; absent is empty.
    pub fn structure_map(&self, name: &str) -> Result<Vec<(&'a str, Members<'a>)>> {
        let Some(map) = self.object(name)? else { return Ok(Vec::new()) };
        map.iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| match v {
                Value::Object(inner) => Ok((k.as_str(), Members(inner))),
                other => Err(mismatch(other, "a Structure")),
            })
            .collect()
    }
}

fn decode_blob(v: &Value) -> Result<Vec<u8>> {
    let text = v.as_str().ok_or_else(|| mismatch(v, "a Blob"))?;
    STANDARD
        .decode(text)
        .map_err(|_| InputError::Serialization(String::from("Base64 encoded blob is not valid base64.")))
}

/// A timestamp as the JSON protocols write it: epoch seconds with milliseconds.
#[cfg_attr(not(any(feature = "kinesis", feature = "firehose")), allow(dead_code))]
pub(crate) fn epoch_seconds(t: SimTime) -> Value {
    let millis = t.as_millis();
    if millis.is_multiple_of(1000) {
        Value::from(millis / 1000)
    } else {
        Value::from(millis as f64 / 1000.0)
    }
}

pub(crate) fn encode_blob(bytes: &[u8]) -> Value {
    Value::String(STANDARD.encode(bytes))
}

/// Builds a response object member by member, leaving out what AWS leaves
/// out: absent optional members and empty lists and maps (AWS answers an empty
/// ReceiveMessage with `{}`, not `{"Messages":[]}`).
#[derive(Default)]
pub(crate) struct Output(Map<String, Value>);

impl Output {
    pub fn new() -> Self {
        Output(Map::new())
    }

    pub fn put(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.0.insert(name.into(), value.into());
        self
    }

    pub fn opt(self, name: &str, value: Option<impl Into<Value>>) -> Self {
        match value {
            Some(v) => self.put(name, v),
            None => self,
        }
    }

    pub fn list(self, name: &str, items: Vec<Value>) -> Self {
        if items.is_empty() {
            self
        } else {
            self.put(name, Value::Array(items))
        }
    }

    pub fn string_map(self, name: &str, map: &BTreeMap<String, String>) -> Self {
        if map.is_empty() {
            return self;
        }
        let object = map.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect();
        self.put(name, Value::Object(object))
    }

    pub fn object(self, name: &str, members: Map<String, Value>) -> Self {
        if members.is_empty() {
            self
        } else {
            self.put(name, Value::Object(members))
        }
    }

    pub fn into_value(self) -> Value {
        Value::Object(self.0)
    }
}

fn base_headers(protocol: Protocol, request_id: &str, body_len: usize) -> Vec<(String, String)> {
    alloc::vec![
        ("x-amzn-RequestId".into(), request_id.into()),
        ("Content-Type".into(), protocol.content_type().into()),
        ("Content-Length".into(), body_len.to_string()),
    ]
}

/// A 200 response with a JSON body.
pub(crate) fn ok(protocol: Protocol, body: &Value, request_id: &str) -> HttpResponse {
    // Serializing a Value into memory cannot fail (its keys are strings).
    let body = serde_json::to_vec(body).unwrap_or_default();
    HttpResponse { status: 200, headers: base_headers(protocol, request_id, body.len()), body }
}

/// An error as AWS's JSON protocols send it.
pub(crate) struct JsonError<'m> {
    pub status: u16,
    /// The shape id with its namespace, e.g. `com.amazonaws.sqs#QueueDoesNotExist`.
    pub type_id: &'m str,
    pub message: Option<&'m str>,
    /// For services with query compatibility (SQS): the legacy code that goes in
    /// `x-amzn-query-error: <code>;Sender`.
    pub query_code: Option<&'m str>,
}

pub(crate) fn error(protocol: Protocol, e: &JsonError<'_>, request_id: &str) -> HttpResponse {
    let mut body = Output::new().put("__type", e.type_id);
    if let Some(message) = e.message {
        body = body.put("message", message);
    }
    let body = serde_json::to_vec(&body.into_value()).unwrap_or_default();
    let mut headers = base_headers(protocol, request_id, body.len());
    if let Some(code) = e.query_code {
        headers.push(("x-amzn-query-error".into(), format!("{code};Sender")));
    }
    HttpResponse { status: e.status, headers, body }
}

/// An error of a JSON 1.1 service that names its errors without a namespace
/// (Kinesis, Firehose: `{"__type": "ResourceNotFoundException", ...}`).
#[cfg_attr(not(any(feature = "kinesis", feature = "firehose")), allow(dead_code))]
pub(crate) fn plain_error(
    protocol: Protocol,
    status: u16,
    name: &str,
    message: &str,
    request_id: &str,
) -> HttpResponse {
    error(protocol, &JsonError { status, type_id: name, message: Some(message), query_code: None }, request_id)
}

/// Such a service's answer to input it could not read: `SerializationException`,
/// or AWS's validation message naming the missing member in lower camel case.
#[cfg_attr(not(any(feature = "kinesis", feature = "firehose")), allow(dead_code))]
pub(crate) fn plain_input_error(protocol: Protocol, e: InputError, request_id: &str) -> HttpResponse {
    match e {
        InputError::Serialization(message) => {
            plain_error(protocol, 400, "SerializationException", &message, request_id)
        }
        InputError::Missing(name) => {
            let mut chars = name.chars();
            let camel: String = chars.next().map(|c| c.to_ascii_lowercase()).into_iter().chain(chars).collect();
            let message = format!(
                "1 validation error detected: Value null at '{camel}' failed to satisfy constraint: Member must not be null"
            );
            plain_error(protocol, 400, "ValidationException", &message, request_id)
        }
    }
}

/// The answer to a JSON request whose target names no operation we know.
/// SQS (and a request with no target at all, which AWS's SQS endpoint treats
/// the same way) adds the legacy query code `InvalidAction`.
pub(crate) fn unknown_operation(
    service: Option<Service>,
    protocol: Protocol,
    _operation: &str,
    request_id: &str,
) -> HttpResponse {
    let query_code = matches!(service, None | Some(Service::Sqs)).then_some("InvalidAction");
    error(
        protocol,
        &JsonError {
            status: 400,
            type_id: "com.amazon.coral.service#UnknownOperationException",
            message: None,
            query_code,
        },
        request_id,
    )
}
