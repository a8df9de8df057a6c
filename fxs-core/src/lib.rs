//! The FXS gateway engine.
//!
//! `fxs-core` turns N analog lines and one SIP account per line into a
//! working gateway: it runs each port's call state machine (off hook, dial
//! tone, digit collection, INVITE, ringback, connected, hang-up; incoming
//! INVITE, ringing, answer), plays the country's tones, and moves audio
//! between the line and RTP. It does no I/O and reads no clock: a driver owns
//! the sockets, the clock and the [`LineBank`](fxs_hal::LineBank), and feeds
//! them in (see [`Gateway`] for the loop).
//!
//! It builds on the lower crates, and contains no DSP or protocol parsing of
//! its own:
//!
//! | crate | used for |
//! |---|---|
//! | `fxs-hal` | the lines (`LineInterface`), hook debouncing |
//! | `fxs-tones` | dial tone, ringback, busy, reorder; the DTMF detector |
//! | `fxs-media` | G.711, RTP, the jitter buffer (`MediaStream`) |
//! | `fxs-sip` | registration, calls, SDP offer/answer (`UserAgent`) |
//!
//! # Main types
//! - [`Gateway`]: the engine; [`Input`] in, [`Output`] out.
//! - [`GatewayConfig`], [`PortConfig`]: what it runs, checked by
//!   [`GatewayConfig::validate`].
//! - [`GatewayEvent`]: what happened, per port.
//!
//! # Example
//! ```
//! use std::time::{Duration, Instant};
//! use fxs_core::{Gateway, GatewayConfig, PortConfig, SipConfig, DialingConfig, Output, EventKind};
//! use fxs_hal::sim::SimSlic;
//!
//! let start = Instant::now();
//! let config = GatewayConfig {
//!     sip: SipConfig {
//!         local_addr: "127.0.0.1:5062".parse().unwrap(),
//!         server: "127.0.0.1:5060".parse().unwrap(),
//!         domain: "127.0.0.1".into(),
//!         register_expires: 300,
//!     },
//!     ports: vec![PortConfig {
//!         extension: "1001".into(),
//!         auth_user: "1001".into(),
//!         password: "secret".into(),
//!         country: "US".into(),
//!         rtp_addr: "127.0.0.1:40000".parse().unwrap(),
//!         dial_plan: None,
//!     }],
//!     dialing: DialingConfig::default(),
//!     rng_seed: 7,
//! };
//! let mut gw = Gateway::new(config, start).unwrap();
//! let mut slic = SimSlic::new(1, start);
//! slic.phone_mut(0).lift();
//! let mut events = Vec::new();
//! for tick in 1..=10 {
//!     let now = start + Duration::from_millis(10 * tick);
//!     slic.tick(now);
//!     gw.handle_frames(now, &mut slic);
//!     loop {
//!         match gw.poll_output() {
//!             Output::Event(e) => events.push(e.kind),
//!             Output::Transmit(_) => {} // REGISTER towards 127.0.0.1:5060
//!             Output::Timeout(_) => break,
//!         }
//!     }
//! }
//! assert!(events.contains(&EventKind::OffHook));
//! assert!(events.contains(&EventKind::DialTone));
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod config;
pub mod dialplan;
mod event;
mod gateway;
mod port;

pub use config::{
    DEFAULT_REGISTER_EXPIRES, DialingConfig, GatewayConfig, PortConfig, SipConfig, supported_countries,
};
pub use event::{CallDirection, CallEndReason, CallRecord, EventKind, GatewayEvent, PortCounters, PortId};
pub use gateway::{FRAME_INTERVAL, Gateway, Input, Output, PortStatus, TimeoutReason, Transmit};

/// Errors of the gateway engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration field is invalid.
    #[error("invalid configuration: {field}: {problem}")]
    InvalidConfig {
        /// The field, as a path (`ports[1].country`).
        field: String,
        /// What is wrong and what is allowed.
        problem: String,
    },
    /// A DSP component refused its parameters.
    #[error("tone DSP: {0}")]
    Tones(fxs_tones::Error),
}
