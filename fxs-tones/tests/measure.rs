//! `measure_tone` accuracy.

mod common;

use common::{DualTone, push_tone};
use fxs_tones::{Tone, ToneGenerator, ToneKind, TonePlan, measure_tone};

#[test]
fn pure_tones_from_200_to_3500_hz_are_within_5_hz() {
    let mut f = 200.0;
    while f <= 3500.0 {
        for (level, ms) in [(-10.0f32, 100usize), (-30.0, 100), (0.0, 200)] {
            let mut x = Vec::new();
            push_tone(
                &mut x,
                DualTone {
                    low_hz: f,
                    high_hz: 0.0,
                    low_dbm0: Some(level),
                    high_dbm0: None,
                },
                ms * 8,
                8000,
            );
            let m = measure_tone(&x, 8000).expect("a tone");
            assert!(
                (f64::from(m.freq_hz) - f).abs() <= 5.0,
                "{f} Hz {level} dBm0 {ms} ms: {m:?}"
            );
            assert!((m.level.0 - level).abs() < 0.1, "{f} Hz {level} dBm0: {m:?}");
        }
        f += 37.3;
    }
}

#[test]
fn dual_tone_reports_its_stronger_component_and_total_level() {
    let mut x = Vec::new();
    push_tone(
        &mut x,
        DualTone {
            low_hz: 697.0,
            high_hz: 1209.0,
            low_dbm0: Some(-16.0),
            high_dbm0: Some(-10.0),
        },
        1600,
        8000,
    );
    let m = measure_tone(&x, 8000).unwrap();
    assert!((m.freq_hz - 1209.0).abs() <= 5.0, "{m:?}");
    // Total of -16 and -10 dBm0: 10 log10(10^-1.6 + 10^-1) = -9.03 dBm0.
    assert!((m.level.0 + 9.03).abs() < 0.1, "{m:?}");
}

#[test]
fn plan_tones_measure_at_their_frequencies() {
    for country in ["US", "DE"] {
        let plan = TonePlan::for_country(country).unwrap();
        let dial: &Tone = plan.tone(ToneKind::Dial);
        let mut g = ToneGenerator::new(8000, dial).unwrap();
        let mut x = vec![0i16; 1600];
        g.generate(&mut x);
        let m = measure_tone(&x, 8000).unwrap();
        let comps = dial.steps[0].sound.components();
        assert!(
            comps.iter().any(|&(f, _)| (m.freq_hz - f).abs() <= 5.0),
            "{country}: {m:?}"
        );
        // Total level of the components.
        let total = 10.0
            * comps
                .iter()
                .map(|&(_, l)| 10f32.powf(l.0 / 10.0))
                .sum::<f32>()
                .log10();
        assert!((m.level.0 - total).abs() < 0.2, "{country}: {m:?} vs {total}");
    }
}
