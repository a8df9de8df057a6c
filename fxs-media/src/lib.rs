//! Media for FXS gateways: the audio between a line's 10 ms PCM frames and
//! RTP datagrams.
//!
//! This first version has G.711 µ-law and A-law, RTP packet parsing and
//! writing, a fixed-delay jitter buffer and [`MediaStream`], which ties them
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
//! - [`Codec`], [`AudioEncoder`], [`AudioDecoder`]: codecs behind traits.
//! - [`rtp`]: [`rtp::parse`], [`rtp::write`], [`rtp::RtpPacket`] (zero-copy
//!   view) and [`rtp::RtpSender`] (sequence, timestamp and marker).
//! - [`jitter`]: [`jitter::JitterBuffer`], fixed delay, keyed by RTP timestamp.
//! - [`Error`]: everything that can go wrong, saying what and where.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod codec;
mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod g711;
pub mod jitter;
pub mod rtp;
mod stream;

pub use codec::{AudioDecoder, AudioEncoder, Codec, G711Decoder, G711Encoder};
pub use error::Error;
pub use stream::{MediaConfig, MediaStats, MediaStream};

/// Samples in one 10 ms frame at 8 kHz, the unit of the line side
/// (re-exported from `fxs-tones`).
pub use fxs_tones::FRAME_SAMPLES;
