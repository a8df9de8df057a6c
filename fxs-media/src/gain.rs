//! Fixed gain and automatic gain control on 16-bit PCM frames.
//!
//! [`Gain`] multiplies by a constant set in dB and saturates at the 16-bit
//! limits instead of wrapping. [`Agc`] brings speech towards a target level
//! in dBm0: it measures each 10 ms frame, follows rising levels quickly
//! (attack) and falling ones slowly (release), and holds its gain while the
//! input is below a gate level, so the background noise between words is
//! not pumped up to the target. Levels use the SDK's dBm0 convention
//! (media.md §1, [`Dbm0`]).
//!
//! ```
//! use fxs_media::gain::{Agc, AgcConfig, Gain};
//!
//! let mut frame = [1000i16; 80];
//! Gain::from_db(6.0)?.apply(&mut frame);
//! assert_eq!(frame[0], 1995);
//!
//! let mut agc = Agc::new(AgcConfig::default())?;
//! agc.process(&mut frame);
//! # Ok::<(), fxs_media::Error>(())
//! ```

use fxs_tones::Dbm0;

use crate::{Error, FRAME_SAMPLES};

/// Largest fixed or automatic gain accepted, dB.
pub const MAX_GAIN_DB: f32 = 40.0;
/// Smallest fixed or automatic gain accepted, dB.
pub const MIN_GAIN_DB: f32 = -60.0;

/// Frame length the AGC's time constants are counted in, ms.
const FRAME_MS: f32 = (FRAME_SAMPLES / 8) as f32;

fn setting_error(field: &'static str, value: f32, allowed: &'static str) -> Error {
    Error::InvalidSetting {
        field,
        value: format!("{value:?}"),
        allowed,
    }
}

fn check_range(
    field: &'static str,
    value: f32,
    lo: f32,
    hi: f32,
    allowed: &'static str,
) -> Result<(), Error> {
    if value.is_finite() && (lo..=hi).contains(&value) {
        Ok(())
    } else {
        Err(setting_error(field, value, allowed))
    }
}

fn db_to_factor(db: f32) -> f32 {
    10f32.powf(db / 20.0)
}

/// Multiplies `frame` by a factor that moves linearly from `from` to `to`
/// over the frame, saturating at the 16-bit limits.
fn apply_ramp(frame: &mut [i16], from: f32, to: f32) {
    let step = if frame.is_empty() {
        0.0
    } else {
        (to - from) / frame.len() as f32
    };
    for (i, s) in frame.iter_mut().enumerate() {
        let g = from + step * (i + 1) as f32;
        // Float-to-int `as` saturates at i16::MIN / i16::MAX.
        *s = (f32::from(*s) * g).round() as i16;
    }
}

/// A fixed gain in dB, applied with saturation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gain {
    db: f32,
    factor: f32,
}

impl Gain {
    /// A gain of `db` decibels; [`MIN_GAIN_DB`]..=[`MAX_GAIN_DB`].
    pub fn from_db(db: f32) -> Result<Gain, Error> {
        check_range("gain_db", db, MIN_GAIN_DB, MAX_GAIN_DB, "-60 to +40 dB")?;
        Ok(Gain {
            db,
            factor: db_to_factor(db),
        })
    }

    /// Unity gain (0 dB).
    pub fn unity() -> Gain {
        Gain { db: 0.0, factor: 1.0 }
    }

    /// The gain in dB.
    pub fn db(&self) -> f32 {
        self.db
    }

    /// The gain as a linear factor.
    pub fn factor(&self) -> f32 {
        self.factor
    }

    /// Multiplies every sample by the gain, saturating at ±32767/−32768.
    pub fn apply(&self, frame: &mut [i16]) {
        apply_ramp(frame, self.factor, self.factor);
    }
}

impl Default for Gain {
    fn default() -> Self {
        Gain::unity()
    }
}

/// Configuration of an [`Agc`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AgcConfig {
    /// Level the AGC brings active speech to.
    pub target: Dbm0,
    /// Largest gain it applies, dB (at most [`MAX_GAIN_DB`]).
    pub max_gain_db: f32,
    /// Smallest gain (largest attenuation) it applies, dB (at least
    /// [`MIN_GAIN_DB`]).
    pub min_gain_db: f32,
    /// Time constant for following a rising input level, ms.
    pub attack_ms: f32,
    /// Time constant for following a falling input level, ms.
    pub release_ms: f32,
    /// Frames below this level do not move the gain (the noise gate).
    pub gate: Dbm0,
}

impl Default for AgcConfig {
    /// Target −18 dBm0, gain −12..+15 dB, attack 20 ms, release 1 s,
    /// gate −50 dBm0.
    fn default() -> Self {
        AgcConfig {
            target: Dbm0(-18.0),
            max_gain_db: 15.0,
            min_gain_db: -12.0,
            attack_ms: 20.0,
            release_ms: 1000.0,
            gate: Dbm0(-50.0),
        }
    }
}

impl AgcConfig {
    /// Checks every field; the error names the first one out of range.
    pub fn validate(&self) -> Result<(), Error> {
        check_range("target", self.target.0, -60.0, 3.0, "-60 to +3 dBm0")?;
        check_range("max_gain_db", self.max_gain_db, 0.0, MAX_GAIN_DB, "0 to +40 dB")?;
        check_range("min_gain_db", self.min_gain_db, MIN_GAIN_DB, 0.0, "-60 to 0 dB")?;
        check_range("attack_ms", self.attack_ms, FRAME_MS, 10_000.0, "10 ms to 10 s")?;
        check_range("release_ms", self.release_ms, FRAME_MS, 60_000.0, "10 ms to 60 s")?;
        check_range(
            "gate",
            self.gate.0,
            -90.0,
            self.target.0,
            "-90 dBm0 up to the target",
        )?;
        Ok(())
    }
}

/// Automatic gain control; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct Agc {
    config: AgcConfig,
    attack: f32,
    release: f32,
    gate_ms: f32,
    /// Smoothed mean square of the input's active frames.
    level_ms: f32,
    /// Gain applied at the end of the last frame (linear).
    gain: f32,
    max_gain: f32,
    min_gain: f32,
    target_ms: f32,
}

impl Agc {
    /// Builds an AGC starting at unity gain.
    pub fn new(config: AgcConfig) -> Result<Agc, Error> {
        config.validate()?;
        let coefficient = |ms: f32| 1.0 - (-FRAME_MS / ms).exp();
        let mean_square = |level: Dbm0| {
            let rms = level.rms();
            rms * rms
        };
        Ok(Agc {
            config,
            attack: coefficient(config.attack_ms),
            release: coefficient(config.release_ms),
            gate_ms: mean_square(config.gate),
            level_ms: 0.0,
            gain: 1.0,
            max_gain: db_to_factor(config.max_gain_db),
            min_gain: db_to_factor(config.min_gain_db),
            target_ms: mean_square(config.target),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &AgcConfig {
        &self.config
    }

    /// The gain now applied, dB.
    pub fn gain_db(&self) -> f32 {
        20.0 * self.gain.log10()
    }

    /// The measured level of the active input, or `None` before any frame
    /// has passed the gate.
    pub fn input_level(&self) -> Option<Dbm0> {
        (self.level_ms > 0.0).then(|| Dbm0::from_rms(self.level_ms.sqrt()))
    }

    /// Applies the gain to one frame, in place (any length; the time
    /// constants count one call as 10 ms).
    pub fn process(&mut self, frame: &mut [i16]) {
        if frame.is_empty() {
            return;
        }
        let mean_square =
            frame.iter().map(|&s| f32::from(s) * f32::from(s)).sum::<f32>() / frame.len() as f32;
        let start = self.gain;
        if mean_square >= self.gate_ms {
            let rate = if mean_square > self.level_ms {
                self.attack
            } else {
                self.release
            };
            self.level_ms += rate * (mean_square - self.level_ms);
            let wanted = (self.target_ms / self.level_ms.max(1e-6)).sqrt();
            self.gain = wanted.clamp(self.min_gain, self.max_gain);
        }
        // Never let the gain clip this frame's peak.
        let peak = frame.iter().map(|&s| f32::from(s).abs()).fold(0.0, f32::max);
        let limited = peak * self.gain > 32767.0;
        if limited {
            self.gain = (32767.0 / peak).max(self.min_gain);
        }
        // A limited frame takes the lower gain at once; otherwise ramp.
        let from = if limited { start.min(self.gain) } else { start };
        apply_ramp(frame, from, self.gain);
    }

    /// Back to unity gain and no measured level.
    pub fn reset(&mut self) {
        self.level_ms = 0.0;
        self.gain = 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_db_doubles_and_saturates_instead_of_wrapping() {
        let g = Gain::from_db(6.0206).unwrap();
        let mut frame = [100i16, -100, 20_000, -20_000, 0];
        g.apply(&mut frame);
        assert_eq!(frame, [200, -200, 32767, -32768, 0]);
    }

    #[test]
    fn gain_outside_the_range_or_nan_is_refused() {
        for db in [f32::NAN, f32::INFINITY, 40.5, -61.0] {
            let err = Gain::from_db(db).unwrap_err();
            assert!(
                matches!(err, Error::InvalidSetting { field: "gain_db", .. }),
                "{db}"
            );
        }
    }

    #[test]
    fn agc_config_names_the_bad_field() {
        let bad = AgcConfig {
            release_ms: 0.0,
            ..AgcConfig::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(Error::InvalidSetting {
                field: "release_ms",
                ..
            })
        ));
        let bad = AgcConfig {
            gate: Dbm0(-10.0),
            ..AgcConfig::default()
        };
        assert!(matches!(
            bad.validate(),
            Err(Error::InvalidSetting { field: "gate", .. })
        ));
    }
}
