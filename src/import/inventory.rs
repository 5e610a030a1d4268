//! The shape of a feed, read with quick-xml beside the feed crates: where
//! each item starts, the elements the channel and every item hold, and
//! every enclosure (the crates keep only one). Import uses it to say what
//! it could not carry over and where.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

use super::source::SourceEnclosure;

/// The elements of one container (the channel or an item).
#[derive(Debug, Default)]
pub(crate) struct Shape {
    /// Offset of the container's start tag in the text read.
    pub offset: usize,
    /// Names of its child elements, in order (repeats kept), with the
    /// prefixes feedgen knows (`itunes:`, `podcast:` …) whatever prefix the
    /// feed bound their namespace to.
    pub children: Vec<String>,
    pub enclosures: Vec<SourceEnclosure>,
    /// The text of `itunes:title`, which the rss crate does not keep.
    pub itunes_title: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct Inventory {
    /// The root element's name: `rss` or Atom's `feed` for a feed.
    pub root: String,
    pub channel: Shape,
    pub items: Vec<Shape>,
}

impl Inventory {
    pub(crate) fn is_atom(&self) -> bool {
        self.root == "feed"
    }
}

/// Deeper than this, the feed crates' recursion could overflow the stack;
/// no podcast feed comes near it.
const MAX_DEPTH: usize = 256;

/// Namespaces by the prefix feedgen knows them by. (Atom's stays as
/// written: an Atom feed's own elements are in it.)
const PREFIXES: &[(&str, &str)] = &[
    ("itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"),
    ("podcast", "https://podcastindex.org/namespace/1.0"),
    (
        "podcast",
        "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
    ),
    ("content", "http://purl.org/rss/1.0/modules/content/"),
    ("dc", "http://purl.org/dc/elements/1.1/"),
];

/// Reads the shape of an RSS (`rss/channel/item`) or Atom (`feed/entry`)
/// document; an error names the byte offset where reading stopped.
pub(crate) fn inventory(xml: &str) -> Result<Inventory, (usize, String)> {
    let mut reader = NsReader::from_str(xml);
    let mut inv = Inventory::default();
    let mut path: Vec<String> = Vec::new();
    let mut atom = false;
    let mut channels = 0;
    loop {
        let at = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| (reader.error_position() as usize, e.to_string()))?;
        let (start, empty) = match event {
            Event::Start(s) => (s, false),
            Event::Empty(s) => (s, true),
            Event::End(_) => {
                path.pop();
                continue;
            }
            Event::Eof if path.is_empty() => break,
            Event::Eof => {
                let open = path.last().expect("not empty");
                return Err((
                    xml.len(),
                    format!("the feed ends before <{open}> is closed"),
                ));
            }
            _ => continue,
        };
        let name = known_name(&reader, &start);
        let depth = path.len();
        if depth >= MAX_DEPTH {
            return Err((
                at,
                format!("elements are nested more than {MAX_DEPTH} deep"),
            ));
        }
        if depth == 0 {
            atom = name == "feed";
            inv.root = name.clone();
        }
        let channel_depth = if atom { 0 } else { 1 };
        let in_channel = depth == channel_depth + 1 && (atom || path[1] == "channel");
        let in_item = depth == channel_depth + 2
            && (atom || path[1] == "channel")
            && is_item(path.last(), atom);
        if depth == channel_depth && (atom || name == "channel") {
            channels += 1;
            if channels > 1 {
                return Err((at, "the feed has a second <channel>".into()));
            }
            inv.channel.offset = at;
        } else if in_channel {
            if is_item(Some(&name), atom) {
                inv.items.push(Shape {
                    offset: at,
                    ..Shape::default()
                });
            } else {
                inv.channel.children.push(name.clone());
            }
        } else if in_item {
            let item = inv.items.last_mut().expect("an item is open");
            item.children.push(name.clone());
            if let Some(enc) = enclosure(&start, &name, atom) {
                item.enclosures.push(enc);
            }
            if name == "itunes:title" && !empty {
                let text = reader
                    .read_text(start.name())
                    .map_err(|e| (reader.error_position() as usize, e.to_string()))?;
                let text = quick_xml::escape::unescape(&text)
                    .map(|t| t.trim().to_string())
                    .unwrap_or_else(|_| text.trim().to_string());
                item.itunes_title = Some(text);
                continue;
            }
        }
        if !empty {
            path.push(name);
        }
    }
    Ok(inv)
}

/// `prefix:local` with the prefix feedgen knows the namespace by, else the
/// name as written.
fn known_name(reader: &NsReader<&[u8]>, start: &BytesStart) -> String {
    let written = String::from_utf8_lossy(start.name().as_ref()).into_owned();
    let (ns, local) = reader.resolve_element(start.name());
    let ResolveResult::Bound(ns) = ns else {
        return written;
    };
    let uri = String::from_utf8_lossy(ns.as_ref());
    match PREFIXES
        .iter()
        .find(|(_, u)| uri.trim_end_matches('/') == u.trim_end_matches('/'))
    {
        Some((prefix, _)) => format!("{prefix}:{}", String::from_utf8_lossy(local.as_ref())),
        None => written,
    }
}

fn is_item(name: Option<&String>, atom: bool) -> bool {
    name.is_some_and(|n| n == if atom { "entry" } else { "item" })
}

fn enclosure(start: &BytesStart, name: &str, atom: bool) -> Option<SourceEnclosure> {
    let attr = |key: &str| {
        start
            .try_get_attribute(key)
            .ok()
            .flatten()
            .and_then(|a| a.unescape_value().ok().map(|v| v.trim().to_string()))
    };
    if !atom && name == "enclosure" {
        return Some(SourceEnclosure {
            url: attr("url").unwrap_or_default(),
            length: attr("length").unwrap_or_default(),
            mime: attr("type").unwrap_or_default(),
        });
    }
    if atom && name == "link" && attr("rel").as_deref() == Some("enclosure") {
        return Some(SourceEnclosure {
            url: attr("href").unwrap_or_default(),
            length: attr("length").unwrap_or_default(),
            mime: attr("type").unwrap_or_default(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_their_children_and_every_enclosure() {
        let xml = r#"<rss><channel><title>t</title><x:y/><item><title>a</title><enclosure url="u1" length="1" type="audio/mpeg"/><enclosure url="u2"/></item><item><guid>g</guid></item></channel></rss>"#;
        let inv = inventory(xml).unwrap();
        assert_eq!(inv.channel.children, ["title", "x:y"]);
        assert_eq!(inv.items.len(), 2);
        assert_eq!(inv.items[0].children, ["title", "enclosure", "enclosure"]);
        assert_eq!(inv.items[0].enclosures[1].url, "u2");
        assert_eq!(&xml[inv.items[1].offset..][..6], "<item>");
    }

    #[test]
    fn atom_entries_and_their_enclosure_links() {
        let xml = r#"<feed><title>t</title><entry><id>1</id><link rel="enclosure" href="u" length="3" type="audio/mpeg"/><link href="p"/></entry></feed>"#;
        let inv = inventory(xml).unwrap();
        assert_eq!(inv.items.len(), 1);
        assert_eq!(inv.items[0].enclosures.len(), 1);
        assert_eq!(inv.items[0].enclosures[0].length, "3");
    }

    #[test]
    fn a_broken_document_says_where() {
        let err = inventory("<rss><channel><item><title>a</item>").unwrap_err();
        assert!(err.0 > 0);
    }
}
