//! Invalid messages (RFC 4475 §3.1.2, §3.3, reconstructed from the RFC text)
//! return the right error and the response a UAS answers with.

use fxs_sip::{Error, MAX_MESSAGE_SIZE, Message, StatusCode};

fn wire(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

fn parse_err(text: &str) -> Error {
    match Message::parse(&wire(text)) {
        Err(e) => e,
        Ok(m) => panic!("expected an error, parsed {m:?}"),
    }
}

/// The error's response status and reason.
fn status(text: &str) -> (u16, String) {
    let (code, reason) = parse_err(text).response_status();
    (code.0, reason)
}

fn bad(reason: &str) -> (u16, String) {
    (400, reason.to_owned())
}

const SDP: &str = "v=0
o=mhandley 29739 7272939 IN IP4 192.0.2.15
s=-
c=IN IP4 192.0.2.15
t=0 0
m=audio 49217 RTP/AVP 0 12
m=video 3227 RTP/AVP 31
a=rtpmap:31 LPC
";

/// A valid OPTIONS to derive broken variants from.
const BASE: &str = "OPTIONS sip:user@example.com SIP/2.0
Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw
Max-Forwards: 70
To: sip:user@example.com
From: sip:caller@example.net;tag=34525
Call-ID: base.dj0234sxdfl3
CSeq: 8 OPTIONS
l: 0

";

#[test]
fn base_message_is_valid() {
    assert!(Message::parse(&wire(BASE)).is_ok());
}

#[test]
fn badinv01_extraneous_separators_in_via_is_bad_via() {
    let text = format!(
        "INVITE sip:user@example.com SIP/2.0
To: sip:j.user@example.com
From: sip:caller@example.net;tag=134161461246
Max-Forwards: 7
Call-ID: badinv01.0ha0isndaksdjasdf3234nas
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.15;;,;,,
Contact: \"Joe\" <sip:joe@example.org>;;;;
Content-Length: 152
Content-Type: application/sdp

{SDP}"
    );
    assert_eq!(status(&text), bad("Bad Via header"));
    assert!(matches!(parse_err(&text), Error::BadHeader { name: "Via", .. }));
}

#[test]
fn extraneous_separators_in_contact_is_bad_contact() {
    let text = BASE.replace("l: 0", "Contact: \"Joe\" <sip:joe@example.org>;;;;\nl: 0");
    assert_eq!(status(&text), bad("Bad Contact header"));
}

#[test]
fn clerr_content_length_larger_than_message() {
    let text = format!(
        "INVITE sip:user@example.com SIP/2.0
Max-Forwards: 80
To: sip:j.user@example.com
From: sip:caller@example.net;tag=93942939o2
Contact: <sip:caller@hungry.example.net>
Call-ID: clerr.0ha0isndaksdjweiafasdk3
CSeq: 8 INVITE
Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523
Content-Type: application/sdp
Content-Length: 9999

{SDP}"
    );
    assert_eq!(status(&text), bad("Content-Length exceeds message size"));
    assert_eq!(
        parse_err(&text),
        Error::ContentLengthExceedsMessage {
            content_length: 9999,
            available: 152
        }
    );
}

#[test]
fn ncl_negative_content_length() {
    let text = format!(
        "INVITE sip:user@example.com SIP/2.0
Max-Forwards: 254
To: sip:j.user@example.com
From: sip:caller@example.net;tag=32394234
Call-ID: ncl.0ha0isndaksdj2193423r542w35
CSeq: 0 INVITE
Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw
Contact: <sip:caller@example53.example.net>
Content-Type: application/sdp
Content-Length: -999

{SDP}"
    );
    assert_eq!(status(&text), bad("Bad Content-Length header"));
}

#[test]
fn scalar02_overlarge_request_scalars() {
    let text = "REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3
To: <sip:user@example.com>
From: <sip:user@example.com>;tag=239232jh3
CSeq: 36893488147419103232 REGISTER
Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32
Max-Forwards: 300
Expires: 1844674407370955161600
Contact: <sip:user@host129.example.com>
  ;expires=280297596632815
Content-Length: 0

";
    assert_eq!(status(text), bad("Bad CSeq header"));
    let fixed = text.replace("36893488147419103232", "1");
    assert_eq!(status(&fixed), bad("Bad Max-Forwards header"));
    let fixed = fixed.replace("Max-Forwards: 300", "Max-Forwards: 70");
    assert_eq!(status(&fixed), bad("Bad Expires header"));
    // the Contact expires parameter is not a scalar field we interpret
    let fixed = fixed.replace("Expires: 1844674407370955161600", "Expires: 3600");
    assert!(Message::parse(&wire(&fixed)).is_ok());
}

#[test]
fn scalarlg_overlarge_response_scalars_are_refused() {
    let text = "SIP/2.0 503 Service Unavailable
Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bKzzxdiwo34sw;received=192.0.2.129
To: <sip:user@example.com>
From: <sip:other@example.net>;tag=2easdjfejw
CSeq: 9292394834772304023312 OPTIONS
Call-ID: scalarlg.noase0of0234hn2qofoaf0232aewf2394r
Retry-After: 949302838503028349304023988
Warning: 1812 overture \"In Progress\"
Content-Length: 0

";
    assert!(matches!(parse_err(text), Error::BadHeader { name: "CSeq", .. }));
}

#[test]
fn quotbal_unterminated_quoted_display_name() {
    let text = format!(
        "INVITE sip:user@example.com SIP/2.0
To: \"Mr. J. User <sip:j.user@example.com>
From: sip:caller@example.net;tag=93334
Max-Forwards: 10
Call-ID: quotbal.aksdj
Contact: <sip:caller@host59.example.net>
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234
Content-Type: application/sdp
Content-Length: 152

{SDP}"
    );
    assert_eq!(status(&text), bad("Bad To header"));
}

#[test]
fn ltgtruri_request_uri_in_angle_brackets() {
    let text = BASE.replace(
        "OPTIONS sip:user@example.com SIP/2.0",
        "OPTIONS <sip:user@example.com> SIP/2.0",
    );
    assert_eq!(status(&text), bad("Bad Request-URI"));
}

#[test]
fn lwsruri_whitespace_inside_request_uri() {
    let text = BASE.replace(
        "OPTIONS sip:user@example.com SIP/2.0",
        "OPTIONS sip:user@example.com; lr SIP/2.0",
    );
    assert_eq!(status(&text), bad("Malformed start line"));
}

#[test]
fn regbadct_addr_spec_with_uri_headers_outside_brackets() {
    let text = "REGISTER sip:example.com SIP/2.0
To: sip:user@example.com
From: sip:user@example.com;tag=998332
Max-Forwards: 70
Call-ID: regbadct.k345asrl3fdbv@10.0.0.1
CSeq: 1 REGISTER
Via: SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw
Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E
l: 0

";
    assert_eq!(status(text), bad("Bad Contact header"));
}

#[test]
fn baddn_unquoted_display_name_with_comma() {
    let text = "OPTIONS sip:t.watson@example.org SIP/2.0
Via:     SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw
Max-Forwards:      70
From:    Bell, Alexander <sip:a.g.bell@example.com>;tag=43
To:      Watson, Thomas <sip:t.watson@example.org>
Call-ID: baddn.31415@c.example.com
Accept: application/sdp
CSeq:    3923239 OPTIONS
l: 0

";
    assert_eq!(status(text), bad("Bad From header"));
}

#[test]
fn badvers_unknown_protocol_version_is_505() {
    let text = "OPTIONS sip:t.watson@example.org SIP/7.0
Via:     SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw
Max-Forwards:     70
From:    A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe
To:      T. Watson <sip:t.watson@example.org>
Call-ID: badvers.31417@c.example.com
CSeq:    1 OPTIONS
l: 0

";
    assert_eq!(status(text), (505, "Version Not Supported".to_owned()));
    assert_eq!(parse_err(text), Error::UnsupportedVersion("SIP/7.0".into()));
}

#[test]
fn mismatch01_and_mismatch02_cseq_method_differs() {
    let text = BASE.replace("CSeq: 8 OPTIONS", "CSeq: 8 INVITE");
    assert_eq!(status(&text), bad("CSeq method does not match request method"));
    let text = BASE
        .replace("OPTIONS sip:", "NEWMETHOD sip:")
        .replace("CSeq: 8 OPTIONS", "CSeq: 8 INVITE");
    assert_eq!(status(&text), bad("CSeq method does not match request method"));
    // method names are case-sensitive (RFC 3261 §7.1)
    let text = BASE.replace("CSeq: 8 OPTIONS", "CSeq: 8 options");
    assert_eq!(status(&text), bad("CSeq method does not match request method"));
}

#[test]
fn bigcode_status_code_out_of_range_is_refused() {
    let text = "SIP/2.0 4294967301 better not break the receiver
Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe
Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i
CSeq: 353494 INVITE
From: <sip:user@example.com>;tag=39ansfi3
To: <sip:user@example.edu>;tag=902jndnke3
Content-Length: 0

";
    assert!(matches!(parse_err(text), Error::BadStatusCode(_)));
    for code in ["099", "700", "20", "2000"] {
        let t = text.replace("4294967301", code);
        assert!(Message::parse(&wire(&t)).is_err(), "{code}");
    }
}

#[test]
fn insuf_each_missing_mandatory_header_is_named() {
    for (line, name) in [
        ("Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw\n", "Via"),
        ("To: sip:user@example.com\n", "To"),
        ("From: sip:caller@example.net;tag=34525\n", "From"),
        ("Call-ID: base.dj0234sxdfl3\n", "Call-ID"),
        ("CSeq: 8 OPTIONS\n", "CSeq"),
    ] {
        let text = BASE.replace(line, "");
        assert_eq!(status(&text), bad(&format!("Missing {name} header")));
        assert_eq!(parse_err(&text), Error::MissingHeader(name));
    }
    // Max-Forwards may be absent (RFC 2543 requests)
    let text = BASE.replace("Max-Forwards: 70\n", "");
    assert!(Message::parse(&wire(&text)).is_ok());
}

#[test]
fn unkscm_and_novelsc_unknown_request_uri_schemes_are_416() {
    for uri in ["nobodyknows:thisscheme", "soap.beep://192.0.2.103:3002"] {
        let text = BASE.replace(
            "OPTIONS sip:user@example.com SIP/2.0",
            &format!("OPTIONS {uri} SIP/2.0"),
        );
        assert_eq!(status(&text), (416, "Unsupported URI Scheme".to_owned()), "{uri}");
    }
}

#[test]
fn unksm2_unknown_scheme_in_to_is_accepted_as_an_absolute_uri() {
    // RFC 4475 §3.3.4: unknown schemes in To/From/Contact are accepted.
    let text = BASE.replace("To: sip:user@example.com", "To: isbn:2983792873");
    let msg = Message::parse(&wire(&text)).expect("unksm2 parses");
    let to = msg.headers().to().expect("To");
    assert_eq!(to.uri.scheme, fxs_sip::Scheme::Other("isbn".into()));
    assert_eq!(to.uri.to_string(), "isbn:2983792873");
    // ... but never as a Request-URI
    let text = BASE.replace("OPTIONS sip:user@example.com", "OPTIONS isbn:2983792873");
    assert_eq!(status(&text).0, 416);
}

#[test]
fn multi01_repeated_single_value_headers() {
    for (extra, name) in [
        ("To: sip:other@example.com\n", "To"),
        ("From: sip:other@example.net;tag=1\n", "From"),
        ("Call-ID: second.call.id\n", "Call-ID"),
        ("CSeq: 9 OPTIONS\n", "CSeq"),
        ("Max-Forwards: 69\n", "Max-Forwards"),
        ("Content-Length: 0\n", "Content-Length"),
    ] {
        let text = BASE.replace("l: 0\n", &format!("l: 0\n{extra}"));
        assert_eq!(status(&text), bad(&format!("Multiple {name} headers")), "{name}");
    }
}

#[test]
fn mcl01_several_content_length_values() {
    let text = BASE.replace("l: 0\n", "Content-Length: 0\nContent-Length: 0\n");
    assert_eq!(status(&text), bad("Multiple Content-Length headers"));
}

#[test]
fn malformed_lines_and_framing() {
    assert_eq!(status("garbage\n\n"), bad("Malformed start line"));
    assert_eq!(status("\n\n"), bad("Malformed start line"));
    let no_end = BASE.trim_end_matches('\n');
    assert_eq!(status(no_end), bad("Missing end of headers"));
    let no_colon = BASE.replace("Max-Forwards: 70", "Max-Forwards 70");
    assert_eq!(status(&no_colon), bad("Malformed header line"));
    assert_eq!(parse_err(&no_colon), Error::MalformedHeaderLine { line: 3 });
    let bad_name = BASE.replace("Max-Forwards: 70", "Max Forwards: 70");
    assert_eq!(status(&bad_name), bad("Malformed header line"));
    let fold_first = BASE.replace("Via: SIP", " Via: SIP");
    assert_eq!(status(&fold_first), bad("Malformed header line"));
    let bare_cr = BASE.replace("Call-ID: base", "Call-ID: ba\rse");
    assert!(Message::parse(&wire(&bare_cr)).is_err());
    let not_utf8 = [
        wire(BASE.split("l: 0").next().unwrap()),
        b"X-Bin: \xff\r\n\r\n".to_vec(),
    ]
    .concat();
    assert_eq!(
        Message::parse(&not_utf8).unwrap_err().response_status().1,
        "Malformed header line"
    );
    let bad_response = BASE.replace("OPTIONS sip:user@example.com SIP/2.0", "SIP/2.0 abc OK");
    assert_eq!(status(&bad_response), bad("Malformed start line"));
}

#[test]
fn bad_typed_values_name_their_header() {
    for (from, to, name) in [
        ("CSeq: 8 OPTIONS", "CSeq: eight OPTIONS", "CSeq"),
        ("CSeq: 8 OPTIONS", "CSeq: 8", "CSeq"),
        ("Call-ID: base.dj0234sxdfl3", "Call-ID: two words", "Call-ID"),
        (
            "Via: SIP/2.0/UDP host.example.com",
            "Via: SIP/3.0/UDP host.example.com",
            "Via",
        ),
        (
            "Via: SIP/2.0/UDP host.example.com",
            "Via: SIP/2.0/UDP host.example.com:99999",
            "Via",
        ),
        (
            "Via: SIP/2.0/UDP host.example.com",
            "Via: SIP/2.0/UDP [::1",
            "Via",
        ),
        ("Max-Forwards: 70", "Max-Forwards: 256", "Max-Forwards"),
        ("l: 0", "Expires: soon\nl: 0", "Expires"),
        ("l: 0", "Min-Expires: -1\nl: 0", "Min-Expires"),
        ("l: 0", "Content-Type: application\nl: 0", "Content-Type"),
        ("l: 0", "Route: \nl: 0", "Route"),
        ("l: 0", "Record-Route: <sip:a@b>,,<sip:c@d>\nl: 0", "Record-Route"),
        ("l: 0", "Require: 100rel;x\nl: 0", "Require"),
        ("l: 0", "Allow: INVITE ACK\nl: 0", "Allow"),
        (
            "l: 0",
            "WWW-Authenticate: Digest nonce=\"n\"\nl: 0",
            "WWW-Authenticate",
        ),
        (
            "l: 0",
            "Authorization: Digest username=\"u\", realm=\"r\"\nl: 0",
            "Authorization",
        ),
        (
            "l: 0",
            "Proxy-Authorization: Digest username=\"u\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"0\", nc=1\nl: 0",
            "Proxy-Authorization",
        ),
        (
            "l: 0",
            "Proxy-Authenticate: Digest realm=\"r\" nonce=\"n\"\nl: 0",
            "Proxy-Authenticate",
        ),
        ("To: sip:user@example.com", "To: <sip:user@example.com", "To"),
        ("To: sip:user@example.com", "To: <sip:@example.com>", "To"),
        ("To: sip:user@example.com", "To: <sip:user@exa mple.com>", "To"),
        (
            "To: sip:user@example.com",
            "To: <sip:user@example.com:port>",
            "To",
        ),
    ] {
        let text = BASE.replace(from, to);
        assert_eq!(status(&text), bad(&format!("Bad {name} header")), "{to}");
    }
}

#[test]
fn oversized_datagram_is_refused_before_parsing_with_513() {
    let mut data = wire(BASE);
    data.resize(MAX_MESSAGE_SIZE + 1, b'x');
    let e = Message::parse(&data).unwrap_err();
    assert_eq!(
        e,
        Error::MessageTooLarge {
            size: MAX_MESSAGE_SIZE + 1,
            max: MAX_MESSAGE_SIZE
        }
    );
    assert_eq!(
        e.response_status(),
        (StatusCode(513), "Message Too Large".to_owned())
    );
    // exactly at the limit is parsed (trailing octets are ignored)
    data.truncate(MAX_MESSAGE_SIZE);
    assert!(Message::parse(&data).is_ok());
}

#[test]
fn sdp_and_negotiation_errors_map_to_488() {
    let e = fxs_sip::sdp::SessionDescription::parse("v=1\r\n").unwrap_err();
    assert_eq!(
        e.response_status(),
        (StatusCode::NOT_ACCEPTABLE_HERE, "Malformed SDP body".to_owned())
    );
    let e = Error::NotAcceptable("no codec".into());
    assert_eq!(
        e.response_status(),
        (StatusCode::NOT_ACCEPTABLE_HERE, "Not Acceptable Here".to_owned())
    );
}

#[test]
fn stream_framing_refuses_oversized_messages_before_the_body_arrives() {
    // headers alone declare a body over the limit: refused at once (513)
    let head = wire(&BASE.replace("l: 0\n", &format!("Content-Length: {}\n", MAX_MESSAGE_SIZE)));
    let e = Message::stream_frame_len(&head).unwrap_err();
    assert!(matches!(e, Error::MessageTooLarge { .. }));
    assert_eq!(e.response_status().0, StatusCode(513));
    // headers that never end: refused once past the limit, not before
    let endless = b"OPTIONS sip:a@b SIP/2.0\r\nX: ".to_vec();
    assert_eq!(Message::stream_frame_len(&endless), Ok(None));
    let mut endless = endless;
    endless.resize(MAX_MESSAGE_SIZE + 1, b'a');
    assert!(matches!(
        Message::stream_frame_len(&endless),
        Err(Error::MessageTooLarge { .. })
    ));
    // a normal message: framed by Content-Length, extra octets left for the next
    let one = wire(&BASE.replace("l: 0\n", "l: 4\n"));
    let mut two = one.clone();
    two.extend_from_slice(b"abcdOPTIONS");
    assert_eq!(Message::stream_frame_len(&one[..one.len() - 1]), Ok(None));
    assert_eq!(Message::stream_frame_len(&two), Ok(Some(one.len() + 4)));
    // keep-alive CRLFs only: wait
    assert_eq!(Message::stream_frame_len(b"\r\n\r\n"), Ok(None));
    // Content-Length is mandatory on streams
    let no_len = wire(&BASE.replace("l: 0\n", ""));
    assert_eq!(
        Message::stream_frame_len(&no_len),
        Err(Error::MissingHeader("Content-Length"))
    );
    assert!(Message::stream_frame_len(&wire(&BASE.replace("l: 0", "l: -1"))).is_err());
}
