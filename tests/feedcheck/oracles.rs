//! Test-side judges of what feedgen writes, independent of its own checks: XML
//! well-formedness as quick-xml reads it, the characters no output may hold,
//! and the HTML a notes payload may be made of.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};

/// Characters XML 1.0 cannot hold (C0 controls but tab, LF and CR; U+FFFE,
/// U+FFFF), plus DEL and the C1 controls, which no feed reader shows.
pub fn is_xml_invalid(c: char) -> bool {
    let n = c as u32;
    (n < 0x20 && !matches!(c, '\t' | '\n' | '\r'))
        || (0x7F..=0x9F).contains(&n)
        || n == 0xFFFE
        || n == 0xFFFF
}

/// Invisible characters that hide or reorder text: zero-width space, word
/// joiner, BOM, bidi embeddings/overrides and isolates.
pub fn is_invisible(c: char) -> bool {
    let n = c as u32;
    matches!(n, 0x200B | 0x2060 | 0xFEFF)
        || (0x202A..=0x202E).contains(&n)
        || (0x2066..=0x2069).contains(&n)
}

/// A name as XML's `Name` production allows it (ASCII part exactly; any
/// non-ASCII character is let through, feedgen writes ASCII names).
fn is_xml_name(name: &[u8]) -> bool {
    let start = |b: u8| b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80;
    let rest = |b: u8| start(b) || b.is_ascii_digit() || b == b'-' || b == b'.';
    matches!(name.split_first(), Some((&f, tail)) if start(f) && tail.iter().all(|&b| rest(b)))
}

/// Text as it reads once references are resolved: no character XML cannot
/// hold may come from a reference either.
fn decoded_ok(what: &str, text: &str) -> Result<(), String> {
    match text.chars().find(|&c| is_xml_invalid(c)) {
        Some(c) => Err(format!("{what} decodes to U+{:04X}", c as u32)),
        None => Ok(()),
    }
}

fn check_start(e: &BytesStart<'_>, at: u64) -> Result<(), String> {
    if !is_xml_name(e.name().as_ref()) {
        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
        return Err(format!("bad element name {name:?} at byte {at}"));
    }
    // `attributes()` checks as it goes: quoting, duplicates.
    for a in e.attributes() {
        let a = a.map_err(|e| format!("bad attribute at byte {at}: {e}"))?;
        if !is_xml_name(a.key.as_ref()) {
            return Err(format!("bad attribute name at byte {at}"));
        }
        let v = a
            .unescape_value()
            .map_err(|e| format!("bad attribute value at byte {at}: {e}"))?;
        decoded_ok("an attribute value", &v)?;
    }
    Ok(())
}

/// Well-formed XML as a strict reader sees it: end tags matching, comments
/// without `--`, every attribute and text decodable, one root element with
/// nothing but whitespace, comments and processing instructions around it, a
/// declaration only at the very start, and no DOCTYPE (it could declare
/// entities; feedgen never writes one).
pub fn well_formed(bytes: &[u8]) -> Result<(), String> {
    let mut r = quick_xml::Reader::from_reader(bytes);
    r.config_mut().check_end_names = true;
    r.config_mut().check_comments = true;
    let (mut depth, mut roots, mut first) = (0usize, 0usize, true);
    loop {
        let at = r.buffer_position();
        let ev = r
            .read_event()
            .map_err(|e| format!("not well-formed at byte {at}: {e}"))?;
        match &ev {
            Event::Decl(_) if !first => return Err(format!("XML declaration at byte {at}")),
            Event::DocType(_) => return Err(format!("DOCTYPE at byte {at}")),
            Event::Start(e) | Event::Empty(e) => {
                check_start(e, at)?;
                if depth == 0 {
                    roots += 1;
                    if roots > 1 {
                        return Err(format!("a second root element at byte {at}"));
                    }
                }
                depth += usize::from(matches!(ev, Event::Start(_)));
            }
            Event::End(_) => depth -= 1,
            Event::Text(t) => {
                let v = t
                    .unescape()
                    .map_err(|e| format!("bad text at byte {at}: {e}"))?;
                if depth == 0 && !v.trim().is_empty() {
                    return Err(format!("text outside the root element at byte {at}"));
                }
                decoded_ok("text", &v)?;
            }
            Event::CData(_) if depth == 0 => {
                return Err(format!("CDATA outside the root element at byte {at}"))
            }
            Event::Eof => break,
            _ => {}
        }
        first = false;
    }
    if depth != 0 || roots != 1 {
        return Err("not one closed root element".into());
    }
    Ok(())
}

/// The elements notes HTML may hold.
const ELEMENTS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "a",
    "code",
    "pre",
    "em",
    "strong",
    "del",
    "blockquote",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Whether `element` may carry `name="value"` (the value decoded).
fn attribute_allowed(element: &str, name: &str, value: &str) -> bool {
    match (element, name) {
        ("a", "href") => ["http://", "https://", "mailto:"]
            .iter()
            .any(|s| starts_with_ignore_case(value, s)),
        ("a", "title") => true,
        ("ol", "start") => !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()),
        ("code", "class") => value.starts_with("language-"),
        ("th" | "td", "style") => value.starts_with("text-align:"),
        _ => false,
    }
}

/// A notes payload (the HTML itself, the feed's own escaping undone) read as
/// markup: only [`ELEMENTS`], each with only the attributes it may carry
/// (`href` http, https or mailto; `title`; `start`; `class="language-…"`;
/// `style="text-align:…"`), no comment, CDATA, processing instruction or
/// declaration, and balanced (void elements self-closed, as feedgen writes
/// them). Read as the content of a wrapper element, so a stray end tag shows.
pub fn allowed_html(html: &str) -> Result<(), String> {
    let wrapped = format!("<notes-root>{html}</notes-root>");
    let mut r = quick_xml::Reader::from_str(&wrapped);
    r.config_mut().check_end_names = true;
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        let at = r.buffer_position();
        let ev = r
            .read_event()
            .map_err(|e| format!("not balanced markup at byte {at}: {e}"))?;
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if depth == 0 {
                    roots += 1;
                    if roots > 1 || name != "notes-root" {
                        return Err(format!("<{name}> outside the notes"));
                    }
                } else if !ELEMENTS.contains(&name.as_str()) {
                    return Err(format!("element <{name}>"));
                }
                for a in e.attributes() {
                    let a = a.map_err(|e| format!("bad attribute in <{name}>: {e}"))?;
                    let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
                    let value: Cow<str> = a
                        .unescape_value()
                        .map_err(|e| format!("bad value of {key} in <{name}>: {e}"))?;
                    if depth == 0 || !attribute_allowed(&name, &key, &value) {
                        return Err(format!("attribute {key}={value:?} on <{name}>"));
                    }
                }
                depth += usize::from(matches!(ev, Event::Start(_)));
            }
            Event::End(_) => depth -= 1,
            Event::Text(t) => {
                let v = t.unescape().map_err(|e| format!("bad text: {e}"))?;
                if depth == 0 {
                    return Err(format!("text outside the notes: {v:?}"));
                }
            }
            Event::Eof => break,
            other => return Err(format!("{other:?} in notes HTML")),
        }
    }
    if depth != 0 || roots != 1 {
        return Err("notes HTML is not balanced".into());
    }
    Ok(())
}

#[test]
fn the_oracles_refuse_what_they_must() {
    for c in [
        '\u{0}', '\u{8}', '\u{B}', '\u{1F}', '\u{7F}', '\u{85}', '\u{9F}', '\u{FFFE}', '\u{FFFF}',
    ] {
        assert!(is_xml_invalid(c), "U+{:04X}", c as u32);
    }
    for c in ['\t', '\n', '\r', ' ', '\u{A0}', '\u{FFFD}', 'あ'] {
        assert!(!is_xml_invalid(c), "U+{:04X}", c as u32);
    }
    for c in [
        '\u{200B}', '\u{2060}', '\u{FEFF}', '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}',
    ] {
        assert!(is_invisible(c), "U+{:04X}", c as u32);
    }
    assert!(!is_invisible('\u{200D}'));

    assert!(
        well_formed(b"<?xml version=\"1.0\"?>\n<rss a=\"&amp;\"><c>&#x41;</c><e/></rss>\n").is_ok()
    );
    for bad in [
        "<rss><channel></rss>",
        "<rss/><rss/>",
        "<rss a=\"1\" a=\"2\"/>",
        "<rss><!-- a -- b --></rss>",
        "<rss>&bogus;</rss>",
        "<rss>&#1;</rss>",
        "<rss a=\"&#x1F;\"/>",
        "text<rss/>",
        "<rss/>text",
        " <?xml version=\"1.0\"?><rss/>",
        "<!DOCTYPE rss [<!ENTITY x \"y\">]><rss>&x;</rss>",
        "<1rss/>",
        "<rss>",
        "",
    ] {
        assert!(well_formed(bad.as_bytes()).is_err(), "{bad}");
    }

    assert!(allowed_html(
        "<p><a href=\"https://e.x/?a=1&amp;b=2\" title=\"t\">x</a> <em>e</em><br />\n</p>\
         <ol start=\"3\"><li>a</li></ol><pre><code class=\"language-sh\">x &lt; y</code></pre>\
         <table><thead><tr><th style=\"text-align: left\">h</th></tr></thead></table><hr />"
    )
    .is_ok());
    assert!(allowed_html("").is_ok());
    for bad in [
        "<script>x</script>",
        "<img src=\"https://e.x/\"/>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\" javascript:x\">x</a>",
        "<a href=\"&#106;avascript:x\">x</a>",
        "<a href=\"/relative\">x</a>",
        "<a onclick=\"x\">x</a>",
        "<p class=\"language-x\">x</p>",
        "<code class=\"evil\">x</code>",
        "<td style=\"color: red\">x</td>",
        "<ol start=\"1x\"><li>a</li></ol>",
        "<P>x</P>",
        "<p>x",
        "x</p>",
        "</notes-root><script/>",
        "<!-- hidden -->",
        "<![CDATA[<script>]]>",
        "<br>",
        "a &nbsp; b",
    ] {
        assert!(allowed_html(bad).is_err(), "{bad}");
    }
}
