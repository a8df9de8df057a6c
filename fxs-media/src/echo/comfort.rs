//! Background-noise tracking and comfort noise for the non-linear
//! processor. When the NLP removes the residual echo it must not leave
//! dead silence: G.168 Test 9 (media.md §7) wants noise matched to the
//! background in level and, roughly, in spectrum.
//!
//! The level is a minimum tracker on the canceller's linear output (falls
//! fast, rises 3 dB/s); the spectrum is a 4th-order LPC model of the frames
//! that looked like noise. The generator drives the LPC synthesis filter
//! with white noise whose variance makes the output power match the level.

use super::fdaf::BLOCK;

/// LPC order of the noise-shape model.
const ORDER: usize = 4;
/// Per-frame rise of the noise-floor tracker: 3 dB per second.
const RISE_PER_FRAME: f32 = 1.006_932;
/// A frame within this factor (≈ +4.8 dB) of the floor is noise.
const NOISE_FRAME_FACTOR: f32 = 3.0;
/// Smoothing of the noise autocorrelation.
const SHAPE_SMOOTHING: f32 = 0.1;

/// Tracks the level and spectral shape of the background noise.
#[derive(Clone, Debug)]
pub(crate) struct NoiseModel {
    level: f32,
    autocorr: [f32; ORDER + 1],
    started: bool,
}

impl NoiseModel {
    pub(crate) fn new() -> NoiseModel {
        NoiseModel {
            level: 0.0,
            autocorr: [0.0; ORDER + 1],
            started: false,
        }
    }

    /// Mean square of the background noise.
    pub(crate) fn level(&self) -> f32 {
        self.level
    }

    /// Feeds one frame of the canceller's linear output.
    pub(crate) fn update(&mut self, block: &[f32; BLOCK]) {
        let mean_square = block.iter().map(|s| s * s).sum::<f32>() / BLOCK as f32;
        if !self.started || mean_square < self.level {
            self.level = if self.started {
                0.5 * (self.level + mean_square)
            } else {
                mean_square
            };
            self.started = true;
        } else {
            self.level = (self.level * RISE_PER_FRAME).max(1e-3);
        }
        if mean_square <= NOISE_FRAME_FACTOR * self.level {
            for lag in 0..=ORDER {
                let r: f32 = block.iter().zip(&block[lag..]).map(|(a, b)| a * b).sum::<f32>() / BLOCK as f32;
                self.autocorr[lag] += SHAPE_SMOOTHING * (r - self.autocorr[lag]);
            }
        }
    }

    /// LPC coefficients `a[1..=ORDER]` (prediction `x̂[n] = -Σ a[i] x[n-i]`)
    /// and the normalised prediction error, by the Levinson-Durbin recursion.
    /// A flat model (no shaping) when the autocorrelation is degenerate.
    fn lpc(&self) -> ([f32; ORDER], f32) {
        let r = &self.autocorr;
        let mut a = [0.0f32; ORDER + 1];
        a[0] = 1.0;
        if r[0] <= 1e-6 {
            return ([0.0; ORDER], 1.0);
        }
        // A touch of lag windowing (white-noise correction) for stability.
        let r0 = r[0] * 1.0001;
        let mut err = r0;
        for i in 1..=ORDER {
            let mut acc = r[i];
            for j in 1..i {
                acc += a[j] * r[i - j];
            }
            let k = -acc / err;
            if !k.is_finite() || k.abs() >= 1.0 {
                return ([0.0; ORDER], 1.0);
            }
            let prev = a;
            for j in 1..i {
                a[j] = prev[j] + k * prev[i - j];
            }
            a[i] = k;
            err *= 1.0 - k * k;
        }
        let mut out = [0.0; ORDER];
        out.copy_from_slice(&a[1..]);
        (out, (err / r0).max(1e-4))
    }
}

/// Comfort-noise generator: white noise through the LPC synthesis filter.
#[derive(Clone, Debug)]
pub(crate) struct ComfortNoise {
    seed: u32,
    memory: [f32; ORDER],
}

impl ComfortNoise {
    pub(crate) fn new() -> ComfortNoise {
        ComfortNoise {
            seed: 0x2545_f491,
            memory: [0.0; ORDER],
        }
    }

    /// Uniform white noise of unit variance (xorshift32).
    fn white(&mut self) -> f32 {
        let mut x = self.seed;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.seed = x;
        // Uniform on [-1, 1) has variance 1/3.
        ((x as f32 / u32::MAX as f32) * 2.0 - 1.0) * 1.732_050_8
    }

    /// Writes one frame of noise matching `model` into `out`.
    pub(crate) fn generate(&mut self, model: &NoiseModel, out: &mut [f32; BLOCK]) {
        let (a, err) = model.lpc();
        let gain = (model.level() * err).sqrt();
        for o in out.iter_mut() {
            let mut y = self.white() * gain;
            for (ai, m) in a.iter().zip(&self.memory) {
                y -= ai * m;
            }
            self.memory.copy_within(0..ORDER - 1, 1);
            self.memory[0] = y;
            *o = y;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comfort_noise_matches_the_tracked_level() {
        let mut model = NoiseModel::new();
        let mut source = ComfortNoise::new();
        source.seed = 12345;
        // Background: low-pass noise of mean square about 400.
        let mut last = 0.0f32;
        let mut block = [0.0f32; BLOCK];
        let mut level_in = 0.0;
        for _ in 0..200 {
            for b in block.iter_mut() {
                last = 0.6 * last + 20.0 * source.white();
                *b = last;
            }
            level_in = block.iter().map(|s| s * s).sum::<f32>() / BLOCK as f32;
            model.update(&block);
        }
        let mut gen_ = ComfortNoise::new();
        let mut total = 0.0;
        for _ in 0..100 {
            gen_.generate(&model, &mut block);
            total += block.iter().map(|s| s * s).sum::<f32>();
        }
        let out = total / (100 * BLOCK) as f32;
        let db = 10.0 * (out / level_in.max(1.0)).log10();
        // The minimum tracker sits a little under the mean.
        assert!(db.abs() < 3.0, "comfort noise {db:.1} dB from the background");
    }
}
