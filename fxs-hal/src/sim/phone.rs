//! [`SimPhone`]: a simulated analog telephone on a [`SimLine`].

use std::collections::VecDeque;
use std::time::Instant;

use fxs_tones::{
    CallProgress, CallProgressDetector, Dbm0, DtmfGenerator, DtmfGeneratorConfig, FRAME_SAMPLES, SAMPLE_RATE,
    Tone, ToneGenerator, ToneMeasurement, TonePlan, ToneSound,
};

use super::line::SimLine;
use crate::line::{LineFeed, LineInterface};

/// Samples the ear keeps for [`SimPhone::measure`]: 200 ms at 8 kHz.
pub const EAR_HISTORY_SAMPLES: usize = 1600;

const _: () = assert!(EAR_HISTORY_SAMPLES % FRAME_SAMPLES == 0);

/// Events the phone's queue holds before the oldest are dropped.
pub const EVENT_CAPACITY: usize = 256;

/// Something the simulated phone did or noticed, stamped with the tick
/// time by [`SimPhone::poll_event`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PhoneEvent {
    /// The hook switch closed the loop (first tick after [`SimPhone::lift`]).
    OffHook,
    /// The hook switch opened the loop (first tick after [`SimPhone::hang_up`]).
    OnHook,
    /// Power ringing appeared on the line.
    RingStart,
    /// Power ringing stopped.
    RingStop,
    /// The call-progress classification of what the ear hears changed.
    Heard(CallProgress),
    /// All queued DTMF digits have been sent.
    DialingDone,
}

/// A simulated analog telephone: hook switch, DTMF keypad, a mouth that can
/// talk a test tone, an ear that classifies call-progress tones, and a
/// ringer.
///
/// It is driven by [`SimPhone::tick`] once per 10 ms frame (normally by
/// [`SimSlic::tick`](super::SimSlic::tick)). Per tick it, in order:
///
/// 1. applies its hook switch to the line (events [`PhoneEvent::OffHook`],
///    [`PhoneEvent::OnHook`]);
/// 2. looks for power ringing on the line ([`PhoneEvent::RingStart`],
///    [`PhoneEvent::RingStop`]); the ringer sees the line's
///    [`LineFeed::Ringing`] state whatever the hook switch;
/// 3. hears the frame the gateway last wrote (silence without a voice
///    path), runs a [`CallProgressDetector`] on it ([`PhoneEvent::Heard`] on a
///    change of classification) and keeps the last 200 ms for
///    [`SimPhone::measure`];
/// 4. puts its next mouth frame on the line: DTMF while digits are queued
///    (the keypad mutes the microphone), else the talk tone, else silence.
///
/// Dialing and talking run on the phone's own clock whether or not the line
/// carries them: digits dialed on hook are lost, as on a real set.
///
/// Nothing allocates after construction; the event queue is a preallocated
/// ring of [`EVENT_CAPACITY`] entries that drops the oldest when full
/// (counted by [`SimPhone::dropped_events`]).
pub struct SimPhone {
    now: Instant,
    /// The hook switch.
    off_hook: bool,
    /// The hook switch as last applied to the line.
    applied_off_hook: bool,
    dialer: DtmfGenerator,
    dialing: bool,
    talk: Option<ToneGenerator>,
    plan: &'static TonePlan,
    ear: CallProgressDetector,
    heard: CallProgress,
    frame: [i16; FRAME_SAMPLES],
    history: [i16; EAR_HISTORY_SAMPLES],
    history_pos: usize,
    ringing: bool,
    ring_count: u32,
    events: VecDeque<(Instant, PhoneEvent)>,
    dropped_events: u64,
}

impl core::fmt::Debug for SimPhone {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("SimPhone")
            .field("now", &self.now)
            .field("off_hook", &self.off_hook)
            .field("dialing", &self.dialing)
            .field("talking", &self.talk.is_some())
            .field("plan", &self.plan.country)
            .field("heard", &self.heard)
            .field("ringing", &self.ringing)
            .field("ring_count", &self.ring_count)
            .field("queued_events", &self.events.len())
            .finish_non_exhaustive()
    }
}

/// The keypad: DTMF per dtmf.md defaults (70 ms on, 70 ms off, low tone at
/// -10 dBm0, high tone 2 dB above).
fn new_dialer() -> DtmfGenerator {
    DtmfGenerator::new(DtmfGeneratorConfig::default())
        .expect("fxs-tones' default DTMF generator configuration is valid")
}

impl SimPhone {
    /// The tone plan a new phone classifies against.
    pub const DEFAULT_COUNTRY: &'static str = "US";

    /// A phone on hook, silent, classifying against the US tone plan, with
    /// its clock at `start`.
    ///
    /// # Panics
    ///
    /// Only if fxs-tones' built-in US plan or default DTMF configuration is
    /// rejected by fxs-tones itself (a bug there).
    #[must_use]
    pub fn new(start: Instant) -> SimPhone {
        let plan =
            TonePlan::for_country(SimPhone::DEFAULT_COUNTRY).expect("fxs-tones has a built-in US tone plan");
        let ear = CallProgressDetector::new(SAMPLE_RATE, plan)
            .expect("fxs-tones accepts its own built-in US tone plan");
        let heard = ear.current();
        SimPhone {
            now: start,
            off_hook: false,
            applied_off_hook: false,
            dialer: new_dialer(),
            dialing: false,
            talk: None,
            plan,
            ear,
            heard,
            frame: [0; FRAME_SAMPLES],
            history: [0; EAR_HISTORY_SAMPLES],
            history_pos: 0,
            ringing: false,
            ring_count: 0,
            events: VecDeque::with_capacity(EVENT_CAPACITY),
            dropped_events: 0,
        }
    }

    /// Lift the handset. The line sees the loop close at the next tick.
    pub fn lift(&mut self) {
        if !self.off_hook {
            self.off_hook = true;
            self.ring_count = 0;
        }
    }

    /// Put the handset down. The line sees the loop open at the next tick.
    /// Digits still queued are forgotten.
    pub fn hang_up(&mut self) {
        if self.off_hook {
            self.off_hook = false;
            self.ring_count = 0;
            if self.dialing {
                self.dialer = new_dialer();
                self.dialing = false;
            }
        }
    }

    /// The position of the hook switch (changed at once by [`lift`](Self::lift)
    /// and [`hang_up`](Self::hang_up)).
    #[must_use]
    pub fn is_off_hook(&self) -> bool {
        self.off_hook
    }

    /// Queue DTMF digits (70 ms on / 70 ms off, -10 dBm0, +2 dB twist;
    /// dtmf.md defaults). `Err` on a character that is not a DTMF digit
    /// (nothing is queued then) or when the keypad queue is full.
    pub fn dial(&mut self, digits: &str) -> Result<(), fxs_tones::Error> {
        self.dialer.push_str(digits)?;
        self.dialing = !self.dialer.is_idle();
        Ok(())
    }

    /// `true` while queued digits are still being sent.
    #[must_use]
    pub fn is_dialing(&self) -> bool {
        self.dialing
    }

    /// Talk a continuous test tone of `freq_hz` at `level` (replaces any
    /// previous talk source).
    ///
    /// # Panics
    ///
    /// If fxs-tones rejects the tone (for example a frequency at or above
    /// the 4000 Hz Nyquist limit); use [`try_talk_tone`](Self::try_talk_tone)
    /// to get the error instead.
    pub fn talk_tone(&mut self, freq_hz: f32, level: Dbm0) {
        if let Err(e) = self.try_talk_tone(freq_hz, level) {
            panic!("SimPhone::talk_tone({freq_hz} Hz, {level:?}): {e}");
        }
    }

    /// [`talk_tone`](Self::talk_tone) that returns fxs-tones' error for a
    /// tone it cannot generate; the previous talk source is kept then.
    pub fn try_talk_tone(&mut self, freq_hz: f32, level: Dbm0) -> Result<(), fxs_tones::Error> {
        let tone = Tone::continuous(ToneSound::single(freq_hz, level));
        self.talk = Some(ToneGenerator::new(SAMPLE_RATE, &tone)?);
        Ok(())
    }

    /// Stop the talk tone; the mouth is silent again.
    pub fn stop_talking(&mut self) {
        self.talk = None;
    }

    /// `true` while the line is in [`LineFeed::Ringing`] (as of the last
    /// tick).
    #[must_use]
    pub fn is_ringing(&self) -> bool {
        self.ringing
    }

    /// Ring bursts seen since the last hang-up or lift.
    #[must_use]
    pub fn ring_count(&self) -> u32 {
        self.ring_count
    }

    /// Current call-progress classification of what the ear hears, against
    /// the phone's tone plan (default US).
    #[must_use]
    pub fn hearing(&self) -> CallProgress {
        self.heard
    }

    /// Dominant frequency and level of the last 200 ms the ear heard
    /// (`None` for silence). On hook the ear hears silence.
    #[must_use]
    pub fn measure(&self) -> Option<ToneMeasurement> {
        let mut ordered = [0i16; EAR_HISTORY_SAMPLES];
        let (newer, older) = self.history.split_at(self.history_pos);
        let (first, second) = ordered.split_at_mut(older.len());
        first.copy_from_slice(older);
        second.copy_from_slice(newer);
        fxs_tones::measure_tone(&ordered, SAMPLE_RATE)
    }

    /// Classify what the ear hears against `plan` from now on (the
    /// detector restarts).
    ///
    /// # Panics
    ///
    /// If fxs-tones' call-progress detector rejects `plan`; use
    /// [`try_set_tone_plan`](Self::try_set_tone_plan) to get the error
    /// instead.
    pub fn set_tone_plan(&mut self, plan: &'static TonePlan) {
        if let Err(e) = self.try_set_tone_plan(plan) {
            panic!("SimPhone::set_tone_plan({}): {e}", plan.country);
        }
    }

    /// [`set_tone_plan`](Self::set_tone_plan) that returns fxs-tones' error
    /// for a plan its detector cannot use; the old plan is kept then.
    pub fn try_set_tone_plan(&mut self, plan: &'static TonePlan) -> Result<(), fxs_tones::Error> {
        self.ear = CallProgressDetector::new(SAMPLE_RATE, plan)?;
        self.plan = plan;
        Ok(())
    }

    /// The tone plan the ear classifies against.
    #[must_use]
    pub fn tone_plan(&self) -> &'static TonePlan {
        self.plan
    }

    /// The next event and the tick time it happened at, oldest first.
    pub fn poll_event(&mut self) -> Option<(Instant, PhoneEvent)> {
        self.events.pop_front()
    }

    /// Events lost because the queue was full ([`EVENT_CAPACITY`]).
    #[must_use]
    pub fn dropped_events(&self) -> u64 {
        self.dropped_events
    }

    /// The phone's clock: the `now` of the last tick (or of construction).
    #[must_use]
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Advance the phone by one 10 ms frame ending at `now`, on `line`. See
    /// the type docs for what happens in a tick. A `now` earlier than the
    /// previous one is clamped to it.
    pub fn tick(&mut self, now: Instant, line: &mut SimLine) {
        if now > self.now {
            self.now = now;
        }

        // 1. Hook switch.
        if self.off_hook != self.applied_off_hook {
            self.applied_off_hook = self.off_hook;
            line.set_loop_closed(self.off_hook);
            self.push(if self.off_hook {
                PhoneEvent::OffHook
            } else {
                PhoneEvent::OnHook
            });
        }

        // 2. Ringer.
        let ringing = line.feed() == LineFeed::Ringing;
        if ringing != self.ringing {
            self.ringing = ringing;
            if ringing {
                self.ring_count = self.ring_count.saturating_add(1);
                self.push(PhoneEvent::RingStart);
            } else {
                self.push(PhoneEvent::RingStop);
            }
        }

        // 3. Ear.
        line.take_heard(&mut self.frame);
        self.ear.process(&self.frame);
        if let Some(slot) = self
            .history
            .get_mut(self.history_pos..self.history_pos + FRAME_SAMPLES)
        {
            slot.copy_from_slice(&self.frame);
        }
        self.history_pos = (self.history_pos + FRAME_SAMPLES) % EAR_HISTORY_SAMPLES;
        let heard = self.ear.current();
        if heard != self.heard {
            self.heard = heard;
            self.push(PhoneEvent::Heard(heard));
        }

        // 4. Mouth.
        let mouth = line.uplink_mut();
        if self.dialing {
            self.dialer.generate(mouth);
            if self.dialer.is_idle() {
                self.dialing = false;
                self.push(PhoneEvent::DialingDone);
            }
        } else if let Some(talk) = self.talk.as_mut() {
            talk.generate(mouth);
        } else {
            mouth.fill(0);
        }
    }

    fn push(&mut self, event: PhoneEvent) {
        if self.events.len() == EVENT_CAPACITY {
            self.events.pop_front();
            self.dropped_events += 1;
        }
        self.events.push_back((self.now, event));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::time::Duration;

    const TICK: Duration = Duration::from_millis(10);

    struct Bench {
        t0: Instant,
        ticks: u32,
        phone: SimPhone,
        line: SimLine,
    }

    impl Bench {
        fn new() -> Bench {
            let t0 = Instant::now();
            let mut line = SimLine::new();
            let Ok(()) = line.set_feed(LineFeed::IDLE);
            Bench {
                t0,
                ticks: 0,
                phone: SimPhone::new(t0),
                line,
            }
        }

        fn at(&self, ticks: u32) -> Instant {
            self.t0 + TICK * ticks
        }

        /// One tick; `downlink` is written by the "gateway" after it.
        fn tick(&mut self, downlink: Option<&[i16]>) -> [i16; FRAME_SAMPLES] {
            self.ticks += 1;
            let now = self.at(self.ticks);
            self.phone.tick(now, &mut self.line);
            let mut up = [0; FRAME_SAMPLES];
            let Ok(()) = self.line.read_frame(&mut up);
            if let Some(frame) = downlink {
                let Ok(()) = self.line.write_frame(frame);
            }
            up
        }

        fn events(&mut self) -> Vec<(u32, PhoneEvent)> {
            let mut out = Vec::new();
            while let Some((t, e)) = self.phone.poll_event() {
                let ticks = (t - self.t0).as_millis() / 10;
                out.push((ticks as u32, e));
            }
            out
        }
    }

    #[test]
    fn lift_and_hang_up_are_applied_and_stamped_at_the_next_tick() {
        let mut b = Bench::new();
        b.tick(None);
        b.phone.lift();
        assert!(b.phone.is_off_hook());
        assert!(!b.line.has_loop_current(), "not before the tick");
        b.tick(None);
        assert!(b.line.has_loop_current());
        b.phone.lift(); // no second event
        b.tick(None);
        b.phone.hang_up();
        b.tick(None);
        assert!(!b.line.has_loop_current());
        assert_eq!(
            b.events(),
            vec![(2, PhoneEvent::OffHook), (4, PhoneEvent::OnHook)]
        );
    }

    #[test]
    fn ringer_counts_bursts_and_resets_on_lift() {
        let mut b = Bench::new();
        for burst in 0..3 {
            let Ok(()) = b.line.set_ringing(true);
            b.tick(None);
            b.tick(None);
            assert!(b.phone.is_ringing());
            let Ok(()) = b.line.set_ringing(false);
            b.tick(None);
            assert!(!b.phone.is_ringing());
            assert_eq!(b.phone.ring_count(), burst + 1);
        }
        assert_eq!(
            b.events(),
            vec![
                (1, PhoneEvent::RingStart),
                (3, PhoneEvent::RingStop),
                (4, PhoneEvent::RingStart),
                (6, PhoneEvent::RingStop),
                (7, PhoneEvent::RingStart),
                (9, PhoneEvent::RingStop),
            ]
        );
        b.phone.lift();
        assert_eq!(b.phone.ring_count(), 0);
    }

    #[test]
    fn mouth_is_silent_until_told_to_talk_and_silent_again_after() {
        let mut b = Bench::new();
        b.phone.lift();
        assert_eq!(b.tick(None), [0; FRAME_SAMPLES]);
        b.phone.talk_tone(1000.0, Dbm0(-10.0));
        b.tick(None); // the first talk frame is produced in this tick
        let up = b.tick(None);
        assert!(up.iter().any(|&s| s != 0));
        b.phone.stop_talking();
        b.tick(None);
        assert_eq!(b.tick(None), [0; FRAME_SAMPLES]);
    }

    #[test]
    fn talk_tone_out_of_band_is_an_error_and_keeps_the_old_source() {
        let mut b = Bench::new();
        assert!(b.phone.try_talk_tone(5000.0, Dbm0(-10.0)).is_err());
        assert!(b.phone.talk.is_none());
    }

    #[test]
    fn dialing_bad_digit_is_rejected() {
        let mut b = Bench::new();
        assert!(b.phone.dial("12x").is_err());
        assert!(!b.phone.is_dialing());
    }

    #[test]
    fn dialing_reports_done_after_the_digits_were_sent() {
        let mut b = Bench::new();
        b.phone.lift();
        b.phone.dial("5").expect("valid digit");
        assert!(b.phone.is_dialing());
        let mut loud_ticks = 0;
        for _ in 0..30 {
            let up = b.tick(None);
            if up.iter().any(|&s| s != 0) {
                loud_ticks += 1;
            }
        }
        // 70 ms of tone = 7 frames.
        assert_eq!(loud_ticks, 7);
        assert!(!b.phone.is_dialing());
        let events = b.events();
        let done: Vec<_> = events
            .iter()
            .filter(|(_, e)| *e == PhoneEvent::DialingDone)
            .collect();
        assert_eq!(done.len(), 1);
        // Done once the 70 ms tone (and at most its 70 ms gap) is over.
        assert!((7..=14).contains(&done[0].0), "done at tick {}", done[0].0);
    }

    #[test]
    fn hang_up_forgets_queued_digits() {
        let mut b = Bench::new();
        b.phone.lift();
        b.tick(None);
        b.phone.dial("123456").expect("valid digits");
        b.tick(None);
        b.phone.hang_up();
        assert!(!b.phone.is_dialing());
        b.phone.lift();
        for _ in 0..5 {
            assert_eq!(b.tick(None), [0; FRAME_SAMPLES]);
        }
    }

    #[test]
    fn ear_measures_what_the_gateway_plays_and_hears_silence_on_hook() {
        let mut b = Bench::new();
        let tone = Tone::continuous(ToneSound::single(700.0, Dbm0(-15.0)));
        let mut tone_gen = ToneGenerator::new(SAMPLE_RATE, &tone).expect("valid tone");
        let mut frame = [0i16; FRAME_SAMPLES];
        b.phone.lift();
        for _ in 0..30 {
            tone_gen.generate(&mut frame);
            b.tick(Some(&frame));
        }
        let m = b.phone.measure().expect("a tone is heard");
        assert!((m.freq_hz - 700.0).abs() <= 5.0, "{m:?}");
        assert!((m.level.0 - -15.0).abs() <= 1.0, "{m:?}");

        b.phone.hang_up();
        for _ in 0..30 {
            tone_gen.generate(&mut frame);
            b.tick(Some(&frame));
        }
        assert_eq!(b.phone.measure(), None, "on hook the ear is not connected");
    }

    #[test]
    fn heard_events_come_only_on_a_change_of_classification() {
        let mut b = Bench::new();
        let plan = b.phone.tone_plan();
        let mut tone_gen = ToneGenerator::new(SAMPLE_RATE, &plan.dial).expect("plan dial tone");
        let mut frame = [0i16; FRAME_SAMPLES];
        b.phone.lift();
        for _ in 0..100 {
            tone_gen.generate(&mut frame);
            b.tick(Some(&frame));
        }
        assert_eq!(b.phone.hearing(), CallProgress::Dial);
        let heard: Vec<_> = b
            .events()
            .into_iter()
            .filter_map(|(_, e)| match e {
                PhoneEvent::Heard(c) => Some(c),
                _ => None,
            })
            .collect();
        assert_eq!(heard.last(), Some(&CallProgress::Dial));
        assert!(heard.windows(2).all(|w| w[0] != w[1]), "{heard:?}");
        assert_eq!(heard.iter().filter(|&&c| c == CallProgress::Dial).count(), 1);
    }

    #[test]
    fn full_event_queue_drops_the_oldest() {
        let t0 = Instant::now();
        let mut phone = SimPhone::new(t0);
        for i in 0..(EVENT_CAPACITY as u32 + 10) {
            phone.now = t0 + TICK * i;
            phone.push(PhoneEvent::RingStart);
        }
        assert_eq!(phone.dropped_events(), 10);
        assert_eq!(phone.poll_event(), Some((t0 + TICK * 10, PhoneEvent::RingStart)));
        let mut rest = 1;
        while phone.poll_event().is_some() {
            rest += 1;
        }
        assert_eq!(rest, EVENT_CAPACITY);
    }

    #[test]
    fn set_tone_plan_switches_the_ears_plan() {
        let mut b = Bench::new();
        let de = TonePlan::for_country("DE").expect("DE plan");
        b.phone.set_tone_plan(de);
        assert_eq!(b.phone.tone_plan().country, "DE");
        let mut tone_gen = ToneGenerator::new(SAMPLE_RATE, &de.dial).expect("DE dial tone");
        let mut frame = [0i16; FRAME_SAMPLES];
        b.phone.lift();
        for _ in 0..100 {
            tone_gen.generate(&mut frame);
            b.tick(Some(&frame));
        }
        assert_eq!(b.phone.hearing(), CallProgress::Dial);
    }
}
