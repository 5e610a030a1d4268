//! The workflows and the hook in docs/ci/ are run as written, so the docs
//! cannot rot: every `run:` block and GitLab script runs in a git checkout of
//! the example show (with a bare repository as its remote) and must succeed;
//! the one command that cannot run here, installing feedgen from its git
//! repository, must use only flags `cargo install` has.
#![cfg(unix)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use yaml_rust2::{Yaml, YamlLoader};

fn load(name: &str) -> Yaml {
    let text = std::fs::read_to_string(repo().join("docs/ci").join(name)).unwrap();
    YamlLoader::load_from_str(&text).unwrap().remove(0)
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The example show as a show's own repository: committed, with a bare
/// repository as `origin`, and feedgen on PATH.
struct Checkout {
    show: TempProject,
    remote: tempfile::TempDir,
    bin: tempfile::TempDir,
}

impl Checkout {
    fn new() -> Self {
        let show = example_copy();
        let remote = tempfile::tempdir().unwrap();
        git(remote.path(), &["init", "-q", "--bare"]);
        let dir = show.path();
        git(dir, &["init", "-q"]);
        git(dir, &["config", "user.name", "Host"]);
        git(dir, &["config", "user.email", "host@example.com"]);
        git(dir, &["add", "-A"]);
        git(dir, &["commit", "-q", "-m", "the show"]);
        git(
            dir,
            &["remote", "add", "origin", remote.path().to_str().unwrap()],
        );
        git(dir, &["push", "-q", "-u", "origin", "main"]);
        let bin = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(
            assert_cmd::cargo::cargo_bin("feedgen"),
            bin.path().join("feedgen"),
        )
        .unwrap();
        Checkout { show, remote, bin }
    }

    fn path(&self) -> &Path {
        self.show.path()
    }

    /// Runs a script as the CI would: bash -e, feedgen on PATH.
    fn run(&self, script: &str, env: &[(String, String)]) {
        let path = format!(
            "{}:{}",
            self.bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let out = Command::new("bash")
            .args(["-e", "-c", script])
            .current_dir(self.path())
            .env("PATH", path)
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_STEP_SUMMARY")
            .envs(env.iter().cloned())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "`{script}` failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Each flag of a `cargo install` line is one cargo has.
fn assert_cargo_flags(line: &str) {
    let help = Command::new("cargo")
        .args(["install", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    let flags: Vec<&str> = line
        .split_whitespace()
        .filter(|w| w.starts_with("--"))
        .collect();
    assert!(!flags.is_empty(), "{line}");
    for f in flags {
        assert!(help.contains(f), "`cargo install` has no {f}: {line}");
    }
}

fn env_of(yaml: &Yaml, key: &str) -> Vec<(String, String)> {
    yaml[key]
        .as_hash()
        .map(|h| {
            h.iter()
                .map(|(k, v)| (k.as_str().unwrap().into(), v.as_str().unwrap().into()))
                .collect()
        })
        .unwrap_or_default()
}

/// The `run:` blocks of a GitHub workflow's one job, in order. The install
/// step runs only on a cache miss: here the cache holds feedgen, so its
/// command is checked, not run.
fn github_runs(workflow: &Yaml) -> (Vec<String>, Vec<String>) {
    let jobs = workflow["jobs"].as_hash().unwrap();
    assert_eq!(jobs.len(), 1);
    let steps = jobs.values().next().unwrap()["steps"].as_vec().unwrap();
    let (mut run, mut installs) = (Vec::new(), Vec::new());
    for step in steps {
        if let Some(script) = step["run"].as_str() {
            match script.trim_start().starts_with("cargo install") {
                true => installs.push(script.to_string()),
                false => run.push(script.to_string()),
            }
        }
    }
    (run, installs)
}

#[test]
fn the_pull_request_check_runs_as_written() {
    let workflow = load("github-check.yml");
    let (runs, installs) = github_runs(&workflow);
    installs.iter().for_each(|l| assert_cargo_flags(l));
    assert_eq!(runs, ["feedgen check --format github"]);
    let c = Checkout::new();
    for script in &runs {
        c.run(script, &env_of(&workflow, "env"));
    }
}

#[test]
fn the_publish_workflow_builds_and_commits_the_ledger() {
    let workflow = load("github-publish.yml");
    let (runs, installs) = github_runs(&workflow);
    installs.iter().for_each(|l| assert_cargo_flags(l));
    assert_eq!(runs.len(), 2, "{runs:?}");
    let c = Checkout::new();
    for script in &runs {
        c.run(script, &env_of(&workflow, "env"));
    }
    assert!(c.path().join("public/feed.xml").exists());
    // The ledger reached the remote, so the next build is held to it.
    let log = git(c.remote.path(), &["log", "--format=%s", "main"]);
    assert!(
        log.starts_with("feedgen.lock: record what was published\n"),
        "{log}"
    );
    let ledger = git(c.remote.path(), &["show", "main:feedgen.lock"]);
    assert_eq!(ledger, c.show.read("feedgen.lock"));
    // Run again with nothing new: nothing to commit, and the step succeeds.
    for script in &runs {
        c.run(script, &env_of(&workflow, "env"));
    }
    assert_eq!(git(c.remote.path(), &["log", "--format=%s", "main"]), log);
}

#[test]
fn the_gitlab_jobs_run_as_written() {
    let ci = load("gitlab-ci.yml");
    let base = &ci[".feedgen"];
    let before: Vec<&str> = base["before_script"]
        .as_vec()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    let install = before[0].split("|| ").nth(1).unwrap();
    assert_cargo_flags(install);
    for job in ["check", "pages"] {
        let c = Checkout::new();
        // The cache holds feedgen, so `test -x` passes and nothing installs.
        let cached = c.path().join(".feedgen/bin");
        std::fs::create_dir_all(&cached).unwrap();
        std::os::unix::fs::symlink(
            assert_cmd::cargo::cargo_bin("feedgen"),
            cached.join("feedgen"),
        )
        .unwrap();
        let mut lines: Vec<String> = before.iter().map(|l| l.to_string()).collect();
        lines.extend(
            ci[job]["script"]
                .as_vec()
                .unwrap()
                .iter()
                .map(|l| l.as_str().unwrap().to_string()),
        );
        c.run(&lines.join("\n"), &env_of(&ci, "variables"));
        for artifact in artifacts(&ci[job]) {
            assert!(
                c.path().join(&artifact).exists(),
                "{job}: {}",
                artifact.display()
            );
        }
    }
    // The code quality report is GitLab's format: an array of issues.
    let c = Checkout::new();
    c.show.write(
        "episodes/099.md",
        format!("{}{}", front(99), body(99).replace("2021-01-22", "2021-01")),
    );
    let out = Command::new(assert_cmd::cargo::cargo_bin("feedgen"))
        .current_dir(c.path())
        .args(["--now", NOW, "check", "--format", "gitlab"])
        .output()
        .unwrap();
    let issues: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let issue = issues
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["check_name"] == "partial-date" && i["location"]["path"] == "episodes/099.md")
        .expect("the partial date is reported");
    assert_eq!(issue["severity"], "minor");
    assert_eq!(issue["fingerprint"].as_str().unwrap().len(), 32);
}

/// The files a GitLab job keeps: its `artifacts` paths and reports.
fn artifacts(job: &Yaml) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = job["artifacts"]["paths"]
        .as_vec()
        .map(|v| v.iter().map(|p| p.as_str().unwrap().into()).collect())
        .unwrap_or_default();
    if let Some(h) = job["artifacts"]["reports"].as_hash() {
        out.extend(h.values().map(|p| p.as_str().unwrap().into()));
    }
    assert!(!out.is_empty());
    out
}

#[test]
fn the_pre_commit_hook_stops_a_commit_with_an_error_and_only_then() {
    let c = Checkout::new();
    let hook = c.path().join(".git/hooks/pre-commit");
    std::fs::copy(repo().join("docs/ci/pre-commit"), &hook).unwrap();
    let commit = |msg: &str| {
        let path = format!(
            "{}:{}",
            c.bin.path().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Command::new("git")
            .current_dir(c.path())
            .env("PATH", path)
            .args(["commit", "-q", "-m", msg])
            .output()
            .unwrap()
    };
    // An episode with an error: the commit is refused.
    c.show.write(
        "episodes/099.md",
        format!(
            "{}{}",
            front(99),
            body(99).replace("2021-01-22", "2021-02-30")
        ),
    );
    git(c.path(), &["add", "episodes/099.md"]);
    let out = commit("a broken episode");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("feedgen check found errors"));
    // Fixed, it goes in.
    c.show
        .write("episodes/099.md", format!("{}{}", front(99), body(99)));
    git(c.path(), &["add", "episodes/099.md"]);
    assert!(commit("episode 99").status.success());
    // A commit that touches no episode is not checked at all.
    c.show.write("episodes/098.md", "not an episode\n");
    c.show.write("notes.txt", "x");
    git(c.path(), &["add", "notes.txt"]);
    assert!(commit("notes").status.success());
}
