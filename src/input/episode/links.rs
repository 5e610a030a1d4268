//! Link policy: which URLs may reach a feed, how they are cleaned, and how bare
//! URLs and `@handle` mentions are found in text.
//!
//! These are pure functions over strings, so that the parser (which decides)
//! and the tests (which attack) use exactly the same rules.

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
    /// A scheme that can run code or read local files, or a protocol-relative URL.
    Unsafe { scheme: String },
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
        };
    }
    if let Some(colon) = squeezed.find(':') {
        let scheme = &squeezed[..colon];
        let is_scheme = !scheme.is_empty()
            && scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if is_scheme {
            let lower = scheme.to_ascii_lowercase();
            return match lower.as_str() {
                "http" | "https" | "mailto" => parse_allowed(trimmed, &lower),
                _ if looks_like_host_port(&squeezed) => relative(trimmed),
                _ => LinkVerdict::Unsafe { scheme: lower },
            };
        }
    }
    relative(trimmed)
}

fn looks_like_host_port(s: &str) -> bool {
    // `localhost:8080/x` or `example.com:443` parse as a scheme; they are hosts.
    let (_, rest) = s.split_once(':').unwrap_or((s, ""));
    rest.chars().next().is_some_and(|c| c.is_ascii_digit())
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
pub(crate) fn find_mentions(text: &str) -> Vec<(std::ops::Range<usize>, &str)> {
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
        let end = text[i + 1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .map(|e| i + 1 + e)
            .unwrap_or(text.len());
        let handle = text[i + 1..end].trim_end_matches('-');
        if !handle.is_empty() {
            out.push((i..i + 1 + handle.len(), handle));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep(s: &str) -> String {
        match check(s) {
            LinkVerdict::Keep { url, .. } => url,
            v => panic!("{s}: {v:?}"),
        }
    }

    #[test]
    fn unsafe_schemes_are_refused_however_spelled() {
        for s in [
            "javascript:alert(1)",
            " JavaScript:alert(1)",
            "java\tscript:alert(1)",
            "data:text/html,<script>",
            "vbscript:msgbox",
            "file:///etc/passwd",
            "//evil.example/x",
            "\\\\evil\\share",
        ] {
            assert!(matches!(check(s), LinkVerdict::Unsafe { .. }), "{s}");
        }
    }

    #[test]
    fn tracking_parameters_are_removed() {
        let u = "https://www.sdxcentral.com/a/?utm_campaign=website&utm_source=sendgrid&utm_medium=email";
        assert_eq!(keep(u), "https://www.sdxcentral.com/a/");
        assert_eq!(
            keep("https://x.io/?a=1&fbclid=2&b=3"),
            "https://x.io/?a=1&b=3"
        );
        assert_eq!(keep("https://x.io/p?q=1"), "https://x.io/p?q=1");
    }

    #[test]
    fn relative_and_schemeless() {
        assert_eq!(
            check("github.com/foo/bar"),
            LinkVerdict::Relative {
                suggestion: Some("https://github.com/foo/bar".into())
            }
        );
        assert!(matches!(
            check("./x.yaml"),
            LinkVerdict::Relative { suggestion: None }
        ));
        assert!(matches!(
            check("localhost:8080/x"),
            LinkVerdict::Relative { .. }
        ));
    }

    #[test]
    fn bare_urls() {
        let t = "see https://example.com/a_(b). and (http://x.io/y), done";
        let found: Vec<_> = find_bare_urls(t).into_iter().map(|r| &t[r]).collect();
        assert_eq!(found, vec!["https://example.com/a_(b)", "http://x.io/y"]);
    }

    #[test]
    fn mentions_skip_emails() {
        let m = find_mentions("@_inductor_ , @tzkb さん a@b.com");
        let h: Vec<_> = m.iter().map(|(_, h)| *h).collect();
        assert_eq!(h, vec!["_inductor_", "tzkb"]);
    }
}
