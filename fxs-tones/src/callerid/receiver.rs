//! Caller ID from line samples: the FSK receiver or the DTMF detector,
//! message assembly and decoding.

use super::message::MAX_MESSAGE_OCTETS;
use super::{CallerIdCoding, CallerIdMessage, CallerIdStandard, dtmf_clip, ntt, telcordia};
use crate::{DtmfDetector, DtmfEvent, Error, FskEvent, FskModem, FskReceiver, SAMPLE_RATE};

/// A DTMF caller ID message must not pause longer than this between
/// digits (70 ms pauses are normal; callerid.md §6.1).
const DTMF_MAX_GAP_SAMPLES: u64 = SAMPLE_RATE as u64; // 1 s
/// Most results kept until polled.
const RESULT_CAPACITY: usize = 4;

/// Collects octets of one FSK message between mark idle and the end.
#[derive(Clone, Debug)]
struct Assembler {
    coding: CallerIdCoding,
    buf: [u8; MAX_MESSAGE_OCTETS],
    len: usize,
    /// True after a mark-idle period: the next octet may start a message.
    armed: bool,
    /// True while inside a message.
    active: bool,
}

impl Assembler {
    fn new(coding: CallerIdCoding) -> Assembler {
        Assembler {
            coding,
            buf: [0; MAX_MESSAGE_OCTETS],
            len: 0,
            armed: false,
            active: false,
        }
    }

    /// Handles one receiver event; returns a finished message or error.
    fn on_event(&mut self, event: FskEvent) -> Option<Result<CallerIdMessage, Error>> {
        let standard = match self.coding {
            CallerIdCoding::Ntt => "NTT",
            _ => "Telcordia/ETSI",
        };
        match event {
            FskEvent::CarrierUp => {
                self.reset();
                None
            }
            FskEvent::MarkIdle => {
                let cut = self.active.then_some(Err(Error::MalformedMessage {
                    standard,
                    reason: "message cut off by a mark period",
                }));
                self.reset();
                self.armed = true;
                cut
            }
            FskEvent::CarrierDown => {
                let cut = self.active.then_some(Err(Error::MalformedMessage {
                    standard,
                    reason: "carrier lost inside the message",
                }));
                self.reset();
                cut
            }
            FskEvent::FramingError => {
                let e = self.active.then_some(Err(Error::MalformedMessage {
                    standard,
                    reason: "framing error (stop bit missing)",
                }));
                self.reset();
                e
            }
            FskEvent::Octet(b) => self.octet(b),
        }
    }

    fn reset(&mut self) {
        self.len = 0;
        self.armed = false;
        self.active = false;
    }

    fn octet(&mut self, b: u8) -> Option<Result<CallerIdMessage, Error>> {
        if !self.active {
            let starts = match self.coding {
                CallerIdCoding::Ntt => b & 0x7F == 0x10,
                _ => matches!(
                    b,
                    telcordia::SDMF_CALLER_ID
                        | telcordia::SDMF_MWI
                        | telcordia::MDMF_CALL
                        | telcordia::MDMF_MWI
                ),
            };
            if !(self.armed && starts) {
                self.armed = false;
                return None;
            }
            self.active = true;
        }
        let Some(slot) = self.buf.get_mut(self.len) else {
            self.reset();
            return Some(Err(Error::MalformedMessage {
                standard: "caller ID",
                reason: "longer than any valid message",
            }));
        };
        *slot = b;
        self.len += 1;
        let msg = &self.buf[..self.len];
        let complete = match self.coding {
            CallerIdCoding::Ntt => ntt::frame_end(msg) == Some(msg.len()),
            _ => msg.len() >= 2 && msg.len() == usize::from(msg[1]) + 3,
        };
        if !complete {
            return None;
        }
        let result = match self.coding {
            CallerIdCoding::Ntt => ntt::decode(msg),
            _ => telcordia::decode(msg),
        };
        self.reset();
        Some(result)
    }
}

#[derive(Clone, Debug)]
enum Front {
    Fsk {
        rx: FskReceiver,
        asm: Assembler,
    },
    Dtmf {
        det: DtmfDetector,
        chars: [u8; 64],
        len: usize,
        last: u64,
    },
}

/// Decodes caller ID from line samples for one standard.
///
/// Feed 8 kHz samples to [`process`](Self::process) (any slice length)
/// and take results with [`poll_message`](Self::poll_message): a decoded
/// message, or an error for a message that was heard but is corrupt
/// (checksum, CRC, parity, framing). Fixed state, no allocation.
#[derive(Clone, Debug)]
pub struct CallerIdReceiver {
    front: Front,
    results: [Option<Result<CallerIdMessage, Error>>; RESULT_CAPACITY],
    head: usize,
    count: usize,
}

impl CallerIdReceiver {
    /// A receiver for `standard`; an error for
    /// [`Off`](CallerIdStandard::Off), which has nothing to receive.
    pub fn new(standard: CallerIdStandard) -> Result<CallerIdReceiver, Error> {
        let (Some(coding), modem) = (standard.coding(), standard.modem()) else {
            return Err(Error::Unsupported {
                standard: "off",
                what: "a receiver",
            });
        };
        let front = match modem {
            Some(modem) => Front::Fsk {
                rx: FskReceiver::new(modem),
                asm: Assembler::new(coding),
            },
            None => Front::Dtmf {
                det: DtmfDetector::new(SAMPLE_RATE)?,
                chars: [0; 64],
                len: 0,
                last: 0,
            },
        };
        Ok(CallerIdReceiver {
            front,
            results: [const { None }; RESULT_CAPACITY],
            head: 0,
            count: 0,
        })
    }

    /// A receiver for an FSK modem and coding directly (for example
    /// Bell 202 with the Telcordia coding).
    pub fn for_fsk(modem: FskModem, coding: CallerIdCoding) -> CallerIdReceiver {
        CallerIdReceiver {
            front: Front::Fsk {
                rx: FskReceiver::new(modem),
                asm: Assembler::new(coding),
            },
            results: [const { None }; RESULT_CAPACITY],
            head: 0,
            count: 0,
        }
    }

    fn push(
        results: &mut [Option<Result<CallerIdMessage, Error>>; RESULT_CAPACITY],
        head: usize,
        count: &mut usize,
        r: Result<CallerIdMessage, Error>,
    ) {
        if *count < RESULT_CAPACITY {
            results[(head + *count) % RESULT_CAPACITY] = Some(r);
            *count += 1;
        }
    }

    /// Processes samples.
    pub fn process(&mut self, samples: &[i16]) {
        let (results, head, count) = (&mut self.results, self.head, &mut self.count);
        match &mut self.front {
            Front::Fsk { rx, asm } => rx.process(samples, |e| {
                if let Some(r) = asm.on_event(e) {
                    CallerIdReceiver::push(results, head, count, r);
                }
            }),
            Front::Dtmf {
                det,
                chars,
                len,
                last,
            } => {
                det.process(samples);
                while let Some(e) = det.poll_event() {
                    let DtmfEvent::Start { digit, at } = e else {
                        continue;
                    };
                    if *len > 0 && at.saturating_sub(*last) > DTMF_MAX_GAP_SAMPLES {
                        *len = 0;
                    }
                    *last = at;
                    let c = digit.as_char() as u8;
                    if *len == 0 && !matches!(c, b'A' | b'B' | b'D' | b'0'..=b'9') {
                        continue; // cannot start a message
                    }
                    if let Some(slot) = chars.get_mut(*len) {
                        *slot = c;
                        *len += 1;
                    } else {
                        *len = 0;
                        continue;
                    }
                    if matches!(c, b'C' | b'#') {
                        let r = dtmf_clip::decode(&chars[..*len]);
                        *len = 0;
                        CallerIdReceiver::push(results, head, count, r);
                    }
                }
            }
        }
    }

    /// The next decoded message or corrupt-message error, oldest first.
    pub fn poll_message(&mut self) -> Option<Result<CallerIdMessage, Error>> {
        if self.count == 0 {
            return None;
        }
        let r = self.results[self.head].take();
        self.head = (self.head + 1) % RESULT_CAPACITY;
        self.count -= 1;
        r
    }
}

/// Decodes the first valid caller ID message of `standard` in `samples`.
/// Returns the first corrupt-message error if no message was valid, and
/// [`Error::NoMessage`] if nothing was heard.
pub fn decode_samples(standard: CallerIdStandard, samples: &[i16]) -> Result<CallerIdMessage, Error> {
    let mut rx = CallerIdReceiver::new(standard)?;
    let mut first_error = None;
    for frame in samples.chunks(crate::FRAME_SAMPLES) {
        rx.process(frame);
        while let Some(r) = rx.poll_message() {
            match r {
                Ok(m) => return Ok(m),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
    }
    // Flush: a little silence lets the last character's stop bit through.
    rx.process(&[0; crate::FRAME_SAMPLES]);
    while let Some(r) = rx.poll_message() {
        match r {
            Ok(m) => return Ok(m),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or(Error::NoMessage))
}
