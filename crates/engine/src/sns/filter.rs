//! Subscription filter policies: which messages a subscription receives.
//!
//! A filter policy is a JSON document. [`FilterPolicy::parse`] validates it
//! the way SNS does and compiles it; [`FilterPolicy::matches_attributes`] and
//! [`FilterPolicy::matches_body`] then decide, per published message, whether
//! the subscription gets it.
//!
//! # Where the behaviour comes from
//! SNS evaluates filter policies with the engine AWS open-sourced as
//! `aws/event-ruler` (the same one EventBridge uses). Its rule compiler is the
//! source of most validation messages ("Unrecognized match type …", "Bottom
//! must be less than top", …) and it reports them as Jackson parse errors,
//! which is why AWS's messages end in `\n at [Source: (String)"…"; line: 1,
//! column: N]`. The policy text in that suffix is not what the caller sent:
//! SNS parses the policy, writes it back as compact JSON, and compiles that.
//! This module does the same three steps, so the column numbers agree with
//! AWS's (checked against LocalStack's AWS-recorded snapshot
//! `test_sns_filter_policy.snapshot.json`, where every column is reproduced
//! by the tests below).
//!
//! SNS runs an older event-ruler than today's: `anything-but` accepts a
//! list, a single string or number, or `{"prefix": …}` only
//! (`{"anything-but": {"suffix": …}}` is refused with "Unsupported
//! anything-but pattern: suffix", AWS-recorded 2024-05), and `wildcard` /
//! `exactly` are not SNS operators. Numbers are compared as event-ruler's
//! `ComparableNumber` does: within ±10⁹, truncated to six decimal places
//! (AWS documents "five digits of accuracy").
//!
//! The checks that are SNS's own (five keys, 150 combinations, no nesting in
//! the `MessageAttributes` scope) run after the compiler and carry no
//! location suffix.
//!
//! # Error prefixes
//! [`FilterPolicyError`]'s `Display` is the text after `FilterPolicy: `. The
//! SNS layer answers `InvalidParameter` with:
//! - SetSubscriptionAttributes: `Invalid parameter: ` + [`FilterPolicyError::reason`]
//! - Subscribe (policy in `Attributes`): `Invalid parameter: Attributes Reason: ` + `reason()`
//!
//! `reason()` is `FilterPolicy: <message>`, except for the nesting error,
//! which AWS words without the `FilterPolicy: ` part.
//!
//! An empty `FilterPolicy` attribute removes the policy; that is the SNS
//! layer's business, `parse("")` is an error like any other invalid JSON.

use alloc::borrow::ToOwned;
use alloc::collections::BTreeSet;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

use serde_json::Value;

use crate::sqs::{MessageAttributeValue, MessageAttributes};

/// A policy may have at most this many keys (names at the top level; in the
/// `MessageBody` scope nested keys do not count).
pub const MAX_KEYS: usize = 5;
/// The "total combination of values" may not exceed this.
pub const MAX_COMBINATIONS: u64 = 150;
/// "The maximum size of a filter policy is 256 KB."
pub const MAX_POLICY_BYTES: usize = 256 * 1024;

/// Numbers are comparable within ±10⁹ (AWS's documented range).
const NUMBER_LIMIT: f64 = 1e9;
const NUMBER_LIMIT_MESSAGE: &str = "Value must be between -1.0E9 and 1.0E9, inclusive";
/// Jackson's default `StreamReadConstraints` nesting limit.
const MAX_DEPTH: usize = 1000;
/// Past this many `$or` branches the policy is certainly "too complex"
/// (every branch contributes at least one combination), so the compiler stops
/// expanding them and only keeps validating.
const MAX_BRANCHES: usize = 1024;

/// What a subscription's filter policy is applied to (`FilterPolicyScope`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum FilterPolicyScope {
    #[default]
    MessageAttributes,
    MessageBody,
}

impl FilterPolicyScope {
    /// Parses the attribute value; AWS accepts exactly these two spellings.
    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "MessageAttributes" => Some(FilterPolicyScope::MessageAttributes),
            "MessageBody" => Some(FilterPolicyScope::MessageBody),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FilterPolicyScope::MessageAttributes => "MessageAttributes",
            FilterPolicyScope::MessageBody => "MessageBody",
        }
    }
}

/// Why a filter policy was refused. `Display` gives AWS's text after
/// `FilterPolicy: ` (see the module docs for the prefixes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FilterPolicyError {
    pub message: String,
    /// The nesting error is not reported under `FilterPolicy: `.
    scope_error: bool,
}

impl FilterPolicyError {
    fn new(message: impl Into<String>) -> Self {
        FilterPolicyError { message: message.into(), scope_error: false }
    }

    /// The text AWS puts after `Invalid parameter: ` (SetSubscriptionAttributes)
    /// or after `Invalid parameter: Attributes Reason: ` (Subscribe).
    pub fn reason(&self) -> String {
        if self.scope_error {
            self.message.clone()
        } else {
            format!("FilterPolicy: {}", self.message)
        }
    }

    /// Whether this is "Filter policy scope MessageAttributes does not support
    /// nested filter policy", which SNS also raises when the scope of a
    /// subscription with a nested policy is changed to `MessageAttributes`.
    pub fn is_scope_error(&self) -> bool {
        self.scope_error
    }
}

impl fmt::Display for FilterPolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for FilterPolicyError {}

/// A validated, compiled filter policy.
///
/// The policy is kept as event-ruler keeps it: a list of branches (one per
/// combination of `$or` alternatives), each a list of field paths with the
/// patterns any one of which must match. A message matches when every field
/// of some branch matches.
#[derive(Clone, Debug, PartialEq)]
pub struct FilterPolicy {
    scope: FilterPolicyScope,
    branches: Vec<Branch>,
}

type Branch = Vec<(String, Vec<Pattern>)>;

impl FilterPolicy {
    /// Validates `text` as SNS does for the given scope and compiles it.
    pub fn parse(text: &str, scope: FilterPolicyScope) -> Result<FilterPolicy, FilterPolicyError> {
        if text.len() > MAX_POLICY_BYTES {
            // AWS documents the limit but not its message.
            return Err(FilterPolicyError::new("Filter policy is too large"));
        }
        let tree = Reader::new(text).read_root()?;
        let mut compact = String::new();
        write_compact(&tree, &mut compact);
        let branches = Compiler::new(&compact).compile()?;

        // SNS's own checks. The compiler accepted the document, so the root is
        // an object whose values are objects or arrays.
        let Node::Object(root) = &tree else { unreachable!("the compiler accepts only objects") };
        if count_keys(root, &BTreeSet::new()) > MAX_KEYS {
            return Err(FilterPolicyError::new("Filter policy can not have more than 5 keys"));
        }
        if scope == FilterPolicyScope::MessageAttributes && is_nested(root) {
            return Err(FilterPolicyError {
                message: "Filter policy scope MessageAttributes does not support nested filter policy".into(),
                scope_error: true,
            });
        }
        if combinations(root, 1) > MAX_COMBINATIONS {
            return Err(FilterPolicyError::new("Filter policy is too complex"));
        }
        Ok(FilterPolicy { scope, branches })
    }

    pub fn scope(&self) -> FilterPolicyScope {
        self.scope
    }

    /// Whether a message with these attributes passes the policy
    /// (`MessageAttributes` scope). `String` and `Number` attributes are
    /// single values, `String.Array` is a JSON array whose elements are
    /// values; `Binary` attributes are ignored, as if absent.
    pub fn matches_attributes(&self, attributes: &MessageAttributes) -> bool {
        self.branches.iter().any(|branch| {
            branch.iter().all(|(name, patterns)| attribute_matches(patterns, attributes.get(name.as_str())))
        })
    }

    /// Whether a message whose body parsed to `body` passes the policy
    /// (`MessageBody` scope). Only JSON objects can match. Nested keys are
    /// joined with `.`, so the policy key `"a.b"` finds `{"a":{"b":…}}` and
    /// `{"a.b":…}` alike; arrays contribute each element, and fields matched
    /// inside arrays of objects must come from the same element.
    pub fn matches_body(&self, body: &Value) -> bool {
        let Value::Object(_) = body else { return false };
        let mut leaves = Vec::new();
        let mut members = Vec::new();
        let mut next_array = 0;
        flatten(body, &mut String::new(), &mut members, &mut next_array, &mut leaves);
        self.branches.iter().any(|branch| body_branch_matches(branch, &leaves))
    }

    /// [`Self::matches_body`] for the raw message text: a body that is not
    /// JSON never matches.
    pub fn matches_body_text(&self, body: &str) -> bool {
        serde_json::from_str::<Value>(body).map(|v| self.matches_body(&v)).unwrap_or(false)
    }
}

// ---------------------------------------------------------------------------
// Step 1: read the policy the way SNS's JSON library (Jackson) does.
// ---------------------------------------------------------------------------

/// A JSON document with its object keys in document order. Duplicate keys
/// keep the first key's position and the last key's value, as Jackson's
/// `ObjectNode` does; `serde_json::Value` would sort the keys and move every
/// column AWS reports.
#[derive(Clone, Debug, PartialEq)]
enum Node {
    Object(Vec<(String, Node)>),
    Array(Vec<Node>),
    Str(String),
    /// The number as Jackson writes it back (`1e2` becomes `100.0`).
    Num(String),
    Bool(bool),
    Null,
}

/// The `[Source: (String)"…"` part of a Jackson location: the first 500
/// UTF-16 units of the text, then how many were left out.
fn source_description(text: &str) -> String {
    let total = text.encode_utf16().count();
    let mut shown = 0;
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        if shown + c.len_utf16() > 500 {
            end = i;
            break;
        }
        shown += c.len_utf16();
    }
    let mut out = format!("(String)\"{}\"", &text[..end]);
    if total > 500 {
        out.push_str(&format!("[truncated {} chars]", total - 500));
    }
    out
}

/// Jackson's line and column (1-based, columns in UTF-16 units) of the byte
/// offset `pos`: `\n`, `\r` and `\r\n` each end a line.
fn line_and_column(text: &str, pos: usize) -> (usize, usize) {
    let mut line = 1;
    let mut column = 1;
    let mut chars = text[..pos].chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                line += 1;
                column = 1;
            }
            '\n' => {
                line += 1;
                column = 1;
            }
            c => column += c.len_utf16(),
        }
    }
    (line, column)
}

fn location(text: &str, pos: usize) -> String {
    let (line, column) = line_and_column(text, pos);
    format!("[Source: {}; line: {line}, column: {column}]", source_description(text))
}

/// How Jackson names a character in its messages.
fn char_description(c: char) -> String {
    let code = c as u32;
    if c.is_control() {
        format!("(CTRL-CHAR, code {code})")
    } else if code > 255 {
        format!("'{c}' (code {code} / 0x{code:x})")
    } else {
        format!("'{c}' (code {code})")
    }
}

const VALID_VALUES: &str = "(JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

fn is_identifier_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_identifier_part(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// A strict JSON reader with Jackson's error messages and positions (the
/// ones SNS shows after "failed to parse JSON."). Content after the first
/// value is ignored, as `ObjectMapper.readTree` does by default.
struct Reader<'a> {
    text: &'a str,
    pos: usize,
    depth: usize,
}

type ReadResult<T> = Result<T, FilterPolicyError>;

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Self {
        Reader { text, pos: 0, depth: 0 }
    }

    fn error_at(&self, pos: usize, message: &str) -> FilterPolicyError {
        FilterPolicyError::new(format!("failed to parse JSON. {message}\n at {}", location(self.text, pos)))
    }

    fn peek(&self) -> Option<char> {
        self.text[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_whitespace(&mut self) {
        while let Some(' ' | '\t' | '\n' | '\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The character just read was not what the grammar allows here.
    fn unexpected(&self, c: char, comment: &str) -> FilterPolicyError {
        self.error_at(self.pos, &format!("Unexpected character ({}): {comment}", char_description(c)))
    }

    fn unclosed(&self, kind: &str, start: usize) -> FilterPolicyError {
        self.error_at(
            self.pos,
            &format!(
                "Unexpected end-of-input: expected close marker for {kind} (start marker at {})",
                location(self.text, start)
            ),
        )
    }

    /// `Unrecognized token 'xyz'`: the token runs from `start` through the
    /// identifier characters that follow.
    fn unrecognized_token(&mut self, start: usize) -> FilterPolicyError {
        let mut taken = self.text[start..self.pos].chars().count();
        while let Some(c) = self.peek() {
            if !is_identifier_part(c) || taken >= 256 {
                break;
            }
            self.pos += c.len_utf8();
            taken += 1;
        }
        let token = &self.text[start..self.pos];
        self.error_at(self.pos, &format!("Unrecognized token '{token}': was expecting {VALID_VALUES}"))
    }

    fn read_root(&mut self) -> ReadResult<Node> {
        self.skip_whitespace();
        if self.peek().is_none() {
            return Err(FilterPolicyError::new(format!(
                "failed to parse JSON. No content to map due to end-of-input\n at {}",
                location(self.text, self.pos)
            )));
        }
        self.read_value(None)
    }

    /// Reads a value; `container` is `Some("Object" | "Array", start)` inside one.
    fn read_value(&mut self, container: Option<(&str, usize)>) -> ReadResult<Node> {
        self.skip_whitespace();
        let start = self.pos;
        let Some(c) = self.bump() else {
            let (kind, start) = container.unwrap_or(("root", 0));
            return Err(self.unclosed(kind, start));
        };
        match c {
            '{' => self.read_object(start),
            '[' => self.read_array(start),
            '"' => Ok(Node::Str(self.read_string()?)),
            '-' | '0'..='9' => self.read_number(start),
            't' => self.read_literal(start, "true", Node::Bool(true)),
            'f' => self.read_literal(start, "false", Node::Bool(false)),
            'n' => self.read_literal(start, "null", Node::Null),
            c if is_identifier_start(c) => Err(self.unrecognized_token(start)),
            c => Err(self.unexpected(c, &format!("expected a valid value {VALID_VALUES}"))),
        }
    }

    fn enter(&mut self) -> ReadResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_at(
                self.pos,
                &format!(
                    "Document nesting depth ({}) exceeds the maximum allowed ({MAX_DEPTH}, from \
                     `StreamReadConstraints.getMaxNestingDepth()`)",
                    self.depth
                ),
            ));
        }
        Ok(())
    }

    fn read_object(&mut self, start: usize) -> ReadResult<Node> {
        self.enter()?;
        let mut fields: Vec<(String, Node)> = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some('}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Node::Object(fields));
        }
        loop {
            self.skip_whitespace();
            match self.bump() {
                Some('"') => {}
                Some(c) => return Err(self.unexpected(c, "was expecting double-quote to start field name")),
                None => return Err(self.unclosed("Object", start)),
            }
            let name = self.read_string()?;
            self.skip_whitespace();
            match self.bump() {
                Some(':') => {}
                Some(c) => return Err(self.unexpected(c, "was expecting a colon to separate field name and value")),
                None => return Err(self.unclosed("Object", start)),
            }
            let value = self.read_value(Some(("Object", start)))?;
            match fields.iter_mut().find(|(k, _)| *k == name) {
                Some(field) => field.1 = value,
                None => fields.push((name, value)),
            }
            self.skip_whitespace();
            match self.bump() {
                Some(',') => {}
                Some('}') => break,
                Some(c) => return Err(self.unexpected(c, "was expecting comma to separate Object entries")),
                None => return Err(self.unclosed("Object", start)),
            }
        }
        self.depth -= 1;
        Ok(Node::Object(fields))
    }

    fn read_array(&mut self, start: usize) -> ReadResult<Node> {
        self.enter()?;
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.peek() == Some(']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Node::Array(items));
        }
        loop {
            items.push(self.read_value(Some(("Array", start)))?);
            self.skip_whitespace();
            match self.bump() {
                Some(',') => {}
                Some(']') => break,
                Some(c) => return Err(self.unexpected(c, "was expecting comma to separate Array entries")),
                None => return Err(self.unclosed("Array", start)),
            }
        }
        self.depth -= 1;
        Ok(Node::Array(items))
    }

    /// Reads the rest of a string whose opening quote has been read.
    fn read_string(&mut self) -> ReadResult<String> {
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(
                    self.error_at(self.pos, "Unexpected end-of-input: was expecting closing quote for a string value")
                );
            };
            match c {
                '"' => return Ok(out),
                '\\' => {
                    let Some(e) = self.bump() else {
                        return Err(self.error_at(self.pos, "Unexpected end-of-input in character escape sequence"));
                    };
                    match e {
                        '"' | '\\' | '/' => out.push(e),
                        'b' => out.push('\u{8}'),
                        'f' => out.push('\u{c}'),
                        'n' => out.push('\n'),
                        'r' => out.push('\r'),
                        't' => out.push('\t'),
                        'u' => {
                            let unit = self.read_hex4()?;
                            out.push(self.finish_unicode_escape(unit)?);
                        }
                        e => {
                            return Err(self
                                .error_at(self.pos, &format!("Unrecognized character escape {}", char_description(e))))
                        }
                    }
                }
                c if (c as u32) < 0x20 => {
                    return Err(self.error_at(
                        self.pos,
                        &format!(
                            "Illegal unquoted character ({}): has to be escaped using backslash to be included in \
                             string value",
                            char_description(c)
                        ),
                    ))
                }
                c => out.push(c),
            }
        }
    }

    fn read_hex4(&mut self) -> ReadResult<u32> {
        let mut unit = 0;
        for _ in 0..4 {
            let Some(h) = self.bump() else {
                return Err(self.error_at(self.pos, "Unexpected end-of-input in character escape sequence"));
            };
            let Some(d) = h.to_digit(16) else {
                return Err(self.unexpected(h, "expected a hex-digit for character escape sequence"));
            };
            unit = unit * 16 + d;
        }
        Ok(unit)
    }

    /// Jackson keeps UTF-16 units; a Rust string cannot hold an unpaired
    /// surrogate, so one becomes U+FFFD.
    fn finish_unicode_escape(&mut self, unit: u32) -> ReadResult<char> {
        if (0xD800..0xDC00).contains(&unit) && self.text[self.pos..].starts_with("\\u") {
            let save = self.pos;
            self.pos += 2;
            let low = self.read_hex4()?;
            if (0xDC00..0xE000).contains(&low) {
                let c = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                return Ok(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            self.pos = save;
        }
        Ok(char::from_u32(unit).unwrap_or('\u{FFFD}'))
    }

    fn read_digits(&mut self) -> usize {
        let mut n = 0;
        while let Some('0'..='9') = self.peek() {
            self.pos += 1;
            n += 1;
        }
        n
    }

    fn read_number(&mut self, start: usize) -> ReadResult<Node> {
        let mut first = self.text[start..].chars().next();
        if first == Some('-') {
            match self.bump() {
                Some(c @ '0'..='9') => first = Some(c),
                Some(c) => {
                    return Err(self.error_at(
                        self.pos,
                        &format!(
                            "Unexpected character ({}) in numeric value: expected digit (0-9) to follow minus sign, \
                             for valid numeric value",
                            char_description(c)
                        ),
                    ))
                }
                None => return Err(self.error_at(self.pos, "Unexpected end-of-input in numeric value")),
            }
        }
        if first == Some('0') && matches!(self.peek(), Some('0'..='9')) {
            return Err(self.error_at(self.pos + 1, "Invalid numeric value: Leading zeroes not allowed"));
        }
        self.read_digits();
        let mut float = false;
        if self.peek() == Some('.') {
            float = true;
            self.pos += 1;
            if self.read_digits() == 0 {
                return Err(self.number_error("Decimal point not followed by a digit"));
            }
        }
        if let Some('e' | 'E') = self.peek() {
            float = true;
            self.pos += 1;
            if let Some('+' | '-') = self.peek() {
                self.pos += 1;
            }
            if self.read_digits() == 0 {
                return Err(self.number_error("Exponent indicator not followed by a digit"));
            }
        }
        let raw = &self.text[start..self.pos];
        if !float {
            // IntNode/LongNode/BigIntegerNode write the integer back unchanged, but -0 is 0.
            let text = if raw == "-0" { "0" } else { raw };
            return Ok(Node::Num(text.to_owned()));
        }
        let value: f64 = raw.parse().unwrap_or(f64::NAN);
        if value.is_infinite() {
            // DoubleNode writes non-finite values as strings.
            return Ok(Node::Str(if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()));
        }
        Ok(Node::Num(java_double(value)))
    }

    fn number_error(&mut self, what: &str) -> FilterPolicyError {
        match self.bump() {
            Some(c) => self.error_at(
                self.pos,
                &format!("Unexpected character ({}) in numeric value: {what}", char_description(c)),
            ),
            None => self.error_at(self.pos, "Unexpected end-of-input in numeric value"),
        }
    }

    fn read_literal(&mut self, start: usize, word: &str, node: Node) -> ReadResult<Node> {
        if self.text[start..].starts_with(word) {
            self.pos = start + word.len();
            if !self.peek().is_some_and(is_identifier_part) {
                return Ok(node);
            }
        } else {
            // Consume the part of the literal that did match.
            self.pos = start;
            for (a, b) in self.text[start..].chars().zip(word.chars()) {
                if a != b {
                    break;
                }
                self.pos += a.len_utf8();
            }
        }
        Err(self.unrecognized_token(start))
    }
}

/// Java's `Double.toString`: shortest digits, plain notation within
/// [10⁻³, 10⁷), otherwise `d.dddE±n`; always at least one decimal.
fn java_double(value: f64) -> String {
    if value == 0.0 {
        return if value.is_sign_negative() { "-0.0".into() } else { "0.0".into() };
    }
    let sci = format!("{value:e}");
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if (-3..7).contains(&exponent) {
        if exponent >= 0 {
            let int_len = exponent as usize + 1;
            let mut int_part = String::from(&digits[..digits.len().min(int_len)]);
            while int_part.len() < int_len {
                int_part.push('0');
            }
            let frac = if digits.len() > int_len { &digits[int_len..] } else { "0" };
            out.push_str(&format!("{int_part}.{frac}"));
        } else {
            out.push_str("0.");
            for _ in 0..(-exponent - 1) {
                out.push('0');
            }
            out.push_str(&digits);
        }
    } else {
        let frac = if digits.len() > 1 { &digits[1..] } else { "0" };
        out.push_str(&format!("{}.{frac}E{exponent}", &digits[..1]));
    }
    out
}

/// Writes `node` as Jackson's `JsonNode.toString()` does: no whitespace,
/// keys in order, `\"`, `\\`, the short escapes and `\u00XX` for other
/// control characters; nothing else escaped.
fn write_compact(node: &Node, out: &mut String) {
    match node {
        Node::Object(fields) => {
            out.push('{');
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(key, out);
                out.push(':');
                write_compact(value, out);
            }
            out.push('}');
        }
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(item, out);
            }
            out.push(']');
        }
        Node::Str(s) => write_string(s, out),
        Node::Num(text) => out.push_str(text),
        Node::Bool(true) => out.push_str("true"),
        Node::Bool(false) => out.push_str("false"),
        Node::Null => out.push_str("null"),
    }
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

// ---------------------------------------------------------------------------
// Step 2: compile the compact text as event-ruler's JsonRuleCompiler does.
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    StartObject,
    EndObject,
    StartArray,
    EndArray,
    Name,
    Str,
    Num,
    True,
    False,
    Null,
}

impl Tok {
    fn is_numeric(self) -> bool {
        self == Tok::Num
    }
}

/// A streaming tokenizer over the compact, well-formed policy text whose
/// input position moves exactly as Jackson's `ReaderBasedJsonParser`'s does,
/// because AWS's error columns are that position:
/// - reading a field name also reads the colon and the start of the value
///   (all of a number or literal; only the opening quote of a string; the
///   bracket of an array or object);
/// - a string's text is read only when asked for (`text`), or skipped when
///   the next token is requested.
struct Lexer<'a> {
    text: &'a str,
    pos: usize,
    /// `true` for an object: there the next token is a field name.
    stack: Vec<bool>,
    /// The value token read together with a field name.
    pending: Option<Tok>,
    /// The current string token's text has not been read yet.
    incomplete: bool,
    current: Tok,
    /// The current field name (event-ruler's `getCurrentName`).
    name: String,
    /// The current token's text, once read.
    token_text: String,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            text,
            pos: 0,
            stack: Vec::new(),
            pending: None,
            incomplete: false,
            current: Tok::Null,
            name: String::new(),
            token_text: String::new(),
        }
    }

    fn byte(&self) -> u8 {
        self.text.as_bytes().get(self.pos).copied().unwrap_or(b'}')
    }

    /// A compiler error at the current position, worded as AWS shows it.
    fn barf(&self, message: &str) -> FilterPolicyError {
        FilterPolicyError::new(format!("{message}\n at {}", location(self.text, self.pos)))
    }

    /// Reads a string body from just after its opening quote.
    fn scan_string(&mut self) -> String {
        let rest = &self.text[self.pos..];
        let mut out = String::new();
        let mut chars = rest.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => {
                    self.pos += i + 1;
                    return out;
                }
                '\\' => match chars.next().map(|(_, e)| e) {
                    Some('n') => out.push('\n'),
                    Some('r') => out.push('\r'),
                    Some('t') => out.push('\t'),
                    Some('b') => out.push('\u{8}'),
                    Some('f') => out.push('\u{c}'),
                    Some('u') => {
                        let hex: String = (0..4).filter_map(|_| chars.next().map(|(_, h)| h)).collect();
                        let unit = u32::from_str_radix(&hex, 16).unwrap_or(0xFFFD);
                        out.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
                    }
                    Some(e) => out.push(e),
                    None => {}
                },
                c => out.push(c),
            }
        }
        self.pos = self.text.len();
        out
    }

    /// Lexes a value starting at the current position.
    fn lex_value(&mut self) -> Tok {
        let b = self.byte();
        match b {
            b'"' => {
                self.pos += 1;
                self.incomplete = true;
                Tok::Str
            }
            b'{' => {
                self.pos += 1;
                Tok::StartObject
            }
            b'[' => {
                self.pos += 1;
                Tok::StartArray
            }
            b't' => {
                self.pos += 4;
                self.token_text = "true".into();
                Tok::True
            }
            b'f' => {
                self.pos += 5;
                self.token_text = "false".into();
                Tok::False
            }
            b'n' => {
                self.pos += 4;
                self.token_text = "null".into();
                Tok::Null
            }
            _ => {
                let start = self.pos;
                while let Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9') = self.text.as_bytes().get(self.pos) {
                    self.pos += 1;
                }
                self.token_text = self.text[start..self.pos].to_owned();
                Tok::Num
            }
        }
    }

    fn became_current(&mut self, tok: Tok) -> Tok {
        match tok {
            Tok::StartObject => self.stack.push(true),
            Tok::StartArray => self.stack.push(false),
            _ => {}
        }
        self.current = tok;
        tok
    }

    fn next(&mut self) -> Tok {
        if let Some(tok) = self.pending.take() {
            return self.became_current(tok);
        }
        if self.incomplete {
            self.incomplete = false;
            self.scan_string();
        }
        if self.byte() == b',' {
            self.pos += 1;
        }
        match self.byte() {
            b'}' => {
                self.pos += 1;
                self.stack.pop();
                self.current = Tok::EndObject;
                return Tok::EndObject;
            }
            b']' => {
                self.pos += 1;
                self.stack.pop();
                self.current = Tok::EndArray;
                return Tok::EndArray;
            }
            _ => {}
        }
        if self.stack.last() == Some(&true) {
            self.pos += 1; // opening quote
            self.name = self.scan_string();
            self.pos += 1; // colon
            self.pending = Some(self.lex_value());
            self.current = Tok::Name;
            return Tok::Name;
        }
        let tok = self.lex_value();
        self.became_current(tok)
    }

    /// The current token's text (Jackson's `getText`), reading a pending string.
    fn text(&mut self) -> String {
        match self.current {
            Tok::Name => self.name.clone(),
            Tok::Str => {
                if self.incomplete {
                    self.incomplete = false;
                    self.token_text = self.scan_string();
                }
                self.token_text.clone()
            }
            Tok::StartObject => "{".into(),
            Tok::EndObject => "}".into(),
            Tok::StartArray => "[".into(),
            Tok::EndArray => "]".into(),
            Tok::Num | Tok::True | Tok::False | Tok::Null => self.token_text.clone(),
        }
    }

    fn number(&self) -> f64 {
        self.token_text.parse().unwrap_or(0.0)
    }
}

/// A compiled match condition on one field value.
#[derive(Clone, Debug, PartialEq)]
enum Pattern {
    /// A string value, compared exactly.
    Exact(String),
    /// A string value that is an IP address: matches that address in any spelling.
    Address(IpRange),
    /// A number value: equal numbers (at `ComparableNumber` precision), or the same text.
    Number {
        text: String,
        key: Option<i64>,
    },
    True,
    False,
    Null,
    Prefix(String),
    Suffix(String),
    EqualsIgnoreCase(String),
    /// `anything-but` a list or single value: numbers compare numerically.
    AnythingBut {
        strings: Vec<String>,
        numbers: Vec<i64>,
    },
    AnythingButPrefix(String),
    Numeric(NumRange),
    Cidr(IpRange),
    Exists(bool),
}

impl Pattern {
    fn is_anything_but(&self) -> bool {
        matches!(self, Pattern::AnythingBut { .. } | Pattern::AnythingButPrefix(_))
    }

    /// For `anything-but` patterns: whether this value is one of the excluded.
    fn excludes(&self, leaf: &Leaf<'_>) -> bool {
        match (self, leaf) {
            (Pattern::AnythingBut { strings, .. }, Leaf::Str(s)) => strings.iter().any(|x| x == s),
            (Pattern::AnythingBut { numbers, .. }, Leaf::Num(_, Some(key))) => numbers.contains(key),
            (Pattern::AnythingButPrefix(p), Leaf::Str(s)) => s.starts_with(p.as_str()),
            _ => false,
        }
    }

    /// Whether a (present) value satisfies this pattern.
    fn matches(&self, leaf: &Leaf<'_>) -> bool {
        match (self, leaf) {
            (Pattern::Exists(present), _) => *present,
            (p, leaf) if p.is_anything_but() => !p.excludes(leaf),
            (Pattern::Exact(x), Leaf::Str(s)) => x == s,
            (Pattern::Address(range) | Pattern::Cidr(range), Leaf::Str(s)) => {
                ip_bytes(s).is_ok_and(|ip| range.contains(&ip))
            }
            (Pattern::Number { text, key }, Leaf::Num(t, k)) => (key.is_some() && k == key) || t == text,
            (Pattern::True, Leaf::Bool(true)) | (Pattern::False, Leaf::Bool(false)) | (Pattern::Null, Leaf::Null) => {
                true
            }
            (Pattern::Prefix(p), Leaf::Str(s)) => s.starts_with(p.as_str()),
            (Pattern::Suffix(x), Leaf::Str(s)) => s.ends_with(x.as_str()),
            (Pattern::EqualsIgnoreCase(x), Leaf::Str(s)) => equals_ignore_case(x, s),
            (Pattern::Numeric(range), Leaf::Num(_, Some(key))) => range.contains(*key),
            _ => false,
        }
    }
}

/// Case-insensitive equality as event-ruler builds it: each character may be
/// itself, its lower case or its upper case (single-character mappings).
fn equals_ignore_case(pattern: &str, value: &str) -> bool {
    fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
        let c = it.next()?;
        it.next().is_none().then_some(c)
    }
    pattern.chars().count() == value.chars().count()
        && pattern
            .chars()
            .zip(value.chars())
            .all(|(p, v)| p == v || single(p.to_lowercase()) == Some(v) || single(p.to_uppercase()) == Some(v))
}

/// event-ruler's `ComparableNumber`: numbers within ±10⁹ as integers of
/// millionths. Outside the range a number is not comparable.
fn comparable(value: f64) -> Option<i64> {
    if value.is_finite() && (-NUMBER_LIMIT..=NUMBER_LIMIT).contains(&value) {
        Some((1e6 * (NUMBER_LIMIT + value)) as i64)
    } else {
        None
    }
}

/// A numeric interval over comparable numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct NumRange {
    bottom: i64,
    open_bottom: bool,
    top: i64,
    open_top: bool,
}

impl NumRange {
    fn new(bottom: f64, open_bottom: bool, top: f64, open_top: bool) -> Result<NumRange, &'static str> {
        if bottom >= top {
            return Err("Bottom must be less than top");
        }
        let (Some(b), Some(t)) = (comparable(bottom), comparable(top)) else { return Err(NUMBER_LIMIT_MESSAGE) };
        Ok(NumRange { bottom: b, open_bottom, top: t, open_top })
    }

    fn equal(value: f64) -> Result<NumRange, &'static str> {
        let key = comparable(value).ok_or(NUMBER_LIMIT_MESSAGE)?;
        Ok(NumRange { bottom: key, open_bottom: false, top: key, open_top: false })
    }

    fn contains(&self, key: i64) -> bool {
        let above = if self.open_bottom { key > self.bottom } else { key >= self.bottom };
        let below = if self.open_top { key < self.top } else { key <= self.top };
        above && below
    }
}

/// An inclusive range of IP addresses of one family (4 or 16 bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
struct IpRange {
    low: Vec<u8>,
    high: Vec<u8>,
}

impl IpRange {
    fn contains(&self, ip: &[u8]) -> bool {
        ip.len() == self.low.len() && self.low.as_slice() <= ip && ip <= self.high.as_slice()
    }
}

enum IpError {
    /// Not shaped like an address at all: "Nonstandard IP address: …".
    Nonstandard,
    /// Shaped like one but not valid: "Invalid IP address: …".
    Invalid,
}

/// The address bytes of an IPv4 (`a.b.c.d`) or IPv6 literal, as event-ruler
/// reads them with Java's `InetAddress` (an IPv4-mapped IPv6 address is
/// IPv4; IPv6 literals with embedded dotted quads are not recognised).
fn ip_bytes(s: &str) -> Result<Vec<u8>, IpError> {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() == 4 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        let mut out = Vec::with_capacity(4);
        for p in parts {
            let digits = p.trim_start_matches('0');
            if digits.len() > 3 {
                return Err(IpError::Invalid);
            }
            let v: u32 = if digits.is_empty() { 0 } else { digits.parse().map_err(|_| IpError::Invalid)? };
            out.push(u8::try_from(v).map_err(|_| IpError::Invalid)?);
        }
        return Ok(out);
    }
    if s.contains(':') && s.bytes().all(|b| b == b':' || b.is_ascii_hexdigit()) {
        let bytes = parse_ipv6(s).ok_or(IpError::Invalid)?;
        if bytes[..10].iter().all(|b| *b == 0) && bytes[10] == 0xff && bytes[11] == 0xff {
            return Ok(bytes[12..].to_vec());
        }
        return Ok(bytes.to_vec());
    }
    Err(IpError::Nonstandard)
}

fn parse_ipv6(s: &str) -> Option<[u8; 16]> {
    fn groups(part: &str) -> Option<Vec<u16>> {
        if part.is_empty() {
            return Some(Vec::new());
        }
        part.split(':')
            .map(|g| if g.is_empty() || g.len() > 4 { None } else { u16::from_str_radix(g, 16).ok() })
            .collect()
    }
    let (head, tail, compressed) = match s.split_once("::") {
        Some((h, t)) => {
            if t.contains("::") {
                return None;
            }
            (groups(h)?, groups(t)?, true)
        }
        None => (groups(s)?, Vec::new(), false),
    };
    let count = head.len() + tail.len();
    if (compressed && count > 7) || (!compressed && count != 8) {
        return None;
    }
    let mut all = head;
    all.resize(8 - tail.len(), 0);
    all.extend(tail);
    let mut out = [0u8; 16];
    for (i, g) in all.iter().enumerate() {
        out[2 * i..2 * i + 2].copy_from_slice(&g.to_be_bytes());
    }
    Some(out)
}

/// `{"cidr": "…"}` as event-ruler reads it. Note the range starts at the
/// address as written, not at the network address (`10.0.0.5/24` covers
/// `10.0.0.5`–`10.0.0.255`), and a /32 (or IPv6 /128) is refused.
fn parse_cidr(text: &str) -> Result<IpRange, String> {
    // Java's String.split drops trailing empty pieces.
    let mut pieces: Vec<&str> = text.split('/').collect();
    while pieces.len() > 1 && pieces.last() == Some(&"") {
        pieces.pop();
    }
    if pieces.len() == 1 && pieces[0].is_empty() {
        pieces.clear();
    }
    if pieces.len() != 2 {
        return Err("Malformed CIDR, one '/' required".into());
    }
    let bits: i32 = pieces[1].parse().map_err(|_| String::from("Malformed CIDR, mask bits must be an integer"))?;
    if bits < 0 {
        return Err("Malformed CIDR, mask bits must not be negative".into());
    }
    let ip = match ip_bytes(pieces[0]) {
        Ok(ip) => ip,
        Err(IpError::Nonstandard) => return Err(format!("Nonstandard IP address: {}", pieces[0])),
        Err(IpError::Invalid) => return Err(format!("Invalid IP address: {}", pieces[0])),
    };
    let bits = bits as u32;
    if ip.len() == 4 && bits > 31 {
        return Err("IPv4 mask bits must be < 32".into());
    }
    if ip.len() == 16 && bits > 127 {
        return Err("IPv6 mask bits must be < 128".into());
    }
    let mut host_bits = ip.len() as u32 * 8 - bits;
    let mut high = ip.clone();
    for byte in high.iter_mut().rev() {
        if host_bits >= 8 {
            *byte = 0xff;
        } else if host_bits > 0 {
            *byte |= (1u8 << host_bits) - 1;
        }
        host_bits = host_bits.saturating_sub(8);
    }
    Ok(IpRange { low: ip, high })
}

/// Names that cannot be field names inside `$or` (event-ruler reserves them).
const RESERVED_IN_OR: &[&str] = &[
    "exactly",
    "equals-ignore-case",
    "prefix",
    "suffix",
    "anything-but",
    "exists",
    "wildcard",
    "numeric",
    "cidr",
    "=",
    "<",
    "<=",
    ">",
    ">=",
    "regex",
    "not-wildcard",
    "not-equals-ignore-case",
    "date-after",
    "date-on-or-after",
    "date-before",
    "date-on-or-before",
    "in-date-range",
    "ip-address-in-range",
    "ip-address-not-in-range",
];

type CompileResult<T> = Result<T, FilterPolicyError>;

struct Compiler<'a> {
    lx: Lexer<'a>,
}

impl<'a> Compiler<'a> {
    fn new(compact: &'a str) -> Self {
        Compiler { lx: Lexer::new(compact) }
    }

    fn barf<T>(&self, message: &str) -> CompileResult<T> {
        Err(self.lx.barf(message))
    }

    fn compile(mut self) -> CompileResult<Vec<Branch>> {
        let mut rules = Vec::new();
        if self.lx.next() != Tok::StartObject {
            return self.barf("Filter is not an object");
        }
        self.object(&mut rules, &mut Vec::new(), false)?;
        Ok(rules)
    }

    fn object(&mut self, rules: &mut Vec<Branch>, path: &mut Vec<String>, in_or: bool) -> CompileResult<()> {
        let mut fields_present = false;
        while self.lx.next() != Tok::EndObject {
            fields_present = true;
            let name = self.lx.name.clone();
            if name == "$or" {
                self.or(rules, path)?;
                continue;
            }
            if in_or && RESERVED_IN_OR.contains(&name.as_str()) {
                return self.barf(&format!("{name} is Ruler reserved fieldName which cannot be used inside $or."));
            }
            match self.lx.next() {
                Tok::StartObject => {
                    path.push(name);
                    self.object(rules, path, in_or)?;
                    path.pop();
                }
                Tok::StartArray => {
                    let mut full = path.join(".");
                    if !full.is_empty() {
                        full.push('.');
                    }
                    full.push_str(&name);
                    self.values(rules, &full)?;
                }
                _ => return self.barf(&format!("\"{name}\" must be an object or an array")),
            }
        }
        if !fields_present {
            return self.barf("Empty objects are not allowed");
        }
        Ok(())
    }

    fn or(&mut self, rules: &mut Vec<Branch>, path: &mut Vec<String>) -> CompileResult<()> {
        let current = core::mem::take(rules);
        if self.lx.next() != Tok::StartArray {
            return self.barf("It must be an Array followed with $or.");
        }
        let mut alternatives = 0;
        loop {
            match self.lx.next() {
                Tok::EndArray => break,
                Tok::StartObject => {
                    alternatives += 1;
                    let mut branch_rules = current.clone();
                    if branch_rules.is_empty() {
                        branch_rules.push(Vec::new());
                    }
                    self.object(&mut branch_rules, path, true)?;
                    rules.extend(branch_rules);
                    rules.truncate(MAX_BRANCHES);
                }
                _ => return self.barf("Only JSON object is allowed in array of $or relationship."),
            }
        }
        if alternatives < 2 {
            return self.barf("There must have at least 2 Objects in $or relationship.");
        }
        Ok(())
    }

    /// A field's array of values (event-ruler's `writeRules`).
    fn values(&mut self, rules: &mut Vec<Branch>, name: &str) -> CompileResult<()> {
        let mut values = Vec::new();
        loop {
            match self.lx.next() {
                Tok::EndArray => break,
                Tok::StartObject => values.push(self.match_expression()?),
                Tok::Str => {
                    let text = self.lx.text();
                    match ip_bytes(&text) {
                        Ok(ip) => values.push(Pattern::Address(IpRange { low: ip.clone(), high: ip })),
                        Err(_) => values.push(Pattern::Exact(text)),
                    }
                }
                Tok::Num => {
                    // Out-of-range numbers are still accepted: they just match the same text.
                    let key = comparable(self.lx.number());
                    values.push(Pattern::Number { text: self.lx.text(), key });
                }
                Tok::True => values.push(Pattern::True),
                Tok::False => values.push(Pattern::False),
                Tok::Null => values.push(Pattern::Null),
                _ => return self.barf("Match value must be String, number, true, false, or null"),
            }
        }
        if values.is_empty() {
            return self.barf("Empty arrays are not allowed");
        }
        if rules.is_empty() {
            rules.push(Vec::new());
        }
        for rule in rules.iter_mut() {
            match rule.iter_mut().find(|(k, _)| k == name) {
                Some(field) => field.1 = values.clone(),
                None => rule.push((name.to_owned(), values.clone())),
            }
        }
        Ok(())
    }

    fn expect_end_of_expression(&mut self) -> CompileResult<()> {
        if self.lx.next() != Tok::EndObject {
            return self.barf("Only one key allowed in match expression");
        }
        Ok(())
    }

    /// `{"operator": …}` inside a field's array.
    fn match_expression(&mut self) -> CompileResult<Pattern> {
        if self.lx.next() != Tok::Name {
            return self.barf("Match expression name not found");
        }
        let operator = self.lx.name.clone();
        match operator.as_str() {
            "prefix" | "suffix" | "equals-ignore-case" => {
                if self.lx.next() != Tok::Str {
                    return self.barf(&format!("{operator} match pattern must be a string"));
                }
                let text = self.lx.text();
                self.expect_end_of_expression()?;
                Ok(match operator.as_str() {
                    "prefix" => Pattern::Prefix(text),
                    "suffix" => Pattern::Suffix(text),
                    _ => Pattern::EqualsIgnoreCase(text),
                })
            }
            "numeric" => {
                if self.lx.next() != Tok::StartArray {
                    return self.barf("Value of numeric must be an array.");
                }
                let range = self.numeric()?;
                if self.lx.next() != Tok::EndObject {
                    return self.barf("Too many elements in numeric expression");
                }
                Ok(Pattern::Numeric(range))
            }
            "anything-but" => self.anything_but(),
            "exists" => {
                let present = match self.lx.next() {
                    Tok::True => true,
                    Tok::False => false,
                    _ => return self.barf("exists match pattern must be either true or false."),
                };
                self.expect_end_of_expression()?;
                Ok(Pattern::Exists(present))
            }
            "cidr" => {
                if self.lx.next() != Tok::Str {
                    // Sic: event-ruler reuses the prefix message here.
                    return self.barf("prefix match pattern must be a string");
                }
                // CIDR errors escape event-ruler as plain exceptions: no location.
                let range = parse_cidr(&self.lx.text()).map_err(FilterPolicyError::new)?;
                self.expect_end_of_expression()?;
                Ok(Pattern::Cidr(range))
            }
            _ => self.barf(&format!("Unrecognized match type {operator}")),
        }
    }

    fn anything_but(&mut self) -> CompileResult<Pattern> {
        let tok = self.lx.next();
        if tok == Tok::StartObject {
            if self.lx.next() != Tok::Name {
                return self.barf("Anything-But expression name not found");
            }
            let operator = self.lx.name.clone();
            if operator != "prefix" {
                return self.barf(&format!("Unsupported anything-but pattern: {operator}"));
            }
            if self.lx.next() != Tok::Str {
                return self.barf("prefix match pattern must be a string");
            }
            let text = self.lx.text();
            if text.is_empty() {
                return self.barf("Null prefix not allowed");
            }
            self.expect_end_of_expression()?;
            self.expect_end_of_expression()?;
            return Ok(Pattern::AnythingButPrefix(text));
        }
        let pattern = match tok {
            Tok::StartArray => self.anything_but_list()?,
            Tok::Str => Pattern::AnythingBut { strings: vec![self.lx.text()], numbers: Vec::new() },
            Tok::Num => {
                // Not caught inside event-ruler: the message has no location.
                let key = comparable(self.lx.number()).ok_or_else(|| FilterPolicyError::new(NUMBER_LIMIT_MESSAGE))?;
                Pattern::AnythingBut { strings: Vec::new(), numbers: vec![key] }
            }
            _ => return self.barf("Value of anything-but must be an array or single string/number value."),
        };
        if self.lx.next() != Tok::EndObject {
            return self.barf("Too many elements in numeric expression");
        }
        Ok(pattern)
    }

    fn anything_but_list(&mut self) -> CompileResult<Pattern> {
        let mut strings = Vec::new();
        let mut numbers = Vec::new();
        loop {
            match self.lx.next() {
                Tok::EndArray => break,
                Tok::Str => strings.push(self.lx.text()),
                Tok::Num => match comparable(self.lx.number()) {
                    Some(key) => numbers.push(key),
                    None => return self.barf(NUMBER_LIMIT_MESSAGE),
                },
                _ => {
                    // event-ruler catches its own parse exception here and
                    // raises it again with the location appended a second time.
                    let inner = self.lx.barf("Inside anything but list, start|null|boolean is not supported.");
                    return self.barf(&inner.message);
                }
            }
        }
        if strings.is_empty() == numbers.is_empty() {
            return self
                .barf("Inside anything but list, either all values are number or string, mixed type is not supported");
        }
        Ok(Pattern::AnythingBut { strings, numbers })
    }

    /// The inside of `{"numeric": [...]}`, from just after `[`.
    fn numeric(&mut self) -> CompileResult<NumRange> {
        if self.lx.next() != Tok::Str {
            let text = self.lx.text();
            return self.barf(&format!("Invalid member in numeric match: {text}"));
        }
        let operator = self.lx.text();
        let tok = self.lx.next();
        let range = match operator.as_str() {
            "=" => {
                if !tok.is_numeric() {
                    return self.barf("Value of equals must be numeric");
                }
                let value = self.lx.number();
                if self.lx.next() != Tok::EndArray {
                    return self.barf("Too many elements in numeric expression");
                }
                NumRange::equal(value)
            }
            ">=" | ">" => {
                if !tok.is_numeric() {
                    return self.barf(&format!("Value of {operator} must be numeric"));
                }
                let bottom = self.lx.number();
                let open_bottom = operator == ">";
                let tok = self.lx.next();
                if tok == Tok::EndArray {
                    NumRange::new(bottom, open_bottom, NUMBER_LIMIT, false)
                } else {
                    return self.numeric_range(tok, bottom, open_bottom);
                }
            }
            "<=" | "<" => {
                if !tok.is_numeric() {
                    return self.barf(&format!("Value of {operator} must be numeric"));
                }
                let top = self.lx.number();
                if self.lx.next() != Tok::EndArray {
                    return self.barf("Too many elements in numeric expression");
                }
                NumRange::new(-NUMBER_LIMIT, false, top, operator == "<")
            }
            _ => return self.barf(&format!("Unrecognized numeric range operator: {operator}")),
        };
        range.or_else(|message| self.barf(message))
    }

    /// The second half of `[">", a, "<", b]`, from the token after `a`.
    fn numeric_range(&mut self, tok: Tok, bottom: f64, open_bottom: bool) -> CompileResult<NumRange> {
        if tok != Tok::Str {
            let text = self.lx.text();
            return self.barf(&format!("Bad value in numeric range: {text}"));
        }
        let operator = self.lx.text();
        let open_top = match operator.as_str() {
            "<" => true,
            "<=" => false,
            _ => return self.barf(&format!("Bad numeric range operator: {operator}")),
        };
        if !self.lx.next().is_numeric() {
            return self.barf(&format!("Value of {operator} must be numeric"));
        }
        let top = self.lx.number();
        if self.lx.next() != Tok::EndArray {
            return self.barf("Too many terms in numeric range expression");
        }
        NumRange::new(bottom, open_bottom, top, open_top).or_else(|message| self.barf(message))
    }
}

// ---------------------------------------------------------------------------
// Step 3: SNS's own limits, computed on the document.
// ---------------------------------------------------------------------------

/// The most top-level keys any `$or` alternative ends up with. Keys already
/// counted are not counted again when an alternative repeats them.
fn count_keys(object: &[(String, Node)], counted: &BTreeSet<&str>) -> usize {
    let mut seen: BTreeSet<&str> = counted.clone();
    let mut count = 0;
    for (key, _) in object {
        if key != "$or" && seen.insert(key.as_str()) {
            count += 1;
        }
    }
    for (key, value) in object {
        if let (true, Node::Array(alternatives)) = (key == "$or", value) {
            count += alternatives
                .iter()
                .map(|alt| match alt {
                    Node::Object(fields) => count_keys(fields, &seen),
                    _ => 0,
                })
                .max()
                .unwrap_or(0);
        }
    }
    count
}

/// Whether any key (outside `$or` itself) has an object as its value.
fn is_nested(object: &[(String, Node)]) -> bool {
    object.iter().any(|(key, value)| match value {
        Node::Object(_) => true,
        Node::Array(alternatives) if key == "$or" => {
            alternatives.iter().any(|alt| matches!(alt, Node::Object(fields) if is_nested(fields)))
        }
        _ => false,
    })
}

/// The "total combination of values": the product, over keys, of each
/// array's length times the depth of its key (AWS's documented example:
/// four values three levels deep and three values two levels deep give
/// 3 × 4 × 2 × 3 = 72); `$or` adds up its alternatives.
fn combinations(object: &[(String, Node)], depth: u64) -> u64 {
    object.iter().fold(1u64, |total, (key, value)| {
        let factor = match value {
            Node::Array(alternatives) if key == "$or" => alternatives
                .iter()
                .map(|alt| match alt {
                    Node::Object(fields) => combinations(fields, depth),
                    _ => 1,
                })
                .fold(0u64, u64::saturating_add),
            Node::Array(items) => (items.len() as u64).saturating_mul(depth),
            Node::Object(fields) => combinations(fields, depth + 1),
            _ => 1,
        };
        total.saturating_mul(factor)
    })
}

// ---------------------------------------------------------------------------
// Matching.
// ---------------------------------------------------------------------------

/// One value of a message field, as event-ruler sees it.
#[derive(Clone, Debug, PartialEq)]
enum Leaf<'a> {
    Str(&'a str),
    /// A number: its text and, when within range, its comparable form.
    Num(String, Option<i64>),
    Bool(bool),
    Null,
}

fn number_leaf<'a>(text: String) -> Leaf<'a> {
    let key = text.trim().parse::<f64>().ok().and_then(comparable);
    Leaf::Num(text, key)
}

fn json_leaf(value: &Value) -> Option<Leaf<'_>> {
    match value {
        Value::String(s) => Some(Leaf::Str(s)),
        Value::Number(n) => Some(number_leaf(n.to_string())),
        Value::Bool(b) => Some(Leaf::Bool(*b)),
        Value::Null => Some(Leaf::Null),
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// The values of a `String.Array` attribute (nested arrays flattened,
/// objects ignored).
fn array_leaves<'a>(value: &'a Value, out: &mut Vec<Leaf<'a>>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| array_leaves(item, out)),
        other => out.extend(json_leaf(other)),
    }
}

fn attribute_matches(patterns: &[Pattern], attribute: Option<&MessageAttributeValue>) -> bool {
    let absent = || patterns.contains(&Pattern::Exists(false));
    let Some(attribute) = attribute else { return absent() };
    let data_type = attribute.data_type.as_str();
    let base = data_type.split('.').next().unwrap_or("");
    let text = attribute.string_value.as_deref().unwrap_or("");
    if data_type == "String.Array" {
        let parsed: Value = serde_json::from_str(text).unwrap_or(Value::Null);
        let mut leaves = Vec::new();
        if let Value::Array(_) = parsed {
            array_leaves(&parsed, &mut leaves);
        }
        return patterns.iter().any(|p| match p {
            Pattern::Exists(present) => *present,
            // AWS's docs: for String.Array, anything-but matches only if none
            // of the elements is excluded.
            p if p.is_anything_but() => !leaves.is_empty() && leaves.iter().all(|leaf| !p.excludes(leaf)),
            p => leaves.iter().any(|leaf| p.matches(leaf)),
        });
    }
    let leaf = match base {
        "String" => Leaf::Str(text),
        "Number" => number_leaf(text.to_owned()),
        // Binary (and anything else) is ignored: as if the attribute were absent.
        _ => return absent(),
    };
    patterns.iter().any(|p| p.matches(&leaf))
}

/// A value of the message body: its dotted path, and for each array it sits
/// in, which array (numbered in document order) and which element.
struct BodyLeaf<'a> {
    path: String,
    leaf: Leaf<'a>,
    members: Vec<(u32, u32)>,
}

fn flatten<'a>(
    value: &'a Value,
    path: &mut String,
    members: &mut Vec<(u32, u32)>,
    next_array: &mut u32,
    out: &mut Vec<BodyLeaf<'a>>,
) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                flatten(child, path, members, next_array, out);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            let id = *next_array;
            *next_array += 1;
            for (i, item) in items.iter().enumerate() {
                members.push((id, i as u32));
                flatten(item, path, members, next_array, out);
                members.pop();
            }
        }
        other => {
            if let Some(leaf) = json_leaf(other) {
                out.push(BodyLeaf { path: path.clone(), leaf, members: members.clone() });
            }
        }
    }
}

/// Whether one branch matches: each field needs a matching value, and the
/// values chosen must agree on the element of every array they share.
fn body_branch_matches(branch: &Branch, leaves: &[BodyLeaf<'_>]) -> bool {
    let mut choices: Vec<Vec<usize>> = Vec::new();
    for (path, patterns) in branch {
        let present: Vec<usize> = (0..leaves.len()).filter(|&i| leaves[i].path == *path).collect();
        if present.is_empty() {
            if patterns.contains(&Pattern::Exists(false)) {
                continue;
            }
            return false;
        }
        let matching: Vec<usize> =
            present.into_iter().filter(|&i| patterns.iter().any(|p| p.matches(&leaves[i].leaf))).collect();
        if matching.is_empty() {
            return false;
        }
        choices.push(matching);
    }
    consistent_choice(&choices, leaves, &mut Vec::new())
}

fn consistent_choice(choices: &[Vec<usize>], leaves: &[BodyLeaf<'_>], chosen: &mut Vec<(u32, u32)>) -> bool {
    let Some((first, rest)) = choices.split_first() else { return true };
    first.iter().any(|&i| {
        let members = &leaves[i].members;
        let agrees = members.iter().all(|(a, x)| chosen.iter().all(|(b, y)| a != b || x == y));
        if !agrees {
            return false;
        }
        let len = chosen.len();
        chosen.extend_from_slice(members);
        let ok = consistent_choice(rest, leaves, chosen);
        chosen.truncate(len);
        ok
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeMap;
    use serde_json::json;

    fn attrs_policy(text: &str) -> FilterPolicy {
        FilterPolicy::parse(text, FilterPolicyScope::MessageAttributes).unwrap()
    }

    fn body_policy(text: &str) -> FilterPolicy {
        FilterPolicy::parse(text, FilterPolicyScope::MessageBody).unwrap()
    }

    fn error(text: &str) -> String {
        FilterPolicy::parse(text, FilterPolicyScope::MessageAttributes).unwrap_err().message
    }

    fn body_error(text: &str) -> String {
        FilterPolicy::parse(text, FilterPolicyScope::MessageBody).unwrap_err().message
    }

    /// AWS's message for a compiler error at `column` of the compact `source`.
    fn at(message: &str, source: &str, column: usize) -> String {
        format!("{message}\n at [Source: (String)\"{source}\"; line: 1, column: {column}]")
    }

    fn string(v: &str) -> MessageAttributeValue {
        MessageAttributeValue::string(v)
    }

    fn number(v: &str) -> MessageAttributeValue {
        MessageAttributeValue::number(v)
    }

    fn array(v: &str) -> MessageAttributeValue {
        MessageAttributeValue { data_type: "String.Array".into(), string_value: Some(v.into()), ..Default::default() }
    }

    fn attrs(pairs: &[(&str, MessageAttributeValue)]) -> MessageAttributes {
        pairs.iter().cloned().map(|(k, v)| (String::from(k), v)).collect::<BTreeMap<_, _>>()
    }

    fn one(name: &str, value: MessageAttributeValue) -> MessageAttributes {
        attrs(&[(name, value)])
    }

    // --- Validation: every message from LocalStack's AWS-recorded snapshot,
    // --- with AWS's exact column.

    #[test]
    fn aws_recorded_match_value_errors() {
        // The caller's spacing does not matter: the source is the compact form.
        assert_eq!(
            error(r#"{"key": [["value"]]}"#),
            at("Match value must be String, number, true, false, or null", r#"{"key":[["value"]]}"#, 10)
        );
        let s = r#"{"key":[{"wrong-operator":true}]}"#;
        assert_eq!(error(s), at("Unrecognized match type wrong-operator", s, 31));
        let s = r#"{"key":[{"suffix":"value","prefix":"value2"}]}"#;
        assert_eq!(error(s), at("Only one key allowed in match expression", s, 37));
    }

    #[test]
    fn aws_recorded_string_operator_errors() {
        let cases = [
            (r#"{"key":[{"suffix":100}]}"#, "suffix match pattern must be a string", 22),
            (r#"{"key":[{"suffix":null}]}"#, "suffix match pattern must be a string", 23),
            (r#"{"key":{"suffix":"value"}}"#, "\"suffix\" must be an object or an array", 19),
            (r#"{"key":[{"suffix":[]}]}"#, "suffix match pattern must be a string", 20),
            (r#"{"key":[{"suffix":["test","test2"]}]}"#, "suffix match pattern must be a string", 20),
            (r#"{"key":{"suffix":"value","prefix":"value"}}"#, "\"suffix\" must be an object or an array", 19),
            (r#"{"key":{"not-an-operator":"value"}}"#, "\"not-an-operator\" must be an object or an array", 28),
            (r#"{"key_a":"value_one"}"#, "\"key_a\" must be an object or an array", 11),
        ];
        for (source, message, column) in cases {
            assert_eq!(error(source), at(message, source, column), "{source}");
        }
    }

    #[test]
    fn aws_recorded_numeric_errors() {
        let cases = [
            (r#"{"key":[{"numeric":[]}]}"#, "Invalid member in numeric match: ]", 22),
            (r#"{"key":[{"numeric":["operator"]}]}"#, "Unrecognized numeric range operator: operator", 32),
            (r#"{"key":[{"numeric":[1,"<="]}]}"#, "Invalid member in numeric match: 1", 22),
            (r#"{"key":[{"numeric":["=","000"]}]}"#, "Value of equals must be numeric", 26),
            (r#"{"key":[{"numeric":[">="]}]}"#, "Value of >= must be numeric", 26),
            (r#"{"key":[{"numeric":["<",100,">",10]}]}"#, "Too many elements in numeric expression", 30),
            (r#"{"key":[{"numeric":[">=",1,">",2]}]}"#, "Bad numeric range operator: >", 31),
            (r#"{"key":[{"numeric":[">",3,"<",1]}]}"#, "Bottom must be less than top", 33),
            (r#"{"key":[{"numeric":[">",20,"<="]}]}"#, "Value of <= must be numeric", 33),
            (r#"{"key":[{"numeric":[">",20,30]}]}"#, "Bad value in numeric range: 30", 30),
            (r#"{"key":[{"numeric":[">",20,"test"]}]}"#, "Bad numeric range operator: test", 34),
            (r#"{"key":[{"numeric":[">","20","<","30"]}]}"#, "Value of > must be numeric", 26),
            (r#"{"key":[{"numeric":[">",20,"<","30"]}]}"#, "Value of < must be numeric", 33),
            (r#"{"key":[{"numeric":[">",20,"<",30,"<",50]}]}"#, "Too many terms in numeric range expression", 36),
        ];
        for (source, message, column) in cases {
            assert_eq!(error(source), at(message, source, column), "{source}");
        }
    }

    #[test]
    fn aws_recorded_exists_and_anything_but_errors() {
        let cases = [
            (r#"{"key":[{"exists":null}]}"#, "exists match pattern must be either true or false.", 23),
            (r#"{"key":[{"exists":"no"}]}"#, "exists match pattern must be either true or false.", 20),
            (
                r#"{"key":[{"anything-but":{"wrong-operator":null}}]}"#,
                "Unsupported anything-but pattern: wrong-operator",
                47,
            ),
            (r#"{"key":[{"anything-but":{"suffix":"test"}}]}"#, "Unsupported anything-but pattern: suffix", 36),
            (r#"{"key":[{"anything-but":{"exists":false}}]}"#, "Unsupported anything-but pattern: exists", 40),
            (r#"{"key":[{"anything-but":{"prefix":false}}]}"#, "prefix match pattern must be a string", 40),
        ];
        for (source, message, column) in cases {
            assert_eq!(error(source), at(message, source, column), "{source}");
        }
        // And the forms AWS accepted in the same test.
        for ok in [
            r#"{"key":[{"anything-but":{"prefix":"test-"}}]}"#,
            r#"{"key":[{"anything-but":["test","test2"]}]}"#,
            r#"{"key":[{"anything-but":"test"}]}"#,
        ] {
            attrs_policy(ok);
        }
    }

    #[test]
    fn aws_recorded_limits() {
        let values = |n: usize| (0..n).map(|i| format!("\"value{i}\"")).collect::<Vec<_>>().join(",");
        assert_eq!(error(&format!(r#"{{"key":[{}]}}"#, values(151))), "Filter policy is too complex");
        assert_eq!(
            error(&format!(r#"{{"key1":[{}],"key2":[{}]}}"#, values(100), values(51))),
            "Filter policy is too complex"
        );
        attrs_policy(&format!(r#"{{"key":[{}]}}"#, values(150)));
        let six = r#"{"key1":["value1"],"key2":["value2"],"key3":["value3"],"key4":["value4"],"key5":["value5"],"key6":["value6"]}"#;
        assert_eq!(error(six), "Filter policy can not have more than 5 keys");
        assert_eq!(body_error(six), "Filter policy can not have more than 5 keys");
    }

    #[test]
    fn aws_recorded_or_complexity() {
        // (4 × 6) + (4 × 4 × 4) + (4 × 4 × 4) = 152
        let flat = r#"{"source":["aws.cloudwatch","aws.events","aws.test","aws.test2"],"$or":[{"metricName":["CPUUtilization","ReadLatency","t1","t2","t3","t4"]},{"metricType":["MetricType","TestType","TestType2","TestType3"],"$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4]}]}]}"#;
        assert_eq!(error(flat), "Filter policy is too complex");
        // Nested keys count their depth: (3+2) × (2·2) × (1·2 + 3·2) = 160
        let nested = r#"{"$or":[{"metricName":["CPUUtilization","ReadLatency","TestValue"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service","Test"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change","TestValue","TestValue2"]}]}}"#;
        assert_eq!(body_error(nested), "Filter policy is too complex");
        // Exactly 150 is allowed.
        let edge = r#"{"source":["aws.cloudwatch","aws.events","aws.test"],"$or":[{"metricName":["CPUUtilization","ReadLatency","TestVal","TestVal2","TestVal3","TestVal4"]},{"metricType":["MetricType","TestType","TestType2","TestType3"],"$or":[{"metricId":[1234,4321,5678,9012]},{"spaceId":[1,2,3,4,5,6,7]}]}]}"#;
        attrs_policy(edge);
    }

    #[test]
    fn aws_recorded_nested_limits_and_scope() {
        // 4·3 × 3·2 × 3·1 = 216
        let deep = r#"{"key_a":{"key_b":{"key_c":["value_one","value_two","value_three","value_four"]}},"key_d":{"key_e":["value_one","value_two","value_three"]},"key_f":["value_one","value_two","value_three"]}"#;
        assert_eq!(body_error(deep), "Filter policy is too complex");
        let nested = r#"{"object":{"key":[{"prefix":"auto-"}]}}"#;
        let err = FilterPolicy::parse(nested, FilterPolicyScope::MessageAttributes).unwrap_err();
        assert_eq!(err.message, "Filter policy scope MessageAttributes does not support nested filter policy");
        assert!(err.is_scope_error());
        assert_eq!(err.reason(), "Filter policy scope MessageAttributes does not support nested filter policy");
        body_policy(nested);
        assert_eq!(
            FilterPolicy::parse("{\"a\":[]}", FilterPolicyScope::MessageBody).unwrap_err().reason(),
            at("FilterPolicy: Empty arrays are not allowed", r#"{"a":[]}"#, 8)
        );
    }

    #[test]
    fn documented_nested_combination_example() {
        // AWS's constraints page: 4 values three levels deep, 3 values two levels deep: 3 × 4 × 2 × 3 = 72.
        let policy = r#"{"key_a":{"key_b":{"key_c":["v1","v2","v3","v4"]}},"key_d":{"key_e":["v1","v2","v3"]}}"#;
        let Node::Object(root) = Reader::new(policy).read_root().unwrap() else { panic!() };
        assert_eq!(combinations(&root, 1), 72);
        body_policy(policy);
    }

    #[test]
    fn key_count_uses_top_level_keys_in_body_scope() {
        // AWS's "Key counting" example: 4 top-level keys, 6 leaves: accepted.
        body_policy(
            r#"{"state":["SUCCESS"],"severity":[{"exists":true}],"message":[{"exists":true}],"finding":{"standard_control":[{"exists":true}],"region":[{"exists":true}],"account":[{"exists":true}]}}"#,
        );
        // $or alternatives count with the keys outside them.
        assert_eq!(
            error(r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"$or":[{"e":["1"]},{"f":["1"],"g":["1"]}]}"#),
            "Filter policy can not have more than 5 keys"
        );
        attrs_policy(r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"$or":[{"e":["1"]},{"f":["1"]}]}"#);
    }

    // --- Validation: the rest of event-ruler's messages.

    #[test]
    fn structural_errors() {
        let cases = [
            (r#"{}"#, "Empty objects are not allowed", 3),
            (r#"{"a":{}}"#, "Empty objects are not allowed", 8),
            (r#"{"a":[{}]}"#, "Match expression name not found", 9),
            (r#"{"a":"x"}"#, "\"a\" must be an object or an array", 7),
            (r#"{"a":1}"#, "\"a\" must be an object or an array", 7),
            (r#"{"$or":{"a":["x"]}}"#, "It must be an Array followed with $or.", 9),
            (r#"{"$or":[{"a":["x"]},"b"]}"#, "Only JSON object is allowed in array of $or relationship.", 22),
            (r#"{"$or":[{"a":["x"]}]}"#, "There must have at least 2 Objects in $or relationship.", 21),
            (
                r#"{"$or":[{"a":["x"]},{"prefix":["y"]}]}"#,
                "prefix is Ruler reserved fieldName which cannot be used inside $or.",
                32,
            ),
        ];
        for (source, message, column) in cases {
            assert_eq!(body_error(source), at(message, source, column), "{source}");
        }
        assert_eq!(error("[1]"), at("Filter is not an object", "[1]", 2));
        assert_eq!(error("\"x\""), at("Filter is not an object", "\"x\"", 2));
    }

    #[test]
    fn operator_value_errors() {
        let cases = [
            (r#"{"a":[{"prefix":1}]}"#, "prefix match pattern must be a string", 18),
            (r#"{"a":[{"equals-ignore-case":true}]}"#, "equals-ignore-case match pattern must be a string", 33),
            (r#"{"a":[{"prefix":"x","exists":true}]}"#, "Only one key allowed in match expression", 34),
            (r#"{"a":[{"exists":true,"prefix":"x"}]}"#, "Only one key allowed in match expression", 32),
            (r#"{"a":[{"numeric":">"}]}"#, "Value of numeric must be an array.", 19),
            (r#"{"a":[{"numeric":["=",1,2]}]}"#, "Too many elements in numeric expression", 26),
            (r#"{"a":[{"numeric":["<",1,2]}]}"#, "Too many elements in numeric expression", 26),
            (r#"{"a":[{"numeric":[">",1],"x":1}]}"#, "Too many elements in numeric expression", 31),
            (r#"{"a":[{"numeric":[">",1000000000]}]}"#, "Bottom must be less than top", 34),
            (r#"{"a":[{"numeric":["=",1000000001]}]}"#, NUMBER_LIMIT_MESSAGE, 34),
            (r#"{"a":[{"numeric":["<",-2000000000]}]}"#, "Bottom must be less than top", 35),
            (r#"{"a":[{"numeric":[">",0,"<=",0]}]}"#, "Bottom must be less than top", 32),
            (r#"{"a":[{"exactly":"x"}]}"#, "Unrecognized match type exactly", 19),
            (r#"{"a":[{"wildcard":"x*"}]}"#, "Unrecognized match type wildcard", 20),
            (r#"{"a":[{"cidr":1}]}"#, "prefix match pattern must be a string", 16),
        ];
        for (source, message, column) in cases {
            assert_eq!(error(source), at(message, source, column), "{source}");
        }
    }

    #[test]
    fn anything_but_errors() {
        let cases = [
            (
                r#"{"a":[{"anything-but":true}]}"#,
                "Value of anything-but must be an array or single string/number value.",
                27,
            ),
            (r#"{"a":[{"anything-but":{}}]}"#, "Anything-But expression name not found", 25),
            (r#"{"a":[{"anything-but":{"prefix":""}}]}"#, "Null prefix not allowed", 35),
            (r#"{"a":[{"anything-but":{"prefix":"x","y":1}}]}"#, "Only one key allowed in match expression", 42),
            (
                r#"{"a":[{"anything-but":{"equals-ignore-case":"x"}}]}"#,
                "Unsupported anything-but pattern: equals-ignore-case",
                46,
            ),
            (r#"{"a":[{"anything-but":"x","y":1}]}"#, "Too many elements in numeric expression", 32),
            (
                r#"{"a":[{"anything-but":[]}]}"#,
                "Inside anything but list, either all values are number or string, mixed type is not supported",
                25,
            ),
            (
                r#"{"a":[{"anything-but":["x",1]}]}"#,
                "Inside anything but list, either all values are number or string, mixed type is not supported",
                30,
            ),
            (r#"{"a":[{"anything-but":[2000000000]}]}"#, NUMBER_LIMIT_MESSAGE, 34),
        ];
        for (source, message, column) in cases {
            assert_eq!(error(source), at(message, source, column), "{source}");
        }
        // event-ruler appends the location twice here.
        let s = r#"{"a":[{"anything-but":[null]}]}"#;
        let once = at("Inside anything but list, start|null|boolean is not supported.", s, 28);
        assert_eq!(error(s), format!("{once}\n at [Source: (String)\"{s}\"; line: 1, column: 28]"));
        // A single out-of-range number escapes without a location.
        assert_eq!(error(r#"{"a":[{"anything-but":2e9}]}"#), NUMBER_LIMIT_MESSAGE);
    }

    #[test]
    fn cidr_errors_have_no_location() {
        let cases = [
            (r#"{"a":[{"cidr":"10.0.0.0"}]}"#, "Malformed CIDR, one '/' required"),
            (r#"{"a":[{"cidr":"10.0.0.0/"}]}"#, "Malformed CIDR, one '/' required"),
            (r#"{"a":[{"cidr":"10.0.0.0/x"}]}"#, "Malformed CIDR, mask bits must be an integer"),
            (r#"{"a":[{"cidr":"10.0.0.0/-1"}]}"#, "Malformed CIDR, mask bits must not be negative"),
            (r#"{"a":[{"cidr":"host/24"}]}"#, "Nonstandard IP address: host"),
            (r#"{"a":[{"cidr":"10.0.0.300/24"}]}"#, "Invalid IP address: 10.0.0.300"),
            (r#"{"a":[{"cidr":"10.0.0.0/32"}]}"#, "IPv4 mask bits must be < 32"),
            (r#"{"a":[{"cidr":"::1/128"}]}"#, "IPv6 mask bits must be < 128"),
            (r#"{"a":[{"cidr":"1::2::3/64"}]}"#, "Invalid IP address: 1::2::3"),
        ];
        for (source, message) in cases {
            assert_eq!(error(source), message, "{source}");
        }
    }

    #[test]
    fn malformed_json_uses_jacksons_words_on_the_raw_text() {
        let raw = "{invalidjson}";
        assert_eq!(
            error(raw),
            format!(
                "failed to parse JSON. Unexpected character ('i' (code 105)): was expecting double-quote to start \
                 field name\n at [Source: (String)\"{raw}\"; line: 1, column: 3]"
            )
        );
        let raw = "{\n \"a\": [\"b\",]}";
        assert!(error(raw)
            .starts_with("failed to parse JSON. Unexpected character (']' (code 93)): expected a valid value"));
        assert!(error(raw).ends_with("line: 2, column: 13]"));
        assert!(error("{\"a\" [1]}").contains("was expecting a colon to separate field name and value"));
        assert!(error("{\"a\":[1 2]}").contains("was expecting comma to separate Array entries"));
        assert!(error("{\"a\":[1] \"b\":[2]}").contains("was expecting comma to separate Object entries"));
        assert!(error("{\"a\":[tru]}").contains("Unrecognized token 'tru': was expecting (JSON String"));
        assert!(error("{\"a\":[01]}").contains("Invalid numeric value: Leading zeroes not allowed"));
        assert!(error("{\"a\":[\"\\x\"]}").contains("Unrecognized character escape 'x' (code 120)"));
        assert!(error("{\"a\":[\"\n\"]}").contains("Illegal unquoted character ((CTRL-CHAR, code 10))"));
        assert!(error("{\"a\":[1").starts_with(
            "failed to parse JSON. Unexpected end-of-input: expected close marker for Array (start marker at [Source: \
             (String)\"{\"a\":[1\"; line: 1, column: 6])"
        ));
        assert!(error("").contains("No content to map due to end-of-input"));
        // Trailing content is ignored, as Jackson's readTree does.
        attrs_policy(r#"{"a":["b"]} trailing"#);
    }

    #[test]
    fn long_sources_are_truncated_like_jackson() {
        let long = "x".repeat(600);
        let text = format!(r#"{{"a":[{{"prefix":"{long}"}}],"b":[[1]]}}"#);
        let message = error(&text);
        let total = text.len();
        assert!(message.contains(&format!("[truncated {} chars]; line: 1, column: ", total - 500)), "{message}");
        assert!(FilterPolicy::parse(&" ".repeat(MAX_POLICY_BYTES + 1), FilterPolicyScope::MessageBody).is_err());
    }

    #[test]
    fn columns_follow_the_compact_rewrite() {
        // Duplicate keys keep the first position and the last value; floats are rewritten as Java writes them.
        let err = error(r#"{ "b": ["x"], "a": [1e2, {"bad": 1}], "b": [[1]] }"#);
        assert_eq!(
            err,
            at("Match value must be String, number, true, false, or null", r#"{"b":[[1]],"a":[100.0,{"bad":1}]}"#, 8)
        );
        assert_eq!(java_double(1e21), "1.0E21");
        assert_eq!(java_double(0.00001), "1.0E-5");
        assert_eq!(java_double(123.5), "123.5");
        assert_eq!(java_double(1e6), "1000000.0");
        assert_eq!(java_double(1.2345678e7), "1.2345678E7");
        assert_eq!(java_double(0.001), "0.001");
        // Non-ASCII counts in UTF-16 units.
        let s = "{\"\u{1F600}\":[[1]]}";
        assert_eq!(error(s), at("Match value must be String, number, true, false, or null", s, 9));
    }

    // --- Matching, operator by operator.

    #[test]
    fn exact_string_and_number_matching() {
        let p = attrs_policy(r#"{"customer_interests":["rugby","tennis"]}"#);
        assert!(p.matches_attributes(&one("customer_interests", string("rugby"))));
        assert!(!p.matches_attributes(&one("customer_interests", string("Rugby"))));
        assert!(p.matches_attributes(&one("customer_interests", array(r#"["baseball","tennis"]"#))));
        assert!(!p.matches_attributes(&one("customer_interests", array(r#"["baseball"]"#))));
        assert!(!p.matches_attributes(&attrs(&[])));

        let p = attrs_policy(r#"{"price":[100, 2.5]}"#);
        assert!(p.matches_attributes(&one("price", number("100"))));
        assert!(p.matches_attributes(&one("price", number("100.000000"))));
        assert!(p.matches_attributes(&one("price", number("1e2"))));
        assert!(p.matches_attributes(&one("price", number("2.5"))));
        assert!(!p.matches_attributes(&one("price", string("100"))), "a String attribute is not a number");
        assert!(p.matches_attributes(&one("price", array("[7, 100]"))));
        // Six decimal places are significant; beyond, values are equal.
        let p = attrs_policy(r#"{"n":[0.000001]}"#);
        assert!(!p.matches_attributes(&one("n", number("0"))));
        assert!(p.matches_attributes(&one("n", number("0.0000015"))));
    }

    #[test]
    fn true_false_and_null() {
        let p = attrs_policy(r#"{"flag":[true, null]}"#);
        assert!(p.matches_attributes(&one("flag", array("[false, true]"))));
        assert!(p.matches_attributes(&one("flag", array("[null]"))));
        assert!(!p.matches_attributes(&one("flag", string("true"))));
        assert!(!p.matches_attributes(&attrs(&[])), "null does not match a missing attribute");
        let p = body_policy(r#"{"flag":[false, null]}"#);
        assert!(p.matches_body(&json!({"flag": false})));
        assert!(p.matches_body(&json!({"flag": null})));
        assert!(!p.matches_body(&json!({"flag": "false"})));
        assert!(!p.matches_body(&json!({})));
    }

    #[test]
    fn prefix_suffix_and_equals_ignore_case() {
        let p = attrs_policy(r#"{"c":[{"prefix":"bas"}]}"#);
        assert!(p.matches_attributes(&one("c", string("baseball"))));
        assert!(p.matches_attributes(&one("c", string("basketball"))));
        assert!(!p.matches_attributes(&one("c", string("rugby"))));
        assert!(!p.matches_attributes(&one("c", number("123"))));
        let p = attrs_policy(r#"{"c":[{"suffix":"ball"}]}"#);
        assert!(p.matches_attributes(&one("c", string("baseball"))));
        assert!(!p.matches_attributes(&one("c", string("rugby"))));
        let p = attrs_policy(r#"{"c":[{"equals-ignore-case":"tennis"}]}"#);
        assert!(p.matches_attributes(&one("c", string("TENNIS"))));
        assert!(p.matches_attributes(&one("c", string("TeNnIs"))));
        assert!(!p.matches_attributes(&one("c", string("tennis "))));
        assert!(equals_ignore_case("ÉTÉ", "été"));
    }

    #[test]
    fn anything_but_forms() {
        let p = attrs_policy(r#"{"c":[{"anything-but":["rugby","tennis"]}]}"#);
        assert!(p.matches_attributes(&one("c", string("baseball"))));
        assert!(!p.matches_attributes(&one("c", string("rugby"))));
        assert!(!p.matches_attributes(&attrs(&[])), "anything-but needs the attribute");
        // String.Array: none of the elements may be excluded (AWS's current docs).
        assert!(p.matches_attributes(&one("c", array(r#"["baseball","football"]"#))));
        assert!(!p.matches_attributes(&one("c", array(r#"["rugby","baseball"]"#))));
        // Single value.
        let p = attrs_policy(r#"{"c":[{"anything-but":"rugby"}]}"#);
        assert!(p.matches_attributes(&one("c", string("tennis"))));
        assert!(!p.matches_attributes(&one("c", string("rugby"))));
        // Numbers compare numerically; other values are "anything but".
        let p = attrs_policy(r#"{"p":[{"anything-but":[100, 500]}]}"#);
        assert!(p.matches_attributes(&one("p", number("101"))));
        assert!(!p.matches_attributes(&one("p", number("100.0"))));
        assert!(p.matches_attributes(&one("p", string("100"))));
        let p = attrs_policy(r#"{"p":[{"anything-but":100}]}"#);
        assert!(!p.matches_attributes(&one("p", number("100"))));
        // Prefix.
        let p = attrs_policy(r#"{"c":[{"anything-but":{"prefix":"bas"}}]}"#);
        assert!(p.matches_attributes(&one("c", string("rugby"))));
        assert!(!p.matches_attributes(&one("c", string("baseball"))));
        // Combined with exists:false to also accept a missing attribute (AWS's docs).
        let p = attrs_policy(r#"{"c":[{"anything-but":"x"},{"exists":false}]}"#);
        assert!(p.matches_attributes(&attrs(&[])));
        assert!(p.matches_attributes(&one("c", string("y"))));
        assert!(!p.matches_attributes(&one("c", string("x"))));
    }

    #[test]
    fn numeric_operators() {
        let check = |policy: &str, yes: &[&str], no: &[&str]| {
            let p = attrs_policy(policy);
            for v in yes {
                assert!(p.matches_attributes(&one("v", number(v))), "{policy} should match {v}");
            }
            for v in no {
                assert!(!p.matches_attributes(&one("v", number(v))), "{policy} should not match {v}");
            }
        };
        check(r#"{"v":[{"numeric":["=",301.5]}]}"#, &["301.5", "3.015e2", "301.50"], &["301", "301.51"]);
        check(r#"{"v":[{"numeric":["<",0]}]}"#, &["-1", "-0.000001"], &["0", "1"]);
        check(r#"{"v":[{"numeric":["<=",0]}]}"#, &["0", "-5"], &["0.000001"]);
        check(r#"{"v":[{"numeric":[">",0]}]}"#, &["0.000001", "1000000000"], &["0", "-1"]);
        check(r#"{"v":[{"numeric":[">=",0]}]}"#, &["0", "7"], &["-0.5"]);
        check(r#"{"v":[{"numeric":[">",0,"<=",150]}]}"#, &["0.5", "150"], &["0", "150.1"]);
        check(r#"{"v":[{"numeric":[">=",0,"<",150]}]}"#, &["0", "149.99"], &["150", "-1"]);
        // Outside ±10⁹ a value is not comparable; text that is not a number never matches.
        check(r#"{"v":[{"numeric":[">",0]}]}"#, &[], &["2000000000", "abc", ""]);
        let p = attrs_policy(r#"{"v":[{"numeric":[">",0]}]}"#);
        assert!(!p.matches_attributes(&one("v", string("5"))), "numeric needs a Number");
        assert!(p.matches_attributes(&one("v", array("[-1, 5]"))));
    }

    #[test]
    fn exists_operator() {
        let p = attrs_policy(r#"{"store":[{"exists":true}]}"#);
        assert!(p.matches_attributes(&attrs(&[("store", number("99")), ("def", number("99"))])));
        assert!(!p.matches_attributes(&one("attr1", number("111"))));
        assert!(!p.matches_attributes(&one("store", MessageAttributeValue::binary(vec![1u8]))), "Binary is ignored");
        let p = attrs_policy(r#"{"store":[{"exists":false}]}"#);
        assert!(p.matches_attributes(&one("def", number("99"))));
        assert!(!p.matches_attributes(&attrs(&[("store", number("99")), ("def", number("99"))])));
        assert!(p.matches_attributes(&one("store", MessageAttributeValue::binary(vec![1u8]))));
        let p = body_policy(r#"{"a":{"b":[{"exists":false}]}}"#);
        assert!(p.matches_body(&json!({"a": {"c": 1}})));
        assert!(p.matches_body(&json!({"a": {"b": []}})), "an empty array has no value");
        assert!(!p.matches_body(&json!({"a": {"b": null}})));
    }

    #[test]
    fn cidr_and_ip_matching() {
        let p = attrs_policy(r#"{"source_ip":[{"cidr":"10.0.0.0/24"}]}"#);
        assert!(p.matches_attributes(&one("source_ip", string("10.0.0.0"))));
        assert!(p.matches_attributes(&one("source_ip", string("10.0.0.255"))));
        assert!(!p.matches_attributes(&one("source_ip", string("10.1.1.0"))));
        assert!(!p.matches_attributes(&one("source_ip", string("not-an-ip"))));
        let p = attrs_policy(r#"{"ip":[{"cidr":"2001:db8::/32"}]}"#);
        assert!(p.matches_attributes(&one("ip", string("2001:db8:ffff::1"))));
        assert!(p.matches_attributes(&one("ip", string("2001:DB8::"))));
        assert!(!p.matches_attributes(&one("ip", string("2001:db9::"))));
        assert!(!p.matches_attributes(&one("ip", string("10.0.0.1"))));
        // The range starts at the address as written.
        let p = attrs_policy(r#"{"ip":[{"cidr":"10.0.0.5/24"}]}"#);
        assert!(!p.matches_attributes(&one("ip", string("10.0.0.4"))));
        assert!(p.matches_attributes(&one("ip", string("10.0.0.5"))));
        // A plain IP value matches the same address however it is written.
        let p = attrs_policy(r#"{"ip":["::1"]}"#);
        assert!(p.matches_attributes(&one("ip", string("0:0:0:0:0:0:0:1"))));
        assert!(!p.matches_attributes(&one("ip", string("::2"))));
    }

    #[test]
    fn or_operator_flat_and_nested() {
        // AWS's docs: source AND (metricName OR namespace).
        let p = attrs_policy(
            r#"{"source":["aws.cloudwatch"],"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}]}"#,
        );
        let m = |pairs: &[(&str, &str)]| {
            p.matches_attributes(&pairs.iter().map(|(k, v)| (String::from(*k), string(v))).collect())
        };
        assert!(m(&[("source", "aws.cloudwatch"), ("metricName", "CPUUtilization")]));
        assert!(m(&[("source", "aws.cloudwatch"), ("namespace", "AWS/EC2")]));
        assert!(!m(&[("source", "aws.cloudwatch"), ("metricName", "Other")]));
        assert!(!m(&[("source", "aws.events"), ("namespace", "AWS/EC2")]));

        let p = body_policy(
            r#"{"$or":[{"metricName":["CPUUtilization","ReadLatency"]},{"namespace":["AWS/EC2","AWS/ES"]}],"detail":{"scope":["Service"],"$or":[{"source":["aws.cloudwatch"]},{"type":["CloudWatch Alarm State Change"]}]}}"#,
        );
        let yes = [
            json!({"metricName": "CPUUtilization", "detail": {"scope": "Service", "source": "aws.cloudwatch"}}),
            json!({"namespace": "AWS/ES", "detail": {"scope": "Service", "source": "aws.cloudwatch"}}),
            json!({"metricName": "CPUUtilization", "detail": {"scope": "Service", "type": "CloudWatch Alarm State Change"}}),
        ];
        let no = [
            json!({"metricName": "CPUUtilization", "detail": {"scope": "aws.cloudwatch", "type": "CloudWatch Alarm State Change"}}),
            json!({"metricName": "CPUUtilization", "detail": {"scope": "Service", "type": "CPUUtilization"}}),
            json!({"metricName": "CPUUtilization", "detail": {"type": "CloudWatch Alarm State Change"}}),
            json!({"metricName": "CPUUtilization", "detail": {"scope": "Service"}}),
            json!({"metricName": "AWS/EC2", "detail": {"scope": "Service", "type": "CloudWatch Alarm State Change"}}),
        ];
        for body in &yes {
            assert!(p.matches_body(body), "{body}");
        }
        for body in &no {
            assert!(!p.matches_body(body), "{body}");
        }
    }

    #[test]
    fn or_inside_a_branch_overrides_an_earlier_key() {
        // event-ruler writes a key into every current branch, replacing what was there.
        let p = attrs_policy(r#"{"a":["x"],"$or":[{"a":["y"]},{"b":["z"]}]}"#);
        assert!(p.matches_attributes(&one("a", string("y"))));
        assert!(p.matches_attributes(&attrs(&[("a", string("y")), ("b", string("z"))])));
        assert!(p.matches_attributes(&attrs(&[("a", string("x")), ("b", string("z"))])));
        assert!(!p.matches_attributes(&one("a", string("x"))));
    }

    #[test]
    fn body_nested_dotted_and_arrays() {
        // LocalStack's AWS-validated body cases.
        let p = body_policy(
            r#"{"object":{"key":[{"prefix":"auto-"},"hardcodedvalue"],"nested_key":[{"exists":false}]},"test":[{"exists":false}]}"#,
        );
        assert!(p.matches_body(&json!({"object": {"key": "auto-test"}})));
        assert!(p.matches_body(&json!({"object": {"key": "hardcodedvalue"}})));
        for body in [
            json!({"object": {"key": "test-auto"}}),
            json!({"object": {"key": "auto-test"}, "test": "just-exists"}),
            json!({"object": {"key": "auto-test", "nested_key": "just-exists"}}),
            json!({"object": {"test": "auto-test"}}),
            json!({"test": "auto-test"}),
            json!("Regular string message"),
        ] {
            assert!(!p.matches_body(&body), "{body}");
        }
        assert!(!p.matches_body_text("Regular string message"));
        assert!(p.matches_body_text(r#"{"object": {"key": "auto-test"}}"#));

        let p = body_policy(r#"{"object.nested":["string.value"]}"#);
        assert!(p.matches_body(&json!({"object": {"nested": "string.value"}})));
        assert!(p.matches_body(&json!({"object.nested": "string.value"})));
        assert!(!p.matches_body(&json!({"object": {"nested": "test-auto"}})));
        let p = body_policy(r#"{"object.nested.test":["string.value"]}"#);
        for body in [
            json!({"object": {"nested": {"test": "string.value"}}}),
            json!({"object.nested.test": "string.value"}),
            json!({"object.nested": {"test": "string.value"}}),
            json!({"object": {"nested.test": "string.value"}}),
        ] {
            assert!(p.matches_body(&body), "{body}");
        }
        assert!(!p.matches_body(&json!({"object": {"nested": {"test": "string.notvalue"}}})));

        let p = body_policy(r#"{"headers":{"route-to":["queue1"]}}"#);
        assert!(p.matches_body(&json!({"headers": {"route-to": ["queue1", "queue2"]}})));
        assert!(!p.matches_body(&json!({"headers": {"route-to": ["queue3"]}})));
    }

    #[test]
    fn body_arrays_of_objects_match_within_one_element() {
        let p = body_policy(
            r#"{"Records":{"s3":{"object":{"key":[{"prefix":"auto-"}]}},"eventName":[{"prefix":"ObjectCreated:"}]}}"#,
        );
        let record = |name: &str, key: &str| json!({"eventName": name, "s3": {"object": {"key": key, "size": 17}}});
        assert!(p.matches_body(&json!({"Records": [record("ObjectCreated:Put", "auto-insurance-2314.xml")]})));
        assert!(!p.matches_body(&json!({"Records": [record("ObjectRemoved:Delete", "auto-insurance-2314.xml")]})));
        assert!(!p.matches_body(&json!({"Records": [record("ObjectCreated:Put", "home-insurance-2314.xml")]})));
        // Two records, each satisfying half of the policy: no match.
        assert!(!p.matches_body(&json!({"Records": [
            record("ObjectCreated:Put", "home-insurance-2314.xml"),
            record("ObjectRemoved:Delete", "auto-insurance-2314.xml"),
        ]})));
        // AWS-validated: arrays of arrays of objects are traversed.
        assert!(p.matches_body(&json!({"Records": [
            {"eventName": "ObjectCreated:Put", "s3": {"object": [[{"key": "auto-insurance-2314.xml", "size": 17}]]}},
            {"eventName": "ObjectRemoved:Delete", "s3": {"object": {"key": "home-insurance-2314.xml"}}},
        ]})));
    }

    #[test]
    fn attribute_data_types() {
        let p = attrs_policy(r#"{"a":["x"]}"#);
        let custom = MessageAttributeValue {
            data_type: "String.custom".into(),
            string_value: Some("x".into()),
            ..Default::default()
        };
        assert!(p.matches_attributes(&one("a", custom)));
        assert!(!p.matches_attributes(&one("a", MessageAttributeValue::binary(b"x".to_vec()))));
        assert!(!p.matches_attributes(&one("a", array("not json"))));
        let p = attrs_policy(r#"{"n":[{"numeric":[">",1]}]}"#);
        let custom = MessageAttributeValue {
            data_type: "Number.float".into(),
            string_value: Some("2.5".into()),
            ..Default::default()
        };
        assert!(p.matches_attributes(&one("n", custom)));
    }

    #[test]
    fn scope_parsing_and_error_display() {
        assert_eq!(FilterPolicyScope::parse("MessageBody"), Some(FilterPolicyScope::MessageBody));
        assert_eq!(FilterPolicyScope::parse("messagebody"), None);
        assert_eq!(FilterPolicyScope::default().as_str(), "MessageAttributes");
        let err = FilterPolicy::parse(
            r#"{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}"#,
            FilterPolicyScope::MessageAttributes,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "Filter policy can not have more than 5 keys");
        assert_eq!(err.reason(), "FilterPolicy: Filter policy can not have more than 5 keys");
        assert!(!err.is_scope_error());
        assert_eq!(attrs_policy(r#"{"a":["x"]}"#).scope(), FilterPolicyScope::MessageAttributes);
    }
}
