//! podcast-partytime (the Podcast Index parser) on feed.xml, as
//! `conformance/read_partytime.mjs` reports it.

use feedgen::model::Feed;
use serde_json::{json, Value};

use crate::report::{compact, enclosure_of, field, per_item, Report};

/// What partytime must recognise in the example show.
const PC20_REQUIRED: &[&str] = &[
    "guid",
    "locked",
    "funding",
    "person",
    "transcript",
    "chapters",
    "season",
    "episode",
];

fn pc20support(pt: &Value) -> Vec<String> {
    let mut tags: Vec<String> = pt["pc20support"]
        .as_object()
        .map(|o| {
            o.values()
                .flat_map(|v| {
                    v.as_array()
                        .unwrap()
                        .iter()
                        .map(|t| t.as_str().unwrap().to_string())
                })
                .collect()
        })
        .unwrap_or_default();
    tags.sort();
    tags
}

pub fn partytime(r: &mut Report, pt: &Value, feed: &Feed) {
    let items = &feed.items;
    let show = &feed.show;
    let col = "podcast-partytime";
    let support = pc20support(pt);
    for tag in PC20_REQUIRED {
        if !support.iter().any(|t| t == tag) {
            r.problem(format!(
                "podcast-partytime's pc20support lacks `{tag}` (it lists {support:?})"
            ));
        }
    }
    let pti = &pt["items"];
    let n = pti.as_array().map_or(0, Vec::len);
    if n != items.len() {
        r.problem(format!(
            "podcast-partytime read {n} items, the model has {}: {}",
            items.len(),
            pt["error"]
        ));
        return;
    }
    let lower = |v: &Value| json!(v.as_str().map(str::to_lowercase));
    r.judge(
        "title",
        col,
        per_item(items, |i| json!(i.title)),
        field(pti, |e| e["title"].clone()),
        true,
        "✓",
    );
    r.judge(
        "guid / id",
        col,
        per_item(items, |i| json!(i.guid)),
        field(pti, |e| e["guid"].clone()),
        true,
        "✓",
    );
    r.judge(
        "pubDate",
        col,
        per_item(items, |i| json!(i.published.timestamp())),
        field(pti, |e| e["pubDate"].clone()),
        true,
        "✓",
    );
    r.judge(
        "enclosure (url, length, type)",
        col,
        per_item(items, enclosure_of),
        field(pti, |e| e["enclosure"].clone()),
        true,
        "✓",
    );
    r.judge(
        "duration",
        col,
        per_item(items, |i| json!(i.duration)),
        field(pti, |e| e["duration"].clone()),
        true,
        "✓",
    );
    r.judge(
        "episode",
        col,
        per_item(items, |i| json!([i.number, i.number])),
        field(pti, |e| json!([e["episode"], e["podcastEpisode"]])),
        true,
        "✓ itunes + podcast",
    );
    r.judge(
        "season",
        col,
        per_item(items, |i| json!([i.season, i.season])),
        field(pti, |e| json!([e["season"], e["podcastSeason"]])),
        true,
        "✓ itunes + podcast",
    );
    r.judge(
        "persons",
        col,
        per_item(items, |i| {
            json!(i.persons.iter().map(|p| compact(json!({"name": p.name, "role": p.role, "group": p.group, "href": p.href}))).collect::<Vec<_>>())
        }),
        field(pti, |e| {
            field(&e["persons"], |p| compact(json!({"name": p["name"], "role": lower(&p["role"]), "group": lower(&p["group"]), "href": p["href"]})))
        }),
        true,
        "✓",
    );
    r.judge(
        "transcript",
        col,
        per_item(items, |i| {
            json!(i
                .transcripts
                .iter()
                .map(|t| json!({"url": t.url, "type": t.mime}))
                .collect::<Vec<_>>())
        }),
        field(pti, |e| e["transcripts"].clone()),
        true,
        "✓",
    );
    r.judge(
        "chapters",
        col,
        per_item(items, |i| {
            json!(i
                .chapters
                .as_ref()
                .map(|c| json!({"url": c, "type": "application/json+chapters"})))
        }),
        field(pti, |e| e["chapters"].clone()),
        true,
        "✓",
    );
    r.judge(
        "funding",
        col,
        json!(show
            .funding
            .iter()
            .map(|f| json!({"url": f.url, "message": f.text}))
            .collect::<Vec<_>>()),
        pt["funding"].clone(),
        true,
        "✓",
    );
    r.judge(
        "locked",
        col,
        json!(show
            .locked
            .as_ref()
            .map(|l| [json!(l.locked), json!(l.owner)])),
        json!([pt["locked"], pt["lockedOwner"]]),
        true,
        "✓",
    );
    r.judge(
        "podcast:guid",
        col,
        json!(show.podcast_guid.to_string()),
        pt["guid"].clone(),
        true,
        "✓",
    );
    r.judge(
        "explicit",
        col,
        json!(show.explicit),
        pt["explicit"].clone(),
        false,
        "✓",
    );
    r.judge(
        "itunes:category",
        col,
        json!(show
            .categories
            .iter()
            .map(|(t, s)| match s {
                Some(s) => format!("{t} > {s}"),
                None => t.clone(),
            })
            .collect::<Vec<_>>()),
        pt["categories"].clone(),
        false,
        "✓",
    );
    r.judge(
        "atom:link rel=self",
        col,
        json!(show.feed_url),
        pt["self"].clone(),
        false,
        "✓",
    );
    r.set("contentLink", col, "—");
    let phases: Vec<String> = pt["pc20support"]
        .as_object()
        .into_iter()
        .flatten()
        .map(|(phase, tags)| {
            let tags: Vec<&str> = tags
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap())
                .collect();
            format!("phase {phase}: {}", tags.join(", "))
        })
        .collect();
    r.notes.push(format!(
        "podcast-partytime `pc20support`: {}.",
        phases.join("; ")
    ));
}
