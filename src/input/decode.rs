//! Bytes to text: a UTF-8 BOM dropped, CRLF and lone CR read as LF, and
//! anything that is not UTF-8 refused with the line and byte column of the
//! first bad byte. Offsets of findings are taken on the decoded text.

use std::ops::Range;

use crate::diag::{Diagnostic, Rule};

/// Where decoding failed: the first byte that is not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DecodeError {
    /// 1-based line of the bad byte.
    pub line: usize,
    /// 1-based *byte* column of the bad byte within its line.
    pub byte_column: usize,
    /// Where the bad byte is in the text returned with the error: on the
    /// replacement character that stands for it, or on the NUL of UTF-16.
    pub caret: Range<usize>,
    /// The offending bytes, for the message.
    pub bytes: Vec<u8>,
    /// The file looks like UTF-16 (a UTF-16 BOM, or NUL bytes every other
    /// byte), which the help names instead of guessing a legacy encoding.
    pub utf16: bool,
}

/// Decodes a file. On failure, returns a lossy text (for showing the line)
/// with the position of the first bad byte.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, (String, DecodeError)> {
    let original = bytes;
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = String::from_utf8(normalize_newlines(bytes)).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let raw = e.as_bytes();
        let bad_len = e.utf8_error().error_len().unwrap_or(raw.len() - valid);
        let line_start = raw[..valid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |p| p + 1);
        let line = memchr::memchr_iter(b'\n', &raw[..valid]).count() + 1;
        let error = DecodeError {
            line,
            byte_column: valid - line_start + 1,
            caret: {
                let at = String::from_utf8_lossy(&raw[..valid]).len();
                at..at + '\u{FFFD}'.len_utf8()
            },
            bytes: raw[valid..valid + bad_len].to_vec(),
            utf16: looks_utf16(original),
        };
        (String::from_utf8_lossy(raw).into_owned(), error)
    })?;
    // UTF-16 of ASCII text is valid UTF-8, a NUL every other byte: refused
    // as UTF-16 at its first NUL, not read as text full of control characters.
    match memchr::memchr(0, text.as_bytes()) {
        Some(nul) if looks_utf16(original) => {
            let before = &text.as_bytes()[..nul];
            let line_start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let error = DecodeError {
                line: memchr::memchr_iter(b'\n', before).count() + 1,
                byte_column: nul - line_start + 1,
                caret: nul..nul + 1,
                bytes: vec![0],
                utf16: true,
            };
            Err((text, error))
        }
        _ => Ok(text),
    }
}

/// Whether `bytes` look like UTF-16: a UTF-16 BOM, or, in the first 4 KiB,
/// many byte pairs with a NUL on one side (the ASCII of Markdown and front
/// matter) and almost none with it on the other.
fn looks_utf16(bytes: &[u8]) -> bool {
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return true;
    }
    let pairs = bytes[..bytes.len().min(4096)].chunks_exact(2);
    let total = pairs.len();
    let (mut le, mut be) = (0, 0);
    for p in pairs {
        match (p[0], p[1]) {
            (a, 0) if a != 0 => le += 1,
            (0, b) if b != 0 => be += 1,
            _ => {}
        }
    }
    let (many, few) = (le.max(be), le.min(be));
    total >= 2 && many * 4 >= total && few * 8 <= many
}

fn normalize_newlines(bytes: &[u8]) -> Vec<u8> {
    if memchr::memchr(b'\r', bytes).is_none() {
        return bytes.to_vec();
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\r' {
            out.push(b'\n');
            if bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
        } else {
            out.push(bytes[i]);
        }
        i += 1;
    }
    out
}

/// The finding for an episode file that is not UTF-8 (its span is set by the
/// caller, who knows the file's id).
pub(crate) fn episode_not_utf8(e: &DecodeError) -> Diagnostic {
    let shown: Vec<String> = e.bytes.iter().map(|b| format!("{b:#04x}")).collect();
    Diagnostic::new(
        Rule::InvalidUtf8,
        format!(
            "the file is not UTF-8: byte {} at line {}, byte column {}",
            shown.join(" "),
            e.line,
            e.byte_column
        ),
    )
    .help(if e.utf16 {
        "it is UTF-16; save it as UTF-8"
    } else {
        "save the file as UTF-8 (it may be Shift_JIS or Latin-1)"
    })
}

/// The finding for a podcast.toml that is not UTF-8.
pub(crate) fn config_not_utf8(e: &DecodeError) -> Diagnostic {
    let d = Diagnostic::new(
        Rule::InvalidUtf8,
        format!(
            "podcast.toml is not UTF-8 (line {}, byte column {})",
            e.line, e.byte_column
        ),
    );
    if e.utf16 {
        d.help("it is UTF-16; save it as UTF-8")
    } else {
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bom_and_crlf_are_normalized() {
        assert_eq!(decode(b"\xEF\xBB\xBFa\r\nb\rc\n").unwrap(), "a\nb\nc\n");
    }

    #[test]
    fn non_utf8_reports_line_and_byte_column() {
        let (_, e) = decode(b"ok\nab\x82\xa0c\n").unwrap_err();
        assert_eq!((e.line, e.byte_column), (2, 3));
        assert_eq!(e.bytes, vec![0x82]);
    }

    fn utf16(s: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        for u in s.encode_utf16() {
            let b = if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            };
            out.extend_from_slice(&b);
        }
        if bom {
            let b: &[u8] = if big_endian { b"\xFE\xFF" } else { b"\xFF\xFE" };
            out.splice(0..0, b.iter().copied());
        }
        out
    }

    fn help_of(bytes: &[u8]) -> String {
        let (_, e) = decode(bytes).unwrap_err();
        episode_not_utf8(&e).help.unwrap()
    }

    #[test]
    fn utf16_is_named_in_the_help() {
        let text = "+++\ntitle = \"Épisode 1\"\n+++\n# 001: 日本語のタイトル\n- Hosted by @alice\n";
        for be in [false, true] {
            for bom in [false, true] {
                let help = help_of(&utf16(text, be, bom));
                assert_eq!(help, "it is UTF-16; save it as UTF-8", "be {be} bom {bom}");
            }
        }
        // ASCII-only UTF-16 without a BOM is valid UTF-8, and refused all the same.
        let (_, e) = decode(&utf16("# 001: Title\n- note\n", false, false)).unwrap_err();
        assert_eq!((e.line, e.byte_column, e.utf16), (1, 2, true));
        let (_, e) = decode(&utf16("# 001\n", true, false)).unwrap_err();
        assert_eq!((e.line, e.byte_column, e.utf16), (1, 1, true));
        // A BOM alone is enough, whatever follows.
        assert!(help_of(b"\xFF\xFE\x00\xD8").contains("UTF-16"));
        let (_, e) = decode(&utf16(text, false, true)).unwrap_err();
        assert!(config_not_utf8(&e).help.unwrap().contains("UTF-16"));
    }

    #[test]
    fn other_encodings_keep_the_legacy_help() {
        // Shift_JIS and Latin-1 text: no NUL bytes.
        for bytes in [
            &b"# 001: \x93\xfa\x96\x7b\x8c\xea\n- note\n"[..],
            &b"# 001: caf\xe9\n- na\xefve\n"[..],
            &b"\xE3\x81"[..],
        ] {
            let help = help_of(bytes);
            assert!(help.contains("Shift_JIS or Latin-1"), "{help}");
        }
        // A stray NUL or two in Latin-1 text is not UTF-16.
        assert!(help_of(b"a\x00b caf\xe9 and more text here\n").contains("Shift_JIS"));
        assert!(config_not_utf8(&decode(b"caf\xe9").unwrap_err().1)
            .help
            .is_none());
    }

    #[test]
    fn truncated_sequence_at_end() {
        let (_, e) = decode(b"abc\xE3\x81").unwrap_err();
        assert_eq!((e.line, e.byte_column), (1, 4));
        assert_eq!(e.bytes, vec![0xE3, 0x81]);
    }
}
