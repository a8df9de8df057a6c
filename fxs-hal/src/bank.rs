//! [`LineBank`]: several ports behind one value.

use std::time::Instant;

use crate::line::LineInterface;

/// Where a port's samples sit on a PCM (TDM) highway: the highway and the
/// transmit/receive time slots, as ProSLIC `ProSLIC_PCMTimeSlotSetup` and
/// VP-API `VpSetOption(VP_OPTION_ID_TIMESLOT)` set them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PcmSlot {
    /// Highway (PCM bus) number on the board.
    pub highway: u8,
    /// Time slot the port transmits in (line → network).
    pub tx_slot: u16,
    /// Time slot the port receives from (network → line).
    pub rx_slot: u16,
}

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

    /// Called by the engine at `now` before it touches any port in a tick.
    /// A chip that moves every channel's samples in one burst (one SPI or
    /// TDM transfer for the whole highway) fetches the uplink of all ports
    /// here; the ports' `read_frame` then copy from that buffer. Provided:
    /// nothing to do. A transfer failure is reported through the ports'
    /// next calls, so one bad transfer puts the ports out of service through
    /// the usual per-port path.
    fn begin_tick(&mut self, now: Instant) {
        let _ = now;
    }

    /// Called by the engine after the last port in a tick: the chip sends
    /// the downlink of every port in one burst. Provided: nothing to do.
    fn end_tick(&mut self, now: Instant) {
        let _ = now;
    }

    /// The PCM highway slot of port `index`, for boards that assign them
    /// (`None`: not on a shared highway, or past the end).
    fn pcm_slot(&self, index: usize) -> Option<PcmSlot> {
        let _ = index;
        None
    }
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

    fn begin_tick(&mut self, now: Instant) {
        B::begin_tick(self, now);
    }

    fn end_tick(&mut self, now: Instant) {
        B::end_tick(self, now);
    }

    fn pcm_slot(&self, index: usize) -> Option<PcmSlot> {
        B::pcm_slot(self, index)
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

    /// A two-channel chip on one highway: one transfer per tick for both
    /// ports, consecutive time slots.
    struct DualChip {
        lines: [SimLine; 2],
        transfers: u32,
        began: bool,
    }

    impl LineBank for DualChip {
        type Line = SimLine;
        fn port_count(&self) -> usize {
            2
        }
        fn line(&mut self, index: usize) -> Option<&mut SimLine> {
            self.lines.get_mut(index)
        }
        fn begin_tick(&mut self, _now: Instant) {
            self.began = true;
        }
        fn end_tick(&mut self, _now: Instant) {
            if std::mem::take(&mut self.began) {
                self.transfers += 1;
            }
        }
        fn pcm_slot(&self, index: usize) -> Option<PcmSlot> {
            (index < 2).then(|| PcmSlot {
                highway: 0,
                tx_slot: index as u16 * 2,
                rx_slot: index as u16 * 2,
            })
        }
    }

    #[test]
    fn highway_bank_gets_one_transfer_per_tick_through_a_reference() {
        let mut chip = DualChip {
            lines: [SimLine::new(), SimLine::new()],
            transfers: 0,
            began: false,
        };
        let t0 = Instant::now();
        for _ in 0..3 {
            let mut bank = &mut chip;
            bank.begin_tick(t0);
            assert_eq!(open_all(&mut bank), 2);
            bank.end_tick(t0);
        }
        assert_eq!(chip.transfers, 3);
        let by_ref = &mut chip;
        assert_eq!(by_ref.pcm_slot(1).map(|s| s.tx_slot), Some(2));
        assert_eq!(by_ref.pcm_slot(2), None);
        assert_eq!(
            vec![SimLine::new()].pcm_slot(0),
            None,
            "plain banks have no slots"
        );
    }

    #[test]
    fn mutable_reference_to_a_bank_is_a_bank() {
        let mut lines = vec![SimLine::new()];
        let mut by_ref = &mut lines;
        assert_eq!(open_all(&mut by_ref), 1);
    }
}
