//! Atom 1.0 (RFC 4287), written by `atom_syndication`: the feed of a page
//! ([`Atom::frame`]) and its entries, a chunk at a time ([`Atom::items`]).
//! Entry ids carry the same identity as the RSS guids (see
//! [`crate::model::Item::id_iri`]).

use std::collections::BTreeMap;

use atom_syndication::extension::Extension;
use atom_syndication::{Content, Entry, Feed as AtomFeed, Generator, Link, Person, Text};
use chrono::{DateTime, FixedOffset};

use super::frame::{Frame, Wrapper};
use super::notes::Rendered;
use super::paging::Page;
use super::rss::NS_FH;
use super::RenderError;
use crate::model::{Feed, Item, PersonCredit};

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

/// The Atom document of one page, ready to be written a chunk at a time.
pub(crate) struct Atom<'f> {
    feed: &'f Feed,
    frame: Frame,
    wrapper: Wrapper,
}

/// Where `atom_syndication` ends a feed. Its entries come just before, after
/// the feed's extension elements (where RFC 4287's schema wants them), which
/// the crate itself would write after the entries.
const TAIL: &[u8] = b"</feed>";

fn xml(f: &AtomFeed) -> Result<Vec<u8>, RenderError> {
    Ok(f.write_to(Vec::new())?)
}

impl<'f> Atom<'f> {
    pub(crate) fn new(feed: &'f Feed, page: &Page<'_>) -> Result<Self, RenderError> {
        Ok(Atom {
            feed,
            frame: Frame::cut_before(&xml(&document(feed, page))?, TAIL, b"")?,
            wrapper: Wrapper::of_empty(&xml(&AtomFeed::default())?, TAIL)?,
        })
    }

    /// The feed without entries, cut where they go.
    pub(crate) fn frame(&self) -> &Frame {
        &self.frame
    }

    /// The `<entry>` elements of `items`, as the crate writes them in a feed,
    /// each with its notes as CDATA.
    pub(crate) fn items(&self, items: &[Item], notes: &[Rendered]) -> Result<Vec<u8>, RenderError> {
        let chunk = AtomFeed {
            entries: items
                .iter()
                .zip(notes)
                .map(|(i, n)| entry(self.feed, i, n))
                .collect(),
            ..AtomFeed::default()
        };
        let entries = self.wrapper.items(&xml(&chunk)?)?;
        fill_contents(&entries, notes)
    }
}

/// How `atom_syndication` writes a `<content type="html">` without a value.
const EMPTY_CONTENT: &[u8] = b"<content type=\"html\"></content>";

/// Fills the entries' empty content elements, in order, with the notes as
/// CDATA (quick-xml's sections, split wherever the text holds `]]>`), the way
/// RSS's `content:encoded` holds them: a quarter smaller than escaped HTML.
/// `atom_syndication` can only escape a content's text; this is the one part
/// of the Atom that feedgen writes itself.
fn fill_contents(entries: &[u8], notes: &[Rendered]) -> Result<Vec<u8>, RenderError> {
    use quick_xml::events::{BytesCData, BytesEnd, BytesStart, Event};
    let mut out =
        Vec::with_capacity(entries.len() + notes.iter().map(|n| n.full.len() + 32).sum::<usize>());
    let mut rest = entries;
    for html in notes.iter().map(|n| &n.full) {
        let at = memchr::memmem::find(rest, EMPTY_CONTENT)
            .ok_or_else(|| RenderError::splice("an entry without its content element"))?;
        out.extend_from_slice(&rest[..at]);
        let mut w = quick_xml::Writer::new(&mut out);
        let start = BytesStart::new("content").with_attributes([("type", "html")]);
        w.write_event(Event::Start(start))?;
        for section in BytesCData::escaped(html) {
            w.write_event(Event::CData(section))?;
        }
        w.write_event(Event::End(BytesEnd::new("content")))?;
        rest = &rest[at + EMPTY_CONTENT.len()..];
    }
    out.extend_from_slice(rest);
    Ok(out)
}

/// The feed of one page, without its entries.
fn document(feed: &Feed, page: &Page<'_>) -> AtomFeed {
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
        f.namespaces.insert("fh".into(), NS_FH.into());
    }
    f
}

fn entry(feed: &Feed, i: &Item, notes: &Rendered) -> Entry {
    let to_person = |p: &PersonCredit| Person {
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
        // Filled in by `fill_contents`.
        content: Some(Content {
            value: None,
            content_type: Some("html".into()),
            ..Content::default()
        }),
        summary: Some(Text::plain(notes.summary.clone())).filter(|s| !s.value.is_empty()),
        ..Entry::default()
    }
}
