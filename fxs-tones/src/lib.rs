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
//!   phase-continuously, [`TonePlan`] holds a country's tones of every
//!   [`ToneKind`] (dial, ring-back, busy, congestion, call waiting, stutter,
//!   recall, confirmation, SIT, howler) and its ringing, for 20 countries
//!   by ISO code plus the ITU-T E.180 plan (tones-and-ringing.md), and
//!   [`CallProgressDetector`] tells which of them (or silence) it hears
//!   ([`CallProgress`], with the NANP [`SitCode`]). [`DistinctiveRing`]
//!   and [`parse_alert_info`] map SIP `Alert-Info` to Bellcore ring cadences.
//! - FSK: [`FskTransmitter`] and [`FskReceiver`] for Bell 202 and V.23 at
//!   1200 bit/s with asynchronous framing (callerid.md §2.1, §4.1).
//! - Caller ID and VMWI: [`CallerIdMessage`] (typed fields, presentation
//!   kept everywhere), [`CallerIdStandard`] (Telcordia SDMF/MDMF and
//!   Type II, ETSI FSK with DT-AS/RP-AS/line reversal, DTMF, NTT, BT, or
//!   `Off`, which sends nothing) with its [`CallerIdSignal`] and
//!   [`SignalTiming`] against ringing, [`OffHookCallerId`] for call
//!   waiting, [`AlertToneDetector`] for CAS/DT-AS, and
//!   [`CallerIdReceiver`] / [`decode_bytes`] for decoding:
//!
//! ```
//! use fxs_tones::{CallerIdMessage, CallerIdStandard, DEFAULT_FSK_LEVEL, decode_samples};
//!
//! let msg = CallerIdMessage::with_number("6175551212")?;
//! let standard = CallerIdStandard::TelcordiaMdmf;
//! let mut signal = standard.signal(&msg, DEFAULT_FSK_LEVEL)?.expect("caller ID is on");
//! let mut line = vec![0i16; signal.total_samples()];
//! signal.generate(&mut line);
//! assert_eq!(decode_samples(standard, &line)?.number_str(), Some("6175551212"));
//! assert!(CallerIdStandard::Off.signal(&msg, DEFAULT_FSK_LEVEL)?.is_none());
//! # Ok::<(), fxs_tones::Error>(())
//! ```
//!
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

mod callerid;
mod complex;
mod digit;
mod dtmf;
mod error;
mod fsk;
#[doc(hidden)]
pub mod fuzzing;
mod goertzel;
mod level;
mod measure;
mod osc;
mod plan;
mod progress;
mod tone;

pub use callerid::{
    ALERT_TONE_HZ, AbsenceReason, AckKind, AlertToneDetector, AlertToneEvent, CallQualifier, CallerIdCoding,
    CallerIdMessage, CallerIdReceiver, CallerIdSignal, CallerIdStandard, DEFAULT_FSK_LEVEL, DateTime,
    DtmfClipVariant, EtsiAlert, MAX_MESSAGE_OCTETS, MessageBytes, MessageWaiting, Name, Number,
    OffHookCallerId, OffHookState, Presented, RedirectReason, RingAnchor, SignalTiming, Text, decode_bytes,
    decode_samples,
};
pub use digit::Digit;
pub use dtmf::{
    DTMF_EVENT_CAPACITY, DTMF_MIN_REGENERATED, DTMF_QUEUE_CAPACITY, DtmfDetector, DtmfEvent, DtmfGenerator,
    DtmfGeneratorConfig,
};
pub use error::Error;
pub use fsk::{
    FSK_BAUD, FSK_MAX_OCTETS, FskEvent, FskFraming, FskModem, FskModulator, FskReceiver, FskTransmitter,
};
pub use goertzel::Goertzel;
pub use level::{Dbm0, FULL_SCALE_DBM0};
pub use measure::{ToneMeasurement, measure_tone};
pub use plan::ring::{AlertInfo, DistinctiveRing, RingCadence, parse_alert_info};
pub use plan::{SitCode, ToneKind, TonePlan};
pub use progress::{CallProgress, CallProgressDetector, MAX_DETECTOR_FREQS};
pub use tone::{CadenceStep, MAX_CADENCE_STEPS, MAX_TONE_FREQS, Tone, ToneGenerator, ToneSound};

/// Samples in one 10 ms frame at 8 kHz.
pub const FRAME_SAMPLES: usize = 80;
/// The SDK's narrowband sample rate in Hz.
pub const SAMPLE_RATE: u32 = 8000;
