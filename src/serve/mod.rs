//! `feedgen serve`: a preview of the output folder on 127.0.0.1, rebuilt
//! when the show changes. Each build is a real build (the same checks, the
//! same atomic publish); a failed one keeps the last good preview and shows
//! its errors on every page until a build succeeds again.

mod files;
mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::diag::Severity;
use crate::{build, publish, BuildOutcome, Error, Options};

/// What happens while serving, for the caller to report.
pub enum Event<'a> {
    /// A build ran (the first, or one after a change).
    Built(&'a BuildOutcome),
    /// A build could not run at all (podcast.toml unreadable, …).
    Failed(&'a Error),
    /// The preview is at this address.
    Listening(SocketAddr),
}

/// How often the show's files are looked at for a change.
const POLL: Duration = Duration::from_millis(250);

/// Builds the show of `opts`, serves its output folder on 127.0.0.1:`port`
/// (0: a free port) and rebuilds when a file of the show changes, until
/// `stop` is set (Ctrl-C sets it for the command line).
pub fn serve(
    opts: &Options,
    port: u16,
    stop: Arc<AtomicBool>,
    mut report: impl FnMut(Event<'_>),
) -> Result<(), Error> {
    let root = crate::input::project_root(&opts.config);
    let mut preview = Preview::default();
    preview.rebuild(opts, &mut report);
    let server = tiny_http::Server::http(("127.0.0.1", port)).map_err(|e| Error::Write {
        path: PathBuf::from(format!("127.0.0.1:{port}")),
        source: std::io::Error::other(e.to_string()),
    })?;
    if let Some(addr) = server.server_addr().to_ip() {
        report(Event::Listening(addr));
    }
    let port = server.server_addr().to_ip().map_or(port, |a| a.port());
    let mut seen = watch::State::of(&root);
    while !stop.load(Ordering::Relaxed) {
        if let Ok(Some(request)) = server.recv_timeout(POLL) {
            // Each on its own thread: a client that stops reading holds
            // only its own answer, never the preview.
            let (dir, failure) = (preview.dir.clone(), preview.failure.clone());
            std::thread::spawn(move || {
                files::answer(request, port, dir.as_deref(), failure.as_deref())
            });
        }
        let now = watch::State::of(&root);
        if now != seen {
            seen = now;
            preview.rebuild(opts, &mut report);
        }
    }
    Ok(())
}

/// What is served: the output folder (none until a build has found it),
/// and why the last build failed, if it did.
#[derive(Default)]
struct Preview {
    dir: Option<PathBuf>,
    failure: Option<String>,
}

impl Preview {
    fn rebuild(&mut self, opts: &Options, report: &mut impl FnMut(Event<'_>)) {
        match build(opts) {
            Ok(outcome) => {
                report(Event::Built(&outcome));
                let p = &outcome.project;
                if let (Ok(Ok(dir)), false) = (
                    publish::output_dir(&p.root, &p.show, opts),
                    outcome.written.is_empty(),
                ) {
                    self.dir = Some(dir);
                }
                self.failure = outcome.written.is_empty().then(|| {
                    let errors: Vec<String> = p
                        .diags
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .map(|d| format!("{}: {}", d.rule.name(), d.message))
                        .collect();
                    errors.join("\n")
                });
            }
            Err(e) => {
                report(Event::Failed(&e));
                self.failure = Some(e.to_string());
            }
        }
    }
}
