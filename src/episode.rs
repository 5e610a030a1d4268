//! Episode parsing: one Markdown file → [`ParsedEpisode`].
//!
//! The parser walks pulldown-cmark's event stream with byte offsets (never regular
//! expressions over lines). In one pass it
//! - recognises the structure (episode heading, header list, speaker sections,
//!   topics) for validation and credits, and
//! - produces the *sanitized* notes as an owned event list, which the HTML renderer
//!   turns into markup without ever seeing the Markdown again.
//!
//! Every decision that changes content (a link dropped, a character removed) leaves
//! a diagnostic with the exact span, so nothing changes silently.

use rustc_hash::FxHashMap;
use std::ops::Range;

use chrono::NaiveDate;
use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

use crate::config::Show;
use crate::diag::{Diagnostic, Rule};
use crate::frontmatter::{self, FrontMatter};
use crate::links::{self, LinkVerdict};
use crate::source::{is_invisible, is_xml_invalid, FileId};

/// Deepest nesting of lists and quotes that is rendered as nesting; deeper
/// containers are flattened into their parent (content kept) with a diagnostic.
/// Documented in docs/format.md.
pub const MAX_DEPTH: usize = 32;

/// A person credited in the notes: by `@handle`, or by a named link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credit {
    pub handle: Option<String>,
    pub name: Option<String>,
    pub href: Option<String>,
    pub span: Range<usize>,
}

/// A value from the header list, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Range<usize>,
}

/// A date as written in the header list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateValue {
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
pub struct Header {
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
pub struct EpisodeHeading {
    pub number: Option<u32>,
    /// The number as written, when it is not a valid positive u32 (e.g. `0`).
    pub bad_number: Option<String>,
    pub title: Option<String>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpeakerSection {
    pub credit: Credit,
    /// Text after the speaker, such as `(欠席)`.
    pub note: Option<String>,
    /// The note says the speaker was absent (欠席, absent): not credited.
    pub absent: bool,
    pub span: Range<usize>,
    pub has_content: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicKind {
    Heading,
    Bullet,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub title: String,
    pub url: Option<String>,
    pub speaker: Option<usize>,
    pub kind: TopicKind,
    pub span: Range<usize>,
}

/// A link that reaches the notes (after the link policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub url: String,
    pub text: String,
    pub span: Range<usize>,
    pub topic: Option<usize>,
    /// Made from a bare URL or an @mention rather than written as a link.
    pub implicit: bool,
    /// An `@handle` mention linked to the person's page (never a duplicate).
    pub mention: bool,
}

/// Everything one episode file says. The notes borrow from the file's text.
#[derive(Debug)]
pub struct ParsedEpisode<'t> {
    pub file: FileId,
    /// File stem or folder name, e.g. `006`.
    pub slug: String,
    pub file_number: Option<u32>,
    pub front: FrontMatter,
    pub heading: Option<EpisodeHeading>,
    pub header: Header,
    pub speakers: Vec<SpeakerSection>,
    pub topics: Vec<Topic>,
    pub links: Vec<LinkRef>,
    /// Sanitized show notes, ready to render (empty in release builds when
    /// parsed with [`NotesMode::CountApple`]).
    pub notes: Vec<Event<'t>>,
    /// Parsed with [`NotesMode::CountApple`]: whether the Apple description
    /// fits [`crate::html::APPLE_LIMIT`] whole.
    pub apple_fits: Option<bool>,
    /// A YouTube link found in a raw-HTML thumbnail embed (shown as text).
    pub html_video: Option<String>,
    pub diags: Vec<Diagnostic>,
}

pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS
}

/// The number in a file or folder name: `006` → 6, `episode_template` → None.
pub fn number_from_slug(slug: &str) -> Option<u32> {
    let digits: String = slug.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() || digits.len() != slug.len() {
        return None;
    }
    digits.parse().ok().filter(|&n| n > 0)
}

/// Parses one episode file. `text` is the whole decoded file.
/// What the parser does with the sanitized notes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotesMode {
    /// Keep them, for the HTML renderings (`build`).
    Keep,
    /// Only count the Apple description's length as they are produced
    /// (`check`, which renders nothing): [`ParsedEpisode::apple_fits`] is set
    /// and the notes are left empty (kept in debug builds, to compare).
    CountApple,
}

pub fn parse<'t>(file: FileId, slug: &str, text: &'t str, show: &Show) -> ParsedEpisode<'t> {
    parse_with(file, slug, text, show, NotesMode::Keep)
}

/// [`parse`], with the notes kept or only counted.
pub fn parse_with<'t>(
    file: FileId,
    slug: &str,
    text: &'t str,
    show: &Show,
    mode: NotesMode,
) -> ParsedEpisode<'t> {
    parse_body(file, slug, text, read_front(file, text), show, mode)
}

/// What is read of an episode file before its Markdown: the findings of the
/// character scans and the front matter, and the front matter itself.
#[derive(Debug)]
pub struct Front {
    pub front: FrontMatter,
    /// Byte offset where the Markdown body starts.
    pub body_start: usize,
    pub diags: Vec<Diagnostic>,
}

/// The first part of [`parse_with`]: a build reads every episode's front
/// matter first, to know the feed's order before any notes are parsed.
pub fn read_front(file: FileId, text: &str) -> Front {
    let mut diags = Vec::new();
    scan_characters(file, text, &mut diags);
    scan_fullwidth_bullets(file, text, &mut diags);
    let split = frontmatter::split(file, text, &mut diags);
    let front = match split.front {
        Some((src, off)) => frontmatter::parse(file, src, off, &mut diags),
        None => FrontMatter::default(),
    };
    Front {
        front,
        body_start: split.body_start,
        diags,
    }
}

/// The Recording date of an episode's header list, read off the lines of its
/// Markdown `body` without parsing it: the first `- Key: value` bullet whose
/// key names a recording date, in the list that directly follows the episode
/// heading (blank lines before it, nested lines inside it; anything else ends
/// the search). A build uses it to order the feed before any notes are
/// parsed; the parser's reading ([`Header::recording_date`]) is the one that
/// counts, and a build that finds them different starts again the usual way.
/// `None` when no such bullet is found (or it is not a complete date).
pub fn scan_recording_date(body: &str) -> Option<NaiveDate> {
    let mut lines = body.lines().skip_while(|l| l.trim().is_empty());
    lines.next().filter(|l| l.starts_with("# "))?;
    let mut in_list = false;
    for line in lines {
        if line.trim().is_empty() {
            if in_list {
                return None;
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if in_list {
                continue;
            }
            return None;
        }
        let item = line
            .strip_prefix("- ")
            .or_else(|| line.strip_prefix("* "))?;
        in_list = true;
        let Some(i) = item.find([':', '：']) else {
            continue;
        };
        let sep = item[i..].chars().next().map_or(1, char::len_utf8);
        let key = item[..i].trim().to_lowercase();
        if matches!(
            key.as_str(),
            "recording date" | "recording" | "date" | "recorded" | "収録日"
        ) {
            return match parse_date(&item[i + sep..]) {
                DateValue::Complete { date, .. } => Some(date),
                _ => None,
            };
        }
    }
    None
}

/// The rest of [`parse_with`]: the Markdown of `text`, whose [`read_front`] is
/// `front`.
pub fn parse_body<'t>(
    file: FileId,
    slug: &str,
    text: &'t str,
    front: Front,
    show: &Show,
    mode: NotesMode,
) -> ParsedEpisode<'t> {
    let Front {
        front,
        body_start,
        diags,
    } = front;
    let mut p = EventParser {
        file,
        text,
        show,
        diags,
        // The synthetic shows have one event per 10.6-12 bytes of file: growing
        // the list from empty copied it a dozen times per episode.
        out: if mode == NotesMode::Keep || cfg!(debug_assertions) {
            Vec::with_capacity(text.len() / 10)
        } else {
            Vec::new()
        },
        apple: (mode == NotesMode::CountApple)
            .then(|| crate::html::AppleLen::new(crate::html::APPLE_LIMIT)),
        ..EventParser::default_for(file, text, show)
    };
    let body = &text[body_start..];
    let events = Parser::new_ext(body, markdown_options()).into_offset_iter();
    for (ev, r) in events {
        let r = r.start + body_start..r.end + body_start;
        p.feed(ev, r);
    }
    p.finish();
    let apple_fits = p.apple.take().map(|a| a.finish().is_some());
    if let Some(fits) = apple_fits {
        debug_assert_eq!(
            fits,
            crate::html::apple_fits(&p.out, crate::html::APPLE_LIMIT),
            "the Apple length counted while parsing differs from the notes'"
        );
    }
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
        apple_fits,
        html_video: p.html_video,
        diags: p.diags,
    }
}

/// Flags characters XML cannot hold and invisible ones, at their exact offsets.
/// Returns whether any were found (so text events need filtering).
fn scan_characters(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) -> bool {
    let mut found = false;
    let bytes = text.as_bytes();
    let mut next = 0;
    // Only characters starting with a byte that can begin a flagged one are
    // decoded; those bytes are all ASCII or UTF-8 lead bytes, so char boundaries.
    while let Some(p) = crate::source::find_suspect(&bytes[next..], false) {
        let i = next + p;
        let c = text[i..].chars().next().expect("a lead byte starts a char");
        next = i + c.len_utf8();
        let span = i..i + c.len_utf8();
        if is_xml_invalid(c) {
            found = true;
            diags.push(
                Diagnostic::new(
                    Rule::ControlCharacter,
                    format!(
                        "control character U+{:04X} cannot appear in a feed; it is removed",
                        c as u32
                    ),
                )
                .at(file, span),
            );
        } else if is_invisible(c) {
            found = true;
            let what = if ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
            {
                "bidi override"
            } else {
                "invisible character"
            };
            diags.push(
                Diagnostic::new(
                    Rule::InvisibleCharacter,
                    format!(
                        "{what} U+{:04X} hides or reorders text; it is removed",
                        c as u32
                    ),
                )
                .at(file, span),
            );
        }
    }
    found
}

/// `-　text` (dash + U+3000) looks like a bullet but is a paragraph line.
fn scan_fullwidth_bullets(file: FileId, text: &str, diags: &mut Vec<Diagnostic>) {
    // Most files have no U+3000 at all: one vectorized search, not a walk per line.
    if memchr::memmem::find(text.as_bytes(), "\u{3000}".as_bytes()).is_none() {
        return;
    }
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
        let rest = &line[indent..];
        for marker in ["-\u{3000}", "*\u{3000}", "+\u{3000}"] {
            if rest.starts_with(marker) {
                let at = pos + indent;
                diags.push(
                    Diagnostic::new(
                        Rule::FullwidthBullet,
                        "this line looks like a list item, but a full-width space follows the marker, so it continues the paragraph above",
                    )
                    .at(file, at..at + marker.len())
                    .help("use an ASCII space after the marker"),
                );
            }
        }
        pos += line.len();
    }
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum HeaderState {
    NotYet,
    In,
    Done,
}

/// A list item of the header list while it is being read.
#[derive(Debug, Default)]
struct HeaderItem {
    start: usize,
    text: String,
    /// Text outside links (for @mentions that are not already link credits).
    plain: String,
    links: Vec<(String, String, Range<usize>)>,
}

/// A heading's level, range and raw events, held until its end decides what it is.
type HeadingBuf<'t> = (HeadingLevel, Range<usize>, Vec<(Event<'t>, Range<usize>)>);

/// A link or image being emitted: whether its Start was kept, and its text so far.
#[derive(Debug)]
struct LinkFrame {
    kept: bool,
    image: bool,
    url: String,
    text: String,
    span: Range<usize>,
    emitted_text: bool,
}

struct EventParser<'t, 's> {
    file: FileId,
    text: &'t str,
    show: &'s Show,
    diags: Vec<Diagnostic>,
    /// The sanitized notes (kept unless only counted, see [`NotesMode`]).
    out: Vec<Event<'t>>,
    /// [`NotesMode::CountApple`]: the Apple description's length so far.
    apple: Option<crate::html::AppleLen>,
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
            out: Vec::new(),
            apple: None,
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

    /// Hands one sanitized notes event on: kept, or counted (see [`NotesMode`]).
    fn emit(&mut self, ev: Event<'t>) {
        self.last_soft_break = matches!(ev, Event::SoftBreak);
        match &mut self.apple {
            Some(a) => {
                // Once over the limit the count cannot come back under it.
                if !a.over() {
                    a.event(&ev);
                }
                if cfg!(debug_assertions) {
                    self.out.push(ev);
                }
            }
            None => self.out.push(ev),
        }
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

    fn mark_content(&mut self) {
        if self.emitting_heading {
            return;
        }
        if let Some(s) = self.cur_speaker {
            self.speakers[s].has_content = true;
        }
    }

    fn open_container(&mut self, ev: Event<'t>, r: Range<usize>) {
        self.mark_content();
        let is_item = matches!(ev, Event::Start(Tag::Item));
        if !is_item {
            self.depth += 1;
        }
        let keep = self.depth <= MAX_DEPTH;
        if !keep && !self.depth_reported {
            self.depth_reported = true;
            self.diag(
                Rule::NestingTooDeep,
                r,
                format!("lists or quotes are nested more than {MAX_DEPTH} deep; deeper levels are flattened"),
            );
        }
        if keep {
            self.emit(ev);
        } else if is_item {
            self.emit(Event::Text(CowStr::Borrowed(" ")));
        }
        self.container_kept.push(keep);
    }

    fn close_container(&mut self, ev: Event<'t>) {
        let kept = self.container_kept.pop().unwrap_or(true);
        if !matches!(ev, Event::End(TagEnd::Item)) {
            self.depth = self.depth.saturating_sub(1);
        }
        if kept {
            self.emit(ev);
        }
    }

    /// Text with characters XML cannot hold removed (already reported by the scan,
    /// or decoded from a character reference such as `&#1;` or `&#xD800;`, which
    /// pulldown-cmark turns into U+FFFD: so every text is filtered).
    fn clean<'a>(&self, s: CowStr<'a>) -> CowStr<'a> {
        match crate::source::strip_unsafe_chars(&s) {
            std::borrow::Cow::Borrowed(_) => s,
            std::borrow::Cow::Owned(o) => CowStr::from(o),
        }
    }

    fn inline(&mut self, ev: Event<'t>, r: Range<usize>) {
        match ev {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.mark_content();
                self.check_lazy_continuation(&r);
                self.start_link(link_type, dest_url, title, id, r, false)
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.mark_content();
                self.start_link(link_type, dest_url, title, id, r, true)
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => self.end_link(),
            Event::Text(t) => {
                let decoded_len = t.len();
                let t = self.clean(t);
                if t.len() != decoded_len
                    && self.text.get(r.clone()).is_some_and(|s| s.contains("&#"))
                {
                    self.diag(
                        Rule::ControlCharacter,
                        r.clone(),
                        "a character reference here stands for a character a feed cannot hold; it is removed",
                    );
                }
                if !t.trim().is_empty() {
                    self.mark_content();
                }
                if self.code_block {
                    self.emit(Event::Text(t));
                } else if let Some(f) = self.link_stack.last_mut() {
                    f.text.push_str(&t);
                    f.emitted_text |= !t.is_empty();
                    self.capture_header(&t, true);
                    self.emit(Event::Text(t));
                } else {
                    if self.pending_bullet && !t.trim().is_empty() {
                        self.bullet_without_link(&t);
                    }
                    self.capture_header(&t, false);
                    self.text_with_autolinks(t, r);
                }
            }
            Event::Code(c) => {
                let c = self.clean(c);
                self.mark_content();
                self.pending_bullet = false;
                if let Some(f) = self.link_stack.last_mut() {
                    f.text.push_str(&c);
                    f.emitted_text = true;
                }
                self.capture_header(&c, !self.link_stack.is_empty());
                self.emit(Event::Code(c));
            }
            Event::InlineHtml(h) | Event::Html(h) => {
                if h.trim_start().starts_with("<!--") {
                    return;
                }
                self.mark_content();
                self.report_raw_html(r.clone());
                self.harvest_video(&h);
                // Shown as text exactly as written: no autolinks inside markup.
                let h = self.clean(h);
                if let Some(f) = self.link_stack.last_mut() {
                    f.text.push_str(&h);
                    f.emitted_text = true;
                }
                self.emit(Event::Text(h));
            }
            Event::Start(Tag::CodeBlock(k)) => {
                self.mark_content();
                self.code_block = true;
                // The info string becomes class="language-…": `&#0;` there is U+FFFD.
                let k = match k {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => {
                        pulldown_cmark::CodeBlockKind::Fenced(self.clean(info))
                    }
                    k => k,
                };
                self.emit(Event::Start(Tag::CodeBlock(k)));
            }
            Event::End(TagEnd::CodeBlock) => {
                self.code_block = false;
                self.emit(Event::End(TagEnd::CodeBlock));
            }
            Event::TaskListMarker(done) => {
                let mark = if done { "[x] " } else { "[ ] " };
                self.emit(Event::Text(CowStr::Borrowed(mark)));
            }
            Event::Start(Tag::MetadataBlock(_)) | Event::End(TagEnd::MetadataBlock(_)) => {}
            Event::Rule => {
                self.mark_content();
                self.emit(Event::Rule);
            }
            other => self.emit(other),
        }
    }

    fn report_raw_html(&mut self, r: Range<usize>) {
        if !self.raw_html_reported {
            self.raw_html_reported = true;
            self.diag(
                Rule::RawHtml,
                r,
                "raw HTML is shown as text in the feed, never as markup",
            )
            .help = Some("write the link in Markdown: [text](https://…)".into());
        }
    }

    /// The TGIK-style thumbnail embed `<a href="https://www.youtube.com/watch?v=…">`.
    fn harvest_video(&mut self, html: &str) {
        if self.html_video.is_some() {
            return;
        }
        let lower = html.to_ascii_lowercase();
        let Some(i) = lower.find("href=") else { return };
        let rest = &html[i + 5..];
        let Some(q) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            return;
        };
        let Some(end) = rest[1..].find(q) else { return };
        let url = rest[1..1 + end].trim();
        if url.contains("youtube.com/") || url.contains("youtu.be/") {
            if let LinkVerdict::Keep { url, .. } = links::check(url) {
                let url = url.replacen("http://", "https://", 1);
                self.html_video = Some(url);
            }
        }
    }

    fn html_block_done(&mut self, html: String, r: Range<usize>) {
        let visible = strip_comments(&html);
        if visible.trim().is_empty() {
            return;
        }
        self.mark_content();
        self.report_raw_html(r.clone());
        self.harvest_video(&visible);
        let text = self.clean(CowStr::from(visible.trim().to_string()));
        self.emit(Event::Start(Tag::Paragraph));
        self.emit(Event::Text(text));
        self.emit(Event::End(TagEnd::Paragraph));
    }

    /// A link that starts a line at column 1 inside a list item was meant as a new
    /// paragraph or topic, but CommonMark reads it as a lazy continuation.
    fn check_lazy_continuation(&mut self, r: &Range<usize>) {
        if self.list_depth == 0 || self.heading_buf.is_some() {
            return;
        }
        let at_line_start = r.start > 0 && self.text.as_bytes()[r.start - 1] == b'\n';
        let after_break = self.last_soft_break;
        if at_line_start && after_break {
            self.diag(
                Rule::LazyContinuation,
                r.start..r.start + 1,
                "this link starts a line but continues the list item above (lazy continuation)",
            )
            .help = Some(
                "add a blank line before it, or make it a heading, to start a new topic".into(),
            );
        }
    }

    fn start_link(
        &mut self,
        link_type: LinkType,
        dest: CowStr<'t>,
        title: CowStr<'t>,
        id: CowStr<'t>,
        r: Range<usize>,
        image: bool,
    ) {
        let dest_span = self.narrow(&r, &dest);
        let url = self.judge_link(&dest, dest_span);
        let kept = url.is_some();
        let url = url.unwrap_or_default();
        if kept {
            // Most links are kept as written: the event then borrows the file.
            let dest_url = if *dest == *url {
                dest
            } else {
                CowStr::from(url.clone())
            };
            self.emit(Event::Start(Tag::Link {
                link_type: if image { LinkType::Inline } else { link_type },
                dest_url,
                title: self.clean(title),
                id,
            }));
        }
        self.link_stack.push(LinkFrame {
            kept,
            image,
            url,
            text: String::new(),
            span: r,
            emitted_text: false,
        });
    }

    fn end_link(&mut self) {
        let Some(f) = self.link_stack.pop() else {
            return;
        };
        if !f.kept {
            return;
        }
        let mut text = f.text;
        text.truncate(text.trim_end().len());
        text.drain(..text.len() - text.trim_start().len());
        if f.image && !f.emitted_text {
            self.emit(Event::Text(CowStr::Borrowed("image")));
        }
        self.emit(Event::End(TagEnd::Link));
        if text.is_empty() && !f.image {
            self.diag(
                Rule::EmptyLinkText,
                f.span.clone(),
                "this link has no text to click",
            )
            .help = Some("write the link as [what it is](url)".into());
        }
        self.record_link(f.url, text, f.span, false, false);
    }

    fn record_link(
        &mut self,
        url: String,
        text: String,
        span: Range<usize>,
        implicit: bool,
        mention: bool,
    ) {
        if self.header_state == HeaderState::In {
            if let Some(item) = self.header_stack.last_mut() {
                item.links.push((url.clone(), text.clone(), span.clone()));
            }
        }
        if self.pending_bullet && self.heading_buf.is_none() {
            self.pending_bullet = false;
            if self.header_state != HeaderState::In {
                self.topics.push(Topic {
                    title: text.clone(),
                    url: Some(url.clone()),
                    speaker: self.cur_speaker,
                    kind: TopicKind::Bullet,
                    span: span.clone(),
                });
                self.cur_topic = Some(self.topics.len() - 1);
            }
        }
        self.links.push(LinkRef {
            url,
            text,
            span,
            topic: self.cur_topic,
            implicit,
            mention,
        });
    }

    /// The part of `r` where `needle` is written, if it is written verbatim.
    fn narrow(&self, r: &Range<usize>, needle: &str) -> Range<usize> {
        match self.text.get(r.clone()).and_then(|s| {
            if needle.is_empty() {
                None
            } else if s.ends_with(')') && s[..s.len() - 1].ends_with(needle) {
                // `[text](dest)`, the usual form: no search needed.
                Some(s.len() - 1 - needle.len())
            } else {
                memchr::memmem::rfind(s.as_bytes(), needle.as_bytes())
            }
        }) {
            Some(i) => r.start + i..r.start + i + needle.len(),
            None => r.clone(),
        }
    }

    /// Applies the link policy; returns the URL to emit, or None (text kept).
    fn judge_link(&mut self, dest: &str, r: Range<usize>) -> Option<String> {
        match links::check(dest) {
            LinkVerdict::Keep { url, removed, http } => {
                if !removed.is_empty() {
                    self.diag(
                        Rule::TrackingParameter,
                        r.clone(),
                        format!("tracking parameters removed: {}", removed.join(", ")),
                    );
                }
                if http {
                    self.diag(Rule::HttpLink, r, "this link uses http").help = Some(format!(
                        "if the site supports it, use {}",
                        url.replacen("http://", "https://", 1)
                    ));
                }
                Some(url)
            }
            LinkVerdict::Unsafe { scheme } => {
                self.diag(
                    Rule::UnsafeLink,
                    r,
                    format!("`{scheme}` links are not allowed in a feed; the link is removed and its text kept"),
                )
                .help = Some("only http, https and mailto links are published".into());
                None
            }
            LinkVerdict::Relative { suggestion } => {
                let d = self.diag(
                    Rule::RelativeLink,
                    r,
                    format!(
                        "`{}` has no scheme, so it cannot work in a feed; its text is kept",
                        dest.trim()
                    ),
                );
                d.help = Some(match suggestion {
                    Some(s) => format!("did you mean {s}?"),
                    None => "link to the full https:// address".into(),
                });
                None
            }
            LinkVerdict::Invalid { reason } => {
                self.diag(
                    Rule::InvalidLink,
                    r,
                    format!("`{}` is not a valid URL: {reason}", dest.trim()),
                );
                None
            }
        }
    }

    /// Splits plain text into text, bare-URL links and @mention links.
    fn text_with_autolinks(&mut self, t: CowStr<'t>, r: Range<usize>) {
        let s: &str = &t;
        let show = self.show;
        // Bare URLs, then @mentions of known people outside them, each with the
        // link it becomes (None: the URL itself, after the link policy).
        let mut pieces: Vec<(Range<usize>, Option<&str>)> = links::find_bare_urls(s)
            .into_iter()
            .map(|u| (u, None))
            .collect();
        let urls = pieces.len();
        for (mr, h) in links::find_mentions(s) {
            let in_url = pieces[..urls]
                .iter()
                .any(|(u, _)| u.start <= mr.start && mr.start < u.end);
            if let Some(href) = show.people.get(h).and_then(|p| p.href.as_deref()) {
                if !in_url {
                    pieces.push((mr, Some(href)));
                }
            }
        }
        if pieces.is_empty() {
            self.emit(Event::Text(t));
            return;
        }
        // Source offset of the text, when the event maps 1:1 onto the file.
        let mapped = self.text.get(r.clone()) == Some(s);
        let at = |off: usize, len: usize| -> Range<usize> {
            if mapped {
                r.start + off..r.start + off + len
            } else {
                r.clone()
            }
        };
        // Pieces of the text borrow the file when the text does.
        let part = |a: usize, b: usize| -> CowStr<'t> {
            match &t {
                CowStr::Borrowed(whole) => CowStr::Borrowed(&whole[a..b]),
                _ => CowStr::from(s[a..b].to_string()),
            }
        };
        pieces.sort_by_key(|(p, _)| p.start);
        let mut pos = 0;
        for (piece, mention_href) in pieces {
            if piece.start < pos {
                continue;
            }
            if piece.start > pos {
                self.emit(Event::Text(part(pos, piece.start)));
            }
            let label = &s[piece.clone()];
            let span = at(piece.start, piece.len());
            let is_mention = mention_href.is_some();
            let target = match mention_href {
                Some(h) => Some(h.to_string()),
                None => {
                    self.check_lazy_continuation(&span);
                    self.judge_link(label, span.clone())
                }
            };
            match target {
                Some(url) => {
                    self.emit(Event::Start(Tag::Link {
                        link_type: LinkType::Autolink,
                        dest_url: CowStr::from(url.clone()),
                        title: CowStr::Borrowed(""),
                        id: CowStr::Borrowed(""),
                    }));
                    self.emit(Event::Text(part(piece.start, piece.end)));
                    self.emit(Event::End(TagEnd::Link));
                    self.record_link(url, label.to_string(), span, true, is_mention);
                }
                None => self.emit(Event::Text(part(piece.start, piece.end))),
            }
            pos = piece.end;
        }
        if pos < s.len() {
            self.emit(Event::Text(part(pos, s.len())));
        }
    }

    fn bullet_without_link(&mut self, t: &str) {
        // A bullet whose text starts with a bare URL is a link topic (handled by
        // record_link); any other leading text means it is a plain note.
        let lead = t.trim_start();
        if !(lead.starts_with("http://") || lead.starts_with("https://")) {
            self.pending_bullet = false;
        }
    }

    fn capture_header(&mut self, t: &str, in_link: bool) {
        if self.header_state != HeaderState::In {
            return;
        }
        if let Some(item) = self.header_stack.last_mut() {
            item.text.push_str(t);
            if !in_link {
                item.plain.push_str(t);
            } else {
                item.plain.push(' ');
            }
        }
    }

    // ----- headings -----

    fn heading_done(
        &mut self,
        level: HeadingLevel,
        r: Range<usize>,
        buf: Vec<(Event<'t>, Range<usize>)>,
    ) {
        // Speaker names and titles come from here: no character a feed cannot hold.
        let plain = plain_text(&buf);
        let first_link = buf.iter().find_map(|(e, lr)| match e {
            Event::Start(Tag::Link { dest_url, .. }) => Some((dest_url.to_string(), lr.clone())),
            _ => None,
        });
        let lvl = level as u8;
        if self.heading.is_none() && level == HeadingLevel::H1 {
            if let Some((_, hr)) = buf.iter().find(|(e, _)| matches!(e, Event::InlineHtml(_))) {
                self.report_raw_html(hr.clone());
            }
            let (number, bad_number, title) = split_heading(&plain);
            self.heading = Some(EpisodeHeading {
                number,
                bad_number,
                title: title.map(|t| crate::source::strip_unsafe_chars(&t).into_owned()),
                span: r,
            });
            self.section_seen = false;
            return;
        }
        self.section_seen = true;
        self.pending_bullet = false;
        let title = plain.trim().trim_end_matches(':');
        let is_contents = title.eq_ignore_ascii_case("contents") || title == "目次";
        if is_contents && lvl <= 2 {
            self.end_speaker();
            self.contents_level = Some(lvl);
            self.cur_topic = None;
            self.topic_from_heading = false;
            self.emit_heading(level, buf);
            return;
        }
        if let Some(cl) = self.contents_level {
            if lvl <= cl {
                self.end_speaker();
                self.contents_level = None;
                self.speaker_level = None;
            }
        }
        let speaker_level = self.speaker_level.unwrap_or(3);
        let starts_with_at = plain.trim_start().starts_with('@');
        // The first link's text: a speaker's name, or a topic's title.
        let mut first_text = first_link.as_ref().map(|_| link_text(&buf));
        let link_is_person = first_link.as_ref().is_some_and(|(url, _)| {
            let text = first_text.as_deref().unwrap_or_default().trim();
            text.starts_with('@')
                || self
                    .show
                    .people
                    .values()
                    .any(|p| p.href.as_deref() == Some(url.as_str()) || p.name == text)
        });
        let speaker_like = self.contents_level.is_some()
            && self.contents_level.is_some_and(|cl| lvl > cl)
            && (starts_with_at || (link_is_person && lvl <= speaker_level));
        if speaker_like {
            self.start_speaker(lvl, &plain, &buf, first_link.map(|(u, _)| u), r.clone());
            self.emit_heading(level, buf);
            return;
        }
        let below_speaker = self.cur_speaker.is_some() && lvl >= speaker_level;
        if first_link.is_some() || (below_speaker && lvl > speaker_level) {
            let title = match first_text.take() {
                Some(text) => text,
                None => plain.clone(),
            };
            let span = first_link
                .as_ref()
                .map(|(_, lr)| lr.clone())
                .unwrap_or(r.clone());
            self.topics.push(Topic {
                title: title.trim().to_string(),
                url: None,
                speaker: self.cur_speaker,
                kind: TopicKind::Heading,
                span: span.clone(),
            });
            let topic = self.topics.len() - 1;
            self.cur_topic = Some(topic);
            self.topic_from_heading = true;
            // The link policy judges the heading's link once, while it is emitted;
            // the topic takes the URL that was kept (none if it was dropped).
            let recorded = self.links.len();
            self.mark_content();
            self.emit_heading(level, buf);
            self.topics[topic].url = self.links[recorded..]
                .iter()
                .find(|l| {
                    !l.mention
                        && l.span.start >= span.start
                        && l.span.start < span.end.max(span.start + 1)
                })
                .map(|l| l.url.clone());
            return;
        } else {
            // A plain section heading (## Links, ### Show notes): a new context.
            if self.cur_speaker.is_some() && lvl <= speaker_level {
                self.end_speaker();
            }
            self.cur_topic = None;
            self.topic_from_heading = false;
        }
        self.mark_content();
        self.emit_heading(level, buf);
    }

    fn emit_heading(&mut self, level: HeadingLevel, buf: Vec<(Event<'t>, Range<usize>)>) {
        self.emit(Event::Start(Tag::Heading {
            level,
            id: None,
            classes: vec![],
            attrs: vec![],
        }));
        // Heading links are recorded, but must not become bullet topics.
        let saved = self.pending_bullet;
        self.pending_bullet = false;
        self.emitting_heading = true;
        for (e, r) in buf {
            self.inline(e, r);
        }
        self.emitting_heading = false;
        self.pending_bullet = saved;
        self.emit(Event::End(TagEnd::Heading(level)));
    }

    fn start_speaker(
        &mut self,
        lvl: u8,
        plain: &str,
        buf: &[(Event<'t>, Range<usize>)],
        link: Option<String>,
        r: Range<usize>,
    ) {
        self.end_speaker();
        self.speaker_level = Some(lvl);
        // The credit's href is published (podcast:person, Atom contributor): only
        // a link the policy keeps, never `### @x<javascript:…>`.
        let href = link.as_deref().and_then(|u| match links::check(u) {
            LinkVerdict::Keep { url, .. } => Some(url),
            _ => None,
        });
        let trimmed = plain.trim();
        let (who, note) = if link.is_some() {
            let lt = link_text(buf);
            let rest = trimmed.replacen(lt.trim(), "", 1);
            (lt.trim().to_string(), rest.trim().to_string())
        } else {
            let end = trimmed
                .find(|c: char| c.is_whitespace() || c == '(' || c == '（')
                .unwrap_or(trimmed.len());
            (
                trimmed[..end].to_string(),
                trimmed[end..].trim().to_string(),
            )
        };
        let credit = match who.strip_prefix('@') {
            Some(h) => Credit {
                handle: Some(h.trim().to_string()),
                name: None,
                href: href.clone(),
                span: r.clone(),
            },
            None => {
                let handle = self
                    .show
                    .people
                    .values()
                    .find(|p| p.name == who || (link.is_some() && p.href == link))
                    .map(|p| p.handle.clone());
                Credit {
                    handle,
                    name: Some(who.clone()),
                    href: href.clone(),
                    span: r.clone(),
                }
            }
        };
        let lower = note.to_lowercase();
        let absent = lower.contains("欠席") || lower.contains("absent");
        self.speakers.push(SpeakerSection {
            credit,
            note: (!note.is_empty()).then_some(note),
            absent,
            span: r,
            has_content: false,
        });
        self.cur_speaker = Some(self.speakers.len() - 1);
        self.cur_topic = None;
        self.topic_from_heading = false;
    }

    fn end_speaker(&mut self) {
        if let Some(i) = self.cur_speaker.take() {
            let s = &self.speakers[i];
            if !s.has_content && !s.absent {
                let who = s
                    .credit
                    .handle
                    .as_ref()
                    .map(|h| format!("@{h}"))
                    .or_else(|| s.credit.name.clone())
                    .unwrap_or_default();
                let span = s.span.clone();
                self.diag(
                    Rule::EmptySection,
                    span,
                    format!("the section for {who} is empty"),
                )
                .help = Some(
                    "add their topics, or mark the speaker absent, e.g. `### @handle (absent)`"
                        .into(),
                );
            }
        }
        self.cur_topic = None;
        self.topic_from_heading = false;
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

    /// One warning per repeated URL, at its second use, with the count: a line
    /// that pastes the same link a thousand times gives one warning, not 999.
    fn report_duplicate_links(&mut self) {
        struct Uses {
            first: Range<usize>,
            second: Option<Range<usize>>,
            count: usize,
        }
        // Fx rather than SipHash: the keys are one file's URLs (its size is
        // capped), so flooding is no concern, and SipHash showed in profiles.
        let mut seen: FxHashMap<&str, Uses> =
            FxHashMap::with_capacity_and_hasher(self.links.len(), Default::default());
        let mut order = Vec::new();
        for l in self.links.iter().filter(|l| !l.mention) {
            let u = seen.entry(l.url.as_str()).or_insert(Uses {
                first: l.span.clone(),
                second: None,
                count: 0,
            });
            u.count += 1;
            if u.second.is_none() && u.count == 2 {
                u.second = Some(l.span.clone());
                order.push(l.url.as_str());
            }
        }
        let dups: Vec<(String, Range<usize>, usize, usize)> = order
            .into_iter()
            .map(|url| {
                let u = &seen[url];
                let line = line_of(self.text, u.first.start);
                (
                    url.to_string(),
                    u.second.clone().unwrap_or_default(),
                    line,
                    u.count,
                )
            })
            .collect();
        for (url, span, line, uses) in dups {
            let times = if uses > 2 {
                format!(" ({uses} times in all)")
            } else {
                String::new()
            };
            self.diag(
                Rule::DuplicateLink,
                span,
                format!("{url} is already linked on line {line}{times}"),
            );
        }
    }

    // ----- header list -----

    fn interpret_header(&mut self) {
        let mut items = std::mem::take(&mut self.header_items);
        items.sort_by_key(|i| i.start);
        for item in items {
            self.header_item(item);
        }
    }

    fn header_item(&mut self, item: HeaderItem) {
        let text = item.text.trim();
        let lower = text.to_lowercase();
        let colon = text.find([':', '：']);
        let key_of = |s: &str| s.trim().to_lowercase();
        if lower.starts_with("hosted by") {
            self.header.has_host_line = true;
            let credits = credits_in(&item, self.text);
            self.header.hosts.extend(credits);
            return;
        }
        let (key, value) = match colon {
            Some(i) => {
                let sep = text[i..].chars().next().map(char::len_utf8).unwrap_or(1);
                (key_of(&text[..i]), text[i + sep..].trim())
            }
            None if lower == "recording date" || lower == "date" => ("recording".to_string(), ""),
            None if lower.starts_with("recording ") => ("recording".to_string(), text[10..].trim()),
            None if looks_like_date(text) => ("date".to_string(), text),
            None => return,
        };
        let span = self.locate(item.start, value);
        match key.as_str() {
            "host" | "hosts" | "hosted by" => {
                self.header.has_host_line = true;
                let credits = credits_in(&item, self.text);
                self.header.hosts.extend(credits);
            }
            "guest" | "guests" | "ゲスト" => {
                let credits = credits_in(&item, self.text);
                self.header.guests.extend(credits);
            }
            "recording date" | "recording" | "date" | "recorded" | "収録日"
                if self.header.recording_date.is_none() =>
            {
                self.header.recording_date = Some(Located {
                    value: parse_date(value),
                    span,
                });
            }
            "video" | "youtube" | "動画" => {
                let url = item.links.first().map(|(u, _, _)| u.clone()).or_else(|| {
                    links::find_bare_urls(value).first().and_then(|r| {
                        match links::check(&value[r.clone()]) {
                            LinkVerdict::Keep { url, .. } => Some(url),
                            _ => None,
                        }
                    })
                });
                if url.is_none() && !value.is_empty() {
                    self.header.video_rejected = true;
                    match links::check(value) {
                        LinkVerdict::Unsafe { scheme } => {
                            self.diag(
                                Rule::UnsafeLink,
                                span.clone(),
                                format!("the Video line's `{scheme}` link is not allowed in a feed; it is not published"),
                            )
                            .help = Some("give the video's https:// URL".into());
                        }
                        _ => {
                            self.diag(
                                Rule::InvalidLink,
                                span.clone(),
                                format!(
                                    "the Video line holds `{value}`, which is not an http(s) link"
                                ),
                            )
                            .help = Some("give the video's https:// URL".into());
                        }
                    }
                }
                let key_span =
                    self.locate(item.start, text.split([':', '：']).next().unwrap_or(text));
                self.header.video = Some(Located {
                    value: url,
                    span: if value.is_empty() { key_span } else { span },
                });
            }
            _ => {}
        }
    }

    /// Finds `needle` on the item's first line in the source; falls back to the item.
    fn locate(&self, item_start: usize, needle: &str) -> Range<usize> {
        let line_end = self.text[item_start..]
            .find('\n')
            .map(|e| item_start + e)
            .unwrap_or(self.text.len());
        let line = &self.text[item_start..line_end];
        if needle.is_empty() {
            // Point just past the key's colon, where the value should be.
            let at = line
                .rfind([':', '：'])
                .map(|i| item_start + i)
                .unwrap_or(item_start);
            let len = self.text[at..]
                .chars()
                .next()
                .map(char::len_utf8)
                .unwrap_or(0);
            return at..at + len;
        }
        match line.find(needle) {
            Some(i) => item_start + i..item_start + i + needle.len(),
            None => {
                // Skip the list marker.
                let skip = line.len() - line.trim_start_matches([' ', '-', '*', '+']).len();
                item_start + skip..line_end
            }
        }
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset].matches('\n').count() + 1
}

/// Hosts or guests named in one header item: `@handle`, `[@handle](url)`, `[Name](url)`.
fn credits_in(item: &HeaderItem, text: &str) -> Vec<Credit> {
    let mut out = Vec::new();
    for (url, text, span) in &item.links {
        let t = text.trim();
        if let Some(h) = t.strip_prefix('@') {
            out.push(Credit {
                handle: Some(h.to_string()),
                name: None,
                href: Some(url.clone()),
                span: span.clone(),
            });
        } else if !t.is_empty() {
            out.push(Credit {
                handle: None,
                name: Some(t.to_string()),
                href: Some(url.clone()),
                span: span.clone(),
            });
        }
    }
    let line_end = text[item.start..]
        .find('\n')
        .map(|e| item.start + e)
        .unwrap_or(text.len());
    let line = &text[item.start..line_end];
    for (_, h) in links::find_mentions(&item.plain) {
        if out.iter().any(|c| c.handle.as_deref() == Some(h)) {
            continue;
        }
        let at = line
            .find(&format!("@{h}"))
            .map(|i| item.start + i..item.start + i + 1 + h.len())
            .unwrap_or(item.start..item.start + 1);
        out.push(Credit {
            handle: Some(h.to_string()),
            name: None,
            href: None,
            span: at,
        });
    }
    out.sort_by_key(|c| c.span.start);
    out
}

fn looks_like_date(s: &str) -> bool {
    let t = s.trim();
    !t.is_empty()
        && t.chars().next().is_some_and(|c| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '/' || c == '-' || c == '.')
}

/// Reads a date as shows write it: `2021-01-22`, `2021/06/25`, `08/14/2020`,
/// `28/01/2022`, with anything after the first word ignored (`… 5 PM GMT`).
pub fn parse_date(value: &str) -> DateValue {
    let v = value.trim();
    let Some(tok) = v.split_whitespace().next() else {
        return DateValue::Empty;
    };
    let num = |s: &str| -> Option<u32> {
        (!s.is_empty() && s.len() <= 4 && s.chars().all(|c| c.is_ascii_digit()))
            .then(|| s.parse().ok())?
    };
    let complete =
        |y: u32, m: u32, d: u32, ambiguous: bool| match NaiveDate::from_ymd_opt(y as i32, m, d) {
            Some(date) => DateValue::Complete { date, ambiguous },
            None => DateValue::Invalid(tok.to_string()),
        };
    if tok.contains('-') {
        let parts: Vec<&str> = tok.split('-').collect();
        if parts.len() > 3 || parts[0].len() != 4 || num(parts[0]).is_none() {
            return DateValue::Invalid(tok.to_string());
        }
        let filled: Vec<Option<u32>> = parts.iter().map(|p| num(p)).collect();
        return match (parts.len(), filled.as_slice()) {
            (3, [Some(y), Some(m), Some(d)]) => complete(*y, *m, *d, false),
            _ if parts
                .iter()
                .skip(1)
                .all(|p| p.is_empty() || num(p).is_some()) =>
            {
                DateValue::Partial(tok.to_string())
            }
            _ => DateValue::Invalid(tok.to_string()),
        };
    }
    if tok.contains('/') {
        let parts: Vec<Option<u32>> = tok.split('/').map(num).collect();
        let [Some(a), Some(b), Some(c)] = parts.as_slice() else {
            return DateValue::Invalid(tok.to_string());
        };
        let (a, b, c) = (*a, *b, *c);
        if tok.split('/').next().is_some_and(|s| s.len() == 4) {
            return complete(a, b, c, false);
        }
        let y = if c < 100 { 2000 + c } else { c };
        return if a > 12 {
            complete(y, b, a, false)
        } else if b > 12 {
            complete(y, a, b, false)
        } else {
            complete(y, a, b, a != b)
        };
    }
    DateValue::Invalid(tok.to_string())
}

/// `# 006: Title`, `# Episode 050 : Weave (CNI)`, `# TGIK Episode #39`, `# Title`.
/// Returns (number, number-as-written-if-invalid, title).
pub fn split_heading(text: &str) -> (Option<u32>, Option<String>, Option<String>) {
    let t = text.trim();
    let (left, right) = match t.find([':', '：']) {
        Some(i) => {
            let sep = t[i..].chars().next().map(char::len_utf8).unwrap_or(1);
            (&t[..i], Some(t[i + sep..].trim()))
        }
        None => (t, None),
    };
    match number_of(left) {
        Some(digits) => {
            let title = right.filter(|r| !r.is_empty()).map(str::to_string);
            match digits.parse::<u32>() {
                Ok(n) if n > 0 => (Some(n), None, title),
                _ => (None, Some(digits.to_string()), title),
            }
        }
        None => (None, None, Some(t.to_string()).filter(|s| !s.is_empty())),
    }
}

fn number_of(s: &str) -> Option<&str> {
    let s = s.trim();
    let head = s.trim_end_matches(|c: char| c.is_ascii_digit());
    if head.len() == s.len() {
        return None;
    }
    let digits = &s[head.len()..];
    let before = head.trim_end();
    let hash = before.ends_with('#');
    let before = before.trim_end_matches('#').trim_end().to_lowercase();
    let ok = before.is_empty()
        || hash
        || before.ends_with("episode")
        || before.ends_with("ep")
        || before.ends_with("ep.")
        || before.ends_with('第');
    ok.then_some(digits)
}

/// A heading's text. Speaker names and titles come from here: no character a
/// feed cannot hold.
fn plain_text(buf: &[(Event<'_>, Range<usize>)]) -> String {
    let mut s = String::new();
    for (e, _) in buf {
        match e {
            // Raw HTML is shown as text (SPEC 3.3), in titles too.
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    without_unsafe_chars(s)
}

/// `s` with [`crate::source::strip_unsafe_chars`] applied, copied only when
/// something is removed.
fn without_unsafe_chars(s: String) -> String {
    match crate::source::strip_unsafe_chars(&s) {
        std::borrow::Cow::Borrowed(_) => s,
        std::borrow::Cow::Owned(o) => o,
    }
}

fn link_text(buf: &[(Event<'_>, Range<usize>)]) -> String {
    let mut s = String::new();
    let mut depth = 0;
    let mut done = false;
    for (e, _) in buf {
        match e {
            Event::Start(Tag::Link { .. }) if !done => depth += 1,
            Event::End(TagEnd::Link) if depth > 0 => {
                depth -= 1;
                done = true;
            }
            Event::Text(t) | Event::Code(t) if depth > 0 => s.push_str(t),
            _ => {}
        }
    }
    // Speaker names and topic titles: no character a feed cannot hold.
    without_unsafe_chars(s)
}

fn strip_comments(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        match rest[i + 4..].find("-->") {
            Some(e) => rest = &rest[i + 4 + e + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_recording_date_is_read_off_the_header_lines() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day);
        let scan = scan_recording_date;
        let seed = "# 006\n\n- Hosted by @bells17\n- Recording date: 2021-01-22\n- Video: \n\n## Contents\n";
        assert_eq!(scan(seed), d(2021, 1, 22));
        assert_eq!(scan("\n\n# 7\n* 収録日：2021/02/05\n"), d(2021, 2, 5));
        assert_eq!(scan("# 7\n- Date: 2021-02-05 5 PM GMT\n"), d(2021, 2, 5));
        // The first date-like key wins, as in the parser.
        assert_eq!(
            scan("# 7\n- Recorded: 2021-03-01\n- Recording date: 2021-04-01\n"),
            d(2021, 3, 1)
        );
        // Not told from the lines: a partial or invalid date, no colon, a
        // nested or later bullet, no episode heading first.
        assert_eq!(scan("# 006\n- Recording date: 2021-01-\n"), None);
        assert_eq!(scan("# 006\n- Recording date: 2021-02-30\n"), None);
        assert_eq!(scan("# 006\n- Recording date:\n"), None);
        assert_eq!(scan("# 006\n- Recording 2021-01-22\n"), None);
        assert_eq!(scan("# 006\n  - Recording date: 2021-01-22\n"), None);
        assert_eq!(
            scan("# 006\n## Contents\n- Recording date: 2021-01-22\n"),
            None
        );
        assert_eq!(scan("- Recording date: 2021-01-22\n"), None);
        assert_eq!(scan("#006\n- Recording date: 2021-01-22\n"), None);
        assert_eq!(
            scan("# 006\n```\n- Recording date: 2021-01-22\n```\n"),
            None
        );
        assert_eq!(
            scan("# 006\n- Hosted by @a\n\n- Recording date: 2021-01-22\n"),
            None
        );
        assert_eq!(scan("# 006\nText\n- Recording date: 2021-01-22\n"), None);
        assert_eq!(
            scan("# 006\n- Hosted by @a\n  - note\n- Recording date: 2021-01-22\n"),
            d(2021, 1, 22)
        );
        assert_eq!(scan(""), None);
    }

    #[test]
    fn headings() {
        assert_eq!(split_heading("006"), (Some(6), None, None));
        assert_eq!(
            split_heading("006: Title"),
            (Some(6), None, Some("Title".into()))
        );
        assert_eq!(
            split_heading("Episode 050 : Weave (CNI)"),
            (Some(50), None, Some("Weave (CNI)".into()))
        );
        assert_eq!(split_heading("TGIK Episode #39"), (Some(39), None, None));
        assert_eq!(
            split_heading("Episode069 : x"),
            (Some(69), None, Some("x".into()))
        );
        assert_eq!(
            split_heading("Networking and Services"),
            (None, None, Some("Networking and Services".into()))
        );
        assert_eq!(
            split_heading("Kubernetes 1.20: what's new"),
            (None, None, Some("Kubernetes 1.20: what's new".into()))
        );
        assert_eq!(split_heading("Episode 67 :"), (Some(67), None, None));
        assert_eq!(split_heading("000"), (None, Some("000".into()), None));
    }

    #[test]
    fn dates() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(
            parse_date("2021-01-22"),
            DateValue::Complete {
                date: d(2021, 1, 22),
                ambiguous: false
            }
        );
        assert_eq!(
            parse_date("2021-01-"),
            DateValue::Partial("2021-01-".into())
        );
        assert_eq!(
            parse_date("2021-02-30"),
            DateValue::Invalid("2021-02-30".into())
        );
        assert_eq!(
            parse_date("2021-11-19 5 PM GMT / 9 AM PST"),
            DateValue::Complete {
                date: d(2021, 11, 19),
                ambiguous: false
            }
        );
        assert_eq!(
            parse_date("28/01/2022"),
            DateValue::Complete {
                date: d(2022, 1, 28),
                ambiguous: false
            }
        );
        assert_eq!(
            parse_date("08/21/2020"),
            DateValue::Complete {
                date: d(2020, 8, 21),
                ambiguous: false
            }
        );
        assert_eq!(
            parse_date("9/10/2021"),
            DateValue::Complete {
                date: d(2021, 9, 10),
                ambiguous: true
            }
        );
        assert_eq!(
            parse_date("2021/06/25"),
            DateValue::Complete {
                date: d(2021, 6, 25),
                ambiguous: false
            }
        );
        assert_eq!(parse_date(""), DateValue::Empty);
        assert_eq!(parse_date("soon"), DateValue::Invalid("soon".into()));
    }

    #[test]
    fn slugs() {
        assert_eq!(number_from_slug("006"), Some(6));
        assert_eq!(number_from_slug("episode_template"), None);
        assert_eq!(number_from_slug("000"), None);
    }
}
