//! The enclosure: a local media file (measured: length, type, duration) or a
//! remote one described in front matter.

use std::ops::Range;

use super::episode::Resolver;
use super::probe;
use crate::diag::Rule;
use crate::input::episode::ParsedEpisode;
use crate::input::{AudioSpec, RemoteAudio};
use crate::model::Enclosure;

impl Resolver<'_, '_> {
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
        if !is_media_type(info.mime) {
            self.push(
                Rule::IncompleteEnclosure,
                span,
                format!("`{rel}` is {}, not audio or video", info.mime),
            );
            return (None, None);
        }
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
        // A type is published as written: it must be an audio or video type.
        let mime = match &r.mime {
            Some(m) if !is_media_type(m) => {
                missing.push("an audio or video type such as audio/mpeg");
                None
            }
            Some(m) => Some(m.clone()),
            None => url
                .as_deref()
                .and_then(probe::mime_for)
                .filter(|m| is_media_type(m))
                .map(str::to_string),
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

/// An audio or video media type, as `enclosure` takes it: `audio/…` or
/// `video/…` with a subtype of token characters.
fn is_media_type(m: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    m.split_once('/')
        .is_some_and(|(kind, sub)| matches!(kind, "audio" | "video") && token(sub))
}

#[cfg(test)]
mod tests {
    #[test]
    fn media_types() {
        for m in [
            "audio/mpeg",
            "audio/x-m4a",
            "video/mp4",
            "audio/vnd.dlna.adts",
        ] {
            assert!(super::is_media_type(m), "{m}");
        }
        for m in [
            "application/pdf",
            "text/html",
            "audio/",
            "audio",
            "audio/mp3 x",
            "image/png",
            "audio/<b>",
        ] {
            assert!(!super::is_media_type(m), "{m}");
        }
    }
}
