//! [`SimLine`]: the SLIC side of one simulated port.

use core::convert::Infallible;
use core::time::Duration;
use std::collections::VecDeque;
use std::time::Instant;

use fxs_tones::FRAME_SAMPLES;

use super::echo::EchoPath;
use crate::caps::{LineTester, MwiLamp};
use crate::config::LineConfig;
use crate::line::{ErrorType, HookEdge, HookState, LineCapabilities, LineFeed, LineInterface};
use crate::linetest::{LineTest, Measurement, ResistanceReading, RohReading, VoltageReading};

/// Source resistance of the simulated ring generator plus loop, Ω (ours).
/// With the 45 Vrms ATA level a 5 REN load still gets more than 40 Vrms.
pub const RING_SOURCE_OHMS: f32 = 100.0;

/// Impedance of one REN at 20 Hz, Ω (the Bell definition of REN 1).
pub const OHMS_PER_REN: f32 = 6930.0;

/// Hook edges a [`SimLine`] with hook events queues before dropping the
/// oldest.
pub const HOOK_EDGE_CAPACITY: usize = 16;

/// How long a simulated GR-909 test takes (ours).
pub const LINE_TEST_TIME: Duration = Duration::from_millis(200);

/// Faults injected into a simulated line, for line tests and for the
/// engine's fault handling (line-electrical.md §5).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineFaults {
    /// Foreign AC voltage on tip to ground, Vrms.
    pub tip_ac_vrms: f32,
    /// Foreign DC voltage on tip to ground, V.
    pub tip_dc_v: f32,
    /// Foreign AC voltage on ring to ground, Vrms.
    pub ring_ac_vrms: f32,
    /// Foreign DC voltage on ring to ground, V.
    pub ring_dc_v: f32,
    /// Leakage tip to ring, Ω (`INFINITY`: none).
    pub tip_ring_ohms: f32,
    /// Leakage tip to ground, Ω.
    pub tip_ground_ohms: f32,
    /// Leakage ring to ground, Ω.
    pub ring_ground_ohms: f32,
    /// Ringers on the line besides the phone, REN.
    pub extra_ren: f32,
}

impl Default for LineFaults {
    /// A clean line.
    fn default() -> LineFaults {
        LineFaults {
            tip_ac_vrms: 0.0,
            tip_dc_v: 0.0,
            ring_ac_vrms: 0.0,
            ring_dc_v: 0.0,
            tip_ring_ohms: f32::INFINITY,
            tip_ground_ohms: f32::INFINITY,
            ring_ground_ohms: f32::INFINITY,
            extra_ren: 0.0,
        }
    }
}

/// One simulated FXS port as the gateway sees it: the SLIC end of a loop
/// with a [`SimPhone`](super::SimPhone) at the other end.
///
/// The electrical model (line-electrical.md §1-§2, tones-and-ringing.md §6):
///
/// - Loop current flows only when the phone is off hook and the *effective*
///   feed supplies battery ([`LineFeed::detects_loop`]); in
///   [`LineFeed::Open`], [`hook`](LineInterface::hook) reads on hook
///   whatever the phone does. A new line starts open, like a SLIC after
///   reset.
/// - Feed changes take effect after the feed transition delay
///   ([`set_feed_delay`](SimLine::set_feed_delay), default none);
///   [`feed`](LineInterface::feed) reports the state last set, as a driver
///   caching its writes does, [`effective_feed`](SimLine::effective_feed)
///   what the line carries.
/// - Ringing: the ring trip detector sees a closed loop only after it has
///   been closed for one cycle of the ring frequency (50 ms at 20 Hz; a
///   SLIC detects within 1-2 cycles, §6). With automatic ring trip
///   ([`set_auto_ring_trip`](SimLine::set_auto_ring_trip), like ProSLIC's
///   `AUTO` register) the line then leaves ringing by itself. The ringing
///   voltage at the phone falls with the REN load
///   ([`ring_voltage_at_phone`](SimLine::ring_voltage_at_phone)).
/// - Audio flows both ways with loop current and a feed with a voice path
///   ([`LineFeed::carries_audio`]); an on-hook phone receives audio only in
///   [`LineFeed::OnHookTransmission`] (for its caller-ID unit).
/// - The uplink is the phone's mouth plus the hybrid echo of the downlink
///   through the port's [`EchoPath`], if one is set.
/// - A downlink frame is heard once, at the next tick; a tick with no frame
///   written plays silence (an underrun).
///
/// Frames of the wrong length are not an error here (the error type is
/// [`Infallible`]): `read_frame` fills the first 80 samples and zeroes the
/// rest, `write_frame` keeps the first 80 samples and pads with silence.
#[derive(Clone, Debug)]
pub struct SimLine {
    now: Option<Instant>,
    feed: LineFeed,
    effective: LineFeed,
    feed_change_at: Option<Instant>,
    feed_delay: Duration,
    config: LineConfig,
    /// The phone's hook switch, as last applied by the phone's tick.
    loop_closed: bool,
    loop_closed_since: Option<Instant>,
    auto_ring_trip: bool,
    phone_ren: f32,
    faults: LineFaults,
    mwi_lamp: bool,
    hook_events: bool,
    edges: VecDeque<(HookState, Instant)>,
    /// The test running and when it started (`None`: at the next tick).
    test: Option<(LineTest, Option<Instant>)>,
    /// The phone's mouth for the current tick.
    uplink: [i16; FRAME_SAMPLES],
    /// Hybrid echo for the current tick.
    echo_frame: [i16; FRAME_SAMPLES],
    echo: Option<EchoPath>,
    /// The last frame the gateway wrote.
    downlink: [i16; FRAME_SAMPLES],
    /// `downlink` was written since the phone last heard it.
    downlink_fresh: bool,
    frames_read: u64,
    frames_written: u64,
}

impl SimLine {
    /// An open line with the phone on hook and no audio.
    #[must_use]
    pub fn new() -> SimLine {
        SimLine {
            now: None,
            feed: LineFeed::Open,
            effective: LineFeed::Open,
            feed_change_at: None,
            feed_delay: Duration::ZERO,
            config: LineConfig::default(),
            loop_closed: false,
            loop_closed_since: None,
            auto_ring_trip: false,
            phone_ren: 1.0,
            faults: LineFaults::default(),
            mwi_lamp: false,
            hook_events: false,
            edges: VecDeque::with_capacity(HOOK_EDGE_CAPACITY),
            test: None,
            uplink: [0; FRAME_SAMPLES],
            echo_frame: [0; FRAME_SAMPLES],
            echo: None,
            downlink: [0; FRAME_SAMPLES],
            downlink_fresh: false,
            frames_read: 0,
            frames_written: 0,
        }
    }

    /// The feed the line electrically carries now (after the transition
    /// delay).
    #[must_use]
    pub fn effective_feed(&self) -> LineFeed {
        self.effective
    }

    /// Delay between [`set_feed`](LineInterface::set_feed) and the line
    /// carrying the new state (SLIC state machines take a few ms to tens of
    /// ms; ringing ramps up). Applied at the next tick at or after the
    /// delay.
    pub fn set_feed_delay(&mut self, delay: Duration) {
        self.feed_delay = delay;
    }

    /// Let the line leave ringing by itself on ring trip (to
    /// [`LineFeed::IDLE`]), as a SLIC with automatic ring trip does.
    pub fn set_auto_ring_trip(&mut self, on: bool) {
        self.auto_ring_trip = on;
    }

    /// The REN of the phone on the line (default 1.0).
    pub fn set_phone_ren(&mut self, ren: f32) {
        self.phone_ren = ren.max(0.0);
    }

    /// Inject faults (foreign voltage, leakage, extra ringers).
    pub fn set_faults(&mut self, faults: LineFaults) {
        self.faults = faults;
    }

    /// The faults injected.
    #[must_use]
    pub fn faults(&self) -> &LineFaults {
        &self.faults
    }

    /// Put a hybrid echo path on the port (`None` removes it).
    pub fn set_echo_path(&mut self, echo: Option<EchoPath>) {
        self.echo = echo;
    }

    /// The configuration last applied with `configure`.
    #[must_use]
    pub fn config(&self) -> &LineConfig {
        &self.config
    }

    /// Total ringer load, REN: the phone plus injected extra ringers.
    #[must_use]
    pub fn ren_load(&self) -> f32 {
        self.phone_ren + self.faults.extra_ren
    }

    /// The ringing voltage at the phone's terminals, Vrms: the configured
    /// ring amplitude divided between the ring source resistance
    /// ([`RING_SOURCE_OHMS`]) and the ringers ([`OHMS_PER_REN`] / REN).
    /// Zero when the line is not ringing.
    #[must_use]
    pub fn ring_voltage_at_phone(&self) -> f32 {
        if !self.effective.is_ringing() {
            return 0.0;
        }
        let ren = self.ren_load();
        if ren <= 0.0 {
            return self.config.ring.amplitude_vrms;
        }
        let load = OHMS_PER_REN / ren;
        self.config.ring.amplitude_vrms * load / (load + RING_SOURCE_OHMS)
    }

    /// `true` when the phone is off hook and the feed supplies DC, so loop
    /// current flows.
    #[must_use]
    pub fn has_loop_current(&self) -> bool {
        self.loop_closed && self.effective.detects_loop()
    }

    /// `true` when audio passes between the PCM side and the phone: loop
    /// current and an open voice path.
    #[must_use]
    pub fn carries_audio(&self) -> bool {
        self.has_loop_current() && self.effective.carries_audio()
    }

    /// `true` when an on-hook phone's caller-ID unit receives the
    /// downlink: on-hook transmission.
    #[must_use]
    pub fn carries_on_hook_audio(&self) -> bool {
        !self.loop_closed && matches!(self.effective, LineFeed::OnHookTransmission(_))
    }

    /// `true` while the SLIC drives the message-waiting lamp.
    #[must_use]
    pub fn mwi_lamp(&self) -> bool {
        self.mwi_lamp
    }

    /// The last downlink frame the gateway wrote (zeros before the first).
    #[must_use]
    pub fn downlink(&self) -> &[i16; FRAME_SAMPLES] {
        &self.downlink
    }

    /// How many times the gateway called `read_frame`.
    #[must_use]
    pub fn frames_read(&self) -> u64 {
        self.frames_read
    }

    /// How many times the gateway called `write_frame`.
    #[must_use]
    pub fn frames_written(&self) -> u64 {
        self.frames_written
    }

    fn ring_trip_delay(&self) -> Duration {
        let hz = self.config.ring.frequency_hz.max(1.0);
        Duration::from_millis((1000.0 / hz).round() as u64)
    }

    /// Advance the line's clock to `now`: apply a due feed change and the
    /// automatic ring trip. Called by the phone's tick.
    pub(crate) fn advance(&mut self, now: Instant) {
        let now = self.now.map_or(now, |prev| prev.max(now));
        self.now = Some(now);
        if self.feed_change_at.is_some_and(|at| at <= now) {
            self.feed_change_at = None;
            self.effective = self.feed;
        }
        if let Some((_, started @ None)) = self.test.as_mut() {
            *started = Some(now);
        }
        if self.auto_ring_trip && self.ring_tripped() {
            self.feed = LineFeed::IDLE;
            self.effective = LineFeed::IDLE;
            self.feed_change_at = None;
        }
    }

    fn ring_tripped(&self) -> bool {
        let (Some(now), Some(since)) = (self.now, self.loop_closed_since) else {
            return false;
        };
        self.effective.is_ringing() && now.saturating_duration_since(since) >= self.ring_trip_delay()
    }

    /// Phone side: set the hook switch as the line sees it.
    #[cfg(test)]
    pub(crate) fn set_loop_closed(&mut self, closed: bool) {
        let at = self.now;
        if let Some(at) = at {
            self.set_loop_closed_at(closed, at);
        } else {
            self.loop_closed = closed;
        }
    }

    /// Phone side: set the hook switch, which moved at `at` (at or before
    /// the current tick). With hook events on, a change while the line is
    /// fed is queued as a time-stamped edge.
    pub(crate) fn set_loop_closed_at(&mut self, closed: bool, at: Instant) {
        if closed != self.loop_closed {
            self.loop_closed_since = if closed { self.now } else { None };
            if self.hook_events && self.effective.detects_loop() {
                if self.edges.len() == HOOK_EDGE_CAPACITY {
                    self.edges.pop_front();
                }
                let state = if closed {
                    HookState::OffHook
                } else {
                    HookState::OnHook
                };
                self.edges.push_back((state, at));
            }
        }
        self.loop_closed = closed;
    }

    /// Report time-stamped hook edges through
    /// [`poll_hook_edge`](LineInterface::poll_hook_edge), as a chip with
    /// hook interrupts does ([`LineCapabilities::hook_events`]). The edge
    /// times are those of the phone's contact, between ticks where a flash
    /// or pulse ends there.
    pub fn set_hook_events(&mut self, on: bool) {
        self.hook_events = on;
        self.edges.clear();
    }

    /// Phone side: what the phone receives this tick (the last frame
    /// written, if the voice path is up, or on-hook transmission reaches an
    /// on-hook phone, and a frame was written since the previous tick; else
    /// silence). Consumes the downlink frame and computes the hybrid echo
    /// of it for the next uplink.
    pub(crate) fn take_heard(&mut self, out: &mut [i16; FRAME_SAMPLES]) {
        let audible = self.carries_audio() || self.carries_on_hook_audio();
        if self.downlink_fresh && audible {
            *out = self.downlink;
        } else {
            out.fill(0);
        }
        match self.echo.as_mut() {
            Some(echo) => {
                // The hybrid reflects what the gateway sent, whether or not
                // a frame came this tick.
                let sent = if self.downlink_fresh && self.effective.carries_audio() {
                    self.downlink
                } else {
                    [0; FRAME_SAMPLES]
                };
                echo.process(&sent, &mut self.echo_frame);
            }
            None => self.echo_frame.fill(0),
        }
        self.downlink_fresh = false;
    }

    /// Phone side: the phone's mouth audio for this tick.
    pub(crate) fn uplink_mut(&mut self) -> &mut [i16; FRAME_SAMPLES] {
        &mut self.uplink
    }

    fn measure(&self, test: LineTest) -> Measurement {
        let f = &self.faults;
        match test {
            LineTest::Voltages => Measurement::Voltages(VoltageReading {
                tip_ac_vrms: f.tip_ac_vrms,
                tip_dc_v: f.tip_dc_v,
                ring_ac_vrms: f.ring_ac_vrms,
                ring_dc_v: f.ring_dc_v,
            }),
            LineTest::ResistiveFaults => Measurement::Resistances(ResistanceReading {
                tip_ring_ohms: f.tip_ring_ohms,
                tip_ground_ohms: f.tip_ground_ohms,
                ring_ground_ohms: f.ring_ground_ohms,
            }),
            LineTest::ReceiverOffHook => {
                // An off-hook phone: a diode bridge and a regulator, about
                // 900 Ω at a low test current and 400 Ω at a high one; a
                // leak in parallel is linear.
                let (phone_lo, phone_hi) = if self.loop_closed {
                    (900.0, 400.0)
                } else {
                    (f32::INFINITY, f32::INFINITY)
                };
                let par = |a: f32, b: f32| {
                    if a.is_infinite() {
                        b
                    } else if b.is_infinite() {
                        a
                    } else {
                        a * b / (a + b)
                    }
                };
                Measurement::ReceiverOffHook(RohReading {
                    low_current_ohms: par(phone_lo, f.tip_ring_ohms),
                    high_current_ohms: par(phone_hi, f.tip_ring_ohms),
                })
            }
            LineTest::Ringers => Measurement::Ringers(self.ren_load()),
        }
    }
}

impl Default for SimLine {
    fn default() -> SimLine {
        SimLine::new()
    }
}

impl ErrorType for SimLine {
    type Error = Infallible;
}

impl LineInterface for SimLine {
    fn capabilities(&self) -> LineCapabilities {
        let mut caps = LineCapabilities::narrowband();
        caps.line_test = true;
        caps.mwi_lamp = true;
        caps.hook_events = self.hook_events;
        caps
    }

    fn set_feed(&mut self, feed: LineFeed) -> Result<(), Infallible> {
        self.feed = feed;
        if self.feed_delay.is_zero() || self.now.is_none() {
            self.effective = feed;
            self.feed_change_at = None;
        } else if let Some(now) = self.now {
            self.feed_change_at = Some(now + self.feed_delay);
        }
        Ok(())
    }

    fn feed(&self) -> LineFeed {
        self.feed
    }

    fn configure(&mut self, config: &LineConfig) -> Result<(), Infallible> {
        self.config = *config;
        Ok(())
    }

    fn hook(&mut self) -> Result<HookState, Infallible> {
        let off = if self.effective.is_ringing() {
            self.ring_tripped()
        } else {
            self.has_loop_current()
        };
        Ok(if off {
            HookState::OffHook
        } else {
            HookState::OnHook
        })
    }

    fn poll_hook_edge(&mut self) -> Result<Option<HookEdge>, Infallible> {
        let now = self.now;
        Ok(self.edges.pop_front().map(|(state, at)| HookEdge {
            state,
            ago: now.map_or(Duration::ZERO, |now| now.saturating_duration_since(at)),
        }))
    }

    fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), Infallible> {
        self.frames_read += 1;
        let n = frame.len().min(FRAME_SAMPLES);
        let (head, tail) = frame.split_at_mut(n);
        if self.carries_audio() {
            for ((out, &mouth), &echo) in head.iter_mut().zip(&self.uplink).zip(&self.echo_frame) {
                *out = mouth.saturating_add(echo);
            }
        } else {
            head.fill(0);
        }
        tail.fill(0);
        Ok(())
    }

    fn write_frame(&mut self, frame: &[i16]) -> Result<(), Infallible> {
        self.frames_written += 1;
        let n = frame.len().min(FRAME_SAMPLES);
        let (head, tail) = self.downlink.split_at_mut(n);
        head.copy_from_slice(&frame[..n]);
        tail.fill(0);
        self.downlink_fresh = true;
        Ok(())
    }
}

impl LineTester for SimLine {
    fn start_test(&mut self, test: LineTest) -> Result<(), Infallible> {
        // Before the first tick the test starts at the first tick.
        self.test = Some((test, self.now));
        Ok(())
    }

    fn poll_test(&mut self) -> Result<Option<Measurement>, Infallible> {
        let (Some((test, Some(started))), Some(now)) = (self.test, self.now) else {
            return Ok(None);
        };
        if now.saturating_duration_since(started) < LINE_TEST_TIME {
            return Ok(None);
        }
        self.test = None;
        Ok(Some(self.measure(test)))
    }
}

impl MwiLamp for SimLine {
    fn set_mwi_lamp(&mut self, on: bool) -> Result<(), Infallible> {
        self.mwi_lamp = on;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::Polarity;
    use crate::linetest::{Gr909Fault, Gr909Limits, Verdict};

    fn read(line: &mut SimLine) -> [i16; FRAME_SAMPLES] {
        let mut frame = [1i16; FRAME_SAMPLES];
        let Ok(()) = line.read_frame(&mut frame);
        frame
    }

    fn ms(t0: Instant, n: u64) -> Instant {
        t0 + Duration::from_millis(n)
    }

    #[test]
    fn new_line_is_open_and_reads_on_hook_even_when_the_loop_is_closed() {
        let mut line = SimLine::new();
        assert_eq!(line.feed(), LineFeed::Open);
        line.set_loop_closed(true);
        assert_eq!(line.hook(), Ok(HookState::OnHook));
        let Ok(()) = line.set_feed(LineFeed::IDLE);
        assert_eq!(line.hook(), Ok(HookState::OffHook));
    }

    #[test]
    fn ring_trip_is_seen_one_ring_cycle_after_the_loop_closes() {
        let t0 = Instant::now();
        let mut line = SimLine::new();
        line.advance(t0);
        let Ok(()) = line.set_ringing(true);
        line.set_loop_closed(true);
        assert_eq!(line.hook(), Ok(HookState::OnHook), "not yet: ringer transient");
        line.advance(ms(t0, 40));
        assert_eq!(line.hook(), Ok(HookState::OnHook));
        line.advance(ms(t0, 50));
        assert_eq!(line.hook(), Ok(HookState::OffHook), "50 ms = one 20 Hz cycle");
        assert_eq!(
            line.feed(),
            LineFeed::Ringing,
            "no automatic ring trip by default"
        );
        assert!(!line.carries_audio());
    }

    #[test]
    fn automatic_ring_trip_leaves_ringing_by_itself() {
        let t0 = Instant::now();
        let mut line = SimLine::new();
        line.set_auto_ring_trip(true);
        line.configure(&LineConfig::for_country("DE").unwrap()).unwrap();
        line.advance(t0);
        let Ok(()) = line.set_ringing(true);
        line.set_loop_closed(true);
        line.advance(ms(t0, 30));
        assert_eq!(line.feed(), LineFeed::Ringing);
        line.advance(ms(t0, 40)); // 25 Hz: 40 ms
        assert_eq!(line.feed(), LineFeed::IDLE);
        assert_eq!(line.hook(), Ok(HookState::OffHook));
    }

    #[test]
    fn feed_changes_wait_for_the_transition_delay() {
        let t0 = Instant::now();
        let mut line = SimLine::new();
        line.advance(t0);
        line.set_feed_delay(Duration::from_millis(30));
        let Ok(()) = line.set_feed(LineFeed::Ringing);
        assert_eq!(line.feed(), LineFeed::Ringing);
        assert_eq!(line.effective_feed(), LineFeed::Open);
        line.advance(ms(t0, 20));
        assert_eq!(line.ring_voltage_at_phone(), 0.0);
        line.advance(ms(t0, 30));
        assert_eq!(line.effective_feed(), LineFeed::Ringing);
    }

    #[test]
    fn ring_voltage_falls_with_the_ren_load() {
        let mut line = SimLine::new();
        let Ok(()) = line.set_ringing(true);
        let one = line.ring_voltage_at_phone();
        assert!((one - 45.0 * 6930.0 / 7030.0).abs() < 0.01, "{one}");
        line.set_faults(LineFaults {
            extra_ren: 4.0,
            ..LineFaults::default()
        });
        assert!(line.ring_voltage_at_phone() > 40.0, "5 REN still rings");
        line.set_faults(LineFaults {
            extra_ren: 9.0,
            ..LineFaults::default()
        });
        assert!(line.ring_voltage_at_phone() < 40.0, "10 REN is too much");
    }

    #[test]
    fn uplink_flows_only_with_loop_current_and_a_voice_path() {
        let mut line = SimLine::new();
        line.uplink_mut().fill(1234);
        let Ok(()) = line.set_feed(LineFeed::IDLE);
        assert_eq!(read(&mut line), [0; FRAME_SAMPLES], "on hook: silence");
        line.set_loop_closed(true);
        assert_eq!(read(&mut line), [1234; FRAME_SAMPLES]);
        let Ok(()) = line.set_feed(LineFeed::Standby);
        assert_eq!(read(&mut line), [0; FRAME_SAMPLES], "standby has no audio");
        let Ok(()) = line.set_feed(LineFeed::OnHookTransmission(Polarity::Reverse));
        assert_eq!(read(&mut line), [1234; FRAME_SAMPLES]);
        assert_eq!(line.frames_read(), 4);
    }

    #[test]
    fn on_hook_phone_hears_the_downlink_only_in_on_hook_transmission() {
        let mut line = SimLine::new();
        let mut heard = [0i16; FRAME_SAMPLES];
        for (feed, audible) in [
            (LineFeed::IDLE, false),
            (LineFeed::Standby, false),
            (LineFeed::OnHookTransmission(Polarity::Forward), true),
            (LineFeed::OnHookTransmission(Polarity::Reverse), true),
        ] {
            let Ok(()) = line.set_feed(feed);
            let Ok(()) = line.write_frame(&[700; FRAME_SAMPLES]);
            line.take_heard(&mut heard);
            let want = if audible { 700 } else { 0 };
            assert_eq!(heard, [want; FRAME_SAMPLES], "{feed:?}");
        }
    }

    #[test]
    fn downlink_is_heard_once_and_only_when_the_voice_path_is_up() {
        let mut line = SimLine::new();
        let mut heard = [0i16; FRAME_SAMPLES];
        let Ok(()) = line.write_frame(&[500; FRAME_SAMPLES]);
        line.take_heard(&mut heard);
        assert_eq!(heard, [0; FRAME_SAMPLES], "open line: nothing heard");

        let Ok(()) = line.set_feed(LineFeed::IDLE);
        line.set_loop_closed(true);
        let Ok(()) = line.write_frame(&[500; FRAME_SAMPLES]);
        line.take_heard(&mut heard);
        assert_eq!(heard, [500; FRAME_SAMPLES]);
        line.take_heard(&mut heard);
        assert_eq!(heard, [0; FRAME_SAMPLES], "no new frame: underrun is silence");
        assert_eq!(line.downlink(), &[500; FRAME_SAMPLES]);
        assert_eq!(line.frames_written(), 2);
    }

    #[test]
    fn uplink_carries_mouth_plus_the_echo_of_the_downlink() {
        let mut line = SimLine::new();
        let Ok(()) = line.set_feed(LineFeed::IDLE);
        line.set_loop_closed(true);
        // A pure 6 dB echo with no delay.
        line.set_echo_path(Some(EchoPath::new(&[1.0], 6.0).unwrap()));
        let mut heard = [0i16; FRAME_SAMPLES];
        let Ok(()) = line.write_frame(&[1000; FRAME_SAMPLES]);
        line.take_heard(&mut heard);
        line.uplink_mut().fill(100);
        let up = read(&mut line);
        assert!(up.iter().all(|&s| (600..=602).contains(&s)), "{:?}", &up[..4]);
    }

    #[test]
    fn frames_of_the_wrong_length_are_truncated_or_padded() {
        let mut line = SimLine::new();
        let Ok(()) = line.set_feed(LineFeed::IDLE);
        line.set_loop_closed(true);
        line.uplink_mut().fill(9);
        let mut long = [1i16; 100];
        let Ok(()) = line.read_frame(&mut long);
        assert!(long[..80].iter().all(|&s| s == 9));
        assert!(long[80..].iter().all(|&s| s == 0));
        let Ok(()) = line.write_frame(&[3; 10]);
        assert!(line.downlink()[..10].iter().all(|&s| s == 3));
        assert!(line.downlink()[10..].iter().all(|&s| s == 0));
    }

    fn test_result(line: &mut SimLine, t0: Instant, test: LineTest) -> Verdict {
        let t0 = line.now.map_or(t0, |n| n + Duration::from_millis(10));
        line.advance(t0);
        let Ok(()) = line.start_test(test);
        line.advance(ms(t0, 100));
        assert_eq!(line.poll_test(), Ok(None), "still measuring");
        line.advance(ms(t0, 200));
        let Ok(Some(m)) = line.poll_test() else {
            panic!("the test ends after 200 ms")
        };
        assert_eq!(m.test(), test);
        Gr909Limits::default().judge(&m)
    }

    #[test]
    fn injected_faults_fail_the_matching_line_test() {
        let t0 = Instant::now();
        let mut line = SimLine::new();
        for test in [
            LineTest::Voltages,
            LineTest::ResistiveFaults,
            LineTest::ReceiverOffHook,
            LineTest::Ringers,
        ] {
            assert_eq!(test_result(&mut line, t0, test), Verdict::Pass, "{test:?}");
        }
        line.set_faults(LineFaults {
            ring_ac_vrms: 30.0,
            tip_ground_ohms: 20_000.0,
            extra_ren: 5.0,
            ..LineFaults::default()
        });
        assert!(matches!(
            test_result(&mut line, t0, LineTest::Voltages),
            Verdict::Fail(Gr909Fault::ForeignEmf { .. })
        ));
        assert!(matches!(
            test_result(&mut line, t0, LineTest::ResistiveFaults),
            Verdict::Fail(Gr909Fault::ResistiveFault { .. })
        ));
        assert_eq!(
            test_result(&mut line, t0, LineTest::Ringers),
            Verdict::Fail(Gr909Fault::TooManyRingers(6.0))
        );
        line.set_loop_closed(true);
        assert_eq!(
            test_result(&mut line, t0, LineTest::ReceiverOffHook),
            Verdict::Fail(Gr909Fault::ReceiverOffHook)
        );
        assert!(line.capabilities().line_test);
    }
}
