//! One episode resolved: its number, title, publish time, guid and the rest
//! of its item, each checked; the notes pass through as the parser left them.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use url::Url;
use uuid::Uuid;

use super::{Context, Resolved};
use crate::chars::{is_invisible, is_xml_invalid, strip_unsafe};
use crate::diag::{Diagnostic, FileId, Rule, Span};
use crate::input::config::fields::{drop_invalid_location, GEO_HELP};
use crate::input::episode::ParsedEpisode;
use crate::input::Listing;
use crate::model::{EpisodeType, Item, Location, Soundbite};

/// Resolves one episode. `dir` is the folder of a `NNN/README.md` episode, or
/// the folder holding `NNN.md`; relative sidecar and media paths resolve
/// against it first, then against the project root.
pub(super) fn resolve(
    ctx: &Context<'_>,
    ep: ParsedEpisode,
    dir: &Path,
    listing: &Listing,
) -> (Resolved, Vec<Diagnostic>) {
    let mut r = Resolver {
        ctx,
        file: ep.file,
        dir,
        listing,
        diags: Vec::new(),
    };
    let res = r.run(ep);
    (res, r.diags)
}

pub(super) struct Resolver<'a, 'c> {
    pub(super) ctx: &'a Context<'c>,
    pub(super) file: FileId,
    pub(super) dir: &'a Path,
    pub(super) listing: &'a Listing,
    pub(super) diags: Vec<Diagnostic>,
}

impl Resolver<'_, '_> {
    pub(super) fn push(
        &mut self,
        rule: Rule,
        span: Range<usize>,
        msg: impl Into<String>,
    ) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::new(rule, msg).at(self.file, span));
        self.diags.last_mut().expect("just pushed")
    }

    fn run(&mut self, ep: ParsedEpisode) -> Resolved {
        let show = self.ctx.show;
        let anchor = ep.heading.as_ref().map(|h| h.span.clone()).unwrap_or(0..0);
        let number = self.number(&ep, &anchor);
        let title = self.title(&ep, number, &anchor);
        let (published, status) = self.published(&ep, &anchor);
        self.hosts(&ep, &anchor);
        let video = self.video(&ep);
        let (enclosure, duration, enclosure_span) = self.enclosure(&ep, &anchor);
        let episode_type = match &ep.front.episode_type {
            Some(t) => EpisodeType::parse(t.get_ref()).unwrap_or_else(|| {
                self.push(
                    Rule::InvalidEpisodeType,
                    t.span(),
                    format!("`{}` is not an episode type", t.get_ref()),
                )
                .help = Some("use full, trailer or bonus".into());
                EpisodeType::Full
            }),
            None => EpisodeType::Full,
        };
        let season = ep.front.season.as_ref().and_then(|s| {
            let v = *s.get_ref();
            if v <= 0 || v > u32::MAX as i64 {
                self.push(
                    Rule::InvalidNumber,
                    s.span(),
                    format!("season {v} is not a positive number"),
                );
                None
            } else {
                Some(v as u32)
            }
        });
        let image = ep.front.image.as_ref().and_then(|i| self.image(i));
        // Published as podcast:license url: checked like every other URL.
        let mut license = ep.front.license.clone().map(|l| (l.span(), l.into_inner()));
        if let Some((at, l)) = license.as_mut() {
            if let Some(u) = l.url.take() {
                l.url = self.url(&u, at.clone(), "license url");
            }
        }
        let transcripts = self.transcripts(&ep);
        let (chapters, chapter_marks) = ep
            .front
            .chapters
            .as_ref()
            .and_then(|c| self.chapters(c))
            .unzip();
        let (guid, guid_is_permalink, id_iri, guid_span) = self.guid(&ep, number, &anchor);
        let persons = self.persons(&ep);
        let soundbites = self.soundbites(&ep);
        let location = ep.front.location.clone().map(|l| self.location(l));
        let license = license.map(|(at, mut l)| {
            self.clean_text_at(&mut l.name, "license.name", at);
            l
        });
        let link = match show.try_episode_page(number, &ep.slug) {
            Some(Ok(page)) => page,
            Some(Err(page)) => {
                self.push(
                    Rule::InvalidUrl,
                    anchor.clone(),
                    format!("`episode_url` gives `{page}` for this episode, which is not an http(s) URL; the item links to the show's page"),
                )
                .help = Some("put {number} or {slug} in the path of episode_url".into());
                show.link.clone()
            }
            None => show.link.clone(),
        };
        let item = Item {
            number,
            slug: ep.slug.clone(),
            title,
            guid,
            guid_is_permalink,
            id_iri,
            published: published.unwrap_or(self.ctx.now),
            link,
            notes: ep.notes,
            enclosure,
            duration,
            episode_type,
            season,
            explicit: ep.front.explicit,
            image,
            persons,
            video,
            transcripts,
            chapters,
            chapter_marks: chapter_marks.unwrap_or_default(),
            soundbites,
            block: ep.front.block,
            location,
            license,
        };
        Resolved {
            item,
            status,
            anchor: Span::new(self.file, anchor),
            guid_span: Span::new(self.file, guid_span),
            enclosure_span: Span::new(self.file, enclosure_span),
        }
    }

    /// podcast:soundbite takes a start of 0 seconds or more and a positive
    /// duration; any other soundbite is left out, with a finding at its table.
    fn soundbites(&mut self, ep: &ParsedEpisode) -> Vec<Soundbite> {
        let mut out = Vec::new();
        for (i, spanned) in ep.front.soundbites.iter().enumerate() {
            let (s, at) = (spanned.get_ref(), spanned.span());
            let why = if !(s.start.is_finite() && s.start >= 0.0) {
                format!(
                    "its start, {}, is not a number of seconds from 0 up",
                    s.start
                )
            } else if !(s.duration.is_finite() && s.duration > 0.0) {
                format!(
                    "its duration, {}, is not a positive number of seconds",
                    s.duration
                )
            } else {
                let mut title = s.title.clone();
                if let Some(t) = title.as_mut() {
                    self.clean_text_at(t, "soundbites.title", at);
                }
                out.push(Soundbite {
                    // -0.0 passes the check, but would be written `-0`.
                    start: s.start.abs(),
                    duration: s.duration,
                    title,
                });
                continue;
            };
            self.push(
                Rule::InvalidValue,
                at,
                format!(
                    "soundbite {} in the front matter is left out of the feed: {why}",
                    i + 1
                ),
            )
            .help = Some("e.g. { start = 73.0, duration = 60.0, title = \"…\" }".into());
        }
        out
    }

    /// podcast:location: a geo URI or an OpenStreetMap id that is not one is
    /// left out (the name stays), with a finding at the location's table.
    fn location(&mut self, spanned: Spanned<Location>) -> Location {
        let at = spanned.span();
        let mut l = spanned.into_inner();
        self.clean_text_at(&mut l.name, "location.name", at.clone());
        for (field, what) in drop_invalid_location(&mut l) {
            let d = self.push(
                Rule::InvalidValue,
                at.clone(),
                format!(
                    "`location.{field}` in the front matter {what}; it is left out of the feed"
                ),
            );
            d.help = (field == "geo").then(|| GEO_HELP.into());
        }
        l
    }

    /// Front-matter text published as written: TOML escapes (`\u0001`,
    /// `\u202E`) can put characters a feed cannot hold into it. They are
    /// removed, with a finding at `span` (the value, or its table); a CR is
    /// read as a line break.
    fn clean_text_at(&mut self, value: &mut String, name: &str, span: Range<usize>) {
        if value.contains('\r') {
            *value = value.replace("\r\n", "\n").replace('\r', "\n");
        }
        let Some(bad) = value
            .chars()
            .find(|&c| is_xml_invalid(c) || is_invisible(c) || c == '\u{FFFD}')
        else {
            return;
        };
        *value = strip_unsafe(value).into_owned();
        let rule = match is_invisible(bad) {
            true => Rule::InvisibleCharacter,
            false => Rule::ControlCharacter,
        };
        self.push(
            rule,
            span,
            format!(
                "`{name}` in the front matter contains U+{:04X}, which a feed cannot show; it is removed",
                bad as u32
            ),
        );
    }

    fn number(&mut self, ep: &ParsedEpisode, anchor: &Range<usize>) -> Option<u32> {
        let fm = ep.front.episode.as_ref().and_then(|n| {
            let v = *n.get_ref();
            if v <= 0 || v > u32::MAX as i64 {
                self.push(
                    Rule::InvalidNumber,
                    n.span(),
                    format!("episode number {v} is not positive"),
                );
                None
            } else {
                Some((v as u32, n.span()))
            }
        });
        let heading = ep.heading.as_ref().and_then(|h| {
            if let Some(bad) = &h.bad_number {
                self.push(
                    Rule::InvalidNumber,
                    h.span.clone(),
                    format!("episode number `{bad}` is not a positive number"),
                );
            }
            h.number.map(|n| (n, h.span.clone()))
        });
        let file = ep.file_number;
        let chosen = fm
            .as_ref()
            .map(|f| f.0)
            .or(heading.as_ref().map(|h| h.0))
            .or(file);
        let mut sources = Vec::new();
        if let Some((n, _)) = &fm {
            sources.push(format!("front matter says {n}"));
        }
        if let Some((n, _)) = &heading {
            sources.push(format!("the heading says {n}"));
        }
        if let Some(n) = file {
            sources.push(format!("the file name says {n}"));
        }
        let values: Vec<u32> = [
            fm.as_ref().map(|f| f.0),
            heading.as_ref().map(|h| h.0),
            file,
        ]
        .into_iter()
        .flatten()
        .collect();
        if values.windows(2).any(|w| w[0] != w[1]) {
            let span = fm
                .as_ref()
                .map(|f| f.1.clone())
                .or(heading.as_ref().map(|h| h.1.clone()))
                .unwrap_or(anchor.clone());
            self.push(
                Rule::NumberMismatch,
                span,
                format!("the episode number disagrees: {}", sources.join(", ")),
            )
            .help = Some(format!(
                "make them agree; feedgen uses {}",
                chosen.unwrap_or(0)
            ));
        }
        if chosen.is_none() {
            self.push(Rule::MissingNumber, anchor.clone(), "this episode has no number")
                .help = Some("start the file with `# 007` (or set `episode = 7` in front matter), or name it 007.md".into());
        }
        chosen
    }

    fn title(&mut self, ep: &ParsedEpisode, number: Option<u32>, anchor: &Range<usize>) -> String {
        let show = self.ctx.show;
        // Cleaned before it is judged empty: `" \u0001 "` is no title.
        let front = ep.front.title.as_ref().and_then(|t| {
            let mut v = t.get_ref().clone();
            self.clean_text_at(&mut v, "title", t.span());
            let v = v.trim();
            (!v.is_empty()).then(|| (v.to_string(), t.span()))
        });
        let (title, span) = match (front, ep.heading.as_ref().and_then(|h| h.title.clone())) {
            (Some(front), _) => front,
            (_, Some(t)) => (t, anchor.clone()),
            _ => {
                let n = number.map(|n| format!(" #{n}")).unwrap_or_default();
                self.push(
                    Rule::MissingTitle,
                    anchor.clone(),
                    "this episode has no title beyond its number",
                )
                .help =
                    Some("add `title = \"…\"` to the front matter, or write `# 006: Title`".into());
                return format!("{}{n}", show.title);
            }
        };
        let chars = title.chars().count();
        if chars > 255 {
            self.push(
                Rule::TitleTooLong,
                span.clone(),
                format!("the title is {chars} characters; the limit is 255"),
            );
        }
        if let Some(n) = number {
            if title_repeats_number(&title, n) {
                self.push(
                    Rule::NumberInTitle,
                    span,
                    format!("the title repeats the episode number {n}, which itunes:episode already carries"),
                )
                .help = Some("Apple shows the number itself; drop it from the title".into());
            }
        }
        title
    }

    fn guid(
        &mut self,
        ep: &ParsedEpisode,
        number: Option<u32>,
        anchor: &Range<usize>,
    ) -> (String, bool, String, Range<usize>) {
        let feed = self.ctx.show.podcast_guid;
        if let Some(g) = &ep.front.guid {
            let mut v = g.get_ref().clone();
            self.clean_text_at(&mut v, "guid", g.span());
            let v = v.trim().to_string();
            if v.is_empty() {
                self.push(Rule::DuplicateGuid, g.span(), "the guid is empty");
            }
            // Apps match guids exactly, and XML readers fold line breaks.
            if let Some(c) = v.chars().find(|&c| c.is_whitespace() && c != ' ') {
                self.push(
                    Rule::InvalidValue,
                    g.span(),
                    format!(
                        "the guid holds U+{:04X}, whitespace other than a plain space, which apps may not match as written",
                        c as u32
                    ),
                )
                .help = Some("write the guid on one line; if it was published so, keep it and allow this rule under [rules]".into());
            }
            let is_url = Url::parse(&v)
                .map(|u| matches!(u.scheme(), "http" | "https"))
                .unwrap_or(false);
            let iri = if Url::parse(&v).is_ok() {
                v.clone()
            } else if let Ok(u) = Uuid::parse_str(&v) {
                format!("urn:uuid:{u}")
            } else {
                format!(
                    "urn:uuid:{}",
                    Uuid::new_v5(&feed, format!("guid:{v}").as_bytes())
                )
            };
            return (v, is_url, iri, g.span());
        }
        let key = match number {
            Some(n) => format!("episode:{n}"),
            None => format!("slug:{}", ep.slug),
        };
        let u = Uuid::new_v5(&feed, key.as_bytes());
        (
            u.to_string(),
            false,
            format!("urn:uuid:{u}"),
            anchor.clone(),
        )
    }
}

/// Does the title carry the episode number itself (`#6`, `Episode 6`, `006: …`)?
pub fn title_repeats_number(title: &str, n: u32) -> bool {
    let lower = title.to_lowercase();
    let b = lower.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric() && b[i - 1] != b'.')
        {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let followed_ok =
                i == b.len() || !(b[i] == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_digit());
            if followed_ok && lower[start..i].parse::<u64>().ok() == Some(n as u64) {
                let before = lower[..start].trim_end();
                if start == 0
                    || before.ends_with('#')
                    || before.ends_with("episode")
                    || before.ends_with("ep")
                    || before.ends_with("ep.")
                {
                    return true;
                }
            }
        } else {
            i += 1;
        }
    }
    false
}
