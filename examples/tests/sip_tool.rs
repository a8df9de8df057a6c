//! `sip parse FILE` through its library side (`fxs_examples::tools::sip`).

use std::path::PathBuf;

use fxs_examples::tools::sip::{SipToolError, parse_bytes, parse_file, run};

fn torture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../fxs-sip/tests/data/rfc4475/{name}.dat"))
}

fn header<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["headers"]
        .as_array()
        .and_then(|h| h.iter().find(|h| h["name"] == name))
        .unwrap_or_else(|| panic!("no {name} header in {json:#}"))
}

const INVITE_HEAD: &str = "INVITE sip:1002@pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n\
Max-Forwards: 70\r\n\
f: \"Port 1\" <sip:1001@pbx.example.com>;tag=a73kszlfl\r\n\
t: <sip:1002@pbx.example.com>\r\n\
i: 1j9FpLxk3uxtm8tn@192.0.2.10\r\n\
CSeq: 1 INVITE\r\n\
Contact: <sip:1001@192.0.2.10:5060>\r\n\
Alert-Info: <urn:alert:service:call-waiting>\r\n\
Call-Info: <sip:pbx.example.com>;answer-after=0\r\n\
Session-Expires: 1800;refresher=uac\r\n\
Reason: Q.850;cause=16;text=\"Normal call clearing\"\r\n\
X-Vendor: anything; goes,here\r\n\
Content-Type: application/sdp\r\n";

const SDP: &str = "v=0\r\n\
o=- 1 1 IN IP4 192.0.2.10\r\n\
s=-\r\n\
c=IN IP4 192.0.2.10\r\n\
t=0 0\r\n\
m=audio 4000 RTP/AVP 0 101\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=sendonly\r\n";

/// The INVITE with its SDP body and the right Content-Length.
fn invite() -> String {
    format!("{INVITE_HEAD}Content-Length: {}\r\n\r\n{SDP}", SDP.len())
}

#[test]
fn a_request_is_printed_with_typed_headers_unknown_ones_verbatim_and_its_sdp() {
    let json = parse_bytes(invite().as_bytes()).expect("valid INVITE");
    assert_eq!(json["type"], "request");
    assert_eq!(json["method"], "INVITE");
    assert_eq!(json["request_uri"]["user"], "1002");
    assert_eq!(json["request_uri"]["host"], "pbx.example.com");
    let via = &header(&json, "Via")["value"];
    assert_eq!(
        (via["transport"].as_str(), via["branch"].as_str()),
        (Some("UDP"), Some("z9hG4bK776asdhds"))
    );
    assert_eq!(header(&json, "From")["value"]["display_name"], "Port 1");
    assert_eq!(header(&json, "CSeq")["value"]["method"], "INVITE");
    assert_eq!(
        header(&json, "Alert-Info")["value"][0]["uri"],
        "urn:alert:service:call-waiting"
    );
    assert_eq!(header(&json, "Call-Info")["value"][0]["params"][0]["value"], "0");
    assert_eq!(header(&json, "Session-Expires")["value"]["seconds"], 1800);
    let reason = &header(&json, "Reason")["value"][0];
    assert_eq!(
        (reason["cause"].as_u64(), reason["text"].as_str()),
        (Some(16), Some("Normal call clearing"))
    );
    assert_eq!(header(&json, "X-Vendor")["raw"], "anything; goes,here");
    let media = &json["body"]["sdp"]["media"][0];
    assert_eq!(media["port"], 4000);
    assert_eq!(media["direction"], "sendonly");
    assert_eq!(media["rtpmap"][0]["encoding"], "telephone-event");
}

#[test]
fn a_response_shows_status_and_reason() {
    let json = parse_file(&torture("unreason")).expect("unreason parses");
    assert_eq!(json["type"], "response");
    assert_eq!(json["status"], 200);
    assert!(json["reason"].as_str().unwrap().starts_with("= 2**3 * 5**2 "));
    assert_eq!(json["body"]["length"], 154);
}

#[test]
fn invalid_messages_exit_1_with_the_ua_answer() {
    for (file, answer) in [
        ("insuf", "400 Missing From header\n"),
        ("badvers", "505 Version Not Supported\n"),
        ("unkscm", "416 Unsupported URI Scheme\n"),
        ("quotbal", "400 Bad To header\n"),
    ] {
        let (code, out, err) = run(&["parse".into(), torture(file).display().to_string()]);
        assert_eq!((code, out.as_str()), (1, answer), "{file}");
        assert!(!err.is_empty(), "{file}: the detail goes to stderr");
    }
    let no_call_id = invite().replace("i: 1j9FpLxk3uxtm8tn@192.0.2.10\r\n", "");
    match parse_bytes(no_call_id.as_bytes()) {
        Err(e @ SipToolError::Invalid { .. }) => assert_eq!(e.to_string(), "400 Missing Call-ID header"),
        other => panic!("{other:?}"),
    }
    let bad_sdp = invite().replace("m=audio 4000", "m=audio port");
    match parse_bytes(bad_sdp.as_bytes()) {
        Err(SipToolError::Invalid { status, .. }) => assert_eq!(status, 488),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_missing_file_is_named_and_bad_usage_exits_2() {
    let (code, out, err) = run(&["parse".into(), "/nonexistent/call.sip".into()]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(err.contains("/nonexistent/call.sip"), "{err}");
    assert_eq!(run(&[]).0, 2);
    assert_eq!(run(&["frobnicate".into(), "x".into()]).0, 2);
}

#[test]
fn every_torture_message_gives_json_or_an_answer_never_a_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fxs-sip/tests/data/rfc4475");
    let mut parsed = 0;
    for entry in std::fs::read_dir(dir).expect("torture data") {
        let path = entry.expect("entry").path();
        let (code, out, _) = run(&["parse".into(), path.display().to_string()]);
        match code {
            0 => {
                let v: serde_json::Value = serde_json::from_str(&out).expect("stdout is JSON");
                assert!(v["headers"].is_array());
                parsed += 1;
            }
            1 => assert!(out.starts_with(['4', '5']), "{}: {out}", path.display()),
            _ => panic!("{}: exit {code}", path.display()),
        }
    }
    assert!(parsed > 20);
}
