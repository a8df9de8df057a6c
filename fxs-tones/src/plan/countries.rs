//! The built-in plans, as data (tones-and-ringing.md §1, §3, §4, §4.1,
//! §4.2, §5.1).
//!
//! Conventions and choices that hold for every plan unless its doc comment
//! says otherwise:
//!
//! - Levels are per frequency component, in dBm0. Where §4.2 gives no level
//!   for a country, its tones use the E.180 "about -10 dBm0 (verify)"
//!   figure; SITs use E.180's -24 dBm0.
//! - The howler (receiver off-hook) is 1400+2060+2450+2600 Hz 0.1/0.1 s
//!   (§4, "unless the country defines its own"; none of our countries
//!   does). §4.1 asks for a loud default: -9 dBm0 per component (about
//!   -3 dBm0 in total), the loudest four equal sines that can never clip
//!   16-bit PCM (4 x 8099 < 32767). The +3 dBm0 of one vendor cannot be
//!   reached without clipping. Lower it with [`TonePlan::with_gain`].
//! - Amplitude-modulated tones (`f1*f2`) use Asterisk's 90 % depth (§2).
//! - Tones the spec marks "N times then stop" that need more than
//!   [`MAX_CADENCE_STEPS`](crate::MAX_CADENCE_STEPS) steps repeat forever
//!   (DE call waiting, SE SIT); the engine stops a call-waiting tone itself.
//! - Fields a country does not define are the [`ITU`] plan's tones, at the
//!   country's level where §4.2 gives one for "other tones".

use super::TonePlan;
use crate::Dbm0;
use crate::tone::{CadenceStep, MAX_CADENCE_STEPS, MAX_TONE_FREQS, Tone, ToneSound};

/// E.180 "about -10 dBm0 (verify)" (§4.2), for countries without a level.
const L: f32 = -10.0;
/// E.180 SIT level (§1).
const SIT_LEVEL: f32 = -24.0;
/// Loud howler level per component (see the module docs).
const HOWLER_LEVEL: f32 = -9.0;

const fn s1(f: f32, level: f32) -> ToneSound {
    ToneSound::single(f, Dbm0(level))
}

const fn s2(f1: f32, f2: f32, level: f32) -> ToneSound {
    ToneSound::dual(f1, f2, Dbm0(level))
}

/// `carrier * modulator` at 90 % depth (Asterisk, §2).
const fn am(carrier: f32, modulator: f32, level: f32) -> ToneSound {
    ToneSound::Modulated {
        carrier,
        modulator,
        level: Dbm0(level),
        depth: 0.9,
    }
}

const SILENT: ToneSound = ToneSound::Silence;

/// A tone from (sound, ms) steps; `repeat_from` as in [`Tone`].
const fn seq(steps: &[(ToneSound, u32)], repeat_from: Option<u8>) -> Tone {
    assert!(!steps.is_empty() && steps.len() <= MAX_CADENCE_STEPS);
    let mut t = Tone::continuous(SILENT);
    let mut i = 0;
    while i < steps.len() {
        t.steps[i] = CadenceStep {
            sound: steps[i].0,
            duration_ms: steps[i].1,
        };
        i += 1;
    }
    t.count = steps.len() as u8;
    t.repeat_from = repeat_from;
    t
}

const fn steady(s: ToneSound) -> Tone {
    Tone::continuous(s)
}

const fn cad(s: ToneSound, on_off_ms: &[u32]) -> Tone {
    Tone::cadenced(s, on_off_ms)
}

/// `n x on/off`, then `s` held forever (`steady`) or silence.
const fn bursts_then(s: ToneSound, n: usize, on: u32, off: u32, then_steady: bool) -> Tone {
    assert!(2 * n < MAX_CADENCE_STEPS);
    let mut t = Tone::continuous(SILENT);
    let mut i = 0;
    while i < n {
        t.steps[2 * i] = CadenceStep {
            sound: s,
            duration_ms: on,
        };
        t.steps[2 * i + 1] = CadenceStep {
            sound: SILENT,
            duration_ms: off,
        };
        i += 1;
    }
    if then_steady {
        t.steps[2 * n] = CadenceStep {
            sound: s,
            duration_ms: 0,
        };
        t.count = (2 * n + 1) as u8;
    } else {
        t.count = (2 * n) as u8;
    }
    t.repeat_from = None;
    t
}

/// The E.180 SIT shape: three single frequencies of `seg_ms` each, with
/// `gap_ms` between them (0 = none), then `pause_ms` of silence, repeated.
const fn sit3(f: [f32; 3], seg_ms: [u32; 3], gap_ms: u32, pause_ms: u32, level: f32) -> Tone {
    if gap_ms == 0 {
        seq(
            &[
                (s1(f[0], level), seg_ms[0]),
                (s1(f[1], level), seg_ms[1]),
                (s1(f[2], level), seg_ms[2]),
                (SILENT, pause_ms),
            ],
            Some(0),
        )
    } else {
        seq(
            &[
                (s1(f[0], level), seg_ms[0]),
                (SILENT, gap_ms),
                (s1(f[1], level), seg_ms[1]),
                (SILENT, gap_ms),
                (s1(f[2], level), seg_ms[2]),
                (SILENT, pause_ms),
            ],
            Some(0),
        )
    }
}

/// The E.180 SIT: 950, 1400, 1800 Hz x 330 ms, then 1 s of silence (§1).
const fn e180_sit(level: f32) -> Tone {
    sit3([950.0, 1400.0, 1800.0], [330, 330, 330], 0, 1000, level)
}

/// Receiver off-hook tone: 1400+2060+2450+2600 Hz 0.1/0.1 s (§3, §4).
const fn howler(level: f32) -> Tone {
    let mut freqs = [(0.0, Dbm0(0.0)); MAX_TONE_FREQS];
    let f = [1400.0, 2060.0, 2450.0, 2600.0];
    let mut i = 0;
    while i < MAX_TONE_FREQS {
        freqs[i] = (f[i], Dbm0(level));
        i += 1;
    }
    cad(ToneSound::Mixed { freqs, count: 4 }, &[100, 100])
}

/// Every level of a tone changed by `db`.
const fn gain(mut t: Tone, db: f32) -> Tone {
    let mut i = 0;
    while i < MAX_CADENCE_STEPS {
        t.steps[i].sound = t.steps[i].sound.with_gain(db);
        i += 1;
    }
    t
}

/// The NANP special information tone codes (Telcordia; tones-and-ringing.md §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SitCode {
    /// IC, intercept / number not in service: 913.8 S, 1370.6 S, 1776.7 L.
    Ic,
    /// NC, no circuit (all trunks busy): 985.2 L, 1428.5 L, 1776.7 L.
    Nc,
    /// VC, vacant code: 985.2 L, 1370.6 S, 1776.7 L.
    Vc,
    /// RO, reorder (equipment): 913.8 S, 1428.5 L, 1776.7 L.
    Ro,
    /// A SIT that is not one of the NANP codes: the E.180 950/1400/1800 Hz
    /// sequence, or a country's own information tone.
    Other,
}

/// NANP SIT frequencies (§3): segment 1 low/high, segment 2 low/high, segment 3.
pub(crate) const NANP_SIT_HZ: [f32; 5] = [913.8, 985.2, 1370.6, 1428.5, 1776.7];
/// NANP SIT short and long segments (§3), ms.
pub(crate) const NANP_SHORT_MS: u32 = 274;
/// NANP SIT long segment (§3), ms.
pub(crate) const NANP_LONG_MS: u32 = 380;
/// Silence after a NANP SIT before it repeats, ms: the spec gives "≤ 300 ms
/// to the announcement"; as a repeating tone we use E.180's 1 s.
const NANP_SIT_PAUSE_MS: u32 = 1000;

impl SitCode {
    /// The four NANP codes.
    pub const NANP: [SitCode; 4] = [SitCode::Ic, SitCode::Nc, SitCode::Vc, SitCode::Ro];

    /// The two-letter NANP name ("IC", "NC", "VC", "RO"; "SIT" for Other).
    pub const fn name(self) -> &'static str {
        match self {
            SitCode::Ic => "IC",
            SitCode::Nc => "NC",
            SitCode::Vc => "VC",
            SitCode::Ro => "RO",
            SitCode::Other => "SIT",
        }
    }

    /// (segment 1 Hz, long?, segment 2 Hz, long?) of a NANP code.
    const fn segments(self) -> Option<(f32, bool, f32, bool)> {
        let [lo1, hi1, lo2, hi2, _] = NANP_SIT_HZ;
        match self {
            SitCode::Ic => Some((lo1, false, lo2, false)),
            SitCode::Nc => Some((hi1, true, hi2, true)),
            SitCode::Vc => Some((hi1, true, lo2, false)),
            SitCode::Ro => Some((lo1, false, hi2, true)),
            SitCode::Other => None,
        }
    }

    /// The code of a NANP segment pattern (segment 1 high?, long?; segment 2
    /// high?, long?), `Other` for a pattern the table does not list.
    pub(crate) fn from_pattern(hi1: bool, long1: bool, hi2: bool, long2: bool) -> SitCode {
        SitCode::NANP
            .into_iter()
            .find(|c| match c.segments() {
                Some((f1, l1, f2, l2)) => {
                    (f1 > 950.0) == hi1 && l1 == long1 && (f2 > 1400.0) == hi2 && l2 == long2
                }
                None => false,
            })
            .unwrap_or(SitCode::Other)
    }

    /// The tone of this code at -24 dBm0 (§3), repeating after 1 s of
    /// silence; `Other` gives the E.180 SIT.
    pub const fn tone(self) -> Tone {
        const fn ms(long: bool) -> u32 {
            if long { NANP_LONG_MS } else { NANP_SHORT_MS }
        }
        match self.segments() {
            Some((f1, l1, f2, l2)) => sit3(
                [f1, f2, NANP_SIT_HZ[4]],
                [ms(l1), ms(l2), NANP_LONG_MS],
                0,
                NANP_SIT_PAUSE_MS,
                SIT_LEVEL,
            ),
            None => e180_sit(SIT_LEVEL),
        }
    }
}

/// ITU-T E.180 (§1): 425 Hz at -10 dBm0; dial continuous, ring-back
/// 1/4 s, busy 0.5/0.5 s, congestion 0.25/0.25 s, SIT 950/1400/1800 Hz
/// 330 ms each then 1 s at -24 dBm0.
///
/// E.180 §1 defines no call-waiting, stutter, recall or confirmation tone
/// and no ringing; chosen here, on 425 Hz: call waiting 0.2/0.2/0.2/5 s
/// (the E.180 Supp. 2 pattern of DE), stutter 6 x 0.1/0.1 s then steady
/// (Asterisk's, as in FR, JP, RU), recall 3 x 0.1/0.1 s then steady (the
/// NANP pattern), confirmation 3 x 0.1/0.1 s then silence (DE); ringing
/// 1/4 s at 25 Hz (the most common European cadence, §5.1).
const ITU_PLAN: TonePlan = TonePlan {
    country: "ITU",
    name: "ITU-T E.180 generic",
    dial: steady(s1(425.0, L)),
    ringback: cad(s1(425.0, L), &[1000, 4000]),
    busy: cad(s1(425.0, L), &[500, 500]),
    reorder: cad(s1(425.0, L), &[250, 250]),
    call_waiting: cad(s1(425.0, L), &[200, 200, 200, 5000]),
    stutter: bursts_then(s1(425.0, L), 6, 100, 100, true),
    recall: bursts_then(s1(425.0, L), 3, 100, 100, true),
    confirmation: bursts_then(s1(425.0, L), 3, 100, 100, false),
    sit: e180_sit(SIT_LEVEL),
    howler: howler(HOWLER_LEVEL),
    ring_cadence_ms: &[1000, 4000],
    ring_frequency_hz: 25.0,
};

/// The ITU-T E.180 plan (see [`ITU_PLAN`]'s figures).
pub(super) static ITU: TonePlan = ITU_PLAN;

/// NANP "Precise Tone Plan" (GR-506-CORE; §3, §4.2, §5.1): dial 350+440
/// -13, ring-back 440+480 -19 2/4, busy 480+620 -24 0.5/0.5, reorder
/// 0.25/0.25, call waiting 440 -13 0.3 s then again 10 s later, stutter,
/// recall and confirmation on 350+440 -13; ringing 2/4 s at 20 Hz.
///
/// Choices: stutter is Asterisk's 6 x 0.1/0.1 then steady (the spec also
/// cites 10 bursts, unverified); call waiting at -13 (Mediatrix uses -17);
/// confirmation 3 x 0.1/0.1 then silence (marked verify); the plan's SIT is
/// the IC code (number not in service; [`SitCode::tone`] gives the others);
/// howler at the loud default.
const NANP_PLAN: TonePlan = TonePlan {
    country: "US",
    name: "United States (NANP)",
    dial: steady(s2(350.0, 440.0, -13.0)),
    ringback: cad(s2(440.0, 480.0, -19.0), &[2000, 4000]),
    busy: cad(s2(480.0, 620.0, -24.0), &[500, 500]),
    reorder: cad(s2(480.0, 620.0, -24.0), &[250, 250]),
    call_waiting: seq(
        &[(s1(440.0, -13.0), 300), (SILENT, 10_000), (s1(440.0, -13.0), 300)],
        None,
    ),
    stutter: bursts_then(s2(350.0, 440.0, -13.0), 6, 100, 100, true),
    recall: bursts_then(s2(350.0, 440.0, -13.0), 3, 100, 100, true),
    confirmation: bursts_then(s2(350.0, 440.0, -13.0), 3, 100, 100, false),
    sit: SitCode::Ic.tone(),
    howler: howler(HOWLER_LEVEL),
    ring_cadence_ms: &[2000, 4000],
    ring_frequency_hz: 20.0,
};

/// United States: the NANP plan ([`NANP_PLAN`]).
static US: TonePlan = NANP_PLAN;

/// Canada: the NANP plan ([`NANP_PLAN`]); ringing 2/4 s at 20 Hz (§5.1).
static CA: TonePlan = TonePlan {
    country: "CA",
    name: "Canada (NANP)",
    ..NANP_PLAN
};

/// United Kingdom (BT SIN 350; §4, levels from the Zyxel table in §4.2):
/// dial 350 @ -22 + 440 @ -18; ring-back 400+450 -18 0.4/0.2/0.4/2.0; busy
/// 400 -18 0.375/0.375; congestion 400 -25 0.4/0.35/0.225/0.525; call
/// waiting 400 -18 0.1/4.0; stutter 350+440 0.75 s alternating with 440
/// 0.75 s; confirmation 1400 steady; SIT 950/1400/1800 with 15 ms gaps;
/// ringing 0.4/0.2/0.4/2.0 at 25 Hz.
///
/// Choices: call waiting is the table's 0.1/4.0 (BT's 3 x 0.25/0.25 then
/// 5 s is noted as an alternative); confirmation level -18 (not given);
/// stutter levels those of the dial tone; recall from the ITU plan.
static GB: TonePlan = TonePlan {
    country: "GB",
    name: "United Kingdom",
    dial: steady(ToneSound::Mixed {
        freqs: [
            (350.0, Dbm0(-22.0)),
            (440.0, Dbm0(-18.0)),
            (0.0, Dbm0(0.0)),
            (0.0, Dbm0(0.0)),
        ],
        count: 2,
    }),
    ringback: cad(s2(400.0, 450.0, -18.0), &[400, 200, 400, 2000]),
    busy: cad(s1(400.0, -18.0), &[375, 375]),
    reorder: cad(s1(400.0, -25.0), &[400, 350, 225, 525]),
    call_waiting: cad(s1(400.0, -18.0), &[100, 4000]),
    stutter: seq(
        &[
            (
                ToneSound::Mixed {
                    freqs: [
                        (350.0, Dbm0(-22.0)),
                        (440.0, Dbm0(-18.0)),
                        (0.0, Dbm0(0.0)),
                        (0.0, Dbm0(0.0)),
                    ],
                    count: 2,
                },
                750,
            ),
            (s1(440.0, -18.0), 750),
        ],
        Some(0),
    ),
    confirmation: steady(s1(1400.0, -18.0)),
    sit: sit3([950.0, 1400.0, 1800.0], [330, 330, 330], 15, 1000, SIT_LEVEL),
    ring_cadence_ms: &[400, 200, 400, 2000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// Germany (§4; levels Mediatrix 4100, §4.2): 425 Hz -16; ring-back 1/4
/// (trusted over Mediatrix's 1/5, §4.1), busy 0.48/0.48, congestion
/// 0.24/0.24; call waiting -17 0.2/0.2/0.2/5; stutter 425+400 steady;
/// confirmation 3 x 0.1/0.1 then silence (Mediatrix); howler -19 (ROH);
/// ringing 1/4 s at 25 Hz.
///
/// Choices: stutter is the Asterisk/DAHDI 425+400 steady (Mediatrix's
/// 3 x 0.1/0.1 then steady is the other option §4.1 keeps); call waiting
/// repeats instead of stopping after five times (step limit); no level is
/// given for ring-back, busy, congestion, stutter and confirmation: -16 as
/// the dial tone; recall and SIT from the ITU plan.
static DE: TonePlan = TonePlan {
    country: "DE",
    name: "Germany",
    dial: steady(s1(425.0, -16.0)),
    ringback: cad(s1(425.0, -16.0), &[1000, 4000]),
    busy: cad(s1(425.0, -16.0), &[480, 480]),
    reorder: cad(s1(425.0, -16.0), &[240, 240]),
    call_waiting: cad(s1(425.0, -17.0), &[200, 200, 200, 5000]),
    stutter: steady(s2(425.0, 400.0, -16.0)),
    confirmation: bursts_then(s1(425.0, -16.0), 3, 100, 100, false),
    howler: howler(-19.0),
    ring_cadence_ms: &[1000, 4000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// France (§4): 440 Hz; ring-back 1.5/3.5, busy 0.5/0.5, congestion
/// 0.25/0.25 (not in the national plan), call waiting 0.3/10, stutter
/// 6 x 0.1/0.1 then steady; ringing 1.5/3.5 s at 50 Hz (marked verify).
///
/// Choices: dial 440 alone (330+440 is also seen); no levels given (-10);
/// recall, confirmation and SIT from the ITU plan.
static FR: TonePlan = TonePlan {
    country: "FR",
    name: "France",
    dial: steady(s1(440.0, L)),
    ringback: cad(s1(440.0, L), &[1500, 3500]),
    busy: cad(s1(440.0, L), &[500, 500]),
    reorder: cad(s1(440.0, L), &[250, 250]),
    call_waiting: cad(s1(440.0, L), &[300, 10_000]),
    stutter: bursts_then(s1(440.0, L), 6, 100, 100, true),
    ring_cadence_ms: &[1500, 3500],
    ring_frequency_hz: 50.0,
    ..ITU_PLAN
};

/// Italy (§4): 425 Hz; dial cadenced 0.2/0.2/0.6/1.0, ring-back 1/4, busy
/// 0.5/0.5, congestion 0.2/0.2, call waiting 0.4/0.1/0.25/0.1/0.15/14,
/// special dial 470 0.4 s alternating with 425 0.4 s; ringing 1/4 s at
/// 25 Hz.
///
/// Choices: no levels given (-10); recall, confirmation and SIT from the
/// ITU plan.
static IT: TonePlan = TonePlan {
    country: "IT",
    name: "Italy",
    dial: cad(s1(425.0, L), &[200, 200, 600, 1000]),
    ringback: cad(s1(425.0, L), &[1000, 4000]),
    busy: cad(s1(425.0, L), &[500, 500]),
    reorder: cad(s1(425.0, L), &[200, 200]),
    call_waiting: cad(s1(425.0, L), &[400, 100, 250, 100, 150, 14_000]),
    stutter: seq(&[(s1(470.0, L), 400), (s1(425.0, L), 400)], Some(0)),
    ring_cadence_ms: &[1000, 4000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// Spain (§4): 425 Hz; ring-back 1.5/3, busy 0.2/0.2, congestion
/// 0.2/0.2/0.2/0.2/0.2/0.6, call waiting 0.175/0.175/0.175/3.5, recall
/// 3 x 0.2/0.2 then steady, SIT 950 Hz 0.33/1.0; ringing 1.5/3 s at 25 Hz.
///
/// Choices: stutter is Asterisk's 6 x 0.1/0.1 then steady (DAHDI has
/// 0.5/0.05); no levels given (-10, SIT -24); confirmation from the ITU plan.
static ES: TonePlan = TonePlan {
    country: "ES",
    name: "Spain",
    dial: steady(s1(425.0, L)),
    ringback: cad(s1(425.0, L), &[1500, 3000]),
    busy: cad(s1(425.0, L), &[200, 200]),
    reorder: cad(s1(425.0, L), &[200, 200, 200, 200, 200, 600]),
    call_waiting: cad(s1(425.0, L), &[175, 175, 175, 3500]),
    stutter: bursts_then(s1(425.0, L), 6, 100, 100, true),
    recall: bursts_then(s1(425.0, L), 3, 200, 200, true),
    sit: cad(s1(950.0, SIT_LEVEL), &[330, 1000]),
    ring_cadence_ms: &[1500, 3000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// Netherlands (§4): 425 Hz; ring-back 1/4, busy 0.5/0.5, congestion
/// 0.25/0.25, call waiting 0.5/9.5, stutter 0.5/0.05; ringing 1/4 s at 25 Hz.
///
/// Choices: dial 425 (some exchanges use 450); no levels given (-10);
/// recall, confirmation and SIT from the ITU plan.
static NL: TonePlan = TonePlan {
    country: "NL",
    name: "Netherlands",
    dial: steady(s1(425.0, L)),
    ringback: cad(s1(425.0, L), &[1000, 4000]),
    busy: cad(s1(425.0, L), &[500, 500]),
    reorder: cad(s1(425.0, L), &[250, 250]),
    call_waiting: cad(s1(425.0, L), &[500, 9500]),
    stutter: cad(s1(425.0, L), &[500, 50]),
    ring_cadence_ms: &[1000, 4000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// Sweden (§4): 425 Hz; ring-back 1/5, busy 0.25/0.25, congestion
/// 0.25/0.75, call waiting 0.2/0.5/0.2/9.1, special dial 0.32/0.02, SIT
/// 950/1400/1800 x 332 ms with 24 ms gaps and a 2 s pause; ringing 1/5 s
/// at 25 Hz.
///
/// Choices: the SIT repeats instead of stopping after five times; no
/// levels given (-10, SIT -24); recall and confirmation from the ITU plan.
static SE: TonePlan = TonePlan {
    country: "SE",
    name: "Sweden",
    dial: steady(s1(425.0, L)),
    ringback: cad(s1(425.0, L), &[1000, 5000]),
    busy: cad(s1(425.0, L), &[250, 250]),
    reorder: cad(s1(425.0, L), &[250, 750]),
    call_waiting: cad(s1(425.0, L), &[200, 500, 200, 9100]),
    stutter: cad(s1(425.0, L), &[320, 20]),
    sit: sit3([950.0, 1400.0, 1800.0], [332, 332, 332], 24, 2000, SIT_LEVEL),
    ring_cadence_ms: &[1000, 5000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// Australia (ACIF S002, §4; Asterisk figures trusted over DAHDI's, §4.1):
/// dial 413+438 steady, ring-back 413+438 0.4/0.2/0.4/2.0, busy 425
/// 0.375/0.375, congestion the same with every second burst 10 dB lower,
/// call waiting 425 0.2/0.2/0.2/4.4, stutter 413+438 0.1/0.04; ringing
/// 0.4/0.2/0.4/2.0 s at 25 Hz.
///
/// Choices: no levels given (-10; congestion's quiet bursts -20); recall
/// (DAHDI's 413+428 rejected with its dial tone), confirmation and SIT
/// from the ITU plan.
static AU: TonePlan = TonePlan {
    country: "AU",
    name: "Australia",
    dial: steady(s2(413.0, 438.0, L)),
    ringback: cad(s2(413.0, 438.0, L), &[400, 200, 400, 2000]),
    busy: cad(s1(425.0, L), &[375, 375]),
    reorder: seq(
        &[
            (s1(425.0, L), 375),
            (SILENT, 375),
            (s1(425.0, L - 10.0), 375),
            (SILENT, 375),
        ],
        Some(0),
    ),
    call_waiting: cad(s1(425.0, L), &[200, 200, 200, 4400]),
    stutter: cad(s2(413.0, 438.0, L), &[100, 40]),
    ring_cadence_ms: &[400, 200, 400, 2000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// Japan (§4, §5.1): 400 Hz; ring-back 400*16 1/2, busy 0.5/0.5,
/// congestion 0.5/0.5 (the same as busy), call waiting 400*16 0.5/8,
/// stutter 6 x 0.1/0.1 then steady; ringing 1/2 s at 16 Hz.
///
/// Choices: ring-back is 400 Hz modulated by 16 Hz (the spec's "400*16
/// (verify)"; Asterisk writes 400+15); the call-waiting "400+16" is read as
/// the same modulation (a 16 Hz component is not audible); no levels given
/// (-10); recall, confirmation and SIT from the ITU plan.
static JP: TonePlan = TonePlan {
    country: "JP",
    name: "Japan",
    dial: steady(s1(400.0, L)),
    ringback: cad(am(400.0, 16.0, L), &[1000, 2000]),
    busy: cad(s1(400.0, L), &[500, 500]),
    reorder: cad(s1(400.0, L), &[500, 500]),
    call_waiting: cad(am(400.0, 16.0, L), &[500, 8000]),
    stutter: bursts_then(s1(400.0, L), 6, 100, 100, true),
    ring_cadence_ms: &[1000, 2000],
    ring_frequency_hz: 16.0,
    ..ITU_PLAN
};

/// China (§4): 450 Hz; ring-back 1/4, busy 0.35/0.35, congestion 0.7/0.7,
/// call waiting 0.4/4, special dial 450+425 steady, information tone (SIT)
/// 450 3 x 0.1/0.1 then 0.4/0.4; ringing 1/4 s at 25 Hz.
///
/// Choices: the special dial tone 450+425 is used although §4 marks it
/// "not in plan"; no levels given (-10); recall and confirmation from the
/// ITU plan.
static CN: TonePlan = TonePlan {
    country: "CN",
    name: "China",
    dial: steady(s1(450.0, L)),
    ringback: cad(s1(450.0, L), &[1000, 4000]),
    busy: cad(s1(450.0, L), &[350, 350]),
    reorder: cad(s1(450.0, L), &[700, 700]),
    call_waiting: cad(s1(450.0, L), &[400, 4000]),
    stutter: steady(s2(450.0, 425.0, L)),
    sit: cad(s1(450.0, L), &[100, 100, 100, 100, 100, 100, 400, 400]),
    ring_cadence_ms: &[1000, 4000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// India (§4): dial 400*25 steady, ring-back 400*25 0.4/0.2/0.4/2.0, busy
/// 400 0.75/0.75, congestion 400 0.25/0.25, call waiting 400
/// 0.2/0.1/0.2/7.5; ringing 0.4/0.2/0.4/2.0 s at 25 Hz.
///
/// Choices: no stutter tone in the plan: the ITU plan's; no levels given
/// (-10); recall, confirmation and SIT from the ITU plan.
static IN: TonePlan = TonePlan {
    country: "IN",
    name: "India",
    dial: steady(am(400.0, 25.0, L)),
    ringback: cad(am(400.0, 25.0, L), &[400, 200, 400, 2000]),
    busy: cad(s1(400.0, L), &[750, 750]),
    reorder: cad(s1(400.0, L), &[250, 250]),
    call_waiting: cad(s1(400.0, L), &[200, 100, 200, 7500]),
    ring_cadence_ms: &[400, 200, 400, 2000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// Brazil (§4): 425 Hz; ring-back 1/4, busy 0.25/0.25, congestion
/// 0.25/0.25/0.75/0.25, call waiting 0.05/1.0, special dial 350+440;
/// ringing 1/4 s at 25 Hz.
///
/// Choices: the special dial tone is 350+440 steady (§4 says only "uses
/// 350+440"); no levels given (-10); recall, confirmation and SIT from the
/// ITU plan.
static BR: TonePlan = TonePlan {
    country: "BR",
    name: "Brazil",
    dial: steady(s1(425.0, L)),
    ringback: cad(s1(425.0, L), &[1000, 4000]),
    busy: cad(s1(425.0, L), &[250, 250]),
    reorder: cad(s1(425.0, L), &[250, 250, 750, 250]),
    call_waiting: cad(s1(425.0, L), &[50, 1000]),
    stutter: steady(s2(350.0, 440.0, L)),
    ring_cadence_ms: &[1000, 4000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// Russia (GOST 45-223-2001 via Asterisk, trusted over Mediatrix, §4.1;
/// levels Mediatrix, §4.2): 425 Hz -10; ring-back 1/4, busy 0.35/0.35,
/// congestion 0.175/0.175, call waiting 0.2/5, stutter 6 x 0.1/0.1 then
/// steady, SIT -17; ringing 1/4 s at 25 Hz.
///
/// Choices: the SIT frequencies are Asterisk's 950/1400/1800 (DAHDI differs
/// in one tone, 1440); recall and confirmation from the ITU plan.
static RU: TonePlan = TonePlan {
    country: "RU",
    name: "Russia",
    dial: steady(s1(425.0, -10.0)),
    ringback: cad(s1(425.0, -10.0), &[1000, 4000]),
    busy: cad(s1(425.0, -10.0), &[350, 350]),
    reorder: cad(s1(425.0, -10.0), &[175, 175]),
    call_waiting: cad(s1(425.0, -10.0), &[200, 5000]),
    stutter: bursts_then(s1(425.0, -10.0), 6, 100, 100, true),
    sit: e180_sit(-17.0),
    ring_cadence_ms: &[1000, 4000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// Switzerland (levels Mediatrix 4100, §4.2): dial -8, busy and ring-back
/// -13.
///
/// Choices: the spec gives no Swiss frequencies, cadences or ringing: the
/// ITU plan's tones (425 Hz), at -13 for every tone but dial; ringing 1/4 s
/// at 25 Hz (ITU plan).
static CH: TonePlan = TonePlan {
    country: "CH",
    name: "Switzerland",
    dial: gain(ITU_PLAN.dial, 2.0),
    ringback: gain(ITU_PLAN.ringback, -3.0),
    busy: gain(ITU_PLAN.busy, -3.0),
    reorder: gain(ITU_PLAN.reorder, -3.0),
    call_waiting: gain(ITU_PLAN.call_waiting, -3.0),
    stutter: gain(ITU_PLAN.stutter, -3.0),
    recall: gain(ITU_PLAN.recall, -3.0),
    confirmation: gain(ITU_PLAN.confirmation, -3.0),
    ..ITU_PLAN
};

/// Austria (§4.2, §5.1): dial 450 Hz -20, all tones -20; ringing 1/5 s at
/// 50 Hz (Mediatrix).
///
/// Choices: only the dial frequency is given: the other tones are the ITU
/// plan's (425 Hz) at -20 (SIT stays at -24).
static AT: TonePlan = TonePlan {
    country: "AT",
    name: "Austria",
    dial: steady(s1(450.0, -20.0)),
    ringback: gain(ITU_PLAN.ringback, -10.0),
    busy: gain(ITU_PLAN.busy, -10.0),
    reorder: gain(ITU_PLAN.reorder, -10.0),
    call_waiting: gain(ITU_PLAN.call_waiting, -10.0),
    stutter: gain(ITU_PLAN.stutter, -10.0),
    recall: gain(ITU_PLAN.recall, -10.0),
    confirmation: gain(ITU_PLAN.confirmation, -10.0),
    howler: howler(-20.0),
    ring_cadence_ms: &[1000, 5000],
    ring_frequency_hz: 50.0,
    ..ITU_PLAN
};

/// Finland (§5.1): ringing 1/4 s at 25 Hz (Zyxel; 53 Vrms).
///
/// Choices: the spec gives no Finnish tones: the ITU plan's.
static FI: TonePlan = TonePlan {
    country: "FI",
    name: "Finland",
    ring_cadence_ms: &[1000, 4000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// New Zealand (§5.1): ringing 0.4/0.2/0.4/2.0 s at 25 Hz.
///
/// Choices: the spec gives no New Zealand tones: the ITU plan's.
static NZ: TonePlan = TonePlan {
    country: "NZ",
    name: "New Zealand",
    ring_cadence_ms: &[400, 200, 400, 2000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// South Africa (§5.1): ringing 0.4/0.2/0.4/2.0 s at 25 Hz.
///
/// Choices: the spec gives no South African tones: the ITU plan's.
static ZA: TonePlan = TonePlan {
    country: "ZA",
    name: "South Africa",
    ring_cadence_ms: &[400, 200, 400, 2000],
    ring_frequency_hz: 25.0,
    ..ITU_PLAN
};

/// Every built-in plan: ITU first, then by country code.
pub(super) static PLANS: [&TonePlan; 21] = [
    &ITU, &AT, &AU, &BR, &CA, &CH, &CN, &DE, &ES, &FI, &FR, &GB, &IN, &IT, &JP, &NL, &NZ, &RU, &SE, &US, &ZA,
];
