//! Fuzz the FSK receivers and caller ID receivers with arbitrary samples
//! (the input read as 16-bit little-endian PCM). The checks live in
//! `fxs_tones::fuzzing::fsk_bytes`, which the stable test
//! fxs-tones/tests/fuzz_corpus.rs also runs over the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fxs_tones::fuzzing::fsk_bytes(data);
});
