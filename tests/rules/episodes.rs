//! The cases of the rules about episode files.

use super::*;

pub fn cases() -> Vec<Case> {
    let f = "episodes/002.md";
    vec![
        // episodes
        case(Rule::MissingNumber, ("episodes/intro.md", 11, 1), || {
            let t = TempProject::minimal();
            t.write(
                "episodes/intro.md",
                format!("{}{}", front(9), body(1).replace("# 001", "# Intro")),
            );
            t
        }),
        case(Rule::InvalidNumber, (f, 2, 11), || {
            episode(&format!(
                "{}{}",
                front(2).replace("+++\ntitle", "+++\nepisode = 0\ntitle"),
                body(2)
            ))
        }),
        case(Rule::DuplicateNumber, ("episodes/b.md", 11, 1), || {
            let t = TempProject::minimal();
            t.write("episodes/a.md", format!("{}{}", front(5), body(5)));
            t.write("episodes/b.md", format!("{}{}", front(6), body(5)));
            t
        }),
        case(Rule::NumberMismatch, (f, 2, 11), || {
            episode(&format!(
                "{}{}",
                front(2).replace("+++\ntitle", "+++\nepisode = 7\ntitle"),
                body(2)
            ))
        }),
        case(Rule::MissingTitle, (f, 10, 1), || {
            episode(&format!(
                "{}{}",
                front(2).replace("title = \"Episode title 2\"\n", ""),
                body(2)
            ))
        }),
        case(Rule::TitleTooLong, (f, 2, 9), || {
            episode(&format!(
                "{}{}",
                front(2).replace("Episode title 2", &"t".repeat(256)),
                body(2)
            ))
        }),
        case(Rule::NumberInTitle, (f, 2, 9), || {
            episode(&format!(
                "{}{}",
                front(2).replace("Episode title 2", "Episode 2: Hello"),
                body(2)
            ))
        }),
        case(Rule::InvalidDate, (f, 14, 19), || {
            body_with("2021-01-22", "2021-02-30")
        }),
        case(Rule::PartialDate, (f, 14, 19), || {
            body_with("2021-01-22", "2021-01-")
        }),
        case(Rule::AmbiguousDate, (f, 14, 19), || {
            body_with("2021-01-22", "02/03/2021")
        }),
        case(Rule::MissingHost, (f, 13, 1), || {
            body_with("- Hosted by @alice\n", "- Guest: @bob\n")
        }),
        case(Rule::EmptyVideo, (f, 15, 3), || {
            body_with(
                "- Recording date: 2021-01-22\n",
                "- Recording date: 2021-01-22\n- Video: \n",
            )
        }),
        case(Rule::UnknownSpeaker, (f, 18, 1), || {
            body_with("### @alice", "### @alcie")
        }),
        case(Rule::MissingEnclosure, (f, 5, 1), || {
            episode(&format!(
                "+++\ntitle = \"T\"\npublished = 2021-01-22T21:00:00+09:00\n+++\n{}",
                body(2)
            ))
        }),
        case(Rule::IncompleteEnclosure, (f, 4, 1), || {
            episode(&format!("+++\ntitle = \"T\"\npublished = 2021-01-22T21:00:00+09:00\n[audio]\nurl = \"https://cdn.example.com/2.mp3\"\n+++\n{}", body(2)))
        }),
        case(Rule::DuplicateGuid, ("episodes/003.md", 2, 8), || {
            let t = TempProject::minimal();
            t.write(
                "episodes/002.md",
                format!(
                    "{}{}",
                    front(2).replace("+++\ntitle", "+++\nguid = \"same\"\ntitle"),
                    body(2)
                ),
            );
            t.write(
                "episodes/003.md",
                format!(
                    "{}{}",
                    front(3).replace("+++\ntitle", "+++\nguid = \"same\"\ntitle"),
                    body(3)
                ),
            );
            t
        }),
        case(Rule::DuplicateEnclosure, ("episodes/003.md", 5, 1), || {
            let t = TempProject::minimal();
            t.write("episodes/002.md", format!("{}{}", front(2), body(2)));
            t.write(
                "episodes/003.md",
                format!("{}{}", front(3).replace("003.mp3", "002.mp3"), body(3)),
            );
            t
        }),
        case(Rule::SerialUnnumbered, ("episodes/intro.md", 11, 1), || {
            let t = toml_replace("type = \"episodic\"", "type = \"serial\"");
            t.write(
                "episodes/intro.md",
                format!("{}{}", front(9), body(1).replace("# 001", "# Intro")),
            );
            t
        }),
        case(Rule::EmptySection, (f, 22, 1), || {
            body_with("- note\n", "- note\n### @bob\n")
        }),
        case(Rule::FrontMatter, (f, 2, 1), || {
            episode(&format!("+++\ntitel = \"T\"\n+++\n{}", body(2)))
        }),
        case(Rule::LazyContinuation, (f, 22, 1), || {
            body_with(
                "- note\n",
                "- note\n[Meant as a topic](https://example.com/x)\n",
            )
        }),
        case(Rule::Draft, (f, 10, 1), || {
            episode(&format!(
                "{}{}",
                front(2)
                    .replace("published = 2021-01-22T21:00:00+09:00\n", "")
                    .replace("title = \"Episode title 2\"\n", "title = \"T\"\n"),
                body(2).replace("- Recording date: 2021-01-22\n", "")
            ))
        }),
        case(Rule::Scheduled, (f, 11, 1), || {
            episode(&format!(
                "{}{}",
                front(2).replace("2021-01-22", "2099-01-22"),
                body(2)
            ))
        }),
        case(Rule::InvalidEpisodeType, (f, 2, 16), || {
            episode(&format!(
                "{}{}",
                front(2).replace("+++\ntitle", "+++\nepisode_type = \"special\"\ntitle"),
                body(2)
            ))
        }),
        case(Rule::MediaMismatch, (f, 4, 1), move || {
            let t = TempProject::minimal();
            t.write("media/002.mp3", silent_mp3(100));
            t.write(f, format!("+++\ntitle = \"T\"\npublished = 2021-01-22T21:00:00+09:00\n[audio]\npath = \"media/002.mp3\"\nlength = 99\n+++\n{}", body(2)));
            t
        }),
        case(Rule::MediaFile, (f, 4, 9), || {
            episode(&format!("+++\ntitle = \"T\"\npublished = 2021-01-22T21:00:00+09:00\naudio = \"media/missing.mp3\"\n+++\n{}", body(2)))
        }),
        case(Rule::InvalidChapters, (f, 2, 12), || {
            let t = episode(&format!(
                "{}{}",
                front(2).replace("+++\ntitle", "+++\nchapters = \"002.chapters.json\"\ntitle"),
                body(2)
            ));
            t.write(
                "episodes/002.chapters.json",
                "{\"version\": \"1.2.0\", \"chapters\": [{\"startTime\": 5}, {\"startTime\": 1}]}",
            );
            t
        }),
        case(Rule::FileTooLarge, (f, 1, 1), move || {
            let t = TempProject::new(&format!(
                "{MINIMAL_TOML}\n[limits]\nmax_episode_bytes = 100\n"
            ));
            t.write(f, format!("{}{}", front(2), body(2)));
            t
        }),
        case(Rule::UnsafePath, (f, 1, 1), move || {
            let t = TempProject::minimal();
            let outside = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(outside.path(), format!("{}{}", front(2), body(2))).unwrap();
            let (_, path) = outside.keep().unwrap();
            std::os::unix::fs::symlink(path, t.path().join(f)).unwrap();
            t
        }),
        case(Rule::NestingTooDeep, (f, 54, 65), || {
            let mut nested = String::new();
            for d in 0..40 {
                nested.push_str(&format!("{}- level {d}\n", "  ".repeat(d)));
            }
            body_with("- note\n", &format!("- note\n{nested}"))
        }),
    ]
}
