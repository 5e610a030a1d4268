//! RSS 2.0 with the `itunes`, `podcast`, `content`, `atom` (and, for paging,
//! `fh`) namespaces, written by the `rss` crate: the channel of a page
//! ([`Rss::frame`]) and its items, a chunk at a time ([`Rss::items`]), each
//! chunk as the crate writes the items of a channel.
//!
//! Namespaces are declared exactly as their specs spell them and only when an
//! element of theirs is written. Element order inside the `itunes:`/`podcast:`
//! groups is the crate's (alphabetical by name), which is stable.

use std::collections::BTreeMap;

use rss::extension::itunes::{
    ITunesCategory, ITunesChannelExtension, ITunesItemExtension, ITunesOwner,
};
use rss::extension::{Extension, ExtensionMap};
use rss::{Channel, Enclosure, Guid, Item as RssItem};

use super::frame::{Frame, Wrapper};
use super::notes::{shorten, Rendered};
use super::paging::Page;
use super::RenderError;
use crate::model::{EpisodeType, Feed, Item, Location, PersonCredit};

pub(crate) const NS_ITUNES: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
pub(crate) const NS_PODCAST: &str = "https://podcastindex.org/namespace/1.0";
pub(crate) const NS_CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
pub(crate) const NS_ATOM: &str = "http://www.w3.org/2005/Atom";
pub(crate) const NS_FH: &str = "http://purl.org/syndication/history/1.0";

pub(crate) const GENERATOR: &str = concat!("feedgen ", env!("CARGO_PKG_VERSION"));

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
    shorten(s, 128)
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

/// The RSS document of one page, ready to be written a chunk at a time.
pub(crate) struct Rss<'f> {
    feed: &'f Feed,
    namespaces: BTreeMap<String, String>,
    frame: Frame,
    wrapper: Wrapper,
}

/// Where the `rss` crate ends a channel: its items come just before.
const TAIL: &[u8] = b"</channel></rss>";

impl<'f> Rss<'f> {
    pub(crate) fn new(feed: &'f Feed, page: &Page<'_>) -> Result<Self, RenderError> {
        let mut head = channel(feed, page);
        // Items add only `content` (every item has `content:encoded`); every
        // other prefix they use, the channel already declares. Should the
        // crate ever declare more, the items would not fit their wrapper and
        // the document is refused.
        if !page.items.is_empty() {
            head.namespaces.insert("content".into(), NS_CONTENT.into());
        }
        let empty = Channel {
            namespaces: head.namespaces.clone(),
            ..Channel::default()
        };
        Ok(Rss {
            feed,
            frame: Frame::cut_before(&head.write_to(Vec::new())?, TAIL, b"")?,
            wrapper: Wrapper::of_empty(&empty.write_to(Vec::new())?, TAIL)?,
            namespaces: head.namespaces,
        })
    }

    /// The channel without items, cut where they go.
    pub(crate) fn frame(&self) -> &Frame {
        &self.frame
    }

    /// The `<item>` elements of `items`, as the crate writes them in a channel.
    /// The notes move into the crate's items: RSS is written last.
    pub(crate) fn items(
        &self,
        items: &[Item],
        notes: Vec<Rendered>,
    ) -> Result<Vec<u8>, RenderError> {
        let chunk = Channel {
            namespaces: self.namespaces.clone(),
            items: items
                .iter()
                .zip(notes)
                .map(|(i, n)| item(self.feed, i, n))
                .collect(),
            ..Channel::default()
        };
        self.wrapper.items(&chunk.write_to(Vec::new())?)
    }
}

/// Plain text for an RSS `<description>`, which readers render as HTML: the
/// show's description is text, so `<b>` in podcast.toml shows as `<b>`.
fn html_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html_body_text(&mut out, text).expect("writing to a String");
    out
}

/// The channel of one page, without its items.
fn channel(feed: &Feed, page: &Page<'_>) -> Channel {
    let show = &feed.show;
    let mut ch = Channel {
        title: show.title.clone(),
        link: show.link.clone(),
        description: html_text(&show.description),
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
    ch.namespaces = namespaces(&ch);
    ch
}

fn location(l: &Location) -> Extension {
    let mut attrs: Vec<(&str, &str)> = Vec::new();
    if let Some(g) = &l.geo {
        attrs.push(("geo", g));
    }
    if let Some(o) = &l.osm {
        attrs.push(("osm", o));
    }
    ext("podcast:location", Some(&limit128(&l.name)), &attrs)
}

/// The crate's item for `i`, with its notes: the Apple description and the
/// full HTML.
fn item(feed: &Feed, i: &Item, notes: Rendered) -> RssItem {
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
        description: Some(notes.apple),
        content: Some(notes.full),
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
