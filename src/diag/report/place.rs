//! Where a finding is, as the machine formats give it.

use std::path::Component;

use crate::diag::{Diagnostic, SourceDb};

/// A finding's file and its 1-based lines and columns (columns count
/// characters), start and end.
pub(super) struct Place<'a> {
    /// The file as shown to people: relative to the project root.
    pub name: &'a str,
    /// The file as reached from the folder feedgen runs in, `/`-separated:
    /// what CI annotations and code scanning match against a checkout.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

pub(super) fn place<'a>(db: &'a SourceDb, d: &Diagnostic) -> Option<Place<'a>> {
    let span = d.span.as_ref()?;
    let f = db.get(span.file);
    let (line, column) = f.line_col(span.range.start);
    let (end_line, end_column) = f.line_col(span.range.end);
    let path = f
        .path
        .components()
        .filter(|c| !matches!(c, Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    Some(Place {
        name: &f.name,
        path,
        line,
        column,
        end_line,
        end_column,
    })
}
