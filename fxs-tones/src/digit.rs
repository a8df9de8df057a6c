//! The DTMF digit type shared by every crate of the SDK.

use core::fmt;

/// Low-group (row) frequencies in Hz, ITU-T Q.23 (dtmf.md §1).
pub(crate) const ROW_HZ: [f32; 4] = [697.0, 770.0, 852.0, 941.0];
/// High-group (column) frequencies in Hz, ITU-T Q.23 (dtmf.md §1).
pub(crate) const COL_HZ: [f32; 4] = [1209.0, 1336.0, 1477.0, 1633.0];

/// One key of the 4 x 4 DTMF keypad (ITU-T Q.23).
///
/// `A`-`D` are the fourth column, optional on subscriber sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Digit {
    /// `0`
    D0,
    /// `1`
    D1,
    /// `2`
    D2,
    /// `3`
    D3,
    /// `4`
    D4,
    /// `5`
    D5,
    /// `6`
    D6,
    /// `7`
    D7,
    /// `8`
    D8,
    /// `9`
    D9,
    /// `*`
    Star,
    /// `#`
    Hash,
    /// `A`
    A,
    /// `B`
    B,
    /// `C`
    C,
    /// `D`
    D,
}

/// The keypad layout of Q.23: `KEYPAD[row][col]` (dtmf.md §1).
const KEYPAD: [[Digit; 4]; 4] = [
    [Digit::D1, Digit::D2, Digit::D3, Digit::A],
    [Digit::D4, Digit::D5, Digit::D6, Digit::B],
    [Digit::D7, Digit::D8, Digit::D9, Digit::C],
    [Digit::Star, Digit::D0, Digit::Hash, Digit::D],
];

impl Digit {
    /// All sixteen digits, in RFC 4733 event-code order (`0`-`9`, `*`, `#`, `A`-`D`).
    pub const ALL: [Digit; 16] = [
        Digit::D0,
        Digit::D1,
        Digit::D2,
        Digit::D3,
        Digit::D4,
        Digit::D5,
        Digit::D6,
        Digit::D7,
        Digit::D8,
        Digit::D9,
        Digit::Star,
        Digit::Hash,
        Digit::A,
        Digit::B,
        Digit::C,
        Digit::D,
    ];

    /// The digit for a keypad character: `0`-`9`, `*`, `#`, `A`-`D` (also
    /// lowercase `a`-`d`); `None` for anything else.
    pub fn from_char(c: char) -> Option<Digit> {
        let d = match c {
            '0'..='9' => return Digit::from_event_code(c as u8 - b'0'),
            '*' => Digit::Star,
            '#' => Digit::Hash,
            'A' | 'a' => Digit::A,
            'B' | 'b' => Digit::B,
            'C' | 'c' => Digit::C,
            'D' | 'd' => Digit::D,
            _ => return None,
        };
        Some(d)
    }

    /// The keypad character (`A`-`D` in uppercase).
    pub fn as_char(self) -> char {
        b"0123456789*#ABCD"[usize::from(self.event_code())] as char
    }

    /// The RFC 4733 event code: `0`-`9` are 0-9, `*` 10, `#` 11, `A`-`D`
    /// 12-15 (dtmf.md §5.2).
    pub fn event_code(self) -> u8 {
        self as u8
    }

    /// The digit for an RFC 4733 event code 0-15; `None` for other codes
    /// (flash and the modem tones are not digits).
    pub fn from_event_code(code: u8) -> Option<Digit> {
        Digit::ALL.get(usize::from(code)).copied()
    }

    /// The (low group, high group) frequencies in Hz of ITU-T Q.23
    /// (dtmf.md §1).
    pub fn frequencies(self) -> (f32, f32) {
        let (row, col) = self.position();
        (ROW_HZ[row], COL_HZ[col])
    }

    /// The (row, column) of the digit on the keypad, 0-based.
    pub(crate) fn position(self) -> (usize, usize) {
        match self {
            Digit::D1 => (0, 0),
            Digit::D2 => (0, 1),
            Digit::D3 => (0, 2),
            Digit::A => (0, 3),
            Digit::D4 => (1, 0),
            Digit::D5 => (1, 1),
            Digit::D6 => (1, 2),
            Digit::B => (1, 3),
            Digit::D7 => (2, 0),
            Digit::D8 => (2, 1),
            Digit::D9 => (2, 2),
            Digit::C => (2, 3),
            Digit::Star => (3, 0),
            Digit::D0 => (3, 1),
            Digit::Hash => (3, 2),
            Digit::D => (3, 3),
        }
    }

    /// The digit at keypad (row, column), both taken modulo 4.
    pub(crate) fn at(row: usize, col: usize) -> Digit {
        KEYPAD[row % 4][col % 4]
    }
}

impl fmt::Display for Digit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Write::write_char(f, self.as_char())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    #[test]
    fn every_digit_round_trips_through_its_char_and_event_code() {
        for d in Digit::ALL {
            assert_eq!(Digit::from_char(d.as_char()), Some(d));
            assert_eq!(Digit::from_event_code(d.event_code()), Some(d));
            assert_eq!(d.to_string().chars().next(), Some(d.as_char()));
        }
    }

    #[test]
    fn event_codes_follow_rfc_4733() {
        assert_eq!(Digit::D0.event_code(), 0);
        assert_eq!(Digit::D9.event_code(), 9);
        assert_eq!(Digit::Star.event_code(), 10);
        assert_eq!(Digit::Hash.event_code(), 11);
        assert_eq!(Digit::A.event_code(), 12);
        assert_eq!(Digit::D.event_code(), 15);
        assert_eq!(Digit::from_event_code(16), None, "16 is flash, not a digit");
    }

    #[test]
    fn lowercase_letters_are_accepted_and_other_chars_refused() {
        assert_eq!(Digit::from_char('b'), Some(Digit::B));
        assert_eq!(Digit::from_char('E'), None);
        assert_eq!(Digit::from_char(' '), None);
        assert_eq!(
            Digit::from_char('٣'),
            None,
            "non-ASCII digits are not keypad digits"
        );
    }

    #[test]
    fn frequencies_follow_the_q23_matrix() {
        assert_eq!(Digit::D1.frequencies(), (697.0, 1209.0));
        assert_eq!(Digit::D5.frequencies(), (770.0, 1336.0));
        assert_eq!(Digit::D9.frequencies(), (852.0, 1477.0));
        assert_eq!(Digit::D0.frequencies(), (941.0, 1336.0));
        assert_eq!(Digit::Star.frequencies(), (941.0, 1209.0));
        assert_eq!(Digit::Hash.frequencies(), (941.0, 1477.0));
        assert_eq!(Digit::D.frequencies(), (941.0, 1633.0));
    }

    #[test]
    fn keypad_position_and_lookup_agree() {
        for d in Digit::ALL {
            let (r, c) = d.position();
            assert_eq!(Digit::at(r, c), d);
        }
    }
}
