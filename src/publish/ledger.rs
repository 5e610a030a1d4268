//! `feedgen.lock`: the published-GUID ledger the podcaster commits.
//!
//! Podcast apps identify episodes by guid and download by enclosure URL. Changing
//! either for a published episode makes every app show it again (or download the
//! back catalogue again), so a build that would change or drop one fails unless
//! the podcaster names the episode with `--allow-guid-change`.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::staging::unique_suffix;
use crate::diag::{Diagnostic, Rule};
use crate::input::regular_file::read_regular;
use crate::model::Item;

pub(crate) const FILE_NAME: &str = "feedgen.lock";

/// The most of feedgen.lock read: some 300,000 episodes' entries.
const MAX_BYTES: u64 = 64 << 20;

/// What was published for one episode.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Entry {
    pub guid: String,
    pub enclosure: Option<String>,
    /// RFC 3339, the pubDate of the first build that published it.
    pub first_published: String,
}

/// The ledger. Every key feedgen writes is required and no other is
/// accepted: a file that reads as anything else is not taken for an empty
/// ledger, which would let every guid change unchecked.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Ledger {
    /// Keyed by episode number (zero-padded so the file sorts) or slug.
    pub episodes: BTreeMap<String, Entry>,
    #[serde(skip)]
    changed: bool,
}

/// The text of the ledger at `path`; `None` when there is none yet; why it
/// cannot be a ledger otherwise.
pub(crate) fn text(path: &Path) -> Result<Option<String>, String> {
    match read_regular(path, MAX_BYTES)? {
        None => Ok(None),
        Some(b) => String::from_utf8(b)
            .map(Some)
            .map_err(|_| "it is not UTF-8 text".to_string()),
    }
}

/// The finding for a ledger that cannot be read as one: the build stops, so
/// that no guid change passes unchecked.
pub(crate) fn invalid(why: &str) -> Diagnostic {
    Diagnostic::new(
        Rule::InvalidLedger,
        format!("{FILE_NAME} is not a ledger feedgen can read: {why}"),
    )
    .help(format!(
        "restore it from git (`git checkout {FILE_NAME}`), or delete it to start a new ledger that records the guids now published without checking them"
    ))
}

/// The ledger key of an item: its number, else its slug.
pub(crate) fn key_of(item: &Item) -> String {
    match item.number {
        Some(n) => format!("{n:05}"),
        None => item.slug.clone(),
    }
}

fn allowed(allow: &[String], key: &str, item_slug: Option<&str>) -> bool {
    allow.iter().any(|a| names(a, key, item_slug))
}

/// Whether `--allow-guid-change a` names the episode of ledger key `key` (and
/// slug `slug`, when the show has it).
fn names(a: &str, key: &str, slug: Option<&str>) -> bool {
    let a = a.trim();
    a == key
        || Some(a) == slug
        || (a.parse::<u32>().ok().map(|n| format!("{n:05}")).as_deref() == Some(key))
}

/// An episode as a person names it: its number without padding, or its slug.
fn label(key: &str) -> &str {
    if key.bytes().all(|b| b.is_ascii_digit()) {
        let l = key.trim_start_matches('0');
        if l.is_empty() {
            "0"
        } else {
            l
        }
    } else {
        key
    }
}

/// The `--allow-guid-change` values that name no episode, of the show
/// (`episodes`, every one, drafts too) or of the ledger: a usage error that
/// says which episodes there are.
pub(crate) fn unknown_allowances(
    allow: &[String],
    ledger: &Ledger,
    episodes: &[&Item],
) -> Option<String> {
    let unknown: Vec<&str> = allow
        .iter()
        .filter(|a| {
            !ledger.episodes.keys().any(|k| names(a, k, None))
                && !episodes.iter().any(|i| names(a, &key_of(i), Some(&i.slug)))
        })
        .map(|a| a.as_str())
        .collect();
    if unknown.is_empty() {
        return None;
    }
    let mut keys: Vec<String> = ledger.episodes.keys().cloned().collect();
    keys.extend(episodes.iter().map(|i| key_of(i)));
    keys.sort();
    keys.dedup();
    let listed = if keys.is_empty() {
        "none".to_string()
    } else {
        spans(&keys)
    };
    Some(format!(
        "--allow-guid-change {}: no such episode in the show or in {FILE_NAME} (episodes known: {listed})",
        unknown.join(", ")
    ))
}

/// Ledger keys (sorted) as a person reads them: numbers in runs (`1-12`),
/// then slugs; at most 20 of them.
fn spans(keys: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut run: Option<(u64, u64)> = None;
    let flush = |run: &mut Option<(u64, u64)>, out: &mut Vec<String>| match run.take() {
        Some((a, b)) if a == b => out.push(a.to_string()),
        Some((a, b)) => out.push(format!("{a}-{b}")),
        None => {}
    };
    for k in keys {
        match label(k).parse::<u64>() {
            Ok(n) if k.bytes().all(|b| b.is_ascii_digit()) => match run {
                Some((a, b)) if n == b + 1 => run = Some((a, n)),
                _ => {
                    flush(&mut run, &mut out);
                    run = Some((n, n));
                }
            },
            _ => {
                flush(&mut run, &mut out);
                out.push(k.clone());
            }
        }
    }
    flush(&mut run, &mut out);
    let more = out.len().saturating_sub(20);
    out.truncate(20);
    let mut s = out.join(", ");
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

impl Ledger {
    /// Reads the ledger; a missing file is an empty ledger (first build).
    #[cfg(test)]
    pub(crate) fn load(path: &Path) -> Result<Ledger, String> {
        Ledger::parse(text(path)?.as_deref()).map_err(|e| e.0)
    }

    /// The ledger in `text`, the text of feedgen.lock (`None`: there is no
    /// ledger yet, a first build); why it is not a ledger otherwise, and
    /// where in `text`.
    pub(crate) fn parse(text: Option<&str>) -> Result<Ledger, (String, Option<Range<usize>>)> {
        let Some(text) = text else {
            return Ok(Ledger::default());
        };
        if text.trim().is_empty() {
            return Err(("it is empty".into(), None));
        }
        toml::from_str(text).map_err(|e| (e.message().trim_end().to_string(), e.span()))
    }

    /// Compares the items about to be published with the ledger. Returns errors
    /// for changed or dropped guids/enclosures not allowed by `allow`; records new
    /// episodes and allowed changes.
    pub(crate) fn reconcile<'i>(
        &mut self,
        items: impl Iterator<Item = &'i Item>,
        allow: &[String],
    ) -> Vec<Diagnostic> {
        let mut diags = Vec::new();
        // The last item wins a key, as in the map this was before.
        let mut by_key: rustc_hash::FxHashMap<String, &Item> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(
                items.size_hint().0,
                Default::default(),
            );
        for i in items {
            by_key.insert(key_of(i), i);
        }
        // Changes are collected while the ledger is read, in key order, and
        // made afterwards (nothing is copied to compare).
        let mut dropped = Vec::new();
        let mut changed = Vec::new();
        for (key, entry) in &self.episodes {
            let label = label(key);
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
                            .help(format!("apps keep what they downloaded; to really withdraw it, run `feedgen build --allow-guid-change {label}`")),
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
                                "podcast apps would show it as new or download it again; restore the old value, or run `feedgen build --allow-guid-change {label}`"
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

    /// A ledger of episodes already published elsewhere, to be written.
    pub(crate) fn seeded(episodes: BTreeMap<String, Entry>) -> Ledger {
        Ledger {
            episodes,
            changed: true,
        }
    }

    /// The ledger as feedgen writes it.
    pub(crate) fn text(&self) -> String {
        let body = toml::to_string(self).expect("a ledger serializes");
        format!(
            "# feedgen.lock: guids and enclosure URLs already published. Commit this file.\n# A build that would change or drop one of these fails (see --allow-guid-change).\n\n{body}"
        )
    }

    /// Writes the ledger, if it changed, to a synced temporary file beside
    /// `path` (named for this build), to be renamed over it; `None` when
    /// there is nothing to write.
    pub(crate) fn stage(&self, path: &Path) -> std::io::Result<Option<PathBuf>> {
        if !self.changed {
            return Ok(None);
        }
        let text = self.text();
        let tmp = path.with_file_name(format!(".{FILE_NAME}.{}.tmp", unique_suffix()));
        let written = File::options()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .and_then(|mut f| {
                f.write_all(text.as_bytes())?;
                f.sync_all()
            });
        match written {
            Ok(()) => Ok(Some(tmp)),
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                Err(e)
            }
        }
    }

    /// Writes the ledger in place (staged, then renamed).
    #[cfg(test)]
    fn save(&self, path: &Path) -> std::io::Result<()> {
        match self.stage(path)? {
            Some(tmp) => fs::rename(tmp, path),
            None => Ok(()),
        }
    }
}

/// Removes the temporary ledgers that builds of the project in `root` left
/// when they were killed. Called under the project's lock, which every build
/// holds from writing its temporary ledger to renaming it.
pub(crate) fn sweep_temps(root: &Path) {
    let Ok(entries) = fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let name = name.to_string_lossy();
        let ours = name
            .strip_prefix(&format!(".{FILE_NAME}."))
            .and_then(|r| r.strip_suffix(".tmp"))
            .and_then(|r| r.split_once('-'))
            .is_some_and(|(pid, seq)| {
                [pid, seq]
                    .iter()
                    .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            });
        if ours && e.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(e.path());
        }
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
            // Every episode withdrawn: still a ledger.
            ledger(&[]),
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

    #[test]
    fn what_feedgen_did_not_write_is_not_a_ledger() {
        let good = "[episodes.00001]\nguid = \"g\"\nfirst_published = \"x\"\n";
        assert!(Ledger::parse(Some(good)).is_ok());
        for (text, why) in [
            ("", "empty"),
            ("\n# only a comment\n", "missing field `episodes`"),
            ("[episode.00001]\nguid = \"g\"\n", "unknown field `episode`"),
            ("title = \"x\"\n[episodes]\n", "unknown field `title`"),
            (
                "[episodes.00001]\nguid = \"g\"\nfirst_published = \"x\"\nextra = 1\n",
                "unknown field `extra`",
            ),
            (
                "[episodes.00001]\nguid = \"g\"\n",
                "missing field `first_published`",
            ),
            ("a = 1\nguid = ", "string values must be quoted"),
        ] {
            let (e, _) = Ledger::parse(Some(text)).unwrap_err();
            assert!(e.contains(why), "{text:?}: {e}");
        }
        // Where the file goes wrong, for the finding to point at.
        let (_, at) = Ledger::parse(Some("a = 1\nguid = ")).unwrap_err();
        assert_eq!(at.map(|r| r.start), Some(13));
    }

    #[cfg(unix)]
    #[test]
    fn only_a_regular_file_under_the_cap_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let zero = dir.path().join("zero");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = text(&zero).unwrap_err();
        assert!(e.contains("a device"), "{e}");
        let e = text(dir.path()).unwrap_err();
        assert!(e.contains("a folder"), "{e}");
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("nowhere"), &dangling).unwrap();
        let e = text(&dangling).unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'#'; 1025]).unwrap();
        assert!(read_regular(&big, 1025).unwrap().is_some());
        let e = read_regular(&big, 1024).unwrap_err();
        assert!(e.contains("larger than"), "{e}");
    }

    #[test]
    fn unknown_allowances_name_the_episodes_there_are() {
        let l = ledger(&[
            ("00001", "g", None),
            ("00002", "g", None),
            ("00003", "g", None),
            ("00007", "g", None),
            ("intro", "g", None),
        ]);
        let allow = |a: &[&str]| {
            let a: Vec<String> = a.iter().map(|s| s.to_string()).collect();
            unknown_allowances(&a, &l, &[])
        };
        assert_eq!(allow(&["2", "00003", "intro"]), None);
        let e = allow(&["99", "1"]).unwrap();
        assert!(
            e.starts_with("--allow-guid-change 99: no such episode"),
            "{e}"
        );
        assert!(e.ends_with("(episodes known: 1-3, 7, intro)"), "{e}");
    }
}
