//! [`HookConditioner`]: raw hook samples → off-hook, on-hook, hook flash,
//! pulse (rotary) digits and ring trip, with timestamps
//! (line-electrical.md §3).
//!
//! It works on the lengths of breaks (loop open) and makes (loop closed)
//! between glitch-filtered edges, and times every edge at the first sample
//! that showed it, so a glitch filter of any length does not bias the
//! measured lengths. Classification of one break (§3.1):
//!
//! | break | followed by | event |
//! |---|---|---|
//! | shorter than the debounce | — | nothing (glitch) |
//! | in the pulse window | more pulses, then a make ≥ inter-digit | [`HookSignalKind::PulseDigit`] |
//! | in the flash window | make | [`HookSignalKind::Flash`] |
//! | in both windows, alone | make ≥ inter-digit | [`HookSignalKind::Flash`] (§3.2 rule) |
//! | reaching the flash maximum | — | [`HookSignalKind::OnHook`] |
//! | between the windows | make | nothing |
//!
//! A make while the engine is ringing (bursts and pauses) is a
//! [`HookSignalKind::RingTrip`] once it has lasted the ring-trip
//! confirmation time (§2: confirm before cutting the ring).
//!
//! ```
//! use std::time::{Duration, Instant};
//! use fxs_hal::{HookConditioner, HookProfile, HookSignalKind, HookState};
//! use fxs_tones::Digit;
//!
//! let t0 = Instant::now();
//! let mut hook = HookConditioner::new(HookProfile::for_country("US")?, t0);
//! let mut events = Vec::new();
//! // Off hook, then dial "2" at 10 pps, 60 % break, sampled every 5 ms.
//! let mut level = vec![(0, HookState::OffHook)];
//! for (start, end) in [(500, 560), (600, 660)] {
//!     level.push((start, HookState::OnHook));
//!     level.push((end, HookState::OffHook));
//! }
//! for t in (0..1200u64).step_by(5) {
//!     let raw = level.iter().rev().find(|(at, _)| *at <= t).map(|(_, s)| *s).unwrap();
//!     hook.update(t0 + Duration::from_millis(t), raw);
//!     while let Some(signal) = hook.poll_signal() {
//!         events.push(signal.kind);
//!     }
//! }
//! assert_eq!(events, [HookSignalKind::OffHook, HookSignalKind::PulseDigit(Digit::D2)]);
//! # Ok::<(), fxs_hal::ConfigError>(())
//! ```

use core::time::Duration;
use std::time::Instant;

use fxs_tones::Digit;

use crate::config::ConfigError;
use crate::line::HookState;

/// How pulse counts map to digits (line-electrical.md §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Decadic {
    /// n pulses for digit n, 10 for 0.
    #[default]
    Standard,
    /// Sweden: n + 1 pulses for digit n (0 is one pulse).
    Sweden,
    /// New Zealand "reverse decadic": 10 − n pulses (0 is ten pulses).
    NewZealand,
}

/// The decimal digits `0`-`9`, in value order (the first ten of
/// [`Digit::ALL`], which is in RFC 4733 event-code order).
const DIGITS: &[Digit] = Digit::ALL.split_at(10).0;

impl Decadic {
    /// The digit `pulses` pulses stand for, `None` for a count no digit has.
    #[must_use]
    pub fn digit(self, pulses: u8) -> Option<Digit> {
        let n = usize::from(pulses);
        let value = match self {
            Decadic::Standard => match n {
                1..=9 => n,
                10 => 0,
                _ => return None,
            },
            Decadic::Sweden => n.checked_sub(1).filter(|&v| v <= 9)?,
            Decadic::NewZealand => match n {
                1..=9 => 10 - n,
                10 => 0,
                _ => return None,
            },
        };
        DIGITS.get(value).copied()
    }

    /// The pulses that dial `digit`, `None` for `*`, `#` and `A`-`D`.
    #[must_use]
    pub fn pulses(self, digit: Digit) -> Option<u8> {
        let value = DIGITS.iter().position(|&d| d == digit)? as u8;
        Some(match self {
            Decadic::Standard => {
                if value == 0 {
                    10
                } else {
                    value
                }
            }
            Decadic::Sweden => value + 1,
            Decadic::NewZealand => {
                if value == 0 {
                    10
                } else {
                    10 - value
                }
            }
        })
    }
}

/// Pulse-dialling windows (line-electrical.md §3.1, §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PulseProfile {
    /// Shortest break counted as a pulse (VP-API 33 ms).
    pub break_min: Duration,
    /// Longest break counted as a pulse (VP-API 100 ms).
    pub break_max: Duration,
    /// A make at least this long ends the digit (VP-API ≥ 250 ms).
    pub interdigit_min: Duration,
    /// Pulse-count convention.
    pub decadic: Decadic,
}

impl Default for PulseProfile {
    /// Break 33-100 ms, inter-digit 250 ms (VP-API-II defaults; they cover
    /// 8-12 pps at 55-70 % break), standard decadic.
    fn default() -> PulseProfile {
        PulseProfile {
            break_min: Duration::from_millis(33),
            break_max: Duration::from_millis(100),
            interdigit_min: Duration::from_millis(250),
            decadic: Decadic::Standard,
        }
    }
}

/// Timing windows of a [`HookConditioner`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HookProfile {
    /// Glitch filter: a state must hold this long to count as an edge
    /// (§2: ~10-20 ms; 10 ms keeps the 25 ms makes of 12 pps dialling).
    pub debounce: Duration,
    /// Shortest break that is a hook flash.
    pub flash_min: Duration,
    /// A break this long is a hang-up.
    pub flash_max: Duration,
    /// Pulse dialling, `None` to disable it.
    pub pulse: Option<PulseProfile>,
    /// A make during ringing must last this long to be a ring trip
    /// (tones-and-ringing.md §6: a SLIC detects within 1-2 ring cycles,
    /// 50-100 ms; ours 40 ms).
    pub ring_trip_confirm: Duration,
    /// Hook samples ignored after the gateway reverses polarity (100 ms,
    /// VP-API `VP_POLREV_DEBOUNCE_TIME`, §1).
    pub reversal_mask: Duration,
}

/// The flash windows of line-electrical.md §3.2, by source: (name, min ms,
/// max ms).
pub const FLASH_WINDOWS: [(&str, u16, u16); 5] = [
    ("vp-api-ii", 250, 1300),
    ("dahdi", 15, 1250),
    ("finland", 90, 500),
    ("nec-pbx", 384, 2300),
    ("ata", 100, 900),
];

impl HookProfile {
    fn base(flash_min_ms: u64, flash_max_ms: u64) -> HookProfile {
        HookProfile {
            debounce: Duration::from_millis(10),
            flash_min: Duration::from_millis(flash_min_ms),
            flash_max: Duration::from_millis(flash_max_ms),
            pulse: Some(PulseProfile::default()),
            ring_trip_confirm: Duration::from_millis(40),
            reversal_mask: Duration::from_millis(100),
        }
    }

    /// The profile of one source of [`FLASH_WINDOWS`] (`"vp-api-ii"`,
    /// `"dahdi"`, `"finland"`, `"nec-pbx"`, `"ata"`) with default pulse
    /// windows.
    pub fn from_source(name: &str) -> Result<HookProfile, ConfigError> {
        let (_, min, max) = FLASH_WINDOWS
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            .ok_or_else(|| ConfigError::UnknownCountry {
                what: "hook flash source",
                country: name.to_owned(),
            })?;
        Ok(HookProfile::base(u64::from(*min), u64::from(*max)))
    }

    /// Country defaults (line-electrical.md §3.2, §3.3):
    ///
    /// - `FI`: flash 90-500 ms, pulse break 47-80 ms (Zyxel Finland);
    /// - `GB`/`UK`: timed-break recall 80-120 ms (the flash window overlaps
    ///   pulse breaks; an isolated break in both is a flash, §3.2 rule);
    /// - `SE`: Swedish decadic; `NZ`: reverse decadic;
    /// - every other known code: the typical ATA window 100-900 ms.
    pub fn for_country(country: &str) -> Result<HookProfile, ConfigError> {
        let cc = country.trim().to_ascii_uppercase();
        let mut p = match cc.as_str() {
            "FI" => {
                let mut p = HookProfile::base(90, 500);
                p.pulse = Some(PulseProfile {
                    break_min: Duration::from_millis(47),
                    break_max: Duration::from_millis(80),
                    ..PulseProfile::default()
                });
                p
            }
            "GB" | "UK" => HookProfile::base(80, 120),
            _ if crate::config::Impedance::for_country(&cc).is_ok() => HookProfile::base(100, 900),
            _ => {
                return Err(ConfigError::UnknownCountry {
                    what: "hook",
                    country: country.to_owned(),
                });
            }
        };
        let decadic = match cc.as_str() {
            "SE" => Decadic::Sweden,
            "NZ" => Decadic::NewZealand,
            _ => Decadic::Standard,
        };
        if let Some(pulse) = p.pulse.as_mut() {
            pulse.decadic = decadic;
        }
        Ok(p)
    }

    /// Check the windows are ordered: debounce below every window, flash
    /// min below max, pulse breaks below the hang-up time and inter-digit
    /// time above the longest pulse break.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.flash_min >= self.flash_max {
            return Err(ConfigError::Timing("flash_min must be below flash_max"));
        }
        if self.debounce > self.flash_min {
            return Err(ConfigError::Timing("debounce longer than flash_min"));
        }
        if let Some(p) = self.pulse {
            if p.break_min >= p.break_max {
                return Err(ConfigError::Timing("pulse break_min must be below break_max"));
            }
            if self.debounce > p.break_min {
                return Err(ConfigError::Timing(
                    "debounce longer than the shortest pulse break",
                ));
            }
            if p.break_max >= self.flash_max {
                return Err(ConfigError::Timing("pulse breaks reach the hang-up time"));
            }
            if p.interdigit_min <= p.break_max {
                return Err(ConfigError::Timing(
                    "inter-digit time must exceed the longest pulse break",
                ));
            }
        }
        Ok(())
    }
}

impl Default for HookProfile {
    /// The ATA profile: flash 100-900 ms, pulse dialling on.
    fn default() -> HookProfile {
        HookProfile::base(100, 900)
    }
}

/// What a [`HookSignal`] says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HookSignalKind {
    /// The handset was lifted (not during ringing).
    OffHook,
    /// The handset was put down: a break reached the flash maximum.
    OnHook,
    /// A hook flash (register recall).
    Flash,
    /// A complete pulse-dialled digit.
    PulseDigit(Digit),
    /// A pulse train whose count is no digit (e.g. 11 pulses); the count.
    InvalidPulses(u8),
    /// Off hook while the engine was ringing (also in a ring pause): the
    /// call is answered and ringing must stop.
    RingTrip,
}

/// A conditioned hook event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HookSignal {
    /// What happened.
    pub kind: HookSignalKind,
    /// When it was decided (the sample that completed it).
    pub at: Instant,
    /// When it began on the line: the loop edge (off-hook, ring trip), the
    /// start of the break (flash, on-hook) or of the first pulse (digit).
    pub since: Instant,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Train {
    pulses: u8,
    /// The first break lay in the pulse and in the flash window.
    ambiguous: bool,
    first_break: Option<Instant>,
}

impl Train {
    const EMPTY: Train = Train {
        pulses: 0,
        ambiguous: false,
        first_break: None,
    };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    OnHook,
    /// Loop closed while ringing, not yet confirmed as ring trip.
    TripPending {
        since: Instant,
    },
    OffHook {
        make_since: Instant,
        train: Train,
    },
    Break {
        since: Instant,
        train: Train,
    },
}

const QUEUE: usize = 8;

/// Hook-signal conditioning from raw samples (see the module docs).
///
/// Feed every raw sample with [`update`](Self::update) (one per 10 ms tick,
/// or faster from a chip that samples at ≤ 2 ms), or chip edges with
/// [`edge`](Self::edge); collect [`HookSignal`]s with
/// [`poll_signal`](Self::poll_signal). Tell it when the engine rings
/// ([`set_ringing`](Self::set_ringing)) and when it reverses polarity
/// ([`polarity_reversed`](Self::polarity_reversed)). It never allocates.
#[derive(Clone, Debug)]
pub struct HookConditioner {
    profile: HookProfile,
    state: State,
    /// Glitch-filtered loop state.
    filtered: HookState,
    candidate: Option<(HookState, Instant)>,
    masked_until: Option<Instant>,
    ringing: bool,
    now: Instant,
    queue: [Option<HookSignal>; QUEUE],
    queued: usize,
}

impl HookConditioner {
    /// A conditioner for a line that is on hook at `start`. The profile is
    /// validated here; use [`try_new`](Self::try_new) for the error.
    ///
    /// # Panics
    ///
    /// If `profile` fails [`HookProfile::validate`].
    #[must_use]
    pub fn new(profile: HookProfile, start: Instant) -> HookConditioner {
        match HookConditioner::try_new(profile, start) {
            Ok(c) => c,
            Err(e) => panic!("HookConditioner::new: {e}"),
        }
    }

    /// [`new`](Self::new) returning the profile's error.
    pub fn try_new(profile: HookProfile, start: Instant) -> Result<HookConditioner, ConfigError> {
        profile.validate()?;
        Ok(HookConditioner {
            profile,
            state: State::OnHook,
            filtered: HookState::OnHook,
            candidate: None,
            masked_until: None,
            ringing: false,
            now: start,
            queue: [None; QUEUE],
            queued: 0,
        })
    }

    /// The profile in use.
    #[must_use]
    pub fn profile(&self) -> &HookProfile {
        &self.profile
    }

    /// The conditioned hook state: off hook from the off-hook (or ring-trip)
    /// decision until the on-hook decision; flashes and pulses do not change
    /// it.
    #[must_use]
    pub fn state(&self) -> HookState {
        match self.state {
            State::OnHook | State::TripPending { .. } => HookState::OnHook,
            State::OffHook { .. } | State::Break { .. } => HookState::OffHook,
        }
    }

    /// Tell the conditioner whether the engine is ringing the line (from
    /// the start of ringing to its end, pauses included).
    pub fn set_ringing(&mut self, active: bool) {
        self.ringing = active;
    }

    /// Ignore samples until `until`.
    pub fn mask_until(&mut self, until: Instant) {
        self.masked_until = Some(until);
        self.candidate = None;
    }

    /// The gateway reversed the polarity at `now`: mask hook detection for
    /// [`HookProfile::reversal_mask`].
    pub fn polarity_reversed(&mut self, now: Instant) {
        self.mask_until(now + self.profile.reversal_mask);
    }

    /// Feed one raw sample taken at `now`. Time going backwards is clamped.
    pub fn update(&mut self, now: Instant, raw: HookState) {
        let now = now.max(self.now);
        self.now = now;
        let masked = self.masked_until.is_some_and(|until| now < until);
        if !masked {
            self.masked_until = None;
            if raw == self.filtered {
                self.candidate = None;
            } else {
                let since = match self.candidate {
                    Some((state, since)) if state == raw => since,
                    _ => {
                        self.candidate = Some((raw, now));
                        now
                    }
                };
                if now.saturating_duration_since(since) >= self.profile.debounce {
                    self.candidate = None;
                    self.filtered = raw;
                    self.on_edge(raw, since);
                }
            }
        }
        self.on_time(now);
    }

    /// Feed an edge a chip time-stamped (already glitch-free): the loop
    /// went to `state` at `at`, seen at `now`.
    pub fn edge(&mut self, now: Instant, state: HookState, at: Instant) {
        let now = now.max(self.now);
        self.now = now;
        if self.masked_until.is_some_and(|until| at < until) {
            return;
        }
        self.candidate = None;
        if state != self.filtered {
            self.filtered = state;
            self.on_edge(state, at.min(now));
        }
        self.on_time(now);
    }

    /// Let time pass to `now` without a sample, for engines fed by chip
    /// edges ([`edge`](Self::edge)): decides hang-ups, digits and ring
    /// trips whose time has come.
    pub fn advance(&mut self, now: Instant) {
        let now = now.max(self.now);
        self.now = now;
        self.on_time(now);
    }

    /// The next signal, oldest first.
    pub fn poll_signal(&mut self) -> Option<HookSignal> {
        if self.queued == 0 {
            return None;
        }
        let first = self.queue[0].take();
        self.queue.rotate_left(1);
        self.queued -= 1;
        first
    }

    fn emit(&mut self, kind: HookSignalKind, since: Instant) {
        let signal = HookSignal {
            kind,
            at: self.now,
            since,
        };
        if self.queued == QUEUE {
            // Drop the oldest: the engine did not poll for 8 events.
            let _ = self.poll_signal();
        }
        if let Some(slot) = self.queue.get_mut(self.queued) {
            *slot = Some(signal);
            self.queued += 1;
        }
    }

    fn on_edge(&mut self, to: HookState, at: Instant) {
        self.state = match (self.state, to) {
            (State::OnHook, HookState::OffHook) => State::TripPending { since: at },
            (State::TripPending { .. }, HookState::OnHook) => State::OnHook,
            (State::OffHook { train, .. }, HookState::OnHook) => State::Break { since: at, train },
            (State::Break { since, train }, HookState::OffHook) => self.classify_break(since, at, train),
            (s, _) => s,
        };
    }

    fn classify_break(&mut self, since: Instant, make: Instant, mut train: Train) -> State {
        let len = make.saturating_duration_since(since);
        let p = &self.profile;
        let in_flash = len >= p.flash_min && len < p.flash_max;
        let (in_pulse, too_short) = match p.pulse {
            Some(pp) => (len >= pp.break_min && len <= pp.break_max, len < pp.break_min),
            None => (false, true),
        };
        if in_pulse {
            if train.pulses == 0 {
                train.ambiguous = in_flash;
                train.first_break = Some(since);
            }
            train.pulses = train.pulses.saturating_add(1);
        } else if in_flash {
            train = Train::EMPTY;
            self.emit(HookSignalKind::Flash, since);
        } else if !too_short || p.pulse.is_none() {
            // Between the windows: neither a pulse nor a flash.
            train = Train::EMPTY;
        }
        State::OffHook {
            make_since: make,
            train,
        }
    }

    /// `true` when an edge seen before `deadline` is still being
    /// debounced: a decision at `deadline` must wait for it.
    fn edge_pending_before(&self, deadline: Instant) -> bool {
        self.candidate.is_some_and(|(_, since)| since < deadline)
    }

    fn on_time(&mut self, now: Instant) {
        match self.state {
            State::TripPending { since } => {
                let wait = if self.ringing {
                    self.profile.ring_trip_confirm
                } else {
                    Duration::ZERO
                };
                if now.saturating_duration_since(since) >= wait {
                    let kind = if self.ringing {
                        HookSignalKind::RingTrip
                    } else {
                        HookSignalKind::OffHook
                    };
                    self.emit(kind, since);
                    self.state = State::OffHook {
                        make_since: since,
                        train: Train::EMPTY,
                    };
                }
            }
            State::Break { since, .. } => {
                let deadline = since + self.profile.flash_max;
                if now >= deadline && !self.edge_pending_before(deadline) {
                    self.emit(HookSignalKind::OnHook, since);
                    self.state = State::OnHook;
                }
            }
            State::OffHook { make_since, train } if train.pulses > 0 => {
                let interdigit = self.profile.pulse.map_or(Duration::ZERO, |p| p.interdigit_min);
                let deadline = make_since + interdigit;
                if now >= deadline && !self.edge_pending_before(deadline) {
                    let since = train.first_break.unwrap_or(make_since);
                    let kind = if train.ambiguous && train.pulses == 1 {
                        HookSignalKind::Flash
                    } else {
                        let decadic = self.profile.pulse.map(|p| p.decadic).unwrap_or_default();
                        match decadic.digit(train.pulses) {
                            Some(d) => HookSignalKind::PulseDigit(d),
                            None => HookSignalKind::InvalidPulses(train.pulses),
                        }
                    };
                    self.emit(kind, since);
                    self.state = State::OffHook {
                        make_since,
                        train: Train::EMPTY,
                    };
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HookState::{OffHook, OnHook};
    use proptest::prelude::*;

    /// A level signal: the loop state from each time (ms) on.
    struct Trace(Vec<(u64, HookState)>);

    impl Trace {
        fn off_at(t: u64) -> Trace {
            Trace(vec![(0, OnHook), (t, OffHook)])
        }
        fn brk(&mut self, start: u64, len: u64) -> &mut Self {
            self.0.push((start, OnHook));
            self.0.push((start + len, OffHook));
            self
        }
        fn at(&self, t: u64) -> HookState {
            self.0
                .iter()
                .rev()
                .find(|(at, _)| *at <= t)
                .map_or(OnHook, |(_, s)| *s)
        }
    }

    /// Sample `trace` every `step` ms until `end`; return (at ms, kind).
    fn run(profile: HookProfile, trace: &Trace, step: u64, end: u64) -> Vec<(u64, HookSignalKind)> {
        run_with(profile, trace, step, end, |_, _| {})
    }

    fn run_with(
        profile: HookProfile,
        trace: &Trace,
        step: u64,
        end: u64,
        mut each: impl FnMut(u64, &mut HookConditioner),
    ) -> Vec<(u64, HookSignalKind)> {
        let t0 = Instant::now();
        let mut c = HookConditioner::new(profile, t0);
        let mut out = Vec::new();
        for t in (0..=end).step_by(step as usize) {
            each(t, &mut c);
            c.update(t0 + Duration::from_millis(t), trace.at(t));
            while let Some(s) = c.poll_signal() {
                out.push(((s.at - t0).as_millis() as u64, s.kind));
            }
        }
        out
    }

    fn kinds(v: &[(u64, HookSignalKind)]) -> Vec<HookSignalKind> {
        v.iter().map(|(_, k)| *k).collect()
    }

    use HookSignalKind as K;

    #[test]
    fn country_profiles_carry_the_spec_windows() {
        let fi = HookProfile::for_country("FI").unwrap();
        assert_eq!((fi.flash_min.as_millis(), fi.flash_max.as_millis()), (90, 500));
        assert_eq!(fi.pulse.unwrap().break_max.as_millis(), 80);
        assert_eq!(
            HookProfile::for_country("SE").unwrap().pulse.unwrap().decadic,
            Decadic::Sweden
        );
        assert_eq!(
            HookProfile::for_country("NZ").unwrap().pulse.unwrap().decadic,
            Decadic::NewZealand
        );
        let vp = HookProfile::from_source("vp-api-ii").unwrap();
        assert_eq!(vp.flash_max, Duration::from_millis(1300));
        for cc in ["US", "DE", "GB", "FI", "SE", "NZ", "JP", "FR"] {
            HookProfile::for_country(cc).unwrap().validate().unwrap();
        }
        assert!(HookProfile::for_country("ZZ").is_err());
    }

    #[test]
    fn contradictory_profiles_are_refused() {
        let mut p = HookProfile::default();
        p.flash_min = p.flash_max;
        assert!(p.validate().is_err());
        let mut p = HookProfile::default();
        p.pulse.as_mut().unwrap().interdigit_min = Duration::from_millis(50);
        assert!(HookConditioner::try_new(p, Instant::now()).is_err());
    }

    #[test]
    fn decadic_variants_round_trip_every_digit() {
        for d in [Decadic::Standard, Decadic::Sweden, Decadic::NewZealand] {
            for &digit in DIGITS {
                assert_eq!(d.digit(d.pulses(digit).unwrap()), Some(digit), "{d:?} {digit:?}");
            }
            assert_eq!(d.pulses(Digit::Star), None);
        }
        assert_eq!(Decadic::Sweden.pulses(Digit::D0), Some(1));
        assert_eq!(Decadic::NewZealand.pulses(Digit::D1), Some(9));
        assert_eq!(Decadic::Standard.digit(11), None);
        assert_eq!(Decadic::Sweden.digit(0), None);
    }

    #[test]
    fn lift_is_reported_one_debounce_after_the_edge() {
        let out = run(HookProfile::default(), &Trace::off_at(100), 10, 300);
        assert_eq!(out, vec![(110, K::OffHook)]);
    }

    #[test]
    fn glitch_shorter_than_the_debounce_is_ignored() {
        let mut t = Trace::off_at(100);
        t.0.push((300, OnHook));
        t.0.push((305, OffHook));
        let out = run(HookProfile::default(), &t, 1, 2000);
        assert_eq!(kinds(&out), vec![K::OffHook]);
    }

    #[test]
    fn flash_at_the_window_edges() {
        // ATA window 100-900 ms; pulse breaks end at 100 ms, so a 100 ms
        // break is in both windows and becomes a flash after the inter-digit
        // time.
        let case = |len: u64| {
            let mut t = Trace::off_at(0);
            t.brk(500, len);
            kinds(&run(HookProfile::default(), &t, 1, 500 + len + 600))
        };
        assert_eq!(case(100), vec![K::OffHook, K::Flash]);
        assert_eq!(case(101), vec![K::OffHook, K::Flash]);
        assert_eq!(case(899), vec![K::OffHook, K::Flash]);
        assert_eq!(case(900), vec![K::OffHook, K::OnHook, K::OffHook]);
        let mut vp = HookProfile::from_source("vp-api-ii").unwrap();
        vp.pulse = None;
        let case_vp = |len: u64| {
            let mut t = Trace::off_at(0);
            t.brk(500, len);
            kinds(&run(vp, &t, 1, 500 + len + 600))
        };
        assert_eq!(case_vp(249), vec![K::OffHook], "just below flash_min: nothing");
        assert_eq!(case_vp(250), vec![K::OffHook, K::Flash]);
        assert_eq!(case_vp(1299), vec![K::OffHook, K::Flash]);
        assert_eq!(case_vp(1300), vec![K::OffHook, K::OnHook, K::OffHook]);
    }

    #[test]
    fn flash_is_told_apart_from_a_dialled_1_and_from_a_hang_up() {
        let fi = HookProfile::for_country("FI").unwrap();
        let one = {
            let mut t = Trace::off_at(0);
            t.brk(500, 60);
            kinds(&run(fi, &t, 1, 1200))
        };
        assert_eq!(one, vec![K::OffHook, K::PulseDigit(Digit::D1)]);
        let flash = {
            let mut t = Trace::off_at(0);
            t.brk(500, 200);
            kinds(&run(fi, &t, 1, 1200))
        };
        assert_eq!(flash, vec![K::OffHook, K::Flash]);
        let hang_up = {
            let mut t = Trace::off_at(0);
            t.0.push((500, OnHook));
            kinds(&run(fi, &t, 1, 1200))
        };
        assert_eq!(hang_up, vec![K::OffHook, K::OnHook]);
    }

    #[test]
    fn hang_up_is_decided_when_the_break_reaches_flash_max() {
        let mut t = Trace::off_at(0);
        t.0.push((1000, OnHook));
        let out = run(HookProfile::default(), &t, 10, 3000);
        assert_eq!(out, vec![(10, K::OffHook), (1900, K::OnHook)]);
    }

    #[test]
    fn pulse_digit_at_10_pps_sampled_by_10_ms_ticks() {
        let mut t = Trace::off_at(0);
        for i in 0..5 {
            t.brk(1000 + i * 100, 60);
        }
        let out = run(HookProfile::default(), &t, 10, 2500);
        // Last make starts at 1460; digit at 1460 + 250.
        assert_eq!(out, vec![(10, K::OffHook), (1710, K::PulseDigit(Digit::D5))]);
    }

    #[test]
    fn sweden_and_new_zealand_decode_their_own_counts() {
        let mut t = Trace::off_at(0);
        for i in 0..3 {
            t.brk(1000 + i * 100, 60);
        }
        let se = HookProfile::for_country("SE").unwrap();
        let nz = HookProfile::for_country("NZ").unwrap();
        assert_eq!(kinds(&run(se, &t, 5, 2000))[1], K::PulseDigit(Digit::D2));
        assert_eq!(kinds(&run(nz, &t, 5, 2000))[1], K::PulseDigit(Digit::D7));
    }

    #[test]
    fn eleven_pulses_are_reported_as_invalid() {
        let mut t = Trace::off_at(0);
        for i in 0..11 {
            t.brk(1000 + i * 100, 60);
        }
        let out = kinds(&run(HookProfile::default(), &t, 5, 3000));
        assert_eq!(out, vec![K::OffHook, K::InvalidPulses(11)]);
    }

    #[test]
    fn ring_trip_in_a_burst_and_in_a_pause_within_100_ms() {
        for lift in [300u64, 2500] {
            let out = run_with(HookProfile::default(), &Trace::off_at(lift), 10, 4000, |t, c| {
                c.set_ringing(t < 3000)
            });
            assert_eq!(out.len(), 1, "{out:?}");
            let (at, kind) = out[0];
            assert_eq!(kind, K::RingTrip);
            assert!(at - lift <= 100, "ring trip after {} ms", at - lift);
            assert!(at - lift >= 40, "confirmed for 40 ms first");
        }
    }

    #[test]
    fn ringer_transient_shorter_than_the_confirmation_is_no_ring_trip() {
        let mut t = Trace(vec![(0, OnHook)]);
        t.0.push((100, OffHook));
        t.0.push((125, OnHook));
        let out = run_with(HookProfile::default(), &t, 5, 1000, |_, c| c.set_ringing(true));
        assert!(out.is_empty(), "{out:?}");
    }

    #[test]
    fn breaks_inside_the_reversal_mask_are_ignored() {
        let mut t = Trace::off_at(0);
        t.brk(1000, 60); // inside the mask: not a pulse
        let out = run_with(HookProfile::default(), &t, 5, 2000, |ms, c| {
            if ms == 990 {
                c.polarity_reversed(c.now);
            }
        });
        assert_eq!(kinds(&out), vec![K::OffHook]);
    }

    #[test]
    fn chip_edges_are_classified_like_samples() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut c = HookConditioner::new(HookProfile::default(), t0);
        c.edge(ms(20), OffHook, ms(0));
        c.edge(ms(520), OnHook, ms(500));
        c.edge(ms(820), OffHook, ms(800));
        let mut got = Vec::new();
        while let Some(s) = c.poll_signal() {
            got.push((s.kind, s.since));
        }
        assert_eq!(got, vec![(K::OffHook, ms(0)), (K::Flash, ms(500))]);
        assert_eq!(c.state(), OffHook);
    }

    /// A pulse train: (pps, break ratio) per digit.
    fn train_strategy() -> impl Strategy<Value = (Vec<u8>, f64, f64, u64)> {
        (
            proptest::collection::vec(1u8..=10, 1..5),
            8.0f64..=12.0,
            0.55f64..=0.70,
            300u64..800,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Any pulse train within 8-12 pps and 55-70 % break decodes to its
        /// digits, sampled at 2 ms (VP-API samples hook at ≤ 2 ms).
        #[test]
        fn any_pulse_train_within_tolerance_decodes_to_its_digits(
            (counts, pps, ratio, pause) in train_strategy(),
        ) {
            let period = 1000.0 / pps;
            let brk = (period * ratio).round() as u64;
            let mk = (period - period * ratio).round() as u64;
            let mut t = Trace::off_at(0);
            let mut at = 500u64;
            for &n in &counts {
                for _ in 0..n {
                    t.brk(at, brk);
                    at += brk + mk;
                }
                at += pause;
            }
            let out = run(HookProfile::default(), &t, 2, at + 400);
            let want: Vec<_> = std::iter::once(K::OffHook)
                .chain(counts.iter().map(|&n| K::PulseDigit(Decadic::Standard.digit(n).unwrap())))
                .collect();
            prop_assert_eq!(kinds(&out), want);
        }

        /// Breaks inside the flash window are flashes; outside are not
        /// (pulse dialling off, VP-API window 250-1300 ms).
        #[test]
        fn flashes_inside_the_window_are_flashes_outside_are_not(len in 20u64..2000) {
            let mut p = HookProfile::from_source("vp-api-ii").unwrap();
            p.pulse = None;
            let mut t = Trace::off_at(0);
            t.brk(500, len);
            let out = kinds(&run(p, &t, 1, 500 + len + 500));
            let flashes = out.iter().filter(|k| **k == K::Flash).count();
            let inside = (250..1300).contains(&len);
            prop_assert_eq!(flashes, usize::from(inside));
            prop_assert_eq!(out.contains(&K::OnHook), len >= 1300);
        }
    }
}
