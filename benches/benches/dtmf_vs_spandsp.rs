//! Our DTMF detector beside spandsp's `dtmf_rx` on the same material:
//! first a quality report (dtmf.md §3.4: corner grid, Mitel-style tests 3-7,
//! talk-off, talk-down), then criterion throughput of both.
//!
//! ```text
//! scripts/dtmf-quality/build.sh        # the talk-off set, once (about 1 h of audio)
//! cargo bench -p fxs-benches --features spandsp --bench dtmf_vs_spandsp
//! ```
//!
//! The talk-off and talk-down parts read `*.s16` files (raw 16-bit LE,
//! 8 kHz) from `$DTMF_QUALITY_DIR`, default `target/dtmf-quality` of the
//! workspace; without them those parts fall back to the committed excerpt
//! `fxs-tones/tests/data/talkoff_excerpt.s16`. Set `DTMF_REPORT=0` to skip
//! the quality report and only measure throughput.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{Criterion, Throughput};
use fxs_benches::spandsp::dtmf::SpandspDtmfRx;
use fxs_tones::{
    Dbm0, Digit, DtmfDetector, DtmfEvent, DtmfGenerator, DtmfGeneratorConfig, FRAME_SAMPLES, FULL_SCALE_DBM0,
};

const SR: u32 = 8000;

/// A detector under test: feed samples, get the digits started (with the
/// sample count when each was reported).
trait Receiver {
    fn name(&self) -> &'static str;
    fn feed(&mut self, x: &[i16]);
    fn take_starts(&mut self) -> Vec<(char, u64)>;
}

struct Ours {
    det: DtmfDetector,
    starts: Vec<(char, u64)>,
}

impl Ours {
    fn new() -> Ours {
        Ours {
            det: DtmfDetector::new(SR).expect("8 kHz"),
            starts: Vec::new(),
        }
    }
}

impl Receiver for Ours {
    fn name(&self) -> &'static str {
        "fxs-tones"
    }
    fn feed(&mut self, x: &[i16]) {
        for f in x.chunks(FRAME_SAMPLES) {
            self.det.process(f);
            while let Some(e) = self.det.poll_event() {
                if let DtmfEvent::Start { digit, at } = e {
                    self.starts.push((digit.as_char(), at));
                }
            }
        }
    }
    fn take_starts(&mut self) -> Vec<(char, u64)> {
        std::mem::take(&mut self.starts)
    }
}

struct Spandsp {
    rx: SpandspDtmfRx,
}

impl Spandsp {
    fn new() -> Spandsp {
        Spandsp {
            rx: SpandspDtmfRx::new().expect("spandsp allocates"),
        }
    }
}

impl Receiver for Spandsp {
    fn name(&self) -> &'static str {
        "spandsp"
    }
    fn feed(&mut self, x: &[i16]) {
        for f in x.chunks(FRAME_SAMPLES) {
            self.rx.process(f);
        }
    }
    fn take_starts(&mut self) -> Vec<(char, u64)> {
        let v = self
            .rx
            .edges()
            .iter()
            .filter_map(|e| e.digit.map(|d| (d, e.at)))
            .collect();
        self.rx.clear_edges();
        v
    }
}

fn receivers() -> [Box<dyn Receiver>; 2] {
    [Box::new(Ours::new()), Box::new(Spandsp::new())]
}

/// Appends a dual tone: low at `low_db`, high at `high_db` dBm0 (`None`
/// leaves a tone out), frequencies moved by the given fractions.
fn push_dual(out: &mut Vec<i16>, d: Digit, low: Option<f32>, high: Option<f32>, dev: (f64, f64), ms10: u32) {
    let (lo, hi) = d.frequencies();
    let (fl, fh) = (f64::from(lo) * (1.0 + dev.0), f64::from(hi) * (1.0 + dev.1));
    let amp = |l: Option<f32>| l.map_or(0.0, |l| f64::from(Dbm0(l).amplitude()));
    let (al, ah) = (amp(low), amp(high));
    let n = (ms10 * SR / 10_000) as usize;
    for i in 0..n {
        let t = i as f64 / f64::from(SR);
        let x = al * (2.0 * std::f64::consts::PI * fl * t).sin()
            + ah * (2.0 * std::f64::consts::PI * fh * t).sin();
        out.push(x.round().clamp(-32768.0, 32767.0) as i16);
    }
}

fn push_silence(out: &mut Vec<i16>, ms: u32) {
    out.resize(out.len() + (ms * SR / 1000) as usize, 0);
}

/// Fixed-seed Gaussian noise source.
struct Noise(u64);

impl Noise {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64) / ((1u64 << 53) as f64)
    }
    fn gauss(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

/// Counts starts of `d` (and any others) when `x` is fed to a fresh receiver
/// followed by 100 ms of silence.
fn run_fresh(rx: &mut dyn Receiver, x: &[i16]) -> Vec<(char, u64)> {
    rx.feed(x);
    rx.feed(&[0; 800]);
    rx.take_starts()
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Expect {
    Accept,
    Reject,
    /// Between Q.24's operate and non-operate limits: informative.
    Either,
}

/// dtmf.md §3.4 corner grid: every digit x deviation x twist x level x duration.
fn corner_grid() {
    println!("\n== Corner grid (dtmf.md §3.4): 16 digits x dev {{-3.5,-1.5,0,+1.5,+3.5}} % (both tones)");
    println!("   x twist -8..+4 dB (1 dB) x stronger tone 0..-30 dBm0 (5 dB) x {{23, 40}} ms");
    println!("   accept: |dev| <= 1.5 %, 40 ms, weaker tone >= -26 dBm0; reject: |dev| = 3.5 % or 23 ms;");
    println!("   weaker tone below -26 dBm0 (and above -55) is informative only.");
    let devs = [-0.035f64, -0.015, 0.0, 0.015, 0.035];
    for make in [0usize, 1] {
        let mut stats: BTreeMap<&'static str, (u32, u32)> = BTreeMap::new();
        let mut lost: BTreeMap<String, u32> = BTreeMap::new();
        let mut name = "";
        let mut case = 0u32;
        for d in Digit::ALL {
            for &dev in &devs {
                for twist in -8..=4 {
                    let twist = twist as f32;
                    for level in (0..=6).map(|k| -5.0 * k as f32) {
                        for dur in [23u32, 40] {
                            case += 1;
                            let (low, high) = if twist > 0.0 {
                                (level - twist, level)
                            } else {
                                (level, level + twist)
                            };
                            let weaker = low.min(high);
                            let expect = if dur == 23 || dev.abs() > 0.02 {
                                Expect::Reject
                            } else if weaker >= -26.0 {
                                Expect::Accept
                            } else {
                                Expect::Either
                            };
                            let mut x = vec![0; (case * 7 % 80) as usize];
                            push_dual(&mut x, d, Some(low), Some(high), (dev, dev), dur * 10);
                            let mut rx = receivers().into_iter().nth(make).expect("two receivers");
                            name = rx.name();
                            let starts = run_fresh(rx.as_mut(), &x);
                            let ok_accept = starts.len() == 1 && starts[0].0 == d.as_char();
                            let (key, good) = match expect {
                                Expect::Accept => ("accept", ok_accept),
                                Expect::Reject => ("reject", starts.is_empty()),
                                Expect::Either => ("informative (accepted)", ok_accept),
                            };
                            let e = stats.entry(key).or_default();
                            e.1 += 1;
                            if good {
                                e.0 += 1;
                            } else if expect == Expect::Accept {
                                *lost
                                    .entry(format!("dev {:+.1}% twist {twist:+}", dev * 100.0))
                                    .or_default() += 1;
                            } else if expect == Expect::Reject {
                                *lost
                                    .entry(format!("FALSE at dev {:+.1}% {dur} ms", dev * 100.0))
                                    .or_default() += 1;
                            }
                        }
                    }
                }
            }
        }
        println!("  {name:>9}:");
        for (k, (good, total)) in &stats {
            println!("    {k:<24} {good:>5} / {total}");
        }
        if !lost.is_empty() {
            let mut v: Vec<_> = lost.into_iter().collect();
            v.sort_by_key(|e| std::cmp::Reverse(e.1));
            let shown: Vec<String> = v.iter().take(8).map(|(k, n)| format!("{k}: {n}")).collect();
            println!("    failures by cell (top): {}", shown.join("; "));
        }
    }
}

/// Feeds a sequence of bursts (each burst then its pause) to a fresh
/// receiver and counts the bursts answered with the right digit.
fn count_responses(make: usize, bursts: &[(Digit, Vec<i16>)]) -> u32 {
    let mut rx = receivers().into_iter().nth(make).expect("two receivers");
    let mut n = 0;
    for (d, x) in bursts {
        let starts = run_fresh(rx.as_mut(), x);
        if starts.first().is_some_and(|s| s.0 == d.as_char()) {
            n += 1;
        }
    }
    n
}

/// Mitel CM7291-style tests 3-7 (dtmf.md §3.4), synthesised.
fn mitel() {
    let key = [Digit::D1, Digit::D5, Digit::D9, Digit::D];
    let clip6 = FULL_SCALE_DBM0 - 6.0; // 6 dB below clip per tone
    println!(
        "\n== Mitel-style tests (dtmf.md §3.4), 50 ms bursts / 50 ms pauses, -10 dBm0 per tone unless stated"
    );
    for make in [0usize, 1] {
        let name = receivers()[make].name();
        println!("  {name}:");
        // Test 3: one tone at 0 %, the other stepped 0.1 % to +-4 %.
        let mut line = String::new();
        for d in key {
            for which in [0, 1] {
                let mut n = [0u32; 2];
                for (s, sign) in [1.0f64, -1.0].into_iter().enumerate() {
                    let bursts: Vec<_> = (1..=40)
                        .map(|k| {
                            let dev = sign * f64::from(k) * 0.001;
                            let mut x = Vec::new();
                            let devs = if which == 0 { (dev, 0.0) } else { (0.0, dev) };
                            push_dual(&mut x, d, Some(-10.0), Some(-10.0), devs, 500);
                            push_silence(&mut x, 50);
                            (d, x)
                        })
                        .collect();
                    n[s] = count_responses(make, &bursts);
                }
                let tone = if which == 0 { "low" } else { "high" };
                line += &format!(
                    " {d}/{tone}: +{:.1}/-{:.1} %",
                    f64::from(n[0]) / 10.0,
                    f64::from(n[1]) / 10.0
                );
            }
        }
        println!("    test 3 recognition bandwidth (accepted up to):{line}");
        // Test 4: one tone 6 dB below clip, the other attenuated 0.1 dB steps to 20 dB.
        let mut normal = Vec::new();
        let mut reverse = Vec::new();
        for d in key {
            for high_weak in [true, false] {
                let bursts: Vec<_> = (1..=200)
                    .map(|k| {
                        let weak = clip6 - k as f32 * 0.1;
                        let (l, h) = if high_weak { (clip6, weak) } else { (weak, clip6) };
                        let mut x = Vec::new();
                        push_dual(&mut x, d, Some(l), Some(h), (0.0, 0.0), 500);
                        push_silence(&mut x, 50);
                        (d, x)
                    })
                    .collect();
                let r = f64::from(count_responses(make, &bursts)) / 10.0;
                if high_weak {
                    normal.push(r)
                } else {
                    reverse.push(r)
                }
            }
        }
        println!("    test 4 twist (dB accepted, digits 1/5/9/D): normal {normal:?}, reverse {reverse:?}");
        // Test 5: digit 1, bursts from 6 dB below clip, -1 dB per burst.
        let bursts: Vec<_> = (0..50)
            .map(|k| {
                let l = clip6 - k as f32;
                let mut x = Vec::new();
                push_dual(&mut x, Digit::D1, Some(l), Some(l), (0.0, 0.0), 500);
                push_silence(&mut x, 50);
                (Digit::D1, x)
            })
            .collect();
        println!(
            "    test 5 dynamic range: {} dB (of 50 bursts from {clip6:.2} dBm0 per tone, 1 dB steps)",
            count_responses(make, &bursts)
        );
        // Test 6: 400 bursts, 49 -> 10 ms in 0.1 ms steps.
        let bursts: Vec<_> = (0..400)
            .map(|k| {
                let d = Digit::ALL[k % 16];
                let mut x = Vec::new();
                push_dual(&mut x, d, Some(-10.0), Some(-10.0), (0.0, 0.0), 490 - k as u32);
                push_silence(&mut x, 50);
                (d, x)
            })
            .collect();
        let r = count_responses(make, &bursts);
        println!(
            "    test 6 guard time: {r} responses of 400 (49 -> 10 ms); guard = (500 - r)/10 = {:.1} ms",
            (500.0 - f64::from(r)) / 10.0
        );
        // Test 7: 1000 bursts per S/N.
        let mut line = String::new();
        for snr in [24.0f32, 18.0, 15.0, 12.0, 9.0] {
            let mut noise = Noise(snr as u64 + 11);
            // Two tones at -10 dBm0: -7 dBm0 of signal power.
            let rms = f64::from(Dbm0(-7.0 - snr).rms());
            let bursts: Vec<_> = (0..1000)
                .map(|k| {
                    let d = Digit::ALL[k % 16];
                    let mut x = Vec::new();
                    push_dual(&mut x, d, Some(-10.0), Some(-10.0), (0.0, 0.0), 500);
                    push_silence(&mut x, 50);
                    for s in &mut x {
                        *s = (f64::from(*s) + noise.gauss() * rms)
                            .round()
                            .clamp(-32768.0, 32767.0) as i16;
                    }
                    (d, x)
                })
                .collect();
            line += &format!(" {snr} dB: {}/1000;", count_responses(make, &bursts));
        }
        println!("    test 7 S/N (white noise):{line}");
    }
}

fn quality_dir() -> PathBuf {
    std::env::var_os("DTMF_QUALITY_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/dtmf-quality"))
}

fn read_s16(path: &Path) -> Vec<i16> {
    let bytes = std::fs::read(path).unwrap_or_default();
    bytes
        .chunks_exact(2)
        .map(|b| i16::from_le_bytes([b[0], b[1]]))
        .collect()
}

/// The talk-off files: the full set if built, else the committed excerpt.
fn talkoff_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(quality_dir())
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "s16"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    if files.is_empty() {
        files.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../fxs-tones/tests/data/talkoff_excerpt.s16"));
    }
    files
}

fn talk_off(files: &[PathBuf]) {
    let audio: Vec<(String, Vec<i16>)> = files
        .iter()
        .map(|p| {
            (
                p.file_name().unwrap_or_default().to_string_lossy().into_owned(),
                read_s16(p),
            )
        })
        .collect();
    let total: usize = audio.iter().map(|a| a.1.len()).sum();
    let hours = total as f64 / f64::from(SR) / 3600.0;
    println!(
        "\n== Talk-off: {} files, {:.1} min of speech and music-like signals after G.711 ({})",
        audio.len(),
        hours * 60.0,
        quality_dir().display()
    );
    for make in [0usize, 1] {
        let mut per_digit: BTreeMap<char, u32> = BTreeMap::new();
        let mut per_file = Vec::new();
        let mut name = "";
        for (file, x) in &audio {
            let mut rx = receivers().into_iter().nth(make).expect("two receivers");
            name = rx.name();
            let starts = run_fresh(rx.as_mut(), x);
            for s in &starts {
                *per_digit.entry(s.0).or_default() += 1;
            }
            if !starts.is_empty() {
                per_file.push(format!("{file}: {}", starts.len()));
            }
        }
        let n: u32 = per_digit.values().sum();
        println!(
            "  {name:>9}: {n} false digits ({:.1} per hour); by digit {per_digit:?}",
            f64::from(n) / hours
        );
        if !per_file.is_empty() {
            println!("             by file: {}", per_file.join(", "));
        }
    }
}

/// Digits (generator defaults: 70 ms on, -10/-8 dBm0) every 250 ms over
/// speech scaled so that the digits' power is 0, 5, 10 or 15 dB above the
/// active speech power (speech-to-tone ratio 0, -5, -10, -15 dB).
fn talk_down(files: &[PathBuf]) {
    let speech: Vec<i16> = files
        .iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("speech"))
        })
        .take(6)
        .flat_map(|p| read_s16(p).into_iter().take(SR as usize * 40))
        .collect();
    let speech = if speech.is_empty() {
        read_s16(&talkoff_files()[0])
    } else {
        speech
    };
    // Active speech power: mean over 10 ms frames louder than -50 dBm0.
    let floor = f64::from(Dbm0(-50.0).rms()).powi(2);
    let (mut sum, mut frames) = (0.0f64, 0u32);
    for f in speech.chunks_exact(80) {
        let p = f.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / 80.0;
        if p > floor {
            sum += p;
            frames += 1;
        }
    }
    let speech_power = sum / f64::from(frames.max(1));
    let mut gen_tones = Vec::new();
    let cfg = DtmfGeneratorConfig::default();
    let tone_power = {
        let (l, h) = (Dbm0(cfg.level.0).rms(), Dbm0(cfg.level.0 + cfg.twist_db).rms());
        f64::from(l).powi(2) + f64::from(h).powi(2)
    };
    let period = SR as usize / 4;
    let digits = speech.len() / period;
    let mut g = DtmfGenerator::new(DtmfGeneratorConfig {
        off: Duration::from_millis(180),
        ..cfg
    })
    .expect("valid config");
    let mut expected = Vec::new();
    for k in 0..digits {
        let d = Digit::ALL[k % 16];
        expected.push((d, (k * period) as u64));
        let _ = g.push(d);
        let mut chunk = vec![0i16; period];
        g.generate(&mut chunk);
        gen_tones.extend(chunk);
    }
    println!(
        "\n== Talk-down: {} digits (70 ms, -10/-8 dBm0, one per 250 ms) over {:.0} s of speech",
        digits,
        speech.len() as f64 / f64::from(SR)
    );
    for make in [0usize, 1] {
        let mut line = String::new();
        let mut name = "";
        for ratio_db in [15.0f64, 10.0, 5.0, 0.0] {
            // Tone power `ratio_db` above the active speech power.
            let gain = (tone_power / (speech_power * 10f64.powf(ratio_db / 10.0))).sqrt();
            let x: Vec<i16> = gen_tones
                .iter()
                .zip(&speech)
                .map(|(&t, &s)| {
                    (f64::from(t) + gain * f64::from(s))
                        .round()
                        .clamp(-32768.0, 32767.0) as i16
                })
                .collect();
            let mut rx = receivers().into_iter().nth(make).expect("two receivers");
            name = rx.name();
            let starts = run_fresh(rx.as_mut(), &x);
            let mut hit = 0;
            let mut matched = vec![false; starts.len()];
            for (d, at) in &expected {
                // Reported from 20 ms before the tone to 60 ms after its end.
                if let Some(i) = starts.iter().enumerate().position(|(i, s)| {
                    !matched[i] && s.0 == d.as_char() && s.1 + 160 >= *at && s.1 <= at + 560 + 480
                }) {
                    matched[i] = true;
                    hit += 1;
                }
            }
            let extra = matched.iter().filter(|m| !**m).count();
            line += &format!(" tone {ratio_db:+} dB: {} missed, {extra} extra;", digits - hit);
        }
        println!("  {name:>9}:{line}");
    }
}

/// Best-of-20 throughput of both detectors over the same samples (less
/// sensitive to a busy machine than criterion's mean).
fn best_of_throughput(label: &str, x: &[i16]) {
    let mut best = [0.0f64; 2];
    for _ in 0..20 {
        for (make, b) in best.iter_mut().enumerate() {
            let mut rx = receivers().into_iter().nth(make).expect("two receivers");
            let t = std::time::Instant::now();
            rx.feed(black_box(x));
            let rate = x.len() as f64 / t.elapsed().as_secs_f64() / 1e6;
            black_box(rx.take_starts());
            *b = b.max(rate);
        }
    }
    println!(
        "  {label}: fxs-tones {:.0} Msamples/s, spandsp {:.0} Msamples/s, ratio {:.2}",
        best[0],
        best[1],
        best[0] / best[1]
    );
}

fn quality_report() {
    println!("\n== Throughput, best of 20 runs, 80-sample frames, one thread");
    best_of_throughput("1 s digits and silence", &digits_and_silence());
    let speech = speech_sample();
    best_of_throughput("10 s speech", &speech);
    corner_grid();
    mitel();
    let files = talkoff_files();
    talk_off(&files);
    talk_down(&files);
    println!();
}

/// Ten seconds of speech: the first speech file of the quality set, else
/// the committed excerpt (which starts with speech).
fn speech_sample() -> Vec<i16> {
    let files = talkoff_files();
    let file = files
        .iter()
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("speech"))
        })
        .unwrap_or(&files[0]);
    read_s16(file).into_iter().take(SR as usize * 10).collect()
}

/// One second of digits (70/70 ms, -10/-8 dBm0) and silence, as in the
/// `tones` bench.
fn digits_and_silence() -> Vec<i16> {
    let mut g = DtmfGenerator::new(DtmfGeneratorConfig::default()).expect("valid config");
    g.push_str("159#*0").expect("valid digits");
    let mut x = vec![0i16; SR as usize];
    for f in x.chunks_mut(FRAME_SAMPLES) {
        g.generate(f);
    }
    x
}

fn throughput(c: &mut Criterion) {
    let mut inputs = vec![("1s_digits_and_silence", digits_and_silence())];
    let speech = speech_sample();
    if !speech.is_empty() {
        inputs.push(("speech", speech));
    }
    let mut group = c.benchmark_group("dtmf_vs_spandsp");
    for (label, x) in &inputs {
        group.throughput(Throughput::Elements(x.len() as u64));
        group.bench_function(format!("fxs_tones/{label}"), |b| {
            b.iter(|| {
                let mut d = DtmfDetector::new(SR).expect("8 kHz");
                let mut n = 0u32;
                for f in x.chunks_exact(FRAME_SAMPLES) {
                    d.process(black_box(f));
                    while d.poll_event().is_some() {
                        n += 1;
                    }
                }
                n
            })
        });
        group.bench_function(format!("spandsp/{label}"), |b| {
            b.iter(|| {
                let mut rx = SpandspDtmfRx::new().expect("spandsp allocates");
                for f in x.chunks_exact(FRAME_SAMPLES) {
                    rx.process(black_box(f));
                }
                rx.edges().len()
            })
        });
    }
    group.finish();
}

fn main() {
    if std::env::var("DTMF_REPORT").map_or(true, |v| v != "0") {
        quality_report();
    }
    let mut c = Criterion::default().configure_from_args();
    throughput(&mut c);
    c.final_summary();
}
