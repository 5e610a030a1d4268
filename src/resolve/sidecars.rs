//! Transcripts and chapters: local sidecar files (published under
//! `media_base_url`) or remote URLs.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::episode::Resolver;
use super::{chapters, probe};
use crate::diag::Rule;
use crate::input::regular_file::read_regular;

/// Chapters of even a days-long show fit in far less.
const MAX_CHAPTERS_BYTES: u64 = 4 << 20;
use crate::input::episode::ParsedEpisode;
use crate::model::{ChapterMark, Transcript};

impl Resolver<'_, '_> {
    pub(super) fn transcripts(&mut self, ep: &ParsedEpisode) -> Vec<Transcript> {
        let mut out = Vec::new();
        if let Some(t) = &ep.front.transcript {
            if let Some(tr) = self.sidecar(t.get_ref(), t.span()) {
                out.push(tr);
            }
            return out;
        }
        // Sidecars beside a folder-layout episode, or NNN.ext beside NNN.md.
        for ext in ["vtt", "srt", "json", "html"] {
            let name = if self.listing.folder {
                format!("transcript.{ext}")
            } else {
                format!("{}.{ext}", ep.slug)
            };
            if self.listing.names.contains(&name) {
                // A sidecar found by its name is checked like one named in
                // front matter: a link out of the project is refused.
                let Some(path) = self.local_or_report(&name, 0..0, "transcript") else {
                    continue;
                };
                let rel = self.rel_to_root(&path);
                if let Some(url) = self.publish_url(&rel, 0..0) {
                    out.push(Transcript {
                        url,
                        mime: probe::mime_for(&name).unwrap_or("text/plain").to_string(),
                        file: Some(path),
                    });
                }
            }
        }
        out
    }

    pub(super) fn rel_to_root(&self, p: &Path) -> String {
        crate::input::display_path(self.ctx.root, p)
    }

    pub(super) fn sidecar(&mut self, s: &str, span: Range<usize>) -> Option<Transcript> {
        let mime = probe::mime_for(s).unwrap_or("text/plain").to_string();
        if s.contains("://") {
            return self.url(s, span, "transcript").map(|url| Transcript {
                url,
                mime,
                file: None,
            });
        }
        let path = self.local_or_report(s, span.clone(), "transcript")?;
        let rel = self.rel_to_root(&path);
        self.publish_url(&rel, span).map(|url| Transcript {
            url,
            mime,
            file: Some(path),
        })
    }

    /// The chapters' URL, and the chapters when the file is the show's own.
    pub(super) fn chapters(&mut self, c: &Spanned<String>) -> Option<(String, Vec<ChapterMark>)> {
        let s = c.get_ref();
        if s.contains("://") {
            return self.url(s, c.span(), "chapters").map(|u| (u, Vec::new()));
        }
        let path = self.local_or_report(s, c.span(), "chapters file")?;
        let text = match read_regular(&path, MAX_CHAPTERS_BYTES) {
            Ok(Some(bytes)) => {
                String::from_utf8(bytes).map_err(|_| "it is not UTF-8 text".to_string())
            }
            Ok(None) => Err("it does not exist".to_string()),
            Err(e) => Err(e),
        };
        let marks = match text.and_then(|t| chapters::validate(&t).map_err(|e| e.to_string())) {
            Ok(marks) => marks,
            Err(e) => {
                self.push(
                    Rule::InvalidChapters,
                    c.span(),
                    format!("`{s}` is not JSON chapters 1.2: {e}"),
                );
                return None;
            }
        };
        let rel = self.rel_to_root(&path);
        self.publish_url(&rel, c.span()).map(|u| (u, marks))
    }
}
