//! Fuzz the SIP message parser: it must never panic; whatever it accepts must
//! write out to octets that parse back to the same message; a refusal must
//! map to a response status. An SDP body is fed to the SDP parser likewise.
#![no_main]

use fxs_sip::Message;
use fxs_sip::sdp::SessionDescription;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match Message::parse(data) {
        Ok(msg) => {
            let written = msg.to_bytes();
            let again = Message::parse(&written).expect("a written message parses again");
            assert_eq!(again, msg, "write/parse changed the message");
            if let Ok(text) = std::str::from_utf8(msg.body())
                && let Ok(sdp) = SessionDescription::parse(text)
            {
                let again = SessionDescription::parse(&sdp.to_string()).expect("a written SDP parses again");
                assert_eq!(again, sdp, "write/parse changed the SDP");
            }
        }
        Err(e) => {
            let (status, reason) = e.response_status();
            assert!((400..700).contains(&status.0), "error status {status}");
            assert!(!reason.is_empty());
        }
    }
});
