//! Comfort noise (RFC 3389, media.md §5): the CN payload, an analyser that
//! describes the background on the send side, and a generator that plays
//! matching noise on the receive side.
//!
//! The payload is one octet of noise level in −dBov (0-127, the most
//! significant bit 0), then optional reflection coefficients of an
//! all-pole model of the noise spectrum, one octet each, quantised as
//! `N = round(k · 128) + 127` (so `k = (N − 127) / 128`; this is the
//! quantiser of the G.711 Appendix II reference code). 0 dBov is the level
//! of a full-scale sine (RMS 32767/√2 on 16-bit samples), so that RFC
//! 3389's "overload point" is the codec's largest sine. Nothing allocates
//! after construction.

use crate::{Error, FRAME_SAMPLES};

/// Most reflection coefficients carried or modelled.
pub const MAX_CN_ORDER: usize = 32;
/// RMS of a full-scale sine on 16-bit samples: 0 dBov.
pub const FULL_SCALE_RMS: f32 = 23_169.77;
/// Weakest level the payload can express (−127 dBov).
pub const MIN_LEVEL: u8 = 127;

/// RMS of 16-bit samples for a level in −dBov.
pub fn level_to_rms(level: u8) -> f32 {
    FULL_SCALE_RMS * libm_pow10(-f32::from(level.min(MIN_LEVEL)) / 20.0)
}

/// Level in −dBov (0..=127) of 16-bit samples with this RMS.
pub fn rms_to_level(rms: f32) -> u8 {
    if rms.is_nan() || rms <= 0.0 {
        return MIN_LEVEL;
    }
    let db = -20.0 * (rms / FULL_SCALE_RMS).log10();
    db.round().clamp(0.0, f32::from(MIN_LEVEL)) as u8
}

fn libm_pow10(x: f32) -> f32 {
    10f32.powf(x)
}

/// One comfort-noise description (an RFC 3389 SID frame).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComfortNoise {
    /// Noise level in −dBov, 0..=127.
    pub level: u8,
    order: u8,
    coefficients: [u8; MAX_CN_ORDER],
}

impl ComfortNoise {
    /// A description with a level only (no spectrum: white noise).
    pub fn with_level(level: u8) -> ComfortNoise {
        ComfortNoise {
            level: level.min(MIN_LEVEL),
            order: 0,
            coefficients: [0; MAX_CN_ORDER],
        }
    }

    /// A description with quantised reflection coefficients (at most
    /// [`MAX_CN_ORDER`]; more are an error).
    pub fn with_coefficients(level: u8, coefficients: &[u8]) -> Result<ComfortNoise, Error> {
        if coefficients.len() > MAX_CN_ORDER {
            return Err(Error::Malformed {
                what: "comfort-noise payload",
                reason: "more than 32 reflection coefficients",
                at: 1 + MAX_CN_ORDER,
            });
        }
        let mut cn = ComfortNoise::with_level(level);
        cn.coefficients[..coefficients.len()].copy_from_slice(coefficients);
        cn.order = coefficients.len() as u8;
        Ok(cn)
    }

    /// Parses a CN payload. Errors: empty, the level octet's reserved
    /// bit set, or more than [`MAX_CN_ORDER`] coefficients.
    pub fn parse(payload: &[u8]) -> Result<ComfortNoise, Error> {
        let (&level, coefficients) = payload.split_first().ok_or(Error::Malformed {
            what: "comfort-noise payload",
            reason: "empty; the noise-level octet is missing",
            at: 0,
        })?;
        if level & 0x80 != 0 {
            return Err(Error::Malformed {
                what: "comfort-noise payload",
                reason: "the most significant bit of the noise level must be 0",
                at: 0,
            });
        }
        ComfortNoise::with_coefficients(level, coefficients)
    }

    /// Appends the payload to `out`.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(self.level & 0x7F);
        out.extend_from_slice(self.coefficients());
    }

    /// The quantised reflection coefficients (model order = length).
    pub fn coefficients(&self) -> &[u8] {
        &self.coefficients[..usize::from(self.order)]
    }

    /// The reflection coefficient `i` as a value in [-1, 1).
    pub fn reflection(&self, i: usize) -> f32 {
        self.coefficients().get(i).map_or(0.0, |&n| dequantize(n))
    }
}

/// Quantises a reflection coefficient to its octet.
pub fn quantize(k: f32) -> u8 {
    (k.clamp(-0.99, 0.99) * 128.0 + 127.0).round().clamp(0.0, 254.0) as u8
}

/// The reflection coefficient of an octet.
pub fn dequantize(n: u8) -> f32 {
    (f32::from(n) - 127.0) / 128.0
}

/// Converts reflection coefficients to direct-form LPC coefficients `a`
/// (1/A(z) with A(z) = 1 + Σ a_i z^-i), by the step-up recursion.
fn reflection_to_lpc(k: &[f32], a: &mut [f32; MAX_CN_ORDER]) {
    let mut tmp = [0.0f32; MAX_CN_ORDER];
    a.fill(0.0);
    for (m, &km) in k.iter().enumerate().take(MAX_CN_ORDER) {
        tmp[..m].copy_from_slice(&a[..m]);
        for i in 0..m {
            a[i] = tmp[i] + km * tmp[m - 1 - i];
        }
        a[m] = km;
    }
}

/// Plays noise matching a [`ComfortNoise`] description; see the module docs.
#[derive(Clone, Debug)]
pub struct CnGenerator {
    /// Direct-form filter coefficients and order.
    lpc: [f32; MAX_CN_ORDER],
    order: usize,
    /// Past outputs of the all-pole filter, newest first.
    memory: [f32; MAX_CN_ORDER],
    /// Excitation scale giving the target RMS at the output.
    gain: f32,
    /// Gain being approached (changes glide over a frame).
    target_gain: f32,
    rng: u32,
}

impl Default for CnGenerator {
    fn default() -> CnGenerator {
        CnGenerator::new()
    }
}

impl CnGenerator {
    /// A silent generator (level −127 dBov) until [`set`](Self::set).
    pub fn new() -> CnGenerator {
        CnGenerator {
            lpc: [0.0; MAX_CN_ORDER],
            order: 0,
            memory: [0.0; MAX_CN_ORDER],
            gain: 0.0,
            target_gain: 0.0,
            rng: 0x1357_9BDF,
        }
    }

    /// Takes a new description: the level (and spectrum, if coefficients
    /// are given) of the noise to play.
    pub fn set(&mut self, cn: &ComfortNoise) {
        let order = cn.coefficients().len();
        let mut k = [0.0f32; MAX_CN_ORDER];
        // Output variance of 1/A(z) on unit white noise is 1 / Π(1 − k²).
        let mut inverse_gain = 1.0f32;
        for (i, slot) in k.iter_mut().enumerate().take(order) {
            *slot = cn.reflection(i);
            inverse_gain *= 1.0 - *slot * *slot;
        }
        reflection_to_lpc(&k[..order], &mut self.lpc);
        if order != self.order {
            self.memory.fill(0.0);
        }
        self.order = order;
        // Uniform white noise in [-1, 1) has variance 1/3.
        self.target_gain = level_to_rms(cn.level) * inverse_gain.max(1e-6).sqrt() * 3f32.sqrt();
    }

    /// The RMS the generator is heading for (16-bit scale).
    pub fn target_rms(&self) -> f32 {
        self.target_gain / 3f32.sqrt()
    }

    /// Fills `out` with noise. Does not allocate.
    pub fn generate(&mut self, out: &mut [i16]) {
        let glide = if out.is_empty() {
            0.0
        } else {
            (self.target_gain - self.gain) / out.len() as f32
        };
        for o in out.iter_mut() {
            self.gain += glide;
            self.rng ^= self.rng << 13;
            self.rng ^= self.rng >> 17;
            self.rng ^= self.rng << 5;
            let white = (self.rng >> 8) as f32 / (1u32 << 23) as f32 - 1.0;
            let mut y = white * self.gain;
            for i in 0..self.order {
                y -= self.lpc[i] * self.memory[i];
            }
            if self.order > 0 {
                self.memory.copy_within(0..self.order - 1, 1);
                self.memory[0] = y;
            }
            *o = y.round().clamp(-32768.0, 32767.0) as i16;
        }
        self.gain = self.target_gain;
    }
}

/// Describes the background on the send side: level and, optionally, the
/// spectrum as reflection coefficients (autocorrelation of the recent
/// silence, Levinson-Durbin).
#[derive(Clone, Debug)]
pub struct CnAnalyzer {
    order: usize,
    /// Smoothed autocorrelation, lags 0..=order.
    autocorrelation: [f32; MAX_CN_ORDER + 1],
    primed: bool,
}

impl CnAnalyzer {
    /// An analyser producing `order` coefficients (0 = level only).
    pub fn new(order: usize) -> Result<CnAnalyzer, Error> {
        if order > MAX_CN_ORDER {
            return Err(Error::InvalidConfig {
                field: "comfort-noise order",
                value: order as u64,
                allowed: "0..=32",
            });
        }
        Ok(CnAnalyzer {
            order,
            autocorrelation: [0.0; MAX_CN_ORDER + 1],
            primed: false,
        })
    }

    /// Adds a frame of background (silence as judged by the VAD).
    pub fn analyze(&mut self, frame: &[i16]) {
        let n = frame.len().min(FRAME_SAMPLES * 4);
        if n == 0 {
            return;
        }
        let mut r = [0.0f32; MAX_CN_ORDER + 1];
        for (lag, slot) in r.iter_mut().enumerate().take(self.order + 1) {
            let mut sum = 0.0f32;
            for i in lag..n {
                sum += f32::from(frame[i]) * f32::from(frame[i - lag]);
            }
            *slot = sum / n as f32;
        }
        for (a, &new) in self.autocorrelation.iter_mut().zip(&r).take(self.order + 1) {
            *a = if self.primed { 0.8 * *a + 0.2 * new } else { new };
        }
        self.primed = true;
    }

    /// The description of what was analysed so far.
    pub fn descriptor(&self) -> ComfortNoise {
        let power = self.autocorrelation[0];
        let level = rms_to_level(power.max(0.0).sqrt());
        let mut k = [0.0f32; MAX_CN_ORDER];
        let order = if power > 1.0 { self.levinson(&mut k) } else { 0 };
        let mut quantized = [0u8; MAX_CN_ORDER];
        for (q, &kk) in quantized.iter_mut().zip(&k).take(order) {
            *q = quantize(kk);
        }
        ComfortNoise::with_coefficients(level, &quantized[..order]).unwrap_or(ComfortNoise::with_level(level))
    }

    /// Levinson-Durbin on the autocorrelation; returns the order reached
    /// (it stops early if the recursion becomes unstable).
    fn levinson(&self, k: &mut [f32; MAX_CN_ORDER]) -> usize {
        let r = &self.autocorrelation;
        let mut a = [0.0f32; MAX_CN_ORDER + 1];
        let mut tmp = [0.0f32; MAX_CN_ORDER + 1];
        // White-noise correction of 0.1 % keeps the recursion well-conditioned.
        let mut error = r[0] * 1.001;
        for m in 0..self.order {
            let mut acc = r[m + 1];
            for i in 0..m {
                acc += a[i + 1] * r[m - i];
            }
            let km = -acc / error;
            if !km.is_finite() || km.abs() >= 0.99 {
                return m;
            }
            k[m] = km;
            tmp[..=m].copy_from_slice(&a[..=m]);
            for i in 1..=m {
                a[i] = tmp[i] + km * tmp[m + 1 - i];
            }
            a[m + 1] = km;
            error *= 1.0 - km * km;
        }
        self.order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rms(x: &[i16]) -> f32 {
        (x.iter().map(|&s| f32::from(s).powi(2)).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn payload_layout_is_level_then_coefficients() {
        let cn = ComfortNoise::with_coefficients(40, &[127, 200]).unwrap();
        let mut out = Vec::new();
        cn.write(&mut out);
        assert_eq!(out, [40, 127, 200]);
        assert_eq!(ComfortNoise::parse(&out).unwrap(), cn);
        assert_eq!(ComfortNoise::parse(&[64]).unwrap().coefficients(), &[] as &[u8]);
    }

    #[test]
    fn malformed_payloads_are_refused_with_the_reason() {
        assert!(matches!(
            ComfortNoise::parse(&[]),
            Err(Error::Malformed { at: 0, .. })
        ));
        let err = ComfortNoise::parse(&[0x80]).unwrap_err();
        assert!(err.to_string().contains("most significant bit"), "{err}");
        assert!(ComfortNoise::parse(&[10; 34]).is_err());
    }

    #[test]
    fn levels_convert_both_ways() {
        assert_eq!(rms_to_level(FULL_SCALE_RMS), 0);
        assert_eq!(rms_to_level(FULL_SCALE_RMS / 10.0), 20);
        assert_eq!(rms_to_level(0.0), 127);
        assert!((level_to_rms(20) - FULL_SCALE_RMS / 10.0).abs() < 1.0);
    }

    #[test]
    fn generator_plays_the_level_it_was_given() {
        let mut generator = CnGenerator::new();
        generator.set(&ComfortNoise::with_level(50));
        let mut out = [0i16; 8000];
        generator.generate(&mut out[..80]);
        generator.generate(&mut out);
        let level = rms_to_level(rms(&out));
        assert!(level.abs_diff(50) <= 1, "{level}");
    }

    #[test]
    fn generator_follows_the_spectrum_of_the_coefficients() {
        // Low-pass noise: a strong positive first-lag correlation.
        let mut shaped = [0i16; 4000];
        let mut rng = 9u32;
        let mut y = 0.0f32;
        for s in shaped.iter_mut() {
            rng = rng.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let white = (rng >> 16) as f32 / 32768.0 - 1.0;
            y = 0.9 * y + white * 300.0;
            *s = y as i16;
        }
        let mut analyzer = CnAnalyzer::new(4).unwrap();
        for frame in shaped.chunks(80) {
            analyzer.analyze(frame);
        }
        let cn = analyzer.descriptor();
        assert_eq!(cn.coefficients().len(), 4);
        assert!(cn.reflection(0) < -0.7, "{}", cn.reflection(0));
        let mut generator = CnGenerator::new();
        generator.set(&cn);
        let mut out = [0i16; 8000];
        generator.generate(&mut out[..80]);
        generator.generate(&mut out);
        // Same level (within 2 dB) and the same low-pass character.
        let level = rms_to_level(rms(&out));
        assert!(level.abs_diff(cn.level) <= 2, "{level} vs {}", cn.level);
        let lag1: f32 = out
            .windows(2)
            .map(|w| f32::from(w[0]) * f32::from(w[1]))
            .sum::<f32>()
            / out.iter().map(|&s| f32::from(s).powi(2)).sum::<f32>();
        assert!(lag1 > 0.7, "normalised lag-1 correlation {lag1}");
    }

    proptest! {
        #[test]
        fn payload_round_trips(level in 0u8..128, coefficients in proptest::collection::vec(any::<u8>(), 0..=MAX_CN_ORDER)) {
            let cn = ComfortNoise::with_coefficients(level, &coefficients).unwrap();
            let mut out = Vec::new();
            cn.write(&mut out);
            prop_assert_eq!(out.len(), 1 + coefficients.len());
            prop_assert_eq!(ComfortNoise::parse(&out).unwrap(), cn);
        }

        #[test]
        fn quantisation_round_trips_within_half_a_step(k in -0.99f32..0.99) {
            prop_assert!((dequantize(quantize(k)) - k).abs() <= 0.5 / 128.0 + 1e-6);
        }
    }
}
