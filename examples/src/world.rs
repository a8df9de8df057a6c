//! The simulated world of `sim-gateway`: the gateway, its simulated SLIC with
//! one simulated phone per port, the test registrar (optional), and the
//! scenario the phones play. It is a [`Node`]: a driver (virtual or UDP)
//! moves its datagrams and ticks its clock.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use fxs_core::{EventKind, Gateway, GatewayConfig, Input, Output};
use fxs_hal::sim::{PhoneEvent, SimSlic};
use fxs_media::MediaStats;
use fxs_tones::{CallProgress, Dbm0};
use serde_json::Value;

use crate::net::{Datagram, Node};
use crate::registrar::{Account, RegistrarStats, TestRegistrar};
use crate::scenario::{
    Action, Expect, HEARD_FREQ_TOLERANCE_HZ, HEARD_LEVEL_TOLERANCE_DB, Step, StepKind, TALK_LEVEL_DBM0,
};
use crate::timeline::{Format, Timeline, fields};

/// How long a heard tone must match before the check passes.
const HEARD_STABLE: Duration = Duration::from_millis(300);
/// How long a shutdown may take before the run ends anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Everything a world is built from.
#[derive(Clone, Debug)]
pub struct WorldConfig {
    /// The gateway.
    pub gateway: GatewayConfig,
    /// The embedded test registrar's address and accounts, if one runs.
    pub registrar: Option<(SocketAddr, Vec<Account>)>,
    /// What the phones do and check.
    pub scenario: Vec<Step>,
    /// Run this long before shutting down (default: until the scenario ends).
    pub duration: Option<Duration>,
    /// Phones answer an incoming call after the first ring cycle.
    pub auto_answer: bool,
    /// How the timeline is printed.
    pub format: Format,
}

/// What the scenario observed on one port since the last action there.
#[derive(Clone, Debug, Default)]
struct Observed {
    registered: bool,
    answered: bool,
    ringing: bool,
    heard: Vec<CallProgress>,
    heard_match_since: Option<Instant>,
}

impl Observed {
    fn clear_call(&mut self) {
        self.answered = false;
        self.ringing = false;
        self.heard.clear();
        self.heard_match_since = None;
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    Running,
    Draining,
    ShuttingDown { since: Instant },
    Done,
}

/// The result of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// Checks that held.
    pub checks_passed: usize,
    /// Checks that failed: `step N (port P): check: observed ...`.
    pub failures: Vec<String>,
    /// Steps of the scenario not reached.
    pub steps_not_run: usize,
    /// Media statistics of the last call of each port (index = port - 1).
    pub media: Vec<Option<MediaStats>>,
    /// The registrar's counters, if it ran.
    pub registrar: Option<RegistrarStats>,
    /// Run time (virtual or real).
    pub elapsed: Duration,
}

impl Summary {
    /// True when every check held and every step ran.
    pub fn passed(&self) -> bool {
        self.failures.is_empty() && self.steps_not_run == 0
    }
}

/// The simulated world.
pub struct World {
    start: Instant,
    now: Instant,
    gateway: Gateway,
    slic: SimSlic,
    registrar: Option<TestRegistrar>,
    steps: Vec<Step>,
    step: usize,
    step_started: Instant,
    observed: Vec<Observed>,
    talk_until: Vec<Option<Instant>>,
    last_media: Vec<Option<MediaStats>>,
    duration: Option<Duration>,
    auto_answer: bool,
    timeline: Timeline,
    outbox: VecDeque<Datagram>,
    phase: Phase,
    checks_passed: usize,
    failures: Vec<String>,
}

impl World {
    /// Build the world at `start`. The gateway starts registering at once.
    pub fn new(config: WorldConfig, start: Instant) -> Result<World, fxs_core::Error> {
        let ports = config.gateway.ports.len();
        let gateway = Gateway::new(config.gateway, start)?;
        let mut slic = SimSlic::new(ports, start);
        for (i, p) in gateway.config().ports.iter().enumerate() {
            if let Ok(plan) = fxs_tones::TonePlan::for_country(&p.country) {
                slic.phone_mut(i).set_tone_plan(plan);
            }
        }
        let registrar = config
            .registrar
            .map(|(addr, accounts)| TestRegistrar::new(addr, &addr.ip().to_string(), accounts, 0x7265_6769));
        let mut world = World {
            start,
            now: start,
            gateway,
            slic,
            registrar,
            steps: config.scenario,
            step: 0,
            step_started: start,
            observed: vec![Observed::default(); ports],
            talk_until: vec![None; ports],
            last_media: vec![None; ports],
            duration: config.duration,
            auto_answer: config.auto_answer,
            timeline: Timeline::new(start, config.format),
            outbox: VecDeque::new(),
            phase: Phase::Running,
            checks_passed: 0,
            failures: Vec::new(),
        };
        world.drain_gateway();
        Ok(world)
    }

    /// The timeline so far.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The gateway (for status queries).
    pub fn gateway(&self) -> &Gateway {
        &self.gateway
    }

    /// The result of the run so far.
    pub fn summary(&self) -> Summary {
        Summary {
            checks_passed: self.checks_passed,
            failures: self.failures.clone(),
            steps_not_run: self.steps.len().saturating_sub(self.step),
            media: self.last_media.clone(),
            registrar: self.registrar.as_ref().map(|r| r.stats()),
            elapsed: self.now.saturating_duration_since(self.start),
        }
    }

    fn record(&mut self, port: Option<u16>, event: &str, f: serde_json::Map<String, Value>) {
        self.timeline.record(self.now, port, event, f);
    }

    fn drain_gateway(&mut self) {
        loop {
            match self.gateway.poll_output() {
                Output::Transmit(t) => self.outbox.push_back(Datagram {
                    source: t.source,
                    destination: t.destination,
                    payload: t.payload,
                }),
                Output::Event(e) => self.on_gateway_event(e.port.map(|p| p.0), e.kind),
                Output::Timeout(_) => break,
            }
        }
    }

    fn drain_registrar(&mut self) {
        if let Some(reg) = &mut self.registrar {
            while let Some((destination, payload)) = reg.poll_transmit() {
                self.outbox.push_back(Datagram {
                    source: reg.addr(),
                    destination,
                    payload,
                });
            }
            while reg.poll_event().is_some() {}
        }
    }

    fn obs(&mut self, port: Option<u16>) -> Option<&mut Observed> {
        let i = usize::from(port?).checked_sub(1)?;
        self.observed.get_mut(i)
    }

    fn on_gateway_event(&mut self, port: Option<u16>, kind: EventKind) {
        let name = kind.name();
        let f = match &kind {
            EventKind::Registered { expires } => {
                if let Some(o) = self.obs(port) {
                    o.registered = true;
                }
                fields([("expires", Value::from(*expires))])
            }
            EventKind::RegistrationFailed { status, reason } => {
                if let Some(o) = self.obs(port) {
                    o.registered = false;
                }
                fields([
                    ("status", status.map(Value::from).unwrap_or(Value::Null)),
                    ("reason", Value::from(reason.clone())),
                ])
            }
            EventKind::Unregistered => {
                if let Some(o) = self.obs(port) {
                    o.registered = false;
                }
                fields([])
            }
            EventKind::DigitCollected { digit } => {
                fields([("digit", Value::from(digit.as_char().to_string()))])
            }
            EventKind::Digits { number } => fields([("number", Value::from(number.clone()))]),
            EventKind::DialPlanRejected { digits } => fields([("digits", Value::from(digits.clone()))]),
            EventKind::IncomingCall { from } => fields([("from", Value::from(from.clone()))]),
            EventKind::Answered { codec, payload_type } => {
                if let Some(o) = self.obs(port) {
                    o.answered = true;
                }
                fields([
                    ("codec", Value::from(codec.clone())),
                    ("payload_type", Value::from(*payload_type)),
                ])
            }
            EventKind::CallEnded { reason } => fields([("reason", Value::from(reason.to_string()))]),
            EventKind::CallRecord(r) => {
                let mut f = fields([
                    (
                        "direction",
                        Value::from(format!("{:?}", r.direction).to_lowercase()),
                    ),
                    ("remote", Value::from(r.remote.clone())),
                    ("reason", Value::from(r.reason.to_string())),
                    (
                        "talk_s",
                        Value::from((r.talk_time().as_secs_f64() * 1000.0).round() / 1000.0),
                    ),
                ]);
                if let Some(codec) = &r.codec {
                    f.insert("codec".into(), Value::from(codec.clone()));
                }
                if let Some(m) = &r.media {
                    f.insert("rtp_sent".into(), Value::from(m.packets_sent));
                    f.insert("rtp_received".into(), Value::from(m.packets_received));
                    f.insert("rtp_lost".into(), Value::from(m.packets_lost));
                    f.insert(
                        "jitter_ms".into(),
                        Value::from((f64::from(m.jitter_ms) * 100.0).round() / 100.0),
                    );
                    if let Some(slot) =
                        port.and_then(|p| self.last_media.get_mut(usize::from(p).saturating_sub(1)))
                    {
                        *slot = Some(*m);
                    }
                }
                f
            }
            EventKind::IncomingRefused { status } => fields([("status", Value::from(*status))]),
            EventKind::OutOfService { operation, kind } => fields([
                ("operation", Value::from(*operation)),
                ("error", Value::from(format!("{kind:?}"))),
            ]),
            _ => fields([]),
        };
        self.record(port, name, f);
    }

    fn on_phone_event(&mut self, index: usize, event: PhoneEvent) {
        let port = u16::try_from(index + 1).ok();
        match event {
            PhoneEvent::RingStart => {
                if let Some(o) = self.obs(port) {
                    o.ringing = true;
                }
                let count = self.slic.phone(index).ring_count();
                if count == 1 {
                    self.record(port, "ringing", fields([]));
                }
            }
            PhoneEvent::Heard(tone) => {
                if let Some(o) = self.obs(port) {
                    if !o.heard.contains(&tone) {
                        o.heard.push(tone);
                    }
                }
                let name = match tone {
                    CallProgress::Dial => "dial_tone",
                    CallProgress::Ringback => "ringback",
                    CallProgress::Busy => "busy_tone",
                    CallProgress::Reorder => "reorder_tone",
                    _ => return,
                };
                self.record(port, name, fields([]));
            }
            _ => {}
        }
    }

    /// Whether the expectation holds now; on a pass of `Heard`, the measurement.
    fn check(&mut self, step: &Step) -> bool {
        let index = usize::from(step.port).saturating_sub(1);
        let Some(obs) = self.observed.get(index) else {
            return false;
        };
        let phone = self.slic.phone(index);
        let hears = |t: CallProgress| phone.hearing() == t || obs.heard.contains(&t);
        let StepKind::Expect(expect) = &step.kind else {
            return true;
        };
        match expect {
            Expect::Registered => obs.registered,
            Expect::DialTone => hears(CallProgress::Dial),
            Expect::Ringback => hears(CallProgress::Ringback),
            Expect::Busy => hears(CallProgress::Busy),
            Expect::Reorder => hears(CallProgress::Reorder),
            Expect::Silence => phone.hearing() == CallProgress::Silence,
            Expect::Ringing => phone.is_ringing() || obs.ringing,
            Expect::Answered => obs.answered,
            Expect::Idle => {
                !phone.is_off_hook()
                    && self
                        .gateway
                        .status()
                        .get(index)
                        .is_some_and(|s| s.call_state == "idle")
            }
            Expect::Heard { freq_hz, level_dbm0 } => {
                let m = phone.measure();
                let matches = m.is_some_and(|m| {
                    freq_hz.is_none_or(|f| (m.freq_hz - f).abs() <= HEARD_FREQ_TOLERANCE_HZ)
                        && level_dbm0.is_none_or(|l| (m.level.0 - l).abs() <= HEARD_LEVEL_TOLERANCE_DB)
                });
                let now = self.now;
                let Some(obs) = self.observed.get_mut(index) else {
                    return false;
                };
                if !matches {
                    obs.heard_match_since = None;
                    return false;
                }
                let since = *obs.heard_match_since.get_or_insert(now);
                if now.saturating_duration_since(since) < HEARD_STABLE {
                    return false;
                }
                if let Some(m) = m {
                    let f = fields([
                        ("freq_hz", Value::from((m.freq_hz * 10.0).round() / 10.0)),
                        ("level_dbm0", Value::from((m.level.0 * 10.0).round() / 10.0)),
                    ]);
                    self.record(Some(step.port), "heard", f);
                }
                true
            }
        }
    }

    fn observed_text(&self, step: &Step) -> String {
        let index = usize::from(step.port).saturating_sub(1);
        let phone = self.slic.phone(index);
        let state = self
            .gateway
            .status()
            .get(index)
            .map(|s| s.call_state)
            .unwrap_or("?");
        let heard = match phone.measure() {
            Some(m) => format!("{:.0} Hz at {:.1} dBm0", m.freq_hz, m.level.0),
            None => "silence".to_owned(),
        };
        format!(
            "phone hears {:?} ({heard}), {}, ringing={}, gateway port state {state}",
            phone.hearing(),
            if phone.is_off_hook() {
                "off hook"
            } else {
                "on hook"
            },
            phone.is_ringing()
        )
    }

    fn fail(&mut self, step_no: usize, step: &Step, check: &str) {
        let observed = self.observed_text(step);
        self.record(
            Some(step.port),
            "check_failed",
            fields([
                ("check", Value::from(check.to_owned())),
                ("step", Value::from(step_no)),
                ("observed", Value::from(observed.clone())),
            ]),
        );
        self.failures.push(format!(
            "step {step_no} (port {}): {check}: observed {observed}",
            step.port
        ));
    }

    fn run_action(&mut self, port: u16, action: &Action) -> Result<(), String> {
        let index = usize::from(port).saturating_sub(1);
        if index >= self.observed.len() {
            return Err(format!("no port {port}"));
        }
        let phone = self.slic.phone_mut(index);
        match action {
            Action::OffHook => phone.lift(),
            Action::OnHook => {
                phone.hang_up();
                phone.stop_talking();
                self.talk_until[index] = None;
            }
            Action::Dial { digits } => phone.dial(digits).map_err(|e| e.to_string())?,
            Action::Talk { freq_hz, seconds } => {
                phone.talk_tone(*freq_hz, Dbm0(TALK_LEVEL_DBM0));
                self.talk_until[index] = Some(self.now + Duration::from_secs_f32(seconds.max(0.0)));
            }
            Action::Wait { .. } => {}
        }
        if matches!(action, Action::OffHook | Action::OnHook | Action::Dial { .. }) {
            self.observed[index].clear_call();
        }
        Ok(())
    }

    /// Advance the scenario as far as it can go at this instant.
    fn run_scenario(&mut self) {
        while self.phase == Phase::Running {
            let Some(step) = self.steps.get(self.step).cloned() else {
                self.phase = Phase::Draining;
                break;
            };
            let step_no = self.step + 1;
            let elapsed = self.now.saturating_duration_since(self.step_started);
            let done = match &step.kind {
                StepKind::Action(Action::Wait { seconds }) => {
                    elapsed >= Duration::from_secs_f32(seconds.max(0.0))
                }
                StepKind::Action(action) => {
                    if let Err(e) = self.run_action(step.port, action) {
                        self.fail(step_no, &step, &format!("action: {e}"));
                        self.phase = Phase::Draining;
                        break;
                    }
                    true
                }
                StepKind::Expect(expect) => {
                    if self.check(&step) {
                        self.checks_passed += 1;
                        true
                    } else if elapsed >= step.within {
                        self.fail(step_no, &step, expect.name());
                        self.phase = Phase::Draining;
                        break;
                    } else {
                        false
                    }
                }
            };
            if !done {
                break;
            }
            self.step += 1;
            self.step_started = self.now;
        }
    }

    fn run_policies(&mut self) {
        for i in 0..self.observed.len() {
            if self.talk_until[i].is_some_and(|t| self.now >= t) {
                self.slic.phone_mut(i).stop_talking();
                self.talk_until[i] = None;
            }
            let phone = self.slic.phone(i);
            // Auto-answer after the first ring cycle: lift as the second burst starts.
            if self.auto_answer && phone.ring_count() >= 2 && !phone.is_off_hook() {
                self.slic.phone_mut(i).lift();
            }
        }
    }

    fn run_lifecycle(&mut self) {
        match self.phase {
            Phase::Running => {
                if self
                    .duration
                    .is_some_and(|d| self.now.saturating_duration_since(self.start) >= d)
                {
                    if let Some(step) = self.steps.get(self.step).cloned() {
                        let name = match &step.kind {
                            StepKind::Expect(e) => e.name().to_owned(),
                            StepKind::Action(_) => "scenario_complete".to_owned(),
                        };
                        self.fail(self.step + 1, &step, &format!("{name} (run ended by --duration)"));
                    }
                    self.begin_shutdown();
                }
            }
            Phase::Draining => {
                let until = self.duration.map(|d| self.start + d).unwrap_or(self.now);
                if self.now >= until || !self.failures.is_empty() {
                    self.begin_shutdown();
                }
            }
            Phase::ShuttingDown { since } => {
                if self.gateway.is_shut_down() || self.now.saturating_duration_since(since) >= SHUTDOWN_GRACE
                {
                    self.record(None, "shutdown_complete", fields([]));
                    self.phase = Phase::Done;
                }
            }
            Phase::Done => {}
        }
    }

    fn begin_shutdown(&mut self) {
        self.record(None, "shutdown", fields([]));
        self.gateway.shutdown(self.now);
        self.phase = Phase::ShuttingDown { since: self.now };
        self.drain_gateway();
    }
}

impl Node for World {
    fn local_addrs(&self) -> Vec<SocketAddr> {
        let config = self.gateway.config();
        let mut addrs = vec![config.sip.local_addr];
        addrs.extend(config.ports.iter().map(|p| p.rtp_addr));
        if let Some(r) = &self.registrar {
            addrs.push(r.addr());
        }
        addrs
    }

    fn handle_datagram(&mut self, now: Instant, local: SocketAddr, remote: SocketAddr, data: &[u8]) {
        self.now = self.now.max(now);
        if let Some(reg) = self.registrar.as_mut().filter(|r| r.addr() == local) {
            reg.handle_datagram(self.now, remote, data);
            self.drain_registrar();
        } else {
            self.gateway.handle_input(Input::Datagram {
                now: self.now,
                local,
                remote,
                data,
            });
            self.drain_gateway();
        }
    }

    fn handle_tick(&mut self, now: Instant) {
        self.now = self.now.max(now);
        self.gateway.handle_input(Input::Timeout(self.now));
        self.drain_gateway();
        self.slic.tick(self.now);
        for i in 0..self.observed.len() {
            while let Some((_, event)) = self.slic.phone_mut(i).poll_event() {
                self.on_phone_event(i, event);
            }
        }
        self.gateway.handle_frames(self.now, &mut self.slic);
        self.drain_gateway();
        self.run_policies();
        self.run_scenario();
        self.run_lifecycle();
    }

    fn poll_transmit(&mut self) -> Option<Datagram> {
        self.outbox.pop_front()
    }

    fn is_finished(&self) -> bool {
        self.phase == Phase::Done
    }
}
