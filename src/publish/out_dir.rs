//! The output folder: `--out`, else `[output] dir`, else `public/`. What
//! podcast.toml names must lead, by its real path, to a folder inside the
//! project unless `allow_outside = true`; `--out` is trusted wherever it
//! leads (the user named it). Either must be a folder, or a path where one
//! can be made.

use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::diag::{Diagnostic, Rule};
use crate::model::Show;
use crate::{Error, Options};

/// The output folder; a finding when podcast.toml's leads outside the
/// project; a usage error when it cannot be a folder.
pub(crate) fn output_dir(
    root: &Path,
    show: &Show,
    opts: &Options,
) -> Result<Result<PathBuf, Diagnostic>, Error> {
    if let Some(o) = &opts.out {
        if let Some(why) = not_a_folder(o) {
            return Err(Error::Usage(format!("--out {} {why}", o.display())));
        }
        return Ok(Ok(o.clone()));
    }
    let rel = show.output.dir.clone().unwrap_or_else(|| "public".into());
    let outside = |message: String| {
        Diagnostic::new(Rule::UnsafePath, message)
            .help("pass --out DIR, or set [output] allow_outside = true")
    };
    let lexical_escape = Path::new(&rel).is_absolute()
        || Path::new(&rel)
            .components()
            .any(|c| matches!(c, Component::ParentDir));
    let allow = show.output.allow_outside;
    if lexical_escape && !allow {
        return Ok(Err(outside(format!(
            "output dir `{rel}` is outside the project"
        ))));
    }
    let dir = root.join(&rel);
    if let Some(why) = not_a_folder(&dir) {
        return Err(Error::Usage(format!(
            "[output] dir `{rel}` ({}) {why}",
            dir.display()
        )));
    }
    if !allow {
        // Symlinks are followed: `public` may be a link to anywhere.
        let real = real_path(&dir);
        let project = fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        if !real.starts_with(&project) {
            return Ok(Err(outside(format!(
                "output dir `{rel}` leads outside the project, to {}",
                real.display()
            ))));
        }
    }
    Ok(Ok(dir))
}

/// Why `path` cannot be the output folder, if it cannot: it is a file, a
/// symlink to nothing or to a file, or one of its folders is.
fn not_a_folder(path: &Path) -> Option<String> {
    match entry(path) {
        Some(Ok(())) => None,
        Some(Err(why)) => Some(why),
        None => path.ancestors().skip(1).find_map(|a| match entry(a)? {
            Ok(()) => Some(None),
            Err(why) => Some(Some(format!(
                "cannot be made: its folder {} {why}",
                a.display()
            ))),
        })?,
    }
}

/// What is at `path`: nothing (`None`), a folder (`Ok`), or else why it is
/// not one.
fn entry(path: &Path) -> Option<Result<(), String>> {
    if path.as_os_str().is_empty() {
        return None;
    }
    let own = fs::symlink_metadata(path).ok()?;
    if own.is_symlink() {
        let to = fs::read_link(path).map_or_else(|_| "?".into(), |t| t.display().to_string());
        return Some(match fs::metadata(path) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(format!("is a symlink to {to}, which is not a folder")),
            Err(_) => Err(format!("is a symlink to {to}, which does not exist")),
        });
    }
    Some(if own.is_dir() {
        Ok(())
    } else {
        Err("is a file, not a folder".into())
    })
}

/// The real path of `dir`: its nearest existing ancestor's, symlinks
/// resolved, with the rest of `dir` (plain names) after it.
fn real_path(dir: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut at = dir;
    loop {
        if let Ok(real) = fs::canonicalize(at) {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (at.parent(), at.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                at = parent;
            }
            _ => return dir.to_path_buf(),
        }
    }
}
