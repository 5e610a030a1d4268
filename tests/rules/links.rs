//! The cases of the rules about links, encodings and outputs.

use super::*;

pub fn cases() -> Vec<Case> {
    let f = "episodes/002.md";
    vec![
        // links
        case(Rule::InvalidLink, (f, 22, 7), || {
            body_with("- note\n", "- note\n- [x](http://[::1/)\n")
        }),
        case(Rule::UnsafeLink, (f, 22, 7), || {
            body_with("- note\n", "- note\n- [x](javascript:alert(1))\n")
        }),
        case(Rule::HttpLink, (f, 22, 7), || {
            body_with("- note\n", "- note\n- [x](http://example.com/x)\n")
        }),
        case(Rule::TrackingParameter, (f, 22, 7), || {
            body_with(
                "- note\n",
                "- note\n- [x](https://example.com/x?utm_source=feed)\n",
            )
        }),
        case(Rule::DuplicateLink, (f, 22, 3), || {
            body_with("- note\n", "- note\n- [again](https://example.com/t2)\n")
        }),
        case(Rule::EmptyLinkText, (f, 22, 3), || {
            body_with("- note\n", "- note\n- [](https://example.com/empty)\n")
        }),
        case(Rule::RelativeLink, (f, 22, 7), || {
            body_with("- note\n", "- note\n- [x](docs/setup.md)\n")
        }),
        case(Rule::RawHtml, (f, 22, 3), || {
            body_with("- note\n", "- note\n- <b>bold</b>\n")
        }),
        // encoding
        case(Rule::InvalidUtf8, (f, 22, 8), move || {
            let t = TempProject::minimal();
            let mut bytes = format!("{}{}", front(2), body(2)).into_bytes();
            bytes.extend_from_slice(b"- note \x82\xa0 Shift_JIS\n");
            t.write(f, bytes);
            t
        }),
        case(Rule::ControlCharacter, (f, 22, 4), || {
            body_with("- note\n", "- note\n- a\u{1}b\n")
        }),
        case(Rule::InvisibleCharacter, (f, 22, 4), || {
            body_with("- note\n", "- note\n- a\u{202E}b\n")
        }),
        case(Rule::FullwidthBullet, (f, 22, 1), || {
            body_with("- note\n", "- note\n-\u{3000}text\n")
        }),
        // outputs
        case(Rule::DescriptionTruncated, (f, 11, 1), || {
            body_with(
                "- note\n",
                &"- a long note line that goes on and on\n".repeat(150),
            )
        }),
    ]
}
