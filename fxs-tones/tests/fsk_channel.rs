//! FSK receiver across the line conditions of callerid.md: levels,
//! frequency and bit-rate tolerance, white noise. Zero octet errors.
//!
//! Conditions (callerid.md §2.1, §4.1): mark/space ±1 % (Bell 202 states
//! 1200 ± 12 Hz and 2200 ± 22 Hz), bit rate ±1 %. The spec gives only the
//! nominal send level (-13.5 dBm, tolerance illegible), so we test from
//! 0 dBm0 down to -40 dBm0 (nominal minus more than 26 dB of loop loss).
//! It gives no SNR, so white noise is added at 20 dB below the signal.

use fxs_tones::{Dbm0, FskEvent, FskModem, FskReceiver};

/// A phase-continuous FSK modulator with adjustable frequencies and bit
/// rate, independent of the library's transmitter.
fn modulate(
    mark: f64,
    space: f64,
    baud: f64,
    level: f32,
    octets: &[u8],
    noise_db: Option<f32>,
    seed: u64,
) -> Vec<i16> {
    let mut bits = vec![true; 40];
    for &b in octets {
        bits.push(false);
        bits.extend((0..8).map(|k| (b >> k) & 1 == 1));
        bits.push(true);
    }
    bits.extend([true; 10]);
    let amp = f64::from(Dbm0(level).amplitude());
    let samples_per_bit = 8000.0 / baud;
    let n = (bits.len() as f64 * samples_per_bit) as usize;
    let mut phase = 0.3f64;
    let mut rng = seed.max(1);
    let mut uniform = || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let noise_rms = noise_db.map(|db| amp / 2f64.sqrt() * 10f64.powf(-f64::from(db) / 20.0));
    let mut out = vec![0i16; n + 400];
    for (i, s) in out[200..200 + n].iter_mut().enumerate() {
        let bit = bits[((i as f64) / samples_per_bit) as usize];
        let f = if bit { mark } else { space };
        let mut v = amp * phase.sin();
        phase += 2.0 * std::f64::consts::PI * f / 8000.0;
        if let Some(rms) = noise_rms {
            // Box-Muller Gaussian noise.
            let (u1, u2) = (uniform().max(1e-12), uniform());
            v += rms * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos();
        }
        *s = v.round().clamp(-32768.0, 32767.0) as i16;
    }
    out
}

fn receive(modem: FskModem, samples: &[i16]) -> (Vec<u8>, u32) {
    let mut rx = FskReceiver::new(modem);
    let (mut got, mut errors) = (Vec::new(), 0);
    for frame in samples.chunks(80) {
        rx.process(frame, |e| match e {
            FskEvent::Octet(b) => got.push(b),
            FskEvent::FramingError => errors += 1,
            _ => {}
        });
    }
    (got, errors)
}

fn payload() -> Vec<u8> {
    (0..=255u8).step_by(3).chain([0x00, 0xFF, 0x55, 0xAA]).collect()
}

fn check(modem: FskModem, level: f32, dev: f64, baud_dev: f64, noise: Option<f32>) {
    let data = payload();
    let samples = modulate(
        f64::from(modem.mark_hz()) * (1.0 + dev),
        f64::from(modem.space_hz()) * (1.0 + dev),
        1200.0 * (1.0 + baud_dev),
        level,
        &data,
        noise,
        (level.abs() * 1000.0) as u64 + 7,
    );
    let (got, errors) = receive(modem, &samples);
    assert_eq!(
        errors, 0,
        "{modem:?} level {level} dev {dev} baud {baud_dev} noise {noise:?}"
    );
    assert_eq!(
        got, data,
        "{modem:?} level {level} dev {dev} baud {baud_dev} noise {noise:?}"
    );
}

#[test]
fn bell202_decodes_without_errors_across_level_frequency_and_rate_tolerance() {
    for level in [0.0, -13.5, -40.0] {
        for dev in [-0.01, 0.0, 0.01] {
            for baud in [-0.01, 0.01] {
                check(FskModem::Bell202, level, dev, baud, None);
            }
        }
    }
}

#[test]
fn v23_decodes_without_errors_across_level_frequency_and_rate_tolerance() {
    for level in [0.0, -13.5, -40.0] {
        for dev in [-0.01, 0.0, 0.01] {
            for baud in [-0.01, 0.01] {
                check(FskModem::V23, level, dev, baud, None);
            }
        }
    }
}

#[test]
fn both_modems_decode_with_white_noise_at_20_db_snr() {
    for modem in [FskModem::Bell202, FskModem::V23] {
        for level in [-13.5, -40.0] {
            for dev in [-0.01, 0.01] {
                check(modem, level, dev, 0.0, Some(20.0));
            }
        }
    }
}

#[test]
fn noise_alone_produces_no_valid_looking_stream_of_octets() {
    let samples = modulate(1200.0, 2200.0, 1200.0, -60.0, &[], Some(-20.0), 99);
    // -60 dBm0 "signal" with noise 20 dB above it (-40 dBm0): the receiver
    // may see a carrier but nothing framed as a long message.
    let (got, _) = receive(FskModem::Bell202, &samples);
    assert!(got.len() < 20, "{} octets from noise", got.len());
}

mod roundtrip {
    use fxs_tones::{Dbm0, FskEvent, FskFraming, FskModem, FskReceiver, FskTransmitter};
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

        /// Any octets, any level in the tested range (0 to -40 dBm0), either
        /// modem, any frame size: the library's transmitter into its receiver.
        #[test]
        fn octets_survive_transmitter_and_receiver(
            data in proptest::collection::vec(any::<u8>(), 1..40),
            level in -40.0f32..0.0,
            v23 in any::<bool>(),
            frame in 1usize..200,
        ) {
            let modem = if v23 { FskModem::V23 } else { FskModem::Bell202 };
            let mut tx = FskTransmitter::new(modem, Dbm0(level)).unwrap();
            let framing = FskFraming { seizure_bits: 0, mark_bits: 30, stop_bits: 1, postamble_bits: 3 };
            tx.load(framing, &data).unwrap();
            let mut line = vec![0i16; tx.total_samples() + 200];
            tx.generate(&mut line[100..]);
            let mut rx = FskReceiver::new(modem);
            let (mut got, mut errors) = (Vec::new(), 0);
            for chunk in line.chunks(frame) {
                rx.process(chunk, |e| match e {
                    FskEvent::Octet(b) => got.push(b),
                    FskEvent::FramingError => errors += 1,
                    _ => {}
                });
            }
            prop_assert_eq!(errors, 0);
            prop_assert_eq!(got, data);
        }
    }
}

/// Quality report, not a pass/fail gate beyond 20 dB: octet errors of
/// both modems over 200 payload octets per point, at -13.5 dBm0 with
/// ±1 % frequency offset, as the noise rises. Run with
/// `cargo test -p fxs-tones --test fsk_channel -- --ignored --nocapture`.
#[test]
#[ignore = "quality report; run explicitly"]
fn snr_margin_report() {
    let data: Vec<u8> = (0..200u32).map(|i| (i * 97 % 251) as u8).collect();
    for modem in [FskModem::Bell202, FskModem::V23] {
        for snr in [20.0f32, 15.0, 12.0, 10.0, 8.0, 6.0] {
            let mut errors = 0usize;
            for (seed, dev) in [(1u64, -0.01), (2, 0.01), (3, 0.0), (4, 0.005)] {
                let samples = modulate(
                    f64::from(modem.mark_hz()) * (1.0 + dev),
                    f64::from(modem.space_hz()) * (1.0 + dev),
                    1200.0,
                    -13.5,
                    &data,
                    Some(snr),
                    seed,
                );
                let (got, framing) = receive(modem, &samples);
                let wrong = got.iter().zip(&data).filter(|(a, b)| a != b).count();
                errors += wrong + data.len().abs_diff(got.len()) + framing as usize;
            }
            println!("{modem:?} SNR {snr:>4} dB: {errors} octet errors in 800");
            if snr >= 20.0 {
                assert_eq!(errors, 0);
            }
        }
    }
}
