//! Signal synthesis and helpers shared by the integration tests.
#![allow(dead_code)]

use fxs_tones::{Dbm0, Digit, DtmfDetector, DtmfEvent};

/// One segment of a test signal.
#[derive(Clone, Copy, Debug)]
pub struct DualTone {
    pub low_hz: f64,
    pub high_hz: f64,
    /// Levels of the two tones (dBm0); `None` leaves the tone out.
    pub low_dbm0: Option<f32>,
    pub high_dbm0: Option<f32>,
}

impl DualTone {
    /// The digit's tones, low at `level`, high at `level + twist`, each
    /// frequency moved by the given fraction.
    pub fn digit(d: Digit, level: f32, twist: f32, low_dev: f64, high_dev: f64) -> DualTone {
        let (lo, hi) = d.frequencies();
        DualTone {
            low_hz: f64::from(lo) * (1.0 + low_dev),
            high_hz: f64::from(hi) * (1.0 + high_dev),
            low_dbm0: Some(level),
            high_dbm0: Some(level + twist),
        }
    }
}

/// Appends `samples` of the dual tone (starting at phase 0) to `out`,
/// saturating at 16 bits.
pub fn push_tone(out: &mut Vec<i16>, t: DualTone, samples: usize, sample_rate: u32) {
    let amp = |l: Option<f32>| l.map_or(0.0, |l| f64::from(Dbm0(l).amplitude()));
    let (al, ah) = (amp(t.low_dbm0), amp(t.high_dbm0));
    let sr = f64::from(sample_rate);
    for i in 0..samples {
        let t_s = i as f64 / sr;
        let x = al * (2.0 * std::f64::consts::PI * t.low_hz * t_s).sin()
            + ah * (2.0 * std::f64::consts::PI * t.high_hz * t_s).sin();
        out.push(x.round().clamp(-32768.0, 32767.0) as i16);
    }
}

/// Appends silence.
pub fn push_silence(out: &mut Vec<i16>, samples: usize) {
    out.resize(out.len() + samples, 0);
}

/// Adds white noise of the given RMS level (dBm0) from a fixed-seed LCG.
pub fn add_noise(x: &mut [i16], level_dbm0: f32, seed: u64) {
    let rms = f64::from(Dbm0(level_dbm0).rms());
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    let mut uniform = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 11) as f64) / ((1u64 << 53) as f64)
    };
    for s in x {
        // Sum of 12 uniforms - 6 is close to a unit normal.
        let g: f64 = (0..12).map(|_| uniform()).sum::<f64>() - 6.0;
        *s = (f64::from(*s) + g * rms).round().clamp(-32768.0, 32767.0) as i16;
    }
}

/// Runs a detector over `x` in frames of `frame` samples, collecting all events.
pub fn detect_all(sample_rate: u32, x: &[i16], frame: usize) -> Vec<DtmfEvent> {
    let mut d = DtmfDetector::new(sample_rate).expect("supported rate");
    let mut out = Vec::new();
    for f in x.chunks(frame) {
        d.process(f);
        while let Some(e) = d.poll_event() {
            out.push(e);
        }
    }
    // Flush: enough silence to end any held digit.
    let silence = vec![0i16; frame];
    for _ in 0..(sample_rate as usize / 20).div_ceil(frame) {
        d.process(&silence);
        while let Some(e) = d.poll_event() {
            out.push(e);
        }
    }
    out
}

/// The digits of the `Start` events, in order.
pub fn started(events: &[DtmfEvent]) -> Vec<Digit> {
    events
        .iter()
        .filter_map(|e| match e {
            DtmfEvent::Start { digit, .. } => Some(*digit),
            DtmfEvent::End { .. } => None,
        })
        .collect()
}

/// Samples in `ms` milliseconds.
pub fn ms(ms: u32, sample_rate: u32) -> usize {
    (ms * sample_rate / 1000) as usize
}
