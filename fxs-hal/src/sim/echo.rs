//! [`EchoPath`]: the hybrid echo of a simulated port.

use crate::config::{ConfigError, check_range};
use fxs_tones::FRAME_SAMPLES;

/// Longest impulse response an [`EchoPath`] takes: 128 ms at 8 kHz, the
/// tail length G.168 echo cancellers are tested with.
pub const MAX_ECHO_TAPS: usize = 1024;

/// The 2-wire/4-wire hybrid of a port as an echo path: the uplink receives
/// the downlink filtered by an impulse response whose energy gives the echo
/// return loss (ERL).
///
/// The impulse response is scaled at construction so that its energy gain
/// is exactly −ERL dB: a white downlink comes back ERL dB quieter. Per
/// frame it is a direct FIR over a ring of past samples: no allocation.
#[derive(Clone, Debug)]
pub struct EchoPath {
    taps: Vec<f32>,
    /// The last `taps.len()` downlink samples, newest at `pos - 1`.
    history: Vec<f32>,
    pos: usize,
    erl_db: f32,
}

impl EchoPath {
    /// An echo path with this impulse response (taps at 8 kHz, any scale)
    /// and echo return loss `erl_db` (0-60 dB; a hybrid typically gives
    /// 6-20 dB). Errors: an empty, all-zero, non-finite or too long
    /// response, or an ERL out of range.
    pub fn new(impulse: &[f32], erl_db: f32) -> Result<EchoPath, ConfigError> {
        if impulse.is_empty() || impulse.len() > MAX_ECHO_TAPS {
            return Err(ConfigError::OutOfRange {
                field: "echo.impulse.len",
                value: impulse.len() as f32,
                min: 1.0,
                max: MAX_ECHO_TAPS as f32,
            });
        }
        check_range("echo.erl_db", erl_db, 0.0, 60.0)?;
        let energy: f32 = impulse.iter().map(|t| t * t).sum();
        if !energy.is_finite() || energy <= 0.0 {
            return Err(ConfigError::OutOfRange {
                field: "echo.impulse.energy",
                value: energy,
                min: f32::MIN_POSITIVE,
                max: f32::MAX,
            });
        }
        let scale = 10f32.powf(-erl_db / 20.0) / energy.sqrt();
        let taps: Vec<f32> = impulse.iter().map(|t| t * scale).collect();
        Ok(EchoPath {
            history: vec![0.0; taps.len()],
            taps,
            pos: 0,
            erl_db,
        })
    }

    /// A typical hybrid: 1 ms bulk delay, then a decaying, sign-alternating
    /// response over 8 ms (a short loop), at `erl_db`.
    pub fn typical(erl_db: f32) -> Result<EchoPath, ConfigError> {
        let mut ir = [0.0f32; 72];
        for (i, tap) in ir.iter_mut().enumerate().skip(8) {
            let k = (i - 8) as f32;
            let sign = if i % 3 == 0 { -1.0 } else { 1.0 };
            *tap = sign * (-k / 12.0).exp();
        }
        EchoPath::new(&ir, erl_db)
    }

    /// The echo return loss, dB.
    #[must_use]
    pub fn erl_db(&self) -> f32 {
        self.erl_db
    }

    /// The scaled impulse response.
    #[must_use]
    pub fn taps(&self) -> &[f32] {
        &self.taps
    }

    /// Forget the past downlink.
    pub fn reset(&mut self) {
        self.history.fill(0.0);
        self.pos = 0;
    }

    /// Push one downlink frame and write its echo.
    pub fn process(&mut self, downlink: &[i16; FRAME_SAMPLES], echo: &mut [i16; FRAME_SAMPLES]) {
        let n = self.history.len();
        for (x, out) in downlink.iter().zip(echo.iter_mut()) {
            if let Some(slot) = self.history.get_mut(self.pos) {
                *slot = f32::from(*x);
            }
            let mut acc = 0.0f32;
            // taps[k] pairs with the sample k steps back.
            let mut idx = self.pos;
            for tap in &self.taps {
                acc += tap * self.history.get(idx).copied().unwrap_or(0.0);
                idx = if idx == 0 { n - 1 } else { idx - 1 };
            }
            self.pos = (self.pos + 1) % n;
            *out = acc.round().clamp(f32::from(i16::MIN), f32::from(i16::MAX)) as i16;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn energy(x: &[i16]) -> f64 {
        x.iter().map(|&s| f64::from(s) * f64::from(s)).sum()
    }

    #[test]
    fn impulse_comes_back_as_the_scaled_response() {
        let mut e = EchoPath::new(&[0.0, 0.0, 1.0, -1.0], 0.0).unwrap();
        let mut x = [0i16; FRAME_SAMPLES];
        x[0] = 10_000;
        let mut y = [0i16; FRAME_SAMPLES];
        e.process(&x, &mut y);
        let s = 10_000.0 / 2f32.sqrt();
        assert_eq!(&y[..5], &[0, 0, s.round() as i16, -s.round() as i16, 0]);
    }

    #[test]
    fn noise_like_downlink_returns_erl_db_quieter() {
        let mut e = EchoPath::typical(12.0).unwrap();
        let mut seed = 1u32;
        let (mut ein, mut eout) = (0.0, 0.0);
        for frame in 0..200 {
            let mut x = [0i16; FRAME_SAMPLES];
            for s in &mut x {
                seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                *s = ((seed >> 16) as i16) / 4;
            }
            let mut y = [0i16; FRAME_SAMPLES];
            e.process(&x, &mut y);
            if frame >= 10 {
                ein += energy(&x);
                eout += energy(&y);
            }
        }
        let erl = 10.0 * (ein / eout).log10();
        assert!((erl - 12.0).abs() < 0.5, "measured ERL {erl} dB");
    }

    #[test]
    fn echo_continues_across_frames() {
        let mut ir = vec![0.0f32; 100];
        ir[90] = 1.0;
        let mut e = EchoPath::new(&ir, 0.0).unwrap();
        let mut x = [0i16; FRAME_SAMPLES];
        x[79] = 1000;
        let mut y = [0i16; FRAME_SAMPLES];
        e.process(&x, &mut y);
        assert!(y.iter().all(|&s| s == 0));
        e.process(&[0; FRAME_SAMPLES], &mut y);
        assert!(y.iter().all(|&s| s == 0));
        // 79 + 90 = 169: the third frame, sample 9.
        e.process(&[0; FRAME_SAMPLES], &mut y);
        assert_eq!(y[9], 1000);
        assert_eq!(y.iter().filter(|&&s| s != 0).count(), 1);
    }

    #[test]
    fn bad_responses_are_refused() {
        assert!(EchoPath::new(&[], 10.0).is_err());
        assert!(EchoPath::new(&[0.0; 4], 10.0).is_err());
        assert!(EchoPath::new(&[f32::NAN], 10.0).is_err());
        assert!(EchoPath::new(&[1.0], -3.0).is_err());
        assert!(EchoPath::new(&vec![1.0; MAX_ECHO_TAPS + 1], 10.0).is_err());
    }
}
