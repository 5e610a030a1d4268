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

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs::TryLockError;

    /// Takes the lock only if it is free: `None` while another holder has it.
    fn try_lock_dir(dir: &Path) -> std::io::Result<Option<DirLock>> {
        fs::create_dir_all(dir)?;
        let file = File::open(dir)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(DirLock { file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(e),
        }
    }

    #[test]
    fn a_second_lock_on_the_same_dir_is_refused_while_the_first_is_held() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
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
}
