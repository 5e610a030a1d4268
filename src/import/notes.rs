//! An item's show notes, HTML as feeds carry them, as Markdown in the seed
//! episode's shape (`-` bullets, ATX headings, inline links), by htmd.

use std::sync::{Arc, Mutex};

use htmd::element_handler::Handlers;
use htmd::options::{BrStyle, BulletListMarker, Options};
use htmd::{Element, HtmlToMarkdown};

/// Which of an item's forms of its notes was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NotesFrom {
    Content,
    Description,
    Summary,
}

impl NotesFrom {
    pub(crate) fn element(self, atom: bool) -> &'static str {
        match (self, atom) {
            (NotesFrom::Content, false) => "content:encoded",
            (NotesFrom::Content, true) => "content",
            (NotesFrom::Description, false) => "description",
            (NotesFrom::Description, true) => "summary",
            (NotesFrom::Summary, _) => "itunes:summary",
        }
    }
}

/// The richest of the forms given: the one with the most text, and of
/// equals the one with markup, content first.
pub(crate) fn richest(forms: [(NotesFrom, Option<&str>); 3]) -> Option<(NotesFrom, &str)> {
    let mut best: Option<(NotesFrom, &str, (usize, bool))> = None;
    for (from, text) in forms {
        let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
            continue;
        };
        let score = (plain_text(text).chars().count(), looks_like_html(text));
        if best.as_ref().is_none_or(|b| score > b.2) {
            best = Some((from, text, score));
        }
    }
    best.map(|(f, t, _)| (f, t))
}

pub(crate) fn looks_like_html(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    [
        "<p", "<br", "<a ", "<ul", "<ol", "<li", "<div", "<strong", "<em", "<b>", "<i>", "<h",
    ]
    .iter()
    .any(|tag| t.contains(tag))
}

/// The text of an HTML fragment, tags dropped, entities decoded, blank
/// space folded.
pub(crate) fn plain_text(html: &str) -> String {
    if !html.contains('<') && !html.contains('&') {
        return html.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let doc = scraper::Html::parse_fragment(html);
    let text: String = doc.root_element().text().collect::<Vec<_>>().join(" ");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Links changed on the way: relative ones made absolute against the show's
/// link, and ones feedgen never publishes (`tel:`, `javascript:` …) kept as
/// their text.
#[derive(Debug, Default)]
pub(crate) struct LinkChanges {
    pub resolved: Vec<String>,
    pub dropped: Vec<String>,
    /// Markup nested too deep to convert: the notes were kept as text.
    pub flattened: bool,
}

/// Markdown for notes given as HTML, or as plain text (its blank lines are
/// paragraphs, its line breaks kept).
pub(crate) fn to_markdown(notes: &str, base: Option<&url::Url>) -> (String, LinkChanges) {
    let deep = looks_like_html(notes) && nesting_depth(notes) > MAX_NESTING;
    let html = if looks_like_html(notes) && !deep {
        link_bare_urls(notes)
    } else {
        let text = if deep {
            plain_text(notes)
        } else {
            notes.to_string()
        };
        text.split("\n\n")
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                let escaped = html_escape::encode_text(p.trim());
                format!("<p>{}</p>", link_bare_urls(&escaped.replace('\n', "<br>")))
            })
            .collect::<String>()
    };
    let changes = Arc::new(Mutex::new(LinkChanges {
        flattened: deep,
        ..LinkChanges::default()
    }));
    let seen = changes.clone();
    let base = base.cloned();
    let converter = HtmlToMarkdown::builder()
        .options(Options {
            bullet_list_marker: BulletListMarker::Dash,
            ul_bullet_spacing: 1,
            br_style: BrStyle::Backslash,
            ..Options::default()
        })
        .skip_tags(vec![
            "script", "style", "iframe", "object", "embed", "form", "noscript", "svg", "head",
        ])
        // A level-1 heading would read as the episode's own heading.
        .add_handler(vec!["h1"], |handlers: &dyn Handlers, element: Element| {
            let text = handlers.walk_children(element.node).content;
            Some(format!("\n\n## {}\n\n", text.trim()).into())
        })
        .add_handler(
            vec!["a"],
            move |handlers: &dyn Handlers, element: Element| {
                let href = element
                    .attrs
                    .iter()
                    .find(|a| &*a.name.local == "href")
                    .map(|a| a.value.trim().to_string());
                let Some(href) = href else {
                    return handlers.fallback(element);
                };
                let mut changes = seen.lock().unwrap_or_else(|e| e.into_inner());
                let target = match super::urls::resolve(&href, base.as_ref()) {
                    Ok(r) if !matches!(r.url.scheme(), "http" | "https" | "mailto") => None,
                    Ok(r) if r.relative => {
                        changes.resolved.push(href.clone());
                        Some(r.url.to_string())
                    }
                    Ok(_) => Some(href.clone()),
                    Err(_) => None,
                };
                drop(changes);
                let Some(target) = target else {
                    seen.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .dropped
                        .push(href);
                    return Some(handlers.walk_children(element.node));
                };
                if target == href {
                    return handlers.fallback(element);
                }
                let inner = handlers.walk_children(element.node).content;
                Some(format!("[{}]({target})", inner.trim()).into())
            },
        )
        .build();
    let md = converter.convert(&html).unwrap_or_default();
    let md = md.trim();
    let md = if md.is_empty() {
        String::new()
    } else {
        format!("{md}\n")
    };
    drop(converter);
    let changes = Arc::try_unwrap(changes)
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .unwrap_or_default();
    (md, changes)
}

/// Deeper markup than this is kept as text: the converter walks the tree
/// recursively, and no show's notes nest so deep.
const MAX_NESTING: usize = 100;

/// How deep the elements of `html` nest, by their tags (void and
/// self-closed elements do not count).
fn nesting_depth(html: &str) -> usize {
    const VOID: &[&str] = &[
        "br", "img", "hr", "input", "meta", "link", "source", "wbr", "area", "col", "embed",
        "param", "track", "base",
    ];
    let (mut depth, mut max) = (0usize, 0usize);
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if let Some(close) = tag.strip_prefix('/') {
            if !close.is_empty() {
                depth = depth.saturating_sub(1);
            }
        } else if tag.starts_with(|c: char| c.is_ascii_alphabetic()) && !tag.ends_with('/') {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_ascii_lowercase();
            if !VOID.contains(&name.as_str()) {
                depth += 1;
                max = max.max(depth);
            }
        }
        rest = &rest[end.min(rest.len())..];
    }
    max
}

/// Bare URLs in the text of `html` (outside tags and links) as links, so
/// that Markdown's escapes (`utm\_source`) never cut them short.
fn link_bare_urls(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_link = 0usize;
    let mut rest = html;
    loop {
        let (text, tail) = match rest.find('<') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        if in_link == 0 {
            let mut last = 0;
            for l in linkify::LinkFinder::new()
                .kinds(&[linkify::LinkKind::Url])
                .links(text)
            {
                out.push_str(&text[last..l.start()]);
                out.push_str(&format!(
                    "<a href=\"{0}\">{0}</a>",
                    l.as_str().replace('"', "&quot;")
                ));
                last = l.end();
            }
            out.push_str(&text[last..]);
        } else {
            out.push_str(text);
        }
        if tail.is_empty() {
            return out;
        }
        let end = tail.find('>').map_or(tail.len(), |e| e + 1);
        let tag = tail[..end].to_ascii_lowercase();
        if tag.starts_with("<a ") || tag.starts_with("<a>") {
            in_link += 1;
        } else if tag.starts_with("</a") {
            in_link = in_link.saturating_sub(1);
        }
        out.push_str(&tail[..end]);
        rest = &tail[end..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_richest_form_wins() {
        let got = richest([
            (
                NotesFrom::Content,
                Some("<p>Long <b>notes</b> with <a href=\"https://x.example/\">a link</a>.</p>"),
            ),
            (NotesFrom::Description, Some("Long notes with a link.")),
            (NotesFrom::Summary, None),
        ]);
        assert_eq!(got.unwrap().0, NotesFrom::Content);
        let got = richest([
            (NotesFrom::Content, None),
            (NotesFrom::Description, Some("short")),
            (NotesFrom::Summary, Some("a longer summary")),
        ]);
        assert_eq!(got.unwrap().0, NotesFrom::Summary);
    }

    #[test]
    fn html_becomes_markdown_in_the_seed_shape() {
        let (md, _) = to_markdown("<h1>Topics</h1><p>We talk about <strong>Rust</strong>.</p><ul><li><a href=\"https://a.example/\">A</a></li><li>B</li></ul><script>x()</script>", None);
        assert_eq!(
            md,
            "## Topics\n\nWe talk about **Rust**.\n\n- [A](https://a.example/)\n- B\n"
        );
    }

    #[test]
    fn links_feedgen_cannot_publish_keep_their_text_and_relative_ones_resolve() {
        let base = url::Url::parse("https://show.example/").unwrap();
        let (md, changes) = to_markdown(
            "<p>Call <a href=\"tel:+15551234\">us</a>, read <a href=\"/notes/5\">the notes</a> or <a href=\"https://x.example/\">this</a>.</p>",
            Some(&base),
        );
        assert_eq!(md, "Call us, read [the notes](https://show.example/notes/5) or [this](https://x.example/).\n");
        assert_eq!(changes.dropped, ["tel:+15551234"]);
        assert_eq!(changes.resolved, ["/notes/5"]);
    }

    #[test]
    fn plain_text_keeps_its_paragraphs_and_markdown_characters_stay_text() {
        let (md, _) = to_markdown("First *line*\nsecond\n\nThird & <last>", None);
        assert!(md.contains("First \\*line\\*"), "{md}");
        assert!(
            md.contains("\n\nThird & <last>") || md.contains("\n\nThird & \\<last>"),
            "{md}"
        );
    }
}
