//! feedgen: Markdown show notes + `podcast.toml` → RSS 2.0 (with the `itunes`
//! and Podcasting 2.0 `podcast` namespaces), Atom 1.0 and JSON Feed 1.1.
//!
//! The pipeline, one folder per stage, data flowing one way:
//!
//! ```text
//! input ──► resolve ──► render ──► publish ──► (serve)
//! podcast.toml,   the feed model,   RSS, Atom,      verify (read back),   a preview on
//! episodes,       every rule        JSON Feed,      ledger, lock,         127.0.0.1,
//! templates       checked           notes HTML,     atomic replace        rebuilt on change
//! (parsed)                          web pages
//! ```
//!
//! [`import`] runs the other way, once, when a show moves to feedgen: an
//! existing feed into podcast.toml, episodes and a seeded feedgen.lock.
//!
//! Stages never print: they return [`diag::Diagnostic`]s, so a run reports
//! every problem in every file at once. [`check`] runs the first two stages
//! (and the renderers' one finding, a cut Apple description) and reconciles
//! the ledger, writing nothing; [`build`] runs them all, and writes nothing
//! when there is an error.
//!
//! ```no_run
//! let opts = feedgen::Options::new("podcast.toml", chrono::Utc::now().fixed_offset());
//! let outcome = feedgen::build(&opts)?;
//! for d in &outcome.project.diags {
//!     eprintln!("{}: {}", d.severity, d.message);
//! }
//! println!("{} episodes published", outcome.published);
//! # Ok::<(), feedgen::Error>(())
//! ```
#![forbid(unsafe_code)]

mod chars;
pub mod diag;
pub mod import;
mod input;
pub mod model;
mod publish;
mod render;
mod resolve;
mod scaffold;
pub mod serve;
pub mod timings;

use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};

use diag::Diagnostic;
use model::Feed;

pub use resolve::{Project, Status};
pub use scaffold::new_episode;

/// Failures that are not findings about the show: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

/// What a run is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Path of podcast.toml; the episodes are found beside it.
    pub config: PathBuf,
    /// Output folder given on the command line (trusted, may be anywhere).
    pub out: Option<PathBuf>,
    /// "Now", for drafts and scheduled episodes; fixed in tests.
    pub now: DateTime<FixedOffset>,
    /// Warnings count as errors.
    pub strict: bool,
    /// Episodes (by number or slug) whose published guid or enclosure may change.
    pub allow_guid_change: Vec<String>,
}

impl Options {
    pub fn new(config: impl Into<PathBuf>, now: DateTime<FixedOffset>) -> Self {
        Options {
            config: config.into(),
            out: None,
            now,
            strict: false,
            allow_guid_change: vec![],
        }
    }
}

/// Reads, resolves and checks the show, and reconciles feedgen.lock with
/// it; writes nothing.
pub fn check(opts: &Options) -> Result<Project, Error> {
    let mut project = examine(opts)?;
    let review = publish::review(&mut project, opts)?;
    project.diags.extend(review.findings);
    Ok(project)
}

/// The show read, resolved and checked, `[rules]` applied. The ledger's
/// findings come after: no level under `[rules]` lets a published guid
/// change, only `--allow-guid-change`.
fn examine(opts: &Options) -> Result<Project, Error> {
    let input = input::open(&opts.config)?;
    let mut project = resolve::resolve(input, opts.now);
    let found = timings::stage("notes", || render::findings(&project.episodes));
    project.diags.extend(found);
    let site = &project.show.site;
    if site.enabled && !site.templates.is_empty() {
        if let Err(e) = render::pages::try_templates(&project.sample_feed(1)) {
            let d = input::templates::render_finding(&project.sources, &site.templates, &e);
            project.diags.push(d);
        }
    }
    project.finish(opts.strict);
    Ok(project)
}

/// The result of a build.
pub struct BuildOutcome {
    /// The show as checked. Its published items moved into the feed written.
    pub project: Project,
    /// Files written; empty when the build refused to write.
    pub written: Vec<PathBuf>,
    /// Episodes published.
    pub published: usize,
}

/// Checks, renders, verifies and publishes. Nothing is written when any error
/// exists; the previous outputs then stay byte-identical.
pub fn build(opts: &Options) -> Result<BuildOutcome, Error> {
    let mut project = examine(opts)?;
    let mut review = publish::review(&mut project, opts)?;
    project.diags.append(&mut review.findings);
    let refused = |project| BuildOutcome {
        project,
        written: vec![],
        published: 0,
    };
    if project.has_errors() {
        return Ok(refused(project));
    }
    let dir = match publish::output_dir(&project.root, &project.show, opts)? {
        Ok(dir) => dir,
        Err(d) => {
            project.diags.push(d);
            return Ok(refused(project));
        }
    };
    let feed = project.take_feed();
    let outcome = publish::publish(&feed, &project.root, &dir, review, opts)?;
    project.diags.extend(outcome.findings);
    Ok(match outcome.written {
        Some(written) => BuildOutcome {
            project,
            written,
            published: feed.items.len(),
        },
        None => refused(project),
    })
}

/// One rendered document.
#[derive(Debug, Clone)]
pub struct Output {
    /// Its file name, e.g. `feed.xml`.
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Renders every document of `feed` in memory and reads each back as a build
/// does (see [`build`], which writes them to files instead).
pub fn render(feed: &Feed) -> Result<Vec<Output>, Diagnostic> {
    publish::in_memory(feed)
}

/// Reads `bytes` back as the document `name` of `feed` (`feed.xml`,
/// `atom-2.xml`, `feed.json` …) as a build does, and checks that it holds
/// exactly what feedgen writes there: well-formed, the same items in order,
/// their identities and their notes. For a document already published, say.
pub fn verify(feed: &Feed, name: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    publish::verify_document(feed, name, bytes)
}
