//! A repaired feed read into a [`SourceFeed`]: RSS by the rss crate, Atom
//! by atom_syndication, their extension maps for the itunes and podcast
//! namespaces, and the [`Inventory`] for item places and what is left.

use std::collections::BTreeMap;

use rss::extension::{Extension, ExtensionMap};

use super::inventory::{Inventory, Shape};
use super::source::{SourceChannel, SourceEnclosure, SourceFeed, SourceItem, SourcePerson};
use crate::model::{Funding, License, Location, RemoteItem, Txt, UpdateFrequency};

const PODCAST_NS: [&str; 2] = [
    "https://podcastindex.org/namespace/1.0",
    "https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/1.0.md",
];
const ITUNES_NS: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";

/// Elements of an item that import carries over or converts; any other is
/// reported as left behind.
const ITEM_KNOWN: &[&str] = &[
    "title",
    "link",
    "description",
    "enclosure",
    "guid",
    "pubDate",
    "content:encoded",
    "itunes:title",
    "itunes:duration",
    "itunes:explicit",
    "itunes:episode",
    "itunes:season",
    "itunes:episodeType",
    "itunes:image",
    "itunes:summary",
    "itunes:block",
    "podcast:transcript",
    "podcast:chapters",
    "podcast:season",
    "podcast:episode",
    "podcast:soundbite",
    "podcast:location",
    "podcast:license",
    // Atom
    "id",
    "published",
    "updated",
    "content",
    "summary",
];
const CHANNEL_KNOWN: &[&str] = &[
    "title",
    "link",
    "description",
    "language",
    "copyright",
    "image",
    "atom:link",
    "itunes:author",
    "itunes:owner",
    "itunes:image",
    "itunes:category",
    "itunes:explicit",
    "itunes:type",
    "itunes:new-feed-url",
    "itunes:block",
    "itunes:complete",
    "itunes:summary",
    "podcast:guid",
    "podcast:locked",
    "podcast:funding",
    "podcast:license",
    "podcast:medium",
    "podcast:person",
    "podcast:location",
    "podcast:updateFrequency",
    "podcast:txt",
    "podcast:podroll",
    "managingEditor",
    "lastBuildDate",
    "pubDate",
    "generator",
    "docs",
    "ttl",
    "webMaster",
    // Atom
    "id",
    "updated",
    "subtitle",
    "logo",
    "icon",
    "author",
    "rights",
];

/// Reads RSS 2.0 (or Atom, when the root is `feed`).
pub(crate) fn read(xml: &str, inv: &Inventory) -> Result<SourceFeed, String> {
    let mut feed = if inv.is_atom() { atom(xml)? } else { rss(xml)? };
    let names = |shape: &Shape, known: &[&str]| {
        let mut left: Vec<String> = Vec::new();
        for n in &shape.children {
            if !known.contains(&n.as_str()) && !left.contains(n) {
                left.push(n.clone());
            }
        }
        left
    };
    feed.channel.left = names(&inv.channel, CHANNEL_KNOWN);
    // The two readings are paired item by item: they must see the same items.
    if feed.items.len() != inv.items.len() {
        return Err(format!(
            "it holds {} items where the feed's channel has {}: some are outside the channel",
            inv.items.len(),
            feed.items.len()
        ));
    }
    let atom = inv.is_atom();
    for (item, shape) in feed.items.iter_mut().zip(&inv.items) {
        item.offset = shape.offset;
        item.left = names(shape, ITEM_KNOWN);
        if shape.enclosures.len() > 1 || item.enclosures.is_empty() {
            item.enclosures = shape.enclosures.clone();
        }
        item.itunes_title = shape.itunes_title.clone();
        // atom_syndication dates an entry without a date 1970.
        let dated = shape
            .children
            .iter()
            .any(|c| c == "published" || c == "updated");
        if atom && !dated {
            item.pub_date = None;
        }
    }
    Ok(feed)
}

fn rss(xml: &str) -> Result<SourceFeed, String> {
    let ch = rss::Channel::read_from(xml.as_bytes()).map_err(|e| e.to_string())?;
    let podcast = prefix_of(ch.namespaces(), &PODCAST_NS).unwrap_or("podcast".into());
    let ext = |map: &ExtensionMap, name: &str| -> Vec<Extension> {
        map.get(&podcast)
            .and_then(|m| m.get(name))
            .cloned()
            .unwrap_or_default()
    };
    let first = |map: &ExtensionMap, name: &str| ext(map, name).into_iter().next();
    let it = ch.itunes_ext();
    let mut channel = SourceChannel {
        title: ch.title().to_string(),
        description: ch.description().to_string(),
        summary: it.and_then(|i| i.summary()).map(str::to_string),
        link: some(ch.link()),
        self_url: self_link(&ch),
        language: ch.language().and_then(some),
        author: it.and_then(|i| i.author()).and_then(some),
        owner_name: it
            .and_then(|i| i.owner())
            .and_then(|o| o.name())
            .and_then(some),
        owner_email: it
            .and_then(|i| i.owner())
            .and_then(|o| o.email())
            .and_then(some),
        image: it
            .and_then(|i| i.image())
            .and_then(some)
            .or_else(|| ch.image().and_then(|i| some(i.url()))),
        categories: it
            .map(|i| {
                i.categories()
                    .iter()
                    .map(|c| {
                        let mut v = vec![c.text().to_string()];
                        v.extend(c.subcategory().map(|s| s.text().to_string()));
                        v
                    })
                    .collect()
            })
            .unwrap_or_default(),
        explicit: it.and_then(|i| i.explicit()).and_then(some),
        kind: itunes_value(ch.extensions(), ch.namespaces(), "type")
            .or_else(|| plain(ch.extensions(), "itunes", "type")),
        copyright: ch.copyright().and_then(some),
        podcast_guid: first(ch.extensions(), "guid").and_then(|e| e.value().and_then(some)),
        locked: first(ch.extensions(), "locked").map(|e| {
            (
                e.value().unwrap_or("").trim().to_string(),
                e.attrs().get("owner").cloned(),
            )
        }),
        funding: ext(ch.extensions(), "funding")
            .iter()
            .filter_map(|e| {
                let url = e.attrs().get("url")?.trim().to_string();
                let text = e.value().unwrap_or("").trim().to_string();
                Some(Funding { url, text })
            })
            .collect(),
        license: first(ch.extensions(), "license").map(|e| license(&e)),
        medium: first(ch.extensions(), "medium").and_then(|e| e.value().and_then(some)),
        persons: ext(ch.extensions(), "person").iter().map(person).collect(),
        location: first(ch.extensions(), "location").and_then(|e| location(&e)),
        update_frequency: first(ch.extensions(), "updateFrequency").and_then(|e| {
            Some(UpdateFrequency {
                rrule: e
                    .attrs()
                    .get("rrule")
                    .filter(|r| !r.trim().is_empty())?
                    .clone(),
                text: e.value().unwrap_or("").trim().to_string(),
                complete: e.attrs().get("complete").map(|c| c.trim() == "true"),
            })
        }),
        txt: ext(ch.extensions(), "txt")
            .iter()
            .map(|e| Txt {
                purpose: e.attrs().get("purpose").cloned(),
                value: e.value().unwrap_or("").trim().to_string(),
            })
            .collect(),
        podroll: first(ch.extensions(), "podroll")
            .map(|e| {
                let items = e.children().get("remoteItem").cloned().unwrap_or_default();
                items
                    .iter()
                    .filter_map(|r| {
                        let a = |k: &str| r.attrs().get(k).cloned();
                        Some(RemoteItem {
                            feed_guid: a("feedGuid")?,
                            feed_url: a("feedUrl"),
                            title: a("title"),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default(),
        new_feed_url: it.and_then(|i| i.new_feed_url()).and_then(some),
        block: it.and_then(|i| i.block()).and_then(some),
        complete: it.and_then(|i| i.complete()).and_then(some),
        left: vec![],
    };
    if channel.author.is_none() {
        channel.author = ch
            .dublin_core_ext()
            .and_then(|d| d.creators().first().cloned())
            .or_else(|| ch.managing_editor().map(str::to_string));
    }
    let items = ch
        .items()
        .iter()
        .map(|item| {
            let ie = item.itunes_ext();
            let x = item.extensions();
            SourceItem {
                offset: 0,
                itunes_title: None,
                title: item.title().map(str::to_string),
                guid: item.guid().map(|g| g.value().trim().to_string()),
                pub_date: item.pub_date().and_then(some),
                enclosures: item
                    .enclosure()
                    .map(|e| SourceEnclosure {
                        url: e.url().trim().to_string(),
                        length: e.length().trim().to_string(),
                        mime: e.mime_type().trim().to_string(),
                    })
                    .into_iter()
                    .collect(),
                duration: ie.and_then(|i| i.duration()).and_then(some),
                season: ie
                    .and_then(|i| i.season())
                    .and_then(some)
                    .or_else(|| first(x, "season").and_then(|e| e.value().and_then(some))),
                episode: ie
                    .and_then(|i| i.episode())
                    .and_then(some)
                    .or_else(|| first(x, "episode").and_then(|e| e.value().and_then(some))),
                episode_type: ie.and_then(|i| i.episode_type()).and_then(some),
                explicit: ie.and_then(|i| i.explicit()).and_then(some),
                image: ie.and_then(|i| i.image()).and_then(some),
                block: ie.and_then(|i| i.block()).and_then(some),
                transcripts: ext(x, "transcript")
                    .iter()
                    .filter_map(|e| {
                        let url = e.attrs().get("url")?.trim().to_string();
                        Some((url, e.attrs().get("type").cloned()))
                    })
                    .collect(),
                chapters: first(x, "chapters").and_then(|e| e.attrs().get("url").cloned()),
                content: item.content().map(str::to_string),
                description: item.description().map(str::to_string),
                summary: ie.and_then(|i| i.summary()).map(str::to_string),
                link: item.link().and_then(some),
                persons: ext(x, "person").iter().map(person).collect(),
                soundbites: ext(x, "soundbite")
                    .iter()
                    .map(|e| {
                        let a = |k: &str| e.attrs().get(k).cloned().unwrap_or_default();
                        (a("startTime"), a("duration"), e.value().and_then(some))
                    })
                    .collect(),
                location: first(x, "location").and_then(|e| location(&e)),
                license: first(x, "license").map(|e| license(&e)),
                left: vec![],
            }
        })
        .collect();
    Ok(SourceFeed { channel, items })
}

/// `atom:link rel="self"`, which the rss crate keeps as an extension.
fn self_link(ch: &rss::Channel) -> Option<String> {
    let prefix =
        prefix_of(ch.namespaces(), &["http://www.w3.org/2005/Atom"]).unwrap_or("atom".into());
    ch.extensions()
        .get(&prefix)?
        .get("link")?
        .iter()
        .find(|l| l.attrs().get("rel").map(String::as_str) == Some("self"))
        .and_then(|l| l.attrs().get("href"))
        .and_then(|h| some(h))
}

/// An itunes element the rss crate has no field for (`itunes:type`).
fn itunes_value(
    map: &ExtensionMap,
    namespaces: &BTreeMap<String, String>,
    name: &str,
) -> Option<String> {
    let prefix = prefix_of(namespaces, &[ITUNES_NS])?;
    plain(map, &prefix, name)
}

fn plain(map: &ExtensionMap, prefix: &str, name: &str) -> Option<String> {
    map.get(prefix)?.get(name)?.first()?.value().and_then(some)
}

/// The prefix a namespace is bound to; of several, the usual one.
fn prefix_of(namespaces: &BTreeMap<String, String>, uris: &[&str]) -> Option<String> {
    let bound: Vec<&String> = namespaces
        .iter()
        .filter(|(_, uri)| {
            uris.contains(&uri.trim_end_matches('/')) || uris.contains(&uri.as_str())
        })
        .map(|(p, _)| p)
        .collect();
    bound
        .iter()
        .find(|p| ["podcast", "itunes", "atom"].contains(&p.as_str()))
        .or(bound.first())
        .map(|p| p.to_string())
}

/// `podcast:license`: its name and `url`.
fn license(e: &Extension) -> License {
    License {
        name: e.value().unwrap_or("").trim().to_string(),
        url: e.attrs().get("url").cloned(),
    }
}

/// `podcast:location`: its name, `geo` and `osm`.
fn location(e: &Extension) -> Option<Location> {
    Some(Location {
        name: e.value().and_then(some)?,
        geo: e.attrs().get("geo").cloned(),
        osm: e.attrs().get("osm").cloned(),
    })
}

fn person(e: &Extension) -> SourcePerson {
    let a = |k: &str| {
        e.attrs()
            .get(k)
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    SourcePerson {
        name: e.value().unwrap_or("").trim().to_string(),
        role: a("role"),
        group: a("group"),
        img: a("img"),
        href: a("href"),
    }
}

fn some(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

fn atom(xml: &str) -> Result<SourceFeed, String> {
    use atom_syndication::Feed;
    let f = Feed::read_from(xml.as_bytes()).map_err(|e| e.to_string())?;
    let ext = |map: &atom_syndication::extension::ExtensionMap, prefix: &str, name: &str| {
        map.get(prefix)
            .and_then(|m| m.get(name))
            .and_then(|v| v.first())
            .and_then(|e| e.value())
            .and_then(some)
    };
    let itunes = prefix_of(f.namespaces(), &[ITUNES_NS]).unwrap_or("itunes".into());
    let link = |links: &[atom_syndication::Link], rel: &str| {
        links
            .iter()
            .find(|l| l.rel() == rel)
            .map(|l| l.href().trim().to_string())
    };
    let channel = SourceChannel {
        title: f.title().value.clone(),
        description: f.subtitle().map(|t| t.value.clone()).unwrap_or_default(),
        link: link(f.links(), "alternate"),
        self_url: link(f.links(), "self"),
        language: f.lang().and_then(some),
        image: f
            .extensions()
            .get(&itunes)
            .and_then(|m| m.get("image"))
            .and_then(|v| v.first())
            .and_then(|e| e.attrs().get("href").cloned())
            .or_else(|| f.logo().and_then(some)),
        explicit: ext(f.extensions(), &itunes, "explicit"),
        categories: f
            .extensions()
            .get(&itunes)
            .and_then(|m| m.get("category"))
            .map(|cats| {
                cats.iter()
                    .filter_map(|c| {
                        let mut v = vec![c.attrs().get("text")?.clone()];
                        let sub = c.children().get("category").and_then(|s| s.first());
                        v.extend(sub.and_then(|s| s.attrs().get("text").cloned()));
                        Some(v)
                    })
                    .collect()
            })
            .unwrap_or_default(),
        author: f
            .authors()
            .first()
            .map(|a| a.name().to_string())
            .or_else(|| ext(f.extensions(), &itunes, "author")),
        copyright: f.rights().map(|r| r.value.clone()),
        ..SourceChannel::default()
    };
    let items = f
        .entries()
        .iter()
        .map(|e| SourceItem {
            title: Some(e.title().value.clone()),
            guid: some(e.id()),
            pub_date: Some(e.published().unwrap_or(e.updated()).to_rfc3339()),
            duration: ext(e.extensions(), &itunes, "duration"),
            episode: ext(e.extensions(), &itunes, "episode"),
            season: ext(e.extensions(), &itunes, "season"),
            episode_type: ext(e.extensions(), &itunes, "episodeType"),
            explicit: ext(e.extensions(), &itunes, "explicit"),
            content: e.content().and_then(|c| c.value().map(str::to_string)),
            description: e.summary().map(|s| s.value.clone()),
            link: link(e.links(), "alternate"),
            ..SourceItem::default()
        })
        .collect();
    Ok(SourceFeed { channel, items })
}
