//! One RTP audio stream: 10 ms PCM frames in and out on the line side, RTP
//! and RTCP datagrams in and out on the network side, with everything
//! between them for one call leg.
//!
//! Uplink (line → network): optional relay of in-band DTMF as RFC 4733
//! events (the tone is detected on the uplink, removed from the audio and
//! sent as events, so the digit leaves exactly once), digits sent by the
//! application ([`MediaStream::send_digit`]: as RFC 4733 events when
//! negotiated, otherwise as in-band tones), voice activity detection with
//! RFC 3389 comfort noise, encoding and RTP packetisation.
//!
//! Downlink (network → line): RTP receive rules of RFC 3550 (sequence
//! tracking, loss, interarrival jitter), the adaptive (or fixed) jitter
//! buffer, decoding, G.711 Appendix I concealment, comfort noise in DTX
//! gaps, RFC 4733 events out as [`MediaEvent`]s (and regenerated as tones
//! for the line if configured).
//!
//! Around them: symmetric RTP (latching the send address to where the
//! peer's packets come from, by [`LatchPolicy`]), RTCP reports (SR/RR,
//! SDES CNAME, XR VoIP metrics) on the RTP port + 1, round-trip time, and
//! an E-model R factor and MOS in [`MediaStats`].

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use fxs_tones::{Dbm0, Digit, DtmfDetector, DtmfEvent};

use crate::cng::{CnAnalyzer, CnGenerator, ComfortNoise, level_to_rms};
use crate::codec::{AudioDecoder, AudioEncoder, Codec};
use crate::jitter::{InsertOutcome, JitterBuffer, JitterBufferConfig, JitterMode, Playout};
use crate::plc::{PLC_DELAY_SAMPLES, Plc};
use crate::quality::{
    BurstGapCounter, CodecImpairment, EModelInput, GMIN, LossPattern, mos_from_r, r_factor,
};
use crate::rtcp::{
    self, DlrrItem, Report, ReportBlock, RtcpPacket, RtcpTimer, SDES_CNAME, SdesChunk, SdesItem, SenderInfo,
    UNAVAILABLE, VoipMetrics, XrBlock,
};
use crate::rtp::{FIXED_HEADER_LEN, RtpPacket, RtpSender};
use crate::telephone_event::{
    EVENT_FLASH, EventReceiver, EventReceiverConfig, EventSender, ReceivedEvent, ToneRegenerator,
    parse_payload,
};
use crate::vad::{Vad, VadConfig};
use crate::{Error, FRAME_SAMPLES};

/// Packets waiting for [`MediaStream::poll_rtp`]; when full, the oldest is
/// dropped (and counted in [`MediaStats::packets_unsent`]).
const TX_QUEUE_LEN: usize = 8;
/// Largest datagram queued (header + the largest payload we produce).
const TX_DATAGRAM_CAPACITY: usize = FIXED_HEADER_LEN + 1700;

/// Largest packetisation interval accepted, in ms.
const MAX_PTIME_MS: u32 = 200;
/// Largest jitter-buffer delay accepted, in ms.
const MAX_JITTER_BUFFER_MS: u32 = 1000;
/// Room in the jitter buffer beyond the delay and two packets, in 10 ms
/// frames: enough for one packet of the longest ptime we accept, which the
/// remote may use whatever we asked for.
const JITTER_HEADROOM_FRAMES: u32 = MAX_PTIME_MS / 10;
/// Resynchronisation threshold of the jitter buffer (media.md §6: Asterisk 1000 ms).
const RESYNC_MS: u32 = 1000;

/// RFC 3550 Appendix A.1: a jump of this many sequence numbers or more is
/// not an ordinary loss.
const MAX_DROPOUT: u16 = 3000;
/// RFC 3550 Appendix A.1: a packet this many numbers behind is old, not a restart.
const MAX_MISORDER: u16 = 100;

/// Uplink delay while in-band DTMF is relayed as events: the detector
/// declares a digit 30 ms after it began (fxs-tones `DtmfDetector`), plus
/// one 10 ms block of alignment and 10 ms of margin, so the whole tone is
/// still in the delay line when it is recognised and can be removed.
pub const DTMF_LOOKAHEAD_MS: u32 = 50;
/// Audio muted after a relayed digit's detected end, in samples (10 ms).
const MUTE_GUARD_SAMPLES: u64 = 80;
/// Digit spans tracked on the uplink at once.
const MAX_SPANS: usize = 4;
/// Shortest RFC 4733 event and gap we send (dtmf.md §2 design rule: 40 ms).
const MIN_EVENT_MS: u32 = 40;
/// Volume of the events we send (−10 dBm0, the generator's default level).
const EVENT_VOLUME: u8 = 10;
/// Level of regenerated received digits (low tone, dtmf.md §2).
const REGENERATED_LEVEL_DBM0: f32 = -10.0;
/// Media events queued for [`MediaStream::poll_event`].
const EVENT_QUEUE_LEN: usize = 16;
/// In-band digits queued by [`MediaStream::send_digit`] without RFC 4733.
const INBAND_QUEUE_LEN: usize = 16;
/// A comfort-noise update is sent when the level moved this many dB.
const CN_LEVEL_CHANGE_DB: u8 = 3;
/// A comfort-noise update is also sent after this many silent packets
/// (many stacks resend every few hundred ms, media.md §5); 100 × ptime.
const CN_REFRESH_PACKETS: u32 = 100;
/// Order of the spectral model sent in comfort-noise packets.
const CN_ORDER: usize = 4;
/// A played frame quieter than this RMS counts as quiet for time-scaling
/// (about −40 dBov).
const QUIET_RMS: f32 = 230.0;
/// Default NTP origin when the caller gives no wallclock (an arbitrary
/// instant: RTCP needs only a consistent clock for LSR/DLSR).
const DEFAULT_NTP_ORIGIN: u64 = 0xE000_0000_0000_0000;

/// How the receive playout delay is managed (media.md §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlayoutMode {
    /// Follows the measured jitter between the bounds (ms, multiples of
    /// 10), starting at [`MediaConfig::jitter_buffer_ms`]; time-scales to
    /// get there and to absorb clock drift.
    Adaptive {
        /// Smallest delay (media.md §6: 20 ms).
        min_ms: u32,
        /// Largest delay (media.md §6: 200 ms).
        max_ms: u32,
    },
    /// Constant delay [`MediaConfig::jitter_buffer_ms`], no time-scaling:
    /// fax and modem pass-through (fax-t38.md §9).
    Fixed,
}

/// Symmetric RTP: where to send, compared with where the peer's packets
/// come from (NAT traversal without one-way audio).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LatchPolicy {
    /// Always send to the address from signalling.
    Off,
    /// Send to the source of the first valid RTP packet and stay there.
    #[default]
    FirstPacket,
    /// Follow the source of every valid packet of the current remote SSRC.
    Always,
}

/// How a [`MediaStream`] sends and receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaConfig {
    /// Codec in both directions.
    pub codec: Codec,
    /// Negotiated payload type (0..=127), sent and expected.
    pub payload_type: u8,
    /// Packetisation interval in ms: a multiple of 10, 10..=200 (media.md §3: default 20).
    pub ptime_ms: u32,
    /// Our SSRC (RFC 3550: random).
    pub ssrc: u32,
    /// Sequence number of our first packet (RFC 3550: random).
    pub initial_sequence: u16,
    /// Timestamp of our first packet (RFC 3550: random).
    pub initial_timestamp: u32,
    /// Playout delay in ms: a multiple of 10, 0..=1000; the constant delay
    /// in [`PlayoutMode::Fixed`], the starting one in adaptive mode
    /// (media.md §6: start at 40-60).
    pub jitter_buffer_ms: u32,
    /// Adaptive (voice) or fixed (fax/modem) playout.
    pub playout: PlayoutMode,
    /// G.711 Appendix I packet-loss concealment (off for fax/modem).
    pub plc: bool,
    /// Negotiated RFC 4733 telephone-event payload type, if any.
    pub telephone_event_payload_type: Option<u8>,
    /// With telephone-events: detect DTMF in the uplink audio, send it as
    /// events and remove the tone from the audio (adds
    /// [`DTMF_LOOKAHEAD_MS`] of uplink delay).
    pub relay_inband_dtmf: bool,
    /// Play received RFC 4733 digits to the line as tones.
    pub regenerate_received_digits: bool,
    /// Negotiated RFC 3389 comfort-noise payload type (13 at 8 kHz), if any.
    pub comfort_noise_payload_type: Option<u8>,
    /// Silence suppression: send comfort noise instead of silent audio
    /// (needs `comfort_noise_payload_type`; off for fax/modem).
    pub vad: bool,
    /// Symmetric RTP latching policy.
    pub latch: LatchPolicy,
    /// Minimum RTCP report interval in ms (RFC 3550: 5000; Asterisk allows 500-60000).
    pub rtcp_interval_ms: u32,
}

impl Default for MediaConfig {
    /// PCMU, payload type 0, 20 ms packets, adaptive playout 20-200 ms
    /// starting at 60 ms, PLC on, no telephone-events, no comfort noise,
    /// latching on the first packet, RTCP every 5 s. SSRC, sequence and
    /// timestamp are 0: set them from a random source.
    fn default() -> MediaConfig {
        MediaConfig {
            codec: Codec::Pcmu,
            payload_type: 0,
            ptime_ms: 20,
            ssrc: 0,
            initial_sequence: 0,
            initial_timestamp: 0,
            jitter_buffer_ms: 60,
            playout: PlayoutMode::Adaptive {
                min_ms: 20,
                max_ms: 200,
            },
            plc: true,
            telephone_event_payload_type: None,
            relay_inband_dtmf: true,
            regenerate_received_digits: true,
            comfort_noise_payload_type: None,
            vad: false,
            latch: LatchPolicy::FirstPacket,
            rtcp_interval_ms: 5000,
        }
    }
}

impl MediaConfig {
    /// The same configuration set up for fax or modem pass-through
    /// (media.md §5-§6, fax-t38.md §9): fixed playout, no PLC, no VAD or
    /// comfort noise, no in-band DTMF stripping.
    pub fn pass_through(self) -> MediaConfig {
        MediaConfig {
            playout: PlayoutMode::Fixed,
            plc: false,
            vad: false,
            relay_inband_dtmf: false,
            ..self
        }
    }

    /// Checks the values; the error names the field and what is allowed.
    pub fn validate(&self) -> Result<(), Error> {
        if self.payload_type > 127 {
            return Err(Error::InvalidConfig {
                field: "payload_type",
                value: self.payload_type.into(),
                allowed: "0..=127",
            });
        }
        if self.ptime_ms == 0 || self.ptime_ms % 10 != 0 || self.ptime_ms > MAX_PTIME_MS {
            return Err(Error::InvalidConfig {
                field: "ptime_ms",
                value: self.ptime_ms.into(),
                allowed: "a multiple of 10 from 10 to 200",
            });
        }
        if self.jitter_buffer_ms % 10 != 0 || self.jitter_buffer_ms > MAX_JITTER_BUFFER_MS {
            return Err(Error::InvalidConfig {
                field: "jitter_buffer_ms",
                value: self.jitter_buffer_ms.into(),
                allowed: "a multiple of 10 from 0 to 1000",
            });
        }
        if let PlayoutMode::Adaptive { min_ms, max_ms } = self.playout {
            if min_ms % 10 != 0 || min_ms > max_ms || max_ms > MAX_JITTER_BUFFER_MS {
                return Err(Error::InvalidConfig {
                    field: "playout",
                    value: max_ms.into(),
                    allowed: "min_ms <= max_ms <= 1000, multiples of 10",
                });
            }
        }
        for (field, pt) in [
            ("telephone_event_payload_type", self.telephone_event_payload_type),
            ("comfort_noise_payload_type", self.comfort_noise_payload_type),
        ] {
            if let Some(pt) = pt {
                if pt > 127 || pt == self.payload_type {
                    return Err(Error::InvalidConfig {
                        field,
                        value: pt.into(),
                        allowed: "0..=127 and different from payload_type",
                    });
                }
            }
        }
        if self.rtcp_interval_ms < 100 || self.rtcp_interval_ms > 3_600_000 {
            return Err(Error::InvalidConfig {
                field: "rtcp_interval_ms",
                value: self.rtcp_interval_ms.into(),
                allowed: "100..=3600000",
            });
        }
        Ok(())
    }

    fn samples_per_ms(&self) -> u32 {
        self.codec.clock_rate() / 1000
    }
}

/// Something the stream wants the application to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MediaEvent {
    /// The peer started a DTMF digit (RFC 4733).
    DigitStarted {
        /// The digit.
        digit: Digit,
    },
    /// The digit ended.
    DigitEnded {
        /// The digit.
        digit: Digit,
        /// Its length.
        duration: Duration,
    },
    /// The peer sent a hook flash event (RFC 4733 event 16).
    Flash,
    /// The send address was latched to where the peer's RTP comes from.
    RemoteLatched {
        /// The new RTP destination.
        address: SocketAddr,
    },
    /// The peer's SSRC said goodbye in RTCP.
    RemoteBye,
}

/// Counters and quality figures of a [`MediaStream`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MediaStats {
    /// RTP packets produced (audio, events and comfort noise).
    pub packets_sent: u64,
    /// Payload octets produced (RFC 3550 §6.4.1 sender's octet count: no headers).
    pub octets_sent: u64,
    /// RTP packets received from the current and earlier remote sources,
    /// including those of another payload type, duplicates and late ones.
    pub packets_received: u64,
    /// Packets lost, from sequence numbers (RFC 3550 Appendix A.3: expected
    /// minus received), with detected duplicates not counted as received;
    /// never negative.
    pub packets_lost: u64,
    /// Packets that came after their playout time and were dropped.
    pub packets_late: u64,
    /// Packets dropped because the jitter buffer already had them.
    pub packets_duplicate: u64,
    /// Interarrival jitter (RFC 3550 §6.4.1, Appendix A.8) in ms.
    pub jitter_ms: f32,
    /// Valid packets that were not played: a payload type not negotiated,
    /// or a sequence-number jump not yet confirmed by the next packet
    /// (RFC 3550 Appendix A.1).
    pub packets_ignored: u64,
    /// 10 ms frames with nothing received for them (concealed by PLC, or
    /// silence without it).
    pub frames_concealed: u64,
    /// Times the jitter buffer emptied and re-anchored (timestamp jump,
    /// clock drift or a new remote SSRC).
    pub jitter_buffer_resyncs: u64,
    /// Packets dropped because [`MediaStream::poll_rtp`] was not called in time.
    pub packets_unsent: u64,
    /// Frames dropped by the adaptive jitter buffer to shrink the delay.
    pub frames_shrunk: u64,
    /// Frames inserted by the adaptive jitter buffer to grow the delay.
    pub frames_stretched: u64,
    /// Current (nominal) playout delay, ms.
    pub jitter_buffer_delay_ms: f32,
    /// Largest playout delay held, ms.
    pub jitter_buffer_max_delay_ms: f32,
    /// Loss including late discards, percent of expected packets.
    pub loss_percent: f32,
    /// Burst ratio of the loss (1 = random).
    pub burst_ratio: f32,
    /// Round-trip time from RTCP, ms, once measured.
    pub round_trip_ms: Option<f32>,
    /// E-model R factor of what we hear (G.107, media.md §8).
    pub r_factor: f32,
    /// MOS (CQE) from the R factor.
    pub mos: f32,
    /// Digits sent (RFC 4733 events or in-band).
    pub digits_sent: u64,
    /// Digits received as RFC 4733 events (each counted once).
    pub digits_received: u64,
    /// Comfort-noise packets sent.
    pub comfort_noise_sent: u64,
    /// Comfort-noise packets received.
    pub comfort_noise_received: u64,
    /// RTCP compounds produced.
    pub rtcp_sent: u64,
    /// RTCP compounds received and parsed.
    pub rtcp_received: u64,
    /// Fraction lost reported by the peer in its last report, 0..1.
    pub remote_fraction_lost: f32,
    /// Jitter reported by the peer in its last report, ms.
    pub remote_jitter_ms: f32,
}

/// A digit seen on the uplink audio, in the sample index space of the line.
#[derive(Clone, Copy, Debug)]
struct Span {
    code: u8,
    digit: Digit,
    start: u64,
    end: Option<u64>,
    pressed: bool,
    released: bool,
}

/// Receive-side sequence and jitter state of one remote source
/// (RFC 3550 Appendix A.1 and A.8).
#[derive(Clone, Copy, Debug)]
struct SourceState {
    ssrc: u32,
    max_seq: u16,
    /// Sequence-number wrap count, shifted (RFC 3550 A.1 `cycles`).
    cycles: u32,
    base_seq: u32,
    bad_seq: u32,
    received: u64,
    /// Losses counted before a sequence restart (A.1 `init_seq` on a jump).
    lost_carry: i64,
    /// Relative transit time of the previous packet; None before the first.
    transit: Option<i32>,
    /// Interarrival jitter ×16, in timestamp units (A.8 integer form; 64
    /// bits so that absurd timestamps cannot overflow it).
    jitter_q4: u64,
    /// Packets missing just before the last one (0 when in order).
    last_gap: u64,
    /// Expected and received at the last RTCP report (A.3 fraction lost).
    expected_prior: i64,
    received_prior: u64,
}

impl SourceState {
    fn new(ssrc: u32, seq: u16) -> SourceState {
        SourceState {
            ssrc,
            max_seq: seq,
            cycles: 0,
            base_seq: u32::from(seq),
            bad_seq: u32::from(u16::MAX) + 2,
            received: 0,
            lost_carry: 0,
            transit: None,
            jitter_q4: 0,
            last_gap: 0,
            expected_prior: 0,
            received_prior: 0,
        }
    }

    /// RFC 3550 A.1 `update_seq` without probation (the remote is known
    /// from signalling). Returns false for a packet from far outside the
    /// sequence window (not counted).
    fn update_seq(&mut self, seq: u16) -> bool {
        let udelta = seq.wrapping_sub(self.max_seq);
        self.last_gap = 0;
        if udelta < MAX_DROPOUT {
            if self.received > 0 && udelta > 1 {
                self.last_gap = u64::from(udelta - 1);
            }
            if seq < self.max_seq {
                self.cycles = self.cycles.wrapping_add(1 << 16);
            }
            self.max_seq = seq;
        } else if udelta <= u16::MAX - MAX_MISORDER {
            // A very large jump: accept it only if the next packet follows it.
            if u32::from(seq) == self.bad_seq {
                // The sender restarted its numbering: start counting afresh.
                self.lost_carry = self.lost();
                self.max_seq = seq;
                self.cycles = 0;
                self.base_seq = u32::from(seq);
                self.bad_seq = u32::from(u16::MAX) + 2;
                self.received = 0;
            } else {
                self.bad_seq = u32::from(seq.wrapping_add(1));
                return false;
            }
        }
        // Otherwise a duplicate or reordered packet: counted, max unchanged.
        self.received += 1;
        true
    }

    /// Extended highest sequence number (A.1).
    fn extended_max(&self) -> u32 {
        self.cycles.wrapping_add(u32::from(self.max_seq))
    }

    /// Packets expected since the start of this numbering (A.3).
    fn expected(&self) -> i64 {
        i64::from(self.cycles) + i64::from(self.max_seq) - i64::from(self.base_seq) + 1
    }

    /// Fraction lost since the previous call, ×256 (A.3), and moves the
    /// interval on.
    fn fraction_lost_since_last(&mut self) -> u8 {
        let expected = self.expected();
        let expected_interval = expected - self.expected_prior;
        let received_interval = self.received as i64 - self.received_prior as i64;
        self.expected_prior = expected;
        self.received_prior = self.received;
        let lost_interval = expected_interval - received_interval;
        if expected_interval <= 0 || lost_interval <= 0 {
            0
        } else {
            ((lost_interval << 8) / expected_interval).min(255) as u8
        }
    }

    /// Expected minus received (RFC 3550 A.3), before duplicates are removed.
    fn lost(&self) -> i64 {
        let extended_max = i64::from(self.cycles) + i64::from(self.max_seq);
        let expected = extended_max - i64::from(self.base_seq) + 1;
        self.lost_carry + expected - self.received as i64
    }

    /// RFC 3550 A.8: J += (|D| - J) / 16 with D from arrival and RTP time.
    fn update_jitter(&mut self, arrival: u32, timestamp: u32) {
        let transit = arrival.wrapping_sub(timestamp) as i32;
        if let Some(previous) = self.transit {
            let d = u64::from(transit.wrapping_sub(previous).unsigned_abs());
            // jitter += d - ((jitter + 8) >> 4), in the ×16 fixed point of A.8.
            self.jitter_q4 = (self.jitter_q4 + d).saturating_sub((self.jitter_q4 + 8) >> 4);
        }
        self.transit = Some(transit);
    }
}

/// One RTP audio stream; see the module docs and the crate example.
///
/// Uplink: [`handle_pcm`](Self::handle_pcm) takes 10 ms frames from the line,
/// [`poll_rtp`](Self::poll_rtp) (or [`poll_rtp_to`](Self::poll_rtp_to))
/// returns the datagrams. Downlink: [`handle_rtp`](Self::handle_rtp) (or
/// [`handle_rtp_from`](Self::handle_rtp_from)) takes datagrams,
/// [`poll_pcm`](Self::poll_pcm) returns a 10 ms frame per call of the line
/// clock. RTCP: [`poll_timeout`](Self::poll_timeout) /
/// [`handle_timeout`](Self::handle_timeout), [`poll_rtcp_to`](Self::poll_rtcp_to),
/// [`handle_rtcp_from`](Self::handle_rtcp_from). Nothing on the per-frame
/// paths allocates after construction, except growing the caller's `out`
/// vectors.
///
/// Receive rules (RFC 3550): the first packet in a negotiated payload type
/// fixes the remote SSRC; a packet in the audio payload type from another
/// SSRC makes it the new remote source (the jitter buffer starts over);
/// packets in payload types not negotiated are counted and ignored; a
/// sequence number far from the last one is played only once the next
/// packet confirms the jump (Appendix A.1, without probation since
/// signalling named the peer).
pub struct MediaStream {
    config: MediaConfig,
    encoder: Box<dyn AudioEncoder + Send>,
    decoder: Box<dyn AudioDecoder + Send>,
    sender: RtpSender,
    /// Samples per packet.
    packet_samples: usize,
    // ---- uplink ----
    tx_pcm: Vec<i16>,
    tx_fill: usize,
    /// Line-sample index of the next sample written into `tx_pcm`.
    tx_index: u64,
    tx_payload: Vec<u8>,
    tx_queue: Vec<Vec<u8>>,
    tx_first: usize,
    tx_len: usize,
    detector: Option<DtmfDetector>,
    /// Delay line of the relay (empty when not relaying).
    lookahead: Vec<i16>,
    lookahead_pos: usize,
    spans: [Option<Span>; MAX_SPANS],
    events_tx: Option<EventSender>,
    event_was_active: bool,
    inband_tx: ToneRegenerator,
    inband_queue: [(Digit, u32); INBAND_QUEUE_LEN],
    inband_head: usize,
    inband_len: usize,
    /// Samples left of the in-band digit playing.
    inband_left: u32,
    vad: Option<Vad>,
    cn_analyzer: CnAnalyzer,
    /// Sending comfort noise instead of audio.
    dtx: bool,
    last_cn_level: u8,
    packets_since_cn: u32,
    scratch: Vec<u8>,
    // ---- downlink ----
    jitter: JitterBuffer,
    source: Option<SourceState>,
    lost_before: i64,
    duplicates_at_source_start: u64,
    plc: Option<Plc>,
    cng: CnGenerator,
    /// The peer is in a comfort-noise (DTX) period since this timestamp.
    cn_since: Option<u32>,
    events_rx: EventReceiver,
    regen: Option<ToneRegenerator>,
    last_quiet: bool,
    loss_pattern: LossPattern,
    burst_gap: BurstGapCounter,
    media_events: [Option<MediaEvent>; EVENT_QUEUE_LEN],
    media_head: usize,
    media_len: usize,
    // ---- time ----
    epoch: Option<Instant>,
    /// Time since `epoch`, advanced by arrivals and by 10 ms per played frame.
    clock: Duration,
    ntp_origin: u64,
    // ---- addresses ----
    remote: Option<SocketAddr>,
    rtcp_remote: Option<SocketAddr>,
    latched: bool,
    // ---- RTCP ----
    rtcp_timer: RtcpTimer,
    rtcp_out: Vec<u8>,
    rtcp_ready: bool,
    /// Middle NTP bits of the peer's last SR and when it arrived.
    last_sr: Option<(u32, Instant)>,
    /// The peer's last XR receiver reference time and when it arrived.
    last_rrt: Option<(u32, Instant)>,
    cname: Vec<u8>,
    round_trip: Option<Duration>,
    stats: MediaStats,
}

impl core::fmt::Debug for MediaStream {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("MediaStream")
            .field("config", &self.config)
            .field("remote_ssrc", &self.remote_ssrc())
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl MediaStream {
    /// A stream with this configuration; allocates every buffer it will use.
    /// [`Error::InvalidConfig`] names a field that is out of range.
    pub fn new(config: MediaConfig) -> Result<MediaStream, Error> {
        config.validate()?;
        let per_ms = config.samples_per_ms().max(1);
        let packet_samples = (config.ptime_ms * per_ms) as usize;
        let frame_samples = FRAME_SAMPLES as u32;
        let delay_frames = config.jitter_buffer_ms / 10;
        let ptime_frames = config.ptime_ms / 10;
        let (mode, largest) = match config.playout {
            PlayoutMode::Fixed => (JitterMode::Fixed, delay_frames),
            PlayoutMode::Adaptive { min_ms, max_ms } => (
                JitterMode::Adaptive {
                    min_frames: min_ms / 10,
                    max_frames: max_ms / 10,
                },
                (max_ms / 10).max(delay_frames),
            ),
        };
        let jitter = JitterBuffer::new(JitterBufferConfig {
            frame_samples,
            frame_bytes: config.codec.encoded_len(FRAME_SAMPLES),
            delay_frames,
            capacity_frames: largest + 2 * ptime_frames + JITTER_HEADROOM_FRAMES,
            resync_threshold: RESYNC_MS * per_ms,
            mode,
        })?;
        let payload_len = config.codec.encoded_len(packet_samples);
        let tx_queue = (0..TX_QUEUE_LEN)
            .map(|_| Vec::with_capacity(TX_DATAGRAM_CAPACITY.max(FIXED_HEADER_LEN + payload_len)))
            .collect();
        let relay = config.telephone_event_payload_type.is_some() && config.relay_inband_dtmf;
        let detector = if relay {
            Some(DtmfDetector::new(8000).map_err(|_| Error::InvalidConfig {
                field: "relay_inband_dtmf",
                value: 1,
                allowed: "an 8 kHz stream",
            })?)
        } else {
            None
        };
        let lookahead = if relay {
            vec![0; (DTMF_LOOKAHEAD_MS * 8) as usize]
        } else {
            Vec::new()
        };
        let events_tx = match config.telephone_event_payload_type {
            Some(_) => Some(EventSender::new(
                packet_samples as u32,
                MIN_EVENT_MS * per_ms,
                MIN_EVENT_MS * per_ms,
            )?),
            None => None,
        };
        let vad = if config.vad && config.comfort_noise_payload_type.is_some() {
            Some(Vad::new(VadConfig::default())?)
        } else {
            None
        };
        let regen = if config.regenerate_received_digits {
            Some(ToneRegenerator::new(Dbm0(REGENERATED_LEVEL_DBM0))?)
        } else {
            None
        };
        let plc = (config.plc && config.codec.sample_rate() == 8000).then(Plc::new);
        let session_bps = (config.codec.encoded_len(8000) as u32 * 8).saturating_add(
            // RTP/UDP/IPv4 headers per packet.
            (40 * 8 * 1000) / config.ptime_ms,
        );
        let seed = config.ssrc ^ u32::from(config.initial_sequence) ^ config.initial_timestamp;
        Ok(MediaStream {
            encoder: config.codec.encoder(),
            decoder: config.codec.decoder(),
            sender: RtpSender::new(
                config.ssrc,
                config.payload_type,
                config.initial_sequence,
                config.initial_timestamp,
            ),
            packet_samples,
            tx_pcm: vec![0; packet_samples],
            tx_fill: 0,
            tx_index: 0,
            tx_payload: vec![0; payload_len],
            tx_queue,
            tx_first: 0,
            tx_len: 0,
            detector,
            lookahead,
            lookahead_pos: 0,
            spans: [None; MAX_SPANS],
            events_tx,
            event_was_active: false,
            inband_tx: ToneRegenerator::new(Dbm0(REGENERATED_LEVEL_DBM0))?,
            inband_queue: [(Digit::D0, 0); INBAND_QUEUE_LEN],
            inband_head: 0,
            inband_len: 0,
            inband_left: 0,
            vad,
            cn_analyzer: CnAnalyzer::new(CN_ORDER)?,
            dtx: false,
            last_cn_level: 0,
            packets_since_cn: 0,
            scratch: Vec::with_capacity(64),
            jitter,
            source: None,
            lost_before: 0,
            duplicates_at_source_start: 0,
            plc,
            cng: CnGenerator::new(),
            cn_since: None,
            events_rx: EventReceiver::new(EventReceiverConfig::default()),
            regen,
            last_quiet: true,
            loss_pattern: LossPattern::default(),
            burst_gap: BurstGapCounter::default(),
            media_events: [None; EVENT_QUEUE_LEN],
            media_head: 0,
            media_len: 0,
            epoch: None,
            clock: Duration::ZERO,
            ntp_origin: DEFAULT_NTP_ORIGIN,
            remote: None,
            rtcp_remote: None,
            latched: false,
            rtcp_timer: RtcpTimer::new(
                Duration::from_millis(config.rtcp_interval_ms.into()),
                session_bps,
                seed,
            )?,
            rtcp_out: Vec::with_capacity(512),
            rtcp_ready: false,
            last_sr: None,
            last_rrt: None,
            cname: format!("fxs-{:08x}@fxs-gateway", config.ssrc).into_bytes(),
            round_trip: None,
            stats: MediaStats::default(),
            config,
        })
    }

    /// The configuration it was built with.
    pub fn config(&self) -> &MediaConfig {
        &self.config
    }

    /// SSRC of the remote source being played, once a packet arrived.
    pub fn remote_ssrc(&self) -> Option<u32> {
        self.source.map(|s| s.ssrc)
    }

    /// Sets the RTP destination from signalling (SDP `c=`/`m=`); RTCP goes
    /// to its port + 1 unless the peer's RTCP comes from elsewhere.
    /// Latching may replace it (see [`LatchPolicy`]).
    pub fn set_remote(&mut self, address: SocketAddr) {
        self.remote = Some(address);
        self.latched = false;
    }

    /// Where RTP is sent now (signalled or latched).
    pub fn remote(&self) -> Option<SocketAddr> {
        self.remote
    }

    /// Where RTCP is sent now: the source of the peer's RTCP if latched,
    /// else the RTP destination's port + 1 (RFC 3550 §11).
    pub fn rtcp_remote(&self) -> Option<SocketAddr> {
        self.rtcp_remote.or_else(|| {
            self.remote.map(|mut a| {
                a.set_port(a.port().wrapping_add(1));
                a
            })
        })
    }

    /// Anchors the NTP clock of RTCP sender reports: `ntp` (64-bit NTP
    /// format) is the wallclock at `now`. Without it the clock starts at
    /// an arbitrary origin, which is enough for round-trip times.
    pub fn set_ntp_time(&mut self, now: Instant, ntp: u64) {
        let epoch = *self.epoch.get_or_insert(now);
        let since = now.saturating_duration_since(epoch);
        self.ntp_origin = ntp.wrapping_sub(duration_to_ntp(since));
    }

    fn ntp_at(&mut self, now: Instant) -> u64 {
        let epoch = *self.epoch.get_or_insert(now);
        self.ntp_origin
            .wrapping_add(duration_to_ntp(now.saturating_duration_since(epoch)))
    }

    // ------------------------------------------------------------------
    // Uplink
    // ------------------------------------------------------------------

    /// Uplink: one 10 ms frame from the line (80 samples at 8 kHz; any
    /// length is accepted and collected). Each time `ptime` worth of audio
    /// is collected an RTP packet becomes ready for [`poll_rtp`](Self::poll_rtp).
    pub fn handle_pcm(&mut self, frame: &[i16]) {
        for chunk in frame.chunks(FRAME_SAMPLES) {
            if let Some(detector) = self.detector.as_mut() {
                detector.process(chunk);
                while let Some(event) = detector.poll_event() {
                    match event {
                        DtmfEvent::Start { digit, at } => {
                            let span = Span {
                                code: digit.event_code(),
                                digit,
                                start: at,
                                end: None,
                                pressed: false,
                                released: false,
                            };
                            let slot = self.spans.iter().position(Option::is_none).unwrap_or(0);
                            self.spans[slot] = Some(span);
                        }
                        DtmfEvent::End { digit, end, .. } => {
                            for span in self.spans.iter_mut().flatten() {
                                if span.digit == digit && span.end.is_none() {
                                    span.end = Some(end);
                                }
                            }
                        }
                    }
                }
            }
            for &sample in chunk {
                let delayed = match self.lookahead.get_mut(self.lookahead_pos) {
                    Some(slot) => {
                        let out = core::mem::replace(slot, sample);
                        self.lookahead_pos = (self.lookahead_pos + 1) % self.lookahead.len();
                        out
                    }
                    None => sample,
                };
                // Index of `delayed` in the line's sample numbering (the
                // delay line starts out holding silence "before" sample 0).
                let index = self.tx_index;
                let muted = self.lookahead.len() as u64 <= index
                    && self.spans.iter().flatten().any(|s| {
                        let line_index = index - self.lookahead.len() as u64;
                        line_index >= s.start && s.end.is_none_or(|e| line_index < e + MUTE_GUARD_SAMPLES)
                    });
                if let Some(slot) = self.tx_pcm.get_mut(self.tx_fill) {
                    *slot = if muted { 0 } else { delayed };
                }
                self.tx_fill += 1;
                self.tx_index += 1;
                if self.tx_fill == self.packet_samples {
                    self.tx_fill = 0;
                    self.emit_packet();
                }
            }
        }
    }

    /// Sends `digit` for `duration` (at least 40 ms): as RFC 4733 events
    /// when a telephone-event payload type is negotiated, otherwise as an
    /// in-band tone replacing the uplink audio. Digits queue behind each
    /// other; [`Error::InvalidConfig`] when 16 (in-band) or 32 (events)
    /// are already waiting.
    pub fn send_digit(&mut self, digit: Digit, duration: Duration) -> Result<(), Error> {
        let units = (duration.as_millis().min(60_000) as u32) * self.config.samples_per_ms();
        if let Some(events) = self.events_tx.as_mut() {
            events.send(digit.event_code(), EVENT_VOLUME, units)?;
        } else {
            if self.inband_len == INBAND_QUEUE_LEN {
                return Err(Error::InvalidConfig {
                    field: "queued digits",
                    value: INBAND_QUEUE_LEN as u64,
                    allowed: "at most 16 in-band digits waiting",
                });
            }
            let slot = (self.inband_head + self.inband_len) % INBAND_QUEUE_LEN;
            self.inband_queue[slot] = (digit, units.max(MIN_EVENT_MS * 8));
            self.inband_len += 1;
        }
        self.stats.digits_sent += 1;
        Ok(())
    }

    /// Index (line numbering) of the first sample of the packet being built.
    fn packet_start_index(&self) -> u64 {
        (self.tx_index - self.packet_samples as u64).saturating_sub(self.lookahead.len() as u64)
    }

    fn push_datagram(&mut self) -> Option<&mut Vec<u8>> {
        if self.tx_len == TX_QUEUE_LEN {
            self.tx_first = (self.tx_first + 1) % TX_QUEUE_LEN;
            self.tx_len -= 1;
            self.stats.packets_unsent += 1;
        }
        let index = (self.tx_first + self.tx_len) % TX_QUEUE_LEN;
        self.tx_len += 1;
        let buffer = self.tx_queue.get_mut(index)?;
        buffer.clear();
        Some(buffer)
    }

    fn emit_packet(&mut self) {
        let samples = self.packet_samples as u32;
        let start = self.packet_start_index();
        let end = start + u64::from(samples);
        // Digits detected on the line: press and release the event sender.
        if let Some(events) = self.events_tx.as_mut() {
            for slot in self.spans.iter_mut() {
                let Some(span) = slot.as_mut() else { continue };
                if !span.pressed && span.start < end {
                    events.press(span.code, EVENT_VOLUME);
                    span.pressed = true;
                    self.stats.digits_sent += 1;
                }
                if span.pressed && !span.released && span.end.is_some_and(|e| e <= end) {
                    events.release();
                    span.released = true;
                }
                if span.released && span.end.is_some_and(|e| e + MUTE_GUARD_SAMPLES <= start) {
                    *slot = None;
                }
            }
        } else {
            self.spans = [None; MAX_SPANS];
        }
        // In-band digits from send_digit replace the audio.
        if !self.inband_tx.is_active() && self.inband_len > 0 {
            let (digit, length) = self.inband_queue[self.inband_head];
            self.inband_head = (self.inband_head + 1) % INBAND_QUEUE_LEN;
            self.inband_len -= 1;
            self.inband_tx.start(digit);
            self.inband_left = length;
        }
        if self.inband_tx.is_active() {
            if self.inband_left <= samples {
                self.inband_tx.stop();
            }
            self.inband_left = self.inband_left.saturating_sub(samples);
            self.inband_tx.generate(&mut self.tx_pcm);
        }
        // RFC 4733 events in the packet interval that starts here.
        let timestamp = self.sender.next_timestamp();
        let mut event_on = false;
        if let (Some(events), Some(pt)) = (self.events_tx.as_mut(), self.config.telephone_event_payload_type)
        {
            if let Some(packet) = events.tick(timestamp) {
                event_on = true;
                self.scratch.clear();
                self.scratch.extend_from_slice(&packet.report.to_bytes());
                let payload = core::mem::take(&mut self.scratch);
                if let Some(buffer) = self.push_datagram() {
                    let mut buffer = core::mem::take(buffer);
                    self.sender
                        .write_other(pt, packet.marker, packet.timestamp, &payload, &mut buffer);
                    let index = (self.tx_first + self.tx_len - 1) % TX_QUEUE_LEN;
                    self.tx_queue[index] = buffer;
                }
                self.scratch = payload;
            }
        }
        if self.event_was_active && !event_on {
            // Audio after an event starts a new talkspurt.
            self.sender.start_talkspurt();
        }
        self.event_was_active = event_on;
        // Silence suppression with comfort noise (RFC 3389).
        if let (Some(vad), Some(cn_pt)) = (self.vad.as_mut(), self.config.comfort_noise_payload_type) {
            let mut speech = false;
            for frame in self.tx_pcm.chunks(FRAME_SAMPLES) {
                if vad.process(frame) {
                    speech = true;
                } else {
                    self.cn_analyzer.analyze(frame);
                }
            }
            if !speech {
                let cn = self.cn_analyzer.descriptor();
                let changed = cn.level.abs_diff(self.last_cn_level) >= CN_LEVEL_CHANGE_DB;
                self.packets_since_cn += 1;
                if !self.dtx || changed || self.packets_since_cn >= CN_REFRESH_PACKETS {
                    self.scratch.clear();
                    cn.write(&mut self.scratch);
                    let payload = core::mem::take(&mut self.scratch);
                    if let Some(buffer) = self.push_datagram() {
                        let mut buffer = core::mem::take(buffer);
                        self.sender
                            .write_other(cn_pt, false, timestamp, &payload, &mut buffer);
                        let index = (self.tx_first + self.tx_len - 1) % TX_QUEUE_LEN;
                        self.tx_queue[index] = buffer;
                    }
                    self.scratch = payload;
                    self.stats.comfort_noise_sent += 1;
                    self.last_cn_level = cn.level;
                    self.packets_since_cn = 0;
                }
                self.dtx = true;
                self.sender.skip(samples);
                return;
            }
            self.dtx = false;
        }
        let len = self.encoder.encode(&self.tx_pcm, &mut self.tx_payload);
        let payload = core::mem::take(&mut self.tx_payload);
        if let Some(buffer) = self.push_datagram() {
            let mut buffer = core::mem::take(buffer);
            self.sender
                .write_packet(payload.get(..len).unwrap_or_default(), samples, &mut buffer);
            let index = (self.tx_first + self.tx_len - 1) % TX_QUEUE_LEN;
            self.tx_queue[index] = buffer;
        }
        self.tx_payload = payload;
    }

    /// Pulls the oldest ready RTP packet, appending the whole datagram to
    /// `out`; false if none is ready.
    pub fn poll_rtp(&mut self, out: &mut Vec<u8>) -> bool {
        if self.tx_len == 0 {
            return false;
        }
        let Some(buffer) = self.tx_queue.get(self.tx_first) else {
            return false;
        };
        out.extend_from_slice(buffer);
        self.tx_first = (self.tx_first + 1) % TX_QUEUE_LEN;
        self.tx_len -= 1;
        true
    }

    /// Like [`poll_rtp`](Self::poll_rtp), returning where to send it: the
    /// signalled or latched remote address. None when no packet is ready;
    /// a packet ready while no address is known is dropped (and counted
    /// in [`MediaStats::packets_unsent`]).
    pub fn poll_rtp_to(&mut self, out: &mut Vec<u8>) -> Option<SocketAddr> {
        let before = out.len();
        if !self.poll_rtp(out) {
            return None;
        }
        match self.remote {
            Some(address) => Some(address),
            None => {
                out.truncate(before);
                self.stats.packets_unsent += 1;
                None
            }
        }
    }

    // ------------------------------------------------------------------
    // Downlink
    // ------------------------------------------------------------------

    /// Downlink: a received RTP datagram; `now` is its arrival time, used
    /// for the interarrival jitter and the adaptive playout. A datagram
    /// that is not valid RTP (or carries a malformed event or comfort-noise
    /// payload) returns the error and changes nothing.
    pub fn handle_rtp(&mut self, now: Instant, data: &[u8]) -> Result<(), Error> {
        self.receive(now, None, data)
    }

    /// Like [`handle_rtp`](Self::handle_rtp), with the datagram's source
    /// address for symmetric RTP latching (see [`LatchPolicy`]).
    pub fn handle_rtp_from(&mut self, now: Instant, from: SocketAddr, data: &[u8]) -> Result<(), Error> {
        self.receive(now, Some(from), data)
    }

    fn latch(&mut self, from: SocketAddr) {
        let change = match self.config.latch {
            LatchPolicy::Off => false,
            LatchPolicy::FirstPacket => !self.latched,
            LatchPolicy::Always => true,
        };
        if change && self.remote != Some(from) {
            self.remote = Some(from);
            self.push_event(MediaEvent::RemoteLatched { address: from });
        }
        if change {
            self.latched = true;
        }
    }

    fn push_event(&mut self, event: MediaEvent) {
        if self.media_len == EVENT_QUEUE_LEN {
            self.media_head = (self.media_head + 1) % EVENT_QUEUE_LEN;
            self.media_len -= 1;
        }
        self.media_events[(self.media_head + self.media_len) % EVENT_QUEUE_LEN] = Some(event);
        self.media_len += 1;
    }

    /// The next event (received digits, latching, BYE), oldest first.
    pub fn poll_event(&mut self) -> Option<MediaEvent> {
        if self.media_len == 0 {
            return None;
        }
        let event = self.media_events[self.media_head].take();
        self.media_head = (self.media_head + 1) % EVENT_QUEUE_LEN;
        self.media_len -= 1;
        event
    }

    fn advance_clock(&mut self, now: Instant) {
        let epoch = *self.epoch.get_or_insert(now);
        self.clock = self.clock.max(now.saturating_duration_since(epoch));
    }

    fn receive(&mut self, now: Instant, from: Option<SocketAddr>, data: &[u8]) -> Result<(), Error> {
        let packet = RtpPacket::parse(data)?;
        let pt = packet.payload_type();
        let is_audio = pt == self.config.payload_type;
        let is_event = self.config.telephone_event_payload_type == Some(pt);
        let is_cn = self.config.comfort_noise_payload_type == Some(pt);
        // Check the payloads we interpret before anything changes.
        let comfort_noise = if is_cn {
            Some(ComfortNoise::parse(packet.payload())?)
        } else {
            None
        };
        if is_event {
            let _checked = parse_payload(packet.payload())?;
        }
        self.advance_clock(now);
        self.stats.packets_received += 1;
        let current = self.source.filter(|s| s.ssrc == packet.ssrc());

        if !(is_audio || is_event || is_cn) {
            self.stats.packets_ignored += 1;
            if let Some(mut source) = current {
                source.update_seq(packet.sequence());
                self.source = Some(source);
            }
            return Ok(());
        }

        let mut source = match current {
            Some(source) => source,
            None if is_audio || self.source.is_none() => {
                if let Some(old) = self.source {
                    // A new remote source: RFC 3550 keeps state per SSRC.
                    self.lost_before += self.lost_excluding_duplicates(&old);
                    self.jitter.reset();
                    if let Some(plc) = self.plc.as_mut() {
                        plc.reset();
                    }
                    self.events_rx.reset();
                    self.stats.jitter_buffer_resyncs += 1;
                }
                self.duplicates_at_source_start = self.stats.packets_duplicate;
                SourceState::new(packet.ssrc(), packet.sequence())
            }
            None => {
                // Events or CN from a stranger while another source plays.
                self.stats.packets_ignored += 1;
                return Ok(());
            }
        };
        if !source.update_seq(packet.sequence()) {
            // RFC 3550 A.1: far outside the sequence window and not (yet)
            // confirmed by its successor; not played.
            self.source = Some(source);
            self.stats.packets_ignored += 1;
            return Ok(());
        }
        if source.last_gap > 0 {
            self.burst_gap.lost(source.last_gap);
        }
        self.burst_gap.received();
        self.loss_pattern.record(source.last_gap);
        if let Some(from) = from {
            self.latch(from);
        }
        let rate = u128::from(self.config.codec.clock_rate());
        let elapsed = self.clock;
        // Arrival in timestamp units, wrapping like an RTP timestamp.
        let arrival = (elapsed.as_nanos() * rate / 1_000_000_000) as u32;

        if is_audio {
            source.update_jitter(arrival, packet.timestamp());
            self.source = Some(source);
            if self
                .cn_since
                .is_some_and(|since| packet.marker() || packet.timestamp().wrapping_sub(since) as i32 > 0)
            {
                self.cn_since = None;
            }
            match self
                .jitter
                .insert_at(arrival, packet.timestamp(), packet.marker(), packet.payload())
            {
                InsertOutcome::Stored => {}
                InsertOutcome::Duplicate => self.stats.packets_duplicate += 1,
                InsertOutcome::Late => self.stats.packets_late += 1,
                InsertOutcome::Resynced => self.stats.jitter_buffer_resyncs += 1,
            }
        } else if let Some(cn) = comfort_noise {
            self.source = Some(source);
            self.cng.set(&cn);
            if let Some(plc) = self.plc.as_mut() {
                plc.set_noise_level(level_to_rms(cn.level));
            }
            self.cn_since = Some(packet.timestamp());
            self.stats.comfort_noise_received += 1;
        } else {
            self.source = Some(source);
            // Checked above; an error here cannot happen.
            let _ = self.events_rx.handle_packet(
                self.clock,
                packet.ssrc(),
                packet.timestamp(),
                packet.marker(),
                packet.payload(),
            );
            self.drain_received_events();
        }
        Ok(())
    }

    fn drain_received_events(&mut self) {
        let per_ms = self.config.samples_per_ms().max(1);
        while let Some(event) = self.events_rx.poll_event() {
            match event {
                ReceivedEvent::Started { event, .. } => {
                    if let Some(digit) = Digit::from_event_code(event) {
                        self.stats.digits_received += 1;
                        if let Some(regen) = self.regen.as_mut() {
                            regen.start(digit);
                        }
                        self.push_event(MediaEvent::DigitStarted { digit });
                    } else if event == EVENT_FLASH {
                        self.push_event(MediaEvent::Flash);
                    }
                }
                ReceivedEvent::Ended { event, duration, .. } => {
                    if let Some(digit) = Digit::from_event_code(event) {
                        if let Some(regen) = self.regen.as_mut() {
                            regen.stop();
                        }
                        self.push_event(MediaEvent::DigitEnded {
                            digit,
                            duration: Duration::from_millis(u64::from(duration / per_ms)),
                        });
                    }
                }
            }
        }
    }

    fn lost_excluding_duplicates(&self, source: &SourceState) -> i64 {
        let duplicates = self.stats.packets_duplicate - self.duplicates_at_source_start;
        (source.lost() + duplicates as i64).max(0)
    }

    /// Downlink: the next 10 ms frame for the line: received audio,
    /// concealment of lost frames (PLC fading into comfort noise), comfort
    /// noise in the peer's DTX gaps, and received digits regenerated as
    /// tones. Silence while the jitter buffer fills. `out` should hold
    /// [`FRAME_SAMPLES`] samples; a longer one is zero-filled past the frame.
    pub fn poll_pcm(&mut self, out: &mut [i16]) {
        let mut frame = [0i16; FRAME_SAMPLES];
        enum Kind {
            Good,
            Missing,
            Stretch,
            Waiting,
        }
        let kind = match self.jitter.pop_with(self.last_quiet) {
            Playout::Frame { payload, offset } => {
                if let Some(dst) = frame.get_mut(offset.min(FRAME_SAMPLES)..) {
                    self.decoder.decode(payload, dst);
                }
                Kind::Good
            }
            Playout::Missing => Kind::Missing,
            Playout::Stretch => Kind::Stretch,
            Playout::Waiting => Kind::Waiting,
        };
        let in_dtx = self.cn_since.is_some();
        match kind {
            Kind::Good | Kind::Waiting => {
                if let Some(plc) = self.plc.as_mut() {
                    plc.good_frame(&mut frame);
                }
            }
            Kind::Missing | Kind::Stretch if in_dtx => {
                self.cng.generate(&mut frame);
                if let Some(plc) = self.plc.as_mut() {
                    plc.good_frame(&mut frame);
                }
            }
            Kind::Missing | Kind::Stretch => {
                if matches!(kind, Kind::Missing) {
                    self.stats.frames_concealed += 1;
                }
                if let Some(plc) = self.plc.as_mut() {
                    plc.lost_frame(&mut frame);
                }
            }
        }
        let power = frame.iter().map(|&s| f32::from(s) * f32::from(s)).sum::<f32>() / FRAME_SAMPLES as f32;
        self.last_quiet = in_dtx || power < QUIET_RMS * QUIET_RMS;

        self.clock += Duration::from_millis(10);
        self.events_rx.handle_timeout(self.clock);
        self.drain_received_events();
        if let Some(regen) = self.regen.as_mut() {
            if regen.is_active() {
                regen.generate(&mut frame);
            }
        }
        let n = out.len().min(FRAME_SAMPLES);
        out[..n].copy_from_slice(&frame[..n]);
        if let Some(rest) = out.get_mut(n..) {
            rest.fill(0);
        }
    }

    // ------------------------------------------------------------------
    // RTCP
    // ------------------------------------------------------------------

    /// When [`handle_timeout`](Self::handle_timeout) should next be called
    /// (the next RTCP report); None before the first call to it.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.rtcp_timer.poll_timeout()
    }

    /// Runs the RTCP timer: when a report is due a compound packet (SR or
    /// RR, SDES CNAME, XR VoIP metrics) becomes ready for
    /// [`poll_rtcp`](Self::poll_rtcp). The first call starts the schedule.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.advance_clock(now);
        if self.rtcp_timer.handle_timeout(now) {
            self.build_report(now, false);
        }
    }

    /// Queues a final compound with BYE (RFC 3550 §6.6), e.g. at hang-up.
    pub fn send_bye(&mut self, now: Instant) {
        self.advance_clock(now);
        self.build_report(now, true);
    }

    /// Pulls the ready RTCP compound, appending it to `out`; false if none.
    pub fn poll_rtcp(&mut self, out: &mut Vec<u8>) -> bool {
        if !self.rtcp_ready {
            return false;
        }
        out.extend_from_slice(&self.rtcp_out);
        self.rtcp_ready = false;
        true
    }

    /// Like [`poll_rtcp`](Self::poll_rtcp), returning the destination
    /// ([`rtcp_remote`](Self::rtcp_remote)); None if nothing is ready or no
    /// address is known (the compound is then dropped).
    pub fn poll_rtcp_to(&mut self, out: &mut Vec<u8>) -> Option<SocketAddr> {
        let before = out.len();
        if !self.poll_rtcp(out) {
            return None;
        }
        let to = self.rtcp_remote();
        if to.is_none() {
            out.truncate(before);
        }
        to
    }

    fn report_block(&mut self, now: Instant) -> Option<ReportBlock> {
        let lost = self.source.map(|s| self.lost_excluding_duplicates(&s))?;
        let source = self.source.as_mut()?;
        let fraction_lost = source.fraction_lost_since_last();
        let (last_sr, delay) = match self.last_sr {
            Some((middle, at)) => (middle, rtcp::to_dlsr_units(now.saturating_duration_since(at))),
            None => (0, 0),
        };
        Some(ReportBlock {
            ssrc: source.ssrc,
            fraction_lost,
            cumulative_lost: lost.clamp(0, i64::from(rtcp::MAX_CUMULATIVE_LOST)) as i32,
            extended_highest_sequence: source.extended_max(),
            jitter: (source.jitter_q4 >> 4).min(u64::from(u32::MAX)) as u32,
            last_sr,
            delay_since_last_sr: delay,
        })
    }

    fn voip_metrics(&self, remote_ssrc: u32) -> VoipMetrics {
        let stats = self.stats();
        let expected = (stats.packets_received + stats.packets_lost).max(1);
        let per_packet_ms = self.config.ptime_ms as f32;
        let to_ms = |units: u32| -> u16 {
            (u64::from(units) * 1000 / u64::from(self.config.codec.clock_rate().max(1))).min(65535) as u16
        };
        let jb = self.jitter.stats();
        let adaptive = matches!(self.config.playout, PlayoutMode::Adaptive { .. });
        // RX config: PLC type (11 standard / 01 disabled), JB adaptive (11) or non-adaptive (10), JB rate 0.
        let plc_bits: u8 = if self.plc.is_some() { 0b11 } else { 0b01 };
        let jb_bits: u8 = if adaptive { 0b11 } else { 0b10 };
        VoipMetrics {
            ssrc: remote_ssrc,
            loss_rate: (stats.packets_lost * 256 / expected).min(255) as u8,
            discard_rate: ((stats.packets_late + jb.frames_discarded) * 256 / expected).min(255) as u8,
            burst_density: self.burst_gap.burst_density(),
            gap_density: self.burst_gap.gap_density(),
            burst_duration: (self.burst_gap.mean_burst_packets() * per_packet_ms).min(65535.0) as u16,
            gap_duration: (self.burst_gap.mean_gap_packets() * per_packet_ms).min(65535.0) as u16,
            round_trip_delay: self.round_trip.map_or(0, |d| d.as_millis().min(65535) as u16),
            end_system_delay: (stats.jitter_buffer_delay_ms + per_packet_ms + PLC_DELAY_SAMPLES as f32 / 8.0)
                .min(65535.0) as u16,
            signal_level: UNAVAILABLE as i8,
            noise_level: UNAVAILABLE as i8,
            rerl: UNAVAILABLE,
            gmin: GMIN,
            r_factor: stats.r_factor.round() as u8,
            ext_r_factor: UNAVAILABLE,
            mos_lq: UNAVAILABLE,
            mos_cq: (stats.mos * 10.0).round() as u8,
            rx_config: (plc_bits << 6) | (jb_bits << 4),
            jb_nominal: to_ms(jb.nominal_delay),
            jb_maximum: to_ms(jb.max_delay),
            jb_abs_max: to_ms(jb.abs_max_delay),
        }
    }

    fn build_report(&mut self, now: Instant, bye: bool) {
        let ntp = self.ntp_at(now);
        let block = self.report_block(now);
        let sender_info = (self.sender.packets_sent() > 0).then(|| SenderInfo {
            ntp_timestamp: ntp,
            rtp_timestamp: self.sender.next_timestamp(),
            packet_count: self.sender.packets_sent() as u32,
            octet_count: self.sender.octets_sent() as u32,
        });
        let ssrc = self.config.ssrc;
        let mut packets = vec![
            RtcpPacket::Report(Report {
                ssrc,
                sender_info,
                blocks: block.into_iter().collect(),
                extension: Vec::new(),
            }),
            RtcpPacket::Sdes(vec![SdesChunk {
                ssrc,
                items: vec![SdesItem {
                    kind: SDES_CNAME,
                    value: self.cname.clone(),
                }],
            }]),
        ];
        let mut xr = Vec::new();
        if let Some(remote) = self.remote_ssrc() {
            xr.push(XrBlock::VoipMetrics(self.voip_metrics(remote)));
            if let Some((last_rr, at)) = self.last_rrt {
                xr.push(XrBlock::Dlrr(vec![DlrrItem {
                    ssrc: remote,
                    last_rr,
                    delay_since_last_rr: rtcp::to_dlsr_units(now.saturating_duration_since(at)),
                }]));
            }
        }
        xr.push(XrBlock::ReceiverReferenceTime { ntp_timestamp: ntp });
        packets.push(RtcpPacket::Xr { ssrc, blocks: xr });
        if bye {
            packets.push(RtcpPacket::Bye {
                sources: vec![ssrc],
                reason: None,
            });
        }
        self.rtcp_out.clear();
        rtcp::write_compound(&packets, &mut self.rtcp_out);
        self.rtcp_timer.observe(self.rtcp_out.len(), 2);
        self.rtcp_ready = true;
        self.stats.rtcp_sent += 1;
    }

    /// A received RTCP compound (`now` its arrival): takes the peer's SR
    /// time for our LSR/DLSR, the round-trip time from report blocks about
    /// us, the peer's loss and jitter figures, and BYE. A malformed
    /// compound returns the error and changes nothing.
    pub fn handle_rtcp(&mut self, now: Instant, data: &[u8]) -> Result<(), Error> {
        let packets = rtcp::parse_compound(data)?;
        self.advance_clock(now);
        let arrival_ntp = self.ntp_at(now);
        self.stats.rtcp_received += 1;
        self.rtcp_timer.observe(data.len(), 2);
        let remote = self.remote_ssrc();
        for packet in &packets {
            match packet {
                RtcpPacket::Report(report) => {
                    if let Some(info) = report.sender_info {
                        if remote.is_none_or(|r| r == report.ssrc) {
                            self.last_sr = Some((rtcp::ntp_middle(info.ntp_timestamp), now));
                        }
                    }
                    for block in report.blocks.iter().filter(|b| b.ssrc == self.config.ssrc) {
                        if let Some(rtt) = block.round_trip_time(arrival_ntp) {
                            self.round_trip = Some(rtt);
                        }
                        self.stats.remote_fraction_lost = f32::from(block.fraction_lost) / 256.0;
                        self.stats.remote_jitter_ms =
                            block.jitter as f32 * 1000.0 / self.config.codec.clock_rate().max(1) as f32;
                    }
                }
                RtcpPacket::Xr { ssrc, blocks } => {
                    for block in blocks {
                        match block {
                            XrBlock::ReceiverReferenceTime { ntp_timestamp }
                                if remote.is_none_or(|r| r == *ssrc) =>
                            {
                                self.last_rrt = Some((rtcp::ntp_middle(*ntp_timestamp), now));
                            }
                            XrBlock::Dlrr(items) => {
                                for item in items.iter().filter(|i| i.ssrc == self.config.ssrc) {
                                    let rr = ReportBlock {
                                        last_sr: item.last_rr,
                                        delay_since_last_sr: item.delay_since_last_rr,
                                        ..ReportBlock::default()
                                    };
                                    if let Some(rtt) = rr.round_trip_time(arrival_ntp) {
                                        self.round_trip = Some(rtt);
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                RtcpPacket::Bye { sources, .. } if remote.is_some_and(|r| sources.contains(&r)) => {
                    self.push_event(MediaEvent::RemoteBye);
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Like [`handle_rtcp`](Self::handle_rtcp), with the source address:
    /// RTCP is then sent back there under the latching policy.
    pub fn handle_rtcp_from(&mut self, now: Instant, from: SocketAddr, data: &[u8]) -> Result<(), Error> {
        self.handle_rtcp(now, data)?;
        let change = match self.config.latch {
            LatchPolicy::Off => false,
            LatchPolicy::FirstPacket => self.rtcp_remote.is_none(),
            LatchPolicy::Always => true,
        };
        if change {
            self.rtcp_remote = Some(from);
        }
        Ok(())
    }

    // ------------------------------------------------------------------
    // Statistics
    // ------------------------------------------------------------------

    /// Counters and quality figures since construction.
    pub fn stats(&self) -> MediaStats {
        let mut stats = self.stats;
        stats.packets_sent = self.sender.packets_sent();
        stats.octets_sent = self.sender.octets_sent();
        let current = self.source.map_or(0, |s| self.lost_excluding_duplicates(&s));
        stats.packets_lost = (self.lost_before + current).max(0) as u64;
        let rate = self.config.codec.clock_rate().max(1) as f32;
        if let Some(source) = self.source {
            let jitter_units = source.jitter_q4 as f32 / 16.0;
            stats.jitter_ms = jitter_units * 1000.0 / rate;
        }
        let jb = self.jitter.stats();
        stats.frames_shrunk = jb.shrinks;
        stats.frames_stretched = jb.stretches;
        stats.jitter_buffer_delay_ms = jb.nominal_delay as f32 * 1000.0 / rate;
        stats.jitter_buffer_max_delay_ms = jb.max_delay as f32 * 1000.0 / rate;
        let expected = stats.packets_received + stats.packets_lost;
        stats.loss_percent = if expected == 0 {
            0.0
        } else {
            (stats.packets_lost + stats.packets_late) as f32 * 100.0 / expected as f32
        };
        stats.burst_ratio = self.loss_pattern.burst_ratio();
        stats.round_trip_ms = self.round_trip.map(|d| d.as_secs_f32() * 1000.0);
        let plc_delay_ms = if self.plc.is_some() {
            PLC_DELAY_SAMPLES as f32 / 8.0
        } else {
            0.0
        };
        let network_ms = stats.round_trip_ms.map_or(0.0, |rtt| rtt / 2.0);
        let input = EModelInput {
            loss_percent: stats.loss_percent,
            burst_ratio: stats.burst_ratio,
            one_way_delay_ms: stats.jitter_buffer_delay_ms
                + self.config.ptime_ms as f32
                + plc_delay_ms
                + network_ms,
            codec: CodecImpairment::for_codec(self.config.codec, self.plc.is_some()),
            advantage: 0.0,
        };
        stats.r_factor = r_factor(&input);
        stats.mos = mos_from_r(stats.r_factor);
        stats
    }
}

/// A duration in 64-bit NTP format (32.32 fixed point seconds).
fn duration_to_ntp(d: Duration) -> u64 {
    (d.as_secs() << 32) | ((u64::from(d.subsec_nanos()) << 32) / 1_000_000_000)
}
