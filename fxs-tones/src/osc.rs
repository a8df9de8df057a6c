//! Phase-continuous sine oscillator (a complex rotator).

/// Renormalise the rotator's magnitude every this many samples; a fixed
/// schedule keeps the output independent of how callers slice it.
const RENORM_EVERY: u32 = 64;

/// A sine oscillator: `z` turns by `e^(j 2 pi f / fs)` each sample and the
/// output is `Im z`, so it starts at phase 0 (no click) and stays
/// phase-continuous for as long as it runs.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Oscillator {
    re: f64,
    im: f64,
    step_re: f64,
    step_im: f64,
    count: u32,
}

impl Oscillator {
    /// An oscillator at `freq_hz` for `sample_rate` Hz, at phase 0.
    pub fn new(freq_hz: f32, sample_rate: u32) -> Oscillator {
        let w = 2.0 * core::f64::consts::PI * f64::from(freq_hz) / f64::from(sample_rate.max(1));
        let (s, c) = libm::sincos(w);
        Oscillator {
            re: 1.0,
            im: 0.0,
            step_re: c,
            step_im: s,
            count: 0,
        }
    }

    /// An oscillator that outputs 0 forever.
    pub const fn silent() -> Oscillator {
        Oscillator {
            re: 0.0,
            im: 0.0,
            step_re: 1.0,
            step_im: 0.0,
            count: 0,
        }
    }

    /// The next sample of `sin(2 pi f n / fs)`.
    #[inline]
    pub fn next_sample(&mut self) -> f32 {
        let out = self.im as f32;
        let re = self.re * self.step_re - self.im * self.step_im;
        let im = self.re * self.step_im + self.im * self.step_re;
        self.re = re;
        self.im = im;
        self.count = self.count.wrapping_add(1);
        if self.count % RENORM_EVERY == 0 {
            let mag = libm::sqrt(re * re + im * im);
            if mag > 0.0 {
                self.re = re / mag;
                self.im = im / mag;
            }
        }
        out
    }
}

/// Rounds and saturates a sample to 16 bits.
#[inline]
pub(crate) fn to_i16(x: f32) -> i16 {
    // `as` saturates and maps NaN to 0.
    libm::roundf(x) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oscillator_follows_the_sine_for_a_long_time() {
        let mut osc = Oscillator::new(1000.0, 8000);
        let mut worst = 0.0f64;
        for n in 0..80_000u32 {
            let want = libm::sin(2.0 * core::f64::consts::PI * 1000.0 * f64::from(n) / 8000.0);
            worst = worst.max((f64::from(osc.next_sample()) - want).abs());
        }
        assert!(worst < 1e-5, "drifted by {worst}");
    }

    #[test]
    fn silent_oscillator_outputs_zero() {
        let mut osc = Oscillator::silent();
        assert!((0..100).all(|_| osc.next_sample() == 0.0));
    }

    #[test]
    fn to_i16_rounds_and_saturates() {
        assert_eq!(to_i16(1.5), 2);
        assert_eq!(to_i16(-1.4), -1);
        assert_eq!(to_i16(40_000.0), i16::MAX);
        assert_eq!(to_i16(-40_000.0), i16::MIN);
        assert_eq!(to_i16(f32::NAN), 0);
    }
}
