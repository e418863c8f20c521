//! A small XML reader for the request bodies of S3's REST protocol
//! (`CreateBucketConfiguration`, `NotificationConfiguration`).
//!
//! Those documents are plain trees of elements with text leaves, so the reader
//! builds exactly that: elements by local name (namespace prefixes dropped,
//! attributes skipped), their children in order, and their decoded text
//! (character references, the five predefined entities, CDATA). It refuses
//! what such a body never needs and what would make a reader dangerous:
//! DOCTYPE (so no entity expansion), unbalanced or mismatched tags, and
//! nesting deeper than [`MAX_DEPTH`]. It never recurses while parsing, so no
//! input can exhaust the stack. Crates.io has no-std tokenizers (`xmlparser`),
//! but a tree for this subset is a few hundred lines and keeps the wasm small.

use alloc::string::String;
use alloc::vec::Vec;

/// Deeper documents are refused. S3's request bodies nest four levels
/// (`NotificationConfiguration/QueueConfiguration/Filter/S3Key/FilterRule/Name`).
pub(crate) const MAX_DEPTH: usize = 32;

/// One element: its local name, children in document order, and the
/// concatenation of its own text (whitespace kept; callers trim).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: String,
    pub children: Vec<Element>,
    pub text: String,
}

impl Element {
    /// The children with this local name.
    pub fn all<'e>(&'e self, name: &'e str) -> impl Iterator<Item = &'e Element> + 'e {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The trimmed text of the first child with this name.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }
}

/// Why a document was refused; S3 answers all of them with `MalformedXML`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Malformed;

/// Parses a whole document: optional declaration, comments and processing
/// instructions around exactly one root element.
pub(crate) fn parse(input: &[u8]) -> Result<Element, Malformed> {
    let text = core::str::from_utf8(input).map_err(|_| Malformed)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut p = Parser { s: text, i: 0 };
    // Open elements, innermost last; the root is kept when it closes.
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        if p.at_end() {
            break;
        }
        if !p.peek_is(b'<') {
            let raw = p.take_until("<");
            match stack.last_mut() {
                Some(open) => decode_into(raw, &mut open.text)?,
                // Outside the root only whitespace may appear.
                None if raw.trim().is_empty() => {}
                None => return Err(Malformed),
            }
            continue;
        }
        if p.eat("<?") {
            p.skip_past("?>")?;
        } else if p.eat("<!--") {
            p.skip_past("-->")?;
        } else if p.eat("<![CDATA[") {
            let raw = p.take_until("]]>");
            p.expect("]]>")?;
            stack.last_mut().ok_or(Malformed)?.text.push_str(raw);
        } else if p.eat("<!") {
            // DOCTYPE and other declarations: never in S3's bodies.
            return Err(Malformed);
        } else if p.eat("</") {
            let name = p.name()?;
            p.skip_space();
            p.expect(">")?;
            let done = stack.pop().ok_or(Malformed)?;
            if done.name != local(name) {
                return Err(Malformed);
            }
            match stack.last_mut() {
                Some(parent) => parent.children.push(done),
                None => root = Some(done),
            }
        } else {
            p.expect("<")?;
            if root.is_some() {
                return Err(Malformed);
            }
            let name = p.name()?;
            let self_closing = p.attributes()?;
            let element = Element { name: local(name).into(), ..Element::default() };
            if self_closing {
                match stack.last_mut() {
                    Some(parent) => parent.children.push(element),
                    None => root = Some(element),
                }
            } else {
                if stack.len() == MAX_DEPTH {
                    return Err(Malformed);
                }
                stack.push(element);
            }
        }
    }
    if !stack.is_empty() {
        return Err(Malformed);
    }
    root.ok_or(Malformed)
}

/// `s3:Event` -> `Event`.
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Parser<'a> {
    fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }

    fn at_end(&self) -> bool {
        self.i >= self.s.len()
    }

    fn peek_is(&self, b: u8) -> bool {
        self.s.as_bytes().get(self.i) == Some(&b)
    }

    fn eat(&mut self, token: &str) -> bool {
        if self.rest().starts_with(token) {
            self.i += token.len();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &str) -> Result<(), Malformed> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(Malformed)
        }
    }

    /// Everything up to `end` (or the end of input), not consuming `end`.
    fn take_until(&mut self, end: &str) -> &'a str {
        let rest = self.rest();
        let n = rest.find(end).unwrap_or(rest.len());
        self.i += n;
        &rest[..n]
    }

    fn skip_past(&mut self, end: &str) -> Result<(), Malformed> {
        self.take_until(end);
        self.expect(end)
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.i += rest.len() - rest.trim_start_matches([' ', '\t', '\r', '\n']).len();
    }

    /// An element or attribute name (letters, digits, `_ - . :`, non-ASCII).
    fn name(&mut self) -> Result<&'a str, Malformed> {
        let rest = self.rest();
        let n = rest
            .char_indices()
            .find(|&(_, c)| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':') || !c.is_ascii()))
            .map_or(rest.len(), |(i, _)| i);
        let name = &rest[..n];
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.') {
            return Err(Malformed);
        }
        self.i += n;
        Ok(name)
    }

    /// Skips a start tag's attributes (`xmlns` included: names are matched
    /// locally) up to `>` or `/>`; answers whether the element is empty.
    fn attributes(&mut self) -> Result<bool, Malformed> {
        loop {
            self.skip_space();
            if self.eat("/>") {
                return Ok(true);
            }
            if self.eat(">") {
                return Ok(false);
            }
            self.name()?;
            self.skip_space();
            self.expect("=")?;
            self.skip_space();
            let quote = if self.eat("\"") {
                "\""
            } else if self.eat("'") {
                "'"
            } else {
                return Err(Malformed);
            };
            if self.take_until(quote).contains('<') {
                return Err(Malformed);
            }
            self.expect(quote)?;
        }
    }
}

/// Appends character data with its references decoded.
fn decode_into(raw: &str, out: &mut String) -> Result<(), Malformed> {
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp + 1..];
        let semi = after.find(';').filter(|&n| n <= 10).ok_or(Malformed)?;
        let entity = &after[..semi];
        let c = match entity {
            "lt" => '<',
            "gt" => '>',
            "amp" => '&',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(hex) = entity.strip_prefix("#x") {
                    u32::from_str_radix(hex, 16).ok()
                } else if let Some(dec) = entity.strip_prefix('#') {
                    dec.parse::<u32>().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32).filter(|&c| c != '\0').ok_or(Malformed)?
            }
        };
        out.push(c);
        rest = &after[semi + 1..];
    }
    out.push_str(rest);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;

    #[test]
    fn reads_a_notification_configuration() {
        let doc = br#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <QueueConfiguration><Id>a &amp; b</Id><Queue>arn:q</Queue>
    <Event>s3:ObjectCreated:*</Event><Event>s3:ObjectRemoved:*</Event>
    <Filter><S3Key><FilterRule><Name>prefix</Name><Value><![CDATA[<in>/]]>&#x41;&#66;</Value></FilterRule></S3Key></Filter>
  </QueueConfiguration>
  <s3:TopicConfiguration xmlns:s3="x"/>
</NotificationConfiguration>"#;
        let root = parse(doc).unwrap();
        assert_eq!(root.name, "NotificationConfiguration");
        let q = root.child("QueueConfiguration").unwrap();
        assert_eq!(q.child_text("Id"), Some("a & b"));
        assert_eq!(q.all("Event").count(), 2);
        let rule = q.child("Filter").and_then(|f| f.child("S3Key")).and_then(|k| k.child("FilterRule")).unwrap();
        assert_eq!(rule.child_text("Value"), Some("<in>/AB"));
        assert!(root.child("TopicConfiguration").is_some());
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for doc in [
            "",
            "   ",
            "text",
            "<a>",
            "<a></b>",
            "</a>",
            "<a></a><b/>",
            "<a></a>junk",
            "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
            "<a>&unknown;</a>",
            "<a>&#0;</a>",
            "<a>&#xD800;</a>",
            "<a x=1></a>",
            "<a x=\"<\"></a>",
            "<1a/>",
            "<a><!-- unterminated </a>",
            "<a><![CDATA[ unterminated</a>",
        ] {
            assert_eq!(parse(doc.as_bytes()), Err(Malformed), "{doc:?}");
        }
        assert_eq!(parse(&[0xff, 0xfe]), Err(Malformed));
    }

    #[test]
    fn depth_is_bounded_without_recursion() {
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(parse(ok.as_bytes()).is_ok());
        let deep = format!("{}{}", "<a>".repeat(100_000), "</a>".repeat(100_000));
        assert_eq!(parse(deep.as_bytes()), Err(Malformed));
    }
}
