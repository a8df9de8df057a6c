//! The crate's error type.

use core::fmt;

/// Everything that can go wrong in `fxs-tones`.
///
/// Errors only come from construction and configuration (a bad sample rate,
/// digit, tone description or country code) or from a full queue; the
/// per-frame DSP paths never fail.
#[derive(Clone, Copy, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The sample rate is not one this component supports (8000 Hz, and
    /// 16000 Hz where documented).
    #[error("unsupported sample rate {0} Hz (supported: 8000, 16000)")]
    UnsupportedSampleRate(u32),
    /// The character is not a DTMF digit (`0`-`9`, `*`, `#`, `A`-`D`).
    #[error("invalid DTMF digit {0:?} (expected 0-9, *, #, A-D)")]
    InvalidDigit(char),
    /// The DTMF generator's digit queue is full.
    #[error("DTMF digit queue is full")]
    QueueFull,
    /// No tone plan exists for this ISO 3166 alpha-2 country code.
    #[error("unknown country code \"{}\"", CountryCode(code))]
    UnknownCountry {
        /// The first two bytes of the code as given (0 where the code was
        /// shorter).
        code: [u8; 2],
    },
    /// A tone or cadence description is unusable; the text says what is
    /// wrong with it.
    #[error("invalid tone: {0}")]
    InvalidTone(&'static str),
    /// A configuration field is out of range.
    #[error("invalid configuration: {field} {reason}")]
    InvalidConfig {
        /// The name of the field.
        field: &'static str,
        /// What is wrong with its value.
        reason: &'static str,
    },
    /// A caller ID or FSK message failed its checksum or CRC: it was
    /// damaged on the line and none of it is trusted.
    #[error("{standard} message checksum mismatch (corrupt message)")]
    ChecksumMismatch {
        /// The standard whose checksum failed.
        standard: &'static str,
    },
    /// A character of a caller ID message failed its parity check.
    #[error("parity error in octet {index} of a {standard} message")]
    ParityError {
        /// The standard of the message.
        standard: &'static str,
        /// Position of the octet in the message.
        index: usize,
    },
    /// A caller ID message is structurally broken (truncated, a length
    /// that does not add up, an illegal octet); the text says what.
    #[error("malformed {standard} message: {reason}")]
    MalformedMessage {
        /// The standard of the message.
        standard: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// A caller ID field does not fit the standard or the fixed-capacity
    /// buffer (too long, characters the format cannot carry).
    #[error("caller ID field {field}: {reason}")]
    InvalidField {
        /// The field (number, name, ...).
        field: &'static str,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The caller ID standard cannot carry this kind of message (for
    /// example message waiting over DTMF).
    #[error("{standard} cannot carry {what}")]
    Unsupported {
        /// The standard.
        standard: &'static str,
        /// What it cannot carry.
        what: &'static str,
    },
    /// No valid caller ID message was found in the signal.
    #[error("no valid caller ID message found")]
    NoMessage,
}

/// Shows a two-byte country code, printable ASCII as is, anything else as `?`.
struct CountryCode<'a>(&'a [u8; 2]);

impl fmt::Display for CountryCode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.0 {
            let c = if b.is_ascii_graphic() { char::from(b) } else { '?' };
            fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn unknown_country_names_the_code() {
        let e = Error::UnknownCountry { code: *b"XX" };
        assert_eq!(e.to_string(), "unknown country code \"XX\"");
    }

    #[test]
    fn unknown_country_shows_missing_bytes_as_question_marks() {
        let e = Error::UnknownCountry { code: [b'U', 0] };
        assert_eq!(e.to_string(), "unknown country code \"U?\"");
    }

    #[test]
    fn invalid_config_names_field_and_reason() {
        let e = Error::InvalidConfig {
            field: "on",
            reason: "must be at least 1 ms",
        };
        assert_eq!(e.to_string(), "invalid configuration: on must be at least 1 ms");
    }
}
