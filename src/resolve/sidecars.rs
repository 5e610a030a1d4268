//! Transcripts and chapters: local sidecar files (published under
//! `media_base_url`) or remote URLs.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::episode::Resolver;
use super::{chapters, probe};
use crate::diag::Rule;
use crate::input::episode::ParsedEpisode;
use crate::model::Transcript;

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
                let rel = self.rel_to_root(&self.dir.join(&name));
                if let Some(url) = self.publish_url(&rel, 0..0) {
                    out.push(Transcript {
                        url,
                        mime: probe::mime_for(&name).unwrap_or("text/plain").to_string(),
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
            return self
                .url(s, span, "transcript")
                .map(|url| Transcript { url, mime });
        }
        let path = self.local_or_report(s, span.clone(), "transcript")?;
        let rel = self.rel_to_root(&path);
        self.publish_url(&rel, span)
            .map(|url| Transcript { url, mime })
    }

    pub(super) fn chapters(&mut self, c: &Spanned<String>) -> Option<String> {
        let s = c.get_ref();
        if s.contains("://") {
            return self.url(s, c.span(), "chapters");
        }
        let path = self.local_or_report(s, c.span(), "chapters file")?;
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if let Err(e) = chapters::validate(&text) {
            self.push(
                Rule::InvalidChapters,
                c.span(),
                format!("`{s}` is not JSON chapters 1.2: {e}"),
            );
            return None;
        }
        let rel = self.rel_to_root(&path);
        self.publish_url(&rel, c.span())
    }
}
