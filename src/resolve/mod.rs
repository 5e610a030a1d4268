//! The resolve stage: parsed episodes + the show → the feed model, with every
//! semantic rule checked on the way: numbers, titles, dates, people, links,
//! media, transcripts and chapters (per episode, in parallel), then what must
//! hold across episodes.

mod chapters;
mod cross_check;
mod enclosure;
mod episode;
mod local_files;
mod people;
mod probe;
mod published;
mod sidecars;
mod urls;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};

use crate::diag::{self, Counts, Diagnostic, Overrides, Severity, SourceDb, Span};
use crate::input::Input;
use crate::model::{Feed, Item, PersonCredit, Show};
use crate::timings;

pub(crate) use people::channel_persons;

/// Where an episode stands for this build.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Publish,
    /// No publish date: checked, never published.
    Draft,
    /// Publish date in the future: left out until then.
    Scheduled,
}

/// What every episode needs besides its own file.
pub(crate) struct Context<'a> {
    pub show: &'a Show,
    /// The project root (where podcast.toml is).
    pub root: &'a Path,
    /// The root with every symlink followed: what local files must stay in.
    pub canon_root: PathBuf,
    pub now: DateTime<FixedOffset>,
}

/// One resolved episode: the item as it would be published, and the spans
/// that findings about it point at.
#[derive(Debug)]
pub(crate) struct Resolved {
    pub item: Item,
    pub status: Status,
    /// The episode heading (or the file's start).
    pub anchor: Span,
    pub guid_span: Span,
    pub enclosure_span: Span,
}

/// A show read, resolved and checked: the input to a build.
pub struct Project {
    /// The folder of podcast.toml.
    pub root: PathBuf,
    /// Every file read, for showing findings.
    pub sources: SourceDb,
    pub show: Show,
    /// Every finding, with `[rules]` and `--strict` applied, in report order.
    pub diags: Vec<Diagnostic>,
    /// Episode files found, including those that could not be read.
    pub episode_files: usize,
    pub(crate) episodes: Vec<Resolved>,
}

impl Project {
    pub fn counts(&self) -> Counts {
        Counts::of(&self.diags)
    }
    pub fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| d.severity == Severity::Error)
    }
    /// The episodes and where each stands.
    pub fn episodes(&self) -> impl Iterator<Item = (&Item, Status)> {
        self.episodes.iter().map(|r| (&r.item, r.status))
    }
    /// The feed model: the published items, newest first (a copy).
    pub fn feed(&self) -> Feed {
        let published = self.episodes.iter().filter(|r| r.status == Status::Publish);
        feed_of(&self.show, published.map(|r| r.item.clone()).collect())
    }
    /// The feed of at most `n` published episodes, for trying what renders
    /// one without copying them all.
    pub(crate) fn sample_feed(&self, n: usize) -> Feed {
        let published = self.episodes.iter().filter(|r| r.status == Status::Publish);
        feed_of(
            &self.show,
            published.take(n).map(|r| r.item.clone()).collect(),
        )
    }
    /// The findings that point into the file at `path`.
    pub fn findings_in<'a>(&'a self, path: &'a Path) -> impl Iterator<Item = &'a Diagnostic> {
        self.diags.iter().filter(move |d| {
            d.span
                .as_ref()
                .is_some_and(|s| self.sources.get(s.file).path == path)
        })
    }
    /// Applies `[rules]` (and `--strict`) to the findings and puts them in
    /// report order.
    pub(crate) fn finish(&mut self, strict: bool) {
        let overrides = Overrides {
            strict,
            ..self.show.overrides.clone()
        };
        self.diags = diag::finish(&self.sources, &overrides, std::mem::take(&mut self.diags));
    }
    /// [`Self::feed`] for a build: the items move into the feed.
    pub(crate) fn take_feed(&mut self) -> Feed {
        let items = std::mem::take(&mut self.episodes)
            .into_iter()
            .filter(|r| r.status == Status::Publish)
            .map(|r| r.item)
            .collect();
        feed_of(&self.show, items)
    }
}

/// The feed of `items`, ordered newest first (ties: the higher number, then
/// the slug).
fn feed_of(show: &Show, mut items: Vec<Item>) -> Feed {
    items.sort_by(|a, b| {
        (b.published, b.number)
            .cmp(&(a.published, a.number))
            .then_with(|| a.slug.cmp(&b.slug))
    });
    let persons: Vec<PersonCredit> = channel_persons(show);
    Feed {
        show: show.clone(),
        updated: items.iter().map(|i| i.published).max(),
        persons,
        items,
    }
}

/// Reads, parses and resolves every episode of `input` (in parallel, each
/// resolved as soon as it is parsed), and checks them together. The findings
/// are those of podcast.toml, then of each episode file (reading, parsing,
/// resolving), then across episodes; they are not yet filtered or sorted.
pub(crate) fn resolve(input: Input, now: DateTime<FixedOffset>) -> Project {
    let ctx = Context {
        show: &input.show,
        root: &input.root,
        canon_root: input
            .root
            .canonicalize()
            .unwrap_or_else(|_| input.root.clone()),
        now,
    };
    let read = timings::stage("read+parse+resolve", || {
        input.read_episodes(|file, parsed| episode::resolve(&ctx, parsed, &file.dir, &file.listing))
    });
    let Input {
        root,
        mut sources,
        show,
        files,
        mut diags,
    } = input;
    let mut episodes = Vec::with_capacity(read.len());
    for mut r in read {
        sources.add(r.source);
        diags.append(&mut r.diags);
        episodes.extend(r.made);
    }
    diags.extend(cross_check::cross_check(&show, &episodes));
    Project {
        root,
        sources,
        show,
        diags,
        episode_files: files.len(),
        episodes,
    }
}
