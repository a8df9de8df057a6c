//! [`SimPhone`]: a simulated analog telephone on a [`SimLine`].

use core::time::Duration;
use std::collections::VecDeque;
use std::time::Instant;

use fxs_tones::{
    AlertToneDetector, AlertToneEvent, CallProgress, CallProgressDetector, CallerIdMessage, CallerIdReceiver,
    CallerIdStandard, Dbm0, DtmfGenerator, DtmfGeneratorConfig, FRAME_SAMPLES, SAMPLE_RATE, Tone,
    ToneGenerator, ToneMeasurement, TonePlan, ToneSound,
};

use super::line::SimLine;
use crate::conditioner::Decadic;
use crate::config::{ConfigError, check_range};

/// Ringing voltage at which the phone's ringer sounds, Vrms: the TIA-968 /
/// FCC Part 68 minimum a phone must ring at (tones-and-ringing.md §6).
pub const RINGER_THRESHOLD_VRMS: f32 = 40.0;

/// Ring-on/ring-off durations [`SimPhone::ring_cadence_ms`] keeps.
pub const CADENCE_CAPACITY: usize = 16;

/// Hook-switch segments (flash, pulses, bounce) the phone can queue.
pub const HOOK_SCRIPT_CAPACITY: usize = 512;

/// A ring pause longer than this starts a new cadence measurement (the
/// longest standard pause is 5 s, tones-and-ringing.md §5.1).
const NEW_ALERT_GAP: Duration = Duration::from_secs(8);

const TICK: Duration = Duration::from_millis(10);

/// How a rotary dial sends pulses (line-electrical.md §3.3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PulseDialing {
    /// Pulses per second (8-12 accepted by receivers; 10 nominal).
    pub pps: f32,
    /// Break share of one pulse period (0.6 US/Europe, 0.66 UK/Japan).
    pub break_ratio: f32,
    /// Loop closed between digits (300-1000 ms when sending).
    pub interdigit: Duration,
    /// Pulse-count convention.
    pub decadic: Decadic,
}

impl Default for PulseDialing {
    /// 10 pps, 60 % break, 600 ms between digits, standard decadic.
    fn default() -> PulseDialing {
        PulseDialing {
            pps: 10.0,
            break_ratio: 0.6,
            interdigit: Duration::from_millis(600),
            decadic: Decadic::Standard,
        }
    }
}

impl PulseDialing {
    /// Check the fields: 1-30 pps, break ratio 0.3-0.9.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range("pulse.pps", self.pps, 1.0, 30.0)?;
        check_range("pulse.break_ratio", self.break_ratio, 0.3, 0.9)
    }
}

/// Something plugged into the phone's line jack beside the handset: a
/// caller-ID display, a fax machine, a modem. The phone calls it every
/// tick with what arrived from the line (on hook: on-hook transmission
/// only; off hook: the downlink) and lets it speak instead of the mouth
/// while it returns `true`.
pub trait LineDevice: Send {
    /// One 10 ms frame at `now`. `off_hook` is the phone's hook switch.
    /// Write `mouth` and return `true` to put audio on the line.
    fn frame(
        &mut self,
        now: Instant,
        off_hook: bool,
        heard: &[i16; FRAME_SAMPLES],
        mouth: &mut [i16; FRAME_SAMPLES],
    ) -> bool;
}

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
    /// All queued DTMF digits (or pulse-dialled digits) have been sent.
    DialingDone,
    /// A hook flash the phone made has ended (loop closed again).
    FlashDone,
    /// The message-waiting lamp went on (`true`) or off.
    MwiLamp(bool),
    /// The caller-ID display decoded a message
    /// ([`SimPhone::caller_id`]).
    CallerId,
    /// The caller-ID display heard a message it could not decode
    /// (checksum, parity, framing).
    CallerIdCorrupt,
}

/// A simulated analog telephone with human-like timing: a hook switch that
/// can bounce, flash and dial pulses, a DTMF keypad with its own level and
/// twist, a mouth that can talk a test tone, an ear that classifies
/// call-progress tones, a ringer that measures the cadence, a caller-ID
/// display, a message-waiting lamp and a jack for a [`LineDevice`].
///
/// It is driven by [`SimPhone::tick`] once per 10 ms frame (normally by
/// [`SimSlic::tick`](super::SimSlic::tick)). Per tick it, in order:
///
/// 1. applies its hook switch to the line (events [`PhoneEvent::OffHook`],
///    [`PhoneEvent::OnHook`] for the user's lift and hang-up; the contact
///    follows any bounce, flash or pulse train in progress);
/// 2. looks for power ringing on the line ([`PhoneEvent::RingStart`],
///    [`PhoneEvent::RingStop`]): the bell sounds while the ringing voltage
///    at the phone reaches [`RINGER_THRESHOLD_VRMS`], whatever the hook
///    switch;
/// 3. hears the frame the gateway last wrote (silence without a voice
///    path; on hook only on-hook transmission reaches the set), passes it
///    to the caller-ID display and the device in the jack, runs a
///    [`CallProgressDetector`] on what the handset hears
///    ([`PhoneEvent::Heard`] on a change of classification) and keeps the
///    last 200 ms for [`SimPhone::measure`];
/// 4. puts its next mouth frame on the line: the device's audio if it
///    speaks, DTMF while digits are queued (the keypad mutes the
///    microphone), else the talk tone, else silence.
///
/// Dialing and talking run on the phone's own clock whether or not the line
/// carries them: digits dialed on hook are lost, as on a real set.
///
/// Nothing allocates after construction; the event queue is a preallocated
/// ring of [`EVENT_CAPACITY`] entries that drops the oldest when full
/// (counted by [`SimPhone::dropped_events`]).
pub struct SimPhone {
    now: Instant,
    /// The hook switch (what the user did).
    off_hook: bool,
    /// The hook switch as last applied to the line.
    applied_off_hook: bool,
    /// Timed hook-switch segments (closed?, end offset) on top of
    /// `off_hook`: flash, pulses, bounce.
    script: VecDeque<(bool, Duration)>,
    script_t: Duration,
    script_kind: Script,
    bounce: Duration,
    dtmf_config: DtmfGeneratorConfig,
    ring_edges: Option<Instant>,
    cadence: [u32; CADENCE_CAPACITY],
    cadence_len: usize,
    lamp: bool,
    device: Option<Box<dyn LineDevice>>,
    on_hook_audio_frames: u64,
    cid_standard: CallerIdStandard,
    cid_rx: Option<CallerIdReceiver>,
    /// CAS / DT-AS detector of an off-hook display.
    cid_alert: Option<AlertToneDetector>,
    cid_message: Option<CallerIdMessage>,
    vmwi: bool,
    slic_lamp: bool,
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
            .field("ring_cadence_ms", &self.ring_cadence_ms())
            .field("mwi_lamp", &self.lamp)
            .field("hook_script", &self.script.len())
            .field("device", &self.device.is_some())
            .field("caller_id_standard", &self.cid_standard)
            .field("caller_id", &self.cid_message)
            .field("queued_events", &self.events.len())
            .finish_non_exhaustive()
    }
}

/// What the hook script is doing, for the event at its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Script {
    Idle,
    Bounce,
    Flash,
    Pulses,
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
            script: VecDeque::with_capacity(HOOK_SCRIPT_CAPACITY),
            script_t: Duration::ZERO,
            script_kind: Script::Idle,
            bounce: Duration::ZERO,
            dtmf_config: DtmfGeneratorConfig::default(),
            ring_edges: None,
            cadence: [0; CADENCE_CAPACITY],
            cadence_len: 0,
            lamp: false,
            device: None,
            on_hook_audio_frames: 0,
            cid_standard: CallerIdStandard::Off,
            cid_rx: None,
            cid_alert: None,
            cid_message: None,
            vmwi: false,
            slic_lamp: false,
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

    /// Lift the handset. The line sees the loop close at the next tick
    /// (after the contact bounce, if one is set).
    pub fn lift(&mut self) {
        if !self.off_hook {
            self.off_hook = true;
            self.ring_count = 0;
            self.cadence_len = 0;
            self.ring_edges = None;
            self.start_bounce(true);
        }
    }

    /// Put the handset down. The line sees the loop open at the next tick
    /// (after the contact bounce, if one is set). Digits still queued and a
    /// flash or pulse train in progress are forgotten.
    pub fn hang_up(&mut self) {
        if self.off_hook {
            self.off_hook = false;
            self.ring_count = 0;
            self.cadence_len = 0;
            self.ring_edges = None;
            if self.dialing {
                self.dialer = self.make_dialer();
                self.dialing = false;
            }
            self.start_bounce(false);
        }
    }

    fn make_dialer(&self) -> DtmfGenerator {
        DtmfGenerator::new(self.dtmf_config).unwrap_or_else(|_| new_dialer())
    }

    /// Contact bounce of the hook switch: for `bounce` after every lift or
    /// hang-up the contact alternates every 10 ms tick before settling
    /// (zero, the default, switches cleanly).
    pub fn set_hook_bounce(&mut self, bounce: Duration) {
        self.bounce = bounce;
    }

    fn clear_script(&mut self) {
        self.script.clear();
        self.script_t = Duration::ZERO;
        self.script_kind = Script::Idle;
    }

    fn start_bounce(&mut self, closing: bool) {
        self.clear_script();
        let steps = (self.bounce.as_millis() / TICK.as_millis()) as u32;
        for i in 0..steps {
            // The contact touches first (closing) or lifts first (opening),
            // then alternates; the script ends in the settled state.
            let closed = if i % 2 == 0 { closing } else { !closing };
            self.push_segment(closed, TICK);
        }
        if steps > 0 {
            self.script_kind = Script::Bounce;
        }
    }

    fn push_segment(&mut self, closed: bool, len: Duration) -> bool {
        if self.script.len() == HOOK_SCRIPT_CAPACITY {
            return false;
        }
        let end = self.script.back().map_or(Duration::ZERO, |(_, e)| *e) + len;
        self.script.push_back((closed, end));
        true
    }

    /// Flash the hook: open the loop for `duration` (rounded to the 10 ms
    /// tick), then close it again ([`PhoneEvent::FlashDone`]). Ignored on
    /// hook or while dialling pulses.
    pub fn flash(&mut self, duration: Duration) {
        if !self.off_hook || self.script_kind == Script::Pulses {
            return;
        }
        self.clear_script();
        self.push_segment(false, duration);
        self.script_kind = Script::Flash;
    }

    /// Dial `digits` with the rotary dial (`0`-`9` only), timed by
    /// `dialing`; [`PhoneEvent::DialingDone`] when done. Errors: a bad
    /// `dialing`, a character that has no pulses, too many digits.
    pub fn dial_pulses(&mut self, digits: &str, dialing: PulseDialing) -> Result<(), ConfigError> {
        dialing.validate()?;
        let period = 1.0 / dialing.pps;
        let brk = Duration::from_secs_f32(period * dialing.break_ratio);
        let make = Duration::from_secs_f32(period * (1.0 - dialing.break_ratio));
        let mut counts = Vec::with_capacity(digits.len());
        for c in digits.chars() {
            let pulses = fxs_tones::Digit::from_char(c).and_then(|d| dialing.decadic.pulses(d));
            match pulses {
                Some(n) => counts.push(n),
                None => {
                    return Err(ConfigError::OutOfRange {
                        field: "pulse digit (0-9)",
                        value: c as u32 as f32,
                        min: '0' as u32 as f32,
                        max: '9' as u32 as f32,
                    });
                }
            }
        }
        let needed: usize = counts.iter().map(|&n| usize::from(n) * 2 + 1).sum();
        if self.script.len() + needed > HOOK_SCRIPT_CAPACITY {
            return Err(ConfigError::OutOfRange {
                field: "pulse digits queued",
                value: needed as f32,
                min: 0.0,
                max: (HOOK_SCRIPT_CAPACITY - self.script.len()) as f32,
            });
        }
        if !self.off_hook {
            return Ok(()); // dialled on hook: lost, as on a real set
        }
        for n in counts {
            for _ in 0..n {
                self.push_segment(false, brk);
                self.push_segment(true, make);
            }
            self.push_segment(true, dialing.interdigit);
        }
        self.script_kind = Script::Pulses;
        Ok(())
    }

    /// `true` while a flash, a pulse train or a contact bounce is in
    /// progress.
    #[must_use]
    pub fn hook_switch_busy(&self) -> bool {
        !self.script.is_empty()
    }

    /// Use `config` (level, twist, on/off times) for DTMF from now on;
    /// digits still queued are forgotten. Errors as fxs-tones'
    /// [`DtmfGenerator::new`].
    pub fn set_dtmf(&mut self, config: DtmfGeneratorConfig) -> Result<(), fxs_tones::Error> {
        self.dialer = DtmfGenerator::new(config)?;
        self.dtmf_config = config;
        self.dialing = false;
        Ok(())
    }

    /// The ring cadence the ringer measured for the current alerting, ms:
    /// ring, pause, ring, ... (a pause is recorded when the next ring
    /// starts). Restarts after a lift, a hang-up, or a pause longer than
    /// 8 s; holds up to [`CADENCE_CAPACITY`] values.
    #[must_use]
    pub fn ring_cadence_ms(&self) -> &[u32] {
        &self.cadence[..self.cadence_len]
    }

    /// The message-waiting lamp: lit by the SLIC's lamp voltage
    /// ([`MwiLamp`](crate::caps::MwiLamp)) or by a VMWI message the
    /// caller-ID display decoded.
    #[must_use]
    pub fn mwi_lamp(&self) -> bool {
        self.lamp
    }

    /// Fit a caller-ID display for `standard` (any standard of fxs-tones;
    /// [`CallerIdStandard::Off`] removes it). It listens on hook for the
    /// on-hook standards (the line carries audio to an on-hook phone only
    /// in on-hook transmission) and off hook for the off-hook ones. An
    /// off-hook display (Telcordia Type II, ETSI off-hook) answers the
    /// CAS / DT-AS alert with the DTMF `D` acknowledgement on the keypad
    /// (callerid.md §3: a non-ADSI set), then decodes the data. NTT's CAR
    /// exchange (the set closes the loop to receive) is not modelled: an
    /// NTT display decodes only data that reaches it in on-hook
    /// transmission.
    pub fn set_caller_id(&mut self, standard: CallerIdStandard) -> Result<(), fxs_tones::Error> {
        self.cid_rx = match standard {
            CallerIdStandard::Off => None,
            s => Some(CallerIdReceiver::new(s)?),
        };
        self.cid_alert = standard.is_off_hook().then(AlertToneDetector::new);
        self.cid_standard = standard;
        Ok(())
    }

    /// The caller-ID standard of the display.
    #[must_use]
    pub fn caller_id_standard(&self) -> CallerIdStandard {
        self.cid_standard
    }

    /// The last call set-up message the display decoded (VMWI messages
    /// only light the lamp).
    #[must_use]
    pub fn caller_id(&self) -> Option<&CallerIdMessage> {
        self.cid_message.as_ref()
    }

    /// Clear the display.
    pub fn clear_caller_id(&mut self) {
        self.cid_message = None;
    }

    /// Plug a device into the line jack (replacing any), e.g. a simulated
    /// fax machine or caller-ID display.
    pub fn attach_device(&mut self, device: Box<dyn LineDevice>) {
        self.device = Some(device);
    }

    /// Unplug the device.
    pub fn detach_device(&mut self) -> Option<Box<dyn LineDevice>> {
        self.device.take()
    }

    /// Frames of non-silent audio that reached the phone while on hook
    /// (on-hook transmission: caller ID, VMWI).
    #[must_use]
    pub fn on_hook_audio_frames(&self) -> u64 {
        self.on_hook_audio_frames
    }

    fn record_ring_edge(&mut self, now: Instant, ringing: bool) {
        if let Some(prev) = self.ring_edges {
            let gap = now.saturating_duration_since(prev);
            if ringing && gap > NEW_ALERT_GAP {
                self.cadence_len = 0;
            } else if self.cadence_len < CADENCE_CAPACITY {
                self.cadence[self.cadence_len] = u32::try_from(gap.as_millis()).unwrap_or(u32::MAX);
                self.cadence_len += 1;
            }
        }
        self.ring_edges = Some(now);
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

    /// `true` while the bell rings: the line is ringing with enough voltage
    /// at the phone (as of the last tick).
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
        line.advance(self.now);

        // 1. Hook switch: the user's intent, then the contact.
        if self.off_hook != self.applied_off_hook {
            self.applied_off_hook = self.off_hook;
            self.push(if self.off_hook {
                PhoneEvent::OffHook
            } else {
                PhoneEvent::OnHook
            });
        }
        let mut contact = self.off_hook;
        // The contact changes where a segment ends, which may lie between
        // ticks: `ago` is how long before this tick it happened.
        let mut ago = Duration::ZERO;
        while let Some(&(_, end)) = self.script.front().filter(|(_, end)| *end <= self.script_t) {
            ago = (self.script_t - end).min(TICK);
            self.script.pop_front();
        }
        if let Some((closed, _)) = self.script.front() {
            contact = *closed;
            self.script_t += TICK;
        } else if self.script_kind != Script::Idle {
            match self.script_kind {
                Script::Flash => self.push(PhoneEvent::FlashDone),
                Script::Pulses => self.push(PhoneEvent::DialingDone),
                _ => {}
            }
            self.script_kind = Script::Idle;
            self.script_t = Duration::ZERO;
        }
        line.set_loop_closed_at(contact, self.now.checked_sub(ago).unwrap_or(self.now));

        // 2. Ringer and lamp.
        let ringing = line.ring_voltage_at_phone() >= RINGER_THRESHOLD_VRMS;
        if ringing != self.ringing {
            self.ringing = ringing;
            self.record_ring_edge(self.now, ringing);
            if ringing {
                self.ring_count = self.ring_count.saturating_add(1);
                self.push(PhoneEvent::RingStart);
            } else {
                self.push(PhoneEvent::RingStop);
            }
        }
        self.slic_lamp = line.mwi_lamp();

        // 3. Ear (and the device in the jack).
        line.take_heard(&mut self.frame);
        if !self.off_hook && self.frame.iter().any(|&s| s != 0) {
            self.on_hook_audio_frames += 1;
        }
        let listens = self.cid_standard.is_off_hook() == self.off_hook;
        if let Some(mut rx) = self.cid_rx.take() {
            if listens {
                rx.process(&self.frame);
                while let Some(result) = rx.poll_message() {
                    match result {
                        Ok(msg) => match msg.message_waiting {
                            Some(mw) => self.vmwi = mw.active,
                            None => {
                                self.cid_message = Some(msg);
                                self.push(PhoneEvent::CallerId);
                            }
                        },
                        Err(_) => self.push(PhoneEvent::CallerIdCorrupt),
                    }
                }
            }
            self.cid_rx = Some(rx);
        }
        if let Some(alert) = self.cid_alert.as_mut().filter(|_| self.off_hook) {
            alert.process(&self.frame);
            let mut ack = false;
            while let Some(event) = alert.poll_event() {
                ack |= matches!(event, AlertToneEvent::End { .. });
            }
            if ack && self.dialer.push(fxs_tones::Digit::D).is_ok() {
                self.dialing = true;
            }
        }
        let lamp = self.slic_lamp || self.vmwi;
        if lamp != self.lamp {
            self.lamp = lamp;
            self.push(PhoneEvent::MwiLamp(lamp));
        }
        let mut device_mouth = [0i16; FRAME_SAMPLES];
        let device_speaks = match self.device.as_mut() {
            Some(d) => d.frame(self.now, self.off_hook, &self.frame, &mut device_mouth),
            None => false,
        };
        if !self.off_hook {
            // The handset's ear is not connected on hook.
            self.frame.fill(0);
        }
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
        if device_speaks {
            *mouth = device_mouth;
        } else if self.dialing {
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
    use crate::line::{LineFeed, LineInterface};

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
