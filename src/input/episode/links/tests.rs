//! The link policy and handles, case by case.

use super::*;

fn keep(s: &str) -> String {
    match check(s) {
        LinkVerdict::Keep { url, .. } => url,
        v => panic!("{s}: {v:?}"),
    }
}

#[test]
fn unsafe_schemes_are_refused_however_spelled() {
    for s in [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "//evil.example/x",
        "\\\\evil\\share",
    ] {
        assert!(matches!(check(s), LinkVerdict::Unsafe { .. }), "{s}");
    }
}

#[test]
fn tracking_parameters_are_removed() {
    let u =
        "https://www.sdxcentral.com/a/?utm_campaign=website&utm_source=sendgrid&utm_medium=email";
    assert_eq!(keep(u), "https://www.sdxcentral.com/a/");
    assert_eq!(
        keep("https://x.io/?a=1&fbclid=2&b=3"),
        "https://x.io/?a=1&b=3"
    );
    assert_eq!(keep("https://x.io/p?q=1"), "https://x.io/p?q=1");
}

#[test]
fn relative_and_schemeless() {
    assert_eq!(
        check("github.com/foo/bar"),
        LinkVerdict::Relative {
            suggestion: Some("https://github.com/foo/bar".into())
        }
    );
    assert!(matches!(
        check("./x.yaml"),
        LinkVerdict::Relative { suggestion: None }
    ));
    // A browser reads `localhost:` as a scheme, whatever follows the
    // colon: published as written it would not reach the host, so it is
    // not published, with the https:// address as a hint.
    assert_eq!(
        check("localhost:8080/x"),
        LinkVerdict::Unsafe {
            scheme: "localhost".into(),
            suggestion: Some("https://localhost:8080/x".into())
        }
    );
}

#[test]
fn the_scheme_does_not_depend_on_what_follows_the_colon() {
    for (s, scheme) in [
        ("javascript:0", "javascript"),
        ("JavaScript:1/x", "javascript"),
        ("data:0", "data"),
        ("vbscript:0", "vbscript"),
        ("java\nscript:0", "javascript"),
        ("x-y.z+w:9", "x-y.z+w"),
    ] {
        assert_eq!(
            check(s),
            LinkVerdict::Unsafe {
                scheme: scheme.into(),
                suggestion: None
            },
            "{s}"
        );
    }
    assert_eq!(
        check("example.com:443/x"),
        LinkVerdict::Unsafe {
            scheme: "example.com".into(),
            suggestion: Some("https://example.com:443/x".into())
        }
    );
    // Not a scheme: it does not start with a letter, or holds other characters.
    assert!(matches!(check("1abc:0"), LinkVerdict::Relative { .. }));
    assert!(matches!(check("a_b:0"), LinkVerdict::Relative { .. }));
}

#[test]
fn ipv6_hosts_are_refused_not_mangled() {
    for s in ["http://[::1]/", "https://[2001:db8::1]:8080/p?q=1"] {
        assert!(
            matches!(check(s), LinkVerdict::Invalid { ref reason } if reason.contains("IPv6")),
            "{s}"
        );
    }
    assert!(matches!(
        check("https://192.0.2.1/"),
        LinkVerdict::Keep { .. }
    ));
}

#[test]
fn credentials_are_never_published() {
    for s in [
        "https://user:pass@example.com/",
        "https://user@example.com/x",
        "http://:pass@example.com/",
        "HTTPS://u:p@example.com",
    ] {
        assert!(
            matches!(check(s), LinkVerdict::Invalid { ref reason } if reason.contains("user name or password")),
            "{s}: {:?}",
            check(s)
        );
    }
    // An `@` in the path or query is no credential.
    assert_eq!(keep("https://x.io/@alice"), "https://x.io/@alice");
    assert_eq!(keep("mailto:a@example.com"), "mailto:a@example.com");
}

#[test]
fn bare_urls() {
    let t = "see https://example.com/a_(b). and (http://x.io/y), done";
    let found: Vec<_> = find_bare_urls(t).into_iter().map(|r| &t[r]).collect();
    assert_eq!(found, vec!["https://example.com/a_(b)", "http://x.io/y"]);
}

#[test]
fn mentions_skip_emails() {
    let m = find_mentions("@_inductor_ , @tzkb さん a@b.com");
    let h: Vec<_> = m.iter().map(|(_, h)| h.written).collect();
    assert_eq!(h, vec!["_inductor_", "tzkb"]);
}

fn handle(s: &str) -> Handle<'_> {
    read_handle(s).unwrap_or_else(|| panic!("no handle in {s:?}"))
}

#[test]
fn a_handle_is_the_whole_run_of_word_characters() {
    // ZWJ, Cyrillic `е`, full-width `ｅ`: read whole, never as `bel` or `b`.
    for (s, written) in [
        ("bel\u{200D}ls17 hi", "bel\u{200D}ls17"),
        ("b\u{435}lls17.", "b\u{435}lls17"),
        ("b\u{FF45}lls", "b\u{FF45}lls"),
        ("be\u{301}lls,", "be\u{301}lls"),
        ("tzkb-- さん", "tzkb"),
        ("山田たろう。", "山田たろう"),
    ] {
        assert_eq!(handle(s).written, written, "{s:?}");
    }
    assert_eq!(read_handle(" x"), None);
    assert_eq!(read_handle("--"), None);
    let m = find_mentions("hi @bel\u{200D}ls17 and @b\u{435}lls");
    let spans: Vec<_> = m.iter().map(|(r, _)| r.clone()).collect();
    assert_eq!(spans, vec![3..14, 19..26]);
}

#[test]
fn handles_are_nfc_and_flawed_ones_say_why() {
    let h = handle("be\u{301}lls");
    assert_eq!((h.name.as_str(), h.flaw), ("b\u{e9}lls", None));
    for ok in ["bells17", "_x-y_", "山田たろう", "김철수", "Ελένη", "тест"] {
        assert_eq!(handle(ok).flaw, None, "{ok}");
    }
    let h = handle("bel\u{200D}ls17");
    assert_eq!(h.flaw, Some(HandleFlaw::Invisible('\u{200D}')));
    let (msg, help) = h.explain().unwrap();
    assert_eq!(
        msg,
        "`@bel\\u{200D}ls17` holds the invisible character U+200D; it credits nobody"
    );
    assert_eq!(help, "delete it: `@bells17`");
    let h = handle("b\u{435}lls17");
    assert_eq!(h.flaw, Some(HandleFlaw::MixedScripts('b', '\u{435}')));
    assert!(h
        .explain()
        .unwrap()
        .0
        .contains("mixes Latin and Cyrillic letters"));
    let h = handle("\u{FF42}ells");
    assert_eq!(h.flaw, Some(HandleFlaw::FullWidth('\u{FF42}')));
    assert_eq!(h.explain().unwrap().1, "write it in ASCII: `@bells`");
    assert_eq!(
        handle("a\u{3164}b").flaw,
        Some(HandleFlaw::Invisible('\u{3164}'))
    );
    assert!(handle("bells17").explain().is_none());
}
