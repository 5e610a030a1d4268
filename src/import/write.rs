//! Writing an imported show: all of it or nothing. The files are staged in
//! a folder inside the target and renamed into place; a failure undoes the
//! renames done and removes the stage. An existing show is refused, or with
//! `--force` moved into a backup folder first.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::convert::{self, Converted};
use crate::publish::lock::{lock_dir, try_lock_dir, DirLock};
use crate::publish::staging::{sync_dir, unique_suffix};
use crate::Error;

const SHOW_FILES: [&str; 3] = ["podcast.toml", "feedgen.lock", "episodes"];

/// The name of a staging folder starts so.
const STAGE: &str = ".feedgen-import.";

/// Usage error when `dir` already holds a show and `force` is off.
pub(crate) fn refuse_existing(dir: &Path, force: bool) -> Result<(), Error> {
    if force {
        return Ok(());
    }
    match existing(dir).first() {
        None => Ok(()),
        Some(name) => Err(Error::Usage(format!(
            "{} already holds a show ({name}); import changes nothing there. Import into an empty folder with --into, or pass --force to move the existing files into a backup folder first",
            dir.display()
        ))),
    }
}

/// The show files present in `dir` (an empty episodes folder does not count).
fn existing(dir: &Path) -> Vec<&'static str> {
    SHOW_FILES
        .into_iter()
        .filter(|name| {
            let p = dir.join(name);
            match fs::symlink_metadata(&p) {
                Err(_) => false,
                Ok(m) if m.is_dir() => fs::read_dir(&p)
                    .map(|mut d| d.next().is_some())
                    .unwrap_or(true),
                Ok(_) => true,
            }
        })
        .collect()
}

/// Writes the show; returns the files written and the backup folder, if any.
pub(crate) fn write(
    dir: &Path,
    show: &Converted,
    force: bool,
) -> Result<(Vec<PathBuf>, Option<PathBuf>), Error> {
    let made_dir = !dir.exists();
    fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
    let (stage, lock) = open_stage(dir)?;
    let result = stage_files(&stage, show).and_then(|()| commit(dir, &stage, force));
    let _ = fs::remove_dir_all(&stage);
    drop(lock);
    if result.is_err() && made_dir {
        let _ = fs::remove_dir(dir);
    }
    let backup = result?;
    let mut written = vec![dir.join("podcast.toml"), dir.join("feedgen.lock")];
    written.extend(
        show.episodes
            .iter()
            .map(|e| dir.join("episodes").join(format!("{}.md", e.stem))),
    );
    Ok((written, backup))
}

/// A new staging folder in `dir`, locked while this import runs. Stages
/// whose lock is free belong to imports that were killed: they go, as build
/// sweeps its own. The folder's lock makes sweeping and making one step.
fn open_stage(dir: &Path) -> Result<(PathBuf, DirLock), Error> {
    let _guard = lock_dir(dir).map_err(|e| write_error(dir, e))?;
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let stale = e.file_name().to_string_lossy().starts_with(STAGE)
                && matches!(try_lock_dir(&e.path()), Ok(Some(_)));
            if stale {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    let stage = dir.join(format!("{STAGE}{}", unique_suffix()));
    fs::create_dir(&stage).map_err(|e| write_error(&stage, e))?;
    let lock = lock_dir(&stage).map_err(|e| write_error(&stage, e))?;
    Ok((stage, lock))
}

fn stage_files(stage: &Path, show: &Converted) -> Result<(), Error> {
    let episodes = stage.join("episodes");
    fs::create_dir_all(&episodes).map_err(|e| write_error(&episodes, e))?;
    put(
        &stage.join("podcast.toml"),
        &show.config.text(&show.comments),
    )?;
    // Each file is synced before the rename; the syncs wait on the disk,
    // so they wait side by side.
    show.episodes
        .par_iter()
        .try_for_each(|ep| put(&episodes.join(format!("{}.md", ep.stem)), &ep.text()))?;
    put(
        &stage.join("feedgen.lock"),
        &convert::ledger(&show.episodes).text(),
    )?;
    sync_dir(&episodes);
    Ok(())
}

fn put(path: &Path, text: &str) -> Result<(), Error> {
    fs::File::create(path)
        .and_then(|mut f| {
            f.write_all(text.as_bytes())?;
            f.sync_all()
        })
        .map_err(|e| write_error(path, e))
}

/// Moves the staged files into `dir`, the existing show aside first when
/// forced. Undoes every move when one fails.
fn commit(dir: &Path, stage: &Path, force: bool) -> Result<Option<PathBuf>, Error> {
    let present = existing(dir);
    let backup = if force && !present.is_empty() {
        let b = dir.join(format!(
            ".feedgen-import-backup-{}",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ")
        ));
        fs::create_dir(&b).map_err(|e| write_error(&b, e))?;
        Some(b)
    } else {
        None
    };
    let mut done: Vec<(PathBuf, PathBuf)> = Vec::new();
    let mut step = |from: PathBuf, to: PathBuf| -> Result<(), Error> {
        fs::rename(&from, &to).map_err(|e| write_error(&to, e))?;
        done.push((from, to));
        Ok(())
    };
    let mut run = || -> Result<(), Error> {
        if let Some(b) = &backup {
            for name in &present {
                step(dir.join(name), b.join(name))?;
            }
        }
        for name in SHOW_FILES {
            let target = dir.join(name);
            // An empty episodes folder is replaced, never merged into.
            if target.is_dir() {
                fs::remove_dir(&target).map_err(|e| write_error(&target, e))?;
            }
            step(stage.join(name), target)?;
        }
        Ok(())
    };
    match run() {
        Ok(()) => {
            // The renames survive a crash once the folder is synced.
            sync_dir(dir);
            Ok(backup)
        }
        Err(e) => {
            for (from, to) in done.into_iter().rev() {
                let _ = fs::rename(&to, &from);
            }
            if let Some(b) = &backup {
                let _ = fs::remove_dir(b);
            }
            Err(e)
        }
    }
}

fn write_error(path: &Path, source: std::io::Error) -> Error {
    Error::Write {
        path: path.to_path_buf(),
        source,
    }
}
