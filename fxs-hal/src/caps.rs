//! Optional hardware that software cannot replace, one trait per capability
//! (line-electrical.md §6.1, the embedded-hal way of slicing by function).
//!
//! A line announces each of these through a flag of
//! [`LineCapabilities`](crate::LineCapabilities) and implements the trait;
//! generic code reaches it through a trait bound (`L: LineInterface +
//! CallerIdSender`). When the flag is off the engine does the job in
//! software where it can: FSK caller ID and tones are generated as PCM in
//! [`LineFeed::OnHookTransmission`](crate::LineFeed) or
//! [`LineFeed::Active`](crate::LineFeed), and the ring cadence is switched by
//! [`Ringer`](crate::ring::Ringer). Metering, line monitoring and the GR-909
//! test have no software fallback.
//!
//! Every trait uses the line's own error type. A setting the chip cannot
//! make (a tone with more frequencies than it has oscillators) is refused
//! with an error of kind [`LineErrorKind::InvalidSetting`](crate::LineErrorKind),
//! after which the engine falls back to software.

use core::time::Duration;

use crate::line::LineInterface;
use crate::linetest::{LineTest, Measurement};
use crate::ring::RingCadence;

/// FSK modulation of a caller-ID or VMWI message (callerid.md §2.1, §4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FskModulation {
    /// Bell 202, 1200/2200 Hz (Telcordia GR-30).
    Bell202,
    /// ITU-T V.23, 1300/2100 Hz (ETSI EN 300 659, BT SIN 227).
    V23,
}

/// A hardware FSK caller-ID / VMWI sender (ProSLIC `ProSLIC_SendCID` with
/// the FSK buffer, VP-API caller-ID profiles, DuSLIC TAPI CID).
///
/// The engine puts the line into on-hook transmission (or leaves it active
/// for off-hook caller ID), hands over the whole message (type, length,
/// parameters, checksum: the layer-2 bytes of callerid.md §2.3), and polls
/// until the chip has sent it. Channel seizure and mark bits are the chip's
/// job.
pub trait CallerIdSender: LineInterface {
    /// Start sending `message` with `modulation`, preceded by
    /// `seizure_bits` of alternating bits and `mark_bits` of mark.
    fn send_fsk(
        &mut self,
        modulation: FskModulation,
        seizure_bits: u16,
        mark_bits: u16,
        message: &[u8],
    ) -> Result<(), Self::Error>;

    /// `true` while a message is still being sent.
    fn fsk_busy(&mut self) -> Result<bool, Self::Error>;

    /// Stop sending at once (the phone went off hook).
    fn abort_fsk(&mut self) -> Result<(), Self::Error>;
}

/// A hardware tone generator with cadence (ProSLIC's two oscillators with
/// their T1/T2 timers, VP-API tone and cadence profiles, DuSLIC TAPI tones).
///
/// The tone is described with fxs-tones' [`Tone`](fxs_tones::Tone), the same
/// value the software generator plays.
pub trait ToneSender: LineInterface {
    /// Start playing `tone` towards the phone (replacing any tone playing).
    fn start_tone(&mut self, tone: &fxs_tones::Tone) -> Result<(), Self::Error>;

    /// Stop the tone.
    fn stop_tone(&mut self) -> Result<(), Self::Error>;
}

/// Ring cadence in silicon (ProSLIC `RING_T1/T2` timers, VP-API ring
/// cadence profiles).
///
/// With it the engine hands the whole cadence to the chip instead of
/// toggling [`LineFeed::Ringing`](crate::LineFeed::Ringing) itself. The
/// chip's ring trip ends the cadence; the engine sees it as loop closure.
pub trait RingCadencer: LineInterface {
    /// Start ringing with `cadence` (repeating as the cadence says).
    fn start_ring_cadence(&mut self, cadence: &RingCadence) -> Result<(), Self::Error>;

    /// Stop ringing and return to the idle feed.
    fn stop_ring_cadence(&mut self) -> Result<(), Self::Error>;
}

/// Frequency of metering (tax) pulses, line-electrical.md §3.4.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MeteringFrequency {
    /// 12 kHz (most of Europe).
    Khz12,
    /// 16 kHz (Germany, Switzerland, Austria, ...).
    Khz16,
}

impl MeteringFrequency {
    /// The frequency in Hz.
    #[must_use]
    pub fn hz(self) -> u32 {
        match self {
            MeteringFrequency::Khz12 => 12_000,
            MeteringFrequency::Khz16 => 16_000,
        }
    }
}

/// A burst of metering pulses.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeteringBurst {
    /// Carrier frequency.
    pub frequency: MeteringFrequency,
    /// Pulse length (e.g. 200 ms).
    pub on: Duration,
    /// Gap between pulses (e.g. 200 ms).
    pub off: Duration,
    /// Number of pulses.
    pub count: u16,
    /// Level at the line, Vrms.
    pub level_vrms: f32,
}

/// Metering pulse generator (ProSLIC pulse-metering API, DuSLIC TAPI). No
/// software fallback: 12/16 kHz lies above the 4 kHz PCM band.
pub trait Metering: LineInterface {
    /// Send `burst`.
    fn send_metering(&mut self, burst: &MeteringBurst) -> Result<(), Self::Error>;
}

/// Voltages and currents of a line, as ProSLIC's `LineMonitor` reports them
/// (line-electrical.md §5).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct LineReadings {
    /// Tip-ring voltage, V.
    pub tip_ring_v: f32,
    /// Tip to ground, V.
    pub tip_v: f32,
    /// Ring to ground, V.
    pub ring_v: f32,
    /// Battery, V.
    pub battery_v: f32,
    /// Loop (metallic) current, mA.
    pub loop_ma: f32,
    /// Longitudinal current, mA.
    pub longitudinal_ma: f32,
}

/// Voltage and current read-back.
pub trait LineMonitor: LineInterface {
    /// Read the line now.
    fn monitor(&mut self) -> Result<LineReadings, Self::Error>;
}

/// A metallic line tester (GR-909 style: Microsemi LT-API, Silicon Labs
/// AN273 routines, DuSLIC GR-909). The chip measures; [`crate::linetest`]
/// judges the measurement against the thresholds of line-electrical.md §5.
///
/// A test takes from tens of milliseconds to a few seconds and puts the
/// line into the state it needs (open, tip-open, ringing), so it is started
/// and then polled once per tick until it yields its measurement. The
/// driver restores the feed the line had before the test.
pub trait LineTester: LineInterface {
    /// Start `test`. A test already running is abandoned.
    fn start_test(&mut self, test: LineTest) -> Result<(), Self::Error>;

    /// The measurement once the test has finished, `None` while it runs.
    fn poll_test(&mut self) -> Result<Option<Measurement>, Self::Error>;
}

/// A message-waiting lamp driver (high-voltage DC or neon lamp).
pub trait MwiLamp: LineInterface {
    /// Light or darken the lamp.
    fn set_mwi_lamp(&mut self, on: bool) -> Result<(), Self::Error>;
}
