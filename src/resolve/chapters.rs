//! JSON chapters (Podcasting 2.0 "jsonChapters.md", version 1.2): checked before a
//! chapters file is linked from a feed, so apps never fetch a broken one.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChaptersFile {
    version: String,
    chapters: Vec<Chapter>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Chapter {
    start_time: f64,
    end_time: Option<f64>,
    title: Option<String>,
    img: Option<String>,
    url: Option<String>,
}

/// Checks structure and order: version 1.x, chapters with non-negative, ascending
/// start times, end after start, and http(s) `img`/`url`. Returns the
/// chapters, for the episode's page.
pub(crate) fn validate(text: &str) -> Result<Vec<crate::model::ChapterMark>, String> {
    let f: ChaptersFile = serde_json::from_str(text).map_err(|e| e.to_string())?;
    if !f.version.starts_with("1.") {
        return Err(format!("version is {}, expected 1.2.0", f.version));
    }
    let mut last = -1.0;
    for (i, c) in f.chapters.iter().enumerate() {
        if !c.start_time.is_finite() || c.start_time < 0.0 {
            return Err(format!("chapter {} has a negative startTime", i + 1));
        }
        if c.start_time < last {
            return Err(format!("chapter {} starts before the one above it", i + 1));
        }
        if let Some(e) = c.end_time {
            if e < c.start_time {
                return Err(format!("chapter {} ends before it starts", i + 1));
            }
        }
        for u in [&c.img, &c.url].into_iter().flatten() {
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                return Err(format!(
                    "chapter {} links to `{u}`, not an http(s) URL",
                    i + 1
                ));
            }
        }
        last = c.start_time;
    }
    Ok(f.chapters
        .into_iter()
        .map(|c| crate::model::ChapterMark {
            start: c.start_time,
            title: crate::chars::strip_unsafe(c.title.as_deref().unwrap_or("")).into_owned(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid() {
        assert_eq!(
            validate(
                r#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"a\u0001"},{"startTime":60}]}"#
            )
            .map(|c| c.into_iter().map(|c| (c.start, c.title)).collect::<Vec<_>>()),
            Ok(vec![(0.0, "a".to_string()), (60.0, String::new())])
        );
        assert!(
            validate(r#"{"version":"1.2.0","chapters":[{"startTime":60},{"startTime":0}]}"#)
                .is_err()
        );
        assert!(validate(r#"{"chapters":[]}"#).is_err());
        assert!(validate(
            r#"{"version":"1.2.0","chapters":[{"startTime":0,"url":"javascript:x"}]}"#
        )
        .is_err());
    }
}
