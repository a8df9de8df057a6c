//! The simulated line end to end: a tiny engine in this file drives a
//! `SimSlic` through the `LineInterface` trait, and the simulated phone
//! hears tones, rings, dials and talks.

use std::time::{Duration, Instant};

use fxs_hal::sim::{PhoneEvent, SimSlic};
use fxs_hal::{HookDebouncer, HookEvent, HookState, LineBank, LineFeed, LineInterface};
use fxs_tones::{
    CallProgress, Dbm0, Digit, DtmfDetector, DtmfEvent, FRAME_SAMPLES, SAMPLE_RATE, ToneGenerator, TonePlan,
    measure_tone,
};

const TICK: Duration = Duration::from_millis(10);

/// What the fake engine does with one port per tick.
#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Play the US dial tone while the debounced hook is off.
    DialToneWhenOffHook,
    /// Ring with the US cadence until the phone answers.
    RingUntilAnswered,
    /// Only move audio.
    Idle,
}

/// A minimal gateway engine for one port: hook debouncing, dial tone,
/// software ring cadence, and capture of the uplink.
struct Engine {
    start: Instant,
    ticks: u32,
    slic: SimSlic,
    mode: Mode,
    hook: HookDebouncer,
    hook_events: Vec<(Instant, HookEvent)>,
    dial_tone: ToneGenerator,
    ring_cadence: &'static [u32],
    ring_started: Option<Instant>,
    uplink: Vec<i16>,
    downlink: [i16; FRAME_SAMPLES],
}

impl Engine {
    fn new(mode: Mode) -> Engine {
        let start = Instant::now();
        let mut slic = SimSlic::new(1, start);
        let line = slic.line(0).expect("one port");
        let Ok(()) = line.set_feed(LineFeed::IDLE);
        let us = TonePlan::for_country("US").expect("US plan");
        Engine {
            start,
            ticks: 0,
            slic,
            mode,
            hook: HookDebouncer::default(),
            hook_events: Vec::new(),
            dial_tone: ToneGenerator::new(SAMPLE_RATE, &us.dial).expect("US dial tone"),
            ring_cadence: us.ring_cadence_ms,
            ring_started: None,
            uplink: Vec::new(),
            downlink: [0; FRAME_SAMPLES],
        }
    }

    fn now(&self) -> Instant {
        self.start + TICK * self.ticks
    }

    fn start_ringing(&mut self) {
        self.ring_started = Some(self.now());
    }

    /// One 10 ms tick: the SLIC (phones) first, then the engine.
    fn tick(&mut self) {
        self.ticks += 1;
        let now = self.now();
        self.slic.tick(now);
        let line = self.slic.line(0).expect("one port");

        let Ok(raw) = line.hook();
        if let Some(event) = self.hook.update(now, raw) {
            self.hook_events.push((now, event));
        }

        let mut frame = [0i16; FRAME_SAMPLES];
        let Ok(()) = line.read_frame(&mut frame);
        self.uplink.extend_from_slice(&frame);

        match self.mode {
            Mode::DialToneWhenOffHook if self.hook.state() == HookState::OffHook => {
                self.dial_tone.generate(&mut self.downlink);
            }
            Mode::RingUntilAnswered => {
                if self.hook.state() == HookState::OffHook {
                    self.ring_started = None;
                }
                let on = self
                    .ring_started
                    .is_some_and(|t0| ring_is_on(self.ring_cadence, now - t0));
                if on != (line.feed() == LineFeed::Ringing) {
                    let Ok(()) = line.set_ringing(on);
                }
                self.downlink.fill(0);
            }
            _ => self.downlink.fill(0),
        }
        let Ok(()) = line.write_frame(&self.downlink);
    }

    fn run_for(&mut self, duration: Duration) {
        let until = self.now() + duration;
        while self.now() < until {
            self.tick();
        }
    }

    fn phone_events(&mut self) -> Vec<(Duration, PhoneEvent)> {
        let mut out = Vec::new();
        while let Some((t, e)) = self.slic.phone_mut(0).poll_event() {
            out.push((t - self.start, e));
        }
        out
    }
}

/// Whether a software ring cadence (on, off, on, off ... ms, repeating) is
/// in an "on" part `elapsed` after it started.
fn ring_is_on(cadence_ms: &[u32], elapsed: Duration) -> bool {
    let period: u32 = cadence_ms.iter().sum();
    let mut t = (elapsed.as_millis() % u128::from(period.max(1))) as u32;
    for (i, &part) in cadence_ms.iter().enumerate() {
        if t < part {
            return i % 2 == 0;
        }
        t -= part;
    }
    false
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

#[test]
fn off_hook_phone_hears_us_dial_tone_within_500_ms() {
    let mut engine = Engine::new(Mode::DialToneWhenOffHook);
    engine.run_for(ms(100));
    assert_eq!(
        engine
            .phone_events()
            .iter()
            .filter(|(_, e)| *e == PhoneEvent::Heard(CallProgress::Dial))
            .count(),
        0
    );

    let lifted = engine.now();
    engine.slic.phone_mut(0).lift();
    engine.run_for(ms(600));

    let events = engine.phone_events();
    let lift_seen = lifted - engine.start + TICK;
    assert!(events.contains(&(lift_seen, PhoneEvent::OffHook)), "{events:?}");
    let heard_dial = events
        .iter()
        .find(|(_, e)| *e == PhoneEvent::Heard(CallProgress::Dial))
        .map(|(t, _)| *t)
        .expect("the phone recognises dial tone");
    assert!(
        heard_dial - (lifted - engine.start) <= ms(500),
        "dial tone recognised {:?} after lifting",
        heard_dial - (lifted - engine.start)
    );
    // Debounce, then the 300 ms the detector needs: not before ~330 ms.
    assert!(heard_dial - (lifted - engine.start) >= ms(300));
    assert_eq!(engine.slic.phone(0).hearing(), CallProgress::Dial);
    let m = engine.slic.phone(0).measure().expect("dial tone is not silence");
    // US dial tone is 350 + 440 Hz, each at -13 dBm0: about -10 dBm0 in total.
    assert!((m.level.0 - -10.0).abs() <= 1.5, "{m:?}");

    // The engine's debouncer saw the lift 20 ms after the line did.
    assert_eq!(
        engine.hook_events,
        vec![(
            lifted + TICK + HookDebouncer::DEFAULT_DEBOUNCE,
            HookEvent::OffHook
        )]
    );
}

#[test]
fn ringing_feed_gives_ring_start_and_stop_events_and_a_ring_count() {
    let mut engine = Engine::new(Mode::RingUntilAnswered);
    let cadence = engine.ring_cadence;
    assert_eq!(cadence, &[2000, 4000], "US ringing cadence");
    engine.start_ringing();
    let rang_from = engine.now() - engine.start;
    engine.run_for(ms(12_000));

    let rings: Vec<_> = engine
        .phone_events()
        .into_iter()
        .filter(|(_, e)| matches!(e, PhoneEvent::RingStart | PhoneEvent::RingStop))
        .collect();
    // The engine first looks at the cadence in its first tick (10 ms) and
    // then flips the feed at each cadence edge; the phone sees the feed at
    // its next tick.
    let seen = |t: u64| rang_from + ms(t) + TICK;
    assert_eq!(
        rings,
        vec![
            (seen(10), PhoneEvent::RingStart),
            (seen(2000), PhoneEvent::RingStop),
            (seen(6000), PhoneEvent::RingStart),
            (seen(8000), PhoneEvent::RingStop),
        ]
    );
    assert_eq!(engine.slic.phone(0).ring_count(), 2);
    assert!(!engine.slic.phone(0).is_ringing());

    // Third burst: answered 500 ms in (ring trip), the ringing stops.
    engine.run_for(ms(500));
    assert!(engine.slic.phone(0).is_ringing());
    assert_eq!(engine.slic.phone(0).ring_count(), 3);
    engine.slic.phone_mut(0).lift();
    assert_eq!(engine.slic.phone(0).ring_count(), 0, "lifting resets the count");
    engine.run_for(ms(100));
    assert!(!engine.slic.phone(0).is_ringing());
    assert_eq!(engine.slic.sim_line(0).feed(), LineFeed::IDLE);
    let tail: Vec<_> = engine.phone_events().into_iter().map(|(_, e)| e).collect();
    let stop = tail.iter().position(|e| *e == PhoneEvent::RingStop);
    let off = tail.iter().position(|e| *e == PhoneEvent::OffHook);
    assert!(matches!((off, stop), (Some(o), Some(s)) if o < s), "{tail:?}");
}

#[test]
fn phone_dials_1002_and_a_dtmf_detector_on_the_uplink_sees_exactly_those_digits() {
    let mut engine = Engine::new(Mode::DialToneWhenOffHook);
    engine.slic.phone_mut(0).lift();
    engine.run_for(ms(400));
    engine.slic.phone_mut(0).dial("1002").expect("valid digits");
    engine.run_for(ms(1000));

    let mut detector = DtmfDetector::new(SAMPLE_RATE).expect("8 kHz detector");
    let mut digits = Vec::new();
    // Frame by frame, draining the detector's small event queue each time,
    // as an engine does.
    for frame in engine.uplink.chunks(FRAME_SAMPLES) {
        detector.process(frame);
        while let Some(event) = detector.poll_event() {
            if let DtmfEvent::Start { digit, .. } = event {
                digits.push(digit);
            }
        }
    }
    assert_eq!(digits, vec![Digit::D1, Digit::D0, Digit::D0, Digit::D2]);
    let done = engine
        .phone_events()
        .into_iter()
        .filter(|(_, e)| *e == PhoneEvent::DialingDone)
        .count();
    assert_eq!(done, 1);
}

#[test]
fn talk_tone_reaches_the_gateway_at_its_frequency_and_level() {
    let mut engine = Engine::new(Mode::Idle);
    engine.slic.phone_mut(0).lift();
    engine.slic.phone_mut(0).talk_tone(1000.0, Dbm0(-10.0));
    engine.run_for(ms(300));

    let last_200_ms = &engine.uplink[engine.uplink.len() - 1600..];
    let m = measure_tone(last_200_ms, SAMPLE_RATE).expect("a tone on the uplink");
    assert!((m.freq_hz - 1000.0).abs() <= 5.0, "{m:?}");
    assert!((m.level.0 - -10.0).abs() <= 1.0, "{m:?}");

    engine.slic.phone_mut(0).stop_talking();
    engine.run_for(ms(30));
    let tail = &engine.uplink[engine.uplink.len() - FRAME_SAMPLES..];
    assert!(tail.iter().all(|&s| s == 0), "silent after stop_talking");
}

#[test]
fn on_hook_phone_yields_silence() {
    let mut engine = Engine::new(Mode::Idle);
    engine.slic.phone_mut(0).talk_tone(1000.0, Dbm0(-10.0));
    engine.slic.phone_mut(0).dial("123").expect("valid digits");
    engine.run_for(ms(500));
    assert!(engine.uplink.iter().all(|&s| s == 0), "no loop current, no audio");

    // Off hook on an open line: still no loop current.
    let Ok(()) = engine.slic.line(0).expect("port").set_feed(LineFeed::Open);
    engine.slic.phone_mut(0).lift();
    engine.uplink.clear();
    engine.run_for(ms(200));
    assert!(engine.uplink.iter().all(|&s| s == 0), "open feed carries nothing");
    assert!(
        engine.hook_events.is_empty(),
        "an open line shows no loop closure"
    );

    // Powering the line brings the loop current and the audio.
    let Ok(()) = engine.slic.line(0).expect("port").set_feed(LineFeed::IDLE);
    engine.run_for(ms(50));
    assert!(engine.uplink.iter().any(|&s| s != 0));
    assert_eq!(engine.hook.state(), HookState::OffHook);
}
