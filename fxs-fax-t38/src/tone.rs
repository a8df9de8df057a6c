//! Fax tone detection on 8 kHz PCM: CNG, CED/ANS, ANSam, phase reversals
//! and the V.21 channel 2 preamble (fax-t38.md §2).
//!
//! [`FaxToneDetector`] takes audio in slices of any length (typically one
//! 10 ms frame of 80 samples), works internally on 10 ms blocks, and reports
//! [`FaxToneEvent`]s through [`FaxToneDetector::poll_event`]. It keeps only
//! fixed-size state and allocates nothing after construction.
//!
//! # How each signal is recognised
//!
//! Every block of 80 samples gives its energy and the complex DFT value at
//! 1100 Hz and 2100 Hz (both fall on exact bins of an 80-point DFT, so a
//! steady tone has the same phase in every block), plus Goertzel powers at
//! 1650, 1750 and 1850 Hz. A tone is "on" in a block when its share of the
//! block energy is at least one half and the block is louder than
//! [`MIN_LEVEL_DBM0`]. Gaps of up to two blocks inside a tone are bridged.
//!
//! - **CNG** ([`FaxTone::Cng`]): an 1100 Hz burst whose length is 0.5 s
//!   (400-600 ms accepted: T.30's ±15 % plus the 10 ms block grid) and whose
//!   frequency, measured from the phase drift between blocks, is within
//!   1100 ± 38 Hz (plus a 7 Hz measuring margin). Reported when the burst
//!   ends, once per burst; the 3 s silence between bursts is not waited for.
//! - **Answer tones**: 2100 Hz ± 15 Hz (+5 Hz margin) lasting
//!   [`ANSWER_DECISION_MS`]; by then the tone has shown whether it carries
//!   phase reversals (two or more, 450 ± 50 ms apart: V.25 says 450 ± 25 ms,
//!   plus the block grid) and whether its envelope is modulated at 15 Hz
//!   (ANSam: 20 % depth; modulation index above 0.1 counts). Reported once
//!   per tone as [`FaxTone::Ced`], [`FaxTone::AnsPr`], [`FaxTone::Ansam`] or
//!   [`FaxTone::AnsamPr`]. The detector does not wait for the whole
//!   2.6-4.0 s of CED: a gateway must switch to fax handling while the tone
//!   is still playing, and a second of clean 2100 Hz does not occur in speech
//!   or call-progress tones.
//! - **V.21 preamble** ([`FaxTone::V21Preamble`]): when the 1650-1850 Hz
//!   band holds most of the energy, a V.21 channel 2 demodulator (300 bit/s
//!   FSK, mark 1650 Hz, space 1850 Hz, non-coherent with a one-bit window and
//!   a digital PLL for bit timing) runs and looks for HDLC flags (0x7E);
//!   [`V21_FLAGS_NEEDED`] consecutive flags report the preamble, once per
//!   burst of V.21 energy. This is real flag detection, not just band energy.
//!
//! Each event carries the sample index (counted from the detector's
//! creation) at which the tone *started*, not when it was recognised.
//!
//! Not here yet: V.21 channel 1 (V.8 CI/CM at 980/1180 Hz), HDLC frame
//! decoding after the flags, and tone-end events.

use fxs_tones::{Dbm0, Goertzel};

use crate::Error;

/// Sample rate the detector runs at.
pub const SAMPLE_RATE: u32 = 8000;

/// Samples per internal block (10 ms).
const BLOCK: usize = 80;
const BLOCK_MS: u64 = 10;

/// Quietest signal the detector listens to. Fax modems send at about
/// -10 to -15 dBm0; this leaves room for 30 dB of loss.
pub const MIN_LEVEL_DBM0: f32 = -43.0;

/// Share of block energy a tone needs in its bin to count as "on".
const ON_SHARE: f32 = 0.5;

/// Blocks of absence bridged inside a tone (a phase reversal costs one).
const GAP_BLOCKS: u64 = 2;

/// CNG: 1100 Hz ± 38 Hz, 0.5 s on / 3 s off (fax-t38.md §2, T.30).
const CNG_HZ: f32 = 1100.0;
const CNG_TOLERANCE_HZ: f32 = 38.0 + 7.0;
const CNG_MIN_MS: u64 = 400;
const CNG_MAX_MS: u64 = 600;

/// CED / ANS: 2100 Hz ± 15 Hz (fax-t38.md §2, T.30, V.25).
const ANS_HZ: f32 = 2100.0;
const ANS_TOLERANCE_HZ: f32 = 15.0 + 5.0;

/// How long a 2100 Hz tone must last before it is reported and classified.
/// Two reversals 450 ms apart (V.25) are seen by 900 ms + one block.
pub const ANSWER_DECISION_MS: u64 = 1100;

/// Phase reversals every 450 ± 25 ms (V.25); ±50 ms with the block grid.
const REVERSAL_MIN_MS: u64 = 400;
const REVERSAL_MAX_MS: u64 = 500;

/// ANSam: 15 Hz amplitude modulation at 20 % depth (fax-t38.md §2, V.8).
const ANSAM_MOD_HZ: f32 = 15.0;
/// Envelope window for the 15 Hz measurement: 40 blocks = 6 whole periods.
const ENVELOPE_BLOCKS: usize = 40;
/// Modulation index above which the tone counts as ANSam (nominal 0.2).
const ANSAM_MIN_INDEX: f32 = 0.1;

/// V.21 channel 2 (fax-t38.md §2): 300 bit/s, mark 1650 Hz, space 1850 Hz.
const V21_MARK_HZ: f32 = 1650.0;
const V21_SPACE_HZ: f32 = 1850.0;
const V21_CENTRE_HZ: f32 = 1750.0;
const V21_BAUD: u32 = 300;
/// Demodulator window: one bit (8000 / 300 = 26.7 samples).
const V21_WINDOW: usize = 27;
/// Period of both V.21 oscillators in samples (1650 and 1850 are multiples of 50 Hz).
const V21_OSC_PERIOD: usize = 160;
/// Consecutive HDLC flags that confirm a V.21 preamble (≈ 107 ms of flags).
pub const V21_FLAGS_NEEDED: u32 = 4;
/// Blocks without V.21 band energy that end a V.21 burst.
const V21_HANGOVER_BLOCKS: u64 = 3;

/// Events held until polled; older ones are dropped first when full.
const EVENT_QUEUE: usize = 8;

/// A fax signal the detector recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FaxTone {
    /// Calling tone: 1100 Hz, 0.5 s on / 3 s off (T.30).
    Cng,
    /// Answer tone without modulation or phase reversals: T.30 CED, V.25 ANS.
    Ced,
    /// V.25 ANS with 180° phase reversals every 450 ms ("ANS/"), which
    /// disables network echo cancellers (G.165/G.168).
    AnsPr,
    /// V.8 ANSam: 2100 Hz amplitude-modulated at 15 Hz; a V.34 fax or modem.
    Ansam,
    /// ANSam with phase reversals ("ANSam/").
    AnsamPr,
    /// HDLC flags on V.21 channel 2: the start of a T.30 control message.
    V21Preamble,
}

impl FaxTone {
    /// True for the 2100 Hz answer tones.
    pub fn is_answer_tone(self) -> bool {
        matches!(
            self,
            FaxTone::Ced | FaxTone::AnsPr | FaxTone::Ansam | FaxTone::AnsamPr
        )
    }

    /// True if the tone carries phase reversals, which tell echo cancellers
    /// to disable themselves (fax-t38.md §9).
    pub fn has_phase_reversals(self) -> bool {
        matches!(self, FaxTone::AnsPr | FaxTone::AnsamPr)
    }
}

/// One recognised fax signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FaxToneEvent {
    /// What was recognised.
    pub tone: FaxTone,
    /// Sample index (since the detector was created or reset) where the
    /// signal began.
    pub at_sample: u64,
}

/// A complex number, just enough for single-bin DFTs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Cplx {
    re: f32,
    im: f32,
}

impl Cplx {
    fn norm_sqr(self) -> f32 {
        self.re * self.re + self.im * self.im
    }
    fn abs(self) -> f32 {
        self.norm_sqr().sqrt()
    }
    /// `self * conj(other)`.
    fn mul_conj(self, other: Cplx) -> Cplx {
        Cplx {
            re: self.re * other.re + self.im * other.im,
            im: self.im * other.re - self.re * other.im,
        }
    }
    fn mul(self, other: Cplx) -> Cplx {
        Cplx {
            re: self.re * other.re - self.im * other.im,
            im: self.re * other.im + self.im * other.re,
        }
    }
    fn add(self, other: Cplx) -> Cplx {
        Cplx {
            re: self.re + other.re,
            im: self.im + other.im,
        }
    }
    fn arg(self) -> f32 {
        self.im.atan2(self.re)
    }
    /// Unit vector in the same direction (1 for zero).
    fn unit(self) -> Cplx {
        let a = self.abs();
        if a > 0.0 {
            Cplx {
                re: self.re / a,
                im: self.im / a,
            }
        } else {
            Cplx { re: 1.0, im: 0.0 }
        }
    }
}

/// Frequency offset in Hz from a mean per-block phase advance.
fn offset_hz(drift: Cplx) -> f32 {
    drift.arg() / (2.0 * core::f32::consts::PI * BLOCK_MS as f32 / 1000.0)
}

/// cos/sin tables of one frequency over one block.
#[derive(Clone)]
struct BinTable {
    cos: [f32; BLOCK],
    sin: [f32; BLOCK],
}

impl BinTable {
    fn new(freq: f32) -> BinTable {
        let mut cos = [0.0; BLOCK];
        let mut sin = [0.0; BLOCK];
        for (n, (c, s)) in cos.iter_mut().zip(sin.iter_mut()).enumerate() {
            let w = 2.0 * core::f64::consts::PI * f64::from(freq) * n as f64 / f64::from(SAMPLE_RATE);
            *c = w.cos() as f32;
            *s = w.sin() as f32;
        }
        BinTable { cos, sin }
    }

    /// `X = Σ x[n]·e^(−jωn)` over the block.
    fn dft(&self, block: &[i16; BLOCK]) -> Cplx {
        let mut re = 0.0;
        let mut im = 0.0;
        for ((&x, &c), &s) in block.iter().zip(&self.cos).zip(&self.sin) {
            let x = f32::from(x);
            re += x * c;
            im -= x * s;
        }
        Cplx { re, im }
    }
}

/// An 1100 Hz burst being measured.
#[derive(Clone, Copy, Debug)]
struct CngRun {
    start: u64,
    last_on: u64,
    prev: Cplx,
    drift: Cplx,
}

/// A 2100 Hz tone being measured.
#[derive(Clone, Copy, Debug)]
struct AnswerRun {
    start: u64,
    last_on: u64,
    /// DFT values of the two previous blocks (k−1, k−2), on or not.
    x1: Cplx,
    x2: Cplx,
    /// Sum of accepted block-to-block phase advances.
    drift: Cplx,
    drift_count: u32,
    mag_sum: f32,
    mag_count: u32,
    /// Envelope |X| per block, ring indexed by block number.
    envelope: [f32; ENVELOPE_BLOCKS],
    /// Block index of a reversal whose envelope still needs patching.
    patch_at: Option<u64>,
    last_reversal: Option<u64>,
    reversals: u32,
    reversal_spacing_ok: bool,
    holdoff: u32,
    decided: bool,
}

impl AnswerRun {
    fn new(start: u64) -> AnswerRun {
        AnswerRun {
            start,
            last_on: start,
            x1: Cplx::default(),
            x2: Cplx::default(),
            drift: Cplx::default(),
            drift_count: 0,
            mag_sum: 0.0,
            mag_count: 0,
            envelope: [0.0; ENVELOPE_BLOCKS],
            patch_at: None,
            last_reversal: None,
            reversals: 0,
            reversal_spacing_ok: true,
            holdoff: 0,
            decided: false,
        }
    }

    fn env_slot(block: u64) -> usize {
        (block % ENVELOPE_BLOCKS as u64) as usize
    }
}

/// V.21 channel 2 demodulator and HDLC flag counter.
#[derive(Clone)]
struct V21Demod {
    /// Ring of mixer products: [mark re, mark im, space re, space im].
    ring: [[i32; 4]; V21_WINDOW],
    ring_pos: usize,
    sums: [i64; 4],
    filled: usize,
    last_bit: bool,
    /// Bit clock phase in units where one bit = `SAMPLE_RATE`.
    phase: u32,
    shift: u8,
    bits_seen: u32,
    bits_since_flag: u32,
    flags: u32,
}

impl V21Demod {
    fn new() -> V21Demod {
        V21Demod {
            ring: [[0; 4]; V21_WINDOW],
            ring_pos: 0,
            sums: [0; 4],
            filled: 0,
            last_bit: true,
            phase: 0,
            shift: 0,
            bits_seen: 0,
            bits_since_flag: 0,
            flags: 0,
        }
    }

    /// Feeds one sample with the oscillator values for this sample
    /// (Q14: [mark cos, mark sin, space cos, space sin]); returns true when
    /// a flag completes a run of at least [`V21_FLAGS_NEEDED`].
    fn sample(&mut self, x: i16, osc: [i32; 4]) -> bool {
        let x = i32::from(x);
        let products = [x * osc[0], -x * osc[1], x * osc[2], -x * osc[3]];
        let slot = &mut self.ring[self.ring_pos];
        for ((sum, old), new) in self.sums.iter_mut().zip(slot.iter_mut()).zip(products) {
            *sum += i64::from(new) - i64::from(*old);
            *old = new;
        }
        self.ring_pos = (self.ring_pos + 1) % V21_WINDOW;
        if self.filled < V21_WINDOW {
            self.filled += 1;
            return false;
        }
        let [mr, mi, sr, si] = self.sums.map(|s| s as f64);
        let bit = mr * mr + mi * mi > sr * sr + si * si;

        // Digital PLL: a transition should fall on a bit boundary (phase 0).
        if bit != self.last_bit {
            self.last_bit = bit;
            let p = self.phase as i64;
            let half = i64::from(SAMPLE_RATE / 2);
            let err = if p < half { p } else { p - i64::from(SAMPLE_RATE) };
            self.phase = (p - err / 2).rem_euclid(i64::from(SAMPLE_RATE)) as u32;
        }
        let before = self.phase;
        self.phase += V21_BAUD;
        let mut preamble = false;
        if before < SAMPLE_RATE / 2 && self.phase >= SAMPLE_RATE / 2 {
            preamble = self.push_bit(bit);
        }
        if self.phase >= SAMPLE_RATE {
            self.phase -= SAMPLE_RATE;
        }
        preamble
    }

    /// HDLC sends LSB first; 0x7E reads the same either way.
    fn push_bit(&mut self, bit: bool) -> bool {
        self.shift = (self.shift >> 1) | (u8::from(bit) << 7);
        self.bits_seen = self.bits_seen.saturating_add(1);
        self.bits_since_flag = self.bits_since_flag.saturating_add(1);
        if self.bits_seen >= 8 && self.shift == 0x7E {
            self.flags = if self.bits_since_flag == 8 {
                self.flags.saturating_add(1)
            } else {
                1
            };
            self.bits_since_flag = 0;
            return self.flags >= V21_FLAGS_NEEDED;
        }
        false
    }
}

/// A V.21 burst being watched.
#[derive(Clone)]
struct V21Burst {
    start: u64,
    last_band: u64,
    reported: bool,
}

/// Streaming detector for CNG, CED/ANS, ANSam (with or without phase
/// reversals) and the V.21 preamble on 8 kHz audio. See the module docs.
#[derive(Clone)]
pub struct FaxToneDetector {
    buf: [i16; BLOCK],
    fill: usize,
    block: u64,
    min_energy: f32,
    bin_cng: BinTable,
    bin_ans: BinTable,
    goertzel: [Goertzel; 3],
    /// V.21 oscillator tables, Q14: [mark cos, mark sin, space cos, space sin].
    v21_osc: [[i32; 4]; V21_OSC_PERIOD],
    v21_osc_pos: usize,
    am_table: [Cplx; ENVELOPE_BLOCKS],
    cng: Option<CngRun>,
    answer: Option<AnswerRun>,
    v21: Option<V21Burst>,
    demod: V21Demod,
    events: [Option<FaxToneEvent>; EVENT_QUEUE],
    event_head: usize,
    event_len: usize,
}

impl core::fmt::Debug for FaxToneDetector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FaxToneDetector")
            .field("samples_processed", &self.samples_processed())
            .field("queued_events", &self.event_len)
            .finish_non_exhaustive()
    }
}

impl FaxToneDetector {
    /// A detector for `sample_rate` (only 8000 Hz is supported).
    pub fn new(sample_rate: u32) -> Result<FaxToneDetector, Error> {
        if sample_rate != SAMPLE_RATE {
            return Err(Error::UnsupportedSampleRate(sample_rate));
        }
        // Energy of a block holding a sine at the minimum level:
        // N · A² / 2 with A the peak amplitude.
        let amp = Dbm0(MIN_LEVEL_DBM0).amplitude();
        let min_energy = BLOCK as f32 * amp * amp / 2.0;

        let mut v21_osc = [[0i32; 4]; V21_OSC_PERIOD];
        for (n, o) in v21_osc.iter_mut().enumerate() {
            let t = n as f64 / f64::from(SAMPLE_RATE);
            let wm = 2.0 * core::f64::consts::PI * f64::from(V21_MARK_HZ) * t;
            let ws = 2.0 * core::f64::consts::PI * f64::from(V21_SPACE_HZ) * t;
            *o = [
                (wm.cos() * 16384.0).round() as i32,
                (wm.sin() * 16384.0).round() as i32,
                (ws.cos() * 16384.0).round() as i32,
                (ws.sin() * 16384.0).round() as i32,
            ];
        }
        let mut am_table = [Cplx::default(); ENVELOPE_BLOCKS];
        for (i, c) in am_table.iter_mut().enumerate() {
            let w = 2.0 * core::f32::consts::PI * ANSAM_MOD_HZ * (i as f32) * BLOCK_MS as f32 / 1000.0;
            *c = Cplx {
                re: w.cos(),
                im: -w.sin(),
            };
        }
        Ok(FaxToneDetector {
            buf: [0; BLOCK],
            fill: 0,
            block: 0,
            min_energy,
            bin_cng: BinTable::new(CNG_HZ),
            bin_ans: BinTable::new(ANS_HZ),
            goertzel: [
                Goertzel::new(V21_MARK_HZ, SAMPLE_RATE),
                Goertzel::new(V21_CENTRE_HZ, SAMPLE_RATE),
                Goertzel::new(V21_SPACE_HZ, SAMPLE_RATE),
            ],
            v21_osc,
            v21_osc_pos: 0,
            am_table,
            cng: None,
            answer: None,
            v21: None,
            demod: V21Demod::new(),
            events: [None; EVENT_QUEUE],
            event_head: 0,
            event_len: 0,
        })
    }

    /// Feeds audio; any length, typically one 10 ms frame.
    pub fn process(&mut self, samples: &[i16]) {
        let mut rest = samples;
        while !rest.is_empty() {
            let want = BLOCK - self.fill;
            let (now, later) = rest.split_at(want.min(rest.len()));
            if let Some(dst) = self.buf.get_mut(self.fill..self.fill + now.len()) {
                dst.copy_from_slice(now);
            }
            self.fill += now.len();
            rest = later;
            if self.fill == BLOCK {
                self.fill = 0;
                self.process_block();
            }
        }
    }

    /// The oldest event not yet returned.
    pub fn poll_event(&mut self) -> Option<FaxToneEvent> {
        if self.event_len == 0 {
            return None;
        }
        let ev = self.events[self.event_head].take();
        self.event_head = (self.event_head + 1) % EVENT_QUEUE;
        self.event_len -= 1;
        ev
    }

    /// Samples fed so far (including a partly filled block).
    pub fn samples_processed(&self) -> u64 {
        self.block * BLOCK as u64 + self.fill as u64
    }

    /// Forgets all state and queued events; sample counting restarts at 0.
    pub fn reset(&mut self) {
        self.fill = 0;
        self.block = 0;
        self.cng = None;
        self.answer = None;
        self.v21 = None;
        self.demod = V21Demod::new();
        self.v21_osc_pos = 0;
        self.events = [None; EVENT_QUEUE];
        self.event_head = 0;
        self.event_len = 0;
    }

    fn push_event(&mut self, tone: FaxTone, start_block: u64) {
        let ev = FaxToneEvent {
            tone,
            at_sample: start_block * BLOCK as u64,
        };
        if self.event_len == EVENT_QUEUE {
            // Drop the oldest.
            self.event_head = (self.event_head + 1) % EVENT_QUEUE;
            self.event_len -= 1;
        }
        let slot = (self.event_head + self.event_len) % EVENT_QUEUE;
        self.events[slot] = Some(ev);
        self.event_len += 1;
    }

    fn process_block(&mut self) {
        let block = self.buf;
        let energy: f32 = block.iter().map(|&x| f32::from(x) * f32::from(x)).sum();
        let loud = energy >= self.min_energy;
        // Share of energy at one frequency: 2|X|² / (N·E) is 1 for a pure sine on the bin.
        let scale = if loud { 2.0 / (BLOCK as f32 * energy) } else { 0.0 };
        let x_cng = self.bin_cng.dft(&block);
        let x_ans = self.bin_ans.dft(&block);
        let mut band = 0.0;
        for g in &mut self.goertzel {
            g.reset();
            g.update(&block);
            band += g.power();
        }
        let cng_on = x_cng.norm_sqr() * scale >= ON_SHARE;
        let ans_on = x_ans.norm_sqr() * scale >= ON_SHARE;
        let v21_on = band * scale >= ON_SHARE;

        self.update_cng(cng_on, x_cng);
        self.update_answer(ans_on, x_ans);
        self.update_v21(v21_on, &block);
        self.block += 1;
    }

    fn update_cng(&mut self, on: bool, x: Cplx) {
        let k = self.block;
        if on {
            match &mut self.cng {
                Some(run) => {
                    if run.last_on + 1 == k {
                        run.drift = run.drift.add(x.mul_conj(run.prev));
                    }
                    run.prev = x;
                    run.last_on = k;
                }
                None => {
                    self.cng = Some(CngRun {
                        start: k,
                        last_on: k,
                        prev: x,
                        drift: Cplx::default(),
                    });
                }
            }
            return;
        }
        let Some(run) = self.cng else { return };
        if k - run.last_on <= GAP_BLOCKS {
            return;
        }
        self.cng = None;
        let ms = (run.last_on - run.start + 1) * BLOCK_MS;
        let in_time = (CNG_MIN_MS..=CNG_MAX_MS).contains(&ms);
        if in_time && offset_hz(run.drift).abs() <= CNG_TOLERANCE_HZ {
            self.push_event(FaxTone::Cng, run.start);
        }
    }

    fn update_answer(&mut self, on: bool, x: Cplx) {
        let k = self.block;
        let Some(run) = self.answer.as_mut() else {
            if on {
                let mut run = AnswerRun::new(k);
                run.x1 = x;
                run.envelope[AnswerRun::env_slot(k)] = x.abs();
                run.mag_sum = x.abs();
                run.mag_count = 1;
                self.answer = Some(run);
            }
            return;
        };
        if !on && k - run.last_on > GAP_BLOCKS {
            self.answer = None;
            return;
        }
        let mag = x.abs();
        run.envelope[AnswerRun::env_slot(k)] = mag;
        // Patch the envelope dip of a reversal found one block ago: the
        // mixed block is k−2 or k−1; bridge both from k−3 to k.
        if let Some(at) = run.patch_at.take() {
            let before = run.envelope[AnswerRun::env_slot(at.saturating_sub(2))];
            for (i, b) in [at - 1, at].into_iter().enumerate() {
                let t = (i + 1) as f32 / 3.0;
                run.envelope[AnswerRun::env_slot(b)] = before + (mag - before) * t;
            }
        }
        if on {
            let expected = run.drift.unit();
            let step = x.mul_conj(run.x1);
            let settled = run.drift_count >= 5;
            // Keep the phase-advance estimate clean of reversal blocks.
            if run.last_on + 1 == k
                && (!settled || step.re * expected.re + step.im * expected.im >= 0.7 * step.abs())
            {
                run.drift = run.drift.add(step);
                run.drift_count += 1;
            }
            run.mag_sum += mag;
            run.mag_count += 1;
            run.last_on = k;

            // Reversal test across two blocks, compensated for frequency offset.
            let mean = run.mag_sum / run.mag_count as f32;
            if run.holdoff > 0 {
                run.holdoff -= 1;
            } else if settled && mag >= 0.5 * mean && run.x2.abs() >= 0.5 * mean {
                let expected2 = expected.mul(expected);
                let c = x.mul_conj(run.x2).mul_conj(expected2);
                if c.re < -0.5 * mag * run.x2.abs() {
                    let at = k - 1;
                    if let Some(last) = run.last_reversal {
                        let gap = (at - last) * BLOCK_MS;
                        if !(REVERSAL_MIN_MS..=REVERSAL_MAX_MS).contains(&gap) {
                            run.reversal_spacing_ok = false;
                        }
                    }
                    run.last_reversal = Some(at);
                    run.reversals += 1;
                    run.holdoff = 3;
                    run.patch_at = Some(k);
                }
            }
        }
        run.x2 = run.x1;
        run.x1 = x;

        if run.decided || (k - run.start + 1) * BLOCK_MS < ANSWER_DECISION_MS {
            return;
        }
        run.decided = true;
        if offset_hz(run.drift).abs() > ANS_TOLERANCE_HZ {
            return;
        }
        let am = modulation_index(&run.envelope, k, &self.am_table);
        let reversed = run.reversals >= 2 && run.reversal_spacing_ok;
        let tone = match (am >= ANSAM_MIN_INDEX, reversed) {
            (false, false) => FaxTone::Ced,
            (false, true) => FaxTone::AnsPr,
            (true, false) => FaxTone::Ansam,
            (true, true) => FaxTone::AnsamPr,
        };
        let start = run.start;
        self.push_event(tone, start);
    }

    fn update_v21(&mut self, on: bool, block: &[i16; BLOCK]) {
        let k = self.block;
        match &mut self.v21 {
            Some(burst) if on => burst.last_band = k,
            Some(burst) if k - burst.last_band > V21_HANGOVER_BLOCKS => self.v21 = None,
            Some(_) => {}
            None if on => {
                self.v21 = Some(V21Burst {
                    start: k,
                    last_band: k,
                    reported: false,
                });
                self.demod = V21Demod::new();
            }
            None => {}
        }
        let mut found = false;
        if self.v21.is_some() {
            for &x in block {
                let osc = self.v21_osc[self.v21_osc_pos];
                self.v21_osc_pos = (self.v21_osc_pos + 1) % V21_OSC_PERIOD;
                found |= self.demod.sample(x, osc);
            }
        } else {
            self.v21_osc_pos = (self.v21_osc_pos + BLOCK) % V21_OSC_PERIOD;
        }
        if let Some(burst) = &mut self.v21
            && found
            && !burst.reported
        {
            burst.reported = true;
            let start = burst.start;
            self.push_event(FaxTone::V21Preamble, start);
        }
    }
}

/// Modulation index at 15 Hz of the envelope ending at block `last`:
/// 2·|Σ a·e^(−jωi)| / Σ a over the window.
fn modulation_index(envelope: &[f32; ENVELOPE_BLOCKS], last: u64, table: &[Cplx; ENVELOPE_BLOCKS]) -> f32 {
    let mut acc = Cplx::default();
    let mut total = 0.0;
    let first = last + 1 - ENVELOPE_BLOCKS as u64;
    for (i, w) in table.iter().enumerate() {
        let a = envelope[AnswerRun::env_slot(first + i as u64)];
        acc = acc.add(Cplx {
            re: a * w.re,
            im: a * w.im,
        });
        total += a;
    }
    if total > 0.0 { 2.0 * acc.abs() / total } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(freq: f32, amp: f32, ms: u32) -> Vec<i16> {
        let n = (SAMPLE_RATE * ms / 1000) as usize;
        (0..n)
            .map(|i| {
                let t = i as f32 / SAMPLE_RATE as f32;
                (amp * (2.0 * core::f32::consts::PI * freq * t).sin()) as i16
            })
            .collect()
    }

    #[test]
    fn only_8000_hz_is_accepted() {
        assert!(FaxToneDetector::new(8000).is_ok());
        assert_eq!(
            FaxToneDetector::new(16000).err(),
            Some(Error::UnsupportedSampleRate(16000))
        );
    }

    #[test]
    fn samples_are_counted_across_odd_slices() {
        let mut d = FaxToneDetector::new(8000).unwrap();
        d.process(&[0; 33]);
        d.process(&[0; 100]);
        assert_eq!(d.samples_processed(), 133);
        d.reset();
        assert_eq!(d.samples_processed(), 0);
    }

    #[test]
    fn full_queue_drops_the_oldest_event() {
        let mut d = FaxToneDetector::new(8000).unwrap();
        for i in 0..(EVENT_QUEUE as u64 + 2) {
            d.push_event(FaxTone::Cng, i);
        }
        assert_eq!(d.poll_event().map(|e| e.at_sample), Some(2 * BLOCK as u64));
    }

    #[test]
    fn single_bins_measure_energy_share() {
        let t = BinTable::new(1100.0);
        let block: [i16; BLOCK] = sine(1100.0, 10000.0, 10).try_into().unwrap();
        let energy: f32 = block.iter().map(|&x| f32::from(x).powi(2)).sum();
        let share = t.dft(&block).norm_sqr() * 2.0 / (BLOCK as f32 * energy);
        assert!((share - 1.0).abs() < 0.01, "{share}");
    }

    #[test]
    fn goertzel_power_has_the_same_scale_as_the_dft() {
        let block: [i16; BLOCK] = sine(1650.0, 10000.0, 10).try_into().unwrap();
        let mut g = Goertzel::new(1650.0, SAMPLE_RATE);
        g.update(&block);
        let dft = BinTable::new(1650.0).dft(&block).norm_sqr();
        assert!((g.power() / dft - 1.0).abs() < 0.01, "{} vs {dft}", g.power());
    }
}
