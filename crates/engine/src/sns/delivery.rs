//! Deliveries to every endpoint but a queue: attempted at once, retried in
//! virtual time by the delivery policy when the endpoint fails, and sent to
//! the subscription's dead-letter queue (its RedrivePolicy) when retries run
//! out.
//!
//! Endpoints are simulated: healthy unless the learner marks one failing with
//! [`Sns::set_endpoint_healthy`], or makes an http(s) endpoint slow with
//! [`Sns::set_endpoint_latency`] — controls of the simulation, not AWS APIs.
//! A slow endpoint's answer arrives after its latency; one slower than
//! [`HTTP_TIMEOUT`] has still received the notification, but SNS counts the
//! attempt as failed and retries it, so the endpoint sees it again.

use alloc::string::{String, ToString};

use serde_json::Value;

use super::{EndpointDelivery, Protocol, Sns, SnsState, KEPT_DELIVERIES};
use crate::engine::{Core, Deadline};
use crate::event::Event;
use crate::sqs::{Outgoing, Sqs, SqsState};
use crate::time::{SimDuration, SimTime};

/// How long SNS waits for an http(s) endpoint to answer a notification
/// before it counts the attempt as failed.
pub const HTTP_TIMEOUT: SimDuration = SimDuration::from_secs(15);

/// A delivery waiting for its next attempt, or for a slow endpoint's answer.
#[derive(Clone, Debug)]
pub struct PendingDelivery {
    subscription_arn: String,
    /// The published message's id (a device shows it with the notification).
    message_id: String,
    body: String,
    /// Attempts made so far.
    attempts: u32,
    /// When the delivery policy tries again, or when the answer arrives (or the wait times out).
    next_attempt: SimTime,
    /// Set while a slow endpoint works on the attempt: how long it takes to answer.
    answering_in: Option<SimDuration>,
}

impl PendingDelivery {
    pub fn subscription_arn(&self) -> &str {
        &self.subscription_arn
    }
    /// Attempts made so far (the first delivery counts).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
    /// When the delivery policy tries again (or, while [`Self::awaiting_answer`], when the wait ends).
    pub fn next_attempt(&self) -> SimTime {
        self.next_attempt
    }
    /// Whether a slow endpoint has the notification and SNS is waiting for its answer.
    pub fn awaiting_answer(&self) -> bool {
        self.answering_in.is_some()
    }
}

/// An HTTP/S retry policy: AWS's four phases, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub num_retries: u32,
    pub num_no_delay_retries: u32,
    pub min_delay_target: u32,
    pub num_min_delay_retries: u32,
    pub max_delay_target: u32,
    pub num_max_delay_retries: u32,
    pub exponential: bool,
}

impl Default for RetryPolicy {
    /// AWS's default for HTTP/S: three retries 20 seconds apart.
    fn default() -> Self {
        RetryPolicy {
            num_retries: 3,
            num_no_delay_retries: 0,
            min_delay_target: 20,
            num_min_delay_retries: 0,
            max_delay_target: 20,
            num_max_delay_retries: 0,
            exponential: false,
        }
    }
}

impl RetryPolicy {
    /// AWS's policy for AWS-managed endpoints (Lambda, Firehose): 3 immediate
    /// retries, 2 one second apart, 10 backing off from 1 s to 20 s, then
    /// 100,000 twenty seconds apart — 100,015 retries over about 23 days.
    pub const AWS_MANAGED: RetryPolicy = RetryPolicy {
        num_retries: 100_015,
        num_no_delay_retries: 3,
        min_delay_target: 1,
        num_min_delay_retries: 2,
        max_delay_target: 20,
        num_max_delay_retries: 100_000,
        exponential: true,
    };

    /// AWS's policy for customer-managed endpoints (email, SMS, mobile push):
    /// 2 retries 10 s apart, 10 backing off from 10 s to 600 s, then 38 ten
    /// minutes apart — 50 retries over about 6 hours.
    pub const CUSTOMER_MANAGED: RetryPolicy = RetryPolicy {
        num_retries: 50,
        num_no_delay_retries: 0,
        min_delay_target: 10,
        num_min_delay_retries: 2,
        max_delay_target: 600,
        num_max_delay_retries: 38,
        exponential: true,
    };

    /// Reads a `healthyRetryPolicy` object, keeping defaults for what it leaves out.
    fn from_json(policy: &Value) -> RetryPolicy {
        let mut p = RetryPolicy::default();
        let n = |key: &str, into: &mut u32| {
            if let Some(v) = policy.get(key).and_then(Value::as_u64) {
                *into = v.min(100) as u32;
            }
        };
        n("numRetries", &mut p.num_retries);
        n("numNoDelayRetries", &mut p.num_no_delay_retries);
        n("minDelayTarget", &mut p.min_delay_target);
        n("numMinDelayRetries", &mut p.num_min_delay_retries);
        n("maxDelayTarget", &mut p.max_delay_target);
        n("numMaxDelayRetries", &mut p.num_max_delay_retries);
        p.exponential = policy.get("backoffFunction").and_then(Value::as_str) == Some("exponential");
        p
    }

    /// The wait before retry `n` (0-based), or `None` when retries are exhausted.
    pub fn delay_before_retry(&self, n: u32) -> Option<u32> {
        if n >= self.num_retries {
            return None;
        }
        let fixed = self.num_no_delay_retries + self.num_min_delay_retries + self.num_max_delay_retries;
        let backoff = self.num_retries.saturating_sub(fixed);
        let (min, max) = (self.min_delay_target, self.max_delay_target.max(self.min_delay_target));
        Some(if n < self.num_no_delay_retries {
            0
        } else if n < self.num_no_delay_retries + self.num_min_delay_retries {
            min
        } else if n < self.num_no_delay_retries + self.num_min_delay_retries + backoff {
            let i = n - self.num_no_delay_retries - self.num_min_delay_retries + 1;
            if self.exponential {
                let grown = u64::from(min.max(1)) << i.min(20);
                (grown.min(u64::from(max))) as u32
            } else {
                min + (max - min) * i / backoff.max(1)
            }
        } else {
            max
        })
    }
}

impl Sns<'_> {
    /// Marks a simulated endpoint (an http(s) URL, a Lambda function's ARN,
    /// an email address, ...) as answering (true) or failing (false).
    pub fn set_endpoint_healthy(&mut self, endpoint: &str, healthy: bool) {
        if healthy {
            self.state.failing_endpoints.remove(endpoint);
        } else {
            self.state.failing_endpoints.insert(endpoint.to_string());
        }
    }

    /// The retry policy for a subscription. http(s): its own DeliveryPolicy,
    /// else the topic's `http.defaultHealthyRetryPolicy`, else AWS's default.
    /// Other protocols: AWS's fixed policy for AWS-managed or customer-managed
    /// endpoints (only http(s) policies can be changed).
    fn retry_policy(&self, subscription_arn: &str) -> RetryPolicy {
        let Some(s) = self.state.subscriptions.get(subscription_arn) else { return RetryPolicy::default() };
        match s.protocol {
            super::Protocol::Http | super::Protocol::Https => {}
            super::Protocol::Lambda | super::Protocol::Firehose | super::Protocol::Sqs => {
                return RetryPolicy::AWS_MANAGED
            }
            _ => return RetryPolicy::CUSTOMER_MANAGED,
        }
        let own = s.attributes.get("DeliveryPolicy").and_then(|p| serde_json::from_str::<Value>(p).ok());
        if let Some(policy) = own.as_ref().and_then(|p| p.get("healthyRetryPolicy")) {
            return RetryPolicy::from_json(policy);
        }
        let topic = self.topic(&s.topic_arn).ok().and_then(|t| t.attributes.get("DeliveryPolicy").cloned());
        let topic = topic.and_then(|p| serde_json::from_str::<Value>(&p).ok());
        match topic.as_ref().and_then(|p| p.get("http")).and_then(|h| h.get("defaultHealthyRetryPolicy")) {
            Some(policy) => RetryPolicy::from_json(policy),
            None => RetryPolicy::default(),
        }
    }

    /// One attempt to deliver to a simulated endpoint (anything but a queue);
    /// schedules the next one when it fails, or dead-letters the message when
    /// none is left. A slow http(s) endpoint first gets the notification and
    /// answers later (see [`Sns::answer_arrives`]).
    pub(crate) fn attempt_delivery(&mut self, subscription_arn: &str, message_id: String, body: String, attempts: u32) {
        let Some(s) = self.state.subscriptions.get(subscription_arn) else { return };
        let (endpoint, topic_arn, protocol) = (s.endpoint.clone(), s.topic_arn.clone(), s.protocol);
        if self.state.failing_endpoints.contains(&endpoint) {
            self.retry_or_give_up(subscription_arn, message_id, body, attempts);
            return;
        }
        if protocol == Protocol::Application {
            // A device that is gone or disabled is not retried: SNS counts the
            // notification as failed at once.
            if let Err(reason) = self.push_to_device(&endpoint, &message_id, body.clone()) {
                let topic = self.topic_name(&topic_arn);
                self.bump(&topic_arn, |stats| stats.failed += 1);
                self.core.emit(Event::NotificationFailed { topic, endpoint, reason });
                return;
            }
        }
        let latency = self.state.endpoint_latency.get(&endpoint).copied().unwrap_or(SimDuration::ZERO);
        if matches!(protocol, Protocol::Http | Protocol::Https) && latency > SimDuration::ZERO {
            let wait = if latency < HTTP_TIMEOUT { latency } else { HTTP_TIMEOUT };
            self.schedule(PendingDelivery {
                subscription_arn: subscription_arn.to_string(),
                message_id,
                body,
                attempts,
                next_attempt: self.core.now + wait,
                answering_in: Some(latency),
            });
            return;
        }
        self.record_arrival(subscription_arn, body);
        self.delivered(subscription_arn);
    }

    /// A slow endpoint's answer arrives, or SNS's wait for it times out; either
    /// way the endpoint has the notification.
    fn answer_arrives(&mut self, pending: PendingDelivery, latency: SimDuration) {
        let PendingDelivery { subscription_arn, message_id, body, attempts, .. } = pending;
        self.record_arrival(&subscription_arn, body.clone());
        if latency < HTTP_TIMEOUT {
            self.delivered(&subscription_arn);
            return;
        }
        if let Some(s) = self.state.subscriptions.get(&subscription_arn) {
            let (endpoint, topic_arn) = (s.endpoint.clone(), s.topic_arn.clone());
            let topic = self.topic_name(&topic_arn);
            self.core.emit(Event::NotificationTimedOut { topic, endpoint });
        }
        self.retry_or_give_up(&subscription_arn, message_id, body, attempts);
    }

    fn topic_name(&self, topic_arn: &str) -> alloc::rc::Rc<str> {
        self.topic(topic_arn).map(|t| t.name.clone()).unwrap_or_else(|_| "".into())
    }

    /// What the endpoint received, newest last.
    fn record_arrival(&mut self, subscription_arn: &str, body: String) {
        let now = self.core.now;
        if let Some(s) = self.state.subscriptions.get_mut(subscription_arn) {
            if s.deliveries.len() == KEPT_DELIVERIES {
                s.deliveries.pop_front();
            }
            s.deliveries.push_back(EndpointDelivery { at: now, body });
        }
    }

    fn delivered(&mut self, subscription_arn: &str) {
        let Some(s) = self.state.subscriptions.get(subscription_arn) else { return };
        let (endpoint, topic_arn, protocol) = (s.endpoint.clone(), s.topic_arn.clone(), s.protocol.as_str());
        let topic = self.topic_name(&topic_arn);
        self.bump(&topic_arn, |stats| stats.delivered += 1);
        self.core.emit(Event::NotificationDelivered { topic, protocol, endpoint });
    }

    /// A failed attempt: the policy's next retry, or the dead-letter queue when none is left.
    fn retry_or_give_up(&mut self, subscription_arn: &str, message_id: String, body: String, attempts: u32) {
        let Some(s) = self.state.subscriptions.get(subscription_arn) else { return };
        let (endpoint, topic_arn) = (s.endpoint.clone(), s.topic_arn.clone());
        let topic = self.topic_name(&topic_arn);
        match self.retry_policy(subscription_arn).delay_before_retry(attempts) {
            Some(delay) => {
                let at = self.core.now + SimDuration::from_secs(u64::from(delay));
                self.schedule(PendingDelivery {
                    subscription_arn: subscription_arn.to_string(),
                    message_id,
                    body,
                    attempts: attempts + 1,
                    next_attempt: at,
                    answering_in: None,
                });
                self.core.emit(Event::NotificationRetrying { topic, endpoint, retry: attempts + 1, at });
            }
            None => {
                let reason = self.dead_letter(subscription_arn, &topic_arn, body);
                self.bump(&topic_arn, |stats| stats.failed += 1);
                self.core.emit(Event::NotificationFailed { topic, endpoint, reason });
            }
        }
    }

    fn schedule(&mut self, pending: PendingDelivery) {
        let id = self.state.next_delivery;
        self.state.next_delivery += 1;
        self.core.deadlines.schedule(pending.next_attempt, Deadline::SnsDeliveryRetry { delivery: id });
        self.state.retries.insert(id, pending);
    }

    /// Makes a simulated http(s) endpoint take `latency` to answer each
    /// notification (zero: at once). A control of the simulation, not an AWS API.
    pub fn set_endpoint_latency(&mut self, endpoint: &str, latency: SimDuration) {
        if latency == SimDuration::ZERO {
            self.state.endpoint_latency.remove(endpoint);
        } else {
            self.state.endpoint_latency.insert(endpoint.into(), latency);
        }
    }

    /// Sends an undeliverable message to the subscription's dead-letter queue.
    fn dead_letter(&mut self, subscription_arn: &str, topic_arn: &str, body: String) -> String {
        let dlq =
            self.state.subscriptions.get(subscription_arn).and_then(|s| s.attributes.get("RedrivePolicy")).and_then(
                |p| serde_json::from_str::<Value>(p).ok()?.get("deadLetterTargetArn")?.as_str().map(String::from),
            );
        let Some(dlq) = dlq else { return "delivery retries exhausted".into() };
        let outgoing = Outgoing::body_only(body);
        match Sqs::new(self.core, self.sqs).deliver_as_service(&dlq, "sns.amazonaws.com", topic_arn, outgoing) {
            Ok(()) => "delivery retries exhausted; moved to the subscription's dead-letter queue".into(),
            Err(why) => alloc::format!("delivery retries exhausted; the dead-letter queue refused it: {why}"),
        }
    }
}

/// Performs one SNS deadline that has come due.
pub(crate) fn on_deadline(core: &mut Core, state: &mut SnsState, sqs: &mut SqsState, deadline: Deadline) {
    if let Deadline::SnsDeliveryRetry { delivery } = deadline {
        if let Some(pending) = state.retries.remove(&delivery) {
            let mut sns = Sns::new(core, state, sqs);
            match pending.answering_in {
                Some(latency) => sns.answer_arrives(pending, latency),
                None => {
                    let PendingDelivery { subscription_arn, message_id, body, attempts, .. } = pending;
                    sns.attempt_delivery(&subscription_arn, message_id, body, attempts);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn aws_and_customer_managed_policies_have_awss_phases() {
        let managed: Vec<u32> = (0..16).filter_map(|n| RetryPolicy::AWS_MANAGED.delay_before_retry(n)).collect();
        assert_eq!(managed, [0, 0, 0, 1, 1, 2, 4, 8, 16, 20, 20, 20, 20, 20, 20, 20]);
        assert_eq!(RetryPolicy::AWS_MANAGED.delay_before_retry(100_014), Some(20));
        assert_eq!(RetryPolicy::AWS_MANAGED.delay_before_retry(100_015), None);
        let customer: Vec<u32> = (0..13).filter_map(|n| RetryPolicy::CUSTOMER_MANAGED.delay_before_retry(n)).collect();
        assert_eq!(customer, [10, 10, 20, 40, 80, 160, 320, 600, 600, 600, 600, 600, 600]);
        assert_eq!(RetryPolicy::CUSTOMER_MANAGED.delay_before_retry(50), None);
    }

    #[test]
    fn default_policy_is_three_retries_twenty_seconds_apart() {
        let p = RetryPolicy::default();
        let delays: Vec<Option<u32>> = (0..4).map(|n| p.delay_before_retry(n)).collect();
        assert_eq!(delays, [Some(20), Some(20), Some(20), None]);
    }

    #[test]
    fn phases_follow_aws_order() {
        let policy = serde_json::json!({"numRetries": 6, "numNoDelayRetries": 1, "minDelayTarget": 2,
            "numMinDelayRetries": 1, "maxDelayTarget": 10, "numMaxDelayRetries": 1, "backoffFunction": "linear"});
        let p = RetryPolicy::from_json(&policy);
        let delays: Vec<u32> = (0..6).filter_map(|n| p.delay_before_retry(n)).collect();
        assert_eq!(delays, [0, 2, 4, 7, 10, 10]);
        assert_eq!(p.delay_before_retry(6), None);
    }
}
