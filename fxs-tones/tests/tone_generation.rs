//! The plans' tones as generated: levels, frequencies and cadences
//! (tones-and-ringing.md §3-§4).

use fxs_tones::{Dbm0, Goertzel, ToneGenerator, ToneKind, TonePlan};

/// Lengths in ms of the alternating on/off runs of the first `ms` of a tone
/// (on first), measured on 1 ms blocks.
fn runs(plan: &TonePlan, kind: ToneKind, ms: usize) -> Vec<usize> {
    let mut g = ToneGenerator::new(8000, plan.tone(kind)).unwrap();
    let mut block = [0i16; 8];
    let mut out: Vec<usize> = Vec::new();
    let mut state = true;
    let mut len = 0;
    for _ in 0..ms {
        g.generate(&mut block);
        // A 1 ms block of a 350 Hz or higher tone always has a non-zero sample.
        let on = block.iter().any(|&s| s != 0);
        if on == state {
            len += 1;
        } else {
            out.push(len);
            state = on;
            len = 1;
        }
    }
    out.push(len);
    out
}

#[test]
fn plan_cadences_are_played_exactly() {
    let us = TonePlan::for_country("US").unwrap();
    assert_eq!(runs(us, ToneKind::Dial, 3000), [3000]);
    assert_eq!(runs(us, ToneKind::Ringback, 12_000), [2000, 4000, 2000, 4000]);
    assert_eq!(runs(us, ToneKind::Busy, 2000), [500; 4]);
    assert_eq!(runs(us, ToneKind::Reorder, 1000), [250; 4]);
    let de = TonePlan::for_country("DE").unwrap();
    assert_eq!(runs(de, ToneKind::Dial, 3000), [3000]);
    assert_eq!(runs(de, ToneKind::Ringback, 10_000), [1000, 4000, 1000, 4000]);
    assert_eq!(runs(de, ToneKind::Busy, 1920), [480; 4]);
    assert_eq!(runs(de, ToneKind::Reorder, 960), [240; 4]);
}

#[test]
fn plan_tone_components_have_their_levels() {
    for plan in TonePlan::all() {
        for kind in ToneKind::ALL {
            let tone = plan.tone(kind);
            let mut g = ToneGenerator::new(8000, tone).unwrap();
            // The first 200 ms, or the whole first step if shorter (100 ms
            // bursts: leakage between components allows 0.5 dB there).
            let first_ms = match tone.steps[0].duration_ms {
                0 => 200,
                ms => ms.min(200),
            };
            let tolerance = if first_ms >= 200 { 0.1 } else { 0.5 };
            let mut x = vec![0i16; first_ms as usize * 8];
            g.generate(&mut x);
            for &(f, level) in tone.steps[0].sound.components() {
                let mut gz = Goertzel::new(f, 8000);
                gz.update(&x);
                let got = Dbm0::from_amplitude(gz.amplitude());
                assert!(
                    (got.0 - level.0).abs() < tolerance,
                    "{} {kind:?} {f} Hz: {got:?} vs {level:?}",
                    plan.country
                );
            }
        }
    }
}
