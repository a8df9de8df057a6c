//! RFC 5118 IPv6 torture tests: the messages of RFC 5118 §4 as files under
//! `tests/data/rfc5118/`, with the outcome the RFC gives for each.
//!
//! The RFC's Content-Length values do not match the bodies printed in it
//! (the messages were wrapped for print); the files carry the counted length
//! of their CRLF bodies so that framing is not what is being tested.

use std::path::PathBuf;

use fxs_sip::sdp::SessionDescription;
use fxs_sip::{Host, Message};

fn data(name: &str) -> Vec<u8> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "data",
        "rfc5118",
        &format!("{name}.dat"),
    ]
    .iter()
    .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn v6(s: &str) -> Host {
    Host::Ipv6(s.parse().expect("IPv6 literal"))
}

const ACCEPT: &[&str] = &[
    "ipv6-good",
    "port-ambiguous",
    "port-unambiguous",
    "via-received-param-with-delim",
    "via-received-param-no-delim",
    "ipv6-in-sdp",
    "mult-ip-in-header",
    "mult-ip-in-sdp",
    "ipv4-mapped-ipv6",
    "ipv6-correct-abnf-2-colons",
];

#[test]
fn every_valid_rfc5118_message_parses_and_round_trips() {
    for name in ACCEPT {
        let msg = Message::parse(&data(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(Message::parse(&msg.to_bytes()).as_ref(), Ok(&msg), "{name}");
    }
}

#[test]
fn invalid_ipv6_request_uris_are_400() {
    // §4.2: an IPv6 address without brackets; §4.10: three colons
    for name in ["ipv6-bad", "ipv6-bug-abnf-3-colons"] {
        let e = Message::parse(&data(name)).expect_err(name);
        assert_eq!(e.response_status().0.0, 400, "{name}: {e}");
    }
}

#[test]
fn ipv6_references_keep_address_and_port_apart() {
    let Ok(Message::Request(r)) = Message::parse(&data("port-ambiguous")) else {
        panic!()
    };
    assert_eq!((r.uri.host, r.uri.port), (v6("2001:db8::10:5070"), None));
    let Ok(Message::Request(r)) = Message::parse(&data("port-unambiguous")) else {
        panic!()
    };
    assert_eq!((r.uri.host, r.uri.port), (v6("2001:db8::10"), Some(5070)));
    let Ok(Message::Request(r)) = Message::parse(&data("ipv6-correct-abnf-2-colons")) else {
        panic!()
    };
    assert_eq!(r.uri.host, v6("2001:db8::192.0.2.1"));
}

#[test]
fn via_received_with_and_without_brackets() {
    let m = Message::parse(&data("via-received-param-with-delim")).unwrap();
    assert_eq!(
        m.headers().top_via().and_then(|v| v.received()),
        Some("[2001:db8::9:255]")
    );
    let m = Message::parse(&data("via-received-param-no-delim")).unwrap();
    assert_eq!(
        m.headers().top_via().and_then(|v| v.received()),
        Some("2001:db8::9:255")
    );
    let m = Message::parse(&data("mult-ip-in-header")).unwrap();
    let vias: Vec<_> = m.headers().vias().map(|v| (v.host.clone(), v.port)).collect();
    assert_eq!(vias[0], (v6("2001:db8::9:1"), Some(6050)));
    assert_eq!(vias[1].0, Host::Ipv4([192, 0, 2, 1].into()));
    let m = Message::parse(&data("ipv4-mapped-ipv6")).unwrap();
    assert_eq!(
        m.headers().top_via().map(|v| v.host.clone()),
        Some(v6("::ffff:192.0.2.10"))
    );
}

#[test]
fn ipv6_sdp_bodies_parse() {
    for name in ["ipv6-in-sdp", "ipv4-mapped-ipv6"] {
        let m = Message::parse(&data(name)).unwrap();
        let sdp = SessionDescription::parse(std::str::from_utf8(m.body()).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(sdp.connection.is_some_and(|c| c.address.is_ipv6()), "{name}");
        assert_eq!(sdp.media.len(), 2, "{name}");
    }
}
