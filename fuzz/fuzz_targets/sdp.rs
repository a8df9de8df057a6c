//! Fuzz target `sdp`. The checks live in `fxs_sip::fuzzing::sdp`, which the
//! stable test fxs-sip/tests/fuzz_corpus.rs also runs over the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fxs_sip::fuzzing::sdp(data);
});
