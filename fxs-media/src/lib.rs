//! Media for FXS gateways: the audio between a line's 10 ms PCM frames and
//! RTP datagrams.
//!
//! It has the codecs, RTP and RTCP, an adaptive jitter buffer with G.711
//! Appendix I concealment, RFC 4733 DTMF events, VAD with RFC 3389 comfort
//! noise, an E-model quality estimate, and [`MediaStream`], which ties them
//! together for one call. Like every crate of the SDK it is sans-IO: it opens
//! no sockets and reads no clock; the caller passes datagrams, frames and the
//! arrival time in, and pulls datagrams and frames out.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use fxs_media::{Codec, MediaConfig, MediaStream, FRAME_SAMPLES};
//!
//! let config = |ssrc| MediaConfig { codec: Codec::Pcma, payload_type: 8, ssrc, ..MediaConfig::default() };
//! let mut alice = MediaStream::new(config(0x1111))?;
//! let mut bob = MediaStream::new(config(0x2222))?;
//!
//! let start = Instant::now();
//! let frame = [1000i16; FRAME_SAMPLES];
//! let mut heard = [0i16; FRAME_SAMPLES];
//! let mut datagram = Vec::new();
//! for tick in 0..20u32 {
//!     let now = start + Duration::from_millis(10 * u64::from(tick));
//!     alice.handle_pcm(&frame); // the line hands us 10 ms
//!     while alice.poll_rtp(&mut datagram) {
//!         bob.handle_rtp(now, &datagram)?; // the network delivers it
//!         datagram.clear();
//!     }
//!     bob.poll_pcm(&mut heard); // the line takes 10 ms
//! }
//! assert_eq!(alice.stats().packets_sent, 10); // 20 ms packets
//! assert_eq!(bob.stats().packets_lost, 0);
//! assert!(heard.iter().all(|&s| (s - 1000).abs() < 32)); // through A-law
//! # Ok::<(), fxs_media::Error>(())
//! ```
//!
//! Main types:
//! - [`MediaStream`] / [`MediaConfig`] / [`MediaStats`]: one RTP audio stream.
//! - [`g711`]: the G.711 companding laws, per sample and per slice.
//! - [`g722`] / [`g726`]: G.722 SB-ADPCM (64 kbit/s; 56/48 kbit/s decoding)
//!   and G.726 ADPCM (16-40 kbit/s, RFC 3551 and AAL2 packings), bit-exact
//!   with the ITU/spandsp reference.
//! - [`Codec`], [`AudioEncoder`], [`AudioDecoder`]: codecs behind traits.
//! - [`rtp`]: [`rtp::parse`], [`rtp::write`], [`rtp::RtpPacket`] (zero-copy
//!   view) and [`rtp::RtpSender`] (sequence, timestamp and marker).
//! - [`jitter`]: [`jitter::JitterBuffer`], adaptive (time-scaling) or fixed
//!   delay, keyed by RTP timestamp.
//! - [`plc`]: G.711 Appendix I packet-loss concealment fading into comfort noise.
//! - [`echo`]: [`echo::EchoCanceller`], the G.168 line echo canceller
//!   (16-128 ms tails, double-talk safe, NLP with comfort noise, 2100 Hz
//!   tone disabler).
//! - [`gain`]: [`gain::Gain`] (fixed, saturating) and [`gain::Agc`] (target
//!   level, attack/release, noise gate).
//! - [`telephone_event`]: RFC 4733 DTMF events, sender, receiver, tone regeneration.
//! - [`rtcp`]: SR, RR, SDES, BYE, APP, XR VoIP metrics, compound packets, the report timer.
//! - [`vad`] and [`cng`]: voice activity detection and RFC 3389 comfort noise.
//! - [`quality`]: the G.107 E-model (R factor, MOS).
//! - [`MediaEvent`], [`LatchPolicy`], [`PlayoutMode`]: stream events and policies.
//! - [`Error`]: everything that can go wrong, saying what and where.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cng;
pub mod codec;
pub mod echo;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod g711;
pub mod g722;
pub mod g726;
pub mod gain;
pub mod jitter;
pub mod plc;
pub mod quality;
pub mod rtcp;
pub mod rtp;
mod stream;
pub mod telephone_event;
pub mod vad;

pub use codec::{AudioDecoder, AudioEncoder, Codec, G711Decoder, G711Encoder};
pub use error::Error;
pub use g722::{G722Decoder, G722Encoder, G722Mode};
pub use g726::{G726Decoder, G726Encoder, G726Packing, G726Rate};
pub use stream::{
    DTMF_LOOKAHEAD_MS, LatchPolicy, MediaConfig, MediaEvent, MediaStats, MediaStream, PlayoutMode,
};

/// Samples in one 10 ms frame at 8 kHz, the unit of the line side
/// (re-exported from `fxs-tones`).
pub use fxs_tones::FRAME_SAMPLES;
