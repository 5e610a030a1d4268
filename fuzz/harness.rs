//! The bodies of the fuzz targets, shared by `fuzz/fuzz_targets/*.rs` and by the
//! regression replay `tests/fuzz_regressions.rs`, so a kept crash input is
//! replayed exactly as the fuzzer ran it. Included with `#[path]`; it uses only
//! feedgen and feedgen's own dependencies (chrono, quick-xml).
#![allow(dead_code)]

use std::path::Path;
use std::sync::OnceLock;

use feedgen::diag::Severity;
use feedgen::source::{self, FileId};
use feedgen::{config, episode, model, validate};

pub const PODCAST_TOML: &str = r#"
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

/// The episode the podcast_toml target builds with every accepted podcast.toml.
pub const EPISODE: &str = "+++\npublished = 2021-01-22T21:00:00+09:00\n[audio]\nurl = \"https://media.example.com/001.mp3\"\nlength = 1234\ntype = \"audio/mpeg\"\nduration = \"1:02:03\"\n+++\n# 001: Pilot\n- Hosted by @alice\n## Contents\n### @alice\n#### [Topic](https://example.com/t)\n- note\n";

fn show() -> &'static config::Show {
    static SHOW: OnceLock<config::Show> = OnceLock::new();
    SHOW.get_or_init(|| {
        let (show, diags) = config::load(FileId(0), PODCAST_TOML);
        assert!(
            !diags.iter().any(|d| d.severity == Severity::Error),
            "fuzz podcast.toml is invalid: {diags:?}"
        );
        show
    })
}

/// Arbitrary bytes as an episode file: decode → parse → validate → render RSS,
/// Atom and JSON Feed → verify. Panics are bugs; so is an episode that validates
/// without errors but whose feeds fail verification.
pub fn episode_target(data: &[u8]) {
    let show = show();
    let (text, decoded) = match source::decode(data) {
        Ok(t) => (t, true),
        Err((lossy, _)) => (lossy, false),
    };
    let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00+00:00").unwrap();
    let parsed = episode::parse(FileId(1), "001", &text, show);
    // `check` parses without keeping the notes and counts the Apple
    // description's length instead: it must say what the notes say.
    let counted = episode::parse_with(
        FileId(1),
        "001",
        &text,
        show,
        episode::NotesMode::CountApple,
    );
    assert_eq!(
        counted.apple_fits,
        Some(feedgen::html::apple_fits(
            &parsed.notes,
            feedgen::html::APPLE_LIMIT
        )),
        "the Apple length counted while parsing differs"
    );
    assert_eq!(
        counted.diags.len(),
        parsed.diags.len(),
        "check and build parse alike"
    );
    let mut errors = parsed.diags.iter().any(|d| d.severity == Severity::Error) || !decoded;
    // A directory with no media files: relative audio paths simply do not resolve.
    let root = Path::new("/nonexistent-feedgen-fuzz-root");
    let ctx = validate::Context {
        show,
        root,
        now,
        render: true,
    };
    let (resolved, diags) = validate::resolve(&ctx, parsed, root);
    errors |= diags.iter().any(|d| d.severity == Severity::Error);
    let eps = [resolved];
    errors |= validate::cross_check(show, &eps)
        .iter()
        .any(|d| d.severity == Severity::Error);
    let [resolved] = eps;
    let feed = model::Feed {
        show: show.clone(),
        persons: validate::channel_persons(show),
        updated: Some(resolved.item.published),
        items: vec![resolved.item],
    };
    // Render and verify whatever came out, even from an episode with errors
    // (the writers must never panic); only a clean episode must also verify.
    let result = feedgen::render(&feed);
    if !errors {
        match result {
            Err(d) => panic!("clean episode failed output verification: {}", d.message),
            // Text is never silently lost: no U+FFFD unless the input has one.
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

/// Arbitrary bytes as podcast.toml: decode → config::load; when it loads without
/// errors, render a one-episode feed and an empty feed and verify them, and no
/// published URL may be anything but http(s)/mailto.
pub fn podcast_toml_target(data: &[u8]) {
    let Ok(text) = source::decode(data) else {
        return;
    };
    let (show, diags) = config::load(FileId(0), &text);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return;
    }
    let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00+00:00").unwrap();
    let root = Path::new("/nonexistent-feedgen-fuzz-root");
    let parsed = episode::parse(FileId(1), "001", EPISODE, &show);
    let ctx = validate::Context {
        show: &show,
        root,
        now,
        render: true,
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

/// Arbitrary bytes read back as XML: `verify::strict_xml` must not panic, and
/// with debug assertions (`cargo fuzz run -a`) quick-xml must accept whatever
/// it accepts. Every attribute of every tag and every text is then decoded.
pub fn xml_read_target(data: &[u8]) {
    if feedgen::verify::strict_xml(data).is_err() {
        return;
    }
    let text = std::str::from_utf8(data).expect("accepted documents are UTF-8");
    let mut r = feedgen::xml_read::Reader::new(text);
    while let Some(ev) = r.next().expect("accepted once, accepted again") {
        match ev {
            feedgen::xml_read::Event::Start(t) | feedgen::xml_read::Event::Empty(t) => {
                for key in ["url", "length", "a", "href"] {
                    let _ = t.attr(key);
                }
            }
            feedgen::xml_read::Event::Text(t) => {
                let _ = feedgen::xml_read::unescape(t);
            }
            _ => {}
        }
    }
}
