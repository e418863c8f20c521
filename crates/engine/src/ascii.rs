//! Texts the engine writes itself — ids, hex digests, tokens — as strings.
//! They are ASCII by construction, but safe Rust still validates UTF-8 to
//! make a `str`, and for a few dozen bytes that costs about as much as
//! writing them: each text is validated once, where it is written (texts
//! answered together written side by side into one [`Buffer`]), and kept
//! as text where it is answered again, as a message's id and digest are.
//! Texts of a fixed length are answered inline ([`ArrayString`]), so a
//! response does not allocate for each of them.

use arrayvec::ArrayString;

/// A buffer to write a text into: aligned to a word, so that the UTF-8
/// check runs a word at a time from the first byte (from an unaligned start
/// it steps a byte at a time to the first word boundary).
#[repr(align(8))]
pub(crate) struct Buffer<const N: usize>(pub [u8; N]);

impl<const N: usize> Buffer<N> {
    pub(crate) fn new() -> Self {
        Buffer([0; N])
    }
}

/// The text of `buffer`: empty if it is not UTF-8 (a bug: callers write ASCII).
pub(crate) fn text(buffer: &[u8]) -> &str {
    core::str::from_utf8(buffer).unwrap_or_default()
}

/// The `N` characters of `text` from `start`, inline; empty where `text`
/// is too short (a bug, answered without a panic).
pub(crate) fn inline<const N: usize>(text: &str, start: usize) -> ArrayString<N> {
    text.get(start..start + N).and_then(|part| ArrayString::from(part).ok()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_texts_are_cut_from_one_validated_buffer() {
        let text = text(b"abcdefg");
        assert_eq!(inline::<2>(text, 0).as_str(), "ab");
        assert_eq!(inline::<5>(text, 2).as_str(), "cdefg");
    }

    #[test]
    fn bad_input_gives_empty_texts_not_a_panic() {
        assert_eq!(text(&[0xff, b'a']), "");
        assert_eq!(inline::<5>("ab", 1).as_str(), "");
        // A cut through a multi-byte character.
        assert_eq!(inline::<1>("é", 0).as_str(), "");
    }
}
