//! Wall-clock time per pipeline stage, for `FEEDGEN_TIMINGS=1` (printed by the
//! CLI on stderr after the run). Used to see where a large build spends its time
//! without a profiler; off, it costs one atomic load per stage.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

static ON: AtomicBool = AtomicBool::new(false);
static LOG: Mutex<Vec<(&'static str, Duration, u64)>> = Mutex::new(Vec::new());

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
    let t = Instant::now();
    let r = f();
    let d = t.elapsed();
    if let Ok(mut log) = LOG.lock() {
        log.push((name, d, resident()));
    }
    r
}

/// The recorded stages, in the order they finished, with the resident memory
/// when each ended.
pub fn take() -> Vec<(&'static str, Duration, u64)> {
    LOG.lock()
        .map(|mut l| std::mem::take(&mut *l))
        .unwrap_or_default()
}
