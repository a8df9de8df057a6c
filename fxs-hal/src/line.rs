//! The contract of one FXS port: [`LineInterface`] and the types it speaks.
//!
//! The shape follows embedded-hal 1.0: an [`ErrorType`] supertrait whose
//! error implements [`Error::kind`], a small mandatory trait with one
//! provided method, and a blanket impl for `&mut L` so generic code can
//! borrow a line instead of owning it.

use core::convert::Infallible;
use core::time::Duration;

use crate::config::{LineConfig, ReversalMode};

/// A line driver's error: any type that can say which [`LineErrorKind`] it is.
///
/// Generic code (the engine) only ever looks at [`kind`](Error::kind); the
/// driver's own type can carry register addresses, bus errors and the like.
pub trait Error: core::fmt::Debug {
    /// The class of this error.
    fn kind(&self) -> LineErrorKind;
}

/// What went wrong on a line, in terms generic code can act on.
///
/// New kinds may be added; match with a `_` arm.
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum LineErrorKind {
    /// The SLIC detected an overcurrent on tip or ring (a short, a foreign
    /// voltage) and opened the line.
    #[error("overcurrent on tip or ring; the line was opened")]
    Overcurrent,
    /// The SLIC's thermal protection shut the line down.
    #[error("SLIC thermal shutdown")]
    ThermalShutdown,
    /// The battery or ringing supply failed or is out of range.
    #[error("battery or ringing power supply fault")]
    PowerFault,
    /// The control bus (SPI, I2C, TDM control channel) failed.
    #[error("control bus transfer to the SLIC failed")]
    Bus,
    /// The chip no longer answers (unplugged module, reset, wrong ID).
    #[error("the SLIC no longer answers")]
    DeviceGone,
    /// The request cannot be applied: a wrong frame length, a feed state or
    /// setting this port was not configured for.
    #[error("the requested setting is not valid for this line")]
    InvalidSetting,
    /// Anything else.
    #[error("line driver error")]
    Other,
}

impl LineErrorKind {
    /// `true` for the electrical faults after which the line is already open
    /// (line-electrical.md §6.1: fault, thermal and power events force the
    /// line to open).
    #[must_use]
    pub fn is_line_fault(self) -> bool {
        matches!(
            self,
            LineErrorKind::Overcurrent | LineErrorKind::ThermalShutdown | LineErrorKind::PowerFault
        )
    }
}

impl Error for LineErrorKind {
    fn kind(&self) -> LineErrorKind {
        *self
    }
}

impl Error for Infallible {
    fn kind(&self) -> LineErrorKind {
        match *self {}
    }
}

/// Names the error type of a line; the supertrait of [`LineInterface`].
pub trait ErrorType {
    /// The driver's error type.
    type Error: Error;
}

impl<T: ErrorType + ?Sized> ErrorType for &mut T {
    type Error = T::Error;
}

/// Tip/ring polarity of the DC feed.
///
/// Forward is the idle polarity (ring negative with respect to tip);
/// a reversal signals answer or far-end clear in some networks and precedes
/// ETSI caller ID (line-electrical.md §1, §3.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Polarity {
    /// Normal polarity: ring negative with respect to tip.
    Forward,
    /// Tip and ring swapped.
    Reverse,
}

impl Polarity {
    /// The other polarity.
    #[must_use]
    pub fn reversed(self) -> Polarity {
        match self {
            Polarity::Forward => Polarity::Reverse,
            Polarity::Reverse => Polarity::Forward,
        }
    }
}

/// The feed (line) state of an FXS port, line-electrical.md §1.
///
/// New states (tip open, ring open, ringing with reversed polarity, ...)
/// may be added; match with a `_` arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LineFeed {
    /// No battery: tip and ring float. Loop closure cannot be detected in
    /// this state. Used for denial of service, the open switch interval of
    /// disconnect supervision (§3.4) and line test.
    Open,
    /// Battery on, loop supervision on, audio path on: idle and talking.
    Active(Polarity),
    /// Battery on with the audio path open while on hook, for FSK caller ID
    /// and VMWI.
    OnHookTransmission(Polarity),
    /// AC ringing on a DC offset of forward polarity, ring-trip detector
    /// armed (ProSLIC `LF_RINGING`, VP-API `VP_LINE_RINGING`).
    Ringing,
    /// Low-power idle: reduced current limit, loop closure still detected,
    /// no audio.
    Standby,
    /// Ringing with the DC offset reversed (VP-API
    /// `VP_LINE_RINGING_POLREV`): ringing that keeps a reversal made for
    /// ETSI caller ID or answer supervision.
    RingingReverse,
    /// Tip lead open, ring lead fed (ProSLIC `LF_TIP_OPEN`): ground start
    /// and line test. No loop current can flow through an off-hook phone.
    TipOpen,
    /// Ring lead open, tip lead fed (ProSLIC `LF_RING_OPEN`): ground start
    /// and line test.
    RingOpen,
}

impl LineFeed {
    /// The idle state of a port: [`LineFeed::Active`] with forward polarity.
    pub const IDLE: LineFeed = LineFeed::Active(Polarity::Forward);

    /// `true` when the line carries DC, so the SLIC can see loop closure
    /// (every state except [`LineFeed::Open`]; during ringing, loop closure
    /// is the ring trip).
    #[must_use]
    pub fn detects_loop(self) -> bool {
        !matches!(self, LineFeed::Open | LineFeed::TipOpen | LineFeed::RingOpen)
    }

    /// `true` for power ringing of either polarity.
    #[must_use]
    pub fn is_ringing(self) -> bool {
        matches!(self, LineFeed::Ringing | LineFeed::RingingReverse)
    }

    /// Power ringing with the DC offset of `polarity`.
    #[must_use]
    pub fn ringing(polarity: Polarity) -> LineFeed {
        match polarity {
            Polarity::Forward => LineFeed::Ringing,
            Polarity::Reverse => LineFeed::RingingReverse,
        }
    }

    /// The same state with `polarity` (states without a polarity are
    /// returned unchanged).
    #[must_use]
    pub fn with_polarity(self, polarity: Polarity) -> LineFeed {
        match self {
            LineFeed::Active(_) => LineFeed::Active(polarity),
            LineFeed::OnHookTransmission(_) => LineFeed::OnHookTransmission(polarity),
            LineFeed::Ringing | LineFeed::RingingReverse => LineFeed::ringing(polarity),
            other => other,
        }
    }

    /// `true` when the voice path between the PCM highway and the line is
    /// open: [`LineFeed::Active`] and [`LineFeed::OnHookTransmission`].
    #[must_use]
    pub fn carries_audio(self) -> bool {
        matches!(self, LineFeed::Active(_) | LineFeed::OnHookTransmission(_))
    }

    /// The DC polarity of the state, if it has one that the engine chooses
    /// ([`LineFeed::Ringing`] is forward, [`LineFeed::RingingReverse`]
    /// reverse).
    #[must_use]
    pub fn polarity(self) -> Option<Polarity> {
        match self {
            LineFeed::Active(p) | LineFeed::OnHookTransmission(p) => Some(p),
            LineFeed::Ringing => Some(Polarity::Forward),
            LineFeed::RingingReverse => Some(Polarity::Reverse),
            LineFeed::Open | LineFeed::Standby | LineFeed::TipOpen | LineFeed::RingOpen => None,
        }
    }
}

/// Position of the phone's hook switch as the SLIC sees it (loop open or
/// closed).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HookState {
    /// Loop open: the handset is on its cradle.
    OnHook,
    /// Loop closed: the handset is lifted (or a ring trip during ringing).
    OffHook,
}

impl HookState {
    /// `true` for [`HookState::OffHook`].
    #[must_use]
    pub fn is_off_hook(self) -> bool {
        matches!(self, HookState::OffHook)
    }
}

/// A hook edge the chip time-stamped (line-electrical.md §6.1: hook status
/// plus timestamped hook events).
///
/// Drivers have no clock, so the time is relative: the edge happened `ago`
/// before the [`LineInterface::poll_hook_edge`] call that returned it (the
/// chip's timestamp subtracted from its current timer).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HookEdge {
    /// The state the loop went into.
    pub state: HookState,
    /// How long before the poll the edge happened.
    pub ago: Duration,
}

/// What a line's hardware provides, so the engine knows what it must do in
/// software (smoltcp's `DeviceCapabilities` is the model).
///
/// The optional hardware of line-electrical.md §6.1 is a set of flags. A
/// flag set to `true` promises that the line (or the bank it belongs to)
/// also implements the matching capability trait of [`crate::caps`]; the
/// engine uses the silicon then and software otherwise. Flags for which
/// there is no trait ([`hook_events`](Self::hook_events),
/// [`smooth_reversal`](Self::smooth_reversal)) change how the core trait's
/// provided methods behave.
///
/// New fields will be added, so the struct is `#[non_exhaustive]`; build it
/// with [`LineCapabilities::new`] and adjust the public fields.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineCapabilities {
    /// PCM sample rate in Hz: 8000 (narrowband) or 16000 (wideband).
    pub sample_rate: u32,
    /// Samples in one 10 ms frame: 80 at 8 kHz, 160 at 16 kHz.
    pub frame_samples: usize,
    /// [`LineInterface::poll_hook_edge`] reports timestamped hook edges
    /// from the chip (VP-API hook events, ProSLIC LCR interrupts).
    pub hook_events: bool,
    /// [`ReversalMode::Smooth`](crate::ReversalMode::Smooth) is made in
    /// silicon (otherwise reversals are abrupt).
    pub smooth_reversal: bool,
    /// A hardware FSK caller-ID / VMWI sender: [`caps::CallerIdSender`](crate::caps::CallerIdSender).
    pub caller_id_fsk: bool,
    /// A hardware tone generator with cadence: [`caps::ToneSender`](crate::caps::ToneSender).
    pub tone_generator: bool,
    /// Ring cadence timers in silicon: [`caps::RingCadencer`](crate::caps::RingCadencer).
    pub ring_cadence: bool,
    /// 12/16 kHz metering pulses: [`caps::Metering`](crate::caps::Metering).
    pub metering: bool,
    /// Voltage and current read-back: [`caps::LineMonitor`](crate::caps::LineMonitor).
    pub line_monitor: bool,
    /// GR-909 metallic line test: [`caps::LineTester`](crate::caps::LineTester).
    pub line_test: bool,
    /// A high-voltage message-waiting lamp driver: [`caps::MwiLamp`](crate::caps::MwiLamp).
    pub mwi_lamp: bool,
}

impl LineCapabilities {
    /// Capabilities of a line with this PCM rate and 10 ms frames of
    /// `frame_samples` samples, and no optional hardware.
    #[must_use]
    pub const fn new(sample_rate: u32, frame_samples: usize) -> LineCapabilities {
        LineCapabilities {
            sample_rate,
            frame_samples,
            hook_events: false,
            smooth_reversal: false,
            caller_id_fsk: false,
            tone_generator: false,
            ring_cadence: false,
            metering: false,
            line_monitor: false,
            line_test: false,
            mwi_lamp: false,
        }
    }

    /// A wideband line: 16000 Hz, 160-sample frames, no optional hardware.
    #[must_use]
    pub const fn wideband() -> LineCapabilities {
        LineCapabilities::new(16_000, 160)
    }

    /// `true` for a 16 kHz line.
    #[must_use]
    pub const fn is_wideband(&self) -> bool {
        self.sample_rate == 16_000
    }

    /// A narrowband line: 8000 Hz, 80-sample frames, no optional hardware.
    #[must_use]
    pub const fn narrowband() -> LineCapabilities {
        LineCapabilities::new(fxs_tones::SAMPLE_RATE, fxs_tones::FRAME_SAMPLES)
    }
}

impl Default for LineCapabilities {
    /// [`LineCapabilities::narrowband`].
    fn default() -> LineCapabilities {
        LineCapabilities::narrowband()
    }
}

/// One FXS port.
///
/// # For driver authors
///
/// A driver for a SLIC chip implements [`LineInterface`] once per port
/// (a two-channel Si3226x gives two values, or one value plus a
/// [`LineBank`](crate::LineBank) over both). The trait is always complete:
/// when the chip lacks something the trait asks for, the driver fills the
/// gap in software; it never answers "not supported".
///
/// | method | Silicon Labs ProSLIC API | Microsemi VP-API-II (VE880, ZL880) |
/// |---|---|---|
/// | [`set_feed`](Self::set_feed) | `ProSLIC_SetLinefeedStatus(chan, LF_*)` | `VpSetLineState(line, VP_LINE_*)` |
/// | [`feed`](LineInterface::feed) | the value last set (cache it; reading `LINEFEED` costs a bus transfer) | the value last set |
/// | [`hook`](LineInterface::hook) | `ProSLIC_ReadHookStatus` (the `LCR` loop-closure bit) | the raw hook bit of `VpGetLineStatus(.., VP_INPUT_RAW_HOOK, ..)` |
/// | [`read_frame`](LineInterface::read_frame) | the channel's receive time slot on the PCM highway, linearised | the channel's time slot, linearised |
/// | [`write_frame`](LineInterface::write_frame) | the channel's transmit time slot | the channel's time slot |
/// | [`capabilities`](LineInterface::capabilities) | constant per part and PCM set-up | constant per part and PCM set-up |
///
/// The feed states map to the vendor states of line-electrical.md §1:
///
/// | [`LineFeed`] | ProSLIC | VP-API-II |
/// |---|---|---|
/// | `Open` | `LF_OPEN` | `VP_LINE_DISCONNECT` |
/// | `Active(Forward)` | `LF_FWD_ACTIVE` | `VP_LINE_TALK` (audio on; `VP_LINE_ACTIVE` has no audio) |
/// | `Active(Reverse)` | `LF_REV_ACTIVE` | `VP_LINE_TALK_POLREV` |
/// | `OnHookTransmission(Forward)` | `LF_FWD_OHT` | `VP_LINE_OHT` |
/// | `OnHookTransmission(Reverse)` | `LF_REV_OHT` | `VP_LINE_OHT_POLREV` |
/// | `Ringing` | `LF_RINGING` | `VP_LINE_RINGING` |
/// | `Standby` | `LF_FWD_ACTIVE` with power-save enabled | `VP_LINE_STANDBY` |
/// | `RingingReverse` | `LF_RINGING` after `LF_REV_ACTIVE` (offset follows polarity) | `VP_LINE_RINGING_POLREV` |
/// | `TipOpen` | `LF_TIP_OPEN` | `VP_LINE_TIP_OPEN` |
/// | `RingOpen` | `LF_RING_OPEN` | `VP_LINE_RING_OPEN` |
///
/// [`configure`](LineInterface::configure) maps to the chip's presets:
/// ProSLIC `ProSLIC_ZsynthSetup` (impedance), `ProSLIC_DCFeedSetup`,
/// `ProSLIC_RingSetup`, `ProSLIC_AudioGainSetup`; VP-API-II
/// `VpConfigLine` with AC, DC and ring profiles.
///
/// The chip's automatic ring-trip transition (ProSLIC `AUTO` register,
/// VP-API ring-trip handling) may change the feed behind the engine's back;
/// a driver that leaves it enabled must report the new state from
/// [`feed`](LineInterface::feed).
///
/// # Timing contract
///
/// The engine works in 10 ms ticks (80 samples at 8 kHz; ARCHITECTURE.md,
/// "Audio path and clock"). Once per tick and per port it samples
/// [`hook`](LineInterface::hook), calls [`read_frame`](LineInterface::read_frame)
/// exactly once and [`write_frame`](LineInterface::write_frame) exactly once.
/// [`set_feed`](Self::set_feed) may come at any point of a tick.
/// The PCM highway is the clock: a driver keeps one frame of buffering in
/// each direction, hands out the most recent complete uplink frame and queues
/// the downlink frame for the next period. It may block for the bus transfer
/// but never waits for the next frame period.
///
/// # Error contract
///
/// Every method that talks to the hardware returns a `Result`. An `Err`
/// from any of them puts that one port out of service in the engine: calls
/// on it end, the engine tries once to open the line, reports
/// [`Error::kind`], and recovers the port by its own policy. Other ports
/// keep running. Fault conditions (overcurrent, thermal shutdown, power
/// fault) must also force the line open in the driver itself
/// (line-electrical.md §6.1), before the error is returned.
///
/// # Example: a driver for an imaginary chip
///
/// The "QX-1" below is a one-channel SLIC with a register for the feed
/// state, a status register with the loop-closure bit and a 16-bit linear
/// PCM port. Its bus is a trait here; a real driver would take an
/// embedded-hal `SpiDevice`.
///
/// ```
/// use fxs_hal::{
///     ErrorType, HookState, Impedance, LineCapabilities, LineConfig, LineErrorKind, LineFeed,
///     LineInterface, Polarity,
/// };
///
/// const REG_ACIM: u8 = 0x30;
/// const REG_LINEFEED: u8 = 0x40;
/// const REG_STATUS: u8 = 0x44;
/// const STATUS_LOOP_CLOSED: u8 = 0x01;
/// const STATUS_THERMAL: u8 = 0x80;
///
/// /// Register and PCM access to one QX-1.
/// trait QxBus {
///     fn read(&mut self, reg: u8) -> Result<u8, ()>;
///     fn write(&mut self, reg: u8, value: u8) -> Result<(), ()>;
///     fn pcm_exchange(&mut self, tx: &[i16], rx: &mut [i16]) -> Result<(), ()>;
/// }
///
/// #[derive(Debug)]
/// enum QxError {
///     Bus,
///     Thermal,
///     FrameLength(usize),
///     Unknown(LineFeed),
///     NoCoefficients(Impedance),
/// }
///
/// impl fxs_hal::Error for QxError {
///     fn kind(&self) -> LineErrorKind {
///         match self {
///             QxError::Bus => LineErrorKind::Bus,
///             QxError::Thermal => LineErrorKind::ThermalShutdown,
///             QxError::FrameLength(_) | QxError::Unknown(_) | QxError::NoCoefficients(_) => {
///                 LineErrorKind::InvalidSetting
///             }
///         }
///     }
/// }
///
/// struct Qx1<B> {
///     bus: B,
///     feed: LineFeed,
///     rx: [i16; 80],
///     tx: [i16; 80],
/// }
///
/// impl<B: QxBus> Qx1<B> {
///     fn check_status(&mut self) -> Result<u8, QxError> {
///         let status = self.bus.read(REG_STATUS).map_err(|()| QxError::Bus)?;
///         if status & STATUS_THERMAL != 0 {
///             // Force the line open before reporting the fault.
///             self.bus.write(REG_LINEFEED, 0).map_err(|()| QxError::Bus)?;
///             self.feed = LineFeed::Open;
///             return Err(QxError::Thermal);
///         }
///         Ok(status)
///     }
/// }
///
/// impl<B: QxBus> ErrorType for Qx1<B> {
///     type Error = QxError;
/// }
///
/// impl<B: QxBus> LineInterface for Qx1<B> {
///     fn capabilities(&self) -> LineCapabilities {
///         LineCapabilities::narrowband()
///     }
///
///     fn set_feed(&mut self, feed: LineFeed) -> Result<(), QxError> {
///         // The QX-1 register codes follow ProSLIC's LF_* numbering.
///         let code = match feed {
///             LineFeed::Open => 0,
///             LineFeed::Active(Polarity::Forward) => 1,
///             LineFeed::OnHookTransmission(Polarity::Forward) => 2,
///             LineFeed::Ringing => 4,
///             LineFeed::Active(Polarity::Reverse) => 5,
///             LineFeed::OnHookTransmission(Polarity::Reverse) => 6,
///             // No power-save mode: fill the gap with plain forward active.
///             LineFeed::Standby => 1,
///             // A state added to LineFeed after this driver was written.
///             _ => return Err(QxError::Unknown(feed)),
///         };
///         self.bus.write(REG_LINEFEED, code).map_err(|()| QxError::Bus)?;
///         self.feed = feed;
///         Ok(())
///     }
///
///     fn feed(&self) -> LineFeed {
///         self.feed
///     }
///
///     fn configure(&mut self, config: &LineConfig) -> Result<(), QxError> {
///         // The QX-1 has coefficients for two terminations only.
///         let acim = match config.impedance {
///             Impedance::R600 => 0,
///             Impedance::Tbr21 => 1,
///             other => return Err(QxError::NoCoefficients(other)),
///         };
///         self.bus.write(REG_ACIM, acim).map_err(|()| QxError::Bus)
///     }
///
///     fn hook(&mut self) -> Result<HookState, QxError> {
///         let status = self.check_status()?;
///         Ok(if status & STATUS_LOOP_CLOSED != 0 {
///             HookState::OffHook
///         } else {
///             HookState::OnHook
///         })
///     }
///
///     fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), QxError> {
///         if frame.len() != self.rx.len() {
///             return Err(QxError::FrameLength(frame.len()));
///         }
///         frame.copy_from_slice(&self.rx);
///         Ok(())
///     }
///
///     fn write_frame(&mut self, frame: &[i16]) -> Result<(), QxError> {
///         if frame.len() != self.tx.len() {
///             return Err(QxError::FrameLength(frame.len()));
///         }
///         self.tx.copy_from_slice(frame);
///         // One exchange per tick: send this tick's downlink, fetch the
///         // uplink for the next read_frame.
///         self.bus
///             .pcm_exchange(&self.tx, &mut self.rx)
///             .map_err(|()| QxError::Bus)
///     }
/// }
///
/// // A pretend bus: the loop is closed and the thermal flag is clear.
/// struct Bench {
///     linefeed: u8,
/// }
/// impl QxBus for Bench {
///     fn read(&mut self, reg: u8) -> Result<u8, ()> {
///         Ok(if reg == REG_STATUS { STATUS_LOOP_CLOSED } else { self.linefeed })
///     }
///     fn write(&mut self, reg: u8, value: u8) -> Result<(), ()> {
///         if reg == REG_LINEFEED {
///             self.linefeed = value;
///         }
///         Ok(())
///     }
///     fn pcm_exchange(&mut self, tx: &[i16], rx: &mut [i16]) -> Result<(), ()> {
///         rx.copy_from_slice(tx); // loopback
///         Ok(())
///     }
/// }
///
/// let mut line = Qx1 { bus: Bench { linefeed: 0 }, feed: LineFeed::Open, rx: [0; 80], tx: [0; 80] };
/// line.set_feed(LineFeed::IDLE)?;
/// assert_eq!(line.bus.linefeed, 1);
/// assert_eq!(line.hook()?, HookState::OffHook);
/// line.set_ringing(true)?;
/// assert_eq!(line.feed(), LineFeed::Ringing);
/// let mut uplink = [0i16; 80];
/// line.write_frame(&[100; 80])?;
/// line.read_frame(&mut uplink)?;
/// assert_eq!(uplink, [100; 80]);
/// assert!(line.read_frame(&mut [0; 10]).is_err());
/// line.configure(&LineConfig::for_country("FR").unwrap())?;
/// assert!(matches!(
///     line.configure(&LineConfig::for_country("GB").unwrap()),
///     Err(QxError::NoCoefficients(Impedance::Z320_1050_230n))
/// ));
/// # Ok::<(), QxError>(())
/// ```
pub trait LineInterface: ErrorType {
    /// What this line's hardware provides. Constant for the life of the
    /// driver value.
    fn capabilities(&self) -> LineCapabilities;

    /// Put the line into `feed` (line-electrical.md §1).
    fn set_feed(&mut self, feed: LineFeed) -> Result<(), Self::Error>;

    /// The feed state the line is in now.
    fn feed(&self) -> LineFeed;

    /// Apply impedance, gains, DC feed, ring signal and reversal mode.
    ///
    /// The engine passes a configuration that passed
    /// [`LineConfig::validate`]; a driver refuses what its chip cannot do
    /// (an impedance preset it has no coefficients for) with an error of
    /// kind [`LineErrorKind::InvalidSetting`] and leaves the previous
    /// settings in force.
    ///
    /// The provided method accepts any configuration and changes nothing:
    /// it is right only for a line whose settings are fixed in hardware
    /// (strapped, or set by a board's boot firmware). Every driver of a
    /// programmable SLIC overrides it. (It is provided so that lines
    /// written before this method existed keep compiling.)
    fn configure(&mut self, config: &LineConfig) -> Result<(), Self::Error> {
        let _ = config;
        Ok(())
    }

    /// Move the DC feed to `polarity`, keeping the state (active, on-hook
    /// transmission or ringing). `mode` asks for an abrupt or a ramped
    /// reversal; the provided method sets the feed (abrupt), a driver whose
    /// chip ramps ([`LineCapabilities::smooth_reversal`]) overrides it.
    ///
    /// The engine masks hook detection for 100 ms after a reversal it makes
    /// (line-electrical.md §1, VP-API `VP_POLREV_DEBOUNCE_TIME`).
    fn set_polarity(&mut self, polarity: Polarity, mode: ReversalMode) -> Result<(), Self::Error> {
        let _ = mode;
        let feed = self.feed().with_polarity(polarity);
        if feed == self.feed() {
            return Ok(());
        }
        self.set_feed(feed)
    }

    /// The next hook edge the chip time-stamped, oldest first, for chips
    /// that queue hook events ([`LineCapabilities::hook_events`]). The
    /// provided method returns `Ok(None)`: the engine then conditions the
    /// samples of [`hook`](LineInterface::hook) instead.
    fn poll_hook_edge(&mut self) -> Result<Option<HookEdge>, Self::Error> {
        Ok(None)
    }

    /// Raw, undebounced hook switch state (loop closure). Condition it with
    /// [`HookDebouncer`](crate::HookDebouncer). In [`LineFeed::Open`] no loop
    /// current can flow and a SLIC reports [`HookState::OnHook`].
    fn hook(&mut self) -> Result<HookState, Self::Error>;

    /// Uplink: the 10 ms of audio the line delivered (the phone's mouth;
    /// hybrid echo of the downlink on a real line).
    ///
    /// `frame.len()` is [`LineCapabilities::frame_samples`]; the engine
    /// calls this exactly once per tick.
    fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), Self::Error>;

    /// Downlink: 10 ms of audio to play towards the phone.
    ///
    /// `frame.len()` is [`LineCapabilities::frame_samples`]; the engine
    /// calls this exactly once per tick.
    fn write_frame(&mut self, frame: &[i16]) -> Result<(), Self::Error>;

    /// Start or stop power ringing: `set_feed(Ringing)` or
    /// `set_feed(Active(Forward))`.
    ///
    /// Ring cadence is the engine's job (or the chip's timers, in a driver
    /// that overrides this).
    fn set_ringing(&mut self, on: bool) -> Result<(), Self::Error> {
        self.set_feed(if on { LineFeed::Ringing } else { LineFeed::IDLE })
    }
}

impl<L: LineInterface + ?Sized> LineInterface for &mut L {
    fn capabilities(&self) -> LineCapabilities {
        L::capabilities(self)
    }

    fn set_feed(&mut self, feed: LineFeed) -> Result<(), Self::Error> {
        L::set_feed(self, feed)
    }

    fn feed(&self) -> LineFeed {
        L::feed(self)
    }

    fn configure(&mut self, config: &LineConfig) -> Result<(), Self::Error> {
        L::configure(self, config)
    }

    fn set_polarity(&mut self, polarity: Polarity, mode: ReversalMode) -> Result<(), Self::Error> {
        L::set_polarity(self, polarity, mode)
    }

    fn poll_hook_edge(&mut self) -> Result<Option<HookEdge>, Self::Error> {
        L::poll_hook_edge(self)
    }

    fn hook(&mut self) -> Result<HookState, Self::Error> {
        L::hook(self)
    }

    fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), Self::Error> {
        L::read_frame(self, frame)
    }

    fn write_frame(&mut self, frame: &[i16]) -> Result<(), Self::Error> {
        L::write_frame(self, frame)
    }

    fn set_ringing(&mut self, on: bool) -> Result<(), Self::Error> {
        L::set_ringing(self, on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A line that records calls, to check the provided method and the
    /// `&mut` forwarding.
    #[derive(Debug)]
    struct Recorder {
        feed: LineFeed,
        set_calls: u32,
        ringing_override: bool,
    }

    impl ErrorType for Recorder {
        type Error = LineErrorKind;
    }

    impl LineInterface for Recorder {
        fn capabilities(&self) -> LineCapabilities {
            LineCapabilities::new(16_000, 160)
        }
        fn set_feed(&mut self, feed: LineFeed) -> Result<(), LineErrorKind> {
            if feed == LineFeed::Standby {
                return Err(LineErrorKind::InvalidSetting);
            }
            self.set_calls += 1;
            self.feed = feed;
            Ok(())
        }
        fn feed(&self) -> LineFeed {
            self.feed
        }
        fn configure(&mut self, config: &LineConfig) -> Result<(), LineErrorKind> {
            if config.impedance == crate::Impedance::R900 {
                return Err(LineErrorKind::InvalidSetting);
            }
            Ok(())
        }
        fn hook(&mut self) -> Result<HookState, LineErrorKind> {
            Ok(HookState::OnHook)
        }
        fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), LineErrorKind> {
            frame.fill(7);
            Ok(())
        }
        fn write_frame(&mut self, _frame: &[i16]) -> Result<(), LineErrorKind> {
            Err(LineErrorKind::Bus)
        }
    }

    struct ChipCadence(Recorder);
    impl ErrorType for ChipCadence {
        type Error = LineErrorKind;
    }
    impl LineInterface for ChipCadence {
        fn capabilities(&self) -> LineCapabilities {
            self.0.capabilities()
        }
        fn set_feed(&mut self, feed: LineFeed) -> Result<(), LineErrorKind> {
            self.0.set_feed(feed)
        }
        fn feed(&self) -> LineFeed {
            self.0.feed()
        }
        fn configure(&mut self, config: &LineConfig) -> Result<(), LineErrorKind> {
            self.0.configure(config)
        }
        fn hook(&mut self) -> Result<HookState, LineErrorKind> {
            self.0.hook()
        }
        fn read_frame(&mut self, frame: &mut [i16]) -> Result<(), LineErrorKind> {
            self.0.read_frame(frame)
        }
        fn write_frame(&mut self, frame: &[i16]) -> Result<(), LineErrorKind> {
            self.0.write_frame(frame)
        }
        fn set_ringing(&mut self, on: bool) -> Result<(), LineErrorKind> {
            self.0.ringing_override = on;
            Ok(())
        }
    }

    fn recorder() -> Recorder {
        Recorder {
            feed: LineFeed::Open,
            set_calls: 0,
            ringing_override: false,
        }
    }

    #[test]
    fn set_ringing_switches_between_ringing_and_forward_active() {
        let mut line = recorder();
        line.set_ringing(true).unwrap();
        assert_eq!(line.feed(), LineFeed::Ringing);
        line.set_ringing(false).unwrap();
        assert_eq!(line.feed(), LineFeed::Active(Polarity::Forward));
        assert_eq!(line.set_calls, 2);
    }

    fn drive_generic<L: LineInterface>(mut line: L) -> Result<LineFeed, L::Error> {
        line.set_ringing(true)?;
        let mut frame = [0i16; 4];
        line.read_frame(&mut frame)?;
        Ok(line.feed())
    }

    #[test]
    fn mutable_reference_forwards_every_method() {
        let mut line = recorder();
        assert_eq!(drive_generic(&mut line), Ok(LineFeed::Ringing));
        let by_ref = &mut line;
        assert_eq!(by_ref.capabilities().sample_rate, 16_000);
        assert_eq!(by_ref.hook(), Ok(HookState::OnHook));
        assert_eq!(by_ref.write_frame(&[0; 160]), Err(LineErrorKind::Bus));
        assert_eq!(
            by_ref.set_feed(LineFeed::Standby),
            Err(LineErrorKind::InvalidSetting)
        );
        assert_eq!(line.set_calls, 1);
    }

    #[test]
    fn mutable_reference_keeps_a_drivers_own_set_ringing() {
        let mut line = ChipCadence(recorder());
        drive_generic(&mut line).unwrap();
        assert!(line.0.ringing_override);
        assert_eq!(line.0.feed, LineFeed::Open, "the override must not set the feed");
    }

    #[test]
    fn set_polarity_keeps_the_state_and_only_flips_the_polarity() {
        let mut line = recorder();
        line.set_feed(LineFeed::OnHookTransmission(Polarity::Forward))
            .unwrap();
        let by_ref = &mut line;
        by_ref
            .set_polarity(Polarity::Reverse, ReversalMode::Smooth)
            .unwrap();
        assert_eq!(line.feed, LineFeed::OnHookTransmission(Polarity::Reverse));
        line.set_polarity(Polarity::Reverse, ReversalMode::Abrupt)
            .unwrap();
        assert_eq!(line.set_calls, 2, "no write when nothing changes");
        line.set_feed(LineFeed::Ringing).unwrap();
        line.set_polarity(Polarity::Reverse, ReversalMode::Abrupt)
            .unwrap();
        assert_eq!(line.feed, LineFeed::RingingReverse);
        let mut by_ref = &mut line;
        assert_eq!(
            <&mut Recorder as LineInterface>::poll_hook_edge(&mut by_ref),
            Ok(None)
        );
        let z = LineConfig {
            impedance: crate::Impedance::R900,
            ..LineConfig::default()
        };
        assert_eq!(
            <&mut Recorder as LineInterface>::configure(&mut by_ref, &z),
            Err(LineErrorKind::InvalidSetting)
        );
    }

    #[test]
    fn wideband_capabilities_are_16khz_160_samples_without_options() {
        let caps = LineCapabilities::wideband();
        assert!(caps.is_wideband());
        assert_eq!(caps.frame_samples, 160);
        assert!(!caps.line_test && !caps.caller_id_fsk && !caps.hook_events);
    }

    #[test]
    fn error_kind_of_a_kind_is_itself() {
        assert_eq!(LineErrorKind::DeviceGone.kind(), LineErrorKind::DeviceGone);
        assert!(LineErrorKind::ThermalShutdown.is_line_fault());
        assert!(!LineErrorKind::Bus.is_line_fault());
        assert_eq!(
            LineErrorKind::Overcurrent.to_string(),
            "overcurrent on tip or ring; the line was opened"
        );
    }

    #[test]
    fn feed_states_report_loop_detection_and_audio() {
        assert!(!LineFeed::Open.detects_loop());
        assert!(LineFeed::Ringing.detects_loop());
        assert!(LineFeed::Standby.detects_loop());
        assert!(LineFeed::Active(Polarity::Reverse).carries_audio());
        assert!(LineFeed::OnHookTransmission(Polarity::Forward).carries_audio());
        assert!(!LineFeed::Ringing.carries_audio());
        assert!(!LineFeed::Standby.carries_audio());
        assert_eq!(
            LineFeed::OnHookTransmission(Polarity::Reverse).polarity(),
            Some(Polarity::Reverse)
        );
        assert_eq!(LineFeed::Ringing.polarity(), Some(Polarity::Forward));
        assert_eq!(LineFeed::Standby.polarity(), None);
        assert!(!LineFeed::TipOpen.detects_loop());
        assert!(LineFeed::RingingReverse.is_ringing() && !LineFeed::RingingReverse.carries_audio());
        assert_eq!(
            LineFeed::Ringing.with_polarity(Polarity::Reverse),
            LineFeed::RingingReverse
        );
        assert_eq!(
            LineFeed::Active(Polarity::Forward).with_polarity(Polarity::Reverse),
            LineFeed::Active(Polarity::Reverse)
        );
        assert_eq!(LineFeed::Open.with_polarity(Polarity::Reverse), LineFeed::Open);
        assert_eq!(Polarity::Forward.reversed(), Polarity::Reverse);
    }

    #[test]
    fn narrowband_capabilities_are_8khz_80_samples() {
        let caps = LineCapabilities::default();
        assert_eq!((caps.sample_rate, caps.frame_samples), (8000, 80));
    }
}
