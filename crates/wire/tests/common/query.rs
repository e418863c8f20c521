//! The query protocol in tests: SNS requests exactly as the SDKs put them on
//! the wire, and a strict little XML reader that fails on anything not
//! well-formed (so every response the tests read is also checked).

use decouple_wire::{HttpRequest, HttpResponse};

fn header(k: &str, v: &str) -> (String, String) {
    (k.into(), v.into())
}

/// As `@aws-sdk/client-sns` v3 (3.1169.0) sends it, captured from the SDK:
/// lower-case headers, a plain form content type, `%20` for spaces, `Action`
/// and `Version` first, then members in model order.
pub fn sns_js(body: &str) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers: vec![
            header("content-type", "application/x-www-form-urlencoded"),
            header("content-length", &body.len().to_string()),
            header("x-amz-user-agent", "aws-sdk-js/3.1169.0"),
            header("host", "sns.us-east-1.amazonaws.com"),
            header("amz-sdk-invocation-id", "181fac46-84c6-419f-811b-9041c4299b40"),
            header("amz-sdk-request", "attempt=1; max=1"),
            header("x-amz-date", "20260101T000000Z"),
            header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sns/aws4_request, \
                 SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date, \
                 Signature=dc53c746",
            ),
        ],
        body: body.as_bytes().to_vec(),
    }
}

/// As boto3/botocore sends it: capitalised headers, `charset=utf-8`, and
/// `+` for spaces (Python's `urlencode`).
pub fn sns_boto3(body: &str) -> HttpRequest {
    HttpRequest {
        method: "POST".into(),
        path: "/".into(),
        query: String::new(),
        headers: vec![
            header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            header("User-Agent", "Boto3/1.40.0 md/Botocore#1.43.11 ua/2.1 os/linux lang/python#3.12.3"),
            header("X-Amz-Date", "20260101T000000Z"),
            header(
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/sns/aws4_request, \
                 SignedHeaders=content-type;host;x-amz-date, Signature=0123abcd",
            ),
            header("amz-sdk-invocation-id", "0f6a3c1e-2b1d-4a55-8f3e-8c5f3a2b1c0d"),
            header("amz-sdk-request", "attempt=1"),
            header("Content-Length", &body.len().to_string()),
        ],
        body: body.as_bytes().to_vec(),
    }
}

/// Percent-encodes as the JS SDK does (`encodeURIComponent` plus `!'()*`).
pub fn enc(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One XML element: its name, attributes, child elements and text.
#[derive(Clone, Debug, PartialEq)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The first child with this name; panics if there is none.
    pub fn child(&self, name: &str) -> &Element {
        self.find(name).unwrap_or_else(|| panic!("<{}> has no <{name}>: {self:?}", self.name))
    }

    pub fn find(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Follows a path of child names.
    pub fn at(&self, path: &[&str]) -> &Element {
        path.iter().fold(self, |e, name| e.child(name))
    }

    /// The text at a path of child names.
    pub fn text_at(&self, path: &[&str]) -> String {
        self.at(path).text.clone()
    }

    /// The child names, in document order.
    pub fn names(&self) -> Vec<&str> {
        self.children.iter().map(|c| c.name.as_str()).collect()
    }

    /// `<entry><key>k</key><value>v</value></entry>...` as pairs.
    pub fn entries(&self) -> Vec<(String, String)> {
        self.children.iter().map(|e| (e.text_at(&["key"]), e.text_at(&["value"]))).collect()
    }
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')
}

struct Reader<'a> {
    s: &'a str,
    i: usize,
}

impl Reader<'_> {
    fn rest(&self) -> &str {
        &self.s[self.i..]
    }

    fn eat(&mut self, prefix: &str) -> bool {
        if self.rest().starts_with(prefix) {
            self.i += prefix.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        let n = self.rest().len() - self.rest().trim_start().len();
        self.i += n;
    }

    fn name(&mut self) -> Result<String, String> {
        let n: usize = self.rest().chars().take_while(|&c| is_name_char(c)).map(char::len_utf8).sum();
        if n == 0 {
            return Err(format!("expected a name at {}", self.i));
        }
        let name = self.rest()[..n].to_string();
        self.i += n;
        Ok(name)
    }

    /// Character data up to `stop`, with references resolved.
    fn chars_until(&mut self, stop: char) -> Result<String, String> {
        let mut out = String::new();
        loop {
            let c = self.rest().chars().next().ok_or("unexpected end of document")?;
            if c == stop {
                return Ok(out);
            }
            match c {
                '<' => return Err(format!("raw '<' at {}", self.i)),
                '&' => {
                    let end = self.rest().find(';').ok_or("unterminated reference")?;
                    let reference = &self.rest()[1..end];
                    let resolved = match reference {
                        "amp" => '&',
                        "lt" => '<',
                        "gt" => '>',
                        "quot" => '"',
                        "apos" => '\'',
                        r => {
                            let code = if let Some(hex) = r.strip_prefix("#x") {
                                u32::from_str_radix(hex, 16)
                            } else if let Some(dec) = r.strip_prefix('#') {
                                dec.parse()
                            } else {
                                return Err(format!("unknown entity &{r};"));
                            };
                            let c = code.ok().and_then(char::from_u32).ok_or(format!("bad reference &{r};"))?;
                            if !is_xml_char(c) {
                                return Err(format!("reference to a character XML forbids: &{r};"));
                            }
                            c
                        }
                    };
                    out.push(resolved);
                    self.i += end + 1;
                }
                c if !is_xml_char(c) => return Err(format!("character XML forbids: {c:?} at {}", self.i)),
                c => {
                    out.push(c);
                    self.i += c.len_utf8();
                }
            }
        }
    }

    fn element(&mut self) -> Result<Element, String> {
        if !self.eat("<") {
            return Err(format!("expected '<' at {}", self.i));
        }
        let name = self.name()?;
        let mut element = Element { name, attributes: vec![], children: vec![], text: String::new() };
        loop {
            self.skip_ws();
            if self.eat("/>") {
                return Ok(element);
            }
            if self.eat(">") {
                break;
            }
            let attr = self.name()?;
            if !self.eat("=\"") {
                return Err(format!("attribute {attr} without a quoted value"));
            }
            let value = self.chars_until('"')?;
            self.i += 1;
            element.attributes.push((attr, value));
        }
        loop {
            if self.eat("</") {
                let close = self.name()?;
                if close != element.name {
                    return Err(format!("<{}> closed by </{close}>", element.name));
                }
                self.skip_ws();
                if !self.eat(">") {
                    return Err("unterminated end tag".into());
                }
                return Ok(element);
            }
            if self.rest().starts_with('<') {
                let child = self.element()?;
                element.children.push(child);
            } else {
                let text = self.chars_until('<')?;
                element.text.push_str(&text);
            }
        }
    }
}

/// Parses a whole document strictly: an optional `<?xml ...?>` declaration,
/// one root element, nothing after it but whitespace.
pub fn parse_xml(text: &str) -> Result<Element, String> {
    let mut r = Reader { s: text, i: 0 };
    if r.eat("<?xml") {
        let end = r.rest().find("?>").ok_or("unterminated XML declaration")?;
        r.i += end + 2;
    }
    r.skip_ws();
    let root = r.element()?;
    r.skip_ws();
    if !r.rest().is_empty() {
        return Err(format!("content after the root element: {:?}", r.rest()));
    }
    Ok(root)
}

/// The response's body as an XML document (panics, with the body, if it is not one).
pub fn xml(r: &HttpResponse) -> Element {
    let text = std::str::from_utf8(&r.body).unwrap_or_else(|e| panic!("body is not UTF-8: {e}"));
    parse_xml(text).unwrap_or_else(|e| panic!("body is not well-formed XML ({e}): {text}"))
}
