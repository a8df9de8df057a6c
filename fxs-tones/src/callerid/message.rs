//! The typed caller ID / VMWI message model shared by every standard.

use core::fmt;

use crate::Error;

/// Most octets of an encoded message ([`MessageBytes`]): 255 data octets
/// plus the framing of the largest format (NTT: DLE SOH, header, DLE STX,
/// type, length, DLE ETX, CRC, with DLE stuffing).
pub const MAX_MESSAGE_OCTETS: usize = 272;

/// Fixed-capacity printable-ASCII text (at most `N` octets, `N` <= 255).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Text<const N: usize> {
    bytes: [u8; N],
    len: u8,
}

/// A telephone number (calling, called or redirecting): up to 32
/// printable ASCII characters.
pub type Number = Text<32>;
/// A calling name: up to 64 printable ASCII characters.
pub type Name = Text<64>;

impl<const N: usize> Text<N> {
    /// The text of `s`; fails if it is longer than `N` or has characters
    /// outside printable ASCII (0x20-0x7E).
    pub fn new(s: &str) -> Result<Text<N>, Error> {
        Text::from_bytes(s.as_bytes(), "text")
    }

    /// The text of raw octets, naming `field` in the error.
    pub fn from_bytes(bytes: &[u8], field: &'static str) -> Result<Text<N>, Error> {
        if bytes.len() > N || bytes.len() > 255 {
            return Err(Error::InvalidField {
                field,
                reason: "too long",
            });
        }
        if !bytes.iter().all(|b| (0x20..=0x7E).contains(b)) {
            return Err(Error::InvalidField {
                field,
                reason: "characters outside printable ASCII",
            });
        }
        let mut out = Text {
            bytes: [0; N],
            len: 0,
        };
        out.bytes[..bytes.len()].copy_from_slice(bytes);
        out.len = bytes.len() as u8;
        Ok(out)
    }

    /// The text as a string slice.
    pub fn as_str(&self) -> &str {
        // Only printable ASCII is ever stored.
        core::str::from_utf8(self.as_bytes()).unwrap_or("")
    }

    /// The text as octets.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Length in octets.
    pub fn len(&self) -> usize {
        usize::from(self.len)
    }

    /// True for the empty text.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True if every character is a decimal digit.
    pub fn is_digits(&self) -> bool {
        self.as_bytes().iter().all(u8::is_ascii_digit)
    }
}

impl<const N: usize> fmt::Debug for Text<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> fmt::Display for Text<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Local date and time of the call, as caller ID carries it (`MMDDhhmm`,
/// no year; callerid.md §2.4, §4.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DateTime {
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
}

impl DateTime {
    /// A date and time; fails unless month 1-12, day 1-31, hour 0-23,
    /// minute 0-59.
    pub fn new(month: u8, day: u8, hour: u8, minute: u8) -> Result<DateTime, Error> {
        let ok = (1..=12).contains(&month) && (1..=31).contains(&day) && hour <= 23 && minute <= 59;
        if !ok {
            return Err(Error::InvalidField {
                field: "datetime",
                reason: "month 1-12, day 1-31, hour 0-23, minute 0-59",
            });
        }
        Ok(DateTime {
            month,
            day,
            hour,
            minute,
        })
    }

    /// Parses the 8 ASCII digits `MMDDhhmm`.
    pub fn from_ascii(digits: &[u8]) -> Result<DateTime, Error> {
        let bad = Error::InvalidField {
            field: "datetime",
            reason: "must be 8 digits MMDDhhmm",
        };
        let [m1, m2, d1, d2, h1, h2, n1, n2] = digits else {
            return Err(bad);
        };
        let two = |a: u8, b: u8| -> Option<u8> {
            (a.is_ascii_digit() && b.is_ascii_digit()).then(|| (a - b'0') * 10 + (b - b'0'))
        };
        match (two(*m1, *m2), two(*d1, *d2), two(*h1, *h2), two(*n1, *n2)) {
            (Some(m), Some(d), Some(h), Some(n)) => DateTime::new(m, d, h, n),
            _ => Err(bad),
        }
    }

    /// The 8 ASCII digits `MMDDhhmm`.
    pub fn to_ascii(self) -> [u8; 8] {
        let d = |v: u8| [b'0' + v / 10, b'0' + v % 10];
        let [a, b] = d(self.month);
        let [c, e] = d(self.day);
        let [f, g] = d(self.hour);
        let [h, i] = d(self.minute);
        [a, b, c, e, f, g, h, i]
    }

    /// Month 1-12.
    pub fn month(self) -> u8 {
        self.month
    }
    /// Day of the month 1-31.
    pub fn day(self) -> u8 {
        self.day
    }
    /// Hour 0-23.
    pub fn hour(self) -> u8 {
        self.hour
    }
    /// Minute 0-59.
    pub fn minute(self) -> u8 {
        self.minute
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:02}{:02}{:02}{:02}",
            self.month, self.day, self.hour, self.minute
        )
    }
}

/// Why a number or name is not presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AbsenceReason {
    /// Withheld by the caller: private / restricted / anonymous (`P`,
    /// DTMF `B10` or `D1#`).
    Private,
    /// Not available: out of area, interworking (`O`, DTMF `B00` or `D3#`).
    Unavailable,
    /// Call from a public phone (NTT `C`); other standards send it as
    /// unavailable.
    Payphone,
    /// International call (DTMF variant 2 `D2#`); other standards send it
    /// as unavailable.
    International,
    /// NTT "service conflict" (`S`); other standards send it as
    /// unavailable.
    ServiceConflict,
}

/// A field that is either presented or absent for a stated reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Presented<T> {
    /// The value is presented.
    Value(T),
    /// The value is withheld or unavailable.
    Absent(AbsenceReason),
}

impl<T> Presented<T> {
    /// The value, if presented.
    pub fn value(&self) -> Option<&T> {
        match self {
            Presented::Value(v) => Some(v),
            Presented::Absent(_) => None,
        }
    }
}

/// Reason for redirection (Telcordia MDMF parameter 0x05).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RedirectReason {
    /// Forwarded on busy (0x01).
    Busy,
    /// Forwarded on no answer (0x02).
    NoAnswer,
    /// Unconditional forwarding (0x03; spandsp's ASCII `0` "universal").
    Unconditional,
    /// Forwarded to a data terminal (0x04).
    ForwardDte,
    /// Call deflection (0x05).
    Deflection,
}

impl RedirectReason {
    /// The binary code sent (Asterisk values; callerid.md §2.4 "trust:
    /// field use").
    pub fn code(self) -> u8 {
        match self {
            RedirectReason::Busy => 0x01,
            RedirectReason::NoAnswer => 0x02,
            RedirectReason::Unconditional => 0x03,
            RedirectReason::ForwardDte => 0x04,
            RedirectReason::Deflection => 0x05,
        }
    }

    /// Reads either the binary codes or spandsp's ASCII `0`/`1`/`2`.
    pub fn from_code(code: u8) -> Option<RedirectReason> {
        Some(match code {
            0x01 | b'1' => RedirectReason::Busy,
            0x02 | b'2' => RedirectReason::NoAnswer,
            0x03 | b'0' => RedirectReason::Unconditional,
            0x04 => RedirectReason::ForwardDte,
            0x05 => RedirectReason::Deflection,
            _ => return None,
        })
    }
}

/// Call qualifier (Telcordia MDMF parameter 0x06).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallQualifier {
    /// `L`: a long-distance call.
    LongDistance,
}

/// Visual message-waiting indication.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MessageWaiting {
    /// Lamp on (messages waiting) or off.
    pub active: bool,
    /// Number of messages, where the standard carries it (ETSI 0x13).
    pub count: Option<u8>,
}

/// A caller ID or VMWI message.
///
/// A message with `message_waiting` set is a VMWI message (Telcordia/ETSI
/// type 0x82 or SDMF 0x06); otherwise it is a call set-up message. Each
/// standard carries a subset of the fields
/// ([`CallerIdStandard::carried`](crate::CallerIdStandard::carried) tells
/// which); an encoder leaves out what its format has no place for, but
/// never the presentation of the number or name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct CallerIdMessage {
    /// Date and time of the call.
    pub datetime: Option<DateTime>,
    /// Calling number, or why it is absent.
    pub number: Option<Presented<Number>>,
    /// Calling name, or why it is absent.
    pub name: Option<Presented<Name>>,
    /// Called (dialled) number.
    pub called: Option<Number>,
    /// Redirecting number (ETSI 0x1A, DTMF `D`).
    pub redirecting: Option<Number>,
    /// Reason for redirection (Telcordia 0x05).
    pub redirect_reason: Option<RedirectReason>,
    /// Call qualifier (Telcordia 0x06).
    pub qualifier: Option<CallQualifier>,
    /// Message waiting on/off (makes this a VMWI message).
    pub message_waiting: Option<MessageWaiting>,
}

impl CallerIdMessage {
    /// A call set-up message presenting `number`.
    pub fn with_number(number: &str) -> Result<CallerIdMessage, Error> {
        Ok(CallerIdMessage {
            number: Some(Presented::Value(Text::from_bytes(number.as_bytes(), "number")?)),
            ..CallerIdMessage::default()
        })
    }

    /// A call set-up message whose number is absent for `reason`.
    pub fn withheld(reason: AbsenceReason) -> CallerIdMessage {
        CallerIdMessage {
            number: Some(Presented::Absent(reason)),
            ..CallerIdMessage::default()
        }
    }

    /// A VMWI message: lamp on or off.
    pub fn message_waiting(active: bool) -> CallerIdMessage {
        CallerIdMessage {
            message_waiting: Some(MessageWaiting { active, count: None }),
            ..CallerIdMessage::default()
        }
    }

    /// The calling number, if presented.
    pub fn number_str(&self) -> Option<&str> {
        self.number.as_ref().and_then(Presented::value).map(Text::as_str)
    }

    /// The calling name, if presented.
    pub fn name_str(&self) -> Option<&str> {
        self.name.as_ref().and_then(Presented::value).map(Text::as_str)
    }
}

/// An encoded message: the octets (or DTMF characters) of one standard.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct MessageBytes {
    buf: [u8; MAX_MESSAGE_OCTETS],
    len: usize,
}

impl MessageBytes {
    /// An empty buffer.
    pub(crate) const fn new() -> MessageBytes {
        MessageBytes {
            buf: [0; MAX_MESSAGE_OCTETS],
            len: 0,
        }
    }

    /// Appends octets; `what` names the standard in the error when full.
    pub(crate) fn extend(&mut self, bytes: &[u8], standard: &'static str) -> Result<(), Error> {
        let end = self.len + bytes.len();
        let Some(dst) = self.buf.get_mut(self.len..end) else {
            return Err(Error::Unsupported {
                standard,
                what: "a message this long",
            });
        };
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Appends one octet.
    pub(crate) fn push(&mut self, byte: u8, standard: &'static str) -> Result<(), Error> {
        self.extend(&[byte], standard)
    }

    /// Mutable access to the octets written so far.
    pub(crate) fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }

    /// The octets.
    pub fn as_slice(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Number of octets.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl fmt::Debug for MessageBytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.as_slice().iter().map(|b| HexOctet(*b)))
            .finish()
    }
}

/// Shows an octet as `0xNN`.
struct HexOctet(u8);

impl fmt::Debug for HexOctet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:02X}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_refuses_long_and_non_ascii_input() {
        assert!(Number::new("0123456789").is_ok());
        assert!(Number::new(&"1".repeat(33)).is_err());
        assert!(Name::new("Zoë").is_err());
        assert!(Name::new("a\u{7}").is_err());
    }

    #[test]
    fn datetime_round_trips_through_ascii() {
        let dt = DateTime::new(12, 31, 23, 59).unwrap();
        assert_eq!(&dt.to_ascii(), b"12312359");
        assert_eq!(DateTime::from_ascii(b"12312359").unwrap(), dt);
        assert!(DateTime::from_ascii(b"13010000").is_err());
        assert!(DateTime::from_ascii(b"0101000").is_err());
        assert!(DateTime::from_ascii(b"01a10000").is_err());
    }

    #[test]
    fn redirect_reason_accepts_binary_and_ascii_codes() {
        assert_eq!(RedirectReason::from_code(0x01), Some(RedirectReason::Busy));
        assert_eq!(RedirectReason::from_code(b'1'), Some(RedirectReason::Busy));
        assert_eq!(
            RedirectReason::from_code(b'0'),
            Some(RedirectReason::Unconditional)
        );
        assert_eq!(RedirectReason::from_code(0x09), None);
    }
}
