//! Line echo canceller, 128 ms tail (1024 taps): throughput in samples/s and,
//! with the `spandsp` feature, the same signal through spandsp's `echo_can`
//! beside ours, first as an ERLE report at every far-end level from −30 to
//! −10 dBm0, then as criterion throughput.
//!
//! ```text
//! cargo bench -p fxs-benches --bench echo
//! cargo bench -p fxs-benches --features spandsp --bench echo
//! ```
//!
//! Set `ECHO_REPORT=0` to skip the ERLE report. The report goes to stderr:
//! Debian's spandsp 0.0.6 prints its canceller's debugging lines on stdout
//! (`2>report.txt` keeps the table apart).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput};
use fxs_media::FRAME_SAMPLES;
use fxs_media::echo::{EchoCanceller, EchoConfig};

const RATE: f32 = 8000.0;
/// RMS of a 0 dBm0 sine on 16-bit PCM (media.md §1).
const RMS_0DBM0: f32 = 16_140.0;
/// 1024 taps.
const TAIL_MS: u32 = 128;
/// The same tail for spandsp, in taps.
#[cfg(feature = "spandsp")]
const TAPS: usize = 1024;

/// Speech-like far end: noise through two formant resonators (white noise
/// when `formants` is false) under a syllabic on/off envelope, active level
/// `level_dbm0`.
fn far_signal(samples: usize, level_dbm0: f32, seed: u64, formants: bool) -> Vec<i16> {
    let mut s = seed | 1;
    let mut uniform = move || {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        (s.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 40) as f32 / (1u64 << 24) as f32 - 0.5
    };
    let res = |f: f32, r: f32| (2.0 * r * (2.0 * std::f32::consts::PI * f / RATE).cos(), -r * r);
    let ((a1, a2), (b1, b2)) = (res(500.0, 0.93), res(1500.0, 0.9));
    let (mut y1, mut y2, mut z1, mut z2) = (0.0f32, 0.0, 0.0, 0.0);
    let mut env = 0.0f32;
    let mut raw = Vec::with_capacity(samples);
    for n in 0..samples {
        let x = uniform() + uniform() + uniform() + uniform();
        let y = x + a1 * y1 + a2 * y2;
        (y2, y1) = (y1, y);
        let z = x + b1 * z1 + b2 * z2;
        (z2, z1) = (z1, z);
        // 450 ms on, 100 ms off.
        let on = n % 4400 < 3600;
        env += ((if on { 1.0 } else { 0.0 }) - env).clamp(-1.0 / 80.0, 1.0 / 80.0);
        raw.push(if formants { y + 0.5 * z } else { x } * env);
    }
    let active: Vec<f32> = raw.iter().copied().filter(|x| *x != 0.0).collect();
    let rms = (active.iter().map(|x| x * x).sum::<f32>() / active.len().max(1) as f32).sqrt();
    let scale = RMS_0DBM0 * 10f32.powf(level_dbm0 / 20.0) / (rms * 0.8).max(1e-9);
    raw.iter()
        .map(|x| (x * scale).round().clamp(-32768.0, 32767.0) as i16)
        .collect()
}

/// Hybrid echo: 50 ms delay, damped 600 Hz oscillation over 64 taps, ERL 10 dB
/// (on white noise), plus −75 dBm0 noise.
fn echo_and_noise(far: &[i16]) -> (Vec<f32>, Vec<i16>) {
    let mut ir: Vec<f32> = (0..64)
        .map(|n| {
            let n = n as f32;
            (-n / 8.0).exp() * (2.0 * std::f32::consts::PI * 600.0 * n / RATE + 0.3).sin()
        })
        .collect();
    let energy: f32 = ir.iter().map(|h| h * h).sum();
    let scale = (0.1 / energy).sqrt();
    ir.iter_mut().for_each(|h| *h *= scale);
    let delay = 400;
    let mut seed = 7u32;
    let echo: Vec<f32> = (0..far.len())
        .map(|n| {
            ir.iter()
                .enumerate()
                .filter_map(|(k, h)| n.checked_sub(delay + k).map(|i| h * f32::from(far[i])))
                .sum()
        })
        .collect();
    let near = echo
        .iter()
        .map(|e| {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let noise = ((seed >> 8) as f32 / (1u32 << 24) as f32 - 0.5) * 3.46 * 2.9; // about -75 dBm0
            (e + noise).round().clamp(-32768.0, 32767.0) as i16
        })
        .collect();
    (echo, near)
}

/// ERLE (dB) of `out` against `near` over `[a, b)` samples.
fn erle(near: &[i16], out: &[i16], a: usize, b: usize) -> f32 {
    let p = |x: &[i16]| x.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() + 1.0;
    10.0 * (p(&near[a..b]) / p(&out[a..b])).log10() as f32
}

/// First time (s) from which three 100 ms windows reach 20 dB ERLE.
fn convergence(near: &[i16], out: &[i16]) -> Option<f32> {
    let w: Vec<f32> = (0..near.len() / 800)
        .map(|i| erle(near, out, i * 800, (i + 1) * 800))
        .collect();
    (0..w.len().saturating_sub(2))
        .find(|&i| w[i..i + 3].iter().all(|&e| e >= 20.0))
        .map(|i| (i + 1) as f32 * 0.1)
}

fn run_ours(far: &[i16], near: &[i16]) -> Vec<i16> {
    let mut ec = EchoCanceller::new(EchoConfig {
        tail_ms: TAIL_MS,
        nlp: false,
        ..EchoConfig::default()
    })
    .expect("valid config");
    let mut out = near.to_vec();
    for (f, n) in far
        .chunks_exact(FRAME_SAMPLES)
        .zip(out.chunks_exact_mut(FRAME_SAMPLES))
    {
        ec.process(f, n);
    }
    out
}

#[cfg(feature = "spandsp")]
fn run_spandsp(far: &[i16], near: &[i16]) -> Vec<i16> {
    use fxs_benches::spandsp::echo::{ECHO_CAN_USE_ADAPTION, SpandspEchoCanceller};
    let mut ec = SpandspEchoCanceller::new(TAPS, ECHO_CAN_USE_ADAPTION).expect("spandsp allocates");
    let mut out = near.to_vec();
    for (f, n) in far
        .chunks_exact(FRAME_SAMPLES)
        .zip(out.chunks_exact_mut(FRAME_SAMPLES))
    {
        ec.process(f, n);
    }
    out
}

fn report() {
    eprintln!(
        "ERLE, NLP off, 1024 taps, echo 50 ms + 64-tap dispersion, ERL 10 dB, noise -75 dBm0, 10 s far end"
    );
    eprintln!("far signal, dBm0 | ours: ERLE last 2 s, worst 0.5 s after 3 s, t(20 dB) | spandsp: same");
    for (formants, level) in [true, false]
        .into_iter()
        .flat_map(|f| [-30.0, -25.0, -20.0, -15.0, -10.0].map(|l| (f, l)))
    {
        let far = far_signal(80_000, level, 3, formants);
        let (_, near) = echo_and_noise(&far);
        let describe = |out: &[i16]| {
            let worst = (6..20)
                .map(|i| erle(&near, out, i * 4000, (i + 1) * 4000))
                .fold(f32::MAX, f32::min);
            let t = convergence(&near, out).map_or("never".to_string(), |t| format!("{t:.1} s"));
            format!(
                "{:6.1} dB, {:6.1} dB, {t:>7}",
                erle(&near, out, 64_000, 80_000),
                worst
            )
        };
        let ours = describe(&run_ours(&far, &near));
        #[cfg(feature = "spandsp")]
        let theirs = describe(&run_spandsp(&far, &near));
        #[cfg(not(feature = "spandsp"))]
        let theirs = "(build with --features spandsp)".to_string();
        let kind = if formants { "speech-like" } else { "white noise" };
        eprintln!("{kind} {level:>5} | {ours} | {theirs}");
    }
}

fn throughput(c: &mut Criterion) {
    let far = far_signal(80_000, -20.0, 5, true);
    let (_, near) = echo_and_noise(&far);
    // One iteration: one second (100 frames), on a canceller that keeps its
    // state across iterations, as on a live line.
    let second = 8000usize;
    let mut group = c.benchmark_group("echo_canceller_1024_taps");
    group.throughput(Throughput::Elements(second as u64));
    {
        let mut ec = EchoCanceller::new(EchoConfig {
            tail_ms: TAIL_MS,
            nlp: true,
            ..EchoConfig::default()
        })
        .expect("valid config");
        let mut offset = 0usize;
        let mut frame = [0i16; FRAME_SAMPLES];
        group.bench_function(BenchmarkId::new("fxs-media", "pbfdaf"), |b| {
            b.iter(|| {
                for _ in 0..second / FRAME_SAMPLES {
                    let a = offset % (far.len() - FRAME_SAMPLES);
                    frame.copy_from_slice(&near[a..a + FRAME_SAMPLES]);
                    ec.process(black_box(&far[a..a + FRAME_SAMPLES]), &mut frame);
                    black_box(&frame);
                    offset += FRAME_SAMPLES;
                }
            })
        });
    }
    #[cfg(feature = "spandsp")]
    {
        use fxs_benches::spandsp::echo::{ECHO_CAN_USE_ADAPTION, ECHO_CAN_USE_NLP, SpandspEchoCanceller};
        let mut ec = SpandspEchoCanceller::new(TAPS, ECHO_CAN_USE_ADAPTION | ECHO_CAN_USE_NLP)
            .expect("spandsp allocates");
        let mut offset = 0usize;
        let mut frame = [0i16; FRAME_SAMPLES];
        group.bench_function(BenchmarkId::new("spandsp", "echo_can_update"), |b| {
            b.iter(|| {
                for _ in 0..second / FRAME_SAMPLES {
                    let a = offset % (far.len() - FRAME_SAMPLES);
                    frame.copy_from_slice(&near[a..a + FRAME_SAMPLES]);
                    ec.process(black_box(&far[a..a + FRAME_SAMPLES]), &mut frame);
                    black_box(&frame);
                    offset += FRAME_SAMPLES;
                }
            })
        });
    }
    group.finish();
}

fn main() {
    if std::env::var("ECHO_REPORT").map_or(true, |v| v != "0") {
        report();
    }
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    throughput(&mut c);
    c.final_summary();
}
