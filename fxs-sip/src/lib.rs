//! Sans-IO SIP for FXS gateways: the message model, parser and writer
//! (RFC 3261 §7, §20, §25), SDP offer/answer for one audio stream (RFC 8866,
//! RFC 3264), digest authentication (RFC 2617, RFC 7616) and the user agent
//! (transactions, registration, calls).
//!
//! Nothing here opens a socket or reads a clock: datagrams go in through
//! [`Message::parse`] (or the user agent's `handle_datagram`) and come out as
//! octets the caller sends.
//!
//! # Example
//!
//! ```
//! use fxs_sip::{Header, Message, Method, StatusCode, Response};
//!
//! let datagram = b"REGISTER sip:pbx.example.com SIP/2.0\r\n\
//! v: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n\
//! Max-Forwards: 70\r\n\
//! t: <sip:1001@pbx.example.com>\r\n\
//! f: \"Port 1\" <sip:1001@pbx.example.com>;tag=a73kszlfl\r\n\
//! i: 1j9FpLxk3uxtm8tn@192.0.2.10\r\n\
//! CSeq: 1 REGISTER\r\n\
//! m: <sip:1001@192.0.2.10:5060>\r\n\
//! Expires: 300\r\n\
//! l: 0\r\n\r\n";
//!
//! let Message::Request(req) = Message::parse(datagram)? else { unreachable!() };
//! assert_eq!(req.method, Method::Register);
//! let via = req.headers.top_via().expect("parser requires a Via");
//! assert_eq!(via.branch(), Some("z9hG4bK776asdhds"));
//! assert_eq!(via.rport(), Some(None));
//! let from = req.headers.from().expect("parser requires From");
//! assert_eq!(from.display_name.as_deref(), Some("Port 1"));
//! assert_eq!(from.tag(), Some("a73kszlfl"));
//! assert_eq!(req.headers.expires(), Some(300));
//! assert_eq!(req.headers.contact().and_then(|c| c.uri.port), Some(5060));
//!
//! // Answer it: Via, From, To, Call-ID and CSeq are copied, a To-tag added.
//! let ok = Response::for_request(&req, StatusCode::OK, Some("as83kd"));
//! let text = String::from_utf8(ok.to_bytes()).unwrap();
//! assert!(text.starts_with("SIP/2.0 200 OK\r\n"));
//! assert!(text.contains("To: <sip:1001@pbx.example.com>;tag=as83kd\r\n"));
//! assert!(text.ends_with("Content-Length: 0\r\n\r\n"));
//! # Ok::<(), fxs_sip::Error>(())
//! ```
//!
//! # Main types
//!
//! - [`Message`], [`Request`], [`Response`], [`Headers`], [`Header`]: the
//!   message model; typed headers for what a UA acts on, unknown headers
//!   kept verbatim. [`Error::response_status`] says what to answer a
//!   malformed request with.
//! - [`Uri`] (SIP, SIPS, tel per RFC 3966, other schemes opaque as
//!   [`Scheme::Other`]), [`NameAddr`], [`Via`], [`CSeq`], [`Challenge`],
//!   [`Credentials`], [`TokenParams`] (Event, Subscription-State), [`Replaces`],
//!   [`InfoUri`] (Alert-Info, Call-Info), [`DeltaSeconds`] (Session-Expires,
//!   Min-SE, Retry-After), [`RAck`], [`Reason`]: typed header values.
//! - [`Message::stream_frame_len`]: Content-Length framing for streams, with
//!   oversized messages refused before their body is buffered.
//! - [`sdp::SessionDescription`] and [`sdp::answer_audio`] /
//!   [`sdp::accept_answer`]: SDP and offer/answer.
//! - [`digest`]: request-digest computation, `authorize` and `verify`.
//! - [`UserAgent`] with [`UaConfig`]: the sans-IO user agent; it reports
//!   [`UaEvent`]s and hands out [`Transmit`]s to send.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod digest;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod message;
pub mod sdp;
mod transaction;
mod ua;

pub use error::{Error, MAX_MESSAGE_SIZE};
pub use message::*;
pub use ua::*;
