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

/// About how many bytes [`render_items`] writes for `items` (escaping adds
/// a few percent to the notes; the rest of an item is under 2.5 KB).
pub fn size_hint(items: &[crate::model::Item]) -> usize {
    items
        .iter()
        .map(|i| i.content_html.len() * 21 / 20 + i.summary_text.len() + 2_560)
        .sum()
}

/// Appends the items of `items` as they appear inside the `items` array of the
/// whole document: `\n    {…}` joined by `,`. Written directly (see
/// `write_item`); debug builds require the bytes of serde_json's pretty
/// printer ([`render_items_with_serde`]).
pub fn render_items(out: &mut Vec<u8>, items: &[crate::model::Item]) {
    let start = out.len();
    for (k, i) in items.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        write_item(out, i);
    }
    if cfg!(debug_assertions) {
        assert!(
            render_items_with_serde(items).is_ok_and(|r| r == out[start..]),
            "JSON items differ from serde_json's"
        );
    }
}

/// What [`write_str`] does with each byte: 0 copy, `u` write `\u00xx`, `L`
/// check for U+2028/U+2029, else write a backslash and this byte (serde_json's
/// table, plus `L`).
static JSON_ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = b'u';
        c += 1;
    }
    t[0x08] = b'b';
    t[0x09] = b't';
    t[0x0A] = b'n';
    t[0x0C] = b'f';
    t[0x0D] = b'r';
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[0xE2] = b'L';
    t
};

/// The offset of the first byte at or after `i` that [`JSON_ESCAPE`] does not
/// copy as is, or `b.len()`. Notes HTML has a quote or newline every few dozen
/// bytes and long runs of text between: SSE2 checks 16 bytes at a time.
#[inline(always)]
fn next_special(b: &[u8], mut i: usize) -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        // SAFETY: SSE2 is part of the x86_64 baseline; every load reads 16
        // bytes inside `b` (unaligned loads).
        unsafe {
            let splat = |v: u8| _mm_set1_epi8(v as i8);
            let (quote, backslash, e2, below) =
                (splat(b'"'), splat(b'\\'), splat(0xE2), splat(0x1F));
            while i + 16 <= b.len() {
                let v = _mm_loadu_si128(b.as_ptr().add(i) as *const __m128i);
                // v <= 0x1F (unsigned): min(v, 0x1F) == v.
                let control = _mm_cmpeq_epi8(_mm_min_epu8(v, below), v);
                let special = _mm_or_si128(
                    _mm_or_si128(control, _mm_cmpeq_epi8(v, quote)),
                    _mm_or_si128(_mm_cmpeq_epi8(v, backslash), _mm_cmpeq_epi8(v, e2)),
                );
                let mask = _mm_movemask_epi8(special);
                if mask != 0 {
                    return i + mask.trailing_zeros() as usize;
                }
                i += 16;
            }
        }
    }
    b[i..]
        .iter()
        .position(|&c| JSON_ESCAPE[c as usize] != 0)
        .map_or(b.len(), |p| i + p)
}

/// serde_json's string escaping (`\"`, `\\`, `\n`-style short escapes, other
/// control characters as `\u00xx`) plus U+2028/U+2029 as `\u2028`/`\u2029`.
fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let b = s.as_bytes();
    out.reserve(b.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut i = 0;
    loop {
        i = next_special(b, i);
        if i >= b.len() {
            break;
        }
        let c = b[i];
        let e = JSON_ESCAPE[c as usize];
        if e == b'L' {
            // E2 80 A8 / E2 80 A9 (a lead byte: the character is in bounds).
            if b[i + 1] != 0x80 || !matches!(b[i + 2], 0xA8 | 0xA9) {
                i += 1;
                continue;
            }
            out.extend_from_slice(&b[start..i]);
            out.extend_from_slice(if b[i + 2] == 0xA8 {
                b"\\u2028"
            } else {
                b"\\u2029"
            });
            i += 3;
            start = i;
            continue;
        }
        out.extend_from_slice(&b[start..i]);
        if e == b'u' {
            out.extend_from_slice(b"\\u00");
            out.push(HEX[(c >> 4) as usize]);
            out.push(HEX[(c & 0xF) as usize]);
        } else {
            out.extend_from_slice(&[b'\\', e]);
        }
        i += 1;
        start = i;
    }
    out.extend_from_slice(&b[start..]);
    out.push(b'"');
}

/// Writes objects as serde_json's pretty printer does: members on their own
/// lines, two spaces per level, `"key": value`.
struct Obj<'o> {
    out: &'o mut Vec<u8>,
    indent: usize,
    first: bool,
}

impl<'o> Obj<'o> {
    fn open(out: &'o mut Vec<u8>, indent: usize) -> Self {
        out.push(b'{');
        Obj {
            out,
            indent,
            first: true,
        }
    }
    fn key(&mut self, k: &str) -> &mut Vec<u8> {
        self.out
            .extend_from_slice(if self.first { b"\n" } else { b",\n" });
        self.first = false;
        self.out.extend(std::iter::repeat_n(b' ', self.indent + 2));
        self.out.push(b'"');
        self.out.extend_from_slice(k.as_bytes());
        self.out.extend_from_slice(b"\": ");
        self.out
    }
    fn str(&mut self, k: &str, v: &str) {
        let out = self.key(k);
        write_str(out, v);
    }
    fn num(&mut self, k: &str, v: u64) {
        let out = self.key(k);
        std::io::Write::write_fmt(out, format_args!("{v}")).expect("writing to memory");
    }
    fn close(self) {
        if !self.first {
            self.out.push(b'\n');
            self.out.extend(std::iter::repeat_n(b' ', self.indent));
        }
        self.out.push(b'}');
    }
}

/// One item of the `items` array (keys sorted, as a `Value` map holds them):
/// `\n    {` … `\n    }`, exactly as [`ItemSer`] through serde_json.
fn write_item(out: &mut Vec<u8>, i: &crate::model::Item) {
    // items are at depth 2 (root object, items array); their arrays' objects at 4.
    out.extend_from_slice(b"\n    ");
    let mut o = Obj::open(out, 4);
    let array_of =
        |o: &mut Obj<'_>, k: &str, n: usize, each: &mut dyn FnMut(&mut Vec<u8>, usize)| {
            let out = o.key(k);
            out.push(b'[');
            for j in 0..n {
                out.extend_from_slice(if j == 0 { b"\n" } else { b",\n" });
                out.extend_from_slice(b"        ");
                each(out, j);
            }
            out.extend_from_slice(b"\n      ]");
        };
    if let Some(e) = &i.enclosure {
        array_of(&mut o, "attachments", 1, &mut |out, _| {
            let mut a = Obj::open(out, 8);
            if let Some(d) = i.duration {
                a.num("duration_in_seconds", d);
            }
            a.str("mime_type", &e.mime);
            a.num("size_in_bytes", e.length);
            a.str("url", &e.url);
            a.close();
        });
    }
    if !i.persons.is_empty() {
        array_of(&mut o, "authors", i.persons.len(), &mut |out, j| {
            let p = &i.persons[j];
            let mut a = Obj::open(out, 8);
            if let Some(im) = &p.img {
                a.str("avatar", im);
            }
            a.str("name", &p.name);
            if let Some(h) = &p.href {
                a.str("url", h);
            }
            a.close();
        });
    }
    o.str("content_html", &i.content_html);
    o.str("date_published", &i.published.to_rfc3339());
    if let Some(v) = &i.video {
        o.str("external_url", v);
    }
    o.str("id", &i.id_iri);
    if let Some(img) = &i.image {
        o.str("image", img);
    }
    if !i.summary_text.is_empty() {
        o.str("summary", &i.summary_text);
    }
    o.str("title", &i.title);
    if !i.link.is_empty() {
        o.str("url", &i.link);
    }
    o.close();
}

/// [`render_items`] through serde_json's pretty printer: the reference.
pub fn render_items_with_serde(items: &[crate::model::Item]) -> std::io::Result<Vec<u8>> {
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
    use crate::model::{Enclosure, Item, PersonCredit};

    /// Each escaped character at every position around the 16-byte blocks
    /// [`super::next_special`] scans, against serde_json.
    #[test]
    fn strings_escape_like_serde_json_at_every_offset() {
        for special in [
            "\"", "\\", "\n", "\u{0}", "\u{1f}", "\u{7f}", "\u{2028}", "\u{2029}", "\u{2027}", "é",
            "あ",
        ] {
            for pad in 0..40 {
                let s = format!(
                    "{}{special}{}{special}",
                    "a".repeat(pad),
                    "b".repeat(pad % 17)
                );
                let mut ours = Vec::new();
                super::write_str(&mut ours, &s);
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    super::to_string(&serde_json::Value::String(s.clone())),
                    "{s:?}"
                );
            }
        }
    }

    /// Every optional field present and absent, and every kind of character
    /// serde_json escapes (plus U+2028/U+2029), against serde_json itself.
    #[test]
    fn item_writer_matches_serde_json() {
        let published = chrono::DateTime::parse_from_rfc3339("2021-01-22T21:00:00+09:00").unwrap();
        let tricky = "q\"b\\s/\u{0}\u{1}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f}\u{7f}x\u{2028}y\u{2029}z\u{2027}é あ\u{e2}";
        let person = |img: Option<&str>, href: Option<&str>| PersonCredit {
            name: tricky.into(),
            role: "host".into(),
            group: None,
            href: href.map(Into::into),
            img: img.map(Into::into),
        };
        let full = Item {
            number: Some(1),
            slug: "001".into(),
            title: tricky.into(),
            id_iri: "urn:uuid:x".into(),
            link: "https://example.com/1?a=1&b=\"2\"".into(),
            content_html: format!(
                "<p>{tricky}</p>\n<ul>\n<li><a href=\"https://x/\">x</a></li>\n</ul>"
            ),
            summary_text: tricky.into(),
            enclosure: Some(Enclosure {
                url: "https://cdn.example.com/1.mp3".into(),
                length: u64::MAX,
                mime: "audio/mpeg".into(),
            }),
            duration: Some(0),
            image: Some("https://example.com/i.png".into()),
            video: Some("https://youtu.be/x".into()),
            persons: vec![
                person(Some("https://a/"), Some("https://b/")),
                person(None, None),
                person(Some("https://a/"), None),
            ],
            ..Item::placeholder(published)
        };
        let bare = Item {
            enclosure: Some(Enclosure {
                url: String::new(),
                length: 0,
                mime: String::new(),
            }),
            ..Item::placeholder(published)
        };
        // (No empty list: a document without items is written whole.)
        let sets: [&[Item]; 3] = [
            std::slice::from_ref(&full),
            std::slice::from_ref(&bare),
            &[
                full.clone(),
                bare.clone(),
                Item::placeholder(published),
                full.clone(),
            ],
        ];
        for items in sets {
            let mut ours = Vec::new();
            for (k, i) in items.iter().enumerate() {
                if k > 0 {
                    ours.push(b',');
                }
                super::write_item(&mut ours, i);
            }
            let reference = super::render_items_with_serde(items).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                String::from_utf8(reference).unwrap()
            );
        }
    }

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
