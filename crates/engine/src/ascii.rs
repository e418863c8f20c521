//! Texts the engine writes itself — ids, hex digests, tokens — as owned
//! strings. They are ASCII by construction, but safe Rust still validates
//! UTF-8 to make a `str`, and for a few dozen bytes that costs about as much
//! as writing them: a response's texts are written side by side into one
//! buffer and validated once.

use alloc::string::String;

/// Splits `buffer` into `N` strings of the given lengths, in order, after
/// one UTF-8 validation of the whole. A buffer that is not valid UTF-8 (a
/// bug: callers write ASCII) gives empty strings rather than a panic.
pub(crate) fn strings<const N: usize>(buffer: &[u8], lengths: [usize; N]) -> [String; N] {
    let text = core::str::from_utf8(buffer).unwrap_or_default();
    let mut start = 0;
    lengths.map(|len| {
        let part = text.get(start..start + len).unwrap_or_default();
        start += len;
        String::from(part)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_in_order() {
        let [a, b, c] = strings(b"abcdefg", [2, 0, 5]);
        assert_eq!((a.as_str(), b.as_str(), c.as_str()), ("ab", "", "cdefg"));
    }

    #[test]
    fn bad_input_gives_empty_strings_not_a_panic() {
        assert_eq!(strings(&[0xff, b'a'], [1, 1]), [String::new(), String::new()]);
        assert_eq!(strings(b"ab", [1, 5]), [String::from("a"), String::new()]);
    }
}
