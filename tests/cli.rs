//! The `feedgen` binary as a release pipeline runs it.

mod common;

use assert_cmd::Command;
use common::*;

fn feedgen(t: &TempProject) -> Command {
    let mut c = Command::cargo_bin("feedgen").unwrap();
    c.current_dir(t.path())
        .env("NO_COLOR", "1")
        .args(["--now", NOW]);
    c
}

/// Several broken episodes: every problem is reported in one run.
fn broken_tree() -> TempProject {
    let t = TempProject::minimal();
    t.write(
        "episodes/001.md",
        format!(
            "{}{}",
            front(1),
            body(1).replace("2021-01-22", "2021-02-30")
        ),
    );
    t.write(
        "episodes/002.md",
        format!(
            "{}{}",
            front(2),
            body(2).replace("- Hosted by @alice\n", "")
        ),
    );
    let mut sjis = format!("{}{}", front(3), body(3)).into_bytes();
    sjis.extend_from_slice(b"- \x93\xfa\x96\x7b\x8c\xea\n");
    t.write("episodes/003.md", sjis);
    t.write(
        "episodes/004.md",
        format!(
            "{}{}",
            front(4),
            body(4).replace("### @alice", "### @alcie")
        ),
    );
    t
}

#[test]
fn check_reports_every_problem_in_one_run_and_exits_1() {
    let t = broken_tree();
    let out = feedgen(&t).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    for needle in [
        "error[FG107]: `2021-02-30` is not a calendar date",
        "--> episodes/001.md:14:19",
        "error[FG110]: the header list has no `Hosted by` line",
        "error[FG300]: the file is not UTF-8: byte 0x93 at line 22, byte column 3",
        "--> episodes/003.md:22:3",
        "warning[FG112]: `@alcie` is not in the [people] registry",
        "did you mean `@alice`?",
        "checked 4 episodes: 3 errors, 1 warning",
    ] {
        assert!(err.contains(needle), "missing {needle:?} in:\n{err}");
    }
    // Sorted by file and line.
    let order: Vec<usize> = [
        "episodes/001.md",
        "episodes/002.md",
        "episodes/003.md",
        "episodes/004.md",
    ]
    .iter()
    .map(|f| err.find(&format!("--> {f}")).unwrap())
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{err}");
    assert!(!t.path().join("public").exists(), "check writes nothing");
    assert!(
        !err.contains('\u{1b}'),
        "no colour with NO_COLOR or off a terminal"
    );
}

#[test]
fn json_lines_say_the_same_things() {
    let t = broken_tree();
    let out = feedgen(&t)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let key = |v: &serde_json::Value| {
        (
            v["file"].as_str().unwrap().to_string(),
            v["line"].as_u64().unwrap(),
            v["column"].as_u64().unwrap(),
            v["severity"].as_str().unwrap().to_string(),
            v["rule"].as_str().unwrap().to_string(),
        )
    };
    let got: Vec<_> = lines.iter().map(key).filter(|k| k.3 != "note").collect();
    assert_eq!(
        got,
        vec![
            (
                "episodes/001.md".into(),
                14,
                19,
                "error".into(),
                "invalid-date".into()
            ),
            (
                "episodes/002.md".into(),
                13,
                1,
                "error".into(),
                "missing-host".into()
            ),
            (
                "episodes/003.md".into(),
                22,
                3,
                "error".into(),
                "invalid-utf8".into()
            ),
            (
                "episodes/004.md".into(),
                18,
                1,
                "warning".into(),
                "unknown-speaker".into()
            ),
        ]
    );
    assert!(lines
        .iter()
        .all(|l| l["code"].as_str().unwrap().starts_with("FG") && l["message"].is_string()));
    assert_eq!(
        lines[3]["help"],
        "did you mean `@alice`? Otherwise add [people.alcie] to podcast.toml"
    );
}

#[test]
fn build_refuses_to_write_on_error() {
    let t = broken_tree();
    let out = feedgen(&t).arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("build failed, nothing written"));
    assert!(!t.path().join("public/feed.xml").exists());
}

#[test]
fn build_and_strict() {
    let t = TempProject::minimal();
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    feedgen(&t).arg("build").assert().success();
    assert!(t.path().join("public/feed.xml").exists() && t.path().join("feedgen.lock").exists());
    // A warning passes normally and fails with --strict.
    t.write(
        "episodes/001.md",
        format!("{}{}", front(1), body(1).replace("2021-01-22", "2021-01-")),
    );
    feedgen(&t).arg("check").assert().success();
    feedgen(&t).args(["check", "--strict"]).assert().code(1);
}

#[test]
fn usage_and_io_errors_exit_2() {
    let t = TempProject::minimal();
    feedgen(&t)
        .args(["check", "--config", "nope.toml"])
        .assert()
        .code(2);
    feedgen(&t)
        .args(["check", "--format", "xml"])
        .assert()
        .code(2);
    feedgen(&t)
        .args(["check", "--now", "yesterday"])
        .assert()
        .code(2);
}

#[test]
fn help_teaches() {
    let t = TempProject::minimal();
    let out = feedgen(&t).arg("--help").output().unwrap();
    let s = String::from_utf8(out.stdout).unwrap();
    for w in [
        "build",
        "check",
        "new",
        "--config",
        "--strict",
        "--format",
        "--now",
        "Exit status",
        "Examples",
    ] {
        assert!(s.contains(w), "--help lacks {w}:\n{s}");
    }
}

#[test]
fn new_writes_the_next_episode_and_names_what_to_fill() {
    // The shared show names its host (`hosts = ["alice"]`): the template credits her.
    let t = TempProject::minimal();
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    let out = feedgen(&t).arg("new").output().unwrap();
    assert!(out.status.success());
    let s = String::from_utf8(out.stdout).unwrap();
    assert!(
        s.contains("created ./episodes/002.md") || s.contains("episodes/002.md"),
        "{s}"
    );
    let text = t.read("episodes/002.md");
    assert!(text.contains("# 002") && text.contains("- Hosted by @alice"));
    // Only the fields still to fill are reported, each named.
    for field in [
        "no title",
        "has no audio enclosure",
        "recording date has no value",
        "Video line has no link",
        "section for @alice is empty",
        "draft",
    ] {
        assert!(s.contains(field), "`new` does not name {field:?}:\n{s}");
    }
    let p = t.check();
    let on_new: Vec<_> = p
        .diags
        .iter()
        .filter(|d| {
            d.span
                .as_ref()
                .is_some_and(|sp| p.sources.get(sp.file).name == "episodes/002.md")
        })
        .map(|d| d.rule.name())
        .collect();
    assert_eq!(on_new.len(), 6, "{on_new:?}");
    // Never overwrites.
    feedgen(&t).arg("new").assert().success();
    assert!(t.path().join("episodes/003.md").exists());
}

#[test]
fn new_numbers_by_numbered_episodes_only_and_never_wraps() {
    let t = TempProject::minimal();
    t.write("episodes/007.md", format!("{}{}", front(7), body(7)));
    t.write(
        "episodes/bonus-interview-special.md",
        format!("{}{}", front(8), body(8)),
    );
    feedgen(&t).arg("new").assert().success();
    assert!(t.path().join("episodes/008.md").exists());

    let t = TempProject::minimal();
    t.write("episodes/4294967295.md", format!("{}{}", front(1), body(1)));
    let out = feedgen(&t).arg("new").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("highest number feedgen can count to"), "{err}");
    let names: Vec<_> = std::fs::read_dir(t.path().join("episodes"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn new_into_a_closed_pipe_still_writes_the_episode_and_does_not_panic() {
    let t = TempProject::minimal();
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    // `feedgen new | true`: the reader is gone before feedgen writes.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("feedgen"))
        .current_dir(t.path())
        .args(["--now", NOW, "new"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(t.path().join("episodes/002.md").exists());
}

/// The stages of a build, in the order they end (`total` is printed last).
const STAGES: &[&str] = &[
    "discover",
    "read+parse+resolve",
    "notes",
    "ledger-load",
    "render+write",
    "verify",
    "pages",
    "commit",
    "ledger-save",
    "total",
];

#[test]
fn feedgen_timings_prints_each_stage_only_when_asked() {
    let t = TempProject::minimal();
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    let out = feedgen(&t)
        .env("FEEDGEN_TIMINGS", "1")
        .args(["build", "--quiet"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    for stage in STAGES {
        let line = err
            .lines()
            .find(|l| l.starts_with("timing:") && l.split_whitespace().nth(1) == Some(stage))
            .unwrap_or_else(|| panic!("no {stage} line in\n{err}"));
        let ms: f64 = line.split_whitespace().nth(2).unwrap().parse().unwrap();
        assert!(ms >= 0.0, "{line}");
    }
    let quiet = feedgen(&t).args(["build", "--quiet"]).output().unwrap();
    assert!(!String::from_utf8(quiet.stderr).unwrap().contains("timing:"));
}

/// The stages a build ran, from `FEEDGEN_TIMINGS=1`.
fn stages(t: &TempProject) -> Vec<String> {
    let out = feedgen(t)
        .env("FEEDGEN_TIMINGS", "1")
        .args(["build", "--quiet"])
        .output()
        .unwrap();
    assert_ran(&out);
    String::from_utf8(out.stderr)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("timing:"))
        .filter_map(|l| l.split_whitespace().nth(1).map(str::to_string))
        .collect()
}

#[test]
fn shows_dated_every_way_are_built_by_the_one_pipeline() {
    let t = TempProject::minimal();
    // Each build runs the same stages, and writes what the checked show renders.
    let built = |t: &TempProject| {
        assert_eq!(stages(t), STAGES, "the stages of a build");
        let want = feedgen::render(&t.check().feed()).unwrap();
        for doc in &want {
            let got = std::fs::read(t.path().join("public").join(&doc.name)).unwrap();
            assert!(got == doc.bytes, "{} differs from the rendering", doc.name);
        }
        std::fs::read_to_string(t.path().join("public/feed.xml")).unwrap()
    };
    // No `published`, but each header list says `- Recording date: 2021-01-22`.
    let undated = |n| front(n).replace("published = 2021-01-22T21:00:00+09:00\n", "");
    t.write("episodes/001.md", format!("{}{}", undated(1), body(1)));
    t.write("episodes/002.md", format!("{}{}", undated(2), body(2)));
    let first = built(&t);
    assert_eq!(first.matches("<item>").count(), 2, "{first}");
    // A date only the notes' parser reads (no `key: value` line).
    t.write(
        "episodes/003.md",
        format!(
            "{}{}",
            undated(3),
            body(3).replace("- Recording date: 2021-01-22", "- Recording 2021-01-23")
        ),
    );
    let usual = built(&t);
    assert!(usual != first, "episode 3 is published");
    assert!(usual.contains("Sat, 23 Jan 2021 21:00:00 +0900"), "{usual}");
    // Dated in its front matter instead.
    t.write("episodes/003.md", format!("{}{}", front(3), body(3)));
    built(&t);
    // A trailer is announced in the channel's head.
    t.write(
        "episodes/004.md",
        format!(
            "{}{}",
            front(4).replace("+++\ntitle", "+++\nepisode_type = \"trailer\"\ntitle"),
            body(4)
        ),
    );
    assert!(built(&t).contains("<podcast:trailer "));
}

/// A show that builds, with warnings and notes found while reading, resolving
/// and rendering: an unknown speaker, a partial date, notes whose Apple
/// description is cut, a draft and a scheduled episode.
fn warning_tree() -> TempProject {
    let t = TempProject::minimal();
    t.write(
        "episodes/001.md",
        format!(
            "{}{}",
            front(1),
            body(1).replace("### @alice", "### @alcie")
        ),
    );
    t.write(
        "episodes/002.md",
        format!("{}{}", front(2), body(2).replace("2021-01-22", "2021-01-")),
    );
    let long = "- a long note line that goes on and on\n".repeat(150);
    t.write(
        "episodes/003.md",
        format!("{}{}", front(3), body(3).replace("- note\n", &long)),
    );
    let draft = front(4).replace("published = 2021-01-22T21:00:00+09:00\n", "");
    t.write(
        "episodes/004.md",
        format!(
            "{draft}{}",
            body(4).replace("- Recording date: 2021-01-22\n", "")
        ),
    );
    let scheduled = front(5).replace("2021-01-22T21:00:00", "2031-01-22T21:00:00");
    t.write("episodes/005.md", format!("{scheduled}{}", body(5)));
    t
}

/// `check` and `build` report exactly the same findings, whether the build
/// writes (warnings) or refuses (errors): through the library and as the
/// command prints them.
#[test]
fn check_and_build_report_the_same_findings() {
    for (what, t, builds) in [
        ("warnings", warning_tree(), true),
        ("errors", broken_tree(), false),
    ] {
        let checked = t.check();
        let built = t.build();
        assert_eq!(!built.written.is_empty(), builds, "{what}");
        assert_eq!(checked.diags, built.project.diags, "{what}");
        let rules: Vec<&str> = checked.diags.iter().map(|d| d.rule.name()).collect();
        let want: &[&str] = if builds {
            &[
                "unknown-speaker",
                "partial-date",
                "description-truncated",
                "draft",
                "scheduled",
            ]
        } else {
            &[
                "invalid-date",
                "missing-host",
                "invalid-utf8",
                "unknown-speaker",
            ]
        };
        for rule in want {
            assert!(rules.contains(rule), "{what}: no {rule} in {rules:?}");
        }
        // The command: the same JSON lines, whatever the subcommand.
        let lines = |cmd: &str| {
            let out = feedgen(&t)
                .args([cmd, "--format", "json"])
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(if builds { 0 } else { 1 }),
                "{what}"
            );
            String::from_utf8(out.stdout).unwrap()
        };
        let check = lines("check");
        assert_eq!(check.lines().count(), checked.diags.len(), "{what}");
        assert_eq!(check, lines("build"), "{what}");
    }
}

#[test]
fn findings_no_rule_level_can_change_say_what_can() {
    let t = TempProject::minimal();
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    feedgen(&t).arg("build").assert().success();
    let changed = front(1).replace("+++\ntitle", "+++\nguid = \"new-guid\"\ntitle");
    t.write("episodes/001.md", format!("{changed}{}", body(1)));
    let out = feedgen(&t).arg("build").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rule `published-guid-changed`: [rules] cannot change it; `feedgen build --allow-guid-change EPISODE` accepts the change"),
        "{err}"
    );
    t.write("feedgen.lock", "");
    let err =
        String::from_utf8_lossy(&feedgen(&t).arg("check").output().unwrap().stderr).into_owned();
    assert!(
        err.contains("rule `invalid-ledger`: [rules] cannot change it; restore feedgen.lock"),
        "{err}"
    );
    assert!(!err.contains("change its level"), "{err}");
}
