//! The country plans (tones-and-ringing.md §1-§5): coverage, validity, the
//! numbers of the spec as generated, and the generator's phase continuity
//! across the steps of the new tones.

use fxs_tones::{
    Dbm0, DistinctiveRing, Goertzel, SitCode, Tone, ToneGenerator, ToneKind, TonePlan, ToneSound,
    measure_tone,
};

fn render(tone: &Tone, ms: usize) -> Vec<i16> {
    let mut g = ToneGenerator::new(8000, tone).unwrap();
    let mut x = vec![0i16; ms * 8];
    g.generate(&mut x);
    x
}

fn level_at(x: &[i16], f: f32) -> f32 {
    let mut g = Goertzel::new(f, 8000);
    g.update(x);
    Dbm0::from_amplitude(g.amplitude()).0
}

#[test]
fn at_least_twenty_countries_plus_the_itu_plan() {
    let plans = TonePlan::all();
    let countries: Vec<&str> = plans.iter().map(|p| p.country).filter(|c| *c != "ITU").collect();
    assert!(countries.len() >= 20, "{countries:?}");
    assert_eq!(TonePlan::itu().country, "ITU");
    for c in &countries {
        assert_eq!(c.len(), 2, "{c} is not an alpha-2 code");
        assert_eq!(
            TonePlan::for_country(&c.to_ascii_lowercase()).unwrap().country,
            *c
        );
    }
    let mut sorted = countries.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), countries.len(), "duplicate codes");
}

#[test]
fn every_plan_validates_and_every_tone_can_be_generated() {
    for plan in TonePlan::all() {
        plan.validate()
            .unwrap_or_else(|e| panic!("{}: {e}", plan.country));
        for kind in ToneKind::ALL {
            let x = render(plan.tone(kind), 500);
            assert!(x.iter().any(|&s| s != 0), "{} {kind:?} is silent", plan.country);
            // Nothing clips: the loudest plan tone stays below full scale.
            assert!(
                x.iter().all(|&s| s > i16::MIN && s < i16::MAX),
                "{} {kind:?} clips",
                plan.country
            );
        }
    }
}

#[test]
fn cadences_with_a_prefix_then_steady_play_as_written() {
    // US recall: 3 x 0.1/0.1 s then steady (§3).
    let us = TonePlan::for_country("US").unwrap();
    let x = render(&us.recall, 1200);
    for (i, ms) in (0..1200).step_by(10).enumerate() {
        let block = &x[ms * 8..ms * 8 + 80];
        let on = block.iter().any(|&s| s != 0);
        let want = ms >= 600 || (ms / 100) % 2 == 0;
        assert_eq!(on, want, "block {i} at {ms} ms");
    }
    // Confirmation ends in silence.
    let mut g = ToneGenerator::new(8000, &us.confirmation).unwrap();
    let mut y = vec![0i16; 8000];
    g.generate(&mut y);
    assert!(g.is_finished());
    assert!(y[4800..].iter().all(|&s| s == 0));
}

#[test]
fn uk_stutter_alternates_350_440_with_440_phase_continuously() {
    let gb = TonePlan::for_country("GB").unwrap();
    let x = render(&gb.stutter, 3000);
    // First 750 ms: 350 @ -22 + 440 @ -18; next 750 ms: 440 alone.
    let (a, b) = (&x[..6000], &x[6000..12_000]);
    assert!((level_at(a, 350.0) + 22.0).abs() < 0.2);
    assert!((level_at(a, 440.0) + 18.0).abs() < 0.2);
    assert!(level_at(b, 350.0) < -45.0);
    // The 440 Hz component runs on through the switch: one coherent
    // 440 Hz sine over both steps has its full level.
    assert!((level_at(&x[..12_000], 440.0) + 18.0).abs() < 0.1);
}

#[test]
fn italian_special_dial_switches_frequency_without_a_jump() {
    let it = TonePlan::for_country("IT").unwrap();
    let x = render(&it.stutter, 1000);
    assert_eq!(
        measure_tone(&x[..3200], 8000).map(|m| m.freq_hz.round()),
        Some(470.0)
    );
    assert_eq!(
        measure_tone(&x[3200..6400], 8000).map(|m| m.freq_hz.round()),
        Some(425.0)
    );
    // Phase-continuous: the step between neighbouring samples at the switch
    // is no larger than the largest step inside a sine of that amplitude.
    let amp = Dbm0(-10.0).amplitude();
    let max_step = amp * 2.0 * (std::f32::consts::PI * 470.0 / 8000.0).sin() + 2.0;
    for n in 3195..3205 {
        let d = (f32::from(x[n + 1]) - f32::from(x[n])).abs();
        assert!(d <= max_step, "jump of {d} at sample {n}");
    }
}

#[test]
fn levels_follow_the_spec_table() {
    // §4.2: (country, kind, frequency, level).
    let cases = [
        ("US", ToneKind::Dial, 350.0, -13.0),
        ("US", ToneKind::Ringback, 480.0, -19.0),
        ("US", ToneKind::Reorder, 620.0, -24.0),
        ("GB", ToneKind::Dial, 350.0, -22.0),
        ("GB", ToneKind::Dial, 440.0, -18.0),
        ("GB", ToneKind::Busy, 400.0, -18.0),
        ("DE", ToneKind::Dial, 425.0, -16.0),
        ("CH", ToneKind::Dial, 425.0, -8.0),
        ("CH", ToneKind::Busy, 425.0, -13.0),
        ("AT", ToneKind::Dial, 450.0, -20.0),
        ("RU", ToneKind::Dial, 425.0, -10.0),
        ("RU", ToneKind::Sit, 950.0, -17.0),
        ("ITU", ToneKind::Sit, 950.0, -24.0),
        ("US", ToneKind::Howler, 2450.0, -9.0),
    ];
    for (country, kind, f, level) in cases {
        let plan = TonePlan::for_country(country).unwrap();
        // 100 ms: whole periods of every difference frequency, so no leakage.
        let x = render(plan.tone(kind), 100);
        let got = level_at(&x, f);
        assert!(
            (got - level).abs() < 0.3,
            "{country} {kind:?} {f} Hz: {got} dBm0, want {level}"
        );
    }
}

#[test]
fn ring_cadences_and_frequencies_follow_section_5() {
    let cases: [(&str, &[u32], f32); 8] = [
        ("US", &[2000, 4000], 20.0),
        ("GB", &[400, 200, 400, 2000], 25.0),
        ("DE", &[1000, 4000], 25.0),
        ("FR", &[1500, 3500], 50.0),
        ("ES", &[1500, 3000], 25.0),
        ("SE", &[1000, 5000], 25.0),
        ("AT", &[1000, 5000], 50.0),
        ("JP", &[1000, 2000], 16.0),
    ];
    for (country, cadence, hz) in cases {
        let plan = TonePlan::for_country(country).unwrap();
        assert_eq!(plan.ring_cadence_ms, cadence, "{country}");
        assert_eq!(plan.ring_frequency_hz, hz, "{country}");
    }
}

#[test]
fn nanp_sit_codes_have_the_telcordia_segments() {
    let seg = |code: SitCode| -> Vec<(u32, u32)> {
        code.tone().steps[..3]
            .iter()
            .map(|s| match s.sound {
                ToneSound::Mixed { freqs, .. } => ((freqs[0].0 * 10.0).round() as u32, s.duration_ms),
                _ => panic!("{code:?}"),
            })
            .collect()
    };
    assert_eq!(seg(SitCode::Ic), [(9138, 274), (13706, 274), (17767, 380)]);
    assert_eq!(seg(SitCode::Nc), [(9852, 380), (14285, 380), (17767, 380)]);
    assert_eq!(seg(SitCode::Vc), [(9852, 380), (13706, 274), (17767, 380)]);
    assert_eq!(seg(SitCode::Ro), [(9138, 274), (14285, 380), (17767, 380)]);
    assert_eq!(TonePlan::for_country("US").unwrap().sit, SitCode::Ic.tone());
}

#[test]
fn amplitude_stays_within_a_tenth_of_a_db_over_a_minute() {
    // 60 s of continuous 1000 Hz: the rotator oscillator is renormalised.
    let t = Tone::continuous(ToneSound::single(1000.0, Dbm0(-10.0)));
    let mut g = ToneGenerator::new(8000, &t).unwrap();
    let mut block = vec![0i16; 8000];
    let want = Dbm0(-10.0).amplitude();
    for second in 0..60 {
        g.generate(&mut block);
        let peak = block.iter().map(|&s| i32::from(s).abs()).max().unwrap() as f32;
        let err_db = 20.0 * (peak / want).log10();
        assert!(err_db.abs() < 0.1, "second {second}: {err_db} dB");
    }
    // And still on frequency and in phase: a Goertzel on the last second.
    assert!((level_at(&block, 1000.0) + 10.0).abs() < 0.05);
}

#[test]
fn distinctive_ring_patterns_are_data() {
    let dr3 = DistinctiveRing::Dr3.cadence();
    assert_eq!(dr3.on_off_ms.iter().sum::<u32>(), 6000);
    assert_eq!(
        fxs_tones::parse_alert_info("<http://192.0.2.1/Bellcore-dr3>"),
        Some(fxs_tones::AlertInfo::Ring(DistinctiveRing::Dr3))
    );
}
