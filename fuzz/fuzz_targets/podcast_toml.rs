//! Arbitrary bytes as podcast.toml: decode → config::load; when it loads without
//! errors, render an empty feed and a one-episode feed and verify them.
#![no_main]

use feedgen::diag::Severity;
use feedgen::source::{self, FileId};
use feedgen::{episode, model, validate};
use libfuzzer_sys::fuzz_target;

const EPISODE: &str = "+++\npublished = 2021-01-22T21:00:00+09:00\n[audio]\nurl = \"https://media.example.com/001.mp3\"\nlength = 1234\ntype = \"audio/mpeg\"\nduration = \"1:02:03\"\n+++\n# 001: Pilot\n- Hosted by @alice\n## Contents\n### @alice\n#### [Topic](https://example.com/t)\n- note\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = source::decode(data) else {
        return;
    };
    let (show, diags) = feedgen::config::load(FileId(0), &text);
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return;
    }
    let now = chrono::DateTime::parse_from_rfc3339("2030-01-01T00:00:00+00:00").unwrap();
    let root = std::path::Path::new("/nonexistent-feedgen-fuzz-root");
    let parsed = episode::parse(FileId(1), "001", EPISODE, &show);
    let ctx = validate::Context {
        show: &show,
        root,
        now,
    };
    let (resolved, vdiags) = validate::resolve(&ctx, parsed, root);
    // Known gap: podcast.toml strings are not filtered for characters XML cannot
    // hold (`title = "a\u0001"`); the build then refuses with output-verify.
    // That is a refusal, not a broken feed, so such inputs only must not panic.
    let bad_chars = toml_strings_have_bad_chars(&text);
    let clean = !vdiags.iter().any(|d| d.severity == Severity::Error) && !bad_chars;
    let feed = model::Feed {
        show: show.clone(),
        persons: validate::channel_persons(&show),
        updated: Some(resolved.item.published),
        items: vec![resolved.item],
    };
    let result = feedgen::render(&feed);
    if clean {
        if let Err(d) = result {
            panic!("clean show failed output verification: {}", d.message);
        }
    }
    let empty = model::Feed {
        items: vec![],
        updated: None,
        ..feed
    };
    let result = feedgen::render(&empty);
    if !bad_chars {
        if let Err(d) = result {
            panic!(
                "empty feed of a clean show failed verification: {}",
                d.message
            );
        }
    }
});

fn toml_strings_have_bad_chars(text: &str) -> bool {
    fn bad(s: &str) -> bool {
        s.chars().any(|c| {
            feedgen::source::is_xml_invalid(c) || feedgen::source::is_invisible(c) || c == '\r'
        })
    }
    fn walk(v: &toml::Value) -> bool {
        match v {
            toml::Value::String(s) => bad(s),
            toml::Value::Array(a) => a.iter().any(walk),
            toml::Value::Table(t) => t.iter().any(|(k, v)| bad(k) || walk(v)),
            _ => false,
        }
    }
    toml::from_str::<toml::Value>(text)
        .map(|v| walk(&v))
        .unwrap_or(false)
}
