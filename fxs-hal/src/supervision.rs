//! Answer and disconnect supervision towards the phone: polarity reversal
//! on answer and on far-end clear, and the open switch interval (OSI)
//! (line-electrical.md §3.4), as a small sans-IO sequencer.
//!
//! The engine tells the [`Supervisor`] what happened to the call
//! ([`answered`](Supervisor::answered), [`far_end_cleared`](Supervisor::far_end_cleared),
//! [`call_ended`](Supervisor::call_ended)) and applies what
//! [`poll`](Supervisor::poll) returns: feed changes, and hook masks for its
//! [`HookConditioner`](crate::HookConditioner) (the phone must not appear
//! to hang up while the gateway itself opens or reverses the loop).
//!
//! ```
//! use std::time::{Duration, Instant};
//! use fxs_hal::supervision::{DisconnectSignal, Supervision, SupervisionConfig, Supervisor};
//! use fxs_hal::{LineFeed, Polarity};
//!
//! let t0 = Instant::now();
//! let config = SupervisionConfig { disconnect: DisconnectSignal::Osi, ..Default::default() };
//! let mut sup = Supervisor::new(config)?;
//! sup.far_end_cleared(t0);
//! assert_eq!(sup.poll(t0), Some(Supervision::MaskHook { until: t0 + Duration::from_millis(800) }));
//! assert_eq!(sup.poll(t0), Some(Supervision::Feed(LineFeed::Open)));
//! assert_eq!(sup.poll(t0 + Duration::from_millis(500)), Some(Supervision::Feed(LineFeed::IDLE)));
//! # Ok::<(), fxs_hal::ConfigError>(())
//! ```

use core::time::Duration;
use std::time::Instant;

use crate::config::ConfigError;
use crate::line::{LineFeed, LineInterface, Polarity};

/// How far-end clear is signalled to the phone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DisconnectSignal {
    /// Nothing on the loop (the engine plays busy/congestion tone).
    None,
    /// An open switch interval: battery removed for
    /// [`SupervisionConfig::osi`] ("CPC", "kewl").
    Osi,
    /// Reversal back to the idle polarity (if the answer reversed it).
    Reversal,
    /// The reversal back, then an OSI.
    ReversalThenOsi,
}

/// Supervision settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SupervisionConfig {
    /// Reverse the polarity when the far end answers (payphones, PBX
    /// trunks; Asterisk `answeronpolarityswitch`).
    pub reverse_on_answer: bool,
    /// How far-end clear is signalled.
    pub disconnect: DisconnectSignal,
    /// Length of the open switch interval (350-800 ms; DAHDI 500 ms).
    pub osi: Duration,
    /// Hook samples ignored after the OSI while the loop current settles
    /// (DAHDI 300 ms).
    pub settle: Duration,
    /// Hook samples ignored after a reversal (VP-API 100 ms, §1).
    pub reversal_mask: Duration,
}

impl SupervisionConfig {
    /// Accepted OSI lengths (line-electrical.md §3.4: ~350-800 ms; a
    /// little margin either side).
    pub const OSI_RANGE: (Duration, Duration) = (Duration::from_millis(250), Duration::from_millis(2000));

    /// Check the OSI length.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let (lo, hi) = SupervisionConfig::OSI_RANGE;
        if self.osi < lo || self.osi > hi {
            return Err(ConfigError::OutOfRange {
                field: "supervision.osi",
                value: self.osi.as_secs_f32() * 1000.0,
                min: lo.as_secs_f32() * 1000.0,
                max: hi.as_secs_f32() * 1000.0,
            });
        }
        Ok(())
    }
}

impl Default for SupervisionConfig {
    /// No reversal on answer, no disconnect signal, 500 ms OSI with 300 ms
    /// settle (DAHDI), 100 ms reversal mask.
    fn default() -> SupervisionConfig {
        SupervisionConfig {
            reverse_on_answer: false,
            disconnect: DisconnectSignal::None,
            osi: Duration::from_millis(500),
            settle: Duration::from_millis(300),
            reversal_mask: Duration::from_millis(100),
        }
    }
}

/// What the supervisor asks of the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Supervision {
    /// Put the line into this feed.
    Feed(LineFeed),
    /// Ignore hook samples until `until` (call
    /// [`HookConditioner::mask_until`](crate::HookConditioner::mask_until)).
    MaskHook {
        /// End of the mask.
        until: Instant,
    },
    /// The disconnect signal is complete; if the phone is still off hook
    /// the engine goes on with tones (reorder, howler).
    DisconnectDone,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    Osi { until: Instant },
}

/// The supervision sequencer (see the module docs).
#[derive(Clone, Debug)]
pub struct Supervisor {
    config: SupervisionConfig,
    polarity: Polarity,
    state: State,
    queue: [Option<Supervision>; 4],
}

impl Supervisor {
    /// A supervisor in forward polarity; the configuration is validated.
    pub fn new(config: SupervisionConfig) -> Result<Supervisor, ConfigError> {
        config.validate()?;
        Ok(Supervisor {
            config,
            polarity: Polarity::Forward,
            state: State::Idle,
            queue: [None; 4],
        })
    }

    /// The polarity the supervisor keeps the line in.
    #[must_use]
    pub fn polarity(&self) -> Polarity {
        self.polarity
    }

    /// The active feed for the current polarity.
    #[must_use]
    pub fn active_feed(&self) -> LineFeed {
        LineFeed::Active(self.polarity)
    }

    /// `true` during the open switch interval.
    #[must_use]
    pub fn in_osi(&self) -> bool {
        matches!(self.state, State::Osi { .. })
    }

    fn push(&mut self, out: Supervision) {
        if let Some(slot) = self.queue.iter_mut().find(|s| s.is_none()) {
            *slot = Some(out);
        }
    }

    fn reverse_to(&mut self, now: Instant, polarity: Polarity) {
        if self.polarity != polarity {
            self.polarity = polarity;
            self.push(Supervision::MaskHook {
                until: now + self.config.reversal_mask,
            });
            self.push(Supervision::Feed(LineFeed::Active(polarity)));
        }
    }

    /// The far end answered at `now`.
    pub fn answered(&mut self, now: Instant) {
        if self.config.reverse_on_answer {
            self.reverse_to(now, Polarity::Reverse);
        }
    }

    /// The far end cleared at `now`: signal it as configured.
    pub fn far_end_cleared(&mut self, now: Instant) {
        let (reversal, osi) = match self.config.disconnect {
            DisconnectSignal::None => (false, false),
            DisconnectSignal::Osi => (false, true),
            DisconnectSignal::Reversal => (true, false),
            DisconnectSignal::ReversalThenOsi => (true, true),
        };
        if reversal {
            self.reverse_to(now, Polarity::Forward);
        }
        if osi {
            self.polarity = Polarity::Forward;
            self.push(Supervision::MaskHook {
                until: now + self.config.osi + self.config.settle,
            });
            self.push(Supervision::Feed(LineFeed::Open));
            self.state = State::Osi {
                until: now + self.config.osi,
            };
        } else {
            self.push(Supervision::DisconnectDone);
        }
    }

    /// The call ended on this side (hang-up): back to forward polarity at
    /// once, an OSI in progress is cut short.
    pub fn call_ended(&mut self, now: Instant) {
        if self.in_osi() {
            self.state = State::Idle;
            self.polarity = Polarity::Forward;
            self.push(Supervision::Feed(LineFeed::IDLE));
        } else {
            self.reverse_to(now, Polarity::Forward);
        }
    }

    /// The next output at `now`, `None` when idle until
    /// [`poll_timeout`](Self::poll_timeout).
    pub fn poll(&mut self, now: Instant) -> Option<Supervision> {
        if let State::Osi { until } = self.state {
            if now >= until && self.queue[0].is_none() {
                self.state = State::Idle;
                self.push(Supervision::Feed(LineFeed::IDLE));
                self.push(Supervision::DisconnectDone);
            }
        }
        let first = self.queue[0].take();
        self.queue.rotate_left(1);
        first
    }

    /// When the OSI ends, if one runs.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Osi { until } => Some(until),
            State::Idle => None,
        }
    }

    /// Poll at `now`, apply feed changes to `line`, and hand back the rest
    /// (hook masks, disconnect done), one per call.
    pub fn drive<L: LineInterface>(
        &mut self,
        now: Instant,
        line: &mut L,
    ) -> Result<Option<Supervision>, L::Error> {
        while let Some(out) = self.poll(now) {
            match out {
                Supervision::Feed(feed) => {
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

    fn ms(t0: Instant, n: u64) -> Instant {
        t0 + Duration::from_millis(n)
    }

    fn drain(s: &mut Supervisor, now: Instant) -> Vec<Supervision> {
        core::iter::from_fn(|| s.poll(now)).collect()
    }

    #[test]
    fn answer_reverses_and_masks_the_hook_for_100_ms() {
        let t0 = Instant::now();
        let mut s = Supervisor::new(SupervisionConfig {
            reverse_on_answer: true,
            disconnect: DisconnectSignal::Reversal,
            ..Default::default()
        })
        .unwrap();
        s.answered(t0);
        assert_eq!(
            drain(&mut s, t0),
            vec![
                Supervision::MaskHook { until: ms(t0, 100) },
                Supervision::Feed(LineFeed::Active(Polarity::Reverse)),
            ]
        );
        s.far_end_cleared(ms(t0, 5000));
        assert_eq!(
            drain(&mut s, ms(t0, 5000)),
            vec![
                Supervision::MaskHook { until: ms(t0, 5100) },
                Supervision::Feed(LineFeed::IDLE),
                Supervision::DisconnectDone,
            ]
        );
    }

    #[test]
    fn osi_opens_the_line_for_its_configured_length() {
        let t0 = Instant::now();
        for osi_ms in [350u64, 800] {
            let mut s = Supervisor::new(SupervisionConfig {
                disconnect: DisconnectSignal::Osi,
                osi: Duration::from_millis(osi_ms),
                ..Default::default()
            })
            .unwrap();
            s.far_end_cleared(t0);
            assert_eq!(
                drain(&mut s, t0),
                vec![
                    Supervision::MaskHook {
                        until: ms(t0, osi_ms + 300)
                    },
                    Supervision::Feed(LineFeed::Open)
                ]
            );
            assert!(s.in_osi());
            assert_eq!(s.poll_timeout(), Some(ms(t0, osi_ms)));
            assert_eq!(drain(&mut s, ms(t0, osi_ms - 10)), vec![]);
            assert_eq!(
                drain(&mut s, ms(t0, osi_ms)),
                vec![Supervision::Feed(LineFeed::IDLE), Supervision::DisconnectDone]
            );
        }
    }

    #[test]
    fn osi_length_outside_the_range_is_refused() {
        let bad = SupervisionConfig {
            osi: Duration::from_millis(100),
            ..Default::default()
        };
        assert!(matches!(
            Supervisor::new(bad),
            Err(ConfigError::OutOfRange {
                field: "supervision.osi",
                ..
            })
        ));
    }

    #[test]
    fn hang_up_during_the_osi_restores_the_idle_feed() {
        let t0 = Instant::now();
        let mut s = Supervisor::new(SupervisionConfig {
            reverse_on_answer: true,
            disconnect: DisconnectSignal::ReversalThenOsi,
            ..Default::default()
        })
        .unwrap();
        s.answered(t0);
        let _ = drain(&mut s, t0);
        s.far_end_cleared(ms(t0, 1000));
        let out = drain(&mut s, ms(t0, 1000));
        assert_eq!(out.last(), Some(&Supervision::Feed(LineFeed::Open)));
        s.call_ended(ms(t0, 1200));
        assert_eq!(
            drain(&mut s, ms(t0, 1200)),
            vec![Supervision::Feed(LineFeed::IDLE)]
        );
        assert_eq!(drain(&mut s, ms(t0, 2000)), vec![]);
    }

    #[test]
    fn drive_applies_feeds_and_returns_masks() {
        let t0 = Instant::now();
        let mut line = crate::sim::SimLine::new();
        let mut s = Supervisor::new(SupervisionConfig {
            disconnect: DisconnectSignal::Osi,
            ..Default::default()
        })
        .unwrap();
        s.far_end_cleared(t0);
        let Ok(Some(Supervision::MaskHook { .. })) = s.drive(t0, &mut line) else {
            panic!("mask first")
        };
        assert_eq!(s.drive(t0, &mut line), Ok(None));
        assert_eq!(line.feed(), LineFeed::Open);
        let Ok(Some(Supervision::DisconnectDone)) = s.drive(ms(t0, 500), &mut line) else {
            panic!("done after the OSI")
        };
        assert_eq!(line.feed(), LineFeed::IDLE);
    }
}
