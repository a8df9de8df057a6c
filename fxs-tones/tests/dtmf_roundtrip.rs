//! Generator -> detector round trips.

mod common;

use common::{detect_all, started};
use core::time::Duration;
use fxs_tones::{Dbm0, Digit, DtmfGenerator, DtmfGeneratorConfig};
use proptest::prelude::*;

/// Plays `digits` with `config` and returns the whole signal.
fn play(config: DtmfGeneratorConfig, digits: &[Digit], lead: usize) -> Vec<i16> {
    let mut g = DtmfGenerator::new(config).expect("valid config");
    let mut x = vec![0i16; lead];
    for chunk in digits.chunks(16) {
        for &d in chunk {
            g.push(d).expect("room in the queue");
        }
        let mut frame = [0i16; 80];
        while !g.is_idle() {
            g.generate(&mut frame);
            x.extend_from_slice(&frame);
        }
    }
    x
}

#[test]
fn all_sixteen_digits_survive_the_round_trip() {
    for rate in [8000u32, 16_000] {
        let config = DtmfGeneratorConfig {
            sample_rate: rate,
            ..Default::default()
        };
        for d in Digit::ALL {
            let x = play(config, &[d], 0);
            assert_eq!(
                started(&detect_all(rate, &x, rate as usize / 100)),
                [d],
                "{d} at {rate} Hz"
            );
        }
        let x = play(config, &Digit::ALL, 0);
        assert_eq!(
            started(&detect_all(rate, &x, rate as usize / 100)),
            Digit::ALL,
            "{rate} Hz"
        );
    }
}

#[test]
fn fastest_standard_dialing_is_followed() {
    // 40 ms on / 40 ms off: 12.5 digits per second.
    let config = DtmfGeneratorConfig {
        on: Duration::from_millis(40),
        off: Duration::from_millis(40),
        level: Dbm0(-20.0),
        ..Default::default()
    };
    let digits: Vec<Digit> = "1234567890*#ABCD5555"
        .chars()
        .filter_map(Digit::from_char)
        .collect();
    for lead in [0usize, 19, 40, 77] {
        let x = play(config, &digits, lead);
        assert_eq!(started(&detect_all(8000, &x, 80)), digits, "lead {lead}");
    }
}

fn digit() -> impl Strategy<Value = Digit> {
    (0u8..16).prop_map(|c| Digit::from_event_code(c).expect("0-15 are digits"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_digit_string_is_detected_in_order(
        digits in prop::collection::vec(digit(), 1..24),
        on_ms in 40u64..120,
        off_ms in 40u64..120,
        level in -25.0f32..-3.0,
        twist in -8.0f32..4.0,
        lead in 0usize..200,
        frame in prop::sample::select(vec![1usize, 37, 80, 160, 441]),
    ) {
        // Keep both tones inside 0..-25 dBm0 and the sum below clipping.
        let low = level.min(-3.0 - twist.max(0.0));
        let low = if low + twist < -25.0 { -25.0 - twist } else { low };
        let config = DtmfGeneratorConfig {
            level: Dbm0(low),
            twist_db: twist,
            on: Duration::from_millis(on_ms),
            off: Duration::from_millis(off_ms),
            ..Default::default()
        };
        let x = play(config, &digits, lead);
        prop_assert_eq!(started(&detect_all(8000, &x, frame)), digits);
    }
}
