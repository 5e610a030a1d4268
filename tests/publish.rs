//! Publishing: only what feedgen wrote is ever removed, the feeds and the
//! ledger change together or not at all, the ledger cannot be silently
//! dropped, and a killed build leaves nothing among the published files.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use feedgen::diag::Rule;

fn paged(page_size: Option<usize>, episodes: u32) -> TempProject {
    let toml = match page_size {
        Some(n) => format!("{MINIMAL_TOML}\n[output]\npage_size = {n}\n"),
        None => MINIMAL_TOML.to_string(),
    };
    let t = TempProject::new(&toml);
    for n in 1..=episodes {
        t.write(
            &format!("episodes/{n:03}.md"),
            format!("{}{}", front(n), body(n)),
        );
    }
    t
}

/// Every entry of a folder: files by their bytes, folders as `None`.
fn snapshot(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let bytes = e
                .file_type()
                .unwrap()
                .is_file()
                .then(|| fs::read(e.path()).unwrap());
            (e.file_name().to_string_lossy().into_owned(), bytes)
        })
        .collect()
}

fn names(dir: &Path) -> Vec<String> {
    snapshot(dir).into_keys().collect()
}

/// The project folder and the workspace beside the output folder, without
/// podcast.toml and episodes/: what a build leaves around its outputs.
fn workspace(t: &TempProject) -> PathBuf {
    t.path().join(".public.feedgen")
}

fn built(t: &TempProject) -> Vec<PathBuf> {
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    out.written
}

const FOREIGN: [&str; 4] = [
    "feed-2023.csv",
    "atom-1.0.xsd",
    "feed-9.xml.bak",
    "feed-7.xml",
];

fn put_foreign(t: &TempProject) {
    for f in FOREIGN {
        t.write(&format!("public/{f}"), format!("mine: {f}"));
    }
}

fn foreign_intact(t: &TempProject) {
    for f in FOREIGN {
        assert_eq!(t.read(&format!("public/{f}")), format!("mine: {f}"), "{f}");
    }
}

/// The show's web pages in public/: the show page and the episodes' folder.
const SITE: [&str; 2] = ["episodes", "index.html"];

/// public/ holds exactly `documents`, the web pages and the foreign files,
/// untouched.
fn only_these_and_foreign(t: &TempProject, documents: &[&str]) {
    let mut want: Vec<String> = documents
        .iter()
        .chain(FOREIGN.iter())
        .chain(SITE.iter())
        .map(|s| s.to_string())
        .collect();
    want.sort();
    assert_eq!(names(&t.path().join("public")), want);
    foreign_intact(t);
}

#[test]
fn files_feedgen_did_not_write_survive_builds_paged_or_not() {
    for page_size in [None, Some(2)] {
        let t = paged(page_size, 3);
        fs::create_dir(t.path().join("public")).unwrap();
        put_foreign(&t);
        built(&t);
        foreign_intact(&t);
        built(&t);
        foreign_intact(&t);
    }
}

#[test]
fn only_the_stale_pages_an_earlier_build_wrote_go() {
    let t = paged(Some(2), 5);
    fs::create_dir(t.path().join("public")).unwrap();
    put_foreign(&t);
    built(&t);
    let pages = ["feed-2.xml", "feed-3.xml", "atom-2.xml", "atom-3.xml"];
    for p in pages {
        assert!(t.path().join("public").join(p).exists(), "{p}");
    }
    // Two episodes withdrawn: three pages become two.
    fs::remove_file(t.path().join("episodes/005.md")).unwrap();
    fs::remove_file(t.path().join("episodes/004.md")).unwrap();
    let mut o = t.options();
    o.allow_guid_change = vec!["4".into(), "5".into()];
    assert!(!feedgen::build(&o).unwrap().written.is_empty());
    only_these_and_foreign(
        &t,
        &[
            "atom-2.xml",
            "atom.xml",
            "feed-2.xml",
            "feed.json",
            "feed.xml",
        ],
    );
    // Paging turned off: the archive pages go too.
    t.write("podcast.toml", MINIMAL_TOML);
    built(&t);
    only_these_and_foreign(&t, &["atom.xml", "feed.json", "feed.xml"]);
    // The record of what was written lives beside the output folder.
    assert_eq!(names(&workspace(&t)), ["written"]);
}

/// Episode 2 retitled and episode 3 added: every document and the ledger
/// would change.
fn next_build(t: &TempProject) {
    t.write(
        "episodes/002.md",
        format!("{}{}", front(2).replace("title 2", "title two"), body(2)),
    );
    t.write("episodes/003.md", format!("{}{}", front(3), body(3)));
}

#[test]
fn a_failed_rename_leaves_every_output_and_the_ledger_as_they_were() {
    let t = paged(None, 2);
    built(&t);
    // The last document's place is taken by a folder: the first two are
    // renamed before its rename fails, and are put back.
    let public = t.path().join("public");
    fs::remove_file(public.join("feed.json")).unwrap();
    t.write("public/feed.json/index.html", "mine");
    let outputs = snapshot(&public);
    let ledger = fs::read(t.path().join("feedgen.lock")).unwrap();
    let manifest = snapshot(&workspace(&t));
    let project = names(t.path());
    next_build(&t);
    let e = match feedgen::build(&t.options()) {
        Err(feedgen::Error::Write { path, source }) => format!("{}: {source}", path.display()),
        Err(e) => panic!("{e}"),
        Ok(o) => panic!("built: {:?}", o.written),
    };
    assert!(e.contains("feed.json") && e.contains("folder"), "{e}");
    assert_eq!(snapshot(&public), outputs);
    assert_eq!(fs::read(t.path().join("feedgen.lock")).unwrap(), ledger);
    assert_eq!(snapshot(&workspace(&t)), manifest);
    assert_eq!(names(t.path()), project, "no temporary ledger is left");
    // Once the folder is gone, the same build goes through.
    fs::remove_dir_all(public.join("feed.json")).unwrap();
    built(&t);
    assert!(t.read("public/feed.xml").contains("Episode title two"));
    assert!(t.read("feedgen.lock").contains("00003"));
}

#[test]
fn an_empty_or_foreign_ledger_is_refused_and_nothing_changes() {
    for ledger in [
        "",
        "\n",
        "[episode.00001]\nguid = \"x\"\nfirst_published = \"2021-01-22T21:00:00+09:00\"\n",
        "[episodes.00001]\nguid = \"x\"\nfirst_published = \"2021-01-22T21:00:00+09:00\"\nnote = \"hi\"\n",
    ] {
        let t = paged(None, 1);
        built(&t);
        t.write("feedgen.lock", ledger);
        // A changed guid would pass unchecked if the ledger were read as empty.
        t.write(
            "episodes/001.md",
            format!(
                "{}{}",
                front(1).replace("+++\ntitle", "+++\nguid = \"new\"\ntitle"),
                body(1)
            ),
        );
        let outputs = snapshot(&t.path().join("public"));
        for p in [t.check(), t.build().project] {
            let d = find(&p, Rule::InvalidLedger);
            assert_eq!(d.len(), 1, "{ledger:?}: {}", summary(&p));
            assert!(
                d[0].help.as_deref().unwrap().contains("git checkout feedgen.lock"),
                "{:?}",
                d[0].help
            );
        }
        assert_eq!(snapshot(&t.path().join("public")), outputs, "{ledger:?}");
        assert_eq!(t.read("feedgen.lock"), ledger);
    }
}

fn feedgen_cli(t: &TempProject, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_feedgen"))
        .current_dir(t.path())
        .env("NO_COLOR", "1")
        .args(["--now", NOW])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_reports_a_changed_guid_as_build_refuses_it() {
    let t = paged(None, 2);
    assert_eq!(feedgen_cli(&t, &["build"]).0, 0);
    t.write(
        "episodes/001.md",
        format!(
            "{}{}",
            front(1).replace("+++\ntitle", "+++\nguid = \"new\"\ntitle"),
            body(1)
        ),
    );
    let ledger = t.read("feedgen.lock");
    let (code, err) = feedgen_cli(&t, &["check"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("published-guid-changed"), "{err}");
    assert!(err.contains("--allow-guid-change 1"), "{err}");
    assert_eq!(t.read("feedgen.lock"), ledger, "check writes nothing");
    let (code, err) = feedgen_cli(&t, &["build"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("published-guid-changed"), "{err}");
    assert_eq!(feedgen_cli(&t, &["build", "--allow-guid-change", "1"]).0, 0);
    assert!(t.read("feedgen.lock").contains("\"new\""));
}

#[test]
fn allowing_a_change_for_an_episode_nobody_has_is_a_usage_error() {
    let t = paged(None, 2);
    let (code, err) = feedgen_cli(&t, &["build", "--allow-guid-change", "99"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--allow-guid-change 99: no such episode"),
        "{err}"
    );
    assert!(err.contains("(episodes known: 1-2)"), "{err}");
    assert!(!t.path().join("public").exists() && !t.path().join("feedgen.lock").exists());
    // An episode of the ledger only (withdrawn) or of the show only is known.
    assert_eq!(feedgen_cli(&t, &["build", "--allow-guid-change", "2"]).0, 0);
    fs::remove_file(t.path().join("episodes/002.md")).unwrap();
    assert_eq!(
        feedgen_cli(&t, &["build", "--allow-guid-change", "002"]).0,
        0
    );
    assert!(!t.read("feedgen.lock").contains("00002"));
}

#[test]
fn a_build_waits_for_the_project_lock() {
    let t = paged(None, 1);
    // Another build of the project (here, its lock) holds the ledger.
    let held = fs::File::open(t.path()).unwrap();
    held.lock().unwrap();
    let o = t.options();
    let (tx, rx) = std::sync::mpsc::channel();
    let builder = std::thread::spawn(move || {
        let r = feedgen::build(&o).unwrap();
        tx.send(
            r.written
                .iter()
                .filter(|p| !p.ends_with("index.html"))
                .count(),
        )
        .unwrap();
    });
    assert!(
        rx.recv_timeout(Duration::from_millis(500)).is_err(),
        "published while the project was locked"
    );
    assert!(!t.path().join("feedgen.lock").exists());
    held.unlock().unwrap();
    assert_eq!(rx.recv_timeout(Duration::from_secs(30)).unwrap(), 3);
    builder.join().unwrap();
}

#[test]
fn the_leftovers_of_a_stopped_build_go_and_a_running_ones_stay() {
    let t = paged(None, 1);
    built(&t);
    // A build that died (no process holds its staging folder's lock), and
    // one that runs (its lock is held).
    let ws = workspace(&t);
    let dead = ws.join("stage-4000000-0");
    t.write(
        ".public.feedgen/stage-4000000-0/feed.xml",
        vec![b'x'; 1 << 20],
    );
    t.write(".feedgen.lock.4000000-0.tmp", "half a ledger");
    let live = ws.join("stage-4000001-0");
    t.write(".public.feedgen/stage-4000001-0/feed.xml", "being written");
    let held = fs::File::open(&live).unwrap();
    held.lock().unwrap();
    built(&t);
    assert!(!dead.exists(), "{:?}", names(&ws));
    assert!(!t.path().join(".feedgen.lock.4000000-0.tmp").exists());
    assert!(
        live.join("feed.xml").exists(),
        "a running build's staging was removed"
    );
    drop(held);
    built(&t);
    assert_eq!(names(&ws), ["written"]);
    assert!(names(&t.path().join("public"))
        .iter()
        .all(|n| !n.starts_with('.')));
}

#[test]
fn a_killed_build_leaves_nothing_among_the_outputs() {
    let t = paged(None, 3000);
    let public = t.path().join("public");
    let ws = workspace(&t);
    let mut caught = false;
    for _ in 0..5 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_feedgen"))
            .current_dir(t.path())
            .args(["--now", NOW, "build", "--quiet"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        // Killed (SIGKILL) as soon as a staged document has bytes in it.
        while start.elapsed() < Duration::from_secs(60) {
            let staged = fs::read_dir(&ws).into_iter().flatten().flatten().any(|e| {
                fs::read_dir(e.path())
                    .into_iter()
                    .flatten()
                    .flatten()
                    .any(|f| f.metadata().is_ok_and(|m| m.len() > 0))
            });
            if staged {
                child.kill().unwrap();
                caught = true;
                break;
            }
            if child.try_wait().unwrap().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        child.wait().unwrap();
        if caught {
            break;
        }
    }
    assert!(caught, "no build was caught while staging");
    assert!(
        ws.read_dir()
            .unwrap()
            .any(|e| e.unwrap().file_name() != "written"),
        "the killed build left no staging folder"
    );
    if public.exists() {
        assert!(
            names(&public).iter().all(|n| !n.starts_with('.')),
            "{:?}",
            names(&public)
        );
    }
    built(&t);
    assert_eq!(names(&ws), ["written"]);
    assert_eq!(
        names(&public),
        [
            "atom.xml",
            "episodes",
            "feed.json",
            "feed.xml",
            "index.html",
            "page"
        ]
    );
}

/// A page size of 1 makes a document per episode: they are written one after
/// another, so a build needs a handful of open files, not one per page.
#[cfg(unix)]
#[test]
fn many_pages_are_written_with_few_files_open() {
    let t = paged(Some(1), 300);
    let bin = assert_cmd::cargo::cargo_bin("feedgen");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 48 && exec '{}' --now {NOW} build --quiet",
            bin.display()
        ))
        .current_dir(t.path())
        .output()
        .unwrap();
    assert_ran(&out);
    let pages = fs::read_dir(t.path().join("public"))
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().starts_with("feed-")
        })
        .count();
    assert_eq!(pages, 299);
}
