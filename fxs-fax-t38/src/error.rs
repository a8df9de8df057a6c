//! The one error type of this crate.

/// Everything that can go wrong in `fxs-fax-t38`.
///
/// Wire errors (from [`IfpPacket::parse`](crate::IfpPacket::parse) and
/// [`UdptlPacket::parse`](crate::UdptlPacket::parse)) name the ASN.1 element
/// that was being decoded and the byte offset where decoding stopped, so a
/// log line points straight at the broken octet of a capture.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The fax tone detector only runs at 8000 Hz.
    #[error("sample rate {0} Hz is not supported (the fax tone detector runs at 8000 Hz)")]
    UnsupportedSampleRate(u32),

    /// A T.38 version outside 0..=3 (SDP `T38FaxVersion`, fax-t38.md §7).
    #[error("T.38 version {0} is not supported (known versions are 0 to 3)")]
    UnsupportedVersion(u8),

    /// The input ended inside `what`.
    #[error("truncated {what} at byte offset {offset}")]
    Truncated {
        /// The ASN.1 element being decoded.
        what: &'static str,
        /// Byte offset where more input was needed.
        offset: usize,
    },

    /// An enumerated value that the T.38 ASN.1 does not define.
    #[error("unknown {what} value {value} at byte offset {offset}")]
    UnknownValue {
        /// The enumeration (`t30-indicator`, `t30-data`, `field-type`).
        what: &'static str,
        /// The index found on the wire (root index, or 16/9/8 + extension index).
        value: u32,
        /// Byte offset of the octet that holds the value.
        offset: usize,
    },

    /// A value that exists in T.38 but not in the version this session uses.
    #[error("{what} is not defined in T.38 version {version} (needs version {needs} or later)")]
    NotInVersion {
        /// The value, by its ASN.1 name (for example `v8-ansam`).
        what: &'static str,
        /// The version in use.
        version: u8,
        /// The first version that defines it.
        needs: u8,
    },

    /// An encoding form this decoder does not accept (for example an
    /// extension index above 63, or a fragmented integer length).
    #[error("unsupported encoding of {what} at byte offset {offset}")]
    UnsupportedEncoding {
        /// The ASN.1 element being decoded.
        what: &'static str,
        /// Byte offset of the offending octet.
        offset: usize,
    },

    /// A PER length determinant that X.691 does not allow.
    #[error("invalid PER length octet 0x{octet:02x} for {what} at byte offset {offset}")]
    BadLength {
        /// What the length counts.
        what: &'static str,
        /// The first octet of the length determinant.
        octet: u8,
        /// Its byte offset.
        offset: usize,
    },

    /// Octets left over after a complete packet.
    #[error("{count} trailing byte(s) after {what} at byte offset {offset}")]
    TrailingBytes {
        /// The packet that ended.
        what: &'static str,
        /// How many octets follow it.
        count: usize,
        /// Byte offset of the first extra octet.
        offset: usize,
    },

    /// A value too large for its ASN.1 type (emit side).
    #[error("{what} is {len} long, more than the maximum {max}")]
    TooLong {
        /// The element.
        what: &'static str,
        /// Its length or value.
        len: usize,
        /// The largest allowed.
        max: usize,
    },

    /// `fec-npackets` outside 0..=u32::MAX.
    #[error("fec-npackets at byte offset {offset} is out of range")]
    FecNpacketsOutOfRange {
        /// Byte offset of the integer's first content octet.
        offset: usize,
    },

    /// The output buffer given to an `emit` is too small.
    #[error("output buffer of {got} bytes is too small, {needed} bytes needed")]
    BufferTooSmall {
        /// Bytes the encoding needs ([`IfpPacket::buffer_len`](crate::IfpPacket::buffer_len)).
        needed: usize,
        /// Bytes given.
        got: usize,
    },
}
