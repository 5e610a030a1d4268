//! Episode parsing: one Markdown file → [`ParsedEpisode`].
//!
//! The parser walks pulldown-cmark's event stream with byte offsets (never regular
//! expressions over lines). In one pass it
//! - recognises the structure: the episode heading, the header list
//!   ([`header`]), speaker sections and topics ([`sections`]), and
//! - keeps the *sanitized* notes as [`Notes`] ([`notes`]): raw HTML becomes
//!   text, unsafe links are dropped, characters a feed cannot hold removed.
//!
//! It renders nothing: the renderers write every HTML form from the notes.
//! Every decision that changes content (a link dropped, a character removed)
//! leaves a finding with the exact span, so nothing changes silently.

mod dates;
mod header;
pub(crate) mod links;
mod note_links;
mod notes;
mod scan;
mod sections;
#[cfg(test)]
mod tests;

use std::ops::Range;

use chrono::NaiveDate;
use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::front_matter::{self, FrontMatter};
use crate::diag::{Diagnostic, FileId, Rule};
use crate::model::{Notes, Show};

/// Deepest nesting of lists and quotes that is rendered as nesting; deeper
/// containers are flattened into their parent (content kept) with a diagnostic.
/// Documented in docs/format.md.
pub(crate) const MAX_DEPTH: usize = 32;

/// A person credited in the notes: by `@handle`, or by a named link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credit {
    pub handle: Option<String>,
    pub name: Option<String>,
    pub href: Option<String>,
    pub span: Range<usize>,
}

/// A value from the header list, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// A date as written in the header list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DateValue {
    Complete {
        date: NaiveDate,
        ambiguous: bool,
    },
    /// Incomplete, such as `2021-01-`; the text as written.
    Partial(String),
    /// Not a calendar date, or unreadable; the text as written.
    Invalid(String),
    Empty,
}

/// The list before `## Contents`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Header {
    /// Where the header list is, if there is one.
    pub span: Option<Range<usize>>,
    /// Whether a `Hosted by` line exists (even one naming nobody).
    pub has_host_line: bool,
    pub hosts: Vec<Credit>,
    pub guests: Vec<Credit>,
    pub recording_date: Option<Located<DateValue>>,
    /// `Some(None)`: the Video line is there but empty.
    pub video: Option<Located<Option<String>>>,
    /// The Video line holds something that is not a publishable link (already
    /// reported as unsafe-link or invalid-link, so it is not "empty").
    pub video_rejected: bool,
}

/// The `# 006: Title` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct EpisodeHeading {
    pub number: Option<u32>,
    /// The number as written, when it is not a valid positive u32 (e.g. `0`).
    pub bad_number: Option<String>,
    pub title: Option<String>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SpeakerSection {
    pub credit: Credit,
    /// Text after the speaker, such as `(欠席)`.
    pub note: Option<String>,
    /// The note says the speaker was absent (欠席, absent): not credited.
    pub absent: bool,
    pub span: Range<usize>,
    pub has_content: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TopicKind {
    Heading,
    Bullet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Topic {
    pub title: String,
    pub url: Option<String>,
    pub speaker: Option<usize>,
    pub kind: TopicKind,
    pub span: Range<usize>,
}

/// A link that reaches the notes (after the link policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkRef {
    pub url: String,
    pub text: String,
    pub span: Range<usize>,
    pub topic: Option<usize>,
    /// Made from a bare URL or an @mention rather than written as a link.
    pub implicit: bool,
    /// An `@handle` mention linked to the person's page (never a duplicate).
    pub mention: bool,
}

/// Everything one episode file says.
#[derive(Debug)]
pub(crate) struct ParsedEpisode {
    pub file: FileId,
    /// File stem or folder name, e.g. `006`.
    pub slug: String,
    pub file_number: Option<u32>,
    pub front: FrontMatter,
    pub heading: Option<EpisodeHeading>,
    pub header: Header,
    pub speakers: Vec<SpeakerSection>,
    /// The topics and links as the parser understood the notes' structure;
    /// the parser's tests read them.
    #[cfg_attr(not(test), allow(dead_code))]
    pub topics: Vec<Topic>,
    #[cfg_attr(not(test), allow(dead_code))]
    pub links: Vec<LinkRef>,
    /// The sanitized show notes.
    pub notes: Notes,
    /// A YouTube link found in a raw-HTML thumbnail embed (shown as text).
    pub html_video: Option<String>,
    pub diags: Vec<Diagnostic>,
}

pub(crate) fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// The number in a file or folder name: `006` → 6, `episode_template` → None.
pub(crate) fn number_from_slug(slug: &str) -> Option<u32> {
    let digits: String = slug.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() != slug.len() {
        return None;
    }
    digits.parse().ok().filter(|&n| n > 0)
}

/// Parses one episode file; `text` is the whole decoded file.
pub(crate) fn parse(file: FileId, slug: &str, text: &str, show: &Show) -> ParsedEpisode {
    let mut diags = Vec::new();
    scan::characters(file, text, &mut diags);
    scan::fullwidth_bullets(file, text, &mut diags);
    let split = front_matter::split(file, text, &mut diags);
    let front = match split.front {
        Some((src, off)) => front_matter::parse(file, src, off, &mut diags),
        None => FrontMatter::default(),
    };
    let body = &text[split.body_start..];
    let mut p = EventParser {
        diags,
        out: Notes::with_capacity(body.len()),
        ..EventParser::default_for(file, text, show)
    };
    for (ev, r) in Parser::new_ext(body, markdown_options()).into_offset_iter() {
        p.feed(ev, r.start + split.body_start..r.end + split.body_start);
    }
    p.finish();
    p.out.shrink();
    ParsedEpisode {
        file,
        slug: slug.to_string(),
        file_number: number_from_slug(slug),
        front,
        heading: p.heading,
        header: p.header,
        speakers: p.speakers,
        topics: p.topics,
        links: p.links,
        notes: p.out,
        html_video: p.html_video,
        diags: p.diags,
    }
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub(super) enum HeaderState {
    NotYet,
    In,
    Done,
}

/// A list item of the header list while it is being read.
#[derive(Debug, Default)]
pub(super) struct HeaderItem {
    pub(super) start: usize,
    pub(super) text: String,
    /// Text outside links (for @mentions that are not already link credits).
    pub(super) plain: String,
    pub(super) links: Vec<(String, String, Range<usize>)>,
}

/// A heading's level, range and raw events, held until its end decides what it is.
pub(super) type HeadingBuf<'t> = (HeadingLevel, Range<usize>, Vec<(Event<'t>, Range<usize>)>);

/// A link or image being emitted: whether its Start was kept, and its text so far.
#[derive(Debug)]
pub(super) struct LinkFrame {
    pub(super) kept: bool,
    pub(super) image: bool,
    pub(super) url: String,
    pub(super) text: String,
    pub(super) span: Range<usize>,
    pub(super) emitted_text: bool,
}

struct EventParser<'t, 's> {
    file: FileId,
    text: &'t str,
    show: &'s Show,
    diags: Vec<Diagnostic>,
    /// The sanitized notes.
    out: Notes,
    /// The last event emitted was a soft break.
    last_soft_break: bool,

    heading: Option<EpisodeHeading>,
    heading_buf: Option<HeadingBuf<'t>>,
    section_seen: bool,

    header: Header,
    header_state: HeaderState,
    header_items: Vec<HeaderItem>,
    header_stack: Vec<HeaderItem>,

    contents_level: Option<u8>,
    speaker_level: Option<u8>,
    cur_speaker: Option<usize>,
    speakers: Vec<SpeakerSection>,
    topics: Vec<Topic>,
    cur_topic: Option<usize>,
    topic_from_heading: bool,
    pending_bullet: bool,

    links: Vec<LinkRef>,
    link_stack: Vec<LinkFrame>,
    code_block: bool,
    html_block: Option<(String, Range<usize>)>,
    html_video: Option<String>,
    raw_html_reported: bool,

    list_depth: usize,
    /// For each open List/Item/BlockQuote: was its Start emitted?
    container_kept: Vec<bool>,
    depth: usize,
    depth_reported: bool,
    /// Replaying a heading's inlines: they are not content of the section.
    emitting_heading: bool,
}

impl<'t, 's> EventParser<'t, 's> {
    fn default_for(file: FileId, text: &'t str, show: &'s Show) -> Self {
        EventParser {
            file,
            text,
            show,
            diags: Vec::new(),
            out: Notes::default(),
            last_soft_break: false,
            heading: None,
            heading_buf: None,
            section_seen: false,
            header: Header::default(),
            header_state: HeaderState::NotYet,
            header_items: Vec::new(),
            header_stack: Vec::new(),
            contents_level: None,
            speaker_level: None,
            cur_speaker: None,
            speakers: Vec::new(),
            topics: Vec::new(),
            cur_topic: None,
            topic_from_heading: false,
            pending_bullet: false,
            links: Vec::new(),
            link_stack: Vec::new(),
            code_block: false,
            html_block: None,
            html_video: None,
            raw_html_reported: false,
            list_depth: 0,
            container_kept: Vec::new(),
            depth: 0,
            depth_reported: false,
            emitting_heading: false,
        }
    }

    /// Adds one sanitized event to the notes.
    fn emit(&mut self, ev: Event<'t>) {
        self.last_soft_break = matches!(ev, Event::SoftBreak);
        self.out.push(ev);
    }

    fn diag(&mut self, rule: Rule, span: Range<usize>, msg: impl Into<String>) -> &mut Diagnostic {
        self.diags
            .push(Diagnostic::new(rule, msg).at(self.file, span));
        self.diags.last_mut().expect("just pushed")
    }

    /// Entry point for every event from pulldown-cmark.
    fn feed(&mut self, ev: Event<'t>, r: Range<usize>) {
        if let Some((_, _, buf)) = &mut self.heading_buf {
            if matches!(ev, Event::End(TagEnd::Heading(_))) {
                let (level, hr, buf) = self.heading_buf.take().expect("checked");
                self.heading_done(level, hr, buf);
            } else {
                buf.push((ev, r));
            }
            return;
        }
        if let Some((buf, _)) = &mut self.html_block {
            match ev {
                Event::Html(h) | Event::Text(h) => buf.push_str(&h),
                Event::End(TagEnd::HtmlBlock) => {
                    let (buf, hr) = self.html_block.take().expect("checked");
                    self.html_block_done(buf, hr);
                }
                _ => {}
            }
            return;
        }
        match ev {
            Event::Start(Tag::Heading { level, .. }) => {
                self.heading_buf = Some((level, r, Vec::new()));
            }
            Event::Start(Tag::HtmlBlock) => self.html_block = Some((String::new(), r)),
            Event::Start(Tag::List(first)) => {
                if self.header_state == HeaderState::NotYet
                    && self.list_depth == 0
                    && !self.section_seen
                    && self.contents_level.is_none()
                    && self.link_stack.is_empty()
                {
                    self.header_state = HeaderState::In;
                    self.header.span = Some(r.clone());
                }
                self.list_depth += 1;
                self.open_container(Event::Start(Tag::List(first)), r);
            }
            Event::End(TagEnd::List(o)) => {
                self.list_depth -= 1;
                self.close_container(Event::End(TagEnd::List(o)));
                if self.list_depth == 0 && self.header_state == HeaderState::In {
                    self.header_state = HeaderState::Done;
                    self.interpret_header();
                }
            }
            Event::Start(Tag::Item) => {
                if self.header_state == HeaderState::In {
                    self.header_stack.push(HeaderItem {
                        start: r.start,
                        ..HeaderItem::default()
                    });
                } else if self.list_depth == 1 && !self.topic_from_heading {
                    self.pending_bullet = true;
                }
                self.open_container(Event::Start(Tag::Item), r);
            }
            Event::End(TagEnd::Item) => {
                if self.header_state == HeaderState::In {
                    if let Some(item) = self.header_stack.pop() {
                        self.header_items.push(item);
                    }
                }
                self.pending_bullet = false;
                self.close_container(Event::End(TagEnd::Item));
            }
            Event::Start(Tag::BlockQuote(k)) => {
                self.open_container(Event::Start(Tag::BlockQuote(k)), r)
            }
            Event::End(TagEnd::BlockQuote(k)) => {
                self.close_container(Event::End(TagEnd::BlockQuote(k)))
            }
            other => self.inline(other, r),
        }
    }

    fn finish(&mut self) {
        if let Some((level, r, buf)) = self.heading_buf.take() {
            self.heading_done(level, r, buf);
        }
        if let Some((buf, r)) = self.html_block.take() {
            self.html_block_done(buf, r);
        }
        while let Some(f) = self.link_stack.pop() {
            if f.kept {
                self.emit(Event::End(TagEnd::Link));
            }
        }
        self.end_speaker();
        if self.header_state == HeaderState::In {
            self.header_state = HeaderState::Done;
            while let Some(item) = self.header_stack.pop() {
                self.header_items.push(item);
            }
            self.interpret_header();
        }
        self.report_duplicate_links();
    }
}
