//! A web page read back with an HTML5 parser (html5ever, through scraper):
//! it must parse without an error, hold no script that runs (the JSON-LD
//! data block is not one), no event handler and no script URL, and carry
//! its title and its episode's media.

use scraper::{Html, Node};

use crate::render::pages::Expect;

/// Attributes that hold a URL a browser may follow or load.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "action", "formaction", "poster", "cite"];

/// Checks the page `bytes` against what it should hold.
pub(crate) fn page(bytes: &[u8], expect: &Expect) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let doc = Html::parse_document(text);
    if let Some(e) = doc.errors.first() {
        return Err(format!("does not parse as HTML: {e}"));
    }
    let mut title = None;
    let mut media = Vec::new();
    for node in doc.tree.nodes() {
        let Node::Element(el) = node.value() else {
            continue;
        };
        let name = el.name();
        if name == "script" && el.attr("type") != Some("application/ld+json") {
            return Err("holds a script".into());
        }
        if matches!(
            name,
            "iframe" | "frame" | "object" | "embed" | "base" | "form"
        ) {
            return Err(format!("holds a <{name}>"));
        }
        if name == "meta"
            && el
                .attr("http-equiv")
                .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
        {
            return Err("holds a <meta> refresh".into());
        }
        for (attr, value) in el.attrs() {
            if attr.len() > 2 && attr[..2].eq_ignore_ascii_case("on") {
                return Err(format!("<{name}> has an event handler ({attr})"));
            }
            if attr.eq_ignore_ascii_case("srcdoc") {
                return Err(format!("<{name}> has a srcdoc"));
            }
            if URL_ATTRIBUTES.contains(&attr) && is_script_url(value) {
                return Err(format!("<{name} {attr}> is a script URL"));
            }
        }
        match name {
            "title" if title.is_none() => {
                title = Some(
                    node.children()
                        .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                        .collect::<String>(),
                );
            }
            "audio" | "video" => media.extend(el.attr("src").map(str::to_string)),
            _ => {}
        }
    }
    if let Some(want) = &expect.title {
        if title.as_ref() != Some(want) {
            return Err(format!("its title is {title:?}, expected {want:?}"));
        }
    }
    if let Some(want) = &expect.media {
        if !media.iter().any(|m| m == want) {
            return Err(format!("no player plays {want}"));
        }
    }
    Ok(())
}

/// A URL whose scheme runs or embeds code, as a browser reads it (spaces and
/// controls around and inside the scheme ignored).
fn is_script_url(value: &str) -> bool {
    let scheme: String = value
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .take_while(|&c| c != ':')
        .collect::<String>()
        .to_ascii_lowercase();
    let has_colon = value.contains(':');
    has_colon && matches!(scheme.as_str(), "javascript" | "vbscript" | "data")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expect(title: &str) -> Expect {
        Expect {
            title: Some(title.into()),
            media: None,
        }
    }

    const OK: &str =
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>T</title>\
        <script type=\"application/ld+json\">{}</script></head><body><p>x</p></body></html>";

    #[test]
    fn a_clean_page_passes() {
        page(OK.as_bytes(), &expect("T")).unwrap();
    }

    #[test]
    fn scripts_handlers_script_urls_and_parse_errors_are_refused() {
        for (bad, why) in [
            ("<p>x</p>", "<p>x</p><script>alert(1)</script>"),
            ("<p>x</p>", "<p onclick=\"x()\">x</p>"),
            ("<p>x</p>", "<a href=\" JaVa\tscript:alert(1)\">x</a>"),
            ("<p>x</p>", "<img src=\"data:text/html,x\" alt=\"\">"),
            ("<p>x</p>", "<p>x</div>"),
            ("<p>x</p>", "<iframe srcdoc=\"x\"></iframe>"),
            ("<p>x</p>", "<base href=\"https://e.x/\">"),
            ("<meta charset=\"utf-8\">", "<meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url=https://e.x/\">"),
        ] {
            let html = OK.replace(bad, why);
            assert!(page(html.as_bytes(), &expect("T")).is_err(), "{why}");
        }
        assert!(page(OK.as_bytes(), &expect("Other")).is_err());
        let media = Expect {
            title: Some("T".into()),
            media: Some("https://e.x/1.mp3".into()),
        };
        assert!(page(OK.as_bytes(), &media).is_err());
        let with = OK.replace(
            "<p>x</p>",
            "<audio controls src=\"https://e.x/1.mp3\"></audio>",
        );
        page(with.as_bytes(), &media).unwrap();
    }
}
