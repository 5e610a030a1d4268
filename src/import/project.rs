//! The files an import writes, as data: podcast.toml, the episodes' front
//! matter, and the ledger. Serialized with serde and toml in field order.

use std::collections::BTreeMap;

use serde::Serialize;

pub(crate) use crate::input::front_matter::Soundbite;
pub(crate) use crate::model::{Funding, License, Location, RemoteItem, Txt, UpdateFrequency};

#[derive(Debug, Default, Serialize)]
pub(crate) struct PodcastToml {
    pub podcast: Podcast,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub people: BTreeMap<String, Person>,
    pub output: Output,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub rules: BTreeMap<String, String>,
}

#[derive(Debug, Default, Serialize)]
pub(crate) struct Podcast {
    pub title: String,
    pub description: String,
    pub link: String,
    pub feed_url: String,
    pub language: String,
    pub author: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copyright: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    pub image: String,
    pub categories: Vec<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explicit: Option<bool>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub episode_url: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub locked: Option<toml::Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub funding: Vec<Funding>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub block: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub complete: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub txt: Vec<Txt>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_frequency: Option<UpdateFrequency>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub podroll: Vec<RemoteItem>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Owner {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Person {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub href: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub img: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
}

#[derive(Debug, Serialize)]
pub(crate) struct Output {
    pub dir: String,
}

impl Default for Output {
    fn default() -> Self {
        Output {
            dir: "public".into(),
        }
    }
}

/// An episode's front matter.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Front {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<toml::value::Datetime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub episode: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub season: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub episode_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explicit: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transcript: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chapters: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub block: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub soundbites: Vec<Soundbite>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audio: Option<Audio>,
}

#[derive(Debug, Default, Serialize)]
pub(crate) struct Audio {
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub mime: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
}

/// One episode file: its name in episodes/, its ledger key and entry.
#[derive(Debug)]
pub(crate) struct EpisodeFile {
    pub stem: String,
    pub front: Front,
    pub notes: String,
    pub ledger_key: String,
    pub guid: Option<String>,
    pub enclosure: Option<String>,
    pub published: Option<chrono::DateTime<chrono::FixedOffset>>,
}

impl EpisodeFile {
    pub(crate) fn text(&self) -> String {
        let front = toml::to_string(&self.front).expect("front matter serializes");
        format!("+++\n{front}+++\n{}", self.notes)
    }
}

impl PodcastToml {
    pub(crate) fn text(&self, comments: &[String]) -> String {
        let body = toml::to_string(self).expect("podcast.toml serializes");
        let mut head = String::from(
            "# Imported by `feedgen import`. Check it with `feedgen check`; see docs/import.md.\n",
        );
        for c in comments {
            head.push_str(&format!("# {c}\n"));
        }
        format!("{head}\n{body}")
    }
}
