//! Parse-back checks on every rendered document before it may replace the last
//! good one: strict XML, the expected items, guids and enclosures, and HTML that
//! holds only the elements and attributes feedgen itself writes.

use quick_xml::events::Event as XmlEvent;
use quick_xml::Reader;

use crate::model::Item;

/// Well-formedness with a strict reader, plus characters XML 1.0 cannot hold and
/// raw CRs (normalized away on input; none may appear in output).
pub fn strict_xml(bytes: &[u8]) -> Result<(), String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    if let Some(c) = text
        .chars()
        .find(|&c| crate::source::is_xml_invalid(c) && c != '\r')
    {
        return Err(format!("contains U+{:04X}", c as u32));
    }
    if text.contains('\r') {
        return Err("contains a raw CR".into());
    }
    let mut r = Reader::from_str(text);
    r.config_mut().check_end_names = true;
    r.config_mut().check_comments = true;
    let mut depth = 0usize;
    let mut roots = 0usize;
    loop {
        match r.read_event() {
            Ok(XmlEvent::Start(_)) => {
                if depth == 0 {
                    roots += 1;
                }
                depth += 1;
            }
            Ok(XmlEvent::End(_)) => depth = depth.saturating_sub(1),
            Ok(XmlEvent::Empty(_)) if depth == 0 => roots += 1,
            Ok(XmlEvent::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(format!(
                    "not well-formed at byte {}: {e}",
                    r.buffer_position()
                ))
            }
        }
    }
    if depth != 0 || roots != 1 {
        return Err("not a single closed root element".into());
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
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        let end = after.find('>').ok_or("unclosed tag")?;
        let tag = &after[..end];
        rest = &after[end + 1..];
        let tag = tag.trim_start_matches('/').trim_end_matches('/').trim();
        let (name, attrs) = tag.split_once(char::is_whitespace).unwrap_or((tag, ""));
        if !TAGS.contains(&name.to_ascii_lowercase().as_str()) {
            return Err(format!("element <{name}> in notes HTML"));
        }
        check_attrs(attrs)?;
    }
    Ok(())
}

fn check_attrs(attrs: &str) -> Result<(), String> {
    let mut rest = attrs.trim();
    while !rest.is_empty() {
        let eq = rest
            .find('=')
            .ok_or_else(|| format!("bare attribute `{rest}`"))?;
        let name = rest[..eq].trim().to_ascii_lowercase();
        let v = rest[eq + 1..].trim_start();
        let v = v.strip_prefix('"').ok_or("unquoted attribute")?;
        let close = v.find('"').ok_or("unterminated attribute")?;
        let value = html_unescape(&v[..close]);
        rest = v[close + 1..].trim_start();
        let lower = value.trim().to_ascii_lowercase();
        let ok = match name.as_str() {
            "href" => {
                lower.starts_with("https://")
                    || lower.starts_with("http://")
                    || lower.starts_with("mailto:")
            }
            "title" | "start" => true,
            "class" => lower.starts_with("language-"),
            "style" => lower.starts_with("text-align:"),
            _ => false,
        };
        if !ok {
            return Err(format!("attribute {name}=\"{value}\" in notes HTML"));
        }
    }
    Ok(())
}

fn html_unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The RSS read back must hold exactly these items, in order, with their guids
/// and enclosures.
pub fn rss(bytes: &[u8], items: &[Item]) -> Result<(), String> {
    strict_xml(bytes)?;
    let ch = rss::Channel::read_from(bytes).map_err(|e| format!("RSS does not parse back: {e}"))?;
    if ch.items.len() != items.len() {
        return Err(format!(
            "RSS has {} items, expected {}",
            ch.items.len(),
            items.len()
        ));
    }
    for (got, want) in ch.items.iter().zip(items) {
        let g = got.guid.as_ref().map(|g| g.value.as_str());
        if g != Some(want.guid.as_str()) {
            return Err(format!("guid {:?} read back as {:?}", want.guid, g));
        }
        let enc = got
            .enclosure
            .as_ref()
            .map(|e| (e.url.as_str(), e.length.as_str()));
        let want_enc = want
            .enclosure
            .as_ref()
            .map(|e| (e.url.clone(), e.length.to_string()));
        if enc.map(|(u, l)| (u.to_string(), l.to_string())) != want_enc {
            return Err(format!("enclosure of {} read back as {enc:?}", want.guid));
        }
        for html in [&got.content, &got.description].into_iter().flatten() {
            safe_html(html).map_err(|e| format!("{}: {e}", want.guid))?;
        }
    }
    Ok(())
}

pub fn atom(bytes: &[u8], items: &[Item]) -> Result<(), String> {
    strict_xml(bytes)?;
    let f = atom_syndication::Feed::read_from(bytes)
        .map_err(|e| format!("Atom does not parse back: {e}"))?;
    if f.entries.len() != items.len() {
        return Err(format!(
            "Atom has {} entries, expected {}",
            f.entries.len(),
            items.len()
        ));
    }
    for (got, want) in f.entries.iter().zip(items) {
        if got.id != want.id_iri {
            return Err(format!("entry id {} read back as {}", want.id_iri, got.id));
        }
        if let Some(v) = got.content.as_ref().and_then(|c| c.value.as_ref()) {
            safe_html(v).map_err(|e| format!("{}: {e}", want.id_iri))?;
        }
    }
    Ok(())
}

pub fn json(bytes: &[u8], items: &[Item]) -> Result<(), String> {
    let v: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("JSON Feed does not parse back: {e}"))?;
    let got = v["items"]
        .as_array()
        .ok_or("JSON Feed has no items array")?;
    if got.len() != items.len() {
        return Err(format!(
            "JSON Feed has {} items, expected {}",
            got.len(),
            items.len()
        ));
    }
    for (g, w) in got.iter().zip(items) {
        if g["id"].as_str() != Some(w.id_iri.as_str()) {
            return Err(format!(
                "JSON item id {} read back as {}",
                w.id_iri, g["id"]
            ));
        }
        if let Some(h) = g["content_html"].as_str() {
            safe_html(h)?;
        }
    }
    Ok(())
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
        assert!(safe_html("<img src=x>").is_err());
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
