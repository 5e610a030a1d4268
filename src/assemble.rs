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

use crate::diag::{Diagnostic, Rule};
use crate::model::{Feed, Item};
use crate::rss_feed::Frame;
use crate::{atom_feed, json_feed, paging, rss_feed, verify};

/// Items rendered and verified as one piece of work.
const CHUNK: usize = 32;
/// How many chunks may be rendered ahead of the one being written.
const LOOKAHEAD: usize = 32;

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
    /// Where `items` start in the feed's items.
    first: usize,
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
    let mut first = 0;
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
            first,
        });
        first += page.items.len();
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
    let mut first = 0;
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
            first,
        });
        first += page.items.len();
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
        first: 0,
    });
    Ok(docs)
}

impl Doc<'_> {
    /// The head, separator and tail the document's items go between.
    pub fn frame(&self) -> &Frame {
        &self.frame
    }
    /// Whether `frame` is this document's: a streaming build compares the
    /// frames it wrote (planned from predicted items) with those of the real
    /// items.
    pub fn has_frame(&self, frame: &Frame) -> bool {
        let a = &self.frame;
        a.head == frame.head && a.sep == frame.sep && a.tail == frame.tail
    }
    /// The positions in the feed's items this document holds.
    fn span(&self) -> std::ops::Range<usize> {
        self.first..self.first + self.items.len()
    }
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
    let render = |j: &Job| {
        let doc = &docs[j.doc];
        render_chunk(feed, doc, &doc.items[j.range.clone()])
    };
    ordered(&jobs, LOOKAHEAD, render, |j, rendered| {
        let bytes = rendered.map_err(Failure::Verify)?;
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
        Ok(())
    })?;
    Ok(())
}

/// [`write_all`] for a feed whose items are made while the documents are
/// written. `docs` were planned from a feed of placeholder items in the final
/// order (so the pages and their frames are known); `make(range)` makes the
/// real items at those positions, with whatever else the caller wants back
/// (`K`). Each chunk is rendered and verified for every document holding it
/// (an RSS page, an Atom page and the JSON Feed), its items' notes HTML is
/// dropped, and `keep` gets the items and `K` in feed order. The notes of an
/// item live only while its chunk is rendered, instead of all at once.
pub fn write_streaming<W, F, K>(
    feed: &Feed,
    docs: &[Doc<'_>],
    sinks: &mut [W],
    make: impl Fn(std::ops::Range<usize>) -> (Vec<Item>, K) + Sync,
    mut keep: impl FnMut(std::ops::Range<usize>, Vec<Item>, K),
    mut done: F,
) -> Result<(), Failure>
where
    W: Write + Send,
    F: FnMut(usize, &mut W, u64) -> std::io::Result<()> + Send,
    K: Send,
{
    assert_eq!(docs.len(), sinks.len(), "one sink per document");
    let n = feed.items.len();
    assert!(n > 0, "a streaming build has items");
    // Chunks never cross a page: they end at every document's first item.
    let mut cuts: Vec<usize> = docs.iter().map(|d| d.first).filter(|&f| f > 0).collect();
    cuts.push(n);
    cuts.sort_unstable();
    cuts.dedup();
    let mut jobs: Vec<std::ops::Range<usize>> = Vec::new();
    let mut start = 0;
    for &cut in &cuts {
        while start < cut {
            let end = (start + CHUNK).min(cut);
            jobs.push(start..end);
            start = end;
        }
    }
    let holders = |r: &std::ops::Range<usize>| -> Vec<usize> {
        (0..docs.len())
            .filter(|&d| docs[d].span().contains(&r.start))
            .collect()
    };
    let produce = |r: &std::ops::Range<usize>| -> Result<_, Diagnostic> {
        let (mut items, k) = make(r.clone());
        assert_eq!(items.len(), r.len(), "one item per position");
        let mut bodies = Vec::new();
        for d in holders(r) {
            bodies.push((d, render_chunk(feed, &docs[d], &items)?));
        }
        for i in &mut items {
            i.content_html = String::new();
            i.description_html = String::new();
            i.summary_text = String::new();
        }
        Ok((bodies, items, k))
    };
    let mut written = vec![0u64; docs.len()];
    let mut complete = 0;
    ordered(&jobs, LOOKAHEAD, produce, |r, made| {
        let (bodies, items, k) = made.map_err(Failure::Verify)?;
        for (d, rendered) in bodies {
            let doc = &docs[d];
            let frame = &doc.frame;
            let mut put = |b: &[u8]| -> Result<(), Failure> {
                written[d] += b.len() as u64;
                sinks[d].write_all(b).map_err(|e| Failure::Io(d, e))
            };
            put(if r.start == doc.first {
                &frame.head
            } else {
                frame.sep
            })?;
            put(rendered.body())?;
            if r.end == doc.span().end {
                put(&frame.tail)?;
                done(d, &mut sinks[d], written[d]).map_err(|e| Failure::Io(d, e))?;
                complete += 1;
            }
        }
        keep(r.clone(), items, k);
        Ok(())
    })?;
    assert_eq!(complete, docs.len(), "every document was completed");
    Ok(())
}

/// Runs `produce` on every job, on as many threads as rayon would use, and
/// hands the results to `consume` on the calling thread in job order, each as
/// soon as it and all before it are done. At most `lookahead` results wait
/// between the two, so memory stays bounded however many jobs there are. The
/// first error from `consume` stops everything: the producers take no new job.
///
/// Why not rayon windows (render a window in parallel, write it while the next
/// renders): every window ends at a barrier where one core waits for the
/// other's last chunk, which at 10k episodes left ~15 % of the cores idle while
/// the documents were written.
fn ordered<J: Sync, T: Send, E>(
    jobs: &[J],
    lookahead: usize,
    produce: impl Fn(&J) -> T + Sync,
    mut consume: impl FnMut(&J, T) -> Result<(), E>,
) -> Result<(), E> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Condvar, Mutex};

    /// Results waiting to be consumed (slot `i % lookahead` holds job `i`), how
    /// many were consumed, and whether to stop.
    struct Shared<T> {
        slots: Vec<Option<std::thread::Result<T>>>,
        consumed: usize,
        stop: bool,
    }
    let lookahead = lookahead.max(1);
    let shared = Mutex::new(Shared {
        slots: (0..lookahead).map(|_| None).collect(),
        consumed: 0,
        stop: false,
    });
    let (ready, room) = (Condvar::new(), Condvar::new());
    let next = AtomicUsize::new(0);
    let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
    let workers = rayon::current_num_threads().clamp(1, jobs.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= jobs.len() {
                    return;
                }
                {
                    let mut s = lock();
                    while !s.stop && i >= s.consumed + lookahead {
                        s = room.wait(s).unwrap_or_else(|e| e.into_inner());
                    }
                    if s.stop {
                        return;
                    }
                }
                // A panic is handed to the consumer, which would otherwise
                // wait for this result forever.
                let t =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| produce(&jobs[i])));
                lock().slots[i % lookahead] = Some(t);
                ready.notify_all();
            });
        }
        // Whatever happens below, the producers must not wait forever.
        struct StopOnDrop<'a, T>(&'a Mutex<Shared<T>>, &'a Condvar);
        impl<T> Drop for StopOnDrop<'_, T> {
            fn drop(&mut self) {
                self.0.lock().unwrap_or_else(|e| e.into_inner()).stop = true;
                self.1.notify_all();
            }
        }
        let _stop = StopOnDrop(&shared, &room);
        for (i, job) in jobs.iter().enumerate() {
            let t = {
                let mut s = lock();
                loop {
                    if let Some(t) = s.slots[i % lookahead].take() {
                        s.consumed = i + 1;
                        break t;
                    }
                    s = ready.wait(s).unwrap_or_else(|e| e.into_inner());
                }
            };
            room.notify_all();
            match t {
                Ok(t) => consume(job, t)?,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::ordered;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn ordered_hands_results_over_in_job_order_within_the_lookahead() {
        let jobs: Vec<usize> = (0..500).collect();
        let consumed = AtomicUsize::new(0);
        let most_ahead = AtomicUsize::new(0);
        let mut got = Vec::new();
        let r: Result<(), ()> = ordered(
            &jobs,
            4,
            |&j| {
                // No job starts more than `lookahead` ahead of the consumer.
                let ahead = j - consumed.load(Ordering::SeqCst);
                most_ahead.fetch_max(ahead, Ordering::SeqCst);
                // Later jobs finish first now and then.
                if j % 7 == 0 {
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                j * 2
            },
            |&j, t| {
                assert_eq!(t, j * 2);
                got.push(t);
                consumed.store(j + 1, Ordering::SeqCst);
                Ok(())
            },
        );
        assert!(r.is_ok());
        assert_eq!(got, (0..500).map(|j| j * 2).collect::<Vec<_>>());
        // The test's counter moves after `consume`, the pipeline's as it takes
        // a result: one behind at most.
        assert!(most_ahead.load(Ordering::SeqCst) <= 4);
    }

    #[test]
    fn ordered_stops_at_the_first_error_and_takes_no_new_jobs() {
        let jobs: Vec<usize> = (0..10_000).collect();
        let produced = AtomicUsize::new(0);
        let r = ordered(
            &jobs,
            8,
            |&j| {
                produced.fetch_add(1, Ordering::SeqCst);
                j
            },
            |&j, _| if j == 10 { Err(j) } else { Ok(()) },
        );
        assert_eq!(r, Err(10));
        // Jobs 0..=10 were consumed; at most a lookahead more were produced.
        assert!(produced.load(Ordering::SeqCst) <= 11 + 8);
    }

    #[test]
    fn ordered_passes_a_producer_panic_on_instead_of_waiting_forever() {
        let jobs: Vec<usize> = (0..100).collect();
        let r = std::panic::catch_unwind(|| {
            let _ = ordered(
                &jobs,
                4,
                |&j| {
                    assert!(j != 42, "job 42 fails");
                    j
                },
                |_, _| Ok::<(), ()>(()),
            );
        });
        let msg = r.expect_err("the panic reaches the caller");
        let msg = (msg.downcast_ref::<&str>().copied())
            .or_else(|| msg.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("");
        assert!(msg.contains("job 42 fails"), "{msg}");
    }
}
