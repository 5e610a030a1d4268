//! GitLab's code quality report (a subset of Code Climate's format), so
//! merge requests show the findings in their diff.

use std::io::Write;

use serde::Serialize;

use super::place::place;
use crate::diag::{Diagnostic, Severity, SourceDb};

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    /// The same for the same finding in every run and on every machine, so
    /// GitLab can tell new findings from old ones.
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: std::borrow::Cow<'a, str>,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
}

/// One JSON array of issues. A finding about no file's text is placed at
/// podcast.toml's first line: GitLab requires a location.
pub fn gitlab(db: &SourceDb, diags: &[Diagnostic], w: &mut dyn Write) -> std::io::Result<()> {
    let issues: Vec<Issue> = diags
        .iter()
        .map(|d| {
            let (path, line) = match place(db, d) {
                Some(p) => (p.path.into(), p.line),
                None => ("podcast.toml".into(), 1),
            };
            let key = format!("{}\n{path}\n{line}\n{}", d.rule.code(), d.message);
            Issue {
                description: format!("{} {}: {}", d.rule.code(), d.rule.name(), d.message),
                check_name: d.rule.name(),
                fingerprint: uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, key.as_bytes())
                    .simple()
                    .to_string(),
                severity: match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Note => "info",
                },
                location: Location {
                    path,
                    lines: Lines { begin: line },
                },
            }
        })
        .collect();
    let text = serde_json::to_string_pretty(&issues)?;
    writeln!(w, "{}", super::json::inert(&text))
}
