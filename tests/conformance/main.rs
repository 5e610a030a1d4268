//! Conformance: real podcast clients read back every promised field of the
//! example show's feeds, and the feeds pass the schemas and the W3C
//! validator's rules.
//!
//! The example show (podcast.toml + episodes/ + media/) is copied to a
//! temporary project and built there with the library ([`show`]). One table of
//! cases ([`cases`]): the documents as built, and variants that each break one
//! thing, is driven through each reader, one test per reader:
//!
//! - `conformance/read_python.py` (feedparser, podcastparser) and
//!   `conformance/read_partytime.mjs` (podcast-partytime) print what they read;
//!   every value is compared with feedgen's own model ([`python`],
//!   [`partytime`]);
//! - the feed-rs crate parses RSS, Atom and JSON Feed ([`feed_rs`]);
//! - `jing -c` validates atom.xml against the Atom RELAX NG schema, `xmllint
//!   --schema` the `podcast:*` elements against the lax wrapper XSD
//!   ([`schemas`]);
//! - the W3C Feed Validation Service's podcast rules are checked directly
//!   ([`w3c`]).
//!
//! What the readers make of the documents as built is written as a matrix to
//! `target/conformance-matrix.md`, and must equal the matrix in
//! docs/conformance.md (`UPDATE_CONFORMANCE=1` rewrites it). Missing tools are
//! a failure, never a skip: `bash scripts/install-test-deps.sh`.

mod cases;
mod feed_rs;
mod partytime;
mod python;
mod report;
mod schemas;
mod show;
mod tools;
mod w3c;
mod xml;

use serde_json::Value;

use cases::CASES;
use report::{compare_with_doc, Report};
use show::{build_example, Docs};
use tools::{read_partytime, read_python, require, Tool};

/// Who reads a case's documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    Feedparser,
    Podcastparser,
    Partytime,
    FeedRs,
    /// jing, with the Atom RELAX NG schema.
    AtomRnc,
    /// xmllint, with the podcast XSD (season name made optional).
    PodcastXsd,
    /// xmllint, with the podcast XSD as published.
    PodcastXsdVerbatim,
    W3c,
}

impl Reader {
    const ALL: [Reader; 8] = [
        Reader::Feedparser,
        Reader::Podcastparser,
        Reader::Partytime,
        Reader::FeedRs,
        Reader::AtomRnc,
        Reader::PodcastXsd,
        Reader::PodcastXsdVerbatim,
        Reader::W3c,
    ];

    fn tools(self) -> &'static [Tool] {
        match self {
            Reader::Feedparser | Reader::Podcastparser => &[Tool::Python],
            Reader::Partytime => &[Tool::Partytime],
            Reader::AtomRnc => &[Tool::Jing],
            Reader::PodcastXsd | Reader::PodcastXsdVerbatim => &[Tool::Xmllint],
            Reader::FeedRs | Reader::W3c => &[],
        }
    }

    /// Reads `docs` into `r`; gives what a client script printed (else null).
    fn read(self, docs: &Docs, r: &mut Report) -> Value {
        let feed = docs.feed();
        match self {
            Reader::Feedparser | Reader::Podcastparser => {
                let py = read_python(&docs.file("feed.xml"), &docs.file("atom.xml"));
                if self == Reader::Feedparser {
                    python::feedparser(r, &py, feed);
                } else {
                    python::podcastparser(r, &py, feed);
                }
                py
            }
            Reader::Partytime => {
                let pt = read_partytime(&docs.file("feed.xml"));
                partytime::partytime(r, &pt, feed);
                pt
            }
            Reader::FeedRs => {
                feed_rs::feed_rs(r, docs);
                Value::Null
            }
            Reader::AtomRnc => {
                schemas::atom_rnc(r, docs);
                Value::Null
            }
            Reader::PodcastXsd => {
                schemas::podcast_xsd(r, docs);
                Value::Null
            }
            Reader::PodcastXsdVerbatim => {
                schemas::podcast_xsd_verbatim(r, docs);
                Value::Null
            }
            Reader::W3c => {
                w3c::w3c(r, docs);
                Value::Null
            }
        }
    }
}

/// Reads every case with `reader`: in a case that names it, its problems must
/// say what the case says; in any other, it must find none.
fn drive(reader: Reader) {
    require(reader.tools());
    let built = build_example();
    let mut failures = Vec::new();
    for case in CASES {
        let docs = built.variant(case.name, case.edits);
        let mut r = Report::default();
        reader.read(&docs, &mut r);
        let found = || format!("- {}", r.problems.join("\n- "));
        let flagged = case.flagged.iter().find(|(who, _)| *who == reader);
        match flagged {
            None if !r.problems.is_empty() => failures.push(format!(
                "{:?} finds problems in `{}`, which it must read clean:\n{}",
                reader,
                case.name,
                found()
            )),
            None => {}
            Some((_, words)) => {
                if r.problems.is_empty() {
                    failures.push(format!("{reader:?} does not notice `{}`", case.name));
                }
                for w in words
                    .iter()
                    .filter(|w| !r.problems.iter().any(|p| p.contains(*w)))
                {
                    failures.push(format!(
                        "{reader:?} on `{}`: no problem says {w:?}:\n{}",
                        case.name,
                        found()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn feedparser_reads_every_case_as_expected() {
    drive(Reader::Feedparser);
}

#[test]
fn podcastparser_reads_every_case_as_expected() {
    drive(Reader::Podcastparser);
}

#[test]
fn partytime_reads_every_case_as_expected() {
    drive(Reader::Partytime);
}

#[test]
fn feed_rs_reads_every_case_as_expected() {
    drive(Reader::FeedRs);
}

#[test]
fn jing_validates_every_case_as_expected() {
    drive(Reader::AtomRnc);
}

#[test]
fn xmllint_validates_every_case_as_expected() {
    drive(Reader::PodcastXsd);
}

#[test]
fn the_verbatim_podcast_xsd_rejects_only_the_season_name() {
    drive(Reader::PodcastXsdVerbatim);
}

#[test]
fn w3c_rules_judge_every_case_as_expected() {
    drive(Reader::W3c);
}

/// Every reader is shown to fail on some case, and every broken case is
/// noticed by some reader, each named once.
#[test]
fn the_cases_prove_every_check_can_fail() {
    assert!(CASES[0].edits.is_empty() && CASES[0].flagged.is_empty());
    for case in &CASES[1..] {
        assert!(!case.edits.is_empty(), "{}", case.name);
        assert!(!case.flagged.is_empty(), "nobody notices `{}`", case.name);
        for (i, (who, words)) in case.flagged.iter().enumerate() {
            assert!(!words.is_empty(), "{who:?} on `{}`", case.name);
            assert!(
                case.flagged[..i].iter().all(|(other, _)| other != who),
                "{who:?} twice in `{}`",
                case.name
            );
        }
    }
    for reader in Reader::ALL {
        assert!(
            CASES
                .iter()
                .any(|c| c.flagged.iter().any(|(who, _)| *who == reader)),
            "no case shows that {reader:?} can fail"
        );
    }
}

#[test]
fn the_matrix_in_the_docs_is_what_the_clients_read() {
    let tools: Vec<Tool> = Reader::ALL
        .iter()
        .flat_map(|r| r.tools())
        .copied()
        .collect();
    require(&tools);
    let built = build_example();
    let docs = built.variant("matrix", &[]);
    let mut r = Report::default();
    let mut printed = std::collections::BTreeMap::new();
    for reader in Reader::ALL {
        printed.insert(format!("{reader:?}"), reader.read(&docs, &mut r));
    }
    let (py, pt) = (&printed["Feedparser"], &printed["Partytime"]);
    let count = |v: &Value| v.as_array().map_or(0, Vec::len);
    r.notes.push(format!(
        "Items read, of {} published: feedparser {} (RSS) and {} (Atom), podcastparser {}, podcast-partytime {}; feed-rs reads each document's entries (checked above).",
        built.feed.items.len(),
        count(&py["feedparser"]["items"]),
        count(&py["feedparser_atom"]["items"]),
        count(&py["podcastparser"]["items"]),
        count(&pt["items"]),
    ));
    let doc = compare_with_doc(&r.table());
    assert!(
        r.problems.is_empty(),
        "{} conformance problem(s):\n- {}",
        r.problems.len(),
        r.problems.join("\n- ")
    );
    doc.unwrap();
}
