//! Each document against the crate that wrote it: read back by that crate and
//! written again, it must come out byte for byte as feedgen wrote it, but for
//! the differences named here, each with its reason.

use std::collections::BTreeMap;

use feedgen::model::Item;

/// Where `a` and `b` first differ, with some context, for a failure message.
pub fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a
        .iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let around = |s: &[u8]| {
        String::from_utf8_lossy(&s[at.saturating_sub(80)..(at + 80).min(s.len())]).into_owned()
    };
    format!(
        "first difference at byte {at} (lengths {} and {}):\n  written: {:?}\n  crate:   {:?}",
        a.len(),
        b.len(),
        around(a),
        around(b)
    )
}

fn same(name: &str, written: &[u8], again: &[u8]) -> Result<(), String> {
    if written == again {
        Ok(())
    } else {
        Err(format!("{name}: {}", first_difference(written, again)))
    }
}

fn rss_ext(name: &str, value: String) -> rss::extension::Extension {
    rss::extension::Extension {
        name: name.into(),
        value: Some(value),
        ..Default::default()
    }
}

fn put(map: &mut rss::extension::ExtensionMap, local: &str, ext: rss::extension::Extension) {
    map.entry("itunes".into())
        .or_default()
        .insert(local.into(), vec![ext]);
}

/// What the `rss` crate writes for the channel it reads from `bytes`, once
/// two losses of its reader are undone. The reader moves every `itunes:*`
/// element into its iTunes structs: `itunes:type`, which feedgen writes among
/// the channel's extension elements, comes back as
/// `ITunesChannelExtension::type` (which the crate writes after
/// `itunes:owner`); and each item's `itunes:title`, which those structs have
/// no field for, is dropped. Both go back where feedgen writes them:
/// `itunes:title` with the text of the item's `title`, so the document must
/// also give the two the same text.
pub fn rss_again(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut ch = rss::Channel::read_from(bytes).map_err(|e| format!("rss cannot read it: {e}"))?;
    if let Some(kind) = ch.itunes_ext.as_mut().and_then(|it| it.r#type.take()) {
        put(&mut ch.extensions, "type", rss_ext("itunes:type", kind));
    }
    for item in &mut ch.items {
        if let Some(title) = item.title.clone() {
            put(
                &mut item.extensions,
                "title",
                rss_ext("itunes:title", title),
            );
        }
    }
    ch.write_to(Vec::new()).map_err(|e| e.to_string())
}

/// An RSS page is what the `rss` crate writes for it (see [`rss_again`]).
pub fn rss_as_the_crate_writes(name: &str, bytes: &[u8]) -> Result<(), String> {
    same(name, bytes, &rss_again(bytes)?)
}

/// The JSON Feed is serde_json's pretty printing of the value it parses to,
/// U+2028 and U+2029 escaped (serde_json writes them raw; they can only occur
/// in strings, where an escape means the same).
pub fn json_as_serde_writes(name: &str, bytes: &[u8]) -> Result<(), String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| format!("{name}: {e}"))?;
    let again = serde_json::to_string_pretty(&v)
        .unwrap()
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029");
    same(name, bytes, again.as_bytes())
}

/// `html` as CDATA sections, split where it holds `]]>`.
fn cdata(html: &str) -> String {
    format!("<![CDATA[{}]]>", html.replace("]]>", "]]]]><![CDATA[>"))
}

const EMPTY_CONTENT: &str = "<content type=\"html\"></content>";

/// What `atom_syndication` writes for the feed it reads from `bytes`, once
/// two differences are undone: the crate writes a content's text escaped,
/// where feedgen writes the notes as CDATA (as RSS carries them), and it
/// writes the feed's extension elements (`fh:complete`) after the entries,
/// where feedgen writes them before (where RFC 4287's schema has them).
pub fn atom_again(bytes: &[u8]) -> Result<(atom_syndication::Feed, Vec<u8>), String> {
    let read = atom_syndication::Feed::read_from(bytes)
        .map_err(|e| format!("atom_syndication cannot read it: {e}"))?;
    let mut bare = read.clone();
    let mut html = Vec::new();
    for e in &mut bare.entries {
        let c = e.content.as_mut().ok_or("an entry without content")?;
        html.push(c.value.take().unwrap_or_default());
    }
    let mut again = String::from_utf8(bare.write_to(Vec::new()).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    if let (Some(first), Some(last)) = (again.find("<entry>"), again.rfind("</entry>")) {
        let end = last + "</entry>".len();
        let close = again.rfind("</feed>").ok_or("no </feed>")?;
        let extensions = again[end..close].to_string();
        again.replace_range(end..close, "");
        again.insert_str(first, &extensions);
    }
    let mut out = String::with_capacity(bytes.len());
    let mut rest = again.as_str();
    for h in &html {
        let at = rest
            .find(EMPTY_CONTENT)
            .ok_or("fewer content elements than entries")?;
        out.push_str(&rest[..at]);
        out.push_str(&format!("<content type=\"html\">{}</content>", cdata(h)));
        rest = &rest[at + EMPTY_CONTENT.len()..];
    }
    out.push_str(rest);
    Ok((read, out.into_bytes()))
}

/// The notes HTML of `item`: pulldown-cmark's rendering of its notes.
pub fn notes_html(item: &Item) -> String {
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, item.notes.events());
    html.truncate(html.trim_end().len());
    html
}

/// An entry as compared with the model: id, title, links (rel, href, type,
/// length) and content (type, text).
type Entry = (
    String,
    String,
    Vec<[Option<String>; 4]>,
    (Option<String>, String),
);

fn link(rel: &str, href: &str, mime: Option<&str>, length: Option<u64>) -> [Option<String>; 4] {
    [
        Some(rel.into()),
        Some(href.into()),
        mime.map(str::to_string),
        length.map(|l| l.to_string()),
    ]
}

/// What an item's entry holds.
fn entry_of(i: &Item) -> Entry {
    let mut links = Vec::new();
    if !i.link.is_empty() {
        links.push(link("alternate", &i.link, Some("text/html"), None));
    }
    if let Some(e) = &i.enclosure {
        links.push(link("enclosure", &e.url, Some(&e.mime), Some(e.length)));
    }
    if let Some(v) = &i.video {
        links.push(link("related", v, Some("text/html"), None));
    }
    (
        i.id_iri.clone(),
        i.title.clone(),
        links,
        (Some("html".into()), notes_html(i)),
    )
}

fn entry_read(e: &atom_syndication::Entry) -> Entry {
    let links = e
        .links
        .iter()
        .map(|l| {
            [
                Some(l.rel.clone()),
                Some(l.href.clone()),
                l.mime_type.clone(),
                l.length.clone(),
            ]
        })
        .collect();
    let content = e.content.as_ref();
    (
        e.id.clone(),
        e.title.value.clone(),
        links,
        (
            content.and_then(|c| c.content_type.clone()),
            content.and_then(|c| c.value.clone()).unwrap_or_default(),
        ),
    )
}

/// An Atom page holds the entries of `items`, and is what `atom_syndication`
/// writes for it (see [`atom_again`]).
pub fn atom_as_the_crate_writes(name: &str, bytes: &[u8], items: &[Item]) -> Result<(), String> {
    let (read, again) = atom_again(bytes).map_err(|e| format!("{name}: {e}"))?;
    let got: Vec<Entry> = read.entries.iter().map(entry_read).collect();
    let want: Vec<Entry> = items.iter().map(entry_of).collect();
    if got != want {
        let at = got.iter().zip(&want).position(|(g, w)| g != w);
        return Err(format!(
            "{name}: the entries are not the model's ({} read, {} expected); first differing: {at:?}\n  read:  {:?}\n  model: {:?}",
            got.len(),
            want.len(),
            at.map(|a| &got[a]),
            at.map(|a| &want[a]),
        ));
    }
    same(name, bytes, &again)
}

/// The model's items by page number: pages of `page_size` items (RFC 5005
/// paging), newest first, as the RSS and the Atom pages hold them.
pub fn pages(items: &[Item], page_size: Option<usize>) -> BTreeMap<usize, &[Item]> {
    match page_size {
        Some(size) if size > 0 && items.len() > size => items
            .chunks(size)
            .enumerate()
            .map(|(k, c)| (k + 1, c))
            .collect(),
        _ => BTreeMap::from([(1, items)]),
    }
}

/// The page number of a document name: `feed.xml` 1, `atom-3.xml` 3.
pub fn page_of(name: &str) -> usize {
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    stem.rsplit_once('-').map_or(1, |(_, n)| n.parse().unwrap())
}
