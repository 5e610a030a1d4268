//! JSON Feed 1.1 (jsonfeed.org/version/1.1) with the same items as the RSS.
//!
//! serde_json escapes control characters; U+2028/U+2029 are escaped too, because
//! JavaScript before ES2019 cannot hold them raw in string literals.

use serde_json::{json, Map, Value};

use crate::model::Feed;

pub fn document(feed: &Feed, feed_json_url: &str) -> Value {
    let show = &feed.show;
    let items: Vec<Value> = feed
        .items
        .iter()
        .map(|i| {
            let mut o = Map::new();
            o.insert("id".into(), json!(i.id_iri));
            if !i.link.is_empty() {
                o.insert("url".into(), json!(i.link));
            }
            o.insert("title".into(), json!(i.title));
            o.insert("content_html".into(), json!(i.content_html));
            if !i.summary_text.is_empty() {
                o.insert("summary".into(), json!(i.summary_text));
            }
            o.insert("date_published".into(), json!(i.published.to_rfc3339()));
            if let Some(img) = &i.image {
                o.insert("image".into(), json!(img));
            }
            if let Some(v) = &i.video {
                o.insert("external_url".into(), json!(v));
            }
            let authors: Vec<Value> = i
                .persons
                .iter()
                .map(|p| {
                    let mut a = Map::new();
                    a.insert("name".into(), json!(p.name));
                    if let Some(h) = &p.href {
                        a.insert("url".into(), json!(h));
                    }
                    if let Some(im) = &p.img {
                        a.insert("avatar".into(), json!(im));
                    }
                    Value::Object(a)
                })
                .collect();
            if !authors.is_empty() {
                o.insert("authors".into(), Value::Array(authors));
            }
            if let Some(e) = &i.enclosure {
                let mut a = Map::new();
                a.insert("url".into(), json!(e.url));
                a.insert("mime_type".into(), json!(e.mime));
                a.insert("size_in_bytes".into(), json!(e.length));
                if let Some(d) = i.duration {
                    a.insert("duration_in_seconds".into(), json!(d));
                }
                o.insert("attachments".into(), json!([Value::Object(a)]));
            }
            Value::Object(o)
        })
        .collect();
    let mut root = Map::new();
    root.insert("version".into(), json!("https://jsonfeed.org/version/1.1"));
    root.insert("title".into(), json!(show.title));
    if !show.link.is_empty() {
        root.insert("home_page_url".into(), json!(show.link));
    }
    root.insert("feed_url".into(), json!(feed_json_url));
    root.insert("description".into(), json!(show.description));
    if let Some(i) = &show.image {
        root.insert("icon".into(), json!(i));
    }
    if !show.language.is_empty() {
        root.insert("language".into(), json!(show.language));
    }
    root.insert("authors".into(), json!([{ "name": show.author }]));
    if let Some(hub) = &show.output.hub {
        root.insert("hubs".into(), json!([{ "type": "WebSub", "url": hub }]));
    }
    root.insert("items".into(), Value::Array(items));
    Value::Object(root)
}

/// Serializes with U+2028/U+2029 escaped.
pub fn to_string(v: &Value) -> String {
    let s = serde_json::to_string_pretty(v).expect("JSON values always serialize");
    escape_line_separators(s)
}

fn escape_line_separators(s: String) -> String {
    if s.contains(['\u{2028}', '\u{2029}']) {
        s.replace('\u{2028}', "\\u2028")
            .replace('\u{2029}', "\\u2029")
    } else {
        s
    }
}

/// The same text as `to_string(&document(feed, feed_json_url))`, serialized
/// straight from the model: no [`Value`] tree holding a copy of every item.
/// Keys are written in the order a `Value` map sorts them.
pub fn render(feed: &Feed, feed_json_url: &str) -> String {
    let bytes = write_inner(feed, feed_json_url, Vec::new()).expect("writing to memory");
    let s = String::from_utf8(bytes).expect("serde_json writes UTF-8");
    debug_assert_eq!(
        s,
        to_string(&document(feed, feed_json_url)),
        "direct JSON Feed serialization must equal the Value-based one"
    );
    s
}

/// The JSON Feed cut where its items go: the document with an empty `items`
/// array, split inside the brackets (items are separated by `,`). serde_json's
/// pretty printer writes a non-empty array as `[` + (`\n` + indent + item),
/// joined by `,` + `\n` + `  ]`, which is how [`render_items`] and the tail
/// put it back together. A feed without items is written whole instead
/// (serde_json writes an empty array as `[]`).
pub fn frame(feed: &Feed, feed_json_url: &str) -> std::io::Result<crate::rss_feed::Frame> {
    const EMPTY: &str = "\"items\": []";
    let empty = Feed {
        items: Vec::new(),
        show: feed.show.clone(),
        persons: Vec::new(),
        updated: feed.updated,
    };
    let bytes = write_inner(&empty, feed_json_url, Vec::new())?;
    let s = String::from_utf8(bytes).map_err(std::io::Error::other)?;
    let at = s
        .find(EMPTY)
        .ok_or_else(|| std::io::Error::other("no items array in the JSON Feed"))?;
    let open = at + EMPTY.len() - 1;
    Ok(crate::rss_feed::Frame {
        head: s.as_bytes()[..open].to_vec(),
        sep: b",",
        tail: format!("\n  ]{}", &s[open + 1..]).into_bytes(),
    })
}

/// The items of `items` as they appear inside the `items` array of the whole
/// document: `\n    {…}` joined by `,`.
pub fn render_items(items: &[crate::model::Item]) -> std::io::Result<Vec<u8>> {
    struct Wrapper<'a>(&'a [crate::model::Item]);
    impl Serialize for Wrapper<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut m = s.serialize_map(Some(1))?;
            m.serialize_entry("items", &Items(self.0))?;
            m.end()
        }
    }
    const OPEN: &[u8] = b"{\n  \"items\": [";
    const CLOSE: &[u8] = b"\n  ]\n}";
    // serde_json's own pretty printer, then U+2028/U+2029 escaped in one pass
    // over the chunk: they can only be inside strings, so this is the text
    // `LineSeparators` writes fragment by fragment, without a call per fragment.
    let mut ser = serde_json::Serializer::pretty(Vec::with_capacity(items.len() * 7_000));
    Wrapper(items).serialize(&mut ser)?;
    let out = ser.into_inner();
    let body = out
        .strip_prefix(OPEN)
        .and_then(|r| r.strip_suffix(CLOSE))
        .ok_or_else(|| std::io::Error::other("JSON items do not splice into the feed"))?;
    let mut escaped = Vec::with_capacity(body.len());
    LineSeparators(serde_json::ser::PrettyFormatter::new()).write_string_fragment(
        &mut escaped,
        std::str::from_utf8(body).map_err(std::io::Error::other)?,
    )?;
    Ok(escaped)
}

fn write_inner<W: std::io::Write>(feed: &Feed, feed_json_url: &str, w: W) -> std::io::Result<W> {
    let mut ser = serde_json::Serializer::with_formatter(
        w,
        LineSeparators(serde_json::ser::PrettyFormatter::new()),
    );
    Doc(feed, feed_json_url).serialize(&mut ser)?;
    Ok(ser.into_inner())
}

/// serde_json's pretty printer, with U+2028/U+2029 written as `\u2028`/`\u2029`
/// (they can only occur inside strings, which reach the writer as fragments).
struct LineSeparators<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for LineSeparators<'_> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        // U+2028 and U+2029 are E2 80 A8 and E2 80 A9: look for their first byte.
        let b = fragment.as_bytes();
        let (mut start, mut i) = (0, 0);
        while let Some(p) = memchr::memchr(0xE2, &b[i..]) {
            let at = i + p;
            i = at + 1;
            if b.get(at + 1) == Some(&0x80) && matches!(b.get(at + 2), Some(0xA8 | 0xA9)) {
                w.write_all(&b[start..at])?;
                w.write_all(if b[at + 2] == 0xA8 {
                    b"\\u2028"
                } else {
                    b"\\u2029"
                })?;
                start = at + 3;
                i = start;
            }
        }
        w.write_all(&b[start..])
    }
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }
    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }
    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }
    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }
    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }
    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }
    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }
    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }
    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

struct Doc<'a>(&'a Feed, &'a str);
struct Items<'a>(&'a [crate::model::Item]);
struct ItemSer<'a>(&'a crate::model::Item);
struct Authors<'a>(&'a [crate::model::PersonCredit]);
struct Author<'a>(&'a crate::model::PersonCredit);
struct Attachment<'a>(&'a crate::model::Enclosure, Option<u64>);
struct One<T>(T);
struct Named<'a>(&'a str);
struct Hub<'a>(&'a str);

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::ser::Formatter as _;

impl<T: Serialize> Serialize for One<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(1))?;
        q.serialize_element(&self.0)?;
        q.end()
    }
}

impl Serialize for Named<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(1))?;
        m.serialize_entry("name", self.0)?;
        m.end()
    }
}

impl Serialize for Hub<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("type", "WebSub")?;
        m.serialize_entry("url", self.0)?;
        m.end()
    }
}

impl Serialize for Doc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (feed, url) = (self.0, self.1);
        let show = &feed.show;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("authors", &One(Named(&show.author)))?;
        m.serialize_entry("description", &show.description)?;
        m.serialize_entry("feed_url", url)?;
        if !show.link.is_empty() {
            m.serialize_entry("home_page_url", &show.link)?;
        }
        if let Some(hub) = &show.output.hub {
            m.serialize_entry("hubs", &One(Hub(hub)))?;
        }
        if let Some(i) = &show.image {
            m.serialize_entry("icon", i)?;
        }
        m.serialize_entry("items", &Items(&feed.items))?;
        if !show.language.is_empty() {
            m.serialize_entry("language", &show.language)?;
        }
        m.serialize_entry("title", &show.title)?;
        m.serialize_entry("version", "https://jsonfeed.org/version/1.1")?;
        m.end()
    }
}

impl Serialize for Items<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(self.0.len()))?;
        for i in self.0 {
            q.serialize_element(&ItemSer(i))?;
        }
        q.end()
    }
}

impl Serialize for ItemSer<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let i = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(e) = &i.enclosure {
            m.serialize_entry("attachments", &One(Attachment(e, i.duration)))?;
        }
        if !i.persons.is_empty() {
            m.serialize_entry("authors", &Authors(&i.persons))?;
        }
        m.serialize_entry("content_html", &i.content_html)?;
        m.serialize_entry("date_published", &i.published.to_rfc3339())?;
        if let Some(v) = &i.video {
            m.serialize_entry("external_url", v)?;
        }
        m.serialize_entry("id", &i.id_iri)?;
        if let Some(img) = &i.image {
            m.serialize_entry("image", img)?;
        }
        if !i.summary_text.is_empty() {
            m.serialize_entry("summary", &i.summary_text)?;
        }
        m.serialize_entry("title", &i.title)?;
        if !i.link.is_empty() {
            m.serialize_entry("url", &i.link)?;
        }
        m.end()
    }
}

impl Serialize for Authors<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut q = s.serialize_seq(Some(self.0.len()))?;
        for p in self.0 {
            q.serialize_element(&Author(p))?;
        }
        q.end()
    }
}

impl Serialize for Author<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let p = self.0;
        let mut m = s.serialize_map(None)?;
        if let Some(im) = &p.img {
            m.serialize_entry("avatar", im)?;
        }
        m.serialize_entry("name", &p.name)?;
        if let Some(h) = &p.href {
            m.serialize_entry("url", h)?;
        }
        m.end()
    }
}

impl Serialize for Attachment<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (e, d) = (self.0, self.1);
        let mut m = s.serialize_map(None)?;
        if let Some(d) = d {
            m.serialize_entry("duration_in_seconds", &d)?;
        }
        m.serialize_entry("mime_type", &e.mime)?;
        m.serialize_entry("size_in_bytes", &e.length)?;
        m.serialize_entry("url", &e.url)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_separators_are_escaped() {
        let v = serde_json::json!({"a": "x\u{2028}y\u{2029}"});
        let s = super::to_string(&v);
        assert!(s.contains("x\\u2028y\\u2029"));
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn streaming_formatter_escapes_line_separators_like_to_string() {
        use serde::Serialize;
        let v =
            serde_json::json!({"k\u{2029}": ["x\u{2028}y\u{2029}", "\u{2028}", 1, {"z": "plain"}]});
        let mut ser = serde_json::Serializer::with_formatter(
            Vec::new(),
            super::LineSeparators(serde_json::ser::PrettyFormatter::new()),
        );
        v.serialize(&mut ser).unwrap();
        assert_eq!(
            String::from_utf8(ser.into_inner()).unwrap(),
            super::to_string(&v)
        );
    }
}
