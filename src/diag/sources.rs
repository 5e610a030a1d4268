//! The files a run has read, so findings can point into them by id, and the
//! mapping from a byte offset to the line and column a person sees in their
//! editor (computed on the normalized text: no BOM, LF line ends).

use std::ops::Range;
use std::path::PathBuf;

/// Index of a file in a [`SourceDb`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// One input file as text, with its line index.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path as shown to the user (relative to the project root when possible).
    pub name: String,
    /// Path on disk.
    pub path: PathBuf,
    /// Normalized text. For a file that is not UTF-8 this is a lossy copy, kept
    /// only to show the offending line; such a file never reaches the renderers.
    pub text: String,
    /// Computed on first use: most files never need a line number.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, path: impl Into<PathBuf>, text: String) -> Self {
        SourceFile {
            name: name.into(),
            path: path.into(),
            text,
            line_starts: std::sync::OnceLock::new(),
        }
    }

    /// 1-based line and 1-based column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts()[line];
        let mut end = offset;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text[start..end].chars().count() + 1;
        (line + 1, col)
    }

    /// Byte range of a 1-based line, without its line end.
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let start = self.line_starts()[line - 1];
        let end = self
            .line_starts()
            .get(line)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        start..end
    }

    pub fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1))
                .collect()
        })
    }
}

/// All files the run has read.
#[derive(Debug, Default, Clone)]
pub struct SourceDb {
    files: Vec<SourceFile>,
}

impl SourceDb {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }
    /// The id the next [`Self::add`] returns.
    pub fn next_id(&self) -> FileId {
        FileId(self.files.len() as u32)
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("x", "x", "ab\nあいx\n".into());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        assert_eq!(f.line_col(9), (2, 3));
    }

    #[test]
    fn line_ranges_exclude_the_line_end() {
        let f = SourceFile::new("x", "x", "ab\n\ncd".into());
        assert_eq!(f.line_range(1), 0..2);
        assert_eq!(f.line_range(2), 3..3);
        assert_eq!(f.line_range(3), 4..6);
    }
}
