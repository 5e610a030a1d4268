//! Hostile and broken input: every case in tests/hostile/ is built as
//! an episode of a throw-away project; the diagnostics recorded in
//! tests/hostile/expected.toml must appear, and whatever a build writes must be
//! strictly well-formed, safe feeds. See tests/feedcheck for the output checks.

mod feedcheck;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use feedcheck::{check_build, diag_lines, front_matter, Project};
use feedgen::diag::Severity;
use serde::Deserialize;
use unicode_segmentation::UnicodeSegmentation;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expected {
    cases: BTreeMap<String, Case>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Case {
    build: bool,
    #[serde(default)]
    diagnostics: Vec<Want>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    front_matter: String,
    #[serde(default)]
    no_published: bool,
    #[serde(default)]
    raw: bool,
    long_line: Option<usize>,
    #[serde(default)]
    forbid: Vec<String>,
    #[serde(default)]
    title_graphemes: bool,
    grapheme_unit: Option<String>,
    /// Strings that feed.json must contain as written (e.g. `\u2028`).
    #[serde(default)]
    json_contains: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Want {
    rule: String,
    /// Line in the case file.
    line: Option<usize>,
    /// Line in the whole episode file (for findings in the generated front matter).
    file_line: Option<usize>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile")
}

fn expected() -> Expected {
    let text = std::fs::read_to_string(dir().join("expected.toml")).unwrap();
    toml::from_str(&text).expect("tests/hostile/expected.toml")
}

/// The episode file of a case and how many lines precede the case text.
fn episode_bytes(name: &str, case: &Case) -> (Vec<u8>, usize) {
    let mut body = std::fs::read(dir().join(name)).unwrap();
    if let Some(n) = case.long_line {
        let marker = b"@@LONG_LINE@@";
        let at = body
            .windows(marker.len())
            .position(|w| w == marker)
            .expect("long_line case without @@LONG_LINE@@");
        let filler: Vec<u8> = "long line with <b>raw html</b> &amp; entities ]]> and text "
            .bytes()
            .cycle()
            .take(n)
            .collect();
        body.splice(at..at + marker.len(), filler);
    }
    if case.raw {
        return (body, 0);
    }
    let mut fm_extra = case.front_matter.clone();
    if case.no_published {
        fm_extra.push_str("\n# published = (none)\n");
    }
    let mut fm = front_matter(&fm_extra, 1);
    if case.no_published {
        fm = fm
            .lines()
            .filter(|l| !l.starts_with("published = "))
            .map(|l| format!("{l}\n"))
            .collect();
    }
    let offset = fm.lines().count();
    let mut bytes = fm.into_bytes();
    bytes.extend_from_slice(&body);
    (bytes, offset)
}

fn source_title(name: &str, case: &Case) -> Option<String> {
    let v: toml::Table = toml::from_str(&case.front_matter).ok()?;
    let _ = name;
    v.get("title")?.as_str().map(str::to_string)
}

fn run_case(name: &str, case: &Case) -> Result<(), String> {
    let (bytes, offset) = episode_bytes(name, case);
    let mut failures = Vec::new();

    // 1. The default build: expected diagnostics, and writes only when clean.
    let p = Project::new("");
    p.write_episode(1, &bytes);
    let out = p.build();
    let got = diag_lines(&out);
    let shown = || {
        got.iter()
            .map(|(r, l, s, m)| {
                format!(
                    "    {r} line {:?} {s:?}: {m}",
                    l.map(|l| l as isize - offset as isize)
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    if std::env::var_os("HOSTILE_DUMP").is_some() {
        eprintln!("== {name} (written: {})\n{}", out.written.len(), shown());
    }
    for w in &case.diagnostics {
        let found = got.iter().any(|(r, l, _, _)| {
            r == &w.rule
                && w.line.is_none_or(|want| *l == Some(want + offset))
                && w.file_line.is_none_or(|want| *l == Some(want))
        });
        if !found {
            failures.push(format!(
                "expected {} at line {:?} (file line {:?})",
                w.rule, w.line, w.file_line
            ));
        }
    }
    for a in &case.absent {
        if got.iter().any(|(r, ..)| r == a) {
            failures.push(format!("{a} must not be reported"));
        }
    }
    if case.build == out.written.is_empty() {
        failures.push(format!(
            "build wrote {} files, expected {}",
            out.written.len(),
            if case.build { "feeds" } else { "none" }
        ));
    }
    let mut docs = match check_build(&out) {
        Ok(d) => d,
        Err(e) => {
            failures.push(format!("default build output: {e}"));
            vec![]
        }
    };

    // 2. The forced build: everything a warning, so the sanitizer's output is
    //    written and must hold up on its own.
    let forced = Project::new(&feedcheck::all_rules_warn());
    forced.write_episode(1, &bytes);
    let fout = forced.build();
    if fout.written.is_empty() {
        let errors: Vec<_> = fout
            .project
            .diags
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .map(|d| format!("{}: {}", d.rule.name(), d.message))
            .collect();
        failures.push(format!("forced build wrote nothing: {errors:?}"));
    }
    match check_build(&fout) {
        Ok(d) => docs.extend(d),
        Err(e) => failures.push(format!("forced build output: {e}")),
    }

    if std::env::var_os("HOSTILE_DUMP").is_some() {
        for (doc, text) in docs.iter().filter(|(d, _)| d.ends_with(" title")) {
            eprintln!("    {doc}: {text:?}");
        }
    }
    for (doc, text) in &docs {
        for f in &case.forbid {
            if text.contains(f.as_str()) {
                failures.push(format!("{doc} contains forbidden `{f}`"));
            }
        }
    }
    for want in &case.json_contains {
        let in_json = docs
            .iter()
            .any(|(d, t)| d == "feed.json" && t.contains(want.as_str()));
        if !in_json {
            failures.push(format!("feed.json does not contain `{want}`"));
        }
    }
    if let Some(unit) = &case.grapheme_unit {
        for (doc, text) in &docs {
            let mut rest = text.clone();
            for g in unit.graphemes(true) {
                rest = rest.replace(g, "");
            }
            if let Some(c) = rest.chars().find(|c| !c.is_ascii() && unit.contains(*c)) {
                failures.push(format!(
                    "{doc}: a grapheme of `{}` was cut (stray U+{:04X})",
                    unit.escape_unicode(),
                    c as u32
                ));
            }
        }
    }
    if case.title_graphemes {
        let src = source_title(name, case).expect("title_graphemes needs a front matter title");
        let bounds: Vec<usize> = src
            .grapheme_indices(true)
            .map(|(i, _)| i)
            .chain([src.len()])
            .collect();
        let titles: Vec<&String> = docs
            .iter()
            .filter(|(d, _)| d.ends_with(" title"))
            .map(|(_, t)| t)
            .collect();
        if titles.is_empty() {
            failures.push("no item titles in the outputs".into());
        }
        for t in titles {
            let cut = t.trim_end_matches('…');
            if !src.starts_with(cut) || !bounds.contains(&cut.len()) {
                failures.push(format!(
                    "title {:?} is not the source title cut on a grapheme boundary",
                    t.chars().rev().take(12).collect::<String>()
                ));
            }
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{name}:\n  {}\n  got:\n{}",
            failures.join("\n  "),
            shown()
        ))
    }
}

#[test]
fn every_case_file_has_an_expectation() {
    let exp = expected();
    let mut missing = Vec::new();
    for e in std::fs::read_dir(dir()).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name != "expected.toml" && !exp.cases.contains_key(&name) {
            missing.push(name);
        }
    }
    for name in exp.cases.keys() {
        assert!(
            dir().join(name).exists(),
            "expected.toml names a missing case {name}"
        );
    }
    assert!(
        missing.is_empty(),
        "cases without an expectation: {missing:?}"
    );
}

#[test]
fn hostile_corpus() {
    let exp = expected();
    let only = std::env::var("HOSTILE_CASE").ok();
    let failures: Vec<String> = exp
        .cases
        .iter()
        .filter(|(n, _)| only.as_deref().is_none_or(|o| n.contains(o)))
        .filter_map(|(name, case)| run_case(name, case).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
