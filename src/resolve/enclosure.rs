//! The enclosure: a local media file (measured: length, type, duration) or a
//! remote one described in front matter; and local files in general, which
//! never lead outside the project.

use std::ops::Range;
use std::path::{Path, PathBuf};

use super::episode::Resolver;
use super::probe;
use crate::diag::Rule;
use crate::input::episode::ParsedEpisode;
use crate::input::{AudioSpec, RemoteAudio};
use crate::model::Enclosure;

impl Resolver<'_, '_> {
    /// Finds a local file next to the episode, then under the project root.
    /// Absolute paths and `..` leading out of the project are never read (a show
    /// note must not make the build read `/etc/passwd` or publish its URL).
    pub(super) fn local(&self, rel: &str) -> Option<PathBuf> {
        [self.dir, self.ctx.root]
            .into_iter()
            .filter(|base| self.stays_inside(base, rel))
            .map(|base| base.join(rel))
            .find(|p| p.is_file())
    }

    /// Whether `rel` joined to `base` stays inside the project, judged by its
    /// components without touching the disk (absolute paths never do).
    pub(super) fn stays_inside(&self, base: &Path, rel: &str) -> bool {
        let mut depth = base
            .strip_prefix(self.ctx.root)
            .map(|b| b.components().count())
            .unwrap_or(0) as isize;
        Path::new(rel).components().all(|c| {
            match c {
                std::path::Component::Normal(_) => depth += 1,
                std::path::Component::CurDir => {}
                std::path::Component::ParentDir => depth -= 1,
                _ => return false,
            }
            depth >= 0
        })
    }

    /// [`Self::local`], reporting why not: the path leads outside the project
    /// (unsafe-path), or the file is not there (media-file).
    pub(super) fn local_or_report(
        &mut self,
        rel: &str,
        span: Range<usize>,
        what: &str,
    ) -> Option<PathBuf> {
        if let Some(p) = self.local(rel) {
            return Some(p);
        }
        let outside = ![self.dir, self.ctx.root]
            .into_iter()
            .any(|base| self.stays_inside(base, rel));
        if outside {
            self.push(
                Rule::UnsafePath,
                span,
                format!("{what} `{rel}` leads outside the project"),
            )
            .help = Some("media, transcripts and chapters must live inside the project".into());
        } else {
            self.push(
                Rule::MediaFile,
                span,
                format!("{what} `{rel}` does not exist"),
            )
            .help = Some("paths are relative to the episode's folder or to podcast.toml".into());
        }
        None
    }

    /// The public URL of a local file: `media_base_url` + the path as written.
    pub(super) fn publish_url(&mut self, rel: &str, span: Range<usize>) -> Option<String> {
        let rel = rel.trim_start_matches("./");
        match &self.ctx.show.media_base_url {
            Some(base) => base.join(rel).ok().map(|u| u.to_string()),
            None => {
                self.push(
                    Rule::MissingField,
                    span,
                    format!("`{rel}` is a local file, but podcast.toml has no media_base_url"),
                )
                .help =
                    Some("set [podcast] media_base_url to where media files are published".into());
                None
            }
        }
    }

    pub(super) fn enclosure(
        &mut self,
        ep: &ParsedEpisode,
        anchor: &Range<usize>,
    ) -> (Option<Enclosure>, Option<u64>, Range<usize>) {
        let Some(audio) = &ep.front.audio else {
            self.push(Rule::MissingEnclosure, anchor.clone(), "this episode has no audio enclosure")
                .help = Some("add `audio = \"media/006.mp3\"` (a local file) or an [audio] table with url, length, type and duration to the front matter".into());
            return (None, None, anchor.clone());
        };
        let span = audio.span();
        match audio.get_ref() {
            AudioSpec::Local(path) if path.trim().is_empty() => {
                self.push(
                    Rule::MissingEnclosure,
                    span.clone(),
                    "`audio` is empty: this episode has no audio enclosure",
                )
                .help = Some("name the media file, e.g. audio = \"media/006.mp3\"".into());
                (None, None, span)
            }
            AudioSpec::Local(path) => {
                let (enc, dur) = self.local_media(path, span.clone(), None);
                (enc, dur, span)
            }
            AudioSpec::Remote(r) => {
                if let Some(path) = &r.path {
                    let (enc, dur) = self.local_media(path, span.clone(), Some(r));
                    return (enc, dur, span);
                }
                let (e, d) = self.remote_media(r, span.clone());
                (e, d, span)
            }
        }
    }

    pub(super) fn local_media(
        &mut self,
        rel: &str,
        span: Range<usize>,
        given: Option<&RemoteAudio>,
    ) -> (Option<Enclosure>, Option<u64>) {
        let Some(path) = self.local_or_report(rel, span.clone(), "media file") else {
            return (None, None);
        };
        let info = match probe::probe(&path) {
            Ok(i) => i,
            Err(e) => {
                self.push(Rule::MediaFile, span, format!("cannot read `{rel}`: {e}"));
                return (None, None);
            }
        };
        let duration = info.duration.map(|d| d.round() as u64);
        if duration.is_none() {
            self.push(
                Rule::IncompleteEnclosure,
                span.clone(),
                format!("could not read the duration of `{rel}`"),
            );
        }
        if let Some(g) = given {
            if let Some(len) = g.length {
                if len as u64 != info.length {
                    self.push(
                        Rule::MediaMismatch,
                        span.clone(),
                        format!(
                            "front matter says {len} bytes, the file has {}",
                            info.length
                        ),
                    );
                }
            }
            if let (Some(gd), Some(d)) =
                (g.duration.as_ref().and_then(|d| d.seconds()), info.duration)
            {
                if (gd as f64 - d).abs() > 2.0 {
                    self.push(
                        Rule::MediaMismatch,
                        span.clone(),
                        format!("front matter says {gd} s, the file plays {:.0} s", d),
                    );
                }
            }
        }
        let url = match given.and_then(|g| g.url.clone()) {
            Some(u) => self.url(&u, span.clone(), "audio"),
            None => self.publish_url(rel, span),
        };
        let enc = url.map(|url| Enclosure {
            url,
            length: info.length,
            mime: info.mime.to_string(),
        });
        (enc, duration)
    }

    pub(super) fn remote_media(
        &mut self,
        r: &RemoteAudio,
        span: Range<usize>,
    ) -> (Option<Enclosure>, Option<u64>) {
        let Some(url) = r.url.as_deref() else {
            self.push(
                Rule::IncompleteEnclosure,
                span,
                "the [audio] table has no url (or path)",
            );
            return (None, None);
        };
        let url = self.url(url, span.clone(), "audio");
        let mut missing = Vec::new();
        let length = match r.length {
            Some(l) if l > 0 => Some(l as u64),
            Some(_) => {
                missing.push("a positive length");
                None
            }
            None => {
                missing.push("length (bytes)");
                None
            }
        };
        // A given type is published as written: it must look like `audio/mpeg`.
        let is_mime = |m: &str| {
            m.split_once('/')
                .is_some_and(|(a, b)| !a.is_empty() && !b.is_empty())
                && m.chars().all(|c| c.is_ascii_graphic() || c == ' ')
        };
        let mime = match &r.mime {
            Some(m) if !is_mime(m) => {
                missing.push("a type such as audio/mpeg");
                None
            }
            Some(m) => Some(m.clone()),
            None => url.as_deref().and_then(probe::mime_for).map(str::to_string),
        };
        if mime.is_none() && r.mime.is_none() {
            missing.push("type");
        }
        let duration = match &r.duration {
            Some(d) => match d.seconds() {
                Some(s) => Some(s),
                None => {
                    missing.push("a duration as seconds or HH:MM:SS");
                    None
                }
            },
            None => {
                missing.push("duration");
                None
            }
        };
        if !missing.is_empty() {
            self.push(Rule::IncompleteEnclosure, span, format!("the enclosure lacks {}", missing.join(", ")))
                .help = Some("podcast apps need the byte length and type; give a local `path` to have feedgen measure them".into());
        }
        let enc = match (url, length, mime) {
            (Some(url), Some(length), Some(mime)) => Some(Enclosure { url, length, mime }),
            _ => None,
        };
        (enc, duration)
    }
}
