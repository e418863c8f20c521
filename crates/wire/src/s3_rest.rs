//! Amazon S3 over its REST protocol (`restXml`), for the actions the engine simulates.
//!
//! S3 names its operations by method, path and query rather than by a target
//! or an `Action`: `PUT /bucket` creates a bucket, `PUT /bucket/key` stores an
//! object, `GET /bucket?list-type=2` lists, `PUT /bucket?notification` sets the
//! notification configuration. The bucket comes from the path (path style,
//! `forcePathStyle: true`) or from the `Host` header (virtual-hosted style,
//! `bucket.s3.eu-west-1.amazonaws.com`); keys are percent-decoded from the path.
//!
//! Answers are XML with S3's namespace; errors are S3's bare `<Error>` document
//! (no `ErrorResponse` wrapper, unlike the query protocol) with the member S3
//! adds for each code (`BucketName`, `Key`, `ArgumentName`/`ArgumentValue`),
//! and no body at all for `HEAD`. Request ids are S3-shaped (`x-amz-request-id`,
//! 16 hex digits, and `x-amz-id-2`).
//!
//! Object bodies arrive as the SDKs send them: plain, or in `aws-chunked`
//! framing with a trailing checksum (what the JS SDK v3 sends for a stream
//! body). CRC32 checksums, in a header or a trailer, are verified as S3
//! verifies them. Anything S3 has but Decouple does not simulate (ACLs,
//! versioning, multipart uploads, copies, ...) gets `NotImplemented`; a method
//! a resource does not take gets `MethodNotAllowed`.

use alloc::borrow::ToOwned;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use decouple_engine::s3::*;
use decouple_engine::{Engine, SimTime};

use crate::query::escape_into;
use crate::xml::{self, Element};
use crate::{HttpRequest, HttpResponse};

const NAMESPACE: &str = "http://s3.amazonaws.com/doc/2006-03-01/";
const XML_DECLARATION: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Query parameters that name a subresource (S3's API reference). Any of them
/// other than `notification` and `location` selects an operation Decouple does
/// not simulate.
const SUBRESOURCES: &[&str] = &[
    "accelerate",
    "acl",
    "analytics",
    "attributes",
    "cors",
    "delete",
    "encryption",
    "intelligent-tiering",
    "inventory",
    "legal-hold",
    "lifecycle",
    "location",
    "logging",
    "metadataConfiguration",
    "metadataTable",
    "metrics",
    "notification",
    "object-lock",
    "ownershipControls",
    "partNumber",
    "policy",
    "policyStatus",
    "publicAccessBlock",
    "renameObject",
    "replication",
    "requestPayment",
    "restore",
    "retention",
    "select",
    "session",
    "tagging",
    "torrent",
    "uploadId",
    "uploads",
    "versionId",
    "versioning",
    "versions",
    "website",
];

/// The operations this module answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    ListBuckets,
    CreateBucket,
    DeleteBucket,
    HeadBucket,
    GetBucketLocation,
    ListObjects,
    ListObjectsV2,
    PutBucketNotificationConfiguration,
    GetBucketNotificationConfiguration,
    PutObject,
    GetObject,
    HeadObject,
    DeleteObject,
}

/// An S3 error before it is written out: code, status, message, and the
/// extra members S3 puts next to them.
struct Fault {
    status: u16,
    code: &'static str,
    message: String,
    extra: Vec<(&'static str, String)>,
}

impl Fault {
    fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Fault { status, code, message: message.into(), extra: Vec::new() }
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.extra.push((name, value.into()));
        self
    }

    fn malformed_xml() -> Self {
        Fault::new(
            400,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema",
        )
    }

    fn invalid_argument(message: &str, name: &str, value: &str) -> Self {
        Fault::new(400, "InvalidArgument", message).with("ArgumentName", name).with("ArgumentValue", value)
    }

    fn not_implemented(what: &str) -> Self {
        Fault::new(501, "NotImplemented", format!("Decouple does not simulate {what} yet."))
    }
}

type Result<T> = core::result::Result<T, Fault>;

/// Where a request points: the bucket and key, each percent-decoded.
#[derive(Debug, Default)]
struct Target {
    bucket: Option<String>,
    key: Option<String>,
}

/// The decoded query parameters, in order; a parameter without `=` has no value.
struct Query(Vec<(String, Option<String>)>);

impl Query {
    fn parse(raw: &str) -> Query {
        Query(
            raw.split('&')
                .filter(|p| !p.is_empty())
                .map(|pair| match pair.split_once('=') {
                    Some((k, v)) => (percent_decode(k, true), Some(percent_decode(v, true))),
                    None => (percent_decode(pair, true), None),
                })
                .collect(),
        )
    }

    fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_deref().unwrap_or_default())
    }

    /// The first subresource the query names other than those in `allowed`.
    fn other_subresource(&self, allowed: &[&str]) -> Option<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).find(|k| SUBRESOURCES.contains(k) && !allowed.contains(k))
    }
}

/// Percent-decoding. In a path `+` is itself; in a query it is a space.
/// Bytes that are not UTF-8 become U+FFFD (S3's keys are UTF-8).
fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                if let (Some(h), Some(l)) =
                    (bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex))
                {
                    out.push(h << 4 | l);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// S3's `encoding-type=url`: keys and prefixes in list answers encoded as in event records.
fn url_encode(text: &str) -> String {
    decouple_engine::s3::url_encode_key(text)
}

/// The bucket of a virtual-hosted-style request: the part of the host before
/// `.s3.` or `.s3-` of an `amazonaws.com` name.
fn virtual_host_bucket(req: &HttpRequest) -> Option<String> {
    let host = req.header("host")?.trim();
    let host = host.rsplit_once(':').filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit())).map_or(host, |h| h.0);
    let host = host.to_ascii_lowercase();
    let host = host.strip_suffix(".amazonaws.com").or_else(|| host.strip_suffix(".amazonaws.com.cn"))?;
    let at = host.rfind(".s3.").into_iter().chain(host.rfind(".s3-")).max().or_else(|| {
        // `bucket.s3` (the global endpoint, `bucket.s3.amazonaws.com`).
        host.strip_suffix(".s3").map(|b| b.len())
    })?;
    (at > 0).then(|| host[..at].to_string())
}

fn target(req: &HttpRequest) -> Target {
    let path = req.path.strip_prefix('/').unwrap_or(&req.path);
    if let Some(bucket) = virtual_host_bucket(req) {
        let key = (!path.is_empty()).then(|| percent_decode(path, false));
        return Target { bucket: Some(bucket), key };
    }
    if path.is_empty() {
        return Target::default();
    }
    let (bucket, key) = path.split_once('/').unwrap_or((path, ""));
    Target { bucket: Some(percent_decode(bucket, false)), key: (!key.is_empty()).then(|| percent_decode(key, false)) }
}

/// Picks the operation from the method, the target and the query.
fn operation(req: &HttpRequest, target: &Target, query: &Query) -> Result<Op> {
    let not_allowed = |resource: &str| {
        Fault::new(405, "MethodNotAllowed", "The specified method is not allowed against this resource.")
            .with("Method", req.method.as_str())
            .with("ResourceType", resource)
    };
    let unsupported = |sub: &str| Fault::not_implemented(&format!("the S3 operation {} ?{sub}", req.method));
    let method = req.method.as_str();
    if target.bucket.is_none() {
        return match method {
            "GET" => Ok(Op::ListBuckets),
            _ => Err(not_allowed("SERVICE")),
        };
    }
    if target.key.is_none() {
        let allowed: &[&str] = match method {
            "GET" => &["notification", "location"],
            "PUT" => &["notification"],
            _ => &[],
        };
        if let Some(sub) = query.other_subresource(allowed) {
            return Err(unsupported(sub));
        }
        return match method {
            "PUT" if query.has("notification") => Ok(Op::PutBucketNotificationConfiguration),
            "PUT" => Ok(Op::CreateBucket),
            "GET" if query.has("notification") => Ok(Op::GetBucketNotificationConfiguration),
            "GET" if query.has("location") => Ok(Op::GetBucketLocation),
            "GET" if query.get("list-type") == Some("2") => Ok(Op::ListObjectsV2),
            "GET" => Ok(Op::ListObjects),
            "DELETE" => Ok(Op::DeleteBucket),
            "HEAD" => Ok(Op::HeadBucket),
            "POST" => Err(Fault::not_implemented("browser-based uploads (POST Object)")),
            _ => Err(not_allowed("BUCKET")),
        };
    }
    if let Some(sub) = query.other_subresource(&[]) {
        return Err(unsupported(sub));
    }
    match method {
        "PUT" if req.header("x-amz-copy-source").is_some() => Err(Fault::not_implemented("CopyObject")),
        "PUT" => Ok(Op::PutObject),
        "GET" => Ok(Op::GetObject),
        "HEAD" => Ok(Op::HeadObject),
        "DELETE" => Ok(Op::DeleteObject),
        _ => Err(not_allowed("OBJECT")),
    }
}

/// S3's two ids for a request, derived from the gateway's request id so that
/// they are as reproducible: 16 upper-case hex digits, and a base64 host id.
fn ids(request_id: &str) -> (String, String) {
    let hex: String = request_id.chars().filter(char::is_ascii_hexdigit).take(16).collect();
    (hex.to_ascii_uppercase(), STANDARD.encode(request_id.as_bytes()))
}

pub(crate) fn handle(engine: &mut Engine, req: &HttpRequest, request_id: &str) -> HttpResponse {
    let (request_id, host_id) = ids(request_id);
    let target = target(req);
    let query = Query::parse(&req.query);
    let head = req.method == "HEAD";
    let answer = operation(req, &target, &query).and_then(|op| {
        let bucket = target.bucket.clone().unwrap_or_default();
        let key = target.key.clone().unwrap_or_default();
        run(engine, req, op, bucket, key, &query)
    });
    let mut response = match answer {
        Ok(response) => response,
        Err(fault) => error_response(fault, &target, &request_id, &host_id),
    };
    if head {
        response.body.clear();
    }
    response.headers.insert(0, ("x-amz-request-id".into(), request_id));
    response.headers.insert(1, ("x-amz-id-2".into(), host_id));
    response
}

fn run(
    engine: &mut Engine,
    req: &HttpRequest,
    op: Op,
    bucket: String,
    key: String,
    query: &Query,
) -> Result<HttpResponse> {
    match op {
        Op::ListBuckets => Ok(list_buckets(engine)),
        Op::CreateBucket => create_bucket(engine, req, bucket),
        Op::DeleteBucket => {
            engine.s3().delete_bucket(DeleteBucket { bucket }).map_err(engine_fault)?;
            Ok(empty(204))
        }
        Op::HeadBucket => {
            if engine.s3_state().bucket(&bucket).is_none() {
                return Err(engine_fault(no_such_bucket()));
            }
            let mut response = empty(200);
            response.headers.push(("x-amz-bucket-region".into(), engine.config().region.clone()));
            Ok(response)
        }
        Op::GetBucketLocation => {
            if engine.s3_state().bucket(&bucket).is_none() {
                return Err(engine_fault(no_such_bucket()));
            }
            // us-east-1 is the empty location constraint, for history's sake.
            let region = engine.config().region.clone();
            let mut x = Doc::new("LocationConstraint");
            x.text(if region == "us-east-1" { "" } else { &region });
            Ok(x.finish("LocationConstraint"))
        }
        Op::ListObjects => list_objects(engine, bucket, query, false),
        Op::ListObjectsV2 => list_objects(engine, bucket, query, true),
        Op::PutBucketNotificationConfiguration => {
            let configuration = notification_configuration(&req.body)?;
            engine
                .s3()
                .put_bucket_notification_configuration(PutBucketNotificationConfiguration { bucket, configuration })
                .map_err(engine_fault)?;
            Ok(empty(200))
        }
        Op::GetBucketNotificationConfiguration => {
            let configuration = engine
                .s3()
                .get_bucket_notification_configuration(GetBucketNotificationConfiguration { bucket })
                .map_err(engine_fault)?;
            Ok(write_notification_configuration(&configuration))
        }
        Op::PutObject => put_object(engine, req, bucket, key),
        Op::GetObject | Op::HeadObject => {
            let object = engine.s3().get_object(GetObject { bucket, key }).map_err(engine_fault)?;
            // HEAD answers the same headers, Content-Length included; `handle` drops the body.
            let mut response = empty(200);
            response.headers.clear();
            response.headers.extend([
                ("Last-Modified".into(), http_date(object.last_modified)),
                ("ETag".into(), object.etag),
                ("x-amz-server-side-encryption".into(), "AES256".into()),
                ("Accept-Ranges".into(), "bytes".into()),
                ("Content-Type".into(), object.content_type),
                ("Content-Length".into(), object.body.len().to_string()),
            ]);
            response.body = object.body;
            Ok(response)
        }
        Op::DeleteObject => {
            engine.s3().delete_object(DeleteObject { bucket, key }).map_err(engine_fault)?;
            Ok(empty(204))
        }
    }
}

fn no_such_bucket() -> S3Error {
    S3Error {
        code: S3ErrorCode::NoSuchBucket,
        message: "The specified bucket does not exist".into(),
        argument_name: None,
    }
}

/// An engine error as S3 writes it. The members naming the bucket or key are
/// added in [`error_response`], which knows the target.
fn engine_fault(e: S3Error) -> Fault {
    let code = e.code.code();
    let mut fault = Fault::new(e.code.http_status(), code, e.message.clone());
    if let Some(name) = e.argument_name {
        if e.message.starts_with("Unable to validate the following destination configurations") {
            // S3 numbers the destinations it could not validate.
            fault = fault.with("ArgumentName1", name);
        } else {
            fault = fault.with("ArgumentName", name).with("ArgumentValue", "null");
        }
    }
    fault
}

fn error_response(mut fault: Fault, target: &Target, request_id: &str, host_id: &str) -> HttpResponse {
    match fault.code {
        "NoSuchBucket" | "BucketNotEmpty" | "BucketAlreadyOwnedByYou" | "InvalidBucketName" => {
            fault.extra.push(("BucketName", target.bucket.clone().unwrap_or_default()));
        }
        "NoSuchKey" => fault.extra.push(("Key", target.key.clone().unwrap_or_default())),
        _ => {}
    }
    let mut body = String::from(XML_DECLARATION);
    body.push_str("<Error><Code>");
    body.push_str(fault.code);
    body.push_str("</Code><Message>");
    escape_into(&mut body, &fault.message);
    body.push_str("</Message>");
    for (name, value) in &fault.extra {
        body.push_str(&format!("<{name}>"));
        escape_into(&mut body, value);
        body.push_str(&format!("</{name}>"));
    }
    body.push_str(&format!("<RequestId>{request_id}</RequestId><HostId>"));
    escape_into(&mut body, host_id);
    body.push_str("</HostId></Error>");
    xml_response(fault.status, body)
}

// ---------------------------------------------------------------- responses

fn empty(status: u16) -> HttpResponse {
    HttpResponse { status, headers: vec![("Content-Length".into(), "0".into())], body: Vec::new() }
}

fn xml_response(status: u16, body: String) -> HttpResponse {
    let body = body.into_bytes();
    HttpResponse {
        status,
        headers: vec![
            ("Content-Type".into(), "application/xml".into()),
            ("Content-Length".into(), body.len().to_string()),
        ],
        body,
    }
}

/// An XML answer under one root element in S3's namespace.
struct Doc(String);

impl Doc {
    fn new(root: &str) -> Doc {
        Doc(format!("{XML_DECLARATION}<{root} xmlns=\"{NAMESPACE}\">"))
    }

    fn open(&mut self, tag: &str) -> &mut Self {
        self.0.push_str(&format!("<{tag}>"));
        self
    }

    fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str(&format!("</{tag}>"));
        self
    }

    fn text(&mut self, text: &str) -> &mut Self {
        escape_into(&mut self.0, text);
        self
    }

    fn leaf(&mut self, tag: &str, text: &str) -> &mut Self {
        self.open(tag).text(text).close(tag)
    }

    fn opt_leaf(&mut self, tag: &str, text: Option<&str>) -> &mut Self {
        if let Some(text) = text {
            self.leaf(tag, text);
        }
        self
    }

    fn finish(mut self, root: &str) -> HttpResponse {
        self.close(root);
        xml_response(200, self.0)
    }
}

/// RFC 7231's IMF-fixdate (`Thu, 01 Jan 2026 00:00:00 GMT`), as S3 writes `Last-Modified`.
fn http_date(ms: u64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    // The ISO form is the engine's; its fields are fixed-width.
    let iso = SimTime::from_millis(ms).to_iso8601();
    let field = |range: core::ops::Range<usize>| iso.get(range).unwrap_or("00").to_owned();
    let month = field(5..7).parse::<usize>().unwrap_or(1).clamp(1, 12);
    let weekday = DAYS[((ms / 86_400_000) % 7) as usize];
    format!(
        "{weekday}, {} {} {} {}:{}:{} GMT",
        field(8..10),
        MONTHS[month - 1],
        field(0..4),
        field(11..13),
        field(14..16),
        field(17..19)
    )
}

fn iso(ms: u64) -> String {
    SimTime::from_millis(ms).to_iso8601()
}

// ---------------------------------------------------------------- buckets

fn list_buckets(engine: &Engine) -> HttpResponse {
    let region = engine.config().region.clone();
    let mut x = Doc::new("ListAllMyBucketsResult");
    x.open("Buckets");
    for bucket in engine.s3_state().buckets() {
        x.open("Bucket")
            .leaf("Name", &bucket.name)
            .leaf("CreationDate", &bucket.created_at.to_iso8601())
            .leaf("BucketRegion", &region)
            .close("Bucket");
    }
    x.close("Buckets");
    x.finish("ListAllMyBucketsResult")
}

/// CreateBucket, with S3's rules for the `LocationConstraint` of the optional
/// `CreateBucketConfiguration` body: outside us-east-1 it must name the
/// endpoint's region; in us-east-1 it must be absent.
fn create_bucket(engine: &mut Engine, req: &HttpRequest, bucket: String) -> Result<HttpResponse> {
    let constraint = if req.body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        let root = xml::parse(&req.body).map_err(|_| Fault::malformed_xml())?;
        if root.name != "CreateBucketConfiguration" {
            return Err(Fault::malformed_xml());
        }
        root.child_text("LocationConstraint").filter(|c| !c.is_empty()).map(String::from)
    };
    let region = engine.config().region.clone();
    match (constraint.as_deref(), region.as_str()) {
        (None, "us-east-1") => {}
        (Some(c), "us-east-1") => {
            let fault = Fault::new(400, "InvalidLocationConstraint", "The specified location-constraint is not valid");
            return Err(fault.with("LocationConstraint", c));
        }
        (None, _) => {
            return Err(Fault::new(
                400,
                "IllegalLocationConstraintException",
                "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.",
            ));
        }
        (Some(c), r) if c != r => {
            return Err(Fault::new(
                400,
                "IllegalLocationConstraintException",
                format!("The {c} location constraint is incompatible for the region specific endpoint this request was sent to."),
            ));
        }
        _ => {}
    }
    engine.s3().create_bucket(CreateBucket { bucket: bucket.clone() }).map_err(engine_fault)?;
    let mut response = empty(200);
    response.headers.push(("Location".into(), format!("/{bucket}")));
    Ok(response)
}

/// ListObjects (v1, `marker`) and ListObjectsV2 (`continuation-token`, `start-after`).
fn list_objects(engine: &mut Engine, bucket: String, query: &Query, v2: bool) -> Result<HttpResponse> {
    let url = match query.get("encoding-type") {
        None => false,
        Some("url") => true,
        Some(other) => {
            return Err(Fault::invalid_argument("Invalid Encoding Method specified in Request", "encoding-type", other))
        }
    };
    let max_keys = match query.get("max-keys") {
        None => None,
        Some(text) => Some(text.parse::<i64>().map_err(|_| {
            Fault::invalid_argument("Provided max-keys not an integer or within integer range", "max-keys", text)
        })?),
    };
    let owned = |name: &str| query.get(name).map(String::from);
    let request = ListObjectsV2 {
        bucket: bucket.clone(),
        prefix: owned("prefix"),
        delimiter: owned("delimiter"),
        max_keys,
        continuation_token: if v2 { owned("continuation-token") } else { None },
        start_after: if v2 { owned("start-after") } else { owned("marker") },
    };
    let result = engine.s3().list_objects_v2(request).map_err(|e| {
        let value = match e.argument_name.as_deref() {
            Some("maxKeys") => query.get("max-keys"),
            Some("continuation-token") => query.get("continuation-token"),
            _ => None,
        };
        let mut fault = engine_fault(e);
        if let Some(value) = value {
            fault.extra.retain(|(name, _)| *name != "ArgumentValue");
            fault.extra.push(("ArgumentValue", value.into()));
        }
        fault
    })?;
    let enc = |text: &str| if url { url_encode(text) } else { text.to_string() };
    let mut x = Doc::new("ListBucketResult");
    x.leaf("Name", &bucket).leaf("Prefix", &enc(query.get("prefix").unwrap_or_default()));
    if v2 {
        x.opt_leaf("ContinuationToken", query.get("continuation-token"))
            .opt_leaf("NextContinuationToken", result.next_continuation_token.as_deref())
            .leaf("KeyCount", &result.key_count.to_string());
        if let Some(after) = query.get("start-after") {
            x.leaf("StartAfter", &enc(after));
        }
    } else {
        x.leaf("Marker", &enc(query.get("marker").unwrap_or_default()));
        // S3 gives NextMarker only with a delimiter (without one, the last key is the marker).
        if result.is_truncated && query.get("delimiter").is_some() {
            let last_key = result.contents.last().map(|o| o.key.as_str());
            let last_prefix = result.common_prefixes.last().map(String::as_str);
            if let Some(next) = last_key.max(last_prefix) {
                x.leaf("NextMarker", &enc(next));
            }
        }
    }
    x.leaf("MaxKeys", &result.max_keys.to_string());
    if let Some(delimiter) = query.get("delimiter") {
        x.leaf("Delimiter", &enc(delimiter));
    }
    if url {
        x.leaf("EncodingType", "url");
    }
    x.leaf("IsTruncated", if result.is_truncated { "true" } else { "false" });
    for object in &result.contents {
        x.open("Contents")
            .leaf("Key", &enc(&object.key))
            .leaf("LastModified", &iso(object.last_modified))
            .leaf("ETag", &object.etag)
            .leaf("Size", &object.size.to_string())
            .leaf("StorageClass", "STANDARD")
            .close("Contents");
    }
    for prefix in &result.common_prefixes {
        x.open("CommonPrefixes").leaf("Prefix", &enc(prefix)).close("CommonPrefixes");
    }
    Ok(x.finish("ListBucketResult"))
}

// ---------------------------------------------------------------- objects

fn put_object(engine: &mut Engine, req: &HttpRequest, bucket: String, key: String) -> Result<HttpResponse> {
    let chunked = req
        .header("content-encoding")
        .is_some_and(|ce| ce.split(',').any(|c| c.trim().eq_ignore_ascii_case("aws-chunked")))
        || req.header("x-amz-content-sha256").is_some_and(|h| h.starts_with("STREAMING-"));
    let (body, trailers) = if chunked {
        decode_aws_chunked(&req.body)
            .ok_or_else(|| Fault::new(400, "IncompleteBody", "The request body terminated unexpectedly"))?
    } else {
        (req.body.clone(), Vec::new())
    };
    let claimed = trailers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("x-amz-checksum-crc32"))
        .map(|(_, value)| value.as_str())
        .or_else(|| req.header("x-amz-checksum-crc32"))
        .map(str::trim);
    let crc = STANDARD.encode(crc32(&body).to_be_bytes());
    if let Some(claimed) = claimed {
        if claimed != crc {
            return Err(Fault::new(400, "BadDigest", "The CRC32 you specified did not match the calculated checksum."));
        }
    }
    let content_type = req.header("content-type").map(String::from);
    let result = engine.s3().put_object(PutObject { bucket, key, body, content_type }).map_err(engine_fault)?;
    let mut response = empty(200);
    response.headers.push(("ETag".into(), result.etag));
    response.headers.push(("x-amz-server-side-encryption".into(), "AES256".into()));
    if claimed.is_some() {
        response.headers.push(("x-amz-checksum-crc32".into(), crc));
        response.headers.push(("x-amz-checksum-type".into(), "FULL_OBJECT".into()));
    }
    Ok(response)
}

/// Trailing headers of an `aws-chunked` body, by name.
type Trailers = Vec<(String, String)>;

/// Undoes `aws-chunked` framing: `<hex size>[;chunk-signature=...]\r\n<data>\r\n`
/// repeated, a zero-size chunk, then trailer lines (`x-amz-checksum-crc32:...`)
/// and an empty line. `None` for anything that does not frame exactly.
fn decode_aws_chunked(body: &[u8]) -> Option<(Vec<u8>, Trailers)> {
    fn line(body: &[u8], at: &mut usize) -> Option<String> {
        let rest = body.get(*at..)?;
        let end = rest.windows(2).position(|w| w == b"\r\n")?;
        *at += end + 2;
        core::str::from_utf8(&rest[..end]).ok().map(String::from)
    }
    let mut out = Vec::new();
    let mut at = 0;
    loop {
        let header = line(body, &mut at)?;
        let size_text = header.split(';').next().unwrap_or_default().trim();
        if size_text.is_empty() || size_text.len() > 16 {
            return None;
        }
        let size = usize::from_str_radix(size_text, 16).ok()?;
        if size == 0 {
            break;
        }
        let data = body.get(at..at.checked_add(size)?)?;
        out.extend_from_slice(data);
        at += size;
        if body.get(at..at + 2)? != b"\r\n" {
            return None;
        }
        at += 2;
    }
    let mut trailers = Vec::new();
    // Trailers end at an empty line; some senders end the body right after them.
    while at < body.len() {
        let text = line(body, &mut at)?;
        if text.is_empty() {
            break;
        }
        let (name, value) = text.split_once(':')?;
        trailers.push((name.trim().to_string(), value.trim().to_string()));
    }
    Some((out, trailers))
}

/// CRC-32 (IEEE 802.3, reflected), the `x-amz-checksum-crc32` algorithm.
fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    !data.iter().fold(!0u32, |c, &b| TABLE[((c ^ b as u32) & 0xff) as usize] ^ (c >> 8))
}

// ---------------------------------------------------------------- notifications

/// The three destination lists of a `NotificationConfiguration`: the element
/// of each entry, and the element naming its destination ARN.
const DESTINATIONS: [(&str, &str); 3] =
    [("TopicConfiguration", "Topic"), ("QueueConfiguration", "Queue"), ("CloudFunctionConfiguration", "CloudFunction")];

fn notification_configuration(body: &[u8]) -> Result<NotificationConfiguration> {
    let root = xml::parse(body).map_err(|_| Fault::malformed_xml())?;
    if root.name != "NotificationConfiguration" {
        return Err(Fault::malformed_xml());
    }
    let mut configuration = NotificationConfiguration::default();
    for element in &root.children {
        let list = match element.name.as_str() {
            "TopicConfiguration" => &mut configuration.topic_configurations,
            "QueueConfiguration" => &mut configuration.queue_configurations,
            "CloudFunctionConfiguration" => &mut configuration.lambda_function_configurations,
            // Amazon EventBridge delivery is a flag with no destination; not simulated.
            "EventBridgeConfiguration" => return Err(Fault::not_implemented("EventBridge notifications")),
            _ => return Err(Fault::malformed_xml()),
        };
        let arn_element = DESTINATIONS.iter().find(|(e, _)| *e == element.name).map_or("", |d| d.1);
        list.push(notification_rule(element, arn_element)?);
    }
    Ok(configuration)
}

fn notification_rule(element: &Element, arn_element: &str) -> Result<NotificationRule> {
    let destination_arn = element.child_text(arn_element).ok_or_else(Fault::malformed_xml)?.to_string();
    let mut rule = NotificationRule {
        id: element.child_text("Id").filter(|id| !id.is_empty()).map(String::from),
        destination_arn,
        events: element.all("Event").map(|e| e.text.trim().to_string()).collect(),
        prefix: None,
        suffix: None,
    };
    if let Some(id) = &rule.id {
        if id.len() > 255 {
            return Err(Fault::invalid_argument("ID length exceeded allowed limit of 255", "ID", id));
        }
    }
    let rules = element.child("Filter").and_then(|f| f.child("S3Key")).map(|k| k.all("FilterRule"));
    for filter_rule in rules.into_iter().flatten() {
        let name = filter_rule.child_text("Name").unwrap_or_default();
        // FilterRule values are not trimmed: a space at the end of a prefix is part of it.
        let value = filter_rule.child("Value").map(|v| v.text.clone()).unwrap_or_default();
        if value.len() > 1024 {
            return Err(Fault::invalid_argument(
                "Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation",
                "FilterRule",
                name,
            ));
        }
        let (slot, label) = if name.eq_ignore_ascii_case("prefix") {
            (&mut rule.prefix, "prefix")
        } else if name.eq_ignore_ascii_case("suffix") {
            (&mut rule.suffix, "suffix")
        } else {
            return Err(Fault::invalid_argument(
                "filter rule name must be either prefix or suffix",
                "FilterRule",
                name,
            ));
        };
        if slot.is_some() {
            return Err(Fault::invalid_argument(
                &format!("Cannot specify more than one {label} rule in a filter."),
                "FilterRule",
                name,
            ));
        }
        *slot = Some(value);
    }
    Ok(rule)
}

fn write_notification_configuration(c: &NotificationConfiguration) -> HttpResponse {
    let mut x = Doc::new("NotificationConfiguration");
    let lists = [&c.topic_configurations, &c.queue_configurations, &c.lambda_function_configurations];
    for ((element, arn_element), rules) in DESTINATIONS.iter().zip(lists) {
        for rule in rules {
            x.open(element).opt_leaf("Id", rule.id.as_deref()).leaf(arn_element, &rule.destination_arn);
            for event in &rule.events {
                x.leaf("Event", event);
            }
            if rule.prefix.is_some() || rule.suffix.is_some() {
                x.open("Filter").open("S3Key");
                // S3 answers the names capitalised, whatever case they were put in.
                for (name, value) in [("Prefix", &rule.prefix), ("Suffix", &rule.suffix)] {
                    if let Some(value) = value {
                        x.open("FilterRule").leaf("Name", name).leaf("Value", value).close("FilterRule");
                    }
                }
                x.close("S3Key").close("Filter");
            }
            x.close(element);
        }
    }
    x.finish("NotificationConfiguration")
}
