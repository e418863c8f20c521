//! Custom prefixes for S3 objects: `Prefix` and `ErrorOutputPrefix` with
//! their `!{namespace:value}` expressions, validated as AWS documents them
//! ("Custom Prefixes for Amazon S3 Objects", semantic rules) and evaluated at
//! delivery time into object keys.
//!
//! # Expressions
//! - `!{timestamp:<pattern>}`: a Java `DateTimeFormatter` pattern, in UTC, at
//!   the approximate arrival time of the oldest record in the object. Decouple
//!   evaluates the letters people use (`yyyy`, `yy`, `MM`, `dd`, `HH`, `mm`,
//!   `ss`) and text in single quotes; any other Java letter is refused as not
//!   simulated rather than guessed.
//! - `!{firehose:random-string}`: 11 characters, new for every occurrence,
//!   from the engine's seeded generator (lower-case hex, as AWS's example
//!   `5abf82daaa5`).
//! - `!{firehose:error-output-type}`: `processing-failed` (the only failure
//!   the simulation produces); only in `ErrorOutputPrefix`.
//! - `partitionKeyFromQuery` / `partitionKeyFromLambda` need dynamic
//!   partitioning, which Decouple does not simulate: refused with AWS's error.
//!
//! # Layout of a key
//! A prefix without a timestamp expression gets the default `yyyy/MM/dd/HH/`
//! appended (a literal prefix is used as is: `logs` gives `logs2026/...`).
//! Failed records go under the evaluated `ErrorOutputPrefix`; without
//! expressions it is followed by `<error-output-type>/yyyy/MM/dd/HH/`, and
//! without an `ErrorOutputPrefix` the (literal) `Prefix` is used that way.
//!
//! # Messages
//! Two are AWS's word for word: a missing `ErrorOutputPrefix` (typo
//! included, as users report it) and partition-key namespaces without dynamic
//! partitioning (as CloudFormation relays it). The others could not be
//! confirmed: they use the same framing with the documented rule as the
//! constraint, and say so where they are written.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::FirehoseError;
use crate::rng::Rng;
use crate::time::SimTime;

/// Most expressions in one prefix.
pub const MAX_EXPRESSIONS: usize = 50;
/// The API model's length limit of `Prefix` and `ErrorOutputPrefix`.
pub const MAX_PREFIX_LENGTH: usize = 1024;
/// Neither prefix may be longer than this once evaluated.
pub const MAX_EVALUATED_LENGTH: usize = 512;
/// Length of `!{firehose:random-string}`.
pub const RANDOM_STRING_LENGTH: usize = 11;
/// The error output type of records that failed Lambda processing.
pub const PROCESSING_FAILED: &str = "processing-failed";

const NAMESPACES: [&str; 4] = ["firehose", "timestamp", "partitionKeyFromQuery", "partitionKeyFromLambda"];
/// Every letter `DateTimeFormatter.ofPattern` knows; others are "Unknown pattern letter".
const JAVA_PATTERN_LETTERS: &str = "GuyDMLdQqYwWEecFahKkHmsSAnNVzOXxZpB";
const DEFAULT_TIME_PATH: usize = "yyyy/MM/dd/HH/".len();

/// The framing AWS gives prefix errors ("Ths" is AWS's spelling).
fn constraint(rule: &str) -> FirehoseError {
    FirehoseError::invalid(format!("Ths supplied prefix(es) do not satisfy the following constraint: {rule}"))
}

/// One piece of a timestamp pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
enum TimePiece {
    Text(String),
    Year4,
    Year2,
    Month,
    Day,
    Hour,
    Minute,
    Second,
}

impl TimePiece {
    fn len(&self) -> usize {
        match self {
            TimePiece::Text(t) => t.chars().count(),
            TimePiece::Year4 => 4,
            _ => 2,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Part {
    Literal(String),
    Timestamp(Vec<TimePiece>),
    RandomString,
    ErrorOutputType,
}

/// A parsed prefix.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parses `text` (the `member` named in errors is `Prefix` or `ErrorOutputPrefix`).
    pub fn parse(text: &str, member: &str) -> Result<Template, FirehoseError> {
        if text.chars().any(char::is_control) {
            // Message not confirmed against AWS.
            return Err(constraint(&format!("{member} cannot contain control characters such as a line break")));
        }
        let mut parts = Vec::new();
        let mut rest = text;
        let mut expressions = 0;
        while let Some(start) = rest.find("!{") {
            if start > 0 {
                parts.push(Part::Literal(rest[..start].into()));
            }
            let body = &rest[start + 2..];
            let Some(end) = expression_end(body) else {
                return Err(constraint("The sequence !{ can only appear in !{namespace:value} expressions"));
            };
            expressions += 1;
            if expressions > MAX_EXPRESSIONS {
                // Message not confirmed against AWS.
                return Err(constraint(&format!("{member} cannot contain more than {MAX_EXPRESSIONS} expressions")));
            }
            parts.push(expression(&body[..end], member)?);
            rest = &body[end + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Literal(rest.into()));
        }
        Ok(Template { parts })
    }

    pub fn has_expressions(&self) -> bool {
        self.parts.iter().any(|p| !matches!(p, Part::Literal(_)))
    }

    fn has_timestamp(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Timestamp(_)))
    }

    fn has_error_output_type(&self) -> bool {
        self.parts.contains(&Part::ErrorOutputType)
    }

    /// The evaluated length, which does not depend on the instant or the generator.
    fn evaluated_len(&self, error_output_type: &str) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Literal(t) => t.chars().count(),
                Part::Timestamp(pieces) => pieces.iter().map(TimePiece::len).sum(),
                Part::RandomString => RANDOM_STRING_LENGTH,
                Part::ErrorOutputType => error_output_type.len(),
            })
            .sum()
    }

    fn evaluate(&self, at: SimTime, rng: &mut Rng, error_output_type: &str) -> String {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                Part::Literal(t) => out.push_str(t),
                Part::Timestamp(pieces) => format_time(&mut out, pieces, at),
                Part::RandomString => out.push_str(&random_string(rng)),
                Part::ErrorOutputType => out.push_str(error_output_type),
            }
        }
        out
    }
}

/// Where the expression whose body starts `body` ends (its `}`), quotes respected.
fn expression_end(body: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in body.char_indices() {
        match c {
            '\'' => quoted = !quoted,
            '}' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

fn expression(body: &str, member: &str) -> Result<Part, FirehoseError> {
    let (namespace, value) = body.split_once(':').unwrap_or((body, ""));
    if !NAMESPACES.contains(&namespace) || value.is_empty() {
        // Message not confirmed against AWS.
        return Err(constraint(&format!(
            "!{{{body}}} is not an expression of the form !{{namespace:value}} with namespace firehose, timestamp, partitionKeyFromQuery or partitionKeyFromLambda"
        )));
    }
    match (namespace, value) {
        ("firehose", "random-string") => Ok(Part::RandomString),
        ("firehose", "error-output-type") => Ok(Part::ErrorOutputType),
        // Message not confirmed against AWS.
        ("firehose", other) => Err(constraint(&format!(
            "!{{firehose:{other}}} is not valid: the firehose namespace takes random-string or error-output-type"
        ))),
        ("timestamp", pattern) => Ok(Part::Timestamp(time_pattern(pattern)?)),
        // AWS's message (as CloudFormation relays it) for Prefix; the
        // documented rule for ErrorOutputPrefix.
        _ if member == "ErrorOutputPrefix" => Err(constraint(
            "You cannot use partitionKeyFromLambda and partitionKeyFromQuery namespaces when creating ErrorOutputPrefix expressions",
        )),
        _ => Err(FirehoseError::invalid(
            "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled.",
        )),
    }
}

/// Parses a `DateTimeFormatter` pattern into what Decouple evaluates.
/// Messages not confirmed against AWS: Java's own wording for bad patterns.
fn time_pattern(pattern: &str) -> Result<Vec<TimePiece>, FirehoseError> {
    let invalid = |why: String| FirehoseError::invalid(format!("Invalid timestamp pattern '{pattern}': {why}"));
    let chars: Vec<char> = pattern.chars().collect();
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            // '' is a quote; otherwise text up to the closing quote.
            if chars.get(i + 1) == Some(&'\'') {
                text.push('\'');
                i += 2;
                continue;
            }
            let mut j = i + 1;
            loop {
                match chars.get(j) {
                    None => return Err(invalid("Pattern ends with an incomplete string literal".into())),
                    Some('\'') if chars.get(j + 1) == Some(&'\'') => {
                        text.push('\'');
                        j += 2;
                    }
                    Some('\'') => break,
                    Some(&other) => {
                        text.push(other);
                        j += 1;
                    }
                }
            }
            i = j + 1;
            continue;
        }
        if c.is_ascii_alphabetic() {
            let count = chars[i..].iter().take_while(|&&d| d == c).count();
            let piece = match (c, count) {
                ('y', 4) => TimePiece::Year4,
                ('y', 2) => TimePiece::Year2,
                ('M', 2) => TimePiece::Month,
                ('d', 2) => TimePiece::Day,
                ('H', 2) => TimePiece::Hour,
                ('m', 2) => TimePiece::Minute,
                ('s', 2) => TimePiece::Second,
                _ if !JAVA_PATTERN_LETTERS.contains(c) => {
                    return Err(invalid(format!("Unknown pattern letter: {c}")));
                }
                _ => {
                    return Err(FirehoseError::invalid(format!(
                        "Timestamp pattern letters '{}' in '{pattern}' are not simulated by Decouple; use yyyy, yy, MM, dd, HH, mm, ss and 'text' in single quotes.",
                        String::from_iter(core::iter::repeat_n(c, count))
                    )));
                }
            };
            if !text.is_empty() {
                pieces.push(TimePiece::Text(core::mem::take(&mut text)));
            }
            pieces.push(piece);
            i += count;
            continue;
        }
        match c {
            '{' | '}' | '#' => return Err(invalid(format!("Pattern includes reserved character: '{c}'"))),
            '[' | ']' => {
                return Err(FirehoseError::invalid(format!(
                    "Optional sections [ ] in timestamp pattern '{pattern}' are not simulated by Decouple."
                )))
            }
            _ => text.push(c),
        }
        i += 1;
    }
    if !text.is_empty() {
        pieces.push(TimePiece::Text(text));
    }
    Ok(pieces)
}

fn format_time(out: &mut String, pieces: &[TimePiece], at: SimTime) {
    use core::fmt::Write as _;
    let f = at.utc_fields();
    for piece in pieces {
        // Writing into a String cannot fail.
        let _ = match piece {
            TimePiece::Text(t) => out.write_str(t),
            TimePiece::Year4 => write!(out, "{:04}", f.year),
            TimePiece::Year2 => write!(out, "{:02}", f.year.rem_euclid(100)),
            TimePiece::Month => write!(out, "{:02}", f.month),
            TimePiece::Day => write!(out, "{:02}", f.day),
            TimePiece::Hour => write!(out, "{:02}", f.hour),
            TimePiece::Minute => write!(out, "{:02}", f.minute),
            TimePiece::Second => write!(out, "{:02}", f.second),
        };
    }
}

/// 11 lower-case hex characters from the engine's generator.
pub(crate) fn random_string(rng: &mut Rng) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    (0..RANDOM_STRING_LENGTH).map(|_| char::from(HEX[rng.below(16) as usize])).collect()
}

/// `yyyy/MM/dd/HH/` of an instant, in UTC: the default time path.
pub(crate) fn default_time_path(at: SimTime) -> String {
    let f = at.utc_fields();
    format!("{:04}/{:02}/{:02}/{:02}/", f.year, f.month, f.day, f.hour)
}

/// How an S3 destination names its objects: the parsed `Prefix` and `ErrorOutputPrefix`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyLayout {
    prefix: Template,
    error_output_prefix: Option<Template>,
}

impl KeyLayout {
    /// Validates both prefixes by AWS's rules. `member` is the destination
    /// configuration's name in constraint messages; `redshift` applies the
    /// rules of a Redshift destination's intermediate bucket.
    pub fn new(
        prefix: Option<&str>,
        error_output_prefix: Option<&str>,
        member: &str,
        redshift: bool,
    ) -> Result<KeyLayout, FirehoseError> {
        for (value, name) in [(prefix, "prefix"), (error_output_prefix, "errorOutputPrefix")] {
            if let Some(v) = value.filter(|v| v.chars().count() > MAX_PREFIX_LENGTH) {
                return Err(FirehoseError::constraint(
                    v,
                    &format!("{member}.{name}"),
                    &format!("Member must have length less than or equal to {MAX_PREFIX_LENGTH}"),
                ));
            }
        }
        let prefix = Template::parse(prefix.unwrap_or(""), "Prefix")?;
        let error_output_prefix = match error_output_prefix.filter(|p| !p.is_empty()) {
            None => None,
            Some(p) => Some(Template::parse(p, "ErrorOutputPrefix")?),
        };
        if prefix.has_error_output_type() {
            // Message not confirmed against AWS.
            return Err(constraint("Prefix cannot contain !{firehose:error-output-type}"));
        }
        if redshift && prefix.has_expressions() {
            // Message not confirmed against AWS.
            return Err(constraint("Prefix cannot contain expressions when the destination is Amazon Redshift"));
        }
        if redshift && error_output_prefix.is_some() {
            // Message not confirmed against AWS.
            return Err(constraint("ErrorOutputPrefix must be null when the destination is Amazon Redshift"));
        }
        match &error_output_prefix {
            // AWS's message, word for word.
            None if prefix.has_expressions() => {
                return Err(constraint("ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"))
            }
            Some(e) if e.has_expressions() && !e.has_error_output_type() => {
                // Message not confirmed against AWS.
                return Err(constraint(
                    "ErrorOutputPrefix must contain !{firehose:error-output-type} when it contains expressions",
                ));
            }
            _ => {}
        }
        let layout = KeyLayout { prefix, error_output_prefix };
        let (data_len, error_len) = layout.evaluated_lens();
        for (len, name) in [(data_len, "Prefix"), (error_len, "ErrorOutputPrefix")] {
            if len > MAX_EVALUATED_LENGTH {
                // Message not confirmed against AWS.
                return Err(constraint(&format!(
                    "{name} cannot be longer than {MAX_EVALUATED_LENGTH} characters after it is evaluated ({len})"
                )));
            }
        }
        Ok(layout)
    }

    fn evaluated_lens(&self) -> (usize, usize) {
        let default_path = |t: &Template| if t.has_timestamp() { 0 } else { DEFAULT_TIME_PATH };
        let data = self.prefix.evaluated_len("") + default_path(&self.prefix);
        // Only a given ErrorOutputPrefix is checked: the rule names the field.
        let error = match &self.error_output_prefix {
            Some(e) if e.has_expressions() => e.evaluated_len(PROCESSING_FAILED),
            Some(e) => e.evaluated_len("") + PROCESSING_FAILED.len() + 1 + DEFAULT_TIME_PATH,
            None => 0,
        };
        (data, error)
    }

    /// The evaluated `Prefix` of an object whose oldest record arrived at `oldest`.
    pub fn prefix(&self, oldest: SimTime, rng: &mut Rng) -> String {
        let mut out = self.prefix.evaluate(oldest, rng, "");
        if !self.prefix.has_timestamp() {
            out.push_str(&default_time_path(oldest));
        }
        out
    }

    /// The evaluated error output prefix for records of `error_output_type`.
    pub fn error_prefix(&self, oldest: SimTime, rng: &mut Rng, error_output_type: &str) -> String {
        let template = self.error_output_prefix.as_ref().unwrap_or(&self.prefix);
        let mut out = template.evaluate(oldest, rng, error_output_type);
        if !template.has_expressions() {
            out.push_str(error_output_type);
            out.push('/');
            out.push_str(&default_time_path(oldest));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2018-08-27T10:30:00Z, the instant of AWS's examples.
    const AUG_27: SimTime = SimTime(1_535_365_800_000);

    fn layout(prefix: Option<&str>, error: Option<&str>) -> Result<KeyLayout, FirehoseError> {
        KeyLayout::new(prefix, error, "extendedS3DestinationConfiguration", false)
    }

    fn message(r: Result<KeyLayout, FirehoseError>) -> String {
        r.expect_err("the prefixes should be refused").message
    }

    #[test]
    fn awss_examples_evaluate_as_documented() {
        let mut rng = Rng::new(1);
        let l = layout(None, Some("myFirehoseFailures/!{firehose:error-output-type}/")).unwrap();
        assert_eq!(l.prefix(AUG_27, &mut rng), "2018/08/27/10/");
        assert_eq!(l.error_prefix(AUG_27, &mut rng, PROCESSING_FAILED), "myFirehoseFailures/processing-failed/");
        let l = layout(
            Some("myPrefix/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/hour=!{timestamp:HH}/"),
            Some("myErrorPrefix/!{timestamp:'year='yyyy'/month='MM'/day='dd'/hour='HH}/!{firehose:error-output-type}"),
        )
        .unwrap();
        assert_eq!(l.prefix(AUG_27, &mut rng), "myPrefix/year=2018/month=08/day=27/hour=10/");
        assert_eq!(
            l.error_prefix(AUG_27, &mut rng, PROCESSING_FAILED),
            "myErrorPrefix/year=2018/month=08/day=27/hour=10/processing-failed"
        );
    }

    #[test]
    fn a_literal_prefix_is_used_as_is_before_the_default_time_path() {
        let mut rng = Rng::new(1);
        let l = layout(Some("myFirehosePrefix"), None).unwrap();
        assert_eq!(l.prefix(AUG_27, &mut rng), "myFirehosePrefix2018/08/27/10/");
        assert_eq!(
            l.error_prefix(AUG_27, &mut rng, PROCESSING_FAILED),
            "myFirehosePrefixprocessing-failed/2018/08/27/10/"
        );
        let l = layout(Some("logs/"), Some("errors/")).unwrap();
        assert_eq!(l.prefix(AUG_27, &mut rng), "logs/2018/08/27/10/");
        assert_eq!(l.error_prefix(AUG_27, &mut rng, PROCESSING_FAILED), "errors/processing-failed/2018/08/27/10/");
    }

    #[test]
    fn a_prefix_without_a_timestamp_gets_the_default_time_path() {
        let mut rng = Rng::new(1);
        let l = layout(Some("r=!{firehose:random-string}/"), Some("e/!{firehose:error-output-type}/")).unwrap();
        let p = l.prefix(AUG_27, &mut rng);
        assert_eq!(p.len(), "r=".len() + RANDOM_STRING_LENGTH + "/2018/08/27/10/".len(), "{p}");
        assert!(p.ends_with("/2018/08/27/10/"), "{p}");
    }

    #[test]
    fn timestamp_patterns_cover_every_supported_letter_and_quoted_text() {
        let mut rng = Rng::new(1);
        // 2026-01-02T03:04:05Z
        let at = SimTime(1_767_225_600_000 + 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000);
        let l = layout(
            Some("!{timestamp:yy-yyyy-MM-dd'T'HH:mm:ss}/!{timestamp:'it''s' HH}/"),
            Some("!{firehose:error-output-type}"),
        )
        .unwrap();
        assert_eq!(l.prefix(at, &mut rng), "26-2026-01-02T03:04:05/it's 03/");
    }

    #[test]
    fn random_strings_are_eleven_hex_characters_new_each_time_and_reproducible_for_a_seed() {
        let l = layout(
            Some("!{firehose:random-string}/!{firehose:random-string}/!{timestamp:yyyy}/"),
            Some("!{firehose:error-output-type}/"),
        )
        .unwrap();
        let (mut a, mut b, mut c) = (Rng::new(7), Rng::new(7), Rng::new(8));
        let first = l.prefix(AUG_27, &mut a);
        let parts: Vec<&str> = first.split('/').collect();
        assert_eq!(parts[0].len(), 11);
        assert!(parts[0].bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()), "{first}");
        assert_ne!(parts[0], parts[1], "every occurrence is a new string");
        assert_eq!(l.prefix(AUG_27, &mut b), first, "same seed, same string");
        assert_ne!(l.prefix(AUG_27, &mut c), first, "another seed, another string");
    }

    #[test]
    fn expressions_in_prefix_require_an_error_output_prefix() {
        assert_eq!(
            message(layout(Some("!{timestamp:yyyy/MM/dd}"), None)),
            "Ths supplied prefix(es) do not satisfy the following constraint: ErrorOutputPrefix cannot be null or empty when Prefix contains expressions"
        );
        assert!(message(layout(Some("!{timestamp:yyyy/MM/dd}"), Some(""))).contains("cannot be null or empty"));
    }

    #[test]
    fn error_output_type_is_refused_in_prefix_and_required_in_an_expressive_error_output_prefix() {
        assert!(message(layout(Some("a/!{firehose:error-output-type}/"), Some("e/!{firehose:error-output-type}")))
            .contains("Prefix cannot contain !{firehose:error-output-type}"));
        assert!(message(layout(Some("a/"), Some("e/!{timestamp:yyyy}/")))
            .contains("ErrorOutputPrefix must contain !{firehose:error-output-type}"));
        // A literal error output prefix needs no expression.
        assert!(layout(Some("a/"), Some("errors/")).is_ok());
    }

    #[test]
    fn the_sequence_bang_brace_only_opens_a_known_expression() {
        assert!(message(layout(Some("a/!{timestamp:yyyy"), Some("e/"))).contains("The sequence !{ can only appear"));
        assert!(message(layout(Some("a/!{unknown:x}/"), Some("e/!{firehose:error-output-type}")))
            .contains("!{unknown:x} is not an expression"));
        assert!(message(layout(Some("a/!{timestamp}/"), Some("e/!{firehose:error-output-type}")))
            .contains("is not an expression"));
        assert!(message(layout(Some("a/!{firehose:uuid}/"), Some("e/!{firehose:error-output-type}")))
            .contains("random-string or error-output-type"));
        // A brace alone, or ! alone, is plain text.
        assert!(layout(Some("a{b}!c/"), None).is_ok());
    }

    #[test]
    fn at_most_fifty_expressions() {
        let fifty = "!{timestamp:yyyy}".repeat(50);
        assert!(layout(Some(&fifty), Some("!{firehose:error-output-type}")).is_ok());
        let fifty_one = "!{timestamp:yy}".repeat(51);
        assert!(message(layout(Some(&fifty_one), Some("!{firehose:error-output-type}")))
            .contains("more than 50 expressions"));
    }

    #[test]
    fn control_characters_are_refused() {
        assert!(message(layout(Some("logs/\n"), None)).contains("control characters"));
    }

    #[test]
    fn partition_key_namespaces_are_refused_without_dynamic_partitioning() {
        assert_eq!(
            message(layout(Some("!{partitionKeyFromQuery:id}/"), Some("e/!{firehose:error-output-type}"))),
            "Dynamic Partitioning Namespaces can only be part of a prefix expression when Dynamic Partitioning is enabled."
        );
        assert!(message(layout(Some("a/"), Some("!{firehose:error-output-type}/!{partitionKeyFromLambda:id}")))
            .contains("You cannot use partitionKeyFromLambda and partitionKeyFromQuery namespaces"));
    }

    #[test]
    fn unsupported_and_invalid_timestamp_letters_are_refused() {
        let e = |p: &str| message(layout(Some(&format!("!{{timestamp:{p}}}")), Some("!{firehose:error-output-type}")));
        assert!(e("EEE").contains("letters 'EEE'") && e("EEE").contains("not simulated"));
        assert!(e("yyy").contains("letters 'yyy'"));
        assert!(e("M").contains("letters 'M'"));
        assert!(e("bb").contains("Unknown pattern letter: b"));
        // An open quote runs to the end, so the expression never closes.
        assert!(e("'open").contains("The sequence !{ can only appear"));
        assert!(e("yyyy#").contains("reserved character: '#'"));
    }

    #[test]
    fn lengths_are_checked_before_and_after_evaluation() {
        let long = "a".repeat(1025);
        let e = layout(Some(&long), None).unwrap_err();
        assert_eq!(e.code, super::super::FirehoseErrorCode::ValidationException);
        assert!(e.message.contains("'extendedS3DestinationConfiguration.prefix'"), "{}", e.message);
        // 498 + the 14-character default time path = 512: allowed; one more is not.
        assert!(layout(Some(&"a".repeat(498)), None).is_ok());
        assert!(message(layout(Some(&"a".repeat(499)), None))
            .contains("Prefix cannot be longer than 512 characters after it is evaluated (513)"));
        // processing-failed/ and the time path add 32 characters.
        assert!(message(layout(None, Some(&"e".repeat(481))))
            .contains("ErrorOutputPrefix cannot be longer than 512 characters after it is evaluated (513)"));
        // Expressions count by what they evaluate to: 480 + 3 × 11 + 14 = 527.
        let randoms = "a".repeat(480) + &"!{firehose:random-string}".repeat(3);
        assert!(message(layout(Some(&randoms), Some("!{firehose:error-output-type}"))).contains("(527)"));
    }

    #[test]
    fn redshift_takes_only_a_literal_prefix_and_no_error_output_prefix() {
        let redshift = |p: Option<&str>, e: Option<&str>| KeyLayout::new(p, e, "s3Configuration", true);
        assert!(redshift(Some("copy/"), None).is_ok());
        assert!(message(redshift(Some("!{timestamp:yyyy}/"), Some("!{firehose:error-output-type}")))
            .contains("Amazon Redshift"));
        assert!(message(redshift(Some("copy/"), Some("errors/"))).contains("ErrorOutputPrefix must be null"));
    }
}
