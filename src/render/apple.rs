//! The Apple description (RSS `description`): only `p ol ul li a`, at most
//! [`APPLE_LIMIT`] bytes, cut between elements, with a link to the full notes
//! when it does not fit.
//!
//! The description is written as the notes' events are walked, noting where
//! it may be cut; only notes over the limit are cut.

use pulldown_cmark::{Event, Tag};
use pulldown_cmark_escape::{escape_html, escape_html_body_text};
use unicode_segmentation::UnicodeSegmentation;

use crate::model::Notes;

/// Apple's limit for `description`, in bytes.
pub(crate) const APPLE_LIMIT: usize = 4000;

/// The Apple description of one episode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AppleDescription {
    pub html: String,
    /// The notes did not fit and were cut.
    pub truncated: bool,
}

/// Whether the description of `notes` is over `limit` bytes, and cut.
pub(crate) fn is_cut(notes: &Notes, limit: usize) -> bool {
    Whole::write(notes, false).html.len() > limit
}

/// The description of `notes`, cut to `limit` bytes. `full_link` is where the
/// full notes are (the episode page, else the show page).
pub(crate) fn description(
    notes: &Notes,
    full_link: Option<&str>,
    limit: usize,
) -> AppleDescription {
    let whole = Whole::write(notes, false);
    if whole.html.len() <= limit {
        return AppleDescription {
            html: whole.html,
            truncated: false,
        };
    }
    let whole = Whole::write(notes, true);
    let trailer = trailer(full_link);
    let budget = limit.saturating_sub(trailer.len());
    // The longest prefix that ends at a cut and fits with its closing tags.
    // A later cut never needs less room than an earlier one (its closing tags
    // are lists that close after it, so they are in the HTML before any later
    // cut): the largest that fits is where a walk cutting between elements,
    // entering only lists, stops.
    let best = whole
        .cuts
        .iter()
        .filter(|c| c.at + c.closes.len() <= budget)
        .max_by_key(|c| c.at);
    let mut out = best.map_or_else(String::new, |c| {
        let mut s = whole.html[..c.at].to_string();
        s.push_str(&c.closes);
        s
    });
    if out.is_empty() {
        // Even the first block is too big: its text is cut.
        out = cut_text(notes, budget);
    }
    out.push_str(&trailer);
    AppleDescription {
        html: out,
        truncated: true,
    }
}

/// An element of the description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Elem<'a> {
    P,
    Ul,
    Ol,
    Li,
    A(&'a str),
}

impl Elem<'_> {
    fn tag(self) -> &'static str {
        match self {
            Elem::P => "p",
            Elem::Ul => "ul",
            Elem::Ol => "ol",
            Elem::Li => "li",
            Elem::A(_) => "a",
        }
    }

    /// A list or list item, which a cut may enter.
    fn is_list(self) -> bool {
        matches!(self, Elem::Ul | Elem::Ol | Elem::Li)
    }
}

/// What the notes become: headings and code become paragraphs, emphasis and
/// quotes are unwrapped, a table becomes a paragraph per row.
enum Piece<'a> {
    Open(Elem<'a>),
    Close,
    Text(&'a str),
}

/// Walks the notes' events as [`Piece`]s; every element opened is closed.
fn walk(notes: &Notes, mut f: impl FnMut(Piece<'_>)) {
    // Which Starts opened an element (true) or were unwrapped (false).
    let mut opened: Vec<bool> = Vec::new();
    let mut depth = 0;
    let mut cells = 0;
    for e in notes.events() {
        match e {
            Event::Start(t) => {
                let elem = match &t {
                    Tag::Paragraph
                    | Tag::Heading { .. }
                    | Tag::CodeBlock(_)
                    | Tag::TableRow
                    | Tag::TableHead => {
                        cells = 0;
                        Some(Elem::P)
                    }
                    Tag::List(None) => Some(Elem::Ul),
                    Tag::List(Some(_)) => Some(Elem::Ol),
                    Tag::Item => Some(Elem::Li),
                    Tag::Link { dest_url, .. } => Some(Elem::A(dest_url)),
                    Tag::TableCell => {
                        if cells > 0 {
                            f(Piece::Text(" | "));
                        }
                        cells += 1;
                        None
                    }
                    _ => None,
                };
                opened.push(elem.is_some());
                if let Some(elem) = elem {
                    depth += 1;
                    f(Piece::Open(elem));
                }
            }
            Event::End(_) if opened.pop().unwrap_or(false) && depth > 0 => {
                depth -= 1;
                f(Piece::Close);
            }
            Event::Text(s) | Event::Code(s) => f(Piece::Text(&s)),
            Event::SoftBreak | Event::HardBreak => f(Piece::Text(" ")),
            _ => {}
        }
    }
    (0..depth).for_each(|_| f(Piece::Close));
}

/// The whole description, uncut, and the places it may be cut.
struct Whole {
    html: String,
    /// In document order; only noted when asked for (most notes fit).
    cuts: Vec<Cut>,
    noting_cuts: bool,
}

/// A place the description may be cut: after a top-level element, or after
/// a child of a list whose ancestors are all lists (so a long list is cut
/// between its items), with the closing tags that then follow.
struct Cut {
    at: usize,
    closes: String,
}

/// An element open while writing.
struct Open {
    tag: &'static str,
    /// Its tags are written: a `p` directly in a written `p` is not, only
    /// its content.
    written: bool,
    /// Where its content starts.
    content: usize,
    /// It and all its ancestors are lists.
    in_lists: bool,
}

impl Whole {
    fn write(notes: &Notes, noting_cuts: bool) -> Whole {
        let mut w = Whole {
            html: String::new(),
            cuts: Vec::new(),
            noting_cuts,
        };
        let mut open: Vec<Open> = Vec::new();
        // Text was written since the last element began or ended: a cut may
        // follow it.
        let mut text_run = false;
        walk(notes, |piece| {
            if text_run && !matches!(piece, Piece::Text(_)) {
                text_run = false;
                w.cut_in(&open);
            }
            match piece {
                Piece::Open(elem) => {
                    let parent = open.last();
                    let written =
                        !(elem == Elem::P && parent.is_some_and(|p| p.tag == "p" && p.written));
                    if written {
                        w.html.push('<');
                        w.html.push_str(elem.tag());
                        if let Elem::A(href) = elem {
                            w.html.push_str(" href=\"");
                            escape_html(&mut w.html, href).expect("writing to a String");
                            w.html.push('"');
                        }
                        w.html.push('>');
                    }
                    open.push(Open {
                        tag: elem.tag(),
                        written,
                        content: w.html.len(),
                        in_lists: elem.is_list() && parent.is_none_or(|p| p.in_lists),
                    });
                }
                Piece::Close => {
                    let Some(done) = open.pop() else { return };
                    if done.written {
                        w.html.push_str("</");
                        w.html.push_str(done.tag);
                        w.html.push('>');
                    }
                    w.cut_in(&open);
                }
                Piece::Text(t) => {
                    text_run = true;
                    escape_html_body_text(&mut w.html, t).expect("writing to a String");
                }
            }
        });
        if text_run {
            w.cut_in(&open);
        }
        w
    }

    /// A child of the innermost open element (or a top-level one) ended here.
    fn cut_in(&mut self, open: &[Open]) {
        if !self.noting_cuts {
            return;
        }
        let at = self.html.len();
        match open.last() {
            None => self.cuts.push(Cut {
                at,
                closes: String::new(),
            }),
            // A list left with nothing in it is not kept.
            Some(parent) if parent.in_lists && at > parent.content => {
                let closes = open.iter().rev().map(|o| format!("</{}>", o.tag)).collect();
                self.cuts.push(Cut { at, closes });
            }
            Some(_) => {}
        }
    }
}

/// "Full show notes" (or `…`) after a cut description.
fn trailer(full_link: Option<&str>) -> String {
    match full_link {
        Some(l) => {
            let mut t = String::from("<p><a href=\"");
            escape_html(&mut t, l).expect("writing to a String");
            t.push_str("\">Full show notes</a></p>");
            t
        }
        None => "<p>…</p>".to_string(),
    }
}

/// The text of the notes (a space after each element) cut at a grapheme
/// boundary to fit `budget`, as one paragraph: for notes whose first block
/// alone is over the limit.
fn cut_text(notes: &Notes, budget: usize) -> String {
    let mut text = String::new();
    walk(notes, |piece| match piece {
        Piece::Text(t) => text.push_str(t),
        Piece::Close => text.push(' '),
        Piece::Open(_) => {}
    });
    let room = budget.saturating_sub("<p>…</p>".len());
    let mut cut = String::new();
    for g in text.graphemes(true) {
        let mut escaped = String::new();
        escape_html_body_text(&mut escaped, g).expect("writing to a String");
        if cut.len() + escaped.len() > room {
            break;
        }
        cut.push_str(&escaped);
    }
    format!("<p>{cut}…</p>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use pulldown_cmark::Parser;

    fn notes(md: &str) -> Notes {
        Parser::new(md).collect()
    }

    #[test]
    fn keeps_only_allowed_tags() {
        let a = description(
            &notes("## Head\n\n*em* `code` [l](https://x.io)\n\n- a\n  1. b\n"),
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
    fn cuts_between_list_items_and_links_full_notes() {
        let md: String = (0..400).map(|i| format!("- item number {i} &\n")).collect();
        let a = description(&notes(&md), Some("https://e.x/1"), 4000);
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
    fn cuts_one_huge_paragraph_on_graphemes() {
        let md = "👩‍👩‍👧‍👦".repeat(1000);
        let a = description(&notes(&md), None, 4000);
        assert!(a.truncated && a.html.len() <= 4000);
        let inner = a.html.trim_start_matches("<p>").split('…').next().unwrap();
        assert_eq!(inner.len() % "👩‍👩‍👧‍👦".len(), 0);
    }

    #[test]
    fn a_cut_enters_nested_lists_but_not_links_or_paragraphs() {
        let long = "y".repeat(30);
        // Cut in the inner list, closing both lists.
        let md = format!("- a\n  - {long}\n  - {long}\n  - {long}\n");
        let a = description(&notes(&md), None, 110);
        assert!(a.truncated);
        assert_eq!(
            a.html,
            format!("<ul><li>a<ul><li>{long}</li></ul></li></ul><p>…</p>")
        );
        // A list inside a link is not entered: the link goes whole or not at all.
        let md = format!("- [{long} {long} {long}](https://e.x/)\n- b\n");
        let a = description(&notes(&md), None, 70);
        assert!(!a.html.contains("<a "), "{}", a.html);
        // A paragraph in a paragraph is written as its content only.
        use pulldown_cmark::TagEnd;
        let events = vec![
            Event::Start(Tag::Paragraph),
            Event::Start(Tag::Paragraph),
            Event::Start(Tag::Paragraph),
            Event::Text("x".into()),
            Event::End(TagEnd::Paragraph),
            Event::End(TagEnd::Paragraph),
            Event::End(TagEnd::Paragraph),
        ];
        let nested: Notes = events.into_iter().collect();
        assert_eq!(description(&nested, None, 4000).html, "<p><p>x</p></p>");
    }

    #[test]
    fn an_item_holding_only_empty_text_is_not_kept() {
        // An element the walk wrote nothing into is dropped, not left as
        // `<li></li>`, wherever the cut falls.
        use pulldown_cmark::{CowStr, LinkType, TagEnd};
        let long = "x".repeat(60);
        let events = vec![
            Event::Start(Tag::List(None)),
            Event::Start(Tag::Item),
            Event::Text(CowStr::Borrowed(&long)),
            Event::End(TagEnd::Item),
            Event::Start(Tag::Item),
            Event::Text(CowStr::Borrowed("")),
            Event::Start(Tag::Link {
                link_type: LinkType::Inline,
                dest_url: CowStr::Borrowed("https://e.x/a"),
                title: CowStr::Borrowed(""),
                id: CowStr::Borrowed(""),
            }),
            Event::Text(CowStr::Borrowed(&long)),
            Event::End(TagEnd::Link),
            Event::End(TagEnd::Item),
            Event::End(TagEnd::List(false)),
        ];
        let notes: Notes = events.into_iter().collect();
        for limit in 60..140 {
            let a = description(&notes, Some("https://e.x/"), limit);
            assert!(!a.html.contains("<li></li>"), "{limit}: {}", a.html);
        }
    }
}
