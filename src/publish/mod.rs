//! The publish stage: the feed's documents written to temporary files, read
//! back and verified ([`verify`]), then, under the output folder's lock and
//! only if the ledger of published guids agrees ([`ledger`]), renamed into
//! place together ([`staging`]).

pub(crate) mod ledger;
mod lock;
mod staging;
pub(crate) mod verify;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{Diagnostic, Rule, Severity};
use crate::model::{Feed, Show};
use crate::render::{self, Document, RenderError};
use crate::{timings, Error, Options, Output};

use lock::lock_dir;
use staging::Staged;

/// Where outputs go: `--out`, else `[output] dir` (which must stay inside the
/// project unless `allow_outside = true`), else `public/`.
pub(crate) fn output_dir(root: &Path, show: &Show, opts: &Options) -> Result<PathBuf, Diagnostic> {
    if let Some(o) = &opts.out {
        return Ok(o.clone());
    }
    let rel = show.output.dir.clone().unwrap_or_else(|| "public".into());
    let escapes = Path::new(&rel).is_absolute()
        || Path::new(&rel)
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir));
    if escapes && !show.output.allow_outside {
        return Err(Diagnostic::new(
            Rule::UnsafePath,
            format!("output dir `{rel}` is outside the project"),
        )
        .help("pass --out DIR, or set [output] allow_outside = true"));
    }
    Ok(root.join(&rel))
}

/// The finding for a document that could not be rendered or read back.
fn failed(name: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(
        Rule::OutputVerify,
        format!("{name} failed verification: {e}"),
    )
}

/// What publishing did: the files written, or nothing (the findings say why),
/// and the findings (the ledger's, or the verification's).
pub(crate) struct Published {
    pub written: Option<Vec<PathBuf>>,
    pub findings: Vec<Diagnostic>,
}

/// The documents as they are written: each to a temporary file in `dir`.
struct Stager<'d> {
    dir: &'d Path,
    /// Every temporary file made, complete or not.
    made: Vec<Staged>,
    /// The complete ones, in the order they were finished.
    done: Vec<Staged>,
}

impl render::Outputs for Stager<'_> {
    type Out = staging::Staging;
    fn create(&mut self, doc: &Document<'_>) -> std::io::Result<staging::Staging> {
        let s = staging::create(self.dir, &doc.name)?;
        self.made.push(s.staged().clone());
        Ok(s)
    }
    fn finish(&mut self, _: &Document<'_>, out: staging::Staging) -> std::io::Result<()> {
        self.done.push(out.finish()?);
        Ok(())
    }
}

/// Writes, verifies and publishes every document of `feed` into `dir`. On any
/// failure nothing changes in `dir`.
pub(crate) fn publish(
    feed: &Feed,
    root: &Path,
    dir: &Path,
    opts: &Options,
) -> Result<Published, Error> {
    let refused = |d: Diagnostic| Published {
        written: None,
        findings: vec![d],
    };
    let created = !dir.exists();
    std::fs::create_dir_all(dir).map_err(|e| Error::Write {
        path: dir.to_path_buf(),
        source: e,
    })?;
    // Nothing is left behind on failure: not the temporary files, nor an
    // output folder made for them.
    let cleanup = |staged: &[Staged]| {
        staging::discard(staged);
        if created {
            let _ = std::fs::remove_dir(dir);
        }
    };
    // The ledger is read before the documents are rendered: parsing it is the
    // build's largest passing allocation. Under the lock it is read again.
    let lock_path = root.join(ledger::FILE_NAME);
    let early = timings::stage("ledger-load", || {
        let text = ledger::text(&lock_path).ok()?;
        let parsed = ledger::Ledger::parse(&lock_path, text.as_deref()).ok()?;
        Some((text, parsed))
    });
    let mut stager = Stager {
        dir,
        made: Vec::new(),
        done: Vec::new(),
    };
    let written = timings::stage("render+write", || render::write_feed(feed, &mut stager));
    let (docs, prints) = match written {
        Ok(w) => w,
        Err(e) => {
            cleanup(&stager.made);
            return match e {
                RenderError::Io(e) => Err(Error::Write {
                    path: dir.to_path_buf(),
                    source: e,
                }),
                RenderError::Document(what) => {
                    Ok(refused(Diagnostic::new(Rule::OutputVerify, what)))
                }
            };
        }
    };
    // In the documents' order: RSS pages, Atom pages, JSON Feed.
    let staged: Vec<Staged> = docs
        .iter()
        .filter_map(|d| stager.done.iter().find(|s| s.name == d.name).cloned())
        .collect();
    let verified = timings::stage("verify", || {
        verify_all(&docs, &prints, |i| {
            let file = std::fs::File::open(&staged[i].tmp)?;
            Ok(std::io::BufReader::with_capacity(1 << 16, file))
        })
    });
    if let Err(d) = verified {
        cleanup(&staged);
        return Ok(refused(d));
    }
    let result = commit(feed, &lock_path, early, dir, &staged, opts);
    if !matches!(
        result,
        Ok(Published {
            written: Some(_),
            ..
        })
    ) {
        staging::discard(&staged);
    }
    result
}

/// Reads every document back (in parallel; `open` gives the `i`-th one's
/// bytes) and checks it; the first that fails is reported.
fn verify_all<R: std::io::BufRead>(
    docs: &[Document<'_>],
    prints: &[render::Fingerprint],
    open: impl Fn(usize) -> std::io::Result<R> + Sync,
) -> Result<(), Diagnostic> {
    let results: Vec<Result<(), Diagnostic>> = docs
        .par_iter()
        .enumerate()
        .map(|(i, doc)| {
            let input = open(i).map_err(|e| failed(&doc.name, e))?;
            let prints = &prints[doc.first..doc.first + doc.items().len()];
            verify::document(doc.kind, input, doc.items(), prints).map_err(|e| failed(&doc.name, e))
        })
        .collect();
    results.into_iter().collect()
}

/// The documents kept in memory.
#[derive(Default)]
struct Memory(Vec<Output>);

impl render::Outputs for Memory {
    type Out = Vec<u8>;
    fn create(&mut self, _: &Document<'_>) -> std::io::Result<Vec<u8>> {
        Ok(Vec::new())
    }
    fn finish(&mut self, doc: &Document<'_>, bytes: Vec<u8>) -> std::io::Result<()> {
        self.0.push(Output {
            name: doc.name.clone(),
            bytes,
        });
        Ok(())
    }
}

/// Renders every document of `feed` in memory and reads each back, as
/// [`publish`] does with files.
pub(crate) fn in_memory(feed: &Feed) -> Result<Vec<Output>, Diagnostic> {
    let mut memory = Memory::default();
    let (docs, prints) = render::write_feed(feed, &mut memory).map_err(|e| match e {
        RenderError::Document(what) => Diagnostic::new(Rule::OutputVerify, what),
        RenderError::Io(e) => failed("the feed", e),
    })?;
    let outputs: Vec<Output> = docs
        .iter()
        .filter_map(|d| {
            let at = memory.0.iter().position(|o| o.name == d.name)?;
            Some(memory.0.swap_remove(at))
        })
        .collect();
    verify_all(&docs, &prints, |i| Ok(&outputs[i].bytes[..]))?;
    Ok(outputs)
}

/// Reads `bytes` back as the document `name` of `feed` and checks it, as a
/// build does.
pub(crate) fn verify_document(feed: &Feed, name: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    let found = render::document(feed, name).map_err(|e| match e {
        RenderError::Document(what) => Diagnostic::new(Rule::OutputVerify, what),
        RenderError::Io(e) => failed(name, e),
    })?;
    let Some((doc, prints)) = found else {
        return Err(failed(name, "the feed has no such document"));
    };
    verify_all(std::slice::from_ref(&doc), &prints, |_| Ok(bytes))
}

/// Publishes the staged documents under the folder's lock, if the ledger
/// agrees.
/// `early` is the ledger as read before rendering, with its text: it is used
/// if the file still holds that text.
fn commit(
    feed: &Feed,
    lock_path: &Path,
    early: Option<(Option<String>, ledger::Ledger)>,
    dir: &Path,
    staged: &[Staged],
    opts: &Options,
) -> Result<Published, Error> {
    let _lock = lock_dir(dir).map_err(|e| Error::Write {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let read_err = |e| Error::Read {
        path: lock_path.to_path_buf(),
        source: e,
    };
    let now = ledger::text(lock_path).map_err(read_err)?;
    let mut ledger = match early {
        Some((text, ledger)) if text == now => ledger,
        _ => ledger::Ledger::parse(lock_path, now.as_deref()).map_err(read_err)?,
    };
    let findings = ledger.reconcile(feed.items.iter(), &opts.allow_guid_change);
    if findings.iter().any(|d| d.severity == Severity::Error) {
        return Ok(Published {
            written: None,
            findings,
        });
    }
    let written = timings::stage("commit", || {
        staging::commit(dir, staged, &["feed-", "atom-"])
    })
    .map_err(|e| Error::Write {
        path: dir.to_path_buf(),
        source: e,
    })?;
    timings::stage("ledger-save", || ledger.save(lock_path)).map_err(|e| Error::Write {
        path: lock_path.to_path_buf(),
        source: e,
    })?;
    Ok(Published {
        written: Some(written),
        findings,
    })
}
