//! The notes themselves: containers, text, code, links and raw HTML, as they
//! go into [`Notes`](crate::model::Notes) sanitized, with the link policy
//! applied and bare URLs and `@mentions` made links.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, Tag, TagEnd};

use super::links::{self, LinkVerdict};
use super::{EventParser, MAX_DEPTH};
use crate::chars::strip_unsafe;
use crate::diag::Rule;

impl<'t> EventParser<'t, '_> {
    pub(super) fn mark_content(&mut self) {
        if self.emitting_heading {
            return;
        }
        if let Some(s) = self.cur_speaker {
            self.speakers[s].has_content = true;
        }
    }

    pub(super) fn open_container(&mut self, ev: Event<'t>, r: Range<usize>) {
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

    pub(super) fn close_container(&mut self, ev: Event<'t>) {
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
    pub(super) fn clean<'a>(&self, s: CowStr<'a>) -> CowStr<'a> {
        match strip_unsafe(&s) {
            std::borrow::Cow::Borrowed(_) => s,
            std::borrow::Cow::Owned(o) => CowStr::from(o),
        }
    }

    pub(super) fn inline(&mut self, ev: Event<'t>, r: Range<usize>) {
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

    pub(super) fn report_raw_html(&mut self, r: Range<usize>) {
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

    pub(super) fn html_block_done(&mut self, html: String, r: Range<usize>) {
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
    pub(super) fn check_lazy_continuation(&mut self, r: &Range<usize>) {
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
