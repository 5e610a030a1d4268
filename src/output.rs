//! Writing outputs: each document is written into a temporary dot file in the
//! output directory as its chunks are rendered and verified (see
//! [`crate::assemble`]), synced, and renamed into place only after *all* of them
//! were written, verified and the ledger agreed, so readers never see half a
//! feed and a failed build leaves the last good feed byte-identical. A lock on
//! the directory keeps two builds from interleaving.

use std::fs::{self, File};
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

/// A staged file being written: every [`WRITEBACK_STEP`] bytes it asks the
/// kernel to start writing them to disk (Linux `sync_file_range`, which does
/// not wait), so the sync before publishing finds little left to do. At 10k
/// episodes the last document's sync otherwise took ~30 ms after everything
/// else was done; not syncing at all is no way out, as ext4 then flushes the
/// data in the rename.
pub struct Staging {
    file: File,
    written: u64,
    started: u64,
}

/// How much is written between two writeback requests.
pub const WRITEBACK_STEP: u64 = 8 << 20;

impl Staging {
    pub fn new(file: File) -> Self {
        Staging {
            file,
            written: 0,
            started: 0,
        }
    }
    pub fn file(&self) -> &File {
        &self.file
    }
    #[cfg(target_os = "linux")]
    fn start_writeback(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: a plain system call on a file descriptor this value owns; the
        // range lies within what was written. Only a hint: errors are ignored
        // (the sync before publishing reports any).
        unsafe {
            libc::sync_file_range(
                self.file.as_raw_fd(),
                self.started as libc::off64_t,
                (self.written - self.started) as libc::off64_t,
                libc::SYNC_FILE_RANGE_WRITE,
            );
        }
        self.started = self.written;
    }
    #[cfg(not(target_os = "linux"))]
    fn start_writeback(&mut self) {}
}

impl std::io::Write for Staging {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.written += n as u64;
        if self.written - self.started >= WRITEBACK_STEP {
            self.start_writeback();
        }
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

/// A document written to a temporary file in the output directory (a dot file,
/// named after the process), not yet visible under its own name.
#[derive(Debug, Clone)]
pub struct Staged {
    pub name: String,
    pub tmp: PathBuf,
}

/// Creates the temporary file for one document in `dir` (a dot file named after
/// the process, not yet visible under its own name).
pub fn create_staged(dir: &Path, name: &str) -> std::io::Result<(Staged, File)> {
    fs::create_dir_all(dir)?;
    // Staging happens before the directory lock is taken, so two builds in one
    // process must not share a temporary name (one would verify or publish the
    // other's bytes): process id plus a per-process sequence number.
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.tmp-{}-{seq}", std::process::id()));
    let file = File::create(&tmp)?;
    Ok((
        Staged {
            name: name.to_string(),
            tmp,
        },
        file,
    ))
}

/// Removes staged files that will not be published.
pub fn discard(staged: &[Staged]) {
    for s in staged {
        let _ = fs::remove_file(&s.tmp);
    }
}

/// Renames staged files into place (each rename is atomic) and removes stale
/// archive pages.
pub fn commit(
    dir: &Path,
    staged: &[Staged],
    stale_prefixes: &[&str],
) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    for s in staged {
        let dest = dir.join(&s.name);
        fs::rename(&s.tmp, &dest)?;
        written.push(dest);
    }
    // Archive pages from an earlier, longer build would point at wrong neighbours.
    let keep: std::collections::HashSet<&str> = staged.iter().map(|o| o.name.as_str()).collect();
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
