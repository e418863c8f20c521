//! The AWS query protocol: form-encoded `Action=...&Version=...` in, XML out.
//!
//! SNS speaks only this protocol, and SQS still accepts it from old SDKs.
//! Decouple implements neither yet, so every query request gets the error AWS
//! gives an action it does not know, in the XML envelope of the service the
//! request was for. SNS's handlers will live in a sibling `sns_query` module.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;

use crate::service::{Protocol, Service};
use crate::HttpResponse;

/// The XML namespace of each service's query API.
fn namespace(service: Option<Service>) -> &'static str {
    match service {
        Some(Service::Sns) => "http://sns.amazonaws.com/doc/2010-03-31/",
        _ => "http://queue.amazonaws.com/doc/2012-11-05/",
    }
}

/// `InvalidAction` (400), as AWS answers a query action it cannot serve.
pub(crate) fn unknown_action(service: Option<Service>, request_id: &str) -> HttpResponse {
    let message = match service {
        Some(Service::Sqs) => {
            "Decouple speaks SQS's JSON protocol only; use an AWS SDK from 2024 or later (JSON protocol)."
        }
        _ => "The action or operation requested is invalid. Verify that the action is typed correctly.",
    };
    let body: String = format!(
        "<?xml version=\"1.0\"?><ErrorResponse xmlns=\"{}\"><Error><Type>Sender</Type><Code>InvalidAction</Code>\
         <Message>{message}</Message><Detail/></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
        namespace(service)
    );
    let body = body.into_bytes();
    HttpResponse {
        status: 400,
        headers: vec![
            ("x-amzn-RequestId".into(), request_id.into()),
            ("Content-Type".into(), Protocol::AwsQuery.content_type().into()),
            ("Content-Length".into(), body.len().to_string()),
        ],
        body,
    }
}
