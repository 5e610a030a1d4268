//! Media probing: byte length, MIME type and duration read from the file itself,
//! so the feed never trusts a hand-typed number.
//!
//! Duration comes from symphonia. For MP3 the packets are always counted: a VBR
//! file without a Xing/Info header makes header-based estimates wrong by minutes.

use std::fs::File;
use std::path::Path;

use symphonia::core::formats::FormatOptions;
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

/// What a media file says about itself.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MediaInfo {
    pub length: u64,
    pub mime: &'static str,
    /// Seconds, if the container could be read.
    pub duration: Option<f64>,
}

/// MIME type from a file or URL extension (enclosures, transcripts, chapters).
pub(crate) fn mime_for(path: &str) -> Option<&'static str> {
    let ext = path
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())?;
    let e = ext.split(['?', '#']).next().unwrap_or("");
    Some(match e {
        "mp3" => "audio/mpeg",
        "m4a" => "audio/x-m4a",
        "mp4" => "video/mp4",
        "m4v" => "video/x-m4v",
        "mov" => "video/quicktime",
        "aac" => "audio/aac",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "flac" => "audio/flac",
        "wav" => "audio/wav",
        "pdf" => "application/pdf",
        "vtt" => "text/vtt",
        "srt" => "application/srt",
        "json" => "application/json",
        "html" | "htm" => "text/html",
        "txt" => "text/plain",
        _ => return None,
    })
}

/// Reads length, type and duration of a local media file, which must be a
/// regular file.
pub(crate) fn probe(path: &Path) -> Result<MediaInfo, String> {
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    let name = path.to_string_lossy();
    let mime = mime_for(&name).ok_or_else(|| format!("unknown media type for {name}"))?;
    let duration = match decoded(|| duration_of(path)) {
        Some(d) => d.ok(),
        None => return Err("the media decoder failed on this file".into()),
    };
    Ok(MediaInfo {
        length: meta.len(),
        mime,
        duration,
    })
}

thread_local! {
    /// This thread is running the media decoder (see [`decoded`]).
    static DECODING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` (the media decoder), containing a panic in it: `None` when it
/// panicked. A malformed file can make symphonia panic (a WAV header with a
/// sample rate of 0 does); that is a finding about the file, not a crash, and
/// the panic's message is not printed.
fn decoded<T>(f: impl FnOnce() -> T) -> Option<T> {
    static QUIET: std::sync::Once = std::sync::Once::new();
    QUIET.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !DECODING.get() {
                previous(info);
            }
        }));
    });
    DECODING.set(true);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    DECODING.set(false);
    result.ok()
}

/// Duration in seconds. Counts packets (exact for VBR); uses the container's frame
/// count only for formats whose header carries it reliably and no packet timing.
pub(crate) fn duration_of(path: &Path) -> Result<f64, String> {
    let file = File::open(path).map_err(|e| e.to_string())?;
    let mss = MediaSourceStream::new(Box::new(file), MediaSourceStreamOptions::default());
    let mut hint = Hint::new();
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        hint.with_extension(ext);
    }
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            mss,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| format!("cannot read media: {e}"))?;
    let mut format = probed.format;
    let track = format
        .default_track()
        .ok_or_else(|| "no audio track".to_string())?;
    let track_id = track.id;
    let params = track.codec_params.clone();
    let rate = params
        .time_base
        .map(|tb| tb.denom as f64 / tb.numer as f64)
        .or(params.sample_rate.map(f64::from))
        .filter(|r| r.is_finite() && *r > 0.0)
        .ok_or_else(|| "no time base".to_string())?;
    let mut ticks: u64 = 0;
    let mut packets = 0u64;
    loop {
        match format.next_packet() {
            Ok(p) if p.track_id() == track_id => {
                ticks = ticks.saturating_add(p.dur);
                packets += 1;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let seconds = match (packets, params.n_frames) {
        (0, Some(n)) => n as f64 / rate,
        (0, None) => return Err("no audio packets".into()),
        _ => ticks as f64 / rate,
    };
    // What no real episode lasts: a header that says otherwise is wrong.
    if !(0.0..=1e7).contains(&seconds) {
        return Err(format!("a duration of {seconds} s"));
    }
    Ok(seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Small MP3 files made here: exact length, type and duration, including
    // VBR files without a Xing header.

    const RATE: f64 = 44_100.0;
    const SAMPLES_PER_FRAME: f64 = 1152.0;

    /// MPEG-1 Layer III frames of silence at the given bitrate (kbps), 44.1 kHz mono.
    fn frames(n: usize, kbps: u32) -> Vec<u8> {
        let index = match kbps {
            32 => 1,
            64 => 5,
            128 => 9,
            320 => 14,
            _ => panic!("unsupported bitrate"),
        };
        let size = (144 * kbps * 1000 / 44_100) as usize;
        let mut f = vec![0u8; size];
        f[..4].copy_from_slice(&[0xFF, 0xFB, index << 4, 0xC0]);
        f.repeat(n)
    }

    fn write(bytes: &[u8]) -> tempfile::TempPath {
        let f = tempfile::Builder::new().suffix(".mp3").tempfile().unwrap();
        std::fs::write(f.path(), bytes).unwrap();
        f.into_temp_path()
    }

    #[test]
    fn cbr_length_type_duration() {
        let bytes = frames(383, 32);
        let p = write(&bytes);
        let info = probe(&p).unwrap();
        assert_eq!(info.length, bytes.len() as u64);
        assert_eq!(info.mime, "audio/mpeg");
        let want = 383.0 * SAMPLES_PER_FRAME / RATE;
        assert!(
            (info.duration.unwrap() - want).abs() < 0.05,
            "{:?} vs {want}",
            info.duration
        );
    }

    #[test]
    fn vbr_without_xing_header_counts_frames() {
        // 2 frames at 320 kbps, then 1000 at 32 kbps: an estimate from the first frame's
        // bitrate and the file size (what a header-only reader does) is far off.
        let mut bytes = frames(2, 320);
        bytes.extend(frames(1000, 32));
        let p = write(&bytes);
        let got = probe(&p).unwrap().duration.unwrap();
        let exact = 1002.0 * SAMPLES_PER_FRAME / RATE;
        let header_estimate = bytes.len() as f64 * 8.0 / 320_000.0;
        assert!(
            (got - exact).abs() < 0.05,
            "probe said {got}, exact {exact}"
        );
        assert!(
            (header_estimate - exact).abs() > 20.0,
            "the test file must defeat header estimates"
        );
    }

    #[test]
    fn not_audio_is_an_error_not_a_panic() {
        let p = write(b"this is not an mp3 file at all");
        let info = probe(&p).unwrap();
        assert!(info.duration.is_none());
        assert!(probe(Path::new("/nonexistent/x.mp3")).is_err());
    }

    #[test]
    fn example_show_media_durations() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let d6 = duration_of(&root.join("media/006.mp3")).unwrap();
        let d7 = duration_of(&root.join("media/007.mp3")).unwrap();
        assert!((d6 - 192.0 * SAMPLES_PER_FRAME / RATE).abs() < 0.05, "{d6}");
        assert!((d7 - 153.0 * SAMPLES_PER_FRAME / RATE).abs() < 0.05, "{d7}");
    }

    /// A WAV header with a sample rate of 0 makes the decoder panic; the probe
    /// says the file cannot be read instead. A device is no media file.
    #[test]
    fn files_the_decoder_cannot_take_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let wav = dir.path().join("zero.wav");
        let mut bytes = b"RIFF\x64\x00\x00\x00WAVEfmt ".to_vec();
        // PCM, 1 channel, 0 Hz, 0 bytes/s, block 2, 16 bits.
        bytes.extend_from_slice(&[16, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 16, 0]);
        bytes.extend_from_slice(b"data\x40\x00\x00\x00");
        bytes.extend_from_slice(&[0; 64]);
        std::fs::write(&wav, bytes).unwrap();
        let e = probe(&wav).unwrap_err();
        assert!(e.contains("decoder failed"), "{e}");
        assert_eq!(
            probe(Path::new("/dev/null")).unwrap_err(),
            "not a regular file"
        );
    }

    #[test]
    fn mime_types() {
        assert_eq!(mime_for("media/006.mp3"), Some("audio/mpeg"));
        assert_eq!(mime_for("https://x/a.M4A?x=1"), Some("audio/x-m4a"));
        assert_eq!(mime_for("a.vtt"), Some("text/vtt"));
        assert_eq!(mime_for("noext"), None);
    }
}
