//! What the user agent answers to requests it cannot or will not serve, and
//! robustness against bad input and bad clocks.

mod ua_harness;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use fxs_sip::{Header, Message, Method, Response, StatusCode, UaConfig, UserAgent};
use proptest::prelude::*;
use ua_harness::*;

fn scanner() -> SocketAddr {
    addr("203.0.113.9:5099")
}

/// Send `text` to a fresh UA and return everything it transmitted.
fn answers(text: &str) -> Vec<(SocketAddr, Vec<u8>)> {
    let mut net = Net::new();
    net.add_ua(b_addr(), 2);
    net.inject(scanner(), b_addr(), text.as_bytes());
    net.sent_by(b_addr(), |_| true)
        .into_iter()
        .map(|p| (p.to, p.payload))
        .collect()
}

fn only_response(text: &str) -> (SocketAddr, Response) {
    let sent = answers(text);
    assert_eq!(sent.len(), 1, "exactly one answer expected, got {}", sent.len());
    let (to, payload) = &sent[0];
    match Message::parse(payload) {
        Ok(Message::Response(r)) => (*to, r),
        other => panic!("answer is not a response: {other:?}"),
    }
}

fn request(method: &str, extra: &str, to_tag: bool) -> String {
    let tag = if to_tag { ";tag=nosuchdialog" } else { "" };
    format!(
        "{method} sip:1002@10.0.0.2:5060 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 203.0.113.9:5099;branch=z9hG4bKscan1;rport\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:scanner@203.0.113.9>;tag=s1\r\n\
         To: <sip:1002@10.0.0.2>{tag}\r\n\
         Call-ID: scan-1@203.0.113.9\r\n\
         CSeq: 7 {method}\r\n\
         {extra}\
         Content-Length: 0\r\n\r\n"
    )
}

#[test]
fn a_malformed_request_gets_400_naming_the_missing_header() {
    let text = "INVITE sip:1002@10.0.0.2 SIP/2.0\r\n\
        Via: SIP/2.0/UDP 203.0.113.9:5099;branch=z9hG4bKbad\r\n\
        From: <sip:scanner@203.0.113.9>;tag=s1\r\n\
        To: <sip:1002@10.0.0.2>\r\n\
        CSeq: 1 INVITE\r\n\
        Content-Length: 0\r\n\r\n";
    let sent = answers(text);
    assert_eq!(sent.len(), 1);
    let (to, payload) = &sent[0];
    assert_eq!(*to, scanner(), "the Via cannot be trusted: back to the source");
    // The answer cannot carry the Call-ID the request lacks, so it is checked
    // as text: status line with the defect, and the copied headers.
    let text = String::from_utf8_lossy(payload);
    assert!(
        text.starts_with("SIP/2.0 400 Missing Call-ID header\r\n"),
        "{text}"
    );
    assert!(text.contains("\r\nVia: SIP/2.0/UDP 203.0.113.9:5099;branch=z9hG4bKbad\r\n"));
    assert!(text.contains("\r\nCSeq: 1 INVITE\r\n"));
    assert!(text.contains("\r\nFrom: <sip:scanner@203.0.113.9>;tag=s1\r\n"));
}

#[test]
fn a_request_with_a_bad_header_value_gets_400_naming_the_header() {
    let text = request("OPTIONS", "", false).replace("Max-Forwards: 70", "Max-Forwards: lots");
    let (_, response) = only_response(&text);
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.reason.contains("Max-Forwards"), "{}", response.reason);
    assert_eq!(response.headers.call_id(), Some("scan-1@203.0.113.9"));
}

#[test]
fn a_request_with_a_cseq_method_mismatch_gets_400() {
    let text = request("OPTIONS", "", false).replace("CSeq: 7 OPTIONS", "CSeq: 7 INVITE");
    let (_, response) = only_response(&text);
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
    assert!(response.reason.contains("CSeq"), "{}", response.reason);
}

#[test]
fn an_unknown_method_gets_501_with_allow() {
    let (to, response) = only_response(&request("FOOBAR", "", false));
    assert_eq!(to, scanner(), "rport: back to the source port");
    assert_eq!(response.status, StatusCode::NOT_IMPLEMENTED);
    let allow = response.headers.iter().find_map(|h| match h {
        Header::Allow(m) => Some(m.clone()),
        _ => None,
    });
    let allow = allow.expect("Allow header");
    for m in [
        Method::Invite,
        Method::Ack,
        Method::Cancel,
        Method::Bye,
        Method::Options,
    ] {
        assert!(allow.contains(&m), "Allow lacks {m}");
    }
    assert!(response.headers.to().and_then(|t| t.tag()).is_some());
}

#[test]
fn a_known_but_unserved_method_gets_405() {
    let (_, response) = only_response(&request("SUBSCRIBE", "Event: presence\r\n", false));
    assert_eq!(response.status, StatusCode::METHOD_NOT_ALLOWED);
}

#[test]
fn bye_for_an_unknown_dialog_gets_481() {
    let (_, response) = only_response(&request("BYE", "", true));
    assert_eq!(response.status, StatusCode::CALL_DOES_NOT_EXIST);
    let (_, response) = only_response(&request("BYE", "", false));
    assert_eq!(response.status, StatusCode::CALL_DOES_NOT_EXIST);
}

#[test]
fn cancel_without_a_matching_invite_gets_481() {
    let (_, response) = only_response(&request("CANCEL", "", false));
    assert_eq!(response.status, StatusCode::CALL_DOES_NOT_EXIST);
}

#[test]
fn options_gets_200_with_allow_accept_and_supported() {
    let (_, response) = only_response(&request("OPTIONS", "", false));
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.headers.iter().any(|h| matches!(h, Header::Allow(_))));
    assert!(response.headers.iter().any(|h| matches!(h, Header::Supported(_))));
    assert_eq!(response.headers.other("Accept"), Some("application/sdp"));
}

#[test]
fn a_required_extension_we_lack_gets_420_with_unsupported() {
    let (_, response) = only_response(&request("OPTIONS", "Require: foo, 100rel\r\n", false));
    assert_eq!(response.status, StatusCode::BAD_EXTENSION);
    let unsupported: Vec<_> = response.headers.unsupported().collect();
    assert_eq!(unsupported, ["foo", "100rel"]);
}

#[test]
fn an_invite_with_a_non_sdp_body_gets_415_with_accept() {
    let text = "INVITE sip:1002@10.0.0.2 SIP/2.0\r\n\
        Via: SIP/2.0/UDP 203.0.113.9:5099;branch=z9hG4bKtxt\r\n\
        Max-Forwards: 70\r\n\
        From: <sip:scanner@203.0.113.9>;tag=s1\r\n\
        To: <sip:1002@10.0.0.2>\r\n\
        Call-ID: scan-2@203.0.113.9\r\n\
        CSeq: 1 INVITE\r\n\
        Content-Type: text/plain\r\n\
        Content-Length: 5\r\n\r\nhello";
    let sent = answers(text);
    let statuses: Vec<u16> = sent
        .iter()
        .filter_map(|(_, p)| match Message::parse(p) {
            Ok(Message::Response(r)) => Some(r.status.0),
            _ => None,
        })
        .collect();
    assert_eq!(statuses, [100, 415]);
    let Ok(Message::Response(r)) = Message::parse(&sent[1].1) else {
        unreachable!()
    };
    assert_eq!(r.headers.other("Accept"), Some("application/sdp"));
}

#[test]
fn an_invite_with_a_malformed_sdp_offer_gets_488_naming_the_defect() {
    let body = "v=0\r\no=- 1 1 IN IP4 203.0.113.9\r\ns=-\r\nt=0 0\r\nm=audio notaport RTP/AVP 0\r\n";
    let text = format!(
        "INVITE sip:1002@10.0.0.2 SIP/2.0\r\n\
        Via: SIP/2.0/UDP 203.0.113.9:5099;branch=z9hG4bKsdp\r\n\
        Max-Forwards: 70\r\n\
        From: <sip:scanner@203.0.113.9>;tag=s1\r\n\
        To: <sip:1002@10.0.0.2>\r\n\
        Call-ID: scan-3@203.0.113.9\r\n\
        CSeq: 1 INVITE\r\n\
        Content-Type: application/sdp\r\n\
        Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let finals: Vec<(u16, String)> = answers(&text)
        .iter()
        .filter_map(|(_, p)| match Message::parse(p) {
            Ok(Message::Response(r)) if r.status.0 >= 200 => Some((r.status.0, r.reason)),
            _ => None,
        })
        .collect();
    assert_eq!(finals, [(488, "Malformed SDP body".to_owned())]);
}

#[test]
fn malformed_responses_and_garbage_are_dropped_silently() {
    assert!(answers("SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n").is_empty());
    assert!(answers("\r\n\r\n").is_empty());
    assert!(answers("hello world").is_empty());
    // A well-formed response nobody asked for is dropped too.
    let stray = "SIP/2.0 200 OK\r\n\
        Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKnotours\r\n\
        From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\n\
        Call-ID: c@x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    assert!(answers(stray).is_empty());
}

#[test]
fn time_going_backwards_is_ignored() {
    let t0 = Instant::now() + Duration::from_secs(100);
    let mut ua = UserAgent::new(
        UaConfig {
            local_addr: a_addr(),
            ..UaConfig::default()
        },
        t0,
    );
    let _ = ua.register(t0, registration("1001"));
    let _ = ua.poll_transmit().expect("REGISTER");
    let deadline = ua.poll_timeout().expect("Timer E");
    assert_eq!(deadline, t0 + Duration::from_millis(500));
    // A clock that jumps back neither fires nor moves the deadline.
    ua.handle_timeout(t0 - Duration::from_secs(50));
    assert!(ua.poll_transmit().is_none());
    assert_eq!(ua.poll_timeout(), Some(deadline));
    // A command stamped in the past is treated as happening at the latest
    // instant seen.
    ua.handle_timeout(deadline);
    assert!(ua.poll_transmit().is_some(), "retransmission at T1");
    let next = ua.poll_timeout().expect("next Timer E");
    assert_eq!(next, deadline + Duration::from_secs(1));
    ua.handle_timeout(t0);
    assert!(ua.poll_transmit().is_none());
    assert_eq!(ua.poll_timeout(), Some(next));
}

#[test]
fn a_retransmitted_options_is_answered_from_the_transaction() {
    let mut net = Net::new();
    net.add_ua(b_addr(), 2);
    let text = request("OPTIONS", "", false);
    net.inject(scanner(), b_addr(), text.as_bytes());
    net.inject(scanner(), b_addr(), text.as_bytes());
    let sent = net.sent_by(b_addr(), |_| true);
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].payload, sent[1].payload, "the same response, same To tag");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_datagrams_never_panic(data in proptest::collection::vec(any::<u8>(), 0..600)) {
        let t0 = Instant::now();
        let mut ua = UserAgent::new(UaConfig { local_addr: b_addr(), ..UaConfig::default() }, t0);
        ua.handle_datagram(t0, scanner(), &data);
        while ua.poll_transmit().is_some() {}
        while ua.poll_event().is_some() {}
    }

    #[test]
    fn mutated_requests_never_panic(
        method in prop::sample::select(vec!["INVITE", "BYE", "CANCEL", "ACK", "OPTIONS", "X"]),
        cut in 0usize..400,
        flip in 0usize..400,
        byte in any::<u8>(),
    ) {
        let mut data = request(method, "", flip % 2 == 0).into_bytes();
        if let Some(b) = data.get_mut(flip) {
            *b = byte;
        }
        data.truncate(cut.max(1));
        let t0 = Instant::now();
        let mut ua = UserAgent::new(UaConfig { local_addr: b_addr(), ..UaConfig::default() }, t0);
        ua.handle_datagram(t0, scanner(), &data);
        ua.handle_timeout(t0 + Duration::from_secs(40));
        while ua.poll_transmit().is_some() {}
        while ua.poll_event().is_some() {}
    }
}
