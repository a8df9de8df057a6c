//! SDP parsing, writing and the parse(write(sdp)) == sdp property.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use fxs_sip::Error;
use fxs_sip::sdp::{
    Attribute, Connection, Direction, Fmtp, MediaDescription, Origin, RtpMap, SessionDescription, Timing,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

/// RFC 8866 §5 example, with every tolerated line type added.
const FULL: &str = "v=0\r
o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r
s=Call to John Smith\r
i=SDP Offer #1\r
u=http://www.jdoe.example.com/home.html\r
e=Jane Doe <jane@jdoe.example.com>\r
p=+1 617 555-6011\r
c=IN IP4 198.51.100.1\r
b=AS:128\r
t=0 0\r
r=7d 1h 0 25h\r
z=2882844526 -1h 2898848070 0\r
k=prompt\r
a=tool:fxs\r
m=audio 49170 RTP/AVP 0\r
i=voice\r
b=TIAS:64000\r
k=clear:x\r
a=rtpmap:0 PCMU/8000\r
m=video 51372 RTP/AVP 99\r
c=IN IP6 2001:db8::2\r
a=rtpmap:99 h263-1998/90000\r
a=recvonly\r
m=audio 49172/2 RTP/AVP 97\r
a=rtpmap:97 L16/16000/2\r
a=fmtp:97 x=1\r
a=maxptime:40\r
a=T38FaxVersion:0\r
";

#[test]
fn every_line_type_is_parsed_and_kept() {
    let sdp = SessionDescription::parse(FULL).unwrap();
    assert_eq!(
        sdp.origin,
        Origin {
            username: "jdoe".into(),
            session_id: 3724394400,
            session_version: 3724394405,
            address: IpAddr::V4(Ipv4Addr::new(198, 51, 100, 1)),
        }
    );
    assert_eq!(sdp.session_name, "Call to John Smith");
    assert_eq!(sdp.information.as_deref(), Some("SDP Offer #1"));
    assert_eq!(sdp.uri.as_deref(), Some("http://www.jdoe.example.com/home.html"));
    assert_eq!(sdp.emails, vec!["Jane Doe <jane@jdoe.example.com>".to_string()]);
    assert_eq!(sdp.phones, vec!["+1 617 555-6011".to_string()]);
    assert_eq!(sdp.bandwidths, vec!["AS:128".to_string()]);
    assert_eq!(sdp.timing[0].repeats, vec!["7d 1h 0 25h".to_string()]);
    assert_eq!(sdp.time_zones.as_deref(), Some("2882844526 -1h 2898848070 0"));
    assert_eq!(sdp.key.as_deref(), Some("prompt"));
    assert_eq!(sdp.attributes, vec![Attribute::new("tool", Some("fxs"))]);
    assert_eq!(sdp.media.len(), 3);
    let a = &sdp.media[0];
    assert_eq!(a.information.as_deref(), Some("voice"));
    assert_eq!(a.bandwidths, vec!["TIAS:64000".to_string()]);
    assert_eq!(a.key.as_deref(), Some("clear:x"));
    assert_eq!(a.direction, Direction::SendRecv);
    let v = &sdp.media[1];
    assert_eq!(
        v.connection,
        Some(Connection {
            address: IpAddr::V6("2001:db8::2".parse::<Ipv6Addr>().unwrap())
        })
    );
    assert_eq!(v.direction, Direction::RecvOnly);
    assert_eq!(sdp.connection_for(v), v.connection.as_ref());
    assert_eq!(sdp.connection_for(a), sdp.connection.as_ref());
    let l16 = &sdp.media[2];
    assert_eq!(l16.port_count, Some(2));
    assert_eq!(
        l16.rtpmap(97),
        Some(&RtpMap {
            payload_type: 97,
            encoding: "L16".into(),
            clock_rate: 16000,
            channels: Some(2)
        })
    );
    assert_eq!(l16.max_ptime(), Some(40));
    assert_eq!(l16.attribute("T38FaxVersion"), Some(Some("0")));
    assert_eq!(SessionDescription::parse(&sdp.to_string()).unwrap(), sdp);
}

#[test]
fn lf_only_line_ends_are_accepted() {
    let sdp = SessionDescription::parse(&FULL.replace("\r\n", "\n")).unwrap();
    assert_eq!(sdp, SessionDescription::parse(FULL).unwrap());
}

#[test]
fn writer_uses_crlf_and_rfc8866_order() {
    let sdp = SessionDescription::parse(FULL).unwrap();
    let text = sdp.to_string();
    assert!(text.starts_with("v=0\r\no=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\ns="));
    assert!(!text.replace("\r\n", "").contains('\n'));
    let pos = |needle: &str| text.find(needle).unwrap();
    assert!(pos("\r\nc=") < pos("\r\nb=AS") && pos("\r\nb=AS") < pos("\r\nt=0 0"));
    assert!(pos("\r\nt=0 0") < pos("\r\nr=") && pos("\r\nz=") < pos("\r\nk=prompt"));
    assert!(pos("\r\nk=prompt") < pos("\r\na=tool") && pos("\r\na=tool") < pos("\r\nm=audio"));
}

fn err_line(text: &str) -> usize {
    match SessionDescription::parse(text) {
        Err(Error::BadSdp { line, .. }) => line,
        other => panic!("expected BadSdp, got {other:?}"),
    }
}

#[test]
fn malformed_descriptions_name_the_line() {
    let base = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";
    assert!(SessionDescription::parse(base).is_ok());
    assert_eq!(err_line("o=- 1 1 IN IP4 192.0.2.1\r\n"), 1);
    assert_eq!(err_line(&base.replace("v=0", "v=1")), 1);
    assert_eq!(
        err_line(&base.replace("IN IP4 192.0.2.1", "IN IP4 host.example")),
        2
    );
    assert_eq!(
        err_line(&base.replace("IN IP4 192.0.2.1", "ATM IP4 192.0.2.1")),
        2
    );
    assert_eq!(err_line(&base.replace("IN IP4 192.0.2.1", "IN IP6 192.0.2.1")), 2);
    assert_eq!(err_line(&base.replace("o=- 1 1", "o=- x 1")), 2);
    assert_eq!(err_line(&base.replace("t=0 0", "t=0")), 4);
    assert_eq!(err_line(&base.replace("4000", "70000")), 5);
    assert_eq!(err_line(&base.replace("RTP/AVP 0", "")), 5);
    assert_eq!(err_line(&format!("{base}a=ptime:x\r\n")), 6);
    assert_eq!(err_line(&format!("{base}x=1\r\n")), 6);
    assert_eq!(err_line(&format!("{base}garbage\r\n")), 6);
    assert_eq!(err_line(&format!("{base}o=- 2 2 IN IP4 192.0.2.1\r\n")), 6);
    assert_eq!(err_line(&format!("{base}a=\r\n")), 6);
    assert_eq!(err_line(&base.replace("t=0 0\r\n", "")), 0);
    assert_eq!(err_line(&base.replace("s=-\r\n", "")), 0);
}

#[test]
fn multicast_ttl_suffix_is_dropped_from_connection() {
    let sdp = SessionDescription::parse(
        "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 233.252.0.1/127\r\nt=0 0\r\n",
    )
    .unwrap();
    assert_eq!(
        sdp.connection,
        Some(Connection {
            address: IpAddr::V4(Ipv4Addr::new(233, 252, 0, 1))
        })
    );
}

#[test]
fn rtpmap_without_clock_rate_stays_a_plain_attribute() {
    // RFC 4475's bodies carry `a=rtpmap:31 LPC`
    let sdp = SessionDescription::parse(
        "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=video 3227 RTP/AVP 31\r\na=rtpmap:31 LPC\r\n",
    )
    .unwrap();
    let m = &sdp.media[0];
    assert!(m.rtpmap(31).is_none());
    assert_eq!(m.attribute("rtpmap"), Some(Some("31 LPC")));
    assert_eq!(SessionDescription::parse(&sdp.to_string()), Ok(sdp));
}

#[test]
fn non_numeric_rtpmap_stays_a_plain_attribute() {
    let sdp = SessionDescription::parse(
        "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\nm=image 4000 udptl t38\r\na=fmtp:t38 x\r\n",
    )
    .unwrap();
    let m = &sdp.media[0];
    assert_eq!(m.formats, vec!["t38".to_string()]);
    assert!(m.fmtps.is_empty());
    assert_eq!(m.attribute("fmtp"), Some(Some("t38 x")));
    assert_eq!(m.payload_types().count(), 0);
}

// ---------------------------------------------------------------------------
// property: parse(write(sdp)) == sdp

fn ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<u32>().prop_map(|v| IpAddr::V4(Ipv4Addr::from(v))),
        any::<u128>().prop_map(|v| IpAddr::V6(Ipv6Addr::from(v))),
    ]
}

fn line_text() -> impl Strategy<Value = String> {
    "[ -~\u{a0}-\u{17f}]{0,20}"
}

fn attribute() -> impl Strategy<Value = Attribute> {
    ("x-[a-z0-9-]{1,8}", option::of(line_text())).prop_map(|(name, value)| Attribute { name, value })
}

fn media() -> impl Strategy<Value = MediaDescription> {
    (
        (
            "audio|video|image|text",
            any::<u16>(),
            "RTP/AVP|RTP/SAVP|udptl",
            vec("[0-9]{1,3}|t38", 1..4),
            option::of(ip()),
            option::of(1u16..8),
        ),
        (
            vec(
                (
                    any::<u8>(),
                    "[A-Za-z0-9-]{1,12}",
                    any::<u32>(),
                    option::of(any::<u8>()),
                ),
                0..3,
            ),
            vec((any::<u8>(), "[a-z0-9=;-]{0,10}"), 0..2),
            prop_oneof![
                Just(Direction::SendRecv),
                Just(Direction::SendOnly),
                Just(Direction::RecvOnly),
                Just(Direction::Inactive)
            ],
            option::of(any::<u32>()),
            vec(attribute(), 0..3),
        ),
        (
            option::of(line_text()),
            vec("[A-Z]{2,4}:[0-9]{1,6}", 0..2),
            option::of("[!-~]{1,10}"),
        ),
    )
        .prop_map(
            |(
                (kind, port, protocol, formats, conn, port_count),
                (rtpmaps, fmtps, direction, ptime, attributes),
                (information, bandwidths, key),
            )| MediaDescription {
                kind,
                port,
                protocol,
                formats,
                connection: conn.map(|address| Connection { address }),
                rtpmaps: rtpmaps
                    .into_iter()
                    .map(|(payload_type, encoding, clock_rate, channels)| RtpMap {
                        payload_type,
                        encoding,
                        clock_rate,
                        channels,
                    })
                    .collect(),
                fmtps: fmtps
                    .into_iter()
                    .map(|(payload_type, parameters)| Fmtp {
                        payload_type,
                        parameters,
                    })
                    .collect(),
                direction,
                ptime,
                attributes,
                port_count,
                information,
                bandwidths,
                key,
            },
        )
}

fn session() -> impl Strategy<Value = SessionDescription> {
    (
        ("[!-~]{1,10}", any::<u64>(), any::<u64>(), ip(), line_text()),
        (option::of(ip()), vec(media(), 0..3), vec(attribute(), 0..3)),
        (
            option::of(line_text()),
            option::of(line_text()),
            vec(line_text(), 0..2),
            vec(line_text(), 0..2),
            vec("[A-Z]{2,4}:[0-9]{1,6}", 0..2),
        ),
        (
            vec((any::<u64>(), any::<u64>(), vec(line_text(), 0..2)), 1..3),
            option::of(line_text()),
            option::of(line_text()),
        ),
    )
        .prop_map(
            |(
                (username, session_id, session_version, address, session_name),
                (conn, media, attributes),
                (information, uri, emails, phones, bandwidths),
                (timing, time_zones, key),
            )| SessionDescription {
                origin: Origin {
                    username,
                    session_id,
                    session_version,
                    address,
                },
                session_name,
                connection: conn.map(|address| Connection { address }),
                media,
                attributes,
                information,
                uri,
                emails,
                phones,
                bandwidths,
                timing: timing
                    .into_iter()
                    .map(|(start, stop, repeats)| Timing { start, stop, repeats })
                    .collect(),
                time_zones,
                key,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn written_description_parses_back_to_the_same_model(sdp in session()) {
        let text = sdp.to_string();
        prop_assert_eq!(SessionDescription::parse(&text), Ok(sdp), "{}", text);
    }

    #[test]
    fn sdp_parser_never_panics(text in "[ -~\r\n]{0,200}") {
        let _ = SessionDescription::parse(&text);
    }
}
