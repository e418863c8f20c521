//! Direct mobile push: platform applications, their device endpoints, and
//! Publish to an endpoint's ARN (`TargetArn`).
//!
//! Nothing leaves the engine: an application stands for the push service
//! (FCM as `GCM`, APNs, ...) with its credentials, and each endpoint is a
//! simulated device whose received notifications a learner can inspect.
//! Validation and messages follow AWS (as LocalStack's AWS-validated
//! provider records them): names `[A-Za-z0-9._-]{1,256}`, the platforms SNS
//! supports, PlatformCredential and PlatformPrincipal given together,
//! endpoint attributes `CustomUserData` (at most 2,048 bytes), `Enabled` and
//! `Token`, and one endpoint per token unless the attributes differ.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde_json::Value;

use super::{Sns, SnsError, SnsErrorCode, KEPT_DELIVERIES};
use crate::time::SimTime;

/// The push services SNS supports.
pub const PLATFORMS: &[&str] = &[
    "ADM",
    "APNS",
    "APNS_SANDBOX",
    "APNS_VOIP",
    "APNS_VOIP_SANDBOX",
    "BAIDU",
    "GCM",
    "MACOS",
    "MACOS_SANDBOX",
    "MPNS",
    "WNS",
];

const ENDPOINT_ATTRIBUTES: &[&str] = &["CustomUserData", "Enabled", "Token"];

#[derive(Clone, Debug)]
pub struct PlatformApplication {
    pub arn: String,
    pub name: String,
    pub platform: String,
    /// Without the credentials, which AWS never returns.
    pub attributes: BTreeMap<String, String>,
    /// Endpoint ARNs by device token.
    pub endpoints: BTreeMap<String, String>,
}

#[derive(Clone, Debug)]
pub struct PlatformEndpoint {
    pub arn: String,
    pub application_arn: String,
    pub attributes: BTreeMap<String, String>,
    /// What the device received, newest last (bounded).
    pub received: VecDeque<PushNotification>,
}

impl PlatformEndpoint {
    pub fn enabled(&self) -> bool {
        self.attributes.get("Enabled").is_none_or(|v| v == "true")
    }
}

/// A notification as the simulated device got it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushNotification {
    pub at: SimTime,
    pub message_id: String,
    /// The payload for this platform: its entry of a `MessageStructure=json`
    /// message, else the `default` entry, else the message itself.
    pub payload: String,
}

/// Where platform applications and endpoints live in [`super::SnsState`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Platforms {
    pub applications: BTreeMap<String, PlatformApplication>,
    pub endpoints: BTreeMap<String, PlatformEndpoint>,
}

fn invalid(what: &str, reason: &str) -> SnsError {
    SnsError::invalid(format!("{what} Reason: {reason}"))
}

fn application_not_found() -> SnsError {
    SnsError::new(SnsErrorCode::NotFound, "PlatformApplication does not exist")
}

fn endpoint_not_found() -> SnsError {
    SnsError::new(SnsErrorCode::NotFound, "Endpoint does not exist")
}

fn check_endpoint_attributes(attributes: &BTreeMap<String, String>) -> Result<(), SnsError> {
    if let Some(name) = attributes.keys().find(|k| !ENDPOINT_ATTRIBUTES.contains(&k.as_str())) {
        return Err(invalid("Attributes", &format!("Invalid attribute name: {name}")));
    }
    if attributes.get("CustomUserData").is_some_and(|v| v.len() > 2048) {
        return Err(invalid(
            "Attributes",
            "Invalid value for attribute: CustomUserData: must be at most 2048 bytes long in UTF-8 encoding",
        ));
    }
    Ok(())
}

impl Sns<'_> {
    pub fn create_platform_application(
        &mut self,
        name: &str,
        platform: &str,
        attributes: BTreeMap<String, String>,
    ) -> Result<String, SnsError> {
        let reason = if name.is_empty() {
            Some("cannot be empty")
        } else if name.chars().count() > 256 {
            Some("must be at most 256 characters long")
        } else if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b)) {
            Some("must contain only characters 'a'-'z', 'A'-'Z', '0'-'9', '_', '-', and '.'")
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(invalid(name, reason));
        }
        if !PLATFORMS.contains(&platform) {
            return Err(invalid("Platform", &format!("{platform} is not supported")));
        }
        match (attributes.contains_key("PlatformCredential"), attributes.contains_key("PlatformPrincipal")) {
            (true, false) if !matches!(platform, "GCM") => {
                return Err(invalid("Attributes", "PlatformCredential attribute provided without PlatformPrincipal"))
            }
            (false, true) => {
                return Err(invalid("Attributes", "PlatformPrincipal attribute provided without PlatformCredential"))
            }
            _ => {}
        }
        let arn =
            format!("arn:aws:sns:{}:{}:app/{platform}/{name}", self.core.config.region, self.core.config.account_id);
        let mut kept: BTreeMap<String, String> =
            attributes.into_iter().filter(|(k, _)| k != "PlatformCredential" && k != "PlatformPrincipal").collect();
        kept.entry("Enabled".into()).or_insert_with(|| "true".into());
        // Creating an application that exists answers its ARN, as AWS does.
        self.state.platforms.applications.entry(arn.clone()).or_insert_with(|| PlatformApplication {
            arn: arn.clone(),
            name: name.into(),
            platform: platform.into(),
            attributes: kept,
            endpoints: BTreeMap::new(),
        });
        Ok(arn)
    }

    pub fn delete_platform_application(&mut self, arn: &str) -> Result<(), SnsError> {
        if let Some(app) = self.state.platforms.applications.remove(arn) {
            for endpoint in app.endpoints.values() {
                self.state.platforms.endpoints.remove(endpoint);
            }
        }
        Ok(())
    }

    pub fn list_platform_applications(&self) -> Vec<PlatformApplication> {
        self.state.platforms.applications.values().cloned().collect()
    }

    pub fn get_platform_application_attributes(&self, arn: &str) -> Result<BTreeMap<String, String>, SnsError> {
        self.state.platforms.applications.get(arn).map(|a| a.attributes.clone()).ok_or_else(application_not_found)
    }

    pub fn set_platform_application_attributes(
        &mut self,
        arn: &str,
        attributes: BTreeMap<String, String>,
    ) -> Result<(), SnsError> {
        let app = self.state.platforms.applications.get_mut(arn).ok_or_else(application_not_found)?;
        app.attributes
            .extend(attributes.into_iter().filter(|(k, _)| k != "PlatformCredential" && k != "PlatformPrincipal"));
        Ok(())
    }

    pub fn create_platform_endpoint(
        &mut self,
        application_arn: &str,
        token: &str,
        custom_user_data: Option<String>,
        mut attributes: BTreeMap<String, String>,
    ) -> Result<String, SnsError> {
        if !self.state.platforms.applications.contains_key(application_arn) {
            return Err(application_not_found());
        }
        check_endpoint_attributes(&attributes)?;
        if let Some(data) = custom_user_data {
            attributes.entry("CustomUserData".into()).or_insert(data);
        }
        attributes.insert("Token".into(), token.into());
        attributes.entry("Enabled".into()).or_insert_with(|| "true".into());
        let existing = self.state.platforms.applications[application_arn].endpoints.get(token).cloned();
        if let Some(arn) = existing.filter(|arn| self.state.platforms.endpoints.contains_key(arn)) {
            // The same token again: the same endpoint, unless the attributes differ.
            if self.state.platforms.endpoints[&arn].attributes != attributes {
                return Err(invalid(
                    "Token",
                    &format!("Endpoint {arn} already exists with the same Token, but different attributes."),
                ));
            }
            return Ok(arn);
        }
        let app_path = application_arn.split_once(":app/").map_or("", |(_, path)| path);
        let arn = format!(
            "arn:aws:sns:{}:{}:endpoint/{app_path}/{}",
            self.core.config.region,
            self.core.config.account_id,
            self.core.rng.uuid()
        );
        if let Some(app) = self.state.platforms.applications.get_mut(application_arn) {
            app.endpoints.insert(token.into(), arn.clone());
        }
        self.state.platforms.endpoints.insert(
            arn.clone(),
            PlatformEndpoint {
                arn: arn.clone(),
                application_arn: application_arn.into(),
                attributes,
                received: VecDeque::new(),
            },
        );
        Ok(arn)
    }

    pub fn delete_endpoint(&mut self, arn: &str) -> Result<(), SnsError> {
        if let Some(endpoint) = self.state.platforms.endpoints.remove(arn) {
            if let Some(app) = self.state.platforms.applications.get_mut(&endpoint.application_arn) {
                app.endpoints.retain(|_, e| e != arn);
            }
        }
        Ok(())
    }

    pub fn list_endpoints_by_platform_application(
        &self,
        application_arn: &str,
    ) -> Result<Vec<PlatformEndpoint>, SnsError> {
        let app = self.state.platforms.applications.get(application_arn).ok_or_else(application_not_found)?;
        Ok(app.endpoints.values().filter_map(|arn| self.state.platforms.endpoints.get(arn)).cloned().collect())
    }

    pub fn get_endpoint_attributes(&self, arn: &str) -> Result<BTreeMap<String, String>, SnsError> {
        self.state.platforms.endpoints.get(arn).map(|e| e.attributes.clone()).ok_or_else(endpoint_not_found)
    }

    pub fn set_endpoint_attributes(&mut self, arn: &str, attributes: BTreeMap<String, String>) -> Result<(), SnsError> {
        let endpoint = self.state.platforms.endpoints.get_mut(arn).ok_or_else(endpoint_not_found)?;
        check_endpoint_attributes(&attributes)?;
        endpoint.attributes.extend(attributes);
        Ok(())
    }

    /// Publish with a `TargetArn` naming an endpoint: the device gets the
    /// payload for its platform at once.
    pub(crate) fn publish_to_endpoint(
        &mut self,
        arn: &str,
        message: &str,
        structure: Option<&str>,
    ) -> Result<String, SnsError> {
        let endpoint = self.state.platforms.endpoints.get(arn).ok_or_else(endpoint_not_found)?;
        if !endpoint.enabled() {
            return Err(SnsError::new(SnsErrorCode::EndpointDisabled, "Endpoint is disabled"));
        }
        let platform = self
            .state
            .platforms
            .applications
            .get(&endpoint.application_arn)
            .map(|a| a.platform.clone())
            .unwrap_or_default();
        let payload = match structure {
            None => String::from(message),
            Some("json") => {
                let doc: Value = serde_json::from_str(message)
                    .map_err(|_| SnsError::invalid("Message Structure - JSON message body failed to parse"))?;
                match doc.get(&platform).or_else(|| doc.get("default")) {
                    Some(Value::String(text)) => text.clone(),
                    _ => return Err(SnsError::invalid("Message Structure - No default entry in JSON message body")),
                }
            }
            Some(_) => return Err(SnsError::invalid("MessageStructure")),
        };
        if message.is_empty() {
            return Err(SnsError::invalid("Empty message"));
        }
        let message_id = self.core.rng.uuid().to_canonical_string();
        self.record_push(arn, message_id.clone(), payload);
        Ok(message_id)
    }

    /// The push platform (`GCM`, `APNS`, ...) of a device endpoint.
    pub(crate) fn device_platform(&self, endpoint_arn: &str) -> Option<String> {
        let endpoint = self.state.platforms.endpoints.get(endpoint_arn)?;
        self.state.platforms.applications.get(&endpoint.application_arn).map(|a| a.platform.clone())
    }

    /// A topic's notification to a subscribed device; `Err` says why it
    /// cannot arrive (SNS does not retry those).
    pub(crate) fn push_to_device(
        &mut self,
        endpoint_arn: &str,
        message_id: &str,
        payload: String,
    ) -> Result<(), String> {
        match self.state.platforms.endpoints.get(endpoint_arn) {
            None => Err("the endpoint does not exist".into()),
            Some(endpoint) if !endpoint.enabled() => Err("the endpoint is disabled".into()),
            Some(_) => {
                self.record_push(endpoint_arn, message_id.into(), payload);
                Ok(())
            }
        }
    }

    fn record_push(&mut self, endpoint_arn: &str, message_id: String, payload: String) {
        let now = self.core.now;
        if let Some(endpoint) = self.state.platforms.endpoints.get_mut(endpoint_arn) {
            endpoint.received.push_back(PushNotification { at: now, message_id, payload });
            while endpoint.received.len() > KEPT_DELIVERIES {
                endpoint.received.pop_front();
            }
        }
    }
}
