//! The web pages in a real browser: headless Chromium (Debian's `chromium`)
//! loads the show page and an episode page, and the DOM it builds is checked,
//! with what its console says (the pages' Content-Security-Policy must block
//! nothing they use). Screenshots are kept in target/screenshots/ for CI to
//! keep as artifacts.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use scraper::{Html, Selector};

fn chromium() -> PathBuf {
    let found = ["chromium", "chromium-browser"].iter().find_map(|name| {
        std::env::split_paths(&std::env::var_os("PATH")?)
            .map(|d| d.join(name))
            .find(|p| p.exists())
    });
    found.expect(
        "headless Chromium (Debian's `chromium`): run `bash scripts/install-test-deps.sh` first",
    )
}

fn run(args: &[&str], page: &Path) -> Output {
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(["--enable-logging=stderr", "--v=0"])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert_ran(&out);
    out
}

/// The DOM Chromium builds for `page`, and what its console said.
fn rendered(page: &Path) -> (Html, String) {
    let out = run(&["--dump-dom", "--virtual-time-budget=2000"], page);
    let dom = String::from_utf8(out.stdout).unwrap();
    assert!(dom.contains("</html>"), "{dom}");
    (
        Html::parse_document(&dom),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn screenshot(page: &Path, name: &str) {
    let dir = repo().join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    let _ = std::fs::remove_file(&file);
    run(
        &[
            &format!("--screenshot={}", file.display()),
            "--window-size=1000,1400",
            "--hide-scrollbars",
        ],
        page,
    );
    let png = std::fs::read(&file).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{}", file.display());
    assert!(
        png.len() > 10_000,
        "{} is {} bytes",
        file.display(),
        png.len()
    );
}

fn select(css: &str) -> Selector {
    Selector::parse(css).unwrap()
}

/// Console lines that say the page's policy refused something it uses.
fn refusals(console: &str) -> Vec<&str> {
    console
        .lines()
        .filter(|l| l.contains("Content Security Policy") || l.contains("Refused to"))
        .filter(|l| !l.contains("img-src") && !l.contains("media-src"))
        .collect()
}

#[test]
fn chromium_renders_the_show_page_and_an_episode_page() {
    let t = example_copy();
    assert!(!t.build().written.is_empty());
    let public = t.path().join("public");

    let (show, console) = rendered(&public.join("index.html"));
    assert_eq!(refusals(&console), Vec::<&str>::new());
    let listed: Vec<String> = show
        .select(&select(".episodes h2 a"))
        .map(|a| a.text().collect())
        .collect();
    assert_eq!(listed.len(), 3, "{listed:?}");
    assert_eq!(show.select(&select(r#"link[rel="alternate"]"#)).count(), 3);
    assert_eq!(show.select(&select("script:not([type])")).count(), 0);
    screenshot(&public.join("index.html"), "show.png");

    let episode = public.join("episodes/8/index.html");
    let (page, console) = rendered(&episode);
    assert_eq!(refusals(&console), Vec::<&str>::new());
    let h1: String = page.select(&select("h1")).next().unwrap().text().collect();
    assert_eq!(h1, "Gateway API、Sigstore、そして年末の振り返り");
    let audio = page.select(&select("audio[controls]")).next().unwrap();
    assert_eq!(
        audio.value().attr("src"),
        Some("https://media.kubenews.example.com/008.mp3")
    );
    // The notes, as the file holds them, are in the DOM Chromium built.
    let file = Html::parse_document(&std::fs::read_to_string(&episode).unwrap());
    let links = |h: &Html| -> Vec<String> {
        h.select(&select(".notes a[href]"))
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect()
    };
    assert!(!links(&file).is_empty());
    assert_eq!(links(&page), links(&file));
    screenshot(&episode, "episode.png");

    // The policy is real: a script slipped into a page is refused by the
    // browser, and the console says so.
    let tampered = public.join("tampered.html");
    let html = std::fs::read_to_string(&episode).unwrap();
    std::fs::write(
        &tampered,
        html.replacen("<main>", "<main><script>document.title = 'ran'</script>", 1),
    )
    .unwrap();
    let (dom, console) = rendered(&tampered);
    assert!(!refusals(&console).is_empty(), "{console}");
    let title: String = dom
        .select(&select("title"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert_ne!(title, "ran");
}
