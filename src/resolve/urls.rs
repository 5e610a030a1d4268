//! URLs the front matter gives (video, image, license), checked before they
//! are published.

use std::ops::Range;

use toml::Spanned;
use url::Url;

use super::episode::Resolver;
use crate::diag::Rule;
use crate::input::episode::ParsedEpisode;

impl Resolver<'_, '_> {
    pub(super) fn video(&mut self, ep: &ParsedEpisode) -> Option<String> {
        if let Some(v) = &ep.front.video {
            return self.url(v.get_ref(), v.span(), "video");
        }
        match &ep.header.video {
            Some(l) if l.value.is_none() && ep.header.video_rejected => ep.html_video.clone(),
            Some(l) if l.value.is_none() => {
                self.push(
                    Rule::EmptyVideo,
                    l.span.clone(),
                    "the Video line has no link",
                )
                .help = Some("add the video URL, or remove the line".into());
                ep.html_video.clone()
            }
            Some(l) => l.value.clone(),
            None => ep.html_video.clone(),
        }
    }

    /// An absolute http(s) URL from front matter.
    pub(super) fn url(&mut self, s: &str, span: Range<usize>, what: &str) -> Option<String> {
        match Url::parse(s.trim()) {
            // A feed is public: credentials in it would be published to every reader.
            Ok(u) if !u.username().is_empty() || u.password().is_some() => {
                self.push(
                    Rule::InvalidUrl,
                    span,
                    format!(
                        "the {what} URL carries a user name or password; a feed would publish it"
                    ),
                )
                .help = Some("remove the credentials: feeds are public".into());
                None
            }
            Ok(u) if u.scheme() == "https" => Some(u.to_string()),
            Ok(u) if u.scheme() == "http" => {
                self.push(Rule::InsecureUrl, span, format!("the {what} URL uses http"))
                    .help = Some("use https".into());
                Some(u.to_string())
            }
            Ok(u) => {
                self.push(
                    Rule::InvalidUrl,
                    span,
                    format!("the {what} URL must be http(s), not `{}:`", u.scheme()),
                );
                None
            }
            Err(e) => {
                self.push(
                    Rule::InvalidUrl,
                    span,
                    format!("the {what} URL `{s}` does not parse: {e}"),
                );
                None
            }
        }
    }

    pub(super) fn image(&mut self, i: &Spanned<String>) -> Option<String> {
        let u = self.url(i.get_ref(), i.span(), "image")?;
        let path = Url::parse(&u)
            .map(|u| u.path().to_ascii_lowercase())
            .unwrap_or_default();
        if ![".jpg", ".jpeg", ".png"].iter().any(|e| path.ends_with(e)) {
            self.push(
                Rule::ImageFormat,
                i.span(),
                "episode art must be a .jpg or .png image",
            );
        }
        Some(u)
    }
}
