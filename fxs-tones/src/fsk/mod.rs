//! Frequency-shift keying for caller ID: Bell 202 and ITU-T V.23 at
//! 1200 bit/s with asynchronous (start/stop) framing (callerid.md §2.1,
//! §4.1).
//!
//! [`FskTransmitter`] turns a preamble (channel seizure, mark) and octets
//! into phase-continuous line samples; [`FskReceiver`] turns samples back
//! into [`FskEvent`]s (octets, framing errors, mark idle, carrier) in
//! streaming fashion, 10 ms frame by frame, without allocation.

mod rx;
mod tx;

pub use rx::{FskEvent, FskReceiver};
pub use tx::{FSK_MAX_OCTETS, FskFraming, FskModulator, FskTransmitter};

/// The sample rate the FSK modems run at (the SDK's narrowband rate).
pub(crate) const FSK_SAMPLE_RATE: u32 = 8000;
/// Bit rate of both modems in bit/s (callerid.md §2.1, §4.1).
pub const FSK_BAUD: u32 = 1200;

/// Which FSK modem a signal uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FskModem {
    /// Bell 202: mark (1) 1200 Hz, space (0) 2200 Hz, 1200 bit/s
    /// (Telcordia GR-30-CORE; callerid.md §2.1).
    Bell202,
    /// ITU-T V.23 forward channel: mark (1) 1300 Hz, space (0) 2100 Hz,
    /// 1200 bit/s (ETSI EN 300 659-1, BT SIN 227, NTT; callerid.md §4.1).
    V23,
}

impl FskModem {
    /// Frequency of a 1 bit (mark) in Hz.
    pub const fn mark_hz(self) -> f32 {
        match self {
            FskModem::Bell202 => 1200.0,
            FskModem::V23 => 1300.0,
        }
    }

    /// Frequency of a 0 bit (space) in Hz.
    pub const fn space_hz(self) -> f32 {
        match self {
            FskModem::Bell202 => 2200.0,
            FskModem::V23 => 2100.0,
        }
    }

    /// Bit rate in bit/s.
    pub const fn baud(self) -> u32 {
        FSK_BAUD
    }

    /// Short name for messages ("Bell 202", "V.23").
    pub const fn name(self) -> &'static str {
        match self {
            FskModem::Bell202 => "Bell 202",
            FskModem::V23 => "V.23",
        }
    }
}
