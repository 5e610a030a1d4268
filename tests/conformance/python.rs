//! The Python clients: feedparser (on feed.xml and atom.xml) and
//! podcastparser (on feed.xml), as `conformance/read_python.py` reports them.

use feedgen::model::Feed;
use serde_json::{json, Value};

use crate::report::{compact, enclosure_of, field, is_empty, num, per_item, person_of, Report};

pub fn feedparser(r: &mut Report, py: &Value, feed: &Feed) {
    let items = &feed.items;
    let show = &feed.show;
    let fp = &py["feedparser"];
    if fp["bozo"] != json!(false) {
        r.problem(format!(
            "feedparser flagged feed.xml: {}",
            fp["bozo_exception"]
        ));
    }
    let fpi = &fp["items"];
    let col = "feedparser";
    let n = fpi.as_array().map_or(0, Vec::len);
    if n != items.len() {
        r.problem(format!(
            "feedparser read {n} items, the model has {}",
            items.len()
        ));
        return;
    }
    r.judge(
        "title",
        col,
        per_item(items, |i| json!(i.title)),
        field(fpi, |e| e["title"].clone()),
        true,
        "✓",
    );
    r.judge(
        "guid / id",
        col,
        per_item(items, |i| json!(i.guid)),
        field(fpi, |e| e["guid"].clone()),
        true,
        "✓",
    );
    r.judge(
        "pubDate",
        col,
        per_item(items, |i| json!(i.published.timestamp())),
        field(fpi, |e| e["pubDate"].clone()),
        true,
        "✓",
    );
    r.judge(
        "enclosure (url, length, type)",
        col,
        per_item(items, |i| json!([enclosure_of(i)])),
        field(fpi, |e| {
            field(
                &e["enclosures"],
                |x| json!({"url": x["url"], "length": num(&x["length"]), "type": x["type"]}),
            )
        }),
        true,
        "✓",
    );
    r.judge(
        "duration",
        col,
        per_item(items, |i| json!(i.duration)),
        field(fpi, |e| num(&e["duration"])),
        true,
        "✓",
    );
    r.judge(
        "episode",
        col,
        per_item(items, |i| json!([i.number, i.number])),
        field(fpi, |e| {
            json!([num(&e["episode"]), num(&e["podcast_episode"])])
        }),
        false,
        "✓ itunes + podcast",
    );
    r.judge(
        "season",
        col,
        per_item(items, |i| json!([i.season, i.season])),
        field(fpi, |e| {
            json!([num(&e["season"]), num(&e["podcast_season"])])
        }),
        false,
        "✓ itunes + podcast",
    );
    // feedparser keeps one dict per unknown element name: the last one, attributes only.
    r.judge(
        "persons",
        col,
        per_item(items, |i| {
            json!(i
                .persons
                .last()
                .map(|p| person_of(p, false))
                .into_iter()
                .collect::<Vec<_>>())
        }),
        field(fpi, |e| compact(e["persons"].clone())),
        false,
        "◐ last one, no name",
    );
    r.judge(
        "transcript",
        col,
        per_item(items, |i| {
            json!(i
                .transcripts
                .last()
                .map(|t| &t.url)
                .into_iter()
                .collect::<Vec<_>>())
        }),
        field(fpi, |e| e["transcripts"].clone()),
        false,
        "✓ url",
    );
    r.judge(
        "chapters",
        col,
        per_item(items, |i| json!(i.chapters)),
        field(fpi, |e| e["chapters"].clone()),
        false,
        "✓ url",
    );
    r.judge(
        "contentLink",
        col,
        per_item(items, |i| json!(i.video)),
        field(fpi, |e| e["content_link"].clone()),
        false,
        "✓ href",
    );
    let ch = &fp["channel"];
    r.judge(
        "funding",
        col,
        json!(show.funding.iter().map(|f| &f.url).collect::<Vec<_>>()),
        ch["funding"].clone(),
        false,
        "◐ url, no text",
    );
    r.judge(
        "locked",
        col,
        json!(show.locked.as_ref().map(|l| &l.owner)),
        ch["locked_owner"].clone(),
        false,
        "◐ owner, no value",
    );
    r.judge(
        "podcast:guid",
        col,
        json!(show.podcast_guid.to_string()),
        ch["podcast_guid"].clone(),
        false,
        "✓",
    );
    // "true"/"false" (what Apple requires) both read as None: only a falsy match.
    r.judge(
        "explicit",
        col,
        json!(show.explicit),
        json!(ch["explicit"] == json!(true)),
        false,
        "◐ None ³",
    );
    r.judge(
        "itunes:category",
        col,
        json!(show
            .categories
            .iter()
            .flat_map(|(t, s)| std::iter::once(t).chain(s))
            .collect::<Vec<_>>()),
        ch["categories"].clone(),
        false,
        "◐ flattened",
    );
    r.judge(
        "atom:link rel=self",
        col,
        json!(show.feed_url),
        ch["self"].clone(),
        true,
        "✓",
    );

    // feedparser on atom.xml
    let fa = &py["feedparser_atom"];
    if fa["bozo"] != json!(false) || fa["version"] != json!("atom10") {
        r.problem(format!(
            "feedparser did not read atom.xml as clean Atom 1.0: {}",
            fa["version"]
        ));
    }
    let fai = &fa["items"];
    if fai.as_array().map_or(0, Vec::len) == items.len() {
        r.judge(
            "Atom content",
            col,
            per_item(items, |i| json!({"id": i.id_iri, "types": ["text/html"], "contributors": i.persons.iter().map(|p| &p.name).collect::<Vec<_>>(), "enclosures": [enclosure_of(i)]})),
            field(fai, |e| {
                json!({"id": e["id"], "types": e["content_types"], "contributors": e["contributors"],
                       "enclosures": field(&e["enclosures"], |x| json!({"url": x["url"], "length": num(&x["length"]), "type": x["type"]}))})
            }),
            true,
            "✓ html, id, enclosure, contributors",
        );
    } else {
        r.problem("feedparser read a different number of Atom entries".into());
    }
}

pub fn podcastparser(r: &mut Report, py: &Value, feed: &Feed) {
    let items = &feed.items;
    let show = &feed.show;
    // podcastparser: as written, and with the namespace URI it knows.
    let col = "podcastparser";
    let pp = &py["podcastparser"]["items"];
    let n = pp.as_array().map_or(0, Vec::len);
    if n != items.len() {
        r.problem(format!(
            "podcastparser read {n} items, the model has {}",
            items.len()
        ));
        return;
    }
    r.judge(
        "title",
        col,
        per_item(items, |i| json!(i.title)),
        field(pp, |e| e["title"].clone()),
        true,
        "✓",
    );
    r.judge(
        "guid / id",
        col,
        per_item(items, |i| json!(i.guid)),
        field(pp, |e| e["guid"].clone()),
        true,
        "✓",
    );
    r.judge(
        "pubDate",
        col,
        per_item(items, |i| json!(i.published.timestamp())),
        field(pp, |e| e["pubDate"].clone()),
        true,
        "✓",
    );
    r.judge(
        "enclosure (url, length, type)",
        col,
        per_item(items, |i| json!([enclosure_of(i)])),
        field(pp, |e| e["enclosures"].clone()),
        true,
        "✓",
    );
    r.judge(
        "duration",
        col,
        per_item(items, |i| json!(i.duration)),
        field(pp, |e| e["duration"].clone()),
        true,
        "✓",
    );
    r.judge(
        "episode",
        col,
        per_item(items, |i| json!(i.number)),
        field(pp, |e| e["episode"].clone()),
        false,
        "✓ itunes",
    );
    r.judge(
        "season",
        col,
        per_item(items, |i| json!(i.season)),
        field(pp, |e| e["season"].clone()),
        false,
        "✓ itunes",
    );
    r.judge(
        "explicit",
        col,
        json!(show.explicit),
        py["podcastparser"]["channel"]["explicit"].clone(),
        false,
        "✓",
    );
    r.judge(
        "itunes:category",
        col,
        json!(show
            .categories
            .iter()
            .map(|(t, s)| std::iter::once(t).chain(s).collect::<Vec<_>>())
            .collect::<Vec<_>>()),
        py["podcastparser"]["channel"]["categories"].clone(),
        false,
        "✓",
    );
    // podcast:* — podcastparser 0.6 maps only the namespace's old GitHub URL.
    let pc = |r: &mut Report, row: &'static str, expected: Value, get: &dyn Fn(&Value) -> Value| {
        let as_written = get(&py["podcastparser"]);
        let under_legacy = get(&py["podcastparser_legacy_ns"]);
        if as_written == expected {
            r.set(row, col, "✓");
        } else if is_empty(&as_written) && under_legacy == expected {
            r.set(row, col, "◐ old ns URI only ¹");
        } else {
            r.judge(
                row,
                col,
                expected,
                under_legacy,
                false,
                "◐ old ns URI only ¹",
            );
        }
    };
    pc(
        r,
        "persons",
        per_item(items, |i| {
            json!(i
                .persons
                .iter()
                .map(|p| person_of(p, true))
                .collect::<Vec<_>>())
        }),
        &|v| field(&v["items"], |e| compact(e["persons"].clone())),
    );
    pc(
        r,
        "transcript",
        per_item(items, |i| {
            json!(i.transcripts.iter().map(|t| &t.url).collect::<Vec<_>>())
        }),
        &|v| field(&v["items"], |e| e["transcripts"].clone()),
    );
    pc(
        r,
        "chapters",
        per_item(items, |i| json!(i.chapters)),
        &|v| field(&v["items"], |e| e["chapters"].clone()),
    );
    pc(
        r,
        "funding",
        json!(show
            .funding
            .iter()
            .map(|f| &f.url)
            .take(1)
            .collect::<Vec<_>>()),
        &|v| v["channel"]["funding"].clone(),
    );
    pc(
        r,
        "locked",
        json!(show.locked.as_ref().map(|l| l.locked)),
        &|v| v["channel"]["locked"].clone(),
    );
    for row in ["contentLink", "podcast:guid"] {
        r.set(row, col, "—");
    }
}
