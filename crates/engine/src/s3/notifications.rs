//! Bucket notifications: the configuration (with AWS's overlap rule and
//! destination validation) and the `Records[...]` events sent on each change.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;

use super::model::*;
use super::{S3Error, S3ErrorCode, S3};
use crate::policy::{self, ServiceCall};
#[cfg(feature = "sns")]
use crate::sns::Sns;
use crate::sqs::{Queue, SendMessage, Sqs};

const S3_PRINCIPAL: &str = "s3.amazonaws.com";
/// The event types a notification may name.
/// The event types a notification may name (the simulation raises only the
/// Put and Delete ones).
const EVENT_TYPES: &[&str] = &[
    "s3:ObjectCreated:*",
    "s3:ObjectCreated:Put",
    "s3:ObjectCreated:Post",
    "s3:ObjectCreated:Copy",
    "s3:ObjectCreated:CompleteMultipartUpload",
    "s3:ObjectRemoved:*",
    "s3:ObjectRemoved:Delete",
    "s3:ObjectRemoved:DeleteMarkerCreated",
    "s3:ObjectRestore:*",
    "s3:ObjectRestore:Post",
    "s3:ObjectRestore:Completed",
    "s3:ObjectRestore:Delete",
    "s3:ReducedRedundancyLostObject",
    "s3:Replication:*",
    "s3:Replication:OperationFailedReplication",
    "s3:Replication:OperationMissedThreshold",
    "s3:Replication:OperationReplicatedAfterThreshold",
    "s3:Replication:OperationNotTracked",
    "s3:LifecycleExpiration:*",
    "s3:LifecycleExpiration:Delete",
    "s3:LifecycleExpiration:DeleteMarkerCreated",
    "s3:LifecycleTransition",
    "s3:IntelligentTiering",
    "s3:ObjectTagging:*",
    "s3:ObjectTagging:Put",
    "s3:ObjectTagging:Delete",
    "s3:ObjectAcl:Put",
];

fn invalid_argument(message: &str, name: &str) -> S3Error {
    let mut e = S3Error::new(S3ErrorCode::InvalidArgument, message);
    e.argument_name = Some(name.into());
    e
}

/// `s3:ObjectCreated:*` covers every `s3:ObjectCreated:...` type.
fn event_matches(pattern: &str, event: &str) -> bool {
    pattern == event || pattern.strip_suffix('*').is_some_and(|stem| event.starts_with(stem))
}

fn events_overlap(a: &[String], b: &[String]) -> bool {
    a.iter().any(|x| b.iter().any(|y| event_matches(x, y) || event_matches(y, x)))
}

/// Two filters overlap when one prefix is a prefix of the other and one
/// suffix a suffix of the other (a missing filter overlaps everything).
fn filters_overlap(a: &NotificationRule, b: &NotificationRule) -> bool {
    let prefix = |x: &Option<String>, y: &Option<String>| {
        let (x, y) = (x.as_deref().unwrap_or_default(), y.as_deref().unwrap_or_default());
        x.starts_with(y) || y.starts_with(x)
    };
    let suffix = |x: &Option<String>, y: &Option<String>| {
        let (x, y) = (x.as_deref().unwrap_or_default(), y.as_deref().unwrap_or_default());
        x.ends_with(y) || y.ends_with(x)
    };
    prefix(&a.prefix, &b.prefix) && suffix(&a.suffix, &b.suffix)
}

fn has_filter(rule: &NotificationRule) -> bool {
    rule.prefix.as_deref().is_some_and(|p| !p.is_empty()) || rule.suffix.as_deref().is_some_and(|s| !s.is_empty())
}

fn quoted(text: &str) -> String {
    Value::String(text.into()).to_string()
}

impl S3<'_> {
    pub fn put_bucket_notification_configuration(
        &mut self,
        req: PutBucketNotificationConfiguration,
    ) -> Result<(), S3Error> {
        self.bucket(&req.bucket)?;
        let c = &req.configuration;
        let all: Vec<&NotificationRule> = c
            .queue_configurations
            .iter()
            .chain(&c.topic_configurations)
            .chain(&c.lambda_function_configurations)
            .collect();
        for rule in &all {
            if rule.events.is_empty() || rule.events.iter().any(|e| !EVENT_TYPES.contains(&e.as_str())) {
                return Err(invalid_argument("The event is not supported for notifications", "Event"));
            }
        }
        for (i, a) in all.iter().enumerate() {
            for b in &all[i + 1..] {
                if events_overlap(&a.events, &b.events) && filters_overlap(a, b) {
                    return Err(if has_filter(a) || has_filter(b) {
                        invalid_argument(
                            "Configuration is ambiguously defined. Cannot have overlapping suffixes in two rules if the prefixes are overlapping for the same event type.",
                            "FilterRule",
                        )
                    } else {
                        invalid_argument(
                            "Configurations overlap. Configurations on the same bucket cannot share a common event type.",
                            "Event",
                        )
                    });
                }
            }
        }
        let bucket_arn = format!("arn:aws:s3:::{}", req.bucket);
        for rule in &c.queue_configurations {
            self.check_destination(&rule.destination_arn, &bucket_arn, true)?;
        }
        for rule in &c.topic_configurations {
            self.check_destination(&rule.destination_arn, &bucket_arn, false)?;
        }
        // A rule without an Id gets one, as S3 generates it.
        let mut configuration = req.configuration.clone();
        let rules = configuration
            .queue_configurations
            .iter_mut()
            .chain(&mut configuration.topic_configurations)
            .chain(&mut configuration.lambda_function_configurations);
        for rule in rules {
            if rule.id.as_deref().is_none_or(str::is_empty) {
                let uuid = self.core.rng.uuid().to_canonical_string();
                rule.id = Some(base64::Engine::encode(&base64::engine::general_purpose::STANDARD, uuid));
            }
        }
        self.bucket_mut(&req.bucket)?.notification = configuration;
        // S3 proves each destination works with a test event.
        let test_event = format!(
            "{{\"Service\":\"Amazon S3\",\"Event\":\"s3:TestEvent\",\"Time\":{},\"Bucket\":{},\"RequestId\":{},\"HostId\":{}}}",
            quoted(&self.core.now.to_iso8601()),
            quoted(&req.bucket),
            quoted(&self.request_id()),
            quoted(&self.host_id()),
        );
        let destinations: Vec<(String, bool)> = c
            .queue_configurations
            .iter()
            .map(|r| (r.destination_arn.clone(), true))
            .chain(c.topic_configurations.iter().map(|r| (r.destination_arn.clone(), false)))
            .collect();
        for (arn, is_queue) in destinations {
            self.deliver(&arn, is_queue, &bucket_arn, test_event.clone());
        }
        Ok(())
    }

    pub fn get_bucket_notification_configuration(
        &mut self,
        req: GetBucketNotificationConfiguration,
    ) -> Result<NotificationConfiguration, S3Error> {
        Ok(self.bucket(&req.bucket)?.notification.clone())
    }

    /// A queue or topic must exist and its policy must let S3 send for this bucket.
    fn check_destination(&self, arn: &str, bucket_arn: &str, is_queue: bool) -> Result<(), S3Error> {
        if self.may_deliver(arn, bucket_arn, is_queue) {
            Ok(())
        } else {
            Err(invalid_argument("Unable to validate the following destination configurations", arn))
        }
    }

    /// Whether `arn` names a queue or topic of this account whose access
    /// policy lets S3 send for `bucket_arn`.
    fn may_deliver(&self, arn: &str, bucket_arn: &str, is_queue: bool) -> bool {
        let (policy, action) = if is_queue {
            let Some(queue) = self.queue(arn) else { return false };
            (queue.config.policy.as_deref(), "sqs:SendMessage")
        } else {
            let Some(policy) = self.topic_policy(arn) else { return false };
            (policy, "sns:Publish")
        };
        let call = ServiceCall {
            service: S3_PRINCIPAL,
            action,
            source_arn: bucket_arn,
            source_account: &self.core.config.account_id,
        };
        policy::allows(policy, &call)
    }

    /// The queue `arn` names, if S3 can notify it: it exists, and is a
    /// standard queue (S3 cannot send to FIFO queues).
    fn queue(&self, arn: &str) -> Option<&Queue> {
        let name = arn.rsplit(':').next().unwrap_or_default();
        if name.ends_with(".fifo") {
            return None;
        }
        self.to.sqs.queue_by_name(name).filter(|q| q.arn == arn)
    }

    /// The access policy of the topic `arn` names, if it exists.
    #[cfg(feature = "sns")]
    fn topic_policy(&self, arn: &str) -> Option<Option<&str>> {
        let name = arn.rsplit(':').next().unwrap_or_default();
        let topic = self.to.sns.topic_by_name(name).filter(|t| t.arn == arn)?;
        Some(topic.attributes.get("Policy").map(String::as_str))
    }

    /// Without SNS built in there are no topics: S3 cannot validate any.
    #[cfg(not(feature = "sns"))]
    fn topic_policy(&self, _arn: &str) -> Option<Option<&str>> {
        None
    }

    fn request_id(&mut self) -> String {
        let mut bytes = [0u8; 8];
        self.core.rng.fill(&mut bytes);
        crate::hex::encode(&bytes).to_ascii_uppercase()
    }

    fn host_id(&mut self) -> String {
        let mut bytes = [0u8; 48];
        self.core.rng.fill(&mut bytes);
        base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes)
    }

    /// Sends the event for a change to every matching rule's destination.
    pub(crate) fn notify(&mut self, bucket_name: &str, event_name: &str, key: &str, object: Option<(u64, &str)>) {
        let Ok(bucket) = self.bucket_mut(bucket_name) else { return };
        bucket.sequencer += 1;
        let sequencer = format!("{:016X}", bucket.sequencer);
        let full_event = format!("s3:{event_name}");
        let matches = |r: &&NotificationRule| {
            r.events.iter().any(|e| event_matches(e, &full_event))
                && key.starts_with(r.prefix.as_deref().unwrap_or_default())
                && key.ends_with(r.suffix.as_deref().unwrap_or_default())
        };
        let n = &bucket.notification;
        let targets: Vec<(NotificationRule, bool)> = n
            .queue_configurations
            .iter()
            .filter(matches)
            .map(|r| (r.clone(), true))
            .chain(n.topic_configurations.iter().filter(matches).map(|r| (r.clone(), false)))
            .collect();
        let bucket_arn = format!("arn:aws:s3:::{bucket_name}");
        for (rule, is_queue) in targets {
            let object_json = match object {
                Some((size, etag)) => format!(
                    "{{\"key\":{},\"size\":{size},\"eTag\":{},\"sequencer\":\"{sequencer}\"}}",
                    quoted(&super::url_encode_key(key)),
                    quoted(etag)
                ),
                None => format!("{{\"key\":{},\"sequencer\":\"{sequencer}\"}}", quoted(&super::url_encode_key(key))),
            };
            let (request_id, host_id) = (self.request_id(), self.host_id());
            let account = &self.core.config.account_id;
            let record = format!(
                "{{\"Records\":[{{\"eventVersion\":\"2.1\",\"eventSource\":\"aws:s3\",\"awsRegion\":{},\"eventTime\":{},\"eventName\":{},\"userIdentity\":{{\"principalId\":\"AWS:{account}\"}},\"requestParameters\":{{\"sourceIPAddress\":\"127.0.0.1\"}},\"responseElements\":{{\"x-amz-request-id\":{},\"x-amz-id-2\":{}}},\"s3\":{{\"s3SchemaVersion\":\"1.0\",\"configurationId\":{},\"bucket\":{{\"name\":{},\"ownerIdentity\":{{\"principalId\":\"{account}\"}},\"arn\":{}}},\"object\":{object_json}}}}}]}}",
                quoted(&self.core.config.region),
                quoted(&self.core.now.to_iso8601()),
                quoted(event_name),
                quoted(&request_id),
                quoted(&host_id),
                quoted(rule.id.as_deref().unwrap_or("notification")),
                quoted(bucket_name),
                quoted(&bucket_arn),
            );
            self.deliver(&rule.destination_arn, is_queue, &bucket_arn, record);
        }
    }

    /// Deliveries that fail (the destination was deleted, its policy changed)
    /// are dropped, as S3 drops them. A queue gets an ordinary SendMessage,
    /// once its policy has let S3 in.
    fn deliver(&mut self, arn: &str, is_queue: bool, bucket_arn: &str, body: String) {
        if is_queue {
            if !self.may_deliver(arn, bucket_arn, true) {
                return;
            }
            let Some(queue_url) = self.queue(arn).map(|q| q.url.clone()) else { return };
            let send = SendMessage { queue_url, message_body: body, ..SendMessage::default() };
            let _ = Sqs::new(self.core, self.to.sqs).send_message(send);
        } else {
            // Without SNS no topic passed `check_destination`, so there is none to publish to.
            #[cfg(feature = "sns")]
            let _ = Sns::new(self.core, self.to.sns, self.to.sqs).publish_as_service(
                arn,
                S3_PRINCIPAL,
                bucket_arn,
                body,
                "Amazon S3 Notification",
            );
        }
    }
}
