//! A transcript file as the text an episode's page shows: the words of its
//! cues, a paragraph per cue, without the timings, cue numbers, headers,
//! notes and voice tags of WebVTT and SubRip. Other kinds (JSON, HTML) are
//! only linked. Read when its page is written, not with the episode: the
//! transcripts of a whole show need not be in memory at once.

use std::path::Path;

use super::{decode, regular_file};

/// A transcript is the words of an episode: a cap far above any.
const MAX_BYTES: u64 = 4 << 20;

/// The paragraphs of the transcript file at `path`, of type `mime`; none
/// when it cannot be read as text or is not a text transcript.
pub(crate) fn read(path: &Path, mime: &str) -> Option<Vec<String>> {
    let bytes = regular_file::read_regular(path, MAX_BYTES).ok()??;
    paragraphs(mime, &decode::decode(&bytes).ok()?)
}

/// The paragraphs of a transcript of type `mime`, or none when it is not a
/// text transcript.
fn paragraphs(mime: &str, text: &str) -> Option<Vec<String>> {
    let cues = matches!(
        mime,
        "text/vtt" | "application/x-subrip" | "application/srt"
    );
    if !cues && mime != "text/plain" {
        return None;
    }
    let mut out = Vec::new();
    for block in text.replace("\r\n", "\n").split("\n\n") {
        let lines: Vec<&str> = block
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if cues
            && lines.first().is_some_and(|l| {
                l.starts_with("WEBVTT")
                    || l.starts_with("NOTE")
                    || l.starts_with("STYLE")
                    || l.starts_with("REGION")
            })
        {
            continue;
        }
        let words: Vec<String> = lines
            .iter()
            .filter(|l| !cues || (!l.contains("-->") && !l.chars().all(|c| c.is_ascii_digit())))
            .map(|l| if cues { without_tags(l) } else { l.to_string() })
            .filter(|l| !l.is_empty())
            .collect();
        if !words.is_empty() {
            out.push(crate::chars::strip_unsafe(&words.join(" ")).into_owned());
        }
    }
    Some(out)
}

/// A cue's text without its `<v Name>`, `<i>`, `<c.x>`, `<00:01.000>` …
/// tags: a `<` then a letter, digit or `/`, to the next `>`. Any other `<`
/// is text (the page escapes what is left).
fn without_tags(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('<') {
        let tag = rest[open + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '/');
        match rest[open..].find('>').filter(|_| tag) {
            Some(close) => {
                out.push_str(&rest[..open]);
                rest = &rest[open + close + 1..];
            }
            None => {
                out.push_str(&rest[..=open]);
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cues_become_paragraphs_of_their_words() {
        let vtt = "WEBVTT\n\nNOTE made by hand\n\n1\n00:00:00.000 --> 00:00:05.000\n<v Alice>Hello, <i>world</i>.\n\n00:00:05.000 --> 00:00:08.000\nTwo lines\nof one cue\n";
        assert_eq!(
            paragraphs("text/vtt", vtt).unwrap(),
            ["Hello, world.", "Two lines of one cue"]
        );
        let srt = "1\r\n00:00:01,000 --> 00:00:02,000\r\nFirst <b>bit</b>\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\n2 < 3\r\n";
        assert_eq!(
            paragraphs("application/x-subrip", srt).unwrap(),
            ["First bit", "2 < 3"]
        );
        assert_eq!(paragraphs("text/plain", "a\nb\n\nc").unwrap(), ["a b", "c"]);
        // Comparisons are text; a NUL is removed.
        let cue = "00:01.000 --> 00:02.000\n2 < 3 and 5 > 4, x\u{0}y\n";
        assert_eq!(
            paragraphs("text/vtt", cue).unwrap(),
            ["2 < 3 and 5 > 4, xy"]
        );
        assert_eq!(paragraphs("application/json", "{}"), None);
    }
}
