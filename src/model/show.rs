//! The show as podcast.toml describes it, once read and checked: everything the
//! resolver and the renderers need from the channel.

use std::collections::BTreeMap;

use chrono::NaiveTime;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::{Deserialize, Serialize};
use url::Url;
use uuid::Uuid;

use crate::diag::Overrides;

/// Namespace for `podcast:guid`, fixed by the Podcasting 2.0 spec.
pub const PODCAST_GUID_NAMESPACE: Uuid = uuid::uuid!("ead4c236-bf58-58c6-a2c6-a6b28d128cb6");

/// Safety limits: no input, however broken, makes feedgen hang.
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

/// Also written, by `feedgen import`.
#[derive(Debug, Deserialize, Serialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Funding {
    pub url: String,
    pub text: String,
}

/// Also written, by `feedgen import`.
#[derive(Debug, Deserialize, Serialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct License {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Also written, by `feedgen import`.
#[derive(Debug, Deserialize, Serialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub geo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub osm: Option<String>,
}

/// Also written, by `feedgen import`.
#[derive(Debug, Deserialize, Serialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Txt {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    pub value: String,
}

/// Also written, by `feedgen import`.
#[derive(Debug, Deserialize, Serialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct UpdateFrequency {
    pub rrule: String,
    pub text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
}

/// Also written, by `feedgen import`.
#[derive(Debug, Deserialize, Serialize, Clone, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct RemoteItem {
    pub feed_guid: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feed_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
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

/// The show's web pages (`[site]`).
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// Write a page for the show and for every published episode; off for
    /// shows that have a website of their own.
    pub enabled: bool,
    /// The show's own templates (`templates/`), which replace the built-in
    /// theme's files of the same names.
    pub templates: Vec<Template>,
    /// Where else to listen (Apple Podcasts, Spotify, …): (name, URL).
    pub subscribe: Vec<(String, String)>,
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            enabled: true,
            templates: Vec::new(),
            subscribe: Vec::new(),
        }
    }
}

/// A page template of the show's own, as read (it parses).
#[derive(Debug, Clone)]
pub struct Template {
    /// Its name in the theme, e.g. `episode.html`.
    pub name: String,
    pub source: String,
    /// Where findings about it point.
    pub file: crate::diag::FileId,
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
    pub site: SiteConfig,
    pub limits: Limits,
    pub overrides: Overrides,
    /// False when podcast.toml could not be read: registry-dependent checks are skipped.
    pub loaded: bool,
}

impl Show {
    pub(crate) fn placeholder() -> Show {
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
            site: SiteConfig::default(),
            limits: Limits::default(),
            overrides: Overrides::default(),
            loaded: false,
        }
    }

    /// The episode's web page, if the show configures a template and the page
    /// it gives is an http(s) URL.
    pub fn episode_page(&self, number: Option<u32>, slug: &str) -> Option<String> {
        self.try_episode_page(number, slug)?.ok()
    }

    /// The episode's web page, if the show configures a template: `Err` holds
    /// the page when it is not an http(s) URL (a `{slug}` in the host, say).
    /// The slug is percent-encoded as a path segment, so a slug holding a
    /// space, `?`, `#`, `<` or a quote stays one segment of the path.
    pub fn try_episode_page(
        &self,
        number: Option<u32>,
        slug: &str,
    ) -> Option<Result<String, String>> {
        let t = self.episode_url.as_ref()?;
        let slug = utf8_percent_encode(slug, PATH_SEGMENT).to_string();
        let n = number
            .map(|n| n.to_string())
            .unwrap_or_else(|| slug.clone());
        let page = t.replace("{number}", &n).replace("{slug}", &slug);
        let ok = Url::parse(&page).is_ok_and(|u| matches!(u.scheme(), "http" | "https"));
        Some(if ok { Ok(page) } else { Err(page) })
    }
}

/// What a path segment cannot hold as written: WHATWG's path percent-encode
/// set, `/` and `%` (a segment's own), and the characters that are not safe in
/// markup or that some servers read specially (quotes, `\`, `|`, `^`, `[`, `]`).
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'/')
    .add(b'%')
    .add(b'\'')
    .add(b'\\')
    .add(b'|')
    .add(b'^')
    .add(b'[')
    .add(b']');

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_one_percent_encoded_path_segment() {
        let mut show = Show::placeholder();
        assert_eq!(show.episode_page(Some(1), "x"), None);
        show.episode_url = Some("https://example.com/e/{slug}/{number}".into());
        for (slug, page) in [
            ("006", "https://example.com/e/006/6"),
            ("a b?c#d", "https://example.com/e/a%20b%3Fc%23d/6"),
            ("<x\"y'>", "https://example.com/e/%3Cx%22y%27%3E/6"),
            ("../x/y%z", "https://example.com/e/..%2Fx%2Fy%25z/6"),
            ("日本", "https://example.com/e/%E6%97%A5%E6%9C%AC/6"),
        ] {
            assert_eq!(
                show.episode_page(Some(6), slug).as_deref(),
                Some(page),
                "{slug}"
            );
        }
        // Without a number, the number is the slug, encoded the same way.
        assert_eq!(
            show.episode_page(None, "a b").as_deref(),
            Some("https://example.com/e/a%20b/a%20b")
        );
        // A slug in the host cannot make a valid URL from every slug.
        show.episode_url = Some("https://{slug}.example.com/".into());
        assert_eq!(
            show.try_episode_page(Some(1), "a b"),
            Some(Err("https://a%20b.example.com/".into()))
        );
        assert_eq!(show.episode_page(Some(1), "a b"), None);
    }

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
}
