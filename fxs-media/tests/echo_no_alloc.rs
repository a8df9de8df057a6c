//! Once built, the echo canceller and the AGC process frames without
//! allocating, in every state (converging, double talk, NLP with comfort
//! noise, disabled by the 2100 Hz tone).
//!
//! The counting allocator is in `tests/common`.

use fxs_media::FRAME_SAMPLES;
use fxs_media::echo::{EchoCanceller, EchoConfig};
use fxs_media::gain::{Agc, AgcConfig, Gain};

mod common;

use common::allocations_in;

#[test]
fn echo_canceller_and_agc_do_not_allocate_per_frame() {
    let mut ec = EchoCanceller::new(EchoConfig::default()).unwrap();
    let mut agc = Agc::new(AgcConfig::default()).unwrap();
    let gain = Gain::from_db(-3.0).unwrap();
    // Far end: a chirpy pseudo-random signal; near end: its delayed echo,
    // with a burst of near-end talk and then a 2100 Hz tone with reversals.
    let mut seed = 99u32;
    let far: Vec<i16> = (0..8000 * 6)
        .map(|n| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let noise = ((seed >> 16) % 4001) as i16 - 2000;
            if n > 8000 * 4 { 0 } else { noise }
        })
        .collect();
    let near: Vec<i16> = (0..far.len())
        .map(|n| {
            let echo = if n >= 300 { far[n - 300] / 4 } else { 0 };
            let talk = if (16_000..20_000).contains(&n) {
                ((n * 7) % 200) as i16 * 40 - 4000
            } else {
                0
            };
            let tone = if n > 8000 * 4 {
                let flip = if (n / 3600) % 2 == 0 { 1.0 } else { -1.0 };
                (flip * 5000.0 * (2.0 * std::f32::consts::PI * 2100.0 * n as f32 / 8000.0).sin()) as i16
            } else {
                0
            };
            echo.saturating_add(talk).saturating_add(tone)
        })
        .collect();
    let mut frame = [0i16; FRAME_SAMPLES];
    let mut run = |range: std::ops::Range<usize>| {
        for i in range {
            let a = i * FRAME_SAMPLES;
            frame.copy_from_slice(&near[a..a + FRAME_SAMPLES]);
            ec.process(&far[a..a + FRAME_SAMPLES], &mut frame);
            agc.process(&mut frame);
            gain.apply(&mut frame);
        }
    };
    run(0..5);
    let allocations = allocations_in(|| run(5..far.len() / FRAME_SAMPLES));
    assert_eq!(allocations, 0);
    assert!(ec.stats().disabled_by_tone, "{:?}", ec.stats());
}
