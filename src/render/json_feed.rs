//! JSON Feed 1.1 (jsonfeed.org/version/1.1) with the same items as the RSS,
//! written by serde_json's pretty printer from the structs below (their fields
//! in the order they are written), a chunk of items at a time.
//!
//! U+2028/U+2029 are written escaped: JavaScript before ES2019 cannot hold
//! them raw in string literals.

use serde::Serialize;

use super::frame::{Frame, Wrapper};
use super::notes::Rendered;
use super::RenderError;
use crate::model::{Enclosure, Feed, Item, PersonCredit};

#[derive(Serialize)]
struct Document<'a> {
    authors: [Name<'a>; 1],
    description: &'a str,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    home_page_url: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    hubs: Option<[Hub<'a>; 1]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon: Option<&'a str>,
    items: [JsonItem<'a>; 0],
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<&'a str>,
    title: &'a str,
    version: &'static str,
}

#[derive(Serialize)]
struct Name<'a> {
    name: &'a str,
}

#[derive(Serialize)]
struct Hub<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    url: &'a str,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    attachments: Option<[Attachment<'a>; 1]>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<Author<'a>>,
    content_html: &'a str,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_url: Option<&'a str>,
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    #[serde(skip_serializing_if = "str::is_empty")]
    summary: &'a str,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct Attachment<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    duration_in_seconds: Option<u64>,
    mime_type: &'a str,
    size_in_bytes: u64,
    url: &'a str,
}

#[derive(Serialize)]
struct Author<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    avatar: Option<&'a str>,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

/// A document holding only items, as the chunks are written.
#[derive(Serialize)]
struct ItemsOnly<'a> {
    items: Vec<JsonItem<'a>>,
}

fn json_item<'a>(i: &'a Item, notes: &'a Rendered) -> JsonItem<'a> {
    let attachment = |e: &'a Enclosure| Attachment {
        duration_in_seconds: i.duration,
        mime_type: &e.mime,
        size_in_bytes: e.length,
        url: &e.url,
    };
    let author = |p: &'a PersonCredit| Author {
        avatar: p.img.as_deref(),
        name: &p.name,
        url: p.href.as_deref(),
    };
    JsonItem {
        attachments: i.enclosure.as_ref().map(|e| [attachment(e)]),
        authors: i.persons.iter().map(author).collect(),
        content_html: &notes.full,
        date_published: i.published.to_rfc3339(),
        external_url: i.video.as_deref(),
        id: &i.id_iri,
        image: i.image.as_deref(),
        summary: &notes.summary,
        title: &i.title,
        url: Some(i.link.as_str()).filter(|l| !l.is_empty()),
    }
}

/// serde_json's pretty output of `v`, with U+2028/U+2029 escaped (they can
/// only occur inside strings, which serde_json writes them raw in).
fn pretty<T: Serialize>(v: &T) -> Result<Vec<u8>, RenderError> {
    let raw = serde_json::to_vec_pretty(v)?;
    let separators: Vec<usize> = memchr::memchr_iter(0xE2, &raw)
        .filter(|&at| {
            raw.get(at + 1) == Some(&0x80) && matches!(raw.get(at + 2), Some(0xA8 | 0xA9))
        })
        .collect();
    if separators.is_empty() {
        return Ok(raw);
    }
    let mut out = Vec::with_capacity(raw.len() + 3 * separators.len());
    let mut start = 0;
    for at in separators {
        out.extend_from_slice(&raw[start..at]);
        out.extend_from_slice(if raw[at + 2] == 0xA8 {
            b"\\u2028"
        } else {
            b"\\u2029"
        });
        start = at + 3;
    }
    out.extend_from_slice(&raw[start..]);
    Ok(out)
}

/// The JSON Feed, ready to be written a chunk at a time.
pub(crate) struct JsonFeed {
    frame: Frame,
    wrapper: Wrapper,
}

/// How serde_json's pretty printer writes a non-empty array of items at the
/// second level; between two items it writes `,`.
const ITEMS_OPEN: &[u8] = b"{\n  \"items\": [";
const ITEMS_CLOSE: &[u8] = b"\n  ]\n}";

impl JsonFeed {
    pub(crate) fn new(feed: &Feed, feed_json_url: &str) -> Result<Self, RenderError> {
        let show = &feed.show;
        let doc = Document {
            authors: [Name { name: &show.author }],
            description: &show.description,
            feed_url: feed_json_url,
            home_page_url: Some(show.link.as_str()).filter(|l| !l.is_empty()),
            hubs: show.output.hub.as_deref().map(|url| {
                [Hub {
                    kind: "WebSub",
                    url,
                }]
            }),
            icon: show.image.as_deref(),
            items: [],
            language: Some(show.language.as_str()).filter(|l| !l.is_empty()),
            title: &show.title,
            version: "https://jsonfeed.org/version/1.1",
        };
        let whole = pretty(&doc)?;
        // Without items, serde_json writes `[]`; with them, the array's
        // close comes on a line of its own.
        let frame = if feed.items.is_empty() {
            Frame {
                head: whole,
                sep: b"",
                tail: Vec::new(),
            }
        } else {
            // The key is unique: inside a string its quotes would be escaped.
            const EMPTY: &[u8] = b"\"items\": []";
            let at = memchr::memmem::find(&whole, EMPTY)
                .ok_or_else(|| RenderError::splice("no items array"))?;
            let close = at + EMPTY.len() - 1;
            let mut tail = b"\n  ".to_vec();
            tail.extend_from_slice(&whole[close..]);
            Frame {
                head: whole[..close].to_vec(),
                sep: b",",
                tail,
            }
        };
        let mut empty = ITEMS_OPEN.to_vec();
        empty.extend_from_slice(ITEMS_CLOSE);
        Ok(JsonFeed {
            frame,
            wrapper: Wrapper::of_empty(&empty, ITEMS_CLOSE)?,
        })
    }

    /// The document without items, cut where they go.
    pub(crate) fn frame(&self) -> &Frame {
        &self.frame
    }

    /// `items` as they appear in the `items` array, joined by `,`.
    pub(crate) fn items(&self, items: &[Item], notes: &[Rendered]) -> Result<Vec<u8>, RenderError> {
        let chunk = ItemsOnly {
            items: items
                .iter()
                .zip(notes)
                .map(|(i, n)| json_item(i, n))
                .collect(),
        };
        self.wrapper.items(&pretty(&chunk)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_separators_are_escaped_and_read_back() {
        let v = serde_json::json!({"a": "x\u{2028}y\u{2029}", "k\u{2029}": 1});
        let s = String::from_utf8(pretty(&v).unwrap()).unwrap();
        assert!(s.contains("x\\u2028y\\u2029") && s.contains("k\\u2029"));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }
}
