//! RSS and Atom read back with quick-xml: well-formed, one root, every
//! character one XML 1.0 can hold (quick-xml does not check that), and the
//! items the feed model holds, in order, each with its guid (or id) and
//! enclosure, and only safe notes HTML.

use std::borrow::Cow;
use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};

use super::{check_text, Expected, Notes};
use crate::render::fingerprint;

/// An element, text or payload as the walk hands it over, with the names of
/// the open elements (the root first; for a start or an end, the element
/// itself last).
enum Part<'a> {
    Start(&'a BytesStart<'a>),
    Text(Cow<'a, str>),
    End,
}

/// Reads the whole document, checking what quick-xml leaves to its caller,
/// and calls `f` with each element start, each text (unescaped, CDATA
/// included), and each element end (an empty element has both).
fn walk(
    input: impl BufRead,
    mut f: impl FnMut(Part<'_>, &[Vec<u8>]) -> Result<(), String>,
) -> Result<(), String> {
    let mut r = quick_xml::Reader::from_reader(input);
    r.config_mut().check_end_names = true;
    r.config_mut().check_comments = true;
    let mut buf = Vec::new();
    let mut path: Vec<Vec<u8>> = Vec::new();
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
                roots += usize::from(path.is_empty());
                path.push(e.name().as_ref().to_vec());
                f(Part::Start(e), &path)?;
                if matches!(ev, Event::Empty(_)) {
                    f(Part::End, &path)?;
                    path.pop();
                }
            }
            Event::End(_) => {
                f(Part::End, &path)?;
                path.pop();
            }
            Event::Text(t) => {
                check_text(t)?;
                let text = t.unescape().map_err(|e| format!("at byte {at}: {e}"))?;
                if let Cow::Owned(decoded) = &text {
                    // What character references stand for.
                    check_text(decoded.as_bytes())?;
                }
                f(Part::Text(text), &path)?;
            }
            Event::CData(c) => {
                let text = check_text(c)?;
                f(Part::Text(Cow::Borrowed(text)), &path)?;
            }
            Event::Comment(c) => _ = check_text(c)?,
            Event::PI(p) => _ = check_text(p)?,
            Event::Decl(d) => _ = check_text(d)?,
            Event::DocType(d) => _ = check_text(d)?,
            Event::Eof => break,
        }
    }
    if !path.is_empty() || roots != 1 {
        return Err("not a single closed root element".into());
    }
    Ok(())
}

/// What one item (or entry) is read as: the texts of the children the checks
/// compare, and its enclosure.
#[derive(Default)]
struct Read {
    id: Option<String>,
    enclosure: Option<(String, String)>,
    /// The child being read, and its text so far (`None`: not a checked one).
    child: Option<(Vec<u8>, String)>,
}

impl Read {
    /// A child of the item starts.
    fn start(&mut self, e: &BytesStart<'_>, checked: &[&[u8]]) {
        let name = e.name().as_ref().to_vec();
        if name == b"enclosure" {
            self.enclosure = Some((attr(e, "url"), attr(e, "length")));
        }
        self.child = checked
            .contains(&name.as_slice())
            .then(|| (name, String::new()));
    }

    /// Something inside a child: its text, or an element, which none of the
    /// checked children may hold.
    fn inside(&mut self, part: &Part<'_>) -> Result<(), String> {
        let Some((name, text)) = &mut self.child else {
            return Ok(());
        };
        match part {
            Part::Text(t) => text.push_str(t),
            Part::Start(e) => {
                return Err(format!(
                    "<{}> inside <{}>",
                    String::from_utf8_lossy(e.name().as_ref()),
                    String::from_utf8_lossy(name)
                ))
            }
            Part::End => {}
        }
        Ok(())
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> String {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.unescape_value().ok())
        .map(Cow::into_owned)
        .unwrap_or_default()
}

/// The RSS document must be one `<rss>` holding one `<channel>` holding
/// exactly the expected items, in order, with their guids, enclosures and
/// notes.
pub(super) fn rss(input: impl BufRead, expected: &Expected<'_>) -> Result<(), String> {
    const CHECKED: &[&[u8]] = &[b"guid", b"description", b"content:encoded"];
    let items = expected.items;
    let mut channels = 0;
    let mut n = 0;
    let mut item = Read::default();
    walk(input, |part, path| {
        let names: Vec<&[u8]> = path.iter().map(Vec::as_slice).collect();
        match (&part, names.as_slice()) {
            (Part::Start(_), [root]) if *root != b"rss" => {
                return Err("RSS does not parse back: the root is not <rss>".into())
            }
            (Part::Start(_), [_, channel]) => {
                if *channel != b"channel" {
                    return Err("RSS holds something else than its <channel>".into());
                }
                channels += 1;
            }
            (Part::Start(_), [_, _, b"item"]) => item = Read::default(),
            (Part::Start(e), [_, _, b"item", _]) => item.start(e, CHECKED),
            (_, [_, _, b"item", _, ..]) if !matches!(part, Part::End) || names.len() > 4 => {
                item.inside(&part)?
            }
            (Part::End, [_, _, b"item", _]) => {
                if let Some((name, text)) = item.child.take() {
                    match name.as_slice() {
                        b"guid" => item.id = Some(text),
                        b"description" => expected.notes(n, Notes::Apple, fingerprint(&text))?,
                        _ => expected.notes(n, Notes::Full, fingerprint(&text))?,
                    }
                }
            }
            (Part::End, [_, _, b"item"]) => {
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
    if channels != 1 {
        return Err("RSS does not parse back: not one <rss><channel>".into());
    }
    if n != items.len() {
        return Err(format!("RSS has {n} items, expected {}", items.len()));
    }
    Ok(())
}

/// The Atom document must be one `<feed>` holding exactly the expected items
/// as entries, in order, with their ids and notes.
pub(super) fn atom(input: impl BufRead, expected: &Expected<'_>) -> Result<(), String> {
    const CHECKED: &[&[u8]] = &[b"id", b"content"];
    let items = expected.items;
    let mut n = 0;
    let mut entry = Read::default();
    walk(input, |part, path| {
        let names: Vec<&[u8]> = path.iter().map(Vec::as_slice).collect();
        match (&part, names.as_slice()) {
            (Part::Start(_), [root]) if *root != b"feed" => {
                return Err("Atom does not parse back: the root is not <feed>".into())
            }
            (Part::Start(_), [_, b"entry"]) => entry = Read::default(),
            (Part::Start(e), [_, b"entry", _]) => entry.start(e, CHECKED),
            (_, [_, b"entry", _, ..]) if !matches!(part, Part::End) || names.len() > 3 => {
                entry.inside(&part)?
            }
            (Part::End, [_, b"entry", _]) => {
                if let Some((name, text)) = entry.child.take() {
                    match name.as_slice() {
                        b"id" => entry.id = Some(text),
                        _ => expected.notes(n, Notes::Full, fingerprint(&text))?,
                    }
                }
            }
            (Part::End, [_, b"entry"]) => {
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
    if n != items.len() {
        return Err(format!("Atom has {n} entries, expected {}", items.len()));
    }
    Ok(())
}
