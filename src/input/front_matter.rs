//! The optional `+++` TOML block at the top of an episode file: what the show
//! notes themselves cannot say (publish time, enclosure, guid …). Read with
//! toml and serde.

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, FileId, Rule};

type S<T> = Option<Spanned<T>>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FrontMatter {
    pub title: S<String>,
    pub published: S<toml::value::Datetime>,
    pub episode_type: S<String>,
    pub season: S<i64>,
    #[serde(alias = "number")]
    pub episode: S<i64>,
    pub explicit: Option<bool>,
    pub guid: S<String>,
    pub audio: S<AudioSpec>,
    pub transcript: S<String>,
    pub chapters: S<String>,
    pub image: S<String>,
    pub video: S<String>,
    #[serde(default)]
    pub block: bool,
    #[serde(default)]
    pub soundbites: Vec<Spanned<Soundbite>>,
    pub location: S<crate::model::Location>,
    pub license: S<crate::model::License>,
}

/// Audio given as a local file (probed) or a remote table (trusted).
#[derive(Debug, Clone)]
pub(crate) enum AudioSpec {
    Local(String),
    Remote(RemoteAudio),
}

/// A string or a table, decided by what the TOML holds. (serde's `untagged`
/// would buffer the value and build an error for each variant it tries, which
/// was most of the cost of reading a front matter.)
impl<'de> Deserialize<'de> for AudioSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = AudioSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a file path, or a table with url, length, type and duration")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<AudioSpec, E> {
                Ok(AudioSpec::Local(v.to_string()))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, m: A) -> Result<AudioSpec, A::Error> {
                RemoteAudio::deserialize(serde::de::value::MapAccessDeserializer::new(m))
                    .map(AudioSpec::Remote)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RemoteAudio {
    pub url: Option<String>,
    pub path: Option<String>,
    pub length: Option<i64>,
    #[serde(rename = "type")]
    pub mime: Option<String>,
    pub duration: Option<DurationSpec>,
}

#[derive(Debug, Clone)]
pub(crate) enum DurationSpec {
    Seconds(i64),
    Clock(String),
}

/// An integer or a string (see [`AudioSpec`]'s `Deserialize`).
impl<'de> Deserialize<'de> for DurationSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = DurationSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("seconds, or a clock time such as \"1:02:03\"")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<DurationSpec, E> {
                Ok(DurationSpec::Seconds(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<DurationSpec, E> {
                i64::try_from(v)
                    .map(DurationSpec::Seconds)
                    .map_err(|_| E::custom("duration is too large"))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<DurationSpec, E> {
                Ok(DurationSpec::Clock(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl DurationSpec {
    /// Seconds, from `3723`, `"3723"`, `"62:03"` or `"1:02:03"`.
    pub(crate) fn seconds(&self) -> Option<u64> {
        match self {
            DurationSpec::Seconds(s) => u64::try_from(*s).ok(),
            DurationSpec::Clock(c) => parse_clock(c),
        }
    }
}

pub(crate) fn parse_clock(c: &str) -> Option<u64> {
    let parts: Vec<&str> = c.trim().split(':').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.is_empty()) {
        return None;
    }
    let mut total: u64 = 0;
    for (i, p) in parts.iter().enumerate() {
        let v: u64 = p.parse().ok()?;
        if i > 0 && v >= 60 {
            return None;
        }
        total = total.checked_mul(60)?.checked_add(v)?;
    }
    Some(total)
}

#[derive(Debug, Clone, Deserialize, serde::Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub(crate) struct Soundbite {
    pub start: f64,
    pub duration: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// The split of a file into front matter and body.
pub(crate) struct Split<'a> {
    pub front: Option<(&'a str, usize)>,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
}

/// Finds a `+++` block at the very top. An unclosed block is an error and the whole
/// file is then read as Markdown, so nothing is lost.
pub(crate) fn split<'a>(file: FileId, text: &'a str, diags: &mut Vec<Diagnostic>) -> Split<'a> {
    let Some(rest) = text.strip_prefix("+++") else {
        return Split {
            front: None,
            body_start: 0,
        };
    };
    if !rest.starts_with('\n') && !rest.trim_start_matches([' ', '\t']).starts_with('\n') {
        return Split {
            front: None,
            body_start: 0,
        };
    }
    let content_start = 3 + rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
    let mut pos = content_start;
    for line in text[content_start..].split_inclusive('\n') {
        if line.trim_end() == "+++" {
            return Split {
                front: Some((&text[content_start..pos], content_start)),
                body_start: pos + line.len(),
            };
        }
        pos += line.len();
    }
    diags.push(
        Diagnostic::new(
            Rule::FrontMatter,
            "front matter opened with +++ is never closed",
        )
        .at(file, 0..3)
        .help("end the block with a line holding only +++"),
    );
    Split {
        front: None,
        body_start: 0,
    }
}

/// Parses the block with toml; spans are shifted to file offsets.
pub(crate) fn parse(
    file: FileId,
    src: &str,
    offset: usize,
    diags: &mut Vec<Diagnostic>,
) -> FrontMatter {
    match toml::from_str::<FrontMatter>(src) {
        Ok(mut fm) => {
            shift(&mut fm, offset);
            fm
        }
        Err(e) => {
            let span = e
                .span()
                .map(|s| s.start + offset..s.end + offset)
                .unwrap_or(offset..offset);
            diags.push(
                Diagnostic::new(Rule::FrontMatter, e.message().trim().to_string()).at(file, span),
            );
            FrontMatter::default()
        }
    }
}

fn shift(fm: &mut FrontMatter, by: usize) {
    fn moved<T>(x: Spanned<T>, by: usize) -> Spanned<T> {
        let span = x.span();
        Spanned::new(span.start + by..span.end + by, x.into_inner())
    }
    fn s<T>(v: &mut Option<Spanned<T>>, by: usize) {
        *v = v.take().map(|x| moved(x, by));
    }
    s(&mut fm.title, by);
    s(&mut fm.published, by);
    s(&mut fm.episode_type, by);
    s(&mut fm.season, by);
    s(&mut fm.episode, by);
    s(&mut fm.guid, by);
    s(&mut fm.audio, by);
    s(&mut fm.transcript, by);
    s(&mut fm.chapters, by);
    s(&mut fm.image, by);
    s(&mut fm.video, by);
    s(&mut fm.location, by);
    s(&mut fm.license, by);
    fm.soundbites = std::mem::take(&mut fm.soundbites)
        .into_iter()
        .map(|x| moved(x, by))
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_durations() {
        assert_eq!(parse_clock("1:02:03"), Some(3723));
        assert_eq!(parse_clock("62:03"), Some(3723));
        assert_eq!(parse_clock("3723"), Some(3723));
        assert_eq!(parse_clock("1:60:00"), None);
        assert_eq!(parse_clock(""), None);
    }

    #[test]
    fn split_and_parse_with_spans() {
        let text = "+++\ntitle = \"Hi\"\nepisode = 7\n+++\n# 006\n";
        let mut d = vec![];
        let sp = split(FileId(0), text, &mut d);
        let (src, off) = sp.front.unwrap();
        let fm = parse(FileId(0), src, off, &mut d);
        assert!(d.is_empty());
        let ep = fm.episode.unwrap();
        assert_eq!(&text[ep.span()], "7");
        assert_eq!(&text[sp.body_start..], "# 006\n");
    }

    #[test]
    fn unclosed_is_reported() {
        let mut d = vec![];
        let sp = split(FileId(0), "+++\ntitle = 1\n", &mut d);
        assert_eq!(sp.body_start, 0);
        assert_eq!(d[0].rule, Rule::FrontMatter);
    }
}
