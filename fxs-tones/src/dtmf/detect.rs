//! DTMF detector ([`DtmfDetector`]).

use super::check_rate;
use crate::complex::{C32, dirichlet};
use crate::digit::{COL_HZ, ROW_HZ};
use crate::goertzel::{Bank, block_dft, block_shift, omega};
use crate::{Dbm0, Digit, Error};

/// Filters: four rows then four columns.
const TONES: usize = 8;
/// Consecutive candidate blocks verified together before a digit is declared.
const RUN_BLOCKS: usize = 3;
/// Blocks without the digit that end it.
const END_BLOCKS: u8 = 2;
/// Events the detector queues between polls.
pub const DTMF_EVENT_CAPACITY: usize = 4;

/// Largest accepted frequency deviation, as a fraction of the nominal
/// frequency: between Q.24's 1.5 % operate and 3.5 % non-operate, nearer
/// the operate side because voiced speech whose harmonics fall near a
/// digit's pair (e.g. harmonics 4 and 5 of a 240 Hz voice near 941 and
/// 1209 Hz) mostly misses the nominal pair by 2 to 3 %.
const FREQ_TOLERANCE: f32 = 0.02;
/// The two block-to-block frequency estimates must agree within this.
const PAIR_AGREEMENT_HZ: f32 = 8.0;
/// Weakest accepted tone: spandsp's threshold (dtmf.md §3.3), below RFC
/// 4733's "accept down to -36 dBm0" (dtmf.md §5.1) and well above Q.24's
/// "do not operate at -55 dBm0" (dtmf.md §3.1).
const MIN_TONE_DBM0: f32 = -42.0;
/// High tone weaker than the low tone by at most this (normal twist, Q.24).
const NORMAL_TWIST_DB: f32 = 8.0;
/// High tone stronger than the low tone by at most this (reverse twist, Q.24).
const REVERSE_TWIST_DB: f32 = 4.0;
/// Measurement allowance added to both twist limits.
const TWIST_ALLOWANCE_DB: f32 = 0.5;
/// Rounds of amplitude solving and frequency refinement.
const SOLVE_ROUNDS: usize = 3;
/// Share of the block energy the two solved tones must carry: the
/// talk-off guard (voiced speech seldom puts 80 % of a block's energy into
/// two harmonics near a digit's pair), while a digit at 9 dB S/N still
/// carries about 89 %.
const MIN_TONE_SHARE: f32 = 0.8;
/// Share of the block energy the two raw filter outputs must carry for a
/// block to be a candidate (a cheap pre-check).
const MIN_RAW_SHARE: f32 = 0.3;
/// The strongest filter of a group must beat the others of the group by this.
const RELATIVE_PEAK_DB: f32 = 3.0;
/// The two halves of a candidate block must be within this of each other
/// (a block only partly covered by a tone differs by far more; noise at
/// 9 dB S/N moves 5 ms halves by less).
const HALF_BALANCE_DB: f32 = 3.5;
/// A held digit stays present while both tones are within this of their
/// level at detection.
const HOLD_DB: f32 = 10.0;

/// `10^(db / 10)`, evaluated at compile time for the constants below
/// (Taylor series of `exp`, converged to f64 precision for |db| <= 20).
const fn db_to_power_ratio(db: f32) -> f32 {
    let x = db as f64 * core::f64::consts::LN_10 / 10.0;
    let (mut term, mut sum, mut k) = (1.0f64, 1.0f64, 1u32);
    while k < 60 {
        term = term * x / k as f64;
        sum += term;
        k += 1;
    }
    sum as f32
}

/// Power ratios of the dB limits above.
const HOLD_RATIO: f32 = 1.0 / db_to_power_ratio(HOLD_DB);
const RELATIVE_PEAK_RATIO: f32 = db_to_power_ratio(RELATIVE_PEAK_DB);
const HALF_BALANCE_RATIO: f32 = db_to_power_ratio(HALF_BALANCE_DB);
const MAX_TWIST_RATIO: f32 = db_to_power_ratio(REVERSE_TWIST_DB + TWIST_ALLOWANCE_DB);
const MIN_TWIST_RATIO: f32 = 1.0 / db_to_power_ratio(NORMAL_TWIST_DB + TWIST_ALLOWANCE_DB);

/// What happened to a digit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DtmfEvent {
    /// A digit was recognised; `at` is the sample index (since the detector
    /// was created) where it began, accurate to one 10 ms block.
    Start {
        /// The digit.
        digit: Digit,
        /// First sample of the digit.
        at: u64,
    },
    /// A digit ended; `end` is the sample index just after it (exclusive),
    /// accurate to one block. Always follows the digit's `Start`.
    End {
        /// The digit.
        digit: Digit,
        /// First sample of the digit (as in its `Start`).
        start: u64,
        /// Sample just after the digit.
        end: u64,
    },
}

/// Per-block data of a candidate kept until verification.
#[derive(Clone, Copy, Debug, Default)]
struct RunBlock {
    /// Block DFT values of the row and the column filter.
    xr: C32,
    xc: C32,
    /// Half-to-half phase advance (rad over half a block) minus the nominal one.
    coarse_r: f32,
    coarse_c: f32,
    /// Sum of squares of the block.
    energy: f32,
}

/// The digit being held.
#[derive(Clone, Copy, Debug)]
struct Held {
    digit: Digit,
    row: u8,
    col: u8,
    absent: u8,
    start: u64,
    /// End of the last block that held the digit.
    end: u64,
    /// Raw filter powers at detection.
    ref_r: f32,
    ref_c: f32,
}

/// Finds DTMF digits in 16-bit PCM at 8 or 16 kHz.
///
/// Feed any number of samples with [`process`](Self::process) and collect
/// [`DtmfEvent`]s with [`poll_event`](Self::poll_event). A digit is reported
/// 30 ms after it began (`Start`) and 20 ms after it stopped (`End`). It
/// meets ITU-T Q.24 (AT&T column, dtmf.md §3.1): operate at +-1.5 %
/// frequency deviation, twist -8..+4 dB, 0 to -25 dBm0 per tone, 40 ms
/// tones and pauses, bridging 10 ms interruptions; do not operate at
/// +-3.5 %, on tones of 23 ms or less, or on a single tone. How it decides
/// is described below.
///
/// State is fixed (no allocation, under 512 bytes). The event queue holds
/// [`DTMF_EVENT_CAPACITY`] events; one 10 ms block produces at most two,
/// so poll after every `process` call of up to 20 ms. If the queue
/// overflows the oldest event is dropped and counted in
/// [`dropped_events`](Self::dropped_events).
///
/// ```
/// use fxs_tones::{Digit, DtmfDetector, DtmfEvent, DtmfGenerator, DtmfGeneratorConfig};
/// let mut g = DtmfGenerator::new(DtmfGeneratorConfig::default())?;
/// g.push(Digit::D7)?;
/// let mut d = DtmfDetector::new(8000)?;
/// let mut frame = [0i16; 80];
/// let mut starts = Vec::new();
/// for _ in 0..20 {
///     g.generate(&mut frame);
///     d.process(&frame);
///     while let Some(e) = d.poll_event() {
///         if let DtmfEvent::Start { digit, .. } = e {
///             starts.push(digit);
///         }
///     }
/// }
/// assert_eq!(starts, [Digit::D7]);
/// # Ok::<(), fxs_tones::Error>(())
/// ```
///
/// # How it decides
///
/// The input is cut into 10 ms blocks (80 samples at 8 kHz), each made of
/// two 5 ms halves. Eight Goertzel filters (the Q.23 rows and columns) run
/// over each half and keep the complex DFT value, so per block the detector
/// has the energy and the phase of every DTMF frequency in both halves.
///
/// 1. **Candidate block.** The strongest row and the strongest column are
///    each above a floor, each stronger than the other filters of its group
///    (relative peak), together carry a fair share of the block energy, and
///    the two halves of the block have about the same energy (so a block
///    only partly covered by a tone does not count).
/// 2. **Verification over three blocks.** Three consecutive candidate
///    blocks with the same row and column are verified together:
///    - the frequency of each tone is measured from the phase advance of its
///      DFT value from block to block (fine, +-50 Hz unambiguous), with the
///      half-block phase advance (coarse, +-100 Hz) choosing the alias; the
///      two block-to-block estimates must agree and the deviation must be
///      within 2 % of the nominal frequency: between "must operate" at
///      1.5 % and "must not operate" at 3.5 % (Q.24 AT&T, dtmf.md §3.1);
///    - the complex amplitudes of the two tones are solved from the two
///      filters' values with the leakage of each tone into the other
///      filter removed (a 2 x 2 system built from the measured frequencies),
///      so level and twist are exact even at 8 dB twist and 1.5 % deviation;
///    - per block: each tone is at least -42 dBm0 (spandsp's threshold,
///      dtmf.md §3.3), the twist T = high - low is within -8..+4 dB
///      (normal 8 dB, reverse 4 dB, dtmf.md §3.1) plus a 0.5 dB measurement
///      allowance, and the two tones carry at least 80 % of the block
///      energy (the total-energy check against talk-off, dtmf.md §3.3).
///
///    Three blocks (30 ms) also set the duration limits: a tone of 40 ms
///    always covers three whole blocks and is detected; one of 23 ms can
///    cover at most one whole block plus two partial ones, and the partial
///    ones fail the half-block energy check (Q.24: operate >= 40 ms, not
///    operate <= 23 ms).
/// 3. **Holding and ending.** Once declared, a block keeps the digit alive
///    while both of its tones stay within 10 dB of their level at
///    detection. The digit ends after two blocks without it, so any
///    interruption of up to 10 ms, which can spoil at most one block beyond
///    recovery, is bridged (Q.24: <= 10 ms). A pause of 40 ms always ends
///    it.
///
/// Reported sample indices are block-accurate: `start` is the first sample
/// of the first verified block, `end` the sample after the last block that
/// still held the digit.
///
/// # Cost
///
/// When a call delivers a whole 5 ms half block (any frame of 10 ms
/// aligned to the stream, the usual case), the eight filters run over it
/// as four independent chains, one per quarter, merged afterwards: a
/// single Goertzel chain is limited by the latency of its recurrence, not
/// its arithmetic. The whole-block powers are merged from the two halves'
/// filter states without complex arithmetic; complex DFT values are only
/// computed for the two filters of a candidate block. Other slicings take
/// the plain sample-by-sample path with the same results.
#[derive(Clone, Debug)]
pub struct DtmfDetector {
    bank: Bank<TONES>,
    /// Coefficients for updating a whole half block as parallel chains.
    split: &'static Split,
    /// `e^(-j w L)` per filter, L = half a block.
    shift: [C32; TONES],
    /// Goertzel state `(s1, s2)` after the first half of the current block.
    sa1: [f32; TONES],
    sa2: [f32; TONES],
    /// Sum of squares of the current half block.
    energy: f32,
    /// Sum of squares of the first half of the current block.
    energy_a: f32,
    samples: u64,
    sample_rate: u32,
    /// Samples in half a block.
    half: u16,
    /// Position in the current block.
    pos: u16,
    /// Smallest raw filter power of a candidate tone.
    min_raw_power: f32,
    /// Smallest solved amplitude of an accepted tone.
    min_amplitude: f32,
    run: [RunBlock; RUN_BLOCKS],
    run_len: u8,
    run_row: u8,
    run_col: u8,
    held: Option<Held>,
    queue: [Option<DtmfEvent>; DTMF_EVENT_CAPACITY],
    queue_head: u8,
    queue_len: u8,
    dropped: u32,
}

impl DtmfDetector {
    /// A detector for `sample_rate` (8000 or 16000 Hz).
    pub fn new(sample_rate: u32) -> Result<DtmfDetector, Error> {
        check_rate(sample_rate)?;
        let half = (sample_rate / 200) as usize; // 5 ms
        let mut freqs = [0.0; TONES];
        freqs[..4].copy_from_slice(&ROW_HZ);
        freqs[4..].copy_from_slice(&COL_HZ);
        let mut shift = [C32::ZERO; TONES];
        for (s, &f) in shift.iter_mut().zip(&freqs) {
            *s = block_shift(f, sample_rate, half);
        }
        let min_amplitude = Dbm0(MIN_TONE_DBM0).amplitude();
        // Raw power of a tone 6 dB under the floor, so that deviation and
        // leakage cannot hide a tone the solved amplitudes would accept.
        let raw = 0.5 * min_amplitude * half as f32; // A N / 2 with N = 2 half, 6 dB down
        let bank = Bank::new(&freqs, sample_rate);
        Ok(DtmfDetector {
            split: if sample_rate == 8000 {
                &SPLIT_8K
            } else {
                &SPLIT_16K
            },
            bank,
            shift,
            sa1: [0.0; TONES],
            sa2: [0.0; TONES],
            energy: 0.0,
            energy_a: 0.0,
            samples: 0,
            sample_rate,
            half: half as u16,
            pos: 0,
            min_raw_power: raw * raw,
            min_amplitude,
            run: [RunBlock::default(); RUN_BLOCKS],
            run_len: 0,
            run_row: 0,
            run_col: 0,
            held: None,
            queue: [None; DTMF_EVENT_CAPACITY],
            queue_head: 0,
            queue_len: 0,
            dropped: 0,
        })
    }

    /// Feeds samples (any length; typically one 10 ms frame).
    pub fn process(&mut self, samples: &[i16]) {
        let half = usize::from(self.half);
        let mut rest = samples;
        while !rest.is_empty() {
            let pos = usize::from(self.pos);
            let take = (half - pos % half).min(rest.len());
            let (now, later) = rest.split_at(take);
            rest = later;
            if take == half {
                // A whole half block at once (the usual case with 10 ms
                // frames; the bank was just reset): independent chains.
                self.energy = self.split.update(&mut self.bank, now);
            } else {
                self.bank.update(now);
                self.energy += sum_of_squares(now);
            }
            self.samples += take as u64;
            let pos = pos + take;
            if pos == half {
                self.sa1 = self.bank.s1;
                self.sa2 = self.bank.s2;
                self.bank.reset();
                self.energy_a = self.energy;
                self.energy = 0.0;
                self.pos = self.half;
            } else if pos == 2 * half {
                self.end_of_block();
                self.bank.reset();
                self.energy = 0.0;
                self.pos = 0;
            } else {
                self.pos = pos as u16;
            }
        }
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<DtmfEvent> {
        if self.queue_len == 0 {
            return None;
        }
        let e = self.queue[usize::from(self.queue_head)].take();
        self.queue_head = (self.queue_head + 1) % DTMF_EVENT_CAPACITY as u8;
        self.queue_len -= 1;
        e
    }

    /// Samples fed since creation.
    pub fn samples_processed(&self) -> u64 {
        self.samples
    }

    /// The sample rate this detector was made for.
    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    /// The digit currently held (declared and not yet ended), if any.
    pub fn current_digit(&self) -> Option<Digit> {
        self.held.map(|h| h.digit)
    }

    /// Events lost because the queue was full.
    pub fn dropped_events(&self) -> u32 {
        self.dropped
    }

    fn push_event(&mut self, e: DtmfEvent) {
        if usize::from(self.queue_len) == DTMF_EVENT_CAPACITY {
            self.queue_head = (self.queue_head + 1) % DTMF_EVENT_CAPACITY as u8;
            self.queue_len -= 1;
            self.dropped = self.dropped.saturating_add(1);
        }
        let at = (usize::from(self.queue_head) + usize::from(self.queue_len)) % DTMF_EVENT_CAPACITY;
        self.queue[at] = Some(e);
        self.queue_len += 1;
    }

    /// Runs the decision logic at the end of a block.
    fn end_of_block(&mut self) {
        let block_len = 2 * u64::from(self.half);
        let block_end = self.samples;

        // Whole-block powers, cheaply: move the first half's state on by
        // half a block and add the second half's (see `Split`), then
        // |X|^2 = s1^2 + s2^2 - c s1 s2. Complex values are only needed
        // for a candidate block, below.
        let sp = self.split;
        let (b1, b2) = (self.bank.s1, self.bank.s2);
        let mut p = [0.0f32; TONES];
        for k in 0..TONES {
            let s1 = sp.h0[k] * self.sa1[k] - sp.h1[k] * self.sa2[k] + b1[k];
            let s2 = sp.h1[k] * self.sa1[k] - sp.h2[k] * self.sa2[k] + b2[k];
            p[k] = (s1 * s1 + s2 * s2 - sp.c[k] * s1 * s2).max(0.0);
        }
        let row = strongest(&p[..4]);
        let col = 4 + strongest(&p[4..]);
        let energy_b = self.energy;
        let energy = self.energy_a + energy_b;

        // Hold or end the current digit.
        if let Some(mut h) = self.held {
            let keep = HOLD_RATIO;
            if p[usize::from(h.row)] >= keep * h.ref_r && p[4 + usize::from(h.col)] >= keep * h.ref_c {
                h.absent = 0;
                h.end = block_end;
                self.held = Some(h);
            } else {
                h.absent += 1;
                if h.absent >= END_BLOCKS {
                    self.held = None;
                    self.push_event(DtmfEvent::End {
                        digit: h.digit,
                        start: h.start,
                        end: h.end,
                    });
                } else {
                    self.held = Some(h);
                }
            }
        }

        if !self.is_candidate(&p, row, col, energy) {
            self.run_len = 0;
            return;
        }
        let (r, c) = (row as u8, (col - 4) as u8);
        if self.held.is_some_and(|h| h.row == r && h.col == c) {
            self.run_len = 0;
            return;
        }
        if self.run_len == 0 || self.run_row != r || self.run_col != c {
            self.run_len = 0;
            self.run_row = r;
            self.run_col = c;
        }
        // Complex DFTs of the two halves (each referenced to its own first
        // sample): the block's value and the half-to-half phase advance.
        let halves = |k: usize| {
            let xa = block_dft(self.sa1[k], self.sa2[k], self.bank.coeff[k], self.shift[k]);
            let xb = self.bank.dft(k, self.shift[k]);
            (xa + xb * self.shift[k], (xb * xa.conj() * self.shift[k]).arg())
        };
        let (xr, coarse_r) = halves(row);
        let (xc, coarse_c) = halves(col);
        self.run[usize::from(self.run_len)] = RunBlock {
            xr,
            xc,
            coarse_r,
            coarse_c,
            energy,
        };
        self.run_len += 1;
        if usize::from(self.run_len) < RUN_BLOCKS {
            return;
        }
        match self.verify() {
            Some((ref_r, ref_c)) => {
                let start = block_end - RUN_BLOCKS as u64 * block_len;
                if let Some(h) = self.held.take() {
                    self.push_event(DtmfEvent::End {
                        digit: h.digit,
                        start: h.start,
                        end: h.end.min(start),
                    });
                }
                let digit = Digit::at(usize::from(r), usize::from(c));
                self.push_event(DtmfEvent::Start { digit, at: start });
                self.held = Some(Held {
                    digit,
                    row: r,
                    col: c,
                    absent: 0,
                    start,
                    end: block_end,
                    ref_r,
                    ref_c,
                });
                self.run_len = 0;
            }
            None => {
                // Slide: the two newest blocks may still start a valid run.
                self.run.copy_within(1.., 0);
                self.run_len -= 1;
            }
        }
    }

    /// The cheap per-block test (step 1 of the type docs).
    fn is_candidate(&self, p: &[f32; TONES], row: usize, col: usize, energy: f32) -> bool {
        if p[row] < self.min_raw_power || p[col] < self.min_raw_power {
            return false;
        }
        let rel = RELATIVE_PEAK_RATIO;
        let beats_group = |best: usize, group: core::ops::Range<usize>| {
            group.filter(|&k| k != best).all(|k| p[best] >= rel * p[k])
        };
        if !beats_group(row, 0..4) || !beats_group(col, 4..8) {
            return false;
        }
        // A sine of amplitude A gives |X| = A N / 2, i.e. a mean square of
        // A^2 / 2 = 2 |X|^2 / N^2; compare with the block mean square E / N.
        let n = 2.0 * f32::from(self.half);
        if 2.0 * (p[row] + p[col]) / n < MIN_RAW_SHARE * energy {
            return false;
        }
        let (a, b) = (self.energy_a, energy - self.energy_a);
        let balance = HALF_BALANCE_RATIO;
        a <= balance * b && b <= balance * a
    }

    /// Verifies a full run (step 2 of the type docs); returns the reference
    /// filter powers for holding the digit.
    fn verify(&self) -> Option<(f32, f32)> {
        let run = &self.run;
        let r = usize::from(self.run_row);
        let c = usize::from(self.run_col);
        let sr = self.sample_rate;
        let half = usize::from(self.half);
        let n = 2 * half;
        let (fr, fc) = (ROW_HZ[r], COL_HZ[c]);
        let (wr, wc) = (omega(fr, sr), omega(fc, sr));
        // Phase turn of a nominal-frequency tone over one block.
        let rot_r = self.shift[r] * self.shift[r];
        let rot_c = self.shift[4 + c] * self.shift[4 + c];

        // Coarse deviation (rad/sample) from the half-block advances.
        let mut sum_r = C32::ZERO;
        let mut sum_c = C32::ZERO;
        for b in run {
            sum_r += C32::expj(b.coarse_r);
            sum_c += C32::expj(b.coarse_c);
        }
        let coarse_r = sum_r.arg() / half as f32;
        let coarse_c = sum_c.arg() / half as f32;

        // Fine deviation from the raw block-to-block advances.
        let mut dr = nearest_alias(block_advance(&run.map(|b| b.xr), rot_r, n), coarse_r, n);
        let mut dc = nearest_alias(block_advance(&run.map(|b| b.xc), rot_c, n), coarse_c, n);

        // Solve the tones' complex amplitudes with the cross-leakage removed,
        // then refine the frequencies from the solved phases; repeat.
        let mut alpha = [(C32::ZERO, C32::ZERO); RUN_BLOCKS];
        for _ in 0..SOLVE_ROUNDS {
            let (wl, wh) = (wr + dr, wc + dc);
            // Kernels: tone (l, h) seen by filter (r, c), and the tones'
            // negative-frequency images seen by each filter.
            let d_lr = dirichlet(dr, n);
            let d_hr = dirichlet(wh - wr, n);
            let d_lc = dirichlet(wl - wc, n);
            let d_hc = dirichlet(dc, n);
            let i_lr = dirichlet(-wl - wr, n);
            let i_hr = dirichlet(-wh - wr, n);
            let i_lc = dirichlet(-wl - wc, n);
            let i_hc = dirichlet(-wh - wc, n);
            let det = d_lr * d_hc - d_hr * d_lc;
            for (a, b) in alpha.iter_mut().zip(run) {
                // Remove the images of the previous round's estimate, then
                // solve the 2 x 2 system.
                let xr = b.xr - a.0.conj() * i_lr - a.1.conj() * i_hr;
                let xc = b.xc - a.0.conj() * i_lc - a.1.conj() * i_hc;
                *a = ((xr * d_hc - xc * d_hr).div(det), (xc * d_lr - xr * d_lc).div(det));
            }
            dr = nearest_alias(block_advance(&alpha.map(|a| a.0), rot_r, n), dr, n);
            dc = nearest_alias(block_advance(&alpha.map(|a| a.1), rot_c, n), dc, n);
        }

        let to_hz = sr as f32 / (2.0 * core::f32::consts::PI);
        if (dr * to_hz).abs() > FREQ_TOLERANCE * fr || (dc * to_hz).abs() > FREQ_TOLERANCE * fc {
            return None;
        }
        // Every block-to-block estimate must tell the same frequency.
        for k in 1..RUN_BLOCKS {
            let pl = nearest_alias(block_advance(&[alpha[k - 1].0, alpha[k].0], rot_r, n), dr, n);
            let ph = nearest_alias(block_advance(&[alpha[k - 1].1, alpha[k].1], rot_c, n), dc, n);
            if ((pl - dr) * to_hz).abs() > PAIR_AGREEMENT_HZ || ((ph - dc) * to_hz).abs() > PAIR_AGREEMENT_HZ
            {
                return None;
            }
        }
        let (max_twist, min_twist) = (MAX_TWIST_RATIO, MIN_TWIST_RATIO);
        let min_amp_sq = self.min_amplitude * self.min_amplitude;
        for (a, b) in alpha.iter().zip(run) {
            // Peak amplitude A = 2 |alpha|.
            let low_sq = 4.0 * a.0.norm_sqr();
            let high_sq = 4.0 * a.1.norm_sqr();
            if low_sq < min_amp_sq || high_sq < min_amp_sq {
                return None;
            }
            let twist = high_sq / low_sq;
            if twist > max_twist || twist < min_twist {
                return None;
            }
            if 0.5 * (low_sq + high_sq) * (n as f32) < MIN_TONE_SHARE * b.energy {
                return None;
            }
        }
        let k = 1.0 / RUN_BLOCKS as f32;
        let ref_r = run.iter().map(|b| b.xr.norm_sqr()).sum::<f32>() * k;
        let ref_c = run.iter().map(|b| b.xc.norm_sqr()).sum::<f32>() * k;
        Some((ref_r, ref_c))
    }
}

/// Independent recurrences a whole half block is split into.
const CHAINS: usize = 4;

/// Updates a Goertzel bank over a whole half block as [`CHAINS`]
/// independent recurrences, one per quarter of the half block, then merges
/// them: the recurrence's latency, not its arithmetic, limits a single
/// chain, so independent chains run several times faster.
///
/// The recurrence `s[n] = x[n] + c s[n-1] - s[n-2]` is linear: after `m`
/// further samples the state `(s1, s2)` becomes
/// `(U_m s1 - U_{m-1} s2, U_{m-1} s1 - U_{m-2} s2)` plus the state the
/// same `m` samples give from zero, where `U_k` is the Chebyshev
/// polynomial of the second kind in `c / 2` (`U_0 = 1`, `U_1 = c`,
/// `U_{k+1} = c U_k - U_{k-1}`). Merging a quarter's chain into the
/// running state is one such step with `m` = a quarter's length.
#[derive(Clone, Copy, Debug)]
struct Split {
    /// The recurrence coefficients `2 cos w` (equal to the bank's to the
    /// last bit or two).
    c: [f32; TONES],
    /// `U_h`, `U_{h-1}`, `U_{h-2}` per filter for `h` = half block: merge
    /// the two halves' states into the whole block's.
    h0: [f32; TONES],
    h1: [f32; TONES],
    h2: [f32; TONES],
    /// `U_m`, `U_{m-1}`, `U_{m-2}` per filter for `m` = quarter length.
    u0: [f32; TONES],
    u1: [f32; TONES],
    u2: [f32; TONES],
    /// Quarter length `m` the coefficients are for.
    len: u16,
}

/// `cos x` at compile time: reduction to [-pi, pi], then the Taylor series
/// (converged to f64 precision there).
const fn const_cos(x: f64) -> f64 {
    let pi = core::f64::consts::PI;
    let turns = (x / (2.0 * pi)) as i64;
    let mut r = x - turns as f64 * 2.0 * pi;
    if r > pi {
        r -= 2.0 * pi;
    } else if r < -pi {
        r += 2.0 * pi;
    }
    let (mut term, mut sum, mut n) = (1.0f64, 1.0f64, 1u32);
    while n < 30 {
        term = -term * r * r / ((2 * n - 1) as f64 * (2 * n) as f64);
        sum += term;
        n += 1;
    }
    sum
}

/// The split coefficients for the two supported rates, built at compile
/// time so that they cost no per-channel state.
static SPLIT_8K: Split = Split::for_rate(8000);
static SPLIT_16K: Split = Split::for_rate(16_000);

impl Split {
    /// Coefficients for `sample_rate` (quarters of a 5 ms half block),
    /// from the Q.23 frequencies in f64.
    const fn for_rate(sample_rate: u32) -> Split {
        let m = (sample_rate / 200) as usize / CHAINS;
        let mut split = Split {
            c: [0.0; TONES],
            h0: [0.0; TONES],
            h1: [0.0; TONES],
            h2: [0.0; TONES],
            u0: [0.0; TONES],
            u1: [0.0; TONES],
            u2: [0.0; TONES],
            len: m as u16,
        };
        let mut k = 0;
        while k < TONES {
            let f = if k < 4 { ROW_HZ[k] } else { COL_HZ[k - 4] };
            let w = 2.0 * core::f64::consts::PI * f as f64 / sample_rate as f64;
            let c = 2.0 * const_cos(w);
            // Walk (U_{j-2}, U_{j-1}, U_j) from j = 1 up to j = 4m (half
            // block), keeping the values at j = m (quarter) on the way.
            let (mut u2, mut u1, mut u0) = (0.0f64, 1.0f64, c);
            let mut j = 1;
            while j < CHAINS * m {
                if j == m {
                    split.u0[k] = u0 as f32;
                    split.u1[k] = u1 as f32;
                    split.u2[k] = u2 as f32;
                }
                let next = c * u0 - u1;
                u2 = u1;
                u1 = u0;
                u0 = next;
                j += 1;
            }
            split.c[k] = c as f32;
            split.h0[k] = u0 as f32;
            split.h1[k] = u1 as f32;
            split.h2[k] = u2 as f32;
            k += 1;
        }
        split
    }

    /// Feeds a whole half block `x` to `bank`, which must be freshly
    /// reset, as [`CHAINS`] chains; returns the sum of squares of `x`.
    /// Falls back to the plain update if `x` is not four quarters of the
    /// prepared length.
    #[inline(never)] // keeps the chain loop's code independent of the caller
    fn update(&self, bank: &mut Bank<TONES>, x: &[i16]) -> f32 {
        let m = usize::from(self.len);
        if m == 0 || m * CHAINS != x.len() {
            bank.update(x);
            return sum_of_squares(x);
        }
        let energy = sum_of_squares(x);
        let c = self.c;
        let mut s1 = [[0.0f32; TONES]; CHAINS];
        let mut s2 = [[0.0f32; TONES]; CHAINS];
        let (q0, rest) = x.split_at(m);
        let (q1, rest) = rest.split_at(m);
        let (q2, q3) = rest.split_at(m);
        for (((&a, &b), &d), &e) in q0.iter().zip(q1).zip(q2).zip(q3) {
            let v = [f32::from(a), f32::from(b), f32::from(d), f32::from(e)];
            for ch in 0..CHAINS {
                for k in 0..TONES {
                    let s0 = v[ch] + c[k] * s1[ch][k] - s2[ch][k];
                    s2[ch][k] = s1[ch][k];
                    s1[ch][k] = s0;
                }
            }
        }
        // The first chain started from the (zero) reset state; move the
        // running state a quarter on and add each later chain.
        let (mut a1, mut a2) = (s1[0], s2[0]);
        for ch in 1..CHAINS {
            let mut n1 = [0.0f32; TONES];
            let mut n2 = [0.0f32; TONES];
            for k in 0..TONES {
                n1[k] = self.u0[k] * a1[k] - self.u1[k] * a2[k] + s1[ch][k];
                n2[k] = self.u1[k] * a1[k] - self.u2[k] * a2[k] + s2[ch][k];
            }
            a1 = n1;
            a2 = n2;
        }
        bank.s1 = a1;
        bank.s2 = a2;
        energy
    }
}

/// Sum of squares with eight partial sums (so it vectorises).
fn sum_of_squares(x: &[i16]) -> f32 {
    let mut acc = [0.0f32; 8];
    let chunks = x.chunks_exact(8);
    let tail = chunks.remainder();
    for ch in chunks {
        for (a, &v) in acc.iter_mut().zip(ch) {
            *a += f32::from(v) * f32::from(v);
        }
    }
    let tail: f32 = tail.iter().map(|&v| f32::from(v) * f32::from(v)).sum();
    acc.iter().sum::<f32>() + tail
}

/// Index of the largest value.
fn strongest(p: &[f32]) -> usize {
    let mut best = 0;
    for (k, &v) in p.iter().enumerate() {
        if v > p[best] {
            best = k;
        }
    }
    best
}

/// Frequency deviation (rad/sample, modulo `2 pi / n`) from the phase
/// turn between consecutive `n`-sample blocks' DFT values, beyond the
/// nominal turn (`rot` = `e^(-j w0 n)`); pairs are averaged as vectors.
fn block_advance(values: &[C32], rot: C32, n: usize) -> f32 {
    let mut sum = C32::ZERO;
    for pair in values.windows(2) {
        sum += pair[1] * pair[0].conj() * rot;
    }
    sum.arg() / n as f32
}

/// `fine` (known modulo `2 pi / n` rad/sample) moved by whole turns to lie
/// nearest `guide`.
fn nearest_alias(fine: f32, guide: f32, n: usize) -> f32 {
    let turn = 2.0 * core::f32::consts::PI / n as f32;
    fine + libm::roundf((guide - fine) / turn) * turn
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    /// A dual tone with exact frequencies and levels, `ms` long, then `gap_ms` silence.
    fn dual(lo: f32, hi: f32, lo_db: f32, hi_db: f32, ms: u32, gap_ms: u32, sr: u32) -> Vec<i16> {
        let (al, ah) = (Dbm0(lo_db).amplitude(), Dbm0(hi_db).amplitude());
        let on = (ms * sr / 1000) as usize;
        let off = (gap_ms * sr / 1000) as usize;
        let mut v: Vec<i16> = (0..on)
            .map(|i| {
                let t = i as f64 / f64::from(sr);
                let x = f64::from(al) * libm::sin(2.0 * core::f64::consts::PI * f64::from(lo) * t)
                    + f64::from(ah) * libm::sin(2.0 * core::f64::consts::PI * f64::from(hi) * t);
                x.round().clamp(-32768.0, 32767.0) as i16
            })
            .collect();
        v.resize(on + off, 0);
        v
    }

    fn events(d: &mut DtmfDetector, x: &[i16]) -> Vec<DtmfEvent> {
        let mut out = Vec::new();
        for f in x.chunks(80) {
            d.process(f);
            while let Some(e) = d.poll_event() {
                out.push(e);
            }
        }
        out
    }

    #[test]
    fn state_is_under_512_bytes() {
        std::println!("DtmfDetector: {} bytes", core::mem::size_of::<DtmfDetector>());
        assert!(
            core::mem::size_of::<DtmfDetector>() < 512,
            "{}",
            core::mem::size_of::<DtmfDetector>()
        );
    }

    #[test]
    fn chained_half_block_update_matches_the_plain_recurrence() {
        for (rate, split) in [(8000u32, &SPLIT_8K), (16_000, &SPLIT_16K)] {
            let half = (rate / 200) as usize;
            let x: Vec<i16> = (0..half)
                .map(|i| (libm::sin(i as f64 * 0.37) * 20_000.0 + (i as f64 * 7.1) % 3000.0) as i16)
                .collect();
            let d = DtmfDetector::new(rate).unwrap();
            let mut plain = d.bank;
            plain.update(&x);
            let mut chained = d.bank;
            let energy = split.update(&mut chained, &x);
            let scale = plain
                .s1
                .iter()
                .chain(&plain.s2)
                .fold(1.0f32, |m, v| m.max(v.abs()));
            for k in 0..TONES {
                assert!(
                    (plain.s1[k] - chained.s1[k]).abs() < 1e-4 * scale,
                    "{rate} s1[{k}]"
                );
                assert!(
                    (plain.s2[k] - chained.s2[k]).abs() < 1e-4 * scale,
                    "{rate} s2[{k}]"
                );
                assert!((plain.coeff[k] - split.c[k]).abs() < 1e-6, "{rate} coeff[{k}]");
            }
            let direct: f32 = x.iter().map(|&v| f32::from(v) * f32::from(v)).sum();
            assert!((energy - direct).abs() < 1e-4 * direct);
        }
    }

    #[test]
    fn merged_half_block_states_give_the_whole_block_power() {
        for (rate, split) in [(8000u32, &SPLIT_8K), (16_000, &SPLIT_16K)] {
            let n = (rate / 100) as usize;
            let x: Vec<i16> = (0..n)
                .map(|i| (libm::sin(i as f64 * 0.61) * 12_000.0 + libm::sin(i as f64 * 1.9) * 9_000.0) as i16)
                .collect();
            let d = DtmfDetector::new(rate).unwrap();
            let mut whole = d.bank;
            whole.update(&x);
            let (mut a, mut b) = (d.bank, d.bank);
            a.update(&x[..n / 2]);
            b.update(&x[n / 2..]);
            for k in 0..TONES {
                let s1 = split.h0[k] * a.s1[k] - split.h1[k] * a.s2[k] + b.s1[k];
                let s2 = split.h1[k] * a.s1[k] - split.h2[k] * a.s2[k] + b.s2[k];
                let merged = s1 * s1 + s2 * s2 - split.c[k] * s1 * s2;
                let direct = whole.s1[k] * whole.s1[k] + whole.s2[k] * whole.s2[k]
                    - whole.coeff[k] * whole.s1[k] * whole.s2[k];
                let scale = direct.abs().max(1e6);
                assert!(
                    (merged - direct).abs() < 1e-3 * scale,
                    "{rate} k {k}: {merged} vs {direct}"
                );
            }
        }
    }

    #[test]
    fn unsupported_rate_is_refused() {
        assert_eq!(
            DtmfDetector::new(11_025).err(),
            Some(Error::UnsupportedSampleRate(11_025))
        );
    }

    #[test]
    fn one_digit_gives_start_then_end_at_block_accuracy() {
        let mut d = DtmfDetector::new(8000).unwrap();
        let mut x = std::vec![0i16; 123];
        x.extend(dual(852.0, 1477.0, -10.0, -8.0, 60, 100, 8000));
        let ev = events(&mut d, &x);
        assert_eq!(ev.len(), 2, "{ev:?}");
        let DtmfEvent::Start { digit, at } = ev[0] else {
            panic!("{ev:?}")
        };
        assert_eq!(digit, Digit::D9);
        assert!(at.abs_diff(123) < 80, "start {at}");
        let DtmfEvent::End { digit, start, end } = ev[1] else {
            panic!("{ev:?}")
        };
        assert_eq!((digit, start), (Digit::D9, at));
        assert!(end.abs_diff(123 + 480) < 80, "end {end}");
    }

    #[test]
    fn sixteen_khz_detects_too() {
        let mut d = DtmfDetector::new(16_000).unwrap();
        let x = dual(770.0, 1633.0, -15.0, -13.0, 50, 60, 16_000);
        let ev = events(&mut d, &x);
        assert!(
            matches!(ev.first(), Some(DtmfEvent::Start { digit: Digit::B, .. })),
            "{ev:?}"
        );
        assert_eq!(ev.len(), 2);
    }

    #[test]
    fn alias_choice_moves_by_whole_turns() {
        let turn = 2.0 * core::f32::consts::PI / 80.0;
        assert!((nearest_alias(0.01, 0.01 + turn, 80) - (0.01 + turn)).abs() < 1e-6);
        assert!((nearest_alias(0.01, 0.0, 80) - 0.01).abs() < 1e-6);
    }

    #[test]
    fn queue_overflow_drops_the_oldest() {
        let mut d = DtmfDetector::new(8000).unwrap();
        for i in 0..6u64 {
            d.push_event(DtmfEvent::Start {
                digit: Digit::D1,
                at: i,
            });
        }
        assert_eq!(d.dropped_events(), 2);
        assert_eq!(
            d.poll_event(),
            Some(DtmfEvent::Start {
                digit: Digit::D1,
                at: 2
            })
        );
    }
}
