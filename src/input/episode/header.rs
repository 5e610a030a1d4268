//! The header list under the episode heading: `Hosted by`, guests, the
//! recording date and the video link.

use std::ops::Range;

use super::dates::{looks_like_date, parse_date};
use super::links::{self, LinkVerdict};
use super::{Credit, EventParser, HeaderItem, HeaderState, Located};
use crate::diag::Rule;

impl EventParser<'_, '_> {
    pub(super) fn interpret_header(&mut self) {
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
