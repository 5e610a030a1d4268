//! The `feedgen` command: a thin clap front end over the library.
#![forbid(unsafe_code)]

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, FixedOffset};
use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{BufferedStandardStream, ColorChoice};

use feedgen::diag::{report, Counts, Diagnostic, Severity, SourceDb};
use feedgen::Options;

/// Turn a podcast's Markdown show notes and podcast.toml into RSS 2.0 (with
/// Apple's itunes: and the Podcasting 2.0 podcast: namespaces), Atom and JSON Feed.
///
/// feedgen reads ./podcast.toml and the episodes beside it (episodes/NNN.md or
/// episodes/NNN/README.md), reports every problem in every file in one run, and
/// writes the feeds only when there is no error.
///
/// Exit status: 0 success, 1 validation errors (or warnings with --strict),
/// 2 usage or I/O errors.
#[derive(Parser, Debug)]
#[command(
    name = "feedgen",
    version = env!("FEEDGEN_LONG_VERSION"),
    after_help = "Examples:\n  feedgen build                      build ./podcast.toml into ./public\n  feedgen check --format json        CI-friendly diagnostics, one JSON object per line\n  feedgen build --now 2021-02-01T00:00:00Z   reproducible build with a fixed \"now\"\n  feedgen new                        start the next episode from the template\n\nEnvironment:\n  NO_COLOR=1          no colour in diagnostics\n  FEEDGEN_TIMINGS=1   print the time and memory of each stage on stderr\n  RAYON_NUM_THREADS   threads used (default: one per core)\n\nRules and formats: docs/rules.md, docs/format.md; speed: docs/performance.md"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Path of podcast.toml; episodes/ is read from the same folder.
    #[arg(
        long,
        global = true,
        default_value = "podcast.toml",
        value_name = "PATH"
    )]
    config: PathBuf,
    /// Output directory (default: [output] dir in podcast.toml, else ./public).
    #[arg(long, global = true, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Treat warnings as errors.
    #[arg(long, global = true)]
    strict: bool,
    /// How to print diagnostics.
    #[arg(long, global = true, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fix "now" (RFC 3339) for drafts and scheduled episodes, e.g. in tests.
    #[arg(long, global = true, value_name = "RFC3339", value_parser = parse_now)]
    now: Option<DateTime<FixedOffset>>,
    /// Print only errors (and warnings with --strict); no summary.
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate everything, then write feed.xml, atom.xml and feed.json.
    /// Nothing is written if there is an error.
    Build {
        /// Allow a published episode's guid or enclosure URL to change (or the
        /// episode to be withdrawn). Repeat for several episodes.
        #[arg(long, value_name = "EPISODE")]
        allow_guid_change: Vec<String>,
    },
    /// Validate only; writes nothing. Exit 1 on any error.
    Check,
    /// Create the next episode file (episodes/NNN.md) from the template.
    New,
    /// Print a shell completion script, e.g.
    /// `feedgen completions bash > ~/.local/share/bash-completion/completions/feedgen`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Make a feedgen show of an existing podcast feed: podcast.toml,
    /// episodes/NNN.md and feedgen.lock, seeded with the guids and enclosures
    /// already published, so that the first build publishes the same
    /// episodes. Every value kept in another form or left behind is reported,
    /// then a table of them. Refuses a folder that holds a show (see --force).
    ///
    /// Example: `feedgen import https://example.com/feed.xml --into myshow`
    Import {
        /// The feed: a file, or an http(s) URL (redirects and gzip are
        /// followed, 30 s and 64 MiB at most).
        source: String,
        /// The folder to write the show into (default: the current one).
        #[arg(long, value_name = "DIR", default_value = ".")]
        into: PathBuf,
        /// Move an existing podcast.toml, feedgen.lock and episodes/ into a
        /// backup folder in DIR instead of refusing.
        #[arg(long)]
        force: bool,
        /// The URL the feed will be published at (default: the feed's own
        /// atom:link rel="self", else the URL it was fetched from). Keep the
        /// old URL if you can: the directories know the show by it.
        #[arg(long, value_name = "URL")]
        feed_url: Option<String>,
    },
    /// Print the manual page (roff), e.g. `feedgen man > ~/.local/share/man/man1/feedgen.1`.
    Man,
    /// Build, then serve the output folder on 127.0.0.1 for a preview, and
    /// build again whenever podcast.toml, an episode, a template or a media
    /// file changes (reload the page to see it). A failed build keeps the last
    /// good preview and shows its errors on every page. Ctrl-C stops.
    Serve {
        /// The port on 127.0.0.1 (0: any free one; the address is printed).
        #[arg(long, default_value_t = 8000)]
        port: u16,
    },
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
enum Format {
    /// rustc-style text on stderr.
    Human,
    /// One JSON object per finding on stdout.
    Json,
    /// GitHub Actions workflow commands on stdout (annotations on the pull
    /// request's diff), and a summary into $GITHUB_STEP_SUMMARY when it is set.
    Github,
    /// A SARIF 2.1.0 log on stdout, for code scanning.
    Sarif,
    /// A GitLab code quality report (JSON) on stdout, for merge requests.
    Gitlab,
}

fn parse_now(s: &str) -> Result<DateTime<FixedOffset>, String> {
    DateTime::parse_from_rfc3339(s)
        .map_err(|e| format!("not an RFC 3339 time ({e}), e.g. 2021-02-01T00:00:00Z"))
}

fn color_choice() -> ColorChoice {
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || !std::io::stderr().is_terminal()
    {
        ColorChoice::Never
    } else {
        ColorChoice::Auto
    }
}

/// Prints the findings in the chosen format; `published` is the number of
/// episodes a build published (none for `check`).
fn emit(cli: &Cli, db: &SourceDb, diags: &[Diagnostic], published: Option<usize>) {
    let shown: Vec<Diagnostic> = diags
        .iter()
        .filter(|d| !cli.quiet || d.severity == Severity::Error)
        .cloned()
        .collect();
    let res = match cli.format {
        Format::Json => report::json(db, &shown, &mut std::io::stdout().lock()),
        Format::Sarif => report::sarif(db, &shown, &mut std::io::stdout().lock()),
        Format::Gitlab => report::gitlab(db, &shown, &mut std::io::stdout().lock()),
        Format::Github => report::github(db, &shown, &mut std::io::stdout().lock())
            .and_then(|()| step_summary(&report::github_summary(&shown, published))),
        Format::Human => {
            // Buffered: codespan writes each diagnostic in dozens of small
            // pieces, one system call each on a bare stderr.
            let mut err = BufferedStandardStream::stderr(color_choice());
            report::human(db, &shown, &mut err).and_then(|()| err.flush())
        }
    };
    if let Err(e) = res {
        eprintln!("feedgen: cannot print diagnostics: {e}");
    }
}

/// Writes `bytes` to stdout. A reader that went away (`feedgen man | head`)
/// is no failure.
fn print_out(bytes: &[u8]) -> Result<bool, feedgen::Error> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(feedgen::Error::Write {
            path: "standard output".into(),
            source: e,
        }),
        _ => Ok(false),
    }
}

/// Appends to the job summary file GitHub Actions names, if any.
fn step_summary(markdown: &str) -> std::io::Result<()> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return Ok(());
    };
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    f.write_all(markdown.as_bytes())
}

fn summary(cli: &Cli, what: &str, c: Counts) {
    if cli.quiet {
        return;
    }
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    eprintln!(
        "{what}: {}, {}, {}",
        plural(c.errors, "error"),
        plural(c.warnings, "warning"),
        plural(c.notes, "note")
    );
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let timed = std::env::var_os("FEEDGEN_TIMINGS").is_some_and(|v| !v.is_empty());
    if timed {
        feedgen::timings::enable();
    }
    let started = std::time::Instant::now();
    let now = cli.now.unwrap_or_else(|| chrono::Utc::now().fixed_offset());
    let opts = Options {
        config: cli.config.clone(),
        out: cli.out.clone(),
        now,
        strict: cli.strict,
        allow_guid_change: match &cli.command {
            Command::Build { allow_guid_change } => allow_guid_change.clone(),
            _ => vec![],
        },
    };
    let result = match &cli.command {
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "feedgen", &mut script);
            print_out(&script)
        }
        Command::Man => {
            let man = clap_mangen::Man::new(<Cli as clap::CommandFactory>::command());
            let mut page = Vec::new();
            man.render(&mut page)
                .expect("rendering into memory cannot fail");
            print_out(&page)
        }
        Command::Import {
            source,
            into,
            force,
            feed_url,
        } => {
            let opts = feedgen::import::ImportOptions {
                source: source.clone(),
                into: into.clone(),
                force: *force,
                feed_url: feed_url.clone(),
            };
            feedgen::import::import(&opts).map(|i| {
                emit(&cli, &i.sources, &i.diags, None);
                let c = feedgen::diag::Counts::of(&i.diags);
                if i.written.is_empty() {
                    summary(&cli, "import failed, nothing written", c);
                } else {
                    if !cli.quiet {
                        let rows: Vec<report::Row> = i
                            .summary
                            .fields
                            .iter()
                            .map(|(name, n)| report::Row {
                                name,
                                kept: n.kept,
                                converted: n.converted,
                                left: n.left,
                            })
                            .collect();
                        eprint!("\n{}\n", report::table(&rows));
                    }
                    summary(
                        &cli,
                        &format!("imported {} episodes into {}", i.episodes, into.display()),
                        c,
                    );
                    if let (Some(b), false) = (&i.backup, cli.quiet) {
                        eprintln!("  the show that was there is in {}", b.display());
                    }
                }
                c.errors > 0
            })
        }
        Command::Check => feedgen::check(&opts).map(|p| {
            emit(&cli, &p.sources, &p.diags, None);
            let c = p.counts();
            summary(&cli, &format!("checked {} episodes", p.episode_files), c);
            c.errors > 0
        }),
        Command::Build { .. } => feedgen::build(&opts).map(|o| {
            let published = if o.written.is_empty() { 0 } else { o.published };
            emit(&cli, &o.project.sources, &o.project.diags, Some(published));
            let c = o.project.counts();
            if o.written.is_empty() {
                summary(&cli, "build failed, nothing written", c);
            } else {
                let drafts = o.project.episode_files - o.published;
                summary(
                    &cli,
                    &format!(
                        "published {} episodes ({drafts} left out) to {} files",
                        o.published,
                        o.written.len()
                    ),
                    c,
                );
                if !cli.quiet {
                    let is_page =
                        |w: &&std::path::PathBuf| w.extension().is_some_and(|e| e == "html");
                    for w in o.written.iter().filter(|w| !is_page(w)) {
                        eprintln!("  wrote {}", w.display());
                    }
                    match o.written.iter().filter(is_page).count() {
                        0 => {}
                        1 => eprintln!("  wrote 1 web page"),
                        n => eprintln!("  wrote {n} web pages"),
                    }
                }
            }
            c.errors > 0 || o.written.is_empty()
        }),
        Command::Serve { port } => {
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            let on_ctrl_c = stop.clone();
            let _ = ctrlc::set_handler(move || {
                on_ctrl_c.store(true, std::sync::atomic::Ordering::Relaxed)
            });
            feedgen::serve::serve(&opts, *port, stop, |event| match event {
                feedgen::serve::Event::Built(o) => {
                    emit(&cli, &o.project.sources, &o.project.diags, None);
                    let what = match o.written.is_empty() {
                        true => "build failed; the last good preview stays".to_string(),
                        false => format!("built {} episodes", o.published),
                    };
                    summary(&cli, &what, o.project.counts());
                }
                feedgen::serve::Event::Failed(e) => eprintln!("error: {e}"),
                feedgen::serve::Event::Listening(addr) => {
                    eprintln!("serving http://{addr}/ (Ctrl-C stops)")
                }
            })
            .map(|()| false)
        }
        Command::New => feedgen::new_episode(&opts).map(|path| {
            let mut text = format!("created {}\n", path.display());
            match feedgen::check(&opts) {
                Ok(p) => {
                    let todo: Vec<&Diagnostic> = p.findings_in(&path).collect();
                    if !todo.is_empty() {
                        text.push_str("still to fill in:\n");
                        for d in todo {
                            let s = d.span.as_ref().expect("filtered on span");
                            let (l, _) = p.sources.get(s.file).line_col(s.range.start);
                            let line = format!("  line {l}: {} [{}]\n", d.message, d.rule.name());
                            text.push_str(&line);
                        }
                    }
                }
                Err(e) => eprintln!("feedgen: {e}"),
            }
            // A reader that went away (`feedgen new | true`) is no failure:
            // the episode is written either way.
            let _ = std::io::stdout().lock().write_all(text.as_bytes());
            false
        }),
    };
    let _ = std::io::stdout().flush();
    if timed {
        for s in feedgen::timings::take() {
            eprintln!(
                "timing: {:<14} {:>9.1} ms  cpu {:>7.1} ms  (resident {:>5} MiB after)",
                s.name,
                s.wall.as_secs_f64() * 1e3,
                s.cpu.as_secs_f64() * 1e3,
                s.resident >> 20
            );
        }
        eprintln!(
            "timing: {:<14} {:>9.1} ms",
            "total",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    match result {
        Ok(false) => ExitCode::SUCCESS,
        Ok(true) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
