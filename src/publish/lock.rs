//! The output folder's lock: two builds never interleave their commits.

use std::fs::{self, File};
use std::path::Path;

/// Holds the lock until dropped.
pub(crate) struct DirLock {
    file: File,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// Takes an exclusive advisory lock (flock) on the folder itself, waiting for
/// another build; no lock file is left among the published files.
pub(crate) fn lock_dir(dir: &Path) -> std::io::Result<DirLock> {
    fs::create_dir_all(dir)?;
    let file = File::open(dir)?;
    file.lock()?;
    Ok(DirLock { file })
}
