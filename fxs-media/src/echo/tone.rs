//! The G.165/G.168 tone disabler: 2100 Hz with periodic 180° phase
//! reversals (V.25 `/ANS`, V.8 `ANSam`) tells echo cancellers to get out of
//! the way of a fax or modem; 2100 Hz without reversals does not (it only
//! disables echo suppressors, G.164). Figures from media.md §7.
//!
//! Each 10 ms frame is correlated with a 2100 Hz complex exponential. The
//! frame holds exactly 21 cycles of 2100 Hz, so for a steady tone the
//! correlation's phase moves from frame to frame only by the tone's
//! frequency offset (at most ±15 Hz, ±54° per frame); a phase reversal adds
//! 180° on top of that drift.

use std::f32::consts::PI;

use super::fdaf::BLOCK;

/// Tone frequency (V.25 answer tone), Hz.
const TONE_HZ: f32 = 2100.0;
/// Share of a frame's energy that must be at 2100 Hz for the frame to count
/// as tone. A ±15 Hz offset keeps about 93 %; a reversal inside the frame
/// cancels part of the correlation, which the phase test tolerates.
const PURITY: f32 = 0.7;
/// Lowest tone level detected: G.165 requires detection down to −31 dBm0
/// (media.md §7 lists the disabler; level from G.165, verify). As the mean
/// square of 16-bit samples: 0 dBm0 is a sine of RMS 16 140.
const MIN_TONE_MEAN_SQUARE: f32 = 2.605e8 * 3.98e-4; // −34 dBm0
/// Phase step beyond the drift that counts as a reversal (nominally 180°).
const REVERSAL_RAD: f32 = 2.0 * PI / 3.0;
/// The tone must be present this long before a reversal disables: the
/// first reversal of V.25 comes 450 ± 25 ms after the tone starts.
const MIN_TONE_BEFORE_REVERSAL_FRAMES: u32 = 35;
/// Frames of non-tone tolerated inside a tone (a reversal dips one frame).
const TONE_GAP_FRAMES: u32 = 2;
/// Frames after a detected reversal during which no other is counted.
const REFRACTORY_FRAMES: u32 = 3;
/// Quiet before the canceller is enabled again: 250 ms (media.md §7, verify).
pub(crate) const REENABLE_QUIET_FRAMES: u32 = 25;
/// Below this mean square a frame is quiet for re-enabling: −36 dBm0
/// (the G.165 release threshold, verify).
pub(crate) const QUIET_MEAN_SQUARE: f32 = 2.605e8 * 2.51e-4;

/// Per-frame 2100 Hz correlator and reversal detector for one direction.
#[derive(Clone, Debug)]
pub(crate) struct ReversalDetector {
    cos: [f32; BLOCK],
    sin: [f32; BLOCK],
    /// Correlations of the last two frames, `None` when not tone-like.
    history: [Option<(f32, f32)>; 2],
    /// Frame-to-frame phase drift from the frequency offset, when known.
    drift: Option<f32>,
    tone_frames: u32,
    gap_frames: u32,
    refractory: u32,
}

fn wrap(mut a: f32) -> f32 {
    while a > PI {
        a -= 2.0 * PI;
    }
    while a < -PI {
        a += 2.0 * PI;
    }
    a
}

/// Phase of `a · conj(b)`.
fn phase_between(a: (f32, f32), b: (f32, f32)) -> f32 {
    let re = a.0 * b.0 + a.1 * b.1;
    let im = a.1 * b.0 - a.0 * b.1;
    im.atan2(re)
}

impl ReversalDetector {
    pub(crate) fn new() -> ReversalDetector {
        let w = 2.0 * PI * TONE_HZ / 8000.0;
        let mut cos = [0.0; BLOCK];
        let mut sin = [0.0; BLOCK];
        for n in 0..BLOCK {
            cos[n] = (w * n as f32).cos();
            sin[n] = -(w * n as f32).sin();
        }
        ReversalDetector {
            cos,
            sin,
            history: [None; 2],
            drift: None,
            tone_frames: 0,
            gap_frames: 0,
            refractory: 0,
        }
    }

    /// Feeds one block; returns true when a phase reversal is found inside
    /// a 2100 Hz tone that has lasted long enough.
    pub(crate) fn update(&mut self, block: &[f32; BLOCK]) -> bool {
        let mut re = 0.0;
        let mut im = 0.0;
        let mut energy = 0.0;
        for ((&s, &c), &q) in block.iter().zip(&self.cos).zip(&self.sin) {
            re += s * c;
            im += s * q;
            energy += s * s;
        }
        let n = BLOCK as f32;
        let tone_power = 2.0 * (re * re + im * im) / (n * n);
        let mean_square = energy / n;
        let tone_like = tone_power >= MIN_TONE_MEAN_SQUARE && tone_power >= PURITY * mean_square;
        let z = tone_like.then_some((re, im));

        if tone_like {
            self.tone_frames += 1;
            self.gap_frames = 0;
        } else {
            self.gap_frames += 1;
            if self.gap_frames > TONE_GAP_FRAMES {
                self.tone_frames = 0;
                self.drift = None;
            }
        }
        self.refractory = self.refractory.saturating_sub(1);

        let mut reversal = false;
        if let Some(cur) = z {
            // history[0] is the previous frame, history[1] the one before.
            match (self.history[1], self.history[0]) {
                // Previous frame clean: single-frame phase step.
                (_, Some(prev)) => {
                    let step = phase_between(cur, prev);
                    match self.drift {
                        Some(d) if wrap(step - d).abs() > REVERSAL_RAD => reversal = true,
                        Some(d) => self.drift = Some(d + 0.2 * wrap(step - d)),
                        None => self.drift = Some(step),
                    }
                }
                // Previous frame dipped (a reversal inside it?): two-frame step.
                (Some(before), None) => {
                    if let Some(d) = self.drift {
                        let step = phase_between(cur, before);
                        reversal = wrap(step - 2.0 * d).abs() > REVERSAL_RAD;
                    }
                }
                (None, None) => {}
            }
        }
        self.history = [z, self.history[0]];

        if reversal && self.refractory == 0 {
            self.refractory = REFRACTORY_FRAMES;
            return self.tone_frames + self.gap_frames >= MIN_TONE_BEFORE_REVERSAL_FRAMES;
        }
        false
    }

    pub(crate) fn reset(&mut self) {
        self.history = [None; 2];
        self.drift = None;
        self.tone_frames = 0;
        self.gap_frames = 0;
        self.refractory = 0;
    }
}
