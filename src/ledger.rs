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
    pub fn parse(path: &Path, text: Option<&str>) -> std::io::Result<Ledger> {
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
    pub fn reconcile(&mut self, items: &[Item], allow: &[String]) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        let by_key: BTreeMap<String, &Item> = items.iter().map(|i| (key_of(i), i)).collect();
        let keys: Vec<String> = self.episodes.keys().cloned().collect();
        for key in keys {
            let entry = self.episodes[&key].clone();
            let label = key.trim_start_matches('0');
            match by_key.get(&key) {
                None => {
                    if allowed(allow, &key, None) {
                        self.episodes.remove(&key);
                        self.changed = true;
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
                    let enc = item.enclosure.as_ref().map(|e| e.url.clone());
                    let mut what = Vec::new();
                    if item.guid != entry.guid {
                        what.push(format!("guid {} → {}", entry.guid, item.guid));
                    }
                    if enc != entry.enclosure {
                        what.push(format!(
                            "enclosure {} → {}",
                            entry.enclosure.as_deref().unwrap_or("none"),
                            enc.as_deref().unwrap_or("none")
                        ));
                    }
                    if what.is_empty() {
                        continue;
                    }
                    if allowed(allow, &key, Some(&item.slug)) {
                        let e = self.episodes.get_mut(&key).expect("key from map");
                        e.guid = item.guid.clone();
                        e.enclosure = enc;
                        self.changed = true;
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
        if diags.is_empty() {
            for item in items {
                let key = key_of(item);
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
