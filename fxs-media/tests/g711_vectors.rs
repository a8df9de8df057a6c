//! G.711 against the reference vectors in tests/data (made with spandsp,
//! see shared/vectors/README.md): encoding input-8k.wav must reproduce the
//! .bin files octet for octet, and decoding the .bin files must reproduce the
//! .decoded.wav files sample for sample.

use std::path::PathBuf;

use fxs_media::g711;

fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read_wav(name: &str) -> Vec<i16> {
    let mut reader = hound::WavReader::open(data_path(name)).expect("open wav");
    let spec = reader.spec();
    assert_eq!((spec.channels, spec.sample_rate, spec.bits_per_sample), (1, 8000, 16));
    reader
        .samples::<i16>()
        .collect::<Result<_, _>>()
        .expect("read samples")
}

fn read_bin(name: &str) -> Vec<u8> {
    std::fs::read(data_path(name)).expect("read bin")
}

fn first_difference<T: PartialEq + Copy + std::fmt::Debug>(a: &[T], b: &[T]) -> Option<(usize, T, T)> {
    a.iter()
        .zip(b)
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map(|(i, (x, y))| (i, *x, *y))
}

fn check_law(
    encode: fn(&[i16], &mut [u8]) -> usize,
    decode: fn(&[u8], &mut [i16]) -> usize,
    bin: &str,
    decoded: &str,
) {
    let input = read_wav("input-8k.wav");
    let expected_codes = read_bin(bin);
    assert_eq!(input.len(), expected_codes.len());
    // Encode frame by frame, as the line delivers it.
    let mut codes = vec![0u8; input.len()];
    for (pcm, out) in input.chunks(80).zip(codes.chunks_mut(80)) {
        assert_eq!(encode(pcm, out), pcm.len());
    }
    assert_eq!(first_difference(&codes, &expected_codes), None, "{bin}: (index, ours, reference)");

    let expected_pcm = read_wav(decoded);
    let mut pcm = vec![0i16; expected_codes.len()];
    assert_eq!(decode(&expected_codes, &mut pcm), pcm.len());
    assert_eq!(first_difference(&pcm, &expected_pcm), None, "{decoded}: (index, ours, reference)");
    assert_eq!(pcm.len(), expected_pcm.len());
}

#[test]
fn ulaw_reproduces_reference_vectors() {
    check_law(g711::encode_ulaw, g711::decode_ulaw, "pcmu.bin", "pcmu.decoded.wav");
}

#[test]
fn alaw_reproduces_reference_vectors() {
    check_law(g711::encode_alaw, g711::decode_alaw, "pcma.bin", "pcma.decoded.wav");
}
