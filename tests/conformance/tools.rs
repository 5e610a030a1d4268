//! The external tools: required, never skipped. A missing one fails the test
//! that needs it, naming the command that installs it.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::show::repo;
use crate::xml::parse_xml;

pub const INSTALL: &str = "bash scripts/install-test-deps.sh";
pub const PODCAST_NS: &str = "https://podcastindex.org/namespace/1.0";

/// A tool a reader runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Python,
    Partytime,
    Jing,
    Xmllint,
}

/// The Python the test dependencies are installed into, never the system's.
fn python() -> PathBuf {
    repo().join("target/test-venv/bin/python3")
}

fn runs(cmd: impl AsRef<std::ffi::OsStr>, args: &[&str]) -> bool {
    Command::new(cmd)
        .args(args)
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

impl Tool {
    fn what(self) -> &'static str {
        match self {
            Tool::Python => {
                "Python modules feedparser/podcastparser in target/test-venv (conformance/requirements.txt)"
            }
            Tool::Partytime => {
                "node with conformance/node_modules/podcast-partytime (conformance/package.json)"
            }
            Tool::Jing => "jing",
            Tool::Xmllint => "xmllint (libxml2-utils)",
        }
    }

    fn present(self) -> bool {
        match self {
            Tool::Python => runs(python(), &["-c", "import feedparser, podcastparser"]),
            Tool::Partytime => {
                let partytime =
                    repo().join("conformance/node_modules/podcast-partytime/package.json");
                runs("node", &["--version"]) && partytime.exists()
            }
            // jing has no --version; its usage text proves it runs.
            Tool::Jing => Command::new("jing")
                .output()
                .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("usage")),
            Tool::Xmllint => runs("xmllint", &["--version"]),
        }
    }
}

/// Fails, naming the install command, unless every tool in `tools` runs.
pub fn require(tools: &[Tool]) {
    let missing: Vec<&str> = tools
        .iter()
        .filter(|t| !t.present())
        .map(|t| t.what())
        .collect();
    assert!(
        missing.is_empty(),
        "the conformance test needs {}: run `{INSTALL}` first",
        missing.join(", ")
    );
}

/// Runs a reader script and parses the JSON it prints.
fn read_with(program: impl AsRef<std::ffi::OsStr>, script: &str, args: &[&Path]) -> Value {
    let program = program.as_ref();
    let out = Command::new(program)
        .arg(repo().join("conformance").join(script))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {program:?} ({e}): run `{INSTALL}`"));
    assert!(
        out.status.success(),
        "{script} failed ({}); if a module is missing, run `{INSTALL}`:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{script} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

pub fn read_python(feed_xml: &Path, atom_xml: &Path) -> Value {
    read_with(python(), "read_python.py", &[feed_xml, atom_xml])
}

pub fn read_partytime(feed_xml: &Path) -> Value {
    read_with("node", "read_partytime.mjs", &[feed_xml])
}

/// Runs a validator; Ok(()) when it accepts, Err(its messages) when it rejects.
fn validate(cmd: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd} ({e}): run `{INSTALL}`"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // Debian's jing wrapper warns about optional jars it cannot find.
    let text: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with("[warning] /usr/bin/jing"))
        .collect();
    if out.status.success() {
        Ok(())
    } else {
        Err(text.join("\n"))
    }
}

pub fn schemas() -> PathBuf {
    repo().join("tests/schemas")
}

pub fn jing(atom: &Path) -> Result<(), String> {
    let rnc = schemas().join("atom.rnc");
    validate(
        "jing",
        &["-c", rnc.to_str().unwrap(), atom.to_str().unwrap()],
    )
}

/// The podcast XSD (2021) declares `podcast:season@name` `use="required"`, against
/// the namespace's own text ("with an optional season name attached", repeated in
/// the XSD's annotation). The schema check validates against a copy with that one
/// attribute made optional; the verbatim check pins the rest.
const SEASON_NAME_REQUIRED: &str = r#"<xs:attribute name="name" use="required">"#;

fn xsd_dir(patched: bool) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["podcast.xsd", "podcast-wrapper-lax.xsd"] {
        std::fs::copy(schemas().join(f), dir.path().join(f)).unwrap();
    }
    if patched {
        let p = dir.path().join("podcast.xsd");
        let xsd = std::fs::read_to_string(&p).unwrap();
        let season = xsd.find(r#"<xs:element name="season">"#).unwrap();
        let at = season + xsd[season..].find(SEASON_NAME_REQUIRED).unwrap();
        let end = season + xsd[season..].find("</xs:element>").unwrap();
        assert!(at < end, "season@name is no longer required in podcast.xsd");
        let fixed = format!(
            "{}{}{}",
            &xsd[..at],
            SEASON_NAME_REQUIRED.replace("required", "optional"),
            &xsd[at + SEASON_NAME_REQUIRED.len()..]
        );
        std::fs::write(&p, fixed).unwrap();
    }
    dir
}

/// Every top-level `podcast:*` element of feed.xml, byte for byte, in a wrapper.
pub fn podcast_wrapper(feed_xml: &str) -> String {
    let root = parse_xml(feed_xml);
    let mut parts = String::new();
    root.walk(&mut |e| {
        if e.name.starts_with("podcast:") {
            parts.push_str(&feed_xml[e.span.clone()]);
            false
        } else {
            true
        }
    });
    format!("<podcast:test-wrapper xmlns:podcast=\"{PODCAST_NS}\">{parts}</podcast:test-wrapper>")
}

/// Validates the wrapper against the podcast XSD: the patched copy, or the
/// verbatim one.
pub fn xmllint(wrapper: &str, patched: bool) -> Result<(), String> {
    let dir = xsd_dir(patched);
    let doc = dir.path().join("wrapper.xml");
    std::fs::write(&doc, wrapper).unwrap();
    let xsd = dir.path().join("podcast-wrapper-lax.xsd");
    validate(
        "xmllint",
        &[
            "--noout",
            "--schema",
            xsd.to_str().unwrap(),
            doc.to_str().unwrap(),
        ],
    )
}
