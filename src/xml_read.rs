//! A strict XML 1.0 reader for reading RSS and Atom back before they are
//! published ([`crate::verify`]): elements and attributes (names checked
//! against the XML name productions, end names matched, attribute names unique
//! per tag), character data with every reference checked (the five predefined
//! entities and character references to legal characters; `]]>` refused),
//! CDATA sections, comments (no `--` inside), processing instructions and the
//! XML declaration, one root element with only comments, PIs and white space
//! around it. Document type declarations are refused: feedgen writes none.
//! The text must already be UTF-8 holding only characters XML allows and no
//! raw CR (`verify::check_chars`).
//!
//! quick-xml reads the same documents in debug builds and must accept whatever
//! this accepts (it is the more lenient of the two: it checks neither names nor
//! references it is not asked to decode). This reader exists because quick-xml
//! finds the end of a CDATA section by stopping at every `>` inside it and
//! looking back for `]]`: at every tag of the notes HTML, which the RSS holds
//! twice per item. Here it is found by looking for `]` alone (rare in HTML),
//! and text and attribute values are checked in one pass over a byte table.

use std::borrow::Cow;

use memchr::memmem;

/// One piece of a document, borrowed from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a> {
    /// `<name …>`.
    Start(Tag<'a>),
    /// `<name …/>`.
    Empty(Tag<'a>),
    /// `</name>`: the element's name.
    End(&'a str),
    /// Character data as written (references checked, not decoded: see
    /// [`unescape`]).
    Text(&'a str),
    /// The content of a CDATA section.
    CData(&'a str),
}

/// A start or empty-element tag: its name and the attributes as written
/// (already checked; see [`Tag::attr`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag<'a> {
    pub name: &'a str,
    attrs: &'a str,
}

impl<'a> Tag<'a> {
    /// The decoded value of attribute `key`, if the tag has it.
    pub fn attr(&self, key: &str) -> Option<Cow<'a, str>> {
        let mut rest = self.attrs;
        loop {
            rest = rest.trim_start_matches(is_space);
            if rest.is_empty() {
                return None;
            }
            // Checked when read: name, optional space, `=`, space, quoted value.
            let eq = rest.find('=').expect("checked attribute");
            let name = rest[..eq].trim_end_matches(is_space);
            let after = rest[eq + 1..].trim_start_matches(is_space);
            let quote = after.as_bytes()[0] as char;
            let end = after[1..].find(quote).expect("checked attribute") + 1;
            if name == key {
                return Some(unescape(&after[1..end]));
            }
            rest = &after[end + 1..];
        }
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// Decodes character data or an attribute value as the reader returned them:
/// the five predefined entities and character references. (Text the reader
/// did not check may hold other `&`s: they are kept as they are.)
pub fn unescape(raw: &str) -> Cow<'_, str> {
    if !raw.contains('&') {
        return Cow::Borrowed(raw);
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let decoded = rest[amp..]
            .find(';')
            .and_then(|semi| Some((reference(&rest[amp + 1..amp + semi])?, amp + semi)));
        match decoded {
            Some((c, semi)) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[amp + 1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The character a reference's body (between `&` and `;`) stands for.
fn reference(body: &str) -> Option<char> {
    let code = match body.as_bytes() {
        b"lt" => return Some('<'),
        b"gt" => return Some('>'),
        b"amp" => return Some('&'),
        b"quot" => return Some('"'),
        b"apos" => return Some('\''),
        [b'#', b'x', hex @ ..] if !hex.is_empty() && hex.iter().all(u8::is_ascii_hexdigit) => {
            u32::from_str_radix(&body[2..], 16).ok()?
        }
        [b'#', dec @ ..] if !dec.is_empty() && dec.iter().all(u8::is_ascii_digit) => {
            body[1..].parse::<u32>().ok()?
        }
        _ => return None,
    };
    // Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]
    let c = char::from_u32(code)?;
    let legal = matches!(code, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..);
    legal.then_some(c)
}

/// NameStartChar of XML 1.0 (fifth edition).
fn is_name_start(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// NameChar of XML 1.0 (fifth edition).
fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c,
            '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

/// Classes of ASCII bytes for the scanning loops (non-ASCII bytes have none:
/// names check them by character).
const NAME_START: u8 = 1;
const NAME: u8 = 2;
const LT: u8 = 4;
const AMP: u8 = 8;
const RBRACKET: u8 = 16;
const DQUOTE: u8 = 32;
const SQUOTE: u8 = 64;
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if matches!(c, b':' | b'A'..=b'Z' | b'_' | b'a'..=b'z') {
            t[b] |= NAME_START | NAME;
        }
        if matches!(c, b'-' | b'.' | b'0'..=b'9') {
            t[b] |= NAME;
        }
        t[b] |= match c {
            b'<' => LT,
            b'&' => AMP,
            b']' => RBRACKET,
            b'"' => DQUOTE,
            b'\'' => SQUOTE,
            _ => 0,
        };
        b += 1;
    }
    t
};

/// Reads a document event by event; see the module documentation for what it
/// checks. [`Reader::next`] returns None after the root element has closed and
/// the rest of the document was checked.
pub struct Reader<'a> {
    text: &'a str,
    i: usize,
    /// Names of the open elements.
    open: Vec<&'a str>,
    /// Whether the root element has been read (it may not come twice).
    rooted: bool,
    /// Attribute names of the tag being read, for the uniqueness check.
    seen: Vec<&'a str>,
    comment_end: memmem::Finder<'static>,
}

impl<'a> Reader<'a> {
    pub fn new(text: &'a str) -> Self {
        Reader {
            text,
            i: 0,
            open: Vec::new(),
            rooted: false,
            seen: Vec::new(),
            comment_end: memmem::Finder::new(b"--"),
        }
    }

    /// How many elements are open.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    fn err(&self, what: &str) -> String {
        format!("not well-formed at byte {}: {what}", self.i)
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// The next event, None at the end of a complete document.
    #[allow(clippy::should_implement_trait)] // fallible, borrows: not an Iterator
    pub fn next(&mut self) -> Result<Option<Event<'a>>, String> {
        loop {
            let b = self.bytes();
            if self.i >= b.len() {
                if !self.rooted {
                    return Err(self.err("no root element"));
                }
                if let Some(name) = self.open.last() {
                    return Err(self.err(&format!("<{name}> is not closed")));
                }
                return Ok(None);
            }
            if b[self.i] != b'<' {
                if self.open.is_empty() {
                    // Outside the root only white space may stand.
                    let end = memchr::memchr(b'<', &b[self.i..]).map_or(b.len(), |p| self.i + p);
                    if !b[self.i..end]
                        .iter()
                        .all(|c| matches!(c, b' ' | b'\t' | b'\n'))
                    {
                        return Err(self.err("text outside the root element"));
                    }
                    self.i = end;
                    continue;
                }
                return self.text_run().map(Some);
            }
            match b.get(self.i + 1) {
                Some(b'/') => return self.end_tag().map(Some),
                Some(b'?') => self.pi()?,
                Some(b'!') => {
                    if b[self.i..].starts_with(b"<!--") {
                        self.comment()?;
                    } else if b[self.i..].starts_with(b"<![CDATA[") {
                        return self.cdata().map(Some);
                    } else {
                        return Err(self.err("a declaration feedgen does not write"));
                    }
                }
                _ => return self.start_tag().map(Some),
            }
        }
    }

    /// Character data up to the next `<`: references checked, no `]]>`. One
    /// pass with a byte table: in escaped HTML a reference comes every few
    /// bytes, too often for a vector search to pay for its restarts.
    fn text_run(&mut self) -> Result<Event<'a>, String> {
        let b = self.bytes();
        let start = self.i;
        let mut i = start;
        loop {
            while i < b.len() && CLASS[b[i] as usize] & (LT | AMP | RBRACKET) == 0 {
                i += 1;
            }
            match b.get(i) {
                None => {
                    self.i = i;
                    return Err(self.err("the document ends inside an element"));
                }
                Some(b'<') => break,
                Some(b'&') => i = self.reference_at(i)?,
                Some(_) => {
                    if b[i..].starts_with(b"]]>") {
                        self.i = i;
                        return Err(self.err("`]]>` in character data"));
                    }
                    i += 1;
                }
            }
        }
        self.i = i;
        Ok(Event::Text(&self.text[start..i]))
    }

    /// Checks the reference starting at the `&` at `amp`; returns where it
    /// ends (after its `;`).
    fn reference_at(&mut self, amp: usize) -> Result<usize, String> {
        let rest = &self.bytes()[amp + 1..];
        for known in [&b"lt;"[..], b"gt;", b"amp;", b"quot;", b"apos;"] {
            if rest.starts_with(known) {
                return Ok(amp + 1 + known.len());
            }
        }
        match memchr::memchr(b';', rest) {
            Some(q) if reference(&self.text[amp + 1..amp + 1 + q]).is_some() => Ok(amp + 2 + q),
            _ => {
                self.i = amp;
                Err(self.err("a reference that is not a predefined entity or a legal character"))
            }
        }
    }

    /// A name starting at `self.i`; moves past it.
    fn name(&mut self) -> Result<&'a str, String> {
        let b = self.bytes();
        let start = self.i;
        let mut i = start;
        // ASCII through the table; a non-ASCII character by its code point.
        if b.get(i)
            .is_some_and(|&c| CLASS[c as usize] & NAME_START != 0)
        {
            i += 1;
            while i < b.len() && CLASS[b[i] as usize] & NAME != 0 {
                i += 1;
            }
        }
        while i < b.len() {
            let c = b[i];
            if c < 0x80 {
                let class = if i == start { NAME_START } else { NAME };
                if CLASS[c as usize] & class == 0 {
                    break;
                }
                i += 1;
            } else {
                let ch = self.text[i..].chars().next().expect("char boundary");
                let ok = if i == start {
                    is_name_start(ch)
                } else {
                    is_name_char(ch)
                };
                if !ok {
                    break;
                }
                i += ch.len_utf8();
            }
        }
        if i == start {
            return Err(self.err("expected a name"));
        }
        self.i = i;
        Ok(&self.text[start..i])
    }

    /// Skips white space; whether there was any.
    fn space(&mut self) -> bool {
        let b = self.bytes();
        let start = self.i;
        while self.i < b.len() && matches!(b[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
        self.i > start
    }

    fn start_tag(&mut self) -> Result<Event<'a>, String> {
        if self.open.is_empty() && self.rooted {
            return Err(self.err("a second root element"));
        }
        self.i += 1;
        let name = self.name()?;
        let attrs_start = self.i;
        self.seen.clear();
        loop {
            let spaced = self.space();
            let b = self.bytes();
            match b.get(self.i) {
                Some(b'>') => {
                    let attrs = &self.text[attrs_start..self.i];
                    self.i += 1;
                    self.open.push(name);
                    self.rooted = true;
                    return Ok(Event::Start(Tag { name, attrs }));
                }
                Some(b'/') => {
                    if b.get(self.i + 1) != Some(&b'>') {
                        return Err(self.err("`/` not followed by `>` in a tag"));
                    }
                    let attrs = &self.text[attrs_start..self.i];
                    self.i += 2;
                    self.rooted = true;
                    return Ok(Event::Empty(Tag { name, attrs }));
                }
                Some(_) if spaced => self.attribute()?,
                Some(_) => return Err(self.err("expected white space, `>` or `/>` in a tag")),
                None => return Err(self.err("the document ends inside a tag")),
            }
        }
    }

    /// `name = "value"` (or single quotes); the value holds no `<` and only
    /// checked references.
    fn attribute(&mut self) -> Result<(), String> {
        let name = self.name()?;
        if self.seen.contains(&name) {
            return Err(self.err(&format!("attribute `{name}` twice in one tag")));
        }
        self.seen.push(name);
        self.space();
        if self.bytes().get(self.i) != Some(&b'=') {
            return Err(self.err("expected `=` after an attribute name"));
        }
        self.i += 1;
        self.space();
        let b = self.bytes();
        let quote = match b.get(self.i) {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => return Err(self.err("an attribute value must be quoted")),
        };
        let mut i = self.i + 1;
        loop {
            while i < b.len() && CLASS[b[i] as usize] & (LT | AMP | DQUOTE | SQUOTE) == 0 {
                i += 1;
            }
            match b.get(i) {
                None => {
                    self.i = i;
                    return Err(self.err("an attribute value is not closed"));
                }
                Some(&c) if c == quote => break,
                Some(b'<') => {
                    self.i = i;
                    return Err(self.err("`<` in an attribute value"));
                }
                Some(b'&') => i = self.reference_at(i)?,
                Some(_) => i += 1,
            }
        }
        let end = i;
        self.i = end + 1;
        Ok(())
    }

    fn end_tag(&mut self) -> Result<Event<'a>, String> {
        self.i += 2;
        let name = self.name()?;
        self.space();
        if self.bytes().get(self.i) != Some(&b'>') {
            return Err(self.err("expected `>` to end an end tag"));
        }
        match self.open.pop() {
            Some(open) if open == name => {}
            Some(open) => return Err(self.err(&format!("</{name}> closes <{open}>"))),
            None => return Err(self.err(&format!("</{name}> closes nothing"))),
        }
        self.i += 1;
        Ok(Event::End(name))
    }

    fn cdata(&mut self) -> Result<Event<'a>, String> {
        if self.open.is_empty() {
            return Err(self.err("CDATA outside the root element"));
        }
        let start = self.i + b"<![CDATA[".len();
        let b = self.bytes();
        // `]` is rare in notes HTML and `>` ends every tag: look for the `]`
        // (memmem's pair heuristic stopped at many of the `>`s).
        let mut at = start;
        let end = loop {
            match memchr::memchr(b']', &b[at..]) {
                Some(p) if b[at + p..].starts_with(b"]]>") => break at + p,
                Some(p) => at += p + 1,
                None => return Err(self.err("a CDATA section is not closed")),
            }
        };
        self.i = end + 3;
        Ok(Event::CData(&self.text[start..end]))
    }

    /// `<!-- … -->` with no `--` inside and no `-` just before the end.
    fn comment(&mut self) -> Result<(), String> {
        let start = self.i + 4;
        let b = self.bytes();
        let dashes = self
            .comment_end
            .find(&b[start..])
            .map(|p| start + p)
            .ok_or_else(|| self.err("a comment is not closed"))?;
        if b.get(dashes + 2) != Some(&b'>') {
            self.i = dashes;
            return Err(self.err("`--` inside a comment"));
        }
        self.i = dashes + 3;
        Ok(())
    }

    /// A processing instruction, or the XML declaration at the very start.
    fn pi(&mut self) -> Result<(), String> {
        let at = self.i;
        self.i += 2;
        let target = self.name()?;
        let b = self.bytes();
        let end = memmem::find(&b[self.i..], b"?>")
            .map(|p| self.i + p)
            .ok_or_else(|| self.err("a processing instruction is not closed"))?;
        if target.eq_ignore_ascii_case("xml") {
            if at != 0 || target != "xml" {
                self.i = at;
                return Err(self.err("an XML declaration not at the very start"));
            }
            self.declaration(&self.text[self.i..end])?;
        } else if self.i < end && !self.space() {
            return Err(self.err("expected white space after a processing instruction's target"));
        }
        self.i = end + 2;
        Ok(())
    }

    /// `version="1.x"`, then optionally `encoding` (UTF-8 only: the bytes are)
    /// and `standalone`, in that order.
    fn declaration(&self, body: &str) -> Result<(), String> {
        let mut rest = body;
        let mut wanted = ["version", "encoding", "standalone"].as_slice();
        let mut first = true;
        loop {
            let trimmed = rest.trim_start_matches(is_space);
            if trimmed.is_empty() {
                break;
            }
            if trimmed.len() == rest.len() {
                return Err(self.err("expected white space in the XML declaration"));
            }
            let eq = trimmed
                .find('=')
                .ok_or_else(|| self.err("a malformed XML declaration"))?;
            let key = trimmed[..eq].trim_end_matches(is_space);
            let pos = wanted
                .iter()
                .position(|w| *w == key)
                .filter(|&p| !first || p == 0)
                .ok_or_else(|| self.err(&format!("`{key}` out of place in the XML declaration")))?;
            wanted = &wanted[pos + 1..];
            let after = trimmed[eq + 1..].trim_start_matches(is_space);
            let quote = after
                .chars()
                .next()
                .filter(|q| *q == '"' || *q == '\'')
                .ok_or_else(|| self.err("a declaration value must be quoted"))?;
            let close = after[1..]
                .find(quote)
                .ok_or_else(|| self.err("a declaration value is not closed"))?
                + 1;
            let value = &after[1..close];
            let ok = match key {
                "version" => value
                    .strip_prefix("1.")
                    .is_some_and(|d| !d.is_empty() && d.bytes().all(|c| c.is_ascii_digit())),
                "encoding" => value.eq_ignore_ascii_case("utf-8"),
                _ => value == "yes" || value == "no",
            };
            if !ok {
                return Err(self.err(&format!("{key}=\"{value}\" in the XML declaration")));
            }
            first = false;
            rest = &after[close + 1..];
        }
        if first {
            return Err(self.err("an XML declaration without a version"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(doc: &str) -> Result<Vec<Event<'_>>, String> {
        let mut r = Reader::new(doc);
        let mut out = Vec::new();
        while let Some(e) = r.next()? {
            out.push(e);
        }
        Ok(out)
    }

    #[test]
    fn reads_what_feedgen_writes() {
        let doc = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss a=\"1\" b='x &amp; y'>\
                   <item><x:y/><d><![CDATA[<p>a > b ]] c</p>]]></d>t &lt;&#233;&#x1F600;</item></rss>\n";
        let ev = events(doc).unwrap();
        let names: Vec<String> = ev
            .iter()
            .map(|e| match e {
                Event::Start(t) => format!("<{}", t.name),
                Event::Empty(t) => format!("<{}/", t.name),
                Event::End(n) => format!("/{n}"),
                Event::Text(t) => format!("t:{}", unescape(t)),
                Event::CData(c) => format!("c:{c}"),
            })
            .collect();
        assert_eq!(
            names,
            [
                "<rss",
                "<item",
                "<x:y/",
                "<d",
                "c:<p>a > b ]] c</p>",
                "/d",
                "t:t <é😀",
                "/item",
                "/rss"
            ]
        );
        assert_eq!(unescape("a &amp b &x; &#65;"), "a &amp b &x; A");
        let Event::Start(rss) = ev[0] else { panic!() };
        assert_eq!(rss.attr("a").as_deref(), Some("1"));
        assert_eq!(rss.attr("b").as_deref(), Some("x & y"));
        assert_eq!(rss.attr("c"), None);
    }

    #[test]
    fn refuses_what_is_not_well_formed() {
        for bad in [
            "",
            "  ",
            "<a>",
            "<a></b>",
            "</a>",
            "<a/><b/>",
            "<a/>x",
            "x<a/>",
            "<a>&nbsp;</a>",
            "<a>&#0;</a>",
            "<a>&#xD800;</a>",
            "<a>&#xFFFE;</a>",
            "<a>& b</a>",
            "<a>&amp</a>",
            "<a>]]></a>",
            "<a b=c/>",
            "<a b=\"1\" b=\"2\"/>",
            "<a b=\"1\"c=\"2\"/>",
            "<a b=\"<\"/>",
            "<a b=\"&x;\"/>",
            "<a b=\"1/>",
            "<1a/>",
            "<-a/>",
            "<a\u{D7}b/>",
            "<a><!-- x -- y --></a>",
            "<a><!-- x ---></a>",
            "<a><!-- x</a>",
            "<a><![CDATA[x</a>",
            "<![CDATA[x]]><a/>",
            "<!DOCTYPE a><a/>",
            "<a/><?xml version=\"1.0\"?>",
            " <?xml version=\"1.0\"?><a/>",
            "<?xml encoding=\"utf-8\"?><a/>",
            "<?xml version=\"2.0\"?><a/>",
            "<?xml version=\"1.0\" encoding=\"latin1\"?><a/>",
            "<?xml version=\"1.0\" standalone=\"yes\" encoding=\"utf-8\"?><a/>",
            "<?XML version=\"1.0\"?><a/>",
            "<?pi<a/>",
            "<a/ >",
            "<a></a >x",
            "<a b/>",
        ] {
            assert!(events(bad).is_err(), "accepted {bad:?}");
        }
        for good in [
            "<a/>",
            "<a></a >",
            "<a b = 'x' />",
            "<?xml version=\"1.0\"?><a/>",
            "<?xml version='1.1' standalone='no'?>\n<a/>\n",
            "<!-- c --><a><!----><?pi data?></a><?pi?>",
            "<a>]]</a>",
            "<a>&#x10FFFF;&#9;</a>",
            "<é·-.0/>",
        ] {
            assert!(events(good).is_ok(), "refused {good:?}: {:?}", events(good));
        }
    }
}
