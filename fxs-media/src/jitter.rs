//! The jitter buffer, keyed by RTP timestamp (media.md §6): adaptive for
//! voice, fixed for fax and modem pass-through.
//!
//! Packets go in as they arrive, in any order; the line clock takes 10 ms
//! frames out. The first packet (and every resynchronisation) anchors the
//! playout point at its timestamp; playout starts after the current target
//! delay has run, so packets that arrive up to that much later than the
//! first one still make it. The buffer stores *encoded* payload (the decoder
//! runs at playout, in order, which stateful codecs need), one slot per
//! 10 ms frame in a ring allocated once at construction; nothing allocates
//! afterwards.
//!
//! Packet timestamps need not fall on the 10 ms grid: a packet of 5 ms fills
//! half a slot, and the next one the other half. Within one slot the stored
//! octets must be contiguous; a piece that would leave a hole is dropped
//! (counted as a duplicate), which only happens with packets shorter than 5 ms and
//! loss.
//!
//! # Adaptive mode
//!
//! With [`JitterMode::Adaptive`] and arrival times given to
//! [`JitterBuffer::insert_at`], the buffer measures each packet's transit
//! time (arrival minus timestamp) against the smallest transit of the last
//! few seconds (a two-bucket windowed minimum, which follows clock drift),
//! and takes the largest excess over the same window as the jitter to
//! absorb. The target delay is that jitter plus [`ADAPTIVE_MARGIN_SAMPLES`],
//! rounded up to whole frames and kept between the configured minimum and
//! maximum (media.md §6: 20-200 ms for voice, starting at 40-60 ms). The
//! delay actually held, smoothed over packets, is steered towards the target
//! by time-scaling: [`JitterBuffer::pop_with`] drops a frame (shrink) or asks
//! the caller for a synthetic one ([`Playout::Stretch`], stretch). Steps are
//! taken at once in quiet frames (the caller says which are quiet), and at
//! most one per [`SPEECH_SCALE_INTERVAL`] frames in speech, so that the
//! adjustment stays inaudible. A sender whose clock is faster or slower than
//! ours shows up as a delay that drifts away from the target, and the same
//! steps absorb it. The first packet of a talkspurt (RTP marker) arriving at
//! an empty buffer re-anchors playout at the target at once, since the
//! silence before it (a DTX gap) can be shortened or stretched freely.
//!
//! # Fixed mode
//!
//! [`JitterMode::Fixed`] never time-scales: the delay is
//! [`JitterBufferConfig::delay_frames`], as fax and modem pass-through need
//! (media.md §6, fax-t38.md §9).
//!
//! # Resynchronisation
//!
//! The buffer empties and re-anchors on the packet that caused it when a
//! packet is more than [`JitterBufferConfig::resync_threshold`] timestamp
//! units behind the playout point, when it lies beyond the end of the ring
//! (a timestamp jump), after [`LATE_RESYNC_COUNT`] late packets in a row
//! (the sender's clock is slower than ours and time-scaling is off), and
//! when the caller calls [`JitterBuffer::reset`] (a new SSRC).

use crate::Error;

/// Consecutive late packets after which the buffer re-anchors on the next
/// late one instead of dropping it: a sender whose clock runs slow would
/// otherwise be late forever.
pub const LATE_RESYNC_COUNT: u32 = 4;

/// Safety margin added to the measured jitter to form the adaptive target,
/// in timestamp units at 8 kHz (5 ms; scaled for other clocks by the frame size).
pub const ADAPTIVE_MARGIN_SAMPLES: u32 = 40;

/// In speech, at most one time-scaling step per this many frames (200 ms),
/// unless the delay is more than [`URGENT_FRAMES`] away from the target.
pub const SPEECH_SCALE_INTERVAL: u32 = 20;

/// Distance from the target, in frames, beyond which a step is taken even
/// in speech once per [`URGENT_SCALE_INTERVAL`] frames.
pub const URGENT_FRAMES: u32 = 4;

/// Frames between steps when the delay is far from the target.
pub const URGENT_SCALE_INTERVAL: u32 = 5;

/// Packets per bucket of the windowed minimum/maximum (two buckets are kept:
/// 2-4 s of 20 ms packets).
const WINDOW_PACKETS: u32 = 100;

/// How the playout delay is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JitterMode {
    /// Constant delay, no time-scaling (fax, modem, or a known network).
    Fixed,
    /// Delay follows the measured jitter between the two bounds, in frames.
    Adaptive {
        /// Smallest target delay in frames (media.md §6: 20 ms).
        min_frames: u32,
        /// Largest target delay in frames (media.md §6: 200 ms).
        max_frames: u32,
    },
}

/// Sizes of a [`JitterBuffer`], fixed at construction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JitterBufferConfig {
    /// Samples (RTP timestamp units) per playout frame, e.g. 80 for 10 ms at 8 kHz.
    pub frame_samples: u32,
    /// Encoded octets per playout frame, e.g. 80 for G.711.
    pub frame_bytes: usize,
    /// Frames of playout delay after the first packet: the constant delay
    /// in fixed mode, the starting target in adaptive mode.
    pub delay_frames: u32,
    /// Frames the ring holds: the largest delay plus room for early packets.
    pub capacity_frames: u32,
    /// A packet this many timestamp units (or more) behind the playout point
    /// causes a resynchronisation instead of being dropped as late
    /// (media.md §6: Asterisk uses 1000 ms).
    pub resync_threshold: u32,
    /// Fixed or adaptive delay.
    pub mode: JitterMode,
}

impl JitterBufferConfig {
    /// Checks the sizes; the error names the field that is wrong.
    pub fn validate(&self) -> Result<(), Error> {
        if self.frame_samples == 0 || self.frame_samples > 4096 {
            return Err(Error::InvalidConfig {
                field: "frame_samples",
                value: self.frame_samples.into(),
                allowed: "1..=4096 samples",
            });
        }
        if self.frame_bytes == 0 || self.frame_bytes > usize::from(u16::MAX) {
            return Err(Error::InvalidConfig {
                field: "frame_bytes",
                value: self.frame_bytes as u64,
                allowed: "1..=65535 octets",
            });
        }
        let largest = match self.mode {
            JitterMode::Fixed => self.delay_frames,
            JitterMode::Adaptive {
                min_frames,
                max_frames,
            } => {
                if min_frames > max_frames {
                    return Err(Error::InvalidConfig {
                        field: "min_frames",
                        value: min_frames.into(),
                        allowed: "at most max_frames",
                    });
                }
                max_frames.max(self.delay_frames)
            }
        };
        if self.capacity_frames <= largest || self.capacity_frames > 1000 {
            return Err(Error::InvalidConfig {
                field: "capacity_frames",
                value: self.capacity_frames.into(),
                allowed: "more than delay_frames (and max_frames) and at most 1000",
            });
        }
        if self.resync_threshold == 0 || self.resync_threshold > i32::MAX as u32 {
            return Err(Error::InvalidConfig {
                field: "resync_threshold",
                value: self.resync_threshold.into(),
                allowed: "1..=2^31-1 timestamp units",
            });
        }
        Ok(())
    }
}

/// What [`JitterBuffer::insert`] did with a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InsertOutcome {
    /// Stored (all of it, or the part that was not already played).
    Stored,
    /// Every part of it was already in the buffer.
    Duplicate,
    /// Its time has passed; dropped.
    Late,
    /// The buffer was emptied and playout re-anchored on this packet.
    Resynced,
}

/// What [`JitterBuffer::pop`] hands the decoder for one frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Playout<'a> {
    /// Playout has not started: nothing received yet, or the initial delay
    /// is running. Play silence; this is not loss.
    Waiting,
    /// Encoded payload for this frame, to be decoded into the frame starting
    /// at sample `offset`. When it does not cover the whole frame, the rest
    /// is missing.
    Frame {
        /// The encoded octets.
        payload: &'a [u8],
        /// First sample of the frame they belong at.
        offset: usize,
    },
    /// Nothing arrived for this frame: it is lost (or not sent).
    Missing,
    /// Adaptive mode wants the delay to grow by one frame: play a synthetic
    /// frame (concealment or comfort noise) that is neither lost nor late;
    /// the stored frames wait one frame longer.
    Stretch,
}

/// Counters and delay figures of a [`JitterBuffer`] (the delay figures are
/// what RTCP XR VoIP metrics report as JB nominal, maximum and absolute
/// maximum, RFC 3611 §4.7.7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct JitterStats {
    /// Packets stored.
    pub stored: u64,
    /// Packets dropped because they came after their playout time.
    pub late: u64,
    /// Packets dropped because they were already in the buffer.
    pub duplicate: u64,
    /// Times the buffer emptied and re-anchored.
    pub resyncs: u64,
    /// Frames played from received payload (wholly or partly).
    pub frames_played: u64,
    /// Frames with nothing to play after playout started.
    pub frames_missing: u64,
    /// Frames with payload dropped to shrink the delay (time-scaling).
    pub frames_discarded: u64,
    /// Frames skipped to shrink the delay (with or without payload).
    pub shrinks: u64,
    /// Synthetic frames inserted to grow the delay.
    pub stretches: u64,
    /// Current target delay in timestamp units (nominal delay).
    pub nominal_delay: u32,
    /// Largest delay held so far, in timestamp units.
    pub max_delay: u32,
    /// The most the buffer can hold, in timestamp units (absolute maximum).
    pub abs_max_delay: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Nothing received since construction or reset.
    Unsynced,
    /// Anchored; this many more frames of delay before playout.
    Buffering { remaining: u32 },
    /// Playing one frame per pop.
    Playing,
}

/// A running minimum or maximum over the last one to two windows, without
/// allocation: the value of the previous bucket and of the current one.
#[derive(Clone, Copy, Debug)]
struct Windowed {
    previous: Option<i64>,
    current: Option<i64>,
    count: u32,
    is_max: bool,
}

impl Windowed {
    fn new(is_max: bool) -> Windowed {
        Windowed {
            previous: None,
            current: None,
            count: 0,
            is_max,
        }
    }

    fn pick(&self, a: i64, b: i64) -> i64 {
        if self.is_max { a.max(b) } else { a.min(b) }
    }

    fn push(&mut self, value: i64) {
        self.current = Some(match self.current {
            Some(c) => self.pick(c, value),
            None => value,
        });
        self.count += 1;
        if self.count >= WINDOW_PACKETS {
            self.previous = self.current;
            self.current = None;
            self.count = 0;
        }
    }

    fn value(&self) -> Option<i64> {
        match (self.previous, self.current) {
            (Some(a), Some(b)) => Some(self.pick(a, b)),
            (a, b) => a.or(b),
        }
    }

    fn clear(&mut self) {
        *self = Windowed::new(self.is_max);
    }
}

/// Jitter buffer; see the module docs.
#[derive(Clone, Debug)]
pub struct JitterBuffer {
    config: JitterBufferConfig,
    /// `capacity_frames * frame_bytes` octets: slot `i` is `data[i*fb..(i+1)*fb]`.
    data: Vec<u8>,
    /// Per slot, the stored octet range `[start, end)`; empty when equal.
    filled: Vec<(u16, u16)>,
    state: State,
    /// Slot of the frame played next.
    head: usize,
    /// RTP timestamp of the first sample of the frame at `head`.
    play_ts: u32,
    consecutive_late: u32,
    /// Current target delay in frames.
    target_frames: u32,
    /// Windowed minimum of transit (arrival - timestamp).
    base_transit: Windowed,
    /// Windowed maximum of transit above the base.
    peak_excess: Windowed,
    /// Smoothed delay held, in timestamp units ×16; None until measured.
    delay_q4: Option<i64>,
    /// Frames since the last time-scaling step.
    since_scale: u32,
    /// Packets measured since construction or reset.
    measured: u32,
    stats: JitterStats,
}

impl JitterBuffer {
    /// A buffer with the given sizes; all memory is allocated here.
    pub fn new(config: JitterBufferConfig) -> Result<JitterBuffer, Error> {
        config.validate()?;
        let slots = config.capacity_frames as usize;
        let target_frames = match config.mode {
            JitterMode::Fixed => config.delay_frames,
            JitterMode::Adaptive {
                min_frames,
                max_frames,
            } => config.delay_frames.clamp(min_frames, max_frames),
        };
        Ok(JitterBuffer {
            config,
            data: vec![0; slots * config.frame_bytes],
            filled: vec![(0, 0); slots],
            state: State::Unsynced,
            head: 0,
            play_ts: 0,
            consecutive_late: 0,
            target_frames,
            base_transit: Windowed::new(false),
            peak_excess: Windowed::new(true),
            delay_q4: None,
            since_scale: 0,
            measured: 0,
            stats: JitterStats {
                nominal_delay: target_frames * config.frame_samples,
                abs_max_delay: config.capacity_frames * config.frame_samples,
                ..JitterStats::default()
            },
        })
    }

    /// The sizes it was built with.
    pub fn config(&self) -> &JitterBufferConfig {
        &self.config
    }

    /// Counters and delay figures since construction.
    pub fn stats(&self) -> JitterStats {
        self.stats
    }

    /// Whether frames are being played (the initial delay is over).
    pub fn is_playing(&self) -> bool {
        self.state == State::Playing
    }

    /// The current target delay in frames.
    pub fn target_frames(&self) -> u32 {
        self.target_frames
    }

    /// The smoothed delay actually held, in timestamp units, once packets
    /// with arrival times have been inserted.
    pub fn current_delay(&self) -> Option<u32> {
        self.delay_q4.map(|d| (d.max(0) / 16) as u32)
    }

    /// Number of frames between the playout point and the last stored
    /// octet (0 when empty).
    pub fn buffered_frames(&self) -> usize {
        let slots = self.filled.len();
        (0..slots)
            .rev()
            .find(|&i| {
                let (start, end) = self.filled[(self.head + i) % slots];
                start != end
            })
            .map_or(0, |i| i + 1)
    }

    /// Empties the buffer; the next packet anchors playout again, after the
    /// full delay. Use it when the remote source changes (new SSRC): the
    /// jitter measurements start over too.
    pub fn reset(&mut self) {
        self.filled.fill((0, 0));
        self.state = State::Unsynced;
        self.consecutive_late = 0;
        self.base_transit.clear();
        self.peak_excess.clear();
        self.delay_q4 = None;
        self.measured = 0;
    }

    fn anchor(&mut self, timestamp: u32) {
        self.filled.fill((0, 0));
        self.head = 0;
        self.play_ts = timestamp;
        self.consecutive_late = 0;
        self.delay_q4 = None;
        self.state = if self.target_frames == 0 {
            State::Playing
        } else {
            State::Buffering {
                remaining: self.target_frames,
            }
        };
    }

    fn resync(&mut self, timestamp: u32, payload: &[u8]) -> InsertOutcome {
        self.anchor(timestamp);
        self.stats.resyncs += 1;
        self.store(0, payload);
        self.stats.stored += 1;
        InsertOutcome::Resynced
    }

    /// Samples that `bytes` encoded octets stand for.
    fn samples_of(&self, bytes: usize) -> i64 {
        (bytes as i64 * i64::from(self.config.frame_samples)) / self.config.frame_bytes as i64
    }

    /// Octets that `samples` samples take.
    fn bytes_of(&self, samples: i64) -> usize {
        ((samples * self.config.frame_bytes as i64) / i64::from(self.config.frame_samples)) as usize
    }

    fn is_adaptive(&self) -> bool {
        matches!(self.config.mode, JitterMode::Adaptive { .. })
    }

    /// Adds one packet's payload, whose first sample has RTP timestamp
    /// `timestamp`, without an arrival time (no jitter measurement, so no
    /// adaptation). Does not allocate.
    pub fn insert(&mut self, timestamp: u32, payload: &[u8]) -> InsertOutcome {
        self.insert_inner(None, timestamp, false, payload)
    }

    /// Adds one packet's payload that arrived at `arrival` (in timestamp
    /// units of any origin, wrapping like an RTP timestamp); `marker` is its
    /// RTP M bit (first packet of a talkspurt). Does not allocate.
    pub fn insert_at(&mut self, arrival: u32, timestamp: u32, marker: bool, payload: &[u8]) -> InsertOutcome {
        self.insert_inner(Some(arrival), timestamp, marker, payload)
    }

    /// Updates the jitter measurement with a packet; returns its transit
    /// above the base.
    fn measure(&mut self, arrival: u32, timestamp: u32) -> i64 {
        let transit = i64::from(arrival.wrapping_sub(timestamp) as i32);
        // Transit is relative to an arbitrary origin: compare it with the
        // running base in wrapping arithmetic so that a wrap does not matter.
        let transit = match self.base_transit.value() {
            Some(base) => base + i64::from((transit - base) as i32),
            None => transit,
        };
        self.base_transit.push(transit);
        let base = self.base_transit.value().unwrap_or(transit);
        let excess = transit - base;
        self.peak_excess.push(excess);
        if let JitterMode::Adaptive {
            min_frames,
            max_frames,
        } = self.config.mode
        {
            let fs = i64::from(self.config.frame_samples);
            let margin = i64::from(ADAPTIVE_MARGIN_SAMPLES) * fs / 80;
            let jitter = self.peak_excess.value().unwrap_or(0).max(0);
            let frames = ((jitter + margin + fs - 1) / fs).clamp(0, i64::from(u32::MAX)) as u32;
            let frames = frames.clamp(min_frames, max_frames);
            // Grow at once; shrink only once a window of packets has been seen,
            // so that the starting delay holds until there is evidence.
            self.measured = self.measured.saturating_add(1);
            if frames > self.target_frames || self.measured >= WINDOW_PACKETS {
                self.target_frames = frames;
            }
            self.stats.nominal_delay = self.target_frames * self.config.frame_samples;
        }
        excess
    }

    /// Records the delay held as seen by a packet arriving now.
    fn observe_delay(&mut self, arrival: u32) {
        if self.state != State::Playing {
            return;
        }
        let Some(base) = self.base_transit.value() else {
            return;
        };
        // arrival - base is the timestamp a packet with the least transit
        // would carry; its distance ahead of the playout point is the delay.
        let expected_ts = i64::from(arrival) - base;
        let delay = i64::from((expected_ts as u32).wrapping_sub(self.play_ts) as i32);
        let q4 = delay * 16;
        self.delay_q4 = Some(match self.delay_q4 {
            Some(d) => d + (q4 - d) / 16,
            None => q4,
        });
        let held = delay.clamp(0, i64::from(u32::MAX)) as u32;
        self.stats.max_delay = self.stats.max_delay.max(held.min(self.stats.abs_max_delay));
    }

    fn insert_inner(
        &mut self,
        arrival: Option<u32>,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> InsertOutcome {
        let excess = arrival.map(|a| self.measure(a, timestamp));
        if self.state == State::Unsynced {
            self.anchor(timestamp);
            self.store(0, payload);
            self.stats.stored += 1;
            return InsertOutcome::Stored;
        }
        // A talkspurt after a gap: place it at the target delay right away.
        if marker && self.is_adaptive() && self.state == State::Playing && self.buffered_frames() == 0 {
            if let Some(excess) = excess {
                let lead = i64::from(self.target_frames * self.config.frame_samples) - excess;
                let lead = lead.max(0) as u32;
                self.play_ts = timestamp.wrapping_sub(lead);
                self.delay_q4 = None;
            }
        }
        if let Some(a) = arrival {
            self.observe_delay(a);
        }
        // Signed distance from the playout point, tolerant of wrap.
        let offset = i64::from(timestamp.wrapping_sub(self.play_ts) as i32);
        let end = offset + self.samples_of(payload.len());
        let span = i64::from(self.config.capacity_frames) * i64::from(self.config.frame_samples);

        if offset < 0 && self.extend_back(offset) {
            return self.insert_inner(None, timestamp, false, payload);
        }
        let late = if payload.is_empty() { offset < 0 } else { end <= 0 };
        if late {
            if -offset >= i64::from(self.config.resync_threshold)
                || (self.consecutive_late >= LATE_RESYNC_COUNT && !self.is_adaptive())
            {
                return self.resync(timestamp, payload);
            }
            self.consecutive_late += 1;
            self.stats.late += 1;
            return InsertOutcome::Late;
        }
        if offset >= span {
            return self.resync(timestamp, payload);
        }
        self.consecutive_late = 0;

        // Skip the part whose time has passed.
        let (start, payload) = if offset < 0 {
            let skip = self.bytes_of(-offset).min(payload.len());
            (0, payload.get(skip..).unwrap_or_default())
        } else {
            (offset, payload)
        };
        if self.store(start, payload) || payload.is_empty() {
            self.stats.stored += 1;
            InsertOutcome::Stored
        } else {
            self.stats.duplicate += 1;
            InsertOutcome::Duplicate
        }
    }

    /// While the initial delay runs nothing has been played, so a packet
    /// that is earlier than the anchor (the first two packets swapped) can
    /// still be placed: move the playout point back by whole frames if the
    /// ring has room. Returns whether it moved.
    fn extend_back(&mut self, offset: i64) -> bool {
        if !matches!(self.state, State::Buffering { .. }) {
            return false;
        }
        let fs = i64::from(self.config.frame_samples);
        let frames = (-offset + fs - 1) / fs;
        let slots = self.filled.len();
        if frames <= 0 || self.buffered_frames() + frames as usize > slots {
            return false;
        }
        let frames_u32 = frames as u32;
        self.head = (self.head + slots - frames as usize) % slots;
        self.play_ts = self.play_ts.wrapping_sub(frames_u32 * self.config.frame_samples);
        true
    }

    /// Writes `payload` starting `start` samples after the playout point;
    /// returns whether any octet was new. Octets beyond the ring are dropped.
    fn store(&mut self, start: i64, payload: &[u8]) -> bool {
        let fs = i64::from(self.config.frame_samples);
        let fb = self.config.frame_bytes;
        let slots = self.filled.len();
        let mut any_new = false;
        let mut position = start;
        let mut rest = payload;
        while !rest.is_empty() {
            let frame = (position / fs) as usize;
            if frame >= slots {
                break;
            }
            let within = self.bytes_of(position % fs);
            let take = (fb - within.min(fb)).min(rest.len());
            if take == 0 {
                break;
            }
            let (piece, tail) = rest.split_at(take);
            let slot = (self.head + frame) % slots;
            if self.store_piece(slot, within, piece) {
                any_new = true;
            }
            rest = tail;
            position = (position / fs + 1) * fs;
        }
        any_new
    }

    /// Stores `piece` at octet `within` of `slot` if it joins the range
    /// already there without overlap or hole; returns whether it was stored.
    fn store_piece(&mut self, slot: usize, within: usize, piece: &[u8]) -> bool {
        let fb = self.config.frame_bytes;
        // Both are <= frame_bytes <= u16::MAX (checked in validate).
        let lo = within as u16;
        let hi = (within + piece.len()) as u16;
        let Some(&(start, end)) = self.filled.get(slot) else {
            return false;
        };
        let merged = if start == end {
            (lo, hi)
        } else if hi == start {
            (lo, end)
        } else if lo == end {
            (start, hi)
        } else {
            // Overlap (a duplicate) or a hole: keep what is there.
            return false;
        };
        let base = slot * fb + within;
        if let Some(dst) = self.data.get_mut(base..base + piece.len()) {
            dst.copy_from_slice(piece);
            if let Some(range) = self.filled.get_mut(slot) {
                *range = merged;
            }
            true
        } else {
            false
        }
    }

    /// Takes the next 10 ms frame for the line, without a hint about the
    /// audio (time-scaling then only happens at the speech rate). Call it
    /// once per frame of the line clock, whether or not packets arrived.
    /// Does not allocate.
    pub fn pop(&mut self) -> Playout<'_> {
        self.pop_with(false)
    }

    /// Which time-scaling step the delay calls for now, if any.
    fn scale_step(&mut self, quiet: bool) -> Option<bool> {
        if !self.is_adaptive() {
            return None;
        }
        self.since_scale = self.since_scale.saturating_add(1);
        let delay = self.delay_q4? / 16;
        let fs = i64::from(self.config.frame_samples);
        let target = i64::from(self.target_frames) * fs;
        let error = delay - target;
        let distance = error.abs() / fs;
        // One frame of dead band: the delay measurement moves by up to a
        // packet between arrivals.
        if distance < 1 {
            return None;
        }
        let interval = if quiet {
            1
        } else if distance >= i64::from(URGENT_FRAMES) {
            URGENT_SCALE_INTERVAL
        } else {
            SPEECH_SCALE_INTERVAL
        };
        if self.since_scale < interval {
            return None;
        }
        // Shrinking needs something buffered beyond the frame dropped.
        if error > 0 && self.buffered_frames() < 2 {
            return None;
        }
        self.since_scale = 0;
        Some(error > 0)
    }

    /// Like [`pop`](Self::pop); `quiet` tells the adaptive buffer that the
    /// audio around this point is silence or noise (from a VAD or the level
    /// of the last frame played), where dropping or inserting a frame is
    /// inaudible, so it may time-scale at once. Does not allocate.
    pub fn pop_with(&mut self, quiet: bool) -> Playout<'_> {
        match self.state {
            State::Unsynced => return Playout::Waiting,
            State::Buffering { remaining } => {
                self.state = if remaining <= 1 {
                    State::Playing
                } else {
                    State::Buffering {
                        remaining: remaining - 1,
                    }
                };
                return Playout::Waiting;
            }
            State::Playing => {}
        }
        let fs = i64::from(self.config.frame_samples);
        match self.scale_step(quiet) {
            Some(false) => {
                // Stretch: the playout point stays; the delay grows a frame.
                self.stats.stretches += 1;
                if let Some(d) = self.delay_q4.as_mut() {
                    *d += fs * 16;
                }
                return Playout::Stretch;
            }
            Some(true) => {
                // Shrink: drop the frame at the playout point.
                self.stats.shrinks += 1;
                if self.advance() {
                    self.stats.frames_discarded += 1;
                }
                if let Some(d) = self.delay_q4.as_mut() {
                    *d -= fs * 16;
                }
            }
            None => {}
        }
        let slots = self.filled.len();
        let slot = self.head;
        let (start, end) = self.filled.get(slot).copied().unwrap_or((0, 0));
        self.advance();
        let _ = slots;
        if start == end {
            self.stats.frames_missing += 1;
            return Playout::Missing;
        }
        self.stats.frames_played += 1;
        let base = slot * self.config.frame_bytes;
        let payload = self
            .data
            .get(base + usize::from(start)..base + usize::from(end))
            .unwrap_or_default();
        let offset = self.samples_of(usize::from(start)) as usize;
        Playout::Frame { payload, offset }
    }

    /// Moves the playout point one frame on, emptying the slot left
    /// behind; returns whether it held payload. The octets stay in `data`
    /// until overwritten, so the frame just passed can still be borrowed.
    fn advance(&mut self) -> bool {
        let slots = self.filled.len();
        let had = match self.filled.get_mut(self.head) {
            Some(range) => {
                let had = range.0 != range.1;
                *range = (0, 0);
                had
            }
            None => false,
        };
        self.head = (self.head + 1) % slots;
        self.play_ts = self.play_ts.wrapping_add(self.config.frame_samples);
        had
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(delay_frames: u32) -> JitterBufferConfig {
        JitterBufferConfig {
            frame_samples: 80,
            frame_bytes: 80,
            delay_frames,
            capacity_frames: delay_frames + 20,
            resync_threshold: 8000,
            mode: JitterMode::Fixed,
        }
    }

    fn adaptive(start_frames: u32) -> JitterBufferConfig {
        JitterBufferConfig {
            frame_samples: 80,
            frame_bytes: 80,
            delay_frames: start_frames,
            capacity_frames: 60,
            resync_threshold: 8000,
            mode: JitterMode::Adaptive {
                min_frames: 2,
                max_frames: 20,
            },
        }
    }

    /// Tiny deterministic generator for jitter (xorshift).
    struct Rng(u32);
    impl Rng {
        fn next(&mut self, below: u32) -> u32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 17;
            self.0 ^= self.0 << 5;
            self.0 % below
        }
    }

    /// Runs 20 ms packets through the buffer for `ms` ms: the sender's clock
    /// runs at `rate_ppm` parts per million off ours, each packet is delayed
    /// by 0..`jitter_ms`; packets are delivered in arrival order at 1 ms
    /// resolution and one frame is popped every 10 ms (quiet when `quiet`).
    /// Returns the number of frames played, missing and stretched.
    fn simulate(
        jb: &mut JitterBuffer,
        ms: u32,
        rate_ppm: i64,
        jitter_ms: u32,
        quiet: bool,
    ) -> (u32, u32, u32) {
        let mut rng = Rng(0x1234_5678);
        // (arrival ms, timestamp)
        let mut in_flight: Vec<(u32, u32)> = Vec::new();
        let (mut played, mut missing, mut stretched) = (0, 0, 0);
        for t in 0..ms {
            // The sender emits a packet every 20 ms of its own clock.
            let sender_ms = i64::from(t) * (1_000_000 + rate_ppm) / 1_000_000;
            let prev = (i64::from(t) - 1).max(0) * (1_000_000 + rate_ppm) / 1_000_000;
            if t == 0 || sender_ms / 20 != prev / 20 {
                let ts = (sender_ms / 20 * 160) as u32;
                let delay = if jitter_ms > 0 { rng.next(jitter_ms) } else { 0 };
                in_flight.push((t + delay, ts));
            }
            in_flight.sort();
            while in_flight.first().is_some_and(|&(at, _)| at <= t) {
                let (_, ts) = in_flight.remove(0);
                jb.insert_at(t * 8, ts, false, &[1; 160]);
            }
            if t % 10 == 9 {
                match jb.pop_with(quiet) {
                    Playout::Frame { .. } => played += 1,
                    Playout::Missing => missing += 1,
                    Playout::Stretch => stretched += 1,
                    Playout::Waiting => {}
                }
            }
        }
        (played, missing, stretched)
    }

    #[test]
    fn adaptive_target_follows_the_measured_jitter() {
        let mut calm = JitterBuffer::new(adaptive(5)).unwrap();
        simulate(&mut calm, 6000, 0, 0, true);
        assert!(calm.target_frames() <= 3, "{}", calm.target_frames());
        let mut rough = JitterBuffer::new(adaptive(5)).unwrap();
        simulate(&mut rough, 6000, 0, 80, true);
        let target = rough.target_frames();
        assert!(
            (8..=11).contains(&target),
            "target {target} frames for 80 ms of jitter"
        );
        // After adapting, few packets come too late.
        let before = rough.stats().late;
        simulate(&mut rough, 6000, 0, 80, true);
        let late = rough.stats().late - before;
        assert!(late <= 3, "{late} late packets of 300");
    }

    #[test]
    fn adaptive_delay_converges_to_the_target_by_time_scaling() {
        let mut jb = JitterBuffer::new(adaptive(15)).unwrap();
        simulate(&mut jb, 8000, 0, 0, true);
        let stats = jb.stats();
        assert!(stats.shrinks >= 10, "{stats:?}");
        let delay = jb.current_delay().unwrap();
        let target = jb.target_frames() * 80;
        assert!(delay.abs_diff(target) <= 160, "delay {delay} target {target}");
    }

    #[test]
    fn fast_sender_clock_drift_is_absorbed_by_dropping_frames() {
        let mut jb = JitterBuffer::new(adaptive(5)).unwrap();
        // 0.5 % fast: 100 ms of surplus over 20 s.
        let (_, missing, _) = simulate(&mut jb, 20_000, 5000, 10, false);
        let stats = jb.stats();
        assert!(stats.shrinks >= 6, "{stats:?}");
        assert_eq!(stats.resyncs, 0, "{stats:?}");
        assert!(missing <= 4, "{missing} missing, {stats:?}");
        assert!(jb.current_delay().unwrap() <= 12 * 80, "{stats:?}");
    }

    #[test]
    fn slow_sender_clock_drift_is_absorbed_by_stretching() {
        let mut jb = JitterBuffer::new(adaptive(5)).unwrap();
        let (_, _, stretched) = simulate(&mut jb, 20_000, -5000, 10, false);
        let stats = jb.stats();
        assert!(stretched >= 6, "{stats:?}");
        assert_eq!(stats.resyncs, 0, "{stats:?}");
        assert!(stats.late <= 4, "{stats:?}");
    }

    #[test]
    fn fixed_mode_never_time_scales() {
        let mut jb = JitterBuffer::new(config(6)).unwrap();
        let (_, _, stretched) = simulate(&mut jb, 5000, 0, 20, true);
        assert_eq!(stretched, 0);
        assert_eq!(jb.stats().shrinks, 0);
    }

    #[test]
    fn talkspurt_after_a_gap_is_placed_at_the_target_delay() {
        let mut jb = JitterBuffer::new(adaptive(4)).unwrap();
        simulate(&mut jb, 2000, 0, 0, false);
        let target = jb.target_frames();
        // Drain, then a 1 s gap (DTX), then a talkspurt that arrives early
        // relative to the old timeline.
        for _ in 0..100 {
            jb.pop();
        }
        let arrival = 3100 * 8;
        let ts = 3000 * 8; // 100 ms less transit than before: the network got faster.
        jb.insert_at(arrival, ts, true, &[7; 160]);
        let mut waited = 0u32;
        while !matches!(jb.pop(), Playout::Frame { .. }) {
            waited += 1;
            assert!(waited < 50);
        }
        assert!(waited.abs_diff(target) <= 1, "waited {waited} target {target}");
    }

    #[test]
    fn delay_figures_for_rtcp_xr_are_reported() {
        let mut jb = JitterBuffer::new(adaptive(5)).unwrap();
        simulate(&mut jb, 3000, 0, 40, false);
        let stats = jb.stats();
        assert_eq!(stats.abs_max_delay, 60 * 80);
        assert_eq!(stats.nominal_delay, jb.target_frames() * 80);
        assert!(stats.max_delay >= stats.nominal_delay / 2, "{stats:?}");
    }

    /// A 20 ms G.711-like payload whose octets say which packet it is.
    fn payload(n: u8) -> [u8; 160] {
        [n; 160]
    }

    /// Pops one frame and returns (first octet, length, offset) or None.
    fn pop(jb: &mut JitterBuffer) -> Option<(u8, usize, usize)> {
        match jb.pop() {
            Playout::Frame { payload, offset } => Some((payload[0], payload.len(), offset)),
            Playout::Waiting | Playout::Missing | Playout::Stretch => None,
        }
    }

    #[test]
    fn playout_starts_after_the_fixed_delay() {
        let mut jb = JitterBuffer::new(config(3)).unwrap();
        assert_eq!(jb.pop(), Playout::Waiting);
        assert_eq!(jb.insert(1000, &payload(1)), InsertOutcome::Stored);
        for _ in 0..3 {
            assert_eq!(jb.pop(), Playout::Waiting);
        }
        assert!(jb.is_playing());
        assert_eq!(pop(&mut jb), Some((1, 80, 0)));
        assert_eq!(pop(&mut jb), Some((1, 80, 0)));
        assert_eq!(jb.pop(), Playout::Missing);
        assert_eq!(jb.stats().frames_missing, 1);
    }

    #[test]
    fn reordered_packets_play_in_timestamp_order() {
        let mut jb = JitterBuffer::new(config(2)).unwrap();
        jb.insert(0, &payload(1));
        jb.insert(320, &payload(3));
        jb.insert(160, &payload(2));
        jb.pop();
        jb.pop();
        let order: Vec<_> = (0..6).map(|_| pop(&mut jb).map(|f| f.0)).collect();
        assert_eq!(order, [Some(1), Some(1), Some(2), Some(2), Some(3), Some(3)]);
    }

    #[test]
    fn a_packet_earlier_than_the_first_is_kept_while_buffering() {
        let mut jb = JitterBuffer::new(config(3)).unwrap();
        jb.insert(160, &payload(2));
        assert_eq!(jb.insert(0, &payload(1)), InsertOutcome::Stored);
        for _ in 0..3 {
            jb.pop();
        }
        let order: Vec<_> = (0..4).map(|_| pop(&mut jb).map(|f| f.0)).collect();
        assert_eq!(order, [Some(1), Some(1), Some(2), Some(2)]);
    }

    #[test]
    fn duplicates_are_dropped_and_counted() {
        let mut jb = JitterBuffer::new(config(2)).unwrap();
        jb.insert(0, &payload(1));
        assert_eq!(jb.insert(0, &payload(9)), InsertOutcome::Duplicate);
        assert_eq!(jb.stats().duplicate, 1);
        jb.pop();
        jb.pop();
        assert_eq!(pop(&mut jb), Some((1, 80, 0)));
    }

    #[test]
    fn packets_after_their_playout_time_are_late() {
        let mut jb = JitterBuffer::new(config(0)).unwrap();
        jb.insert(0, &payload(1));
        pop(&mut jb);
        pop(&mut jb);
        assert_eq!(jb.insert(0, &payload(1)), InsertOutcome::Late);
        // Half of this one is still to come: that half is kept.
        assert_eq!(jb.insert(80, &payload(2)), InsertOutcome::Stored);
        assert_eq!(pop(&mut jb), Some((2, 80, 0)));
        assert_eq!(jb.stats().late, 1);
    }

    #[test]
    fn timestamps_wrap_without_a_glitch() {
        let mut jb = JitterBuffer::new(config(1)).unwrap();
        let start = u32::MAX - 159;
        jb.insert(start, &payload(1));
        jb.insert(start.wrapping_add(160), &payload(2));
        jb.pop();
        let order: Vec<_> = (0..4).map(|_| pop(&mut jb).map(|f| f.0)).collect();
        assert_eq!(order, [Some(1), Some(1), Some(2), Some(2)]);
        assert_eq!(jb.stats().resyncs, 0);
    }

    #[test]
    fn large_timestamp_jump_resynchronises() {
        let mut jb = JitterBuffer::new(config(1)).unwrap();
        jb.insert(0, &payload(1));
        assert_eq!(jb.insert(1_000_000, &payload(2)), InsertOutcome::Resynced);
        assert_eq!(jb.pop(), Playout::Waiting);
        assert_eq!(pop(&mut jb), Some((2, 80, 0)));
        // Far behind is a resync too, not "late".
        assert_eq!(jb.insert(1_000_000 - 9000, &payload(3)), InsertOutcome::Resynced);
        assert_eq!(jb.stats().resyncs, 2);
    }

    #[test]
    fn a_slow_sender_is_re_anchored_after_consecutive_late_packets() {
        let mut jb = JitterBuffer::new(config(0)).unwrap();
        jb.insert(0, &payload(1));
        for _ in 0..20 {
            jb.pop();
        }
        // The play point is now 1600; packets keep coming far too late.
        let mut outcomes = Vec::new();
        for k in 0..=LATE_RESYNC_COUNT {
            outcomes.push(jb.insert(160 * k, &payload(2)));
        }
        assert_eq!(outcomes.last(), Some(&InsertOutcome::Resynced));
        assert_eq!(jb.stats().late, u64::from(LATE_RESYNC_COUNT));
    }

    #[test]
    fn five_millisecond_packets_fill_half_frames() {
        let mut jb = JitterBuffer::new(config(0)).unwrap();
        jb.insert(0, &[1; 40]);
        jb.insert(40, &[2; 40]);
        jb.insert(120, &[4; 40]);
        match jb.pop() {
            Playout::Frame { payload, offset } => {
                assert_eq!(offset, 0);
                assert_eq!(payload.len(), 80);
                assert_eq!((payload[0], payload[79]), (1, 2));
            }
            other => panic!("{other:?}"),
        }
        // The packet at 80 was lost: only the second half is there.
        assert_eq!(pop(&mut jb), Some((4, 40, 40)));
    }

    #[test]
    fn reset_waits_for_the_next_packet_and_the_full_delay() {
        let mut jb = JitterBuffer::new(config(2)).unwrap();
        jb.insert(0, &payload(1));
        jb.reset();
        assert_eq!(jb.pop(), Playout::Waiting);
        jb.insert(5000, &payload(2));
        assert_eq!(jb.buffered_frames(), 2);
        assert_eq!(jb.pop(), Playout::Waiting);
        assert_eq!(jb.pop(), Playout::Waiting);
        assert_eq!(pop(&mut jb), Some((2, 80, 0)));
    }

    #[test]
    fn invalid_sizes_are_refused_with_the_field_name() {
        let mut bad = config(5);
        bad.capacity_frames = 5;
        match JitterBuffer::new(bad) {
            Err(Error::InvalidConfig { field, .. }) => assert_eq!(field, "capacity_frames"),
            other => panic!("{other:?}"),
        }
        let mut bad = config(5);
        bad.frame_bytes = 0;
        assert!(matches!(
            JitterBuffer::new(bad),
            Err(Error::InvalidConfig {
                field: "frame_bytes",
                ..
            })
        ));
    }
}
