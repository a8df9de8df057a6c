//! Server transactions over UDP (RFC 3261 §17.2, RFC 6026 §8.5-8.7).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::TimerConfig;
use super::timer::{SipTimer, TimerTable};
use crate::message::{Request, Response, StatusCode};
use crate::ua::Transmit;

/// State of a server transaction. INVITE transactions use Proceeding,
/// Accepted, Completed, Confirmed; non-INVITE ones Trying, Proceeding,
/// Completed (RFC 3261 figures 7 and 8, RFC 6026 figure 7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ServerState {
    /// Non-INVITE request received, the TU has not answered yet.
    Trying,
    /// A provisional response was sent (for INVITE: 100 Trying at once).
    Proceeding,
    /// INVITE answered with a 2xx; retransmitted INVITEs are absorbed until
    /// Timer L (the TU itself retransmits the 2xx).
    Accepted,
    /// A final response was sent: INVITE non-2xx (Timers G, H) or
    /// non-INVITE (Timer J).
    Completed,
    /// INVITE: the ACK for the non-2xx arrived; Timer I absorbs its copies.
    Confirmed,
    /// Done; the layer removes the transaction.
    Terminated,
}

/// What a retransmitted or follow-up request means for the transaction.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ServerOutcome {
    /// Absorbed (possibly answered with the last response).
    Absorbed,
    /// An ACK the TU must see (RFC 6026 §8.6: ACK in the Accepted state).
    AckToTu,
}

/// One server transaction.
#[derive(Debug)]
pub(crate) struct ServerTransaction {
    pub(crate) state: ServerState,
    invite: bool,
    /// Where responses go (RFC 3261 §18.2.2, RFC 3581 §4).
    pub(crate) destination: SocketAddr,
    last_response: Option<Vec<u8>>,
    /// Status of the last response sent.
    pub(crate) last_status: Option<StatusCode>,
    interval: Duration,
    pub(crate) timers: TimerTable,
}

impl ServerTransaction {
    /// A new server transaction for `request`. An INVITE transaction answers
    /// 100 Trying at once (RFC 3261 §17.2.1: the TU cannot be relied upon to
    /// answer within 200 ms, the application may be ringing a phone).
    pub(crate) fn start(
        request: &Request,
        destination: SocketAddr,
        cfg: &TimerConfig,
        out: &mut VecDeque<Transmit>,
    ) -> ServerTransaction {
        let invite = request.method == crate::message::Method::Invite;
        let mut tx = ServerTransaction {
            state: ServerState::Trying,
            invite,
            destination,
            last_response: None,
            last_status: None,
            interval: cfg.t1,
            timers: TimerTable::default(),
        };
        if invite {
            let trying = Response::for_request(request, StatusCode::TRYING, None);
            tx.send(trying.to_bytes(), StatusCode::TRYING, out);
            tx.state = ServerState::Proceeding;
        }
        tx
    }

    fn send(&mut self, wire: Vec<u8>, status: StatusCode, out: &mut VecDeque<Transmit>) {
        out.push_back(Transmit {
            destination: self.destination,
            payload: wire.clone(),
        });
        self.last_response = Some(wire);
        self.last_status = Some(status);
    }

    fn resend_last(&self, out: &mut VecDeque<Transmit>) {
        if let Some(wire) = &self.last_response {
            out.push_back(Transmit {
                destination: self.destination,
                payload: wire.clone(),
            });
        }
    }

    /// True while the TU may still send a response.
    pub(crate) fn accepts_response(&self) -> bool {
        matches!(
            self.state,
            ServerState::Trying | ServerState::Proceeding | ServerState::Accepted
        )
    }

    /// The TU sends `response` (already serialized as `wire`). Returns false
    /// when the transaction no longer takes responses (a final one went out).
    pub(crate) fn respond(
        &mut self,
        now: Instant,
        response: &Response,
        wire: Vec<u8>,
        cfg: &TimerConfig,
        out: &mut VecDeque<Transmit>,
    ) -> bool {
        let status = response.status;
        match self.state {
            ServerState::Trying | ServerState::Proceeding => {
                self.send(wire, status, out);
                if status.is_provisional() {
                    self.state = ServerState::Proceeding;
                } else if !self.invite {
                    self.timers.set(SipTimer::J, now + cfg.t1 * 64);
                    self.state = ServerState::Completed;
                } else if status.is_success() {
                    self.timers.set(SipTimer::L, now + cfg.t1 * 64);
                    self.state = ServerState::Accepted;
                } else {
                    self.interval = cfg.t1;
                    self.timers.set(SipTimer::G, now + cfg.t1);
                    self.timers.set(SipTimer::H, now + cfg.t1 * 64);
                    self.state = ServerState::Completed;
                }
                true
            }
            // RFC 6026 §8.7: 2xx retransmissions from the TU pass through.
            ServerState::Accepted if status.is_success() => {
                self.send(wire, status, out);
                true
            }
            _ => false,
        }
    }

    /// A request matched this transaction: a retransmission of the original
    /// request, or the ACK of an INVITE (RFC 3261 §17.2.1, §17.2.2).
    pub(crate) fn on_request(
        &mut self,
        now: Instant,
        is_ack: bool,
        cfg: &TimerConfig,
        out: &mut VecDeque<Transmit>,
    ) -> ServerOutcome {
        if is_ack {
            return match self.state {
                ServerState::Completed if self.invite => {
                    self.timers.stop(SipTimer::G);
                    self.timers.stop(SipTimer::H);
                    self.timers.set(SipTimer::I, now + cfg.t4);
                    self.state = ServerState::Confirmed;
                    ServerOutcome::Absorbed
                }
                ServerState::Accepted => ServerOutcome::AckToTu,
                _ => ServerOutcome::Absorbed,
            };
        }
        match self.state {
            ServerState::Proceeding | ServerState::Completed => self.resend_last(out),
            // Trying: nothing to resend yet; Accepted: the TU retransmits the
            // 2xx itself (RFC 6026 §8.7); Confirmed: absorb.
            _ => {}
        }
        ServerOutcome::Absorbed
    }

    /// Fire every timer due at `now`. Timer H (the ACK for a non-2xx final
    /// response never came) just ends the transaction: the call it answered
    /// has already ended.
    pub(crate) fn handle_timeout(&mut self, now: Instant, cfg: &TimerConfig, out: &mut VecDeque<Transmit>) {
        while let Some(timer) = self.timers.take_expired(now) {
            match timer {
                SipTimer::G if self.state == ServerState::Completed => {
                    self.resend_last(out);
                    self.interval = (self.interval * 2).min(cfg.t2);
                    self.timers.set(SipTimer::G, now + self.interval);
                }
                SipTimer::H | SipTimer::I | SipTimer::J | SipTimer::L => {
                    self.timers.stop_all();
                    self.state = ServerState::Terminated;
                }
                _ => {}
            }
        }
    }
}
