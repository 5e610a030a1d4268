//! Reading the import's source: a feed file, or an http(s) URL.
//!
//! Everything read is capped: a file must be a regular file no larger than
//! [`Limits::max_bytes`]; an answer over HTTP is read no further than that,
//! within [`Limits::timeout`], after at most [`Limits::max_redirects`]
//! redirects. Every failure is one line for the user.

use std::error::Error as _;
use std::io::{self, Read};
use std::path::Path;
use std::time::Duration;

use url::Url;

use crate::input::regular_file::{read_capped, size_text, Refused};

/// How much an import may read, and for how long.
#[derive(Debug, Clone)]
pub(crate) struct Limits {
    pub max_bytes: u64,
    /// For the whole fetch: connecting, redirects and reading the answer.
    pub timeout: Duration,
    pub max_redirects: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 << 20,
            timeout: Duration::from_secs(30),
            max_redirects: 5,
        }
    }
}

/// What was read.
#[derive(Debug)]
pub(crate) struct Fetched {
    pub bytes: Vec<u8>,
    /// The file path as given, or the final URL after redirects.
    pub name: String,
    /// The Content-Type header for URLs (None for files).
    pub content_type: Option<String>,
    /// The URL after redirects (None for files); relative links in a page resolve against it.
    pub url: Option<Url>,
}

const USER_AGENT: &str = concat!(
    "feedgen/",
    env!("CARGO_PKG_VERSION"),
    " (+https://github.com/feedgen)"
);

/// Feeds first, then any XML, then anything: a server with several
/// representations of the address picks the feed, one without still answers.
const ACCEPT: &str = "application/rss+xml, application/atom+xml, \
    application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1";

/// The bytes of `source`, an http(s) URL or a file path. Err is a one-line
/// message for the user, e.g. "cannot fetch https://x/feed.xml: the server
/// answered 404 Not Found".
pub(crate) fn fetch(source: &str, limits: &Limits) -> Result<Fetched, String> {
    if source.trim().is_empty() {
        return Err("no feed given: name a feed's URL or file".to_owned());
    }
    match kind_of(source) {
        SourceKind::Http => fetch_url(source, limits),
        SourceKind::OtherScheme => {
            let mut why = format!(
                "cannot fetch {}: only http and https URLs can be fetched",
                one_line(source)
            );
            if !source.contains("://") {
                why += &format!(
                    " (a file whose name has a colon can be given as ./{})",
                    one_line(source)
                );
            }
            Err(why)
        }
        SourceKind::Path => read_file(source, limits),
    }
}

#[derive(Debug, PartialEq, Eq)]
enum SourceKind {
    Http,
    OtherScheme,
    Path,
}

fn kind_of(source: &str) -> SourceKind {
    let Some((scheme, _)) = source.split_once(':') else {
        return SourceKind::Path;
    };
    // RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
    let mut chars = scheme.chars();
    let is_scheme = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !is_scheme {
        return SourceKind::Path;
    }
    // "http:host" without the slashes is still meant as a URL; the url crate
    // reads it as one.
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
        SourceKind::Http
    } else if scheme.len() == 1 {
        // A Windows drive letter: C:\feeds\show.xml.
        SourceKind::Path
    } else {
        SourceKind::OtherScheme
    }
}

fn fetch_url(source: &str, limits: &Limits) -> Result<Fetched, String> {
    let shown = one_line(source);
    let fail = |why: String| format!("cannot fetch {shown}: {why}");
    let url = Url::parse(source).map_err(|e| fail(format!("it is not a valid URL ({e})")))?;
    let agent = ureq::AgentBuilder::new()
        // ureq counts the answer that ends the chain as one of its
        // redirects: n lets n - 1 through.
        .redirects(limits.max_redirects.saturating_add(1))
        .timeout(limits.timeout)
        .user_agent(USER_AGENT)
        .build();
    let response = match agent.request_url("GET", &url).set("Accept", ACCEPT).call() {
        Ok(response) => response,
        Err(ureq::Error::Status(code, response)) => {
            return Err(fail(status_why(code, &response, &url)))
        }
        Err(ureq::Error::Transport(t)) => return Err(fail(transport_why(&t, &url, limits))),
    };
    // ureq returns a 3xx it did not follow (no Location) as an answer.
    if !(200..300).contains(&response.status()) {
        return Err(fail(status_why(response.status(), &response, &url)));
    }
    let final_url = Url::parse(response.get_url()).unwrap_or(url);
    let too_large = || {
        fail(format!(
            "the answer is larger than {}",
            size_text(limits.max_bytes)
        ))
    };
    // Content-Length is the compressed size when the answer is compressed
    // (then ureq drops the header): the cap on the bytes read below still holds.
    let announced = response
        .header("content-length")
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > limits.max_bytes) {
        return Err(too_large());
    }
    let content_type = response.header("content-type").map(str::to_owned);
    let mut bytes = Vec::with_capacity(prealloc(announced.unwrap_or(0), limits.max_bytes));
    // One byte past the cap tells an answer over it from one exactly at it.
    response
        .into_reader()
        .take(limits.max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|e| fail(read_why(&e, limits)))?;
    if bytes.len() as u64 > limits.max_bytes {
        return Err(too_large());
    }
    Ok(Fetched {
        bytes,
        name: final_url.to_string(),
        content_type,
        url: Some(final_url),
    })
}

/// "the server answered 404 Not Found", and where, when a redirect led there.
fn status_why(code: u16, response: &ureq::Response, requested: &Url) -> String {
    let text = one_line(response.status_text().trim());
    let mut why = if text.is_empty() {
        format!("the server answered {code}")
    } else {
        format!("the server answered {code} {text}")
    };
    if (300..400).contains(&code) {
        why += " without saying where to go";
    }
    if response.get_url() != requested.as_str() {
        why += &format!(" (at {})", one_line(response.get_url()));
    }
    why
}

fn transport_why(t: &ureq::Transport, requested: &Url, limits: &Limits) -> String {
    if chain_timed_out(t.source()) {
        return format!("no answer within {}", duration_text(limits.timeout));
    }
    let failed = t.url().unwrap_or(requested);
    let host = match (failed.host_str(), failed.port_or_known_default()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_owned(),
        _ => one_line(failed.as_str()),
    };
    // The deepest message is the one that says what happened ("Connection
    // refused"); ureq's own only says at which step.
    let detail = match (t.source(), t.message()) {
        (Some(source), _) => one_line(&source.to_string()),
        (None, Some(message)) => one_line(message),
        (None, None) => t.kind().to_string(),
    };
    match t.kind() {
        ureq::ErrorKind::TooManyRedirects => {
            let n = limits.max_redirects;
            format!(
                "it redirects more than {n} time{}",
                if n == 1 { "" } else { "s" }
            )
        }
        ureq::ErrorKind::Dns => format!(
            "the host name {} could not be resolved ({detail})",
            failed.host_str().map_or_else(|| host.clone(), one_line)
        ),
        ureq::ErrorKind::ConnectionFailed if t.message().is_some_and(|m| m.contains("tls")) => {
            format!("the secure connection to {host} failed ({detail})")
        }
        ureq::ErrorKind::ConnectionFailed => format!("could not connect to {host} ({detail})"),
        ureq::ErrorKind::UnknownScheme => format!(
            "it redirects to {}, and only http and https URLs can be fetched",
            one_line(failed.as_str())
        ),
        ureq::ErrorKind::InvalidUrl => format!("it redirects to an invalid URL ({detail})"),
        ureq::ErrorKind::BadStatus | ureq::ErrorKind::BadHeader => {
            format!("the answer from {host} is not valid HTTP ({detail})")
        }
        _ => format!("the connection to {host} failed ({detail})"),
    }
}

fn read_why(e: &io::Error, limits: &Limits) -> String {
    if is_timeout(e) || chain_timed_out(e.source()) {
        format!(
            "the answer did not arrive in full within {}",
            duration_text(limits.timeout)
        )
    } else {
        format!(
            "the answer could not be read in full ({})",
            one_line(&e.to_string())
        )
    }
}

/// Whether an error in the chain is a socket timeout: ureq's deadline shows
/// as TimedOut, or as WouldBlock where the platform reports a read timeout so.
fn chain_timed_out(mut e: Option<&(dyn std::error::Error + 'static)>) -> bool {
    while let Some(err) = e {
        if err.downcast_ref::<io::Error>().is_some_and(is_timeout) {
            return true;
        }
        e = err.source();
    }
    false
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

fn read_file(source: &str, limits: &Limits) -> Result<Fetched, String> {
    let shown = one_line(source);
    let why = match read_capped(Path::new(source), limits.max_bytes) {
        Ok(Some(bytes)) => {
            return Ok(Fetched {
                bytes,
                name: source.to_owned(),
                content_type: None,
                url: None,
            })
        }
        Ok(None) => "there is no such file".to_owned(),
        Err(Refused::NotRegular(what)) => format!("it is {what}, not a feed file"),
        Err(Refused::Dangling(to)) => format!(
            "it is a symlink to {}, which does not exist",
            one_line(&to.to_string_lossy())
        ),
        Err(Refused::TooLarge(max)) => format!(
            "it is larger than {}, the most feedgen imports",
            size_text(max)
        ),
        Err(Refused::Io(e)) => e.to_string(),
    };
    Err(format!("cannot read {shown}: {why}"))
}

/// A first buffer for `len` bytes, never more than the cap or 8 MiB: a
/// length is only announced, what arrives may be less.
fn prealloc(len: u64, max: u64) -> usize {
    usize::try_from(len.min(max).min(8 << 20)).unwrap_or(0)
}

fn duration_text(d: Duration) -> String {
    if d.subsec_nanos() == 0 {
        format!("{} s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

/// `s` safe to print on one line of a terminal: control and invisible
/// characters escaped (a server's status text or a path may hold any), and
/// at most 300 characters.
fn one_line(s: &str) -> String {
    const MAX: usize = 300;
    let mut out = String::with_capacity(s.len().min(MAX * 4));
    for (i, c) in s.chars().enumerate() {
        if i == MAX {
            out.push('…');
            break;
        }
        if c.is_control() || crate::chars::is_invisible(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests;
