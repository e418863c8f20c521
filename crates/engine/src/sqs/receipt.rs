//! Receipt handles: opaque to the caller, decodable by the engine.
//!
//! A handle names the queue, the message and which receive it came from, so
//! the engine can tell a current handle from a stale one even after the
//! message is gone (AWS answers them differently on standard and FIFO
//! queues), and tell both from garbage. It starts with `AQEB` like AWS's.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

use super::QueueId;
use crate::token;

const MAGIC: [u8; 3] = [1, 1, 1];
/// Magic, queue, message number, receipt nonce, two zero bytes (so that the
/// layout is whole base64 groups), check.
const LEN: usize = 3 + 4 + 8 + 8 + 2 + 8;
const CHECKED: usize = LEN - 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Receipt {
    pub queue: QueueId,
    pub number: u64,
    pub nonce: u64,
}

/// How many characters a handle has.
pub(crate) const ENCODED_LEN: usize = token::encoded_len(LEN);

/// Writes the handle's characters (ASCII) into `text`.
pub(crate) fn encode_into(seed: u64, receipt: Receipt, text: &mut [u8; ENCODED_LEN]) {
    let mut bytes = [0u8; LEN];
    bytes[..3].copy_from_slice(&MAGIC);
    bytes[3..7].copy_from_slice(&receipt.queue.0.to_be_bytes());
    bytes[7..15].copy_from_slice(&receipt.number.to_be_bytes());
    bytes[15..23].copy_from_slice(&receipt.nonce.to_be_bytes());
    let check = token::check(seed, &bytes[..CHECKED]);
    bytes[CHECKED..].copy_from_slice(&check);
    token::encode_groups(&bytes, text);
}

pub(crate) fn decode(seed: u64, handle: &str) -> Option<Receipt> {
    if handle.ends_with('=') {
        return decode_version_1(seed, handle);
    }
    let mut bytes = [0u8; LEN];
    token::decode_groups(handle.as_bytes(), &mut bytes)?;
    let valid = bytes[..3] == MAGIC
        && bytes[23..CHECKED] == [0, 0]
        && bytes[CHECKED..] == token::check(seed, &bytes[..CHECKED]);
    valid.then(|| fields(&bytes))
}

fn fields(bytes: &[u8]) -> Receipt {
    let u64_at = |at: usize| u64::from_be_bytes(bytes[at..at + 8].try_into().unwrap_or_default());
    Receipt {
        queue: QueueId(u32::from_be_bytes(bytes[3..7].try_into().unwrap_or_default())),
        number: u64_at(7),
        nonce: u64_at(15),
    }
}

/// Handles issued before the layout above (31 bytes, an FNV-1a check) are
/// still read, so that a playground saved in local storage with them replays.
fn decode_version_1(seed: u64, handle: &str) -> Option<Receipt> {
    const LEN_1: usize = 31;
    if handle.len() > 44 {
        return None;
    }
    let mut bytes = [0u8; LEN_1];
    if STANDARD.decode_slice(handle, &mut bytes).ok()? != LEN_1 || bytes[..3] != MAGIC {
        return None;
    }
    (bytes[23..] == token::first_layout_check(seed, &bytes[..23])).then(|| fields(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn encode(seed: u64, receipt: Receipt) -> String {
        let mut text = [0u8; ENCODED_LEN];
        encode_into(seed, receipt, &mut text);
        String::from(core::str::from_utf8(&text).unwrap())
    }

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
        assert_eq!(decode(9, &handle_of_len(43)), None);
    }

    fn handle_of_len(len: usize) -> String {
        encode(9, Receipt { queue: QueueId(3), number: 42, nonce: 1 })[..len].into()
    }

    #[test]
    fn handles_of_the_first_layout_still_delete() {
        // Issued by the engine before the layout changed: queue 3, message 42, nonce 0xdeadbeef, seed 9.
        let handle = "AQEBAAAAAwAAAAAAAAAqAAAAAN6tvu9ALg5/zZYhXA==";
        assert_eq!(decode(9, handle), Some(Receipt { queue: QueueId(3), number: 42, nonce: 0xdead_beef }));
        assert_eq!(decode(10, handle), None);
    }
}
