//! Fuzz every caller ID decoder (Telcordia/ETSI FSK octets, DTMF strings,
//! NTT frames) with raw bytes. The checks live in
//! `fxs_tones::fuzzing::callerid_decode`, which the stable test
//! fxs-tones/tests/fuzz_corpus.rs also runs over the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fxs_tones::fuzzing::callerid_decode(data);
});
