//! Off-hook caller ID (Telcordia Type II / CIDCW, ETSI EN 300 659-2): the
//! alert / ACK / data exchange during a call (callerid.md §3, §4.2).

use super::signal::ALERT_LEVEL;
use super::{ALERT_TONE_HZ, CallerIdMessage, CallerIdSignal, CallerIdStandard};
use crate::osc::{Oscillator, to_i16};
use crate::{Dbm0, Digit, Error, SAMPLE_RATE};

/// CAS length sent: 80 ms (75-85 ms, SR-TSV-002476; callerid.md §3 step 2).
const CAS_MS: u32 = 80;
/// The ACK must start within 100 ms of the CAS end (step 3); the DTMF
/// detector reports it about 40 ms after it starts, so we wait for the
/// report up to 100 + 65 ms.
const ACK_WINDOW_MS: u32 = 165;
/// Gap from the ACK report to the FSK: the ACK lasts 55-65 ms and the
/// data must start within 500 ms of it (steps 3 and 5); we start 100 ms
/// after the report, when the ACK is certainly over.
const ACK_TO_DATA_MS: u32 = 100;

/// Which ACK the CPE sent (callerid.md §3 step 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AckKind {
    /// DTMF `D`: a non-ADSI CPE.
    NonAdsi,
    /// DTMF `A`: an ADSI CPE (Telcordia only).
    Adsi,
}

impl AckKind {
    /// The ACK a digit stands for under `standard`: `D` (and for
    /// Telcordia also `A`), anything else is no ACK.
    pub fn from_digit(standard: CallerIdStandard, digit: Digit) -> Option<AckKind> {
        match (digit, standard) {
            (Digit::D, CallerIdStandard::TelcordiaTypeIi | CallerIdStandard::EtsiOffHook) => {
                Some(AckKind::NonAdsi)
            }
            (Digit::A, CallerIdStandard::TelcordiaTypeIi) => Some(AckKind::Adsi),
            _ => None,
        }
    }
}

/// Where an off-hook exchange is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OffHookState {
    /// Sending the CAS / DT-AS; the far end must be muted.
    Alerting,
    /// Waiting for the CPE's DTMF ACK (feed it to
    /// [`OffHookCallerId::handle_digit`]); far end still muted.
    AwaitingAck,
    /// ACK received; the data follows shortly.
    Acknowledged(AckKind),
    /// Sending the FSK data.
    SendingData,
    /// Data sent: restore speech.
    Done,
    /// No ACK in time: no data is sent (GR-30); restore speech.
    NoAck,
}

/// Runs one off-hook caller ID exchange: CAS, wait for the ACK, FSK.
///
/// Call [`generate`](Self::generate) every frame for the samples towards
/// the phone (they replace the far-end audio while
/// [`mutes_far_end`](Self::mutes_far_end)), and pass every DTMF digit the
/// engine's detector reports from the phone to
/// [`handle_digit`](Self::handle_digit).
#[derive(Clone, Debug)]
pub struct OffHookCallerId {
    standard: CallerIdStandard,
    state: OffHookState,
    elapsed: u32,
    tone_a: Oscillator,
    tone_b: Oscillator,
    data: CallerIdSignal,
}

impl OffHookCallerId {
    /// Prepares the exchange for `msg`. `Ok(None)` when `standard` is
    /// [`Off`](CallerIdStandard::Off); an error for a standard that is not
    /// off-hook.
    pub fn new(
        standard: CallerIdStandard,
        msg: &CallerIdMessage,
        level: Dbm0,
    ) -> Result<Option<OffHookCallerId>, Error> {
        if standard == CallerIdStandard::Off {
            return Ok(None);
        }
        if !standard.is_off_hook() {
            return Err(Error::Unsupported {
                standard: standard.name(),
                what: "off-hook caller ID",
            });
        }
        let Some(data) = standard.signal(msg, level)? else {
            return Ok(None);
        };
        Ok(Some(OffHookCallerId {
            standard,
            state: OffHookState::Alerting,
            elapsed: 0,
            tone_a: Oscillator::new(ALERT_TONE_HZ.0, SAMPLE_RATE),
            tone_b: Oscillator::new(ALERT_TONE_HZ.1, SAMPLE_RATE),
            data,
        }))
    }

    /// The current state.
    pub fn state(&self) -> OffHookState {
        self.state
    }

    /// True while the far end must be muted and the phone's keypad
    /// ignored (from the alert until the data is over or no ACK came).
    pub fn mutes_far_end(&self) -> bool {
        !matches!(self.state, OffHookState::Done | OffHookState::NoAck)
    }

    /// True once the exchange is over (data sent or abandoned).
    pub fn is_finished(&self) -> bool {
        !self.mutes_far_end()
    }

    /// A DTMF digit from the phone. Returns the ACK if the digit was one
    /// and came in time; other digits are ignored.
    pub fn handle_digit(&mut self, digit: Digit) -> Option<AckKind> {
        if self.state != OffHookState::AwaitingAck {
            return None;
        }
        let ack = AckKind::from_digit(self.standard, digit)?;
        self.state = OffHookState::Acknowledged(ack);
        self.elapsed = 0;
        Some(ack)
    }

    /// Fills `out` with the next samples towards the phone (alert, silence
    /// or data).
    pub fn generate(&mut self, out: &mut [i16]) {
        let ms = |ms: u32| ms * SAMPLE_RATE / 1000;
        let mut i = 0;
        while i < out.len() {
            match self.state {
                OffHookState::Alerting => {
                    let a = ALERT_LEVEL.amplitude();
                    let n = ((ms(CAS_MS) - self.elapsed) as usize).min(out.len() - i);
                    for s in &mut out[i..i + n] {
                        *s = to_i16(a * (self.tone_a.next_sample() + self.tone_b.next_sample()));
                    }
                    i += n;
                    self.elapsed += n as u32;
                    if self.elapsed >= ms(CAS_MS) {
                        self.state = OffHookState::AwaitingAck;
                        self.elapsed = 0;
                    }
                }
                OffHookState::AwaitingAck | OffHookState::Acknowledged(_) => {
                    let limit = if self.state == OffHookState::AwaitingAck {
                        ms(ACK_WINDOW_MS)
                    } else {
                        ms(ACK_TO_DATA_MS)
                    };
                    let n = ((limit - self.elapsed) as usize).min(out.len() - i);
                    out[i..i + n].fill(0);
                    i += n;
                    self.elapsed += n as u32;
                    if self.elapsed >= limit {
                        self.state = if self.state == OffHookState::AwaitingAck {
                            OffHookState::NoAck
                        } else {
                            OffHookState::SendingData
                        };
                        self.elapsed = 0;
                    }
                }
                OffHookState::SendingData => {
                    i += self.data.generate(&mut out[i..]);
                    if self.data.is_done() {
                        self.state = OffHookState::Done;
                    }
                }
                OffHookState::Done | OffHookState::NoAck => {
                    out[i..].fill(0);
                    i = out.len();
                }
            }
        }
    }
}
