use std::fs;
use std::io::{Read, Write};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use tiny_http::{Header, Request, Response, ResponseBox};

use super::*;

/// Set when the fixture is dropped, so a handler that makes the client wait
/// stops waiting and the server thread can end.
#[derive(Default)]
struct Stop {
    stopped: Mutex<bool>,
    changed: Condvar,
}

impl Stop {
    /// Waits `d`, or until the fixture is dropped.
    fn wait(&self, d: Duration) {
        let stopped = self.stopped.lock().unwrap();
        let _ = self.changed.wait_timeout_while(stopped, d, |s| !*s);
    }

    fn set(&self) {
        *self.stopped.lock().unwrap() = true;
        self.changed.notify_all();
    }
}

/// A loopback HTTP server on a free port, answering requests one at a time
/// with `handler` on a thread of its own; dropping it stops it.
struct Fixture {
    server: Arc<tiny_http::Server>,
    stop: Arc<Stop>,
    thread: Option<JoinHandle<()>>,
    base: String,
}

impl Fixture {
    fn start(handler: impl Fn(&Request, &Arc<Stop>) -> ResponseBox + Send + 'static) -> Fixture {
        let server = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
        let port = server.server_addr().to_ip().unwrap().port();
        let stop = Arc::new(Stop::default());
        let thread = {
            let (server, stop) = (server.clone(), stop.clone());
            thread::spawn(move || {
                for request in server.incoming_requests() {
                    let response = handler(&request, &stop);
                    // The client may have gone (a timeout, a refused body).
                    let _ = request.respond(response);
                }
            })
        };
        Fixture {
            server,
            stop,
            thread: Some(thread),
            base: format!("http://127.0.0.1:{port}"),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        self.stop.set();
        self.server.unblock();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap()
}

fn request_header(request: &Request, name: &'static str) -> Option<String> {
    request
        .headers()
        .iter()
        .find(|h| h.field.equiv(name))
        .map(|h| h.value.to_string())
}

fn limits(max_bytes: u64, timeout_ms: u64, max_redirects: u32) -> Limits {
    Limits {
        max_bytes,
        timeout: Duration::from_millis(timeout_ms),
        max_redirects,
    }
}

const FEED: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Show</title></channel></rss>
"#;

#[test]
fn a_feed_is_fetched_with_its_type_and_final_url() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server = Fixture::start({
        let seen = seen.clone();
        move |request, _| {
            seen.lock().unwrap().push((
                request_header(request, "User-Agent"),
                request_header(request, "Accept"),
            ));
            Response::from_string(FEED)
                .with_header(header("Content-Type", "application/rss+xml; charset=utf-8"))
                .boxed()
        }
    });
    let url = server.url("/feed.xml");
    let got = fetch(&url, &Limits::default()).unwrap();
    assert_eq!(got.bytes, FEED.as_bytes());
    assert_eq!(got.name, url);
    assert_eq!(got.url.as_ref().map(Url::as_str), Some(url.as_str()));
    assert_eq!(
        got.content_type.as_deref(),
        Some("application/rss+xml; charset=utf-8")
    );
    let (agent, accept) = seen.lock().unwrap()[0].clone();
    assert!(
        agent.as_deref().unwrap().starts_with("feedgen/"),
        "{agent:?}"
    );
    assert!(
        accept
            .as_deref()
            .unwrap()
            .starts_with("application/rss+xml"),
        "{accept:?}"
    );

    // The scheme is case-insensitive.
    let upper = url.replacen("http://", "HTTP://", 1);
    assert_eq!(
        fetch(&upper, &Limits::default()).unwrap().bytes,
        FEED.as_bytes()
    );
}

fn redirecting_server() -> Fixture {
    Fixture::start(|request, _| {
        let host = request_header(request, "Host").unwrap();
        let to = |code: u16, location: String| {
            Response::empty(code)
                .with_header(header("Location", &location))
                .boxed()
        };
        match request.url() {
            "/old" => to(301, "/moved".to_owned()),
            // An absolute Location, too.
            "/moved" => to(302, format!("http://{host}/feed.xml")),
            "/feed.xml" => Response::from_string(FEED).boxed(),
            "/gone" => to(301, "/missing".to_owned()),
            _ => Response::from_string("no such page")
                .with_status_code(404)
                .boxed(),
        }
    })
}

#[test]
fn redirects_are_followed_to_the_final_url() {
    let server = redirecting_server();
    let got = fetch(&server.url("/old"), &limits(1 << 20, 5000, 2)).unwrap();
    assert_eq!(got.bytes, FEED.as_bytes());
    assert_eq!(got.name, server.url("/feed.xml"));
    assert_eq!(got.url.unwrap().as_str(), server.url("/feed.xml"));

    // Two redirects are one too many for a limit of one.
    let err = fetch(&server.url("/old"), &limits(1 << 20, 5000, 1)).unwrap_err();
    assert_eq!(
        err,
        format!(
            "cannot fetch {}: it redirects more than 1 time",
            server.url("/old")
        )
    );
    let err = fetch(&server.url("/old"), &limits(1 << 20, 5000, 0)).unwrap_err();
    assert!(err.ends_with("it redirects more than 0 times"), "{err}");
}

#[test]
fn a_redirect_loop_stops_at_the_limit() {
    let count = Arc::new(Mutex::new(0));
    let server = Fixture::start({
        let count = count.clone();
        move |request, _| {
            *count.lock().unwrap() += 1;
            let n: u32 = request.url()["/loop/".len()..].parse().unwrap();
            Response::empty(302)
                .with_header(header("Location", &format!("/loop/{}", n + 1)))
                .boxed()
        }
    });
    let err = fetch(&server.url("/loop/0"), &Limits::default()).unwrap_err();
    assert_eq!(
        err,
        format!(
            "cannot fetch {}: it redirects more than 5 times",
            server.url("/loop/0")
        )
    );
    // The first request and the five redirects followed.
    assert_eq!(*count.lock().unwrap(), 6);
}

#[test]
fn gzip_answers_are_decoded() {
    use flate2::{write::GzEncoder, Compression};
    let original = FEED.repeat(50);
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(original.as_bytes()).unwrap();
    let gzipped = encoder.finish().unwrap();
    assert!(gzipped.len() < original.len());
    let accept_encoding = Arc::new(Mutex::new(None));
    let server = Fixture::start({
        let accept_encoding = accept_encoding.clone();
        move |request, _| {
            *accept_encoding.lock().unwrap() = request_header(request, "Accept-Encoding");
            Response::from_data(gzipped.clone())
                .with_header(header("Content-Encoding", "gzip"))
                .boxed()
        }
    });
    let got = fetch(&server.url("/feed.xml"), &Limits::default()).unwrap();
    assert_eq!(got.bytes, original.as_bytes());
    assert!(accept_encoding
        .lock()
        .unwrap()
        .as_deref()
        .unwrap()
        .contains("gzip"));
}

#[test]
fn a_gzip_bomb_is_cut_at_the_cap() {
    use flate2::{write::GzEncoder, Compression};
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..16 {
        encoder.write_all(&zeros).unwrap();
    }
    let gzipped = encoder.finish().unwrap();
    let server = Fixture::start(move |_, _| {
        Response::from_data(gzipped.clone())
            .with_header(header("Content-Encoding", "gzip"))
            .boxed()
    });
    let err = fetch(&server.url("/bomb"), &limits(1000, 5000, 5)).unwrap_err();
    assert!(
        err.ends_with(": the answer is larger than 1000 bytes"),
        "{err}"
    );
}

#[test]
fn error_statuses_are_named() {
    let server = redirecting_server();
    let err = fetch(&server.url("/nothing"), &Limits::default()).unwrap_err();
    assert_eq!(
        err,
        format!(
            "cannot fetch {}: the server answered 404 Not Found",
            server.url("/nothing")
        )
    );
    // A redirect that leads to an error says where it led.
    let err = fetch(&server.url("/gone"), &Limits::default()).unwrap_err();
    assert_eq!(
        err,
        format!(
            "cannot fetch {}: the server answered 404 Not Found (at {})",
            server.url("/gone"),
            server.url("/missing")
        )
    );

    let server = Fixture::start(|_, _| Response::empty(500).boxed());
    let err = fetch(&server.url("/feed.xml"), &Limits::default()).unwrap_err();
    assert!(
        err.ends_with(": the server answered 500 Internal Server Error"),
        "{err}"
    );

    // A redirect status with nowhere to go.
    let server = Fixture::start(|_, _| Response::empty(302).boxed());
    let err = fetch(&server.url("/feed.xml"), &Limits::default()).unwrap_err();
    assert!(
        err.ends_with(": the server answered 302 Found without saying where to go"),
        "{err}"
    );
}

#[test]
fn a_server_that_does_not_answer_times_out() {
    let server = Fixture::start(|_, stop| {
        stop.wait(Duration::from_secs(30));
        Response::from_string(FEED).boxed()
    });
    let start = Instant::now();
    let err = fetch(&server.url("/feed.xml"), &limits(1 << 20, 1000, 5)).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(
        err,
        format!(
            "cannot fetch {}: no answer within 1 s",
            server.url("/feed.xml")
        )
    );
}

/// A body that sends 64 KiB (more than the server buffers, so the client
/// gets the head and a start), then stalls until the fixture is dropped.
struct Stalling {
    sent: usize,
    stop: Arc<Stop>,
}

impl Read for Stalling {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.sent < 64 << 10 {
            let n = buf.len().min((64 << 10) - self.sent);
            buf[..n].fill(b' ');
            self.sent += n;
            return Ok(n);
        }
        self.stop.wait(Duration::from_secs(30));
        Ok(0)
    }
}

#[test]
fn a_body_that_stalls_times_out() {
    let server = Fixture::start(|_, stop| {
        let body = Stalling {
            sent: 0,
            stop: stop.clone(),
        };
        Response::new(200.into(), vec![], body, None, None).boxed()
    });
    let start = Instant::now();
    let err = fetch(&server.url("/feed.xml"), &limits(1 << 20, 1000, 5)).unwrap_err();
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(
        err.ends_with(": the answer did not arrive in full within 1 s"),
        "{err}"
    );
}

#[test]
fn an_oversized_answer_is_refused() {
    let server = Fixture::start(|request, _| {
        let n: usize = request.url()[1..].parse().unwrap_or(0);
        if request.url() == "/endless" {
            // Chunked, and longer than anyone would wait for: reading it all
            // would never finish.
            let body = io::repeat(b'x').take(1 << 40);
            return Response::new(200.into(), vec![], body, None, None).boxed();
        }
        if request.url().starts_with("/chunked/") {
            let n: usize = request.url()["/chunked/".len()..].parse().unwrap();
            let body = io::repeat(b'x').take(n as u64);
            return Response::new(200.into(), vec![], body, None, None).boxed();
        }
        // With a Content-Length.
        Response::from_data(vec![b'x'; n]).boxed()
    });
    let small = limits(1000, 10_000, 5);
    let too_large = |path: &str| {
        format!(
            "cannot fetch {}: the answer is larger than 1000 bytes",
            server.url(path)
        )
    };
    assert_eq!(
        fetch(&server.url("/1000"), &small).unwrap().bytes.len(),
        1000
    );
    assert_eq!(
        fetch(&server.url("/1001"), &small).unwrap_err(),
        too_large("/1001")
    );
    assert_eq!(
        fetch(&server.url("/chunked/1000"), &small)
            .unwrap()
            .bytes
            .len(),
        1000
    );
    assert_eq!(
        fetch(&server.url("/chunked/1001"), &small).unwrap_err(),
        too_large("/chunked/1001")
    );
    let start = Instant::now();
    assert_eq!(
        fetch(&server.url("/endless"), &small).unwrap_err(),
        too_large("/endless")
    );
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
}

#[test]
fn a_refused_connection_is_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}/feed.xml");
    let err = fetch(&url, &limits(1000, 5000, 5)).unwrap_err();
    assert!(
        err.starts_with(&format!(
            "cannot fetch {url}: could not connect to 127.0.0.1:{port} ("
        )),
        "{err}"
    );
}

#[test]
fn only_http_and_https_urls_are_fetched() {
    for source in [
        "ftp://example.com/feed.xml",
        "file:///etc/passwd",
        "FILE:///x",
        "feed://x/rss",
    ] {
        assert_eq!(
            fetch(source, &Limits::default()).unwrap_err(),
            format!("cannot fetch {source}: only http and https URLs can be fetched")
        );
    }
    assert_eq!(
        fetch("mailto:show@example.com", &Limits::default()).unwrap_err(),
        "cannot fetch mailto:show@example.com: only http and https URLs can be fetched \
         (a file whose name has a colon can be given as ./mailto:show@example.com)"
    );
    let err = fetch("http://", &Limits::default()).unwrap_err();
    assert!(
        err.starts_with("cannot fetch http://: it is not a valid URL ("),
        "{err}"
    );
    assert!(fetch("  ", &Limits::default())
        .unwrap_err()
        .starts_with("no feed given"));

    assert_eq!(kind_of("HtTpS://example.com/"), SourceKind::Http);
    assert_eq!(kind_of("http:example.com"), SourceKind::Http);
    assert_eq!(kind_of("C:\\feeds\\show.xml"), SourceKind::Path);
    assert_eq!(kind_of("c:/feeds/show.xml"), SourceKind::Path);
    assert_eq!(kind_of("feeds/show.xml"), SourceKind::Path);
    assert_eq!(kind_of("./a:b.xml"), SourceKind::Path);
    assert_eq!(kind_of("2024:show.xml"), SourceKind::Path);
    assert_eq!(kind_of("data:text/xml,<rss/>"), SourceKind::OtherScheme);
}

#[test]
fn a_file_is_read_as_given() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("feed.xml");
    fs::write(&path, FEED).unwrap();
    let source = path.to_str().unwrap();
    let got = fetch(source, &Limits::default()).unwrap();
    assert_eq!(got.bytes, FEED.as_bytes());
    assert_eq!(got.name, source);
    assert!(got.content_type.is_none() && got.url.is_none());

    // Exactly at the cap is fine; a byte more is not.
    let exact = limits(FEED.len() as u64, 1000, 5);
    assert_eq!(fetch(source, &exact).unwrap().bytes.len(), FEED.len());
    let under = limits(FEED.len() as u64 - 1, 1000, 5);
    assert_eq!(
        fetch(source, &under).unwrap_err(),
        format!(
            "cannot read {source}: it is larger than {} bytes, the most feedgen imports",
            FEED.len() - 1
        )
    );

    #[cfg(unix)]
    {
        let link = dir.path().join("link.xml");
        std::os::unix::fs::symlink(&path, &link).unwrap();
        assert_eq!(
            fetch(link.to_str().unwrap(), &Limits::default())
                .unwrap()
                .bytes,
            FEED.as_bytes()
        );
    }
}

/// `fetch(source)`'s error, failing the test instead of hanging when it blocks.
fn error_within_seconds(source: &str) -> String {
    let (tx, rx) = mpsc::channel();
    let owned = source.to_owned();
    thread::spawn(move || {
        let _ = tx.send(fetch(&owned, &Limits::default()).map(|f| f.bytes.len()));
    });
    rx.recv_timeout(Duration::from_secs(10))
        .unwrap_or_else(|_| panic!("reading {source} blocked"))
        .unwrap_err()
}

#[test]
fn what_is_not_a_regular_file_is_refused_without_blocking() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().to_str().unwrap();
    assert_eq!(
        error_within_seconds(folder),
        format!("cannot read {folder}: it is a folder, not a feed file")
    );
    let missing = dir.path().join("missing.xml");
    let missing = missing.to_str().unwrap();
    assert_eq!(
        error_within_seconds(missing),
        format!("cannot read {missing}: there is no such file")
    );

    #[cfg(unix)]
    {
        let dangling = dir.path().join("dangling.xml");
        std::os::unix::fs::symlink("nowhere.xml", &dangling).unwrap();
        let dangling = dangling.to_str().unwrap();
        assert_eq!(
            error_within_seconds(dangling),
            format!("cannot read {dangling}: it is a symlink to nowhere.xml, which does not exist")
        );
    }

    #[cfg(target_os = "linux")]
    {
        let fifo = dir.path().join("feed.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let fifo = fifo.to_str().unwrap();
        assert_eq!(
            error_within_seconds(fifo),
            format!("cannot read {fifo}: it is a named pipe (FIFO), not a feed file")
        );
        assert_eq!(
            error_within_seconds("/dev/zero"),
            "cannot read /dev/zero: it is a device, not a feed file"
        );
    }
}

#[test]
fn messages_show_text_safely_and_sizes_plainly() {
    assert_eq!(
        one_line("a\nb\u{1b}[31m\u{202E}"),
        "a\\nb\\u{1b}[31m\\u{202e}"
    );
    assert_eq!(one_line(&"x".repeat(400)).chars().count(), 301);
    assert_eq!(size_text(64 << 20), "64 MiB");
    assert_eq!(size_text(1000), "1000 bytes");
    assert_eq!(size_text(2048), "2 KiB");
    assert_eq!(duration_text(Duration::from_secs(30)), "30 s");
    assert_eq!(duration_text(Duration::from_millis(250)), "250 ms");
    assert_eq!(duration_text(Duration::from_millis(1500)), "1.5 s");
    let d = Limits::default();
    assert_eq!(
        (d.max_bytes, d.timeout, d.max_redirects),
        (64 << 20, Duration::from_secs(30), 5)
    );
}
