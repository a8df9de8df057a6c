//! The echo canceller against simulated hybrid echo paths, G.168 style.
//!
//! The fast tests run in `cargo test -p fxs-media`. The full table (every
//! far-end level from −30 to −10 dBm0, several ERLs and delays, 1024 taps)
//! prints its figures and runs with:
//!
//! ```text
//! cargo test -p fxs-media --release --test echo_g168 -- --ignored --nocapture
//! ```

use fxs_media::FRAME_SAMPLES;
use fxs_media::echo::{EchoCanceller, EchoConfig};

const RATE: f32 = 8000.0;
/// RMS of a 0 dBm0 sine on 16-bit PCM (media.md §1: peak 22 826).
const RMS_0DBM0: f32 = 16_140.0;

fn rms_of(level_dbm0: f32) -> f32 {
    RMS_0DBM0 * 10f32.powf(level_dbm0 / 20.0)
}

/// Deterministic noise source (xorshift64*), Gaussian by the sum of four
/// uniforms (good enough for test signals).
struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let x = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        (x >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    }

    fn gauss(&mut self) -> f32 {
        // Sum of four U(-0.5, 0.5): variance 1/3.
        (self.uniform() + self.uniform() + self.uniform() + self.uniform()) * 1.732
    }
}

/// Speech-like signal: noise through a two-resonance filter (formants near
/// 500 and 1500 Hz) under a syllabic on/off envelope (bursts of 200-600 ms,
/// pauses of 40-160 ms, 10 ms ramps), scaled so its *active* level is
/// `level_dbm0`. With `continuous` the envelope is always on.
fn speech_like(seconds: f32, level_dbm0: f32, seed: u64, continuous: bool) -> Vec<f32> {
    let n = (seconds * RATE) as usize;
    let mut rng = Rng(seed | 1);
    let resonator = |f: f32, r: f32| (2.0 * r * (2.0 * std::f32::consts::PI * f / RATE).cos(), -r * r);
    let (a1, a2) = resonator(500.0, 0.93);
    let (b1, b2) = resonator(1500.0, 0.9);
    let (mut y1, mut y2, mut z1, mut z2) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    let mut raw = Vec::with_capacity(n);
    let mut envelope = Vec::with_capacity(n);
    let mut on = true;
    let mut left = 0usize;
    let mut env = 0.0f32;
    for _ in 0..n {
        if left == 0 {
            on = continuous || !on;
            let ms = if on {
                200.0 + 400.0 * (rng.uniform() + 0.5)
            } else {
                40.0 + 120.0 * (rng.uniform() + 0.5)
            };
            left = (ms * RATE / 1000.0) as usize;
        }
        left -= 1;
        let x = rng.gauss();
        let y = x + a1 * y1 + a2 * y2;
        y2 = y1;
        y1 = y;
        let z = x + b1 * z1 + b2 * z2;
        z2 = z1;
        z1 = z;
        raw.push(y + 0.5 * z);
        let target = if on { 1.0 } else { 0.0 };
        env += (target - env).clamp(-1.0 / 80.0, 1.0 / 80.0);
        envelope.push(env);
    }
    let (mut sum, mut count) = (0.0f64, 0usize);
    for (r, e) in raw.iter().zip(&envelope) {
        if *e > 0.99 {
            sum += f64::from(r * r);
            count += 1;
        }
    }
    let scale = rms_of(level_dbm0) / ((sum / count.max(1) as f64).sqrt() as f32).max(1e-9);
    raw.iter().zip(&envelope).map(|(r, e)| r * e * scale).collect()
}

/// Coloured background noise (Hoth-like low-pass tilt) at `level_dbm0`.
fn background_noise(len: usize, level_dbm0: f32, seed: u64) -> Vec<f32> {
    let mut rng = Rng(seed | 1);
    let mut last = 0.0f32;
    let raw: Vec<f32> = (0..len)
        .map(|_| {
            last = 0.7 * last + rng.gauss();
            last
        })
        .collect();
    let rms = (raw.iter().map(|x| x * x).sum::<f32>() / len.max(1) as f32).sqrt();
    let scale = rms_of(level_dbm0) / rms.max(1e-9);
    raw.iter().map(|x| x * scale).collect()
}

/// A hybrid echo path: a pure delay, then a short dispersive impulse
/// response (a damped oscillation with a small second reflection, the
/// shape of the G.168 Annex D models), scaled to the given ERL.
struct EchoPath {
    delay: usize,
    ir: Vec<f32>,
}

impl EchoPath {
    fn new(delay_ms: f32, erl_db: f32, variant: usize) -> EchoPath {
        let (len, tau, freq, second) = match variant % 3 {
            0 => (64, 8.0, 600.0, 0.3),
            1 => (96, 14.0, 300.0, 0.2),
            _ => (48, 5.0, 1100.0, 0.4),
        };
        let mut ir: Vec<f32> = (0..len)
            .map(|n| {
                let n = n as f32;
                let main = (-n / tau).exp() * (2.0 * std::f32::consts::PI * freq * n / RATE + 0.3).sin();
                // A second, smaller reflection of opposite sign at tap 20.
                let late = if n >= 20.0 {
                    -second * (-(n - 20.0) / tau).exp()
                } else {
                    0.0
                };
                main + late
            })
            .collect();
        // Scale to the ERL on speech-like signal (not on white noise: the
        // resonances of path and signal may line up).
        let reference = speech_like(2.0, -20.0, 99, true);
        let unscaled = EchoPath {
            delay: 0,
            ir: ir.clone(),
        }
        .echo_of(&reference);
        let gain = unscaled.iter().map(|e| e * e).sum::<f32>() / reference.iter().map(|x| x * x).sum::<f32>();
        let scale = (10f32.powf(-erl_db / 10.0) / gain).sqrt();
        for h in &mut ir {
            *h *= scale;
        }
        EchoPath {
            delay: (delay_ms * RATE / 1000.0) as usize,
            ir,
        }
    }

    /// The echo of `far` (same length).
    fn echo_of(&self, far: &[f32]) -> Vec<f32> {
        (0..far.len())
            .map(|n| {
                let mut acc = 0.0;
                for (k, h) in self.ir.iter().enumerate() {
                    if let Some(i) = n.checked_sub(self.delay + k) {
                        acc += h * far[i];
                    }
                }
                acc
            })
            .collect()
    }
}

fn to_i16(x: &[f32]) -> Vec<i16> {
    x.iter()
        .map(|&s| s.round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

/// One run: far-end and near-end signals through the canceller.
struct Run {
    /// The canceller's output.
    out: Vec<f32>,
    /// The echo in the near signal.
    echo: Vec<f32>,
    /// The near signal without its echo (speech + noise), as quantised.
    clean: Vec<f32>,
    far: Vec<f32>,
}

fn run(ec: &mut EchoCanceller, far: &[f32], path: &EchoPath, near_clean: &[f32]) -> Run {
    let far_q = to_i16(far);
    let farf: Vec<f32> = far_q.iter().map(|&s| f32::from(s)).collect();
    let echo = path.echo_of(&farf);
    let near: Vec<f32> = echo.iter().zip(near_clean).map(|(e, c)| e + c).collect();
    let mut near_q = to_i16(&near);
    for (f, n) in far_q
        .chunks_exact(FRAME_SAMPLES)
        .zip(near_q.chunks_exact_mut(FRAME_SAMPLES))
    {
        ec.process(f, n);
    }
    Run {
        out: near_q.iter().map(|&s| f32::from(s)).collect(),
        echo,
        clean: near_clean.to_vec(),
        far: farf,
    }
}

impl Run {
    /// True ERLE in dB over `[from, to)` seconds: echo power over the power
    /// of what is left of it (output minus the clean near-end signal).
    fn erle(&self, from: f32, to: f32) -> f32 {
        let (a, b) = ((from * RATE) as usize, ((to * RATE) as usize).min(self.out.len()));
        let echo: f64 = self.echo[a..b].iter().map(|e| f64::from(e * e)).sum();
        let residual: f64 = self.out[a..b]
            .iter()
            .zip(&self.clean[a..b])
            .map(|(o, c)| f64::from((o - c) * (o - c)))
            .sum();
        10.0 * ((echo + 1e-3) / (residual + 1e-3)).log10() as f32
    }

    /// First time (s) from which the ERLE over 100 ms windows reaches
    /// `target_db` in the window and in the two after it.
    fn convergence_time(&self, target_db: f32) -> Option<f32> {
        let windows = self.out.len() / 800;
        let erle: Vec<f32> = (0..windows)
            .map(|w| self.erle(w as f32 * 0.1, (w + 1) as f32 * 0.1))
            .collect();
        (0..windows.saturating_sub(2))
            .find(|&w| erle[w..w + 3].iter().all(|&e| e >= target_db))
            .map(|w| (w + 1) as f32 * 0.1)
    }

    /// Level in dBm0 of `signal` over `[from, to)` seconds.
    fn level(signal: &[f32], from: f32, to: f32) -> f32 {
        let (a, b) = ((from * RATE) as usize, ((to * RATE) as usize).min(signal.len()));
        let ms: f64 = signal[a..b].iter().map(|x| f64::from(x * x)).sum::<f64>() / (b - a).max(1) as f64;
        20.0 * ((ms.sqrt() as f32 + 1e-6) / RMS_0DBM0).log10()
    }
}

fn canceller(tail_ms: u32, nlp: bool) -> EchoCanceller {
    EchoCanceller::new(EchoConfig {
        tail_ms,
        nlp,
        comfort_noise: true,
        tone_disabler: true,
    })
    .unwrap()
}

/// Convergence on one far-end level; returns (steady ERLE, convergence time).
fn converge_at(level: f32, erl: f32, delay_ms: f32, variant: usize, seconds: f32) -> (f32, Option<f32>) {
    let far = speech_like(seconds, level, 11 + variant as u64, false);
    let noise = background_noise(far.len(), -75.0, 5);
    let path = EchoPath::new(delay_ms, erl, variant);
    let mut ec = canceller(128, false);
    let r = run(&mut ec, &far, &path, &noise);
    (r.erle(seconds - 1.5, seconds), r.convergence_time(20.0))
}

#[test]
fn converges_to_30_db_on_a_sparse_path_at_minus_20_dbm0() {
    let (erle, t) = converge_at(-20.0, 10.0, 50.0, 0, 4.0);
    assert!(erle >= 30.0, "steady-state ERLE {erle:.1} dB");
    let t = t.expect("never reached 20 dB ERLE");
    assert!(t <= 1.5, "convergence took {t:.1} s");
}

#[test]
fn converges_at_the_extreme_far_end_levels_with_a_100_ms_delay() {
    for level in [-30.0, -10.0] {
        let (erle, t) = converge_at(level, 6.0, 100.0, 1, 4.0);
        assert!(erle >= 30.0, "{level} dBm0: steady-state ERLE {erle:.1} dB");
        assert!(t.is_some_and(|t| t <= 2.0), "{level} dBm0: convergence {t:?}");
    }
}

/// Double talk: far-end speech throughout; the near end talks at `near_level`
/// from 3 s to 5 s. Returns (ERLE before, ERLE after, near speech preserved
/// in dB: its power over the power of the output's error during double talk).
fn double_talk(far_level: f32, near_level: f32, erl: f32, tail_ms: u32) -> (f32, f32, f32) {
    let far = speech_like(7.0, far_level, 21, true);
    let mut near = background_noise(far.len(), -75.0, 9);
    let talk = speech_like(2.0, near_level, 33, true);
    for (n, t) in near[24_000..40_000].iter_mut().zip(&talk) {
        *n += t;
    }
    let path = EchoPath::new(30.0, erl, 2);
    let mut ec = canceller(tail_ms, false);
    let r = run(&mut ec, &far, &path, &near);
    let kept: f64 = r.clean[24_000..40_000].iter().map(|x| f64::from(x * x)).sum();
    let damage: f64 = r.out[24_000..40_000]
        .iter()
        .zip(&r.clean[24_000..40_000])
        .map(|(o, c)| f64::from((o - c) * (o - c)))
        .sum();
    (
        r.erle(2.0, 3.0),
        r.erle(6.0, 7.0),
        10.0 * (kept / damage.max(1e-3)).log10() as f32,
    )
}

#[test]
fn double_talk_neither_diverges_nor_cancels_the_near_end() {
    let (before, after, preserved) = double_talk(-20.0, -20.0, 10.0, 64);
    assert!(before >= 25.0, "ERLE before double talk {before:.1} dB");
    assert!(
        after >= before - 3.0,
        "ERLE fell from {before:.1} to {after:.1} dB after double talk"
    );
    // What the canceller subtracts from the near speech is its residual
    // echo estimate error: the speech must come through nearly untouched.
    assert!(
        preserved >= 20.0,
        "near-end speech damaged: only {preserved:.1} dB above the error"
    );
}

#[test]
fn low_level_double_talk_does_not_diverge() {
    // G.168 Test 3A: near-end speech 15 dB under the far end.
    let (before, after, _) = double_talk(-15.0, -30.0, 6.0, 64);
    assert!(
        after >= before - 3.0,
        "ERLE fell from {before:.1} to {after:.1} dB"
    );
}

#[test]
fn with_nlp_the_residual_peak_is_under_minus_65_dbm0_after_one_second() {
    // media.md §7, Tests 2A as spandsp implements them: after 1 s of
    // far-end signal the peak of Sout stays at or below -65 dBm0 (no
    // near-end noise, so the comfort noise is silent too).
    let far = speech_like(3.0, -10.0, 61, true);
    let quiet = vec![0.0; far.len()];
    let path = EchoPath::new(30.0, 6.0, 0);
    let mut ec = canceller(128, true);
    let r = run(&mut ec, &far, &path, &quiet);
    let peak = r.out[8000..].iter().fold(0.0f32, |m, s| m.max(s.abs()));
    let peak_dbm0 = 20.0 * (peak.max(0.5) / 22_826.0).log10();
    assert!(
        peak_dbm0 <= -65.0,
        "peak Sout {peak_dbm0:.1} dBm0 (echo {:.1} dBm0)",
        Run::level(&r.echo, 1.0, 3.0)
    );
}

#[test]
fn reconverges_after_the_echo_path_changes() {
    // G.168 Test 2A's second half: the path changes after convergence.
    let far = speech_like(9.0, -20.0, 51, true);
    let first = EchoPath::new(20.0, 10.0, 0).echo_of(&far);
    let second = EchoPath::new(70.0, 8.0, 1).echo_of(&far);
    let noise = background_noise(far.len(), -75.0, 23);
    let echo: Vec<f32> = (0..far.len())
        .map(|n| if n < 24_000 { first[n] } else { second[n] })
        .collect();
    let near: Vec<f32> = echo.iter().zip(&noise).map(|(e, c)| e + c).collect();
    let mut ec = canceller(128, false);
    let far_q = to_i16(&far);
    let mut near_q = to_i16(&near);
    for (f, n) in far_q
        .chunks_exact(FRAME_SAMPLES)
        .zip(near_q.chunks_exact_mut(FRAME_SAMPLES))
    {
        ec.process(f, n);
    }
    let r = Run {
        out: near_q.iter().map(|&s| f32::from(s)).collect(),
        echo,
        clean: noise,
        far: vec![],
    };
    let before = r.erle(2.0, 3.0);
    let after = r.erle(8.0, 9.0);
    assert!(before >= 30.0, "ERLE before the change {before:.1} dB");
    assert!(after >= 25.0, "ERLE 5 s after the change {after:.1} dB");
}

/// 2100 Hz at −12 dBm0, with a 180° reversal every 450 ms when `reversals`.
fn answer_tone(seconds: f32, reversals: bool, offset_hz: f32) -> Vec<f32> {
    let amp = rms_of(-12.0) * std::f32::consts::SQRT_2;
    let w = 2.0 * std::f32::consts::PI * (2100.0 + offset_hz) / RATE;
    (0..(seconds * RATE) as usize)
        .map(|n| {
            let flips = if reversals { n / 3600 } else { 0 };
            let sign = if flips % 2 == 0 { 1.0 } else { -1.0 };
            sign * amp * (w * n as f32 + 0.2).sin()
        })
        .collect()
}

#[test]
fn answer_tone_with_phase_reversals_disables_the_canceller_until_quiet() {
    for offset in [0.0, 12.0, -12.0] {
        let mut ec = canceller(64, true);
        // Far-end speech first so the canceller has something to do.
        let mut far = speech_like(1.0, -20.0, 3, true);
        far.extend(answer_tone(1.5, true, offset));
        far.extend(vec![0.0; 4000]); // 0.5 s of quiet
        let path = EchoPath::new(10.0, 15.0, 0);
        let far_q = to_i16(&far);
        let farf: Vec<f32> = far_q.iter().map(|&s| f32::from(s)).collect();
        let mut near = to_i16(&path.echo_of(&farf));
        let before = near.clone();
        let mut disabled_at = None;
        let mut enabled_again_at = None;
        for (i, (f, n)) in far_q
            .chunks_exact(FRAME_SAMPLES)
            .zip(near.chunks_exact_mut(FRAME_SAMPLES))
            .enumerate()
        {
            ec.process(f, n);
            let disabled = ec.stats().disabled_by_tone;
            if disabled && disabled_at.is_none() {
                disabled_at = Some(i);
            }
            if !disabled && disabled_at.is_some() && enabled_again_at.is_none() {
                enabled_again_at = Some(i);
            }
        }
        let at = disabled_at.expect("tone with reversals did not disable the canceller");
        // Tone starts at frame 100; first reversal 450 ms later.
        assert!(
            (140..=160).contains(&at),
            "offset {offset}: disabled at frame {at}"
        );
        // Disabled means pass-through: the tone comes back untouched.
        let a = (at + 2) * FRAME_SAMPLES;
        assert_eq!(&near[a..a + 800], &before[a..a + 800], "offset {offset}");
        let again = enabled_again_at.expect("never re-enabled after the quiet");
        assert!(
            (250..=290).contains(&again),
            "offset {offset}: re-enabled at frame {again}"
        );
    }
}

#[test]
fn answer_tone_without_reversals_keeps_the_canceller_on() {
    let mut ec = canceller(64, true);
    let far = to_i16(&answer_tone(3.0, false, 7.0));
    let mut near = vec![0i16; far.len()];
    for (f, n) in far
        .chunks_exact(FRAME_SAMPLES)
        .zip(near.chunks_exact_mut(FRAME_SAMPLES))
    {
        ec.process(f, n);
        assert!(!ec.stats().disabled_by_tone);
    }
    // Nor does the same tone on the near side.
    let mut ec = canceller(64, true);
    let tone = to_i16(&answer_tone(3.0, false, -7.0));
    let silence = vec![0i16; tone.len()];
    let mut near = tone.clone();
    for (f, n) in silence
        .chunks_exact(FRAME_SAMPLES)
        .zip(near.chunks_exact_mut(FRAME_SAMPLES))
    {
        ec.process(f, n);
        assert!(!ec.stats().disabled_by_tone);
    }
}

#[test]
fn nlp_replaces_residual_echo_with_noise_at_the_background_level() {
    let far = speech_like(6.0, -15.0, 41, true);
    let noise = background_noise(far.len(), -55.0, 17);
    let path = EchoPath::new(20.0, 10.0, 0);
    let mut ec = canceller(64, true);
    let r = run(&mut ec, &far, &path, &noise);
    let out_level = Run::level(&r.out, 4.0, 6.0);
    let noise_level = Run::level(&noise, 4.0, 6.0);
    let echo_level = Run::level(&r.echo, 4.0, 6.0);
    assert!(ec.stats().nlp_active || ec.stats().converged);
    assert!(
        (out_level - noise_level).abs() <= 3.0,
        "output {out_level:.1} dBm0, background {noise_level:.1} dBm0 (echo {echo_level:.1})"
    );
    // The output does not carry the echo: it is uncorrelated with it.
    let cross: f64 = r.out[32_000..]
        .iter()
        .zip(&r.echo[32_000..])
        .map(|(o, e)| f64::from(o * e))
        .sum();
    let eo: f64 = r.echo[32_000..].iter().map(|e| f64::from(e * e)).sum();
    assert!(
        cross.abs() / eo < 0.01,
        "echo still correlated with the output: {:.3}",
        cross / eo
    );
    assert!(r.far.len() == r.out.len());
}

#[test]
fn nlp_without_comfort_noise_is_silent_during_far_end_speech() {
    let far = speech_like(5.0, -15.0, 43, true);
    let noise = background_noise(far.len(), -60.0, 19);
    let path = EchoPath::new(20.0, 10.0, 1);
    let mut ec = EchoCanceller::new(EchoConfig {
        tail_ms: 64,
        nlp: true,
        comfort_noise: false,
        tone_disabler: true,
    })
    .unwrap();
    let r = run(&mut ec, &far, &path, &noise);
    assert!(
        Run::level(&r.out, 4.0, 5.0) < -70.0,
        "output {:.1} dBm0",
        Run::level(&r.out, 4.0, 5.0)
    );
}

#[test]
#[ignore = "long run: prints the G.168-style table; run with --release --ignored --nocapture"]
fn g168_table_every_far_end_level() {
    println!("1024 taps (128 ms), NLP off, near-end noise -75 dBm0, speech-like far end (10 s)");
    println!("level dBm0 | ERL dB | delay ms | path | ERLE dB (last 1.5 s) | t(20 dB) s");
    let mut worst = f32::MAX;
    for level in [-30.0, -25.0, -20.0, -15.0, -10.0] {
        for (erl, delay, variant) in [(6.0, 5.0, 0), (10.0, 50.0, 1), (20.0, 100.0, 2), (6.0, 100.0, 1)] {
            let (erle, t) = converge_at(level, erl, delay, variant, 10.0);
            worst = worst.min(erle);
            let t = t.map_or("never".to_string(), |t| format!("{t:.1}"));
            println!("{level:>10} | {erl:>6} | {delay:>8} | {variant:>4} | {erle:>20.1} | {t:>9}");
        }
    }
    println!("double talk (far, near, ERL): ERLE before / after, near speech kept (dB)");
    for (far, near, erl) in [
        (-10.0, -10.0, 6.0),
        (-20.0, -20.0, 10.0),
        (-15.0, -30.0, 6.0),
        (-30.0, -15.0, 20.0),
    ] {
        let (b, a, kept) = double_talk(far, near, erl, 128);
        println!("{far:>5} {near:>5} {erl:>4}: {b:>5.1} / {a:>5.1}  kept {kept:>5.1}");
        assert!(a >= b - 3.0);
    }
    assert!(worst >= 30.0, "worst steady-state ERLE {worst:.1} dB");
}
