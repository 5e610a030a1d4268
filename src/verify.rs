//! Parse-back checks on every rendered document before it may replace the last
//! good one: strict XML, the expected items, guids and enclosures, and HTML that
//! holds only the elements and attributes feedgen itself writes.
//!
//! A document is read back by a strict reader ([`crate::xml_read`] for RSS and
//! Atom, with quick-xml reading every document too in debug builds;
//! [`crate::json_read`] for JSON Feed, with serde_json alongside in debug
//! builds) in one pass over
//! borrowed bytes: well-formedness, the item list and every notes payload are
//! checked as the reader goes. A build reads each document back piecewise, in
//! its own context ([`crate::assemble`]): the frame as the document without
//! items, each chunk of items wrapped as the items of such a document
//! ([`chunk`], [`ChunkFormat`]). Notes HTML is checked with
//! [`safe_html`] once per item ([`items_html`]); a payload read back identical to
//! that checked string is compared as it arrives (escaped text decoded on the
//! fly, never copied), and any other payload is checked on its own.

use std::borrow::Cow;

use crate::xml_read::Event as XmlEvent;

use crate::model::Item;

/// Characters XML 1.0 cannot hold ([`crate::source::is_xml_invalid`]) and raw CRs,
/// found on bytes: the first invalid character wins over a CR anywhere.
fn check_chars(bytes: &[u8]) -> Result<&str, String> {
    // simdutf8 validates a chunk several times faster than std on the mostly
    // non-ASCII notes; std only describes the error.
    let text = match simdutf8::basic::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?,
    };
    let mut cr = false;
    let mut i = 0;
    // Every such character starts with a byte `find_suspect` stops at.
    while let Some(p) = crate::source::find_suspect(&bytes[i..], true) {
        i += p;
        let b = bytes[i];
        if b == b'\r' {
            cr = true;
        } else if b < 0x80 {
            return Err(format!("contains U+{:04X}", b as u32));
        } else {
            // A lead byte of valid UTF-8: the whole character is in bounds.
            let c = text[i..].chars().next().expect("char boundary");
            if crate::source::is_xml_invalid(c) {
                return Err(format!("contains U+{:04X}", c as u32));
            }
        }
        i += 1;
    }
    if cr {
        return Err("contains a raw CR".into());
    }
    Ok(text)
}

/// Reads a whole document once with the strict reader ([`crate::xml_read`]),
/// calling `f` with every event and the depth of the element it belongs to
/// (1 = the root). Events borrow from `input`: nothing is copied. Debug builds
/// read the document with quick-xml too, which must accept what this accepts.
fn walk<'a>(
    input: &'a str,
    mut f: impl FnMut(&XmlEvent<'a>, usize) -> Result<(), String>,
) -> Result<(), String> {
    let mut r = crate::xml_read::Reader::new(input);
    let result = (|| {
        while let Some(ev) = r.next()? {
            let depth = match ev {
                XmlEvent::Start(_) => r.depth(),
                XmlEvent::End(_) => r.depth() + 1,
                XmlEvent::Empty(_) => r.depth() + 1,
                _ => r.depth(),
            };
            f(&ev, depth)?;
        }
        Ok(())
    })();
    if cfg!(debug_assertions) && result.is_ok() {
        if let Err(e) = quick_xml_walk(input.as_bytes()) {
            panic!("quick-xml refuses what the strict reader accepted: {e}");
        }
    }
    result
}

/// Well-formedness as quick-xml sees it (end names, comments checked): the
/// reference for [`crate::xml_read`] in debug builds and tests.
fn quick_xml_walk(input: &[u8]) -> Result<(), String> {
    use quick_xml::events::Event as QEvent;
    let mut r = quick_xml::Reader::from_reader(input);
    r.config_mut().check_end_names = true;
    r.config_mut().check_comments = true;
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        let ev = r
            .read_event()
            .map_err(|e| format!("not well-formed at byte {}: {e}", r.buffer_position()))?;
        match &ev {
            QEvent::Start(_) => {
                roots += usize::from(depth == 0);
                depth += 1;
            }
            QEvent::End(_) => depth = depth.saturating_sub(1),
            QEvent::Empty(_) => roots += usize::from(depth == 0),
            QEvent::Eof => break,
            _ => {}
        }
    }
    if depth != 0 || roots != 1 {
        return Err("not a single closed root element".into());
    }
    Ok(())
}

/// Well-formedness with a strict reader, plus characters XML 1.0 cannot hold and
/// raw CRs (normalized away on input; none may appear in output).
pub fn strict_xml(bytes: &[u8]) -> Result<(), String> {
    let text = check_chars(bytes)?;
    walk(text, |_, _| Ok(()))
}

/// Checks every item's notes HTML (full and Apple renderings) with [`safe_html`].
/// The renderers write exactly these strings. Sequential: a build calls it per
/// chunk, and the chunks are what run in parallel.
pub fn items_html(items: &[Item]) -> Result<(), String> {
    items.iter().try_for_each(|i| {
        safe_html(&i.content_html).map_err(|e| format!("{}: {e}", i.guid))?;
        safe_html(&i.description_html).map_err(|e| format!("{}: {e}", i.guid))
    })
}

/// A notes payload read back: fine when it is one of the item's own (already
/// checked) renderings, else it must pass [`safe_html`] itself.
fn payload(got: &str, checked: &[&str], label: &str) -> Result<(), String> {
    if checked.contains(&got) {
        return Ok(());
    }
    safe_html(got).map_err(|e| format!("{label}: {e}"))
}

/// Compares XML-escaped text `raw` with the start of `want`, decoding the five
/// predefined entities on the fly (no copy of the text is made). Returns how
/// many bytes of `want` it matched, or None when it differs or holds another
/// reference (the caller then unescapes it with the reader's own function).
fn match_escaped(raw: &[u8], want: &[u8]) -> Option<usize> {
    let (mut i, mut j) = (0, 0);
    // A byte loop: in escaped HTML an entity comes every few bytes.
    while i < raw.len() {
        let c = raw[i];
        if c != b'&' {
            if want.get(j) != Some(&c) {
                return None;
            }
            i += 1;
            j += 1;
            continue;
        }
        let semi = i + raw[i..].iter().take(8).position(|&b| b == b';')?;
        let c = match &raw[i + 1..semi] {
            b"lt" => b'<',
            b"gt" => b'>',
            b"amp" => b'&',
            b"quot" => b'"',
            b"apos" => b'\'',
            _ => return None,
        };
        if want.get(j) != Some(&c) {
            return None;
        }
        j += 1;
        i = semi + 1;
    }
    Some(j)
}

/// A notes payload being read back, compared as it arrives with the item's
/// checked rendering it should equal. Only when it differs is it copied (from
/// the start), to be checked with [`safe_html`] on its own at its end.
struct Payload<'w> {
    want: &'w str,
    matched: usize,
    copy: Option<String>,
}

impl<'w> Payload<'w> {
    fn new(want: &'w str) -> Self {
        Payload {
            want,
            matched: 0,
            copy: None,
        }
    }

    fn push(&mut self, ev: &XmlEvent<'_>) -> Result<(), String> {
        if self.copy.is_none() {
            let rest = &self.want.as_bytes()[self.matched..];
            let m = match ev {
                XmlEvent::CData(c) => rest.starts_with(c.as_bytes()).then_some(c.len()),
                XmlEvent::Text(t) => match_escaped(t.as_bytes(), rest),
                _ => Some(0),
            };
            match m {
                Some(n) => {
                    self.matched += n;
                    return Ok(());
                }
                None => self.copy = Some(self.want[..self.matched].to_string()),
            }
        }
        push_text(ev, self.copy.as_mut().expect("set above"))
    }

    /// At the element's end: identical to `want`, or else safe on its own.
    fn finish(self, label: &str) -> Result<(), String> {
        let got = match &self.copy {
            None if self.matched == self.want.len() => return Ok(()),
            None => &self.want[..self.matched],
            Some(c) => c.as_str(),
        };
        payload(got, &[self.want], label)
    }
}

/// Text content of the element being read (text and CDATA, unescaped).
fn push_text(ev: &XmlEvent<'_>, buf: &mut String) -> Result<(), String> {
    match ev {
        XmlEvent::Text(t) => buf.push_str(&crate::xml_read::unescape(t)),
        XmlEvent::CData(c) => buf.push_str(c),
        _ => {}
    }
    Ok(())
}

const TAGS: &[&str] = &[
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "a",
    "code",
    "pre",
    "em",
    "strong",
    "del",
    "blockquote",
    "hr",
    "br",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
];

/// Checks HTML that feedgen rendered: only known tags; attributes only `href`
/// (http/https/mailto), `title`, `start`, `class="language-…"`, `style="text-align: …"`.
pub fn safe_html(html: &str) -> Result<(), String> {
    check_html::<true>(html)
}

/// [`safe_html`]; `FAST` takes the shortcuts for the tags feedgen writes most
/// (without them, every tag goes through the general check: the tests compare
/// the two).
fn check_html<const FAST: bool>(html: &str) -> Result<(), String> {
    let b = html.as_bytes();
    let mut i = 0;
    // Where the `<`s are, 64 bytes at a time: tags come every few bytes, and a
    // search call per tag cost more than the tag's own check.
    let mut base = 0;
    let mut lts = lt_mask(b, 0);
    loop {
        while lts == 0 {
            base += 64;
            if base >= b.len() {
                return Ok(());
            }
            lts = lt_mask(b, base);
        }
        let p = base + lts.trailing_zeros() as usize;
        lts &= lts - 1;
        if p < i {
            // Inside the tag just checked (a `<` in an attribute value).
            continue;
        }
        // The tags feedgen writes most, matched 8 bytes at a time.
        if let Some(len) = common_tag(b, p).filter(|_| FAST) {
            i = p + len;
            continue;
        }
        let start = p + 1;
        // The usual cases, read straight off the bytes: `<li>` or `</li>` (a
        // known name, nothing else), and `<a href="https://…">` (a plain URL).
        let rest = &b[start..];
        let name_at = usize::from(rest.first() == Some(&b'/'));
        let name_len = rest[name_at..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len() - name_at);
        let name = &rest[name_at..name_at + name_len];
        let after = &rest[name_at + name_len..];
        if FAST && after.first() == Some(&b'>') && is_known_tag_bytes(name) {
            i = start + name_at + name_len + 1;
            continue;
        }
        if FAST && name_at == 0 && name == b"a" {
            if let Some(len) = plain_href(after) {
                i = start + 1 + len;
                continue;
            }
        }
        let end = start + memchr::memchr(b'>', rest).ok_or("unclosed tag")?;
        i = end + 1;
        let tag = html[start..end]
            .trim_start_matches('/')
            .trim_end_matches('/')
            .trim();
        let (name, attrs) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
        if !is_known_tag(name) {
            return Err(format!("element <{name}> in notes HTML"));
        }
        if !attrs.is_empty() {
            check_attrs(attrs)?;
        }
    }
}

/// The length of the tag at `b[p]` when it is one of the plain tags notes HTML
/// is made of (`<p>`, `</li>`, `</a>` …): the 8 bytes there, read as one
/// integer, compared with each under a mask of its length. None for any other
/// tag, or too near the end, which the general check then reads.
fn common_tag(b: &[u8], p: usize) -> Option<usize> {
    const fn pattern(tag: &[u8]) -> (u64, u64, usize) {
        let mut v = 0u64;
        let mut k = 0;
        while k < tag.len() {
            v |= (tag[k] as u64) << (8 * k);
            k += 1;
        }
        let mask = if tag.len() == 8 {
            u64::MAX
        } else {
            (1u64 << (8 * tag.len())) - 1
        };
        (v, mask, tag.len())
    }
    const TAGS: [(u64, u64, usize); 16] = [
        pattern(b"</li>"),
        pattern(b"<li>"),
        pattern(b"</a>"),
        pattern(b"<p>"),
        pattern(b"</p>"),
        pattern(b"<ul>"),
        pattern(b"</ul>"),
        pattern(b"<ol>"),
        pattern(b"</ol>"),
        pattern(b"<code>"),
        pattern(b"</code>"),
        pattern(b"<h3>"),
        pattern(b"</h3>"),
        pattern(b"<h4>"),
        pattern(b"</h4>"),
        pattern(b"<strong>"),
    ];
    let w = u64::from_le_bytes(b.get(p..p + 8)?.try_into().ok()?);
    TAGS.iter()
        .find(|(v, mask, _)| w & mask == *v)
        .map(|(_, _, len)| *len)
}

/// Bit k set when `b[base + k]` is `<`, for the 64 bytes from `base` (fewer at
/// the end).
fn lt_mask(b: &[u8], base: usize) -> u64 {
    let block = &b[base.min(b.len())..b.len().min(base + 64)];
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let mut pad = [0u8; 64];
        let bytes: &[u8; 64] = match block.try_into() {
            Ok(full) => full,
            Err(_) => {
                pad[..block.len()].copy_from_slice(block);
                &pad
            }
        };
        // SAFETY: SSE2 is part of the x86_64 baseline; the four loads read the
        // 64 bytes of `bytes`.
        unsafe {
            let lt = _mm_set1_epi8(b'<' as i8);
            let mut m = 0u64;
            for k in 0..4 {
                let v = _mm_loadu_si128(bytes.as_ptr().add(16 * k) as *const __m128i);
                m |= (_mm_movemask_epi8(_mm_cmpeq_epi8(v, lt)) as u16 as u64) << (16 * k);
            }
            m
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    block
        .iter()
        .enumerate()
        .filter(|(_, &c)| c == b'<')
        .fold(0u64, |m, (k, _)| m | 1 << k)
}

/// [`is_known_tag`] on bytes, for the lower-case names feedgen writes: by
/// length first, then as fixed-size arrays (compared as integers, not one
/// slice comparison per name).
fn is_known_tag_bytes(name: &[u8]) -> bool {
    match *name {
        [a] => matches!(a, b'p' | b'a'),
        [a, b] => matches!(
            &[a, b],
            b"li"
                | b"ul"
                | b"ol"
                | b"h1"
                | b"h2"
                | b"h3"
                | b"h4"
                | b"h5"
                | b"h6"
                | b"em"
                | b"hr"
                | b"br"
                | b"tr"
                | b"th"
                | b"td"
        ),
        [a, b, c] => matches!(&[a, b, c], b"pre" | b"del"),
        [a, b, c, d] => &[a, b, c, d] == b"code",
        [a, b, c, d, e] => matches!(&[a, b, c, d, e], b"table" | b"thead" | b"tbody"),
        _ => name == b"strong" || name == b"blockquote",
    }
}

/// The length of ` href="URL">` at the start of `after` (what follows `<a`)
/// when URL is a plain http(s) or mailto address: no quote, `&` or `<` in it.
/// Anything else is left to the general check.
fn plain_href(after: &[u8]) -> Option<usize> {
    let url = after.strip_prefix(b" href=\"")?;
    // The closing quote must come before any `&` or `<` (one SIMD search),
    // and no `>` before it either.
    let close = memchr::memchr3(b'"', b'&', b'<', url).filter(|&i| url[i] == b'"')?;
    let (u, tail) = url.split_at(close);
    let scheme_ok =
        u.starts_with(b"https://") || u.starts_with(b"http://") || u.starts_with(b"mailto:");
    let plain = memchr::memchr(b'>', u).is_none();
    (scheme_ok && plain && tail.get(1) == Some(&b'>')).then_some(b" href=\"".len() + close + 2)
}

/// One of [`TAGS`], in any case (feedgen writes them in lower case).
fn is_known_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "a"
            | "li"
            | "ul"
            | "ol"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "code"
            | "pre"
            | "em"
            | "strong"
            | "del"
            | "blockquote"
            | "hr"
            | "br"
            | "table"
            | "thead"
            | "tbody"
            | "tr"
            | "th"
            | "td"
    ) || TAGS.iter().any(|t| t.eq_ignore_ascii_case(name))
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

fn check_attrs(attrs: &str) -> Result<(), String> {
    // The usual case, a link: `href="https://…"` with nothing else.
    if let Some(v) = attrs
        .strip_prefix("href=\"")
        .and_then(|v| v.strip_suffix('"'))
    {
        let plain = !v.bytes().any(|b| b == b'"' || b == b'&');
        if plain
            && (v.starts_with("https://") || v.starts_with("http://") || v.starts_with("mailto:"))
        {
            return Ok(());
        }
    }
    let mut rest = attrs.trim();
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or_else(|| format!("bare attribute `{rest}`"))?;
        let name = rest[..eq].trim();
        let v = rest[eq + 1..].trim_start();
        let v = v.strip_prefix('"').ok_or("unquoted attribute")?;
        let close = v.find('"').ok_or("unterminated attribute")?;
        let value = html_unescape(&v[..close]);
        rest = v[close + 1..].trim_start();
        let value_t = value.trim();
        let is = |n: &str| name.eq_ignore_ascii_case(n);
        let ok = if is("href") {
            starts_with_ignore_case(value_t, "https://")
                || starts_with_ignore_case(value_t, "http://")
                || starts_with_ignore_case(value_t, "mailto:")
        } else if is("title") || is("start") {
            true
        } else if is("class") {
            starts_with_ignore_case(value_t, "language-")
        } else if is("style") {
            starts_with_ignore_case(value_t, "text-align:")
        } else {
            false
        };
        if !ok {
            let name = name.to_ascii_lowercase();
            return Err(format!("attribute {name}=\"{value}\" in notes HTML"));
        }
    }
    Ok(())
}

fn html_unescape(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// The format of a chunk of items, read back in the same context as in its
/// document, by the same reader: `<item>`s as the items of a channel, `<entry>`s
/// as those of a feed, JSON items as the `items` array of an object. The chunk
/// is rendered between [`Self::open`] and [`Self::close`] (no copy is made to
/// wrap it) and checked with [`chunk`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkFormat {
    Rss,
    Atom,
    Json,
}

impl ChunkFormat {
    pub fn open(self) -> &'static [u8] {
        match self {
            ChunkFormat::Rss => b"<rss><channel>",
            ChunkFormat::Atom => b"<feed>",
            ChunkFormat::Json => b"{\"items\":[",
        }
    }
    pub fn close(self) -> &'static [u8] {
        match self {
            ChunkFormat::Rss => b"</channel></rss>",
            ChunkFormat::Atom => b"</feed>",
            ChunkFormat::Json => b"]}",
        }
    }
}

/// A chunk wrapped as [`ChunkFormat::open`] + chunk + [`ChunkFormat::close`]
/// must read back as exactly `items`. Like the `_prechecked` checks, it takes
/// the items' notes HTML as checked by [`items_html`].
pub fn chunk(format: ChunkFormat, doc: &[u8], items: &[Item]) -> Result<(), String> {
    let (open, close) = (format.open(), format.close());
    if doc.len() < open.len() + close.len() || !doc.starts_with(open) || !doc.ends_with(close) {
        return Err("chunk is not wrapped for its format".into());
    }
    match format {
        ChunkFormat::Rss => rss_prechecked(doc, items),
        ChunkFormat::Atom => atom_prechecked(doc, items),
        ChunkFormat::Json => json_prechecked(doc, items),
    }
}

/// The RSS read back must hold exactly these items, in order, with their guids
/// and enclosures, and only safe notes HTML.
pub fn rss(bytes: &[u8], items: &[Item]) -> Result<(), String> {
    items_html(items)?;
    rss_prechecked(bytes, items)
}

/// [`rss()`] for items whose HTML [`items_html`] already checked.
pub fn rss_prechecked(bytes: &[u8], items: &[Item]) -> Result<(), String> {
    let text = check_chars(bytes)?;
    rss_walk(text, items)
}

fn rss_walk(input: &str, items: &[Item]) -> Result<(), String> {
    // Item index being read, what its children said, and the child being read.
    let mut n = 0usize;
    let mut guid: Option<String> = None;
    let mut enc: Option<(String, String)> = None;
    let mut in_guid = false;
    let mut notes: Option<Payload<'_>> = None;
    let mut buf = String::new();
    let mut rss_root = false;
    let mut channel = false;
    walk(input, |ev, depth| {
        match (ev, depth) {
            (XmlEvent::Start(e) | XmlEvent::Empty(e), 1) => rss_root = e.name == "rss",
            (XmlEvent::Start(e) | XmlEvent::Empty(e), 2) if e.name == "channel" => channel = true,
            (XmlEvent::Start(e) | XmlEvent::Empty(e), 3) if e.name == "item" => {
                guid = None;
                enc = None;
            }
            (XmlEvent::Start(e) | XmlEvent::Empty(e), 4) => {
                buf.clear();
                in_guid = false;
                // A payload with no item to compare with is checked on its own.
                let want = |f: fn(&Item) -> &str| Payload::new(items.get(n).map_or("", f));
                match e.name {
                    "guid" => in_guid = true,
                    "description" => notes = Some(want(|i| &i.description_html)),
                    "content:encoded" => notes = Some(want(|i| &i.content_html)),
                    "enclosure" => {
                        let url = e.attr("url").unwrap_or_default().into_owned();
                        let len = e.attr("length").unwrap_or_default().into_owned();
                        enc = Some((url, len));
                    }
                    _ => {}
                }
                if matches!(ev, XmlEvent::Empty(_)) {
                    if in_guid {
                        guid = Some(String::new());
                    }
                    in_guid = false;
                    if let Some(p) = notes.take() {
                        p.finish(items.get(n).map_or("", |i| &i.guid))?;
                    }
                }
            }
            (XmlEvent::Text(_) | XmlEvent::CData(_), 4) => {
                if in_guid {
                    push_text(ev, &mut buf)?
                } else if let Some(p) = notes.as_mut() {
                    p.push(ev)?
                }
            }
            (XmlEvent::End(_), 4) => {
                if std::mem::take(&mut in_guid) {
                    guid = Some(std::mem::take(&mut buf));
                }
                if let Some(p) = notes.take() {
                    p.finish(items.get(n).map_or("", |i| &i.guid))?;
                }
            }
            (XmlEvent::End(name), 3) if *name == "item" => {
                if let Some(want) = items.get(n) {
                    if guid.as_deref() != Some(want.guid.as_str()) {
                        return Err(format!("guid {:?} read back as {:?}", want.guid, guid));
                    }
                    let want_enc = want
                        .enclosure
                        .as_ref()
                        .map(|e| (e.url.clone(), e.length.to_string()));
                    if enc != want_enc {
                        return Err(format!(
                            "enclosure of {} read back as {:?}",
                            want.guid,
                            enc.as_ref().map(|(u, l)| (u.as_str(), l.as_str()))
                        ));
                    }
                }
                n += 1;
            }
            _ => {}
        }
        Ok(())
    })?;
    if !rss_root || !channel {
        return Err("RSS does not parse back: no <rss><channel>".into());
    }
    if n != items.len() {
        return Err(format!("RSS has {n} items, expected {}", items.len()));
    }
    Ok(())
}

pub fn atom(bytes: &[u8], items: &[Item]) -> Result<(), String> {
    items_html(items)?;
    atom_prechecked(bytes, items)
}

/// [`atom`] for items whose HTML [`items_html`] already checked.
pub fn atom_prechecked(bytes: &[u8], items: &[Item]) -> Result<(), String> {
    let text = check_chars(bytes)?;
    atom_walk(text, items)
}

fn atom_walk(input: &str, items: &[Item]) -> Result<(), String> {
    let mut n = 0usize;
    let mut id: Option<String> = None;
    let mut in_id = false;
    let mut content: Option<Payload<'_>> = None;
    let mut buf = String::new();
    let mut feed_root = false;
    walk(input, |ev, depth| {
        match (ev, depth) {
            (XmlEvent::Start(e) | XmlEvent::Empty(e), 1) => feed_root = e.name == "feed",
            (XmlEvent::Start(e) | XmlEvent::Empty(e), 2) if e.name == "entry" => id = None,
            (XmlEvent::Start(e) | XmlEvent::Empty(e), 3) => {
                buf.clear();
                match e.name {
                    "id" => in_id = true,
                    "content" => {
                        content = Some(Payload::new(items.get(n).map_or("", |i| &i.content_html)))
                    }
                    _ => {}
                }
                if matches!(ev, XmlEvent::Empty(_)) {
                    if std::mem::take(&mut in_id) {
                        id = Some(String::new());
                    }
                    if let Some(p) = content.take() {
                        p.finish(items.get(n).map_or("", |i| &i.id_iri))?;
                    }
                }
            }
            (XmlEvent::Text(_) | XmlEvent::CData(_), 3) => {
                if in_id {
                    push_text(ev, &mut buf)?
                } else if let Some(p) = content.as_mut() {
                    p.push(ev)?
                }
            }
            (XmlEvent::End(_), 3) => {
                if std::mem::take(&mut in_id) {
                    id = Some(std::mem::take(&mut buf));
                }
                if let Some(p) = content.take() {
                    p.finish(items.get(n).map_or("", |i| &i.id_iri))?;
                }
            }
            (XmlEvent::End(name), 2) if *name == "entry" => {
                if let Some(want) = items.get(n) {
                    let got = id.take().unwrap_or_default();
                    if got != want.id_iri {
                        return Err(format!("entry id {} read back as {got}", want.id_iri));
                    }
                }
                n += 1;
            }
            _ => {}
        }
        Ok(())
    })?;
    if !feed_root {
        return Err("Atom does not parse back: no <feed>".into());
    }
    if n != items.len() {
        return Err(format!("Atom has {n} entries, expected {}", items.len()));
    }
    Ok(())
}

pub fn json(bytes: &[u8], items: &[Item]) -> Result<(), String> {
    items_html(items)?;
    json_prechecked(bytes, items)
}

/// [`json`] for items whose HTML [`items_html`] already checked. Items are
/// checked one by one as the strict reader ([`crate::json_read`]) reads them;
/// none is kept, no payload is copied. Debug builds read every chunk with
/// serde_json as well and require the same verdict. The bytes must be
/// UTF-8 throughout (serde_json's byte reader checks only the strings it
/// decodes, not those it skips).
pub fn json_prechecked(bytes: &[u8], items: &[Item]) -> Result<(), String> {
    let Ok(text) = simdutf8::basic::from_utf8(bytes) else {
        let e = std::str::from_utf8(bytes).expect_err("simdutf8 found an error");
        return Err(format!("JSON Feed is not UTF-8: {e}"));
    };
    let ours = json_read_items(text, items);
    if cfg!(debug_assertions) {
        // serde_json is the reference reader: it must agree on every chunk.
        let serde = json_walk(serde_json::Deserializer::from_str(text), items);
        assert_eq!(
            ours.is_ok(),
            serde.is_ok(),
            "JSON read-back differs from serde_json's ({ours:?} vs {serde:?})"
        );
    }
    ours
}

/// [`json_prechecked`]'s walk with the strict reader of [`crate::json_read`]:
/// each item's `id` and `content_html` are compared with the item's while they
/// are scanned; a payload that differs is decoded and must pass [`safe_html`].
fn json_read_items(text: &str, items: &[Item]) -> Result<(), String> {
    let count = crate::json_read::read_items(
        text,
        |n| match items.get(n) {
            Some(w) => (Some(w.id_iri.as_str()), Some(w.content_html.as_str())),
            None => (None, None),
        },
        |n, m| {
            let html = |h: crate::json_read::Member<'_>| h.decode();
            match items.get(n) {
                Some(w) => {
                    if !m.id.is_some_and(|i| i.matches) {
                        return Err(format!(
                            "JSON item id {} read back as {:?}",
                            w.id_iri,
                            m.id.map(|i| i.raw)
                        ));
                    }
                    match m.content_html {
                        Some(h) if !h.matches => payload(&html(h)?, &[&w.content_html], &w.id_iri),
                        _ => Ok(()),
                    }
                }
                None => match m.content_html {
                    Some(h) => safe_html(&html(h)?),
                    None => Ok(()),
                },
            }
        },
    )
    .map_err(|e| format!("JSON Feed does not parse back: {e}"))?;
    json_count(count, items.len())
}

/// The items array read back must exist and hold `want` items.
fn json_count(count: Option<usize>, want: usize) -> Result<(), String> {
    let got = count.ok_or("JSON Feed has no items array")?;
    if got != want {
        return Err(format!("JSON Feed has {got} items, expected {want}"));
    }
    Ok(())
}

fn json_walk<'r, R: serde_json::de::Read<'r>>(
    mut de: serde_json::Deserializer<R>,
    items: &[Item],
) -> Result<(), String> {
    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

    #[derive(serde::Deserialize)]
    struct JItem<'a> {
        #[serde(borrow)]
        id: Option<Cow<'a, str>>,
        #[serde(borrow)]
        content_html: Option<Cow<'a, str>>,
    }
    struct Root<'x>(&'x [Item]);
    struct ItemsSeq<'x>(&'x [Item]);
    impl<'de> Visitor<'de> for Root<'_> {
        type Value = Option<usize>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a JSON Feed object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Option<usize>, A::Error> {
            let mut count = None;
            while let Some(k) = m.next_key::<Cow<'de, str>>()? {
                if k == "items" {
                    count = m.next_value_seed(ItemsSeq(self.0))?;
                } else {
                    m.next_value::<IgnoredAny>()?;
                }
            }
            Ok(count)
        }
    }
    impl<'de> DeserializeSeed<'de> for ItemsSeq<'_> {
        type Value = Option<usize>;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for ItemsSeq<'_> {
        type Value = Option<usize>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an items array")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Option<usize>, A::Error> {
            use serde::de::Error;
            let mut n = 0;
            while let Some(g) = s.next_element::<JItem<'de>>()? {
                if let Some(w) = self.0.get(n) {
                    if g.id.as_deref() != Some(w.id_iri.as_str()) {
                        return Err(A::Error::custom(format!(
                            "JSON item id {} read back as {:?}",
                            w.id_iri, g.id
                        )));
                    }
                    if let Some(h) = &g.content_html {
                        payload(h, &[&w.content_html], &w.id_iri).map_err(A::Error::custom)?;
                    }
                } else if let Some(h) = &g.content_html {
                    safe_html(h).map_err(A::Error::custom)?;
                }
                n += 1;
            }
            Ok(Some(n))
        }
        // Anything but an array: "no items array".
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Option<usize>, A::Error> {
            while m.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
        fn visit_str<E>(self, _: &str) -> Result<Option<usize>, E> {
            Ok(None)
        }
        fn visit_bool<E>(self, _: bool) -> Result<Option<usize>, E> {
            Ok(None)
        }
        fn visit_i64<E>(self, _: i64) -> Result<Option<usize>, E> {
            Ok(None)
        }
        fn visit_u64<E>(self, _: u64) -> Result<Option<usize>, E> {
            Ok(None)
        }
        fn visit_f64<E>(self, _: f64) -> Result<Option<usize>, E> {
            Ok(None)
        }
        fn visit_unit<E>(self) -> Result<Option<usize>, E> {
            Ok(None)
        }
    }
    let count = de
        .deserialize_map(Root(items))
        .and_then(|c| de.end().map(|()| c))
        .map_err(|e| format!("JSON Feed does not parse back: {e}"))?;
    json_count(count, items.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_html_rejects_live_markup() {
        assert!(safe_html("<p><a href=\"https://x\">x</a></p>").is_ok());
        assert!(safe_html("<pre><code class=\"language-sh\">&lt;script&gt;</code></pre>").is_ok());
        assert!(safe_html("<script>alert(1)</script>").is_err());
        assert!(safe_html("<a href=\"javascript:alert(1)\">x</a>").is_err());
        assert!(safe_html("<a href=\"https://x\" onclick=\"x\">x</a>").is_err());
        // Past the byte-level fast paths (plain_href, is_known_tag_bytes).
        assert!(safe_html("<a href=\"https://x\"onclick=\"x\">x</a>").is_err());
        assert!(safe_html("<a href=\"https://x>\">x</a>").is_err());
        assert!(safe_html("<a href=\"javascript:x\">x</a>").is_err());
        assert!(safe_html("<a href=\"https://x/?a=1&amp;b=2\">x</a>").is_ok());
        assert!(safe_html("<A HREF=\"https://x\">x</A><LI></LI>").is_ok());
        assert!(safe_html("<li><scr>").is_err());
        assert!(safe_html("<li").is_err());
        assert!(safe_html("<img src=x>").is_err());
    }

    /// The shortcuts give the general check's verdict: on the HTML of the
    /// corpus and of the example show, and on tags made to sit at the end of
    /// the text, across 64-byte blocks, in other cases and with attributes.
    #[test]
    fn safe_html_shortcuts_agree_with_the_general_check() {
        let mut docs: Vec<String> = crate::test_markdown()
            .iter()
            .map(|md| crate::html::render_full(&crate::test_events(md)))
            .collect();
        let tags = [
            "<p>",
            "</p>",
            "<pre>",
            "<li>",
            "</li>",
            "<LI>",
            "<a>",
            "</a>",
            "<a href=\"https://x/\">",
            "<a href=\"javascript:x\">",
            "<h3>",
            "<h3 id=\"x\">",
            "</h4>",
            "<strong>",
            "<strongx>",
            "<code>",
            "</code >",
            "<ul>",
            "</ol>",
            "<script>",
            "<p onclick=\"x\">",
            "<",
            "</",
            "<p",
            "<img src=\"x\">",
            "<br />",
            "<hr />",
        ];
        for pad in [0, 1, 7, 55, 60, 63, 64, 65] {
            for t in tags {
                for u in tags {
                    docs.push(format!("{}{t}x{u}", "y".repeat(pad)));
                    docs.push(format!("{t}{}{u}", "z".repeat(pad)));
                }
            }
        }
        for d in &docs {
            assert_eq!(
                check_html::<true>(d).is_ok(),
                check_html::<false>(d).is_ok(),
                "{d:?}"
            );
        }
    }

    #[test]
    fn check_chars_block_skip_sees_every_interesting_byte() {
        // Each byte value at each position of a 32-byte block, and after it.
        for b in 0..=255u8 {
            for at in [0, 7, 8, 31, 32, 40] {
                let mut v = vec![b'a'; 48];
                v[at] = b;
                let bytes = match std::str::from_utf8(&v) {
                    Ok(_) => v,
                    Err(_) => continue,
                };
                let bad = b < 0x20 && b != b'\t' && b != b'\n' || b == 0x7F;
                assert_eq!(check_chars(&bytes).is_err(), bad, "byte {b:#x} at {at}");
            }
        }
        // Multi-byte characters flagged by their lead byte, inside a block.
        for c in ['\u{85}', '\u{9F}', '\u{FFFE}', '\u{FFFF}'] {
            let s = format!("{}{c}{}", "a".repeat(9), "b".repeat(30));
            assert!(check_chars(s.as_bytes()).is_err(), "U+{:04X}", c as u32);
        }
        for c in ['\u{A0}', '\u{FEFF}', 'é', 'あ'] {
            let s = format!("{}{c}{}", "a".repeat(9), "b".repeat(30));
            assert!(check_chars(s.as_bytes()).is_ok(), "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn payloads_match_escaped_text_without_copying() {
        assert_eq!(
            match_escaped(b"a &lt;b&gt; &amp; &quot;c&apos;", b"a <b> & \"c' tail"),
            Some(11)
        );
        assert_eq!(match_escaped(b"a &lt;b", b"a <c"), None);
        assert_eq!(
            match_escaped(b"&#60;", b"<"),
            None,
            "numeric refs go to the full unescape"
        );
        assert_eq!(match_escaped(b"abc", b"ab"), None);
    }

    #[test]
    fn json_items_read_back_strictly() {
        let now = chrono::DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z").unwrap();
        let mut item = crate::model::Item::placeholder(now);
        item.id_iri = "urn:x:1".into();
        item.content_html = "<p>😀 \"q\"</p>".into();
        let fast = r#"{"items":[{"id":"urn:x:1","content_html":"<p>😀 \"q\"</p>"}]}"#;
        let escaped = r#"{"items":[{"id":"urn:x:1","content_html":"<p>\ud83d\ude00 \"q\"</p>"}]}"#;
        let other = r#"{"items":[{"id":"urn:x:1","content_html":"<p>other</p>"}]}"#;
        let live = r#"{"items":[{"id":"urn:x:1","content_html":"<script>x</script>"}]}"#;
        let number = r#"{"items":[{"id":"urn:x:1","content_html":12}]}"#;
        let items = std::slice::from_ref(&item);
        assert_eq!(json_prechecked(fast.as_bytes(), items), Ok(()));
        assert_eq!(json_prechecked(escaped.as_bytes(), items), Ok(()));
        assert_eq!(json_prechecked(other.as_bytes(), items), Ok(()));
        assert!(json_prechecked(live.as_bytes(), items).is_err());
        assert!(json_prechecked(number.as_bytes(), items).is_err());
        // Not UTF-8 in a field the walk skips.
        let mut bad = fast.as_bytes().to_vec();
        bad.splice(1..1, *b"\"t\":\"\xff\",");
        assert!(json_prechecked(&bad, items).unwrap_err().contains("UTF-8"));
    }

    #[test]
    fn strict_xml_rejects_broken_documents() {
        assert!(strict_xml(b"<a><b/></a>").is_ok());
        assert!(strict_xml(b"<a><b></a>").is_err());
        assert!(strict_xml(b"<a>\x01</a>").is_err());
        assert!(strict_xml(b"<a>\r</a>").is_err());
        assert!(strict_xml(b"<a/><b/>").is_err());
    }
}
