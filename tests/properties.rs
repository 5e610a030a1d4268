//! Property: for arbitrary Markdown built from tricky pieces and
//! arbitrary front matter values, feedgen either reports an error and writes
//! nothing, or writes feeds that a strict XML parser accepts, with no XML-invalid
//! character, no unsafe URL and no live markup. Every input is built twice:
//! with the default rules and with every rule turned into a warning, so the
//! sanitizer's own output is always written and checked.

mod feedcheck;

use feedcheck::{check_build, Project};
use proptest::prelude::*;

const SCHEMES: &[&str] = &[
    "https://example.com/",
    "http://example.com/",
    "mailto:a@example.com",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "java\tscript:alert(1)",
    "javascript&colon;alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "file:///etc/passwd",
    "//evil.example/",
    "\\\\evil.example\\x",
    "/\\evil.example",
    "ftp://example.com/",
    "relative/path",
    "#anchor",
    "",
    "https://example.com/?utm_source=x&fbclid=y",
    "https://exa mple.com/",
    "https://[::1/",
    "https://example.com/]]>",
    "<https://example.com/>",
];

const PIECES: &[&str] = &[
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    " ",
    "  ",
    "    ",
    "\t",
    "text",
    "日本語",
    "# ",
    "## ",
    "### ",
    "#### ",
    "###### ",
    "## Contents\n",
    "### @alice\n",
    "### @bob\n",
    "### @nobody\n",
    "- ",
    "* ",
    "+ ",
    "1. ",
    "2) ",
    "  - ",
    "    - ",
    "> ",
    "- Hosted by @alice\n",
    "- Hosted by\n",
    "- Recording date: 2021-02-30\n",
    "- Recording date: 2021-01-\n",
    "- Video: ",
    "- Guest: @bob\n",
    "---\n",
    "***\n",
    "```\n",
    "```html\n",
    "~~~\n",
    "`",
    "``",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=//evil.example>",
    "<svg onload=alert(1)>",
    "<style>*{}</style>",
    "<!-- comment -->",
    "<a href=\"javascript:x\">",
    "</div>",
    "<div onclick=\"x\">",
    "<?php x ?>",
    "<![CDATA[",
    "]]>",
    "]]]]>",
    "&amp;",
    "&lt;",
    "&#0;",
    "&#1;",
    "&#x1F;",
    "&#xFFFE;",
    "&#xD800;",
    "&#x202E;",
    "&#8232;",
    "&nbsp;",
    "&bogus;",
    "\u{0}",
    "\u{1}",
    "\u{8}",
    "\u{B}",
    "\u{C}",
    "\u{1B}",
    "\u{7F}",
    "\u{85}",
    "\u{9F}",
    "\u{FFFE}",
    "\u{FFFF}",
    "\u{FEFF}",
    "\u{200B}",
    "\u{200D}",
    "\u{202A}",
    "\u{202E}",
    "\u{2066}",
    "\u{2069}",
    "\u{2028}",
    "\u{2029}",
    "e\u{301}",
    "👨\u{200D}👩\u{200D}👧",
    "🏳️\u{200D}🌈",
    "\u{3000}",
    "－ ",
    "@alice",
    "@bob",
    "@",
    "[",
    "]",
    "(",
    ")",
    "[x]",
    "[x]: ",
    "*",
    "_",
    "~~",
    "|a|b|\n|-|-|\n",
    "\\",
    "+++\n",
    "https://example.com/bare",
    "www.example.com",
    "<https://example.com/auto>",
    "<javascript:alert(1)>",
];

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(PIECES).prop_map(str::to_string),
        2 => (prop::sample::select(PIECES), prop::sample::select(SCHEMES))
            .prop_map(|(t, s)| format!("[{}]({s})", t.trim())),
        1 => (prop::sample::select(SCHEMES)).prop_map(|s| format!("\n[x]: {s}\n")),
        1 => (prop::sample::select(SCHEMES)).prop_map(|s| format!("#### [topic]({s})\n")),
        1 => "\\PC{0,12}",
        1 => any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn markdown() -> impl Strategy<Value = String> {
    (
        prop::option::of(prop::collection::vec(piece(), 0..6)),
        prop::bool::ANY,
        prop::collection::vec(piece(), 0..60),
    )
        .prop_map(|(title, header, body)| {
            let mut s = String::new();
            if let Some(t) = title {
                s.push_str(&format!("# 001: {}\n\n", t.concat().replace('\n', " ")));
            }
            if header {
                s.push_str("- Hosted by @alice\n- Recording date: 2021-01-20\n\n## Contents\n\n### @alice\n\n");
            }
            s.push_str(&body.concat());
            s
        })
}

fn fm_string() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(piece(), 0..8).prop_map(|v| v.concat()),
        "\\PC{0,300}",
        (prop::sample::select(SCHEMES)).prop_map(str::to_string),
    ]
}

/// Front matter: well-formed TOML with arbitrary values most of the time, raw
/// (possibly broken) TOML otherwise.
fn front_matter() -> impl Strategy<Value = String> {
    let table = (
        prop::option::of(fm_string()),
        prop::option::of(fm_string()),
        prop::option::of(prop_oneof![
            Just("full".to_string()),
            Just("bonus".to_string()),
            fm_string()
        ]),
        prop::option::of(any::<i64>()),
        prop::option::of(fm_string()),
        prop::option::of(prop_oneof![
            Just("2021-01-22T21:00:00+09:00".to_string()),
            Just("2021-02-30".to_string()),
            Just("2021-01-22".to_string()),
            Just("9999-12-31T23:59:59Z".to_string()),
            Just("0001-01-01T00:00:00-23:59".to_string()),
        ]),
        prop::option::of((fm_string(), any::<i64>(), fm_string(), fm_string())),
        prop::option::of(fm_string()),
    )
        .prop_map(
            |(title, guid, ty, season, image, published, audio, video)| {
                let mut t = toml::Table::new();
                let s = |v: String| toml::Value::String(v);
                if let Some(v) = title {
                    t.insert("title".into(), s(v));
                }
                if let Some(v) = guid {
                    t.insert("guid".into(), s(v));
                }
                if let Some(v) = ty {
                    t.insert("episode_type".into(), s(v));
                }
                if let Some(v) = season {
                    t.insert("season".into(), toml::Value::Integer(v));
                }
                if let Some(v) = image {
                    t.insert("image".into(), s(v));
                }
                if let Some(v) = video {
                    t.insert("video".into(), s(v));
                }
                let mut text = toml::to_string(&t).unwrap();
                match published {
                    Some(p) => text.insert_str(0, &format!("published = {p}\n")),
                    None => text.insert_str(0, "published = 2021-01-22T21:00:00+09:00\n"),
                }
                let mut audio_t = toml::Table::new();
                match audio {
                    Some((url, length, ty, duration)) => {
                        audio_t.insert("url".into(), s(url));
                        audio_t.insert("length".into(), toml::Value::Integer(length));
                        audio_t.insert("type".into(), s(ty));
                        audio_t.insert("duration".into(), s(duration));
                    }
                    None => {
                        audio_t.insert("url".into(), s("https://media.example.com/001.mp3".into()));
                        audio_t.insert("length".into(), toml::Value::Integer(12345678));
                        audio_t.insert("type".into(), s("audio/mpeg".into()));
                        audio_t.insert("duration".into(), s("1:02:03".into()));
                    }
                }
                let mut wrap = toml::Table::new();
                wrap.insert("audio".into(), toml::Value::Table(audio_t));
                text.push_str(&toml::to_string(&wrap).unwrap());
                text
            },
        );
    prop_oneof![
        8 => table,
        1 => prop::collection::vec(piece(), 0..10).prop_map(|v| v.concat()),
    ]
}

proptest! {
    #[test]
    fn any_show_notes_give_an_error_or_safe_feeds(fm in front_matter(), md in markdown(), crlf in any::<bool>()) {
        let mut text = format!("+++\n{fm}\n+++\n{md}");
        if crlf {
            text = text.replace('\n', "\r\n");
        }
        feedcheck::ALLOW_FFFD.with(|a| a.set(text.contains('\u{FFFD}')));
        for config in ["".to_string(), feedcheck::all_rules_warn()] {
            let p = Project::new(&config);
            p.write_episode(1, text.as_bytes());
            let out = feedgen::build(&p.options());
            let out = match out {
                Ok(o) => o,
                Err(e) => return Err(TestCaseError::fail(format!("build failed: {e}"))),
            };
            if let Err(e) = check_build(&out) {
                return Err(TestCaseError::fail(e));
            }
        }
    }
}
