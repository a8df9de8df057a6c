//! Signal levels in dBm0 on 16-bit linear PCM.

/// Level of a full-scale sine in dBm0 on A-law (media.md §1); the SDK's
/// 16-bit linear scale uses it for all codecs.
#[expect(clippy::approx_constant, reason = "+3.14 dBm0 is a level, not pi")]
pub const FULL_SCALE_DBM0: f32 = 3.14;

/// Largest 16-bit sample value: the peak of a full-scale sine.
const FULL_SCALE: f32 = 32767.0;

/// The floor [`Dbm0::from_rms`] returns for silence.
const FLOOR_DBM0: f32 = -120.0;

/// A signal level in dBm0.
///
/// Convention for all crates of the SDK: 0 dBm0 is a sine whose peak is
/// `32767 * 10^(-3.14/20)` (about 22 826) on 16-bit linear PCM, the A-law
/// digital milliwatt; a full-scale sine is +3.14 dBm0 (media.md §1). A
/// level of a multi-frequency tone is the level of each component unless
/// said otherwise.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Dbm0(pub f32);

impl Dbm0 {
    /// Peak amplitude (16-bit linear) of a sine at this level:
    /// `32767 * 10^((L - 3.14) / 20)`.
    pub fn amplitude(self) -> f32 {
        FULL_SCALE * libm::powf(10.0, (self.0 - FULL_SCALE_DBM0) / 20.0)
    }

    /// RMS value (16-bit linear) of a sine at this level.
    pub fn rms(self) -> f32 {
        self.amplitude() * core::f32::consts::FRAC_1_SQRT_2
    }

    /// The level of a sine with this RMS value:
    /// `20 * log10(rms * sqrt(2) / 32767) + 3.14`. Returns `Dbm0(-120.0)`
    /// for zero (and never anything lower), also for negative or NaN input.
    pub fn from_rms(rms: f32) -> Dbm0 {
        Dbm0::from_amplitude(rms * core::f32::consts::SQRT_2)
    }

    /// The level of a sine with this peak amplitude (inverse of
    /// [`amplitude`](Self::amplitude)); `Dbm0(-120.0)` at most for zero,
    /// negative or NaN input.
    pub fn from_amplitude(peak: f32) -> Dbm0 {
        // NaN fails the comparison and falls through to the floor.
        if peak > 0.0 {
            let db = 20.0 * libm::log10f(peak / FULL_SCALE) + FULL_SCALE_DBM0;
            if db > FLOOR_DBM0 {
                return Dbm0(db);
            }
        }
        Dbm0(FLOOR_DBM0)
    }

    /// The level `db` decibels above this one.
    pub fn plus_db(self, db: f32) -> Dbm0 {
        Dbm0(self.0 + db)
    }
}

/// Mean square of a block of samples (0 for an empty block).
pub(crate) fn mean_square(samples: &[i16]) -> f32 {
    if samples.is_empty() {
        return 0.0;
    }
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len() as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f32, b: f32, tol: f32) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn zero_dbm0_is_the_digital_milliwatt_peak() {
        // 32767 * 10^(-3.14/20) = 22 826.
        assert!(
            close(Dbm0(0.0).amplitude(), 22_826.4, 1.0),
            "{}",
            Dbm0(0.0).amplitude()
        );
    }

    #[test]
    fn full_scale_sine_is_plus_3_14_dbm0() {
        assert!(close(Dbm0(FULL_SCALE_DBM0).amplitude(), 32_767.0, 0.5));
        assert!(close(Dbm0::from_amplitude(32_767.0).0, FULL_SCALE_DBM0, 1e-4));
    }

    #[test]
    fn from_rms_inverts_rms() {
        for l in [-60.0, -25.0, -13.0, 0.0, 3.0] {
            let back = Dbm0::from_rms(Dbm0(l).rms());
            assert!(close(back.0, l, 1e-3), "{l} -> {back:?}");
        }
    }

    #[test]
    fn silence_and_garbage_give_the_floor() {
        assert_eq!(Dbm0::from_rms(0.0), Dbm0(-120.0));
        assert_eq!(Dbm0::from_rms(-1.0), Dbm0(-120.0));
        assert_eq!(Dbm0::from_rms(f32::NAN), Dbm0(-120.0));
        assert_eq!(Dbm0::from_rms(1e-30), Dbm0(-120.0));
    }

    #[test]
    fn mean_square_of_a_square_wave_is_its_amplitude_squared() {
        let x = [100i16, -100, 100, -100];
        assert!(close(mean_square(&x), 10_000.0, 1e-3));
        assert_eq!(mean_square(&[]), 0.0);
    }
}
