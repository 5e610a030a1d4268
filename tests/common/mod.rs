//! Shared helpers for integration tests: temporary projects and diagnostics lookup.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use feedgen::diag::{Diagnostic, Rule};
use feedgen::{Options, Project};

pub const NOW: &str = "2030-01-01T00:00:00Z";

pub fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(NOW).unwrap()
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared test show (tests/show/podcast.toml): a complete, valid
/// podcast.toml with a small people registry, `alice` hosting the show.
pub const MINIMAL_TOML: &str = include_str!("../show/podcast.toml");

/// Front matter that makes an episode publishable, so a test sees only its own problem.
pub fn front(n: u32) -> String {
    format!(
        "+++\ntitle = \"Episode title {n}\"\npublished = 2021-01-22T21:00:00+09:00\n\n[audio]\nurl = \"https://cdn.example.com/{n:03}.mp3\"\nlength = 1234\ntype = \"audio/mpeg\"\nduration = \"10:00\"\n+++\n"
    )
}

/// A clean episode body (no diagnostics of its own).
pub fn body(n: u32) -> String {
    format!("# {n:03}\n\n- Hosted by @alice\n- Recording date: 2021-01-22\n\n## Contents\n\n### @alice\n\n#### [Topic](https://example.com/t{n})\n- note\n")
}

pub struct TempProject {
    pub dir: tempfile::TempDir,
}

impl TempProject {
    pub fn new(toml: &str) -> TempProject {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("episodes")).unwrap();
        std::fs::write(dir.path().join("podcast.toml"), toml).unwrap();
        TempProject { dir }
    }
    pub fn minimal() -> TempProject {
        TempProject::new(MINIMAL_TOML)
    }
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) -> &Self {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
        self
    }
    pub fn options(&self) -> Options {
        let mut o = Options::new(self.path().join("podcast.toml"), now());
        o.out = Some(self.path().join("public"));
        o
    }
    pub fn check(&self) -> Project {
        feedgen::check(&self.options()).unwrap()
    }
    pub fn build(&self) -> feedgen::BuildOutcome {
        feedgen::build(&self.options()).unwrap()
    }
    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path().join(rel)).unwrap()
    }
}

/// Copies the repository's example show (podcast.toml, episodes/, media/) to a temp dir.
pub fn example_copy() -> TempProject {
    let t = TempProject::new(&std::fs::read_to_string(repo().join("podcast.toml")).unwrap());
    copy_dir(&repo().join("episodes"), &t.path().join("episodes"));
    copy_dir(&repo().join("media"), &t.path().join("media"));
    t
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// (file, line, column) of a diagnostic.
pub fn position(p: &Project, d: &Diagnostic) -> (String, usize, usize) {
    let s = d.span.as_ref().expect("diagnostic has a span");
    let f = p.sources.get(s.file);
    let (l, c) = f.line_col(s.range.start);
    (f.name.clone(), l, c)
}

pub fn find(p: &Project, rule: Rule) -> Vec<&Diagnostic> {
    p.diags.iter().filter(|d| d.rule == rule).collect()
}

/// Positions of every diagnostic of a rule that points into a file.
pub fn positions(p: &Project, rule: Rule) -> Vec<(String, usize, usize)> {
    find(p, rule)
        .into_iter()
        .filter(|d| d.span.is_some())
        .map(|d| position(p, d))
        .collect()
}

/// All rule names present, for failure messages.
pub fn summary(p: &Project) -> String {
    p.diags
        .iter()
        .map(|d| {
            let pos = d
                .span
                .as_ref()
                .map(|_| position(p, d))
                .map(|(f, l, c)| format!("{f}:{l}:{c}"))
                .unwrap_or_default();
            format!("{} {} {} {}", d.severity, d.rule.name(), pos, d.message)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A silent MPEG-1 Layer III stream: `frames` frames at 32 kbps, 44.1 kHz.
pub fn silent_mp3(frames: usize) -> Vec<u8> {
    let size = 144 * 32_000 / 44_100;
    let mut frame = vec![0u8; size];
    frame[..4].copy_from_slice(&[0xFF, 0xFB, 0x10, 0xC0]);
    frame.repeat(frames)
}

/// Makes a named pipe at `path`: a file that blocks whoever opens it to read.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    let made = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// `feedgen::check` of `t`, failing the test unless it returns within 30 s
/// (a named pipe opened for reading would block it forever).
pub fn check_in_time(t: &TempProject) -> Project {
    let (tx, rx) = std::sync::mpsc::channel();
    let options = t.options();
    std::thread::spawn(move || {
        let _ = tx.send(feedgen::check(&options).unwrap());
    });
    rx.recv_timeout(std::time::Duration::from_secs(30))
        .expect("check returns in time")
}

/// `out` is a process that succeeded, else the test fails with what it said.
pub fn assert_ran(out: &std::process::Output) {
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
