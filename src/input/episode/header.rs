//! The header list under the episode heading: `Hosted by`, guests, the
//! recording date and the video link.

use std::ops::Range;

use rustc_hash::FxHashSet;

use super::dates::{looks_like_date, parse_date};
use super::links::{self, LinkVerdict};
use super::{Credit, EventParser, HeaderItem, HeaderState, Located};
use crate::diag::Rule;

impl EventParser<'_, '_> {
    pub(super) fn interpret_header(&mut self) {
        let mut items = std::mem::take(&mut self.header_items);
        items.sort_by_key(|i| i.start);
        // An item's source ends where the next one starts (or the list ends).
        let list_end = self.header.span.as_ref().map_or(self.text.len(), |s| s.end);
        // The list's text was read as notes first, which reported its mentions.
        let list_start = self.header.span.as_ref().map_or(0, |s| s.start);
        let reported = self.reported_since(list_start);
        let ends: Vec<usize> = items
            .iter()
            .skip(1)
            .map(|i| i.start)
            .chain(std::iter::once(list_end))
            .collect();
        for (item, end) in items.into_iter().zip(ends) {
            self.header_item(item, end, &reported);
        }
    }

    fn header_item(&mut self, item: HeaderItem, end: usize, reported: &FxHashSet<Range<usize>>) {
        let text = item.text.trim();
        let lower = text.to_lowercase();
        let colon = text.find([':', '：']);
        let key_of = |s: &str| s.trim().to_lowercase();
        if lower.starts_with("hosted by") {
            self.header.has_host_line = true;
            let credits = self.credits_in(&item, end, reported);
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
                let credits = self.credits_in(&item, end, reported);
                self.header.hosts.extend(credits);
            }
            "guest" | "guests" | "ゲスト" => {
                let credits = self.credits_in(&item, end, reported);
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
                        LinkVerdict::Unsafe { scheme, suggestion } => {
                            self.diag(
                                Rule::UnsafeLink,
                                span.clone(),
                                format!("the Video line's `{scheme}` link is not allowed in a feed; it is not published"),
                            )
                            .help = Some(match suggestion {
                                Some(s) => format!("did you mean {s}?"),
                                None => "give the video's https:// URL".into(),
                            });
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

    /// Text of the header list item being read.
    pub(super) fn capture_header(&mut self, t: &str, in_link: bool) {
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

    /// Hosts or guests named in one header item: `@handle`, `[@handle](url)`,
    /// `[Name](url)`. A handle that only looks like another credits nobody.
    fn credits_in(
        &mut self,
        item: &HeaderItem,
        end: usize,
        reported: &FxHashSet<Range<usize>>,
    ) -> Vec<Credit> {
        let text = self.text;
        let mut out = Vec::new();
        // Handles already credited: a set, so thousands of guests stay cheap.
        let mut seen: FxHashSet<String> = FxHashSet::default();
        for (url, link_text, span) in &item.links {
            let t = link_text.trim();
            match t.strip_prefix('@').map(links::read_handle) {
                Some(Some(h)) => {
                    let at = text[span.clone()]
                        .find('@')
                        .map_or(span.start, |i| span.start + i);
                    if !self.confusable(&h, self.handle_span(at, &h), reported) {
                        seen.insert(h.name.clone());
                        out.push(Credit {
                            handle: Some(h.name),
                            name: None,
                            href: Some(url.clone()),
                            span: span.clone(),
                        });
                    }
                }
                // `[@](url)`: no handle, and no name either.
                Some(None) => {}
                None if !t.is_empty() => out.push(Credit {
                    handle: None,
                    name: Some(t.to_string()),
                    href: Some(url.clone()),
                    span: span.clone(),
                }),
                None => {}
            }
        }
        // The mentions are found in the item's text, in order: each is looked
        // for in the source after the previous one, so the item is read once.
        // One not written as read (an escape, a reference) is a miss; after a
        // few, the rest are not looked for.
        let (mut cursor, mut misses) = (item.start, 0);
        for (_, h) in links::find_mentions(&item.plain) {
            let written = format!("@{}", h.written);
            let found = (misses < 8)
                .then(|| {
                    let rest = &text.as_bytes()[cursor..end.max(cursor)];
                    memchr::memmem::find(rest, written.as_bytes()).map(|i| cursor + i)
                })
                .flatten();
            match found {
                Some(i) => cursor = i + written.len(),
                None => misses += 1,
            }
            let at = found.map_or(item.start..item.start + 1, |i| i..i + written.len());
            if self.confusable(&h, at.clone(), reported) || !seen.insert(h.name.clone()) {
                continue;
            }
            out.push(Credit {
                handle: Some(h.name),
                name: None,
                href: None,
                span: at,
            });
        }
        out.sort_by_key(|c| c.span.start);
        out
    }

    /// Where the handle read at the `@` at `at` is written: `@` and the handle,
    /// or the `@` alone when the source spells it otherwise (an escape).
    pub(super) fn handle_span(&self, at: usize, h: &links::Handle<'_>) -> Range<usize> {
        let end = at + 1 + h.written.len();
        match self.text.get(at + 1..end) {
            Some(w) if w == h.written => at..end,
            _ => at..(at + 1).min(self.text.len()),
        }
    }

    /// Reports a handle that only looks like another, unless it is reported at
    /// that place already; true if it is one.
    pub(super) fn confusable(
        &mut self,
        h: &links::Handle<'_>,
        span: Range<usize>,
        reported: &FxHashSet<Range<usize>>,
    ) -> bool {
        let Some((msg, help)) = h.explain() else {
            return false;
        };
        if !reported.contains(&span) {
            self.diag(Rule::ConfusableHandle, span, msg).help = Some(help);
        }
        true
    }

    /// Where confusable handles were reported in the speaker heading at `r`
    /// (none if `r` is elsewhere): it is read again as notes, and the
    /// speaker's handle was reported when the heading was read.
    pub(super) fn reported_in_speaker_heading(&self, r: &Range<usize>) -> FxHashSet<Range<usize>> {
        match self.cur_speaker.map(|i| &self.speakers[i].span) {
            Some(h) if self.emitting_heading && h.contains(&r.start) => {
                self.reported_since(h.start)
            }
            _ => FxHashSet::default(),
        }
    }

    /// Where confusable handles were reported since the place `from`. Findings
    /// are added as the file is read, so those are the last ones (the file's
    /// character scan, added first, can only add a few to look at).
    pub(super) fn reported_since(&self, from: usize) -> FxHashSet<Range<usize>> {
        let spans = self.diags.iter().rev().map_while(|d| {
            let s = d.span.as_ref().filter(|s| s.range.start >= from)?;
            Some((d.rule == Rule::ConfusableHandle).then(|| s.range.clone()))
        });
        spans.flatten().collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::{FileId, Rule};
    use crate::input::config;
    use crate::input::episode::{parse, ParsedEpisode};

    /// The episode with `header` as its header list, and its text.
    fn parsed(header: &str) -> (ParsedEpisode, String) {
        let toml = include_str!("../../../tests/show/podcast.toml");
        let toml = format!("{toml}\n[people.\"b\u{E9}ll\"]\nname = \"Bell\"\n");
        let (show, d) = config::load(FileId(0), &toml);
        assert!(d.is_empty(), "{d:?}");
        let text = format!("# 001\n\n{header}\n## Contents\n");
        (parse(FileId(1), "001", &text, &show), text)
    }

    fn handles(ep: &ParsedEpisode) -> Vec<Option<&str>> {
        let credits = ep.header.hosts.iter().chain(&ep.header.guests);
        credits.map(|c| c.handle.as_deref()).collect()
    }

    fn flagged<'a>(ep: &ParsedEpisode, text: &'a str) -> Vec<&'a str> {
        let spans = ep.diags.iter().filter(|d| d.rule == Rule::ConfusableHandle);
        spans
            .map(|d| &text[d.span.as_ref().unwrap().range.clone()])
            .collect()
    }

    #[test]
    fn a_confusable_handle_credits_nobody_and_is_reported_once() {
        let (ep, text) = parsed(
            "- Hosted by @alice @bel\u{200D}ls17\n- Guests: @b\u{435}lls, [@\u{FF42}ob](https://x.example/)\n",
        );
        assert_eq!(handles(&ep), vec![Some("alice")]);
        assert_eq!(
            flagged(&ep, &text),
            vec!["@bel\u{200D}ls17", "@b\u{435}lls", "@\u{FF42}ob"]
        );
    }

    #[test]
    fn handles_match_the_registry_in_nfc_and_are_read_whole() {
        let (ep, text) =
            parsed("- Hosted by @be\u{301}ll and @alice-\n- Guests: @bob_2さん, @bob\n");
        assert_eq!(
            handles(&ep),
            vec![Some("b\u{E9}ll"), Some("alice"), Some("bob")]
        );
        // Latin and Hiragana in one handle: reported, never read as `bob_2`.
        assert_eq!(flagged(&ep, &text), vec!["@bob_2さん"]);
    }

    #[test]
    fn thousands_of_guests_are_each_credited_once_at_their_place() {
        let guests: String = (0..3000).map(|i| format!(" @g{} @g{}", i, i / 2)).collect();
        let (ep, text) = parsed(&format!("- Hosted by @alice\n- Guests:{guests}\n"));
        assert_eq!(ep.header.guests.len(), 3000);
        for (i, g) in ep.header.guests.iter().enumerate() {
            assert_eq!(g.handle.as_deref(), Some(format!("g{i}").as_str()));
            assert_eq!(&text[g.span.clone()], format!("@g{i}"));
        }
    }
}
