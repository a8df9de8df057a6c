//! `media echo-cancel` through its library side (`fxs_examples::tools::echo`):
//! a recording with a known echo comes out without it, and bad input files
//! give errors that name the file. Also the canceller against the simulated
//! SLIC's hybrid echo paths (`fxs_hal::sim::EchoPath`).

use std::path::{Path, PathBuf};

use fxs_examples::tools::echo::{
    EchoCancelArgs, EchoToolError, cancel, echo_cancel_file, read_wav, write_wav,
};
use fxs_hal::sim::EchoPath;
use fxs_media::FRAME_SAMPLES;
use fxs_media::echo::EchoConfig;

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fxs-echo-tool-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

/// Noise through a resonator under a slow on/off envelope, about −20 dBm0.
fn far_signal(samples: usize) -> Vec<i16> {
    let mut seed = 0x1234_5678u32;
    let (mut y1, mut y2) = (0.0f32, 0.0f32);
    (0..samples)
        .map(|n| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            let x = (seed as f32 / u32::MAX as f32 - 0.5) * 2000.0;
            let y = x + 1.6 * y1 - 0.8 * y2;
            y2 = y1;
            y1 = y;
            let on = (n / 2400) % 4 != 3;
            if on { y.clamp(-32768.0, 32767.0) as i16 } else { 0 }
        })
        .collect()
}

/// The far signal's echo: 40 ms delay, a short decaying response, −10 dB.
fn echo_of(far: &[i16]) -> Vec<i16> {
    let taps = [0.2f32, -0.15, 0.1, 0.05, -0.03];
    (0..far.len())
        .map(|n| {
            let mut acc = 0.0;
            for (k, h) in taps.iter().enumerate() {
                if let Some(i) = n.checked_sub(320 + k) {
                    acc += h * f32::from(far[i]);
                }
            }
            acc.round() as i16
        })
        .collect()
}

fn energy(x: &[i16]) -> f64 {
    x.iter().map(|&s| f64::from(s) * f64::from(s)).sum()
}

fn args(dir: &Path, tail_ms: u32) -> EchoCancelArgs {
    EchoCancelArgs {
        far: dir.join("far.wav"),
        near: dir.join("near.wav"),
        tail_ms,
        output: dir.join("out.wav"),
        no_nlp: true,
    }
}

#[test]
fn echo_cancel_removes_the_echo_from_the_near_file() {
    let dir = scratch("cancel");
    let far = far_signal(8000 * 6 + 37); // not a whole number of frames
    let near = echo_of(&far);
    write_wav(&dir.join("far.wav"), &far).unwrap();
    write_wav(&dir.join("near.wav"), &near).unwrap();
    let summary = echo_cancel_file(&args(&dir, 64)).unwrap();
    assert_eq!(summary.samples, far.len());
    let out = read_wav(&dir.join("out.wav")).unwrap();
    assert_eq!(out.len(), near.len());
    // Last 2 s: at least 25 dB less echo.
    let tail = near.len() - 16_000;
    let erle = 10.0 * (energy(&near[tail..]) / energy(&out[tail..]).max(1.0)).log10();
    assert!(erle >= 25.0, "echo reduced by only {erle:.1} dB");
    assert!(summary.stats.converged);
}

#[test]
fn missing_file_error_names_it() {
    let dir = scratch("missing");
    write_wav(&dir.join("far.wav"), &[0; 800]).unwrap();
    let err = echo_cancel_file(&args(&dir, 128)).unwrap_err();
    assert!(matches!(err, EchoToolError::ReadWav { .. }));
    assert!(err.to_string().contains("near.wav"), "{err}");
}

#[test]
fn files_of_different_lengths_are_refused_by_name() {
    let dir = scratch("lengths");
    write_wav(&dir.join("far.wav"), &[0; 800]).unwrap();
    write_wav(&dir.join("near.wav"), &[0; 880]).unwrap();
    let err = echo_cancel_file(&args(&dir, 128)).unwrap_err();
    let text = err.to_string();
    assert!(matches!(
        err,
        EchoToolError::LengthMismatch {
            far_samples: 800,
            near_samples: 880,
            ..
        }
    ));
    assert!(text.contains("far.wav") && text.contains("near.wav"), "{text}");
}

#[test]
fn a_file_at_another_rate_is_refused_by_name() {
    let dir = scratch("rate");
    write_wav(&dir.join("far.wav"), &[0; 800]).unwrap();
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(dir.join("near.wav"), spec).unwrap();
    for _ in 0..800 {
        w.write_sample(0i16).unwrap();
    }
    w.finalize().unwrap();
    let err = echo_cancel_file(&args(&dir, 128)).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, EchoToolError::WrongFormat { .. }));
    assert!(text.contains("near.wav") && text.contains("16000 Hz"), "{text}");
}

#[test]
fn a_tail_outside_16_to_128_ms_is_refused() {
    let dir = scratch("tail");
    let err = echo_cancel_file(&args(&dir, 500)).unwrap_err();
    assert!(matches!(err, EchoToolError::Config(_)));
    assert!(err.to_string().contains("tail"), "{err}");
}

/// The far signal through one of the simulated SLIC's echo paths.
fn through_slic(path: &mut EchoPath, far: &[i16]) -> Vec<i16> {
    let mut out = Vec::with_capacity(far.len());
    let mut down = [0i16; FRAME_SAMPLES];
    let mut echo = [0i16; FRAME_SAMPLES];
    for chunk in far.chunks_exact(FRAME_SAMPLES) {
        down.copy_from_slice(chunk);
        path.process(&down, &mut echo);
        out.extend_from_slice(&echo);
    }
    out
}

#[test]
fn canceller_removes_the_simulated_slic_hybrid_echo() {
    let far = far_signal(8000 * 5);
    // The SLIC's typical hybrid at its minimum ERL, and a long path: 90 ms
    // of bulk delay before a short reflection, at 12 dB.
    let mut long_ir = vec![0.0f32; 760];
    for (k, tap) in long_ir.iter_mut().enumerate().skip(720) {
        *tap = (-((k - 720) as f32) / 6.0).exp() * if k % 2 == 0 { 1.0 } else { -0.6 };
    }
    for (name, mut path) in [
        ("typical, ERL 6 dB", EchoPath::typical(6.0).unwrap()),
        ("90 ms delay, ERL 12 dB", EchoPath::new(&long_ir, 12.0).unwrap()),
    ] {
        let near = through_slic(&mut path, &far);
        let config = EchoConfig {
            tail_ms: 128,
            nlp: false,
            ..EchoConfig::default()
        };
        let (out, stats) = cancel(&far, &near, config).unwrap();
        let tail = near.len() - 16_000;
        let erle = 10.0 * (energy(&near[tail..]) / energy(&out[tail..]).max(1.0)).log10();
        assert!(erle >= 30.0, "{name}: ERLE {erle:.1} dB");
        assert!(stats.converged, "{name}: {stats:?}");
    }
}
