//! RFC 4733 telephone-events (dtmf.md §5): the 4-octet event report, a
//! sender that turns key presses into reports, a receiver that turns
//! reports back into digit starts and ends, and regeneration of received
//! events as in-band DTMF.
//!
//! The sender ([`EventSender`]) is ticked once per packetisation interval
//! by the stream that owns the RTP numbering; it reports the event's start
//! with the marker bit, updates the duration each interval, sends the final
//! report (E bit) three times in total, and splits events longer than
//! 0xFFFF timestamp units into segments (dtmf.md §5.3). The receiver
//! ([`EventReceiver`]) applies the rules of dtmf.md §5.4: events are keyed
//! by (SSRC, timestamp, event code); repeats of an end are ignored; a lost
//! start is recovered from the first report that arrives; a lost end is
//! replaced by a timeout; an end that arrives after that timeout is not
//! counted again; several reports in one payload are accepted. Neither
//! allocates after construction.

use core::time::Duration;

use fxs_tones::{Dbm0, Digit, DtmfGenerator, DtmfGeneratorConfig};

use crate::Error;

/// Octets of one event report.
pub const REPORT_LEN: usize = 4;
/// Event code of a hook flash (RFC 4733 §3.2).
pub const EVENT_FLASH: u8 = 16;
/// Largest value of the 6-bit volume field (-63 dBm0).
pub const MAX_VOLUME: u8 = 63;
/// Largest duration one report can carry (8.19 s at 8 kHz).
pub const MAX_DURATION: u16 = u16::MAX;
/// Times the final report of an event is sent (RFC 4733 §2.5.1.4).
pub const END_REPEATS: u8 = 3;

/// One RFC 4733 event report (dtmf.md §5.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct EventReport {
    /// Event code (0-9, 10 `*`, 11 `#`, 12-15 A-D, 16 flash, ...).
    pub event: u8,
    /// E bit: this is the final report of the event.
    pub end: bool,
    /// Power of the tone, 0..=63 meaning 0 to -63 dBm0 (written masked to 6 bits).
    pub volume: u8,
    /// Time since the event (or segment) began, in RTP timestamp units.
    pub duration: u16,
}

impl EventReport {
    /// Parses one report from its 4 octets (the R bit is ignored, as RFC
    /// 4733 requires).
    pub fn from_bytes(bytes: [u8; REPORT_LEN]) -> EventReport {
        EventReport {
            event: bytes[0],
            end: bytes[1] & 0x80 != 0,
            volume: bytes[1] & 0x3F,
            duration: u16::from_be_bytes([bytes[2], bytes[3]]),
        }
    }

    /// The 4 octets of this report (R bit 0).
    pub fn to_bytes(self) -> [u8; REPORT_LEN] {
        let [d0, d1] = self.duration.to_be_bytes();
        [
            self.event,
            (u8::from(self.end) << 7) | (self.volume & 0x3F),
            d0,
            d1,
        ]
    }

    /// The DTMF digit of this event, if it is one (codes 0-15).
    pub fn digit(self) -> Option<Digit> {
        Digit::from_event_code(self.event)
    }
}

/// Checks a telephone-event payload and returns an iterator over its
/// reports. Errors: empty, or a length that is not a multiple of 4.
pub fn parse_payload(payload: &[u8]) -> Result<impl ExactSizeIterator<Item = EventReport> + '_, Error> {
    if payload.is_empty() {
        return Err(Error::Malformed {
            what: "telephone-event payload",
            reason: "empty; a payload holds at least one 4-octet report",
            at: 0,
        });
    }
    if payload.len() % REPORT_LEN != 0 {
        return Err(Error::Malformed {
            what: "telephone-event payload",
            reason: "length is not a multiple of the 4-octet report",
            at: payload.len() - payload.len() % REPORT_LEN,
        });
    }
    Ok(payload
        .chunks_exact(REPORT_LEN)
        .map(|c| EventReport::from_bytes([c[0], c[1], c[2], c[3]])))
}

/// Appends the reports to `out` as one payload.
pub fn write_payload(reports: &[EventReport], out: &mut Vec<u8>) {
    for report in reports {
        out.extend_from_slice(&report.to_bytes());
    }
}

/// One packet the [`EventSender`] wants sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventPacket {
    /// RTP marker bit: the first packet of a new event.
    pub marker: bool,
    /// RTP timestamp: the start of the event (or of its segment).
    pub timestamp: u32,
    /// The single report of the payload.
    pub report: EventReport,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SendState {
    Idle,
    /// Reporting an event that is on.
    Active {
        event: u8,
        volume: u8,
        /// Timestamp of the current segment's start.
        start: u32,
        /// Whether the next report is the event's first (marker).
        first: bool,
        /// Timestamp units still to play before the end, if the length is known.
        remaining: Option<u32>,
        /// The key was released: end at the next tick.
        released: bool,
    },
    /// Repeating a final report (E set) or a segment's last report (E clear).
    Repeating {
        report: EventReport,
        start: u32,
        left: u8,
        /// For a segment end: the event goes on in a new segment starting here.
        continue_from: Option<u32>,
        remaining: Option<u32>,
        released: bool,
    },
}

/// Queued events with a known duration (from [`EventSender::send`]).
const SEND_QUEUE: usize = 32;

/// Produces RFC 4733 reports for the events of one stream; see the module docs.
///
/// Call [`tick`](Self::tick) once per packetisation interval with the RTP
/// timestamp of the audio that interval starts at; it returns the packet to
/// send in place of (or beside) the audio.
#[derive(Clone, Debug)]
pub struct EventSender {
    /// Timestamp units per tick (the packetisation interval).
    interval: u32,
    /// Shortest event sent, in timestamp units.
    min_duration: u32,
    state: SendState,
    queue: [(u8, u8, u32); SEND_QUEUE],
    head: usize,
    len: usize,
    /// Gap still to leave before the next queued event, in timestamp units.
    gap: u32,
    min_gap: u32,
}

impl EventSender {
    /// A sender ticked every `interval` timestamp units (e.g. 160 for
    /// 20 ms at 8 kHz); events are at least `min_duration` long and
    /// separated by at least `min_gap` (dtmf.md §2: 40 ms each).
    pub fn new(interval: u32, min_duration: u32, min_gap: u32) -> Result<EventSender, Error> {
        if interval == 0 || interval > u32::from(MAX_DURATION) / 4 {
            return Err(Error::InvalidConfig {
                field: "interval",
                value: interval.into(),
                allowed: "1..=16383 timestamp units",
            });
        }
        Ok(EventSender {
            interval,
            min_duration,
            state: SendState::Idle,
            queue: [(0, 0, 0); SEND_QUEUE],
            head: 0,
            len: 0,
            gap: 0,
            min_gap,
        })
    }

    /// Whether an event is being sent (including its final reports).
    pub fn is_active(&self) -> bool {
        self.state != SendState::Idle
    }

    /// Events queued behind the current one.
    pub fn queued(&self) -> usize {
        self.len
    }

    /// Starts an event of unknown length (a key held down); it lasts until
    /// [`release`](Self::release). An event already on is released first.
    pub fn press(&mut self, event: u8, volume: u8) {
        self.release();
        self.enqueue(event, volume, u32::MAX);
    }

    /// Ends the event started by [`press`](Self::press) (after the minimum
    /// duration).
    pub fn release(&mut self) {
        match &mut self.state {
            SendState::Active { released, .. } | SendState::Repeating { released, .. } => *released = true,
            SendState::Idle => {}
        }
        // A pressed event still queued behind another becomes a minimum one.
        for k in 0..self.len {
            let slot = &mut self.queue[(self.head + k) % SEND_QUEUE];
            if slot.2 == u32::MAX {
                slot.2 = self.min_duration;
            }
        }
    }

    /// Queues an event of `duration` timestamp units (at least the minimum).
    /// [`Error::InvalidConfig`] when the queue of 32 is full.
    pub fn send(&mut self, event: u8, volume: u8, duration: u32) -> Result<(), Error> {
        if self.len == SEND_QUEUE {
            return Err(Error::InvalidConfig {
                field: "queued events",
                value: SEND_QUEUE as u64,
                allowed: "at most 32 events waiting",
            });
        }
        self.enqueue(event, volume, duration.max(self.min_duration));
        Ok(())
    }

    fn enqueue(&mut self, event: u8, volume: u8, duration: u32) {
        if self.len == SEND_QUEUE {
            self.head = (self.head + 1) % SEND_QUEUE;
            self.len -= 1;
        }
        self.queue[(self.head + self.len) % SEND_QUEUE] = (event, volume.min(MAX_VOLUME), duration);
        self.len += 1;
    }

    /// Drops everything queued and stops at once (no end reports).
    pub fn clear(&mut self) {
        self.state = SendState::Idle;
        self.len = 0;
    }

    /// One packetisation interval starting at RTP timestamp `now`: the
    /// packet to send, if any.
    pub fn tick(&mut self, now: u32) -> Option<EventPacket> {
        if self.state == SendState::Idle {
            if self.gap > 0 {
                self.gap = self.gap.saturating_sub(self.interval);
                return None;
            }
            if self.len == 0 {
                return None;
            }
            let (event, volume, duration) = self.queue[self.head];
            self.head = (self.head + 1) % SEND_QUEUE;
            self.len -= 1;
            self.state = SendState::Active {
                event,
                volume,
                start: now,
                first: true,
                remaining: (duration != u32::MAX).then_some(duration),
                released: false,
            };
        }
        let interval = self.interval;
        match self.state {
            SendState::Idle => None,
            SendState::Active {
                event,
                volume,
                start,
                first,
                remaining,
                released,
            } => {
                let elapsed = now.wrapping_sub(start);
                let mut end_here = elapsed + interval;
                let min_reached = elapsed + interval >= self.min_duration;
                let done = match remaining {
                    Some(left) if left <= interval => {
                        end_here = elapsed + left;
                        true
                    }
                    _ => released && min_reached,
                };
                if end_here >= u32::from(MAX_DURATION) && !done {
                    // Long event: close this segment, go on in a new one.
                    let report = EventReport {
                        event,
                        end: false,
                        volume,
                        duration: MAX_DURATION,
                    };
                    let next_start = start.wrapping_add(u32::from(MAX_DURATION));
                    self.state = SendState::Repeating {
                        report,
                        start,
                        left: END_REPEATS - 1,
                        continue_from: Some(next_start),
                        remaining: remaining.map(|r| r - interval),
                        released,
                    };
                    return Some(EventPacket {
                        marker: first,
                        timestamp: start,
                        report,
                    });
                }
                let report = EventReport {
                    event,
                    end: done,
                    volume,
                    duration: end_here.min(u32::from(MAX_DURATION)) as u16,
                };
                self.state = if done {
                    SendState::Repeating {
                        report,
                        start,
                        left: END_REPEATS - 1,
                        continue_from: None,
                        remaining: None,
                        released,
                    }
                } else {
                    SendState::Active {
                        event,
                        volume,
                        start,
                        first: false,
                        remaining: remaining.map(|r| r - interval),
                        released,
                    }
                };
                Some(EventPacket {
                    marker: first,
                    timestamp: start,
                    report,
                })
            }
            SendState::Repeating {
                report,
                start,
                left,
                continue_from,
                remaining,
                released,
            } => {
                let left = left.saturating_sub(1);
                self.state = if left > 0 {
                    SendState::Repeating {
                        report,
                        start,
                        left,
                        continue_from,
                        remaining: remaining.map(|r| r.saturating_sub(interval)),
                        released,
                    }
                } else if let Some(next) = continue_from {
                    SendState::Active {
                        event: report.event,
                        volume: report.volume,
                        start: next,
                        first: false,
                        remaining: remaining.map(|r| r.saturating_sub(interval)),
                        released,
                    }
                } else {
                    self.gap = self.min_gap;
                    SendState::Idle
                };
                Some(EventPacket {
                    marker: false,
                    timestamp: start,
                    report,
                })
            }
        }
    }
}

/// What the [`EventReceiver`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceivedEvent {
    /// An event began (or its first report arrived, if the start was lost).
    Started {
        /// Event code.
        event: u8,
        /// Volume of the first report (0..=63, -dBm0).
        volume: u8,
        /// Remote SSRC.
        ssrc: u32,
        /// RTP timestamp of its start.
        timestamp: u32,
        /// Duration already elapsed when the first report arrived.
        duration: u32,
    },
    /// The event ended.
    Ended {
        /// Event code.
        event: u8,
        /// Remote SSRC.
        ssrc: u32,
        /// RTP timestamp of its start.
        timestamp: u32,
        /// Total duration in timestamp units (all segments).
        duration: u32,
        /// No end report arrived: it ended on the timeout.
        timed_out: bool,
    },
}

impl ReceivedEvent {
    /// The event code.
    pub fn event(&self) -> u8 {
        match *self {
            ReceivedEvent::Started { event, .. } | ReceivedEvent::Ended { event, .. } => event,
        }
    }
}

/// Settings of an [`EventReceiver`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventReceiverConfig {
    /// An event without an update for this long ends (dtmf.md §5.4:
    /// Asterisk uses 150 ms).
    pub end_timeout: Duration,
    /// How long ended events are remembered, so that late or repeated end
    /// reports are not counted again (at least 1 s).
    pub remember: Duration,
}

impl Default for EventReceiverConfig {
    fn default() -> EventReceiverConfig {
        EventReceiverConfig {
            end_timeout: Duration::from_millis(150),
            remember: Duration::from_secs(1),
        }
    }
}

/// Ended events remembered.
const ENDED_MEMORY: usize = 16;
/// Events queued for [`EventReceiver::poll_event`].
const EVENT_QUEUE: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Key {
    ssrc: u32,
    timestamp: u32,
    event: u8,
}

#[derive(Clone, Copy, Debug)]
struct Current {
    key: Key,
    /// Timestamp where the whole event started (the first segment).
    first_timestamp: u32,
    /// Duration of the segments before the current one.
    earlier: u32,
    duration: u16,
    last_update: Duration,
}

/// Turns received reports into event starts and ends; see the module docs.
///
/// Time is a [`Duration`] since any origin the caller chooses, passed to
/// every call.
#[derive(Clone, Debug)]
pub struct EventReceiver {
    config: EventReceiverConfig,
    current: Option<Current>,
    ended: [Option<(Key, Duration)>; ENDED_MEMORY],
    ended_next: usize,
    queue: [Option<ReceivedEvent>; EVENT_QUEUE],
    head: usize,
    len: usize,
}

impl EventReceiver {
    /// A receiver with these settings.
    pub fn new(config: EventReceiverConfig) -> EventReceiver {
        EventReceiver {
            config,
            current: None,
            ended: [None; ENDED_MEMORY],
            ended_next: 0,
            queue: [None; EVENT_QUEUE],
            head: 0,
            len: 0,
        }
    }

    /// The event currently on, if any (event code).
    pub fn active(&self) -> Option<u8> {
        self.current.map(|c| c.key.event)
    }

    /// A telephone-event packet: its SSRC, RTP timestamp, marker and
    /// payload, received at `now`. A malformed payload returns the error
    /// and changes nothing.
    pub fn handle_packet(
        &mut self,
        now: Duration,
        ssrc: u32,
        timestamp: u32,
        marker: bool,
        payload: &[u8],
    ) -> Result<(), Error> {
        let reports = parse_payload(payload)?;
        self.handle_timeout(now);
        let mut at = timestamp;
        for report in reports {
            self.handle_report(now, ssrc, at, marker, report);
            // A later report in the same payload starts after this one
            // (RFC 4733 §2.5.1.5).
            at = at.wrapping_add(u32::from(report.duration));
        }
        Ok(())
    }

    fn was_ended(&self, key: Key, now: Duration) -> bool {
        self.ended
            .iter()
            .flatten()
            .any(|&(k, at)| k == key && now.saturating_sub(at) < self.config.remember)
    }

    fn remember(&mut self, key: Key, now: Duration) {
        self.ended[self.ended_next] = Some((key, now));
        self.ended_next = (self.ended_next + 1) % ENDED_MEMORY;
    }

    fn push(&mut self, event: ReceivedEvent) {
        if self.len == EVENT_QUEUE {
            self.head = (self.head + 1) % EVENT_QUEUE;
            self.len -= 1;
        }
        self.queue[(self.head + self.len) % EVENT_QUEUE] = Some(event);
        self.len += 1;
    }

    fn finish(&mut self, current: Current, now: Duration, timed_out: bool) {
        self.push(ReceivedEvent::Ended {
            event: current.key.event,
            ssrc: current.key.ssrc,
            timestamp: current.first_timestamp,
            duration: current.earlier + u32::from(current.duration),
            timed_out,
        });
        self.remember(current.key, now);
        self.current = None;
    }

    fn handle_report(&mut self, now: Duration, ssrc: u32, timestamp: u32, marker: bool, report: EventReport) {
        let key = Key {
            ssrc,
            timestamp,
            event: report.event,
        };
        if self.was_ended(key, now) {
            return;
        }
        if let Some(mut current) = self.current {
            if current.key == key {
                current.duration = current.duration.max(report.duration);
                current.last_update = now;
                self.current = Some(current);
                if report.end {
                    self.finish(current, now, false);
                }
                return;
            }
            let next_segment = current.key.ssrc == ssrc
                && current.key.event == report.event
                && !marker
                && current.duration == MAX_DURATION
                && timestamp == current.key.timestamp.wrapping_add(u32::from(MAX_DURATION));
            if next_segment {
                current.earlier += u32::from(MAX_DURATION);
                current.key = key;
                current.duration = report.duration;
                current.last_update = now;
                self.current = Some(current);
                if report.end {
                    self.finish(current, now, false);
                }
                return;
            }
            // A report from an older event than the one on: ignore it.
            let older =
                current.key.ssrc == ssrc && (timestamp.wrapping_sub(current.key.timestamp) as i32) < 0;
            if older {
                return;
            }
            // A new event implies the end of the one on.
            self.finish(current, now, false);
        }
        self.push(ReceivedEvent::Started {
            event: report.event,
            volume: report.volume,
            ssrc,
            timestamp,
            duration: u32::from(report.duration),
        });
        let current = Current {
            key,
            first_timestamp: timestamp,
            earlier: 0,
            duration: report.duration,
            last_update: now,
        };
        if report.end {
            self.finish(current, now, false);
        } else {
            self.current = Some(current);
        }
    }

    /// When [`handle_timeout`](Self::handle_timeout) should next be called.
    pub fn poll_timeout(&self) -> Option<Duration> {
        self.current.map(|c| c.last_update + self.config.end_timeout)
    }

    /// Ends an event whose updates stopped `end_timeout` ago.
    pub fn handle_timeout(&mut self, now: Duration) {
        if let Some(current) = self.current {
            if now >= current.last_update + self.config.end_timeout {
                self.finish(current, now, true);
            }
        }
    }

    /// The next start or end, oldest first.
    pub fn poll_event(&mut self) -> Option<ReceivedEvent> {
        if self.len == 0 {
            return None;
        }
        let event = self.queue[self.head].take();
        self.head = (self.head + 1) % EVENT_QUEUE;
        self.len -= 1;
        event
    }

    /// Forgets the event on (a new remote source) without reporting its end.
    pub fn reset(&mut self) {
        self.current = None;
    }
}

/// Plays received digits as in-band DTMF (dtmf.md §2 design rule: the
/// event's own duration, but at least 40 ms on and 40 ms off).
#[derive(Clone, Debug)]
pub struct ToneRegenerator {
    generator: DtmfGenerator,
    playing: Option<Digit>,
    /// Samples played of the current digit.
    played: u32,
    stop_requested: bool,
    /// Silence still owed before the next digit.
    gap_left: u32,
    pending: Option<Digit>,
    /// The pending digit was already released.
    pending_stop: bool,
    min_samples: u32,
}

impl ToneRegenerator {
    /// A regenerator at 8 kHz with tones at `level` (low tone; +2 dB high).
    pub fn new(level: Dbm0) -> Result<ToneRegenerator, Error> {
        let generator = DtmfGenerator::new(DtmfGeneratorConfig {
            level,
            on: Duration::from_secs(60),
            off: Duration::ZERO,
            ..DtmfGeneratorConfig::default()
        })
        .map_err(|_| Error::InvalidConfig {
            field: "level",
            value: 0,
            allowed: "a finite DTMF level at most +1.14 dBm0",
        })?;
        Ok(ToneRegenerator {
            generator,
            playing: None,
            played: 0,
            stop_requested: false,
            gap_left: 0,
            pending: None,
            pending_stop: false,
            min_samples: 320,
        })
    }

    /// Whether a tone is playing or waiting to.
    pub fn is_active(&self) -> bool {
        self.playing.is_some() || self.pending.is_some() || self.gap_left > 0
    }

    /// Starts `digit` (after the 40 ms gap if one is owed).
    pub fn start(&mut self, digit: Digit) {
        if self.playing.is_some() {
            self.stop_requested = true;
        }
        self.pending = Some(digit);
        self.pending_stop = false;
    }

    /// Ends the digit playing (once it has lasted 40 ms).
    pub fn stop(&mut self) {
        // A digit not yet started still plays its minimum.
        if self.pending.is_some() {
            self.pending_stop = true;
        } else {
            self.stop_requested = true;
        }
    }

    /// Writes the next samples: the tone while one plays, silence
    /// otherwise. Returns whether any tone was written.
    pub fn generate(&mut self, out: &mut [i16]) -> bool {
        let mut i = 0;
        let mut any = false;
        while i < out.len() {
            if self.playing.is_none() {
                if self.gap_left > 0 {
                    let n = (self.gap_left as usize).min(out.len() - i);
                    out[i..i + n].fill(0);
                    self.gap_left -= n as u32;
                    i += n;
                    continue;
                }
                match self.pending.take() {
                    Some(digit) => {
                        self.generator.clear();
                        // The queue was just cleared, so there is room.
                        let _ = self.generator.push(digit);
                        self.playing = Some(digit);
                        self.played = 0;
                        self.stop_requested = self.pending_stop;
                    }
                    None => {
                        out[i..].fill(0);
                        return any;
                    }
                }
            }
            let mut n = out.len() - i;
            if self.stop_requested {
                let left = self.min_samples.saturating_sub(self.played) as usize;
                if left == 0 {
                    self.generator.clear();
                    self.playing = None;
                    self.gap_left = self.min_samples;
                    continue;
                }
                n = n.min(left);
            }
            self.generator.generate(&mut out[i..i + n]);
            self.played = self.played.saturating_add(n as u32);
            any = true;
            i += n;
        }
        any
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn report_octets_follow_the_rfc_layout() {
        let report = EventReport {
            event: 11,
            end: true,
            volume: 10,
            duration: 0x0320,
        };
        assert_eq!(report.to_bytes(), [11, 0x8A, 0x03, 0x20]);
        // The R bit is ignored on receipt.
        assert_eq!(EventReport::from_bytes([11, 0xCA, 0x03, 0x20]), report);
        assert_eq!(report.digit(), Some(Digit::Hash));
    }

    #[test]
    fn malformed_payloads_say_what_is_wrong() {
        assert!(matches!(parse_payload(&[]), Err(Error::Malformed { at: 0, .. })));
        let err = parse_payload(&[1, 2, 3, 4, 5]).err().unwrap();
        assert!(matches!(err, Error::Malformed { at: 4, .. }), "{err:?}");
        assert!(err.to_string().contains("multiple"), "{err}");
        assert_eq!(parse_payload(&[1, 2, 3, 4, 5, 6, 7, 8]).unwrap().len(), 2);
    }

    /// Ticks the sender from timestamp 1000 until idle, 20 ms apart.
    fn drain(sender: &mut EventSender, limit: usize) -> Vec<EventPacket> {
        let mut out = Vec::new();
        let mut now = 1000u32;
        for _ in 0..limit {
            if let Some(p) = sender.tick(now) {
                out.push(p);
            } else if !sender.is_active() && sender.queued() == 0 {
                break;
            }
            now = now.wrapping_add(160);
        }
        out
    }

    #[test]
    fn sender_marks_the_start_updates_and_ends_three_times() {
        let mut sender = EventSender::new(160, 320, 320).unwrap();
        sender.send(5, 10, 800).unwrap(); // 100 ms
        let packets = drain(&mut sender, 50);
        let durations: Vec<_> = packets
            .iter()
            .map(|p| (p.report.duration, p.report.end))
            .collect();
        assert_eq!(
            durations,
            [
                (160, false),
                (320, false),
                (480, false),
                (640, false),
                (800, true),
                (800, true),
                (800, true)
            ]
        );
        assert!(packets[0].marker && packets[1..].iter().all(|p| !p.marker));
        assert!(
            packets
                .iter()
                .all(|p| p.timestamp == 1000 && p.report.event == 5 && p.report.volume == 10)
        );
    }

    #[test]
    fn short_key_presses_last_the_minimum() {
        let mut sender = EventSender::new(160, 320, 320).unwrap();
        sender.press(1, 10);
        assert!(sender.tick(0).is_some());
        sender.release();
        let p = sender.tick(160).unwrap();
        assert_eq!((p.report.duration, p.report.end), (320, true));
    }

    #[test]
    fn long_events_are_split_into_segments() {
        let mut sender = EventSender::new(160, 320, 320).unwrap();
        sender.send(0, 10, 70_000).unwrap();
        let packets = drain(&mut sender, 1000);
        let segment_ends: Vec<_> = packets
            .iter()
            .filter(|p| p.report.duration == MAX_DURATION)
            .collect();
        assert_eq!(segment_ends.len(), 3);
        assert!(segment_ends.iter().all(|p| !p.report.end && p.timestamp == 1000));
        let last = packets.last().unwrap();
        assert!(last.report.end);
        assert_eq!(last.timestamp, 1000 + 65535);
        assert_eq!(u32::from(last.report.duration), 70_000 - 65535);
        assert_eq!(packets.iter().filter(|p| p.marker).count(), 1);
        // The receiver sees one event of the whole length.
        let mut rx = EventReceiver::new(EventReceiverConfig::default());
        for (k, p) in packets.iter().enumerate() {
            let mut payload = Vec::new();
            write_payload(&[p.report], &mut payload);
            rx.handle_packet(ms(20 * k as u64), 7, p.timestamp, p.marker, &payload)
                .unwrap();
        }
        let events: Vec<_> = core::iter::from_fn(|| rx.poll_event()).collect();
        assert_eq!(events.len(), 2, "{events:?}");
        assert!(matches!(
            events[1],
            ReceivedEvent::Ended {
                duration: 70_000,
                timed_out: false,
                ..
            }
        ));
    }

    fn deliver(rx: &mut EventReceiver, at_ms: u64, ts: u32, marker: bool, report: EventReport) {
        rx.handle_packet(ms(at_ms), 42, ts, marker, &report.to_bytes())
            .unwrap();
    }

    fn report(event: u8, duration: u16, end: bool) -> EventReport {
        EventReport {
            event,
            end,
            volume: 10,
            duration,
        }
    }

    fn events(rx: &mut EventReceiver) -> Vec<ReceivedEvent> {
        core::iter::from_fn(|| rx.poll_event()).collect()
    }

    #[test]
    fn receiver_counts_a_digit_once_despite_repeated_ends() {
        let mut rx = EventReceiver::new(EventReceiverConfig::default());
        deliver(&mut rx, 0, 100, true, report(3, 160, false));
        deliver(&mut rx, 20, 100, false, report(3, 320, false));
        deliver(&mut rx, 20, 100, false, report(3, 320, false)); // duplicate
        for t in [40, 60, 80] {
            deliver(&mut rx, t, 100, false, report(3, 480, true));
        }
        let got = events(&mut rx);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(matches!(got[0], ReceivedEvent::Started { event: 3, .. }));
        assert!(matches!(
            got[1],
            ReceivedEvent::Ended {
                event: 3,
                duration: 480,
                timed_out: false,
                ..
            }
        ));
    }

    #[test]
    fn lost_start_begins_on_the_first_report_with_its_duration() {
        let mut rx = EventReceiver::new(EventReceiverConfig::default());
        deliver(&mut rx, 0, 100, false, report(7, 480, false));
        let got = events(&mut rx);
        assert!(
            matches!(
                got[..],
                [ReceivedEvent::Started {
                    event: 7,
                    duration: 480,
                    ..
                }]
            ),
            "{got:?}"
        );
    }

    #[test]
    fn only_an_end_arriving_still_counts_the_digit_once() {
        let mut rx = EventReceiver::new(EventReceiverConfig::default());
        deliver(&mut rx, 0, 100, false, report(9, 800, true));
        deliver(&mut rx, 20, 100, false, report(9, 800, true));
        assert_eq!(events(&mut rx).len(), 2);
    }

    #[test]
    fn lost_end_times_out_and_a_late_end_is_not_counted_again() {
        let mut rx = EventReceiver::new(EventReceiverConfig::default());
        deliver(&mut rx, 0, 100, true, report(1, 160, false));
        assert_eq!(rx.poll_timeout(), Some(ms(150)));
        rx.handle_timeout(ms(149));
        assert_eq!(rx.active(), Some(1));
        rx.handle_timeout(ms(150));
        assert_eq!(rx.active(), None);
        deliver(&mut rx, 400, 100, false, report(1, 800, true));
        let got = events(&mut rx);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(matches!(got[1], ReceivedEvent::Ended { timed_out: true, .. }));
    }

    #[test]
    fn a_new_timestamp_is_a_new_digit_and_ends_the_previous() {
        let mut rx = EventReceiver::new(EventReceiverConfig::default());
        deliver(&mut rx, 0, 100, true, report(1, 160, false));
        deliver(&mut rx, 20, 2000, true, report(1, 160, false));
        let got = events(&mut rx);
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(matches!(got[1], ReceivedEvent::Ended { timestamp: 100, .. }));
        assert!(matches!(got[2], ReceivedEvent::Started { timestamp: 2000, .. }));
    }

    #[test]
    fn several_reports_in_one_payload_are_all_used() {
        let mut rx = EventReceiver::new(EventReceiverConfig::default());
        let mut payload = Vec::new();
        write_payload(&[report(1, 800, true), report(2, 400, false)], &mut payload);
        rx.handle_packet(ms(0), 5, 1000, true, &payload).unwrap();
        let got = events(&mut rx);
        assert_eq!(got.len(), 3, "{got:?}");
        assert!(matches!(
            got[2],
            ReceivedEvent::Started {
                event: 2,
                timestamp: 1800,
                ..
            }
        ));
    }

    #[test]
    fn regenerated_tone_is_detected_as_the_same_digit() {
        let mut regen = ToneRegenerator::new(Dbm0(-10.0)).unwrap();
        let mut detector = fxs_tones::DtmfDetector::new(8000).unwrap();
        let mut frame = [0i16; 80];
        let mut found = Vec::new();
        for k in 0..30 {
            if k == 0 {
                regen.start(Digit::D8);
            }
            if k == 8 {
                regen.stop();
            }
            regen.generate(&mut frame);
            detector.process(&frame);
            while let Some(e) = detector.poll_event() {
                found.push(e);
            }
        }
        assert_eq!(found.len(), 2, "{found:?}");
        match found[1] {
            fxs_tones::DtmfEvent::End { digit, start, end } => {
                assert_eq!(digit, Digit::D8);
                assert!((end - start).abs_diff(80 * 8) <= 80, "{start}..{end}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn regenerated_tones_last_at_least_40_ms() {
        let mut regen = ToneRegenerator::new(Dbm0(-10.0)).unwrap();
        regen.start(Digit::D1);
        regen.stop();
        let mut frame = [0i16; 80];
        let mut tone_samples = 0;
        for _ in 0..10 {
            regen.generate(&mut frame);
            tone_samples += frame.iter().filter(|&&s| s != 0).count();
        }
        assert!((300..=320).contains(&tone_samples), "{tone_samples}");
    }

    proptest! {
        #[test]
        fn report_round_trips(event in any::<u8>(), end in any::<bool>(), volume in 0u8..64, duration in any::<u16>()) {
            let report = EventReport { event, end, volume, duration };
            prop_assert_eq!(EventReport::from_bytes(report.to_bytes()), report);
        }

        #[test]
        fn payload_round_trips(reports in proptest::collection::vec((any::<u8>(), any::<bool>(), 0u8..64, any::<u16>()), 1..6)) {
            let reports: Vec<_> = reports.into_iter().map(|(event, end, volume, duration)| EventReport { event, end, volume, duration }).collect();
            let mut payload = Vec::new();
            write_payload(&reports, &mut payload);
            let parsed: Vec<_> = parse_payload(&payload).unwrap().collect();
            prop_assert_eq!(parsed, reports);
        }

        #[test]
        fn receiver_never_panics(packets in proptest::collection::vec((any::<u32>(), any::<bool>(), proptest::collection::vec(any::<u8>(), 0..13), 0u64..500), 0..40)) {
            let mut rx = EventReceiver::new(EventReceiverConfig::default());
            let mut now = 0;
            for (ts, marker, payload, step) in packets {
                now += step;
                let _ = rx.handle_packet(ms(now), 1, ts, marker, &payload);
                while rx.poll_event().is_some() {}
            }
        }
    }
}
