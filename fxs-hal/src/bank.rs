//! [`LineBank`]: several ports behind one value.

use crate::line::LineInterface;

/// Multi-channel form: a chip (or a board) serving several ports on one PCM
/// highway, such as a dual-channel Si3226x or a 32-port line card.
///
/// The engine walks the bank once per 10 ms tick, port after port, and
/// borrows each line for the duration of its work on it. Indices are
/// 0-based and stable for the life of the bank.
///
/// Implemented for slices, arrays and `Vec`s of lines, for `&mut` of any
/// bank, and for [`SimSlic`](crate::sim::SimSlic).
pub trait LineBank {
    /// The type of one port.
    type Line: LineInterface;

    /// Number of ports; valid indices are `0..port_count()`.
    fn port_count(&self) -> usize;

    /// Port `index` (0-based), or `None` past the end.
    fn line(&mut self, index: usize) -> Option<&mut Self::Line>;
}

impl<L: LineInterface> LineBank for [L] {
    type Line = L;

    fn port_count(&self) -> usize {
        self.len()
    }

    fn line(&mut self, index: usize) -> Option<&mut L> {
        self.get_mut(index)
    }
}

impl<L: LineInterface, const N: usize> LineBank for [L; N] {
    type Line = L;

    fn port_count(&self) -> usize {
        N
    }

    fn line(&mut self, index: usize) -> Option<&mut L> {
        self.get_mut(index)
    }
}

impl<L: LineInterface> LineBank for Vec<L> {
    type Line = L;

    fn port_count(&self) -> usize {
        self.len()
    }

    fn line(&mut self, index: usize) -> Option<&mut L> {
        self.get_mut(index)
    }
}

impl<B: LineBank + ?Sized> LineBank for &mut B {
    type Line = B::Line;

    fn port_count(&self) -> usize {
        B::port_count(self)
    }

    fn line(&mut self, index: usize) -> Option<&mut B::Line> {
        B::line(self, index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::{LineFeed, Polarity};
    use crate::sim::SimLine;

    /// Generic engine code: open every port of any bank.
    fn open_all<B: LineBank + ?Sized>(bank: &mut B) -> usize {
        let mut opened = 0;
        for i in 0..bank.port_count() {
            let done = bank
                .line(i)
                .is_some_and(|line| line.set_feed(LineFeed::Open).is_ok());
            opened += usize::from(done);
        }
        opened
    }

    #[test]
    fn vec_slice_and_array_banks_index_their_lines() {
        let mut lines = vec![SimLine::new(), SimLine::new(), SimLine::new()];
        assert_eq!(lines.port_count(), 3);
        let Ok(()) = lines
            .line(2)
            .expect("port 2 exists")
            .set_feed(LineFeed::Active(Polarity::Reverse));
        assert!(lines.line(3).is_none());
        assert_eq!(lines[2].feed(), LineFeed::Active(Polarity::Reverse));

        assert_eq!(open_all(lines.as_mut_slice()), 3);
        assert_eq!(lines[2].feed(), LineFeed::Open);

        let mut array = [SimLine::new(), SimLine::new()];
        assert_eq!(open_all(&mut array), 2);
        assert!(LineBank::line(&mut array, 2).is_none());
    }

    #[test]
    fn mutable_reference_to_a_bank_is_a_bank() {
        let mut lines = vec![SimLine::new()];
        let mut by_ref = &mut lines;
        assert_eq!(open_all(&mut by_ref), 1);
    }
}
