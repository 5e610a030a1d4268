//! End-to-end: the example show builds into feeds that parse back, match the
//! model and golden files, and are byte-identical from build to build.

mod common;

use common::*;
use feedgen::diag::{Rule, Severity};

/// One element per line, so golden diffs are readable (the feeds themselves are
/// compact: indentation would change CDATA content).
fn golden_view(xml: &str) -> String {
    xml.replace("><", ">\n<")
}

#[test]
fn example_show_builds_and_matches_golden_files() {
    let t = example_copy();
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    assert_eq!(out.project.counts().errors, 0, "{}", summary(&out.project));
    insta::assert_snapshot!("example_feed_xml", golden_view(&t.read("public/feed.xml")));
    insta::assert_snapshot!("example_atom_xml", golden_view(&t.read("public/atom.xml")));
    insta::assert_snapshot!("example_feed_json", t.read("public/feed.json"));
}

#[test]
fn two_builds_are_byte_identical() {
    let a = example_copy();
    let b = example_copy();
    a.build();
    b.build();
    // A second build over the first, with a different "now", changes nothing either.
    let mut o = a.options();
    o.now = chrono::DateTime::parse_from_rfc3339("2031-06-01T12:00:00+02:00").unwrap();
    feedgen::build(&o).unwrap();
    for f in ["feed.xml", "atom.xml", "feed.json"] {
        assert_eq!(
            std::fs::read(a.path().join("public").join(f)).unwrap(),
            std::fs::read(b.path().join("public").join(f)).unwrap(),
            "{f} differs"
        );
    }
}

#[test]
fn feeds_parse_back_with_feed_rs_and_match_the_model() {
    let t = example_copy();
    t.build();
    let feed = t.check().feed();
    assert_eq!(feed.items.len(), 3);
    for (name, ids) in [
        (
            "feed.xml",
            feed.items
                .iter()
                .map(|i| i.guid.clone())
                .collect::<Vec<_>>(),
        ),
        (
            "atom.xml",
            feed.items.iter().map(|i| i.id_iri.clone()).collect(),
        ),
        (
            "feed.json",
            feed.items.iter().map(|i| i.id_iri.clone()).collect(),
        ),
    ] {
        let bytes = std::fs::read(t.path().join("public").join(name)).unwrap();
        let parsed = feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(parsed.entries.len(), feed.items.len(), "{name}");
        let got: Vec<String> = parsed.entries.iter().map(|e| e.id.clone()).collect();
        assert_eq!(got, ids, "{name}");
        for (e, i) in parsed.entries.iter().zip(&feed.items) {
            assert_eq!(e.title.as_ref().unwrap().content, i.title, "{name}");
            assert_eq!(
                e.published.unwrap().timestamp(),
                i.published.timestamp(),
                "{name}"
            );
            let enc = i.enclosure.as_ref().unwrap();
            // feed-rs reads RSS enclosures as media, Atom ones as rel=enclosure links and
            // JSON attachments as links with a media type.
            let media: Vec<_> = e.media.iter().flat_map(|m| m.content.iter()).collect();
            let as_media = media.iter().any(|c| {
                c.url.as_ref().map(|u| u.as_str()) == Some(enc.url.as_str())
                    && c.size == Some(enc.length)
            });
            let as_link = e.links.iter().any(|l| {
                matches!(l.rel.as_deref(), Some("enclosure") | None)
                    && l.href == enc.url
                    && l.length == Some(enc.length)
                    && l.media_type.as_deref() == Some(enc.mime.as_str())
            });
            assert!(
                as_media || as_link,
                "{name}: enclosure {} not read back: {media:?} {:?}",
                enc.url,
                e.links
            );
        }
    }
    // podcast:guid is the UUIDv5 of the feed URL.
    let rss = t.read("public/feed.xml");
    let expected = feedgen::model::derive_podcast_guid("https://kubenews.example.com/feed.xml");
    assert!(rss.contains(&format!("<podcast:guid>{expected}</podcast:guid>")));
}

#[test]
fn episode_006_topics_sublinks_and_credits_reach_both_feeds() {
    let t = example_copy();
    t.build();
    let rss = t.read("public/feed.xml");
    let atom = t.read("public/atom.xml");
    let channel = rss::Channel::read_from(rss.as_bytes()).unwrap();
    let item = channel
        .items
        .iter()
        .find(|i| i.link.as_deref() == Some("https://kubenews.example.com/episodes/6/"))
        .unwrap();
    let content = item.content.as_deref().unwrap();
    // Atom's content is CDATA: read it back as a reader does, not as bytes.
    let atom_feed = atom_syndication::Feed::read_from(atom.as_bytes()).unwrap();
    let entry = atom_feed
        .entries
        .iter()
        .find(|e| {
            e.links
                .iter()
                .any(|l| l.href == "https://kubenews.example.com/episodes/6/")
        })
        .unwrap();
    let atom_content = entry
        .content
        .as_ref()
        .and_then(|c| c.value.as_deref())
        .unwrap();
    assert_eq!(
        atom_content, content,
        "Atom and RSS carry the same notes HTML"
    );
    for url in [
        "https://cnd.connpass.com/event/198619/",
        "https://speakerdeck.com/hhiroshell/kubernetes-network-fundamentals-69d5c596-4b7d-43c0-aac8-8b0e5a633fc2",
        "https://www.sdxcentral.com/articles/news/nvidia-views-kubernetes-as-key-to-gpu-accelerated-ai-scale/2021/01/",
        "https://www.elastic.co/jp/blog/why-license-change-AWS",
        "https://github.com/priyankavergadia/GCPSketchnote",
        "https://www.cncf.io/blog/2021/01/12/whats-your-kubernetes-maturity/",
        "https://www.fairwinds.com/kubernetes-maturity-model",
    ] {
        assert!(content.contains(&format!("href=\"{url}\"")), "RSS content lacks {url}");
        assert!(atom_content.contains(&format!("href=\"{url}\"")), "Atom content lacks {url}");
    }
    assert!(
        !content.contains("utm_"),
        "tracking parameters must be removed"
    );
    // Speaker credits: podcast:person on the item, contributors in Atom.
    let persons = &item.extensions["podcast"]["person"];
    let names: Vec<_> = persons.iter().map(|p| p.value.clone().unwrap()).collect();
    assert_eq!(names, vec!["bells17", "chago", "ryojsb"]);
    assert_eq!(persons[0].attrs["role"], "host");
    assert_eq!(persons[1].attrs["role"], "co-host");
    for n in ["chago", "ryojsb", "bells17"] {
        assert!(
            atom.contains(&format!("<contributor><name>{n}</name>")),
            "Atom lacks contributor {n}"
        );
    }
    // The empty Video line gives no contentLink, and never a second enclosure.
    assert!(!item.extensions["podcast"].contains_key("contentLink"));
    assert!(rss.matches("<enclosure ").count() == 3);
}

#[test]
fn video_becomes_content_link_not_an_enclosure() {
    let t = example_copy();
    t.build();
    let rss = t.read("public/feed.xml");
    assert!(rss.contains(
        r#"<podcast:contentLink href="https://youtu.be/kubenews-007">Video</podcast:contentLink>"#
    ));
    assert!(!rss.contains(r#"<enclosure url="https://youtu.be"#));
}

#[test]
fn pubdate_falls_back_to_recording_date_at_publish_time() {
    let t = TempProject::minimal();
    // No `published`: the complete recording date at 21:00 Asia/Tokyo is used.
    let fm = "+++\ntitle = \"T\"\n[audio]\nurl = \"https://cdn.example.com/1.mp3\"\nlength = 1\ntype = \"audio/mpeg\"\nduration = 60\n+++\n";
    t.write("episodes/001.md", format!("{fm}{}", body(1)));
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    let rss = t.read("public/feed.xml");
    assert!(
        rss.contains("<pubDate>Fri, 22 Jan 2021 21:00:00 +0900</pubDate>"),
        "{rss}"
    );
}

#[test]
fn drafts_and_scheduled_episodes_are_left_out_with_a_message() {
    let t = TempProject::minimal();
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    // Draft: no publish date and no complete recording date.
    let draft_fm = "+++\ntitle = \"Draft\"\n[audio]\nurl = \"https://cdn.example.com/2.mp3\"\nlength = 1\ntype = \"audio/mpeg\"\nduration = 60\n+++\n";
    t.write(
        "episodes/002.md",
        format!(
            "{draft_fm}{}",
            body(2).replace("- Recording date: 2021-01-22\n", "")
        ),
    );
    // Scheduled: published after --now.
    let sched = front(3).replace("2021-01-22T21:00:00+09:00", "2031-01-01T00:00:00Z");
    t.write("episodes/003.md", format!("{sched}{}", body(3)));
    let out = t.build();
    assert_eq!(out.published, 1, "{}", summary(&out.project));
    assert_eq!(
        positions(&out.project, Rule::Draft),
        vec![("episodes/002.md".into(), 9, 1)]
    );
    assert_eq!(
        positions(&out.project, Rule::Scheduled),
        vec![("episodes/003.md".into(), 11, 1)]
    );
    assert!(find(&out.project, Rule::Draft)[0].severity == Severity::Note);
    let rss = t.read("public/feed.xml");
    assert_eq!(rss.matches("<item>").count(), 1);
    // With a later "now" the scheduled episode appears.
    let mut o = t.options();
    o.now = chrono::DateTime::parse_from_rfc3339("2031-02-01T00:00:00Z").unwrap();
    assert_eq!(feedgen::build(&o).unwrap().published, 2);
}

#[test]
fn both_layouts_work_in_one_tree() {
    let t = TempProject::minimal();
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    t.write("episodes/002/README.md", format!("{}{}", front(2), body(2)));
    t.write("episodes/002/transcript.vtt", "WEBVTT\n");
    let out = t.build();
    assert_eq!(out.published, 2, "{}", summary(&out.project));
    let rss = t.read("public/feed.xml");
    assert!(
        rss.contains(r#"<podcast:transcript type="text/vtt" url="https://cdn.example.com/episodes/002/transcript.vtt">"#),
        "{rss}"
    );
}

#[test]
fn nothing_is_written_when_there_is_an_error() {
    let t = TempProject::minimal();
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    let first = t.build();
    assert!(!first.written.is_empty());
    let before = std::fs::read(t.path().join("public/feed.xml")).unwrap();
    // A new episode with an invalid date: the build must refuse and keep the old feed.
    t.write(
        "episodes/002.md",
        format!(
            "{}{}",
            front(2),
            body(2).replace("2021-01-22", "2021-02-30")
        ),
    );
    let second = t.build();
    assert!(second.written.is_empty());
    assert_eq!(
        positions(&second.project, Rule::InvalidDate),
        vec![("episodes/002.md".into(), 14, 19)]
    );
    assert_eq!(
        std::fs::read(t.path().join("public/feed.xml")).unwrap(),
        before
    );
}

#[test]
fn paging_links_archive_pages() {
    let toml = format!(
        "{MINIMAL_TOML}\n[output]\npage_size = 2\nhub = \"https://pubsubhubbub.appspot.com/\"\n"
    );
    let t = TempProject::new(&toml);
    for n in 1..=5 {
        let f = front(n).replace("2021-01-22", &format!("2021-01-{:02}", 10 + n));
        t.write(&format!("episodes/{n:03}.md"), format!("{f}{}", body(n)));
    }
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    let main = t.read("public/feed.xml");
    assert_eq!(main.matches("<item>").count(), 2);
    assert!(main.contains(r#"<atom:link href="https://example.com/feed-2.xml" rel="next""#));
    assert!(main.contains(r#"<atom:link href="https://example.com/feed-3.xml" rel="last""#));
    assert!(main.contains(r#"rel="hub""#));
    assert!(!main.contains("fh:complete"));
    let last = t.read("public/feed-3.xml");
    assert_eq!(last.matches("<item>").count(), 1);
    assert!(last.contains(r#"rel="previous""#) && !last.contains(r#"rel="next""#));
    let atom2 = t.read("public/atom-2.xml");
    assert!(
        atom2.contains(r#"href="https://example.com/atom.xml" rel="first""#),
        "{atom2}"
    );
    // The JSON Feed has all items.
    let json: serde_json::Value = serde_json::from_str(&t.read("public/feed.json")).unwrap();
    assert_eq!(json["items"].as_array().unwrap().len(), 5);
}

#[test]
fn unpaged_feeds_are_marked_complete() {
    let t = example_copy();
    t.build();
    assert!(
        t.read("public/feed.xml")
            .contains("<fh:complete></fh:complete>")
            || t.read("public/feed.xml").contains("<fh:complete/>")
    );
    assert!(t.read("public/atom.xml").contains("fh:complete"));
}

#[test]
fn trailer_episodes_are_announced_on_the_channel() {
    let t = TempProject::minimal();
    t.write(
        "episodes/001.md",
        format!(
            "{}{}",
            front(1).replace(
                "+++\ntitle",
                "+++\nepisode_type = \"trailer\"\nseason = 2\ntitle"
            ),
            body(1)
        ),
    );
    t.write("episodes/002.md", format!("{}{}", front(2), body(2)));
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    let rss = t.read("public/feed.xml");
    assert_eq!(rss.matches("<podcast:trailer ").count(), 1, "{rss}");
    assert!(rss.contains(r#"<podcast:trailer length="1234" pubdate="Fri, 22 Jan 2021 21:00:00 +0900" season="2" type="audio/mpeg" url="https://cdn.example.com/001.mp3">Episode title 1</podcast:trailer>"#), "{rss}");
    assert!(rss.contains("<itunes:episodeType>trailer</itunes:episodeType>"));
}

#[test]
fn documents_assembled_in_chunks_equal_whole_documents() {
    // More items than one chunk (32) and pages that end mid-chunk: the build's
    // files must equal the in-memory rendering (tests/documents/ compares
    // such documents with what the crates write for each whole document).
    let toml = format!("{MINIMAL_TOML}\n[output]\npage_size = 40\n");
    let t = TempProject::new(&toml);
    for n in 1..=75 {
        let day = 1 + (n % 28);
        let f = front(n).replace("2021-01-22", &format!("2021-02-{day:02}"));
        t.write(&format!("episodes/{n:03}.md"), format!("{f}{}", body(n)));
    }
    let out = t.build();
    let documents = out.written.iter().filter(|p| !p.ends_with("index.html"));
    assert_eq!(documents.count(), 5, "{}", summary(&out.project));
    let feed = t.check().feed();
    assert_eq!(feed.items.len(), 75);
    let docs = feedgen::render(&feed).unwrap();
    let names: Vec<&str> = docs.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "feed.xml",
            "feed-2.xml",
            "atom.xml",
            "atom-2.xml",
            "feed.json"
        ]
    );
    for d in &docs {
        assert_eq!(
            t.read(&format!("public/{}", d.name)).as_bytes(),
            d.bytes.as_slice(),
            "{}",
            d.name
        );
    }
    assert_eq!(t.read("public/feed.xml").matches("<item>").count(), 40);
    assert_eq!(t.read("public/feed-2.xml").matches("<item>").count(), 35);
}

#[test]
fn every_item_field_is_written_as_the_crates_write_it() {
    // This episode uses every item-level field, with text that needs escaping
    // (tests/documents/ compares the same show's documents with the rss and
    // atom_syndication crates' own output).
    let toml = MINIMAL_TOML.replace(
        "role = \"guest\"",
        "role = \"guest\"\nimg = \"https://example.com/bob.jpg?a=1&b='2'\"",
    );
    let t = TempProject::new(&toml);
    t.write("episodes/001.vtt", "WEBVTT\n");
    let front = "+++\ntitle = \"Quotes ' \\\" & <tags> ]]>\"\npublished = 2021-01-22T21:00:00+09:00\nepisode_type = \"bonus\"\nseason = 2\nexplicit = true\nimage = \"https://example.com/001.jpg\"\nvideo = \"https://youtu.be/x?a=1&b=2\"\nblock = true\nsoundbites = [{ start = 73.5, duration = 60.0, title = \"Best <minute> & more\" }, { start = 1.0, duration = 2.25 }]\nlocation = { name = \"Tokyo & Osaka\", geo = \"geo:35.68,139.76\", osm = \"R1543125\" }\nlicense = { name = \"cc-by-4.0\", url = \"https://creativecommons.org/licenses/by/4.0/\" }\n\n[audio]\nurl = \"https://cdn.example.com/001.mp3?x=1&y=2\"\nlength = 1234\ntype = \"audio/mpeg\"\nduration = \"10:00\"\n+++\n";
    let body = "# 001\n\n- Hosted by @alice\n- Guest: @bob\n- Recording date: 2021-01-22\n\n## Contents\n\n### @alice\n\n#### [Topic <1> & \"2\"](https://example.com/t?a=1&b=2)\n- a note with `]]>` and <raw> & 'quotes'\n\n```\ncode ]]> <x>\n```\n";
    t.write("episodes/001.md", format!("{front}{body}"));
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    let rss = t.read("public/feed.xml");
    for needle in [
        "<podcast:soundbite duration=\"60\" startTime=\"73.5\">Best &lt;minute&gt; &amp; more</podcast:soundbite>",
        "<podcast:location geo=\"geo:35.68,139.76\" osm=\"R1543125\">Tokyo &amp; Osaka</podcast:location>",
        "<podcast:license url=\"https://creativecommons.org/licenses/by/4.0/\">cc-by-4.0</podcast:license>",
        "<itunes:block>Yes</itunes:block>",
        "<itunes:episodeType>bonus</itunes:episodeType>",
        "<podcast:transcript type=\"text/vtt\"",
    ] {
        assert!(rss.contains(needle), "{needle} not in\n{rss}");
    }
    // HTML escapes `>` in text, so notes never hold `]]>` (CDATA splitting is
    // unit-tested in xml.rs).
    assert!(rss.contains("]]&gt;"));
    let atom = t.read("public/atom.xml");
    assert!(
        atom.contains("<title>Quotes &apos; &quot; &amp; &lt;tags&gt; ]]&gt;</title>"),
        "{atom}"
    );
}

/// An episode with its own `published` (days after 2021-01-01, at 21:00 in
/// Tokyo) and an optional front-matter number.
fn dated(n: u32, day: u32, number: Option<u32>) -> String {
    let number = number
        .map(|k| format!("episode = {k}\n"))
        .unwrap_or_default();
    format!(
        "+++\ntitle = \"Episode title {n}\"\npublished = 2021-{:02}-{:02}T21:00:00+09:00\n{number}\n[audio]\nurl = \"https://cdn.example.com/{n:03}.mp3\"\nlength = 1234\ntype = \"audio/mpeg\"\nduration = \"10:00\"\n+++\n{}",
        1 + (day - 1) / 28,
        1 + (day - 1) % 28,
        body(n)
    )
}

/// What the whole checked project renders (in memory).
fn usual_documents(t: &TempProject) -> Vec<(String, Vec<u8>)> {
    let project = t.check();
    assert!(!project.has_errors(), "{}", summary(&project));
    feedgen::render(&project.feed())
        .unwrap()
        .into_iter()
        .map(|o| (o.name, o.bytes))
        .collect()
}

#[test]
fn a_build_in_feed_order_writes_what_the_whole_project_renders() {
    // Pages of 3 (chunks end at every page), published out of file order, two
    // episodes sharing a date (ordered by number), one scheduled after "now".
    let t = TempProject::new(&format!("{MINIMAL_TOML}\n[output]\npage_size = 3\n"));
    let days = [5, 3, 9, 1, 9, 7, 2, 8, 4, 6];
    for (k, day) in days.iter().enumerate() {
        let n = k as u32 + 1;
        t.write(&format!("episodes/{n:03}.md"), dated(n, *day, None));
    }
    t.write(
        "episodes/011.md",
        dated(11, 1, None).replace("published = 2021-01-01", "published = 2031-01-01"),
    );
    // Dated by its notes' Recording date (2021-01-22, at 21:00 in Tokyo): read
    // off the header list's lines, it is the newest.
    t.write(
        "episodes/012.md",
        dated(12, 1, None).replace("published = 2021-01-01T21:00:00+09:00\n", ""),
    );
    let want = usual_documents(&t);
    let out = t.build();
    assert_eq!(out.published, 11, "{}", summary(&out.project));
    assert_eq!(
        find(&out.project, Rule::Scheduled).len(),
        1,
        "the scheduled episode is parsed for its findings"
    );
    let names: Vec<&str> = want.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "feed.xml",
            "feed-2.xml",
            "feed-3.xml",
            "feed-4.xml",
            "atom.xml",
            "atom-2.xml",
            "atom-3.xml",
            "atom-4.xml",
            "feed.json"
        ]
    );
    for (name, bytes) in &want {
        let got = std::fs::read(t.path().join("public").join(name)).unwrap();
        assert!(&got == bytes, "{name} differs from the usual rendering");
    }
    // Newest first (pages of 3): the notes-dated 12, then of the two on day 9
    // number 5 before number 3; page 2 starts with day 8.
    let feed = t.read("public/feed.xml");
    let at = |s: &str| feed.find(s).unwrap_or_else(|| panic!("{s} missing"));
    assert!(at("Episode title 12") < at("Episode title 5"));
    assert!(at("Episode title 5") < at("Episode title 3"));
    let page2 = t.read("public/feed-2.xml");
    let first_title = page2.split("<item><title>").nth(1).unwrap_or_default();
    assert!(first_title.starts_with("Episode title 8<"), "{first_title}");
    // No temporary file is left among the outputs.
    let left: Vec<String> = std::fs::read_dir(t.path().join("public"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_build_in_feed_order_with_an_error_writes_nothing_and_creates_no_folder() {
    let t = TempProject::minimal();
    for n in 1..=4 {
        t.write(&format!("episodes/{n:03}.md"), dated(n, n, None));
    }
    // The heading says 7, the file name 2: an error, found only in the notes.
    t.write(
        "episodes/002.md",
        dated(2, 2, None).replace("# 002", "# 007"),
    );
    let out = t.build();
    assert!(out.written.is_empty());
    assert_eq!(find(&out.project, Rule::NumberMismatch).len(), 1);
    assert!(
        !t.path().join("public").exists(),
        "the staging's output folder is removed again"
    );
    // Over earlier outputs: they stay byte-identical.
    t.write("episodes/002.md", dated(2, 2, None));
    assert!(!t.build().written.is_empty());
    let listed = |t: &TempProject| {
        let mut names: Vec<String> = std::fs::read_dir(t.path().join("public"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let names_before = listed(&t);
    let before: Vec<Vec<u8>> = ["feed.xml", "atom.xml", "feed.json"]
        .iter()
        .map(|f| std::fs::read(t.path().join("public").join(f)).unwrap())
        .collect();
    t.write("episodes/004.md", dated(4, 4, Some(9)));
    let out = t.build();
    assert!(out.written.is_empty());
    assert_eq!(find(&out.project, Rule::NumberMismatch).len(), 1);
    for (f, b) in ["feed.xml", "atom.xml", "feed.json"].iter().zip(before) {
        assert!(
            std::fs::read(t.path().join("public").join(f)).unwrap() == b,
            "{f}"
        );
    }
    assert_eq!(listed(&t), names_before);
}
