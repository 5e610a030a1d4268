//! Headings after the episode heading: `## Contents`, the speaker sections
//! (`### @handle`, `### [Name](url)`) and the topics under them.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Tag, TagEnd};

use super::dates::split_heading;
use super::links::{self, LinkVerdict};
use super::{Credit, EpisodeHeading, EventParser, SpeakerSection, Topic, TopicKind};
use crate::chars::strip_unsafe;
use crate::diag::Rule;

impl<'t> EventParser<'t, '_> {
    /// A heading is read whole before it is known what it is: the episode
    /// heading, `## Contents`, a speaker, a topic or a plain section.
    pub(super) fn heading_done(
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
                title: title.map(|t| strip_unsafe(&t).into_owned()),
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
        } else if let Some(h) = trimmed.strip_prefix('@').and_then(links::read_handle) {
            // The handle is its whole run of word characters; what follows is a note.
            let end = 1 + h.written.len();
            (
                trimmed[..end].to_string(),
                trimmed[end..].trim().to_string(),
            )
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
            Some(h) => match links::read_handle(h) {
                Some(handle) => {
                    let at = self.text[r.clone()]
                        .find('@')
                        .map_or(r.start, |i| r.start + i);
                    // A handle that only looks like another credits nobody.
                    let span = self.handle_span(at, &handle);
                    let flawed = self.confusable(&handle, span, &Default::default());
                    Credit {
                        handle: (!flawed).then_some(handle.name),
                        name: None,
                        href: href.clone().filter(|_| !flawed),
                        span: r.clone(),
                    }
                }
                None => Credit {
                    handle: Some(h.trim().to_string()),
                    name: None,
                    href: href.clone(),
                    span: r.clone(),
                },
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

    pub(super) fn end_speaker(&mut self) {
        if let Some(i) = self.cur_speaker.take() {
            let s = &self.speakers[i];
            if !s.has_content && !s.absent {
                // A section that credits nobody is named by its heading.
                let who = s
                    .credit
                    .handle
                    .as_ref()
                    .map(|h| format!("@{h}"))
                    .or_else(|| s.credit.name.clone())
                    .unwrap_or_else(|| {
                        let heading = self.text.get(s.span.clone()).unwrap_or_default();
                        heading.trim().trim_start_matches('#').trim().to_string()
                    });
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
}

/// A heading's text. Speaker names and titles come from here: no character a
/// feed cannot hold.
fn plain_text(buf: &[(Event<'_>, Range<usize>)]) -> String {
    let mut s = String::new();
    for (e, _) in buf {
        match e {
            // Raw HTML is shown as text, in titles too.
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    without_unsafe_chars(s)
}

/// `s` with [`strip_unsafe`] applied, copied only when something is removed.
fn without_unsafe_chars(s: String) -> String {
    match strip_unsafe(&s) {
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

#[cfg(test)]
mod tests {
    use crate::diag::{FileId, Rule};
    use crate::input::config;
    use crate::input::episode::parse;

    #[test]
    fn a_speaker_is_read_by_the_whole_handle_and_a_confusable_one_credits_nobody() {
        let (show, _) = config::load(FileId(0), include_str!("../../../tests/show/podcast.toml"));
        let text = "# 001\n\n- Hosted by @alice\n\n## Contents\n\n### @alice: intro\n\n- a\n\n### @b\u{43E}b\n\n- b\n\n### [@\u{FF42}ob](https://x.example/)\n\n- c\n\n### @bo\u{301}b (absent)\n";
        let ep = parse(FileId(1), "001", text, &show);
        let credits: Vec<_> = ep
            .speakers
            .iter()
            .map(|s| {
                (
                    s.credit.handle.as_deref(),
                    s.credit.href.as_deref(),
                    s.absent,
                )
            })
            .collect();
        assert_eq!(
            credits,
            vec![
                (Some("alice"), None, false),
                (None, None, false),
                (None, None, false),
                (Some("b\u{F3}b"), None, true),
            ]
        );
        assert_eq!(ep.speakers[0].note.as_deref(), Some(": intro"));
        // Each confusable handle once, though its heading is read twice.
        let flagged: Vec<_> = ep
            .diags
            .iter()
            .filter(|d| d.rule == Rule::ConfusableHandle)
            .map(|d| &text[d.span.as_ref().unwrap().range.clone()])
            .collect();
        assert_eq!(flagged, vec!["@b\u{43E}b", "@\u{FF42}ob"]);
    }
}
