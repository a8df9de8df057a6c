//! Entry points of the fuzz targets in `fuzz/`. Public (and hidden from the
//! docs) so that the normal test suite replays each corpus through exactly the
//! code the fuzzer runs. Not a stable API.

use crate::Message;
use crate::sdp::SessionDescription;

/// The `sip_message` target: parse; whatever parses must write out and parse
/// back to the same message (and an SDP body likewise); a refusal must map to
/// a 4xx-6xx response with a reason. Panics only if one of those properties
/// is broken. Returns the parse result.
pub fn sip_message(data: &[u8]) -> Result<Message, crate::Error> {
    let parsed = Message::parse(data);
    match &parsed {
        Ok(msg) => {
            let again = Message::parse(&msg.to_bytes()).expect("a written message parses again");
            assert_eq!(&again, msg, "write/parse changed the message");
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
            assert!(!reason.is_empty(), "empty reason phrase");
        }
    }
    parsed
}
