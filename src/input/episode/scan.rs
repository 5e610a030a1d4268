//! Scans of the whole file, before its Markdown is read: characters a feed
//! cannot hold, and bullets written with a full-width space.

use crate::chars::{
    first_suspect_block, is_bidi_control, is_invisible, is_suspect_byte, is_xml_invalid,
};
use crate::diag::{Diagnostic, FileId, Rule};

/// Flags characters XML cannot hold and invisible ones: one finding per line
/// and rule, spanning the first to the last of them on the line, so a line
/// full of them is reported once, not once per character.
pub(super) fn characters(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) {
    // Only characters starting with a byte that can begin a flagged one are
    // decoded; those bytes are all ASCII or UTF-8 lead bytes, so char boundaries.
    let Some(start) = first_suspect_block(text.as_bytes(), false) else {
        return;
    };
    let mut controls = Group::default();
    let mut invisible = Group::default();
    // The end of the line being gathered (the offset of its LF, or the text's end).
    let mut line_end = 0;
    let suspects = text.bytes().enumerate().skip(start);
    for (i, _) in suspects.filter(|(_, b)| is_suspect_byte(*b)) {
        if i >= line_end {
            controls.flush(file, Rule::ControlCharacter, diags);
            invisible.flush(file, Rule::InvisibleCharacter, diags);
            line_end = memchr::memchr(b'\n', &text.as_bytes()[i..]).map_or(text.len(), |n| i + n);
        }
        let c = text[i..].chars().next().expect("a lead byte starts a char");
        if is_xml_invalid(c) {
            controls.add(i, c);
        } else if is_invisible(c) {
            invisible.add(i, c);
        }
    }
    controls.flush(file, Rule::ControlCharacter, diags);
    invisible.flush(file, Rule::InvisibleCharacter, diags);
}

/// Code points listed in a grouped finding, at most; the count says the rest.
const LISTED: usize = 8;

/// The characters of one rule found on one line.
#[derive(Default)]
struct Group {
    span: std::ops::Range<usize>,
    count: usize,
    /// Distinct code points in the order met, the first [`LISTED`] of them.
    listed: Vec<char>,
    distinct_more: bool,
    all_bidi: bool,
    any_bidi: bool,
}

impl Group {
    fn add(&mut self, at: usize, c: char) {
        if self.count == 0 {
            self.span.start = at;
            self.all_bidi = true;
        }
        self.span.end = at + c.len_utf8();
        self.count += 1;
        self.all_bidi &= is_bidi_control(c);
        self.any_bidi |= is_bidi_control(c);
        if !self.listed.contains(&c) {
            if self.listed.len() < LISTED {
                self.listed.push(c);
            } else {
                self.distinct_more = true;
            }
        }
    }

    fn flush(&mut self, file: FileId, rule: Rule, diags: &mut Vec<Diagnostic>) {
        if self.count == 0 {
            return;
        }
        let g = std::mem::take(self);
        let message = if g.count == 1 {
            single_message(rule, g.listed[0])
        } else {
            let mut codes: Vec<String> = g.listed.iter().map(|&c| u_plus(c)).collect();
            if g.distinct_more {
                codes.push("…".into());
            }
            let codes = codes.join(", ");
            let n = g.count;
            if rule == Rule::ControlCharacter {
                format!(
                    "{n} control characters ({codes}) cannot appear in a feed; they are removed"
                )
            } else {
                let what = match (g.all_bidi, g.any_bidi) {
                    (true, _) => "bidi overrides",
                    (false, true) => "invisible and bidi-override characters",
                    (false, false) => "invisible characters",
                };
                format!("{n} {what} ({codes}) hide or reorder text; they are removed")
            }
        };
        diags.push(Diagnostic::new(rule, message).at(file, g.span));
    }
}

fn u_plus(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

/// The message for a line with one such character.
fn single_message(rule: Rule, c: char) -> String {
    if rule == Rule::ControlCharacter {
        format!(
            "control character {} cannot appear in a feed; it is removed",
            u_plus(c)
        )
    } else {
        let what = if is_bidi_control(c) {
            "bidi override"
        } else {
            "invisible character"
        };
        format!("{what} {} hides or reorders text; it is removed", u_plus(c))
    }
}

/// `-　text` (dash + U+3000) looks like a bullet but is a paragraph line.
pub(super) fn fullwidth_bullets(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) {
    // Most files have no U+3000 at all: one search, not a walk per line.
    if memchr::memmem::find(text.as_bytes(), "\u{3000}".as_bytes()).is_none() {
        return;
    }
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let rest = &line[indent..];
        for marker in ["-\u{3000}", "*\u{3000}", "+\u{3000}"] {
            if rest.starts_with(marker) {
                let at = pos + indent;
                diags.push(
                    Diagnostic::new(
                        Rule::FullwidthBullet,
                        "this line looks like a list item, but a full-width space follows the marker, so it continues the paragraph above",
                    )
                    .at(file, at..at + marker.len())
                    .help("use an ASCII space after the marker"),
                );
            }
        }
        pos += line.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(text: &str) -> Vec<(Rule, std::ops::Range<usize>, String)> {
        let mut diags = Vec::new();
        characters(FileId(0), text, &mut diags);
        diags
            .into_iter()
            .map(|d| (d.rule, d.span.unwrap().range, d.message))
            .collect()
    }

    #[test]
    fn one_finding_per_line_and_rule_from_the_first_to_the_last() {
        let got = scan("a\x01b\x1bc\u{200B}\nok\n\u{202E}x\u{2066}\x7f\n");
        assert_eq!(
            got,
            [
                (
                    Rule::ControlCharacter,
                    1..4,
                    "2 control characters (U+0001, U+001B) cannot appear in a feed; they are removed".into()
                ),
                (
                    Rule::InvisibleCharacter,
                    5..8,
                    "invisible character U+200B hides or reorders text; it is removed".into()
                ),
                (
                    Rule::ControlCharacter,
                    19..20,
                    "control character U+007F cannot appear in a feed; it is removed".into()
                ),
                (
                    Rule::InvisibleCharacter,
                    12..19,
                    "2 bidi overrides (U+202E, U+2066) hide or reorder text; they are removed".into()
                ),
            ]
        );
    }

    #[test]
    fn a_line_full_of_them_lists_a_few_and_counts_all() {
        let line: String = (1u8..=20)
            .map(char::from)
            .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
            .cycle()
            .take(9000)
            .collect();
        let got = scan(&format!("{line}\n"));
        assert_eq!(got.len(), 1);
        let (_, span, message) = &got[0];
        assert_eq!(*span, 0..line.len());
        assert!(message.starts_with("9000 control characters (U+0001, U+0002, U+0003, U+0004, U+0005, U+0006, U+0007, U+0008, …)"), "{message}");
        // Invisible characters without a bidi control are called so.
        let got = scan("a\u{200B}b\u{FEFF}");
        assert!(
            got[0]
                .2
                .starts_with("2 invisible characters (U+200B, U+FEFF)"),
            "{:?}",
            got
        );
    }
}
