//! Synthetic shows in the format of the seed episode (`tests/fixtures/seed-006.md`),
//! for benchmarks: N episodes of about 3 KB of notes each, deterministic for a seed.
//!
//! Each episode has `+++` front matter (`title`, `published`, `season` and an
//! `[audio]` table with url, length, type and duration), the header list (Hosted
//! by, Recording date, Video, sometimes a Guest), and `## Contents` with three
//! speaker sections of three topics each: a linked topic heading, sub-links,
//! nested notes, an inline code span, sometimes a free paragraph or a code block,
//! and `@mentions` of people in the registry. `podcast.toml` carries the show and
//! its people registry. Files average about 3.2 KB; `feedgen check` reports no
//! errors, and about a quarter of the episodes get `description-truncated` (their
//! Apple description is cut at 4000 bytes), as long real notes do.
//!
//! Used by `examples/genshow.rs` (the command line) and `benches/build.rs`.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// splitmix64: small, fast and the same everywhere (no `rand` dependency).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (n > 0; the modulo bias is irrelevant here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Handles in the registry: the host, the regular speakers, occasional guests.
pub const HOST: &str = "bells17";
pub const SPEAKERS: &[&str] = &["chago", "ryojsb", "bells17", "tzkb", "kaita"];
pub const GUESTS: &[&str] = &["inductor", "takamori_tech", "tkb"];

const WORDS: &[&str] = &[
    "Kubernetes",
    "controller",
    "reconciliation",
    "loop",
    "CRD",
    "operator",
    "scheduler",
    "kubelet",
    "container",
    "runtime",
    "ネットワーク",
    "セキュリティ",
    "クラスタ",
    "アップグレード",
    "監視",
    "の仕組み",
    "について",
    "を試した",
    "が便利",
    "eBPF",
    "service mesh",
    "Gateway API",
    "ingress",
    "etcd",
    "API server",
    "admission webhook",
    "policy",
    "supply chain",
    "SBOM",
    "signing",
    "observability",
    "metrics",
    "trace",
    "log",
    "AT&T",
    "multi-tenancy",
    "autoscaling",
    "GPU",
    "release",
    "deprecation",
];

const SITES: &[&str] = &[
    "kubernetes.io/blog",
    "www.cncf.io/blog",
    "github.com/kubernetes/enhancements",
    "speakerdeck.com/kubenews",
    "thenewstack.io/articles",
    "zenn.dev/kubenews/articles",
    "qiita.com/kubenews/items",
    "aws.amazon.com/jp/blogs/containers",
    "cloud.google.com/blog/products/containers-kubernetes",
    "www.sdxcentral.com/articles/news",
];

fn words(rng: &mut Rng, n: usize, out: &mut String) {
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(rng.pick(WORDS));
    }
}

fn url(rng: &mut Rng, ep: usize, k: usize, out: &mut String) {
    let site = rng.pick(SITES);
    let id = rng.next_u64() & 0xff_ffff;
    let _ = write!(out, "https://{site}/{ep}-{k}-{id:06x}");
}

/// Width of episode file names: `006.md` for small shows, `000123.md` for 100k.
pub fn slug_width(n: usize) -> usize {
    n.to_string().len().max(3)
}

/// One episode file. `number` is 1-based; `published` is RFC 3339.
pub fn episode(rng: &mut Rng, number: usize, width: usize, published: &str, date: &str) -> String {
    let mut s = String::with_capacity(4096);
    let mut title = String::new();
    let n = 3 + rng.below(4) as usize;
    words(rng, n, &mut title);
    let length = 20_000_000 + rng.below(60_000_000);
    let secs = 1800 + rng.below(4200);
    let _ = write!(
        s,
        "+++\ntitle = \"{title}\"\npublished = {published}\nseason = {season}\n\n[audio]\nurl = \"https://media.kubenews.example.com/{number:0width$}.mp3\"\nlength = {length}\ntype = \"audio/mpeg\"\nduration = \"{h}:{m:02}:{sec:02}\"\n+++\n",
        season = 1 + number / 50,
        h = secs / 3600,
        m = secs / 60 % 60,
        sec = secs % 60,
    );
    let _ = write!(
        s,
        "# {number:0width$}\n\n- Hosted by @{HOST}\n- Recording date: {date}\n- Video: https://youtu.be/kubenews-{number}\n"
    );
    let guest = if rng.chance(30) {
        Some(rng.pick(GUESTS))
    } else {
        None
    };
    if let Some(g) = guest {
        let _ = writeln!(s, "- Guest: @{g}");
    }
    s.push_str("\n## Contents\n");
    // Three distinct speakers.
    let first = rng.below(SPEAKERS.len() as u64) as usize;
    for k in 0..3 {
        let speaker = SPEAKERS[(first + k) % SPEAKERS.len()];
        let _ = write!(s, "\n### @{speaker}\n");
        for t in 0..3 {
            let k = k * 3 + t;
            s.push_str("\n#### [");
            let n = 2 + rng.below(3) as usize;
            words(rng, n, &mut s);
            s.push_str("](");
            url(rng, number, k, &mut s);
            s.push_str(")\n");
            for _ in 0..1 + u64::from(rng.chance(30)) {
                s.push_str("- [");
                words(rng, 2, &mut s);
                s.push_str("](");
                url(rng, number, k + 100, &mut s);
                s.push_str(")\n");
            }
            s.push_str("- ");
            words(rng, 4, &mut s);
            if rng.chance(30) {
                s.push_str(" `kubectl get pods`");
            }
            s.push('\n');
            s.push_str("  - ");
            words(rng, 3, &mut s);
            s.push('\n');
            if rng.chance(40) {
                s.push_str("    - ");
                words(rng, 3, &mut s);
                s.push('\n');
            }
            if t == 1 {
                if let Some(g) = guest {
                    let _ = writeln!(s, "- @{g} さんから");
                }
            }
            match rng.below(4) {
                0 => {
                    s.push('\n');
                    words(rng, 6, &mut s);
                    s.push_str("。\n");
                }
                1 if t == 2 => {
                    s.push_str(
                        "\n```yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: demo\n```\n",
                    );
                }
                _ => {}
            }
        }
    }
    s
}

/// `podcast.toml` for the synthetic show.
pub fn podcast_toml() -> String {
    let mut s = String::from(
        r#"# A synthetic show for benchmarks (benches/support/genshow.rs).
[podcast]
title = "kubenews"
description = "A synthetic weekly Kubernetes news show, generated for benchmarks."
link = "https://kubenews.example.com/"
feed_url = "https://kubenews.example.com/feed.xml"
language = "ja"
author = "kubenews"
copyright = "© 2021 kubenews"
owner = { name = "kubenews", email = "podcast@kubenews.example.com" }
image = "https://kubenews.example.com/cover.png"
categories = [["Technology"], ["News", "Tech News"]]
explicit = false
type = "episodic"
timezone = "Asia/Tokyo"
publish_time = "21:00"
media_base_url = "https://media.kubenews.example.com/"
episode_url = "https://kubenews.example.com/episodes/{number}/"
hosts = ["bells17"]
locked = { owner = "podcast@kubenews.example.com" }
funding = [{ url = "https://kubenews.example.com/support", text = "Support the show" }]
medium = "podcast"
"#,
    );
    let roles = [("host", HOST)];
    for (role, h) in roles {
        let _ = write!(
            s,
            "\n[people.{h}]\nname = \"{h}\"\nhref = \"https://twitter.com/{h}\"\nimg = \"https://kubenews.example.com/people/{h}.png\"\nrole = \"{role}\"\n"
        );
    }
    for h in SPEAKERS.iter().filter(|h| **h != HOST) {
        let _ = write!(
            s,
            "\n[people.{h}]\nname = \"{h}\"\nhref = \"https://twitter.com/{h}\"\nimg = \"https://kubenews.example.com/people/{h}.png\"\nrole = \"co-host\"\n"
        );
    }
    for h in GUESTS {
        let _ = write!(
            s,
            "\n[people.{h}]\nname = \"{h}\"\nhref = \"https://twitter.com/{h}\"\nrole = \"guest\"\n"
        );
    }
    s.push_str("\n[output]\ndir = \"public\"\n");
    s
}

/// Days from 1970-01-01 to a civil date and back (Howard Hinnant's algorithms),
/// so the generator needs no date crate.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Writes `podcast.toml` and `episodes/NNN.md` × n into `dir` (created; an
/// existing `episodes/` is replaced). Episodes are spread over 2001-01-01 ..
/// about 2029, so `--now 2030-01-01T00:00:00Z` publishes all of them.
pub fn write_show(dir: &Path, n: usize, seed: u64) -> io::Result<()> {
    let eps = dir.join("episodes");
    if eps.exists() {
        std::fs::remove_dir_all(&eps)?;
    }
    std::fs::create_dir_all(&eps)?;
    std::fs::write(dir.join("podcast.toml"), podcast_toml())?;
    let _ = std::fs::remove_file(dir.join("feedgen.lock"));
    let width = slug_width(n);
    let mut rng = Rng::new(seed);
    // 2001-01-01 is day 11323; spread n episodes over 28 years, at least a minute apart.
    let span_secs: i64 = 28 * 365 * 86_400;
    let step = (span_secs / n.max(1) as i64).max(60);
    for i in 0..n {
        let t = 11_323 * 86_400 + i as i64 * step;
        let (y, mo, d) = civil_from_days(t.div_euclid(86_400));
        let sod = t.rem_euclid(86_400);
        let published = format!(
            "{y:04}-{mo:02}-{d:02}T{:02}:{:02}:00+09:00",
            sod / 3600,
            sod / 60 % 60
        );
        let date = format!("{y:04}-{mo:02}-{d:02}");
        let number = i + 1;
        let text = episode(&mut rng, number, width, &published, &date);
        std::fs::write(eps.join(format!("{number:0width$}.md")), text)?;
    }
    Ok(())
}
