//! Amazon S3 over its REST protocol, with requests shaped exactly as
//! `@aws-sdk/client-s3` 3.117x puts them on the wire (captured through a
//! custom requestHandler): path-style paths with a trailing `/` for bucket
//! operations, `x-id=PutObject` in the query, `x-amz-content-sha256` and a
//! SigV4 scope for `s3`, a CRC32 header for a string body and `aws-chunked`
//! framing with a trailing checksum for a stream body. Ends with a fuzz test:
//! random methods, paths, queries and XML bodies must never panic and must
//! always get a well-formed answer. Set `FUZZ_CASES` to run more (default 20,000).

mod common;

use common::query::{enc, parse_xml, xml, Element};
use decouple_engine::{Engine, EngineConfig, SimTime};
use decouple_wire::service::{route, Protocol, Service};
use decouple_wire::{Dispatch, Gateway, HttpRequest, HttpResponse};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const REGION: &str = "eu-west-1";
const ACCOUNT: &str = "123456789012";
const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

fn header(k: &str, v: &str) -> (String, String) {
    (k.into(), v.into())
}

/// A request as the JS SDK v3 S3 client sends it; `path` and `query` already
/// encoded as the SDK encodes them.
fn s3(method: &str, path: &str, query: &str, body: &[u8], extra: &[(&str, &str)]) -> HttpRequest {
    let mut headers = Vec::new();
    for (k, v) in extra {
        headers.push(header(k, v));
    }
    if !body.is_empty() && !extra.iter().any(|(k, _)| *k == "content-encoding") {
        headers.push(header("content-length", &body.len().to_string()));
    }
    headers.extend([
        header("x-amz-user-agent", "aws-sdk-js/3.1174.0"),
        header("user-agent", "aws-sdk-js/3.1174.0 ua/2.1 os/linux lang/js md/nodejs#20.20.2 api/s3#3.1174.0 m/E,e"),
        header("host", &format!("s3.{REGION}.amazonaws.com")),
        header("amz-sdk-invocation-id", "c3923826-6ffc-456c-b3dd-8547bdb3a64a"),
        header("amz-sdk-request", "attempt=1; max=1"),
        header("x-amz-date", "20260101T000000Z"),
    ]);
    if !extra.iter().any(|(k, _)| *k == "x-amz-content-sha256") {
        headers.push(header("x-amz-content-sha256", EMPTY_SHA256));
    }
    headers.push(header(
        "authorization",
        &format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/{REGION}/s3/aws4_request, \
             SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=0123abcd"
        ),
    ));
    HttpRequest { method: method.into(), path: path.into(), query: query.into(), headers, body: body.to_vec() }
}

fn create_bucket_body(region: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">\
         <LocationConstraint>{region}</LocationConstraint></CreateBucketConfiguration>"
    )
}

fn put_object(bucket: &str, key: &str, body: &str) -> HttpRequest {
    s3(
        "PUT",
        &format!("/{bucket}/{}", enc(key).replace("%2F", "/")),
        "x-id=PutObject",
        body.as_bytes(),
        &[
            ("content-type", "text/plain"),
            ("x-amz-sdk-checksum-algorithm", "CRC32"),
            ("x-amz-checksum-crc32", &crc32(body)),
        ],
    )
}

fn crc32(text: &str) -> String {
    // A plain bitwise CRC-32, independent of the one under test.
    let mut c = !0u32;
    for &b in text.as_bytes() {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    let bytes = (!c).to_be_bytes();
    base64(&bytes)
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

struct S3Harness {
    engine: Engine,
    gateway: Gateway,
}

impl S3Harness {
    fn new() -> Self {
        Self::in_region(REGION)
    }

    fn in_region(region: &str) -> Self {
        let engine = Engine::new(EngineConfig {
            seed: 7,
            region: region.into(),
            account_id: ACCOUNT.into(),
            start_time: SimTime::from_millis(1_767_225_600_000), // 2026-01-01T00:00:00Z
            ..EngineConfig::default()
        });
        let gateway = Gateway::new(&engine);
        S3Harness { engine, gateway }
    }

    fn call(&mut self, req: &HttpRequest) -> HttpResponse {
        match self.gateway.dispatch(&mut self.engine, req) {
            Dispatch::Ready(r) => r,
            Dispatch::Pending(id) => panic!("S3 never waits, got {id:?}"),
        }
    }

    fn ok(&mut self, req: &HttpRequest) -> HttpResponse {
        let r = self.call(req);
        assert!(r.status == 200 || r.status == 204, "{} {}: {} {}", req.method, req.path, r.status, text(&r));
        r
    }

    fn bucket(&mut self, name: &str) {
        self.ok(&s3(
            "PUT",
            &format!("/{name}/"),
            "",
            create_bucket_body(REGION).as_bytes(),
            &[("content-type", "application/xml")],
        ));
    }

    fn get(&mut self, bucket: &str, key: &str) -> HttpResponse {
        self.call(&s3("GET", &format!("/{bucket}/{}", enc(key).replace("%2F", "/")), "x-id=GetObject", b"", &[]))
    }

    /// Sends a raw SQS JSON request (to set up notification destinations).
    fn sqs(&mut self, action: &str, body: &str) -> serde_json::Value {
        let r = self.call(&common::js_sdk(action, body));
        serde_json::from_slice(&r.body).unwrap()
    }
}

fn text(r: &HttpResponse) -> String {
    String::from_utf8_lossy(&r.body).into_owned()
}

/// An S3 error document: its code, and the element for the rest.
fn error(r: &HttpResponse) -> (String, Element) {
    let doc = xml(r);
    assert_eq!(doc.name, "Error", "{}", text(r));
    (doc.text_at(&["Code"]), doc)
}

// ---------------------------------------------------------------- routing

#[test]
fn s3_is_told_by_its_signature_without_disturbing_sqs_and_sns() {
    let req = s3("GET", "/photos/", "list-type=2", b"", &[]);
    let r = route(&req);
    assert_eq!((r.service, r.protocol), (Some(Service::S3), Protocol::RestXml));
    // Unsigned: by x-amz-content-sha256, or by the endpoint's host.
    let unsigned = HttpRequest {
        method: "GET".into(),
        path: "/photos/k".into(),
        headers: vec![header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")],
        ..Default::default()
    };
    assert_eq!(route(&unsigned).service, Some(Service::S3));
    let by_host = HttpRequest {
        method: "GET".into(),
        path: "/k".into(),
        headers: vec![header("Host", "photos.s3.eu-west-1.amazonaws.com")],
        ..Default::default()
    };
    assert_eq!(route(&by_host).service, Some(Service::S3));
    // An S3 key that looks like a query action stays S3's.
    let tricky = s3("GET", "/b/k", "Action=Publish", b"", &[]);
    assert_eq!(route(&tricky).service, Some(Service::S3));
    // SQS and SNS route as before.
    assert_eq!(route(&common::js_sdk("ListQueues", "{}")).service, Some(Service::Sqs));
    let sns = common::query::sns_js("Action=ListTopics&Version=2010-03-31");
    assert_eq!((route(&sns).service, route(&sns).protocol), (Some(Service::Sns), Protocol::AwsQuery));
}

// ---------------------------------------------------------------- buckets

#[test]
fn create_bucket_follows_the_location_constraint_rules() {
    let mut h = S3Harness::new();
    let r =
        h.ok(&s3("PUT", "/photos/", "", create_bucket_body(REGION).as_bytes(), &[("content-type", "application/xml")]));
    assert_eq!(r.header("Location"), Some("/photos"));
    let request_id = r.header("x-amz-request-id").unwrap();
    assert_eq!(request_id.len(), 16);
    assert!(request_id.bytes().all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)));
    assert!(r.header("x-amz-id-2").is_some());

    let r = h.call(&s3("PUT", "/other/", "", b"", &[]));
    assert_eq!(r.status, 400);
    let (code, doc) = error(&r);
    assert_eq!(code, "IllegalLocationConstraintException");
    assert_eq!(
        doc.text_at(&["Message"]),
        "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to."
    );
    assert_eq!(doc.text_at(&["RequestId"]), r.header("x-amz-request-id").unwrap());
    let r = h.call(&s3("PUT", "/other/", "", create_bucket_body("us-west-2").as_bytes(), &[]));
    assert_eq!(
        error(&r).1.text_at(&["Message"]),
        "The us-west-2 location constraint is incompatible for the region specific endpoint this request was sent to."
    );
    let r = h.call(&s3("PUT", "/other/", "", b"<CreateBucketConfiguration><LocationConstraint>", &[]));
    assert_eq!((r.status, error(&r).0.as_str()), (400, "MalformedXML"));

    // us-east-1 takes no constraint at all, and answers the owner's repeat with 200.
    let mut east = S3Harness::in_region("us-east-1");
    east.ok(&s3("PUT", "/photos", "", b"", &[]));
    east.ok(&s3("PUT", "/photos", "", b"", &[]));
    let r = east.call(&s3("PUT", "/logs", "", create_bucket_body("us-east-1").as_bytes(), &[]));
    assert_eq!((r.status, error(&r).0.as_str()), (400, "InvalidLocationConstraint"));

    let r = h.call(&s3("PUT", "/photos/", "", create_bucket_body(REGION).as_bytes(), &[]));
    let (code, doc) = error(&r);
    assert_eq!((r.status, code.as_str()), (409, "BucketAlreadyOwnedByYou"));
    assert_eq!(doc.text_at(&["BucketName"]), "photos");
    let r = h.call(&s3("PUT", "/Bad_Name/", "", create_bucket_body(REGION).as_bytes(), &[]));
    assert_eq!((r.status, error(&r).0.as_str()), (400, "InvalidBucketName"));
}

#[test]
fn head_list_and_delete_buckets() {
    let mut h = S3Harness::new();
    h.bucket("photos");
    h.bucket("logs");
    let r = h.ok(&s3("HEAD", "/photos", "", b"", &[]));
    assert_eq!(r.header("x-amz-bucket-region"), Some(REGION));
    let r = h.call(&s3("HEAD", "/nope", "", b"", &[]));
    assert_eq!(r.status, 404);
    assert!(r.body.is_empty(), "HEAD answers carry no body");
    assert!(r.header("x-amz-request-id").is_some());

    let doc = xml(&h.ok(&s3("GET", "/", "x-id=ListBuckets", b"", &[])));
    assert_eq!(doc.name, "ListAllMyBucketsResult");
    let names: Vec<String> = doc.child("Buckets").children.iter().map(|b| b.text_at(&["Name"])).collect();
    assert_eq!(names, ["logs", "photos"]);
    assert_eq!(doc.at(&["Buckets", "Bucket"]).text_at(&["CreationDate"]), "2026-01-01T00:00:00.000Z");
    let doc = xml(&h.ok(&s3("GET", "/photos", "location", b"", &[])));
    assert_eq!((doc.name.as_str(), doc.text.as_str()), ("LocationConstraint", REGION));

    h.ok(&put_object("photos", "a.jpg", "x"));
    let r = h.call(&s3("DELETE", "/photos", "", b"", &[]));
    let (code, doc) = error(&r);
    assert_eq!((r.status, code.as_str()), (409, "BucketNotEmpty"));
    assert_eq!(doc.text_at(&["BucketName"]), "photos");
    assert_eq!(h.ok(&s3("DELETE", "/photos/a.jpg", "x-id=DeleteObject", b"", &[])).status, 204);
    assert_eq!(h.ok(&s3("DELETE", "/photos", "", b"", &[])).status, 204);
    let r = h.call(&s3("DELETE", "/photos", "", b"", &[]));
    let (code, doc) = error(&r);
    assert_eq!((r.status, code.as_str()), (404, "NoSuchBucket"));
    assert_eq!(doc.text_at(&["Message"]), "The specified bucket does not exist");
    assert_eq!(doc.text_at(&["BucketName"]), "photos");
    assert_eq!(doc.names(), ["Code", "Message", "BucketName", "RequestId", "HostId"]);
}

// ---------------------------------------------------------------- objects

#[test]
fn put_and_get_objects_with_percent_decoded_keys() {
    let mut h = S3Harness::new();
    h.bucket("docs");
    // Exactly as the SDK encodes "a b/c+d é.txt".
    let req = s3(
        "PUT",
        "/docs/a%20b/c%2Bd%20%C3%A9.txt",
        "x-id=PutObject",
        b"hello",
        &[
            ("content-type", "text/plain"),
            ("x-amz-sdk-checksum-algorithm", "CRC32"),
            ("x-amz-checksum-crc32", "NhCmhg=="),
        ],
    );
    let r = h.ok(&req);
    assert_eq!(r.header("ETag"), Some("\"5d41402abc4b2a76b9719d911017c592\""));
    assert_eq!(r.header("x-amz-checksum-crc32"), Some("NhCmhg=="));
    assert!(r.body.is_empty());

    let r = h.get("docs", "a b/c+d é.txt");
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"hello");
    assert_eq!(r.header("Content-Type"), Some("text/plain"));
    assert_eq!(r.header("Content-Length"), Some("5"));
    assert_eq!(r.header("ETag"), Some("\"5d41402abc4b2a76b9719d911017c592\""));
    assert_eq!(r.header("Last-Modified"), Some("Thu, 01 Jan 2026 00:00:00 GMT"));
    let head = h.ok(&s3("HEAD", "/docs/a%20b/c%2Bd%20%C3%A9.txt", "", b"", &[]));
    assert!(head.body.is_empty());
    assert_eq!(head.header("Content-Length"), Some("5"));

    // No content type: S3's default.
    h.ok(&s3("PUT", "/docs/raw", "x-id=PutObject", &[0, 159, 255], &[]));
    let r = h.get("docs", "raw");
    assert_eq!((r.body.as_slice(), r.header("Content-Type")), (&[0u8, 159, 255][..], Some("binary/octet-stream")));

    let r = h.get("docs", "missing/key");
    let (code, doc) = error(&r);
    assert_eq!((r.status, code.as_str()), (404, "NoSuchKey"));
    assert_eq!(doc.text_at(&["Message"]), "The specified key does not exist.");
    assert_eq!(doc.text_at(&["Key"]), "missing/key");
    let r = h.get("nowhere", "k");
    assert_eq!(error(&r).1.text_at(&["BucketName"]), "nowhere");
}

#[test]
fn checksums_are_verified() {
    let mut h = S3Harness::new();
    h.bucket("docs");
    let req = s3("PUT", "/docs/k", "x-id=PutObject", b"hello", &[("x-amz-checksum-crc32", "AAAAAA==")]);
    let r = h.call(&req);
    let (code, doc) = error(&r);
    assert_eq!((r.status, code.as_str()), (400, "BadDigest"));
    assert_eq!(doc.text_at(&["Message"]), "The CRC32 you specified did not match the calculated checksum.");
    assert_eq!(h.get("docs", "k").status, 404, "a refused body is not stored");
}

#[test]
fn aws_chunked_bodies_are_unframed() {
    let mut h = S3Harness::new();
    h.bucket("docs");
    let chunked = |body: &[u8]| {
        s3(
            "PUT",
            "/docs/streamed",
            "x-id=PutObject",
            body,
            &[
                ("content-type", "application/octet-stream"),
                ("x-amz-sdk-checksum-algorithm", "CRC32"),
                ("content-encoding", "aws-chunked"),
                ("transfer-encoding", "chunked"),
                ("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"),
                ("x-amz-trailer", "x-amz-checksum-crc32"),
            ],
        )
    };
    // What the JS SDK sends for Body: Readable.from([Buffer.from("streamed")]).
    let r = h.ok(&chunked(b"8\r\nstreamed\r\n0\r\nx-amz-checksum-crc32:2SIbYw==\r\n\r\n"));
    assert_eq!(r.header("x-amz-checksum-crc32"), Some("2SIbYw=="));
    assert_eq!(h.get("docs", "streamed").body, b"streamed");
    // Several chunks, and signed chunks (`;chunk-signature=`) with no trailer.
    let body = format!(
        "5;chunk-signature={0}\r\nhello\r\n6;chunk-signature={0}\r\n world\r\n0;chunk-signature={0}\r\n\r\n",
        "ab".repeat(32)
    );
    let mut signed = chunked(body.as_bytes());
    signed.headers.retain(|(k, _)| k != "x-amz-content-sha256");
    signed.headers.push(header("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"));
    h.ok(&signed);
    assert_eq!(h.get("docs", "streamed").body, b"hello world");
    // A trailer checksum that does not match, and framing that does not add up.
    let r = h.call(&chunked(b"8\r\nstreamed\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"));
    assert_eq!(error(&r).0, "BadDigest");
    for bad in [&b"9\r\nstreamed\r\n0\r\n\r\n"[..], b"zz\r\n", b"8\r\nstreamed", b"", b"8\r\nstreamedXX0\r\n\r\n"] {
        let r = h.call(&chunked(bad));
        assert_eq!((r.status, error(&r).0.as_str()), (400, "IncompleteBody"), "{:?}", String::from_utf8_lossy(bad));
    }
}

#[test]
fn virtual_hosted_style_takes_the_bucket_from_the_host() {
    let mut h = S3Harness::new();
    let vhost = |method: &str, path: &str, query: &str, body: &[u8]| {
        let mut req = s3(method, path, query, body, &[]);
        req.headers.retain(|(k, _)| k != "host");
        req.headers.push(header("host", "my.photos.s3.eu-west-1.amazonaws.com"));
        req
    };
    h.ok(&vhost("PUT", "/", "", create_bucket_body(REGION).as_bytes()));
    h.ok(&vhost("PUT", "/dir/a%20b.txt", "x-id=PutObject", b"virtual"));
    assert_eq!(h.get("my.photos", "dir/a b.txt").body, b"virtual");
    let doc = xml(&h.ok(&vhost("GET", "/", "list-type=2", b"")));
    assert_eq!(doc.text_at(&["Name"]), "my.photos");
    assert_eq!(doc.at(&["Contents"]).text_at(&["Key"]), "dir/a b.txt");
}

// ---------------------------------------------------------------- listing

#[test]
fn list_objects_v2_and_v1() {
    let mut h = S3Harness::new();
    h.bucket("logs");
    for key in ["a.txt", "img/1.jpg", "img/2.jpg", "img/raw/3.raw", "z z.txt"] {
        h.ok(&put_object("logs", key, key));
    }
    let doc = xml(&h.ok(&s3("GET", "/logs/", "list-type=2&delimiter=%2F&prefix=", b"", &[])));
    assert_eq!(doc.name, "ListBucketResult");
    assert_eq!(doc.text_at(&["Name"]), "logs");
    assert_eq!(doc.text_at(&["KeyCount"]), "3");
    assert_eq!(doc.text_at(&["MaxKeys"]), "1000");
    assert_eq!(doc.text_at(&["Delimiter"]), "/");
    assert_eq!(doc.text_at(&["IsTruncated"]), "false");
    let contents: Vec<&Element> = doc.children.iter().filter(|c| c.name == "Contents").collect();
    assert_eq!(contents.iter().map(|c| c.text_at(&["Key"])).collect::<Vec<_>>(), ["a.txt", "z z.txt"]);
    assert_eq!(contents[0].names(), ["Key", "LastModified", "ETag", "Size", "StorageClass"]);
    assert_eq!(contents[0].text_at(&["LastModified"]), "2026-01-01T00:00:00.000Z");
    assert_eq!(contents[0].text_at(&["Size"]), "5");
    assert_eq!(doc.at(&["CommonPrefixes"]).text_at(&["Prefix"]), "img/");

    let doc = xml(&h.ok(&s3("GET", "/logs/", "list-type=2&max-keys=2", b"", &[])));
    assert_eq!(doc.text_at(&["IsTruncated"]), "true");
    let token = doc.text_at(&["NextContinuationToken"]);
    let doc = xml(&h.ok(&s3(
        "GET",
        "/logs/",
        &format!("list-type=2&max-keys=2&continuation-token={}", enc(&token)),
        b"",
        &[],
    )));
    assert_eq!(doc.text_at(&["ContinuationToken"]), token);
    assert_eq!(doc.at(&["Contents"]).text_at(&["Key"]), "img/2.jpg");

    let doc = xml(&h.ok(&s3("GET", "/logs/", "list-type=2&prefix=z&encoding-type=url&start-after=b", b"", &[])));
    assert_eq!((doc.text_at(&["EncodingType"]), doc.text_at(&["StartAfter"])), ("url".into(), "b".into()));
    assert_eq!(doc.at(&["Contents"]).text_at(&["Key"]), "z+z.txt");

    for (query, name, value) in [
        ("list-type=2&max-keys=ten", "max-keys", "ten"),
        ("list-type=2&max-keys=-1", "maxKeys", "-1"),
        ("list-type=2&encoding-type=base64", "encoding-type", "base64"),
        ("list-type=2&continuation-token=%25%25", "continuation-token", "%%"),
    ] {
        let r = h.call(&s3("GET", "/logs/", query, b"", &[]));
        let (code, doc) = error(&r);
        assert_eq!((r.status, code.as_str()), (400, "InvalidArgument"), "{query}");
        assert_eq!((doc.text_at(&["ArgumentName"]), doc.text_at(&["ArgumentValue"])), (name.into(), value.into()));
    }

    // Version 1: marker, and NextMarker when a delimiter is given.
    let doc = xml(&h.ok(&s3("GET", "/logs", "marker=a.txt&max-keys=1&delimiter=%2F", b"", &[])));
    assert_eq!(doc.text_at(&["Marker"]), "a.txt");
    assert_eq!(doc.text_at(&["IsTruncated"]), "true");
    assert_eq!(doc.text_at(&["NextMarker"]), "img/");
    assert_eq!(doc.at(&["CommonPrefixes"]).text_at(&["Prefix"]), "img/");
    assert!(doc.find("KeyCount").is_none());
}

// ---------------------------------------------------------------- notifications

/// A queue S3 may send to for bucket `uploads`; answers its ARN.
fn s3_queue(h: &mut S3Harness, name: &str) -> String {
    let arn = format!("arn:aws:sqs:{REGION}:{ACCOUNT}:{name}");
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"}, "Action": "sqs:SendMessage",
                       "Resource": arn, "Condition": {"ArnLike": {"aws:SourceArn": "arn:aws:s3:::uploads"}}}]
    });
    let body = serde_json::json!({"QueueName": name, "Attributes": {"Policy": policy.to_string()}});
    h.sqs("CreateQueue", &body.to_string());
    arn
}

fn put_notification(h: &mut S3Harness, body: &str) -> HttpResponse {
    h.call(&s3("PUT", "/uploads/", "notification", body.as_bytes(), &[("content-type", "application/xml")]))
}

const NOTIFICATION_HEAD: &str =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?><NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";

#[test]
fn notification_configuration_round_trip() {
    let mut h = S3Harness::new();
    h.bucket("uploads");
    let a = s3_queue(&mut h, "a");
    let b = s3_queue(&mut h, "b");
    // As the SDK serialises it (topic, queue and function lists, in that order).
    let body = format!(
        "{NOTIFICATION_HEAD}<QueueConfiguration><Queue>{a}</Queue><Event>s3:ObjectCreated:*</Event><Id>images</Id>\
         <Filter><S3Key><FilterRule><Name>prefix</Name><Value>images/</Value></FilterRule>\
         <FilterRule><Name>SUFFIX</Name><Value>.jpg</Value></FilterRule></S3Key></Filter></QueueConfiguration>\
         <QueueConfiguration><Queue>{b}</Queue><Event>s3:ObjectRemoved:Delete</Event></QueueConfiguration>\
         <CloudFunctionConfiguration><CloudFunction>arn:aws:lambda:{REGION}:{ACCOUNT}:function:f</CloudFunction>\
         <Event>s3:ObjectCreated:Put</Event><Filter><S3Key><FilterRule><Name>prefix</Name><Value>docs/</Value></FilterRule></S3Key></Filter>\
         </CloudFunctionConfiguration></NotificationConfiguration>"
    );
    let r = put_notification(&mut h, &body);
    assert_eq!(r.status, 200, "{}", text(&r));
    let doc = xml(&h.ok(&s3("GET", "/uploads/", "notification", b"", &[])));
    assert_eq!(doc.name, "NotificationConfiguration");
    assert_eq!(doc.names(), ["QueueConfiguration", "QueueConfiguration", "CloudFunctionConfiguration"]);
    let q = &doc.children[0];
    assert_eq!(q.names(), ["Id", "Queue", "Event", "Filter"]);
    assert_eq!((q.text_at(&["Id"]), q.text_at(&["Queue"])), ("images".into(), a.clone()));
    let rules = &q.at(&["Filter", "S3Key"]).children;
    let rules: Vec<(String, String)> = rules.iter().map(|r| (r.text_at(&["Name"]), r.text_at(&["Value"]))).collect();
    assert_eq!(rules, [("Prefix".into(), "images/".into()), ("Suffix".into(), ".jpg".into())]);
    // A rule sent without an Id comes back with one S3 generated.
    assert_eq!(doc.children[1].names(), ["Id", "Queue", "Event"]);
    assert!(!doc.children[1].text_at(&["Id"]).is_empty());
    assert_eq!(doc.children[2].text_at(&["CloudFunction"]), format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:f"));

    // The empty document turns notifications off.
    assert_eq!(put_notification(&mut h, &format!("{NOTIFICATION_HEAD}</NotificationConfiguration>")).status, 200);
    let doc = xml(&h.ok(&s3("GET", "/uploads", "notification", b"", &[])));
    assert!(doc.children.is_empty());
}

#[test]
fn notification_errors_in_s3_xml() {
    let mut h = S3Harness::new();
    h.bucket("uploads");
    let a = s3_queue(&mut h, "a");
    let b = s3_queue(&mut h, "b");
    let queue = |arn: &str, event: &str, prefix: Option<&str>| {
        let filter = prefix.map_or(String::new(), |p| {
            format!("<Filter><S3Key><FilterRule><Name>prefix</Name><Value>{p}</Value></FilterRule></S3Key></Filter>")
        });
        format!("<QueueConfiguration><Queue>{arn}</Queue><Event>{event}</Event>{filter}</QueueConfiguration>")
    };
    let doc = |parts: &[String]| format!("{NOTIFICATION_HEAD}{}</NotificationConfiguration>", parts.concat());
    let cases = [
        (
            doc(&[queue(&a, "s3:ObjectCreated:*", None), queue(&b, "s3:ObjectCreated:Put", None)]),
            "InvalidArgument",
            "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
        ),
        (
            doc(&[queue(&a, "s3:ObjectCreated:*", Some("images/")), queue(&b, "s3:ObjectCreated:*", Some("images/raw/"))]),
            "InvalidArgument",
            "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.",
        ),
        (doc(&[queue(&a, "s3:ObjectTouched", None)]), "InvalidArgument", "The event is not supported for notifications"),
        (
            doc(&[queue(&format!("arn:aws:sqs:{REGION}:{ACCOUNT}:missing"), "s3:ObjectCreated:*", None)]),
            "InvalidArgument",
            "Unable to validate the following destination configurations",
        ),
        (
            doc(&["<QueueConfiguration><Queue>q</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>infix</Name><Value>x</Value></FilterRule></S3Key></Filter></QueueConfiguration>".into()]),
            "InvalidArgument",
            "filter rule name must be either prefix or suffix",
        ),
        (
            doc(&[format!("<QueueConfiguration><Queue>{a}</Queue><Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>suffix</Name><Value>a</Value></FilterRule><FilterRule><Name>Suffix</Name><Value>b</Value></FilterRule></S3Key></Filter></QueueConfiguration>")]),
            "InvalidArgument",
            "Cannot specify more than one suffix rule in a filter.",
        ),
        (doc(&["<QueueConfiguration><Event>s3:ObjectCreated:*</Event></QueueConfiguration>".into()]), "MalformedXML", ""),
        (doc(&["<Bogus/>".into()]), "MalformedXML", ""),
        ("<NotificationConfiguration><QueueConfiguration>".into(), "MalformedXML", ""),
        ("<Other/>".into(), "MalformedXML", ""),
        ("".into(), "MalformedXML", ""),
        (doc(&["<EventBridgeConfiguration/>".into()]), "NotImplemented", ""),
    ];
    for (body, code, message) in cases {
        let r = put_notification(&mut h, &body);
        let (got, err) = error(&r);
        assert_eq!(got, code, "{body}");
        assert_eq!(r.status, if code == "NotImplemented" { 501 } else { 400 });
        if !message.is_empty() {
            assert_eq!(err.text_at(&["Message"]), message);
        }
        if message.starts_with("Unable to validate") {
            assert_eq!(err.text_at(&["ArgumentName1"]), format!("arn:aws:sqs:{REGION}:{ACCOUNT}:missing"));
        } else if code == "InvalidArgument" {
            assert!(err.find("ArgumentName").is_some(), "{}", text(&r));
        }
    }
    // Nothing was stored by the refused requests.
    assert!(xml(&h.ok(&s3("GET", "/uploads/", "notification", b"", &[]))).children.is_empty());
    let r = h.call(&s3("PUT", "/nowhere/", "notification", doc(&[]).as_bytes(), &[]));
    assert_eq!(error(&r).0, "NoSuchBucket");
}

// ---------------------------------------------------------------- what S3 has and Decouple does not

#[test]
fn unknown_routes_get_method_not_allowed_or_not_implemented() {
    let mut h = S3Harness::new();
    h.bucket("bkt");
    for (method, path, query, status, code) in [
        ("PATCH", "/bkt/k", "", 405, "MethodNotAllowed"),
        ("OPTIONS", "/bkt", "", 405, "MethodNotAllowed"),
        ("DELETE", "/", "", 405, "MethodNotAllowed"),
        ("get", "/bkt/k", "", 405, "MethodNotAllowed"),
        ("GET", "/bkt", "acl", 501, "NotImplemented"),
        ("PUT", "/bkt", "versioning", 501, "NotImplemented"),
        ("POST", "/bkt", "delete", 501, "NotImplemented"),
        ("POST", "/bkt/k", "uploads", 501, "NotImplemented"),
        ("GET", "/bkt/k", "tagging", 501, "NotImplemented"),
        ("GET", "/bkt/k", "versionId=3", 501, "NotImplemented"),
        ("PUT", "/bkt/k", "notification", 501, "NotImplemented"),
    ] {
        let r = h.call(&s3(method, path, query, b"", &[]));
        let (got, doc) = error(&r);
        assert_eq!((r.status, got.as_str()), (status, code), "{method} {path}?{query}");
        if code == "MethodNotAllowed" {
            assert_eq!(doc.text_at(&["Method"]), method);
        }
    }
    let copy = s3("PUT", "/bkt/k2", "x-id=CopyObject", b"", &[("x-amz-copy-source", "bkt/k")]);
    assert_eq!(h.call(&copy).status, 501);
}

// ---------------------------------------------------------------- fuzz

const METHODS: &[&str] = &["GET", "PUT", "DELETE", "HEAD", "POST", "PATCH", "", "G\u{0}T", "OPTIONS"];
const PATH_PARTS: &[&str] = &[
    "", "/", "uploads", "docs", "nope", "Bad_Name", "a", "k", "%", "%2", "%zz", "%C3%A9", "%FF%FE", "a%2Fb", "..", "+",
    "%00",
];
const QUERY_PARTS: &[&str] = &[
    "notification",
    "list-type=2",
    "list-type=1",
    "prefix=a",
    "prefix=%FF",
    "delimiter=%2F",
    "delimiter=",
    "max-keys=0",
    "max-keys=1",
    "max-keys=-5",
    "max-keys=99999999999999999999",
    "continuation-token=YQ%3D%3D",
    "continuation-token=!!",
    "start-after=k",
    "marker=a",
    "encoding-type=url",
    "encoding-type=x",
    "x-id=PutObject",
    "location",
    "acl",
    "uploads",
    "Action=Publish",
    "=",
    "&&",
];
const XML_PARTS: &[&str] = &[
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
    "<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
    "</NotificationConfiguration>",
    "<QueueConfiguration>",
    "</QueueConfiguration>",
    "<TopicConfiguration>",
    "</TopicConfiguration>",
    "<CloudFunctionConfiguration>",
    "</CloudFunctionConfiguration>",
    "<Queue>arn:aws:sqs:eu-west-1:123456789012:q</Queue>",
    "<Topic>arn:aws:sns:eu-west-1:123456789012:t</Topic>",
    "<CloudFunction>arn:aws:lambda:eu-west-1:123456789012:function:f</CloudFunction>",
    "<Event>s3:ObjectCreated:*</Event>",
    "<Event>s3:ObjectRemoved:Delete</Event>",
    "<Event>nope</Event>",
    "<Id>x</Id>",
    "<Filter><S3Key>",
    "</S3Key></Filter>",
    "<FilterRule><Name>prefix</Name><Value>a/</Value></FilterRule>",
    "<FilterRule><Name>Suffix</Name><Value>.jpg</Value></FilterRule>",
    "<FilterRule><Name>x</Name></FilterRule>",
    "<CreateBucketConfiguration>",
    "<LocationConstraint>eu-west-1</LocationConstraint>",
    "</CreateBucketConfiguration>",
    "<!-- c -->",
    "<![CDATA[<x>]]>",
    "&amp;",
    "&#x10FFFF;",
    "&#xFFFFFFFFF;",
    "&bogus;",
    "<!DOCTYPE x>",
    "<a b='c'/>",
    "<a b=c>",
    "</",
    "<",
    ">",
    " ",
    "\u{0}",
];

#[derive(Clone, Debug)]
enum Body {
    Empty,
    Bytes(Vec<u8>),
    Xml(Vec<usize>),
    Chunked(Vec<u8>, Option<String>),
    Deep(usize),
}

fn body_strategy() -> impl Strategy<Value = Body> {
    prop_oneof![
        2 => Just(Body::Empty),
        1 => proptest::collection::vec(any::<u8>(), 0..64).prop_map(Body::Bytes),
        6 => proptest::collection::vec(0..XML_PARTS.len(), 0..24).prop_map(Body::Xml),
        2 => (proptest::collection::vec(any::<u8>(), 0..40), proptest::option::of("[0-9a-fA-Fx;= \r\n]{0,12}"))
            .prop_map(|(b, s)| Body::Chunked(b, s)),
        1 => (0usize..5000).prop_map(Body::Deep),
    ]
}

fn path_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::collection::vec(proptest::sample::select(PATH_PARTS), 0..4).prop_map(|p| format!("/{}", p.join("/"))),
        1 => "[ -~]{0,20}",
        1 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ]
}

/// Every answer is complete: a known status, and a body that is empty, or
/// well-formed XML when it says it is XML; errors are S3's `<Error>` documents.
fn check(r: &HttpResponse, method: &str, what: &str) {
    assert!([200, 204, 400, 404, 405, 409, 501].contains(&r.status), "{what}: status {}", r.status);
    assert!(r.header("x-amz-request-id").is_some(), "{what}");
    if method == "HEAD" || r.status == 204 {
        assert!(r.body.is_empty(), "{what}");
        return;
    }
    if r.status >= 400 || r.header("Content-Type") == Some("application/xml") {
        let text = std::str::from_utf8(&r.body).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
        let doc = parse_xml(text).unwrap_or_else(|e| panic!("{what}: not well-formed ({e}): {text}"));
        if r.status >= 400 {
            assert_eq!(doc.name, "Error", "{what}");
            assert!(!doc.text_at(&["Code"]).is_empty(), "{what}");
        }
    }
    let length: usize = r.header("Content-Length").and_then(|l| l.parse().ok()).unwrap_or(usize::MAX);
    assert_eq!(length, r.body.len(), "{what}: Content-Length");
}

#[test]
fn fuzz_s3_requests_never_panic() {
    let cases: u32 = std::env::var("FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    let ran = std::cell::Cell::new(0u32);
    let request = (
        proptest::sample::select(METHODS),
        path_strategy(),
        proptest::collection::vec(proptest::sample::select(QUERY_PARTS), 0..4),
        body_strategy(),
        any::<bool>(),
    );
    runner
        .run(&proptest::collection::vec(request, 1..5), |requests| {
            ran.set(ran.get() + 1);
            let mut h = S3Harness::new();
            h.bucket("uploads");
            h.bucket("docs");
            h.ok(&put_object("docs", "a/k", "x"));
            s3_queue(&mut h, "q");
            for (method, path, query, body, vhost) in requests {
                let (bytes, chunked) = match &body {
                    Body::Empty => (Vec::new(), false),
                    Body::Bytes(b) => (b.clone(), false),
                    Body::Xml(parts) => (parts.iter().map(|&i| XML_PARTS[i]).collect::<String>().into_bytes(), false),
                    Body::Chunked(data, size) => {
                        let size = size.clone().unwrap_or_else(|| format!("{:x}", data.len()));
                        let mut b = format!("{size}\r\n").into_bytes();
                        b.extend_from_slice(data);
                        b.extend_from_slice(b"\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n");
                        (b, true)
                    }
                    Body::Deep(n) => (format!("{NOTIFICATION_HEAD}{}", "<Filter>".repeat(*n)).into_bytes(), false),
                };
                let extra: &[(&str, &str)] = if chunked { &[("content-encoding", "aws-chunked")] } else { &[] };
                let mut req = s3(method, &path, &query.join("&"), &bytes, extra);
                if vhost {
                    req.headers.retain(|(k, _)| k != "host");
                    req.headers.push(header("host", "uploads.s3.eu-west-1.amazonaws.com"));
                }
                let what = format!("{method} {path}?{} {:?}", query.join("&"), String::from_utf8_lossy(&bytes));
                let r = h.call(&req);
                check(&r, method, &what);
            }
            Ok(())
        })
        .unwrap();
    eprintln!("fuzz: {} S3 cases ran without a panic", ran.get());
    assert!(ran.get() >= cases);
}
