//! Hook-signal conditioning: turning raw loop-closure samples into hook
//! events.
//!
//! [`HookDebouncer`] accepts a change of the hook switch only once it has
//! been stable for the debounce time (line-electrical.md §2: about 10-20 ms
//! of stable state; DAHDI ignores breaks under 15 ms, §3.1). Hook flash,
//! pulse (rotary) dialling and ring trip, which classify the lengths of
//! breaks and makes, are [`HookConditioner`](crate::HookConditioner)'s job.

use std::time::Instant;

use core::time::Duration;

use crate::line::HookState;

/// A debounced change of the hook switch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HookEvent {
    /// The handset was lifted (loop closed and stable).
    OffHook,
    /// The handset was put down (loop open and stable).
    OnHook,
}

impl HookEvent {
    /// The hook state this event moves to.
    #[must_use]
    pub fn state(self) -> HookState {
        match self {
            HookEvent::OffHook => HookState::OffHook,
            HookEvent::OnHook => HookState::OnHook,
        }
    }

    fn entering(state: HookState) -> HookEvent {
        match state {
            HookState::OffHook => HookEvent::OffHook,
            HookState::OnHook => HookEvent::OnHook,
        }
    }
}

/// Debounces raw hook samples.
///
/// The engine feeds one raw sample per 10 ms tick (a driver with faster
/// hook sampling may feed more). A change is accepted once the new state has
/// been seen continuously for the debounce time, measured from the first
/// sample that showed it: with the default 20 ms and 10 ms ticks, a lift
/// first seen at `t` is reported by the sample at `t + 20 ms`, and any
/// bounce that returns within that window is ignored.
///
/// Time is passed in. A `now` earlier than a previous one is clamped (it
/// counts as no time having passed); it never causes an early decision.
///
/// ```
/// use std::time::{Duration, Instant};
/// use fxs_hal::{HookDebouncer, HookEvent, HookState};
///
/// let t0 = Instant::now();
/// let ms = |n| t0 + Duration::from_millis(n);
/// let mut hook = HookDebouncer::default();
/// assert_eq!(hook.update(ms(0), HookState::OffHook), None);
/// assert_eq!(hook.update(ms(10), HookState::OffHook), None);
/// assert_eq!(hook.update(ms(20), HookState::OffHook), Some(HookEvent::OffHook));
/// assert_eq!(hook.state(), HookState::OffHook);
/// ```
#[derive(Clone, Debug)]
pub struct HookDebouncer {
    debounce: Duration,
    state: HookState,
    /// First sample time of the raw state that differs from `state`.
    candidate_since: Option<Instant>,
    /// Samples before this instant are ignored.
    masked_until: Option<Instant>,
}

impl HookDebouncer {
    /// The default debounce time, 20 ms (line-electrical.md §2: ~10-20 ms
    /// of stable state before classification).
    pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(20);

    /// How long hook detection is masked after the gateway reverses the
    /// line's polarity: 100 ms, VP-API-II `VP_POLREV_DEBOUNCE_TIME`
    /// (line-electrical.md §1). Use with [`HookDebouncer::mask_until`].
    pub const POLARITY_REVERSAL_MASK: Duration = Duration::from_millis(100);

    /// A debouncer that starts on hook and accepts a change after
    /// `debounce` of stable state.
    #[must_use]
    pub fn new(debounce: Duration) -> HookDebouncer {
        HookDebouncer::with_state(debounce, HookState::OnHook)
    }

    /// A debouncer that starts in `state` (for a port that comes up with
    /// the handset already lifted).
    #[must_use]
    pub fn with_state(debounce: Duration, state: HookState) -> HookDebouncer {
        HookDebouncer {
            debounce,
            state,
            candidate_since: None,
            masked_until: None,
        }
    }

    /// Feed one raw sample taken at `now`. Returns the change once the new
    /// state has been stable for the debounce time.
    pub fn update(&mut self, now: Instant, raw: HookState) -> Option<HookEvent> {
        if let Some(until) = self.masked_until {
            if now < until {
                // A masked sample is no evidence either way.
                self.candidate_since = None;
                return None;
            }
            self.masked_until = None;
        }
        if raw == self.state {
            self.candidate_since = None;
            return None;
        }
        let since = *self.candidate_since.get_or_insert(now);
        if now.saturating_duration_since(since) >= self.debounce {
            self.state = raw;
            self.candidate_since = None;
            Some(HookEvent::entering(raw))
        } else {
            None
        }
    }

    /// The debounced hook state.
    #[must_use]
    pub fn state(&self) -> HookState {
        self.state
    }

    /// The debounce time this debouncer was built with.
    #[must_use]
    pub fn debounce(&self) -> Duration {
        self.debounce
    }

    /// Ignore every sample taken before `until`, and restart the stability
    /// timer. Call it when the gateway itself disturbs the loop, e.g. with
    /// `now + HookDebouncer::POLARITY_REVERSAL_MASK` after a polarity
    /// reversal.
    pub fn mask_until(&mut self, until: Instant) {
        self.masked_until = Some(until);
        self.candidate_since = None;
    }

    /// Force the debounced state (e.g. after the port was re-initialised),
    /// forgetting any change in progress and any mask.
    pub fn reset(&mut self, state: HookState) {
        self.state = state;
        self.candidate_since = None;
        self.masked_until = None;
    }
}

impl Default for HookDebouncer {
    /// On hook, [`HookDebouncer::DEFAULT_DEBOUNCE`].
    fn default() -> HookDebouncer {
        HookDebouncer::new(HookDebouncer::DEFAULT_DEBOUNCE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use HookState::{OffHook, OnHook};
    use proptest::prelude::*;

    /// Feed `raw` at one sample per `step_ms` and return (time in ms, event).
    fn run(hook: &mut HookDebouncer, step_ms: u64, raw: &[HookState]) -> Vec<(u64, HookEvent)> {
        let t0 = Instant::now();
        raw.iter()
            .enumerate()
            .filter_map(|(i, &r)| {
                let t = i as u64 * step_ms;
                hook.update(t0 + Duration::from_millis(t), r).map(|e| (t, e))
            })
            .collect()
    }

    #[test]
    fn default_debounce_is_20_ms_and_starts_on_hook() {
        let hook = HookDebouncer::default();
        assert_eq!(hook.debounce(), Duration::from_millis(20));
        assert_eq!(hook.state(), OnHook);
    }

    #[test]
    fn lift_is_reported_exactly_one_debounce_after_it_is_first_seen() {
        let mut hook = HookDebouncer::default();
        // First off-hook sample at 30 ms: decision at 50 ms, not before.
        let raw = [OnHook, OnHook, OnHook, OffHook, OffHook, OffHook, OffHook];
        assert_eq!(run(&mut hook, 10, &raw), vec![(50, HookEvent::OffHook)]);
        assert_eq!(hook.state(), OffHook);
    }

    #[test]
    fn hang_up_is_reported_exactly_one_debounce_after_it_is_first_seen() {
        let mut hook = HookDebouncer::with_state(Duration::from_millis(30), OffHook);
        let raw = [OffHook, OnHook, OnHook, OnHook, OnHook, OnHook];
        assert_eq!(run(&mut hook, 10, &raw), vec![(40, HookEvent::OnHook)]);
        assert_eq!(hook.state(), OnHook);
    }

    #[test]
    fn bounce_shorter_than_debounce_is_ignored() {
        let mut hook = HookDebouncer::default();
        // Off-hook for 10 ms and 0 ms (one sample), never 20 ms.
        let raw = [OnHook, OffHook, OffHook, OnHook, OffHook, OnHook, OnHook];
        assert_eq!(run(&mut hook, 10, &raw), vec![]);
        assert_eq!(hook.state(), OnHook);
    }

    #[test]
    fn break_shorter_than_debounce_does_not_hang_up_a_call() {
        let mut hook = HookDebouncer::with_state(HookDebouncer::DEFAULT_DEBOUNCE, OffHook);
        // 14 ms break sampled at 2 ms (VP-API samples hook at <= 2 ms).
        let mut raw = vec![OffHook; 5];
        raw.extend([OnHook; 7]);
        raw.extend([OffHook; 20]);
        assert_eq!(run(&mut hook, 2, &raw), vec![]);
        assert_eq!(hook.state(), OffHook);
    }

    #[test]
    fn bounce_restarts_the_stability_timer() {
        let mut hook = HookDebouncer::default();
        // Off at 0-10, bounce on at 20, off again from 30: decision at 50.
        let raw = [OffHook, OffHook, OnHook, OffHook, OffHook, OffHook, OffHook];
        assert_eq!(run(&mut hook, 10, &raw), vec![(50, HookEvent::OffHook)]);
    }

    #[test]
    fn fine_sampling_decides_at_the_first_sample_past_the_debounce() {
        let mut hook = HookDebouncer::new(Duration::from_millis(15));
        // 1 ms samples, lift first seen at 4 ms: decision at 19 ms.
        let mut raw = vec![OnHook; 4];
        raw.extend([OffHook; 30]);
        assert_eq!(run(&mut hook, 1, &raw), vec![(19, HookEvent::OffHook)]);
    }

    #[test]
    fn zero_debounce_reports_on_the_first_sample() {
        let mut hook = HookDebouncer::new(Duration::ZERO);
        let raw = [OnHook, OffHook, OnHook];
        assert_eq!(
            run(&mut hook, 10, &raw),
            vec![(10, HookEvent::OffHook), (20, HookEvent::OnHook)]
        );
    }

    #[test]
    fn masked_samples_are_ignored_and_restart_the_timer() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut hook = HookDebouncer::with_state(HookDebouncer::DEFAULT_DEBOUNCE, OffHook);
        assert_eq!(hook.update(ms(0), OnHook), None);
        hook.mask_until(ms(10) + HookDebouncer::POLARITY_REVERSAL_MASK);
        // The reversal makes the loop look open for the whole mask.
        for t in (10..110).step_by(10) {
            assert_eq!(hook.update(ms(t), OnHook), None, "at {t} ms");
        }
        // Unmasked from 110 ms: the timer starts again there.
        assert_eq!(hook.update(ms(110), OnHook), None);
        assert_eq!(hook.update(ms(120), OnHook), None);
        assert_eq!(hook.update(ms(130), OnHook), Some(HookEvent::OnHook));
    }

    #[test]
    fn time_going_backwards_never_decides_early() {
        let t0 = Instant::now();
        let ms = |n| t0 + Duration::from_millis(n);
        let mut hook = HookDebouncer::default();
        assert_eq!(hook.update(ms(100), OffHook), None);
        assert_eq!(hook.update(ms(50), OffHook), None);
        assert_eq!(hook.update(ms(110), OffHook), None);
        assert_eq!(hook.update(ms(120), OffHook), Some(HookEvent::OffHook));
    }

    #[test]
    fn reset_forces_the_state_and_forgets_a_pending_change() {
        let t0 = Instant::now();
        let mut hook = HookDebouncer::default();
        assert_eq!(hook.update(t0, OffHook), None);
        hook.reset(OffHook);
        assert_eq!(hook.state(), OffHook);
        assert_eq!(
            hook.update(t0 + Duration::from_millis(30), OffHook),
            None,
            "already off hook: nothing to report"
        );
    }

    proptest! {
        /// Against the definition: events alternate; an event at sample k
        /// follows a run of the new state covering the whole debounce; and
        /// every run that long has been accepted by its last sample.
        #[test]
        fn debouncer_accepts_exactly_the_runs_that_cover_the_debounce(
            raw in proptest::collection::vec(any::<bool>(), 0..200),
            debounce_ticks in 0u64..6,
        ) {
            let raw: Vec<HookState> =
                raw.into_iter().map(|b| if b { OffHook } else { OnHook }).collect();
            let mut hook = HookDebouncer::new(Duration::from_millis(10 * debounce_ticks));
            let t0 = Instant::now();
            let mut state = OnHook;
            let mut run_start = 0usize;
            for (k, &r) in raw.iter().enumerate() {
                if k > 0 && raw[k - 1] != r {
                    run_start = k;
                }
                let event = hook.update(t0 + Duration::from_millis(10 * k as u64), r);
                let run_len = (k - run_start) as u64;
                let long_enough = run_len >= debounce_ticks;
                match event {
                    Some(e) => {
                        prop_assert_ne!(e.state(), state, "event must change the state");
                        prop_assert_eq!(e.state(), r);
                        prop_assert_eq!(run_len, debounce_ticks, "decided at the exact sample");
                        state = e.state();
                    }
                    None => prop_assert!(r == state || !long_enough),
                }
                prop_assert_eq!(hook.state(), state);
            }
        }
    }
}
