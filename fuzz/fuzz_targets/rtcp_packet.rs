//! Fuzz the RTCP compound parser/builder and a stream's RTCP receive path.
//! The checks live in `fxs_media::fuzzing::rtcp_packet`, which the stable test
//! fxs-media/tests/fuzz_corpus.rs also runs over the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fxs_media::fuzzing::rtcp_packet(data);
});
