//! Replays tests/fuzz-regressions/: every input that once crashed a fuzz
//! target (fuzz/fuzz_targets/) or broke a property. Each is run exactly as the
//! target runs it, and episodes are also built in a throw-away project whose
//! outputs must pass the checks of tests/hostile.rs.

mod feedcheck;

use std::path::{Path, PathBuf};

#[path = "../fuzz/harness.rs"]
mod harness;

use harness::{episode_target, podcast_toml_target, xml_read_target};

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

#[test]
fn xml_read_regressions() {
    for path in files("xml_read") {
        let data = std::fs::read(&path).unwrap();
        xml_read_target(&data);
    }
}
