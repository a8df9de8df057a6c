//! UDPTL: the T.38 transport over UDP (fax-t38.md §6), parse and emit.
//!
//! ```text
//! UDPTLPacket ::= SEQUENCE {
//!   seq-number          INTEGER (0..65535),            -- 2 octets
//!   primary-ifp-packet  open type (IFPPacket),         -- PER length + octets
//!   error-recovery      CHOICE {                       -- 1 bit, padded: 0x00 / 0x80
//!     secondary-ifp-packets SEQUENCE OF open type,     -- count, then each IFP
//!     fec-info SEQUENCE { fec-npackets INTEGER,        -- length + two's complement
//!                         fec-data SEQUENCE OF OCTET STRING } } }
//! ```
//!
//! The IFP packets stay as octets here: an open type is opaque to UDPTL, and
//! decoding an IFP needs the session's [`T38Version`].
//! Decode them with [`IfpPacket::parse`] (or
//! [`UdptlPacket::primary_ifp`]).
//!
//! Both error-recovery modes are parsed and emitted. With redundancy, the
//! secondaries are the IFPs of the previous sequence numbers, newest first
//! ([`UdptlPacket::secondary_seq_number`]). With FEC this module carries
//! `fec-npackets` and the entries; rebuilding a lost IFP from the XOR
//! entries is a receiver's job and is not implemented yet.
//!
//! # Panics
//!
//! None: [`UdptlPacket::parse`] bounds-checks every length (capacity is
//! never reserved from a count on the wire beyond the input left) and
//! returns an [`Error`] naming the element and byte offset.

use crate::Error;
use crate::ifp::{IfpPacket, T38Version};
use crate::per::{self, BitReader, BitWriter, Length};

/// The error-recovery part of a UDPTL packet.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ErrorRecovery {
    /// `secondary-ifp-packets`: earlier IFPs as octets, newest (seq − 1) first.
    /// Empty = no redundancy.
    Redundancy(Vec<Vec<u8>>),
    /// `fec-info`: parity over earlier IFPs.
    Fec(FecInfo),
}

/// `fec-info` (fax-t38.md §6).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FecInfo {
    /// `fec-npackets`: how many IFPs each entry covers.
    pub npackets: u32,
    /// `fec-data`: the XOR of the covered IFPs, zero-padded to the longest.
    pub entries: Vec<Vec<u8>>,
}

/// One UDPTL datagram.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UdptlPacket {
    /// `seq-number`, +1 per datagram, wrapping at 65535.
    pub seq_number: u16,
    /// The primary IFP packet, encoded.
    pub primary: Vec<u8>,
    /// Redundancy or FEC.
    pub error_recovery: ErrorRecovery,
}

impl UdptlPacket {
    /// A packet with `primary` and no redundancy.
    pub fn new(seq_number: u16, primary: Vec<u8>) -> UdptlPacket {
        UdptlPacket {
            seq_number,
            primary,
            error_recovery: ErrorRecovery::Redundancy(Vec::new()),
        }
    }

    /// A packet with `primary` and earlier IFPs, newest first.
    pub fn with_redundancy(seq_number: u16, primary: Vec<u8>, secondaries: Vec<Vec<u8>>) -> UdptlPacket {
        UdptlPacket {
            seq_number,
            primary,
            error_recovery: ErrorRecovery::Redundancy(secondaries),
        }
    }

    /// The sequence number the `index`-th secondary IFP was sent with
    /// (index 0 is `seq_number − 1`, wrapping).
    pub fn secondary_seq_number(&self, index: usize) -> u16 {
        // Only the low 16 bits of the index matter once it wraps.
        let back = (index as u16).wrapping_add(1);
        self.seq_number.wrapping_sub(back)
    }

    /// Decodes the primary IFP with the session's T.38 version.
    pub fn primary_ifp(&self, version: T38Version) -> Result<IfpPacket, Error> {
        IfpPacket::parse(&self.primary, version)
    }

    /// Decodes one UDPTL datagram that fills `bytes` exactly.
    pub fn parse(bytes: &[u8]) -> Result<UdptlPacket, Error> {
        let mut r = BitReader::new(bytes);
        let seq_number = r.bits(16, "UDPTL seq-number")? as u16;
        let primary = per::read_octet_string(&mut r, "primary-ifp-packet")?;
        let error_recovery = if r.bit("error-recovery choice")? {
            ErrorRecovery::Fec(read_fec(&mut r)?)
        } else {
            ErrorRecovery::Redundancy(per::read_sequence_of(
                &mut r,
                "secondary-ifp-packets count",
                |r| per::read_octet_string(r, "secondary-ifp-packet"),
            )?)
        };
        r.finish("UDPTL packet")?;
        Ok(UdptlPacket {
            seq_number,
            primary,
            error_recovery,
        })
    }

    /// Octets that [`emit`](Self::emit) will write.
    pub fn buffer_len(&self) -> usize {
        // `write_udptl` has no failure path; measuring cannot fail.
        per::measure(|w| {
            write_udptl(w, self);
            Ok(())
        })
        .unwrap_or(0)
    }

    /// Encodes into the front of `buf`; returns the number of octets written.
    pub fn emit(&self, buf: &mut [u8]) -> Result<usize, Error> {
        per::emit_with(buf, |w| {
            write_udptl(w, self);
            Ok(())
        })
    }

    /// Encodes into a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![0; self.buffer_len()];
        // The buffer has exactly the measured length, so emit cannot fail.
        let n = self.emit(&mut out).unwrap_or(0);
        out.truncate(n);
        out
    }
}

fn read_fec(r: &mut BitReader<'_>) -> Result<FecInfo, Error> {
    // fec-npackets: unconstrained INTEGER = length in octets, then a
    // two's-complement value (X.691 §12.2.6).
    let at = {
        r.align();
        r.offset()
    };
    let len = match r.length("fec-npackets length")? {
        Length::Complete(n) => n,
        Length::Fragment(_) => {
            return Err(Error::UnsupportedEncoding {
                what: "fec-npackets length",
                offset: at,
            });
        }
    };
    let content_at = r.offset();
    let octets = r.octets(len, "fec-npackets")?;
    let npackets = decode_unsigned(octets).ok_or(Error::FecNpacketsOutOfRange { offset: content_at })?;
    let entries = per::read_sequence_of(r, "fec-data count", |r| {
        per::read_octet_string(r, "fec-data entry")
    })?;
    Ok(FecInfo { npackets, entries })
}

/// A two's-complement integer that must be in `0..=u32::MAX`.
fn decode_unsigned(octets: &[u8]) -> Option<u32> {
    let (&first, _) = octets.split_first()?;
    if first & 0x80 != 0 {
        return None; // negative
    }
    let mut value: u64 = 0;
    for &b in octets {
        value = value.checked_mul(256)? | u64::from(b);
        if value > u64::from(u32::MAX) {
            return None;
        }
    }
    u32::try_from(value).ok()
}

/// Minimal two's-complement octets of a non-negative value.
fn encode_unsigned(value: u32) -> ([u8; 5], usize) {
    let b = value.to_be_bytes();
    let full = [0, b[0], b[1], b[2], b[3]];
    // Drop leading zero octets while the next octet's top bit stays 0.
    let mut start = 0;
    while start < 4 && full[start] == 0 && full[start + 1] & 0x80 == 0 {
        start += 1;
    }
    let mut out = [0u8; 5];
    let n = 5 - start;
    out[..n].copy_from_slice(&full[start..]);
    (out, n)
}

fn write_udptl(w: &mut BitWriter<'_>, p: &UdptlPacket) {
    w.bits(u32::from(p.seq_number), 16);
    per::write_octet_string(w, &p.primary);
    match &p.error_recovery {
        ErrorRecovery::Redundancy(secondaries) => {
            w.bit(false);
            // Octet strings cannot fail to encode.
            let _ = per::write_sequence_of(w, secondaries, |w, s| {
                per::write_octet_string(w, s);
                Ok(())
            });
        }
        ErrorRecovery::Fec(fec) => {
            w.bit(true);
            let (octets, n) = encode_unsigned(fec.npackets);
            per::write_octet_string(w, octets.get(..n).unwrap_or(&[]));
            let _ = per::write_sequence_of(w, &fec.entries, |w, e| {
                per::write_octet_string(w, e);
                Ok(())
            });
        }
    }
    w.align();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ifp::Indicator;
    use proptest::prelude::*;

    #[test]
    fn cng_without_redundancy_has_the_expected_octets() {
        let cng = IfpPacket::indicator(Indicator::Cng)
            .to_bytes(T38Version::V0)
            .unwrap();
        let p = UdptlPacket::new(0, cng);
        assert_eq!(p.to_bytes(), [0x00, 0x00, 0x01, 0x02, 0x00, 0x00]);
        assert_eq!(UdptlPacket::parse(&p.to_bytes()).unwrap(), p);
    }

    #[test]
    fn redundancy_packet_carries_previous_ifps_newest_first() {
        let bytes = [
            0x00, 0x02, // seq 2
            0x01, 0x06, // primary: v21-preamble
            0x00, // redundancy
            0x02, // two secondaries
            0x01, 0x04, // seq 1: ced
            0x01, 0x02, // seq 0: cng
        ];
        let p = UdptlPacket::parse(&bytes).unwrap();
        assert_eq!(p.seq_number, 2);
        assert_eq!(
            p.primary_ifp(T38Version::V0).unwrap(),
            IfpPacket::indicator(Indicator::V21Preamble)
        );
        assert_eq!(
            p.error_recovery,
            ErrorRecovery::Redundancy(vec![vec![0x04], vec![0x02]])
        );
        assert_eq!(p.secondary_seq_number(0), 1);
        assert_eq!(p.secondary_seq_number(1), 0);
        assert_eq!(p.to_bytes(), bytes);
    }

    #[test]
    fn secondary_sequence_numbers_wrap() {
        let p = UdptlPacket::new(1, vec![0x02]);
        assert_eq!(p.secondary_seq_number(0), 0);
        assert_eq!(p.secondary_seq_number(1), 65535);
    }

    #[test]
    fn fec_packet_is_parsed_and_emitted() {
        let bytes = [
            0x00, 0x05, // seq 5
            0x01, 0x02, // primary: cng
            0x80, // fec-info
            0x01, 0x03, // fec-npackets = 3
            0x02, // two entries
            0x01, 0x06, 0x02, 0x04, 0x02,
        ];
        let p = UdptlPacket::parse(&bytes).unwrap();
        assert_eq!(
            p.error_recovery,
            ErrorRecovery::Fec(FecInfo {
                npackets: 3,
                entries: vec![vec![0x06], vec![0x04, 0x02]],
            })
        );
        assert_eq!(p.to_bytes(), bytes);
    }

    #[test]
    fn fec_npackets_uses_minimal_twos_complement() {
        for (value, octets) in [
            (0u32, &[0x00][..]),
            (127, &[0x7F]),
            (128, &[0x00, 0x80]),
            (65535, &[0x00, 0xFF, 0xFF]),
            (u32::MAX, &[0x00, 0xFF, 0xFF, 0xFF, 0xFF]),
        ] {
            let (buf, n) = encode_unsigned(value);
            assert_eq!(&buf[..n], octets, "{value}");
            assert_eq!(decode_unsigned(octets), Some(value));
        }
        assert_eq!(decode_unsigned(&[0x80]), None);
        assert_eq!(decode_unsigned(&[]), None);
        assert_eq!(decode_unsigned(&[0x01, 0, 0, 0, 0]), None);
    }

    #[test]
    fn negative_fec_npackets_is_refused() {
        let bytes = [0x00, 0x05, 0x01, 0x02, 0x80, 0x01, 0xFF, 0x00];
        assert_eq!(
            UdptlPacket::parse(&bytes),
            Err(Error::FecNpacketsOutOfRange { offset: 6 })
        );
    }

    #[test]
    fn truncated_packets_name_the_missing_part() {
        assert_eq!(
            UdptlPacket::parse(&[0x00]),
            Err(Error::Truncated {
                what: "UDPTL seq-number",
                offset: 0
            })
        );
        assert_eq!(
            UdptlPacket::parse(&[0x00, 0x01, 0x03, 0xC0]),
            Err(Error::Truncated {
                what: "primary-ifp-packet",
                offset: 3
            })
        );
        assert_eq!(
            UdptlPacket::parse(&[0x00, 0x01, 0x01, 0x02]),
            Err(Error::Truncated {
                what: "error-recovery choice",
                offset: 4
            })
        );
        assert_eq!(
            UdptlPacket::parse(&[0x00, 0x01, 0x01, 0x02, 0x00, 0x00, 0x99]),
            Err(Error::TrailingBytes {
                what: "UDPTL packet",
                count: 1,
                offset: 6
            })
        );
    }

    #[test]
    fn huge_secondary_count_on_short_input_fails_without_allocating_it() {
        let bytes = [0x00, 0x01, 0x01, 0x02, 0x00, 0xBF, 0xFF, 0x01];
        assert!(matches!(UdptlPacket::parse(&bytes), Err(Error::Truncated { .. })));
    }

    #[test]
    fn large_primary_uses_fragmented_length() {
        let p = UdptlPacket::new(9, vec![0x5A; 40_000]);
        let bytes = p.to_bytes();
        assert_eq!(bytes.get(2), Some(&0xC2)); // 2 x 16K fragment
        assert_eq!(UdptlPacket::parse(&bytes).unwrap(), p);
    }

    fn ifp_bytes() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(any::<u8>(), 1..48)
    }

    fn udptl() -> impl Strategy<Value = UdptlPacket> {
        let recovery = prop_oneof![
            prop::collection::vec(ifp_bytes(), 0..5).prop_map(ErrorRecovery::Redundancy),
            (any::<u32>(), prop::collection::vec(ifp_bytes(), 0..4))
                .prop_map(|(npackets, entries)| ErrorRecovery::Fec(FecInfo { npackets, entries })),
        ];
        (any::<u16>(), ifp_bytes(), recovery).prop_map(|(seq_number, primary, error_recovery)| UdptlPacket {
            seq_number,
            primary,
            error_recovery,
        })
    }

    proptest! {
        #[test]
        fn emit_then_parse_returns_the_packet(p in udptl()) {
            let bytes = p.to_bytes();
            prop_assert_eq!(bytes.len(), p.buffer_len());
            prop_assert_eq!(UdptlPacket::parse(&bytes).unwrap(), p);
        }

        #[test]
        fn parse_never_panics_and_reparses_what_it_accepts(
            bytes in prop::collection::vec(any::<u8>(), 0..64),
        ) {
            if let Ok(p) = UdptlPacket::parse(&bytes) {
                prop_assert_eq!(UdptlPacket::parse(&p.to_bytes()).unwrap(), p);
            }
        }
    }
}
