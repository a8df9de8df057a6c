//! Energy-based voice activity detection with hangover and an adaptive
//! noise floor, for silence suppression with RFC 3389 comfort noise
//! (media.md §5).
//!
//! Each 10 ms frame's energy is compared with a running estimate of the
//! background: speech is declared when the frame is [`VadConfig::threshold_db`]
//! above the floor and above an absolute minimum. The floor is the lowest
//! frame energy of the last one to two seconds (a two-bucket windowed
//! minimum): it follows the background down at once and up within two
//! seconds, and the pauses of real speech keep it at the background while
//! someone talks. After speech the decision
//! holds for the hangover, so word endings and short pauses are sent. Fax
//! and modem calls must not use it (media.md §5, fax-t38.md §9).

use crate::Error;

/// Settings of a [`Vad`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VadConfig {
    /// Energy above the noise floor that counts as speech, in dB.
    pub threshold_db: f32,
    /// Frames the decision stays "speech" after the last speech frame.
    pub hangover_frames: u32,
    /// Frames below this level (dBov, 0 = full-scale sine) are never speech.
    pub min_speech_dbov: f32,
}

impl Default for VadConfig {
    /// 9 dB over the floor, 200 ms hangover, nothing under −55 dBov.
    fn default() -> VadConfig {
        VadConfig {
            threshold_db: 9.0,
            hangover_frames: 20,
            min_speech_dbov: -55.0,
        }
    }
}

/// Power of a full-scale sine on 16-bit samples (0 dBov).
const FULL_SCALE_POWER: f32 = 32767.0 * 32767.0 / 2.0;
/// Frames per bucket of the windowed minimum (1 s).
const WINDOW_FRAMES: u32 = 100;

/// The detector; see the module docs. Fixed state, no allocation.
#[derive(Clone, Debug)]
pub struct Vad {
    threshold: f32,
    hangover: u32,
    min_power: f32,
    floor: f32,
    /// Minimum of the previous and of the current bucket.
    previous_min: f32,
    current_min: f32,
    in_bucket: u32,
    hang: u32,
    active: bool,
    last_power: f32,
}

impl Vad {
    /// A detector with these settings; the error names a bad field.
    pub fn new(config: VadConfig) -> Result<Vad, Error> {
        if !(0.0..=40.0).contains(&config.threshold_db) {
            return Err(Error::InvalidConfig {
                field: "threshold_db",
                value: config.threshold_db.max(0.0) as u64,
                allowed: "0..=40 dB",
            });
        }
        if !(-120.0..=0.0).contains(&config.min_speech_dbov) {
            return Err(Error::InvalidConfig {
                field: "min_speech_dbov",
                value: (-config.min_speech_dbov).max(0.0) as u64,
                allowed: "-120..=0 dBov",
            });
        }
        Ok(Vad {
            threshold: 10f32.powf(config.threshold_db / 10.0),
            hangover: config.hangover_frames,
            min_power: FULL_SCALE_POWER * 10f32.powf(config.min_speech_dbov / 10.0),
            floor: 0.0,
            previous_min: f32::MAX,
            current_min: f32::MAX,
            in_bucket: 0,
            hang: 0,
            active: false,
            last_power: 0.0,
        })
    }

    /// Judges one frame; true while speech (or its hangover) is on.
    pub fn process(&mut self, frame: &[i16]) -> bool {
        if frame.is_empty() {
            return self.active;
        }
        let power = frame.iter().map(|&s| f32::from(s) * f32::from(s)).sum::<f32>() / frame.len() as f32;
        self.last_power = power;
        self.current_min = self.current_min.min(power);
        self.in_bucket += 1;
        if self.in_bucket == WINDOW_FRAMES {
            self.previous_min = self.current_min;
            self.current_min = f32::MAX;
            self.in_bucket = 0;
        }
        self.floor = self.previous_min.min(self.current_min).max(1.0);
        let speech = power > self.floor * self.threshold && power > self.min_power;
        if speech {
            self.hang = self.hangover;
            self.active = true;
        } else {
            self.active = self.hang > 0;
            self.hang = self.hang.saturating_sub(1);
        }
        self.active
    }

    /// The last decision.
    pub fn is_active(&self) -> bool {
        self.active
    }

    /// The background estimate as an RMS on 16-bit samples.
    pub fn noise_rms(&self) -> f32 {
        self.floor.sqrt()
    }

    /// The energy of the last frame as an RMS on 16-bit samples.
    pub fn frame_rms(&self) -> f32 {
        self.last_power.sqrt()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn noise_frame(rng: &mut u32, rms: f32) -> [i16; 80] {
        let mut frame = [0i16; 80];
        for s in frame.iter_mut() {
            *rng ^= *rng << 13;
            *rng ^= *rng >> 17;
            *rng ^= *rng << 5;
            let white = (*rng >> 8) as f32 / (1u32 << 23) as f32 - 1.0;
            *s = (white * rms * 3f32.sqrt()) as i16;
        }
        frame
    }

    fn tone_frame(k: usize, amp: f32) -> [i16; 80] {
        let mut frame = [0i16; 80];
        for (i, s) in frame.iter_mut().enumerate() {
            *s = (amp * (2.0 * core::f32::consts::PI * 440.0 * (k * 80 + i) as f32 / 8000.0).sin()) as i16;
        }
        frame
    }

    #[test]
    fn speech_over_noise_is_detected_and_held_for_the_hangover() {
        let mut vad = Vad::new(VadConfig::default()).unwrap();
        let mut rng = 5;
        for _ in 0..50 {
            assert!(!vad.process(&noise_frame(&mut rng, 100.0)));
        }
        assert!((vad.noise_rms() - 100.0).abs() < 30.0, "{}", vad.noise_rms());
        for k in 0..30 {
            assert!(vad.process(&tone_frame(k, 3000.0)));
        }
        // Hangover: 20 frames of noise still count as speech.
        for k in 0..20 {
            assert!(
                vad.process(&noise_frame(&mut rng, 100.0)),
                "frame {k} of the hangover"
            );
        }
        assert!(!vad.process(&noise_frame(&mut rng, 100.0)));
    }

    #[test]
    fn the_floor_adapts_to_louder_background_without_calling_it_speech_forever() {
        let mut vad = Vad::new(VadConfig::default()).unwrap();
        let mut rng = 7;
        for _ in 0..50 {
            vad.process(&noise_frame(&mut rng, 50.0));
        }
        // The background steps up 9 dB: within two seconds it is silence again.
        let mut last = true;
        for _ in 0..250 {
            last = vad.process(&noise_frame(&mut rng, 150.0));
        }
        assert!(!last);
        assert!((vad.noise_rms() - 150.0).abs() < 50.0, "{}", vad.noise_rms());
    }

    #[test]
    fn very_quiet_signals_are_never_speech() {
        let mut vad = Vad::new(VadConfig::default()).unwrap();
        for k in 0..20 {
            assert!(!vad.process(&tone_frame(k, if k < 10 { 0.0 } else { 20.0 })));
        }
    }

    #[test]
    fn bad_settings_are_refused() {
        let config = VadConfig {
            threshold_db: -1.0,
            ..VadConfig::default()
        };
        assert!(matches!(
            Vad::new(config),
            Err(Error::InvalidConfig {
                field: "threshold_db",
                ..
            })
        ));
    }
}
