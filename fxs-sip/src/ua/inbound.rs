//! Incoming requests: the checks of RFC 3261 §8.2 and the dispatch to the
//! call, dialog and capability handlers.

use std::net::SocketAddr;
use std::time::Instant;

use crate::Error;
use crate::message::{Header, Method, Request, Response, Scheme, StatusCode};
use crate::transaction::{IncomingRequest, TxId};

use super::build::{self, SUPPORTED};
use super::call::DialogKey;
use super::{Transmit, UserAgent};

impl UserAgent {
    /// A parsed request from `source`.
    pub(super) fn on_request(&mut self, now: Instant, source: SocketAddr, mut request: Request) {
        let destination = build::stamp_via(&mut request, source);
        match self.tx.on_request(now, request, destination, &mut self.transmits) {
            IncomingRequest::Absorbed => {}
            IncomingRequest::Ack(ack) => self.on_dialog_ack(now, ack),
            IncomingRequest::Cancel { tx, invite, request } => self.on_cancel(now, tx, invite, request),
            IncomingRequest::New { tx, request } => {
                self.on_new_request(now, tx, request, destination);
            }
        }
    }

    /// A datagram the parser refused: a request gets the status and defect
    /// the error names (400 "Missing Call-ID header", 505, 513...), sent back
    /// to the source address since the Via cannot be trusted; anything else
    /// is dropped.
    pub(super) fn on_malformed(&mut self, source: SocketAddr, data: &[u8], error: &Error) {
        if let Some(mut response) = build::reject_unparsed(data, error) {
            response
                .headers
                .push(Header::Server(self.config.user_agent.clone()));
            self.transmits.push_back(Transmit {
                destination: source,
                payload: response.to_bytes(),
            });
        }
    }

    /// A new request with server transaction `tx` (RFC 3261 §8.2).
    fn on_new_request(&mut self, now: Instant, tx: TxId, request: Request, destination: SocketAddr) {
        // §8.2.2.1: we only serve SIP URIs.
        if request.uri.scheme == Scheme::Tel {
            let status = StatusCode(416);
            self.respond_plain(now, tx, &request, status, Vec::new());
            return;
        }
        // §8.2.2.3: extensions the client requires and we lack.
        let unsupported = unsupported_requirements(&request);
        if !unsupported.is_empty() {
            let header = Header::Unsupported(unsupported);
            self.respond_plain(now, tx, &request, StatusCode::BAD_EXTENSION, vec![header]);
            return;
        }
        if request.headers.to().and_then(|t| t.tag()).is_some() {
            self.on_in_dialog_request(now, tx, request);
            return;
        }
        match request.method {
            Method::Invite => self.on_invite_request(now, tx, request, destination),
            Method::Options => {
                let caps = capabilities();
                self.respond_plain(now, tx, &request, StatusCode::OK, caps);
            }
            // §15.1.2: a BYE outside a dialog matches nothing.
            Method::Bye => {
                let status = StatusCode::CALL_DOES_NOT_EXIST;
                self.respond_plain(now, tx, &request, status, Vec::new());
            }
            _ => self.reject_method(now, tx, &request),
        }
    }

    /// A request whose To carries a tag: it belongs to a dialog
    /// (RFC 3261 §12.2.2).
    fn on_in_dialog_request(&mut self, now: Instant, tx: TxId, request: Request) {
        let call = DialogKey::of_request(&request).and_then(|k| self.dialogs.get(&k).copied());
        let Some(id) = call else {
            let status = StatusCode::CALL_DOES_NOT_EXIST;
            self.respond_plain(now, tx, &request, status, Vec::new());
            return;
        };
        if !self.accept_remote_cseq(id, &request) {
            let status = StatusCode::SERVER_INTERNAL_ERROR;
            self.respond_with_reason(now, tx, &request, status, "CSeq out of order");
            return;
        }
        match request.method {
            Method::Bye => self.on_dialog_bye(now, id, tx, request),
            Method::Options => {
                let caps = capabilities();
                self.respond_plain(now, tx, &request, StatusCode::OK, caps);
            }
            // Session changes are not implemented yet: the session stays as
            // it is (RFC 3261 §14.2).
            Method::Invite => {
                let status = StatusCode::NOT_ACCEPTABLE_HERE;
                self.respond_with_reason(now, tx, &request, status, "re-INVITE not supported");
            }
            _ => self.reject_method(now, tx, &request),
        }
    }

    /// An INVITE outside any dialog: check its body, then offer the call.
    fn on_invite_request(&mut self, now: Instant, tx: TxId, request: Request, destination: SocketAddr) {
        match build::sdp_body(request.headers.content_type(), &request.body) {
            Ok(offer) => self.start_incoming_call(tx, request, destination, offer),
            Err(error) => {
                let (status, reason) = error.response_status();
                let mut extra = Vec::new();
                if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
                    extra.push(accept_sdp());
                }
                let mut response = self.plain_response(&request, status, extra);
                response.reason = reason;
                self.tx.respond(now, tx, &response, &mut self.transmits);
            }
        }
    }

    /// 501 for a method we do not know, 405 for one we know but do not serve
    /// (RFC 3261 §8.2.1, §21.4.6, §21.5.2); both list what we allow.
    fn reject_method(&mut self, now: Instant, tx: TxId, request: &Request) {
        let status = match request.method {
            Method::Other(_) => StatusCode::NOT_IMPLEMENTED,
            _ => StatusCode::METHOD_NOT_ALLOWED,
        };
        self.respond_plain(now, tx, request, status, vec![build::allow()]);
    }

    /// Answer `request` on server transaction `tx` with `status` and `extra`
    /// headers.
    pub(super) fn respond_plain(
        &mut self,
        now: Instant,
        tx: TxId,
        request: &Request,
        status: StatusCode,
        extra: Vec<Header>,
    ) {
        let response = self.plain_response(request, status, extra);
        self.tx.respond(now, tx, &response, &mut self.transmits);
    }

    fn respond_with_reason(
        &mut self,
        now: Instant,
        tx: TxId,
        request: &Request,
        status: StatusCode,
        reason: &str,
    ) {
        let mut response = self.plain_response(request, status, Vec::new());
        reason.clone_into(&mut response.reason);
        self.tx.respond(now, tx, &response, &mut self.transmits);
    }

    /// A response outside any call: a To tag is added when the request had
    /// none (RFC 3261 §8.2.6.2), plus `extra` and Server.
    fn plain_response(&mut self, request: &Request, status: StatusCode, extra: Vec<Header>) -> Response {
        let needs_tag =
            status != StatusCode::TRYING && request.headers.to().is_some_and(|t| t.tag().is_none());
        let tag = needs_tag.then(|| self.ids.tag());
        let mut response = Response::for_request(request, status, tag.as_deref());
        for header in extra {
            response.headers.push(header);
        }
        response
            .headers
            .push(Header::Server(self.config.user_agent.clone()));
        response
    }
}

/// Option tags in Require that we do not support (RFC 3261 §8.2.2.3). ACK
/// and CANCEL are exempt; they never reach here.
fn unsupported_requirements(request: &Request) -> Vec<String> {
    request
        .headers
        .iter()
        .filter_map(|h| match h {
            Header::Require(tags) => Some(tags),
            _ => None,
        })
        .flatten()
        .filter(|tag| !SUPPORTED.iter().any(|s| s.eq_ignore_ascii_case(tag)))
        .cloned()
        .collect()
}

/// `Accept: application/sdp`.
fn accept_sdp() -> Header {
    Header::Other {
        name: "Accept".to_owned(),
        value: "application/sdp".to_owned(),
    }
}

/// What an OPTIONS answer advertises (RFC 3261 §11.2).
fn capabilities() -> Vec<Header> {
    vec![build::allow(), accept_sdp(), build::supported()]
}
