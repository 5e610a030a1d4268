//! Property: a handle with a zero-width joiner, a Cyrillic look-alike, a
//! full-width letter or a decomposed accent inserted, written anywhere a
//! handle credits someone (the Hosted by line, a guest line, a speaker
//! heading, as a mention or as a link's text), never credits a person whose
//! name is a proper fragment of the handle. Handles with a joiner or a
//! full-width letter credit nobody, and are reported.

mod common;

use common::*;
use feedgen::diag::Rule;
use proptest::prelude::*;

/// What is inserted into (or substituted in) a handle.
#[derive(Debug, Clone, Copy)]
enum Insert {
    Zwj,
    Zwnj,
    /// A Cyrillic letter that looks Latin, inserted.
    Cyrillic,
    /// The letter at the place replaced by its Cyrillic look-alike, if it has one.
    LookAlike,
    /// The letter at the place replaced by its full-width form.
    FullWidth,
    /// A combining acute accent after the letter at the place (NFD).
    Nfd,
}

fn insert(handle: &str, edits: &[(usize, Insert)]) -> String {
    let mut chars: Vec<char> = handle.chars().collect();
    for &(pos, what) in edits {
        let at = pos % (chars.len() + 1);
        let here = chars.get(at).copied();
        match what {
            Insert::Zwj => chars.insert(at, '\u{200D}'),
            Insert::Zwnj => chars.insert(at, '\u{200C}'),
            Insert::Cyrillic => chars.insert(at, '\u{435}'),
            Insert::LookAlike => {
                let look_alike = match here {
                    Some('a') => '\u{430}',
                    Some('e') => '\u{435}',
                    Some('o') => '\u{43E}',
                    Some('p') => '\u{440}',
                    Some('c') => '\u{441}',
                    Some('x') => '\u{445}',
                    _ => '\u{43E}',
                };
                match here {
                    Some(c) if c.is_ascii_lowercase() => chars[at] = look_alike,
                    _ => chars.insert(at, look_alike),
                }
            }
            Insert::FullWidth => match here {
                Some(c) if c.is_ascii_alphanumeric() => {
                    chars[at] = char::from_u32(c as u32 + 0xFEE0).expect("full-width form")
                }
                _ => chars.insert(at, '\u{FF42}'),
            },
            Insert::Nfd => chars.insert((at + 1).min(chars.len()), '\u{301}'),
        }
    }
    chars.into_iter().collect()
}

fn edit() -> impl Strategy<Value = (usize, Insert)> {
    let what = prop_oneof![
        Just(Insert::Zwj),
        Just(Insert::Zwnj),
        Just(Insert::Cyrillic),
        Just(Insert::LookAlike),
        Just(Insert::FullWidth),
        Just(Insert::Nfd),
    ];
    (0usize..12, what)
}

/// The episode body with the handle `h` written in place `place`, followed by `after`.
fn body_with_handle(place: usize, h: &str, after: &str) -> String {
    let (header, section) = match place {
        0 => (format!("- Hosted by @alice @{h}{after}\n"), String::new()),
        1 => (
            format!("- Hosted by @alice\n- Guests: @{h}{after}, @bob\n"),
            String::new(),
        ),
        2 => (
            format!("- Hosted by @alice\n- Guest: [@{h}{after}](https://example.com/g)\n"),
            String::new(),
        ),
        3 => (
            "- Hosted by @alice\n".to_string(),
            format!("### @{h}{after}\n\n- x\n"),
        ),
        _ => (
            "- Hosted by @alice\n".to_string(),
            format!("### [@{h}{after}](https://example.com/s)\n\n- x\n"),
        ),
    };
    format!("# 001\n\n{header}- Recording date: 2021-01-22\n\n## Contents\n\n### @alice\n\n- note\n\n{section}")
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn no_fragment_of_a_handle_is_credited(
        base in "[a-z][a-z0-9_]{1,8}",
        edits in prop::collection::vec(edit(), 1..3),
        place in 0usize..5,
        after in prop::sample::select(vec!["", " ", ".", ",", "さん", " (absent)", "’s"]),
    ) {
        let h = insert(&base, &edits);
        let t = TempProject::minimal();
        t.write("episodes/001.md", format!("{}{}", front(1), body_with_handle(place, &h, after)));
        let p = t.check();
        let nfc: String = unicode_normalization::UnicodeNormalization::nfc(h.as_str()).collect();
        let names: Vec<String> = p
            .episodes()
            .flat_map(|(item, _)| item.persons.iter().map(|c| c.name.clone()))
            .collect();
        for name in &names {
            for whole in [&h, &nfc] {
                let fragment = !name.is_empty() && name != whole && whole.contains(name.as_str());
                prop_assert!(!fragment, "{name:?} is a fragment of {whole:?}\n{}", summary(&p));
            }
        }
        let hidden = h.contains(['\u{200D}', '\u{200C}'])
            || h.chars().any(|c| ('\u{FF01}'..='\u{FF5E}').contains(&c));
        if hidden {
            // Only the registry's people, named elsewhere in the episode.
            prop_assert!(names.iter().all(|n| n == "Alice" || n == "Bob"), "{names:?} for {h:?}");
            prop_assert!(!find(&p, Rule::ConfusableHandle).is_empty(), "{}", summary(&p));
        }
    }
}
