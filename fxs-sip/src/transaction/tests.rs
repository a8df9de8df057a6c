//! Unit tests of the transaction layer: timers in virtual time and matching.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::*;
use crate::message::{Header, Message, StatusCode};

const PEER: &str = "10.0.0.2:5060";

fn peer() -> SocketAddr {
    PEER.parse().unwrap()
}

fn cfg() -> TimerConfig {
    TimerConfig::new(
        Duration::from_millis(500),
        Duration::from_secs(4),
        Duration::from_secs(5),
    )
}

fn request(method: &str, branch: &str, to_tag: Option<&str>) -> Request {
    let to_tag = to_tag.map(|t| format!(";tag={t}")).unwrap_or_default();
    let text = format!(
        "{method} sip:1002@10.0.0.2 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 10.0.0.1:5060;branch={branch}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:1001@pbx.test>;tag=from1\r\n\
         To: <sip:1002@pbx.test>{to_tag}\r\n\
         Call-ID: call-1@10.0.0.1\r\n\
         CSeq: 1 {method}\r\n\
         Content-Length: 0\r\n\r\n"
    );
    match Message::parse(text.as_bytes()) {
        Ok(Message::Request(r)) => r,
        other => panic!("test request does not parse: {other:?}"),
    }
}

fn response_to(req: &Request, status: u16, to_tag: Option<&str>) -> Response {
    Response::for_request(req, StatusCode(status), to_tag)
}

/// Run the layer's timers until `end`, recording when something was sent.
fn run_until(
    layer: &mut Transactions,
    start: Instant,
    end: Duration,
    out: &mut VecDeque<Transmit>,
) -> Vec<(Duration, Transmit)> {
    let mut sent = Vec::new();
    while let Some(at) = layer.poll_timeout() {
        if at > start + end {
            break;
        }
        layer.handle_timeout(at, out);
        for t in out.drain(..) {
            sent.push((at - start, t));
        }
    }
    sent
}

fn ms(v: u64) -> Duration {
    Duration::from_millis(v)
}

#[test]
fn invite_client_retransmits_with_timer_a_doubling_and_times_out_with_timer_b() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let tx = layer.send(t0, request("INVITE", "z9hG4bKa1", None), peer(), &mut out);
    assert_eq!(out.drain(..).count(), 1);
    let sent = run_until(&mut layer, t0, Duration::from_secs(40), &mut out);
    let times: Vec<Duration> = sent.iter().map(|(at, _)| *at).collect();
    assert_eq!(
        times,
        [ms(500), ms(1500), ms(3500), ms(7500), ms(15_500), ms(31_500)]
    );
    match layer.poll_event() {
        Some(TxEvent::Timeout(id)) => assert_eq!(id, tx),
        other => panic!("expected Timer B timeout, got {other:?}"),
    }
    assert!(matches!(layer.poll_event(), Some(TxEvent::ClientTerminated(id)) if id == tx));
    assert_eq!(layer.len(), 0);
    assert_eq!(layer.poll_timeout(), None);
}

#[test]
fn invite_client_timer_b_fires_at_64_t1() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    layer.send(t0, request("INVITE", "z9hG4bKa2", None), peer(), &mut out);
    layer.handle_timeout(t0 + ms(31_999), &mut out);
    // A late first call fires Timer A once, nothing else yet.
    assert!(layer.poll_event().is_none());
    layer.handle_timeout(t0 + ms(32_000), &mut out);
    assert!(matches!(layer.poll_event(), Some(TxEvent::Timeout(_))));
}

#[test]
fn provisional_response_stops_invite_retransmissions() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let invite = request("INVITE", "z9hG4bKa3", None);
    layer.send(t0, invite.clone(), peer(), &mut out);
    out.clear();
    layer.on_response(t0 + ms(100), response_to(&invite, 100, None), &mut out);
    assert!(matches!(layer.poll_event(), Some(TxEvent::Response { .. })));
    assert_eq!(layer.poll_timeout(), None, "Proceeding runs no timer");
    assert!(out.is_empty());
}

#[test]
fn non_2xx_final_is_acked_by_the_transaction_with_the_invite_branch() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let invite = request("INVITE", "z9hG4bKa4", None);
    layer.send(t0, invite.clone(), peer(), &mut out);
    out.clear();
    let busy = response_to(&invite, 486, Some("callee"));
    layer.on_response(t0 + ms(200), busy.clone(), &mut out);
    assert!(matches!(
        layer.poll_event(),
        Some(TxEvent::Response { response, .. }) if response.status == StatusCode::BUSY_HERE
    ));
    let ack = out.pop_front().expect("ACK sent");
    assert_eq!(ack.destination, peer());
    let Ok(Message::Request(ack)) = Message::parse(&ack.payload) else {
        panic!("ACK does not parse");
    };
    assert_eq!(ack.method, Method::Ack);
    assert_eq!(ack.uri, invite.uri);
    assert_eq!(ack.headers.top_via().and_then(|v| v.branch()), Some("z9hG4bKa4"));
    assert_eq!(ack.headers.to().and_then(|t| t.tag()), Some("callee"));
    assert_eq!(
        ack.headers.cseq().map(|c| (c.seq, c.method.clone())),
        Some((1, Method::Ack))
    );
    // A retransmitted 486 is absorbed and answered with the same ACK.
    layer.on_response(t0 + ms(700), busy, &mut out);
    assert!(layer.poll_event().is_none());
    assert_eq!(out.len(), 1);
    out.clear();
    // Timer D ends it after 32 s.
    assert_eq!(layer.poll_timeout(), Some(t0 + ms(200) + Duration::from_secs(32)));
    layer.handle_timeout(t0 + ms(32_200), &mut out);
    assert!(matches!(layer.poll_event(), Some(TxEvent::ClientTerminated(_))));
}

#[test]
fn accepted_invite_client_passes_2xx_retransmissions_until_timer_m() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let invite = request("INVITE", "z9hG4bKa5", None);
    layer.send(t0, invite.clone(), peer(), &mut out);
    let ok = response_to(&invite, 200, Some("callee"));
    layer.on_response(t0 + ms(10), ok.clone(), &mut out);
    layer.on_response(t0 + ms(510), ok.clone(), &mut out);
    assert!(matches!(layer.poll_event(), Some(TxEvent::Response { .. })));
    assert!(matches!(layer.poll_event(), Some(TxEvent::Response { .. })));
    assert_eq!(layer.poll_timeout(), Some(t0 + ms(10) + Duration::from_secs(32)));
    layer.handle_timeout(t0 + ms(32_010), &mut out);
    assert!(matches!(layer.poll_event(), Some(TxEvent::ClientTerminated(_))));
    layer.on_response(t0 + ms(32_100), ok, &mut out);
    assert!(layer.poll_event().is_none(), "gone after Timer M");
}

#[test]
fn non_invite_client_doubles_timer_e_to_t2_and_uses_t2_after_provisional() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let bye = request("BYE", "z9hG4bKb1", Some("x"));
    layer.send(t0, bye.clone(), peer(), &mut out);
    out.clear();
    let sent = run_until(&mut layer, t0, ms(12_000), &mut out);
    let times: Vec<Duration> = sent.iter().map(|(at, _)| *at).collect();
    assert_eq!(times, [ms(500), ms(1500), ms(3500), ms(7500), ms(11_500)]);
    layer.on_response(t0 + ms(12_000), response_to(&bye, 100, None), &mut out);
    assert!(matches!(layer.poll_event(), Some(TxEvent::Response { .. })));
    // Next retransmission is still the armed one at 15.5 s, then every T2.
    let sent = run_until(&mut layer, t0, ms(24_000), &mut out);
    let times: Vec<Duration> = sent.iter().map(|(at, _)| *at).collect();
    assert_eq!(times, [ms(15_500), ms(19_500), ms(23_500)]);
    // Timer F = 64·T1 from the start.
    run_until(&mut layer, t0, ms(32_000), &mut out);
    assert!(matches!(layer.poll_event(), Some(TxEvent::Timeout(_))));
}

#[test]
fn non_invite_client_absorbs_final_retransmissions_until_timer_k() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let bye = request("BYE", "z9hG4bKb2", Some("x"));
    layer.send(t0, bye.clone(), peer(), &mut out);
    let ok = response_to(&bye, 200, None);
    layer.on_response(t0 + ms(50), ok.clone(), &mut out);
    layer.on_response(t0 + ms(550), ok, &mut out);
    assert!(matches!(layer.poll_event(), Some(TxEvent::Response { .. })));
    assert!(layer.poll_event().is_none());
    assert_eq!(layer.poll_timeout(), Some(t0 + ms(5050)));
}

#[test]
fn invite_server_sends_100_at_once_and_retransmits_failure_with_timer_g() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let invite = request("INVITE", "z9hG4bKs1", None);
    let IncomingRequest::New { tx, request } = layer.on_request(t0, invite, peer(), &mut out) else {
        panic!("new transaction expected");
    };
    let trying = out.pop_front().expect("100 Trying");
    assert!(trying.payload.starts_with(b"SIP/2.0 100 Trying\r\n"));
    // A retransmitted INVITE gets the 100 again.
    assert!(matches!(
        layer.on_request(t0 + ms(500), request.clone(), peer(), &mut out),
        IncomingRequest::Absorbed
    ));
    assert_eq!(out.drain(..).count(), 1);
    let busy = response_to(&request, 486, Some("me"));
    assert!(layer.respond(t0 + ms(1000), tx, &busy, &mut out).is_some());
    out.clear();
    let sent = run_until(&mut layer, t0 + ms(1000), ms(16_000), &mut out);
    let times: Vec<Duration> = sent.iter().map(|(at, _)| *at).collect();
    assert_eq!(
        times,
        [ms(500), ms(1500), ms(3500), ms(7500), ms(11_500), ms(15_500)]
    );
    // The ACK (same branch) confirms and stops Timer G; Timer I = T4 ends it.
    let ack = request_with_method(&request, Method::Ack);
    assert!(matches!(
        layer.on_request(t0 + ms(17_100), ack, peer(), &mut out),
        IncomingRequest::Absorbed
    ));
    assert_eq!(layer.poll_timeout(), Some(t0 + ms(22_100)));
    layer.handle_timeout(t0 + ms(22_100), &mut out);
    assert_eq!(layer.len(), 0);
    assert!(out.is_empty());
}

#[test]
fn invite_server_gives_up_after_timer_h_without_ack() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let invite = request("INVITE", "z9hG4bKs2", None);
    let IncomingRequest::New { tx, request } = layer.on_request(t0, invite, peer(), &mut out) else {
        panic!("new transaction expected");
    };
    layer.respond(t0, tx, &response_to(&request, 603, Some("me")), &mut out);
    run_until(&mut layer, t0, ms(31_999), &mut out);
    assert_eq!(layer.len(), 1);
    run_until(&mut layer, t0, ms(32_000), &mut out);
    assert_eq!(layer.len(), 0);
}

#[test]
fn ack_for_2xx_reaches_the_tu_and_accepted_state_absorbs_invite_copies() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let invite = request("INVITE", "z9hG4bKs3", None);
    let IncomingRequest::New { tx, request: req } = layer.on_request(t0, invite, peer(), &mut out) else {
        panic!("new transaction expected");
    };
    layer.respond(t0, tx, &response_to(&req, 200, Some("me")), &mut out);
    out.clear();
    assert!(matches!(
        layer.on_request(t0 + ms(100), req.clone(), peer(), &mut out),
        IncomingRequest::Absorbed
    ));
    assert!(out.is_empty(), "the TU, not the transaction, resends a 2xx");
    let ack = request("ACK", "z9hG4bKnew", Some("me"));
    assert!(matches!(
        layer.on_request(t0 + ms(200), ack, peer(), &mut out),
        IncomingRequest::Ack(_)
    ));
    // Timer L = 64·T1.
    assert_eq!(layer.poll_timeout(), Some(t0 + Duration::from_secs(32)));
}

#[test]
fn non_invite_server_answers_retransmissions_with_the_last_response() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let options = request("OPTIONS", "z9hG4bKs4", None);
    let IncomingRequest::New { tx, request } = layer.on_request(t0, options, peer(), &mut out) else {
        panic!("new transaction expected");
    };
    assert!(out.is_empty(), "no automatic 100 for non-INVITE");
    layer.respond(t0, tx, &response_to(&request, 200, Some("me")), &mut out);
    let first = out.pop_front().expect("200");
    layer.on_request(t0 + ms(500), request, peer(), &mut out);
    assert_eq!(out.pop_front(), Some(first));
    assert_eq!(layer.poll_timeout(), Some(t0 + Duration::from_secs(32)));
}

#[test]
fn cancel_is_matched_to_its_invite_server_transaction() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let IncomingRequest::New { tx: invite_tx, .. } =
        layer.on_request(t0, request("INVITE", "z9hG4bKs5", None), peer(), &mut out)
    else {
        panic!("new transaction expected");
    };
    match layer.on_request(t0, request("CANCEL", "z9hG4bKs5", None), peer(), &mut out) {
        IncomingRequest::Cancel { invite, .. } => assert_eq!(invite, Some(invite_tx)),
        other => panic!("expected CANCEL, got {other:?}"),
    }
    match layer.on_request(t0, request("CANCEL", "z9hG4bKother", None), peer(), &mut out) {
        IncomingRequest::Cancel { invite, .. } => assert_eq!(invite, None),
        other => panic!("expected CANCEL, got {other:?}"),
    }
}

#[test]
fn client_and_server_transactions_with_the_same_branch_coexist() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    // We send a BYE to our own socket and receive it back.
    let bye = request("BYE", "z9hG4bKself", Some("t"));
    let client = layer.send(t0, bye.clone(), peer(), &mut out);
    let IncomingRequest::New { tx: server, request } = layer.on_request(t0, bye, peer(), &mut out) else {
        panic!("the looped-back BYE is a new server transaction");
    };
    assert_ne!(client, server);
    out.clear();
    layer.respond(t0, server, &response_to(&request, 200, None), &mut out);
    let ok = out.pop_front().expect("200 sent");
    let Ok(Message::Response(ok)) = Message::parse(&ok.payload) else {
        panic!("200 does not parse");
    };
    layer.on_response(t0, ok, &mut out);
    assert!(matches!(
        layer.poll_event(),
        Some(TxEvent::Response { tx, .. }) if tx == client
    ));
}

#[test]
fn cancel_request_copies_the_invite_branch_and_request_uri() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let invite = request("INVITE", "z9hG4bKc1", None);
    let tx = layer.send(t0, invite.clone(), peer(), &mut out);
    layer.on_response(t0, response_to(&invite, 180, Some("r")), &mut out);
    out.clear();
    let cancel_tx = layer.cancel(t0, tx, &mut out).expect("CANCEL allowed");
    assert_ne!(cancel_tx, tx);
    let cancel = layer.client_request(cancel_tx).expect("stored");
    assert_eq!(cancel.method, Method::Cancel);
    assert_eq!(cancel.uri, invite.uri);
    assert_eq!(cancel.headers.top_via(), invite.headers.top_via());
    assert_eq!(cancel.headers.to().and_then(|t| t.tag()), None);
    assert_eq!(cancel.headers.cseq().map(|c| c.seq), Some(1));
    assert_eq!(out.len(), 1);
}

#[test]
fn rfc2543_ack_without_cookie_matches_its_invite() {
    let t0 = Instant::now();
    let mut layer = Transactions::new(cfg());
    let mut out = VecDeque::new();
    let invite = request("INVITE", "oldstyle", None);
    let IncomingRequest::New { tx, request } = layer.on_request(t0, invite, peer(), &mut out) else {
        panic!("new transaction expected");
    };
    layer.respond(t0, tx, &response_to(&request, 486, Some("me")), &mut out);
    let ack = request_with_method(&request, Method::Ack);
    assert!(matches!(
        layer.on_request(t0, ack, peer(), &mut out),
        IncomingRequest::Absorbed
    ));
}

fn request_with_method(req: &Request, method: Method) -> Request {
    let mut r = req.clone();
    r.method = method.clone();
    for h in &mut r.headers.0 {
        if let Header::CSeq(c) = h {
            c.method = method.clone();
        }
    }
    r
}
