//! Media probing on small MP3 files generated here: exact length, type and
//! duration, including VBR files without a Xing header.

use feedgen::media;

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
    let info = media::probe(&p).unwrap();
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
    let got = media::probe(&p).unwrap().duration.unwrap();
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
    let info = media::probe(&p).unwrap();
    assert!(info.duration.is_none());
    assert!(media::probe(std::path::Path::new("/nonexistent/x.mp3")).is_err());
}

#[test]
fn example_show_media_durations() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let d6 = media::duration_of(&root.join("media/006.mp3")).unwrap();
    let d7 = media::duration_of(&root.join("media/007.mp3")).unwrap();
    assert!((d6 - 192.0 * SAMPLES_PER_FRAME / RATE).abs() < 0.05, "{d6}");
    assert!((d7 - 153.0 * SAMPLES_PER_FRAME / RATE).abs() < 0.05, "{d7}");
}
