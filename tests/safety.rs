//! Safety behaviours: size cap, tree boundary, output directory
//! boundary, atomic publishing, build locking and the published-guid ledger.

mod feedcheck;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use feedcheck::{check_build, front_matter, Project};
use feedgen::diag::Severity;

fn episode(number: u32, extra_fm: &str, title: &str) -> String {
    format!(
        "{}# {number:03}: {title}\n\n- Hosted by @alice\n- Recording date: 2021-01-20\n\n## Contents\n\n### @alice\n\n#### [Topic {number}](https://example.com/topic/{number})\n- note\n",
        front_matter(extra_fm, number)
    )
}

fn rules(outcome: &feedgen::BuildOutcome) -> Vec<(String, Severity, String)> {
    outcome
        .project
        .diags
        .iter()
        .map(|d| (d.rule.name().to_string(), d.severity, d.message.clone()))
        .collect()
}

fn has_error(outcome: &feedgen::BuildOutcome, rule: &str) -> bool {
    outcome
        .project
        .diags
        .iter()
        .any(|d| d.rule.name() == rule && d.severity == Severity::Error)
}

/// Every file under `dir`, by its path under it, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            if e.file_type().unwrap().is_dir() {
                todo.push(e.path());
            } else {
                let name = e.path().strip_prefix(dir).unwrap().display().to_string();
                files.insert(name, std::fs::read(e.path()).unwrap());
            }
        }
    }
    files
}

#[test]
fn episode_over_the_size_cap_is_refused() {
    let p = Project::new("[limits]\nmax_episode_bytes = 600\n");
    p.write_episode(1, episode(1, "", "Small").as_bytes());
    let mut big = episode(2, "", "Big");
    big.push_str(&"- padding line\n".repeat(100));
    p.write_episode(2, big.as_bytes());
    let out = p.build();
    assert!(has_error(&out, "file-too-large"), "{:?}", rules(&out));
    assert!(out.written.is_empty());
    let d = out
        .project
        .diags
        .iter()
        .find(|d| d.rule.name() == "file-too-large")
        .unwrap();
    let span = d.span.as_ref().expect("file-too-large points at the file");
    assert_eq!(out.project.sources.get(span.file).name, "episodes/002.md");

    // Under the default cap (4 MiB) the same file builds.
    let p = Project::new("");
    p.write_episode(2, big.as_bytes());
    let out = p.build();
    assert!(!out.written.is_empty(), "{:?}", rules(&out));
}

#[cfg(unix)]
#[test]
fn episode_symlink_out_of_the_tree_is_refused() {
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("secret.md");
    std::fs::write(&target, episode(1, "", "Outside")).unwrap();
    let p = Project::new("");
    std::os::unix::fs::symlink(&target, p.episode_path(1)).unwrap();
    let out = p.build();
    assert!(has_error(&out, "unsafe-path"), "{:?}", rules(&out));
    assert!(out.written.is_empty());

    // A symlinked episode folder leading out is refused too.
    let p = Project::new("");
    let folder = outside.path().join("002");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("README.md"), episode(2, "", "Folder")).unwrap();
    std::os::unix::fs::symlink(&folder, p.root().join("episodes/002")).unwrap();
    let out = p.build();
    assert!(has_error(&out, "unsafe-path"), "{:?}", rules(&out));

    // A symlink that stays inside the project is fine.
    let p = Project::new("");
    std::fs::create_dir(p.root().join("notes")).unwrap();
    std::fs::write(p.root().join("notes/one.md"), episode(1, "", "Inside")).unwrap();
    std::os::unix::fs::symlink(p.root().join("notes/one.md"), p.episode_path(1)).unwrap();
    let out = p.build();
    assert!(!has_error(&out, "unsafe-path"), "{:?}", rules(&out));
    assert!(!out.written.is_empty(), "{:?}", rules(&out));
}

#[test]
fn output_dir_outside_the_project_needs_consent() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("show");
    std::fs::create_dir_all(root.join("episodes")).unwrap();
    let write_config = |extra: &str| {
        std::fs::write(
            root.join("podcast.toml"),
            format!("{}\n{extra}\n", feedcheck::PODCAST_TOML),
        )
        .unwrap();
    };
    std::fs::write(root.join("episodes/001.md"), episode(1, "", "Out")).unwrap();
    let opts = || feedgen::Options::new(root.join("podcast.toml"), feedcheck::now());

    for dir in ["../x", "sub/../../x"] {
        write_config(&format!("[output]\ndir = \"{dir}\"\n"));
        let out = feedgen::build(&opts()).unwrap();
        assert!(has_error(&out, "unsafe-path"), "{dir}: {:?}", rules(&out));
        assert!(out.written.is_empty());
        assert!(
            !outer.path().join("x").exists(),
            "{dir}: nothing may be created"
        );
    }
    let abs = outer.path().join("abs");
    write_config(&format!("[output]\ndir = {:?}\n", abs.to_str().unwrap()));
    let out = feedgen::build(&opts()).unwrap();
    assert!(has_error(&out, "unsafe-path"), "{:?}", rules(&out));
    assert!(!abs.exists());

    // allow_outside = true is consent.
    write_config("[output]\ndir = \"../x\"\nallow_outside = true\n");
    let out = feedgen::build(&opts()).unwrap();
    assert!(!out.written.is_empty(), "{:?}", rules(&out));
    assert!(outer.path().join("x/feed.xml").exists());

    // So is --out, which is trusted wherever it points.
    write_config("[output]\ndir = \"../x\"\n");
    let mut o = opts();
    o.out = Some(outer.path().join("elsewhere"));
    let out = feedgen::build(&o).unwrap();
    assert!(!out.written.is_empty(), "{:?}", rules(&out));
    assert!(outer.path().join("elsewhere/feed.json").exists());

    // And the CLI refuses the same way (exit 1, nothing written).
    std::fs::remove_dir_all(outer.path().join("x")).unwrap();
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_feedgen"))
        .arg("build")
        .arg("--config")
        .arg(root.join("podcast.toml"))
        .arg("--now")
        .arg("2030-01-01T00:00:00Z")
        .arg("--quiet")
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(!status.success());
    assert!(!outer.path().join("x").exists());
}

#[test]
fn failed_build_leaves_previous_outputs_byte_identical() {
    let p = Project::new("");
    p.write_episode(1, episode(1, "", "First").as_bytes());
    p.write_episode(2, episode(2, "", "Second").as_bytes());
    let out = p.build();
    // The three feeds, the show page and a page per episode.
    assert_eq!(out.written.len(), 6, "{:?}", rules(&out));
    check_build(&out).unwrap();
    let before = snapshot(&p.out_dir());
    let ledger_before = std::fs::read(p.root().join("feedgen.lock")).unwrap();

    // Each of these breaks the build in a different stage.
    let breakages: Vec<(&str, Vec<u8>)> = vec![
        (
            "unsafe link",
            episode(2, "", "Second [x](javascript:alert(1))")
                .replace("- note", "- [x](javascript:alert(1))")
                .into_bytes(),
        ),
        ("not UTF-8", {
            let mut b = episode(2, "", "Second").into_bytes();
            b.extend_from_slice(b"\n- \x93\xfa\x96\x7b\n");
            b
        }),
        (
            "invalid date",
            episode(2, "published = 2021-02-30T21:00:00+09:00", "Second").into_bytes(),
        ),
        (
            "changed guid",
            episode(2, "guid = \"another\"", "Second").into_bytes(),
        ),
        ("too deep", {
            let mut s = episode(2, "", "Second");
            for i in 0..40 {
                s.push_str(&format!("{}- level {i}\n", "  ".repeat(i)));
            }
            s.into_bytes()
        }),
    ];
    for (what, bytes) in breakages {
        p.write_episode(2, &bytes);
        let out = p.build();
        assert!(out.written.is_empty(), "{what}: wrote {:?}", out.written);
        assert!(
            out.project.has_errors()
                || out
                    .project
                    .diags
                    .iter()
                    .any(|d| d.severity == Severity::Error),
            "{what}: no error reported"
        );
        assert_eq!(snapshot(&p.out_dir()), before, "{what}: outputs changed");
        assert_eq!(
            std::fs::read(p.root().join("feedgen.lock")).unwrap(),
            ledger_before,
            "{what}: ledger changed"
        );
    }
}

/// Two projects publishing into one directory at the same time: after every
/// round, feed.xml, atom.xml and feed.json must all come from the same build.
#[test]
fn concurrent_builds_do_not_interleave() {
    let shared = tempfile::tempdir().unwrap();
    let out_dir: PathBuf = shared.path().join("public");
    let make = |tag: &str| {
        let p = Project::new("");
        for n in 1..=20 {
            p.write_episode(n, episode(n, "", &format!("{tag} episode {n}")).as_bytes());
        }
        let mut o = p.options();
        o.out = Some(out_dir.clone());
        (p, o)
    };
    let (_pa, oa) = make("Alpha");
    let (_pb, ob) = make("Bravo");
    for _round in 0..4 {
        let (oa, ob) = (oa.clone(), ob.clone());
        let a = std::thread::spawn(move || {
            for _ in 0..3 {
                let r = feedgen::build(&oa).unwrap();
                assert_eq!(r.written.len(), 3 + 1 + 20);
            }
        });
        let b = std::thread::spawn(move || {
            for _ in 0..3 {
                let r = feedgen::build(&ob).unwrap();
                assert_eq!(r.written.len(), 3 + 1 + 20);
            }
        });
        a.join().unwrap();
        b.join().unwrap();
        let tags: Vec<&str> = ["feed.xml", "atom.xml", "feed.json"]
            .iter()
            .map(|f| {
                let t = std::fs::read_to_string(out_dir.join(f)).unwrap();
                match (t.contains("Alpha episode"), t.contains("Bravo episode")) {
                    (true, false) => "Alpha",
                    (false, true) => "Bravo",
                    other => panic!("{f} mixes builds: {other:?}"),
                }
            })
            .collect();
        assert!(
            tags.iter().all(|t| *t == tags[0]),
            "outputs from different builds: {tags:?}"
        );
        let leftovers: Vec<_> = std::fs::read_dir(&out_dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
    }
}

fn ledger(p: &Project) -> toml::Table {
    toml::from_str(&std::fs::read_to_string(p.root().join("feedgen.lock")).unwrap()).unwrap()
}

fn ledger_guid(p: &Project, key: &str) -> Option<String> {
    ledger(p)["episodes"]
        .get(key)
        .map(|e| e["guid"].as_str().unwrap().to_string())
}

fn guid_change_error(out: &feedgen::BuildOutcome) -> Vec<&str> {
    out.project
        .diags
        .iter()
        .filter(|d| d.rule.name() == "published-guid-changed" && d.severity == Severity::Error)
        .map(|d| d.message.as_str())
        .collect()
}

#[test]
fn ledger_records_and_protects_published_guids() {
    let p = Project::new("");
    p.write_episode(1, episode(1, "", "One").as_bytes());
    p.write_episode(2, episode(2, "guid = \"show-two\"", "Two").as_bytes());
    let out = p.build();
    assert_eq!(out.written.len(), 6, "{:?}", rules(&out));
    let first_guid = ledger_guid(&p, "00001").expect("episode 1 recorded");
    assert_eq!(ledger_guid(&p, "00002").as_deref(), Some("show-two"));
    let feed = std::fs::read_to_string(p.out_dir().join("feed.xml")).unwrap();
    assert!(feed.contains(&first_guid));
    let good = snapshot(&p.out_dir());

    // Changing a published guid fails, naming the episode.
    p.write_episode(
        2,
        episode(2, "guid = \"show-two-renamed\"", "Two").as_bytes(),
    );
    let out = p.build();
    let errs = guid_change_error(&out);
    assert!(out.written.is_empty());
    assert!(
        errs.iter()
            .any(|m| m.contains("episode 2") && m.contains("show-two")),
        "{errs:?}"
    );
    assert_eq!(snapshot(&p.out_dir()), good);

    // Changing the enclosure URL fails too.
    p.write_episode(2, episode(2, "guid = \"show-two\"", "Two").as_bytes());
    let moved = episode(
        1,
        "[audio]\nurl = \"https://media.example.com/moved/001.mp3\"\nlength = 12345678\ntype = \"audio/mpeg\"\nduration = \"1:02:03\"",
        "One",
    );
    p.write_episode(1, moved.as_bytes());
    let out = p.build();
    let errs = guid_change_error(&out);
    assert!(
        errs.iter()
            .any(|m| m.contains("episode 1") && m.contains("enclosure")),
        "{errs:?}"
    );
    assert!(out.written.is_empty());

    // --allow-guid-change 1 permits it and updates the ledger.
    let mut o = p.options();
    o.allow_guid_change = vec!["1".into()];
    let out = feedgen::build(&o).unwrap();
    assert!(guid_change_error(&out).is_empty(), "{:?}", rules(&out));
    assert_eq!(out.written.len(), 6);
    let l = ledger(&p);
    assert_eq!(
        l["episodes"]["00001"]["enclosure"].as_str(),
        Some("https://media.example.com/moved/001.mp3")
    );
    // ...and the next build without the flag is clean again.
    let out = p.build();
    assert!(guid_change_error(&out).is_empty(), "{:?}", rules(&out));

    // Deleting a published episode fails, naming it.
    let two = std::fs::read(p.episode_path(2)).unwrap();
    std::fs::remove_file(p.episode_path(2)).unwrap();
    let out = p.build();
    let errs = guid_change_error(&out);
    assert!(errs.iter().any(|m| m.contains("episode 2")), "{errs:?}");
    assert!(out.written.is_empty());
    // Turning it back into a draft is the same as deleting it.
    std::fs::write(
        p.episode_path(2),
        String::from_utf8(two.clone())
            .unwrap()
            .replace("published = 2021-01-22T21:00:00+09:00\n", "")
            .replace("- Recording date: 2021-01-20\n", ""),
    )
    .unwrap();
    let out = p.build();
    assert!(!guid_change_error(&out).is_empty(), "{:?}", rules(&out));
    std::fs::write(p.episode_path(2), &two).unwrap();

    // New episodes are added.
    p.write_episode(3, episode(3, "", "Three").as_bytes());
    let out = p.build();
    assert!(guid_change_error(&out).is_empty(), "{:?}", rules(&out));
    assert!(ledger_guid(&p, "00003").is_some());
    assert_eq!(
        ledger_guid(&p, "00001").as_deref(),
        Some(first_guid.as_str())
    );
    assert_eq!(ledger_guid(&p, "00002").as_deref(), Some("show-two"));

    // Withdrawing episode 3 with consent removes it from the ledger.
    std::fs::remove_file(p.episode_path(3)).unwrap();
    let mut o = p.options();
    o.allow_guid_change = vec!["3".into()];
    let out = feedgen::build(&o).unwrap();
    assert!(guid_change_error(&out).is_empty(), "{:?}", rules(&out));
    assert!(ledger_guid(&p, "00003").is_none());
}

#[test]
fn sidecar_and_media_paths_never_leave_the_project() {
    let outer = tempfile::tempdir().unwrap();
    let chapters = r#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"Intro"}]}"#;
    std::fs::write(outer.path().join("ch.json"), chapters).unwrap();
    std::fs::write(outer.path().join("t.vtt"), "WEBVTT\n").unwrap();
    let p = Project::new_in(outer.path(), "");
    let abs = outer.path().join("ch.json");
    let cases = [
        format!("chapters = {:?}", abs.to_str().unwrap()),
        "chapters = \"../../ch.json\"".to_string(),
        "transcript = \"../../t.vtt\"".to_string(),
        "audio = \"../../../../../../../../etc/passwd\"".to_string(),
    ];
    for fm in &cases {
        p.write_episode(1, episode(1, fm, "Paths").as_bytes());
        let out = p.build();
        assert!(out.written.is_empty(), "{fm}: {:?}", rules(&out));
        assert!(has_error(&out, "unsafe-path"), "{fm}: {:?}", rules(&out));
        assert!(
            !out.project
                .diags
                .iter()
                .any(|d| d.rule.name() == "invalid-chapters"),
            "{fm}: the outside file was read"
        );
    }
    // `..` that stays inside the project is fine: episodes/002/README.md → root.
    std::fs::remove_file(p.episode_path(1)).unwrap();
    std::fs::write(p.root().join("ch.json"), chapters).unwrap();
    std::fs::create_dir(p.root().join("episodes/002")).unwrap();
    std::fs::write(
        p.root().join("episodes/002/README.md"),
        episode(2, "chapters = \"../../ch.json\"", "Inside"),
    )
    .unwrap();
    let out = p.build();
    assert!(!out.written.is_empty(), "{:?}", rules(&out));
}

/// podcast.toml values end up in every item: an unsafe episode_url template
/// (or one with a control character) must be refused, not published as <link>.
#[test]
fn unsafe_episode_url_template_is_refused() {
    for template in [
        "javascript:alert({number})",
        "data:text/html,{number}",
        "//evil.example/{number}/",
        "https://example.com/episodes/{number}\r/",
        "https:example.com/{number}/",
    ] {
        let config = feedcheck::PODCAST_TOML.replace(
            "episode_url = \"https://example.com/episodes/{number}/\"",
            &format!("episode_url = {template:?}"),
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("episodes")).unwrap();
        std::fs::write(dir.path().join("podcast.toml"), config).unwrap();
        std::fs::write(dir.path().join("episodes/001.md"), episode(1, "", "One")).unwrap();
        let mut o = feedgen::Options::new(dir.path().join("podcast.toml"), feedcheck::now());
        o.out = Some(dir.path().join("public"));
        let out = feedgen::build(&o).unwrap();
        assert!(
            has_error(&out, "invalid-url"),
            "{template}: {:?}",
            rules(&out)
        );
        assert!(out.written.is_empty(), "{template}");
    }
}

#[test]
fn unsafe_podroll_feed_url_is_refused() {
    let p = Project::new("");
    let config = feedcheck::PODCAST_TOML.replacen(
        "\n[people.alice]",
        "podroll = [{ feed_guid = \"917393e3-1b1e-5cef-ace4-edaa54e1f810\", feed_url = \"javascript:alert(1)\" }]\n\n[people.alice]",
        1,
    );
    assert!(config.contains("podroll"));
    std::fs::write(p.root().join("podcast.toml"), config).unwrap();
    p.write_episode(1, episode(1, "", "One").as_bytes());
    let out = p.build();
    assert!(has_error(&out, "invalid-url"), "{:?}", rules(&out));
    assert!(out.written.is_empty());
}

#[test]
fn unsafe_license_urls_are_refused() {
    // In podcast.toml.
    let p = Project::new("");
    let config = feedcheck::PODCAST_TOML.replacen(
        "\n[people.alice]",
        "license = { name = \"x\", url = \"javascript:alert(1)\" }\n\n[people.alice]",
        1,
    );
    std::fs::write(p.root().join("podcast.toml"), config).unwrap();
    p.write_episode(1, episode(1, "", "One").as_bytes());
    let out = p.build();
    assert!(has_error(&out, "invalid-url"), "{:?}", rules(&out));
    assert!(out.written.is_empty());
    // In an episode's front matter.
    let p = Project::new("");
    p.write_episode(
        1,
        episode(
            1,
            "license = { name = \"x\", url = \"javascript:alert(1)\" }",
            "One",
        )
        .as_bytes(),
    );
    let out = p.build();
    assert!(has_error(&out, "invalid-url"), "{:?}", rules(&out));
    assert!(out.written.is_empty());
}
