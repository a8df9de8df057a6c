//! The complete line signal of a caller ID transmission and the timing it
//! must keep against ringing.

use super::alert::ALERT_TONE_HZ;
use super::{CallerIdStandard, EtsiAlert, MessageBytes, bt, etsi};
use crate::fsk::{FskFraming, FskTransmitter};
use crate::osc::{Oscillator, to_i16};
use crate::{Dbm0, Digit, Error, FskModem, SAMPLE_RATE};

/// Level of each tone of the CAS / DT-AS / TAS alert (spandsp `adsi.c`
/// sends -13 dBm0 per tone).
pub(crate) const ALERT_LEVEL: Dbm0 = Dbm0(-13.0);
/// DTMF caller ID: tone on and off times (callerid.md §6.1: 70 ms / 70 ms).
const DTMF_ON_MS: u32 = 70;
const DTMF_OFF_MS: u32 = 70;
/// DTMF caller ID levels: low tone -10 dBm0, high tone 2 dB above
/// (dtmf.md §2 design rule).
const DTMF_LOW_LEVEL: Dbm0 = Dbm0(-10.0);
const DTMF_HIGH_LEVEL: Dbm0 = Dbm0(-8.0);
/// Marks after the last FSK character (spandsp's postamble).
const POSTAMBLE_BITS: u16 = 5;
/// Most DTMF characters in one message.
const MAX_DTMF_CHARS: usize = 64;
/// Most segments of one signal.
const MAX_SEGMENTS: usize = 3;

/// What the engine does first and measures the signal's delay from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RingAnchor {
    /// Ring normally; send in the silent interval after the first ring
    /// (delay measured from the end of ring 1).
    AfterFirstRing,
    /// Reverse the line polarity on the idle line; the delay is measured
    /// from the reversal; after the signal, ring (or restore polarity).
    LineReversal,
    /// Send before ringing without any alert (DTMF caller ID on an idle
    /// line); the delay is measured from the decision to ring.
    BeforeFirstRing,
    /// Send a short ring pulse (RP-AS) of `min_ms`..=`max_ms`; the delay is
    /// measured from its end.
    RingPulse {
        /// Shortest ring pulse.
        min_ms: u32,
        /// Longest ring pulse.
        max_ms: u32,
    },
    /// Off-hook (call waiting): data follows the CPE's DTMF ACK; the delay
    /// is measured from the ACK (see [`OffHookCallerId`](crate::OffHookCallerId)).
    OffHookAck,
    /// NTT: ring the CAR signal (16 Hz, 0.5 s on / 0.5 s off) without
    /// ringing the bell until the CPE closes the loop (within 6 s), treat
    /// that closure as "ready for data" (not an answer), send, wait for
    /// on-hook, then ring normally (1 s on / 2 s off). The delay is
    /// measured from the loop closure.
    CarAnswered,
}

/// Where a caller ID signal goes relative to ringing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignalTiming {
    /// What the delay is measured from.
    pub anchor: RingAnchor,
    /// Shortest delay from the anchor to the first sample of the signal.
    pub min_delay_ms: u32,
    /// Longest delay, where the standard sets one.
    pub max_delay_ms: Option<u32>,
    /// Shortest gap from the last sample of the signal to the next ring
    /// (or the polarity restore).
    pub min_gap_before_ring_ms: u32,
    /// Channel seizure bits in the FSK (0 for DTMF and off-hook).
    pub seizure_bits: u16,
    /// Mark bits before the message (0 for DTMF).
    pub mark_bits: u16,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Segment {
    Silence(u32),
    Alert(u32),
    Fsk,
    Dtmf,
}

/// The samples of one caller ID transmission: alert tone and gap where
/// the standard has them, then the FSK burst or DTMF digits.
///
/// Pull it with [`generate`](Self::generate) frame by frame; fixed
/// state, no allocation.
#[derive(Clone, Debug)]
pub struct CallerIdSignal {
    timing: SignalTiming,
    segments: [Segment; MAX_SEGMENTS],
    count: usize,
    index: usize,
    pos: u32,
    fsk: Option<FskTransmitter>,
    fsk_samples: u32,
    tone_a: Oscillator,
    tone_b: Oscillator,
    dtmf: [u8; MAX_DTMF_CHARS],
    dtmf_len: usize,
    total: usize,
}

fn ms(ms: u32) -> u32 {
    ms * SAMPLE_RATE / 1000
}

impl CallerIdSignal {
    pub(crate) fn new(
        standard: CallerIdStandard,
        bytes: &MessageBytes,
        level: Dbm0,
    ) -> Result<CallerIdSignal, Error> {
        let (timing, segments, count): (SignalTiming, [Segment; MAX_SEGMENTS], usize) = match standard {
            CallerIdStandard::Off => {
                return Err(Error::Unsupported {
                    standard: "off",
                    what: "a signal",
                });
            }
            CallerIdStandard::TelcordiaSdmf | CallerIdStandard::TelcordiaMdmf => {
                (telcordia_timing(), [Segment::Fsk; MAX_SEGMENTS], 1)
            }
            CallerIdStandard::TelcordiaTypeIi | CallerIdStandard::EtsiOffHook => {
                (etsi::off_hook_timing(), [Segment::Fsk; MAX_SEGMENTS], 1)
            }
            CallerIdStandard::Etsi(EtsiAlert::LineReversalDtAs) => (
                etsi::timing(EtsiAlert::LineReversalDtAs),
                [
                    Segment::Alert(ms(etsi::DT_AS_MS)),
                    Segment::Silence(ms(etsi::DT_AS_TO_FSK_MS)),
                    Segment::Fsk,
                ],
                3,
            ),
            CallerIdStandard::Etsi(alert) => (etsi::timing(alert), [Segment::Fsk; MAX_SEGMENTS], 1),
            CallerIdStandard::Bt => (
                bt::timing(),
                [
                    Segment::Alert(ms(bt::TAS_MS)),
                    Segment::Silence(ms(bt::TAS_TO_FSK_MS)),
                    Segment::Fsk,
                ],
                3,
            ),
            CallerIdStandard::Ntt => (ntt_timing(), [Segment::Fsk; MAX_SEGMENTS], 1),
            CallerIdStandard::EtsiDtmf { line_reversal, .. } => (
                SignalTiming {
                    anchor: if line_reversal {
                        RingAnchor::LineReversal
                    } else {
                        RingAnchor::BeforeFirstRing
                    },
                    min_delay_ms: if line_reversal { 100 } else { 0 },
                    max_delay_ms: None,
                    min_gap_before_ring_ms: 200,
                    seizure_bits: 0,
                    mark_bits: 0,
                },
                [Segment::Dtmf; MAX_SEGMENTS],
                1,
            ),
        };
        let mut signal = CallerIdSignal {
            timing,
            segments,
            count,
            index: 0,
            pos: 0,
            fsk: None,
            fsk_samples: 0,
            tone_a: Oscillator::new(ALERT_TONE_HZ.0, SAMPLE_RATE),
            tone_b: Oscillator::new(ALERT_TONE_HZ.1, SAMPLE_RATE),
            dtmf: [0; MAX_DTMF_CHARS],
            dtmf_len: 0,
            total: 0,
        };
        if let Some(modem) = standard.modem() {
            let mut tx = FskTransmitter::new(modem, level)?;
            let framing = FskFraming {
                seizure_bits: timing.seizure_bits,
                mark_bits: timing.mark_bits,
                // NTT: 4 stop bits (spandsp `adsi.c` for JCLIP).
                stop_bits: if standard == CallerIdStandard::Ntt { 4 } else { 1 },
                postamble_bits: POSTAMBLE_BITS,
            };
            tx.load(framing, bytes.as_slice())?;
            signal.fsk_samples = tx.total_samples() as u32;
            signal.fsk = Some(tx);
        } else {
            let chars = bytes.as_slice();
            let Some(dst) = signal.dtmf.get_mut(..chars.len()) else {
                return Err(Error::Unsupported {
                    standard: "DTMF CLIP",
                    what: "more than 64 characters",
                });
            };
            if let Some(&c) = chars.iter().find(|&&c| Digit::from_char(char::from(c)).is_none()) {
                return Err(Error::InvalidDigit(char::from(c)));
            }
            dst.copy_from_slice(chars);
            signal.dtmf_len = chars.len();
        }
        signal.total = (0..count).map(|i| signal.segment_len(segments[i]) as usize).sum();
        Ok(signal)
    }

    fn segment_len(&self, seg: Segment) -> u32 {
        match seg {
            Segment::Silence(n) | Segment::Alert(n) => n,
            Segment::Fsk => self.fsk_samples,
            Segment::Dtmf => self.dtmf_len as u32 * ms(DTMF_ON_MS + DTMF_OFF_MS),
        }
    }

    /// The timing this signal must keep against ringing.
    pub fn timing(&self) -> SignalTiming {
        self.timing
    }

    /// The FSK modem used, if any.
    pub fn modem(&self) -> Option<FskModem> {
        self.fsk.as_ref().map(FskTransmitter::modem)
    }

    /// Length of the whole signal in samples (8 kHz).
    pub fn total_samples(&self) -> usize {
        self.total
    }

    /// True once every sample has been generated.
    pub fn is_done(&self) -> bool {
        self.index >= self.count
    }

    /// Fills `out` with the next samples and returns how many belong to
    /// the signal; after its end the rest of `out` is silence.
    pub fn generate(&mut self, out: &mut [i16]) -> usize {
        let mut done = 0;
        while done < out.len() {
            let Some(&seg) = self.segments[..self.count].get(self.index) else {
                break;
            };
            let len = self.segment_len(seg);
            let n = ((len - self.pos) as usize).min(out.len() - done);
            let dst = &mut out[done..done + n];
            match seg {
                Segment::Silence(_) => dst.fill(0),
                Segment::Alert(_) => {
                    let a = ALERT_LEVEL.amplitude();
                    for s in dst.iter_mut() {
                        *s = to_i16(a * (self.tone_a.next_sample() + self.tone_b.next_sample()));
                    }
                }
                Segment::Fsk => {
                    if let Some(tx) = self.fsk.as_mut() {
                        tx.generate(dst);
                    }
                }
                Segment::Dtmf => self.dtmf_samples(dst),
            }
            self.pos += n as u32;
            done += n;
            if self.pos >= len {
                self.index += 1;
                self.pos = 0;
            }
        }
        out[done..].fill(0);
        done
    }

    fn dtmf_samples(&mut self, dst: &mut [i16]) {
        let on = ms(DTMF_ON_MS);
        let cycle = ms(DTMF_ON_MS + DTMF_OFF_MS);
        let (lo_amp, hi_amp) = (DTMF_LOW_LEVEL.amplitude(), DTMF_HIGH_LEVEL.amplitude());
        for (i, s) in dst.iter_mut().enumerate() {
            let t = self.pos + i as u32;
            let (k, phase) = ((t / cycle) as usize, t % cycle);
            if phase == 0 {
                let digit = self.dtmf.get(k).and_then(|&c| Digit::from_char(char::from(c)));
                let (lo, hi) = digit.map_or((0.0, 0.0), Digit::frequencies);
                self.tone_a = Oscillator::new(lo, SAMPLE_RATE);
                self.tone_b = Oscillator::new(hi, SAMPLE_RATE);
            }
            *s = if phase < on {
                to_i16(lo_amp * self.tone_a.next_sample() + hi_amp * self.tone_b.next_sample())
            } else {
                0
            };
        }
    }
}

/// Telcordia Type I: >= 500 ms after the end of ring 1, >= 200 ms before
/// ring 2; 300 seizure bits and 180 marks (callerid.md §2.2-2.3).
fn telcordia_timing() -> SignalTiming {
    SignalTiming {
        anchor: RingAnchor::AfterFirstRing,
        min_delay_ms: 500,
        max_delay_ms: None,
        min_gap_before_ring_ms: 200,
        seizure_bits: 300,
        mark_bits: 180,
    }
}

/// NTT: data after the CPE's loop closure during CAR; no seizure and 75
/// marks (spandsp `adsi.c` for JCLIP; callerid.md §6.2 gives no figure).
/// We wait 100 ms after the loop closure for the line to settle (our
/// choice) and the CPE must go on-hook within 6 s.
fn ntt_timing() -> SignalTiming {
    SignalTiming {
        anchor: RingAnchor::CarAnswered,
        min_delay_ms: 100,
        max_delay_ms: None,
        min_gap_before_ring_ms: 0,
        seizure_bits: 0,
        mark_bits: 75,
    }
}
