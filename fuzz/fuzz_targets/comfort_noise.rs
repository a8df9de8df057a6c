//! Fuzz the RFC 3389 comfort-noise payload parser, the CN generator and a stream's CN path.
//! The checks live in `fxs_media::fuzzing::comfort_noise`, which the stable test
//! fxs-media/tests/fuzz_corpus.rs also runs over the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fxs_media::fuzzing::comfort_noise(data);
});
