//! Lower-case hex, the form AWS uses for MD5 digests and ids.
use alloc::string::String;

const DIGITS: &[u8; 16] = b"0123456789abcdef";

/// The two hex digits of one byte.
pub(crate) fn pair(b: u8) -> [u8; 2] {
    [DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0x0f)]]
}

/// Writes the hex of `bytes` into `out` (twice as long).
pub(crate) fn encode_into(bytes: &[u8], out: &mut [u8]) {
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = DIGITS[usize::from(b >> 4)];
        pair[1] = DIGITS[usize::from(b & 0x0f)];
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
