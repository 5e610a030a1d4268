//! Findings that used to be missing or misleading: each is now reported, at
//! the value, with what happens to it.

mod common;

use common::*;
use feedgen::diag::Rule;

fn episode_with(front_extra: &str, body_text: &str) -> TempProject {
    let t = TempProject::minimal();
    let front = front(1).replacen("+++\ntitle = \"Episode title 1\"\n", front_extra, 1);
    t.write("episodes/001.md", format!("{front}{body_text}"));
    t
}

fn messages(p: &feedgen::Project, rule: Rule) -> Vec<String> {
    find(p, rule).iter().map(|d| d.message.clone()).collect()
}

#[test]
fn malformed_recording_dates_are_reported_not_read_as_others() {
    for date in ["2021-03-012", "0000-01-01", "1899-12-31", "03/12/20211"] {
        let t = episode_with(
            "+++\ntitle = \"T\"\n",
            &body(1).replace(
                "Recording date: 2021-01-22",
                &format!("Recording date: {date}"),
            ),
        );
        let p = t.check();
        let got = positions(&p, Rule::InvalidDate);
        assert_eq!(
            got,
            [("episodes/001.md".to_string(), 14, 19)],
            "{date}: {}",
            summary(&p)
        );
    }
}

#[test]
fn a_published_year_before_1900_is_reported() {
    let t = TempProject::minimal();
    t.write(
        "episodes/001.md",
        format!(
            "{}{}",
            front(1).replace("2021-01-22T21:00:00", "0000-01-22T21:00:00"),
            body(1)
        ),
    );
    let p = t.check();
    assert_eq!(
        messages(&p, Rule::InvalidDate),
        ["0000-01-22T21:00:00+09:00 is before 1900, which no podcast was published in"]
    );
    assert_eq!(positions(&p, Rule::InvalidDate)[0].1, 3);
}

#[test]
fn code_points_removed_from_a_title_are_reported_at_the_title() {
    let t = episode_with("+++\ntitle = \"A\\u0000B\"\n", &body(1));
    let p = t.check();
    assert_eq!(
        positions(&p, Rule::ControlCharacter),
        [("episodes/001.md".to_string(), 2, 9)]
    );
    assert_eq!(p.feed().items[0].title, "AB");
    // A title that is nothing once cleaned is no title.
    let t = episode_with("+++\ntitle = \" \\u0001 \"\n", "# 001\n");
    let p = t.check();
    assert_eq!(find(&p, Rule::ControlCharacter).len(), 1, "{}", summary(&p));
    assert_eq!(find(&p, Rule::MissingTitle).len(), 1, "{}", summary(&p));
}

#[test]
fn front_matter_tables_are_reported_at_the_table_not_the_opening() {
    // Each finding at its own line, at the `{` of the value's table.
    let t = episode_with(
        "+++\ntitle = \"T\"\n\
         license = { name = \"CC\\u0007\" }\n\
         location = { name = \"Tokyo\\u202E\" }\n\
         soundbites = [{ start = 1.0, duration = 2.0, title = \"x\\u0001\" }, { start = -1.0, duration = 2.0 }]\n",
        &body(1),
    );
    let p = t.check();
    let f = "episodes/001.md".to_string();
    assert_eq!(
        positions(&p, Rule::ControlCharacter),
        [(f.clone(), 3, 11), (f.clone(), 5, 15)],
        "{}",
        summary(&p)
    );
    assert_eq!(
        positions(&p, Rule::InvisibleCharacter),
        [(f.clone(), 4, 12)]
    );
    assert_eq!(positions(&p, Rule::InvalidValue), [(f, 5, 67)]);
    let item = &p.feed().items[0];
    assert_eq!(item.license.as_ref().unwrap().name, "CC");
    assert_eq!(item.soundbites.len(), 1);
}

#[test]
fn a_line_break_in_a_guid_is_an_error_not_published() {
    let t = episode_with("+++\ntitle = \"T\"\nguid = \"g\\nx\"\n", &body(1));
    let p = t.check();
    assert_eq!(
        positions(&p, Rule::InvalidValue),
        [("episodes/001.md".to_string(), 3, 8)],
        "{}",
        summary(&p)
    );
    assert!(t.build().written.is_empty());
}

#[test]
fn ipv6_links_are_refused_not_published_mangled() {
    let t = episode_with(
        "+++\ntitle = \"T\"\n",
        &body(1).replace("- note\n", "- note [v6](http://[::1]/x)\n"),
    );
    let p = t.check();
    let got = messages(&p, Rule::InvalidLink);
    assert_eq!(got.len(), 1, "{}", summary(&p));
    assert!(got[0].contains("IPv6"), "{}", got[0]);
    let t2 = TempProject::new(&format!(
        "{MINIMAL_TOML}\n[rules]\ninvalid-link = \"warn\"\n"
    ));
    t2.write("episodes/001.md", t.read("episodes/001.md"));
    assert!(!t2.build().written.is_empty());
    for doc in ["public/feed.xml", "public/atom.xml", "public/feed.json"] {
        let text = t2.read(doc);
        assert!(!text.contains("::1") && !text.contains("%5B"), "{doc}");
        assert!(text.contains("v6"), "{doc} keeps the link's text");
    }
}

#[test]
fn podcast_toml_tables_are_reported_at_their_values() {
    // The extra lines follow `[podcast]`, which is line 4.
    let t = TempProject::new(&MINIMAL_TOML.replacen(
        "[podcast]\n",
        "[podcast]\ncopyright = \"c\\u0007\"\nlicense = { name = \"l\\u0001\", url = \"ftp://x\" }\ntxt = [{ value = \"v\\u202E\" }]\nfunding = [{ url = \"https://e.x/f\", text = \"f\\u0002\" }]\n",
        1,
    ));
    t.write("episodes/001.md", format!("{}{}", front(1), body(1)));
    let p = t.check();
    let cfg = "podcast.toml".to_string();
    assert_eq!(
        positions(&p, Rule::ControlCharacter),
        [
            (cfg.clone(), 5, 13),
            (cfg.clone(), 6, 11),
            (cfg.clone(), 8, 12)
        ],
        "{}",
        summary(&p)
    );
    assert_eq!(
        positions(&p, Rule::InvisibleCharacter),
        [(cfg.clone(), 7, 8)]
    );
    assert_eq!(positions(&p, Rule::InvalidUrl), [(cfg, 6, 11)]);
}
