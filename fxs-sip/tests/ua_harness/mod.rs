//! Test harness for the user agent: several `UserAgent`s and a tiny
//! registrar/proxy wired by an in-memory network in virtual time.
//!
//! Every datagram a node emits is logged, may be dropped by a test-chosen
//! rule, and is otherwise delivered at once to the node bound to its
//! destination address (or lost if there is none). Time only moves in
//! [`Net::step`], to the earliest `poll_timeout` of all user agents.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use fxs_sip::sdp::SessionDescription;
use fxs_sip::{
    Challenge, Contact, DigestAlgorithm, Header, Host, Message, Method, NameAddr, Param, RegistrationConfig,
    RegistrationId, Request, Response, StatusCode, Transport, UaConfig, UaEvent, UserAgent, Via,
};

pub const DOMAIN: &str = "pbx.test";
pub const REALM: &str = "pbx.test";

pub fn addr(s: &str) -> SocketAddr {
    s.parse().expect("test address")
}

pub fn a_addr() -> SocketAddr {
    addr("10.0.0.1:5060")
}

pub fn b_addr() -> SocketAddr {
    addr("10.0.0.2:5060")
}

pub fn proxy_addr() -> SocketAddr {
    addr("10.0.0.100:5060")
}

/// A small SDP offer/answer from `ip`.
pub fn sdp(ip: &str, port: u16) -> SessionDescription {
    let text = format!(
        "v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=sendrecv\r\n"
    );
    SessionDescription::parse(&text).expect("test SDP parses")
}

/// Registration of `user` at the test proxy with password `<user>pw`.
pub fn registration(user: &str) -> RegistrationConfig {
    RegistrationConfig {
        registrar: proxy_addr(),
        domain: DOMAIN.to_owned(),
        user: user.to_owned(),
        auth_user: user.to_owned(),
        password: format!("{user}pw"),
        expires: 300,
    }
}

/// One datagram seen on the network.
#[derive(Clone, Debug)]
pub struct Packet {
    /// Time since the start of the test.
    pub at: Duration,
    pub from: SocketAddr,
    pub to: SocketAddr,
    pub payload: Vec<u8>,
    /// The drop rule discarded it.
    pub dropped: bool,
}

impl Packet {
    pub fn message(&self) -> Option<Message> {
        Message::parse(&self.payload).ok()
    }

    pub fn request(&self) -> Option<Request> {
        match self.message()? {
            Message::Request(r) => Some(r),
            Message::Response(_) => None,
        }
    }

    pub fn response(&self) -> Option<Response> {
        match self.message()? {
            Message::Response(r) => Some(r),
            Message::Request(_) => None,
        }
    }

    pub fn is_request(&self, method: &Method) -> bool {
        self.request().is_some_and(|r| &r.method == method)
    }

    /// A response with this status to a request of this method.
    pub fn is_response(&self, status: u16, method: &Method) -> bool {
        self.response()
            .is_some_and(|r| r.status.0 == status && r.headers.cseq().is_some_and(|c| &c.method == method))
    }

    pub fn first_line(&self) -> String {
        String::from_utf8_lossy(&self.payload)
            .lines()
            .next()
            .unwrap_or("")
            .to_owned()
    }
}

/// One user agent on the network, with the events it produced.
pub struct Node {
    pub addr: SocketAddr,
    pub ua: UserAgent,
    pub events: Vec<(Duration, UaEvent)>,
}

/// Drop rule: return true to lose the packet.
pub type DropRule = Box<dyn FnMut(&Packet) -> bool>;

/// The network.
pub struct Net {
    pub start: Instant,
    pub now: Instant,
    pub nodes: Vec<Node>,
    pub proxy: Option<TestProxy>,
    pub log: Vec<Packet>,
    pub drop_rule: DropRule,
    /// Upper bound on deliveries inside one `pump`, to catch packet storms.
    pub max_deliveries: usize,
}

impl Default for Net {
    fn default() -> Self {
        Net::new()
    }
}

impl Net {
    pub fn new() -> Net {
        let start = Instant::now();
        Net {
            start,
            now: start,
            nodes: Vec::new(),
            proxy: None,
            log: Vec::new(),
            drop_rule: Box::new(|_| false),
            max_deliveries: 10_000,
        }
    }

    /// Two user agents A (10.0.0.1) and B (10.0.0.2) behind the test proxy.
    pub fn pair() -> Net {
        let mut net = Net::new();
        net.add_ua(a_addr(), 1);
        net.add_ua(b_addr(), 2);
        net.proxy = Some(TestProxy::new(proxy_addr()));
        net
    }

    pub fn add_ua(&mut self, addr: SocketAddr, seed: u64) -> usize {
        let config = UaConfig {
            local_addr: addr,
            rng_seed: seed,
            ..UaConfig::default()
        };
        self.nodes.push(Node {
            addr,
            ua: UserAgent::new(config, self.now),
            events: Vec::new(),
        });
        self.nodes.len() - 1
    }

    pub fn elapsed(&self) -> Duration {
        self.now - self.start
    }

    pub fn ua(&mut self, i: usize) -> &mut UserAgent {
        &mut self.nodes[i].ua
    }

    pub fn proxy(&mut self) -> &mut TestProxy {
        self.proxy.as_mut().expect("network has a proxy")
    }

    pub fn set_drop(&mut self, rule: impl FnMut(&Packet) -> bool + 'static) {
        self.drop_rule = Box::new(rule);
    }

    /// Run a command on UA `i` at the current time, then deliver everything.
    pub fn with_ua<R>(&mut self, i: usize, f: impl FnOnce(&mut UserAgent, Instant) -> R) -> R {
        let now = self.now;
        let r = f(&mut self.nodes[i].ua, now);
        self.pump();
        r
    }

    /// Deliver `payload` from `from` to `to` as if it came from the network
    /// (not subject to the drop rule), then pump.
    pub fn inject(&mut self, from: SocketAddr, to: SocketAddr, payload: &[u8]) {
        self.log.push(Packet {
            at: self.elapsed(),
            from,
            to,
            payload: payload.to_vec(),
            dropped: false,
        });
        self.deliver(from, to, payload.to_vec());
        self.pump();
    }

    /// Move every pending datagram and event until nothing is left.
    pub fn pump(&mut self) {
        let mut deliveries = 0;
        loop {
            let mut outgoing = Vec::new();
            for node in &mut self.nodes {
                while let Some(t) = node.ua.poll_transmit() {
                    outgoing.push((node.addr, t.destination, t.payload));
                }
                while let Some(e) = node.ua.poll_event() {
                    node.events.push((self.now - self.start, e));
                }
            }
            if outgoing.is_empty() {
                return;
            }
            for (from, to, payload) in outgoing {
                let mut packet = Packet {
                    at: self.now - self.start,
                    from,
                    to,
                    payload,
                    dropped: false,
                };
                packet.dropped = (self.drop_rule)(&packet);
                let dropped = packet.dropped;
                let payload = packet.payload.clone();
                self.log.push(packet);
                if !dropped {
                    deliveries += 1;
                    assert!(
                        deliveries <= self.max_deliveries,
                        "packet storm: more than {} deliveries without time passing",
                        self.max_deliveries
                    );
                    self.deliver(from, to, payload);
                }
            }
        }
    }

    fn deliver(&mut self, from: SocketAddr, to: SocketAddr, payload: Vec<u8>) {
        let now = self.now;
        if let Some(node) = self.nodes.iter_mut().find(|n| n.addr == to) {
            node.ua.handle_datagram(now, from, &payload);
            return;
        }
        let Some(proxy) = self.proxy.as_mut().filter(|p| p.addr == to) else {
            return;
        };
        let replies = proxy.handle(from, &payload);
        for (dest, bytes) in replies {
            let mut packet = Packet {
                at: now - self.start,
                from: to,
                to: dest,
                payload: bytes,
                dropped: false,
            };
            packet.dropped = (self.drop_rule)(&packet);
            let dropped = packet.dropped;
            let bytes = packet.payload.clone();
            self.log.push(packet);
            if !dropped {
                self.deliver(to, dest, bytes);
            }
        }
    }

    /// The earliest deadline of all user agents.
    pub fn next_timeout(&self) -> Option<Instant> {
        self.nodes.iter().filter_map(|n| n.ua.poll_timeout()).min()
    }

    /// Pump, then advance to the earliest deadline (if not later than
    /// `limit`) and fire it. False when nothing is scheduled before `limit`.
    pub fn step_until(&mut self, limit: Instant) -> bool {
        self.pump();
        let Some(next) = self.next_timeout() else {
            return false;
        };
        if next > limit {
            return false;
        }
        if next > self.now {
            self.now = next;
        }
        let now = self.now;
        for node in &mut self.nodes {
            if node.ua.poll_timeout().is_some_and(|t| t <= now) {
                node.ua.handle_timeout(now);
            }
        }
        self.pump();
        true
    }

    /// Run every timer up to `elapsed` since the start, then set the clock
    /// there. Panics on a livelock (too many steps).
    pub fn run_until(&mut self, elapsed: Duration) {
        let limit = self.start + elapsed;
        let mut steps = 0;
        while self.step_until(limit) {
            steps += 1;
            assert!(steps < 100_000, "livelock before {elapsed:?}");
        }
        if limit > self.now {
            self.now = limit;
        }
    }

    /// Run for `d` more.
    pub fn run_for(&mut self, d: Duration) {
        let target = self.elapsed() + d;
        self.run_until(target);
    }

    /// Step until `done` holds; fail the test after `max_steps` steps or when
    /// nothing is scheduled any more.
    pub fn drive_bounded(&mut self, max_steps: usize, mut done: impl FnMut(&Net) -> bool) {
        self.pump();
        for _ in 0..max_steps {
            if done(self) {
                return;
            }
            let far = self.now + Duration::from_secs(24 * 3600);
            if !self.step_until(far) {
                assert!(done(self), "nothing scheduled and the condition does not hold");
                return;
            }
        }
        assert!(done(self), "condition not reached within {max_steps} steps");
    }

    pub fn events(&self, i: usize) -> Vec<UaEvent> {
        self.nodes[i].events.iter().map(|(_, e)| e.clone()).collect()
    }

    pub fn has_event(&self, i: usize, f: impl Fn(&UaEvent) -> bool) -> bool {
        self.nodes[i].events.iter().any(|(_, e)| f(e))
    }

    /// Time of the first event of node `i` matching `f`.
    pub fn event_time(&self, i: usize, f: impl Fn(&UaEvent) -> bool) -> Option<Duration> {
        self.nodes[i].events.iter().find(|(_, e)| f(e)).map(|(at, _)| *at)
    }

    /// Packets sent from `from` matching `f`.
    pub fn sent_by(&self, from: SocketAddr, f: impl Fn(&Packet) -> bool) -> Vec<Packet> {
        self.log
            .iter()
            .filter(|p| p.from == from && f(p))
            .cloned()
            .collect()
    }

    /// Register user `user` of UA `i` and run until it is registered.
    pub fn register(&mut self, i: usize, user: &str) -> RegistrationId {
        let id = self.with_ua(i, |ua, now| ua.register(now, registration(user)));
        self.drive_bounded(50, |net| {
            net.has_event(i, |e| matches!(e, UaEvent::Registered { id: r, .. } if *r == id))
        });
        id
    }
}

/// A registrar and stateless proxy for one domain with digest authentication.
pub struct TestProxy {
    pub addr: SocketAddr,
    /// Password of each auth user (`<user>pw` unless changed).
    pub passwords: HashMap<String, String>,
    /// AOR user -> contact address.
    pub bindings: HashMap<String, SocketAddr>,
    /// Lifetime granted in the Contact of a 200 (None: what was asked).
    pub grant: Option<u32>,
    /// Answer 423 below this Expires.
    pub min_expires: Option<u32>,
    /// Insert Record-Route into forwarded INVITEs.
    pub record_route: bool,
    /// Challenge INVITEs with 407.
    pub challenge_invites: bool,
    /// Accept each nonce for one request only; a reused one gets a new nonce
    /// with stale=true.
    pub single_use_nonces: bool,
    /// Do not answer REGISTER at all.
    pub silent: bool,
    issued: Vec<String>,
    used: HashSet<String>,
    challenged_branches: HashSet<String>,
    counter: u32,
    /// Every REGISTER received, in order.
    pub registers: Vec<Request>,
}

impl TestProxy {
    pub fn new(addr: SocketAddr) -> TestProxy {
        TestProxy {
            addr,
            passwords: HashMap::new(),
            bindings: HashMap::new(),
            grant: None,
            min_expires: None,
            record_route: false,
            challenge_invites: false,
            single_use_nonces: false,
            silent: false,
            issued: Vec::new(),
            used: HashSet::new(),
            challenged_branches: HashSet::new(),
            counter: 0,
            registers: Vec::new(),
        }
    }

    fn password(&self, user: &str) -> String {
        self.passwords
            .get(user)
            .cloned()
            .unwrap_or_else(|| format!("{user}pw"))
    }

    fn new_nonce(&mut self) -> String {
        self.counter += 1;
        let nonce = format!("nonce{:04}", self.counter);
        self.issued.push(nonce.clone());
        nonce
    }

    fn challenge(&mut self, nonce: Option<String>, stale: bool) -> Challenge {
        let nonce = nonce.unwrap_or_else(|| self.new_nonce());
        Challenge {
            realm: REALM.to_owned(),
            nonce,
            opaque: Some("op4que".to_owned()),
            algorithm: Some(DigestAlgorithm::Md5),
            qop: vec!["auth".to_owned()],
            stale,
            domain: None,
            other: Vec::new(),
        }
    }

    /// A datagram for the proxy; returns what it sends.
    pub fn handle(&mut self, from: SocketAddr, data: &[u8]) -> Vec<(SocketAddr, Vec<u8>)> {
        match Message::parse(data) {
            Ok(Message::Request(mut req)) => {
                if let Some(via) = req.headers.top_via_mut() {
                    via.set_param("received", Some(&from.ip().to_string()));
                    via.set_param("rport", Some(&from.port().to_string()));
                }
                if req.method == Method::Register {
                    self.registrar(from, req)
                } else {
                    self.forward_request(from, req)
                }
            }
            Ok(Message::Response(resp)) => self.forward_response(resp),
            Err(_) => Vec::new(),
        }
    }

    fn reply(&self, from: SocketAddr, resp: Response) -> Vec<(SocketAddr, Vec<u8>)> {
        vec![(from, resp.to_bytes())]
    }

    /// Check credentials of `creds` for `method`; Err(stale) when they fail.
    fn check(&mut self, creds: Option<&fxs_sip::Credentials>, method: &Method) -> Result<(), bool> {
        let Some(c) = creds else {
            return Err(false);
        };
        if !self.issued.contains(&c.nonce) || c.realm != REALM {
            return Err(false);
        }
        if !fxs_sip::digest::verify(c, &self.password(&c.username), method) {
            return Err(false);
        }
        if self.single_use_nonces && !self.used.insert(c.nonce.clone()) {
            return Err(true);
        }
        Ok(())
    }

    fn registrar(&mut self, from: SocketAddr, req: Request) -> Vec<(SocketAddr, Vec<u8>)> {
        self.registers.push(req.clone());
        if self.silent {
            return Vec::new();
        }
        let creds = req.headers.authorization().cloned();
        match self.check(creds.as_ref(), &Method::Register) {
            Ok(()) => {}
            Err(stale) => {
                // A wrong password keeps the same nonce (stale=false).
                let nonce = match (&creds, stale) {
                    (Some(c), false) if self.issued.contains(&c.nonce) => Some(c.nonce.clone()),
                    _ => None,
                };
                let challenge = self.challenge(nonce, stale);
                let mut resp = Response::for_request(&req, StatusCode::UNAUTHORIZED, Some("reg"));
                resp.headers.push(Header::WwwAuthenticate(challenge));
                return self.reply(from, resp);
            }
        }
        let asked = req.headers.expires().unwrap_or(3600);
        if asked > 0 {
            if let Some(min) = self.min_expires.filter(|m| asked < *m) {
                let mut resp = Response::for_request(&req, StatusCode::INTERVAL_TOO_BRIEF, Some("reg"));
                resp.headers.push(Header::MinExpires(min));
                return self.reply(from, resp);
            }
        }
        let user = req
            .headers
            .to()
            .and_then(|t| t.uri.user.clone())
            .unwrap_or_default();
        let contact = req.headers.contact().cloned();
        let mut resp = Response::for_request(&req, StatusCode::OK, Some("reg"));
        if asked == 0 {
            self.bindings.remove(&user);
        } else if let Some(mut contact) = contact {
            let granted = self.grant.unwrap_or(asked);
            if let (Some(ip), port) = (contact.uri.host.ip(), contact.uri.port) {
                self.bindings
                    .insert(user, SocketAddr::new(ip, port.unwrap_or(5060)));
            }
            contact
                .params
                .push(Param::new("expires", Some(&granted.to_string())));
            resp.headers
                .push(Header::Contact(Contact::Addresses(vec![contact])));
        }
        self.reply(from, resp)
    }

    fn forward_request(&mut self, from: SocketAddr, mut req: Request) -> Vec<(SocketAddr, Vec<u8>)> {
        let branch = req
            .headers
            .top_via()
            .and_then(|v| v.branch())
            .unwrap_or("")
            .to_owned();
        if req.method == Method::Ack && self.challenged_branches.contains(&branch) {
            // Hop-by-hop ACK of our own 407.
            return Vec::new();
        }
        if self.challenge_invites && req.method == Method::Invite {
            let creds = req.headers.proxy_authorization().cloned();
            if self.check(creds.as_ref(), &Method::Invite).is_err() {
                self.challenged_branches.insert(branch);
                let challenge = self.challenge(None, false);
                let mut resp = Response::for_request(&req, StatusCode::PROXY_AUTH_REQUIRED, Some("px"));
                resp.headers.push(Header::ProxyAuthenticate(challenge));
                return self.reply(from, resp);
            }
        }
        // Loose routing: pop a Route naming us.
        let ours = |n: &NameAddr| n.uri.host.ip() == Some(self.addr.ip());
        let mut remaining = Vec::new();
        for h in req.headers.0.drain(..) {
            match h {
                Header::Route(routes) => {
                    let rest: Vec<NameAddr> = routes.into_iter().filter(|r| !ours(r)).collect();
                    if !rest.is_empty() {
                        remaining.push(Header::Route(rest));
                    }
                }
                other => remaining.push(other),
            }
        }
        req.headers.0 = remaining;
        let target = if req.uri.host == Host::Domain(DOMAIN.to_owned()) {
            let user = req.uri.user.clone().unwrap_or_default();
            match self.bindings.get(&user) {
                Some(a) => *a,
                None => {
                    if req.method == Method::Ack {
                        return Vec::new();
                    }
                    let resp = Response::for_request(&req, StatusCode::NOT_FOUND, Some("px"));
                    return self.reply(from, resp);
                }
            }
        } else {
            match req.uri.host.ip() {
                Some(ip) => SocketAddr::new(ip, req.uri.port.unwrap_or(5060)),
                None => return Vec::new(),
            }
        };
        let mut via = Via {
            transport: Transport::Udp,
            host: Host::from_socket_addr(self.addr),
            port: Some(self.addr.port()),
            params: Vec::new(),
        };
        via.set_param("branch", Some(&format!("z9hG4bKpx{branch}")));
        req.headers.push_top_via(via);
        for h in &mut req.headers.0 {
            if let Header::MaxForwards(n) = h {
                *n = n.saturating_sub(1);
            }
        }
        if self.record_route && req.method == Method::Invite {
            let mut uri = fxs_sip::Uri::sip(None, Host::from_socket_addr(self.addr), Some(self.addr.port()));
            uri.params.push(Param::new("lr", None));
            req.headers
                .0
                .insert(0, Header::RecordRoute(vec![NameAddr::new(uri)]));
        }
        vec![(target, req.to_bytes())]
    }

    fn forward_response(&mut self, mut resp: Response) -> Vec<(SocketAddr, Vec<u8>)> {
        let Some(top) = resp.headers.remove_top_via() else {
            return Vec::new();
        };
        if top.host.ip() != Some(self.addr.ip()) {
            return Vec::new();
        }
        let Some(next) = resp.headers.top_via() else {
            return Vec::new();
        };
        let ip = next
            .received()
            .and_then(|r| r.parse().ok())
            .or_else(|| next.host.ip());
        let port = next.rport().flatten().or(next.port).unwrap_or(5060);
        match ip {
            Some(ip) => vec![(SocketAddr::new(ip, port), resp.to_bytes())],
            None => Vec::new(),
        }
    }
}
