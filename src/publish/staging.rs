//! Writing outputs atomically. Each document goes to a staging folder of the
//! build's own, outside the output folder, is synced, read back, and only then
//! renamed into place with the others; a rename that fails puts back the files
//! already replaced. Readers never see half a feed, a failed build leaves the
//! last good one as it was, and a killed build leaves nothing among the
//! published files.
//!
//! The staging folders of an output folder `public` are in its workspace,
//! `.public.feedgen` beside it (on the same file system, so a rename is
//! atomic), as `stage-<pid>-<n>`. Each is locked while its build runs; the
//! next build removes those whose lock it can take, left by builds that died.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::lock::{lock_dir, try_lock_dir, DirLock};

/// A name no other build uses: the process id and a number counted in the
/// process (two builds in one process must not share one either).
pub(crate) fn unique_suffix() -> String {
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let seq = SEQ.fetch_add(1, Ordering::Relaxed);
    format!("{}-{seq}", std::process::id())
}

/// The staging folder of one build, locked until it is dropped, when it is
/// removed with whatever it still holds.
pub(crate) struct Area {
    /// The build's staging folder.
    pub dir: PathBuf,
    /// The workspace it is in, which also keeps the manifest.
    pub workspace: PathBuf,
    made_workspace: bool,
    lock: Option<DirLock>,
    /// Web pages staged so far, which name their staged files.
    pages: AtomicU64,
}

/// Where the workspace of the output folder `out` (an existing folder) may
/// go, best first: beside it, when that is on the same file system and not
/// the project's parent (`out` is the project itself), else inside it.
fn workspaces(out: &Path, project: &Path) -> Vec<PathBuf> {
    let mut places = Vec::new();
    let real = fs::canonicalize(out).unwrap_or_else(|_| out.to_path_buf());
    let is_project = fs::canonicalize(project).is_ok_and(|p| p == real);
    if let (Some(parent), Some(name)) = (real.parent(), real.file_name()) {
        if !is_project && same_device(parent, &real) {
            let name = name.to_string_lossy();
            places.push(parent.join(format!(".{name}.feedgen")));
        }
    }
    places.push(real.join(".feedgen"));
    places
}

#[cfg(unix)]
fn same_device(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_device(_: &Path, _: &Path) -> bool {
    true
}

impl Area {
    /// Makes this build's staging folder for the output folder `out` (which
    /// exists) of the project in `project`, after removing the staging
    /// folders of builds that are no longer running.
    pub(crate) fn open(out: &Path, project: &Path) -> std::io::Result<Area> {
        let mut last = None;
        for workspace in workspaces(out, project) {
            // A workspace that cannot be made (a read-only parent), or is a
            // symlink to who knows where, is passed over for the next.
            let own = fs::symlink_metadata(&workspace);
            if own.as_ref().is_ok_and(|m| !m.is_dir()) {
                continue;
            }
            let made_workspace = own.is_err();
            if let Err(e) = fs::create_dir_all(&workspace) {
                last = Some(e);
                continue;
            }
            // Another build removes the workspace it made when it fails, if
            // it is empty: made again then.
            for _ in 0..3 {
                match Area::make(&workspace, made_workspace) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        last = Some(e);
                        let _ = fs::create_dir_all(&workspace);
                    }
                    made => return made,
                }
            }
        }
        Err(last.unwrap_or_else(|| std::io::Error::other("no place to stage the outputs")))
    }

    fn make(workspace: &Path, made_workspace: bool) -> std::io::Result<Area> {
        // Under the workspace's lock a staging folder is made and locked in
        // one step: one that is unlocked is never one being made.
        let _guard = lock_dir(workspace)?;
        sweep(workspace);
        let dir = workspace.join(format!("stage-{}", unique_suffix()));
        fs::create_dir(&dir)?;
        let lock = lock_dir(&dir)?;
        Ok(Area {
            dir,
            workspace: workspace.to_path_buf(),
            made_workspace,
            lock: Some(lock),
            pages: AtomicU64::new(0),
        })
    }

    /// Creates the staging file of document `name`.
    pub(crate) fn create(&self, name: &str) -> std::io::Result<Staging> {
        // A web page's name has folders (`episodes/8/index.html`): staged
        // flat, as a folder per page would cost a file system two inodes.
        let tmp = match name.contains('/') {
            true => self.dir.join(format!(
                "page-{}",
                self.pages.fetch_add(1, Ordering::Relaxed)
            )),
            false => self.dir.join(name),
        };
        let staged = Staged {
            name: name.to_string(),
            tmp,
        };
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&staged.tmp)?;
        let out = BufWriter::with_capacity(1 << 20, file);
        Ok(Staging { staged, out })
    }

    /// Writes `bytes` to a synced file `name` in the staging folder.
    pub(crate) fn write(&self, name: &str, bytes: &[u8]) -> std::io::Result<PathBuf> {
        let mut s = self.create(name)?;
        s.write_all(bytes)?;
        Ok(s.finish()?.tmp)
    }
}

impl Drop for Area {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
        drop(self.lock.take());
        if self.made_workspace {
            // Only when empty: no other build is using it, and no manifest
            // has been written (this build's first commit failed).
            if let Ok(_guard) = lock_dir(&self.workspace) {
                let _ = fs::remove_dir(&self.workspace);
            }
        }
    }
}

/// Removes the staging folders of `workspace` whose builds have stopped: the
/// ones whose lock can be taken.
fn sweep(workspace: &Path) {
    let Ok(entries) = fs::read_dir(workspace) else {
        return;
    };
    for e in entries.flatten() {
        let is_stage = e.file_name().to_string_lossy().starts_with("stage-");
        // The entry's own type: a symlink is never followed, nor removed.
        if !is_stage || !e.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        if let Ok(Some(_held)) = try_lock_dir(&e.path()) {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// A document written to its staging file, not yet visible under its name.
#[derive(Debug, Clone)]
pub(crate) struct Staged {
    pub name: String,
    pub tmp: PathBuf,
}

/// A document being written to its staging file.
pub(crate) struct Staging {
    staged: Staged,
    out: BufWriter<File>,
}

impl Staging {
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

/// A failure to put a file in place: the file, and why.
#[derive(Debug)]
pub(crate) struct Failed {
    pub path: PathBuf,
    pub error: std::io::Error,
}

/// Staged files renamed over their destinations one by one, each replaced
/// file kept (a hard link in the staging folder) until all are in place, so
/// that a failure puts every earlier one back.
pub(crate) struct Replace<'a> {
    spare: &'a Path,
    done: Vec<(PathBuf, Option<PathBuf>)>,
}

impl<'a> Replace<'a> {
    /// Keeps replaced files in `spare`, a folder on the destinations' file
    /// system.
    pub(crate) fn new(spare: &'a Path) -> Self {
        Replace {
            spare,
            done: Vec::new(),
        }
    }

    /// Renames `tmp` over `dest`, keeping what `dest` was when `keep` (the
    /// last rename of all needs nothing kept: when it fails, nothing moved).
    /// On failure every earlier rename is undone.
    pub(crate) fn put(&mut self, tmp: &Path, dest: &Path, keep: bool) -> Result<(), Failed> {
        let result = self.backup(dest, keep).and_then(|kept| {
            fs::rename(tmp, dest)?;
            Ok(kept)
        });
        match result {
            Ok(kept) => {
                self.done.push((dest.to_path_buf(), kept));
                Ok(())
            }
            Err(error) => {
                let undone = self.undo();
                Err(Failed {
                    path: dest.to_path_buf(),
                    error: match undone {
                        Ok(()) => error,
                        Err(u) => std::io::Error::other(format!(
                            "{error}; putting back the files already replaced failed too: {}: {}",
                            u.path.display(),
                            u.error
                        )),
                    },
                })
            }
        }
    }

    /// A hard link to `dest` as it is, if it exists.
    fn backup(&self, dest: &Path, keep: bool) -> std::io::Result<Option<PathBuf>> {
        match fs::symlink_metadata(dest) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
            Ok(m) if m.is_dir() => {
                return Err(std::io::Error::other(
                    "it is a folder; feedgen writes a file there",
                ))
            }
            Ok(_) if !keep => return Ok(None),
            Ok(_) => {}
        }
        let spare = self.spare.join(format!("kept-{}", self.done.len()));
        if fs::hard_link(dest, &spare).is_err() {
            // A file system without hard links: a copy holds the same bytes.
            fs::copy(dest, &spare)?;
        }
        Ok(Some(spare))
    }

    /// Puts back every replaced file, newest first.
    fn undo(&mut self) -> Result<(), Failed> {
        let mut first = Ok(());
        for (dest, kept) in self.done.drain(..).rev() {
            let r = match kept {
                Some(k) => fs::rename(&k, &dest),
                None => fs::remove_file(&dest),
            };
            if let Err(error) = r {
                if first.is_ok() {
                    first = Err(Failed { path: dest, error });
                }
            }
        }
        first
    }
}

/// Syncs a folder, so the renames in it survive a crash.
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn area() -> (tempfile::TempDir, PathBuf, Area) {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir(&out).unwrap();
        let area = Area::open(&out, dir.path().join("elsewhere").as_path()).unwrap();
        (dir, out, area)
    }

    #[test]
    fn staged_files_hold_what_was_written_until_put_in_place() {
        let (dir, out, area) = area();
        assert_eq!(
            area.workspace,
            fs::canonicalize(dir.path())
                .unwrap()
                .join(".public.feedgen")
        );
        let data: Vec<u8> = (0..3_000_000u32)
            .map(|i| (i * 7 + i / 4093) as u8)
            .collect();
        let mut w = area.create("feed.xml").unwrap();
        data.chunks(70_001).for_each(|c| w.write_all(c).unwrap());
        let s = w.finish().unwrap();
        assert!(!out.join("feed.xml").exists());
        assert!(fs::read(&s.tmp).unwrap() == data);
        let mut r = Replace::new(&area.dir);
        r.put(&s.tmp, &out.join("feed.xml"), false).unwrap();
        assert!(fs::read(out.join("feed.xml")).unwrap() == data);
        drop(area);
        assert_eq!(fs::read_dir(&out).unwrap().count(), 1);
        // The workspace this build made stays empty: it is removed.
        assert!(!dir.path().join(".public.feedgen").exists());
    }

    #[test]
    fn a_failed_rename_puts_back_every_file_already_replaced() {
        let (_dir, out, area) = area();
        fs::write(out.join("a"), "old a").unwrap();
        let a = area.write("a", b"new a").unwrap();
        let b = area.write("b", b"new b").unwrap();
        let mut r = Replace::new(&area.dir);
        r.put(&a, &out.join("a"), true).unwrap();
        r.put(&b, &out.join("b"), true).unwrap();
        assert_eq!(fs::read(out.join("a")).unwrap(), b"new a");
        let e = r
            .put(&area.dir.join("missing"), &out.join("c"), true)
            .unwrap_err();
        assert_eq!(e.path, out.join("c"));
        assert_eq!(fs::read(out.join("a")).unwrap(), b"old a");
        assert!(!out.join("b").exists() && !out.join("c").exists());
    }

    #[test]
    fn staging_folders_of_stopped_builds_go_and_live_ones_stay() {
        let (_dir, out, area) = area();
        let ws = area.workspace.clone();
        let dead = ws.join("stage-1-0");
        fs::create_dir(&dead).unwrap();
        fs::write(dead.join("feed.xml"), "half").unwrap();
        let live = ws.join("stage-2-0");
        fs::create_dir(&live).unwrap();
        let held = lock_dir(&live).unwrap();
        let other = Area::open(&out, Path::new("elsewhere")).unwrap();
        assert!(!dead.exists(), "a stopped build's staging stays");
        assert!(live.exists() && area.dir.exists() && other.dir.exists());
        drop(held);
        drop(other);
        drop(area);
        assert!(live.exists(), "only a new build removes it");
    }
}
