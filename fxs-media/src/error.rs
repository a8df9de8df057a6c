//! The crate's error type.

/// Everything that can go wrong in `fxs-media`: malformed RTP from the wire,
/// unknown codecs, and configuration refused at construction.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The datagram ends before a part of the RTP packet that its header announces.
    #[error("RTP packet truncated: the {what} needs {need} octets but the datagram has {got}")]
    Truncated {
        /// Which part of the packet is cut off ("fixed header", "CSRC list", ...).
        what: &'static str,
        /// Octets the datagram must have to hold that part.
        need: usize,
        /// Octets the datagram has.
        got: usize,
    },
    /// The RTP version field is not 2 (RFC 3550 §5.1).
    #[error("RTP version {0} is not supported (RFC 3550 requires version 2)")]
    BadVersion(u8),
    /// The P bit is set but the padding count (last octet) is 0 or larger than
    /// what follows the header (RFC 3550 §5.1).
    #[error(
        "RTP padding is invalid: the last octet must count at least 1 and at most the octets after the header"
    )]
    BadPadding,
    /// A codec this crate does not implement (its name as given).
    #[error("unsupported codec \"{0}\"")]
    UnsupportedCodec(String),
    /// A configuration value is outside the allowed range.
    #[error("invalid configuration: {field} = {value}; {allowed}")]
    InvalidConfig {
        /// The field that is wrong, e.g. `"ptime_ms"`.
        field: &'static str,
        /// The value given.
        value: u64,
        /// The values allowed.
        allowed: &'static str,
    },
    /// A level or gain setting (dB, dBm0, ms) is out of range or not a number.
    #[error("invalid configuration: {field} = {value}; {allowed}")]
    InvalidSetting {
        /// The field that is wrong, e.g. `"max_gain_db"`.
        field: &'static str,
        /// The value given, as written by `{:?}` (e.g. `NaN`, `60.0`).
        value: String,
        /// The values allowed.
        allowed: &'static str,
    },
    /// A packet or payload other than the RTP header (RTCP, RFC 4733
    /// telephone-event, RFC 3389 comfort noise) is malformed.
    #[error("malformed {what} at octet {at}: {reason}")]
    Malformed {
        /// What was being parsed ("RTCP sender report", "telephone-event payload", ...).
        what: &'static str,
        /// What is wrong with it.
        reason: &'static str,
        /// Octet offset in the datagram or payload where the problem is.
        at: usize,
    },
}
