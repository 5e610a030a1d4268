//! The example show, built in a temporary copy of the project, and the
//! variants of its documents that the cases give the readers.

use std::path::{Path, PathBuf};

use chrono::DateTime;
use feedgen::model::Feed;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The documents every case starts from.
pub const DOCUMENTS: [&str; 3] = ["feed.xml", "atom.xml", "feed.json"];

pub struct Built {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
    pub out: PathBuf,
    /// The model the feeds must carry.
    pub feed: Feed,
    /// Each item's notes HTML, as feed.json carries it.
    pub notes_html: Vec<String>,
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Builds the repo's example show into a tempdir; the repo's public/ and
/// feedgen.lock are never touched (the lock is copied, so published guids hold).
pub fn build_example() -> Built {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("show");
    std::fs::create_dir_all(&root).unwrap();
    for f in ["podcast.toml", "feedgen.lock"] {
        std::fs::copy(repo().join(f), root.join(f)).unwrap();
    }
    for d in ["episodes", "media"] {
        copy_dir(&repo().join(d), &root.join(d));
    }
    let out = dir.path().join("out");
    let now = DateTime::parse_from_rfc3339("2030-01-01T00:00:00Z").unwrap();
    let mut opts = feedgen::Options::new(root.join("podcast.toml"), now);
    opts.out = Some(out.clone());
    let outcome = feedgen::build(&opts).expect("build runs");
    assert!(
        !outcome.written.is_empty() && !outcome.project.has_errors(),
        "the example show must build: {:#?}",
        outcome.project.diags
    );
    // A build moves the published items into the feed it writes: the model
    // is the show checked on its own.
    let feed = feedgen::check(&opts).expect("the show checks").feed();
    assert_eq!(feed.items.len(), outcome.published);
    assert_eq!(
        feed.items.len(),
        3,
        "the example show publishes 006, 007 and 008"
    );
    let promised = [
        (
            "transcript on 008",
            feed.items
                .iter()
                .any(|i| i.slug == "008" && !i.transcripts.is_empty()),
        ),
        (
            "chapters on 007",
            feed.items
                .iter()
                .any(|i| i.slug == "007" && i.chapters.is_some()),
        ),
    ];
    for (what, ok) in promised {
        assert!(ok, "the example show's model lacks the {what}");
    }
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("feed.json")).unwrap()).unwrap();
    let notes_html = json["items"]
        .as_array()
        .expect("feed.json has items")
        .iter()
        .map(|i| {
            i["content_html"]
                .as_str()
                .expect("content_html")
                .to_string()
        })
        .collect();
    Built {
        _dir: dir,
        root,
        out,
        feed,
        notes_html,
    }
}

/// A change to one of the built documents.
#[derive(Debug, Clone, Copy)]
pub enum Edit {
    /// In document `.0`, the first `.1` becomes `.2`.
    Replace(&'static str, &'static str, &'static str),
    /// In document `.0`, the first element `.2` after `.1` is removed.
    CutElement(&'static str, &'static str, &'static str),
    /// In document `.0`, the first attribute `.2` after `.1` is removed.
    CutAttribute(&'static str, &'static str, &'static str),
}

impl Edit {
    fn doc(self) -> &'static str {
        match self {
            Edit::Replace(d, ..) | Edit::CutElement(d, ..) | Edit::CutAttribute(d, ..) => d,
        }
    }

    /// `text` edited; panics when there is nothing to edit.
    fn apply(self, text: &str) -> String {
        let edited = match self {
            Edit::Replace(_, from, to) => text.replacen(from, to, 1),
            Edit::CutElement(_, after, tag) => cut(text, after, |s| {
                let close = format!("</{tag}>");
                let a = s.find(&format!("<{tag}"))?;
                Some((a, a + s[a..].find(&close)? + close.len()))
            }),
            Edit::CutAttribute(_, after, attr) => cut(text, after, |s| {
                let a = s.find(&format!(" {attr}=\""))?;
                let value = a + attr.len() + 3;
                Some((a, value + s[value..].find('"')? + 1))
            }),
        };
        assert_ne!(edited, text, "{self:?}: nothing was changed");
        edited
    }
}

/// `doc` without the first range `what` finds after `after`.
fn cut(doc: &str, after: &str, what: impl Fn(&str) -> Option<(usize, usize)>) -> String {
    let at = doc.find(after).expect("anchor present");
    let (s, e) = what(&doc[at..]).expect("something to cut");
    format!("{}{}", &doc[..at + s], &doc[at + e..])
}

/// The documents of one case, as its readers see them.
pub struct Docs<'b> {
    pub built: &'b Built,
    dir: PathBuf,
}

impl Docs<'_> {
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }
    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.file(name)).unwrap()
    }
    pub fn feed(&self) -> &Feed {
        &self.built.feed
    }
}

impl Built {
    /// The built documents with `edits` made, in a folder of their own.
    pub fn variant(&self, name: &str, edits: &[Edit]) -> Docs<'_> {
        let slug: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let dir = self.out.join("cases").join(slug);
        std::fs::create_dir_all(&dir).unwrap();
        for doc in DOCUMENTS {
            let mut text = std::fs::read_to_string(self.out.join(doc)).unwrap();
            for e in edits.iter().filter(|e| e.doc() == doc) {
                text = e.apply(&text);
            }
            std::fs::write(dir.join(doc), text).unwrap();
        }
        for e in edits {
            assert!(DOCUMENTS.contains(&e.doc()), "{e:?}: no such document");
        }
        Docs { built: self, dir }
    }
}
