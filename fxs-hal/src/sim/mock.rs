//! A register-level mock of a SLIC, in the manner of embedded-hal-mock: a
//! queue of expected register transactions that a driver under test must
//! perform in order, checked with [`RegisterMock::done`].
//!
//! The behavioural simulator ([`SimSlic`](super::SimSlic)) tests engines;
//! this mock tests chip drivers, down to the register writes.
//!
//! ```
//! use fxs_hal::sim::{RegOp, RegisterBus, RegisterMock};
//!
//! /// Driver code under test: set the linefeed field (low nibble) of
//! /// register 0x40 without touching the high nibble.
//! fn set_linefeed<B: RegisterBus>(bus: &mut B, code: u8) -> Result<(), B::Error> {
//!     let old = bus.read(0x40)?;
//!     bus.write(0x40, (old & 0xF0) | (code & 0x0F))
//! }
//!
//! let mut chip = RegisterMock::new(&[RegOp::Read { reg: 0x40, value: 0x31 }, RegOp::Write { reg: 0x40, value: 0x34 }]);
//! set_linefeed(&mut chip, 4).unwrap();
//! chip.done();
//! ```

use std::collections::VecDeque;

/// Register access to a SLIC: 8-bit registers at 16-bit addresses (the
/// shape of ProSLIC direct registers and VP-API-II register commands).
/// Real drivers put this on an SPI device; the mock implements it.
pub trait RegisterBus {
    /// The bus error.
    type Error: core::fmt::Debug;

    /// Read register `reg`.
    fn read(&mut self, reg: u16) -> Result<u8, Self::Error>;

    /// Write `value` to register `reg`.
    fn write(&mut self, reg: u16, value: u8) -> Result<(), Self::Error>;
}

impl<B: RegisterBus + ?Sized> RegisterBus for &mut B {
    type Error = B::Error;
    fn read(&mut self, reg: u16) -> Result<u8, Self::Error> {
        B::read(self, reg)
    }
    fn write(&mut self, reg: u16, value: u8) -> Result<(), Self::Error> {
        B::write(self, reg, value)
    }
}

/// One expected register transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegOp {
    /// A read of `reg`, answered with `value`.
    Read {
        /// Register.
        reg: u16,
        /// The value the mock returns.
        value: u8,
    },
    /// A write of `value` to `reg`.
    Write {
        /// Register.
        reg: u16,
        /// The value the driver must write.
        value: u8,
    },
    /// A read of `reg` that fails with [`MockBusError`].
    ReadFails {
        /// Register.
        reg: u16,
    },
    /// A write to `reg` that fails with [`MockBusError`] (any value).
    WriteFails {
        /// Register.
        reg: u16,
    },
}

/// The error of a transaction expected to fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
#[error("mock bus transfer failed on register {reg:#06x}")]
pub struct MockBusError {
    /// The register of the failed transfer.
    pub reg: u16,
}

impl crate::line::Error for MockBusError {
    fn kind(&self) -> crate::line::LineErrorKind {
        crate::line::LineErrorKind::Bus
    }
}

/// The register mock (see the module docs).
///
/// A transaction that differs from the next expectation panics with both
/// written out; [`done`](Self::done) panics when expectations are left;
/// dropping the mock without calling `done` panics too (unless the thread
/// is already panicking), so a forgotten check cannot pass silently.
#[derive(Debug)]
pub struct RegisterMock {
    expected: VecDeque<RegOp>,
    performed: usize,
    done_called: bool,
}

impl RegisterMock {
    /// A mock expecting `ops`, in order.
    #[must_use]
    pub fn new(ops: &[RegOp]) -> RegisterMock {
        RegisterMock {
            expected: ops.iter().copied().collect(),
            performed: 0,
            done_called: false,
        }
    }

    /// Append more expectations.
    pub fn expect(&mut self, ops: &[RegOp]) {
        self.expected.extend(ops.iter().copied());
        self.done_called = false;
    }

    /// Transactions performed so far.
    #[must_use]
    pub fn performed(&self) -> usize {
        self.performed
    }

    /// Assert every expectation was used.
    ///
    /// # Panics
    ///
    /// When expectations are left.
    pub fn done(&mut self) {
        self.done_called = true;
        assert!(
            self.expected.is_empty(),
            "register mock: {} expected transaction(s) not performed, next: {:?}",
            self.expected.len(),
            self.expected.front()
        );
    }

    fn next(&mut self, what: &str) -> RegOp {
        let n = self.performed;
        self.performed += 1;
        match self.expected.pop_front() {
            Some(op) => op,
            None => panic!("register mock: unexpected {what} (transaction {n}); no more expected"),
        }
    }
}

impl RegisterBus for RegisterMock {
    type Error = MockBusError;

    fn read(&mut self, reg: u16) -> Result<u8, MockBusError> {
        let what = format!("read of {reg:#06x}");
        match self.next(&what) {
            RegOp::Read { reg: r, value } if r == reg => Ok(value),
            RegOp::ReadFails { reg: r } if r == reg => Err(MockBusError { reg }),
            other => panic!("register mock: {what} does not match expectation {other:?}"),
        }
    }

    fn write(&mut self, reg: u16, value: u8) -> Result<(), MockBusError> {
        let what = format!("write of {value:#04x} to {reg:#06x}");
        match self.next(&what) {
            RegOp::Write { reg: r, value: v } if r == reg && v == value => Ok(()),
            RegOp::WriteFails { reg: r } if r == reg => Err(MockBusError { reg }),
            other => panic!("register mock: {what} does not match expectation {other:?}"),
        }
    }
}

impl Drop for RegisterMock {
    fn drop(&mut self) {
        if !self.done_called && !std::thread::panicking() {
            panic!("register mock dropped without done()");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::{Error, LineErrorKind};

    fn ring_then_idle<B: RegisterBus>(bus: &mut B) -> Result<(), B::Error> {
        bus.write(0x40, 0x04)?;
        let status = bus.read(0x44)?;
        if status & 1 != 0 {
            bus.write(0x40, 0x01)?;
        }
        Ok(())
    }

    #[test]
    fn matching_transactions_pass_and_done_is_satisfied() {
        let mut m = RegisterMock::new(&[
            RegOp::Write { reg: 0x40, value: 4 },
            RegOp::Read { reg: 0x44, value: 1 },
            RegOp::Write { reg: 0x40, value: 1 },
        ]);
        ring_then_idle(&mut m).unwrap();
        assert_eq!(m.performed(), 3);
        m.done();
    }

    #[test]
    fn expected_bus_failure_reaches_the_driver_as_a_bus_error() {
        let mut m = RegisterMock::new(&[
            RegOp::Write { reg: 0x40, value: 4 },
            RegOp::ReadFails { reg: 0x44 },
        ]);
        let err = ring_then_idle(&mut m).unwrap_err();
        assert_eq!(err, MockBusError { reg: 0x44 });
        assert_eq!(err.kind(), LineErrorKind::Bus);
        m.done();
    }

    #[test]
    #[should_panic(expected = "write of 0x05 to 0x0040 does not match expectation")]
    fn wrong_value_panics_naming_the_transaction() {
        let mut m = RegisterMock::new(&[RegOp::Write { reg: 0x40, value: 4 }]);
        let _ = m.write(0x40, 5);
    }

    #[test]
    #[should_panic(expected = "1 expected transaction(s) not performed")]
    fn done_with_expectations_left_panics() {
        let mut m = RegisterMock::new(&[
            RegOp::Write { reg: 0x40, value: 4 },
            RegOp::Read { reg: 0x44, value: 0 },
        ]);
        let mut by_ref = &mut m;
        let _ = RegisterBus::write(&mut by_ref, 0x40, 4);
        m.done();
    }

    #[test]
    #[should_panic(expected = "dropped without done()")]
    fn dropping_without_done_panics() {
        let _m = RegisterMock::new(&[]);
    }
}
