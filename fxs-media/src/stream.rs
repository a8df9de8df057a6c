//! One RTP audio stream: 10 ms PCM frames in and out on the line side, RTP
//! datagrams in and out on the network side.

use std::time::Instant;

use crate::codec::{AudioDecoder, AudioEncoder, Codec};
use crate::jitter::{InsertOutcome, JitterBuffer, JitterBufferConfig, Playout};
use crate::rtp::{FIXED_HEADER_LEN, RtpPacket, RtpSender};
use crate::{Error, FRAME_SAMPLES};

/// Packets waiting for [`MediaStream::poll_rtp`]; when full, the oldest is
/// dropped (and counted in [`MediaStats::packets_unsent`]).
const TX_QUEUE_LEN: usize = 8;

/// Largest packetisation interval accepted, in ms.
const MAX_PTIME_MS: u32 = 200;
/// Largest fixed jitter-buffer delay accepted, in ms.
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
    /// Fixed playout delay in ms: a multiple of 10, 0..=1000 (media.md §6: 40-60 typical).
    pub jitter_buffer_ms: u32,
}

impl Default for MediaConfig {
    /// PCMU, payload type 0, 20 ms packets, 60 ms playout delay. SSRC,
    /// sequence and timestamp are 0: set them from a random source.
    fn default() -> MediaConfig {
        MediaConfig {
            codec: Codec::Pcmu,
            payload_type: 0,
            ptime_ms: 20,
            ssrc: 0,
            initial_sequence: 0,
            initial_timestamp: 0,
            jitter_buffer_ms: 60,
        }
    }
}

impl MediaConfig {
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
        Ok(())
    }

    fn samples_per_ms(&self) -> u32 {
        self.codec.clock_rate() / 1000
    }
}

/// Counters of a [`MediaStream`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MediaStats {
    /// RTP packets produced.
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
    /// Valid packets that were not played: another payload type (e.g.
    /// telephone-event, CN), or a sequence-number jump not yet confirmed by
    /// the next packet (RFC 3550 Appendix A.1).
    pub packets_ignored: u64,
    /// 10 ms frames played as silence because nothing had arrived for them.
    pub frames_concealed: u64,
    /// Times the jitter buffer emptied and re-anchored (timestamp jump,
    /// clock drift or a new remote SSRC).
    pub jitter_buffer_resyncs: u64,
    /// Packets dropped because [`MediaStream::poll_rtp`] was not called in time.
    pub packets_unsent: u64,
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
        }
    }

    /// RFC 3550 A.1 `update_seq` without probation (the remote is known
    /// from signalling). Returns false for a packet from far outside the
    /// sequence window (not counted).
    fn update_seq(&mut self, seq: u16) -> bool {
        let udelta = seq.wrapping_sub(self.max_seq);
        if udelta < MAX_DROPOUT {
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

/// One RTP audio stream; see the crate docs for an example.
///
/// Uplink: [`handle_pcm`](Self::handle_pcm) takes 10 ms frames from the line,
/// [`poll_rtp`](Self::poll_rtp) returns a datagram per `ptime`. Downlink:
/// [`handle_rtp`](Self::handle_rtp) takes datagrams, [`poll_pcm`](Self::poll_pcm)
/// returns a 10 ms frame per call of the line clock. Nothing allocates after
/// construction, except growing the caller's `out` vector in `poll_rtp`.
///
/// Receive rules (RFC 3550): the first packet in the negotiated payload type
/// fixes the remote SSRC; a packet in that payload type from another SSRC
/// makes it the new remote source (the jitter buffer starts over); packets
/// in other payload types are counted and ignored, and only those from the
/// current source take part in loss accounting; a sequence number far from
/// the last one is played only once the next packet confirms the jump
/// (Appendix A.1, without probation since signalling named the peer).
pub struct MediaStream {
    config: MediaConfig,
    encoder: Box<dyn AudioEncoder + Send>,
    decoder: Box<dyn AudioDecoder + Send>,
    sender: RtpSender,
    /// Samples per packet.
    packet_samples: usize,
    /// Uplink PCM collected towards the next packet.
    tx_pcm: Vec<i16>,
    tx_fill: usize,
    /// Encoded payload of the packet being built.
    tx_payload: Vec<u8>,
    /// Ready datagrams: a ring of `TX_QUEUE_LEN` buffers.
    tx_queue: Vec<Vec<u8>>,
    tx_first: usize,
    tx_len: usize,
    jitter: JitterBuffer,
    source: Option<SourceState>,
    /// Losses of remote sources before the current one.
    lost_before: i64,
    /// `stats.packets_duplicate` when the current source started.
    duplicates_at_source_start: u64,
    /// Arrival-time origin for the jitter computation.
    epoch: Option<Instant>,
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
        let per_ms = config.samples_per_ms();
        let packet_samples = (config.ptime_ms * per_ms) as usize;
        let frame_samples = FRAME_SAMPLES as u32;
        let delay_frames = config.jitter_buffer_ms / 10;
        let ptime_frames = config.ptime_ms / 10;
        let jitter = JitterBuffer::new(JitterBufferConfig {
            frame_samples,
            frame_bytes: config.codec.encoded_len(FRAME_SAMPLES),
            delay_frames,
            capacity_frames: delay_frames + 2 * ptime_frames + JITTER_HEADROOM_FRAMES,
            resync_threshold: RESYNC_MS * per_ms,
        })?;
        let payload_len = config.codec.encoded_len(packet_samples);
        let tx_queue = (0..TX_QUEUE_LEN)
            .map(|_| Vec::with_capacity(FIXED_HEADER_LEN + payload_len))
            .collect();
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
            tx_payload: vec![0; payload_len],
            tx_queue,
            tx_first: 0,
            tx_len: 0,
            jitter,
            source: None,
            lost_before: 0,
            duplicates_at_source_start: 0,
            epoch: None,
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

    /// Uplink: one 10 ms frame from the line (80 samples at 8 kHz; any
    /// length is accepted and collected). Each time `ptime` worth of audio
    /// is collected an RTP packet becomes ready for [`poll_rtp`](Self::poll_rtp).
    pub fn handle_pcm(&mut self, frame: &[i16]) {
        let mut rest = frame;
        while !rest.is_empty() {
            let room = self.packet_samples - self.tx_fill;
            let (now, later) = rest.split_at(room.min(rest.len()));
            if let Some(dst) = self.tx_pcm.get_mut(self.tx_fill..self.tx_fill + now.len()) {
                dst.copy_from_slice(now);
            }
            self.tx_fill += now.len();
            rest = later;
            if self.tx_fill == self.packet_samples {
                self.tx_fill = 0;
                self.emit_packet();
            }
        }
    }

    fn emit_packet(&mut self) {
        let len = self.encoder.encode(&self.tx_pcm, &mut self.tx_payload);
        if self.tx_len == TX_QUEUE_LEN {
            self.tx_first = (self.tx_first + 1) % TX_QUEUE_LEN;
            self.tx_len -= 1;
            self.stats.packets_unsent += 1;
        }
        let index = (self.tx_first + self.tx_len) % TX_QUEUE_LEN;
        if let Some(buffer) = self.tx_queue.get_mut(index) {
            buffer.clear();
            let payload = self.tx_payload.get(..len).unwrap_or_default();
            // Packet duration in timestamp units; bounded by MAX_PTIME_MS.
            self.sender
                .write_packet(payload, self.packet_samples as u32, buffer);
            self.tx_len += 1;
        }
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

    /// Downlink: a received RTP datagram; `now` is its arrival time, used
    /// for the interarrival jitter. A datagram that is not valid RTP returns
    /// the parse error and changes nothing.
    pub fn handle_rtp(&mut self, now: Instant, data: &[u8]) -> Result<(), Error> {
        let packet = RtpPacket::parse(data)?;
        let current = self.source.filter(|s| s.ssrc == packet.ssrc());

        if packet.payload_type() != self.config.payload_type {
            self.stats.packets_ignored += 1;
            self.stats.packets_received += 1;
            if let Some(mut source) = current {
                source.update_seq(packet.sequence());
                self.source = Some(source);
            }
            return Ok(());
        }
        self.stats.packets_received += 1;

        let mut source = match current {
            Some(source) => source,
            None => {
                if let Some(old) = self.source {
                    // A new remote source: RFC 3550 keeps state per SSRC.
                    self.lost_before += self.lost_excluding_duplicates(&old);
                    self.jitter.reset();
                    self.stats.jitter_buffer_resyncs += 1;
                }
                self.duplicates_at_source_start = self.stats.packets_duplicate;
                SourceState::new(packet.ssrc(), packet.sequence())
            }
        };
        if !source.update_seq(packet.sequence()) {
            // RFC 3550 A.1: far outside the sequence window and not (yet)
            // confirmed by its successor; not played.
            self.source = Some(source);
            self.stats.packets_ignored += 1;
            return Ok(());
        }
        let epoch = *self.epoch.get_or_insert(now);
        let elapsed = now.saturating_duration_since(epoch);
        let rate = u128::from(self.config.codec.clock_rate());
        // Arrival in timestamp units, wrapping like an RTP timestamp.
        let arrival = (elapsed.as_nanos() * rate / 1_000_000_000) as u32;
        source.update_jitter(arrival, packet.timestamp());
        self.source = Some(source);

        match self.jitter.insert(packet.timestamp(), packet.payload()) {
            InsertOutcome::Stored => {}
            InsertOutcome::Duplicate => self.stats.packets_duplicate += 1,
            InsertOutcome::Late => self.stats.packets_late += 1,
            InsertOutcome::Resynced => self.stats.jitter_buffer_resyncs += 1,
        }
        Ok(())
    }

    fn lost_excluding_duplicates(&self, source: &SourceState) -> i64 {
        let duplicates = self.stats.packets_duplicate - self.duplicates_at_source_start;
        (source.lost() + duplicates as i64).max(0)
    }

    /// Downlink: the next 10 ms frame for the line. Silence while the
    /// jitter buffer fills and for frames that did not arrive (packet-loss
    /// concealment comes later). `out` should hold [`FRAME_SAMPLES`]
    /// samples; a longer one is zero-filled past the frame.
    pub fn poll_pcm(&mut self, out: &mut [i16]) {
        out.fill(0);
        match self.jitter.pop() {
            Playout::Frame { payload, offset } => {
                let frame_end = FRAME_SAMPLES.min(out.len());
                if let Some(dst) = out.get_mut(offset.min(frame_end)..frame_end) {
                    self.decoder.decode(payload, dst);
                }
            }
            Playout::Missing => self.stats.frames_concealed += 1,
            Playout::Waiting => {}
        }
    }

    /// Counters since construction.
    pub fn stats(&self) -> MediaStats {
        let mut stats = self.stats;
        stats.packets_sent = self.sender.packets_sent();
        stats.octets_sent = self.sender.octets_sent();
        let current = self.source.map_or(0, |s| self.lost_excluding_duplicates(&s));
        stats.packets_lost = (self.lost_before + current).max(0) as u64;
        if let Some(source) = self.source {
            let jitter_units = source.jitter_q4 as f32 / 16.0;
            stats.jitter_ms = jitter_units * 1000.0 / self.config.codec.clock_rate() as f32;
        }
        stats
    }
}
