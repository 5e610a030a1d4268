//! The W3C Feed Validation Service's rules for podcasts, checked directly on
//! feed.xml.

use std::path::Path;

use chrono::DateTime;
use feedgen::model::Feed;

use crate::report::Report;
use crate::show::Docs;
use crate::tools::PODCAST_NS;
use crate::xml::{parse_xml, El};

/// Apple Podcasts categories (2019 list; feedvalidator's list lacks "Religion").
const APPLE_CATEGORIES: &[&str] = &[
    "Arts: Books, Design, Fashion & Beauty, Food, Performing Arts, Visual Arts",
    "Business: Careers, Entrepreneurship, Investing, Management, Marketing, Non-Profit",
    "Comedy: Comedy Interviews, Improv, Stand-Up",
    "Education: Courses, How To, Language Learning, Self-Improvement",
    "Fiction: Comedy Fiction, Drama, Science Fiction",
    "Government:",
    "Health & Fitness: Alternative Health, Fitness, Medicine, Mental Health, Nutrition, Sexuality",
    "History:",
    "Kids & Family: Education for Kids, Parenting, Pets & Animals, Stories for Kids",
    "Leisure: Animation & Manga, Automotive, Aviation, Crafts, Games, Hobbies, Home & Garden, Video Games",
    "Music: Music Commentary, Music History, Music Interviews",
    "News: Business News, Daily News, Entertainment News, News Commentary, Politics, Sports News, Tech News",
    "Religion & Spirituality: Buddhism, Christianity, Hinduism, Islam, Judaism, Religion, Spirituality",
    "Science: Astronomy, Chemistry, Earth Sciences, Life Sciences, Mathematics, Natural Sciences, Nature, Physics, Social Sciences",
    "Society & Culture: Documentary, Personal Journals, Philosophy, Places & Travel, Relationships",
    "Sports: Baseball, Basketball, Cricket, Fantasy Sports, Football, Golf, Hockey, Rugby, Running, Soccer, Swimming, Tennis, Volleyball, Wilderness, Wrestling",
    "TV & Film: After Shows, Film History, Film Interviews, Film Reviews, TV Reviews",
    "Technology:",
    "True Crime:",
];

fn apple_category_ok(top: &str, sub: Option<&str>) -> bool {
    APPLE_CATEGORIES.iter().any(|line| {
        let (t, subs) = line.split_once(':').unwrap();
        t == top && sub.is_none_or(|s| subs.split(',').any(|x| x.trim() == s))
    })
}

/// `[[HH:]MM:]SS` or plain seconds.
fn duration_ok(d: &str) -> bool {
    let parts: Vec<&str> = d.split(':').collect();
    parts.len() <= 3
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && parts.iter().skip(1).all(|p| p.len() == 2 && p < &"60")
}

fn positive(s: Option<&str>) -> bool {
    s.is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n > 0))
}

/// Checks feed.xml against the rules, returning (row, problem) pairs.
pub fn w3c_problems(xml: &str, feed: &Feed, root: &Path) -> Vec<(&'static str, String)> {
    let mut p: Vec<(&'static str, String)> = Vec::new();
    let doc = parse_xml(xml);
    let rss = doc.first("rss").expect("rss root");
    for (prefix, uri) in [
        ("itunes", "http://www.itunes.com/dtds/podcast-1.0.dtd"),
        ("podcast", PODCAST_NS),
        ("atom", "http://www.w3.org/2005/Atom"),
    ] {
        if rss.attr(&format!("xmlns:{prefix}")) != Some(uri) {
            p.push(("atom:link rel=self", format!("xmlns:{prefix} is not {uri}")));
        }
    }
    let ch = rss.first("channel").expect("channel");
    // atom:link rel=self, pointing at the feed, typed.
    let selfs: Vec<&El> = ch
        .all("atom:link")
        .into_iter()
        .filter(|l| l.attr("rel") == Some("self"))
        .collect();
    match selfs.as_slice() {
        [l] if l.attr("href") == Some(&feed.show.feed_url)
            && l.attr("type") == Some("application/rss+xml") => {}
        _ => p.push((
            "atom:link rel=self",
            format!(
                "channel needs one atom:link rel=self href={} type=application/rss+xml",
                feed.show.feed_url
            ),
        )),
    }
    // explicit: true/false only (Apple, 2023), channel and items.
    let explicit: Vec<&El> = std::iter::once(ch)
        .chain(ch.all("item"))
        .filter_map(|e| e.first("itunes:explicit"))
        .collect();
    if ch.first("itunes:explicit").is_none() {
        p.push(("explicit", "channel has no itunes:explicit".into()));
    }
    for e in explicit {
        if !matches!(e.text.as_str(), "true" | "false") {
            p.push((
                "explicit",
                format!("itunes:explicit is {:?}, not true/false", e.text),
            ));
        }
    }
    // Apple categories.
    let cats = ch.all("itunes:category");
    if cats.is_empty() {
        p.push(("itunes:category", "channel has no itunes:category".into()));
    }
    for c in cats {
        let top = c.attr("text").unwrap_or("");
        let subs = c.all("itunes:category");
        if subs.is_empty() && !apple_category_ok(top, None) {
            p.push((
                "itunes:category",
                format!("{top:?} is not an Apple category"),
            ));
        }
        for s in subs {
            if !apple_category_ok(top, s.attr("text")) {
                p.push((
                    "itunes:category",
                    format!("{top:?} > {:?} is not an Apple category", s.attr("text")),
                ));
            }
        }
    }
    let items = ch.all("item");
    if items.len() != feed.items.len() {
        p.push((
            "title",
            format!(
                "{} items in feed.xml, {} in the model",
                items.len(),
                feed.items.len()
            ),
        ));
        return p;
    }
    for (it, m) in items.iter().zip(&feed.items) {
        let who = format!("item {:?}", m.slug);
        if it
            .text_of("title")
            .is_none_or(|t| t.trim().is_empty() || t.chars().count() > 255)
        {
            p.push((
                "title",
                format!("{who}: title empty or over 255 characters"),
            ));
        }
        match it.first("guid") {
            Some(g) if g.text == m.guid => {
                let is_url = g.text.starts_with("http://") || g.text.starts_with("https://");
                if !is_url && g.attr("isPermaLink") != Some("false") {
                    p.push((
                        "guid / id",
                        format!(
                            "{who}: guid {:?} is not a URL but lacks isPermaLink=\"false\"",
                            g.text
                        ),
                    ));
                }
            }
            _ => p.push(("guid / id", format!("{who}: guid is not {:?}", m.guid))),
        }
        match it.text_of("pubDate").map(DateTime::parse_from_rfc2822) {
            Some(Ok(d)) if d == m.published => {}
            other => p.push((
                "pubDate",
                format!(
                    "{who}: pubDate {other:?} is not RFC 2822 for {}",
                    m.published
                ),
            )),
        }
        match (it.first("enclosure"), &m.enclosure) {
            (Some(e), Some(me)) => {
                let len = e.attr("length").unwrap_or("");
                let bytes_ok = len.bytes().all(|b| b.is_ascii_digit())
                    && positive(Some(len))
                    && len == me.length.to_string();
                if !bytes_ok || e.attr("url") != Some(&me.url) || e.attr("type") != Some(&me.mime) {
                    p.push((
                        "enclosure (url, length, type)",
                        format!(
                            "{who}: enclosure url/length/type {:?} is not the model's {me:?}",
                            e.attrs
                        ),
                    ));
                }
                if !me.url.starts_with("https://") {
                    p.push((
                        "enclosure (url, length, type)",
                        format!("{who}: enclosure url is not https"),
                    ));
                }
                // A local media file: the length is its size in bytes.
                let base = feed.show.media_base_url.as_ref().map(|u| u.as_str());
                if let Some(rel) = base.and_then(|b| me.url.strip_prefix(b)) {
                    let path = root.join(rel);
                    if let Ok(md) = std::fs::metadata(&path) {
                        if md.len() != me.length {
                            p.push((
                                "enclosure (url, length, type)",
                                format!(
                                    "{who}: enclosure length {} but {} has {} bytes",
                                    me.length,
                                    path.display(),
                                    md.len()
                                ),
                            ));
                        }
                    }
                }
            }
            (None, None) => {}
            _ => p.push((
                "enclosure (url, length, type)",
                format!("{who}: enclosure missing"),
            )),
        }
        match it.text_of("itunes:duration") {
            Some(d) if duration_ok(d) => {}
            d => p.push((
                "duration",
                format!("{who}: itunes:duration {d:?} is not seconds or [[HH:]MM:]SS"),
            )),
        }
        for (row, tags) in [
            ("episode", ["itunes:episode", "podcast:episode"]),
            ("season", ["itunes:season", "podcast:season"]),
        ] {
            for tag in tags {
                if let Some(v) = it.text_of(tag) {
                    if !positive(Some(v)) {
                        p.push((row, format!("{who}: {tag} {v:?} is not a positive integer")));
                    }
                }
            }
            if it.text_of(tags[0]) != it.text_of(tags[1]) {
                p.push((row, format!("{who}: {} and {} disagree", tags[0], tags[1])));
            }
        }
        if let Some(t) = it.text_of("itunes:episodeType") {
            if !matches!(t, "full" | "trailer" | "bonus") {
                p.push(("episode", format!("{who}: itunes:episodeType {t:?}")));
            }
        }
    }
    p
}

pub fn w3c(r: &mut Report, docs: &Docs) {
    let col = "W3C rules";
    let problems = w3c_problems(&docs.read("feed.xml"), docs.feed(), &docs.built.root);
    let rows = [
        "title",
        "guid / id",
        "pubDate",
        "enclosure (url, length, type)",
        "duration",
        "episode",
        "season",
        "explicit",
        "itunes:category",
        "atom:link rel=self",
    ];
    for row in rows {
        let failed = problems.iter().any(|(r, _)| *r == row);
        r.set(row, col, if failed { "✗" } else { "✓" });
    }
    for (_, msg) in problems {
        r.problem(format!("W3C rule: {msg}"));
    }
}
