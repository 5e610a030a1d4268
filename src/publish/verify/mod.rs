//! Read-back verification: every document is read back as written, by the
//! crates podcast apps' parsers resemble (quick-xml for RSS and Atom,
//! serde_json for the JSON Feed), before it may replace the last good one.
//! It must be well-formed, hold exactly the feed's items in order with their
//! identities, and carry as notes exactly the HTML the renderers checked
//! (each payload's fingerprint is its rendering's).

mod html;
mod json;
mod xml;

pub(crate) use html::page;

use std::io::BufRead;

use crate::chars::{first_suspect_block, is_xml_invalid};
use crate::model::Item;
use crate::render::{Fingerprint, Kind};

/// Reads one document back and checks it against the items it should hold,
/// whose notes were rendered as `prints` say.
pub(crate) fn document(
    kind: Kind,
    input: impl BufRead,
    items: &[Item],
    prints: &[Fingerprint],
) -> Result<(), String> {
    let expected = Expected { items, prints };
    match kind {
        Kind::Rss => xml::rss(input, &expected),
        Kind::Atom => xml::atom(input, &expected),
        Kind::Json => json::json_feed(input, &expected),
    }
}

/// What a document should hold.
struct Expected<'a> {
    items: &'a [Item],
    prints: &'a [Fingerprint],
}

/// Which rendering of the notes a payload is.
#[derive(Clone, Copy)]
enum Notes {
    Full,
    Apple,
}

impl Expected<'_> {
    /// A payload read back for item `n` (its fingerprint: `print`) must be
    /// its checked rendering.
    fn notes(&self, n: usize, which: Notes, print: u64) -> Result<(), String> {
        let want = self.prints.get(n).map(|p| match which {
            Notes::Full => p.full,
            Notes::Apple => p.apple,
        });
        if want != Some(print) {
            return Err(format!("the notes of item {} are not as rendered", n + 1));
        }
        Ok(())
    }
}

/// `bytes` as text an XML document may hold: UTF-8, only characters XML 1.0
/// can hold, and no CR (a reader's parser would read it as LF: feedgen never
/// writes one).
fn check_text(bytes: &[u8]) -> Result<&str, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    if first_suspect_block(bytes, true).is_some() {
        if let Some(c) = text.chars().find(|&c| is_xml_invalid(c)) {
            return Err(format!("contains U+{:04X}", c as u32));
        }
        if text.contains('\r') {
            return Err("contains a raw CR".into());
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_xml_cannot_hold_is_refused() {
        assert!(check_text("plain — テキスト\t\n".as_bytes()).is_ok());
        for bad in ["a\u{1}b", "a\u{85}b", "a\u{FFFE}b", "a\rb", "\u{7F}"] {
            assert!(check_text(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(check_text(b"a\xffb").is_err());
    }

    #[test]
    fn xml_that_is_not_well_formed_is_refused() {
        let document =
            |kind, input: &[u8], items: &[Item]| super::document(kind, input, items, &[]);
        for bad in [
            "<rss><channel></rss>",
            "<rss><channel/></rss><rss/>",
            "<rss><channel/>\u{1}</rss>",
            "<rss><channel a=\"1\" a=\"2\"/></rss>",
            "<rss><channel><!-- a -- b --></channel></rss>",
        ] {
            assert!(document(Kind::Rss, bad.as_bytes(), &[]).is_err(), "{bad}");
        }
        assert!(document(Kind::Rss, &b"<rss><channel/></rss>"[..], &[]).is_ok());
    }
}
