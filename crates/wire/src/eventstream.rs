//! AWS's event stream framing (`application/vnd.amazon.eventstream`), the
//! binary messages SubscribeToShard answers with.
//!
//! A message is a prelude (total length, headers length, CRC-32 of those
//! eight bytes), the headers (name length, name, type 7 = string, value
//! length, value), the payload, and a CRC-32 of everything before it.

use alloc::vec::Vec;

/// One event message with string headers and a payload.
pub(crate) fn message(headers: &[(&str, &str)], payload: &[u8]) -> Vec<u8> {
    let mut encoded_headers = Vec::new();
    for (name, value) in headers {
        encoded_headers.push(name.len() as u8);
        encoded_headers.extend_from_slice(name.as_bytes());
        encoded_headers.push(7);
        encoded_headers.extend_from_slice(&(value.len() as u16).to_be_bytes());
        encoded_headers.extend_from_slice(value.as_bytes());
    }
    let total = 12 + encoded_headers.len() + payload.len() + 4;
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(&(total as u32).to_be_bytes());
    out.extend_from_slice(&(encoded_headers.len() as u32).to_be_bytes());
    let prelude_crc = crc32fast::hash(&out);
    out.extend_from_slice(&prelude_crc.to_be_bytes());
    out.extend_from_slice(&encoded_headers);
    out.extend_from_slice(payload);
    let message_crc = crc32fast::hash(&out);
    out.extend_from_slice(&message_crc.to_be_bytes());
    out
}

/// An `event` message of the given type with a JSON payload.
pub(crate) fn json_event(event_type: &str, payload: &[u8]) -> Vec<u8> {
    message(&[(":event-type", event_type), (":content-type", "application/json"), (":message-type", "event")], payload)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_carry_lengths_and_checksums() {
        let m = json_event("initial-response", b"{}");
        let total = u32::from_be_bytes(m[0..4].try_into().unwrap()) as usize;
        let headers = u32::from_be_bytes(m[4..8].try_into().unwrap()) as usize;
        assert_eq!(total, m.len());
        assert_eq!(u32::from_be_bytes(m[8..12].try_into().unwrap()), crc32fast::hash(&m[..8]));
        assert_eq!(&m[12 + headers..total - 4], b"{}");
        assert_eq!(u32::from_be_bytes(m[total - 4..].try_into().unwrap()), crc32fast::hash(&m[..total - 4]));
        assert_eq!(m[12], 11, "\":event-type\" is 11 bytes");
        assert_eq!(&m[13..24], b":event-type");
    }
}
