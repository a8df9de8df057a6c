//! Calls: the INVITE dialog usage from both sides (RFC 3261 §12-15).
//!
//! An outgoing call goes Inviting → (Cancelling) → Confirmed → Terminating;
//! an incoming one Offered → AwaitingAck → Confirmed → Terminating. Each
//! state carries only what it needs; every transition ends in exactly one
//! [`UaEvent::Ended`].

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use crate::message::{CSeq, Contact, Header, Headers, Method, NameAddr, Request, Response, StatusCode, Uri};
use crate::sdp::SessionDescription;
use crate::transaction::TxId;

use super::auth::DigestSession;
use super::build;
use super::registration::CallOrigin;
use super::{CallId, EndReason, RegistrationId, TxOwner, UaEvent, UaTimer, UserAgent};

/// Timers a call runs itself (the transactions run theirs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum CallTimer {
    /// UAS: retransmit our 2xx, T1 doubling to T2 (RFC 3261 §13.3.1.4).
    Retransmit2xx,
    /// UAS: no ACK 64·T1 after our 2xx: BYE (RFC 3261 §13.3.1.4).
    AckTimeout,
    /// UAC: no final response 64·T1 after our CANCEL: give up on the INVITE
    /// (RFC 3261 §9.1).
    CancelGuard,
}

const CALL_TIMERS: [CallTimer; 3] = [
    CallTimer::Retransmit2xx,
    CallTimer::AckTimeout,
    CallTimer::CancelGuard,
];

/// Dialog identifier from our side (RFC 3261 §12): Call-ID, local tag,
/// remote tag (empty for an RFC 2543 peer without tags).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct DialogKey {
    call_id: String,
    local_tag: String,
    remote_tag: String,
}

impl DialogKey {
    /// The dialog an incoming request belongs to: its To tag is ours, its
    /// From tag the peer's (RFC 3261 §12.2.2).
    pub(crate) fn of_request(request: &Request) -> Option<DialogKey> {
        Some(DialogKey {
            call_id: request.headers.call_id()?.to_owned(),
            local_tag: request.headers.to()?.tag()?.to_owned(),
            remote_tag: request
                .headers
                .from()
                .and_then(|f| f.tag())
                .unwrap_or("")
                .to_owned(),
        })
    }
}

/// Dialog state (RFC 3261 §12.1).
#[derive(Clone, Debug)]
pub(crate) struct Dialog {
    pub(crate) call_id: String,
    /// Our address with our tag: From of our requests.
    pub(crate) local: NameAddr,
    /// The peer's address (with its tag once known): To of our requests.
    pub(crate) remote: NameAddr,
    /// CSeq of our last request.
    pub(crate) local_seq: u32,
    /// CSeq of the peer's last request.
    pub(crate) remote_seq: Option<u32>,
    /// Request-URI of our in-dialog requests: the peer's Contact.
    pub(crate) remote_target: Uri,
    /// Route headers of our in-dialog requests, in order (from Record-Route).
    pub(crate) route_set: Vec<NameAddr>,
    /// Our Contact.
    pub(crate) contact: NameAddr,
    /// Where requests go when neither the route set nor the remote target is
    /// an IP literal: the outbound proxy (outgoing calls) or the source of
    /// the INVITE (incoming calls).
    pub(crate) fallback: SocketAddr,
}

impl Dialog {
    fn key(&self) -> DialogKey {
        DialogKey {
            call_id: self.call_id.clone(),
            local_tag: self.local.tag().unwrap_or("").to_owned(),
            remote_tag: self.remote.tag().unwrap_or("").to_owned(),
        }
    }

    /// Next hop of an in-dialog request (RFC 3261 §12.2.1.1, loose routing):
    /// the first route, else the remote target.
    fn destination(&self) -> SocketAddr {
        let next = self
            .route_set
            .first()
            .map(|r| &r.uri)
            .unwrap_or(&self.remote_target);
        build::resolve(next).unwrap_or(self.fallback)
    }

    /// A request inside the dialog (RFC 3261 §12.2.1.1). CSeq + 1 except for
    /// ACK, which repeats the INVITE's number.
    fn request(&mut self, method: Method, branch: &str, local: SocketAddr, agent: &str) -> Request {
        if method != Method::Ack {
            self.local_seq = self.local_seq.wrapping_add(1);
        }
        let mut headers = Headers::default();
        headers.push(Header::Via(build::our_via(local, branch)));
        headers.push(Header::MaxForwards(build::MAX_FORWARDS));
        if !self.route_set.is_empty() {
            headers.push(Header::Route(self.route_set.clone()));
        }
        headers.push(Header::From(self.local.clone()));
        headers.push(Header::To(self.remote.clone()));
        headers.push(Header::CallId(self.call_id.clone()));
        headers.push(Header::CSeq(CSeq {
            seq: self.local_seq,
            method: method.clone(),
        }));
        headers.push(Header::UserAgent(agent.to_owned()));
        Request {
            method,
            uri: self.remote_target.clone(),
            headers,
            body: Vec::new(),
        }
    }
}

/// Where a call stands.
#[derive(Debug)]
pub(crate) enum CallState {
    /// UAC: INVITE sent, no final response. `provisional`: a 1xx arrived, so
    /// a CANCEL may be sent; `hangup`: the application hung up before that.
    Inviting { provisional: bool, hangup: bool },
    /// UAC: CANCEL sent, waiting for the INVITE's final response.
    Cancelling,
    /// UAS: INVITE received and 100 sent, the application decides.
    Offered { tx: TxId, invite: Box<Request> },
    /// UAS: 2xx sent and retransmitted until the ACK; `hangup` when the
    /// application hung up meanwhile (BYE waits for the ACK, RFC 3261 §15).
    AwaitingAck {
        wire: Vec<u8>,
        destination: SocketAddr,
        interval: Duration,
        hangup: bool,
    },
    /// Both sides agree the call is up.
    Confirmed,
    /// BYE `tx` sent; `reason` is reported when it completes.
    Terminating { tx: TxId, reason: EndReason },
}

/// One call.
#[derive(Debug)]
pub(crate) struct Call {
    pub(crate) dialog: Dialog,
    pub(crate) state: CallState,
    /// Outgoing calls: credentials and outbound proxy of the registration.
    origin: Option<CallOrigin>,
    auth: DigestSession,
    /// Outgoing calls: the current INVITE client transaction.
    invite_tx: Option<TxId>,
    /// Outgoing calls: the SDP offer, re-sent after a digest challenge.
    offer: Vec<u8>,
    /// Outgoing calls: our ACK for the 2xx, re-sent on its retransmissions.
    ack: Option<(Vec<u8>, SocketAddr)>,
    /// Outgoing calls: ACKs of forked 2xx responses we hung up on.
    forks: Vec<(String, Vec<u8>, SocketAddr)>,
    /// The key this call is reachable under in `UserAgent::dialogs`.
    key: Option<DialogKey>,
}

impl UserAgent {
    /// INVITE `target` (a SIP URI, e.g. sip:1002@127.0.0.1) as registration
    /// `from`'s AOR, via its registrar; with digest retry on 401/407 (new
    /// CSeq, same Call-ID and From tag). Progress arrives as
    /// [`UaEvent::Progress`], [`UaEvent::Answered`] and [`UaEvent::Ended`].
    /// If `from` is unknown the call ends at once with
    /// [`EndReason::TransportError`].
    pub fn invite(
        &mut self,
        now: Instant,
        from: RegistrationId,
        target: Uri,
        offer: SessionDescription,
    ) -> CallId {
        let now = self.advance(now);
        let id = self.allocate_call();
        let Some(origin) = self.registration_for_call(from) else {
            self.events.push_back(UaEvent::Ended {
                call: id,
                reason: EndReason::TransportError,
            });
            return id;
        };
        let mut local = NameAddr::new(origin.aor.clone());
        local.set_tag(&self.ids.tag());
        let dialog = Dialog {
            call_id: self.ids.call_id(),
            local,
            remote: NameAddr::new(target.clone()),
            local_seq: 0,
            remote_seq: None,
            remote_target: target,
            route_set: Vec::new(),
            contact: NameAddr::new(build::contact_uri(Some(&origin.user), self.config.local_addr)),
            fallback: origin.outbound,
        };
        self.calls.insert(
            id,
            Call {
                dialog,
                state: CallState::Inviting {
                    provisional: false,
                    hangup: false,
                },
                origin: Some(origin),
                auth: DigestSession::default(),
                invite_tx: None,
                offer: offer.to_string().into_bytes(),
                ack: None,
                forks: Vec::new(),
                key: None,
            },
        );
        self.send_invite(now, id);
        id
    }

    /// Send 180 Ringing (with our To tag and Contact) for incoming `call`.
    /// Ignored unless the call is offered and unanswered.
    pub fn ringing(&mut self, now: Instant, call: CallId) {
        let now = self.advance(now);
        self.respond_to_offer(now, call, StatusCode::RINGING, None);
    }

    /// Accept incoming `call`: 200 OK with `answer` as SDP, retransmitted
    /// (T1 doubling to T2) until the ACK arrives; without an ACK for 64·T1 the
    /// call is hung up with BYE and ends with [`EndReason::Timeout`].
    /// Ignored unless the call is offered and unanswered.
    pub fn answer(&mut self, now: Instant, call: CallId, answer: SessionDescription) {
        let now = self.advance(now);
        let body = answer.to_string().into_bytes();
        let Some(sent) = self.respond_to_offer(now, call, StatusCode::OK, Some(body)) else {
            return;
        };
        if let Some(c) = self.calls.get_mut(&call) {
            c.state = CallState::AwaitingAck {
                wire: sent.0,
                destination: sent.1,
                interval: self.config.t1,
                hangup: false,
            };
            let t1 = self.config.t1;
            self.timers
                .set(UaTimer::Call(call, CallTimer::Retransmit2xx), Some(now + t1));
            self.timers
                .set(UaTimer::Call(call, CallTimer::AckTimeout), Some(now + t1 * 64));
        }
    }

    /// Refuse incoming `call` with final `status` (e.g. 486 Busy Here; a
    /// status outside 300-699 is replaced by 603 Decline). The call ends with
    /// [`EndReason::Rejected`]. Ignored unless the call is offered and
    /// unanswered.
    pub fn reject(&mut self, now: Instant, call: CallId, status: StatusCode) {
        let now = self.advance(now);
        let status = if (300..=699).contains(&status.0) {
            status
        } else {
            StatusCode::DECLINE
        };
        if self.respond_to_offer(now, call, status, None).is_some() {
            self.end_call(call, EndReason::Rejected(status));
        }
    }

    /// Hang up in any state: outgoing before answer -> CANCEL (then the
    /// INVITE gets 487; if no provisional response came yet the CANCEL waits
    /// for the first one, RFC 3261 §9.1); after answer -> BYE; incoming not
    /// yet answered -> final 480 Temporarily Unavailable; answered but not yet
    /// acknowledged -> BYE once the ACK arrives (RFC 3261 §15). The call ends
    /// with [`EndReason::LocalHangup`]. Unknown or ending calls are ignored.
    pub fn hangup(&mut self, now: Instant, call: CallId) {
        let now = self.advance(now);
        let Some(c) = self.calls.get_mut(&call) else {
            return;
        };
        match &mut c.state {
            CallState::Inviting {
                provisional: true, ..
            } => self.send_cancel(now, call),
            CallState::Inviting { hangup, .. } | CallState::AwaitingAck { hangup, .. } => {
                *hangup = true;
            }
            CallState::Offered { .. } => {
                if self
                    .respond_to_offer(now, call, StatusCode::TEMPORARILY_UNAVAILABLE, None)
                    .is_some()
                {
                    self.end_call(call, EndReason::LocalHangup);
                }
            }
            CallState::Confirmed => self.send_bye(now, call, EndReason::LocalHangup),
            CallState::Cancelling | CallState::Terminating { .. } => {}
        }
    }

    // ----- UAC -------------------------------------------------------------

    /// Send (or, after a challenge, re-send) the INVITE of outgoing `id`.
    fn send_invite(&mut self, now: Instant, id: CallId) {
        let branch = self.ids.branch();
        let local = self.config.local_addr;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(origin) = call.origin.as_ref() else {
            return;
        };
        let dialog = &mut call.dialog;
        dialog.local_seq = dialog.local_seq.wrapping_add(1);
        let target = dialog.remote.uri.clone();
        let mut headers = Headers::default();
        headers.push(Header::Via(build::our_via(local, &branch)));
        headers.push(Header::MaxForwards(build::MAX_FORWARDS));
        headers.push(Header::From(dialog.local.clone()));
        headers.push(Header::To(NameAddr::new(target.clone())));
        headers.push(Header::CallId(dialog.call_id.clone()));
        headers.push(Header::CSeq(CSeq {
            seq: dialog.local_seq,
            method: Method::Invite,
        }));
        headers.push(Header::Contact(Contact::Addresses(vec![dialog.contact.clone()])));
        headers.push(build::allow());
        headers.push(build::supported());
        headers.push(Header::UserAgent(self.config.user_agent.clone()));
        if let Some(credentials) = call.auth.credentials(
            &mut self.ids,
            &origin.auth_user,
            &origin.password,
            &Method::Invite,
            &target.to_string(),
        ) {
            headers.push(credentials);
        }
        headers.push(Header::ContentType(build::sdp_type()));
        let request = Request {
            method: Method::Invite,
            uri: target,
            headers,
            body: call.offer.clone(),
        };
        let destination = origin.outbound;
        let tx = self.send_request(now, request, destination, Some(TxOwner::Invite(id)));
        if let Some(call) = self.calls.get_mut(&id) {
            call.invite_tx = Some(tx);
            call.state = CallState::Inviting {
                provisional: false,
                hangup: false,
            };
        }
    }

    /// A response to INVITE transaction `tx` of outgoing `id`.
    pub(super) fn on_invite_response(&mut self, now: Instant, id: CallId, tx: TxId, response: Response) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.invite_tx != Some(tx) {
            return;
        }
        let status = response.status;
        if status.is_provisional() {
            let CallState::Inviting { provisional, hangup } = &mut call.state else {
                return;
            };
            *provisional = true;
            if *hangup {
                self.send_cancel(now, id);
            } else if status != StatusCode::TRYING {
                let sdp = build::sdp_body(response.headers.content_type(), &response.body)
                    .ok()
                    .flatten();
                self.events.push_back(UaEvent::Progress {
                    call: id,
                    status,
                    sdp,
                });
            }
        } else if status.is_success() {
            self.on_invite_success(now, id, response);
        } else {
            self.on_invite_failure(now, id, response);
        }
    }

    fn on_invite_success(&mut self, now: Instant, id: CallId, response: Response) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let to_tag = response
            .headers
            .to()
            .and_then(|t| t.tag())
            .unwrap_or("")
            .to_owned();
        let hangup = match call.state {
            CallState::Inviting { hangup, .. } => hangup,
            CallState::Cancelling => true,
            CallState::Confirmed | CallState::Terminating { .. } => {
                // RFC 6026: a retransmitted 2xx gets our ACK again; a 2xx
                // from another fork gets an ACK and a BYE.
                if call.dialog.remote.tag().unwrap_or("") == to_tag {
                    if let Some((wire, destination)) = &call.ack {
                        self.transmits.push_back(super::Transmit {
                            destination: *destination,
                            payload: wire.clone(),
                        });
                    }
                } else {
                    self.ack_and_bye_fork(now, id, &to_tag, &response);
                }
                return;
            }
            CallState::Offered { .. } | CallState::AwaitingAck { .. } => return,
        };
        // RFC 3261 §12.1.2: the dialog as the UAC sees it.
        let dialog = &mut call.dialog;
        if !to_tag.is_empty() {
            dialog.remote.set_tag(&to_tag);
        }
        if let Some(contact) = response.headers.contact() {
            dialog.remote_target = contact.uri.clone();
        }
        dialog.route_set = response.headers.record_routes().cloned().collect();
        dialog.route_set.reverse();
        let key = dialog.key();
        self.dialogs.insert(key.clone(), id);
        call.key = Some(key);
        self.timers.set(UaTimer::Call(id, CallTimer::CancelGuard), None);
        self.send_ack(id);
        if hangup {
            self.send_bye(now, id, EndReason::LocalHangup);
        } else {
            if let Some(call) = self.calls.get_mut(&id) {
                call.state = CallState::Confirmed;
            }
            let sdp = build::sdp_body(response.headers.content_type(), &response.body)
                .ok()
                .flatten();
            self.events.push_back(UaEvent::Answered { call: id, sdp });
        }
    }

    /// The ACK for the 2xx of outgoing `id` (RFC 3261 §13.2.2.4): a new
    /// transaction (new branch) along the route set, CSeq number of the
    /// INVITE, the INVITE's credentials.
    fn send_ack(&mut self, id: CallId) {
        let branch = self.ids.branch();
        let local = self.config.local_addr;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let mut ack = call
            .dialog
            .request(Method::Ack, &branch, local, &self.config.user_agent);
        if let Some(invite) = call.invite_tx.and_then(|tx| self.tx.client_request(tx)) {
            for h in invite.headers.iter() {
                if matches!(h, Header::Authorization(_) | Header::ProxyAuthorization(_)) {
                    ack.headers.push(h.clone());
                }
            }
        }
        let destination = call.dialog.destination();
        let wire = ack.to_bytes();
        self.transmits.push_back(super::Transmit {
            destination,
            payload: wire.clone(),
        });
        call.ack = Some((wire, destination));
    }

    /// A 2xx from a second fork of our INVITE: acknowledge it and end that
    /// dialog at once (RFC 3261 §13.2.2.4); its retransmissions get the same
    /// ACK again.
    fn ack_and_bye_fork(&mut self, now: Instant, id: CallId, to_tag: &str, response: &Response) {
        let ack_branch = self.ids.branch();
        let bye_branch = self.ids.branch();
        let local = self.config.local_addr;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if let Some((_, wire, destination)) = call.forks.iter().find(|(t, _, _)| t == to_tag) {
            self.transmits.push_back(super::Transmit {
                destination: *destination,
                payload: wire.clone(),
            });
            return;
        }
        let mut fork = call.dialog.clone();
        fork.remote.set_tag(to_tag);
        if let Some(contact) = response.headers.contact() {
            fork.remote_target = contact.uri.clone();
        }
        fork.route_set = response.headers.record_routes().cloned().collect();
        fork.route_set.reverse();
        fork.local_seq = response.headers.cseq().map(|c| c.seq).unwrap_or(1);
        let agent = self.config.user_agent.clone();
        let ack = fork.request(Method::Ack, &ack_branch, local, &agent);
        let destination = fork.destination();
        let wire = ack.to_bytes();
        self.transmits.push_back(super::Transmit {
            destination,
            payload: wire.clone(),
        });
        call.forks.push((to_tag.to_owned(), wire, destination));
        let bye = fork.request(Method::Bye, &bye_branch, local, &agent);
        self.send_request(now, bye, destination, None);
    }

    fn on_invite_failure(&mut self, now: Instant, id: CallId, response: Response) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let status = response.status;
        match call.state {
            CallState::Inviting { hangup: false, .. } => {
                if status == StatusCode::UNAUTHORIZED || status == StatusCode::PROXY_AUTH_REQUIRED {
                    if let Some(origin) = &call.origin {
                        let retry = call.auth.on_challenge(
                            &response,
                            &origin.auth_user,
                            &origin.password,
                            &Method::Invite,
                        );
                        if retry.is_ok() {
                            self.send_invite(now, id);
                            return;
                        }
                    }
                }
                self.end_call(id, EndReason::Rejected(status));
            }
            CallState::Inviting { hangup: true, .. } | CallState::Cancelling => {
                self.end_call(id, EndReason::LocalHangup);
            }
            _ => {}
        }
    }

    /// INVITE transaction `tx` of outgoing `id` timed out (Timer B).
    pub(super) fn on_invite_timeout(&mut self, id: CallId, tx: TxId) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.invite_tx != Some(tx) {
            return;
        }
        match call.state {
            CallState::Inviting { hangup: false, .. } => self.end_call(id, EndReason::Timeout),
            CallState::Inviting { hangup: true, .. } | CallState::Cancelling => {
                self.end_call(id, EndReason::LocalHangup);
            }
            _ => {}
        }
    }

    /// CANCEL the INVITE of outgoing `id` (RFC 3261 §9.1) and wait at most
    /// 64·T1 for its final response.
    fn send_cancel(&mut self, now: Instant, id: CallId) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        call.state = CallState::Cancelling;
        if let Some(invite) = call.invite_tx {
            if let Some(cancel) = self.tx.cancel(now, invite, &mut self.transmits) {
                self.tx_owners.insert(cancel, TxOwner::Cancel(id));
            }
        }
        let guard = now + self.config.t1 * 64;
        self.timers
            .set(UaTimer::Call(id, CallTimer::CancelGuard), Some(guard));
    }

    // ----- both sides --------------------------------------------------------

    /// Send BYE in the dialog of `id`; the call ends with `reason` when the
    /// BYE completes or times out.
    pub(super) fn send_bye(&mut self, now: Instant, id: CallId, reason: EndReason) {
        let branch = self.ids.branch();
        let local = self.config.local_addr;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let bye = call
            .dialog
            .request(Method::Bye, &branch, local, &self.config.user_agent);
        let destination = call.dialog.destination();
        let tx = self.send_request(now, bye, destination, Some(TxOwner::Bye(id)));
        for timer in CALL_TIMERS {
            self.timers.set(UaTimer::Call(id, timer), None);
        }
        if let Some(call) = self.calls.get_mut(&id) {
            call.state = CallState::Terminating { tx, reason };
        }
    }

    /// BYE transaction `tx` of `id` got its final response or timed out.
    pub(super) fn on_bye_done(&mut self, id: CallId, tx: TxId) {
        let reason = match self.calls.get(&id).map(|c| &c.state) {
            Some(CallState::Terminating { tx: t, reason }) if *t == tx => reason.clone(),
            _ => return,
        };
        self.end_call(id, reason);
    }

    /// Remove call `id` and report why it ended.
    pub(super) fn end_call(&mut self, id: CallId, reason: EndReason) {
        let Some(call) = self.calls.remove(&id) else {
            return;
        };
        if let Some(key) = call.key {
            self.dialogs.remove(&key);
        }
        for timer in CALL_TIMERS {
            self.timers.set(UaTimer::Call(id, timer), None);
        }
        self.events.push_back(UaEvent::Ended { call: id, reason });
    }

    /// A call timer fired.
    pub(super) fn on_call_timer(&mut self, now: Instant, id: CallId, timer: CallTimer) {
        let t2 = self.config.t2;
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        match (timer, &mut call.state) {
            (
                CallTimer::Retransmit2xx,
                CallState::AwaitingAck {
                    wire,
                    destination,
                    interval,
                    ..
                },
            ) => {
                self.transmits.push_back(super::Transmit {
                    destination: *destination,
                    payload: wire.clone(),
                });
                *interval = (*interval * 2).min(t2);
                let next = now + *interval;
                self.timers
                    .set(UaTimer::Call(id, CallTimer::Retransmit2xx), Some(next));
            }
            (CallTimer::AckTimeout, CallState::AwaitingAck { hangup, .. }) => {
                let reason = if *hangup {
                    EndReason::LocalHangup
                } else {
                    EndReason::Timeout
                };
                // RFC 3261 §13.3.1.4: no ACK, so end the session with BYE;
                // nobody waits for that BYE's outcome.
                let branch = self.ids.branch();
                let local = self.config.local_addr;
                let bye = call
                    .dialog
                    .request(Method::Bye, &branch, local, &self.config.user_agent);
                let destination = call.dialog.destination();
                self.send_request(now, bye, destination, None);
                self.end_call(id, reason);
            }
            (CallTimer::CancelGuard, CallState::Cancelling) => {
                if let Some(invite) = call.invite_tx {
                    self.tx.abandon_client(invite);
                    self.tx_owners.remove(&invite);
                }
                self.end_call(id, EndReason::LocalHangup);
            }
            _ => {}
        }
    }

    // ----- UAS -------------------------------------------------------------

    /// A new INVITE outside any dialog, already checked: create the call and
    /// tell the application. Responses go to `destination`.
    pub(super) fn start_incoming_call(
        &mut self,
        tx: TxId,
        request: Request,
        destination: SocketAddr,
        offer: Option<SessionDescription>,
    ) {
        let (Some(to), Some(from), Some(call_id), Some(cseq)) = (
            request.headers.to(),
            request.headers.from(),
            request.headers.call_id(),
            request.headers.cseq(),
        ) else {
            return;
        };
        let id = self.allocate_call();
        let mut local = to.clone();
        local.set_tag(&self.ids.tag());
        // RFC 3261 §12.1.1: the dialog as the UAS sees it.
        let dialog = Dialog {
            call_id: call_id.to_owned(),
            local,
            remote: from.clone(),
            local_seq: 0,
            remote_seq: Some(cseq.seq),
            remote_target: request
                .headers
                .contact()
                .map(|c| c.uri.clone())
                .unwrap_or_else(|| from.uri.clone()),
            route_set: request.headers.record_routes().cloned().collect(),
            contact: NameAddr::new(build::contact_uri(
                request.uri.user.as_deref(),
                self.config.local_addr,
            )),
            fallback: destination,
        };
        let key = dialog.key();
        self.dialogs.insert(key.clone(), id);
        let user = super::uri_user(&request.uri);
        let from = from.clone();
        self.calls.insert(
            id,
            Call {
                dialog,
                state: CallState::Offered {
                    tx,
                    invite: Box::new(request),
                },
                origin: None,
                auth: DigestSession::default(),
                invite_tx: None,
                offer: Vec::new(),
                ack: None,
                forks: Vec::new(),
                key: Some(key),
            },
        );
        self.events.push_back(UaEvent::IncomingCall {
            call: id,
            user,
            from,
            offer,
        });
    }

    /// Send `status` (with `body` as SDP) on the INVITE of offered call `id`,
    /// with our To tag, Contact and capabilities. Returns what was sent.
    fn respond_to_offer(
        &mut self,
        now: Instant,
        id: CallId,
        status: StatusCode,
        body: Option<Vec<u8>>,
    ) -> Option<(Vec<u8>, SocketAddr)> {
        let call = self.calls.get(&id)?;
        let CallState::Offered { tx, invite } = &call.state else {
            return None;
        };
        let mut response = Response::for_request(invite, status, call.dialog.local.tag());
        if status.class() <= 2 {
            // RFC 3261 §12.1.1: dialog-creating responses repeat Record-Route.
            for h in invite.headers.iter() {
                if let Header::RecordRoute(r) = h {
                    response.headers.push(Header::RecordRoute(r.clone()));
                }
            }
            response.headers.push(Header::Contact(Contact::Addresses(vec![
                call.dialog.contact.clone(),
            ])));
        }
        if status.is_success() {
            response.headers.push(build::allow());
            response.headers.push(build::supported());
        }
        response
            .headers
            .push(Header::Server(self.config.user_agent.clone()));
        if let Some(body) = body {
            response.headers.push(Header::ContentType(build::sdp_type()));
            response.body = body;
        }
        let tx = *tx;
        self.tx.respond(now, tx, &response, &mut self.transmits)
    }

    /// An ACK that no transaction absorbed: the ACK of our 2xx.
    pub(super) fn on_dialog_ack(&mut self, now: Instant, ack: Request) {
        let Some(id) = DialogKey::of_request(&ack).and_then(|k| self.dialogs.get(&k).copied()) else {
            return;
        };
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let CallState::AwaitingAck { hangup, .. } = call.state else {
            return;
        };
        if ack.headers.cseq().map(|c| c.seq) != call.dialog.remote_seq {
            return;
        }
        self.timers.set(UaTimer::Call(id, CallTimer::Retransmit2xx), None);
        self.timers.set(UaTimer::Call(id, CallTimer::AckTimeout), None);
        if hangup {
            self.send_bye(now, id, EndReason::LocalHangup);
            return;
        }
        call.state = CallState::Confirmed;
        let sdp = build::sdp_body(ack.headers.content_type(), &ack.body)
            .ok()
            .flatten();
        self.events.push_back(UaEvent::Answered { call: id, sdp });
    }

    /// A CANCEL with server transaction `tx` for INVITE server transaction
    /// `invite` (RFC 3261 §9.2): 200 to the CANCEL; if the INVITE is still
    /// unanswered, 487 to it and the call ends as cancelled.
    pub(super) fn on_cancel(&mut self, now: Instant, tx: TxId, invite: Option<TxId>, request: Request) {
        let Some(invite) = invite else {
            self.respond_plain(now, tx, &request, StatusCode::CALL_DOES_NOT_EXIST, Vec::new());
            return;
        };
        let call = self.calls.iter().find_map(|(id, c)| match &c.state {
            CallState::Offered { tx: t, .. } if *t == invite => Some(*id),
            _ => None,
        });
        let tag = call
            .and_then(|id| self.calls.get(&id))
            .and_then(|c| c.dialog.local.tag())
            .map(str::to_owned)
            .unwrap_or_else(|| self.ids.tag());
        // RFC 3261 §9.2: the To tag of the 200 matches the INVITE's response.
        let mut ok = Response::for_request(&request, StatusCode::OK, Some(&tag));
        ok.headers.push(Header::Server(self.config.user_agent.clone()));
        self.tx.respond(now, tx, &ok, &mut self.transmits);
        if let Some(id) = call {
            if self
                .respond_to_offer(now, id, StatusCode::REQUEST_TERMINATED, None)
                .is_some()
            {
                self.end_call(id, EndReason::Cancelled);
            }
        }
    }

    /// A BYE (server transaction `tx`) in the dialog of call `id`.
    pub(super) fn on_dialog_bye(&mut self, now: Instant, id: CallId, tx: TxId, request: Request) {
        self.respond_plain(now, tx, &request, StatusCode::OK, Vec::new());
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        match call.state {
            CallState::Offered { .. } => {
                // BYE on the early dialog: the INVITE gets 487 (RFC 3261 §15.2).
                self.respond_to_offer(now, id, StatusCode::REQUEST_TERMINATED, None);
                self.end_call(id, EndReason::RemoteHangup);
            }
            CallState::AwaitingAck { .. } | CallState::Confirmed => {
                self.end_call(id, EndReason::RemoteHangup);
            }
            // Our own BYE is under way (BYEs crossed); it ends the call.
            CallState::Terminating { .. } => {}
            // Early dialogs of outgoing calls are not tracked, so a BYE
            // cannot reach these.
            CallState::Inviting { .. } | CallState::Cancelling => {}
        }
    }

    /// Check and record the CSeq of an in-dialog request (RFC 3261 §12.2.2):
    /// false when it is lower than the last one (the caller answers 500).
    pub(super) fn accept_remote_cseq(&mut self, id: CallId, request: &Request) -> bool {
        let Some(call) = self.calls.get_mut(&id) else {
            return false;
        };
        let Some(seq) = request.headers.cseq().map(|c| c.seq) else {
            return false;
        };
        match call.dialog.remote_seq {
            Some(last) if seq < last => false,
            _ => {
                call.dialog.remote_seq = Some(seq);
                true
            }
        }
    }
}
