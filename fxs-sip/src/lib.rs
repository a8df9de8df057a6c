//! fxs-sip: sans-IO SIP for FXS gateways.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod digest;
mod error;
pub mod message;
pub mod sdp;
mod transaction;
mod ua;

pub use error::{Error, MAX_MESSAGE_SIZE};
pub use message::*;
pub use ua::*;
