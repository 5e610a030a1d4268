//! The HTML notes may be published as: the elements and attributes feedgen's
//! renderers write, and nothing else: no script, no event handler, no link
//! but http(s) and mailto. Every rendering is checked before it is written.

use std::borrow::Cow;

/// The elements of notes HTML.
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

/// Checks notes HTML: only [`TAGS`]; attributes only `href` (http, https or
/// mailto), `title`, `start`, `class="language-…"` and `style="text-align: …"`.
pub(crate) fn safe_html(html: &str) -> Result<(), String> {
    let b = html.as_bytes();
    let mut at = 0;
    while let Some(lt) = memchr::memchr(b'<', &b[at..]) {
        let start = at + lt + 1 + usize::from(b.get(at + lt + 1) == Some(&b'/'));
        let name_len = b[start..]
            .iter()
            .position(|c| !c.is_ascii_alphanumeric())
            .ok_or("unclosed tag")?;
        let name = &html[start..start + name_len];
        if !is_known_tag(name) {
            return Err(format!("element <{name}> in notes HTML"));
        }
        let rest = start + name_len;
        at = if b[rest] == b'>' {
            rest + 1
        } else {
            let end = rest + memchr::memchr(b'>', &b[rest..]).ok_or("unclosed tag")?;
            check_attrs(html[rest..end].trim_end_matches('/'))?;
            end + 1
        };
    }
    Ok(())
}

/// One of [`TAGS`], in any case (feedgen writes them in lower case).
fn is_known_tag(name: &str) -> bool {
    matches!(
        name,
        "p" | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "a"
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
    if !attrs.is_empty() && !attrs.starts_with(|c: char| c.is_ascii_whitespace()) {
        return Err(format!("`{attrs}` after an element's name"));
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
            ["https://", "http://", "mailto:"]
                .iter()
                .any(|s| starts_with_ignore_case(value_t, s))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn live_markup_is_refused() {
        assert!(safe_html("<p><a href=\"https://x\">x</a></p>").is_ok());
        assert!(safe_html("<pre><code class=\"language-sh\">&lt;script&gt;</code></pre>").is_ok());
        assert!(safe_html("<a href=\"https://x/?a=1&amp;b=2\">x</a>").is_ok());
        assert!(safe_html("<A HREF=\"https://x\">x</A><LI></LI><br /><hr />").is_ok());
        assert!(safe_html("<script>alert(1)</script>").is_err());
        assert!(safe_html("<a href=\"javascript:alert(1)\">x</a>").is_err());
        assert!(safe_html("<a href=\"https://x\" onclick=\"x\">x</a>").is_err());
        assert!(safe_html("<a href=\"https://x\"onclick=\"x\">x</a>").is_err());
        assert!(safe_html("<a href=\"https://x>\">x</a>").is_err());
        assert!(safe_html("<li><scr>").is_err());
        assert!(safe_html("<li").is_err());
        assert!(safe_html("<img src=x>").is_err());
    }
}
