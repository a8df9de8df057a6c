//! The [`Gateway`]: every port of one box, its SIP user agent, one loop.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::Instant;

use fxs_hal::LineBank;
use fxs_sip::{CallId, RegistrationConfig, RegistrationId, UaConfig, UaEvent, UserAgent};
use rand::SeedableRng;
use rand::rngs::SmallRng;

use crate::Error;
use crate::config::{DialingConfig, GatewayConfig};
use crate::event::{EventKind, GatewayEvent, PortId};
use crate::port::Port;

/// Length of one audio frame: the gateway expects [`Gateway::handle_frames`]
/// this often.
pub const FRAME_INTERVAL: core::time::Duration = core::time::Duration::from_millis(10);

/// A datagram for the driver to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// The local socket to send from (the SIP socket or a port's RTP socket,
    /// as given in the configuration).
    pub source: SocketAddr,
    /// Where to send it.
    pub destination: SocketAddr,
    /// The datagram.
    pub payload: Vec<u8>,
}

/// A network or timer input to the gateway. Line input comes through
/// [`Gateway::handle_frames`].
#[derive(Clone, Copy, Debug)]
pub enum Input<'a> {
    /// The deadline last returned as [`Output::Timeout`] has passed (spurious
    /// calls are harmless).
    Timeout(Instant),
    /// A datagram arrived on one of the gateway's sockets.
    Datagram {
        /// Arrival time.
        now: Instant,
        /// The local socket it arrived on.
        local: SocketAddr,
        /// Who sent it.
        remote: SocketAddr,
        /// The datagram.
        data: &'a [u8],
    },
}

/// What the gateway wants done next. Drain with [`Gateway::poll_output`]
/// until it returns [`Output::Timeout`].
#[derive(Clone, Debug, PartialEq)]
pub enum Output {
    /// Send a datagram.
    Transmit(Transmit),
    /// Something happened.
    Event(GatewayEvent),
    /// Nothing more for now: call back with [`Input::Timeout`] at this
    /// instant, or earlier with a datagram or the next frame.
    Timeout(Instant),
}

/// Why the gateway asked to be woken at its last [`Output::Timeout`]: the
/// first thing to look at when asking "why did it wake up?".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutReason {
    /// The next 10 ms audio frame is due.
    FrameTick,
    /// A SIP timer (retransmission, transaction timeout, registration refresh).
    Sip,
}

/// State shared by the ports while one input is processed.
pub(crate) struct Ctx<'a> {
    pub(crate) now: Instant,
    pub(crate) ua: &'a mut UserAgent,
    pub(crate) rng: &'a mut SmallRng,
    pub(crate) dialing: &'a DialingConfig,
    pub(crate) domain: &'a str,
    pub(crate) calls: &'a mut HashMap<CallId, usize>,
    outputs: &'a mut VecDeque<Output>,
}

impl Ctx<'_> {
    pub(crate) fn event(&mut self, port: PortId, kind: EventKind) {
        tracing::debug!(port = port.0, event = kind.name(), "port event");
        self.outputs.push_back(Output::Event(GatewayEvent {
            at: self.now,
            port: Some(port),
            kind,
        }));
    }

    pub(crate) fn transmit(&mut self, source: SocketAddr, destination: SocketAddr, payload: Vec<u8>) {
        self.outputs.push_back(Output::Transmit(Transmit {
            source,
            destination,
            payload,
        }));
    }
}

/// Borrow the parts of the gateway a port needs, leaving `ports` free.
macro_rules! ctx {
    ($gw:ident, $now:expr) => {
        Ctx {
            now: $now,
            ua: &mut $gw.ua,
            rng: &mut $gw.rng,
            dialing: &$gw.config.dialing,
            domain: &$gw.config.sip.domain,
            calls: &mut $gw.calls,
            outputs: &mut $gw.outputs,
        }
    };
}

/// Snapshot of one port for status displays.
#[derive(Clone, Debug, PartialEq)]
pub struct PortStatus {
    /// The port.
    pub port: PortId,
    /// Its extension.
    pub extension: String,
    /// Whether its registration is current.
    pub registered: bool,
    /// Whether the handset is off hook (debounced).
    pub off_hook: bool,
    /// Call state name (`idle`, `dial_tone`, `collecting`, `calling`,
    /// `ringback`, `ringing`, `connected`, `awaiting_ack`, `disconnected`,
    /// `out_of_service`).
    pub call_state: &'static str,
    /// Media statistics of the call in progress.
    pub media: Option<fxs_media::MediaStats>,
    /// Counters since the gateway started.
    pub counters: crate::event::PortCounters,
}

/// The gateway engine: N FXS ports, one SIP user agent, sans-IO.
///
/// # The loop
///
/// The driver owns the sockets, the clock and the line hardware. It:
/// 1. calls [`handle_frames`](Self::handle_frames) every 10 ms with the line
///    bank (the line is the clock: call it when the PCM highway delivered a
///    frame);
/// 2. passes every datagram to [`handle_input`](Self::handle_input) with
///    [`Input::Datagram`], and wakes it with [`Input::Timeout`];
/// 3. after **each** of those calls, drains [`poll_output`](Self::poll_output)
///    until it returns [`Output::Timeout`]: one mutation, then drain.
///
/// ```no_run
/// # use std::time::Instant;
/// # fn demo(mut gw: fxs_core::Gateway, mut lines: fxs_hal::sim::SimSlic) {
/// use fxs_core::{Input, Output};
/// let now = Instant::now();
/// gw.handle_frames(now, &mut lines);
/// loop {
///     match gw.poll_output() {
///         Output::Transmit(t) => { /* socket(t.source).send_to(&t.payload, t.destination) */ }
///         Output::Event(e) => println!("{:?}", e),
///         Output::Timeout(_next) => break,
///     }
/// }
/// # }
/// ```
///
/// Time must not go backwards; an earlier `now` than already seen is treated
/// as the latest time seen.
pub struct Gateway {
    config: GatewayConfig,
    ua: UserAgent,
    ports: Vec<Port>,
    registrations: HashMap<RegistrationId, usize>,
    calls: HashMap<CallId, usize>,
    outputs: VecDeque<Output>,
    rng: SmallRng,
    now: Instant,
    next_frame: Option<Instant>,
    last_reason: TimeoutReason,
    shutting_down: bool,
}

impl Gateway {
    /// Build the gateway and start registering every port.
    pub fn new(config: GatewayConfig, now: Instant) -> Result<Gateway, Error> {
        config.validate()?;
        let ua = UserAgent::new(
            UaConfig {
                local_addr: config.sip.local_addr,
                user_agent: format!("fxs-gateway/{}", env!("CARGO_PKG_VERSION")),
                rng_seed: config.rng_seed,
                ..UaConfig::default()
            },
            now,
        );
        let ports = config
            .ports
            .iter()
            .enumerate()
            .map(|(i, p)| Port::new(PortId::from_index(i), p.clone(), &config.dialing))
            .collect::<Result<Vec<_>, _>>()?;
        let mut gw = Gateway {
            rng: SmallRng::seed_from_u64(config.rng_seed ^ 0x6678_735f_636f_7265),
            config,
            ua,
            ports,
            registrations: HashMap::new(),
            calls: HashMap::new(),
            outputs: VecDeque::new(),
            now,
            next_frame: None,
            last_reason: TimeoutReason::Sip,
            shutting_down: false,
        };
        for i in 0..gw.ports.len() {
            let p = &gw.ports[i].config;
            let id = gw.ua.register(
                now,
                RegistrationConfig {
                    registrar: gw.config.sip.server,
                    domain: gw.config.sip.domain.clone(),
                    user: p.extension.clone(),
                    auth_user: p.auth_user.clone(),
                    password: p.password.clone(),
                    expires: gw.config.sip.register_expires,
                },
            );
            gw.ports[i].registration = Some(id);
            gw.registrations.insert(id, i);
        }
        Ok(gw)
    }

    /// The configuration the gateway runs with.
    pub fn config(&self) -> &GatewayConfig {
        &self.config
    }

    fn advance(&mut self, now: Instant) -> Instant {
        if now > self.now {
            self.now = now;
        }
        self.now
    }

    /// Feed a datagram or a timeout. Then drain [`poll_output`](Self::poll_output).
    pub fn handle_input(&mut self, input: Input<'_>) {
        match input {
            Input::Timeout(now) => {
                let now = self.advance(now);
                self.ua.handle_timeout(now);
            }
            Input::Datagram {
                now,
                local,
                remote,
                data,
            } => {
                let now = self.advance(now);
                if local == self.config.sip.local_addr {
                    self.ua.handle_datagram(now, remote, data);
                } else if let Some(port) = self.ports.iter_mut().find(|p| p.config.rtp_addr == local) {
                    port.rtp(now, data);
                }
            }
        }
        self.pump_ua();
    }

    /// Run one 10 ms frame on every port: hook, uplink audio, timers,
    /// downlink audio. A port whose line fails goes out of service alone.
    pub fn handle_frames<B: LineBank + ?Sized>(&mut self, now: Instant, lines: &mut B) {
        let now = self.advance(now);
        self.next_frame = Some(now + FRAME_INTERVAL);
        let count = self.ports.len().min(lines.port_count());
        for i in 0..count {
            let Some(line) = lines.line(i) else { continue };
            let port = &mut self.ports[i];
            if matches!(port.state, crate::port::CallState::OutOfService) {
                continue;
            }
            let mut ctx = ctx!(self, now);
            if let Err(error) = port.frame(&mut ctx, line) {
                port.fail(&mut ctx, error);
            }
        }
        self.pump_ua();
    }

    /// Start an orderly shutdown: hang up every call and unregister every
    /// port. Keep driving the gateway until [`is_shut_down`](Self::is_shut_down).
    pub fn shutdown(&mut self, now: Instant) {
        let now = self.advance(now);
        self.shutting_down = true;
        for i in 0..self.ports.len() {
            let mut ctx = ctx!(self, now);
            self.ports[i].shutdown(&mut ctx);
            if let Some(id) = self.ports[i].registration {
                self.ua.unregister(now, id);
            }
        }
        self.pump_ua();
    }

    /// True once a shutdown has finished: no registration left and no SIP
    /// transaction in flight.
    pub fn is_shut_down(&self) -> bool {
        self.shutting_down && self.ports.iter().all(|p| !p.registered) && self.ua.is_idle()
    }

    /// The next thing to do. Returns [`Output::Timeout`] when drained.
    #[must_use]
    pub fn poll_output(&mut self) -> Output {
        if let Some(out) = self.outputs.pop_front() {
            return out;
        }
        let sip = self.ua.poll_timeout();
        let (at, reason) = match (sip, self.next_frame) {
            (Some(s), Some(f)) if s < f => (s, TimeoutReason::Sip),
            (_, Some(f)) => (f, TimeoutReason::FrameTick),
            (Some(s), None) => (s, TimeoutReason::Sip),
            (None, None) => (self.now + FRAME_INTERVAL, TimeoutReason::FrameTick),
        };
        self.last_reason = reason;
        Output::Timeout(at)
    }

    /// Why the last [`Output::Timeout`] was asked for.
    pub fn last_timeout_reason(&self) -> TimeoutReason {
        self.last_reason
    }

    /// The call state name of one port (as in [`PortStatus::call_state`]),
    /// without building a whole status.
    pub fn call_state(&self, port: PortId) -> Option<&'static str> {
        self.ports.get(port.index()).map(|p| p.state.name())
    }

    /// Media statistics of one port's call in progress.
    pub fn media_stats(&self, port: PortId) -> Option<fxs_media::MediaStats> {
        self.ports.get(port.index()).and_then(|p| p.media_stats())
    }

    /// Status of every port.
    pub fn status(&self) -> Vec<PortStatus> {
        self.ports
            .iter()
            .map(|p| PortStatus {
                port: p.id,
                extension: p.config.extension.clone(),
                registered: p.registered,
                off_hook: p.is_off_hook(),
                call_state: p.state.name(),
                media: p.media_stats(),
                counters: p.counters,
            })
            .collect()
    }

    /// Move the SIP user agent's output into ours and act on its events.
    fn pump_ua(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(t) = self.ua.poll_transmit() {
                progressed = true;
                self.outputs.push_back(Output::Transmit(Transmit {
                    source: self.config.sip.local_addr,
                    destination: t.destination,
                    payload: t.payload,
                }));
            }
            if let Some(event) = self.ua.poll_event() {
                progressed = true;
                self.on_ua_event(event);
            }
            if !progressed {
                break;
            }
        }
    }

    fn gateway_event(&mut self, port: usize, kind: EventKind) {
        self.outputs.push_back(Output::Event(GatewayEvent {
            at: self.now,
            port: Some(PortId::from_index(port)),
            kind,
        }));
    }

    fn on_ua_event(&mut self, event: UaEvent) {
        let now = self.now;
        match event {
            UaEvent::Registered { id, expires } => {
                if let Some(&i) = self.registrations.get(&id) {
                    self.ports[i].registered = true;
                    self.gateway_event(i, EventKind::Registered { expires });
                }
            }
            UaEvent::RegistrationFailed { id, status, reason } => {
                if let Some(&i) = self.registrations.get(&id) {
                    self.ports[i].registered = false;
                    self.gateway_event(
                        i,
                        EventKind::RegistrationFailed {
                            status: status.map(|s| s.0),
                            reason,
                        },
                    );
                }
            }
            UaEvent::Unregistered { id } => {
                if let Some(&i) = self.registrations.get(&id) {
                    self.ports[i].registered = false;
                    self.gateway_event(i, EventKind::Unregistered);
                }
            }
            UaEvent::IncomingCall {
                call,
                user,
                from,
                offer,
            } => {
                let Some(i) = self.ports.iter().position(|p| p.config.extension == user) else {
                    self.ua.reject(now, call, fxs_sip::StatusCode::NOT_FOUND);
                    return;
                };
                if self.shutting_down {
                    self.ua
                        .reject(now, call, fxs_sip::StatusCode::TEMPORARILY_UNAVAILABLE);
                    return;
                }
                let from = from
                    .display_name
                    .clone()
                    .filter(|d| !d.is_empty())
                    .map(|d| format!("\"{d}\" <{}>", from.uri))
                    .unwrap_or_else(|| from.uri.to_string());
                self.calls.insert(call, i);
                let mut ctx = ctx!(self, now);
                let port = &mut self.ports[i];
                port.incoming_call(&mut ctx, call, from, offer);
            }
            UaEvent::Progress { call, .. } => {
                if let Some(&i) = self.calls.get(&call) {
                    let mut ctx = ctx!(self, now);
                    self.ports[i].progress(&mut ctx, call);
                }
            }
            UaEvent::Answered { call, sdp } => {
                if let Some(&i) = self.calls.get(&call) {
                    let mut ctx = ctx!(self, now);
                    self.ports[i].answered(&mut ctx, call, sdp);
                }
            }
            UaEvent::Ended { call, reason } => {
                if let Some(i) = self.calls.remove(&call) {
                    let mut ctx = ctx!(self, now);
                    self.ports[i].ended(&mut ctx, call, reason);
                }
            }
        }
    }
}
