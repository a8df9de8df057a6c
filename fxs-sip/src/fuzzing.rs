//! Entry points of the fuzz targets in `fuzz/`. Public (and hidden from the
//! docs) so that the normal test suite replays each corpus through exactly the
//! code the fuzzer runs (`tests/fuzz_corpus.rs`). Not a stable API.
//!
//! Each function parses its input; whatever parses must write out and parse
//! back to the same value; a refusal must be an error, never a panic. They
//! panic only if one of those properties is broken.

use crate::sdp::SessionDescription;
use crate::{Challenge, Message, Uri};

/// The `sip_message` target: parse; whatever parses must write out and parse
/// back to the same message (and an SDP body likewise); a refusal must map to
/// a 4xx-6xx response with a reason. Returns the parse result.
pub fn sip_message(data: &[u8]) -> Result<Message, crate::Error> {
    let parsed = Message::parse(data);
    match &parsed {
        Ok(msg) => {
            let again = Message::parse(&msg.to_bytes()).expect("a written message parses again");
            assert_eq!(&again, msg, "write/parse changed the message");
            if let Ok(text) = std::str::from_utf8(msg.body()) {
                let _ = sdp_text(text);
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

/// The `sip_uri` target: a SIP, SIPS or tel URI (`Uri::parse`); a parsed URI
/// writes out and parses back to the same URI.
pub fn sip_uri(data: &[u8]) -> Result<Uri, crate::Error> {
    let text = std::str::from_utf8(data).map_err(|_| crate::Error::BadUri {
        uri: String::from_utf8_lossy(data).chars().take(64).collect(),
        reason: "not UTF-8".to_owned(),
    })?;
    let parsed = Uri::parse(text);
    if let Ok(uri) = &parsed {
        let written = uri.to_string();
        let again = Uri::parse(&written).expect("a written URI parses again");
        assert_eq!(&again, uri, "write/parse changed the URI {written:?}");
    }
    parsed
}

/// The `sdp` target: an SDP body (RFC 8866); a parsed description writes out
/// and parses back to the same description, and a refusal maps to 488.
pub fn sdp(data: &[u8]) -> Result<SessionDescription, crate::Error> {
    let text = std::str::from_utf8(data).map_err(|_| crate::Error::BadSdp {
        line: 0,
        reason: "not UTF-8".to_owned(),
    })?;
    sdp_text(text)
}

fn sdp_text(text: &str) -> Result<SessionDescription, crate::Error> {
    let parsed = SessionDescription::parse(text);
    match &parsed {
        Ok(sdp) => {
            let again = SessionDescription::parse(&sdp.to_string()).expect("a written SDP parses again");
            assert_eq!(&again, sdp, "write/parse changed the SDP");
        }
        Err(e) => assert_eq!(e.response_status().0.0, 488, "a bad SDP is answered 488"),
    }
    parsed
}

/// The `digest_challenge` target: the value of a WWW-Authenticate header
/// (`Challenge::parse`); a parsed challenge writes out and parses back to the
/// same challenge.
pub fn digest_challenge(data: &[u8]) -> Result<Challenge, crate::Error> {
    let text = std::str::from_utf8(data).map_err(|_| crate::Error::BadHeader {
        name: "WWW-Authenticate",
        reason: "not UTF-8".to_owned(),
    })?;
    let parsed = Challenge::parse(text);
    if let Ok(c) = &parsed {
        let written = c.to_string();
        let again = Challenge::parse(&written).expect("a written challenge parses again");
        assert_eq!(&again, c, "write/parse changed the challenge {written:?}");
    }
    parsed
}
