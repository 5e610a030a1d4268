//! Writing outputs atomically: each document goes to a temporary file in the
//! output folder, is synced, read back, and only then renamed into place, all
//! of them together; the folder is synced after the renames. Readers never see
//! half a feed, and a failed build leaves the last good one as it was.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A document written to a temporary file in the output folder, not yet
/// visible under its own name.
#[derive(Debug, Clone)]
pub(crate) struct Staged {
    pub name: String,
    pub tmp: PathBuf,
}

/// A document being written to its temporary file.
pub(crate) struct Staging {
    staged: Staged,
    out: BufWriter<File>,
}

/// Creates the temporary file for document `name` in `dir` (a dot file named
/// after the process).
pub(crate) fn create(dir: &Path, name: &str) -> std::io::Result<Staging> {
    // Two builds in one process must not share a temporary name: the
    // process id and a sequence number.
    static SEQ: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let staged = Staged {
        name: name.to_string(),
        tmp: dir.join(format!(".{name}.tmp-{}-{seq}", std::process::id())),
    };
    let out = BufWriter::with_capacity(1 << 20, File::create(&staged.tmp)?);
    Ok(Staging { staged, out })
}

impl Staging {
    /// Where the file is.
    pub(crate) fn staged(&self) -> &Staged {
        &self.staged
    }

    /// Writes what is buffered and syncs the file.
    pub(crate) fn finish(self) -> std::io::Result<Staged> {
        let file = self.out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        Ok(self.staged)
    }
}

impl Write for Staging {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.out.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.out.write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// Removes staged files that will not be published.
pub(crate) fn discard(staged: &[Staged]) {
    for s in staged {
        let _ = fs::remove_file(&s.tmp);
    }
}

/// Renames staged files into place (each rename is atomic), removes archive
/// pages an earlier, longer build left (they would point at wrong
/// neighbours), and syncs the folder.
pub(crate) fn commit(
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

    #[test]
    fn staged_files_hold_what_was_written_until_committed() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..3_000_000u32)
            .map(|i| (i * 7 + i / 4093) as u8)
            .collect();
        let mut w = create(dir.path(), "feed.xml").unwrap();
        data.chunks(70_001).for_each(|c| w.write_all(c).unwrap());
        let s = w.finish().unwrap();
        assert!(!dir.path().join("feed.xml").exists());
        assert!(fs::read(&s.tmp).unwrap() == data);
        let written = commit(dir.path(), &[s], &[]).unwrap();
        assert_eq!(written, vec![dir.path().join("feed.xml")]);
        assert!(fs::read(dir.path().join("feed.xml")).unwrap() == data);
    }
}
