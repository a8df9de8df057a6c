//! NTT "Number Display" (JCLIP, Japan; callerid.md §6.2): a DLE-framed
//! message of 7-bit characters with even parity, protected by a CRC-16.
//!
//! Frame: `DLE SOH header DLE STX type length params... DLE ETX crc-lo
//! crc-hi`. A DLE inside the length or the parameters is doubled. The
//! CRC is the ITU-T CRC-16 (reflected polynomial 0x8408, initial value 0)
//! over everything from the header to ETX, parity bits included; the
//! length counts the parameter octets as sent (after doubling), which is
//! how spandsp frames it.

use super::message::{AbsenceReason, CallerIdMessage, DateTime, MessageBytes, Presented, Text};
use crate::Error;

const STD: &str = "NTT";
const DLE: u8 = 0x10;
const SOH: u8 = 0x01;
const STX: u8 = 0x02;
const ETX: u8 = 0x03;
/// Header octet (spandsp `adsi.c`).
const HEADER: u8 = 0x07;
/// Service type: call information.
const SERVICE_CALL: u8 = 0x40;

mod param {
    pub const DATETIME: u8 = 0x01;
    pub const NUMBER: u8 = 0x02;
    pub const NUMBER_ABSENT: u8 = 0x04;
    pub const NAME: u8 = 0x07;
    pub const NAME_ABSENT: u8 = 0x08;
    pub const CALLED: u8 = 0x09;
}

/// The part of `msg` NTT carries: date/time, number, name, called number.
pub(crate) fn carried(msg: &CallerIdMessage) -> CallerIdMessage {
    let fix = |r: AbsenceReason| match r {
        AbsenceReason::International => AbsenceReason::Unavailable,
        r => r,
    };
    CallerIdMessage {
        datetime: msg.datetime,
        number: msg.number.map(|n| match n {
            Presented::Absent(r) => Presented::Absent(fix(r)),
            v => v,
        }),
        name: msg.name.map(|n| match n {
            Presented::Absent(r) => Presented::Absent(match fix(r) {
                AbsenceReason::Private => AbsenceReason::Private,
                _ => AbsenceReason::Unavailable,
            }),
            v => v,
        }),
        called: msg.called,
        ..CallerIdMessage::default()
    }
}

/// ITU-T CRC-16 as spandsp computes it (reflected 0x8408, initial 0).
pub(crate) fn crc16(bytes: &[u8]) -> u16 {
    let mut crc = 0u16;
    for &b in bytes {
        crc ^= u16::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0x8408
            } else {
                crc >> 1
            };
        }
    }
    crc
}

/// `b` with bit 7 set so the octet has even parity.
fn with_parity(b: u8) -> u8 {
    let b = b & 0x7F;
    if b.count_ones() % 2 == 1 { b | 0x80 } else { b }
}

fn reason_code(r: AbsenceReason) -> u8 {
    match r {
        AbsenceReason::Private => b'P',
        AbsenceReason::Payphone => b'C',
        AbsenceReason::ServiceConflict => b'S',
        _ => b'O',
    }
}

fn put_stuffed(out: &mut MessageBytes, b: u8) -> Result<(), Error> {
    if b == DLE {
        out.push(DLE, STD)?;
    }
    out.push(b, STD)
}

/// Encodes `msg` as an NTT frame with parity and CRC.
pub(crate) fn encode(msg: &CallerIdMessage) -> Result<MessageBytes, Error> {
    if msg.message_waiting.is_some() {
        return Err(Error::Unsupported {
            standard: STD,
            what: "message waiting",
        });
    }
    let m = carried(msg);
    // Parameters, stuffed, in a scratch buffer first to learn their length.
    let mut params = MessageBytes::new();
    let mut put = |code: u8, value: &[u8]| -> Result<(), Error> {
        let Ok(len) = u8::try_from(value.len()) else {
            return Err(Error::Unsupported {
                standard: STD,
                what: "a parameter longer than 255 octets",
            });
        };
        put_stuffed(&mut params, code)?;
        put_stuffed(&mut params, len)?;
        value.iter().try_for_each(|&b| put_stuffed(&mut params, b))
    };
    if let Some(dt) = m.datetime {
        put(param::DATETIME, &dt.to_ascii())?;
    }
    match &m.number {
        Some(Presented::Value(n)) => put(param::NUMBER, n.as_bytes())?,
        Some(Presented::Absent(r)) => put(param::NUMBER_ABSENT, &[reason_code(*r)])?,
        None => {}
    }
    match &m.name {
        Some(Presented::Value(n)) => put(param::NAME, n.as_bytes())?,
        Some(Presented::Absent(r)) => put(param::NAME_ABSENT, &[reason_code(*r)])?,
        None => {}
    }
    if let Some(c) = &m.called {
        put(param::CALLED, c.as_bytes())?;
    }
    let Ok(len) = u8::try_from(params.len()) else {
        return Err(Error::Unsupported {
            standard: STD,
            what: "more than 255 parameter octets",
        });
    };
    let mut out = MessageBytes::new();
    out.extend(&[DLE, SOH, HEADER, DLE, STX, SERVICE_CALL], STD)?;
    put_stuffed(&mut out, len)?;
    out.extend(params.as_slice(), STD)?;
    out.extend(&[DLE, ETX], STD)?;
    for b in out.as_mut_slice() {
        *b = with_parity(*b);
    }
    let crc = crc16(&out.as_slice()[2..]);
    out.extend(&crc.to_le_bytes(), STD)?;
    Ok(out)
}

/// Where the end of a frame is, if `bytes` (parity bits included) holds
/// a complete one: the index just past the CRC.
pub(crate) fn frame_end(bytes: &[u8]) -> Option<usize> {
    let mut dle = false;
    for (i, b) in bytes.iter().enumerate().skip(2) {
        let c = b & 0x7F;
        if dle {
            dle = false;
            if c == ETX {
                return (i + 3 <= bytes.len()).then_some(i + 3);
            }
        } else if c == DLE {
            dle = true;
        }
    }
    None
}

/// Decodes one complete NTT frame (CRC first, then parity, then
/// structure).
pub(crate) fn decode(bytes: &[u8]) -> Result<CallerIdMessage, Error> {
    let malformed = |reason| Error::MalformedMessage {
        standard: STD,
        reason,
    };
    if bytes.len() < 11 {
        return Err(malformed("shorter than the frame overhead"));
    }
    if frame_end(bytes) != Some(bytes.len()) {
        return Err(malformed("no DLE ETX just before the CRC"));
    }
    if crc16(&bytes[2..]) != 0 {
        return Err(Error::ChecksumMismatch { standard: STD });
    }
    let body = &bytes[..bytes.len() - 2];
    if let Some(index) = body.iter().position(|b| b.count_ones() % 2 == 1) {
        return Err(Error::ParityError { standard: STD, index });
    }
    // Strip parity and undo the DLE doubling from the type on.
    let mut plain = [0u8; super::message::MAX_MESSAGE_OCTETS];
    let mut n = 0;
    let head = [body[0] & 0x7F, body[1] & 0x7F, body[3] & 0x7F, body[4] & 0x7F];
    if head != [DLE, SOH, DLE, STX] {
        return Err(malformed("frame does not start DLE SOH header DLE STX"));
    }
    let mut dle = false;
    let inner = &body[5..body.len() - 2]; // type .. last parameter octet
    for &b in inner {
        let c = b & 0x7F;
        if dle {
            if c != DLE {
                return Err(malformed(
                    "DLE followed by a control character inside the message",
                ));
            }
            dle = false;
            continue; // the doubled DLE was stored already
        }
        if c == DLE {
            dle = true;
        }
        if let Some(slot) = plain.get_mut(n) {
            *slot = c;
            n += 1;
        }
    }
    if dle {
        return Err(malformed("single DLE before ETX"));
    }
    let [kind, len, params @ ..] = &plain[..n] else {
        return Err(malformed("no service type and length"));
    };
    if *kind != SERVICE_CALL {
        return Err(Error::Unsupported {
            standard: STD,
            what: "this service type",
        });
    }
    // The length counts the parameter octets as sent (stuffed).
    let len_sent = inner.len().saturating_sub(2 + usize::from(*len == DLE));
    if usize::from(*len) != len_sent {
        return Err(malformed("length octet does not match the parameters"));
    }
    decode_params(params)
}

fn decode_params(mut data: &[u8]) -> Result<CallerIdMessage, Error> {
    let malformed = |reason| Error::MalformedMessage {
        standard: STD,
        reason,
    };
    let reason = |v: &[u8]| -> Result<AbsenceReason, Error> {
        Ok(match v {
            b"P" => AbsenceReason::Private,
            b"O" => AbsenceReason::Unavailable,
            b"C" => AbsenceReason::Payphone,
            b"S" => AbsenceReason::ServiceConflict,
            _ => return Err(malformed("unknown absence reason")),
        })
    };
    let mut m = CallerIdMessage::default();
    let mut seen = 0u32;
    while let [code, len, rest @ ..] = data {
        let Some((value, tail)) = rest.split_at_checked(usize::from(*len)) else {
            return Err(malformed("parameter runs past the end of the message"));
        };
        data = tail;
        let slot = match *code {
            param::NUMBER | param::NUMBER_ABSENT => 1,
            param::NAME | param::NAME_ABSENT => 2,
            param::DATETIME => 4,
            param::CALLED => 8,
            _ => 0,
        };
        if seen & slot != 0 {
            return Err(malformed("parameter appears twice"));
        }
        seen |= slot;
        match *code {
            param::DATETIME => m.datetime = Some(DateTime::from_ascii(value)?),
            param::NUMBER => m.number = Some(Presented::Value(Text::from_bytes(value, "number")?)),
            param::NUMBER_ABSENT => m.number = Some(Presented::Absent(reason(value)?)),
            param::NAME => m.name = Some(Presented::Value(Text::from_bytes(value, "name")?)),
            param::NAME_ABSENT => {
                m.name = Some(Presented::Absent(match reason(value)? {
                    AbsenceReason::Private => AbsenceReason::Private,
                    _ => AbsenceReason::Unavailable,
                }));
            }
            param::CALLED => m.called = Some(Text::from_bytes(value, "called number")?),
            _ => {} // number extensions (0x21, 0x22) and others: covered by the CRC, not modelled
        }
    }
    if !data.is_empty() {
        return Err(malformed("a parameter header is cut off"));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_has_parity_dle_framing_and_a_zero_crc_residue() {
        let m = CallerIdMessage::with_number("0312345678").unwrap();
        let b = encode(&m).unwrap();
        let s = b.as_slice();
        assert_eq!(s[0], 0x90, "DLE with even parity");
        assert_eq!(s[1], 0x81, "SOH with even parity");
        assert!(s[..s.len() - 2].iter().all(|b| b.count_ones() % 2 == 0));
        assert_eq!(crc16(&s[2..]), 0);
        assert_eq!(frame_end(s), Some(s.len()));
        assert_eq!(decode(s).unwrap(), m);
    }

    #[test]
    fn a_dle_in_the_data_is_doubled_and_undone() {
        let mut m = CallerIdMessage::with_number("1").unwrap();
        m.name = Some(Presented::Value(Text::new("ABCDEFGHIJKLMNOP").unwrap())); // 16 = DLE
        let b = encode(&m).unwrap();
        assert_eq!(decode(b.as_slice()).unwrap(), m);
    }

    #[test]
    fn corruption_is_reported_not_trusted() {
        let b = encode(&CallerIdMessage::withheld(AbsenceReason::Payphone)).unwrap();
        let mut bad = [0u8; 32];
        let n = b.len();
        bad[..n].copy_from_slice(b.as_slice());
        bad[8] ^= 0x04;
        assert_eq!(decode(&bad[..n]), Err(Error::ChecksumMismatch { standard: STD }));
        assert!(decode(&bad[..5]).is_err());
    }

    #[test]
    fn crc16_matches_the_itu_check_value_of_its_family() {
        // CRC-16/KERMIT (same polynomial, reflected, initial 0): "123456789" -> 0x2189.
        assert_eq!(crc16(b"123456789"), 0x2189);
    }
}
