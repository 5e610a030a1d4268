//! The feed model: the show and its episodes as every renderer (RSS, Atom, JSON
//! Feed) sees them. Built by the resolver; nothing here is Markdown, TOML or
//! HTML any more.

mod notes;
mod show;

use chrono::{DateTime, FixedOffset};

pub use notes::Notes;
pub use show::{
    derive_podcast_guid, Funding, License, Limits, Location, Locked, OutputConfig, Owner, Person,
    RemoteItem, Show, ShowType, SiteConfig, Template, Txt, UpdateFrequency,
};

/// `itunes:episodeType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EpisodeType {
    #[default]
    Full,
    Trailer,
    Bonus,
}

impl EpisodeType {
    pub fn as_str(self) -> &'static str {
        match self {
            EpisodeType::Full => "full",
            EpisodeType::Trailer => "trailer",
            EpisodeType::Bonus => "bonus",
        }
    }
    pub fn parse(s: &str) -> Option<EpisodeType> {
        match s {
            "full" => Some(EpisodeType::Full),
            "trailer" => Some(EpisodeType::Trailer),
            "bonus" => Some(EpisodeType::Bonus),
            _ => None,
        }
    }
}

/// The media file of an episode, with everything `enclosure` needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enclosure {
    pub url: String,
    /// Bytes.
    pub length: u64,
    pub mime: String,
}

/// A `podcast:person` / Atom author or contributor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonCredit {
    pub name: String,
    /// Lower-case taxonomy role, e.g. `host`.
    pub role: String,
    pub group: Option<String>,
    pub href: Option<String>,
    pub img: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    pub url: String,
    pub mime: String,
    /// The show's own file it is published from (none for a remote URL):
    /// the episode's page shows its text.
    pub file: Option<std::path::PathBuf>,
}

/// A chapter of an episode, from its local JSON chapters file.
#[derive(Debug, Clone, PartialEq)]
pub struct ChapterMark {
    /// Seconds from the start.
    pub start: f64,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Soundbite {
    pub start: f64,
    pub duration: f64,
    pub title: Option<String>,
}

/// One episode as it is (or would be) published.
#[derive(Debug, Clone)]
pub struct Item {
    pub number: Option<u32>,
    pub slug: String,
    pub title: String,
    /// RSS guid text.
    pub guid: String,
    pub guid_is_permalink: bool,
    /// Atom id / JSON Feed id: the same identity as an IRI.
    pub id_iri: String,
    pub published: DateTime<FixedOffset>,
    /// The episode's web page, or the show's.
    pub link: String,
    /// The show notes, sanitized; the renderers write their HTML.
    pub notes: Notes,
    pub enclosure: Option<Enclosure>,
    /// Seconds.
    pub duration: Option<u64>,
    pub episode_type: EpisodeType,
    pub season: Option<u32>,
    pub explicit: Option<bool>,
    pub image: Option<String>,
    pub persons: Vec<PersonCredit>,
    /// The video page (`podcast:contentLink`), never a second enclosure.
    pub video: Option<String>,
    pub transcripts: Vec<Transcript>,
    pub chapters: Option<String>,
    /// The chapters themselves, when the chapters file is the show's own
    /// (for the episode's page; the feeds link the file).
    pub chapter_marks: Vec<ChapterMark>,
    pub soundbites: Vec<Soundbite>,
    pub block: bool,
    pub location: Option<Location>,
    pub license: Option<License>,
}

/// Everything the writers need: the show and its published items, newest first.
#[derive(Debug, Clone)]
pub struct Feed {
    pub show: Show,
    pub items: Vec<Item>,
    /// Channel-level credits (the show's hosts).
    pub persons: Vec<PersonCredit>,
    /// Derived from the newest item, so builds are reproducible.
    pub updated: Option<DateTime<FixedOffset>>,
}
