//! Once built, every codec's encoder and decoder runs frame after frame
//! without allocating (G.711, G.722, G.726 at every rate and packing).
//!
//! The counting allocator is in `tests/common`.

use fxs_media::{Codec, G722Decoder, G722Encoder, G722Mode, G726Decoder, G726Encoder};

mod common;

use common::allocations_in;

#[test]
fn encoding_and_decoding_frames_does_not_allocate() {
    for &codec in Codec::ALL {
        let mut encoder = codec.encoder();
        let mut decoder = codec.decoder();
        let pcm: Vec<i16> = (0..codec.samples_per_frame(20))
            .map(|n| ((n as i32 * 997) % 20000 - 10000) as i16)
            .collect();
        let mut payload = vec![0u8; codec.octets_per_frame(20)];
        let mut back = vec![0i16; pcm.len()];
        let allocations = allocations_in(|| {
            for _ in 0..50 {
                assert_eq!(encoder.encode(&pcm, &mut payload), payload.len());
                assert_eq!(decoder.decode(&payload, &mut back), pcm.len());
            }
        });
        assert_eq!(allocations, 0, "{codec}");
    }
}

#[test]
fn concrete_coders_and_lower_g722_modes_do_not_allocate() {
    let pcm = [1234i16; 320];
    let mut payload = [0u8; 160];
    let mut back = [0i16; 320];
    let mut g722 = G722Encoder::new();
    let mut decoders = [
        G722Decoder::with_mode(G722Mode::Mode1),
        G722Decoder::with_mode(G722Mode::Mode2),
        G722Decoder::with_mode(G722Mode::Mode3),
    ];
    let rate = fxs_media::G726Rate::Kbps40;
    let packing = fxs_media::G726Packing::Aal2;
    let mut g726_enc = G726Encoder::new(rate, packing);
    let mut g726_dec = G726Decoder::new(rate, packing);
    let allocations = allocations_in(|| {
        for _ in 0..20 {
            g722.encode(&pcm, &mut payload);
            for decoder in &mut decoders {
                decoder.decode(&payload, &mut back);
            }
            let n = g726_enc.encode(&pcm[..160], &mut payload);
            g726_dec.decode(&payload[..n], &mut back);
        }
        g722.reset();
        g726_enc.reset();
    });
    assert_eq!(allocations, 0);
}
