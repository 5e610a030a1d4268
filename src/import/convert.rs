//! A [`SourceFeed`] turned into the files of a feedgen project, every value
//! kept as published where feedgen has a place for it, and a finding for
//! everything kept in another form or left behind.

use std::collections::HashMap;

use super::dates;
use super::notes::{self, NotesFrom};
use super::project::*;
use super::source::{SourceFeed, SourceItem};
use super::summary::Summary;
use super::Findings;
use crate::diag::Rule;
use crate::publish::ledger::{Entry, Ledger};

/// What an import produces before anything is written.
pub(crate) struct Converted {
    pub config: PodcastToml,
    pub comments: Vec<String>,
    pub episodes: Vec<EpisodeFile>,
}

pub(crate) fn convert(
    feed: &SourceFeed,
    feed_url: String,
    atom: bool,
    out: &mut Findings,
    summary: &mut Summary,
) -> Converted {
    let mut config = PodcastToml::default();
    let mut comments = Vec::new();
    let handles = super::channel::channel(feed, feed_url, &mut config, &mut comments, out, summary);
    config.podcast.hosts = handles;
    let base = url::Url::parse(&config.podcast.link).ok();
    let mut episodes = Vec::new();
    let numbers = numbers(&feed.items, out);
    let mut stems = HashMap::new();
    let mut guids: HashMap<String, usize> = HashMap::new();
    let mut enclosures: HashMap<String, usize> = HashMap::new();
    let (mut no_duration, mut incomplete) = (false, false);
    for (i, item) in feed.items.iter().enumerate() {
        let ep = episode(
            item,
            base.as_ref(),
            numbers[i],
            atom,
            &mut stems,
            out,
            summary,
        );
        let guid = ep.guid.clone().unwrap_or_default();
        if let Some(first) = ep.guid.as_ref().and_then(|g| guids.insert(g.clone(), i)) {
            out.push(
                Rule::ImportDuplicate,
                item.offset,
                format!("item {} has the guid `{guid}` of item {}; both keep it, as published, and apps show only one of them", i + 1, first + 1),
            );
            rule(&mut config, "duplicate-guid", "warn");
        }
        if let Some(url) = &ep.enclosure {
            if enclosures.insert(url.clone(), i).is_some() {
                rule(&mut config, "duplicate-enclosure", "warn");
            }
        }
        // Without a duration the enclosure is still published; without a
        // length or type it is not, so that stays an error.
        match &ep.front.audio {
            None => rule(&mut config, "missing-enclosure", "warn"),
            Some(a) if a.length.is_none() || a.mime.is_none() => incomplete = true,
            Some(a) if a.duration.is_none() => no_duration = true,
            Some(_) => {}
        }
        if ep.front.episode.is_none() {
            rule(&mut config, "missing-number", "allow");
        }
        episodes.push(ep);
    }
    if no_duration && !incomplete {
        rule(&mut config, "incomplete-enclosure", "warn");
    }
    // Imported notes never start with a `Hosted by` line.
    rule(&mut config, "missing-host", "allow");
    Converted {
        config,
        comments,
        episodes,
    }
}

pub(super) fn rule(config: &mut PodcastToml, name: &str, level: &str) {
    config.rules.insert(name.into(), level.into());
}

/// Episode numbers as published; a number taken by an earlier item is left
/// off the later one.
fn numbers(items: &[SourceItem], out: &mut Findings) -> Vec<Option<u32>> {
    let mut taken = HashMap::new();
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let raw = item.episode.as_deref()?;
            let Some(n) = positive(raw) else {
                out.push(Rule::ImportLeftOut, item.offset, format!("item {}'s episode number `{raw}` is not a positive whole number; it is left out", i + 1));
                return None;
            };
            if let Some(&first) = taken.get(&n) {
                out.push(Rule::ImportDuplicate, item.offset, format!("item {} has the episode number {n} of item {}; it is imported without a number", i + 1, first + 1));
                return None;
            }
            taken.insert(n, i);
            Some(n)
        })
        .collect()
}

fn positive(raw: &str) -> Option<u32> {
    raw.trim().parse::<u32>().ok().filter(|&n| n > 0)
}

fn episode(
    item: &SourceItem,
    base: Option<&url::Url>,
    number: Option<u32>,
    atom: bool,
    stems: &mut HashMap<String, usize>,
    out: &mut Findings,
    summary: &mut Summary,
) -> EpisodeFile {
    let at = item.offset;
    let mut front = Front::default();
    // Relative URLs were relative to the item's page, else the show's.
    let page = item.link.as_deref().and_then(|l| url::Url::parse(l).ok());
    let page = page.as_ref().or(base);
    let title = item.title.as_deref().unwrap_or("").trim();
    if title.contains('<') {
        out.push(
            Rule::ImportChanged,
            at,
            format!("the title `{title}` holds HTML; its text is kept"),
        );
        summary.converted("title");
    } else if !title.is_empty() {
        summary.kept("title");
    }
    if let Some(it) = item
        .itunes_title
        .as_deref()
        .filter(|t| !t.is_empty() && *t != title)
    {
        out.push(
            Rule::ImportLeftOut,
            at,
            format!("itunes:title `{it}`, which Apple shows, is not carried over: feedgen publishes the title `{title}` as both"),
        );
        summary.left("itunes:title");
    }
    let title = if title.contains('<') {
        notes::plain_text(title)
    } else {
        title.to_string()
    };
    front.title = (!title.is_empty()).then_some(title);
    let date = item.pub_date.as_deref().and_then(|d| {
        let read = dates::read(d);
        if read.is_none() {
            out.push(
                Rule::ImportLeftOut,
                at,
                format!("the date `{d}` cannot be read; the episode is imported as a draft"),
            );
        }
        read
    });
    match &date {
        Some(d) => {
            if let Some(why) = &d.forgiven {
                out.push(
                    Rule::ImportRepaired,
                    at,
                    format!(
                        "the date `{}` is not RFC 822: {why}; it is read as {}",
                        item.pub_date.as_deref().unwrap_or(""),
                        d.at.to_rfc3339()
                    ),
                );
                summary.converted("pubDate");
            } else {
                summary.kept("pubDate");
            }
            front.published = d.at.to_rfc3339().parse().ok();
            if d.at > chrono::Utc::now() {
                out.push(
                    Rule::ImportChanged,
                    at,
                    format!("the item is dated {}, in the future: build leaves it out until then, and feedgen.lock holds it once it is published", d.at.to_rfc3339()),
                );
            }
        }
        None if item.pub_date.is_none() => {
            out.push(Rule::ImportLeftOut, at, "the item has no date; it is imported as a draft, which build leaves out until it has one");
            summary.left("pubDate");
        }
        None => summary.left("pubDate"),
    }
    front.episode = number;
    if number.is_some() {
        summary.kept("itunes:episode");
    }
    front.season = item.season.as_deref().and_then(|raw| {
        let n = positive(raw);
        if n.is_none() {
            out.push(
                Rule::ImportLeftOut,
                at,
                format!("the season `{raw}` is not a positive whole number; it is left out"),
            );
            summary.left("itunes:season");
        }
        n
    });
    if front.season.is_some() {
        summary.kept("itunes:season");
    }
    front.episode_type = item
        .episode_type
        .as_deref()
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| t != "full");
    front.explicit = item.explicit.as_deref().and_then(|e| explicit(e, at, out));
    front.image = item
        .image
        .as_deref()
        .and_then(|u| absolute(u, page, "image", at, out));
    front.block = item.block.as_deref().is_some_and(yes);
    front.chapters = item
        .chapters
        .as_deref()
        .and_then(|u| absolute(u, page, "chapters", at, out));
    front.location = item.location.clone();
    front.license = item.license.clone();
    for (start, duration, title) in &item.soundbites {
        match (start.trim().parse::<f64>(), duration.trim().parse::<f64>()) {
            (Ok(start), Ok(duration)) => front.soundbites.push(Soundbite {
                start,
                duration,
                title: title.clone(),
            }),
            _ => out.push(
                Rule::ImportLeftOut,
                at,
                format!("a soundbite's start `{start}` or duration `{duration}` is not a number of seconds; it is left out"),
            ),
        }
    }
    if let Some((url, _)) = item.transcripts.first() {
        front.transcript = absolute(url, page, "transcript", at, out);
        summary.kept("podcast:transcript");
        for (other, _) in &item.transcripts[1..] {
            out.push(
                Rule::ImportLeftOut,
                at,
                format!(
                    "the transcript {other} is not carried over: feedgen publishes one per episode"
                ),
            );
            summary.left("podcast:transcript");
        }
    }
    audio(item, page, &mut front, out, summary);
    let enclosure = front.audio.as_ref().map(|a| a.url.clone());
    let guid = match item.guid.as_deref().filter(|g| !g.is_empty()) {
        Some(g) => {
            summary.kept("guid");
            Some(g.to_string())
        }
        None => match &enclosure {
            Some(url) => {
                out.push(Rule::ImportChanged, at, format!("the item has no guid; its enclosure URL {url} is its guid, as apps take it"));
                summary.converted("guid");
                Some(url.clone())
            }
            None => {
                out.push(Rule::ImportLeftOut, at, "the item has neither a guid nor an enclosure; apps told it apart by its title and date, and feedgen gives it a guid of its own");
                summary.left("guid");
                None
            }
        },
    };
    front.guid = guid.clone();
    let forms = [
        (NotesFrom::Content, item.content.as_deref()),
        (NotesFrom::Description, item.description.as_deref()),
        (NotesFrom::Summary, item.summary.as_deref()),
    ];
    let notes = match notes::richest(forms) {
        Some((from, html)) => {
            summary.converted(from.element(atom));
            let (md, changes) = notes::to_markdown(html, page);
            if changes.flattened {
                out.push(Rule::ImportChanged, at, "the notes' markup is nested too deep to convert; their text is kept, without its markup");
                summary.converted("notes markup");
            }
            for href in &changes.dropped {
                out.push(Rule::ImportChanged, at, format!("the link `{href}` in the notes is kept as its text: feedgen publishes only http, https and mailto links"));
                summary.converted("notes link");
            }
            for href in &changes.resolved {
                out.push(Rule::ImportChanged, at, format!("the relative link `{href}` in the notes is made absolute against the show's link"));
                summary.converted("notes link");
            }
            md
        }
        None => String::new(),
    };
    let stem = stem(number, date.as_ref().map(|d| d.at), stems);
    if !item.left.is_empty() || !item.persons.is_empty() {
        let mut left = item.left.clone();
        if !item.persons.is_empty() && !left.iter().any(|l| l.ends_with(":person")) {
            left.push("podcast:person".into());
        }
        for l in &left {
            summary.left(l);
        }
        out.push(
            Rule::ImportLeftOut,
            at,
            format!(
                "{} (episodes/{stem}.md): {} not carried over",
                item_name(front.title.as_deref()),
                left.join(", ")
            ),
        );
    }
    EpisodeFile {
        ledger_key: match number {
            Some(n) => format!("{n:05}"),
            None => stem.clone(),
        },
        stem,
        published: date.map(|d| d.at),
        enclosure,
        guid,
        notes,
        front,
    }
}

fn item_name(title: Option<&str>) -> String {
    match title {
        Some(t) => format!("“{t}”"),
        None => "the item".into(),
    }
}

/// The enclosure into `[audio]`: the first one; others are reported.
fn audio(
    item: &SourceItem,
    page: Option<&url::Url>,
    front: &mut Front,
    out: &mut Findings,
    summary: &mut Summary,
) {
    let at = item.offset;
    let Some(first) = item.enclosures.first() else {
        out.push(
            Rule::ImportLeftOut,
            at,
            "the item has no enclosure; it is imported without audio",
        );
        return;
    };
    summary.kept("enclosure");
    for other in &item.enclosures[1..] {
        out.push(
            Rule::ImportLeftOut,
            at,
            format!(
                "a second enclosure, {}, is not carried over: an item has one",
                other.url
            ),
        );
        summary.left("second enclosure");
    }
    let length = first.length.parse::<u64>().ok().filter(|&l| l > 0);
    if length.is_none() {
        out.push(Rule::ImportLeftOut, at, format!("the enclosure's length `{}` is not a number of bytes; add it before the first build", first.length));
    }
    let mime = Some(first.mime.clone()).filter(|m| !m.is_empty());
    if mime.is_none() {
        out.push(
            Rule::ImportLeftOut,
            at,
            "the enclosure has no type; add it before the first build",
        );
    }
    let duration = item.duration.as_deref().and_then(|d| {
        let secs = duration(d);
        match secs {
            Some(s) if d.trim().parse::<u64>().is_err() => {
                summary.converted("itunes:duration");
                let _ = s;
            }
            Some(_) => summary.kept("itunes:duration"),
            None => {
                out.push(
                    Rule::ImportLeftOut,
                    at,
                    format!("the duration `{d}` cannot be read; it is left out"),
                );
                summary.left("itunes:duration");
            }
        }
        secs
    });
    let Some(url) = absolute(&first.url, page, "enclosure", at, out) else {
        return;
    };
    front.audio = Some(Audio {
        url,
        length,
        mime,
        duration,
    });
}

/// An absolute http(s) URL as feedgen publishes it (the url crate's form),
/// for a URL of the item. A relative one is resolved against the item's
/// page; one that cannot be is left out, never taken for a local file.
fn absolute(
    raw: &str,
    base: Option<&url::Url>,
    what: &str,
    at: usize,
    out: &mut Findings,
) -> Option<String> {
    let raw = raw.trim();
    let left_out = |out: &mut Findings, why: String| {
        out.push(
            Rule::ImportLeftOut,
            at,
            format!("the {what} URL `{raw}` {why}; it is left out"),
        );
        None
    };
    let r = match super::urls::resolve(raw, base) {
        Ok(r) => r,
        Err(why) => return left_out(out, format!("cannot be read ({why})")),
    };
    if !matches!(r.url.scheme(), "http" | "https") {
        return left_out(out, format!("is not http(s) ({}:)", r.url.scheme()));
    }
    let published = r.url.to_string();
    let how = match r.relative {
        true => Some(format!("is relative; it is made absolute: {published}")),
        false if published != raw => Some(format!(
            "is published as `{published}`, as every URL feedgen writes"
        )),
        false => None,
    };
    if let Some(how) = how {
        out.push(
            Rule::ImportChanged,
            at,
            format!("the {what} URL `{raw}` {how}"),
        );
    }
    Some(published)
}

/// Seconds from `3723`, `62:03`, `1:02:03` or `01:02:03.500`.
pub(crate) fn duration(text: &str) -> Option<u64> {
    let whole = text.trim().split('.').next()?;
    crate::input::front_matter::parse_clock(whole)
}

pub(super) fn explicit(value: &str, at: usize, out: &mut Findings) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "yes" | "true" | "explicit" => Some(true),
        "no" | "false" | "clean" => Some(false),
        other => {
            out.push(
                Rule::ImportLeftOut,
                at,
                format!("itunes:explicit `{other}` is neither yes nor no; it is left out"),
            );
            None
        }
    }
}

pub(super) fn yes(value: &str) -> bool {
    matches!(value.trim().to_ascii_lowercase().as_str(), "yes" | "true")
}

/// The file's name: its number, else its date, never one taken.
fn stem(
    number: Option<u32>,
    date: Option<chrono::DateTime<chrono::FixedOffset>>,
    stems: &mut HashMap<String, usize>,
) -> String {
    let base = match (number, date) {
        (Some(n), _) => format!("{n:03}"),
        (None, Some(d)) => d.format("%Y-%m-%d").to_string(),
        (None, None) => "undated".into(),
    };
    // Numbers are unique, so a suffix follows a date or `undated`, and
    // `2023-06-05-2` can never be a base of its own.
    let seen = stems.entry(base.clone()).or_insert(0);
    *seen += 1;
    match *seen {
        1 => base,
        n => format!("{base}-{n}"),
    }
}

pub(super) fn with_slash(link: &str) -> String {
    if link.ends_with('/') {
        link.to_string()
    } else {
        format!("{link}/")
    }
}

pub(super) fn cut(text: &str, max: usize, on_cut: impl FnOnce()) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    on_cut();
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_string()
}

/// The ledger seeded with what the feed published.
pub(crate) fn ledger(episodes: &[EpisodeFile]) -> Ledger {
    let published = episodes.iter().filter_map(|e| {
        // An episode dated in the future is not published yet.
        let at = e.published.filter(|at| *at <= chrono::Utc::now())?;
        let entry = Entry {
            guid: e.guid.clone()?,
            enclosure: e.enclosure.clone(),
            first_published: at.to_rfc3339(),
        };
        Some((e.ledger_key.clone(), entry))
    });
    Ledger::seeded(published.collect())
}
