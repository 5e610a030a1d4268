//! JSON lines: one object per finding.

use std::io::Write;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

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
        let mut line = serde_json::Serializer::with_formatter(&mut *w, Inert);
        v.serialize(&mut line)?;
        writeln!(w)?;
    }
    Ok(())
}

/// serde_json's compact output, with DEL, C1 controls, bidi controls and
/// invisible characters escaped as well.
struct Inert;

impl Formatter for Inert {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut rest = fragment;
        while let Some((at, c)) = rest
            .char_indices()
            .find(|&(_, c)| c == '\u{7F}' || escaped(c))
        {
            CompactFormatter.write_string_fragment(w, &rest[..at])?;
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                write!(w, "\\u{unit:04x}")?;
            }
            rest = &rest[at + c.len_utf8()..];
        }
        CompactFormatter.write_string_fragment(w, rest)
    }
}
