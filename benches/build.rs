//! End-to-end benchmark: builds synthetic shows of 1k, 10k and 100k episodes with
//! the release `feedgen` binary and reports medians and peak memory, side by side
//! with python-feedgen 1.0.0 serializing the same number of items.
//!
//! ```text
//! cargo bench --bench build                         # 1000,10000,100000; 5 runs
//! cargo bench --bench build -- --sizes 10000 --runs 9
//! cargo bench --bench build -- --no-python
//! ```
//!
//! Shows are generated once into `bench-out/show-N` (see `benches/support/genshow.rs`,
//! seed 6) and reused. Each size gets one untimed warm-up build (it writes
//! `feedgen.lock`, as the first real build would; the timed builds then read and
//! reconcile it, the steady state of a show's CI) and then `--runs` timed runs of
//!
//! ```text
//! feedgen build --config DIR/podcast.toml --out DIR/public --quiet --now 2030-01-01T00:00:00Z
//! feedgen check --config DIR/podcast.toml --quiet --now 2030-01-01T00:00:00Z
//! python3 benches/python_feedgen.py N
//! ```
//!
//! The builds replace the previous outputs, as a show's CI does when it keeps
//! its output folder. The same build is also timed into an empty output folder
//! (the old one removed first, untimed), as in a CI run from a fresh checkout;
//! and on two copies of the show: with every `published` line removed
//! (`show-N-notes`, dated by the notes' Recording date, still built in feed
//! order), and with a trailer (`show-N-trailer`, built the usual way).
//!
//! Wall time is the whole process (spawn to exit); CPU and peak RSS come from the
//! child's own `rusage` (wait4). python-feedgen's time is what the script measures
//! around FeedGenerator (entries + RSS file), without interpreter start-up, so the
//! ratio is conservative. A "floor" line per size times, in-process on both cores,
//! what the issue compares against: reading the Markdown, parsing it with
//! pulldown-cmark (events counted, nothing else), and writing and syncing the
//! three documents of the size the build wrote. A "serialization alone" line
//! times, in-process, what the python script times: the RSS pages of the loaded
//! show rendered, verified and written (not synced). Under `cargo test` (no `--bench` flag) this runs a small
//! untimed smoke check instead: a 40-episode show must build and check cleanly.

#[path = "support/genshow.rs"]
mod genshow;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const FEEDGEN: &str = env!("CARGO_BIN_EXE_feedgen");
const NOW: &str = "2030-01-01T00:00:00Z";
const SEED: u64 = 6;

/// One finished child process.
#[derive(Clone, Copy, Debug)]
struct Sample {
    wall: Duration,
    cpu: Duration,
    max_rss_kib: u64,
    ok: bool,
}

#[cfg(target_os = "linux")]
mod sys {
    /// `struct rusage` on Linux (64-bit): two timevals, then 14 longs.
    #[repr(C)]
    #[derive(Default)]
    pub struct RUsage {
        pub utime: [i64; 2],
        pub stime: [i64; 2],
        pub maxrss: i64,
        pub rest: [i64; 13],
    }
    extern "C" {
        pub fn wait4(pid: i32, status: *mut i32, options: i32, usage: *mut RUsage) -> i32;
    }
}

/// Runs a command to completion, measuring wall time, CPU time and peak RSS.
/// (On Linux the child is reaped by `wait4`, which clippy cannot see.)
#[allow(clippy::zombie_processes)]
fn run(cmd: &mut Command) -> Sample {
    let start = Instant::now();
    let child = cmd.spawn().expect("spawn");
    #[cfg(target_os = "linux")]
    {
        let mut status = 0i32;
        let mut ru = sys::RUsage::default();
        // SAFETY: wait4 on our own child, with valid pointers to owned memory.
        let r = unsafe { sys::wait4(child.id() as i32, &mut status, 0, &mut ru) };
        let wall = start.elapsed();
        assert_eq!(r, child.id() as i32, "wait4 failed");
        let tv = |t: [i64; 2]| Duration::from_micros((t[0] * 1_000_000 + t[1]) as u64);
        // Exited normally with status 0.
        let ok = status & 0x7f == 0 && (status >> 8) & 0xff == 0;
        Sample {
            wall,
            cpu: tv(ru.utime) + tv(ru.stime),
            max_rss_kib: ru.maxrss as u64,
            ok,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let mut child = child;
        let st = child.wait().expect("wait");
        Sample {
            wall: start.elapsed(),
            cpu: Duration::ZERO,
            max_rss_kib: 0,
            ok: st.success(),
        }
    }
}

fn feedgen(what: &str, dir: &Path) -> Command {
    let mut c = Command::new(FEEDGEN);
    c.arg(what)
        .arg("--config")
        .arg(dir.join("podcast.toml"))
        .args(["--quiet", "--now", NOW]);
    if what == "build" {
        c.arg("--out").arg(dir.join("public"));
    }
    c
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

struct Stats {
    wall: f64,
    min: f64,
    max: f64,
    cpu: f64,
    rss_mib: f64,
}

fn stats(samples: &[Sample]) -> Stats {
    let walls: Vec<f64> = samples.iter().map(|s| s.wall.as_secs_f64()).collect();
    Stats {
        wall: median(walls.clone()),
        min: walls.iter().copied().fold(f64::INFINITY, f64::min),
        max: walls.iter().copied().fold(0.0, f64::max),
        cpu: median(samples.iter().map(|s| s.cpu.as_secs_f64()).collect()),
        rss_mib: samples.iter().map(|s| s.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0,
    }
}

/// Generates the show unless an identical one (same size and seed) is there.
fn show(root: &Path, n: usize) -> PathBuf {
    let dir = root.join(format!("show-{n}"));
    let stamp = dir.join(".genshow");
    let want = format!("n={n} seed={SEED} v1\n");
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(want.as_str()) {
        eprint!("generating {n} episodes in {} … ", dir.display());
        let t = Instant::now();
        genshow::write_show(&dir, n, SEED).expect("generate show");
        let _ = std::fs::remove_dir_all(dir.join("public"));
        std::fs::write(&stamp, want).expect("stamp");
        eprintln!("{:.1} s", t.elapsed().as_secs_f64());
    }
    dir
}

/// A copy of the show in `dir`, in `<dir>-<name>`, with each episode file's
/// text passed through `edit` (with the file's name); made once per generated
/// show.
fn variant(dir: &Path, name: &str, edit: impl Fn(&str, &str) -> String) -> PathBuf {
    let to = dir.with_file_name(format!(
        "{}-{name}",
        dir.file_name().expect("show dir").to_string_lossy()
    ));
    let stamp = std::fs::read_to_string(dir.join(".genshow")).expect("stamp");
    if std::fs::read_to_string(to.join(".genshow")).ok() == Some(stamp.clone()) {
        return to;
    }
    let _ = std::fs::remove_dir_all(&to);
    std::fs::create_dir_all(to.join("episodes")).expect("variant dir");
    std::fs::copy(dir.join("podcast.toml"), to.join("podcast.toml")).expect("toml");
    for e in std::fs::read_dir(dir.join("episodes"))
        .expect("episodes")
        .flatten()
    {
        let text = std::fs::read_to_string(e.path()).expect("episode");
        let file = e.file_name().to_string_lossy().into_owned();
        std::fs::write(to.join("episodes").join(&file), edit(&text, &file)).expect("write");
    }
    std::fs::write(to.join(".genshow"), stamp).expect("stamp");
    to
}

/// The show with every front matter's `published` line removed: each episode
/// is dated by its header list's Recording date (at the show's publish time),
/// which a build reads off the lines before parsing, so it is still built in
/// feed order.
fn dated_by_notes(dir: &Path) -> PathBuf {
    variant(dir, "notes", |text, _| {
        text.split_inclusive('\n')
            .filter(|l| !l.starts_with("published = "))
            .collect()
    })
}

/// The show with its first episode made a trailer: the channel announces it
/// (with its title), so the feed's frames are known only once every episode
/// is parsed, and the build goes the usual way (`feedgen::build`).
fn with_a_trailer(dir: &Path) -> PathBuf {
    variant(dir, "trailer", |text, file| {
        // Episode 1, whatever the padding of the show's file names.
        if file.trim_start_matches('0') == "1.md" {
            text.replacen("+++\n", "+++\nepisode_type = \"trailer\"\n", 1)
        } else {
            text.to_string()
        }
    })
}

fn python(n: usize, script: &Path) -> Option<(f64, Sample)> {
    let out = std::env::temp_dir().join(format!("python-feedgen-{n}-{}.xml", std::process::id()));
    // The script prints its own timing as one JSON line.
    let s = run(Command::new("python3")
        .arg(script)
        .arg(n.to_string())
        .arg(&out)
        .stdout(std::fs::File::create(out.with_extension("json")).ok()?));
    let text = std::fs::read_to_string(out.with_extension("json")).ok()?;
    let _ = std::fs::remove_file(&out);
    let _ = std::fs::remove_file(out.with_extension("json"));
    if !s.ok {
        return None;
    }
    let secs: f64 = text
        .split("\"seconds\":")
        .nth(1)?
        .split([',', '}'])
        .next()?
        .trim()
        .parse()
        .ok()?;
    Some((secs, s))
}

/// The floor: what reading the Markdown, parsing it with pulldown-cmark and
/// writing the three documents cost on their own, in this process, on both
/// cores (rayon), with nothing else done. Returns median seconds of (read,
/// read + parse, write + sync) over `runs`. The documents written are the ones
/// the last build produced (same sizes), from memory, synced like a build's.
fn floor(dir: &Path, runs: usize) -> (f64, f64, f64) {
    use rayon::prelude::*;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join("episodes"))
        .expect("episodes")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let read_all = || -> Vec<String> {
        files
            .par_iter()
            .map(|p| std::fs::read_to_string(p).expect("read"))
            .collect()
    };
    let outputs: Vec<(String, Vec<u8>)> = ["feed.xml", "atom.xml", "feed.json"]
        .iter()
        .map(|n| {
            (
                n.to_string(),
                std::fs::read(dir.join("public").join(n)).expect("output"),
            )
        })
        .collect();
    let scratch = dir.join("floor-out");
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let (mut reads, mut parses, mut writes) = (vec![], vec![], vec![]);
    for _ in 0..runs {
        let t = Instant::now();
        let texts = read_all();
        reads.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let texts2 = read_all();
        let events: usize = texts2
            .par_iter()
            .map(|s| {
                pulldown_cmark::Parser::new_ext(s, feedgen::episode::markdown_options()).count()
            })
            .sum();
        parses.push(t.elapsed().as_secs_f64());
        assert!(events > texts.len());
        let t = Instant::now();
        std::thread::scope(|sc| {
            for (name, bytes) in &outputs {
                let path = scratch.join(name);
                sc.spawn(move || {
                    use std::io::Write;
                    let mut f = std::fs::File::create(&path).expect("create");
                    f.write_all(bytes).expect("write");
                    f.sync_all().expect("sync");
                });
            }
        });
        writes.push(t.elapsed().as_secs_f64());
    }
    let _ = std::fs::remove_dir_all(&scratch);
    (median(reads), median(parses), median(writes))
}

/// feedgen's serialization of the same items, like for like with the
/// python-feedgen script: the show is loaded and its notes rendered first
/// (untimed, as the script's HTML is made before its clock starts); then the
/// RSS pages are rendered, read back and verified, and written to a file (not
/// synced, as python-feedgen's is not), in-process on both cores. Median
/// seconds over `runs`.
fn serialize_rss(dir: &Path, runs: usize) -> f64 {
    let now = chrono::DateTime::parse_from_rfc3339(NOW).expect("NOW");
    let project =
        feedgen::load(&feedgen::Options::new(dir.join("podcast.toml"), now)).expect("load");
    let feed = feedgen::feed_of(&project);
    let scratch = dir.join("serialize-out");
    std::fs::create_dir_all(&scratch).expect("scratch dir");
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let docs: Vec<_> = feedgen::assemble::plan(&feed)
            .expect("plan")
            .into_iter()
            .filter(|d| d.name.starts_with("feed") && d.name.ends_with(".xml"))
            .collect();
        let mut files: Vec<std::io::BufWriter<std::fs::File>> = docs
            .iter()
            .map(|d| {
                std::io::BufWriter::new(
                    std::fs::File::create(scratch.join(&d.name)).expect("create"),
                )
            })
            .collect();
        feedgen::assemble::write_all(&feed, &docs, &mut files, |_, w, _| std::io::Write::flush(w))
            .unwrap_or_else(|_| panic!("serializing RSS failed"));
        drop(files);
        times.push(t.elapsed().as_secs_f64());
    }
    let _ = std::fs::remove_dir_all(&scratch);
    median(times)
}

/// `timing: NAME   12.3 ms  (…)` lines of a `FEEDGEN_TIMINGS=1` run.
fn parse_stages(stderr: &str) -> Vec<(String, f64)> {
    stderr
        .lines()
        .filter_map(|l| {
            let rest = l.strip_prefix("timing:")?;
            let mut words = rest.split_whitespace();
            let name = words.next()?.to_string();
            let ms: f64 = words.next()?.parse().ok()?;
            Some((name, ms))
        })
        .collect()
}

fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}

fn smoke(root: &Path) {
    let dir = root.join("smoke");
    genshow::write_show(&dir, 40, SEED).expect("generate show");
    for what in ["build", "check"] {
        let s = run(&mut feedgen(what, &dir));
        assert!(s.ok, "feedgen {what} failed on the generated show");
    }
    assert!(dir.join("public/feed.xml").exists());
    // Dated by its notes instead, and with a trailer (built the usual way).
    std::fs::write(dir.join(".genshow"), "smoke\n").expect("stamp");
    for v in ["smoke-notes", "smoke-trailer"] {
        let _ = std::fs::remove_dir_all(root.join(v));
    }
    let items = |d: &Path| {
        std::fs::read_to_string(d.join("public/feed.xml"))
            .expect("feed")
            .matches("<item>")
            .count()
    };
    assert_eq!(items(&dir), 40);
    for v in [dated_by_notes(&dir), with_a_trailer(&dir)] {
        assert!(run(&mut feedgen("build", &v)).ok, "{} failed", v.display());
        assert_eq!(items(&v), 40, "{} publishes every episode", v.display());
    }
    println!("bench smoke: a 40-episode generated show builds and checks cleanly, also dated by its notes and with a trailer");
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
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let sizes: Vec<usize> = value("--sizes")
        .unwrap_or_else(|| "1000,10000,100000".into())
        .split(',')
        .map(|s| s.trim().replace('_', "").parse().expect("--sizes N,N,…"))
        .collect();
    let runs: usize = value("--runs").map_or(5, |r| r.parse().expect("--runs N"));
    let with_python = !args.iter().any(|a| a == "--no-python");
    let script = manifest.join("benches/python_feedgen.py");

    println!(
        "feedgen end-to-end benchmark ({runs} runs per cell; medians; load avg before: {})",
        load()
    );
    println!("binary: {FEEDGEN}");
    let mut rows = Vec::new();
    for &n in &sizes {
        let dir = show(&root, n);
        let _ = std::fs::remove_file(dir.join("feedgen.lock"));
        let warm = run(&mut feedgen("build", &dir));
        assert!(warm.ok, "warm-up build failed for {n} episodes");
        // Timed builds also print their stage times (FEEDGEN_TIMINGS: one clock
        // read per stage), collected from stderr.
        let mut stage_ms: Vec<(String, Vec<f64>)> = Vec::new();
        let builds: Vec<Sample> = (0..runs)
            .map(|_| {
                let err = dir.join("stages.txt");
                let mut cmd = feedgen("build", &dir);
                cmd.env("FEEDGEN_TIMINGS", "1")
                    .stderr(std::fs::File::create(&err).expect("stderr file"));
                let s = run(&mut cmd);
                for (name, ms) in parse_stages(&std::fs::read_to_string(&err).unwrap_or_default()) {
                    match stage_ms.iter_mut().find(|(n, _)| *n == name) {
                        Some((_, v)) => v.push(ms),
                        None => stage_ms.push((name, vec![ms])),
                    }
                }
                let _ = std::fs::remove_file(&err);
                s
            })
            .collect();
        // The same build with no earlier outputs to replace, as in a CI run
        // from a fresh checkout: the file system then frees no old blocks in
        // the commit (on this machine's ext4, mounted with `discard`, it waits
        // for the device while it does). Removing them is not timed.
        let fresh: Vec<Sample> = (0..runs)
            .map(|_| {
                let _ = std::fs::remove_dir_all(dir.join("public"));
                run(&mut feedgen("build", &dir))
            })
            .collect();
        // The same show dated by its notes (still in feed order), and with a
        // trailer (the usual way: every episode parsed before the feed is
        // rendered), each over its previous outputs.
        let timed = |v: PathBuf| -> Vec<Sample> {
            let _ = std::fs::remove_file(v.join("feedgen.lock"));
            assert!(run(&mut feedgen("build", &v)).ok, "warm-up build failed");
            (0..runs).map(|_| run(&mut feedgen("build", &v))).collect()
        };
        let notes = timed(dated_by_notes(&dir));
        let usual = timed(with_a_trailer(&dir));
        let checks: Vec<Sample> = (0..runs)
            .map(|_| run(&mut feedgen("check", &dir)))
            .collect();
        assert!(
            builds
                .iter()
                .chain(&fresh)
                .chain(&usual)
                .chain(&checks)
                .all(|s| s.ok),
            "feedgen failed"
        );
        let py_runs = if n >= 100_000 { runs.min(3) } else { runs };
        let py: Vec<(f64, Sample)> = if with_python {
            (0..py_runs).filter_map(|_| python(n, &script)).collect()
        } else {
            vec![]
        };
        let b = stats(&builds);
        let f = stats(&fresh);
        let nd = stats(&notes);
        let u = stats(&usual);
        let c = stats(&checks);
        let (f_read, f_parse, f_write) = floor(&dir, runs);
        let ser = serialize_rss(&dir, runs);
        println!(
            "{n:>7} episodes: floor: read {:.3} s, read + pulldown-cmark parse {:.3} s, write + sync the 3 documents {:.3} s; parse + write {:.3} s = build ÷ {:.1}, check ÷ {:.1} of read + parse",
            f_read,
            f_parse,
            f_write,
            f_parse + f_write,
            b.wall / (f_parse + f_write),
            c.wall / f_parse
        );
        let py_secs = median(py.iter().map(|p| p.0).collect());
        let py_rss = py.iter().map(|p| p.1.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0;
        println!(
            "{n:>7} episodes: build {:.3} s (min {:.3}, max {:.3}, cpu {:.3} s, peak {:.0} MiB) | check {:.3} s (min {:.3}, max {:.3}, cpu {:.3} s, peak {:.0} MiB) | python-feedgen {} | load {}",
            b.wall, b.min, b.max, b.cpu, b.rss_mib, c.wall, c.min, c.max, c.cpu, c.rss_mib,
            if py.is_empty() { "n/a".to_string() } else { format!("{py_secs:.3} s (peak {py_rss:.0} MiB) → {:.1}× ", py_secs / b.wall) },
            load()
        );
        println!(
            "{n:>7} episodes: build into an empty output folder {:.3} s (min {:.3}, max {:.3}): nothing to replace",
            f.wall, f.min, f.max
        );
        println!(
            "{n:>7} episodes: build of the same show dated by its notes {:.3} s (min {:.3}, max {:.3}, cpu {:.3} s, peak {:.0} MiB)",
            nd.wall, nd.min, nd.max, nd.cpu, nd.rss_mib
        );
        println!(
            "{n:>7} episodes: build of the same show with a trailer (the usual way) {:.3} s (min {:.3}, max {:.3}, cpu {:.3} s, peak {:.0} MiB)",
            u.wall, u.min, u.max, u.cpu, u.rss_mib
        );
        println!(
            "{n:>7} episodes: serialization alone (RSS pages rendered, verified, written; in-process): feedgen {ser:.3} s{}",
            if py.is_empty() { String::new() } else { format!(", python-feedgen {py_secs:.3} s → {:.1}×", py_secs / ser) }
        );
        let stages: Vec<String> = stage_ms
            .into_iter()
            .filter(|(name, _)| !matches!(name.as_str(), "load" | "total"))
            .map(|(name, v)| format!("{name} {:.0}", median(v)))
            .collect();
        println!(
            "{n:>7} episodes: build stages (median ms): {}",
            stages.join(", ")
        );
        rows.push((n, b, c, py_secs, py_rss));
    }
    println!();
    println!("| episodes | feedgen build | feedgen check | python-feedgen (RSS only) | python ÷ build | peak RSS build | peak RSS check | peak RSS python |");
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (n, b, c, py, py_rss) in rows {
        let (py_s, ratio, py_m) = if py.is_nan() {
            ("n/a".to_string(), "n/a".to_string(), "n/a".to_string())
        } else {
            (
                format!("{py:.3} s"),
                format!("{:.1}×", py / b.wall),
                format!("{py_rss:.0} MiB"),
            )
        };
        println!(
            "| {n} | {:.3} s | {:.3} s | {py_s} | {ratio} | {:.0} MiB | {:.0} MiB | {py_m} |",
            b.wall, c.wall, b.rss_mib, c.rss_mib
        );
    }
}
