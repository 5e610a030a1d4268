//! The render stage: the feed model → its documents. RSS pages (the `rss`
//! crate), Atom pages (`atom_syndication`) and the JSON Feed (serde), all
//! written together a chunk of items at a time ([`frame`]), the chunks of a
//! window rendered in parallel; and every HTML form of the notes ([`notes`],
//! [`apple`]), rendered once per item for all documents, and checked
//! ([`safe_html`]).

pub(crate) mod apple;
mod atom;
mod frame;
mod json_feed;
pub(crate) mod notes;
pub(crate) mod pages;
mod paging;
mod rss;
pub(crate) mod safe_html;

use std::io::Write;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Rule};
use crate::model::{Feed, Item};
use crate::resolve::Resolved;

pub(crate) use notes::{fingerprint, Fingerprint};

/// Items rendered as one piece of work.
const CHUNK: usize = 32;
/// Chunks rendered in parallel before they are written, in order.
const WINDOW: usize = 16;

/// Why a document could not be written.
#[derive(Debug)]
pub(crate) enum RenderError {
    /// Writing to the output failed.
    Io(std::io::Error),
    /// A crate refused to write, or wrote what could not be cut where the
    /// items go.
    Document(String),
}

impl RenderError {
    fn splice(what: impl Into<String>) -> Self {
        RenderError::Document(what.into())
    }
    /// The error, saying which document it was in.
    fn in_document(self, name: &str) -> Self {
        match self {
            RenderError::Document(what) => {
                RenderError::Document(format!("{name} failed verification: {what}"))
            }
            io => io,
        }
    }
}

impl From<std::io::Error> for RenderError {
    fn from(e: std::io::Error) -> Self {
        RenderError::Io(e)
    }
}

impl From<::rss::Error> for RenderError {
    fn from(e: ::rss::Error) -> Self {
        RenderError::Document(e.to_string())
    }
}

impl From<atom_syndication::Error> for RenderError {
    fn from(e: atom_syndication::Error) -> Self {
        RenderError::Document(e.to_string())
    }
}

impl From<serde_json::Error> for RenderError {
    fn from(e: serde_json::Error) -> Self {
        RenderError::Document(e.to_string())
    }
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Io(e) => e.fmt(f),
            RenderError::Document(e) => f.write_str(e),
        }
    }
}

/// The formats feedgen writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Rss,
    Atom,
    Json,
}

/// One document of the feed: a page of the RSS or the Atom feed, or the JSON
/// Feed.
#[derive(Debug, Clone)]
pub(crate) struct Document<'f> {
    /// The file name, e.g. `feed.xml` or `atom-2.xml`.
    pub name: String,
    pub kind: Kind,
    /// Where its items start among the feed's.
    pub first: usize,
    page: paging::Page<'f>,
}

impl Document<'_> {
    /// The items the document holds, in order.
    pub(crate) fn items(&self) -> &[Item] {
        self.page.items
    }
}

/// Where the documents go: a file each, or memory.
pub(crate) trait Outputs {
    type Out: Write + Send;
    /// Where `doc`'s bytes go.
    fn create(&mut self, doc: &Document<'_>) -> std::io::Result<Self::Out>;
    /// `doc` is complete.
    fn finish(&mut self, doc: &Document<'_>, out: Self::Out) -> std::io::Result<()>;
}

/// The Atom and JSON Feed URLs: `atom.xml` and `feed.json` beside `feed_url`.
pub(crate) fn sibling_urls(feed_url: &str) -> (String, String) {
    let dir = feed_url.rfind('/').map_or("", |i| &feed_url[..=i]);
    (format!("{dir}atom.xml"), format!("{dir}feed.json"))
}

/// The documents of `feed`: its RSS pages, its Atom pages (as many, holding
/// the same items) and its JSON Feed.
fn documents(feed: &Feed) -> (Vec<Document<'_>>, Vec<Document<'_>>, Document<'_>) {
    let show = &feed.show;
    let (atom_url, json_url) = sibling_urls(&show.feed_url);
    let size = show.output.page_size;
    let pages = |url: &str, base: &str, kind| {
        let mut first = 0;
        paging::paginate(&feed.items, size, url, base)
            .into_iter()
            .map(|page| {
                let doc = Document {
                    name: paging::page_file(base, page.number),
                    kind,
                    first,
                    page,
                };
                first += doc.page.items.len();
                doc
            })
            .collect::<Vec<_>>()
    };
    let json = Document {
        name: "feed.json".into(),
        kind: Kind::Json,
        first: 0,
        page: paging::Page {
            number: 1,
            items: &feed.items,
            self_url: json_url,
            links: Vec::new(),
            complete: true,
        },
    };
    (
        pages(&show.feed_url, "feed.xml", Kind::Rss),
        pages(&atom_url, "atom.xml", Kind::Atom),
        json,
    )
}

/// A document being written: where its bytes go, and whether a chunk of
/// items went there yet.
struct Open<O> {
    out: O,
    frame: frame::Frame,
    started: bool,
}

impl<O: Write> Open<O> {
    fn new(mut out: O, frame: &frame::Frame) -> Result<Self, RenderError> {
        out.write_all(&frame.head)?;
        Ok(Open {
            out,
            frame: frame.clone(),
            started: false,
        })
    }
    fn chunk(&mut self, bytes: &[u8]) -> Result<(), RenderError> {
        if self.started {
            self.out.write_all(self.frame.sep)?;
        }
        self.started = true;
        Ok(self.out.write_all(bytes)?)
    }
    fn close(mut self) -> Result<O, RenderError> {
        self.out.write_all(&self.frame.tail)?;
        Ok(self.out)
    }
}

/// One chunk of items in every format, and its items' fingerprints.
struct Chunk {
    rss: Vec<u8>,
    atom: Vec<u8>,
    json: Vec<u8>,
    prints: Vec<Fingerprint>,
}

/// Writes every document of `feed` to `outputs`: the JSON Feed throughout,
/// and one RSS page and the Atom page holding the same items at a time. Each
/// item's notes are rendered once, for every format. Returns the documents
/// in the order RSS pages, Atom pages, JSON Feed, and every item's
/// fingerprint.
pub(crate) fn write_feed<'f, O: Outputs>(
    feed: &'f Feed,
    outputs: &mut O,
) -> Result<(Vec<Document<'f>>, Vec<Fingerprint>), RenderError> {
    let (rss_pages, atom_pages, json_doc) = documents(feed);
    let json_named = |e: RenderError| e.in_document(&json_doc.name);
    let json_format =
        json_feed::JsonFeed::new(feed, &json_doc.page.self_url).map_err(json_named)?;
    let mut json = Open::new(outputs.create(&json_doc)?, json_format.frame())?;
    let mut prints = Vec::with_capacity(feed.items.len());
    for (rss_doc, atom_doc) in rss_pages.iter().zip(&atom_pages) {
        let rss_named = |e: RenderError| e.in_document(&rss_doc.name);
        let atom_named = |e: RenderError| e.in_document(&atom_doc.name);
        let rss_format = rss::Rss::new(feed, &rss_doc.page).map_err(rss_named)?;
        let atom_format = atom::Atom::new(feed, &atom_doc.page).map_err(atom_named)?;
        let mut rss = Open::new(outputs.create(rss_doc)?, rss_format.frame())?;
        let mut atom = Open::new(outputs.create(atom_doc)?, atom_format.frame())?;
        let render = |window: &[Item]| -> Result<Vec<Chunk>, RenderError> {
            window
                .par_chunks(CHUNK)
                .map(|items| {
                    let notes = items
                        .iter()
                        .map(notes::Rendered::of)
                        .collect::<Result<Vec<_>, _>>()
                        .map_err(rss_named)?;
                    let prints = notes.iter().map(notes::Rendered::fingerprint).collect();
                    let atom = atom_format.items(items, &notes).map_err(atom_named)?;
                    let json = json_format.items(items, &notes).map_err(json_named)?;
                    Ok(Chunk {
                        rss: rss_format.items(items, notes).map_err(rss_named)?,
                        atom,
                        json,
                        prints,
                    })
                })
                .collect()
        };
        let mut write = |chunks: Vec<Chunk>| -> Result<(), RenderError> {
            for c in chunks {
                rss.chunk(&c.rss)?;
                atom.chunk(&c.atom)?;
                json.chunk(&c.json)?;
                prints.extend(c.prints);
            }
            Ok(())
        };
        // Each window is written while the next one renders.
        let mut rendered: Vec<Chunk> = Vec::new();
        for window in rss_doc.items().chunks(CHUNK * WINDOW) {
            let done = std::mem::take(&mut rendered);
            let (written, next) = rayon::join(|| write(done), || render(window));
            written?;
            rendered = next?;
        }
        write(rendered)?;
        outputs.finish(rss_doc, rss.close()?)?;
        outputs.finish(atom_doc, atom.close()?)?;
    }
    outputs.finish(&json_doc, json.close()?)?;
    let mut docs = rss_pages;
    docs.extend(atom_pages);
    docs.push(json_doc);
    Ok((docs, prints))
}

/// The document of `feed` named `name`, and every item's fingerprint, as
/// [`write_feed`] gives them, without writing anything.
pub(crate) fn document<'f>(
    feed: &'f Feed,
    name: &str,
) -> Result<Option<(Document<'f>, Vec<Fingerprint>)>, RenderError> {
    let (rss_pages, atom_pages, json) = documents(feed);
    let mut all = rss_pages.into_iter().chain(atom_pages).chain([json]);
    let Some(doc) = all.find(|d| d.name == name) else {
        return Ok(None);
    };
    let prints = feed
        .items
        .par_iter()
        .map(|i| notes::Rendered::of(i).map(|r| r.fingerprint()))
        .collect::<Result<_, _>>()?;
    Ok(Some((doc, prints)))
}

/// What rendering finds about the episodes, each of which it renders: notes
/// whose Apple description had to be cut (drafts and scheduled episodes too,
/// so `check` and `build` say the same).
pub(crate) fn findings(episodes: &[Resolved]) -> Vec<Diagnostic> {
    episodes
        .par_iter()
        .filter(|r| apple::is_cut(&r.item.notes, apple::APPLE_LIMIT))
        .map(|r| {
            Diagnostic::new(
                Rule::DescriptionTruncated,
                "the notes are over 4000 bytes; the Apple description was cut and links to the full notes",
            )
            .at_span(Some(r.anchor.clone()))
        })
        .collect()
}
