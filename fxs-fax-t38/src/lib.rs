//! Fax for FXS gateways: fax tone detection, T.38 IFP packets and UDPTL.
//!
//! A fax machine on an analog port announces itself with tones (CNG from the
//! caller, CED or ANSam from the answerer) and then talks T.30 over V.21
//! HDLC frames. A gateway has to notice that quickly, switch the call to
//! fax handling, and then either pass the audio through G.711 or relay the
//! fax as T.38: IFP packets carried in UDPTL datagrams. This crate has the
//! pieces for that, as sans-IO building blocks with no sockets, threads or
//! clocks:
//!
//! - [`tone`]: [`FaxToneDetector`] recognises CNG, CED/ANS, ANS with phase
//!   reversals, ANSam (with or without reversals) and the V.21 channel 2
//!   preamble (real HDLC flag detection) in 8 kHz PCM, allocating nothing
//!   per frame.
//! - [`ifp`]: [`IfpPacket`], the T.38 Internet Facsimile Protocol packet
//!   (ASN.1 PER, aligned), parsed and emitted for a given [`T38Version`].
//! - [`udptl`]: [`UdptlPacket`], the UDP transport with redundancy
//!   (secondary IFPs) or FEC.
//!
//! Numbers come from the project's `shared/spec/fax-t38.md` (ITU-T T.30,
//! T.38, V.8, V.21, V.25) and are cited in the items that use them.
//!
//! # Example: a CNG indicator in a UDPTL datagram and back
//!
//! ```
//! use fxs_fax_t38::{IfpPacket, Indicator, T38Version, TypeOfMsg, UdptlPacket};
//!
//! # fn main() -> Result<(), fxs_fax_t38::Error> {
//! let version = T38Version::V0;
//! let cng = IfpPacket::indicator(Indicator::Cng);
//! let ifp = cng.to_bytes(version)?;
//! assert_eq!(ifp, [0x02]);
//!
//! let datagram = UdptlPacket::new(0, ifp).to_bytes();
//! assert_eq!(datagram, [0x00, 0x00, 0x01, 0x02, 0x00, 0x00]);
//!
//! let received = UdptlPacket::parse(&datagram)?;
//! let packet = received.primary_ifp(version)?;
//! assert_eq!(packet.type_of_msg, TypeOfMsg::T30Indicator(Indicator::Cng));
//! # Ok(())
//! # }
//! ```
//!
//! # Example: detecting an answer tone
//!
//! ```
//! use fxs_fax_t38::{FaxTone, FaxToneDetector};
//!
//! let mut detector = FaxToneDetector::new(8000).unwrap();
//! let mut phase = 0.0f32;
//! for _ in 0..150 {
//!     // 1.5 s of 2100 Hz at about -13 dBm0, in 10 ms frames.
//!     let frame: Vec<i16> = (0..80)
//!         .map(|_| {
//!             phase += 2.0 * std::f32::consts::PI * 2100.0 / 8000.0;
//!             (5000.0 * phase.sin()) as i16
//!         })
//!         .collect();
//!     detector.process(&frame);
//! }
//! let event = detector.poll_event().expect("CED");
//! assert_eq!(event.tone, FaxTone::Ced);
//! assert_eq!(event.at_sample, 0);
//! ```
//!
//! # Main types
//!
//! | type | role |
//! |---|---|
//! | [`FaxToneDetector`], [`FaxToneEvent`], [`FaxTone`] | tone detection |
//! | [`IfpPacket`], [`TypeOfMsg`], [`Indicator`], [`DataRate`], [`DataField`], [`FieldType`] | T.38 IFP |
//! | [`T38Version`] | which T.38 encoding rules apply |
//! | [`UdptlPacket`], [`ErrorRecovery`], [`FecInfo`] | UDPTL |
//! | [`Error`] | everything that can fail |
//!
//! Parsers never panic on any input; see each module's "Panics" section.
//!
//! # Not here yet
//!
//! - The T.38 gateway itself: V.21 HDLC framing, the V.27ter, V.29 and V.17
//!   modems, T.30 awareness (`Expect*` states), and the timing that turns
//!   modem audio into IFP packets and back.
//! - Rebuilding lost IFPs from UDPTL FEC entries (they are parsed and
//!   emitted, not yet used), and a UDPTL receiver that orders packets and
//!   fills gaps from redundancy.
//! - T.38 over TCP (TPKT framing), SDP attributes (fxs-sip negotiates them).
//! - V.21 channel 1 (V.8 CI/CM) detection.

#![forbid(unsafe_code)]
#![deny(unused_must_use)]
#![warn(missing_docs)]

mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod ifp;
mod per;
pub mod tone;
pub mod udptl;

pub use error::Error;
pub use ifp::{DataField, DataRate, FieldType, IfpPacket, Indicator, T38Version, TypeOfMsg};
pub use tone::{FaxTone, FaxToneDetector, FaxToneEvent};
pub use udptl::{ErrorRecovery, FecInfo, UdptlPacket};
