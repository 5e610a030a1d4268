//! Wall-clock time per pipeline stage, for `FEEDGEN_TIMINGS=1` (printed by the
//! CLI on stderr after the run). Used to see where a large build spends its time
//! without a profiler; off, it costs one atomic load per stage.

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

/// CPU time used by the process so far, all threads (Unix; zero elsewhere).
fn cpu_time() -> Duration {
    #[cfg(unix)]
    {
        let mut ru = std::mem::MaybeUninit::<libc::rusage>::zeroed();
        // SAFETY: getrusage writes a whole rusage into the pointer it is given,
        // which points at one; on failure it is left zeroed.
        let ru = unsafe {
            libc::getrusage(libc::RUSAGE_SELF, ru.as_mut_ptr());
            ru.assume_init()
        };
        let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
        tv(ru.ru_utime) + tv(ru.ru_stime)
    }
    #[cfg(not(unix))]
    Duration::ZERO
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
