//! Replays the seed corpus of the `rtp_packet` fuzz target
//! (fuzz/fuzz_targets/rtp_packet.rs) on stable Rust: every file must run
//! through the same code without a panic.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fxs_media::{FRAME_SAMPLES, MediaConfig, MediaStream, rtp};

/// The body of the fuzz target, kept identical to it.
fn fuzz_one(data: &[u8]) {
    let Ok((header, payload)) = rtp::parse(data) else {
        return;
    };
    let mut rewritten = Vec::new();
    rtp::write(&header, payload, &mut rewritten);
    let (again, again_payload) = rtp::parse(&rewritten).expect("a written packet parses");
    assert_eq!(again, header);
    assert_eq!(again_payload, payload);

    for payload_type in [header.payload_type, 0] {
        let config = MediaConfig {
            payload_type,
            ..MediaConfig::default()
        };
        let mut stream = MediaStream::new(config).expect("valid configuration");
        let now = Instant::now();
        stream
            .handle_rtp(now, data)
            .expect("a packet that parses is accepted");
        stream
            .handle_rtp(now + Duration::from_millis(20), data)
            .expect("a packet that parses is accepted");
        let mut frame = [0i16; FRAME_SAMPLES];
        for _ in 0..10 {
            stream.poll_pcm(&mut frame);
        }
        let _ = stream.stats();
    }
}

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
        if rtp::parse(&data).is_ok() {
            parsed += 1;
        }
        fuzz_one(&data);
        files += 1;
    }
    assert!(files > 0, "no corpus files in {}", dir.display());
    // The seeds cover both valid and malformed packets.
    assert!(parsed > 0 && parsed < files, "{parsed} of {files} parse");
}
