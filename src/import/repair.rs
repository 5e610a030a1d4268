//! Making a real feed readable by a strict XML parser, the way podcast apps
//! forgive it: a BOM or blank lines before the declaration, a declared
//! encoding the bytes do not have, HTML entities XML does not define, and
//! bare `&`s. Each repair is a finding at its line; nothing else is changed.

use std::ops::Range;

/// A feed's text, decoded and repaired.
pub(crate) struct Repaired {
    /// The text as the feed holds it, decoded: what findings point into.
    pub original: String,
    /// The text a strict XML parser reads.
    pub xml: String,
    /// Where a stretch of `xml` starts in `original`: (xml offset, original
    /// offset), ascending; offsets in between move with it.
    anchors: Vec<(usize, usize)>,
    pub repairs: Vec<Repair>,
}

/// One thing put right, at a byte range of `original`.
pub(crate) struct Repair {
    pub at: Range<usize>,
    pub message: String,
}

impl Repaired {
    /// Replaces `range` of `xml` with `with`, keeping the offsets after it
    /// pointing where they did in `original`.
    fn splice(&mut self, range: Range<usize>, with: &str) {
        let original_end = self.original_offset(range.end);
        let grow = with.len() as isize - range.len() as isize;
        for anchor in &mut self.anchors {
            if anchor.0 >= range.end {
                anchor.0 = (anchor.0 as isize + grow) as usize;
            }
        }
        self.xml.replace_range(range.clone(), with);
        self.anchors.push((range.start + with.len(), original_end));
        self.anchors.sort();
    }

    /// The offset in `original` of offset `at` in `xml`.
    pub(crate) fn original_offset(&self, at: usize) -> usize {
        let i = self.anchors.partition_point(|&(x, _)| x <= at);
        match i {
            0 => at,
            _ => {
                let (x, o) = self.anchors[i - 1];
                (o + (at - x)).min(self.original.len())
            }
        }
    }
}

/// Decodes `bytes` and repairs what a strict parser would refuse.
pub(crate) fn repair(bytes: &[u8]) -> Repaired {
    let mut repairs = Vec::new();
    let (original, note) = decode(bytes);
    if let Some(message) = note {
        repairs.push(Repair { at: 0..0, message });
    }
    let lead = leading_junk(&original);
    if lead > 0 {
        repairs.push(Repair {
            at: 0..lead,
            message: "the feed starts with a byte-order mark or blank space before its XML declaration; it is read from the declaration".into(),
        });
    }
    let mut xml = String::with_capacity(original.len() + 64);
    let mut anchors = vec![(0, lead)];
    let mut rest = lead;
    let body = &original[..];
    let mut i = rest;
    while let Some(rel) = memchr::memchr2(b'&', b'<', &body.as_bytes()[i..]) {
        let at = i + rel;
        let tail = &body[at..];
        // Markup sections hold text as it is: skip to their end.
        let section = [("<![CDATA[", "]]>"), ("<!--", "-->")]
            .into_iter()
            .find(|(open, _)| tail.starts_with(open));
        if let Some((open, close)) = section {
            match tail[open.len()..].find(close) {
                Some(end) => i = at + open.len() + end + close.len(),
                None => break,
            }
            continue;
        }
        if tail.starts_with('<') {
            i = at + 1;
            continue;
        }
        let (replacement, len, message) = entity(tail);
        if let Some(rep) = replacement {
            xml.push_str(&body[rest..at]);
            xml.push_str(&rep);
            anchors.push((xml.len(), at + len));
            rest = at + len;
            repairs.push(Repair {
                at: at..at + len,
                message,
            });
        }
        i = at + len;
    }
    xml.push_str(&body[rest..]);
    let mut repaired = Repaired {
        original,
        xml,
        anchors,
        repairs,
    };
    // The text is UTF-8 now, whatever the declaration said; the parsers
    // must not decode it a second time.
    if let Some(value) = declared_encoding_span(&repaired.xml, 0) {
        if !repaired.xml[value.clone()].eq_ignore_ascii_case("utf-8") {
            repaired.splice(value, "UTF-8");
        }
    }
    itunes_namespace(&mut repaired);
    repaired
}

const ITUNES_NS: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";

/// Apps take `itunes:` elements whatever URI (https, another case) the
/// prefix is bound to, or none; the rss crate only by the real one.
fn itunes_namespace(r: &mut Repaired) {
    let Some(root) = root_tag(&r.xml) else {
        return;
    };
    let tag = &r.xml[root.clone()];
    let key = "xmlns:itunes=";
    match tag.find(key) {
        Some(k) => {
            let value_at = root.start + k + key.len() + 1;
            let Some(len) = r.xml[value_at..].find(['"', '\'']) else {
                return;
            };
            let value = r.xml[value_at..value_at + len].to_string();
            let lower = value.to_ascii_lowercase();
            if value != ITUNES_NS && lower.contains("itunes.com/dtds/podcast-1.0.dtd") {
                let at = r.original_offset(value_at);
                r.splice(value_at..value_at + len, ITUNES_NS);
                r.repairs.push(Repair {
                    at: at..at + len,
                    message: format!("the itunes namespace is written `{value}`; it is read as `{ITUNES_NS}`, as apps read it"),
                });
            }
        }
        None if r.xml.contains("<itunes:") => {
            let name_end = root.start
                + 1
                + tag[1..]
                    .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                    .unwrap_or(tag.len() - 1);
            let at = r.original_offset(root.start);
            r.splice(
                name_end..name_end,
                &format!(" xmlns:itunes=\"{ITUNES_NS}\""),
            );
            r.repairs.push(Repair {
                at: at..at + (name_end - root.start),
                message: "the feed uses `itunes:` elements without declaring their namespace; they are read as the itunes namespace, as apps read them".into(),
            });
        }
        None => {}
    }
}

/// The root element's start tag in `xml`.
fn root_tag(xml: &str) -> Option<Range<usize>> {
    let mut from = 0;
    while let Some(i) = xml[from..].find('<') {
        let at = from + i;
        let next = xml[at + 1..].chars().next()?;
        if next == '?' || next == '!' {
            from = at + 1;
            continue;
        }
        let end = xml[at..].find('>')?;
        return Some(at..at + end + 1);
    }
    None
}

/// The text of `bytes`, and a note when the declared encoding was not the
/// real one. UTF-8 that parses is taken as UTF-8 whatever the declaration
/// says; anything else is read in the declared encoding, or Windows-1252
/// (the usual mislabelled one) when that is UTF-8 or unknown.
fn decode(bytes: &[u8]) -> (String, Option<String>) {
    let declared = declared_encoding(bytes);
    let declared_utf8 = declared
        .as_deref()
        .is_none_or(|d| d.eq_ignore_ascii_case("utf-8") || d.eq_ignore_ascii_case("utf8"));
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        if enc != encoding_rs::UTF_8 {
            let (text, _, _) = enc.decode(bytes);
            return (
                text.into_owned(),
                Some(format!("the feed is {}; it is read as such", enc.name())),
            );
        }
        let _ = bom_len;
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => {
            let note = (!declared_utf8).then(|| {
                format!(
                    "the feed declares the encoding {} but its bytes are UTF-8; it is read as UTF-8",
                    declared.clone().unwrap_or_default()
                )
            });
            (text.to_string(), note)
        }
        Err(e) => {
            let label = declared.clone().unwrap_or_default();
            let enc = encoding_rs::Encoding::for_label(label.as_bytes())
                .filter(|e| *e != encoding_rs::UTF_8)
                .unwrap_or(encoding_rs::WINDOWS_1252);
            let (text, _, _) = enc.decode(bytes);
            let note = if declared_utf8 {
                Some(format!(
                    "the feed is not UTF-8 as it declares (byte {} is not); it is read as {}",
                    e.valid_up_to(),
                    enc.name()
                ))
            } else {
                None
            };
            (text.into_owned(), note)
        }
    }
}

/// The `encoding` of the XML declaration, if any.
fn declared_encoding(bytes: &[u8]) -> Option<String> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(512)]);
    let lead = head.len()
        - head
            .trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace())
            .len();
    declared_encoding_span(&head, lead).map(|value| head[value].to_string())
}

/// Where the declaration's encoding value is in `text`, when it starts at `lead`.
fn declared_encoding_span(text: &str, lead: usize) -> Option<Range<usize>> {
    let decl = text[lead..].strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let key = decl.find("encoding")?;
    let after = &decl[key + "encoding".len()..];
    let eq = after.find('=')?;
    let quoted = after[eq + 1..].trim_start();
    let quote = quoted.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let len = quoted[1..].find(quote)?;
    let start = lead + 5 + decl.len() - after.len() + (after.len() - quoted.len()) + 1;
    Some(start..start + len)
}

/// Bytes before the first `<`: a BOM (decoding keeps U+FEFF) and white space.
fn leading_junk(text: &str) -> usize {
    let trimmed = text.trim_start_matches(|c: char| c == '\u{feff}' || c.is_whitespace());
    let lead = text.len() - trimmed.len();
    // Whitespace alone before a root element without a declaration is fine.
    if lead > 0 && (trimmed.starts_with("<?xml") || text.starts_with('\u{feff}')) {
        lead
    } else {
        0
    }
}

/// At an `&`: what to write instead (None: it is fine as it is), how many
/// bytes of the original it covers, and what was done.
fn entity(tail: &str) -> (Option<String>, usize, String) {
    let name_len = tail[1..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .unwrap_or(tail.len() - 1);
    let name = &tail[1..1 + name_len];
    let closed = tail[1 + name_len..].starts_with(';');
    if closed && !name.is_empty() {
        let len = name_len + 2;
        if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
            return (None, len, String::new());
        }
        if let Some(num) = name.strip_prefix('#') {
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => num.parse().ok(),
            };
            let allowed = code.and_then(char::from_u32).is_some_and(xml_char);
            return match allowed {
                true => (None, len, String::new()),
                false => (
                    Some(String::new()),
                    len,
                    format!("`&{name};` names no character XML can hold; it is dropped"),
                ),
            };
        }
        let decoded = html_escape::decode_html_entities(&tail[..len]);
        if decoded != tail[..len] {
            let refs: String = decoded
                .chars()
                .map(|c| format!("&#x{:X};", c as u32))
                .collect();
            return (
                Some(refs),
                len,
                format!(
                    "`&{name};` is an HTML entity XML does not define; it is read as `{decoded}`"
                ),
            );
        }
        return (
            Some(format!("&amp;{name};")),
            len,
            format!("`&{name};` is no entity XML or HTML defines; it is kept as text"),
        );
    }
    (
        Some("&amp;".into()),
        1,
        "a bare `&` is not allowed in XML; it is read as the character `&`".into(),
    )
}

fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_entities_become_references_and_offsets_map_back() {
        let r = repair(b"<t>a&nbsp;b &amp; Q&A &#8230; &bogus;</t>");
        assert_eq!(r.xml, "<t>a&#xA0;b &amp; Q&amp;A &#8230; &amp;bogus;</t>");
        assert_eq!(r.repairs.len(), 3);
        let q = r.xml.find("&amp;A").unwrap();
        assert_eq!(&r.original[r.original_offset(q)..][..2], "&A");
        let end = r.xml.find("</t>").unwrap();
        assert_eq!(r.original_offset(end), r.original.find("</t>").unwrap());
    }

    #[test]
    fn cdata_and_comments_are_left_alone() {
        let text = "<t><![CDATA[a&nbsp;b & c]]><!-- & --></t>";
        let r = repair(text.as_bytes());
        assert_eq!(r.xml, text);
        assert!(r.repairs.is_empty());
    }

    #[test]
    fn a_bom_and_blank_lines_before_the_declaration_go() {
        let r = repair("\u{feff}\n\n  <?xml version=\"1.0\"?><rss/>".as_bytes());
        assert_eq!(r.xml, "<?xml version=\"1.0\"?><rss/>");
        assert_eq!(r.repairs.len(), 1);
    }

    #[test]
    fn a_wrong_declared_encoding_is_noted_and_the_real_one_read() {
        let utf8 = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><t>é&nbsp;</t>";
        let r = repair(utf8.as_bytes());
        assert_eq!(
            r.xml,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>é&#xA0;</t>"
        );
        let t = r.xml.find("<t>").unwrap();
        assert_eq!(r.original_offset(t), r.original.find("<t>").unwrap());
        assert!(r.repairs[0].message.contains("UTF-8"));
        let mut latin = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><t>".to_vec();
        latin.extend([0xE9, 0x92]);
        latin.extend(b"</t>");
        let r = repair(&latin);
        assert!(r.xml.contains("<t>é\u{2019}</t>"), "{}", r.xml);
        assert!(r.repairs[0].message.contains("windows-1252"));
    }

    #[test]
    fn an_itunes_namespace_written_otherwise_or_not_at_all_is_read_as_itunes() {
        let r = repair(b"<rss xmlns:itunes=\"https://www.itunes.com/dtds/podcast-1.0.dtd\"><c>&nbsp;</c></rss>");
        assert_eq!(
            r.xml,
            "<rss xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><c>&#xA0;</c></rss>"
        );
        let c = r.xml.find("<c>").unwrap();
        assert_eq!(r.original_offset(c), r.original.find("<c>").unwrap());
        let r = repair(
            b"<?xml version=\"1.0\"?><rss version=\"2.0\"><itunes:author>a</itunes:author></rss>",
        );
        assert!(r.xml.starts_with("<?xml version=\"1.0\"?><rss xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" version=\"2.0\">"), "{}", r.xml);
        let a = r.xml.find("<itunes:author>").unwrap();
        assert_eq!(
            r.original_offset(a),
            r.original.find("<itunes:author>").unwrap()
        );
        assert_eq!(r.repairs.len(), 1);
    }

    #[test]
    fn control_character_references_are_dropped() {
        let r = repair(b"<t>a&#1;b&#x41;</t>");
        assert_eq!(r.xml, "<t>ab&#x41;</t>");
    }
}
