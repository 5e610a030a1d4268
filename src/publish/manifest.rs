//! The manifest: the documents the last build wrote into an output folder,
//! kept in the folder's workspace (`.public.feedgen/written`), outside what
//! is deployed. A build removes the archive pages the manifest lists that it
//! did not write again (they would point at wrong neighbours), and nothing
//! else: a file feedgen did not write is never deleted, whatever its name.

use std::path::Path;

use crate::input::regular_file::read_regular;

pub(crate) const FILE_NAME: &str = "written";
const HEADER: &str = "# feedgen: the documents the last build wrote beside this folder; the next build removes the archive pages among them it does not write again.";
const MAX_BYTES: u64 = 1 << 20;

/// The documents the manifest at `path` lists; none when there is no
/// manifest or it is not one feedgen wrote (then nothing is removed).
pub(crate) fn read(path: &Path) -> Vec<String> {
    let Ok(Some(bytes)) = read_regular(path, MAX_BYTES) else {
        return Vec::new();
    };
    let Ok(text) = String::from_utf8(bytes) else {
        return Vec::new();
    };
    let mut lines = text.lines();
    if lines.next() != Some(HEADER) {
        return Vec::new();
    }
    lines
        .filter(|l| is_document(l))
        .map(str::to_string)
        .collect()
}

/// The manifest listing `names`.
pub(crate) fn text<'a>(names: impl Iterator<Item = &'a str>) -> String {
    let mut t = format!("{HEADER}\n");
    for n in names {
        t.push_str(n);
        t.push('\n');
    }
    t
}

/// An archive page's name: `feed-N.xml` or `atom-N.xml`, N from 2, written
/// as `page_file` writes it.
fn is_archive_page(name: &str) -> bool {
    ["feed-", "atom-"].iter().any(|p| {
        name.strip_prefix(p)
            .and_then(|r| r.strip_suffix(".xml"))
            .is_some_and(|n| {
                n.bytes().all(|b| b.is_ascii_digit())
                    && !n.starts_with('0')
                    && n.parse::<u64>().is_ok_and(|v| v >= 2)
            })
    })
}

/// A name feedgen gives a document.
fn is_document(name: &str) -> bool {
    matches!(name, "feed.xml" | "atom.xml" | "feed.json") || is_archive_page(name)
}

/// The archive pages of `old` (a manifest's list) that `now` does not hold.
pub(crate) fn stale<'a>(old: &'a [String], now: &[&str]) -> Vec<&'a str> {
    old.iter()
        .map(String::as_str)
        .filter(|n| is_archive_page(n) && !now.contains(n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_feedgen_page_names_are_ever_stale() {
        for page in ["feed-2.xml", "atom-10.xml", "feed-300.xml"] {
            assert!(is_archive_page(page), "{page}");
        }
        for other in [
            "feed-2023.csv",
            "atom-1.0.xsd",
            "feed-9.xml.bak",
            "feed-1.xml",
            "feed-02.xml",
            "feed-+2.xml",
            "feed-.xml",
            "../feed-2.xml",
            "feed.xml",
            "index.html",
        ] {
            assert!(!is_archive_page(other), "{other}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let names = [
            "feed.xml",
            "feed-2.xml",
            "feed-3.xml",
            "index.html",
            "a/feed-4.xml",
        ];
        std::fs::write(&path, text(names.into_iter())).unwrap();
        let old = read(&path);
        assert_eq!(old, ["feed.xml", "feed-2.xml", "feed-3.xml"]);
        assert_eq!(stale(&old, &["feed.xml", "feed-2.xml"]), ["feed-3.xml"]);
        // Not a manifest feedgen wrote: nothing is listed.
        std::fs::write(&path, "feed-2.xml\n").unwrap();
        assert!(read(&path).is_empty());
    }
}
