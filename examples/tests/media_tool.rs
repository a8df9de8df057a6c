//! `media encode` / `media decode` through their library side
//! (`fxs_examples::tools::media`): each codec encodes the reference input
//! into the reference bitstream and decodes that into the reference output.

use std::path::{Path, PathBuf};

use clap::ValueEnum;
use fxs_examples::tools::media::{MediaToolError, ToolCodec, decode_file, encode_file};

fn vector(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fxs-media/tests/data")
        .join(name)
}

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("fxs-media-tool-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("create scratch dir");
    dir
}

fn wav_samples(path: &Path) -> (u32, Vec<i16>) {
    let mut reader = hound::WavReader::open(path).expect("open wav");
    let rate = reader.spec().sample_rate;
    (
        rate,
        reader
            .samples::<i16>()
            .collect::<Result<_, _>>()
            .expect("samples"),
    )
}

#[test]
fn every_codec_reproduces_the_reference_vectors() {
    let dir = scratch("vectors");
    for &codec in ToolCodec::value_variants() {
        let name = codec.name();
        let input = vector(if codec == ToolCodec::G722 {
            "input-16k.wav"
        } else {
            "input-8k.wav"
        });
        let bin = dir.join(format!("{name}.bin"));
        let summary = encode_file(codec, &input, &bin).expect("encode");
        let ours = std::fs::read(&bin).expect("read ours");
        let reference = std::fs::read(vector(&format!("{name}.bin"))).expect("read reference");
        assert_eq!(ours.len(), reference.len(), "{name}");
        assert_eq!(summary.octets, reference.len(), "{name}");
        let differing = ours.iter().zip(&reference).filter(|(a, b)| a != b).count();
        if codec == ToolCodec::Pcmu {
            // spandsp's µ-law encoder rounds some negative samples to the
            // neighbouring step (see fxs-media/tests/g711_vectors.rs).
            assert!(differing < ours.len() / 20, "{name}: {differing} octets differ");
        } else {
            assert_eq!(differing, 0, "{name}: octets differ");
        }

        // Decode the reference bitstream: sample for sample the reference output.
        let wav = dir.join(format!("{name}.wav"));
        decode_file(codec, &vector(&format!("{name}.bin")), &wav).expect("decode");
        let (rate, decoded) = wav_samples(&wav);
        let (ref_rate, expected) = wav_samples(&vector(&format!("{name}.decoded.wav")));
        assert_eq!(rate, ref_rate, "{name}");
        assert_eq!(decoded, expected, "{name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_16_khz_wav_given_to_pcmu_is_refused_naming_the_file_and_rate() {
    let dir = scratch("wrong-rate");
    let input = vector("input-16k.wav");
    let err = encode_file(ToolCodec::Pcmu, &input, &dir.join("out.bin")).unwrap_err();
    assert!(
        matches!(err, MediaToolError::WrongFormat { rate: 8000, .. }),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("input-16k.wav"), "{text}");
    assert!(
        text.contains("16000 Hz") && text.contains("--codec pcmu"),
        "{text}"
    );
    assert!(!dir.join("out.bin").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_and_unwritable_files_are_named_in_the_error() {
    let dir = scratch("missing");
    let missing = dir.join("nope.wav");
    let err = encode_file(ToolCodec::G722, &missing, &dir.join("x.bin")).unwrap_err();
    assert!(
        matches!(err, MediaToolError::ReadWav { .. }) && err.to_string().contains("nope.wav"),
        "{err}"
    );
    let err = decode_file(ToolCodec::G726_32, &dir.join("nope.bin"), &dir.join("x.wav")).unwrap_err();
    assert!(
        matches!(err, MediaToolError::ReadBin { .. }) && err.to_string().contains("nope.bin"),
        "{err}"
    );
    let unwritable = dir.join("no-such-dir").join("out.wav");
    let err = decode_file(ToolCodec::Pcma, &vector("pcma.bin"), &unwritable).unwrap_err();
    assert!(
        matches!(err, MediaToolError::WriteWav { .. }) && err.to_string().contains("out.wav"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_file_that_is_not_a_wav_is_an_error_not_a_panic() {
    let dir = scratch("garbage");
    let garbage = dir.join("garbage.wav");
    std::fs::write(&garbage, b"RIFF\x04\x00\x00\x00WAVEjunk").expect("write");
    let err = encode_file(ToolCodec::G726_16, &garbage, &dir.join("x.bin")).unwrap_err();
    assert!(err.to_string().contains("garbage.wav"), "{err}");
    // Odd-length and arbitrary payloads decode without panicking.
    let bin = dir.join("odd.bin");
    std::fs::write(&bin, [0x55u8, 0xAA, 0x01]).expect("write");
    for &codec in ToolCodec::value_variants() {
        decode_file(codec, &bin, &dir.join("odd.wav")).expect("decode odd payload");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
