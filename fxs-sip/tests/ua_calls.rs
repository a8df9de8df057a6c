//! Calls between two user agents through the in-test proxy: setup,
//! teardown from either side, CANCEL, rejection, digest on INVITE, lost
//! messages and their retransmission.

mod ua_harness;

use std::time::Duration;

use fxs_sip::{CallId, EndReason, Header, Method, RegistrationId, StatusCode, UaEvent, Uri};
use ua_harness::*;

const A: usize = 0;
const B: usize = 1;

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

fn target(user: &str) -> Uri {
    Uri::parse(&format!("sip:{user}@{DOMAIN}")).expect("target URI")
}

/// A and B registered; returns A's registration.
fn registered_pair() -> (Net, RegistrationId) {
    let mut net = Net::pair();
    let reg = net.register(A, "1001");
    net.register(B, "1002");
    for node in &mut net.nodes {
        node.events.clear();
    }
    (net, reg)
}

/// A calls 1002; returns (A's call, B's call) once B has the IncomingCall.
fn place_call(net: &mut Net, reg: RegistrationId) -> (CallId, CallId) {
    let call = net.with_ua(A, |ua, now| {
        ua.invite(now, reg, target("1002"), sdp("10.0.0.1", 40000))
    });
    let incoming = net.nodes[B].events.iter().find_map(|(_, e)| match e {
        UaEvent::IncomingCall { call, .. } => Some(*call),
        _ => None,
    });
    (call, incoming.expect("B got the call"))
}

fn ended(net: &Net, i: usize) -> Option<EndReason> {
    net.events(i).into_iter().find_map(|e| match e {
        UaEvent::Ended { reason, .. } => Some(reason),
        _ => None,
    })
}

fn answered_count(net: &Net, i: usize) -> usize {
    net.events(i)
        .iter()
        .filter(|e| matches!(e, UaEvent::Answered { .. }))
        .count()
}

/// Bring a call up: ring, answer, ACK.
fn establish(net: &mut Net, reg: RegistrationId) -> (CallId, CallId) {
    let (a_call, b_call) = place_call(net, reg);
    net.with_ua(B, |ua, now| ua.ringing(now, b_call));
    net.with_ua(B, |ua, now| ua.answer(now, b_call, sdp("10.0.0.2", 50000)));
    assert_eq!(answered_count(net, A), 1);
    assert_eq!(answered_count(net, B), 1);
    (a_call, b_call)
}

#[test]
fn call_setup_goes_invite_100_180_200_ack_and_caller_bye_ends_both_sides() {
    let (mut net, reg) = registered_pair();
    let (a_call, b_call) = place_call(&mut net, reg);
    match &net.events(B)[0] {
        UaEvent::IncomingCall {
            user, from, offer, ..
        } => {
            assert_eq!(user, "1002");
            assert_eq!(from.uri.to_string(), "sip:1001@pbx.test");
            assert!(from.tag().is_some());
            assert_eq!(offer.as_ref(), Some(&sdp("10.0.0.1", 40000)));
        }
        other => panic!("expected IncomingCall, got {other:?}"),
    }
    let invite = net
        .sent_by(a_addr(), |p| p.is_request(&Method::Invite))
        .first()
        .and_then(|p| p.request())
        .expect("INVITE");
    assert_eq!(invite.uri.to_string(), "sip:1002@pbx.test");
    assert_eq!(invite.headers.max_forwards(), Some(70));
    assert!(invite.headers.to().is_some_and(|t| t.tag().is_none()));
    assert!(
        invite
            .headers
            .content_type()
            .is_some_and(|t| t.is("application", "sdp"))
    );
    assert_eq!(
        invite.headers.contact().map(|c| c.uri.to_string()).as_deref(),
        Some("sip:1001@10.0.0.1:5060")
    );
    assert!(
        invite
            .headers
            .iter()
            .any(|h| matches!(h, Header::Allow(m) if m.contains(&Method::Cancel)))
    );
    assert!(invite.headers.iter().any(|h| matches!(h, Header::Supported(_))));
    assert!(invite.headers.iter().any(|h| matches!(h, Header::UserAgent(_))));
    // B answered 100 Trying at once.
    assert!(
        !net.sent_by(b_addr(), |p| p.is_response(100, &Method::Invite))
            .is_empty()
    );

    net.with_ua(B, |ua, now| ua.ringing(now, b_call));
    assert_eq!(
        net.events(A),
        [UaEvent::Progress {
            call: a_call,
            status: StatusCode::RINGING,
            sdp: None
        }]
    );
    net.with_ua(B, |ua, now| ua.answer(now, b_call, sdp("10.0.0.2", 50000)));
    assert_eq!(
        net.events(A)[1],
        UaEvent::Answered {
            call: a_call,
            sdp: Some(sdp("10.0.0.2", 50000))
        }
    );
    assert_eq!(
        net.events(B)[1],
        UaEvent::Answered {
            call: b_call,
            sdp: None
        }
    );

    let ok = net
        .sent_by(b_addr(), |p| p.is_response(200, &Method::Invite))
        .first()
        .and_then(|p| p.response())
        .expect("200 OK");
    let b_tag = ok.headers.to().and_then(|t| t.tag()).expect("To tag").to_owned();
    assert_eq!(
        ok.headers.contact().map(|c| c.uri.to_string()).as_deref(),
        Some("sip:1002@10.0.0.2:5060")
    );
    // The ACK is end-to-end: straight to B's Contact, new branch, INVITE's CSeq.
    let acks = net.sent_by(a_addr(), |p| p.is_request(&Method::Ack));
    assert_eq!(acks.len(), 1);
    assert_eq!(acks[0].to, b_addr());
    let ack = acks[0].request().expect("ACK parses");
    assert_eq!(ack.uri.to_string(), "sip:1002@10.0.0.2:5060");
    assert_eq!(
        ack.headers.cseq().map(|c| c.seq),
        invite.headers.cseq().map(|c| c.seq)
    );
    assert_ne!(
        ack.headers.top_via().and_then(|v| v.branch()),
        invite.headers.top_via().and_then(|v| v.branch())
    );
    assert_eq!(ack.headers.to().and_then(|t| t.tag()), Some(b_tag.as_str()));

    net.with_ua(A, |ua, now| ua.hangup(now, a_call));
    let bye = net
        .sent_by(a_addr(), |p| p.is_request(&Method::Bye))
        .first()
        .and_then(|p| p.request())
        .expect("BYE");
    assert_eq!(
        bye.headers.cseq().map(|c| c.seq),
        invite.headers.cseq().map(|c| c.seq + 1)
    );
    assert_eq!(ended(&net, A), Some(EndReason::LocalHangup));
    assert_eq!(ended(&net, B), Some(EndReason::RemoteHangup));
    assert!(net.ua(A).is_idle() && net.ua(B).is_idle());
}

#[test]
fn callee_bye_ends_the_call_on_both_sides() {
    let (mut net, reg) = registered_pair();
    let (_, b_call) = establish(&mut net, reg);
    net.with_ua(B, |ua, now| ua.hangup(now, b_call));
    let bye = net.sent_by(b_addr(), |p| p.is_request(&Method::Bye));
    assert_eq!(bye.len(), 1);
    assert_eq!(bye[0].to, a_addr(), "BYE goes to the caller's Contact");
    let bye = bye[0].request().unwrap();
    assert_eq!(bye.uri.to_string(), "sip:1001@10.0.0.1:5060");
    assert_eq!(ended(&net, B), Some(EndReason::LocalHangup));
    assert_eq!(ended(&net, A), Some(EndReason::RemoteHangup));
}

#[test]
fn record_route_keeps_in_dialog_requests_on_the_proxy() {
    let (mut net, reg) = registered_pair();
    net.proxy().record_route = true;
    let (a_call, _) = establish(&mut net, reg);
    let ack = net.sent_by(a_addr(), |p| p.is_request(&Method::Ack));
    assert_eq!(ack[0].to, proxy_addr());
    let ack = ack[0].request().unwrap();
    let routes: Vec<String> = ack.headers.routes().map(|r| r.uri.to_string()).collect();
    assert_eq!(routes, ["sip:10.0.0.100:5060;lr"]);
    assert_eq!(ack.uri.to_string(), "sip:1002@10.0.0.2:5060");
    net.with_ua(A, |ua, now| ua.hangup(now, a_call));
    let bye = net.sent_by(a_addr(), |p| p.is_request(&Method::Bye));
    assert_eq!(bye[0].to, proxy_addr());
    assert_eq!(ended(&net, B), Some(EndReason::RemoteHangup));
    assert_eq!(ended(&net, A), Some(EndReason::LocalHangup));
}

#[test]
fn caller_hangup_while_ringing_sends_cancel_and_ends_after_487() {
    let (mut net, reg) = registered_pair();
    let (a_call, b_call) = place_call(&mut net, reg);
    net.with_ua(B, |ua, now| ua.ringing(now, b_call));
    net.with_ua(A, |ua, now| ua.hangup(now, a_call));
    let cancel = net.sent_by(a_addr(), |p| p.is_request(&Method::Cancel));
    assert_eq!(cancel.len(), 1);
    let cancel = cancel[0].request().unwrap();
    let invite = net.sent_by(a_addr(), |p| p.is_request(&Method::Invite))[0]
        .request()
        .unwrap();
    assert_eq!(cancel.uri, invite.uri);
    assert_eq!(cancel.headers.top_via(), invite.headers.top_via());
    let cancel_ok = net.sent_by(b_addr(), |p| p.is_response(200, &Method::Cancel));
    let terminated = net.sent_by(b_addr(), |p| p.is_response(487, &Method::Invite));
    assert_eq!((cancel_ok.len(), terminated.len()), (1, 1));
    let tag = |p: &Packet| {
        p.response()
            .and_then(|r| r.headers.to().and_then(|t| t.tag().map(str::to_owned)))
    };
    assert!(tag(&terminated[0]).is_some());
    assert_eq!(tag(&cancel_ok[0]), tag(&terminated[0]), "same To tag");
    // The 487 is acknowledged hop by hop (same branch as the INVITE).
    let ack = net.sent_by(a_addr(), |p| p.is_request(&Method::Ack));
    assert_eq!(ack.len(), 1);
    assert_eq!(
        ack[0]
            .request()
            .unwrap()
            .headers
            .top_via()
            .and_then(|v| v.branch()),
        invite.headers.top_via().and_then(|v| v.branch())
    );
    assert_eq!(ended(&net, B), Some(EndReason::Cancelled));
    assert_eq!(ended(&net, A), Some(EndReason::LocalHangup));
    // B's INVITE transaction saw the ACK: no 487 retransmissions later.
    let count = net
        .sent_by(b_addr(), |p| p.is_response(487, &Method::Invite))
        .len();
    net.run_for(secs(40.0));
    assert_eq!(
        net.sent_by(b_addr(), |p| p.is_response(487, &Method::Invite))
            .len(),
        count
    );
}

#[test]
fn hangup_before_any_provisional_response_waits_for_one_to_cancel() {
    let (mut net, reg) = registered_pair();
    // Hold back B's answers for a second.
    net.set_drop(|p| p.from == b_addr() && p.at < Duration::from_secs(1) && p.response().is_some());
    let a_call = net.with_ua(A, |ua, now| {
        let call = ua.invite(now, reg, target("1002"), sdp("10.0.0.1", 40000));
        ua.hangup(now, call);
        call
    });
    assert!(
        net.sent_by(a_addr(), |p| p.is_request(&Method::Cancel))
            .is_empty(),
        "no CANCEL before a provisional response"
    );
    net.set_drop(|_| false);
    // The INVITE retransmission at 0.5 s is answered again with 100 by B's
    // transaction; that one gets through and releases the CANCEL.
    net.drive_bounded(50, |n| ended(n, A).is_some());
    let cancel = net.sent_by(a_addr(), |p| p.is_request(&Method::Cancel));
    assert_eq!(cancel.len(), 1);
    let first_provisional = net
        .log
        .iter()
        .position(|p| {
            p.to == a_addr() && !p.dropped && p.response().is_some_and(|r| r.status.is_provisional())
        })
        .expect("a provisional reached A");
    let cancel_index = net
        .log
        .iter()
        .position(|p| p.from == a_addr() && p.is_request(&Method::Cancel))
        .unwrap();
    assert!(cancel_index > first_provisional);
    assert_eq!(ended(&net, A), Some(EndReason::LocalHangup));
    assert_eq!(ended(&net, B), Some(EndReason::Cancelled));
    let _ = a_call;
}

#[test]
fn callee_rejection_ends_the_call_with_its_status() {
    let (mut net, reg) = registered_pair();
    let (_, b_call) = place_call(&mut net, reg);
    net.with_ua(B, |ua, now| ua.reject(now, b_call, StatusCode::BUSY_HERE));
    assert_eq!(ended(&net, A), Some(EndReason::Rejected(StatusCode::BUSY_HERE)));
    assert_eq!(ended(&net, B), Some(EndReason::Rejected(StatusCode::BUSY_HERE)));
    // The ACK reached B's transaction: no 486 retransmissions.
    net.run_for(secs(40.0));
    assert_eq!(
        net.sent_by(b_addr(), |p| p.is_response(486, &Method::Invite))
            .len(),
        1
    );
}

#[test]
fn unanswered_incoming_call_hung_up_gets_480() {
    let (mut net, reg) = registered_pair();
    let (_, b_call) = place_call(&mut net, reg);
    net.with_ua(B, |ua, now| ua.hangup(now, b_call));
    assert_eq!(
        net.sent_by(b_addr(), |p| p.is_response(480, &Method::Invite))
            .len(),
        1
    );
    assert_eq!(ended(&net, B), Some(EndReason::LocalHangup));
    assert_eq!(
        ended(&net, A),
        Some(EndReason::Rejected(StatusCode::TEMPORARILY_UNAVAILABLE))
    );
}

#[test]
fn proxy_challenge_on_invite_is_answered_with_a_new_cseq_and_the_same_dialog_ids() {
    let (mut net, reg) = registered_pair();
    net.proxy().challenge_invites = true;
    let (a_call, b_call) = place_call(&mut net, reg);
    let invites: Vec<_> = net
        .sent_by(a_addr(), |p| p.is_request(&Method::Invite))
        .iter()
        .filter_map(|p| p.request())
        .collect();
    assert_eq!(invites.len(), 2);
    let (first, second) = (&invites[0], &invites[1]);
    assert!(first.headers.proxy_authorization().is_none());
    let creds = second.headers.proxy_authorization().expect("Proxy-Authorization");
    assert_eq!(creds.uri, "sip:1002@pbx.test");
    assert_eq!(first.headers.call_id(), second.headers.call_id());
    assert_eq!(
        first.headers.from().and_then(|f| f.tag()),
        second.headers.from().and_then(|f| f.tag())
    );
    assert_eq!(
        second.headers.cseq().map(|c| c.seq),
        first.headers.cseq().map(|c| c.seq + 1)
    );
    // The 407 was acknowledged by the transaction.
    assert_eq!(net.sent_by(a_addr(), |p| p.is_request(&Method::Ack)).len(), 1);
    net.with_ua(B, |ua, now| ua.answer(now, b_call, sdp("10.0.0.2", 50000)));
    assert!(net.has_event(
        A,
        |e| matches!(e, UaEvent::Answered { call, .. } if *call == a_call)
    ));
}

#[test]
fn lost_200_ok_is_retransmitted_until_the_ack_arrives() {
    let (mut net, reg) = registered_pair();
    let (a_call, b_call) = place_call(&mut net, reg);
    let mut lost = 0;
    net.set_drop(move |p| {
        if p.from == b_addr() && p.is_response(200, &Method::Invite) && lost < 2 {
            lost += 1;
            return true;
        }
        false
    });
    let answered_at = net.elapsed();
    net.with_ua(B, |ua, now| ua.answer(now, b_call, sdp("10.0.0.2", 50000)));
    net.drive_bounded(20, |n| answered_count(n, B) == 1);
    let times: Vec<Duration> = net
        .sent_by(b_addr(), |p| p.is_response(200, &Method::Invite))
        .iter()
        .map(|p| p.at - answered_at)
        .collect();
    assert_eq!(times, [secs(0.0), secs(0.5), secs(1.5)]);
    assert!(net.has_event(
        A,
        |e| matches!(e, UaEvent::Answered { call, .. } if *call == a_call)
    ));
    // Nothing more after the ACK.
    net.run_for(secs(60.0));
    assert_eq!(
        net.sent_by(b_addr(), |p| p.is_response(200, &Method::Invite))
            .len(),
        3
    );
    assert_eq!(answered_count(&net, A), 1);
}

#[test]
fn a_lost_ack_is_sent_again_when_the_200_is_retransmitted() {
    let (mut net, reg) = registered_pair();
    let (_, b_call) = place_call(&mut net, reg);
    let mut lost = false;
    net.set_drop(move |p| {
        if p.is_request(&Method::Ack) && !lost {
            lost = true;
            return true;
        }
        false
    });
    net.with_ua(B, |ua, now| ua.answer(now, b_call, sdp("10.0.0.2", 50000)));
    assert_eq!(answered_count(&net, A), 1);
    assert_eq!(answered_count(&net, B), 0);
    net.drive_bounded(20, |n| answered_count(n, B) == 1);
    let acks = net.sent_by(a_addr(), |p| p.is_request(&Method::Ack));
    assert_eq!(acks.len(), 2);
    assert_eq!(acks[0].payload, acks[1].payload, "the same ACK again");
    assert_eq!(answered_count(&net, A), 1, "a retransmitted 200 is no new answer");
}

#[test]
fn a_200_never_acknowledged_is_ended_with_bye_after_64_t1() {
    let (mut net, reg) = registered_pair();
    let (_, b_call) = place_call(&mut net, reg);
    net.set_drop(|p| p.is_request(&Method::Ack));
    let answered_at = net.elapsed();
    net.with_ua(B, |ua, now| ua.answer(now, b_call, sdp("10.0.0.2", 50000)));
    net.drive_bounded(100, |n| ended(n, B).is_some());
    assert_eq!(net.elapsed() - answered_at, secs(32.0));
    assert_eq!(ended(&net, B), Some(EndReason::Timeout));
    // 200 retransmitted at 0, .5, 1.5, 3.5, 7.5, then every T2 = 4 s.
    let times: Vec<Duration> = net
        .sent_by(b_addr(), |p| p.is_response(200, &Method::Invite))
        .iter()
        .map(|p| p.at - answered_at)
        .collect();
    assert_eq!(&times[..7], [0.0, 0.5, 1.5, 3.5, 7.5, 11.5, 15.5].map(secs));
    assert!(!net.sent_by(b_addr(), |p| p.is_request(&Method::Bye)).is_empty());
    assert_eq!(ended(&net, A), Some(EndReason::RemoteHangup));
}

#[test]
fn invite_retransmissions_follow_timer_a_and_timer_b_ends_the_call_at_32_s() {
    let (mut net, reg) = registered_pair();
    net.set_drop(|p| p.from == a_addr() && p.is_request(&Method::Invite));
    let start = net.elapsed();
    let a_call = net.with_ua(A, |ua, now| {
        ua.invite(now, reg, target("1002"), sdp("10.0.0.1", 40000))
    });
    net.drive_bounded(50, |n| ended(n, A).is_some());
    let times: Vec<Duration> = net
        .sent_by(a_addr(), |p| p.is_request(&Method::Invite))
        .iter()
        .map(|p| p.at - start)
        .collect();
    assert_eq!(times, [0.0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5].map(secs));
    let gaps: Vec<Duration> = times.windows(2).map(|w| w[1] - w[0]).collect();
    assert_eq!(&gaps[..3], [secs(0.5), secs(1.0), secs(2.0)]);
    assert_eq!(net.elapsed() - start, secs(32.0));
    assert_eq!(
        net.events(A),
        [UaEvent::Ended {
            call: a_call,
            reason: EndReason::Timeout
        }]
    );
    assert!(net.ua(A).is_idle());
}

#[test]
fn a_gateway_can_call_itself_through_the_proxy() {
    let (mut net, reg) = registered_pair();
    let a_out = net.with_ua(A, |ua, now| {
        ua.invite(now, reg, target("1001"), sdp("10.0.0.1", 40000))
    });
    let a_in = net.nodes[A]
        .events
        .iter()
        .find_map(|(_, e)| match e {
            UaEvent::IncomingCall { call, .. } => Some(*call),
            _ => None,
        })
        .expect("the call came back in");
    assert_ne!(a_out, a_in);
    net.with_ua(A, |ua, now| ua.answer(now, a_in, sdp("10.0.0.1", 40002)));
    assert_eq!(answered_count(&net, A), 2);
    net.with_ua(A, |ua, now| ua.hangup(now, a_out));
    let ends: Vec<(CallId, EndReason)> = net
        .events(A)
        .into_iter()
        .filter_map(|e| match e {
            UaEvent::Ended { call, reason } => Some((call, reason)),
            _ => None,
        })
        .collect();
    assert_eq!(
        ends,
        [(a_in, EndReason::RemoteHangup), (a_out, EndReason::LocalHangup)]
    );
    assert!(net.ua(A).is_idle());
}

#[test]
fn invite_from_an_unknown_registration_ends_at_once() {
    let mut net = Net::pair();
    let call = net.with_ua(A, |ua, now| {
        ua.invite(now, RegistrationId(99), target("1002"), sdp("10.0.0.1", 40000))
    });
    assert_eq!(
        net.events(A),
        [UaEvent::Ended {
            call,
            reason: EndReason::TransportError
        }]
    );
    assert!(net.log.is_empty());
}

#[test]
fn a_200_crossing_our_cancel_is_acknowledged_and_hung_up_with_bye() {
    let (mut net, reg) = registered_pair();
    let (a_call, b_call) = place_call(&mut net, reg);
    net.with_ua(B, |ua, now| ua.ringing(now, b_call));
    // The CANCEL (and its retransmissions) are lost: B answers meanwhile.
    net.set_drop(|p| p.is_request(&Method::Cancel));
    net.with_ua(A, |ua, now| ua.hangup(now, a_call));
    net.with_ua(B, |ua, now| ua.answer(now, b_call, sdp("10.0.0.2", 50000)));
    assert_eq!(net.sent_by(a_addr(), |p| p.is_request(&Method::Ack)).len(), 1);
    assert_eq!(net.sent_by(a_addr(), |p| p.is_request(&Method::Bye)).len(), 1);
    assert_eq!(answered_count(&net, A), 0, "the caller had hung up");
    assert_eq!(ended(&net, A), Some(EndReason::LocalHangup));
    assert_eq!(ended(&net, B), Some(EndReason::RemoteHangup));
}

#[test]
fn a_2xx_from_a_second_fork_is_acknowledged_and_hung_up() {
    let (mut net, reg) = registered_pair();
    let (a_call, _) = establish(&mut net, reg);
    let ok = net.sent_by(b_addr(), |p| p.is_response(200, &Method::Invite))[0]
        .response()
        .unwrap();
    let mut fork = ok.clone();
    if let Some(to) = fork.headers.to_mut() {
        to.set_tag("fork2");
    }
    // What the proxy would relay: its own Via removed.
    fork.headers.remove_top_via();
    let before_ack = net.sent_by(a_addr(), |p| p.is_request(&Method::Ack)).len();
    net.inject(proxy_addr(), a_addr(), &fork.to_bytes());
    let acks = net.sent_by(a_addr(), |p| p.is_request(&Method::Ack));
    assert_eq!(acks.len(), before_ack + 1);
    let byes = net.sent_by(a_addr(), |p| p.is_request(&Method::Bye));
    assert_eq!(byes.len(), 1);
    let bye = byes[0].request().unwrap();
    assert_eq!(bye.headers.to().and_then(|t| t.tag()), Some("fork2"));
    // A retransmission of that 2xx only gets the ACK again.
    net.inject(proxy_addr(), a_addr(), &fork.to_bytes());
    assert_eq!(
        net.sent_by(a_addr(), |p| p.is_request(&Method::Ack)).len(),
        before_ack + 2
    );
    assert_eq!(net.sent_by(a_addr(), |p| p.is_request(&Method::Bye)).len(), 1);
    // The first dialog is untouched.
    assert_eq!(answered_count(&net, A), 1);
    assert!(ended(&net, A).is_none());
    net.with_ua(A, |ua, now| ua.hangup(now, a_call));
    assert_eq!(ended(&net, A), Some(EndReason::LocalHangup));
}
