//! FaxToneDetector against generated signals: the fax tones it must find
//! (with their frequency, timing and level tolerances) and the telephone
//! signals it must ignore (DTMF, US call-progress tones, speech-like sound).

use std::f64::consts::PI;

use fxs_fax_t38::{FaxTone, FaxToneDetector, FaxToneEvent};
use fxs_tones::Dbm0;

const FS: f64 = 8000.0;

fn ms(n: u32) -> usize {
    (n as usize) * 8
}

fn amp(level: f32) -> f64 {
    f64::from(Dbm0(level).amplitude())
}

/// Phase-continuous signal builder.
#[derive(Default)]
struct Signal {
    samples: Vec<f64>,
}

impl Signal {
    fn new() -> Self {
        Signal::default()
    }

    fn silence(mut self, duration_ms: u32) -> Self {
        self.samples.extend(std::iter::repeat_n(0.0, ms(duration_ms)));
        self
    }

    /// Sum of sines, each (freq, dBm0), for `duration_ms`.
    fn tones(mut self, parts: &[(f64, f32)], duration_ms: u32) -> Self {
        let start = self.samples.len();
        for i in 0..ms(duration_ms) {
            let t = (start + i) as f64 / FS;
            let v: f64 = parts
                .iter()
                .map(|&(f, l)| amp(l) * (2.0 * PI * f * t).sin())
                .sum();
            self.samples.push(v);
        }
        self
    }

    fn tone(self, freq: f64, level: f32, duration_ms: u32) -> Self {
        self.tones(&[(freq, level)], duration_ms)
    }

    /// 2100 Hz-style answer tone: optional 15 Hz AM at `depth`, optional
    /// 180° phase reversal every `reversal_ms`.
    fn answer_tone(
        mut self,
        freq: f64,
        level: f32,
        duration_ms: u32,
        depth: f64,
        reversal_ms: Option<u32>,
    ) -> Self {
        let a = amp(level);
        for i in 0..ms(duration_ms) {
            let t = i as f64 / FS;
            let flips = reversal_ms.map_or(0, |r| i / ms(r));
            let phase = if flips % 2 == 1 { PI } else { 0.0 };
            let env = 1.0 + depth * (2.0 * PI * 15.0 * t).sin();
            self.samples
                .push(a / (1.0 + depth) * env * (2.0 * PI * freq * t + phase).sin());
        }
        self
    }

    /// V.21 channel 2 FSK of `bits` (true = mark 1650 Hz, false = space 1850 Hz).
    fn v21(mut self, bits: &[bool], level: f32) -> Self {
        let a = amp(level);
        let mut phase = 0.0f64;
        let samples_per_bit = FS / 300.0;
        let total = (bits.len() as f64 * samples_per_bit) as usize;
        for i in 0..total {
            let bit = bits
                .get((i as f64 / samples_per_bit) as usize)
                .copied()
                .unwrap_or(true);
            let f = if bit { 1650.0 } else { 1850.0 };
            phase += 2.0 * PI * f / FS;
            self.samples.push(a * phase.sin());
        }
        self
    }

    /// White noise at `level` dBm0 (RMS of a sine at that level) added to
    /// what is there.
    fn with_noise(mut self, level: f32, seed: u64) -> Self {
        let rms = amp(level) / 2f64.sqrt();
        let mut state = seed | 1;
        for s in &mut self.samples {
            // Sum of 4 uniforms: roughly Gaussian, variance 4/12.
            let mut acc = 0.0;
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                acc += (state >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
            }
            *s += acc * rms / (4.0f64 / 12.0).sqrt();
        }
        self
    }

    fn append(mut self, other: Signal) -> Self {
        self.samples.extend(other.samples);
        self
    }

    fn pcm(&self) -> Vec<i16> {
        self.samples
            .iter()
            .map(|&v| v.round().clamp(-32768.0, 32767.0) as i16)
            .collect()
    }
}

fn bytes_to_bits_lsb_first(bytes: &[u8]) -> Vec<bool> {
    bytes
        .iter()
        .flat_map(|&b| (0..8).map(move |i| (b >> i) & 1 == 1))
        .collect()
}

/// Runs the detector over `pcm` in slices of `slice` samples.
fn detect_sliced(pcm: &[i16], slice: usize) -> Vec<FaxToneEvent> {
    let mut d = FaxToneDetector::new(8000).unwrap();
    let mut events = Vec::new();
    for chunk in pcm.chunks(slice) {
        d.process(chunk);
        while let Some(e) = d.poll_event() {
            events.push(e);
        }
    }
    events
}

fn detect(signal: &Signal) -> Vec<FaxToneEvent> {
    detect_sliced(&signal.pcm(), 80)
}

fn tones(events: &[FaxToneEvent]) -> Vec<FaxTone> {
    events.iter().map(|e| e.tone).collect()
}

fn assert_near(at: u64, expected_ms: u32, tolerance_ms: u32) {
    let expected = ms(expected_ms) as i64;
    let diff = (at as i64 - expected).abs();
    assert!(
        diff <= ms(tolerance_ms) as i64,
        "event at sample {at}, expected {expected} ± {}",
        ms(tolerance_ms)
    );
}

fn cng_cadence(freq: f64, level: f32, cycles: u32) -> Signal {
    let mut s = Signal::new();
    for _ in 0..cycles {
        s = s.tone(freq, level, 500).silence(3000);
    }
    s
}

// ---------------------------------------------------------------- CNG

#[test]
fn cng_bursts_are_reported_once_each_with_their_start() {
    let s = Signal::new().silence(200).append(cng_cadence(1100.0, -15.0, 2));
    let events = detect(&s);
    assert_eq!(tones(&events), [FaxTone::Cng, FaxTone::Cng]);
    assert_near(events[0].at_sample, 200, 10);
    assert_near(events[1].at_sample, 200 + 3500, 10);
}

#[test]
fn cng_at_the_edges_of_its_tolerance_is_detected() {
    for freq in [1062.0, 1138.0] {
        let events = detect(&cng_cadence(freq, -20.0, 1));
        assert_eq!(tones(&events), [FaxTone::Cng], "{freq} Hz");
    }
}

#[test]
fn bursts_outside_the_cng_band_are_ignored() {
    for freq in [1000.0, 1050.0, 1160.0, 1209.0] {
        let events = detect(&cng_cadence(freq, -15.0, 2));
        assert!(events.is_empty(), "{freq} Hz gave {events:?}");
    }
}

#[test]
fn cng_burst_too_short_or_too_long_is_ignored() {
    for on in [250, 350, 700, 1000] {
        let s = Signal::new().tone(1100.0, -15.0, on).silence(1000);
        assert!(detect(&s).is_empty(), "{on} ms burst");
    }
    let continuous = Signal::new().tone(1100.0, -15.0, 5000).silence(500);
    assert!(detect(&continuous).is_empty());
}

#[test]
fn cng_duration_window_accepts_t30_tolerance() {
    for on in [430, 570] {
        let s = Signal::new().silence(100).tone(1100.0, -15.0, on).silence(1000);
        assert_eq!(tones(&detect(&s)), [FaxTone::Cng], "{on} ms burst");
    }
}

#[test]
fn detection_does_not_depend_on_how_audio_is_sliced() {
    let s = Signal::new().silence(123).append(cng_cadence(1100.0, -15.0, 1));
    let whole = detect_sliced(&s.pcm(), 80);
    for slice in [1, 37, 160, 1000] {
        assert_eq!(detect_sliced(&s.pcm(), slice), whole, "slice {slice}");
    }
}

// ---------------------------------------------------------------- answer tones

#[test]
fn plain_2100_hz_is_ced_reported_after_the_decision_time() {
    let s = Signal::new()
        .silence(300)
        .answer_tone(2100.0, -13.0, 3300, 0.0, None)
        .silence(200);
    let pcm = s.pcm();
    // Nothing before the tone has lasted the decision time.
    let early = detect_sliced(&pcm[..ms(300 + 1000)], 80);
    assert!(early.is_empty(), "{early:?}");
    let events = detect(&s);
    assert_eq!(tones(&events), [FaxTone::Ced]);
    assert_near(events[0].at_sample, 300, 10);
}

#[test]
fn ced_within_15_hz_is_detected_and_30_hz_off_is_not() {
    for freq in [2085.0, 2115.0] {
        let s = Signal::new().answer_tone(freq, -13.0, 2600, 0.0, None);
        assert_eq!(tones(&detect(&s)), [FaxTone::Ced], "{freq} Hz");
    }
    for freq in [2070.0, 2130.0, 2000.0] {
        let s = Signal::new().answer_tone(freq, -13.0, 2600, 0.0, None);
        assert!(detect(&s).is_empty(), "{freq} Hz");
    }
}

#[test]
fn ans_with_reversals_every_450_ms_is_ans_pr() {
    let s = Signal::new()
        .silence(57)
        .answer_tone(2100.0, -12.0, 3300, 0.0, Some(450));
    let events = detect(&s);
    assert_eq!(tones(&events), [FaxTone::AnsPr]);
    assert!(events[0].tone.has_phase_reversals());
    assert_near(events[0].at_sample, 57, 10);
}

#[test]
fn ans_pr_with_frequency_offset_is_still_ans_pr() {
    for freq in [2088.0, 2112.0] {
        let s = Signal::new().answer_tone(freq, -20.0, 3000, 0.0, Some(450));
        assert_eq!(tones(&detect(&s)), [FaxTone::AnsPr], "{freq} Hz");
    }
}

#[test]
fn reversals_at_the_wrong_interval_are_not_ans_pr() {
    let s = Signal::new().answer_tone(2100.0, -12.0, 3000, 0.0, Some(250));
    assert_eq!(tones(&detect(&s)), [FaxTone::Ced]);
}

#[test]
fn ansam_is_told_apart_from_ans() {
    let s = Signal::new()
        .silence(40)
        .answer_tone(2100.0, -12.0, 3000, 0.2, None);
    let events = detect(&s);
    assert_eq!(tones(&events), [FaxTone::Ansam]);
    assert!(events[0].tone.is_answer_tone());
    assert_near(events[0].at_sample, 40, 10);
}

#[test]
fn ansam_with_reversals_is_ansam_pr() {
    let s = Signal::new().answer_tone(2100.0, -12.0, 3000, 0.2, Some(450));
    assert_eq!(tones(&detect(&s)), [FaxTone::AnsamPr]);
}

#[test]
fn answer_tones_survive_noise_at_20_db_snr() {
    let cases = [
        (0.0, None, FaxTone::Ced),
        (0.0, Some(450), FaxTone::AnsPr),
        (0.2, None, FaxTone::Ansam),
        (0.2, Some(450), FaxTone::AnsamPr),
    ];
    for (i, (depth, rev, want)) in cases.into_iter().enumerate() {
        let s = Signal::new()
            .answer_tone(2100.0, -15.0, 3000, depth, rev)
            .with_noise(-35.0, 7 + i as u64);
        assert_eq!(tones(&detect(&s)), [want], "{want:?}");
    }
}

#[test]
fn tones_below_the_minimum_level_are_ignored() {
    let quiet = Signal::new().answer_tone(2100.0, -50.0, 3000, 0.0, None);
    assert!(detect(&quiet).is_empty());
    let weak = Signal::new().answer_tone(2100.0, -40.0, 3000, 0.0, None);
    assert_eq!(tones(&detect(&weak)), [FaxTone::Ced]);
}

// ---------------------------------------------------------------- V.21

fn flags(n: usize) -> Vec<bool> {
    bytes_to_bits_lsb_first(&vec![0x7E; n])
}

#[test]
fn v21_flags_are_reported_as_preamble_near_their_start() {
    for (lead_ms, level) in [(0, -13.0), (33, -13.0), (250, -30.0)] {
        let s = Signal::new().silence(lead_ms).v21(&flags(37), level).silence(100);
        let events = detect(&s);
        assert_eq!(tones(&events), [FaxTone::V21Preamble], "lead {lead_ms}");
        assert_near(events[0].at_sample, lead_ms, 20);
    }
}

#[test]
fn v21_preamble_is_recognised_within_200_ms() {
    let s = Signal::new().v21(&flags(37), -13.0);
    let pcm = s.pcm();
    let events = detect_sliced(&pcm[..ms(200)], 80);
    assert_eq!(tones(&events), [FaxTone::V21Preamble]);
}

#[test]
fn v21_preamble_in_noise_is_found() {
    let s = Signal::new().v21(&flags(37), -15.0).with_noise(-35.0, 3);
    assert_eq!(tones(&detect(&s)), [FaxTone::V21Preamble]);
}

#[test]
fn each_v21_burst_gets_one_event() {
    let mut frame = flags(30);
    // A DIS-like frame body (no 0x7E inside), then closing flags.
    frame.extend(bytes_to_bits_lsb_first(&[0xFF, 0x13, 0x80, 0x00, 0xCE, 0xF4]));
    frame.extend(flags(3));
    let s = Signal::new()
        .v21(&frame, -13.0)
        .silence(500)
        .v21(&frame, -13.0)
        .silence(100);
    let events = detect(&s);
    assert_eq!(tones(&events), [FaxTone::V21Preamble, FaxTone::V21Preamble]);
}

#[test]
fn v21_band_energy_without_flags_is_not_a_preamble() {
    let mark = Signal::new().tone(1650.0, -13.0, 1500);
    assert!(detect(&mark).is_empty());
    let space = Signal::new().tone(1850.0, -13.0, 1500);
    assert!(detect(&space).is_empty());
    // Alternating 1010... and 0x55-like data: FSK energy, no flags.
    let data: Vec<bool> = (0..450).map(|i| i % 2 == 0).collect();
    assert!(detect(&Signal::new().v21(&data, -13.0)).is_empty());
    let bytes: Vec<u8> = (0..56u32).map(|i| (i * 37 + 11) as u8 & 0x3F).collect();
    assert!(detect(&Signal::new().v21(&bytes_to_bits_lsb_first(&bytes), -13.0)).is_empty());
}

// ---------------------------------------------------------------- talk-off

const DTMF: [(f64, f64); 16] = [
    (697.0, 1209.0),
    (697.0, 1336.0),
    (697.0, 1477.0),
    (697.0, 1633.0),
    (770.0, 1209.0),
    (770.0, 1336.0),
    (770.0, 1477.0),
    (770.0, 1633.0),
    (852.0, 1209.0),
    (852.0, 1336.0),
    (852.0, 1477.0),
    (852.0, 1633.0),
    (941.0, 1209.0),
    (941.0, 1336.0),
    (941.0, 1477.0),
    (941.0, 1633.0),
];

#[test]
fn dtmf_digits_never_trigger() {
    for (lo, hi) in DTMF {
        // A long key press, and a 500 ms press the length of a CNG burst.
        for on in [500, 1500] {
            let s = Signal::new()
                .tones(&[(lo, -8.0), (hi, -6.0)], on)
                .silence(400)
                .tones(&[(lo, -8.0), (hi, -6.0)], on)
                .silence(400);
            let events = detect(&s);
            assert!(events.is_empty(), "{lo}+{hi} Hz, {on} ms: {events:?}");
        }
    }
}

#[test]
fn us_call_progress_tones_never_trigger() {
    let dial = Signal::new().tones(&[(350.0, -13.0), (440.0, -13.0)], 4000);
    let mut ringback = Signal::new();
    for _ in 0..2 {
        ringback = ringback
            .tones(&[(440.0, -19.0), (480.0, -19.0)], 2000)
            .silence(4000);
    }
    let mut busy = Signal::new();
    for _ in 0..6 {
        busy = busy.tones(&[(480.0, -24.0), (620.0, -24.0)], 500).silence(500);
    }
    let mut reorder = Signal::new();
    for _ in 0..8 {
        reorder = reorder.tones(&[(480.0, -24.0), (620.0, -24.0)], 250).silence(250);
    }
    for (name, s) in [
        ("dial", dial),
        ("ringback", ringback),
        ("busy", busy),
        ("reorder", reorder),
    ] {
        let events = detect(&s);
        assert!(events.is_empty(), "{name}: {events:?}");
    }
}

/// Voiced-speech-like sound: a pitch that glides, 30 harmonics shaped by
/// three formants that move, in syllables of 150-400 ms.
fn speech_like(seconds: u32, seed: u64) -> Signal {
    let mut s = Signal::new();
    let mut state = seed;
    let mut rand = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    let mut t_total = 0.0;
    let mut phases = [0.0f64; 30];
    while t_total < f64::from(seconds) {
        let syllable = 0.15 + 0.25 * rand();
        let f0_start = 90.0 + 150.0 * rand();
        let f0_end = f0_start * (0.8 + 0.4 * rand());
        let formants = [
            300.0 + 600.0 * rand(),
            900.0 + 1500.0 * rand(),
            2200.0 + 900.0 * rand(),
        ];
        let n = (syllable * FS) as usize;
        for i in 0..n {
            let x = i as f64 / n as f64;
            let f0 = f0_start + (f0_end - f0_start) * x;
            let envelope = (PI * x).sin();
            let mut v = 0.0;
            for (h, phase) in phases.iter_mut().enumerate() {
                let f = f0 * (h + 1) as f64;
                if f > 3600.0 {
                    break;
                }
                *phase += 2.0 * PI * f / FS;
                let gain: f64 = formants
                    .iter()
                    .map(|&fc| 1.0 / (1.0 + ((f - fc) / 120.0).powi(2)))
                    .sum();
                v += gain * phase.sin();
            }
            s.samples.push(2500.0 * envelope * v);
        }
        s = s.silence((40.0 + 120.0 * rand()) as u32);
        t_total += syllable + 0.1;
    }
    s
}

#[test]
fn speech_like_signals_never_trigger() {
    for seed in 1..=4 {
        let s = speech_like(8, seed);
        let events = detect(&s);
        assert!(events.is_empty(), "seed {seed}: {events:?}");
    }
}

#[test]
fn detector_keeps_working_after_talk() {
    let s =
        speech_like(3, 9).append(
            Signal::new()
                .silence(300)
                .answer_tone(2100.0, -13.0, 2600, 0.0, Some(450)),
        );
    assert_eq!(tones(&detect(&s)), [FaxTone::AnsPr]);
}
