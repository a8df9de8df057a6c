//! Replays the seed corpora of the fxs-media fuzz targets
//! (fuzz/fuzz_targets/{rtp_packet,rtcp_packet,telephone_event,comfort_noise}.rs)
//! on stable Rust, through the same checks (`fxs_media::fuzzing::*`): every
//! file must run without a panic.

use std::path::PathBuf;

/// Runs every file of `fuzz/corpus/<target>` through `check`; returns
/// (files, files that parsed).
fn replay(target: &str, check: fn(&[u8]) -> Result<(), fxs_media::Error>) -> (usize, usize) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files = 0;
    let mut parsed = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus directory exists") {
        let path = entry.expect("directory entry").path();
        if !path.is_file() {
            continue;
        }
        let data = std::fs::read(&path).expect("corpus file is readable");
        if check(&data).is_ok() {
            parsed += 1;
        }
        files += 1;
    }
    assert!(files > 0, "no corpus files in {}", dir.display());
    (files, parsed)
}

#[test]
fn every_rtp_packet_corpus_file_runs_without_panic() {
    let (files, parsed) = replay("rtp_packet", fxs_media::fuzzing::rtp_packet);
    // The seeds cover both valid and malformed packets.
    assert!(parsed > 0 && parsed < files, "{parsed} of {files} parse");
}

#[test]
fn every_rtcp_packet_corpus_file_runs_without_panic() {
    let (files, parsed) = replay("rtcp_packet", fxs_media::fuzzing::rtcp_packet);
    assert!(parsed > 0 && parsed < files, "{parsed} of {files} parse");
}

#[test]
fn every_telephone_event_corpus_file_runs_without_panic() {
    let (files, parsed) = replay("telephone_event", fxs_media::fuzzing::telephone_event);
    assert!(parsed > 0 && parsed < files, "{parsed} of {files} parse");
}

#[test]
fn every_comfort_noise_corpus_file_runs_without_panic() {
    let (files, parsed) = replay("comfort_noise", fxs_media::fuzzing::comfort_noise);
    assert!(parsed > 0 && parsed < files, "{parsed} of {files} parse");
}
