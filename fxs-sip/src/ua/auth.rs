//! Answering digest challenges (RFC 3261 §22.2, §22.3; RFC 2617; RFC 7616;
//! spec/sip.md §6) without looping on a wrong password.

use crate::digest;
use crate::message::{Challenge, Header, Method, Response, StatusCode};

use super::ids::IdGen;

/// How many challenges are answered in a row, without a success in between,
/// before giving up even when every one carries a fresh nonce.
const MAX_ROUNDS: u32 = 3;

/// The challenge in use and its nonce count.
#[derive(Clone, Debug)]
struct Cached {
    challenge: Challenge,
    /// Answer in Proxy-Authorization (407) rather than Authorization (401).
    proxy: bool,
    /// Last nonce count used with this nonce (RFC 2617 §3.2.2: `nc`).
    nc: u32,
}

/// Digest state of one request sequence (a registration or a call).
#[derive(Clone, Debug, Default)]
pub(crate) struct DigestSession {
    cached: Option<Cached>,
    /// Nonce of the credentials carried by the request in flight.
    sent_nonce: Option<String>,
    rounds: u32,
}

impl DigestSession {
    /// A 401 or 407 answered our request. Pick the first challenge we can
    /// answer (spec/sip.md §6: the server lists its preferred one first) and
    /// decide whether to retry. `Err` carries the reason to report: no usable
    /// challenge, or the same nonce challenged again without `stale=true`
    /// (the password is wrong), or too many challenges in a row.
    pub(crate) fn on_challenge(
        &mut self,
        response: &Response,
        username: &str,
        password: &str,
        method: &Method,
    ) -> Result<(), String> {
        let proxy = response.status == StatusCode::PROXY_AUTH_REQUIRED;
        let usable = |c: &&Challenge| {
            digest::authorize(c, username, password, method, "sip:probe", 1, "probe").is_ok()
        };
        let chosen = if proxy {
            response.headers.proxy_authenticate().find(usable)
        } else {
            response.headers.www_authenticate().find(usable)
        };
        let Some(challenge) = chosen.cloned() else {
            self.reset();
            return Err("no usable digest challenge".to_owned());
        };
        if self.sent_nonce.as_deref() == Some(challenge.nonce.as_str()) && !challenge.stale {
            self.reset();
            return Err("credentials rejected".to_owned());
        }
        self.rounds += 1;
        if self.rounds > MAX_ROUNDS {
            self.reset();
            return Err("too many authentication challenges".to_owned());
        }
        let nc = match &self.cached {
            Some(c) if c.challenge.nonce == challenge.nonce && c.proxy == proxy => c.nc,
            _ => 0,
        };
        self.cached = Some(Cached { challenge, proxy, nc });
        Ok(())
    }

    /// Credentials for the next request to `uri`, from the cached challenge
    /// (also used pre-emptively on refreshes, with the nonce count + 1).
    pub(crate) fn credentials(
        &mut self,
        ids: &mut IdGen,
        username: &str,
        password: &str,
        method: &Method,
        uri: &str,
    ) -> Option<Header> {
        self.sent_nonce = None;
        let cached = self.cached.as_mut()?;
        cached.nc = cached.nc.wrapping_add(1);
        let cnonce = ids.cnonce();
        let credentials = digest::authorize(
            &cached.challenge,
            username,
            password,
            method,
            uri,
            cached.nc,
            &cnonce,
        )
        .ok()?;
        self.sent_nonce = Some(cached.challenge.nonce.clone());
        Some(if cached.proxy {
            Header::ProxyAuthorization(credentials)
        } else {
            Header::Authorization(credentials)
        })
    }

    /// The request sequence succeeded: the next challenge starts a new count.
    pub(crate) fn on_success(&mut self) {
        self.rounds = 0;
    }

    /// Forget everything (after a failure).
    pub(crate) fn reset(&mut self) {
        *self = DigestSession::default();
    }
}
