//! The reporter: findings as rustc-style text (codespan-reporting), JSON
//! lines, GitHub workflow commands or SARIF. The only place feedgen formats a
//! finding for people or machines.
//!
//! Text output goes to a terminal or a CI log, so no character read from a
//! file reaches it as it is: controls are shown as Control Pictures (␛ for
//! ESC), and C1 controls, bidi controls and invisible characters as
//! `\u{202E}`; otherwise an episode could recolour, clear or retitle the
//! terminal, write its clipboard (OSC 52), or reorder what the line shows.
//! Each finding's snippet is only the lines its span covers, made visible and
//! cut to a window around the span, so a huge line is never printed whole.

use std::borrow::Cow;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor::WriteColor};

use super::{Diagnostic, Severity, SourceDb, SourceFile};
use crate::chars::is_invisible;

mod github;
mod gitlab;
mod json;
mod place;
mod sarif;
mod table;

pub use github::{github, github_summary};
pub use gitlab::gitlab;
pub use json::json;
pub use sarif::sarif;
pub use table::{table, Row};

/// Characters of a line shown before the span's start, at most.
const BEFORE: usize = 40;
/// Characters of a line shown in all, at most (each cut end adds a `…`).
const WIDTH: usize = 100;
/// Lines kept at each end of a span over many lines: more than codespan shows
/// (3 after the first, 1 before the last, and a line it prints instead of `·`).
const KEEP: usize = 6;

/// The Control Picture of a C0 control (but tab and LF) or DEL.
fn picture(c: char) -> Option<char> {
    match c {
        '\t' | '\n' => None,
        '\0'..='\u{1F}' => char::from_u32(0x2400 + c as u32),
        '\u{7F}' => Some('\u{2421}'),
        _ => None,
    }
}

/// Characters shown as `\u{…}`: C1 controls (a UTF-8 terminal may obey them),
/// bidi controls and marks, line and paragraph separators, and characters that
/// show as nothing (zero-width spaces, fillers, tags, U+FFFE and U+FFFF). ZWJ and
/// ZWNJ stay: emoji and many scripts need them, and they move nothing.
pub(super) fn escaped(c: char) -> bool {
    is_invisible(c)
        || matches!(
            c,
            '\u{80}'..='\u{9F}'
                | '\u{AD}'
                | '\u{34F}'
                | '\u{61C}'
                | '\u{115F}'
                | '\u{1160}'
                | '\u{17B4}'
                | '\u{17B5}'
                | '\u{180E}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{FFF9}'..='\u{FFFB}'
                | '\u{FFFE}'
                | '\u{FFFF}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E007F}'
        )
}

/// Appends `c` as a terminal may show it; returns how many characters that is.
fn push_visible(out: &mut String, c: char) -> usize {
    if let Some(p) = picture(c) {
        out.push(p);
        1
    } else if escaped(c) {
        let before = out.len();
        out.push_str(&format!("\\u{{{:X}}}", c as u32));
        out.len() - before
    } else {
        out.push(c);
        1
    }
}

/// How many characters `c` takes once visible.
fn visible_width(c: char) -> usize {
    if escaped(c) {
        format!("{:X}", c as u32).len() + 4
    } else {
        1
    }
}

/// `s` with every character a terminal would obey or hide made visible; LF
/// stays when `keep_lf` (messages and help may hold several lines).
pub(super) fn visible(s: &str, keep_lf: bool) -> Cow<'_, str> {
    let keep = |c: char| (keep_lf && c == '\n') || (picture(c).is_none() && !escaped(c));
    if s.chars().all(keep) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if keep(c) {
            out.push(c);
        } else {
            push_visible(&mut out, c);
        }
    }
    Cow::Owned(out)
}

/// Characters of one line of a message or help shown at most: they can
/// quote a file (a key, a link) at any length.
const MESSAGE_WIDTH: usize = 300;
/// Lines of a message or help shown at most.
const MESSAGE_LINES: usize = 20;

/// A message or help as a reader is shown it: [`visible`], each line cut to
/// [`MESSAGE_WIDTH`] characters and the whole to [`MESSAGE_LINES`] lines,
/// with `…` where something was cut. (JSON keeps the whole text.)
pub(super) fn shown(s: &str) -> String {
    let text = visible(s, true);
    let mut out = String::new();
    for (n, line) in text.split('\n').enumerate() {
        if n == MESSAGE_LINES {
            out.push_str("\n…");
            break;
        }
        if n > 0 {
            out.push('\n');
        }
        match line.char_indices().nth(MESSAGE_WIDTH - 1) {
            Some((cut, _)) if line[cut..].chars().nth(1).is_some() => {
                out.push_str(&line[..cut]);
                out.push('…');
            }
            _ => out.push_str(line),
        }
    }
    out
}

/// The part of `line` to show around byte offset `at`: up to [`BEFORE`]
/// characters before it and [`WIDTH`] in all (more before when the line ends
/// first). Walks only the window, never the whole line.
fn window(line: &str, at: usize) -> Range<usize> {
    let mut used = 0;
    let mut lo = at;
    for (i, c) in line[..at].char_indices().rev() {
        used += visible_width(c);
        if used > BEFORE {
            used -= visible_width(c);
            break;
        }
        lo = i;
    }
    let mut hi = at;
    for (i, c) in line[at..].char_indices() {
        used += visible_width(c);
        if used > WIDTH {
            break;
        }
        hi = at + i + c.len_utf8();
    }
    if hi == line.len() {
        for (i, c) in line[..lo].char_indices().rev() {
            used += visible_width(c);
            if used > WIDTH {
                break;
            }
            lo = i;
        }
    }
    lo..hi
}

/// The window `win` of `line`, made visible, with `…` where it is cut, and
/// the byte offsets `marks` of the line mapped into it. A mark past the window
/// goes after the trailing `…`, so a cut span's carets run to the cut.
fn show_line(line: &str, win: Range<usize>, marks: [usize; 2]) -> (String, [usize; 2]) {
    let mut out = String::new();
    if win.start > 0 {
        out.push('…');
    }
    let mut mapped = [usize::MAX; 2];
    for (i, c) in line[win.clone()].char_indices() {
        for (m, at) in mapped.iter_mut().zip(marks) {
            if *m == usize::MAX && at <= win.start + i {
                *m = out.len();
            }
        }
        push_visible(&mut out, c);
    }
    for (m, at) in mapped.iter_mut().zip(marks) {
        if *m == usize::MAX && at <= win.end {
            *m = out.len();
        }
    }
    if win.end < line.len() {
        out.push('…');
    }
    let len = out.len();
    (out, mapped.map(|m| m.min(len)))
}

/// What codespan is given for one finding: the lines its span covers, made
/// visible and cut to a window, with the span mapped into them. Its `Files`
/// impl reports the real line numbers and the real column of the span.
#[derive(Default)]
struct Snippet {
    name: String,
    text: String,
    /// Each line's range in `text` (with its LF), from the span's first line
    /// to its last; the middle of a span over many lines is left empty.
    lines: Vec<Range<usize>>,
    /// 1-based number of the first line in the file.
    first_line: usize,
    /// The span, in `text`.
    span: Range<usize>,
    /// 1-based column (in characters) of the span's start in the file.
    column: usize,
}

impl Snippet {
    fn new(f: &SourceFile, range: &Range<usize>) -> Snippet {
        let text = &f.text;
        let mut start = range.start.min(text.len());
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = range.end.clamp(start, text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        let starts = f.line_starts();
        let line_of = |b: usize| starts.partition_point(|&s| s <= b) - 1;
        let (first, last) = (line_of(start), line_of(end));
        let (first_line, column) = f.line_col(start);
        let mut s = Snippet {
            name: visible(&f.name, false).into_owned(),
            first_line,
            column,
            ..Snippet::default()
        };
        for i in first..=last {
            if i - first >= KEEP && last - i >= KEEP {
                s.lines.push(s.text.len()..s.text.len());
                continue;
            }
            let lr = f.line_range(i + 1);
            let line = &text[lr.clone()];
            // Offsets in this line of the span's ends; the window is around
            // the first of them the line holds.
            let rel = |b: usize| b.saturating_sub(lr.start).min(line.len());
            let marks = [rel(start), rel(end)];
            let at = match (i == first, i == last) {
                (true, _) => marks[0],
                (false, true) => marks[1],
                (false, false) => 0,
            };
            let (shown, mapped) = show_line(line, window(line, at), marks);
            let base = s.text.len();
            if i == first {
                s.span.start = base + mapped[0];
            }
            if i == last {
                s.span.end = base + mapped[1];
            }
            s.text.push_str(&shown);
            s.text.push('\n');
            s.lines.push(base..s.text.len());
        }
        s
    }
}

impl<'a> Files<'a> for Snippet {
    type FileId = ();
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, (): ()) -> Result<&'a str, FilesError> {
        Ok(&self.name)
    }
    fn source(&'a self, (): ()) -> Result<&'a str, FilesError> {
        Ok(&self.text)
    }
    fn line_index(&'a self, (): (), byte_index: usize) -> Result<usize, FilesError> {
        // The last line starting at or before the offset (the left-out middle
        // lines are empty, so never the line of a span's end).
        let after = self.lines.partition_point(|r| r.start <= byte_index);
        Ok(after.saturating_sub(1))
    }
    fn line_number(&'a self, (): (), line_index: usize) -> Result<usize, FilesError> {
        Ok(self.first_line + line_index)
    }
    fn column_number(&'a self, (): (), _: usize, _: usize) -> Result<usize, FilesError> {
        // codespan asks only for the column of the label's start.
        Ok(self.column)
    }
    fn line_range(&'a self, (): (), line_index: usize) -> Result<Range<usize>, FilesError> {
        self.lines
            .get(line_index)
            .cloned()
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: self.lines.len().saturating_sub(1),
            })
    }
}

fn to_codespan(d: &Diagnostic, span: Option<Range<usize>>) -> CsDiagnostic<()> {
    let sev = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Note => CsSeverity::Note,
    };
    let mut c = CsDiagnostic::new(sev)
        .with_code(d.rule.code())
        .with_message(shown(&d.message));
    if let Some(s) = span {
        c = c.with_labels(vec![Label::primary((), s)]);
    }
    let mut notes = Vec::new();
    if let Some(h) = &d.help {
        notes.push(format!("help: {}", shown(h)));
    }
    notes.push(d.rule.how_to_change());
    c.with_notes(notes)
}

/// rustc-style output.
pub fn human(db: &SourceDb, diags: &[Diagnostic], w: &mut dyn WriteColor) -> std::io::Result<()> {
    // ASCII art (`-->`, `|`, `^`) as rustc prints it, and as logs keep it.
    let config = term::Config {
        chars: term::Chars::ascii(),
        ..term::Config::default()
    };
    for d in diags {
        let snippet = d
            .span
            .as_ref()
            .map(|s| Snippet::new(db.get(s.file), &s.range));
        let cs = to_codespan(d, snippet.as_ref().map(|s| s.span.clone()));
        term::emit(w, &config, &snippet.unwrap_or_default(), &cs)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Rule, SourceFile};
    use codespan_reporting::term::termcolor::NoColor;

    fn render(name: &str, text: &str, d: Diagnostic) -> String {
        let mut db = SourceDb::default();
        let id = db.add(SourceFile::new(name, name, text.to_string()));
        let d = match d.span.clone() {
            Some(s) => d.at(id, s.range),
            None => d,
        };
        let mut w = NoColor::new(Vec::new());
        human(&db, &[d], &mut w).unwrap();
        String::from_utf8(w.into_inner()).unwrap()
    }

    fn at(range: Range<usize>) -> Diagnostic {
        Diagnostic::new(Rule::RawHtml, "m").at(super::super::FileId(0), range)
    }

    #[test]
    fn long_messages_are_cut_per_line_and_in_lines() {
        let long = "k".repeat(100_000);
        let cut = shown(&format!("unknown field `{long}`"));
        assert_eq!(cut.chars().count(), MESSAGE_WIDTH);
        assert!(cut.starts_with("unknown field `kkk") && cut.ends_with("k…"));
        let exact = "x".repeat(MESSAGE_WIDTH);
        assert_eq!(shown(&exact), exact);
        let many = "line\n".repeat(100);
        assert_eq!(shown(&many).lines().count(), MESSAGE_LINES + 1);
        assert!(shown(&many).ends_with("\n…"));
        assert_eq!(shown("a\u{1b}b\nc"), "a\u{241B}b\nc");
    }

    #[test]
    fn name_message_and_help_are_made_visible() {
        let d = Diagnostic::new(Rule::RawHtml, "bad `\x1b[2J`\nsecond \u{202E}line")
            .help("try \u{9B}31m or \x07")
            .at(super::super::FileId(0), 0..1);
        let out = render("ep\x1b]0;t\x07.md", "x\n", d);
        assert!(
            out.contains("bad `\u{241B}[2J`\nsecond \\u{202E}line"),
            "{out}"
        );
        assert!(out.contains("help: try \\u{9B}31m or \u{2407}"), "{out}");
        assert!(out.contains("--> ep\u{241B}]0;t\u{2407}.md:1:1"), "{out}");
        assert!(
            !out.contains(['\x1b', '\x07', '\u{9B}', '\u{202E}']),
            "{out}"
        );
    }

    #[test]
    fn a_long_line_is_cut_to_a_window_with_the_caret_in_place() {
        let line = format!("{}\x1bX{}", "a".repeat(500), "b".repeat(500));
        let out = render("e.md", &line, at(500..501));
        assert!(out.contains("--> e.md:1:501"), "{out}");
        let src = out.lines().find(|l| l.starts_with("1 | ")).unwrap();
        let shown = &src["1 | ".len()..];
        assert!(
            shown.starts_with("…aaa") && shown.ends_with("bbb…"),
            "{shown}"
        );
        assert!(shown.chars().count() <= WIDTH + 2, "{shown}");
        let carets = out.lines().find(|l| l.contains('^')).unwrap();
        let col = carets.chars().position(|c| c == '^').unwrap();
        assert_eq!(src.chars().nth(col), Some('\u{241B}'), "{out}");
        // A span running past the window: the carets run to the `…`.
        let out = render("e.md", &line, at(490..1000));
        let carets = out.lines().find(|l| l.contains('^')).unwrap();
        let src = out.lines().find(|l| l.starts_with("1 | ")).unwrap();
        assert_eq!(carets.chars().count(), src.chars().count(), "{out}");
    }

    #[test]
    fn a_span_over_many_lines_keeps_its_ends_and_real_numbers() {
        let text: String = (1..=200).map(|n| format!("line {n}\n")).collect();
        let start = text.find("line 20\n").unwrap() + 2;
        let end = text.find("line 150\n").unwrap() + 4;
        let out = render("e.md", &text, at(start..end));
        assert!(out.contains("--> e.md:20:3"), "{out}");
        let shown: Vec<&str> = out
            .lines()
            .filter(|l| l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
            .collect();
        let numbers: Vec<usize> = shown
            .iter()
            .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
            .collect();
        assert_eq!(numbers, [20, 21, 22, 23, 149, 150], "{out}");
        for (l, n) in shown.iter().zip(numbers) {
            assert!(l.ends_with(&format!(" line {n}")), "{out}");
        }
        // Carets under the span's first character (`n` of line 20) and its
        // last (`e` of line 150).
        let carets: Vec<&str> = out.lines().filter(|l| l.ends_with('^')).collect();
        assert_eq!(carets.len(), 2, "{out}");
        let col = |l: &str| l.chars().count() - 1;
        assert_eq!(col(carets[0]), shown[0].find("ne 20").unwrap(), "{out}");
        assert_eq!(col(carets[1]), shown[5].find("e 150").unwrap(), "{out}");
    }

    #[test]
    fn odd_spans_do_not_panic() {
        // Past the end, inside a character, empty file, at a line end.
        render("e.md", "ab", at(5..9));
        render("e.md", "éa", at(1..2));
        render("e.md", "", at(0..0));
        let out = render("e.md", "ab\ncd\n", at(2..3));
        assert!(out.contains("--> e.md:1:3"), "{out}");
        render("e.md", "ab\ncd\n", at(6..6));
    }

    #[test]
    fn json_escapes_what_a_terminal_would_obey_and_keeps_the_text() {
        let mut db = SourceDb::default();
        let id = db.add(SourceFile::new("e.md", "e.md", "a\x1bb\n".into()));
        let message = "x\x1by\u{202E}z\u{9B}2J\u{7F}\u{E0041}é日";
        let d = Diagnostic::new(Rule::RawHtml, message).at(id, 1..2);
        let mut out = Vec::new();
        json(&db, &[d], &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains(r#""message":"x\u001by\u202ez\u009b2J\u007f\udb40\udc41é日""#),
            "{out}"
        );
        assert!(out.contains(r#""column":2,"end_column":3"#), "{out}");
        let back: serde_json::Value = serde_json::from_str(out.trim_end()).unwrap();
        assert_eq!(back["message"], message);
    }
}
