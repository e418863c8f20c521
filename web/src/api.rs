//! Learner actions as AWS requests: the members an SDK would send, the HTTP
//! request that carries them in the service's own protocol (SQS: AWS JSON
//! 1.0; with the `sns` feature also SNS: the query protocol, a form in and
//! XML out; with `s3` (on in the SNS and Kinesis pages) S3: REST,
//! path-style; with the `kinesis` feature Kinesis Data
//! Streams: AWS JSON 1.1 with `Kinesis_20131202.<Action>` targets, and Data
//! Firehose: AWS JSON 1.1 with `Firehose_20150804.<Action>` targets), the
//! equivalent AWS CLI command, and AWS's error read back out of a response.
//!
//! Everything the playground does to the engine is one of these requests,
//! dispatched through `decouple_wire::Gateway` exactly as the JS SDK handler
//! does, so the API log shows the truth. Members are kept as JSON in the
//! shape the AWS CLI takes them, whatever the protocol, so the journal, the
//! CLI line and the wire encoding all come from one value.

use decouple_wire::{HttpRequest, HttpResponse};
use serde_json::{Map, Value};

/// The 23 actions of the SQS API, for reading saved requests back.
pub const ACTIONS: &[&str] = decouple_wire::SQS_ACTIONS;
/// The SNS actions the playground sends.
#[cfg(feature = "sns")]
pub const SNS_ACTIONS: &[&str] = &[
    "ConfirmSubscription",
    "CreatePlatformApplication",
    "CreatePlatformEndpoint",
    "CreateTopic",
    "DeleteEndpoint",
    "DeletePlatformApplication",
    "DeleteTopic",
    "Publish",
    "SetEndpointAttributes",
    "SetSubscriptionAttributes",
    "SetTopicAttributes",
    "Subscribe",
    "Unsubscribe",
];
/// The S3 actions the playground sends.
#[cfg(feature = "s3")]
pub const S3_ACTIONS: &[&str] = &[
    "CreateBucket",
    "DeleteBucket",
    "DeleteObject",
    "ListObjectsV2",
    "PutBucketNotificationConfiguration",
    "PutObject",
];

/// The Kinesis Data Streams actions the playground sends.
#[cfg(feature = "kinesis")]
pub const KINESIS_ACTIONS: &[&str] = &[
    "CreateStream",
    "DecreaseStreamRetentionPeriod",
    "DeleteStream",
    "DeregisterStreamConsumer",
    "GetRecords",
    "GetShardIterator",
    "IncreaseStreamRetentionPeriod",
    "MergeShards",
    "PutRecord",
    "PutRecords",
    "RegisterStreamConsumer",
    "SplitShard",
    "SubscribeToShard",
    "UpdateShardCount",
];

/// The Data Firehose actions the playground sends.
#[cfg(feature = "kinesis")]
pub const FIREHOSE_ACTIONS: &[&str] = &["CreateDeliveryStream", "DeleteDeliveryStream", "PutRecord", "PutRecordBatch"];

/// The endpoints' region, as the engine's default configuration has it.
#[cfg(feature = "s3")]
const REGION: &str = "us-east-1";

/// Which service (and so which protocol) a request is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Sqs,
    #[cfg(feature = "sns")]
    Sns,
    #[cfg(feature = "s3")]
    S3,
    #[cfg(feature = "kinesis")]
    Kinesis,
    #[cfg(feature = "kinesis")]
    Firehose,
}

/// The services this build speaks (SNS only with the `sns` feature, S3 with
/// `s3`, which `sns` and `kinesis` turn on, Kinesis and Firehose with `kinesis`).
const SERVICES: &[Service] = &[
    Service::Sqs,
    #[cfg(feature = "sns")]
    Service::Sns,
    #[cfg(feature = "s3")]
    Service::S3,
    #[cfg(feature = "kinesis")]
    Service::Kinesis,
    #[cfg(feature = "kinesis")]
    Service::Firehose,
];

impl Service {
    /// The name in saved journals and in `aws <name> ...` (S3's API commands are `s3api`).
    pub fn name(self) -> &'static str {
        match self {
            Service::Sqs => "sqs",
            #[cfg(feature = "sns")]
            Service::Sns => "sns",
            #[cfg(feature = "s3")]
            Service::S3 => "s3api",
            #[cfg(feature = "kinesis")]
            Service::Kinesis => "kinesis",
            #[cfg(feature = "kinesis")]
            Service::Firehose => "firehose",
        }
    }

    pub fn parse(name: &str) -> Option<Service> {
        SERVICES.iter().copied().find(|s| s.name() == name)
    }

    /// The action names this service answers, for reading saved requests back.
    pub fn action(self, name: &str) -> Option<&'static str> {
        let list = match self {
            Service::Sqs => ACTIONS,
            #[cfg(feature = "sns")]
            Service::Sns => SNS_ACTIONS,
            #[cfg(feature = "s3")]
            Service::S3 => S3_ACTIONS,
            #[cfg(feature = "kinesis")]
            Service::Kinesis => KINESIS_ACTIONS,
            #[cfg(feature = "kinesis")]
            Service::Firehose => FIREHOSE_ACTIONS,
        };
        list.iter().find(|a| **a == name).copied()
    }
}

/// One API call: the service, the action (`SendMessage`) and its members as JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct ApiRequest {
    pub service: Service,
    pub action: &'static str,
    pub body: Value,
}

impl ApiRequest {
    /// An SQS request with the given members; `None` values are left out, as an SDK does.
    pub fn new(action: &'static str, members: impl IntoIterator<Item = (&'static str, Value)>) -> Self {
        Self::of(Service::Sqs, action, &mut members.into_iter())
    }

    /// An SNS request (query protocol); members as for [`ApiRequest::new`].
    #[cfg(feature = "sns")]
    pub fn sns(action: &'static str, members: impl IntoIterator<Item = (&'static str, Value)>) -> Self {
        Self::of(Service::Sns, action, &mut members.into_iter())
    }

    /// An S3 request (REST, path-style): `Bucket`, `Key`, `Body` (text) and
    /// `NotificationConfiguration` (the CLI's JSON shape) members.
    #[cfg(feature = "s3")]
    pub fn s3(action: &'static str, members: impl IntoIterator<Item = (&'static str, Value)>) -> Self {
        Self::of(Service::S3, action, &mut members.into_iter())
    }

    /// A Kinesis Data Streams request (AWS JSON 1.1). `Data` members are
    /// base64, as on the wire and as the AWS CLI v2 takes them by default.
    #[cfg(feature = "kinesis")]
    pub fn kinesis(action: &'static str, members: impl IntoIterator<Item = (&'static str, Value)>) -> Self {
        Self::of(Service::Kinesis, action, &mut members.into_iter())
    }

    /// A Data Firehose request (AWS JSON 1.1). `Data` members are base64,
    /// as for Kinesis.
    #[cfg(feature = "kinesis")]
    pub fn firehose(action: &'static str, members: impl IntoIterator<Item = (&'static str, Value)>) -> Self {
        Self::of(Service::Firehose, action, &mut members.into_iter())
    }

    /// The JSON 1.1 target of a Kinesis or Firehose request (`Kinesis_20131202.PutRecord`).
    #[cfg(feature = "kinesis")]
    fn json_1_1_target(&self) -> Option<String> {
        match self.service {
            Service::Kinesis => Some(format!("Kinesis_20131202.{}", self.action)),
            Service::Firehose => Some(format!("Firehose_20150804.{}", self.action)),
            _ => None,
        }
    }

    /// Not generic, so that the many call sites (each an array of its own
    /// length) share one copy of this code in the WebAssembly.
    fn of(service: Service, action: &'static str, members: &mut dyn Iterator<Item = (&'static str, Value)>) -> Self {
        // A saved journal can only be read back with actions its service lists.
        debug_assert!(service.action(action).is_some(), "{action} is missing from the {} action list", service.name());
        let map: Map<String, Value> = members.filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.to_string(), v)).collect();
        ApiRequest { service, action, body: Value::Object(map) }
    }

    /// A string member, if present.
    pub fn member(&self, name: &str) -> Option<&str> {
        self.body.get(name).and_then(Value::as_str)
    }

    /// The HTTP request the AWS SDKs send for this call, in the service's protocol.
    pub fn to_http(&self) -> HttpRequest {
        match self.service {
            Service::Sqs => HttpRequest {
                method: "POST".into(),
                path: "/".into(),
                query: String::new(),
                headers: vec![
                    ("Content-Type".into(), "application/x-amz-json-1.0".into()),
                    ("X-Amz-Target".into(), format!("AmazonSQS.{}", self.action)),
                ],
                body: serde_json::to_vec(&self.body).unwrap_or_default(),
            },
            #[cfg(feature = "sns")]
            Service::Sns => HttpRequest {
                method: "POST".into(),
                path: "/".into(),
                query: String::new(),
                headers: vec![
                    ("Host".into(), format!("sns.{REGION}.amazonaws.com")),
                    ("Content-Type".into(), "application/x-www-form-urlencoded; charset=utf-8".into()),
                ],
                body: query_form(self.action, &self.body).into_bytes(),
            },
            #[cfg(feature = "s3")]
            Service::S3 => s3_http(self.action, &self.body),
            #[cfg(feature = "kinesis")]
            Service::Kinesis | Service::Firehose => HttpRequest {
                method: "POST".into(),
                path: "/".into(),
                query: String::new(),
                headers: vec![
                    ("Content-Type".into(), "application/x-amz-json-1.1".into()),
                    ("X-Amz-Target".into(), self.json_1_1_target().unwrap_or_default()),
                ],
                body: serde_json::to_vec(&self.body).unwrap_or_default(),
            },
        }
    }

    /// The request as it goes over the wire, for the log's "raw request" view.
    pub fn raw(&self) -> String {
        #[cfg(feature = "kinesis")]
        if let Some(target) = self.json_1_1_target() {
            let json = serde_json::to_string_pretty(&self.body).unwrap_or_default();
            return format!(
                "POST / HTTP/1.1\nContent-Type: application/x-amz-json-1.1\nX-Amz-Target: {target}\n\n{json}"
            );
        }
        #[cfg(feature = "s3")]
        if self.service != Service::Sqs {
            return self.raw_http();
        }
        let json = serde_json::to_string_pretty(&self.body).unwrap_or_default();
        format!(
            "POST / HTTP/1.1\nContent-Type: application/x-amz-json-1.0\nX-Amz-Target: AmazonSQS.{}\n\n{json}",
            self.action
        )
    }

    /// Another service's request as its HTTP text.
    #[cfg(feature = "s3")]
    fn raw_http(&self) -> String {
        let http = self.to_http();
        let mut out = http.method.clone();
        out.push(' ');
        out.push_str(&http.path);
        if !http.query.is_empty() {
            out.push('?');
            out.push_str(&http.query);
        }
        out.push_str(" HTTP/1.1\n");
        for (name, value) in &http.headers {
            out.push_str(name);
            out.push_str(": ");
            out.push_str(value);
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&String::from_utf8_lossy(&http.body));
        out
    }

    /// The same call as an AWS CLI v2 command, e.g.
    /// `aws sqs send-message --queue-url https://... --message-body 'hello'`.
    pub fn cli(&self) -> String {
        let mut out = format!("aws {} {}", self.service.name(), kebab(self.action));
        // A long PutRecords list goes in a file, as one would write it; the raw request has it.
        #[cfg(feature = "kinesis")]
        let mut note = String::new();
        if let Value::Object(map) = &self.body {
            for (name, value) in map {
                #[cfg(feature = "kinesis")]
                if let Some(list) = value
                    .as_array()
                    .filter(|l| matches!(self.service, Service::Kinesis | Service::Firehose) && l.len() > 3)
                {
                    out.push_str(&format!(" --{} file://{}.json", kebab(name), kebab(name)));
                    note = format!("  # {}.json: the {} entries in the raw request", kebab(name), list.len());
                    continue;
                }
                // The CLI reads an object's body from a file, not from an argument.
                #[cfg(feature = "s3")]
                if self.service == Service::S3 && name == "Body" {
                    let text = value.as_str().unwrap_or_default();
                    out = format!("printf '%s' {} > body.txt && {out} --body body.txt", shell_quote(text));
                    continue;
                }
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
        #[cfg(feature = "kinesis")]
        out.push_str(&note);
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

/// Percent-encodes for a form value or a URL path (`/` kept in paths).
#[cfg(feature = "s3")]
fn percent(text: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b'/' if keep_slash => out.push('/'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[usize::from(b >> 4)] as char);
                out.push(HEX[usize::from(b & 15)] as char);
            }
        }
    }
    out
}

/// A scalar member as the query protocol sends it.
#[cfg(feature = "sns")]
fn scalar(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The query protocol's form: `Action=Publish&Version=2010-03-31&TopicArn=...`.
/// A map of strings (`Attributes`) goes as `Name.entry.N.key` / `.value`; a
/// map of structures (`MessageAttributes`) as `Name.entry.N.Name` and
/// `Name.entry.N.Value.<member>`, exactly as the SDKs flatten them.
#[cfg(feature = "sns")]
fn query_form(action: &str, body: &Value) -> String {
    let mut pairs: Vec<(String, String)> =
        vec![("Action".into(), action.into()), ("Version".into(), "2010-03-31".into())];
    if let Value::Object(map) = body {
        for (name, value) in map {
            let Value::Object(entries) = value else {
                pairs.push((name.clone(), scalar(value)));
                continue;
            };
            for (i, (key, v)) in entries.iter().enumerate() {
                let prefix = format!("{name}.entry.{}", i + 1);
                match v {
                    Value::Object(fields) => {
                        pairs.push((format!("{prefix}.Name"), key.clone()));
                        for (field, fv) in fields {
                            pairs.push((format!("{prefix}.Value.{field}"), scalar(fv)));
                        }
                    }
                    other => {
                        pairs.push((format!("{prefix}.key"), key.clone()));
                        pairs.push((format!("{prefix}.value"), scalar(other)));
                    }
                }
            }
        }
    }
    pairs.iter().map(|(k, v)| format!("{}={}", percent(k, false), percent(v, false))).collect::<Vec<_>>().join("&")
}

/// Escapes text for an XML element.
#[cfg(feature = "s3")]
fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// A `NotificationConfiguration` (the CLI's JSON shape) as the XML S3 takes.
#[cfg(feature = "s3")]
fn notification_xml(config: &Value) -> String {
    let mut out = String::from(r#"<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">"#);
    for (list, element, arn) in
        [("QueueConfigurations", "QueueConfiguration", "Queue"), ("TopicConfigurations", "TopicConfiguration", "Topic")]
    {
        let arn_member = format!("{arn}Arn");
        for rule in config.get(list).and_then(Value::as_array).into_iter().flatten() {
            let text = |k: &str| rule.get(k).and_then(Value::as_str).unwrap_or_default();
            out.push_str(&format!("<{element}>"));
            if !text("Id").is_empty() {
                out.push_str(&format!("<Id>{}</Id>", xml_escape(text("Id"))));
            }
            out.push_str(&format!("<{arn}>{}</{arn}>", xml_escape(text(&arn_member))));
            for event in rule.get("Events").and_then(Value::as_array).into_iter().flatten() {
                out.push_str(&format!("<Event>{}</Event>", xml_escape(event.as_str().unwrap_or_default())));
            }
            let rules = rule.pointer("/Filter/Key/FilterRules").and_then(Value::as_array);
            if let Some(rules) = rules.filter(|r| !r.is_empty()) {
                out.push_str("<Filter><S3Key>");
                for r in rules {
                    let field = |k: &str| xml_escape(r.get(k).and_then(Value::as_str).unwrap_or_default());
                    out.push_str(&format!(
                        "<FilterRule><Name>{}</Name><Value>{}</Value></FilterRule>",
                        field("Name"),
                        field("Value")
                    ));
                }
                out.push_str("</S3Key></Filter>");
            }
            out.push_str(&format!("</{element}>"));
        }
    }
    out.push_str("</NotificationConfiguration>");
    out
}

/// An S3 REST request, path-style (`PUT /bucket/key`), unsigned; the
/// `x-amz-content-sha256` header the S3 clients always send tells the gateway it is S3's.
#[cfg(feature = "s3")]
fn s3_http(action: &str, body: &Value) -> HttpRequest {
    let member = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
    let bucket = percent(member("Bucket"), false);
    let object = format!("/{bucket}/{}", percent(member("Key"), true));
    let (method, path, query, payload, content_type) = match action {
        "CreateBucket" => ("PUT", format!("/{bucket}"), "", Vec::new(), None),
        "DeleteBucket" => ("DELETE", format!("/{bucket}"), "", Vec::new(), None),
        "ListObjectsV2" => ("GET", format!("/{bucket}"), "list-type=2", Vec::new(), None),
        "PutObject" => ("PUT", object, "", member("Body").as_bytes().to_vec(), Some("text/plain")),
        "DeleteObject" => ("DELETE", object, "", Vec::new(), None),
        "PutBucketNotificationConfiguration" => {
            let xml = notification_xml(body.get("NotificationConfiguration").unwrap_or(&Value::Null));
            ("PUT", format!("/{bucket}"), "notification", xml.into_bytes(), Some("application/xml"))
        }
        _ => ("GET", "/".into(), "", Vec::new(), None),
    };
    let mut headers = vec![
        ("Host".into(), format!("s3.{REGION}.amazonaws.com")),
        ("x-amz-content-sha256".into(), "UNSIGNED-PAYLOAD".into()),
    ];
    if let Some(ct) = content_type {
        headers.push(("Content-Type".into(), ct.into()));
    }
    HttpRequest { method: method.into(), path, query: query.into(), headers, body: payload }
}

/// The text of the first `<tag>…</tag>` in an XML answer, unescaped.
#[cfg(feature = "s3")]
fn xml_text(xml: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = start + xml[start..].find(&format!("</{tag}>"))?;
    let text = &xml[start..end];
    Some(
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&#xD;", "\r")
            .replace("&#xA;", "\n")
            .replace("&amp;", "&"),
    )
}

/// Members of XML answers the playground reports (ARNs, message ids, counts).
#[cfg(feature = "s3")]
const XML_MEMBERS: &[&str] = &["TopicArn", "SubscriptionArn", "MessageId", "SequenceNumber", "KeyCount"];

/// A resource policy that lets an AWS service principal (`sns.amazonaws.com`,
/// `s3.amazonaws.com`) perform `action` on `resource` for `source_arn`, added
/// to the policy the resource already has — what the AWS consoles write when
/// you subscribe a queue to a topic or point a bucket at a queue. An existing
/// statement with the same `Sid` is replaced; an unreadable policy is replaced.
#[cfg(feature = "sns")]
pub fn allow_service(existing: Option<&str>, service: &str, action: &str, resource: &str, source_arn: &str) -> String {
    let sid = format!("Allow-{}", source_arn.rsplit([':', '/']).next().unwrap_or_default());
    let statement = serde_json::json!({
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"Service": service},
        "Action": action,
        "Resource": resource,
        "Condition": {"ArnEquals": {"aws:SourceArn": source_arn}},
    });
    let mut policy: Value = existing
        .and_then(|p| serde_json::from_str::<Value>(p).ok())
        .filter(|p| p.get("Statement").is_some_and(Value::is_array))
        .unwrap_or_else(|| serde_json::json!({"Version": "2012-10-17", "Statement": []}));
    if let Some(statements) = policy.get_mut("Statement").and_then(Value::as_array_mut) {
        statements.retain(|s| s.get("Sid").and_then(Value::as_str) != Some(sid.as_str()));
        statements.push(statement);
    }
    policy.to_string()
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

/// A response read back: its JSON body (for SNS's and S3's XML answers, the
/// members in `XML_MEMBERS` it has), or AWS's error.
pub fn parse_response(response: &HttpResponse) -> Result<Value, AwsError> {
    #[cfg(feature = "s3")]
    if let Some(answer) = parse_xml_response(response) {
        return answer;
    }
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

/// An SNS or S3 answer (XML, or S3's empty body), read as [`parse_response`]
/// says; `None` for a JSON answer.
#[cfg(feature = "s3")]
fn parse_xml_response(response: &HttpResponse) -> Option<Result<Value, AwsError>> {
    // SNS answers in XML; S3 too, or with an empty body (its request-id header tells it apart).
    let xml_service = response.header("x-amz-request-id").is_some();
    if !xml_service && !response.header("content-type").is_some_and(|ct| ct.contains("xml")) {
        return None;
    }
    let xml = String::from_utf8_lossy(&response.body);
    if response.status >= 300 {
        let code = xml_text(&xml, "Code").unwrap_or_else(|| "InternalError".into());
        return Some(Err(AwsError { code, message: xml_text(&xml, "Message").unwrap_or_default() }));
    }
    let mut map = Map::new();
    for member in XML_MEMBERS {
        if let Some(text) = xml_text(&xml, member) {
            map.insert((*member).into(), Value::from(text));
        }
    }
    if let Some(etag) = response.header("etag") {
        map.insert("ETag".into(), Value::from(etag));
    }
    Some(Ok(Value::Object(map)))
}

/// The first entry a batch call refused, as an error (`Failed[0]`'s code and message).
/// For Kinesis's PutRecords and Firehose's PutRecordBatch, the first record
/// with an `ErrorCode`, its message prefixed with how many of the batch failed.
pub fn first_batch_failure(body: &Value) -> Option<AwsError> {
    #[cfg(feature = "kinesis")]
    if let Some(count) = body.get("FailedPutCount").and_then(Value::as_u64).filter(|n| *n > 0) {
        let records = body.get("RequestResponses").and_then(Value::as_array)?;
        let failed = records.iter().find(|r| r.get("ErrorCode").is_some())?;
        let text = |k: &str| failed.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let message = format!("{count} of {} records failed, the first with: {}", records.len(), text("ErrorMessage"));
        return Some(AwsError { code: text("ErrorCode"), message });
    }
    #[cfg(feature = "kinesis")]
    if let Some(count) = body.get("FailedRecordCount").and_then(Value::as_u64).filter(|n| *n > 0) {
        let records = body.get("Records").and_then(Value::as_array)?;
        let failed = records.iter().find(|r| r.get("ErrorCode").is_some())?;
        let text = |k: &str| failed.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
        let message = format!("{count} of {} records failed, the first with: {}", records.len(), text("ErrorMessage"));
        return Some(AwsError { code: text("ErrorCode"), message });
    }
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

    #[cfg(feature = "kinesis")]
    #[test]
    fn kinesis_requests_are_json_1_1_with_base64_data_on_the_cli() {
        let req = ApiRequest::kinesis(
            "PutRecord",
            [
                ("StreamName", json!("clicks")),
                ("PartitionKey", json!("user 1")),
                ("Data", json!("aGk=")),
                ("ExplicitHashKey", Value::Null),
            ],
        );
        let http = req.to_http();
        assert_eq!(http.header("x-amz-target"), Some("Kinesis_20131202.PutRecord"));
        assert_eq!(http.header("content-type"), Some("application/x-amz-json-1.1"));
        assert_eq!(http.body, br#"{"Data":"aGk=","PartitionKey":"user 1","StreamName":"clicks"}"#);
        assert_eq!(req.cli(), "aws kinesis put-record --data aGk= --partition-key 'user 1' --stream-name clicks");
        assert!(req.raw().starts_with("POST / HTTP/1.1\nContent-Type: application/x-amz-json-1.1\n"));
        assert!(req.raw().contains("X-Amz-Target: Kinesis_20131202.PutRecord"));
        let batch = ApiRequest::kinesis(
            "PutRecords",
            [("StreamName", json!("s")), ("Records", json!([{"Data": "eA==", "PartitionKey": "k"}]))],
        );
        assert_eq!(
            batch.cli(),
            r#"aws kinesis put-records --records '[{"Data":"eA==","PartitionKey":"k"}]' --stream-name s"#
        );
        let many = crate::components::streams::put_batches("s", 4, None, "", None);
        assert_eq!(
            many[0].cli(),
            "aws kinesis put-records --records file://records.json --stream-name s  \
             # records.json: the 4 entries in the raw request"
        );
        let create = ApiRequest::kinesis("CreateStream", [("StreamName", json!("s")), ("ShardCount", json!(2))]);
        assert_eq!(create.cli(), "aws kinesis create-stream --shard-count 2 --stream-name s");
        assert_eq!(Service::parse("kinesis"), Some(Service::Kinesis));
        assert_eq!(Service::Kinesis.action("SplitShard"), Some("SplitShard"));
    }

    #[cfg(feature = "kinesis")]
    #[test]
    fn kinesis_errors_and_failed_records_read_back() {
        let response = HttpResponse {
            status: 400,
            headers: vec![("Content-Type".into(), "application/x-amz-json-1.1".into())],
            body:
                br#"{"__type":"ResourceNotFoundException","message":"Stream s under account 000000000000 not found."}"#
                    .to_vec(),
        };
        let e = parse_response(&response).unwrap_err();
        assert_eq!(e.code, "ResourceNotFoundException");
        assert!(e.message.contains("not found"));
        let body = json!({"FailedRecordCount": 1, "Records": [
            {"SequenceNumber": "1", "ShardId": "shardId-000000000000"},
            {"ErrorCode": "ProvisionedThroughputExceededException", "ErrorMessage": "Rate exceeded for shard"}
        ]});
        let e = first_batch_failure(&body).unwrap();
        assert_eq!(e.code, "ProvisionedThroughputExceededException");
        assert_eq!(e.message, "1 of 2 records failed, the first with: Rate exceeded for shard");
        assert_eq!(first_batch_failure(&json!({"FailedRecordCount": 0, "Records": []})), None);
    }
}
