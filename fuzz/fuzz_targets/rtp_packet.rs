//! Fuzz the RTP parser and the receive path of a MediaStream.
//!
//! The same body runs on stable Rust over the seed corpus in
//! fxs-media/tests/fuzz_corpus.rs; keep the two in step.

#![no_main]

use std::time::{Duration, Instant};

use fxs_media::{FRAME_SAMPLES, MediaConfig, MediaStream, rtp};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok((header, payload)) = rtp::parse(data) else {
        return;
    };
    // Writing what was parsed and parsing it again gives the same packet.
    let mut rewritten = Vec::new();
    rtp::write(&header, payload, &mut rewritten);
    let (again, again_payload) = rtp::parse(&rewritten).expect("a written packet parses");
    assert_eq!(again, header);
    assert_eq!(again_payload, payload);

    // A stream that expects this payload type plays it; the default one ignores it.
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
});
