//! The few pieces of ASN.1 PER, ALIGNED variant (ITU-T X.691), that T.38 needs.
//!
//! Bits are numbered from the most significant bit of the first octet.
//! Only lengths are octet-aligned here (X.691 §11.9: an unconstrained length
//! determinant, and the two-octet constrained length of `field-data`);
//! bit-fields such as presence bits and enumeration indices are packed with
//! no padding in between, which is why an IFP `data-field` entry without
//! `field-data` shares its octet with the next entry.
//!
//! The reader never panics: every access is bounds-checked and turns into
//! [`Error::Truncated`]. The writer is used twice per emit: a counting pass
//! (no buffer) to find the length, then a real pass into a buffer that the
//! caller has already checked is long enough.

use crate::Error;

/// Items (octets or components) in one length fragment unit (X.691 §11.9.3.8).
pub(crate) const FRAGMENT_UNIT: usize = 16 * 1024;

/// Largest length that fits a single (non-fragmented) length determinant.
const MAX_UNFRAGMENTED: usize = FRAGMENT_UNIT - 1;

/// A decoded unconstrained length determinant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Length {
    /// `n` items follow and the list ends with them.
    Complete(usize),
    /// `n` (a multiple of 16K) items follow, then another length determinant.
    Fragment(usize),
}

/// Reads bits and aligned octets from a byte slice.
pub(crate) struct BitReader<'a> {
    buf: &'a [u8],
    /// Position in bits from the start of `buf`.
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        BitReader { buf, pos: 0 }
    }

    /// Byte offset of the octet holding the next bit.
    pub(crate) fn offset(&self) -> usize {
        self.pos / 8
    }

    /// Bits not yet read.
    pub(crate) fn remaining_bits(&self) -> usize {
        (self.buf.len() * 8).saturating_sub(self.pos)
    }

    pub(crate) fn bit(&mut self, what: &'static str) -> Result<bool, Error> {
        let byte = *self.buf.get(self.pos / 8).ok_or(Error::Truncated {
            what,
            offset: self.pos / 8,
        })?;
        let bit = (byte >> (7 - (self.pos % 8))) & 1 == 1;
        self.pos += 1;
        Ok(bit)
    }

    /// Reads an `n`-bit unsigned field, most significant bit first (`n <= 32`).
    pub(crate) fn bits(&mut self, n: u32, what: &'static str) -> Result<u32, Error> {
        if self.remaining_bits() < n as usize {
            return Err(Error::Truncated {
                what,
                offset: self.buf.len().min(self.offset()),
            });
        }
        let mut value = 0u32;
        for _ in 0..n {
            value = (value << 1) | u32::from(self.bit(what)?);
        }
        Ok(value)
    }

    /// Skips padding bits up to the next octet boundary (their values are
    /// not checked: X.691 says they are zero, but a lenient reader loses
    /// nothing by ignoring them).
    pub(crate) fn align(&mut self) {
        self.pos = self.pos.div_ceil(8) * 8;
    }

    /// Aligns, then takes `n` octets.
    pub(crate) fn octets(&mut self, n: usize, what: &'static str) -> Result<&'a [u8], Error> {
        self.align();
        let start = self.offset();
        let end = start
            .checked_add(n)
            .ok_or(Error::Truncated { what, offset: start })?;
        let slice = self.buf.get(start..end).ok_or(Error::Truncated {
            what,
            offset: self.buf.len().min(start),
        })?;
        self.pos = end * 8;
        Ok(slice)
    }

    /// Aligns, then reads an unconstrained length determinant (X.691 §11.9.3.6-8).
    pub(crate) fn length(&mut self, what: &'static str) -> Result<Length, Error> {
        self.align();
        let at = self.offset();
        let first = self.bits(8, what)? as u8;
        match first >> 6 {
            0b00 | 0b01 => Ok(Length::Complete(usize::from(first))),
            0b10 => {
                let second = self.bits(8, what)? as usize;
                Ok(Length::Complete((usize::from(first & 0x3F) << 8) | second))
            }
            _ => {
                let m = usize::from(first & 0x3F);
                if (1..=4).contains(&m) {
                    Ok(Length::Fragment(m * FRAGMENT_UNIT))
                } else {
                    Err(Error::BadLength {
                        what,
                        octet: first,
                        offset: at,
                    })
                }
            }
        }
    }

    /// Aligns and fails if any octet is left.
    pub(crate) fn finish(mut self, what: &'static str) -> Result<(), Error> {
        self.align();
        let offset = self.offset();
        let count = self.buf.len().saturating_sub(offset);
        if count == 0 {
            Ok(())
        } else {
            Err(Error::TrailingBytes { what, count, offset })
        }
    }
}

/// Reads an OCTET STRING (or open type) with an unconstrained length,
/// joining fragments.
pub(crate) fn read_octet_string(r: &mut BitReader<'_>, what: &'static str) -> Result<Vec<u8>, Error> {
    let mut out = Vec::new();
    loop {
        match r.length(what)? {
            Length::Complete(n) => {
                out.extend_from_slice(r.octets(n, what)?);
                return Ok(out);
            }
            Length::Fragment(n) => out.extend_from_slice(r.octets(n, what)?),
        }
    }
}

/// Reads a SEQUENCE OF with an unconstrained count, joining fragments.
/// Capacity is bounded by the input left, never by the count on the wire.
pub(crate) fn read_sequence_of<'a, T>(
    r: &mut BitReader<'a>,
    what: &'static str,
    mut item: impl FnMut(&mut BitReader<'a>) -> Result<T, Error>,
) -> Result<Vec<T>, Error> {
    let mut out = Vec::new();
    loop {
        let (n, more) = match r.length(what)? {
            Length::Complete(n) => (n, false),
            Length::Fragment(n) => (n, true),
        };
        out.reserve(n.min(r.remaining_bits()));
        for _ in 0..n {
            out.push(item(r)?);
        }
        if !more {
            return Ok(out);
        }
    }
}

/// Writes bits and aligned octets; with no buffer it only counts.
pub(crate) struct BitWriter<'b> {
    buf: Option<&'b mut [u8]>,
    pos: usize,
}

impl<'b> BitWriter<'b> {
    /// A writer that only measures.
    pub(crate) fn counting() -> BitWriter<'static> {
        BitWriter { buf: None, pos: 0 }
    }

    /// A writer into `buf`; the caller has checked `buf` is long enough
    /// (writes past its end are dropped, never a panic).
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        BitWriter {
            buf: Some(buf),
            pos: 0,
        }
    }

    /// Octets written so far (a partly filled last octet counts).
    pub(crate) fn len(&self) -> usize {
        self.pos.div_ceil(8)
    }

    pub(crate) fn bit(&mut self, bit: bool) {
        if let Some(byte) = self.buf.as_deref_mut().and_then(|buf| buf.get_mut(self.pos / 8)) {
            let shift = 7 - (self.pos % 8);
            if shift == 7 {
                *byte = 0;
            }
            if bit {
                *byte |= 1 << shift;
            }
        }
        self.pos += 1;
    }

    /// Writes the low `n` bits of `value`, most significant first.
    pub(crate) fn bits(&mut self, value: u32, n: u32) {
        for i in (0..n).rev() {
            self.bit((value >> i) & 1 == 1);
        }
    }

    /// Pads with zero bits to the next octet boundary.
    pub(crate) fn align(&mut self) {
        while self.pos % 8 != 0 {
            self.bit(false);
        }
    }

    /// Aligns, then copies `data`.
    pub(crate) fn octets(&mut self, data: &[u8]) {
        self.align();
        let start = self.pos / 8;
        if let Some(dst) = self
            .buf
            .as_deref_mut()
            .and_then(|buf| buf.get_mut(start..start + data.len()))
        {
            dst.copy_from_slice(data);
        }
        self.pos += data.len() * 8;
    }

    /// Aligns, then writes a complete length determinant for `n < 16384`.
    fn length(&mut self, n: usize) {
        self.align();
        if n < 0x80 {
            self.bits(n as u32, 8);
        } else {
            self.bits(0x8000 | (n as u32 & 0x3FFF), 16);
        }
    }

    /// Aligns, then writes a fragment header for `m` 16K units (`1..=4`).
    fn fragment(&mut self, m: usize) {
        self.align();
        self.bits(0xC0 | m as u32, 8);
    }
}

/// Splits a count into the length determinants X.691 §11.9.3.8 prescribes:
/// fragments of up to 4 × 16K, then a final complete length (possibly 0).
fn length_chunks(mut n: usize, mut chunk: impl FnMut(usize, bool)) {
    loop {
        if n <= MAX_UNFRAGMENTED {
            chunk(n, false);
            return;
        }
        let units = (n / FRAGMENT_UNIT).min(4);
        chunk(units * FRAGMENT_UNIT, true);
        n -= units * FRAGMENT_UNIT;
    }
}

/// Writes an OCTET STRING (or open type) with an unconstrained length.
pub(crate) fn write_octet_string(w: &mut BitWriter<'_>, data: &[u8]) {
    let mut rest = data;
    length_chunks(data.len(), |n, fragment| {
        if fragment {
            w.fragment(n / FRAGMENT_UNIT);
        } else {
            w.length(n);
        }
        let (now, later) = rest.split_at(n.min(rest.len()));
        w.octets(now);
        rest = later;
    });
}

/// Writes a SEQUENCE OF with an unconstrained count.
pub(crate) fn write_sequence_of<T>(
    w: &mut BitWriter<'_>,
    items: &[T],
    mut item: impl FnMut(&mut BitWriter<'_>, &T) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut rest = items;
    let mut result = Ok(());
    length_chunks(items.len(), |n, fragment| {
        if fragment {
            w.fragment(n / FRAGMENT_UNIT);
        } else {
            w.length(n);
        }
        let (now, later) = rest.split_at(n.min(rest.len()));
        for it in now {
            if result.is_ok() {
                result = item(w, it);
            }
        }
        rest = later;
    });
    result
}

/// Runs `encode` once to measure and once into `buf`; returns the length.
pub(crate) fn emit_with(
    buf: &mut [u8],
    encode: impl Fn(&mut BitWriter<'_>) -> Result<(), Error>,
) -> Result<usize, Error> {
    let needed = measure(&encode)?;
    let got = buf.len();
    let out = buf
        .get_mut(..needed)
        .ok_or(Error::BufferTooSmall { needed, got })?;
    let mut w = BitWriter::new(out);
    encode(&mut w)?;
    w.align();
    Ok(needed)
}

/// Length in octets that `encode` produces.
pub(crate) fn measure(encode: impl Fn(&mut BitWriter<'_>) -> Result<(), Error>) -> Result<usize, Error> {
    let mut w = BitWriter::counting();
    encode(&mut w)?;
    Ok(w.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encode(f: impl Fn(&mut BitWriter<'_>) -> Result<(), Error>) -> Vec<u8> {
        let n = measure(&f).unwrap();
        let mut buf = vec![0xAA; n];
        emit_with(&mut buf, f).unwrap();
        buf
    }

    #[test]
    fn short_length_is_one_octet_and_long_length_two() {
        assert_eq!(
            encode(|w| {
                w.length(5);
                Ok(())
            }),
            [0x05]
        );
        assert_eq!(
            encode(|w| {
                w.length(127);
                Ok(())
            }),
            [0x7F]
        );
        assert_eq!(
            encode(|w| {
                w.length(128);
                Ok(())
            }),
            [0x80, 0x80]
        );
        assert_eq!(
            encode(|w| {
                w.length(16383);
                Ok(())
            }),
            [0xBF, 0xFF]
        );
    }

    #[test]
    fn reader_decodes_all_length_forms() {
        let mut r = BitReader::new(&[0x05, 0x81, 0x00, 0xC2, 0xC0]);
        assert_eq!(r.length("t").unwrap(), Length::Complete(5));
        assert_eq!(r.length("t").unwrap(), Length::Complete(256));
        assert_eq!(r.length("t").unwrap(), Length::Fragment(2 * FRAGMENT_UNIT));
        assert!(matches!(
            r.length("t"),
            Err(Error::BadLength {
                octet: 0xC0,
                offset: 4,
                ..
            })
        ));
    }

    #[test]
    fn fragmented_octet_string_round_trips() {
        for len in [0, 1, 16383, 16384, 16385, 65536, 70000] {
            let data: Vec<u8> = (0..len).map(|i| (i * 7) as u8).collect();
            let bytes = encode(|w| {
                write_octet_string(w, &data);
                Ok(())
            });
            let mut r = BitReader::new(&bytes);
            assert_eq!(read_octet_string(&mut r, "t").unwrap(), data, "len {len}");
            r.finish("t").unwrap();
        }
    }

    #[test]
    fn exact_multiple_of_16k_ends_with_zero_length() {
        let data = vec![1u8; FRAGMENT_UNIT];
        let bytes = encode(|w| {
            write_octet_string(w, &data);
            Ok(())
        });
        assert_eq!(bytes.first(), Some(&0xC1));
        assert_eq!(bytes.last(), Some(&0x00));
        assert_eq!(bytes.len(), FRAGMENT_UNIT + 2);
    }

    #[test]
    fn bits_are_packed_msb_first_without_padding() {
        let bytes = encode(|w| {
            w.bits(0b101, 3);
            w.bits(0b0011, 4);
            w.bit(true);
            w.bit(true);
            Ok(())
        });
        assert_eq!(bytes, [0b1010_0111, 0b1000_0000]);
        let mut r = BitReader::new(&bytes);
        assert_eq!(r.bits(3, "t").unwrap(), 0b101);
        assert_eq!(r.bits(4, "t").unwrap(), 0b0011);
        assert_eq!(r.bits(2, "t").unwrap(), 0b11);
    }

    #[test]
    fn reading_past_the_end_is_an_error_with_offset() {
        let mut r = BitReader::new(&[0xFF]);
        assert_eq!(r.bits(8, "x").unwrap(), 0xFF);
        assert_eq!(r.bit("x"), Err(Error::Truncated { what: "x", offset: 1 }));
        assert_eq!(
            BitReader::new(&[0x03, 1]).octets(3, "y"),
            Err(Error::Truncated { what: "y", offset: 0 })
        );
    }

    #[test]
    fn small_buffer_is_refused_with_needed_length() {
        let mut buf = [0u8; 1];
        assert_eq!(
            emit_with(&mut buf, |w| {
                w.octets(&[1, 2, 3]);
                Ok(())
            }),
            Err(Error::BufferTooSmall { needed: 3, got: 1 })
        );
    }
}
