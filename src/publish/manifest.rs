//! The manifest: the documents and web pages the last build wrote into an
//! output folder, kept in the folder's workspace (`.public.feedgen/written`),
//! outside what is deployed. A build removes the archive pages and web pages
//! the manifest lists that it did not write again (a page of an episode no
//! longer published, an archive page pointing at wrong neighbours), and
//! nothing else: a file feedgen did not write is never deleted, whatever its
//! name.

use std::collections::HashSet;
use std::path::Path;

use crate::input::regular_file::read_regular;

pub(crate) const FILE_NAME: &str = "written";
const HEADER: &str = "# feedgen: the documents the last build wrote beside this folder; the next build removes the archive pages and web pages among them it does not write again.";
// A line per document and page: room for shows of any size.
const MAX_BYTES: u64 = 64 << 20;

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

/// A web page's path as feedgen writes it: plain file names (none empty,
/// hidden, `..` or holding a backslash), the last an `.html` or `.htm` file.
fn is_web_page(name: &str) -> bool {
    (name.ends_with(".html") || name.ends_with(".htm"))
        && name
            .split('/')
            .all(|s| !s.is_empty() && !s.starts_with('.') && !s.contains('\\'))
}

/// A name feedgen gives a document or a web page.
fn is_document(name: &str) -> bool {
    matches!(name, "feed.xml" | "atom.xml" | "feed.json")
        || is_archive_page(name)
        || is_web_page(name)
}

/// The archive pages and web pages of `old` (a manifest's list) that `now`
/// does not hold.
pub(crate) fn stale<'a>(old: &'a [String], now: &[&str]) -> Vec<&'a str> {
    let now: HashSet<&str> = now.iter().copied().collect();
    old.iter()
        .map(String::as_str)
        .filter(|n| (is_archive_page(n) || is_web_page(n)) && !now.contains(n))
        .collect()
}

/// Whether `page`'s path under `dir` passes through a symbolic link (or is
/// one), or cannot be looked at.
pub(crate) fn through_link(dir: &Path, page: &str) -> bool {
    let mut path = dir.to_path_buf();
    page.split('/').any(|segment| {
        path.push(segment);
        match std::fs::symlink_metadata(&path) {
            Ok(m) => m.file_type().is_symlink(),
            Err(e) => e.kind() != std::io::ErrorKind::NotFound,
        }
    })
}

/// After the stale page `page` is removed from `dir`: the folders it was in,
/// innermost first, as long as they are empty (one holding anything else
/// stays, and so do those above it).
pub(crate) fn remove_empty_folders(dir: &Path, page: &str) {
    let mut path = page;
    while let Some((parent, _)) = path.rsplit_once('/') {
        if std::fs::remove_dir(dir.join(parent)).is_err() {
            return;
        }
        path = parent;
    }
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
        for page in [
            "index.html",
            "episodes/8/index.html",
            "page/2/index.html",
            "8.html",
        ] {
            assert!(is_web_page(page), "{page}");
        }
        for other in [
            "../index.html",
            "a//index.html",
            ".git/index.html",
            "a\\b.html",
            "index.html.bak",
        ] {
            assert!(!is_web_page(other), "{other}");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let names = [
            "feed.xml",
            "feed-2.xml",
            "feed-3.xml",
            "index.html",
            "e/1/index.html",
            "a/feed-4.xml",
            "../x.html",
        ];
        std::fs::write(&path, text(names.into_iter())).unwrap();
        let old = read(&path);
        assert_eq!(
            old,
            [
                "feed.xml",
                "feed-2.xml",
                "feed-3.xml",
                "index.html",
                "e/1/index.html"
            ]
        );
        assert_eq!(
            stale(&old, &["feed.xml", "feed-2.xml", "index.html"]),
            ["feed-3.xml", "e/1/index.html"]
        );
        #[cfg(unix)]
        {
            let out = dir.path().join("linked");
            std::fs::create_dir_all(out.join("real")).unwrap();
            std::os::unix::fs::symlink(dir.path(), out.join("e")).unwrap();
            assert!(through_link(&out, "e/1/index.html"));
            assert!(!through_link(&out, "real/index.html"));
            assert!(!through_link(&out, "new/1/index.html"));
        }
        // Only empty folders go with a stale page.
        let out = dir.path().join("out");
        std::fs::create_dir_all(out.join("e/1")).unwrap();
        std::fs::create_dir_all(out.join("e/2")).unwrap();
        remove_empty_folders(&out, "e/1/index.html");
        assert!(!out.join("e/1").exists() && out.join("e/2").exists());
        // Not a manifest feedgen wrote: nothing is listed.
        std::fs::write(&path, "feed-2.xml\n").unwrap();
        assert!(read(&path).is_empty());
    }
}
