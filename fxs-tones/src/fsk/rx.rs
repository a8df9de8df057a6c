//! Streaming FSK receiver: a sliding one-bit quadrature correlator at the
//! mark and space frequencies, carrier detection, and asynchronous
//! character recovery with a bit clock taken from the transitions.

use super::{FSK_BAUD, FSK_SAMPLE_RATE, FskModem};
use crate::Dbm0;

/// Correlation window in samples: one bit (6 2/3 samples) rounded up.
const WINDOW: usize = 7;
/// Samples after which the local oscillators return exactly to phase 0:
/// 1200, 1300, 2100 and 2200 Hz all complete whole cycles in 80 samples
/// at 8 kHz.
const OSC_PERIOD: u32 = 80;
/// Bit clock units: a sample is `FSK_BAUD` units, a bit `FSK_SAMPLE_RATE`.
const SAMPLE_UNITS: i32 = FSK_BAUD as i32;
const BIT_UNITS: i32 = FSK_SAMPLE_RATE as i32;
const HALF_BIT_UNITS: i32 = BIT_UNITS / 2;
/// Mark bits on an idle line after which [`FskEvent::MarkIdle`] is sent.
const MARK_IDLE_BITS: u32 = 10;
/// Carrier on above this level (dBm0) ...
const CARRIER_ON_DBM0: f32 = -48.0;
/// ... and off again below this one.
const CARRIER_OFF_DBM0: f32 = -52.0;
/// A bit is only sampled while the window holds at least this fraction of
/// the smoothed carrier energy.
const COLLAPSE_RATIO: f32 = 0.25;
/// Smoothing of the carrier power estimate (1/16: about 2 ms).
const POWER_SMOOTHING: f32 = 1.0 / 16.0;

/// What the receiver reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FskEvent {
    /// Signal energy appeared in the FSK band.
    CarrierUp,
    /// A character with a valid stop bit.
    Octet(u8),
    /// A character whose stop bit was a space: the octet is lost.
    FramingError,
    /// At least ten mark bits in a row outside a character: the line is
    /// idle-marking, so the next start bit begins a new message
    /// (callerid.md §2.3: the mark before the message).
    MarkIdle,
    /// The signal went away.
    CarrierDown,
}

/// One period of the local oscillator `e^(-j 2 pi f n / fs)`, stored
/// twice (160 samples) so a chunk of up to 80 samples starting anywhere
/// in the period reads it without wrapping.
struct LoTable {
    re: [f32; 2 * OSC_PERIOD as usize],
    im: [f32; 2 * OSC_PERIOD as usize],
}

impl core::fmt::Debug for LoTable {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("LoTable")
    }
}

/// `(sin, cos)` of `2 pi num / den`, evaluated at compile time (range
/// reduction to [-pi, pi] and a Taylor series to x^31, exact to f32).
const fn sin_cos(num: u32, den: u32) -> (f64, f64) {
    let turns = (num % den) as f64 / den as f64;
    let x = if turns > 0.5 { turns - 1.0 } else { turns } * core::f64::consts::TAU;
    let (mut sin, mut cos) = (0.0, 0.0);
    let (mut term_s, mut term_c) = (x, 1.0);
    let mut k = 1.0;
    while k < 32.0 {
        sin += term_s;
        cos += term_c;
        term_s = -term_s * x * x / ((k + 1.0) * (k + 2.0));
        term_c = -term_c * x * x / (k * (k + 1.0));
        k += 2.0;
    }
    (sin, cos)
}

const fn lo_table(freq_hz: u32) -> LoTable {
    let mut t = LoTable {
        re: [0.0; 2 * OSC_PERIOD as usize],
        im: [0.0; 2 * OSC_PERIOD as usize],
    };
    let mut n = 0;
    while n < 2 * OSC_PERIOD {
        let (sin, cos) = sin_cos(freq_hz * n, FSK_SAMPLE_RATE);
        t.re[n as usize] = cos as f32;
        t.im[n as usize] = -sin as f32;
        n += 1;
    }
    t
}

static LO_1200: LoTable = lo_table(1200);
static LO_2200: LoTable = lo_table(2200);
static LO_1300: LoTable = lo_table(1300);
static LO_2100: LoTable = lo_table(2100);

/// History kept between chunks: the last `WINDOW - 1` products.
const HIST: usize = WINDOW - 1;
/// Largest chunk processed at once (one oscillator period).
const CHUNK: usize = OSC_PERIOD as usize;

/// Where the character recovery is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    /// Waiting for a mark-to-space transition (a start bit).
    Hunting,
    /// Inside a character: `bit` is the next bit to sample (0 = start),
    /// `clock` the bit-clock units until its middle.
    InChar { bit: u8, octet: u8, clock: i32 },
}

/// A streaming Bell 202 / V.23 receiver.
///
/// Feed any number of samples (typically 10 ms frames) to
/// [`process`](Self::process); events come out through the callback as
/// they happen. The demodulator correlates the last bit's worth of
/// samples with the mark and space frequencies (a sliding quadrature
/// correlator), decides by the larger energy, and samples each bit in its
/// middle, timed from the start bit's edge and nudged by every later
/// transition. It accepts the Bell 202 and V.23 tolerances of callerid.md
/// (±1 % frequency and bit rate) from 0 to below -40 dBm0. Fixed state,
/// no allocation, no error paths per sample.
#[derive(Clone, Debug)]
pub struct FskReceiver {
    modem: FskModem,
    lo_mark: &'static LoTable,
    lo_space: &'static LoTable,
    /// Last products x * LO: mark re, mark im, space re, space im.
    hist: [[f32; HIST]; 4],
    osc_count: u32,
    prev_decision: f32,
    power: f32,
    carrier_on_power: f32,
    carrier_off_power: f32,
    carrier: bool,
    framing: Framing,
    idle_samples: u32,
    idle_reported: bool,
    samples: u64,
}

impl FskReceiver {
    /// A receiver for `modem` at 8 kHz.
    pub fn new(modem: FskModem) -> FskReceiver {
        // Window energy of a sine of peak A filling the window: (A * WINDOW / 2)^2.
        let energy = |level: f32| {
            let a = Dbm0(level).amplitude() * WINDOW as f32 / 2.0;
            a * a
        };
        FskReceiver {
            modem,
            lo_mark: match modem {
                FskModem::Bell202 => &LO_1200,
                FskModem::V23 => &LO_1300,
            },
            lo_space: match modem {
                FskModem::Bell202 => &LO_2200,
                FskModem::V23 => &LO_2100,
            },
            hist: [[0.0; HIST]; 4],
            osc_count: 0,
            prev_decision: 0.0,
            power: 0.0,
            carrier_on_power: energy(CARRIER_ON_DBM0),
            carrier_off_power: energy(CARRIER_OFF_DBM0),
            carrier: false,
            framing: Framing::Hunting,
            idle_samples: 0,
            idle_reported: false,
            samples: 0,
        }
    }

    /// The modem this receiver demodulates.
    pub fn modem(&self) -> FskModem {
        self.modem
    }

    /// Samples processed since creation or the last reset.
    pub fn samples_processed(&self) -> u64 {
        self.samples
    }

    /// True while a carrier is present.
    pub fn carrier(&self) -> bool {
        self.carrier
    }

    /// Forgets everything heard so far.
    pub fn reset(&mut self) {
        *self = FskReceiver::new(self.modem);
    }

    /// Demodulates `samples`, calling `on_event` for every event.
    pub fn process(&mut self, samples: &[i16], mut on_event: impl FnMut(FskEvent)) {
        for chunk in samples.chunks(CHUNK) {
            let mut em = [0.0f32; CHUNK];
            let mut es = [0.0f32; CHUNK];
            self.correlate(chunk, &mut em, &mut es);
            for (&m, &s) in em.iter().zip(&es).take(chunk.len()) {
                self.step(m, s, &mut on_event);
            }
        }
        self.samples += samples.len() as u64;
    }

    /// Window energies at the mark and space frequencies for each sample
    /// of `chunk` (at most `CHUNK` long): the products with the local
    /// oscillators, then sums over the last `WINDOW` of them. Written as
    /// straight loops over arrays so the compiler vectorises them.
    fn correlate(&mut self, chunk: &[i16], em: &mut [f32; CHUNK], es: &mut [f32; CHUNK]) {
        let n = chunk.len();
        let base = self.osc_count as usize;
        let mut prod = [[0.0f32; HIST + CHUNK]; 4];
        let tables = [
            &self.lo_mark.re[base..base + n],
            &self.lo_mark.im[base..base + n],
            &self.lo_space.re[base..base + n],
            &self.lo_space.im[base..base + n],
        ];
        for ((p, hist), lo) in prod.iter_mut().zip(&self.hist).zip(tables) {
            p[..HIST].copy_from_slice(hist);
            for ((dst, &x), &l) in p[HIST..HIST + n].iter_mut().zip(chunk).zip(lo) {
                *dst = f32::from(x) * l;
            }
        }
        let window = |p: &[f32; HIST + CHUNK], i: usize| -> f32 {
            let w = &p[i..i + WINDOW];
            w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + w[6]
        };
        for i in 0..n {
            let (mr, mi) = (window(&prod[0], i), window(&prod[1], i));
            let (sr, si) = (window(&prod[2], i), window(&prod[3], i));
            em[i] = mr * mr + mi * mi;
            es[i] = sr * sr + si * si;
        }
        for (hist, p) in self.hist.iter_mut().zip(&prod) {
            hist.copy_from_slice(&p[n..n + HIST]);
        }
        self.osc_count = ((base + n) % CHUNK) as u32;
    }

    #[inline(always)]
    fn step(&mut self, em: f32, es: f32, on_event: &mut impl FnMut(FskEvent)) {
        self.power += (em.max(es) - self.power) * POWER_SMOOTHING;
        if !self.carrier {
            if self.power > self.carrier_on_power {
                self.carrier = true;
                self.framing = Framing::Hunting;
                self.idle_samples = 0;
                self.idle_reported = false;
                self.prev_decision = em - es;
                on_event(FskEvent::CarrierUp);
            }
            return;
        }
        if self.power < self.carrier_off_power {
            self.carrier = false;
            self.framing = Framing::Hunting;
            on_event(FskEvent::CarrierDown);
            return;
        }

        // Too little energy in this window to decide (the signal just
        // ended, or a deep fade): hold the last decision.
        let d = if em.max(es) > self.carrier_off_power {
            em - es
        } else {
            self.prev_decision
        };
        let prev = self.prev_decision;
        self.prev_decision = d;
        let crossed = (prev > 0.0) != (d > 0.0);
        // Fraction of a sample since the zero crossing, in bit-clock units.
        let since_crossing = || {
            let denom = prev - d;
            let f = if denom != 0.0 {
                (prev / denom).clamp(0.0, 1.0)
            } else {
                1.0
            };
            ((1.0 - f) * SAMPLE_UNITS as f32) as i32
        };

        match self.framing {
            Framing::Hunting => {
                if crossed && d <= 0.0 {
                    // Start bit edge: sample its middle half a bit later.
                    self.framing = Framing::InChar {
                        bit: 0,
                        octet: 0,
                        clock: HALF_BIT_UNITS - since_crossing(),
                    };
                    self.idle_samples = 0;
                    self.idle_reported = false;
                } else if d > 0.0 {
                    self.idle_samples += 1;
                    if !self.idle_reported
                        && self.idle_samples * SAMPLE_UNITS as u32 >= MARK_IDLE_BITS * BIT_UNITS as u32
                    {
                        self.idle_reported = true;
                        on_event(FskEvent::MarkIdle);
                    }
                } else {
                    self.idle_samples = 0;
                }
            }
            Framing::InChar { bit, octet, clock } => {
                let mut clock = clock - SAMPLE_UNITS;
                if crossed {
                    // A transition belongs half a bit before a sampling point:
                    // pull the clock half way towards that.
                    let error = clock + since_crossing() - HALF_BIT_UNITS;
                    clock -= error / 2;
                }
                if clock > 0 {
                    self.framing = Framing::InChar { bit, octet, clock };
                    return;
                }
                if em.max(es) < self.power * COLLAPSE_RATIO {
                    // The signal is collapsing (it just ended): whatever
                    // this is, it is not a character.
                    self.framing = Framing::Hunting;
                    return;
                }
                let mark = d > 0.0;
                clock += BIT_UNITS;
                self.framing = match bit {
                    0 if mark => Framing::Hunting, // a glitch, not a start bit
                    0 => Framing::InChar { bit: 1, octet, clock },
                    1..=8 => Framing::InChar {
                        bit: bit + 1,
                        octet: (octet >> 1) | if mark { 0x80 } else { 0 },
                        clock,
                    },
                    _ => {
                        on_event(if mark {
                            FskEvent::Octet(octet)
                        } else {
                            FskEvent::FramingError
                        });
                        Framing::Hunting
                    }
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fsk::{FskFraming, FskTransmitter};

    fn roundtrip(modem: FskModem, level: f32, octets: &[u8]) -> ([u8; 64], usize, u32) {
        let mut tx = FskTransmitter::new(modem, Dbm0(level)).unwrap();
        let framing = FskFraming {
            seizure_bits: 0,
            mark_bits: 20,
            stop_bits: 1,
            postamble_bits: 2,
        };
        tx.load(framing, octets).unwrap();
        let mut rx = FskReceiver::new(modem);
        let (mut got, mut n, mut errors) = ([0u8; 64], 0usize, 0u32);
        let mut frame = [0i16; 80];
        for _ in 0..(tx.total_samples() / 80 + 3) {
            tx.generate(&mut frame);
            rx.process(&frame, |e| match e {
                FskEvent::Octet(b) => {
                    got[n] = b;
                    n += 1;
                }
                FskEvent::FramingError => errors += 1,
                _ => {}
            });
        }
        (got, n, errors)
    }

    #[test]
    fn bell202_octets_come_back() {
        let data = [0x80, 0x10, 0x00, 0xFF, 0x55, 0xAA, 0x31, 0x32];
        let (got, n, errors) = roundtrip(FskModem::Bell202, -13.5, &data);
        assert_eq!(errors, 0);
        assert_eq!(&got[..n], &data);
    }

    #[test]
    fn v23_octets_come_back() {
        let data = [0x82, 0x03, 0x0B, 0x01, 0xFF, 0x6F];
        let (got, n, errors) = roundtrip(FskModem::V23, -20.0, &data);
        assert_eq!(errors, 0);
        assert_eq!(&got[..n], &data);
    }

    #[test]
    fn receiver_state_is_small() {
        assert!(
            core::mem::size_of::<FskReceiver>() < 512,
            "{}",
            core::mem::size_of::<FskReceiver>()
        );
    }

    #[test]
    fn lo_tables_match_libm() {
        for (t, f) in [(&LO_1200, 1200.0f64), (&LO_2100, 2100.0)] {
            for n in 0..160 {
                let w = core::f64::consts::TAU * f * n as f64 / 8000.0;
                assert!((f64::from(t.re[n]) - libm::cos(w)).abs() < 1e-6);
                assert!((f64::from(t.im[n]) + libm::sin(w)).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn silence_raises_no_carrier() {
        let mut rx = FskReceiver::new(FskModem::V23);
        let mut events = 0;
        rx.process(&[0i16; 8000], |_| events += 1);
        assert_eq!(events, 0);
        assert!(!rx.carrier());
    }

    #[test]
    fn mark_idle_is_reported_once() {
        let mut tx = FskTransmitter::new(FskModem::Bell202, Dbm0(-13.5)).unwrap();
        let framing = FskFraming {
            seizure_bits: 0,
            mark_bits: 60,
            stop_bits: 1,
            postamble_bits: 0,
        };
        tx.load(framing, &[]).unwrap();
        let mut out = [0i16; 480];
        tx.generate(&mut out);
        let mut rx = FskReceiver::new(FskModem::Bell202);
        let mut idle = 0;
        rx.process(&out, |e| {
            if e == FskEvent::MarkIdle {
                idle += 1
            }
        });
        assert_eq!(idle, 1);
    }
}
