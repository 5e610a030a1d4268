//! RSS and Atom read back with quick-xml: well-formed, one root, every
//! character one XML 1.0 can hold (quick-xml does not check that), and the
//! items the feed model holds, in order, each with its guid (or id) and
//! enclosure, and only safe notes HTML.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};

use super::{check_text, Expected, Notes};
use crate::render::fingerprint;

/// An element, text or payload as the walk hands it over.
enum Part<'a> {
    Start(&'a BytesStart<'a>),
    Text(Cow<'a, str>),
    /// The element's name.
    End(&'a [u8]),
}

/// Reads the whole document, checking what quick-xml leaves to its caller,
/// and calls `f` with each element start, each text (unescaped, CDATA
/// included), and each element end (an empty element has both), with the
/// depth of the element they belong to (1: the root).
fn walk(
    input: impl BufRead,
    mut f: impl FnMut(Part<'_>, usize) -> Result<(), String>,
) -> Result<(), String> {
    let mut r = quick_xml::Reader::from_reader(input);
    r.config_mut().check_end_names = true;
    r.config_mut().check_comments = true;
    let mut buf = Vec::new();
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        buf.clear();
        let at = r.buffer_position();
        let ev = r
            .read_event_into(&mut buf)
            .map_err(|e| format!("not well-formed XML at byte {at}: {e}"))?;
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                check_text(e)?;
                for a in e.attributes() {
                    let a = a.map_err(|e| format!("bad attribute at byte {at}: {e}"))?;
                    check_text(&a.value)?;
                    let value = a.unescape_value().map_err(|e| e.to_string())?;
                    check_text(value.as_bytes())?;
                }
                let empty = matches!(ev, Event::Empty(_));
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
                f(Part::Start(e), depth)?;
                if empty {
                    f(Part::End(e.name().as_ref()), depth)?;
                    depth -= 1;
                }
            }
            Event::End(e) => {
                f(Part::End(e.name().as_ref()), depth)?;
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) => {
                check_text(t)?;
                let text = t.unescape().map_err(|e| format!("at byte {at}: {e}"))?;
                if let Cow::Owned(decoded) = &text {
                    // What character references stand for.
                    check_text(decoded.as_bytes())?;
                }
                f(Part::Text(text), depth)?;
            }
            Event::CData(c) => {
                let text = check_text(c)?;
                f(Part::Text(Cow::Borrowed(text)), depth)?;
            }
            Event::Comment(c) => _ = check_text(c)?,
            Event::PI(p) => _ = check_text(p)?,
            Event::Decl(d) => _ = check_text(d)?,
            Event::DocType(d) => _ = check_text(d)?,
            Event::Eof => break,
        }
    }
    if depth != 0 || roots != 1 {
        return Err("not a single closed root element".into());
    }
    Ok(())
}

/// The children of one item (or entry) that the checks compare.
#[derive(Default)]
struct Read {
    id: Option<String>,
    enclosure: Option<(String, String)>,
    /// The child being read and its text so far.
    child: Option<(String, String)>,
}

fn attr(e: &BytesStart<'_>, name: &str) -> String {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.unescape_value().ok())
        .map(Cow::into_owned)
        .unwrap_or_default()
}

/// The RSS document must hold exactly the expected items, in order, with
/// their guids, enclosures and notes.
pub(super) fn rss(input: impl BufRead, expected: &Expected<'_>) -> Result<(), String> {
    let items = expected.items;
    let (mut root, mut channel) = (false, false);
    let mut n = 0;
    let mut item = Read::default();
    walk(input, |part, depth| {
        match (part, depth) {
            (Part::Start(e), 1) => root = e.name().as_ref() == b"rss",
            (Part::Start(e), 2) => channel |= e.name().as_ref() == b"channel",
            (Part::Start(e), 3) if e.name().as_ref() == b"item" => item = Read::default(),
            (Part::Start(e), 4) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if name == "enclosure" {
                    item.enclosure = Some((attr(e, "url"), attr(e, "length")));
                }
                item.child = Some((name, String::new()));
            }
            (Part::Text(t), 4) => {
                if let Some((_, text)) = &mut item.child {
                    text.push_str(&t);
                }
            }
            (Part::End(_), 4) => {
                if let Some((name, text)) = item.child.take() {
                    match name.as_str() {
                        "guid" => item.id = Some(text),
                        "description" => expected.notes(n, Notes::Apple, fingerprint(&text))?,
                        "content:encoded" => expected.notes(n, Notes::Full, fingerprint(&text))?,
                        _ => {}
                    }
                }
            }
            (Part::End(b"item"), 3) => {
                if let Some(want) = items.get(n) {
                    if item.id.as_deref() != Some(want.guid.as_str()) {
                        return Err(format!("guid {:?} read back as {:?}", want.guid, item.id));
                    }
                    let enclosure = want
                        .enclosure
                        .as_ref()
                        .map(|e| (e.url.clone(), e.length.to_string()));
                    if item.enclosure != enclosure {
                        return Err(format!(
                            "enclosure of {} read back as {:?}",
                            want.guid, item.enclosure
                        ));
                    }
                }
                n += 1;
            }
            _ => {}
        }
        Ok(())
    })?;
    if !root || !channel {
        return Err("RSS does not parse back: no <rss><channel>".into());
    }
    if n != items.len() {
        return Err(format!("RSS has {n} items, expected {}", items.len()));
    }
    Ok(())
}

/// The Atom document must hold exactly the expected items, in order, with
/// their ids and notes.
pub(super) fn atom(input: impl BufRead, expected: &Expected<'_>) -> Result<(), String> {
    let items = expected.items;
    let mut root = false;
    let mut n = 0;
    let mut entry = Read::default();
    walk(input, |part, depth| {
        match (part, depth) {
            (Part::Start(e), 1) => root = e.name().as_ref() == b"feed",
            (Part::Start(e), 2) if e.name().as_ref() == b"entry" => entry = Read::default(),
            (Part::Start(e), 3) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                entry.child = Some((name, String::new()));
            }
            (Part::Text(t), 3) => {
                if let Some((_, text)) = &mut entry.child {
                    text.push_str(&t);
                }
            }
            (Part::End(_), 3) => {
                if let Some((name, text)) = entry.child.take() {
                    match name.as_str() {
                        "id" => entry.id = Some(text),
                        "content" => expected.notes(n, Notes::Full, fingerprint(&text))?,
                        _ => {}
                    }
                }
            }
            (Part::End(b"entry"), 2) => {
                if let Some(want) = items.get(n) {
                    if entry.id.as_deref() != Some(want.id_iri.as_str()) {
                        return Err(format!(
                            "entry id {} read back as {:?}",
                            want.id_iri, entry.id
                        ));
                    }
                }
                n += 1;
            }
            _ => {}
        }
        Ok(())
    })?;
    if !root {
        return Err("Atom does not parse back: no <feed>".into());
    }
    if n != items.len() {
        return Err(format!("Atom has {n} entries, expected {}", items.len()));
    }
    Ok(())
}
