//! The publish stage: the feed's documents written to a staging folder, read
//! back and verified ([`verify`]), then, under the project's and the output
//! folder's locks and only if the ledger of published guids agrees
//! ([`ledger`]), put in place together with the ledger and the manifest of
//! what was written ([`staging`], [`manifest`]): all of them or none.

pub(crate) mod ledger;
pub(crate) mod lock;
mod manifest;
mod out_dir;
mod pages;
pub(crate) mod staging;
pub(crate) mod verify;

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::diag::{Diagnostic, Rule, Severity, SourceFile};
use crate::model::{Feed, Item};
use crate::render::{self, Document, RenderError};
use crate::resolve::{Project, Status};
use crate::{timings, Error, Options, Output};

pub(crate) use out_dir::output_dir;
use staging::{Area, Replace, Staged};

/// The finding for a document that could not be rendered or read back.
fn failed(name: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(
        Rule::OutputVerify,
        format!("{name} failed verification: {e}"),
    )
}

fn cannot_write(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// The ledger as read before rendering, reconciled with the items to publish.
pub(crate) struct Review {
    /// Its text (`None`: no ledger yet) and the ledger, with the new episodes
    /// recorded; `None` when it is not a ledger (a finding says why).
    read: Option<(Option<String>, ledger::Ledger)>,
    /// The ledger's findings: changed guids, or why it is not a ledger.
    pub findings: Vec<Diagnostic>,
}

/// Reads feedgen.lock and reconciles it with the episodes `project` would
/// publish, writing nothing: `check` reports what it finds, `build` stops on
/// its errors before rendering. An `--allow-guid-change` value that names no
/// episode is a usage error. A ledger that cannot be read as one is added to
/// the project's files, for its finding to point into.
pub(crate) fn review(project: &mut Project, opts: &Options) -> Result<Review, Error> {
    let path = project.root.join(ledger::FILE_NAME);
    // Read before rendering: parsing it is the build's largest passing
    // allocation. Under the lock it is read again.
    let read = timings::stage("ledger-load", || {
        // Why it is no ledger, and its text when it has one to point into.
        let text = ledger::text(&path).map_err(|why| (why, None))?;
        match ledger::Ledger::parse(text.as_deref()) {
            Ok(l) => Ok((text, l)),
            Err((why, at)) => Err((why, Some((text.unwrap_or_default(), at)))),
        }
    });
    let (text, mut ledger) = match read {
        Ok(read) => read,
        Err((why, shown)) => {
            let mut d = ledger::invalid(&why);
            if let Some((shown, at)) = shown {
                let name = crate::input::display_path(&project.root, &path);
                let id = project.sources.add(SourceFile::new(name, path, shown));
                d = d.at(id, at.unwrap_or(0..0));
            }
            return Ok(Review {
                read: None,
                findings: vec![d],
            });
        }
    };
    if !opts.allow_guid_change.is_empty() {
        let all: Vec<&Item> = project.episodes().map(|(i, _)| i).collect();
        if let Some(e) = ledger::unknown_allowances(&opts.allow_guid_change, &ledger, &all) {
            return Err(Error::Usage(e));
        }
    }
    let published = project
        .episodes()
        .filter(|(_, s)| *s == Status::Publish)
        .map(|(i, _)| i);
    let findings = ledger.reconcile(published, &opts.allow_guid_change);
    Ok(Review {
        read: Some((text, ledger)),
        findings,
    })
}

/// What publishing did: the files written, or nothing (the findings say why),
/// and the findings (the ledger's, or the verification's).
pub(crate) struct Published {
    pub written: Option<Vec<PathBuf>>,
    pub findings: Vec<Diagnostic>,
}

impl Published {
    fn refused(findings: Vec<Diagnostic>) -> Self {
        Published {
            written: None,
            findings,
        }
    }
}

/// The documents as they are written: each to a file in the staging folder.
struct Stager<'a> {
    area: &'a Area,
    /// The complete ones, in the order they were finished.
    done: Vec<Staged>,
}

impl render::Outputs for Stager<'_> {
    type Out = staging::Staging;
    fn create(&mut self, doc: &Document<'_>) -> std::io::Result<staging::Staging> {
        self.area.create(&doc.name)
    }
    fn finish(&mut self, _: &Document<'_>, out: staging::Staging) -> std::io::Result<()> {
        self.done.push(out.finish()?);
        Ok(())
    }
}

/// Writes, verifies and publishes every document of `feed` into `dir`, the
/// output folder of the project in `root`, if the ledger (`review`, read
/// before) still agrees. On any failure nothing changes in `dir` or in the
/// ledger.
pub(crate) fn publish(
    feed: &Feed,
    root: &Path,
    dir: &Path,
    review: Review,
    opts: &Options,
) -> Result<Published, Error> {
    let created = fs::symlink_metadata(dir).is_err();
    fs::create_dir_all(dir).map_err(cannot_write(dir))?;
    let result = stage_and_commit(feed, root, dir, review, opts);
    // Nothing is left behind on failure, nor an output folder made for it.
    if created
        && !matches!(
            result,
            Ok(Published {
                written: Some(_),
                ..
            })
        )
    {
        let _ = fs::remove_dir(dir);
    }
    result
}

fn stage_and_commit(
    feed: &Feed,
    root: &Path,
    dir: &Path,
    review: Review,
    opts: &Options,
) -> Result<Published, Error> {
    // Dropped on return, which removes the staging folder and what it holds.
    let area = Area::open(dir, root).map_err(cannot_write(dir))?;
    let mut stager = Stager {
        area: &area,
        done: Vec::new(),
    };
    let written = timings::stage("render+write", || render::write_feed(feed, &mut stager));
    let (docs, prints) = match written {
        Ok(w) => w,
        Err(RenderError::Io(e)) => return Err(cannot_write(&area.dir)(e)),
        Err(RenderError::Document(what)) => {
            return Ok(Published::refused(vec![Diagnostic::new(
                Rule::OutputVerify,
                what,
            )]))
        }
    };
    // In the documents' order: RSS pages, Atom pages, JSON Feed.
    let staged: Vec<Staged> = docs
        .iter()
        .filter_map(|d| stager.done.iter().find(|s| s.name == d.name).cloned())
        .collect();
    let verified = timings::stage("verify", || {
        verify_all(&docs, &prints, |i| {
            let file = fs::File::open(&staged[i].tmp)?;
            Ok(std::io::BufReader::with_capacity(1 << 16, file))
        })
    });
    if let Err(d) = verified {
        return Ok(Published::refused(vec![d]));
    }
    // The pages are compared with those published under the locks: no other
    // build changes one between the comparison and the commit.
    let _locks = lock::lock_all(&[root, dir]).map_err(cannot_write(root))?;
    let mut staged = staged;
    let written_before = manifest::read(&area.workspace.join(manifest::FILE_NAME));
    let kept = match timings::stage("pages", || pages::stage(feed, &area, dir, &written_before)) {
        Ok(pages) => {
            staged.extend(pages.staged);
            pages.kept
        }
        Err(pages::Failure::Io(e)) => return Err(cannot_write(&area.dir)(e)),
        Err(pages::Failure::Refused(d)) => return Ok(Published::refused(vec![d])),
    };
    commit(feed, root, review, dir, &area, (&staged, &kept), opts)
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

/// Publishes the staged documents, the caller holding the project's and the
/// output folder's locks, if the ledger agrees: the ledger and the manifest are
/// staged too, then every file is renamed into place, the ledger last; if a
/// rename fails, the files already replaced are put back. `kept` are the
/// pages published already as they should be, which stay.
fn commit(
    feed: &Feed,
    root: &Path,
    review: Review,
    dir: &Path,
    area: &Area,
    (staged, kept): (&[Staged], &[String]),
    opts: &Options,
) -> Result<Published, Error> {
    let lock_path = root.join(ledger::FILE_NAME);
    let now = match ledger::text(&lock_path) {
        Ok(now) => now,
        Err(why) => return Ok(Published::refused(vec![ledger::invalid(&why)])),
    };
    // The ledger read before rendering is used if the file still holds that
    // text; another build may have changed it since.
    let ledger = match review.read {
        Some((text, ledger)) if text == now => ledger,
        _ => {
            let mut ledger = match ledger::Ledger::parse(now.as_deref()) {
                Ok(l) => l,
                Err((why, _)) => return Ok(Published::refused(vec![ledger::invalid(&why)])),
            };
            let findings = ledger.reconcile(feed.items.iter(), &opts.allow_guid_change);
            if findings.iter().any(|d| d.severity == Severity::Error) {
                return Ok(Published::refused(findings));
            }
            ledger
        }
    };
    ledger::sweep_temps(root);
    // Every file is staged before the first rename: a failure until then
    // changes nothing.
    let ledger_tmp = ledger.stage(&lock_path).map_err(cannot_write(&lock_path))?;
    let manifest_path = area.workspace.join(manifest::FILE_NAME);
    let names: Vec<&str> = staged
        .iter()
        .map(|s| s.name.as_str())
        .chain(kept.iter().map(String::as_str))
        .collect();
    // Folders made for new pages, removed again if the commit fails.
    let mut made: Vec<PathBuf> = Vec::new();
    let result = area
        .write(
            manifest::FILE_NAME,
            manifest::text(names.iter().copied()).as_bytes(),
        )
        .map_err(cannot_write(&area.dir))
        .and_then(|manifest_tmp| {
            let old = manifest::read(&manifest_path);
            let mut replace = Replace::new(&area.dir);
            let put = |r: &mut Replace, tmp: &Path, dest: &Path, keep| {
                r.put(tmp, dest, keep).map_err(|f| Error::Write {
                    path: f.path,
                    source: f.error,
                })
            };
            timings::stage("commit", || {
                // The folders of web pages, before the first rename.
                for s in staged.iter().filter(|s| s.name.contains('/')) {
                    let mut folder = dir.to_path_buf();
                    for segment in Path::new(&s.name).parent().into_iter().flatten() {
                        folder.push(segment);
                        if !folder.exists() {
                            fs::create_dir(&folder).map_err(cannot_write(&folder))?;
                            made.push(folder.clone());
                        }
                    }
                }
                for s in staged {
                    put(&mut replace, &s.tmp, &dir.join(&s.name), true)?;
                }
                put(
                    &mut replace,
                    &manifest_tmp,
                    &manifest_path,
                    ledger_tmp.is_some(),
                )
            })?;
            timings::stage("ledger-save", || {
                if let Some(tmp) = &ledger_tmp {
                    put(&mut replace, tmp, &lock_path, false)?;
                }
                for page in manifest::stale(&old, &names) {
                    // Never through a link: what it leads to is not feedgen's.
                    if !manifest::through_link(dir, page) {
                        let _ = fs::remove_file(dir.join(page));
                        manifest::remove_empty_folders(dir, page);
                    }
                }
                for d in [dir, &area.workspace, root] {
                    staging::sync_dir(d);
                }
                Ok(())
            })
        });
    if result.is_err() {
        if let Some(tmp) = &ledger_tmp {
            let _ = fs::remove_file(tmp);
        }
        for folder in made.iter().rev() {
            let _ = fs::remove_dir(folder);
        }
    }
    result?;
    Ok(Published {
        written: Some(names.iter().map(|n| dir.join(n)).collect()),
        findings: Vec::new(),
    })
}
