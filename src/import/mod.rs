//! `feedgen import`: an existing show's feed → podcast.toml, episodes/NNN.md
//! and feedgen.lock, so that the first build publishes the same episodes.
//!
//! ```text
//! fetch ──► sniff ──► repair ──► read (rss / atom_syndication, inventory)
//!       ──► convert (values kept, converted or left, each a finding) ──► write
//! ```
//!
//! Nothing is written unless every file can be: they are staged in the
//! target folder and renamed into place.

mod channel;
mod convert;
mod dates;
pub(crate) mod fetch;
mod inventory;
mod notes;
mod project;
mod read;
mod repair;
pub(crate) mod sniff;
mod source;
mod summary;
mod urls;
mod write;

use std::path::PathBuf;

use crate::diag::{Diagnostic, FileId, Rule, SourceDb, SourceFile};
use crate::Error;

pub use summary::{Counts, Summary};

/// What `feedgen import` is asked to do.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// A feed file, or an http(s) URL.
    pub source: String,
    /// The folder the show is written into.
    pub into: PathBuf,
    /// Move an existing show in `into` aside instead of refusing.
    pub force: bool,
    /// The URL the new feed will have, when the feed does not name its own.
    pub feed_url: Option<String>,
}

/// The result of an import.
#[derive(Debug)]
pub struct Imported {
    /// The feed's text, for the findings' snippets.
    pub sources: SourceDb,
    pub diags: Vec<Diagnostic>,
    pub summary: Summary,
    /// Files written; empty when the import failed.
    pub written: Vec<PathBuf>,
    /// Episodes imported.
    pub episodes: usize,
    /// Where an existing show was moved with `--force`.
    pub backup: Option<PathBuf>,
}

/// Findings about the feed, placed by offsets in the text the parsers read.
pub(crate) struct Findings<'a> {
    file: FileId,
    repaired: &'a repair::Repaired,
    pub channel_offset: usize,
    pub diags: Vec<Diagnostic>,
}

impl Findings<'_> {
    pub(crate) fn push(&mut self, rule: Rule, xml_offset: usize, message: impl Into<String>) {
        let start = self.repaired.original_offset(xml_offset);
        let text = &self.repaired.original;
        let line_end = text[start..].find('\n').map_or(text.len(), |e| start + e);
        let end = text[start..line_end]
            .find('>')
            .map_or(line_end, |e| start + e + 1);
        self.diags
            .push(Diagnostic::new(rule, message).at(self.file, start..end));
    }
}

/// Imports `opts.source` into `opts.into`.
pub fn import(opts: &ImportOptions) -> Result<Imported, Error> {
    write::refuse_existing(&opts.into, opts.force)?;
    let fetched = fetch::fetch(&opts.source, &fetch::Limits::default()).map_err(Error::Usage)?;
    if let Some(feeds) = sniff::html_page(&fetched.bytes, fetched.url.as_ref()) {
        let advertised = match feeds.as_slice() {
            [] => "it advertises no feed".to_string(),
            [one] => format!("it advertises the feed {one}; import that"),
            many => format!(
                "it advertises these feeds; import one of them: {}",
                many.join(", ")
            ),
        };
        return Err(Error::Usage(format!(
            "{} is a web page, not a feed: {advertised}",
            fetched.name
        )));
    }
    let repaired = repair::repair(&fetched.bytes);
    if !repaired.xml.trim_start().starts_with('<') {
        let why = match &fetched.content_type {
            Some(t) => format!(
                "{} is not a feed: it is not XML (the server says {t})",
                fetched.name
            ),
            None => format!("{} is not a feed: it is not XML", fetched.name),
        };
        return Err(Error::Usage(why));
    }
    let mut sources = SourceDb::default();
    let file = sources.add(SourceFile::new(
        fetched.name.clone(),
        PathBuf::from(&fetched.name),
        repaired.original.clone(),
    ));
    let mut out = Findings {
        file,
        repaired: &repaired,
        channel_offset: 0,
        diags: Vec::new(),
    };
    for r in &repaired.repairs {
        out.diags
            .push(Diagnostic::new(Rule::ImportRepaired, r.message.clone()).at(file, r.at.clone()));
    }
    let inventory = match inventory::inventory(&repaired.xml) {
        Ok(inv) if inv.root != "rss" && !inv.is_atom() => {
            let why =
                "this is not an RSS or Atom feed: its root element is neither <rss> nor <feed>";
            return Ok(unreadable(sources, out, 0, why.into()));
        }
        Ok(inv) => inv,
        Err((at, why)) => {
            let why = format!(
                "the feed cannot be read as XML here, even as podcast apps forgive it: {why}"
            );
            return Ok(unreadable(sources, out, at, why));
        }
    };
    out.channel_offset = inventory.channel.offset;
    let atom = inventory.is_atom();
    let feed = match read::read(&repaired.xml, &inventory) {
        Ok(feed) => feed,
        Err(why) => {
            return Ok(unreadable(
                sources,
                out,
                0,
                format!("the feed cannot be read: {why}"),
            ));
        }
    };
    let feed_url = opts
        .feed_url
        .clone()
        .or(feed.channel.self_url.clone())
        .or(fetched.url.as_ref().map(|u| u.to_string()));
    let Some(feed_url) = feed_url else {
        return Err(Error::Usage(format!(
            "{} does not name its own URL (atom:link rel=\"self\"); say where the feed will be with --feed-url",
            fetched.name
        )));
    };
    let mut summary = Summary::default();
    let converted = convert::convert(&feed, feed_url, atom, &mut out, &mut summary);
    let mut diags = out.diags;
    diags.sort_by_key(|d| d.span.as_ref().map(|s| s.range.start));
    let episodes = converted.episodes.len();
    let (written, backup) = write::write(&opts.into, &converted, opts.force)?;
    Ok(Imported {
        sources,
        diags,
        summary,
        written,
        episodes,
        backup,
    })
}

/// An import that stops at a feed it cannot read: its findings, no files.
fn unreadable(sources: SourceDb, mut out: Findings, at: usize, why: String) -> Imported {
    out.push(Rule::ImportUnreadable, at, why);
    Imported {
        sources,
        diags: out.diags,
        summary: Summary::default(),
        written: vec![],
        episodes: 0,
        backup: None,
    }
}
