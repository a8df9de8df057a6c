//! DTMF generator.

use core::time::Duration;

use super::check_rate;
use crate::level::FULL_SCALE_DBM0;
use crate::osc::{Oscillator, to_i16};
use crate::{Dbm0, Digit, Error};

/// Digits the generator can hold queued.
pub const DTMF_QUEUE_CAPACITY: usize = 32;

/// Longest tone-on or tone-off time accepted.
const MAX_DURATION: Duration = Duration::from_secs(60);
/// Shortest tone and pause of a regenerated digit ([`DtmfGenerator::push_timed`]):
/// dtmf.md §2 design rule, the Q.24 operate limits of §3.1.
pub const DTMF_MIN_REGENERATED: Duration = Duration::from_millis(40);

/// How a [`DtmfGenerator`] plays digits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DtmfGeneratorConfig {
    /// Sample rate: 8000 or 16000 Hz.
    pub sample_rate: u32,
    /// Level of the low-group tone.
    pub level: Dbm0,
    /// High-group tone level minus low-group tone level in dB; the default
    /// +2 dB is the pre-emphasis of dtmf.md §2 (AS/CA S002: 2 +- 2 dB).
    pub twist_db: f32,
    /// Tone-on time per digit (default 70 ms, dtmf.md §2 design rule).
    pub on: Duration,
    /// Silence after each digit (default 70 ms).
    pub off: Duration,
}

impl Default for DtmfGeneratorConfig {
    /// 8000 Hz, low tone at -10 dBm0, +2 dB twist, 70 ms on / 70 ms off:
    /// accepted by every receiver column of dtmf.md §3.
    fn default() -> Self {
        DtmfGeneratorConfig {
            sample_rate: 8000,
            level: Dbm0(-10.0),
            twist_db: 2.0,
            on: Duration::from_millis(70),
            off: Duration::from_millis(70),
        }
    }
}

impl DtmfGeneratorConfig {
    /// The default configuration with each tone's level given separately:
    /// `level` becomes `low` and `twist_db` becomes `high - low`.
    pub fn with_tone_levels(low: Dbm0, high: Dbm0) -> DtmfGeneratorConfig {
        DtmfGeneratorConfig {
            level: low,
            twist_db: high.0 - low.0,
            ..Default::default()
        }
    }

    /// Level of the low-group tone (the same as [`level`](Self::level)).
    pub fn low_level(&self) -> Dbm0 {
        self.level
    }

    /// Level of the high-group tone: `level + twist_db`.
    pub fn high_level(&self) -> Dbm0 {
        self.level.plus_db(self.twist_db)
    }

    /// Checks every field; the error names the first bad one.
    ///
    /// Limits: sample rate 8000 or 16000; both tone levels finite and at
    /// most +3.14 dBm0 (full scale); twist within +-20 dB; `on` from 1 ms
    /// and `off` from 0, both at most 60 s. Out-of-spec values inside these
    /// limits (a 20 ms digit, 10 dB twist) are allowed on purpose: they are
    /// what receiver tests need.
    pub fn validate(&self) -> Result<(), Error> {
        check_rate(self.sample_rate)?;
        let bad = |field, reason| Err(Error::InvalidConfig { field, reason });
        if !self.level.0.is_finite() || self.level.0 > FULL_SCALE_DBM0 {
            return bad("level", "must be finite and at most +3.14 dBm0");
        }
        if !self.twist_db.is_finite() || self.twist_db.abs() > 20.0 {
            return bad("twist_db", "must be within -20..=20 dB");
        }
        if self.level.0 + self.twist_db > FULL_SCALE_DBM0 {
            return bad("twist_db", "puts the high tone above +3.14 dBm0");
        }
        if self.on < Duration::from_millis(1) || self.on > MAX_DURATION {
            return bad("on", "must be between 1 ms and 60 s");
        }
        if self.off > MAX_DURATION {
            return bad("off", "must be at most 60 s");
        }
        Ok(())
    }
}

/// What the generator is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Idle,
    /// Playing a digit; samples left, then the pause after it.
    On(u32, u32),
    /// Inter-digit silence; samples left.
    Off(u32),
}

/// Plays queued DTMF digits as 16-bit PCM.
///
/// Each digit is two phase-continuous sines starting at phase 0, the low
/// tone at [`level`](DtmfGeneratorConfig::level) and the high tone
/// [`twist_db`](DtmfGeneratorConfig::twist_db) above it, for `on`, followed
/// by `off` of silence; [`push_timed`](Self::push_timed) gives one digit
/// its own tone length (RFC 4733 regeneration, at least 40 ms on and 40 ms
/// off). Works at 8 and 16 kHz. The sines run phase-continuously across
/// calls: the output does not depend on how the caller slices it. The
/// digit queue is a fixed ring of [`DTMF_QUEUE_CAPACITY`] digits.
///
/// ```
/// use fxs_tones::{DtmfGenerator, DtmfGeneratorConfig, FRAME_SAMPLES};
/// let mut g = DtmfGenerator::new(DtmfGeneratorConfig::default())?;
/// g.push_str("5#")?;
/// let mut frame = [0i16; FRAME_SAMPLES];
/// let mut frames = 0;
/// while !g.is_idle() {
///     g.generate(&mut frame);
///     frames += 1;
/// }
/// assert_eq!(frames, 28); // 2 x (70 ms + 70 ms)
/// # Ok::<(), fxs_tones::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct DtmfGenerator {
    config: DtmfGeneratorConfig,
    low_amp: f32,
    high_amp: f32,
    on_samples: u32,
    off_samples: u32,
    /// Queued digits with their tone-on and pause lengths in samples.
    queue: [(Digit, u32, u32); DTMF_QUEUE_CAPACITY],
    head: usize,
    len: usize,
    phase: Phase,
    low: Oscillator,
    high: Oscillator,
}

/// Samples in `d` at `sample_rate`, rounded to the nearest sample.
fn samples_in(d: Duration, sample_rate: u32) -> u32 {
    let n = (d.as_nanos() * u128::from(sample_rate) + 500_000_000) / 1_000_000_000;
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl DtmfGenerator {
    /// A generator for `config` (checked with
    /// [`DtmfGeneratorConfig::validate`]).
    pub fn new(config: DtmfGeneratorConfig) -> Result<DtmfGenerator, Error> {
        config.validate()?;
        Ok(DtmfGenerator {
            config,
            low_amp: config.level.amplitude(),
            high_amp: config.level.plus_db(config.twist_db).amplitude(),
            on_samples: samples_in(config.on, config.sample_rate).max(1),
            off_samples: samples_in(config.off, config.sample_rate),
            queue: [(Digit::D0, 0, 0); DTMF_QUEUE_CAPACITY],
            head: 0,
            len: 0,
            phase: Phase::Idle,
            low: Oscillator::silent(),
            high: Oscillator::silent(),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &DtmfGeneratorConfig {
        &self.config
    }

    /// Queues one digit; [`Error::QueueFull`] when
    /// [`DTMF_QUEUE_CAPACITY`] digits are waiting.
    pub fn push(&mut self, digit: Digit) -> Result<(), Error> {
        self.enqueue(digit, self.on_samples, self.off_samples)
    }

    /// Queues one digit played for `on` (the duration an RFC 4733 event
    /// reported) instead of the configured time. As dtmf.md §2 asks for
    /// regenerated digits, the tone and the pause after it last at least
    /// [`DTMF_MIN_REGENERATED`] (40 ms) each; `on` is capped at 60 s.
    /// [`Error::QueueFull`] when the queue is full.
    pub fn push_timed(&mut self, digit: Digit, on: Duration) -> Result<(), Error> {
        let rate = self.config.sample_rate;
        let on = on.clamp(DTMF_MIN_REGENERATED, MAX_DURATION);
        let min_off = samples_in(DTMF_MIN_REGENERATED, rate);
        self.enqueue(digit, samples_in(on, rate), self.off_samples.max(min_off))
    }

    fn enqueue(&mut self, digit: Digit, on: u32, off: u32) -> Result<(), Error> {
        if self.len == DTMF_QUEUE_CAPACITY {
            return Err(Error::QueueFull);
        }
        self.queue[(self.head + self.len) % DTMF_QUEUE_CAPACITY] = (digit, on.max(1), off);
        self.len += 1;
        Ok(())
    }

    /// Queues every digit of `digits` (see [`Digit::from_char`]). On an
    /// invalid character ([`Error::InvalidDigit`]) or too little room
    /// ([`Error::QueueFull`]) nothing is queued.
    pub fn push_str(&mut self, digits: &str) -> Result<(), Error> {
        let mut count = 0;
        for c in digits.chars() {
            Digit::from_char(c).ok_or(Error::InvalidDigit(c))?;
            count += 1;
        }
        if count > DTMF_QUEUE_CAPACITY - self.len {
            return Err(Error::QueueFull);
        }
        for d in digits.chars().filter_map(Digit::from_char) {
            self.push(d)?;
        }
        Ok(())
    }

    /// Digits waiting (not counting the one playing).
    pub fn queued(&self) -> usize {
        self.len
    }

    /// Drops the queued digits and stops the one playing at once.
    pub fn clear(&mut self) {
        self.len = 0;
        self.phase = Phase::Idle;
    }

    /// Overwrites `out` with the next samples; silence when idle.
    pub fn generate(&mut self, out: &mut [i16]) {
        let mut i = 0;
        while i < out.len() {
            match self.phase {
                Phase::Idle => {
                    if !self.start_next() {
                        out[i..].fill(0);
                        return;
                    }
                }
                Phase::On(left, off) => {
                    let n = (out.len() - i).min(left as usize);
                    for o in &mut out[i..i + n] {
                        let x =
                            self.low_amp * self.low.next_sample() + self.high_amp * self.high.next_sample();
                        *o = to_i16(x);
                    }
                    i += n;
                    let left = left - n as u32;
                    self.phase = if left > 0 {
                        Phase::On(left, off)
                    } else {
                        Phase::Off(off)
                    };
                }
                Phase::Off(left) => {
                    if left == 0 {
                        self.phase = Phase::Idle;
                        continue;
                    }
                    let n = (out.len() - i).min(left as usize);
                    out[i..i + n].fill(0);
                    i += n;
                    self.phase = Phase::Off(left - n as u32);
                }
            }
        }
        if self.phase == Phase::Off(0) {
            self.phase = Phase::Idle;
        }
    }

    /// True when nothing is queued or playing (the silence after the last
    /// digit counts as playing).
    pub fn is_idle(&self) -> bool {
        self.phase == Phase::Idle && self.len == 0
    }

    /// Takes the next digit from the queue and starts it; false if none.
    fn start_next(&mut self) -> bool {
        if self.len == 0 {
            return false;
        }
        let (digit, on, off) = self.queue[self.head];
        self.head = (self.head + 1) % DTMF_QUEUE_CAPACITY;
        self.len -= 1;
        let (lo, hi) = digit.frequencies();
        self.low = Oscillator::new(lo, self.config.sample_rate);
        self.high = Oscillator::new(hi, self.config.sample_rate);
        self.phase = Phase::On(on, off);
        true
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::Goertzel;
    use std::vec;
    use std::vec::Vec;

    fn render(g: &mut DtmfGenerator, n: usize) -> Vec<i16> {
        let mut out = vec![0i16; n];
        g.generate(&mut out);
        out
    }

    #[test]
    fn default_config_is_the_documented_one() {
        let c = DtmfGeneratorConfig::default();
        assert_eq!(c.sample_rate, 8000);
        assert_eq!(c.level, Dbm0(-10.0));
        assert_eq!(c.twist_db, 2.0);
        assert_eq!(c.on, Duration::from_millis(70));
        assert_eq!(c.off, Duration::from_millis(70));
        assert!(c.validate().is_ok());
    }

    #[test]
    fn bad_configs_are_refused_with_the_field_named() {
        let base = DtmfGeneratorConfig::default();
        let field = |c: DtmfGeneratorConfig| match DtmfGenerator::new(c) {
            Err(Error::InvalidConfig { field, .. }) => Some(field),
            _ => None,
        };
        assert!(matches!(
            DtmfGenerator::new(DtmfGeneratorConfig {
                sample_rate: 44_100,
                ..base
            }),
            Err(Error::UnsupportedSampleRate(44_100))
        ));
        assert_eq!(
            field(DtmfGeneratorConfig {
                level: Dbm0(f32::NAN),
                ..base
            }),
            Some("level")
        );
        assert_eq!(
            field(DtmfGeneratorConfig {
                level: Dbm0(4.0),
                ..base
            }),
            Some("level")
        );
        assert_eq!(
            field(DtmfGeneratorConfig {
                level: Dbm0(2.0),
                twist_db: 2.0,
                ..base
            }),
            Some("twist_db")
        );
        assert_eq!(
            field(DtmfGeneratorConfig {
                on: Duration::ZERO,
                ..base
            }),
            Some("on")
        );
        assert_eq!(
            field(DtmfGeneratorConfig {
                off: Duration::from_secs(61),
                ..base
            }),
            Some("off")
        );
    }

    #[test]
    fn digit_lasts_on_then_off_and_generator_goes_idle() {
        let mut g = DtmfGenerator::new(DtmfGeneratorConfig::default()).unwrap();
        assert!(g.is_idle());
        g.push(Digit::D1).unwrap();
        assert!(!g.is_idle());
        let out = render(&mut g, 1200);
        let last_loud = out.iter().rposition(|&s| s != 0).unwrap();
        assert!(
            (555..560).contains(&last_loud),
            "tone ends after 70 ms, got {last_loud}"
        );
        assert!(g.is_idle(), "70 ms on + 70 ms off fit in 150 ms");
    }

    #[test]
    fn tones_have_the_configured_levels_and_twist() {
        let cfg = DtmfGeneratorConfig {
            level: Dbm0(-12.0),
            twist_db: 3.0,
            ..Default::default()
        };
        let mut g = DtmfGenerator::new(cfg).unwrap();
        g.push(Digit::D5).unwrap();
        let out = render(&mut g, 400);
        let (lo, hi) = Digit::D5.frequencies();
        let mut gl = Goertzel::new(lo, 8000);
        let mut gh = Goertzel::new(hi, 8000);
        gl.update(&out);
        gh.update(&out);
        let l = Dbm0::from_amplitude(gl.amplitude()).0;
        let h = Dbm0::from_amplitude(gh.amplitude()).0;
        assert!((l + 12.0).abs() < 0.3, "low at {l}");
        assert!((h + 9.0).abs() < 0.3, "high at {h}");
    }

    #[test]
    fn output_does_not_depend_on_slicing() {
        let mut a = DtmfGenerator::new(DtmfGeneratorConfig::default()).unwrap();
        let mut b = DtmfGenerator::new(DtmfGeneratorConfig::default()).unwrap();
        a.push_str("159#").unwrap();
        b.push_str("159#").unwrap();
        let whole = render(&mut a, 5000);
        let mut pieces = Vec::new();
        for len in [1usize, 7, 80, 333, 13].iter().cycle() {
            if pieces.len() >= 5000 {
                break;
            }
            let n = (*len).min(5000 - pieces.len());
            pieces.extend(render(&mut b, n));
        }
        assert_eq!(whole, pieces);
    }

    #[test]
    fn sixteen_khz_plays_the_same_durations() {
        let cfg = DtmfGeneratorConfig {
            sample_rate: 16_000,
            ..Default::default()
        };
        let mut g = DtmfGenerator::new(cfg).unwrap();
        g.push(Digit::D9).unwrap();
        let out = render(&mut g, 2400);
        let last_loud = out.iter().rposition(|&s| s != 0).unwrap();
        assert!((1110..1120).contains(&last_loud), "{last_loud}");
        assert!(g.is_idle());
    }

    /// First and last non-zero sample of `out`.
    fn tone_span(out: &[i16]) -> (usize, usize) {
        (
            out.iter().position(|&s| s != 0).unwrap(),
            out.iter().rposition(|&s| s != 0).unwrap(),
        )
    }

    #[test]
    fn timed_digits_keep_their_own_length_but_at_least_40_ms() {
        let mut g = DtmfGenerator::new(DtmfGeneratorConfig {
            off: Duration::from_millis(10),
            ..Default::default()
        })
        .unwrap();
        g.push_timed(Digit::D4, Duration::from_millis(200)).unwrap();
        let out = render(&mut g, 1600);
        let (_, last) = tone_span(&out);
        assert!((1595..1600).contains(&last), "200 ms tone, last at {last}");
        // Its pause is stretched from 10 ms to 40 ms.
        assert!(render(&mut g, 320).iter().all(|&s| s == 0));
        assert!(g.is_idle());
        // A 10 ms event is stretched to 40 ms, and so is its pause.
        g.push_timed(Digit::D4, Duration::from_millis(10)).unwrap();
        g.push(Digit::D4).unwrap();
        let out = render(&mut g, 2000);
        let (_, end) = tone_span(&out[..640]);
        assert!((315..320).contains(&end), "tone ends at {end}");
        let (next, _) = tone_span(&out[320..]);
        assert_eq!(
            next + 320,
            641,
            "next digit after a 40 ms pause (its first sample is 0)"
        );
    }

    #[test]
    fn tone_levels_can_be_given_per_tone() {
        let cfg = DtmfGeneratorConfig::with_tone_levels(Dbm0(-11.0), Dbm0(-9.0));
        assert_eq!(cfg.twist_db, 2.0);
        assert_eq!(cfg.low_level(), Dbm0(-11.0));
        assert!((cfg.high_level().0 + 9.0).abs() < 1e-5);
        for rate in [8000u32, 16_000] {
            let mut g = DtmfGenerator::new(DtmfGeneratorConfig {
                sample_rate: rate,
                ..cfg
            })
            .unwrap();
            g.push(Digit::Star).unwrap();
            let out = render(&mut g, (rate / 20) as usize);
            let (lo, hi) = Digit::Star.frequencies();
            let mut gl = Goertzel::new(lo, rate);
            let mut gh = Goertzel::new(hi, rate);
            gl.update(&out);
            gh.update(&out);
            let l = Dbm0::from_amplitude(gl.amplitude()).0;
            let h = Dbm0::from_amplitude(gh.amplitude()).0;
            assert!((l + 11.0).abs() < 0.3, "{rate}: low at {l}");
            assert!((h + 9.0).abs() < 0.3, "{rate}: high at {h}");
        }
    }

    #[test]
    fn push_str_is_all_or_nothing() {
        let mut g = DtmfGenerator::new(DtmfGeneratorConfig::default()).unwrap();
        assert_eq!(g.push_str("12x4"), Err(Error::InvalidDigit('x')));
        assert_eq!(g.queued(), 0);
        g.push_str("0123456789*#ABCD0123456789*#ABC").unwrap();
        assert_eq!(g.queued(), 31);
        assert_eq!(g.push_str("12"), Err(Error::QueueFull));
        assert_eq!(g.queued(), 31);
        g.push(Digit::D).unwrap();
        assert_eq!(g.push(Digit::D), Err(Error::QueueFull));
        g.clear();
        assert!(g.is_idle());
    }
}
