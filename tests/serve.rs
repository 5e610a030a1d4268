//! `feedgen serve`: on 127.0.0.1 only, a free port, the right content types,
//! an edit shown within a second or two, a failed build shown on the page
//! over the last good preview, and a clean stop on Ctrl-C (SIGINT).

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::*;

/// A running `feedgen serve`, killed when dropped so no test leaves it behind.
struct Served {
    child: Child,
    base: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(t: &TempProject) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_feedgen"))
        .current_dir(t.path())
        .env("NO_COLOR", "1")
        .args(["--now", NOW, "serve", "--port", "0"])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(url) = line.strip_prefix("serving ") {
                let _ = tx.send(url.split(' ').next().unwrap().to_string());
            }
        }
    });
    let base = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("serve prints its address");
    Served { child, base }
}

fn get(url: &str) -> (u16, String, String) {
    match ureq::get(url).call() {
        Ok(r) => (
            r.status(),
            r.content_type().to_string(),
            r.into_string().unwrap(),
        ),
        Err(ureq::Error::Status(code, r)) => {
            (code, r.content_type().to_string(), r.into_string().unwrap())
        }
        Err(e) => panic!("{url}: {e}"),
    }
}

/// Waits until `url`'s body satisfies `ok`, at most `secs` seconds.
fn until(url: &str, secs: u64, ok: impl Fn(&str) -> bool) -> String {
    let start = Instant::now();
    loop {
        let (_, _, body) = get(url);
        if ok(&body) || start.elapsed() > Duration::from_secs(secs) {
            return body;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn serve_previews_the_show_on_loopback_with_the_right_types() {
    let t = example_copy();
    let s = serve(&t);
    assert!(s.base.starts_with("http://127.0.0.1:"), "{}", s.base);
    assert!(!s.base.ends_with(":8000/"), "port 0 picks a free port");
    for (path, kind) in [
        ("", "text/html"),
        ("feed.xml", "application/rss+xml"),
        ("atom.xml", "application/atom+xml"),
        ("feed.json", "application/feed+json"),
        ("episodes/8/", "text/html"),
    ] {
        let (status, got, _) = get(&format!("{}{path}", s.base));
        assert_eq!((status, got.as_str()), (200, kind), "{path}");
    }
    assert_eq!(get(&format!("{}no/such/page", s.base)).0, 404);
    assert_eq!(get(&format!("{}%2E%2E/podcast.toml", s.base)).0, 404);
}

#[test]
fn an_edit_shows_on_reload_and_a_failed_build_keeps_the_last_good_preview() {
    let t = example_copy();
    let s = serve(&t);
    let page = format!("{}episodes/8/", s.base);
    let file = t.path().join("episodes/008/README.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let old_title = "Gateway API、Sigstore、そして年末の振り返り";
    assert!(get(&page).2.contains(old_title));
    let start = Instant::now();
    std::fs::write(&file, text.replace(old_title, "A title edited live")).unwrap();
    let body = until(&page, 10, |b| b.contains("A title edited live"));
    assert!(body.contains("A title edited live"), "{body}");
    assert!(
        start.elapsed() < Duration::from_secs(3),
        "{:?}",
        start.elapsed()
    );
    // An error: the page stays as it was built last, with the error on it.
    std::fs::write(&file, text.replace("# 008", "# 009")).unwrap();
    let body = until(&page, 10, |b| b.contains("the last build failed"));
    assert!(body.contains("the last build failed"), "{body}");
    assert!(body.contains("A title edited live"), "{body}");
    assert!(body.contains("number-mismatch"), "{body}");
    // Fixed: the banner goes.
    std::fs::write(&file, &text).unwrap();
    let body = until(&page, 10, |b| !b.contains("the last build failed"));
    assert!(body.contains(old_title), "{body}");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_it_cleanly() {
    let t = example_copy();
    let mut s = serve(&t);
    let status = Command::new("kill")
        .args(["-INT", &s.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let start = Instant::now();
    let exit = loop {
        if let Some(exit) = s.child.try_wait().unwrap() {
            break exit;
        }
        assert!(start.elapsed() < Duration::from_secs(5), "still serving");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    assert!(
        ureq::get(&s.base).call().is_err(),
        "nothing answers any more"
    );
}

#[test]
fn only_the_output_folder_is_served_and_only_to_local_names() {
    let t = example_copy();
    let s = serve(&t);
    // A link in the output folder to a folder outside it is not followed.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(t.path().join("episodes"), t.path().join("public/notes"))
            .unwrap();
        assert_eq!(get(&format!("{}notes/006.md", s.base)).0, 404);
    }
    // A page elsewhere naming this server by a name of its own is refused.
    let foreign = ureq::get(&s.base).set("Host", "attacker.example").call();
    assert!(
        matches!(foreign, Err(ureq::Error::Status(403, _))),
        "{foreign:?}"
    );
    let local = s.base.replace("127.0.0.1", "localhost");
    assert_eq!(get(&local).0, 200);
}

#[test]
fn before_a_first_good_build_nothing_of_the_project_is_served() {
    let t = example_copy();
    t.write("episodes/006.md", "# 006\n- Hosted by @nobody\n# 007\n");
    std::fs::write(t.path().join("draft.txt"), "private").unwrap();
    let s = serve(&t);
    for path in ["draft.txt", "podcast.toml", "episodes/006.md", ""] {
        let (status, _, body) = get(&format!("{}{path}", s.base));
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains("private"), "{path}");
    }
    assert!(get(&s.base).2.contains("the last build failed"));
}
