//! Fuzz the T.38 wire parsers: UDPTL, then every IFP inside it, in every
//! T.38 version; also the input as a bare IFP. Whatever parses must
//! re-emit and parse back to the same value. Seed corpus: fuzz/corpus/t38_ifp
//! (replayed by fxs-fax-t38/tests/fuzz_corpus.rs).

#![no_main]

use fxs_fax_t38::{ErrorRecovery, IfpPacket, T38Version, UdptlPacket};
use libfuzzer_sys::fuzz_target;

fn check_ifp(bytes: &[u8]) {
    for version in T38Version::ALL {
        if let Ok(packet) = IfpPacket::parse(bytes, version) {
            let emitted = packet.to_bytes(version).expect("a parsed IFP packet re-emits");
            assert_eq!(emitted.len(), packet.buffer_len(version).expect("length"));
            let again = IfpPacket::parse(&emitted, version).expect("re-emitted IFP parses");
            assert_eq!(again, packet);
        }
    }
}

fuzz_target!(|data: &[u8]| {
    check_ifp(data);
    if let Ok(packet) = UdptlPacket::parse(data) {
        let emitted = packet.to_bytes();
        assert_eq!(emitted.len(), packet.buffer_len());
        let again = UdptlPacket::parse(&emitted).expect("re-emitted UDPTL parses");
        assert_eq!(again, packet);
        check_ifp(&packet.primary);
        match &packet.error_recovery {
            ErrorRecovery::Redundancy(secondaries) => secondaries.iter().for_each(|s| check_ifp(s)),
            ErrorRecovery::Fec(fec) => fec.entries.iter().for_each(|e| check_ifp(e)),
        }
    }
});
