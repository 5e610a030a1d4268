//! Atom 1.0 (RFC 4287), written with `atom_syndication`. Entry ids carry the same
//! identity as the RSS guids (see [`crate::model::Item::id_iri`]).

use std::collections::BTreeMap;
use std::io::Write;

use atom_syndication::extension::Extension;
use atom_syndication::{Content, Entry, Feed as AtomFeed, Generator, Link, Person, Text};
use chrono::{DateTime, FixedOffset};

use crate::model::{Feed, Item};
use crate::paging::Page;
use crate::rss_feed::Frame;

/// A fixed date for an empty feed, so even that is reproducible.
fn epoch() -> DateTime<FixedOffset> {
    DateTime::from_timestamp(0, 0)
        .expect("epoch")
        .fixed_offset()
}

fn link(rel: &str, href: &str, mime: Option<&str>) -> Link {
    Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: mime.map(str::to_string),
        ..Link::default()
    }
}

/// Writes the Atom document for one page of the feed.
///
/// `atom_syndication` writes extension elements after the entries, where the RFC
/// 4287 schema (Appendix B: `extensionElement*` before `atomEntry*`) rejects them;
/// `fh:complete` is therefore spliced in before the first entry.
pub fn write<W: Write>(feed: &Feed, page: &Page<'_>, mut w: W) -> std::io::Result<W> {
    const COMPLETE: &[u8] = b"<fh:complete></fh:complete>";
    let mut doc = document(feed, page);
    let complete = doc.extensions.remove("fh").is_some();
    let bytes = doc
        .write_to(Vec::new())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let mut bytes = content_as_cdata(bytes, page.items)?;
    if complete {
        let find = |needle: &[u8]| bytes.windows(needle.len()).position(|w| w == needle);
        let at = find(b"<entry>")
            .or_else(|| find(b"</feed>"))
            .expect("an Atom document ends with </feed>");
        bytes.splice(at..at, COMPLETE.iter().copied());
    }
    w.write_all(&bytes)?;
    Ok(w)
}

/// Where `atom_syndication` ends a feed; entries are written just before it.
const TAIL: &[u8] = b"</feed>";

fn splice_error() -> std::io::Error {
    std::io::Error::other("Atom entries do not splice into the feed")
}

/// The page without entries (`fh:complete` included), cut where its entries go.
pub fn page_frame(feed: &Feed, page: &Page<'_>) -> std::io::Result<Frame> {
    let empty_page = Page {
        items: &[],
        ..page.clone()
    };
    let head = write(feed, &empty_page, Vec::new())?;
    let head = head.strip_suffix(TAIL).ok_or_else(splice_error)?;
    Ok(Frame {
        head: head.to_vec(),
        sep: b"",
        tail: TAIL.to_vec(),
    })
}

/// Appends the `<entry>` elements of `items`, byte for byte as the crate writes
/// them inside a feed (see `write_entry`; debug builds compare every chunk with
/// [`render_entries_with_crate`]).
pub fn render_entries(out: &mut Vec<u8>, feed: &Feed, items: &[Item]) {
    for i in items {
        write_entry(out, feed, i);
    }
}

/// One `<entry>` as `atom_syndication` writes [`entry`] inside a feed (no
/// namespace declaration; title, id, updated, authors, contributors, links,
/// published, summary, content), without building the crate's entry; the
/// content as CDATA (see [`content_as_cdata`]).
fn write_entry(out: &mut Vec<u8>, feed: &Feed, i: &Item) {
    use crate::xml::{close, empty, open, text_element};
    let person = |out: &mut Vec<u8>, tag: &str, name: &str, uri: Option<&str>| {
        open(out, tag, &[]);
        text_element(out, "name", name);
        if let Some(u) = uri {
            text_element(out, "uri", u);
        }
        close(out, tag);
    };
    open(out, "entry", &[]);
    text_element(out, "title", &i.title);
    text_element(out, "id", &i.id_iri);
    let published = i.published.to_rfc3339();
    text_element(out, "updated", &published);
    let mut hosts = i.persons.iter().filter(|p| p.role == "host").peekable();
    if hosts.peek().is_none() {
        let name = if feed.show.author.is_empty() {
            &feed.show.title
        } else {
            &feed.show.author
        };
        person(out, "author", name, None);
    }
    for p in hosts {
        person(out, "author", &p.name, p.href.as_deref());
    }
    for p in &i.persons {
        person(out, "contributor", &p.name, p.href.as_deref());
    }
    if !i.link.is_empty() {
        empty(
            out,
            "link",
            &[
                ("href", &i.link),
                ("rel", "alternate"),
                ("type", "text/html"),
            ],
        );
    }
    if let Some(e) = &i.enclosure {
        let length = e.length.to_string();
        empty(
            out,
            "link",
            &[
                ("href", &e.url),
                ("rel", "enclosure"),
                ("type", &e.mime),
                ("length", &length),
            ],
        );
    }
    if let Some(v) = &i.video {
        empty(
            out,
            "link",
            &[("href", v), ("rel", "related"), ("type", "text/html")],
        );
    }
    text_element(out, "published", &published);
    if !i.summary_text.is_empty() {
        text_element(out, "summary", &i.summary_text);
    }
    crate::xml::cdata_element_with(out, "content", &[("type", "html")], &i.content_html);
    close(out, "entry");
}

/// [`render_entries`] through the crate: the reference the fast writer must equal.
pub fn render_entries_with_crate(feed: &Feed, items: &[Item]) -> std::io::Result<Vec<u8>> {
    let xml = |f: &AtomFeed| {
        f.write_to(Vec::with_capacity(f.entries.len() * 8_000))
            .map_err(|e| std::io::Error::other(e.to_string()))
    };
    let empty = xml(&AtomFeed::default())?;
    let empty_prefix = empty.strip_suffix(TAIL).ok_or_else(splice_error)?;
    let f = AtomFeed {
        entries: items.iter().map(|i| entry(feed, i)).collect(),
        ..AtomFeed::default()
    };
    let out = content_as_cdata(xml(&f)?, items)?;
    let entries = out
        .strip_prefix(empty_prefix)
        .and_then(|r| r.strip_suffix(TAIL))
        .ok_or_else(splice_error)?;
    Ok(entries.to_vec())
}

/// The crate escapes `<content type="html">`; feedgen writes it as CDATA, as
/// RSS's `content:encoded` is: a quarter smaller than escaped HTML, and read
/// back with a plain comparison. Rewrites each item's content element of the
/// crate's output (in item order) to the CDATA form, so the crate's documents
/// stay the byte-for-byte reference for everything else.
fn content_as_cdata(mut bytes: Vec<u8>, items: &[Item]) -> std::io::Result<Vec<u8>> {
    let mut at = 0;
    for i in items {
        let mut escaped = Vec::new();
        crate::xml::open(&mut escaped, "content", &[("type", "html")]);
        crate::xml::escape(&mut escaped, &i.content_html);
        crate::xml::close(&mut escaped, "content");
        let mut cdata = Vec::new();
        crate::xml::cdata_element_with(&mut cdata, "content", &[("type", "html")], &i.content_html);
        let found = memchr::memmem::find(&bytes[at..], &escaped).ok_or_else(|| {
            std::io::Error::other(format!("{}: content not where the crate writes it", i.guid))
        })?;
        let start = at + found;
        bytes.splice(start..start + escaped.len(), cdata.iter().copied());
        at = start + cdata.len();
    }
    Ok(bytes)
}

pub fn document(feed: &Feed, page: &Page<'_>) -> AtomFeed {
    let show = &feed.show;
    let mut links = vec![link("self", &page.self_url, Some("application/atom+xml"))];
    if !show.link.is_empty() {
        links.push(link("alternate", &show.link, Some("text/html")));
    }
    for (rel, href) in &page.links {
        links.push(link(rel, href, Some("application/atom+xml")));
    }
    if let Some(hub) = &show.output.hub {
        links.push(link("hub", hub, None));
    }
    let mut f = AtomFeed {
        title: Text::plain(show.title.clone()),
        id: format!("urn:uuid:{}", show.podcast_guid),
        updated: feed.updated.unwrap_or_else(epoch),
        authors: vec![Person {
            name: if show.author.is_empty() {
                show.title.clone()
            } else {
                show.author.clone()
            },
            uri: Some(show.link.clone()).filter(|l| !l.is_empty()),
            ..Person::default()
        }],
        generator: Some(Generator {
            value: "feedgen".into(),
            uri: None,
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        logo: show.image.clone(),
        rights: show.copyright.clone().map(Text::plain),
        subtitle: Some(Text::plain(show.description.clone())),
        links,
        lang: Some(show.language.clone()).filter(|l| !l.is_empty()),
        entries: page.items.iter().map(|i| entry(feed, i)).collect(),
        ..AtomFeed::default()
    };
    if page.complete {
        let mut ext = BTreeMap::new();
        ext.insert(
            "complete".to_string(),
            vec![Extension {
                name: "fh:complete".into(),
                ..Extension::default()
            }],
        );
        f.extensions.insert("fh".into(), ext);
        f.namespaces
            .insert("fh".into(), crate::rss_feed::NS_FH.into());
    }
    f
}

fn entry(feed: &Feed, i: &Item) -> Entry {
    let to_person = |p: &crate::model::PersonCredit| Person {
        name: p.name.clone(),
        uri: p.href.clone(),
        ..Person::default()
    };
    let mut authors: Vec<Person> = i
        .persons
        .iter()
        .filter(|p| p.role == "host")
        .map(to_person)
        .collect();
    if authors.is_empty() {
        authors.push(Person {
            name: if feed.show.author.is_empty() {
                feed.show.title.clone()
            } else {
                feed.show.author.clone()
            },
            ..Person::default()
        });
    }
    let contributors = i.persons.iter().map(to_person).collect();
    let mut links = Vec::new();
    if !i.link.is_empty() {
        links.push(link("alternate", &i.link, Some("text/html")));
    }
    if let Some(e) = &i.enclosure {
        links.push(Link {
            length: Some(e.length.to_string()),
            ..link("enclosure", &e.url, Some(&e.mime))
        });
    }
    if let Some(v) = &i.video {
        links.push(link("related", v, Some("text/html")));
    }
    Entry {
        title: Text::plain(i.title.clone()),
        id: i.id_iri.clone(),
        updated: i.published,
        published: Some(i.published),
        authors,
        contributors,
        links,
        content: Some(Content {
            value: Some(i.content_html.clone()),
            content_type: Some("html".into()),
            ..Content::default()
        }),
        summary: Some(Text::plain(i.summary_text.clone())).filter(|s| !s.value.is_empty()),
        ..Entry::default()
    }
}
