//! `feedgen.lock`: the published-GUID ledger the podcaster commits.
//!
//! Podcast apps identify episodes by guid and download by enclosure URL. Changing
//! either for a published episode makes every app show it again (or download the
//! back catalogue again), so a build that would change or drop one fails unless
//! the podcaster names the episode with `--allow-guid-change`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Rule};
use crate::model::Item;

pub(crate) const FILE_NAME: &str = "feedgen.lock";

/// What was published for one episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub guid: String,
    pub enclosure: Option<String>,
    /// RFC 3339, the pubDate of the first build that published it.
    pub first_published: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Ledger {
    /// Keyed by episode number (zero-padded so the file sorts) or slug.
    #[serde(default)]
    pub episodes: BTreeMap<String, Entry>,
    #[serde(skip)]
    changed: bool,
}

/// The text of the ledger at `path`; `None` when there is none yet.
pub(crate) fn text(path: &Path) -> std::io::Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// The ledger key of an item: its number, else its slug.
pub(crate) fn key_of(item: &Item) -> String {
    match item.number {
        Some(n) => format!("{n:05}"),
        None => item.slug.clone(),
    }
}

fn allowed(allow: &[String], key: &str, item_slug: Option<&str>) -> bool {
    allow.iter().any(|a| {
        let a = a.trim();
        a == key
            || Some(a) == item_slug
            || (a.parse::<u32>().ok().map(|n| format!("{n:05}")).as_deref() == Some(key))
    })
}

impl Ledger {
    /// Reads the ledger; a missing file is an empty ledger (first build).
    #[cfg(test)]
    pub(crate) fn load(path: &Path) -> std::io::Result<Ledger> {
        Ledger::parse(path, text(path)?.as_deref())
    }

    /// The ledger in `text`, the text of the file at `path` (`None`: there is
    /// no ledger yet).
    pub(crate) fn parse(path: &Path, text: Option<&str>) -> std::io::Result<Ledger> {
        let Some(text) = text else {
            return Ok(Ledger::default());
        };
        toml::from_str(text).map_err(|e| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: {e}", path.display()),
            )
        })
    }

    /// Compares the items about to be published with the ledger. Returns errors
    /// for changed or dropped guids/enclosures not allowed by `allow`; records new
    /// episodes and allowed changes.
    pub(crate) fn reconcile<'i>(
        &mut self,
        items: impl ExactSizeIterator<Item = &'i Item>,
        allow: &[String],
    ) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        // The last item wins a key, as in the map this was before.
        let mut by_key: rustc_hash::FxHashMap<String, &Item> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(items.len(), Default::default());
        for i in items {
            by_key.insert(key_of(i), i);
        }
        // Changes are collected while the ledger is read, in key order, and
        // made afterwards (nothing is copied to compare).
        let mut dropped = Vec::new();
        let mut changed = Vec::new();
        for (key, entry) in &self.episodes {
            let label = key.trim_start_matches('0');
            match by_key.get(key) {
                None => {
                    if allowed(allow, key, None) {
                        dropped.push(key.clone());
                    } else {
                        diags.push(
                            Diagnostic::new(
                                Rule::PublishedGuidChanged,
                                format!("episode {label} was published (guid {}) but is no longer in the feed", entry.guid),
                            )
                            .help(format!("apps keep what they downloaded; to really withdraw it, run with --allow-guid-change {label}")),
                        );
                    }
                }
                Some(item) => {
                    let enc = item.enclosure.as_ref().map(|e| e.url.as_str());
                    let mut what = Vec::new();
                    if item.guid != entry.guid {
                        what.push(format!("guid {} → {}", entry.guid, item.guid));
                    }
                    if enc != entry.enclosure.as_deref() {
                        what.push(format!(
                            "enclosure {} → {}",
                            entry.enclosure.as_deref().unwrap_or("none"),
                            enc.unwrap_or("none")
                        ));
                    }
                    if what.is_empty() {
                        continue;
                    }
                    if allowed(allow, key, Some(&item.slug)) {
                        changed.push((key.clone(), item.guid.clone(), enc.map(str::to_string)));
                    } else {
                        diags.push(
                            Diagnostic::new(
                                Rule::PublishedGuidChanged,
                                format!("episode {label} ({}) was already published: {}", item.slug, what.join("; ")),
                            )
                            .help(format!(
                                "podcast apps would show it as new or download it again; restore the old value, or run with --allow-guid-change {label}"
                            )),
                        );
                    }
                }
            }
        }
        for key in dropped {
            self.episodes.remove(&key);
            self.changed = true;
        }
        for (key, guid, enclosure) in changed {
            let e = self.episodes.get_mut(&key).expect("key from map");
            e.guid = guid;
            e.enclosure = enclosure;
            self.changed = true;
        }
        if diags.is_empty() {
            for (key, item) in by_key {
                if let std::collections::btree_map::Entry::Vacant(v) = self.episodes.entry(key) {
                    v.insert(Entry {
                        guid: item.guid.clone(),
                        enclosure: item.enclosure.as_ref().map(|e| e.url.clone()),
                        first_published: item.published.to_rfc3339(),
                    });
                    self.changed = true;
                }
            }
        }
        diags
    }

    /// Writes the ledger if it changed (atomically, like the feeds).
    pub(crate) fn save(&self, path: &Path) -> std::io::Result<()> {
        if !self.changed {
            return Ok(());
        }
        let body = toml::to_string(self).map_err(std::io::Error::other)?;
        let text = format!(
            "# feedgen.lock: guids and enclosure URLs already published. Commit this file.\n# A build that would change or drop one of these fails (see --allow-guid-change).\n\n{body}"
        );
        let tmp = path.with_extension("lock.tmp");
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(entries: &[(&str, &str, Option<&str>)]) -> Ledger {
        Ledger {
            episodes: entries
                .iter()
                .map(|(k, g, e)| {
                    (
                        k.to_string(),
                        Entry {
                            guid: g.to_string(),
                            enclosure: e.map(str::to_string),
                            first_published: "2021-02-03T04:05:06+09:00".into(),
                        },
                    )
                })
                .collect(),
            changed: true,
        }
    }

    /// What `save` writes reads back as the same ledger, whatever its keys
    /// and values hold.
    #[test]
    fn saved_ledgers_read_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        for l in [
            ledger(&[
                ("00001", "g1", Some("https://m/1.mp3")),
                ("00002", "g2", None),
            ]),
            ledger(&[("my-slug_2", "urn:x", Some("https://m/a?b=c&d"))]),
            ledger(&[("with space", "g", None)]),
            ledger(&[("00003", "quote\" and \\ back", None)]),
            ledger(&[("00004", "tab\there", Some("https://m/é"))]),
        ] {
            l.save(&path).unwrap();
            let read = Ledger::load(&path).unwrap();
            assert_eq!(read.episodes, l.episodes);
        }
        assert_eq!(
            Ledger::load(&dir.path().join("none")).unwrap(),
            Ledger::default()
        );
    }
}
