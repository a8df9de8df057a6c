//! RTCP (RFC 3550 §6, media.md §4): parsing and building of sender and
//! receiver reports, SDES, BYE, APP and extended reports (RFC 3611) with
//! the VoIP metrics block; compound packets; round-trip time from LSR and
//! DLSR; and the report interval as a sans-IO timer.
//!
//! Parsing never panics: every length is checked against the datagram and
//! a malformed packet is an [`Error::Malformed`] naming the packet and the
//! octet where the problem is. APP packets and XR blocks of other types
//! are kept as opaque octets, so they survive a parse-build round trip.
//! RTCP runs every few seconds, so parsed packets own their data.

use core::time::Duration;
use std::time::Instant;

use crate::Error;

/// Packet type of a sender report (RFC 3550 §6.4.1).
pub const PT_SR: u8 = 200;
/// Packet type of a receiver report (RFC 3550 §6.4.2).
pub const PT_RR: u8 = 201;
/// Packet type of source description (RFC 3550 §6.5).
pub const PT_SDES: u8 = 202;
/// Packet type of goodbye (RFC 3550 §6.6).
pub const PT_BYE: u8 = 203;
/// Packet type of application-defined packets (RFC 3550 §6.7).
pub const PT_APP: u8 = 204;
/// Packet type of extended reports (RFC 3611 §2).
pub const PT_XR: u8 = 207;

/// SDES item type CNAME (RFC 3550 §6.5.1).
pub const SDES_CNAME: u8 = 1;
/// XR block type: receiver reference time (RFC 3611 §4.4).
pub const XR_RRT: u8 = 4;
/// XR block type: DLRR (RFC 3611 §4.5).
pub const XR_DLRR: u8 = 5;
/// XR block type: VoIP metrics (RFC 3611 §4.7).
pub const XR_VOIP_METRICS: u8 = 7;
/// Length of a VoIP metrics block in octets (RFC 3611 §4.7).
pub const VOIP_METRICS_LEN: usize = 36;
/// "Unavailable" value of the 8-bit VoIP metrics fields (RFC 3611 §4.7).
pub const UNAVAILABLE: u8 = 127;

fn malformed(what: &'static str, reason: &'static str, at: usize) -> Error {
    Error::Malformed { what, reason, at }
}

/// A cursor over one packet's octets that reports the absolute offset.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    /// Offset of `data` in the datagram, for error positions.
    base: usize,
    what: &'static str,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8], base: usize, what: &'static str) -> Reader<'a> {
        Reader {
            data,
            pos: 0,
            base,
            what,
        }
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let out = self.data.get(self.pos..self.pos + n).ok_or(malformed(
            self.what,
            "truncated",
            self.base + self.pos,
        ))?;
        self.pos += n;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, Error> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, Error> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn u64(&mut self) -> Result<u64, Error> {
        Ok((u64::from(self.u32()?) << 32) | u64::from(self.u32()?))
    }

    fn rest(&mut self) -> &'a [u8] {
        let out = self.data.get(self.pos..).unwrap_or_default();
        self.pos = self.data.len();
        out
    }

    fn offset(&self) -> usize {
        self.base + self.pos
    }
}

/// One reception report block (RFC 3550 §6.4.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportBlock {
    /// The source this block reports on.
    pub ssrc: u32,
    /// Fraction lost since the last report, ×256.
    pub fraction_lost: u8,
    /// Cumulative packets lost, a 24-bit signed value (duplicates can make it negative).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received (cycles ·2¹⁶ + max).
    pub extended_highest_sequence: u32,
    /// Interarrival jitter in timestamp units (Appendix A.8).
    pub jitter: u32,
    /// Middle 32 bits of the NTP timestamp of the last SR received (0: none).
    pub last_sr: u32,
    /// Delay since that SR, in 1/65536 s.
    pub delay_since_last_sr: u32,
}

/// Largest value of the 24-bit signed cumulative-lost field.
pub const MAX_CUMULATIVE_LOST: i32 = 0x7F_FFFF;
/// Smallest value of the 24-bit signed cumulative-lost field.
pub const MIN_CUMULATIVE_LOST: i32 = -0x80_0000;

impl ReportBlock {
    fn parse(r: &mut Reader<'_>) -> Result<ReportBlock, Error> {
        let ssrc = r.u32()?;
        let word = r.u32()?;
        // Sign-extend the 24-bit field.
        let cumulative_lost = ((word << 8) as i32) >> 8;
        Ok(ReportBlock {
            ssrc,
            fraction_lost: (word >> 24) as u8,
            cumulative_lost,
            extended_highest_sequence: r.u32()?,
            jitter: r.u32()?,
            last_sr: r.u32()?,
            delay_since_last_sr: r.u32()?,
        })
    }

    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.ssrc.to_be_bytes());
        let lost = self
            .cumulative_lost
            .clamp(MIN_CUMULATIVE_LOST, MAX_CUMULATIVE_LOST) as u32
            & 0x00FF_FFFF;
        out.extend_from_slice(&((u32::from(self.fraction_lost) << 24) | lost).to_be_bytes());
        out.extend_from_slice(&self.extended_highest_sequence.to_be_bytes());
        out.extend_from_slice(&self.jitter.to_be_bytes());
        out.extend_from_slice(&self.last_sr.to_be_bytes());
        out.extend_from_slice(&self.delay_since_last_sr.to_be_bytes());
    }

    /// Round-trip time for this block received at `arrival_ntp` (our NTP
    /// time, 64-bit): arrival − LSR − DLSR (RFC 3550 §6.4.1). None when
    /// the block carries no LSR or the result is negative.
    pub fn round_trip_time(&self, arrival_ntp: u64) -> Option<Duration> {
        if self.last_sr == 0 {
            return None;
        }
        let arrival = (arrival_ntp >> 16) as u32;
        let rtt = arrival
            .wrapping_sub(self.last_sr)
            .wrapping_sub(self.delay_since_last_sr);
        if rtt as i32 >= 0 {
            Some(Duration::from_nanos(u64::from(rtt) * 1_000_000_000 / 65536))
        } else {
            None
        }
    }
}

/// Sender information of an SR (RFC 3550 §6.4.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SenderInfo {
    /// NTP timestamp (64 bits, seconds since 1900 · 2³²).
    pub ntp_timestamp: u64,
    /// RTP timestamp of the same instant.
    pub rtp_timestamp: u32,
    /// Packets sent since the start.
    pub packet_count: u32,
    /// Payload octets sent since the start.
    pub octet_count: u32,
}

/// A sender or receiver report.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Report {
    /// SSRC of the reporter.
    pub ssrc: u32,
    /// Present in an SR, absent in an RR.
    pub sender_info: Option<SenderInfo>,
    /// Reception report blocks (at most 31).
    pub blocks: Vec<ReportBlock>,
    /// Profile-specific extension octets after the blocks (kept opaque).
    pub extension: Vec<u8>,
}

/// One SDES item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdesItem {
    /// Item type (1 CNAME, 2 NAME, 3 EMAIL, 4 PHONE, 5 LOC, 6 TOOL, 7 NOTE, 8 PRIV).
    pub kind: u8,
    /// Value (at most 255 octets).
    pub value: Vec<u8>,
}

/// The SDES items of one source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SdesChunk {
    /// The source described.
    pub ssrc: u32,
    /// Its items.
    pub items: Vec<SdesItem>,
}

/// The RFC 3611 §4.7 VoIP metrics block. 8-bit fields use
/// [`UNAVAILABLE`] (127) where RFC 3611 allows "unavailable".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VoipMetrics {
    /// The source reported on.
    pub ssrc: u32,
    /// Fraction of packets lost ×256.
    pub loss_rate: u8,
    /// Fraction discarded (late, jitter buffer) ×256.
    pub discard_rate: u8,
    /// Loss density in bursts ×256.
    pub burst_density: u8,
    /// Loss density in gaps ×256.
    pub gap_density: u8,
    /// Mean burst duration, ms.
    pub burst_duration: u16,
    /// Mean gap duration, ms.
    pub gap_duration: u16,
    /// Round-trip delay, ms.
    pub round_trip_delay: u16,
    /// End-system delay, ms.
    pub end_system_delay: u16,
    /// Signal level, dBm0 (127 unavailable).
    pub signal_level: i8,
    /// Noise level, dBm0 (127 unavailable).
    pub noise_level: i8,
    /// Residual echo return loss, dB (127 unavailable).
    pub rerl: u8,
    /// Gap threshold (recommended 16).
    pub gmin: u8,
    /// R factor 0-100 (127 unavailable).
    pub r_factor: u8,
    /// External R factor (127 unavailable).
    pub ext_r_factor: u8,
    /// MOS-LQ ×10 (127 unavailable).
    pub mos_lq: u8,
    /// MOS-CQ ×10 (127 unavailable).
    pub mos_cq: u8,
    /// PLC type (2 bits), jitter-buffer adaptive (2 bits), JB rate (4 bits).
    pub rx_config: u8,
    /// Jitter buffer nominal delay, ms.
    pub jb_nominal: u16,
    /// Jitter buffer maximum delay, ms.
    pub jb_maximum: u16,
    /// Jitter buffer absolute maximum delay, ms.
    pub jb_abs_max: u16,
}

/// One DLRR sub-block (RFC 3611 §4.5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DlrrItem {
    /// The receiver the item answers.
    pub ssrc: u32,
    /// Last RR (middle 32 bits of its NTP reference time).
    pub last_rr: u32,
    /// Delay since it, 1/65536 s.
    pub delay_since_last_rr: u32,
}

/// One XR report block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum XrBlock {
    /// VoIP metrics (block type 7).
    VoipMetrics(VoipMetrics),
    /// Receiver reference time (block type 4).
    ReceiverReferenceTime {
        /// NTP timestamp.
        ntp_timestamp: u64,
    },
    /// DLRR (block type 5).
    Dlrr(Vec<DlrrItem>),
    /// Any other block, kept opaque (types 1-3, 6 and unknown).
    Other {
        /// Block type.
        block_type: u8,
        /// The type-specific octet.
        type_specific: u8,
        /// The block contents after its 4-octet header.
        data: Vec<u8>,
    },
}

/// One RTCP packet of a compound.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RtcpPacket {
    /// SR (with sender info) or RR.
    Report(Report),
    /// Source descriptions.
    Sdes(Vec<SdesChunk>),
    /// Sources leaving, with an optional reason.
    Bye {
        /// The sources.
        sources: Vec<u32>,
        /// Reason for leaving.
        reason: Option<Vec<u8>>,
    },
    /// Application-defined (kept opaque).
    App {
        /// The 5-bit subtype.
        subtype: u8,
        /// Source.
        ssrc: u32,
        /// Four ASCII characters.
        name: [u8; 4],
        /// Application data (a multiple of 4 octets).
        data: Vec<u8>,
    },
    /// Extended reports (RFC 3611).
    Xr {
        /// Source of the reports.
        ssrc: u32,
        /// The report blocks.
        blocks: Vec<XrBlock>,
    },
    /// A packet type this crate does not know, kept opaque.
    Unknown {
        /// Packet type.
        packet_type: u8,
        /// The 5-bit count field.
        count: u8,
        /// Octets after the 4-octet header.
        data: Vec<u8>,
    },
}

/// Parses a compound RTCP datagram (RFC 3550 §6.1, Appendix A.2 checks):
/// version 2 in every packet, lengths that add up to the datagram, padding
/// only in the last packet, and the first packet an SR or RR.
pub fn parse_compound(data: &[u8]) -> Result<Vec<RtcpPacket>, Error> {
    let mut packets = Vec::new();
    let mut at = 0;
    if data.is_empty() {
        return Err(malformed("RTCP compound packet", "empty datagram", 0));
    }
    while at < data.len() {
        let header = data
            .get(at..at + 4)
            .ok_or(malformed("RTCP packet header", "truncated", at))?;
        let version = header[0] >> 6;
        if version != 2 {
            return Err(malformed("RTCP packet header", "version is not 2", at));
        }
        let padding = header[0] & 0x20 != 0;
        let count = header[0] & 0x1F;
        let packet_type = header[1];
        let words = usize::from(u16::from_be_bytes([header[2], header[3]]));
        let end = at + 4 + words * 4;
        let body = data.get(at + 4..end).ok_or(malformed(
            "RTCP packet",
            "length field runs past the datagram",
            at + 2,
        ))?;
        let body = if padding {
            if end != data.len() {
                return Err(malformed(
                    "RTCP packet",
                    "padding bit set on a packet that is not the last",
                    at,
                ));
            }
            let pad = usize::from(body.last().copied().unwrap_or(0));
            if pad == 0 || pad > body.len() {
                return Err(malformed(
                    "RTCP packet",
                    "invalid padding count",
                    end.saturating_sub(1),
                ));
            }
            &body[..body.len() - pad]
        } else {
            body
        };
        if packets.is_empty() && packet_type != PT_SR && packet_type != PT_RR {
            return Err(malformed(
                "RTCP compound packet",
                "does not start with an SR or RR",
                at + 1,
            ));
        }
        packets.push(parse_one(packet_type, count, body, at + 4)?);
        at = end;
    }
    Ok(packets)
}

fn parse_one(packet_type: u8, count: u8, body: &[u8], base: usize) -> Result<RtcpPacket, Error> {
    match packet_type {
        PT_SR | PT_RR => {
            let what = if packet_type == PT_SR {
                "RTCP sender report"
            } else {
                "RTCP receiver report"
            };
            let mut r = Reader::new(body, base, what);
            let ssrc = r.u32()?;
            let sender_info = if packet_type == PT_SR {
                Some(SenderInfo {
                    ntp_timestamp: r.u64()?,
                    rtp_timestamp: r.u32()?,
                    packet_count: r.u32()?,
                    octet_count: r.u32()?,
                })
            } else {
                None
            };
            let mut blocks = Vec::with_capacity(usize::from(count));
            for _ in 0..count {
                blocks.push(ReportBlock::parse(&mut r)?);
            }
            Ok(RtcpPacket::Report(Report {
                ssrc,
                sender_info,
                blocks,
                extension: r.rest().to_vec(),
            }))
        }
        PT_SDES => {
            let mut r = Reader::new(body, base, "RTCP SDES");
            let mut chunks = Vec::with_capacity(usize::from(count));
            for _ in 0..count {
                let ssrc = r.u32()?;
                let mut items = Vec::new();
                loop {
                    let kind = r.u8()?;
                    if kind == 0 {
                        // End of the list: skip to the next 32-bit boundary.
                        while r.pos % 4 != 0 {
                            r.u8()?;
                        }
                        break;
                    }
                    let len = usize::from(r.u8()?);
                    items.push(SdesItem {
                        kind,
                        value: r.take(len)?.to_vec(),
                    });
                }
                chunks.push(SdesChunk { ssrc, items });
            }
            Ok(RtcpPacket::Sdes(chunks))
        }
        PT_BYE => {
            let mut r = Reader::new(body, base, "RTCP BYE");
            let mut sources = Vec::with_capacity(usize::from(count));
            for _ in 0..count {
                sources.push(r.u32()?);
            }
            let reason = if r.pos < body.len() {
                let len = usize::from(r.u8()?);
                let text = r.take(len)?.to_vec();
                Some(text)
            } else {
                None
            };
            Ok(RtcpPacket::Bye { sources, reason })
        }
        PT_APP => {
            let mut r = Reader::new(body, base, "RTCP APP");
            let ssrc = r.u32()?;
            let name = r.take(4)?;
            Ok(RtcpPacket::App {
                subtype: count,
                ssrc,
                name: [name[0], name[1], name[2], name[3]],
                data: r.rest().to_vec(),
            })
        }
        PT_XR => {
            let mut r = Reader::new(body, base, "RTCP XR");
            let ssrc = r.u32()?;
            let mut blocks = Vec::new();
            while r.pos < body.len() {
                let start = r.offset();
                let block_type = r.u8()?;
                let type_specific = r.u8()?;
                let words = usize::from(r.u16()?);
                let content = r.take(words * 4)?;
                blocks.push(parse_xr_block(block_type, type_specific, content, start + 4)?);
            }
            Ok(RtcpPacket::Xr { ssrc, blocks })
        }
        _ => Ok(RtcpPacket::Unknown {
            packet_type,
            count,
            data: body.to_vec(),
        }),
    }
}

fn parse_xr_block(block_type: u8, type_specific: u8, content: &[u8], base: usize) -> Result<XrBlock, Error> {
    match block_type {
        XR_VOIP_METRICS if content.len() == VOIP_METRICS_LEN - 4 => {
            let mut r = Reader::new(content, base, "RTCP XR VoIP metrics block");
            let ssrc = r.u32()?;
            let loss_rate = r.u8()?;
            let discard_rate = r.u8()?;
            let burst_density = r.u8()?;
            let gap_density = r.u8()?;
            let burst_duration = r.u16()?;
            let gap_duration = r.u16()?;
            let round_trip_delay = r.u16()?;
            let end_system_delay = r.u16()?;
            let signal_level = r.u8()? as i8;
            let noise_level = r.u8()? as i8;
            let rerl = r.u8()?;
            let gmin = r.u8()?;
            let r_factor = r.u8()?;
            let ext_r_factor = r.u8()?;
            let mos_lq = r.u8()?;
            let mos_cq = r.u8()?;
            let rx_config = r.u8()?;
            let _reserved = r.u8()?;
            Ok(XrBlock::VoipMetrics(VoipMetrics {
                ssrc,
                loss_rate,
                discard_rate,
                burst_density,
                gap_density,
                burst_duration,
                gap_duration,
                round_trip_delay,
                end_system_delay,
                signal_level,
                noise_level,
                rerl,
                gmin,
                r_factor,
                ext_r_factor,
                mos_lq,
                mos_cq,
                rx_config,
                jb_nominal: r.u16()?,
                jb_maximum: r.u16()?,
                jb_abs_max: r.u16()?,
            }))
        }
        XR_VOIP_METRICS => Err(malformed(
            "RTCP XR VoIP metrics block",
            "block length is not 8 words",
            base - 2,
        )),
        XR_RRT if content.len() == 8 => {
            let mut r = Reader::new(content, base, "RTCP XR receiver reference time block");
            Ok(XrBlock::ReceiverReferenceTime {
                ntp_timestamp: r.u64()?,
            })
        }
        XR_DLRR if content.len() % 12 == 0 => {
            let mut r = Reader::new(content, base, "RTCP XR DLRR block");
            let mut items = Vec::with_capacity(content.len() / 12);
            while r.pos < content.len() {
                items.push(DlrrItem {
                    ssrc: r.u32()?,
                    last_rr: r.u32()?,
                    delay_since_last_rr: r.u32()?,
                });
            }
            Ok(XrBlock::Dlrr(items))
        }
        XR_RRT | XR_DLRR => Err(malformed(
            "RTCP XR block",
            "block length does not fit its type",
            base - 2,
        )),
        _ => Ok(XrBlock::Other {
            block_type,
            type_specific,
            data: content.to_vec(),
        }),
    }
}

/// Writes the 4-octet header of a packet whose body is `out[start + 4..]`,
/// padding the body with zeros to a 32-bit boundary.
fn finish(out: &mut Vec<u8>, start: usize, count: u8, packet_type: u8) {
    while (out.len() - start) % 4 != 0 {
        out.push(0);
    }
    let words = ((out.len() - start) / 4 - 1).min(usize::from(u16::MAX)) as u16;
    if let Some(header) = out.get_mut(start..start + 4) {
        header[0] = 0x80 | (count & 0x1F);
        header[1] = packet_type;
        header[2..4].copy_from_slice(&words.to_be_bytes());
    }
}

/// Appends one packet to `out`. Counts above 31 (report blocks, chunks,
/// sources) and SDES values above 255 octets are cut to what the format holds.
pub fn write_packet(packet: &RtcpPacket, out: &mut Vec<u8>) {
    let start = out.len();
    out.extend_from_slice(&[0; 4]);
    match packet {
        RtcpPacket::Report(report) => {
            let blocks = &report.blocks[..report.blocks.len().min(31)];
            out.extend_from_slice(&report.ssrc.to_be_bytes());
            if let Some(info) = &report.sender_info {
                out.extend_from_slice(&info.ntp_timestamp.to_be_bytes());
                out.extend_from_slice(&info.rtp_timestamp.to_be_bytes());
                out.extend_from_slice(&info.packet_count.to_be_bytes());
                out.extend_from_slice(&info.octet_count.to_be_bytes());
            }
            for block in blocks {
                block.write(out);
            }
            out.extend_from_slice(&report.extension);
            let pt = if report.sender_info.is_some() {
                PT_SR
            } else {
                PT_RR
            };
            finish(out, start, blocks.len() as u8, pt);
        }
        RtcpPacket::Sdes(chunks) => {
            let chunks = &chunks[..chunks.len().min(31)];
            for chunk in chunks {
                out.extend_from_slice(&chunk.ssrc.to_be_bytes());
                for item in &chunk.items {
                    let value = &item.value[..item.value.len().min(255)];
                    out.push(item.kind);
                    out.push(value.len() as u8);
                    out.extend_from_slice(value);
                }
                // The terminating null item, then pad to a 32-bit boundary.
                out.push(0);
                while (out.len() - start) % 4 != 0 {
                    out.push(0);
                }
            }
            finish(out, start, chunks.len() as u8, PT_SDES);
        }
        RtcpPacket::Bye { sources, reason } => {
            let sources = &sources[..sources.len().min(31)];
            for ssrc in sources {
                out.extend_from_slice(&ssrc.to_be_bytes());
            }
            if let Some(reason) = reason {
                let text = &reason[..reason.len().min(255)];
                out.push(text.len() as u8);
                out.extend_from_slice(text);
            }
            finish(out, start, sources.len() as u8, PT_BYE);
        }
        RtcpPacket::App {
            subtype,
            ssrc,
            name,
            data,
        } => {
            out.extend_from_slice(&ssrc.to_be_bytes());
            out.extend_from_slice(name);
            out.extend_from_slice(data);
            finish(out, start, *subtype, PT_APP);
        }
        RtcpPacket::Xr { ssrc, blocks } => {
            out.extend_from_slice(&ssrc.to_be_bytes());
            for block in blocks {
                write_xr_block(block, out);
            }
            finish(out, start, 0, PT_XR);
        }
        RtcpPacket::Unknown {
            packet_type,
            count,
            data,
        } => {
            out.extend_from_slice(data);
            finish(out, start, *count, *packet_type);
        }
    }
}

fn write_xr_block(block: &XrBlock, out: &mut Vec<u8>) {
    let start = out.len();
    let (block_type, type_specific) = match block {
        XrBlock::VoipMetrics(_) => (XR_VOIP_METRICS, 0),
        XrBlock::ReceiverReferenceTime { .. } => (XR_RRT, 0),
        XrBlock::Dlrr(_) => (XR_DLRR, 0),
        XrBlock::Other {
            block_type,
            type_specific,
            ..
        } => (*block_type, *type_specific),
    };
    out.extend_from_slice(&[block_type, type_specific, 0, 0]);
    match block {
        XrBlock::VoipMetrics(m) => {
            out.extend_from_slice(&m.ssrc.to_be_bytes());
            out.extend_from_slice(&[m.loss_rate, m.discard_rate, m.burst_density, m.gap_density]);
            for v in [
                m.burst_duration,
                m.gap_duration,
                m.round_trip_delay,
                m.end_system_delay,
            ] {
                out.extend_from_slice(&v.to_be_bytes());
            }
            out.extend_from_slice(&[m.signal_level as u8, m.noise_level as u8, m.rerl, m.gmin]);
            out.extend_from_slice(&[m.r_factor, m.ext_r_factor, m.mos_lq, m.mos_cq]);
            out.extend_from_slice(&[m.rx_config, 0]);
            for v in [m.jb_nominal, m.jb_maximum, m.jb_abs_max] {
                out.extend_from_slice(&v.to_be_bytes());
            }
        }
        XrBlock::ReceiverReferenceTime { ntp_timestamp } => {
            out.extend_from_slice(&ntp_timestamp.to_be_bytes())
        }
        XrBlock::Dlrr(items) => {
            for item in items {
                out.extend_from_slice(&item.ssrc.to_be_bytes());
                out.extend_from_slice(&item.last_rr.to_be_bytes());
                out.extend_from_slice(&item.delay_since_last_rr.to_be_bytes());
            }
        }
        XrBlock::Other { data, .. } => out.extend_from_slice(data),
    }
    while (out.len() - start) % 4 != 0 {
        out.push(0);
    }
    let words = ((out.len() - start) / 4 - 1).min(usize::from(u16::MAX)) as u16;
    if let Some(len) = out.get_mut(start + 2..start + 4) {
        len.copy_from_slice(&words.to_be_bytes());
    }
}

/// Appends a compound packet (the packets back to back).
pub fn write_compound(packets: &[RtcpPacket], out: &mut Vec<u8>) {
    for packet in packets {
        write_packet(packet, out);
    }
}

/// Middle 32 bits of a 64-bit NTP timestamp (the LSR / LRR format).
pub fn ntp_middle(ntp: u64) -> u32 {
    (ntp >> 16) as u32
}

/// A duration in the 1/65536 s units of DLSR (saturating).
pub fn to_dlsr_units(d: Duration) -> u32 {
    let units = d.as_nanos() * 65536 / 1_000_000_000;
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// The RFC 3550 report interval as a sans-IO timer: at least
/// `min_interval` (5 s by default, RFC 3550 §6.2) or the 5 % bandwidth
/// share if that is longer, randomised by a factor in [0.5, 1.5] so that
/// participants do not synchronise; the first report comes after half an
/// interval (RFC 3550 §6.2 "initial" rule).
#[derive(Clone, Debug)]
pub struct RtcpTimer {
    min_interval: Duration,
    next: Option<Instant>,
    rng: u32,
    /// RTCP share of the session bandwidth, octets per second.
    rtcp_bytes_per_second: f64,
    /// Average compound size, octets (RFC 3550 avg_rtcp_size).
    average_size: f64,
    members: u32,
}

impl RtcpTimer {
    /// A timer with this minimum, for a session of `session_bps` bits per
    /// second (RTCP gets 5 % of it), randomised from `seed`.
    pub fn new(min_interval: Duration, session_bps: u32, seed: u32) -> Result<RtcpTimer, Error> {
        if min_interval < Duration::from_millis(100) || min_interval > Duration::from_secs(3600) {
            return Err(Error::InvalidConfig {
                field: "rtcp min_interval",
                value: min_interval.as_millis() as u64,
                allowed: "100 ms to 1 hour",
            });
        }
        Ok(RtcpTimer {
            min_interval,
            next: None,
            rng: seed | 1,
            rtcp_bytes_per_second: (f64::from(session_bps) * 0.05 / 8.0).max(1.0),
            average_size: 100.0,
            members: 2,
        })
    }

    fn random_factor(&mut self) -> f64 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 17;
        self.rng ^= self.rng << 5;
        0.5 + f64::from(self.rng) / f64::from(u32::MAX)
    }

    /// The deterministic interval before randomisation (RFC 3550 A.7).
    pub fn base_interval(&self) -> Duration {
        let share = self.average_size * f64::from(self.members) / self.rtcp_bytes_per_second;
        Duration::from_secs_f64(share).max(self.min_interval)
    }

    /// Records the size of a compound sent or received (the running
    /// average of RFC 3550 §6.3.3) and the number of session members.
    pub fn observe(&mut self, size: usize, members: u32) {
        self.average_size += (size as f64 - self.average_size) / 16.0;
        self.members = members.max(2);
    }

    /// When the next report is due (None before [`start`](Self::start)).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.next
    }

    /// Starts the schedule at `now`: the first report after half an interval.
    pub fn start(&mut self, now: Instant) {
        let first = self.base_interval().mul_f64(0.5 * self.random_factor());
        self.next = Some(now + first);
    }

    /// True when a report is due at `now`; the next one is then scheduled.
    pub fn handle_timeout(&mut self, now: Instant) -> bool {
        match self.next {
            None => {
                self.start(now);
                false
            }
            Some(at) if now >= at => {
                let interval = self.base_interval().mul_f64(self.random_factor());
                self.next = Some(now + interval);
                true
            }
            Some(_) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn block(ssrc: u32, lost: i32) -> ReportBlock {
        ReportBlock {
            ssrc,
            fraction_lost: 25,
            cumulative_lost: lost,
            extended_highest_sequence: 0x0001_0005,
            jitter: 80,
            last_sr: 0x1234_5678,
            delay_since_last_sr: 65536,
        }
    }

    #[test]
    fn sender_report_layout_matches_rfc3550() {
        let sr = RtcpPacket::Report(Report {
            ssrc: 0xAABB_CCDD,
            sender_info: Some(SenderInfo {
                ntp_timestamp: 0x0102_0304_0506_0708,
                rtp_timestamp: 160,
                packet_count: 10,
                octet_count: 1600,
            }),
            blocks: vec![block(7, -3)],
            extension: Vec::new(),
        });
        let mut out = Vec::new();
        write_packet(&sr, &mut out);
        assert_eq!(out.len(), 52);
        assert_eq!(&out[..4], &[0x81, 200, 0, 12]);
        // Cumulative lost -3 as 24-bit two's complement after fraction 25.
        assert_eq!(&out[32..36], &[25, 0xFF, 0xFF, 0xFD]);
        assert_eq!(parse_compound(&out).unwrap(), vec![sr]);
    }

    #[test]
    fn compound_with_sdes_bye_app_and_xr_round_trips() {
        let packets = vec![
            RtcpPacket::Report(Report {
                ssrc: 1,
                sender_info: None,
                blocks: vec![block(2, 5), block(3, MAX_CUMULATIVE_LOST)],
                extension: Vec::new(),
            }),
            RtcpPacket::Sdes(vec![SdesChunk {
                ssrc: 1,
                items: vec![SdesItem {
                    kind: SDES_CNAME,
                    value: b"fxs@gw".to_vec(),
                }],
            }]),
            RtcpPacket::Xr {
                ssrc: 1,
                blocks: vec![
                    XrBlock::VoipMetrics(VoipMetrics {
                        ssrc: 2,
                        loss_rate: 3,
                        r_factor: 90,
                        mos_lq: 42,
                        signal_level: -20,
                        noise_level: UNAVAILABLE as i8,
                        gmin: 16,
                        jb_nominal: 40,
                        jb_maximum: 80,
                        jb_abs_max: 200,
                        ..VoipMetrics::default()
                    }),
                    XrBlock::Dlrr(vec![DlrrItem {
                        ssrc: 2,
                        last_rr: 9,
                        delay_since_last_rr: 10,
                    }]),
                    XrBlock::Other {
                        block_type: 6,
                        type_specific: 0xE0,
                        data: vec![1, 2, 3, 4, 5, 6, 7, 8],
                    },
                ],
            },
            RtcpPacket::App {
                subtype: 3,
                ssrc: 1,
                name: *b"TEST",
                data: vec![9, 9, 9, 9],
            },
            RtcpPacket::Bye {
                sources: vec![1],
                reason: Some(b"hangup".to_vec()),
            },
        ];
        let mut out = Vec::new();
        write_compound(&packets, &mut out);
        assert_eq!(out.len() % 4, 0);
        assert_eq!(parse_compound(&out).unwrap(), packets);
    }

    #[test]
    fn voip_metrics_block_is_36_octets() {
        let mut out = Vec::new();
        write_xr_block(&XrBlock::VoipMetrics(VoipMetrics::default()), &mut out);
        assert_eq!(out.len(), VOIP_METRICS_LEN);
        assert_eq!(&out[..4], &[7, 0, 0, 8]);
    }

    #[test]
    fn malformed_compounds_name_the_problem() {
        let mut rr = Vec::new();
        write_packet(
            &RtcpPacket::Report(Report {
                ssrc: 1,
                ..Report::default()
            }),
            &mut rr,
        );
        // Truncated: the length says more than is there.
        let err = parse_compound(&rr[..6]).unwrap_err();
        assert!(matches!(err, Error::Malformed { at: 2, .. }), "{err:?}");
        // Wrong version.
        let mut bad = rr.clone();
        bad[0] = 0x40;
        assert!(parse_compound(&bad).unwrap_err().to_string().contains("version"));
        // Not starting with SR/RR.
        let mut bye = Vec::new();
        write_packet(
            &RtcpPacket::Bye {
                sources: vec![1],
                reason: None,
            },
            &mut bye,
        );
        assert!(parse_compound(&bye).unwrap_err().to_string().contains("SR or RR"));
        // A report count larger than the body.
        let mut count = rr.clone();
        count[0] = 0x81;
        assert!(
            parse_compound(&count)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
        // Padding on a packet that is not the last.
        let mut padded = rr.clone();
        padded[0] |= 0x20;
        padded.extend_from_slice(&rr);
        assert!(
            parse_compound(&padded)
                .unwrap_err()
                .to_string()
                .contains("padding")
        );
    }

    #[test]
    fn round_trip_time_is_arrival_minus_lsr_minus_dlsr() {
        let sent_ntp: u64 = 0x0000_1000_8000_0000; // 4096.5 s
        let block = ReportBlock {
            last_sr: ntp_middle(sent_ntp),
            delay_since_last_sr: to_dlsr_units(Duration::from_millis(250)),
            ..ReportBlock::default()
        };
        // Arrival 400 ms after the SR: 250 ms held by the peer, 150 ms of travel.
        let arrival = sent_ntp + ((400u64 << 32) / 1000);
        let rtt = block.round_trip_time(arrival).unwrap();
        assert!((rtt.as_secs_f64() - 0.150).abs() < 0.001, "{rtt:?}");
        assert_eq!(ReportBlock::default().round_trip_time(arrival), None);
    }

    #[test]
    fn report_interval_is_at_least_the_minimum_randomised_half_to_one_and_a_half() {
        let start = Instant::now();
        let mut timer = RtcpTimer::new(Duration::from_secs(5), 80_000, 42).unwrap();
        timer.start(start);
        let first = timer.poll_timeout().unwrap() - start;
        assert!(first <= Duration::from_millis(3750), "{first:?}");
        let mut now = timer.poll_timeout().unwrap();
        let mut intervals = Vec::new();
        for _ in 0..200 {
            assert!(timer.handle_timeout(now));
            let next = timer.poll_timeout().unwrap();
            intervals.push((next - now).as_secs_f64());
            assert!(!timer.handle_timeout(now + Duration::from_millis(1)));
            now = next;
        }
        let min = intervals.iter().copied().fold(f64::MAX, f64::min);
        let max = intervals.iter().copied().fold(0.0, f64::max);
        let mean = intervals.iter().sum::<f64>() / intervals.len() as f64;
        assert!(min >= 2.5 && max <= 7.5, "{min} {max}");
        assert!((mean - 5.0).abs() < 0.4, "{mean}");
        assert!(max - min > 3.0, "not randomised: {min}..{max}");
    }

    fn block_strategy() -> impl Strategy<Value = ReportBlock> {
        (
            any::<u32>(),
            any::<u8>(),
            MIN_CUMULATIVE_LOST..=MAX_CUMULATIVE_LOST,
            any::<[u32; 4]>(),
        )
            .prop_map(|(ssrc, fraction_lost, cumulative_lost, w)| ReportBlock {
                ssrc,
                fraction_lost,
                cumulative_lost,
                extended_highest_sequence: w[0],
                jitter: w[1],
                last_sr: w[2],
                delay_since_last_sr: w[3],
            })
    }

    fn packet_strategy() -> impl Strategy<Value = RtcpPacket> {
        let report = (
            any::<u32>(),
            proptest::option::of(any::<(u64, u32, u32, u32)>()),
            proptest::collection::vec(block_strategy(), 0..4),
            proptest::collection::vec(any::<[u8; 4]>(), 0..3),
        )
            .prop_map(|(ssrc, info, blocks, ext)| {
                RtcpPacket::Report(Report {
                    ssrc,
                    sender_info: info.map(|(n, r, p, o)| SenderInfo {
                        ntp_timestamp: n,
                        rtp_timestamp: r,
                        packet_count: p,
                        octet_count: o,
                    }),
                    blocks,
                    extension: ext.concat(),
                })
            });
        let sdes = proptest::collection::vec(
            (
                any::<u32>(),
                proptest::collection::vec((1u8..=8, proptest::collection::vec(any::<u8>(), 0..20)), 0..3),
            ),
            0..3,
        )
        .prop_map(|chunks| {
            RtcpPacket::Sdes(
                chunks
                    .into_iter()
                    .map(|(ssrc, items)| SdesChunk {
                        ssrc,
                        items: items
                            .into_iter()
                            .map(|(kind, value)| SdesItem { kind, value })
                            .collect(),
                    })
                    .collect(),
            )
        });
        let bye = (
            proptest::collection::vec(any::<u32>(), 0..4),
            proptest::option::of(proptest::collection::vec(any::<u8>(), 0..30)),
        )
            .prop_map(|(sources, reason)| RtcpPacket::Bye { sources, reason });
        let xr = (
            any::<u32>(),
            proptest::collection::vec(
                prop_oneof![
                    any::<(u32, [u8; 4], [u16; 4], [u8; 9], [u16; 3])>().prop_map(|(ssrc, a, b, c, d)| {
                        XrBlock::VoipMetrics(VoipMetrics {
                            ssrc,
                            loss_rate: a[0],
                            discard_rate: a[1],
                            burst_density: a[2],
                            gap_density: a[3],
                            burst_duration: b[0],
                            gap_duration: b[1],
                            round_trip_delay: b[2],
                            end_system_delay: b[3],
                            signal_level: c[0] as i8,
                            noise_level: c[1] as i8,
                            rerl: c[2],
                            gmin: c[3],
                            r_factor: c[4],
                            ext_r_factor: c[5],
                            mos_lq: c[6],
                            mos_cq: c[7],
                            rx_config: c[8],
                            jb_nominal: d[0],
                            jb_maximum: d[1],
                            jb_abs_max: d[2],
                        })
                    }),
                    any::<u64>().prop_map(|ntp_timestamp| XrBlock::ReceiverReferenceTime { ntp_timestamp }),
                    proptest::collection::vec(any::<(u32, u32, u32)>(), 0..3).prop_map(|v| XrBlock::Dlrr(
                        v.into_iter()
                            .map(|(ssrc, last_rr, delay_since_last_rr)| DlrrItem {
                                ssrc,
                                last_rr,
                                delay_since_last_rr
                            })
                            .collect()
                    )),
                    (
                        prop_oneof![Just(1u8), Just(2), Just(3), Just(6), Just(99)],
                        any::<u8>(),
                        proptest::collection::vec(any::<[u8; 4]>(), 0..4)
                    )
                        .prop_map(|(block_type, type_specific, data)| XrBlock::Other {
                            block_type,
                            type_specific,
                            data: data.concat()
                        }),
                ],
                0..4,
            ),
        )
            .prop_map(|(ssrc, blocks)| RtcpPacket::Xr { ssrc, blocks });
        prop_oneof![report, sdes, bye, xr]
    }

    proptest! {
        #[test]
        fn build_then_parse_round_trips(first in block_strategy(), rest in proptest::collection::vec(packet_strategy(), 0..4)) {
            let mut packets = vec![RtcpPacket::Report(Report { ssrc: 1, sender_info: None, blocks: vec![first], extension: Vec::new() })];
            packets.extend(rest);
            let mut out = Vec::new();
            write_compound(&packets, &mut out);
            prop_assert_eq!(parse_compound(&out).unwrap(), packets);
        }

        #[test]
        fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..120)) {
            let _ = parse_compound(&data);
        }
    }
}
