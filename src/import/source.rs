//! What an imported feed says, whichever format it came in: the channel and
//! its items as strings, before any of it is judged or converted. Values that
//! podcast.toml and front matter hold as they are come in the model's types.

use crate::model::{Funding, License, Location, RemoteItem, Txt, UpdateFrequency};

/// A feed read by the rss or atom_syndication crate.
#[derive(Debug, Default)]
pub(crate) struct SourceFeed {
    pub channel: SourceChannel,
    pub items: Vec<SourceItem>,
}

#[derive(Debug, Default)]
pub(crate) struct SourceChannel {
    pub title: String,
    /// HTML or text, as the feed holds it.
    pub description: String,
    /// `itunes:summary`, for a feed without a description.
    pub summary: Option<String>,
    pub link: Option<String>,
    /// `atom:link rel="self"`.
    pub self_url: Option<String>,
    pub language: Option<String>,
    pub author: Option<String>,
    pub owner_name: Option<String>,
    pub owner_email: Option<String>,
    pub image: Option<String>,
    /// Apple categories, each a main category and an optional subcategory.
    pub categories: Vec<Vec<String>>,
    pub explicit: Option<String>,
    pub kind: Option<String>,
    pub copyright: Option<String>,
    pub podcast_guid: Option<String>,
    /// `podcast:locked`: its value (yes/no) and owner.
    pub locked: Option<(String, Option<String>)>,
    pub funding: Vec<Funding>,
    pub license: Option<License>,
    pub medium: Option<String>,
    pub persons: Vec<SourcePerson>,
    pub location: Option<Location>,
    pub update_frequency: Option<UpdateFrequency>,
    pub txt: Vec<Txt>,
    /// `podcast:podroll`'s remote items.
    pub podroll: Vec<RemoteItem>,
    pub new_feed_url: Option<String>,
    pub block: Option<String>,
    pub complete: Option<String>,
    /// Elements feedgen has no place for, by qualified name.
    pub left: Vec<String>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct SourcePerson {
    pub name: String,
    pub role: Option<String>,
    pub group: Option<String>,
    pub img: Option<String>,
    pub href: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct SourceItem {
    /// Where the item starts in the feed's repaired text.
    pub offset: usize,
    pub title: Option<String>,
    /// `itunes:title`, which Apple shows instead of the title.
    pub itunes_title: Option<String>,
    pub guid: Option<String>,
    pub pub_date: Option<String>,
    pub enclosures: Vec<SourceEnclosure>,
    pub duration: Option<String>,
    pub season: Option<String>,
    pub episode: Option<String>,
    pub episode_type: Option<String>,
    pub explicit: Option<String>,
    pub image: Option<String>,
    pub block: Option<String>,
    pub transcripts: Vec<(String, Option<String>)>,
    pub chapters: Option<String>,
    /// The notes in each form the feed gives: content:encoded (or Atom
    /// content), description (or Atom summary), itunes:summary.
    pub content: Option<String>,
    pub description: Option<String>,
    pub summary: Option<String>,
    pub link: Option<String>,
    pub persons: Vec<SourcePerson>,
    /// `podcast:soundbite`: startTime, duration, title.
    pub soundbites: Vec<(String, String, Option<String>)>,
    pub location: Option<Location>,
    pub license: Option<License>,
    /// Elements feedgen has no place for, by qualified name.
    pub left: Vec<String>,
}

#[derive(Debug, Default, Clone)]
pub(crate) struct SourceEnclosure {
    pub url: String,
    pub length: String,
    pub mime: String,
}
