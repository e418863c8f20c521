//! Pagination shared by the List actions: a page of ordered keys, and a
//! NextToken that is the last key returned, base64-encoded (opaque to callers,
//! as AWS's tokens are).

use alloc::string::String;
use alloc::vec::Vec;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;

/// The key a NextToken resumes after; `Err` for a token this engine did not issue.
pub(crate) fn resume_after(next_token: Option<&str>) -> Result<Option<String>, ()> {
    match next_token.filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(token) => STANDARD.decode(token).ok().and_then(|b| String::from_utf8(b).ok()).map(Some).ok_or(()),
    }
}

/// Up to `size` keys after `after`, and the token for the rest when there is
/// more and `hand_out_token` (SQS gives one only to callers that set MaxResults).
pub(crate) fn take<'k>(
    keys: impl Iterator<Item = &'k str>,
    after: Option<&str>,
    size: usize,
    hand_out_token: bool,
) -> (Vec<&'k str>, Option<String>) {
    let mut page: Vec<&str> = keys.filter(|k| after.is_none_or(|a| *k > a)).take(size + 1).collect();
    let more = page.len() > size;
    page.truncate(size);
    let token = (more && hand_out_token).then(|| page.last().map(|last| STANDARD.encode(last))).flatten();
    (page, token)
}
