//! Which AWS service and protocol a request speaks.
//!
//! AWS tells services apart in three ways, tried in this order:
//! 1. the `X-Amz-Target` header of the JSON protocols (`AmazonSQS.SendMessage`,
//!    `Kinesis_20131202.PutRecord`, `Firehose_20150804.PutRecordBatch`);
//! 2. for the query protocol (form body or query string with `Action=`), the
//!    service in the SigV4 credential scope of the `Authorization` header
//!    (`Credential=AKID/20260101/us-east-1/sns/aws4_request`), or, unsigned,
//!    whether the action is one only SNS has;
//! 3. S3's REST protocol names no operation in the request at all, so an S3
//!    request is told by its signature: the credential scope's service `s3`,
//!    or, unsigned, the `x-amz-content-sha256` header only S3 clients send
//!    or an `s3.` endpoint host. This is checked before the query `Action`,
//!    so an S3 key or parameter that happens to say `Action=` stays S3's;
//! 4. otherwise nothing: the request is answered as an unknown operation.
//!
//! Adding a service means adding a variant here and a module next to
//! `sqs_json`; nothing else reshapes.

use crate::HttpRequest;

/// The services Decouple knows by name. SQS, SNS and S3 answer; the others are
/// recognised so that they get AWS's unknown-operation error in their own protocol.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Service {
    Sqs,
    Sns,
    S3,
    Kinesis,
    Firehose,
}

/// AWS's wire protocols.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    /// `application/x-amz-json-1.0` (SQS).
    AwsJson1_0,
    /// `application/x-amz-json-1.1` (Kinesis, Firehose).
    AwsJson1_1,
    /// Form-encoded `Action=...` in, XML out (SNS; SQS's legacy protocol).
    AwsQuery,
    /// S3's REST protocol: the operation in method, path and query; XML bodies.
    RestXml,
}

impl Protocol {
    pub fn content_type(self) -> &'static str {
        match self {
            Protocol::AwsJson1_0 => "application/x-amz-json-1.0",
            Protocol::AwsJson1_1 => "application/x-amz-json-1.1",
            Protocol::AwsQuery => "text/xml",
            Protocol::RestXml => "application/xml",
        }
    }
}

/// Where a request goes: service (if recognised), protocol, and operation name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route<'r> {
    pub service: Option<Service>,
    pub protocol: Protocol,
    /// `SendMessage`, `Publish`, ...; empty when the request names none.
    pub operation: &'r str,
}

/// The JSON target prefixes, with the service and protocol each stands for.
const TARGETS: &[(&str, Service, Protocol)] = &[
    ("AmazonSQS", Service::Sqs, Protocol::AwsJson1_0),
    ("Kinesis_20131202", Service::Kinesis, Protocol::AwsJson1_1),
    ("Firehose_20150804", Service::Firehose, Protocol::AwsJson1_1),
];

/// Actions only SNS has, to recognise unsigned query requests (SQS shares
/// AddPermission and RemovePermission, so those need a signature to route).
pub(crate) const SNS_ONLY_ACTIONS: &[&str] = &[
    "ConfirmSubscription",
    "CreatePlatformApplication",
    "CreatePlatformEndpoint",
    "CreateTopic",
    "DeleteEndpoint",
    "DeletePlatformApplication",
    "DeleteTopic",
    "GetEndpointAttributes",
    "GetPlatformApplicationAttributes",
    "GetSubscriptionAttributes",
    "GetTopicAttributes",
    "ListEndpointsByPlatformApplication",
    "ListPlatformApplications",
    "ListSubscriptions",
    "ListSubscriptionsByTopic",
    "ListTagsForResource",
    "ListTopics",
    "Publish",
    "PublishBatch",
    "SetEndpointAttributes",
    "SetPlatformApplicationAttributes",
    "SetSubscriptionAttributes",
    "SetTopicAttributes",
    "Subscribe",
    "TagResource",
    "UntagResource",
    "Unsubscribe",
];

pub fn route(req: &HttpRequest) -> Route<'_> {
    if let Some(target) = req.header("x-amz-target") {
        let (prefix, operation) = target.split_once('.').unwrap_or((target, ""));
        return match TARGETS.iter().find(|(p, _, _)| *p == prefix) {
            Some(&(_, service, protocol)) => Route { service: Some(service), protocol, operation },
            None => Route { service: None, protocol: json_protocol_of(req), operation },
        };
    }
    if is_s3(req) {
        return Route { service: Some(Service::S3), protocol: Protocol::RestXml, operation: "" };
    }
    if let Some(action) = query_action(req) {
        let service = match credential_scope_service(req) {
            Some("sqs") => Some(Service::Sqs),
            Some("sns") => Some(Service::Sns),
            Some("kinesis") => Some(Service::Kinesis),
            Some("firehose") => Some(Service::Firehose),
            Some(_) => None,
            None => SNS_ONLY_ACTIONS.contains(&action).then_some(Service::Sns),
        };
        return Route { service, protocol: Protocol::AwsQuery, operation: action };
    }
    // SNS speaks only the query protocol, so a request signed for SNS that
    // names no action is still answered in SNS's XML.
    if credential_scope_service(req) == Some("sns") {
        return Route { service: Some(Service::Sns), protocol: Protocol::AwsQuery, operation: "" };
    }
    // No target and no action: AWS answers an unknown operation in JSON.
    Route { service: None, protocol: json_protocol_of(req), operation: "" }
}

/// Whether a request without an `X-Amz-Target` is for S3 (see the module docs).
fn is_s3(req: &HttpRequest) -> bool {
    match credential_scope_service(req) {
        Some(service) => service == "s3",
        None => {
            req.header("x-amz-content-sha256").is_some()
                || req.header("host").is_some_and(|host| {
                    let host = host.trim().to_ascii_lowercase();
                    host.starts_with("s3.") || host.starts_with("s3-") || host.contains(".s3.") || host.contains(".s3-")
                })
        }
    }
}

/// JSON 1.1 if the client said so, else 1.0.
fn json_protocol_of(req: &HttpRequest) -> Protocol {
    match req.header("content-type") {
        Some(ct) if ct.contains("x-amz-json-1.1") => Protocol::AwsJson1_1,
        _ => Protocol::AwsJson1_0,
    }
}

/// The service named in a SigV4 `Authorization` header's credential scope.
pub fn credential_scope_service(req: &HttpRequest) -> Option<&str> {
    let auth = req.header("authorization")?;
    let credential = auth.split([' ', ',']).find_map(|part| part.strip_prefix("Credential="))?;
    // AKID/date/region/service/aws4_request
    credential.split('/').nth(3).filter(|s| !s.is_empty())
}

/// The `Action` of a query-protocol request: from a form body, else from the
/// query string. Returns `None` when the request has no `Action` at all.
fn query_action(req: &HttpRequest) -> Option<&str> {
    let form = req
        .header("content-type")
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"))
        .then(|| core::str::from_utf8(&req.body).ok())
        .flatten();
    form.and_then(find_action).or_else(|| find_action(&req.query))
}

/// `Action=Name` in an urlencoded string. Action names are plain ASCII
/// letters, so a value that needs decoding is not a valid action anyway and
/// is returned as it stands (to be reported as unknown).
fn find_action(form: &str) -> Option<&str> {
    form.split('&').find_map(|pair| pair.strip_prefix("Action="))
}
