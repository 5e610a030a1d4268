//! feedgen: Markdown show notes + `podcast.toml` → RSS 2.0 (itunes, podcast
//! namespaces), Atom 1.0 and JSON Feed 1.1.
//!
//! The pipeline, one module per stage, data flowing one way:
//!
//! ```text
//! config ─┐
//! episode ┼─► validate ─► model ─► html ─► assemble ─► output
//! (source, frontmatter, links)              │ rss_feed / atom_feed / json_feed (paging, xml)
//!                                           │ verify, chunk by chunk, in parallel
//! ```
//!
//! Episodes are read, parsed and resolved in parallel (rayon); the documents
//! are written chunk by chunk while the next chunks render ([`assemble`]).
//! `FEEDGEN_TIMINGS=1` makes the CLI print the time and memory of each stage.
//!
//! Stages never print: they return [`diag::Diagnostic`]s. [`check`] and [`build`]
//! collect every problem in every file in one run.

/// The Markdown of the tgik corpus, the hostile inputs and the example show's
/// episodes: for tests that compare two ways of doing one thing on real notes.
#[cfg(test)]
pub(crate) fn test_markdown() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let docs: Vec<String> = ["tests/corpus/tgik", "tests/hostile", "episodes"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root.join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect();
    assert!(docs.len() > 150, "{} documents", docs.len());
    docs
}

/// `md`'s events as the episode parser hands them to the renderers: raw HTML
/// is text (for tests).
#[cfg(test)]
pub(crate) fn test_events(md: &str) -> Vec<pulldown_cmark::Event<'_>> {
    use pulldown_cmark::Event;
    pulldown_cmark::Parser::new_ext(md, episode::markdown_options())
        .map(|e| match e {
            Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
            e => e,
        })
        .collect()
}

pub mod assemble;
pub mod atom_feed;
pub mod catalog;
pub mod chapters;
pub mod config;
pub mod diag;
pub mod episode;
pub mod frontmatter;
pub mod html;
pub mod json_feed;
pub mod json_read;
pub mod ledger;
pub mod links;
pub mod media;
pub mod model;
pub mod output;
pub mod paging;
pub mod report;
pub mod rss_feed;
pub mod scaffold;
pub mod source;
pub mod timings;
pub mod validate;
pub mod verify;
pub mod xml;
pub mod xml_read;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;

use diag::{Counts, Diagnostic, Rule, Severity};
use source::{FileId, Fingerprint as SourceFingerprint, SourceDb, SourceFile};
use validate::{Resolved, Status};

/// "Did you mean": the closest candidate by Jaro-Winkler, if it is close enough.
pub fn suggest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .map(|c| {
            (
                strsim::jaro_winkler(&word.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(s, _)| *s > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Failures that are not findings about the show: exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

/// What a run is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Path of podcast.toml; episodes are found beside it.
    pub config: PathBuf,
    /// Output directory given on the command line (trusted, may be anywhere).
    pub out: Option<PathBuf>,
    /// "Now", for drafts and scheduled episodes; fixed in tests.
    pub now: DateTime<FixedOffset>,
    pub strict: bool,
    /// Episodes (by number or slug) whose published guid/enclosure may change.
    pub allow_guid_change: Vec<String>,
}

impl Options {
    pub fn new(config: impl Into<PathBuf>, now: DateTime<FixedOffset>) -> Self {
        Options {
            config: config.into(),
            out: None,
            now,
            strict: false,
            allow_guid_change: vec![],
        }
    }
}

/// Everything read and checked: the input to a build.
pub struct Project {
    pub root: PathBuf,
    pub sources: SourceDb,
    pub show: config::Show,
    pub episodes: Vec<Resolved>,
    pub diags: Vec<Diagnostic>,
    /// Episode files found, including those that could not be read.
    pub episode_files: usize,
}

impl Project {
    pub fn counts(&self) -> Counts {
        Counts::of(&self.diags)
    }
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| d.severity == Severity::Error)
    }
}

/// An episode file found on disk.
#[derive(Debug, Clone)]
pub struct EpisodePath {
    pub path: PathBuf,
    pub slug: String,
    /// Folder whose files belong to the episode (or holding `NNN.md`).
    pub dir: PathBuf,
    /// The files in `dir`, listed once by [`discover`]: sidecar lookups use it
    /// instead of a `stat` per candidate name (10,000 flat episodes share one).
    pub listing: std::sync::Arc<validate::Listing>,
    /// Neither the file nor its folder is a symlink, and the episodes folder is
    /// inside the project: the file cannot lead outside it, so reading it needs
    /// no `canonicalize` (several system calls per file).
    pub plain: bool,
}

/// The regular files (and symlinks) directly in `dir`, by name.
fn list_files(dir: &Path) -> validate::Names {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .filter(|e| e.file_type().is_ok_and(|t| !t.is_dir()))
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Finds `episodes/NNN.md` and `episodes/NNN/README.md`, sorted by path. Names
/// starting with `_` or `.` (templates, drafts kept aside) are skipped.
pub fn discover(root: &Path) -> Result<Vec<EpisodePath>, Error> {
    let dir = root.join("episodes");
    let rd = std::fs::read_dir(&dir).map_err(|e| Error::Read {
        path: dir.clone(),
        source: e,
    })?;
    // A symlinked episodes folder may point anywhere: then every file is checked.
    let dir_inside = match (dir.canonicalize(), root.canonicalize()) {
        (Ok(d), Ok(r)) => d.starts_with(r),
        _ => false,
    };
    // Each episode with its entry's name: all share `dir`, so path order is
    // the order of these names (a folder and a file cannot share one).
    let mut out: Vec<(std::ffi::OsString, EpisodePath)> = Vec::new();
    let mut flat_names = validate::Names::default();
    let mut flat = Vec::new();
    for entry in rd.flatten() {
        let os_name = entry.file_name();
        let name = os_name.to_string_lossy().into_owned();
        // The file type comes with the directory entry on most file systems: no
        // stat per entry. A symlink is followed (is_dir) only when it is one.
        let Ok(ft) = entry.file_type() else { continue };
        let p = entry.path();
        let is_dir = ft.is_dir() || (ft.is_symlink() && p.is_dir());
        if !is_dir {
            flat_names.insert(name.clone());
        }
        if name.starts_with('_') || name.starts_with('.') {
            continue;
        }
        if is_dir {
            let files = list_files(&p);
            if files.contains("README.md") {
                let readme = p.join("README.md");
                let readme_link = std::fs::symlink_metadata(&readme)
                    .map(|m| m.file_type().is_symlink())
                    .unwrap_or(true);
                out.push((
                    os_name,
                    EpisodePath {
                        path: readme,
                        slug: name,
                        dir: p,
                        listing: std::sync::Arc::new(validate::Listing {
                            folder: true,
                            names: files,
                        }),
                        plain: dir_inside && !ft.is_symlink() && !readme_link,
                    },
                ));
            }
        } else if let Some(stem) = name.strip_suffix(".md") {
            if stem.eq_ignore_ascii_case("readme") {
                continue;
            }
            flat.push((os_name, p, stem.to_string(), dir_inside && !ft.is_symlink()));
        }
    }
    let listing = std::sync::Arc::new(validate::Listing {
        folder: false,
        names: flat_names,
    });
    for (os_name, path, slug, plain) in flat {
        out.push((
            os_name,
            EpisodePath {
                path,
                slug,
                dir: dir.clone(),
                listing: listing.clone(),
                plain,
            },
        ));
    }
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let out: Vec<EpisodePath> = out.into_iter().map(|(_, e)| e).collect();
    debug_assert!(
        out.windows(2).all(|w| w[0].path < w[1].path),
        "episodes in path order"
    );
    Ok(out)
}

thread_local! {
    /// Each reading thread's buffer: files are read into it without asking
    /// their size first, then decoded into a String of their own.
    static READ_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Reads and decodes one file, enforcing the size cap and the tree boundary.
/// `canon_root` is the project root, canonicalized once for all episodes.
fn read_episode(
    canon_root: &Path,
    ep: &EpisodePath,
    max: u64,
) -> Result<String, (String, Diagnostic)> {
    if !ep.plain {
        if let Ok(real) = ep.path.canonicalize() {
            if !real.starts_with(canon_root) {
                return Err((
                    String::new(),
                    Diagnostic::new(Rule::UnsafePath, format!("this episode file leads outside the project (to {})", real.display()))
                        .help("episode files must live inside the project; copy the file instead of linking it"),
                ));
            }
        }
    }
    let cannot = |e: std::io::Error| {
        (
            String::new(),
            Diagnostic::new(Rule::MediaFile, format!("cannot read: {e}")),
        )
    };
    READ_BUF.with_borrow_mut(|buf| {
        use std::io::Read;
        buf.clear();
        let file = std::fs::File::open(&ep.path).map_err(cannot)?;
        // One byte past the cap tells a file over it from one exactly at it,
        // without reading all of a huge file.
        file.take(max.saturating_add(1))
            .read_to_end(buf)
            .map_err(cannot)?;
        if buf.len() as u64 > max {
            let len = std::fs::metadata(&ep.path)
                .map(|m| m.len())
                .unwrap_or(buf.len() as u64);
            return Err((
                String::new(),
                Diagnostic::new(
                    Rule::FileTooLarge,
                    format!("the file is {len} bytes; the cap is {max}"),
                )
                .help("raise [limits] max_episode_bytes in podcast.toml if this is intended"),
            ));
        }
        decode_episode(buf)
    })
}

/// [`source::decode`] with the diagnostic for a file that is not UTF-8.
fn decode_episode(bytes: &[u8]) -> Result<String, (String, Diagnostic)> {
    source::decode(bytes).map_err(|(lossy, e)| {
        let shown: Vec<String> = e.bytes.iter().map(|b| format!("{b:#04x}")).collect();
        let d = Diagnostic::new(
            Rule::InvalidUtf8,
            format!(
                "the file is not UTF-8: byte {} at line {}, byte column {}",
                shown.join(" "),
                e.line,
                e.byte_column
            ),
        )
        .help("save the file as UTF-8 (it may be Shift_JIS or Latin-1)");
        // The caret points at the replacement character in the lossy copy.
        (
            lossy,
            Diagnostic {
                span: Some(diag::Span::new(FileId(u32::MAX), e.offset..e.offset + 3)),
                ..d
            },
        )
    })
}

/// Reads podcast.toml and every episode, parses and validates them in parallel,
/// and collects all diagnostics (with `[rules]` and `--strict` applied).
pub fn load(opts: &Options) -> Result<Project, Error> {
    load_for(opts, true)
}

/// podcast.toml, read and checked, and the episode files found.
struct Opened {
    root: PathBuf,
    /// The project root, canonicalized once for all episodes.
    canon_root: PathBuf,
    sources: SourceDb,
    show: config::Show,
    diags: Vec<Diagnostic>,
    paths: Vec<EpisodePath>,
}

impl Opened {
    /// The id of the `i`-th episode file: files get their ids in path order,
    /// as they are added to the source list by [`finish_load`].
    fn id(&self, i: usize) -> FileId {
        FileId(self.sources.next_id().0 + i as u32)
    }
    fn ctx(&self, now: DateTime<FixedOffset>, render: bool) -> validate::Context<'_> {
        validate::Context {
            show: &self.show,
            root: &self.root,
            now,
            render,
        }
    }
}

/// Reads and checks podcast.toml, and finds the episode files.
fn open(opts: &Options) -> Result<Opened, Error> {
    let config_path = &opts.config;
    let root = config_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let root = if root.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        root
    };
    let config_bytes = std::fs::read(config_path).map_err(|e| Error::Read {
        path: config_path.clone(),
        source: e,
    })?;
    let mut sources = SourceDb::default();
    let mut diags = Vec::new();
    let config_name = source::display_path(&root, config_path);
    let (show, mut cdiags) = match source::decode(&config_bytes) {
        Ok(text) => {
            let id = sources.add(SourceFile::new(config_name, config_path.clone(), text));
            config::load(id, &sources.get(id).text)
        }
        Err((lossy, e)) => {
            let id = sources.add(SourceFile::new(config_name, config_path.clone(), lossy));
            let d = Diagnostic::new(
                Rule::InvalidUtf8,
                format!(
                    "podcast.toml is not UTF-8 (line {}, byte column {})",
                    e.line, e.byte_column
                ),
            )
            .at(id, e.offset..e.offset + 3);
            (config::load(id, "").0, vec![d])
        }
    };
    diags.append(&mut cdiags);
    let paths = timings::stage("discover", || discover(&root))?;
    let canon_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    Ok(Opened {
        root,
        canon_root,
        sources,
        show,
        diags,
        paths,
    })
}

/// One episode file read, with what precedes its Markdown
/// ([`episode::read_front`]); or the text shown for a file that could not be
/// read, with the finding.
type PreRead = Result<(String, episode::Front), (String, Diagnostic)>;

/// A file [`pre_read`] by a build, until it is parsed.
type Pending = std::sync::Mutex<Option<PreRead>>;

/// Takes a [`Pending`] file for parsing.
fn take(p: &Pending) -> PreRead {
    p.lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()
        .expect("each episode is parsed once")
}

/// Reads the `i`-th episode file and its front matter.
fn pre_read(o: &Opened, i: usize) -> PreRead {
    let p = &o.paths[i];
    read_episode(&o.canon_root, p, o.show.limits.max_episode_bytes).map(|text| {
        let front = episode::read_front(o.id(i), &text);
        (text, front)
    })
}

/// One episode loaded: the episode (none for a file that could not be read),
/// its entry in the source list and its findings.
type LoadedOne = (Option<Resolved>, (SourceFile, Vec<Diagnostic>));

/// Parses and resolves the `i`-th episode from what [`pre_read`] gave.
fn load_one(o: &Opened, ctx: &validate::Context<'_>, i: usize, read: PreRead) -> LoadedOne {
    let p = &o.paths[i];
    let id = o.id(i);
    let name = source::display_path(&o.root, &p.path);
    match read {
        Ok((text, front)) => {
            // `check` renders nothing: the notes are only counted.
            let mode = if ctx.render {
                episode::NotesMode::Keep
            } else {
                episode::NotesMode::CountApple
            };
            let mut parsed = episode::parse_body(id, &p.slug, &text, front, &o.show, mode);
            let mut d = std::mem::take(&mut parsed.diags);
            let (r, mut vd) = validate::resolve_listed(ctx, parsed, &p.dir, &p.listing);
            d.append(&mut vd);
            debug_assert_eq!(id, r.file, "episode ids follow path order");
            // The text is kept only for showing findings. Dropped here, its
            // memory is reused by the next file this thread reads.
            let file = if d.is_empty() {
                SourceFile::unloaded(name, p.path.clone(), SourceFingerprint::of(&text))
            } else {
                SourceFile::new(name, p.path.clone(), text)
            };
            (Some(r), (file, d))
        }
        Err((lossy, mut d)) => {
            let len = lossy.len();
            d.span = Some(match d.span {
                Some(s) => diag::Span::new(id, s.range.start..s.range.end.min(len)),
                None => diag::Span::new(id, 0..0),
            });
            (
                None,
                (SourceFile::new(name, p.path.clone(), lossy), vec![d]),
            )
        }
    }
}

/// [`load`]; `render`: also render what only outputs need (see
/// [`validate::Context::render`]).
fn load_for(opts: &Options, render: bool) -> Result<Project, Error> {
    let o = open(opts)?;
    let ctx = o.ctx(opts.now, render);
    // Per file: the episode and its source entry with its findings. Each file
    // is read, parsed and resolved in one task (reading overlaps parsing
    // across the threads), and each result written straight into its place in
    // the two lists: collecting them afterwards, one file at a time, took
    // ~9 ms at 10k episodes, most of it faulting in the list's fresh memory.
    let mut resolved: Vec<Option<Resolved>> = Vec::new();
    let mut files: Vec<(SourceFile, Vec<Diagnostic>)> = Vec::new();
    timings::stage("read+parse", || {
        (0..o.paths.len())
            .into_par_iter()
            .map(|i| load_one(&o, &ctx, i, pre_read(&o, i)))
            .unzip_into_vecs(&mut resolved, &mut files)
    });
    Ok(finish_load(o, resolved, files, opts))
}

/// The project from every episode's [`LoadedOne`], in path order: the source
/// list, the checks across episodes, `[rules]` and `--strict`, findings sorted.
fn finish_load(
    o: Opened,
    resolved: Vec<Option<Resolved>>,
    files: impl IntoIterator<Item = (SourceFile, Vec<Diagnostic>)>,
    opts: &Options,
) -> Project {
    let Opened {
        root,
        mut sources,
        show,
        mut diags,
        paths,
        ..
    } = o;
    for (file, mut d) in files {
        sources.add(file);
        diags.append(&mut d);
    }
    // In place: an `Option<Resolved>` is a `Resolved` in size (the niche of
    // its strings), and `filter_map` lets the standard library reuse the list's
    // memory (1 ms at 10k episodes); `flatten` does not, and copied every
    // episode into fresh memory (7 ms).
    #[allow(clippy::filter_map_identity)]
    let episodes: Vec<Resolved> = resolved.into_iter().filter_map(|r| r).collect();
    diags.extend(timings::stage("cross-check", || {
        validate::cross_check(&show, &episodes)
    }));
    let mut overrides = show.overrides.clone();
    overrides.strict = opts.strict;
    let mut diags: Vec<Diagnostic> = diags
        .into_iter()
        .filter_map(|d| overrides.apply(d))
        .collect();
    // Findings across episodes may point into files whose text was not kept.
    sources.reload_for(&mut diags);
    debug_assert!(
        diags
            .iter()
            .filter_map(|d| d.span.as_ref())
            .all(|s| s.file.0 == u32::MAX || !sources.get(s.file).is_unloaded()),
        "every finding's file has its text"
    );
    timings::stage("sort-diags", || report::sort(&sources, &mut diags));
    Project {
        root,
        sources,
        show,
        episodes,
        diags,
        episode_files: paths.len(),
    }
}

/// Validates everything; writes nothing. The episodes' full notes HTML and
/// summaries are not rendered (they cannot produce findings): a project from
/// `check` is for its diagnostics; [`feed_of`] needs one from [`load`].
pub fn check(opts: &Options) -> Result<Project, Error> {
    load_for(opts, false)
}

/// An item's place in the feed: (published, number, slug).
type FeedKey<'a> = (DateTime<FixedOffset>, Option<u32>, &'a str);

impl model::Item {
    fn key(&self) -> FeedKey<'_> {
        (self.published, self.number, &self.slug)
    }
}

/// The feed's order: newest first; ties by the higher number, then the slug.
/// Every way of building orders by it (a build in feed order predicts the
/// order before the notes are parsed, and checks it afterwards).
fn feed_order(a: FeedKey<'_>, b: FeedKey<'_>) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2))
}

/// The published items, newest first (ties: higher number, then slug).
pub fn published_items(project: &Project) -> Vec<model::Item> {
    let mut items: Vec<model::Item> = project
        .episodes
        .iter()
        .filter(|r| r.status == Status::Publish)
        .map(|r| r.item.clone())
        .collect();
    items.sort_by(|a, b| feed_order(a.key(), b.key()));
    items
}

/// Assembles the model the writers render.
pub fn feed_of(project: &Project) -> model::Feed {
    let items = published_items(project);
    let updated = items.iter().map(|i| i.published).max();
    model::Feed {
        show: project.show.clone(),
        persons: validate::channel_persons(&project.show),
        items,
        updated,
    }
}

/// Renders every document and checks each by parsing it back (in memory; a
/// build writes straight to disk instead, see [`assemble`]).
pub fn render(feed: &model::Feed) -> Result<Vec<output::Output>, Diagnostic> {
    let docs = assemble::plan(feed)?;
    let mut sinks: Vec<Vec<u8>> = vec![Vec::new(); docs.len()];
    assemble::write_all(feed, &docs, &mut sinks, |_, _, _| Ok(())).map_err(|f| match f {
        assemble::Failure::Verify(d) => d,
        assemble::Failure::Io(i, e) => Diagnostic::new(
            Rule::OutputVerify,
            format!("{}: cannot write to memory: {e}", docs[i].name),
        ),
    })?;
    let outs: Vec<output::Output> = docs
        .into_iter()
        .zip(sinks)
        .map(|(d, bytes)| output::Output {
            name: d.name,
            bytes,
        })
        .collect();
    if cfg!(debug_assertions) {
        let docs: Vec<(&str, &[u8])> = outs
            .iter()
            .map(|o| (o.name.as_str(), &o.bytes[..]))
            .collect();
        assert_same_as_whole_documents(feed, &docs);
    }
    Ok(outs)
}

/// Debug builds (every test): the assembled documents are byte for byte what
/// the `rss` and `atom_syndication` crates and serde_json write for each whole
/// document.
fn assert_same_as_whole_documents(feed: &model::Feed, outs: &[(&str, &[u8])]) {
    let show = &feed.show;
    let (atom_url, json_url) = assemble::sibling_urls(&show.feed_url);
    let mut whole = Vec::new();
    for page in paging::paginate(
        &feed.items,
        show.output.page_size,
        &show.feed_url,
        "feed.xml",
    ) {
        let bytes = rss_feed::write(feed, &page, Vec::new()).expect("in memory");
        whole.push((paging::page_file("feed.xml", page.number), bytes));
    }
    for page in paging::paginate(&feed.items, show.output.page_size, &atom_url, "atom.xml") {
        let bytes = atom_feed::write(feed, &page, Vec::new()).expect("in memory");
        whole.push((paging::page_file("atom.xml", page.number), bytes));
    }
    whole.push((
        "feed.json".into(),
        json_feed::render(feed, &json_url).into_bytes(),
    ));
    assert_eq!(outs.len(), whole.len(), "document count");
    for ((got_name, got), (name, bytes)) in outs.iter().zip(whole) {
        assert_eq!(*got_name, name);
        assert!(
            *got == bytes.as_slice(),
            "{name}: assembled bytes differ from the whole document's"
        );
    }
}

/// Why staging stopped: a document failed verification, or the disk failed.
enum StageError {
    Verify(Diagnostic),
    Io(Error),
}

/// [`render`] for a build: every document is written straight into a temporary
/// file in `dir` as its chunks are rendered and verified (no copy of it is held
/// in memory), synced, and returned staged for [`output::commit`]. On any
/// failure nothing is left behind.
fn render_staged(feed: &model::Feed, dir: &Path) -> Result<Vec<output::Staged>, StageError> {
    let docs = timings::stage("frames", || assemble::plan(feed)).map_err(StageError::Verify)?;
    let staged = stage_docs(&docs, dir, "render+write", |sinks, done| {
        assemble::write_all(feed, &docs, sinks, done)
    })?;
    if cfg!(debug_assertions) {
        let files: Vec<(String, Vec<u8>)> = staged
            .iter()
            .map(|s| (s.name.clone(), std::fs::read(&s.tmp).expect("staged file")))
            .collect();
        let docs: Vec<(&str, &[u8])> = files.iter().map(|(n, b)| (n.as_str(), &b[..])).collect();
        assert_same_as_whole_documents(feed, &docs);
    }
    Ok(staged)
}

/// What [`stage_docs`] hands the writer for each document it completes.
type DoneFn<'a> = dyn FnMut(usize, &mut output::Staging, u64) -> std::io::Result<()> + Send + 'a;

/// Creates a temporary file in `dir` for each of `docs`, lets `write` fill
/// them (in the stage `stage` of the timings), flushes each file as soon as it
/// is complete and syncs it on a thread of its own while the later documents
/// are written; each must then hold exactly the bytes written to it. On any
/// failure nothing is left behind.
fn stage_docs(
    docs: &[assemble::Doc<'_>],
    dir: &Path,
    stage: &'static str,
    write: impl FnOnce(&mut [output::Staging], &mut DoneFn<'_>) -> Result<(), assemble::Failure>,
) -> Result<Vec<output::Staged>, StageError> {
    let created = !dir.exists();
    let io = |name: &str, e: std::io::Error| {
        StageError::Io(Error::Write {
            path: dir.join(name),
            source: e,
        })
    };
    let mut staged = Vec::new();
    let mut sinks = Vec::new();
    let cleanup = |staged: &[output::Staged]| {
        output::discard(staged);
        if created {
            let _ = std::fs::remove_dir(dir);
        }
    };
    for d in docs {
        match output::create_staged(dir, &d.name) {
            Ok((s, w)) => {
                staged.push(s);
                sinks.push(w);
            }
            Err(e) => {
                cleanup(&staged);
                return Err(io(&d.name, e));
            }
        }
    }
    let result = timings::stage(stage, || {
        std::thread::scope(|scope| {
            let mut syncs = Vec::new();
            let mut done = |d: usize, w: &mut output::Staging, len: u64| -> std::io::Result<()> {
                std::io::Write::flush(w)?;
                let file = w.file().try_clone()?;
                syncs.push((
                    d,
                    scope.spawn(move || -> std::io::Result<()> {
                        file.sync_all()?;
                        let on_disk = file.metadata()?.len();
                        if on_disk != len {
                            return Err(std::io::Error::other(format!(
                                "{on_disk} bytes on disk, {len} written"
                            )));
                        }
                        Ok(())
                    }),
                ));
                Ok(())
            };
            let written = write(&mut sinks, &mut done);
            let synced: Vec<(usize, std::io::Result<()>)> = syncs
                .into_iter()
                .map(|(d, h)| {
                    let r = h
                        .join()
                        .unwrap_or_else(|_| Err(std::io::Error::other("sync thread panicked")));
                    (d, r)
                })
                .collect();
            (written, synced)
        })
    });
    let (written, synced) = result;
    drop(sinks);
    if let Err(f) = written {
        cleanup(&staged);
        return Err(match f {
            assemble::Failure::Verify(d) => StageError::Verify(d),
            assemble::Failure::Io(i, e) => io(&docs[i].name, e),
        });
    }
    for (d, r) in synced {
        if let Err(e) = r {
            cleanup(&staged);
            return Err(io(&docs[d].name, e));
        }
    }
    Ok(staged)
}

/// Where outputs go: `--out`, else `[output] dir` (which must stay inside the
/// project unless `allow_outside = true`), else `public/`.
pub fn output_dir(project: &Project, opts: &Options) -> Result<PathBuf, Diagnostic> {
    output_dir_of(&project.root, &project.show, opts)
}

/// [`output_dir`] before the project is complete.
fn output_dir_of(root: &Path, show: &config::Show, opts: &Options) -> Result<PathBuf, Diagnostic> {
    if let Some(o) = &opts.out {
        return Ok(o.clone());
    }
    let rel = show.output.dir.clone().unwrap_or_else(|| "public".into());
    let dir = root.join(&rel);
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
    Ok(dir)
}

/// Result of a build.
pub struct BuildOutcome {
    pub project: Project,
    /// Files written; empty when the build refused to write.
    pub written: Vec<PathBuf>,
    pub published: usize,
}

/// Validates, renders, verifies and publishes. Nothing is written when any error
/// exists; the previous outputs then stay byte-identical.
///
/// Every episode file is read first, with its front matter. When that tells
/// where each episode goes in the feed ([`stream_order`]: its `published`, or
/// its header list's Recording date read off the lines), the notes are parsed
/// in feed order, a chunk at a time, each chunk rendered and written while the
/// next are parsed ([`build_streaming`]): an episode's notes HTML then lives
/// only while its chunk is rendered. Otherwise (a trailer, which the channel
/// announces, or a date only the parser reads) every episode is parsed first
/// and the feed rendered from the whole project. Both write the same bytes.
///
/// After a build in feed order, the published items in `project` no longer
/// hold their notes HTML (`content_html`, `description_html`,
/// `summary_text`): each chunk's is dropped once written, and the feeds hold
/// it. [`load`] gives a project that keeps it.
pub fn build(opts: &Options) -> Result<BuildOutcome, Error> {
    let o = open(opts)?;
    // Each file read, waiting to be parsed: taken once, by whichever thread
    // parses it.
    let read: Vec<Pending> = timings::stage("read", || {
        (0..o.paths.len())
            .into_par_iter()
            .map(|i| std::sync::Mutex::new(Some(pre_read(&o, i))))
            .collect()
    });
    if let Some(order) = stream_order(&o, &read, opts) {
        if let Some(outcome) = build_streaming(o, read, &order, opts)? {
            return Ok(outcome);
        }
        // The stream could not be used (writing or verifying failed, or the
        // finished project disagrees with the prediction): nothing was left
        // behind, and the build starts again the usual way, which reports
        // what went wrong.
        return build_whole(load(opts)?, opts);
    }
    let ctx = o.ctx(opts.now, true);
    let mut resolved = Vec::new();
    let mut files = Vec::new();
    timings::stage("parse", || {
        read.into_par_iter()
            .enumerate()
            .map(|(i, r)| load_one(&o, &ctx, i, take(&r)))
            .unzip_into_vecs(&mut resolved, &mut files)
    });
    build_whole(finish_load(o, resolved, files, opts), opts)
}

/// A build from a loaded project: the feed rendered from all its items.
fn build_whole(mut project: Project, opts: &Options) -> Result<BuildOutcome, Error> {
    if project.has_errors() {
        return Ok(BuildOutcome {
            project,
            written: vec![],
            published: 0,
        });
    }
    let (feed, order) = timings::stage("feed-model", || feed_taking(&mut project));
    let published = feed.items.len();
    let result = publish_feed(&mut project, &feed, opts);
    restore(&mut project, feed, &order);
    Ok(match result? {
        Some(written) => BuildOutcome {
            project,
            written,
            published,
        },
        None => BuildOutcome {
            project,
            written: vec![],
            published: 0,
        },
    })
}

/// Where an episode goes in the feed, as its front matter says.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Slot {
    /// The index of its file.
    episode: usize,
    published: DateTime<FixedOffset>,
    number: u32,
}

/// The feed's items in order (newest first), before any notes are parsed:
/// each episode's `published` (front matter, else the Recording date read off
/// the header list's lines, [`episode::scan_recording_date`]) and number
/// (front matter, else the file name; the notes' heading can only disagree
/// with a finding). `None` when some episode's place cannot be told so, or no
/// episode is published.
fn stream_order(o: &Opened, read: &[Pending], opts: &Options) -> Option<Vec<Slot>> {
    let mut slots = Vec::new();
    for (i, r) in read.iter().enumerate() {
        let r = r.lock().unwrap_or_else(|e| e.into_inner());
        let (text, read) = r.as_ref()?.as_ref().ok()?;
        let front = &read.front;
        let published = match &front.published {
            Some(p) => validate::front_published(&o.show, p.get_ref()).ok()?,
            None => {
                let date = episode::scan_recording_date(&text[read.body_start..])?;
                validate::recording_published(&o.show, date)?
            }
        };
        // A channel announces its trailers, with their titles (which may
        // come from the notes): its head is known only once they are parsed.
        if front.episode_type.as_ref().is_some_and(|t| {
            model::EpisodeType::parse(t.get_ref()) == Some(model::EpisodeType::Trailer)
        }) {
            return None;
        }
        let number = match &front.episode {
            Some(n) => u32::try_from(*n.get_ref()).ok().filter(|&n| n > 0)?,
            None => episode::number_from_slug(&o.paths[i].slug)?,
        };
        if published <= opts.now {
            slots.push(Slot {
                episode: i,
                published,
                number,
            });
        }
    }
    let key = |s: &Slot| {
        (
            s.published,
            Some(s.number),
            o.paths[s.episode].slug.as_str(),
        )
    };
    slots.sort_by(|a, b| feed_order(key(a), key(b)));
    (!slots.is_empty()).then_some(slots)
}

/// One chunk's episodes, as [`build_streaming`] makes them: each with the
/// index of its file, and its source entry and findings.
type Made = Vec<(usize, Resolved, (SourceFile, Vec<Diagnostic>))>;

/// [`build`] in feed order (see there). `Ok(None)` when the finished project
/// does not match the order and frames the front matter predicted, or the
/// documents could not be written or verified: nothing is left behind, and the
/// caller builds the usual way, which reports what went wrong.
fn build_streaming(
    o: Opened,
    pending: Vec<Pending>,
    order: &[Slot],
    opts: &Options,
) -> Result<Option<BuildOutcome>, Error> {
    let Ok(dir) = output_dir_of(&o.root, &o.show, opts) else {
        return Ok(None);
    };
    // The feed as the front matter predicts it: enough for the documents'
    // pages and frames.
    let items: Vec<model::Item> = order
        .iter()
        .map(|s| model::Item {
            number: Some(s.number),
            ..model::Item::placeholder(s.published)
        })
        .collect();
    let planned = model::Feed {
        show: o.show.clone(),
        persons: validate::channel_persons(&o.show),
        updated: items.iter().map(|i| i.published).max(),
        items,
    };
    let Ok(docs) = timings::stage("frames", || assemble::plan(&planned)) else {
        return Ok(None);
    };
    let created = !dir.exists();
    let ctx = o.ctx(opts.now, true);
    // Each episode's place, filled as its chunk is written (or, for those not
    // published, afterwards).
    let mut resolved: Vec<Option<Resolved>> = (0..o.paths.len()).map(|_| None).collect();
    let mut files: Vec<Option<(SourceFile, Vec<Diagnostic>)>> =
        (0..o.paths.len()).map(|_| None).collect();
    let lock_path = o.root.join(ledger::FILE_NAME);
    let (staged, early) = std::thread::scope(|scope| {
        let early = scope.spawn(|| ledger::Ledger::load_with_text(&lock_path));
        let make = |range: std::ops::Range<usize>| {
            let mut items = Vec::with_capacity(range.len());
            let mut made: Made = Vec::with_capacity(range.len());
            for s in &order[range] {
                let (r, file) = load_one(&o, &ctx, s.episode, take(&pending[s.episode]));
                let mut r = r.expect("a streaming build has read every file");
                items.push(std::mem::replace(
                    &mut r.item,
                    model::Item::placeholder(s.published),
                ));
                made.push((s.episode, r, file));
            }
            (items, made)
        };
        let keep = |_: std::ops::Range<usize>, items: Vec<model::Item>, made: Made| {
            for (item, (i, mut r, file)) in items.into_iter().zip(made) {
                r.item = item;
                resolved[i] = Some(r);
                files[i] = Some(file);
            }
        };
        let staged = stage_docs(&docs, &dir, "parse+render+write", |sinks, done| {
            assemble::write_streaming(&planned, &docs, sinks, make, keep, done)
        });
        (staged, early.join())
    });
    let Ok(staged) = staged else {
        return Ok(None);
    };
    // The episodes that are not published, for their findings.
    let rest: Vec<(usize, LoadedOne)> = timings::stage("parse-unpublished", || {
        (0..o.paths.len())
            .into_par_iter()
            .filter(|&i| files[i].is_none())
            .map(|i| (i, load_one(&o, &ctx, i, take(&pending[i]))))
            .collect()
    });
    for (i, (r, file)) in rest {
        resolved[i] = r;
        files[i] = Some(file);
    }
    drop(pending);
    let files = files
        .into_iter()
        .map(|f| f.expect("every episode was loaded"));
    let mut project = finish_load(o, resolved, files, opts);
    // Nothing is left behind when nothing is published: not the staged files,
    // nor an output folder the staging created.
    let discard = |staged: &[output::Staged]| {
        output::discard(staged);
        if created {
            let _ = std::fs::remove_dir(&dir);
        }
    };
    // Findings are complete whatever the order: a show with errors is
    // reported as the usual way would, and nothing is published.
    if project.has_errors() {
        discard(&staged);
        return Ok(Some(BuildOutcome {
            project,
            written: vec![],
            published: 0,
        }));
    }
    // Did the front matter tell the whole story? Every episode is where it
    // was put, and no other is published. (Without errors it always does:
    // `published` and the number are resolved as `stream_order` read them, and
    // a heading that disagrees with them is an error. Checked all the same.)
    let as_predicted = order.iter().all(|s| {
        let e = &project.episodes[s.episode];
        e.status == Status::Publish
            && e.item.published == s.published
            && e.item.number == Some(s.number)
    }) && project
        .episodes
        .iter()
        .filter(|e| e.status == Status::Publish)
        .count()
        == order.len();
    if !as_predicted {
        discard(&staged);
        return Ok(None);
    }
    // The frames as written, to compare with what the real items plan.
    let written: Vec<(String, rss_feed::Frame)> = docs
        .iter()
        .map(|d| (d.name.clone(), d.frame().clone()))
        .collect();
    drop(docs);
    // The real items take the predicted ones' places in the feed, and the
    // episodes the placeholders, until the build is done: no second list of
    // 10k items.
    let mut feed = planned;
    let swap = |feed: &mut model::Feed, project: &mut Project| {
        for (slot, s) in feed.items.iter_mut().zip(order) {
            std::mem::swap(slot, &mut project.episodes[s.episode].item);
        }
    };
    timings::stage("feed-model", || swap(&mut feed, &mut project));
    // The documents' heads were written from the predicted feed: they must be
    // what the real one plans (a channel announces its trailers, for one:
    // `stream_order` leaves shows with trailers to the usual way).
    let same_frames = assemble::plan(&feed).is_ok_and(|real| {
        real.len() == written.len()
            && real
                .iter()
                .zip(&written)
                .all(|(d, (name, frame))| &d.name == name && d.has_frame(frame))
    });
    if !same_frames {
        swap(&mut feed, &mut project);
        discard(&staged);
        return Ok(None);
    }
    if cfg!(debug_assertions) {
        same_as_usual_build(&staged, opts);
    }
    let items: Vec<&model::Item> = feed.items.iter().collect();
    let early = early.map(|r| {
        r.map(|(text, mut l)| {
            let diags = l.reconcile(items.iter().copied(), &opts.allow_guid_change);
            (text, (l, diags))
        })
    });
    let result = commit_staged(&project.root, &items, opts, &dir, staged, early);
    drop(items);
    swap(&mut feed, &mut project);
    let (written, findings) = result?;
    project.diags.extend(findings);
    Ok(Some(BuildOutcome {
        project,
        published: if written.is_some() { order.len() } else { 0 },
        written: written.unwrap_or_default(),
    }))
}

/// Debug builds: the documents a streaming build staged are byte for byte
/// those the usual way renders (in memory) from the whole project.
fn same_as_usual_build(staged: &[output::Staged], opts: &Options) {
    let project = load(opts).expect("the show loads again");
    let feed = feed_of(&project);
    let outs = render(&feed).expect("the usual rendering");
    assert_eq!(outs.len(), staged.len(), "as many documents");
    for (out, s) in outs.iter().zip(staged) {
        assert_eq!(out.name, s.name);
        let bytes = std::fs::read(&s.tmp).expect("staged file");
        assert!(
            out.bytes == bytes,
            "{} differs from the usual build's",
            s.name
        );
    }
}

/// [`feed_of`] for a build: the published items are moved into the feed rather
/// than copied (the notes HTML is most of an item's size, and copying the rest
/// costs an allocation per string); [`restore`] moves them back. Also returns,
/// per feed item, the index of its episode.
fn feed_taking(project: &mut Project) -> (model::Feed, Vec<usize>) {
    let mut order: Vec<usize> = (0..project.episodes.len())
        .filter(|&i| project.episodes[i].status == Status::Publish)
        .collect();
    let eps = &project.episodes;
    order.sort_by(|&a, &b| feed_order(eps[a].item.key(), eps[b].item.key()));
    let items: Vec<model::Item> = order
        .iter()
        .map(|&i| {
            let it = &mut project.episodes[i].item;
            let blank = model::Item::placeholder(it.published);
            std::mem::replace(it, blank)
        })
        .collect();
    let updated = items.iter().map(|i| i.published).max();
    let feed = model::Feed {
        show: project.show.clone(),
        persons: validate::channel_persons(&project.show),
        items,
        updated,
    };
    (feed, order)
}

/// Gives the items taken by [`feed_taking`] back to the project's episodes.
fn restore(project: &mut Project, feed: model::Feed, order: &[usize]) {
    for (item, &i) in feed.items.into_iter().zip(order) {
        project.episodes[i].item = item;
    }
}

/// Renders, verifies, reconciles the ledger and publishes. `Ok(None)`: refused
/// (the reasons are in the project's diagnostics), nothing written.
fn publish_feed(
    project: &mut Project,
    feed: &model::Feed,
    opts: &Options,
) -> Result<Option<Vec<PathBuf>>, Error> {
    let dir = match output_dir(project, opts) {
        Ok(d) => d,
        Err(d) => {
            project.diags.push(d);
            return Ok(None);
        }
    };
    let lock_path = project.root.join(ledger::FILE_NAME);
    // The ledger is read, parsed and reconciled with the items on a thread of
    // its own while the documents render. Under the lock it is read again: if
    // another build changed it in between, the fresh text is used instead.
    let reconcile = |mut l: ledger::Ledger| {
        let diags = l.reconcile(feed.items.iter(), &opts.allow_guid_change);
        (l, diags)
    };
    let (staged, early) = std::thread::scope(|scope| {
        let early = scope.spawn(|| {
            ledger::Ledger::load_with_text(&lock_path).map(|(text, l)| (text, reconcile(l)))
        });
        let staged = render_staged(feed, &dir);
        (staged, early.join())
    });
    let staged = match staged {
        Ok(s) => s,
        Err(StageError::Verify(d)) => {
            project.diags.push(d);
            return Ok(None);
        }
        Err(StageError::Io(e)) => return Err(e),
    };
    let items: Vec<&model::Item> = feed.items.iter().collect();
    let (written, findings) = commit_staged(&project.root, &items, opts, &dir, staged, early)?;
    project.diags.extend(findings);
    Ok(written)
}

/// The ledger as read (its text) and reconciled with the feed's items, from a
/// thread of its own.
type EarlyLedger =
    std::thread::Result<std::io::Result<(Option<String>, (ledger::Ledger, Vec<Diagnostic>))>>;

/// Publishes staged documents under the directory lock, if the ledger agrees
/// (read again under the lock: if another build changed it since `early` read
/// it, the fresh text is used). Otherwise, or on any failure, the staged files
/// are removed and the previous outputs stay as they were.
fn commit_staged(
    root: &Path,
    items: &[&model::Item],
    opts: &Options,
    dir: &Path,
    staged: Vec<output::Staged>,
    early: EarlyLedger,
) -> Result<(Option<Vec<PathBuf>>, Vec<Diagnostic>), Error> {
    let lock_path = root.join(ledger::FILE_NAME);
    let reconcile = |mut l: ledger::Ledger| {
        let diags = l.reconcile(items.iter().copied(), &opts.allow_guid_change);
        (l, diags)
    };
    let dir = dir.to_path_buf();
    let mut findings = Vec::new();
    let result = (|| {
        let _lock = output::lock_dir(&dir).map_err(|e| Error::Write {
            path: dir.clone(),
            source: e,
        })?;
        let read_err = |e| Error::Read {
            path: lock_path.clone(),
            source: e,
        };
        let (ledger, ledger_diags) = timings::stage("ledger-load", || {
            let now = ledger::Ledger::text(&lock_path)?;
            match early {
                Ok(Ok((text, done))) if text == now => Ok(done),
                _ => ledger::Ledger::parse(&lock_path, now.as_deref()).map(reconcile),
            }
        })
        .map_err(read_err)?;
        if !ledger_diags.is_empty() {
            let has_error = ledger_diags.iter().any(|d| d.severity == Severity::Error);
            findings = ledger_diags;
            if has_error {
                return Ok(None);
            }
        }
        let written = timings::stage("commit", || {
            output::commit(&dir, &staged, &["feed-", "atom-"])
        })
        .map_err(|e| Error::Write {
            path: dir.clone(),
            source: e,
        })?;
        timings::stage("ledger-save", || ledger.save(&lock_path)).map_err(|e| Error::Write {
            path: lock_path.clone(),
            source: e,
        })?;
        Ok(Some(written))
    })();
    if !matches!(result, Ok(Some(_))) {
        output::discard(&staged);
    }
    result.map(|r| (r, findings))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`load_for`] turns its `Vec<Option<Resolved>>` into the project's list in
    /// place (a copy into fresh memory cost 7 ms at 10k episodes), which needs
    /// the two to be the same size and `filter_map` to keep the allocation.
    #[test]
    #[allow(clippy::filter_map_identity)]
    fn the_episode_list_is_collected_in_place() {
        assert_eq!(
            std::mem::size_of::<Option<Resolved>>(),
            std::mem::size_of::<Resolved>()
        );
        let list: Vec<Option<Resolved>> = (0..4).map(|_| None).collect();
        let at = list.as_ptr() as usize;
        let kept: Vec<Resolved> = list.into_iter().filter_map(|r| r).collect();
        assert!(kept.is_empty());
        assert_eq!(kept.as_ptr() as usize, at, "the list was copied");
    }
}
