//! Answering a request from the output folder: the file its path names (a
//! folder's `index.html`), with the content type a host would send, and the
//! last build's errors on every page while it has failed.

use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;
use tiny_http::{Header, Request, Response};

/// Answers `request` from `dir` (none until a build has succeeded); `port`
/// is the one served on, the only one a request may name; `failure` is why
/// the last build failed.
pub(super) fn answer(request: Request, port: u16, dir: Option<&Path>, failure: Option<&str>) {
    // A page on another site that names this one by a DNS name of its own
    // (rebinding) must not read the preview: only local names are answered.
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str().to_string());
    let local = [format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    if !host.is_some_and(|h| local.contains(&h)) {
        let _ = request.respond(Response::from_string("Forbidden").with_status_code(403));
        return;
    }
    let Some(dir) = dir else {
        let _ = request.respond(not_found(failure.or(Some("no build has succeeded yet"))));
        return;
    };
    let response = match file_for(dir, request.url()) {
        Some(path) if content_type(&path).starts_with("text/html") => match std::fs::read(&path) {
            Ok(bytes) => {
                let bytes = match failure {
                    Some(why) => with_banner(&bytes, why),
                    None => bytes,
                };
                Response::from_data(bytes).with_header(header(content_type(&path)))
            }
            Err(_) => not_found(failure),
        },
        Some(path) => match std::fs::File::open(&path) {
            Ok(file) => {
                let _ = request
                    .respond(Response::from_file(file).with_header(header(content_type(&path))));
                return;
            }
            Err(_) => not_found(failure),
        },
        None => not_found(failure),
    };
    let _ = request.respond(response);
}

fn header(content_type: &str) -> Header {
    Header::from_bytes("Content-Type", content_type).expect("a valid header")
}

fn not_found(failure: Option<&str>) -> Response<std::io::Cursor<Vec<u8>>> {
    let page = b"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found</title></head><body><p>Not found.</p></body></html>";
    let bytes = match failure {
        Some(why) => with_banner(page, why),
        None => page.to_vec(),
    };
    Response::from_data(bytes)
        .with_status_code(404)
        .with_header(header("text/html; charset=utf-8"))
}

/// The file under `dir` that the URL path `url` names: percent-decoded, a
/// folder's `index.html`; none for a path that leaves the folder, by its
/// segments or through a link, or names a hidden file.
fn file_for(dir: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("");
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    let mut file = dir.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment.starts_with('.') || segment.contains('\\') {
            return None;
        }
        file.push(segment);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let real = file.canonicalize().ok()?;
    real.starts_with(dir.canonicalize().ok()?).then_some(real)
}

/// The content type of a published file, by its name.
pub(super) fn content_type(path: &Path) -> &'static str {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "xml" if name.starts_with("atom") => "application/atom+xml",
        "xml" if name.starts_with("feed") => "application/rss+xml",
        "xml" => "application/xml",
        "json" if name.starts_with("feed") => "application/feed+json",
        "json" => "application/json",
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css",
        "mp3" => "audio/mpeg",
        "m4a" => "audio/mp4",
        "aac" => "audio/aac",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "mp4" | "m4v" => "video/mp4",
        "webm" => "video/webm",
        "vtt" => "text/vtt",
        "srt" => "application/x-subrip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `page` with a notice of the failed build (escaped) after its `<body>`.
fn with_banner(page: &[u8], why: &str) -> Vec<u8> {
    let mut text = String::new();
    pulldown_cmark_escape::escape_html_body_text(&mut text, why).expect("writing to a String");
    let banner = format!(
        "<div role=\"alert\" style=\"background:#b00020;color:#fff;padding:1rem;white-space:pre-wrap\">feedgen: the last build failed; this is the last good preview.\n{text}</div>"
    );
    let html = String::from_utf8_lossy(page);
    match html.find("<body>") {
        Some(at) => {
            let at = at + "<body>".len();
            format!("{}{banner}{}", &html[..at], &html[at..]).into_bytes()
        }
        None => format!("{banner}{html}").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_in_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("episodes/8")).unwrap();
        let d = dir.path();
        for f in ["index.html", "episodes/8/index.html", "feed.xml"] {
            std::fs::write(d.join(f), "x").unwrap();
        }
        let real = d.canonicalize().unwrap();
        assert_eq!(file_for(d, "/"), Some(real.join("index.html")));
        assert_eq!(
            file_for(d, "/episodes/8/?x=1"),
            Some(real.join("episodes/8/index.html"))
        );
        assert_eq!(file_for(d, "/feed.xml"), Some(real.join("feed.xml")));
        #[cfg(unix)]
        std::os::unix::fs::symlink("/etc", d.join("media")).unwrap();
        for outside in [
            "/../x",
            "/%2E%2E/x",
            "/.public.feedgen/written",
            "/a%5Cb",
            "/media/passwd",
            "/missing",
        ] {
            assert_eq!(file_for(d, outside), None, "{outside}");
        }
    }

    #[test]
    fn feeds_have_their_own_types() {
        for (name, want) in [
            ("feed.xml", "application/rss+xml"),
            ("feed-2.xml", "application/rss+xml"),
            ("atom.xml", "application/atom+xml"),
            ("feed.json", "application/feed+json"),
            ("001.mp3", "audio/mpeg"),
        ] {
            assert_eq!(content_type(Path::new(name)), want);
        }
    }

    #[test]
    fn the_banner_is_escaped_text() {
        let page = with_banner(b"<html><body><p>x</p></body></html>", "<script>x</script>");
        let page = String::from_utf8(page).unwrap();
        assert!(page.contains("&lt;script&gt;") && !page.contains("<script>"));
        assert!(page.starts_with("<html><body><div role=\"alert\""));
    }
}
