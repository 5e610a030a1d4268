//! The cases of the rules about values a feed element takes as they are:
//! soundbite times, geo URIs, OpenStreetMap ids, recurrence rules, and the
//! handles that credit people.

use super::*;

/// Episode 002 with `extra` added to its front matter (after the title line).
fn front_with(extra: &str) -> TempProject {
    episode(&format!(
        "{}{}",
        front(2).replace("+++\ntitle", &format!("+++\n{extra}title")),
        body(2)
    ))
}

pub fn cases() -> Vec<Case> {
    let cfg = "podcast.toml";
    let f = "episodes/002.md";
    vec![
        // podcast.toml values: the extra line is line 17, the value's quote is the column.
        case(Rule::InvalidValue, (cfg, 17, 36), || {
            with_podcast("location = { name = \"Tokyo\", geo = \"35.68,139.76\" }\n")
        }),
        case(Rule::InvalidValue, (cfg, 17, 36), || {
            with_podcast("location = { name = \"Tokyo\", osm = \"r113314\" }\n")
        }),
        case(Rule::InvalidValue, (cfg, 17, 30), || {
            with_podcast(
                "update_frequency = { rrule = \"FREQ=FORTNIGHTLY\", text = \"Every other week\" }\n",
            )
        }),
        // Front-matter values: the extra line is line 2, the value's table is the column.
        case(Rule::InvalidValue, (f, 2, 15), || {
            front_with("soundbites = [{ start = nan, duration = 30.0 }]\n")
        }),
        case(Rule::InvalidValue, (f, 2, 12), || {
            front_with("location = { name = \"Tokyo\", geo = \"geo:135,0\" }\n")
        }),
        // handles: at the `@` (line 13 is the Hosted by line, 18 the speaker, 23 a paragraph).
        case(Rule::ConfusableHandle, (f, 13, 13), || {
            body_with("- Hosted by @alice", "- Hosted by @al\u{200D}ice")
        }),
        case(Rule::ConfusableHandle, (f, 18, 5), || {
            body_with("### @alice", "### @\u{430}lice")
        }),
        case(Rule::ConfusableHandle, (f, 23, 5), || {
            body_with("- note\n", "- note\n\nAsk @\u{FF41}lice.\n")
        }),
    ]
}
