//! BT SIN 227 / SIN 242 (UK) timing (callerid.md §5). The message coding
//! is the ETSI MDMF set.

use super::signal::{RingAnchor, SignalTiming};

/// Tone alert signal (TAS) duration: 88-110 ms, we send 100 ms
/// (callerid.md §5 step 3).
pub(crate) const TAS_MS: u32 = 100;
/// Gap from the end of TAS to the FSK: >= 45 ms (step 6); we wait 60 ms so
/// the CPE has applied its loads (15-25 ms + 14-16 ms, step 5).
pub(crate) const TAS_TO_FSK_MS: u32 = 60;

/// The timing of a BT transmission: line reversal, >= 100 ms, TAS, FSK,
/// >= 200 ms, ringing.
pub(crate) fn timing() -> SignalTiming {
    SignalTiming {
        anchor: RingAnchor::LineReversal,
        min_delay_ms: 100,
        max_delay_ms: None,
        min_gap_before_ring_ms: 200,
        // 96-315 alternating bits and 55-90 marks (step 6).
        seizure_bits: 300,
        mark_bits: 80,
    }
}
