//! Receipt handles: opaque to the caller, decodable by the engine.
//!
//! A handle names the queue, the message and which receive it came from, so
//! the engine can tell a current handle from a stale one even after the
//! message is gone (AWS answers them differently on standard and FIFO
//! queues), and tell both from garbage. It starts with `AQEB` like AWS's.

use alloc::string::String;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::QueueId;

const MAGIC: [u8; 3] = [1, 1, 1];
const LEN: usize = 3 + 4 + 8 + 8 + 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Receipt {
    pub queue: QueueId,
    pub number: u64,
    pub nonce: u64,
}

/// FNV-1a over the payload, keyed by the seed: enough to refuse handles that
/// were typed by hand or belong to another engine; not a security boundary.
fn checksum(seed: u64, payload: &[u8]) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for &b in payload {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

pub(crate) fn encode(seed: u64, receipt: Receipt) -> String {
    let mut bytes = [0u8; LEN];
    bytes[..3].copy_from_slice(&MAGIC);
    bytes[3..7].copy_from_slice(&receipt.queue.0.to_be_bytes());
    bytes[7..15].copy_from_slice(&receipt.number.to_be_bytes());
    bytes[15..23].copy_from_slice(&receipt.nonce.to_be_bytes());
    let sum = checksum(seed, &bytes[..23]);
    bytes[23..].copy_from_slice(&sum.to_be_bytes());
    // Into a buffer on the stack, then one allocation of the right size (the
    // crate's `encode` zero-fills a vector and re-validates it as UTF-8).
    let mut text = [0u8; LEN.div_ceil(3) * 4];
    let len = STANDARD.encode_slice(bytes, &mut text).unwrap_or_default();
    core::str::from_utf8(&text[..len]).map(String::from).unwrap_or_default()
}

pub(crate) fn decode(seed: u64, handle: &str) -> Option<Receipt> {
    if handle.len() > 1024 {
        return None;
    }
    let mut bytes = [0u8; LEN];
    if STANDARD.decode_slice(handle, &mut bytes).ok()? != LEN || bytes[..3] != MAGIC {
        return None;
    }
    let sum = u64::from_be_bytes(bytes[23..].try_into().ok()?);
    if sum != checksum(seed, &bytes[..23]) {
        return None;
    }
    Some(Receipt {
        queue: QueueId(u32::from_be_bytes(bytes[3..7].try_into().ok()?)),
        number: u64::from_be_bytes(bytes[7..15].try_into().ok()?),
        nonce: u64::from_be_bytes(bytes[15..23].try_into().ok()?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_tampering() {
        let r = Receipt { queue: QueueId(3), number: 42, nonce: 0xdead_beef };
        let handle = encode(9, r);
        assert!(handle.starts_with("AQEB"));
        assert_eq!(decode(9, &handle), Some(r));
        assert_eq!(decode(10, &handle), None, "another engine's handle");
        assert_eq!(decode(9, "garbage"), None);
        let mut tampered = handle.into_bytes();
        tampered[10] = if tampered[10] == b'A' { b'B' } else { b'A' };
        assert_eq!(decode(9, core::str::from_utf8(&tampered).unwrap()), None);
    }
}
