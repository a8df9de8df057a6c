//! GR-909 style metallic line tests: what is measured and how it is judged
//! (Telcordia GR-909-CORE, line-electrical.md §5).
//!
//! A chip with a line tester ([`LineTester`](crate::caps::LineTester))
//! returns a [`Measurement`]; [`Gr909Limits::judge`] turns it into a
//! [`Verdict`] with the thresholds of §5. Keeping the judgement here means
//! every driver fails a line for the same reasons.
//!
//! ```
//! use fxs_hal::linetest::{Gr909Fault, Gr909Limits, Lead, Measurement, Verdict, VoltageReading};
//!
//! let limits = Gr909Limits::default();
//! // 60 Vrms AC on tip: hazardous potential.
//! let m = Measurement::Voltages(VoltageReading { tip_ac_vrms: 60.0, ..Default::default() });
//! assert_eq!(
//!     limits.judge(&m),
//!     Verdict::Fail(Gr909Fault::HazardousPotential { lead: Lead::Tip, ac_vrms: 60.0, dc_v: 0.0 })
//! );
//! ```

/// The tests of line-electrical.md §5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LineTest {
    /// Hazardous potential and foreign EMF: AC and DC voltage of tip and
    /// ring to ground, line open. Yields [`Measurement::Voltages`].
    Voltages,
    /// Resistive faults tip-ring, tip-ground, ring-ground. Yields
    /// [`Measurement::Resistances`].
    ResistiveFaults,
    /// Receiver off hook: the tip-ring DC resistance at two currents.
    /// Yields [`Measurement::ReceiverOffHook`].
    ReceiverOffHook,
    /// Ringer equivalence number of the load. Yields [`Measurement::Ringers`].
    Ringers,
}

/// A lead of the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lead {
    /// Tip (A).
    Tip,
    /// Ring (B).
    Ring,
}

/// A pair of terminals a resistance is measured between.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Terminals {
    /// Tip to ring.
    TipRing,
    /// Tip to ground.
    TipGround,
    /// Ring to ground.
    RingGround,
}

/// Voltages of both leads to ground, measured with the line open.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct VoltageReading {
    /// Tip to ground AC, Vrms.
    pub tip_ac_vrms: f32,
    /// Tip to ground DC, V.
    pub tip_dc_v: f32,
    /// Ring to ground AC, Vrms.
    pub ring_ac_vrms: f32,
    /// Ring to ground DC, V.
    pub ring_dc_v: f32,
}

/// DC resistances between the terminals, Ω (`f32::INFINITY` for none
/// measurable).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ResistanceReading {
    /// Tip to ring.
    pub tip_ring_ohms: f32,
    /// Tip to ground.
    pub tip_ground_ohms: f32,
    /// Ring to ground.
    pub ring_ground_ohms: f32,
}

impl Default for ResistanceReading {
    /// No fault anywhere: infinite resistances.
    fn default() -> ResistanceReading {
        ResistanceReading {
            tip_ring_ohms: f32::INFINITY,
            tip_ground_ohms: f32::INFINITY,
            ring_ground_ohms: f32::INFINITY,
        }
    }
}

/// Tip-ring DC resistance at a low and a high test current. An off-hook
/// phone (a diode bridge and a transistor network) is strongly non-linear;
/// a resistive fault is linear.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RohReading {
    /// Resistance at the low test current, Ω.
    pub low_current_ohms: f32,
    /// Resistance at the high test current, Ω.
    pub high_current_ohms: f32,
}

/// What a line tester measured.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measurement {
    /// From [`LineTest::Voltages`].
    Voltages(VoltageReading),
    /// From [`LineTest::ResistiveFaults`].
    Resistances(ResistanceReading),
    /// From [`LineTest::ReceiverOffHook`].
    ReceiverOffHook(RohReading),
    /// From [`LineTest::Ringers`]: the ringer equivalence number.
    Ringers(f32),
}

impl Measurement {
    /// The test this measurement answers.
    #[must_use]
    pub fn test(&self) -> LineTest {
        match self {
            Measurement::Voltages(_) => LineTest::Voltages,
            Measurement::Resistances(_) => LineTest::ResistiveFaults,
            Measurement::ReceiverOffHook(_) => LineTest::ReceiverOffHook,
            Measurement::Ringers(_) => LineTest::Ringers,
        }
    }
}

/// Why a line failed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Gr909Fault {
    /// More than 50 Vrms AC or 135 V DC on a lead.
    HazardousPotential {
        /// The lead.
        lead: Lead,
        /// AC measured, Vrms.
        ac_vrms: f32,
        /// DC measured, V.
        dc_v: f32,
    },
    /// More than 10 Vrms AC or 6 V DC on a lead (not the SLIC's own).
    ForeignEmf {
        /// The lead.
        lead: Lead,
        /// AC measured, Vrms.
        ac_vrms: f32,
        /// DC measured, V.
        dc_v: f32,
    },
    /// Less than 150 kΩ between two terminals.
    ResistiveFault {
        /// Where.
        between: Terminals,
        /// Resistance measured, Ω.
        ohms: f32,
    },
    /// A phone is off hook (non-linear low resistance tip-ring).
    ReceiverOffHook,
    /// Fewer ringers than 0.175 REN: nothing connected, or a broken pair.
    TooFewRingers(f32),
    /// More ringers than the limit (5 REN; some ATAs 3).
    TooManyRingers(f32),
}

/// The judgement of one measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    /// Inside every limit.
    Pass,
    /// The first limit crossed (hazardous before foreign, the lowest
    /// resistance first).
    Fail(Gr909Fault),
}

/// The thresholds of line-electrical.md §5 (GR-909 via Silicon Labs AN273).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gr909Limits {
    /// Hazardous AC, Vrms (50).
    pub hazardous_ac_vrms: f32,
    /// Hazardous DC, V (135).
    pub hazardous_dc_v: f32,
    /// Foreign AC, Vrms (10).
    pub foreign_ac_vrms: f32,
    /// Foreign DC, V (6).
    pub foreign_dc_v: f32,
    /// Resistive fault below this, Ω (150 kΩ).
    pub resistive_fault_ohms: f32,
    /// Receiver-off-hook: a relative difference between the two-current
    /// resistances above this means a non-linear load, i.e. a phone (ours:
    /// 15 %).
    pub roh_nonlinearity: f32,
    /// Fewest ringers, REN (0.175).
    pub ren_min: f32,
    /// Most ringers, REN (5; InnoMedia flags above 3).
    pub ren_max: f32,
}

impl Default for Gr909Limits {
    /// The §5 values.
    fn default() -> Gr909Limits {
        Gr909Limits {
            hazardous_ac_vrms: 50.0,
            hazardous_dc_v: 135.0,
            foreign_ac_vrms: 10.0,
            foreign_dc_v: 6.0,
            resistive_fault_ohms: 150_000.0,
            roh_nonlinearity: 0.15,
            ren_min: 0.175,
            ren_max: 5.0,
        }
    }
}

impl Gr909Limits {
    /// Judge `m`. A NaN anywhere fails as the worst case of its test.
    #[must_use]
    pub fn judge(&self, m: &Measurement) -> Verdict {
        match *m {
            Measurement::Voltages(v) => self.judge_voltages(&v),
            Measurement::Resistances(r) => self.judge_resistances(&r),
            Measurement::ReceiverOffHook(r) => self.judge_roh(&r),
            Measurement::Ringers(ren) => self.judge_ren(ren),
        }
    }

    fn judge_voltages(&self, v: &VoltageReading) -> Verdict {
        let leads = [
            (Lead::Tip, v.tip_ac_vrms, v.tip_dc_v),
            (Lead::Ring, v.ring_ac_vrms, v.ring_dc_v),
        ];
        // NaN fails.
        let over = |x: f32, limit: f32| x.is_nan() || x.abs() > limit;
        for (lead, ac_vrms, dc_v) in leads {
            if over(ac_vrms, self.hazardous_ac_vrms) || over(dc_v, self.hazardous_dc_v) {
                return Verdict::Fail(Gr909Fault::HazardousPotential { lead, ac_vrms, dc_v });
            }
        }
        for (lead, ac_vrms, dc_v) in leads {
            if over(ac_vrms, self.foreign_ac_vrms) || over(dc_v, self.foreign_dc_v) {
                return Verdict::Fail(Gr909Fault::ForeignEmf { lead, ac_vrms, dc_v });
            }
        }
        Verdict::Pass
    }

    fn judge_resistances(&self, r: &ResistanceReading) -> Verdict {
        let mut worst: Option<(Terminals, f32)> = None;
        for (between, ohms) in [
            (Terminals::TipRing, r.tip_ring_ohms),
            (Terminals::TipGround, r.tip_ground_ohms),
            (Terminals::RingGround, r.ring_ground_ohms),
        ] {
            let ohms = if ohms.is_nan() { 0.0 } else { ohms };
            if ohms < self.resistive_fault_ohms && worst.is_none_or(|(_, w)| ohms < w) {
                worst = Some((between, ohms));
            }
        }
        match worst {
            Some((between, ohms)) => Verdict::Fail(Gr909Fault::ResistiveFault { between, ohms }),
            None => Verdict::Pass,
        }
    }

    fn judge_roh(&self, r: &RohReading) -> Verdict {
        let (lo, hi) = (r.low_current_ohms, r.high_current_ohms);
        if lo.is_nan() || hi.is_nan() {
            return Verdict::Fail(Gr909Fault::ReceiverOffHook);
        }
        if lo >= self.resistive_fault_ohms && hi >= self.resistive_fault_ohms {
            return Verdict::Pass;
        }
        let spread = (lo - hi).abs() / lo.max(hi).max(f32::MIN_POSITIVE);
        if spread > self.roh_nonlinearity {
            Verdict::Fail(Gr909Fault::ReceiverOffHook)
        } else {
            Verdict::Fail(Gr909Fault::ResistiveFault {
                between: Terminals::TipRing,
                ohms: lo.min(hi),
            })
        }
    }

    fn judge_ren(&self, ren: f32) -> Verdict {
        if ren.is_nan() || ren < self.ren_min {
            Verdict::Fail(Gr909Fault::TooFewRingers(ren))
        } else if ren > self.ren_max {
            Verdict::Fail(Gr909Fault::TooManyRingers(ren))
        } else {
            Verdict::Pass
        }
    }
}

/// One test of a [`Gr909Report`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TestResult {
    /// What was measured.
    pub measurement: Measurement,
    /// Its judgement.
    pub verdict: Verdict,
}

/// The results of a [`Gr909Suite`], in test order. A test that was not run
/// (after a hazardous potential, nothing else is tried) is `None`.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Gr909Report {
    /// Voltages, resistive faults, receiver off hook, ringers.
    pub results: [Option<TestResult>; 4],
}

impl Gr909Report {
    /// `true` when every test ran and passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.results
            .iter()
            .all(|r| r.is_some_and(|r| r.verdict == Verdict::Pass))
    }

    /// The faults found, in test order.
    pub fn faults(&self) -> impl Iterator<Item = Gr909Fault> + '_ {
        self.results.iter().flatten().filter_map(|r| match r.verdict {
            Verdict::Fail(f) => Some(f),
            Verdict::Pass => None,
        })
    }
}

/// Runs the four GR-909 tests one after the other on a
/// [`LineTester`](crate::caps::LineTester), sans-IO: call
/// [`poll`](Self::poll) once per tick until it returns the report.
///
/// Order: voltages first; a hazardous potential stops the suite there (the
/// other tests would put the tester's own voltages on a dangerous line).
#[derive(Clone, Debug)]
pub struct Gr909Suite {
    limits: Gr909Limits,
    next: usize,
    running: bool,
    report: Gr909Report,
    finished: bool,
}

const SUITE: [LineTest; 4] = [
    LineTest::Voltages,
    LineTest::ResistiveFaults,
    LineTest::ReceiverOffHook,
    LineTest::Ringers,
];

impl Gr909Suite {
    /// A suite judging with `limits`.
    #[must_use]
    pub fn new(limits: Gr909Limits) -> Gr909Suite {
        Gr909Suite {
            limits,
            next: 0,
            running: false,
            report: Gr909Report::default(),
            finished: false,
        }
    }

    /// Advance: start the next test or collect the running one. Returns the
    /// report once, when the suite is over.
    pub fn poll<L: crate::caps::LineTester>(
        &mut self,
        line: &mut L,
    ) -> Result<Option<Gr909Report>, L::Error> {
        if self.finished {
            return Ok(None);
        }
        let Some(&test) = SUITE.get(self.next) else {
            self.finished = true;
            return Ok(Some(self.report));
        };
        if !self.running {
            line.start_test(test)?;
            self.running = true;
            return Ok(None);
        }
        let Some(measurement) = line.poll_test()? else {
            return Ok(None);
        };
        self.running = false;
        let verdict = self.limits.judge(&measurement);
        if let Some(slot) = self.report.results.get_mut(self.next) {
            *slot = Some(TestResult { measurement, verdict });
        }
        self.next += 1;
        if matches!(verdict, Verdict::Fail(Gr909Fault::HazardousPotential { .. })) || self.next == SUITE.len()
        {
            self.finished = true;
            return Ok(Some(self.report));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judge(m: Measurement) -> Verdict {
        Gr909Limits::default().judge(&m)
    }

    fn volts(tip_ac: f32, tip_dc: f32, ring_ac: f32, ring_dc: f32) -> Measurement {
        Measurement::Voltages(VoltageReading {
            tip_ac_vrms: tip_ac,
            tip_dc_v: tip_dc,
            ring_ac_vrms: ring_ac,
            ring_dc_v: ring_dc,
        })
    }

    #[test]
    fn voltages_at_the_limits_pass_and_just_above_fail() {
        assert_eq!(judge(volts(10.0, 6.0, 10.0, -6.0)), Verdict::Pass);
        assert!(matches!(
            judge(volts(0.0, 0.0, 10.1, 0.0)),
            Verdict::Fail(Gr909Fault::ForeignEmf { lead: Lead::Ring, .. })
        ));
        assert!(matches!(
            judge(volts(0.0, -6.5, 0.0, 0.0)),
            Verdict::Fail(Gr909Fault::ForeignEmf { lead: Lead::Tip, .. })
        ));
        assert!(matches!(
            judge(volts(50.0, 0.0, 0.0, 0.0)),
            Verdict::Fail(Gr909Fault::ForeignEmf { .. })
        ));
        assert!(matches!(
            judge(volts(50.5, 0.0, 0.0, 0.0)),
            Verdict::Fail(Gr909Fault::HazardousPotential { lead: Lead::Tip, .. })
        ));
        assert!(matches!(
            judge(volts(0.0, 0.0, 0.0, -135.5)),
            Verdict::Fail(Gr909Fault::HazardousPotential { lead: Lead::Ring, .. })
        ));
        assert!(matches!(
            judge(volts(f32::NAN, 0.0, 0.0, 0.0)),
            Verdict::Fail(Gr909Fault::HazardousPotential { .. })
        ));
    }

    #[test]
    fn hazardous_is_reported_before_foreign_on_the_other_lead() {
        assert!(matches!(
            judge(volts(20.0, 0.0, 0.0, 140.0)),
            Verdict::Fail(Gr909Fault::HazardousPotential { lead: Lead::Ring, .. })
        ));
    }

    #[test]
    fn lowest_resistance_under_150k_is_the_fault() {
        assert_eq!(
            judge(Measurement::Resistances(ResistanceReading::default())),
            Verdict::Pass
        );
        let r = ResistanceReading {
            tip_ring_ohms: 150_000.0,
            tip_ground_ohms: 90_000.0,
            ring_ground_ohms: 20_000.0,
        };
        assert_eq!(
            judge(Measurement::Resistances(r)),
            Verdict::Fail(Gr909Fault::ResistiveFault {
                between: Terminals::RingGround,
                ohms: 20_000.0
            })
        );
    }

    #[test]
    fn non_linear_low_resistance_is_an_off_hook_phone_and_linear_is_a_fault() {
        let phone = RohReading {
            low_current_ohms: 900.0,
            high_current_ohms: 400.0,
        };
        assert_eq!(
            judge(Measurement::ReceiverOffHook(phone)),
            Verdict::Fail(Gr909Fault::ReceiverOffHook)
        );
        let fault = RohReading {
            low_current_ohms: 10_000.0,
            high_current_ohms: 10_100.0,
        };
        assert!(matches!(
            judge(Measurement::ReceiverOffHook(fault)),
            Verdict::Fail(Gr909Fault::ResistiveFault {
                between: Terminals::TipRing,
                ..
            })
        ));
        let open = RohReading {
            low_current_ohms: 1e9,
            high_current_ohms: 1e9,
        };
        assert_eq!(judge(Measurement::ReceiverOffHook(open)), Verdict::Pass);
    }

    #[test]
    fn ren_window_is_0_175_to_5() {
        assert_eq!(judge(Measurement::Ringers(0.175)), Verdict::Pass);
        assert_eq!(judge(Measurement::Ringers(5.0)), Verdict::Pass);
        assert_eq!(
            judge(Measurement::Ringers(0.1)),
            Verdict::Fail(Gr909Fault::TooFewRingers(0.1))
        );
        assert_eq!(
            judge(Measurement::Ringers(5.5)),
            Verdict::Fail(Gr909Fault::TooManyRingers(5.5))
        );
        assert_eq!(Measurement::Ringers(1.0).test(), LineTest::Ringers);
    }

    fn run_suite(faults: crate::sim::LineFaults, off_hook: bool) -> Gr909Report {
        use crate::sim::SimSlic;
        use std::time::{Duration, Instant};
        let t0 = Instant::now();
        let mut slic = SimSlic::new(1, t0);
        slic.sim_line_mut(0).set_faults(faults);
        if off_hook {
            slic.phone_mut(0).lift();
        }
        let mut suite = Gr909Suite::new(Gr909Limits::default());
        for tick in 1..=200u32 {
            slic.tick(t0 + Duration::from_millis(10) * tick);
            if let Ok(Some(report)) = suite.poll(slic.sim_line_mut(0)) {
                assert_eq!(suite.poll(slic.sim_line_mut(0)), Ok(None), "reported once");
                return report;
            }
        }
        panic!("the suite did not finish in 2 s");
    }

    #[test]
    fn suite_on_a_clean_line_passes_every_test() {
        let report = run_suite(crate::sim::LineFaults::default(), false);
        assert!(report.passed(), "{report:?}");
        assert_eq!(report.faults().count(), 0);
    }

    #[test]
    fn suite_reports_each_fault_and_an_off_hook_phone() {
        let faults = crate::sim::LineFaults {
            tip_dc_v: 20.0,
            extra_ren: 6.0,
            ..Default::default()
        };
        let report = run_suite(faults, true);
        let found: Vec<_> = report.faults().collect();
        assert!(
            matches!(found[0], Gr909Fault::ForeignEmf { lead: Lead::Tip, .. }),
            "{found:?}"
        );
        assert!(found.contains(&Gr909Fault::ReceiverOffHook));
        assert!(found.contains(&Gr909Fault::TooManyRingers(7.0)));
        assert!(!report.passed());
    }

    #[test]
    fn hazardous_potential_stops_the_suite() {
        let faults = crate::sim::LineFaults {
            ring_ac_vrms: 80.0,
            ..Default::default()
        };
        let report = run_suite(faults, false);
        assert!(report.results[0].is_some());
        assert!(report.results[1..].iter().all(Option::is_none));
        assert!(!report.passed());
    }
}
