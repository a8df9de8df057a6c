//! Call-progress tone classification against a [`TonePlan`] ([`CallProgressDetector`]).

use crate::complex::C32;
use crate::goertzel::{Bank, block_shift};
use crate::plan::{NANP_LONG_MS, NANP_SHORT_MS, NANP_SIT_HZ};
use crate::plan::{SitCode, ToneKind, TonePlan};
use crate::tone::{MAX_CADENCE_STEPS, Tone, ToneSound};
use crate::{Dbm0, Error};

/// Most distinct frequencies the Goertzel bank holds (plan tones plus the
/// eight SIT frequencies).
pub const MAX_DETECTOR_FREQS: usize = 16;
/// Most distinct sounds (plan sounds plus the eight SIT frequencies).
const MAX_SOUNDS: usize = 24;
/// Tone kinds of a plan.
const KINDS: usize = ToneKind::ALL.len();
/// Blocks combined into one analysis window (50 ms).
const WINDOW_BLOCKS: usize = 5;
/// Completed segments remembered for cadence matching (a 6-burst stutter
/// prefix is 12).
const HISTORY: usize = 16;
/// Absolute quiet level (API: Silence = < -45 dBm0).
const QUIET_DBM0: f32 = -45.0;
/// During sound, a block is quiet this far below the loudest block of that
/// sound (dB), so the off phases of a cadence in noise 20 dB down read as off.
const RELATIVE_QUIET_DB: f32 = 13.0;
/// A block is sound only this far above the mean energy of the last run of
/// quiet blocks (dB, a noise-floor estimate): noise neither starts nor
/// extends a burst.
const RISE_DB: f32 = 6.0;
/// Share of the window energy the required components of a sound must
/// carry (the carrier of a 90 % AM tone carries 71 %).
const MIN_REQUIRED_SHARE: f32 = 0.5;
/// Blocks of quiet before Silence, and of steady sound before Dial (300 ms).
const DECISION_BLOCKS: u32 = 30;
/// Blocks of sound after which Silence or Dial give way to Unknown.
const UNKNOWN_AFTER_BLOCKS: u32 = 5;
/// Blocks of the other state needed to start a new segment, normally.
const DEBOUNCE_BLOCKS: u32 = 2;
/// Silence steps shorter than this (ms) make the detector accept a single
/// quiet block as a gap (SE 20 ms, AU 40 ms... gaps).
const SHORT_GAP_MS: u32 = 40;
/// Cadence duration tolerance (API: +-20 %).
const CADENCE_TOLERANCE: f32 = 0.2;
/// Extra cadence slack for the block grid, ms.
const CADENCE_SLACK_MS: f32 = 20.0;
/// Share of the window energy the sound's components must carry.
const MIN_PURITY: f32 = 0.7;
/// Every required component of a sound must be within this of its strongest one.
const COMPONENT_SPREAD_DB: f32 = 10.0;
/// Votes a segment's sound needs, as a share of its windows.
const MAJORITY: f32 = 0.6;
/// Frequencies closer than this are the same filter (Hz).
const SAME_FREQ_HZ: f32 = 1.0;
/// Confirmation is held this long into the silence after it, then Silence (blocks).
const CONFIRMATION_HOLD_BLOCKS: u32 = 150;
/// SIT: quiet entries up to this long between segments are gaps (E.180: <= 30 ms).
const SIT_GAP_BLOCKS: u32 = 4;
/// SIT segment duration range, ms: E.180 330 +- 70 and NANP 274 / 380 +- 5 %,
/// plus the block-grid slack.
const SIT_SEGMENT_MS: (u32, u32) = (240, 420);
/// SIT: the pause between repetitions is held up to this long (blocks).
const SIT_HOLD_QUIET_BLOCKS: u32 = 300;
/// E.180 SIT bands: centre +- 50 Hz (tones-and-ringing.md §1).
const SIT_BANDS_HZ: [f32; 3] = [950.0, 1400.0, 1800.0];
/// SIT frequencies always in the bank: the E.180 centres and the NANP ones.
const SIT_FREQS: [f32; 8] = [
    SIT_BANDS_HZ[0],
    SIT_BANDS_HZ[1],
    SIT_BANDS_HZ[2],
    NANP_SIT_HZ[0],
    NANP_SIT_HZ[1],
    NANP_SIT_HZ[2],
    NANP_SIT_HZ[3],
    NANP_SIT_HZ[4],
];

/// What a listener hears, classified against a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallProgress {
    /// Quiet (< -45 dBm0, or 13 dB below the tone before) for at least 300 ms.
    Silence,
    /// The plan's dial tone.
    Dial,
    /// The plan's ring-back tone.
    Ringback,
    /// The plan's busy tone.
    Busy,
    /// The plan's reorder (congestion) tone.
    Reorder,
    /// The plan's call-waiting tone.
    CallWaiting,
    /// The plan's stutter (message-waiting / special) dial tone.
    Stutter,
    /// The plan's recall dial tone.
    Recall,
    /// The plan's confirmation tone.
    Confirmation,
    /// A special information tone; the NANP code where it is one.
    Sit(SitCode),
    /// The plan's receiver off-hook tone.
    Howler,
    /// Something else, or not decided yet.
    Unknown,
}

impl CallProgress {
    /// The classification of a plan tone kind (a SIT as [`SitCode::Other`]).
    pub fn from_kind(kind: ToneKind) -> CallProgress {
        match kind {
            ToneKind::Dial => CallProgress::Dial,
            ToneKind::Ringback => CallProgress::Ringback,
            ToneKind::Busy => CallProgress::Busy,
            ToneKind::Reorder => CallProgress::Reorder,
            ToneKind::CallWaiting => CallProgress::CallWaiting,
            ToneKind::Stutter => CallProgress::Stutter,
            ToneKind::Recall => CallProgress::Recall,
            ToneKind::Confirmation => CallProgress::Confirmation,
            ToneKind::Sit => CallProgress::Sit(SitCode::Other),
            ToneKind::Howler => CallProgress::Howler,
        }
    }
}

/// A plan sound as filter masks.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Sound {
    /// Filters of all components (incl. AM sidebands).
    all: u16,
    /// Filters that must be present: all tones of a mix; the AM carrier.
    /// Two sounds with the same required filters are one sound (an AM
    /// tone is recognised by its carrier).
    required: u16,
    /// The E.180 SIT band (0, 1, 2) and frequency of a single-frequency sound in one.
    sit: Option<(u8, f32)>,
}

/// What a completed segment was.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Label {
    #[default]
    Quiet,
    /// A plan sound.
    Sound(u8),
    /// Sound too short for a 50 ms window: matches any sound step.
    Short,
    /// Sound that is no plan sound.
    Other,
}

/// A sequence of (label, duration) steps, adjacent equal labels merged.
#[derive(Clone, Copy, Debug)]
struct Steps {
    /// `None` = quiet, `Some(i)` = sound i.
    label: [Option<u8>; MAX_CADENCE_STEPS],
    ms: [u32; MAX_CADENCE_STEPS],
    len: usize,
}

impl Steps {
    const EMPTY: Steps = Steps {
        label: [None; MAX_CADENCE_STEPS],
        ms: [0; MAX_CADENCE_STEPS],
        len: 0,
    };

    fn push(&mut self, label: Option<u8>, ms: u32) {
        if self.len > 0 && self.label[self.len - 1] == label {
            self.ms[self.len - 1] += ms;
        } else if self.len < MAX_CADENCE_STEPS {
            self.label[self.len] = label;
            self.ms[self.len] = ms;
            self.len += 1;
        }
    }

    /// Longest step of this label kind (sound of `label`, or quiet).
    fn longest(&self, on: bool) -> u32 {
        (0..self.len)
            .filter(|&i| self.label[i].is_some() == on)
            .map(|i| self.ms[i])
            .max()
            .unwrap_or(0)
    }

    fn fits_step(&self, i: usize, e: &Entry) -> bool {
        label_fits(self.label[i], e.label) && fits(e.blocks, self.ms[i])
    }

    fn fits_some_step(&self, e: &Entry) -> bool {
        (0..self.len).any(|i| self.fits_step(i, e))
    }
}

#[derive(Clone, Copy, Debug)]
enum Pattern {
    /// One sound forever.
    Continuous(u8),
    /// A repeating cycle.
    Cadence(Steps),
    /// Steps played once, then a sound held forever (`Some`) or silence.
    Prefix { steps: Steps, steady: Option<u8> },
    /// A three-segment E.180 SIT: found by the SIT recogniser.
    Sit,
    /// Nothing that can be recognised.
    Undetectable,
}

/// A completed segment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Entry {
    label: Label,
    blocks: u32,
}

/// The segment being heard.
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
    fn sound(&self) -> Option<u8> {
        let (best, &n) = self.votes.iter().enumerate().max_by_key(|&(_, n)| *n)?;
        (self.windows > 0 && f32::from(n) >= MAJORITY * f32::from(self.windows)).then_some(best as u8)
    }

    /// True unless the windows so far voted mostly for something else.
    fn may_be(&self, sound: u8) -> bool {
        self.windows == 0 || 2 * self.votes[usize::from(sound)] >= self.windows
    }

    fn entry(&self) -> Entry {
        let label = if !self.on {
            Label::Quiet
        } else if self.windows == 0 {
            Label::Short
        } else {
            self.sound().map_or(Label::Other, Label::Sound)
        };
        Entry {
            label,
            blocks: self.blocks,
        }
    }
}

/// How the current classification is held.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hold {
    /// Nothing held (Silence, Unknown).
    None,
    /// A continuous or steady sound: held while that sound goes on.
    Steady(u8),
    /// A cadence (or a prefix declared early): held while segments fit `kind`.
    Cadence(usize),
    /// Confirmation-like: held through the silence after it.
    AfterPrefix,
    /// A SIT: held while SIT segments and pauses go on.
    Sit,
}

/// Classifies call-progress tones in 16-bit PCM against one [`TonePlan`]:
/// dial, ring-back, busy, reorder (congestion), call waiting, stutter dial,
/// recall dial, confirmation, special information tones (with the NANP
/// code), howler, and silence.
///
/// No allocation; 8000 or 16000 Hz. The state is a few kilobytes (see
/// `CallProgressDetector::STATE_BYTES_MAX` in the tests) and is built once
/// in [`new`](Self::new).
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
/// energy and the complex DFT value of each frequency the plan uses plus
/// the eight SIT frequencies (a Goertzel bank of at most
/// [`MAX_DETECTOR_FREQS`]). Two views come from these:
///
/// - **On/off, per block.** A block is *quiet* below -45 dBm0 or 13 dB
///   below the loudest recent block (so the off phase of a cadence in
///   noise 20 dB down is off), otherwise *sound*. For plans with
///   amplitude-modulated tones the decision uses the loudest block of the
///   last modulation period, so the envelope's troughs are not gaps. Runs
///   of quiet and sound blocks form segments; a run of one block of the
///   other state is absorbed (two are needed), except quiet in plans with
///   gaps under 40 ms. A sound segment also ends where another plan sound
///   takes over without a pause (SIT segments, UK and IT special dial tones).
/// - **Which sound, per 50 ms window.** The last five block DFTs of each
///   frequency are combined coherently into a 50 ms DFT (20 Hz resolution).
///   A window matches a plan sound when its required components are within
///   10 dB of each other and the sound's components carry at least 70 % of
///   the window's energy; the best such sound wins. Each window fully
///   inside a sound segment votes; a segment's label is its majority sound.
///
/// Each plan tone becomes a pattern of labelled steps: continuous (dial),
/// a repeating cycle (busy), a prefix then a steady sound or silence
/// (stutter, recall, confirmation), or the SIT sequence. Classification:
///
/// - **Continuous / steady**: the sound matched for 300 ms; if the segments
///   just before are a plan tone's prefix (6 x 0.1/0.1 s...), the tone
///   with the longest such prefix (Stutter before Recall), else the
///   continuous tone of that sound (Dial).
/// - **Cadence**: the last completed segments form one full cycle of the
///   tone (each duration within +-20 % +-20 ms, each sound segment voted
///   for the step's sound); the longest matching cycle wins. Also declared
///   at the end of a first burst whose sound and length fit one tone of
///   the plan only (US ring-back after 2 s, howler after 0.1 s). Once
///   declared, a cadence holds while segments fit its steps.
/// - **Prefix then silence** (confirmation): the prefix heard, then 300 ms
///   of quiet; held for 1.5 s of quiet, then Silence.
/// - **SIT**: three sound segments (gaps up to 40 ms skipped) in the E.180
///   bands 950, 1400, 1800 +- 50 Hz in that order, each 240-420 ms; the
///   NANP code from the segment frequencies (913.8/985.2, 1370.6/1428.5,
///   1776.7 Hz) and lengths (short 274 / long 380 ms), else
///   [`SitCode::Other`]. A plan SIT of another shape (ES 950 Hz cadence,
///   CN information tone) is a cadence like any other, reported as
///   `Sit(SitCode::Other)`.
/// - **Silence**: quiet for 300 ms, except while the quiet may still be the
///   off phase of a cadence that fits what was heard.
/// - **Unknown**: sound that is none of the above.
///
/// # What cannot be told apart
///
/// - Tones with the same sound and cadence in a plan: JP busy and
///   congestion (400 Hz 0.5/0.5) read as Busy; AU busy and congestion differ
///   only in the level of every second burst, which is not measured: Busy.
/// - An AM tone is recognised by its carrier (the sidebands of 400*16 lie
///   inside a 50 ms window's resolution): JP ring-back and busy are told
///   apart by their cadences only.
/// - A tone whose cadence is a part of another's (IT dial 0.2/0.2/0.6/1.0
///   starts like IT congestion 0.2/0.2; ES congestion like ES busy) reads as
///   the shorter one until the longer cycle completes.
/// - A continuous tone joined after its prefix (stutter heard from the
///   middle of the steady part) reads as Dial.
#[derive(Clone, Debug)]
pub struct CallProgressDetector {
    bank: Bank<MAX_DETECTOR_FREQS>,
    freq_count: usize,
    /// `e^(-j w B)` per filter, B = block length.
    shift: [C32; MAX_DETECTOR_FREQS],
    sounds: [Sound; MAX_SOUNDS],
    sound_count: usize,
    kinds: [(CallProgress, Pattern); KINDS],
    block_len: usize,
    pos: usize,
    energy: f32,
    quiet_energy: f32,
    relative_quiet: f32,
    rise: f32,
    /// Whether the last block was judged sound.
    last_sound: bool,
    /// Loudest block of the current run of sound blocks.
    on_peak: f32,
    /// Mean block energy of the current run of quiet blocks.
    quiet_mean: f32,
    /// Energies of the last blocks, for the AM envelope smoothing.
    recent: [f32; 8],
    /// Blocks the on/off decision looks back over (1, or an AM period).
    smooth: usize,
    /// Quiet blocks needed to start a quiet segment.
    quiet_debounce: u32,
    /// Block DFTs and energies of the last WINDOW_BLOCKS blocks.
    ring: [[C32; MAX_DETECTOR_FREQS]; WINDOW_BLOCKS],
    ring_energy: [f32; WINDOW_BLOCKS],
    ring_pos: usize,
    ring_filled: usize,
    seg: Segment,
    /// Blocks of the other state seen in a row (not yet a segment).
    pending: u32,
    history: [Entry; HISTORY],
    history_len: usize,
    /// Consecutive windows that matched the same sound, and which.
    match_run: (Option<u8>, u32),
    current: CallProgress,
    hold: Hold,
}

impl CallProgressDetector {
    /// A detector for `plan` at `sample_rate` (8000 or 16000 Hz). Fails if
    /// a tone of the plan is invalid, all silence, or the plan needs more
    /// than [`MAX_DETECTOR_FREQS`] filters.
    pub fn new(sample_rate: u32, plan: &TonePlan) -> Result<CallProgressDetector, Error> {
        if sample_rate != 8000 && sample_rate != 16000 {
            return Err(Error::UnsupportedSampleRate(sample_rate));
        }
        let mut b = Builder {
            sample_rate,
            freqs: [0.0; MAX_DETECTOR_FREQS],
            freq_count: 0,
            sounds: [Sound::default(); MAX_SOUNDS],
            sound_count: 0,
        };
        let mut kinds = [(CallProgress::Unknown, Pattern::Undetectable); KINDS];
        let mut min_gap_ms = u32::MAX;
        let mut smooth = 1usize;
        for (slot, kind) in kinds.iter_mut().zip(ToneKind::ALL) {
            let tone = plan.tone(kind);
            tone.validate()?;
            for step in tone.used_steps() {
                match step.sound {
                    ToneSound::Silence if step.duration_ms > 0 => {
                        min_gap_ms = min_gap_ms.min(step.duration_ms);
                    }
                    ToneSound::Modulated { modulator, .. } => {
                        // One modulation period of blocks (16 Hz: 7).
                        let period = libm::ceilf(100.0 / modulator.max(1.0)) as usize;
                        smooth = smooth.max(period.clamp(1, 8));
                    }
                    _ => {}
                }
            }
            let pattern = b.pattern_of(tone)?;
            let pattern = match (kind, pattern) {
                (ToneKind::Sit, p) if b.is_e180_sit(&p) => Pattern::Sit,
                (_, p) => p,
            };
            *slot = (CallProgress::from_kind(kind), pattern);
        }
        for f in SIT_FREQS {
            let s = b.single_sound(f)?;
            b.add_sound(s)?;
        }
        let block_len = (sample_rate / 100) as usize;
        let mut shift = [C32::ZERO; MAX_DETECTOR_FREQS];
        for (s, &f) in shift.iter_mut().zip(&b.freqs[..b.freq_count]) {
            *s = block_shift(f, sample_rate, block_len);
        }
        let quiet_rms = Dbm0(QUIET_DBM0).rms();
        Ok(CallProgressDetector {
            bank: Bank::new(&b.freqs, sample_rate),
            freq_count: b.freq_count,
            shift,
            sounds: b.sounds,
            sound_count: b.sound_count,
            kinds,
            block_len,
            pos: 0,
            energy: 0.0,
            quiet_energy: quiet_rms * quiet_rms * block_len as f32,
            relative_quiet: libm::powf(10.0, -RELATIVE_QUIET_DB / 10.0),
            rise: libm::powf(10.0, RISE_DB / 10.0),
            last_sound: false,
            on_peak: 0.0,
            quiet_mean: 0.0,
            recent: [0.0; 8],
            smooth,
            quiet_debounce: if min_gap_ms < SHORT_GAP_MS {
                1
            } else {
                DEBOUNCE_BLOCKS
            },
            ring: [[C32::ZERO; MAX_DETECTOR_FREQS]; WINDOW_BLOCKS],
            ring_energy: [0.0; WINDOW_BLOCKS],
            ring_pos: 0,
            ring_filled: 0,
            seg: Segment::default(),
            pending: 0,
            history: [Entry::default(); HISTORY],
            history_len: 0,
            match_run: (None, 0),
            current: CallProgress::Unknown,
            hold: Hold::None,
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
        let n = self.recent.len();
        self.recent.copy_within(..n - 1, 1);
        self.recent[0] = self.energy;
        let level = self.recent[..self.smooth].iter().fold(0.0f32, |m, &e| m.max(e));
        // The mean of the last quiet run estimates the noise floor.
        let sound = level >= self.quiet_energy
            && level >= self.quiet_mean * self.rise
            && (!self.last_sound || level >= self.on_peak * self.relative_quiet);
        match (self.last_sound, sound) {
            (false, true) => self.on_peak = level,
            (true, true) => self.on_peak = self.on_peak.max(level),
            (true, false) => self.quiet_mean = level,
            (false, false) => self.quiet_mean += 0.1 * (level - self.quiet_mean),
        }
        self.last_sound = sound;
        let window_loud = window.is_some() || {
            let mean = self.ring_energy.iter().sum::<f32>() / WINDOW_BLOCKS as f32;
            mean >= self.quiet_energy && mean >= self.on_peak * self.relative_quiet
        };
        let mut completed = self.track_segment(sound);
        if self.seg.on {
            if window == self.match_run.0 {
                self.match_run.1 += 1;
            } else {
                self.match_run = (window, 1);
            }
            if self.seg.blocks as usize >= WINDOW_BLOCKS && window_loud {
                self.seg.windows = self.seg.windows.saturating_add(1);
                if let Some(s) = window {
                    let v = &mut self.seg.votes[usize::from(s)];
                    *v = v.saturating_add(1);
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

    /// Which sound the last 50 ms match, if any.
    fn window_match(&self) -> Option<u8> {
        let n = (WINDOW_BLOCKS * self.block_len) as f32;
        let mean_square = self.ring_energy.iter().sum::<f32>() / n;
        if mean_square <= 0.0 {
            return None;
        }
        let mut power = [0.0f32; MAX_DETECTOR_FREQS];
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
            let bits = |mask: u16| (0..self.freq_count).filter(move |k| mask & (1 << k) != 0);
            let strongest = bits(s.required).map(|k| power[k]).fold(0.0f32, f32::max);
            if strongest <= 0.0 || bits(s.required).any(|k| power[k] < spread * strongest) {
                continue;
            }
            let purity = bits(s.all).map(|k| power[k]).sum::<f32>() / mean_square;
            let required = bits(s.required).map(|k| power[k]).sum::<f32>() / mean_square;
            if purity >= MIN_PURITY && required >= MIN_REQUIRED_SHARE && best.is_none_or(|(_, p)| purity > p)
            {
                best = Some((i, purity));
            }
        }
        best.map(|(i, _)| i as u8)
    }

    /// Updates the current segment with one block; returns a segment that
    /// just completed.
    fn track_segment(&mut self, sound: bool) -> Option<Entry> {
        if sound == self.seg.on {
            self.seg.blocks += self.pending + 1;
            self.pending = 0;
            return None;
        }
        self.pending += 1;
        let needed = if sound {
            DEBOUNCE_BLOCKS
        } else {
            self.quiet_debounce
        };
        if self.pending < needed {
            return None;
        }
        let mut done = self.seg;
        let mut blocks = self.pending;
        if done.on {
            // The smoothed decision kept the end of the burst on for up to
            // smooth - 1 blocks: give them back to the quiet.
            let lag = (self.smooth as u32 - 1).min(done.blocks.saturating_sub(1));
            done.blocks -= lag;
            blocks += lag;
        }
        self.seg = Segment {
            on: sound,
            blocks,
            ..Segment::default()
        };
        self.pending = 0;
        (done.blocks > 0).then(|| done.entry())
    }

    /// Ends the current sound segment where another plan sound took over
    /// without a pause, once the new sound has matched for a whole window
    /// length.
    fn split_on_sound_change(&mut self) -> Option<Entry> {
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
        votes[usize::from(new)] = run.min(u32::from(u16::MAX)) as u16;
        self.seg = Segment {
            on: true,
            blocks: tail,
            votes,
            windows: votes[usize::from(new)],
        };
        Some(Entry {
            label: Label::Sound(old),
            blocks: done.blocks,
        })
    }

    fn set(&mut self, progress: CallProgress, hold: Hold) {
        self.current = progress;
        self.hold = hold;
    }

    fn on_segment_completed(&mut self, done: Entry) {
        if self.history_len == HISTORY {
            self.history.copy_within(1.., 0);
            self.history_len -= 1;
        }
        self.history[self.history_len] = done;
        self.history_len += 1;

        match self.hold {
            Hold::Cadence(k) => {
                if self.kind_steps(k).is_some_and(|s| s.fits_some_step(&done)) {
                    return;
                }
                self.set(CallProgress::Unknown, Hold::None);
            }
            Hold::Sit => {
                let sit_part = match done.label {
                    Label::Quiet => true,
                    Label::Sound(s) => self.sounds[usize::from(s)].sit.is_some(),
                    Label::Short | Label::Other => false,
                };
                if sit_part {
                    if let Some(code) = self.sit_observed() {
                        self.current = CallProgress::Sit(code);
                    }
                    return;
                }
                self.set(CallProgress::Unknown, Hold::None);
            }
            Hold::Steady(_) | Hold::AfterPrefix => {
                if done.label != Label::Quiet || self.hold == Hold::AfterPrefix {
                    self.set(CallProgress::Unknown, Hold::None);
                }
            }
            Hold::None => {}
        }
        if let Some(code) = self.sit_observed() {
            self.set(CallProgress::Sit(code), Hold::Sit);
            return;
        }
        // One full cycle of a cadenced tone; the longest cycle wins.
        let mut best: Option<(usize, usize)> = None;
        for k in 0..KINDS {
            if let Pattern::Cadence(c) = self.kinds[k].1 {
                if self.cycle_observed(&c) && best.is_none_or(|(_, len)| c.len > len) {
                    best = Some((k, c.len));
                }
            }
        }
        if let Some((k, _)) = best {
            self.set(self.kinds[k].0, Hold::Cadence(k));
            return;
        }
        // A first burst that fits one tone only.
        if let (Label::Sound(_), true) = (done.label, !self.seg.on) {
            let before_quiet =
                self.history_len < 2 || self.history[self.history_len - 2].label == Label::Quiet;
            if before_quiet && self.hold == Hold::None {
                let mut only = None;
                let mut count = 0;
                for k in 0..KINDS {
                    if self
                        .kind_steps(k)
                        .is_some_and(|s| (0..s.len).any(|i| s.label[i].is_some() && s.fits_step(i, &done)))
                    {
                        only = Some(k);
                        count += 1;
                    }
                }
                // A steady tone of the same sound could be any length.
                let steady_same = (0..KINDS).any(|k| match self.kinds[k].1 {
                    Pattern::Continuous(s) => Label::Sound(s) == done.label,
                    Pattern::Prefix { steady: Some(s), .. } => Label::Sound(s) == done.label,
                    _ => false,
                });
                if let (Some(k), 1, false) = (only, count, steady_same) {
                    self.set(self.kinds[k].0, Hold::Cadence(k));
                }
            }
        }
    }

    /// Steps of a kind, for cadences and prefixes.
    fn kind_steps(&self, k: usize) -> Option<Steps> {
        match self.kinds[k].1 {
            Pattern::Cadence(c) => Some(c),
            Pattern::Prefix { steps, .. } => Some(steps),
            _ => None,
        }
    }

    /// Per-block decision for the ongoing segment (see the type docs).
    fn decide(&mut self) {
        let seg = self.seg;
        match self.hold {
            Hold::Cadence(k) => {
                if let Some(c) = self.kind_steps(k) {
                    // The on/off smoothing of AM plans lengthens a burst
                    // until it ends (then gives the blocks back).
                    let lag = self.smooth as u32 - 1 + DEBOUNCE_BLOCKS;
                    let still = if seg.on {
                        (0..c.len).any(|i| c.label[i].is_some_and(|s| seg.may_be(s)))
                            && seg.blocks <= upper_blocks(c.longest(true)) + lag
                    } else {
                        seg.blocks <= upper_blocks(c.longest(false))
                    };
                    if still {
                        return;
                    }
                }
                self.set(CallProgress::Unknown, Hold::None);
            }
            Hold::Steady(s) => {
                let other = seg.on && self.match_run.0 != Some(s) && self.match_run.1 >= UNKNOWN_AFTER_BLOCKS;
                if !other {
                    return;
                }
                self.set(CallProgress::Unknown, Hold::None);
            }
            Hold::AfterPrefix => {
                if !seg.on && seg.blocks < CONFIRMATION_HOLD_BLOCKS {
                    return;
                }
                let next = if seg.on {
                    CallProgress::Unknown
                } else {
                    CallProgress::Silence
                };
                self.set(next, Hold::None);
                return;
            }
            Hold::Sit => {
                let other = seg.on
                    && match self.match_run {
                        (Some(s), n) => {
                            n >= UNKNOWN_AFTER_BLOCKS && self.sounds[usize::from(s)].sit.is_none()
                        }
                        (None, n) => n >= 3 * UNKNOWN_AFTER_BLOCKS,
                    };
                if (seg.on && !other) || (!seg.on && seg.blocks <= SIT_HOLD_QUIET_BLOCKS) {
                    return;
                }
                self.set(CallProgress::Unknown, Hold::None);
            }
            Hold::None => {}
        }
        if seg.on {
            let steady = match self.match_run {
                (Some(s), run) if run + WINDOW_BLOCKS as u32 > DECISION_BLOCKS => Some(s),
                _ => None,
            };
            if let Some(s) = steady {
                if let Some(k) = self.steady_kind(s) {
                    self.set(self.kinds[k].0, Hold::Steady(s));
                    return;
                }
            }
            if seg.blocks >= UNKNOWN_AFTER_BLOCKS && self.current == CallProgress::Silence {
                self.current = CallProgress::Unknown;
            }
        } else if seg.blocks >= DECISION_BLOCKS {
            if let Some(k) = self.prefix_then_quiet() {
                self.set(self.kinds[k].0, Hold::AfterPrefix);
            } else if !self.waiting_for_cycle() {
                self.set(CallProgress::Silence, Hold::None);
            } else if self.current == CallProgress::Silence {
                self.current = CallProgress::Unknown;
            }
        }
    }

    /// The tone a steady sound `s` is: a prefix tone whose prefix was just
    /// heard (longest prefix first), else a continuous tone of that sound.
    fn steady_kind(&self, s: u8) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for k in 0..KINDS {
            if let Pattern::Prefix {
                steps,
                steady: Some(t),
            } = self.kinds[k].1
            {
                if t == s
                    && self.history_ends_with(&steps, steps.len)
                    && best.is_none_or(|(_, l)| steps.len > l)
                {
                    best = Some((k, steps.len));
                }
            }
        }
        if let Some((k, _)) = best {
            return Some(k);
        }
        (0..KINDS).find(|&k| matches!(self.kinds[k].1, Pattern::Continuous(t) if t == s))
    }

    /// A prefix tone ending in silence whose steps (but its final quiet)
    /// were just heard.
    fn prefix_then_quiet(&self) -> Option<usize> {
        (0..KINDS).find(|&k| match self.kinds[k].1 {
            Pattern::Prefix { steps, steady: None } => {
                let n = if steps.len > 0 && steps.label[steps.len - 1].is_none() {
                    steps.len - 1
                } else {
                    steps.len
                };
                n > 0 && self.history_ends_with(&steps, n)
            }
            _ => false,
        })
    }

    /// True if the last `n` history entries are the first `n` steps.
    fn history_ends_with(&self, steps: &Steps, n: usize) -> bool {
        if self.history_len < n || n == 0 {
            return false;
        }
        let recent = &self.history[self.history_len - n..self.history_len];
        recent.iter().enumerate().all(|(i, e)| steps.fits_step(i, e))
    }

    /// True while the quiet may be the off phase of a cadence that fits
    /// the last burst.
    fn waiting_for_cycle(&self) -> bool {
        let Some(last) = self.history_len.checked_sub(1).map(|i| self.history[i]) else {
            return false;
        };
        if last.label == Label::Quiet {
            return false;
        }
        (0..KINDS).any(|k| {
            self.kind_steps(k).is_some_and(|c| {
                (0..c.len).any(|i| c.label[i].is_some() && c.fits_step(i, &last))
                    && self.seg.blocks <= upper_blocks(c.longest(false))
            })
        })
    }

    /// True if the last completed segments are one full cycle of `c`.
    fn cycle_observed(&self, c: &Steps) -> bool {
        if self.history_len < c.len || c.len == 0 {
            return false;
        }
        let recent = &self.history[self.history_len - c.len..self.history_len];
        (0..c.len).any(|rot| {
            recent
                .iter()
                .enumerate()
                .all(|(i, e)| c.fits_step((rot + i) % c.len, e))
        })
    }

    /// The SIT code if the last completed sound segments are a SIT.
    fn sit_observed(&self) -> Option<SitCode> {
        let mut segs = [(0.0f32, 0u32); 3];
        let mut found = 0;
        for e in self.history[..self.history_len].iter().rev() {
            match e.label {
                Label::Quiet if e.blocks <= SIT_GAP_BLOCKS && found > 0 => continue,
                Label::Sound(s) => {
                    let (band, f) = self.sounds[usize::from(s)].sit?;
                    if usize::from(band) != 2 - found {
                        return None;
                    }
                    let ms = e.blocks * 10;
                    if ms < SIT_SEGMENT_MS.0 || ms > SIT_SEGMENT_MS.1 {
                        return None;
                    }
                    segs[2 - found] = (f, ms);
                    found += 1;
                    if found == 3 {
                        break;
                    }
                }
                _ => return None,
            }
        }
        if found < 3 {
            return None;
        }
        let nanp = |f: f32| NANP_SIT_HZ.iter().any(|&g| (g - f).abs() < SAME_FREQ_HZ);
        if !segs.iter().all(|&(f, _)| nanp(f)) {
            return Some(SitCode::Other);
        }
        let long = |ms: u32| ms > (NANP_SHORT_MS + NANP_LONG_MS) / 2;
        let [(f1, m1), (f2, m2), (_, m3)] = segs;
        if !long(m3) {
            return Some(SitCode::Other);
        }
        Some(SitCode::from_pattern(
            f1 > SIT_BANDS_HZ[0],
            long(m1),
            f2 > SIT_BANDS_HZ[1],
            long(m2),
        ))
    }
}

/// Collects the filters and sounds of a plan.
struct Builder {
    sample_rate: u32,
    freqs: [f32; MAX_DETECTOR_FREQS],
    freq_count: usize,
    sounds: [Sound; MAX_SOUNDS],
    sound_count: usize,
}

impl Builder {
    fn filter(&mut self, f: f32) -> Result<usize, Error> {
        if f <= 0.0 || f >= self.sample_rate as f32 / 2.0 {
            return Err(Error::InvalidTone("frequency at or above half the sample rate"));
        }
        match self.freqs[..self.freq_count]
            .iter()
            .position(|&g| (g - f).abs() < SAME_FREQ_HZ)
        {
            Some(k) => Ok(k),
            None if self.freq_count < MAX_DETECTOR_FREQS => {
                self.freqs[self.freq_count] = f;
                self.freq_count += 1;
                Ok(self.freq_count - 1)
            }
            None => Err(Error::InvalidTone(
                "plan needs more than 16 call-progress detection frequencies",
            )),
        }
    }

    fn single_sound(&mut self, f: f32) -> Result<Sound, Error> {
        let k = self.filter(f)?;
        let sit = SIT_BANDS_HZ
            .iter()
            .position(|&c| (f - c).abs() <= 50.0)
            .map(|b| (b as u8, f));
        Ok(Sound {
            all: 1 << k,
            required: 1 << k,
            sit,
        })
    }

    /// The sound of a step; `None` for silence.
    fn sound_of(&mut self, sound: &ToneSound) -> Result<Option<Sound>, Error> {
        match *sound {
            ToneSound::Silence => Ok(None),
            ToneSound::Mixed { .. } => {
                let comps = sound.components();
                if let [(f, _)] = comps {
                    return self.single_sound(*f).map(Some);
                }
                let mut s = Sound::default();
                for &(f, _) in comps {
                    let k = self.filter(f)?;
                    s.all |= 1 << k;
                    s.required |= 1 << k;
                }
                Ok(Some(s))
            }
            ToneSound::Modulated {
                carrier, modulator, ..
            } => {
                let mut s = self.single_sound(carrier)?;
                s.sit = None;
                for f in [carrier - modulator, carrier + modulator] {
                    s.all |= 1 << self.filter(f)?;
                }
                Ok(Some(s))
            }
        }
    }

    /// Index of a sound, added if new (sounds with the same required
    /// filters are merged).
    fn add_sound(&mut self, s: Sound) -> Result<u8, Error> {
        if let Some(i) = self.sounds[..self.sound_count]
            .iter()
            .position(|t| t.required == s.required)
        {
            self.sounds[i].all |= s.all;
            return Ok(i as u8);
        }
        if self.sound_count == MAX_SOUNDS {
            return Err(Error::InvalidTone("plan has too many distinct sounds to detect"));
        }
        self.sounds[self.sound_count] = s;
        self.sound_count += 1;
        Ok((self.sound_count - 1) as u8)
    }

    fn label_of(&mut self, sound: &ToneSound) -> Result<Option<u8>, Error> {
        match self.sound_of(sound)? {
            Some(s) => self.add_sound(s).map(Some),
            None => Ok(None),
        }
    }

    /// The long-run pattern of a tone.
    fn pattern_of(&mut self, tone: &Tone) -> Result<Pattern, Error> {
        let steps = tone.used_steps();
        let mut all = Steps::EMPTY;
        let mut forever: Option<Option<u8>> = None;
        for (i, step) in steps.iter().enumerate() {
            let label = self.label_of(&step.sound)?;
            if step.duration_ms == 0 && i + 1 == steps.len() {
                forever = Some(label);
            } else {
                all.push(label, step.duration_ms);
            }
        }
        if all.len == 0 && forever.flatten().is_none() {
            return Err(Error::InvalidTone("a call-progress tone must not be all silence"));
        }
        if let Some(last) = forever {
            // Ends in a step held forever.
            return Ok(match last {
                Some(s) => {
                    // A last prefix step of the same sound merges into the steady part.
                    if all.len > 0 && all.label[all.len - 1] == Some(s) {
                        all.len -= 1;
                    }
                    if all.len == 0 {
                        Pattern::Continuous(s)
                    } else {
                        Pattern::Prefix {
                            steps: all,
                            steady: Some(s),
                        }
                    }
                }
                None => Pattern::Prefix {
                    steps: all,
                    steady: None,
                },
            });
        }
        let Some(from) = tone.repeat_from else {
            return Ok(Pattern::Prefix {
                steps: all,
                steady: None,
            });
        };
        let mut c = Steps::EMPTY;
        for step in steps.iter().skip(usize::from(from)) {
            let label = self.label_of(&step.sound)?;
            c.push(label, step.duration_ms);
        }
        // The loop joins the last step to the first: merge them if alike.
        if c.len > 1 && c.label[0] == c.label[c.len - 1] {
            c.ms[0] += c.ms[c.len - 1];
            c.len -= 1;
        }
        Ok(match (c.len, c.label[0]) {
            (1, Some(s)) => Pattern::Continuous(s),
            (0 | 1, _) => Pattern::Undetectable,
            _ => Pattern::Cadence(c),
        })
    }

    /// True if `p` is the E.180 shape: three sounds in SIT bands 1, 2, 3.
    fn is_e180_sit(&self, p: &Pattern) -> bool {
        let Pattern::Cadence(c) = p else {
            return false;
        };
        let bands = c.label[..c.len]
            .iter()
            .filter_map(|l| l.map(|s| self.sounds[usize::from(s)].sit.map(|(b, _)| b)));
        let mut want = 0u8;
        for b in bands {
            if b != Some(want) {
                return false;
            }
            want += 1;
        }
        want == 3
    }
}

fn label_fits(step: Option<u8>, got: Label) -> bool {
    match (step, got) {
        (None, Label::Quiet) => true,
        (Some(s), Label::Sound(t)) => s == t,
        (Some(_), Label::Short) => true,
        _ => false,
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
        assert_eq!(det.track_segment(true), None, "first segment was empty");
        assert_eq!(det.track_segment(false), None);
        assert_eq!(det.track_segment(true), None);
        assert_eq!(det.seg.blocks, 4);
        assert_eq!(det.track_segment(false), None);
        let done = det.track_segment(false).expect("two quiet blocks end the burst");
        assert_ne!(done.label, Label::Quiet);
        assert_eq!(done.blocks, 4);
    }

    #[test]
    fn plans_with_short_gaps_end_a_burst_on_one_quiet_block() {
        let se = TonePlan::for_country("SE").unwrap();
        let mut det = CallProgressDetector::new(8000, se).unwrap();
        assert_eq!(det.quiet_debounce, 1);
        for _ in 0..3 {
            det.track_segment(true);
        }
        assert!(det.track_segment(false).is_some());
    }

    #[test]
    fn am_plans_smooth_over_one_modulation_period() {
        let det = |c| CallProgressDetector::new(8000, TonePlan::for_country(c).unwrap()).unwrap();
        assert_eq!(det("IN").smooth, 4);
        assert_eq!(det("JP").smooth, 7);
        assert_eq!(det("US").smooth, 1);
    }

    #[test]
    fn patterns_merge_steps_and_wrap() {
        let mut b = Builder {
            sample_rate: 8000,
            freqs: [0.0; MAX_DETECTOR_FREQS],
            freq_count: 0,
            sounds: [Sound::default(); MAX_SOUNDS],
            sound_count: 0,
        };
        let s = ToneSound::single(400.0, Dbm0(-10.0));
        let uk = Tone::cadenced(s, &[400, 200, 400, 2000]);
        let Ok(Pattern::Cadence(c)) = b.pattern_of(&uk) else {
            panic!()
        };
        assert_eq!(&c.ms[..c.len], &[400, 200, 400, 2000]);
        let odd = Tone::cadenced(s, &[100, 200, 300]);
        let Ok(Pattern::Cadence(c)) = b.pattern_of(&odd) else {
            panic!()
        };
        assert_eq!(&c.ms[..c.len], &[400, 200], "last on-step joins the first");
        assert!(matches!(
            b.pattern_of(&Tone::continuous(s)),
            Ok(Pattern::Continuous(_))
        ));
        let mut once = Tone::cadenced(s, &[100, 100]);
        once.repeat_from = None;
        let Ok(Pattern::Prefix { steps, steady: None }) = b.pattern_of(&once) else {
            panic!()
        };
        assert_eq!(steps.len, 2);
        let recall = TonePlan::for_country("US").unwrap().recall;
        let Ok(Pattern::Prefix {
            steps,
            steady: Some(_),
        }) = b.pattern_of(&recall)
        else {
            panic!()
        };
        assert_eq!(&steps.ms[..steps.len], &[100; 6]);
        assert!(b.pattern_of(&Tone::continuous(ToneSound::Silence)).is_err());
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
    fn unsupported_rate_is_refused() {
        assert!(matches!(
            CallProgressDetector::new(22_050, TonePlan::for_country("US").unwrap()),
            Err(Error::UnsupportedSampleRate(22_050))
        ));
    }

    #[test]
    fn plan_needing_too_many_filters_is_refused() {
        let mut p = *TonePlan::for_country("US").unwrap();
        let f = |k: usize| 300.0 + 37.0 * k as f32;
        p.busy = Tone::continuous(ToneSound::Mixed {
            freqs: [
                (f(0), Dbm0(-20.0)),
                (f(1), Dbm0(-20.0)),
                (f(2), Dbm0(-20.0)),
                (f(3), Dbm0(-20.0)),
            ],
            count: 4,
        });
        p.reorder = Tone::continuous(ToneSound::Mixed {
            freqs: [
                (f(4), Dbm0(-20.0)),
                (f(5), Dbm0(-20.0)),
                (f(6), Dbm0(-20.0)),
                (f(7), Dbm0(-20.0)),
            ],
            count: 4,
        });
        assert!(matches!(
            CallProgressDetector::new(8000, &p),
            Err(Error::InvalidTone(_))
        ));
    }

    #[test]
    fn every_built_in_plan_fits_the_detector() {
        for p in TonePlan::all() {
            let det = CallProgressDetector::new(8000, p).unwrap();
            assert!(det.freq_count <= MAX_DETECTOR_FREQS, "{}", p.country);
        }
    }
}
