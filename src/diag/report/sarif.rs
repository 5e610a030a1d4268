//! SARIF 2.1.0, for code scanning: one run, the rule registry as the
//! driver's rules, one result per finding.

use std::io::Write;

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use super::place::place;
use crate::diag::{Diagnostic, Rule, Severity, SourceDb};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<String>,
    rules: Vec<RuleDescriptor>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    help: Text,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// Where docs/rules.md is published: from the package's `repository`, when
/// Cargo.toml names one.
fn rules_doc() -> Option<String> {
    let repo = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    (!repo.is_empty()).then(|| format!("{repo}/blob/main/docs/rules.md"))
}

fn descriptor(rule: Rule) -> RuleDescriptor {
    let level = level(rule.default_severity());
    RuleDescriptor {
        id: rule.code(),
        name: rule.name(),
        short_description: Text {
            text: rule.summary().to_string(),
        },
        full_description: Text {
            text: format!(
                "{}. A {level} by default; {}.",
                rule.summary(),
                rule.how_to_change()
            ),
        },
        help_uri: rules_doc().map(|doc| format!("{doc}#rules")),
        help: Text {
            text: rule.how_to_change(),
        },
        default_configuration: Configuration { level },
    }
}

/// What a path segment keeps as it is in a URI: RFC 3986's unreserved set.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'.')
    .remove(b'-')
    .remove(b'_')
    .remove(b'~');

/// A relative path as a URI reference: each segment percent-encoded.
fn uri(path: &str) -> String {
    path.split('/')
        .map(|seg| utf8_percent_encode(seg, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

/// The whole log, as one JSON document.
pub fn sarif(db: &SourceDb, diags: &[Diagnostic], w: &mut dyn Write) -> std::io::Result<()> {
    let results = diags
        .iter()
        .map(|d| SarifResult {
            rule_id: d.rule.code(),
            rule_index: Rule::ALL
                .iter()
                .position(|r| *r == d.rule)
                .expect("every rule is in ALL"),
            level: level(d.severity),
            message: Text {
                text: match &d.help {
                    Some(h) => format!("{}\nhelp: {h}", d.message),
                    None => d.message.clone(),
                },
            },
            locations: place(db, d)
                .map(|p| Location {
                    physical_location: PhysicalLocation {
                        artifact_location: ArtifactLocation { uri: uri(&p.path) },
                        region: Region {
                            start_line: p.line,
                            start_column: p.column,
                            end_line: p.end_line,
                            end_column: p.end_column,
                        },
                    },
                })
                .into_iter()
                .collect(),
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "feedgen",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: rules_doc().map(|_| env!("CARGO_PKG_REPOSITORY").to_string()),
                    rules: Rule::ALL.iter().map(|&r| descriptor(r)).collect(),
                },
            },
            results,
        }],
    };
    let text = serde_json::to_string_pretty(&log)?;
    writeln!(w, "{}", super::json::inert(&text))
}
