//! Telcordia GR-30-CORE SDMF and MDMF (callerid.md §2.3-2.4) and the
//! ETSI EN 300 659-3 MDMF coding (§4.3-4.4), which shares its framing:
//! `type, length, data..., checksum` with a modulo-256 two's-complement
//! checksum. BT SIN 227 uses the ETSI coding (§5).

use super::message::{
    AbsenceReason, CallQualifier, CallerIdMessage, DateTime, MessageBytes, MessageWaiting, Presented,
    RedirectReason, Text,
};
use crate::Error;

/// SDMF calling number delivery (CND).
pub(crate) const SDMF_CALLER_ID: u8 = 0x04;
/// SDMF message waiting.
pub(crate) const SDMF_MWI: u8 = 0x06;
/// MDMF call set-up (Telcordia and ETSI).
pub(crate) const MDMF_CALL: u8 = 0x80;
/// MDMF message waiting (Telcordia and ETSI).
pub(crate) const MDMF_MWI: u8 = 0x82;

/// MDMF parameter codes (Telcordia §2.4 and ETSI §4.4).
mod param {
    pub const DATETIME: u8 = 0x01;
    pub const NUMBER: u8 = 0x02;
    pub const CALLED: u8 = 0x03;
    pub const NUMBER_ABSENT: u8 = 0x04;
    pub const REDIRECT_REASON: u8 = 0x05;
    pub const QUALIFIER: u8 = 0x06;
    pub const NAME: u8 = 0x07;
    pub const NAME_ABSENT: u8 = 0x08;
    pub const MESSAGE_WAITING: u8 = 0x0B;
    pub const MESSAGE_COUNT: u8 = 0x13;
    pub const REDIRECTING: u8 = 0x1A;
}

/// Which of the related FSK codings to write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// Telcordia single data message format.
    Sdmf,
    /// Telcordia multiple data message format.
    TelcordiaMdmf,
    /// ETSI EN 300 659-3 (also BT SIN 227).
    EtsiMdmf,
}

impl Dialect {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Dialect::Sdmf => "Telcordia SDMF",
            Dialect::TelcordiaMdmf => "Telcordia MDMF",
            Dialect::EtsiMdmf => "ETSI EN 300 659",
        }
    }
}

/// The part of `msg` the dialect carries.
pub(crate) fn carried(msg: &CallerIdMessage, dialect: Dialect) -> CallerIdMessage {
    let mut m = *msg;
    m.number = m.number.map(|n| match n {
        Presented::Absent(r) => Presented::Absent(fsk_reason(r)),
        v => v,
    });
    m.name = m.name.map(|n| match n {
        Presented::Absent(r) => Presented::Absent(fsk_reason(r)),
        v => v,
    });
    match dialect {
        Dialect::Sdmf => {
            if let Some(mw) = m.message_waiting {
                return CallerIdMessage {
                    message_waiting: Some(MessageWaiting { count: None, ..mw }),
                    ..CallerIdMessage::default()
                };
            }
            CallerIdMessage {
                datetime: m.datetime,
                number: m.number,
                ..CallerIdMessage::default()
            }
        }
        Dialect::TelcordiaMdmf => CallerIdMessage {
            redirecting: None,
            message_waiting: m.message_waiting.map(|mw| MessageWaiting { count: None, ..mw }),
            ..m
        },
        Dialect::EtsiMdmf => CallerIdMessage {
            redirect_reason: None,
            qualifier: None,
            ..m
        },
    }
}

/// The reason as the one-letter FSK codes can carry it.
fn fsk_reason(reason: AbsenceReason) -> AbsenceReason {
    match reason {
        AbsenceReason::Private => AbsenceReason::Private,
        _ => AbsenceReason::Unavailable,
    }
}

fn reason_code(reason: AbsenceReason) -> u8 {
    match reason {
        AbsenceReason::Private => b'P',
        _ => b'O',
    }
}

fn reason_from_code(code: &[u8], standard: &'static str) -> Result<AbsenceReason, Error> {
    match code {
        b"P" => Ok(AbsenceReason::Private),
        b"O" => Ok(AbsenceReason::Unavailable),
        _ => Err(Error::MalformedMessage {
            standard,
            reason: "absence reason is not 'O' or 'P'",
        }),
    }
}

/// Two's complement of the modulo-256 sum (callerid.md §2.3).
pub(crate) fn checksum(bytes: &[u8]) -> u8 {
    bytes.iter().fold(0u8, |a, &b| a.wrapping_add(b)).wrapping_neg()
}

/// Encodes `msg` in `dialect`: type, length, data, checksum.
pub(crate) fn encode(msg: &CallerIdMessage, dialect: Dialect) -> Result<MessageBytes, Error> {
    let name = dialect.name();
    let m = carried(msg, dialect);
    let mut out = MessageBytes::new();
    out.extend(&[0, 0], name)?;
    let kind = match dialect {
        Dialect::Sdmf => encode_sdmf(&m, &mut out)?,
        _ => encode_mdmf(&m, dialect, &mut out)?,
    };
    let data_len = out.len() - 2;
    let Ok(len) = u8::try_from(data_len) else {
        return Err(Error::Unsupported {
            standard: name,
            what: "more than 255 data octets",
        });
    };
    let bytes = out.as_mut_slice();
    bytes[0] = kind;
    bytes[1] = len;
    let sum = checksum(bytes);
    out.push(sum, name)?;
    Ok(out)
}

fn encode_sdmf(m: &CallerIdMessage, out: &mut MessageBytes) -> Result<u8, Error> {
    let name = Dialect::Sdmf.name();
    if let Some(mw) = m.message_waiting {
        out.extend(if mw.active { &[0x42; 3] } else { &[0x6F; 3] }, name)?;
        return Ok(SDMF_MWI);
    }
    let Some(datetime) = m.datetime else {
        return Err(Error::InvalidField {
            field: "datetime",
            reason: "SDMF requires the date and time",
        });
    };
    out.extend(&datetime.to_ascii(), name)?;
    match &m.number {
        Some(Presented::Value(n)) if !n.is_empty() => out.extend(n.as_bytes(), name)?,
        Some(Presented::Absent(r)) => out.push(reason_code(*r), name)?,
        _ => {
            return Err(Error::InvalidField {
                field: "number",
                reason: "SDMF requires a number or an absence reason",
            });
        }
    }
    Ok(SDMF_CALLER_ID)
}

fn put_param(out: &mut MessageBytes, code: u8, value: &[u8], standard: &'static str) -> Result<(), Error> {
    let Ok(len) = u8::try_from(value.len()) else {
        return Err(Error::Unsupported {
            standard,
            what: "a parameter longer than 255 octets",
        });
    };
    out.extend(&[code, len], standard)?;
    out.extend(value, standard)
}

fn encode_mdmf(m: &CallerIdMessage, dialect: Dialect, out: &mut MessageBytes) -> Result<u8, Error> {
    let name = dialect.name();
    if let Some(dt) = m.datetime {
        put_param(out, param::DATETIME, &dt.to_ascii(), name)?;
    }
    match &m.number {
        Some(Presented::Value(n)) => put_param(out, param::NUMBER, n.as_bytes(), name)?,
        Some(Presented::Absent(r)) => put_param(out, param::NUMBER_ABSENT, &[reason_code(*r)], name)?,
        None => {}
    }
    if let Some(c) = &m.called {
        put_param(out, param::CALLED, c.as_bytes(), name)?;
    }
    match &m.name {
        Some(Presented::Value(n)) => put_param(out, param::NAME, n.as_bytes(), name)?,
        Some(Presented::Absent(r)) => put_param(out, param::NAME_ABSENT, &[reason_code(*r)], name)?,
        None => {}
    }
    if let Some(r) = m.redirect_reason {
        put_param(out, param::REDIRECT_REASON, &[r.code()], name)?;
    }
    if let Some(CallQualifier::LongDistance) = m.qualifier {
        put_param(out, param::QUALIFIER, b"L", name)?;
    }
    if let Some(r) = &m.redirecting {
        put_param(out, param::REDIRECTING, r.as_bytes(), name)?;
    }
    if let Some(mw) = m.message_waiting {
        put_param(
            out,
            param::MESSAGE_WAITING,
            &[if mw.active { 0xFF } else { 0x00 }],
            name,
        )?;
        if let Some(count) = mw.count {
            put_param(out, param::MESSAGE_COUNT, &[count], name)?;
        }
        return Ok(MDMF_MWI);
    }
    Ok(MDMF_CALL)
}

/// Decodes one complete message (type .. checksum) of any of the
/// dialects; the message type tells SDMF from MDMF. The checksum is
/// checked first: a damaged message is an error, never partly used.
pub(crate) fn decode(bytes: &[u8]) -> Result<CallerIdMessage, Error> {
    const STD: &str = "Telcordia/ETSI";
    let malformed = |reason| Error::MalformedMessage {
        standard: STD,
        reason,
    };
    let [kind, len, ..] = *bytes else {
        return Err(malformed("shorter than type, length and checksum"));
    };
    if bytes.len() != usize::from(len) + 3 {
        return Err(malformed("length octet does not match the message size"));
    }
    if checksum(bytes) != 0 {
        return Err(Error::ChecksumMismatch { standard: STD });
    }
    let data = &bytes[2..bytes.len() - 1];
    match kind {
        SDMF_CALLER_ID => decode_sdmf(data),
        SDMF_MWI => match data {
            [0x42, 0x42, 0x42] => Ok(CallerIdMessage::message_waiting(true)),
            [0x6F, 0x6F, 0x6F] => Ok(CallerIdMessage::message_waiting(false)),
            _ => Err(malformed("SDMF message waiting is not 0x42 x3 or 0x6F x3")),
        },
        MDMF_CALL | MDMF_MWI => {
            let m = decode_mdmf(data)?;
            if kind == MDMF_MWI && m.message_waiting.is_none() {
                return Err(malformed("message-waiting message without indicator parameter"));
            }
            Ok(m)
        }
        _ => Err(Error::Unsupported {
            standard: STD,
            what: "this message type",
        }),
    }
}

fn decode_sdmf(data: &[u8]) -> Result<CallerIdMessage, Error> {
    const STD: &str = "Telcordia SDMF";
    let (Some(dt), Some(rest)) = (data.get(..8), data.get(8..)) else {
        return Err(Error::MalformedMessage {
            standard: STD,
            reason: "shorter than the date and time",
        });
    };
    let datetime = DateTime::from_ascii(dt)?;
    let number = match rest {
        [] => {
            return Err(Error::MalformedMessage {
                standard: STD,
                reason: "no number or absence reason",
            });
        }
        b"P" | b"O" => Presented::Absent(reason_from_code(rest, STD)?),
        digits => Presented::Value(Text::from_bytes(digits, "number")?),
    };
    Ok(CallerIdMessage {
        datetime: Some(datetime),
        number: Some(number),
        ..CallerIdMessage::default()
    })
}

fn decode_mdmf(mut data: &[u8]) -> Result<CallerIdMessage, Error> {
    const STD: &str = "MDMF";
    let malformed = |reason| Error::MalformedMessage {
        standard: STD,
        reason,
    };
    let mut m = CallerIdMessage::default();
    let mut seen = 0u64;
    while let [code, len, rest @ ..] = data {
        let Some((value, tail)) = rest.split_at_checked(usize::from(*len)) else {
            return Err(malformed("parameter runs past the end of the message"));
        };
        data = tail;
        let bit = 1u64 << (code & 0x3F);
        if *code < 0x40 {
            if seen & bit != 0 {
                return Err(malformed("parameter appears twice"));
            }
            seen |= bit;
        }
        let absence_twice = |a: u8, b: u8| seen & (1 << a) != 0 && seen & (1 << b) != 0;
        match *code {
            param::DATETIME => m.datetime = Some(DateTime::from_ascii(value)?),
            param::NUMBER => m.number = Some(Presented::Value(Text::from_bytes(value, "number")?)),
            param::NUMBER_ABSENT => m.number = Some(Presented::Absent(reason_from_code(value, STD)?)),
            param::CALLED => m.called = Some(Text::from_bytes(value, "called number")?),
            param::NAME => m.name = Some(Presented::Value(Text::from_bytes(value, "name")?)),
            param::NAME_ABSENT => m.name = Some(Presented::Absent(reason_from_code(value, STD)?)),
            param::REDIRECT_REASON => match value {
                [c] => {
                    m.redirect_reason = Some(
                        RedirectReason::from_code(*c).ok_or(malformed("unknown reason for redirection"))?,
                    );
                }
                _ => return Err(malformed("reason for redirection is not one octet")),
            },
            param::QUALIFIER => match value {
                b"L" => m.qualifier = Some(CallQualifier::LongDistance),
                _ => return Err(malformed("unknown call qualifier")),
            },
            param::REDIRECTING => m.redirecting = Some(Text::from_bytes(value, "redirecting number")?),
            param::MESSAGE_WAITING => {
                let active = match value {
                    [0xFF] => true,
                    [0x00] => false,
                    _ => return Err(malformed("message-waiting indicator is not 0x00 or 0xFF")),
                };
                let count = m.message_waiting.and_then(|mw| mw.count);
                m.message_waiting = Some(MessageWaiting { active, count });
            }
            param::MESSAGE_COUNT => match value {
                [n] => {
                    let active = m.message_waiting.is_some_and(|mw| mw.active);
                    m.message_waiting = Some(MessageWaiting {
                        active,
                        count: Some(*n),
                    });
                }
                _ => return Err(malformed("message count is not one octet")),
            },
            // Parameters we do not model (alternate route, AOC, ...) are skipped:
            // they were covered by the checksum.
            _ => {}
        }
        if absence_twice(param::NUMBER, param::NUMBER_ABSENT)
            || absence_twice(param::NAME, param::NAME_ABSENT)
        {
            return Err(malformed("both a value and an absence reason"));
        }
    }
    if !data.is_empty() {
        return Err(malformed("a parameter header is cut off"));
    }
    if seen & (1 << param::MESSAGE_COUNT) != 0 && seen & (1 << param::MESSAGE_WAITING) == 0 {
        return Err(malformed("message count without message-waiting indicator"));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdmf_matches_the_gr30_example_layout() {
        let mut m = CallerIdMessage::with_number("6175551212").unwrap();
        m.datetime = Some(DateTime::new(1, 2, 3, 4).unwrap());
        let bytes = encode(&m, Dialect::Sdmf).unwrap();
        let b = bytes.as_slice();
        assert_eq!(b[0], 0x04);
        assert_eq!(b[1], 18);
        assert_eq!(&b[2..10], b"01020304");
        assert_eq!(&b[10..20], b"6175551212");
        assert_eq!(b.iter().fold(0u8, |a, &x| a.wrapping_add(x)), 0);
        assert_eq!(decode(b).unwrap(), m);
    }

    #[test]
    fn sdmf_message_waiting_uses_0x42_and_0x6f() {
        let on = encode(&CallerIdMessage::message_waiting(true), Dialect::Sdmf).unwrap();
        assert_eq!(&on.as_slice()[..5], &[0x06, 3, 0x42, 0x42, 0x42]);
        let off = encode(&CallerIdMessage::message_waiting(false), Dialect::Sdmf).unwrap();
        assert_eq!(&off.as_slice()[..5], &[0x06, 3, 0x6F, 0x6F, 0x6F]);
    }

    #[test]
    fn mdmf_private_number_is_parameter_4_with_p() {
        let m = CallerIdMessage::withheld(AbsenceReason::Private);
        let b = encode(&m, Dialect::TelcordiaMdmf).unwrap();
        assert_eq!(&b.as_slice()[..5], &[0x80, 3, 0x04, 1, b'P']);
        assert_eq!(decode(b.as_slice()).unwrap(), m);
    }

    #[test]
    fn a_flipped_bit_is_a_checksum_error() {
        let m = CallerIdMessage::with_number("0123").unwrap();
        let b = encode(&m, Dialect::EtsiMdmf).unwrap();
        let mut bad = [0u8; 16];
        bad[..b.len()].copy_from_slice(b.as_slice());
        bad[4] ^= 0x01;
        assert_eq!(
            decode(&bad[..b.len()]),
            Err(Error::ChecksumMismatch {
                standard: "Telcordia/ETSI"
            })
        );
    }

    #[test]
    fn truncated_and_overlong_messages_are_malformed() {
        let b = encode(&CallerIdMessage::with_number("0123").unwrap(), Dialect::EtsiMdmf).unwrap();
        let s = b.as_slice();
        assert!(matches!(
            decode(&s[..s.len() - 1]),
            Err(Error::MalformedMessage { .. })
        ));
        assert!(matches!(decode(&[0x80]), Err(Error::MalformedMessage { .. })));
    }

    #[test]
    fn parameter_past_the_end_is_malformed() {
        let mut msg = [0x80, 3, 0x02, 5, b'1', 0];
        msg[5] = checksum(&msg[..5]);
        assert!(matches!(decode(&msg), Err(Error::MalformedMessage { .. })));
    }
}
