//! The documents feedgen writes, against the crates that write them and the
//! check that reads them back (`feedgen::verify`), for the example show, a
//! generated show (unpaged and paged), a small paged show, an episode using
//! every item field, the tgik corpus's notes, and random small shows:
//!
//! - every RSS page is byte for byte what the `rss` crate writes for the
//!   channel it reads back from it, and every JSON Feed what serde_json writes
//!   for the value it parses to ([`same`] says the exact differences undone
//!   first, and why);
//! - every Atom page holds the model's entries (ids, titles, links, notes)
//!   and is what `atom_syndication` writes for the feed it reads back;
//! - `feedgen::verify` accepts every document and refuses edited copies.
//!
//! feedgen writes each document a chunk of items at a time, cutting and
//! joining what the crates write; these checks see the whole documents.

#[path = "../common/mod.rs"]
mod common;
mod edits;
#[path = "../../benches/support/genshow.rs"]
mod genshow;
mod same;
mod shows;

use feedgen::diag::Rule;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

use common::{body, front, TempProject};
use same::{
    atom_as_the_crate_writes, json_as_serde_writes, notes_html, page_of, pages,
    rss_as_the_crate_writes,
};
use shows::Rendered;

/// Every failure of `check` over the documents of `shows`.
fn failures(shows: &[Rendered], check: impl Fn(&Rendered, &feedgen::Output) -> Result<(), String>) {
    let mut failed = Vec::new();
    for show in shows {
        for doc in &show.docs {
            if let Err(e) = check(show, doc) {
                failed.push(format!("{}: {e}", show.name));
            }
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

/// The items of the RSS or Atom page `name` of `show`.
fn page_items<'s>(show: &'s Rendered, name: &str) -> &'s [feedgen::model::Item] {
    let pages = pages(&show.feed.items, show.feed.show.output.page_size);
    pages
        .get(&page_of(name))
        .unwrap_or_else(|| panic!("{}: no page for {name}", show.name))
}

fn is_rss(name: &str) -> bool {
    name.starts_with("feed") && name.ends_with(".xml")
}

#[test]
fn every_rss_page_is_what_the_rss_crate_writes_for_it() {
    failures(shows::all(), |_, doc| {
        if is_rss(&doc.name) {
            rss_as_the_crate_writes(&doc.name, &doc.bytes)
        } else {
            Ok(())
        }
    });
}

#[test]
fn every_json_feed_is_what_serde_json_writes_for_it() {
    failures(shows::all(), |_, doc| {
        if doc.name.ends_with(".json") {
            json_as_serde_writes(&doc.name, &doc.bytes)
        } else {
            Ok(())
        }
    });
}

#[test]
fn every_atom_page_holds_the_model_and_is_what_atom_syndication_writes() {
    failures(shows::all(), |show, doc| {
        if doc.name.starts_with("atom") {
            atom_as_the_crate_writes(&doc.name, &doc.bytes, page_items(show, &doc.name))
        } else {
            Ok(())
        }
    });
}

/// Every document has the pages the model calls for, each page's items are
/// the model's, and each carries the notes as pulldown-cmark renders the
/// model's notes: RSS `content:encoded`, JSON Feed `content_html` (Atom's is
/// compared above).
#[test]
fn every_document_carries_the_model_items_and_their_notes() {
    failures(shows::all(), |show, doc| {
        let items: &[feedgen::model::Item] = if doc.name.ends_with(".json") {
            &show.feed.items
        } else {
            page_items(show, &doc.name)
        };
        let (ids, notes): (Vec<String>, Vec<String>) = if is_rss(&doc.name) {
            let ch = rss::Channel::read_from(&doc.bytes[..]).map_err(|e| e.to_string())?;
            ch.items
                .iter()
                .map(|i| {
                    let guid = i.guid.as_ref().map(|g| g.value.clone());
                    (
                        guid.unwrap_or_default(),
                        i.content.clone().unwrap_or_default(),
                    )
                })
                .unzip()
        } else if doc.name.ends_with(".json") {
            let v: serde_json::Value = serde_json::from_slice(&doc.bytes).unwrap();
            let items = v["items"].as_array().cloned().unwrap_or_default();
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
            items
                .iter()
                .map(|i| (s(&i["id"]), s(&i["content_html"])))
                .unzip()
        } else {
            return Ok(());
        };
        let want_ids: Vec<String> = items
            .iter()
            .map(|i| {
                if is_rss(&doc.name) {
                    i.guid.clone()
                } else {
                    i.id_iri.clone()
                }
            })
            .collect();
        let want_notes: Vec<String> = items.iter().map(notes_html).collect();
        if ids != want_ids {
            return Err(format!(
                "{}: ids {ids:?}, the model's {want_ids:?}",
                doc.name
            ));
        }
        match notes.iter().zip(&want_notes).position(|(a, b)| a != b) {
            Some(k) => Err(format!(
                "{}: the notes of {} are not pulldown-cmark's:\n{:?}\n{:?}",
                doc.name, want_ids[k], notes[k], want_notes[k]
            )),
            None => Ok(()),
        }
    });
    // Every page of every format is there, and nothing else.
    for show in shows::all() {
        let n = pages(&show.feed.items, show.feed.show.output.page_size).len();
        let mut want: Vec<String> = Vec::new();
        for base in ["feed", "atom"] {
            want.extend((1..=n).map(|k| match k {
                1 => format!("{base}.xml"),
                k => format!("{base}-{k}.xml"),
            }));
        }
        want.push("feed.json".into());
        let names: Vec<&str> = show.docs.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, want, "{}", show.name);
    }
}

/// The plain round trips are not identical, for the reasons [`same`] undoes:
/// should a crate change, its normalization must be looked at again.
#[test]
fn the_crates_plain_round_trips_differ_as_documented() {
    let example = shows::render("example", common::example_copy());
    for doc in &example.docs {
        let bytes = &doc.bytes[..];
        if is_rss(&doc.name) {
            let ch = rss::Channel::read_from(bytes).unwrap();
            let kind = ch.itunes_ext.as_ref().and_then(|i| i.r#type.as_deref());
            assert_eq!(
                kind,
                Some("episodic"),
                "itunes:type is read into the struct"
            );
            assert!(
                !ch.extensions.contains_key("itunes"),
                "no itunes:* element stays an extension"
            );
            assert!(ch
                .items
                .iter()
                .all(|i| !i.extensions.contains_key("itunes")));
            assert!(String::from_utf8_lossy(bytes).contains("<itunes:title>"));
            assert!(ch.write_to(Vec::new()).unwrap() != bytes, "{}", doc.name);
        } else if doc.name.starts_with("atom") {
            let f = atom_syndication::Feed::read_from(bytes).unwrap();
            let plain = String::from_utf8(f.write_to(Vec::new()).unwrap()).unwrap();
            assert!(!plain.contains("<![CDATA["), "the crate escapes content");
            let ext = plain.find("<fh:complete").unwrap();
            assert!(ext > plain.rfind("</entry>").unwrap(), "extensions last");
        }
    }
}

#[test]
fn verify_accepts_every_document_and_refuses_edited_copies() {
    failures(shows::all(), |show, doc| {
        feedgen::verify(&show.feed, &doc.name, &doc.bytes)
            .map_err(|d| format!("{} refused: {}", doc.name, d.message))?;
        for (what, reason, bytes) in edits::broken(&doc.name, &doc.bytes) {
            match feedgen::verify(&show.feed, &doc.name, &bytes) {
                Ok(()) => return Err(format!("{} with {what} is accepted", doc.name)),
                Err(d) if d.rule != Rule::OutputVerify || !d.message.contains(reason) => {
                    return Err(format!(
                        "{} with {what}: {:?} {:?}, not {reason:?}",
                        doc.name, d.rule, d.message
                    ))
                }
                Err(_) => {}
            }
        }
        // Another document under this one's name.
        for other in show.docs.iter().filter(|o| o.bytes != doc.bytes) {
            if feedgen::verify(&show.feed, &doc.name, &other.bytes).is_ok() {
                return Err(format!("{} is accepted as {}", other.name, doc.name));
            }
        }
        Ok(())
    });
}

/// Text with what XML, JSON and HTML escape, and what only some readers
/// handle: non-ASCII, U+2028/U+2029, tabs, ideographic spaces; and, with
/// `removed`, a control character feedgen removes.
fn text(removed: bool) -> impl Strategy<Value = String> {
    let control = if removed { "\u{1}" } else { "" };
    proptest::string::string_regex(&format!(
        "[a-zA-Z0-9 ]{{0,4}}[a-zA-Z0-9 <>&'\"\\]\\[`*_()é日本語😀\u{2028}\u{2029}\t\u{3000}{control}-]{{0,30}}"
    ))
    .unwrap()
}

/// A small show: a title and a line of notes for each episode. Titles have
/// no character feedgen removes: it trims a title before removing them, so
/// one next to a space leaves that space at the title's edge, where the `rss`
/// crate's reader trims it.
fn show() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::vec((text(false), text(true)), 1..4)
}

proptest! {
    // Failures are kept beside this file (the default would name them after
    // `main.rs`, which every folder of tests has).
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/documents/main.proptest-regressions",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_shows_render_as_the_crates_write_them(episodes in show()) {
        let t = TempProject::minimal();
        for (k, (title, note)) in episodes.iter().enumerate() {
            let n = k as u32 + 1;
            let title = toml::Value::String(format!("T{n} {title}")).to_string();
            let front = front(n).replace(&format!("\"Episode title {n}\""), &title);
            let body = body(n).replace("- note\n", &format!("- note {note}\n\n{note}\n"));
            t.write(&format!("episodes/{n:03}.md"), format!("{front}{body}"));
        }
        let project = t.check();
        prop_assert!(!project.has_errors(), "{}", common::summary(&project));
        let feed = project.feed();
        prop_assert_eq!(feed.items.len(), episodes.len());
        let docs = feedgen::render(&feed).map_err(|d| TestCaseError::fail(d.message))?;
        for doc in &docs {
            if is_rss(&doc.name) {
                rss_as_the_crate_writes(&doc.name, &doc.bytes).map_err(TestCaseError::fail)?;
            } else if doc.name.ends_with(".json") {
                json_as_serde_writes(&doc.name, &doc.bytes).map_err(TestCaseError::fail)?;
            } else {
                atom_as_the_crate_writes(&doc.name, &doc.bytes, &feed.items)
                    .map_err(TestCaseError::fail)?;
            }
        }
    }
}
