//! Replays the seed corpus of the `rtp_packet` fuzz target
//! (fuzz/fuzz_targets/rtp_packet.rs) on stable Rust, through the same checks
//! (`fxs_media::fuzzing::rtp_packet`): every file must run without a panic.

use std::path::PathBuf;

#[test]
fn every_rtp_packet_corpus_file_runs_without_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/rtp_packet");
    let mut files = 0;
    let mut parsed = 0;
    for entry in std::fs::read_dir(&dir).expect("corpus directory exists") {
        let path = entry.expect("directory entry").path();
        if !path.is_file() {
            continue;
        }
        let data = std::fs::read(&path).expect("corpus file is readable");
        if fxs_media::fuzzing::rtp_packet(&data).is_ok() {
            parsed += 1;
        }
        files += 1;
    }
    assert!(files > 0, "no corpus files in {}", dir.display());
    // The seeds cover both valid and malformed packets.
    assert!(parsed > 0 && parsed < files, "{parsed} of {files} parse");
}
