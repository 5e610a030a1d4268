//! Arbitrary bytes as an episode file: decode → parse → validate → render RSS,
//! Atom and JSON Feed → verify. Panics are bugs; so is an episode that validates
//! without errors but whose feeds fail verification.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use feedgen::diag::Severity;
use feedgen::source::{self, FileId};
use feedgen::{config, episode, model, validate};
use libfuzzer_sys::fuzz_target;

const PODCAST_TOML: &str = r#"
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

fuzz_target!(|data: &[u8]| {
    let show = show();
    let (text, decoded) = match source::decode(data) {
        Ok(t) => (t, true),
        Err((lossy, _)) => (lossy, false),
    };
    let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00+00:00").unwrap();
    let parsed = episode::parse(FileId(1), "001", &text, show);
    let mut errors = parsed.diags.iter().any(|d| d.severity == Severity::Error) || !decoded;
    // A directory with no media files: relative audio paths simply do not resolve.
    let root = Path::new("/nonexistent-feedgen-fuzz-root");
    let ctx = validate::Context { show, root, now };
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
});
