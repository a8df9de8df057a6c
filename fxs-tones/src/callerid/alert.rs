//! The dual-tone alert of caller ID: Telcordia CAS (off-hook, 80 ms),
//! ETSI DT-AS (100 ms) and BT TAS (88-110 ms), all 2130 + 2750 Hz
//! (callerid.md §3, §4.2, §5), and its detector.

use crate::level::mean_square;
use crate::{Dbm0, Goertzel, SAMPLE_RATE};

/// The two frequencies of the alert tone in Hz.
pub const ALERT_TONE_HZ: (f32, f32) = (2130.0, 2750.0);
/// Detector block: 10 ms.
const BLOCK: usize = 80;
/// Blocks of both tones needed: 40 ms (callerid.md §3: "the detector
/// should accept >= 40 ms of both tones").
const MIN_BLOCKS: u32 = 4;
/// Weakest tone accepted, per tone (the talk-off test goes to -30 dBm0;
/// callerid.md §3).
const MIN_LEVEL_DBM0: f32 = -36.0;
/// Both tones together must carry this share of the block's energy, which
/// keeps speech from imitating the alert.
const MIN_TONE_SHARE: f32 = 0.7;
/// Largest level difference between the two tones, in power ratio (6 dB).
const MAX_TWIST: f32 = 4.0;

/// A detected alert tone, in sample indices since the detector started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertToneEvent {
    /// Both tones have been present for 40 ms; `at` is where they began
    /// (to the 10 ms block).
    Start {
        /// First sample of the first block with both tones.
        at: u64,
    },
    /// The tone ended.
    End {
        /// First sample of the first block with both tones.
        start: u64,
        /// First sample of the first block without them.
        end: u64,
    },
}

/// Detects the 2130 + 2750 Hz alert (CAS / DT-AS / TAS): both tones within
/// ±1.1 %, each at least -36 dBm0, at most 6 dB apart, together at least
/// 70 % of the energy, for at least 40 ms. Fixed state, no allocation.
#[derive(Clone, Debug)]
pub struct AlertToneDetector {
    low: Goertzel,
    high: Goertzel,
    energy: f32,
    fill: usize,
    run: u32,
    run_start: u64,
    reported: bool,
    samples: u64,
    pending: [Option<AlertToneEvent>; 2],
    min_power: f32,
}

impl Default for AlertToneDetector {
    fn default() -> Self {
        AlertToneDetector::new()
    }
}

impl AlertToneDetector {
    /// A detector at 8 kHz.
    pub fn new() -> AlertToneDetector {
        let a = Dbm0(MIN_LEVEL_DBM0).amplitude() * BLOCK as f32 / 2.0;
        AlertToneDetector {
            low: Goertzel::new(ALERT_TONE_HZ.0, SAMPLE_RATE),
            high: Goertzel::new(ALERT_TONE_HZ.1, SAMPLE_RATE),
            energy: 0.0,
            fill: 0,
            run: 0,
            run_start: 0,
            reported: false,
            samples: 0,
            pending: [None; 2],
            min_power: a * a,
        }
    }

    /// Processes samples (any length).
    pub fn process(&mut self, mut samples: &[i16]) {
        while !samples.is_empty() {
            let n = (BLOCK - self.fill).min(samples.len());
            let (block, rest) = samples.split_at(n);
            self.low.update(block);
            self.high.update(block);
            self.energy += mean_square(block) * n as f32;
            self.fill += n;
            self.samples += n as u64;
            samples = rest;
            if self.fill == BLOCK {
                self.end_block();
            }
        }
    }

    fn end_block(&mut self) {
        let (pl, ph) = (self.low.power(), self.high.power());
        // A sine of peak A gives Goertzel power (A N / 2)^2 and energy A^2 N / 2.
        let tone_energy = (pl + ph) * 2.0 / BLOCK as f32;
        let both = pl > self.min_power
            && ph > self.min_power
            && pl < ph * MAX_TWIST
            && ph < pl * MAX_TWIST
            && tone_energy >= MIN_TONE_SHARE * self.energy;
        let block_start = self.samples - BLOCK as u64;
        if both {
            if self.run == 0 {
                self.run_start = block_start;
            }
            self.run += 1;
            if self.run >= MIN_BLOCKS && !self.reported {
                self.reported = true;
                self.push(AlertToneEvent::Start { at: self.run_start });
            }
        } else {
            if self.reported {
                self.push(AlertToneEvent::End {
                    start: self.run_start,
                    end: block_start,
                });
            }
            self.run = 0;
            self.reported = false;
        }
        self.low.reset();
        self.high.reset();
        self.energy = 0.0;
        self.fill = 0;
    }

    fn push(&mut self, event: AlertToneEvent) {
        if self.pending[0].is_none() {
            self.pending[0] = Some(event);
        } else {
            self.pending[1] = Some(event);
        }
    }

    /// The next detection event, oldest first.
    pub fn poll_event(&mut self) -> Option<AlertToneEvent> {
        let e = self.pending[0].take();
        self.pending[0] = self.pending[1].take();
        e
    }

    /// True while the alert tone is being detected.
    pub fn is_active(&self) -> bool {
        self.reported
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::osc::Oscillator;

    fn tone(f1: f32, f2: f32, level: f32, ms: usize, out: &mut [i16]) {
        let a = Dbm0(level).amplitude();
        let (mut o1, mut o2) = (Oscillator::new(f1, 8000), Oscillator::new(f2, 8000));
        for s in out[..ms * 8].iter_mut() {
            *s = (a * (o1.next_sample() + o2.next_sample())) as i16;
        }
    }

    fn detect(buf: &[i16]) -> (u32, Option<AlertToneEvent>) {
        let mut d = AlertToneDetector::new();
        let mut starts = 0;
        let mut end = None;
        for f in buf.chunks(80) {
            d.process(f);
            while let Some(e) = d.poll_event() {
                match e {
                    AlertToneEvent::Start { .. } => starts += 1,
                    e => end = Some(e),
                }
            }
        }
        (starts, end)
    }

    #[test]
    fn cas_of_80_ms_is_detected_across_levels_and_tolerance() {
        for level in [-10.0, -20.0, -30.0] {
            for dev in [-0.011f32, 0.0, 0.011] {
                let mut buf = [0i16; 4000];
                tone(
                    2130.0 * (1.0 + dev),
                    2750.0 * (1.0 + dev),
                    level,
                    80,
                    &mut buf[800..],
                );
                let (starts, end) = detect(&buf);
                assert_eq!(starts, 1, "level {level} dev {dev}");
                assert!(matches!(end, Some(AlertToneEvent::End { .. })));
            }
        }
    }

    #[test]
    fn short_burst_single_tone_and_other_pairs_are_ignored() {
        let mut buf = [0i16; 4000];
        tone(2130.0, 2750.0, -10.0, 30, &mut buf[800..]);
        assert_eq!(detect(&buf).0, 0, "30 ms");
        let mut buf = [0i16; 4000];
        tone(2130.0, 2130.0, -10.0, 100, &mut buf[800..]);
        assert_eq!(detect(&buf).0, 0, "one tone");
        let mut buf = [0i16; 4000];
        tone(941.0, 1336.0, -10.0, 100, &mut buf[800..]);
        assert_eq!(detect(&buf).0, 0, "DTMF 0");
    }
}
