//! DTMF caller ID (ETSI EN 300 659-1 annex and national variants;
//! callerid.md §6.1). The message is a string of DTMF characters.

use super::message::{AbsenceReason, CallerIdMessage, MessageBytes, Number, Presented, Text};
use crate::Error;

const STD: &str = "DTMF CLIP";
/// Most digits per field (callerid.md §6.1: "≤ 15 digits per field").
pub(crate) const MAX_FIELD_DIGITS: usize = 15;

/// The DTMF caller ID string formats of callerid.md §6.1.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtmfClipVariant {
    /// `A<number>[D<redirecting>]C`; absent number `B00C` (unavailable)
    /// or `B10C` (private). BE, BR, DK, FI, IS, IN, NL, SA, SE, UY.
    StartA,
    /// `A<number>#`; absent number `D1#` private, `D2#` international,
    /// `D3#` unavailable.
    HashTerminated,
    /// `D<number>C` (TW, KW). The spec's letter absence codes cannot be
    /// sent as DTMF; we send the `B00C`/`B10C` codes of the C-terminated
    /// family instead.
    StartD,
    /// `<number>#` without a start digit (DK, NL); absence is sent with
    /// the `D1#`/`D3#` codes of the hash-terminated family.
    Bare,
}

impl DtmfClipVariant {
    /// All variants.
    pub const ALL: [DtmfClipVariant; 4] = [
        DtmfClipVariant::StartA,
        DtmfClipVariant::HashTerminated,
        DtmfClipVariant::StartD,
        DtmfClipVariant::Bare,
    ];
}

/// The part of `msg` DTMF caller ID carries: the number (or its absence)
/// and, in the `A...C` variant, the redirecting number.
pub(crate) fn carried(msg: &CallerIdMessage, variant: DtmfClipVariant) -> CallerIdMessage {
    let number = msg.number.map(|n| match n {
        Presented::Absent(r) => Presented::Absent(match (r, variant) {
            (AbsenceReason::Private, _) => AbsenceReason::Private,
            (AbsenceReason::International, DtmfClipVariant::HashTerminated) => AbsenceReason::International,
            _ => AbsenceReason::Unavailable,
        }),
        v => v,
    });
    CallerIdMessage {
        number,
        redirecting: match (variant, number) {
            (DtmfClipVariant::StartA, Some(Presented::Value(_))) => msg.redirecting,
            _ => None,
        },
        ..CallerIdMessage::default()
    }
}

fn digits_field(n: &Number, field: &'static str) -> Result<(), Error> {
    if n.is_empty() || !n.is_digits() || n.len() > MAX_FIELD_DIGITS {
        return Err(Error::InvalidField {
            field,
            reason: "DTMF caller ID sends 1 to 15 decimal digits",
        });
    }
    Ok(())
}

/// Encodes the DTMF character string of `msg`.
pub(crate) fn encode(msg: &CallerIdMessage, variant: DtmfClipVariant) -> Result<MessageBytes, Error> {
    if msg.message_waiting.is_some() {
        return Err(Error::Unsupported {
            standard: STD,
            what: "message waiting",
        });
    }
    let m = carried(msg, variant);
    let mut out = MessageBytes::new();
    let c_family = matches!(variant, DtmfClipVariant::StartA | DtmfClipVariant::StartD);
    match &m.number {
        Some(Presented::Value(n)) => {
            digits_field(n, "number")?;
            match variant {
                DtmfClipVariant::StartA | DtmfClipVariant::HashTerminated => out.push(b'A', STD)?,
                DtmfClipVariant::StartD => out.push(b'D', STD)?,
                DtmfClipVariant::Bare => {}
            }
            out.extend(n.as_bytes(), STD)?;
        }
        Some(Presented::Absent(r)) if c_family => {
            out.extend(
                if *r == AbsenceReason::Private {
                    b"B10"
                } else {
                    b"B00"
                },
                STD,
            )?;
        }
        Some(Presented::Absent(r)) => {
            let code: &[u8] = match r {
                AbsenceReason::Private => b"D1",
                AbsenceReason::International => b"D2",
                _ => b"D3",
            };
            out.extend(code, STD)?;
        }
        None => {
            return Err(Error::InvalidField {
                field: "number",
                reason: "DTMF caller ID needs a number or an absence reason",
            });
        }
    }
    if let Some(r) = &m.redirecting
        && matches!(m.number, Some(Presented::Value(_)))
    {
        digits_field(r, "redirecting number")?;
        out.push(b'D', STD)?;
        out.extend(r.as_bytes(), STD)?;
    }
    out.push(if c_family { b'C' } else { b'#' }, STD)?;
    Ok(out)
}

/// Splits a leading run of decimal digits off `s`.
fn take_digits(s: &[u8]) -> (&[u8], &[u8]) {
    let n = s.iter().take_while(|b| b.is_ascii_digit()).count();
    s.split_at(n)
}

fn number(digits: &[u8], field: &'static str) -> Result<Number, Error> {
    if digits.is_empty() {
        return Err(Error::MalformedMessage {
            standard: STD,
            reason: "empty number field",
        });
    }
    Text::from_bytes(digits, field)
}

/// Decodes a complete DTMF caller ID string (any variant; the start and
/// end characters tell which).
pub(crate) fn decode(s: &[u8]) -> Result<CallerIdMessage, Error> {
    let malformed = |reason| Error::MalformedMessage {
        standard: STD,
        reason,
    };
    let Some((&end, body)) = s.split_last() else {
        return Err(malformed("empty"));
    };
    let mut m = CallerIdMessage::default();
    match end {
        b'C' => match body {
            [b'B', info @ ..] | [b'A', b'B', info @ ..] => {
                m.number = Some(Presented::Absent(match info {
                    b"00" => AbsenceReason::Unavailable,
                    b"10" => AbsenceReason::Private,
                    _ => return Err(malformed("unknown B information code")),
                }));
            }
            [b'A', rest @ ..] => {
                let (digits, rest) = take_digits(rest);
                m.number = Some(Presented::Value(number(digits, "number")?));
                match rest {
                    [] => {}
                    [b'D', rest @ ..] => {
                        let (digits, rest) = take_digits(rest);
                        if !rest.is_empty() {
                            return Err(malformed("characters after the redirecting number"));
                        }
                        m.redirecting = Some(number(digits, "redirecting number")?);
                    }
                    _ => return Err(malformed("unexpected character after the number")),
                }
            }
            [b'D', rest @ ..] => {
                let (digits, rest) = take_digits(rest);
                if !rest.is_empty() {
                    return Err(malformed("characters after the number"));
                }
                m.number = Some(Presented::Value(number(digits, "number")?));
            }
            _ => return Err(malformed("C-terminated string does not start with A, B or D")),
        },
        b'#' => match body {
            [b'D', code] => {
                m.number = Some(Presented::Absent(match code {
                    b'1' => AbsenceReason::Private,
                    b'2' => AbsenceReason::International,
                    b'3' => AbsenceReason::Unavailable,
                    _ => return Err(malformed("unknown D absence code")),
                }));
            }
            [b'A', rest @ ..] | rest => {
                let (digits, tail) = take_digits(rest);
                if !tail.is_empty() {
                    return Err(malformed("non-digit inside the number"));
                }
                m.number = Some(Presented::Value(number(digits, "number")?));
            }
        },
        _ => return Err(malformed("does not end with C or #")),
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(m: &CallerIdMessage, v: DtmfClipVariant) -> std::string::String {
        std::string::String::from_utf8(encode(m, v).unwrap().as_slice().to_vec()).unwrap()
    }

    extern crate std;

    #[test]
    fn variants_write_their_start_and_end_digits() {
        let m = CallerIdMessage::with_number("0123456789").unwrap();
        assert_eq!(enc(&m, DtmfClipVariant::StartA), "A0123456789C");
        assert_eq!(enc(&m, DtmfClipVariant::HashTerminated), "A0123456789#");
        assert_eq!(enc(&m, DtmfClipVariant::StartD), "D0123456789C");
        assert_eq!(enc(&m, DtmfClipVariant::Bare), "0123456789#");
    }

    #[test]
    fn absence_codes_follow_the_variant_family() {
        let p = CallerIdMessage::withheld(AbsenceReason::Private);
        let u = CallerIdMessage::withheld(AbsenceReason::Unavailable);
        assert_eq!(enc(&p, DtmfClipVariant::StartA), "B10C");
        assert_eq!(enc(&u, DtmfClipVariant::StartA), "B00C");
        assert_eq!(enc(&p, DtmfClipVariant::HashTerminated), "D1#");
        assert_eq!(enc(&u, DtmfClipVariant::HashTerminated), "D3#");
        for s in ["B10C", "AB10C", "D1#"] {
            assert_eq!(decode(s.as_bytes()).unwrap(), p, "{s}");
        }
    }

    #[test]
    fn redirecting_number_rides_in_variant_1() {
        let mut m = CallerIdMessage::with_number("123").unwrap();
        m.redirecting = Some(Number::new("456").unwrap());
        assert_eq!(enc(&m, DtmfClipVariant::StartA), "A123D456C");
        assert_eq!(decode(b"A123D456C").unwrap(), m);
    }

    #[test]
    fn non_digits_and_long_numbers_are_refused() {
        assert!(
            encode(
                &CallerIdMessage::with_number("+49").unwrap(),
                DtmfClipVariant::StartA
            )
            .is_err()
        );
        let long = CallerIdMessage::with_number("1234567890123456").unwrap();
        assert!(encode(&long, DtmfClipVariant::StartA).is_err());
        assert!(encode(&CallerIdMessage::message_waiting(true), DtmfClipVariant::StartA).is_err());
    }

    #[test]
    fn garbage_strings_are_malformed() {
        for s in ["", "A", "AC", "A12X3C", "B77C", "D9#", "12*3#", "A123D45*C"] {
            assert!(decode(s.as_bytes()).is_err(), "{s}");
        }
    }
}
