//! Fuzz the RFC 4733 telephone-event payload parser, the event receiver and a stream's event path.
//! The checks live in `fxs_media::fuzzing::telephone_event`, which the stable test
//! fxs-media/tests/fuzz_corpus.rs also runs over the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fxs_media::fuzzing::telephone_event(data);
});
