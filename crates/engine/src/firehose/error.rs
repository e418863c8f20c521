//! Firehose errors by their JSON 1.1 `__type` names, with AWS's messages.
//!
//! Like Kinesis, Firehose names its errors without a namespace
//! (`{"__type":"ResourceNotFoundException","message":"Firehose x under account 1 not found."}`).

use alloc::format;
use alloc::string::String;
use core::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FirehoseErrorCode {
    ConcurrentModificationException,
    InvalidArgumentException,
    LimitExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    /// Over the delivery stream's throughput quota ("Slow down.").
    ServiceUnavailableException,
    ValidationException,
}

impl FirehoseErrorCode {
    /// The `__type` of the JSON 1.1 error body.
    pub fn name(self) -> &'static str {
        use FirehoseErrorCode::*;
        match self {
            ConcurrentModificationException => "ConcurrentModificationException",
            InvalidArgumentException => "InvalidArgumentException",
            LimitExceededException => "LimitExceededException",
            ResourceInUseException => "ResourceInUseException",
            ResourceNotFoundException => "ResourceNotFoundException",
            ServiceUnavailableException => "ServiceUnavailableException",
            ValidationException => "ValidationException",
        }
    }

    /// Firehose's model gives ServiceUnavailableException status 503; every
    /// other client error is 400.
    pub fn http_status(self) -> u16 {
        match self {
            FirehoseErrorCode::ServiceUnavailableException => 503,
            _ => 400,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FirehoseError {
    pub code: FirehoseErrorCode,
    pub message: String,
}

impl FirehoseError {
    pub fn new(code: FirehoseErrorCode, message: impl Into<String>) -> Self {
        FirehoseError { code, message: message.into() }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(FirehoseErrorCode::InvalidArgumentException, message)
    }

    /// AWS's message, e.g. "Firehose orders under account 123456789012 not found."
    pub(crate) fn not_found(name: &str, account: &str) -> Self {
        Self::new(
            FirehoseErrorCode::ResourceNotFoundException,
            format!("Firehose {name} under account {account} not found."),
        )
    }

    pub(crate) fn already_exists(name: &str, account: &str) -> Self {
        Self::new(
            FirehoseErrorCode::ResourceInUseException,
            format!("Firehose {name} under accountId {account} already exists"),
        )
    }

    pub(crate) fn slow_down() -> Self {
        Self::new(FirehoseErrorCode::ServiceUnavailableException, "Slow down.")
    }

    /// The member-constraint message AWS's JSON services answer for
    /// out-of-range or badly shaped members.
    pub fn constraint(value: impl fmt::Display, member: &str, constraint: &str) -> Self {
        Self::new(
            FirehoseErrorCode::ValidationException,
            format!(
                "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
            ),
        )
    }
}

impl fmt::Display for FirehoseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for FirehoseError {}
