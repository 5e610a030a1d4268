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
    /// Byte offset in the lossy text, for the caret.
    pub offset: usize,
    /// The offending bytes, for the message.
    pub bytes: Vec<u8>,
}

impl DecodeError {
    /// Where the caret goes in the lossy text: on the replacement character.
    pub fn caret(&self) -> Range<usize> {
        self.offset..self.offset + '\u{FFFD}'.len_utf8()
    }
}

/// Decodes a file. On failure, returns a lossy text (for showing the line)
/// with the position of the first bad byte.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, (String, DecodeError)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    String::from_utf8(normalize_newlines(bytes)).map_err(|e| {
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
            offset: String::from_utf8_lossy(&raw[..valid]).len(),
            bytes: raw[valid..valid + bad_len].to_vec(),
        };
        (String::from_utf8_lossy(raw).into_owned(), error)
    })
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
    .help("save the file as UTF-8 (it may be Shift_JIS or Latin-1)")
}

/// The finding for a podcast.toml that is not UTF-8.
pub(crate) fn config_not_utf8(e: &DecodeError) -> Diagnostic {
    Diagnostic::new(
        Rule::InvalidUtf8,
        format!(
            "podcast.toml is not UTF-8 (line {}, byte column {})",
            e.line, e.byte_column
        ),
    )
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

    #[test]
    fn truncated_sequence_at_end() {
        let (_, e) = decode(b"abc\xE3\x81").unwrap_err();
        assert_eq!((e.line, e.byte_column), (1, 4));
        assert_eq!(e.bytes, vec![0xE3, 0x81]);
    }
}
