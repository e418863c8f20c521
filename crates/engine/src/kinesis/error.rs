//! Kinesis errors by their JSON 1.1 `__type` names, with AWS's messages.

use alloc::format;
use alloc::string::String;
use core::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KinesisErrorCode {
    ExpiredIteratorException,
    ExpiredNextTokenException,
    InvalidArgumentException,
    LimitExceededException,
    ProvisionedThroughputExceededException,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
}

impl KinesisErrorCode {
    /// The `__type` of the JSON 1.1 error body.
    pub fn name(self) -> &'static str {
        use KinesisErrorCode::*;
        match self {
            ExpiredIteratorException => "ExpiredIteratorException",
            ExpiredNextTokenException => "ExpiredNextTokenException",
            InvalidArgumentException => "InvalidArgumentException",
            LimitExceededException => "LimitExceededException",
            ProvisionedThroughputExceededException => "ProvisionedThroughputExceededException",
            ResourceInUseException => "ResourceInUseException",
            ResourceNotFoundException => "ResourceNotFoundException",
            ValidationException => "ValidationException",
        }
    }

    /// Kinesis answers every client error with 400.
    pub fn http_status(self) -> u16 {
        400
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KinesisError {
    pub code: KinesisErrorCode,
    pub message: String,
}

impl KinesisError {
    pub fn new(code: KinesisErrorCode, message: impl Into<String>) -> Self {
        KinesisError { code, message: message.into() }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self::new(KinesisErrorCode::InvalidArgumentException, message)
    }

    pub(crate) fn stream_not_found(stream: &str, account: &str) -> Self {
        Self::new(
            KinesisErrorCode::ResourceNotFoundException,
            format!("Stream {stream} under account {account} not found."),
        )
    }

    pub(crate) fn shard_not_found(shard: &str, stream: &str, account: &str) -> Self {
        Self::new(
            KinesisErrorCode::ResourceNotFoundException,
            format!("Could not find shard {shard} in stream {stream} under account {account}."),
        )
    }

    pub(crate) fn not_active(stream: &str, account: &str, status: &str) -> Self {
        Self::new(
            KinesisErrorCode::ResourceInUseException,
            format!("Stream {stream} under account {account} not ACTIVE, instead in state {status}"),
        )
    }

    /// botocore's member-constraint message, which Kinesis also answers for
    /// out-of-range values.
    pub fn constraint(value: impl fmt::Display, member: &str, constraint: &str) -> Self {
        Self::new(
            KinesisErrorCode::ValidationException,
            format!(
                "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
            ),
        )
    }
}

impl fmt::Display for KinesisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for KinesisError {}
