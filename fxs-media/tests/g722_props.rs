//! Property tests of G.722: encode then decode keeps a sine clean, and the
//! decoders accept any octets in every mode.

use fxs_media::{Codec, G722Decoder, G722Encoder, G722Mode};
use proptest::prelude::*;

/// The encoder and decoder QMFs together delay the signal by 22 samples.
const CODEC_DELAY: usize = 22;

fn sine(freq: f64, amplitude: f64, len: usize) -> Vec<i16> {
    (0..len)
        .map(|n| (amplitude * (2.0 * std::f64::consts::PI * freq * n as f64 / 16000.0).sin()) as i16)
        .collect()
}

/// SNR in dB of the decoded signal against the input delayed by the codec.
fn snr_db(input: &[i16], decoded: &[i16], skip: usize) -> f64 {
    let (mut signal, mut noise) = (0.0f64, 0.0f64);
    for (&x, &y) in input[skip..].iter().zip(&decoded[skip + CODEC_DELAY..]) {
        signal += f64::from(x).powi(2);
        noise += (f64::from(x) - f64::from(y)).powi(2);
    }
    10.0 * (signal / noise.max(1.0)).log10()
}

fn round_trip(pcm: &[i16], mode: G722Mode) -> Vec<i16> {
    let mut encoder = G722Encoder::new();
    let mut decoder = G722Decoder::with_mode(mode);
    let mut payload = [0u8; 160];
    let mut frame = [0i16; 320];
    let mut out = Vec::with_capacity(pcm.len());
    for chunk in pcm.chunks(320) {
        let n = encoder.encode(chunk, &mut payload);
        let m = decoder.decode(&payload[..n], &mut frame);
        out.extend_from_slice(&frame[..m]);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn encode_then_decode_keeps_a_lower_band_sine_above_30_db_snr(
        freq in 100.0f64..3500.0,
        amplitude in 1000.0f64..20000.0,
    ) {
        let pcm = sine(freq, amplitude, 4800);
        let out = round_trip(&pcm, G722Mode::Mode1);
        let snr = snr_db(&pcm, &out, 1600);
        prop_assert!(snr > 30.0, "{freq:.0} Hz at {amplitude:.0}: {snr:.1} dB");
    }

    #[test]
    fn encode_then_decode_keeps_an_upper_band_sine_above_15_db_snr(
        freq in 4500.0f64..7000.0,
        amplitude in 1000.0f64..20000.0,
    ) {
        // The upper band has 2-bit ADPCM only.
        let pcm = sine(freq, amplitude, 4800);
        let out = round_trip(&pcm, G722Mode::Mode1);
        let snr = snr_db(&pcm, &out, 1600);
        prop_assert!(snr > 15.0, "{freq:.0} Hz at {amplitude:.0}: {snr:.1} dB");
    }

    #[test]
    fn decoders_accept_any_octets_without_panicking(
        payload in prop::collection::vec(any::<u8>(), 0..400),
        out_len in 0usize..900,
    ) {
        for mode in [G722Mode::Mode1, G722Mode::Mode2, G722Mode::Mode3] {
            let mut out = vec![0i16; out_len];
            let n = G722Decoder::with_mode(mode).decode(&payload, &mut out);
            prop_assert_eq!(n, payload.len().min(out_len / 2) * 2);
        }
        let mut out = vec![0i16; out_len];
        prop_assert_eq!(Codec::G722.decoder().decode(&payload, &mut out), payload.len().min(out_len / 2) * 2);
    }
}

#[test]
fn lower_modes_lose_a_little_quality_but_keep_the_signal() {
    let pcm = sine(1000.0, 10000.0, 8000);
    let snrs: Vec<f64> = [G722Mode::Mode1, G722Mode::Mode2, G722Mode::Mode3]
        .into_iter()
        .map(|mode| snr_db(&pcm, &round_trip(&pcm, mode), 1600))
        .collect();
    assert!(snrs[0] > snrs[1] && snrs[1] > snrs[2], "{snrs:?}");
    assert!(snrs[2] > 15.0, "{snrs:?}");
}
