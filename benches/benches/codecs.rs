//! Codec throughput, encode + decode, over the first second of the reference
//! vector inputs (fxs-media/tests/data/input-{8k,16k}.wav) in 20 ms frames:
//! G.711 µ-law and A-law, G.722 at 64 kbit/s, G.726 at every rate.
//! Criterion reports elements/s = input samples per second.
//!
//! With the `spandsp` feature, group `codecs_spandsp` runs spandsp 0.0.6's
//! `g711_encode`/`g711_decode`, `g722_encode`/`g722_decode` and
//! `g726_encode`/`g726_decode` on the same samples and frames, after checking
//! that both produce the same octets and samples:
//!
//! ```text
//! cargo bench -p fxs-benches --bench codecs -- --warm-up-time 1 --measurement-time 3
//! cargo bench -p fxs-benches --features spandsp --bench codecs -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fxs_media::{Codec, G726Rate};

/// 20 ms frames, as a call sends them.
const FRAME_MS: u32 = 20;

/// The samples of one of the reference inputs (16-bit mono PCM WAV): the
/// payload of its `data` chunk.
fn vector_input(name: &str, seconds: usize, rate: usize) -> Vec<i16> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fxs-media/tests/data")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let data = bytes
        .windows(4)
        .position(|w| w == b"data")
        .map(|at| &bytes[at + 8..])
        .unwrap_or_else(|| panic!("{}: no data chunk", path.display()));
    data.chunks_exact(2)
        .take(seconds * rate)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// Encodes and decodes `pcm` in frames through the boxed fxs-media coders.
fn run_ours(codec: Codec, pcm: &[i16], payload: &mut [u8], out: &mut [i16]) -> i32 {
    let mut encoder = codec.encoder();
    let mut decoder = codec.decoder();
    let frame = codec.samples_per_frame(FRAME_MS);
    let mut sum = 0i32;
    for chunk in pcm.chunks_exact(frame) {
        let n = encoder.encode(black_box(chunk), payload);
        let m = decoder.decode(black_box(&payload[..n]), out);
        sum = sum.wrapping_add(i32::from(out[m - 1]));
    }
    sum
}

fn cases() -> Vec<(&'static str, Codec)> {
    vec![
        ("g711_ulaw", Codec::Pcmu),
        ("g711_alaw", Codec::Pcma),
        ("g722_64k", Codec::G722),
        ("g726_16", Codec::g726(G726Rate::Kbps16)),
        ("g726_24", Codec::g726(G726Rate::Kbps24)),
        ("g726_32", Codec::g726(G726Rate::Kbps32)),
        ("g726_40", Codec::g726(G726Rate::Kbps40)),
    ]
}

fn input_for(codec: Codec) -> Vec<i16> {
    if codec.sample_rate() == 16_000 {
        vector_input("input-16k.wav", 1, 16_000)
    } else {
        vector_input("input-8k.wav", 1, 8000)
    }
}

fn bench_ours(c: &mut Criterion) {
    let mut group = c.benchmark_group("codecs");
    for (name, codec) in cases() {
        let pcm = input_for(codec);
        group.throughput(Throughput::Elements(pcm.len() as u64));
        let mut payload = vec![0u8; codec.octets_per_frame(FRAME_MS)];
        let mut out = vec![0i16; codec.samples_per_frame(FRAME_MS)];
        group.bench_function(format!("{name}_encode_decode_1s_20ms_frames"), |b| {
            b.iter(|| run_ours(codec, &pcm, &mut payload, &mut out));
        });
    }
    group.finish();
}

#[cfg(feature = "spandsp")]
mod side_by_side {
    use super::*;
    use fxs_benches::spandsp::codecs::{Law, SpandspG711, SpandspG722, SpandspG726};

    /// One spandsp coder pair, fed frame by frame like ours.
    enum Theirs {
        G711(SpandspG711, SpandspG711),
        G722(SpandspG722),
        G726(SpandspG726),
    }

    impl Theirs {
        fn new(codec: Codec) -> Theirs {
            let built = match codec {
                Codec::Pcmu => SpandspG711::new(Law::Mu)
                    .zip(SpandspG711::new(Law::Mu))
                    .map(|(e, d)| Theirs::G711(e, d)),
                Codec::Pcma => SpandspG711::new(Law::A)
                    .zip(SpandspG711::new(Law::A))
                    .map(|(e, d)| Theirs::G711(e, d)),
                Codec::G722 => SpandspG722::new().map(Theirs::G722),
                Codec::G726 { rate, .. } => SpandspG726::new(rate.bit_rate()).map(Theirs::G726),
                other => panic!("no spandsp counterpart for {other}"),
            };
            built.expect("spandsp allocation")
        }

        fn frame(&mut self, pcm: &[i16], payload: &mut [u8], out: &mut [i16]) -> (usize, usize) {
            match self {
                Theirs::G711(enc, dec) => {
                    let n = enc.encode(pcm, payload);
                    (n, dec.decode(&payload[..n], out))
                }
                Theirs::G722(pair) => {
                    let n = pair.encode(pcm, payload);
                    (n, pair.decode(&payload[..n], out))
                }
                Theirs::G726(pair) => {
                    let n = pair.encode(pcm, payload);
                    (n, pair.decode(&payload[..n], out))
                }
            }
        }
    }

    fn run_theirs(codec: Codec, pcm: &[i16], payload: &mut [u8], out: &mut [i16]) -> i32 {
        let mut theirs = Theirs::new(codec);
        let frame = codec.samples_per_frame(FRAME_MS);
        let mut sum = 0i32;
        for chunk in pcm.chunks_exact(frame) {
            let (_, m) = theirs.frame(black_box(chunk), payload, out);
            sum = sum.wrapping_add(i32::from(out[m - 1]));
        }
        sum
    }

    /// Both sides give the same octets (µ-law: see the note in
    /// fxs-media/tests/g711_vectors.rs) and the same decoded samples.
    fn check_same_output(name: &str, codec: Codec, pcm: &[i16]) {
        let frame = codec.samples_per_frame(FRAME_MS);
        let (mut p1, mut p2) = (
            vec![0u8; codec.octets_per_frame(FRAME_MS)],
            vec![0u8; codec.octets_per_frame(FRAME_MS)],
        );
        let (mut o1, mut o2) = (vec![0i16; frame], vec![0i16; frame]);
        let (mut enc, mut dec) = (codec.encoder(), codec.decoder());
        let mut theirs = Theirs::new(codec);
        let mut differing_octets = 0;
        for chunk in pcm.chunks_exact(frame) {
            let n = enc.encode(chunk, &mut p1);
            let (n2, _) = theirs.frame(chunk, &mut p2, &mut o2);
            assert_eq!(n, n2, "{name}: payload length");
            differing_octets += p1[..n].iter().zip(&p2[..n]).filter(|(a, b)| a != b).count();
            // Decode their payload with ours so the samples are comparable.
            let m = dec.decode(&p2[..n], &mut o1);
            assert_eq!(&o1[..m], &o2[..m], "{name}: decoded samples differ");
        }
        if codec != Codec::Pcmu {
            assert_eq!(differing_octets, 0, "{name}: octets differ");
        }
    }

    pub fn bench_spandsp(c: &mut Criterion) {
        let mut group = c.benchmark_group("codecs_spandsp");
        for (name, codec) in cases() {
            let pcm = input_for(codec);
            check_same_output(name, codec, &pcm);
            group.throughput(Throughput::Elements(pcm.len() as u64));
            let mut payload = vec![0u8; codec.octets_per_frame(FRAME_MS)];
            let mut out = vec![0i16; codec.samples_per_frame(FRAME_MS)];
            group.bench_function(format!("{name}_encode_decode_1s_20ms_frames"), |b| {
                b.iter(|| run_theirs(codec, &pcm, &mut payload, &mut out));
            });
        }
        group.finish();
    }
}

#[cfg(feature = "spandsp")]
criterion_group!(benches, bench_ours, side_by_side::bench_spandsp);
#[cfg(not(feature = "spandsp"))]
criterion_group!(benches, bench_ours);
criterion_main!(benches);
