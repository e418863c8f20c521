//! Learner actions as AWS requests: the JSON body an SDK would send, the HTTP
//! request that carries it, the equivalent AWS CLI command, and AWS's error
//! read back out of a response.
//!
//! Everything the playground does to the engine is one of these requests,
//! dispatched through `decouple_wire::Gateway` exactly as the JS SDK handler
//! does, so the API log shows the truth.

use decouple_wire::{HttpRequest, HttpResponse};
use serde_json::{Map, Value};

/// The 23 actions of the SQS API, for reading saved requests back.
pub const ACTIONS: &[&str] = decouple_wire::SQS_ACTIONS;

/// One SQS API call: the action (`SendMessage`) and its JSON members.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiRequest {
    pub action: &'static str,
    pub body: Value,
}

impl ApiRequest {
    /// A request with the given members; `None` values are left out, as an SDK does.
    pub fn new(action: &'static str, members: impl IntoIterator<Item = (&'static str, Value)>) -> Self {
        let map: Map<String, Value> =
            members.into_iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.to_string(), v)).collect();
        ApiRequest { action, body: Value::Object(map) }
    }

    /// A string member, if present.
    pub fn member(&self, name: &str) -> Option<&str> {
        self.body.get(name).and_then(Value::as_str)
    }

    /// The HTTP request the AWS SDKs send for this call (AWS JSON 1.0).
    pub fn to_http(&self) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            path: "/".into(),
            query: String::new(),
            headers: vec![
                ("Content-Type".into(), "application/x-amz-json-1.0".into()),
                ("X-Amz-Target".into(), format!("AmazonSQS.{}", self.action)),
            ],
            body: serde_json::to_vec(&self.body).unwrap_or_default(),
        }
    }

    /// The request as it goes over the wire, for the log's "raw request" view.
    pub fn raw(&self) -> String {
        let json = serde_json::to_string_pretty(&self.body).unwrap_or_default();
        format!(
            "POST / HTTP/1.1\nContent-Type: application/x-amz-json-1.0\nX-Amz-Target: AmazonSQS.{}\n\n{json}",
            self.action
        )
    }

    /// The same call as an AWS CLI v2 command, e.g.
    /// `aws sqs send-message --queue-url https://... --message-body 'hello'`.
    pub fn cli(&self) -> String {
        let mut out = format!("aws sqs {}", kebab(self.action));
        if let Value::Object(map) = &self.body {
            for (name, value) in map {
                out.push_str(" --");
                out.push_str(&kebab(name));
                match value {
                    // The CLI takes a list as space-separated values.
                    Value::Array(items) if items.iter().all(Value::is_string) => {
                        for item in items {
                            out.push(' ');
                            out.push_str(&shell_quote(item.as_str().unwrap_or_default()));
                        }
                    }
                    Value::String(s) => {
                        out.push(' ');
                        out.push_str(&shell_quote(s));
                    }
                    Value::Number(n) => {
                        out.push(' ');
                        out.push_str(&n.to_string());
                    }
                    Value::Bool(b) => {
                        out.push(' ');
                        out.push_str(if *b { "true" } else { "false" });
                    }
                    // Structures and maps: the CLI accepts their JSON form.
                    other => {
                        out.push(' ');
                        out.push_str(&shell_quote(&other.to_string()));
                    }
                }
            }
        }
        out
    }
}

/// `SendMessageBatch` → `send-message-batch`, `QueueUrl` → `queue-url`.
fn kebab(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Quotes a word for a POSIX shell when it needs it.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "_-./:=@%+,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// An error as the AWS console shows it: `InvalidAttributeValue: Invalid value for ...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsError {
    pub code: String,
    pub message: String,
}

impl core::fmt::Display for AwsError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.code)
        } else {
            write!(f, "{}: {}", self.code, self.message)
        }
    }
}

/// A response read back: its JSON body, or AWS's error.
pub fn parse_response(response: &HttpResponse) -> Result<Value, AwsError> {
    let body: Value = serde_json::from_slice(&response.body).unwrap_or(Value::Null);
    if response.status < 300 {
        return Ok(body);
    }
    // The console names the error by its short code: the legacy query code if
    // there is one, else the `__type` without its namespace.
    let type_code = body.get("__type").and_then(Value::as_str).map(|t| t.rsplit('#').next().unwrap_or(t));
    let query_code = response.header("x-amzn-query-error").and_then(|h| h.split(';').next());
    let code = query_code.or(type_code).unwrap_or("InternalError").to_string();
    let message = body.get("message").and_then(Value::as_str).unwrap_or_default().to_string();
    Err(AwsError { code, message })
}

/// The first entry a batch call refused, as an error (`Failed[0]`'s code and message).
pub fn first_batch_failure(body: &Value) -> Option<AwsError> {
    let failed = body.get("Failed")?.as_array()?.first()?;
    let text = |k: &str| failed.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    Some(AwsError { code: text("Code"), message: text("Message") })
}

/// The response as it came over the wire, for the log's "raw response" view.
pub fn raw_response(response: &HttpResponse) -> String {
    let mut out = format!("HTTP/1.1 {}\n", response.status);
    for (name, value) in &response.headers {
        out.push_str(&format!("{name}: {value}\n"));
    }
    out.push('\n');
    match serde_json::from_slice::<Value>(&response.body) {
        Ok(json) => out.push_str(&serde_json::to_string_pretty(&json).unwrap_or_default()),
        Err(_) => out.push_str(&String::from_utf8_lossy(&response.body)),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cli_quotes_and_kebabs() {
        let req = ApiRequest::new(
            "SendMessage",
            [
                ("QueueUrl", json!("https://sqs.us-east-1.amazonaws.com/000000000000/orders")),
                ("MessageBody", json!("it's <b>")),
                ("DelaySeconds", json!(5)),
                ("MessageGroupId", Value::Null),
            ],
        );
        assert_eq!(
            req.cli(),
            "aws sqs send-message --delay-seconds 5 --message-body 'it'\\''s <b>' \
             --queue-url https://sqs.us-east-1.amazonaws.com/000000000000/orders"
        );
        let attrs = ApiRequest::new("CreateQueue", [("QueueName", json!("q")), ("Attributes", json!({"A": "1"}))]);
        assert_eq!(attrs.cli(), r#"aws sqs create-queue --attributes '{"A":"1"}' --queue-name q"#);
        let list = ApiRequest::new("ReceiveMessage", [("MessageSystemAttributeNames", json!(["All"]))]);
        assert_eq!(list.cli(), "aws sqs receive-message --message-system-attribute-names All");
    }

    #[test]
    fn http_request_carries_the_target() {
        let req = ApiRequest::new("ListQueues", []);
        let http = req.to_http();
        assert_eq!(http.header("x-amz-target"), Some("AmazonSQS.ListQueues"));
        assert_eq!(http.body, b"{}");
    }
}
