//! What `feedgen check` prints for episodes holding characters a terminal
//! would obey or hide (escape sequences, C0 and C1 controls, DEL, bidi
//! controls, zero-width characters): the human output shows them visibly, with
//! carets still under them; JSON escapes them; a line full of them, or a huge
//! line, gives a few short findings.

mod common;

use assert_cmd::Command;
use codespan_reporting::term::termcolor::{Ansi, NoColor};
use common::*;
use feedgen::diag::report;
use proptest::prelude::*;

fn feedgen(t: &TempProject) -> Command {
    let mut c = Command::cargo_bin("feedgen").unwrap();
    c.current_dir(t.path())
        .env("NO_COLOR", "1")
        .args(["--now", NOW]);
    c
}

/// `feedgen check`'s stderr (human output).
fn human(t: &TempProject) -> String {
    let out = feedgen(t).arg("check").output().unwrap();
    assert_inert(&out.stderr);
    String::from_utf8(out.stderr).unwrap()
}

/// Characters the human output must never hold: they reorder or hide text.
fn hidden(c: char) -> bool {
    matches!(
        c,
        '\u{80}'..='\u{9F}'
            | '\u{AD}'
            | '\u{61C}'
            | '\u{200B}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{2028}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
            | '\u{FFFE}'
            | '\u{FFFF}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Panics if `out` holds a control byte (but tab and LF), DEL, a C1
/// control or a bidi or invisible character.
fn assert_inert(out: &[u8]) {
    let text = String::from_utf8_lossy(out);
    for (i, &b) in out.iter().enumerate() {
        let bad = (b < 0x20 && b != b'\t' && b != b'\n') || b == 0x7F;
        assert!(!bad, "byte {b:#04x} at {i} in:\n{text}");
    }
    let s = std::str::from_utf8(out).expect("the output is UTF-8");
    if let Some(c) = s.chars().find(|&c| hidden(c)) {
        panic!("U+{:04X} in:\n{s}", c as u32);
    }
}

/// How the output shows a character of a file (as the reporter documents it).
fn shown(c: char) -> String {
    match c {
        '\0'..='\u{8}' | '\u{B}'..='\u{1F}' => {
            char::from_u32(0x2400 + c as u32).unwrap().to_string()
        }
        '\u{7F}' => "\u{2421}".into(),
        c if hidden(c) => format!("\\u{{{:X}}}", c as u32),
        c => c.to_string(),
    }
}

fn shown_str(s: &str) -> String {
    s.chars().map(shown).collect()
}

/// Whether the scans flag `c`, and under which code.
fn flagged(c: char) -> Option<&'static str> {
    match c {
        '\0'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{7F}'..='\u{9F}' => {
            Some("FG301")
        }
        '\u{200B}'
        | '\u{2060}'
        | '\u{FEFF}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2066}'..='\u{2069}' => Some("FG302"),
        _ => None,
    }
}

/// A project whose one episode ends with the note `- {line}`; and that line's number.
fn with_note(line: &str) -> (TempProject, usize) {
    let t = TempProject::minimal();
    let head = format!("{}{}", front(1), body(1));
    let number = head.matches('\n').count() + 1;
    t.write("episodes/001.md", format!("{head}- {line}\n"));
    (t, number)
}

/// One finding as printed: its header, its `-->` line, and its source and caret lines.
#[derive(Debug)]
struct Block<'a> {
    header: &'a str,
    locus: &'a str,
    source: &'a str,
    carets: &'a str,
}

fn blocks(out: &str) -> Vec<Block<'_>> {
    out.split("\n\n")
        .filter_map(|chunk| {
            let lines: Vec<&str> = chunk.lines().collect();
            let at = lines
                .iter()
                .position(|l| l.trim_start().starts_with("--> "))?;
            let src = at + 1 + lines[at + 1..].iter().position(|l| l.contains(" | "))?;
            Some(Block {
                header: lines[0],
                locus: lines[at].trim_start().trim_start_matches("--> "),
                source: lines[src].split_once(" | ")?.1,
                carets: lines.get(src + 1)?.split_once('|')?.1,
            })
        })
        .collect()
}

/// Checks the findings of `code` on note line `number` (text `- {line}`):
/// the locus gives the file's column of the first flagged character, the
/// carets run from its visible form to the last one's, and, when the line is
/// shown whole, sit exactly where the visible text puts them.
fn assert_carets(out: &str, line: &str, number: usize, code: &str) {
    let text = format!("- {line}");
    let hits: Vec<(usize, char)> = text
        .char_indices()
        .filter(|&(_, c)| flagged(c) == Some(code))
        .collect();
    let Some(&(first, first_c)) = hits.first() else {
        return;
    };
    let (last, last_c) = *hits.last().unwrap();
    let all = blocks(out);
    let b = all
        .iter()
        .find(|b| {
            b.header.contains(code) && b.locus.starts_with(&format!("episodes/001.md:{number}:"))
        })
        .unwrap_or_else(|| panic!("no {code} finding on line {number} in:\n{out}"));
    let column = text[..first].chars().count() + 1;
    assert_eq!(
        b.locus,
        format!("episodes/001.md:{number}:{column}"),
        "{out}"
    );
    let source: Vec<char> = b.source.chars().collect();
    let carets: Vec<char> = b.carets.chars().skip(1).collect();
    let start = carets.iter().position(|&c| c == '^').expect("carets");
    let end = carets.iter().rposition(|&c| c == '^').unwrap() + 1;
    let under = |r: std::ops::Range<usize>| source[r].iter().collect::<String>();
    let (first_shown, last_shown) = (shown(first_c), shown(last_c));
    assert_eq!(
        under(start..start + first_shown.chars().count()),
        first_shown,
        "{out}"
    );
    if b.source.ends_with('…') && end == source.len() {
        // The span runs past the window: the carets run to the cut.
    } else {
        let from = end - last_shown.chars().count();
        assert_eq!(under(from..end), last_shown, "{out}");
    }
    if !b.source.contains('…') {
        assert_eq!(b.source, shown_str(&text), "{out}");
        assert_eq!(start, shown_str(&text[..first]).chars().count(), "{out}");
        let through = last + last_c.len_utf8();
        assert_eq!(end, shown_str(&text[..through]).chars().count(), "{out}");
    }
}

/// Each kind of hostile character, in a note, and how the output must show it.
const CASES: &[(&str, &str, &str)] = &[
    (
        "colours",
        "red \x1b[31mRED\x1b[0m end",
        "\u{241B}[31mRED\u{241B}[0m",
    ),
    (
        "clear screen",
        "a\x1b[2J\x1b[H\x1bc b",
        "\u{241B}[2J\u{241B}[H\u{241B}c",
    ),
    (
        "OSC 52 clipboard",
        "x\x1b]52;c;cm0gLXJmIH4=\x07 y",
        "\u{241B}]52;c;cm0gLXJmIH4=\u{2407}",
    ),
    (
        "title",
        "t\x1b]0;owned\x1b\\ u",
        "\u{241B}]0;owned\u{241B}\\",
    ),
    (
        "bell and backspace",
        "ding\x07 back\x08\x08\x08x",
        "ding\u{2407} back\u{2408}\u{2408}\u{2408}x",
    ),
    (
        "other C0",
        "nul\0 soh\x01 vt\x0b ff\x0c so\x0e us\x1f",
        "nul\u{2400} soh\u{2401} vt\u{240B} ff\u{240C} so\u{240E} us\u{241F}",
    ),
    ("DEL", "del\x7f here", "del\u{2421} here"),
    (
        "C1",
        "c1 \u{85} \u{9B}31m \u{9D}0;t\u{9C} end",
        r"c1 \u{85} \u{9B}31m \u{9D}0;t\u{9C} end",
    ),
    (
        "bidi overrides",
        "a\u{202A}b\u{202B}c\u{202C}d\u{202D}e\u{202E}f",
        r"a\u{202A}b\u{202B}c\u{202C}d\u{202D}e\u{202E}f",
    ),
    (
        "bidi isolates",
        "a\u{2066}b\u{2067}c\u{2068}d\u{2069}e",
        r"a\u{2066}b\u{2067}c\u{2068}d\u{2069}e",
    ),
    (
        "invisible",
        "zero\u{200B}width\u{2060}join\u{FEFF}bom",
        r"zero\u{200B}width\u{2060}join\u{FEFF}bom",
    ),
    (
        "mixed",
        "\u{202E}evil\u{2069} \x1b[8mhidden\x1b[0m \u{9B}2J",
        r"\u{202E}evil\u{2069} ␛[8mhidden␛[0m \u{9B}2J",
    ),
];

#[test]
fn every_hostile_character_is_shown_visibly_with_carets_under_it() {
    for (name, line, want) in CASES {
        let (t, number) = with_note(line);
        let out = human(&t);
        assert!(out.contains(want), "{name}: no {want:?} in:\n{out}");
        assert_carets(&out, line, number, "FG301");
        assert_carets(&out, line, number, "FG302");
    }
}

#[test]
fn one_finding_per_line_and_rule_with_a_count() {
    let (t, number) = with_note("a\x01b\x07c\x1bd \u{200B}e\u{202E}f");
    let p = t.check();
    let on_line = |code: &str| {
        p.diags
            .iter()
            .filter(|d| d.rule.code() == code && position(&p, d).1 == number)
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        on_line("FG301"),
        ["3 control characters (U+0001, U+0007, U+001B) cannot appear in a feed; they are removed"]
    );
    assert_eq!(
        on_line("FG302"),
        ["2 invisible and bidi-override characters (U+200B, U+202E) hide or reorder text; they are removed"]
    );
    // One character keeps the message it always had.
    let (t, number) = with_note("a\x01b");
    let p = t.check();
    let d = find(&p, feedgen::diag::Rule::ControlCharacter);
    assert_eq!(d.len(), 1, "{}", summary(&p));
    assert_eq!(
        d[0].message,
        "control character U+0001 cannot appear in a feed; it is removed"
    );
    assert_eq!(position(&p, d[0]), ("episodes/001.md".into(), number, 4));
}

#[test]
fn messages_are_shown_visibly_and_json_escapes_them() {
    // A quoted front-matter key holding escapes: serde names it in its message.
    let t = TempProject::minimal();
    let key = r#""x\u001b[2J\u0007\u009b\u202e" = 1"#;
    t.write(
        "episodes/001.md",
        format!(
            "{}{}",
            front(1).replacen("+++\n", &format!("+++\n{key}\n"), 1),
            body(1)
        ),
    );
    let out = human(&t);
    assert!(
        out.contains("unknown field `x\u{241B}[2J\u{2407}\\u{9B}\\u{202E}`"),
        "{out}"
    );
    let json = feedgen(&t)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let stdout = json.stdout;
    assert!(
        !stdout.iter().any(|&b| b < 0x20 && b != b'\n'),
        "{}",
        String::from_utf8_lossy(&stdout)
    );
    let text = String::from_utf8(stdout).unwrap();
    // C1 and bidi controls too: serde_json alone would write them raw.
    assert!(text.contains(r"x\u001b[2J\u0007\u009b\u202e"), "{text}");
    assert!(!text.contains(['\u{9b}', '\u{202e}']), "{text}");
    let messages: Vec<String> = text
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .map(|v| v["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`x\u{1b}[2J\u{7}\u{9b}\u{202e}`")),
        "{messages:?}"
    );
}

#[test]
fn json_reports_the_lines_columns_and_counts_as_the_text_does() {
    let line = "a\x1b[31mb\x07 \u{202E}c";
    let (t, number) = with_note(line);
    let out = feedgen(&t)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let found: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &serde_json::Value| v["line"] == number)
        .collect();
    let codes: Vec<(&str, u64, u64)> = found
        .iter()
        .map(|v| {
            let col = |k: &str| v[k].as_u64().unwrap();
            (
                v["code"].as_str().unwrap(),
                col("column"),
                col("end_column"),
            )
        })
        .collect();
    assert_eq!(codes, [("FG301", 4, 11), ("FG302", 12, 13)], "{text}");
}

#[test]
fn a_utf16_episode_is_called_utf16_and_shown_inert() {
    let accented = format!("{}{}- café\n", front(1), body(1));
    // ASCII only and no BOM: valid UTF-8, a NUL every other byte.
    let ascii = format!("{}{}", front(1), body(1));
    assert!(ascii.is_ascii());
    for (text, bom, big_endian) in [
        (&accented, true, false),
        (&accented, true, true),
        (&accented, false, false),
        (&ascii, false, false),
        (&ascii, false, true),
    ] {
        let mut bytes: Vec<u8> = match (bom, big_endian) {
            (false, _) => Vec::new(),
            (true, false) => vec![0xFF, 0xFE],
            (true, true) => vec![0xFE, 0xFF],
        };
        for u in text.encode_utf16() {
            let b = if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            };
            bytes.extend_from_slice(&b);
        }
        let t = TempProject::minimal();
        t.write("episodes/001.md", bytes);
        let out = human(&t);
        assert!(out.contains("error[FG300]: the file is not UTF-8"), "{out}");
        assert!(
            out.contains("help: it is UTF-16; save it as UTF-8"),
            "{out}"
        );
        assert!(!out.contains("Shift_JIS"), "{out}");
    }
    // Shift_JIS keeps the help it had.
    let t = TempProject::minimal();
    let mut sjis = format!("{}{}", front(1), body(1)).into_bytes();
    sjis.extend_from_slice(b"- \x93\xfa\x96\x7b\x8c\xea\n");
    t.write("episodes/001.md", sjis);
    let out = human(&t);
    assert!(
        out.contains("help: save the file as UTF-8 (it may be Shift_JIS or Latin-1)"),
        "{out}"
    );
}

/// A 60 KB line with a control or invisible character every few bytes.
fn noisy_line(len: usize) -> String {
    let unit = "ab\x1b[2J\u{202E}\x07c\u{200B}\x01d\u{9B}\u{7F}\0e\u{2066} ";
    unit.repeat(len / unit.len() + 1)[..len - len % unit.len()].to_string()
}

#[test]
fn a_line_full_of_controls_gives_a_few_short_findings() {
    let line = noisy_line(60_000);
    assert!(line.chars().filter(|&c| flagged(c).is_some()).count() > 20_000);
    let (t, number) = with_note(&line);
    let out = human(&t);
    assert!(out.len() < 64 * 1024, "{} bytes", out.len());
    let ours: Vec<Block> = blocks(&out)
        .into_iter()
        .filter(|b| b.locus.starts_with(&format!("episodes/001.md:{number}:")))
        .collect();
    assert!(ours.len() <= 3, "{out}");
    assert!(
        out.contains("cannot appear in a feed; they are removed"),
        "{out}"
    );
    for b in &ours {
        assert!(b.source.chars().count() < 200, "{}", b.source);
        assert!(b.source.ends_with('…'), "{}", b.source);
    }
    assert_carets(&out, &line, number, "FG301");
    assert_carets(&out, &line, number, "FG302");
    let json = feedgen(&t)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert!(json.stdout.len() < 64 * 1024);
    assert!(String::from_utf8(json.stdout).unwrap().lines().count() <= 10);
}

#[test]
fn a_single_line_file_of_60_kb_is_never_printed_whole() {
    // No line end at all: every finding about the file points into that line.
    let t = TempProject::minimal();
    t.write(
        "episodes/001.md",
        format!("# 001: Title {}", noisy_line(60_000)),
    );
    let out = human(&t);
    assert!(out.len() < 64 * 1024, "{} bytes", out.len());
    assert!(blocks(&out).len() < 20, "{out}");
    for b in blocks(&out) {
        assert!(b.source.chars().count() < 200, "{}", b.source);
    }
}

#[test]
fn a_span_deep_in_a_long_line_shows_a_window_around_it() {
    let line = format!("{}\x1b[31m{}", "x".repeat(50_000), "y".repeat(10_000));
    let (t, number) = with_note(&line);
    let out = human(&t);
    assert!(out.len() < 4096, "{out}");
    let b = blocks(&out)
        .into_iter()
        .find(|b| b.header.contains("FG301"))
        .unwrap();
    assert_eq!(b.locus, format!("episodes/001.md:{number}:50003"));
    assert!(
        b.source.starts_with("…xxx") && b.source.ends_with("yyy…"),
        "{}",
        b.source
    );
    assert_carets(&out, &line, number, "FG301");
}

#[test]
fn with_colour_the_only_escapes_are_the_reporters_own() {
    let (t, _) = with_note("a\x1b]52;c;eA==\x07 \x1b[2J\u{9B}0m");
    let p = t.check();
    let mut w = Ansi::new(Vec::new());
    report::human(&p.sources, &p.diags, &mut w).unwrap();
    let out = String::from_utf8(w.into_inner()).unwrap();
    // Every ESC starts a colour (SGR) sequence: `ESC [ digits/; m`.
    for (i, _) in out.match_indices('\x1b') {
        let rest = &out[i + 1..];
        let end = rest.find('m').expect("SGR ends with m");
        assert!(rest.starts_with('['), "{out:?}");
        assert!(
            rest[1..end].chars().all(|c| c.is_ascii_digit() || c == ';'),
            "{out:?}"
        );
    }
    let plain: String = out
        .split('\x1b')
        .enumerate()
        .map(|(i, s)| match s.split_once('m') {
            Some((_, rest)) if i > 0 => rest,
            _ => s,
        })
        .collect();
    assert!(plain.contains("\u{241B}]52;c;eA==\u{2407}"), "{plain}");
}

/// A note line: words, controls, bidi and invisible characters, mixed.
fn mixed_line() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => "[a-z]{1,5} ?".boxed(),
        2 => prop::sample::select(vec![
            "\0", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1b[31m", "\x1b]0;t\x07", "\x1f", "\x7f",
            "\u{85}", "\u{9B}", "\u{9F}",
        ])
        .prop_map(str::to_string)
        .boxed(),
        2 => prop::sample::select(vec![
            "\u{202A}", "\u{202B}", "\u{202C}", "\u{202D}", "\u{202E}", "\u{2066}", "\u{2067}", "\u{2068}",
            "\u{2069}", "\u{200B}", "\u{2060}", "\u{FEFF}",
        ])
        .prop_map(str::to_string)
        .boxed(),
        1 => "[é日]".boxed(),
    ];
    prop::collection::vec(piece, 1..10).prop_map(|v| format!("x{}", v.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_line_is_reported_inert_with_carets_in_place(line in mixed_line()) {
        let (t, number) = with_note(&line);
        let p = t.check();
        let mut w = NoColor::new(Vec::new());
        report::human(&p.sources, &p.diags, &mut w).unwrap();
        let bytes = w.into_inner();
        assert_inert(&bytes);
        let out = String::from_utf8(bytes).unwrap();
        // `日` is two columns wide: codespan pads the carets for it, so the
        // exact column checks hold only for lines without it.
        if !line.contains('日') {
            assert_carets(&out, &line, number, "FG301");
            assert_carets(&out, &line, number, "FG302");
        }
        // Grouped: at most one finding per rule on the line.
        for code in ["FG301", "FG302"] {
            let n = blocks(&out)
                .iter()
                .filter(|b| b.header.contains(code) && b.locus.starts_with(&format!("episodes/001.md:{number}:")))
                .count();
            prop_assert!(n <= 1, "{}", out);
        }
    }
}

#[test]
fn a_message_quoting_a_huge_key_is_cut_for_people_and_whole_in_json() {
    // toml names the unknown key in its message, however long it is.
    let key = "k".repeat(100_000);
    let t = TempProject::minimal();
    t.write(
        "episodes/001.md",
        format!(
            "{}{}",
            front(1).replacen("+++\n", &format!("+++\n{key} = 1\n"), 1),
            body(1)
        ),
    );
    let out = human(&t);
    assert!(out.contains("unknown field `kkk"), "{out}");
    assert!(out.len() < 8 * 1024, "{} bytes", out.len());
    let json = feedgen(&t)
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    let whole = String::from_utf8(json.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .any(|v| v["message"].as_str().unwrap().contains(&key));
    assert!(whole);
}
