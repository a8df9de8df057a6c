//! Partitioned-block frequency-domain adaptive filter (overlap-save).
//!
//! The echo path estimate is cut into partitions of one block (80 taps,
//! 10 ms); each partition is held as the 160-point spectrum of its taps
//! followed by 80 zeros. Filtering one block is then, per frequency bin, a
//! sum over partitions of `W_p · X_{l-p}` (the far-end spectrum `p` blocks
//! ago), one inverse FFT, and the second half of the result. All buffers are
//! sized and the FFTs planned once, in `new`; nothing here allocates after
//! construction.

use std::sync::Arc;

use num_complex::Complex32;
use rustfft::{Fft, FftPlanner};

/// Samples per block: one 10 ms frame at 8 kHz.
pub(crate) const BLOCK: usize = crate::FRAME_SAMPLES;
/// FFT length of the overlap-save filter: two blocks.
pub(crate) const FFT_LEN: usize = 2 * BLOCK;
/// Bins kept of a real signal's spectrum (0 to Nyquist inclusive).
pub(crate) const BINS: usize = BLOCK + 1;

/// A block of zeros, the first half of every zero-padded error block.
pub(crate) const ZEROS: [f32; BLOCK] = [0.0; BLOCK];

/// Forward and inverse real FFT of length [`FFT_LEN`], with their buffers.
pub(crate) struct Transform {
    forward: Arc<dyn Fft<f32>>,
    inverse: Arc<dyn Fft<f32>>,
    buf: Vec<Complex32>,
    scratch: Vec<Complex32>,
}

impl Transform {
    /// Plans both FFTs and allocates the buffers.
    pub(crate) fn new() -> Transform {
        let mut planner = FftPlanner::new();
        let forward = planner.plan_fft_forward(FFT_LEN);
        let inverse = planner.plan_fft_inverse(FFT_LEN);
        let scratch_len = forward
            .get_inplace_scratch_len()
            .max(inverse.get_inplace_scratch_len());
        Transform {
            forward,
            inverse,
            buf: vec![Complex32::default(); FFT_LEN],
            scratch: vec![Complex32::default(); scratch_len],
        }
    }

    /// Spectrum (bins 0..=BLOCK) of the real signal `first ‖ second`, each
    /// half [`BLOCK`] samples long.
    pub(crate) fn forward(&mut self, first: &[f32], second: &[f32], out: &mut [Complex32]) {
        let samples = first.iter().chain(second.iter());
        for (slot, &s) in self.buf.iter_mut().zip(samples) {
            *slot = Complex32::new(s, 0.0);
        }
        self.forward
            .process_with_scratch(&mut self.buf, &mut self.scratch);
        for (o, b) in out.iter_mut().zip(self.buf.iter()) {
            *o = *b;
        }
    }

    /// The real signal ([`FFT_LEN`] samples, scaled by `1 / FFT_LEN`) whose
    /// spectrum's bins 0..=BLOCK are `spec` (the rest is its mirror image).
    pub(crate) fn inverse(&mut self, spec: &[Complex32], out: &mut [f32]) {
        for (slot, s) in self.buf.iter_mut().zip(spec.iter()) {
            *slot = *s;
        }
        // Bins BLOCK+1.. mirror bins BLOCK-1..1.
        let (_, upper) = self.buf.split_at_mut(BINS);
        for (slot, s) in upper.iter_mut().zip(spec[1..BLOCK].iter().rev()) {
            *slot = s.conj();
        }
        self.inverse
            .process_with_scratch(&mut self.buf, &mut self.scratch);
        let scale = 1.0 / FFT_LEN as f32;
        for (o, b) in out.iter_mut().zip(self.buf.iter()) {
            *o = b.re * scale;
        }
    }
}

/// The far-end signal's spectra for the last `partitions` blocks.
pub(crate) struct FarHistory {
    /// `partitions × BINS` spectra; slot `(newest + p) % partitions` holds
    /// the spectrum of the block `p` blocks ago.
    spectra: Vec<Complex32>,
    /// Per bin: sum over the partitions of `|X|²`, the NLMS normaliser.
    power: Vec<f32>,
    newest: usize,
    partitions: usize,
    previous: [f32; BLOCK],
}

impl FarHistory {
    pub(crate) fn new(partitions: usize) -> FarHistory {
        FarHistory {
            spectra: vec![Complex32::default(); partitions * BINS],
            power: vec![0.0; BINS],
            newest: 0,
            partitions,
            previous: [0.0; BLOCK],
        }
    }

    /// Adds the spectrum of `previous ‖ block` as the newest partition.
    pub(crate) fn push(&mut self, block: &[f32; BLOCK], transform: &mut Transform) {
        self.newest = (self.newest + self.partitions - 1) % self.partitions;
        let start = self.newest * BINS;
        let slot = &mut self.spectra[start..start + BINS];
        transform.forward(&self.previous, block, slot);
        self.previous = *block;
        self.power.fill(0.0);
        for spectrum in self.spectra.chunks_exact(BINS) {
            for (p, x) in self.power.iter_mut().zip(spectrum) {
                *p += x.norm_sqr();
            }
        }
    }

    /// The far-end spectrum `p` blocks ago (0 = this block).
    pub(crate) fn partition(&self, p: usize) -> &[Complex32] {
        let start = ((self.newest + p) % self.partitions) * BINS;
        &self.spectra[start..start + BINS]
    }

    /// Per bin, the sum of `|X|²` over all partitions.
    pub(crate) fn power(&self) -> &[f32] {
        &self.power
    }

    /// Forgets the far-end signal.
    pub(crate) fn reset(&mut self) {
        self.spectra.fill(Complex32::default());
        self.power.fill(0.0);
        self.previous = [0.0; BLOCK];
    }
}

/// One adaptive filter: the echo path estimate, partition by partition.
#[derive(Clone)]
pub(crate) struct Filter {
    weights: Vec<Complex32>,
    partitions: usize,
}

impl Filter {
    pub(crate) fn new(partitions: usize) -> Filter {
        Filter {
            weights: vec![Complex32::default(); partitions * BINS],
            partitions,
        }
    }

    /// The echo estimate's spectrum for the newest far-end block.
    pub(crate) fn estimate(&self, far: &FarHistory, out: &mut [Complex32]) {
        out.fill(Complex32::default());
        for (p, w) in self.weights.chunks_exact(BINS).enumerate() {
            let x = far.partition(p);
            for ((o, w), x) in out.iter_mut().zip(w).zip(x) {
                *o += w * x;
            }
        }
    }

    /// Gradient step: `W_p += gain_p · conj(X_p) · step_error`, where
    /// `step_error` is the error spectrum already scaled by the per-bin step.
    pub(crate) fn adapt(&mut self, far: &FarHistory, step_error: &[Complex32], gains: &[f32]) {
        for (p, w) in self.weights.chunks_exact_mut(BINS).enumerate() {
            let g = gains.get(p).copied().unwrap_or(0.0);
            if g == 0.0 {
                continue;
            }
            let x = far.partition(p);
            for ((w, x), e) in w.iter_mut().zip(x).zip(step_error) {
                *w += x.conj() * e * g;
            }
        }
    }

    /// Applies the overlap-save constraint to partition `p`: its impulse
    /// response must be zero in the second half of the FFT window, otherwise
    /// the unconstrained updates would alias into circular convolution.
    /// One partition per block keeps the cost to two FFTs per block.
    pub(crate) fn constrain(&mut self, p: usize, transform: &mut Transform, time: &mut [f32; FFT_LEN]) {
        let start = (p % self.partitions) * BINS;
        let w = &mut self.weights[start..start + BINS];
        transform.inverse(w, time);
        let (taps, _) = time.split_at(BLOCK);
        transform.forward(taps, &ZEROS, w);
    }

    /// Energy of each partition's taps (Parseval, up to a constant factor).
    pub(crate) fn partition_energies(&self, out: &mut [f32]) {
        for (o, w) in out.iter_mut().zip(self.weights.chunks_exact(BINS)) {
            *o = w.iter().map(|c| c.norm_sqr()).sum();
        }
    }

    pub(crate) fn copy_from(&mut self, other: &Filter) {
        self.weights.copy_from_slice(&other.weights);
    }

    pub(crate) fn reset(&mut self) {
        self.weights.fill(Complex32::default());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forward_then_inverse_returns_the_signal() {
        let mut t = Transform::new();
        let a: Vec<f32> = (0..BLOCK).map(|i| (i as f32 * 0.37).sin() * 100.0).collect();
        let b: Vec<f32> = (0..BLOCK).map(|i| (i as f32 * 0.11).cos() * 50.0).collect();
        let mut spec = [Complex32::default(); BINS];
        t.forward(&a, &b, &mut spec);
        let mut back = [0.0f32; FFT_LEN];
        t.inverse(&spec, &mut back);
        for (x, y) in a.iter().chain(b.iter()).zip(back.iter()) {
            assert!((x - y).abs() < 1e-3, "{x} vs {y}");
        }
    }

    #[test]
    fn filter_with_known_taps_is_linear_convolution() {
        // Taps: a delay of 90 samples (second partition, tap 10) with gain 0.5.
        let partitions = 3;
        let mut t = Transform::new();
        let mut far = FarHistory::new(partitions);
        let mut filter = Filter::new(partitions);
        let mut taps = [0.0f32; BLOCK];
        taps[10] = 0.5;
        let mut spec = [Complex32::default(); BINS];
        t.forward(&taps, &ZEROS, &mut spec);
        filter.weights[BINS..2 * BINS].copy_from_slice(&spec);

        let signal: Vec<f32> = (0..BLOCK * 4)
            .map(|i| ((i * 7919) % 211) as f32 - 105.0)
            .collect();
        let mut out = Vec::new();
        let mut y = [Complex32::default(); BINS];
        let mut time = [0.0f32; FFT_LEN];
        for block in signal.chunks_exact(BLOCK) {
            let mut b = [0.0f32; BLOCK];
            b.copy_from_slice(block);
            far.push(&b, &mut t);
            filter.estimate(&far, &mut y);
            t.inverse(&y, &mut time);
            out.extend_from_slice(&time[BLOCK..]);
        }
        for n in 0..out.len() {
            let want = if n >= 90 { 0.5 * signal[n - 90] } else { 0.0 };
            assert!((out[n] - want).abs() < 1e-2, "sample {n}: {} vs {want}", out[n]);
        }
    }
}
