//! Call-progress classification of every plan's own tones (tones-and-ringing.md
//! §1-§4), at nominal level, 15 dB down and in white noise at 20 dB SNR, and
//! of things that are not plan tones.

use fxs_tones::{
    CallProgress, CallProgressDetector, Dbm0, SitCode, Tone, ToneGenerator, ToneKind, TonePlan, ToneSound,
};

/// Classification after every 10 ms frame while playing `tone` for `ms`.
fn timeline(
    det: &mut CallProgressDetector,
    sample_rate: u32,
    tone: Option<&Tone>,
    ms: usize,
) -> Vec<CallProgress> {
    let frame_len = sample_rate as usize / 100;
    let mut g = tone.map(|t| ToneGenerator::new(sample_rate, t).expect("valid tone"));
    let mut frame = vec![0i16; frame_len];
    (0..ms / 10)
        .map(|_| {
            match &mut g {
                Some(g) => g.generate(&mut frame),
                None => frame.fill(0),
            }
            det.process(&frame);
            det.current()
        })
        .collect()
}

/// Index (10 ms units) from which `calls` is `want` to the end.
fn settled_from(calls: &[CallProgress], want: CallProgress) -> Option<usize> {
    let last_other = calls.iter().rposition(|&c| c != want);
    match last_other {
        None => Some(0),
        Some(i) if i + 1 < calls.len() => Some(i + 1),
        Some(_) => None,
    }
}

fn dedup(calls: &[CallProgress]) -> Vec<(usize, CallProgress)> {
    let mut out: Vec<(usize, CallProgress)> = Vec::new();
    for (i, &c) in calls.iter().enumerate() {
        if out.last().is_none_or(|&(_, l)| l != c) {
            out.push((i * 10, c));
        }
    }
    out
}

/// Pairs the detector cannot tell apart, with the reason: (country, kind
/// played, what it reads as instead). See `CallProgressDetector`'s docs.
const INDISTINGUISHABLE: [(&str, ToneKind, CallProgress, &str); 2] = [
    (
        "JP",
        ToneKind::Reorder,
        CallProgress::Busy,
        "JP congestion is the busy tone (400 Hz 0.5/0.5)",
    ),
    (
        "AU",
        ToneKind::Reorder,
        CallProgress::Busy,
        "AU congestion differs from busy only in the level of every second burst",
    ),
];

/// What a plan's tone of `kind` must be classified as.
fn expected(plan: &TonePlan, kind: ToneKind) -> CallProgress {
    if let Some(&(_, _, reads_as, _)) = INDISTINGUISHABLE
        .iter()
        .find(|(c, k, _, _)| *c == plan.country && *k == kind)
    {
        return reads_as;
    }
    match (plan.country, kind) {
        ("US" | "CA", ToneKind::Sit) => CallProgress::Sit(SitCode::Ic),
        _ => CallProgress::from_kind(kind),
    }
}

/// How a tone plays in the long run.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Shape {
    /// Repeats or ends in a steady sound: must be reached by the deadline
    /// and then held.
    Lasting,
    /// Plays once then silence: must be reached by the deadline, and then
    /// not read as another tone.
    OneShot,
}

/// (deadline in ms, hold in ms, shape): the deadline is 1.5 cycles of a
/// cadence (+100 ms for the block grid), the prefix + 400 ms for prefix
/// tones, 400 ms for continuous ones; the classification must then hold
/// for a cycle (at least 1 s, at most 3 s).
fn timing(tone: &Tone) -> (usize, usize, Shape) {
    let steps = tone.used_steps();
    let total: u32 = steps.iter().map(|s| s.duration_ms).sum();
    let last = steps.last().expect("a tone has steps");
    if last.duration_ms == 0 {
        let shape = if last.sound.is_silence() {
            Shape::OneShot
        } else {
            Shape::Lasting
        };
        return (total as usize + 400, 1000, shape);
    }
    match tone.repeat_from {
        Some(r) => {
            let cycle: u32 = steps[usize::from(r)..].iter().map(|s| s.duration_ms).sum();
            let deadline = (cycle as usize * 3) / 2 + 100;
            (deadline, (cycle as usize).clamp(1000, 3000), Shape::Lasting)
        }
        None => ((total as usize * 3) / 2 + 100, 1000, Shape::OneShot),
    }
}

/// Power (mean square) of the first sounding step of a tone, in PCM units.
fn on_power(tone: &Tone) -> f32 {
    let sound = tone
        .used_steps()
        .iter()
        .map(|s| s.sound)
        .find(|s| !s.is_silence())
        .expect("a sounding step");
    match sound {
        ToneSound::Modulated { level, depth, .. } => {
            let a = level.amplitude();
            a * a / 2.0 * (1.0 + depth * depth / 2.0)
        }
        _ => sound
            .components()
            .iter()
            .map(|&(_, l)| l.amplitude() * l.amplitude() / 2.0)
            .sum(),
    }
}

/// Plays `tone` into a detector for `plan` until `want` has been held for
/// `hold` ms or the deadline has passed; Err with the timeline if not met.
fn classify(
    plan: &TonePlan,
    tone: &Tone,
    want: CallProgress,
    noise_rms: f32,
    seed: u64,
) -> Result<(), Vec<(usize, CallProgress)>> {
    let (deadline, hold, shape) = timing(tone);
    let mut det = CallProgressDetector::new(8000, plan).unwrap();
    let mut g = ToneGenerator::new(8000, tone).unwrap();
    let mut frame = [0i16; 80];
    let mut rng = seed | 1;
    let mut calls = Vec::new();
    let mut since: Option<usize> = None;
    let mut reached = false;
    for i in 0.. {
        let ms = i * 10;
        g.generate(&mut frame);
        if noise_rms > 0.0 {
            for s in frame.iter_mut() {
                // Sum of 4 uniforms: near-Gaussian, variance 4/12 per unit.
                let mut u = 0.0f32;
                for _ in 0..4 {
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    u += (rng >> 40) as f32 / (1u64 << 24) as f32 - 0.5;
                }
                *s = (f32::from(*s) + u * noise_rms * 3f32.sqrt())
                    .round()
                    .clamp(-32768.0, 32767.0) as i16;
            }
        }
        det.process(&frame);
        let c = det.current();
        calls.push(c);
        match shape {
            Shape::Lasting => {
                if c == want {
                    let from = *since.get_or_insert(ms);
                    if ms + 10 - from >= hold && from <= deadline {
                        return Ok(());
                    }
                } else {
                    since = None;
                }
                if ms > deadline + hold {
                    break;
                }
            }
            Shape::OneShot => {
                if c == want && ms <= deadline {
                    reached = true;
                    since.get_or_insert(ms);
                }
                let wrong =
                    reached && c != want && !matches!(c, CallProgress::Unknown | CallProgress::Silence);
                if wrong || (!reached && ms > deadline) {
                    break;
                }
                if since.is_some_and(|f| ms + 10 - f >= hold) {
                    return Ok(());
                }
            }
        }
    }
    Err(dedup(&calls))
}

/// Plays every tone of every plan (generated at `gain_db` from nominal,
/// with noise at `snr_db` if given) and checks the classification. Plans
/// whose tones are all the same as an earlier plan's (ITU, FI, NZ, ZA; US,
/// CA) are checked once.
fn check_all_plans(gain_db: f32, snr_db: Option<f32>) {
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut seen: Vec<&TonePlan> = Vec::new();
    for plan in TonePlan::all() {
        let same_tones = |p: &&TonePlan| ToneKind::ALL.iter().all(|&k| p.tone(k) == plan.tone(k));
        if seen.iter().any(same_tones) {
            continue;
        }
        seen.push(plan);
        let played = plan.with_gain(gain_db);
        for kind in ToneKind::ALL {
            let want = expected(plan, kind);
            let tone = played.tone(kind);
            let noise = snr_db.map_or(0.0, |snr| (on_power(tone) / 10f32.powf(snr / 10.0)).sqrt());
            checked += 1;
            if let Err(calls) = classify(plan, tone, want, noise, 0x9e37_79b9 + checked) {
                let (deadline, hold, _) = timing(tone);
                failures.push(format!(
                    "{} {kind:?} (want {want:?} by {deadline} ms, held {hold} ms): {calls:?}",
                    plan.country
                ));
            }
        }
    }
    assert!(checked >= 170, "{checked} tones checked");
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_tone_of_every_plan_is_classified_at_nominal_level() {
    check_all_plans(0.0, None);
}

#[test]
fn every_tone_of_every_plan_is_classified_15_db_down() {
    check_all_plans(-15.0, None);
}

#[test]
fn every_tone_of_every_plan_is_classified_in_noise_at_20_db_snr() {
    check_all_plans(0.0, Some(20.0));
}

#[test]
fn indistinguishable_pairs_really_are_identical_in_sound_and_cadence() {
    for (country, kind, reads_as, reason) in INDISTINGUISHABLE {
        let plan = TonePlan::for_country(country).unwrap();
        let CallProgress::Busy = reads_as else {
            panic!("{reason}")
        };
        let (a, b) = (plan.tone(kind), plan.tone(ToneKind::Busy));
        let freqs = |t: &Tone| -> Vec<(u32, f32)> {
            t.used_steps()
                .iter()
                .flat_map(|s| s.sound.components().iter().map(move |&(f, _)| (s.duration_ms, f)))
                .collect()
        };
        let mut fa = freqs(a);
        let mut fb = freqs(b);
        fa.dedup();
        fb.dedup();
        assert_eq!(fa.first(), fb.first(), "{reason}");
        assert_eq!(a.steps[0].duration_ms, b.steps[0].duration_ms, "{reason}");
    }
}

#[test]
fn nanp_sit_codes_are_classified() {
    let us = TonePlan::for_country("US").unwrap();
    for code in SitCode::NANP {
        let mut det = CallProgressDetector::new(8000, us).unwrap();
        let tone = code.tone();
        let calls = timeline(&mut det, 8000, Some(&tone), 3_000);
        // Declared when the third segment ends.
        let sequence_ms: u32 = tone.steps[..3].iter().map(|s| s.duration_ms).sum();
        let from = settled_from(&calls, CallProgress::Sit(code));
        assert!(
            from.is_some_and(|i| i * 10 <= sequence_ms as usize + 50),
            "{code:?}: {:?}",
            dedup(&calls)
        );
    }
    // The E.180 SIT in a NANP plan is a SIT, not one of the codes.
    let mut det = CallProgressDetector::new(8000, us).unwrap();
    let calls = timeline(&mut det, 8000, Some(&SitCode::Other.tone()), 3_000);
    assert_eq!(
        calls.last(),
        Some(&CallProgress::Sit(SitCode::Other)),
        "{:?}",
        dedup(&calls)
    );
}

#[test]
fn plan_tones_after_silence_are_classified_the_same() {
    for country in ["US", "DE", "GB", "IT"] {
        let plan = TonePlan::for_country(country).unwrap();
        for kind in [
            ToneKind::Dial,
            ToneKind::Ringback,
            ToneKind::Busy,
            ToneKind::Stutter,
        ] {
            let want = expected(plan, kind);
            let (deadline, hold, _) = timing(plan.tone(kind));
            let play = deadline + hold;
            let mut det = CallProgressDetector::new(8000, plan).unwrap();
            let quiet = timeline(&mut det, 8000, None, 1_000);
            assert_eq!(quiet.last(), Some(&CallProgress::Silence));
            let calls = timeline(&mut det, 8000, Some(plan.tone(kind)), play);
            let from = settled_from(&calls, want);
            assert!(
                from.is_some_and(|i| i * 10 <= deadline),
                "{country} {kind:?}: {:?}",
                dedup(&calls)
            );
        }
    }
}

#[test]
fn us_tones_never_pass_through_a_wrong_plan_tone() {
    let plan = TonePlan::for_country("US").unwrap();
    for kind in [
        ToneKind::Dial,
        ToneKind::Ringback,
        ToneKind::Busy,
        ToneKind::Reorder,
        ToneKind::Howler,
    ] {
        let want = expected(plan, kind);
        let (deadline, hold, _) = timing(plan.tone(kind));
        let play = deadline + hold;
        let mut det = CallProgressDetector::new(8000, plan).unwrap();
        let calls = timeline(&mut det, 8000, Some(plan.tone(kind)), play);
        for (_, c) in dedup(&calls) {
            assert!(
                matches!(c, CallProgress::Unknown) || c == want,
                "{kind:?}: {:?}",
                dedup(&calls)
            );
        }
    }
}

#[test]
fn silence_is_declared_after_300_ms() {
    for country in ["US", "DE", "SE"] {
        let plan = TonePlan::for_country(country).unwrap();
        let mut det = CallProgressDetector::new(8000, plan).unwrap();
        let calls = timeline(&mut det, 8000, None, 1_000);
        assert_eq!(
            settled_from(&calls, CallProgress::Silence).map(|i| i * 10),
            Some(290),
            "{country}"
        );
    }
}

#[test]
fn single_test_tones_are_not_dial_tone() {
    for country in ["US", "DE"] {
        let plan = TonePlan::for_country(country).unwrap();
        for f in [440.0, 1000.0, 2000.0, 350.0, 480.0] {
            let mut det = CallProgressDetector::new(8000, plan).unwrap();
            let tone = Tone::continuous(ToneSound::single(f, Dbm0(-10.0)));
            let calls = timeline(&mut det, 8000, Some(&tone), 3_000);
            assert!(
                calls.iter().all(|&c| c == CallProgress::Unknown),
                "{country} {f} Hz: {:?}",
                dedup(&calls)
            );
        }
    }
}

#[test]
fn a_mix_of_two_plan_sounds_is_not_recognised() {
    // Dial and ring-back sounds at once: 350 + 440 + 480 Hz.
    let plan = TonePlan::for_country("US").unwrap();
    let mut det = CallProgressDetector::new(8000, plan).unwrap();
    let mix = Tone::continuous(ToneSound::Mixed {
        freqs: [
            (350.0, Dbm0(-13.0)),
            (440.0, Dbm0(-13.0)),
            (480.0, Dbm0(-13.0)),
            (0.0, Dbm0(0.0)),
        ],
        count: 3,
    });
    let calls = timeline(&mut det, 8000, Some(&mix), 3_000);
    assert!(
        calls.iter().all(|&c| c == CallProgress::Unknown),
        "{:?}",
        dedup(&calls)
    );
}

#[test]
fn sequence_dial_silence_ringback_busy_is_followed() {
    let plan = TonePlan::for_country("US").unwrap();
    let mut det = CallProgressDetector::new(8000, plan).unwrap();
    assert_eq!(
        timeline(&mut det, 8000, Some(&plan.dial), 2_000).last(),
        Some(&CallProgress::Dial)
    );
    assert_eq!(
        timeline(&mut det, 8000, None, 1_000).last(),
        Some(&CallProgress::Silence)
    );
    let rb = timeline(&mut det, 8000, Some(&plan.ringback), 13_000);
    assert!(
        settled_from(&rb, CallProgress::Ringback).is_some_and(|i| i <= 210),
        "{:?}",
        dedup(&rb)
    );
    let busy = timeline(&mut det, 8000, Some(&plan.busy), 4_000);
    assert!(
        settled_from(&busy, CallProgress::Busy).is_some_and(|i| i <= 150),
        "{:?}",
        dedup(&busy)
    );
    assert_eq!(
        timeline(&mut det, 8000, None, 1_000).last(),
        Some(&CallProgress::Silence)
    );
}

#[test]
fn detector_started_in_the_middle_of_a_cadence_still_classifies() {
    for country in ["US", "DE", "GB"] {
        let plan = TonePlan::for_country(country).unwrap();
        let mut det = CallProgressDetector::new(8000, plan).unwrap();
        let mut g = ToneGenerator::new(8000, &plan.busy).unwrap();
        let mut skip = vec![0i16; 8000 * 3 / 10 + 37];
        g.generate(&mut skip);
        let mut frame = [0i16; 80];
        let mut calls = Vec::new();
        for _ in 0..400 {
            g.generate(&mut frame);
            det.process(&frame);
            calls.push(det.current());
        }
        let from = settled_from(&calls, CallProgress::Busy);
        assert!(from.is_some_and(|i| i <= 250), "{country}: {:?}", dedup(&calls));
    }
}

#[test]
fn sixteen_khz_classifies_too() {
    let plan = TonePlan::for_country("US").unwrap();
    let mut det = CallProgressDetector::new(16_000, plan).unwrap();
    let calls = timeline(&mut det, 16_000, Some(&plan.reorder), 2_000);
    assert!(
        settled_from(&calls, CallProgress::Reorder).is_some_and(|i| i <= 75),
        "{:?}",
        dedup(&calls)
    );
}

#[test]
fn detection_does_not_depend_on_frame_length() {
    let plan = TonePlan::for_country("DE").unwrap();
    let mut g = ToneGenerator::new(8000, &plan.busy).unwrap();
    let mut x = vec![0i16; 8000 * 3];
    g.generate(&mut x);
    let run = |chunk: usize| {
        let mut det = CallProgressDetector::new(8000, plan).unwrap();
        let mut out = Vec::new();
        for c in x.chunks(chunk) {
            det.process(c);
            out.push(det.current());
        }
        out.last().copied()
    };
    assert_eq!(run(80), Some(CallProgress::Busy));
    assert_eq!(run(33), Some(CallProgress::Busy));
    assert_eq!(run(1000), Some(CallProgress::Busy));
}

/// The detector's whole state, allocated once in `new` (no heap at all).
const STATE_BYTES_MAX: usize = 3072;

#[test]
fn detector_state_size_is_bounded() {
    let size = std::mem::size_of::<CallProgressDetector>();
    println!("CallProgressDetector: {size} bytes");
    assert!(size <= STATE_BYTES_MAX, "{size} bytes");
}

mod no_alloc {
    //! The per-frame paths allocate nothing: a counting global allocator
    //! (test-only; the library forbids `unsafe`) counts this thread's
    //! allocations while the flag is on.

    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    use fxs_tones::{CallProgressDetector, ToneGenerator, ToneKind, TonePlan};

    struct Counting;

    thread_local! {
        static COUNTING: Cell<bool> = const { Cell::new(false) };
        static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    }

    fn note_allocation() {
        // `try_with`: the thread-locals may be gone while a thread shuts down.
        let _ = COUNTING.try_with(|on| {
            if on.get() {
                let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
            }
        });
    }

    // SAFETY: every call is forwarded unchanged to the system allocator; the
    // only addition is a thread-local counter that does not allocate.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            note_allocation();
            // SAFETY: same contract as the caller's.
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: same contract as the caller's.
            unsafe { System.dealloc(ptr, layout) }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            note_allocation();
            // SAFETY: same contract as the caller's.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    #[global_allocator]
    static GLOBAL: Counting = Counting;

    #[test]
    fn generating_and_detecting_frames_allocates_nothing() {
        let plan = TonePlan::for_country("GB").unwrap();
        let mut det = CallProgressDetector::new(8000, plan).unwrap();
        let mut gens: Vec<ToneGenerator> = ToneKind::ALL
            .iter()
            .map(|&k| ToneGenerator::new(8000, plan.tone(k)).unwrap())
            .collect();
        let mut frame = [0i16; 80];
        ALLOCATIONS.with(|n| n.set(0));
        COUNTING.with(|on| on.set(true));
        for g in &mut gens {
            for _ in 0..200 {
                g.generate(&mut frame);
                det.process(&frame);
            }
        }
        COUNTING.with(|on| on.set(false));
        assert_eq!(ALLOCATIONS.with(Cell::get), 0);
    }
}
