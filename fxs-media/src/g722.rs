//! ITU-T G.722 sub-band ADPCM: 16 kHz linear PCM, 64 kbit/s (media.md §2).
//!
//! The encoder splits the 16 kHz signal with the 24-tap quadrature mirror
//! filter into two 8 kHz sub-bands, codes the lower band with 6-bit ADPCM
//! and the upper band with 2-bit ADPCM, and emits one octet per pair of input
//! samples: `ihigh << 6 | ilow` (mode 1, 64 kbit/s). The decoder runs the
//! inverse and also decodes modes 2 and 3 (56 and 48 kbit/s), in which the one
//! or two least significant bits of every octet carry auxiliary data and are
//! ignored ([`G722Mode`]).
//!
//! The integer steps (block numbers of G.722 §3 and §4 in the comments) are
//! those of the ITU fixed-point description as spandsp 0.0.6 implements it,
//! so the octets and decoded samples are bit-exact with the reference. The
//! 16-bit input is taken as the 15-bit G.722 input with one bit of extra
//! headroom, and the output is scaled back, as spandsp does.
//!
//! RTP quirk (RFC 3551 §4.5.2): the RTP clock of G.722 is 8000 Hz although it
//! samples at 16 kHz; see [`crate::Codec::clock_rate`] and
//! [`crate::Codec::sample_rate`].
//!
//! No call allocates; the state is a few dozen integers.

/// Transmit QMF coefficients, applied to the even-indexed input samples
/// (the 24-tap filter of G.722 Table 11, split in two halves).
const QMF_FWD: [i32; 12] = [3, -11, 12, 32, -210, 951, 3876, -805, 362, -156, 53, -11];
/// The same filter reversed, for the odd-indexed samples.
const QMF_REV: [i32; 12] = [-11, 53, -156, 362, -805, 3876, 951, -210, 32, 12, -11, 3];

/// Upper-band inverse quantizer output levels (G.722 Table 15, QQ2).
const QM2: [i32; 4] = [-7408, -1616, 7408, 1616];

/// Lower-band 4-bit inverse quantizer (G.722 Table 14, QQ4), used for the
/// predictor update in all modes and for the output in mode 3.
const QM4: [i32; 16] = [
    0, -20456, -12896, -8968, -6288, -4240, -2584, -1200, 20456, 12896, 8968, 6288, 4240, 2584, 1200, 0,
];

/// Lower-band 5-bit inverse quantizer (QQ5), mode 2 output.
const QM5: [i32; 32] = [
    -280, -280, -23352, -17560, -14120, -11664, -9752, -8184, -6864, -5712, -4696, -3784, -2960, -2208,
    -1520, -880, 23352, 17560, 14120, 11664, 9752, 8184, 6864, 5712, 4696, 3784, 2960, 2208, 1520, 880, 280,
    -280,
];

/// Lower-band 6-bit inverse quantizer (QQ6), mode 1 output.
const QM6: [i32; 64] = [
    -136, -136, -136, -136, -24808, -21904, -19008, -16704, -14984, -13512, -12280, -11192, -10232, -9360,
    -8576, -7856, -7192, -6576, -6000, -5456, -4944, -4464, -4008, -3576, -3168, -2776, -2400, -2032, -1688,
    -1360, -1040, -728, 24808, 21904, 19008, 16704, 14984, 13512, 12280, 11192, 10232, 9360, 8576, 7856,
    7192, 6576, 6000, 5456, 4944, 4464, 4008, 3576, 3168, 2776, 2400, 2032, 1688, 1360, 1040, 728, 432, 136,
    -432, -136,
];

/// Lower-band quantizer decision levels (G.722 Table 12), index 1..=29 used.
const Q6: [i32; 32] = [
    0, 35, 72, 110, 150, 190, 233, 276, 323, 370, 422, 473, 530, 587, 650, 714, 786, 858, 940, 1023, 1121,
    1219, 1339, 1458, 1612, 1765, 1980, 2195, 2557, 2919, 0, 0,
];

/// Lower-band code word for a negative / positive error in each interval.
const ILN: [u8; 32] = [
    0, 63, 62, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8,
    7, 6, 5, 4, 0,
];
const ILP: [u8; 32] = [
    0, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37,
    36, 35, 34, 33, 32, 0,
];

/// Scale-factor antilog table (G.722 Table 17, ILB).
const ILB: [i32; 32] = [
    2048, 2093, 2139, 2186, 2233, 2282, 2332, 2383, 2435, 2489, 2543, 2599, 2656, 2714, 2774, 2834, 2896,
    2960, 3025, 3091, 3158, 3228, 3298, 3371, 3444, 3520, 3597, 3676, 3756, 3838, 3922, 4008,
];

/// Lower-band log scale-factor multipliers (G.722 Table 16, WL) and the
/// mapping of 4-bit code words onto them (RIL4).
const WL: [i32; 8] = [-60, -30, 58, 172, 334, 538, 1198, 3042];
const RL42: [usize; 16] = [0, 7, 6, 5, 4, 3, 2, 1, 7, 6, 5, 4, 3, 2, 1, 0];

/// Upper-band log scale-factor multipliers (WH) and mapping (RIH2).
const WH: [i32; 3] = [0, -214, 798];
const RH2: [usize; 4] = [2, 1, 2, 1];

/// Upper-band code word for a negative / positive error (index 1 or 2).
const IHN: [u8; 3] = [0, 1, 0];
const IHP: [u8; 3] = [0, 3, 2];

/// Largest lower / upper band log scale factor (G.722 LOGSCL / LOGSCH limits).
const NB_MAX_LOW: i32 = 18432;
const NB_MAX_HIGH: i32 = 22528;

/// The decoder's operating mode: how many bits of each octet are lower-band
/// audio (G.722 §1.3, Table 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum G722Mode {
    /// Mode 1, 64 kbit/s: 6-bit lower band, no auxiliary data.
    #[default]
    Mode1,
    /// Mode 2, 56 kbit/s audio: the least significant bit carries 8 kbit/s data.
    Mode2,
    /// Mode 3, 48 kbit/s audio: the two least significant bits carry 16 kbit/s data.
    Mode3,
}

impl G722Mode {
    /// Audio bit rate in bit/s (64 000, 56 000 or 48 000).
    pub const fn audio_bit_rate(self) -> u32 {
        match self {
            G722Mode::Mode1 => 64_000,
            G722Mode::Mode2 => 56_000,
            G722Mode::Mode3 => 48_000,
        }
    }
}

#[inline(always)]
fn sat16(x: i32) -> i32 {
    x.clamp(-32768, 32767)
}

#[inline(always)]
fn sat15(x: i32) -> i32 {
    x.clamp(-16384, 16383)
}

/// Truncates to 16 bits as the reference's `int16_t` assignments do.
#[inline(always)]
fn t16(x: i32) -> i32 {
    i32::from(x as i16)
}

/// The adaptive predictor and scale factor of one sub-band.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Band {
    /// Signal estimate (pole + zero).
    s: i32,
    /// Zero-section estimate.
    sz: i32,
    /// Last reconstructed signal.
    r: i32,
    /// Pole coefficients a1, a2.
    a: [i32; 2],
    /// Zero coefficients b1..b6.
    b: [i32; 6],
    /// Last two partially reconstructed signals.
    p: [i32; 2],
    /// Quantized differences, newest first (index 0 is the current one).
    d: [i32; 7],
    /// `sat16(2 · d[i])`, the zero predictor's input.
    d2: [i32; 7],
    /// Log scale factor.
    nb: i32,
    /// Scale factor.
    det: i32,
}

impl Band {
    const fn new(det: i32) -> Band {
        Band {
            s: 0,
            sz: 0,
            r: 0,
            a: [0; 2],
            b: [0; 6],
            p: [0; 2],
            d: [0; 7],
            d2: [0; 7],
            nb: 0,
            det,
        }
    }

    /// LOGSCL/LOGSCH then SCALEL/SCALEH: adapts the scale factor.
    /// `shift` is 8 for the lower band, 10 for the upper one.
    #[inline(always)]
    fn adapt_scale(&mut self, w: i32, nb_max: i32, shift: i32) {
        let nb = ((self.nb * 127) >> 7) + w;
        self.nb = nb.max(0).min(nb_max);
        let wd1 = ((self.nb >> 6) & 31) as usize;
        let wd2 = shift - (self.nb >> 11);
        let wd3 = if wd2 < 0 {
            ILB[wd1] << -wd2
        } else {
            ILB[wd1] >> wd2
        };
        self.det = t16(wd3 << 2);
    }

    /// Block 4: reconstruction, pole and zero predictor adaptation and the
    /// next signal estimate, given the quantized difference `dx`.
    #[inline(always)]
    fn block4(&mut self, dx: i32) {
        // RECONS, PARREC
        let r = sat16(self.s + dx);
        let p = sat16(self.sz + dx);

        // UPPOL2
        let sign0 = (p ^ self.p[0]) < 0;
        let sign1 = (p ^ self.p[1]) < 0;
        let wd1 = sat16(self.a[0] << 2);
        let wd32 = (if sign0 { wd1 } else { -wd1 }).min(32767);
        let mut ap1 = t16((if sign1 { -128 } else { 128 }) + (wd32 >> 7) + ((self.a[1] * 32512) >> 15));
        ap1 = ap1.clamp(-12288, 12288);

        // UPPOL1
        let wd1 = if sign0 { -192 } else { 192 };
        // a[1] stays within ±12288 and a[0] within ±(15360 - a[1]) (the
        // limits here), so these two sums cannot leave 16 bits.
        let wd2 = t16((self.a[0] * 32640) >> 15);
        let mut ap0 = wd1 + wd2;
        let limit = 15360 - ap1;
        ap0 = ap0.max(-limit).min(limit);

        // FILTEP
        let wd1 = t16((ap0 * sat16(r + r)) >> 15);
        let wd2 = t16((ap1 * sat16(self.r + self.r)) >> 15);
        let sp = sat16(wd1 + wd2);
        self.r = r;
        self.a = [ap0, ap1];
        self.p = [p, self.p[0]];

        // UPZERO, DELAYA, FILTEZ
        // d[0] is the new difference; d[1..] the older ones. Each is kept
        // with its saturated double, which FILTEZ multiplies by.
        let step = if dx == 0 { 0 } else { 128 };
        self.d[0] = dx;
        self.d2[0] = sat16(dx + dx);
        let mut sz = 0;
        for i in (0..6).rev() {
            let negative = (self.d[i + 1] ^ dx) >> 31; // all ones if signs differ
            let wd2 = (step ^ negative) - negative;
            let wd3 = t16((self.b[i] * 32640) >> 15);
            self.b[i] = sat16(wd2 + wd3);
            sz += (self.b[i] * self.d2[i]) >> 15;
        }
        self.d.copy_within(0..6, 1);
        self.d2.copy_within(0..6, 1);
        self.sz = sat16(sz);

        // PREDIC
        self.s = sat16(sp + self.sz);
    }
}

/// A 12-entry delay line stored twice, so the filter window is contiguous.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Delay {
    buf: [i32; 24],
    pos: usize,
}

impl Delay {
    const fn new() -> Delay {
        Delay { buf: [0; 24], pos: 0 }
    }

    /// Pushes a sample; the window then runs from the oldest to the newest.
    #[inline(always)]
    fn push(&mut self, x: i32) {
        let pos = self.pos % 12;
        self.buf[pos] = x;
        self.buf[pos + 12] = x;
        self.pos = (pos + 1) % 12;
    }

    /// Dot product of the window (oldest first) with `coeffs`.
    #[inline(always)]
    fn dot(&self, coeffs: &[i32; 12]) -> i32 {
        let start = self.pos % 12;
        let window = &self.buf[start..start + 12];
        window.iter().zip(coeffs).map(|(&x, &c)| x * c).sum()
    }
}

/// G.722 encoder, mode 1 (64 kbit/s): 16 kHz PCM in, one octet per two samples out.
#[derive(Clone, Debug)]
pub struct G722Encoder {
    low: Band,
    high: Band,
    x: Delay,
    y: Delay,
}

impl Default for G722Encoder {
    fn default() -> G722Encoder {
        G722Encoder::new()
    }
}

impl G722Encoder {
    /// A fresh encoder (G.722 reset state).
    pub const fn new() -> G722Encoder {
        G722Encoder {
            low: Band::new(32),
            high: Band::new(8),
            x: Delay::new(),
            y: Delay::new(),
        }
    }

    /// Returns to the reset state.
    pub fn reset(&mut self) {
        *self = G722Encoder::new();
    }

    /// Encodes pairs of samples from `pcm` (16 kHz), as many as fit in `out`;
    /// returns the octets written. An odd last sample is not encoded.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize {
        let mut written = 0;
        for (pair, slot) in pcm.chunks_exact(2).zip(out.iter_mut()) {
            *slot = self.encode_pair(i32::from(pair[0]), i32::from(pair[1]));
            written += 1;
        }
        written
    }

    #[inline(always)]
    fn encode_pair(&mut self, first: i32, second: i32) -> u8 {
        // Transmit QMF: the sum and difference of the two polyphase halves,
        // scaled by 2^-12 (filter gain), 2^-1 (two filters) and 2^-1 (15-bit input).
        self.x.push(first);
        self.y.push(second);
        let sumodd = self.x.dot(&QMF_FWD);
        let sumeven = self.y.dot(&QMF_REV);
        let xlow = t16((sumeven + sumodd) >> 14);
        let xhigh = t16((sumeven - sumodd) >> 14);

        // Block 1L: SUBTRA, QUANTL.
        let el = sat16(xlow - self.low.s);
        let wd = if el >= 0 { el } else { !el };
        let interval = quantl_interval(wd, self.low.det);
        let ilow = if el < 0 { ILN[interval] } else { ILP[interval] };

        // Block 2L: INVQAL on the 4 most significant bits.
        let ril = usize::from(ilow >> 2);
        let dlow = t16((self.low.det * QM4[ril]) >> 15);
        // Block 3L: LOGSCL, SCALEL.
        self.low.adapt_scale(WL[RL42[ril]], NB_MAX_LOW, 8);
        self.low.block4(dlow);

        // Block 1H: SUBTRA, QUANTH.
        let eh = sat16(xhigh - self.high.s);
        let wd = if eh >= 0 { eh } else { !eh };
        let threshold = (564 * self.high.det) >> 12;
        let mih = if wd >= threshold { 2 } else { 1 };
        let ihigh = if eh < 0 { IHN[mih] } else { IHP[mih] };

        // Block 2H: INVQAH; Block 3H: LOGSCH, SCALEH.
        let ih = usize::from(ihigh);
        let dhigh = t16((self.high.det * QM2[ih]) >> 15);
        self.high.adapt_scale(WH[RH2[ih]], NB_MAX_HIGH, 10);
        self.high.block4(dhigh);

        (ihigh << 6) | ilow
    }
}

/// QUANTL: the first interval `i` in 1..30 whose upper decision level
/// `(Q6[i] · det) >> 12` exceeds `wd`, or 30. The levels grow with `i`, so a
/// binary search finds the same interval as the reference's linear scan.
#[inline(always)]
fn quantl_interval(wd: i32, det: i32) -> usize {
    let (mut lo, mut hi) = (1usize, 30usize);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if wd < (Q6[mid] * det) >> 12 {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

/// G.722 decoder: one octet in, two 16 kHz samples out, in mode 1, 2 or 3.
#[derive(Clone, Debug)]
pub struct G722Decoder {
    mode: G722Mode,
    low: Band,
    high: Band,
    x: Delay,
    y: Delay,
}

impl Default for G722Decoder {
    fn default() -> G722Decoder {
        G722Decoder::new()
    }
}

impl G722Decoder {
    /// A fresh mode 1 (64 kbit/s) decoder.
    pub const fn new() -> G722Decoder {
        G722Decoder::with_mode(G722Mode::Mode1)
    }

    /// A fresh decoder for the given mode.
    pub const fn with_mode(mode: G722Mode) -> G722Decoder {
        G722Decoder {
            mode,
            low: Band::new(32),
            high: Band::new(8),
            x: Delay::new(),
            y: Delay::new(),
        }
    }

    /// The mode this decoder runs in.
    pub fn mode(&self) -> G722Mode {
        self.mode
    }

    /// Returns to the reset state, keeping the mode.
    pub fn reset(&mut self) {
        *self = G722Decoder::with_mode(self.mode);
    }

    /// Decodes octets from `payload`, as many as fit in `out` at two samples
    /// each; returns the samples written (always even). Every octet value is
    /// valid input.
    pub fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> usize {
        let mut written = 0;
        for (&octet, pair) in payload.iter().zip(out.chunks_exact_mut(2)) {
            let (a, b) = match self.mode {
                G722Mode::Mode1 => self.decode_octet::<0>(octet),
                G722Mode::Mode2 => self.decode_octet::<1>(octet),
                G722Mode::Mode3 => self.decode_octet::<2>(octet),
            };
            pair[0] = a;
            pair[1] = b;
            written += 2;
        }
        written
    }

    /// Decodes one octet whose `AUX` least significant bits are data.
    #[inline(always)]
    fn decode_octet<const AUX: u32>(&mut self, octet: u8) -> (i16, i16) {
        let ihigh = usize::from(octet >> 6);
        let low_bits = octet & 0x3F;
        // Block 5L: INVQBL with the mode's quantizer; ril = the 4 MSBs.
        let (qlevel, ril) = match AUX {
            0 => (QM6[usize::from(low_bits)], usize::from(low_bits >> 2)),
            1 => (QM5[usize::from(low_bits >> 1)], usize::from(low_bits >> 2)),
            _ => (QM4[usize::from(low_bits >> 2)], usize::from(low_bits >> 2)),
        };
        let wd2 = (self.low.det * qlevel) >> 15;
        // Block 5L RECONS, block 6L LIMIT.
        let rlow = sat15(self.low.s + wd2);

        // Block 2L: INVQAL; block 3L: LOGSCL, SCALEL; block 4L.
        let dlow = t16((self.low.det * QM4[ril]) >> 15);
        self.low.adapt_scale(WL[RL42[ril]], NB_MAX_LOW, 8);
        self.low.block4(dlow);

        // Block 2H: INVQAH; 5H RECONS; 6H LIMIT; 3H LOGSCH, SCALEH; 4H.
        let dhigh = t16((self.high.det * QM2[ihigh]) >> 15);
        let rhigh = sat15(dhigh + self.high.s);
        self.high.adapt_scale(WH[RH2[ihigh]], NB_MAX_HIGH, 10);
        self.high.block4(dhigh);

        // Receive QMF: gain 2^12, less one bit for the 15-bit G.722 range.
        self.x.push(sat16(rlow + rhigh));
        self.y.push(sat16(rlow - rhigh));
        let first = sat16(self.y.dot(&QMF_REV) >> 11) as i16;
        let second = sat16(self.x.dot(&QMF_FWD) >> 11) as i16;
        (first, second)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_search_finds_the_same_interval_as_a_linear_scan() {
        for det in [32, 100, 1000, 5000, 32064] {
            for wd in (0..40000).step_by(7) {
                let linear = (1..30).find(|&i| wd < (Q6[i] * det) >> 12).unwrap_or(30);
                assert_eq!(quantl_interval(wd, det), linear, "wd {wd} det {det}");
            }
        }
    }

    #[test]
    fn silence_stays_quiet_through_encode_and_decode() {
        let mut enc = G722Encoder::new();
        let mut dec = G722Decoder::new();
        let pcm = [0i16; 320];
        let mut payload = [0u8; 160];
        let mut back = [0i16; 320];
        for _ in 0..5 {
            assert_eq!(enc.encode(&pcm, &mut payload), 160);
            assert_eq!(dec.decode(&payload, &mut back), 320);
        }
        // The idle channel noise of SB-ADPCM on digital silence is a few LSBs.
        assert!(back.iter().all(|&s| s.abs() < 16), "{back:?}");
    }

    #[test]
    fn odd_sample_and_short_buffers_are_handled() {
        let mut enc = G722Encoder::new();
        let mut out = [0u8; 4];
        assert_eq!(enc.encode(&[1, 2, 3], &mut out), 1);
        assert_eq!(enc.encode(&[0; 100], &mut out), 4);
        let mut dec = G722Decoder::with_mode(G722Mode::Mode3);
        let mut pcm = [0i16; 5];
        assert_eq!(dec.decode(&[0xFF, 0x00, 0x12], &mut pcm), 4);
        assert_eq!(dec.mode(), G722Mode::Mode3);
        assert_eq!(G722Mode::Mode2.audio_bit_rate(), 56_000);
    }
}
