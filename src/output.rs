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

/// A staged file being written, through a buffer of its own (callers need no
/// `BufWriter`).
///
/// On Linux the file is opened with `O_DIRECT` where the file system allows it:
/// whole [`BLOCK`]s go from the buffer straight to the device, without a copy
/// into the page cache. At 10k episodes the build writes 210 MB; through the
/// page cache that cost ~60 ms of CPU (copying, allocating the cache's pages,
/// the kernel's writeback threads) and another ~15 ms in the next build's
/// commit, which dropped the replaced files' cached pages. On this VM, pages the
/// host had taken back made that cost swing by a factor of ten. A build is
/// CPU-bound on two cores, and the device takes the data faster than the
/// documents are rendered, so waiting for it costs the render nothing. The
/// last partial block (`O_DIRECT` writes whole blocks only) is written through
/// the page cache, after `O_DIRECT` is switched off.
///
/// Where `O_DIRECT` is refused (tmpfs, other systems), the file is written
/// normally, and every [`WRITEBACK_STEP`] bytes the kernel is asked to start
/// writing them (Linux `sync_file_range`, which does not wait), so the sync
/// before publishing finds little left to do; not syncing at all is no way
/// out, as ext4 then flushes the data in the rename.
pub struct Staging {
    file: File,
    /// A [`BLOCK`] plus room to align it: `buf[at..at + len]` holds what is
    /// not written yet, `at` being where the block-aligned window starts.
    buf: Vec<u8>,
    at: usize,
    len: usize,
    direct: bool,
    written: u64,
    started: u64,
}

/// What one write hands to the device: whole blocks of the device's sector
/// size (4096 covers every common device) from a buffer aligned alike.
pub const BLOCK: usize = 1 << 20;
const ALIGN: usize = 4096;

/// How much is written between two writeback requests when not direct.
pub const WRITEBACK_STEP: u64 = 8 << 20;

impl Staging {
    /// `file` must have been opened by [`create_staged`] (which tries
    /// `O_DIRECT`); `direct` says whether it was.
    fn new(file: File, direct: bool) -> Self {
        let buf = vec![0u8; BLOCK + ALIGN];
        let at = buf.as_ptr().align_offset(ALIGN);
        Staging {
            file,
            buf,
            at,
            len: 0,
            direct,
            written: 0,
            started: 0,
        }
    }
    pub fn file(&self) -> &File {
        &self.file
    }
    /// Whether the file is (still) written with `O_DIRECT`.
    pub fn is_direct(&self) -> bool {
        self.direct
    }
    /// Writes `buf[at..at + n]` (`n` a multiple of [`ALIGN`] when direct).
    fn write_out(&mut self, n: usize) -> std::io::Result<()> {
        use std::io::Write;
        let mut off = 0;
        while off < n {
            match (&self.file).write(&self.buf[self.at + off..self.at + n]) {
                Ok(0) => return Err(std::io::ErrorKind::WriteZero.into()),
                Ok(k) => off += k,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                // A file system that took `O_DIRECT` at open but refuses the
                // write itself: go through the page cache instead.
                Err(e) if self.direct && e.kind() == std::io::ErrorKind::InvalidInput => {
                    self.stop_direct()?;
                }
                Err(e) => return Err(e),
            }
            // A direct write of whole blocks that came back short leaves an
            // unaligned rest, which the page cache takes.
            if self.direct && off % ALIGN != 0 {
                self.stop_direct()?;
            }
        }
        self.buf
            .copy_within(self.at + n..self.at + self.len, self.at);
        self.len -= n;
        self.written += n as u64;
        if !self.direct && self.written - self.started >= WRITEBACK_STEP {
            self.start_writeback();
        }
        Ok(())
    }
    #[cfg(target_os = "linux")]
    fn stop_direct(&mut self) -> std::io::Result<()> {
        use std::os::fd::AsRawFd;
        let fd = self.file.as_raw_fd();
        // SAFETY: fcntl on a descriptor this value owns; no memory is passed.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_DIRECT) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        self.direct = false;
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    fn stop_direct(&mut self) -> std::io::Result<()> {
        self.direct = false;
        Ok(())
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
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = data.len().min(BLOCK - self.len);
        self.buf[self.at + self.len..self.at + self.len + n].copy_from_slice(&data[..n]);
        self.len += n;
        if self.len == BLOCK {
            self.write_out(BLOCK)?;
        }
        Ok(n)
    }
    /// Writes out everything buffered. The whole blocks go direct; the rest
    /// (a file's last partial block) needs `O_DIRECT` off, and the file is
    /// written through the page cache from then on.
    fn flush(&mut self) -> std::io::Result<()> {
        let whole = self.len / ALIGN * ALIGN;
        if self.direct && whole > 0 {
            self.write_out(whole)?;
        }
        if self.len > 0 {
            if self.direct {
                self.stop_direct()?;
            }
            self.write_out(self.len)?;
        }
        Ok(())
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
/// the process, not yet visible under its own name), ready to be written.
pub fn create_staged(dir: &Path, name: &str) -> std::io::Result<(Staged, Staging)> {
    fs::create_dir_all(dir)?;
    // Staging happens before the directory lock is taken, so two builds in one
    // process must not share a temporary name (one would verify or publish the
    // other's bytes): process id plus a per-process sequence number.
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.tmp-{}-{seq}", std::process::id()));
    let (file, direct) = create_direct(&tmp)?;
    Ok((
        Staged {
            name: name.to_string(),
            tmp,
        },
        Staging::new(file, direct),
    ))
}

/// Creates `path` for writing with `O_DIRECT` (see [`Staging`]), or without it
/// where the file system refuses it (tmpfs does). Says which.
#[cfg(target_os = "linux")]
fn create_direct(path: &Path) -> std::io::Result<(File, bool)> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    match opts.clone().custom_flags(libc::O_DIRECT).open(path) {
        Ok(f) => Ok((f, true)),
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => Ok((opts.open(path)?, false)),
        Err(e) => Err(e),
    }
}

#[cfg(not(target_os = "linux"))]
fn create_direct(path: &Path) -> std::io::Result<(File, bool)> {
    Ok((File::create(path)?, false))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// Bytes that differ at every offset, so a block written twice, skipped or
    /// shifted shows.
    fn pattern(n: usize) -> Vec<u8> {
        (0..n).map(|i| (i * 7 + i / 4093) as u8).collect()
    }

    /// Writes `total` bytes in pieces of the given sizes (cycled), flushes, and
    /// returns what the file holds and whether it was still direct before the
    /// flush.
    fn roundtrip(w: &mut Staging, path: &Path, total: usize, pieces: &[usize]) -> Vec<u8> {
        let data = pattern(total);
        let mut off = 0;
        for &p in pieces.iter().cycle() {
            if off == total {
                break;
            }
            let end = (off + p).min(total);
            w.write_all(&data[off..end]).unwrap();
            off = end;
        }
        w.flush().unwrap();
        w.file().sync_all().unwrap();
        let got = fs::read(path).unwrap();
        assert_eq!(got.len(), total, "length");
        assert!(got == data, "content differs");
        got
    }

    #[test]
    fn staged_files_hold_exactly_what_was_written_direct_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let sizes = [
            0,
            1,
            ALIGN - 1,
            ALIGN,
            ALIGN + 1,
            BLOCK - 1,
            BLOCK,
            BLOCK + 1,
            3 * BLOCK + 12_345,
        ];
        let pieces: [&[usize]; 3] = [&[1 << 16], &[1, 4095, 70_000, 3], &[BLOCK + 7]];
        for (k, &total) in sizes.iter().enumerate() {
            for (j, p) in pieces.iter().enumerate() {
                // Through create_staged: direct where the file system allows it.
                let (staged, mut w) = create_staged(dir.path(), &format!("d{k}-{j}.xml")).unwrap();
                let was_direct = w.is_direct();
                roundtrip(&mut w, &staged.tmp, total, p);
                // The unaligned rest of a file goes through the page cache.
                if was_direct {
                    assert_eq!(w.is_direct(), total % ALIGN == 0, "size {total}");
                }
                // And the plain path, as on a file system that refuses O_DIRECT.
                let path = dir.path().join(format!("b{k}-{j}.xml"));
                let mut w = Staging::new(File::create(&path).unwrap(), false);
                roundtrip(&mut w, &path, total, p);
                assert!(!w.is_direct());
            }
        }
    }

    #[test]
    fn a_staged_file_takes_more_writes_after_a_flush() {
        let dir = tempfile::tempdir().unwrap();
        let (staged, mut w) = create_staged(dir.path(), "feed.xml").unwrap();
        let data = pattern(2 * BLOCK + 999);
        w.write_all(&data[..BLOCK + 5]).unwrap();
        w.flush().unwrap();
        w.write_all(&data[BLOCK + 5..]).unwrap();
        w.flush().unwrap();
        w.flush().unwrap();
        assert!(fs::read(&staged.tmp).unwrap() == data);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn staged_files_bypass_the_page_cache_on_this_machine() {
        // Not a requirement of the format: this machine's file systems (ext4,
        // tmpfs) take O_DIRECT, and the build's speed depends on it
        // (docs/performance.md). A failure here means the build silently took
        // the slower path.
        let dir = tempfile::tempdir().unwrap();
        let (_, w) = create_staged(dir.path(), "feed.xml").unwrap();
        assert!(w.is_direct());
    }
}
