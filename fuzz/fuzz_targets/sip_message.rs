//! Fuzz the SIP message parser (and the SDP parser on message bodies).
//! The checks live in `fxs_sip::fuzzing::sip_message`, which the stable test
//! fxs-sip/tests/fuzz_corpus.rs also runs over the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fxs_sip::fuzzing::sip_message(data);
});
