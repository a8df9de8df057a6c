//! Command-line tools of the examples (`cargo run --example <tool>`); each
//! module holds the testable library side of one tool.

pub mod dtmf;
pub mod echo;
pub mod media;
pub mod sip;
