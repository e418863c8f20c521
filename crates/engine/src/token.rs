//! Opaque tokens the engine hands out and reads back — SQS receipt handles
//! and Kinesis shard iterators — written as standard base64 of a fixed byte
//! layout, with a check that tells a token this engine issued from a mangled
//! or invented one.
//!
//! Tokens are encoded and decoded on every receive, delete and GetRecords.
//! Their layouts are whole 3-byte groups (so no padding), converted here a
//! group at a time: for a few dozen bytes the `base64` crate's general
//! decoder, built for long inputs, cost more than the rest of a DeleteMessage.
//! The tests check both directions against that crate.

/// Standard base64 (RFC 4648 §4).
const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const NOT_BASE64: u8 = 0xff;
const SEXTETS: [u8; 256] = {
    let mut table = [NOT_BASE64; 256];
    let mut i = 0;
    while i < 64 {
        table[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// How many characters `bytes` bytes take (a multiple of 3).
pub(crate) const fn encoded_len(bytes: usize) -> usize {
    bytes / 3 * 4
}

/// Writes the base64 of `bytes` (whole groups) into `out`, which is
/// `encoded_len(bytes.len())` long.
///
/// Natively, a group is two lookups of both characters of 12 bits
/// ([`CHAR_PAIRS`]) and one store: a third of the work of four single
/// characters. The table is 8 KB, too much to ship to the browser, where
/// the characters are looked up one at a time.
pub(crate) fn encode_groups(bytes: &[u8], out: &mut [u8]) {
    debug_assert!(bytes.len().is_multiple_of(3) && out.len() == encoded_len(bytes.len()));
    #[cfg(not(target_family = "wasm"))]
    {
        let pair_of = |v: usize, chars: &mut [u8]| {
            let (high, low) = (CHAR_PAIRS[v >> 12 & 0xfff], CHAR_PAIRS[v & 0xfff]);
            chars.copy_from_slice(&(u32::from(high) | u32::from(low) << 16).to_le_bytes());
        };
        // Every group but the last is read as one load of four bytes (the
        // fourth is the next group's) and a shift, rather than assembled
        // from three loads: 40 of a GetRecords' instructions.
        let groups = bytes.len() / 3;
        let (head, last) = out.split_at_mut((groups.saturating_sub(1) * 4).min(out.len()));
        for (window, chars) in bytes.windows(4).step_by(3).zip(head.chunks_exact_mut(4)) {
            let word = u32::from_be_bytes(window.try_into().unwrap_or_default());
            pair_of((word >> 8) as usize, chars);
        }
        if let (&[a, b, c], 4) = (&bytes[bytes.len().saturating_sub(3)..], last.len()) {
            pair_of(usize::from(a) << 16 | usize::from(b) << 8 | usize::from(c), last);
        }
    }
    #[cfg(target_family = "wasm")]
    encode_by_char(bytes, out);
}

/// Both characters of every 12 bits, as a little-endian `u16`.
#[cfg(not(target_family = "wasm"))]
const CHAR_PAIRS: [u16; 4096] = {
    let mut table = [0u16; 4096];
    let mut i = 0;
    while i < 4096 {
        table[i] = u16::from_le_bytes([ALPHABET[i >> 6], ALPHABET[i & 0x3f]]);
        i += 1;
    }
    table
};

/// Base64 of whole groups, a character at a time.
#[cfg_attr(not(target_family = "wasm"), allow(dead_code))]
fn encode_by_char(bytes: &[u8], out: &mut [u8]) {
    for (group, chars) in bytes.chunks_exact(3).zip(out.chunks_exact_mut(4)) {
        let v = u32::from(group[0]) << 16 | u32::from(group[1]) << 8 | u32::from(group[2]);
        chars.copy_from_slice(&[
            ALPHABET[(v >> 18) as usize],
            ALPHABET[(v >> 12 & 0x3f) as usize],
            ALPHABET[(v >> 6 & 0x3f) as usize],
            ALPHABET[(v & 0x3f) as usize],
        ]);
    }
}

/// A character's six bits already shifted to where they go in its group's
/// 24 (one table per position in the group), or `INVALID` for a character
/// that is not base64: a group is then four loads and three ORs.
const INVALID: u32 = 1 << 31;
const fn shifted_sextets(shift: u32) -> [u32; 256] {
    let mut table = [INVALID; 256];
    let mut i = 0;
    while i < 256 {
        if SEXTETS[i] != NOT_BASE64 {
            table[i] = (SEXTETS[i] as u32) << shift;
        }
        i += 1;
    }
    table
}
const SHIFTED: [[u32; 256]; 4] = [shifted_sextets(18), shifted_sextets(12), shifted_sextets(6), shifted_sextets(0)];

/// Reads base64 `text` into `out`, which must be exactly as long as the text
/// decodes to; `None` if any character is not base64 (padding included).
pub(crate) fn decode_groups(text: &[u8], out: &mut [u8]) -> Option<()> {
    if text.len() != encoded_len(out.len()) || !out.len().is_multiple_of(3) {
        return None;
    }
    let mut invalid = 0u32;
    for (chars, group) in text.chunks_exact(4).zip(out.chunks_exact_mut(3)) {
        let v = SHIFTED[0][usize::from(chars[0])]
            | SHIFTED[1][usize::from(chars[1])]
            | SHIFTED[2][usize::from(chars[2])]
            | SHIFTED[3][usize::from(chars[3])];
        // One test after the loop: an invalid character sets the top bit.
        invalid |= v;
        group.copy_from_slice(&v.to_be_bytes()[1..]);
    }
    (invalid & INVALID == 0).then_some(())
}

/// A 64-bit check of `bytes`, keyed: eight bytes at a time through a
/// multiply-xorshift mix. It only has to catch tokens that were edited, cut
/// or typed by hand, not resist forgery.
pub(crate) fn check(key: u64, bytes: &[u8]) -> [u8; 8] {
    const MULTIPLIER: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |h: u64, word: u64| {
        let h = (h ^ word).wrapping_mul(MULTIPLIER);
        h ^ h >> 29
    };
    let mut words = bytes.chunks_exact(8);
    let mut h = key ^ (bytes.len() as u64).wrapping_mul(MULTIPLIER);
    for word in &mut words {
        h = mix(h, u64::from_le_bytes(word.try_into().unwrap_or_default()));
    }
    let mut last = [0u8; 8];
    last[..words.remainder().len()].copy_from_slice(words.remainder());
    h = mix(h, u64::from_le_bytes(last));
    mix(h, h >> 32).to_be_bytes()
}

/// The check of the tokens' first layouts, FNV-1a over the bytes from
/// `key`: still verified, so that tokens saved with them keep working.
pub(crate) fn first_layout_check(key: u64, bytes: &[u8]) -> [u8; 8] {
    let hash =
        bytes.iter().fold(0xcbf2_9ce4_8422_2325u64 ^ key, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3));
    hash.to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn groups_agree_with_the_base64_crate(bytes in proptest::collection::vec(any::<u8>(), 0..40usize)) {
            let whole = &bytes[..bytes.len() / 3 * 3];
            let mut text = vec![0u8; encoded_len(whole.len())];
            encode_groups(whole, &mut text);
            let expected = STANDARD.encode(whole);
            prop_assert_eq!(&text, expected.as_bytes());
            let mut back = vec![0u8; whole.len()];
            prop_assert_eq!(decode_groups(&text, &mut back), Some(()));
            prop_assert_eq!(back, whole);
        }

        #[test]
        fn decoding_refuses_what_the_crate_refuses(text in "[A-Za-z0-9+/=_ -]{0,24}") {
            let mut out = vec![0u8; text.len() / 4 * 3];
            let ours = decode_groups(text.as_bytes(), &mut out).map(|()| out);
            // Whole unpadded groups are the only form tokens take.
            let crate_says: Option<Vec<u8>> = (text.len() % 4 == 0 && !text.contains('='))
                .then(|| STANDARD.decode(&text).ok())
                .flatten();
            prop_assert_eq!(ours, crate_says);
        }

        #[test]
        fn any_one_changed_byte_changes_the_check(
            bytes in proptest::collection::vec(any::<u8>(), 1..64usize),
            at in any::<proptest::sample::Index>(),
            flip in 1u8..,
        ) {
            let mut changed = bytes.clone();
            changed[at.index(bytes.len())] ^= flip;
            prop_assert_ne!(check(7, &bytes), check(7, &changed));
        }
    }

    proptest! {
        #[test]
        fn by_pairs_and_by_char_agree(bytes in proptest::collection::vec(any::<u8>(), 0..40usize)) {
            let whole = &bytes[..bytes.len() / 3 * 3];
            let (mut by_pairs, mut by_char) = (vec![0u8; encoded_len(whole.len())], vec![0u8; encoded_len(whole.len())]);
            encode_groups(whole, &mut by_pairs);
            encode_by_char(whole, &mut by_char);
            prop_assert_eq!(by_pairs, by_char);
        }
    }

    #[test]
    fn the_check_depends_on_the_key_and_the_length() {
        assert_ne!(check(1, b"abc"), check(2, b"abc"));
        assert_ne!(check(1, b"abc"), check(1, b"abc\0"));
        assert_ne!(check(1, b""), check(1, b"\0"));
    }

    #[test]
    fn text_of_the_wrong_length_is_refused() {
        let mut out = [0u8; 3];
        assert_eq!(decode_groups(b"QUJD", &mut out), Some(()));
        assert_eq!(&out, b"ABC");
        assert_eq!(decode_groups(b"QUJ", &mut out), None);
        assert_eq!(decode_groups(b"QUJDQ", &mut out), None);
    }
}
