//! The simulated phone's human-like signalling through the simulated SLIC,
//! conditioned by `HookConditioner`, driven by `Ringer` and `Supervisor`:
//! the parts an engine combines, end to end in virtual time.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fxs_hal::caps::MwiLamp;
use fxs_hal::ring::{CallerIdPlacement, RingCadence, RingMode, RingOutput, Ringer};
use fxs_hal::sim::{EchoPath, LineDevice, PhoneEvent, PulseDialing, SimSlic};
use fxs_hal::supervision::{DisconnectSignal, Supervision, SupervisionConfig, Supervisor};
use fxs_hal::{
    Decadic, HookConditioner, HookDebouncer, HookEvent, HookProfile, HookSignal, HookSignalKind, LineBank,
    LineFeed, LineInterface,
};
use fxs_tones::{
    Dbm0, Digit, DtmfDetector, DtmfEvent, DtmfGeneratorConfig, FRAME_SAMPLES, SAMPLE_RATE, Tone,
    ToneGenerator, ToneSound, measure_tone,
};

const TICK: Duration = Duration::from_millis(10);

/// One port, a conditioner, and the uplink recorded.
struct Bench {
    t0: Instant,
    ticks: u32,
    slic: SimSlic,
    hook: HookConditioner,
    signals: Vec<HookSignal>,
    uplink: Vec<i16>,
    downlink: [i16; FRAME_SAMPLES],
}

impl Bench {
    fn new(profile: HookProfile) -> Bench {
        let t0 = Instant::now();
        let mut slic = SimSlic::new(1, t0);
        let Ok(()) = slic.line(0).expect("port").set_feed(LineFeed::IDLE);
        Bench {
            t0,
            ticks: 0,
            slic,
            hook: HookConditioner::new(profile, t0),
            signals: Vec::new(),
            uplink: Vec::new(),
            downlink: [0; FRAME_SAMPLES],
        }
    }

    fn now(&self) -> Instant {
        self.t0 + TICK * self.ticks
    }

    fn ms(&self, t: Instant) -> u64 {
        (t - self.t0).as_millis() as u64
    }

    fn tick(&mut self) {
        self.ticks += 1;
        let now = self.now();
        self.slic.tick(now);
        let line = self.slic.line(0).expect("port");
        let Ok(raw) = line.hook();
        self.hook.update(now, raw);
        while let Some(s) = self.hook.poll_signal() {
            self.signals.push(s);
        }
        let mut up = [0i16; FRAME_SAMPLES];
        let Ok(()) = line.read_frame(&mut up);
        self.uplink.extend_from_slice(&up);
        let Ok(()) = line.write_frame(&self.downlink);
    }

    fn run(&mut self, ms: u64) {
        for _ in 0..ms / 10 {
            self.tick();
        }
    }

    fn kinds(&self) -> Vec<HookSignalKind> {
        self.signals.iter().map(|s| s.kind).collect()
    }
}

fn digits(s: &str) -> Vec<HookSignalKind> {
    s.chars()
        .map(|c| HookSignalKind::PulseDigit(Digit::from_char(c).expect("digit")))
        .collect()
}

#[test]
fn rotary_dialling_at_8_and_12_pps_and_55_to_70_percent_break_decodes() {
    for (pps, ratio) in [(8.0, 0.55), (8.0, 0.70), (10.0, 0.6), (12.0, 0.55), (12.0, 0.70)] {
        let mut b = Bench::new(HookProfile::for_country("US").expect("US"));
        b.slic.phone_mut(0).lift();
        b.run(200);
        let dialing = PulseDialing {
            pps,
            break_ratio: ratio,
            ..PulseDialing::default()
        };
        b.slic
            .phone_mut(0)
            .dial_pulses("1029384756", dialing)
            .expect("digits");
        b.run(14_000);
        let mut want = vec![HookSignalKind::OffHook];
        want.extend(digits("1029384756"));
        assert_eq!(b.kinds(), want, "{pps} pps, {ratio} break");
        assert!(!b.slic.phone(0).hook_switch_busy());
    }
}

#[test]
fn swedish_and_new_zealand_phones_decode_with_matching_profiles() {
    for cc in ["SE", "NZ"] {
        let profile = HookProfile::for_country(cc).expect("profile");
        let decadic = profile.pulse.expect("pulse").decadic;
        let mut b = Bench::new(profile);
        b.slic.phone_mut(0).lift();
        b.run(100);
        let dialing = PulseDialing {
            decadic,
            ..PulseDialing::default()
        };
        b.slic.phone_mut(0).dial_pulses("019", dialing).expect("digits");
        b.run(5000);
        assert_eq!(b.kinds()[1..], digits("019")[..], "{cc}");
    }
    assert_ne!(
        Decadic::Sweden.pulses(Digit::D1),
        Decadic::NewZealand.pulses(Digit::D1)
    );
}

#[test]
fn pulse_dialling_reports_done_and_rejects_non_digits() {
    let mut b = Bench::new(HookProfile::default());
    b.slic.phone_mut(0).lift();
    b.run(100);
    assert!(
        b.slic
            .phone_mut(0)
            .dial_pulses("1#", PulseDialing::default())
            .is_err()
    );
    let bad = PulseDialing {
        break_ratio: 0.95,
        ..PulseDialing::default()
    };
    assert!(b.slic.phone_mut(0).dial_pulses("1", bad).is_err());
    b.slic
        .phone_mut(0)
        .dial_pulses("3", PulseDialing::default())
        .expect("digit");
    b.run(1500);
    let mut done = 0;
    while let Some((_, e)) = b.slic.phone_mut(0).poll_event() {
        done += usize::from(e == PhoneEvent::DialingDone);
    }
    assert_eq!(done, 1);
}

#[test]
fn flash_inside_the_window_is_a_flash_and_a_long_one_is_a_hang_up() {
    let mut b = Bench::new(HookProfile::default());
    b.slic.phone_mut(0).lift();
    b.run(200);
    b.slic.phone_mut(0).flash(Duration::from_millis(300));
    b.run(1000);
    b.slic.phone_mut(0).flash(Duration::from_millis(1200));
    b.run(2000);
    use HookSignalKind::*;
    assert_eq!(b.kinds(), vec![OffHook, Flash, OnHook, OffHook]);
    let flash = b.signals[1];
    assert_eq!(
        b.ms(flash.at) - b.ms(flash.since),
        310,
        "decided when the make is confirmed"
    );
    let events: Vec<_> = std::iter::from_fn(|| b.slic.phone_mut(0).poll_event())
        .map(|(_, e)| e)
        .filter(|e| *e == PhoneEvent::FlashDone)
        .collect();
    assert_eq!(events.len(), 2);
}

#[test]
fn bouncy_hook_switch_gives_one_clean_lift_and_one_hang_up() {
    let mut b = Bench::new(HookProfile::default());
    let mut debouncer = HookDebouncer::default();
    let mut debounced = Vec::new();
    b.slic.phone_mut(0).set_hook_bounce(Duration::from_millis(60));
    b.slic.phone_mut(0).lift();
    for _ in 0..150 {
        b.tick();
        let now = b.now();
        let Ok(raw) = b.slic.line(0).expect("port").hook();
        debounced.extend(debouncer.update(now, raw));
        if b.ticks == 50 {
            b.slic.phone_mut(0).hang_up();
        }
    }
    assert_eq!(b.kinds(), vec![HookSignalKind::OffHook, HookSignalKind::OnHook]);
    assert_eq!(debounced, vec![HookEvent::OffHook, HookEvent::OnHook]);
    // The lift is confirmed only after the 60 ms of chatter.
    assert!(b.ms(b.signals[0].at) >= 70, "{:?}", b.signals[0]);
}

/// Ring with `cadence` through a `Ringer` until the phone answers or
/// `total_ms` pass; returns the bench.
fn ring(cadence: RingCadence, placement: CallerIdPlacement, lift_at_ms: Option<u64>, total_ms: u64) -> Bench {
    let mut b = Bench::new(HookProfile::default());
    let mut ringer = Ringer::new(RingMode::Software);
    // The first drive is at the first tick.
    ringer.start(b.now() + TICK, cadence, placement);
    b.hook.set_ringing(true);
    let mut cid: Option<ToneGenerator> = None;
    let fsk_stand_in = Tone::continuous(ToneSound::single(1200.0, Dbm0(-13.0)));
    for _ in 0..total_ms / 10 {
        if lift_at_ms == Some(b.ms(b.now())) {
            b.slic.phone_mut(0).lift();
        }
        b.tick();
        let now = b.now();
        if b.signals.iter().any(|s| s.kind == HookSignalKind::RingTrip) && ringer.is_active() {
            ringer.stop(now);
            b.hook.set_ringing(false);
        }
        let line = b.slic.line(0).expect("port");
        while let Ok(Some(out)) = ringer.drive(now, line) {
            match out {
                RingOutput::SendCallerId { .. } => {
                    cid = Some(ToneGenerator::new(SAMPLE_RATE, &fsk_stand_in).expect("tone"));
                }
                RingOutput::CallerIdAborted => cid = None,
                _ => {}
            }
        }
        // 1 s of "data", then report it sent.
        match cid.as_mut() {
            Some(g) => g.generate(&mut b.downlink),
            None => b.downlink.fill(0),
        }
        if cid.is_some() && b.slic.phone(0).on_hook_audio_frames() >= 100 {
            cid = None;
            ringer.caller_id_sent(now);
        }
    }
    b
}

#[test]
fn phone_measures_the_us_and_distinctive_cadences() {
    let b = ring(
        RingCadence::for_country("US").expect("US"),
        CallerIdPlacement::None,
        None,
        14_500,
    );
    assert_eq!(b.slic.phone(0).ring_cadence_ms(), &[2000, 4000, 2000, 4000, 2000]);
    assert_eq!(b.slic.phone(0).ring_count(), 3);

    let dr3 = RingCadence::bellcore(3).expect("DR3");
    let b = ring(dr3, CallerIdPlacement::None, None, 6500);
    assert_eq!(
        b.slic.phone(0).ring_cadence_ms(),
        &[400, 200, 400, 200, 800, 4000, 400]
    );
}

#[test]
fn too_many_ringers_leave_the_bell_silent() {
    let mut b = Bench::new(HookProfile::default());
    b.slic.sim_line_mut(0).set_phone_ren(12.0);
    let Ok(()) = b.slic.line(0).expect("port").set_ringing(true);
    b.run(500);
    assert_eq!(b.slic.phone(0).ring_count(), 0);
    assert!(b.slic.sim_line(0).ring_voltage_at_phone() < fxs_hal::sim::RINGER_THRESHOLD_VRMS);
}

#[test]
fn ring_trip_in_a_burst_and_in_a_pause_is_reported_within_100_ms() {
    for lift_at in [500u64, 3000] {
        let b = ring(
            RingCadence::for_country("US").expect("US"),
            CallerIdPlacement::None,
            Some(lift_at),
            5000,
        );
        let trips: Vec<_> = b
            .signals
            .iter()
            .filter(|s| s.kind == HookSignalKind::RingTrip)
            .collect();
        assert_eq!(trips.len(), 1, "{:?}", b.signals);
        // The contact closes at the tick after lift().
        let closed = lift_at + 10;
        let delay = b.ms(trips[0].at) - closed;
        assert!(
            delay <= 100,
            "ring trip {delay} ms after the loop closed (lift at {lift_at})"
        );
        assert!(!b.slic.phone(0).is_ringing());
        assert_eq!(b.slic.sim_line(0).feed(), LineFeed::IDLE);
        assert!(
            !b.kinds().contains(&HookSignalKind::OffHook),
            "a ring trip, not a plain lift"
        );
    }
}

/// Records when on-hook audio reached the jack.
struct CidProbe(Arc<Mutex<Vec<Instant>>>);

impl LineDevice for CidProbe {
    fn frame(
        &mut self,
        now: Instant,
        off_hook: bool,
        heard: &[i16; FRAME_SAMPLES],
        _mouth: &mut [i16; FRAME_SAMPLES],
    ) -> bool {
        if !off_hook && heard.iter().any(|&s| s != 0) {
            if let Ok(mut v) = self.0.lock() {
                v.push(now);
            }
        }
        false
    }
}

#[test]
fn telcordia_caller_id_reaches_the_on_hook_phone_only_in_its_slot() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut b = Bench::new(HookProfile::default());
    b.slic
        .phone_mut(0)
        .attach_device(Box::new(CidProbe(Arc::clone(&seen))));
    let mut ringer = Ringer::new(RingMode::Software);
    let us = RingCadence::for_country("US").expect("US");
    ringer.start(b.now() + TICK, us, CallerIdPlacement::AfterFirstRing);
    let mut tone = ToneGenerator::new(
        SAMPLE_RATE,
        &Tone::continuous(ToneSound::single(1200.0, Dbm0(-13.0))),
    )
    .expect("tone");
    let mut sending = false;
    for _ in 0..700 {
        b.tick();
        let now = b.now();
        let line = b.slic.line(0).expect("port");
        while let Ok(Some(out)) = ringer.drive(now, line) {
            if let RingOutput::SendCallerId { .. } = out {
                sending = true;
            }
        }
        if sending {
            tone.generate(&mut b.downlink);
        } else {
            b.downlink.fill(0);
        }
        if sending && b.ms(now) >= 3500 {
            sending = false;
            ringer.caller_id_sent(now);
        }
    }
    let seen = seen.lock().expect("probe").clone();
    let first = b.ms(*seen.first().expect("caller ID heard"));
    let last = b.ms(*seen.last().expect("caller ID heard"));
    assert!(first >= 2500, "not before 500 ms after ring 1 ends: {first}");
    assert!(last <= 5800, "ends 200 ms before ring 2: {last}");
    assert_eq!(b.slic.phone(0).on_hook_audio_frames(), seen.len() as u64);
    assert!(b.slic.phone_mut(0).detach_device().is_some());
}

#[test]
fn dtmf_level_and_twist_are_the_phones_own() {
    let level_of = |config: DtmfGeneratorConfig| {
        let mut b = Bench::new(HookProfile::default());
        b.slic.phone_mut(0).lift();
        b.slic.phone_mut(0).set_dtmf(config).expect("config");
        b.run(100);
        b.uplink.clear();
        b.slic.phone_mut(0).dial("5").expect("digit");
        b.run(300);
        let mut det = DtmfDetector::new(SAMPLE_RATE).expect("detector");
        let mut got = Vec::new();
        for f in b.uplink.chunks(FRAME_SAMPLES) {
            det.process(f);
            while let Some(e) = det.poll_event() {
                if let DtmfEvent::Start { digit, .. } = e {
                    got.push(digit);
                }
            }
        }
        assert_eq!(got, vec![Digit::D5]);
        let energy: f64 = b.uplink.iter().map(|&s| f64::from(s).powi(2)).sum();
        10.0 * energy.log10()
    };
    let loud = level_of(DtmfGeneratorConfig::default());
    let quiet = level_of(DtmfGeneratorConfig {
        level: Dbm0(-20.0),
        twist_db: 4.0,
        ..DtmfGeneratorConfig::default()
    });
    // Low tone 10 dB down, high tone 8 dB down: about 8.8 dB less energy.
    assert!((loud - quiet - 8.8).abs() < 0.7, "{loud} vs {quiet}");
}

#[test]
fn uplink_carries_the_hybrid_echo_at_the_configured_return_loss() {
    let mut b = Bench::new(HookProfile::default());
    b.slic
        .sim_line_mut(0)
        .set_echo_path(Some(EchoPath::typical(12.0).expect("echo")));
    b.slic.phone_mut(0).lift();
    let mut tone = ToneGenerator::new(
        SAMPLE_RATE,
        &Tone::continuous(ToneSound::single(1000.0, Dbm0(-10.0))),
    )
    .expect("tone");
    for _ in 0..50 {
        tone.generate(&mut b.downlink);
        b.tick();
    }
    let m = measure_tone(&b.uplink[b.uplink.len() - 1600..], SAMPLE_RATE).expect("echo");
    assert!((m.freq_hz - 1000.0).abs() < 5.0, "{m:?}");
    // A sine comes back scaled by the path's response at 1 kHz.
    let echo = EchoPath::typical(12.0).expect("echo");
    let w = 2.0 * std::f32::consts::PI * 1000.0 / 8000.0;
    let (re, im) = echo
        .taps()
        .iter()
        .enumerate()
        .fold((0.0f32, 0.0f32), |(re, im), (k, t)| {
            (re + t * (w * k as f32).cos(), im - t * (w * k as f32).sin())
        });
    let want = -10.0 + 20.0 * (re * re + im * im).sqrt().log10();
    assert!((m.level.0 - want).abs() < 0.5, "{m:?}, want {want} dBm0");
    assert!(want < -12.0, "the echo is well below the downlink");
    b.slic.phone_mut(0).hang_up();
    b.uplink.clear();
    b.run(100);
    assert!(
        b.uplink.iter().all(|&s| s == 0),
        "no loop current: no echo reaches the PCM side"
    );
}

#[test]
fn message_waiting_lamp_follows_the_slic() {
    let mut b = Bench::new(HookProfile::default());
    let Ok(()) = MwiLamp::set_mwi_lamp(b.slic.sim_line_mut(0), true);
    b.run(20);
    assert!(b.slic.phone(0).mwi_lamp());
    let Ok(()) = MwiLamp::set_mwi_lamp(b.slic.sim_line_mut(0), false);
    b.run(20);
    let lamp: Vec<_> = std::iter::from_fn(|| b.slic.phone_mut(0).poll_event())
        .filter_map(|(_, e)| match e {
            PhoneEvent::MwiLamp(on) => Some(on),
            _ => None,
        })
        .collect();
    assert_eq!(lamp, vec![true, false]);
}

#[test]
fn open_switch_interval_is_masked_so_the_phone_does_not_seem_to_hang_up() {
    let mut b = Bench::new(HookProfile::default());
    let mut sup = Supervisor::new(SupervisionConfig {
        disconnect: DisconnectSignal::Osi,
        osi: Duration::from_millis(800),
        ..SupervisionConfig::default()
    })
    .expect("config");
    b.slic.phone_mut(0).lift();
    b.run(200);
    sup.far_end_cleared(b.now());
    let mut done_at = None;
    for _ in 0..200 {
        let now = b.now();
        let now_ms = b.ms(now);
        let line = b.slic.line(0).expect("port");
        while let Ok(Some(out)) = sup.drive(now, line) {
            match out {
                Supervision::MaskHook { until } => b.hook.mask_until(until),
                Supervision::DisconnectDone => done_at = Some(now_ms),
                Supervision::Feed(_) => {}
            }
        }
        b.tick();
    }
    assert_eq!(done_at, Some(1000), "OSI of 800 ms from 200 ms");
    assert_eq!(
        b.kinds(),
        vec![HookSignalKind::OffHook],
        "no hang-up during the OSI"
    );
    assert_eq!(b.slic.sim_line(0).feed(), LineFeed::IDLE);
}

#[test]
fn rp_as_pulse_is_counted_by_the_ring_detector() {
    let b = ring(
        RingCadence::for_country("DE").expect("DE"),
        CallerIdPlacement::RingPulse,
        None,
        3000,
    );
    // 250 ms pulse; 500 ms later the slot opens, 1 s of data, 200 ms, ring.
    let cadence = b.slic.phone(0).ring_cadence_ms();
    assert_eq!(cadence.first(), Some(&250), "{cadence:?}");
    assert_eq!(b.slic.phone(0).ring_count(), 2);
}

#[test]
fn chip_hook_edges_give_sub_tick_timing_to_the_conditioner() {
    let mut b = Bench::new(HookProfile::default());
    b.slic.sim_line_mut(0).set_hook_events(true);
    assert!(b.slic.sim_line(0).capabilities().hook_events);
    let mut edge_signals = Vec::new();
    let mut edges = Vec::new();
    let mut chip = HookConditioner::new(HookProfile::default(), b.t0);
    let mut run = |b: &mut Bench, ticks: u32| {
        for _ in 0..ticks {
            b.tick();
            let now = b.now();
            let line = b.slic.line(0).expect("port");
            while let Ok(Some(edge)) = line.poll_hook_edge() {
                chip.edge(now, edge.state, now - edge.ago);
                edges.push(((now - edge.ago - b.t0).as_millis(), edge.state));
            }
            chip.advance(now);
            while let Some(s) = chip.poll_signal() {
                edge_signals.push(s);
            }
        }
    };
    b.slic.phone_mut(0).lift();
    run(&mut b, 20);
    b.slic.phone_mut(0).flash(Duration::from_millis(305));
    run(&mut b, 100);
    let flash = edge_signals
        .iter()
        .find(|s| s.kind == HookSignalKind::Flash)
        .expect("flash");
    // The flash opened the loop at a tick and closed it 305 ms later,
    // between ticks; the chip's edges carry the exact time.
    assert_eq!(flash.since, b.t0 + Duration::from_millis(210));
    use fxs_hal::HookState::{OffHook, OnHook};
    assert_eq!(edges, vec![(10, OffHook), (210, OnHook), (515, OffHook)]);
    let kinds: Vec<_> = edge_signals.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, vec![HookSignalKind::OffHook, HookSignalKind::Flash]);
}
