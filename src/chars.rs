//! Characters a feed cannot carry: those XML 1.0 cannot hold, and invisible
//! ones that hide or reorder text. The input stage removes them (with a
//! finding); the verifier refuses any that reach an output.

use std::borrow::Cow;

/// Characters XML 1.0 cannot hold (C0 controls but tab/LF/CR, U+FFFE, U+FFFF),
/// plus C1 controls, which XML allows but no feed reader displays.
pub(crate) fn is_xml_invalid(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Invisible characters that hide or reorder text: zero-width spaces, word
/// joiners, stray BOMs, and bidi overrides/isolates (the "Trojan Source" set).
/// ZWJ/ZWNJ are not listed: emoji sequences and many scripts need them.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Bidi overrides and isolates, the part of [`is_invisible`] that reorders text.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `b` can start the UTF-8 of a character [`is_xml_invalid`] or
/// [`is_invisible`] flags, or of U+FFFD. Tab, LF and CR are allowed in XML.
/// Most text has none of these bytes: scans look for them before decoding.
pub(crate) fn is_suspect_byte(b: u8) -> bool {
    (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r') || matches!(b, 0x7F | 0xC2 | 0xE2 | 0xEF)
}

/// The offset of the first 64-byte block of `bytes` holding a byte
/// [`is_suspect_byte`] flags (or a CR, with `cr`): the text before it needs no
/// decoding. Within a block there is no early exit, so the compiler checks
/// many bytes at once.
pub(crate) fn first_suspect_block(bytes: &[u8], cr: bool) -> Option<usize> {
    bytes
        .chunks(64)
        .position(|block| {
            block.iter().fold(false, |any, &b| {
                any | is_suspect_byte(b) | (cr & (b == b'\r'))
            })
        })
        .map(|i| i * 64)
}

/// Removes what [`is_xml_invalid`] and [`is_invisible`] flag, U+FFFD (what
/// pulldown-cmark makes of NUL and of references like `&#0;`: text already
/// lost) and CR. Files have no CR after decoding, so a CR here comes from a
/// reference such as `&#13;`; written raw it would not survive a feed reader's
/// XML parser (which reads it as LF). Borrowed when nothing is removed.
pub(crate) fn strip_unsafe(s: &str) -> Cow<'_, str> {
    let bad = |c: char| is_xml_invalid(c) || is_invisible(c) || c == '\u{FFFD}' || c == '\r';
    let suspect = first_suspect_block(s.as_bytes(), true).is_some();
    if suspect && s.chars().any(bad) {
        Cow::Owned(s.chars().filter(|&c| !bad(c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unsafe_character_starts_with_a_suspect_byte_and_is_stripped() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if is_xml_invalid(c) || is_invisible(c) || c == '\u{FFFD}' {
                let mut buf = [0u8; 4];
                let lead = c.encode_utf8(&mut buf).as_bytes()[0];
                assert!(is_suspect_byte(lead), "U+{:04X}", c as u32);
                assert_eq!(strip_unsafe(&format!("a{c}b")), "ab", "U+{:04X}", c as u32);
            }
        }
        assert_eq!(strip_unsafe("a\rb"), "ab");
        assert!(matches!(strip_unsafe("plain — text"), Cow::Borrowed(_)));
    }
}
