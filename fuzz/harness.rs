//! The bodies of the fuzz targets, shared by `fuzz/fuzz_targets/*.rs` and by the
//! regression replay `tests/fuzz_regressions.rs`, so a kept crash input is
//! replayed exactly as the fuzzer ran it. Included with `#[path]`; it uses
//! feedgen's public API only, and crates feedgen depends on (chrono, quick-xml,
//! rss, atom_syndication, serde_json).
#![allow(dead_code)]

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock, PoisonError};

use chrono::{DateTime, FixedOffset};
use feedgen::diag::{Diagnostic, Level, Severity};
use feedgen::model::{Feed, Show};
use feedgen::{Options, Project};

/// The show every target builds with: the one the tests use.
pub const PODCAST_TOML: &str = include_str!("../tests/show/podcast.toml");

/// The episode the podcast_toml target builds with every podcast.toml.
pub const EPISODE: &str = "+++\npublished = 2021-01-22T21:00:00+09:00\n[audio]\nurl = \"https://media.example.com/001.mp3\"\nlength = 1234\ntype = \"audio/mpeg\"\nduration = \"1:02:03\"\n+++\n# 001: Pilot\n- Hosted by @alice\n## Contents\n### @alice\n#### [Topic](https://example.com/t)\n- note\n";

fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2030-01-01T00:00:00+00:00").unwrap()
}

/// A project folder kept for the whole process: a fuzzer runs a target
/// millions of times, and a fresh folder per run would cost more than the run.
/// Each target has its own, so targets can run side by side (the regression
/// tests do); runs of one target take turns.
pub struct Workspace {
    name: &'static str,
    /// Writes what a fresh project holds besides the shared show.
    setup: fn(&Path),
    root: Mutex<Option<PathBuf>>,
}

impl Workspace {
    const fn new(name: &'static str, setup: fn(&Path)) -> Self {
        Workspace {
            name,
            setup,
            root: Mutex::new(None),
        }
    }

    /// Runs `f` on the project folder, made on first use: podcast.toml (the
    /// shared show) and `episodes/`, plus the workspace's own files.
    fn with<R>(&self, f: impl FnOnce(&Path) -> R) -> R {
        // A run that panicked (a finding) leaves the folder as usable as ever.
        let mut root = self.root.lock().unwrap_or_else(PoisonError::into_inner);
        let root = root.get_or_insert_with(|| {
            let dir = std::env::temp_dir().join(format!(
                "feedgen-fuzz-{}-{}",
                self.name,
                std::process::id()
            ));
            // Left over by an earlier process with the same id.
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(dir.join("episodes")).expect("cannot make the fuzz project");
            std::fs::write(dir.join("podcast.toml"), PODCAST_TOML)
                .expect("cannot write podcast.toml");
            (self.setup)(&dir);
            dir
        });
        f(root)
    }

    /// Deletes the folder; the next run makes a new one.
    pub fn remove(&self) {
        let mut root = self.root.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(dir) = root.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

pub static EPISODE_PROJECT: Workspace = Workspace::new("episode", |_| {});
pub static PODCAST_TOML_PROJECT: Workspace = Workspace::new("podcast_toml", |root| {
    std::fs::write(root.join("episodes/001.md"), EPISODE).expect("cannot write the episode");
});
static READ_BACK_PROJECT: Workspace = Workspace::new("read_back", |root| {
    std::fs::write(root.join("episodes/001.md"), EPISODE).expect("cannot write an episode");
    let second = EPISODE
        .replace("001", "002")
        .replace("2021-01-22", "2021-01-29")
        .replace("Pilot", "Second");
    std::fs::write(root.join("episodes/002.md"), second).expect("cannot write an episode");
});

/// `feedgen::check` on the project at `root`. It fails only when a file
/// cannot be read, which no input causes.
fn check(root: &Path) -> Project {
    let opts = Options::new(root.join("podcast.toml"), now());
    feedgen::check(&opts).unwrap_or_else(|e| panic!("check could not read the project: {e}"))
}

/// The feed of every resolved episode, drafts and scheduled ones too: the
/// writers must handle whatever the resolver makes of an input.
fn every_item(project: &Project) -> Feed {
    let mut feed = project.feed();
    feed.items = project.episodes().map(|(item, _)| item.clone()).collect();
    feed.updated = feed.items.iter().map(|i| i.published).max();
    feed
}

/// Arbitrary bytes as `episodes/001.md` of a project on the shared show:
/// `feedgen::check`, then the feed of every resolved item rendered (RSS, Atom,
/// JSON Feed) and read back. Panics are bugs; so is an episode checked without
/// errors whose feeds fail verification, or hold a U+FFFD its input had not.
/// Bytes that are not UTF-8 are refused before they are parsed, so their lossy
/// text is run too: it reaches the parser and the writers.
pub fn episode_target(data: &[u8]) {
    EPISODE_PROJECT.with(|root| {
        episode_run(root, data);
        if let Cow::Owned(lossy) = String::from_utf8_lossy(data) {
            episode_run(root, lossy.as_bytes());
        }
    })
}

fn episode_run(root: &Path, data: &[u8]) {
    std::fs::write(root.join("episodes/001.md"), data).expect("cannot write the episode");
    let project = check(root);
    terminal_safe_report(&project);
    // Render whatever came out, even from an episode with errors (the writers
    // must never panic); only a clean episode must also verify.
    let result = feedgen::render(&every_item(&project));
    if project.has_errors() {
        return;
    }
    let outputs = match result {
        Ok(outputs) => outputs,
        Err(d) => panic!("clean episode failed output verification: {}", d.message),
    };
    // Text is never silently lost: no U+FFFD unless the input has one.
    if !String::from_utf8_lossy(data).contains('\u{FFFD}') {
        for o in outputs {
            let s = String::from_utf8(o.bytes).expect("outputs are UTF-8");
            assert!(!s.contains('\u{FFFD}'), "U+FFFD in {}", o.name);
        }
    }
}

/// The report `feedgen check` prints for the episode: nothing from the file
/// may act on the terminal that shows it (escape sequences, C0/C1 controls,
/// bidi controls), and each finding shows a bounded snippet, however long
/// the line it is on.
fn terminal_safe_report(project: &Project) {
    let mut out = codespan_reporting::term::termcolor::NoColor::new(Vec::new());
    feedgen::diag::report::human(&project.sources, &project.diags, &mut out)
        .expect("reporting into memory cannot fail");
    let text = String::from_utf8(out.into_inner()).expect("the report is UTF-8");
    let live = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
    };
    if let Some(c) = text.chars().find(|&c| live(c)) {
        panic!("the report holds U+{:04X} as it is", c as u32);
    }
    let per_finding = text.len() / project.diags.len().max(1);
    assert!(
        per_finding <= 16 << 10,
        "{per_finding} bytes of report per finding"
    );
}

/// A finding that is an error unless `[rules]` says otherwise: the input's
/// own `[rules]` must not decide which shows count as clean.
fn error_by_default(d: &Diagnostic) -> bool {
    d.rule.default_severity() == Severity::Error
}

/// Whether `[rules]` allows a rule whose findings are errors by default: its
/// findings are then dropped, so the show's cleanliness cannot be told.
fn may_hide_errors(show: &Show) -> bool {
    show.overrides
        .levels
        .iter()
        .any(|(rule, level)| *level == Level::Allow && rule.default_severity() == Severity::Error)
}

/// Arbitrary bytes as podcast.toml, with one fixed clean episode: when the
/// show has no errors, the feed of that episode renders and verifies and
/// publishes no URL but http(s)/mailto, and an empty feed renders too.
pub fn podcast_toml_target(data: &[u8]) {
    PODCAST_TOML_PROJECT.with(|root| {
        let config = root.join("podcast.toml");
        std::fs::write(&config, data).expect("cannot write podcast.toml");
        let project = check(root);
        if may_hide_errors(&project.show) || project.findings_in(&config).any(error_by_default) {
            return;
        }
        let clean = !project.diags.iter().any(error_by_default);
        let feed = every_item(&project);
        let result = feedgen::render(&feed);
        if clean {
            match result {
                Err(d) => panic!("clean show failed output verification: {}", d.message),
                Ok(outs) => {
                    for o in outs.iter().filter(|o| o.name.ends_with(".xml")) {
                        if let Some(u) = unsafe_url_in(&o.bytes) {
                            panic!("{} publishes the URL {u:?}", o.name);
                        }
                    }
                }
            }
        }
        let empty = Feed {
            items: vec![],
            updated: None,
            ..feed
        };
        if let Err(d) = feedgen::render(&empty) {
            panic!(
                "empty feed of a clean show failed verification: {}",
                d.message
            );
        }
    })
}

/// The first URL-valued attribute or `<link>` text that is not http(s)/mailto.
fn unsafe_url_in(xml: &[u8]) -> Option<String> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut in_link = false;
    let bad = |v: &str| {
        let v = v.trim().to_ascii_lowercase();
        !(v.is_empty()
            || v.starts_with("https://")
            || v.starts_with("http://")
            || v.starts_with("mailto:"))
    };
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                in_link = e.local_name().as_ref() == b"link";
                for a in e.attributes().flatten() {
                    let key = a.key.local_name().as_ref().to_ascii_lowercase();
                    if matches!(
                        &key[..],
                        b"href" | b"url" | b"feedurl" | b"uri" | b"src" | b"img"
                    ) {
                        let v = a
                            .unescape_value()
                            .map(|v| v.into_owned())
                            .unwrap_or_default();
                        if bad(&v) {
                            return Some(v);
                        }
                    }
                }
            }
            Ok(Event::Text(t)) if in_link => {
                let v = t.unescape().map(|v| v.into_owned()).unwrap_or_default();
                if bad(&v) {
                    return Some(v);
                }
            }
            Ok(Event::End(_)) => in_link = false,
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
        buf.clear();
    }
}

/// The documents the read_back target reads its input as; the input's first
/// byte picks one (modulo their number), the rest is the document.
pub const READ_BACK_DOCUMENTS: [&str; 3] = ["feed.xml", "atom.xml", "feed.json"];

/// The feed read_back reads documents back against: the shared show with two
/// episodes, checked once per process.
pub fn read_back_feed() -> &'static Feed {
    static FEED: OnceLock<Feed> = OnceLock::new();
    FEED.get_or_init(|| {
        let project = READ_BACK_PROJECT.with(check);
        READ_BACK_PROJECT.remove();
        let bad: Vec<&str> = project.diags.iter().map(|d| d.message.as_str()).collect();
        assert!(
            !project.has_errors(),
            "the read_back show has errors: {bad:?}"
        );
        let feed = project.feed();
        assert_eq!(
            feed.items.len(),
            2,
            "the read_back show publishes two episodes"
        );
        feed
    })
}

/// The read_back feed's own documents as inputs of the target (selector byte
/// first): the seeds of its corpus.
pub fn read_back_seeds() -> Vec<Vec<u8>> {
    let outputs = feedgen::render(read_back_feed())
        .unwrap_or_else(|d| panic!("the read_back feed does not render: {}", d.message));
    outputs
        .into_iter()
        .map(|o| {
            let which = READ_BACK_DOCUMENTS
                .iter()
                .position(|n| *n == o.name)
                .unwrap_or_else(|| panic!("unexpected document {}", o.name));
            let mut input = vec![which as u8];
            input.extend(o.bytes);
            input
        })
        .collect()
}

/// Arbitrary bytes read back with `feedgen::verify` as a document of the
/// read_back feed. It must never panic, and a document it accepts must also
/// be read by the reference reader of its format (the rss crate,
/// atom_syndication, serde_json), with the feed's item guids (ids) in order.
/// Returns whether verify accepted it.
pub fn read_back_target(data: &[u8]) -> bool {
    let Some((&which, doc)) = data.split_first() else {
        return false;
    };
    let feed = read_back_feed();
    let name = READ_BACK_DOCUMENTS[usize::from(which) % READ_BACK_DOCUMENTS.len()];
    if feedgen::verify(feed, name, doc).is_err() {
        return false;
    }
    let refused = |reader: &str, e: &dyn std::fmt::Display| -> ! {
        panic!("verify accepted a {name} that {reader} refuses: {e}")
    };
    let got: Vec<String> = match name {
        "feed.xml" => {
            let channel = rss::Channel::read_from(doc).unwrap_or_else(|e| refused("rss", &e));
            let guid = |i: &rss::Item| i.guid().map(|g| g.value().to_string());
            channel
                .items()
                .iter()
                .map(guid)
                .map(Option::unwrap_or_default)
                .collect()
        }
        "atom.xml" => {
            use atom_syndication::Error;
            let atom = match atom_syndication::Feed::read_from(doc) {
                Ok(atom) => atom,
                // Dates and attribute values are not what verify checks (it
                // reads back structure and the items' identities and notes).
                Err(Error::WrongDatetime(_) | Error::WrongAttribute { .. }) => return true,
                Err(e) => refused("atom_syndication", &e),
            };
            // atom_syndication keeps comments in text; XML does not count them.
            let id = |e: &atom_syndication::Entry| without_comments(e.id());
            atom.entries().iter().map(id).collect()
        }
        _ => {
            let json: serde_json::Value =
                serde_json::from_slice(doc).unwrap_or_else(|e| refused("serde_json", &e));
            let items = json["items"]
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default();
            items
                .iter()
                .map(|i| i["id"].as_str().unwrap_or_default().to_string())
                .collect()
        }
    };
    let want: Vec<&str> = feed
        .items
        .iter()
        .map(|i| match name {
            "feed.xml" => i.guid.as_str(),
            _ => i.id_iri.as_str(),
        })
        .collect();
    assert_eq!(got, want, "{name}: the reference reader sees other items");
    true
}

/// `text` without the `<!--…-->` comments a reader kept in it.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        match rest[start..].find("-->") {
            Some(end) => rest = &rest[start + end + 3..],
            None => return out + &rest[start..],
        }
    }
    out + rest
}
