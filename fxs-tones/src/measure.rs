//! Dominant-frequency and level measurement of a block of audio.

use crate::Dbm0;
use crate::level::mean_square;

/// Blocks quieter than this are silence for [`measure_tone`].
const SILENCE_DBM0: f32 = -50.0;
/// Lowest and highest frequency the coarse scan looks at (Hz).
const SCAN_LOW_HZ: f64 = 150.0;
const SCAN_HIGH_HZ: f64 = 3600.0;
/// Samples (at 8 kHz; scaled with the rate) used for the coarse scan:
/// 64 ms, 15.6 Hz resolution, enough to separate 440 from 480 Hz.
const SCAN_SAMPLES_8K: usize = 512;
/// Samples (at 8 kHz; scaled) used at most for the fine estimate: 0.5 s.
const FINE_SAMPLES_8K: usize = 4000;

/// The result of [`measure_tone`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ToneMeasurement {
    /// Frequency of the strongest component in Hz.
    pub freq_hz: f32,
    /// Level of the whole block (total RMS) in dBm0.
    pub level: Dbm0,
}

/// Power of the DFT of `x - mean` at `freq` (Hz) by a double-precision Goertzel.
fn power_at(x: &[i16], mean: f64, freq: f64, sample_rate: f64) -> f64 {
    let coeff = 2.0 * libm::cos(2.0 * core::f64::consts::PI * freq / sample_rate);
    let (mut s1, mut s2) = (0.0f64, 0.0f64);
    for &v in x {
        let s0 = (f64::from(v) - mean) + coeff * s1 - s2;
        s2 = s1;
        s1 = s0;
    }
    (s1 * s1 + s2 * s2 - coeff * s1 * s2).max(0.0)
}

/// Dominant-frequency measurement of a block (e.g. 100-200 ms) of audio.
///
/// Returns None for silence (< -50 dBm0) and for an empty block or a zero
/// sample rate. Frequency accurate to +-5 Hz for a pure tone of >= 100 ms
/// between 200 and 3500 Hz; level = total RMS level in dBm0.
///
/// A coarse scan over 150-3600 Hz (half-bin steps over the first 64 ms)
/// finds the strongest component; a fine scan at quarter-bin steps over up
/// to 0.5 s around it, with parabolic interpolation of the log power,
/// gives the frequency. Of a dual tone it reports the stronger component.
/// The block's mean is removed first, so a DC offset does not matter. It
/// is meant for tests and diagnostics, not per-frame use (the work grows
/// with the block length and the scan range; no allocation).
///
/// ```
/// use fxs_tones::{Dbm0, Tone, ToneGenerator, ToneSound, measure_tone};
/// let mut g = ToneGenerator::new(8000, &Tone::continuous(ToneSound::single(1004.0, Dbm0(-10.0))))?;
/// let mut x = [0i16; 1600];
/// g.generate(&mut x);
/// let m = measure_tone(&x, 8000).expect("a tone");
/// assert!((m.freq_hz - 1004.0).abs() < 1.0);
/// assert!((m.level.0 + 10.0).abs() < 0.1);
/// # Ok::<(), fxs_tones::Error>(())
/// ```
pub fn measure_tone(samples: &[i16], sample_rate: u32) -> Option<ToneMeasurement> {
    if samples.is_empty() || sample_rate == 0 {
        return None;
    }
    let level = Dbm0::from_rms(libm::sqrtf(mean_square(samples)));
    if level.0 < SILENCE_DBM0 {
        return None;
    }
    let sr = f64::from(sample_rate);
    let scale = (sample_rate as usize).div_ceil(8000).max(1);
    let fine_len = samples.len().min(FINE_SAMPLES_8K * scale);
    let x = &samples[..fine_len];
    let mean = x.iter().map(|&s| f64::from(s)).sum::<f64>() / fine_len as f64;

    // Coarse scan.
    let scan = &x[..x.len().min(SCAN_SAMPLES_8K * scale)];
    let step = sr / (2.0 * scan.len() as f64);
    let high = SCAN_HIGH_HZ.min(0.45 * sr);
    let mut best = (SCAN_LOW_HZ, 0.0f64);
    let mut f = SCAN_LOW_HZ;
    while f <= high {
        let p = power_at(scan, mean, f, sr);
        if p > best.1 {
            best = (f, p);
        }
        f += step;
    }

    // Fine scan around the coarse peak, quarter-bin steps.
    let bin = sr / x.len() as f64;
    let fine_step = 0.25 * bin;
    let reach = step + bin;
    let points = libm::ceil(2.0 * reach / fine_step) as usize + 1;
    let start = best.0 - reach;
    let mut top = (0usize, f64::MIN);
    let mut powers = [0.0f64; 3];
    let mut prev = [f64::MIN; 2];
    for i in 0..points {
        let p = power_at(x, mean, start + i as f64 * fine_step, sr);
        if p > top.1 {
            top = (i, p);
            powers = [prev[1], p, 0.0];
        } else if i == top.0 + 1 {
            powers[2] = p;
        }
        prev = [prev[1], p];
    }
    let mut freq = start + top.0 as f64 * fine_step;
    if top.0 > 0 && top.0 + 1 < points {
        let [a, b, c] = powers.map(|p| libm::log(p.max(1e-30)));
        let den = a - 2.0 * b + c;
        if den < 0.0 {
            freq += 0.5 * (a - c) / den * fine_step;
        }
    }
    Some(ToneMeasurement {
        freq_hz: freq as f32,
        level,
    })
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn tone(parts: &[(f64, f32)], n: usize, sr: u32) -> Vec<i16> {
        (0..n)
            .map(|i| {
                let t = i as f64 / f64::from(sr);
                let x: f64 = parts
                    .iter()
                    .map(|&(f, l)| {
                        f64::from(Dbm0(l).amplitude()) * libm::sin(2.0 * core::f64::consts::PI * f * t + 0.3)
                    })
                    .sum();
                x.round() as i16
            })
            .collect()
    }

    #[test]
    fn pure_tones_are_measured_within_one_hz() {
        for f in [200.0, 333.3, 425.0, 1000.0, 1633.0, 2600.0, 3500.0] {
            let x = tone(&[(f, -20.0)], 800, 8000);
            let m = measure_tone(&x, 8000).unwrap();
            assert!((f64::from(m.freq_hz) - f).abs() < 1.0, "{f}: {m:?}");
            assert!((m.level.0 + 20.0).abs() < 0.1, "{f}: {m:?}");
        }
    }

    #[test]
    fn strongest_component_of_a_dual_tone_is_reported() {
        let x = tone(&[(440.0, -13.0), (480.0, -19.0)], 1600, 8000);
        let m = measure_tone(&x, 8000).unwrap();
        assert!((m.freq_hz - 440.0).abs() < 5.0, "{m:?}");
        let x = tone(&[(350.0, -25.0), (620.0, -15.0)], 1600, 8000);
        let m = measure_tone(&x, 8000).unwrap();
        assert!((m.freq_hz - 620.0).abs() < 5.0, "{m:?}");
    }

    #[test]
    fn silence_and_empty_input_give_none() {
        assert_eq!(measure_tone(&[], 8000), None);
        assert_eq!(measure_tone(&[0; 800], 8000), None);
        assert_eq!(measure_tone(&tone(&[(1000.0, -55.0)], 800, 8000), 8000), None);
        assert_eq!(measure_tone(&tone(&[(1000.0, -10.0)], 800, 8000), 0), None);
    }

    #[test]
    fn dc_offset_does_not_disturb_the_measurement() {
        let x: Vec<i16> = tone(&[(700.0, -20.0)], 1600, 8000)
            .iter()
            .map(|&s| s + 3000)
            .collect();
        let m = measure_tone(&x, 8000).unwrap();
        assert!((m.freq_hz - 700.0).abs() < 1.0, "{m:?}");
    }

    #[test]
    fn sixteen_khz_blocks_are_measured() {
        let x = tone(&[(3000.0, -10.0)], 3200, 16_000);
        let m = measure_tone(&x, 16_000).unwrap();
        assert!((m.freq_hz - 3000.0).abs() < 1.0, "{m:?}");
    }
}
