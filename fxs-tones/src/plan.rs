//! Country tone plans: which call-progress tones a country uses, and its
//! power-ringing cadence (tones-and-ringing.md §3-§5).

use crate::tone::{Tone, ToneSound};
use crate::{Dbm0, Error};

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
}

impl ToneKind {
    /// Every kind, in declaration order.
    pub const ALL: [ToneKind; 4] = [
        ToneKind::Dial,
        ToneKind::Ringback,
        ToneKind::Busy,
        ToneKind::Reorder,
    ];
}

/// The call-progress tones and ring cadence of one country.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TonePlan {
    /// ISO 3166 alpha-2 code, "US", "DE".
    pub country: &'static str,
    /// Dial tone.
    pub dial: Tone,
    /// Ring-back tone.
    pub ringback: Tone,
    /// Busy tone.
    pub busy: Tone,
    /// Reorder (congestion) tone.
    pub reorder: Tone,
    /// Power ringing on/off pattern in ms, e.g. `[2000, 4000]`.
    pub ring_cadence_ms: &'static [u32],
}

/// North America, Telcordia "Precise Tone Plan" (GR-506-CORE;
/// tones-and-ringing.md §3 and §4.2): dial 350+440 at -13 dBm0 continuous,
/// ring-back 440+480 at -19 dBm0 2 s / 4 s, busy 480+620 at -24 dBm0
/// 0.5 / 0.5 s, reorder the same at 0.25 / 0.25 s; ringing 2 s / 4 s (§5.1).
static US: TonePlan = TonePlan {
    country: "US",
    dial: Tone::continuous(ToneSound::dual(350.0, 440.0, Dbm0(-13.0))),
    ringback: Tone::cadenced(ToneSound::dual(440.0, 480.0, Dbm0(-19.0)), &[2000, 4000]),
    busy: Tone::cadenced(ToneSound::dual(480.0, 620.0, Dbm0(-24.0)), &[500, 500]),
    reorder: Tone::cadenced(ToneSound::dual(480.0, 620.0, Dbm0(-24.0)), &[250, 250]),
    ring_cadence_ms: &[2000, 4000],
};

/// Level of the German tones: -16 dBm for dial tone (Mediatrix 4100
/// table, tones-and-ringing.md §4.2); the spec gives no separate level
/// for ring-back, busy and congestion, so they use the same.
const DE_LEVEL: Dbm0 = Dbm0(-16.0);

/// Germany (tones-and-ringing.md §4, ITU-T E.180 Supp. 2 via Asterisk and
/// DAHDI): all tones 425 Hz; dial continuous, ring-back 1 s / 4 s, busy
/// 0.48 / 0.48 s, congestion 0.24 / 0.24 s; ringing 1 s / 4 s (§5.1).
static DE: TonePlan = TonePlan {
    country: "DE",
    dial: Tone::continuous(ToneSound::single(425.0, DE_LEVEL)),
    ringback: Tone::cadenced(ToneSound::single(425.0, DE_LEVEL), &[1000, 4000]),
    busy: Tone::cadenced(ToneSound::single(425.0, DE_LEVEL), &[480, 480]),
    reorder: Tone::cadenced(ToneSound::single(425.0, DE_LEVEL), &[240, 240]),
    ring_cadence_ms: &[1000, 4000],
};

/// The plans built in.
static PLANS: [&TonePlan; 2] = [&US, &DE];

impl TonePlan {
    /// The plan for an ISO 3166 alpha-2 code, case-insensitive ("US" and
    /// "DE" today). [`Error::UnknownCountry`] carries the first two bytes
    /// given.
    pub fn for_country(code: &str) -> Result<&'static TonePlan, Error> {
        PLANS
            .iter()
            .copied()
            .find(|p| p.country.eq_ignore_ascii_case(code))
            .ok_or_else(|| {
                let b = code.as_bytes();
                Error::UnknownCountry {
                    code: [b.first().copied().unwrap_or(0), b.get(1).copied().unwrap_or(0)],
                }
            })
    }

    /// All built-in plans.
    pub fn all() -> &'static [&'static TonePlan] {
        &PLANS
    }

    /// The tone of one kind.
    pub fn tone(&self, kind: ToneKind) -> &Tone {
        match kind {
            ToneKind::Dial => &self.dial,
            ToneKind::Ringback => &self.ringback,
            ToneKind::Busy => &self.busy,
            ToneKind::Reorder => &self.reorder,
        }
    }

    /// Checks every tone and the ring cadence (a non-empty, even-length
    /// list of non-zero durations).
    pub fn validate(&self) -> Result<(), Error> {
        for kind in ToneKind::ALL {
            self.tone(kind).validate()?;
        }
        let c = self.ring_cadence_ms;
        if c.is_empty() || c.len() % 2 != 0 || c.contains(&0) {
            return Err(Error::InvalidTone("ring cadence needs non-zero on/off pairs"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_lookup_is_case_insensitive() {
        assert_eq!(TonePlan::for_country("us").unwrap().country, "US");
        assert_eq!(TonePlan::for_country("De").unwrap().country, "DE");
    }

    #[test]
    fn unknown_country_carries_the_bytes_given() {
        assert_eq!(
            TonePlan::for_country("fr"),
            Err(Error::UnknownCountry { code: *b"fr" })
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
        assert_eq!(us.tone(ToneKind::Busy), &us.busy);
    }

    #[test]
    fn de_plan_uses_425_hz_everywhere() {
        let de = TonePlan::for_country("DE").unwrap();
        for kind in ToneKind::ALL {
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
    }

    #[test]
    fn bad_ring_cadence_is_refused() {
        let mut p = *TonePlan::for_country("US").unwrap();
        p.ring_cadence_ms = &[2000];
        assert!(p.validate().is_err());
        p.ring_cadence_ms = &[2000, 0];
        assert!(p.validate().is_err());
    }
}
