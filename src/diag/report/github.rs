//! GitHub Actions workflow commands, so each finding shows on the pull
//! request's diff at its line, and a Markdown summary for the job's page.

use std::collections::BTreeMap;
use std::io::Write;

use super::place::place;
use super::{shown, visible};
use crate::diag::{Diagnostic, Rule, Severity, SourceDb};

/// One `::error file=…,line=…::message` line per finding. The text is made
/// inert as for a terminal (a CI log is one), then escaped as the
/// workflow-command format requires.
pub fn github(db: &SourceDb, diags: &[Diagnostic], w: &mut dyn Write) -> std::io::Result<()> {
    for d in diags {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut props = Vec::new();
        if let Some(p) = place(db, d) {
            props.push(format!("file={}", property(&visible(&p.path, false))));
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.column));
            props.push(format!("endLine={}", p.end_line));
            props.push(format!("endColumn={}", p.end_column));
        }
        props.push(format!(
            "title={}",
            property(&format!("{} {}", d.rule.code(), d.rule.name()))
        ));
        let mut text = shown(&d.message);
        if let Some(h) = &d.help {
            text.push_str("\nhelp: ");
            text.push_str(&shown(h));
        }
        writeln!(w, "::{command} {}::{}", props.join(","), data(&text))?;
    }
    Ok(())
}

/// A command's message: `%`, CR and LF escaped.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: as [`data`], and `:` and `,` too.
fn property(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

/// The job summary (`$GITHUB_STEP_SUMMARY`): findings per rule as a Markdown
/// table, and how many episodes were published when the run was a build.
pub fn github_summary(diags: &[Diagnostic], published: Option<usize>) -> String {
    let mut per_rule: BTreeMap<Rule, [usize; 3]> = BTreeMap::new();
    for d in diags {
        let counts = per_rule.entry(d.rule).or_default();
        counts[match d.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Note => 2,
        }] += 1;
    }
    let mut out = String::from("## feedgen\n\n");
    if let Some(n) = published {
        out.push_str(&format!("Episodes published: {n}\n\n"));
    }
    if per_rule.is_empty() {
        out.push_str("No findings.\n");
        return out;
    }
    out.push_str("| rule | errors | warnings | notes |\n| --- | ---: | ---: | ---: |\n");
    for (rule, [e, w, n]) in per_rule {
        out.push_str(&format!(
            "| {} `{}`: {} | {e} | {w} | {n} |\n",
            rule.code(),
            rule.name(),
            rule.summary().replace('|', "\\|")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_workflow_command_format_requires() {
        assert_eq!(data("50% a\r\nb"), "50%25 a%0D%0Ab");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
