//! Client transactions over UDP (RFC 3261 §17.1, RFC 6026 §8.4).

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::TimerConfig;
use super::timer::{SipTimer, TimerTable};
use crate::message::{CSeq, Header, Headers, Method, NameAddr, Request, Response};
use crate::ua::Transmit;

/// State of a client transaction. INVITE transactions use Calling,
/// Proceeding, Accepted, Completed; non-INVITE ones Trying, Proceeding,
/// Completed (RFC 3261 figures 5 and 6, RFC 6026 figure 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ClientState {
    /// INVITE sent, nothing heard; Timers A and B run.
    Calling,
    /// Non-INVITE request sent, nothing heard; Timers E and F run.
    Trying,
    /// A provisional response arrived.
    Proceeding,
    /// INVITE got a 2xx; 2xx retransmissions go to the TU until Timer M.
    Accepted,
    /// A final response arrived; retransmissions of it are absorbed
    /// (Timer D for INVITE, which also re-sends the ACK; Timer K otherwise).
    Completed,
    /// Done; the layer removes the transaction.
    Terminated,
}

/// What the transaction tells the TU after an input.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ClientOutcome {
    /// Nothing for the TU.
    Nothing,
    /// Pass the response to the TU.
    Deliver,
    /// Timer B or F fired: no final response (RFC 3261 §17.1.1.2, §17.1.2.2).
    Timeout,
}

/// One client transaction.
#[derive(Debug)]
pub(crate) struct ClientTransaction {
    pub(crate) state: ClientState,
    /// The request as sent (kept to build the ACK for a non-2xx and CANCEL).
    pub(crate) request: Request,
    /// Where the request goes.
    pub(crate) destination: SocketAddr,
    wire: Vec<u8>,
    interval: Duration,
    /// The ACK for a non-2xx final response, re-sent on its retransmissions.
    ack: Option<Vec<u8>>,
    pub(crate) timers: TimerTable,
}

impl ClientTransaction {
    /// Send `request` and arm the first timers. ACK never creates a client
    /// transaction (RFC 3261 §17.1); the layer does not call this for it.
    pub(crate) fn start(
        now: Instant,
        request: Request,
        destination: SocketAddr,
        cfg: &TimerConfig,
        out: &mut VecDeque<Transmit>,
    ) -> ClientTransaction {
        let wire = request.to_bytes();
        out.push_back(Transmit {
            destination,
            payload: wire.clone(),
        });
        let mut timers = TimerTable::default();
        let state = if request.method == Method::Invite {
            timers.set(SipTimer::A, now + cfg.t1);
            timers.set(SipTimer::B, now + cfg.t1 * 64);
            ClientState::Calling
        } else {
            timers.set(SipTimer::E, now + cfg.t1);
            timers.set(SipTimer::F, now + cfg.t1 * 64);
            ClientState::Trying
        };
        ClientTransaction {
            state,
            request,
            destination,
            wire,
            interval: cfg.t1,
            ack: None,
            timers,
        }
    }

    fn is_invite(&self) -> bool {
        self.request.method == Method::Invite
    }

    /// A response matched this transaction (RFC 3261 §17.1.3).
    pub(crate) fn on_response(
        &mut self,
        now: Instant,
        response: &Response,
        cfg: &TimerConfig,
        out: &mut VecDeque<Transmit>,
    ) -> ClientOutcome {
        let status = response.status;
        if self.is_invite() {
            match self.state {
                ClientState::Calling | ClientState::Proceeding => {
                    if status.is_provisional() {
                        // §17.1.1.2: no more retransmissions once something
                        // was heard; Timer B only guards the Calling state.
                        self.timers.stop(SipTimer::A);
                        self.timers.stop(SipTimer::B);
                        self.state = ClientState::Proceeding;
                    } else if status.is_success() {
                        // RFC 6026 §8.4: Accepted, Timer M.
                        self.timers.stop_all();
                        self.timers.set(SipTimer::M, now + cfg.t1 * 64);
                        self.state = ClientState::Accepted;
                    } else {
                        self.timers.stop_all();
                        let ack = build_ack_for_failure(&self.request, response).to_bytes();
                        out.push_back(Transmit {
                            destination: self.destination,
                            payload: ack.clone(),
                        });
                        self.ack = Some(ack);
                        self.timers.set(SipTimer::D, now + cfg.timer_d);
                        self.state = ClientState::Completed;
                    }
                    ClientOutcome::Deliver
                }
                // RFC 6026 §8.4: 2xx retransmissions (and forked 2xx) go up.
                ClientState::Accepted if status.is_success() => ClientOutcome::Deliver,
                ClientState::Completed if status.is_failure() => {
                    if let Some(ack) = &self.ack {
                        out.push_back(Transmit {
                            destination: self.destination,
                            payload: ack.clone(),
                        });
                    }
                    ClientOutcome::Nothing
                }
                _ => ClientOutcome::Nothing,
            }
        } else {
            match self.state {
                ClientState::Trying | ClientState::Proceeding => {
                    if status.is_provisional() {
                        self.state = ClientState::Proceeding;
                    } else {
                        self.timers.stop_all();
                        self.timers.set(SipTimer::K, now + cfg.t4);
                        self.state = ClientState::Completed;
                    }
                    ClientOutcome::Deliver
                }
                _ => ClientOutcome::Nothing,
            }
        }
    }

    /// Fire every timer due at `now`.
    pub(crate) fn handle_timeout(
        &mut self,
        now: Instant,
        cfg: &TimerConfig,
        out: &mut VecDeque<Transmit>,
    ) -> ClientOutcome {
        let mut outcome = ClientOutcome::Nothing;
        while let Some(timer) = self.timers.take_expired(now) {
            match timer {
                SipTimer::A if self.state == ClientState::Calling => {
                    self.retransmit(out);
                    self.interval *= 2;
                    self.timers.set(SipTimer::A, now + self.interval);
                }
                SipTimer::E if matches!(self.state, ClientState::Trying | ClientState::Proceeding) => {
                    self.retransmit(out);
                    self.interval = if self.state == ClientState::Proceeding {
                        cfg.t2
                    } else {
                        (self.interval * 2).min(cfg.t2)
                    };
                    self.timers.set(SipTimer::E, now + self.interval);
                }
                SipTimer::B | SipTimer::F => {
                    self.timers.stop_all();
                    self.state = ClientState::Terminated;
                    outcome = ClientOutcome::Timeout;
                }
                SipTimer::D | SipTimer::K | SipTimer::M => {
                    self.timers.stop_all();
                    self.state = ClientState::Terminated;
                }
                _ => {}
            }
        }
        outcome
    }

    fn retransmit(&self, out: &mut VecDeque<Transmit>) {
        out.push_back(Transmit {
            destination: self.destination,
            payload: self.wire.clone(),
        });
    }
}

/// The ACK a client transaction sends for a non-2xx final response to its
/// INVITE (RFC 3261 §17.1.1.3): To from the response (with its tag),
/// everything else as [`hop_by_hop_for_invite`] copies it.
pub(crate) fn build_ack_for_failure(invite: &Request, response: &Response) -> Request {
    hop_by_hop_for_invite(
        invite,
        Method::Ack,
        response.headers.to().or_else(|| invite.headers.to()),
    )
}

/// The CANCEL for `invite` (RFC 3261 §9.1).
pub(crate) fn build_cancel(invite: &Request) -> Request {
    hop_by_hop_for_invite(invite, Method::Cancel, invite.headers.to())
}

/// A request that travels the INVITE's hop (the non-2xx ACK and CANCEL):
/// same Request-URI, Call-ID, From and CSeq number as the INVITE, only the
/// INVITE's top Via (same branch) and its Route headers, and `to`.
fn hop_by_hop_for_invite(invite: &Request, method: Method, to: Option<&NameAddr>) -> Request {
    let mut headers = Headers::default();
    if let Some(via) = invite.headers.top_via() {
        headers.push(Header::Via(via.clone()));
    }
    headers.push(Header::MaxForwards(70));
    for h in invite.headers.iter() {
        if let Header::Route(r) = h {
            headers.push(Header::Route(r.clone()));
        }
    }
    if let Some(from) = invite.headers.from() {
        headers.push(Header::From(from.clone()));
    }
    if let Some(to) = to {
        headers.push(Header::To(to.clone()));
    }
    if let Some(call_id) = invite.headers.call_id() {
        headers.push(Header::CallId(call_id.to_owned()));
    }
    headers.push(Header::CSeq(CSeq {
        seq: invite.headers.cseq().map(|c| c.seq).unwrap_or(0),
        method: method.clone(),
    }));
    Request {
        method,
        uri: invite.uri.clone(),
        headers,
        body: Vec::new(),
    }
}
