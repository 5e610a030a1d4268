//! The Apple description (RSS `description`): only `p ol ul li a`, at most
//! [`APPLE_LIMIT`] bytes, cut between elements, with a link to the full notes
//! when it does not fit.
//!
//! The notes become a small tree first: headings and code become paragraphs,
//! emphasis and quotes are unwrapped, a table becomes a paragraph per row.

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

/// The whole description of `notes`, uncut, and where each of its top-level
/// elements ends in it.
fn whole(tree: &[Node]) -> (String, Vec<usize>) {
    let mut out = String::new();
    let ends = tree
        .iter()
        .map(|n| {
            write_node(n, &mut out);
            out.len()
        })
        .collect();
    (out, ends)
}

/// Whether the description of `notes` is over `limit` bytes, and cut.
pub(crate) fn is_cut(notes: &Notes, limit: usize) -> bool {
    whole(&tree(notes)).0.len() > limit
}

/// The description of `notes`, cut to `limit` bytes. `full_link` is where the
/// full notes are (the episode page, else the show page).
pub(crate) fn description(
    notes: &Notes,
    full_link: Option<&str>,
    limit: usize,
) -> AppleDescription {
    let tree = tree(notes);
    let (whole, ends) = whole(&tree);
    if whole.len() <= limit {
        return AppleDescription {
            html: whole,
            truncated: false,
        };
    }
    let trailer = trailer(full_link);
    let budget = limit.saturating_sub(trailer.len());
    // The top-level elements that fit whole, then as much of the next as
    // fits, if it is a list (see `write_within`).
    let fit = ends.iter().take_while(|&&end| end <= budget).count();
    let mut out = whole[..fit.checked_sub(1).map_or(0, |i| ends[i])].to_string();
    write_within(&tree[fit..], budget, &mut out);
    if out.is_empty() {
        // Even the first block is too big: its text is cut.
        out = cut_text(&tree, budget);
    }
    out.push_str(&trailer);
    AppleDescription {
        html: out,
        truncated: true,
    }
}

/// A node of the description.
#[derive(Debug)]
enum Node {
    Elem(&'static str, Vec<Node>),
    Link(String, Vec<Node>),
    Text(String),
}

/// Builds the restricted tree from the notes' events.
fn tree(notes: &Notes) -> Vec<Node> {
    fn children(n: &mut Node) -> &mut Vec<Node> {
        match n {
            Node::Elem(_, c) | Node::Link(_, c) => c,
            Node::Text(_) => unreachable!("text nodes are never on the stack"),
        }
    }
    fn push_text(stack: &mut [Node], s: &str) {
        let c = children(stack.last_mut().expect("root"));
        if let Some(Node::Text(t)) = c.last_mut() {
            t.push_str(s);
        } else {
            c.push(Node::Text(s.to_string()));
        }
    }
    let mut stack: Vec<Node> = vec![Node::Elem("root", vec![])];
    // Which Starts opened a node (true) or were unwrapped (false).
    let mut opened: Vec<bool> = Vec::new();
    let mut cells = 0;
    for e in notes.events() {
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
                    stack.push(n);
                }
            }
            Event::End(_) if opened.pop().unwrap_or(false) && stack.len() > 1 => {
                let n = stack.pop().expect("len > 1");
                children(stack.last_mut().expect("root")).push(n);
            }
            Event::Text(s) | Event::Code(s) => push_text(&mut stack, &s),
            Event::SoftBreak | Event::HardBreak => push_text(&mut stack, " "),
            _ => {}
        }
    }
    while stack.len() > 1 {
        let n = stack.pop().expect("len > 1");
        children(stack.last_mut().expect("root")).push(n);
    }
    match stack.pop() {
        Some(Node::Elem(_, c)) => c,
        _ => vec![],
    }
}

fn write_node(n: &Node, out: &mut String) {
    match n {
        Node::Text(t) => escape_html_body_text(&mut *out, t).expect("writing to a String"),
        Node::Elem(tag, c) => {
            out.push('<');
            out.push_str(tag);
            out.push('>');
            for ch in c {
                match ch {
                    // A `p` directly in a `p`: only its content is written.
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
            escape_html(&mut *out, href).expect("writing to a String");
            out.push_str("\">");
            c.iter().for_each(|i| write_node(i, out));
            out.push_str("</a>");
        }
    }
}

/// Writes as many whole children as fit in `budget` bytes; lists are entered so
/// a long list is cut between its items. Returns true if everything fit.
fn write_within(nodes: &[Node], budget: usize, out: &mut String) -> bool {
    for n in nodes {
        let mut s = String::new();
        write_node(n, &mut s);
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

/// The text of the notes cut at a grapheme boundary to fit `budget`, as one
/// paragraph: for notes whose first block alone is over the limit.
fn cut_text(tree: &[Node], budget: usize) -> String {
    fn collect(nodes: &[Node], out: &mut String) {
        for n in nodes {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Elem(_, c) | Node::Link(_, c) => {
                    collect(c, out);
                    out.push(' ');
                }
            }
        }
    }
    let mut text = String::new();
    collect(tree, &mut text);
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
