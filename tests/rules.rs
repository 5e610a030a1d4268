//! One case per validation rule: each triggers its rule and asserts the code,
//! file, line and column. `every_rule_has_a_case` keeps the list complete, and
//! `docs_list_every_rule` keeps docs/rules.md in step with the code.

mod common;

use common::*;
use feedgen::diag::{Rule, Severity};
use pulldown_cmark::Parser;

/// A silent MPEG-1 Layer III stream: `frames` frames at 32 kbps, 44.1 kHz.
fn silent_mp3(frames: usize) -> Vec<u8> {
    let size = 144 * 32_000 / 44_100;
    let mut frame = vec![0u8; size];
    frame[..4].copy_from_slice(&[0xFF, 0xFB, 0x10, 0xC0]);
    frame.repeat(frames)
}

fn with_podcast(extra: &str) -> TempProject {
    TempProject::new(&MINIMAL_TOML.replace(
        "timezone = \"Asia/Tokyo\"\n",
        &format!("timezone = \"Asia/Tokyo\"\n{extra}"),
    ))
}

fn toml_replace(from: &str, to: &str) -> TempProject {
    assert!(MINIMAL_TOML.contains(from), "{from}");
    TempProject::new(&MINIMAL_TOML.replace(from, to))
}

/// A clean, publishable episode 001 plus whatever the case adds.
fn ok_episode(t: &TempProject) {
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
}

fn episode(text: &str) -> TempProject {
    let t = TempProject::minimal();
    t.write("episodes/002.md", text);
    t
}

/// Front matter + body with a replacement in the body.
fn body_with(from: &str, to: &str) -> TempProject {
    let b = body(2);
    assert!(b.contains(from), "{from}");
    episode(&format!("{}{}", front(2), b.replace(from, to)))
}

struct Case {
    rule: Rule,
    make: Box<dyn Fn() -> TempProject>,
    /// Expected (file, line, column); None for diagnostics without a place.
    at: Option<(&'static str, usize, usize)>,
    build: bool,
}

fn case(
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

fn cases() -> Vec<Case> {
    let f = "episodes/002.md";
    let cfg = "podcast.toml";
    vec![
        // podcast.toml: line numbers refer to MINIMAL_TOML (extra lines go after line 16).
        case(Rule::ConfigSyntax, (cfg, 14, 12), || {
            toml_replace("explicit = false", "explicit = \"yes\"")
        }),
        case(Rule::MissingField, (cfg, 1, 1), || {
            toml_replace("title = \"Test Show\"\n", "")
        }),
        case(Rule::InvalidUrl, (cfg, 7, 8), || {
            toml_replace(
                "link = \"https://example.com/\"",
                "link = \"ftp://example.com/\"",
            )
        }),
        case(Rule::InsecureUrl, (cfg, 7, 8), || {
            toml_replace(
                "link = \"https://example.com/\"",
                "link = \"http://example.com/\"",
            )
        }),
        case(Rule::InvalidLanguage, (cfg, 9, 12), || {
            toml_replace("language = \"en\"", "language = \"jp\"")
        }),
        case(Rule::InvalidCategory, (cfg, 13, 15), || {
            toml_replace("[[\"Technology\"]]", "[[\"Games & Hobbies\"]]")
        }),
        case(Rule::InvalidEmail, (cfg, 11, 36), || {
            toml_replace("tester@example.com", "tester.example.com")
        }),
        case(Rule::ImageFormat, (cfg, 12, 9), || {
            toml_replace("cover.jpg", "cover.gif")
        }),
        case(Rule::DescriptionTooLong, (cfg, 6, 15), || {
            toml_replace(
                "\"A show for tests.\"",
                &format!("\"{}\"", "x".repeat(4001)),
            )
        }),
        case(Rule::UnknownRole, (cfg, 25, 8), || {
            toml_replace("role = \"host\"", "role = \"hostess\"")
        }),
        case(Rule::GuidMismatch, (cfg, 17, 8), || {
            with_podcast("guid = \"00000000-0000-5000-8000-000000000000\"\n")
        }),
        case(Rule::InvalidTimezone, (cfg, 16, 12), || {
            toml_replace("\"Asia/Tokyo\"", "\"Mars/Olympus\"")
        }),
        case(Rule::UnknownRuleName, (cfg, 33, 20), || {
            TempProject::new(&format!(
                "{MINIMAL_TOML}\n[rules]\nmissing-enclsure = \"allow\"\n"
            ))
        }),
        // episodes
        case(Rule::MissingNumber, ("episodes/intro.md", 11, 1), || {
            let t = TempProject::minimal();
            t.write(
                "episodes/intro.md",
                format!("{}{}", front(9), body(1).replace("# 001", "# Intro")),
            );
            t
        }),
        case(Rule::InvalidNumber, (f, 2, 11), || {
            episode(&format!(
                "{}{}",
                front(2).replace("+++\ntitle", "+++\nepisode = 0\ntitle"),
                body(2)
            ))
        }),
        case(Rule::DuplicateNumber, ("episodes/b.md", 11, 1), || {
            let t = TempProject::minimal();
            t.write("episodes/a.md", format!("{}{}", front(5), body(5)));
            t.write("episodes/b.md", format!("{}{}", front(6), body(5)));
            t
        }),
        case(Rule::NumberMismatch, (f, 2, 11), || {
            episode(&format!(
                "{}{}",
                front(2).replace("+++\ntitle", "+++\nepisode = 7\ntitle"),
                body(2)
            ))
        }),
        case(Rule::MissingTitle, (f, 10, 1), || {
            episode(&format!(
                "{}{}",
                front(2).replace("title = \"Episode title 2\"\n", ""),
                body(2)
            ))
        }),
        case(Rule::TitleTooLong, (f, 2, 9), || {
            episode(&format!(
                "{}{}",
                front(2).replace("Episode title 2", &"t".repeat(256)),
                body(2)
            ))
        }),
        case(Rule::NumberInTitle, (f, 2, 9), || {
            episode(&format!(
                "{}{}",
                front(2).replace("Episode title 2", "Episode 2: Hello"),
                body(2)
            ))
        }),
        case(Rule::InvalidDate, (f, 14, 19), || {
            body_with("2021-01-22", "2021-02-30")
        }),
        case(Rule::PartialDate, (f, 14, 19), || {
            body_with("2021-01-22", "2021-01-")
        }),
        case(Rule::AmbiguousDate, (f, 14, 19), || {
            body_with("2021-01-22", "02/03/2021")
        }),
        case(Rule::MissingHost, (f, 13, 1), || {
            body_with("- Hosted by @alice\n", "- Guest: @bob\n")
        }),
        case(Rule::EmptyVideo, (f, 15, 3), || {
            body_with(
                "- Recording date: 2021-01-22\n",
                "- Recording date: 2021-01-22\n- Video: \n",
            )
        }),
        case(Rule::UnknownSpeaker, (f, 18, 1), || {
            body_with("### @alice", "### @alcie")
        }),
        case(Rule::MissingEnclosure, (f, 5, 1), || {
            episode(&format!(
                "+++\ntitle = \"T\"\npublished = 2021-01-22T21:00:00+09:00\n+++\n{}",
                body(2)
            ))
        }),
        case(Rule::IncompleteEnclosure, (f, 4, 1), || {
            episode(&format!("+++\ntitle = \"T\"\npublished = 2021-01-22T21:00:00+09:00\n[audio]\nurl = \"https://cdn.example.com/2.mp3\"\n+++\n{}", body(2)))
        }),
        case(Rule::DuplicateGuid, ("episodes/003.md", 2, 8), || {
            let t = TempProject::minimal();
            t.write(
                "episodes/002.md",
                format!(
                    "{}{}",
                    front(2).replace("+++\ntitle", "+++\nguid = \"same\"\ntitle"),
                    body(2)
                ),
            );
            t.write(
                "episodes/003.md",
                format!(
                    "{}{}",
                    front(3).replace("+++\ntitle", "+++\nguid = \"same\"\ntitle"),
                    body(3)
                ),
            );
            t
        }),
        case(Rule::DuplicateEnclosure, ("episodes/003.md", 5, 1), || {
            let t = TempProject::minimal();
            t.write("episodes/002.md", format!("{}{}", front(2), body(2)));
            t.write(
                "episodes/003.md",
                format!("{}{}", front(3).replace("003.mp3", "002.mp3"), body(3)),
            );
            t
        }),
        case(Rule::SerialUnnumbered, ("episodes/intro.md", 11, 1), || {
            let t = toml_replace("type = \"episodic\"", "type = \"serial\"");
            t.write(
                "episodes/intro.md",
                format!("{}{}", front(9), body(1).replace("# 001", "# Intro")),
            );
            t
        }),
        case(Rule::EmptySection, (f, 22, 1), || {
            body_with("- note\n", "- note\n### @bob\n")
        }),
        case(Rule::FrontMatter, (f, 2, 1), || {
            episode(&format!("+++\ntitel = \"T\"\n+++\n{}", body(2)))
        }),
        case(Rule::LazyContinuation, (f, 22, 1), || {
            body_with(
                "- note\n",
                "- note\n[Meant as a topic](https://example.com/x)\n",
            )
        }),
        case(Rule::Draft, (f, 10, 1), || {
            episode(&format!(
                "{}{}",
                front(2)
                    .replace("published = 2021-01-22T21:00:00+09:00\n", "")
                    .replace("title = \"Episode title 2\"\n", "title = \"T\"\n"),
                body(2).replace("- Recording date: 2021-01-22\n", "")
            ))
        }),
        case(Rule::Scheduled, (f, 11, 1), || {
            episode(&format!(
                "{}{}",
                front(2).replace("2021-01-22", "2099-01-22"),
                body(2)
            ))
        }),
        case(Rule::InvalidEpisodeType, (f, 2, 16), || {
            episode(&format!(
                "{}{}",
                front(2).replace("+++\ntitle", "+++\nepisode_type = \"special\"\ntitle"),
                body(2)
            ))
        }),
        case(Rule::MediaMismatch, (f, 4, 1), move || {
            let t = TempProject::minimal();
            t.write("media/002.mp3", silent_mp3(100));
            t.write(f, format!("+++\ntitle = \"T\"\npublished = 2021-01-22T21:00:00+09:00\n[audio]\npath = \"media/002.mp3\"\nlength = 99\n+++\n{}", body(2)));
            t
        }),
        case(Rule::MediaFile, (f, 4, 9), || {
            episode(&format!("+++\ntitle = \"T\"\npublished = 2021-01-22T21:00:00+09:00\naudio = \"media/missing.mp3\"\n+++\n{}", body(2)))
        }),
        case(Rule::InvalidChapters, (f, 2, 12), || {
            let t = episode(&format!(
                "{}{}",
                front(2).replace("+++\ntitle", "+++\nchapters = \"002.chapters.json\"\ntitle"),
                body(2)
            ));
            t.write(
                "episodes/002.chapters.json",
                "{\"version\": \"1.2.0\", \"chapters\": [{\"startTime\": 5}, {\"startTime\": 1}]}",
            );
            t
        }),
        case(Rule::FileTooLarge, (f, 1, 1), move || {
            let t = TempProject::new(&format!(
                "{MINIMAL_TOML}\n[limits]\nmax_episode_bytes = 100\n"
            ));
            t.write(f, format!("{}{}", front(2), body(2)));
            t
        }),
        case(Rule::UnsafePath, (f, 1, 1), move || {
            let t = TempProject::minimal();
            let outside = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(outside.path(), format!("{}{}", front(2), body(2))).unwrap();
            let (_, path) = outside.keep().unwrap();
            std::os::unix::fs::symlink(path, t.path().join(f)).unwrap();
            t
        }),
        case(Rule::NestingTooDeep, (f, 54, 65), || {
            let mut nested = String::new();
            for d in 0..40 {
                nested.push_str(&format!("{}- level {d}\n", "  ".repeat(d)));
            }
            body_with("- note\n", &format!("- note\n{nested}"))
        }),
        // links
        case(Rule::InvalidLink, (f, 22, 7), || {
            body_with("- note\n", "- note\n- [x](http://[::1/)\n")
        }),
        case(Rule::UnsafeLink, (f, 22, 7), || {
            body_with("- note\n", "- note\n- [x](javascript:alert(1))\n")
        }),
        case(Rule::HttpLink, (f, 22, 7), || {
            body_with("- note\n", "- note\n- [x](http://example.com/x)\n")
        }),
        case(Rule::TrackingParameter, (f, 22, 7), || {
            body_with(
                "- note\n",
                "- note\n- [x](https://example.com/x?utm_source=feed)\n",
            )
        }),
        case(Rule::DuplicateLink, (f, 22, 3), || {
            body_with("- note\n", "- note\n- [again](https://example.com/t2)\n")
        }),
        case(Rule::EmptyLinkText, (f, 22, 3), || {
            body_with("- note\n", "- note\n- [](https://example.com/empty)\n")
        }),
        case(Rule::RelativeLink, (f, 22, 7), || {
            body_with("- note\n", "- note\n- [x](docs/setup.md)\n")
        }),
        case(Rule::RawHtml, (f, 22, 3), || {
            body_with("- note\n", "- note\n- <b>bold</b>\n")
        }),
        // encoding
        case(Rule::InvalidUtf8, (f, 22, 8), move || {
            let t = TempProject::minimal();
            let mut bytes = format!("{}{}", front(2), body(2)).into_bytes();
            bytes.extend_from_slice(b"- note \x82\xa0 Shift_JIS\n");
            t.write(f, bytes);
            t
        }),
        case(Rule::ControlCharacter, (f, 22, 4), || {
            body_with("- note\n", "- note\n- a\u{1}b\n")
        }),
        case(Rule::InvisibleCharacter, (f, 22, 4), || {
            body_with("- note\n", "- note\n- a\u{202E}b\n")
        }),
        case(Rule::FullwidthBullet, (f, 22, 1), || {
            body_with("- note\n", "- note\n-\u{3000}text\n")
        }),
        // outputs
        case(Rule::DescriptionTruncated, (f, 11, 1), || {
            body_with(
                "- note\n",
                &"- a long note line that goes on and on\n".repeat(150),
            )
        }),
    ]
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
