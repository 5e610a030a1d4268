//! RFC 5005 feed paging: the newest `page_size` items in the main document and
//! older ones in archive pages (`feed-2.xml`, `atom-2.xml`, …) linked with
//! `first`/`last`/`next`/`previous`. An unpaged feed is marked `fh:complete`.

use crate::model::Item;

/// One document to write.
#[derive(Debug, Clone)]
pub(crate) struct Page<'a> {
    /// 1 = the main feed.
    pub number: usize,
    pub items: &'a [Item],
    /// This page's own URL (`rel="self"`).
    pub self_url: String,
    /// Paging links as (rel, href).
    pub links: Vec<(&'static str, String)>,
    /// The whole feed is in this one document (RFC 5005 section 2).
    pub complete: bool,
}

/// File name of page `n` for a base name: `feed.xml` → `feed-2.xml`.
pub(crate) fn page_file(base: &str, n: usize) -> String {
    if n == 1 {
        return base.to_string();
    }
    match base.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}-{n}.{ext}"),
        None => format!("{base}-{n}"),
    }
}

/// URL of page `n`: page 1 is `main_url` itself; archive pages sit beside it.
pub(crate) fn page_url(main_url: &str, base: &str, n: usize) -> String {
    if n == 1 {
        return main_url.to_string();
    }
    let dir = match main_url.rfind('/') {
        Some(i) => &main_url[..=i],
        None => "",
    };
    format!("{dir}{}", page_file(base, n))
}

/// Splits items (newest first) into pages.
pub(crate) fn paginate<'a>(
    items: &'a [Item],
    page_size: Option<usize>,
    main_url: &str,
    base: &str,
) -> Vec<Page<'a>> {
    let size = match page_size {
        Some(s) if s > 0 && items.len() > s => s,
        _ => {
            return vec![Page {
                number: 1,
                items,
                self_url: main_url.to_string(),
                links: vec![],
                complete: true,
            }]
        }
    };
    let chunks: Vec<&[Item]> = items.chunks(size).collect();
    let last = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let n = i + 1;
            let mut links = vec![
                ("first", page_url(main_url, base, 1)),
                ("last", page_url(main_url, base, last)),
            ];
            if n < last {
                links.push(("next", page_url(main_url, base, n + 1)));
            }
            if n > 1 {
                links.push(("previous", page_url(main_url, base, n - 1)));
            }
            Page {
                number: n,
                items: chunk,
                self_url: page_url(main_url, base, n),
                links,
                complete: false,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(page_file("feed.xml", 2), "feed-2.xml");
        assert_eq!(
            page_url("https://e.x/p/feed.xml", "feed.xml", 3),
            "https://e.x/p/feed-3.xml"
        );
        assert_eq!(
            page_url("https://e.x/p/feed.xml", "feed.xml", 1),
            "https://e.x/p/feed.xml"
        );
    }
}
