//! A URL of the imported feed as feedgen will publish it: absolute, in the
//! url crate's form, a relative one resolved against the page it was on.

use url::Url;

/// A URL read, and whether it was relative.
pub(crate) struct Resolved {
    pub url: Url,
    pub relative: bool,
}

/// `raw` as an absolute URL; why not, when it cannot be one. A
/// protocol-relative `//host/…` is never taken: feedgen refuses those.
pub(crate) fn resolve(raw: &str, base: Option<&Url>) -> Result<Resolved, String> {
    let raw = raw.trim();
    match Url::parse(raw) {
        Ok(url) => Ok(Resolved {
            url,
            relative: false,
        }),
        Err(url::ParseError::RelativeUrlWithoutBase) if !raw.starts_with("//") => {
            match base.map(|b| b.join(raw)) {
                Some(Ok(url)) => Ok(Resolved {
                    url,
                    relative: true,
                }),
                Some(Err(e)) => Err(e.to_string()),
                None => Err("it is relative, and there is no page to resolve it against".into()),
            }
        }
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            Err("it is protocol-relative, which feedgen never publishes".into())
        }
        Err(e) => Err(e.to_string()),
    }
}
