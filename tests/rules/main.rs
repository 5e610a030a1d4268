//! One case per validation rule: each triggers its rule and asserts the code,
//! file, line and column. `every_rule_has_a_case` keeps the list complete, and
//! `docs_list_every_rule` keeps docs/rules.md in step with the code.

#[path = "../common/mod.rs"]
mod common;

mod config;
mod discovery;
mod episodes;
mod links;
mod publish;
mod site;
mod values;

use common::*;
use feedgen::diag::{Rule, Severity};
use pulldown_cmark::Parser;

pub fn with_podcast(extra: &str) -> TempProject {
    TempProject::new(&MINIMAL_TOML.replace(
        "timezone = \"Asia/Tokyo\"\n",
        &format!("timezone = \"Asia/Tokyo\"\n{extra}"),
    ))
}

pub fn toml_replace(from: &str, to: &str) -> TempProject {
    assert!(MINIMAL_TOML.contains(from), "{from}");
    TempProject::new(&MINIMAL_TOML.replace(from, to))
}

/// A clean, publishable episode 001 plus whatever the case adds.
pub fn ok_episode(t: &TempProject) {
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
}

pub fn episode(text: &str) -> TempProject {
    let t = TempProject::minimal();
    t.write("episodes/002.md", text);
    t
}

/// Front matter + body with a replacement in the body.
pub fn body_with(from: &str, to: &str) -> TempProject {
    let b = body(2);
    assert!(b.contains(from), "{from}");
    episode(&format!("{}{}", front(2), b.replace(from, to)))
}

pub struct Case {
    pub rule: Rule,
    pub make: Box<dyn Fn() -> TempProject>,
    /// Expected (file, line, column); None for diagnostics without a place.
    pub at: Option<(&'static str, usize, usize)>,
    pub build: bool,
}

pub fn case(
    rule: Rule,
    at: (&'static str, usize, usize),
    make: impl Fn() -> TempProject + 'static,
) -> Case {
    Case {
        rule,
        make: Box::new(make),
        at: Some(at),
        build: false,
    }
}

/// A case for a finding about no file's text (such as a file that is not
/// read at all): it must be reported, wherever.
pub fn anywhere(rule: Rule, make: impl Fn() -> TempProject + 'static) -> Case {
    Case {
        rule,
        make: Box::new(make),
        at: None,
        build: false,
    }
}

/// Every rule's case: the modules' lists together.
fn cases() -> Vec<Case> {
    let mut all = config::cases();
    all.extend(episodes::cases());
    all.extend(discovery::cases());
    all.extend(links::cases());
    all.extend(values::cases());
    all.extend(publish::cases());
    all.extend(site::cases());
    all
}

#[test]
fn every_rule_triggers_at_its_place() {
    let mut failures = Vec::new();
    for c in cases() {
        let t = (c.make)();
        let p = if c.build {
            t.build().project
        } else {
            t.check()
        };
        let found = positions(&p, c.rule);
        let want = c.at.map(|(f, l, col)| (f.to_string(), l, col));
        match want {
            Some(w) if found.contains(&w) => {}
            Some(w) => failures.push(format!(
                "{}: expected at {w:?}, found {found:?}\n{}",
                c.rule.name(),
                summary(&p)
            )),
            None if !find(&p, c.rule).is_empty() => {}
            None => failures.push(format!("{}: not reported\n{}", c.rule.name(), summary(&p))),
        }
        // The code and default severity are what the rule says.
        for d in find(&p, c.rule) {
            assert_eq!(d.severity, c.rule.default_severity(), "{}", c.rule.name());
            assert!(d.rule.code().starts_with("FG"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn published_guid_changed() {
    let t = TempProject::minimal();
    ok_episode(&t);
    assert!(!t.build().written.is_empty());
    t.write(
        "episodes/001.md",
        format!(
            "{}{}",
            front(1).replace("+++\ntitle", "+++\nguid = \"new-guid\"\ntitle"),
            body(1)
        ),
    );
    let out = t.build();
    assert!(out.written.is_empty());
    let d = find(&out.project, Rule::PublishedGuidChanged);
    assert_eq!(d.len(), 1, "{}", summary(&out.project));
    assert!(d[0].message.contains("episode 1"), "{}", d[0].message);
    // Explicitly allowed, the build goes through and the ledger follows.
    let mut o = t.options();
    o.allow_guid_change = vec!["1".into()];
    assert!(!feedgen::build(&o).unwrap().written.is_empty());
    assert!(t.read("feedgen.lock").contains("new-guid"));
}

#[test]
fn output_verify_catches_a_bad_model() {
    // The parser never produces live markup, so build a model by hand that has it:
    // verification must refuse to publish it.
    let t = TempProject::minimal();
    ok_episode(&t);
    let mut feed = t.check().feed();
    feed.items[0].notes = Parser::new("[hi](javascript:alert(1))").collect();
    let err = feedgen::render(&feed).unwrap_err();
    assert_eq!(err.rule, Rule::OutputVerify);
    assert!(err.message.contains("script"), "{}", err.message);
}

#[test]
fn every_rule_has_a_case() {
    let mut covered: Vec<Rule> = cases().iter().map(|c| c.rule).collect();
    covered.extend([Rule::PublishedGuidChanged, Rule::OutputVerify]);
    // Findings of `feedgen import` about the feed it reads, not of a show:
    // tests/import.rs triggers each at its line.
    covered.extend([
        Rule::ImportUnreadable,
        Rule::ImportRepaired,
        Rule::ImportChanged,
        Rule::ImportLeftOut,
        Rule::ImportDuplicate,
    ]);
    let missing: Vec<&str> = Rule::ALL
        .iter()
        .filter(|r| !covered.contains(r))
        .map(|r| r.name())
        .collect();
    assert!(missing.is_empty(), "rules without a test: {missing:?}");
}

#[test]
fn overrides_change_severity_and_strict_fails_warnings() {
    let t = TempProject::new(&format!(
        "{MINIMAL_TOML}\n[rules]\nmissing-enclosure = \"allow\"\npartial-date = \"deny\"\n"
    ));
    t.write(
        "episodes/002.md",
        format!(
            "+++\ntitle = \"T\"\npublished = 2021-01-22T21:00:00+09:00\n+++\n{}",
            body(2).replace("2021-01-22", "2021-01-")
        ),
    );
    let p = t.check();
    assert!(find(&p, Rule::MissingEnclosure).is_empty());
    assert_eq!(find(&p, Rule::PartialDate)[0].severity, Severity::Error);
    let t = body_with("2021-01-22", "2021-01-");
    let mut o = t.options();
    o.strict = true;
    let p = feedgen::check(&o).unwrap();
    assert_eq!(find(&p, Rule::PartialDate)[0].severity, Severity::Error);
}

#[test]
fn seed_as_written_reports_its_flaws() {
    let t = TempProject::new(&std::fs::read_to_string(repo().join("podcast.toml")).unwrap());
    t.write(
        "episodes/006.md",
        std::fs::read(repo().join("tests/fixtures/seed-006.md")).unwrap(),
    );
    let p = t.check();
    let f = "episodes/006.md".to_string();
    assert_eq!(positions(&p, Rule::PartialDate), vec![(f.clone(), 4, 19)]);
    assert_eq!(positions(&p, Rule::EmptyVideo), vec![(f.clone(), 5, 3)]);
    assert_eq!(
        positions(&p, Rule::MissingEnclosure),
        vec![(f.clone(), 1, 1)]
    );
    assert_eq!(
        find(&p, Rule::MissingEnclosure)[0].severity,
        Severity::Error
    );
    assert_eq!(positions(&p, Rule::EmptySection), vec![(f.clone(), 21, 1)]);
    // It still parses: the only error is the missing enclosure.
    let errors: Vec<_> = p
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.rule)
        .collect();
    assert_eq!(errors, vec![Rule::MissingEnclosure]);
}

/// docs/rules.md has one table row per rule: `| FG107 | invalid-date | error | … |`.
#[test]
fn docs_list_every_rule() {
    let doc = std::fs::read_to_string(repo().join("docs/rules.md")).unwrap();
    let rows: Vec<(String, String, String)> = doc
        .lines()
        .filter(|l| l.starts_with("| FG"))
        .map(|l| {
            let cells: Vec<String> = l
                .split('|')
                .map(|c| c.trim().trim_matches('`').to_string())
                .collect();
            (cells[1].clone(), cells[2].clone(), cells[3].clone())
        })
        .collect();
    let code: Vec<(String, String, String)> = Rule::ALL
        .iter()
        .map(|r| {
            (
                r.code().to_string(),
                r.name().to_string(),
                r.default_severity().to_string(),
            )
        })
        .collect();
    assert_eq!(rows, code, "docs/rules.md and the Rule enum disagree");
}

#[test]
fn control_characters_in_podcast_toml_are_removed_and_reported() {
    let t = toml_replace(
        "title = \"Test Show\"",
        "title = \"Test\\u0001Show\"\ncopyright = \"\\u202E2021\"",
    );
    ok_episode(&t);
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    assert_eq!(
        positions(&out.project, Rule::ControlCharacter),
        vec![("podcast.toml".into(), 5, 9)]
    );
    assert_eq!(find(&out.project, Rule::InvisibleCharacter).len(), 1);
    let rss = t.read("public/feed.xml");
    assert!(rss.contains("<title>TestShow</title>") && rss.contains("<copyright>2021</copyright>"));
}

#[test]
fn video_line_with_an_unsafe_or_non_link_value_is_not_called_empty() {
    let t = body_with(
        "- Recording date: 2021-01-22\n",
        "- Recording date: 2021-01-22\n- Video: javascript:alert(1)\n",
    );
    let p = t.check();
    assert_eq!(
        positions(&p, Rule::UnsafeLink),
        vec![("episodes/002.md".into(), 15, 10)]
    );
    assert!(find(&p, Rule::EmptyVideo).is_empty(), "{}", summary(&p));
    let t = body_with(
        "- Recording date: 2021-01-22\n",
        "- Recording date: 2021-01-22\n- Video: coming soon\n",
    );
    let p = t.check();
    assert_eq!(
        positions(&p, Rule::InvalidLink),
        vec![("episodes/002.md".into(), 15, 10)]
    );
    assert!(find(&p, Rule::EmptyVideo).is_empty());
}

#[test]
fn media_paths_outside_the_project_are_unsafe_not_missing() {
    let t = episode(&format!(
        "+++\ntitle = \"T\"\npublished = 2021-01-22T21:00:00+09:00\naudio = \"../../etc/x.mp3\"\nchapters = \"/etc/passwd\"\n+++\n{}",
        body(2)
    ));
    let p = t.check();
    let unsafe_paths = positions(&p, Rule::UnsafePath);
    assert_eq!(unsafe_paths.len(), 2, "{}", summary(&p));
    assert!(find(&p, Rule::MediaFile).is_empty(), "{}", summary(&p));
    assert!(find(&p, Rule::UnsafePath)[0]
        .message
        .contains("leads outside the project"));
}

#[test]
fn a_cr_character_reference_is_removed_and_reported_not_published() {
    // Found by fuzzing: `&#13;` decodes to a raw CR, which verification refused
    // (a feed reader's XML parser reads it as LF), so a warning-only episode
    // could not be built.
    let t = TempProject::minimal();
    let body = body(1).replace(
        "- note\n",
        "- note\n\nQuestion&#13;s and [Link&#x0D;text](https://example.com/q)\n",
    );
    t.write("episodes/001.md", format!("{}{body}", front(1)));
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    assert_eq!(find(&out.project, Rule::ControlCharacter).len(), 2);
    let rss = t.read("public/feed.xml");
    assert!(!rss.contains('\r'));
    assert!(
        rss.contains("Questions and") && rss.contains(">Linktext</a>"),
        "{rss}"
    );
}
