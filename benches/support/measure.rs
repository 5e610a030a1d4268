//! Timing whole processes: wall time, CPU time and peak memory of one command,
//! as GNU time (`/usr/bin/time`, Debian's `time` package) reports them, and
//! medians of several.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// One finished command.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub wall: Duration,
    pub cpu: Duration,
    pub max_rss_kib: u64,
    pub ok: bool,
}

/// Where GNU time is; the bench needs it for peak memory.
pub const TIME: &str = "/usr/bin/time";

/// Runs `cmd` to completion under GNU time.
pub fn run(cmd: &Command, scratch: &Path) -> Sample {
    let report = scratch.join(format!("time-{}.txt", std::process::id()));
    let mut timed = Command::new(TIME);
    timed
        .arg("-f")
        .arg("%U %S %M")
        .arg("-o")
        .arg(&report)
        .arg(cmd.get_program())
        .args(cmd.get_args());
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => timed.env(k, v),
            None => timed.env_remove(k),
        };
    }
    if let Some(d) = cmd.get_current_dir() {
        timed.current_dir(d);
    }
    timed
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    let start = Instant::now();
    let status = timed
        .status()
        .unwrap_or_else(|e| panic!("cannot run {TIME} (apt-get install time): {e}"));
    let wall = start.elapsed();
    let text = std::fs::read_to_string(&report).unwrap_or_default();
    let _ = std::fs::remove_file(&report);
    // GNU time writes "Command exited with non-zero status N" first on failure.
    let last = text.lines().last().unwrap_or_default();
    let f: Vec<f64> = last
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let (user, sys, rss) = match f[..] {
        [u, s, r] => (u, s, r),
        _ => (0.0, 0.0, 0.0),
    };
    Sample {
        wall,
        cpu: Duration::from_secs_f64(user + sys),
        max_rss_kib: rss as u64,
        ok: status.success(),
    }
}

/// The median of `xs` (NaN when empty).
pub fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => xs[n / 2],
        _ => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    }
}

/// Medians of a set of samples, and the highest peak memory.
#[derive(Clone, Copy, Debug)]
pub struct Stats {
    pub wall: f64,
    pub min: f64,
    pub max: f64,
    pub cpu: f64,
    pub rss_mib: f64,
}

pub fn stats(samples: &[Sample]) -> Stats {
    let walls: Vec<f64> = samples.iter().map(|s| s.wall.as_secs_f64()).collect();
    Stats {
        wall: median(walls.clone()),
        min: walls.iter().copied().fold(f64::INFINITY, f64::min),
        max: walls.iter().copied().fold(0.0, f64::max),
        cpu: median(samples.iter().map(|s| s.cpu.as_secs_f64()).collect()),
        rss_mib: samples.iter().map(|s| s.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0,
    }
}

/// The load average, to tell a busy machine from a slow build.
pub fn load() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "?".into())
}
