//! Fuzz the T.38 wire parsers: UDPTL, then every IFP inside it, in every
//! T.38 version; also the input as a bare IFP. The checks live in
//! `fxs_fax_t38::fuzzing::t38_ifp`, which the stable test
//! fxs-fax-t38/tests/fuzz_corpus.rs also runs over the corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = fxs_fax_t38::fuzzing::t38_ifp(data);
});
