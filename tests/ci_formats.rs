//! What a release pipeline reads: GitHub workflow commands and the job
//! summary, SARIF for code scanning (checked with Microsoft's SARIF
//! validator), shell completions, the man page and the version.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;
use feedgen::diag::Rule;
use serde_json::Value;

const INSTALL: &str = "bash scripts/install-test-deps.sh";

/// A show in a folder whose name needs escaping in a workflow command
/// (`,` and `:`), with a warning, an error and a note.
fn show() -> (tempfile::TempDir, TempProject) {
    let t = TempProject::minimal();
    let outer = tempfile::tempdir().unwrap();
    copy_dir(t.path(), &outer.path().join("my,show:1"));
    let w = |rel: &str, text: String| {
        let p = outer.path().join("my,show:1").join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    w(
        "episodes/001.md",
        format!("{}{}", front(1), body(1).replace("2021-01-22", "2021-01")),
    );
    w(
        "episodes/002.md",
        format!(
            "{}{}",
            front(2),
            body(2).replace(
                "- note\n",
                "- 100% [a](javascript:x) [b](http://example.com/)\n"
            )
        ),
    );
    (outer, t)
}

fn feedgen(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(assert_cmd::cargo::cargo_bin("feedgen"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(["--now", NOW, "--config", "my,show:1/podcast.toml"])
        .args(args)
        .output()
        .unwrap()
}

/// The JSON-lines findings, to compare the other formats with.
fn json_findings(dir: &Path) -> Vec<Value> {
    let out = feedgen(dir, &["check", "--format", "json"]);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn github_annotations_carry_each_finding_at_its_place_escaped() {
    let (outer, _t) = show();
    let out = feedgen(outer.path(), &["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let findings = json_findings(outer.path());
    assert_eq!(lines.len(), findings.len(), "{text}");
    for (line, f) in lines.iter().zip(&findings) {
        let command = match f["severity"].as_str().unwrap() {
            "error" => "error",
            "warning" => "warning",
            _ => "notice",
        };
        let file = f["file"].as_str().unwrap();
        let want = format!(
            "::{command} file=my%2Cshow%3A1/{file},line={},col={},endLine={},endColumn={},title={} {}::",
            f["line"], f["column"], f["end_line"], f["end_column"], f["code"].as_str().unwrap(), f["rule"].as_str().unwrap()
        );
        assert!(line.starts_with(&want), "{line}\nwant {want}");
        // One line per finding: the message's own line breaks are escaped.
        let message = &line[want.len()..];
        assert!(!message.contains('\r'));
    }
    // `%` in a message is escaped, and the help follows on an escaped line.
    assert!(text.lines().any(|l| l.contains("%0Ahelp: ")), "{text}");
    let levels: Vec<&str> = lines.iter().map(|l| l.split(' ').next().unwrap()).collect();
    for level in ["::error", "::warning", "::notice"] {
        assert!(levels.contains(&level), "{levels:?}");
    }
}

#[test]
fn the_job_summary_tables_findings_per_rule_and_episodes_published() {
    let (outer, _t) = show();
    let summary = outer.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let run = |cmd: &str| {
        Command::new(assert_cmd::cargo::cargo_bin("feedgen"))
            .current_dir(outer.path())
            .env("GITHUB_STEP_SUMMARY", &summary)
            .args([
                "--now",
                NOW,
                "--config",
                "my,show:1/podcast.toml",
                cmd,
                "--format",
                "github",
            ])
            .output()
            .unwrap()
    };
    run("check");
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.starts_with("earlier step\n## feedgen\n"), "{text}");
    assert!(
        text.contains("| rule | errors | warnings | notes |"),
        "{text}"
    );
    assert!(text.contains("| FG201 `unsafe-link`: "), "{text}");
    assert!(!text.contains("Episodes published"), "{text}");
    // A clean show's build: no findings, and the episodes it published.
    let t = TempProject::minimal();
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    let summary = t.path().join("summary.md");
    let out = Command::new(assert_cmd::cargo::cargo_bin("feedgen"))
        .current_dir(t.path())
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["--now", NOW, "build", "--format", "github"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = std::fs::read_to_string(&summary).unwrap();
    assert_eq!(
        text,
        "## feedgen\n\nEpisodes published: 1\n\nNo findings.\n"
    );
}

#[test]
fn sarif_holds_the_registry_and_one_result_per_finding() {
    let (outer, _t) = show();
    let out = feedgen(outer.path(), &["check", "--format", "sarif"]);
    assert_eq!(out.status.code(), Some(1));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), Rule::ALL.len());
    for (r, rule) in rules.iter().zip(Rule::ALL) {
        assert_eq!(r["id"], rule.code());
        assert_eq!(r["name"], rule.name());
        assert_eq!(r["shortDescription"]["text"], rule.summary());
        assert!(r["fullDescription"]["text"].as_str().unwrap().len() > rule.summary().len());
        assert_eq!(
            r["defaultConfiguration"]["level"],
            match rule.default_severity().as_str() {
                "error" => "error",
                "warning" => "warning",
                _ => "note",
            }
        );
    }
    let results = run["results"].as_array().unwrap();
    let findings = json_findings(outer.path());
    assert_eq!(results.len(), findings.len());
    for (r, f) in results.iter().zip(&findings) {
        assert_eq!(r["ruleId"], f["code"]);
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], f["code"]);
        let level = r["level"].as_str().unwrap();
        assert!(["error", "warning", "note"].contains(&level), "{level}");
        assert!(r["message"]["text"]
            .as_str()
            .unwrap()
            .starts_with(f["message"].as_str().unwrap()));
        let loc = &r["locations"][0]["physicalLocation"];
        let file = f["file"].as_str().unwrap();
        assert_eq!(
            loc["artifactLocation"]["uri"],
            format!("my%2Cshow%3A1/{file}")
        );
        let region = &loc["region"];
        assert_eq!(region["startLine"], f["line"]);
        assert_eq!(region["startColumn"], f["column"]);
        assert_eq!(region["endLine"], f["end_line"]);
        assert_eq!(region["endColumn"], f["end_column"]);
    }
    validate_sarif(&out.stdout);
}

/// Microsoft's SARIF validator (the SARIF SDK's multitool), which checks a
/// log against the OASIS SARIF 2.1.0 JSON schema and the SDK's own rules.
fn validate_sarif(log: &[u8]) {
    let (ran, validation) = multitool_validate(log);
    assert!(
        ran.status.success(),
        "{}",
        String::from_utf8_lossy(&ran.stdout)
    );
    let problems: Vec<String> = validation["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| matches!(r["level"].as_str(), None | Some("error") | Some("warning")))
        // Advice to name the tool's web page: feedgen names one only when
        // Cargo.toml's `repository` is set (see `rules_doc`).
        .filter(|r| r["ruleId"] != "SARIF2005" || !env!("CARGO_PKG_REPOSITORY").is_empty())
        .map(|r| format!("{} {}", r["ruleId"], r["message"]))
        .collect();
    assert!(problems.is_empty(), "the SARIF validator: {problems:#?}");
}

/// Runs the multitool's `validate` on `log`: how it ran, and its report.
fn multitool_validate(log: &[u8]) -> (std::process::Output, Value) {
    let tool = repo().join("conformance/node_modules/.bin/sarif-multitool");
    assert!(
        tool.exists(),
        "the SARIF test needs the SARIF multitool: run `{INSTALL}` first"
    );
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("feedgen.sarif");
    std::fs::write(&input, log).unwrap();
    let report = dir.path().join("validation.sarif");
    let ran = Command::new(&tool)
        .arg("validate")
        .arg(&input)
        .arg("--output")
        .arg(&report)
        .output()
        .unwrap();
    let validation = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    (ran, validation)
}

#[test]
fn the_sarif_validator_is_not_a_rubber_stamp() {
    // A log without its version and a driver without a name must be refused,
    // or the check above proves nothing.
    let (_, validation) = multitool_validate(br#"{"runs":[{"tool":{"driver":{}},"results":[]}]}"#);
    assert!(validation["runs"][0]["results"].as_array().unwrap().len() >= 2);
}

#[test]
fn completions_and_the_man_page_come_from_the_command_line_definition() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = feedgen(dir.path(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = String::from_utf8(out.stdout).unwrap();
        for word in ["build", "check", "new", "allow-guid-change", "format"] {
            assert!(script.contains(word), "{shell} completion lacks {word}");
        }
    }
    // The bash script is one bash reads.
    let bash = feedgen(dir.path(), &["completions", "bash"]).stdout;
    let script = dir.path().join("feedgen.bash");
    std::fs::write(&script, bash).unwrap();
    let parsed = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(parsed.success());
    let man = String::from_utf8(feedgen(dir.path(), &["man"]).stdout).unwrap();
    assert!(man.contains(".TH feedgen 1"), "{man}");
    for word in ["build", "check", "completions", "\\-\\-format"] {
        assert!(man.contains(word), "man page lacks {word}");
    }
}

#[test]
fn the_version_names_the_commit_and_the_feeds_only_the_version() {
    let dir = tempfile::tempdir().unwrap();
    let out = feedgen(dir.path(), &["--version"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    let head = Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(repo())
        .output()
        .unwrap();
    let want = match head.status.success() {
        true => format!(
            "feedgen {version} (commit {})\n",
            String::from_utf8(head.stdout).unwrap().trim()
        ),
        false => format!("feedgen {version}\n"),
    };
    assert_eq!(text, want);
    let t = TempProject::minimal();
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    assert!(!t.build().written.is_empty());
    let feed = t.read("public/feed.xml");
    assert!(
        feed.contains(&format!("<generator>feedgen {version}</generator>")),
        "{feed}"
    );
}
