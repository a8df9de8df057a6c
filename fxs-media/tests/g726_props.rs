//! Property tests of G.726: packing round trips at every rate in both
//! packings, encoder/decoder agreement, and decoders that accept any octets.

use fxs_media::g726::{pack, unpack};
use fxs_media::{Codec, G726Decoder, G726Encoder, G726Packing, G726Rate};
use proptest::prelude::*;

const PACKINGS: [G726Packing; 2] = [G726Packing::Rfc3551, G726Packing::Aal2];

fn rate() -> impl Strategy<Value = G726Rate> {
    prop::sample::select(G726Rate::ALL.to_vec())
}

fn packing() -> impl Strategy<Value = G726Packing> {
    prop::sample::select(PACKINGS.to_vec())
}

proptest! {
    #[test]
    fn packing_then_unpacking_gives_the_code_words_back(
        rate in rate(),
        packing in packing(),
        codes in prop::collection::vec(any::<u8>(), 0..200),
    ) {
        let mask = (1u8 << rate.bits_per_sample()) - 1;
        let codes: Vec<u8> = codes.iter().map(|c| c & mask).collect();
        let mut payload = vec![0u8; rate.encoded_len(codes.len())];
        prop_assert_eq!(pack(rate, packing, &codes, &mut payload), payload.len());
        let mut back = vec![0u8; codes.len()];
        prop_assert_eq!(unpack(rate, packing, &payload, &mut back), codes.len());
        prop_assert_eq!(back, codes);
    }

    #[test]
    fn both_packings_carry_the_same_code_words(
        rate in rate(),
        pcm in prop::collection::vec(any::<i16>(), 0..240),
    ) {
        // Encoding with either packing and unpacking gives the same codes, and
        // decoding either payload gives the same samples.
        let len = rate.encoded_len(pcm.len());
        let mut payloads = [vec![0u8; len], vec![0u8; len]];
        let mut codes = [vec![0u8; pcm.len()], vec![0u8; pcm.len()]];
        let mut decoded = [vec![0i16; pcm.len()], vec![0i16; pcm.len()]];
        for (k, packing) in PACKINGS.into_iter().enumerate() {
            prop_assert_eq!(G726Encoder::new(rate, packing).encode(&pcm, &mut payloads[k]), len);
            prop_assert_eq!(unpack(rate, packing, &payloads[k], &mut codes[k]), pcm.len());
            prop_assert_eq!(G726Decoder::new(rate, packing).decode(&payloads[k], &mut decoded[k]), pcm.len());
        }
        prop_assert_eq!(&codes[0], &codes[1]);
        prop_assert_eq!(&decoded[0], &decoded[1]);
    }

    #[test]
    fn decoders_accept_any_octets_without_panicking(
        rate in rate(),
        packing in packing(),
        payload in prop::collection::vec(any::<u8>(), 0..300),
        out_len in 0usize..600,
    ) {
        let mut out = vec![0i16; out_len];
        let mut decoder = G726Decoder::new(rate, packing);
        let n = decoder.decode(&payload, &mut out);
        prop_assert_eq!(n, out_len.min(rate.samples_in(payload.len())));
        // The boxed decoder behaves the same.
        let mut boxed = Codec::G726 { rate, packing }.decoder();
        prop_assert_eq!(boxed.decode(&payload, &mut out), n);
    }
}

/// Signal-to-noise ratio in dB of `decoded` against `input`.
fn snr_db(input: &[i16], decoded: &[i16]) -> f64 {
    let (mut signal, mut noise) = (0.0f64, 0.0f64);
    for (&x, &y) in input.iter().zip(decoded) {
        signal += f64::from(x).powi(2);
        noise += (f64::from(x) - f64::from(y)).powi(2);
    }
    10.0 * (signal / noise.max(1.0)).log10()
}

#[test]
fn a_sine_survives_every_rate_with_the_expected_quality_ordering() {
    let pcm: Vec<i16> = (0..8000)
        .map(|n| (8000.0 * (2.0 * std::f64::consts::PI * 1020.0 * f64::from(n) / 8000.0).sin()) as i16)
        .collect();
    let mut last = f64::NEG_INFINITY;
    for rate in G726Rate::ALL {
        let mut payload = vec![0u8; rate.encoded_len(pcm.len())];
        let mut back = vec![0i16; pcm.len()];
        G726Encoder::new(rate, G726Packing::Rfc3551).encode(&pcm, &mut payload);
        G726Decoder::new(rate, G726Packing::Rfc3551).decode(&payload, &mut back);
        // Skip the first 100 ms while the quantizer adapts.
        let snr = snr_db(&pcm[800..], &back[800..]);
        assert!(snr > last, "{rate:?}: {snr:.1} dB not above {last:.1} dB");
        assert!(snr > 5.0, "{rate:?}: {snr:.1} dB");
        last = snr;
    }
    assert!(last > 25.0, "40 kbit/s: {last:.1} dB");
}
