//! Edited copies of a document, each of which `feedgen::verify` must refuse:
//! a changed guid (or id), a dropped item, a changed byte inside a notes
//! payload, a stray control character, an unclosed element, and documents
//! other readers would read other items from (an item outside the channel,
//! markup inside an id, a lone surrogate escape, a second items array).

/// `text` with `f` applied at the first `anchor` after the first `after`.
fn at(text: &str, after: &str, anchor: &str, f: impl FnOnce(&mut String, usize)) -> Option<String> {
    let start = text.find(after)?;
    let i = start + text[start..].find(anchor)? + anchor.len();
    let mut s = text.to_string();
    f(&mut s, i);
    Some(s)
}

/// Inserts `what` at the first `anchor` after `after`.
fn insert(text: &str, after: &str, anchor: &str, what: &str) -> Option<String> {
    at(text, after, anchor, |s, i| s.insert_str(i, what))
}

/// Changes the case of the first ASCII letter after `anchor` (after `after`).
fn flip_letter(text: &str, after: &str, anchor: &str) -> Option<String> {
    let start = text.find(after)?;
    let i = start + text[start..].find(anchor)? + anchor.len();
    let j = i + text[i..].find(|c: char| c.is_ascii_alphabetic())?;
    let mut bytes = text.as_bytes().to_vec();
    bytes[j] ^= 0x20;
    String::from_utf8(bytes).ok()
}

/// Removes the last `<tag>…</tag>`.
fn drop_last(text: &str, tag: &str) -> Option<String> {
    let a = text.rfind(&format!("<{tag}>"))?;
    let close = format!("</{tag}>");
    let b = a + text[a..].find(&close)? + close.len();
    Some(format!("{}{}", &text[..a], &text[b..]))
}

/// Removes the last `what`.
fn remove_last(text: &str, what: &str) -> Option<String> {
    let at = text.rfind(what)?;
    Some(format!("{}{}", &text[..at], &text[at + what.len()..]))
}

/// The JSON Feed without its last item.
fn drop_last_json_item(text: &str) -> Option<String> {
    let mut v: serde_json::Value = serde_json::from_str(text).ok()?;
    v["items"].as_array_mut()?.pop()?;
    serde_json::to_string_pretty(&v).ok()
}

/// What verification says about each kind of edit, in order.
const RSS_REASONS: &[&str] = &[
    "read back as",
    "items, expected",
    "are not as rendered",
    "are not as rendered",
    "contains U+0001",
    "not well-formed XML",
    "something else than its <channel>",
    "<b> inside <guid>",
];
const ATOM_REASONS: &[&str] = &[
    "read back as",
    "entries, expected",
    "are not as rendered",
    "contains U+0001",
    "not well-formed XML",
    "<b> inside <id>",
];
const JSON_REASONS: &[&str] = &[
    "read back as",
    "items, expected",
    "are not as rendered",
    "control character",
    "EOF while parsing",
    "hex escape",
    "items array appears twice",
];

/// Every edited copy of document `name`: what was done to it, what
/// verification must say about it, and its bytes.
pub fn broken(name: &str, bytes: &[u8]) -> Vec<(&'static str, &'static str, Vec<u8>)> {
    let text = std::str::from_utf8(bytes).expect("UTF-8");
    let (reasons, edits): (_, Vec<(&'static str, Option<String>)>) = if name.ends_with(".json") {
        (
            JSON_REASONS,
            vec![
                ("a changed id", insert(text, "\"items\"", "\"id\": \"", "x")),
                ("a dropped item", drop_last_json_item(text)),
                (
                    "a changed byte in the notes",
                    flip_letter(text, "\"items\"", "\"content_html\": \""),
                ),
                (
                    "a control character",
                    insert(text, "\"items\"", "\"title\": \"", "\u{1}"),
                ),
                (
                    "an unclosed object",
                    text.strip_suffix('}').map(str::to_string),
                ),
                (
                    "a lone surrogate escape in a member not compared",
                    insert(text, "\"items\"", "\"title\": \"", "\\ud800"),
                ),
                (
                    "a second items array",
                    insert(text, "{", "{", "\"items\": [],"),
                ),
            ],
        )
    } else if name.starts_with("atom") {
        (
            ATOM_REASONS,
            vec![
                ("a changed id", insert(text, "<entry>", "<id>", "x")),
                ("a dropped entry", drop_last(text, "entry")),
                (
                    "a changed byte in the notes",
                    flip_letter(text, "<entry>", "<content type=\"html\"><![CDATA["),
                ),
                (
                    "a control character",
                    insert(text, "<entry>", "<title>", "\u{1}"),
                ),
                ("an unclosed element", remove_last(text, "</title>")),
                (
                    "markup inside an id",
                    insert(text, "<entry>", "<id>", "<b>x</b>"),
                ),
            ],
        )
    } else {
        (
            RSS_REASONS,
            vec![
                (
                    "a changed guid",
                    at(text, "<item>", "<guid", |s, i| {
                        let text_starts = i + s[i..].find('>').unwrap() + 1;
                        s.insert(text_starts, 'x');
                    }),
                ),
                ("a dropped item", drop_last(text, "item")),
                (
                    "a changed byte in the notes",
                    flip_letter(text, "<item>", "<content:encoded><![CDATA["),
                ),
                (
                    "a changed byte in the Apple description",
                    flip_letter(text, "<item>", "<description><![CDATA["),
                ),
                (
                    "a control character",
                    insert(text, "<item>", "<title>", "\u{1}"),
                ),
                ("an unclosed element", remove_last(text, "</title>")),
                (
                    "an item outside the channel",
                    remove_last(text, "</channel>").map(|t| {
                        t.replace(
                            "</rss>",
                            "</channel><x><item><guid>g</guid></item></x></rss>",
                        )
                    }),
                ),
                (
                    "markup inside a guid",
                    at(text, "<item>", "<guid", |s, i| {
                        let text_starts = i + s[i..].find('>').unwrap() + 1;
                        s.insert_str(text_starts, "<b>x</b>");
                    }),
                ),
            ],
        )
    };
    assert_eq!(reasons.len(), edits.len());
    edits
        .into_iter()
        .zip(reasons)
        .map(|((what, edited), reason)| {
            let edited = edited.unwrap_or_else(|| panic!("{name}: nothing to edit for {what}"));
            assert_ne!(edited.as_bytes(), bytes, "{name}: {what} changed nothing");
            (what, *reason, edited.into_bytes())
        })
        .collect()
}
