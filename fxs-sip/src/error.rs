//! The crate's error type.

use crate::message::StatusCode;

/// Largest datagram the parser accepts (64 KiB, the UDP limit; RFC 3261
/// §18.1.1 sizes messages against the path MTU, so anything larger is refused
/// before parsing with 513 Message Too Large, §21.5.7).
pub const MAX_MESSAGE_SIZE: usize = 65_536;

/// Everything that can go wrong in `fxs-sip`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The datagram is larger than [`MAX_MESSAGE_SIZE`]; refused unparsed.
    #[error("message of {size} octets exceeds the {max}-octet limit")]
    MessageTooLarge {
        /// Size of the datagram.
        size: usize,
        /// The limit.
        max: usize,
    },
    /// The request or status line does not follow RFC 3261 §7.1/§7.2.
    #[error("malformed start line: {0}")]
    MalformedStartLine(String),
    /// The SIP version is not `SIP/2.0` (RFC 3261 §7.1).
    #[error("unsupported SIP version {0:?}")]
    UnsupportedVersion(String),
    /// The status code of a response is outside 100..=699.
    #[error("status code {0} out of range")]
    BadStatusCode(u32),
    /// A header line is not `name: value` (extraneous separators, control
    /// characters, a line starting with whitespace at the top...).
    #[error("malformed header line {line}")]
    MalformedHeaderLine {
        /// 1-based line number in the message.
        line: usize,
    },
    /// A header of a typed kind whose value does not parse.
    #[error("bad {name} header: {reason}")]
    BadHeader {
        /// Canonical header name.
        name: &'static str,
        /// What is wrong with the value.
        reason: String,
    },
    /// A header the message must carry is absent (RFC 3261 §8.1.1).
    #[error("missing {0} header")]
    MissingHeader(&'static str),
    /// A single-valued header occurs more than once.
    #[error("more than one {0} header")]
    DuplicateHeader(&'static str),
    /// The CSeq method differs from the request method (RFC 3261 §8.1.1.5).
    #[error("CSeq method {cseq} does not match request method {request}")]
    CSeqMethodMismatch {
        /// Method of the request line.
        request: String,
        /// Method of the CSeq header.
        cseq: String,
    },
    /// Content-Length is larger than the octets after the headers.
    #[error("Content-Length {content_length} exceeds the {available} octets available")]
    ContentLengthExceedsMessage {
        /// Content-Length value.
        content_length: usize,
        /// Octets actually present after the blank line.
        available: usize,
    },
    /// The header section has no terminating empty line.
    #[error("message headers are not terminated by an empty line")]
    UnterminatedHeaders,
    /// A URI that does not parse.
    #[error("bad URI {uri:?}: {reason}")]
    BadUri {
        /// The text given (possibly shortened).
        uri: String,
        /// What is wrong.
        reason: String,
    },
    /// The Request-URI does not parse.
    #[error("bad Request-URI: {0}")]
    BadRequestUri(String),
    /// A URI scheme other than sip, sips and tel.
    #[error("unsupported URI scheme {0:?}")]
    UnsupportedUriScheme(String),
    /// The SDP body does not follow RFC 8866 §5.
    #[error("bad SDP at line {line}: {reason}")]
    BadSdp {
        /// 1-based line number in the SDP (0 for the whole description).
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// The offer or answer cannot be accepted (RFC 3264 §6): no common codec,
    /// no audio stream, stream rejected...
    #[error("not acceptable: {0}")]
    NotAcceptable(String),
    /// A digest challenge names an algorithm we do not implement.
    #[error("unsupported digest algorithm {0}")]
    UnsupportedAlgorithm(String),
    /// A digest challenge offers only qop values we do not implement.
    #[error("unsupported digest qop {0}")]
    UnsupportedQop(String),
}

impl Error {
    /// The response a UAS answers this error with, and a reason phrase naming
    /// the defect (RFC 3261 §21; RFC 4475 §3 expectations): 400 for malformed
    /// messages, 505 for a wrong version, 513 for an oversized message, 416
    /// for an unknown URI scheme, 488 for a malformed or unacceptable offer.
    pub fn response_status(&self) -> (StatusCode, String) {
        let bad = |s: String| (StatusCode::BAD_REQUEST, s);
        match self {
            Error::MessageTooLarge { .. } => (StatusCode(513), "Message Too Large".to_owned()),
            Error::MalformedStartLine(_) | Error::BadStatusCode(_) => bad("Malformed start line".to_owned()),
            Error::UnsupportedVersion(_) => (StatusCode(505), "Version Not Supported".to_owned()),
            Error::MalformedHeaderLine { .. } => bad("Malformed header line".to_owned()),
            Error::BadHeader { name, .. } => bad(format!("Bad {name} header")),
            Error::MissingHeader(name) => bad(format!("Missing {name} header")),
            Error::DuplicateHeader(name) => bad(format!("Multiple {name} headers")),
            Error::CSeqMethodMismatch { .. } => bad("CSeq method does not match request method".to_owned()),
            Error::ContentLengthExceedsMessage { .. } => {
                bad("Content-Length exceeds message size".to_owned())
            }
            Error::UnterminatedHeaders => bad("Missing end of headers".to_owned()),
            Error::BadUri { .. } => bad("Bad URI".to_owned()),
            Error::BadRequestUri(_) => bad("Bad Request-URI".to_owned()),
            Error::UnsupportedUriScheme(_) => (StatusCode(416), "Unsupported URI Scheme".to_owned()),
            // RFC 3261 §13.3.1.1 / §21.4.26: an offer we cannot use is
            // answered 488, with the defect in the reason phrase.
            Error::BadSdp { .. } => (StatusCode::NOT_ACCEPTABLE_HERE, "Malformed SDP body".to_owned()),
            Error::NotAcceptable(_) => (
                StatusCode::NOT_ACCEPTABLE_HERE,
                StatusCode::NOT_ACCEPTABLE_HERE.default_reason().to_owned(),
            ),
            Error::UnsupportedAlgorithm(_) => (
                StatusCode::UNAUTHORIZED,
                "Unsupported digest algorithm".to_owned(),
            ),
            Error::UnsupportedQop(_) => (StatusCode::UNAUTHORIZED, "Unsupported digest qop".to_owned()),
        }
    }
}
