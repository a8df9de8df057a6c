//! A fixed-delay jitter buffer keyed by RTP timestamp (media.md §6).
//!
//! Packets go in as they arrive, in any order; the line clock takes 10 ms
//! frames out. The first packet (and every resynchronisation) anchors the
//! playout point at its timestamp; playout starts after `delay_frames`
//! frames have been asked for, so packets that arrive up to that much later
//! than the first one still make it. The buffer stores *encoded* payload
//! (the decoder runs at playout, in order, which stateful codecs need), one
//! slot per 10 ms frame in a ring allocated once at construction.
//!
//! Packet timestamps need not fall on the 10 ms grid: a packet of 5 ms fills
//! half a slot, and the next one the other half. Within one slot the stored
//! octets must be contiguous; a piece that would leave a hole is dropped
//! (counted as a duplicate), which only happens with packets shorter than 5 ms and
//! loss.
//!
//! Resynchronisation (the buffer empties and re-anchors on the packet that
//! caused it) happens when a packet is more than [`JitterBufferConfig::resync_threshold`]
//! timestamp units behind the playout point, when it lies beyond the end of
//! the ring, after [`LATE_RESYNC_COUNT`] late packets in a row (the sender's
//! clock is slower than ours), and when the caller calls [`JitterBuffer::reset`]
//! (a new SSRC).

use crate::Error;

/// Consecutive late packets after which the buffer re-anchors on the next
/// late one instead of dropping it: a sender whose clock runs slow would
/// otherwise be late forever.
pub const LATE_RESYNC_COUNT: u32 = 4;

/// Sizes of a [`JitterBuffer`], fixed at construction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JitterBufferConfig {
    /// Samples (RTP timestamp units) per playout frame, e.g. 80 for 10 ms at 8 kHz.
    pub frame_samples: u32,
    /// Encoded octets per playout frame, e.g. 80 for G.711.
    pub frame_bytes: usize,
    /// Frames of fixed playout delay after the first packet.
    pub delay_frames: u32,
    /// Frames the ring holds: the delay plus room for early packets.
    pub capacity_frames: u32,
    /// A packet this many timestamp units (or more) behind the playout point
    /// causes a resynchronisation instead of being dropped as late
    /// (media.md §6: Asterisk uses 1000 ms).
    pub resync_threshold: u32,
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
        if self.capacity_frames <= self.delay_frames || self.capacity_frames > 1000 {
            return Err(Error::InvalidConfig {
                field: "capacity_frames",
                value: self.capacity_frames.into(),
                allowed: "more than delay_frames and at most 1000",
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
}

/// Counters of a [`JitterBuffer`].
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

/// Fixed-delay jitter buffer; see the module docs.
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
    stats: JitterStats,
}

impl JitterBuffer {
    /// A buffer with the given sizes; all memory is allocated here.
    pub fn new(config: JitterBufferConfig) -> Result<JitterBuffer, Error> {
        config.validate()?;
        let slots = config.capacity_frames as usize;
        Ok(JitterBuffer {
            config,
            data: vec![0; slots * config.frame_bytes],
            filled: vec![(0, 0); slots],
            state: State::Unsynced,
            head: 0,
            play_ts: 0,
            consecutive_late: 0,
            stats: JitterStats::default(),
        })
    }

    /// The sizes it was built with.
    pub fn config(&self) -> &JitterBufferConfig {
        &self.config
    }

    /// Counters since construction.
    pub fn stats(&self) -> JitterStats {
        self.stats
    }

    /// Whether frames are being played (the initial delay is over).
    pub fn is_playing(&self) -> bool {
        self.state == State::Playing
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
    /// full delay. Use it when the remote source changes (new SSRC).
    pub fn reset(&mut self) {
        self.filled.fill((0, 0));
        self.state = State::Unsynced;
        self.consecutive_late = 0;
    }

    fn anchor(&mut self, timestamp: u32) {
        self.filled.fill((0, 0));
        self.head = 0;
        self.play_ts = timestamp;
        self.consecutive_late = 0;
        self.state = if self.config.delay_frames == 0 {
            State::Playing
        } else {
            State::Buffering {
                remaining: self.config.delay_frames,
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

    /// Adds one packet's payload, whose first sample has RTP timestamp
    /// `timestamp`. Does not allocate.
    pub fn insert(&mut self, timestamp: u32, payload: &[u8]) -> InsertOutcome {
        if self.state == State::Unsynced {
            self.anchor(timestamp);
            self.store(0, payload);
            self.stats.stored += 1;
            return InsertOutcome::Stored;
        }
        // Signed distance from the playout point, tolerant of wrap.
        let offset = i64::from(timestamp.wrapping_sub(self.play_ts) as i32);
        let end = offset + self.samples_of(payload.len());
        let span = i64::from(self.config.capacity_frames) * i64::from(self.config.frame_samples);

        if offset < 0 && self.extend_back(offset) {
            return self.insert(timestamp, payload);
        }
        let late = if payload.is_empty() { offset < 0 } else { end <= 0 };
        if late {
            if -offset >= i64::from(self.config.resync_threshold)
                || self.consecutive_late >= LATE_RESYNC_COUNT
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

    /// Takes the next 10 ms frame for the line. Call it once per frame of
    /// the line clock, whether or not packets arrived. Does not allocate.
    pub fn pop(&mut self) -> Playout<'_> {
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
        let slots = self.filled.len();
        let slot = self.head;
        let (start, end) = self.filled.get(slot).copied().unwrap_or((0, 0));
        if let Some(range) = self.filled.get_mut(slot) {
            *range = (0, 0);
        }
        self.head = (self.head + 1) % slots;
        self.play_ts = self.play_ts.wrapping_add(self.config.frame_samples);
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
        }
    }

    /// A 20 ms G.711-like payload whose octets say which packet it is.
    fn payload(n: u8) -> [u8; 160] {
        [n; 160]
    }

    /// Pops one frame and returns (first octet, length, offset) or None.
    fn pop(jb: &mut JitterBuffer) -> Option<(u8, usize, usize)> {
        match jb.pop() {
            Playout::Frame { payload, offset } => Some((payload[0], payload.len(), offset)),
            Playout::Waiting | Playout::Missing => None,
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
