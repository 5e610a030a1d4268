//! Validation: parsed episodes + show → feed items, with every semantic check of
//! SPEC section 4 that needs more than one line of Markdown to decide.
//!
//! Per-episode work ([`resolve`]) is independent and runs in parallel; the
//! cross-episode checks ([`cross_check`]) use hash maps, so the whole stage stays
//! linear in the number of episodes.

use rustc_hash::FxHashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use toml::Spanned;
use url::Url;
use uuid::Uuid;

use crate::config::{Show, ShowType};
use crate::diag::{Diagnostic, Rule, Span};
use crate::episode::{Credit, DateValue, ParsedEpisode};
use crate::frontmatter::{AudioSpec, RemoteAudio};
use crate::html;
use crate::media;
use crate::model::{Enclosure, EpisodeType, Item, PersonCredit, Soundbite, Transcript};
use crate::source::FileId;

/// Where an episode stands for this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Publish,
    /// No publish date: checked, never published.
    Draft,
    /// Publish date in the future: left out until then.
    Scheduled,
}

/// Inputs every episode needs besides its own file.
pub struct Context<'a> {
    pub show: &'a Show,
    /// The project root (where podcast.toml is).
    pub root: &'a Path,
    pub now: DateTime<FixedOffset>,
    /// Render the full notes HTML and the plain-text summary. Builds need them;
    /// `check` does not (they are pure renderings and can report nothing), so it
    /// leaves them empty.
    pub render: bool,
}

/// One resolved episode: the item as it would be published, and its spans for
/// cross-episode messages.
#[derive(Debug)]
pub struct Resolved {
    pub file: FileId,
    pub item: Item,
    pub status: Status,
    /// The number came from nowhere (serial shows need one).
    pub numbered: bool,
    pub anchor: Span,
    pub guid_span: Span,
    pub enclosure_span: Span,
}

/// Resolves one episode. `dir` is the folder of a `NNN/README.md` episode, or the
/// folder holding `NNN.md`; relative sidecar and media paths resolve against it
/// first, then against the project root.
pub fn resolve(
    ctx: &Context<'_>,
    ep: ParsedEpisode<'_>,
    dir: &Path,
) -> (Resolved, Vec<Diagnostic>) {
    let listing = Listing::of(dir);
    resolve_listed(ctx, ep, dir, &listing)
}

/// The files of an episode's folder, for finding its sidecars (transcripts).
#[derive(Debug, Clone, Default)]
pub struct Listing {
    /// A `NNN/README.md` episode: sidecars are `transcript.*`, not `NNN.*`.
    pub folder: bool,
    /// File names (not folders) directly in the folder.
    pub names: Names,
}

/// A folder's file names (FxHash: 10,000 names are hashed while the episodes
/// folder is listed, before anything runs in parallel).
pub type Names = rustc_hash::FxHashSet<String>;

impl Listing {
    /// Lists `dir` now.
    pub fn of(dir: &Path) -> Listing {
        let names: Names = std::fs::read_dir(dir)
            .map(|rd| {
                rd.flatten()
                    .filter(|e| e.path().is_file())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        Listing {
            folder: names.contains("README.md"),
            names,
        }
    }
}

/// [`resolve`] with the folder already listed (see [`crate::discover`]).
pub fn resolve_listed(
    ctx: &Context<'_>,
    ep: ParsedEpisode<'_>,
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

/// Why a front-matter `published` gives no time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrontDate {
    NoDate,
    NotCalendar,
    BadTime,
    /// A local time the show's time zone skips (or an offset out of range).
    NotInZone,
}

/// A local date and time in the show's time zone (the earlier of two, in the
/// hour a clock change repeats).
fn at_publish_time(show: &Show, date: NaiveDate, time: NaiveTime) -> Option<DateTime<FixedOffset>> {
    show.timezone
        .from_local_datetime(&NaiveDateTime::new(date, time))
        .earliest()
        .map(|d| d.fixed_offset())
}

/// The publish time a complete Recording date gives: the show's
/// `publish_time` on that day, in its time zone.
pub fn recording_published(show: &Show, date: NaiveDate) -> Option<DateTime<FixedOffset>> {
    at_publish_time(show, date, show.publish_time)
}

/// The publish time a front-matter `published` gives: with no time, the
/// show's `publish_time`; with no offset, the show's time zone. Also what a
/// build orders the feed by before any notes are parsed
/// ([`crate::build`]), so it depends on nothing else in the file.
pub fn front_published(
    show: &Show,
    v: &toml::value::Datetime,
) -> Result<DateTime<FixedOffset>, FrontDate> {
    let d = v.date.ok_or(FrontDate::NoDate)?;
    let date = NaiveDate::from_ymd_opt(d.year as i32, d.month as u32, d.day as u32)
        .ok_or(FrontDate::NotCalendar)?;
    let time = match v.time {
        Some(t) => NaiveTime::from_hms_nano_opt(
            t.hour as u32,
            t.minute as u32,
            t.second as u32,
            t.nanosecond,
        )
        .ok_or(FrontDate::BadTime)?,
        None => show.publish_time,
    };
    let out = match v.offset {
        Some(toml::value::Offset::Z) => Some(
            chrono::Utc
                .from_utc_datetime(&NaiveDateTime::new(date, time))
                .fixed_offset(),
        ),
        Some(toml::value::Offset::Custom { minutes }) => FixedOffset::east_opt(minutes as i32 * 60)
            .and_then(|o| {
                o.from_local_datetime(&NaiveDateTime::new(date, time))
                    .single()
            }),
        None => at_publish_time(show, date, time),
    };
    out.ok_or(FrontDate::NotInZone)
}

struct Resolver<'a, 'c> {
    ctx: &'a Context<'c>,
    file: FileId,
    dir: &'a Path,
    listing: &'a Listing,
    diags: Vec<Diagnostic>,
}

impl Resolver<'_, '_> {
    fn push(&mut self, rule: Rule, span: Range<usize>, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::new(rule, msg).at(self.file, span));
        self.diags.last_mut().expect("just pushed")
    }

    fn run(&mut self, ep: ParsedEpisode<'_>) -> Resolved {
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
        let mut license = ep.front.license.clone();
        if let Some(l) = license.as_mut() {
            if let Some(u) = l.url.take() {
                l.url = self.url(&u, anchor.clone(), "license url");
            }
        }
        let transcripts = self.transcripts(&ep);
        let chapters = ep.front.chapters.as_ref().and_then(|c| self.chapters(c));
        let (guid, guid_is_permalink, id_iri, guid_span) = self.guid(&ep, number, &anchor);
        let persons = self.persons(&ep);
        let link = show
            .episode_page(number, &ep.slug)
            .unwrap_or_else(|| show.link.clone());
        let full_link = if link.is_empty() {
            None
        } else {
            Some(link.as_str())
        };
        // `check` only needs to know whether the description is cut.
        let apple = if self.ctx.render {
            html::render_apple(&ep.notes, full_link, html::APPLE_LIMIT)
        } else {
            html::AppleHtml {
                html: String::new(),
                truncated: !ep
                    .apple_fits
                    .unwrap_or_else(|| html::apple_fits(&ep.notes, html::APPLE_LIMIT)),
            }
        };
        if apple.truncated {
            self.push(
                Rule::DescriptionTruncated,
                anchor.clone(),
                "the notes are over 4000 bytes; the Apple description was cut and links to the full notes",
            );
        }
        let item = Item {
            number,
            slug: ep.slug.clone(),
            title,
            guid,
            guid_is_permalink,
            id_iri,
            published: published.unwrap_or(self.ctx.now),
            link,
            content_html: if self.ctx.render {
                html::render_full(&ep.notes)
            } else {
                String::new()
            },
            description_html: apple.html,
            summary_text: if self.ctx.render {
                html::summary(&ep.notes, 500)
            } else {
                String::new()
            },
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
            soundbites: ep
                .front
                .soundbites
                .iter()
                .map(|s| Soundbite {
                    start: s.start,
                    duration: s.duration,
                    title: s.title.clone(),
                })
                .collect(),
            block: ep.front.block,
            location: ep.front.location.clone(),
            license,
        };
        Resolved {
            file: self.file,
            item,
            status,
            numbered: number.is_some(),
            anchor: Span::new(self.file, anchor),
            guid_span: Span::new(self.file, guid_span),
            enclosure_span: Span::new(self.file, enclosure_span),
        }
    }

    fn number(&mut self, ep: &ParsedEpisode<'_>, anchor: &Range<usize>) -> Option<u32> {
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

    fn title(
        &mut self,
        ep: &ParsedEpisode<'_>,
        number: Option<u32>,
        anchor: &Range<usize>,
    ) -> String {
        let show = self.ctx.show;
        let (title, span) = match (
            &ep.front.title,
            ep.heading.as_ref().and_then(|h| h.title.clone()),
        ) {
            (Some(t), _) if !t.get_ref().trim().is_empty() => (
                crate::source::strip_unsafe_chars(t.get_ref().trim()).into_owned(),
                t.span(),
            ),
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

    fn published(
        &mut self,
        ep: &ParsedEpisode<'_>,
        anchor: &Range<usize>,
    ) -> (Option<DateTime<FixedOffset>>, Status) {
        let show = self.ctx.show;
        if let Some(d) = &ep.header.recording_date {
            match &d.value {
                DateValue::Partial(s) => {
                    self.push(
                        Rule::PartialDate,
                        d.span.clone(),
                        format!("the recording date `{s}` is incomplete"),
                    )
                    .help = Some("write the whole date, e.g. 2021-01-22".into());
                }
                DateValue::Empty => {
                    self.push(
                        Rule::PartialDate,
                        d.span.clone(),
                        "the recording date has no value",
                    );
                }
                DateValue::Invalid(s) => {
                    self.push(
                        Rule::InvalidDate,
                        d.span.clone(),
                        format!("`{s}` is not a calendar date"),
                    )
                    .help = Some("write it as YYYY-MM-DD".into());
                }
                DateValue::Complete {
                    date,
                    ambiguous: true,
                } => {
                    self.push(
                        Rule::AmbiguousDate,
                        d.span.clone(),
                        format!("this date could be month-first or day-first; read as {date}"),
                    )
                    .help = Some(format!("write it as {date} to be unambiguous"));
                }
                DateValue::Complete { .. } => {}
            }
        }
        let published = match &ep.front.published {
            Some(p) => self.front_date(p),
            None => match &ep.header.recording_date {
                Some(d) => match &d.value {
                    DateValue::Complete { date, .. } => recording_published(show, *date),
                    _ => None,
                },
                None => None,
            },
        };
        match published {
            None => {
                self.push(
                    Rule::Draft,
                    anchor.clone(),
                    "no publish date: this episode is a draft and build leaves it out",
                )
                .help = Some("set `published = 2021-01-22T21:00:00+09:00` in the front matter, or a complete Recording date".into());
                (None, Status::Draft)
            }
            Some(p) if p > self.ctx.now => {
                self.push(
                    Rule::Scheduled,
                    anchor.clone(),
                    format!(
                        "scheduled for {}: build leaves it out until then",
                        p.to_rfc3339()
                    ),
                );
                (Some(p), Status::Scheduled)
            }
            Some(p) => (Some(p), Status::Publish),
        }
    }

    fn front_date(&mut self, p: &Spanned<toml::value::Datetime>) -> Option<DateTime<FixedOffset>> {
        let v = p.get_ref();
        let msg = match front_published(self.ctx.show, v) {
            Ok(d) => return Some(d),
            Err(FrontDate::NoDate) => "`published` needs a date".to_string(),
            Err(FrontDate::NotCalendar) => format!("{v} is not a calendar date"),
            Err(FrontDate::BadTime) => format!("{v} is not a valid time"),
            Err(FrontDate::NotInZone) => {
                format!("{v} does not exist in {}", self.ctx.show.timezone)
            }
        };
        self.push(Rule::InvalidDate, p.span(), msg);
        None
    }

    fn hosts(&mut self, ep: &ParsedEpisode<'_>, anchor: &Range<usize>) {
        if !ep.header.has_host_line {
            let span = ep.header.span.clone().unwrap_or(anchor.clone());
            let span = span.start..span.start.max(span.end.min(span.start + 1));
            self.push(
                Rule::MissingHost,
                span,
                "the header list has no `Hosted by` line",
            )
            .help = Some("add `- Hosted by @handle` to the list under the episode heading".into());
        }
        if !self.ctx.show.loaded {
            return;
        }
        let credits = ep
            .header
            .hosts
            .iter()
            .chain(ep.header.guests.iter())
            .chain(ep.speakers.iter().map(|s| &s.credit));
        let mut unknown = Vec::new();
        for c in credits {
            if let Some(h) = &c.handle {
                if !self.ctx.show.people.contains_key(h) {
                    unknown.push((h.clone(), c.span.clone()));
                }
            }
        }
        for (h, span) in unknown {
            let guess = crate::suggest(&h, self.ctx.show.people.keys().map(String::as_str))
                .map(str::to_string);
            let d = self.push(
                Rule::UnknownSpeaker,
                span,
                format!("`@{h}` is not in the [people] registry; credited by handle only"),
            );
            d.help = Some(match guess {
                Some(g) => {
                    format!("did you mean `@{g}`? Otherwise add [people.{h}] to podcast.toml")
                }
                None => format!("add [people.{h}] with name, href and role to podcast.toml"),
            });
        }
    }

    fn video(&mut self, ep: &ParsedEpisode) -> Option<String> {
        if let Some(v) = &ep.front.video {
            return self.url(v.get_ref(), v.span(), "video");
        }
        match &ep.header.video {
            Some(l) if l.value.is_none() && ep.header.video_rejected => ep.html_video.clone(),
            Some(l) if l.value.is_none() => {
                self.push(
                    Rule::EmptyVideo,
                    l.span.clone(),
                    "the Video line has no link",
                )
                .help = Some("add the video URL, or remove the line".into());
                ep.html_video.clone()
            }
            Some(l) => l.value.clone(),
            None => ep.html_video.clone(),
        }
    }

    /// An absolute http(s) URL from front matter.
    fn url(&mut self, s: &str, span: Range<usize>, what: &str) -> Option<String> {
        match Url::parse(s.trim()) {
            Ok(u) if u.scheme() == "https" => Some(u.to_string()),
            Ok(u) if u.scheme() == "http" => {
                self.push(Rule::InsecureUrl, span, format!("the {what} URL uses http"))
                    .help = Some("use https".into());
                Some(u.to_string())
            }
            Ok(u) => {
                self.push(
                    Rule::InvalidUrl,
                    span,
                    format!("the {what} URL must be http(s), not `{}:`", u.scheme()),
                );
                None
            }
            Err(e) => {
                self.push(
                    Rule::InvalidUrl,
                    span,
                    format!("the {what} URL `{s}` does not parse: {e}"),
                );
                None
            }
        }
    }

    fn image(&mut self, i: &Spanned<String>) -> Option<String> {
        let u = self.url(i.get_ref(), i.span(), "image")?;
        let path = Url::parse(&u)
            .map(|u| u.path().to_ascii_lowercase())
            .unwrap_or_default();
        if ![".jpg", ".jpeg", ".png"].iter().any(|e| path.ends_with(e)) {
            self.push(
                Rule::ImageFormat,
                i.span(),
                "episode art must be a .jpg or .png image",
            );
        }
        Some(u)
    }

    /// Finds a local file next to the episode, then under the project root.
    /// Absolute paths and `..` leading out of the project are never read (a show
    /// note must not make the build read `/etc/passwd` or publish its URL).
    fn local(&self, rel: &str) -> Option<PathBuf> {
        [self.dir, self.ctx.root]
            .into_iter()
            .filter(|base| self.stays_inside(base, rel))
            .map(|base| base.join(rel))
            .find(|p| p.is_file())
    }

    /// Whether `rel` joined to `base` stays inside the project, judged by its
    /// components without touching the disk (absolute paths never do).
    fn stays_inside(&self, base: &Path, rel: &str) -> bool {
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
    fn local_or_report(&mut self, rel: &str, span: Range<usize>, what: &str) -> Option<PathBuf> {
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
    fn publish_url(&mut self, rel: &str, span: Range<usize>) -> Option<String> {
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

    fn enclosure(
        &mut self,
        ep: &ParsedEpisode<'_>,
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

    fn local_media(
        &mut self,
        rel: &str,
        span: Range<usize>,
        given: Option<&RemoteAudio>,
    ) -> (Option<Enclosure>, Option<u64>) {
        let Some(path) = self.local_or_report(rel, span.clone(), "media file") else {
            return (None, None);
        };
        let info = match media::probe(&path) {
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

    fn remote_media(
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
            None => url.as_deref().and_then(media::mime_for).map(str::to_string),
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

    fn transcripts(&mut self, ep: &ParsedEpisode) -> Vec<Transcript> {
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
                        mime: media::mime_for(&name).unwrap_or("text/plain").to_string(),
                    });
                }
            }
        }
        out
    }

    fn rel_to_root(&self, p: &Path) -> String {
        crate::source::display_path(self.ctx.root, p)
    }

    fn sidecar(&mut self, s: &str, span: Range<usize>) -> Option<Transcript> {
        let mime = media::mime_for(s).unwrap_or("text/plain").to_string();
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

    fn chapters(&mut self, c: &Spanned<String>) -> Option<String> {
        let s = c.get_ref();
        if s.contains("://") {
            return self.url(s, c.span(), "chapters");
        }
        let path = self.local_or_report(s, c.span(), "chapters file")?;
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        if let Err(e) = crate::chapters::validate(&text) {
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

    fn guid(
        &mut self,
        ep: &ParsedEpisode<'_>,
        number: Option<u32>,
        anchor: &Range<usize>,
    ) -> (String, bool, String, Range<usize>) {
        let feed = self.ctx.show.podcast_guid;
        if let Some(g) = &ep.front.guid {
            let v = crate::source::strip_unsafe_chars(g.get_ref().trim()).into_owned();
            if v.is_empty() {
                self.push(Rule::DuplicateGuid, g.span(), "the guid is empty");
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

    fn persons(&mut self, ep: &ParsedEpisode) -> Vec<PersonCredit> {
        let show = self.ctx.show;
        let mut out: Vec<PersonCredit> = Vec::new();
        let mut add = |c: PersonCredit| {
            if !out.iter().any(|o| o.name == c.name) {
                out.push(c);
            }
        };
        for h in &show.hosts {
            if let Some(p) = show.people.get(h) {
                add(credit_of(
                    show,
                    &Credit {
                        handle: Some(h.clone()),
                        name: None,
                        href: None,
                        span: 0..0,
                    },
                    "host",
                    p.role.as_deref(),
                ));
            }
        }
        for c in &ep.header.hosts {
            add(credit_of(show, c, "host", None));
        }
        for s in ep.speakers.iter().filter(|s| !s.absent) {
            add(credit_of(show, &s.credit, "guest", None));
        }
        for c in &ep.header.guests {
            add(credit_of(show, c, "guest", None));
        }
        out
    }
}

/// A credit resolved against the registry. `forced` wins over the registry (a
/// `Hosted by` line makes someone this episode's host whatever their usual role).
fn credit_of(show: &Show, c: &Credit, default_role: &str, forced: Option<&str>) -> PersonCredit {
    let person = c.handle.as_ref().and_then(|h| show.people.get(h));
    let role = match (forced, default_role) {
        (Some(r), _) => r.to_string(),
        (None, "host") => "host".to_string(),
        (None, d) => person
            .and_then(|p| p.role.clone())
            .unwrap_or_else(|| d.to_string()),
    };
    let group = crate::catalog::find_role(&role).map(|e| e.group.to_lowercase());
    PersonCredit {
        name: person
            .map(|p| p.name.clone())
            .or_else(|| c.name.clone())
            .or_else(|| c.handle.clone())
            .unwrap_or_default(),
        role,
        group,
        href: person
            .and_then(|p| p.href.clone())
            .or_else(|| c.href.clone()),
        img: person.and_then(|p| p.img.clone()),
    }
}

/// Channel-level credits: the show's hosts.
pub fn channel_persons(show: &Show) -> Vec<PersonCredit> {
    show.hosts
        .iter()
        .filter_map(|h| show.people.get(h))
        .map(|p| {
            let c = Credit {
                handle: Some(p.handle.clone()),
                name: None,
                href: None,
                span: 0..0,
            };
            credit_of(show, &c, "host", p.role.as_deref())
        })
        .collect()
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

/// Checks that need all episodes: numbers, guids and enclosure URLs unique;
/// serial shows numbered.
pub fn cross_check(show: &Show, eps: &[Resolved]) -> Vec<Diagnostic> {
    let mut diags = Vec::new();
    let n = eps.len();
    let mut numbers: FxHashMap<u32, &Resolved> =
        FxHashMap::with_capacity_and_hasher(n, Default::default());
    let mut guids: FxHashMap<&str, &Resolved> =
        FxHashMap::with_capacity_and_hasher(n, Default::default());
    let mut urls: FxHashMap<&str, &Resolved> =
        FxHashMap::with_capacity_and_hasher(n, Default::default());
    for r in eps {
        if let Some(n) = r.item.number {
            if let Some(first) = numbers.get(&n) {
                diags.push(
                    Diagnostic::new(
                        Rule::DuplicateNumber,
                        format!("episode number {n} is also used by {}", first.item.slug),
                    )
                    .at_span(Some(r.anchor.clone())),
                );
            } else {
                numbers.insert(n, r);
            }
        } else if show.show_type == ShowType::Serial {
            diags.push(
                Diagnostic::new(
                    Rule::SerialUnnumbered,
                    "a serial show needs a number on every episode",
                )
                .at_span(Some(r.anchor.clone())),
            );
        }
        if let Some(first) = guids.get(r.item.guid.as_str()) {
            diags.push(
                Diagnostic::new(Rule::DuplicateGuid, format!("guid `{}` is also used by {}", r.item.guid, first.item.slug))
                    .at_span(Some(r.guid_span.clone()))
                    .help("every episode needs its own guid; podcast apps treat equal guids as one episode"),
            );
        } else {
            guids.insert(&r.item.guid, r);
        }
        if let Some(e) = &r.item.enclosure {
            if let Some(first) = urls.get(e.url.as_str()) {
                diags.push(
                    Diagnostic::new(
                        Rule::DuplicateEnclosure,
                        format!("enclosure {} is also used by {}", e.url, first.item.slug),
                    )
                    .at_span(Some(r.enclosure_span.clone())),
                );
            } else {
                urls.insert(&e.url, r);
            }
        }
    }
    diags
}
