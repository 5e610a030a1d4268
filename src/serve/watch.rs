//! What tells that the show changed: the size and modification time of
//! podcast.toml and of every file under episodes/, templates/ and media/.

use std::path::Path;
use std::time::SystemTime;

/// A snapshot of the show's files, to compare with the next.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct State(Vec<(std::path::PathBuf, u64, Option<SystemTime>)>);

impl State {
    pub(super) fn of(root: &Path) -> State {
        let mut files = Vec::new();
        let mut todo = vec![
            root.join("podcast.toml"),
            root.join("episodes"),
            root.join("templates"),
            root.join("media"),
        ];
        while let Some(path) = todo.pop() {
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                if let Ok(entries) = std::fs::read_dir(&path) {
                    todo.extend(entries.flatten().map(|e| e.path()));
                }
            } else {
                files.push((path, meta.len(), meta.modified().ok()));
            }
        }
        files.sort();
        State(files)
    }
}
