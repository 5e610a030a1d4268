//! Replays tests/fuzz-regressions/: every input that once crashed a fuzz
//! target (fuzz/fuzz_targets/) or broke a property. Each is run exactly as the
//! target runs it, and episodes are also built in a throw-away project whose
//! outputs must pass the checks of tests/hostile.rs.

mod feedcheck;

use std::path::{Path, PathBuf};

use feedgen::diag::Severity;
use feedgen::source::{self, FileId};
use feedgen::{config, episode, model, validate};

const FUZZ_PODCAST_TOML: &str = r#"
[podcast]
title = "fuzzcast"
description = "A show for fuzzing."
link = "https://example.com/"
feed_url = "https://example.com/feed.xml"
language = "en"
author = "fuzz"
owner = { name = "fuzz", email = "fuzz@example.com" }
image = "https://example.com/cover.png"
categories = [["Technology"]]
explicit = false
timezone = "Asia/Tokyo"
publish_time = "21:00"
media_base_url = "https://media.example.com/"
hosts = ["alice"]

[people.alice]
name = "Alice"
href = "https://example.com/alice"
role = "host"

[people.bob]
name = "Bob"
role = "guest"
"#;

const FUZZ_EPISODE: &str = "+++\npublished = 2021-01-22T21:00:00+09:00\n[audio]\nurl = \"https://media.example.com/001.mp3\"\nlength = 1234\ntype = \"audio/mpeg\"\nduration = \"1:02:03\"\n+++\n# 001: Pilot\n- Hosted by @alice\n## Contents\n### @alice\n#### [Topic](https://example.com/t)\n- note\n";

fn files(sub: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz-regressions")
        .join(sub);
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

fn now() -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00+00:00").unwrap()
}

/// fuzz/fuzz_targets/episode.rs, as a function.
fn episode_target(data: &[u8]) {
    let (show, d) = config::load(FileId(0), FUZZ_PODCAST_TOML);
    assert!(!d.iter().any(|d| d.severity == Severity::Error), "{d:?}");
    let (text, decoded) = match source::decode(data) {
        Ok(t) => (t, true),
        Err((lossy, _)) => (lossy, false),
    };
    let parsed = episode::parse(FileId(1), "001", &text, &show);
    let mut errors = parsed.diags.iter().any(|d| d.severity == Severity::Error) || !decoded;
    let root = Path::new("/nonexistent-feedgen-fuzz-root");
    let ctx = validate::Context {
        show: &show,
        root,
        now: now(),
    };
    let (resolved, diags) = validate::resolve(&ctx, parsed, root);
    errors |= diags.iter().any(|d| d.severity == Severity::Error);
    let eps = [resolved];
    errors |= validate::cross_check(&show, &eps)
        .iter()
        .any(|d| d.severity == Severity::Error);
    let [resolved] = eps;
    let feed = model::Feed {
        show: show.clone(),
        persons: validate::channel_persons(&show),
        updated: Some(resolved.item.published),
        items: vec![resolved.item],
    };
    let result = feedgen::render(&feed);
    if !errors {
        match result {
            Err(d) => panic!("clean episode failed output verification: {}", d.message),
            Ok(outs) if !text.contains('\u{FFFD}') => {
                for o in outs {
                    let s = String::from_utf8(o.bytes).expect("outputs are UTF-8");
                    assert!(!s.contains('\u{FFFD}'), "U+FFFD in {}", o.name);
                }
            }
            Ok(_) => {}
        }
    }
}

/// fuzz/fuzz_targets/podcast_toml.rs, as a function.
fn podcast_toml_target(data: &[u8]) {
    let Ok(text) = source::decode(data) else {
        return;
    };
    let (show, diags) = config::load(FileId(0), &text);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return;
    }
    let root = Path::new("/nonexistent-feedgen-fuzz-root");
    let parsed = episode::parse(FileId(1), "001", FUZZ_EPISODE, &show);
    let ctx = validate::Context {
        show: &show,
        root,
        now: now(),
    };
    let (resolved, vdiags) = validate::resolve(&ctx, parsed, root);
    let clean = !vdiags.iter().any(|d| d.severity == Severity::Error);
    let feed = model::Feed {
        show: show.clone(),
        persons: validate::channel_persons(&show),
        updated: Some(resolved.item.published),
        items: vec![resolved.item],
    };
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
    let empty = model::Feed {
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
}

#[test]
fn episode_regressions() {
    let mut failures = Vec::new();
    for path in files("episode") {
        let data = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if let Err(e) = std::panic::catch_unwind(|| episode_target(&data)) {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            failures.push(format!("{name}: target panicked: {msg}"));
            continue;
        }
        feedcheck::ALLOW_FFFD.with(|a| {
            a.set(
                String::from_utf8_lossy(&data).contains('\u{FFFD}')
                    && std::str::from_utf8(&data).is_ok(),
            )
        });
        for config in [String::new(), feedcheck::all_rules_warn()] {
            let p = feedcheck::Project::new(&config);
            p.write_episode(1, &data);
            match feedgen::build(&p.options()) {
                Ok(out) => {
                    if let Err(e) = feedcheck::check_build(&out) {
                        failures.push(format!("{name}: {e}"));
                    }
                }
                Err(e) => failures.push(format!("{name}: build error {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn podcast_toml_regressions() {
    for path in files("podcast_toml") {
        let data = std::fs::read(&path).unwrap();
        podcast_toml_target(&data);
    }
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
