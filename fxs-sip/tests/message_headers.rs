//! The typed extension headers (Event, Refer-To, Replaces, Alert-Info,
//! Session-Expires, RAck, P-Asserted-Identity, Reason...), tel URIs (RFC
//! 3966) and absolute URIs of other schemes, each from a realistic value.

use fxs_sip::{Header, Message, Method, Scheme, Uri};

/// A NOTIFY carrying `extra` header lines.
fn with_headers(extra: &str) -> Message {
    let text = format!(
        "NOTIFY sip:1001@192.0.2.10:5060 SIP/2.0\r\n\
         Via: SIP/2.0/UDP 198.51.100.7;branch=z9hG4bK8a\r\n\
         From: <sip:pbx.example.com>;tag=p1\r\n\
         To: <sip:1001@pbx.example.com>;tag=g1\r\n\
         Call-ID: hdr-1@198.51.100.7\r\n\
         CSeq: 3 NOTIFY\r\n\
         {extra}\
         Content-Length: 0\r\n\r\n"
    );
    Message::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

fn round_trip(m: &Message) {
    assert_eq!(Message::parse(&m.to_bytes()).as_ref(), Ok(m));
}

#[test]
fn subscription_headers_are_typed() {
    let m = with_headers(
        "o: message-summary;id=7\r\n\
         Subscription-State: terminated;reason=timeout;retry-after=30\r\n",
    );
    let h = m.headers();
    let event = h.event().unwrap();
    assert_eq!(
        (event.value.as_str(), event.param("id")),
        ("message-summary", Some(Some("7")))
    );
    let state = h.subscription_state().unwrap();
    assert_eq!(state.value, "terminated");
    assert_eq!(state.param("reason"), Some(Some("timeout")));
    round_trip(&m);
}

#[test]
fn transfer_headers_are_typed() {
    let m = with_headers(
        "Refer-To: <sip:carol@example.com?Replaces=abc%40a.example%3Bto-tag%3D1%3Bfrom-tag%3D2>\r\n\
         b: \"Alice\" <sip:alice@example.com>;cid=\"20398823.2UWQFN309shb3@referrer.example\"\r\n\
         Replaces: 98732@sip.example.com;from-tag=r33th4x0r;to-tag=ff87ff;early-only\r\n",
    );
    let h = m.headers();
    let refer = h.refer_to().unwrap();
    assert_eq!(refer.uri.headers[0].name, "Replaces");
    assert_eq!(refer.uri.user.as_deref(), Some("carol"));
    assert_eq!(h.referred_by().unwrap().display_name.as_deref(), Some("Alice"));
    let r = h.replaces().unwrap();
    assert_eq!(r.call_id, "98732@sip.example.com");
    assert_eq!(
        (r.from_tag(), r.to_tag(), r.early_only()),
        (Some("r33th4x0r"), Some("ff87ff"), true)
    );
    round_trip(&m);
}

#[test]
fn ringing_control_headers_are_typed() {
    let m = with_headers(
        "Alert-Info: <http://www.example.com/sounds/moo.wav>, <urn:alert:service:call-waiting>\r\n\
         Alert-Info: <Bellcore-dr2>\r\n\
         Call-Info: <sip:pbx.example.com>;answer-after=0\r\n",
    );
    let h = m.headers();
    let alerts: Vec<_> = h.alert_info().map(|a| a.uri.as_str()).collect();
    assert_eq!(
        alerts,
        [
            "http://www.example.com/sounds/moo.wav",
            "urn:alert:service:call-waiting",
            "Bellcore-dr2"
        ]
    );
    assert_eq!(
        h.call_info().next().and_then(|c| c.param("answer-after")),
        Some(Some("0"))
    );
    round_trip(&m);
}

#[test]
fn vendor_alert_info_without_brackets_is_kept_verbatim_not_refused() {
    // sip.md §9: `Alert-Info: info=alert-autoanswer` is not RFC 3261 syntax
    let m = with_headers("Alert-Info: info=alert-autoanswer\r\nRSeq: many\r\n");
    assert_eq!(m.headers().alert_info().count(), 0);
    assert_eq!(m.headers().other("Alert-Info"), Some("info=alert-autoanswer"));
    assert_eq!(m.headers().other("RSeq"), Some("many"));
    round_trip(&m);
}

#[test]
fn session_timer_and_prack_headers_are_typed() {
    let m = with_headers(
        "x: 1800;refresher=uas\r\n\
         Min-SE: 90\r\n\
         RSeq: 988789\r\n\
         RAck: 776656 1 INVITE\r\n\
         Retry-After: 18000 (in a meeting);duration=3600\r\n",
    );
    let h = m.headers();
    let se = h.session_expires().unwrap();
    assert_eq!((se.seconds, se.refresher()), (1800, Some("uas")));
    assert_eq!(h.min_se().map(|m| m.seconds), Some(90));
    assert_eq!(h.rseq(), Some(988789));
    let rack = h.rack().unwrap();
    assert_eq!((rack.rseq, rack.cseq, &rack.method), (776656, 1, &Method::Invite));
    let ra = h.retry_after().unwrap();
    assert_eq!((ra.seconds, ra.comment.as_deref()), (18000, Some("in a meeting")));
    assert_eq!(ra.param("duration"), Some(Some("3600")));
    round_trip(&m);
}

#[test]
fn identity_privacy_and_reason_are_typed() {
    let m = with_headers(
        "P-Asserted-Identity: \"Cullen Jennings\" <sip:fluffy@cisco.com>, <tel:+14085264000>\r\n\
         Privacy: id;critical\r\n\
         Reason: Q.850;cause=16;text=\"Normal call clearing\", SIP;cause=200;text=\"Call completed elsewhere\"\r\n",
    );
    let h = m.headers();
    let ids: Vec<_> = h.p_asserted_identity().map(|a| a.uri.to_string()).collect();
    assert_eq!(ids, ["sip:fluffy@cisco.com", "tel:+14085264000"]);
    assert_eq!(h.privacy().collect::<Vec<_>>(), ["id", "critical"]);
    let reasons: Vec<_> = h
        .reasons()
        .map(|r| (r.protocol.clone(), r.cause(), r.text()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "Q.850".to_owned(),
                Some(16),
                Some("Normal call clearing".to_owned())
            ),
            (
                "SIP".to_owned(),
                Some(200),
                Some("Call completed elsewhere".to_owned())
            ),
        ]
    );
    round_trip(&m);
}

#[test]
fn content_and_option_headers_are_typed() {
    let m = with_headers(
        "Content-Disposition: session;handling=required\r\n\
         e: gzip\r\n\
         Content-Language: fr, en-GB\r\n\
         Unsupported: foo\r\n\
         Proxy-Require: bar, baz\r\n",
    );
    let h = m.headers();
    assert!(
        h.iter()
            .any(|x| matches!(x, Header::ContentDisposition(d) if d.value == "session"))
    );
    assert!(
        h.iter()
            .any(|x| *x == Header::ContentEncoding(vec!["gzip".into()]))
    );
    assert!(
        h.iter()
            .any(|x| *x == Header::ContentLanguage(vec!["fr".into(), "en-GB".into()]))
    );
    assert_eq!(h.unsupported().collect::<Vec<_>>(), ["foo"]);
    assert!(
        h.iter()
            .any(|x| *x == Header::ProxyRequire(vec!["bar".into(), "baz".into()]))
    );
    let text = String::from_utf8(m.to_bytes()).unwrap();
    assert!(
        text.contains("\r\nContent-Encoding: gzip\r\n"),
        "long names on output"
    );
    round_trip(&m);
}

#[test]
fn tel_uris_follow_rfc3966() {
    // global numbers with visual separators
    let u = Uri::parse("tel:+1-201-555-0123;ext=42").unwrap();
    assert_eq!(
        (u.scheme.clone(), u.user.as_deref()),
        (Scheme::Tel, Some("+1-201-555-0123"))
    );
    assert_eq!(u.param("ext"), Some(Some("42")));
    assert!(Uri::parse("tel:+1(201)555.0123").is_ok());
    // local numbers need a phone-context
    let u = Uri::parse("tel:7042;phone-context=example.com").unwrap();
    assert_eq!(u.param("phone-context"), Some(Some("example.com")));
    assert!(Uri::parse("tel:*67%23;phone-context=+1").is_ok());
    assert!(
        Uri::parse("tel:5550123").is_err(),
        "local number without phone-context"
    );
    assert!(Uri::parse("tel:+").is_err());
    assert!(Uri::parse("tel:+1-AB").is_err(), "global numbers are decimal");
    // round trip through Display
    for s in ["tel:+1-201-555-0123;ext=42", "tel:7042;phone-context=example.com"] {
        let u = Uri::parse(s).unwrap();
        assert_eq!(u.to_string(), s);
    }
}

#[test]
fn absolute_uris_of_other_schemes_are_opaque_in_name_addr_only() {
    let m = with_headers("P-Asserted-Identity: <urn:service:sos>\r\n");
    let pai = m.headers().p_asserted_identity().next().unwrap();
    assert_eq!(pai.uri.scheme, Scheme::Other("urn".into()));
    assert_eq!(pai.uri.user.as_deref(), Some("service:sos"));
    // Uri::parse is for SIP, SIPS and tel only: 416 for the others
    let e = Uri::parse("urn:service:sos").unwrap_err();
    assert_eq!(e.response_status().0.0, 416);
    round_trip(&m);
}

#[test]
fn ipv6_references_in_uris_and_via() {
    let m = with_headers("Contact: <sip:1001@[2001:db8::10]:5070;transport=tcp>\r\n");
    let c = m.headers().contact().unwrap();
    assert_eq!(c.uri.host, fxs_sip::Host::Ipv6("2001:db8::10".parse().unwrap()));
    assert_eq!(c.uri.port, Some(5070));
    assert!(Uri::parse("sip:[2001:db8::10").is_err(), "unterminated reference");
    assert!(
        Uri::parse("sip:2001:db8::10").is_err(),
        "IPv6 needs brackets in a URI"
    );
    round_trip(&m);
}
