//! Decouple's wire layer: AWS's HTTP protocols in front of the engine,
//! with no transport of its own.
//!
//! A caller (the JS bindings, a test, one day a local HTTP server) hands
//! [`Gateway::dispatch`] an [`HttpRequest`] as an AWS SDK would send it and gets
//! back the [`HttpResponse`] AWS would answer, or [`Dispatch::Pending`] for a
//! long poll that waits in virtual time. After the clock moves (or after any
//! later request, since a send can satisfy a waiting poll),
//! [`Gateway::poll_completed`] hands out the responses of polls that finished.
//!
//! The engine stays free of serde and JSON: every byte of serialization lives here.
//!
//! # Layout
//! - [`service`]: which AWS service and protocol a request is for, from the
//!   `X-Amz-Target` header, the form's `Action`, or the SigV4 credential scope.
//! - `json`: reading request members with AWS's type rules, and JSON error bodies.
//! - `sqs_json`: Amazon SQS over AWS JSON 1.0, all 23 actions.
//! - `query`: the AWS query protocol's common ground: reading flattened form
//!   members, writing escaped XML answers and errors.
//! - `sns_query`: Amazon SNS over the query protocol, the 17 actions the engine simulates.
//! - `s3_rest`: Amazon S3 over its REST protocol (path-style and virtual-hosted
//!   requests), buckets, objects and notification configurations.
//! - `kinesis_json`: Amazon Kinesis Data Streams over AWS JSON 1.1.
//! - `firehose_json`: Amazon Data Firehose over AWS JSON 1.1, with the
//!   simulated Lambda processor chosen by the function name.
//! - `xml`: a small, non-recursive XML reader for S3's request bodies.
//!
//! **Invariant:** no input makes `dispatch` panic; anything malformed gets the
//! error AWS answers (`SerializationException`, `UnknownOperationException`, ...).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

#[cfg(feature = "kinesis")]
mod eventstream;
#[cfg(feature = "firehose")]
mod firehose_json;
mod json;
#[cfg(feature = "kinesis")]
mod kinesis_json;
// Without SNS only the query protocol's unknown-action error is used.
#[cfg_attr(not(feature = "sns"), allow(dead_code))]
mod query;
#[cfg(feature = "s3")]
mod s3_rest;
pub mod service;
#[cfg(feature = "sns")]
mod sns_query;
mod sqs_json;

#[cfg(feature = "firehose")]
pub use firehose_json::ACTIONS as FIREHOSE_ACTIONS;
#[cfg(feature = "kinesis")]
pub use kinesis_json::ACTIONS as KINESIS_ACTIONS;
pub use sqs_json::ACTIONS as SQS_ACTIONS;
#[cfg(feature = "s3")]
mod xml;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use decouple_engine::rng::Rng;
use decouple_engine::sqs::PollTicket;
use decouple_engine::Engine;

use service::{Protocol, Service};

/// An HTTP request as a client would put it on the wire. Header names are
/// matched case-insensitively, as HTTP requires.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: String,
    /// The path without the query string, e.g. `/`.
    pub path: String,
    /// The raw query string without `?` (empty when there is none).
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// The first header with this name (case-insensitive).
fn find_header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
}

impl HttpRequest {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// An HTTP response as AWS would send it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// Identifies a response that is not ready yet (a waiting long poll).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PendingId(pub u64);

/// What [`Gateway::dispatch`] gives back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Dispatch {
    Ready(HttpResponse),
    /// The answer comes later, from [`Gateway::poll_completed`].
    Pending(PendingId),
}

/// A request waiting for the engine, and what its response needs to carry.
#[derive(Clone, Debug)]
struct Waiting {
    ticket: PollTicket,
    request_id: String,
}

/// The wire layer's own state: responses still owed, and the generator of
/// request ids. One gateway serves one engine.
pub struct Gateway {
    /// Long polls that have not answered yet, by the id the caller holds.
    waiting: BTreeMap<PendingId, Waiting>,
    next_pending: u64,
    /// Request ids (`x-amzn-RequestId`) come from their own seeded generator so
    /// that they are reproducible yet never disturb the engine's random stream.
    request_ids: Rng,
    /// Open event streams (SubscribeToShard), by the id in [`EVENT_STREAM_HEADER`].
    #[cfg(feature = "kinesis")]
    event_streams: BTreeMap<u64, decouple_engine::kinesis::fanout::SubscriptionId>,
    #[cfg(feature = "kinesis")]
    next_event_stream: u64,
}

/// An answer whose body goes on streaming (SubscribeToShard's events) carries
/// this header with an id; [`Gateway::poll_event_streams`] hands out the rest
/// of its body as the clock moves. It is this in-process transport's header,
/// not AWS's: over HTTP the body would simply keep flowing.
pub const EVENT_STREAM_HEADER: &str = "x-decouple-event-stream";

/// More body for a streaming answer: `bytes` to append, and whether the stream has ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StreamChunk {
    pub stream: u64,
    pub bytes: Vec<u8>,
    pub done: bool,
}

impl StreamChunk {
    /// How many event-stream messages `bytes` holds: each starts with its
    /// total length as a big-endian u32.
    pub fn messages(&self) -> u64 {
        let (mut at, mut count) = (0usize, 0u64);
        while let Some(prelude) = self.bytes.get(at..at + 4) {
            let total = u32::from_be_bytes([prelude[0], prelude[1], prelude[2], prelude[3]]) as usize;
            if total < 16 {
                break;
            }
            at += total;
            count += 1;
        }
        count
    }
}

/// Salt that keeps the request-id stream apart from the engine's own stream for the same seed.
const REQUEST_ID_SALT: u64 = 0x7769_7265_2d72_6571; // "wire-req"

impl Gateway {
    /// A gateway for `engine`, its request ids seeded from the engine's seed.
    pub fn new(engine: &Engine) -> Self {
        Gateway {
            waiting: BTreeMap::new(),
            next_pending: 1,
            request_ids: Rng::new(engine.config().seed ^ REQUEST_ID_SALT),
            #[cfg(feature = "kinesis")]
            event_streams: BTreeMap::new(),
            #[cfg(feature = "kinesis")]
            next_event_stream: 1,
        }
    }

    /// Answers one request, or parks it as pending (a long poll).
    pub fn dispatch(&mut self, engine: &mut Engine, req: &HttpRequest) -> Dispatch {
        let request_id = self.request_ids.uuid().to_string();
        let route = service::route(req);
        match (route.service, route.protocol) {
            (Some(Service::Sqs), Protocol::AwsJson1_0) => {
                match sqs_json::handle(engine, route.operation, &req.body, &request_id) {
                    sqs_json::Outcome::Ready(response) => Dispatch::Ready(response),
                    sqs_json::Outcome::Pending(ticket) => {
                        let id = PendingId(self.next_pending);
                        self.next_pending += 1;
                        self.waiting.insert(id, Waiting { ticket, request_id });
                        Dispatch::Pending(id)
                    }
                }
            }
            #[cfg(feature = "sns")]
            (Some(Service::Sns), Protocol::AwsQuery) => {
                let form = query::Form::from_request(req);
                Dispatch::Ready(sns_query::handle(engine, route.operation, &form, &request_id))
            }
            #[cfg(feature = "kinesis")]
            (Some(Service::Kinesis), Protocol::AwsJson1_1) if route.operation == "SubscribeToShard" => {
                match kinesis_json::subscribe(engine, &req.body, &request_id) {
                    Ok((subscription, mut response)) => {
                        let id = self.next_event_stream;
                        self.next_event_stream += 1;
                        self.event_streams.insert(id, subscription);
                        response.headers.push((EVENT_STREAM_HEADER.into(), id.to_string()));
                        Dispatch::Ready(response)
                    }
                    Err(response) => Dispatch::Ready(response),
                }
            }
            #[cfg(feature = "kinesis")]
            (Some(Service::Kinesis), Protocol::AwsJson1_1) => {
                Dispatch::Ready(kinesis_json::handle(engine, route.operation, &req.body, &request_id))
            }
            #[cfg(feature = "firehose")]
            (Some(Service::Firehose), Protocol::AwsJson1_1) => {
                Dispatch::Ready(firehose_json::handle(engine, route.operation, &req.body, &request_id))
            }
            #[cfg(feature = "s3")]
            (Some(Service::S3), Protocol::RestXml) => Dispatch::Ready(s3_rest::handle(engine, req, &request_id)),
            (service, Protocol::AwsQuery) => Dispatch::Ready(query::unknown_action(service, &request_id)),
            (service, protocol) => {
                Dispatch::Ready(json::unknown_operation(service, protocol, route.operation, &request_id))
            }
        }
    }

    /// Responses of pending requests that have finished since the last call,
    /// in the order they were dispatched. Call it after moving the clock and
    /// after dispatching anything (a send can wake a waiting poll at once).
    pub fn poll_completed(&mut self, engine: &mut Engine) -> Vec<(PendingId, HttpResponse)> {
        let mut done = Vec::new();
        self.waiting.retain(|&id, waiting| match engine.sqs().take_poll_result(waiting.ticket) {
            Some(result) => {
                done.push((id, sqs_json::receive_response(result, &waiting.request_id)));
                false
            }
            None => true,
        });
        done
    }

    /// Gives up a pending request (its caller went away): the long poll stops
    /// waiting and will never answer. Unknown ids are ignored.
    pub fn cancel(&mut self, engine: &mut Engine, id: PendingId) {
        if let Some(waiting) = self.waiting.remove(&id) {
            engine.sqs().cancel_poll(waiting.ticket);
            // If it had already finished, drop the answer nobody will read.
            let _ = engine.sqs().take_poll_result(waiting.ticket);
        }
    }

    /// Body bytes for streaming answers that got more since the last call
    /// (events pushed as the clock moved), and which of them ended. Call it
    /// after moving the clock, like [`Gateway::poll_completed`].
    pub fn poll_event_streams(&mut self, engine: &mut Engine) -> Vec<StreamChunk> {
        #[cfg(feature = "kinesis")]
        {
            let mut chunks = Vec::new();
            self.event_streams.retain(|&stream, subscription| {
                match engine.kinesis().take_subscription_events(*subscription) {
                    Some((events, end)) => {
                        let done = end.is_some();
                        if !events.is_empty() || done {
                            chunks.push(StreamChunk { stream, bytes: kinesis_json::encode_events(&events, end), done });
                        }
                        !done
                    }
                    None => {
                        chunks.push(StreamChunk { stream, bytes: Vec::new(), done: true });
                        false
                    }
                }
            });
            chunks
        }
        #[cfg(not(feature = "kinesis"))]
        {
            let _ = engine;
            Vec::new()
        }
    }

    /// How many requests wait for an answer.
    pub fn pending(&self) -> usize {
        self.waiting.len()
    }
}

/// The raw number, for callers that key their own maps by it (the JS bindings).
impl From<PendingId> for u64 {
    fn from(id: PendingId) -> u64 {
        id.0
    }
}
