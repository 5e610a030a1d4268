//! Links in the notes: each link and image judged by the link policy as it
//! opens and recorded as it closes, bare URLs and `@mentions` made links, and
//! links given twice reported.

use std::ops::Range;

use pulldown_cmark::{CowStr, Event, LinkType, Tag, TagEnd};
use rustc_hash::FxHashMap;

use super::links::{self, LinkVerdict};
use super::{EventParser, HeaderState, LinkFrame, LinkRef, Topic, TopicKind};
use crate::diag::Rule;

impl<'t> EventParser<'t, '_> {
    pub(super) fn start_link(
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
        // An image becomes a link to it, but not inside a link (a linked
        // badge): a link cannot hold a link, so its alt text is the outer
        // link's text.
        let in_link = image && self.link_stack.iter().any(|f| f.kept);
        let kept = url.is_some() && !in_link;
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

    pub(super) fn end_link(&mut self) {
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

    pub(super) fn record_link(
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
    pub(super) fn narrow(&self, r: &Range<usize>, needle: &str) -> Range<usize> {
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
    pub(super) fn judge_link(&mut self, dest: &str, r: Range<usize>) -> Option<String> {
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
            LinkVerdict::Unsafe { scheme, suggestion } => {
                let (msg, help) = match suggestion {
                    // `localhost:8080`: a host, which a browser reads as a scheme.
                    Some(s) => (
                        format!("`{}` reads as a link with the scheme `{scheme}:`, so it cannot work in a feed; the link is removed and its text kept", dest.trim()),
                        format!("did you mean {s}?"),
                    ),
                    None => (
                        format!("`{scheme}` links are not allowed in a feed; the link is removed and its text kept"),
                        "only http, https and mailto links are published".into(),
                    ),
                };
                self.diag(Rule::UnsafeLink, r, msg).help = Some(help);
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
    pub(super) fn text_with_autolinks(&mut self, t: CowStr<'t>, r: Range<usize>) {
        let s: &str = &t;
        let show = self.show;
        // Bare URLs, then @mentions of known people outside them, each with the
        // link it becomes (None: the URL itself, after the link policy).
        let mut pieces: Vec<(Range<usize>, Option<&str>)> = links::find_bare_urls(s)
            .into_iter()
            .map(|u| (u, None))
            .collect();
        let urls = pieces.len();
        let mut confusable = Vec::new();
        // Both lists are in text order: one sweep finds the URL around a mention.
        let mut u = 0;
        for (mr, h) in links::find_mentions(s) {
            while u < urls && pieces[u].0.end <= mr.start {
                u += 1;
            }
            if u < urls && pieces[u].0.start <= mr.start {
                continue;
            }
            if let Some(why) = h.explain() {
                confusable.push((mr, why));
            } else if let Some(href) = show.people.get(&h.name).and_then(|p| p.href.as_deref()) {
                pieces.push((mr, Some(href)));
            }
        }
        if pieces.is_empty() && confusable.is_empty() {
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
        let reported = match confusable.is_empty() {
            true => Default::default(),
            false => self.reported_in_speaker_heading(&r),
        };
        for (mr, (msg, help)) in confusable {
            let span = at(mr.start, mr.len());
            if !reported.contains(&span) {
                self.diag(Rule::ConfusableHandle, span, msg).help = Some(help);
            }
        }
        if pieces.is_empty() {
            self.emit(Event::Text(t));
            return;
        }
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

    pub(super) fn bullet_without_link(&mut self, t: &str) {
        // A bullet whose text starts with a bare URL is a link topic (handled by
        // record_link); any other leading text means it is a plain note.
        let lead = t.trim_start();
        if !(lead.starts_with("http://") || lead.starts_with("https://")) {
            self.pending_bullet = false;
        }
    }

    /// One warning per repeated URL, at its second use, with the count: a line
    /// that pastes the same link a thousand times gives one warning, not 999.
    pub(super) fn report_duplicate_links(&mut self) {
        struct Uses {
            first: Range<usize>,
            second: Option<Range<usize>>,
            count: usize,
        }
        // Fx rather than SipHash: the keys are one file's URLs (its size is
        // capped), so flooding is no concern.
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
        // The line breaks, found once: a file can repeat thousands of links.
        let breaks: Vec<usize> = match order.is_empty() {
            true => Vec::new(),
            false => memchr::memchr_iter(b'\n', self.text.as_bytes()).collect(),
        };
        let dups: Vec<(String, Range<usize>, usize, usize)> = order
            .into_iter()
            .map(|url| {
                let u = &seen[url];
                let line = breaks.partition_point(|&b| b < u.first.start) + 1;
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
}
