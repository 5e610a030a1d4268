//! What the templates are given: the show and its episodes as plain values,
//! and the schema.org JSON-LD of each page.

use serde::Serialize;
use serde_json::json;
use url::Url;

use super::{neighbours, EPISODES_PER_PAGE};
use crate::model::{Feed, Item, PersonCredit, Show};
use crate::render::notes::{summary, SUMMARY_CHARS};
use crate::render::sibling_urls;

#[derive(Serialize)]
struct Site<'a> {
    title: &'a str,
    description: &'a str,
    author: &'a str,
    link: &'a str,
    language: &'a str,
    image: Option<&'a str>,
    copyright: Option<&'a str>,
    feeds: Feeds,
    /// Where else to listen: (name, URL).
    subscribe: Vec<Listen<'a>>,
}

#[derive(Serialize)]
struct Listen<'a> {
    name: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct Feeds {
    rss: String,
    atom: String,
    json: String,
}

/// What every page's head says of it.
#[derive(Serialize)]
struct Head {
    title: String,
    description: String,
    url: String,
    og_type: &'static str,
    image: Option<String>,
    audio: Option<String>,
    /// schema.org data, serialized so that it cannot close its `<script>`.
    json_ld: String,
}

#[derive(Serialize)]
struct Person<'a> {
    name: &'a str,
    role: &'a str,
    href: Option<&'a str>,
}

#[derive(Serialize)]
struct Listed<'a> {
    title: &'a str,
    link: &'a str,
    date: String,
    date_text: String,
    duration: Option<String>,
    summary: String,
}

#[derive(Serialize)]
struct Pager {
    page: usize,
    pages: usize,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Serialize)]
struct Media<'a> {
    url: &'a str,
    video: bool,
}

#[derive(Serialize)]
struct Transcript<'a> {
    url: &'a str,
    mime: &'a str,
}

#[derive(Serialize)]
struct Mark<'a> {
    time: String,
    /// The same as an HTML duration, for `<time datetime>`.
    duration: String,
    title: &'a str,
}

#[derive(Serialize)]
struct Neighbour<'a> {
    title: &'a str,
    link: &'a str,
}

#[derive(Serialize)]
struct Episode<'a> {
    title: &'a str,
    number: Option<u32>,
    season: Option<u32>,
    date: String,
    date_text: String,
    duration: Option<String>,
    media: Option<Media<'a>>,
    persons: Vec<Person<'a>>,
    notes: &'a str,
    chapters: Option<&'a str>,
    chapter_marks: Vec<Mark<'a>>,
    transcripts: Vec<Transcript<'a>>,
    transcript: &'a [String],
    newer: Option<Neighbour<'a>>,
    older: Option<Neighbour<'a>>,
}

/// Where show page `n` is under the output folder: the first where the
/// channel link names it (`index.html`, or the `.html` file it names), the
/// others in `page/N/`.
pub(super) fn show_page_path(show_link: &str, n: usize) -> String {
    if n > 1 {
        return format!("page/{n}/index.html");
    }
    let named = Url::parse(show_link).ok().and_then(|u| {
        let last = u.path().rsplit('/').next()?.to_string();
        let file = last.ends_with(".html") || last.ends_with(".htm");
        (file && !last.starts_with('.') && !last.contains('%')).then_some(last)
    });
    named.unwrap_or_else(|| "index.html".into())
}

/// The URL the output folder is served at: the channel link up to the last
/// `/` of its path, without query or fragment.
fn folder_url(show_link: &str) -> String {
    let Ok(mut url) = Url::parse(show_link) else {
        return show_link.to_string();
    };
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().to_string();
    url.set_path(&path[..path.rfind('/').map_or(0, |i| i + 1)]);
    url.to_string()
}

/// Show page `n`'s URL.
fn show_page_url(show_link: &str, n: usize) -> String {
    match n {
        1 => show_link.to_string(),
        n => format!("{}page/{n}/", folder_url(show_link)),
    }
}

pub(super) fn show_page_title(title: &str, n: usize) -> String {
    match n {
        1 => title.to_string(),
        n => format!("{title} (page {n})"),
    }
}

pub(super) fn episode_title(item: &Item, show_title: &str) -> String {
    format!("{} · {show_title}", item.title)
}

fn site(show: &Show) -> Site<'_> {
    let (atom, json) = sibling_urls(&show.feed_url);
    Site {
        title: &show.title,
        description: &show.description,
        author: &show.author,
        link: &show.link,
        language: &show.language,
        image: show.image.as_deref(),
        copyright: show.copyright.as_deref(),
        feeds: Feeds {
            rss: show.feed_url.clone(),
            atom,
            json,
        },
        subscribe: show
            .site
            .subscribe
            .iter()
            .map(|(name, url)| Listen { name, url })
            .collect(),
    }
}

fn person(p: &PersonCredit) -> Person<'_> {
    Person {
        name: &p.name,
        role: &p.role,
        href: p.href.as_deref(),
    }
}

/// `H:MM:SS`, or `M:SS` under an hour.
fn clock(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    match h {
        0 => format!("{m}:{s:02}"),
        h => format!("{h}:{m:02}:{s:02}"),
    }
}

/// `s` on one line, for a `<meta>` description.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// JSON for a `<script>` element: `<`, `>` and `&` escaped, so no text in it
/// can end the element or open a comment.
fn script_json(v: &serde_json::Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The context of show page `n`.
pub(super) fn show(feed: &Feed, n: usize) -> minijinja::Value {
    let show = &feed.show;
    let pages = feed.items.len().div_ceil(EPISODES_PER_PAGE).max(1);
    let listed: Vec<Listed<'_>> = feed
        .items
        .iter()
        .skip((n - 1) * EPISODES_PER_PAGE)
        .take(EPISODES_PER_PAGE)
        .map(|i| Listed {
            title: &i.title,
            link: &i.link,
            date: i.published.to_rfc3339(),
            date_text: i.published.format("%Y-%m-%d").to_string(),
            duration: i.duration.map(clock),
            summary: summary(&i.notes),
        })
        .collect();
    let url = show_page_url(&show.link, n);
    let json_ld = json!({
        "@context": "https://schema.org",
        "@type": "PodcastSeries",
        "name": show.title,
        "description": show.description,
        "url": show.link,
        "inLanguage": show.language,
        "image": show.image,
        "author": { "@type": "Person", "name": show.author },
        "webFeed": show.feed_url,
    });
    #[derive(Serialize)]
    struct Context<'a> {
        site: Site<'a>,
        page: Head,
        hosts: Vec<Person<'a>>,
        episodes: Vec<Listed<'a>>,
        pager: Pager,
    }
    minijinja::Value::from(minijinja::value::Serde(Context {
        site: site(show),
        page: Head {
            title: show_page_title(&show.title, n),
            description: one_line(&crate::render::notes::shorten(
                &show.description,
                SUMMARY_CHARS,
            )),
            url,
            og_type: "website",
            image: show.image.clone(),
            audio: None,
            json_ld: script_json(&json_ld),
        },
        hosts: feed.persons.iter().map(person).collect(),
        episodes: listed,
        pager: Pager {
            page: n,
            pages,
            prev: (n > 1).then(|| show_page_url(&show.link, n - 1)),
            next: (n < pages).then(|| show_page_url(&show.link, n + 1)),
        },
    }))
}

/// The context of the page of the feed's `i`-th item, whose notes are
/// `notes_html` (checked) and `summary`, and whose transcript reads
/// `transcript` (paragraphs; none when it has none in text).
pub(super) fn episode(
    feed: &Feed,
    i: usize,
    (notes_html, summary): (&str, &str),
    transcript: &[String],
) -> minijinja::Value {
    let show = &feed.show;
    let item = &feed.items[i];
    let (older, newer) = neighbours(&feed.items, i);
    fn neighbour(n: &Item) -> Neighbour<'_> {
        Neighbour {
            title: &n.title,
            link: &n.link,
        }
    }
    let image = item.image.clone().or_else(|| show.image.clone());
    let media = item.enclosure.as_ref().map(|e| Media {
        url: &e.url,
        video: e.mime.starts_with("video/"),
    });
    let json_ld = json!({
        "@context": "https://schema.org",
        "@type": "PodcastEpisode",
        "name": item.title,
        "url": item.link,
        "datePublished": item.published.to_rfc3339(),
        "description": summary,
        "episodeNumber": item.number,
        "timeRequired": item.duration.map(|d| format!("PT{d}S")),
        "image": image,
        "associatedMedia": item.enclosure.as_ref().map(|e| json!({
            "@type": "MediaObject",
            "contentUrl": e.url,
            "encodingFormat": e.mime,
        })),
        "partOfSeries": { "@type": "PodcastSeries", "name": show.title, "url": show.link },
    });
    #[derive(Serialize)]
    struct Context<'a> {
        site: Site<'a>,
        page: Head,
        episode: Episode<'a>,
    }
    minijinja::Value::from(minijinja::value::Serde(Context {
        site: site(show),
        page: Head {
            title: episode_title(item, &show.title),
            description: one_line(summary),
            url: item.link.clone(),
            og_type: "article",
            image,
            audio: item.enclosure.as_ref().map(|e| e.url.clone()),
            json_ld: script_json(&json_ld),
        },
        episode: Episode {
            title: &item.title,
            number: item.number,
            season: item.season,
            date: item.published.to_rfc3339(),
            date_text: item.published.format("%Y-%m-%d").to_string(),
            duration: item.duration.map(clock),
            media,
            persons: item.persons.iter().map(person).collect(),
            notes: notes_html,
            chapters: item.chapters.as_deref(),
            chapter_marks: item
                .chapter_marks
                .iter()
                .map(|c| Mark {
                    time: clock(c.start as u64),
                    duration: format!("PT{}S", c.start as u64),
                    title: &c.title,
                })
                .collect(),
            transcripts: item
                .transcripts
                .iter()
                .map(|t| Transcript {
                    url: &t.url,
                    mime: &t.mime,
                })
                .collect(),
            transcript,
            newer: newer.map(neighbour),
            older: older.map(neighbour),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_end_its_element() {
        let v = json!({ "name": "</script><!-- & -->" });
        let s = script_json(&v);
        assert!(
            !s.contains('<') && !s.contains('>') && !s.contains('&'),
            "{s}"
        );
        let back: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn show_pages_are_where_the_link_says() {
        for (link, first, second) in [
            ("https://e.x", "index.html", "https://e.x/page/2/"),
            ("https://e.x/?utm=a/b", "index.html", "https://e.x/page/2/"),
            (
                "https://e.x/podcast/",
                "index.html",
                "https://e.x/podcast/page/2/",
            ),
            ("https://e.x/show.html", "show.html", "https://e.x/page/2/"),
        ] {
            assert_eq!(show_page_path(link, 1), first, "{link}");
            assert_eq!(show_page_url(link, 2), second, "{link}");
        }
        assert_eq!(show_page_path("https://e.x/", 3), "page/3/index.html");
    }

    #[test]
    fn clock_times() {
        assert_eq!(clock(59), "0:59");
        assert_eq!(clock(3723), "1:02:03");
    }
}
