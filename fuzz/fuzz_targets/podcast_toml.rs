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
});

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
