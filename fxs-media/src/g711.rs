//! ITU-T G.711 µ-law and A-law companding (media.md §1).
//!
//! The functions work on 16-bit linear samples: the 14-bit (µ-law) and 13-bit
//! (A-law) linear ranges of G.711 are left-justified in an `i16`, which is how
//! the ITU-T G.191 software tool library and spandsp present them. Encoding a
//! negative sample uses its one's complement magnitude (`!x`), as G.191 does, so
//! every one of the 65 536 inputs gives the octet the reference code gives.
//! (spandsp's µ-law encoder uses `-x` instead, so for some negative samples
//! it picks the neighbouring step; its A-law encoder agrees with G.191.
//! Decoding is the same everywhere.)
//!
//! Encoding finds the segment with a leading-zeros count instead of a search
//! loop or a 64 KiB table; decoding reads a 256-entry table built at compile
//! time from the G.711 reconstruction rule.

/// µ-law bias (33 in 14-bit units, media.md §1) expressed on 16-bit samples.
const ULAW_BIAS: u32 = 0x84;

/// Largest biased µ-law magnitude that still lies in segment 7; anything larger
/// saturates to the last code (G.191 clips the biased 14-bit value at 0x1FFF).
const ULAW_BIASED_MAX: u32 = 0x7FFF;

/// A-law "alternate digit inversion" mask (media.md §1: XOR 0x55 on the wire).
const ALAW_AMI_MASK: u8 = 0x55;

/// µ-law octet for a +0 sample, the idle pattern of a silent channel (media.md §1).
pub const ULAW_SILENCE: u8 = 0xFF;

/// A-law octet for a +0 sample, the idle pattern of a silent channel (media.md §1).
pub const ALAW_SILENCE: u8 = 0xD5;

/// The two G.711 companding laws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum G711Law {
    /// µ-law (North America, Japan): RTP payload type 0, `PCMU`.
    MuLaw,
    /// A-law (Europe and most of the world): RTP payload type 8, `PCMA`.
    ALaw,
}

impl G711Law {
    /// Octet that encodes digital silence (+0) in this law.
    pub const fn silence(self) -> u8 {
        match self {
            G711Law::MuLaw => ULAW_SILENCE,
            G711Law::ALaw => ALAW_SILENCE,
        }
    }

    /// Encodes `pcm` into `out`; returns the number of octets written
    /// (the shorter of the two lengths).
    pub fn encode(self, pcm: &[i16], out: &mut [u8]) -> usize {
        match self {
            G711Law::MuLaw => encode_ulaw(pcm, out),
            G711Law::ALaw => encode_alaw(pcm, out),
        }
    }

    /// Decodes `codes` into `out`; returns the number of samples written
    /// (the shorter of the two lengths).
    pub fn decode(self, codes: &[u8], out: &mut [i16]) -> usize {
        match self {
            G711Law::MuLaw => decode_ulaw(codes, out),
            G711Law::ALaw => decode_alaw(codes, out),
        }
    }
}

/// Index (0 = least significant) of the highest set bit of `value | 0xFF`,
/// minus 7: the G.711 segment number 0..=7 of a 15-bit magnitude.
#[inline(always)]
fn segment(magnitude: u32) -> u32 {
    (31 - (magnitude | 0xFF).leading_zeros()) - 7
}

/// Magnitude of a sample for companding, and whether it is negative.
/// Negative samples use the one's complement (G.191 `~x`), so -1 maps to 0.
#[inline(always)]
fn sign_magnitude(sample: i16) -> (bool, u32) {
    let negative = sample < 0;
    let magnitude = if negative { !sample } else { sample };
    // `magnitude` is 0..=32767 here, so the conversion is lossless.
    (negative, magnitude.unsigned_abs().into())
}

/// Encodes one 16-bit linear sample as a µ-law octet (ITU-T G.711 Table 2).
#[inline]
pub fn ulaw_encode(sample: i16) -> u8 {
    let (negative, magnitude) = sign_magnitude(sample);
    let biased = (magnitude + ULAW_BIAS).min(ULAW_BIASED_MAX);
    let seg = segment(biased);
    let step = (biased >> (seg + 3)) & 0x0F;
    // seg <= 7 and step <= 15, so the code fits in 7 bits.
    let code = ((seg << 4) | step) as u8;
    // All bits are inverted on the wire; the sign bit ends up 1 for positive.
    if negative { code ^ 0x7F } else { code ^ 0xFF }
}

/// Encodes one 16-bit linear sample as an A-law octet (ITU-T G.711 Table 1).
#[inline]
pub fn alaw_encode(sample: i16) -> u8 {
    let (negative, magnitude) = sign_magnitude(sample);
    let seg = segment(magnitude);
    // Segments 0 and 1 share the same step size (A-law has no bias).
    let shift = seg + 3 + u32::from(seg == 0);
    let step = (magnitude >> shift) & 0x0F;
    let code = ((seg << 4) | step) as u8;
    if negative {
        code ^ ALAW_AMI_MASK
    } else {
        code ^ (ALAW_AMI_MASK | 0x80)
    }
}

/// Reconstruction value of a µ-law octet: the middle of its decision interval
/// (G.711 Table 2, column "decoder output", scaled by 4 to 16 bits).
const fn ulaw_expand(code: u8) -> i16 {
    let inverted = !code;
    let exponent = (inverted >> 4) & 0x07;
    let step = (inverted & 0x0F) as i32;
    let magnitude = (((step << 3) + ULAW_BIAS as i32) << exponent) - ULAW_BIAS as i32;
    // |magnitude| <= 32124, so it fits in i16.
    if code & 0x80 != 0 {
        magnitude as i16
    } else {
        -magnitude as i16
    }
}

/// Reconstruction value of an A-law octet (G.711 Table 1, scaled by 8 to 16 bits).
const fn alaw_expand(code: u8) -> i16 {
    let value = (code ^ ALAW_AMI_MASK) & 0x7F;
    let exponent = value >> 4;
    let mut magnitude = ((value & 0x0F) as i32) << 4;
    magnitude += 8;
    if exponent > 0 {
        magnitude += 0x100;
    }
    if exponent > 1 {
        magnitude <<= exponent - 1;
    }
    // |magnitude| <= 32256, so it fits in i16.
    if code & 0x80 != 0 {
        magnitude as i16
    } else {
        -magnitude as i16
    }
}

const fn build_table(law: G711Law) -> [i16; 256] {
    let mut table = [0i16; 256];
    let mut code = 0usize;
    while code < 256 {
        table[code] = match law {
            G711Law::MuLaw => ulaw_expand(code as u8),
            G711Law::ALaw => alaw_expand(code as u8),
        };
        code += 1;
    }
    table
}

/// µ-law decoder table, indexed by the received octet.
static ULAW_TABLE: [i16; 256] = build_table(G711Law::MuLaw);
/// A-law decoder table, indexed by the received octet.
static ALAW_TABLE: [i16; 256] = build_table(G711Law::ALaw);

/// Decodes one µ-law octet to a 16-bit linear sample (±32124 at most).
#[inline]
pub fn ulaw_decode(code: u8) -> i16 {
    ULAW_TABLE[usize::from(code)]
}

/// Decodes one A-law octet to a 16-bit linear sample (±32256 at most).
#[inline]
pub fn alaw_decode(code: u8) -> i16 {
    ALAW_TABLE[usize::from(code)]
}

/// Encodes `pcm` as µ-law into `out`; returns the number of octets written
/// (the shorter of the two lengths).
pub fn encode_ulaw(pcm: &[i16], out: &mut [u8]) -> usize {
    let n = pcm.len().min(out.len());
    for (code, &sample) in out.iter_mut().zip(pcm) {
        *code = ulaw_encode(sample);
    }
    n
}

/// Encodes `pcm` as A-law into `out`; returns the number of octets written
/// (the shorter of the two lengths).
pub fn encode_alaw(pcm: &[i16], out: &mut [u8]) -> usize {
    let n = pcm.len().min(out.len());
    for (code, &sample) in out.iter_mut().zip(pcm) {
        *code = alaw_encode(sample);
    }
    n
}

/// Decodes µ-law `codes` into `out`; returns the number of samples written
/// (the shorter of the two lengths).
pub fn decode_ulaw(codes: &[u8], out: &mut [i16]) -> usize {
    let n = codes.len().min(out.len());
    for (sample, &code) in out.iter_mut().zip(codes) {
        *sample = ulaw_decode(code);
    }
    n
}

/// Decodes A-law `codes` into `out`; returns the number of samples written
/// (the shorter of the two lengths).
pub fn decode_alaw(codes: &[u8], out: &mut [i16]) -> usize {
    let n = codes.len().min(out.len());
    for (sample, &code) in out.iter_mut().zip(codes) {
        *sample = alaw_decode(code);
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// µ-law compression written the way ITU-T G.191 `ulaw_compress` states it:
    /// drop to 14 bits, add the bias 33, clip, then search the segment bit by bit.
    fn reference_ulaw_compress(sample: i16) -> u8 {
        let x = i32::from(sample);
        let mut absno = if x < 0 { (!x >> 2) + 33 } else { (x >> 2) + 33 };
        if absno > 0x1FFF {
            absno = 0x1FFF;
        }
        let mut i = absno >> 6;
        let mut segno = 1;
        while i != 0 {
            segno += 1;
            i >>= 1;
        }
        let high_nibble = 0x0008 - segno;
        let low_nibble = 0x000F - ((absno >> segno) & 0x000F);
        let mut out = (high_nibble << 4) | low_nibble;
        if x >= 0 {
            out |= 0x0080;
        }
        out as u8
    }

    /// A-law compression written the way ITU-T G.191 `alaw_compress` states it.
    fn reference_alaw_compress(sample: i16) -> u8 {
        let x = i32::from(sample);
        let mut ix = if x < 0 { !x >> 4 } else { x >> 4 };
        if ix > 15 {
            let mut iexp = 1;
            while ix > 16 + 15 {
                ix >>= 1;
                iexp += 1;
            }
            ix -= 16;
            ix += iexp << 4;
        }
        if x >= 0 {
            ix |= 0x0080;
        }
        (ix ^ 0x0055) as u8
    }

    /// µ-law expansion per G.191 `ulaw_expand`: segment base, step and half step.
    fn reference_ulaw_expand(code: u8) -> i16 {
        let sign = if code < 0x80 { -1 } else { 1 };
        let mantissa = i32::from(!code);
        let exponent = (mantissa >> 4) & 0x07;
        let segment = exponent + 1;
        let mantissa = mantissa & 0x0F;
        let step = 4 << segment;
        (sign * ((0x80 << exponent) + step * mantissa + step / 2 - 4 * 33)) as i16
    }

    /// A-law expansion per G.191 `alaw_expand`.
    fn reference_alaw_expand(code: u8) -> i16 {
        let ix = i32::from(code ^ 0x55) & 0x7F;
        let iexp = ix >> 4;
        let mut mant = ix & 0x0F;
        if iexp > 0 {
            mant += 16;
        }
        mant = (mant << 4) + 0x08;
        if iexp > 1 {
            mant <<= iexp - 1;
        }
        (if code > 127 { mant } else { -mant }) as i16
    }

    #[test]
    fn ulaw_encode_matches_itu_reference_for_every_input() {
        for sample in i16::MIN..=i16::MAX {
            assert_eq!(
                ulaw_encode(sample),
                reference_ulaw_compress(sample),
                "sample {sample}"
            );
        }
    }

    #[test]
    fn alaw_encode_matches_itu_reference_for_every_input() {
        for sample in i16::MIN..=i16::MAX {
            assert_eq!(
                alaw_encode(sample),
                reference_alaw_compress(sample),
                "sample {sample}"
            );
        }
    }

    #[test]
    fn decode_tables_match_itu_reference_for_every_code() {
        for code in 0..=255u8 {
            assert_eq!(
                ulaw_decode(code),
                reference_ulaw_expand(code),
                "µ-law {code:#04x}"
            );
            assert_eq!(
                alaw_decode(code),
                reference_alaw_expand(code),
                "A-law {code:#04x}"
            );
        }
    }

    #[test]
    fn decoder_end_points_match_g711_tables() {
        // media.md §1: idle octets and the largest decoded values.
        assert_eq!(ulaw_decode(0xFF), 0);
        assert_eq!(ulaw_decode(0x7F), 0);
        assert_eq!(ulaw_decode(0x80), 32124);
        assert_eq!(ulaw_decode(0x00), -32124);
        assert_eq!(alaw_decode(0xD5), 8);
        assert_eq!(alaw_decode(0x55), -8);
        assert_eq!(alaw_decode(0xAA), 32256);
        assert_eq!(alaw_decode(0x2A), -32256);
        // G.711 Table 2: µ-law segment 1 starts at decoder output 33 (14-bit units).
        assert_eq!(ulaw_decode(0xEF), 33 * 4);
        // G.711 Table 1: the first decoder output of A-law segment 2 is 66 (13-bit units).
        assert_eq!(alaw_decode(0x20 ^ 0xD5), 66 * 8);
        assert_eq!(ulaw_encode(0), ULAW_SILENCE);
        assert_eq!(alaw_encode(0), ALAW_SILENCE);
        assert_eq!(ulaw_encode(-1), 0x7F);
        assert_eq!(alaw_encode(-1), 0x55);
    }

    #[test]
    fn decoding_is_monotonic_in_magnitude() {
        // Within one sign, a larger segment/step means a larger magnitude.
        for law in [G711Law::MuLaw, G711Law::ALaw] {
            let mut previous = -1i32;
            for sample in (0..=i16::MAX).step_by(7) {
                let mut code = [0u8; 1];
                let mut back = [0i16; 1];
                law.encode(&[sample], &mut code);
                law.decode(&code, &mut back);
                let value = i32::from(back[0]);
                assert!(value >= previous, "{law:?} {sample}");
                previous = value;
            }
        }
    }

    #[test]
    fn digital_milliwatt_decodes_to_zero_dbm0() {
        // media.md §1: the 8-octet 1 kHz sequences of the digital milliwatt.
        let ulaw = [0x1E, 0x0B, 0x0B, 0x1E, 0x9E, 0x8B, 0x8B, 0x9E];
        let alaw = [0x34, 0x21, 0x21, 0x34, 0xB4, 0xA1, 0xA1, 0xB4];
        for (law, codes) in [(G711Law::MuLaw, ulaw), (G711Law::ALaw, alaw)] {
            let mut pcm = [0i16; 8];
            law.decode(&codes, &mut pcm);
            let rms = (pcm.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / 8.0).sqrt();
            // API.md level convention: 0 dBm0 has an RMS of 32767 * 10^(-3.14/20) / sqrt(2).
            #[allow(clippy::approx_constant, reason = "3.14 dB is the G.711 figure, not pi")]
            let full_scale_dbm0 = 3.14;
            let dbm0 = 20.0 * (rms * 2f64.sqrt() / 32767.0).log10() + full_scale_dbm0;
            assert!(dbm0.abs() < 0.1, "{law:?}: {dbm0} dBm0");
        }
    }

    #[test]
    fn slice_helpers_stop_at_the_shorter_slice() {
        let pcm = [1000i16, -1000, 0];
        let mut codes = [0u8; 2];
        assert_eq!(encode_ulaw(&pcm, &mut codes), 2);
        assert_eq!(codes, [ulaw_encode(1000), ulaw_encode(-1000)]);
        assert_eq!(encode_alaw(&pcm, &mut codes), 2);
        assert_eq!(codes, [alaw_encode(1000), alaw_encode(-1000)]);
        let mut out = [7i16; 4];
        assert_eq!(decode_alaw(&codes, &mut out), 2);
        assert_eq!(out[2..], [7, 7]);
        assert_eq!(decode_ulaw(&[0xFF; 5], &mut out), 4);
        assert_eq!(out, [0; 4]);
    }

    proptest! {
        #[test]
        fn ulaw_decode_encode_round_trips_every_code(code in any::<u8>()) {
            // -0 (0x7F) decodes to 0, which encodes as +0 (0xFF).
            let expected = if code == 0x7F { 0xFF } else { code };
            prop_assert_eq!(ulaw_encode(ulaw_decode(code)), expected);
        }

        #[test]
        fn alaw_decode_encode_round_trips_every_code(code in any::<u8>()) {
            prop_assert_eq!(alaw_encode(alaw_decode(code)), code);
        }

        #[test]
        fn encode_decode_error_is_within_half_a_step(sample in any::<i16>()) {
            // Quantisation error is at most half the step of the segment,
            // except in the clipped top of the µ-law range.
            let x = i32::from(sample);
            let u = i32::from(ulaw_decode(ulaw_encode(sample)));
            let ustep = 8 << segment(((x.unsigned_abs()) + ULAW_BIAS).min(ULAW_BIASED_MAX));
            if x.abs() < 32124 {
                prop_assert!((u - x).abs() <= ustep / 2 + 1, "µ {} -> {}", x, u);
            }
            let a = i32::from(alaw_decode(alaw_encode(sample)));
            let seg = segment(x.unsigned_abs().min(32767));
            let astep = if seg == 0 { 16 } else { 8 << seg };
            prop_assert!((a - x).abs() <= astep / 2 + 1, "A {} -> {}", x, a);
        }
    }
}
