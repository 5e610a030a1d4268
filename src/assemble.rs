//! Assembling the output documents. Every document is a head, its items and a
//! tail ([`Frame`]); the items are rendered and verified in parallel, a chunk at
//! a time, and written in order while the next chunks are rendered. No document
//! is ever held in memory whole, and both cores work on every document.
//!
//! Verification is the same parse-back as for a whole document, done piecewise:
//! each frame is read back as the document without items (head + tail), and each
//! chunk as the items of such a document, so every byte written has been read
//! back by the strict reader in the context it is written in.

use std::io::Write;

use rayon::prelude::*;

use crate::diag::{Diagnostic, Rule};
use crate::model::{Feed, Item};
use crate::rss_feed::Frame;
use crate::{atom_feed, json_feed, paging, rss_feed, verify};

/// Items rendered and verified as one piece of work.
const CHUNK: usize = 32;
/// Chunks rendered while the previous ones are written.
const WINDOW: usize = 16;

/// Which format a document is in.
#[derive(Debug, Clone)]
enum Kind {
    Rss(rss_feed::PageFrame),
    Atom,
    Json,
}

/// One document to write: its file name, format, frame and items.
#[derive(Debug, Clone)]
pub struct Doc<'f> {
    pub name: String,
    kind: Kind,
    frame: Frame,
    /// The whole document when it has no items (JSON writes `[]` then).
    empty: Option<Vec<u8>>,
    items: &'f [Item],
}

fn verify_err(what: &str, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::new(
        Rule::OutputVerify,
        format!("{what} failed verification: {e}"),
    )
}

/// The Atom and JSON Feed URLs: `atom.xml` and `feed.json` beside `feed_url`.
pub(crate) fn sibling_urls(feed_url: &str) -> (String, String) {
    let dir = feed_url.rfind('/').map(|i| &feed_url[..=i]).unwrap_or("");
    (format!("{dir}atom.xml"), format!("{dir}feed.json"))
}

/// Every document of the feed (RSS and Atom pages, JSON Feed), each frame
/// verified as the document without items.
pub fn plan(feed: &Feed) -> Result<Vec<Doc<'_>>, Diagnostic> {
    let show = &feed.show;
    let (atom_url, json_url) = sibling_urls(&show.feed_url);
    let mut docs = Vec::new();
    for page in paging::paginate(
        &feed.items,
        show.output.page_size,
        &show.feed_url,
        "feed.xml",
    ) {
        let name = paging::page_file("feed.xml", page.number);
        let pf = rss_feed::page_frame(feed, &page).map_err(|e| verify_err(&name, e))?;
        let frame = pf.frame.clone();
        let head_tail = [frame.head.as_slice(), &frame.tail].concat();
        verify::rss_prechecked(&head_tail, &[]).map_err(|e| verify_err(&name, e))?;
        docs.push(Doc {
            name,
            kind: Kind::Rss(pf),
            frame,
            empty: None,
            items: page.items,
        });
    }
    // The RSS pages hold every item once: their chunks are where the notes HTML
    // of each item is checked (see `render_chunk`).
    let rss_items: usize = docs.iter().map(|d| d.items.len()).sum();
    if rss_items != feed.items.len() {
        return Err(verify_err(
            "feed.xml",
            format!("pages hold {rss_items} items, not {}", feed.items.len()),
        ));
    }
    for page in paging::paginate(&feed.items, show.output.page_size, &atom_url, "atom.xml") {
        let name = paging::page_file("atom.xml", page.number);
        let frame = atom_feed::page_frame(feed, &page).map_err(|e| verify_err(&name, e))?;
        let head_tail = [frame.head.as_slice(), &frame.tail].concat();
        verify::atom_prechecked(&head_tail, &[]).map_err(|e| verify_err(&name, e))?;
        docs.push(Doc {
            name,
            kind: Kind::Atom,
            frame,
            empty: None,
            items: page.items,
        });
    }
    let name = "feed.json".to_string();
    let frame = json_feed::frame(feed, &json_url).map_err(|e| verify_err(&name, e))?;
    let head_tail = [frame.head.as_slice(), &frame.tail].concat();
    verify::json_prechecked(&head_tail, &[]).map_err(|e| verify_err(&name, e))?;
    let empty = if feed.items.is_empty() {
        let whole = json_feed::render(feed, &json_url).into_bytes();
        verify::json_prechecked(&whole, &[]).map_err(|e| verify_err(&name, e))?;
        Some(whole)
    } else {
        None
    };
    docs.push(Doc {
        name,
        kind: Kind::Json,
        frame,
        empty,
        items: &feed.items,
    });
    Ok(docs)
}

/// One chunk of one document's items.
struct Job {
    doc: usize,
    first: bool,
    last: bool,
    range: std::ops::Range<usize>,
}

/// A chunk rendered inside the wrapper its verification reads it in
/// ([`verify::ChunkFormat`]): the document gets `buf[body]`.
struct Rendered {
    buf: Vec<u8>,
    body: std::ops::Range<usize>,
}

impl Rendered {
    fn body(&self) -> &[u8] {
        &self.buf[self.body.clone()]
    }
}

/// Renders and verifies one chunk.
fn render_chunk(feed: &Feed, doc: &Doc<'_>, items: &[Item]) -> Result<Rendered, Diagnostic> {
    let format = match &doc.kind {
        Kind::Rss(_) => verify::ChunkFormat::Rss,
        Kind::Atom => verify::ChunkFormat::Atom,
        Kind::Json => verify::ChunkFormat::Json,
    };
    let notes: usize = items.iter().map(|i| i.content_html.len()).sum();
    let mut buf = Vec::with_capacity(match format {
        verify::ChunkFormat::Json => json_feed::size_hint(items),
        // Both notes renderings, and the rest of an item.
        verify::ChunkFormat::Rss => notes * 2 + items.len() * 3_072,
        verify::ChunkFormat::Atom => notes + items.len() * 2_048,
    });
    buf.extend_from_slice(format.open());
    let start = buf.len();
    match &doc.kind {
        Kind::Rss(_) => {
            verify::items_html(items).map_err(|e| verify_err("notes HTML", e))?;
            rss_feed::render_items(&mut buf, feed, items);
        }
        Kind::Atom => atom_feed::render_entries(&mut buf, feed, items),
        Kind::Json => json_feed::render_items(&mut buf, items),
    }
    let body = start..buf.len();
    buf.extend_from_slice(format.close());
    if cfg!(debug_assertions) {
        let reference = match &doc.kind {
            Kind::Rss(pf) => rss_feed::render_items_with_crate(feed, pf, items).ok(),
            Kind::Atom => atom_feed::render_entries_with_crate(feed, items).ok(),
            Kind::Json => json_feed::render_items_with_serde(items).ok(),
        };
        assert!(
            reference.as_deref() == Some(&buf[body.clone()]),
            "{}: items differ from the crate's",
            doc.name
        );
    }
    verify::chunk(format, &buf, items).map_err(|e| verify_err(&doc.name, e))?;
    Ok(Rendered { buf, body })
}

/// Why assembling stopped: a chunk failed verification, or writing failed (the
/// index of the document whose sink failed).
#[derive(Debug)]
pub enum Failure {
    Verify(Diagnostic),
    Io(usize, std::io::Error),
}

/// Writes every document into its sink (`sinks[i]` for `docs[i]`), rendering
/// and verifying chunks in parallel while earlier ones are written. As soon as
/// a document is complete, `done` gets its sink and the number of bytes written
/// to it (a build flushes the file and starts syncing it while the next
/// documents render). On failure the sinks hold partial documents and must be
/// thrown away.
pub fn write_all<W, F>(
    feed: &Feed,
    docs: &[Doc<'_>],
    sinks: &mut [W],
    mut done: F,
) -> Result<(), Failure>
where
    W: Write + Send,
    F: FnMut(usize, &mut W, u64) -> std::io::Result<()> + Send,
{
    assert_eq!(docs.len(), sinks.len(), "one sink per document");
    let mut written = vec![0u64; docs.len()];
    let mut put = |sinks: &mut [W], d: usize, b: &[u8]| -> Result<(), Failure> {
        written[d] += b.len() as u64;
        sinks[d].write_all(b).map_err(|e| Failure::Io(d, e))
    };
    let mut jobs = Vec::new();
    let mut complete = Vec::new();
    for (d, doc) in docs.iter().enumerate() {
        if doc.items.is_empty() {
            match &doc.empty {
                Some(whole) => put(sinks, d, whole)?,
                None => {
                    put(sinks, d, &doc.frame.head)?;
                    put(sinks, d, &doc.frame.tail)?;
                }
            }
            complete.push(d);
            continue;
        }
        let n = doc.items.len();
        for start in (0..n).step_by(CHUNK) {
            let end = (start + CHUNK).min(n);
            jobs.push(Job {
                doc: d,
                first: start == 0,
                last: end == n,
                range: start..end,
            });
        }
    }
    for d in complete {
        done(d, &mut sinks[d], written[d]).map_err(|e| Failure::Io(d, e))?;
    }
    let render = |window: &[Job]| -> Result<Vec<Rendered>, Failure> {
        window
            .par_iter()
            .map(|j| {
                let doc = &docs[j.doc];
                render_chunk(feed, doc, &doc.items[j.range.clone()])
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(Failure::Verify)
    };
    let mut windows = jobs.chunks(WINDOW);
    let mut pending: Option<(&[Job], Vec<Rendered>)> = match windows.next() {
        Some(w) => Some((w, render(w)?)),
        None => None,
    };
    while let Some((window, rendered)) = pending.take() {
        let next = windows.next();
        // Write this window while the next one is rendered.
        let (wrote, ahead) = rayon::join(
            || -> Result<(), Failure> {
                for (j, bytes) in window.iter().zip(&rendered) {
                    let d = j.doc;
                    let frame = &docs[d].frame;
                    let mut put = |b: &[u8]| -> Result<(), Failure> {
                        written[d] += b.len() as u64;
                        sinks[d].write_all(b).map_err(|e| Failure::Io(d, e))
                    };
                    put(if j.first { &frame.head } else { frame.sep })?;
                    put(bytes.body())?;
                    if j.last {
                        put(&frame.tail)?;
                        done(d, &mut sinks[d], written[d]).map_err(|e| Failure::Io(d, e))?;
                    }
                }
                Ok(())
            },
            || next.map(|w| render(w).map(|r| (w, r))).transpose(),
        );
        wrote?;
        pending = ahead?;
    }
    Ok(())
}
