//! Subscriptions: Subscribe, ConfirmSubscription, Unsubscribe, listing and
//! subscription attributes.

use alloc::borrow::ToOwned;
use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::error::SnsError;
use super::filter::{FilterPolicy, FilterPolicyScope};
use super::model::*;
use super::{page, Protocol, Sns, Subscription};
use crate::event::Event;

const LIST_PAGE: usize = 100;
/// Answered instead of an ARN while an endpoint has not confirmed.
pub const PENDING_CONFIRMATION: &str = "pending confirmation";
const SETTABLE: &[&str] = &[
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "SubscriptionRoleArn",
    "ReplayPolicy",
];

impl Sns<'_> {
    pub fn subscribe(&mut self, req: Subscribe) -> Result<SubscribeResult, SnsError> {
        let topic = self.topic(&req.topic_arn)?;
        let (topic_arn, topic_fifo, topic_name) = (topic.arn.clone(), topic.fifo, topic.name.clone());
        let protocol = Protocol::parse(&req.protocol).ok_or_else(|| {
            SnsError::invalid(format!("Amazon SNS does not support this protocol string: {}", req.protocol))
        })?;
        let endpoint = req.endpoint.unwrap_or_default();
        self.check_endpoint(protocol, &endpoint, topic_fifo)?;
        for name in req.attributes.keys() {
            if !SETTABLE.contains(&name.as_str()) {
                return Err(SnsError::invalid("Attributes Reason: Unknown attribute"));
            }
        }
        let mut subscription = Subscription {
            arn: String::new(),
            topic_arn: topic_arn.clone(),
            protocol,
            endpoint,
            owner: self.core.config.account_id.clone(),
            pending_token: None,
            raw_message_delivery: false,
            filter_policy: None,
            filter_policy_scope: FilterPolicyScope::default(),
            attributes: BTreeMap::new(),
            deliveries: VecDeque::new(),
        };
        let mut attributes: Vec<(&String, &String)> = req.attributes.iter().collect();
        // The scope decides how the policy is parsed, so it is applied first.
        attributes.sort_by_key(|(name, _)| name.as_str() != "FilterPolicyScope");
        for (name, value) in attributes {
            apply_attribute(&mut subscription, name, value)
                .map_err(|reason| SnsError::invalid(format!("Attributes Reason: {reason}")))?;
        }
        // Subscribing the same endpoint again returns the same subscription.
        if let Some(existing) = self
            .state
            .subscriptions
            .values()
            .find(|s| s.topic_arn == topic_arn && s.protocol == protocol && s.endpoint == subscription.endpoint)
        {
            let same =
                req.attributes.iter().all(|(k, v)| existing_attribute(existing, k).as_deref() == Some(v.as_str()));
            if !same {
                return Err(SnsError::invalid(
                    "Attributes Reason: Subscription already exists with different attributes",
                ));
            }
            let arn = if existing.pending_token.is_some() && !req.return_subscription_arn {
                PENDING_CONFIRMATION.to_owned()
            } else {
                existing.arn.clone()
            };
            return Ok(SubscribeResult { subscription_arn: arn });
        }
        subscription.arn = format!("{topic_arn}:{}", self.core.rng.uuid());
        if protocol.needs_confirmation() {
            let mut token = [0u8; 64];
            self.core.rng.fill(&mut token);
            let token = crate::hex::encode(&token[..32]) + &crate::hex::encode(&token[32..]);
            // The endpoint receives the token in a SubscriptionConfirmation, as from AWS.
            let confirmation = self.confirmation_message(&topic_arn, &token);
            subscription.deliveries.push_back(super::EndpointDelivery { at: self.core.now, body: confirmation });
            subscription.pending_token = Some(token);
        }
        let pending = subscription.pending_token.is_some();
        let arn = if pending && !req.return_subscription_arn {
            PENDING_CONFIRMATION.to_owned()
        } else {
            subscription.arn.clone()
        };
        self.core.emit(Event::Subscribed {
            topic: topic_name,
            protocol: protocol.as_str(),
            endpoint: subscription.endpoint.clone(),
            pending,
        });
        self.state.subscriptions.insert(subscription.arn.clone(), subscription);
        Ok(SubscribeResult { subscription_arn: arn })
    }

    /// The SubscriptionConfirmation document AWS sends to http(s) and email endpoints.
    fn confirmation_message(&mut self, topic_arn: &str, token: &str) -> String {
        let region = self.core.config.region.clone();
        let quoted = |s: &str| serde_json::Value::String(s.into()).to_string();
        let message = format!(
            "You have chosen to subscribe to the topic {topic_arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message."
        );
        let subscribe_url = format!(
            "https://sns.{region}.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic_arn}&Token={token}"
        );
        format!(
            "{{\n  \"Type\" : \"SubscriptionConfirmation\",\n  \"MessageId\" : {},\n  \"Token\" : {},\n  \"TopicArn\" : {},\n  \"Message\" : {},\n  \"SubscribeURL\" : {},\n  \"Timestamp\" : {}\n}}",
            quoted(&self.core.rng.uuid().to_canonical_string()),
            quoted(token),
            quoted(topic_arn),
            quoted(&message),
            quoted(&subscribe_url),
            quoted(&self.core.now.to_iso8601()),
        )
    }

    fn check_endpoint(&self, protocol: Protocol, endpoint: &str, topic_fifo: bool) -> Result<(), SnsError> {
        let bad_endpoint = || SnsError::invalid(format!("{} endpoint", protocol_label(protocol)));
        match protocol {
            Protocol::Sqs => {
                let parts: Vec<&str> = endpoint.split(':').collect();
                if parts.len() != 6 || parts[0] != "arn" || parts[2] != "sqs" {
                    return Err(SnsError::invalid("SQS endpoint ARN"));
                }
                if parts[5].ends_with(".fifo") && !topic_fifo {
                    return Err(SnsError::invalid(
                        "Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics",
                    ));
                }
                Ok(())
            }
            Protocol::Http if !endpoint.starts_with("http://") => Err(bad_endpoint()),
            Protocol::Https if !endpoint.starts_with("https://") => Err(bad_endpoint()),
            Protocol::Email | Protocol::EmailJson if !endpoint.contains('@') => Err(SnsError::invalid("Email address")),
            Protocol::Lambda | Protocol::Firehose | Protocol::Application if !endpoint.starts_with("arn:") => Err(bad_endpoint()),
            _ if endpoint.is_empty() => Err(SnsError::invalid("Endpoint")),
            _ if topic_fifo && !matches!(protocol, Protocol::Sqs | Protocol::Firehose) => Err(SnsError::invalid(format!(
                "Invalid parameter: Endpoint Reason: Please use FIFO SQS queue or Firehose as subscription endpoint for FIFO topic, {} is not supported",
                protocol.as_str()
            ))),
            _ => Ok(()),
        }
    }

    pub fn confirm_subscription(&mut self, req: ConfirmSubscription) -> Result<SubscribeResult, SnsError> {
        let topic_arn = self.topic(&req.topic_arn)?.arn.clone();
        let subscription = self
            .state
            .subscriptions
            .values_mut()
            .find(|s| s.topic_arn == topic_arn && s.pending_token.as_deref() == Some(req.token.as_str()))
            .ok_or_else(|| SnsError::invalid("Token"))?;
        subscription.pending_token = None;
        Ok(SubscribeResult { subscription_arn: subscription.arn.clone() })
    }

    pub fn unsubscribe(&mut self, req: Unsubscribe) -> Result<(), SnsError> {
        if req.subscription_arn.split(':').count() < 7 {
            return Err(SnsError::invalid("SubscriptionArn"));
        }
        match self.state.subscriptions.remove(&req.subscription_arn) {
            Some(subscription) => {
                let topic = subscription.topic_arn.rsplit(':').next().unwrap_or_default().into();
                self.core.emit(Event::Unsubscribed { topic, endpoint: subscription.endpoint });
                Ok(())
            }
            None => Err(SnsError::subscription_not_found()),
        }
    }

    pub fn list_subscriptions(&mut self, req: ListSubscriptions) -> Result<ListSubscriptionsResult, SnsError> {
        self.list_where(|_| true, req.next_token.as_deref())
    }

    pub fn list_subscriptions_by_topic(
        &mut self,
        req: ListSubscriptionsByTopic,
    ) -> Result<ListSubscriptionsResult, SnsError> {
        let topic_arn = self.topic(&req.topic_arn)?.arn.clone();
        self.list_where(|s| s.topic_arn == topic_arn, req.next_token.as_deref())
    }

    fn list_where(
        &self,
        keep: impl Fn(&Subscription) -> bool,
        next_token: Option<&str>,
    ) -> Result<ListSubscriptionsResult, SnsError> {
        let arns = self.state.subscriptions.values().filter(|s| keep(s)).map(|s| s.arn.as_str());
        let (arns, next_token) = page(arns, next_token, LIST_PAGE)?;
        let subscriptions = arns
            .into_iter()
            .map(|arn| {
                let s = &self.state.subscriptions[arn];
                SubscriptionSummary {
                    subscription_arn: if s.pending_token.is_some() {
                        "PendingConfirmation".into()
                    } else {
                        s.arn.clone()
                    },
                    owner: s.owner.clone(),
                    protocol: s.protocol.as_str().into(),
                    endpoint: s.endpoint.clone(),
                    topic_arn: s.topic_arn.clone(),
                }
            })
            .collect();
        Ok(ListSubscriptionsResult { subscriptions, next_token })
    }

    pub fn get_subscription_attributes(
        &mut self,
        req: GetSubscriptionAttributes,
    ) -> Result<AttributesResult, SnsError> {
        let s = self.state.subscriptions.get(&req.subscription_arn).ok_or_else(SnsError::subscription_not_found)?;
        let mut attributes: Attributes = s.attributes.clone();
        let mut put = |k: &str, v: String| {
            attributes.insert(k.into(), v);
        };
        put("SubscriptionArn", s.arn.clone());
        put("TopicArn", s.topic_arn.clone());
        put("Protocol", s.protocol.as_str().into());
        put("Endpoint", s.endpoint.clone());
        put("Owner", s.owner.clone());
        put("PendingConfirmation", s.pending_token.is_some().to_string());
        put("ConfirmationWasAuthenticated", (s.pending_token.is_none()).to_string());
        put("RawMessageDelivery", s.raw_message_delivery.to_string());
        put("SubscriptionPrincipal", format!("arn:aws:iam::{}:root", s.owner));
        if let Some((text, _)) = &s.filter_policy {
            put("FilterPolicy", text.clone());
            put("FilterPolicyScope", s.filter_policy_scope.as_str().into());
        }
        Ok(AttributesResult { attributes })
    }

    pub fn set_subscription_attributes(&mut self, req: SetSubscriptionAttributes) -> Result<(), SnsError> {
        let s = self.state.subscriptions.get_mut(&req.subscription_arn).ok_or_else(SnsError::subscription_not_found)?;
        if !SETTABLE.contains(&req.attribute_name.as_str()) {
            return Err(SnsError::invalid("AttributeName"));
        }
        let value = req.attribute_value.unwrap_or_default();
        apply_attribute(s, &req.attribute_name, &value).map_err(SnsError::invalid)
    }
}

fn protocol_label(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Http | Protocol::Https => "HTTP(S)",
        Protocol::Lambda => "Lambda",
        Protocol::Firehose => "Firehose",
        Protocol::Application => "Application",
        _ => "Endpoint",
    }
}

/// The value GetSubscriptionAttributes shows for a settable attribute.
fn existing_attribute(s: &Subscription, name: &str) -> Option<String> {
    match name {
        "RawMessageDelivery" => Some(s.raw_message_delivery.to_string()),
        "FilterPolicy" => s.filter_policy.as_ref().map(|(text, _)| text.clone()),
        "FilterPolicyScope" => Some(s.filter_policy_scope.as_str().into()),
        other => s.attributes.get(other).cloned(),
    }
}

/// Applies one settable attribute; the error is AWS's reason text.
fn apply_attribute(s: &mut Subscription, name: &str, value: &str) -> Result<(), String> {
    match name {
        "RawMessageDelivery" => {
            s.raw_message_delivery = match value.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => return Err(format!("RawMessageDelivery: Invalid value [{value}]. Must be true or false.")),
            };
        }
        "FilterPolicyScope" => {
            let scope = FilterPolicyScope::parse(value).ok_or_else(|| {
                format!(
                    "FilterPolicyScope: Invalid value [{value}]. Please use either MessageBody or MessageAttributes"
                )
            })?;
            if let Some((text, _)) = &s.filter_policy {
                let policy = FilterPolicy::parse(text, scope).map_err(|e| e.reason())?;
                s.filter_policy = Some((text.clone(), policy));
            }
            s.filter_policy_scope = scope;
        }
        "FilterPolicy" => {
            s.filter_policy = if value.is_empty() {
                None
            } else {
                let policy = FilterPolicy::parse(value, s.filter_policy_scope).map_err(|e| e.reason())?;
                Some((value.to_owned(), policy))
            };
        }
        _ => {
            if value.is_empty() {
                s.attributes.remove(name);
            } else {
                s.attributes.insert(name.to_owned(), value.to_owned());
            }
        }
    }
    Ok(())
}
