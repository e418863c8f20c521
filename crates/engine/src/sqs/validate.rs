//! Message validation and digests, with AWS's rules and messages.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use md5::{Digest, Md5};

use super::error::{SqsError, SqsErrorCode};
use super::model::{MessageAttributeValue, MessageAttributes};

/// XML 1.0's Char production, which SQS enforces on bodies and attribute strings.
pub fn is_allowed_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

pub fn check_body_chars(body: &str) -> Result<(), SqsError> {
    // Almost every body is printable ASCII, and those bytes are exactly the
    // ones above 0x1f as signed bytes: one compare each, so the first check
    // is a third of the second, which lets tabs and line breaks through too.
    // Chars are decoded only if both fail. Branch-free folds rather than
    // `all`, so the compiler can vectorise them.
    let printable = |b: u8| (b as i8) > 0x1f;
    let printable_ascii = body.bytes().fold(true, |ok, b| ok & printable(b))
        || body.bytes().fold(true, |ok, b| ok & (printable(b) | (b == 0x9) | (b == 0xA) | (b == 0xD)));
    if printable_ascii || body.chars().all(is_allowed_char) {
        Ok(())
    } else {
        Err(SqsError::new(
            SqsErrorCode::InvalidMessageContents,
            "Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF",
        ))
    }
}

/// The bytes an attribute adds to the message size: name, data type and value.
pub fn attributes_size(attributes: &MessageAttributes) -> usize {
    attributes
        .iter()
        .map(|(name, v)| {
            name.len()
                + v.data_type.len()
                + v.string_value.as_ref().map_or(0, String::len)
                + v.binary_value.as_ref().map_or(0, Vec::len)
        })
        .sum()
}

fn attribute_error(message: String) -> SqsError {
    SqsError::new(SqsErrorCode::InvalidParameterValue, message)
}

fn check_attribute_name(name: &str) -> Result<(), SqsError> {
    let lower = name.to_ascii_lowercase();
    let valid = !name.is_empty()
        && name.len() <= 256
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !name.starts_with('.')
        && !name.ends_with('.')
        && !name.contains("..")
        && !lower.starts_with("aws.")
        && !lower.starts_with("amazon.");
    if valid {
        Ok(())
    } else if name.len() > 256 {
        Err(attribute_error(format!(
            "Message (user) attribute name '{name}' exceeds the maximum allowed length of 256 characters."
        )))
    } else {
        Err(attribute_error(format!(
            "The message attribute name '{name}' is invalid. Attribute name can contain A-Z, a-z, 0-9, underscore (_), hyphen (-), and period (.) characters."
        )))
    }
}

/// Checks user message attributes: at most 10, valid names, types and values.
pub fn check_message_attributes(attributes: &MessageAttributes) -> Result<(), SqsError> {
    if attributes.len() > 10 {
        return Err(attribute_error(format!(
            "Number of message attributes [{}] exceeds the allowed maximum [10].",
            attributes.len()
        )));
    }
    for (name, value) in attributes {
        check_attribute_name(name)?;
        check_attribute_value(name, value, "user")?;
    }
    Ok(())
}

/// Checks message system attributes: only AWSTraceHeader, a String.
pub fn check_system_attributes(attributes: &MessageAttributes) -> Result<(), SqsError> {
    for (name, value) in attributes {
        if name != "AWSTraceHeader" {
            return Err(attribute_error(format!("Message system attribute name '{name}' is invalid.")));
        }
        if value.data_type != "String" {
            return Err(attribute_error(format!(
                "Message system attribute '{name}' must contain a value of type 'String'."
            )));
        }
        check_attribute_value(name, value, "system")?;
    }
    Ok(())
}

fn check_attribute_value(name: &str, value: &MessageAttributeValue, kind: &str) -> Result<(), SqsError> {
    let base = value.data_type.split('.').next().unwrap_or_default();
    let custom_ok = value.data_type.len() <= 256
        && value.data_type.split_once('.').is_none_or(|(_, custom)| {
            !custom.is_empty() && custom.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        });
    if value.data_type.is_empty() {
        return Err(attribute_error(format!(
            "The message attribute '{name}' must contain a non-empty message attribute type."
        )));
    }
    if !matches!(base, "String" | "Number" | "Binary") || !custom_ok {
        return Err(attribute_error(format!(
            "The message attribute '{name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String."
        )));
    }
    match base {
        "Binary" => match &value.binary_value {
            Some(bytes) if !bytes.is_empty() => Ok(()),
            _ => Err(attribute_error(format!(
                "Message ({kind}) attribute '{name}' must contain a non-empty value of type 'Binary'."
            ))),
        },
        _ => {
            let text = match &value.string_value {
                Some(text) if !text.is_empty() => text,
                _ => {
                    return Err(attribute_error(format!(
                        "Message ({kind}) attribute '{name}' must contain a non-empty value of type '{base}'."
                    )))
                }
            };
            if !text.chars().all(is_allowed_char) {
                return Err(SqsError::new(
                    SqsErrorCode::InvalidMessageContents,
                    format!("Message ({kind}) attribute '{name}' contains invalid characters."),
                ));
            }
            if base == "Number" && !is_sqs_number(text) {
                return Err(attribute_error(format!(
                    "Can't cast the value of message ({kind}) attribute '{name}' to a number."
                )));
            }
            Ok(())
        }
    }
}

/// SQS Numbers: up to 38 digits of precision, exponent between -128 and +126.
fn is_sqs_number(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mantissa = mantissa.strip_prefix(['-', '+']).unwrap_or(mantissa);
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = int.len() + frac.len();
    let mantissa_ok = digits > 0 && digits <= 38 && int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix('+').unwrap_or(e);
        e.parse::<i32>().is_ok_and(|v| (-128..=126).contains(&v))
    });
    mantissa_ok && exponent_ok
}

pub fn md5(bytes: &[u8]) -> [u8; 16] {
    Md5::digest(bytes).into()
}

/// MD5OfMessageAttributes as AWS computes it: for each attribute in name
/// order, the length-prefixed (4-byte big-endian) name and data type, a
/// transport byte (1 = string/number, 2 = binary), then the length-prefixed value.
///
/// Inlined, and the digest kept apart: most messages have no attributes,
/// and the test alone is a few instructions where a call set up the whole
/// digest's frame first.
#[inline]
pub fn md5_of_attributes(attributes: &MessageAttributes) -> Option<[u8; 16]> {
    if attributes.is_empty() {
        None
    } else {
        Some(md5_of_some_attributes(attributes))
    }
}

#[inline(never)]
fn md5_of_some_attributes(attributes: &MessageAttributes) -> [u8; 16] {
    fn put(hasher: &mut Md5, bytes: &[u8]) {
        hasher.update((bytes.len() as u32).to_be_bytes());
        hasher.update(bytes);
    }
    let mut hasher = Md5::new();
    for (name, value) in attributes {
        put(&mut hasher, name.as_bytes());
        put(&mut hasher, value.data_type.as_bytes());
        match &value.binary_value {
            Some(bytes) if value.data_type.starts_with("Binary") => {
                hasher.update([2u8]);
                put(&mut hasher, bytes);
            }
            _ => {
                hasher.update([1u8]);
                put(&mut hasher, value.string_value.as_deref().unwrap_or_default().as_bytes());
            }
        }
    }
    hasher.finalize().into()
}

/// Batch entry ids: 1-80 characters, alphanumeric, hyphen, underscore.
pub fn check_batch_entry_id(id: &str) -> Result<(), SqsError> {
    let ok = !id.is_empty() && id.len() <= 80 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(SqsError::new(
            SqsErrorCode::InvalidBatchEntryId,
            "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
        ))
    }
}

/// Common batch checks: 1 to 10 entries with distinct, well-formed ids.
pub fn check_batch_ids<'a>(
    ids: impl ExactSizeIterator<Item = &'a str> + Clone,
    entry_shape: &str,
) -> Result<(), SqsError> {
    let count = ids.len();
    if count == 0 {
        return Err(SqsError::new(
            SqsErrorCode::EmptyBatchRequest,
            format!("There should be at least one {entry_shape} in the request."),
        ));
    }
    if count > 10 {
        return Err(SqsError::new(
            SqsErrorCode::TooManyEntriesInBatchRequest,
            format!("Maximum number of entries per request are 10. You have sent {count}."),
        ));
    }
    let mut seen: Vec<&str> = Vec::with_capacity(count);
    for id in ids {
        check_batch_entry_id(id)?;
        if seen.contains(&id) {
            return Err(SqsError::new(SqsErrorCode::BatchEntryIdsNotDistinct, format!("Id {id} repeated.")));
        }
        seen.push(id);
    }
    Ok(())
}

/// MessageGroupId and MessageDeduplicationId: 1-128 alphanumeric or punctuation characters.
pub fn check_fifo_id(value: &str, parameter: &str) -> Result<(), SqsError> {
    let ok = !value.is_empty()
        && value.len() <= 128
        && value.chars().all(|c| c.is_ascii_alphanumeric() || c.is_ascii_punctuation());
    if ok {
        Ok(())
    } else {
        Err(SqsError::invalid_value(
            value,
            parameter,
            &format!("{parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length."),
        ))
    }
}
