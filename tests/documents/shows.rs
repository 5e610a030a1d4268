//! The shows whose documents are checked: the example show, a generated show
//! (unpaged and paged, with pages ending inside a chunk of items), the shared
//! test show paged by two, an episode using every item field, and the tgik
//! corpus's real notes.

use std::sync::OnceLock;

use feedgen::model::Feed;
use feedgen::Output;

use crate::common::{body, example_copy, front, repo, summary, TempProject, MINIMAL_TOML};
use crate::genshow;

/// A show, checked, its feed model and every document feedgen renders of it.
pub struct Rendered {
    pub name: &'static str,
    pub feed: Feed,
    pub docs: Vec<Output>,
}

/// Checks `t` (it must have no error) and renders its feed.
pub fn render(name: &'static str, t: TempProject) -> Rendered {
    let project = t.check();
    assert!(!project.has_errors(), "{name}: {}", summary(&project));
    let feed = project.feed();
    assert!(!feed.items.is_empty(), "{name} publishes nothing");
    let docs = feedgen::render(&feed).unwrap_or_else(|d| panic!("{name}: {}", d.message));
    Rendered { name, feed, docs }
}

fn generated(n: usize, page_size: Option<usize>) -> TempProject {
    let t = TempProject::minimal();
    genshow::write_show(t.path(), n, 6).unwrap();
    if let Some(size) = page_size {
        let toml = t.read("podcast.toml");
        assert!(toml.ends_with("[output]\ndir = \"public\"\n"), "{toml}");
        t.write("podcast.toml", format!("{toml}page_size = {size}\n"));
    }
    t
}

fn paged() -> TempProject {
    let toml = format!(
        "{MINIMAL_TOML}\n[output]\npage_size = 2\nhub = \"https://pubsubhubbub.appspot.com/\"\n"
    );
    let t = TempProject::new(&toml);
    for n in 1..=5 {
        let f = front(n).replace("2021-01-22", &format!("2021-01-{:02}", 10 + n));
        t.write(&format!("episodes/{n:03}.md"), format!("{f}{}", body(n)));
    }
    t
}

/// Every item-level field, with text that needs escaping.
fn every_field() -> TempProject {
    let toml = MINIMAL_TOML.replace(
        "role = \"guest\"",
        "role = \"guest\"\nimg = \"https://example.com/bob.jpg?a=1&b='2'\"",
    );
    let t = TempProject::new(&toml);
    t.write("episodes/001.vtt", "WEBVTT\n");
    let first = "+++\ntitle = \"Quotes ' \\\" & <tags> ]]>\"\npublished = 2021-01-22T21:00:00+09:00\nepisode_type = \"bonus\"\nseason = 2\nexplicit = true\nimage = \"https://example.com/001.jpg\"\nvideo = \"https://youtu.be/x?a=1&b=2\"\nblock = true\nsoundbites = [{ start = 73.5, duration = 60.0, title = \"Best <minute> & more\" }, { start = 1.0, duration = 2.25 }]\nlocation = { name = \"Tokyo & Osaka\", geo = \"geo:35.68,139.76\", osm = \"R1543125\" }\nlicense = { name = \"cc-by-4.0\", url = \"https://creativecommons.org/licenses/by/4.0/\" }\n\n[audio]\nurl = \"https://cdn.example.com/001.mp3?x=1&y=2\"\nlength = 1234\ntype = \"audio/mpeg\"\nduration = \"10:00\"\n+++\n";
    let notes = "# 001\n\n- Hosted by @alice\n- Guest: @bob\n- Recording date: 2021-01-22\n\n## Contents\n\n### @alice\n\n#### [Topic <1> & \"2\"](https://example.com/t?a=1&b=2)\n- a note with `]]>` and <raw> & 'quotes'\n- line\u{2028}and paragraph\u{2029}separators\n\n```\ncode ]]> <x>\n```\n";
    t.write("episodes/001.md", format!("{first}{notes}"));
    // A trailer, announced on the channel.
    t.write(
        "episodes/002.md",
        format!(
            "{}{}",
            front(2).replace("+++\ntitle", "+++\nepisode_type = \"trailer\"\ntitle"),
            body(2)
        ),
    );
    t
}

/// The tgik corpus's notes, each given front matter, in the example show with
/// its hosts removed and the findings the notes have made warnings.
fn tgik() -> TempProject {
    let toml = std::fs::read_to_string(repo().join("podcast.toml"))
        .unwrap()
        .replace("hosts = [\"bells17\"]", "hosts = []");
    assert!(toml.ends_with("[rules]\n# The seed episode keeps the show's own Markdown exactly as written; its\n# lazy-continuation line is reported, not fatal.\n"), "{toml}");
    let warn = [
        "missing-host",
        "missing-number",
        "duplicate-number",
        "invalid-date",
        "unsafe-link",
        "invalid-link",
        "number-mismatch",
        "duplicate-guid",
    ];
    let rules: String = warn.iter().map(|r| format!("{r} = \"warn\"\n")).collect();
    let t = TempProject::new(&format!("{toml}{rules}"));
    let mut files = 0;
    for entry in std::fs::read_dir(repo().join("tests/corpus/tgik")).unwrap() {
        let path = entry.unwrap().path();
        let n = path.file_stem().unwrap().to_string_lossy().into_owned();
        if path.extension().is_none_or(|e| e != "md") || n == "README" {
            continue;
        }
        let k: u32 = n.parse().unwrap();
        let front = format!(
            "+++\n[audio]\nurl = \"https://media.example.com/tgik/{n}.mp3\"\nlength = {}\ntype = \"audio/mpeg\"\nduration = \"1:0{}:00\"\n+++\n",
            1000 + k,
            k % 10
        );
        let mut text = front.into_bytes();
        text.extend(std::fs::read(&path).unwrap());
        t.write(&format!("episodes/{n}.md"), text);
        files += 1;
    }
    assert_eq!(files, 172);
    t
}

/// Every show, rendered (once for all the tests).
pub fn all() -> &'static [Rendered] {
    static ALL: OnceLock<Vec<Rendered>> = OnceLock::new();
    ALL.get_or_init(|| {
        vec![
            render("example", example_copy()),
            render("generated", generated(120, None)),
            render("generated, paged", generated(120, Some(48))),
            render("paged", paged()),
            render("every field", every_field()),
            render("tgik", tgik()),
        ]
    })
}
