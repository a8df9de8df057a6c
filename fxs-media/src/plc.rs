//! Packet-loss concealment after ITU-T G.711 Appendix I (media.md §1.1),
//! fading into comfort noise on long losses.
//!
//! [`Plc`] sits after the decoder and sees every 10 ms frame: a received
//! frame goes through [`Plc::good_frame`], a lost one is made up by
//! [`Plc::lost_frame`]. As in Appendix I, output is delayed by
//! [`PLC_DELAY_SAMPLES`] (3.75 ms, a quarter of the longest pitch period) so
//! that the start of a gap can be overlap-added with the real speech before it.
//!
//! On the first lost frame the pitch is found by normalised
//! cross-correlation over the history (40-120 samples, a coarse search on
//! every second sample then a fine one), and the last pitch period is
//! repeated with a ¼-period overlap-add at the seam. The second and third
//! lost frames widen the repeated segment to two and then three periods (a
//! single period repeated for long sounds buzzy), again with an overlap-add
//! at the switch. From the second lost frame on the output fades linearly by
//! 20 % per 10 ms, reaching zero after 60 ms. Where Appendix I then plays
//! silence, this implementation cross-fades into comfort noise at the level
//! of the background measured on received frames (or set by
//! [`Plc::set_noise_level`], e.g. from an RFC 3389 CN packet), so a long loss
//! does not punch a hole into the line noise. The first received frame after
//! a gap is overlap-added with the continued synthetic signal over ¼ period
//! plus 4 ms per extra lost frame (at most 10 ms).
//!
//! State is fixed-size; nothing allocates after construction.

use crate::FRAME_SAMPLES;

/// Output delay in samples (3.75 ms at 8 kHz, G.711 App. I `POVERLAPMAX`).
pub const PLC_DELAY_SAMPLES: usize = 30;
/// History kept for the pitch search and the repetition (48.75 ms).
const HISTORY_LEN: usize = 390;
/// Room for the history plus 16 frames appended before it is moved back.
const BUF_LEN: usize = HISTORY_LEN + 16 * FRAME_SAMPLES;
/// Shortest pitch period searched (200 Hz).
const PITCH_MIN: usize = 40;
/// Longest pitch period searched (66.7 Hz).
const PITCH_MAX: usize = 120;
/// Correlation window (20 ms).
const CORR_LEN: usize = 160;
/// Samples the pitch search looks at.
const CORR_BUF_LEN: usize = CORR_LEN + PITCH_MAX;
/// Decimation of the coarse pitch search.
const DECIMATION: usize = 2;
/// Floor for the energy normalisation, so that near-silence does not pick
/// an arbitrary pitch.
const CORR_MIN_POWER: f32 = 250.0;
/// Extra overlap at recovery per lost frame after the first (4 ms).
const RECOVERY_OVERLAP_STEP: usize = 32;
/// Attenuation per lost 10 ms frame from the second on (20 %).
const ATTENUATION_PER_FRAME: f32 = 0.2;
/// Loudest background accepted as noise for the comfort-noise fill (RMS,
/// about -30 dBm0): louder "noise floors" are speech and are not copied.
const MAX_NOISE_RMS: f32 = 400.0;

/// Concealment state of one receive path; see the module docs.
#[derive(Clone, Debug)]
pub struct Plc {
    /// The history (received or concealed samples, oldest first) is
    /// `buf[end - HISTORY_LEN..end]`; frames are appended at `end` and the
    /// history is moved back to the start only when the buffer is full, so
    /// a received frame costs two short copies.
    buf: [i16; BUF_LEN],
    end: usize,
    /// The history as it was when the gap started, with the seams blended.
    pitch_buf: [f32; HISTORY_LEN],
    /// The real samples at the end of the history when the gap started.
    last_quarter: [f32; PLC_DELAY_SAMPLES],
    /// Lost frames in the current gap.
    erased: u32,
    pitch: usize,
    overlap: usize,
    /// Length of the repeated segment (1-3 periods) and our place in it.
    segment_len: usize,
    segment_pos: usize,
    /// Background level estimate (RMS) and the noise source.
    noise_rms: f32,
    noise_fill: bool,
    rng: u32,
    noise_state: f32,
}

impl Default for Plc {
    fn default() -> Plc {
        Plc::new()
    }
}

impl Plc {
    /// A concealer with empty (silent) history and comfort-noise fill on.
    pub fn new() -> Plc {
        Plc {
            buf: [0; BUF_LEN],
            end: HISTORY_LEN,
            pitch_buf: [0.0; HISTORY_LEN],
            last_quarter: [0.0; PLC_DELAY_SAMPLES],
            erased: 0,
            pitch: PITCH_MAX,
            overlap: PITCH_MAX / 4,
            segment_len: PITCH_MAX,
            segment_pos: 0,
            noise_rms: 0.0,
            noise_fill: true,
            rng: 0x2545_F491,
            noise_state: 0.0,
        }
    }

    /// Whether long losses fade into comfort noise (default) or into
    /// silence as in Appendix I.
    pub fn set_noise_fill(&mut self, on: bool) {
        self.noise_fill = on;
    }

    /// Sets the comfort-noise level (RMS of 16-bit samples), e.g. from an
    /// RFC 3389 CN packet; the estimate from received frames then continues
    /// from there.
    pub fn set_noise_level(&mut self, rms: f32) {
        if rms.is_finite() {
            self.noise_rms = rms.clamp(0.0, MAX_NOISE_RMS);
        }
    }

    /// The current background estimate (RMS of 16-bit samples).
    pub fn noise_level(&self) -> f32 {
        self.noise_rms
    }

    /// Lost frames in the current gap (0 when the last frame was received).
    pub fn lost_run(&self) -> u32 {
        self.erased
    }

    /// Forgets the history (a new source): the next gap conceals from silence.
    pub fn reset(&mut self) {
        let noise_fill = self.noise_fill;
        *self = Plc::new();
        self.noise_fill = noise_fill;
    }

    /// A received frame: `frame` holds the decoded samples and is replaced
    /// by the output, [`PLC_DELAY_SAMPLES`] older (with the end of a gap
    /// blended in). Does not allocate.
    pub fn good_frame(&mut self, frame: &mut [i16; FRAME_SAMPLES]) {
        if self.erased > 0 {
            let olen = (self.overlap + (self.erased as usize - 1) * RECOVERY_OVERLAP_STEP).min(FRAME_SAMPLES);
            let mut synthetic = [0.0f32; FRAME_SAMPLES];
            self.synthesize(&mut synthetic[..olen]);
            // The synthetic signal goes on fading where the gap left it.
            let gain = 1.0 - (self.erased as f32 - 1.0) * ATTENUATION_PER_FRAME;
            self.fade_from(&mut synthetic[..olen], gain);
            let increment = 1.0 / olen as f32;
            for (i, (real, syn)) in frame.iter_mut().zip(&synthetic[..olen]).enumerate() {
                let w = (i + 1) as f32 * increment;
                *real = to_i16(*syn * (1.0 - w) + f32::from(*real) * w);
            }
            self.erased = 0;
        } else {
            self.track_noise(frame);
        }
        self.save(frame);
    }

    /// A lost frame: writes the concealment into `out` (delayed like every
    /// output). Does not allocate.
    pub fn lost_frame(&mut self, out: &mut [i16; FRAME_SAMPLES]) {
        let mut samples = [0.0f32; FRAME_SAMPLES];
        match self.erased {
            0 => {
                self.load_pitch_buf();
                self.pitch = self.find_pitch();
                self.overlap = self.pitch / 4;
                let end = HISTORY_LEN;
                self.last_quarter[..self.overlap].copy_from_slice(&self.pitch_buf[end - self.overlap..end]);
                self.segment_pos = 0;
                self.segment_len = self.pitch;
                self.blend_segment_seam();
                // The not yet played quarter of the history gets the blended tail.
                let from = end - self.overlap;
                let at = self.end - self.overlap;
                for (h, &p) in self.buf[at..self.end].iter_mut().zip(&self.pitch_buf[from..end]) {
                    *h = to_i16(p);
                }
                self.synthesize(&mut samples);
            }
            1 | 2 => {
                // Finish the current cycle over the overlap, then widen the
                // segment by one period and fade from one into the other.
                let mut tail = [0.0f32; PLC_DELAY_SAMPLES];
                let overlap = self.overlap;
                self.synthesize(&mut tail[..overlap]);
                let mut pos = self.segment_pos;
                while pos > self.pitch {
                    pos -= self.pitch;
                }
                self.segment_len += self.pitch;
                self.segment_pos = pos;
                self.blend_segment_seam();
                self.synthesize(&mut samples);
                let increment = 1.0 / overlap as f32;
                for (i, (s, t)) in samples.iter_mut().zip(&tail[..overlap]).enumerate() {
                    let w = (i + 1) as f32 * increment;
                    *s = *t * (1.0 - w) + *s * w;
                }
            }
            _ => self.synthesize(&mut samples),
        }
        self.erased = self.erased.saturating_add(1);
        self.fade(&mut samples);
        for (o, &x) in out.iter_mut().zip(&samples) {
            *o = to_i16(x);
        }
        self.save(out);
    }

    /// Copies the history into the pitch buffer as floats.
    fn load_pitch_buf(&mut self) {
        let history = &self.buf[self.end - HISTORY_LEN..self.end];
        for (p, &h) in self.pitch_buf.iter_mut().zip(history) {
            *p = f32::from(h);
        }
    }

    /// Blends the end of the repeated segment into the samples just before
    /// its start, so that jumping from its end back to its start is smooth
    /// (the ¼-pitch overlap-add at the seam).
    fn blend_segment_seam(&mut self) {
        let end = HISTORY_LEN;
        let start = end - self.segment_len;
        let overlap = self.overlap;
        if start < overlap || overlap == 0 {
            return;
        }
        let increment = 1.0 / (overlap + 1) as f32;
        for i in 0..overlap {
            let w = (i + 1) as f32 * increment;
            let before_start = self.pitch_buf[start - overlap + i];
            self.pitch_buf[end - overlap + i] = self.last_quarter[i] * (1.0 - w) + before_start * w;
        }
    }

    /// Copies the next `out.len()` samples of the repeated segment.
    fn synthesize(&mut self, out: &mut [f32]) {
        let start = HISTORY_LEN - self.segment_len;
        let mut filled = 0;
        while filled < out.len() {
            let count = (self.segment_len - self.segment_pos).min(out.len() - filled);
            let from = start + self.segment_pos;
            out[filled..filled + count].copy_from_slice(&self.pitch_buf[from..from + count]);
            filled += count;
            self.segment_pos += count;
            if self.segment_pos == self.segment_len {
                self.segment_pos = 0;
            }
        }
    }

    /// Applies the attenuation of the frame just counted in `erased`
    /// (none on the first, -20 % per frame after, silence after 60 ms) and
    /// mixes in comfort noise for what was taken away.
    fn fade(&mut self, samples: &mut [f32; FRAME_SAMPLES]) {
        if self.erased <= 1 {
            return;
        }
        let gain = 1.0 - (self.erased - 2) as f32 * ATTENUATION_PER_FRAME;
        self.fade_from(samples, gain);
    }

    /// Fades `samples` from `gain` down by 20 % per frame, replacing what
    /// is taken away by comfort noise.
    fn fade_from(&mut self, samples: &mut [f32], gain: f32) {
        let step = ATTENUATION_PER_FRAME / FRAME_SAMPLES as f32;
        let mut gain = gain.max(0.0);
        for s in samples.iter_mut() {
            gain = (gain - step).max(0.0);
            let noise = if self.noise_fill { self.noise_sample() } else { 0.0 };
            *s = *s * gain + noise * (1.0 - gain);
        }
    }

    /// White noise at the background level, lightly low-passed.
    fn noise_sample(&mut self) -> f32 {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 17;
        self.rng ^= self.rng << 5;
        let white = (self.rng >> 8) as f32 / (1u32 << 23) as f32 - 1.0;
        self.noise_state = 0.5 * self.noise_state + 0.5 * white;
        // Uniform [-1, 1) has RMS 1/sqrt(3); the filter keeps 1/sqrt(3) of it.
        self.noise_state * self.noise_rms * 3.0
    }

    /// Follows the background level: down at once, up slowly (about
    /// 0.4 dB per second), ignoring frames loud enough to be speech.
    fn track_noise(&mut self, samples: &[i16; FRAME_SAMPLES]) {
        // The first half of the frame (5 ms) is enough for a floor that only
        // follows quiet stretches, at half the cost.
        const PART: usize = FRAME_SAMPLES / 2;
        let mut acc = [0.0f32; 8];
        for chunk in samples[..PART].chunks_exact(8) {
            for (a, &s) in acc.iter_mut().zip(chunk) {
                let x = f32::from(s);
                *a += x * x;
            }
        }
        let rms = (acc.iter().sum::<f32>() / PART as f32).sqrt();
        if rms > MAX_NOISE_RMS {
            return;
        }
        if rms < self.noise_rms || self.noise_rms == 0.0 {
            self.noise_rms = rms;
        } else {
            self.noise_rms = (self.noise_rms * 1.005 + 0.01).min(rms);
        }
    }

    /// Appends a frame to the history and replaces it by the delayed output.
    fn save(&mut self, frame: &mut [i16; FRAME_SAMPLES]) {
        if self.end + FRAME_SAMPLES > BUF_LEN {
            self.buf.copy_within(self.end - HISTORY_LEN..self.end, 0);
            self.end = HISTORY_LEN;
        }
        self.buf[self.end..self.end + FRAME_SAMPLES].copy_from_slice(frame);
        self.end += FRAME_SAMPLES;
        let from = self.end - FRAME_SAMPLES - PLC_DELAY_SAMPLES;
        frame.copy_from_slice(&self.buf[from..from + FRAME_SAMPLES]);
    }

    /// Pitch period in samples (40-120) of the end of the pitch buffer:
    /// the lag whose window best matches the last 20 ms by normalised
    /// cross-correlation, first on every second sample, then refined.
    fn find_pitch(&self) -> usize {
        let buf = &self.pitch_buf;
        let reference = HISTORY_LEN - CORR_LEN;
        let search = HISTORY_LEN - CORR_BUF_LEN;
        let range = PITCH_MAX - PITCH_MIN;
        // Coarse search on every second sample: contiguous decimated copies
        // make each lag one vectorisable dot product, and the window energy
        // slides by one decimated sample per lag.
        const REF_D: usize = CORR_LEN / DECIMATION;
        const SEARCH_D: usize = CORR_BUF_LEN / DECIMATION;
        let mut ref_d = [0.0f32; REF_D];
        let mut search_d = [0.0f32; SEARCH_D];
        for (k, r) in ref_d.iter_mut().enumerate() {
            *r = buf[reference + DECIMATION * k];
        }
        for (k, x) in search_d.iter_mut().enumerate() {
            *x = buf[search + DECIMATION * k];
        }
        let mut energy = dot(&search_d[..REF_D], &search_d[..REF_D]);
        let mut best = 0;
        let mut best_score = f32::NEG_INFINITY;
        for k in 0..=range / DECIMATION {
            if k > 0 {
                let out = search_d[k - 1];
                let inn = search_d[k - 1 + REF_D];
                energy = (energy - out * out + inn * inn).max(0.0);
            }
            let corr = dot(&search_d[k..k + REF_D], &ref_d);
            // corr·|corr| / energy orders lags like corr / sqrt(energy)
            // without a square root per lag.
            let score = corr * corr.abs() / energy.max(CORR_MIN_POWER);
            if score > best_score {
                best_score = score;
                best = k * DECIMATION;
            }
        }
        // Fine search around the coarse best at full rate.
        let low = best.saturating_sub(DECIMATION - 1);
        let high = (best + DECIMATION - 1).min(range);
        let target = &buf[reference..reference + CORR_LEN];
        let mut fine_best = best;
        let mut fine_score = f32::NEG_INFINITY;
        for j in low..=high {
            let window = &buf[search + j..search + j + CORR_LEN];
            let corr = dot(window, target);
            let score = corr * corr.abs() / dot(window, window).max(CORR_MIN_POWER);
            if score > fine_score {
                fine_score = score;
                fine_best = j;
            }
        }
        PITCH_MAX - fine_best
    }
}

/// Dot product with eight partial sums (vectorisable).
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let mut chunks_a = a.chunks_exact(8);
    let mut chunks_b = b.chunks_exact(8);
    for (ca, cb) in (&mut chunks_a).zip(&mut chunks_b) {
        for k in 0..8 {
            acc[k] += ca[k] * cb[k];
        }
    }
    let tail: f32 = chunks_a
        .remainder()
        .iter()
        .zip(chunks_b.remainder())
        .map(|(x, y)| x * y)
        .sum();
    acc.iter().sum::<f32>() + tail
}

/// Rounds to the nearest 16-bit sample (half away from zero), saturating.
fn to_i16(x: f32) -> i16 {
    (x + 0.5f32.copysign(x)) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(n: usize, freq: f32, amp: f32) -> f32 {
        amp * (2.0 * core::f32::consts::PI * freq * n as f32 / 8000.0).sin()
    }

    fn frame_of(start: usize, f: impl Fn(usize) -> f32) -> [i16; FRAME_SAMPLES] {
        let mut frame = [0i16; FRAME_SAMPLES];
        for (i, s) in frame.iter_mut().enumerate() {
            *s = f(start + i) as i16;
        }
        frame
    }

    /// Runs frames of `f` through the PLC, losing those for which `lost`
    /// says so; returns the output.
    fn run(frames: usize, f: impl Fn(usize) -> f32, lost: impl Fn(usize) -> bool) -> Vec<i16> {
        let mut plc = Plc::new();
        let mut out = Vec::new();
        for k in 0..frames {
            let mut frame = frame_of(k * FRAME_SAMPLES, &f);
            if lost(k) {
                plc.lost_frame(&mut frame);
            } else {
                plc.good_frame(&mut frame);
            }
            out.extend_from_slice(&frame);
        }
        out
    }

    #[test]
    fn received_frames_come_out_delayed_by_3_75_ms() {
        let out = run(5, |n| n as f32, |_| false);
        for (n, &s) in out.iter().enumerate().skip(PLC_DELAY_SAMPLES) {
            assert_eq!(s as usize, n - PLC_DELAY_SAMPLES);
        }
    }

    #[test]
    fn pitch_of_a_periodic_signal_is_found() {
        for period in [40usize, 57, 80, 100, 120] {
            let mut plc = Plc::new();
            for k in 0..6 {
                let mut frame = frame_of(k * 80, |n| {
                    let phase = (n % period) as f32 / period as f32;
                    8000.0 * (phase - 0.5) + sine(n, 8000.0 / period as f32 * 3.0, 2000.0)
                });
                plc.good_frame(&mut frame);
            }
            plc.load_pitch_buf();
            let found = plc.find_pitch();
            assert_eq!(found % period, 0, "period {period} found {found}");
        }
    }

    #[test]
    fn a_single_lost_frame_of_a_steady_vowel_is_restored_closely() {
        let vowel = |n: usize| sine(n, 125.0, 6000.0) + sine(n, 250.0, 3000.0) + sine(n, 375.0, 1500.0);
        let clean = run(10, vowel, |_| false);
        let concealed = run(10, vowel, |k| k == 5);
        let range = 5 * 80 - PLC_DELAY_SAMPLES..6 * 80 + 40;
        let err: f64 = range
            .clone()
            .map(|i| (f64::from(clean[i]) - f64::from(concealed[i])).powi(2))
            .sum();
        let sig: f64 = range.map(|i| f64::from(clean[i]).powi(2)).sum();
        let snr = 10.0 * (sig / err).log10();
        assert!(snr > 15.0, "SNR {snr:.1} dB over the gap");
    }

    #[test]
    fn long_losses_fade_out_after_60_ms() {
        let mut plc = Plc::new();
        plc.set_noise_fill(false);
        let mut frame = [0i16; 80];
        for k in 0..6 {
            frame = frame_of(k * 80, |n| sine(n, 200.0, 10000.0));
            plc.good_frame(&mut frame);
        }
        let mut peaks = Vec::new();
        for _ in 0..8 {
            plc.lost_frame(&mut frame);
            peaks.push(frame.iter().map(|s| s.unsigned_abs()).max().unwrap());
        }
        // Frames 1-2 near full level (output delayed 30 samples), then falling,
        // silence from the 7th on (60 ms + the delay).
        assert!(peaks[0] > 9000 && peaks[1] > 8000, "{peaks:?}");
        assert!(peaks[3] < peaks[2] && peaks[4] < peaks[3], "{peaks:?}");
        assert_eq!(peaks[7], 0, "{peaks:?}");
    }

    #[test]
    fn long_losses_fade_into_noise_at_the_background_level() {
        let mut plc = Plc::new();
        let mut rng = 1u32;
        let mut noise = move || {
            rng = rng.wrapping_mul(1_103_515_245).wrapping_add(12345);
            ((rng >> 16) as f32 / 32768.0 - 1.0) * 173.0 // RMS 100
        };
        let mut frame = [0i16; 80];
        for _ in 0..100 {
            for s in frame.iter_mut() {
                *s = noise() as i16;
            }
            plc.good_frame(&mut frame);
        }
        assert!(
            (70.0..130.0).contains(&plc.noise_level()),
            "{}",
            plc.noise_level()
        );
        for _ in 0..8 {
            plc.lost_frame(&mut frame);
        }
        let rms = (frame.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / 80.0).sqrt();
        assert!((50.0..150.0).contains(&rms), "comfort noise RMS {rms}");
    }

    /// Largest sample-to-sample step of a signal.
    fn max_step(x: &[i16]) -> i32 {
        x.windows(2)
            .map(|w| (i32::from(w[1]) - i32::from(w[0])).abs())
            .max()
            .unwrap()
    }

    #[test]
    fn joins_into_and_out_of_gaps_have_no_clicks() {
        // A vowel-like signal whose pitch is not a whole number of samples,
        // so that plain repetition without overlap-add would jump.
        let vowel = |n: usize| sine(n, 131.0, 7000.0) + sine(n, 262.0, 3000.0) + sine(n, 655.0, 800.0);
        let clean = run(60, vowel, |_| false);
        let limit = max_step(&clean);
        for gap in [1usize, 2, 3, 5, 8] {
            let out = run(60, vowel, |k| {
                (20..20 + gap).contains(&k) || (40..40 + gap).contains(&k)
            });
            let step = max_step(&out);
            assert!(
                f64::from(step) <= 1.3 * f64::from(limit),
                "gap of {gap} frames: step {step} against {limit} in the clean signal"
            );
        }
    }

    #[test]
    fn silence_in_gives_silence_out_on_loss_without_noise() {
        let mut plc = Plc::new();
        let mut frame = [0i16; 80];
        plc.good_frame(&mut frame);
        plc.lost_frame(&mut frame);
        assert!(frame.iter().all(|&s| s == 0));
    }
}
