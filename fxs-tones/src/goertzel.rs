//! The Goertzel algorithm: one DFT bin computed sample by sample.
//!
//! [`Goertzel`] is the public single-frequency filter. The detectors use
//! [`Bank`], several filters updated together over fixed-length blocks, and
//! [`block_dft`] to read a filter's complex DFT value at the end of a block,
//! which keeps the phase information their frequency estimates need.

use crate::complex::C32;

/// `2 cos(2 pi f / fs)`, the Goertzel recursion coefficient.
pub(crate) fn coefficient(freq_hz: f32, sample_rate: u32) -> f32 {
    2.0 * libm::cosf(omega(freq_hz, sample_rate))
}

/// Angular frequency in rad/sample (`sample_rate` 0 is treated as 1).
pub(crate) fn omega(freq_hz: f32, sample_rate: u32) -> f32 {
    (2.0 * core::f64::consts::PI * f64::from(freq_hz) / f64::from(sample_rate.max(1))) as f32
}

/// One Goertzel filter: `|X(f)|^2` of the samples fed since the last reset.
///
/// The state is two numbers; [`update`](Self::update) costs one multiply
/// and two adds per sample. A sine of peak amplitude `A` exactly at `f`
/// over `N` samples gives a power of about `(A N / 2)^2`, see
/// [`amplitude`](Self::amplitude).
#[derive(Clone, Copy, Debug)]
pub struct Goertzel {
    coeff: f64,
    s1: f64,
    s2: f64,
    count: u64,
}

impl Goertzel {
    /// A filter for `freq_hz` at `sample_rate` Hz (0 is treated as 1 Hz).
    pub fn new(freq_hz: f32, sample_rate: u32) -> Goertzel {
        let w = 2.0 * core::f64::consts::PI * f64::from(freq_hz) / f64::from(sample_rate.max(1));
        Goertzel {
            coeff: 2.0 * libm::cos(w),
            s1: 0.0,
            s2: 0.0,
            count: 0,
        }
    }

    /// Feeds samples.
    pub fn update(&mut self, samples: &[i16]) {
        let (mut s1, mut s2) = (self.s1, self.s2);
        for &x in samples {
            let s0 = f64::from(x) + self.coeff * s1 - s2;
            s2 = s1;
            s1 = s0;
        }
        self.s1 = s1;
        self.s2 = s2;
        self.count += samples.len() as u64;
    }

    /// `|X(f)|^2` of the samples fed since the last reset.
    pub fn power(&self) -> f32 {
        let p = self.s1 * self.s1 + self.s2 * self.s2 - self.coeff * self.s1 * self.s2;
        p.max(0.0) as f32
    }

    /// Peak amplitude of a sine at exactly this frequency that would give
    /// the current power over the samples fed (`2 |X| / N`); 0 before any
    /// sample.
    pub fn amplitude(&self) -> f32 {
        if self.count == 0 {
            return 0.0;
        }
        (2.0 * libm::sqrt(f64::from(self.power())) / self.count as f64) as f32
    }

    /// Number of samples fed since the last reset.
    pub fn samples(&self) -> u64 {
        self.count
    }

    /// Forgets all samples.
    pub fn reset(&mut self) {
        self.s1 = 0.0;
        self.s2 = 0.0;
        self.count = 0;
    }
}

/// `K` Goertzel filters updated together (laid out for vectorisation).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Bank<const K: usize> {
    pub coeff: [f32; K],
    pub s1: [f32; K],
    pub s2: [f32; K],
}

impl<const K: usize> Bank<K> {
    /// Filters at `freqs`; a frequency of 0 gives a filter at DC, harmless
    /// when unused.
    pub fn new(freqs: &[f32; K], sample_rate: u32) -> Bank<K> {
        let mut coeff = [0.0; K];
        for (c, &f) in coeff.iter_mut().zip(freqs) {
            *c = coefficient(f, sample_rate);
        }
        Bank {
            coeff,
            s1: [0.0; K],
            s2: [0.0; K],
        }
    }

    /// Feeds samples to all filters.
    #[inline]
    pub fn update(&mut self, samples: &[i16]) {
        for &x in samples {
            let x = f32::from(x);
            for k in 0..K {
                let s0 = x + self.coeff[k] * self.s1[k] - self.s2[k];
                self.s2[k] = self.s1[k];
                self.s1[k] = s0;
            }
        }
    }

    /// Complex DFT value of filter `k` over the block fed since the last
    /// reset; `shift` is `e^(-j w L)` for the block length `L`.
    pub fn dft(&self, k: usize, shift: C32) -> C32 {
        block_dft(self.s1[k], self.s2[k], self.coeff[k], shift)
    }

    pub fn reset(&mut self) {
        self.s1 = [0.0; K];
        self.s2 = [0.0; K];
    }
}

/// `e^(-j w len)` for a filter at `freq_hz`: the `shift` argument of
/// [`block_dft`] for blocks of `len` samples, and the phase rotation that
/// moves a DFT's time reference `len` samples later.
pub(crate) fn block_shift(freq_hz: f32, sample_rate: u32, len: usize) -> C32 {
    let w = 2.0 * core::f64::consts::PI * f64::from(freq_hz) / f64::from(sample_rate.max(1));
    let (s, c) = libm::sincos(-w * len as f64);
    C32::new(c as f32, s as f32)
}

/// The DFT `sum_n x[n] e^(-j w n)` of a block of `L` samples, referenced to
/// its first sample, from the Goertzel state after the block: with
/// `y = s1 - e^(-j w) s2 = sum_n x[n] e^(j w (L-1-n))` it is
/// `e^(-j w (L-1)) y`. `coeff` is `2 cos w` and `shift` is `e^(-j w L)`.
pub(crate) fn block_dft(s1: f32, s2: f32, coeff: f32, shift: C32) -> C32 {
    let c = 0.5 * coeff;
    let s = libm::sqrtf((1.0 - c * c).max(0.0));
    // e^(-j w (L-1)) = e^(-j w L) e^(j w)
    let first = shift * C32::new(c, s);
    first.scale(s1) - shift.scale(s2)
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn sine(freq: f32, amp: f32, phase: f32, n: usize, sr: u32) -> Vec<i16> {
        (0..n)
            .map(|i| {
                let t = 2.0 * core::f32::consts::PI * freq * i as f32 / sr as f32 + phase;
                libm::roundf(amp * libm::sinf(t)) as i16
            })
            .collect()
    }

    #[test]
    fn on_frequency_sine_gives_its_amplitude() {
        let x = sine(1000.0, 10_000.0, 0.3, 800, 8000);
        let mut g = Goertzel::new(1000.0, 8000);
        g.update(&x);
        assert!((g.amplitude() - 10_000.0).abs() < 20.0, "{}", g.amplitude());
        assert_eq!(g.samples(), 800);
    }

    #[test]
    fn off_frequency_sine_is_rejected() {
        let x = sine(1300.0, 10_000.0, 0.0, 800, 8000);
        let mut g = Goertzel::new(1000.0, 8000);
        g.update(&x);
        assert!(g.amplitude() < 200.0, "{}", g.amplitude());
    }

    #[test]
    fn split_updates_equal_one_update_and_reset_forgets() {
        let x = sine(697.0, 5_000.0, 1.0, 205, 8000);
        let mut a = Goertzel::new(697.0, 8000);
        a.update(&x);
        let mut b = Goertzel::new(697.0, 8000);
        b.update(&x[..17]);
        b.update(&x[17..]);
        assert!((a.power() - b.power()).abs() <= 1e-6 * a.power());
        b.reset();
        assert_eq!(b.power(), 0.0);
        assert_eq!(b.amplitude(), 0.0);
    }

    #[test]
    fn bank_block_dft_equals_the_direct_dft() {
        let sr = 8000;
        let x = sine(941.0, 8_000.0, 0.7, 40, sr);
        let freqs = [941.0f32, 1209.0];
        let mut bank = Bank::new(&freqs, sr);
        bank.update(&x);
        for (k, &f) in freqs.iter().enumerate() {
            let w = omega(f, sr);
            let mut direct = C32::ZERO;
            for (n, &s) in x.iter().enumerate() {
                direct += C32::expj(-w * n as f32).scale(f32::from(s));
            }
            let got = bank.dft(k, block_shift(f, sr, x.len()));
            assert!(
                (got - direct).abs() < 1e-3 * direct.abs().max(1000.0),
                "{f}: {got:?} vs {direct:?}"
            );
        }
    }
}
