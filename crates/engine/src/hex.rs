//! Lower-case hex, the form AWS uses for MD5 digests and ids.
use alloc::string::String;

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Both digits of every byte: one table load per byte instead of two
/// nibble lookups (ids and digests are encoded on every send and receive).
const PAIRS: [[u8; 2]; 256] = {
    let mut table = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = [DIGITS[b >> 4], DIGITS[b & 0x0f]];
        b += 1;
    }
    table
};

/// The two hex digits of one byte.
pub(crate) fn pair(b: u8) -> [u8; 2] {
    PAIRS[usize::from(b)]
}

/// Writes the hex of `bytes` into `out` (twice as long).
pub(crate) fn encode_into(bytes: &[u8], out: &mut [u8]) {
    for (digits, &b) in out.chunks_exact_mut(2).zip(bytes) {
        digits.copy_from_slice(&pair(b));
    }
}

/// The hex of a digest (up to 32 bytes: MD5 and SHA-256), built on the stack
/// and allocated once: digests are encoded on every send and receive.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut buffer = [0u8; 64];
    let out = &mut buffer[..bytes.len().min(32) * 2];
    encode_into(bytes, out);
    core::str::from_utf8(out).map(String::from).unwrap_or_default()
}
