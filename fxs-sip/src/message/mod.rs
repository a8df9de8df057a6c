//! The SIP message model (RFC 3261 §7): typed headers, a nom parser and a
//! canonical writer.

mod build;
mod headers;
pub(crate) mod parse;
mod types;
mod write;

pub use types::*;
