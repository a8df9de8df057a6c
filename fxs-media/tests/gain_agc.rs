//! Fixed gain and AGC on tones and noise at known dBm0 levels.

use fxs_media::FRAME_SAMPLES;
use fxs_media::gain::{Agc, AgcConfig, Gain};
use fxs_tones::Dbm0;

/// `frames` frames of a 1 kHz sine at `level`, continuing phase `n0`.
fn tone(level: Dbm0, frames: usize, n0: usize) -> Vec<i16> {
    let amp = level.amplitude();
    (n0..n0 + frames * FRAME_SAMPLES)
        .map(|n| (amp * (2.0 * std::f32::consts::PI * 1000.0 * n as f32 / 8000.0).sin()).round() as i16)
        .collect()
}

fn level_of(samples: &[i16]) -> f32 {
    let ms = samples.iter().map(|&s| f32::from(s) * f32::from(s)).sum::<f32>() / samples.len() as f32;
    Dbm0::from_rms(ms.sqrt()).0
}

fn run(agc: &mut Agc, signal: &mut [i16]) {
    for frame in signal.chunks_mut(FRAME_SAMPLES) {
        agc.process(frame);
    }
}

#[test]
fn fixed_gain_moves_the_level_by_its_db() {
    let mut t = tone(Dbm0(-30.0), 10, 0);
    Gain::from_db(-6.0).unwrap().apply(&mut t);
    assert!((level_of(&t) + 36.0).abs() < 0.1, "{}", level_of(&t));
}

#[test]
fn quiet_speech_is_raised_to_the_target_within_the_release_time() {
    let mut agc = Agc::new(AgcConfig::default()).unwrap();
    let mut t = tone(Dbm0(-28.0), 300, 0); // 3 s
    run(&mut agc, &mut t);
    let out = level_of(&t[t.len() - 800..]);
    assert!((out - -18.0).abs() < 1.0, "output {out:.1} dBm0");
}

#[test]
fn gain_never_exceeds_its_maximum() {
    let mut agc = Agc::new(AgcConfig {
        max_gain_db: 6.0,
        ..AgcConfig::default()
    })
    .unwrap();
    let mut t = tone(Dbm0(-40.0), 300, 0);
    run(&mut agc, &mut t);
    assert!(agc.gain_db() <= 6.0 + 1e-3);
    let out = level_of(&t[t.len() - 800..]);
    assert!((out - -34.0).abs() < 0.5, "output {out:.1} dBm0");
}

#[test]
fn loud_speech_is_brought_down_within_the_attack_time() {
    let mut agc = Agc::new(AgcConfig::default()).unwrap();
    let mut quiet = tone(Dbm0(-18.0), 100, 0);
    run(&mut agc, &mut quiet);
    let mut loud = tone(Dbm0(-6.0), 10, 8000); // 100 ms = 5 attack constants
    run(&mut agc, &mut loud);
    let out = level_of(&loud[loud.len() - 160..]);
    assert!((out - -18.0).abs() < 1.5, "output {out:.1} dBm0 after 100 ms");
}

#[test]
fn silence_after_speech_does_not_pump_up_the_noise() {
    let mut agc = Agc::new(AgcConfig::default()).unwrap();
    let mut speech = tone(Dbm0(-18.0), 200, 0);
    run(&mut agc, &mut speech);
    let gain_in_speech = agc.gain_db();
    // 5 s of low noise under the gate.
    let mut seed = 1u32;
    let mut noise: Vec<i16> = (0..40_000)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            ((seed >> 16) % 41) as i16 - 20
        })
        .collect();
    let before = level_of(&noise);
    run(&mut agc, &mut noise);
    assert!(
        (agc.gain_db() - gain_in_speech).abs() < 0.5,
        "gain moved to {:.1} dB",
        agc.gain_db()
    );
    assert!((level_of(&noise) - before).abs() < 1.0);
}

#[test]
fn agc_output_never_wraps() {
    let mut agc = Agc::new(AgcConfig {
        max_gain_db: 40.0,
        ..AgcConfig::default()
    })
    .unwrap();
    let mut quiet = tone(Dbm0(-45.0), 300, 0);
    run(&mut agc, &mut quiet);
    // A full-scale burst arrives while the gain is high.
    let mut loud = tone(Dbm0(3.0), 2, 0);
    let original = loud.clone();
    run(&mut agc, &mut loud);
    for (o, i) in loud.iter().zip(&original) {
        assert!(i32::from(*o) * i32::from(*i) >= 0, "sign flipped: {i} -> {o}");
    }
}
