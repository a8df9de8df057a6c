//! FSK transmitter: a phase-continuous modulator and an asynchronous
//! framer with channel-seizure and mark preambles.

use super::{FSK_BAUD, FSK_SAMPLE_RATE, FskModem};
use crate::osc::to_i16;
use crate::{Dbm0, Error, FULL_SCALE_DBM0};

/// Most octets one [`FskTransmitter`] burst carries: a caller ID message
/// is at most 255 data octets plus its header and checksum (NTT framing
/// with DLE stuffing a little more).
pub const FSK_MAX_OCTETS: usize = 272;

/// Lowest send level the transmitter accepts.
const MIN_LEVEL_DBM0: f32 = -60.0;

/// A phase-continuous binary FSK modulator with its own bit clock.
///
/// Each call to [`next_sample`](Self::next_sample) outputs one sample of
/// the tone for the given bit and says whether that sample completed the
/// bit; the bit clock keeps exact 1200 bit/s timing on average
/// (6 2/3 samples per bit at 8 kHz). The phase never jumps when the
/// frequency changes (callerid.md §2.1: "phase-continuous FSK").
#[derive(Clone, Debug)]
pub struct FskModulator {
    phase: u32,
    inc_mark: u32,
    inc_space: u32,
    amplitude: f32,
    /// Bit clock in units of 1/(fs * baud) s: + baud per sample, a bit
    /// ends when it reaches fs.
    clock: u32,
}

impl FskModulator {
    /// A modulator for `modem` sending at `level` (dBm0, at most
    /// full scale +3.14 and at least -60) at 8 kHz.
    pub fn new(modem: FskModem, level: Dbm0) -> Result<FskModulator, Error> {
        if !(level.0 >= MIN_LEVEL_DBM0 && level.0 <= FULL_SCALE_DBM0) {
            return Err(Error::InvalidConfig {
                field: "level",
                reason: "must be between -60 and +3.14 dBm0",
            });
        }
        let inc = |hz: f32| -> u32 {
            libm::round(f64::from(hz) / f64::from(FSK_SAMPLE_RATE) * 4_294_967_296.0) as u32
        };
        Ok(FskModulator {
            phase: 0,
            inc_mark: inc(modem.mark_hz()),
            inc_space: inc(modem.space_hz()),
            amplitude: level.amplitude(),
            clock: 0,
        })
    }

    /// The next sample for `bit` (true = mark) and whether it was the
    /// last sample of that bit.
    #[inline]
    pub fn next_sample(&mut self, bit: bool) -> (i16, bool) {
        let angle = self.phase as f32 * (core::f32::consts::TAU / 4_294_967_296.0);
        let sample = to_i16(self.amplitude * libm::sinf(angle));
        self.phase = self
            .phase
            .wrapping_add(if bit { self.inc_mark } else { self.inc_space });
        self.clock += FSK_BAUD;
        let done = self.clock >= FSK_SAMPLE_RATE;
        if done {
            self.clock -= FSK_SAMPLE_RATE;
        }
        (sample, done)
    }
}

/// The preamble and framing of one FSK burst.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FskFraming {
    /// Bits of alternating 0/1 channel seizure (starting with 0), e.g.
    /// 300 on-hook (callerid.md §2.3), 0 off-hook.
    pub seizure_bits: u16,
    /// Mark (1) bits after the seizure, e.g. 180 on-hook, 80 off-hook.
    pub mark_bits: u16,
    /// Stop bits after each character (1 for Telcordia/ETSI).
    pub stop_bits: u8,
    /// Extra mark bits after the last character so the receiver sees its
    /// stop bit before the carrier goes (callerid.md §2.1 allows extra
    /// marks).
    pub postamble_bits: u16,
}

impl FskFraming {
    /// Bits of one framed character: start, 8 data, stop bits.
    pub const fn char_bits(&self) -> u32 {
        9 + self.stop_bits as u32
    }
}

/// Sends one burst: preamble, then asynchronous characters (start bit 0,
/// eight data bits LSB first, stop bits 1), then postamble marks.
///
/// Load a burst with [`load`](Self::load), then pull samples with
/// [`generate`](Self::generate) frame by frame until
/// [`is_done`](Self::is_done).
#[derive(Clone, Debug)]
pub struct FskTransmitter {
    modem: FskModem,
    level: Dbm0,
    modulator: FskModulator,
    framing: FskFraming,
    data: [u8; FSK_MAX_OCTETS],
    len: usize,
    bit: u32,
    total_bits: u32,
}

impl FskTransmitter {
    /// An idle transmitter for `modem` at `level` dBm0.
    pub fn new(modem: FskModem, level: Dbm0) -> Result<FskTransmitter, Error> {
        Ok(FskTransmitter {
            modem,
            level,
            modulator: FskModulator::new(modem, level)?,
            framing: FskFraming {
                seizure_bits: 0,
                mark_bits: 0,
                stop_bits: 1,
                postamble_bits: 0,
            },
            data: [0; FSK_MAX_OCTETS],
            len: 0,
            bit: 0,
            total_bits: 0,
        })
    }

    /// The modem this transmitter uses.
    pub fn modem(&self) -> FskModem {
        self.modem
    }

    /// Starts a new burst of `octets` with `framing` (replacing whatever
    /// was still being sent). Fails if there are more than
    /// [`FSK_MAX_OCTETS`] octets or no stop bit.
    pub fn load(&mut self, framing: FskFraming, octets: &[u8]) -> Result<(), Error> {
        if octets.len() > FSK_MAX_OCTETS {
            return Err(Error::InvalidConfig {
                field: "octets",
                reason: "more than FSK_MAX_OCTETS octets in one burst",
            });
        }
        if framing.stop_bits == 0 {
            return Err(Error::InvalidConfig {
                field: "stop_bits",
                reason: "must be at least 1",
            });
        }
        self.data[..octets.len()].copy_from_slice(octets);
        self.len = octets.len();
        self.framing = framing;
        self.bit = 0;
        self.total_bits = u32::from(framing.seizure_bits)
            + u32::from(framing.mark_bits)
            + framing.char_bits() * octets.len() as u32
            + u32::from(framing.postamble_bits);
        self.modulator = FskModulator::new(self.modem, self.level)?;
        Ok(())
    }

    /// Number of samples the loaded burst lasts in total.
    pub fn total_samples(&self) -> usize {
        // ceil(bits * fs / baud); the modulator's clock gives exactly this.
        (self.total_bits as usize * FSK_SAMPLE_RATE as usize).div_ceil(FSK_BAUD as usize)
    }

    /// True when the whole burst has been sent (or nothing was loaded).
    pub fn is_done(&self) -> bool {
        self.bit >= self.total_bits
    }

    /// The value of bit number `n` of the burst.
    fn bit_at(&self, n: u32) -> bool {
        let seizure = u32::from(self.framing.seizure_bits);
        if n < seizure {
            return n & 1 == 1;
        }
        let n = n - seizure;
        let mark = u32::from(self.framing.mark_bits);
        if n < mark {
            return true;
        }
        let n = n - mark;
        let per_char = self.framing.char_bits();
        let index = (n / per_char) as usize;
        let Some(&octet) = self.data[..self.len].get(index) else {
            return true; // postamble
        };
        match n % per_char {
            0 => false,
            k @ 1..=8 => (octet >> (k - 1)) & 1 == 1,
            _ => true,
        }
    }

    /// Fills `out` with the next samples of the burst and returns how many
    /// were signal; the rest of `out` (after the burst ends) is silence.
    pub fn generate(&mut self, out: &mut [i16]) -> usize {
        let mut written = 0;
        for sample in out.iter_mut() {
            if self.bit >= self.total_bits {
                *sample = 0;
                continue;
            }
            let bit = self.bit_at(self.bit);
            let (s, done) = self.modulator.next_sample(bit);
            *sample = s;
            written += 1;
            if done {
                self.bit += 1;
            }
        }
        written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framing() -> FskFraming {
        FskFraming {
            seizure_bits: 0,
            mark_bits: 10,
            stop_bits: 1,
            postamble_bits: 0,
        }
    }

    #[test]
    fn burst_lasts_bits_times_six_and_two_thirds_samples() {
        let mut tx = FskTransmitter::new(FskModem::Bell202, Dbm0(-13.5)).unwrap();
        tx.load(framing(), &[0x55, 0xAA]).unwrap();
        // 10 + 2 * 10 bits = 30 bits = 200 samples.
        assert_eq!(tx.total_samples(), 200);
        let mut out = [0i16; 300];
        assert_eq!(tx.generate(&mut out), 200);
        assert!(tx.is_done());
        assert!(out[200..].iter().all(|&s| s == 0));
    }

    #[test]
    fn bits_are_framed_start_lsb_first_stop() {
        let mut tx = FskTransmitter::new(FskModem::V23, Dbm0(-13.5)).unwrap();
        tx.load(framing(), &[0b0000_0110]).unwrap();
        let bits: [bool; 20] = core::array::from_fn(|n| tx.bit_at(n as u32));
        assert!(bits[..10].iter().all(|&b| b));
        assert_eq!(
            &bits[10..20],
            &[false, false, true, true, false, false, false, false, false, true]
        );
    }

    #[test]
    fn seizure_alternates_starting_with_zero() {
        let mut tx = FskTransmitter::new(FskModem::V23, Dbm0(-13.5)).unwrap();
        let f = FskFraming {
            seizure_bits: 4,
            ..framing()
        };
        tx.load(f, &[]).unwrap();
        assert_eq!(
            [tx.bit_at(0), tx.bit_at(1), tx.bit_at(2), tx.bit_at(3)],
            [false, true, false, true]
        );
    }

    #[test]
    fn output_is_phase_continuous_at_bit_changes() {
        let mut tx = FskTransmitter::new(FskModem::Bell202, Dbm0(0.0)).unwrap();
        tx.load(framing(), &[0x00, 0xFF, 0x0F]).unwrap();
        let mut out = [0i16; 400];
        let n = tx.generate(&mut out);
        let amp = Dbm0(0.0).amplitude();
        // The largest step of a 2200 Hz sine at 8 kHz is 2 sin(pi * 2200 / 8000) * A.
        let max_step = 2.0 * libm::sinf(core::f32::consts::PI * 2200.0 / 8000.0) * amp + 2.0;
        for w in out[..n].windows(2) {
            assert!(f32::from(w[1]) - f32::from(w[0]) <= max_step);
            assert!(f32::from(w[0]) - f32::from(w[1]) <= max_step);
        }
    }

    #[test]
    fn bad_level_and_oversized_burst_are_refused() {
        assert!(FskModulator::new(FskModem::V23, Dbm0(10.0)).is_err());
        assert!(FskModulator::new(FskModem::V23, Dbm0(f32::NAN)).is_err());
        let mut tx = FskTransmitter::new(FskModem::V23, Dbm0(-10.0)).unwrap();
        assert!(tx.load(framing(), &[0u8; FSK_MAX_OCTETS + 1]).is_err());
        assert!(
            tx.load(
                FskFraming {
                    stop_bits: 0,
                    ..framing()
                },
                &[1]
            )
            .is_err()
        );
    }
}
