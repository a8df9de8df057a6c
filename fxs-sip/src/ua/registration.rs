//! REGISTER client (RFC 3261 §10.2; spec/sip.md §3): initial registration
//! with digest, refresh before expiry, 423 handling, backoff after failures,
//! and unregistration.

use std::time::{Duration, Instant};

use crate::message::{CSeq, Contact, Header, Headers, Method, NameAddr, Request, Response, StatusCode, Uri};
use crate::transaction::TxId;

use super::auth::DigestSession;
use super::build;
use super::{RegistrationConfig, RegistrationId, TxOwner, UaEvent, UaTimer, UserAgent};

/// First retry delay after a failed registration (spec/sip.md §3 gives
/// PJSIP's fixed 300 s; we start lower and double up to it).
const FIRST_RETRY: Duration = Duration::from_secs(30);
/// Longest retry delay.
const MAX_RETRY: Duration = Duration::from_secs(300);
/// A retry waits a random fraction in [0.8, 1.0) of the current step, so a
/// gateway's ports (or many gateways after a power cut) do not retry in step.
const RETRY_JITTER: (f64, f64) = (0.8, 1.0);
/// A refresh goes out at a random fraction in [0.5, 0.9) of the granted
/// lifetime (spec/sip.md §3: "commonly at 50-90 % of the interval").
const REFRESH_WINDOW: (f64, f64) = (0.5, 0.9);

/// Longest wait before a refresh, whatever lifetime the registrar grants.
const MAX_REFRESH: Duration = Duration::from_secs(24 * 3600);

/// Where a registration stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RegState {
    /// A REGISTER (initial, refresh or retry) is in flight.
    Registering(TxId),
    /// Bound; the refresh timer runs.
    Registered,
    /// The last attempt failed; the retry timer runs.
    WaitingRetry,
    /// REGISTER with Expires: 0 in flight.
    Unregistering(TxId),
}

/// One registration: a binding of our Contact to an AOR.
#[derive(Debug)]
pub(crate) struct Registration {
    config: RegistrationConfig,
    /// `sip:user@domain`, in From and To.
    aor: Uri,
    /// `sip:domain`, the Request-URI (RFC 3261 §10.2).
    request_uri: Uri,
    /// `sip:user@local_addr`.
    contact: Uri,
    /// Constant for the life of the registration (RFC 3261 §10.2.4).
    call_id: String,
    from_tag: String,
    /// Incremented for every REGISTER (RFC 3261 §10.2).
    cseq: u32,
    /// Lifetime to ask for; raised by 423 Interval Too Brief.
    expires: u32,
    auth: DigestSession,
    state: RegState,
    /// Delay step of the next retry.
    backoff: Duration,
}

impl UserAgent {
    /// Register `config.user@config.domain` at `config.registrar` and keep it
    /// registered (refresh, retry after failures) until
    /// [`UserAgent::unregister`]. Results arrive as [`UaEvent::Registered`]
    /// and [`UaEvent::RegistrationFailed`].
    pub fn register(&mut self, now: Instant, config: RegistrationConfig) -> RegistrationId {
        let now = self.advance(now);
        let id = RegistrationId(self.next_registration);
        self.next_registration = self.next_registration.wrapping_add(1);
        let registration = Registration {
            aor: build::domain_uri(Some(&config.user), &config.domain),
            request_uri: build::domain_uri(None, &config.domain),
            contact: build::contact_uri(Some(&config.user), self.config.local_addr),
            call_id: self.ids.call_id(),
            from_tag: self.ids.tag(),
            cseq: 0,
            expires: config.expires,
            auth: DigestSession::default(),
            state: RegState::WaitingRetry,
            backoff: FIRST_RETRY,
            config,
        };
        self.registrations.insert(id, registration);
        self.send_register(now, id, false);
        id
    }

    /// Remove the binding: REGISTER with `Expires: 0`. [`UaEvent::Unregistered`]
    /// follows when the registrar confirms, or when the request fails or
    /// times out (so a shutdown never waits forever). Unknown ids are ignored.
    pub fn unregister(&mut self, now: Instant, id: RegistrationId) {
        let now = self.advance(now);
        let Some(registration) = self.registrations.get(&id) else {
            return;
        };
        match registration.state {
            RegState::Unregistering(_) => return,
            // A REGISTER in flight is abandoned: its response no longer
            // matters (the registrar orders the two by CSeq).
            RegState::Registering(tx) => {
                self.tx_owners.remove(&tx);
            }
            RegState::Registered | RegState::WaitingRetry => {}
        }
        self.timers.set(UaTimer::Registration(id), None);
        self.send_register(now, id, true);
    }

    /// Send the next REGISTER of registration `id` (CSeq + 1, same Call-ID),
    /// with credentials when a challenge is cached.
    fn send_register(&mut self, now: Instant, id: RegistrationId, unregister: bool) {
        let branch = self.ids.branch();
        let local = self.config.local_addr;
        let Some(reg) = self.registrations.get_mut(&id) else {
            return;
        };
        reg.cseq = reg.cseq.wrapping_add(1);
        let mut from = NameAddr::new(reg.aor.clone());
        from.set_tag(&reg.from_tag);
        let mut headers = Headers::default();
        headers.push(Header::Via(build::our_via(local, &branch)));
        headers.push(Header::MaxForwards(build::MAX_FORWARDS));
        headers.push(Header::From(from));
        headers.push(Header::To(NameAddr::new(reg.aor.clone())));
        headers.push(Header::CallId(reg.call_id.clone()));
        headers.push(Header::CSeq(CSeq {
            seq: reg.cseq,
            method: Method::Register,
        }));
        headers.push(Header::Contact(Contact::Addresses(vec![NameAddr::new(
            reg.contact.clone(),
        )])));
        headers.push(Header::Expires(if unregister { 0 } else { reg.expires }));
        headers.push(build::allow());
        headers.push(Header::UserAgent(self.config.user_agent.clone()));
        let uri = reg.request_uri.to_string();
        if let Some(credentials) = reg.auth.credentials(
            &mut self.ids,
            &reg.config.auth_user,
            &reg.config.password,
            &Method::Register,
            &uri,
        ) {
            headers.push(credentials);
        }
        let request = Request {
            method: Method::Register,
            uri: reg.request_uri.clone(),
            headers,
            body: Vec::new(),
        };
        let destination = reg.config.registrar;
        let tx = self.send_request(now, request, destination, Some(TxOwner::Register(id)));
        if let Some(reg) = self.registrations.get_mut(&id) {
            reg.state = if unregister {
                RegState::Unregistering(tx)
            } else {
                RegState::Registering(tx)
            };
        }
    }

    /// A response to REGISTER transaction `tx` of registration `id`.
    pub(super) fn on_register_response(
        &mut self,
        now: Instant,
        id: RegistrationId,
        tx: TxId,
        response: Response,
    ) {
        let Some(reg) = self.registrations.get_mut(&id) else {
            return;
        };
        let unregistering = match reg.state {
            RegState::Registering(t) if t == tx => false,
            RegState::Unregistering(t) if t == tx => true,
            _ => return,
        };
        let status = response.status;
        if status.is_provisional() {
            return;
        }
        if status.is_success() {
            reg.auth.on_success();
            if unregistering {
                self.finish_unregister(id);
                return;
            }
            let granted = granted_expires(&response, &reg.contact).unwrap_or(reg.expires);
            if granted == 0 {
                self.registration_failed(now, id, Some(status), "registrar granted no lifetime".to_owned());
                return;
            }
            reg.state = RegState::Registered;
            reg.backoff = FIRST_RETRY;
            let fraction = self.ids.fraction(REFRESH_WINDOW.0, REFRESH_WINDOW.1);
            // A lifetime of years (legal up to 2^32-1 s) is refreshed daily
            // instead, which keeps every deadline a small offset from `now`.
            let refresh = Duration::from_secs_f64(f64::from(granted) * fraction).min(MAX_REFRESH);
            self.timers.set(UaTimer::Registration(id), Some(now + refresh));
            self.events
                .push_back(UaEvent::Registered { id, expires: granted });
            return;
        }
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::PROXY_AUTH_REQUIRED {
            let outcome = reg.auth.on_challenge(
                &response,
                &reg.config.auth_user,
                &reg.config.password,
                &Method::Register,
            );
            match outcome {
                Ok(()) => self.send_register(now, id, unregistering),
                Err(reason) => self.registration_failed(now, id, Some(status), reason),
            }
            return;
        }
        if status == StatusCode::INTERVAL_TOO_BRIEF && !unregistering {
            // RFC 3261 §10.2.8: retry with at least Min-Expires.
            if let Some(min) = response.headers.min_expires() {
                if min > reg.expires {
                    reg.expires = min;
                    self.send_register(now, id, false);
                    return;
                }
            }
        }
        let reason = if response.reason.is_empty() {
            status.default_reason().to_owned()
        } else {
            response.reason
        };
        self.registration_failed(now, id, Some(status), reason);
    }

    /// REGISTER transaction `tx` of registration `id` got no final response.
    pub(super) fn on_register_timeout(&mut self, now: Instant, id: RegistrationId, tx: TxId) {
        let current = self.registrations.get(&id).is_some_and(
            |r| matches!(r.state, RegState::Registering(t) | RegState::Unregistering(t) if t == tx),
        );
        if current {
            self.registration_failed(now, id, None, "no response from registrar".to_owned());
        }
    }

    /// The refresh or retry timer of registration `id` fired.
    pub(super) fn on_registration_timer(&mut self, now: Instant, id: RegistrationId) {
        let due = self
            .registrations
            .get(&id)
            .is_some_and(|r| matches!(r.state, RegState::Registered | RegState::WaitingRetry));
        if due {
            self.send_register(now, id, false);
        }
    }

    /// Report a failure and arm the retry; an unregistration ends instead.
    fn registration_failed(
        &mut self,
        now: Instant,
        id: RegistrationId,
        status: Option<StatusCode>,
        reason: String,
    ) {
        let Some(reg) = self.registrations.get_mut(&id) else {
            return;
        };
        if matches!(reg.state, RegState::Unregistering(_)) {
            self.finish_unregister(id);
            return;
        }
        reg.state = RegState::WaitingRetry;
        let step = reg.backoff;
        reg.backoff = (step * 2).min(MAX_RETRY);
        let delay = step.mul_f64(self.ids.fraction(RETRY_JITTER.0, RETRY_JITTER.1));
        self.timers.set(UaTimer::Registration(id), Some(now + delay));
        self.events
            .push_back(UaEvent::RegistrationFailed { id, status, reason });
    }

    fn finish_unregister(&mut self, id: RegistrationId) {
        self.registrations.remove(&id);
        self.timers.set(UaTimer::Registration(id), None);
        self.events.push_back(UaEvent::Unregistered { id });
    }

    /// The settings a call placed from registration `id` needs.
    pub(super) fn registration_for_call(&self, id: RegistrationId) -> Option<CallOrigin> {
        self.registrations.get(&id).map(|r| CallOrigin {
            aor: r.aor.clone(),
            user: r.config.user.clone(),
            auth_user: r.config.auth_user.clone(),
            password: r.config.password.clone(),
            outbound: r.config.registrar,
        })
    }
}

/// What an outgoing call takes from its registration.
#[derive(Clone, Debug)]
pub(crate) struct CallOrigin {
    /// Our AOR (From).
    pub(crate) aor: Uri,
    /// Contact user.
    pub(crate) user: String,
    /// Digest user name.
    pub(crate) auth_user: String,
    /// Digest password.
    pub(crate) password: String,
    /// Outbound proxy.
    pub(crate) outbound: std::net::SocketAddr,
}

/// The lifetime a 2xx to REGISTER grants our binding (RFC 3261 §10.2.4): the
/// `expires` parameter of the Contact that is ours, else the Expires header.
fn granted_expires(response: &Response, ours: &Uri) -> Option<u32> {
    response
        .headers
        .contacts()
        .filter(|c| same_binding(&c.uri, ours))
        .find_map(|c| c.param("expires").flatten()?.trim().parse::<u32>().ok())
        .or_else(|| response.headers.expires())
}

/// Same user, host and port (RFC 3261 §10.3 compares Contact URIs; the
/// registrar may add parameters).
fn same_binding(a: &Uri, b: &Uri) -> bool {
    a.user == b.user && a.host == b.host && a.port.unwrap_or(5060) == b.port.unwrap_or(5060)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{Message, Response};

    fn ok(contact_lines: &str) -> Response {
        let text = format!(
            "SIP/2.0 200 OK\r\n\
             Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n\
             From: <sip:1001@pbx.test>;tag=a\r\nTo: <sip:1001@pbx.test>;tag=b\r\n\
             Call-ID: x@10.0.0.1\r\nCSeq: 2 REGISTER\r\n{contact_lines}Content-Length: 0\r\n\r\n"
        );
        match Message::parse(text.as_bytes()) {
            Ok(Message::Response(r)) => r,
            other => panic!("{other:?}"),
        }
    }

    fn ours() -> Uri {
        Uri::parse("sip:1001@10.0.0.1:5060").unwrap()
    }

    #[test]
    fn our_contacts_expires_param_wins_over_others_and_the_expires_header() {
        let r = ok(
            "Contact: <sip:1001@10.0.0.9:5060>;expires=30, <sip:1001@10.0.0.1:5060;transport=udp>;expires=120\r\nExpires: 600\r\n",
        );
        assert_eq!(granted_expires(&r, &ours()), Some(120));
    }

    #[test]
    fn the_expires_header_is_used_when_our_contact_has_no_param() {
        let r = ok("Contact: <sip:1001@10.0.0.1:5060>\r\nExpires: 600\r\n");
        assert_eq!(granted_expires(&r, &ours()), Some(600));
        let r = ok("");
        assert_eq!(granted_expires(&r, &ours()), None);
    }
}
