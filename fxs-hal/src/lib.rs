//! Line interface HAL for FXS gateways: the contract between the gateway
//! engine and a SLIC driver, the generic signal conditioning and sequencing
//! that sit on top of it, and a simulated SLIC with simulated phones.
//!
//! - [`LineInterface`] is one FXS port, designed from the SLIC families of
//!   line-electrical.md §6 (Silicon Labs ProSLIC, Microchip VE880/ZL880,
//!   Lantiq DuSLIC): feed states ([`LineFeed`]), settings ([`LineConfig`]:
//!   [`Impedance`], [`Gains`], [`DcFeed`], [`RingSignal`], [`ReversalMode`]),
//!   raw hook state and time-stamped hook edges, and one 10 ms PCM frame
//!   each way per tick. Its error type implements [`Error`], whose
//!   [`kind`](Error::kind) is a [`LineErrorKind`], as in embedded-hal 1.0.
//!   Optional hardware is announced in [`LineCapabilities`] and reached
//!   through the traits of [`caps`]; [`asynch`] is the async twin.
//! - [`LineBank`] is a chip or board with several ports on one PCM highway.
//! - [`HookConditioner`] turns raw hook samples into off-hook, on-hook,
//!   flash, pulse digits and ring trip ([`HookSignal`], line-electrical.md
//!   §3); the plain [`HookDebouncer`] stays for simple uses.
//! - [`ring::Ringer`] runs ring cadences ([`ring::RingCadence`]: countries,
//!   Bellcore DR1-DR5, `Alert-Info`) with a caller-ID slot;
//!   [`supervision::Supervisor`] does answer/disconnect polarity reversal
//!   and the open switch interval; [`linetest`] judges GR-909 line tests.
//! - [`Guarded`] refuses impossible requests (ringing an off-hook line, an
//!   invalid configuration) with a typed [`ConfigError`].
//! - [`sim`] holds [`SimSlic`](sim::SimSlic), [`SimLine`](sim::SimLine) and
//!   [`SimPhone`](sim::SimPhone): phone lines in virtual time with REN load,
//!   ring trip, hook bounce, on-hook transmission, hybrid echo, line faults
//!   and failing drivers, and phones that lift, flash, dial DTMF or pulses,
//!   ring, show caller ID and recognise call-progress tones; plus a
//!   register-level mock for chip drivers.
//!
//! Nothing here reads a clock or does I/O; time is passed in.
//!
//! # Example: a few ticks of a simulated port
//!
//! A minimal "engine" runs a 10 ms loop over a one-port [`SimSlic`](sim::SimSlic):
//! it debounces the hook and, once the phone is off hook, plays the US dial
//! tone. The phone recognises it.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use fxs_hal::sim::{PhoneEvent, SimSlic};
//! use fxs_hal::{HookDebouncer, HookEvent, LineBank, LineFeed, LineInterface};
//! use fxs_tones::{CallProgress, FRAME_SAMPLES, SAMPLE_RATE, ToneGenerator, TonePlan};
//!
//! let start = Instant::now();
//! let mut slic = SimSlic::new(1, start);
//! let mut hook = HookDebouncer::default();
//! let us = TonePlan::for_country("US")?;
//! let mut dial_tone = ToneGenerator::new(SAMPLE_RATE, &us.dial)?;
//! let (mut up, mut down) = ([0i16; FRAME_SAMPLES], [0i16; FRAME_SAMPLES]);
//!
//! let Ok(()) = slic.line(0).expect("port 0").set_feed(LineFeed::IDLE);
//! slic.phone_mut(0).lift();
//!
//! let mut lifted_at = None;
//! for tick in 1..=60u32 {
//!     let now = start + Duration::from_millis(10) * tick;
//!     slic.tick(now); // the phones first, then the engine
//!     let line = slic.line(0).expect("port 0");
//!     let Ok(raw) = line.hook(); // a SimLine never fails: its error is Infallible
//!     if hook.update(now, raw) == Some(HookEvent::OffHook) {
//!         lifted_at = Some(now);
//!     }
//!     let Ok(()) = line.read_frame(&mut up);
//!     if hook.state().is_off_hook() {
//!         dial_tone.generate(&mut down);
//!     } else {
//!         down.fill(0);
//!     }
//!     let Ok(()) = line.write_frame(&down);
//! }
//!
//! // Loop closed at 10 ms, stable for 20 ms: the engine saw it at 30 ms.
//! assert_eq!(lifted_at, Some(start + Duration::from_millis(30)));
//! assert_eq!(slic.phone(0).hearing(), CallProgress::Dial);
//! let mut heard_dial = false;
//! while let Some((_, event)) = slic.phone_mut(0).poll_event() {
//!     heard_dial |= event == PhoneEvent::Heard(CallProgress::Dial);
//! }
//! assert!(heard_dial);
//! # Ok::<(), fxs_tones::Error>(())
//! ```
//!
//! # Main types
//!
//! | item | role |
//! |---|---|
//! | [`LineInterface`], [`ErrorType`], [`Error`], [`LineErrorKind`] | the driver contract |
//! | [`LineFeed`], [`Polarity`], [`HookState`], [`HookEdge`], [`LineCapabilities`] | what the contract speaks |
//! | [`LineConfig`], [`Impedance`], [`Gains`], [`DcFeed`], [`RingSignal`] | line settings |
//! | [`caps`], [`asynch::LineInterface`] | optional hardware, async twin |
//! | [`LineBank`], [`PcmSlot`] | several ports |
//! | [`HookConditioner`], [`HookProfile`], [`HookSignal`], [`HookDebouncer`] | hook-signal conditioning |
//! | [`ring::Ringer`], [`ring::RingCadence`], [`supervision::Supervisor`] | ringing and supervision |
//! | [`linetest::Gr909Limits`] | line-test judgement |
//! | [`Guarded`], [`ConfigError`] | refusing impossible settings |
//! | [`sim::SimSlic`], [`sim::SimLine`], [`sim::SimPhone`], [`sim::PhoneEvent`] | simulation |
//!
//! The crate's own error enum is [`ConfigError`] (a `thiserror` enum whose
//! [`kind`](Error::kind) is [`LineErrorKind::InvalidSetting`]); the name
//! `Error` belongs to the driver error trait, and [`LineErrorKind`] is the
//! error value generic code acts on.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod asynch;
mod bank;
pub mod caps;
mod conditioner;
mod config;
mod guard;
pub mod hook;
mod line;
pub mod linetest;
pub mod ring;
pub mod sim;
pub mod supervision;

pub use bank::{LineBank, PcmSlot};
pub use conditioner::{
    Decadic, FLASH_WINDOWS, HookConditioner, HookProfile, HookSignal, HookSignalKind, PulseProfile,
};
pub use config::{
    ConfigError, DcFeed, Gains, Impedance, ImpedanceNetwork, LineConfig, ReversalMode, RingSignal,
    RingWaveform,
};
pub use guard::{Guarded, GuardedError};
pub use hook::{HookDebouncer, HookEvent};
pub use line::{
    Error, ErrorType, HookEdge, HookState, LineCapabilities, LineErrorKind, LineFeed, LineInterface, Polarity,
};
