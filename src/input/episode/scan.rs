//! Scans of the whole file, before its Markdown is read: characters a feed
//! cannot hold, and bullets written with a full-width space.

use crate::chars::{
    first_suspect_block, is_bidi_control, is_invisible, is_suspect_byte, is_xml_invalid,
};
use crate::diag::{Diagnostic, FileId, Rule};

/// Flags characters XML cannot hold and invisible ones, at their exact offsets.
pub(super) fn characters(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) {
    // Only characters starting with a byte that can begin a flagged one are
    // decoded; those bytes are all ASCII or UTF-8 lead bytes, so char boundaries.
    let Some(start) = first_suspect_block(text.as_bytes(), false) else {
        return;
    };
    let suspects = text.bytes().enumerate().skip(start);
    for (i, _) in suspects.filter(|(_, b)| is_suspect_byte(*b)) {
        let c = text[i..].chars().next().expect("a lead byte starts a char");
        let span = i..i + c.len_utf8();
        if is_xml_invalid(c) {
            diags.push(
                Diagnostic::new(
                    Rule::ControlCharacter,
                    format!(
                        "control character U+{:04X} cannot appear in a feed; it is removed",
                        c as u32
                    ),
                )
                .at(file, span),
            );
        } else if is_invisible(c) {
            let what = if is_bidi_control(c) {
                "bidi override"
            } else {
                "invisible character"
            };
            diags.push(
                Diagnostic::new(
                    Rule::InvisibleCharacter,
                    format!(
                        "{what} U+{:04X} hides or reorders text; it is removed",
                        c as u32
                    ),
                )
                .at(file, span),
            );
        }
    }
}

/// `-　text` (dash + U+3000) looks like a bullet but is a paragraph line.
pub(super) fn fullwidth_bullets(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) {
    // Most files have no U+3000 at all: one search, not a walk per line.
    if memchr::memmem::find(text.as_bytes(), "\u{3000}".as_bytes()).is_none() {
        return;
    }
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let rest = &line[indent..];
        for marker in ["-\u{3000}", "*\u{3000}", "+\u{3000}"] {
            if rest.starts_with(marker) {
                let at = pos + indent;
                diags.push(
                    Diagnostic::new(
                        Rule::FullwidthBullet,
                        "this line looks like a list item, but a full-width space follows the marker, so it continues the paragraph above",
                    )
                    .at(file, at..at + marker.len())
                    .help("use an ASCII space after the marker"),
                );
            }
        }
        pos += line.len();
    }
}
