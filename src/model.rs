//! The resolved feed: what every renderer (RSS, Atom, JSON Feed) writes. Built by
//! [`crate::validate`]; nothing here is Markdown or TOML any more.

use chrono::{DateTime, FixedOffset};

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
}

#[derive(Debug, Clone, PartialEq)]
pub struct Soundbite {
    pub start: f64,
    pub duration: f64,
    pub title: Option<String>,
}

/// One published episode.
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
    pub content_html: String,
    pub description_html: String,
    pub summary_text: String,
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
    pub soundbites: Vec<Soundbite>,
    pub block: bool,
    pub location: Option<crate::config::Location>,
    pub license: Option<crate::config::License>,
}

impl Item {
    /// An item with nothing in it (no allocation): what stays in an episode
    /// while its item is lent to the feed being built.
    pub fn placeholder(published: DateTime<FixedOffset>) -> Item {
        Item {
            number: None,
            slug: String::new(),
            title: String::new(),
            guid: String::new(),
            guid_is_permalink: false,
            id_iri: String::new(),
            published,
            link: String::new(),
            content_html: String::new(),
            description_html: String::new(),
            summary_text: String::new(),
            enclosure: None,
            duration: None,
            episode_type: EpisodeType::Full,
            season: None,
            explicit: None,
            image: None,
            persons: Vec::new(),
            video: None,
            transcripts: Vec::new(),
            chapters: None,
            soundbites: Vec::new(),
            block: false,
            location: None,
            license: None,
        }
    }
}

/// Everything the writers need: the show and its published items, newest first.
#[derive(Debug, Clone)]
pub struct Feed {
    pub show: crate::config::Show,
    pub items: Vec<Item>,
    /// Channel-level credits (the show's hosts).
    pub persons: Vec<PersonCredit>,
    /// Derived from the newest item, so builds are reproducible.
    pub updated: Option<DateTime<FixedOffset>>,
}
