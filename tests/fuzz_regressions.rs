//! Replays tests/fuzz-regressions/: every input that once crashed a fuzz
//! target (fuzz/fuzz_targets/) or broke a property. Each is run exactly as the
//! target runs it, and episodes are also built in a throw-away project whose
//! outputs must pass the checks of tests/hostile.rs. The read_back target is
//! also run on the documents it must accept and on altered ones.

mod feedcheck;

use std::path::{Path, PathBuf};

#[path = "../fuzz/harness.rs"]
mod harness;

use harness::{episode_target, podcast_toml_target, read_back_target};

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

#[test]
fn episode_regressions() {
    let mut failures = Vec::new();
    let inputs = files("episode");
    assert!(!inputs.is_empty(), "no episode regressions found");
    for path in inputs {
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
    harness::EPISODE_PROJECT.remove();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn podcast_toml_regressions() {
    let inputs = files("podcast_toml");
    assert!(!inputs.is_empty(), "no podcast_toml regressions found");
    for path in inputs {
        let data = std::fs::read(&path).unwrap();
        podcast_toml_target(&data);
    }
    harness::PODCAST_TOML_PROJECT.remove();
}

/// Kept inputs of the read_back target (and of the XML reader it replaced).
#[test]
fn read_back_regressions() {
    for path in files("read_back").into_iter().chain(files("xml_read")) {
        let data = std::fs::read(&path).unwrap();
        read_back_target(&data);
    }
}

/// The target is only as good as what it accepts: the feed's own documents
/// must pass (and agree with the reference readers), and the same documents
/// changed where verification looks must not.
#[test]
fn read_back_accepts_exactly_the_feeds_documents() {
    let seeds = harness::read_back_seeds();
    assert_eq!(seeds.len(), 3);
    let feed = harness::read_back_feed();
    let guid = &feed.items[0].guid;
    let id = &feed.items[0].id_iri;
    for seed in &seeds {
        let name = harness::READ_BACK_DOCUMENTS[usize::from(seed[0])];
        assert!(read_back_target(seed), "{name}: its own document refused");
        let text = String::from_utf8(seed[1..].to_vec()).unwrap();
        let mut changed = vec![
            // Another document's bytes.
            [&[(seed[0] + 1) % 3][..], &seed[1..]].concat(),
            // Cut short.
            seed[..seed.len() / 2].to_vec(),
            // Not UTF-8.
            [&seed[..], b"\xff"].concat(),
        ];
        let key = if name == "feed.xml" { guid } else { id };
        assert!(text.contains(key.as_str()), "{name} lacks {key}");
        changed.push(
            [
                &seed[..1],
                text.replacen(key.as_str(), "other", 1).as_bytes(),
            ]
            .concat(),
        );
        for (i, input) in changed.iter().enumerate() {
            assert!(!read_back_target(input), "{name}: change {i} accepted");
        }
    }
}
