//! The episode parser on real show notes: the seed exactly as written, every file
//! of the tgik corpus, and each format variant docs/format.md lists.

use std::path::PathBuf;

use pulldown_cmark::{Event, Parser, Tag};

use super::links::{self, LinkVerdict};
use super::{markdown_options, parse as parse_episode, DateValue, ParsedEpisode, TopicKind};
use crate::diag::{Diagnostic, FileId, Rule, SourceFile};
use crate::input::config;
use crate::input::decode::decode;
use crate::model::Show;
use crate::render::apple;
use crate::render::notes::full_html;
use crate::render::safe_html::safe_html;

/// A minimal valid podcast.toml with a small people registry.
const MINIMAL_TOML: &str = r#"[podcast]
title = "Test Show"
description = "A show for tests."
link = "https://example.com/"
feed_url = "https://example.com/feed.xml"
language = "en"
author = "Tester"
owner = { name = "Tester", email = "tester@example.com" }
image = "https://example.com/cover.jpg"
categories = [["Technology"]]
timezone = "Asia/Tokyo"
publish_time = "21:00"
media_base_url = "https://cdn.example.com/"

[people.alice]
name = "Alice"
href = "https://example.com/alice"
role = "host"

[people.bob]
name = "Bob"
href = "https://example.com/bob"
role = "guest"
"#;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn show() -> Show {
    let (s, d) = config::load(FileId(0), MINIMAL_TOML);
    assert!(d.is_empty(), "{d:?}");
    s
}

fn kubenews_show() -> Show {
    let text = std::fs::read_to_string(repo().join("podcast.toml")).unwrap();
    config::load(FileId(0), &text).0
}

fn parse(text: &str) -> ParsedEpisode {
    parse_episode(FileId(1), "001", text, &show())
}

fn line_of(text: &str, d: &Diagnostic) -> usize {
    SourceFile::new("x", "x", text.to_string())
        .line_col(d.span.as_ref().unwrap().range.start)
        .0
}

fn rules(ep: &ParsedEpisode) -> Vec<Rule> {
    ep.diags.iter().map(|d| d.rule).collect()
}

#[test]
fn example_006_is_the_seed_with_front_matter() {
    // The example show's 006 is the seed plus front matter, notes kept as written.
    let seed = std::fs::read_to_string(repo().join("tests/fixtures/seed-006.md")).unwrap();
    let example = std::fs::read_to_string(repo().join("episodes/006.md")).unwrap();
    assert!(example.ends_with(&seed));
}

#[test]
fn seed_structure() {
    let text = std::fs::read_to_string(repo().join("tests/fixtures/seed-006.md")).unwrap();
    let ep = parse_episode(FileId(1), "006", &text, &kubenews_show());
    let h = ep.heading.as_ref().unwrap();
    assert_eq!((h.number, h.title.as_deref()), (Some(6), None));
    assert_eq!(
        ep.header
            .hosts
            .iter()
            .map(|c| c.handle.clone().unwrap())
            .collect::<Vec<_>>(),
        ["bells17"]
    );
    assert_eq!(
        ep.header.recording_date.as_ref().unwrap().value,
        DateValue::Partial("2021-01-".into())
    );
    assert_eq!(ep.header.video.as_ref().unwrap().value, None);
    let speakers: Vec<_> = ep
        .speakers
        .iter()
        .map(|s| s.credit.handle.clone().unwrap())
        .collect();
    assert_eq!(speakers, ["chago", "bells17", "ryojsb"]);
    assert_eq!(
        ep.speakers
            .iter()
            .map(|s| s.has_content)
            .collect::<Vec<_>>(),
        [true, false, true]
    );
    let topics: Vec<_> = ep
        .topics
        .iter()
        .map(|t| (t.title.as_str(), t.speaker, t.kind))
        .collect();
    assert_eq!(
        topics,
        [
            (
                "【オンライン】脱初心者への道！Kubernetes Middle Way!! - cndjp第16回",
                Some(0),
                TopicKind::Heading
            ),
            (
                "Nvidia Views Kubernetes as Key to GPU Accelerated AI Scale",
                Some(0),
                TopicKind::Heading
            ),
            (
                "Amazon: NOT OK - why we had to change Elastic licensing",
                Some(0),
                TopicKind::Heading
            ),
            ("GCPSketchnote", Some(2), TopicKind::Heading),
            (
                "CNCF Security Whitepaper Shows the Complexity of Securing Cloud Native Operations",
                Some(2),
                TopicKind::Heading
            ),
        ]
    );
    assert_eq!(
        ep.topics[1].url.as_deref(),
        Some("https://www.sdxcentral.com/articles/news/nvidia-views-kubernetes-as-key-to-gpu-accelerated-ai-scale/2021/01/")
    );
    // Sub-links belong to their topic.
    let sub: Vec<_> = ep
        .links
        .iter()
        .filter(|l| l.topic == Some(0) && !l.mention)
        .map(|l| l.url.as_str())
        .collect();
    assert_eq!(sub.len(), 3, "{sub:?}");
    assert!(sub[1].starts_with("https://speakerdeck.com/hhiroshell/"));
    // The seed's flaws are reported where they are.
    let at = |r: Rule| {
        ep.diags
            .iter()
            .filter(|d| d.rule == r)
            .map(|d| line_of(&text, d))
            .collect::<Vec<_>>()
    };
    assert_eq!(at(Rule::EmptySection), [21]);
    assert_eq!(at(Rule::FullwidthBullet), [52]);
    assert_eq!(at(Rule::LazyContinuation), [53]);
    assert_eq!(at(Rule::TrackingParameter), [15]);
}

/// Links as the Markdown author wrote them, found independently of feedgen's
/// parser: pulldown-cmark link/image events and `linkify` on plain text.
fn authored_links(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut in_link = 0;
    let mut in_code = false;
    let finder = {
        let mut f = linkify::LinkFinder::new();
        f.kinds(&[linkify::LinkKind::Url]);
        f
    };
    for (ev, r) in Parser::new_ext(text, markdown_options()).into_offset_iter() {
        match ev {
            Event::Start(Tag::Link { dest_url, .. })
            | Event::Start(Tag::Image { dest_url, .. }) => {
                in_link += 1;
                out.push((dest_url.to_string(), r));
            }
            Event::End(pulldown_cmark::TagEnd::Link)
            | Event::End(pulldown_cmark::TagEnd::Image) => in_link -= 1,
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(pulldown_cmark::TagEnd::CodeBlock) => in_code = false,
            Event::Text(t) if in_link == 0 && !in_code => {
                for l in finder.links(&t) {
                    let s = l.as_str();
                    if s.to_ascii_lowercase().starts_with("http://")
                        || s.to_ascii_lowercase().starts_with("https://")
                    {
                        out.push((s.to_string(), r.clone()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Every href in rendered HTML, unescaped and normalized.
fn hrefs(html: &str) -> std::collections::HashSet<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(|h| {
            h.replace("&amp;", "&")
                .replace("&#x27;", "'")
                .replace("&#39;", "'")
                .replace("&quot;", "\"")
        })
        .map(|h| normalize(&h))
        .collect()
}

/// Percent-decoded, then parsed: pulldown-cmark's href escaping percent-encodes
/// characters such as `|` that the url crate leaves alone in fragments.
fn normalize(u: &str) -> String {
    let bytes = u.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&u[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn every_corpus_file_parses_and_every_link_reaches_the_notes() {
    let dir = repo().join("tests/corpus/tgik");
    let show = show();
    let mut files = 0;
    let mut checked_links = 0;
    let mut reported = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "md") || path.file_name().unwrap() == "README.md" {
            continue;
        }
        files += 1;
        let text = decode(&std::fs::read(&path).unwrap()).unwrap();
        let slug = path.file_stem().unwrap().to_string_lossy().into_owned();
        let ep = parse_episode(FileId(1), &slug, &text, &show);
        let html = full_html(&ep.notes);
        let apple = apple::description(&ep.notes, Some("https://example.com/"), 4000);
        safe_html(&html).unwrap_or_else(|e| panic!("{slug}: {e}"));
        safe_html(&apple.html).unwrap_or_else(|e| panic!("{slug}: {e}"));
        assert!(apple.html.len() <= 4000, "{slug}");
        let rendered = hrefs(&html);
        for (dest, range) in authored_links(&text) {
            match links::check(&dest) {
                LinkVerdict::Keep { url, .. } => {
                    let want = normalize(&url);
                    assert!(
                        rendered.contains(&want),
                        "{slug}: link {dest} (as {want}) missing from the notes"
                    );
                    checked_links += 1;
                }
                _ => {
                    let hit = ep.diags.iter().any(|d| {
                        matches!(
                            d.rule,
                            Rule::RelativeLink | Rule::UnsafeLink | Rule::InvalidLink
                        ) && d.span.as_ref().is_some_and(|s| {
                            s.range.start >= range.start && s.range.start <= range.end
                        })
                    });
                    assert!(hit, "{slug}: dropped link {dest} has no diagnostic");
                    reported += 1;
                }
            }
        }
    }
    assert_eq!(files, 172);
    eprintln!("corpus: {files} files, {checked_links} links reached the notes, {reported} dropped with a diagnostic");
    assert!(checked_links > 2000, "{checked_links}");
}

#[test]
fn corpus_headings_and_hosts() {
    let dir = repo().join("tests/corpus/tgik");
    let read = |n: &str| decode(&std::fs::read(dir.join(n)).unwrap()).unwrap();
    let p = |n: &str| parse_episode(FileId(1), &n[..3], &read(n), &show());
    let h = |n: &str| {
        let e = p(n);
        let h = e.heading.unwrap();
        (h.number, h.title)
    };
    assert_eq!(h("050.md"), (Some(50), Some("Weave (CNI)".into())));
    assert_eq!(h("002.md"), (None, Some("Networking and Services".into())));
    assert_eq!(h("039.md").0, Some(39));
    assert_eq!(h("069.md").0, Some(69));
    assert_eq!(h("067.md"), (Some(67), None));
    // 065 starts with an H2; its H1 is on line 2.
    assert!(p("065.md").heading.is_some());
    // Hosts as handles, links, one per line, and `[@name]` without a target.
    assert_eq!(
        p("050.md").header.hosts[0].handle.as_deref(),
        Some("krisnova")
    );
    for n in ["165.md", "167.md", "168.md", "169.md", "181.md"] {
        assert!(!p(n).header.has_host_line, "{n}");
    }
    let dates = |n: &str| p(n).header.recording_date.map(|d| d.value);
    assert!(matches!(dates("174.md"), Some(DateValue::Complete { .. })));
    assert!(matches!(
        dates("183.md"),
        Some(DateValue::Complete {
            ambiguous: false,
            ..
        })
    ));
    assert_eq!(dates("076.md"), Some(DateValue::Empty));
    // The TGIK thumbnail embed's YouTube link becomes the video link.
    assert!(p("050.md")
        .html_video
        .unwrap()
        .starts_with("https://www.youtube.com/watch?"));
}

#[test]
fn variant_topic_headings_at_speaker_level_or_deeper() {
    let ep = parse("# 001\n- Hosted by @alice\n## Contents\n### @alice\n### [Same level](https://a.example/1)\nnote\n#####  [Deeper, two spaces](https://a.example/2)\n#### Plain text topic\n- under it\n### @bob\n");
    let t: Vec<_> = ep
        .topics
        .iter()
        .map(|t| (t.title.as_str(), t.url.as_deref(), t.speaker))
        .collect();
    assert_eq!(
        t,
        [
            ("Same level", Some("https://a.example/1"), Some(0)),
            ("Deeper, two spaces", Some("https://a.example/2"), Some(0)),
            ("Plain text topic", None, Some(0)),
        ]
    );
    assert_eq!(ep.speakers.len(), 2);
    assert!(rules(&ep).contains(&Rule::EmptySection));
}

#[test]
fn variant_bullet_topics_and_bare_urls() {
    let ep = parse("# 001\n- Hosted by @alice\n## Contents\n### @alice\n- [Bullet topic](https://a.example/1)\n  - sub note https://a.example/sub.\n- https://a.example/bare\n- plain note\n");
    let t: Vec<_> = ep
        .topics
        .iter()
        .map(|t| (t.title.as_str(), t.kind))
        .collect();
    assert_eq!(
        t,
        [
            ("Bullet topic", TopicKind::Bullet),
            ("https://a.example/bare", TopicKind::Bullet)
        ]
    );
    let html = full_html(&ep.notes);
    assert!(
        html.contains(r#"<a href="https://a.example/sub">https://a.example/sub</a>."#),
        "{html}"
    );
    assert_eq!(
        ep.links
            .iter()
            .find(|l| l.url == "https://a.example/sub")
            .unwrap()
            .topic,
        Some(0)
    );
}

#[test]
fn variant_speaker_by_name_with_note_and_fullwidth_space() {
    let ep = parse("# 001\n- Hosted by @alice\n## Contents\n### [Bob](https://example.com/bob) (欠席)\n### @alice　（欠席）\n");
    assert_eq!(ep.speakers[0].credit.handle.as_deref(), Some("bob"));
    assert_eq!(ep.speakers[0].note.as_deref(), Some("(欠席)"));
    assert!(ep.speakers[0].absent && ep.speakers[1].absent);
    assert_eq!(ep.speakers[1].credit.handle.as_deref(), Some("alice"));
    // Absent speakers' empty sections are expected, not reported.
    assert!(!rules(&ep).contains(&Rule::EmptySection));
}

#[test]
fn variant_empty_header_values_and_partial_dates() {
    let ep = parse("# 001\n- Hosted by: [@alice](https://example.com/alice)\n- Recording date:\n- Video:\n- Guest: @bob, [Carol](https://example.com/carol)\n");
    assert_eq!(
        ep.header.recording_date.as_ref().unwrap().value,
        DateValue::Empty
    );
    assert_eq!(ep.header.video.as_ref().unwrap().value, None);
    assert_eq!(
        ep.header.hosts[0].href.as_deref(),
        Some("https://example.com/alice")
    );
    let guests: Vec<_> = ep
        .header
        .guests
        .iter()
        .map(|c| c.handle.clone().or(c.name.clone()).unwrap())
        .collect();
    assert_eq!(guests, ["bob", "Carol"]);
    for (v, want) in [
        ("2021-01-", "2021-01-"),
        ("2021-", "2021-"),
        ("2021-01", "2021-01"),
    ] {
        let text = format!("# 001\n- Hosted by @alice\n- Recording date: {v}\n");
        let ep = parse(&text);
        assert_eq!(
            ep.header.recording_date.unwrap().value,
            DateValue::Partial(want.into())
        );
    }
}

#[test]
fn variant_only_the_list_before_contents_is_the_header() {
    let ep = parse("# 001\n\n## Contents\n- Hosted by @alice\n- Recording date: 2021-01-01\n");
    assert!(!ep.header.has_host_line);
    assert!(ep.header.recording_date.is_none());
}

#[test]
fn variant_lazy_continuation_is_reported_and_kept() {
    let text = "# 001\n- Hosted by @alice\n## Contents\n### @alice\n- item\n  - nested text\n[Meant as topic](https://a.example/t)\n";
    let ep = parse(text);
    let lazy: Vec<_> = ep
        .diags
        .iter()
        .filter(|d| d.rule == Rule::LazyContinuation)
        .collect();
    assert_eq!(lazy.len(), 1);
    assert_eq!(line_of(text, lazy[0]), 7);
    assert!(full_html(&ep.notes).contains("https://a.example/t"));
}

#[test]
fn variant_front_matter_and_crlf_bom() {
    let text = decode(b"\xEF\xBB\xBF+++\r\ntitle = \"From front matter\"\r\nepisode = 7\r\n+++\r\n# 006: From heading\r\n").unwrap();
    let ep = parse(&text);
    assert_eq!(
        ep.front.title.as_ref().unwrap().get_ref(),
        "From front matter"
    );
    assert_eq!(*ep.front.episode.as_ref().unwrap().get_ref(), 7);
    assert_eq!(ep.heading.as_ref().unwrap().number, Some(6));
}

#[test]
fn raw_html_is_text_and_unsafe_links_are_dropped() {
    let ep = parse("# 001\n- Hosted by @alice\n\n<script>alert(1)</script>\n\nx <b onclick=\"x\">y</b> [a](javascript:alert(1)) ![i](data:image/png;base64,AA)\n");
    let html = full_html(&ep.notes);
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        !html.contains("<script")
            && !html.contains("<b ")
            && !html.contains("javascript:")
            && !html.contains("data:")
    );
    assert_eq!(
        rules(&ep)
            .iter()
            .filter(|r| **r == Rule::UnsafeLink)
            .count(),
        2
    );
}

#[test]
fn a_link_pasted_many_times_gives_one_warning() {
    let line = "[x](https://a.example/same) ".repeat(1000);
    let text = format!("# 001\n- Hosted by @alice\n\n{line}\n\n[y](https://a.example/other) [y](https://a.example/other)\n");
    let ep = parse(&text);
    let dup: Vec<_> = ep
        .diags
        .iter()
        .filter(|d| d.rule == Rule::DuplicateLink)
        .collect();
    assert_eq!(dup.len(), 2, "{dup:?}");
    assert!(
        dup[0].message.contains("(1000 times in all)"),
        "{}",
        dup[0].message
    );
    assert!(!dup[1].message.contains("times in all"));
}
