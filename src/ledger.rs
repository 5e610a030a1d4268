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

pub const FILE_NAME: &str = "feedgen.lock";

/// What was published for one episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub guid: String,
    pub enclosure: Option<String>,
    /// RFC 3339, the pubDate of the first build that published it.
    pub first_published: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Keyed by episode number (zero-padded so the file sorts) or slug.
    #[serde(default)]
    pub episodes: BTreeMap<String, Entry>,
    #[serde(skip)]
    changed: bool,
}

/// The ledger key of an item: its number, else its slug.
pub fn key_of(item: &Item) -> String {
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
    pub fn load(path: &Path) -> std::io::Result<Ledger> {
        Self::load_with_text(path).map(|(_, l)| l)
    }

    /// [`Self::load`], with the text it was parsed from (None: no file).
    pub fn load_with_text(path: &Path) -> std::io::Result<(Option<String>, Ledger)> {
        let text = Self::text(path)?;
        let ledger = Self::parse(path, text.as_deref())?;
        Ok((text, ledger))
    }

    /// The ledger file's text; None when there is no ledger yet.
    pub fn text(path: &Path) -> std::io::Result<Option<String>> {
        match std::fs::read_to_string(path) {
            Ok(s) => Ok(Some(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Parses a ledger's text (`path` is for the message); None is empty.
    /// The form feedgen writes is read directly ([`parse_canonical`]); anything
    /// else (edited by hand, escapes, other spacing) goes to the TOML parser.
    pub fn parse(path: &Path, text: Option<&str>) -> std::io::Result<Ledger> {
        if let Some(episodes) = text.and_then(parse_canonical) {
            let ledger = Ledger {
                episodes,
                changed: false,
            };
            debug_assert_eq!(
                Some(&ledger),
                text.and_then(|s| toml::from_str::<Ledger>(s).ok()).as_ref(),
                "the ledger's fast path differs from the TOML parser"
            );
            return Ok(ledger);
        }
        match text {
            Some(s) => toml::from_str(s).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            }),
            None => Ok(Ledger::default()),
        }
    }

    /// Compares the items about to be published with the ledger. Returns errors
    /// for changed or dropped guids/enclosures not allowed by `allow`; records new
    /// episodes and allowed changes.
    pub fn reconcile<'i>(
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
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
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

/// Reads the ledger in exactly the form [`Ledger::save`] writes it: comment
/// lines, then `[episodes.KEY]` tables (bare keys) of `guid`, `enclosure` and
/// `first_published` as basic strings without escapes, one per line. None for
/// anything else, which the TOML parser then reads (a ledger of 10,000 episodes
/// took the TOML parser ~55 ms of CPU during every build).
fn parse_canonical(text: &str) -> Option<BTreeMap<String, Entry>> {
    /// A `"…"` value with nothing TOML would read differently.
    fn string(v: &str) -> Option<String> {
        let inner = v.strip_prefix('"')?.strip_suffix('"')?;
        let plain = !inner
            .bytes()
            .any(|b| b == b'"' || b == b'\\' || b < 0x20 || b == 0x7f);
        plain.then(|| inner.to_string())
    }
    type Fields = (String, Option<String>, Option<String>, Option<String>);
    fn close(map: &mut BTreeMap<String, Entry>, cur: Option<Fields>) -> Option<()> {
        if let Some((key, guid, enclosure, first_published)) = cur {
            let entry = Entry {
                guid: guid?,
                enclosure,
                first_published: first_published?,
            };
            if map.insert(key, entry).is_some() {
                return None;
            }
        }
        Some(())
    }
    let mut map = BTreeMap::new();
    let mut cur: Option<Fields> = None;
    for line in text.split('\n') {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(rest) = line.strip_prefix("[episodes.") {
            let key = rest.strip_suffix(']')?;
            let bare = !key.is_empty()
                && key
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            if !bare {
                return None;
            }
            close(&mut map, cur.take())?;
            cur = Some((key.to_string(), None, None, None));
            continue;
        }
        let (_, guid, enclosure, first_published) = cur.as_mut()?;
        let (slot, value) = if let Some(v) = line.strip_prefix("guid = ") {
            (guid, v)
        } else if let Some(v) = line.strip_prefix("enclosure = ") {
            (enclosure, v)
        } else if let Some(v) = line.strip_prefix("first_published = ") {
            (first_published, v)
        } else {
            return None;
        };
        if slot.replace(string(value)?).is_some() {
            return None;
        }
    }
    close(&mut map, cur)?;
    // No table at all: let the TOML parser say what the file holds.
    (!map.is_empty()).then_some(map)
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

    /// What `save` writes is read back by the fast path when it can be, and
    /// always to the same ledger as the TOML parser reads.
    #[test]
    fn saved_ledgers_read_back_the_same_either_way() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        let cases = [
            (
                ledger(&[
                    ("00001", "g1", Some("https://m/1.mp3")),
                    ("00002", "g2", None),
                ]),
                true,
            ),
            (
                ledger(&[("my-slug_2", "urn:x", Some("https://m/a?b=c&d"))]),
                true,
            ),
            (ledger(&[("with space", "g", None)]), false),
            (ledger(&[("00003", "quote\" and \\ back", None)]), false),
            (
                ledger(&[("00004", "tab\there", Some("https://m/é"))]),
                false,
            ),
        ];
        for (l, fast) in cases {
            l.save(&path).unwrap();
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(parse_canonical(&text).is_some(), fast, "{text}");
            let read = Ledger::parse(&path, Some(&text)).unwrap();
            let toml: Ledger = toml::from_str(&text).unwrap();
            assert_eq!(read.episodes, l.episodes, "{text}");
            assert_eq!(toml.episodes, l.episodes, "{text}");
        }
    }

    /// Hand edits the fast path does not read are left to the TOML parser.
    #[test]
    fn other_forms_go_to_the_toml_parser() {
        let base = "[episodes.00001]\nguid = \"g\"\nfirst_published = \"t\"\n";
        assert!(parse_canonical(base).is_some());
        for edited in [
            "[episodes.00001]\nguid=\"g\"\nfirst_published = \"t\"\n",
            "[episodes.00001]\nguid = 'g'\nfirst_published = \"t\"\n",
            "[episodes.00001]  \nguid = \"g\"\nfirst_published = \"t\"\n",
            "[episodes.00001]\nguid = \"g\" # note\nfirst_published = \"t\"\n",
            "[episodes.00001]\r\nguid = \"g\"\r\nfirst_published = \"t\"\r\n",
            "[episodes.00001]\nguid = \"g\"\n",
            "[episodes.00001]\nguid = \"g\"\nguid = \"h\"\nfirst_published = \"t\"\n",
            "[episodes.00001]\nguid = \"g\"\nfirst_published = \"t\"\n[episodes.00001]\nguid = \"g\"\nfirst_published = \"t\"\n",
            "[episodes]\n",
            "x = 1\n",
            "",
        ] {
            assert!(parse_canonical(edited).is_none(), "{edited:?}");
            let path = Path::new("feedgen.lock");
            let ours = Ledger::parse(path, Some(edited)).ok();
            let theirs = toml::from_str::<Ledger>(edited).ok();
            assert_eq!(ours, theirs, "{edited:?}");
        }
    }
}
