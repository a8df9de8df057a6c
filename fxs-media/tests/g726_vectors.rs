//! G.726 against the reference vectors in tests/data (spandsp 0.0.6, linear
//! input, see tests/data/README.md): encoding input-8k.wav reproduces every
//! .bin octet for octet and decoding every .bin reproduces its .decoded.wav
//! sample for sample, at all four rates and in both packings.

use std::path::PathBuf;

use fxs_media::{G726Decoder, G726Encoder, G726Packing, G726Rate};

fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read_wav(name: &str) -> Vec<i16> {
    let mut reader = hound::WavReader::open(data_path(name)).expect("open wav");
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.sample_rate, spec.bits_per_sample),
        (1, 8000, 16)
    );
    reader
        .samples::<i16>()
        .collect::<Result<_, _>>()
        .expect("read samples")
}

fn read_bin(name: &str) -> Vec<u8> {
    std::fs::read(data_path(name)).expect("read bin")
}

fn first_difference<T: PartialEq + Copy>(a: &[T], b: &[T]) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x != y)
}

const CASES: [(G726Rate, G726Packing, &str); 5] = [
    (G726Rate::Kbps16, G726Packing::Rfc3551, "g726-16"),
    (G726Rate::Kbps24, G726Packing::Rfc3551, "g726-24"),
    (G726Rate::Kbps32, G726Packing::Rfc3551, "g726-32"),
    (G726Rate::Kbps40, G726Packing::Rfc3551, "g726-40"),
    (G726Rate::Kbps32, G726Packing::Aal2, "aal2-g726-32"),
];

#[test]
fn encoder_reproduces_every_reference_bitstream_in_20ms_frames() {
    let input = read_wav("input-8k.wav");
    for (rate, packing, name) in CASES {
        let expected = read_bin(&format!("{name}.bin"));
        let mut encoder = G726Encoder::new(rate, packing);
        let mut out = Vec::with_capacity(expected.len());
        let mut frame = vec![0u8; rate.encoded_len(160)];
        for chunk in input.chunks(160) {
            let n = encoder.encode(chunk, &mut frame);
            assert_eq!(n, rate.encoded_len(chunk.len()));
            out.extend_from_slice(&frame[..n]);
        }
        assert_eq!(out.len(), expected.len(), "{name}: length");
        assert_eq!(
            first_difference(&out, &expected),
            None,
            "{name}: first differing octet"
        );
    }
}

#[test]
fn decoder_reproduces_every_reference_output_in_20ms_frames() {
    for (rate, packing, name) in CASES {
        let bitstream = read_bin(&format!("{name}.bin"));
        let expected = read_wav(&format!("{name}.decoded.wav"));
        let mut decoder = G726Decoder::new(rate, packing);
        let mut out = Vec::with_capacity(expected.len());
        let mut frame = [0i16; 160];
        for payload in bitstream.chunks(rate.encoded_len(160)) {
            let n = decoder.decode(payload, &mut frame);
            out.extend_from_slice(&frame[..n]);
        }
        assert_eq!(out.len(), expected.len(), "{name}: length");
        assert_eq!(
            first_difference(&out, &expected),
            None,
            "{name}: first differing sample"
        );
    }
}

#[test]
fn whole_file_in_one_call_gives_the_same_bitstream() {
    let input = read_wav("input-8k.wav");
    let expected = read_bin("g726-24.bin");
    let mut out = vec![0u8; expected.len()];
    let n = G726Encoder::new(G726Rate::Kbps24, G726Packing::Rfc3551).encode(&input, &mut out);
    assert_eq!(n, expected.len());
    assert_eq!(first_difference(&out, &expected), None);
}
