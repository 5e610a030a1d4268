//! What a subscriber sees does not change when a show moves onto feedgen:
//! a feed imported and built again carries the same episodes, field by
//! field, as feedparser, podcastparser and podcast-partytime read them.

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use feedgen::import::{import, ImportOptions};
use proptest::prelude::*;
use serde_json::Value;

const INSTALL: &str = "bash scripts/install-test-deps.sh";

/// An item as one client read it.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    title: Option<String>,
    published: Option<i64>,
    enclosure: Option<(String, String, String)>,
    duration: Option<u64>,
    episode: Option<u64>,
    season: Option<u64>,
}

/// Every client's items, by guid; a client that refuses the feed is left
/// out, with its reason.
fn read_all(feed: &Path) -> BTreeMap<&'static str, Result<BTreeMap<String, Seen>, String>> {
    let python = repo().join("target/test-venv/bin/python3");
    let py = run(Command::new(&python)
        .arg(repo().join("conformance/read_python.py"))
        .arg(feed));
    let party = run(Command::new("node")
        .arg(repo().join("conformance/read_partytime.mjs"))
        .arg(feed));
    let mut all = BTreeMap::new();
    for (name, read, key) in [
        ("feedparser", &py["feedparser"], "enclosures"),
        ("podcastparser", &py["podcastparser"], "enclosures"),
        ("partytime", &party, "enclosure"),
    ] {
        let seen = match read["error"].as_str() {
            Some(e) => Err(e.to_string()),
            None => Ok(items(&read["items"], key)),
        };
        all.insert(name, seen);
    }
    all
}

fn run(cmd: &mut Command) -> Value {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?} ({e}): run `{INSTALL}` first"));
    assert!(
        out.status.success(),
        "{cmd:?} failed; run `{INSTALL}` first:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // partytime logs its warnings on stdout, one JSON line each, before the
    // answer.
    let stdout = String::from_utf8_lossy(&out.stdout);
    let answer: String = stdout
        .lines()
        .filter(|l| !l.starts_with("{\"level\":"))
        .collect::<Vec<_>>()
        .join("\n");
    serde_json::from_str(&answer)
        .unwrap_or_else(|e| panic!("{cmd:?} printed no JSON ({e}): {stdout}"))
}

fn items(list: &Value, enclosure_key: &str) -> BTreeMap<String, Seen> {
    item_list(list, enclosure_key).into_iter().collect()
}

fn item_list(list: &Value, enclosure_key: &str) -> Vec<(String, Seen)> {
    let list = list.as_array().expect("items");
    list.iter()
        .map(|i| {
            let enc = match &i[enclosure_key] {
                Value::Array(a) => a.first().cloned(),
                Value::Null => None,
                v => Some(v.clone()),
            };
            let seen = Seen {
                title: i["title"].as_str().map(|t| t.trim().to_string()),
                published: i["pubDate"].as_i64(),
                enclosure: enc.map(|e| (text(&e["url"]), text(&e["length"]), text(&e["type"]))),
                // podcastparser says 0 for no duration.
                duration: seconds(&i["duration"]).filter(|&d| d > 0),
                episode: number(&i["episode"]),
                season: number(&i["season"]),
            };
            (text(&i["guid"]), seen)
        })
        .collect()
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        Value::Null => String::new(),
        v => v.to_string(),
    }
}

fn number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn seconds(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_f64().map(|f| f as u64),
        Value::String(s) => {
            let parts: Vec<u64> = s
                .split('.')
                .next()?
                .split(':')
                .map(|p| p.trim().parse().ok())
                .collect::<Option<_>>()?;
            Some(parts.iter().fold(0, |acc, p| acc * 60 + p))
        }
        _ => None,
    }
}

/// Imports `feed` into a new folder and builds it; the built feed.xml.
fn import_and_build(feed: &Path, feed_url: Option<&str>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let imported = import(&ImportOptions {
        source: feed.to_string_lossy().into_owned(),
        into: dir.path().to_path_buf(),
        force: false,
        feed_url: feed_url.map(str::to_string),
    })
    .unwrap();
    assert!(!imported.written.is_empty(), "{:#?}", imported.diags);
    let outcome = feedgen::build(&feedgen::Options::new(
        dir.path().join("podcast.toml"),
        now(),
    ))
    .unwrap();
    assert!(
        !outcome.written.is_empty(),
        "the imported show does not build: {:#?}",
        outcome.project.diags
    );
    let built = dir.path().join("public/feed.xml");
    (dir, built)
}

/// Every client reads the same episodes in both feeds. A strict client that
/// refuses the old feed (XML that is not well-formed) must read the new one.
fn assert_same_episodes(before: &Path, after: &Path, skip_numbers: &[&str]) {
    let old = read_all(before);
    let new = read_all(after);
    for (client, old_items) in &old {
        let new_items = new[client]
            .as_ref()
            .unwrap_or_else(|e| panic!("{client} cannot read the built feed: {e}"));
        let Ok(old_items) = old_items else {
            assert_ne!(
                *client,
                "feedparser",
                "feedparser refused {}",
                before.display()
            );
            continue;
        };
        assert_eq!(
            old_items.keys().collect::<Vec<_>>(),
            new_items.keys().collect::<Vec<_>>(),
            "{client}: the guids differ"
        );
        for (guid, was) in old_items {
            let mut now = new_items[guid].clone();
            if skip_numbers.contains(&guid.as_str()) {
                now.episode = was.episode;
            }
            assert_eq!(was, &now, "{client}: item {guid} changed");
        }
    }
}

#[test]
fn feeds_in_the_hosts_styles_publish_the_same_episodes_after_import() {
    let fixtures = repo().join("tests/fixtures/import");
    // Feeds that are not well-formed are read differently by each client
    // (feedparser makes `Q&A` into `Q&A;`); their facts are checked below.
    for name in [
        "anchor",
        "buzzsprout",
        "castopod",
        "libsyn",
        "podbean",
        "wordpress",
        "messy-rich",
        "messy-dates",
    ] {
        let feed = fixtures.join(format!("{name}.xml"));
        let (_dir, built) = import_and_build(&feed, None);
        assert_same_episodes(&feed, &built, &[]);
    }
}

#[test]
fn a_serial_show_keeps_its_episodes_numbers_unique_across_seasons_reported() {
    // feedgen numbers episodes across the show: a number a later season
    // repeats is left off that item, with a finding; all else is the same.
    let feed = repo().join("tests/fixtures/import/transistor.xml");
    let dir = tempfile::tempdir().unwrap();
    let imported = import(&ImportOptions {
        source: feed.to_string_lossy().into_owned(),
        into: dir.path().to_path_buf(),
        force: false,
        feed_url: None,
    })
    .unwrap();
    let dups: Vec<&str> = imported
        .diags
        .iter()
        .filter(|d| d.rule == feedgen::diag::Rule::ImportDuplicate)
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(dups.len(), 2, "{dups:?}");
    let (_dir, built) = import_and_build(&feed, None);
    let (old, new) = (read_all(&feed), read_all(&built));
    let (old, new) = (
        old["podcastparser"].as_ref().unwrap(),
        new["podcastparser"].as_ref().unwrap(),
    );
    let unnumbered: Vec<String> = old
        .iter()
        .filter(|(g, s)| s.episode.is_some() && new[*g].episode.is_none())
        .map(|(g, _)| g.clone())
        .collect();
    assert_eq!(unnumbered.len(), dups.len(), "{unnumbered:?}");
    let skip: Vec<&str> = unnumbered.iter().map(String::as_str).collect();
    assert_same_episodes(&feed, &built, &skip);
}

/// A show feedgen itself built.
fn generated_show(episodes: &[(Option<u32>, Option<u32>, &'static str, u64)]) -> TempProject {
    let t = TempProject::new(&format!(
        "{MINIMAL_TOML}\n[rules]\nmissing-number = \"allow\"\n"
    ));
    for (i, (number, season, kind, seconds)) in episodes.iter().enumerate() {
        let stem = match number {
            Some(n) => format!("{n:03}"),
            None => format!("extra-{i}"),
        };
        let mut front = format!(
            "+++\ntitle = \"Episode “{i}” & more\"\npublished = 2021-0{}-1{}T21:00:00+09:00\nepisode_type = \"{kind}\"\n",
            1 + i % 9,
            i % 10
        );
        if let Some(s) = season {
            front.push_str(&format!("season = {s}\n"));
        }
        front.push_str(&format!(
            "\n[audio]\nurl = \"https://cdn.example.com/{stem}.mp3\"\nlength = {}\ntype = \"audio/mpeg\"\nduration = {seconds}\n+++\n",
            1000 + i
        ));
        let body = format!("- Hosted by @alice\n\n## Contents\n\n### @alice\n\n#### [Topic {i}](https://example.com/t{i})\n- a note with a [link](https://example.org/{i}) and *emphasis*\n");
        t.write(&format!("episodes/{stem}.md"), format!("{front}{body}"));
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn a_show_feedgen_built_comes_back_the_same_through_import(
        shape in proptest::collection::vec(
            (any::<bool>(), proptest::option::of(1u32..4), prop_oneof![Just("full"), Just("trailer"), Just("bonus")], 1u64..20_000),
            1..6,
        )
    ) {
        let episodes: Vec<(Option<u32>, Option<u32>, &'static str, u64)> = shape
            .iter()
            .enumerate()
            .map(|(i, (numbered, season, kind, secs))| ((*numbered).then_some(i as u32 + 1), *season, *kind, *secs))
            .collect();
        let show = generated_show(&episodes);
        let first = feedgen::build(&show.options()).unwrap();
        prop_assert!(!first.written.is_empty(), "{:#?}", first.project.diags);
        let feed = show.path().join("public/feed.xml");
        let (_dir, built) = import_and_build(&feed, None);
        assert_same_episodes(&feed, &built, &[]);
        prop_assert_eq!(notes_of(&feed), notes_of(&built));
    }
}

/// Each client's items in the built feed, in order, duplicates kept.
fn read_lists(feed: &Path) -> Vec<(&'static str, Vec<(String, Seen)>)> {
    let python = repo().join("target/test-venv/bin/python3");
    let py = run(Command::new(&python)
        .arg(repo().join("conformance/read_python.py"))
        .arg(feed));
    let party = run(Command::new("node")
        .arg(repo().join("conformance/read_partytime.mjs"))
        .arg(feed));
    [
        ("feedparser", &py["feedparser"], "enclosures"),
        ("podcastparser", &py["podcastparser"], "enclosures"),
        ("partytime", &party, "enclosure"),
    ]
    .into_iter()
    .map(|(name, read, key)| {
        assert!(
            read["error"].is_null(),
            "{name} cannot read the built feed {}: {}",
            feed.display(),
            read["error"]
        );
        (name, item_list(&read["items"], key))
    })
    .collect()
}

/// The facts tests/fixtures/import/expected.toml records for every fixture,
/// as each client reads them in the feed feedgen builds from the import.
#[test]
fn every_fixture_s_episodes_reach_the_built_feed_as_its_facts_say() {
    let dir = repo().join("tests/fixtures/import");
    let facts: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("expected.toml")).unwrap()).unwrap();
    let mut checked = 0;
    for (name, fixture) in &facts {
        let Some(items) = fixture.get("item").and_then(|i| i.as_array()) else {
            continue;
        };
        let feed = dir.join(fixture["file"].as_str().unwrap());
        let problems: Vec<&str> = fixture
            .get("problems")
            .and_then(|p| p.as_array())
            .map(|p| p.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let out = tempfile::tempdir().unwrap();
        let imported = import(&ImportOptions {
            source: feed.to_string_lossy().into_owned(),
            into: out.path().to_path_buf(),
            force: false,
            feed_url: Some("https://new.example.com/feed.xml".into()),
        });
        let imported = match imported {
            Ok(i) if !i.written.is_empty() => i,
            other => {
                assert!(
                    problems.contains(&"truncated"),
                    "{name} did not import: {other:?}"
                );
                continue;
            }
        };
        assert_eq!(imported.episodes, items.len(), "{name}");
        let built = feedgen::build(&feedgen::Options::new(
            out.path().join("podcast.toml"),
            now(),
        ))
        .unwrap();
        if problems.contains(&"zero-enclosure-length") {
            // A length of 0 is no length: the build asks for it, and the
            // ledger holds the enclosure published.
            let rules: Vec<_> = built.project.diags.iter().map(|d| d.rule).collect();
            assert!(
                built.written.is_empty()
                    && rules.contains(&feedgen::diag::Rule::IncompleteEnclosure),
                "{name}: {rules:?}"
            );
            continue;
        }
        assert!(
            !built.written.is_empty(),
            "{name} does not build: {:#?}",
            built.project.diags
        );
        for (client, seen) in read_lists(&out.path().join("public/feed.xml")) {
            // partytime leaves out items without an enclosure, as it does
            // in the feed they came from.
            let shown: Vec<&toml::Value> = items
                .iter()
                .filter(|i| client != "partytime" || i.get("enclosure").is_some())
                .collect();
            assert_eq!(
                seen.len(),
                shown.len(),
                "{name}: {client} reads {} items",
                seen.len()
            );
            for want in shown {
                let guid = want["guid"].as_str().unwrap();
                let url = want.get("enclosure").and_then(|e| e.as_str());
                let found = seen
                    .iter()
                    .find(|(g, s)| g == guid && s.enclosure.as_ref().map(|e| e.0.as_str()) == url)
                    .unwrap_or_else(|| {
                        panic!(
                            "{name}: {client} has no item {guid} with enclosure {url:?}: {seen:#?}"
                        )
                    });
                let s = &found.1;
                let at = |what: &str| format!("{name}: {client}: {guid}: {what}");
                // podcastparser folds a no-break space into a space.
                let fold = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
                assert_eq!(
                    s.title.as_deref().map(fold),
                    want.get("title").and_then(|t| t.as_str()).map(fold),
                    "{}",
                    at("title")
                );
                let published =
                    chrono::DateTime::parse_from_rfc3339(want["published"].as_str().unwrap())
                        .unwrap()
                        .timestamp();
                assert_eq!(s.published, Some(published), "{}", at("date"));
                if let Some(e) = &s.enclosure {
                    assert_eq!(
                        e.1,
                        want["length"].as_integer().unwrap().to_string(),
                        "{}",
                        at("length")
                    );
                    assert_eq!(e.2, want["type"].as_str().unwrap(), "{}", at("type"));
                }
                let int = |k: &str| want.get(k).and_then(|v| v.as_integer()).map(|v| v as u64);
                assert_eq!(s.duration, int("duration_seconds"), "{}", at("duration"));
                assert_eq!(s.season, int("season"), "{}", at("season"));
                if !problems.contains(&"episode-numbers-repeat-across-seasons")
                    || s.episode.is_some()
                {
                    assert_eq!(s.episode, int("episode"), "{}", at("episode"));
                }
            }
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} fixtures checked");
}

/// The text and links of each item's notes: the richest form the feed gives
/// (content:encoded, description or itunes:summary) against what the built
/// feed's content:encoded holds.
fn notes_of(feed: &Path) -> BTreeMap<String, (String, Vec<String>)> {
    let channel = rss::Channel::read_from(std::fs::read(feed).unwrap().as_slice()).unwrap();
    channel
        .items()
        .iter()
        .map(|i| {
            let summary = i.itunes_ext().and_then(|x| x.summary());
            let best = [i.content(), i.description(), summary]
                .into_iter()
                .flatten()
                .map(text_and_links)
                .max_by_key(|(t, _)| t.chars().count())
                .unwrap_or_default();
            (
                i.guid().map(|g| g.value().to_string()).unwrap_or_default(),
                best,
            )
        })
        .collect()
}

/// The text and links of notes HTML. An image counts as its alt text and a
/// link to it, as feedgen publishes images.
fn text_and_links(html: &str) -> (String, Vec<String>) {
    let doc = scraper::Html::parse_fragment(html);
    let mut text = Vec::new();
    let mut links = Vec::new();
    for node in doc.root_element().descendants() {
        match node.value() {
            scraper::Node::Text(t) => text.push(t.to_string()),
            scraper::Node::Element(e) if e.name() == "img" => {
                text.extend(e.attr("alt").map(str::to_string));
                links.extend(e.attr("src").map(str::to_string));
            }
            scraper::Node::Element(e) if e.name() == "a" => {
                links.extend(e.attr("href").map(str::to_string))
            }
            _ => {}
        }
    }
    let text = text
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // In plain-text notes apps link bare URLs; feedgen links them too.
    if !html.contains('<') {
        links.extend(
            linkify::LinkFinder::new()
                .links(&text)
                .map(|l| l.as_str().to_string()),
        );
    }
    let mut links: Vec<String> = links
        .iter()
        .filter(|h| h.starts_with("http") || h.starts_with("mailto:"))
        .map(|h| normal_link(h))
        .collect();
    links.sort();
    links.dedup();
    (text, links)
}

#[test]
fn show_notes_keep_their_text_and_links() {
    let fixtures = repo().join("tests/fixtures/import");
    for name in [
        "anchor",
        "buzzsprout",
        "castopod",
        "libsyn",
        "podbean",
        "transistor",
        "wordpress",
        "messy-rich",
        "messy-values",
    ] {
        let feed = fixtures.join(format!("{name}.xml"));
        let (_dir, built) = import_and_build(&feed, Some("https://new.example.com/feed.xml"));
        let (old, new) = (notes_of(&feed), notes_of(&built));
        for (id, (text, links)) in &old {
            let (new_text, new_links) = &new[id];
            let fold = |t: &str| {
                t.replace(['“', '”'], "\"")
                    .split_whitespace()
                    .collect::<String>()
            };
            assert_eq!(fold(new_text), fold(text), "{name}: {id}: the notes' text");
            assert_eq!(new_links, links, "{name}: {id}: the notes' links");
        }
    }
}

/// A link as the url crate writes it (`https://a.example` and
/// `https://a.example/` are one), without the tracking parameters feedgen
/// removes from every link.
fn normal_link(href: &str) -> String {
    let Ok(mut url) = url::Url::parse(href) else {
        return href.to_string();
    };
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| {
            !k.starts_with("utm_") && !["fbclid", "gclid", "mc_cid", "mc_eid"].contains(&k.as_ref())
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if kept.is_empty() {
        url.set_query(None);
    } else {
        url.query_pairs_mut().clear().extend_pairs(kept);
    }
    url.to_string()
}
