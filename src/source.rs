//! Source files: decoding bytes into text the way the spec requires, and mapping
//! byte offsets back to the line and column a person sees in their editor.
//!
//! Every diagnostic carries a byte range into one of these files, so decoding must
//! keep offsets meaningful: BOM removal and CR/CRLF normalization happen *before*
//! the offsets are taken, and line/column are computed on the normalized text.

use std::ops::Range;
use std::path::{Path, PathBuf};

/// Index of a file in a [`SourceDb`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// One input file as text, with its line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to the user (relative to the project root when possible).
    pub name: String,
    /// Absolute or project-relative path on disk.
    pub path: PathBuf,
    /// Normalized text (no BOM, LF line ends). For a file that was not valid UTF-8
    /// this is a lossy copy used only to display the offending line; such a file
    /// never reaches the renderers.
    pub text: String,
    /// Computed on first use: most files of a large show never need a line number.
    line_starts: std::sync::OnceLock<Vec<usize>>,
    /// Set when the text was not kept (an episode without findings): its
    /// length and hash, to read it again only if a later finding points into
    /// it ([`SourceDb::reload_for`]).
    unloaded: Option<Fingerprint>,
}

/// What a text that was not kept looked like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint {
    len: usize,
    hash: u64,
}

impl Fingerprint {
    pub fn of(text: &str) -> Self {
        use std::hash::Hasher;
        let mut h = rustc_hash::FxHasher::default();
        h.write(text.as_bytes());
        Fingerprint {
            len: text.len(),
            hash: h.finish(),
        }
    }
}

impl SourceFile {
    pub fn new(name: impl Into<String>, path: impl Into<PathBuf>, text: String) -> Self {
        SourceFile {
            name: name.into(),
            path: path.into(),
            text,
            line_starts: std::sync::OnceLock::new(),
            unloaded: None,
        }
    }

    /// A file whose text was not kept: an episode without findings (at 10k
    /// episodes, 22 MB of memory touched for nothing). Findings made later
    /// (across episodes) get it read again ([`SourceDb::reload_for`]).
    pub fn unloaded(name: impl Into<String>, path: impl Into<PathBuf>, was: Fingerprint) -> Self {
        SourceFile {
            unloaded: Some(was),
            ..SourceFile::new(name, path, String::new())
        }
    }

    /// The text was not kept (see [`SourceFile::unloaded`]).
    pub fn is_unloaded(&self) -> bool {
        self.unloaded.is_some()
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts()[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count() + 1;
        (line + 1, col)
    }

    /// Byte range of a 1-based line, without its line end.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_starts()[line - 1];
        let end = self
            .line_starts()
            .get(line)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        start..end
    }

    pub fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1))
                .collect()
        })
    }
}

/// All files the run has read, so diagnostics can refer to them by id.
#[derive(Debug, Default, Clone)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

impl SourceDb {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }
    /// The id the next [`Self::add`] returns.
    pub fn next_id(&self) -> FileId {
        FileId(self.files.len() as u32)
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// Reads again the texts that were not kept ([`SourceFile::unloaded`]) of
    /// the files `diags` point into, so every finding can be shown with its
    /// line. A file that changed since it was read (or cannot be read) cannot
    /// show where: its findings keep their message, without the span, and say
    /// so.
    pub fn reload_for(&mut self, diags: &mut [crate::diag::Diagnostic]) {
        for d in diags {
            let Some(span) = &d.span else { continue };
            let Some(f) = self.files.get_mut(span.file.0 as usize) else {
                continue;
            };
            let Some(was) = f.unloaded else { continue };
            let again = std::fs::read(&f.path)
                .ok()
                .and_then(|b| decode(&b).ok())
                .filter(|t| Fingerprint::of(t) == was);
            match again {
                Some(text) => {
                    f.text = text;
                    f.unloaded = None;
                }
                None => {
                    d.span = None;
                    d.message
                        .push_str(&format!(" ({} changed while feedgen was running)", f.name));
                }
            }
        }
    }
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

/// Where decoding failed: the first byte that is not UTF-8.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// 1-based line of the bad byte.
    pub line: usize,
    /// 1-based *byte* column of the bad byte within its line.
    pub byte_column: usize,
    /// Byte offset in the (BOM-stripped, line-normalized) lossy text, for the caret.
    pub offset: usize,
    /// The offending bytes, for the message.
    pub bytes: Vec<u8>,
}

/// Decode a file the way SPEC 1.1 requires: drop a UTF-8 BOM, read CRLF and lone CR
/// as LF, and refuse anything that is not UTF-8. On failure, returns a lossy text
/// (for showing the line) together with the position of the first bad byte.
pub fn decode(bytes: &[u8]) -> Result<String, (String, DecodeError)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let normalized = normalize_newlines(bytes);
    if simdutf8::basic::from_utf8(&normalized).is_ok() {
        // SAFETY: just validated as UTF-8 (simdutf8 is several times faster
        // than std on Japanese notes; std below only describes an error).
        return Ok(unsafe { String::from_utf8_unchecked(normalized) });
    }
    match String::from_utf8(normalized) {
        Ok(s) => Ok(s),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let raw = e.as_bytes();
            let bad_len = e.utf8_error().error_len().unwrap_or(raw.len() - valid);
            let line_start = raw[..valid]
                .iter()
                .rposition(|&b| b == b'\n')
                .map(|p| p + 1)
                .unwrap_or(0);
            let line = raw[..valid].iter().filter(|&&b| b == b'\n').count() + 1;
            let lossy_prefix = String::from_utf8_lossy(&raw[..valid]).len();
            let lossy = String::from_utf8_lossy(raw).into_owned();
            Err((
                lossy,
                DecodeError {
                    line,
                    byte_column: valid - line_start + 1,
                    offset: lossy_prefix,
                    bytes: raw[valid..valid + bad_len].to_vec(),
                },
            ))
        }
    }
}

fn normalize_newlines(bytes: &[u8]) -> Vec<u8> {
    if !bytes.contains(&b'\r') {
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

/// Shows a path relative to `root` when it is inside it.
pub fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Characters XML 1.0 cannot hold (C0 controls but tab/LF/CR, U+FFFE, U+FFFF),
/// plus C1 controls, which XML allows but no feed reader displays.
pub fn is_xml_invalid(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Invisible characters that hide or reorder text: zero-width spaces, word
/// joiners, stray BOMs, and bidi overrides/isolates (the "Trojan Source" set).
/// ZWJ/ZWNJ are not listed: emoji sequences and many scripts need them.
pub fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether `b` can start the UTF-8 of a character that [`is_xml_invalid`] or
/// [`is_invisible`] flag, or of U+FFFD. Tab, LF and CR are allowed in XML. Most
/// text has none of these bytes, so scans look for them before decoding.
pub fn is_unsafe_lead(b: u8) -> bool {
    (b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r')
        || b == 0x7F
        || b == 0xC2
        || b == 0xE2
        || b == 0xEF
}

/// The offset of the first byte of `b` that [`is_unsafe_lead`] flags, or that
/// is a raw CR when `cr` is set. Text without such bytes (nearly all text) is
/// skipped 32 bytes at a time with AVX2 where the processor has it, else 16 at
/// a time (SSE2, part of the x86_64 baseline); the flagged byte's offset comes
/// from the block's mask.
pub fn find_suspect(b: &[u8], cr: bool) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: AVX2 is present (checked just above).
            return unsafe { simd::find_avx2(b, cr) };
        }
        simd::find_sse2(b, cr)
    }
    #[cfg(not(target_arch = "x86_64"))]
    find_scalar(b, cr, 0)
}

/// [`find_suspect`] byte by byte, from `start`.
fn find_scalar(b: &[u8], cr: bool, start: usize) -> Option<usize> {
    b[start..]
        .iter()
        .position(|&c| is_unsafe_lead(c) || (cr && c == b'\r'))
        .map(|p| start + p)
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::*;

    /// The bytes of the block `v` that [`super::is_unsafe_lead`] flags (and CR
    /// when `cr`), as a mask: controls other than tab, LF (and CR), DEL, and the
    /// lead bytes 0xC2, 0xE2, 0xEF. One macro for both vector widths.
    macro_rules! flagged {
        ($v:expr, $cr:expr, $set1:ident, $cmpeq:ident, $cmpgt:ident, $and:ident, $or:ident, $andnot:ident, $movemask:ident) => {{
            let v = $v;
            let splat = |x: u8| $set1(x as i8);
            // 0x00..=0x1F: above -1 and below 0x20 as signed bytes.
            let control = $and($cmpgt(v, $set1(-1)), $cmpgt(splat(0x20), v));
            // CR is allowed unless asked for: then it stands in as tab again,
            // so it stays flagged as a control.
            let crv = if $cr { splat(b'\t') } else { splat(b'\r') };
            let allowed = $or(
                $or($cmpeq(v, splat(b'\t')), $cmpeq(v, splat(b'\n'))),
                $cmpeq(v, crv),
            );
            let lead = $or(
                $or($cmpeq(v, splat(0x7F)), $cmpeq(v, splat(0xC2))),
                $or($cmpeq(v, splat(0xE2)), $cmpeq(v, splat(0xEF))),
            );
            $movemask($or($andnot(allowed, control), lead)) as u32
        }};
    }

    /// [`flagged!`] on the 16 bytes at `p`.
    ///
    /// # Safety
    /// 16 bytes must be readable at `p` (SSE2 is baseline).
    #[inline(always)]
    unsafe fn mask16(p: *const u8, cr: bool) -> u32 {
        // SAFETY: the caller's promise.
        unsafe {
            let v = _mm_loadu_si128(p as *const __m128i);
            flagged!(
                v,
                cr,
                _mm_set1_epi8,
                _mm_cmpeq_epi8,
                _mm_cmpgt_epi8,
                _mm_and_si128,
                _mm_or_si128,
                _mm_andnot_si128,
                _mm_movemask_epi8
            )
        }
    }

    /// [`flagged!`] on the 32 bytes at `p`.
    ///
    /// # Safety
    /// 32 bytes must be readable at `p`, and the processor must have AVX2.
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn mask32(p: *const u8, cr: bool) -> u32 {
        // SAFETY: the caller's promise.
        unsafe {
            let v = _mm256_loadu_si256(p as *const __m256i);
            flagged!(
                v,
                cr,
                _mm256_set1_epi8,
                _mm256_cmpeq_epi8,
                _mm256_cmpgt_epi8,
                _mm256_and_si256,
                _mm256_or_si256,
                _mm256_andnot_si256,
                _mm256_movemask_epi8
            )
        }
    }

    pub(super) fn find_sse2(b: &[u8], cr: bool) -> Option<usize> {
        let mut i = 0;
        while i + 16 <= b.len() {
            // SAFETY: the 16 bytes at `i` are inside `b`.
            let m = unsafe { mask16(b.as_ptr().add(i), cr) };
            if m != 0 {
                return Some(i + m.trailing_zeros() as usize);
            }
            i += 16;
        }
        if i == b.len() {
            return None;
        }
        if b.len() < 16 {
            return super::find_scalar(b, cr, i);
        }
        // The rest as the last 16 bytes, without the ones already seen.
        let base = b.len() - 16;
        // SAFETY: `base..base + 16` is inside `b`.
        let m = unsafe { mask16(b.as_ptr().add(base), cr) } >> (i - base);
        (m != 0).then(|| i + m.trailing_zeros() as usize)
    }

    /// # Safety
    /// The processor must have AVX2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn find_avx2(b: &[u8], cr: bool) -> Option<usize> {
        let mut i = 0;
        while i + 32 <= b.len() {
            // SAFETY: the 32 bytes at `i` are inside `b`; AVX2 is the
            // caller's promise.
            let m = unsafe { mask32(b.as_ptr().add(i), cr) };
            if m != 0 {
                return Some(i + m.trailing_zeros() as usize);
            }
            i += 32;
        }
        if i == b.len() {
            return None;
        }
        if b.len() < 32 {
            return find_sse2(b, cr);
        }
        // The rest as the last 32 bytes, without the ones already seen.
        let base = b.len() - 32;
        // SAFETY: `base..base + 32` is inside `b`; AVX2 as above.
        let m = unsafe { mask32(b.as_ptr().add(base), cr) } >> (i - base);
        (m != 0).then(|| i + m.trailing_zeros() as usize)
    }
}

/// Removes what [`is_xml_invalid`] and [`is_invisible`] flag, U+FFFD (what
/// pulldown-cmark makes of NUL and of references like `&#0;`: text already
/// lost) and CR. Files have no CR after [`decode`], so a CR here comes from a
/// reference such as `&#13;`; written raw it would not survive a feed reader's
/// XML parser (which reads it as LF), and verification refuses it. Borrowed
/// when clean.
pub fn strip_unsafe_chars(s: &str) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| is_xml_invalid(c) || is_invisible(c) || c == '\u{FFFD}' || c == '\r';
    // Every such character's UTF-8 starts with one of these bytes; most text
    // has none of them and is returned without decoding a character.
    if find_suspect(s.as_bytes(), true).is_some() && s.chars().any(bad) {
        std::borrow::Cow::Owned(s.chars().filter(|&c| !bad(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file whose text was not kept is read again when a finding points
    /// into it; if it changed in between, the finding loses its span (and says
    /// why) rather than point at the wrong line.
    #[test]
    fn unloaded_texts_come_back_for_findings() {
        use crate::diag::{Diagnostic, Rule, Span};
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.md"), dir.path().join("b.md"));
        std::fs::write(&a, "# 001\r\n\r\nsame\r\n").unwrap();
        std::fs::write(&b, "# 002\n").unwrap();
        let mut db = SourceDb::default();
        let fa = db.add(SourceFile::unloaded(
            "a.md",
            &a,
            Fingerprint::of("# 001\n\nsame\n"),
        ));
        let fb = db.add(SourceFile::unloaded(
            "b.md",
            &b,
            Fingerprint::of("# 002 then\n"),
        ));
        let untouched = db.add(SourceFile::unloaded(
            "c.md",
            dir.path().join("c"),
            Fingerprint::of(""),
        ));
        let mut diags = vec![
            Diagnostic::new(Rule::DuplicateGuid, "x").at_span(Some(Span::new(fa, 7..11))),
            Diagnostic::new(Rule::DuplicateGuid, "y").at_span(Some(Span::new(fb, 0..5))),
        ];
        db.reload_for(&mut diags);
        // Read again and normalized as when it was parsed: same line, column.
        assert_eq!(db.get(fa).text, "# 001\n\nsame\n");
        assert!(!db.get(fa).is_unloaded());
        assert_eq!(db.get(fa).line_col(7), (3, 1));
        assert!(diags[0].span.is_some());
        // Changed since: no span, and the message says so.
        assert!(diags[1].span.is_none());
        assert!(diags[1]
            .message
            .contains("b.md changed while feedgen was running"));
        assert!(db.get(fb).is_unloaded());
        // No finding points into it: not read.
        assert!(db.get(untouched).is_unloaded());
    }

    #[test]
    fn find_suspect_sees_every_flagged_byte_in_and_after_blocks() {
        // Every byte at each place of a 16- and a 32-byte block, in the tails
        // after them, and with a second flagged byte later: each way of scanning
        // finds the first one.
        for c in 0..=255u8 {
            for at in [0, 5, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 70] {
                for len in [at + 1, 72] {
                    let mut v = vec![b'a'; len];
                    v[at] = c;
                    if len > at + 2 {
                        v[len - 1] = 0x01;
                    }
                    for cr in [false, true] {
                        let flagged = is_unsafe_lead(c) || (cr && c == b'\r');
                        let want = if flagged {
                            Some(at)
                        } else {
                            (len > at + 2).then_some(len - 1)
                        };
                        let what = format!("byte {c:#x} at {at} of {len}, cr {cr}");
                        assert_eq!(find_suspect(&v, cr), want, "{what}");
                        assert_eq!(find_scalar(&v, cr, 0), want, "{what}");
                        #[cfg(target_arch = "x86_64")]
                        {
                            assert_eq!(simd::find_sse2(&v, cr), want, "sse2: {what}");
                            if std::arch::is_x86_feature_detected!("avx2") {
                                // SAFETY: AVX2 is present.
                                let got = unsafe { simd::find_avx2(&v, cr) };
                                assert_eq!(got, want, "avx2: {what}");
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn strip_unsafe_chars_fast_path_sees_every_unsafe_character() {
        // The byte pre-check in strip_unsafe_chars must know every lead byte.
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if is_xml_invalid(c) || is_invisible(c) || c == '\u{FFFD}' {
                let s = format!("a{c}b");
                assert!(
                    strip_unsafe_chars(&s) == "ab",
                    "U+{:04X} is not stripped",
                    c as u32
                );
            }
        }
    }

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

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("x", "x", "ab\nあいx\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(9), (2, 3));
    }
}
