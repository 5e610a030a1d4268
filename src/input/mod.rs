//! The input stage: podcast.toml and the episode files, found, read, decoded
//! and parsed. Nothing here judges what an episode means; that is the
//! resolver's work, which takes each episode as soon as it is parsed.

pub(crate) mod config;
mod decode;
mod discover;
pub(crate) mod episode;
pub(crate) mod front_matter;
mod read;
pub(crate) mod regular_file;
pub(crate) mod templates;
pub(crate) mod transcript;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{Diagnostic, FileId, SourceDb, SourceFile, Span};
use crate::model::Show;
use crate::{timings, Error};
use episode::ParsedEpisode;

pub(crate) use discover::{discover, EpisodeFile, Listing};
pub(crate) use front_matter::{AudioSpec, RemoteAudio};

/// podcast.toml read and checked, and the episode files found.
pub(crate) struct Input {
    /// The project's folder: where podcast.toml is.
    pub root: PathBuf,
    /// podcast.toml.
    pub sources: SourceDb,
    pub show: Show,
    /// The episode files, in path order.
    pub files: Vec<EpisodeFile>,
    /// podcast.toml's findings.
    pub diags: Vec<Diagnostic>,
}

/// One episode file read: its source entry, what was made of it (nothing
/// when it could not be read as text), and the findings, in order.
pub(crate) struct Read<T> {
    pub source: SourceFile,
    pub made: Option<T>,
    pub diags: Vec<Diagnostic>,
}

/// The folder a podcast.toml path belongs to.
pub(crate) fn project_root(config: &Path) -> PathBuf {
    match config.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Shows a path relative to `root` when it is inside it.
pub(crate) fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Reads and checks podcast.toml, and finds the episode files.
pub(crate) fn open(config_path: &Path) -> Result<Input, Error> {
    let root = project_root(config_path);
    let mut sources = SourceDb::default();
    let (mut show, mut diags) = read_config(&root, config_path, &mut sources)?;
    if show.site.enabled {
        let (templates, found) = templates::read(&root, &mut sources);
        show.site.templates = templates;
        diags.extend(found);
    }
    let (files, skipped) = timings::stage("discover", || discover(&root))?;
    diags.extend(skipped);
    Ok(Input {
        root,
        sources,
        show,
        files,
        diags,
    })
}

impl Input {
    /// Reads and parses every episode file, in parallel, and hands each
    /// parsed episode to `then` on the thread that parsed it (so only what
    /// `then` makes of it is kept); `then` returns its findings too. Files
    /// get their ids in path order, after podcast.toml.
    pub(crate) fn read_episodes<T: Send>(
        &self,
        then: impl Fn(&EpisodeFile, ParsedEpisode) -> (T, Vec<Diagnostic>) + Sync,
    ) -> Vec<Read<T>> {
        let canon_root = self
            .root
            .canonicalize()
            .unwrap_or_else(|_| self.root.clone());
        let first = self.sources.next_id().0;
        let max = self.show.limits.max_episode_bytes;
        self.files
            .par_iter()
            .enumerate()
            .map(|(i, file)| {
                let id = FileId(first + i as u32);
                let name = display_path(&self.root, &file.path);
                match read::read_episode(&canon_root, file, max) {
                    Ok(text) => {
                        let mut parsed = episode::parse(id, &file.slug, &text, &self.show);
                        let mut diags = std::mem::take(&mut parsed.diags);
                        let (made, mut more) = then(file, parsed);
                        diags.append(&mut more);
                        Read {
                            source: SourceFile::new(name, file.path.clone(), text),
                            made: Some(made),
                            diags,
                        }
                    }
                    Err(e) => {
                        let end = e.span.end.min(e.shown.len());
                        let span = Span::new(id, e.span.start..end);
                        Read {
                            source: SourceFile::new(name, file.path.clone(), e.shown),
                            made: None,
                            diags: vec![e.finding.at_span(Some(span))],
                        }
                    }
                }
            })
            .collect()
    }
}

/// Reads and checks podcast.toml, adding it to `sources`.
fn read_config(
    root: &Path,
    path: &Path,
    sources: &mut SourceDb,
) -> Result<(Show, Vec<Diagnostic>), Error> {
    /// podcast.toml is a page of settings: a cap far above any show's.
    const MAX_BYTES: u64 = 1 << 20;
    let refuse = |source: std::io::Error| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let why = |m: String| refuse(std::io::Error::new(std::io::ErrorKind::InvalidInput, m));
    let bytes = match regular_file::read_regular(path, MAX_BYTES) {
        Ok(Some(b)) => b,
        Ok(None) => return Err(refuse(std::io::ErrorKind::NotFound.into())),
        Err(m) => return Err(why(m)),
    };
    let name = display_path(root, path);
    Ok(match decode::decode(&bytes) {
        Ok(text) => {
            let id = sources.add(SourceFile::new(name, path, text));
            config::load(id, &sources.get(id).text)
        }
        Err((lossy, e)) => {
            let id = sources.add(SourceFile::new(name, path, lossy));
            let d = decode::config_not_utf8(&e).at(id, e.caret.clone());
            (config::load(id, "").0, vec![d])
        }
    })
}
