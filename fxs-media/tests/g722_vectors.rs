//! G.722 against the reference vectors in tests/data (spandsp 0.0.6, see
//! tests/data/README.md): encoding input-16k.wav reproduces g722.bin octet
//! for octet, and decoding g722.bin reproduces g722.decoded.wav (mode 1) and
//! the mode 2 and mode 3 outputs sample for sample.

use std::path::PathBuf;

use fxs_media::{G722Decoder, G722Encoder, G722Mode};

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
        (1, 16000, 16)
    );
    reader
        .samples::<i16>()
        .collect::<Result<_, _>>()
        .expect("read samples")
}

fn first_difference<T: PartialEq + Copy>(a: &[T], b: &[T]) -> Option<usize> {
    a.iter().zip(b).position(|(x, y)| x != y)
}

#[test]
fn encoder_reproduces_the_reference_bitstream_in_20ms_frames() {
    let input = read_wav("input-16k.wav");
    let expected = std::fs::read(data_path("g722.bin")).expect("read bin");
    let mut encoder = G722Encoder::new();
    let mut out = Vec::with_capacity(expected.len());
    let mut frame = [0u8; 160];
    for chunk in input.chunks(320) {
        let n = encoder.encode(chunk, &mut frame);
        assert_eq!(n, chunk.len() / 2);
        out.extend_from_slice(&frame[..n]);
    }
    assert_eq!(out.len(), expected.len());
    assert_eq!(first_difference(&out, &expected), None, "first differing octet");
}

#[test]
fn decoder_reproduces_the_reference_output_in_every_mode() {
    let bitstream = std::fs::read(data_path("g722.bin")).expect("read bin");
    for (mode, name) in [
        (G722Mode::Mode1, "g722.decoded.wav"),
        (G722Mode::Mode2, "g722-56.decoded.wav"),
        (G722Mode::Mode3, "g722-48.decoded.wav"),
    ] {
        let expected = read_wav(name);
        let mut decoder = G722Decoder::with_mode(mode);
        let mut out = Vec::with_capacity(expected.len());
        let mut frame = [0i16; 320];
        for payload in bitstream.chunks(160) {
            let n = decoder.decode(payload, &mut frame);
            assert_eq!(n, payload.len() * 2);
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
