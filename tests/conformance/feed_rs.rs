//! The feed-rs crate on all three documents.

use serde_json::json;

use crate::report::{enclosure_of, per_item, Report};
use crate::show::Docs;

pub fn feed_rs(r: &mut Report, docs: &Docs) {
    let items = &docs.feed().items;
    let col = "feed-rs";
    let parse = |name: &str| {
        feed_rs::parser::parse(std::fs::read(docs.file(name)).unwrap().as_slice())
            .map_err(|e| format!("feed-rs cannot parse {name}: {e}"))
    };
    let (rss, atom, jsonf) = match (parse("feed.xml"), parse("atom.xml"), parse("feed.json")) {
        (Ok(rss), Ok(atom), Ok(jsonf)) => (rss, atom, jsonf),
        (rss, atom, jsonf) => {
            for e in [rss.err(), atom.err(), jsonf.err()].into_iter().flatten() {
                r.problem(e);
            }
            return;
        }
    };
    for (name, f) in [
        ("feed.xml", &rss),
        ("atom.xml", &atom),
        ("feed.json", &jsonf),
    ] {
        if f.entries.len() != items.len() {
            r.problem(format!(
                "feed-rs read {} entries from {name}, the model has {}",
                f.entries.len(),
                items.len()
            ));
            return;
        }
    }
    let title = |f: &feed_rs::model::Feed| {
        json!(f
            .entries
            .iter()
            .map(|e| e.title.as_ref().map(|t| t.content.clone()))
            .collect::<Vec<_>>())
    };
    let ids = |f: &feed_rs::model::Feed| json!(f.entries.iter().map(|e| &e.id).collect::<Vec<_>>());
    let dates = |f: &feed_rs::model::Feed| {
        json!(f
            .entries
            .iter()
            .map(|e| e.published.map(|d| d.timestamp()))
            .collect::<Vec<_>>())
    };
    let titles = per_item(items, |i| json!(i.title));
    r.judge(
        "title",
        col,
        json!([titles, titles, titles]),
        json!([title(&rss), title(&atom), title(&jsonf)]),
        true,
        "✓ RSS, Atom, JSON",
    );
    r.judge(
        "guid / id",
        col,
        json!([
            per_item(items, |i| json!(i.guid)),
            per_item(items, |i| json!(i.id_iri)),
            per_item(items, |i| json!(i.id_iri))
        ]),
        json!([ids(&rss), ids(&atom), ids(&jsonf)]),
        true,
        "✓ RSS, Atom, JSON",
    );
    let published = per_item(items, |i| json!(i.published.timestamp()));
    r.judge(
        "pubDate",
        col,
        json!([published, published, published]),
        json!([dates(&rss), dates(&atom), dates(&jsonf)]),
        true,
        "✓ RSS, Atom, JSON",
    );
    let rss_enclosures = json!(rss
        .entries
        .iter()
        .map(|e| e.media.iter().flat_map(|m| &m.content).map(|c| json!({"url": c.url.as_ref().map(|u| u.to_string()), "length": c.size, "type": c.content_type.as_ref().map(|t| t.to_string())})).collect::<Vec<_>>())
        .collect::<Vec<_>>());
    let link_enclosures = |f: &feed_rs::model::Feed, rel: Option<&str>| {
        json!(f
            .entries
            .iter()
            .map(|e| e
                .links
                .iter()
                .filter(|l| l.rel.as_deref() == rel
                    && l.media_type
                        .as_deref()
                        .is_some_and(|t| t.starts_with("audio/")))
                .map(|l| json!({"url": l.href, "length": l.length, "type": l.media_type}))
                .collect::<Vec<_>>())
            .collect::<Vec<_>>())
    };
    let enclosures = per_item(items, |i| json!([enclosure_of(i)]));
    r.judge(
        "enclosure (url, length, type)",
        col,
        json!([enclosures, enclosures]),
        json!([rss_enclosures, link_enclosures(&atom, Some("enclosure"))]),
        true,
        "✓ RSS, Atom",
    );
    r.judge(
        "JSON attachments",
        col,
        enclosures.clone(),
        link_enclosures(&jsonf, None),
        true,
        "✓ url, size, type",
    );
    r.judge(
        "duration",
        col,
        per_item(items, |i| json!(i.duration)),
        json!(rss
            .entries
            .iter()
            .map(|e| e.media.iter().find_map(|m| m.duration).map(|d| d.as_secs()))
            .collect::<Vec<_>>()),
        true,
        "✓ RSS",
    );
    let names = per_item(items, |i| {
        json!(i.persons.iter().map(|p| &p.name).collect::<Vec<_>>())
    });
    r.judge(
        "persons",
        col,
        json!([names, names]),
        json!([
            atom.entries
                .iter()
                .map(|e| e.contributors.iter().map(|p| &p.name).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
            jsonf
                .entries
                .iter()
                .map(|e| e.authors.iter().map(|p| &p.name).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
        ]),
        true,
        "◐ names: Atom contributors, JSON authors",
    );
    // The notes HTML as feed.json carries it: the Atom content must be the same.
    let notes = &docs.built.notes_html;
    r.judge(
        "Atom content",
        col,
        json!(notes
            .iter()
            .map(|html| json!(["text/html", html.trim()]))
            .collect::<Vec<_>>()),
        json!(atom
            .entries
            .iter()
            .map(|e| e
                .content
                .as_ref()
                .map(|c| json!([c.content_type.to_string(), c.body.as_deref().map(str::trim)])))
            .collect::<Vec<_>>()),
        true,
        "✓ html, byte-equal",
    );
    let cats = json!(docs
        .feed()
        .show
        .categories
        .iter()
        .map(|(t, s)| json!([t, s]))
        .collect::<Vec<_>>());
    r.judge(
        "itunes:category",
        col,
        cats,
        json!(rss
            .categories
            .iter()
            .map(|c| json!([c.term, c.subcategories.first().map(|s| &s.term)]))
            .collect::<Vec<_>>()),
        true,
        "✓",
    );
    for row in [
        "episode",
        "season",
        "transcript",
        "chapters",
        "contentLink",
        "funding",
        "locked",
        "podcast:guid",
        "explicit",
    ] {
        r.set(row, col, "—");
    }
}
