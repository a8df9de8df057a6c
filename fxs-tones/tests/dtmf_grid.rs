//! The DTMF receiver against the acceptance and rejection limits of ITU-T
//! Q.24 (AT&T column) as summarised in dtmf.md §3.1.

mod common;

use common::*;
use fxs_tones::{Digit, DtmfEvent};

const SR: u32 = 8000;

/// Plays `d` three times, 40 ms on / 40 ms off, after `lead` samples of silence.
fn three_bursts(t: DualTone, lead: usize) -> Vec<i16> {
    let mut x = Vec::new();
    push_silence(&mut x, lead);
    for _ in 0..3 {
        push_tone(&mut x, t, ms(40, SR), SR);
        push_silence(&mut x, ms(40, SR));
    }
    x
}

/// Levels of the stronger tone to try for a twist: the top of the range,
/// the middle and the bottom (weaker tone at -25 dBm0).
fn strong_levels(twist: f32) -> [f32; 3] {
    [0.0, -10.0, -25.0 + twist.abs()]
}

#[test]
fn every_digit_is_detected_across_deviation_twist_and_level() {
    let devs = [-0.015, 0.0, 0.015];
    let mut failures = Vec::new();
    let mut case = 0usize;
    for d in Digit::ALL {
        for &ld in &devs {
            for &hd in &devs {
                for twist in [-8.0f32, -4.0, 0.0, 2.0, 4.0] {
                    for strong in strong_levels(twist) {
                        let low = if twist > 0.0 { strong - twist } else { strong };
                        let t = DualTone::digit(d, low, twist, ld, hd);
                        case += 1;
                        let x = three_bursts(t, case * 7 % 80);
                        let ev = detect_all(SR, &x, 80);
                        if started(&ev) != [d, d, d] {
                            failures.push(format!(
                                "{d} dev {ld}/{hd} twist {twist} low {low}: {:?}",
                                started(&ev)
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {case} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn deviation_of_3_5_percent_or_more_is_rejected() {
    let mut failures = Vec::new();
    let mut case = 0usize;
    for d in Digit::ALL {
        for dev in [-0.06, -0.045, -0.035, 0.035, 0.045, 0.06] {
            for (ld, hd) in [(dev, 0.0), (0.0, dev), (dev, dev)] {
                for (level, twist) in [
                    (-3.0f32, 0.0f32),
                    (-10.0, 2.0),
                    (-10.0, -8.0),
                    (-20.0, 4.0),
                    (-25.0, 0.0),
                ] {
                    case += 1;
                    let t = DualTone::digit(d, level, twist, ld, hd);
                    let x = three_bursts(t, case * 13 % 80);
                    let ev = detect_all(SR, &x, 80);
                    if !ev.is_empty() {
                        failures.push(format!(
                            "{d} dev {ld}/{hd} level {level} twist {twist}: {:?}",
                            started(&ev)
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {case} detected:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn forty_ms_tones_are_detected_at_every_alignment() {
    for lead in 0..80 {
        let d = Digit::ALL[lead % 16];
        let x = three_bursts(DualTone::digit(d, -12.0, 2.0, 0.0, 0.0), lead);
        assert_eq!(started(&detect_all(SR, &x, 80)), [d, d, d], "lead {lead}");
    }
}

#[test]
fn tones_of_23_ms_or_less_are_rejected_at_every_alignment() {
    for burst_ms in [10u32, 20, 23] {
        for lead in 0..80 {
            let d = Digit::ALL[lead % 16];
            for (level, twist) in [(-3.0f32, 0.0f32), (-12.0, 2.0), (-25.0, 0.0)] {
                let mut x = Vec::new();
                push_silence(&mut x, lead);
                for _ in 0..3 {
                    push_tone(
                        &mut x,
                        DualTone::digit(d, level, twist, 0.0, 0.0),
                        ms(burst_ms, SR),
                        SR,
                    );
                    push_silence(&mut x, ms(60, SR));
                }
                let ev = detect_all(SR, &x, 80);
                assert!(
                    ev.is_empty(),
                    "{burst_ms} ms {d} lead {lead} level {level}: {ev:?}"
                );
            }
        }
    }
}

#[test]
fn single_tones_are_rejected() {
    let freqs = [697.0, 770.0, 852.0, 941.0, 1209.0, 1336.0, 1477.0, 1633.0];
    for f in freqs {
        for level in [0.0f32, -10.0, -25.0] {
            let t = DualTone {
                low_hz: f,
                high_hz: 0.0,
                low_dbm0: Some(level),
                high_dbm0: None,
            };
            let mut x = Vec::new();
            push_tone(&mut x, t, ms(300, SR), SR);
            assert!(detect_all(SR, &x, 80).is_empty(), "{f} Hz at {level} dBm0");
        }
    }
}

#[test]
fn interruptions_up_to_10_ms_are_bridged() {
    for cut_at in (0..80).step_by(3) {
        let t = DualTone::digit(Digit::D8, -10.0, 2.0, 0.0, 0.0);
        let mut x = Vec::new();
        push_silence(&mut x, 17);
        push_tone(&mut x, t, ms(60, SR) + cut_at, SR);
        push_silence(&mut x, ms(10, SR));
        push_tone(&mut x, t, ms(60, SR), SR);
        let ev = detect_all(SR, &x, 80);
        assert_eq!(started(&ev), [Digit::D8], "cut at {cut_at}: {ev:?}");
    }
}

#[test]
fn pauses_of_40_ms_separate_repeated_digits() {
    for lead in (0..80).step_by(5) {
        let t = DualTone::digit(Digit::D0, -10.0, 2.0, 0.0, 0.0);
        let mut x = Vec::new();
        push_silence(&mut x, lead);
        for _ in 0..4 {
            push_tone(&mut x, t, ms(50, SR), SR);
            push_silence(&mut x, ms(40, SR));
        }
        assert_eq!(started(&detect_all(SR, &x, 80)), [Digit::D0; 4], "lead {lead}");
    }
}

#[test]
fn digits_are_detected_at_15_db_signal_to_noise() {
    for (i, d) in Digit::ALL.into_iter().enumerate() {
        let t = DualTone::digit(d, -20.0, 0.0, 0.0, 0.0);
        let mut x = three_bursts(t, i * 5);
        // Signal power: two tones at -20 dBm0 = -17 dBm0; noise 15 dB below.
        add_noise(&mut x, -32.0, i as u64);
        assert_eq!(started(&detect_all(SR, &x, 80)), [d, d, d], "{d}");
    }
}

#[test]
fn tones_below_minus_55_dbm0_are_ignored() {
    let t = DualTone::digit(Digit::D5, -55.0, 0.0, 0.0, 0.0);
    let mut x = Vec::new();
    push_tone(&mut x, t, ms(200, SR), SR);
    assert!(detect_all(SR, &x, 80).is_empty());
}

#[test]
fn start_and_end_are_accurate_to_one_block() {
    for lead in (0..160).step_by(11) {
        let t = DualTone::digit(Digit::D3, -10.0, 2.0, 0.0, 0.0);
        let mut x = Vec::new();
        push_silence(&mut x, lead);
        push_tone(&mut x, t, ms(70, SR), SR);
        push_silence(&mut x, ms(70, SR));
        let ev = detect_all(SR, &x, 80);
        let [DtmfEvent::Start { at, .. }, DtmfEvent::End { start, end, .. }] = ev[..] else {
            panic!("lead {lead}: {ev:?}");
        };
        assert_eq!(at, start);
        assert!(at.abs_diff(lead as u64) < 80, "lead {lead}: start {at}");
        assert!(
            end.abs_diff((lead + ms(70, SR)) as u64) < 80,
            "lead {lead}: end {end}"
        );
    }
}

#[test]
fn any_frame_length_gives_the_same_events() {
    let t = DualTone::digit(Digit::Hash, -10.0, 2.0, 0.0, 0.0);
    let x = three_bursts(t, 33);
    let reference = detect_all(SR, &x, 80);
    assert_eq!(started(&reference), [Digit::Hash; 3]);
    for frame in [1usize, 13, 40, 160] {
        assert_eq!(detect_all(SR, &x, frame), reference, "frame {frame}");
    }
}

#[test]
fn twist_well_outside_the_limits_is_rejected() {
    for d in Digit::ALL {
        for twist in [-12.0f32, 8.0] {
            let low = if twist > 0.0 { -14.0 } else { -6.0 };
            let x = three_bursts(DualTone::digit(d, low, twist, 0.0, 0.0), 21);
            assert!(detect_all(SR, &x, 80).is_empty(), "{d} twist {twist}");
        }
    }
}

#[test]
fn harmonic_buzz_does_not_imitate_digits() {
    // Voiced-speech-like talk-off probe: a fundamental with 1/h harmonics
    // up to 3.5 kHz, swept over the range of voice pitch.
    let mut x = Vec::new();
    let mut f0 = 80.0f64;
    while f0 <= 400.0 {
        let harmonics = (3500.0 / f0) as usize;
        let scale = f64::from(fxs_tones::Dbm0(-10.0).amplitude()) / 2.0;
        for i in 0..ms(150, SR) {
            let t = i as f64 / f64::from(SR);
            let v: f64 = (1..=harmonics)
                .map(|h| (2.0 * std::f64::consts::PI * f0 * h as f64 * t).sin() / h as f64)
                .sum();
            x.push((scale * v).round().clamp(-32768.0, 32767.0) as i16);
        }
        f0 += 3.0;
    }
    assert_eq!(detect_all(SR, &x, 80), []);
}

#[test]
fn white_noise_does_not_imitate_digits() {
    for level in [-5.0f32, -15.0, -30.0] {
        let mut x = vec![0i16; 5 * SR as usize];
        add_noise(&mut x, level, level as u64 + 7);
        assert_eq!(detect_all(SR, &x, 80), [], "noise at {level} dBm0");
    }
}
