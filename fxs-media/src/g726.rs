//! ITU-T G.726 ADPCM at 16, 24, 32 and 40 kbit/s with linear PCM in and out
//! (media.md §2).
//!
//! The arithmetic follows the fixed-point description of G.726 (the same
//! integer steps as the ITU reference and spandsp 0.0.6), so the code words
//! and decoded samples are bit-exact with them: every 16-bit truncation the
//! reference performs is performed here too. Linear samples enter as 16-bit
//! PCM and are reduced to the 14-bit range of G.726 by an arithmetic shift
//! (`x >> 2`); decoded samples leave as the 14-bit reconstruction shifted
//! back up (`sr << 2`). That is what spandsp's `G726_ENCODING_LINEAR` does,
//! and what produced the reference vectors.
//!
//! Code words are packed into octets in one of the two RTP conventions of
//! media.md §2 ([`G726Packing`]). Each call to [`G726Encoder::encode`] or
//! [`G726Decoder::decode`] is one RTP payload: it starts on an octet boundary
//! and a last, partly filled octet is padded with zero bits. With 10 ms or
//! 20 ms frames (80 or 160 samples) the code words always fill whole octets.
//!
//! The coder state is a few dozen integers; no call allocates.

/// The four G.726 bit rates: 2, 3, 4 or 5 bits per 8 kHz sample (media.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum G726Rate {
    /// 16 kbit/s, 2-bit code words (SDP `G726-16`).
    Kbps16,
    /// 24 kbit/s, 3-bit code words (SDP `G726-24`).
    Kbps24,
    /// 32 kbit/s, 4-bit code words (SDP `G726-32`; the old G.721).
    Kbps32,
    /// 40 kbit/s, 5-bit code words (SDP `G726-40`).
    Kbps40,
}

impl G726Rate {
    /// Every rate, lowest first.
    pub const ALL: [G726Rate; 4] = [
        G726Rate::Kbps16,
        G726Rate::Kbps24,
        G726Rate::Kbps32,
        G726Rate::Kbps40,
    ];

    /// Bits per code word (one code word per 8 kHz sample).
    pub const fn bits_per_sample(self) -> u32 {
        match self {
            G726Rate::Kbps16 => 2,
            G726Rate::Kbps24 => 3,
            G726Rate::Kbps32 => 4,
            G726Rate::Kbps40 => 5,
        }
    }

    /// Bit rate in bit/s.
    pub const fn bit_rate(self) -> u32 {
        self.bits_per_sample() * 8000
    }

    /// Octets that `samples` code words occupy, the last octet padded.
    pub const fn encoded_len(self, samples: usize) -> usize {
        (samples * self.bits_per_sample() as usize).div_ceil(8)
    }

    /// Code words that fit whole in `octets` octets.
    pub const fn samples_in(self, octets: usize) -> usize {
        octets * 8 / self.bits_per_sample() as usize
    }
}

/// How code words are packed into octets (media.md §2, "the classic interop trap").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum G726Packing {
    /// RFC 3551 §4.5.4: the first code word in the least significant bits of
    /// the first octet. SDP names `G726-16` ... `G726-40`.
    Rfc3551,
    /// ITU-T I.366.2 Annex E (AAL2): the first code word in the most
    /// significant bits. SDP names `AAL2-G726-16` ... `AAL2-G726-40`.
    Aal2,
}

/// Per-rate tables of G.726: quantizer decision levels (in the log domain,
/// normalised by the scale factor), reconstruction levels, scale-factor
/// multipliers `W(I)` and the speed-control function `F(I)`.
struct RateTables {
    /// Decision levels for the magnitude, lowest first.
    quant: &'static [i32],
    /// Reconstructed normalised log magnitude per code word.
    dqln: &'static [i32],
    /// `W(I)` per code word, scaled as the reference adds it to `y`.
    wi: &'static [i32],
    /// `F(I)` per code word.
    fi: &'static [i32],
}

const TABLES_16: RateTables = RateTables {
    quant: &[261],
    dqln: &[116, 365, 365, 116],
    wi: &[-704, 14048, 14048, -704],
    fi: &[0x000, 0xE00, 0xE00, 0x000],
};

const TABLES_24: RateTables = RateTables {
    quant: &[8, 218, 331],
    dqln: &[-2048, 135, 273, 373, 373, 273, 135, -2048],
    wi: &[-128, 960, 4384, 18624, 18624, 4384, 960, -128],
    fi: &[0x000, 0x200, 0x400, 0xE00, 0xE00, 0x400, 0x200, 0x000],
};

const TABLES_32: RateTables = RateTables {
    quant: &[-124, 80, 178, 246, 300, 349, 400],
    dqln: &[
        -2048, 4, 135, 213, 273, 323, 373, 425, 425, 373, 323, 273, 213, 135, 4, -2048,
    ],
    wi: &[
        -384, 576, 1312, 2048, 3584, 6336, 11360, 35904, 35904, 11360, 6336, 3584, 2048, 1312, 576, -384,
    ],
    fi: &[
        0x000, 0x000, 0x000, 0x200, 0x200, 0x200, 0x600, 0xE00, 0xE00, 0x600, 0x200, 0x200, 0x200, 0x000,
        0x000, 0x000,
    ],
};

const TABLES_40: RateTables = RateTables {
    quant: &[
        -122, -16, 68, 139, 198, 250, 298, 339, 378, 413, 445, 475, 502, 528, 553,
    ],
    dqln: &[
        -2048, -66, 28, 104, 169, 224, 274, 318, 358, 395, 429, 459, 488, 514, 539, 566, 566, 539, 514, 488,
        459, 429, 395, 358, 318, 274, 224, 169, 104, 28, -66, -2048,
    ],
    wi: &[
        448, 448, 768, 1248, 1280, 1312, 1856, 3200, 4512, 5728, 7008, 8960, 11456, 14080, 16928, 22272,
        22272, 16928, 14080, 11456, 8960, 7008, 5728, 4512, 3200, 1856, 1312, 1280, 1248, 768, 448, 448,
    ],
    fi: &[
        0x000, 0x000, 0x000, 0x000, 0x000, 0x200, 0x200, 0x200, 0x200, 0x200, 0x400, 0x600, 0x800, 0xA00,
        0xC00, 0xC00, 0xC00, 0xC00, 0xA00, 0x800, 0x600, 0x400, 0x200, 0x200, 0x200, 0x200, 0x200, 0x000,
        0x000, 0x000, 0x000, 0x000,
    ],
};

/// The tables for `BITS`-bit code words (resolved at compile time).
const fn tables<const BITS: u32>() -> &'static RateTables {
    match BITS {
        2 => &TABLES_16,
        3 => &TABLES_24,
        4 => &TABLES_32,
        _ => &TABLES_40,
    }
}

/// Truncates to 16 bits as the reference's `int16_t` assignments do.
#[inline(always)]
fn t16(x: i32) -> i32 {
    i32::from(x as i16)
}

/// Index of the highest set bit; −1 for 0.
#[inline(always)]
fn top_bit(x: i32) -> i32 {
    31 - (x as u32).leading_zeros() as i32
}

/// G.726 FMULT: a 16-bit predictor coefficient `an` times a value `srn` in
/// the 4-bit exponent / 6-bit mantissa floating format.
///
/// Same integer result as the reference's branchy form, computed without
/// data-dependent branches: the coefficient is normalised to a 6-bit
/// mantissa with the FLOAT conversion's `(x << 6) >> (top_bit + 1)`, and the
/// final left or right shift by the product exponent is one right shift of
/// a value pre-shifted by 32 (exact, and the `& 0x7FFF` of the left-shift
/// case is a no-op for right shifts since the mantissa product is < 2^8).
#[inline(always)]
fn fmult(an: i32, srn: i32) -> i32 {
    let anmag = if an > 0 { an } else { (-an) & 0x1FFF };
    let width = 32 - (anmag as u32).leading_zeros() as i32; // top_bit + 1
    let anmant = if anmag == 0 { 32 } else { (anmag << 6) >> width };
    // anexp + srn exponent - 13, with anexp = top_bit - 5 (-6 for zero).
    let wanexp = width + ((srn >> 6) & 0xF) - 19;
    let wanmant = (anmant * (srn & 0x3F) + 0x30) >> 4;
    let retval = ((((wanmant as u64) << 32) >> (32 - wanexp) as u32) as i32) & 0x7FFF;
    let negative = (an ^ srn) >> 31; // all ones when the signs differ
    (retval ^ negative) - negative
}

/// The reference's form of FMULT, kept to check the branch-free one.
#[cfg(test)]
fn fmult_reference(an: i32, srn: i32) -> i32 {
    let anmag = if an > 0 { an } else { (-an) & 0x1FFF };
    let anexp = top_bit(anmag) - 5;
    let anmant = if anmag == 0 {
        32
    } else if anexp >= 0 {
        anmag >> anexp
    } else {
        anmag << -anexp
    };
    let wanexp = anexp + ((srn >> 6) & 0xF) - 13;
    let wanmant = (anmant * (srn & 0x3F) + 0x30) >> 4;
    let retval = if wanexp >= 0 {
        (wanmant << wanexp) & 0x7FFF
    } else {
        wanmant >> -wanexp
    };
    if (an ^ srn) < 0 { -retval } else { retval }
}

/// Converts a 16-bit magnitude-and-sign value to the floating format
/// (FLOATA / FLOATB); `negative` selects the sign.
#[inline(always)]
fn to_float(mag: i32, negative: bool) -> i16 {
    let exp = top_bit(mag) + 1;
    let value = (exp << 6) + ((mag << 6) >> exp);
    if negative {
        (value - 0x400) as i16
    } else {
        value as i16
    }
}

/// Quantizes the difference `d` with step size `y` (G.726 LOG, SUBTB, QUAN).
#[inline(always)]
fn quantize<const BITS: u32>(d: i32, y: i32) -> usize {
    let table = tables::<BITS>().quant;
    let dqm = t16(d.abs());
    let exp = top_bit(dqm >> 1) + 1;
    let mant = ((dqm << 7) >> exp) & 0x7F;
    let dl = (exp << 7) + mant;
    let dln = t16(dl - (y >> 2));
    let size = table.len();
    let i = table.iter().position(|&level| dln < level).unwrap_or(size);
    if d < 0 {
        (size << 1) + 1 - i
    } else if i == 0 && BITS != 2 {
        // Zero is not a valid code word when there is an odd number of
        // levels; the reference uses the all-ones word instead.
        (1 << BITS) - 1
    } else {
        i
    }
}

/// Reconstructs the quantized difference from its normalised log magnitude
/// (ADDA, ANTILOG). Negative values come back as `magnitude - 0x8000`.
#[inline(always)]
fn reconstruct(negative: bool, dqln: i32, y: i32) -> i32 {
    let dql = t16(dqln + (y >> 2));
    if dql < 0 {
        return if negative { -0x8000 } else { 0 };
    }
    let dex = (dql >> 7) & 15;
    let dqt = 128 + (dql & 127);
    let dq = t16((dqt << 7) >> (14 - dex));
    if negative { t16(dq - 0x8000) } else { dq }
}

/// The adaptive predictor and quantizer state shared by encoder and decoder
/// (G.726 §4, reset values of §4.2).
#[derive(Clone, Debug, PartialEq, Eq)]
struct State {
    /// Locked (slow) scale factor.
    yl: i32,
    /// Unlocked (fast) scale factor.
    yu: i16,
    /// Short-term average of F(I).
    dms: i16,
    /// Long-term average of F(I).
    dml: i16,
    /// Speed-control parameter.
    ap: i16,
    /// Pole predictor coefficients.
    a: [i16; 2],
    /// Zero predictor coefficients.
    b: [i16; 6],
    /// Signs of the last two partial reconstructions (1 = negative).
    pk: [i16; 2],
    /// Last six quantized differences, floating format.
    dq: [i16; 6],
    /// Last two reconstructed samples, floating format.
    sr: [i16; 2],
    /// Tone (data) detected.
    td: bool,
}

impl State {
    const fn new() -> State {
        State {
            yl: 34816,
            yu: 544,
            dms: 0,
            dml: 0,
            ap: 0,
            a: [0; 2],
            b: [0; 6],
            pk: [0; 2],
            dq: [32; 6],
            sr: [32; 2],
            td: false,
        }
    }

    /// The zero-predictor estimate `sezi` and the full estimate `sei`
    /// (FMULT, ACCUM), each truncated to 16 bits as the reference does. The
    /// eight products are independent and computed lane by lane.
    #[inline(always)]
    fn predict(&self) -> (i32, i32) {
        let an = [
            self.b[0] >> 2,
            self.b[1] >> 2,
            self.b[2] >> 2,
            self.b[3] >> 2,
            self.b[4] >> 2,
            self.b[5] >> 2,
            self.a[1] >> 2,
            self.a[0] >> 2,
        ];
        let srn = [
            self.dq[0], self.dq[1], self.dq[2], self.dq[3], self.dq[4], self.dq[5], self.sr[1], self.sr[0],
        ];
        let mut products = [0i32; 8];
        for ((p, &an), &srn) in products.iter_mut().zip(&an).zip(&srn) {
            *p = fmult(i32::from(an), i32::from(srn));
        }
        let sezi = t16(products[..6].iter().sum());
        let pole = t16(products[6] + products[7]);
        (sezi, t16(sezi + pole))
    }

    /// Quantizer scale factor (MIX).
    #[inline(always)]
    fn step_size(&self) -> i32 {
        let yu = i32::from(self.yu);
        if self.ap >= 256 {
            return yu;
        }
        let mut y = self.yl >> 6;
        let dif = yu - y;
        let al = i32::from(self.ap >> 2);
        if dif > 0 {
            y += (dif * al) >> 6;
        } else if dif < 0 {
            y += (dif * al + 0x3F) >> 6;
        }
        y
    }

    /// Runs one sample through the predictor given its code word: returns
    /// the 14-bit reconstructed signal. `code` is already known (decoder) or
    /// chosen by `choose` from the prediction error (encoder).
    #[inline(always)]
    fn step<const BITS: u32>(&mut self, choose: impl FnOnce(i32, i32) -> usize) -> (usize, i32) {
        let t = tables::<BITS>();
        let (sezi, sei) = self.predict();
        let se = sei >> 1;
        let y = self.step_size();
        let code = choose(se, y) & ((1 << BITS) - 1);
        let sign_bit = 1 << (BITS - 1);
        let dq = reconstruct(code & sign_bit != 0, t.dqln[code], y);
        let mag_mask = if BITS == 5 { 0x7FFF } else { 0x3FFF };
        let sr = t16(if dq < 0 { se - (dq & mag_mask) } else { se + dq });
        let dqsez = t16(sr + (sezi >> 1) - se);
        self.update::<BITS>(y, t.wi[code], t.fi[code], dq, sr, dqsez);
        (code, sr)
    }

    /// Adapts the quantizer, the predictor and the speed control after one
    /// sample (G.726 §4.2.3 to §4.2.7, including the tone/transition detector).
    #[inline(always)]
    fn update<const BITS: u32>(&mut self, y: i32, wi: i32, fi: i32, dq: i32, sr: i32, dqsez: i32) {
        let pk0: i16 = i16::from(dqsez < 0);
        let mag = dq & 0x7FFF;

        // TRANS: a transition from a data tone resets the predictor.
        let ylint = self.yl >> 15;
        let ylfrac = (self.yl >> 10) & 0x1F;
        let thr = if ylint > 9 {
            31 << 10
        } else {
            t16((32 + ylfrac) << ylint)
        };
        let dqthr = t16((thr + (thr >> 1)) >> 1);
        let tr = self.td && mag > dqthr;

        // FUNCTW, FILTD, LIMB: fast scale factor.
        self.yu = (y + ((wi - y) >> 5)).clamp(544, 5120) as i16;
        // FILTE: slow scale factor.
        self.yl += i32::from(self.yu) + ((-self.yl) >> 6);

        let mut a2p: i32 = 0;
        if tr {
            self.a = [0; 2];
            self.b = [0; 6];
        } else {
            // UPA2
            let pks1 = pk0 ^ self.pk[0];
            let a1 = i32::from(self.a[1]);
            a2p = a1 - (a1 >> 7);
            if dqsez != 0 {
                let a0 = i32::from(self.a[0]);
                let fa1 = if pks1 != 0 { a0 } else { -a0 };
                if fa1 < -8191 {
                    a2p -= 0x100;
                } else if fa1 > 8191 {
                    a2p += 0xFF;
                } else {
                    a2p += fa1 >> 5;
                }
                a2p = t16(a2p);
                // LIMC
                if pk0 ^ self.pk[1] != 0 {
                    if a2p <= -12160 {
                        a2p = -12288;
                    } else if a2p >= 12416 {
                        a2p = 12288;
                    } else {
                        a2p -= 0x80;
                    }
                } else if a2p <= -12416 {
                    a2p = -12288;
                } else if a2p >= 12160 {
                    a2p = 12288;
                } else {
                    a2p += 0x80;
                }
            }
            a2p = t16(a2p);
            self.a[1] = a2p as i16;

            // UPA1, LIMD
            let mut a0 = i32::from(self.a[0]);
            a0 -= a0 >> 8;
            if dqsez != 0 {
                if pks1 == 0 {
                    a0 += 192;
                } else {
                    a0 -= 192;
                }
            }
            let a1ul = t16(15360 - a2p);
            a0 = t16(a0);
            if a0 < -a1ul {
                a0 = -a1ul;
            } else if a0 > a1ul {
                a0 = a1ul;
            }
            self.a[0] = a0 as i16;

            // UPB: 40 kbit/s leaks the zero coefficients more slowly.
            let leak = if BITS == 5 { 9 } else { 8 };
            // +128 when the signs of dq and dq[i] agree, -128 when they
            // differ, nothing when dq is zero.
            let step = if mag != 0 { 128 } else { 0 };
            for (b, &dqi) in self.b.iter_mut().zip(&self.dq) {
                let mut v = i32::from(*b);
                v -= v >> leak;
                let differ = (dq ^ i32::from(dqi)) >> 31;
                v += (step ^ differ) - differ;
                // The reference keeps b in 16 bits and lets it wrap.
                *b = v as i16;
            }
        }

        // DELAY, FLOATA
        self.dq.copy_within(0..5, 1);
        self.dq[0] = if mag == 0 {
            if dq >= 0 { 0x20 } else { 0xFC20u16 as i16 }
        } else {
            to_float(mag, dq < 0)
        };

        // FLOATB
        self.sr[1] = self.sr[0];
        self.sr[0] = if sr == 0 {
            0x20
        } else if sr > 0 {
            to_float(sr, false)
        } else if sr > -32768 {
            to_float(t16(-sr), true)
        } else {
            0xFC20u16 as i16
        };

        self.pk[1] = self.pk[0];
        self.pk[0] = pk0;

        // TONE
        self.td = !tr && a2p < -11776;

        // FILTA, FILTB, SUBTC, FILTC: adaptation speed control.
        let dms = i32::from(self.dms);
        let dml = i32::from(self.dml);
        self.dms = (dms + ((fi - dms) >> 5)) as i16;
        self.dml = (dml + ((t16(fi << 2) - dml) >> 7)) as i16;
        let ap = i32::from(self.ap);
        let (dms, dml) = (i32::from(self.dms), i32::from(self.dml));
        self.ap = if tr {
            256
        } else if y < 1536 || self.td || ((dms << 2) - dml).abs() >= (dml >> 3) {
            (ap + ((0x200 - ap) >> 4)) as i16
        } else {
            (ap + ((-ap) >> 4)) as i16
        };
    }

    /// Encodes one 16-bit linear sample; returns its code word.
    #[inline(always)]
    fn encode_sample<const BITS: u32>(&mut self, sample: i16) -> u8 {
        let sl = i32::from(sample >> 2);
        let (code, _) = self.step::<BITS>(|se, y| quantize::<BITS>(t16(sl - se), y));
        code as u8
    }

    /// Decodes one code word (only its low `BITS` bits are used).
    #[inline(always)]
    fn decode_sample<const BITS: u32>(&mut self, code: u8) -> i16 {
        let (_, sr) = self.step::<BITS>(|_, _| usize::from(code));
        (sr << 2) as i16
    }
}

/// G.726 encoder: 16-bit linear PCM at 8 kHz in, packed code words out.
#[derive(Clone, Debug)]
pub struct G726Encoder {
    state: State,
    rate: G726Rate,
    packing: G726Packing,
}

impl G726Encoder {
    /// A fresh encoder (G.726 reset state).
    pub fn new(rate: G726Rate, packing: G726Packing) -> G726Encoder {
        G726Encoder {
            state: State::new(),
            rate,
            packing,
        }
    }

    /// The bit rate.
    pub fn rate(&self) -> G726Rate {
        self.rate
    }

    /// The octet packing.
    pub fn packing(&self) -> G726Packing {
        self.packing
    }

    /// Returns to the reset state.
    pub fn reset(&mut self) {
        self.state = State::new();
    }

    /// Encodes as many samples of `pcm` as fit in `out` (one code word per
    /// sample, [`G726Rate::samples_in`]); returns the octets written. The
    /// call starts on an octet boundary and zero-pads its last octet.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize {
        let n = pcm.len().min(self.rate.samples_in(out.len()));
        let pcm = &pcm[..n];
        match (self.rate, self.packing) {
            (G726Rate::Kbps16, G726Packing::Rfc3551) => encode_lsb::<2>(&mut self.state, pcm, out),
            (G726Rate::Kbps24, G726Packing::Rfc3551) => encode_lsb::<3>(&mut self.state, pcm, out),
            (G726Rate::Kbps32, G726Packing::Rfc3551) => encode_lsb::<4>(&mut self.state, pcm, out),
            (G726Rate::Kbps40, G726Packing::Rfc3551) => encode_lsb::<5>(&mut self.state, pcm, out),
            (G726Rate::Kbps16, G726Packing::Aal2) => encode_msb::<2>(&mut self.state, pcm, out),
            (G726Rate::Kbps24, G726Packing::Aal2) => encode_msb::<3>(&mut self.state, pcm, out),
            (G726Rate::Kbps32, G726Packing::Aal2) => encode_msb::<4>(&mut self.state, pcm, out),
            (G726Rate::Kbps40, G726Packing::Aal2) => encode_msb::<5>(&mut self.state, pcm, out),
        }
    }
}

/// G.726 decoder: packed code words in, 16-bit linear PCM at 8 kHz out.
#[derive(Clone, Debug)]
pub struct G726Decoder {
    state: State,
    rate: G726Rate,
    packing: G726Packing,
}

impl G726Decoder {
    /// A fresh decoder (G.726 reset state).
    pub fn new(rate: G726Rate, packing: G726Packing) -> G726Decoder {
        G726Decoder {
            state: State::new(),
            rate,
            packing,
        }
    }

    /// The bit rate.
    pub fn rate(&self) -> G726Rate {
        self.rate
    }

    /// The octet packing.
    pub fn packing(&self) -> G726Packing {
        self.packing
    }

    /// Returns to the reset state.
    pub fn reset(&mut self) {
        self.state = State::new();
    }

    /// Decodes the whole code words in `payload` (bits of a last, partly
    /// used octet are padding), as many as fit in `out`; returns the samples
    /// written. Every octet value is valid input.
    pub fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> usize {
        let n = out.len().min(self.rate.samples_in(payload.len()));
        let out = &mut out[..n];
        match (self.rate, self.packing) {
            (G726Rate::Kbps16, G726Packing::Rfc3551) => decode_lsb::<2>(&mut self.state, payload, out),
            (G726Rate::Kbps24, G726Packing::Rfc3551) => decode_lsb::<3>(&mut self.state, payload, out),
            (G726Rate::Kbps32, G726Packing::Rfc3551) => decode_lsb::<4>(&mut self.state, payload, out),
            (G726Rate::Kbps40, G726Packing::Rfc3551) => decode_lsb::<5>(&mut self.state, payload, out),
            (G726Rate::Kbps16, G726Packing::Aal2) => decode_msb::<2>(&mut self.state, payload, out),
            (G726Rate::Kbps24, G726Packing::Aal2) => decode_msb::<3>(&mut self.state, payload, out),
            (G726Rate::Kbps32, G726Packing::Aal2) => decode_msb::<4>(&mut self.state, payload, out),
            (G726Rate::Kbps40, G726Packing::Aal2) => decode_msb::<5>(&mut self.state, payload, out),
        }
    }
}

/// Writes `BITS`-bit code words into octets; `MSB_FIRST` selects the AAL2
/// order, otherwise the RFC 3551 one.
struct BitWriter<'a, const BITS: u32, const MSB_FIRST: bool> {
    slots: core::slice::IterMut<'a, u8>,
    acc: u32,
    nbits: u32,
    written: usize,
}

impl<'a, const BITS: u32, const MSB_FIRST: bool> BitWriter<'a, BITS, MSB_FIRST> {
    fn new(out: &'a mut [u8]) -> Self {
        BitWriter {
            slots: out.iter_mut(),
            acc: 0,
            nbits: 0,
            written: 0,
        }
    }

    #[inline(always)]
    fn emit(&mut self, octet: u8) {
        if let Some(slot) = self.slots.next() {
            *slot = octet;
            self.written += 1;
        }
    }

    #[inline(always)]
    fn push(&mut self, code: u8) {
        let code = u32::from(code) & ((1 << BITS) - 1);
        if MSB_FIRST {
            self.acc = (self.acc << BITS) | code;
            self.nbits += BITS;
            if self.nbits >= 8 {
                self.nbits -= 8;
                self.emit((self.acc >> self.nbits) as u8);
                self.acc &= (1 << self.nbits) - 1;
            }
        } else {
            self.acc |= code << self.nbits;
            self.nbits += BITS;
            if self.nbits >= 8 {
                self.emit(self.acc as u8);
                self.acc >>= 8;
                self.nbits -= 8;
            }
        }
    }

    /// Writes a last, partly filled octet (zero padding); returns the octets written.
    fn finish(mut self) -> usize {
        if self.nbits > 0 {
            let octet = if MSB_FIRST {
                (self.acc << (8 - self.nbits)) as u8
            } else {
                self.acc as u8
            };
            self.emit(octet);
        }
        self.written
    }
}

/// Reads `BITS`-bit code words from octets in the order `MSB_FIRST` selects.
struct BitReader<'a, const BITS: u32, const MSB_FIRST: bool> {
    octets: core::slice::Iter<'a, u8>,
    acc: u32,
    nbits: u32,
}

impl<'a, const BITS: u32, const MSB_FIRST: bool> BitReader<'a, BITS, MSB_FIRST> {
    fn new(payload: &'a [u8]) -> Self {
        BitReader {
            octets: payload.iter(),
            acc: 0,
            nbits: 0,
        }
    }

    #[inline(always)]
    fn next_code(&mut self) -> Option<u8> {
        let mask = (1u32 << BITS) - 1;
        if self.nbits < BITS {
            let octet = u32::from(*self.octets.next()?);
            if MSB_FIRST {
                self.acc = ((self.acc << 8) | octet) & 0xFFFF;
            } else {
                self.acc |= octet << self.nbits;
            }
            self.nbits += 8;
        }
        self.nbits -= BITS;
        if MSB_FIRST {
            Some(((self.acc >> self.nbits) & mask) as u8)
        } else {
            let code = (self.acc & mask) as u8;
            self.acc >>= BITS;
            Some(code)
        }
    }
}

fn encode_with<const BITS: u32, const MSB_FIRST: bool>(
    state: &mut State,
    pcm: &[i16],
    out: &mut [u8],
) -> usize {
    let mut writer = BitWriter::<BITS, MSB_FIRST>::new(out);
    for &sample in pcm {
        writer.push(state.encode_sample::<BITS>(sample));
    }
    writer.finish()
}

fn decode_with<const BITS: u32, const MSB_FIRST: bool>(
    state: &mut State,
    payload: &[u8],
    out: &mut [i16],
) -> usize {
    let mut reader = BitReader::<BITS, MSB_FIRST>::new(payload);
    let mut written = 0;
    for slot in out.iter_mut() {
        let Some(code) = reader.next_code() else { break };
        *slot = state.decode_sample::<BITS>(code);
        written += 1;
    }
    written
}

fn encode_lsb<const BITS: u32>(state: &mut State, pcm: &[i16], out: &mut [u8]) -> usize {
    encode_with::<BITS, false>(state, pcm, out)
}

fn encode_msb<const BITS: u32>(state: &mut State, pcm: &[i16], out: &mut [u8]) -> usize {
    encode_with::<BITS, true>(state, pcm, out)
}

fn decode_lsb<const BITS: u32>(state: &mut State, payload: &[u8], out: &mut [i16]) -> usize {
    decode_with::<BITS, false>(state, payload, out)
}

fn decode_msb<const BITS: u32>(state: &mut State, payload: &[u8], out: &mut [i16]) -> usize {
    decode_with::<BITS, true>(state, payload, out)
}

fn pack_with<const BITS: u32, const MSB_FIRST: bool>(codes: &[u8], out: &mut [u8]) -> usize {
    let mut writer = BitWriter::<BITS, MSB_FIRST>::new(out);
    for &code in codes {
        writer.push(code);
    }
    writer.finish()
}

fn unpack_with<const BITS: u32, const MSB_FIRST: bool>(payload: &[u8], codes: &mut [u8]) -> usize {
    let mut reader = BitReader::<BITS, MSB_FIRST>::new(payload);
    let mut written = 0;
    for slot in codes.iter_mut() {
        let Some(code) = reader.next_code() else { break };
        *slot = code;
        written += 1;
    }
    written
}

/// Packs code words (one per octet of `codes`, low `bits_per_sample` bits
/// used) into `out` with the given packing, as many as fit; returns the
/// octets written, the last one zero-padded.
pub fn pack(rate: G726Rate, packing: G726Packing, codes: &[u8], out: &mut [u8]) -> usize {
    let codes = &codes[..codes.len().min(rate.samples_in(out.len()))];
    match (rate, packing) {
        (G726Rate::Kbps16, G726Packing::Rfc3551) => pack_with::<2, false>(codes, out),
        (G726Rate::Kbps24, G726Packing::Rfc3551) => pack_with::<3, false>(codes, out),
        (G726Rate::Kbps32, G726Packing::Rfc3551) => pack_with::<4, false>(codes, out),
        (G726Rate::Kbps40, G726Packing::Rfc3551) => pack_with::<5, false>(codes, out),
        (G726Rate::Kbps16, G726Packing::Aal2) => pack_with::<2, true>(codes, out),
        (G726Rate::Kbps24, G726Packing::Aal2) => pack_with::<3, true>(codes, out),
        (G726Rate::Kbps32, G726Packing::Aal2) => pack_with::<4, true>(codes, out),
        (G726Rate::Kbps40, G726Packing::Aal2) => pack_with::<5, true>(codes, out),
    }
}

/// Unpacks the whole code words of `payload` into `codes` (one per octet),
/// as many as fit; returns the code words written.
pub fn unpack(rate: G726Rate, packing: G726Packing, payload: &[u8], codes: &mut [u8]) -> usize {
    match (rate, packing) {
        (G726Rate::Kbps16, G726Packing::Rfc3551) => unpack_with::<2, false>(payload, codes),
        (G726Rate::Kbps24, G726Packing::Rfc3551) => unpack_with::<3, false>(payload, codes),
        (G726Rate::Kbps32, G726Packing::Rfc3551) => unpack_with::<4, false>(payload, codes),
        (G726Rate::Kbps40, G726Packing::Rfc3551) => unpack_with::<5, false>(payload, codes),
        (G726Rate::Kbps16, G726Packing::Aal2) => unpack_with::<2, true>(payload, codes),
        (G726Rate::Kbps24, G726Packing::Aal2) => unpack_with::<3, true>(payload, codes),
        (G726Rate::Kbps32, G726Packing::Aal2) => unpack_with::<4, true>(payload, codes),
        (G726Rate::Kbps40, G726Packing::Aal2) => unpack_with::<5, true>(payload, codes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_have_two_to_five_bits_and_octet_counts_round_up() {
        let bits: Vec<u32> = G726Rate::ALL.iter().map(|r| r.bits_per_sample()).collect();
        assert_eq!(bits, [2, 3, 4, 5]);
        assert_eq!(G726Rate::Kbps32.bit_rate(), 32_000);
        assert_eq!(G726Rate::Kbps24.encoded_len(80), 30);
        assert_eq!(G726Rate::Kbps24.encoded_len(3), 2);
        assert_eq!(G726Rate::Kbps40.samples_in(5), 8);
        assert_eq!(G726Rate::Kbps40.samples_in(4), 6);
    }

    #[test]
    fn branch_free_fmult_matches_the_reference_form_everywhere() {
        // Every coefficient a predictor can hold (b >> 2 and a >> 2 of 16-bit
        // values) against every floating-format value (11 bits with sign).
        // Floating-format values are 10 bits, negative ones offset by -0x400.
        for an in (-8192..8192).step_by(5).chain([-8192, -1, 0, 1, 8191]) {
            for srn in -1024..1024 {
                assert_eq!(fmult(an, srn), fmult_reference(an, srn), "an {an} srn {srn}");
            }
        }
        for an in -8192..8192 {
            for srn in [-1024, -992, -1, 0, 32, 0x3FF, 0x2A5] {
                assert_eq!(fmult(an, srn), fmult_reference(an, srn), "an {an} srn {srn}");
            }
        }
    }

    #[test]
    fn fmult_of_zero_coefficient_is_small_and_signed_by_operands() {
        // 0 × the reset value 0x20 (= +1.0 × 2^-? in G.726 float) gives 0.
        assert_eq!(fmult(0, 32), 0);
        // A positive coefficient times a negative float value is negative.
        assert!(fmult(4096, 0xFC20u16 as i16 as i32 + (10 << 6)) <= 0);
    }

    #[test]
    fn packings_put_the_first_code_word_at_opposite_ends() {
        // Encode a loud step so the first code words are non-zero, then
        // compare the two packings' octets.
        let pcm = [8000i16, 8000, -8000, -8000, 8000, 8000, -8000, -8000];
        let mut lsb = [0u8; 4];
        let mut msb = [0u8; 4];
        G726Encoder::new(G726Rate::Kbps32, G726Packing::Rfc3551).encode(&pcm, &mut lsb);
        G726Encoder::new(G726Rate::Kbps32, G726Packing::Aal2).encode(&pcm, &mut msb);
        for (l, m) in lsb.iter().zip(&msb) {
            assert_eq!(l.rotate_left(4), *m);
        }
    }

    #[test]
    fn short_output_limits_the_samples_encoded() {
        let pcm = [100i16; 80];
        let mut out = [0u8; 7];
        let mut enc = G726Encoder::new(G726Rate::Kbps24, G726Packing::Rfc3551);
        // 7 octets hold 18 whole 3-bit code words (54 bits), padded to 7 octets.
        assert_eq!(enc.encode(&pcm, &mut out), 7);
        let mut dec = G726Decoder::new(G726Rate::Kbps24, G726Packing::Rfc3551);
        let mut back = [0i16; 80];
        assert_eq!(dec.decode(&out, &mut back), 18);
    }
}
