//! DTMF (ITU-T Q.23) generation and detection.
//!
//! - [`DtmfGenerator`] plays queued digits with configurable level, twist
//!   and on/off times (dtmf.md §2).
//! - [`DtmfDetector`] finds digits in PCM and reports when each began and
//!   ended (dtmf.md §3).

mod detect;
mod generate;

pub use detect::{DTMF_EVENT_CAPACITY, DtmfDetector, DtmfEvent};
pub use generate::{DTMF_MIN_REGENERATED, DTMF_QUEUE_CAPACITY, DtmfGenerator, DtmfGeneratorConfig};

use crate::Error;

/// Checks a sample rate against the ones DTMF supports (8 and 16 kHz).
fn check_rate(sample_rate: u32) -> Result<(), Error> {
    match sample_rate {
        8000 | 16000 => Ok(()),
        other => Err(Error::UnsupportedSampleRate(other)),
    }
}
