//! Entry points of the fuzz targets in `fuzz/`. Public (and hidden from the
//! docs) so that the normal test suite replays each corpus through exactly the
//! code the fuzzer runs. Not a stable API.

use crate::{Error, ErrorRecovery, IfpPacket, T38Version, UdptlPacket};

/// Parse `bytes` as an IFP packet in every T.38 version; whatever parses must
/// re-emit (with the length it announced) and parse back to the same packet.
/// Returns how many versions accepted it.
pub fn ifp_packet(bytes: &[u8]) -> usize {
    let mut accepted = 0;
    for version in T38Version::ALL {
        if let Ok(packet) = IfpPacket::parse(bytes, version) {
            let emitted = packet.to_bytes(version).expect("a parsed IFP packet re-emits");
            assert_eq!(Ok(emitted.len()), packet.buffer_len(version));
            let again = IfpPacket::parse(&emitted, version).expect("re-emitted IFP parses");
            assert_eq!(again, packet);
            accepted += 1;
        }
    }
    accepted
}

/// The `t38_ifp` target: the input as a bare IFP packet ([`ifp_packet`]),
/// then as a UDPTL packet, which must re-emit and parse back to itself, with
/// every IFP inside it checked likewise. Panics only if one of those
/// properties is broken. Returns the UDPTL parse result.
pub fn t38_ifp(data: &[u8]) -> Result<UdptlPacket, Error> {
    ifp_packet(data);
    let packet = UdptlPacket::parse(data)?;
    let emitted = packet.to_bytes();
    assert_eq!(emitted.len(), packet.buffer_len());
    let again = UdptlPacket::parse(&emitted).expect("re-emitted UDPTL parses");
    assert_eq!(again, packet);
    ifp_packet(&packet.primary);
    match &packet.error_recovery {
        ErrorRecovery::Redundancy(secondaries) => secondaries.iter().for_each(|s| {
            ifp_packet(s);
        }),
        ErrorRecovery::Fec(fec) => fec.entries.iter().for_each(|e| {
            ifp_packet(e);
        }),
    }
    Ok(packet)
}
