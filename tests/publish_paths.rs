//! The paths a build reads and writes: podcast.toml and feedgen.lock only as
//! regular files under a cap, and an output folder that is a folder, inside
//! the project by its real path unless the user says otherwise.
#![cfg(unix)]

mod common;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use feedgen::diag::Rule;

/// Runs feedgen in `dir`, failing the test if it runs for more than 10 s:
/// the exit code and what it printed on stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_feedgen"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["--now", NOW])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("feedgen {args:?} still ran after 10 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn one_episode() -> TempProject {
    let t = TempProject::minimal();
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    t
}

#[test]
fn a_config_that_is_not_a_regular_file_fails_fast_and_says_why() {
    let t = one_episode();
    let fifo = t.path().join("fifo.toml");
    mkfifo(&fifo);
    let big = t.path().join("big.toml");
    fs::write(&big, format!("{MINIMAL_TOML}#{}\n", "x".repeat(1 << 20))).unwrap();
    let folder = t.path().join("episodes");
    let zero_link = t.path().join("zero.toml");
    symlink("/dev/zero", &zero_link).unwrap();
    for (config, why) in [
        (Path::new("/dev/zero"), "it is a device, not a regular file"),
        (zero_link.as_path(), "it is a device, not a regular file"),
        (
            fifo.as_path(),
            "it is a named pipe (FIFO), not a regular file",
        ),
        (folder.as_path(), "it is a folder, not a regular file"),
        (big.as_path(), "it is larger than 1 MiB"),
    ] {
        for command in ["check", "build"] {
            let (code, err) = run(t.path(), &["--config", config.to_str().unwrap(), command]);
            assert_eq!(code, 2, "{config:?} {command}: {err}");
            assert!(err.contains(why), "{config:?} {command}: {err}");
        }
    }
    // Just under the cap is read.
    let near = t.path().join("podcast-near.toml");
    let pad = (1 << 20) - MINIMAL_TOML.len() - 2;
    fs::write(&near, format!("{MINIMAL_TOML}#{}\n", "x".repeat(pad))).unwrap();
    assert_eq!(fs::metadata(&near).unwrap().len(), 1 << 20);
    let (code, err) = run(t.path(), &["--config", "podcast-near.toml", "check"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_ledger_that_is_not_a_regular_file_is_refused() {
    for make in ["zero", "fifo", "folder", "dangling"] {
        let t = one_episode();
        let ledger = t.path().join("feedgen.lock");
        match make {
            "zero" => symlink("/dev/zero", &ledger).unwrap(),
            "fifo" => mkfifo(&ledger),
            "folder" => fs::create_dir(&ledger).unwrap(),
            _ => symlink(t.path().join("gone.lock"), &ledger).unwrap(),
        }
        for command in ["check", "build"] {
            let (code, err) = run(t.path(), &[command]);
            assert_eq!(code, 1, "{make} {command}: {err}");
            assert!(
                err.contains("invalid-ledger") || err.contains("FG133"),
                "{make}: {err}"
            );
        }
        assert!(!t.path().join("public").exists(), "{make}");
        let p = t.build().project;
        assert_eq!(
            find(&p, Rule::InvalidLedger).len(),
            1,
            "{make}: {}",
            summary(&p)
        );
    }
}

fn usage_error(r: Result<feedgen::BuildOutcome, feedgen::Error>) -> String {
    match r {
        Err(feedgen::Error::Usage(m)) => m,
        Err(e) => panic!("not a usage error: {e}"),
        Ok(o) => panic!("built {:?}: {}", o.written, summary(&o.project)),
    }
}

#[test]
fn out_must_be_a_folder_and_says_what_it_is() {
    let t = one_episode();
    let p = t.path();
    fs::write(p.join("a-file"), "mine").unwrap();
    symlink(p.join("nowhere"), p.join("dangling")).unwrap();
    symlink(p.join("a-file"), p.join("to-file")).unwrap();
    // What is said of each, with `at` the folder --out is relative to.
    type Said<'a> = &'a dyn Fn(&Path) -> String;
    let cases: [(&str, Said); 4] = [
        ("a-file", &|_| "is a file, not a folder".into()),
        ("dangling", &|_| {
            let to = p.join("nowhere");
            format!("is a symlink to {}, which does not exist", to.display())
        }),
        ("to-file", &|_| {
            let to = p.join("a-file");
            format!("is a symlink to {}, which is not a folder", to.display())
        }),
        ("a-file/public", &|at| {
            let file = at.join("a-file");
            format!(
                "cannot be made: its folder {} is a file, not a folder",
                file.display()
            )
        }),
    ];
    for (out, why) in cases {
        let mut o = t.options();
        o.out = Some(p.join(out));
        let m = usage_error(feedgen::build(&o));
        assert_eq!(m, format!("--out {} {}", p.join(out).display(), why(p)));
        let (code, err) = run(p, &["--out", out, "build"]);
        assert_eq!(code, 2, "{err}");
        let said = format!("--out {out} {}", why(Path::new("")));
        assert!(err.contains(&said), "{err}");
    }
    assert_eq!(fs::read_to_string(p.join("a-file")).unwrap(), "mine");
    assert!(!p.join("nowhere").exists());
    // A symlink to a folder is a folder.
    fs::create_dir(p.join("site")).unwrap();
    symlink(p.join("site"), p.join("to-site")).unwrap();
    let (code, err) = run(p, &["--out", "to-site", "build"]);
    assert_eq!(code, 0, "{err}");
    assert!(p.join("site/feed.xml").exists());
}

#[test]
fn an_output_folder_leading_outside_the_project_is_refused() {
    let outer = tempfile::tempdir().unwrap();
    let elsewhere = outer.path().join("elsewhere");
    fs::create_dir(&elsewhere).unwrap();
    let with = |output: &str| {
        let t = TempProject::new(&format!("{MINIMAL_TOML}\n{output}"));
        t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
        t
    };
    let no_out = |t: &TempProject| {
        let mut o = t.options();
        o.out = None;
        o
    };
    // `public` itself, or a folder on the way to `[output] dir`, is a link out.
    let t = with("");
    symlink(&elsewhere, t.path().join("public")).unwrap();
    let u = with("[output]\ndir = \"site/public\"\n");
    symlink(&elsewhere, u.path().join("site")).unwrap();
    for t in [&t, &u] {
        let out = feedgen::build(&no_out(t)).unwrap();
        assert!(out.written.is_empty());
        let d = find(&out.project, Rule::UnsafePath);
        assert_eq!(d.len(), 1, "{}", summary(&out.project));
        assert!(
            d[0].message.contains("leads outside the project"),
            "{}",
            d[0].message
        );
        let (code, err) = run(t.path(), &["build"]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("unsafe-path"), "{err}");
        assert_eq!(
            fs::read_dir(&elsewhere).unwrap().count(),
            0,
            "written outside"
        );
        assert!(!outer.path().join(".elsewhere.feedgen").exists());
    }
    // Consent, or --out, lets it through.
    let t = with("[output]\nallow_outside = true\n");
    symlink(&elsewhere, t.path().join("public")).unwrap();
    assert!(!feedgen::build(&no_out(&t)).unwrap().written.is_empty());
    assert!(elsewhere.join("feed.xml").exists());
    let t = with("");
    symlink(&elsewhere, t.path().join("public")).unwrap();
    let (code, err) = run(t.path(), &["build", "--out", elsewhere.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    // A link that stays inside the project is fine.
    let t = with("");
    fs::create_dir_all(t.path().join("build/site")).unwrap();
    symlink(t.path().join("build/site"), t.path().join("public")).unwrap();
    assert!(!feedgen::build(&no_out(&t)).unwrap().written.is_empty());
    assert!(t.path().join("build/site/feed.xml").exists());
    // `[output] dir` must be a folder too.
    let t = with("[output]\ndir = \"out\"\n");
    t.write("out", "mine");
    let m = usage_error(feedgen::build(&no_out(&t)));
    assert!(
        m.starts_with("[output] dir `out` (") && m.ends_with(") is a file, not a folder"),
        "{m}"
    );
}
