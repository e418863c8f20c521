//! SNS errors by their query-protocol codes, with AWS's messages and statuses.

use alloc::format;
use alloc::string::String;
use core::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SnsErrorCode {
    AuthorizationError,
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    EndpointDisabled,
    InvalidBatchEntryId,
    InvalidParameter,
    InvalidParameterValue,
    NotFound,
    TooManyEntriesInBatchRequest,
    SubscriptionLimitExceeded,
    TopicLimitExceeded,
    FilterPolicyLimitExceeded,
    TagLimitExceeded,
    Throttled,
}

impl SnsErrorCode {
    /// The `<Code>` of the query protocol's XML error.
    pub fn code(self) -> &'static str {
        use SnsErrorCode::*;
        match self {
            AuthorizationError => "AuthorizationError",
            BatchEntryIdsNotDistinct => "BatchEntryIdsNotDistinct",
            BatchRequestTooLong => "BatchRequestTooLong",
            EmptyBatchRequest => "EmptyBatchRequest",
            EndpointDisabled => "EndpointDisabled",
            InvalidBatchEntryId => "InvalidBatchEntryId",
            InvalidParameter => "InvalidParameter",
            InvalidParameterValue => "ParameterValueInvalid",
            NotFound => "NotFound",
            TooManyEntriesInBatchRequest => "TooManyEntriesInBatchRequest",
            SubscriptionLimitExceeded => "SubscriptionLimitExceeded",
            TopicLimitExceeded => "TopicLimitExceeded",
            FilterPolicyLimitExceeded => "FilterPolicyLimitExceeded",
            TagLimitExceeded => "TagLimitExceeded",
            Throttled => "Throttled",
        }
    }

    pub fn http_status(self) -> u16 {
        use SnsErrorCode::*;
        match self {
            AuthorizationError | SubscriptionLimitExceeded | TopicLimitExceeded | FilterPolicyLimitExceeded => 403,
            NotFound => 404,
            Throttled => 429,
            _ => 400,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnsError {
    pub code: SnsErrorCode,
    pub message: String,
}

impl SnsError {
    pub fn new(code: SnsErrorCode, message: impl Into<String>) -> Self {
        SnsError { code, message: message.into() }
    }

    /// `Invalid parameter: <what>`, SNS's usual InvalidParameter message.
    pub(crate) fn invalid(what: impl fmt::Display) -> Self {
        Self::new(SnsErrorCode::InvalidParameter, format!("Invalid parameter: {what}"))
    }

    pub(crate) fn topic_not_found() -> Self {
        Self::new(SnsErrorCode::NotFound, "Topic does not exist")
    }

    pub(crate) fn subscription_not_found() -> Self {
        Self::new(SnsErrorCode::NotFound, "Subscription does not exist")
    }
}

impl fmt::Display for SnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.code(), self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SnsError {}
