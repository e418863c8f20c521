//! SQS errors by their AWS API-model names, with AWS's messages.
//!
//! The engine names each error as the SQS JSON API model does (`QueueDoesNotExist`,
//! `InvalidParameterValue`, ...). How an error travels on the wire (the `__type`
//! namespace, the legacy `x-amzn-query-error` code, the HTTP status) is the wire
//! layer's business, but the status and query code belong to the error itself,
//! so they are answered here where the list of errors lives.

use alloc::format;
use alloc::string::String;
use core::fmt;

/// Every error SQS can answer, named as in the AWS API model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SqsErrorCode {
    AccessDenied,
    BatchEntryIdsNotDistinct,
    BatchRequestTooLong,
    EmptyBatchRequest,
    InvalidAddress,
    InvalidAttributeName,
    InvalidAttributeValue,
    InvalidBatchEntryId,
    InvalidIdFormat,
    InvalidMessageContents,
    InvalidParameterValue,
    InvalidSecurity,
    MessageNotInflight,
    MissingParameter,
    OverLimit,
    PurgeQueueInProgress,
    QueueDeletedRecently,
    QueueDoesNotExist,
    QueueNameExists,
    ReceiptHandleIsInvalid,
    RequestThrottled,
    ResourceNotFoundException,
    ThrottlingException,
    TooManyEntriesInBatchRequest,
    UnsupportedOperation,
}

impl SqsErrorCode {
    /// The shape name in the JSON protocol's `__type`.
    pub fn name(self) -> &'static str {
        use SqsErrorCode::*;
        match self {
            AccessDenied => "AccessDeniedException",
            BatchEntryIdsNotDistinct => "BatchEntryIdsNotDistinct",
            BatchRequestTooLong => "BatchRequestTooLong",
            EmptyBatchRequest => "EmptyBatchRequest",
            InvalidAddress => "InvalidAddress",
            InvalidAttributeName => "InvalidAttributeName",
            InvalidAttributeValue => "InvalidAttributeValue",
            InvalidBatchEntryId => "InvalidBatchEntryId",
            InvalidIdFormat => "InvalidIdFormat",
            InvalidMessageContents => "InvalidMessageContents",
            InvalidParameterValue => "InvalidParameterValueException",
            InvalidSecurity => "InvalidSecurity",
            MessageNotInflight => "MessageNotInflight",
            MissingParameter => "MissingRequiredParameterException",
            OverLimit => "OverLimit",
            PurgeQueueInProgress => "PurgeQueueInProgress",
            QueueDeletedRecently => "QueueDeletedRecently",
            QueueDoesNotExist => "QueueDoesNotExist",
            QueueNameExists => "QueueNameExists",
            ReceiptHandleIsInvalid => "ReceiptHandleIsInvalid",
            RequestThrottled => "RequestThrottled",
            ResourceNotFoundException => "ResourceNotFoundException",
            ThrottlingException => "ThrottlingException",
            TooManyEntriesInBatchRequest => "TooManyEntriesInBatchRequest",
            UnsupportedOperation => "UnsupportedOperation",
        }
    }

    /// The legacy query-protocol code AWS still sends in `x-amzn-query-error`
    /// and in batch `Failed` entries.
    pub fn query_code(self) -> &'static str {
        use SqsErrorCode::*;
        match self {
            AccessDenied => "AccessDenied",
            BatchEntryIdsNotDistinct => "AWS.SimpleQueueService.BatchEntryIdsNotDistinct",
            BatchRequestTooLong => "AWS.SimpleQueueService.BatchRequestTooLong",
            EmptyBatchRequest => "AWS.SimpleQueueService.EmptyBatchRequest",
            InvalidBatchEntryId => "AWS.SimpleQueueService.InvalidBatchEntryId",
            InvalidParameterValue => "InvalidParameterValue",
            MessageNotInflight => "AWS.SimpleQueueService.MessageNotInflight",
            MissingParameter => "MissingParameter",
            PurgeQueueInProgress => "AWS.SimpleQueueService.PurgeQueueInProgress",
            QueueDeletedRecently => "AWS.SimpleQueueService.QueueDeletedRecently",
            QueueDoesNotExist => "AWS.SimpleQueueService.NonExistentQueue",
            QueueNameExists => "QueueAlreadyExists",
            TooManyEntriesInBatchRequest => "AWS.SimpleQueueService.TooManyEntriesInBatchRequest",
            UnsupportedOperation => "AWS.SimpleQueueService.UnsupportedOperation",
            other => other.name(),
        }
    }

    /// The HTTP status AWS answers with.
    pub fn http_status(self) -> u16 {
        use SqsErrorCode::*;
        match self {
            AccessDenied | OverLimit | PurgeQueueInProgress | InvalidSecurity => 403,
            ResourceNotFoundException | ReceiptHandleIsInvalid => 404,
            _ => 400,
        }
    }

    /// Whether the caller is at fault (`SenderFault` in batch results, `;Sender` in the query header).
    pub fn sender_fault(self) -> bool {
        true
    }
}

/// An SQS error: its code and AWS's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqsError {
    pub code: SqsErrorCode,
    pub message: String,
}

impl SqsError {
    pub fn new(code: SqsErrorCode, message: impl Into<String>) -> Self {
        SqsError { code, message: message.into() }
    }

    pub(crate) fn queue_does_not_exist() -> Self {
        Self::new(SqsErrorCode::QueueDoesNotExist, "The specified queue does not exist.")
    }

    pub(crate) fn missing(parameter: &str) -> Self {
        Self::new(SqsErrorCode::MissingParameter, format!("The request must contain the parameter {parameter}."))
    }

    /// AWS's usual `Value X for parameter P is invalid. Reason: R` message.
    pub(crate) fn invalid_value(value: impl fmt::Display, parameter: &str, reason: &str) -> Self {
        Self::new(
            SqsErrorCode::InvalidParameterValue,
            format!("Value {value} for parameter {parameter} is invalid. Reason: {reason}"),
        )
    }

    pub(crate) fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(SqsErrorCode::InvalidParameterValue, message)
    }

    pub(crate) fn invalid_receipt_handle(handle: &str) -> Self {
        Self::new(
            SqsErrorCode::ReceiptHandleIsInvalid,
            format!("The input receipt handle \"{handle}\" is not a valid receipt handle."),
        )
    }

    pub(crate) fn expired_receipt_handle(handle: &str) -> Self {
        Self::invalid_value(handle, "ReceiptHandle", "The receipt handle has expired.")
    }

    pub(crate) fn throttled() -> Self {
        Self::new(SqsErrorCode::ThrottlingException, "Rate exceeded")
    }
}

impl fmt::Display for SqsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code.name(), self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for SqsError {}
