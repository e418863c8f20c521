//! The simulated Lambda processor of a delivery stream's data transformation.
//!
//! AWS invokes the learner's Lambda function with a batch of records
//! (`recordId`, `approximateArrivalTimestamp`, base64 `data`) and expects each
//! back with the same `recordId` and a `result` of `Ok`, `Dropped` or
//! `ProcessingFailed`. Decouple runs no code, so the function is one of a small
//! closed set of behaviours, chosen as simulation config on the create request
//! (the wire layer picks it from the Lambda ARN's function name). Record ids
//! always match: a mismatch is a bug of the learner's function that the
//! closed set cannot make.

use alloc::string::String;
use alloc::vec::Vec;

/// What the simulated Lambda function does to each record.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Transform {
    /// Returns every record unchanged (`Ok`).
    #[default]
    Identity,
    /// Returns every record with ASCII letters upper-cased (`Ok`).
    Uppercase,
    /// `Dropped` for records whose data contains the text, else `Ok` unchanged.
    DropIfContains(String),
    /// `ProcessingFailed` for records whose data contains the text, else `Ok` unchanged.
    FailIfContains(String),
}

/// A record's `result` as the Lambda function returns it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransformResult {
    Ok(Vec<u8>),
    Dropped,
    ProcessingFailed,
}

impl TransformResult {
    pub fn as_str(&self) -> &'static str {
        match self {
            TransformResult::Ok(_) => "Ok",
            TransformResult::Dropped => "Dropped",
            TransformResult::ProcessingFailed => "ProcessingFailed",
        }
    }
}

impl Transform {
    pub fn apply(&self, data: &[u8]) -> TransformResult {
        match self {
            Transform::Identity => TransformResult::Ok(data.to_vec()),
            Transform::Uppercase => TransformResult::Ok(data.to_ascii_uppercase()),
            Transform::DropIfContains(text) if contains(data, text.as_bytes()) => TransformResult::Dropped,
            Transform::FailIfContains(text) if contains(data, text.as_bytes()) => TransformResult::ProcessingFailed,
            Transform::DropIfContains(_) | Transform::FailIfContains(_) => TransformResult::Ok(data.to_vec()),
        }
    }
}

/// Whether `needle` occurs in `haystack` (an empty needle occurs everywhere).
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.is_empty() || haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_transform_gives_its_result() {
        assert_eq!(Transform::Identity.apply(b"ab"), TransformResult::Ok(b"ab".to_vec()));
        assert_eq!(Transform::Uppercase.apply(b"ab\xff"), TransformResult::Ok(b"AB\xff".to_vec()));
        assert_eq!(Transform::DropIfContains("x".into()).apply(b"axb"), TransformResult::Dropped);
        assert_eq!(Transform::DropIfContains("x".into()).apply(b"ab"), TransformResult::Ok(b"ab".to_vec()));
        assert_eq!(Transform::FailIfContains("bad".into()).apply(b"so bad"), TransformResult::ProcessingFailed);
    }
}
