//! The SIP user agent: registrations and calls on top of the RFC 3261
//! transaction layer, sans-IO in the style of quinn-proto.
//!
//! See [`UserAgent`] for the driving loop.

mod auth;
mod build;
mod call;
mod ids;
mod inbound;
mod registration;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::message::{Message, NameAddr, Response, StatusCode, Uri};
use crate::sdp::SessionDescription;
use crate::transaction::{TimerConfig, TimerQueue, Transactions, TxEvent, TxId};

use call::{Call, CallTimer, DialogKey};
use ids::IdGen;
use registration::Registration;

/// Configuration of a [`UserAgent`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UaConfig {
    /// Where our UDP socket is bound: the Via sent-by and the Contact host.
    pub local_addr: SocketAddr,
    /// Product token written in User-Agent and Server headers,
    /// e.g. `fxs-gateway/0.1`.
    pub user_agent: String,
    /// Seed of the generator of tags, branches, Call-IDs, cnonces and timer
    /// jitter: the same seed and the same inputs give the same output.
    pub rng_seed: u64,
    /// T1, the round-trip estimate (RFC 3261 §17.1.1.1; 500 ms). Values
    /// below 1 ms are raised to 1 ms so retransmissions always move time on.
    pub t1: Duration,
    /// T2, the retransmit cap of non-INVITE requests and INVITE responses
    /// (RFC 3261 §17.1.2.2; 4 s). Raised to T1 if smaller.
    pub t2: Duration,
    /// T4, the longest time a message lives in the network
    /// (RFC 3261 §17.1.2.2; 5 s).
    pub t4: Duration,
}

impl Default for UaConfig {
    /// `0.0.0.0:5060`, `fxs-gateway/0.1`, seed 0 and the RFC 3261 timer
    /// values T1 = 500 ms, T2 = 4 s, T4 = 5 s (spec/sip.md §2).
    fn default() -> Self {
        UaConfig {
            local_addr: SocketAddr::from(([0, 0, 0, 0], 5060)),
            user_agent: "fxs-gateway/0.1".to_owned(),
            rng_seed: 0,
            t1: Duration::from_millis(500),
            t2: Duration::from_secs(4),
            t4: Duration::from_secs(5),
        }
    }
}

/// Handle of one registration of a [`UserAgent`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegistrationId(pub u32);

/// Local handle of one call of a [`UserAgent`] (not the SIP Call-ID).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallId(pub u32);

/// What to register, where, and with which credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegistrationConfig {
    /// Where requests go: the registrar, or the outbound proxy in front of it.
    /// Calls placed from this registration use it as their outbound proxy.
    pub registrar: SocketAddr,
    /// Request-URI host and AOR domain, e.g. `127.0.0.1` or `pbx.example.com`
    /// (a `:port` suffix is allowed).
    pub domain: String,
    /// AOR user, e.g. `1001`; also the user part of our Contact.
    pub user: String,
    /// Digest user name.
    pub auth_user: String,
    /// Digest password.
    pub password: String,
    /// Requested binding lifetime in seconds, e.g. 300 (spec/sip.md §3). The
    /// binding is refreshed at a random 50-90 % of the lifetime the registrar
    /// grants.
    pub expires: u32,
}

/// One datagram to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub destination: SocketAddr,
    /// The whole SIP message.
    pub payload: Vec<u8>,
}

/// Something the application must know about.
// Events are few (per call, per registration) and matched by value by the
// application; boxing the SDP of IncomingCall would change the public API.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum UaEvent {
    /// A REGISTER succeeded (first time and every refresh); `expires` is the
    /// lifetime the registrar granted, in seconds.
    Registered {
        /// The registration.
        id: RegistrationId,
        /// Granted lifetime in seconds.
        expires: u32,
    },
    /// A REGISTER failed; the user agent retries by itself after a backoff
    /// (30 s doubling to 300 s, with jitter).
    RegistrationFailed {
        /// The registration.
        id: RegistrationId,
        /// The final status, `None` for a timeout (Timer F).
        status: Option<StatusCode>,
        /// Why, in words (reason phrase or what went wrong with digest).
        reason: String,
    },
    /// An unregistration (Expires: 0) finished: confirmed by the registrar, or
    /// failed or timed out, so that shutdown never hangs. The handle is gone.
    Unregistered {
        /// The registration.
        id: RegistrationId,
    },
    /// A new INVITE for `user` (Request-URI user part). The UA already sent
    /// 100 Trying.
    IncomingCall {
        /// The new call.
        call: CallId,
        /// Request-URI user part (empty if none).
        user: String,
        /// The caller (From).
        from: NameAddr,
        /// The SDP offer, if the INVITE carried one.
        offer: Option<SessionDescription>,
    },
    /// Our outgoing call got a provisional response (180/183); `early` SDP if
    /// present. 100 Trying is hop-by-hop and not reported.
    Progress {
        /// The call.
        call: CallId,
        /// The provisional status.
        status: StatusCode,
        /// Early-media SDP, if the response carried one.
        sdp: Option<SessionDescription>,
    },
    /// Outgoing call answered (we already sent the ACK) or incoming call
    /// confirmed by ACK. For an outgoing call `sdp` is the answer in the 2xx;
    /// for an incoming one the SDP of the ACK, if any (delayed offer).
    Answered {
        /// The call.
        call: CallId,
        /// SDP of the 2xx (outgoing) or of the ACK (incoming).
        sdp: Option<SessionDescription>,
    },
    /// The call ended: remote BYE, CANCEL, final error, timeout, or our own
    /// hangup completed. Every call ends with exactly one `Ended`.
    Ended {
        /// The call; the handle is gone.
        call: CallId,
        /// Why.
        reason: EndReason,
    },
}

/// Why a call ended.
///
/// The rule for our own actions: whatever [`UserAgent::hangup`] ends is
/// `LocalHangup` (a CANCEL of our outgoing call, a BYE, 480 to an unanswered
/// incoming call); whatever [`UserAgent::reject`] ends is `Rejected`.
/// `Cancelled` is only the peer cancelling its INVITE to us.
#[derive(Clone, Debug, PartialEq)]
pub enum EndReason {
    /// We hung up: the BYE or CANCEL completed (or timed out), or we answered
    /// an unanswered incoming call with 480.
    LocalHangup,
    /// The peer sent BYE.
    RemoteHangup,
    /// The peer cancelled its INVITE before we answered (we sent 487).
    Cancelled,
    /// The call was refused with this final status: by the far end for an
    /// outgoing call, by [`UserAgent::reject`] for an incoming one.
    Rejected(StatusCode),
    /// No answer in time: Timer B for an outgoing INVITE, no ACK within 64·T1
    /// for our 2xx (we sent BYE).
    Timeout,
    /// The request could not be sent: the registration `invite` named does
    /// not exist.
    TransportError,
}

/// Who a client transaction belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum TxOwner {
    Register(RegistrationId),
    Invite(CallId),
    Cancel(CallId),
    Bye(CallId),
}

/// Timers of the UA core (the transactions keep their own).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum UaTimer {
    /// Refresh or retry of a registration.
    Registration(RegistrationId),
    /// A call timer.
    Call(CallId, CallTimer),
}

/// A sans-IO SIP user agent over UDP: registrations (REGISTER with digest,
/// refresh, backoff), outgoing and incoming calls (INVITE, CANCEL, BYE), and
/// the answers every UA owes (OPTIONS, 400, 405, 420, 481, 501).
///
/// It opens no socket, starts no thread and never reads a clock: the caller
/// moves datagrams and time in and out. Its methods come in four classes:
///
/// - **(A) getters** on `&self`: [`UserAgent::is_idle`],
///   [`UserAgent::config`].
/// - **(B) input**: [`UserAgent::handle_datagram`] for every datagram that
///   arrives on the socket bound to [`UaConfig::local_addr`], and
///   [`UserAgent::handle_timeout`] when the instant given by
///   [`UserAgent::poll_timeout`] is reached (calling it early or twice is
///   harmless: nothing is due).
/// - **(C) commands** from the application: [`UserAgent::register`],
///   [`UserAgent::unregister`], [`UserAgent::invite`],
///   [`UserAgent::ringing`], [`UserAgent::answer`], [`UserAgent::reject`],
///   [`UserAgent::hangup`].
/// - **(D) output**: [`UserAgent::poll_transmit`], [`UserAgent::poll_event`],
///   [`UserAgent::poll_timeout`].
///
/// **Poll order.** After every call of class (B) or (C): first drain
/// `poll_transmit` (send each datagram), then drain `poll_event`, then read
/// `poll_timeout` and arrange to call `handle_timeout` at that instant. The
/// timeout can only change through (B) or (C), so reading it last is enough.
///
/// **Time.** Every input carries `now`; the instants should not go
/// backwards. If one does, the UA keeps the latest instant it has seen and
/// acts as if `now` were that instant (a backwards step is ignored, never an
/// error or a panic), so timers never fire early and intervals never go
/// negative.
///
/// ```
/// use std::time::Instant;
/// use fxs_sip::{RegistrationConfig, UaConfig, UserAgent};
///
/// let start = Instant::now();
/// let config = UaConfig { local_addr: "192.0.2.10:5060".parse().unwrap(), ..UaConfig::default() };
/// let mut ua = UserAgent::new(config, start);
/// let _id = ua.register(start, RegistrationConfig {
///     registrar: "192.0.2.1:5060".parse().unwrap(),
///     domain: "pbx.example.com".into(),
///     user: "1001".into(),
///     auth_user: "1001".into(),
///     password: "secret".into(),
///     expires: 300,
/// });
/// let register = ua.poll_transmit().expect("REGISTER");
/// assert_eq!(register.destination, "192.0.2.1:5060".parse().unwrap());
/// assert!(register.payload.starts_with(b"REGISTER sip:pbx.example.com SIP/2.0\r\n"));
/// // No answer yet: the next deadline is the first retransmission (Timer E = T1).
/// assert_eq!(ua.poll_timeout(), Some(start + std::time::Duration::from_millis(500)));
/// ```
#[derive(Debug)]
pub struct UserAgent {
    config: UaConfig,
    /// The latest instant seen (time never goes backwards inside).
    now: Instant,
    ids: IdGen,
    tx: Transactions,
    tx_owners: HashMap<TxId, TxOwner>,
    registrations: BTreeMap<RegistrationId, Registration>,
    calls: BTreeMap<CallId, Call>,
    dialogs: HashMap<DialogKey, CallId>,
    timers: TimerQueue<UaTimer>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<UaEvent>,
    next_registration: u32,
    next_call: u32,
}

impl UserAgent {
    /// A user agent with nothing registered and no calls, started at `now`.
    pub fn new(mut config: UaConfig, now: Instant) -> UserAgent {
        config.t1 = config.t1.max(Duration::from_millis(1));
        config.t2 = config.t2.max(config.t1);
        let timer_config = TimerConfig::new(config.t1, config.t2, config.t4);
        let ids = IdGen::new(config.rng_seed, config.local_addr.ip().to_string());
        UserAgent {
            now,
            ids,
            tx: Transactions::new(timer_config),
            tx_owners: HashMap::new(),
            registrations: BTreeMap::new(),
            calls: BTreeMap::new(),
            dialogs: HashMap::new(),
            timers: TimerQueue::default(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            next_registration: 1,
            next_call: 1,
            config,
        }
    }

    /// The configuration given to [`UserAgent::new`] (timers normalised as
    /// documented on [`UaConfig`]).
    pub fn config(&self) -> &UaConfig {
        &self.config
    }

    /// Move the clock to `now`, ignoring a step backwards.
    fn advance(&mut self, now: Instant) -> Instant {
        if now > self.now {
            self.now = now;
        }
        self.now
    }

    // ----- (B) input -------------------------------------------------------

    /// A datagram arrived on our socket from `from`. Malformed requests are
    /// answered with 400 + defect (returned through poll_transmit), unknown
    /// methods 501; malformed responses are dropped; never panics.
    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, data: &[u8]) {
        let now = self.advance(now);
        match Message::parse(data) {
            Ok(Message::Request(request)) => self.on_request(now, from, request),
            Ok(Message::Response(response)) => self.on_response(now, response),
            Err(error) => self.on_malformed(from, data, &error),
        }
        self.process_tx_events(now);
    }

    /// The instant from [`UserAgent::poll_timeout`] was reached: retransmit,
    /// time out, refresh whatever is due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let now = self.advance(now);
        self.tx.handle_timeout(now, &mut self.transmits);
        self.process_tx_events(now);
        while let Some(timer) = self.timers.pop_due(now) {
            match timer {
                UaTimer::Registration(id) => self.on_registration_timer(now, id),
                UaTimer::Call(id, timer) => self.on_call_timer(now, id, timer),
            }
            self.process_tx_events(now);
        }
    }

    // ----- (D) output ------------------------------------------------------

    /// The next datagram to send. Drain after every input or command.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event for the application. Drain after `poll_transmit`.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<UaEvent> {
        self.events.pop_front()
    }

    /// When [`UserAgent::handle_timeout`] must be called next: the earliest
    /// deadline of every transaction, call and registration timer (`None`:
    /// nothing is scheduled). Read after draining the other two.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        match (self.tx.poll_timeout(), self.timers.next_deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// True when no call exists and no transaction still waits for a final
    /// response (a pending unregistration counts). Transactions that only
    /// absorb retransmissions after their final response, and registrations
    /// that merely wait for their refresh, do not count: a shutdown may
    /// unregister, wait for `Unregistered` or `is_idle`, then drop the UA.
    pub fn is_idle(&self) -> bool {
        self.calls.is_empty() && !self.tx.is_busy()
    }

    // ----- internals shared by the submodules -------------------------------

    fn on_response(&mut self, now: Instant, response: Response) {
        // RFC 3261 §8.1.3.3: a response with more than one Via is misrouted.
        if response.headers.vias().count() != 1 {
            return;
        }
        self.tx.on_response(now, response, &mut self.transmits);
    }

    /// Hand every transaction event to its owner.
    fn process_tx_events(&mut self, now: Instant) {
        while let Some(event) = self.tx.poll_event() {
            match event {
                TxEvent::Response { tx, response } => match self.tx_owners.get(&tx).copied() {
                    Some(TxOwner::Register(id)) => {
                        self.on_register_response(now, id, tx, response);
                    }
                    Some(TxOwner::Invite(call)) => {
                        self.on_invite_response(now, call, tx, response);
                    }
                    Some(TxOwner::Bye(call)) => {
                        if !response.status.is_provisional() {
                            self.on_bye_done(call, tx);
                        }
                    }
                    Some(TxOwner::Cancel(_)) | None => {}
                },
                TxEvent::Timeout(tx) => match self.tx_owners.get(&tx).copied() {
                    Some(TxOwner::Register(id)) => self.on_register_timeout(now, id, tx),
                    Some(TxOwner::Invite(call)) => self.on_invite_timeout(call, tx),
                    Some(TxOwner::Bye(call)) => self.on_bye_done(call, tx),
                    Some(TxOwner::Cancel(_)) | None => {}
                },
                TxEvent::ClientTerminated(tx) => {
                    self.tx_owners.remove(&tx);
                }
            }
        }
    }

    /// Start a client transaction owned by `owner` (`None`: nobody waits for
    /// its outcome).
    fn send_request(
        &mut self,
        now: Instant,
        request: crate::message::Request,
        destination: SocketAddr,
        owner: Option<TxOwner>,
    ) -> TxId {
        let tx = self.tx.send(now, request, destination, &mut self.transmits);
        if let Some(owner) = owner {
            self.tx_owners.insert(tx, owner);
        }
        tx
    }

    fn allocate_call(&mut self) -> CallId {
        let id = CallId(self.next_call);
        self.next_call = self.next_call.wrapping_add(1);
        id
    }
}

/// The Request-URI user of `uri`, or an empty string.
fn uri_user(uri: &Uri) -> String {
    uri.user.clone().unwrap_or_default()
}

#[cfg(test)]
mod tests;
