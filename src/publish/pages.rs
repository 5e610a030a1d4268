//! The show's web pages staged beside the feeds: each rendered, written to
//! the staging folder, synced, read back and checked ([`verify::page`]),
//! in parallel and a page at a time, so they are never all in memory. A
//! page already published with the same bytes is checked as it is and kept:
//! most pages of a show do not change from one build to the next, and a new
//! file costs the file system far more than reading one.

use std::collections::HashSet;
use std::fs;
use std::io::Write;
use std::path::Path;

use rayon::prelude::*;

use super::manifest;
use super::staging::{Area, Staged};
use super::verify;
use crate::diag::{Diagnostic, Rule};
use crate::input;
use crate::model::Feed;
use crate::render::pages::{self, Theme, Which};
use crate::render::RenderError;

/// A page that may not be written where it goes (a file of someone else's,
/// or a link, is there).
fn unsafe_path(what: String) -> Failure {
    Failure::Refused(
        Diagnostic::new(Rule::UnsafePath, what).help(
            "move it out of the output folder, or set [site] enabled = false; if an earlier feedgen build wrote it, delete it",
        ),
    )
}

/// Why the pages could not be staged.
pub(crate) enum Failure {
    /// Writing failed.
    Io(std::io::Error),
    /// A page could not be rendered, or was not as rendered when read back.
    Refused(Diagnostic),
}

/// The pages of a build: those staged to replace or add a file, and those
/// published as they are already (their names).
#[derive(Default)]
pub(crate) struct Pages {
    pub staged: Vec<Staged>,
    pub kept: Vec<String>,
}

/// Renders, stages and verifies every page of `feed` for the output folder
/// `dir` (none when `[site]` is off). The caller holds the folder's lock, so
/// a page kept stays as it was compared.
pub(crate) fn stage(
    feed: &Feed,
    area: &Area,
    dir: &Path,
    written_before: &[String],
) -> Result<Pages, Failure> {
    let ours: HashSet<&str> = written_before.iter().map(String::as_str).collect();
    let theme = Theme::of(&feed.show.site).map_err(|e| {
        Failure::Refused(Diagnostic::new(
            Rule::TemplateError,
            format!("the page templates failed: {e}"),
        ))
    })?;
    let each: Vec<Result<Staged, String>> = pages::pages(feed)
        .into_par_iter()
        .map(|(which, page)| {
            let refused = |what: String| {
                Failure::Refused(Diagnostic::new(
                    Rule::OutputVerify,
                    format!("{} failed verification: {what}", page.path),
                ))
            };
            let transcript = match which {
                Which::Episode(i) => feed.items[i]
                    .transcripts
                    .iter()
                    .find_map(|t| input::transcript::read(t.file.as_deref()?, &t.mime)),
                Which::Show(_) => None,
            };
            let transcript = transcript.unwrap_or_default();
            let html = pages::render(&theme, feed, which, &transcript).map_err(|e| match e {
                RenderError::Io(e) => Failure::Io(e),
                RenderError::Document(what) => refused(what),
            })?;
            let published = dir.join(&page.path);
            if manifest::through_link(dir, &page.path) {
                return Err(unsafe_path(format!(
                    "{} would be written through a link in the output folder, which feedgen never follows",
                    page.path
                )));
            }
            let old = fs::read(&published).ok();
            if old.is_some() && !ours.contains(page.path.as_str()) && old.as_deref() != Some(html.as_bytes()) {
                return Err(unsafe_path(format!(
                    "{} is in the output folder but feedgen did not write it; the page for it would replace it",
                    page.path
                )));
            }
            if old.as_deref() == Some(html.as_bytes()) {
                verify::page(html.as_bytes(), &page.expect).map_err(refused)?;
                return Ok(Err(page.path));
            }
            let mut out = area.create(&page.path).map_err(Failure::Io)?;
            out.write_all(html.as_bytes()).map_err(Failure::Io)?;
            let staged = out.finish().map_err(Failure::Io)?;
            let back = fs::read(&staged.tmp).map_err(Failure::Io)?;
            verify::page(&back, &page.expect).map_err(refused)?;
            Ok(Ok(staged))
        })
        .collect::<Result<_, Failure>>()?;
    let mut pages = Pages::default();
    for p in each {
        match p {
            Ok(staged) => pages.staged.push(staged),
            Err(kept) => pages.kept.push(kept),
        }
    }
    Ok(pages)
}
