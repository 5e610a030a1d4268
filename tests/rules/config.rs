//! The cases of the rules about podcast.toml.

use super::*;

pub fn cases() -> Vec<Case> {
    let cfg = "podcast.toml";
    vec![
        // podcast.toml: line numbers refer to MINIMAL_TOML (extra lines go after line 16).
        case(Rule::ConfigSyntax, (cfg, 14, 12), || {
            toml_replace("explicit = false", "explicit = \"yes\"")
        }),
        case(Rule::MissingField, (cfg, 1, 1), || {
            toml_replace("title = \"Test Show\"\n", "")
        }),
        case(Rule::InvalidUrl, (cfg, 7, 8), || {
            toml_replace(
                "link = \"https://example.com/\"",
                "link = \"ftp://example.com/\"",
            )
        }),
        case(Rule::InsecureUrl, (cfg, 7, 8), || {
            toml_replace(
                "link = \"https://example.com/\"",
                "link = \"http://example.com/\"",
            )
        }),
        case(Rule::InvalidLanguage, (cfg, 9, 12), || {
            toml_replace("language = \"en\"", "language = \"jp\"")
        }),
        case(Rule::InvalidCategory, (cfg, 13, 15), || {
            toml_replace("[[\"Technology\"]]", "[[\"Games & Hobbies\"]]")
        }),
        case(Rule::InvalidEmail, (cfg, 11, 36), || {
            toml_replace("tester@example.com", "tester.example.com")
        }),
        case(Rule::ImageFormat, (cfg, 12, 9), || {
            toml_replace("cover.jpg", "cover.gif")
        }),
        case(Rule::DescriptionTooLong, (cfg, 6, 15), || {
            toml_replace(
                "\"A show for tests.\"",
                &format!("\"{}\"", "x".repeat(4001)),
            )
        }),
        case(Rule::UnknownRole, (cfg, 25, 8), || {
            toml_replace("role = \"host\"", "role = \"hostess\"")
        }),
        case(Rule::GuidMismatch, (cfg, 17, 8), || {
            with_podcast("guid = \"00000000-0000-5000-8000-000000000000\"\n")
        }),
        case(Rule::InvalidTimezone, (cfg, 16, 12), || {
            toml_replace("\"Asia/Tokyo\"", "\"Mars/Olympus\"")
        }),
        case(Rule::UnknownRuleName, (cfg, 33, 20), || {
            TempProject::new(&format!(
                "{MINIMAL_TOML}\n[rules]\nmissing-enclsure = \"allow\"\n"
            ))
        }),
    ]
}
