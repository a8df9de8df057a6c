//! Line interface HAL for FXS gateways: the contract between the gateway
//! engine and a SLIC driver, the generic hook-signal conditioning that sits
//! on top of it, and a simulated SLIC with simulated phones.
//!
//! - [`LineInterface`] is one FXS port: feed state ([`LineFeed`]), raw hook
//!   state ([`HookState`]), and one 10 ms PCM frame in each direction per
//!   tick. Its error type implements [`Error`], whose [`kind`](Error::kind)
//!   is a [`LineErrorKind`], in the manner of embedded-hal 1.0. Its docs say
//!   how ProSLIC and VP-API-II drivers map onto it, state the timing and
//!   error contracts, and show a driver for an imaginary chip.
//! - [`LineBank`] is a chip or board with several ports.
//! - [`HookDebouncer`] turns raw hook samples into [`HookEvent`]s
//!   (line-electrical.md §2-§3).
//! - [`sim`] holds [`SimSlic`](sim::SimSlic), [`SimLine`](sim::SimLine) and
//!   [`SimPhone`](sim::SimPhone): a phone line in virtual time whose phones
//!   lift, dial DTMF, talk test tones, ring and recognise call-progress tones.
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
//! | [`LineFeed`], [`Polarity`], [`HookState`], [`LineCapabilities`] | what the contract speaks |
//! | [`LineBank`] | several ports |
//! | [`HookDebouncer`], [`HookEvent`] | hook-signal conditioning |
//! | [`sim::SimSlic`], [`sim::SimLine`], [`sim::SimPhone`], [`sim::PhoneEvent`] | simulation |
//!
//! There is no crate-wide error enum: the name `Error` belongs to the driver
//! error trait, and [`LineErrorKind`] (a `thiserror` enum implementing
//! [`std::error::Error`]) is the error value this crate's own types produce.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bank;
pub mod hook;
mod line;
pub mod sim;

pub use bank::LineBank;
pub use hook::{HookDebouncer, HookEvent};
pub use line::{
    Error, ErrorType, HookState, LineCapabilities, LineErrorKind, LineFeed, LineInterface, Polarity,
};
