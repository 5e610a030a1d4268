//! RSS 2.0 with the `itunes`, `podcast`, `content`, `atom` (and, for paging,
//! `fh`) namespaces. The `rss` crate writes each page's channel ([`page_frame`]);
//! items are written by [`render_items`], byte for byte as the crate writes them
//! (debug builds compare the two on every chunk), without building the crate's
//! items.
//!
//! Namespaces are declared exactly as their specs spell them and only when an
//! element of theirs is written. Element order inside the `itunes:`/`podcast:`
//! groups is the crate's (alphabetical by name), which is stable.

use std::collections::BTreeMap;
use std::io::Write;

use rss::extension::itunes::{
    ITunesCategory, ITunesChannelExtension, ITunesItemExtension, ITunesOwner,
};
use rss::extension::{Extension, ExtensionMap};
use rss::{Channel, Enclosure, Guid, Item as RssItem};

use crate::model::{EpisodeType, Feed, Item, PersonCredit};
use crate::paging::Page;

pub const NS_ITUNES: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
pub const NS_PODCAST: &str = "https://podcastindex.org/namespace/1.0";
pub const NS_CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
pub const NS_ATOM: &str = "http://www.w3.org/2005/Atom";
pub const NS_FH: &str = "http://purl.org/syndication/history/1.0";

pub const GENERATOR: &str = concat!("feedgen ", env!("CARGO_PKG_VERSION"));

fn ext(name: &str, value: Option<&str>, attrs: &[(&str, &str)]) -> Extension {
    Extension {
        name: name.to_string(),
        value: value.map(str::to_string),
        attrs: attrs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        children: BTreeMap::new(),
    }
}

fn put(map: &mut ExtensionMap, e: Extension) {
    let (prefix, local) = e.name.split_once(':').expect("prefixed name");
    map.entry(prefix.to_string())
        .or_default()
        .entry(local.to_string())
        .or_default()
        .push(e);
}

/// Podcasting 2.0 limits attribute values such as person names to 128 characters.
fn limit128(s: &str) -> String {
    crate::html::shorten(s, 128)
}

/// A `podcast:person`'s attributes, in the order the crate writes them (by name).
fn person_attrs(p: &PersonCredit) -> Vec<(&str, &str)> {
    let mut attrs: Vec<(&str, &str)> = Vec::with_capacity(4);
    if let Some(g) = &p.group {
        attrs.push(("group", g));
    }
    if let Some(h) = &p.href {
        attrs.push(("href", h));
    }
    if let Some(i) = &p.img {
        attrs.push(("img", i));
    }
    attrs.push(("role", &p.role));
    attrs
}

fn person(p: &PersonCredit) -> Extension {
    ext("podcast:person", Some(&limit128(&p.name)), &person_attrs(p))
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// Writes the RSS document for one page of the feed.
pub fn write<W: Write>(feed: &Feed, page: &Page<'_>, w: W) -> Result<W, rss::Error> {
    channel(feed, page).write_to(w)
}

/// Where the `rss` crate ends a channel: items are written just before it.
const TAIL: &[u8] = b"</channel></rss>";

/// A document cut where its items go, so that they can be rendered in parallel
/// and written in order: `head` + items (separated by `sep`) + `tail`. `head` +
/// `tail` alone is the document without items.
#[derive(Debug, Clone)]
pub struct Frame {
    pub head: Vec<u8>,
    pub sep: &'static [u8],
    pub tail: Vec<u8>,
}

/// One RSS page, ready for its items: the frame and what every chunk of items
/// is rendered with.
#[derive(Debug, Clone)]
pub struct PageFrame {
    pub frame: Frame,
    namespaces: BTreeMap<String, String>,
    /// What the crate writes for a channel with those namespaces and no items.
    empty_prefix: Vec<u8>,
}

fn splice_error() -> rss::Error {
    rss::Error::from(std::io::Error::other(
        "an RSS chunk does not splice into the channel",
    ))
}

/// The page's channel without items, and the namespaces its items need. The
/// namespaces come from each item's extensions without its notes (the notes
/// add only `content`, which every item has).
pub fn page_frame(feed: &Feed, page: &Page<'_>) -> Result<PageFrame, rss::Error> {
    let empty_page = Page {
        items: &[],
        ..page.clone()
    };
    let mut head = channel(feed, &empty_page);
    if !page.items.is_empty() {
        // Every item has `content:encoded` and `itunes:` elements.
        head.namespaces.insert("content".into(), NS_CONTENT.into());
        head.namespaces.insert("itunes".into(), NS_ITUNES.into());
    }
    if page.items.iter().any(uses_podcast_namespace) {
        head.namespaces.insert("podcast".into(), NS_PODCAST.into());
    }
    if cfg!(debug_assertions) {
        let probe = Channel {
            items: page.items.iter().map(|i| item(feed, i)).collect(),
            ..Channel::default()
        };
        let mut want = channel(feed, &empty_page).namespaces;
        want.extend(namespaces(&probe));
        assert_eq!(head.namespaces, want, "namespaces of the page's items");
    }
    let head_bytes = head.write_to(Vec::new())?;
    let empty = Channel {
        namespaces: head.namespaces.clone(),
        ..Channel::default()
    }
    .write_to(Vec::new())?;
    let head_body = head_bytes.strip_suffix(TAIL).ok_or_else(splice_error)?;
    let empty_prefix = empty.strip_suffix(TAIL).ok_or_else(splice_error)?;
    Ok(PageFrame {
        frame: Frame {
            head: head_body.to_vec(),
            sep: b"",
            tail: TAIL.to_vec(),
        },
        namespaces: head.namespaces,
        empty_prefix: empty_prefix.to_vec(),
    })
}

/// Appends the `<item>` elements of `items`, byte for byte as the crate writes
/// them inside the page's channel (see `write_item`; debug builds compare every
/// chunk with [`render_items_with_crate`]).
pub fn render_items(out: &mut Vec<u8>, feed: &Feed, items: &[Item]) {
    for i in items {
        write_item(out, feed, i);
    }
}

/// Whether [`write_item`] writes any `podcast:` element for `i`.
fn uses_podcast_namespace(i: &Item) -> bool {
    !i.persons.is_empty()
        || !i.transcripts.is_empty()
        || !i.soundbites.is_empty()
        || i.chapters.is_some()
        || i.season.is_some()
        || i.number.is_some()
        || i.video.is_some()
        || i.location.is_some()
        || i.license.is_some()
}

/// One `<item>`, byte for byte as the `rss` crate writes [`item`] (element and
/// attribute order included: extension groups by prefix, then by name, their
/// attributes by name; the iTunes fields last, in the crate's order), without
/// building the crate's item (a copy of both notes renderings, and maps).
fn write_item(out: &mut Vec<u8>, feed: &Feed, i: &Item) {
    use crate::xml::{cdata_element, close, empty, escape, open, text_element};
    let ext = |out: &mut Vec<u8>, name: &str, value: Option<&str>, attrs: &[(&str, &str)]| {
        open(out, name, attrs);
        if let Some(v) = value {
            escape(out, v);
        }
        close(out, name);
    };
    open(out, "item", &[]);
    text_element(out, "title", &i.title);
    if !i.link.is_empty() {
        text_element(out, "link", &i.link);
    }
    cdata_element(out, "description", &i.description_html);
    if let Some(e) = &i.enclosure {
        let length = e.length.to_string();
        empty(
            out,
            "enclosure",
            &[("url", &e.url), ("length", &length), ("type", &e.mime)],
        );
    }
    if i.guid_is_permalink {
        open(out, "guid", &[]);
    } else {
        open(out, "guid", &[("isPermaLink", "false")]);
    }
    escape(out, &i.guid);
    close(out, "guid");
    text_element(out, "pubDate", &i.published.to_rfc2822());
    cdata_element(out, "content:encoded", &i.content_html);
    // Extensions: `itunes` before `podcast`; within `podcast`, by local name.
    text_element(out, "itunes:title", &i.title);
    if let Some(c) = &i.chapters {
        ext(
            out,
            "podcast:chapters",
            None,
            &[("type", "application/json+chapters"), ("url", c)],
        );
    }
    if let Some(v) = &i.video {
        ext(out, "podcast:contentLink", Some("Video"), &[("href", v)]);
    }
    if let Some(n) = i.number {
        ext(out, "podcast:episode", Some(&n.to_string()), &[]);
    }
    if let Some(l) = &i.license {
        match &l.url {
            Some(u) => ext(out, "podcast:license", Some(&l.name), &[("url", u)]),
            None => ext(out, "podcast:license", Some(&l.name), &[]),
        }
    }
    if let Some(l) = &i.location {
        let mut attrs: Vec<(&str, &str)> = Vec::new();
        if let Some(g) = &l.geo {
            attrs.push(("geo", g));
        }
        if let Some(o) = &l.osm {
            attrs.push(("osm", o));
        }
        ext(out, "podcast:location", Some(&limit128(&l.name)), &attrs);
    }
    for p in &i.persons {
        ext(
            out,
            "podcast:person",
            Some(&limit128(&p.name)),
            &person_attrs(p),
        );
    }
    if let Some(s) = i.season {
        ext(out, "podcast:season", Some(&s.to_string()), &[]);
    }
    for sb in &i.soundbites {
        let start = format!("{}", sb.start);
        let dur = format!("{}", sb.duration);
        let title = sb.title.as_deref().map(limit128);
        ext(
            out,
            "podcast:soundbite",
            title.as_deref(),
            &[("duration", &dur), ("startTime", &start)],
        );
    }
    for t in &i.transcripts {
        ext(
            out,
            "podcast:transcript",
            None,
            &[("type", &t.mime), ("url", &t.url)],
        );
    }
    // ITunesItemExtension::to_xml's order.
    if i.block {
        text_element(out, "itunes:block", "Yes");
    }
    if let Some(img) = &i.image {
        open(out, "itunes:image", &[("href", img)]);
        close(out, "itunes:image");
    }
    if let Some(d) = i.duration {
        text_element(out, "itunes:duration", &d.to_string());
    }
    let explicit = match i.explicit {
        Some(e) => Some(e.to_string()),
        None => feed.show.explicit.then(|| "true".to_string()),
    };
    if let Some(e) = &explicit {
        text_element(out, "itunes:explicit", e);
    }
    if let Some(n) = i.number {
        text_element(out, "itunes:episode", &n.to_string());
    }
    if let Some(s) = i.season {
        text_element(out, "itunes:season", &s.to_string());
    }
    text_element(out, "itunes:episodeType", i.episode_type.as_str());
    close(out, "item");
}

/// [`render_items`] through the crate: the reference the fast writer must equal.
pub fn render_items_with_crate(
    feed: &Feed,
    pf: &PageFrame,
    items: &[Item],
) -> Result<Vec<u8>, rss::Error> {
    let ch = Channel {
        namespaces: pf.namespaces.clone(),
        items: items.iter().map(|i| item(feed, i)).collect(),
        ..Channel::default()
    };
    let out = ch.write_to(Vec::with_capacity(items.len() * 10_000))?;
    let body = out
        .strip_prefix(pf.empty_prefix.as_slice())
        .and_then(|r| r.strip_suffix(TAIL))
        .ok_or_else(splice_error)?;
    Ok(body.to_vec())
}

/// Builds the channel for one page.
pub fn channel(feed: &Feed, page: &Page<'_>) -> Channel {
    let show = &feed.show;
    let mut ch = Channel {
        title: show.title.clone(),
        link: show.link.clone(),
        description: show.description.clone(),
        language: Some(show.language.clone()).filter(|l| !l.is_empty()),
        copyright: show.copyright.clone(),
        generator: Some(GENERATOR.to_string()),
        last_build_date: feed.updated.map(|d| d.to_rfc2822()),
        pub_date: feed.updated.map(|d| d.to_rfc2822()),
        ..Channel::default()
    };
    if let Some(img) = &show.image {
        ch.image = Some(rss::Image {
            url: img.clone(),
            title: show.title.clone(),
            link: show.link.clone(),
            ..rss::Image::default()
        });
    }
    let mut it = ITunesChannelExtension {
        author: Some(show.author.clone()).filter(|a| !a.is_empty()),
        image: show.image.clone(),
        explicit: Some(show.explicit.to_string()),
        new_feed_url: show.new_feed_url.clone(),
        block: show.block.then(|| "Yes".to_string()),
        complete: show.complete.then(|| "Yes".to_string()),
        owner: show.owner.as_ref().map(|o| ITunesOwner {
            name: Some(o.name.clone()),
            email: Some(o.email.clone()),
        }),
        ..ITunesChannelExtension::default()
    };
    it.categories = show
        .categories
        .iter()
        .map(|(top, sub)| ITunesCategory {
            text: top.clone(),
            subcategory: sub.as_ref().map(|s| {
                Box::new(ITunesCategory {
                    text: s.clone(),
                    subcategory: None,
                })
            }),
        })
        .collect();
    ch.itunes_ext = Some(it);

    let mut x = ExtensionMap::new();
    put(
        &mut x,
        ext("itunes:type", Some(show.show_type.as_str()), &[]),
    );
    put(
        &mut x,
        ext(
            "atom:link",
            None,
            &[
                ("href", &page.self_url),
                ("rel", "self"),
                ("type", "application/rss+xml"),
            ],
        ),
    );
    for (rel, href) in &page.links {
        put(
            &mut x,
            ext(
                "atom:link",
                None,
                &[
                    ("href", href),
                    ("rel", rel),
                    ("type", "application/rss+xml"),
                ],
            ),
        );
    }
    if let Some(hub) = &show.output.hub {
        put(
            &mut x,
            ext("atom:link", None, &[("href", hub), ("rel", "hub")]),
        );
    }
    if page.complete {
        put(&mut x, ext("fh:complete", None, &[]));
    }
    put(
        &mut x,
        ext("podcast:guid", Some(&show.podcast_guid.to_string()), &[]),
    );
    if let Some(l) = &show.locked {
        put(
            &mut x,
            ext(
                "podcast:locked",
                Some(yes_no(l.locked)),
                &[("owner", &l.owner)],
            ),
        );
    }
    for f in &show.funding {
        put(
            &mut x,
            ext(
                "podcast:funding",
                Some(&limit128(&f.text)),
                &[("url", &f.url)],
            ),
        );
    }
    for p in &feed.persons {
        put(&mut x, person(p));
    }
    if let Some(m) = &show.medium {
        put(&mut x, ext("podcast:medium", Some(m), &[]));
    }
    if let Some(l) = &show.license {
        let attrs: Vec<(&str, &str)> = l.url.iter().map(|u| ("url", u.as_str())).collect();
        put(&mut x, ext("podcast:license", Some(&l.name), &attrs));
    }
    if let Some(l) = &show.location {
        put(&mut x, location(l));
    }
    for t in &show.txt {
        let attrs: Vec<(&str, &str)> = t.purpose.iter().map(|p| ("purpose", p.as_str())).collect();
        put(&mut x, ext("podcast:txt", Some(&t.value), &attrs));
    }
    if let Some(u) = &show.update_frequency {
        let mut attrs: Vec<(&str, &str)> = vec![("rrule", &u.rrule)];
        if let Some(c) = u.complete {
            attrs.push(("complete", if c { "true" } else { "false" }));
        }
        put(
            &mut x,
            ext("podcast:updateFrequency", Some(&u.text), &attrs),
        );
    }
    if !show.podroll.is_empty() {
        let mut roll = ext("podcast:podroll", None, &[]);
        let items: Vec<Extension> = show
            .podroll
            .iter()
            .map(|r| {
                let mut attrs: Vec<(&str, &str)> = vec![("feedGuid", &r.feed_guid)];
                if let Some(u) = &r.feed_url {
                    attrs.push(("feedUrl", u));
                }
                if let Some(t) = &r.title {
                    attrs.push(("title", t));
                }
                ext("podcast:remoteItem", None, &attrs)
            })
            .collect();
        roll.children.insert("podcast:remoteItem".into(), items);
        put(&mut x, roll);
    }
    for t in feed
        .items
        .iter()
        .filter(|i| i.episode_type == EpisodeType::Trailer)
    {
        if let Some(e) = &t.enclosure {
            let pubdate = t.published.to_rfc2822();
            let length = e.length.to_string();
            let season = t.season.map(|s| s.to_string());
            let mut attrs: Vec<(&str, &str)> = vec![
                ("pubdate", &pubdate),
                ("url", &e.url),
                ("length", &length),
                ("type", &e.mime),
            ];
            if let Some(s) = &season {
                attrs.push(("season", s));
            }
            put(
                &mut x,
                ext("podcast:trailer", Some(&limit128(&t.title)), &attrs),
            );
        }
    }
    ch.extensions = x;
    ch.items = page.items.iter().map(|i| item(feed, i)).collect();
    ch.namespaces = namespaces(&ch);
    ch
}

fn location(l: &crate::config::Location) -> Extension {
    let mut attrs: Vec<(&str, &str)> = Vec::new();
    if let Some(g) = &l.geo {
        attrs.push(("geo", g));
    }
    if let Some(o) = &l.osm {
        attrs.push(("osm", o));
    }
    ext("podcast:location", Some(&limit128(&l.name)), &attrs)
}

/// The crate's item for `i`: the reference [`write_item`] must equal.
fn item(feed: &Feed, i: &Item) -> RssItem {
    let mut it = ITunesItemExtension {
        duration: i.duration.map(|d| d.to_string()),
        episode: i.number.map(|n| n.to_string()),
        season: i.season.map(|s| s.to_string()),
        episode_type: Some(i.episode_type.as_str().to_string()),
        explicit: i.explicit.map(|e| e.to_string()),
        image: i.image.clone(),
        block: i.block.then(|| "Yes".to_string()),
        ..ITunesItemExtension::default()
    };
    if it.explicit.is_none() && feed.show.explicit {
        it.explicit = Some("true".into());
    }
    let mut x = ExtensionMap::new();
    put(&mut x, ext("itunes:title", Some(&i.title), &[]));
    for p in &i.persons {
        put(&mut x, person(p));
    }
    for t in &i.transcripts {
        put(
            &mut x,
            ext(
                "podcast:transcript",
                None,
                &[("url", &t.url), ("type", &t.mime)],
            ),
        );
    }
    if let Some(c) = &i.chapters {
        put(
            &mut x,
            ext(
                "podcast:chapters",
                None,
                &[("url", c), ("type", "application/json+chapters")],
            ),
        );
    }
    if let Some(s) = i.season {
        put(&mut x, ext("podcast:season", Some(&s.to_string()), &[]));
    }
    if let Some(n) = i.number {
        put(&mut x, ext("podcast:episode", Some(&n.to_string()), &[]));
    }
    if let Some(v) = &i.video {
        put(
            &mut x,
            ext("podcast:contentLink", Some("Video"), &[("href", v)]),
        );
    }
    for s in &i.soundbites {
        let start = format!("{}", s.start);
        let dur = format!("{}", s.duration);
        put(
            &mut x,
            ext(
                "podcast:soundbite",
                s.title.as_deref().map(limit128).as_deref(),
                &[("startTime", &start), ("duration", &dur)],
            ),
        );
    }
    if let Some(l) = &i.location {
        put(&mut x, location(l));
    }
    if let Some(l) = &i.license {
        let attrs: Vec<(&str, &str)> = l.url.iter().map(|u| ("url", u.as_str())).collect();
        put(&mut x, ext("podcast:license", Some(&l.name), &attrs));
    }
    RssItem {
        title: Some(i.title.clone()),
        link: Some(i.link.clone()).filter(|l| !l.is_empty()),
        description: Some(i.description_html.clone()),
        content: Some(i.content_html.clone()),
        guid: Some(Guid {
            value: i.guid.clone(),
            permalink: i.guid_is_permalink,
        }),
        pub_date: Some(i.published.to_rfc2822()),
        enclosure: i.enclosure.as_ref().map(|e| Enclosure {
            url: e.url.clone(),
            length: e.length.to_string(),
            mime_type: e.mime.clone(),
        }),
        itunes_ext: Some(it),
        extensions: x,
        ..RssItem::default()
    }
}

/// The namespaces the document actually uses.
fn namespaces(ch: &Channel) -> BTreeMap<String, String> {
    let mut used: BTreeMap<String, String> = BTreeMap::new();
    let known = [
        ("itunes", NS_ITUNES),
        ("podcast", NS_PODCAST),
        ("atom", NS_ATOM),
        ("fh", NS_FH),
    ];
    let mut note = |prefix: &str| {
        if let Some((p, u)) = known.iter().find(|(p, _)| *p == prefix) {
            used.insert(p.to_string(), u.to_string());
        }
    };
    ch.extensions.keys().for_each(|k| note(k));
    for i in &ch.items {
        i.extensions.keys().for_each(|k| note(k));
    }
    let itunes = ch.itunes_ext.is_some() || ch.items.iter().any(|i| i.itunes_ext.is_some());
    if itunes {
        used.insert("itunes".into(), NS_ITUNES.into());
    }
    if ch.items.iter().any(|i| i.content.is_some()) {
        used.insert("content".into(), NS_CONTENT.into());
    }
    used
}
