//! A small SIP registrar and stateless proxy with digest authentication.
//!
//! **A test peer, not a product.** It exists so that `sim-gateway` can run a
//! complete call on one machine: the gateway's ports register to it (MD5
//! digest, `qop=auth`), and it forwards calls between registered users. It
//! keeps no transaction state (RFC 3261 §16.11 stateless proxy), never adds
//! Record-Route (so in-dialog requests go end to end), and challenges every
//! REGISTER and every out-of-dialog INVITE, as a typical PBX does.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use fxs_sip::digest;
use fxs_sip::{
    Challenge, Contact, DigestAlgorithm, Header, Host, Message, Method, NameAddr, Param, Request, Response,
    StatusCode, Transport, Uri, Via,
};
use md5::{Digest, Md5};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// The shortest registration the registrar accepts (answered with 423 below).
pub const MIN_EXPIRES: u32 = 60;
/// Nonces remembered at most (oldest forgotten first).
const NONCE_MEMORY: usize = 256;

/// One account of the registrar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// The user part of the address of record (the extension).
    pub user: String,
    /// Digest user name.
    pub auth_user: String,
    /// Digest password.
    pub password: String,
}

#[derive(Clone, Debug)]
struct Binding {
    contact: Uri,
    source: SocketAddr,
    expires_at: Instant,
}

/// What the registrar did, for logs and tests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegistrarEvent {
    /// A user registered (or refreshed) its contact.
    Registered {
        /// The user.
        user: String,
        /// Granted interval in seconds.
        expires: u32,
    },
    /// A user removed its binding.
    Unregistered {
        /// The user.
        user: String,
    },
    /// A request was challenged (401 or 407).
    Challenged {
        /// The request's method.
        method: String,
    },
    /// A request was forwarded to a registered user.
    Forwarded {
        /// The request's method.
        method: String,
        /// The target user.
        user: String,
    },
    /// A request was refused with this status.
    Refused {
        /// The request's method.
        method: String,
        /// The status sent.
        status: u16,
    },
}

/// Counters of the registrar's work.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegistrarStats {
    /// Successful REGISTERs (with a non-zero interval).
    pub registrations: u64,
    /// 401/407 challenges sent.
    pub challenges: u64,
    /// Requests forwarded.
    pub forwarded_requests: u64,
    /// Responses forwarded.
    pub forwarded_responses: u64,
    /// Requests refused with an error status (not counting challenges).
    pub refused: u64,
}

/// The registrar/proxy. Sans-IO: datagrams in, datagrams out.
pub struct TestRegistrar {
    addr: SocketAddr,
    realm: String,
    accounts: Vec<Account>,
    bindings: HashMap<String, Binding>,
    nonces: VecDeque<String>,
    /// To-tags of the final responses we generated ourselves: the ACK of such
    /// a response ends at us (RFC 3261 §17.2.1) and is not forwarded.
    own_tags: VecDeque<String>,
    rng: SmallRng,
    out: VecDeque<(SocketAddr, Vec<u8>)>,
    events: VecDeque<RegistrarEvent>,
    stats: RegistrarStats,
}

impl TestRegistrar {
    /// A registrar listening on `addr` with realm `realm`.
    pub fn new(addr: SocketAddr, realm: &str, accounts: Vec<Account>, rng_seed: u64) -> TestRegistrar {
        TestRegistrar {
            addr,
            realm: realm.to_owned(),
            accounts,
            bindings: HashMap::new(),
            nonces: VecDeque::new(),
            own_tags: VecDeque::new(),
            rng: SmallRng::seed_from_u64(rng_seed),
            out: VecDeque::new(),
            events: VecDeque::new(),
            stats: RegistrarStats::default(),
        }
    }

    /// The registrar's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Counters.
    pub fn stats(&self) -> RegistrarStats {
        self.stats
    }

    /// Whether `user` currently has a binding.
    pub fn is_registered(&self, user: &str, now: Instant) -> bool {
        self.bindings.get(user).is_some_and(|b| b.expires_at > now)
    }

    /// Next datagram to send: (destination, payload).
    pub fn poll_transmit(&mut self) -> Option<(SocketAddr, Vec<u8>)> {
        self.out.pop_front()
    }

    /// Next thing the registrar did.
    pub fn poll_event(&mut self) -> Option<RegistrarEvent> {
        self.events.pop_front()
    }

    /// A datagram arrived from `from`.
    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, data: &[u8]) {
        match Message::parse(data) {
            Ok(Message::Request(req)) => self.handle_request(now, from, req),
            Ok(Message::Response(resp)) => self.forward_response(resp),
            Err(err) => self.answer_malformed(from, data, &err),
        }
    }

    fn send(&mut self, to: SocketAddr, msg: Vec<u8>) {
        self.out.push_back((to, msg));
    }

    /// Send a response back along the request's top Via (RFC 3261 §18.2.2,
    /// with rport/received per RFC 3581).
    fn respond(&mut self, from: SocketAddr, req: &Request, resp: Response) {
        let to = req
            .headers
            .top_via()
            .map(|v| response_target(v, from))
            .unwrap_or(from);
        if !resp.status.is_success() && resp.status.0 >= 300 && !matches!(resp.status.0, 401 | 407) {
            self.stats.refused += 1;
            self.events.push_back(RegistrarEvent::Refused {
                method: req.method.as_str().to_owned(),
                status: resp.status.0,
            });
        }
        self.send(to, resp.to_bytes());
    }

    fn answer_malformed(&mut self, from: SocketAddr, data: &[u8], err: &fxs_sip::Error) {
        // A request we cannot parse still gets a 400 if enough of it is
        // readable to address a response; a broken response is dropped.
        if data.starts_with(b"SIP/") {
            return;
        }
        let (status, reason) = err.response_status();
        let text = format!("SIP/2.0 {} {}\r\nContent-Length: 0\r\n\r\n", status.0, reason);
        self.stats.refused += 1;
        self.send(from, text.into_bytes());
    }

    fn handle_request(&mut self, now: Instant, from: SocketAddr, mut req: Request) {
        if let Some(via) = req.headers.top_via_mut() {
            // Remember where the request really came from (RFC 3581).
            via.set_param("received", Some(&from.ip().to_string()));
            if via.rport().is_some() {
                via.set_param("rport", Some(&from.port().to_string()));
            }
        }
        match req.method {
            Method::Register => self.register(now, from, &req),
            Method::Options if req.uri.user.is_none() => {
                let resp = Response::for_request(&req, StatusCode::OK, Some(&self.fresh_tag()));
                self.respond(from, &req, resp);
            }
            Method::Invite if req.headers.to().is_some_and(|t| t.tag().is_none()) => {
                if self.authenticated(&req, true).is_some() {
                    self.forward_request(now, from, req);
                } else {
                    self.challenge(from, &req, true);
                }
            }
            // ACK, CANCEL and in-dialog requests are forwarded without a challenge.
            _ => self.forward_request(now, from, req),
        }
    }

    fn fresh_tag(&mut self) -> String {
        let tag = format!("{:08x}", self.rng.r#gen::<u32>());
        if self.own_tags.len() == NONCE_MEMORY {
            self.own_tags.pop_front();
        }
        self.own_tags.push_back(tag.clone());
        tag
    }

    fn new_nonce(&mut self) -> String {
        let nonce = format!("{:016x}{:016x}", self.rng.r#gen::<u64>(), self.rng.r#gen::<u64>());
        if self.nonces.len() == NONCE_MEMORY {
            self.nonces.pop_front();
        }
        self.nonces.push_back(nonce.clone());
        nonce
    }

    fn challenge(&mut self, from: SocketAddr, req: &Request, proxy: bool) {
        let challenge = Challenge {
            realm: self.realm.clone(),
            nonce: self.new_nonce(),
            opaque: None,
            algorithm: Some(DigestAlgorithm::Md5),
            qop: vec!["auth".to_owned()],
            stale: false,
            domain: None,
            other: Vec::new(),
        };
        let (status, header) = if proxy {
            (
                StatusCode::PROXY_AUTH_REQUIRED,
                Header::ProxyAuthenticate(challenge),
            )
        } else {
            (StatusCode::UNAUTHORIZED, Header::WwwAuthenticate(challenge))
        };
        let tag = self.fresh_tag();
        let mut resp = Response::for_request(req, status, Some(&tag));
        resp.headers.push(header);
        self.stats.challenges += 1;
        self.events.push_back(RegistrarEvent::Challenged {
            method: req.method.as_str().to_owned(),
        });
        self.respond(from, req, resp);
    }

    /// The account whose valid credentials the request carries.
    fn authenticated(&self, req: &Request, proxy: bool) -> Option<&Account> {
        let creds = if proxy {
            req.headers.proxy_authorization()
        } else {
            req.headers.authorization()
        }?;
        if creds.realm != self.realm || !self.nonces.iter().any(|n| *n == creds.nonce) {
            return None;
        }
        let account = self.accounts.iter().find(|a| a.auth_user == creds.username)?;
        digest::verify(creds, &account.password, &req.method).then_some(account)
    }

    fn register(&mut self, now: Instant, from: SocketAddr, req: &Request) {
        let Some(user) = req.headers.to().and_then(|t| t.uri.user.clone()) else {
            let resp = Response::for_request(req, StatusCode::BAD_REQUEST, None);
            return self.respond(from, req, resp);
        };
        let Some(account) = self.authenticated(req, false).cloned() else {
            return self.challenge(from, req, false);
        };
        if account.user != user {
            let resp = Response::for_request(req, StatusCode::FORBIDDEN, Some(&self.fresh_tag()));
            return self.respond(from, req, resp);
        }
        let contact = req.headers.contact().cloned();
        let expires = contact
            .as_ref()
            .and_then(|c| c.param("expires").flatten())
            .and_then(|v| v.parse::<u32>().ok())
            .or_else(|| req.headers.expires())
            .unwrap_or(3600);
        let tag = self.fresh_tag();
        if expires == 0 {
            self.bindings.remove(&user);
            self.events.push_back(RegistrarEvent::Unregistered { user });
            let resp = Response::for_request(req, StatusCode::OK, Some(&tag));
            return self.respond(from, req, resp);
        }
        if expires < MIN_EXPIRES {
            let mut resp = Response::for_request(req, StatusCode::INTERVAL_TOO_BRIEF, Some(&tag));
            resp.headers.push(Header::MinExpires(MIN_EXPIRES));
            return self.respond(from, req, resp);
        }
        let Some(mut contact) = contact else {
            // A query: RFC 3261 §10.3 step 8 answers with the current bindings.
            let mut resp = Response::for_request(req, StatusCode::OK, Some(&tag));
            if let Some(b) = self.bindings.get(&user) {
                resp.headers
                    .push(Header::Contact(Contact::Addresses(vec![NameAddr {
                        display_name: None,
                        uri: b.contact.clone(),
                        params: Vec::new(),
                    }])));
            }
            return self.respond(from, req, resp);
        };
        let expires = expires.min(3600);
        self.bindings.insert(
            user.clone(),
            Binding {
                contact: contact.uri.clone(),
                source: from,
                expires_at: now + Duration::from_secs(u64::from(expires)),
            },
        );
        self.stats.registrations += 1;
        self.events
            .push_back(RegistrarEvent::Registered { user, expires });
        contact.params.retain(|p| !p.name.eq_ignore_ascii_case("expires"));
        contact.params.push(Param {
            name: "expires".to_owned(),
            value: Some(expires.to_string()),
        });
        let mut resp = Response::for_request(req, StatusCode::OK, Some(&tag));
        resp.headers
            .push(Header::Contact(Contact::Addresses(vec![contact])));
        resp.headers.push(Header::Expires(expires));
        self.respond(from, req, resp);
    }

    fn forward_request(&mut self, now: Instant, from: SocketAddr, mut req: Request) {
        if req.method == Method::Ack {
            let to_tag = req.headers.to().and_then(|t| t.tag());
            if req.uri.user.is_none() || to_tag.is_some_and(|t| self.own_tags.iter().any(|o| o == t)) {
                return; // the ACK of a response we generated: it ends here
            }
        }
        let user = req.uri.user.clone().unwrap_or_default();
        let binding = match self.bindings.get(&user) {
            Some(b) if b.expires_at > now => b.clone(),
            _ => {
                if req.method == Method::Ack {
                    return;
                }
                let known = self.accounts.iter().any(|a| a.user == user);
                let status = if known {
                    StatusCode::TEMPORARILY_UNAVAILABLE
                } else {
                    StatusCode::NOT_FOUND
                };
                let resp = Response::for_request(&req, status, Some(&self.fresh_tag()));
                return self.respond(from, &req, resp);
            }
        };
        let max_forwards = req.headers.max_forwards().unwrap_or(70);
        if max_forwards == 0 {
            let resp = Response::for_request(&req, StatusCode(483), Some(&self.fresh_tag()));
            return self.respond(from, &req, resp);
        }
        req.headers.remove_all("Max-Forwards");
        req.headers.push(Header::MaxForwards(max_forwards - 1));
        // Our credentials are for us only (RFC 3261 §22.3).
        req.headers.remove_all("Proxy-Authorization");
        // Stateless: the branch is a function of the incoming one, so the
        // CANCEL and the non-2xx ACK of an INVITE get the INVITE's branch.
        let incoming = req
            .headers
            .top_via()
            .and_then(|v| v.branch())
            .unwrap_or_default()
            .to_owned();
        let branch = format!(
            "z9hG4bK{}",
            hex(&Md5::digest(format!("{}|{incoming}", self.addr).as_bytes())[..8])
        );
        req.headers.push_top_via(Via {
            transport: Transport::Udp,
            host: Host::from_socket_addr(self.addr),
            port: Some(self.addr.port()),
            params: vec![Param {
                name: "branch".to_owned(),
                value: Some(branch),
            }],
        });
        if req.headers.to().is_some_and(|t| t.tag().is_none()) {
            req.uri = binding.contact.clone();
        }
        self.stats.forwarded_requests += 1;
        self.events.push_back(RegistrarEvent::Forwarded {
            method: req.method.as_str().to_owned(),
            user,
        });
        self.send(binding.source, req.to_bytes());
    }

    fn forward_response(&mut self, mut resp: Response) {
        let ours = resp
            .headers
            .top_via()
            .is_some_and(|v| v.host == Host::from_socket_addr(self.addr) && v.port == Some(self.addr.port()));
        if !ours {
            return; // not for us: drop (RFC 3261 §16.7 step 1)
        }
        resp.headers.remove_top_via();
        let Some(next) = resp.headers.top_via() else {
            return;
        };
        let Some(to) = via_target(next) else { return };
        self.stats.forwarded_responses += 1;
        self.send(to, resp.to_bytes());
    }
}

/// Where a response to a request with this Via goes (RFC 3261 §18.2.2, RFC 3581).
fn response_target(via: &Via, from: SocketAddr) -> SocketAddr {
    let port = match via.rport() {
        Some(Some(p)) => p,
        Some(None) => from.port(),
        None => via.port.unwrap_or(5060),
    };
    let ip = via.received().and_then(|r| r.parse().ok()).unwrap_or(from.ip());
    SocketAddr::new(ip, port)
}

/// Where to send a response whose next Via is `via` (no source address known).
fn via_target(via: &Via) -> Option<SocketAddr> {
    let ip = match via.received().and_then(|r| r.parse().ok()) {
        Some(ip) => ip,
        None => match &via.host {
            Host::Ipv4(a) => (*a).into(),
            Host::Ipv6(a) => (*a).into(),
            Host::Domain(_) => return None, // the test registrar does no DNS
        },
    };
    let port = match via.rport() {
        Some(Some(p)) => p,
        _ => via.port.unwrap_or(5060),
    };
    Some(SocketAddr::new(ip, port))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
