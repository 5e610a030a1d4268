//! Local media, transcript and chapters files are judged by where they really
//! are: a symlink out of the project is refused (unsafe-path), a dangling one
//! is missing, and only regular files are read or published.
#![cfg(unix)]

mod common;

use std::os::unix::fs::symlink;

use common::*;
use feedgen::diag::Rule;

/// An episode whose front matter adds `extra` (e.g. a transcript path).
fn project(extra: &str) -> TempProject {
    let t = TempProject::minimal();
    let front = front(1).replacen("+++\n", &format!("+++\n{extra}\n"), 1);
    t.write("episodes/001.md", format!("{front}{}", body(1)));
    t
}

fn messages(t: &TempProject, rule: Rule) -> Vec<String> {
    find(&t.check(), rule)
        .iter()
        .map(|d| d.message.clone())
        .collect()
}

/// A folder outside the project holding `name`.
fn elsewhere(name: &str, content: &[u8]) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join(name), content).unwrap();
    d
}

#[test]
fn a_transcript_linked_out_of_the_project_is_refused_and_not_published() {
    let outside = elsewhere("secret.vtt", b"WEBVTT\n\nroot:x:0:0\n");
    let t = project("transcript = \"media/001.vtt\"");
    std::fs::create_dir_all(t.path().join("media")).unwrap();
    symlink(
        outside.path().join("secret.vtt"),
        t.path().join("media/001.vtt"),
    )
    .unwrap();
    let got = messages(&t, Rule::UnsafePath);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("transcript `media/001.vtt` leads outside the project"),
        "{}",
        got[0]
    );
    // An error: nothing is published, the transcript least of all.
    let out = t.build();
    assert!(out.written.is_empty());
    assert!(!t.path().join("public/feed.xml").exists());
}

#[test]
fn a_sidecar_found_by_its_name_is_checked_the_same_way() {
    let outside = elsewhere("passwd", b"root:x:0:0\n");
    let t = project("");
    symlink(
        outside.path().join("passwd"),
        t.path().join("episodes/001.vtt"),
    )
    .unwrap();
    let got = messages(&t, Rule::UnsafePath);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("`001.vtt` leads outside"), "{}", got[0]);
}

#[test]
fn a_media_folder_linked_elsewhere_is_neither_probed_nor_published() {
    let outside = elsewhere("001.mp3", &silent_mp3(40));
    let t = TempProject::minimal();
    t.write(
        "episodes/001.md",
        format!(
            "+++\ntitle = \"One\"\npublished = 2021-01-22T21:00:00+09:00\naudio = \"media/001.mp3\"\n+++\n{}",
            body(1)
        ),
    );
    symlink(outside.path(), t.path().join("media")).unwrap();
    let got = messages(&t, Rule::UnsafePath);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].starts_with("media file `media/001.mp3` leads outside"));
    assert!(t.check().feed().items.iter().all(|i| i.enclosure.is_none()));
}

#[test]
fn a_link_that_stays_inside_the_project_is_followed() {
    let t = project("transcript = \"media/001.vtt\"");
    t.write("shared/001.vtt", "WEBVTT\n");
    std::fs::create_dir_all(t.path().join("media")).unwrap();
    symlink(
        t.path().join("shared/001.vtt"),
        t.path().join("media/001.vtt"),
    )
    .unwrap();
    assert_eq!(messages(&t, Rule::UnsafePath), Vec::<String>::new());
    let feed = t.check().feed();
    let urls: Vec<&str> = feed.items[0]
        .transcripts
        .iter()
        .map(|t| t.url.as_str())
        .collect();
    assert_eq!(urls, ["https://cdn.example.com/media/001.vtt"]);
}

#[test]
fn a_dangling_link_is_missing_not_published() {
    let t = project("transcript = \"media/001.vtt\"");
    std::fs::create_dir_all(t.path().join("media")).unwrap();
    symlink(
        t.path().join("media/gone.vtt"),
        t.path().join("media/001.vtt"),
    )
    .unwrap();
    let got = messages(&t, Rule::MediaFile);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].contains("is a symlink to") && got[0].ends_with("which does not exist"),
        "{}",
        got[0]
    );
    assert!(t.check().feed().items[0].transcripts.is_empty());
}

#[test]
fn a_chapters_file_that_is_a_pipe_or_a_folder_is_refused_without_blocking() {
    let t = project("chapters = \"media/001.json\"");
    std::fs::create_dir_all(t.path().join("media")).unwrap();
    mkfifo(&t.path().join("media/001.json"));
    let p = check_in_time(&t);
    let got: Vec<&str> = find(&p, Rule::MediaFile)
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        got,
        ["chapters file `media/001.json` is a named pipe (FIFO), not a regular file"]
    );

    let t = project("transcript = \"media\"");
    std::fs::create_dir_all(t.path().join("media")).unwrap();
    assert_eq!(
        messages(&t, Rule::MediaFile),
        ["transcript `media` is a folder, not a regular file"]
    );
}

#[test]
fn an_oversized_chapters_file_is_not_read_whole() {
    let t = project("chapters = \"media/001.json\"");
    let big = vec![b' '; (4 << 20) + 1];
    t.write("media/001.json", big);
    let p = t.check();
    let got = find(&p, Rule::InvalidChapters);
    assert_eq!(got.len(), 1, "{}", summary(&p));
    assert!(
        got[0].message.contains("larger than 4 MiB"),
        "{}",
        got[0].message
    );
}

#[test]
fn a_broken_podcast_toml_is_reported_alone() {
    // One unknown key: the real error, not one "no media_base_url" per file.
    let t = TempProject::new(&format!("{MINIMAL_TOML}\n[podcast.extra]\nnope = 1\n"));
    for n in 1..=3 {
        t.write(
            &format!("episodes/{n:03}.md"),
            format!(
                "+++\ntitle = \"E{n}\"\npublished = 2021-01-22T21:00:00+09:00\naudio = \"media/{n:03}.mp3\"\n+++\n{}",
                body(n)
            ),
        );
        t.write(&format!("media/{n:03}.mp3"), silent_mp3(40));
    }
    let p = t.check();
    assert!(find(&p, Rule::MissingField).is_empty(), "{}", summary(&p));
    assert!(p.counts().errors >= 1, "{}", summary(&p));
}
