//! Shared by tests/hostile.rs, tests/properties.rs and the fuzz regressions:
//! builds a throw-away project around one episode and checks that whatever
//! feedgen writes is well-formed, strictly parseable and free of live markup,
//! unsafe URLs and characters XML or readers cannot hold.
#![allow(dead_code)]

mod oracles;

use std::path::{Path, PathBuf};

use chrono::{DateTime, FixedOffset};
use feedgen::diag::{Rule, Severity};
use feedgen::{BuildOutcome, Options};

/// The one show every test project is built on; `Project::new` appends its
/// extra tables after it.
pub const PODCAST_TOML: &str = include_str!("../show/podcast.toml");

pub fn now() -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339("2030-01-01T00:00:00+00:00").unwrap()
}

/// Front matter that makes only the hostile part of a case matter: a publish
/// date and a remote enclosure. `extra` (TOML lines) goes after `published`
/// and before `[audio]`; a `published` or `audio` key in it replaces the default one.
pub fn front_matter(extra: &str, number: u32) -> String {
    let mut s = String::from("+++\n");
    if !extra
        .lines()
        .any(|l| l.trim_start().starts_with("published"))
    {
        s.push_str("published = 2021-01-22T21:00:00+09:00\n");
    }
    if !extra.trim().is_empty() {
        s.push_str(extra.trim_end());
        s.push('\n');
    }
    if !extra.contains("[audio]") && !extra.lines().any(|l| l.trim_start().starts_with("audio")) {
        s.push_str(&format!(
            "[audio]\nurl = \"https://media.example.com/{number:03}.mp3\"\nlength = 12345678\ntype = \"audio/mpeg\"\nduration = \"1:02:03\"\n"
        ));
    }
    s.push_str("+++\n");
    s
}

/// A temporary project: podcast.toml (+ `extra_config`) and episodes.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new(extra_config: &str) -> Project {
        Project::new_in(&std::env::temp_dir(), extra_config)
    }
    /// A project in a fresh folder under `parent`.
    pub fn new_in(parent: &Path, extra_config: &str) -> Project {
        let dir = tempfile::tempdir_in(parent).unwrap();
        std::fs::create_dir_all(dir.path().join("episodes")).unwrap();
        std::fs::write(
            dir.path().join("podcast.toml"),
            format!("{PODCAST_TOML}\n{extra_config}\n"),
        )
        .unwrap();
        Project { dir }
    }
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
    pub fn episode_path(&self, number: u32) -> PathBuf {
        self.root().join(format!("episodes/{number:03}.md"))
    }
    pub fn write_episode(&self, number: u32, bytes: &[u8]) {
        std::fs::write(self.episode_path(number), bytes).unwrap();
    }
    pub fn options(&self) -> Options {
        let mut o = Options::new(self.root().join("podcast.toml"), now());
        o.out = Some(self.out_dir());
        o
    }
    pub fn out_dir(&self) -> PathBuf {
        self.root().join("public")
    }
    pub fn build(&self) -> BuildOutcome {
        feedgen::build(&self.options()).expect("build returned an I/O or usage error")
    }
}

/// `[rules]` turning every rule into a warning: a "forced" build then writes
/// whatever feedgen would make of the input, so the sanitizer itself is tested.
pub fn all_rules_warn() -> String {
    let mut s = String::from("[rules]\n");
    for r in Rule::ALL {
        s.push_str(&format!("{} = \"warn\"\n", r.name()));
    }
    s
}

/// `(rule name, line)` for every diagnostic of a build.
pub fn diag_lines(outcome: &BuildOutcome) -> Vec<(String, Option<usize>, Severity, String)> {
    outcome
        .project
        .diags
        .iter()
        .map(|d| {
            let line = d.span.as_ref().and_then(|s| {
                (s.file.0 != u32::MAX).then(|| {
                    outcome
                        .project
                        .sources
                        .get(s.file)
                        .line_col(s.range.start)
                        .0
                })
            });
            (
                d.rule.name().to_string(),
                line,
                d.severity,
                d.message.clone(),
            )
        })
        .collect()
}

fn decode_entities(s: &str) -> String {
    // Full HTML entity decoding for the characters that matter to URL schemes:
    // numeric references and the handful of named ones an attacker would use.
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let end = after.find(';').filter(|&e| e <= 32);
        let decoded = end.and_then(|e| {
            let ent = &after[..e];
            let c = if let Some(h) = ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X")) {
                u32::from_str_radix(h, 16).ok().and_then(char::from_u32)
            } else if let Some(d) = ent.strip_prefix('#') {
                d.parse::<u32>().ok().and_then(char::from_u32)
            } else {
                match ent {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "colon" => Some(':'),
                    "Tab" => Some('\t'),
                    "NewLine" => Some('\n'),
                    "sol" => Some('/'),
                    _ => None,
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// What a browser would take as the scheme: entities decoded, ASCII whitespace
/// and controls removed, lower-cased.
pub fn unsafe_url(raw: &str) -> bool {
    let v: String = decode_entities(raw)
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    ["javascript:", "data:", "vbscript:", "file:"]
        .iter()
        .any(|s| v.starts_with(s))
        || v.starts_with("//")
        || v.starts_with("\\\\")
        || v.starts_with("/\\")
        || v.starts_with("\\/")
}

/// Checks one piece of HTML *after* the feed's own XML/JSON escaping was undone.
/// A web page: parsed as HTML5 browsers parse it, it runs nothing: no script
/// but the JSON-LD data block, no event handler, no script URL, no frame or
/// plug-in, and its CSP allows no script.
pub fn check_page(where_: &str, html: &str) -> Result<(), String> {
    let doc = scraper::Html::parse_document(html);
    let select = |css: &str| scraper::Selector::parse(css).unwrap();
    for el in doc.select(&select("*")) {
        let name = el.value().name();
        if matches!(
            name,
            "iframe" | "object" | "embed" | "frame" | "base" | "form"
        ) {
            return Err(format!("{where_}: a live <{name}>"));
        }
        if name == "script" && el.value().attr("type") != Some("application/ld+json") {
            return Err(format!("{where_}: a script runs"));
        }
        for (attr, value) in el.value().attrs() {
            if attr.to_ascii_lowercase().starts_with("on") {
                return Err(format!("{where_}: <{name} {attr}>"));
            }
            let squeezed: String = value
                .chars()
                .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            let is_url = matches!(
                attr,
                "href" | "src" | "action" | "formaction" | "poster" | "cite" | "srcset" | "data"
            );
            if is_url
                && ["javascript:", "vbscript:", "data:"]
                    .iter()
                    .any(|s| squeezed.starts_with(s))
            {
                return Err(format!("{where_}: <{name} {attr}={value:?}>"));
            }
        }
    }
    let csp = doc
        .select(&select(r#"meta[http-equiv="Content-Security-Policy"]"#))
        .next()
        .and_then(|m| m.value().attr("content").map(str::to_string))
        .ok_or(format!("{where_}: no Content-Security-Policy"))?;
    if !csp.contains("default-src 'none'") || csp.contains("script-src") {
        return Err(format!("{where_}: the CSP allows scripts: {csp}"));
    }
    Ok(())
}

pub fn check_html(where_: &str, html: &str) -> Result<(), String> {
    oracles::allowed_html(html).map_err(|e| format!("{where_}: notes HTML: {e}\n{html}"))?;
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script", "<iframe", "<svg", "<style", "<img", "<object", "<embed", "<math", "<form",
        "<link", "<meta", "<base",
    ] {
        if lower.contains(bad) {
            return Err(format!("{where_}: live `{bad}` in HTML:\n{html}"));
        }
    }
    // Walk every tag: no on* attributes, and hrefs that are safe once decoded.
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        let after = &rest[i + 1..];
        let Some(end) = after.find('>') else {
            return Err(format!("{where_}: unclosed tag in HTML"));
        };
        let tag = &after[..end];
        rest = &after[end + 1..];
        let mut attrs = tag
            .split_once(char::is_whitespace)
            .map(|x| x.1)
            .unwrap_or("");
        while let Some(eq) = attrs.find('=') {
            let name = attrs[..eq].trim().to_ascii_lowercase();
            if name.starts_with("on") {
                return Err(format!("{where_}: event handler attribute `{name}`"));
            }
            let v = attrs[eq + 1..].trim_start();
            let (value, tail) = match v.strip_prefix('"') {
                Some(q) => match q.find('"') {
                    Some(c) => (&q[..c], &q[c + 1..]),
                    None => return Err(format!("{where_}: unterminated attribute")),
                },
                None => return Err(format!("{where_}: unquoted attribute")),
            };
            if matches!(
                name.as_str(),
                "href" | "src" | "action" | "formaction" | "xlink:href"
            ) && unsafe_url(value)
            {
                return Err(format!("{where_}: unsafe URL {name}=\"{value}\""));
            }
            attrs = tail;
        }
    }
    Ok(())
}

thread_local! {
    /// Set when the input itself holds a literal U+FFFD (a podcaster may type
    /// one); otherwise a U+FFFD in an output means text was silently lost.
    pub static ALLOW_FFFD: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Characters that must never reach an output.
pub fn check_chars(name: &str, text: &str) -> Result<(), String> {
    let allow_fffd = ALLOW_FFFD.with(|a| a.get());
    for (i, c) in text.char_indices() {
        let bad = oracles::is_xml_invalid(c)
            || c == '\r'
            || (c == '\u{FFFD}' && !allow_fffd)
            || oracles::is_invisible(c);
        if bad {
            let from = text.floor_char_boundary(i.saturating_sub(60));
            return Err(format!(
                "{name}: U+{:04X} at byte {i}: …{}…",
                c as u32,
                &text[from..i]
            ));
        }
    }
    Ok(())
}

/// Every href/url/src attribute and every `<link>`/`<url>` text of an XML
/// document, decoded by a strict reader.
fn xml_urls(bytes: &[u8]) -> Result<Vec<String>, String> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_reader(bytes);
    r.config_mut().check_end_names = true;
    r.config_mut().check_comments = true;
    let mut buf = Vec::new();
    let mut urls = Vec::new();
    let mut in_url_elem = false;
    loop {
        match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).to_ascii_lowercase();
                in_url_elem = matches!(local.as_str(), "link" | "url" | "comments" | "docs");
                for a in e.attributes() {
                    let a = a.map_err(|e| format!("bad attribute: {e}"))?;
                    let key =
                        String::from_utf8_lossy(a.key.local_name().as_ref()).to_ascii_lowercase();
                    if matches!(key.as_str(), "href" | "url" | "src" | "img") {
                        let v = a
                            .unescape_value()
                            .map_err(|e| format!("bad attribute value: {e}"))?;
                        urls.push(v.into_owned());
                    }
                }
            }
            Ok(Event::Text(t)) if in_url_elem => {
                let v = t.unescape().map_err(|e| format!("bad text: {e}"))?;
                if !v.trim().is_empty() {
                    urls.push(v.trim().to_string());
                }
            }
            Ok(Event::End(_)) => in_url_elem = false,
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("strict XML parser: {e} at {}", r.buffer_position())),
        }
        buf.clear();
    }
    Ok(urls)
}

fn check_urls(name: &str, urls: &[String]) -> Result<(), String> {
    for u in urls {
        if unsafe_url(u) {
            return Err(format!("{name}: unsafe URL `{u}`"));
        }
    }
    Ok(())
}

/// Parses and checks every file a build wrote. Returns the decoded documents'
/// text for extra per-case assertions.
pub fn check_outputs(written: &[PathBuf]) -> Result<Vec<(String, String)>, String> {
    let mut docs = Vec::new();
    for path in written {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let bytes = std::fs::read(path).map_err(|e| format!("{name}: {e}"))?;
        let text =
            String::from_utf8(bytes.clone()).map_err(|e| format!("{name}: not UTF-8: {e}"))?;
        check_chars(&name, &text)?;
        if name.ends_with(".html") {
            check_page(&path.display().to_string(), &text)?;
        } else if name.ends_with(".json") {
            if text.contains('\u{2028}') || text.contains('\u{2029}') {
                return Err(format!("{name}: raw U+2028/U+2029 (must be escaped)"));
            }
            let v: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("{name}: JSON: {e}"))?;
            let mut json_urls = Vec::new();
            collect_json(&v, "", &mut json_urls, &name)?;
            check_urls(&name, &json_urls)?;
            for item in v["items"].as_array().into_iter().flatten() {
                if let Some(t) = item["title"].as_str() {
                    docs.push((format!("{name} title"), t.to_string()));
                }
                for k in ["content_html", "summary"] {
                    if let Some(h) = item[k].as_str() {
                        check_chars(&format!("{name} {k} (decoded)"), h)?;
                        if k == "content_html" {
                            check_html(&format!("{name} {k}"), h)?;
                        }
                    }
                }
            }
        } else {
            oracles::well_formed(&bytes).map_err(|e| format!("{name}: {e}"))?;
            let urls = xml_urls(&bytes).map_err(|e| format!("{name}: {e}"))?;
            check_urls(&name, &urls)?;
            if name.starts_with("feed") {
                let ch =
                    rss::Channel::read_from(&bytes[..]).map_err(|e| format!("{name}: rss: {e}"))?;
                for (i, item) in ch.items.iter().enumerate() {
                    for (k, h) in [
                        ("content:encoded", &item.content),
                        ("description", &item.description),
                    ] {
                        if let Some(h) = h {
                            check_chars(&format!("{name} item {i} {k} (decoded)"), h)?;
                            check_html(&format!("{name} item {i} {k}"), h)?;
                        }
                    }
                    if let Some(t) = &item.title {
                        check_chars(&format!("{name} item {i} title"), t)?;
                        docs.push((format!("{name} title"), t.clone()));
                    }
                }
            } else {
                let f = atom_syndication::Feed::read_from(&bytes[..])
                    .map_err(|e| format!("{name}: atom: {e}"))?;
                for (i, e) in f.entries.iter().enumerate() {
                    if let Some(h) = e.content.as_ref().and_then(|c| c.value.as_ref()) {
                        check_chars(&format!("{name} entry {i} content (decoded)"), h)?;
                        check_html(&format!("{name} entry {i} content"), h)?;
                    }
                    docs.push((format!("{name} title"), e.title.value.clone()));
                }
            }
            feed_rs::parser::parse(&bytes[..]).map_err(|e| format!("{name}: feed-rs: {e}"))?;
        }
        docs.push((name, text));
    }
    Ok(docs)
}

fn collect_json(
    v: &serde_json::Value,
    key: &str,
    urls: &mut Vec<String>,
    name: &str,
) -> Result<(), String> {
    match v {
        serde_json::Value::String(s) => {
            check_chars(&format!("{name} .{key} (decoded)"), s)?;
            if matches!(
                key,
                "url"
                    | "external_url"
                    | "home_page_url"
                    | "feed_url"
                    | "icon"
                    | "favicon"
                    | "image"
                    | "banner_image"
                    | "avatar"
                    | "next_url"
            ) {
                urls.push(s.clone());
            }
        }
        serde_json::Value::Array(a) => {
            for x in a {
                collect_json(x, key, urls, name)?;
            }
        }
        serde_json::Value::Object(o) => {
            for (k, x) in o {
                collect_json(x, k, urls, name)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// The invariant every hostile input must keep: a build either refuses with an
/// error diagnostic and writes nothing, or writes feeds that pass every check.
pub fn check_build(outcome: &BuildOutcome) -> Result<Vec<(String, String)>, String> {
    let has_error = outcome
        .project
        .diags
        .iter()
        .any(|d| d.severity == Severity::Error);
    if outcome.written.is_empty() {
        if !has_error && outcome.published > 0 {
            return Err("build wrote nothing but reported no error".into());
        }
        return Ok(vec![]);
    }
    if has_error {
        return Err(format!(
            "build wrote feeds despite errors: {:?}",
            outcome
                .project
                .diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .map(|d| &d.message)
                .collect::<Vec<_>>()
        ));
    }
    check_outputs(&outcome.written)
}
