//! Fuzz the RTP parser and the receive path of a MediaStream.
//! The checks live in `fxs_media::fuzzing::rtp_packet`, which the stable test
//! fxs-media/tests/fuzz_corpus.rs also runs over the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fxs_media::fuzzing::rtp_packet(data);
});
