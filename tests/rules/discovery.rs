//! The cases of the rules about finding the episodes: what looks like an
//! episode but is not read as one is reported, never skipped without a word.

use super::*;

fn project_with(make: impl Fn(&TempProject)) -> TempProject {
    let t = TempProject::minimal();
    ok_episode(&t);
    make(&t);
    t
}

pub fn cases() -> Vec<Case> {
    vec![anywhere(Rule::NotAnEpisode, || {
        project_with(|t| std::fs::create_dir_all(t.path().join("episodes/009.md")).unwrap())
    })]
}

/// The messages of the findings about episodes/ (and nothing else).
fn skipped(t: &TempProject) -> Vec<String> {
    let p = t.check();
    find(&p, Rule::NotAnEpisode)
        .iter()
        .map(|d| d.message.clone())
        .collect()
}

#[test]
fn each_lookalike_is_named_with_why() {
    let t = project_with(|t| {
        std::fs::create_dir_all(t.path().join("episodes/009.md")).unwrap();
        t.write("episodes/010.MD", "+++\n+++\n");
        t.write("episodes/011.markdown", "+++\n+++\n");
        std::fs::create_dir_all(t.path().join("episodes/012")).unwrap();
        t.write("episodes/013/readme.md", "+++\n+++\n");
    });
    let mut got = skipped(&t);
    got.sort();
    let want = [
        "`episodes/009.md` is not read as an episode: it is a folder, not a file",
        "`episodes/010.MD` is not read as an episode: its extension is `.MD`; episodes end in `.md`",
        "`episodes/011.markdown` is not read as an episode: its extension is `.markdown`; episodes end in `.md`",
        "`episodes/012` is not read as an episode: it is a numbered folder without a README.md",
        "`episodes/013` is not read as an episode: its notes are `readme.md`; a folder episode's notes are `README.md`",
    ];
    assert_eq!(got, want);
}

#[test]
fn folders_that_are_no_episode_lookalikes_are_left_alone() {
    let t = project_with(|t| {
        // The files of 001.md, a media folder, templates and drafts kept aside.
        t.write("episodes/001/cover.jpg", "x");
        t.write("episodes/media/a.mp3", "x");
        t.write("episodes/_template.md", "x");
        t.write("episodes/.draft.md", "x");
        t.write("episodes/notes.txt", "x");
    });
    assert_eq!(skipped(&t), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn an_episode_that_is_a_named_pipe_is_refused_without_opening_it() {
    let t = project_with(|_| {});
    mkfifo(&t.path().join("episodes/002.md"));
    // Opening the pipe would block forever; the check must finish.
    let p = check_in_time(&t);
    let got: Vec<&str> = find(&p, Rule::NotAnEpisode)
        .iter()
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        got,
        ["this is a named pipe (FIFO), not a regular file; it is not read"]
    );
}
