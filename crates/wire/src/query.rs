//! The AWS query protocol: form-encoded `Action=...&Version=...` in, XML out.
//!
//! SNS speaks only this protocol (its handlers are in `sns_query`); SQS still
//! accepts it from old SDKs, but Decouple answers SQS only in JSON, so a query
//! request for SQS gets the error AWS gives an action it does not know.
//!
//! This module holds what any query service needs: reading a form's flattened
//! members (`Attributes.entry.1.key`, `Tags.member.2.Value`) and writing XML
//! responses and errors with every value escaped. No XML or form crate: the
//! protocol's subset is small, and the wasm stays small.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use crate::service::{Protocol, Service};
use crate::{HttpRequest, HttpResponse};

// ---------------------------------------------------------------- reading forms

/// A request's form parameters, decoded: the query string's, then the body's
/// (when the body is a form), a body parameter replacing a query parameter of
/// the same name. Within one source the first of two equal names wins (a
/// choice: AWS documents nothing for repeated parameters).
#[derive(Clone, Debug, Default)]
pub(crate) struct Form {
    params: BTreeMap<String, String>,
}

impl Form {
    pub fn from_request(req: &HttpRequest) -> Form {
        let mut form = Form::default();
        form.add(req.query.as_bytes(), false);
        let is_form = req
            .header("content-type")
            .is_some_and(|ct| ct.trim_start().to_ascii_lowercase().starts_with("application/x-www-form-urlencoded"));
        if is_form {
            form.add(&req.body, true);
        }
        form
    }

    /// Adds the pairs of an urlencoded string. `replace`: its values win over
    /// those already present (the body over the query string).
    fn add(&mut self, text: &[u8], replace: bool) {
        let mut fresh: BTreeMap<String, String> = BTreeMap::new();
        for pair in text.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
            let (name, value) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &[][..]),
            };
            fresh.entry(percent_decode(name)).or_insert_with(|| percent_decode(value));
        }
        for (name, value) in fresh {
            if replace || !self.params.contains_key(&name) {
                self.params.insert(name, value);
            }
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }

    /// Whether the form names this member at all: `name` itself (an empty list
    /// is sent as `Name=`) or anything under `name.`.
    fn has(&self, name: &str) -> bool {
        self.params.contains_key(name) || self.under(&format!("{name}.")).next().is_some()
    }

    /// The parameters whose names start with `prefix`, with the rest of each name.
    fn under<'f>(&'f self, prefix: &'f str) -> impl Iterator<Item = (&'f str, &'f str)> + 'f {
        self.params
            .range::<str, _>((core::ops::Bound::Included(prefix), core::ops::Bound::Unbounded))
            .take_while(move |(k, _)| k.starts_with(prefix))
            .map(move |(k, v)| (&k[prefix.len()..], v.as_str()))
    }

    /// The distinct list indexes directly under `prefix` (`prefix` ends in
    /// `member.` or `entry.`), in numeric order. Indexes are compared as digit
    /// strings, so `entry.99999999999999999999` needs no integer type and
    /// allocates nothing per skipped index; anything not a number is ignored.
    fn indexes<'f>(&'f self, prefix: &'f str) -> Vec<&'f str> {
        let mut found: Vec<&str> = self
            .under(prefix)
            .map(|(rest, _)| rest.split('.').next().unwrap_or_default())
            .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        fn key(n: &str) -> (usize, &str) {
            let digits = n.trim_start_matches('0');
            (digits.len(), digits)
        }
        found.sort_by(|a, b| key(a).cmp(&key(b)));
        found.dedup_by(|a, b| key(a) == key(b));
        found
    }

    pub fn root(&self) -> Node<'_> {
        Node { form: self, prefix: String::new() }
    }
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte.
/// A `%` not followed by two hex digits stands for itself; bytes that are not
/// UTF-8 become U+FFFD (AWS's parameters are strings).
fn percent_decode(text: &[u8]) -> String {
    let hex = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'+' => out.push(b' '),
            b'%' => match (text.get(i + 1).copied().and_then(hex), text.get(i + 2).copied().and_then(hex)) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    match String::from_utf8(out) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

/// One structure in a form: the members whose names start with `prefix`
/// (empty for the request itself, `Entries.member.3.` for a list element).
#[derive(Clone, Debug)]
pub(crate) struct Node<'f> {
    form: &'f Form,
    prefix: String,
}

impl<'f> Node<'f> {
    fn path(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    pub fn string(&self, name: &str) -> Option<String> {
        self.form.get(&self.path(name)).map(String::from)
    }

    /// Whether the member is there at all (see [`Form::has`]).
    pub fn has(&self, name: &str) -> bool {
        self.form.has(&self.path(name))
    }

    /// A nested structure: `name.`.
    pub fn child(&self, name: &str) -> Node<'f> {
        Node { form: self.form, prefix: format!("{}{name}.", self.prefix) }
    }

    /// The elements of a list or map of structures, `name.<item>.N.`, in
    /// index order, each with its index.
    pub fn items(&self, name: &str, item: &str) -> Vec<(String, Node<'f>)> {
        let list = format!("{}{name}.{item}.", self.prefix);
        self.form
            .indexes(&list)
            .into_iter()
            .map(|n| (n.to_string(), Node { form: self.form, prefix: format!("{list}{n}.") }))
            .collect()
    }

    /// A list of strings, `name.member.N`, in index order.
    pub fn string_list(&self, name: &str) -> Vec<String> {
        let list = format!("{}{name}.member.", self.prefix);
        self.form
            .indexes(&list)
            .into_iter()
            .filter_map(|n| self.form.get(&format!("{list}{n}")).map(String::from))
            .collect()
    }

    /// A map of strings, `name.entry.N.key` / `name.entry.N.value`. An entry
    /// without a key is skipped; one without a value maps to the empty string.
    /// Of two entries with the same key, the later index wins.
    pub fn string_map(&self, name: &str) -> BTreeMap<String, String> {
        self.items(name, "entry")
            .into_iter()
            .filter_map(|(_, e)| Some((e.string("key")?, e.string("value").unwrap_or_default())))
            .collect()
    }
}

// ---------------------------------------------------------------- writing XML

/// Appends `text` as XML character data. Besides the five markup characters,
/// `\r` is written as a reference (parsers would turn a raw one into `\n`), and
/// characters XML 1.0 cannot carry at all (most C0 controls, U+FFFE, U+FFFF)
/// become U+FFFD, so the document stays well-formed whatever a caller stored.
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#xD;"),
            '\t' | '\n' => out.push(c),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// Builds an XML document element by element.
#[derive(Default)]
pub(crate) struct Xml(String);

impl Xml {
    pub fn new() -> Self {
        Xml(String::new())
    }

    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    /// `<tag>text</tag>`, the text escaped.
    pub fn leaf(&mut self, tag: &str, text: &str) -> &mut Self {
        self.open(tag);
        escape_into(&mut self.0, text);
        self.close(tag)
    }

    /// A leaf only when there is a value (AWS leaves absent members out).
    pub fn opt_leaf(&mut self, tag: &str, text: Option<&str>) -> &mut Self {
        if let Some(text) = text {
            self.leaf(tag, text);
        }
        self
    }

    /// An empty element, as AWS writes an empty list or map: `<tag/>`.
    pub fn empty(&mut self, tag: &str) -> &mut Self {
        self.0.push('<');
        self.0.push_str(tag);
        self.0.push_str("/>");
        self
    }

    /// A map of strings: `<tag><entry><key>k</key><value>v</value></entry>...</tag>`.
    pub fn string_map(&mut self, tag: &str, map: &BTreeMap<String, String>) -> &mut Self {
        if map.is_empty() {
            return self.empty(tag);
        }
        self.open(tag);
        for (k, v) in map {
            self.open("entry").leaf("key", k).leaf("value", v).close("entry");
        }
        self.close(tag)
    }
}

/// The XML namespace of each service's query API.
fn namespace(service: Option<Service>) -> &'static str {
    match service {
        Some(Service::Sns) => "http://sns.amazonaws.com/doc/2010-03-31/",
        _ => "http://queue.amazonaws.com/doc/2012-11-05/",
    }
}

fn response(status: u16, body: String, request_id: &str) -> HttpResponse {
    let body = body.into_bytes();
    HttpResponse {
        status,
        headers: vec![
            ("x-amzn-RequestId".into(), request_id.into()),
            ("Content-Type".into(), Protocol::AwsQuery.content_type().into()),
            ("Content-Length".into(), body.len().to_string()),
        ],
        body,
    }
}

/// A 200 answer: `<{Action}Response xmlns=...><{Action}Result>result</{Action}Result>
/// <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata></{Action}Response>`.
/// `result` is `None` for actions whose output has no members (AWS then
/// writes no `Result` element at all).
pub(crate) fn ok(service: Service, action: &str, result: Option<Xml>, request_id: &str) -> HttpResponse {
    let mut body = format!("<{action}Response xmlns=\"{}\">", namespace(Some(service)));
    if let Some(result) = result {
        body.push_str(&format!("<{action}Result>{}</{action}Result>", result.0));
    }
    body.push_str("<ResponseMetadata><RequestId>");
    escape_into(&mut body, request_id);
    body.push_str(&format!("</RequestId></ResponseMetadata></{action}Response>"));
    response(200, body, request_id)
}

/// An error as the query protocol sends it: `Sender` for 4xx, `Receiver` for 5xx.
pub(crate) fn error(
    service: Option<Service>,
    status: u16,
    code: &str,
    message: &str,
    request_id: &str,
) -> HttpResponse {
    let kind = if status >= 500 { "Receiver" } else { "Sender" };
    let mut body = format!("<ErrorResponse xmlns=\"{}\"><Error><Type>{kind}</Type><Code>", namespace(service));
    escape_into(&mut body, code);
    body.push_str("</Code><Message>");
    escape_into(&mut body, message);
    body.push_str("</Message></Error><RequestId>");
    escape_into(&mut body, request_id);
    body.push_str("</RequestId></ErrorResponse>");
    response(status, body, request_id)
}

/// `InvalidAction` (400), as AWS answers a query action it cannot serve.
pub(crate) fn unknown_action(service: Option<Service>, request_id: &str) -> HttpResponse {
    let message = match service {
        Some(Service::Sqs) => {
            "Decouple speaks SQS's JSON protocol only; use an AWS SDK from 2024 or later (JSON protocol)."
        }
        _ => "The action or operation requested is invalid. Verify that the action is typed correctly.",
    };
    error(service, 400, "InvalidAction", message, request_id)
}
