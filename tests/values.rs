//! Values that pass straight into the feeds, each made hostile: a slug that is
//! not a path segment, URLs with credentials, soundbites, locations and
//! recurrence rules a feed element cannot take, handles that only look like
//! others, and schemes followed by digits. Every show is built (its findings
//! made warnings where the test needs feeds written), the documents are read
//! back with quick-xml and serde_json, and none may hold the hostile value.

mod common;
mod feedcheck;

use std::collections::BTreeSet;

use common::*;
use feedgen::diag::Rule;
use quick_xml::events::Event;

/// Findings that would stop the build made warnings: the values are then
/// left out, and the feeds written for the test to read.
const LAX: &str = "\n[rules]\ninvalid-url = \"warn\"\ninvalid-link = \"warn\"\ninvalid-value = \"warn\"\nunsafe-link = \"warn\"\n";

/// One element of an XML document: its name, attributes and own text.
#[derive(Debug)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
}

impl Node {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Every element of `xml`, in document order, with entities decoded.
fn nodes(xml: &str) -> Vec<Node> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut out, mut open): (Vec<Node>, Vec<usize>) = (Vec::new(), Vec::new());
    let node = |e: &quick_xml::events::BytesStart| Node {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                (key, a.unescape_value().unwrap().into_owned())
            })
            .collect(),
        text: String::new(),
    };
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => {
                out.push(node(&e));
                open.push(out.len() - 1);
            }
            Event::Empty(e) => out.push(node(&e)),
            Event::End(_) => {
                open.pop();
            }
            Event::Text(t) => {
                if let Some(&i) = open.last() {
                    out[i].text.push_str(&t.unescape().unwrap());
                }
            }
            Event::CData(c) => {
                if let Some(&i) = open.last() {
                    out[i].text.push_str(std::str::from_utf8(&c).unwrap());
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

fn named<'a>(nodes: &'a [Node], name: &str) -> Vec<&'a Node> {
    nodes.iter().filter(|n| n.name == name).collect()
}

/// Every string of a JSON document, keys excluded.
fn json_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| json_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| json_strings(x, out)),
        _ => {}
    }
}

/// The three documents, decoded: (RSS nodes, Atom nodes, JSON Feed), and
/// every text and attribute value and JSON string in one list.
struct Feeds {
    rss: Vec<Node>,
    atom: Vec<Node>,
    json: serde_json::Value,
    values: Vec<String>,
}

/// Builds `t`, which must write its feeds, and reads them back.
fn built(t: &TempProject) -> Feeds {
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    feedcheck::check_outputs(&out.written).unwrap();
    let rss = nodes(&t.read("public/feed.xml"));
    let atom = nodes(&t.read("public/atom.xml"));
    let json: serde_json::Value = serde_json::from_str(&t.read("public/feed.json")).unwrap();
    let mut values = Vec::new();
    for n in rss.iter().chain(atom.iter()) {
        values.push(n.text.clone());
        values.extend(n.attrs.iter().map(|(_, v)| v.clone()));
    }
    json_strings(&json, &mut values);
    Feeds {
        rss,
        atom,
        json,
        values,
    }
}

impl Feeds {
    fn assert_nowhere(&self, needle: &str) {
        let found: Vec<&String> = self.values.iter().filter(|v| v.contains(needle)).collect();
        assert!(found.is_empty(), "`{needle}` reached a feed: {found:?}");
    }
}

#[test]
fn a_slug_is_one_percent_encoded_path_segment_in_every_document() {
    let t = TempProject::new(&MINIMAL_TOML.replace(
        "episode_url = \"https://example.com/episodes/{number}/\"",
        "episode_url = \"https://example.com/e/{slug}/\"",
    ));
    let slug = "a b?c#d<e\"f'g";
    t.write(
        &format!("episodes/{slug}.md"),
        format!("{}{}", front(1), body(1)),
    );
    let feeds = built(&t);
    let page = "https://example.com/e/a%20b%3Fc%23d%3Ce%22f%27g/";
    let rss_links: Vec<&str> = named(&feeds.rss, "link")
        .into_iter()
        .map(|n| n.text.as_str())
        .filter(|l| l.contains("/e/"))
        .collect();
    assert_eq!(rss_links, vec![page]);
    let atom_links: Vec<&str> = named(&feeds.atom, "link")
        .into_iter()
        .filter_map(|n| n.attr("href"))
        .filter(|l| l.contains("/e/"))
        .collect();
    assert_eq!(atom_links, vec![page]);
    assert_eq!(feeds.json["items"][0]["url"], page);
    let url = url::Url::parse(page).unwrap();
    assert_eq!(url.path_segments().unwrap().count(), 3);
    assert!(url.query().is_none() && url.fragment().is_none());
    feeds.assert_nowhere(slug);
}

#[test]
fn credentials_never_reach_a_feed() {
    let toml = MINIMAL_TOML
        .replace(
            "href = \"https://example.com/alice\"",
            "href = \"https://alice:hunter2@example.com/alice\"",
        )
        .replace(
            "timezone = \"Asia/Tokyo\"\n",
            "timezone = \"Asia/Tokyo\"\nfunding = [{ url = \"https://f:hunter2@example.com/give\", text = \"Give\" }]\nnew_feed_url = \"https://hunter2@example.com/new.xml\"\n",
        );
    let t = TempProject::new(&format!("{toml}{LAX}"));
    let front = front(1).replace(
        "+++\ntitle",
        "+++\nvideo = \"https://v:hunter2@example.com/v\"\nimage = \"https://i:hunter2@example.com/i.jpg\"\nlicense = { name = \"CC-BY-4.0\", url = \"https://l:hunter2@example.com/l\" }\ntitle",
    );
    let body = body(1).replace(
        "- note\n",
        "- note\n- [creds](https://n:hunter2@example.com/n) and [mail](mailto:a@example.com)\n",
    );
    t.write("episodes/001.md", format!("{front}{body}"));
    let p = t.check();
    let said = |rule: Rule| {
        find(&p, rule)
            .iter()
            .filter(|d| d.message.contains("user name or password"))
            .count()
    };
    assert_eq!(said(Rule::InvalidUrl), 6, "{}", summary(&p));
    assert_eq!(said(Rule::InvalidLink), 1, "{}", summary(&p));
    let feeds = built(&t);
    feeds.assert_nowhere("hunter2");
    // What is not a credential is kept: the link's text and the mailto link.
    assert!(feeds.values.iter().any(|v| v.contains("creds")));
    assert!(feeds
        .values
        .iter()
        .any(|v| v.contains("mailto:a@example.com")));
}

#[test]
fn credentials_in_an_enclosure_url_are_refused() {
    let t = TempProject::minimal();
    let front = front(1).replace(
        "https://cdn.example.com/001.mp3",
        "https://a:hunter2@cdn.example.com/001.mp3",
    );
    t.write("episodes/001.md", format!("{front}{}", body(1)));
    let out = t.build();
    assert!(out.written.is_empty());
    let d = find(&out.project, Rule::InvalidUrl);
    assert!(
        d.iter()
            .any(|d| d.message.contains("user name or password")),
        "{}",
        summary(&out.project)
    );
}

#[test]
fn values_a_feed_element_cannot_take_are_left_out() {
    let extra = "location = { name = \"Tokyo\", geo = \"35.68,139.76\", osm = \"R1543125\" }\nupdate_frequency = { rrule = \"FREQ=FORTNIGHTLY\", text = \"Every other week\" }\npodroll = [{ feed_guid = \"not-a-guid\" }, { feed_guid = \"917393e3-1b1e-5cef-ace4-edaa54e1f810\" }]\n";
    let toml = MINIMAL_TOML.replace(
        "timezone = \"Asia/Tokyo\"\n",
        &format!("timezone = \"Asia/Tokyo\"\n{extra}"),
    );
    let t = TempProject::new(&format!("{toml}{LAX}"));
    let front = front(1).replace(
        "+++\ntitle",
        "+++\nsoundbites = [\n  { start = nan, duration = 30.0 },\n  { start = 5.0, duration = inf },\n  { start = -1.0, duration = 30.0 },\n  { start = 5.0, duration = 0.0 },\n  { start = 5.0, duration = -nan },\n  { start = 10.0, duration = 30.5, title = \"kept\" },\n]\nlocation = { name = \"Here\", geo = \"geo:91,0\", osm = \"node 1\" }\ntitle",
    );
    t.write("episodes/001.md", format!("{front}{}", body(1)));
    // As the rules stand, these are errors: nothing is written.
    let strict = TempProject::new(&toml);
    strict.write("episodes/001.md", format!("{front}{}", body(1)));
    let out = strict.build();
    assert!(out.written.is_empty());
    assert_eq!(
        find(&out.project, Rule::InvalidValue).len(),
        10,
        "{}",
        summary(&out.project)
    );
    let feeds = built(&t);
    let bites = named(&feeds.rss, "podcast:soundbite");
    assert_eq!(bites.len(), 1, "{bites:?}");
    assert_eq!(
        (
            bites[0].attr("startTime"),
            bites[0].attr("duration"),
            bites[0].text.as_str()
        ),
        (Some("10"), Some("30.5"), "kept")
    );
    for b in &bites {
        let start: f64 = b.attr("startTime").unwrap().parse().unwrap();
        let duration: f64 = b.attr("duration").unwrap().parse().unwrap();
        assert!(start.is_finite() && start >= 0.0 && duration.is_finite() && duration > 0.0);
    }
    let locations = named(&feeds.rss, "podcast:location");
    let seen: Vec<(&str, Option<&str>, Option<&str>)> = locations
        .iter()
        .map(|l| (l.text.as_str(), l.attr("geo"), l.attr("osm")))
        .collect();
    assert_eq!(
        seen,
        vec![("Tokyo", None, Some("R1543125")), ("Here", None, None)]
    );
    assert!(named(&feeds.rss, "podcast:updateFrequency").is_empty());
    let guids: Vec<_> = named(&feeds.rss, "podcast:remoteItem")
        .iter()
        .map(|r| r.attr("feedGuid"))
        .collect();
    assert_eq!(guids, vec![Some("917393e3-1b1e-5cef-ace4-edaa54e1f810")]);
    for bad in [
        "35.68,139.76",
        "geo:91,0",
        "node 1",
        "FORTNIGHTLY",
        "not-a-guid",
        "NaN",
        "inf",
    ] {
        feeds.assert_nowhere(bad);
    }
}

#[test]
fn valid_values_are_published_as_written() {
    let extra = "location = { name = \"Tokyo\", geo = \"geo:35.68,139.76;u=30\", osm = \"R1543125#4\" }\nupdate_frequency = { rrule = \"FREQ=WEEKLY;BYDAY=MO\", text = \"Mondays\" }\n";
    let t = TempProject::new(&MINIMAL_TOML.replace(
        "timezone = \"Asia/Tokyo\"\n",
        &format!("timezone = \"Asia/Tokyo\"\n{extra}"),
    ));
    let front = front(1).replace(
        "+++\ntitle",
        "+++\nsoundbites = [{ start = -0.0, duration = 12.0 }]\nlocation = { name = \"Here\", geo = \"geo:-33.86,151.2,58\" }\ntitle",
    );
    t.write("episodes/001.md", format!("{front}{}", body(1)));
    let feeds = built(&t);
    let geo: Vec<Option<&str>> = named(&feeds.rss, "podcast:location")
        .iter()
        .map(|l| l.attr("geo"))
        .collect();
    assert_eq!(
        geo,
        vec![Some("geo:35.68,139.76;u=30"), Some("geo:-33.86,151.2,58")]
    );
    let freq = named(&feeds.rss, "podcast:updateFrequency");
    assert_eq!(freq[0].attr("rrule"), Some("FREQ=WEEKLY;BYDAY=MO"));
    let bites = named(&feeds.rss, "podcast:soundbite");
    assert_eq!(
        bites
            .iter()
            .map(|b| b.attr("startTime"))
            .collect::<Vec<_>>(),
        vec![Some("0")]
    );
}

/// The names credited in every document: RSS podcast:person, Atom
/// contributors and authors, JSON Feed authors.
fn credited(feeds: &Feeds) -> BTreeSet<String> {
    let mut names: BTreeSet<String> = named(&feeds.rss, "podcast:person")
        .iter()
        .map(|n| n.text.clone())
        .collect();
    let atom_names = feeds
        .atom
        .iter()
        .enumerate()
        .filter(|(_, n)| n.name == "contributor" || n.name == "author")
        .filter_map(|(i, _)| feeds.atom[i + 1..].iter().find(|n| n.name == "name"));
    names.extend(atom_names.map(|n| n.text.clone()));
    let items = feeds.json["items"].as_array().unwrap();
    for a in items
        .iter()
        .flat_map(|i| i["authors"].as_array().cloned().unwrap_or_default())
    {
        names.insert(a["name"].as_str().unwrap().to_string());
    }
    names
}

#[test]
fn confusable_handles_credit_nobody_in_any_document() {
    let toml =
        format!("{MINIMAL_TOML}\n[people.\"b\u{E9}ll\"]\nname = \"Bell\"\nrole = \"guest\"\n");
    let t = TempProject::new(&toml);
    let body = body(1)
        .replace(
            "- Recording date",
            "- Guests: @bo\u{200D}b, @b\u{43E}b, @\u{FF42}ob and @be\u{301}ll\n- Guest: [@b\u{43E}bby](https://evil.example/)\n- Recording date",
        )
        .replace(
            "- note\n",
            "- note\n\n### @b\u{43E}b\n\n- a\n\n### [@\u{FF42}ob](https://evil.example/)\n\n- b\n\n### @bel\u{200C}l\n\n- c\n\n### @bo\u{301}b2\n\n- d\n",
        );
    t.write("episodes/001.md", format!("{}{body}", front(1)));
    let p = t.check();
    let confusable = positions(&p, Rule::ConfusableHandle);
    assert_eq!(confusable.len(), 7, "{}", summary(&p));
    assert!(find(&p, Rule::UnknownSpeaker)
        .iter()
        .all(|d| d.message.contains("b\u{F3}b2")));
    let feeds = built(&t);
    let names = credited(&feeds);
    // Tester is the show's author (Atom's feed author).
    let want: BTreeSet<String> = ["Alice", "Bell", "Tester", "b\u{F3}b2"]
        .map(String::from)
        .into();
    assert_eq!(names, want);
    // The flawed handles' links stay links in the notes, but credit nobody.
    let hrefs: Vec<&str> = named(&feeds.rss, "podcast:person")
        .iter()
        .filter_map(|n| n.attr("href"))
        .chain(named(&feeds.atom, "uri").iter().map(|n| n.text.as_str()))
        .collect();
    assert!(hrefs.iter().all(|h| !h.contains("evil")), "{hrefs:?}");
    let authors = feeds.json["items"][0]["authors"].to_string();
    assert!(!authors.contains("evil"), "{authors}");
}

#[test]
fn schemes_are_read_as_browsers_read_them() {
    let links = "- [a](javascript:0) [b](data:0) [c](vbscript:0) [d](JavaScript:1/x)\n- [e](localhost:8080) [f](example.com:443/x)\n";
    let t = TempProject::new(&format!("{MINIMAL_TOML}{LAX}"));
    t.write(
        "episodes/001.md",
        format!(
            "{}{}",
            front(1),
            body(1).replace("- note\n", &format!("- note\n{links}"))
        ),
    );
    let p = t.check();
    assert_eq!(find(&p, Rule::UnsafeLink).len(), 6, "{}", summary(&p));
    assert!(find(&p, Rule::RelativeLink).is_empty(), "{}", summary(&p));
    let hint: Vec<_> = find(&p, Rule::UnsafeLink)
        .iter()
        .filter_map(|d| d.help.clone())
        .filter(|h| h.starts_with("did you mean"))
        .collect();
    assert_eq!(
        hint,
        vec![
            "did you mean https://localhost:8080?",
            "did you mean https://example.com:443/x?"
        ]
    );
    let feeds = built(&t);
    for bad in [
        "javascript:",
        "data:0",
        "vbscript:",
        "localhost:8080",
        "example.com:443",
    ] {
        feeds.assert_nowhere(bad);
    }
}

#[test]
fn front_matter_text_cannot_carry_what_a_feed_cannot_hold() {
    let t = TempProject::minimal();
    let front = front(1).replace(
        "+++\ntitle",
        "+++\nsoundbites = [{ start = 1.0, duration = 2.0, title = \"a\\u0001b\" }]\nlocation = { name = \"x\\u202Ey\" }\nlicense = { name = \"l\\u0003m\" }\ntitle",
    );
    t.write("episodes/001.md", format!("{front}{}", body(1)));
    let p = t.check();
    assert_eq!(
        positions(&p, Rule::ControlCharacter).len(),
        2,
        "{}",
        summary(&p)
    );
    assert_eq!(
        positions(&p, Rule::InvisibleCharacter).len(),
        1,
        "{}",
        summary(&p)
    );
    let feeds = built(&t);
    let texts = |name: &str| -> Vec<String> {
        named(&feeds.rss, name)
            .iter()
            .map(|n| n.text.clone())
            .collect()
    };
    assert_eq!(texts("podcast:soundbite"), vec!["ab"]);
    assert_eq!(texts("podcast:location"), vec!["xy"]);
    assert_eq!(texts("podcast:license"), vec!["lm"]);
}

#[test]
fn markup_in_the_show_description_is_text_in_every_document() {
    let hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> Tom & Jerry";
    let t = TempProject::new(&MINIMAL_TOML.replace(
        "description = \"A show for tests.\"",
        &format!("description = {hostile:?}"),
    ));
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    let p = t.check();
    let notes = positions(&p, Rule::RawHtml);
    assert_eq!(
        notes,
        [("podcast.toml".to_string(), 6, 15)],
        "{}",
        summary(&p)
    );
    let feeds = built(&t);
    // RSS readers render the channel description as HTML: it arrives escaped
    // once more, so a reader shows the tags instead of running them.
    let rss = named(&feeds.rss, "description");
    assert_eq!(
        rss[0].text,
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt; Tom &amp; Jerry"
    );
    // Atom's subtitle is of type text (the default) and the JSON Feed's
    // description is text.
    let subtitle = named(&feeds.atom, "subtitle");
    assert!(matches!(subtitle[0].attr("type"), None | Some("text")));
    assert_eq!(subtitle[0].text, hostile);
    assert_eq!(feeds.json["description"], hostile);
}
