//! JSON lines: one object per finding.

use std::io::Write;

use super::place::place;
use crate::diag::{Diagnostic, SourceDb};

/// One JSON object per line. serde_json escapes every C0 control, so the
/// text is left as it is: a program reading it gets the exact characters.
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
        writeln!(w, "{v}")?;
    }
    Ok(())
}
