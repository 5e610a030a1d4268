//! podcast.toml as written: the serde structs it is read into, with spans.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::diag::Level;
use crate::model::{
    Funding, License, Limits, Location, RemoteItem, ShowType, Txt, UpdateFrequency,
};

pub(super) type S<T> = Option<Spanned<T>>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawConfig {
    pub(super) podcast: RawPodcast,
    #[serde(default)]
    pub(super) people: BTreeMap<String, Spanned<RawPerson>>,
    #[serde(default)]
    pub(super) output: RawOutput,
    #[serde(default)]
    pub(super) site: RawSite,
    #[serde(default)]
    pub(super) rules: BTreeMap<String, Spanned<Level>>,
    #[serde(default)]
    pub(super) limits: Limits,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPodcast {
    pub(super) title: S<String>,
    pub(super) description: S<String>,
    pub(super) link: S<String>,
    pub(super) feed_url: S<String>,
    pub(super) language: S<String>,
    pub(super) author: S<String>,
    pub(super) copyright: S<String>,
    pub(super) owner: S<RawOwner>,
    pub(super) image: S<String>,
    #[serde(default)]
    pub(super) categories: Vec<Spanned<Vec<String>>>,
    #[serde(default)]
    pub(super) explicit: bool,
    #[serde(rename = "type", default)]
    pub(super) show_type: ShowType,
    pub(super) timezone: S<String>,
    pub(super) publish_time: S<String>,
    pub(super) media_base_url: S<String>,
    pub(super) episode_url: S<String>,
    pub(super) guid: S<String>,
    pub(super) locked: S<RawLocked>,
    #[serde(default)]
    pub(super) funding: Vec<Spanned<Funding>>,
    pub(super) medium: S<String>,
    pub(super) new_feed_url: S<String>,
    #[serde(default)]
    pub(super) block: bool,
    #[serde(default)]
    pub(super) complete: bool,
    pub(super) license: S<License>,
    pub(super) location: Option<Location>,
    #[serde(default)]
    pub(super) txt: Vec<Spanned<Txt>>,
    pub(super) update_frequency: Option<UpdateFrequency>,
    #[serde(default)]
    pub(super) podroll: Vec<RemoteItem>,
    #[serde(default)]
    pub(super) hosts: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOwner {
    pub(super) name: String,
    pub(super) email: Spanned<String>,
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawLocked {
    pub(super) owner: Spanned<String>,
    #[serde(default = "yes")]
    pub(super) locked: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPerson {
    pub(super) name: String,
    pub(super) href: S<String>,
    pub(super) img: S<String>,
    pub(super) role: S<String>,
    pub(super) group: S<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSite {
    pub(super) enabled: Option<bool>,
    #[serde(default)]
    pub(super) subscribe: Vec<RawSubscribe>,
}

/// A place to listen to the show, e.g. `{ name = "Apple Podcasts", url = "…" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSubscribe {
    pub(super) name: String,
    pub(super) url: Spanned<String>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawOutput {
    pub(super) dir: Option<String>,
    pub(super) page_size: Option<Spanned<usize>>,
    pub(super) hub: S<String>,
    #[serde(default)]
    pub(super) allow_outside: bool,
}
