//! The reporter: findings as rustc-style text (codespan-reporting) or as JSON
//! lines. The only place feedgen formats a finding for people or machines.

use std::io::Write;
use std::ops::Range;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor::WriteColor};

use super::{Diagnostic, FileId, Severity, SourceDb};

impl<'a> Files<'a> for SourceDb {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.get(id).name)
    }
    fn source(&'a self, id: FileId) -> Result<&'a str, FilesError> {
        Ok(&self.get(id).text)
    }
    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.get(id).line_col(byte_index).0 - 1)
    }
    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, FilesError> {
        let f = self.get(id);
        let starts = f.line_starts();
        if line_index >= starts.len() {
            return Err(FilesError::LineTooLarge {
                given: line_index,
                max: starts.len() - 1,
            });
        }
        let r = f.line_range(line_index + 1);
        // codespan expects the range to include the line end.
        Ok(r.start..(r.end + 1).min(f.text.len()))
    }
}

fn to_codespan(d: &Diagnostic) -> CsDiagnostic<FileId> {
    let sev = match d.severity {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Note => CsSeverity::Note,
    };
    let mut c = CsDiagnostic::new(sev)
        .with_code(d.rule.code())
        .with_message(&d.message);
    if let Some(s) = &d.span {
        c = c.with_labels(vec![Label::primary(s.file, s.range.clone())]);
    }
    let mut notes = Vec::new();
    if let Some(h) = &d.help {
        notes.push(format!("help: {h}"));
    }
    notes.push(format!(
        "rule `{}`: change its level under [rules] in podcast.toml",
        d.rule.name()
    ));
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
        term::emit(w, &config, db, &to_codespan(d))
            .map_err(|e| std::io::Error::other(e.to_string()))?;
    }
    Ok(())
}

/// One JSON object per line.
pub fn json(db: &SourceDb, diags: &[Diagnostic], w: &mut dyn Write) -> std::io::Result<()> {
    for d in diags {
        let (file, line, column, end_line, end_column) = match &d.span {
            Some(s) => {
                let f = db.get(s.file);
                let (l, c) = f.line_col(s.range.start);
                let (el, ec) = f.line_col(s.range.end);
                (Some(f.name.as_str()), Some(l), Some(c), Some(el), Some(ec))
            }
            None => (None, None, None, None, None),
        };
        let v = serde_json::json!({
            "file": file,
            "line": line,
            "column": column,
            "end_line": end_line,
            "end_column": end_column,
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
