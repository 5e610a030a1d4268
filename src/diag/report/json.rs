//! JSON lines: one object per finding.

use std::io::Write;

use super::escaped;
use super::place::place;
use crate::diag::{Diagnostic, SourceDb};

/// One JSON object per line. Every character a terminal would obey or hide
/// is written as a `\u` escape (serde_json escapes only C0 controls), so the
/// lines are inert when printed, and a program reading them gets the exact
/// characters.
pub fn json(db: &SourceDb, diags: &[Diagnostic], w: &mut dyn Write) -> std::io::Result<()> {
    for d in diags {
        let p = place(db, d);
        let v = serde_json::json!({
            "file": p.as_ref().map(|p| p.name),
            "line": p.as_ref().map(|p| p.line),
            "column": p.as_ref().map(|p| p.column),
            "end_line": p.as_ref().map(|p| p.end_line),
            "end_column": p.as_ref().map(|p| p.end_column),
            "severity": d.severity.as_str(),
            "code": d.rule.code(),
            "rule": d.rule.name(),
            "message": d.message,
            "help": d.help,
        });
        writeln!(w, "{}", inert(&v.to_string()))?;
    }
    Ok(())
}

/// JSON text with DEL, C1 controls, bidi controls and invisible characters
/// written as `\u` escapes too (serde_json escapes only C0 controls). Outside
/// strings JSON is ASCII, so every such character is in a string, where its
/// escape reads back as the same character.
pub(super) fn inert(json: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| c == '\u{7F}' || escaped(c);
    if !json.chars().any(hidden) {
        return json.into();
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if hidden(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_hidden_character_is_an_escape_that_reads_back() {
        let text = "a\u{7F}b\u{9B}c\u{202E}d\u{E0041}é日\u{200D}";
        let json = serde_json::to_string_pretty(&serde_json::json!({ "m": text })).unwrap();
        let out = inert(&json);
        assert!(
            out.contains(
                r#""a\u007fb\u009bc\u202ed\udb40\udc41é日\u{200D}""#
                    .replace(r"\u{200D}", "\u{200D}")
                    .as_str()
            ),
            "{out}"
        );
        let back: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back["m"], text);
        assert!(matches!(
            inert("{\"plain\":\"text\"}"),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
