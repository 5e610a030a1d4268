//! An item's notes rendered once for every document: the full HTML (for
//! `content:encoded`, Atom content and JSON Feed `content_html`), written by
//! pulldown-cmark's HTML writer; the Apple description; and the plain text
//! summary. The HTML is checked ([`safe_html`]) and fingerprinted, so that
//! reading a document back can tell each payload is exactly the checked one.

use std::hash::Hasher;

use pulldown_cmark::{Event, TagEnd};
use unicode_segmentation::GraphemeCursor;

use super::apple::{self, APPLE_LIMIT};
use super::safe_html::safe_html;
use super::RenderError;
use crate::model::{Item, Notes};

/// One item's notes, rendered and checked.
pub(crate) struct Rendered {
    pub full: String,
    pub apple: String,
    pub summary: String,
}

/// What the HTML of an item's notes looks like, to compare what is read back
/// with: a hash of each rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fingerprint {
    pub full: u64,
    pub apple: u64,
}

/// A hash of `html`, for [`Fingerprint`].
pub(crate) fn fingerprint(html: &str) -> u64 {
    let mut h = rustc_hash::FxHasher::default();
    h.write(html.as_bytes());
    h.write_usize(html.len());
    h.finish()
}

/// Where an item's full notes are: its web page (or the show's).
pub(crate) fn full_link(i: &Item) -> Option<&str> {
    Some(i.link.as_str()).filter(|l| !l.is_empty())
}

impl Rendered {
    /// Renders `item`'s notes; HTML that is not [`safe_html`] is refused.
    pub(crate) fn of(item: &Item) -> Result<Rendered, RenderError> {
        let full = full_html(&item.notes);
        let apple = apple::description(&item.notes, full_link(item), APPLE_LIMIT).html;
        for html in [&full, &apple] {
            safe_html(html).map_err(|e| RenderError::Document(format!("{}: {e}", item.guid)))?;
        }
        Ok(Rendered {
            full,
            apple,
            summary: summary(&item.notes),
        })
    }

    pub(crate) fn fingerprint(&self) -> Fingerprint {
        Fingerprint {
            full: fingerprint(&self.full),
            apple: fingerprint(&self.apple),
        }
    }
}

/// How many characters a summary (Atom `summary`, JSON Feed `summary`) has.
pub(crate) const SUMMARY_CHARS: usize = 500;

/// The notes as HTML.
pub(crate) fn full_html(notes: &Notes) -> String {
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, notes.events());
    out.truncate(out.trim_end().len());
    out
}

/// The notes' plain text, trimmed and [`shorten`]ed to [`SUMMARY_CHARS`]:
/// text and code, a space per line break, a newline after each paragraph,
/// heading and list item.
pub(crate) fn summary(notes: &Notes) -> String {
    let mut text = String::new();
    for e in notes.events() {
        match e {
            Event::Text(t) | Event::Code(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => text.push('\n'),
            _ => {}
        }
    }
    shorten(text.trim(), SUMMARY_CHARS)
}

/// Cuts `s` to at most `max` characters on a grapheme boundary, adding `…`.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    // The longest prefix of whole graphemes with at most `max - 1` characters:
    // the grapheme boundary at or before character `max - 1`.
    let cut = s
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(s.len(), |(i, _)| i);
    let mut cursor = GraphemeCursor::new(cut, s.len(), true);
    let end = match cursor.is_boundary(s, 0) {
        Ok(true) => cut,
        _ => cursor.prev_boundary(s, 0).ok().flatten().unwrap_or(0),
    };
    format!("{}…", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_segmentation::UnicodeSegmentation;

    #[test]
    fn shorten_on_graphemes() {
        assert_eq!(shorten("abc", 5), "abc");
        assert_eq!(shorten("e\u{301}e\u{301}e\u{301}", 3), "e\u{301}…");
    }

    /// The cut is where a walk over whole graphemes stops while the count
    /// stays below `max`.
    #[test]
    fn shorten_cuts_where_a_grapheme_walk_does() {
        fn walk(s: &str, max: usize) -> String {
            if s.chars().count() <= max {
                return s.to_string();
            }
            let mut out = String::new();
            let mut n = 0;
            for g in s.graphemes(true) {
                let c = g.chars().count();
                if n + c + 1 > max {
                    break;
                }
                n += c;
                out.push_str(g);
            }
            out.push('…');
            out
        }
        for s in [
            "plain ascii text",
            "e\u{301}e\u{301}x\u{301}\u{302}y",
            "👩‍👩‍👧‍👦a👩‍👩‍👧‍👦b🇯🇵🇺🇸🇫🇷c",
            "日本語のテキスト、\u{3099}と　全角スペース",
            "a\r\nb\r\nc",
            "",
        ] {
            for max in 0..s.chars().count() + 3 {
                assert_eq!(shorten(s, max), walk(s, max), "{s:?} at {max}");
            }
        }
    }
}
