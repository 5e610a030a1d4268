//! `check` on one episode grows linearly with what the episode holds: n and
//! 4n distinct speakers, header credits, mentions, links, repeated links and
//! topics. Linear is 4× the time, quadratic 16×; the test fails past 8×. Each
//! size is timed as the best of three runs, so a busy machine rarely fails it.

mod common;

use std::time::{Duration, Instant};

use common::*;

/// The episode: front matter, a header list, `## Contents`, then `items(n)`.
fn project(header_extra: &str, items: &str) -> TempProject {
    // The larger files pass the default size cap: raise it, so they are read.
    let t = TempProject::new(&format!(
        "{MINIMAL_TOML}\n[limits]\nmax_episode_bytes = 268435456\n"
    ));
    t.write(
        "episodes/001.md",
        format!(
            "{}# 001\n\n- Hosted by @alice\n- Recording date: 2021-01-22\n{header_extra}\n## Contents\n\n### @alice\n\n{items}",
            front(1)
        ),
    );
    t
}

fn best_of_three(t: &TempProject) -> Duration {
    (0..3)
        .map(|_| {
            let start = Instant::now();
            let p = t.check();
            let took = start.elapsed();
            assert_eq!(p.episodes().count(), 1, "{}", summary(&p));
            took
        })
        .min()
        .expect("three runs")
}

/// Times the shape at n and 4n, raising n until the small run takes long
/// enough to measure (tens of milliseconds).
fn assert_linear(what: &str, make: Make) {
    let mut n = 1000;
    let (small, large) = loop {
        let small = best_of_three(&make(n));
        if small >= Duration::from_millis(40) || n >= 64_000 {
            break (small, best_of_three(&make(4 * n)));
        }
        n *= 2;
    };
    let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
    eprintln!("{what}: n={n} {small:?}, 4n {large:?}, ×{ratio:.1}");
    assert!(
        ratio < 8.0,
        "{what}: {n} took {small:?}, {} took {large:?} (×{ratio:.1}; linear is ×4)",
        4 * n
    );
}

/// Makes the project with n of something.
type Make = fn(usize) -> TempProject;

/// The shapes, each a file with n of something distinct.
fn shapes() -> Vec<(&'static str, Make)> {
    vec![
        ("speaker sections", |n| {
            let items: String = (0..n)
                .map(|i| format!("### @speaker{i}\n\n- note {i}\n\n"))
                .collect();
            project("", &items)
        }),
        ("header credits", |n| {
            let hosts: String = (0..n).map(|i| format!(" @guest{i}")).collect();
            let links: String = (0..n)
                .map(|i| format!(" [@linked{i}](https://example.com/p/{i})"))
                .collect();
            project(&format!("- Guests:{hosts}\n- Guest:{links}\n"), "- note\n")
        }),
        ("mentions and bare URLs in one paragraph", |n| {
            let text: String = (0..n)
                .map(|i| format!("@alice @bob @who{i} @b\u{43E}b{i} https://example.com/m/{i} "))
                .collect();
            project("", &format!("- note\n\n{text}\n"))
        }),
        ("links", |n| {
            let items: String = (0..n)
                .map(|i| format!("- [link {i}](https://example.com/l/{i})\n"))
                .collect();
            project("", &items)
        }),
        ("links each repeated", |n| {
            let items: String = (0..2 * n)
                .map(|i| format!("- see [this](https://example.com/r/{})\n", i % n))
                .collect();
            project("", &items)
        }),
        ("topics", |n| {
            let items: String = (0..n)
                .map(|i| format!("#### [Topic {i}](https://example.com/t/{i})\n- note\n\n"))
                .collect();
            project("", &items)
        }),
    ]
}

/// One test, so the shapes are timed one after another, not against each other.
#[test]
fn check_is_linear_in_what_one_episode_holds() {
    for (what, make) in shapes() {
        assert_linear(what, make);
    }
}
