//! Writing outputs: every document is verified, then written to a temporary file
//! in the output directory and renamed into place only after *all* of them were
//! written, so readers never see half a feed and a failed build leaves the last
//! good feed byte-identical. A lock file keeps two builds from interleaving.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

/// One file to publish.
#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Holds the output directory's lock until dropped.
pub struct DirLock {
    file: File,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Takes an exclusive advisory lock (flock) on the output directory itself,
/// waiting for another build; no lock file is left among the published files.
pub fn lock_dir(dir: &Path) -> std::io::Result<DirLock> {
    fs::create_dir_all(dir)?;
    let file = File::open(dir)?;
    file.lock()?;
    Ok(DirLock { file })
}

/// Like [`lock_dir`] but fails at once if another build holds the lock.
pub fn try_lock_dir(dir: &Path) -> std::io::Result<Option<DirLock>> {
    fs::create_dir_all(dir)?;
    let file = File::open(dir)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(DirLock { file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// Writes all outputs atomically (per file) and removes stale archive pages.
/// On any error before the renames, nothing visible has changed.
pub fn publish(
    dir: &Path,
    outputs: &[Output],
    stale_prefixes: &[&str],
) -> std::io::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir)?;
    let mut temps = Vec::new();
    let result = (|| {
        for o in outputs {
            let tmp = dir.join(format!(".{}.tmp-{}", o.name, std::process::id()));
            let mut f = File::create(&tmp)?;
            temps.push(tmp.clone());
            f.write_all(&o.bytes)?;
            f.sync_all()?;
        }
        Ok::<(), std::io::Error>(())
    })();
    if let Err(e) = result {
        for t in &temps {
            let _ = fs::remove_file(t);
        }
        return Err(e);
    }
    let mut written = Vec::new();
    for (o, tmp) in outputs.iter().zip(&temps) {
        let dest = dir.join(&o.name);
        fs::rename(tmp, &dest)?;
        written.push(dest);
    }
    // Archive pages from an earlier, longer build would point at wrong neighbours.
    let keep: std::collections::HashSet<&str> = outputs.iter().map(|o| o.name.as_str()).collect();
    if let Ok(entries) = fs::read_dir(dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            let is_page = stale_prefixes.iter().any(|p| {
                name.strip_prefix(p)
                    .and_then(|r| r.split_once('.'))
                    .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            });
            if is_page && !keep.contains(name.as_str()) {
                let _ = fs::remove_file(e.path());
            }
        }
    }
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(written)
}
