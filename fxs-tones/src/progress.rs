//! Call-progress tone classification against a [`TonePlan`] ([`CallProgressDetector`]).

use crate::complex::C32;
use crate::goertzel::{Bank, block_shift};
use crate::plan::{ToneKind, TonePlan};
use crate::tone::{MAX_CADENCE_STEPS, Tone, ToneSound};
use crate::{Dbm0, Error};

/// Most distinct frequencies a plan may use for detection.
const MAX_FREQS: usize = 8;
/// Most distinct sounds (one per tone kind).
const MAX_SOUNDS: usize = 4;
/// Blocks combined into one analysis window (50 ms).
const WINDOW_BLOCKS: usize = 5;
/// Completed segments remembered for cadence matching.
const HISTORY: usize = 8;
/// Quiet below this level (API: Silence = < -45 dBm0).
const QUIET_DBM0: f32 = -45.0;
/// Blocks of quiet before Silence, and of continuous dial sound before Dial (300 ms).
const DECISION_BLOCKS: u32 = 30;
/// Blocks of sound after which Silence or Dial give way to Unknown.
const UNKNOWN_AFTER_BLOCKS: u32 = 5;
/// Blocks of the other state needed to start a new segment.
const DEBOUNCE_BLOCKS: u32 = 2;
/// Cadence duration tolerance (API: +-20 %).
const CADENCE_TOLERANCE: f32 = 0.2;
/// Extra cadence slack for the block grid, ms.
const CADENCE_SLACK_MS: f32 = 20.0;
/// Share of the window energy the sound's components must carry.
const MIN_PURITY: f32 = 0.7;
/// Every component of a sound must be within this of its strongest one.
const COMPONENT_SPREAD_DB: f32 = 10.0;
/// Votes a segment's sound needs, as a share of its windows.
const MAJORITY: f32 = 0.6;
/// Frequencies closer than this are the same filter (Hz).
const SAME_FREQ_HZ: f32 = 1.0;

/// What a listener hears, classified against a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallProgress {
    /// Quiet (< -45 dBm0) for at least 300 ms.
    Silence,
    /// The plan's dial tone.
    Dial,
    /// The plan's ring-back tone.
    Ringback,
    /// The plan's busy tone.
    Busy,
    /// The plan's reorder (congestion) tone.
    Reorder,
    /// Something else, or not decided yet.
    Unknown,
}

impl CallProgress {
    fn from_kind(kind: ToneKind) -> CallProgress {
        match kind {
            ToneKind::Dial => CallProgress::Dial,
            ToneKind::Ringback => CallProgress::Ringback,
            ToneKind::Busy => CallProgress::Busy,
            ToneKind::Reorder => CallProgress::Reorder,
        }
    }
}

/// A plan sound as filter masks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Sound {
    /// Filters of all components (incl. AM sidebands).
    all: u8,
    /// Filters that must be present (all tones of a mix; the AM carrier).
    required: u8,
}

/// A repeating on/off cadence.
#[derive(Clone, Copy, Debug)]
struct Cycle {
    on: [bool; MAX_CADENCE_STEPS],
    ms: [u32; MAX_CADENCE_STEPS],
    len: usize,
}

impl Cycle {
    /// Longest on (or off) step in ms.
    fn longest(&self, on: bool) -> u32 {
        (0..self.len)
            .filter(|&i| self.on[i] == on)
            .map(|i| self.ms[i])
            .max()
            .unwrap_or(0)
    }

    fn on_steps(&self) -> usize {
        self.on[..self.len].iter().filter(|&&o| o).count()
    }
}

#[derive(Clone, Copy, Debug)]
enum Pattern {
    Continuous,
    Cadence(Cycle),
    /// Plays once and stops: nothing to recognise in the long run.
    Undetectable,
}

#[derive(Clone, Copy, Debug)]
struct KindInfo {
    progress: CallProgress,
    sound: usize,
    pattern: Pattern,
}

/// A run of quiet or sound blocks.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Segment {
    on: bool,
    blocks: u32,
    /// Windows (fully inside the segment) that matched each sound.
    votes: [u16; MAX_SOUNDS],
    /// Windows fully inside the segment.
    windows: u16,
}

impl Segment {
    /// The sound a majority of the windows matched.
    fn sound(&self) -> Option<usize> {
        let (best, &n) = self.votes.iter().enumerate().max_by_key(|&(_, n)| *n)?;
        (self.windows > 0 && f32::from(n) >= MAJORITY * f32::from(self.windows)).then_some(best)
    }

    /// True unless the windows so far voted mostly for something else.
    fn may_be(&self, sound: usize) -> bool {
        self.windows == 0 || 2 * self.votes[sound] >= self.windows
    }
}

/// Classifies call-progress tones (dial, ring-back, busy, reorder) and
/// silence in 16-bit PCM against one [`TonePlan`].
///
/// The rules are those of the API contract: Dial = the plan's dial sound
/// continuously present for >= 300 ms; Ringback/Busy/Reorder = the plan's
/// sound with an on/off cadence matching the plan (+-20 %) for one full
/// on+off cycle (Ringback already after its first on-burst of the right
/// length); Silence = below -45 dBm0 for >= 300 ms; anything else Unknown.
/// No allocation; 8000 or 16000 Hz. How it decides is described below.
///
/// ```
/// use fxs_tones::{CallProgress, CallProgressDetector, ToneGenerator, TonePlan};
/// let us = TonePlan::for_country("US")?;
/// let mut det = CallProgressDetector::new(8000, us)?;
/// let mut busy = ToneGenerator::new(8000, &us.busy)?;
/// let mut frame = [0i16; 80];
/// for _ in 0..150 {
///     busy.generate(&mut frame);
///     det.process(&frame);
/// }
/// assert_eq!(det.current(), CallProgress::Busy);
/// # Ok::<(), fxs_tones::Error>(())
/// ```
///
/// # How it decides
///
/// The detector works in 10 ms blocks. For every block it keeps the total
/// energy and the complex DFT value of each frequency the plan uses
/// (a Goertzel bank). Two views come from these:
///
/// - **On/off, per block.** A block is *quiet* below -45 dBm0 (the API's
///   silence level), otherwise *sound*. Runs of quiet and sound blocks
///   form segments; a run of one block of the other state is absorbed
///   (two are needed to start a new segment), so a 10 ms click or dropout
///   does not cut a burst in two. A sound segment also ends where another
///   plan sound takes over without a pause (ring-back switched to busy).
/// - **Which sound, per 50 ms window.** The last five block DFTs of each
///   plan frequency are combined coherently into a 50 ms DFT (20 Hz
///   resolution, enough to tell 440 Hz from 480 Hz: they fall on each
///   other's nulls). A window matches a plan sound when every component of
///   the sound is within 10 dB of its strongest one and the sound's
///   components carry at least 70 % of the window's energy. A 1000 Hz test
///   tone, speech or a mix of two plan sounds therefore matches nothing.
///   Each window fully inside a sound segment votes for its match.
///
/// Classification, per block:
///
/// - **Dial**: the plan's (continuous) dial sound has matched without a
///   break for 300 ms (first decision after about 330 ms).
/// - **Ringback / Busy / Reorder**: the last completed segments form one
///   full on+off cycle of the tone's cadence, each duration within +-20 %
///   (+-20 ms for the 10 ms block grid), the on-segments voted for the
///   tone's sound. Ringback is also declared when its first on-burst of the
///   right length ends. Once declared, a cadenced tone holds through its own
///   on and off phases and ends when a segment no longer fits.
/// - **Silence**: quiet for 300 ms, except while the quiet may still be the
///   off phase of a cadence that fits what was heard.
/// - **Unknown**: sound that is none of the above (after 50 ms when the
///   previous call was Silence or Dial).
///
/// A cadenced tone and the dial tone can share a sound (DE: every tone is
/// 425 Hz). Then the first burst of a cadenced tone longer than 300 ms
/// reads as Dial until it ends: that is the API's definition of Dial
/// (present >= 300 ms), and only the end of the burst can tell them apart.
/// When it ends the call becomes Ringback (DE ring-back burst) or Unknown
/// until the cycle completes (DE busy: Busy after 0.96 s).
#[derive(Clone, Debug)]
pub struct CallProgressDetector {
    bank: Bank<MAX_FREQS>,
    freq_count: usize,
    /// `e^(-j w B)` per filter, B = block length.
    shift: [C32; MAX_FREQS],
    sounds: [Sound; MAX_SOUNDS],
    sound_count: usize,
    kinds: [KindInfo; 4],
    block_len: usize,
    pos: usize,
    energy: f32,
    quiet_energy: f32,
    /// Block DFTs and energies of the last WINDOW_BLOCKS blocks.
    ring: [[C32; MAX_FREQS]; WINDOW_BLOCKS],
    ring_energy: [f32; WINDOW_BLOCKS],
    ring_pos: usize,
    ring_filled: usize,
    seg: Segment,
    /// Blocks of the other state seen in a row (not yet a segment).
    pending: u32,
    history: [Segment; HISTORY],
    history_len: usize,
    /// Consecutive windows that matched the same sound, and which.
    match_run: (Option<usize>, u32),
    current: CallProgress,
}

impl CallProgressDetector {
    /// A detector for `plan` at `sample_rate` (8000 or 16000 Hz). Fails if
    /// a tone of the plan is invalid, uses several different sounds, or the
    /// plan needs more than eight filters.
    pub fn new(sample_rate: u32, plan: &TonePlan) -> Result<CallProgressDetector, Error> {
        if sample_rate != 8000 && sample_rate != 16000 {
            return Err(Error::UnsupportedSampleRate(sample_rate));
        }
        let mut freqs = [0.0f32; MAX_FREQS];
        let mut freq_count = 0;
        let mut sounds = [Sound::default(); MAX_SOUNDS];
        let mut sound_count = 0;
        let mut kinds = [KindInfo {
            progress: CallProgress::Unknown,
            sound: 0,
            pattern: Pattern::Undetectable,
        }; 4];
        for (slot, kind) in kinds.iter_mut().zip(ToneKind::ALL) {
            let tone = plan.tone(kind);
            tone.validate()?;
            let sound = sound_of(tone, sample_rate, &mut freqs, &mut freq_count)?;
            let index = match sounds[..sound_count].iter().position(|s| *s == sound) {
                Some(i) => i,
                None => {
                    sounds[sound_count] = sound;
                    sound_count += 1;
                    sound_count - 1
                }
            };
            *slot = KindInfo {
                progress: CallProgress::from_kind(kind),
                sound: index,
                pattern: pattern_of(tone),
            };
        }
        let block_len = (sample_rate / 100) as usize;
        let mut shift = [C32::ZERO; MAX_FREQS];
        for (s, &f) in shift.iter_mut().zip(&freqs[..freq_count]) {
            *s = block_shift(f, sample_rate, block_len);
        }
        let quiet_rms = Dbm0(QUIET_DBM0).rms();
        Ok(CallProgressDetector {
            bank: Bank::new(&freqs, sample_rate),
            freq_count,
            shift,
            sounds,
            sound_count,
            kinds,
            block_len,
            pos: 0,
            energy: 0.0,
            quiet_energy: quiet_rms * quiet_rms * block_len as f32,
            ring: [[C32::ZERO; MAX_FREQS]; WINDOW_BLOCKS],
            ring_energy: [0.0; WINDOW_BLOCKS],
            ring_pos: 0,
            ring_filled: 0,
            seg: Segment::default(),
            pending: 0,
            history: [Segment::default(); HISTORY],
            history_len: 0,
            match_run: (None, 0),
            current: CallProgress::Unknown,
        })
    }

    /// Feeds samples (any length).
    pub fn process(&mut self, samples: &[i16]) {
        let mut rest = samples;
        while !rest.is_empty() {
            let take = (self.block_len - self.pos).min(rest.len());
            let (now, later) = rest.split_at(take);
            rest = later;
            self.bank.update(now);
            self.energy += now.iter().map(|&x| f32::from(x) * f32::from(x)).sum::<f32>();
            self.pos += take;
            if self.pos == self.block_len {
                self.end_of_block();
                self.bank.reset();
                self.energy = 0.0;
                self.pos = 0;
            }
        }
    }

    /// Current classification (Unknown until the first decision).
    pub fn current(&self) -> CallProgress {
        self.current
    }

    fn end_of_block(&mut self) {
        let slot = self.ring_pos;
        for k in 0..self.freq_count {
            self.ring[slot][k] = self.bank.dft(k, self.shift[k]);
        }
        self.ring_energy[slot] = self.energy;
        self.ring_pos = (slot + 1) % WINDOW_BLOCKS;
        self.ring_filled = (self.ring_filled + 1).min(WINDOW_BLOCKS);
        let window = if self.ring_filled == WINDOW_BLOCKS {
            self.window_match()
        } else {
            None
        };
        let sound = self.energy >= self.quiet_energy;
        let mut completed = self.track_segment(sound);
        if self.seg.on {
            if window == self.match_run.0 {
                self.match_run.1 += 1;
            } else {
                self.match_run = (window, 1);
            }
            if self.seg.blocks as usize >= WINDOW_BLOCKS {
                self.seg.windows = self.seg.windows.saturating_add(1);
                if let Some(s) = window {
                    self.seg.votes[s] = self.seg.votes[s].saturating_add(1);
                }
            }
            if completed.is_none() {
                completed = self.split_on_sound_change();
            }
        } else {
            self.match_run = (None, 0);
        }
        if let Some(done) = completed {
            self.on_segment_completed(done);
        }
        self.decide();
    }

    /// Which plan sound the last 50 ms match, if any.
    fn window_match(&self) -> Option<usize> {
        let n = (WINDOW_BLOCKS * self.block_len) as f32;
        let mean_square = self.ring_energy.iter().sum::<f32>() / n;
        if mean_square <= 0.0 {
            return None;
        }
        let mut power = [0.0f32; MAX_FREQS];
        for (k, p) in power.iter_mut().enumerate().take(self.freq_count) {
            // Oldest block first: sum_m X_m e^(-j w B m), by Horner from the newest.
            let mut acc = C32::ZERO;
            for m in (0..WINDOW_BLOCKS).rev() {
                let block = &self.ring[(self.ring_pos + m) % WINDOW_BLOCKS];
                acc = acc * self.shift[k] + block[k];
            }
            // Mean square of a sine with this DFT value: 2 |X|^2 / N^2.
            *p = 2.0 * acc.norm_sqr() / (n * n);
        }
        let spread = libm::powf(10.0, -COMPONENT_SPREAD_DB / 10.0);
        let mut best: Option<(usize, f32)> = None;
        for (i, s) in self.sounds[..self.sound_count].iter().enumerate() {
            let bits = |mask: u8| (0..self.freq_count).filter(move |k| mask & (1 << k) != 0);
            let strongest = bits(s.required).map(|k| power[k]).fold(0.0f32, f32::max);
            if strongest <= 0.0 || bits(s.required).any(|k| power[k] < spread * strongest) {
                continue;
            }
            let purity = bits(s.all).map(|k| power[k]).sum::<f32>() / mean_square;
            if purity >= MIN_PURITY && best.is_none_or(|(_, p)| purity > p) {
                best = Some((i, purity));
            }
        }
        best.map(|(i, _)| i)
    }

    /// Updates the current segment with one block; returns a segment that
    /// just completed.
    fn track_segment(&mut self, sound: bool) -> Option<Segment> {
        if sound == self.seg.on {
            self.seg.blocks += self.pending + 1;
            self.pending = 0;
            return None;
        }
        self.pending += 1;
        if self.pending < DEBOUNCE_BLOCKS {
            return None;
        }
        let done = self.seg;
        self.seg = Segment {
            on: sound,
            blocks: self.pending,
            ..Segment::default()
        };
        self.pending = 0;
        (done.blocks > 0).then_some(done)
    }

    /// Ends the current sound segment where another plan sound took over
    /// without a pause (e.g. ring-back switched to busy mid-burst), once
    /// the new sound has matched for a whole window length.
    fn split_on_sound_change(&mut self) -> Option<Segment> {
        let (Some(new), run) = self.match_run else {
            return None;
        };
        let old = self.seg.sound()?;
        if new == old || (run as usize) < WINDOW_BLOCKS {
            return None;
        }
        // The first window that matched held mostly the new sound: it
        // began about WINDOW_BLOCKS - 2 blocks before that window ended.
        let tail = (run + WINDOW_BLOCKS as u32 - 2).min(self.seg.blocks.saturating_sub(1));
        let mut done = self.seg;
        done.blocks -= tail;
        let mut votes = [0u16; MAX_SOUNDS];
        votes[new] = run.min(u32::from(u16::MAX)) as u16;
        self.seg = Segment {
            on: true,
            blocks: tail,
            votes,
            windows: votes[new],
        };
        Some(done)
    }

    fn on_segment_completed(&mut self, done: Segment) {
        if self.history_len == HISTORY {
            self.history.copy_within(1.., 0);
            self.history_len -= 1;
        }
        self.history[self.history_len] = done;
        self.history_len += 1;

        // A declared cadenced tone survives only segments that fit it.
        if let Some(k) = self.current_cadence() {
            if !self.fits_some_step(&self.kinds[k], &done) {
                self.current = CallProgress::Unknown;
            }
        }
        // One full cycle of a cadenced tone.
        for kind in self.kinds {
            if kind.progress != self.current && self.cycle_observed(&kind) {
                self.current = kind.progress;
                return;
            }
        }
        if done.on && self.current_cadence().is_none() {
            // Ring-back after its first burst of the right length.
            let rb = self.kinds[1];
            if let Pattern::Cadence(c) = rb.pattern {
                if c.on_steps() == 1 && done.sound() == Some(rb.sound) && fits(done.blocks, c.longest(true)) {
                    self.current = CallProgress::Ringback;
                    return;
                }
            }
            // A burst that ended was not dial tone after all.
            if self.current == CallProgress::Dial && self.burst_fits_a_cadence(&done) {
                self.current = CallProgress::Unknown;
            }
        }
    }

    /// Per-block decision for the ongoing segment (see the type docs).
    fn decide(&mut self) {
        let seg = self.seg;
        if let Some(k) = self.current_cadence() {
            let kind = self.kinds[k];
            if let Pattern::Cadence(c) = kind.pattern {
                let still = if seg.on {
                    seg.may_be(kind.sound) && seg.blocks <= upper_blocks(c.longest(true))
                } else {
                    seg.blocks <= upper_blocks(c.longest(false))
                };
                if still {
                    return;
                }
            }
            self.current = CallProgress::Unknown;
        }
        if seg.on {
            let dial = self.kinds[0];
            let dial_run = matches!(dial.pattern, Pattern::Continuous)
                && self.match_run.0 == Some(dial.sound)
                && self.match_run.1 + WINDOW_BLOCKS as u32 > DECISION_BLOCKS;
            if dial_run {
                self.current = CallProgress::Dial;
            } else if seg.blocks >= UNKNOWN_AFTER_BLOCKS
                && (self.current == CallProgress::Silence
                    || (self.current == CallProgress::Dial
                        && self.match_run.0 != Some(dial.sound)
                        && self.match_run.1 >= UNKNOWN_AFTER_BLOCKS))
            {
                self.current = CallProgress::Unknown;
            }
        } else {
            let waiting_for_cycle = self.history_len > 0 && {
                let last = self.history[self.history_len - 1];
                last.on
                    && self.kinds.iter().any(|k| match k.pattern {
                        Pattern::Cadence(c) => {
                            last.sound() == Some(k.sound)
                                && fits_any(&c, true, last.blocks)
                                && seg.blocks <= upper_blocks(c.longest(false))
                        }
                        _ => false,
                    })
            };
            if waiting_for_cycle {
                if self.current == CallProgress::Dial {
                    self.current = CallProgress::Unknown;
                }
            } else if seg.blocks >= DECISION_BLOCKS {
                self.current = CallProgress::Silence;
            }
        }
    }

    /// Index into `kinds` of the current classification if it is a cadenced tone.
    fn current_cadence(&self) -> Option<usize> {
        self.kinds
            .iter()
            .position(|k| k.progress == self.current && matches!(k.pattern, Pattern::Cadence(_)))
    }

    fn fits_some_step(&self, kind: &KindInfo, seg: &Segment) -> bool {
        match kind.pattern {
            Pattern::Cadence(c) => {
                (!seg.on || seg.sound() == Some(kind.sound)) && fits_any(&c, seg.on, seg.blocks)
            }
            _ => false,
        }
    }

    fn burst_fits_a_cadence(&self, burst: &Segment) -> bool {
        self.kinds.iter().any(|k| self.fits_some_step(k, burst))
    }

    /// True if the last completed segments are one full cycle of `kind`.
    fn cycle_observed(&self, kind: &KindInfo) -> bool {
        let Pattern::Cadence(c) = kind.pattern else {
            return false;
        };
        if self.history_len < c.len {
            return false;
        }
        let recent = &self.history[self.history_len - c.len..self.history_len];
        (0..c.len).any(|rot| {
            recent.iter().enumerate().all(|(i, s)| {
                let step = (rot + i) % c.len;
                s.on == c.on[step] && fits(s.blocks, c.ms[step]) && (!s.on || s.sound() == Some(kind.sound))
            })
        })
    }
}

/// Upper limit in blocks for a step of `ms`.
fn upper_blocks(ms: u32) -> u32 {
    libm::ceilf((ms as f32 * (1.0 + CADENCE_TOLERANCE) + CADENCE_SLACK_MS) / 10.0) as u32
}

/// True if `blocks` (10 ms each) is within tolerance of `ms`.
fn fits(blocks: u32, ms: u32) -> bool {
    let got = blocks as f32 * 10.0;
    let ms = ms as f32;
    got >= ms * (1.0 - CADENCE_TOLERANCE) - CADENCE_SLACK_MS
        && got <= ms * (1.0 + CADENCE_TOLERANCE) + CADENCE_SLACK_MS
}

fn fits_any(c: &Cycle, on: bool, blocks: u32) -> bool {
    (0..c.len).any(|i| c.on[i] == on && fits(blocks, c.ms[i]))
}

/// The sound of a tone (all its non-silent steps must sound alike), with
/// its frequencies added to the filter list.
fn sound_of(
    tone: &Tone,
    sample_rate: u32,
    freqs: &mut [f32; MAX_FREQS],
    count: &mut usize,
) -> Result<Sound, Error> {
    let mut result: Option<Sound> = None;
    for step in tone.used_steps() {
        let mut s = Sound::default();
        let mut add = |f: f32, required: bool| -> Result<(), Error> {
            if f <= 0.0 || f >= sample_rate as f32 / 2.0 {
                return Err(Error::InvalidTone("frequency at or above half the sample rate"));
            }
            let k = match freqs[..*count].iter().position(|&g| (g - f).abs() < SAME_FREQ_HZ) {
                Some(k) => k,
                None if *count < MAX_FREQS => {
                    freqs[*count] = f;
                    *count += 1;
                    *count - 1
                }
                None => return Err(Error::InvalidTone("plan needs more than 8 detection frequencies")),
            };
            s.all |= 1 << k;
            if required {
                s.required |= 1 << k;
            }
            Ok(())
        };
        match step.sound {
            ToneSound::Silence => continue,
            ToneSound::Mixed { .. } => {
                for &(f, _) in step.sound.components() {
                    add(f, true)?;
                }
            }
            ToneSound::Modulated {
                carrier, modulator, ..
            } => {
                add(carrier, true)?;
                add(carrier - modulator, false)?;
                add(carrier + modulator, false)?;
            }
        }
        match result {
            None => result = Some(s),
            Some(r) if r == s => {}
            Some(_) => {
                return Err(Error::InvalidTone(
                    "call-progress detection needs one sound per tone",
                ));
            }
        }
    }
    result.ok_or(Error::InvalidTone("a call-progress tone must not be all silence"))
}

/// The long-run on/off pattern of a tone.
fn pattern_of(tone: &Tone) -> Pattern {
    let steps = tone.used_steps();
    if let Some(last) = steps.last() {
        if last.duration_ms == 0 {
            // Ends in a step held forever: steady if that step sounds.
            return if last.sound.is_silence() {
                Pattern::Undetectable
            } else {
                Pattern::Continuous
            };
        }
    }
    let Some(from) = tone.repeat_from else {
        return Pattern::Undetectable;
    };
    let mut c = Cycle {
        on: [false; MAX_CADENCE_STEPS],
        ms: [0; MAX_CADENCE_STEPS],
        len: 0,
    };
    for step in steps.iter().skip(usize::from(from)) {
        let on = !step.sound.is_silence();
        if c.len > 0 && c.on[c.len - 1] == on {
            c.ms[c.len - 1] += step.duration_ms;
        } else {
            c.on[c.len] = on;
            c.ms[c.len] = step.duration_ms;
            c.len += 1;
        }
    }
    // The loop joins the last step to the first: merge them if alike.
    if c.len > 1 && c.on[0] == c.on[c.len - 1] {
        c.ms[0] += c.ms[c.len - 1];
        c.len -= 1;
    }
    match c.len {
        0 => Pattern::Undetectable,
        1 if c.on[0] => Pattern::Continuous,
        1 => Pattern::Undetectable,
        _ => Pattern::Cadence(c),
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use crate::ToneGenerator;
    use std::vec::Vec;

    /// Feeds `ms` of `tone` (or silence) and returns the classification
    /// after every 10 ms.
    fn feed(det: &mut CallProgressDetector, tone: Option<&Tone>, ms: usize) -> Vec<CallProgress> {
        let mut g = tone.map(|t| ToneGenerator::new(8000, t).unwrap());
        let mut frame = [0i16; 80];
        (0..ms / 10)
            .map(|_| {
                match &mut g {
                    Some(g) => g.generate(&mut frame),
                    None => frame.fill(0),
                }
                det.process(&frame);
                det.current()
            })
            .collect()
    }

    #[test]
    fn starts_unknown_and_silence_after_300_ms() {
        let us = TonePlan::for_country("US").unwrap();
        let mut det = CallProgressDetector::new(8000, us).unwrap();
        assert_eq!(det.current(), CallProgress::Unknown);
        let calls = feed(&mut det, None, 400);
        assert_eq!(calls[25], CallProgress::Unknown);
        assert_eq!(calls[31], CallProgress::Silence);
    }

    #[test]
    fn segments_absorb_a_single_block_glitch() {
        let us = TonePlan::for_country("US").unwrap();
        let mut det = CallProgressDetector::new(8000, us).unwrap();
        assert_eq!(det.track_segment(true), None);
        assert_eq!(
            det.track_segment(true).map(|s| s.blocks),
            None,
            "first segment was empty"
        );
        assert_eq!(det.track_segment(false), None);
        assert_eq!(det.track_segment(true), None);
        assert_eq!(det.seg.blocks, 4);
        assert_eq!(det.track_segment(false), None);
        let done = det.track_segment(false).expect("two quiet blocks end the burst");
        assert!(done.on);
        assert_eq!(done.blocks, 4);
    }

    #[test]
    fn pattern_merges_steps_and_wraps() {
        let s = ToneSound::single(400.0, Dbm0(-10.0));
        let uk = Tone::cadenced(s, &[400, 200, 400, 2000]);
        let Pattern::Cadence(c) = pattern_of(&uk) else {
            panic!()
        };
        assert_eq!(&c.ms[..c.len], &[400, 200, 400, 2000]);
        let odd = Tone::cadenced(s, &[100, 200, 300]);
        let Pattern::Cadence(c) = pattern_of(&odd) else {
            panic!()
        };
        assert_eq!(&c.ms[..c.len], &[400, 200], "last on-step joins the first");
        assert!(matches!(pattern_of(&Tone::continuous(s)), Pattern::Continuous));
        let mut once = Tone::cadenced(s, &[100, 100]);
        once.repeat_from = None;
        assert!(matches!(pattern_of(&once), Pattern::Undetectable));
    }

    #[test]
    fn fits_allows_twenty_percent_and_the_block_grid() {
        assert!(fits(50, 500));
        assert!(fits(38, 500));
        assert!(!fits(37, 500));
        assert!(fits(62, 500));
        assert!(!fits(63, 500));
    }

    #[test]
    fn plan_with_mixed_sounds_in_one_tone_is_refused() {
        let mut p = *TonePlan::for_country("US").unwrap();
        p.busy.steps[1].sound = ToneSound::single(1000.0, Dbm0(-20.0));
        assert!(matches!(
            CallProgressDetector::new(8000, &p),
            Err(Error::InvalidTone(_))
        ));
        assert!(matches!(
            CallProgressDetector::new(22_050, TonePlan::for_country("US").unwrap()),
            Err(Error::UnsupportedSampleRate(22_050))
        ));
    }
}
