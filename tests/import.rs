//! `feedgen import` as a user runs it: its findings at their lines, a folder
//! that holds a show refused, nothing left behind by a failure, and a feed
//! fetched over HTTP from a loopback server.

#[path = "common/mod.rs"]
mod common;

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use assert_cmd::Command;
use common::*;
use feedgen::diag::Rule;
use feedgen::import::{import, ImportOptions};

fn fixture(name: &str) -> String {
    repo()
        .join("tests/fixtures/import")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn options(source: &str, into: &Path) -> ImportOptions {
    ImportOptions {
        source: source.to_string(),
        into: into.to_path_buf(),
        force: false,
        feed_url: Some("https://new.example.com/feed.xml".into()),
    }
}

/// The (rule, line) of every finding.
fn lines(i: &feedgen::import::Imported) -> Vec<(Rule, usize)> {
    i.diags
        .iter()
        .map(|d| {
            let s = d.span.as_ref().expect("import findings have a place");
            (d.rule, i.sources.get(s.file).line_col(s.range.start).0)
        })
        .collect()
}

/// Every file under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p.clone());
            }
            out.push(p.strip_prefix(dir).unwrap().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

#[test]
fn each_import_rule_is_found_at_its_line() {
    let cases: [(&str, Rule, usize); 7] = [
        ("messy-nbsp.xml", Rule::ImportRepaired, 8),
        ("messy-dates.xml", Rule::ImportRepaired, 47),
        ("messy-values.xml", Rule::ImportChanged, 19),
        ("messy-no-enclosure.xml", Rule::ImportLeftOut, 20),
        ("megaphone.xml", Rule::ImportLeftOut, 39),
        ("messy-duplicate-guids.xml", Rule::ImportDuplicate, 52),
        ("broken-truncated.xml", Rule::ImportUnreadable, 44),
    ];
    for (file, rule, line) in cases {
        let dir = tempfile::tempdir().unwrap();
        let i = import(&options(&fixture(file), dir.path())).unwrap();
        let found = lines(&i);
        assert!(
            found.contains(&(rule, line)),
            "{file}: no {} at line {line}: {found:?}",
            rule.name()
        );
    }
}

#[test]
fn what_is_not_carried_over_is_said_per_item_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let i = import(&options(&fixture("megaphone.xml"), dir.path())).unwrap();
    let media: Vec<&str> = i
        .diags
        .iter()
        .filter(|d| d.rule == Rule::ImportLeftOut && d.message.contains("media:content"))
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(media.len(), i.episodes, "{media:?}");
    assert_eq!(i.summary.fields["media:content"].left, i.episodes);
    assert_eq!(i.summary.fields["guid"].kept, i.episodes);
}

#[test]
fn a_broken_feed_writes_nothing_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("show");
    let out = Command::cargo_bin("feedgen")
        .unwrap()
        .args(["import", &fixture("broken-truncated.xml"), "--into"])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("FG500") && stderr.contains("nothing written"),
        "{stderr}"
    );
    assert!(
        !target.exists(),
        "a failed import made {}",
        target.display()
    );
}

#[test]
fn a_folder_that_holds_a_show_is_refused_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("podcast.toml"), "# mine\n").unwrap();
    std::fs::create_dir(dir.path().join("episodes")).unwrap();
    std::fs::write(dir.path().join("episodes/001.md"), "mine\n").unwrap();
    let before = tree(dir.path());
    let run = |force: bool| {
        let mut cmd = Command::cargo_bin("feedgen").unwrap();
        cmd.args(["import", &fixture("anchor.xml"), "--into"])
            .arg(dir.path());
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    let refused = run(false);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("already holds a show"));
    assert_eq!(tree(dir.path()), before);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("podcast.toml")).unwrap(),
        "# mine\n"
    );

    let forced = run(true);
    assert_ran(&forced);
    let stderr = String::from_utf8_lossy(&forced.stderr);
    assert!(stderr.contains("imported 4 episodes"), "{stderr}");
    assert!(
        stderr.contains("field") && stderr.contains("kept") && stderr.contains("converted"),
        "{stderr}"
    );
    let backup = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .find(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".feedgen-import-backup-")
        })
        .expect("a backup folder")
        .path();
    assert_eq!(
        std::fs::read_to_string(backup.join("podcast.toml")).unwrap(),
        "# mine\n"
    );
    assert_eq!(
        std::fs::read_to_string(backup.join("episodes/001.md")).unwrap(),
        "mine\n"
    );
    assert!(!dir.path().join("episodes/001.md").exists());
    assert!(dir.path().join("episodes/012.md").exists());
    // No stage is left behind.
    assert!(!tree(dir.path())
        .iter()
        .any(|f| f.starts_with(".feedgen-import.")));
}

#[test]
fn the_ledger_holds_the_first_build_to_what_was_published() {
    let dir = tempfile::tempdir().unwrap();
    import(&options(&fixture("anchor.xml"), dir.path())).unwrap();
    let lock = std::fs::read_to_string(dir.path().join("feedgen.lock")).unwrap();
    assert!(
        lock.contains("guid = \"7f3c9e2a-5b1d-4c8e-9a0f-2d6b8e4c1a37\""),
        "{lock}"
    );
    // Moving an episode's enclosure is caught by the first build.
    let ep = dir.path().join("episodes/012.md");
    let text = std::fs::read_to_string(&ep).unwrap();
    let moved = text.replacen(
        "url = \"https://anchor.example.com/",
        "url = \"https://other.example.com/",
        1,
    );
    assert_ne!(text, moved);
    std::fs::write(&ep, moved).unwrap();
    let built = feedgen::build(&feedgen::Options::new(
        dir.path().join("podcast.toml"),
        now(),
    ))
    .unwrap();
    assert!(built.written.is_empty());
    assert!(built
        .project
        .diags
        .iter()
        .any(|d| d.rule == Rule::PublishedGuidChanged));
}

#[test]
fn a_web_page_is_not_a_feed_and_says_which_feeds_it_advertises() {
    let dir = tempfile::tempdir().unwrap();
    let err = import(&options(&fixture("not-a-feed.html"), dir.path())).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("is a web page, not a feed"), "{msg}");
    assert!(
        msg.contains("https://feeds.fieldrecordings.example.com/atom.xml"),
        "{msg}"
    );
    let err = import(&options(&fixture("not-a-feed.json"), dir.path())).unwrap_err();
    assert!(err.to_string().contains("is not a feed"), "{err}");
    assert!(tree(dir.path()).is_empty());
}

/// A loopback server: `/old` redirects to `/feed` (gzip), `/page` is a web
/// page advertising `/feed`, anything else is 404. Stops when dropped.
struct Server {
    base: String,
    server: Arc<tiny_http::Server>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    fn start() -> Server {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let base = format!("http://{}", server.server_addr().to_ip().unwrap());
        let feed = std::fs::read(fixture("anchor.xml")).unwrap();
        let serving = server.clone();
        let thread = std::thread::spawn(move || {
            for req in serving.incoming_requests() {
                let header = |k: &str, v: &str| tiny_http::Header::from_bytes(k, v).unwrap();
                let _ = match req.url() {
                    "/old" => req.respond(tiny_http::Response::empty(301).with_header(header("Location", "/feed"))),
                    "/feed" => {
                        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
                        gz.write_all(&feed).unwrap();
                        let body = gz.finish().unwrap();
                        req.respond(
                            tiny_http::Response::from_data(body)
                                .with_header(header("Content-Encoding", "gzip"))
                                .with_header(header("Content-Type", "application/rss+xml")),
                        )
                    }
                    "/page" => req.respond(
                        tiny_http::Response::from_string(
                            "<!DOCTYPE html><html><head><link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed\"></head><body>Listen</body></html>",
                        )
                        .with_header(header("Content-Type", "text/html")),
                    ),
                    _ => req.respond(tiny_http::Response::from_string("no").with_status_code(404)),
                };
            }
        });
        Server {
            base,
            server,
            thread: Some(thread),
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[test]
fn a_feed_is_fetched_over_http_through_redirects_and_gzip() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let i = import(&options(&format!("{}/old", server.base), dir.path())).unwrap();
    assert_eq!(i.episodes, 4);
    assert!(dir.path().join("episodes/012.md").exists());

    let empty = tempfile::tempdir().unwrap();
    let missing = import(&options(&format!("{}/gone", server.base), empty.path())).unwrap_err();
    assert!(missing.to_string().contains("404"), "{missing}");
    let page = import(&options(&format!("{}/page", server.base), empty.path())).unwrap_err();
    assert!(
        page.to_string().contains(&format!("{}/feed", server.base)),
        "{page}"
    );
    assert!(tree(empty.path()).is_empty());
}

#[test]
fn a_thousand_items_import_into_a_thousand_files() {
    let items: String = (1..=1000)
        .map(|n| {
            format!(
                "<item><title>Episode {n}</title><guid isPermaLink=\"false\">ep-{n}</guid><pubDate>Mon, 05 Jun 2023 10:00:00 +0000</pubDate><description><![CDATA[<p>Notes for {n} with <a href=\"https://example.com/{n}\">a link</a>.</p>]]></description><enclosure url=\"https://cdn.example.com/{n}.mp3\" length=\"{n}000\" type=\"audio/mpeg\"/><itunes:episode>{n}</itunes:episode><itunes:duration>{n}</itunes:duration></item>"
            )
        })
        .collect();
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel><title>Big</title><link>https://big.example.com/</link><language>en</language><description>A big show.</description><itunes:image href=\"https://big.example.com/a.jpg\"/><itunes:category text=\"Technology\"/><itunes:author>Big</itunes:author>{items}</channel></rss>"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.xml");
    std::fs::write(&path, feed).unwrap();
    let into = dir.path().join("show");
    let i = import(&options(&path.to_string_lossy(), &into)).unwrap();
    assert_eq!(i.episodes, 1000);
    assert_eq!(
        std::fs::read_dir(into.join("episodes")).unwrap().count(),
        1000
    );
    let built = feedgen::build(&feedgen::Options::new(into.join("podcast.toml"), now())).unwrap();
    assert!(
        !built.written.is_empty(),
        "{:#?}",
        &built.project.diags[..3.min(built.project.diags.len())]
    );
    assert_eq!(built.published, 1000);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 64, ..Default::default() })]

    /// A feed cut anywhere, with any bytes put in anywhere, is imported or
    /// refused with a finding; never a panic, and a refusal writes nothing.
    #[test]
    fn a_mangled_feed_is_imported_or_refused_never_a_panic(
        cut in 0usize..6000,
        at in 0usize..6000,
        junk in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..16),
    ) {
        let mut bytes = std::fs::read(fixture("messy-nbsp.xml")).unwrap();
        bytes.truncate(cut.max(1).min(bytes.len()));
        let at = at.min(bytes.len());
        bytes.splice(at..at, junk);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("feed.xml");
        std::fs::write(&path, &bytes).unwrap();
        let into = dir.path().join("show");
        match import(&options(&path.to_string_lossy(), &into)) {
            Ok(i) if i.written.is_empty() => {
                proptest::prop_assert!(i.diags.iter().any(|d| d.rule == Rule::ImportUnreadable));
                proptest::prop_assert!(!into.exists());
            }
            Ok(i) => proptest::prop_assert!(into.join("podcast.toml").exists() && i.written.len() == i.episodes + 2),
            Err(e) => proptest::prop_assert!(!into.exists(), "{e}"),
        }
    }
}

#[test]
fn soundbites_locations_licenses_and_the_podcast_namespace_channel_tags_carry_over() {
    let dir = tempfile::tempdir().unwrap();
    let source = fixture("castopod.xml");
    import(&options(&source, dir.path())).unwrap();
    let built = feedgen::build(&feedgen::Options::new(
        dir.path().join("podcast.toml"),
        now(),
    ))
    .unwrap();
    assert!(!built.written.is_empty(), "{:#?}", built.project.diags);
    let old = std::fs::read_to_string(&source).unwrap();
    let new = std::fs::read_to_string(dir.path().join("public/feed.xml")).unwrap();
    for tag in [
        "<podcast:soundbite",
        "<podcast:location",
        "<podcast:license",
        "<podcast:locked",
        "<podcast:guid",
    ] {
        let (was, now) = (old.matches(tag).count(), new.matches(tag).count());
        assert!(was > 0, "the fixture has no {tag}");
        assert_eq!(now, was, "{tag}");
    }
}

/// A feed around `items`, with every channel field a build needs.
fn feed_with(namespaces: &str, items: &str) -> String {
    format!(
        "<?xml version=\"1.0\"?>\n<rss version=\"2.0\" {namespaces}>\n<channel>\n<title>T</title>\n<link>https://show.example/</link>\n<language>en</language>\n<description>A show.</description>\n<itunes:author>A</itunes:author>\n<itunes:image href=\"https://show.example/a.jpg\"/>\n<itunes:category text=\"Technology\"/>\n{items}\n</channel>\n</rss>\n"
    )
}

const NS: &str = "xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:podcast=\"https://podcastindex.org/namespace/1.0\"";

fn item(guid: &str, extra: &str) -> String {
    format!("<item><title>Ep {guid}</title><link>https://show.example/e/{guid}/</link><guid isPermaLink=\"false\">{guid}</guid><pubDate>Mon, 05 Jun 2023 10:00:00 +0000</pubDate><enclosure url=\"https://cdn.example/{guid}.mp3\" length=\"1000\" type=\"audio/mpeg\"/><itunes:duration>60</itunes:duration>{extra}</item>")
}

/// Imports `feed` and builds it; the import and the built feed.xml.
fn import_build(feed: &str) -> (feedgen::import::Imported, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.xml");
    std::fs::write(&path, feed).unwrap();
    let into = dir.path().join("show");
    let i = import(&options(&path.to_string_lossy(), &into)).unwrap();
    let built = feedgen::build(&feedgen::Options::new(into.join("podcast.toml"), now())).unwrap();
    assert!(!built.written.is_empty(), "{:#?}", built.project.diags);
    let xml = std::fs::read_to_string(into.join("public/feed.xml")).unwrap();
    (i, xml, dir)
}

#[test]
fn notes_nested_deep_enough_to_overflow_a_converter_are_kept_as_text() {
    let deep = format!("{}deep text{}", "<b>".repeat(20_000), "</b>".repeat(20_000));
    let notes = format!("<content:encoded><![CDATA[{deep}]]></content:encoded>");
    let (i, xml, _dir) = import_build(&feed_with(NS, &item("g1", &notes)));
    assert!(i
        .diags
        .iter()
        .any(|d| d.message.contains("nested too deep")));
    assert!(xml.contains("deep text"));
}

#[test]
fn elements_nested_without_end_are_refused_not_a_crash() {
    let deep = format!(
        "{}{}",
        "<x:a xmlns:x=\"urn:x\">".repeat(30_000),
        "</x:a>".repeat(30_000)
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.xml");
    std::fs::write(&path, feed_with(NS, &item("g1", &deep))).unwrap();
    let i = import(&options(&path.to_string_lossy(), &dir.path().join("show"))).unwrap();
    assert!(i.written.is_empty());
    assert!(i
        .diags
        .iter()
        .any(|d| d.rule == Rule::ImportUnreadable && d.message.contains("nested")));
}

#[test]
fn bare_urls_and_linked_images_in_the_notes_stay_whole_links() {
    let notes = "<description><![CDATA[<p>Sponsor: https://sponsor.example/?utm_source=show&amp;ref=episode_42_notes now.</p><p><a href=\"https://patreon.example/show\"><img src=\"https://patreon.example/b.png\" alt=\"Support us\"></a></p>]]></description>";
    let (_i, xml, dir) = import_build(&feed_with(NS, &item("g1", notes)));
    assert!(
        xml.contains("href=\"https://sponsor.example/?ref=episode_42_notes\""),
        "{xml}"
    );
    // The notes keep the badge as Markdown writes it; the build makes it one
    // link, in the feed and on the page.
    let ep = std::fs::read_to_string(dir.path().join("show/episodes/2023-06-05.md")).unwrap();
    assert!(
        ep.contains("[![Support us](https://patreon.example/b.png)](https://patreon.example/show)"),
        "{ep}"
    );
    let link = "<a href=\"https://patreon.example/show\">Support us</a>";
    assert!(xml.contains(link), "{xml}");
    let page = std::fs::read_to_string(
        dir.path()
            .join("show/public/episodes/2023-06-05/index.html"),
    )
    .unwrap();
    assert!(page.contains(link), "{page}");
}

#[test]
fn relative_urls_of_an_item_are_resolved_never_read_as_local_files() {
    let extra = "<podcast:transcript url=\"secret.txt\" type=\"text/plain\"/><podcast:chapters url=\"/chapters.json\" type=\"application/json+chapters\"/>";
    let (i, xml, dir) = import_build(&feed_with(NS, &item("g1", extra)));
    let ep = std::fs::read_to_string(dir.path().join("show/episodes/2023-06-05.md")).unwrap();
    assert!(
        ep.contains("transcript = \"https://show.example/e/g1/secret.txt\""),
        "{ep}"
    );
    assert!(
        ep.contains("chapters = \"https://show.example/chapters.json\""),
        "{ep}"
    );
    assert!(xml.contains("https://show.example/e/g1/secret.txt"));
    assert_eq!(
        i.diags
            .iter()
            .filter(|d| d.message.contains("is relative"))
            .count(),
        2
    );
}

#[test]
fn an_itunes_namespace_in_another_spelling_or_undeclared_is_still_read() {
    for ns in [
        "xmlns:itunes=\"https://www.itunes.com/dtds/podcast-1.0.dtd\"",
        "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"",
    ] {
        let extra = "<itunes:episode>7</itunes:episode><itunes:season>2</itunes:season>";
        let (i, xml, _dir) = import_build(&feed_with(ns, &item("g1", extra)));
        assert!(
            xml.contains("<itunes:episode>7</itunes:episode>"),
            "{ns}: {xml}"
        );
        assert!(xml.contains("<itunes:season>2</itunes:season>"), "{ns}");
        assert!(
            xml.contains("<itunes:duration>60</itunes:duration>"),
            "{ns}"
        );
        assert!(
            i.diags
                .iter()
                .any(|d| d.rule == Rule::ImportRepaired && d.message.contains("itunes")),
            "{ns}"
        );
    }
}

#[test]
fn items_outside_the_channel_are_refused_never_paired_with_another_s_values() {
    let stray = item("g9", "");
    let feed = feed_with(NS, "<item><title>g2</title><guid>g2</guid><pubDate>Mon, 05 Jun 2023 10:00:00 +0000</pubDate></item>")
        .replace("<channel>", &format!("<foo>{stray}</foo>\n<channel>"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.xml");
    std::fs::write(&path, feed).unwrap();
    let i = import(&options(&path.to_string_lossy(), &dir.path().join("show"))).unwrap();
    // The stray item is not the channel's: the channel's one item is
    // imported, and keeps no enclosure of another's.
    assert_eq!(i.episodes, 1);
    let ep = std::fs::read_to_string(dir.path().join("show/episodes/2023-06-05.md")).unwrap();
    assert!(
        ep.contains("guid = \"g2\"") && !ep.contains("g9.mp3"),
        "{ep}"
    );
    let second = feed_with(NS, &item("g1", "")).replace(
        "</channel>",
        "</channel><channel><title>U</title></channel>",
    );
    std::fs::write(&path, second).unwrap();
    let i = import(&options(&path.to_string_lossy(), &dir.path().join("show2"))).unwrap();
    assert!(i.written.is_empty());
    assert!(i
        .diags
        .iter()
        .any(|d| d.message.contains("second <channel>")));
}

#[test]
fn an_atom_entry_without_a_date_is_a_draft_not_1970() {
    let feed = "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>T</title><id>urn:x</id><updated>2023-06-05T10:00:00Z</updated><link href=\"https://show.example/\"/><entry><title>E1</title><id>urn:e1</id><updated>2023-06-05T10:00:00Z</updated><link rel=\"enclosure\" href=\"https://cdn.example/1.mp3\" length=\"10\" type=\"audio/mpeg\"/></entry><entry><title>E2</title><id>urn:e2</id><link rel=\"enclosure\" href=\"https://cdn.example/2.mp3\" length=\"10\" type=\"audio/mpeg\"/></entry></feed>";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.xml");
    std::fs::write(&path, feed).unwrap();
    let into = dir.path().join("show");
    let i = import(&options(&path.to_string_lossy(), &into)).unwrap();
    assert!(i.diags.iter().any(|d| d.message.contains("has no date")));
    let lock = std::fs::read_to_string(into.join("feedgen.lock")).unwrap();
    assert!(!lock.contains("1970"), "{lock}");
    assert!(
        lock.contains("urn:e1") && !lock.contains("urn:e2"),
        "{lock}"
    );
}

#[test]
fn the_stage_of_a_killed_import_is_swept_and_a_running_one_s_is_not() {
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join(".feedgen-import.12345-0");
    std::fs::create_dir_all(stale.join("episodes")).unwrap();
    std::fs::write(stale.join("episodes/001.md"), "left by a killed import").unwrap();
    let running = dir.path().join(".feedgen-import.99999-0");
    std::fs::create_dir(&running).unwrap();
    let held = std::fs::File::open(&running).unwrap();
    held.lock().unwrap();
    let i = import(&options(&fixture("anchor.xml"), dir.path())).unwrap();
    assert_eq!(i.episodes, 4);
    assert!(!stale.exists(), "the killed import's stage stays");
    assert!(running.exists(), "a running import's stage was removed");
}
