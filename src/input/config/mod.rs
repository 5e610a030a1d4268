//! `podcast.toml`: read with serde + toml spans, checked, and resolved into the
//! [`Show`] the rest of the pipeline uses.
//!
//! A broken config still yields a `Show` (with empty placeholders) so episodes can
//! be checked in the same run: the errors stop the build, not the report.

pub(crate) mod catalog;
pub(crate) mod fields;
mod raw;

use std::ops::Range;

use chrono::NaiveTime;
use serde::Deserialize;
use toml::Spanned;
use unicode_normalization::UnicodeNormalization;
use url::Url;
use uuid::Uuid;

use crate::chars::strip_unsafe;
use crate::diag::{Diagnostic, FileId, Rule};
use crate::model::{
    derive_podcast_guid, Location, Locked, OutputConfig, Owner, Show, SiteConfig, UpdateFrequency,
};
use fields::{has_image_extension, is_valid_email};
use raw::{RawConfig, S};

/// Reads and checks podcast.toml. Always returns a Show; problems are diagnostics.
pub(crate) fn load(file: FileId, text: &str) -> (Show, Vec<Diagnostic>) {
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
        text,
        diags: &mut diags,
    };
    let show = c.resolve(raw);
    (show, diags)
}

struct Checker<'a> {
    file: FileId,
    text: &'a str,
    diags: &'a mut Vec<Diagnostic>,
}

/// Where podcast.toml writes the values whose model types carry no span; read
/// again only when one of them is wrong.
#[derive(Deserialize, Default)]
struct ValueSpans {
    #[serde(default)]
    podcast: PodcastSpans,
}

#[derive(Deserialize, Default)]
struct PodcastSpans {
    #[serde(default)]
    location: LocationSpans,
    #[serde(default)]
    update_frequency: RruleSpan,
}

#[derive(Deserialize, Default)]
struct LocationSpans {
    geo: S<String>,
    osm: S<String>,
}

#[derive(Deserialize, Default)]
struct RruleSpan {
    rrule: S<String>,
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
            // A feed is public: credentials in it would be published to every reader.
            Ok(u) if !u.username().is_empty() || u.password().is_some() => {
                self.push(
                    Rule::InvalidUrl,
                    v.span(),
                    format!("`{key}` carries a user name or password; a feed would publish it"),
                )
                .help = Some("remove the credentials: feeds are public".into());
                None
            }
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

    fn value_spans(&self) -> PodcastSpans {
        toml::from_str::<ValueSpans>(self.text)
            .map(|v| v.podcast)
            .unwrap_or_default()
    }

    /// podcast:location: a geo URI or an OpenStreetMap id that is not one is
    /// left out of the feed (the name stays).
    fn location(&mut self, mut l: Location) -> Location {
        for (field, what) in fields::drop_invalid_location(&mut l) {
            let spans = self.value_spans().location;
            let span = if field == "geo" { spans.geo } else { spans.osm };
            let d = self.push(
                Rule::InvalidValue,
                span.map_or(0..0, |s| s.span()),
                format!("`podcast.location.{field}` {what}; it is left out of the feed"),
            );
            d.help = (field == "geo").then(|| fields::GEO_HELP.into());
        }
        l
    }

    /// podcast:updateFrequency: left out unless its rrule is an RFC 5545 rule.
    fn rrule_ok(&mut self, u: &UpdateFrequency) -> bool {
        let Some(why) = fields::rrule_problem(&u.rrule) else {
            return true;
        };
        let span = self.value_spans().update_frequency.rrule.map(|s| s.span());
        self.push(
            Rule::InvalidValue,
            span.unwrap_or(0..0),
            format!("`podcast.update_frequency.rrule` is not an RFC 5545 recurrence rule: {why}; the update frequency is left out of the feed"),
        )
        .help = Some("e.g. rrule = \"FREQ=WEEKLY;BYDAY=MO\"".into());
        false
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
        if let Some(tag) = first_tag(&show.description) {
            let span = p.description.as_ref().map(|d| d.span()).unwrap_or_default();
            self.push(
                Rule::RawHtml,
                span,
                format!("the description holds HTML (`{tag}`); the feeds show it as text"),
            )
            .help = Some("write the description as plain text".into());
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
        show.copyright = p.copyright.as_ref().map(|c| c.get_ref().clone());
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
            let parsed = Url::parse(&test);
            let ok = parsed
                .as_ref()
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
                && (lower.starts_with("https://") || lower.starts_with("http://"))
                && !test.chars().any(|c| c.is_control());
            let credentials =
                parsed.is_ok_and(|u| !u.username().is_empty() || u.password().is_some());
            if ok && credentials {
                self.push(
                    Rule::InvalidUrl,
                    e.span(),
                    "`episode_url` carries a user name or password; a feed would publish it",
                )
                .help = Some("remove the credentials: feeds are public".into());
            } else if !ok {
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
        show.license = p.license.as_ref().map(|l| l.get_ref().clone());
        if let (Some(l), Some(at)) = (show.license.as_mut(), p.license.as_ref()) {
            if let Some(u) = l.url.take() {
                l.url = self.url(&Spanned::new(at.span(), u), "license.url");
            }
        }
        show.location = p.location.clone().map(|l| self.location(l));
        show.txt = p.txt.iter().map(|t| t.get_ref().clone()).collect();
        show.update_frequency = p.update_frequency.clone().filter(|u| self.rrule_ok(u));
        show.podroll = p.podroll.clone();
        // podcast:remoteItem's feedGuid is another feed's podcast:guid: a UUID.
        show.podroll.retain_mut(|r| {
            r.feed_guid = r.feed_guid.trim().to_string();
            let ok = Uuid::parse_str(&r.feed_guid).is_ok();
            if !ok {
                self.push(
                    Rule::InvalidValue,
                    0..0,
                    format!("`podcast.podroll.feed_guid` `{}` is not a UUID; the podroll entry is left out of the feed", r.feed_guid.escape_debug()),
                );
            }
            ok
        });
        // Published as podcast:remoteItem feedUrl: checked like every other URL.
        for r in show.podroll.iter_mut() {
            if let Some(u) = r.feed_url.take() {
                r.feed_url = self.url(&Spanned::new(0..0, u), "podroll.feed_url");
            }
        }
        self.people(&raw, &mut show);
        for h in &p.hosts {
            let handle: String = h.get_ref().trim_start_matches('@').nfc().collect();
            if !show.people.contains_key(&handle) {
                self.push(
                    Rule::UnknownSpeaker,
                    h.span(),
                    format!("host `@{handle}` is not in [people]"),
                );
            }
            show.hosts.push(handle);
        }
        show.site = SiteConfig {
            enabled: raw.site.enabled.unwrap_or(true),
            templates: Vec::new(),
            subscribe: raw
                .site
                .subscribe
                .iter()
                .filter_map(|s| {
                    let url = self.url(&s.url, "site.subscribe url")?;
                    Some((strip_unsafe(&s.name).into_owned(), url))
                })
                .collect(),
        };
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
                    let suggestion = crate::diag::suggest(name, Rule::ALL.iter().map(|r| r.name()));
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
}

/// The first thing in `text` that reads as an HTML tag (`<b>`, `</p>`,
/// `<!--`), for a note that it will not be live.
fn first_tag(text: &str) -> Option<&str> {
    text.match_indices('<').find_map(|(i, _)| {
        let rest = &text[i + 1..];
        let starts_tag = rest
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '/' || c == '!');
        // A tag is short; a `<` in prose with a `>` far later is none.
        let (end, _) = rest.char_indices().take(64).find(|&(_, c)| c == '>')?;
        starts_tag.then(|| &text[i..i + 1 + end + 1])
    })
}
