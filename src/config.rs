//! `podcast.toml`: read with serde + toml spans, checked, and resolved into a [`Show`].
//!
//! The raw structs mirror the file; [`Show`] is what the rest of the pipeline uses.
//! A broken config still yields a `Show` (with empty placeholders) so episodes can
//! be checked in the same run: the errors stop the build, not the report.

use std::collections::BTreeMap;
use std::ops::Range;

use chrono::NaiveTime;
use serde::Deserialize;
use toml::Spanned;
use url::Url;
use uuid::Uuid;

use crate::catalog::{self, CategoryCheck};
use crate::diag::{Diagnostic, Level, Overrides, Rule};
use crate::source::{is_invisible, is_xml_invalid, strip_unsafe_chars, FileId};

/// Namespace for `podcast:guid`, fixed by the Podcasting 2.0 spec.
pub const PODCAST_GUID_NAMESPACE: Uuid = uuid::uuid!("ead4c236-bf58-58c6-a2c6-a6b28d128cb6");

type S<T> = Option<Spanned<T>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    podcast: RawPodcast,
    #[serde(default)]
    people: BTreeMap<String, Spanned<RawPerson>>,
    #[serde(default)]
    output: RawOutput,
    #[serde(default)]
    rules: BTreeMap<String, Spanned<Level>>,
    #[serde(default)]
    limits: Limits,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPodcast {
    title: S<String>,
    description: S<String>,
    link: S<String>,
    feed_url: S<String>,
    language: S<String>,
    author: S<String>,
    copyright: Option<String>,
    owner: S<RawOwner>,
    image: S<String>,
    #[serde(default)]
    categories: Vec<Spanned<Vec<String>>>,
    #[serde(default)]
    explicit: bool,
    #[serde(rename = "type", default)]
    show_type: ShowType,
    timezone: S<String>,
    publish_time: S<String>,
    media_base_url: S<String>,
    episode_url: S<String>,
    guid: S<String>,
    locked: S<RawLocked>,
    #[serde(default)]
    funding: Vec<Spanned<Funding>>,
    medium: S<String>,
    new_feed_url: S<String>,
    #[serde(default)]
    block: bool,
    #[serde(default)]
    complete: bool,
    license: Option<License>,
    location: Option<Location>,
    #[serde(default)]
    txt: Vec<Txt>,
    update_frequency: Option<UpdateFrequency>,
    #[serde(default)]
    podroll: Vec<RemoteItem>,
    #[serde(default)]
    hosts: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawOwner {
    name: String,
    email: Spanned<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawLocked {
    owner: Spanned<String>,
    #[serde(default = "yes")]
    locked: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
struct RawPerson {
    name: String,
    href: S<String>,
    img: S<String>,
    role: S<String>,
    group: S<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawOutput {
    dir: Option<String>,
    page_size: Option<Spanned<usize>>,
    hub: S<String>,
    #[serde(default)]
    allow_outside: bool,
}

/// Safety limits (SPEC: no input, however broken, makes feedgen hang).
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// Largest episode file read, in bytes.
    pub max_episode_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_episode_bytes: 4 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Deserialize, Clone, Copy, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum ShowType {
    #[default]
    Episodic,
    Serial,
}

impl ShowType {
    pub fn as_str(self) -> &'static str {
        match self {
            ShowType::Episodic => "episodic",
            ShowType::Serial => "serial",
        }
    }
}

#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Funding {
    pub url: String,
    pub text: String,
}

#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct License {
    pub name: String,
    pub url: Option<String>,
}

#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub name: String,
    pub geo: Option<String>,
    pub osm: Option<String>,
}

#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Txt {
    pub purpose: Option<String>,
    pub value: String,
}

#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UpdateFrequency {
    pub rrule: String,
    pub text: String,
    pub complete: Option<bool>,
}

#[derive(Debug, Deserialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RemoteItem {
    pub feed_guid: String,
    pub feed_url: Option<String>,
    pub title: Option<String>,
}

/// A registered person: credits resolve to these by handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub handle: String,
    pub name: String,
    pub href: Option<String>,
    pub img: Option<String>,
    /// Taxonomy role in the lower-case form the namespace uses; None = by context.
    pub role: Option<String>,
    pub group: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    pub name: String,
    pub email: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locked {
    pub owner: String,
    pub locked: bool,
}

/// Output settings.
#[derive(Debug, Clone, Default)]
pub struct OutputConfig {
    pub dir: Option<String>,
    pub page_size: Option<usize>,
    pub hub: Option<String>,
    /// The podcaster named an output directory outside the project on purpose.
    pub allow_outside: bool,
}

/// The resolved show: everything the renderers need from podcast.toml.
#[derive(Debug, Clone)]
pub struct Show {
    pub title: String,
    pub description: String,
    pub link: String,
    pub feed_url: String,
    pub language: String,
    pub author: String,
    pub copyright: Option<String>,
    pub owner: Option<Owner>,
    pub image: Option<String>,
    /// (category, optional subcategory), Apple names.
    pub categories: Vec<(String, Option<String>)>,
    pub explicit: bool,
    pub show_type: ShowType,
    pub timezone: chrono_tz::Tz,
    pub publish_time: NaiveTime,
    pub media_base_url: Option<Url>,
    /// Template for an episode's web page: `{number}`, `{slug}` are replaced.
    pub episode_url: Option<String>,
    pub podcast_guid: Uuid,
    pub locked: Option<Locked>,
    pub funding: Vec<Funding>,
    pub medium: Option<String>,
    pub new_feed_url: Option<String>,
    pub block: bool,
    pub complete: bool,
    pub license: Option<License>,
    pub location: Option<Location>,
    pub txt: Vec<Txt>,
    pub update_frequency: Option<UpdateFrequency>,
    pub podroll: Vec<RemoteItem>,
    /// Handles credited as hosts of the whole show (channel podcast:person).
    pub hosts: Vec<String>,
    pub people: BTreeMap<String, Person>,
    pub output: OutputConfig,
    pub limits: Limits,
    pub overrides: Overrides,
    /// False when podcast.toml could not be read: registry-dependent checks are skipped.
    pub loaded: bool,
}

impl Show {
    fn placeholder() -> Show {
        Show {
            title: String::new(),
            description: String::new(),
            link: String::new(),
            feed_url: String::new(),
            language: String::new(),
            author: String::new(),
            copyright: None,
            owner: None,
            image: None,
            categories: vec![],
            explicit: false,
            show_type: ShowType::Episodic,
            timezone: chrono_tz::UTC,
            publish_time: NaiveTime::MIN,
            media_base_url: None,
            episode_url: None,
            podcast_guid: Uuid::nil(),
            locked: None,
            funding: vec![],
            medium: None,
            new_feed_url: None,
            block: false,
            complete: false,
            license: None,
            location: None,
            txt: vec![],
            update_frequency: None,
            podroll: vec![],
            hosts: vec![],
            people: BTreeMap::new(),
            output: OutputConfig::default(),
            limits: Limits::default(),
            overrides: Overrides::default(),
            loaded: false,
        }
    }

    /// The episode's web page, if the show configures a template.
    pub fn episode_page(&self, number: Option<u32>, slug: &str) -> Option<String> {
        let t = self.episode_url.as_ref()?;
        let n = number
            .map(|n| n.to_string())
            .unwrap_or_else(|| slug.to_string());
        Some(t.replace("{number}", &n).replace("{slug}", slug))
    }
}

/// `podcast:guid` per the Podcasting 2.0 spec: UUIDv5 of the feed URL with the
/// scheme and trailing slashes removed.
pub fn derive_podcast_guid(feed_url: &str) -> Uuid {
    let s = feed_url.trim();
    let s = match s.find("://") {
        Some(i) => &s[i + 3..],
        None => s,
    };
    let s = s.trim_end_matches('/');
    Uuid::new_v5(&PODCAST_GUID_NAMESPACE, s.as_bytes())
}

/// Reads and checks podcast.toml. Always returns a Show; problems are diagnostics.
pub fn load(file: FileId, text: &str) -> (Show, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let raw: RawConfig = match toml::from_str(text) {
        Ok(r) => r,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            diags.push(
                Diagnostic::new(Rule::ConfigSyntax, e.message().trim().to_string()).at(file, span),
            );
            return (Show::placeholder(), diags);
        }
    };
    let mut c = Checker {
        file,
        diags: &mut diags,
    };
    let show = c.resolve(raw);
    (show, diags)
}

struct Checker<'a> {
    file: FileId,
    diags: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    fn push(&mut self, rule: Rule, span: Range<usize>, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::new(rule, msg).at(self.file, span));
        self.diags.last_mut().expect("just pushed")
    }

    fn required(&mut self, v: &S<String>, key: &str, podcast_span: &Range<usize>) -> String {
        match v {
            Some(s) if !s.get_ref().trim().is_empty() => s.get_ref().trim().to_string(),
            Some(s) => {
                self.push(
                    Rule::MissingField,
                    s.span(),
                    format!("`podcast.{key}` is empty"),
                );
                String::new()
            }
            None => {
                self.push(
                    Rule::MissingField,
                    podcast_span.clone(),
                    format!("`podcast.{key}` is missing"),
                )
                .help = Some(format!("add `{key} = \"…\"` under [podcast]"));
                String::new()
            }
        }
    }

    /// Checks an absolute http(s) URL; http gets a warning.
    fn url(&mut self, v: &Spanned<String>, key: &str) -> Option<String> {
        let s = v.get_ref().trim();
        // The URL is published as written, so it must be written absolute: the
        // url crate also accepts `http:x` and `https:/+/x`, which feeds cannot use.
        let lower = s.to_ascii_lowercase();
        // The url crate drops tabs and line breaks while parsing; the text as
        // written is what gets published, so it must not hold any control character.
        if let Some(c) = s.chars().find(|c| c.is_control()) {
            self.push(
                Rule::InvalidUrl,
                v.span(),
                format!("`{key}` contains the control character U+{:04X}", c as u32),
            );
            return None;
        }
        if (lower.starts_with("http:") || lower.starts_with("https:"))
            && !lower.starts_with("http://")
            && !lower.starts_with("https://")
        {
            self.push(
                Rule::InvalidUrl,
                v.span(),
                format!("`{key}` is not an absolute URL: `{s}`"),
            )
            .help = Some("write it as https://host/path".into());
            return None;
        }
        match Url::parse(s) {
            Ok(u) if u.scheme() == "https" => Some(s.to_string()),
            Ok(u) if u.scheme() == "http" => {
                self.push(Rule::InsecureUrl, v.span(), format!("`{key}` uses http"))
                    .help = Some(format!("use https://{}", &s[7..]));
                Some(s.to_string())
            }
            Ok(u) => {
                self.push(
                    Rule::InvalidUrl,
                    v.span(),
                    format!("`{key}` must be an http(s) URL, not `{}:`", u.scheme()),
                );
                None
            }
            Err(e) => {
                self.push(
                    Rule::InvalidUrl,
                    v.span(),
                    format!("`{key}` is not a URL: {e}"),
                );
                None
            }
        }
    }

    fn opt_url(&mut self, v: &S<String>, key: &str) -> Option<String> {
        v.as_ref().and_then(|v| self.url(v, key))
    }

    fn image(&mut self, v: &Spanned<String>, key: &str) -> Option<String> {
        let u = self.url(v, key)?;
        if !has_image_extension(&u) {
            self.push(
                Rule::ImageFormat,
                v.span(),
                format!("`{key}` must be a .jpg or .png image"),
            )
            .help = Some("Apple accepts JPEG or PNG artwork, 1400–3000 px square".into());
        }
        Some(u)
    }

    fn email(&mut self, v: &Spanned<String>, key: &str) -> String {
        let s = v.get_ref().trim();
        // Published as written (itunes:owner, podcast:locked owner): no control
        // characters from TOML escapes such as `\b`.
        if !is_valid_email(s) || s.chars().any(char::is_control) {
            self.push(
                Rule::InvalidEmail,
                v.span(),
                format!("`{key}` is not an email address: `{s}`"),
            );
        }
        s.to_string()
    }

    fn resolve(&mut self, raw: RawConfig) -> Show {
        let p = &raw.podcast;
        let whole = 0..0usize;
        let mut show = Show::placeholder();
        show.loaded = true;
        show.title = self.required(&p.title, "title", &whole);
        show.description = self.required(&p.description, "description", &whole);
        if show.description.len() > 4000 {
            let span = p.description.as_ref().map(|d| d.span()).unwrap_or_default();
            self.push(
                Rule::DescriptionTooLong,
                span,
                format!(
                    "the description is {} bytes; Apple allows 4000",
                    show.description.len()
                ),
            );
        }
        show.author = self.required(&p.author, "author", &whole);
        self.required(&p.link, "link", &whole);
        show.link = self.opt_url(&p.link, "link").unwrap_or_default();
        self.required(&p.feed_url, "feed_url", &whole);
        show.feed_url = self.opt_url(&p.feed_url, "feed_url").unwrap_or_default();
        show.podcast_guid = derive_podcast_guid(&show.feed_url);
        if let Some(g) = &p.guid {
            let derived = show.podcast_guid.to_string();
            if !show.feed_url.is_empty() && g.get_ref().trim() != derived {
                self.push(
                    Rule::GuidMismatch,
                    g.span(),
                    format!("stored guid differs from the one derived from feed_url ({derived})"),
                )
                .help = Some(
                    "podcast:guid must never change; if the feed moved, keep the stored guid and set new_feed_url"
                        .into(),
                );
            }
            if let Ok(u) = Uuid::parse_str(g.get_ref().trim()) {
                show.podcast_guid = u;
            }
        }
        show.language = self.required(&p.language, "language", &whole);
        if !show.language.is_empty() && !catalog::is_valid_language(&show.language) {
            let span = p.language.as_ref().map(|l| l.span()).unwrap_or_default();
            self.push(
                Rule::InvalidLanguage,
                span,
                format!("`{}` is not an ISO 639-1 language code", show.language),
            )
            .help = Some("use a code such as `en`, `en-us` or `ja`".into());
        }
        show.copyright = p.copyright.clone();
        if let Some(o) = &p.owner {
            let email = self.email(&o.get_ref().email, "owner.email");
            show.owner = Some(Owner {
                name: o.get_ref().name.clone(),
                email,
            });
        }
        match &p.image {
            Some(i) => show.image = self.image(i, "image"),
            None => {
                self.push(
                    Rule::MissingField,
                    whole.clone(),
                    "`podcast.image` is missing",
                )
                .help = Some("Apple requires square cover art, 1400–3000 px".into());
            }
        }
        if p.categories.is_empty() {
            self.push(
                Rule::MissingField,
                whole.clone(),
                "`podcast.categories` is missing",
            )
            .help = Some("e.g. categories = [[\"Technology\"]]".into());
        }
        for cat in &p.categories {
            self.category(cat, &mut show);
        }
        show.explicit = p.explicit;
        show.show_type = p.show_type;
        if let Some(tz) = &p.timezone {
            match tz.get_ref().parse::<chrono_tz::Tz>() {
                Ok(t) => show.timezone = t,
                Err(_) => {
                    self.push(
                        Rule::InvalidTimezone,
                        tz.span(),
                        format!("`{}` is not an IANA time zone", tz.get_ref()),
                    )
                    .help = Some("e.g. \"Asia/Tokyo\" or \"UTC\"".into());
                }
            }
        }
        if let Some(t) = &p.publish_time {
            match NaiveTime::parse_from_str(t.get_ref(), "%H:%M") {
                Ok(t) => show.publish_time = t,
                Err(_) => {
                    self.push(
                        Rule::InvalidTimezone,
                        t.span(),
                        format!("publish_time `{}` is not HH:MM", t.get_ref()),
                    );
                }
            }
        }
        if let Some(m) = &p.media_base_url {
            if let Some(u) = self.url(m, "media_base_url") {
                let u = if u.ends_with('/') { u } else { format!("{u}/") };
                show.media_base_url = Url::parse(&u).ok();
            }
        }
        if let Some(e) = &p.episode_url {
            let probe = Spanned::clone(e);
            let test = probe
                .get_ref()
                .replace("{number}", "1")
                .replace("{slug}", "1");
            // Every item's <link> comes from it: http(s), written absolute, no
            // control characters (never `javascript:alert({number})`).
            let lower = test.to_ascii_lowercase();
            let ok = Url::parse(&test).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
                && (lower.starts_with("https://") || lower.starts_with("http://"))
                && !test.chars().any(|c| c.is_control());
            if !ok {
                self.push(
                    Rule::InvalidUrl,
                    e.span(),
                    "`episode_url` is not an http(s) URL template",
                );
            } else {
                show.episode_url = Some(e.get_ref().clone());
            }
        }
        if let Some(l) = &p.locked {
            let owner = self.email(&l.get_ref().owner, "locked.owner");
            show.locked = Some(Locked {
                owner,
                locked: l.get_ref().locked,
            });
        }
        for f in &p.funding {
            let u = Spanned::new(f.span(), f.get_ref().url.clone());
            if self.url(&u, "funding.url").is_some() {
                show.funding.push(f.get_ref().clone());
            }
        }
        if let Some(m) = &p.medium {
            const MEDIA: &[&str] = &[
                "podcast",
                "music",
                "video",
                "film",
                "audiobook",
                "newsletter",
                "blog",
                "publisher",
                "course",
                "podcastL",
                "musicL",
                "videoL",
                "filmL",
                "audiobookL",
                "newsletterL",
                "blogL",
                "publisherL",
                "courseL",
                "mixed",
            ];
            if MEDIA.contains(&m.get_ref().as_str()) {
                show.medium = Some(m.get_ref().clone());
            } else {
                self.push(
                    Rule::ConfigSyntax,
                    m.span(),
                    format!("`{}` is not a podcast:medium value", m.get_ref()),
                )
                .help = Some(format!("one of: {}", MEDIA.join(", ")));
            }
        }
        show.new_feed_url = self.opt_url(&p.new_feed_url, "new_feed_url");
        show.block = p.block;
        show.complete = p.complete;
        show.license = p.license.clone();
        if let Some(l) = show.license.as_mut() {
            if let Some(u) = l.url.take() {
                l.url = self.url(&Spanned::new(0..0, u), "license.url");
            }
        }
        show.location = p.location.clone();
        show.txt = p.txt.clone();
        show.update_frequency = p.update_frequency.clone();
        show.podroll = p.podroll.clone();
        // Published as podcast:remoteItem feedUrl: checked like every other URL.
        for r in show.podroll.iter_mut() {
            if let Some(u) = r.feed_url.take() {
                r.feed_url = self.url(&Spanned::new(0..0, u), "podroll.feed_url");
            }
        }
        self.people(&raw, &mut show);
        for h in &p.hosts {
            let handle = h.get_ref().trim_start_matches('@').to_string();
            if !show.people.contains_key(&handle) {
                self.push(
                    Rule::UnknownSpeaker,
                    h.span(),
                    format!("host `@{handle}` is not in [people]"),
                );
            }
            show.hosts.push(handle);
        }
        show.output = OutputConfig {
            dir: raw.output.dir.clone(),
            page_size: raw.output.page_size.as_ref().map(|p| *p.get_ref()),
            hub: self.opt_url(&raw.output.hub, "output.hub"),
            allow_outside: raw.output.allow_outside,
        };
        if let Some(p) = &raw.output.page_size {
            if *p.get_ref() == 0 {
                self.push(Rule::ConfigSyntax, p.span(), "page_size must be at least 1");
                show.output.page_size = None;
            }
        }
        show.limits = raw.limits.clone();
        for (name, level) in &raw.rules {
            match Rule::from_name(name) {
                Some(rule) => {
                    show.overrides.levels.insert(rule, *level.get_ref());
                }
                None => {
                    let suggestion = crate::suggest(name, Rule::ALL.iter().map(|r| r.name()));
                    let d = self.push(
                        Rule::UnknownRuleName,
                        level.span(),
                        format!("there is no rule named `{name}`"),
                    );
                    if let Some(s) = suggestion {
                        d.help = Some(format!("did you mean `{s}`?"));
                    }
                }
            }
        }
        self.clean_text_fields(p, &mut show);
        show
    }

    /// TOML escapes (`\u0001`, `\u202E`) can put characters a feed cannot hold into
    /// any string; they are removed from every free-text field, each with a
    /// diagnostic naming the field (and its place, where the span is known).
    fn clean_text_fields(&mut self, p: &RawPodcast, show: &mut Show) {
        let span_of = |v: &S<String>| v.as_ref().map(|s| s.span()).unwrap_or(0..0);
        let (title, description, author) = (
            span_of(&p.title),
            span_of(&p.description),
            span_of(&p.author),
        );
        let mut fields: Vec<(String, &mut String, Range<usize>)> = vec![
            ("podcast.title".into(), &mut show.title, title),
            (
                "podcast.description".into(),
                &mut show.description,
                description,
            ),
            ("podcast.author".into(), &mut show.author, author),
        ];
        if let Some(c) = show.copyright.as_mut() {
            fields.push(("podcast.copyright".into(), c, 0..0));
        }
        if let Some(o) = show.owner.as_mut() {
            fields.push(("podcast.owner.name".into(), &mut o.name, 0..0));
        }
        for f in show.funding.iter_mut() {
            fields.push(("podcast.funding.text".into(), &mut f.text, 0..0));
        }
        if let Some(l) = show.license.as_mut() {
            fields.push(("podcast.license.name".into(), &mut l.name, 0..0));
        }
        if let Some(l) = show.location.as_mut() {
            fields.push(("podcast.location.name".into(), &mut l.name, 0..0));
        }
        for t in show.txt.iter_mut() {
            fields.push(("podcast.txt.value".into(), &mut t.value, 0..0));
        }
        if let Some(u) = show.update_frequency.as_mut() {
            fields.push(("podcast.update_frequency.text".into(), &mut u.text, 0..0));
        }
        for r in show.podroll.iter_mut() {
            if let Some(t) = r.title.as_mut() {
                fields.push(("podcast.podroll.title".into(), t, 0..0));
            }
        }
        for (handle, person) in show.people.iter_mut() {
            fields.push((format!("people.{handle}.name"), &mut person.name, 0..0));
        }
        for (name, value, span) in fields {
            // A TOML escape can hold a CR the file's own line ends never do: read it
            // as LF, like CRLF/CR in files (no raw CR may reach a feed).
            if value.contains('\r') {
                *value = value.replace("\r\n", "\n").replace('\r', "\n");
            }
            let Some(bad) = value
                .chars()
                .find(|&c| is_xml_invalid(c) || is_invisible(c))
            else {
                continue;
            };
            *value = strip_unsafe_chars(value).into_owned();
            let rule = if is_xml_invalid(bad) {
                Rule::ControlCharacter
            } else {
                Rule::InvisibleCharacter
            };
            self.push(
                rule,
                span,
                format!(
                    "`{name}` contains U+{:04X}, which a feed cannot show; it is removed",
                    bad as u32
                ),
            );
        }
    }

    fn category(&mut self, cat: &Spanned<Vec<String>>, show: &mut Show) {
        let v = cat.get_ref();
        let (top, sub) = match v.as_slice() {
            [t] => (t.as_str(), None),
            [t, s] => (t.as_str(), Some(s.as_str())),
            _ => {
                self.push(
                    Rule::InvalidCategory,
                    cat.span(),
                    "a category is [\"Category\"] or [\"Category\", \"Subcategory\"]",
                );
                return;
            }
        };
        match catalog::check_category(top, sub) {
            CategoryCheck::Valid => show
                .categories
                .push((top.to_string(), sub.map(str::to_string))),
            CategoryCheck::Legacy(new) => {
                let shown = v.join(" > ");
                let fix = new
                    .split(" > ")
                    .map(|s| format!("{s:?}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.push(
                    Rule::InvalidCategory,
                    cat.span(),
                    format!("`{shown}` is a legacy Apple category"),
                )
                .help = Some(format!("Apple now calls it `{new}`: use [{fix}]"));
            }
            CategoryCheck::Unknown => {
                let all = catalog::APPLE_CATEGORIES
                    .iter()
                    .flat_map(|(t, subs)| std::iter::once(*t).chain(subs.iter().copied()));
                let guess = crate::suggest(sub.unwrap_or(top), all);
                let d = self.push(
                    Rule::InvalidCategory,
                    cat.span(),
                    format!("`{}` is not an Apple Podcasts category", v.join(" > ")),
                );
                if let Some(g) = guess {
                    d.help = Some(format!("did you mean `{g}`?"));
                }
            }
        }
    }

    fn people(&mut self, raw: &RawConfig, show: &mut Show) {
        for (handle, p) in &raw.people {
            let span = p.span();
            let p = p.get_ref();
            let role = p
                .role
                .as_ref()
                .and_then(|r| match catalog::find_role(r.get_ref()) {
                    Some(e) => Some(e.role.to_lowercase()),
                    None => {
                        let guess = crate::suggest(
                            r.get_ref(),
                            catalog::taxonomy().iter().map(|e| e.role.as_str()),
                        );
                        let d = self.push(
                            Rule::UnknownRole,
                            r.span(),
                            format!("`{}` is not a podcast:person role", r.get_ref()),
                        );
                        d.help = Some(match guess {
                            Some(g) => format!("did you mean `{}`?", g.to_lowercase()),
                            None => {
                                "see the taxonomy at podcastindex.org/namespace/1.0 (person)".into()
                            }
                        });
                        None
                    }
                });
            let group = p.group.as_ref().and_then(|g| {
                if catalog::is_group(g.get_ref()) {
                    Some(g.get_ref().to_lowercase())
                } else {
                    self.push(
                        Rule::UnknownRole,
                        g.span(),
                        format!("`{}` is not a podcast:person group", g.get_ref()),
                    );
                    None
                }
            });
            if let (Some(r), Some(g)) = (&role, &group) {
                let fits = catalog::taxonomy()
                    .iter()
                    .any(|e| e.role.eq_ignore_ascii_case(r) && e.group.eq_ignore_ascii_case(g));
                if !fits {
                    let d = self.push(
                        Rule::UnknownRole,
                        span.clone(),
                        format!("role `{r}` is not in group `{g}`"),
                    );
                    if let Some(e) = catalog::find_role(r) {
                        d.help = Some(format!("`{r}` belongs to `{}`", e.group.to_lowercase()));
                    }
                }
            }
            let href = self.opt_url(&p.href, "people.href");
            let img = p.img.as_ref().and_then(|i| self.image(i, "people.img"));
            show.people.insert(
                handle.clone(),
                Person {
                    handle: handle.clone(),
                    name: p.name.clone(),
                    href,
                    img,
                    role,
                    group,
                },
            );
        }
    }
}

fn has_image_extension(url: &str) -> bool {
    let path = Url::parse(url)
        .map(|u| u.path().to_ascii_lowercase())
        .unwrap_or_default();
    [".jpg", ".jpeg", ".png"].iter().any(|e| path.ends_with(e))
}

/// A practical email check: one `@`, a non-empty local part, a dotted domain,
/// no spaces or angle brackets.
pub fn is_valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || "<>(),;:\"[]".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn podcast_guid_test_vectors() {
        assert_eq!(
            derive_podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml").to_string(),
            "917393e3-1b1e-5cef-ace4-edaa54e1f810"
        );
        assert_eq!(
            derive_podcast_guid("https://podnews.net/rss").to_string(),
            "9b024349-ccf0-5f69-a609-6b82873eab3c"
        );
        assert_eq!(
            derive_podcast_guid("http://podnews.net/rss/").to_string(),
            "9b024349-ccf0-5f69-a609-6b82873eab3c"
        );
    }

    #[test]
    fn emails() {
        assert!(is_valid_email("a@example.com"));
        assert!(!is_valid_email("a@example"));
        assert!(!is_valid_email("a b@example.com"));
    }
}
