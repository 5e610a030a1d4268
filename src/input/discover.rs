//! Finding the episodes: `episodes/NNN.md` and `episodes/NNN/README.md`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Diagnostic, Rule};
use crate::Error;

/// An episode file found on disk.
#[derive(Debug, Clone)]
pub(crate) struct EpisodeFile {
    pub path: PathBuf,
    /// File stem or folder name, e.g. `006`.
    pub slug: String,
    /// The folder whose files belong to the episode (or holding `NNN.md`).
    pub dir: PathBuf,
    /// The files in `dir`, listed once while discovering: sidecar lookups
    /// (transcripts) ask it instead of the file system.
    pub listing: Arc<Listing>,
    /// Neither the file nor its folder is a symlink and the episodes folder is
    /// inside the project, so the file cannot lead outside it.
    pub plain: bool,
}

/// The files of an episode's folder.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listing {
    /// A `NNN/README.md` episode: sidecars are `transcript.*`, not `NNN.*`.
    pub folder: bool,
    /// File names (not folders) directly in the folder.
    pub names: HashSet<String>,
}

/// The files (and symlinks) directly in `dir`, by name.
fn list_files(dir: &Path) -> HashSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Finds the episode files under `root`, sorted by path. Names starting with
/// `_` or `.` (templates, drafts kept aside) are skipped; what looks like an
/// episode but cannot be read as one is reported (not-an-episode), never
/// skipped without a word.
pub(crate) fn discover(root: &Path) -> Result<(Vec<EpisodeFile>, Vec<Diagnostic>), Error> {
    let dir = root.join("episodes");
    let entries = std::fs::read_dir(&dir).map_err(|e| Error::Read {
        path: dir.clone(),
        source: e,
    })?;
    // A symlinked episodes folder may point anywhere: then every file is checked.
    let dir_inside = match (dir.canonicalize(), root.canonicalize()) {
        (Ok(d), Ok(r)) => d.starts_with(r),
        _ => false,
    };
    let mut found: Vec<(std::ffi::OsString, EpisodeFile)> = Vec::new();
    let mut flat_names = HashSet::new();
    let mut flat = Vec::new();
    let mut findings = Vec::new();
    for entry in entries.flatten() {
        let os_name = entry.file_name();
        let name = os_name.to_string_lossy().into_owned();
        let Ok(ft) = entry.file_type() else { continue };
        let path = entry.path();
        let is_dir = ft.is_dir() || (ft.is_symlink() && path.is_dir());
        if !is_dir {
            flat_names.insert(name.clone());
        }
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        if is_dir {
            let names = list_files(&path);
            if let Some(why) = not_an_episode_folder(&name, &names) {
                findings.push((name, why));
                continue;
            }
            if names.contains("README.md") {
                let readme = path.join("README.md");
                let readme_link = std::fs::symlink_metadata(&readme)
                    .map(|m| m.file_type().is_symlink())
                    .unwrap_or(true);
                found.push((
                    os_name,
                    EpisodeFile {
                        path: readme,
                        slug: name,
                        dir: path,
                        listing: Arc::new(Listing {
                            folder: true,
                            names,
                        }),
                        plain: dir_inside && !ft.is_symlink() && !readme_link,
                    },
                ));
            }
        } else if let Some(stem) = name.strip_suffix(".md") {
            if !stem.eq_ignore_ascii_case("readme") {
                flat.push((
                    os_name,
                    path,
                    stem.to_string(),
                    dir_inside && !ft.is_symlink(),
                ));
            }
        } else if let Some(ext) = markdown_lookalike(&name) {
            let why = format!("its extension is `.{ext}`; episodes end in `.md`");
            findings.push((name.clone(), why));
        }
    }
    // A numbered folder beside `NNN.md` holds that episode's files.
    findings.retain(|(name, why): &(String, String)| {
        why != NO_README || !flat_names.contains(&format!("{name}.md"))
    });
    let findings = findings
        .into_iter()
        .map(|(name, why)| not_an_episode(&name, why))
        .collect();
    let listing = Arc::new(Listing {
        folder: false,
        names: flat_names,
    });
    for (os_name, path, slug, plain) in flat {
        let file = EpisodeFile {
            path,
            slug,
            dir: dir.clone(),
            listing: listing.clone(),
            plain,
        };
        found.push((os_name, file));
    }
    // All share `dir`, so the entries' names give the path order.
    found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok((found.into_iter().map(|(_, e)| e).collect(), findings))
}

const NO_README: &str = "it is a numbered folder without a README.md";

/// Why the folder `name` in episodes/ looks like an episode but is not one.
/// Folders that are not numbered (media, drafts) are none of its business.
fn not_an_episode_folder(name: &str, names: &HashSet<String>) -> Option<String> {
    if name.len() > 3 && name[name.len() - 3..].eq_ignore_ascii_case(".md") {
        return Some("it is a folder, not a file".into());
    }
    if names.contains("README.md") {
        return None;
    }
    let other_readme = names.iter().find(|n| {
        let stem = n.split('.').next().unwrap_or("");
        stem.eq_ignore_ascii_case("readme")
    });
    match other_readme {
        Some(n) => Some(format!(
            "its notes are `{n}`; a folder episode's notes are `README.md`"
        )),
        None if name.starts_with(|c: char| c.is_ascii_digit()) => Some(NO_README.into()),
        None => None,
    }
}

/// The extension of a Markdown file named other than `.md` (`.MD`,
/// `.markdown`), which would otherwise be skipped without a word.
fn markdown_lookalike(name: &str) -> Option<&str> {
    let (stem, ext) = name.rsplit_once('.')?;
    let markdown = ["md", "markdown", "mdown", "mkd"]
        .iter()
        .any(|m| ext.eq_ignore_ascii_case(m));
    (markdown && ext != "md" && !stem.eq_ignore_ascii_case("readme")).then_some(ext)
}

fn not_an_episode(name: &str, why: String) -> Diagnostic {
    Diagnostic::new(
        Rule::NotAnEpisode,
        format!("`episodes/{name}` is not read as an episode: {why}"),
    )
    .help("an episode is `episodes/NNN.md` or `episodes/NNN/README.md`; rename or move it")
}
