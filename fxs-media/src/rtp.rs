//! RTP packets (RFC 3550 §5.1, media.md §3): parsing, writing and a sender
//! that numbers packets.
//!
//! [`parse`] returns an owned [`RtpHeader`]; [`RtpPacket::parse`] is the same
//! check as a borrowed view that allocates nothing, used on the receive path.
//! Neither ever panics: anything malformed is an [`Error`] saying what is wrong.

use crate::Error;

/// The only RTP version there is (RFC 3550 §5.1).
pub const RTP_VERSION: u8 = 2;
/// Length of the fixed RTP header in octets (RFC 3550 §5.1).
pub const FIXED_HEADER_LEN: usize = 12;
/// Largest number of CSRC identifiers a header can carry (4-bit CC field).
pub const MAX_CSRC: usize = 15;

/// An RTP header extension (RFC 3550 §5.3.1): a 16-bit profile-defined value
/// and the extension data (a whole number of 32-bit words on the wire).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeaderExtension {
    /// The "defined by profile" field (e.g. 0xBEDE for RFC 8285 one-byte headers).
    pub profile: u16,
    /// The extension data. [`write()`] pads it with zero octets to a multiple of 4.
    pub data: Vec<u8>,
}

/// The fields of an RTP header. The version is always 2; the P, X and CC
/// bits follow from `padding`, `extension` and `csrc`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RtpHeader {
    /// M bit: for audio, the first packet of a talkspurt (RFC 3551 §4.1).
    pub marker: bool,
    /// Payload type, 0..=127 (RFC 3551 Table 4, dynamic 96..=127).
    pub payload_type: u8,
    /// Sequence number, +1 per packet, wrapping.
    pub sequence: u16,
    /// Timestamp in units of the payload's clock rate, wrapping.
    pub timestamp: u32,
    /// Synchronisation source.
    pub ssrc: u32,
    /// Contributing sources (at most [`MAX_CSRC`] are written).
    pub csrc: Vec<u32>,
    /// Header extension, if the X bit is set.
    pub extension: Option<HeaderExtension>,
    /// Number of padding octets after the payload, including the count octet
    /// itself; 0 means no padding (P bit clear).
    pub padding: u8,
}

impl RtpHeader {
    /// Octets [`write()`] puts before the payload for this header.
    pub fn encoded_len(&self) -> usize {
        let csrc = self.csrc.len().min(MAX_CSRC) * 4;
        let extension = self
            .extension
            .as_ref()
            .map_or(0, |ext| 4 + extension_words(ext) * 4);
        FIXED_HEADER_LEN + csrc + extension
    }
}

/// Number of 32-bit words the extension data takes (rounded up, capped at
/// the 16-bit length field).
fn extension_words(ext: &HeaderExtension) -> usize {
    ext.data.len().div_ceil(4).min(usize::from(u16::MAX))
}

/// A parsed RTP packet borrowed from the datagram; allocates nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpPacket<'a> {
    marker: bool,
    payload_type: u8,
    sequence: u16,
    timestamp: u32,
    ssrc: u32,
    csrc: &'a [u8],
    extension: Option<(u16, &'a [u8])>,
    padding: u8,
    payload: &'a [u8],
}

/// Reads a big-endian u16 at `at`; the caller has checked the length.
fn be16(data: &[u8], at: usize) -> u16 {
    match data.get(at..at + 2) {
        Some(&[a, b]) => u16::from_be_bytes([a, b]),
        _ => 0,
    }
}

/// Reads a big-endian u32 at `at`; the caller has checked the length.
fn be32(data: &[u8], at: usize) -> u32 {
    match data.get(at..at + 4) {
        Some(&[a, b, c, d]) => u32::from_be_bytes([a, b, c, d]),
        _ => 0,
    }
}

impl<'a> RtpPacket<'a> {
    /// Checks and splits an RTP datagram (RFC 3550 §5.1, §5.3.1).
    ///
    /// Errors: [`Error::Truncated`] when the datagram is shorter than the
    /// fixed header, the CSRC list or the extension it announces;
    /// [`Error::BadVersion`] when V is not 2; [`Error::BadPadding`] when P is
    /// set and the padding count is 0 or exceeds the octets after the header.
    pub fn parse(data: &'a [u8]) -> Result<RtpPacket<'a>, Error> {
        let got = data.len();
        let Some(&[b0, b1]) = data.get(..2) else {
            return Err(Error::Truncated {
                what: "fixed header",
                need: FIXED_HEADER_LEN,
                got,
            });
        };
        let version = b0 >> 6;
        if version != RTP_VERSION {
            return Err(Error::BadVersion(version));
        }
        if got < FIXED_HEADER_LEN {
            return Err(Error::Truncated {
                what: "fixed header",
                need: FIXED_HEADER_LEN,
                got,
            });
        }
        let has_padding = b0 & 0x20 != 0;
        let has_extension = b0 & 0x10 != 0;
        let csrc_count = usize::from(b0 & 0x0F);

        let csrc_end = FIXED_HEADER_LEN + csrc_count * 4;
        let csrc = data.get(FIXED_HEADER_LEN..csrc_end).ok_or(Error::Truncated {
            what: "CSRC list",
            need: csrc_end,
            got,
        })?;

        let mut header_end = csrc_end;
        let mut extension = None;
        if has_extension {
            let ext_header_end = csrc_end + 4;
            if got < ext_header_end {
                return Err(Error::Truncated {
                    what: "header extension header",
                    need: ext_header_end,
                    got,
                });
            }
            let profile = be16(data, csrc_end);
            let words = usize::from(be16(data, csrc_end + 2));
            let ext_end = ext_header_end + words * 4;
            let ext_data = data.get(ext_header_end..ext_end).ok_or(Error::Truncated {
                what: "header extension",
                need: ext_end,
                got,
            })?;
            extension = Some((profile, ext_data));
            header_end = ext_end;
        }

        let mut payload = data.get(header_end..).unwrap_or_default();
        let mut padding = 0;
        if has_padding {
            let count = payload.last().copied().ok_or(Error::BadPadding)?;
            let keep = payload
                .len()
                .checked_sub(usize::from(count))
                .filter(|_| count > 0)
                .ok_or(Error::BadPadding)?;
            payload = payload.get(..keep).unwrap_or_default();
            padding = count;
        }

        Ok(RtpPacket {
            marker: b1 & 0x80 != 0,
            payload_type: b1 & 0x7F,
            sequence: be16(data, 2),
            timestamp: be32(data, 4),
            ssrc: be32(data, 8),
            csrc,
            extension,
            padding,
            payload,
        })
    }

    /// M bit.
    pub fn marker(&self) -> bool {
        self.marker
    }
    /// Payload type (7 bits).
    pub fn payload_type(&self) -> u8 {
        self.payload_type
    }
    /// Sequence number.
    pub fn sequence(&self) -> u16 {
        self.sequence
    }
    /// Timestamp.
    pub fn timestamp(&self) -> u32 {
        self.timestamp
    }
    /// Synchronisation source.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }
    /// Contributing sources.
    pub fn csrc(&self) -> impl ExactSizeIterator<Item = u32> + 'a {
        self.csrc.chunks_exact(4).map(|c| be32(c, 0))
    }
    /// Header extension: profile-defined value and data.
    pub fn extension(&self) -> Option<(u16, &'a [u8])> {
        self.extension
    }
    /// Padding octets removed from the end (0 when P is clear).
    pub fn padding(&self) -> u8 {
        self.padding
    }
    /// The payload, padding removed.
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// An owned copy of the header.
    pub fn to_header(&self) -> RtpHeader {
        RtpHeader {
            marker: self.marker,
            payload_type: self.payload_type,
            sequence: self.sequence,
            timestamp: self.timestamp,
            ssrc: self.ssrc,
            csrc: self.csrc().collect(),
            extension: self.extension.map(|(profile, data)| HeaderExtension {
                profile,
                data: data.to_vec(),
            }),
            padding: self.padding,
        }
    }
}

/// Parses an RTP datagram into its header and payload (padding removed).
/// Never panics; see [`RtpPacket::parse`] for the errors.
pub fn parse(data: &[u8]) -> Result<(RtpHeader, &[u8]), Error> {
    let packet = RtpPacket::parse(data)?;
    Ok((packet.to_header(), packet.payload()))
}

/// Appends header and payload to `out` (RFC 3550 §5.1).
///
/// The payload type is masked to 7 bits, only the first [`MAX_CSRC`] CSRCs
/// are written, extension data is padded with zero octets to a 32-bit
/// boundary, and `padding` octets (zeros, then the count) are appended when
/// `header.padding` is non-zero.
pub fn write(header: &RtpHeader, payload: &[u8], out: &mut Vec<u8>) {
    let csrc = header
        .csrc
        .get(..header.csrc.len().min(MAX_CSRC))
        .unwrap_or_default();
    out.reserve(header.encoded_len() + payload.len() + usize::from(header.padding));

    let mut b0 = RTP_VERSION << 6;
    if header.padding > 0 {
        b0 |= 0x20;
    }
    if header.extension.is_some() {
        b0 |= 0x10;
    }
    // At most 15, so it fits in the 4-bit CC field.
    b0 |= csrc.len() as u8;
    let b1 = (u8::from(header.marker) << 7) | (header.payload_type & 0x7F);
    out.extend_from_slice(&[b0, b1]);
    out.extend_from_slice(&header.sequence.to_be_bytes());
    out.extend_from_slice(&header.timestamp.to_be_bytes());
    out.extend_from_slice(&header.ssrc.to_be_bytes());
    for id in csrc {
        out.extend_from_slice(&id.to_be_bytes());
    }
    if let Some(ext) = &header.extension {
        let words = extension_words(ext);
        let len = words * 4;
        out.extend_from_slice(&ext.profile.to_be_bytes());
        // `words` is capped at u16::MAX by `extension_words`.
        out.extend_from_slice(&(words as u16).to_be_bytes());
        let data = ext.data.get(..len.min(ext.data.len())).unwrap_or_default();
        out.extend_from_slice(data);
        out.resize(out.len() + (len - data.len()), 0);
    }
    out.extend_from_slice(payload);
    if header.padding > 0 {
        out.resize(out.len() + usize::from(header.padding) - 1, 0);
        out.push(header.padding);
    }
}

/// Numbers outgoing packets of one source: sequence +1 per packet (wrapping),
/// timestamp + samples per packet, marker on the first packet of the stream
/// and of each talkspurt (RFC 3550 §5.1, RFC 3551 §4.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtpSender {
    ssrc: u32,
    payload_type: u8,
    sequence: u16,
    timestamp: u32,
    marker: bool,
    packets: u64,
    octets: u64,
}

impl RtpSender {
    /// A sender whose first packet carries `initial_sequence` and
    /// `initial_timestamp` (RFC 3550 wants both random) and the marker bit.
    pub fn new(ssrc: u32, payload_type: u8, initial_sequence: u16, initial_timestamp: u32) -> RtpSender {
        RtpSender {
            ssrc,
            payload_type: payload_type & 0x7F,
            sequence: initial_sequence,
            timestamp: initial_timestamp,
            marker: true,
            packets: 0,
            octets: 0,
        }
    }

    /// The header of the next packet, which carries `samples` samples of
    /// audio; advances sequence and timestamp and clears the marker.
    pub fn next_header(&mut self, samples: u32) -> RtpHeader {
        let header = RtpHeader {
            marker: self.marker,
            payload_type: self.payload_type,
            sequence: self.sequence,
            timestamp: self.timestamp,
            ssrc: self.ssrc,
            csrc: Vec::new(),
            extension: None,
            padding: 0,
        };
        self.marker = false;
        self.sequence = self.sequence.wrapping_add(1);
        self.timestamp = self.timestamp.wrapping_add(samples);
        header
    }

    /// Appends the next packet (header + `payload`, which holds `samples`
    /// samples) to `out` and counts it.
    pub fn write_packet(&mut self, payload: &[u8], samples: u32, out: &mut Vec<u8>) {
        let header = self.next_header(samples);
        write(&header, payload, out);
        self.packets += 1;
        self.octets += payload.len() as u64;
    }

    /// Appends a packet of another payload type that shares this source's
    /// SSRC and sequence numbers but carries its own marker and timestamp
    /// (RFC 4733 telephone-events, RFC 3389 comfort noise), and counts it.
    /// The audio timestamp does not move.
    pub fn write_other(
        &mut self,
        payload_type: u8,
        marker: bool,
        timestamp: u32,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) {
        let header = RtpHeader {
            marker,
            payload_type: payload_type & 0x7F,
            sequence: self.sequence,
            timestamp,
            ssrc: self.ssrc,
            csrc: Vec::new(),
            extension: None,
            padding: 0,
        };
        self.sequence = self.sequence.wrapping_add(1);
        write(&header, payload, out);
        self.packets += 1;
        self.octets += payload.len() as u64;
    }

    /// Marks the next packet as the first of a talkspurt.
    pub fn start_talkspurt(&mut self) {
        self.marker = true;
    }

    /// Advances the timestamp over `samples` samples that are not sent
    /// (silence suppression); the next packet starts a talkspurt.
    pub fn skip(&mut self, samples: u32) {
        self.timestamp = self.timestamp.wrapping_add(samples);
        self.marker = true;
    }

    /// SSRC of this source.
    pub fn ssrc(&self) -> u32 {
        self.ssrc
    }
    /// Sequence number the next packet gets.
    pub fn next_sequence(&self) -> u16 {
        self.sequence
    }
    /// Timestamp the next packet gets.
    pub fn next_timestamp(&self) -> u32 {
        self.timestamp
    }
    /// Packets written so far (RTCP SR sender's packet count).
    pub fn packets_sent(&self) -> u64 {
        self.packets
    }
    /// Payload octets written so far, headers and padding excluded
    /// (RTCP SR sender's octet count, RFC 3550 §6.4.1).
    pub fn octets_sent(&self) -> u64 {
        self.octets
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pcmu_packet() -> Vec<u8> {
        let header = RtpHeader {
            marker: true,
            payload_type: 0,
            sequence: 0x1234,
            timestamp: 0xDEAD_BEEF,
            ssrc: 0x0102_0304,
            ..RtpHeader::default()
        };
        let mut out = Vec::new();
        write(&header, &[0xFF; 160], &mut out);
        out
    }

    #[test]
    fn writes_the_fixed_header_bit_for_bit() {
        let data = pcmu_packet();
        assert_eq!(data.len(), 172);
        assert_eq!(
            data[..12],
            [0x80, 0x80, 0x12, 0x34, 0xDE, 0xAD, 0xBE, 0xEF, 1, 2, 3, 4]
        );
        let (header, payload) = parse(&data).unwrap();
        assert!(header.marker);
        assert_eq!(header.sequence, 0x1234);
        assert_eq!(payload.len(), 160);
    }

    #[test]
    fn csrc_list_and_extension_are_skipped_to_reach_the_payload() {
        // V=2, X=1, CC=2; extension of 2 words; payload "hi".
        let mut data = vec![0x92, 0x08, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        data.extend_from_slice(&[0, 0, 0, 0xAA, 0, 0, 0, 0xBB]);
        data.extend_from_slice(&[0xBE, 0xDE, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8]);
        data.extend_from_slice(b"hi");
        let packet = RtpPacket::parse(&data).unwrap();
        assert_eq!(packet.csrc().collect::<Vec<_>>(), [0xAA, 0xBB]);
        assert_eq!(packet.extension(), Some((0xBEDE, &[1, 2, 3, 4, 5, 6, 7, 8][..])));
        assert_eq!(packet.payload(), b"hi");
        assert_eq!(packet.payload_type(), 8);
    }

    #[test]
    fn padding_is_removed() {
        let mut data = vec![0xA0, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        data.extend_from_slice(&[9, 9, 9, 0, 0, 3]);
        let packet = RtpPacket::parse(&data).unwrap();
        assert_eq!(packet.payload(), [9, 9, 9]);
        assert_eq!(packet.padding(), 3);
    }

    #[test]
    fn bad_padding_counts_are_rejected() {
        let base = [0xA0u8, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
        // Nothing after the header: no count octet.
        assert_eq!(RtpPacket::parse(&base), Err(Error::BadPadding));
        // A count of zero.
        let mut zero = base.to_vec();
        zero.extend_from_slice(&[1, 2, 0]);
        assert_eq!(RtpPacket::parse(&zero), Err(Error::BadPadding));
        // A count larger than what follows the header.
        let mut large = base.to_vec();
        large.extend_from_slice(&[1, 2, 4]);
        assert_eq!(RtpPacket::parse(&large), Err(Error::BadPadding));
        // Exactly everything after the header is padding: empty payload.
        let mut all = base.to_vec();
        all.extend_from_slice(&[0, 0, 3]);
        assert_eq!(RtpPacket::parse(&all).unwrap().payload(), []);
    }

    #[test]
    fn truncation_names_the_part_that_is_missing() {
        assert_eq!(
            parse(&[]),
            Err(Error::Truncated {
                what: "fixed header",
                need: 12,
                got: 0
            })
        );
        assert_eq!(
            parse(&[0x80, 0, 0, 0, 0]),
            Err(Error::Truncated {
                what: "fixed header",
                need: 12,
                got: 5
            })
        );
        let csrc = [0x83u8, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 1];
        assert_eq!(
            parse(&csrc),
            Err(Error::Truncated {
                what: "CSRC list",
                need: 24,
                got: 16
            })
        );
        let ext_head = [0x90u8, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE];
        assert_eq!(
            parse(&ext_head),
            Err(Error::Truncated {
                what: "header extension header",
                need: 16,
                got: 14
            })
        );
        let ext = [0x90u8, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0, 1, 1, 2];
        assert_eq!(
            parse(&ext),
            Err(Error::Truncated {
                what: "header extension",
                need: 20,
                got: 18
            })
        );
    }

    #[test]
    fn other_versions_are_rejected_even_when_short() {
        assert_eq!(parse(&[0x40, 0]), Err(Error::BadVersion(1)));
        let mut data = pcmu_packet();
        data[0] = 0xC0;
        assert_eq!(parse(&data), Err(Error::BadVersion(3)));
        assert_eq!(
            parse(&[0x00]),
            Err(Error::Truncated {
                what: "fixed header",
                need: 12,
                got: 1
            })
        );
    }

    #[test]
    fn error_messages_say_what_is_wrong() {
        let msg = parse(&[0x80, 0]).unwrap_err().to_string();
        assert!(
            msg.contains("fixed header") && msg.contains("12") && msg.contains('2'),
            "{msg}"
        );
        assert!(Error::BadVersion(1).to_string().contains("version 1"));
    }

    #[test]
    fn sender_numbers_packets_with_wrap_and_marks_only_the_first() {
        let mut sender = RtpSender::new(7, 0, u16::MAX, u32::MAX - 100);
        let first = sender.next_header(160);
        let second = sender.next_header(160);
        assert!(first.marker && !second.marker);
        assert_eq!((first.sequence, second.sequence), (u16::MAX, 0));
        assert_eq!(second.timestamp, 59);
        sender.skip(800);
        let third = sender.next_header(160);
        assert!(third.marker);
        assert_eq!(third.timestamp, 59 + 160 + 800);
        assert_eq!(third.sequence, 1);
        let mut out = Vec::new();
        sender.write_packet(&[0; 160], 160, &mut out);
        assert_eq!(sender.packets_sent(), 1);
        assert_eq!(sender.octets_sent(), 160);
        assert_eq!(out.len(), 172);
    }

    fn header_strategy() -> impl Strategy<Value = RtpHeader> {
        (
            any::<bool>(),
            0u8..128,
            any::<u16>(),
            any::<u32>(),
            any::<u32>(),
            proptest::collection::vec(any::<u32>(), 0..=MAX_CSRC),
            proptest::option::of((any::<u16>(), proptest::collection::vec(any::<[u8; 4]>(), 0..8))),
            any::<u8>(),
        )
            .prop_map(
                |(marker, payload_type, sequence, timestamp, ssrc, csrc, ext, padding)| RtpHeader {
                    marker,
                    payload_type,
                    sequence,
                    timestamp,
                    ssrc,
                    csrc,
                    extension: ext.map(|(profile, words)| HeaderExtension {
                        profile,
                        data: words.concat(),
                    }),
                    padding,
                },
            )
    }

    proptest! {
        #[test]
        fn write_then_parse_round_trips(header in header_strategy(), payload in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut out = Vec::new();
            write(&header, &payload, &mut out);
            prop_assert_eq!(out.len(), header.encoded_len() + payload.len() + usize::from(header.padding));
            let (parsed, parsed_payload) = parse(&out).unwrap();
            prop_assert_eq!(parsed, header);
            prop_assert_eq!(parsed_payload, &payload[..]);
        }

        #[test]
        fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..80)) {
            let _ = parse(&data);
        }
    }
}
