//! Telling a feed from a web page, and finding the feeds a page advertises.
//!
//! Users often give the show's website rather than its feed. Such a page is
//! told by how it begins, and the feeds it names with
//! `<link rel="alternate" type="application/rss+xml" href>` are what to offer
//! instead.

use std::borrow::Cow;
use std::collections::HashSet;

use scraper::{ElementRef, Html};
use url::Url;

/// The types of `<link rel="alternate">` that name a feed.
const FEED_TYPES: [&str; 3] = [
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
];

/// Some(advertised) when `bytes` is an HTML page rather than a feed: the
/// absolute URLs of the feeds it advertises with `<link rel="alternate"
/// type="application/rss+xml|application/atom+xml|application/feed+json"
/// href>`, resolved against the page's `<base href>` and `base`, in document
/// order without repeats. A link that cannot be resolved, for want of a base,
/// is kept as written. None when it looks like XML (a feed), or like neither.
pub(crate) fn html_page(bytes: &[u8], base: Option<&Url>) -> Option<Vec<String>> {
    let text = match encoding_rs::Encoding::for_bom(bytes) {
        Some((encoding, bom)) if encoding != encoding_rs::UTF_8 => {
            // UTF-16: its bytes are not ASCII's, so decode before looking.
            let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
            if !begins_as_html(text.as_bytes()) {
                return None;
            }
            text
        }
        _ => {
            let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            if !begins_as_html(bytes) {
                return None;
            }
            match std::str::from_utf8(bytes) {
                Ok(text) => Cow::Borrowed(text),
                // What browsers assume of a page that does not say.
                Err(_) => {
                    encoding_rs::WINDOWS_1252
                        .decode_without_bom_handling(bytes)
                        .0
                }
            }
        }
    };
    Some(advertised(&text, base))
}

/// Whether the document's first markup, past whitespace, comments and
/// processing instructions, is an HTML doctype or an `html`, `head` or `body`
/// element. The XML declaration is skipped too: an XHTML page may start with
/// one, and a feed's root (`rss`, `feed`, `rdf:RDF`) still tells it apart.
fn begins_as_html(mut s: &[u8]) -> bool {
    loop {
        s = s.trim_ascii_start();
        if let Some(rest) = s.strip_prefix(b"<!--") {
            match memchr::memmem::find(rest, b"-->") {
                Some(end) => s = &rest[end + 3..],
                None => return false,
            }
        } else if let Some(rest) = s.strip_prefix(b"<?") {
            match memchr::memmem::find(rest, b"?>") {
                Some(end) => s = &rest[end + 2..],
                None => return false,
            }
        } else if starts_with_ignore_case(s, b"<!doctype") {
            return name_is(s[b"<!doctype".len()..].trim_ascii_start(), b"html");
        } else if let Some(rest) = s.strip_prefix(b"<") {
            return [&b"html"[..], b"head", b"body"]
                .iter()
                .any(|name| name_is(rest, name));
        } else {
            return false;
        }
    }
}

/// Whether `s` starts with the tag or doctype name `name`, in any case.
fn name_is(s: &[u8], name: &[u8]) -> bool {
    starts_with_ignore_case(s, name)
        && s.get(name.len())
            .is_none_or(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
}

fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    s.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

fn advertised(text: &str, base: Option<&Url>) -> Vec<String> {
    let page = Html::parse_document(text);
    let elements = || page.root_element().descendent_elements();
    let named =
        |name: &'static str| elements().filter(move |e: &ElementRef<'_>| e.value().name() == name);
    // HTML resolves links against the first <base href>, itself resolved
    // against the page's address.
    let base_element = named("base").find_map(|e| e.attr("href"));
    let base = match base_element.map(trim_url) {
        Some(href) => match base {
            Some(page_url) => page_url.join(href).ok(),
            None => Url::parse(href).ok(),
        }
        .or_else(|| base.cloned()),
        None => base.cloned(),
    };
    let mut seen = HashSet::new();
    let mut feeds = Vec::new();
    for link in named("link") {
        let (Some(rel), Some(kind), Some(href)) =
            (link.attr("rel"), link.attr("type"), link.attr("href"))
        else {
            continue;
        };
        if !rel
            .split_ascii_whitespace()
            .any(|r| r.eq_ignore_ascii_case("alternate"))
        {
            continue;
        }
        // A type may carry parameters: "application/rss+xml; charset=utf-8".
        let mime = kind.split(';').next().unwrap_or_default().trim();
        if !FEED_TYPES.iter().any(|t| mime.eq_ignore_ascii_case(t)) {
            continue;
        }
        let href = trim_url(href);
        if href.is_empty() {
            continue;
        }
        let resolved = match &base {
            Some(base) => base.join(href),
            None => Url::parse(href),
        };
        let feed: String = match resolved {
            Ok(url) => url.into(),
            Err(url::ParseError::RelativeUrlWithoutBase) => {
                href.chars().filter(|c| !c.is_control()).collect()
            }
            Err(_) => continue,
        };
        if seen.insert(feed.clone()) {
            feeds.push(feed);
        }
    }
    feeds
}

/// HTML ignores whitespace around a URL attribute.
fn trim_url(href: &str) -> &str {
    href.trim_matches(|c: char| c.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page_url() -> Url {
        Url::parse("https://show.example/episodes/index.html").unwrap()
    }

    #[test]
    fn a_page_offers_the_feeds_it_advertises_resolved() {
        let page = r#"<!DOCTYPE html>
<html lang="en"><head>
<title>The Show</title>
<link rel="stylesheet" href="/style.css">
<link rel="alternate" type="application/rss+xml" title="RSS" href="../feed.xml">
<link rel="ALTERNATE home" type="Application/Atom+XML; charset=utf-8" href=" https://cdn.example/atom.xml ">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
<link rel="alternate" type="text/html" hreflang="de" href="/de/">
<link rel="alternate" type="application/feed+json">
</head><body><p>Hello</p>
<link rel="alternate" type="application/feed+json" href="feed.json">
</body></html>"#;
        assert_eq!(
            html_page(page.as_bytes(), Some(&page_url())),
            Some(vec![
                "https://show.example/feed.xml".to_owned(),
                "https://cdn.example/atom.xml".to_owned(),
                "https://show.example/episodes/feed.json".to_owned(),
            ])
        );
        // Without an address, relative links stay as written.
        assert_eq!(
            html_page(page.as_bytes(), None),
            Some(vec![
                "../feed.xml".to_owned(),
                "https://cdn.example/atom.xml".to_owned(),
                "/feed.xml".to_owned(),
                "feed.json".to_owned(),
            ])
        );
    }

    #[test]
    fn a_base_element_changes_where_links_resolve() {
        let page = br#"<html><head><base href="/podcast/">
<link rel=alternate type=application/rss+xml href=rss></head></html>"#;
        assert_eq!(
            html_page(page, Some(&page_url())),
            Some(vec!["https://show.example/podcast/rss".to_owned()])
        );
        let page = br#"<html><head><base href="https://other.example/a/">
<link rel=alternate type=application/rss+xml href=rss></head></html>"#;
        assert_eq!(
            html_page(page, None),
            Some(vec!["https://other.example/a/rss".to_owned()])
        );
    }

    #[test]
    fn a_page_without_feed_links_offers_none() {
        let page = b"<!doctype html><title>Blog</title><p>No feed here.";
        assert_eq!(html_page(page, Some(&page_url())), Some(vec![]));
        for page in [
            &b"  <HTML><body>hi</body></HTML>"[..],
            b"<!-- generated --><head><title>x</title></head>",
            b"<body>",
            b"<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\"><html>",
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \
              \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\">",
            b"\xEF\xBB\xBF\r\n<html>",
            b"<html",
        ] {
            assert_eq!(html_page(page, None), Some(vec![]), "{}", String::from_utf8_lossy(page));
        }
    }

    #[test]
    fn feeds_and_other_content_are_not_pages() {
        let rss = "\u{FEFF} \n\t<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
            <?xml-stylesheet type=\"text/xsl\" href=\"feed.xsl\"?>\n<!-- feed -->\n\
            <rss version=\"2.0\"><channel><link>https://show.example/</link>\
            <description>&lt;html&gt;</description></channel></rss>";
        assert_eq!(html_page(rss.as_bytes(), Some(&page_url())), None);
        let atom = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Show</title>
<link rel="alternate" type="application/rss+xml" href="/feed.xml"/></feed>"#;
        assert_eq!(html_page(atom.as_bytes(), None), None);
        for other in [
            &b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"[..],
            b"<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\"><rss>",
            b"<htmlish/>",
            b"{\"version\": \"https://jsonfeed.org/version/1.1\"}",
            b"Not Found",
            b"",
            b"\xEF\xBB\xBF",
            b"<!-- never closed <html>",
            b"<?xml never closed <html>",
            b"\xFF\xFE\x00",
        ] {
            assert_eq!(
                html_page(other, None),
                None,
                "{}",
                String::from_utf8_lossy(other)
            );
        }
    }

    #[test]
    fn pages_in_other_encodings_are_read() {
        let utf16: Vec<u8> =
            "\u{FEFF}<!DOCTYPE html><link rel=alternate type=application/rss+xml href=/f.xml>"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect();
        assert_eq!(
            html_page(&utf16, Some(&page_url())),
            Some(vec!["https://show.example/f.xml".to_owned()])
        );
        let feed16: Vec<u8> = "\u{FEFF}<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss/>"
            .encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect();
        assert_eq!(html_page(&feed16, None), None);
        // Windows-1252 "é", not UTF-8.
        let latin = b"<html><link rel=alternate type=application/rss+xml href=/caf\xE9.xml>";
        assert_eq!(
            html_page(latin, Some(&page_url())),
            Some(vec!["https://show.example/caf%C3%A9.xml".to_owned()])
        );
    }
}
