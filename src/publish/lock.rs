//! Folder locks: two builds never interleave their commits, into one output
//! folder or of one project's ledger, and a staging folder is known to be in
//! use while its build runs.

use std::fs::{self, File, TryLockError};
use std::path::{Path, PathBuf};

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
    let file = File::open(dir)?;
    file.lock()?;
    Ok(DirLock { file })
}

/// Takes the lock only if it is free: `None` while another holder has it
/// (another build, in this process or another).
pub(crate) fn try_lock_dir(dir: &Path) -> std::io::Result<Option<DirLock>> {
    let file = File::open(dir)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(DirLock { file })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(e),
    }
}

/// Locks every folder of `dirs`, each once (a flock on the same folder twice
/// would wait on itself), in the order of their real paths: two builds
/// locking overlapping folders then never wait on each other in a cycle.
pub(crate) fn lock_all(dirs: &[&Path]) -> std::io::Result<Vec<DirLock>> {
    let mut real: Vec<PathBuf> = dirs
        .iter()
        .map(fs::canonicalize)
        .collect::<Result<_, _>>()?;
    real.sort();
    real.dedup();
    real.iter().map(|d| lock_dir(d)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_dir_is_refused_while_the_first_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        fs::create_dir(&out).unwrap();
        let first = lock_dir(&out).unwrap();
        assert!(
            try_lock_dir(&out).unwrap().is_none(),
            "second lock granted while the first is held"
        );
        // From another thread too (flock is per open file, not per thread).
        let o = out.clone();
        let other = std::thread::spawn(move || try_lock_dir(&o).unwrap().is_none())
            .join()
            .unwrap();
        assert!(other);
        // A waiting lock_dir gets it as soon as the first is dropped.
        let o = out.clone();
        let (tx, rx) = std::sync::mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let l = lock_dir(&o).unwrap();
            tx.send(()).unwrap();
            drop(l);
        });
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(300))
                .is_err(),
            "lock_dir did not wait"
        );
        drop(first);
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("lock_dir never got the lock after release");
        waiter.join().unwrap();
        assert!(try_lock_dir(&out).unwrap().is_some());
    }

    #[test]
    fn one_folder_named_twice_is_locked_once() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        fs::create_dir(&a).unwrap();
        let also_a = dir.path().join("a/../a");
        let locks = lock_all(&[&a, &also_a, dir.path()]).unwrap();
        assert_eq!(locks.len(), 2);
        assert!(try_lock_dir(&a).unwrap().is_none());
        drop(locks);
        assert!(try_lock_dir(&a).unwrap().is_some());
    }
}
