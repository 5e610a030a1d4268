//! Time and memory per pipeline stage, for `FEEDGEN_TIMINGS=1` (printed by the
//! command line on stderr after the run): where a large build spends its time,
//! without a profiler. Off, it costs one atomic load per stage.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ON: AtomicBool = AtomicBool::new(false);
static LOG: Mutex<Vec<Stage>> = Mutex::new(Vec::new());

/// One finished stage: its name, wall time, the CPU time the whole process
/// spent meanwhile (all threads, user + system: CPU ÷ wall says how many cores
/// the stage kept busy) and the resident memory when it ended.
#[derive(Debug, Clone, Copy)]
pub struct Stage {
    pub name: &'static str,
    pub wall: Duration,
    pub cpu: Duration,
    pub resident: u64,
}

/// CPU time used by the process so far, all threads, user and system (Linux,
/// from `/proc/self/stat` in clock ticks of 1/100 s; zero elsewhere).
fn cpu_time() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // The fields after the command name, which is in parentheses.
            let rest = &s[s.rfind(')')? + 2..];
            let mut f = rest.split(' ').skip(11);
            Some(f.next()?.parse::<u64>().ok()? + f.next()?.parse::<u64>().ok()?)
        });
    Duration::from_millis(ticks.unwrap_or(0) * 10)
}

/// Resident memory now, in bytes (Linux; 0 elsewhere).
fn resident() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

/// Starts recording (the CLI calls this when `FEEDGEN_TIMINGS` is set).
pub fn enable() {
    ON.store(true, Ordering::Relaxed);
}

/// Runs `f`, recording its wall time under `name` when enabled.
pub fn stage<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    if !ON.load(Ordering::Relaxed) {
        return f();
    }
    let (t, c) = (Instant::now(), cpu_time());
    let r = f();
    let stage = Stage {
        name,
        wall: t.elapsed(),
        cpu: cpu_time().saturating_sub(c),
        resident: resident(),
    };
    if let Ok(mut log) = LOG.lock() {
        log.push(stage);
    }
    r
}

/// The recorded stages, in the order they finished.
pub fn take() -> Vec<Stage> {
    LOG.lock()
        .map(|mut l| std::mem::take(&mut *l))
        .unwrap_or_default()
}
