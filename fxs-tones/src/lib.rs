//! Telephony DSP for FXS gateways, on 16-bit linear PCM at 8 kHz (and
//! 16 kHz where noted), in the 10 ms frames of the audio path.
//!
//! This crate is the bottom of the SDK: it knows nothing of SIP, RTP or
//! hardware. It makes and recognises the signals of an analog line:
//!
//! - DTMF: [`DtmfGenerator`] plays digits, [`DtmfDetector`] finds them and
//!   reports start and end sample indices ([`DtmfEvent`]); it meets the
//!   ITU-T Q.24 (AT&T) receiver limits on frequency deviation, twist,
//!   level, duration and interruptions (dtmf.md §3).
//! - Call-progress tones: [`ToneSound`], [`CadenceStep`] and [`Tone`]
//!   describe a tone and its cadence, [`ToneGenerator`] plays it
//!   phase-continuously, [`TonePlan`] holds a country's dial, ring-back,
//!   busy and reorder tones and ring cadence ("US" and "DE";
//!   tones-and-ringing.md), and [`CallProgressDetector`] tells which of
//!   them (or silence) it hears ([`CallProgress`]).
//! - Measurement: [`Goertzel`] (one DFT bin) and [`measure_tone`]
//!   (dominant frequency and level of a block).
//! - [`Digit`], the DTMF key type every crate of the SDK shares, and
//!   [`Dbm0`], the level type.
//!
//! # Level convention
//!
//! 0 dBm0 is a sine whose peak is `32767 * 10^(-3.14/20)` (about 22 826)
//! on 16-bit linear PCM: the A-law digital milliwatt, so a full-scale sine
//! is +3.14 dBm0 (media.md §1). [`Dbm0::amplitude`] gives the peak of a sine
//! at a level, [`Dbm0::from_rms`] the level of a sine with a given RMS. The
//! level of a two-frequency tone is the level of each component.
//!
//! # Example
//!
//! Generate "123" and detect it again:
//!
//! ```
//! use fxs_tones::{DtmfDetector, DtmfEvent, DtmfGenerator, DtmfGeneratorConfig, FRAME_SAMPLES};
//!
//! let mut generator = DtmfGenerator::new(DtmfGeneratorConfig::default())?; // 70 ms on / 70 ms off
//! generator.push_str("123")?;
//! let mut detector = DtmfDetector::new(8000)?;
//!
//! let mut frame = [0i16; FRAME_SAMPLES];
//! let mut heard = String::new();
//! while !generator.is_idle() {
//!     generator.generate(&mut frame);
//!     detector.process(&frame);
//!     while let Some(event) = detector.poll_event() {
//!         if let DtmfEvent::Start { digit, .. } = event {
//!             heard.push(digit.as_char());
//!         }
//!     }
//! }
//! assert_eq!(heard, "123");
//! # Ok::<(), fxs_tones::Error>(())
//! ```
//!
//! # Properties
//!
//! `no_std` without the default `std` feature, no allocation anywhere, no
//! clock and no I/O: every component is a state machine fed with samples.
//! Constructors validate their parameters and return [`Error`]; the
//! per-frame paths (`generate`, `process`) cannot fail.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod complex;
mod digit;
mod dtmf;
mod error;
mod goertzel;
mod level;
mod measure;
mod osc;
mod plan;
mod progress;
mod tone;

pub use digit::Digit;
pub use dtmf::{
    DTMF_EVENT_CAPACITY, DTMF_QUEUE_CAPACITY, DtmfDetector, DtmfEvent, DtmfGenerator, DtmfGeneratorConfig,
};
pub use error::Error;
pub use goertzel::Goertzel;
pub use level::{Dbm0, FULL_SCALE_DBM0};
pub use measure::{ToneMeasurement, measure_tone};
pub use plan::{ToneKind, TonePlan};
pub use progress::{CallProgress, CallProgressDetector};
pub use tone::{CadenceStep, MAX_CADENCE_STEPS, MAX_TONE_FREQS, Tone, ToneGenerator, ToneSound};

/// Samples in one 10 ms frame at 8 kHz.
pub const FRAME_SAMPLES: usize = 80;
/// The SDK's narrowband sample rate in Hz.
pub const SAMPLE_RATE: u32 = 8000;
