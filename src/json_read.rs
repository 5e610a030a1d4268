//! A strict JSON reader (RFC 8259) for reading JSON Feed back before it is
//! published ([`crate::verify`]): the whole grammar (objects, arrays, strings
//! with every escape and surrogate pairs, numbers, literals, nesting up to
//! [`MAX_DEPTH`]), in one pass over text already checked to be UTF-8, copying
//! no string.
//!
//! serde_json reads the same documents in debug builds and must agree on every
//! chunk (see `verify::json_prechecked`). This reader exists because serde_json
//! decodes each notes payload into a new string before it can be compared: most
//! of the read-back's cost, for a payload of escaped HTML (`\"` every few
//! bytes). Here the payload is compared with the rendering it must equal while
//! it is scanned, 16 bytes at a time.

/// Deepest nesting accepted (serde_json's limit).
pub const MAX_DEPTH: usize = 128;

/// A string member of an item as read back: its raw text (quotes and escapes
/// as written) and, when a string was expected there, whether it decodes to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Member<'a> {
    pub raw: &'a str,
    pub matches: bool,
}

impl Member<'_> {
    /// The decoded string (only needed when it does not match what was
    /// expected; the reader has already checked it).
    pub fn decode(&self) -> Result<String, String> {
        serde_json::from_str(self.raw).map_err(|e| e.to_string())
    }
}

/// What one element of `items` held: `id` and `content_html` when present as
/// strings (`null` counts as absent, as for serde's `Option`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ItemMembers<'a> {
    pub id: Option<Member<'a>>,
    pub content_html: Option<Member<'a>>,
}

/// Reads `text` as one JSON object. Each element of its `items` array must be
/// an object; `expect(n)` gives the `id` and `content_html` the n-th one should
/// hold (compared as they are scanned), and `item(n, members)` is called once it
/// is read. Returns the number of items, or None when there is no `items`
/// array.
pub fn read_items<'a, 'e>(
    text: &'a str,
    expect: impl Fn(usize) -> (Option<&'e str>, Option<&'e str>),
    mut item: impl FnMut(usize, ItemMembers<'a>) -> Result<(), String>,
) -> Result<Option<usize>, String> {
    let mut r = Reader {
        b: text.as_bytes(),
        text,
        i: 0,
        depth: 0,
    };
    r.ws();
    if r.peek() != Some(b'{') {
        return Err(r.err("expected an object"));
    }
    let mut count = None;
    let mut seen_items = false;
    r.object(|r, key| {
        if !key_is(key, "items") {
            return r.value();
        }
        if seen_items {
            return Err(r.err("duplicate field `items`"));
        }
        seen_items = true;
        if r.peek() != Some(b'[') {
            return r.value();
        }
        let mut n = 0;
        r.array(|r| {
            if r.peek() != Some(b'{') {
                return Err(r.err("an item is not an object"));
            }
            let (want_id, want_html) = expect(n);
            let mut m = ItemMembers::default();
            let (mut seen_id, mut seen_html) = (false, false);
            r.object(|r, key| {
                let (slot, seen, want) = if key_is(key, "id") {
                    (&mut m.id, &mut seen_id, want_id)
                } else if key_is(key, "content_html") {
                    (&mut m.content_html, &mut seen_html, want_html)
                } else {
                    return r.value();
                };
                if std::mem::replace(seen, true) {
                    return Err(r.err("duplicate field in an item"));
                }
                match r.peek() {
                    Some(b'"') => {
                        let (raw, matches) = r.string(want)?;
                        *slot = Some(Member { raw, matches });
                        Ok(())
                    }
                    Some(b'n') => r.literal(b"null"),
                    _ => Err(r.err("expected a string or null")),
                }
            })?;
            item(n, m)?;
            n += 1;
            Ok(())
        })?;
        count = Some(n);
        Ok(())
    })?;
    r.ws();
    if r.i != r.b.len() {
        return Err(r.err("trailing characters"));
    }
    Ok(count)
}

/// A key as read (raw, with its quotes) equals `name` once decoded.
fn key_is(raw: &str, name: &str) -> bool {
    let body = &raw[1..raw.len() - 1];
    if !body.contains('\\') {
        return body == name;
    }
    serde_json::from_str::<String>(raw).is_ok_and(|k| k == name)
}

struct Reader<'a> {
    b: &'a [u8],
    text: &'a str,
    i: usize,
    depth: usize,
}

impl<'a> Reader<'a> {
    fn err(&self, what: &str) -> String {
        format!("{what} at byte {}", self.i)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected `{}`", c as char)))
        }
    }

    fn nest(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("recursion limit exceeded"));
        }
        Ok(())
    }

    /// An object at `self.i` (on its `{`): `member(reader, raw key)` reads each
    /// value (the reader is past the colon and whitespace).
    fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a str) -> Result<(), String>,
    ) -> Result<(), String> {
        self.nest()?;
        self.expect(b'{')?;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(self.err("expected a key"));
            }
            let start = self.i;
            self.string(None)?;
            let key = &self.text[start..self.i];
            self.ws();
            self.expect(b':')?;
            self.ws();
            member(self, key)?;
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                }
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.err("expected `,` or `}`")),
            }
        }
    }

    /// An array at `self.i` (on its `[`): `element(reader)` reads each element
    /// (the reader is on its first byte).
    fn array(
        &mut self,
        mut element: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        self.nest()?;
        self.expect(b'[')?;
        self.ws();
        if self.peek() == Some(b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            element(self)?;
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                }
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.err("expected `,` or `]`")),
            }
        }
    }

    /// Any value, checked and skipped.
    fn value(&mut self) -> Result<(), String> {
        match self.peek() {
            Some(b'{') => self.object(|r, _| r.value()),
            Some(b'[') => self.array(|r| r.value()),
            Some(b'"') => self.string(None).map(|_| ()),
            Some(b't') => self.literal(b"true"),
            Some(b'f') => self.literal(b"false"),
            Some(b'n') => self.literal(b"null"),
            Some(b'-' | b'0'..=b'9') => self.number(),
            _ => Err(self.err("expected a value")),
        }
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), String> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(())
        } else {
            Err(self.err("expected a value"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while let Some(b'0'..=b'9') = self.peek() {
            self.i += 1;
        }
        self.i - start
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<(), String> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek() {
            Some(b'0') => self.i += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.err("invalid number")),
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(self.err("invalid number"));
            }
        }
        Ok(())
    }

    /// A string at `self.i` (on its opening quote). Returns its raw text, with
    /// the quotes, and whether it decodes to `want` (false without one). Raw
    /// control characters, unknown escapes, bad hex and unpaired surrogates are
    /// errors.
    fn string(&mut self, want: Option<&str>) -> Result<(&'a str, bool), String> {
        let start = self.i;
        self.i += 1;
        let w = want.map(str::as_bytes).unwrap_or(b"");
        let mut j = 0;
        let mut same = want.is_some();
        loop {
            // Runs with nothing to decode: 16 bytes at a time, compared with
            // the expected string as they go.
            if same {
                let n = run_matching(&self.b[self.i..], &w[j..]);
                self.i += n;
                j += n;
            } else {
                self.i += run_plain(&self.b[self.i..]);
            }
            let Some(c) = self.peek() else {
                return Err(self.err("unterminated string"));
            };
            match c {
                b'"' => {
                    self.i += 1;
                    return Ok((&self.text[start..self.i], same && j == w.len()));
                }
                // The escapes notes HTML is full of (a newline after each
                // block, a quote around each attribute), and the other
                // one-letter ones: decoded by a table lookup.
                b'\\'
                    if self
                        .b
                        .get(self.i + 1)
                        .is_some_and(|&e| SHORT_ESCAPE[e as usize] != 0) =>
                {
                    let d = SHORT_ESCAPE[self.b[self.i + 1] as usize];
                    self.i += 2;
                    if same {
                        if w.get(j) == Some(&d) {
                            j += 1;
                        } else {
                            same = false;
                        }
                    }
                }
                b'\\' => {
                    let ch = self.escape()?;
                    if same {
                        let mut buf = [0u8; 4];
                        let enc = ch.encode_utf8(&mut buf).as_bytes();
                        if w.get(j..j + enc.len()) == Some(enc) {
                            j += enc.len();
                        } else {
                            same = false;
                        }
                    }
                }
                0x00..=0x1F => return Err(self.err("control character in a string")),
                _ => {
                    if same {
                        if w.get(j) == Some(&c) {
                            j += 1;
                        } else {
                            same = false;
                        }
                    }
                    self.i += 1;
                }
            }
        }
    }

    /// An escape at `self.i` (on its backslash): the character it stands for.
    fn escape(&mut self) -> Result<char, String> {
        let c = match self.b.get(self.i + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let hi = self.hex4(self.i + 2)?;
                self.i += 6;
                return match hi {
                    0xD800..=0xDBFF => {
                        if !self.b[self.i..].starts_with(b"\\u") {
                            return Err(self.err("unpaired surrogate"));
                        }
                        let lo = self.hex4(self.i + 2)?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return Err(self.err("unpaired surrogate"));
                        }
                        self.i += 6;
                        let cp = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                        char::from_u32(cp).ok_or_else(|| self.err("invalid escape"))
                    }
                    0xDC00..=0xDFFF => Err(self.err("unpaired surrogate")),
                    cp => char::from_u32(cp).ok_or_else(|| self.err("invalid escape")),
                };
            }
            _ => return Err(self.err("invalid escape")),
        };
        self.i += 2;
        Ok(c)
    }

    fn hex4(&self, at: usize) -> Result<u32, String> {
        let h = self
            .b
            .get(at..at + 4)
            .ok_or_else(|| self.err("invalid escape"))?;
        h.iter().try_fold(0u32, |acc, &d| {
            let v = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.err("invalid escape"))?;
            Ok(acc * 16 + v)
        })
    }
}

/// What each one-letter escape (`\n`, `\"` …) stands for; 0 for the letters
/// that are not one (`u` is decoded by [`Reader::escape`]).
const SHORT_ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t[b'/' as usize] = b'/';
    t[b'b' as usize] = 0x08;
    t[b'f' as usize] = 0x0c;
    t[b'n' as usize] = b'\n';
    t[b'r' as usize] = b'\r';
    t[b't' as usize] = b'\t';
    t
};

/// How many leading bytes of `b` are neither `"`, `\` nor a control character.
#[inline(always)]
fn run_plain(b: &[u8]) -> usize {
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= b.len() {
        // SAFETY: the 16 bytes at `i` are inside `b`.
        let m = unsafe { simd::specials(b.as_ptr().add(i)) };
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    i + b[i..]
        .iter()
        .position(|&c| is_special(c))
        .unwrap_or(b.len() - i)
}

/// How many leading bytes of `b` are neither `"`, `\` nor a control character
/// and equal to the same bytes of `w`.
#[inline(always)]
fn run_matching(b: &[u8], w: &[u8]) -> usize {
    let n = b.len().min(w.len());
    let mut i = 0;
    #[cfg(target_arch = "x86_64")]
    while i + 16 <= n {
        // SAFETY: the 16 bytes at `i` are inside both `b` and `w`.
        let m = unsafe { simd::specials_or_differing(b.as_ptr().add(i), w.as_ptr().add(i)) };
        if m != 0 {
            return i + m.trailing_zeros() as usize;
        }
        i += 16;
    }
    i + b[i..n]
        .iter()
        .zip(&w[i..n])
        .position(|(&c, &d)| is_special(c) || c != d)
        .unwrap_or(n - i)
}

fn is_special(c: u8) -> bool {
    c == b'"' || c == b'\\' || c < 0x20
}

#[cfg(target_arch = "x86_64")]
mod simd {
    use std::arch::x86_64::*;

    /// Bytes of `v` that are `"`, `\` or control characters.
    #[inline(always)]
    unsafe fn special_mask(v: __m128i) -> __m128i {
        // SAFETY: SSE2 is part of the x86_64 baseline.
        unsafe {
            let control = _mm_and_si128(
                _mm_cmpgt_epi8(v, _mm_set1_epi8(-1)),
                _mm_cmpgt_epi8(_mm_set1_epi8(0x20), v),
            );
            let quote = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8));
            let backslash = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\\' as i8));
            _mm_or_si128(control, _mm_or_si128(quote, backslash))
        }
    }

    /// Bits of the 16 bytes at `b` that are `"`, `\` or control characters.
    ///
    /// # Safety
    /// 16 bytes must be readable at `b`.
    #[inline(always)]
    pub(super) unsafe fn specials(b: *const u8) -> u32 {
        // SAFETY: the caller's promise; SSE2 is baseline.
        unsafe {
            let v = _mm_loadu_si128(b as *const __m128i);
            _mm_movemask_epi8(special_mask(v)) as u32
        }
    }

    /// Bits of the 16 bytes at `b` that are special or differ from those at `w`.
    ///
    /// # Safety
    /// 16 bytes must be readable at `b` and at `w`.
    #[inline(always)]
    pub(super) unsafe fn specials_or_differing(b: *const u8, w: *const u8) -> u32 {
        // SAFETY: the caller's promise; SSE2 is baseline.
        unsafe {
            let v = _mm_loadu_si128(b as *const __m128i);
            let x = _mm_loadu_si128(w as *const __m128i);
            let differ = _mm_xor_si128(_mm_cmpeq_epi8(v, x), _mm_set1_epi8(-1));
            _mm_movemask_epi8(_mm_or_si128(special_mask(v), differ)) as u32
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Option<usize>, String> {
        read_items(text, |_| (None, None), |_, _| Ok(()))
    }

    /// Accepts exactly what serde_json accepts as a JSON value, on documents
    /// made to probe each rule.
    #[test]
    fn grammar_agrees_with_serde_json() {
        let cases = [
            "{}",
            " {\"a\":1} ",
            "{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false}",
            "{\"a\":-0.5e+10,\"b\":0,\"c\":-0,\"d\":1E5,\"e\":12.25}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":.5}",
            "{\"a\":1e}",
            "{\"a\":-}",
            "{\"a\":+1}",
            "{\"a\":tru}",
            "{\"a\":nul}",
            "{\"a\":1,}",
            "{,}",
            "{\"a\" 1}",
            "{\"a\":[1,]}",
            "{\"a\":[,1]}",
            "{\"a\":\"\\u00e9\\n\\t\\\"\\\\\\/\\b\\f\\r\"}",
            "{\"a\":\"\\ud83d\\ude00\"}",
            "{\"a\":\"\\ud83d\"}",
            "{\"a\":\"\\ude00\"}",
            "{\"a\":\"\\ud83dx\"}",
            "{\"a\":\"\\u00zz\"}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"tab\there\"}",
            "{\"a\":\"unterminated}",
            "{\"a\":1} x",
            "{\"a\":1}}",
            "[]",
            "",
            "{\"a\":{}}",
            "{\"a\":{\"b\":[]}}",
            "{1:2}",
        ];
        for c in cases {
            let ours = read(c).is_ok();
            // Only objects are read here; serde_json would take any value.
            let theirs = serde_json::from_str::<serde_json::Value>(c).is_ok_and(|v| v.is_object());
            assert_eq!(ours, theirs, "{c:?}");
        }
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(126), "]".repeat(126));
        assert!(read(&deep).is_ok());
        let deeper = format!("{{\"a\":{}1{}}}", "[".repeat(128), "]".repeat(128));
        assert!(read(&deeper).is_err());
    }

    /// Each item's `id` and `content_html`, compared while they are scanned,
    /// at every offset around the 16-byte blocks and with escapes anywhere.
    #[test]
    fn members_are_compared_as_they_are_scanned() {
        let html: String = "<p class=\"x\">a & b\n\tc é 😀 \u{2028}</p>".repeat(3);
        for cut in 0..html.len() {
            if !html.is_char_boundary(cut) {
                continue;
            }
            let want = &html[..cut];
            let doc = format!(
                "{{\"items\":[{{\"id\":\"urn:x\",\"title\":\"t\",\"content_html\":{}}}]}}",
                serde_json::to_string(want).unwrap()
            );
            let mut got = Vec::new();
            let n = read_items(
                &doc,
                |_| (Some("urn:x"), Some(want)),
                |n, m| {
                    got.push((
                        n,
                        m.id.map(|i| i.matches),
                        m.content_html.map(|h| h.matches),
                    ));
                    Ok(())
                },
            );
            assert_eq!(n, Ok(Some(1)));
            assert_eq!(got, vec![(0, Some(true), Some(true))], "{cut}");
            // One byte different, or one more or fewer: no match.
            let longer = format!("{want}x");
            let n = read_items(
                &doc,
                |_| (Some("urn:y"), Some(longer.as_str())),
                |_, m| {
                    assert_eq!(m.id.map(|i| i.matches), Some(false));
                    assert_eq!(m.content_html.map(|h| h.matches), Some(false));
                    assert_eq!(m.content_html.unwrap().decode().as_deref(), Ok(want));
                    Ok(())
                },
            );
            assert_eq!(n, Ok(Some(1)));
            if let Some(last) = want.chars().last() {
                let shorter = &want[..want.len() - last.len_utf8()];
                read_items(
                    &doc,
                    |_| (None, Some(shorter)),
                    |_, m| {
                        assert_eq!(m.content_html.map(|h| h.matches), Some(false));
                        Ok(())
                    },
                )
                .unwrap();
            }
        }
        // Escaped the long way: still the same string.
        let doc = r#"{"items":[{"id":"\u0075rn:x","content_html":"\ud83d\ude00\u003cp\u003e"}]}"#;
        read_items(
            doc,
            |_| (Some("urn:x"), Some("😀<p>")),
            |_, m| {
                assert!(m.id.unwrap().matches && m.content_html.unwrap().matches);
                Ok(())
            },
        )
        .unwrap();
    }

    #[test]
    fn the_items_array_and_its_members_are_strict() {
        assert_eq!(read(r#"{"title":"x"}"#), Ok(None));
        assert_eq!(read(r#"{"items":{}}"#), Ok(None));
        assert_eq!(read(r#"{"items":[]}"#), Ok(Some(0)));
        assert_eq!(read(r#"{"\u0069tems":[{}]}"#), Ok(Some(1)));
        assert_eq!(
            read(r#"{"items":[{"id":null,"content_html":null}]}"#),
            Ok(Some(1))
        );
        assert!(read(r#"{"items":[],"items":[]}"#).is_err());
        assert!(read(r#"{"items":[1]}"#).is_err());
        assert!(read(r#"{"items":[{"id":1}]}"#).is_err());
        assert!(read(r#"{"items":[{"id":"a","id":"b"}]}"#).is_err());
        assert!(read(r#"{"items":[{"content_html":["x"]}]}"#).is_err());
    }
}
