//! Country tone plans: which call-progress tones a country uses, and its
//! power-ringing cadence and frequency (tones-and-ringing.md §1-§5).
//!
//! The data lives in [`countries`] (one `static` per country, each with the
//! figures it had to choose listed in its doc comment); distinctive ringing
//! and the SIP `Alert-Info` mapping in [`ring`](crate::plan::ring).

mod countries;
pub mod ring;

#[cfg(test)]
use crate::Dbm0;
use crate::Error;
use crate::tone::Tone;

pub use countries::SitCode;
pub(crate) use countries::{NANP_LONG_MS, NANP_SHORT_MS, NANP_SIT_HZ};

/// A call-progress tone a plan defines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ToneKind {
    /// Dial tone: the exchange is ready for digits.
    Dial,
    /// Ring-back (audible ringing): the called party is being rung.
    Ringback,
    /// Busy: the called party is busy.
    Busy,
    /// Reorder (congestion, fast busy): the call cannot be completed.
    Reorder,
    /// Call waiting: a second call is waiting (played into the connected call).
    CallWaiting,
    /// Stutter (message-waiting, special) dial tone.
    Stutter,
    /// Recall dial tone, after a hook flash.
    Recall,
    /// Confirmation: a feature request was accepted.
    Confirmation,
    /// Special information tone (SIT): the call failed for a reason an
    /// announcement explains.
    Sit,
    /// Receiver off-hook (howler): the handset was left off the hook.
    Howler,
}

impl ToneKind {
    /// Every kind, in declaration order.
    pub const ALL: [ToneKind; 10] = [
        ToneKind::Dial,
        ToneKind::Ringback,
        ToneKind::Busy,
        ToneKind::Reorder,
        ToneKind::CallWaiting,
        ToneKind::Stutter,
        ToneKind::Recall,
        ToneKind::Confirmation,
        ToneKind::Sit,
        ToneKind::Howler,
    ];

    /// The snake_case name used on command lines and in configuration:
    /// `dial`, `ringback`, `busy`, `congestion`, `call_waiting`, `stutter`,
    /// `recall`, `confirmation`, `sit`, `howler`.
    pub const fn name(self) -> &'static str {
        match self {
            ToneKind::Dial => "dial",
            ToneKind::Ringback => "ringback",
            ToneKind::Busy => "busy",
            ToneKind::Reorder => "congestion",
            ToneKind::CallWaiting => "call_waiting",
            ToneKind::Stutter => "stutter",
            ToneKind::Recall => "recall",
            ToneKind::Confirmation => "confirmation",
            ToneKind::Sit => "sit",
            ToneKind::Howler => "howler",
        }
    }

    /// The kind of a [`name`](Self::name), ASCII case-insensitive;
    /// `reorder` is accepted for [`ToneKind::Reorder`] too.
    pub fn from_name(name: &str) -> Option<ToneKind> {
        if name.eq_ignore_ascii_case("reorder") {
            return Some(ToneKind::Reorder);
        }
        ToneKind::ALL
            .into_iter()
            .find(|k| k.name().eq_ignore_ascii_case(name))
    }
}

/// The call-progress tones and ringing of one country.
///
/// Every plan defines every [`ToneKind`]; where tones-and-ringing.md gives
/// no figure for a country, the plan uses the ITU-T E.180 plan's tone
/// ([`TonePlan::itu`]) and the country's `static` says so in its docs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TonePlan {
    /// ISO 3166 alpha-2 code ("US", "DE"), or "ITU" for the E.180 plan.
    pub country: &'static str,
    /// English name of the country or plan.
    pub name: &'static str,
    /// Dial tone.
    pub dial: Tone,
    /// Ring-back tone.
    pub ringback: Tone,
    /// Busy tone.
    pub busy: Tone,
    /// Reorder (congestion) tone.
    pub reorder: Tone,
    /// Call-waiting tone.
    pub call_waiting: Tone,
    /// Stutter (message-waiting / special) dial tone.
    pub stutter: Tone,
    /// Recall dial tone (after a hook flash).
    pub recall: Tone,
    /// Confirmation tone.
    pub confirmation: Tone,
    /// Special information tone.
    pub sit: Tone,
    /// Receiver off-hook tone (howler).
    pub howler: Tone,
    /// Power ringing on/off pattern in ms, e.g. `[2000, 4000]`, repeated.
    pub ring_cadence_ms: &'static [u32],
    /// Power ringing frequency in Hz (tones-and-ringing.md §5.1, §6).
    pub ring_frequency_hz: f32,
}

impl TonePlan {
    /// The plan for an ISO 3166 alpha-2 code, ASCII case-insensitive
    /// (`UK` is accepted for `GB`), or `ITU` for the E.180 plan.
    /// [`Error::UnknownCountry`] carries the first two bytes given.
    pub fn for_country(code: &str) -> Result<&'static TonePlan, Error> {
        let wanted = if code.eq_ignore_ascii_case("UK") {
            "GB"
        } else {
            code
        };
        countries::PLANS
            .iter()
            .copied()
            .find(|p| p.country.eq_ignore_ascii_case(wanted))
            .ok_or_else(|| {
                let b = code.as_bytes();
                Error::UnknownCountry {
                    code: [b.first().copied().unwrap_or(0), b.get(1).copied().unwrap_or(0)],
                }
            })
    }

    /// All built-in plans: the E.180 plan first, then the countries in
    /// alphabetical order of their codes.
    pub fn all() -> &'static [&'static TonePlan] {
        &countries::PLANS
    }

    /// The ITU-T E.180 plan (tones-and-ringing.md §1): 425 Hz tones, the
    /// defaults of every country plan.
    pub fn itu() -> &'static TonePlan {
        &countries::ITU
    }

    /// The tone of one kind.
    pub fn tone(&self, kind: ToneKind) -> &Tone {
        match kind {
            ToneKind::Dial => &self.dial,
            ToneKind::Ringback => &self.ringback,
            ToneKind::Busy => &self.busy,
            ToneKind::Reorder => &self.reorder,
            ToneKind::CallWaiting => &self.call_waiting,
            ToneKind::Stutter => &self.stutter,
            ToneKind::Recall => &self.recall,
            ToneKind::Confirmation => &self.confirmation,
            ToneKind::Sit => &self.sit,
            ToneKind::Howler => &self.howler,
        }
    }

    /// Mutable access to the tone of one kind (to adjust a copy of a plan).
    pub fn tone_mut(&mut self, kind: ToneKind) -> &mut Tone {
        match kind {
            ToneKind::Dial => &mut self.dial,
            ToneKind::Ringback => &mut self.ringback,
            ToneKind::Busy => &mut self.busy,
            ToneKind::Reorder => &mut self.reorder,
            ToneKind::CallWaiting => &mut self.call_waiting,
            ToneKind::Stutter => &mut self.stutter,
            ToneKind::Recall => &mut self.recall,
            ToneKind::Confirmation => &mut self.confirmation,
            ToneKind::Sit => &mut self.sit,
            ToneKind::Howler => &mut self.howler,
        }
    }

    /// A copy of the plan with every tone's level changed by `db`.
    pub fn with_gain(&self, db: f32) -> TonePlan {
        let mut p = *self;
        for kind in ToneKind::ALL {
            let tone = p.tone_mut(kind);
            for step in &mut tone.steps {
                step.sound = step.sound.with_gain(db);
            }
        }
        p
    }

    /// Checks every tone, the ring cadence (a non-empty, even-length list
    /// of non-zero durations) and the ring frequency (above 0, at most 100 Hz).
    pub fn validate(&self) -> Result<(), Error> {
        for kind in ToneKind::ALL {
            self.tone(kind).validate()?;
        }
        let c = self.ring_cadence_ms;
        if c.is_empty() || c.len() % 2 != 0 || c.contains(&0) {
            return Err(Error::InvalidTone("ring cadence needs non-zero on/off pairs"));
        }
        if !(self.ring_frequency_hz > 0.0 && self.ring_frequency_hz <= 100.0) {
            return Err(Error::InvalidTone(
                "ring frequency must be above 0 and at most 100 Hz",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tone::ToneSound;

    /// The first component's level of a tone's first sounding step.
    fn first_level(tone: &Tone) -> Option<Dbm0> {
        tone.used_steps()
            .iter()
            .find_map(|s| s.sound.components().first().map(|&(_, l)| l))
    }

    #[test]
    fn country_lookup_is_case_insensitive() {
        assert_eq!(TonePlan::for_country("us").unwrap().country, "US");
        assert_eq!(TonePlan::for_country("De").unwrap().country, "DE");
        assert_eq!(TonePlan::for_country("uk").unwrap().country, "GB");
        assert_eq!(TonePlan::for_country("itu").unwrap().country, "ITU");
    }

    #[test]
    fn unknown_country_carries_the_bytes_given() {
        assert_eq!(
            TonePlan::for_country("xq"),
            Err(Error::UnknownCountry { code: *b"xq" })
        );
        assert_eq!(
            TonePlan::for_country("X"),
            Err(Error::UnknownCountry { code: [b'X', 0] })
        );
        assert_eq!(
            TonePlan::for_country(""),
            Err(Error::UnknownCountry { code: [0, 0] })
        );
        assert_eq!(
            TonePlan::for_country("USA"),
            Err(Error::UnknownCountry { code: *b"US" })
        );
    }

    #[test]
    fn tone_kind_names_round_trip() {
        for kind in ToneKind::ALL {
            assert_eq!(ToneKind::from_name(kind.name()), Some(kind));
            assert_eq!(ToneKind::from_name(&kind.name().to_ascii_uppercase()), Some(kind));
        }
        assert_eq!(ToneKind::from_name("reorder"), Some(ToneKind::Reorder));
        assert_eq!(ToneKind::from_name("ring"), None);
    }

    #[test]
    fn built_in_plans_are_valid() {
        for p in TonePlan::all() {
            p.validate().unwrap();
        }
    }

    #[test]
    fn us_plan_has_the_precise_tone_plan_numbers() {
        let us = TonePlan::for_country("US").unwrap();
        assert!(us.dial.is_continuous());
        assert_eq!(us.dial.steps[0].sound, ToneSound::dual(350.0, 440.0, Dbm0(-13.0)));
        let cadence = |t: &Tone| (t.steps[0].duration_ms, t.steps[1].duration_ms);
        assert_eq!(
            us.ringback.steps[0].sound,
            ToneSound::dual(440.0, 480.0, Dbm0(-19.0))
        );
        assert_eq!(cadence(&us.ringback), (2000, 4000));
        assert_eq!(us.busy.steps[0].sound, ToneSound::dual(480.0, 620.0, Dbm0(-24.0)));
        assert_eq!(cadence(&us.busy), (500, 500));
        assert_eq!(cadence(&us.reorder), (250, 250));
        assert_eq!(us.ring_cadence_ms, &[2000, 4000]);
        assert_eq!(us.ring_frequency_hz, 20.0);
        assert_eq!(us.tone(ToneKind::Busy), &us.busy);
    }

    #[test]
    fn de_plan_uses_425_hz_for_the_basic_tones() {
        let de = TonePlan::for_country("DE").unwrap();
        for kind in [
            ToneKind::Dial,
            ToneKind::Ringback,
            ToneKind::Busy,
            ToneKind::Reorder,
        ] {
            assert_eq!(
                de.tone(kind).steps[0].sound,
                ToneSound::single(425.0, Dbm0(-16.0)),
                "{kind:?}"
            );
        }
        let cadence = |t: &Tone| (t.steps[0].duration_ms, t.steps[1].duration_ms);
        assert_eq!(cadence(&de.ringback), (1000, 4000));
        assert_eq!(cadence(&de.busy), (480, 480));
        assert_eq!(cadence(&de.reorder), (240, 240));
        assert_eq!(de.ring_cadence_ms, &[1000, 4000]);
        assert_eq!(first_level(&de.call_waiting), Some(Dbm0(-17.0)));
        assert_eq!(first_level(&de.howler), Some(Dbm0(-19.0)));
    }

    #[test]
    fn bad_ring_cadence_is_refused() {
        let mut p = *TonePlan::for_country("US").unwrap();
        p.ring_cadence_ms = &[2000];
        assert!(p.validate().is_err());
        p.ring_cadence_ms = &[2000, 0];
        assert!(p.validate().is_err());
        p.ring_cadence_ms = &[2000, 4000];
        p.ring_frequency_hz = 0.0;
        assert!(p.validate().is_err());
    }

    #[test]
    fn with_gain_lowers_every_component() {
        let us = TonePlan::for_country("US").unwrap().with_gain(-15.0);
        assert_eq!(first_level(&us.dial), Some(Dbm0(-28.0)));
        assert_eq!(first_level(&us.busy), Some(Dbm0(-39.0)));
    }
}
