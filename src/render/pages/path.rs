//! Where a page's URL puts its file: the output folder is served at the
//! channel `link`, so a URL under it names a file under the folder, as a
//! static host maps it (a folder's URL serves its `index.html`).

use percent_encoding::percent_decode_str;
use url::Url;

/// The file, under the output folder, that serves `url` when the folder is
/// served at `show_link`. None when `url` is not under `show_link`, is the
/// show's own page, carries a query or fragment, or has a segment that is no
/// plain file name once decoded (`..`, a hidden name, a slash or a control
/// character in it).
pub(crate) fn page_path(show_link: &str, url: &str) -> Option<String> {
    let base = Url::parse(show_link).ok()?;
    let page = Url::parse(url).ok()?;
    if page.origin() != base.origin() || page.query().is_some() || page.fragment().is_some() {
        return None;
    }
    // The folder the show page is in: its path up to the last `/`.
    let base_path = base.path();
    let folder = &base_path[..=base_path.rfind('/')?];
    let rest = page.path().strip_prefix(folder)?;
    if rest.is_empty() || rest == base_path.strip_prefix(folder)? {
        return None;
    }
    let mut segments = Vec::new();
    for raw in rest.split('/') {
        if raw.is_empty() {
            continue;
        }
        let s = percent_decode_str(raw).decode_utf8().ok()?;
        // A file name on common file systems: at most 255 bytes.
        let plain = s.len() <= 255
            && !s.starts_with('.')
            && !s.contains(['/', '\\'])
            && !s.chars().any(char::is_control);
        if !plain {
            return None;
        }
        segments.push(s.into_owned());
    }
    let last = segments.last()?;
    if !rest.ends_with('/') && (last.ends_with(".html") || last.ends_with(".htm")) {
        return Some(segments.join("/"));
    }
    segments.push("index.html".into());
    Some(segments.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_under_the_show_link_name_files_under_the_folder() {
        let show = "https://example.com/podcast/";
        let at = |u: &str| page_path(show, u);
        assert_eq!(
            at("https://example.com/podcast/episodes/8/").as_deref(),
            Some("episodes/8/index.html")
        );
        assert_eq!(
            at("https://example.com/podcast/episodes/8").as_deref(),
            Some("episodes/8/index.html")
        );
        assert_eq!(
            at("https://example.com/podcast/8.html").as_deref(),
            Some("8.html")
        );
        assert_eq!(
            at("https://example.com/podcast/%E6%97%A5%20x/").as_deref(),
            Some("日 x/index.html")
        );
        // A show link naming a file: its folder is the root.
        assert_eq!(
            page_path("https://e.x/index.html", "https://e.x/e/1/").as_deref(),
            Some("e/1/index.html")
        );
        for outside in &[
            "https://example.com/podcast/",
            "https://example.com/other/8/",
            "http://example.com/podcast/8/",
            "https://example.org/podcast/8/",
            "https://example.com/podcast/8/?a=1",
            "https://example.com/podcast/8/#t",
            "https://example.com/podcast/%2E%2E/x/",
            "https://example.com/podcast/a%2Fb/",
            "https://example.com/podcast/.git/",
            "https://example.com/podcast/a%00b/",
            &format!("https://example.com/podcast/{}/", "a".repeat(256)),
            "not a url",
        ] {
            assert_eq!(at(outside), None, "{outside}");
        }
        assert_eq!(
            page_path("https://e.x/index.html", "https://e.x/index.html"),
            None
        );
    }
}
