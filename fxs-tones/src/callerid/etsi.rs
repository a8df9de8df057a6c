//! ETSI EN 300 659-1/-2 alerting and timing (callerid.md §4). The message
//! coding is shared with Telcordia MDMF (see `telcordia.rs`).

use super::signal::{RingAnchor, SignalTiming};

/// How an ETSI on-hook caller ID transmission is announced
/// (callerid.md §4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EtsiAlert {
    /// Line reversal, >= 100 ms silence, dual-tone alerting signal
    /// (DT-AS, 2130 + 2750 Hz, 100 ms), then FSK, then ringing.
    LineReversalDtAs,
    /// Line reversal, then FSK after >= 100 ms, then ringing (no DT-AS).
    LineReversal,
    /// Ringing pulse alerting signal (RP-AS, 200-300 ms), FSK >= 500 ms
    /// after it, then ringing.
    RpAs,
    /// FSK in the silent interval after the first ring, as Telcordia.
    AfterFirstRing,
}

/// DT-AS duration sent on-hook (100 ± 10 ms, callerid.md §4.2).
pub(crate) const DT_AS_MS: u32 = 100;
/// Gap from the end of DT-AS to the start of FSK (the UK profile of
/// callerid.md §4.2 uses 150 ms; SIN 227 needs >= 45 ms).
pub(crate) const DT_AS_TO_FSK_MS: u32 = 150;

/// The timing of an on-hook ETSI FSK transmission.
pub(crate) fn timing(alert: EtsiAlert) -> SignalTiming {
    let (anchor, min_delay_ms, max_delay_ms) = match alert {
        EtsiAlert::LineReversalDtAs | EtsiAlert::LineReversal => (RingAnchor::LineReversal, 100, None),
        EtsiAlert::RpAs => (
            RingAnchor::RingPulse {
                min_ms: 200,
                max_ms: 300,
            },
            500,
            None,
        ),
        EtsiAlert::AfterFirstRing => (RingAnchor::AfterFirstRing, 500, None),
    };
    SignalTiming {
        anchor,
        min_delay_ms,
        max_delay_ms,
        min_gap_before_ring_ms: 200,
        seizure_bits: 300,
        mark_bits: 180,
    }
}

/// Off-hook (EN 300 659-2): no seizure, 80 mark bits.
pub(crate) fn off_hook_timing() -> SignalTiming {
    SignalTiming {
        anchor: RingAnchor::OffHookAck,
        min_delay_ms: 0,
        max_delay_ms: Some(500),
        min_gap_before_ring_ms: 0,
        seizure_bits: 0,
        mark_bits: 80,
    }
}
