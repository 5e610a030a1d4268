//! Local media, transcript and chapters files. feedgen reads them and
//! publishes their URLs, so each must stay inside the project once every
//! symlink is followed, and be a regular file: a transcript linked to
//! /etc/passwd, or a media folder linked elsewhere, is refused, and a dangling
//! link is not published as if it existed.

use std::ops::Range;
use std::path::{Component, Path, PathBuf};

use super::episode::Resolver;
use crate::diag::Rule;
use crate::input::regular_file::kind;

/// Why a local path cannot be used.
enum Refusal {
    /// The path as written climbs out of the project, or is absolute.
    Outside,
    /// Nothing is there.
    Missing,
    /// A symlink whose target does not exist.
    Dangling(PathBuf),
    /// Following its symlinks leads outside the project.
    LeadsTo(PathBuf),
    /// A folder, FIFO, device or socket.
    NotAFile(&'static str),
}

impl Resolver<'_, '_> {
    /// Finds a local file next to the episode, then under the project root.
    fn find_local(&self, rel: &str) -> Result<PathBuf, Refusal> {
        let candidates: Vec<PathBuf> = [self.dir, self.ctx.root]
            .into_iter()
            .filter(|base| self.stays_inside(base, rel))
            .map(|base| base.join(rel))
            .collect();
        if candidates.is_empty() {
            return Err(Refusal::Outside);
        }
        // The first that is there at all, a dangling link included.
        let Some(path) = candidates
            .into_iter()
            .find(|p| std::fs::symlink_metadata(p).is_ok())
        else {
            return Err(Refusal::Missing);
        };
        let Ok(real) = path.canonicalize() else {
            let target = std::fs::read_link(&path).unwrap_or_else(|_| path.clone());
            return Err(Refusal::Dangling(target));
        };
        if !real.starts_with(&self.ctx.canon_root) {
            return Err(Refusal::LeadsTo(real));
        }
        match std::fs::metadata(&real) {
            Ok(m) if m.is_file() => Ok(path),
            Ok(m) => Err(Refusal::NotAFile(kind(&m))),
            Err(_) => Err(Refusal::Missing),
        }
    }

    /// Whether `rel` joined to `base` stays inside the project, judged by its
    /// components without touching the disk (absolute paths never do).
    pub(super) fn stays_inside(&self, base: &Path, rel: &str) -> bool {
        let mut depth = base
            .strip_prefix(self.ctx.root)
            .map(|b| b.components().count())
            .unwrap_or(0) as isize;
        Path::new(rel).components().all(|c| {
            match c {
                Component::Normal(_) => depth += 1,
                Component::CurDir => {}
                Component::ParentDir => depth -= 1,
                _ => return false,
            }
            depth >= 0
        })
    }

    /// The local file `rel` names, or a finding that says why there is none.
    pub(super) fn local_or_report(
        &mut self,
        rel: &str,
        span: Range<usize>,
        what: &str,
    ) -> Option<PathBuf> {
        let refusal = match self.find_local(rel) {
            Ok(p) => return Some(p),
            Err(r) => r,
        };
        let (rule, message, help) = match refusal {
            Refusal::Outside => (
                Rule::UnsafePath,
                format!("{what} `{rel}` leads outside the project"),
                "media, transcripts and chapters must live inside the project",
            ),
            Refusal::LeadsTo(real) => (
                Rule::UnsafePath,
                format!(
                    "{what} `{rel}` leads outside the project: its links lead to {}",
                    real.display()
                ),
                "copy the file into the project instead of linking to it",
            ),
            Refusal::Missing => (
                Rule::MediaFile,
                format!("{what} `{rel}` does not exist"),
                "paths are relative to the episode's folder or to podcast.toml",
            ),
            Refusal::Dangling(target) => (
                Rule::MediaFile,
                format!(
                    "{what} `{rel}` is a symlink to {}, which does not exist",
                    target.display()
                ),
                "point the link at the file, or replace the link with the file",
            ),
            Refusal::NotAFile(kind) => (
                Rule::MediaFile,
                format!("{what} `{rel}` is {kind}, not a regular file"),
                "name a file",
            ),
        };
        self.push(rule, span, message).help = Some(help.into());
        None
    }

    /// The public URL of a local file: `media_base_url` + the path as written.
    pub(super) fn publish_url(&mut self, rel: &str, span: Range<usize>) -> Option<String> {
        let rel = rel.trim_start_matches("./");
        match &self.ctx.show.media_base_url {
            Some(base) => base.join(rel).ok().map(|u| u.to_string()),
            // podcast.toml could not be read: its own finding says why, and
            // one more per media file would only bury it.
            None if !self.ctx.show.loaded => None,
            None => {
                self.push(
                    Rule::MissingField,
                    span,
                    format!("`{rel}` is a local file, but podcast.toml has no media_base_url"),
                )
                .help =
                    Some("set [podcast] media_base_url to where media files are published".into());
                None
            }
        }
    }
}
