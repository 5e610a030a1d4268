//! Reading one episode file: inside the project, under the size cap, as UTF-8.

use std::io::Read;
use std::path::Path;

use super::decode::{decode, episode_not_utf8};
use super::discover::EpisodeFile;
use super::regular_file::kind;
use crate::diag::{Diagnostic, Rule};

/// An episode file that could not be read as text: what to show of it (a
/// lossy copy, or nothing), and why, with the span in that text.
pub(crate) struct Unreadable {
    pub shown: String,
    pub finding: Box<Diagnostic>,
    pub span: std::ops::Range<usize>,
}

impl Unreadable {
    fn without_text(finding: Diagnostic) -> Self {
        Unreadable {
            shown: String::new(),
            finding: Box::new(finding),
            span: 0..0,
        }
    }
}

/// Reads and decodes one episode file. `canon_root` is the project root,
/// canonicalized once for all episodes; `max` the size cap in bytes.
pub(crate) fn read_episode(
    canon_root: &Path,
    ep: &EpisodeFile,
    max: u64,
) -> Result<String, Unreadable> {
    if !ep.plain {
        if let Ok(real) = ep.path.canonicalize() {
            if !real.starts_with(canon_root) {
                return Err(Unreadable::without_text(
                    Diagnostic::new(
                        Rule::UnsafePath,
                        format!(
                            "this episode file leads outside the project (to {})",
                            real.display()
                        ),
                    )
                    .help("episode files must live inside the project; copy the file instead of linking it"),
                ));
            }
        }
    }
    let cannot = |e: std::io::Error| {
        Unreadable::without_text(Diagnostic::new(
            Rule::MediaFile,
            format!("cannot read: {e}"),
        ))
    };
    // Opening a FIFO would block the build; a device would never end.
    let meta = std::fs::metadata(&ep.path).map_err(cannot)?;
    if !meta.is_file() {
        return Err(Unreadable::without_text(
            Diagnostic::new(
                Rule::NotAnEpisode,
                format!(
                    "this is {}, not a regular file; it is not read",
                    kind(&meta)
                ),
            )
            .help(
                "an episode is a Markdown file; replace it with one, or move it out of episodes/",
            ),
        ));
    }
    let file = std::fs::File::open(&ep.path).map_err(cannot)?;
    let size = file.metadata().map_or(0, |m| m.len()).min(max);
    let mut bytes = Vec::with_capacity(size as usize + 1);
    // One byte past the cap tells a file over it from one exactly at it,
    // without reading all of a huge file.
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > max {
        let len = std::fs::metadata(&ep.path).map_or(bytes.len() as u64, |m| m.len());
        return Err(Unreadable::without_text(
            Diagnostic::new(
                Rule::FileTooLarge,
                format!("the file is {len} bytes; the cap is {max}"),
            )
            .help("raise [limits] max_episode_bytes in podcast.toml if this is intended"),
        ));
    }
    decode(&bytes).map_err(|(lossy, e)| Unreadable {
        span: e.caret.clone(),
        finding: Box::new(episode_not_utf8(&e)),
        shown: lossy,
    })
}
