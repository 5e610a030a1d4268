//! The show notes as data: the sanitized pulldown-cmark events the episode
//! parser produced, owned compactly (one string of text, and small events that
//! point into it). The renderers turn them back into pulldown-cmark events
//! ([`Notes::events`]) and write every HTML form from those; nothing here is
//! HTML.

use pulldown_cmark::{
    Alignment, BlockQuoteKind, CodeBlockKind, CowStr, Event, HeadingLevel, LinkType, Tag, TagEnd,
};

/// An episode's notes. Built event by event ([`Notes::push`]) by the parser.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Notes {
    text: String,
    events: Vec<Note>,
    /// What each link is (the events only say which).
    links: Vec<Link>,
    /// Column alignments, one list per table.
    tables: Vec<Vec<Alignment>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Link {
    kind: LinkType,
    url: Str,
    title: Str,
}

/// A piece of [`Notes::text`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Str {
    start: u32,
    len: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Note {
    Start(Open),
    End(TagEnd),
    Text(Str),
    Code(Str),
    SoftBreak,
    HardBreak,
    Rule,
}

/// The containers notes hold.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Open {
    Paragraph,
    Heading(HeadingLevel),
    BlockQuote(Option<BlockQuoteKind>),
    /// A fenced block, with its info string.
    FencedCode(Str),
    IndentedCode,
    /// An ordered list's start (CommonMark allows at most nine digits).
    List(Option<u32>),
    Item,
    /// The index of its alignments in [`Notes::tables`].
    Table(u32),
    TableHead,
    TableRow,
    TableCell,
    Emphasis,
    Strong,
    Strikethrough,
    Superscript,
    Subscript,
    /// The index of the link in [`Notes::links`].
    Link(u32),
}

impl Notes {
    /// Notes with room for those of about `markdown_len` bytes of Markdown
    /// (they hold about an event per ten bytes, and less text).
    pub fn with_capacity(markdown_len: usize) -> Self {
        Notes {
            text: String::with_capacity(markdown_len),
            events: Vec::with_capacity(markdown_len / 10),
            links: Vec::new(),
            tables: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }

    fn str(&mut self, s: &str) -> Str {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        Str {
            start,
            len: s.len() as u32,
        }
    }

    fn get(&self, s: Str) -> &str {
        &self.text[s.start as usize..(s.start + s.len) as usize]
    }

    /// Appends one event. Raw HTML, math and footnote references become text
    /// (the parser already turns raw HTML into text); images become links.
    /// Containers the parser's Markdown options never produce (footnote
    /// definitions, definition lists, metadata blocks) are not kept, their
    /// content is.
    pub fn push(&mut self, ev: Event<'_>) {
        let note = match ev {
            Event::Start(tag) => match self.open(tag) {
                Some(open) => Note::Start(open),
                None => return,
            },
            Event::End(end) => match end {
                TagEnd::Image => Note::End(TagEnd::Link),
                TagEnd::HtmlBlock
                | TagEnd::FootnoteDefinition
                | TagEnd::DefinitionList
                | TagEnd::DefinitionListTitle
                | TagEnd::DefinitionListDefinition
                | TagEnd::MetadataBlock(_) => return,
                end => Note::End(end),
            },
            Event::Text(s)
            | Event::Html(s)
            | Event::InlineHtml(s)
            | Event::InlineMath(s)
            | Event::DisplayMath(s)
            | Event::FootnoteReference(s) => Note::Text(self.str(&s)),
            Event::Code(s) => Note::Code(self.str(&s)),
            Event::SoftBreak => Note::SoftBreak,
            Event::HardBreak => Note::HardBreak,
            Event::Rule => Note::Rule,
            Event::TaskListMarker(done) => Note::Text(self.str(if done { "[x] " } else { "[ ] " })),
        };
        self.events.push(note);
    }

    fn open(&mut self, tag: Tag<'_>) -> Option<Open> {
        Some(match tag {
            Tag::Paragraph => Open::Paragraph,
            Tag::Heading { level, .. } => Open::Heading(level),
            Tag::BlockQuote(kind) => Open::BlockQuote(kind),
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => Open::FencedCode(self.str(&info)),
            Tag::CodeBlock(CodeBlockKind::Indented) => Open::IndentedCode,
            Tag::List(start) => Open::List(start.map(|n| u32::try_from(n).unwrap_or(u32::MAX))),
            Tag::Item => Open::Item,
            Tag::Table(alignments) => {
                self.tables.push(alignments);
                Open::Table(self.tables.len() as u32 - 1)
            }
            Tag::TableHead => Open::TableHead,
            Tag::TableRow => Open::TableRow,
            Tag::TableCell => Open::TableCell,
            Tag::Emphasis => Open::Emphasis,
            Tag::Strong => Open::Strong,
            Tag::Strikethrough => Open::Strikethrough,
            Tag::Superscript => Open::Superscript,
            Tag::Subscript => Open::Subscript,
            Tag::Link {
                link_type,
                dest_url,
                title,
                ..
            }
            | Tag::Image {
                link_type,
                dest_url,
                title,
                ..
            } => {
                let link = Link {
                    kind: link_type,
                    url: self.str(&dest_url),
                    title: self.str(&title),
                };
                self.links.push(link);
                Open::Link(self.links.len() as u32 - 1)
            }
            Tag::HtmlBlock
            | Tag::FootnoteDefinition(_)
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => return None,
        })
    }

    /// Gives back the room reserved while the notes were built: an episode's
    /// notes live until its feed is written.
    pub fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.events.shrink_to_fit();
        self.links.shrink_to_fit();
    }

    /// The notes as pulldown-cmark events, their strings borrowed.
    pub fn events(&self) -> impl Iterator<Item = Event<'_>> + '_ {
        self.events.iter().map(move |n| self.event(*n))
    }

    fn event(&self, n: Note) -> Event<'_> {
        let s = |s: Str| CowStr::Borrowed(self.get(s));
        match n {
            Note::Start(open) => Event::Start(match open {
                Open::Paragraph => Tag::Paragraph,
                Open::Heading(level) => Tag::Heading {
                    level,
                    id: None,
                    classes: Vec::new(),
                    attrs: Vec::new(),
                },
                Open::BlockQuote(kind) => Tag::BlockQuote(kind),
                Open::FencedCode(info) => Tag::CodeBlock(CodeBlockKind::Fenced(s(info))),
                Open::IndentedCode => Tag::CodeBlock(CodeBlockKind::Indented),
                Open::List(start) => Tag::List(start.map(u64::from)),
                Open::Item => Tag::Item,
                Open::Table(i) => Tag::Table(self.tables[i as usize].clone()),
                Open::TableHead => Tag::TableHead,
                Open::TableRow => Tag::TableRow,
                Open::TableCell => Tag::TableCell,
                Open::Emphasis => Tag::Emphasis,
                Open::Strong => Tag::Strong,
                Open::Strikethrough => Tag::Strikethrough,
                Open::Superscript => Tag::Superscript,
                Open::Subscript => Tag::Subscript,
                Open::Link(i) => {
                    let link = self.links[i as usize];
                    Tag::Link {
                        link_type: link.kind,
                        dest_url: s(link.url),
                        title: s(link.title),
                        id: CowStr::Borrowed(""),
                    }
                }
            }),
            Note::End(end) => Event::End(end),
            Note::Text(t) => Event::Text(s(t)),
            Note::Code(t) => Event::Code(s(t)),
            Note::SoftBreak => Event::SoftBreak,
            Note::HardBreak => Event::HardBreak,
            Note::Rule => Event::Rule,
        }
    }
}

impl<'a> FromIterator<Event<'a>> for Notes {
    fn from_iter<I: IntoIterator<Item = Event<'a>>>(events: I) -> Self {
        let mut notes = Notes::default();
        events.into_iter().for_each(|e| notes.push(e));
        notes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::{Options, Parser};

    /// Every event the notes keep comes back as it went in.
    #[test]
    fn events_come_back_as_pushed() {
        let md = "# H\n\n| a | b |\n|:-|-:|\n| `c` | [l](https://x/ \"t\") |\n\n\
                  > q\n\n3. o\n4. p\n\n```sh x\ncode\n```\n\n    indented\n\n\
                  ***\n~~s~~ *e* **g** line  \nbreak\nsoft <https://auto/> <a@b.c>\n";
        let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
        let events: Vec<Event<'_>> = Parser::new_ext(md, opts).collect();
        let notes: Notes = events.iter().cloned().collect();
        let back: Vec<Event<'_>> = notes.events().collect();
        let normalized: Vec<Event<'_>> = events
            .into_iter()
            .map(|e| match e {
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    ..
                }) => Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id: CowStr::Borrowed(""),
                }),
                e => e,
            })
            .collect();
        assert_eq!(back, normalized);
    }

    /// An event is small: notes live until the feed is written.
    #[test]
    fn events_are_compact() {
        assert!(
            std::mem::size_of::<Note>() <= 12,
            "{}",
            std::mem::size_of::<Note>()
        );
    }

    #[test]
    fn raw_html_and_images_are_kept_safe() {
        let md = "<b>x</b> ![alt](https://x/i.png)\n\n- [x] done\n";
        let opts = Options::ENABLE_TASKLISTS;
        let notes: Notes = Parser::new_ext(md, opts).collect();
        let back: Vec<Event<'_>> = notes.events().collect();
        assert!(back
            .iter()
            .all(|e| !matches!(e, Event::Html(_) | Event::InlineHtml(_))));
        assert!(back.contains(&Event::Text("<b>".into())));
        assert!(back.contains(&Event::Text("[x] ".into())));
        assert!(back
            .iter()
            .any(|e| matches!(e, Event::Start(Tag::Link { dest_url, .. }) if &**dest_url == "https://x/i.png")));
    }
}
