//! Show-notes HTML, rendered from the sanitized event list (never from Markdown).
//!
//! - [`render_full`]: headings, lists, links, code, emphasis — for `content:encoded`
//!   and Atom/JSON content.
//! - [`render_apple`]: only `p ol ul li a`, at most [`APPLE_LIMIT`] bytes, cut
//!   between elements, with a link to the full notes when it does not fit.
//!
//! The events were already filtered by the parser (raw HTML became text, unsafe
//! links were dropped), so escaping here is the last line, not the only one.

use pulldown_cmark::{Event, Tag, TagEnd};
use unicode_segmentation::UnicodeSegmentation;

/// Apple's limit for `description`, in bytes.
pub const APPLE_LIMIT: usize = 4000;

/// Copies `s` to `out`, replacing the ASCII bytes `replace` maps to an entity.
/// A byte loop into room reserved for the worst case (6 bytes per byte), for
/// attributes (URLs: short, and their `&` and `'` come often).
fn escape_with(s: &str, out: &mut String, replace: impl Fn(u8) -> Option<&'static str>) {
    let b = s.as_bytes();
    // SAFETY: the bytes written are those of `s` (valid UTF-8, copied whole) and
    // ASCII entities replacing ASCII bytes, so `out` stays valid UTF-8; at most
    // 6 bytes are written per input byte, into reserved room, all before
    // `set_len`.
    unsafe {
        let v = out.as_mut_vec();
        v.reserve(b.len() * 6);
        let len = v.len();
        let start = v.as_mut_ptr().add(len);
        let mut p = start;
        for &c in b {
            match replace(c) {
                Some(e) => {
                    std::ptr::copy_nonoverlapping(e.as_ptr(), p, e.len());
                    p = p.add(e.len());
                }
                None => {
                    *p = c;
                    p = p.add(1);
                }
            }
        }
        v.set_len(len + p.offset_from(start) as usize);
    }
}

/// Whether `b` holds `&`, `<` or `>`: 16 bytes at a time (SSE2), the last
/// few through a zero-padded copy. Most notes texts are a few words and hold
/// none, and this costs less than setting up a search for them.
fn has_text_special(b: &[u8]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::*;
        let special = |p: *const u8| {
            // SAFETY: SSE2 is part of the x86_64 baseline; the caller passes
            // 16 readable bytes.
            unsafe {
                let v = _mm_loadu_si128(p as *const __m128i);
                let hit = _mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'&' as i8)),
                    _mm_or_si128(
                        _mm_cmpeq_epi8(v, _mm_set1_epi8(b'<' as i8)),
                        _mm_cmpeq_epi8(v, _mm_set1_epi8(b'>' as i8)),
                    ),
                );
                _mm_movemask_epi8(hit) != 0
            }
        };
        let mut chunks = b.chunks_exact(16);
        for c in &mut chunks {
            if special(c.as_ptr()) {
                return true;
            }
        }
        let rest = chunks.remainder();
        let mut pad = [0u8; 16];
        pad[..rest.len()].copy_from_slice(rest);
        special(pad.as_ptr())
    }
    #[cfg(not(target_arch = "x86_64"))]
    b.iter().any(|&c| matches!(c, b'&' | b'<' | b'>'))
}

/// Text escaping: notes text rarely holds `&`, `<` or `>`, so the runs
/// between them (found with one SIMD scan) are copied whole.
pub fn escape_text(s: &str, out: &mut String) {
    let b = s.as_bytes();
    if !has_text_special(b) {
        out.push_str(s);
        return;
    }
    out.reserve(b.len());
    let mut start = 0;
    for i in memchr::memchr3_iter(b'&', b'<', b'>', b) {
        out.push_str(&s[start..i]);
        out.push_str(match b[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            _ => "&gt;",
        });
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

/// Attribute escaping: hrefs rarely hold any of `& < > " '`, and are then
/// copied whole.
pub fn escape_attr(s: &str, out: &mut String) {
    let b = s.as_bytes();
    // Two SIMD searches cost less than a byte loop over a URL.
    if memchr::memchr3(b'&', b'"', b'\'', b).is_none() && memchr::memchr2(b'<', b'>', b).is_none() {
        out.push_str(s);
        return;
    }
    escape_with(s, out, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#39;"),
        _ => None,
    })
}

/// The full rendering: byte for byte what pulldown-cmark's HTML writer writes
/// for these events ([`render_full_with_crate`], compared in debug builds), but
/// written straight from the borrowed events, with SIMD text escaping and URLs
/// copied whole when they need no escaping. Events the notes never hold
/// (footnotes, math, images, heading attributes) go to the crate's writer.
pub fn render_full(events: &[Event<'_>]) -> String {
    debug_assert!(!events
        .iter()
        .any(|e| matches!(e, Event::Html(_) | Event::InlineHtml(_))));
    thread_local! {
        /// Each thread's rendering buffer. The item keeps an exact-size copy:
        /// room reserved for the worst case would stay with every one of 10,000
        /// items (30 MB of memory touched at 10k, a page fault per 4 KB).
        static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    let out = SCRATCH.with_borrow_mut(|scratch| {
        scratch.clear();
        if FullWriter::new(scratch).write_all(events) {
            String::from(scratch.trim_end())
        } else {
            render_full_with_crate(events)
        }
    });
    debug_assert_eq!(out, render_full_with_crate(events));
    out
}

/// The full rendering by pulldown-cmark's own writer. The event list holds no
/// `Html` events (the parser turned them into text).
pub fn render_full_with_crate(events: &[Event<'_>]) -> String {
    let mut out = String::with_capacity(events.len() * 24);
    pulldown_cmark::html::push_html(&mut out, events.iter().map(borrowed));
    out.truncate(out.trim_end().len());
    out
}

/// pulldown-cmark's `HtmlWriter` for the events the notes hold: the same
/// strings, the same newline rule (a block starts on a new line unless the
/// output already ends with one).
struct FullWriter<'o, 'e> {
    out: &'o mut String,
    end_newline: bool,
    alignments: &'e [pulldown_cmark::Alignment],
    in_head: bool,
    cell: usize,
}

impl<'o, 'e> FullWriter<'o, 'e> {
    fn new(out: &'o mut String) -> Self {
        FullWriter {
            out,
            end_newline: true,
            alignments: &[],
            in_head: false,
            cell: 0,
        }
    }

    /// Writes a tag that ends without a newline.
    fn inline(&mut self, s: &str) {
        self.out.push_str(s);
        self.end_newline = false;
    }

    /// Writes a block's start tag on a new line; `s` ends with a newline or not.
    fn block(&mut self, s: &str) {
        if !self.end_newline {
            self.out.push('\n');
        }
        self.out.push_str(s);
        self.end_newline = s.ends_with('\n');
    }

    /// Writes an end tag that ends the line.
    fn line(&mut self, s: &str) {
        self.out.push_str(s);
        self.end_newline = true;
    }

    /// False when an event needs the crate's writer (see [`render_full`]).
    fn write_all(&mut self, events: &'e [Event<'_>]) -> bool {
        for e in events {
            let ok = match e {
                Event::Start(t) => self.start(t),
                Event::End(t) => {
                    self.end(*t);
                    true
                }
                Event::Text(t) => {
                    escape_text(t, self.out);
                    self.end_newline = t.ends_with('\n');
                    true
                }
                Event::Code(t) => {
                    self.out.push_str("<code>");
                    escape_text(t, self.out);
                    self.inline("</code>");
                    true
                }
                Event::Html(h) | Event::InlineHtml(h) => {
                    self.out.push_str(h);
                    if !h.is_empty() {
                        self.end_newline = h.ends_with('\n');
                    }
                    true
                }
                Event::SoftBreak => {
                    self.line("\n");
                    true
                }
                Event::HardBreak => {
                    self.line("<br />\n");
                    true
                }
                Event::Rule => {
                    self.block("<hr />\n");
                    true
                }
                Event::TaskListMarker(true) => {
                    self.line("<input disabled=\"\" type=\"checkbox\" checked=\"\"/>\n");
                    true
                }
                Event::TaskListMarker(false) => {
                    self.line("<input disabled=\"\" type=\"checkbox\"/>\n");
                    true
                }
                Event::FootnoteReference(_) | Event::InlineMath(_) | Event::DisplayMath(_) => false,
            };
            if !ok {
                return false;
            }
        }
        true
    }

    fn start(&mut self, t: &'e Tag<'_>) -> bool {
        use pulldown_cmark::{Alignment, BlockQuoteKind, CodeBlockKind, HeadingLevel, LinkType};
        match t {
            Tag::Paragraph => self.block("<p>"),
            Tag::Heading {
                level,
                id: None,
                classes,
                attrs,
            } if classes.is_empty() && attrs.is_empty() => self.block(match level {
                HeadingLevel::H1 => "<h1>",
                HeadingLevel::H2 => "<h2>",
                HeadingLevel::H3 => "<h3>",
                HeadingLevel::H4 => "<h4>",
                HeadingLevel::H5 => "<h5>",
                HeadingLevel::H6 => "<h6>",
            }),
            Tag::Table(alignments) => {
                self.alignments = alignments;
                self.inline("<table>");
            }
            Tag::TableHead => {
                self.in_head = true;
                self.cell = 0;
                self.inline("<thead><tr>");
            }
            Tag::TableRow => {
                self.cell = 0;
                self.inline("<tr>");
            }
            Tag::TableCell => {
                self.out.push_str(if self.in_head { "<th" } else { "<td" });
                self.inline(match self.alignments.get(self.cell) {
                    Some(Alignment::Left) => " style=\"text-align: left\">",
                    Some(Alignment::Center) => " style=\"text-align: center\">",
                    Some(Alignment::Right) => " style=\"text-align: right\">",
                    _ => ">",
                });
            }
            Tag::BlockQuote(kind) => self.block(match kind {
                None => "<blockquote>\n",
                Some(BlockQuoteKind::Note) => "<blockquote class=\"markdown-alert-note\">\n",
                Some(BlockQuoteKind::Tip) => "<blockquote class=\"markdown-alert-tip\">\n",
                Some(BlockQuoteKind::Important) => {
                    "<blockquote class=\"markdown-alert-important\">\n"
                }
                Some(BlockQuoteKind::Warning) => "<blockquote class=\"markdown-alert-warning\">\n",
                Some(BlockQuoteKind::Caution) => "<blockquote class=\"markdown-alert-caution\">\n",
            }),
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info.split(' ').next().unwrap_or(""),
                    CodeBlockKind::Indented => "",
                };
                if lang.is_empty() {
                    self.block("<pre><code>");
                } else {
                    self.block("<pre><code class=\"language-");
                    escape_attr(lang, self.out);
                    self.inline("\">");
                }
            }
            Tag::List(Some(1)) => self.block("<ol>\n"),
            Tag::List(Some(start)) => {
                self.block("<ol start=\"");
                self.out.push_str(&start.to_string());
                self.line("\">\n");
            }
            Tag::List(None) => self.block("<ul>\n"),
            Tag::Item => self.block("<li>"),
            Tag::Emphasis => self.inline("<em>"),
            Tag::Strong => self.inline("<strong>"),
            Tag::Strikethrough => self.inline("<del>"),
            Tag::Subscript => self.inline("<sub>"),
            Tag::Superscript => self.inline("<sup>"),
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            } => {
                self.out.push_str(if *link_type == LinkType::Email {
                    "<a href=\"mailto:"
                } else {
                    "<a href=\""
                });
                escape_href(dest_url, self.out);
                if !title.is_empty() {
                    self.out.push_str("\" title=\"");
                    escape_attr(title, self.out);
                }
                self.inline("\">");
            }
            Tag::HtmlBlock => {}
            Tag::Heading { .. }
            | Tag::Image { .. }
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => return false,
        }
        true
    }

    fn end(&mut self, t: TagEnd) {
        use pulldown_cmark::HeadingLevel;
        match t {
            TagEnd::Paragraph => self.line("</p>\n"),
            TagEnd::Heading(level) => self.line(match level {
                HeadingLevel::H1 => "</h1>\n",
                HeadingLevel::H2 => "</h2>\n",
                HeadingLevel::H3 => "</h3>\n",
                HeadingLevel::H4 => "</h4>\n",
                HeadingLevel::H5 => "</h5>\n",
                HeadingLevel::H6 => "</h6>\n",
            }),
            TagEnd::Table => self.line("</tbody></table>\n"),
            TagEnd::TableHead => {
                self.in_head = false;
                self.line("</tr></thead><tbody>\n");
            }
            TagEnd::TableRow => self.line("</tr>\n"),
            TagEnd::TableCell => {
                self.inline(if self.in_head { "</th>" } else { "</td>" });
                self.cell += 1;
            }
            TagEnd::BlockQuote(_) => self.line("</blockquote>\n"),
            TagEnd::CodeBlock => self.line("</code></pre>\n"),
            TagEnd::List(true) => self.line("</ol>\n"),
            TagEnd::List(false) => self.line("</ul>\n"),
            TagEnd::Item => self.line("</li>\n"),
            TagEnd::DefinitionList => self.line("</dl>\n"),
            TagEnd::DefinitionListTitle => self.line("</dt>\n"),
            TagEnd::DefinitionListDefinition => self.line("</dd>\n"),
            TagEnd::Emphasis => self.inline("</em>"),
            TagEnd::Strong => self.inline("</strong>"),
            TagEnd::Strikethrough => self.inline("</del>"),
            TagEnd::Subscript => self.inline("</sub>"),
            TagEnd::Superscript => self.inline("</sup>"),
            TagEnd::Link => self.inline("</a>"),
            TagEnd::FootnoteDefinition => self.line("</div>\n"),
            TagEnd::Image | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_) => {}
        }
    }
}

/// The bytes pulldown-cmark's `escape_href` copies as they are (printable ASCII
/// but space, `"`, `&`, `'`, `<`, `>`, `[`, `\\`, `]`, `` ` ``, `{`, `|`, `}`).
const HREF_SAFE: [bool; 128] = {
    let mut t = [false; 128];
    let mut c = 0x21;
    while c < 0x7f {
        t[c] = !matches!(
            c as u8,
            b'"' | b'&' | b'\'' | b'<' | b'>' | b'[' | b'\\' | b']' | b'`' | b'{' | b'|' | b'}'
        );
        c += 1;
    }
    t
};

/// pulldown-cmark's `escape_href`: `&` and `'` as entities, every other byte
/// outside [`HREF_SAFE`] (non-ASCII ones too) percent-encoded. URLs rarely
/// need any of it: they are copied whole then.
fn escape_href(s: &str, out: &mut String) {
    let b = s.as_bytes();
    let safe = |c: u8| c < 0x80 && HREF_SAFE[c as usize];
    let Some(first) = b.iter().position(|&c| !safe(c)) else {
        out.push_str(s);
        return;
    };
    out.push_str(&s[..first]);
    let mut mark = first;
    for (i, &c) in b.iter().enumerate().skip(first) {
        if safe(c) {
            continue;
        }
        // Only ASCII lies between escaped bytes; `i` may be inside a character.
        if mark < i {
            out.push_str(&s[mark..i]);
        }
        match c {
            b'&' => out.push_str("&amp;"),
            b'\'' => out.push_str("&#x27;"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(HEX[(c >> 4) as usize] as char);
                out.push(HEX[(c & 0xF) as usize] as char);
            }
        }
        // Every escaped byte is replaced whole (a UTF-8 sequence byte by byte).
        mark = i + 1;
    }
    out.push_str(&s[mark..]);
}

/// `e` with its strings borrowed: cloning an owned `CowStr` would copy it.
fn borrowed<'a>(e: &'a Event<'_>) -> Event<'a> {
    use pulldown_cmark::CowStr::Borrowed as B;
    match e {
        Event::Text(t) => Event::Text(B(t)),
        Event::Code(t) => Event::Code(B(t)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => Event::Start(Tag::Link {
            link_type: *link_type,
            dest_url: B(dest_url),
            title: B(title),
            id: B(id),
        }),
        other => other.clone(),
    }
}

/// A node of the Apple rendering.
#[derive(Debug)]
enum Node {
    Elem(&'static str, Vec<Node>),
    Link(String, Vec<Node>),
    Text(String),
}

/// Builds the restricted tree: headings and code become paragraphs, emphasis and
/// quotes are unwrapped, tables become one paragraph per row.
fn apple_tree(events: &[Event<'_>]) -> Vec<Node> {
    let mut stack: Vec<Node> = vec![Node::Elem("root", vec![])];
    fn children(n: &mut Node) -> &mut Vec<Node> {
        match n {
            Node::Elem(_, c) | Node::Link(_, c) => c,
            Node::Text(_) => unreachable!("text nodes are never on the stack"),
        }
    }
    fn push_text(stack: &mut [Node], s: &str) {
        let top = stack.last_mut().expect("root");
        let c = children(top);
        if let Some(Node::Text(t)) = c.last_mut() {
            t.push_str(s);
        } else {
            c.push(Node::Text(s.to_string()));
        }
    }
    fn close(stack: &mut Vec<Node>) {
        if stack.len() > 1 {
            let n = stack.pop().expect("len > 1");
            children(stack.last_mut().expect("root")).push(n);
        }
    }
    // Which Starts opened a node (true) or were unwrapped (false).
    let mut opened: Vec<bool> = Vec::new();
    let mut cells = 0;
    for e in events {
        match e {
            Event::Start(t) => {
                let node = match t {
                    Tag::Paragraph
                    | Tag::Heading { .. }
                    | Tag::CodeBlock(_)
                    | Tag::TableRow
                    | Tag::TableHead => {
                        cells = 0;
                        Some(Node::Elem("p", vec![]))
                    }
                    Tag::List(None) => Some(Node::Elem("ul", vec![])),
                    Tag::List(Some(_)) => Some(Node::Elem("ol", vec![])),
                    Tag::Item => Some(Node::Elem("li", vec![])),
                    Tag::Link { dest_url, .. } => Some(Node::Link(dest_url.to_string(), vec![])),
                    Tag::TableCell => {
                        if cells > 0 {
                            push_text(&mut stack, " | ");
                        }
                        cells += 1;
                        None
                    }
                    _ => None,
                };
                opened.push(node.is_some());
                if let Some(n) = node {
                    // A block inside a paragraph-like node (a code block in a
                    // list item is fine; a paragraph inside a paragraph is not).
                    stack.push(n);
                }
            }
            Event::End(t) => {
                if opened.pop().unwrap_or(false) {
                    close(&mut stack);
                }
                if matches!(t, TagEnd::Heading(_)) {
                    // nothing extra: the heading became its own paragraph
                }
            }
            Event::Text(s) | Event::Code(s) => push_text(&mut stack, s),
            Event::SoftBreak | Event::HardBreak => push_text(&mut stack, " "),
            _ => {}
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    match stack.pop() {
        Some(Node::Elem(_, c)) => c,
        _ => vec![],
    }
}

fn write_node(n: &Node, out: &mut String) {
    match n {
        Node::Text(t) => escape_text(t, out),
        Node::Elem(tag, c) => {
            // `p` directly containing a block (`p` in `p`) is flattened by writing
            // the inner paragraph's text only.
            out.push('<');
            out.push_str(tag);
            out.push('>');
            for ch in c {
                match ch {
                    Node::Elem("p", inner) if *tag == "p" => {
                        inner.iter().for_each(|i| write_node(i, out))
                    }
                    _ => write_node(ch, out),
                }
            }
            out.push_str("</");
            out.push_str(tag);
            out.push('>');
        }
        Node::Link(href, c) => {
            out.push_str("<a href=\"");
            escape_attr(href, out);
            out.push_str("\">");
            c.iter().for_each(|i| write_node(i, out));
            out.push_str("</a>");
        }
    }
}

fn node_string(n: &Node) -> String {
    let mut s = String::new();
    write_node(n, &mut s);
    s
}

/// Writes as many whole children as fit in `budget` bytes; lists are entered so
/// a long list is cut between its items. Returns true if everything fit.
fn write_within(nodes: &[Node], budget: usize, out: &mut String) -> bool {
    for n in nodes {
        let s = node_string(n);
        if out.len() + s.len() <= budget {
            out.push_str(&s);
            continue;
        }
        if let Node::Elem(tag @ ("ul" | "ol" | "li"), c) = n {
            let open = format!("<{tag}>");
            let close = format!("</{tag}>");
            if out.len() + open.len() + close.len() < budget {
                let mark = out.len();
                out.push_str(&open);
                let before = out.len();
                write_within(c, budget - close.len(), out);
                if out.len() > before {
                    out.push_str(&close);
                } else {
                    out.truncate(mark);
                }
            }
        }
        return false;
    }
    true
}

/// Result of the Apple rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppleHtml {
    pub html: String,
    /// The notes did not fit and were cut.
    pub truncated: bool,
}

/// The Apple rendering, cut to `limit` bytes. `full_link` is where the full notes
/// are (the episode page, else the show page).
///
/// One pass over the events writes the HTML and remembers the last place it
/// could be cut within the budget (see `AppleWriter`); debug builds compare the
/// result with the tree-based reference, [`render_apple_tree`].
pub fn render_apple(events: &[Event<'_>], full_link: Option<&str>, limit: usize) -> AppleHtml {
    thread_local! {
        /// Each thread's rendering buffer (as for [`render_full`]): the item
        /// keeps an exact-size copy, instead of a buffer reserved for a
        /// rendering over the limit and then shrunk (a reallocation and a copy
        /// per item).
        static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    let trailer = trailer(full_link);
    let mut w = AppleWriter::new(limit.saturating_sub(trailer.len()));
    let scratch = SCRATCH.with_borrow_mut(std::mem::take);
    w.out = scratch;
    w.out.clear();
    // Room for a rendering a little over the limit: where writing stops.
    w.out.reserve(limit + 1_024);
    for e in events {
        w.event(e);
        // Over the limit the description is cut: past every cut point that
        // fits (a later one would be further still), so the rest can only be
        // thrown away.
        if w.out.len() > limit {
            break;
        }
    }
    let mut html = w.finish();
    let result = if html.len() <= limit {
        AppleHtml {
            html: String::from(html.as_str()),
            truncated: false,
        }
    } else if let Some((pos, closers)) = w.best() {
        html.truncate(pos);
        html.push_str(&closers);
        html.push_str(&trailer);
        AppleHtml {
            html: String::from(html.as_str()),
            truncated: true,
        }
    } else {
        // Even the first block is too big: cut its text (rare; from the tree).
        let tree = apple_tree(events);
        AppleHtml {
            html: cut_text(&tree, limit.saturating_sub(trailer.len()), &trailer),
            truncated: true,
        }
    };
    SCRATCH.with_borrow_mut(|s| *s = html);
    debug_assert_eq!(result, render_apple_tree(events, full_link, limit));
    result
}

/// Whether the Apple rendering of `events` fits in `limit` bytes, i.e. whether
/// [`render_apple`] would leave it whole: its length, counted without writing
/// it (for `check`, which reports a cut but publishes nothing; see
/// [`AppleLen`]).
pub fn apple_fits(events: &[Event<'_>], limit: usize) -> bool {
    let fits = apple_len_within(events, limit).is_some();
    debug_assert_eq!(fits, !render_apple(events, None, limit).truncated);
    fits
}

/// The length of the Apple rendering of `events`, or None once it is over
/// `limit`.
fn apple_len_within(events: &[Event<'_>], limit: usize) -> Option<usize> {
    let mut len = AppleLen::new(limit);
    for e in events {
        len.event(e);
        if len.over() {
            return None;
        }
    }
    len.finish()
}

/// The length of the Apple rendering, counted event by event as the events
/// are produced (`check` never keeps them). It follows `AppleWriter`'s rules
/// (which Starts open an element, a `p` in a written `p` unwritten, ` | `
/// between table cells) without its cut points; the tests compare it with the
/// rendering.
#[derive(Debug)]
pub struct AppleLen {
    limit: usize,
    n: usize,
    /// Per Start: whether it opened an element.
    starts: Vec<bool>,
    /// The open elements, and whether their tags are written.
    open: Vec<(Elem, bool)>,
    cells: usize,
}

impl AppleLen {
    pub fn new(limit: usize) -> Self {
        AppleLen {
            limit,
            n: 0,
            starts: Vec::with_capacity(32),
            open: Vec::with_capacity(32),
            cells: 0,
        }
    }

    /// Over the limit already: the count only grows, so it stays over.
    pub fn over(&self) -> bool {
        self.n > self.limit
    }

    pub fn event(&mut self, e: &Event<'_>) {
        fn text_len(s: &str) -> usize {
            // Notes text rarely holds these: one SIMD scan finds them.
            let b = s.as_bytes();
            if !has_text_special(b) {
                return b.len();
            }
            s.len()
                + memchr::memchr3_iter(b'&', b'<', b'>', b)
                    .map(|i| if b[i] == b'&' { 4 } else { 3 })
                    .sum::<usize>()
        }
        fn attr_len(s: &str) -> usize {
            // What [`escape_attr`] adds per byte, looked up.
            const EXTRA: [u8; 256] = {
                let mut t = [0u8; 256];
                t[b'&' as usize] = 4;
                t[b'\'' as usize] = 4;
                t[b'"' as usize] = 5;
                t[b'<' as usize] = 3;
                t[b'>' as usize] = 3;
                t
            };
            s.len() + s.bytes().map(|b| EXTRA[b as usize] as usize).sum::<usize>()
        }
        match e {
            Event::Start(t) => {
                let (tag, sep) = apple_start(t, &mut self.cells);
                if sep {
                    self.n += CELL_SEP.len();
                }
                self.starts.push(tag.is_some());
                if let Some((tag, href)) = tag {
                    let written = !(tag == Elem::P && self.open.last() == Some(&(Elem::P, true)));
                    if tag == Elem::A {
                        self.n += "<a href=\"\">".len() + attr_len(href);
                    } else if written {
                        self.n += tag.name().len() + 2;
                    }
                    self.open.push((tag, written));
                }
            }
            Event::End(_) if self.starts.pop().unwrap_or(false) => {
                if let Some((tag, true)) = self.open.pop() {
                    self.n += tag.name().len() + 3;
                }
            }
            Event::Text(s) | Event::Code(s) => self.n += text_len(s),
            Event::SoftBreak | Event::HardBreak => self.n += 1,
            _ => {}
        }
    }

    /// The whole length (what is still open is closed at the end), or None
    /// when it is over the limit.
    pub fn finish(self) -> Option<usize> {
        let n = self.n
            + self
                .open
                .iter()
                .filter(|(_, written)| *written)
                .map(|(tag, _)| tag.name().len() + 3)
                .sum::<usize>();
        (n <= self.limit).then_some(n)
    }
}

/// "Full show notes" (or `…`) after a cut description.
fn trailer(full_link: Option<&str>) -> String {
    let mut trailer = String::new();
    match full_link {
        Some(l) => {
            trailer.push_str("<p><a href=\"");
            escape_attr(l, &mut trailer);
            trailer.push_str("\">Full show notes</a></p>");
        }
        None => trailer.push_str("<p>…</p>"),
    }
    trailer
}

/// Between the cells of a table row in the Apple rendering (a row is a `p`).
const CELL_SEP: &str = " | ";

/// What a Start event does in the Apple rendering, for the writer and for
/// [`AppleLen`] alike: the element it opens (with a link's href), if any, and
/// whether [`CELL_SEP`] goes before it (a table cell after the first of its
/// row; `cells` counts them, and a block that becomes a `p` starts again).
/// Emphasis, quotes and the like open nothing: only their content is written.
fn apple_start<'e>(t: &'e Tag<'_>, cells: &mut usize) -> (Option<(Elem, &'e str)>, bool) {
    let open = |e: Elem| (Some((e, "")), false);
    match t {
        Tag::Paragraph
        | Tag::Heading { .. }
        | Tag::CodeBlock(_)
        | Tag::TableRow
        | Tag::TableHead => {
            *cells = 0;
            open(Elem::P)
        }
        Tag::List(None) => open(Elem::Ul),
        Tag::List(Some(_)) => open(Elem::Ol),
        Tag::Item => open(Elem::Li),
        Tag::Link { dest_url, .. } => (Some((Elem::A, dest_url)), false),
        Tag::TableCell => {
            *cells += 1;
            (None, *cells > 1)
        }
        _ => (None, false),
    }
}

/// An element of the Apple rendering (an enum: compared on every event).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elem {
    P,
    Ul,
    Ol,
    Li,
    A,
}

impl Elem {
    fn name(self) -> &'static str {
        match self {
            Elem::P => "p",
            Elem::Ul => "ul",
            Elem::Ol => "ol",
            Elem::Li => "li",
            Elem::A => "a",
        }
    }
    fn is_list(self) -> bool {
        matches!(self, Elem::Ul | Elem::Ol | Elem::Li)
    }
    /// `<name>` (not for `a`, which has an href).
    fn start_tag(self) -> &'static str {
        match self {
            Elem::P => "<p>",
            Elem::Ul => "<ul>",
            Elem::Ol => "<ol>",
            Elem::Li => "<li>",
            Elem::A => "<a>",
        }
    }
    fn end_tag(self) -> &'static str {
        match self {
            Elem::P => "</p>",
            Elem::Ul => "</ul>",
            Elem::Ol => "</ol>",
            Elem::Li => "</li>",
            Elem::A => "</a>",
        }
    }
}

/// Writes the Apple rendering straight from the events: the same elements as
/// [`apple_tree`] (text runs merged, a `p` directly in a `p` written without its
/// tags), and the places where [`write_within`] may cut: after each child of the
/// root or of a `ul`/`ol`/`li`, followed by the closing tags of what is open
/// there. Output length plus closing tags never decreases along the document,
/// so the last cut point within the budget is the one the tree walk finds.
struct AppleWriter {
    out: String,
    budget: usize,
    /// Open elements: tag (`None` for a link) and whether its tags are written.
    /// Open elements: which, whether its tags are written, and where its
    /// content starts in `out`.
    stack: Vec<(Elem, bool, usize)>,
    /// Which Starts opened an element (true) or were unwrapped (false).
    opened: Vec<bool>,
    cells: usize,
    /// A text run is open in the current element (merged like the tree's nodes).
    in_text: bool,
    /// Open elements other than `ul`/`ol`/`li`: no cut point inside them.
    links_or_p: usize,
    /// Length of the closing tags of the open elements.
    closers: usize,
    /// The last cut point within the budget, and the elements open there.
    best_pos: Option<usize>,
    best_stack: Vec<Elem>,
    /// A cut point over budget was seen: no later one can fit.
    over: bool,
}

impl AppleWriter {
    fn new(budget: usize) -> Self {
        AppleWriter {
            out: String::new(),
            budget,
            stack: Vec::new(),
            opened: Vec::new(),
            cells: 0,
            in_text: false,
            links_or_p: 0,
            closers: 0,
            best_pos: None,
            best_stack: Vec::new(),
            over: false,
        }
    }

    /// A child of the current element ended here.
    fn child_ended(&mut self) {
        if self.over || self.links_or_p > 0 {
            return;
        }
        // The tree walk keeps an element it entered only if something was written
        // in it (and writes nothing at all rather than only empty text).
        let content_start = self.stack.last().map_or(0, |e| e.2);
        if self.out.len() + self.closers > self.budget {
            self.over = true;
        } else if self.out.len() > content_start {
            self.best_pos = Some(self.out.len());
            self.best_stack.clear();
            self.best_stack
                .extend(self.stack.iter().map(|(t, _, _)| *t));
        }
    }

    /// Where to cut, with the closing tags of what is open there.
    fn best(&self) -> Option<(usize, String)> {
        let pos = self.best_pos?;
        let mut c = String::new();
        for t in self.best_stack.iter().rev() {
            c.push_str(t.end_tag());
        }
        Some((pos, c))
    }

    fn end_text(&mut self) {
        if self.in_text {
            self.in_text = false;
            self.child_ended();
        }
    }

    fn text(&mut self, s: &str) {
        self.in_text = true;
        escape_text(s, &mut self.out);
    }

    /// Appends markup (already escaped).
    fn markup(&mut self, s: &str) {
        self.out.push_str(s);
    }

    fn open(&mut self, tag: Elem, href: &str) {
        self.end_text();
        // `p` directly inside a written `p`: only its content is written.
        let parent_p = matches!(self.stack.last(), Some((Elem::P, true, _)));
        let written = !(tag == Elem::P && parent_p);
        match tag {
            Elem::A => {
                self.out.push_str("<a href=\"");
                escape_attr(href, &mut self.out);
                self.out.push_str("\">");
            }
            t if written => self.markup(t.start_tag()),
            _ => {}
        }
        if !tag.is_list() {
            self.links_or_p += 1;
        }
        self.closers += tag.name().len() + 3;
        self.stack.push((tag, written, self.out.len()));
    }

    fn close(&mut self) {
        self.end_text();
        let Some((tag, written, _)) = self.stack.pop() else {
            return;
        };
        if !tag.is_list() {
            self.links_or_p -= 1;
        }
        self.closers -= tag.name().len() + 3;
        if written {
            self.markup(tag.end_tag());
        }
        self.child_ended();
    }

    fn event(&mut self, e: &Event<'_>) {
        match e {
            Event::Start(t) => {
                let (tag, sep) = apple_start(t, &mut self.cells);
                if sep {
                    self.text(CELL_SEP);
                }
                self.opened.push(tag.is_some());
                if let Some((t, href)) = tag {
                    self.open(t, href);
                }
            }
            Event::End(_) if self.opened.pop().unwrap_or(false) => self.close(),
            Event::Text(s) | Event::Code(s) => self.text(s),
            Event::SoftBreak | Event::HardBreak => self.text(" "),
            _ => {}
        }
    }

    fn finish(&mut self) -> String {
        while !self.stack.is_empty() {
            self.close();
        }
        self.end_text();
        std::mem::take(&mut self.out)
    }
}

/// The first block's text cut at a grapheme boundary to fit `budget`, then the
/// trailer: for notes whose first block alone is over the limit.
fn cut_text(tree: &[Node], budget: usize, trailer: &str) -> String {
    let mut text = String::new();
    collect_text(tree, &mut text);
    let mut p = String::from("<p>");
    let room = budget.saturating_sub("<p>…</p>".len());
    let mut used = 0;
    let mut cut = String::new();
    for g in text.graphemes(true) {
        let mut esc = String::new();
        escape_text(g, &mut esc);
        if used + esc.len() > room {
            break;
        }
        used += esc.len();
        cut.push_str(&esc);
    }
    p.push_str(&cut);
    p.push_str("…</p>");
    p.push_str(trailer);
    p
}

/// The reference Apple rendering through a node tree (debug checks and tests).
pub fn render_apple_tree(events: &[Event<'_>], full_link: Option<&str>, limit: usize) -> AppleHtml {
    let tree = apple_tree(events);
    let mut whole = String::new();
    tree.iter().for_each(|n| write_node(n, &mut whole));
    if whole.len() <= limit {
        return AppleHtml {
            html: whole,
            truncated: false,
        };
    }
    let trailer = trailer(full_link);
    let budget = limit.saturating_sub(trailer.len());
    let mut out = String::new();
    write_within(&tree, budget, &mut out);
    if out.is_empty() {
        return AppleHtml {
            html: cut_text(&tree, budget, &trailer),
            truncated: true,
        };
    }
    out.push_str(&trailer);
    AppleHtml {
        html: out,
        truncated: true,
    }
}

fn collect_text(nodes: &[Node], out: &mut String) {
    for n in nodes {
        match n {
            Node::Text(t) => out.push_str(t),
            Node::Elem(_, c) | Node::Link(_, c) => {
                collect_text(c, out);
                out.push(' ');
            }
        }
    }
}

/// The summary of the notes (JSON Feed `summary`, Atom `summary`): their plain
/// text, trimmed and [`shorten`]ed to `max` characters. The text is collected in a per-thread buffer; the item
/// keeps only the summary.
pub fn summary(events: &[Event<'_>], max: usize) -> String {
    thread_local! {
        static SCRATCH: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    SCRATCH.with_borrow_mut(|text| {
        text.clear();
        push_plain_text(events, text);
        shorten(text.trim(), max)
    })
}

/// Appends the plain text of the notes: text and code, a space per line break,
/// a newline after each paragraph, heading and list item.
fn push_plain_text(events: &[Event<'_>], s: &mut String) {
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => s.push('\n'),
            _ => {}
        }
    }
}

/// Cuts `s` to at most `max` characters on a grapheme boundary, adding `…`.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    // The longest prefix of whole graphemes with at most `max - 1` characters:
    // the boundary at or before character `max - 1`, found with a cursor there
    // rather than by walking every grapheme from the start.
    let cut = s
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(s.len(), |(i, _)| i);
    let mut cursor = unicode_segmentation::GraphemeCursor::new(cut, s.len(), true);
    let end = match cursor.is_boundary(s, 0) {
        Ok(true) => cut,
        _ => cursor.prev_boundary(s, 0).ok().flatten().unwrap_or(0),
    };
    let mut out = String::with_capacity(end + '…'.len_utf8());
    out.push_str(&s[..end]);
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    fn ev(md: &str) -> Vec<Event<'static>> {
        Parser::new(md).map(|e| e.into_static()).collect()
    }

    /// [`apple_len_within`] counts exactly what [`render_apple`] writes: on the
    /// real show notes of the corpus and the hostile inputs, and on constructs
    /// the corpus lacks, each rendering fits a limit of its own length and not
    /// one byte less.
    #[test]
    fn apple_length_is_the_rendering_s_length() {
        let mut docs = crate::test_markdown();
        docs.push("| a & b | <c> |\n|---|:-:|\n| 1 | 2 |\n| 3 |\n\n- x\n\n  > q\n  >\n  > r\n- [l](https://a/?q=%22&x='1') `c<d>`\n\n1. o\n2. p\n\n```sh\na && b\n```\n# H\nline  \nbreak".into());
        docs.push("[q](<https://a/\"b'c&d>) text [r](https://a/\"b) <https://x/\"y>".into());
        docs.push(String::new());
        let mut checked = 0;
        for md in &docs {
            // As the episode parser hands them over: raw HTML is text.
            let events = crate::test_events(md);
            let whole = render_apple(&events, None, 1 << 30).html;
            assert_eq!(
                apple_len_within(&events, usize::MAX),
                Some(whole.len()),
                "{md}"
            );
            assert!(apple_fits(&events, whole.len()));
            if !whole.is_empty() {
                assert!(!apple_fits(&events, whole.len() - 1), "{md}");
                assert_eq!(apple_len_within(&events, whole.len() - 1), None);
            }
            checked += 1;
        }
        assert_eq!(checked, docs.len());
    }

    /// The own full writer writes what pulldown-cmark's writer writes: on the
    /// corpus, the hostile inputs and the example show, as the parser hands
    /// them over and as pulldown-cmark reads them with every extension (which
    /// takes the crate's path for footnotes, math and the like), and on
    /// constructs the corpus lacks: tables with alignments, ordered lists with
    /// a start, fenced code with an info string, hrefs with every ASCII byte,
    /// non-ASCII and entities, titles with quotes, e-mail autolinks.
    #[test]
    fn full_rendering_is_the_crate_s() {
        use pulldown_cmark::Options;
        let mut docs = crate::test_markdown();
        let ascii: String = (0x20u8..0x7f)
            .map(char::from)
            .filter(|c| *c != '>')
            .collect();
        docs.push(format!(
            "<https://a.example/{ascii}> [x](<https://a/{ascii}>)"
        ));
        docs.push("| a & b | <c> | d |\n|:--|:-:|--:|\n| 1 | 2 |\n| 3 |\n\n- x\n\n  > q\n  >\n  > r\n- [l](https://a/?q=%22&x='1' \"t \\\"q\\\" & 'u'\") `c<d>`\n\n3. o\n4. p\n\n1. one\n\n```sh  x y\na && b <c>\n```\n\n    indented\n# H\nline  \nbreak\n***\ntext\n- [ ] task\n- [x] done\n~~del~~ *em* **strong**".into());
        docs.push("[é](https://例え.jp/パス?q=ü&r=1#frag) <mailto:a@b.c> <a@b.example> [x](https://a/\\b[c]{d}|e`f)\n> [!NOTE]\n> alert\n\nterm\n: def\n\nx[^1]\n\n[^1]: note\n\n$m$ $$d$$\n\n# h {#id .cls k=v}\n![img](https://a/i.png \"t\")".into());
        docs.push(String::new());
        let mut compared = 0;
        for md in &docs {
            let handed = crate::test_events(md);
            let raw: Vec<Event<'_>> = Parser::new_ext(md, Options::all()).collect();
            for events in [&handed, &raw] {
                let mut own = String::new();
                if FullWriter::new(&mut own).write_all(events) {
                    own.truncate(own.trim_end().len());
                    assert_eq!(own, render_full_with_crate(events), "{md}");
                    compared += 1;
                }
            }
            assert_eq!(
                render_full(&handed),
                render_full_with_crate(&handed),
                "{md}"
            );
        }
        // Every document as the parser hands it over takes the own writer.
        assert!(compared > docs.len(), "{compared} of {}", docs.len() * 2);
    }

    #[test]
    fn text_specials_are_seen_at_every_place() {
        for len in 0..40 {
            assert!(!has_text_special(&vec![b'a'; len]));
            for at in 0..len {
                for c in 0..=255u8 {
                    let mut v = vec![b'a'; len];
                    v[at] = c;
                    let want = matches!(c, b'&' | b'<' | b'>');
                    assert_eq!(has_text_special(&v), want, "{c:#x} at {at} of {len}");
                }
            }
        }
    }

    #[test]
    fn escapes_match_plain_replacement() {
        let all: String = (0u8..128)
            .map(char::from)
            .chain("あé&<>\"'".chars())
            .collect();
        for src in [all.as_str(), "", "&&&&", "plain text"] {
            let text = src
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            let attr = text.replace('"', "&quot;").replace('\'', "&#39;");
            let mut out = String::from("x");
            escape_text(src, &mut out);
            assert_eq!(out, format!("x{text}"));
            let mut out = String::from("y");
            escape_attr(src, &mut out);
            assert_eq!(out, format!("y{attr}"));
        }
    }

    #[test]
    fn apple_cut_skips_an_item_holding_only_empty_text() {
        // Found by fuzzing: an item whose first text is empty must not be kept
        // as `<li></li>` when the cut falls inside it (the tree walk drops an
        // element it wrote nothing into).
        use pulldown_cmark::CowStr;
        let long = "x".repeat(60);
        let events = vec![
            Event::Start(Tag::List(None)),
            Event::Start(Tag::Item),
            Event::Text(CowStr::Borrowed(&long)),
            Event::End(TagEnd::Item),
            Event::Start(Tag::Item),
            Event::Text(CowStr::Borrowed("")),
            Event::Start(Tag::Link {
                link_type: pulldown_cmark::LinkType::Inline,
                dest_url: CowStr::Borrowed("https://e.x/a"),
                title: CowStr::Borrowed(""),
                id: CowStr::Borrowed(""),
            }),
            Event::Text(CowStr::Borrowed(&long)),
            Event::End(TagEnd::Link),
            Event::End(TagEnd::Item),
            Event::End(TagEnd::List(false)),
        ];
        for limit in 60..140 {
            let fast = render_apple(&events, Some("https://e.x/"), limit);
            assert_eq!(
                fast,
                render_apple_tree(&events, Some("https://e.x/"), limit),
                "{limit}"
            );
            assert!(!fast.html.contains("<li></li>"), "{limit}: {}", fast.html);
        }
        // At the root, empty text alone is not something to keep either.
        let events = vec![
            Event::Text(CowStr::Borrowed("")),
            Event::Start(Tag::Paragraph),
            Event::Text(CowStr::Borrowed(&long)),
            Event::End(TagEnd::Paragraph),
        ];
        for limit in 20..80 {
            assert_eq!(
                render_apple(&events, None, limit),
                render_apple_tree(&events, None, limit),
                "{limit}"
            );
        }
    }

    #[test]
    fn apple_keeps_only_allowed_tags() {
        let a = render_apple(
            &ev("## Head\n\n*em* `code` [l](https://x.io)\n\n- a\n  1. b\n"),
            None,
            4000,
        );
        assert_eq!(
            a.html,
            "<p>Head</p><p>em code <a href=\"https://x.io\">l</a></p><ul><li>a<ol><li>b</li></ol></li></ul>"
        );
        assert!(!a.truncated);
    }

    #[test]
    fn apple_cuts_between_list_items_and_links_full_notes() {
        let md: String = (0..400).map(|i| format!("- item number {i} &\n")).collect();
        let a = render_apple(&ev(&md), Some("https://e.x/1"), 4000);
        assert!(a.truncated);
        assert!(a.html.len() <= 4000, "{}", a.html.len());
        assert!(a
            .html
            .ends_with("<p><a href=\"https://e.x/1\">Full show notes</a></p>"));
        assert!(a.html.contains("</li></ul><p>"));
        // Never inside an entity.
        assert!(!a.html.contains("&am<") && a.html.matches("&amp;").count() > 10);
    }

    #[test]
    fn apple_cuts_one_huge_paragraph_on_graphemes() {
        let md = "👩‍👩‍👧‍👦".repeat(1000);
        let a = render_apple(&ev(&md), None, 4000);
        assert!(a.truncated && a.html.len() <= 4000);
        let inner = a.html.trim_start_matches("<p>").split('…').next().unwrap();
        assert_eq!(inner.len() % "👩‍👩‍👧‍👦".len(), 0);
    }

    #[test]
    fn shorten_on_graphemes() {
        assert_eq!(shorten("abc", 5), "abc");
        assert_eq!(shorten("e\u{301}e\u{301}e\u{301}", 3), "e\u{301}…");
    }

    #[test]
    fn shorten_cuts_where_a_grapheme_walk_does() {
        // The cursor-based cut against the plain definition: whole graphemes while
        // the count stays below `max`.
        fn walk(s: &str, max: usize) -> String {
            if s.chars().count() <= max {
                return s.to_string();
            }
            let mut out = String::new();
            let mut n = 0;
            for g in s.graphemes(true) {
                let c = g.chars().count();
                if n + c + 1 > max {
                    break;
                }
                n += c;
                out.push_str(g);
            }
            out.push('…');
            out
        }
        for s in [
            "plain ascii text",
            "e\u{301}e\u{301}x\u{301}\u{302}y",
            "👩‍👩‍👧‍👦a👩‍👩‍👧‍👦b🇯🇵🇺🇸🇫🇷c",
            "日本語のテキスト、\u{3099}と　全角スペース",
            "a\r\nb\r\nc",
            "",
        ] {
            for max in 0..s.chars().count() + 3 {
                assert_eq!(shorten(s, max), walk(s, max), "{s:?} at {max}");
            }
        }
    }
}
