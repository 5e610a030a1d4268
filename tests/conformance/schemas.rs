//! The schemas: jing on atom.xml (the Atom RELAX NG schema), xmllint on the
//! `podcast:*` elements of feed.xml (the podcast XSD).

use crate::report::Report;
use crate::show::Docs;
use crate::tools::{jing, podcast_wrapper, schemas, xmllint};
use crate::xml::{parse_xml, El};

pub fn atom_rnc(r: &mut Report, docs: &Docs) {
    let col = "jing (Atom RNC)";
    let atom = parse_xml(&docs.read("atom.xml"));
    let ok = match jing(&docs.file("atom.xml")) {
        Ok(()) => "✓",
        Err(e) => {
            r.problem(format!("jing rejects atom.xml:\n{e}"));
            "✗"
        }
    };
    let feed_el = atom.first("feed").expect("atom:feed");
    let entries = feed_el.all("entry");
    let every = |pred: &dyn Fn(&El) -> bool| !entries.is_empty() && entries.iter().all(|e| pred(e));
    let rel = |e: &El, rel: &str| e.all("link").iter().any(|l| l.attr("rel") == Some(rel));
    let rows: [(&'static str, bool); 7] = [
        ("title", every(&|e| e.first("title").is_some())),
        ("guid / id", every(&|e| e.first("id").is_some())),
        ("pubDate", every(&|e| e.first("published").is_some())),
        (
            "enclosure (url, length, type)",
            every(&|e| {
                e.all("link")
                    .iter()
                    .any(|l| l.attr("rel") == Some("enclosure") && l.attr("length").is_some())
            }),
        ),
        ("persons", every(&|e| e.first("contributor").is_some())),
        (
            "Atom content",
            every(&|e| e.first("content").and_then(|c| c.attr("type")) == Some("html")),
        ),
        ("atom:link rel=self", rel(feed_el, "self")),
    ];
    for (row, present) in rows {
        r.set(row, col, if present { ok } else { "— not in atom.xml" });
        if !present {
            r.problem(format!("atom.xml lacks the Atom counterpart of `{row}`"));
        }
    }
}

pub fn podcast_xsd(r: &mut Report, docs: &Docs) {
    let col = "xmllint (podcast XSD)";
    let xml = docs.read("feed.xml");
    let wrapper = podcast_wrapper(&xml);
    let ok = match xmllint(&wrapper, true) {
        Ok(()) => true,
        Err(e) => {
            r.problem(format!(
                "xmllint rejects the podcast:* elements of feed.xml:\n{e}"
            ));
            false
        }
    };
    let xsd = std::fs::read_to_string(schemas().join("podcast.xsd")).unwrap();
    let rows: [(&'static str, &str); 9] = [
        ("episode", "episode"),
        ("season", "season"),
        ("persons", "person"),
        ("transcript", "transcript"),
        ("chapters", "chapters"),
        ("contentLink", "contentLink"),
        ("funding", "funding"),
        ("locked", "locked"),
        ("podcast:guid", "guid"),
    ];
    for (row, tag) in rows {
        let emitted = wrapper.contains(&format!("<podcast:{tag} "))
            || wrapper.contains(&format!("<podcast:{tag}>"));
        let declared = xsd.contains(&format!("<xs:element name=\"{tag}\""));
        let text = match (emitted, declared, ok) {
            (false, _, _) => {
                r.problem(format!("feed.xml has no podcast:{tag}"));
                "— not in feed.xml"
            }
            (true, _, false) => "✗",
            (true, false, true) => "○ not in the 2021 XSD (lax)",
            (true, true, true) if tag == "season" => "✓ ²",
            (true, true, true) => "✓",
        };
        r.set(row, col, text);
    }
}

/// The verbatim 2021 XSD rejects the built `podcast:*` elements for the
/// missing season name only (see the patched copy in [`podcast_xsd`]):
/// anything else it rejects is a problem, and so is its accepting them.
pub fn podcast_xsd_verbatim(r: &mut Report, docs: &Docs) {
    let wrapper = podcast_wrapper(&docs.read("feed.xml"));
    let Err(err) = xmllint(&wrapper, false) else {
        r.problem(
            "the verbatim podcast XSD accepts podcast:season without a name: drop its patch".into(),
        );
        return;
    };
    let errors: Vec<&str> = err.lines().filter(|l| l.contains("error")).collect();
    let season_name = |l: &&str| l.contains("season") && l.contains("'name' is required");
    if !errors.iter().any(season_name) {
        r.problem(format!(
            "the verbatim podcast XSD does not reject the season name:\n{err}"
        ));
    }
    for line in errors.iter().filter(|l| !season_name(l)) {
        r.problem(format!(
            "the verbatim podcast XSD rejects more than the season name: {line}"
        ));
    }
}
