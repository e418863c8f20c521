//! Amazon SNS: topics, subscriptions and fan-out, as AWS behaves today.
//!
//! # Layout
//! - [`model`]: the typed API (request and response structs per action).
//! - [`error`]: errors by their query-protocol codes, with AWS's messages.
//! - [`filter`]: subscription filter policies — parsing with AWS's validation
//!   rules and messages, and matching against message attributes or a JSON
//!   message body.
//! - `topics`: create, list, attributes, delete, tags.
//! - `subscriptions`: subscribe, confirm, unsubscribe, list, attributes.
//! - `publish`: Publish and PublishBatch, the SQS notification envelope, and
//!   delivery to each subscription.
//!
//! Delivery to SQS happens at the instant of the publish, through the queue's
//! own SendMessage path (so the queue's limits, FIFO rules and long polls all
//! apply). Other protocols (`http`, `email`, `lambda`, ...) are recorded on
//! the subscription as deliveries a learner can inspect.

pub mod delivery;
pub mod error;
pub mod filter;
pub mod model;
pub mod platform;

mod publish;
mod subscriptions;
mod topics;

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;

pub use error::{SnsError, SnsErrorCode};
use filter::{FilterPolicy, FilterPolicyScope};
pub use model::*;

use crate::engine::Core;
use crate::rng::Uuid;
use crate::sqs::SqsState;
use crate::time::SimTime;

/// A topic's name, shared cheaply between the topic and its events.
pub type TopicName = Rc<str>;

/// Every topic and subscription in the account.
#[derive(Clone, Debug, Default)]
pub struct SnsState {
    topics: BTreeMap<String, Topic>,
    /// Subscriptions by ARN.
    subscriptions: BTreeMap<String, Subscription>,
    /// Simulated http(s) endpoints that fail every delivery.
    failing_endpoints: alloc::collections::BTreeSet<String>,
    /// Deliveries waiting for a retry, by id.
    /// How long each slow http(s) endpoint takes to answer (the simulation's control).
    endpoint_latency: BTreeMap<String, crate::time::SimDuration>,
    retries: BTreeMap<u64, delivery::PendingDelivery>,
    next_delivery: u64,
    /// Mobile push: platform applications and their device endpoints.
    platforms: platform::Platforms,
}

impl SnsState {
    pub fn topics(&self) -> impl Iterator<Item = &Topic> {
        self.topics.values()
    }
    pub fn topic_by_name(&self, name: &str) -> Option<&Topic> {
        self.topics.get(name)
    }
    pub fn subscriptions(&self) -> impl Iterator<Item = &Subscription> {
        self.subscriptions.values()
    }

    pub fn platform_applications(&self) -> impl Iterator<Item = &platform::PlatformApplication> {
        self.platforms.applications.values()
    }

    /// A device endpoint, with the notifications it received.
    pub fn platform_endpoint(&self, arn: &str) -> Option<&platform::PlatformEndpoint> {
        self.platforms.endpoints.get(arn)
    }

    /// http(s) deliveries waiting for their next attempt, in the order they
    /// were scheduled, with when and how often they were tried.
    pub fn pending_deliveries(&self) -> impl Iterator<Item = &delivery::PendingDelivery> {
        self.retries.values()
    }

    /// Whether a simulated endpoint (anything but a queue) currently fails
    /// every delivery (see `Sns::set_endpoint_healthy`).
    pub fn is_endpoint_failing(&self, endpoint: &str) -> bool {
        self.failing_endpoints.contains(endpoint)
    }

    /// How long a simulated http(s) endpoint takes to answer (zero: at once).
    pub fn endpoint_latency(&self, endpoint: &str) -> crate::time::SimDuration {
        self.endpoint_latency.get(endpoint).copied().unwrap_or(crate::time::SimDuration::ZERO)
    }

    /// Every simulated endpoint made slow, with its latency, in order.
    pub fn slow_endpoints(&self) -> impl Iterator<Item = (&str, crate::time::SimDuration)> {
        self.endpoint_latency.iter().map(|(e, l)| (e.as_str(), *l))
    }

    /// Every simulated endpoint currently made to fail, in order.
    pub fn failing_endpoints(&self) -> impl Iterator<Item = &str> {
        self.failing_endpoints.iter().map(String::as_str)
    }

    pub(crate) fn describe_retry(&self, delivery: u64) -> String {
        let pending = self.retries.get(&delivery);
        match pending.and_then(|d| Some((d, self.subscriptions.get(d.subscription_arn())?))) {
            Some((d, s)) => format!(
                "{}: {} {}",
                s.topic_arn.rsplit(':').next().unwrap_or_default(),
                if d.awaiting_answer() {
                    "the answer (or SNS's 15 s timeout) from"
                } else {
                    "retry the notification to"
                },
                s.endpoint
            ),
            None => "a notification retry".into(),
        }
    }
}

/// Counters for CloudWatch-style charts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TopicStats {
    pub published: u64,
    pub delivered: u64,
    pub failed: u64,
    pub filtered_out: u64,
}

/// A FIFO topic remembers deduplication ids for 5 minutes.
#[derive(Clone, Debug)]
pub(crate) struct SeenPublish {
    message_id: Uuid,
    sequence_number: u128,
    at: SimTime,
}

#[derive(Clone, Debug)]
pub struct Topic {
    pub name: TopicName,
    pub arn: String,
    pub fifo: bool,
    /// Settable attributes as last set (AWS echoes them back as given).
    pub attributes: BTreeMap<String, String>,
    pub created_at: SimTime,
    pub tags: BTreeMap<String, String>,
    pub stats: TopicStats,
    pub(crate) next_sequence_number: u128,
    pub(crate) dedup: BTreeMap<String, SeenPublish>,
}

impl Topic {
    pub fn content_based_deduplication(&self) -> bool {
        self.attributes.get("ContentBasedDeduplication").is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }
}

/// The delivery protocols SNS supports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protocol {
    Http,
    Https,
    Email,
    EmailJson,
    Sms,
    Sqs,
    Application,
    Lambda,
    Firehose,
}

impl Protocol {
    pub fn parse(text: &str) -> Option<Protocol> {
        Some(match text {
            "http" => Protocol::Http,
            "https" => Protocol::Https,
            "email" => Protocol::Email,
            "email-json" => Protocol::EmailJson,
            "sms" => Protocol::Sms,
            "sqs" => Protocol::Sqs,
            "application" => Protocol::Application,
            "lambda" => Protocol::Lambda,
            "firehose" => Protocol::Firehose,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Http => "http",
            Protocol::Https => "https",
            Protocol::Email => "email",
            Protocol::EmailJson => "email-json",
            Protocol::Sms => "sms",
            Protocol::Sqs => "sqs",
            Protocol::Application => "application",
            Protocol::Lambda => "lambda",
            Protocol::Firehose => "firehose",
        }
    }

    /// Endpoints outside the account must confirm before they receive anything.
    fn needs_confirmation(self) -> bool {
        matches!(self, Protocol::Http | Protocol::Https | Protocol::Email | Protocol::EmailJson)
    }
}

/// What a non-SQS endpoint received, kept for a learner to inspect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointDelivery {
    pub at: SimTime,
    pub body: String,
}

/// How many deliveries an endpoint keeps (the newest).
pub const KEPT_DELIVERIES: usize = 50;

#[derive(Clone, Debug)]
pub struct Subscription {
    pub arn: String,
    pub topic_arn: String,
    pub protocol: Protocol,
    pub endpoint: String,
    pub owner: String,
    /// Set while the endpoint has not confirmed; the token ConfirmSubscription takes.
    pub pending_token: Option<String>,
    pub raw_message_delivery: bool,
    /// The policy as the caller wrote it, and compiled.
    pub filter_policy: Option<(String, FilterPolicy)>,
    pub filter_policy_scope: FilterPolicyScope,
    /// Other settable attributes (DeliveryPolicy, RedrivePolicy, ...), as given.
    pub attributes: BTreeMap<String, String>,
    pub deliveries: VecDeque<EndpointDelivery>,
}

/// The SNS API, borrowed from an [`crate::Engine`] with `engine.sns()`.
pub struct Sns<'a> {
    core: &'a mut Core,
    state: &'a mut SnsState,
    /// Fan-out writes into queues through SQS's own send path.
    sqs: &'a mut SqsState,
}

impl<'a> Sns<'a> {
    pub(crate) fn new(core: &'a mut Core, state: &'a mut SnsState, sqs: &'a mut SqsState) -> Self {
        Sns { core, state, sqs }
    }

    fn topic_arn(&self, name: &str) -> String {
        format!("arn:aws:sns:{}:{}:{}", self.core.config.region, self.core.config.account_id, name)
    }

    /// Finds a topic by ARN, with AWS's errors for malformed and unknown ARNs.
    fn topic_name_from_arn<'t>(&self, arn: &'t str, parameter: &str) -> Result<&'t str, SnsError> {
        let elements = arn.split(':').count();
        if elements < 6 {
            return Err(SnsError::invalid(format!(
                "{parameter} Reason: An ARN must have at least 6 elements, not {elements}"
            )));
        }
        let mut parts = arn.splitn(6, ':');
        let (arn_lit, _partition, service, region, account) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next());
        let ours = arn_lit == Some("arn")
            && service == Some("sns")
            && region == Some(self.core.config.region.as_str())
            && account == Some(self.core.config.account_id.as_str());
        match parts.next() {
            Some(name) if ours => Ok(name),
            _ => Err(SnsError::topic_not_found()),
        }
    }

    fn topic_mut(&mut self, arn: &str) -> Result<&mut Topic, SnsError> {
        let name = String::from(self.topic_name_from_arn(arn, "TopicArn")?);
        self.state.topics.get_mut(&name).ok_or_else(SnsError::topic_not_found)
    }

    fn topic(&self, arn: &str) -> Result<&Topic, SnsError> {
        let name = self.topic_name_from_arn(arn, "TopicArn")?;
        self.state.topics.get(name).ok_or_else(SnsError::topic_not_found)
    }
}

/// A page of an ordered list, with SNS's error for a bad token.
pub(crate) fn page<'k>(
    keys: impl Iterator<Item = &'k str>,
    next_token: Option<&str>,
    size: usize,
) -> Result<(alloc::vec::Vec<&'k str>, Option<String>), SnsError> {
    let after = crate::page::resume_after(next_token).map_err(|()| SnsError::invalid("NextToken"))?;
    Ok(crate::page::take(keys, after.as_deref(), size, true))
}
