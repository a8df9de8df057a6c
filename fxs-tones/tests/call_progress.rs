//! Call-progress classification of the plans' own tones (tones-and-ringing.md
//! §3-§4) and of things that are not plan tones.

use fxs_tones::{
    CallProgress, CallProgressDetector, Dbm0, Tone, ToneGenerator, ToneKind, TonePlan, ToneSound,
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

fn detector(country: &str) -> (CallProgressDetector, &'static TonePlan) {
    let plan = TonePlan::for_country(country).unwrap();
    (CallProgressDetector::new(8000, plan).unwrap(), plan)
}

/// (kind, expected call, deadline in ms from the tone start, length to play in ms)
fn cases(country: &str) -> [(ToneKind, CallProgress, usize, usize); 4] {
    let (ringback_deadline, busy_deadline, reorder_deadline) = match country {
        // 1.5 cadence cycles for busy and reorder; ring-back after its first burst.
        "US" => (2100, 1500, 750),
        _ => (1100, 1440, 720),
    };
    [
        (ToneKind::Dial, CallProgress::Dial, 500, 5_000),
        (
            ToneKind::Ringback,
            CallProgress::Ringback,
            ringback_deadline,
            20_000,
        ),
        (ToneKind::Busy, CallProgress::Busy, busy_deadline, 6_000),
        (ToneKind::Reorder, CallProgress::Reorder, reorder_deadline, 4_000),
    ]
}

#[test]
fn plan_tones_are_classified_in_time_and_stay_classified() {
    for country in ["US", "DE"] {
        for (kind, want, deadline_ms, play_ms) in cases(country) {
            let (mut det, plan) = detector(country);
            let calls = timeline(&mut det, 8000, Some(plan.tone(kind)), play_ms);
            let from = settled_from(&calls, want);
            assert!(
                from.is_some_and(|i| i * 10 <= deadline_ms),
                "{country} {kind:?}: settled at {:?} ms, deadline {deadline_ms} ms; {:?}",
                from.map(|i| i * 10),
                dedup(&calls)
            );
        }
    }
}

#[test]
fn plan_tones_after_silence_are_classified_the_same() {
    for country in ["US", "DE"] {
        for (kind, want, deadline_ms, play_ms) in cases(country) {
            let (mut det, plan) = detector(country);
            let quiet = timeline(&mut det, 8000, None, 1_000);
            assert_eq!(quiet.last(), Some(&CallProgress::Silence));
            let calls = timeline(&mut det, 8000, Some(plan.tone(kind)), play_ms);
            let from = settled_from(&calls, want);
            assert!(
                from.is_some_and(|i| i * 10 <= deadline_ms),
                "{country} {kind:?}: {:?}",
                dedup(&calls)
            );
        }
    }
}

#[test]
fn us_tones_never_pass_through_a_wrong_plan_tone() {
    for (kind, want, _, play_ms) in cases("US") {
        let (mut det, plan) = detector("US");
        let calls = timeline(&mut det, 8000, Some(plan.tone(kind)), play_ms);
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
    for country in ["US", "DE"] {
        let (mut det, _) = detector(country);
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
        for f in [440.0, 1000.0, 2000.0, 350.0, 480.0] {
            let (mut det, _) = detector(country);
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
    let (mut det, _) = detector("US");
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
    let (mut det, plan) = detector("US");
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
    for country in ["US", "DE"] {
        let (mut det, plan) = detector(country);
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
fn attenuated_tones_are_still_classified() {
    for country in ["US", "DE"] {
        let plan = *TonePlan::for_country(country).unwrap();
        let mut quiet = plan;
        for kind in ToneKind::ALL {
            let t = match kind {
                ToneKind::Dial => &mut quiet.dial,
                ToneKind::Ringback => &mut quiet.ringback,
                ToneKind::Busy => &mut quiet.busy,
                _ => &mut quiet.reorder,
            };
            for step in &mut t.steps {
                if let ToneSound::Mixed { freqs, count } = &mut step.sound {
                    for (_, l) in &mut freqs[..usize::from(*count)] {
                        l.0 -= 12.0;
                    }
                }
            }
        }
        for (kind, want, deadline_ms, play_ms) in cases(country) {
            let mut det = CallProgressDetector::new(8000, &plan).unwrap();
            let calls = timeline(&mut det, 8000, Some(quiet.tone(kind)), play_ms);
            let from = settled_from(&calls, want);
            assert!(
                from.is_some_and(|i| i * 10 <= deadline_ms),
                "{country} {kind:?} -12 dB: {:?}",
                dedup(&calls)
            );
        }
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

fn dedup(calls: &[CallProgress]) -> Vec<(usize, CallProgress)> {
    let mut out: Vec<(usize, CallProgress)> = Vec::new();
    for (i, &c) in calls.iter().enumerate() {
        if out.last().is_none_or(|&(_, l)| l != c) {
            out.push((i * 10, c));
        }
    }
    out
}
