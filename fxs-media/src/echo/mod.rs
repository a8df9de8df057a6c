//! Line echo canceller after ITU-T G.168 (figures in media.md §7).
//!
//! The 2-to-4-wire hybrid of an analog line reflects part of what we send
//! to the phone back into what we read from it. [`EchoCanceller`] learns
//! that reflection (the echo path, up to 128 ms long) from the two signals
//! and subtracts its estimate from the line's audio before it is encoded.
//!
//! # Clocks
//!
//! The canceller is fed once per 10 ms tick with two frames of the same
//! tick: `far`, the downlink frame the gateway writes to the line (what the
//! phone will hear), and `near`, the uplink frame it read from the line
//! (the phone's microphone plus the hybrid's echo of earlier `far` frames).
//! Any fixed delay between the two (SLIC buffering, codec and hybrid) is part
//! of the echo path and must fit within the tail length.
//!
//! # How it works
//!
//! - **Adaptive filter**: a partitioned-block frequency-domain adaptive
//!   filter (overlap-save, 80-sample blocks, one partition per 10 ms of
//!   tail). Each bin's step is normalised by the far-end power and scaled
//!   per partition in proportion to the partition's share of the estimate
//!   (proportionate update, as IPNLMS does in time): hybrid echoes are
//!   sparse, and the partitions that hold the echo converge fastest.
//! - **Step control**: until the filter has converged the step is large;
//!   afterwards it follows an estimate of the residual echo: the share of
//!   the echo estimate's power that still leaks into the output, measured
//!   by how the output's spectrum follows the estimate's. Near-end speech
//!   does not follow the estimate, so the step shrinks by itself in double
//!   talk.
//! - **Two filters**: a background filter adapts; the foreground filter,
//!   which produces the output, only receives the background's taps when
//!   they cancel measurably better. If the background diverges (double talk
//!   that slipped past the detectors) it is reset from the foreground, so
//!   the output never diverges.
//! - **Double-talk detector**: Geigel (near-end peak above the far-end peak
//!   over the tail minus 6 dB, media.md §7) freezes the adaptation.
//! - **Non-linear processor**: when the far end talks, the near end does
//!   not and the output is weaker than the echo it replaced, the output is
//!   replaced by comfort noise matched to the background.
//! - **Tone disabler**: 2100 Hz with phase reversals (V.25 `/ANS`) in either
//!   direction switches the canceller to pass-through until both
//!   directions have been quiet for 250 ms.
//!
//! Everything is sized at construction; [`EchoCanceller::process`] does not
//! allocate.
//!
//! # Measuring it
//!
//! ```text
//! # G.168-style table: every far-end level from -30 to -10 dBm0, 1024 taps
//! cargo test -p fxs-media --release --test echo_g168 -- --ignored --nocapture
//! # throughput, and ERLE beside spandsp's echo_can on the same echo path
//! cargo bench -p fxs-benches --features spandsp --bench echo
//! ```

mod comfort;
mod fdaf;
mod tone;

use num_complex::Complex32;

use crate::{Error, FRAME_SAMPLES};
use comfort::{ComfortNoise, NoiseModel};
use fdaf::{BINS, BLOCK, FFT_LEN, FarHistory, Filter, Transform, ZEROS};
use tone::ReversalDetector;

/// Shortest tail accepted, in ms (the G.168 16 ms class).
pub const MIN_TAIL_MS: u32 = 16;
/// Longest tail accepted, in ms (128 ms = 1024 taps at 8 kHz; media.md §7).
pub const MAX_TAIL_MS: u32 = 128;

/// Mean square of a 0 dBm0 sine on 16-bit PCM (RMS 16 140, media.md §1).
const MS_0DBM0: f32 = 2.605e8;
/// Geigel threshold: the near-end peak must stay 6 dB under the far-end
/// peak (the hybrid's ERL is at least 6 dB, media.md §7). The detector
/// keeps a 6 dB margin over the measured ERL, so a hybrid close to the
/// 6 dB minimum does not hold the adaptation frozen; it never gets more
/// lenient than "near-end peak above far-end peak".
const GEIGEL_RATIO: f32 = 0.5;
/// Geigel margin over the measured ERL (6 dB as an amplitude ratio).
const GEIGEL_MARGIN: f32 = 2.0;
/// Frames the double-talk decision is held after the near end stops (30 ms).
const DOUBLE_TALK_HANGOVER: u32 = 3;
/// Energy double-talk detector: output this many times above the residual
/// echo the ERLE predicts...
const ENERGY_DT_RATIO: f32 = 16.0;
/// ...and this many times above the background noise...
const ENERGY_DT_NOISE_RATIO: f32 = 4.0;
/// ...and less correlated with the echo estimate than this (squared
/// normalised correlation).
const ENERGY_DT_MAX_CORRELATION: f32 = 0.2;
/// Smoothing of the correlation's terms (about 30 ms).
const DT_SMOOTHING: f32 = 0.3;
/// ERLE assumed at most when predicting the residual, dB.
const ENERGY_DT_MAX_ERLE_DB: f32 = 30.0;
/// Step scale of the background while only the energy detector sees
/// double talk: small, so an echo-path change it mistakes for talk is still
/// learnt (the foreground takes it once the background is 6 dB better),
/// while near-end speech cannot move the background far (and if it does,
/// the background is reset from the foreground).
const ENERGY_DT_STEP_SCALE: f32 = 0.1;
/// In double talk the foreground only takes the background's taps when the
/// background's output is 6 dB weaker.
const DOUBLE_TALK_COPY_RATIO: f32 = 0.25;
/// Far-end activity: frame mean square above −50 dBm0.
const FAR_ACTIVE_MS: f32 = MS_0DBM0 * 1e-5;
/// Near-end peaks below this (about −50 dBm0) never count as double talk.
const NEAR_PEAK_FLOOR: f32 = 72.0;
/// Step while converging (fraction of the normalised NLMS step).
const INITIAL_STEP: f32 = 1.0;
/// Largest step the residual-echo control may give.
const MAX_STEP: f32 = 0.5;
/// Smallest leak estimate: keeps tracking slow echo-path drift.
const MIN_LEAK: f32 = 0.005;
/// Smoothing of the per-bin power means of the leak estimator.
const SPECTRAL_MEAN_SMOOTHING: f32 = 0.05;
/// Fastest update of the leak estimate, per frame.
const LEAK_MAX_RATE: f32 = 0.02;
/// Regularisation of the step normaliser (far-end power per bin), about
/// the power of −65 dBm0 noise in one bin of a 160-point FFT.
const POWER_FLOOR: f32 = 2.0e4;
/// IPNLMS proportionality: −0.75 gives each partition 7/8 of the uniform
/// step plus a share of the rest in proportion to its energy.
const PROPORTIONATE_ALPHA: f32 = -0.75;
/// Far-active frames of adaptation before the residual-echo control takes over.
const WARMUP_FRAMES: u32 = 50;
/// ERLE at which the residual-echo control takes over from the initial step, dB.
const WARM_ERLE_DB: f32 = 20.0;
/// ERLE above which the canceller counts as converged, dB.
const CONVERGED_ERLE_DB: f32 = 12.0;
/// NLP: suppress when the output is this far under the echo estimate.
const NLP_RESIDUAL_RATIO: f32 = 0.5;
/// NLP: also suppress when the output is 30 dB under the far end.
const NLP_FAR_RATIO: f32 = 1e-3;
/// Frames the NLP stays on after its condition ends (20 ms).
const NLP_HANGOVER: u32 = 2;

/// Configuration of an [`EchoCanceller`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EchoConfig {
    /// Echo path capacity in ms, [`MIN_TAIL_MS`]..=[`MAX_TAIL_MS`]; rounded
    /// up to a multiple of 10 ms (one filter partition per frame).
    pub tail_ms: u32,
    /// Non-linear processing: remove the residual echo left by the linear
    /// filter when only the far end talks.
    pub nlp: bool,
    /// Fill what the NLP removes with comfort noise matched to the
    /// background (otherwise silence).
    pub comfort_noise: bool,
    /// Switch to pass-through on 2100 Hz with phase reversals (G.165/G.168
    /// tone disabler), for fax and modem calls.
    pub tone_disabler: bool,
}

impl Default for EchoConfig {
    /// 128 ms tail (what gateways ship), NLP with comfort noise, tone
    /// disabler on.
    fn default() -> Self {
        EchoConfig {
            tail_ms: MAX_TAIL_MS,
            nlp: true,
            comfort_noise: true,
            tone_disabler: true,
        }
    }
}

impl EchoConfig {
    /// Checks the configuration; names the field that is out of range.
    pub fn validate(&self) -> Result<(), Error> {
        if !(MIN_TAIL_MS..=MAX_TAIL_MS).contains(&self.tail_ms) {
            return Err(Error::InvalidConfig {
                field: "tail_ms",
                value: u64::from(self.tail_ms),
                allowed: "16 to 128 ms (G.168 tail classes)",
            });
        }
        Ok(())
    }
}

/// What the canceller knows about its state, updated every frame.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EchoStats {
    /// Echo return loss enhancement estimate in dB: near-end power over
    /// output power (before NLP), smoothed over frames with far-end speech
    /// and no double talk. Includes the near-end noise, so it is a lower
    /// bound of the true echo reduction.
    pub erle_db: f32,
    /// Echo return loss estimate in dB: far-end power over near-end power
    /// in the same frames.
    pub erl_db: f32,
    /// The estimate has converged (ERLE above 12 dB).
    pub converged: bool,
    /// Double talk was detected in the last frame (adaptation frozen).
    pub double_talk: bool,
    /// The NLP replaced the last frame's residual echo.
    pub nlp_active: bool,
    /// A 2100 Hz tone with phase reversals has disabled the canceller.
    pub disabled_by_tone: bool,
    /// Times the background filter's taps were copied to the foreground.
    pub foreground_updates: u64,
    /// Times the background filter was reset after diverging.
    pub background_resets: u64,
    /// Frames processed.
    pub frames: u64,
}

/// One filter's per-frame signals.
struct Path {
    filter: Filter,
    spectrum: Vec<Complex32>,
    estimate: [f32; BLOCK],
    error: [f32; BLOCK],
}

impl Path {
    fn new(partitions: usize) -> Path {
        Path {
            filter: Filter::new(partitions),
            spectrum: vec![Complex32::default(); BINS],
            estimate: [0.0; BLOCK],
            error: [0.0; BLOCK],
        }
    }

    /// Computes this path's echo estimate and error for `near`.
    fn run(
        &mut self,
        far: &FarHistory,
        near: &[f32; BLOCK],
        transform: &mut Transform,
        time: &mut [f32; FFT_LEN],
    ) {
        self.filter.estimate(far, &mut self.spectrum);
        transform.inverse(&self.spectrum, time);
        self.estimate.copy_from_slice(&time[BLOCK..]);
        for ((e, d), y) in self.error.iter_mut().zip(near).zip(&self.estimate) {
            *e = d - y;
        }
    }
}

/// Line echo canceller for one call leg; see the [module docs](self).
///
/// ```
/// use fxs_media::echo::{EchoCanceller, EchoConfig};
/// use fxs_media::FRAME_SAMPLES;
///
/// let mut ec = EchoCanceller::new(EchoConfig { tail_ms: 64, ..EchoConfig::default() })?;
/// let far = [0i16; FRAME_SAMPLES]; // what we wrote to the line this tick
/// let mut near = [0i16; FRAME_SAMPLES]; // what we read from it
/// ec.process(&far, &mut near); // near now has the echo removed
/// assert!(!ec.stats().disabled_by_tone);
/// # Ok::<(), fxs_media::Error>(())
/// ```
pub struct EchoCanceller {
    config: EchoConfig,
    partitions: usize,
    transform: Transform,
    far: FarHistory,
    foreground: Path,
    background: Path,
    time: [f32; FFT_LEN],
    far_block: [f32; BLOCK],
    near_block: [f32; BLOCK],
    // Step control.
    error_bins: Vec<Complex32>,
    step_error: Vec<Complex32>,
    fg_error_power: Vec<f32>,
    fg_estimate_power: Vec<f32>,
    error_mean: Vec<f32>,
    estimate_mean: Vec<f32>,
    leak_cross: f32,
    leak_auto: f32,
    gains: Vec<f32>,
    adapted_frames: u32,
    warm: bool,
    // Two-path comparison.
    diff_fast: f32,
    diff_slow: f32,
    var_fast: f32,
    var_slow: f32,
    // Double talk.
    far_peaks: Vec<f32>,
    far_peak_slot: usize,
    far_powers: Vec<f32>,
    double_talk_hold: u32,
    dt_cross: f32,
    dt_error: f32,
    dt_estimate: f32,
    fg_energy: f32,
    bg_energy: f32,
    // NLP.
    noise: NoiseModel,
    comfort: ComfortNoise,
    comfort_block: [f32; BLOCK],
    nlp_hold: u32,
    nlp_gain: f32,
    // Tone disabler.
    tone_far: ReversalDetector,
    tone_near: ReversalDetector,
    quiet_frames: u32,
    erle_near: f32,
    erle_error: f32,
    erl_far: f32,
    stats: EchoStats,
}

impl core::fmt::Debug for EchoCanceller {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("EchoCanceller")
            .field("config", &self.config)
            .field("partitions", &self.partitions)
            .field("stats", &self.stats)
            .finish_non_exhaustive()
    }
}

fn mean_square(block: &[f32; BLOCK]) -> f32 {
    block.iter().map(|s| s * s).sum::<f32>() / BLOCK as f32
}

fn peak(block: &[f32; BLOCK]) -> f32 {
    block.iter().fold(0.0f32, |m, s| m.max(s.abs()))
}

impl EchoCanceller {
    /// Builds a canceller: validates `config`, plans the FFTs and sizes
    /// every buffer.
    pub fn new(config: EchoConfig) -> Result<EchoCanceller, Error> {
        config.validate()?;
        let partitions = config.tail_ms.div_ceil(10) as usize;
        Ok(EchoCanceller {
            config,
            partitions,
            transform: Transform::new(),
            far: FarHistory::new(partitions),
            foreground: Path::new(partitions),
            background: Path::new(partitions),
            time: [0.0; FFT_LEN],
            far_block: [0.0; BLOCK],
            near_block: [0.0; BLOCK],
            error_bins: vec![Complex32::default(); BINS],
            step_error: vec![Complex32::default(); BINS],
            fg_error_power: vec![0.0; BINS],
            fg_estimate_power: vec![0.0; BINS],
            error_mean: vec![0.0; BINS],
            estimate_mean: vec![0.0; BINS],
            leak_cross: 1.0,
            leak_auto: 1.0,
            gains: vec![0.0; partitions],
            adapted_frames: 0,
            warm: false,
            diff_fast: 0.0,
            diff_slow: 0.0,
            var_fast: 0.0,
            var_slow: 0.0,
            far_peaks: vec![0.0; partitions + 1],
            far_peak_slot: 0,
            far_powers: vec![0.0; partitions + 1],
            double_talk_hold: 0,
            dt_cross: 0.0,
            dt_error: 0.0,
            dt_estimate: 0.0,
            fg_energy: 0.0,
            bg_energy: 0.0,
            noise: NoiseModel::new(),
            comfort: ComfortNoise::new(),
            comfort_block: [0.0; BLOCK],
            nlp_hold: 0,
            nlp_gain: 1.0,
            tone_far: ReversalDetector::new(),
            tone_near: ReversalDetector::new(),
            quiet_frames: 0,
            erle_near: 0.0,
            erle_error: 0.0,
            erl_far: 0.0,
            stats: EchoStats::default(),
        })
    }

    /// The configuration this canceller was built with.
    pub fn config(&self) -> &EchoConfig {
        &self.config
    }

    /// Filter length in taps (the tail rounded up to whole 10 ms partitions).
    pub fn taps(&self) -> usize {
        self.partitions * BLOCK
    }

    /// The state after the last frame.
    pub fn stats(&self) -> EchoStats {
        self.stats
    }

    /// Switches the non-linear processor on or off (e.g. off for a
    /// measurement, on for a call).
    pub fn set_nlp(&mut self, on: bool) {
        self.config.nlp = on;
    }

    /// Forgets the echo path and all history, as for a new call.
    pub fn reset(&mut self) {
        self.far.reset();
        self.foreground.filter.reset();
        self.background.filter.reset();
        self.error_mean.fill(0.0);
        self.estimate_mean.fill(0.0);
        self.leak_cross = 1.0;
        self.leak_auto = 1.0;
        self.adapted_frames = 0;
        self.warm = false;
        self.diff_fast = 0.0;
        self.diff_slow = 0.0;
        self.var_fast = 0.0;
        self.var_slow = 0.0;
        self.far_peaks.fill(0.0);
        self.far_powers.fill(0.0);
        self.double_talk_hold = 0;
        self.dt_cross = 0.0;
        self.dt_error = 0.0;
        self.dt_estimate = 0.0;
        self.fg_energy = 0.0;
        self.bg_energy = 0.0;
        self.noise = NoiseModel::new();
        self.nlp_hold = 0;
        self.nlp_gain = 1.0;
        self.tone_far.reset();
        self.tone_near.reset();
        self.quiet_frames = 0;
        self.erle_near = 0.0;
        self.erle_error = 0.0;
        self.erl_far = 0.0;
        self.stats = EchoStats::default();
    }

    /// Removes the echo of `far` from `near`, in place.
    ///
    /// `far` is the frame written to the line in the same tick as `near`
    /// was read from it (see the module docs). Frames are normally
    /// [`FRAME_SAMPLES`] long; the canceller works on whole 10 ms blocks of
    /// the first `min(far.len(), near.len())` samples, and samples beyond
    /// the last whole block pass through unchanged.
    pub fn process(&mut self, far: &[i16], near: &mut [i16]) {
        let len = far.len().min(near.len());
        let blocks = len / FRAME_SAMPLES;
        for (f, n) in far
            .chunks_exact(BLOCK)
            .zip(near.chunks_exact_mut(BLOCK))
            .take(blocks)
        {
            for (dst, &s) in self.far_block.iter_mut().zip(f) {
                *dst = f32::from(s);
            }
            for (dst, &s) in self.near_block.iter_mut().zip(n.iter()) {
                *dst = f32::from(s);
            }
            self.process_block();
            for (dst, &s) in n.iter_mut().zip(self.near_block.iter()) {
                // Float-to-int `as` saturates.
                *dst = s.round() as i16;
            }
        }
    }

    /// One 10 ms block: `far_block` in, `near_block` in and out.
    fn process_block(&mut self) {
        self.stats.frames += 1;
        if self.config.tone_disabler && self.tone_gate() {
            // Pass-through; keep the far history current for re-enabling.
            self.far.push(&self.far_block, &mut self.transform);
            return;
        }

        self.far.push(&self.far_block, &mut self.transform);
        self.foreground
            .run(&self.far, &self.near_block, &mut self.transform, &mut self.time);
        self.background
            .run(&self.far, &self.near_block, &mut self.transform, &mut self.time);

        let far_ms = mean_square(&self.far_block);
        let near_ms = mean_square(&self.near_block);
        self.far_peak_slot = (self.far_peak_slot + 1) % self.far_peaks.len();
        self.far_peaks[self.far_peak_slot] = peak(&self.far_block);
        self.far_powers[self.far_peak_slot] = far_ms;
        let far_tail_peak = self.far_peaks.iter().fold(0.0f32, |m, &p| m.max(p));
        let far_tail_ms = self.far_powers.iter().fold(0.0f32, |m, &p| m.max(p));
        let far_active = far_tail_ms > FAR_ACTIVE_MS;

        // Geigel double-talk detector.
        let near_peak = peak(&self.near_block);
        let erl_ratio = if self.erl_far > 0.0 {
            (self.erle_near / self.erl_far).sqrt()
        } else {
            0.5
        };
        let geigel = (GEIGEL_MARGIN * erl_ratio).clamp(GEIGEL_RATIO, 1.0);
        if near_peak > NEAR_PEAK_FLOOR && near_peak > geigel * far_tail_peak {
            self.double_talk_hold = DOUBLE_TALK_HANGOVER;
        } else {
            self.double_talk_hold = self.double_talk_hold.saturating_sub(1);
        }
        let geigel_talk = self.double_talk_hold > 0;

        // Energy/correlation detector, once converged: the output is far
        // above the residual echo the ERLE predicts and does not follow the
        // echo estimate (an echo-path change would: its error is correlated
        // with the old estimate).
        let error_ms = mean_square(&self.foreground.error);
        let estimate_ms = mean_square(&self.foreground.estimate);
        let cross: f32 = self
            .foreground
            .error
            .iter()
            .zip(&self.foreground.estimate)
            .map(|(e, y)| e * y)
            .sum();
        let n = BLOCK as f32;
        self.dt_cross += DT_SMOOTHING * (cross / n - self.dt_cross);
        self.dt_error += DT_SMOOTHING * (error_ms - self.dt_error);
        self.dt_estimate += DT_SMOOTHING * (estimate_ms - self.dt_estimate);
        let correlation = self.dt_cross * self.dt_cross / (self.dt_error * self.dt_estimate + 1.0);
        let erle_lin = 10f32.powf(self.stats.erle_db.min(ENERGY_DT_MAX_ERLE_DB) / 10.0);
        let expected = estimate_ms / erle_lin;
        let energy_talk = self.stats.converged
            && error_ms > ENERGY_DT_RATIO * expected + ENERGY_DT_NOISE_RATIO * self.noise.level()
            && correlation < ENERGY_DT_MAX_CORRELATION;
        let double_talk = (geigel_talk || energy_talk) && far_active;

        self.compare_paths(double_talk);
        let step_scale = if geigel_talk {
            0.0
        } else if energy_talk {
            ENERGY_DT_STEP_SCALE
        } else {
            1.0
        };
        self.adapt(far_active, step_scale);

        // Statistics on the foreground's linear output.
        let error_ms = mean_square(&self.foreground.error);
        if far_active && !double_talk && far_ms > FAR_ACTIVE_MS {
            let a = 0.05;
            self.erle_near += a * (near_ms - self.erle_near);
            self.erle_error += a * (error_ms - self.erle_error);
            self.erl_far += a * (far_ms - self.erl_far);
            self.stats.erle_db = 10.0 * ((self.erle_near + 1.0) / (self.erle_error + 1.0)).log10();
            self.stats.erl_db = 10.0 * ((self.erl_far + 1.0) / (self.erle_near + 1.0)).log10();
        }
        self.stats.converged = self.stats.erle_db >= CONVERGED_ERLE_DB;
        self.stats.double_talk = double_talk;

        self.noise.update(&self.foreground.error);
        self.nlp(far_active, double_talk, far_tail_ms, error_ms);
    }

    /// Runs the tone disabler; true while the canceller is disabled.
    fn tone_gate(&mut self) -> bool {
        let far_rev = self.tone_far.update(&self.far_block);
        let near_rev = self.tone_near.update(&self.near_block);
        if far_rev || near_rev {
            self.stats.disabled_by_tone = true;
            self.quiet_frames = 0;
        }
        if self.stats.disabled_by_tone {
            let quiet = mean_square(&self.far_block) < tone::QUIET_MEAN_SQUARE
                && mean_square(&self.near_block) < tone::QUIET_MEAN_SQUARE;
            self.quiet_frames = if quiet { self.quiet_frames + 1 } else { 0 };
            if self.quiet_frames >= tone::REENABLE_QUIET_FRAMES {
                self.stats.disabled_by_tone = false;
                self.quiet_frames = 0;
                self.tone_far.reset();
                self.tone_near.reset();
            }
        }
        self.stats.nlp_active = false;
        self.stats.disabled_by_tone
    }

    /// Two-path logic: copy the background to the foreground when it
    /// cancels significantly better; reset the background when it is
    /// significantly worse (it diverged).
    fn compare_paths(&mut self, double_talk: bool) {
        let fg = &self.foreground.error;
        let bg = &self.background.error;
        let sff: f32 = fg.iter().map(|e| e * e).sum();
        let see: f32 = bg.iter().map(|e| e * e).sum();
        let dbf: f32 = fg.iter().zip(bg).map(|(a, b)| (a - b) * (a - b)).sum();
        let diff = sff - see;
        self.diff_fast = 0.6 * self.diff_fast + 0.4 * diff;
        self.diff_slow = 0.85 * self.diff_slow + 0.15 * diff;
        self.var_fast = 0.36 * self.var_fast + 0.16 * sff * dbf;
        self.var_slow = 0.7225 * self.var_slow + 0.0225 * sff * dbf;

        // A difference much larger than its own spread is significant.
        let better = (diff > 0.0 && diff * diff > sff * dbf)
            || (self.diff_fast > 0.0 && self.diff_fast * self.diff_fast > 2.0 * self.var_fast)
            || (self.diff_slow > 0.0 && self.diff_slow * self.diff_slow > 2.0 * self.var_slow);
        let worse = (diff < 0.0 && diff * diff > 4.0 * sff * dbf)
            || (self.diff_fast < 0.0 && self.diff_fast * self.diff_fast > 8.0 * self.var_fast)
            || (self.diff_slow < 0.0 && self.diff_slow * self.diff_slow > 8.0 * self.var_slow);
        // In double talk the background may "cancel" some near-end speech;
        // only a large, sustained advantage (an echo-path change) counts.
        self.fg_energy += 0.1 * (sff - self.fg_energy);
        self.bg_energy += 0.1 * (see - self.bg_energy);
        let allowed = !double_talk || self.bg_energy < DOUBLE_TALK_COPY_RATIO * self.fg_energy;
        if better && allowed && dbf > 0.0 {
            self.foreground.filter.copy_from(&self.background.filter);
            self.foreground.estimate = self.background.estimate;
            self.foreground.error = self.background.error;
            self.foreground
                .spectrum
                .copy_from_slice(&self.background.spectrum);
            self.stats.foreground_updates += 1;
            self.clear_path_stats();
        } else if worse {
            self.background.filter.copy_from(&self.foreground.filter);
            self.background.estimate = self.foreground.estimate;
            self.background.error = self.foreground.error;
            self.stats.background_resets += 1;
            self.clear_path_stats();
        }
    }

    fn clear_path_stats(&mut self) {
        self.diff_fast = 0.0;
        self.diff_slow = 0.0;
        self.var_fast = 0.0;
        self.var_slow = 0.0;
    }

    /// Updates the leak estimate and adapts the background filter.
    fn adapt(&mut self, far_active: bool, step_scale: f32) {
        // Spectra of the foreground's output and echo estimate.
        self.transform
            .forward(&ZEROS, &self.foreground.error, &mut self.error_bins);
        for (p, e) in self.fg_error_power.iter_mut().zip(&self.error_bins) {
            *p = e.norm_sqr();
        }
        self.transform
            .forward(&ZEROS, &self.foreground.estimate, &mut self.step_error);
        for (p, y) in self.fg_estimate_power.iter_mut().zip(&self.step_error) {
            *p = y.norm_sqr();
        }

        let see: f32 = self.foreground.error.iter().map(|e| e * e).sum();
        let syy: f32 = self.foreground.estimate.iter().map(|y| y * y).sum();
        let sey: f32 = self
            .foreground
            .error
            .iter()
            .zip(&self.foreground.estimate)
            .map(|(e, y)| e * y)
            .sum();

        // Leak estimate: regression of the output's power fluctuations on
        // the echo estimate's, per bin, summed.
        let mut cross = 0.0;
        let mut auto = 0.0;
        for k in 0..BINS {
            let e = self.fg_error_power[k];
            let y = self.fg_estimate_power[k];
            self.error_mean[k] += SPECTRAL_MEAN_SMOOTHING * (e - self.error_mean[k]);
            self.estimate_mean[k] += SPECTRAL_MEAN_SMOOTHING * (y - self.estimate_mean[k]);
            let de = e - self.error_mean[k];
            let dy = y - self.estimate_mean[k];
            cross += de * dy;
            auto += dy * dy;
        }
        if far_active && syy > 0.0 {
            // Update faster when the echo estimate dominates the output.
            let rate = (0.08 * syy / (see + 1.0)).min(LEAK_MAX_RATE);
            self.leak_cross += rate * (cross - self.leak_cross);
            self.leak_auto += rate * (auto - self.leak_auto);
        }
        self.leak_auto = self.leak_auto.max(1.0);
        self.leak_cross = self.leak_cross.clamp(MIN_LEAK * self.leak_auto, self.leak_auto);
        let leak = self.leak_cross / self.leak_auto;

        if !far_active || step_scale == 0.0 {
            return;
        }
        self.adapted_frames = self.adapted_frames.saturating_add(1);
        if !self.warm && self.adapted_frames >= WARMUP_FRAMES && self.stats.erle_db > WARM_ERLE_DB {
            self.warm = true;
        }

        // Background error spectrum.
        self.transform
            .forward(&ZEROS, &self.background.error, &mut self.error_bins);
        let power = self.far.power();
        if self.warm {
            // Residual-to-error ratio from the leak, bounded below by the
            // plain correlation of output and estimate.
            let mut rer = 2.0 * leak * syy / (see + 1.0);
            rer = rer.max(sey * sey / (1.0 + see * syy)).min(MAX_STEP);
            let bins = self
                .step_error
                .iter_mut()
                .zip(&self.error_bins)
                .zip(power)
                .zip(self.fg_error_power.iter().zip(&self.fg_estimate_power));
            for (((out, err), p), (ef, yf)) in bins {
                let e = ef + 1.0;
                let r = (leak * yf).min(0.5 * e);
                let mu = ((0.7 * r + 0.3 * rer * e) / e).min(MAX_STEP) * step_scale;
                *out = err * (mu / (p + POWER_FLOOR));
            }
        } else {
            for ((out, err), p) in self.step_error.iter_mut().zip(&self.error_bins).zip(power) {
                *out = err * (INITIAL_STEP * step_scale / (p + POWER_FLOOR));
            }
        }

        // Proportionate gains (sum to the partition count, IPNLMS style).
        self.background.filter.partition_energies(&mut self.gains);
        let total: f32 = self.gains.iter().sum();
        let p = self.partitions as f32;
        for g in self.gains.iter_mut() {
            let share = if total > 0.0 { *g / total } else { 1.0 / p };
            *g = p * ((1.0 - PROPORTIONATE_ALPHA) / (2.0 * p) + (1.0 + PROPORTIONATE_ALPHA) * share / 2.0);
        }
        self.background
            .filter
            .adapt(&self.far, &self.step_error, &self.gains);
        let which = (self.stats.frames % self.partitions as u64) as usize;
        self.background
            .filter
            .constrain(which, &mut self.transform, &mut self.time);
    }

    /// Non-linear processing and comfort noise on the foreground output;
    /// writes the result to `near_block`.
    fn nlp(&mut self, far_active: bool, double_talk: bool, far_tail_ms: f32, error_ms: f32) {
        let estimate_ms = mean_square(&self.foreground.estimate);
        let residual_only =
            error_ms < NLP_RESIDUAL_RATIO * estimate_ms || error_ms < NLP_FAR_RATIO * far_tail_ms;
        if self.config.nlp && far_active && !double_talk && residual_only {
            self.nlp_hold = NLP_HANGOVER;
        } else {
            self.nlp_hold = self.nlp_hold.saturating_sub(1);
        }
        let active = self.config.nlp && self.nlp_hold > 0;
        self.stats.nlp_active = active;

        let target = if active { 0.0 } else { 1.0 };
        if active && self.config.comfort_noise {
            self.comfort.generate(&self.noise, &mut self.comfort_block);
        } else {
            self.comfort_block = [0.0; BLOCK];
        }
        // Ramp the gain over the block so switching does not click.
        let start = self.nlp_gain;
        let step = (target - start) / BLOCK as f32;
        let noise_on = self.config.comfort_noise;
        for (i, (out, (&e, &c))) in self
            .near_block
            .iter_mut()
            .zip(self.foreground.error.iter().zip(&self.comfort_block))
            .enumerate()
        {
            let g = start + step * (i + 1) as f32;
            *out = g * e + if noise_on { (1.0 - g) * c } else { 0.0 };
        }
        self.nlp_gain = target;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_outside_the_g168_classes_is_refused() {
        for tail_ms in [0, 15, 129, 1000] {
            let err = EchoCanceller::new(EchoConfig {
                tail_ms,
                ..EchoConfig::default()
            })
            .unwrap_err();
            assert!(
                matches!(err, Error::InvalidConfig { field: "tail_ms", .. }),
                "{tail_ms}"
            );
        }
    }

    #[test]
    fn tail_rounds_up_to_whole_frames() {
        let ec = EchoCanceller::new(EchoConfig {
            tail_ms: 16,
            ..EchoConfig::default()
        })
        .unwrap();
        assert_eq!(ec.taps(), 160);
        let ec = EchoCanceller::new(EchoConfig::default()).unwrap();
        assert_eq!(ec.taps(), 1040);
    }

    #[test]
    fn silence_in_gives_silence_out_without_comfort_noise() {
        let mut ec = EchoCanceller::new(EchoConfig {
            comfort_noise: false,
            ..EchoConfig::default()
        })
        .unwrap();
        let far = [0i16; FRAME_SAMPLES];
        for _ in 0..20 {
            let mut near = [0i16; FRAME_SAMPLES];
            ec.process(&far, &mut near);
            assert!(near.iter().all(|&s| s == 0));
        }
    }

    #[test]
    fn reset_forgets_the_echo_path() {
        let mut ec = EchoCanceller::new(EchoConfig {
            nlp: false,
            ..EchoConfig::default()
        })
        .unwrap();
        let mut seed = 1u32;
        let far: Vec<i16> = (0..16_000)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                ((seed >> 16) % 8001) as i16 - 4000
            })
            .collect();
        let mut near: Vec<i16> = (0..far.len())
            .map(|n| if n >= 40 { far[n - 40] / 2 } else { 0 })
            .collect();
        for (f, n) in far
            .chunks_exact(FRAME_SAMPLES)
            .zip(near.chunks_exact_mut(FRAME_SAMPLES))
        {
            ec.process(f, n);
        }
        assert!(ec.stats().converged, "{:?}", ec.stats());
        ec.reset();
        assert_eq!(ec.stats(), EchoStats::default());
        // With the path forgotten, the echo comes through untouched.
        let mut frame: [i16; FRAME_SAMPLES] = core::array::from_fn(|i| far[i + 40] / 2);
        let expected = frame;
        ec.process(&far[40..40 + FRAME_SAMPLES], &mut frame);
        assert_eq!(frame, expected);
    }

    #[test]
    fn short_trailing_samples_pass_through_unchanged() {
        let mut ec = EchoCanceller::new(EchoConfig::default()).unwrap();
        let far = [1000i16; 100];
        let mut near = [7i16; 100];
        ec.process(&far, &mut near);
        assert!(near[80..].iter().all(|&s| s == 7));
        assert_eq!(ec.stats().frames, 1);
    }
}
