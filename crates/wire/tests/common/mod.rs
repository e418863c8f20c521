//! Requests shaped exactly as the AWS SDKs put them on the wire, and a few
//! helpers to read responses.
#![allow(dead_code)]

pub mod query;

use decouple_engine::{Engine, EngineConfig};
use decouple_wire::{Dispatch, Gateway, HttpRequest, HttpResponse};
use serde_json::Value;

pub const URL: &str = "https://sqs.us-east-1.amazonaws.com/000000000000/";

fn header(k: &str, v: &str) -> (String, String) {
    (k.into(), v.into())
}

/// As `@aws-sdk/client-sqs` v3 sends it: lower-case header names, the
/// `x-amzn-query-mode` header of query-compatible services, members in model order.
pub fn js_sdk(action: &str, body: &str) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers: vec![
            header("content-type", "application/x-amz-json-1.0"),
            header("x-amz-target", &format!("AmazonSQS.{action}")),
            header("x-amzn-query-mode", "true"),
            header("host", "sqs.us-east-1.amazonaws.com"),
            header("amz-sdk-invocation-id", "6b0b5f2c-3c4e-4a3e-9d7e-1f0e4b8d2a11"),
            header("amz-sdk-request", "attempt=1; max=3"),
            header("x-amz-user-agent", "aws-sdk-js/3.700.0"),
            header("user-agent", "aws-sdk-js/3.700.0 ua/2.1 os/linux lang/js md/nodejs#20.20.2 api/sqs#3.700.0"),
            header("x-amz-date", "20260101T000000Z"),
            header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sqs/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd",
            ),
            header("content-length", &body.len().to_string()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

/// As boto3/botocore sends it: capitalised header names, members in the
/// order the caller passed them.
pub fn boto3(action: &str, body: &str) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers: vec![
            header("X-Amz-Target", &format!("AmazonSQS.{action}")),
            header("Content-Type", "application/x-amz-json-1.0"),
            header("x-amzn-query-mode", "true"),
            header("User-Agent", "Boto3/1.40.0 md/Botocore#1.43.11 ua/2.1 os/linux lang/python#3.12.3"),
            header("X-Amz-Date", "20260101T000000Z"),
            header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sqs/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd",
            ),
            header("amz-sdk-invocation-id", "0f6a3c1e-2b1d-4a55-8f3e-8c5f3a2b1c0d"),
            header("amz-sdk-request", "attempt=1"),
            header("Content-Length", &body.len().to_string()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

pub struct Harness {
    pub engine: Engine,
    pub gateway: Gateway,
}

impl Harness {
    pub fn new() -> Self {
        let engine = Engine::new(EngineConfig { seed: 7, ..EngineConfig::default() });
        let gateway = Gateway::new(&engine);
        Harness { engine, gateway }
    }

    pub fn dispatch(&mut self, req: &HttpRequest) -> Dispatch {
        self.gateway.dispatch(&mut self.engine, req)
    }

    /// Sends and expects an immediate answer.
    pub fn call(&mut self, req: &HttpRequest) -> HttpResponse {
        match self.dispatch(req) {
            Dispatch::Ready(r) => r,
            Dispatch::Pending(id) => panic!("expected an immediate answer, got pending {id:?}"),
        }
    }

    /// Calls as the JS SDK would and returns status and parsed body.
    pub fn js(&mut self, action: &str, body: &str) -> (u16, Value) {
        let r = self.call(&js_sdk(action, body));
        (r.status, json(&r))
    }

    pub fn create(&mut self, name: &str) -> String {
        let (status, body) = self.js("CreateQueue", &format!(r#"{{"QueueName":"{name}"}}"#));
        assert_eq!(status, 200, "{body}");
        body["QueueUrl"].as_str().unwrap().to_string()
    }
}

pub fn json(r: &HttpResponse) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("response is not JSON ({e}): {:?}", r.body))
}

pub fn text(r: &HttpResponse) -> &str {
    std::str::from_utf8(&r.body).unwrap()
}

/// As `@aws-sdk/client-kinesis` v3 sends it: AWS JSON 1.1 with the
/// `Kinesis_20131202` target prefix.
pub fn kinesis_sdk(action: &str, body: &str) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers: vec![
            header("content-type", "application/x-amz-json-1.1"),
            header("x-amz-target", &format!("Kinesis_20131202.{action}")),
            header("host", "kinesis.us-east-1.amazonaws.com"),
            header("amz-sdk-request", "attempt=1; max=3"),
            header("x-amz-date", "20260101T000000Z"),
            header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0123abcd",
            ),
            header("content-length", &body.len().to_string()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

impl Harness {
    /// Calls Kinesis as the JS SDK would and returns status and parsed body.
    pub fn kinesis(&mut self, action: &str, body: &str) -> (u16, Value) {
        let r = self.call(&kinesis_sdk(action, body));
        assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
        (r.status, json(&r))
    }
}
