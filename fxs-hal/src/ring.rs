//! Ringing: cadences per country and the distinctive patterns
//! (tones-and-ringing.md §5), and [`Ringer`], a sans-IO engine that runs a
//! cadence on a line with a slot for caller ID (callerid.md §2.2, §4.2).
//!
//! The ringer either switches the feed itself (software cadence, any SLIC)
//! or hands the repeating cadence to a chip with ring timers
//! ([`RingCadencer`](crate::caps::RingCadencer)), see [`RingMode`].
//!
//! ```
//! use std::time::{Duration, Instant};
//! use fxs_hal::ring::{CallerIdPlacement, RingCadence, RingMode, RingOutput, Ringer};
//! use fxs_hal::LineFeed;
//!
//! let t0 = Instant::now();
//! let mut ringer = Ringer::new(RingMode::Software);
//! ringer.start(t0, RingCadence::for_country("US")?, CallerIdPlacement::None);
//! assert_eq!(ringer.poll(t0), Some(RingOutput::Feed(LineFeed::Ringing)));
//! assert_eq!(ringer.poll(t0), None);
//! assert_eq!(ringer.poll_timeout(), Some(t0 + Duration::from_secs(2)));
//! assert_eq!(ringer.poll(t0 + Duration::from_secs(2)), Some(RingOutput::Feed(LineFeed::IDLE)));
//! # Ok::<(), fxs_hal::ConfigError>(())
//! ```

use core::time::Duration;
use std::time::Instant;

use crate::config::ConfigError;
use crate::line::{LineFeed, LineInterface, Polarity};

/// Most steps a [`RingCadence`] holds.
pub const MAX_RING_STEPS: usize = 10;

/// A ring cadence: alternating ring-on and ring-off durations in ms,
/// starting with a ring, played once from the start and then repeated from
/// [`repeat_from`](RingCadence::repeat_from) (or played once only).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RingCadence {
    steps: [u16; MAX_RING_STEPS],
    len: u8,
    repeat_from: Option<u8>,
}

impl RingCadence {
    /// A cadence of `steps_ms` (on, off, on, off, ...), repeating from step
    /// `repeat_from` (an even index, leaving an even number of steps), or
    /// played once with `None`.
    pub fn new(steps_ms: &[u16], repeat_from: Option<usize>) -> Result<RingCadence, ConfigError> {
        if steps_ms.is_empty() || steps_ms.len() > MAX_RING_STEPS {
            return Err(ConfigError::Cadence("1 to 10 steps"));
        }
        if steps_ms.contains(&0) {
            return Err(ConfigError::Cadence("a step of 0 ms"));
        }
        let repeat_from = match repeat_from {
            Some(r) if r % 2 != 0 || r >= steps_ms.len() || (steps_ms.len() - r) % 2 != 0 => {
                return Err(ConfigError::Cadence(
                    "the repeated part must start with a ring and end with a pause",
                ));
            }
            Some(r) => Some(r as u8),
            None => None,
        };
        let mut steps = [0; MAX_RING_STEPS];
        steps[..steps_ms.len()].copy_from_slice(steps_ms);
        Ok(RingCadence {
            steps,
            len: steps_ms.len() as u8,
            repeat_from,
        })
    }

    fn repeating(steps_ms: &[u16]) -> RingCadence {
        // Only called with the constant US table, which is valid.
        RingCadence::new(steps_ms, Some(0)).unwrap_or(RingCadence {
            steps: [2000, 4000, 0, 0, 0, 0, 0, 0, 0, 0],
            len: 2,
            repeat_from: Some(0),
        })
    }

    /// The cadence of an fxs-tones [`RingCadence`](fxs_tones::RingCadence)
    /// (the tone plans and distinctive patterns live there): repeating from
    /// the start, or played once.
    pub fn from_tones(cadence: &fxs_tones::RingCadence) -> Result<RingCadence, ConfigError> {
        let mut steps = [0u16; MAX_RING_STEPS];
        let n = cadence.on_off_ms.len();
        if n > MAX_RING_STEPS {
            return Err(ConfigError::Cadence("1 to 10 steps"));
        }
        for (slot, &ms) in steps.iter_mut().zip(cadence.on_off_ms) {
            *slot = u16::try_from(ms).map_err(|_| ConfigError::Cadence("a step longer than 65 s"))?;
        }
        RingCadence::new(&steps[..n], cadence.repeats.then_some(0))
    }

    /// The standard ringing of a country (tones-and-ringing.md §5.1), from
    /// fxs-tones' [`TonePlan`](fxs_tones::TonePlan). An unknown code is an
    /// error.
    pub fn for_country(country: &str) -> Result<RingCadence, ConfigError> {
        let plan = fxs_tones::TonePlan::for_country(country).map_err(|_| ConfigError::UnknownCountry {
            what: "ring cadence",
            country: country.to_owned(),
        })?;
        RingCadence::from_tones(&fxs_tones::RingCadence {
            on_off_ms: plan.ring_cadence_ms,
            repeats: true,
        })
    }

    /// Telcordia GR-506 distinctive ringing pattern `n` (1-5,
    /// tones-and-ringing.md §5.2), from fxs-tones'
    /// [`DistinctiveRing`](fxs_tones::DistinctiveRing): 1 standard 2/4 s,
    /// 2 long-long, 3 short-short-long, 4 short-long-short, 5 a single
    /// 0.5 s splash.
    pub fn bellcore(n: u8) -> Result<RingCadence, ConfigError> {
        let pattern = fxs_tones::DistinctiveRing::from_number(u32::from(n))
            .ok_or_else(|| ConfigError::UnknownDistinctiveRing(format!("Bellcore-dr{n}")))?;
        RingCadence::from_tones(&pattern.cadence())
    }

    /// The pattern an `Alert-Info` header value selects, read by fxs-tones'
    /// [`parse_alert_info`](fxs_tones::parse_alert_info) (`<http://…/Bellcore-drN>`,
    /// `<Bellcore-drN>`, `Bellcore-drN`, the RFC 7462 URNs it maps). A value
    /// that selects no ring pattern (a sound file, call waiting) is an
    /// error; the caller rings the standard cadence for a missing header.
    pub fn from_alert_info(value: &str) -> Result<RingCadence, ConfigError> {
        match fxs_tones::parse_alert_info(value) {
            Some(fxs_tones::AlertInfo::Ring(pattern)) => RingCadence::from_tones(&pattern.cadence()),
            _ => Err(ConfigError::UnknownDistinctiveRing(value.to_owned())),
        }
    }

    /// The steps, ms.
    #[must_use]
    pub fn steps_ms(&self) -> &[u16] {
        &self.steps[..usize::from(self.len)]
    }

    /// Index of the first repeated step, `None` for a cadence played once.
    #[must_use]
    pub fn repeat_from(&self) -> Option<usize> {
        self.repeat_from.map(usize::from)
    }

    /// Duration of step `i` (steps past the end wrap into the repeated part;
    /// `None` after the end of a cadence played once).
    #[must_use]
    pub fn step(&self, i: usize) -> Option<Duration> {
        let len = usize::from(self.len);
        let idx = if i < len {
            i
        } else {
            let r = self.repeat_from()?;
            r + (i - len) % (len - r)
        };
        self.steps
            .get(idx)
            .map(|&ms| Duration::from_millis(u64::from(ms)))
    }

    /// `true` when step `i` is a ring.
    #[must_use]
    pub fn is_ring_step(&self, i: usize) -> bool {
        let len = usize::from(self.len);
        let idx = match (i < len, self.repeat_from()) {
            (true, _) => i,
            (false, Some(r)) => r + (i - len) % (len - r),
            (false, None) => return false,
        };
        idx % 2 == 0
    }

    /// Whether the bell rings `elapsed` after the cadence started.
    #[must_use]
    pub fn rings_at(&self, elapsed: Duration) -> bool {
        let mut t = Duration::ZERO;
        let mut i = 0;
        while let Some(d) = self.step(i) {
            t += d;
            if elapsed < t {
                return self.is_ring_step(i);
            }
            i += 1;
        }
        false
    }

    /// The index of the pause that carries Telcordia caller ID: the first
    /// pause of at least 3 s, else the longest (tones-and-ringing.md §5.2,
    /// Asterisk `cidrings`). `None` for a cadence without a pause.
    #[must_use]
    pub fn caller_id_pause(&self) -> Option<usize> {
        let pauses = (1..usize::from(self.len)).step_by(2);
        pauses
            .clone()
            .find(|&i| self.steps[i] >= 3000)
            .or_else(|| pauses.max_by_key(|&i| (self.steps[i], core::cmp::Reverse(i))))
    }
}

/// Where caller ID goes relative to the ringing (callerid.md §1, §2.2, §4.2,
/// §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallerIdPlacement {
    /// No caller ID.
    None,
    /// Telcordia GR-30 / ETSI "during ringing": in the pause after the first
    /// ring (or the pause [`RingCadence::caller_id_pause`] picks).
    AfterFirstRing,
    /// ETSI RP-AS: a short ring pulse, a pause, the data, then ringing.
    RingPulse,
    /// ETSI with line reversal (and BT SIN 227 / 242): reverse the
    /// polarity, silence, the signal (DT-AS tone alert and data), then
    /// ringing in the idle polarity.
    LineReversal,
    /// Before the first ring without reversal: silence, the signal (DTMF
    /// caller ID on an idle line), then ringing.
    BeforeFirstRing,
}

impl CallerIdPlacement {
    /// The placement for fxs-tones' [`RingAnchor`](fxs_tones::RingAnchor) of
    /// a caller-ID signal. `None` for anchors that are not about ringing
    /// (off-hook caller ID after an ACK, NTT's CAR answered by the CPE).
    #[must_use]
    pub fn from_anchor(anchor: fxs_tones::RingAnchor) -> Option<CallerIdPlacement> {
        use fxs_tones::RingAnchor;
        match anchor {
            RingAnchor::AfterFirstRing => Some(CallerIdPlacement::AfterFirstRing),
            RingAnchor::LineReversal => Some(CallerIdPlacement::LineReversal),
            RingAnchor::BeforeFirstRing => Some(CallerIdPlacement::BeforeFirstRing),
            RingAnchor::RingPulse { .. } => Some(CallerIdPlacement::RingPulse),
            _ => None,
        }
    }
}

/// The caller-ID slot timing of callerid.md, in the ringer's terms.
/// [`CallerIdSlot::from_timing`] takes it from fxs-tones'
/// [`SignalTiming`](fxs_tones::SignalTiming) of the signal to send; the
/// defaults are the spec values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CallerIdSlot {
    /// Start of data after the end of the ring before it (≥ 500 ms; GR-30,
    /// callerid.md §2.2; ETSI RP-AS §4.2).
    pub after_ring: Duration,
    /// End of data before the next ring (≥ 200 ms; §2.2, §4.2, SIN 227).
    pub before_ring: Duration,
    /// Length of the RP-AS ring pulse (200-300 ms, §4.2).
    pub ring_pulse: Duration,
    /// Silence between a line reversal (or the decision to ring, for
    /// caller ID before the first ring) and the signal (≥ 100 ms, §4.2).
    pub reversal_to_alert: Duration,
    /// Longest data transmission before ringing (ETSI pre-ring variants).
    pub max_pre_ring_data: Duration,
}

impl CallerIdSlot {
    /// The slot for a signal with fxs-tones' `timing`: its minimum delay
    /// from the anchor, its minimum gap before the next ring, and for RP-AS
    /// the middle of its pulse range.
    #[must_use]
    pub fn from_timing(timing: &fxs_tones::SignalTiming) -> CallerIdSlot {
        use fxs_tones::RingAnchor;
        let ms = |v: u32| Duration::from_millis(u64::from(v));
        let mut slot = CallerIdSlot {
            before_ring: ms(timing.min_gap_before_ring_ms),
            ..CallerIdSlot::default()
        };
        match timing.anchor {
            RingAnchor::AfterFirstRing => slot.after_ring = ms(timing.min_delay_ms),
            RingAnchor::RingPulse { min_ms, max_ms } => {
                slot.after_ring = ms(timing.min_delay_ms);
                slot.ring_pulse = ms(min_ms + max_ms.saturating_sub(min_ms) / 2);
            }
            RingAnchor::LineReversal | RingAnchor::BeforeFirstRing => {
                slot.reversal_to_alert = ms(timing.min_delay_ms);
            }
            _ => {}
        }
        if let Some(max) = timing.max_delay_ms {
            slot.max_pre_ring_data = slot.max_pre_ring_data.max(ms(max));
        }
        slot
    }
}

impl Default for CallerIdSlot {
    /// 500 ms, 200 ms, 250 ms, 100 ms, 3 s.
    fn default() -> CallerIdSlot {
        CallerIdSlot {
            after_ring: Duration::from_millis(500),
            before_ring: Duration::from_millis(200),
            ring_pulse: Duration::from_millis(250),
            reversal_to_alert: Duration::from_millis(100),
            max_pre_ring_data: Duration::from_secs(3),
        }
    }
}

/// Who times the ring cadence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RingMode {
    /// The ringer switches the feed at every cadence edge.
    Software,
    /// The repeating cadence is handed to the chip
    /// ([`RingOutput::ChipCadence`]) once the caller-ID part is over; the
    /// ringer still times the part before it.
    Chip,
}

/// What the ringer asks of the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RingOutput {
    /// Put the line into this feed.
    Feed(LineFeed),
    /// Start the chip's ring cadence with this cadence
    /// ([`RingCadencer::start_ring_cadence`](crate::caps::RingCadencer::start_ring_cadence)).
    ChipCadence(RingCadence),
    /// Stop the chip's cadence.
    StopChipCadence,
    /// The caller-ID slot is open: send the signal now (the line is in
    /// on-hook transmission; an fxs-tones `CallerIdSignal` carries its own
    /// DT-AS alert where the standard has one). Report the end with
    /// [`Ringer::caller_id_sent`] before `deadline`.
    SendCallerId {
        /// The latest end of data.
        deadline: Instant,
    },
    /// The slot closed before the data ended (or ringing was stopped):
    /// stop sending.
    CallerIdAborted,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    /// Before the first ring (ETSI): waiting `until`, then `next`.
    PreRing {
        step: PreStep,
        until: Instant,
    },
    /// Caller ID in progress before the first ring.
    PreRingData {
        deadline: Instant,
    },
    /// The cadence runs: step `step` ends at `until`.
    Cadence {
        step: usize,
        until: Instant,
    },
    /// In the caller-ID pause of the cadence (step `step`, ends `until`):
    /// data may start at `data_from`.
    CadenceSlot {
        step: usize,
        until: Instant,
        data_from: Instant,
        sending: bool,
    },
    /// The chip runs the cadence.
    Chip,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PreStep {
    /// After the RP-AS pulse or the reversal: open the slot.
    OpenSlot,
    /// RP-AS pulse on: end it.
    PulseEnd,
    /// After the data: start the cadence.
    StartCadence,
}

const QUEUE: usize = 4;

/// A sans-IO ring cadence engine with a caller-ID slot.
///
/// Call [`start`](Ringer::start), then [`poll`](Ringer::poll) every tick
/// (or at [`poll_timeout`](Ringer::poll_timeout)) until it returns `None`,
/// acting on each [`RingOutput`]; [`drive`](Ringer::drive) does the feed
/// part on a [`LineInterface`]. Stop it with [`stop`](Ringer::stop) on ring
/// trip, answer elsewhere or cancel. Time is passed in; a `now` earlier than
/// one seen before counts as the latest seen.
#[derive(Clone, Debug)]
pub struct Ringer {
    mode: RingMode,
    slot: CallerIdSlot,
    cadence: RingCadence,
    placement: CallerIdPlacement,
    phase: Phase,
    now: Option<Instant>,
    queue: [Option<RingOutput>; QUEUE],
    bursts: u32,
}

impl Ringer {
    /// An idle ringer with the default [`CallerIdSlot`].
    #[must_use]
    pub fn new(mode: RingMode) -> Ringer {
        Ringer::with_slot(mode, CallerIdSlot::default())
    }

    /// An idle ringer with its own caller-ID timing.
    #[must_use]
    pub fn with_slot(mode: RingMode, slot: CallerIdSlot) -> Ringer {
        Ringer {
            mode,
            slot,
            cadence: RingCadence::repeating(&[2000, 4000]),
            placement: CallerIdPlacement::None,
            phase: Phase::Idle,
            now: None,
            queue: [None; QUEUE],
            bursts: 0,
        }
    }

    fn clamp(&mut self, now: Instant) -> Instant {
        let now = match self.now {
            Some(prev) if prev > now => prev,
            _ => now,
        };
        self.now = Some(now);
        now
    }

    fn push(&mut self, out: RingOutput) {
        if let Some(slot) = self.queue.iter_mut().find(|s| s.is_none()) {
            *slot = Some(out);
        }
    }

    /// Start ringing at `now` with `cadence`, caller ID placed as
    /// `placement`. Restarts a ringer that was running.
    pub fn start(&mut self, now: Instant, cadence: RingCadence, placement: CallerIdPlacement) {
        if self.is_active() {
            self.stop(now);
        }
        let now = self.clamp(now);
        self.cadence = cadence;
        self.placement = placement;
        self.bursts = 0;
        match placement {
            CallerIdPlacement::None | CallerIdPlacement::AfterFirstRing => self.begin_cadence(now),
            CallerIdPlacement::RingPulse => {
                self.push(RingOutput::Feed(LineFeed::Ringing));
                self.bursts = 1;
                self.phase = Phase::PreRing {
                    step: PreStep::PulseEnd,
                    until: now + self.slot.ring_pulse,
                };
            }
            CallerIdPlacement::LineReversal => {
                self.push(RingOutput::Feed(LineFeed::OnHookTransmission(Polarity::Reverse)));
                self.phase = Phase::PreRing {
                    step: PreStep::OpenSlot,
                    until: now + self.slot.reversal_to_alert,
                };
            }
            CallerIdPlacement::BeforeFirstRing => {
                self.push(RingOutput::Feed(LineFeed::OnHookTransmission(Polarity::Forward)));
                self.phase = Phase::PreRing {
                    step: PreStep::OpenSlot,
                    until: now + self.slot.reversal_to_alert,
                };
            }
        }
    }

    fn begin_cadence(&mut self, now: Instant) {
        let slot_open = self.placement == CallerIdPlacement::AfterFirstRing;
        if self.mode == RingMode::Chip && !slot_open {
            self.push(RingOutput::ChipCadence(self.cadence));
            self.bursts += 1;
            self.phase = Phase::Chip;
            return;
        }
        self.enter_step(now, 0);
    }

    fn enter_step(&mut self, now: Instant, step: usize) {
        let Some(d) = self.cadence.step(step) else {
            self.push(RingOutput::Feed(LineFeed::IDLE));
            self.phase = Phase::Idle;
            return;
        };
        let until = now + d;
        if self.cadence.is_ring_step(step) {
            self.bursts += 1;
            self.push(RingOutput::Feed(LineFeed::Ringing));
            self.phase = Phase::Cadence { step, until };
            return;
        }
        let is_slot = self.placement == CallerIdPlacement::AfterFirstRing
            && Some(step) == self.cadence.caller_id_pause()
            && d > self.slot.after_ring + self.slot.before_ring;
        if is_slot {
            self.push(RingOutput::Feed(LineFeed::OnHookTransmission(Polarity::Forward)));
            self.phase = Phase::CadenceSlot {
                step,
                until,
                data_from: now + self.slot.after_ring,
                sending: false,
            };
        } else {
            self.push(RingOutput::Feed(LineFeed::IDLE));
            self.phase = Phase::Cadence { step, until };
        }
    }

    /// Advance to `now` and return the next output, `None` when there is
    /// nothing to do until [`poll_timeout`](Ringer::poll_timeout).
    pub fn poll(&mut self, now: Instant) -> Option<RingOutput> {
        let now = self.clamp(now);
        // Bounded: each pass either moves a step forward or stops.
        for _ in 0..MAX_RING_STEPS * 2 + 4 {
            if let Some(out) = self.take_queued() {
                return Some(out);
            }
            if !self.advance(now) {
                break;
            }
        }
        self.take_queued()
    }

    fn take_queued(&mut self) -> Option<RingOutput> {
        let first = self.queue[0].take();
        self.queue.rotate_left(1);
        first
    }

    /// One transition if its time has come; `false` when nothing is due.
    fn advance(&mut self, now: Instant) -> bool {
        match self.phase {
            Phase::Idle | Phase::Chip => false,
            Phase::PreRing { step, until } if now >= until => {
                match step {
                    PreStep::PulseEnd => {
                        self.push(RingOutput::Feed(LineFeed::OnHookTransmission(Polarity::Forward)));
                        self.phase = Phase::PreRing {
                            step: PreStep::OpenSlot,
                            until: until + self.slot.after_ring,
                        };
                    }
                    PreStep::OpenSlot => {
                        let deadline = until + self.slot.max_pre_ring_data;
                        self.push(RingOutput::SendCallerId { deadline });
                        self.phase = Phase::PreRingData { deadline };
                    }
                    PreStep::StartCadence => {
                        if self.placement == CallerIdPlacement::LineReversal {
                            self.push(RingOutput::Feed(LineFeed::IDLE));
                        }
                        self.begin_cadence(until);
                    }
                }
                true
            }
            Phase::PreRingData { deadline } if now >= deadline => {
                self.push(RingOutput::CallerIdAborted);
                self.phase = Phase::PreRing {
                    step: PreStep::StartCadence,
                    until: deadline + self.slot.before_ring,
                };
                true
            }
            Phase::Cadence { step, until } if now >= until => {
                self.enter_step(until, step + 1);
                true
            }
            Phase::CadenceSlot {
                step,
                until,
                data_from,
                sending,
            } => {
                let deadline = until.checked_sub(self.slot.before_ring).unwrap_or(until);
                if !sending && now >= data_from && now < deadline {
                    self.push(RingOutput::SendCallerId { deadline });
                    self.phase = Phase::CadenceSlot {
                        step,
                        until,
                        data_from,
                        sending: true,
                    };
                    true
                } else if sending && now >= deadline {
                    self.push(RingOutput::CallerIdAborted);
                    self.push(RingOutput::Feed(LineFeed::IDLE));
                    self.phase = Phase::Cadence { step, until };
                    true
                } else if now >= until {
                    self.push(RingOutput::Feed(LineFeed::IDLE));
                    self.phase = Phase::Cadence { step, until };
                    true
                } else {
                    false
                }
            }
            _ => false,
        }
    }

    /// The engine finished sending caller ID at `now`. Before the first
    /// ring this schedules the ringing [`CallerIdSlot::before_ring`] later;
    /// in the cadence pause the line goes back to the idle feed.
    pub fn caller_id_sent(&mut self, now: Instant) {
        let now = self.clamp(now);
        match self.phase {
            Phase::PreRingData { .. } => {
                self.phase = Phase::PreRing {
                    step: PreStep::StartCadence,
                    until: now + self.slot.before_ring,
                };
            }
            Phase::CadenceSlot {
                step,
                until,
                sending: true,
                ..
            } => {
                self.push(RingOutput::Feed(LineFeed::IDLE));
                self.phase = Phase::Cadence { step, until };
            }
            _ => {}
        }
    }

    /// Stop ringing (ring trip, answer, cancel): the line goes to the idle
    /// feed, a chip cadence is stopped, caller ID in progress is aborted.
    pub fn stop(&mut self, now: Instant) {
        self.clamp(now);
        self.queue = [None; QUEUE];
        match self.phase {
            Phase::Idle => return,
            Phase::Chip => self.push(RingOutput::StopChipCadence),
            Phase::PreRingData { .. } | Phase::CadenceSlot { sending: true, .. } => {
                self.push(RingOutput::CallerIdAborted)
            }
            _ => {}
        }
        self.push(RingOutput::Feed(LineFeed::IDLE));
        self.phase = Phase::Idle;
    }

    /// `true` from [`start`](Ringer::start) until the cadence ended or
    /// [`stop`](Ringer::stop) (the ring pauses included: a ring trip in a
    /// pause still answers).
    #[must_use]
    pub fn is_active(&self) -> bool {
        self.phase != Phase::Idle
    }

    /// Ring bursts started so far (the RP-AS pulse counts).
    #[must_use]
    pub fn bursts(&self) -> u32 {
        self.bursts
    }

    /// When [`poll`](Ringer::poll) has something to do next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.queue[0].is_some() {
            return self.now;
        }
        match self.phase {
            Phase::Idle | Phase::Chip => None,
            Phase::PreRing { until, .. } | Phase::Cadence { until, .. } => Some(until),
            Phase::PreRingData { deadline } => Some(deadline),
            Phase::CadenceSlot {
                until,
                data_from,
                sending,
                ..
            } => Some(if sending {
                until.checked_sub(self.slot.before_ring).unwrap_or(until)
            } else {
                data_from
            }),
        }
    }

    /// Poll at `now` and apply the feed changes to `line`; return the first
    /// output the line cannot take by itself (chip cadence, caller ID), if
    /// any. Call again in the same tick while it returns `Some`.
    pub fn drive<L: LineInterface>(
        &mut self,
        now: Instant,
        line: &mut L,
    ) -> Result<Option<RingOutput>, L::Error> {
        while let Some(out) = self.poll(now) {
            match out {
                RingOutput::Feed(feed) => {
                    if line.feed() != feed {
                        line.set_feed(feed)?;
                    }
                }
                other => return Ok(Some(other)),
            }
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Run the ringer tick by tick for `total`, returning (ms, output).
    fn run(
        r: &mut Ringer,
        t0: Instant,
        total: u64,
        mut on_cid: impl FnMut(u64) -> Option<u64>,
    ) -> Vec<(u64, RingOutput)> {
        let mut out = Vec::new();
        let mut finish_at = None;
        for t in (0..=total).step_by(10) {
            if finish_at == Some(t) {
                r.caller_id_sent(t0 + ms(t));
            }
            while let Some(o) = r.poll(t0 + ms(t)) {
                if let RingOutput::SendCallerId { .. } = o {
                    finish_at = on_cid(t).map(|d| t + d);
                }
                out.push((t, o));
            }
        }
        out
    }

    const RING: RingOutput = RingOutput::Feed(LineFeed::Ringing);
    const IDLE: RingOutput = RingOutput::Feed(LineFeed::IDLE);
    const OHT: RingOutput = RingOutput::Feed(LineFeed::OnHookTransmission(Polarity::Forward));

    #[test]
    fn country_cadences_match_the_spec_table() {
        let steps = |cc| RingCadence::for_country(cc).unwrap().steps_ms().to_vec();
        assert_eq!(steps("US"), [2000, 4000]);
        assert_eq!(steps("GB"), [400, 200, 400, 2000]);
        assert_eq!(steps("DE"), [1000, 4000]);
        assert_eq!(steps("FR"), [1500, 3500]);
        assert_eq!(steps("JP"), [1000, 2000]);
        assert!(RingCadence::for_country("QQ").is_err());
    }

    #[test]
    fn alert_info_selects_bellcore_patterns_and_rejects_others() {
        for (v, n) in [
            ("<http://127.0.0.1/Bellcore-dr2>", 2),
            ("<Bellcore-dr3>", 3),
            ("bellcore-dr4", 4),
            ("<http://x/Bellcore-dr1>;x=1", 1),
        ] {
            assert_eq!(
                RingCadence::from_alert_info(v).unwrap(),
                RingCadence::bellcore(n).unwrap()
            );
        }
        assert_eq!(RingCadence::bellcore(5).unwrap().repeat_from(), None);
        for bad in [
            "<http://x/Bellcore-dr9>",
            "<http://x/ring.wav>",
            "Bellcore-drx",
            "",
        ] {
            assert!(
                matches!(
                    RingCadence::from_alert_info(bad),
                    Err(ConfigError::UnknownDistinctiveRing(_))
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn invalid_cadences_are_refused() {
        assert!(RingCadence::new(&[], None).is_err());
        assert!(RingCadence::new(&[100, 0], Some(0)).is_err());
        assert!(RingCadence::new(&[100, 100, 100], Some(0)).is_err(), "odd repeat");
        assert!(RingCadence::new(&[100, 100, 100, 100], Some(1)).is_err());
        assert!(RingCadence::new(&[300, 300, 300, 300, 300, 300, 1000, 4000], Some(6)).is_ok());
    }

    #[test]
    fn caller_id_pause_is_the_first_3_s_gap_or_the_longest() {
        assert_eq!(RingCadence::for_country("US").unwrap().caller_id_pause(), Some(1));
        assert_eq!(RingCadence::bellcore(2).unwrap().caller_id_pause(), Some(3));
        assert_eq!(RingCadence::for_country("GB").unwrap().caller_id_pause(), Some(3));
        assert_eq!(RingCadence::bellcore(5).unwrap().caller_id_pause(), None);
    }

    #[test]
    fn rings_at_follows_an_intro_then_the_repeated_part() {
        let fi = RingCadence::new(&[300, 300, 300, 300, 300, 300, 1000, 4000], Some(6)).unwrap();
        assert!(fi.rings_at(ms(0)) && !fi.rings_at(ms(300)) && fi.rings_at(ms(600)));
        assert!(fi.rings_at(ms(1800)) && !fi.rings_at(ms(2800)));
        // Second repetition of 1/4 starts at 1800 + 5000.
        assert!(fi.rings_at(ms(6800)) && !fi.rings_at(ms(7800)));
        let splash = RingCadence::bellcore(5).unwrap();
        assert!(splash.rings_at(ms(499)) && !splash.rings_at(ms(500)) && !splash.rings_at(ms(60_000)));
    }

    #[test]
    fn software_us_cadence_switches_the_feed_at_every_edge() {
        let t0 = Instant::now();
        let mut r = Ringer::new(RingMode::Software);
        r.start(
            t0,
            RingCadence::for_country("US").unwrap(),
            CallerIdPlacement::None,
        );
        let out = run(&mut r, t0, 12_000, |_| None);
        assert_eq!(
            out,
            vec![
                (0, RING),
                (2000, IDLE),
                (6000, RING),
                (8000, IDLE),
                (12_000, RING)
            ]
        );
        assert_eq!(r.bursts(), 3);
    }

    #[test]
    fn telcordia_caller_id_opens_500_ms_after_the_first_ring_and_closes_200_ms_before_the_second() {
        let t0 = Instant::now();
        let mut r = Ringer::new(RingMode::Software);
        r.start(
            t0,
            RingCadence::for_country("US").unwrap(),
            CallerIdPlacement::AfterFirstRing,
        );
        let out = run(&mut r, t0, 6500, |_| Some(1200));
        assert_eq!(
            out,
            vec![
                (0, RING),
                (2000, OHT),
                (
                    2500,
                    RingOutput::SendCallerId {
                        deadline: t0 + ms(5800)
                    }
                ),
                (3700, IDLE),
                (6000, RING),
            ]
        );
    }

    #[test]
    fn telcordia_data_still_running_at_the_deadline_is_aborted() {
        let t0 = Instant::now();
        let mut r = Ringer::new(RingMode::Software);
        r.start(
            t0,
            RingCadence::for_country("US").unwrap(),
            CallerIdPlacement::AfterFirstRing,
        );
        let out = run(&mut r, t0, 6000, |_| None);
        assert!(out.contains(&(5800, RingOutput::CallerIdAborted)), "{out:?}");
        assert!(out.contains(&(5800, IDLE)));
        assert_eq!(out.last(), Some(&(6000, RING)));
    }

    #[test]
    fn rp_as_rings_a_short_pulse_then_sends_after_500_ms() {
        let t0 = Instant::now();
        let mut r = Ringer::new(RingMode::Software);
        r.start(
            t0,
            RingCadence::for_country("DE").unwrap(),
            CallerIdPlacement::RingPulse,
        );
        let out = run(&mut r, t0, 3000, |_| Some(800));
        assert_eq!(
            out,
            vec![
                (0, RING),
                (250, OHT),
                (
                    750,
                    RingOutput::SendCallerId {
                        deadline: t0 + ms(3750)
                    }
                ),
                (1750, RING),
                (2750, IDLE),
            ]
        );
    }

    #[test]
    fn line_reversal_alert_then_ringing_in_forward_polarity() {
        let t0 = Instant::now();
        let mut r = Ringer::new(RingMode::Chip);
        r.start(
            t0,
            RingCadence::for_country("GB").unwrap(),
            CallerIdPlacement::LineReversal,
        );
        let out = run(&mut r, t0, 2000, |_| Some(600));
        assert_eq!(
            out,
            vec![
                (
                    0,
                    RingOutput::Feed(LineFeed::OnHookTransmission(Polarity::Reverse))
                ),
                (
                    100,
                    RingOutput::SendCallerId {
                        deadline: t0 + ms(3100)
                    }
                ),
                (900, IDLE),
                (
                    900,
                    RingOutput::ChipCadence(RingCadence::for_country("GB").unwrap())
                ),
            ]
        );
        r.stop(t0 + ms(2000));
        assert_eq!(r.poll(t0 + ms(2000)), Some(RingOutput::StopChipCadence));
        assert_eq!(r.poll(t0 + ms(2000)), Some(IDLE));
        assert!(!r.is_active());
    }

    #[test]
    fn slot_and_placement_follow_fxs_tones_signal_timing() {
        use fxs_tones::{CallerIdMessage, CallerIdStandard, DEFAULT_FSK_LEVEL, EtsiAlert};
        let msg = CallerIdMessage::with_number("5551234").unwrap();
        let timing = |std: CallerIdStandard| std.signal(&msg, DEFAULT_FSK_LEVEL).unwrap().unwrap().timing();
        let rp = timing(CallerIdStandard::Etsi(EtsiAlert::RpAs));
        assert_eq!(
            CallerIdPlacement::from_anchor(rp.anchor),
            Some(CallerIdPlacement::RingPulse)
        );
        let slot = CallerIdSlot::from_timing(&rp);
        assert_eq!(
            (slot.ring_pulse, slot.after_ring, slot.before_ring),
            (ms(250), ms(500), ms(200))
        );
        let lr = timing(CallerIdStandard::Etsi(EtsiAlert::LineReversalDtAs));
        assert_eq!(
            CallerIdPlacement::from_anchor(lr.anchor),
            Some(CallerIdPlacement::LineReversal)
        );
        assert_eq!(CallerIdSlot::from_timing(&lr).reversal_to_alert, ms(100));
        let us = timing(CallerIdStandard::TelcordiaMdmf);
        assert_eq!(
            CallerIdPlacement::from_anchor(us.anchor),
            Some(CallerIdPlacement::AfterFirstRing)
        );
        assert_eq!(CallerIdSlot::from_timing(&us), CallerIdSlot::default());
        assert_eq!(
            CallerIdPlacement::from_anchor(fxs_tones::RingAnchor::OffHookAck),
            None
        );
    }

    #[test]
    fn stop_in_a_pause_returns_to_idle_and_aborts_caller_id() {
        let t0 = Instant::now();
        let mut r = Ringer::new(RingMode::Software);
        r.start(
            t0,
            RingCadence::for_country("US").unwrap(),
            CallerIdPlacement::AfterFirstRing,
        );
        let _ = run(&mut r, t0, 2600, |_| None);
        assert!(r.is_active());
        r.stop(t0 + ms(2610));
        assert_eq!(r.poll(t0 + ms(2610)), Some(RingOutput::CallerIdAborted));
        assert_eq!(r.poll(t0 + ms(2610)), Some(IDLE));
        assert_eq!(r.poll(t0 + ms(9000)), None);
        assert_eq!(r.poll_timeout(), None);
    }

    #[test]
    fn drive_applies_feeds_to_a_line() {
        let t0 = Instant::now();
        let mut line = crate::sim::SimLine::new();
        let mut r = Ringer::new(RingMode::Software);
        r.start(t0, RingCadence::bellcore(5).unwrap(), CallerIdPlacement::None);
        assert_eq!(r.drive(t0, &mut line), Ok(None));
        assert_eq!(line.feed(), LineFeed::Ringing);
        assert_eq!(r.drive(t0 + ms(500), &mut line), Ok(None));
        assert_eq!(line.feed(), LineFeed::IDLE);
        assert!(!r.is_active(), "a splash rings once");
    }
}
