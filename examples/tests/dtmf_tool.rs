//! `dtmf generate` then `dtmf detect` through real WAV files: the same
//! library functions the `dtmf` example calls.

use std::path::PathBuf;

use fxs_examples::tools::dtmf::{self, DtmfToolError, GenerateOptions};
use fxs_tones::Digit;

fn temp_wav(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("fxs-dtmf-tool-{}-{name}.wav", std::process::id()))
}

#[test]
fn generated_digits_are_detected_with_their_times() {
    let path = temp_wav("round-trip");
    let options = GenerateOptions::default(); // 70 ms on / 70 ms off
    dtmf::generate_file("0123456789*#ABCD", &options, &path).unwrap();
    let found = dtmf::detect_file(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    let digits: String = found.iter().map(|d| d.digit.as_char()).collect();
    assert_eq!(digits, "0123456789*#ABCD");
    for (k, d) in found.iter().enumerate() {
        let start = 140 * k as u64;
        assert!(d.start_ms.abs_diff(start) <= 10, "{d}");
        assert!(d.end_ms.abs_diff(start + 70) <= 10, "{d}");
    }
}

#[test]
fn options_change_the_signal_and_it_still_round_trips() {
    let path = temp_wav("options");
    let options = GenerateOptions {
        level_dbm0: -20.0,
        twist_db: -6.0,
        on_ms: 45,
        off_ms: 45,
    };
    dtmf::generate_file("159D", &options, &path).unwrap();
    let (samples, rate) = dtmf::read_wav(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(rate, 8000);
    assert_eq!(samples.len(), 4 * 90 * 8);
    let found = dtmf::detect(&samples, rate).unwrap();
    let digits: Vec<Digit> = found.iter().map(|d| d.digit).collect();
    assert_eq!(digits, [Digit::D1, Digit::D5, Digit::D9, Digit::D]);
    assert!(found.iter().all(|d| d.end_ms - d.start_ms >= 30));
}

#[test]
fn a_missing_file_is_named_in_the_error() {
    let path = temp_wav("does-not-exist");
    let e = dtmf::detect_file(&path).unwrap_err();
    assert!(matches!(e, DtmfToolError::ReadWav { .. }));
    assert!(e.to_string().contains("does-not-exist"), "{e}");
}

#[test]
fn a_stereo_or_44_khz_file_is_refused_by_name() {
    for (channels, rate, what) in [(2u16, 8000u32, "2 channels"), (1, 44_100, "44100 Hz")] {
        let path = temp_wav(&format!("bad-{channels}-{rate}"));
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap();
        for _ in 0..160 {
            w.write_sample(0i16).unwrap();
        }
        w.finalize().unwrap();
        let e = dtmf::detect_file(&path).unwrap_err();
        let _ = std::fs::remove_file(&path);
        assert!(e.to_string().contains(what), "{e}");
        assert!(e.to_string().contains("bad-"), "{e}");
    }
}

#[test]
fn silence_gives_no_digit() {
    assert_eq!(dtmf::detect(&[0i16; 8000], 8000).unwrap(), []);
}
