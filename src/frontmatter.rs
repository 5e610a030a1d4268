//! The optional `+++` TOML block at the top of an episode file: what the show notes
//! themselves cannot say (publish time, enclosure, guid …).

use serde::Deserialize;
use toml::Spanned;

use crate::diag::{Diagnostic, Rule};
use crate::source::FileId;

type S<T> = Option<Spanned<T>>;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
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
    pub soundbites: Vec<Soundbite>,
    pub location: Option<crate::config::Location>,
    pub license: Option<crate::config::License>,
}

/// Audio given as a local file (probed) or a remote table (trusted).
#[derive(Debug, Clone)]
pub enum AudioSpec {
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
pub struct RemoteAudio {
    pub url: Option<String>,
    pub path: Option<String>,
    pub length: Option<i64>,
    #[serde(rename = "type")]
    pub mime: Option<String>,
    pub duration: Option<DurationSpec>,
}

#[derive(Debug, Clone)]
pub enum DurationSpec {
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
    pub fn seconds(&self) -> Option<u64> {
        match self {
            DurationSpec::Seconds(s) => u64::try_from(*s).ok(),
            DurationSpec::Clock(c) => parse_clock(c),
        }
    }
}

pub fn parse_clock(c: &str) -> Option<u64> {
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

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Soundbite {
    pub start: f64,
    pub duration: f64,
    pub title: Option<String>,
}

/// The split of a file into front matter and body.
pub struct Split<'a> {
    pub front: Option<(&'a str, usize)>,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
}

/// Finds a `+++` block at the very top. An unclosed block is an error and the whole
/// file is then read as Markdown, so nothing is lost.
pub fn split<'a>(file: FileId, text: &'a str, diags: &mut Vec<Diagnostic>) -> Split<'a> {
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

/// Parses the block; spans are shifted to file offsets.
pub fn parse(file: FileId, src: &str, offset: usize, diags: &mut Vec<Diagnostic>) -> FrontMatter {
    if let Some(mut fm) = simple::parse(src) {
        if cfg!(debug_assertions) {
            let by_toml = toml::from_str::<FrontMatter>(src);
            assert!(
                by_toml
                    .as_ref()
                    .is_ok_and(|t| format!("{t:?}") == format!("{fm:?}")),
                "the simple reader and toml differ on {src:?}:\n{fm:?}\n{by_toml:?}"
            );
        }
        shift(&mut fm, offset);
        return fm;
    }
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
    fn s<T>(v: &mut Option<Spanned<T>>, by: usize) {
        if let Some(x) = v.take() {
            let span = x.span();
            *v = Some(Spanned::new(span.start + by..span.end + by, x.into_inner()));
        }
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

/// The front matter most files hold, read without the TOML parser: `key =
/// value` lines (basic strings without escapes, integers, booleans, offset
/// date-times) and an `[audio]` table of the same. [`parse`] falls back to toml
/// for anything else (comments, escapes, arrays, inline tables, other tables, a
/// key given twice, a value of the wrong type, …), so toml still reports every
/// error; debug builds read every block with toml as well and require the same
/// result, spans included. toml was 6 % of a `check` at 10k episodes, a tenth of
/// it the date-time's trip through a string.
mod simple {
    use toml::value::{Date, Datetime, Offset, Time};
    use toml::Spanned;

    use super::{AudioSpec, DurationSpec, FrontMatter, RemoteAudio};

    /// One value as written: its span in the block and what it is.
    enum Value {
        Str(String),
        Int(i64),
        Bool(bool),
        Date(Datetime),
    }

    pub(super) fn parse(src: &str) -> Option<FrontMatter> {
        let mut fm = FrontMatter::default();
        // The `[audio]` table once its header was read, with the header's span.
        let mut audio: Option<(std::ops::Range<usize>, RemoteAudio)> = None;
        let mut block = None;
        let mut pos = 0;
        for line in src.split_inclusive('\n') {
            let start = pos;
            pos += line.len();
            let body = line.strip_suffix('\n').unwrap_or(line);
            let lead = body.len() - body.trim_start_matches([' ', '\t']).len();
            let body = body[lead..].trim_end_matches([' ', '\t']);
            if body.is_empty() {
                continue;
            }
            let at = start + lead;
            if body.starts_with('[') {
                if body != "[audio]" || audio.is_some() || fm.audio.is_some() {
                    return None;
                }
                audio = Some((at..at + body.len(), empty_audio()));
                continue;
            }
            let key_len = body
                .bytes()
                .position(|b| !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))?;
            let (key, rest) = body.split_at(key_len);
            let rest = rest.trim_start_matches([' ', '\t']).strip_prefix('=')?;
            let value_text = rest.trim_start_matches([' ', '\t']);
            let value_at = at + (body.len() - value_text.len());
            let value = value(value_text)?;
            let span = value_at..value_at + value_text.len();
            match (&mut audio, key, value) {
                (Some((_, a)), _, value) => set_audio(a, key, value)?,
                // `block` has a default: whether it was given is kept here.
                (None, "block", Value::Bool(b)) => once(&mut block, b)?,
                (None, _, value) => set_root(&mut fm, key, value, span)?,
            }
        }
        if let Some((span, a)) = audio {
            fm.audio = Some(Spanned::new(span, AudioSpec::Remote(a)));
        }
        fm.block = block.unwrap_or(false);
        Some(fm)
    }

    fn empty_audio() -> RemoteAudio {
        RemoteAudio {
            url: None,
            path: None,
            length: None,
            mime: None,
            duration: None,
        }
    }

    /// Sets a field not set before.
    fn once<T>(slot: &mut Option<T>, v: T) -> Option<()> {
        if slot.is_some() {
            return None;
        }
        *slot = Some(v);
        Some(())
    }

    fn set_root(
        fm: &mut FrontMatter,
        key: &str,
        v: Value,
        span: std::ops::Range<usize>,
    ) -> Option<()> {
        let sp = |v| Spanned::new(span.clone(), v);
        match (key, v) {
            ("title", Value::Str(s)) => once(&mut fm.title, sp(s)),
            ("published", Value::Date(d)) => once(&mut fm.published, Spanned::new(span, d)),
            ("episode_type", Value::Str(s)) => once(&mut fm.episode_type, sp(s)),
            ("season", Value::Int(n)) => once(&mut fm.season, Spanned::new(span, n)),
            ("episode" | "number", Value::Int(n)) => once(&mut fm.episode, Spanned::new(span, n)),
            ("explicit", Value::Bool(b)) => once(&mut fm.explicit, b),
            ("guid", Value::Str(s)) => once(&mut fm.guid, sp(s)),
            ("audio", Value::Str(s)) => {
                once(&mut fm.audio, Spanned::new(span, AudioSpec::Local(s)))
            }
            ("transcript", Value::Str(s)) => once(&mut fm.transcript, sp(s)),
            ("chapters", Value::Str(s)) => once(&mut fm.chapters, sp(s)),
            ("image", Value::Str(s)) => once(&mut fm.image, sp(s)),
            ("video", Value::Str(s)) => once(&mut fm.video, sp(s)),
            _ => None,
        }
    }

    fn set_audio(a: &mut RemoteAudio, key: &str, v: Value) -> Option<()> {
        match (key, v) {
            ("url", Value::Str(s)) => once(&mut a.url, s),
            ("path", Value::Str(s)) => once(&mut a.path, s),
            ("length", Value::Int(n)) => once(&mut a.length, n),
            ("type", Value::Str(s)) => once(&mut a.mime, s),
            ("duration", Value::Int(n)) => once(&mut a.duration, DurationSpec::Seconds(n)),
            ("duration", Value::Str(s)) => once(&mut a.duration, DurationSpec::Clock(s)),
            _ => None,
        }
    }

    /// A whole value (the rest of the line after `=`, trimmed).
    fn value(t: &str) -> Option<Value> {
        match t.as_bytes().first()? {
            b'"' => {
                let inner = t.strip_prefix('"')?.strip_suffix('"')?;
                let plain = inner
                    .bytes()
                    .all(|b| b != b'"' && b != b'\\' && (b >= 0x20 || b == b'\t') && b != 0x7F);
                plain.then(|| Value::Str(inner.to_string()))
            }
            b't' if t == "true" => Some(Value::Bool(true)),
            b'f' if t == "false" => Some(Value::Bool(false)),
            b'0'..=b'9' if t.len() >= 20 && t.as_bytes()[4] == b'-' => datetime(t).map(Value::Date),
            b'0'..=b'9' => {
                // No sign, no `_`, no leading zero; small enough for i64.
                let ok = t.len() <= 18
                    && t.bytes().all(|b| b.is_ascii_digit())
                    && (t == "0" || !t.starts_with('0'));
                ok.then(|| Value::Int(t.parse().expect("checked digits")))
            }
            _ => None,
        }
    }

    /// `YYYY-MM-DDTHH:MM:SS` and `Z` or `±HH:MM`, a real calendar day.
    fn datetime(t: &str) -> Option<Datetime> {
        let b = t.as_bytes();
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let d = b.get(r)?;
            d.iter()
                .all(u8::is_ascii_digit)
                .then(|| d.iter().fold(0, |n, c| n * 10 + u32::from(c - b'0')))
        };
        let shape = b.len() >= 20
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':';
        if !shape {
            return None;
        }
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        chrono::NaiveDate::from_ymd_opt(year as i32, month, day)?;
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let offset = match &b[19..] {
            b"Z" => Offset::Z,
            [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
                let (h, m) = (num(20..22)?, num(23..25)?);
                if h > 23 || m > 59 {
                    return None;
                }
                let minutes = (h * 60 + m) as i16;
                Offset::Custom {
                    minutes: if *sign == b'-' { -minutes } else { minutes },
                }
            }
            _ => return None,
        };
        Some(Datetime {
            date: Some(Date {
                year: year as u16,
                month: month as u8,
                day: day as u8,
            }),
            time: Some(Time {
                hour: hour as u8,
                minute: minute as u8,
                second: second as u8,
                nanosecond: 0,
            }),
            offset: Some(offset),
        })
    }

    #[cfg(test)]
    mod tests {
        use super::super::FrontMatter;

        /// What toml makes of a block, where the simple reader takes it.
        fn same(src: &str) -> bool {
            match super::parse(src) {
                Some(fm) => {
                    let t = toml::from_str::<FrontMatter>(src).expect("toml reads it too");
                    assert_eq!(format!("{fm:?}"), format!("{t:?}"), "{src:?}");
                    true
                }
                None => false,
            }
        }

        #[test]
        fn reads_plain_blocks_exactly_as_toml_does() {
            for src in [
                "title = \"log scheduler\"\npublished = 2001-01-01T00:00:00+09:00\nseason = 1\n\n[audio]\nurl = \"https://m/1.mp3\"\nlength = 32864807\ntype = \"audio/mpeg\"\nduration = \"0:59:20\"\n",
                "  title=\"Tabs\tand é\"  \nepisode = 0\nexplicit = false\npublished = 2024-02-29T23:59:59Z\n",
                "number = 12\npublished = 1999-12-31T00:00:00-05:30\naudio = \"006.mp3\"\nblock = true\n",
                "[audio]\nduration = 3723\npath = \"a.mp3\"",
                "published = 2001-01-01T00:00:00-00:00\n",
                "published = 0000-01-01T23:59:59+00:00\n",
                "published = 9999-12-31T00:00:00+23:59\n",
                "season = 999999999999999999\n",
                "",
            ] {
                assert!(same(src), "fell back on {src:?}");
            }
        }

        #[test]
        fn leaves_everything_else_to_toml() {
            for src in [
                "title = \"a\" # comment\n",
                "title = \"a\\\"b\"\n",
                "title = 'literal'\n",
                "title = \"a\"\ntitle = \"b\"\n",
                "episode = 1\nnumber = 2\n",
                "season = 01\n",
                "season = -1\n",
                "season = 1_000\n",
                "season = \"1\"\n",
                "published = 2001-02-29T00:00:00Z\n",
                "published = 2001-01-01T24:00:00Z\n",
                "published = 2001-01-01T00:00:60Z\n",
                "published = 2001-01-01T00:00:00.5Z\n",
                "published = 2001-01-01 00:00:00Z\n",
                "published = 2001-01-01T00:00:00\n",
                "published = 2001-01-01\n",
                "published = 2001-01-01T00:00:00+24:00\n",
                "unknown = 1\n",
                "[audio]\n[audio]\n",
                "audio = \"a.mp3\"\n[audio]\nurl = \"x\"\n",
                "[audio]\nsize = 1\n",
                "[video]\n",
                "soundbites = []\n",
                "[[soundbites]]\nstart = 1.0\n",
                "location = { name = \"x\" }\n",
                "block = true\nblock = true\n",
                "title = \"\u{7f}\"\n",
                "title = \"a\"b\"\n",
            ] {
                assert!(!same(src), "took {src:?}");
            }
        }
    }
}
