//! Writes a synthetic show for benchmarks and profiling:
//!
//! ```text
//! cargo run --release --example genshow -- 10000 /tmp/show10k [SEED]
//! target/release/feedgen build --config /tmp/show10k/podcast.toml \
//!     --out /tmp/show10k/public --now 2030-01-01T00:00:00Z
//! ```
//!
//! The format (front matter, header list, three speakers with three topics each)
//! is described in `benches/support/genshow.rs`; the same seed gives the same files.

#[path = "../benches/support/genshow.rs"]
mod genshow;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: genshow N DIR [SEED]";
    let (Some(n), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let Ok(n) = n.replace('_', "").parse::<usize>() else {
        eprintln!("N must be a number; {usage}");
        std::process::exit(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(6);
    if let Err(e) = genshow::write_show(std::path::Path::new(dir), n, seed) {
        eprintln!("genshow: {e}");
        std::process::exit(2);
    }
    eprintln!("wrote {n} episodes to {dir}");
}
