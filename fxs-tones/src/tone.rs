//! Tone synthesis: sounds, cadences and a phase-continuous generator.
//!
//! A [`Tone`] is a list of [`CadenceStep`]s, each a [`ToneSound`] held for a
//! time, optionally repeated from a given step: the structure of the
//! Asterisk/DAHDI tone descriptions (`f1+f2/ms`, `f1*f2`, `!` for play-once;
//! tones-and-ringing.md §2).

use crate::level::FULL_SCALE_DBM0;
use crate::{Dbm0, Error};

/// Most frequencies one [`ToneSound::Mixed`] can sum.
pub const MAX_TONE_FREQS: usize = 4;
/// Most steps one [`Tone`] can have: enough for "6 x 0.1/0.1 then
/// steady" (13 steps, the stutter dial tone of tones-and-ringing.md §3-§4).
pub const MAX_CADENCE_STEPS: usize = 16;

/// The value of an unused [`ToneSound::Mixed`] slot.
const UNUSED: (f32, Dbm0) = (0.0, Dbm0(0.0));

/// Highest frequency a tone description may name (rate-independent check;
/// the generator also requires it below half its sample rate).
const MAX_FREQ_HZ: f32 = 20_000.0;

/// One sound: silence, up to four summed sines, or an amplitude-modulated sine.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ToneSound {
    /// Nothing.
    Silence,
    /// Up to four frequencies summed, each with its own level; unused slots have freq 0.
    Mixed {
        /// (frequency in Hz, level) per component; the first `count` are used.
        freqs: [(f32, Dbm0); MAX_TONE_FREQS],
        /// Number of components used, 1 to 4.
        count: u8,
    },
    /// `carrier` Hz amplitude-modulated by `modulator` Hz at `depth` (0..=1), e.g. 425*25.
    ///
    /// The signal is `A (1 + depth sin(2 pi modulator t)) sin(2 pi carrier t)`
    /// with `A` the amplitude of `level`: `level` is the level of the
    /// unmodulated carrier.
    Modulated {
        /// Carrier frequency in Hz.
        carrier: f32,
        /// Modulating frequency in Hz (below the carrier).
        modulator: f32,
        /// Level of the unmodulated carrier.
        level: Dbm0,
        /// Modulation depth, 0 to 1 (Asterisk uses 0.9).
        depth: f32,
    },
}

impl ToneSound {
    /// One frequency.
    pub const fn single(freq: f32, level: Dbm0) -> ToneSound {
        ToneSound::Mixed {
            freqs: [(freq, level), UNUSED, UNUSED, UNUSED],
            count: 1,
        }
    }

    /// Two frequencies, both at `level`.
    pub const fn dual(f1: f32, f2: f32, level: Dbm0) -> ToneSound {
        ToneSound::Mixed {
            freqs: [(f1, level), (f2, level), UNUSED, UNUSED],
            count: 2,
        }
    }

    /// The same sound with every level changed by `db`.
    pub const fn with_gain(self, db: f32) -> ToneSound {
        match self {
            ToneSound::Silence => ToneSound::Silence,
            ToneSound::Mixed { mut freqs, count } => {
                let mut i = 0;
                while i < freqs.len() {
                    if i < count as usize {
                        freqs[i].1 = Dbm0(freqs[i].1.0 + db);
                    }
                    i += 1;
                }
                ToneSound::Mixed { freqs, count }
            }
            ToneSound::Modulated {
                carrier,
                modulator,
                level,
                depth,
            } => ToneSound::Modulated {
                carrier,
                modulator,
                level: Dbm0(level.0 + db),
                depth,
            },
        }
    }

    /// True for [`ToneSound::Silence`].
    pub const fn is_silence(&self) -> bool {
        matches!(self, ToneSound::Silence)
    }

    /// The used (frequency, level) components of a `Mixed` sound; the
    /// carrier of a `Modulated` one; nothing for silence.
    pub fn components(&self) -> &[(f32, Dbm0)] {
        match self {
            ToneSound::Mixed { freqs, count } => freqs.get(..usize::from(*count)).unwrap_or(&[]),
            ToneSound::Modulated { .. } | ToneSound::Silence => &[],
        }
    }

    /// Checks the sound; the error says what is wrong.
    pub fn validate(&self) -> Result<(), Error> {
        let check_freq = |f: f32| f.is_finite() && f > 0.0 && f <= MAX_FREQ_HZ;
        let check_level = |l: Dbm0| l.0.is_finite() && l.0 <= FULL_SCALE_DBM0;
        match *self {
            ToneSound::Silence => Ok(()),
            ToneSound::Mixed { freqs, count } => {
                if count == 0 || usize::from(count) > MAX_TONE_FREQS {
                    return Err(Error::InvalidTone("a mixed sound needs 1 to 4 frequencies"));
                }
                for &(f, l) in &freqs[..usize::from(count)] {
                    if !check_freq(f) {
                        return Err(Error::InvalidTone("frequency must be above 0 and at most 20 kHz"));
                    }
                    if !check_level(l) {
                        return Err(Error::InvalidTone("level must be finite and at most +3.14 dBm0"));
                    }
                }
                Ok(())
            }
            ToneSound::Modulated {
                carrier,
                modulator,
                level,
                depth,
            } => {
                if !check_freq(carrier) || !check_freq(modulator) {
                    return Err(Error::InvalidTone("frequency must be above 0 and at most 20 kHz"));
                }
                if modulator >= carrier {
                    return Err(Error::InvalidTone(
                        "modulating frequency must be below the carrier",
                    ));
                }
                if !check_level(level) {
                    return Err(Error::InvalidTone("level must be finite and at most +3.14 dBm0"));
                }
                if !(0.0..=1.0).contains(&depth) {
                    return Err(Error::InvalidTone("modulation depth must be within 0..=1"));
                }
                Ok(())
            }
        }
    }

    /// Highest frequency present in the signal (Hz), 0 for silence.
    fn highest_frequency(&self) -> f32 {
        match *self {
            ToneSound::Silence => 0.0,
            ToneSound::Mixed { .. } => self.components().iter().fold(0.0, |m, &(f, _)| m.max(f)),
            ToneSound::Modulated {
                carrier, modulator, ..
            } => carrier + modulator,
        }
    }
}

/// One step of a cadence.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CadenceStep {
    /// What is played.
    pub sound: ToneSound,
    /// For how long, in ms; 0 = forever (continuous; only for the last step).
    pub duration_ms: u32,
}

/// A tone: up to [`MAX_CADENCE_STEPS`] cadence steps, played in order and
/// optionally repeated from step `repeat_from` on.
///
/// The steps before `repeat_from` are a prefix played once ("3 x 0.1/0.1
/// then steady" is six prefix steps and a last step of 0 ms, held forever);
/// each step has its own sound, so a tone may also alternate between two
/// sounds (UK stutter dial tone: 350+440 Hz, then 440 Hz alone).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tone {
    /// The steps; the first `count` are used.
    pub steps: [CadenceStep; MAX_CADENCE_STEPS],
    /// Number of steps used, 1 to [`MAX_CADENCE_STEPS`].
    pub count: u8,
    /// Index to loop back to after the last step; None = play once then silence.
    pub repeat_from: Option<u8>,
}

const SILENT_STEP: CadenceStep = CadenceStep {
    sound: ToneSound::Silence,
    duration_ms: 0,
};

impl Tone {
    /// `sound` forever (dial tone).
    pub const fn continuous(sound: ToneSound) -> Tone {
        let mut steps = [SILENT_STEP; MAX_CADENCE_STEPS];
        steps[0] = CadenceStep {
            sound,
            duration_ms: 0,
        };
        Tone {
            steps,
            count: 1,
            repeat_from: None,
        }
    }

    /// Alternating on/off durations in ms (on, off, on, off, ...) of one sound, repeated forever.
    ///
    /// # Panics
    ///
    /// If `on_off_ms` is empty or has more than [`MAX_CADENCE_STEPS`]
    /// entries; in a `const` or `static` initialiser that is a compile-time
    /// error.
    pub const fn cadenced(sound: ToneSound, on_off_ms: &[u32]) -> Tone {
        assert!(
            !on_off_ms.is_empty() && on_off_ms.len() <= MAX_CADENCE_STEPS,
            "a cadence has 1 to 16 on/off durations"
        );
        let mut steps = [SILENT_STEP; MAX_CADENCE_STEPS];
        let mut i = 0;
        while i < on_off_ms.len() {
            let s = if i % 2 == 0 { sound } else { ToneSound::Silence };
            steps[i] = CadenceStep {
                sound: s,
                duration_ms: on_off_ms[i],
            };
            i += 1;
        }
        Tone {
            steps,
            count: on_off_ms.len() as u8,
            repeat_from: Some(0),
        }
    }

    /// The used steps.
    pub fn used_steps(&self) -> &[CadenceStep] {
        self.steps.get(..usize::from(self.count)).unwrap_or(&[])
    }

    /// True if the tone plays one sound forever from the start.
    pub fn is_continuous(&self) -> bool {
        self.count == 1 && self.steps[0].duration_ms == 0
    }

    /// Checks the tone: 1 to [`MAX_CADENCE_STEPS`] steps, every sound valid, only the last
    /// step may last forever, `repeat_from` names a step.
    pub fn validate(&self) -> Result<(), Error> {
        if self.count == 0 || usize::from(self.count) > MAX_CADENCE_STEPS {
            return Err(Error::InvalidTone("a tone needs 1 to 16 cadence steps"));
        }
        let steps = self.used_steps();
        for (i, step) in steps.iter().enumerate() {
            step.sound.validate()?;
            if step.duration_ms == 0 && i + 1 != steps.len() {
                return Err(Error::InvalidTone(
                    "only the last cadence step may last forever (0 ms)",
                ));
            }
        }
        if let Some(r) = self.repeat_from {
            if r >= self.count {
                return Err(Error::InvalidTone("repeat_from is past the last cadence step"));
            }
        }
        Ok(())
    }
}

/// Renormalise the oscillators every this many output samples; a fixed
/// schedule on the generator's own sample count keeps the output independent
/// of how callers slice it.
const RENORM_EVERY: u64 = 64;

/// Frequencies closer than this are the same component when a step follows
/// another (Hz).
const SAME_FREQ_HZ: f32 = 0.01;

/// One sine of the generator: a complex rotator `z` turned by
/// `e^(j 2 pi f / fs)` each sample, output `amp * Im z`. No `sin` per
/// sample; the magnitude of `z` is pulled back to 1 every
/// [`RENORM_EVERY`] samples.
#[derive(Clone, Copy, Debug)]
struct Voice {
    re: f32,
    im: f32,
    step_re: f32,
    step_im: f32,
    freq: f32,
    amp: f32,
}

impl Voice {
    const SILENT: Voice = Voice {
        re: 1.0,
        im: 0.0,
        step_re: 1.0,
        step_im: 0.0,
        freq: 0.0,
        amp: 0.0,
    };

    /// Sets the frequency and amplitude, keeping the phase.
    fn retune(&mut self, freq: f32, amp: f32, sample_rate: u32) {
        let w = 2.0 * core::f64::consts::PI * f64::from(freq) / f64::from(sample_rate);
        let (s, c) = libm::sincos(w);
        self.step_re = c as f32;
        self.step_im = s as f32;
        self.freq = freq;
        self.amp = amp;
    }

    /// A voice at phase 0.
    fn fresh(freq: f32, amp: f32, sample_rate: u32) -> Voice {
        let mut v = Voice::SILENT;
        v.retune(freq, amp, sample_rate);
        v
    }

    #[inline(always)]
    fn turn(&mut self) {
        let re = self.re * self.step_re - self.im * self.step_im;
        self.im = self.re * self.step_im + self.im * self.step_re;
        self.re = re;
    }

    /// One Newton step towards `|z| = 1` (the error is tiny, so the
    /// first-order correction `(3 - |z|^2) / 2` is exact enough).
    fn renormalise(&mut self) {
        let k = 0.5 * (3.0 - (self.re * self.re + self.im * self.im));
        self.re *= k;
        self.im *= k;
    }
}

/// Adds `x` to a sample, rounding to nearest and saturating at 16 bits.
#[inline(always)]
fn add_sat(o: i16, x: f32) -> i16 {
    let y = f32::from(o) + x;
    let r = if y >= 0.0 { y + 0.5 } else { y - 0.5 };
    // `as` truncates towards zero, saturates and maps NaN to 0.
    r as i16
}

/// Plays a [`Tone`] as 16-bit PCM.
///
/// The sines of a step that follows silence start at phase 0 (no click).
/// Where a step follows a sounding step, every component keeps its phase:
/// a frequency present in both steps runs on unchanged (UK stutter dial
/// tone: the 440 Hz of 350+440 continues into 440 alone), and a changed
/// frequency continues from the phase of the one it replaces (Italy's
/// 470/425 Hz special dial tone), so the waveform has no jump except where
/// a component stops. The output does not depend on how the caller slices
/// it. No allocation after construction; the oscillators are complex
/// rotators, so no sine is computed per sample.
///
/// ```
/// use fxs_tones::{Dbm0, Tone, ToneGenerator, ToneSound};
/// // US busy: 480 + 620 Hz at -24 dBm0, 0.5 s on / 0.5 s off.
/// let busy = Tone::cadenced(ToneSound::dual(480.0, 620.0, Dbm0(-24.0)), &[500, 500]);
/// let mut g = ToneGenerator::new(8000, &busy)?;
/// let mut frame = [0i16; 80];
/// g.generate(&mut frame);
/// assert!(frame.iter().any(|&s| s != 0));
/// # Ok::<(), fxs_tones::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct ToneGenerator {
    tone: Tone,
    sample_rate: u32,
    /// Current step.
    step: usize,
    /// Samples left in the current step; `None` = forever.
    left: Option<u64>,
    finished: bool,
    /// Samples generated so far (drives the renormalisation schedule).
    clock: u64,
    voices: [Voice; MAX_TONE_FREQS],
    voice_count: usize,
    /// Modulator and depth of a `Modulated` step (`voices[0]` is the carrier).
    modulator: Option<(Voice, f32)>,
}

impl ToneGenerator {
    /// A generator for `tone` at `sample_rate` (8000 or 16000 Hz). Fails on
    /// an invalid tone or a frequency at or above half the sample rate.
    pub fn new(sample_rate: u32, tone: &Tone) -> Result<ToneGenerator, Error> {
        if sample_rate != 8000 && sample_rate != 16000 {
            return Err(Error::UnsupportedSampleRate(sample_rate));
        }
        tone.validate()?;
        let nyquist = sample_rate as f32 / 2.0;
        if tone
            .used_steps()
            .iter()
            .any(|s| s.sound.highest_frequency() >= nyquist)
        {
            return Err(Error::InvalidTone("frequency at or above half the sample rate"));
        }
        let mut g = ToneGenerator {
            tone: *tone,
            sample_rate,
            step: 0,
            left: None,
            finished: false,
            clock: 0,
            voices: [Voice::SILENT; MAX_TONE_FREQS],
            voice_count: 0,
            modulator: None,
        };
        g.enter_step(0);
        Ok(g)
    }

    /// The tone being played.
    pub fn tone(&self) -> &Tone {
        &self.tone
    }

    /// Overwrites `out` with the next samples.
    pub fn generate(&mut self, out: &mut [i16]) {
        out.fill(0);
        self.mix(out);
    }

    /// Adds the next samples to `out`, saturating at 16 bits.
    pub fn mix(&mut self, out: &mut [i16]) {
        let mut i = 0;
        while i < out.len() {
            if self.finished {
                return;
            }
            let n = match self.left {
                Some(left) => (out.len() - i).min(usize::try_from(left).unwrap_or(usize::MAX)),
                None => out.len() - i,
            };
            self.render(&mut out[i..i + n]);
            i += n;
            if let Some(left) = self.left {
                let left = left - n as u64;
                if left == 0 {
                    self.next_step();
                } else {
                    self.left = Some(left);
                }
            }
        }
    }

    /// True when a tone without `repeat_from` has played all its steps.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Adds the current step's sound to `out`, in runs that end on the
    /// renormalisation schedule.
    fn render(&mut self, out: &mut [i16]) {
        let mut rest = out;
        while !rest.is_empty() {
            let to_renorm = RENORM_EVERY - self.clock % RENORM_EVERY;
            let n = rest.len().min(usize::try_from(to_renorm).unwrap_or(usize::MAX));
            let (now, later) = rest.split_at_mut(n);
            rest = later;
            self.render_run(now);
            self.clock += n as u64;
            if self.clock % RENORM_EVERY == 0 {
                for v in &mut self.voices[..self.voice_count] {
                    v.renormalise();
                }
                if let Some((m, _)) = &mut self.modulator {
                    m.renormalise();
                }
            }
        }
    }

    /// At most [`RENORM_EVERY`] samples of the current sound.
    fn render_run(&mut self, out: &mut [i16]) {
        if let Some((m, depth)) = &mut self.modulator {
            let c = &mut self.voices[0];
            let (amp, depth) = (c.amp, *depth);
            for o in out.iter_mut() {
                let x = amp * (1.0 + depth * m.im) * c.im;
                m.turn();
                c.turn();
                *o = add_sat(*o, x);
            }
            return;
        }
        let mut acc = [0.0f32; RENORM_EVERY as usize];
        let acc = &mut acc[..out.len()];
        for v in &mut self.voices[..self.voice_count] {
            let amp = v.amp;
            for a in acc.iter_mut() {
                *a += amp * v.im;
                v.turn();
            }
        }
        if self.voice_count > 0 {
            for (o, &a) in out.iter_mut().zip(acc.iter()) {
                *o = add_sat(*o, a);
            }
        }
    }

    fn next_step(&mut self) {
        let next = self.step + 1;
        if next < usize::from(self.tone.count) {
            self.enter_step(next);
        } else if let Some(r) = self.tone.repeat_from {
            self.enter_step(usize::from(r));
        } else {
            self.finished = true;
        }
    }

    /// Starts step `i`, carrying the phases of the sines that were
    /// sounding (see the type docs).
    fn enter_step(&mut self, i: usize) {
        let step = self.tone.steps[i];
        self.step = i;
        self.left = match step.duration_ms {
            0 => None,
            ms => Some(u64::from(ms) * u64::from(self.sample_rate) / 1000),
        };
        let old = self.voices;
        let old_count = self.voice_count;
        let old_modulator = self.modulator.take();
        let mut wanted = [(0.0f32, 0.0f32); MAX_TONE_FREQS];
        let mut count = 0;
        match step.sound {
            ToneSound::Silence => {}
            ToneSound::Mixed { .. } => {
                for (w, &(f, l)) in wanted.iter_mut().zip(step.sound.components()) {
                    *w = (f, l.amplitude());
                    count += 1;
                }
            }
            ToneSound::Modulated {
                carrier,
                modulator,
                level,
                depth,
            } => {
                wanted[0] = (carrier, level.amplitude());
                count = 1;
                let m = match old_modulator {
                    Some((mut m, _)) => {
                        m.retune(modulator, 1.0, self.sample_rate);
                        m
                    }
                    None => Voice::fresh(modulator, 1.0, self.sample_rate),
                };
                self.modulator = Some((m, depth));
            }
        }
        // Same frequency first, then any sounding voice, else phase 0.
        let mut taken = [false; MAX_TONE_FREQS];
        let mut placed = [false; MAX_TONE_FREQS];
        for (j, &(f, amp)) in wanted[..count].iter().enumerate() {
            if let Some(k) = (0..old_count).find(|&k| !taken[k] && (old[k].freq - f).abs() < SAME_FREQ_HZ) {
                taken[k] = true;
                placed[j] = true;
                self.voices[j] = old[k];
                self.voices[j].amp = amp;
            }
        }
        for (j, &(f, amp)) in wanted[..count].iter().enumerate() {
            if placed[j] {
                continue;
            }
            self.voices[j] = match (0..old_count).find(|&k| !taken[k]) {
                Some(k) => {
                    taken[k] = true;
                    let mut v = old[k];
                    v.retune(f, amp, self.sample_rate);
                    v
                }
                None => Voice::fresh(f, amp, self.sample_rate),
            };
        }
        self.voice_count = count;
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::Goertzel;
    use std::vec;
    use std::vec::Vec;

    fn render(g: &mut ToneGenerator, n: usize) -> Vec<i16> {
        let mut v = vec![0i16; n];
        g.generate(&mut v);
        v
    }

    fn level_at(x: &[i16], f: f32) -> f32 {
        let mut g = Goertzel::new(f, 8000);
        g.update(x);
        Dbm0::from_amplitude(g.amplitude()).0
    }

    #[test]
    fn continuous_dual_tone_has_both_components_at_level() {
        let t = Tone::continuous(ToneSound::dual(350.0, 440.0, Dbm0(-13.0)));
        let mut g = ToneGenerator::new(8000, &t).unwrap();
        let x = render(&mut g, 8000);
        assert!((level_at(&x, 350.0) + 13.0).abs() < 0.1);
        assert!((level_at(&x, 440.0) + 13.0).abs() < 0.1);
        assert!(!g.is_finished());
    }

    #[test]
    fn cadence_switches_on_and_off_at_the_step_boundaries() {
        let t = Tone::cadenced(ToneSound::single(425.0, Dbm0(-16.0)), &[100, 50]);
        let mut g = ToneGenerator::new(8000, &t).unwrap();
        let x = render(&mut g, 2400);
        for (i, chunk) in x.chunks(40).enumerate() {
            // 40-sample chunks: 100 ms = 20 chunks on, 50 ms = 10 chunks off.
            let on = chunk.iter().any(|&s| s != 0);
            assert_eq!(on, i % 30 < 20, "chunk {i}");
        }
    }

    #[test]
    fn play_once_tone_finishes_then_stays_silent() {
        let mut t = Tone::cadenced(ToneSound::single(1000.0, Dbm0(-10.0)), &[100, 100, 100]);
        t.repeat_from = None;
        let mut g = ToneGenerator::new(8000, &t).unwrap();
        let x = render(&mut g, 3200);
        assert!(g.is_finished());
        assert!(x[2400..].iter().all(|&s| s == 0));
        assert!(x[1600..2400].iter().any(|&s| s != 0));
    }

    #[test]
    fn repeat_from_loops_to_the_given_step() {
        // 200 ms of 1000 Hz once, then 400 Hz 100 ms on / 100 ms off forever.
        let mut t = Tone::cadenced(ToneSound::single(400.0, Dbm0(-10.0)), &[200, 100, 100]);
        t.steps[0].sound = ToneSound::single(1000.0, Dbm0(-10.0));
        t.steps[1].sound = ToneSound::single(400.0, Dbm0(-10.0));
        t.steps[2].sound = ToneSound::Silence;
        t.repeat_from = Some(1);
        let mut g = ToneGenerator::new(8000, &t).unwrap();
        let x = render(&mut g, 8000);
        assert!(level_at(&x[..1600], 1000.0) > -11.0);
        for cycle in 0..3 {
            let start = 1600 + cycle * 1600;
            assert!(level_at(&x[start..start + 800], 400.0) > -11.0, "cycle {cycle}");
            assert!(
                x[start + 800..start + 1600].iter().all(|&s| s == 0),
                "cycle {cycle}"
            );
            assert!(level_at(&x[start..start + 1600], 1000.0) < -40.0);
        }
    }

    #[test]
    fn output_does_not_depend_on_slicing() {
        let t = Tone::cadenced(ToneSound::dual(480.0, 620.0, Dbm0(-24.0)), &[250, 250]);
        let mut a = ToneGenerator::new(8000, &t).unwrap();
        let mut b = ToneGenerator::new(8000, &t).unwrap();
        let whole = render(&mut a, 9000);
        let mut parts = Vec::new();
        for n in [1usize, 79, 80, 81, 333, 2000].iter().cycle() {
            if parts.len() >= 9000 {
                break;
            }
            parts.extend(render(&mut b, (*n).min(9000 - parts.len())));
        }
        assert_eq!(whole, parts);
    }

    #[test]
    fn mix_adds_and_saturates() {
        let t = Tone::continuous(ToneSound::single(1000.0, Dbm0(3.0)));
        let mut g = ToneGenerator::new(8000, &t).unwrap();
        let mut x = vec![30_000i16; 16];
        g.mix(&mut x);
        assert_eq!(x[0], 30_000, "phase 0 adds nothing");
        assert_eq!(x[2], i16::MAX, "a quarter period later the peak saturates");
    }

    #[test]
    fn modulated_tone_has_carrier_and_sidebands() {
        let t = Tone::continuous(ToneSound::Modulated {
            carrier: 425.0,
            modulator: 25.0,
            level: Dbm0(-10.0),
            depth: 0.9,
        });
        let mut g = ToneGenerator::new(8000, &t).unwrap();
        let x = render(&mut g, 8000);
        assert!((level_at(&x, 425.0) + 10.0).abs() < 0.2);
        // Sidebands at depth/2 of the carrier amplitude: -10 + 20 log10(0.45).
        let side = -10.0 + 20.0 * libm::log10f(0.45);
        assert!((level_at(&x, 400.0) - side).abs() < 0.3);
        assert!((level_at(&x, 450.0) - side).abs() < 0.3);
    }

    #[test]
    fn invalid_tones_are_refused_with_a_reason() {
        let ok = ToneSound::single(425.0, Dbm0(-10.0));
        let mut t = Tone::cadenced(ok, &[100, 0, 100]);
        assert!(matches!(t.validate(), Err(Error::InvalidTone(m)) if m.contains("forever")));
        t = Tone::cadenced(ok, &[100, 100]);
        t.repeat_from = Some(2);
        assert!(matches!(t.validate(), Err(Error::InvalidTone(m)) if m.contains("repeat_from")));
        t.count = 0;
        assert!(t.validate().is_err());
        let bad = [
            ToneSound::single(f32::NAN, Dbm0(-10.0)),
            ToneSound::single(-5.0, Dbm0(-10.0)),
            ToneSound::single(425.0, Dbm0(5.0)),
            ToneSound::Mixed {
                freqs: [(425.0, Dbm0(-10.0)); 4],
                count: 5,
            },
            ToneSound::Modulated {
                carrier: 25.0,
                modulator: 425.0,
                level: Dbm0(-10.0),
                depth: 0.9,
            },
            ToneSound::Modulated {
                carrier: 425.0,
                modulator: 25.0,
                level: Dbm0(-10.0),
                depth: 1.5,
            },
        ];
        for s in bad {
            assert!(Tone::continuous(s).validate().is_err(), "{s:?}");
        }
        let high = Tone::continuous(ToneSound::single(4000.0, Dbm0(-10.0)));
        assert!(high.validate().is_ok());
        assert!(ToneGenerator::new(8000, &high).is_err());
        assert!(ToneGenerator::new(16_000, &high).is_ok());
        assert_eq!(
            ToneGenerator::new(44_100, &t).err(),
            Some(Error::UnsupportedSampleRate(44_100))
        );
    }

    #[test]
    fn cadenced_builds_alternating_steps() {
        const T: Tone = Tone::cadenced(ToneSound::single(425.0, Dbm0(-16.0)), &[480, 480]);
        assert_eq!(T.count, 2);
        assert_eq!(T.repeat_from, Some(0));
        assert_eq!(T.steps[0].duration_ms, 480);
        assert!(T.steps[1].sound.is_silence());
        assert!(!T.is_continuous());
        assert!(Tone::continuous(ToneSound::Silence).is_continuous());
    }
}
