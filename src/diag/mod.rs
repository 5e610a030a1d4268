//! Diagnostics: what every stage reports instead of printing.
//!
//! A finding is a [`Diagnostic`] of a [`Rule`], pointing into one of the
//! [`SourceDb`]'s files. Stages return findings; [`finish`] applies `[rules]`
//! and `--strict` and sorts them; [`report`] prints them, rustc-style or as
//! JSON lines. Nothing else in feedgen prints.

pub mod report;
mod rules;
mod sources;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

pub use rules::Rule;
pub use sources::{FileId, SourceDb, SourceFile};

/// How bad a finding is, after overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What `[rules]` in podcast.toml may say about a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

/// Where a diagnostic points: a file and a byte range in its normalized text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub file: FileId,
    pub range: Range<usize>,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Self {
        Span { file, range }
    }
}

/// One finding. `severity` starts as the rule's default; overrides adjust it later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: Rule,
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(rule: Rule, message: impl Into<String>) -> Self {
        Diagnostic {
            rule,
            severity: rule.default_severity(),
            message: message.into(),
            span: None,
            help: None,
        }
    }
    pub fn at(mut self, file: FileId, range: Range<usize>) -> Self {
        self.span = Some(Span::new(file, range));
        self
    }
    pub fn at_span(mut self, span: Option<Span>) -> Self {
        self.span = span;
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Severity overrides from `[rules]` and `--strict`.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub levels: BTreeMap<Rule, Level>,
    pub strict: bool,
}

impl Overrides {
    /// Applies overrides; `None` means the rule is allowed and the finding dropped.
    pub fn apply(&self, mut d: Diagnostic) -> Option<Diagnostic> {
        match self.levels.get(&d.rule) {
            Some(Level::Allow) => return None,
            Some(Level::Warn) => d.severity = Severity::Warning,
            Some(Level::Deny) => d.severity = Severity::Error,
            None => {}
        }
        if self.strict && d.severity == Severity::Warning {
            d.severity = Severity::Error;
        }
        Some(d)
    }
}

/// The findings of a run as reported: overrides applied, then sorted by file,
/// position and code, the order a person fixes them in (the sort is stable:
/// findings at one place keep the order they were made in).
pub(crate) fn finish(
    db: &SourceDb,
    overrides: &Overrides,
    diags: Vec<Diagnostic>,
) -> Vec<Diagnostic> {
    let mut diags: Vec<Diagnostic> = diags
        .into_iter()
        .filter_map(|d| overrides.apply(d))
        .collect();
    diags.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.span.as_ref().map(|s| db.get(s.file).name.as_str()),
                d.span.as_ref().map_or(0, |s| s.range.start),
                d.rule.code(),
            )
        };
        key(a).cmp(&key(b))
    });
    diags
}

/// "Did you mean": the closest candidate by Jaro-Winkler, if it is close
/// enough, for a finding's help.
pub(crate) fn suggest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_lowercase();
    candidates
        .map(|c| (strsim::jaro_winkler(&word, &c.to_lowercase()), c))
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Counts by severity, for the summary line and the exit code.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub errors: usize,
    pub warnings: usize,
    pub notes: usize,
}

impl Counts {
    pub fn of(diags: &[Diagnostic]) -> Counts {
        let mut c = Counts::default();
        for d in diags {
            match d.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Note => c.notes += 1,
            }
        }
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_and_names_are_unique() {
        let codes: HashSet<_> = Rule::ALL.iter().map(|r| r.code()).collect();
        let names: HashSet<_> = Rule::ALL.iter().map(|r| r.name()).collect();
        assert_eq!(codes.len(), Rule::ALL.len());
        assert_eq!(names.len(), Rule::ALL.len());
    }

    #[test]
    fn overrides_allow_warn_deny_and_strict() {
        let d = Diagnostic::new(Rule::MissingEnclosure, "x");
        let mut o = Overrides::default();
        o.levels.insert(Rule::MissingEnclosure, Level::Allow);
        assert!(o.apply(d.clone()).is_none());
        o.levels.insert(Rule::MissingEnclosure, Level::Warn);
        assert_eq!(o.apply(d.clone()).unwrap().severity, Severity::Warning);
        o.strict = true;
        assert_eq!(o.apply(d).unwrap().severity, Severity::Error);
        let n = Diagnostic::new(Rule::HttpLink, "x");
        assert_eq!(o.apply(n).unwrap().severity, Severity::Note);
    }
}
