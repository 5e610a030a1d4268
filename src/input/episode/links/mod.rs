//! Link policy: which URLs may reach a feed, how they are cleaned, and how bare
//! URLs and `@handle` mentions are found in text.
//!
//! These are pure functions over strings, so that the parser (which decides)
//! and the tests (which attack) use exactly the same rules.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfc, UnicodeNormalization};
use unicode_script::{Script, UnicodeScript};
use unicode_security::MixedScript;
use url::Url;

/// Query parameters that only track readers; removed from every emitted link.
const TRACKING_EXACT: &[&str] = &[
    "fbclid",
    "gclid",
    "dclid",
    "gbraid",
    "wbraid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "_hsenc",
    "_hsmi",
    "_ga",
    "_gl",
    "igshid",
    "yclid",
    "twclid",
    "ttclid",
    "mkt_tok",
    "oly_anon_id",
    "oly_enc_id",
    "vero_id",
    "wickedid",
    "rb_clickid",
    "s_cid",
    "ref_src",
];

fn is_tracking_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("utm_") || TRACKING_EXACT.contains(&n.as_str())
}

/// What the link policy decided for one link target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum LinkVerdict {
    /// Safe to emit; `url` is cleaned; `removed` lists tracking parameters taken out.
    Keep {
        url: String,
        removed: Vec<String>,
        http: bool,
    },
    /// A scheme other than http, https and mailto (which can run code or read
    /// local files), or a protocol-relative URL. `suggestion` is the https://
    /// address meant when the "scheme" is a host, as in `localhost:8080`.
    Unsafe {
        scheme: String,
        suggestion: Option<String>,
    },
    /// No scheme: a relative path or a host without `https://`.
    Relative { suggestion: Option<String> },
    /// Does not parse.
    Invalid { reason: String },
}

/// Decides a link target. `raw` is the destination as the Markdown parser gave it
/// (entities already decoded); the scheme is checked after trimming and removing
/// the ASCII whitespace and control characters browsers ignore inside schemes.
pub(crate) fn check(raw: &str) -> LinkVerdict {
    let trimmed = raw.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    // What a browser reads the scheme from. Control characters are C0, DEL
    // and C1 (whose UTF-8 starts with 0xC2): most links hold none.
    let ignored = |b: u8| b.is_ascii_whitespace() || b < 0x20 || b == 0x7F || b == 0xC2;
    let squeezed: std::borrow::Cow<'_, str> = if trimmed.bytes().any(ignored) {
        trimmed
            .chars()
            .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
            .collect::<String>()
            .into()
    } else {
        trimmed.into()
    };
    if squeezed.starts_with("//") || squeezed.starts_with("\\\\") || squeezed.starts_with("/\\") {
        return LinkVerdict::Unsafe {
            scheme: "protocol-relative".into(),
            suggestion: None,
        };
    }
    // A scheme is decided as browsers decide it (WHATWG URL): an ASCII letter,
    // then letters, digits, `+`, `-` or `.`, then `:`, whatever follows.
    if let Some(colon) = squeezed.find(':') {
        let scheme = &squeezed[..colon];
        let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if is_scheme {
            let lower = scheme.to_ascii_lowercase();
            return match lower.as_str() {
                "http" | "https" | "mailto" => parse_allowed(trimmed, &lower),
                _ => LinkVerdict::Unsafe {
                    suggestion: looks_like_host(&lower).then(|| format!("https://{trimmed}")),
                    scheme: lower,
                },
            };
        }
    }
    relative(trimmed)
}

/// `example.com:443/x` and `localhost:8080` are read as schemes by browsers
/// too (so they are not published), but were meant as hosts: worth a hint.
fn looks_like_host(scheme: &str) -> bool {
    scheme == "localhost"
        || scheme.rsplit_once('.').is_some_and(|(name, tld)| {
            !name.is_empty() && tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
        })
}

fn relative(s: &str) -> LinkVerdict {
    let first = s.split('/').next().unwrap_or("");
    let suggestion = (first.contains('.')
        && !first.starts_with('.')
        && first
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())))
    .then(|| format!("https://{s}"));
    LinkVerdict::Relative { suggestion }
}

fn parse_allowed(s: &str, scheme: &str) -> LinkVerdict {
    let mut url = match Url::parse(s) {
        Ok(u) => u,
        Err(e) => {
            return LinkVerdict::Invalid {
                reason: e.to_string(),
            }
        }
    };
    if scheme != "mailto" && url.host_str().is_none_or(|h| h.is_empty()) {
        return LinkVerdict::Invalid {
            reason: "no host".into(),
        };
    }
    // The HTML writer percent-encodes `[` and `]` in every href, so an IPv6
    // literal would be published as a host no client can reach.
    if matches!(url.host(), Some(url::Host::Ipv6(_))) {
        return LinkVerdict::Invalid {
            reason: "its host is an IPv6 address, which a feed's HTML cannot carry intact".into(),
        };
    }
    // A feed is public: credentials in it would be published to every reader.
    if !url.username().is_empty() || url.password().is_some() {
        return LinkVerdict::Invalid {
            reason: "it carries a user name or password, which a feed would publish".into(),
        };
    }
    let mut removed = Vec::new();
    if url.query().is_some() {
        let kept: Vec<(String, String)> = url
            .query_pairs()
            .filter(|(k, _)| {
                let t = is_tracking_param(k);
                if t {
                    removed.push(k.to_string());
                }
                !t
            })
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        if !removed.is_empty() {
            if kept.is_empty() {
                url.set_query(None);
            } else {
                url.query_pairs_mut().clear().extend_pairs(kept);
            }
        }
    }
    LinkVerdict::Keep {
        url: url.to_string(),
        removed,
        http: scheme == "http",
    }
}

/// A bare URL found in text: byte range within the text.
pub(crate) fn find_bare_urls(text: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Every URL starts with h or H: jump there (most text holds none).
        match memchr::memchr2(b'h', b'H', &bytes[i..]) {
            Some(p) => i += p,
            None => break,
        }
        let rest = &text[i..];
        let starts = rest.len() >= 7
            && (starts_with_ci(rest, "https://") || starts_with_ci(rest, "http://"));
        let boundary = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'/');
        if starts && boundary {
            let mut end = i;
            for (off, c) in rest.char_indices() {
                if c.is_whitespace() || "<>\"`".contains(c) || (c as u32) > 0x2E7F {
                    break;
                }
                end = i + off + c.len_utf8();
            }
            // Trailing punctuation belongs to the sentence, unless it closes a paren
            // that the URL opened (Wikipedia-style links).
            while end > i {
                let last = text[..end].chars().next_back().unwrap_or(' ');
                let trim = match last {
                    '.' | ',' | ';' | ':' | '!' | '?' | '*' | '_' | '~' => true,
                    ')' => {
                        let s = &text[i..end];
                        s.matches(')').count() > s.matches('(').count()
                    }
                    ']' => {
                        let s = &text[i..end];
                        s.matches(']').count() > s.matches('[').count()
                    }
                    _ => false,
                };
                if !trim {
                    break;
                }
                end -= last.len_utf8();
            }
            let scheme_len = if starts_with_ci(rest, "https://") {
                8
            } else {
                7
            };
            if end > i + scheme_len {
                out.push(i..end);
                i = end;
                continue;
            }
        }
        i += text[i..].chars().next().map(char::len_utf8).unwrap_or(1);
    }
    out
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len() && s.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// `@handle` mentions: byte range of `@handle` within the text, and the handle.
/// An `@` preceded by a word character (an email address) is not a mention.
pub(crate) fn find_mentions(text: &str) -> Vec<(std::ops::Range<usize>, Handle<'_>)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    for i in memchr::memchr_iter(b'@', bytes) {
        if i > 0
            && (bytes[i - 1].is_ascii_alphanumeric()
                || bytes[i - 1] == b'_'
                || bytes[i - 1] == b'.')
        {
            continue;
        }
        if let Some(h) = read_handle(&text[i + 1..]) {
            out.push((i..i + 1 + h.written.len(), h));
        }
    }
    out
}

/// A handle as written after `@`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Handle<'a> {
    /// The whole run of handle characters, without a trailing `-`.
    pub written: &'a str,
    /// Its NFC form: what is matched against `[people]` and published.
    pub name: String,
    /// Why it cannot be trusted to name anyone, if it cannot.
    pub flaw: Option<HandleFlaw>,
}

/// What makes a handle look like another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HandleFlaw {
    /// A character that shows nothing, such as U+200D ZERO WIDTH JOINER.
    Invisible(char),
    /// A full-width form of an ASCII letter, digit or sign, such as `ｂ`.
    FullWidth(char),
    /// Letters of two scripts that are not written together, such as Latin
    /// and Cyrillic: the first letter of each.
    MixedScripts(char, char),
}

impl Handle<'_> {
    /// The finding and its help, for a flawed handle.
    pub(crate) fn explain(&self) -> Option<(String, String)> {
        // Invisible characters are shown as escapes, so the message shows them.
        let shown: String = self
            .written
            .chars()
            .map(|c| match is_ignorable(c) {
                true => format!("\\u{{{:04X}}}", c as u32),
                false => c.to_string(),
            })
            .collect();
        let plain = || -> String {
            let visible: String = self.written.chars().filter(|&c| !is_ignorable(c)).collect();
            visible.nfkc().collect()
        };
        Some(match self.flaw.as_ref()? {
            HandleFlaw::Invisible(c) => (
                format!(
                    "`@{shown}` holds the invisible character U+{:04X}; it credits nobody",
                    *c as u32
                ),
                format!("delete it: `@{}`", plain()),
            ),
            HandleFlaw::FullWidth(c) => (
                format!(
                    "`@{shown}` holds the full-width character `{c}` (U+{:04X}); it credits nobody",
                    *c as u32
                ),
                format!("write it in ASCII: `@{}`", plain()),
            ),
            HandleFlaw::MixedScripts(a, b) => (
                format!(
                    "`@{shown}` mixes {} and {} letters (`{b}` is U+{:04X}); it credits nobody",
                    a.script().full_name(),
                    b.script().full_name(),
                    *b as u32
                ),
                "write the handle in one script, as [people] spells it".into(),
            ),
        })
    }
}

/// Reads the handle at the start of `s` (the text after `@`): the whole run of
/// letters, digits, combining marks, `_`, `-` and the invisible characters that
/// can hide inside one. Reading only part of it would credit a fragment.
pub(crate) fn read_handle(s: &str) -> Option<Handle<'_>> {
    let end = s
        .char_indices()
        .find(|&(_, c)| !is_handle_char(c))
        .map_or(s.len(), |(i, _)| i);
    let written = s[..end].trim_end_matches('-');
    if written.is_empty() {
        return None;
    }
    let name = if written.is_ascii() || is_nfc(written) {
        written.to_string()
    } else {
        written.nfc().collect()
    };
    let flaw = flaw_of(&name);
    Some(Handle {
        written,
        name,
        flaw,
    })
}

fn is_handle_char(c: char) -> bool {
    c.is_alphanumeric()
        || c == '_'
        || c == '-'
        || is_combining_mark(c)
        || is_ignorable(c)
        // Full-width low line and hyphen-minus: they pass for `_` and `-`.
        || c == '\u{FF3F}'
        || c == '\u{FF0D}'
}

/// Unicode's default-ignorable code points: characters that show nothing.
fn is_ignorable(c: char) -> bool {
    matches!(c,
        '\u{AD}' | '\u{34F}' | '\u{61C}' | '\u{115F}'..='\u{1160}' | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

fn flaw_of(name: &str) -> Option<HandleFlaw> {
    if name.is_ascii() {
        return None;
    }
    if let Some(c) = name.chars().find(|&c| is_ignorable(c)) {
        return Some(HandleFlaw::Invisible(c));
    }
    if let Some(c) = name.chars().find(|c| ('\u{FF01}'..='\u{FF5E}').contains(c)) {
        return Some(HandleFlaw::FullWidth(c));
    }
    // UTS #39's test: Han with kana (Japanese) or with Hangul (Korean) is one
    // script; Latin with Cyrillic or Greek is not.
    if name.is_single_script() {
        return None;
    }
    let letters = || {
        name.chars()
            .filter(|c| !matches!(c.script(), Script::Common | Script::Inherited))
    };
    let first = letters().next()?;
    let other = letters().find(|c| c.script() != first.script())?;
    Some(HandleFlaw::MixedScripts(first, other))
}

#[cfg(test)]
mod tests;
