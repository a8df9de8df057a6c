//! What the gateway reports: one [`GatewayEvent`] per thing that happened.

use core::fmt;
use std::time::Instant;

/// A port of the gateway, numbered from 1 as on the front panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PortId(pub u16);

impl PortId {
    /// The port for a 0-based index into the configuration's port list.
    pub fn from_index(index: usize) -> PortId {
        PortId(u16::try_from(index + 1).unwrap_or(u16::MAX))
    }

    /// The 0-based index of this port in the configuration's port list.
    pub fn index(self) -> usize {
        usize::from(self.0.saturating_sub(1))
    }
}

impl fmt::Display for PortId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Why a call ended, as the port saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallEndReason {
    /// Our phone hung up.
    LocalHangup,
    /// The far end sent BYE.
    RemoteHangup,
    /// The caller gave up before the call was answered.
    Cancelled,
    /// The far end or the network refused the call with this SIP status.
    Rejected(u16),
    /// No answer from the network within the SIP timers.
    Timeout,
    /// The SIP transport failed.
    TransportError,
    /// The port's line driver failed during the call.
    LineFault,
    /// The gateway was shut down.
    Shutdown,
}

impl fmt::Display for CallEndReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallEndReason::LocalHangup => f.write_str("local_hangup"),
            CallEndReason::RemoteHangup => f.write_str("remote_hangup"),
            CallEndReason::Cancelled => f.write_str("cancelled"),
            CallEndReason::Rejected(code) => write!(f, "rejected_{code}"),
            CallEndReason::Timeout => f.write_str("timeout"),
            CallEndReason::TransportError => f.write_str("transport_error"),
            CallEndReason::LineFault => f.write_str("line_fault"),
            CallEndReason::Shutdown => f.write_str("shutdown"),
        }
    }
}

/// Direction of a call, seen from the port.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CallDirection {
    /// The port's phone called out.
    Outgoing,
    /// A call came in to the port.
    Incoming,
}

/// Call detail record: one per call, emitted when the call ends.
#[derive(Clone, Debug, PartialEq)]
pub struct CallRecord {
    /// Who called whom, from the port's side.
    pub direction: CallDirection,
    /// The other party: the number dialed, or the caller's address.
    pub remote: String,
    /// When the call started (dispatch of the number, or the INVITE's arrival).
    pub start: Instant,
    /// When it was answered, if it was.
    pub answer: Option<Instant>,
    /// When it ended.
    pub end: Instant,
    /// Why it ended.
    pub reason: CallEndReason,
    /// Negotiated codec (SDP name), if the call was answered.
    pub codec: Option<String>,
    /// Media statistics at the end of the call, if it was answered.
    pub media: Option<fxs_media::MediaStats>,
}

impl CallRecord {
    /// Time from answer to end (zero for a call that was not answered).
    pub fn talk_time(&self) -> core::time::Duration {
        self.answer
            .map(|a| self.end.saturating_duration_since(a))
            .unwrap_or_default()
    }
}

/// Counters of one port since the gateway started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PortCounters {
    /// Calls the phone placed (numbers dispatched).
    pub calls_out: u64,
    /// Calls that came in and rang the port.
    pub calls_in: u64,
    /// Calls answered (either direction).
    pub answered: u64,
    /// Calls that ended without being answered.
    pub unanswered: u64,
    /// Incoming calls refused because the port was busy.
    pub refused_busy: u64,
    /// Numbers the dial plan refused.
    pub dial_plan_rejects: u64,
}

/// Something that happened on the gateway.
#[derive(Clone, Debug, PartialEq)]
pub struct GatewayEvent {
    /// When it happened (the `now` of the input that caused it).
    pub at: Instant,
    /// The port concerned, or `None` for the gateway as a whole.
    pub port: Option<PortId>,
    /// What happened.
    pub kind: EventKind,
}

/// The kinds of [`GatewayEvent`].
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum EventKind {
    /// The port's address of record is registered for `expires` seconds.
    Registered {
        /// Interval granted by the registrar, in seconds.
        expires: u32,
    },
    /// A registration attempt failed; the SIP layer retries by itself.
    RegistrationFailed {
        /// The SIP status, when the registrar answered.
        status: Option<u16>,
        /// What went wrong.
        reason: String,
    },
    /// The port's registration was removed (shutdown).
    Unregistered,
    /// The handset was lifted (after debouncing).
    OffHook,
    /// The handset was put down (after debouncing).
    OnHook,
    /// Dial tone started on the port.
    DialTone,
    /// The first digit stopped dial tone; more digits follow.
    DigitCollected {
        /// The digit.
        digit: fxs_tones::Digit,
    },
    /// Digit collection ended with this number, which is now being called.
    Digits {
        /// The number dialed (without the terminating `#`).
        number: String,
    },
    /// The far end is alerting; the port plays ringback.
    Ringback,
    /// An incoming call is ringing the port.
    IncomingCall {
        /// The caller, as the SIP From header gave it.
        from: String,
    },
    /// The call is answered and media flows.
    Answered {
        /// Negotiated codec (SDP name, e.g. `PCMU`).
        codec: String,
        /// RTP payload type of that codec.
        payload_type: u8,
    },
    /// The call is over.
    CallEnded {
        /// Why.
        reason: CallEndReason,
    },
    /// The call detail record of a call that just ended (after `CallEnded`).
    CallRecord(Box<CallRecord>),
    /// The digits dialed cannot become a number of the port's dial plan; the
    /// port plays reorder.
    DialPlanRejected {
        /// The digits dialed.
        digits: String,
    },
    /// The port plays busy tone (the callee was busy).
    Busy,
    /// The port plays reorder (fast busy): the call failed or the far end left.
    Reorder,
    /// An incoming call was refused because the port is busy.
    IncomingRefused {
        /// The SIP status sent.
        status: u16,
    },
    /// The port's line driver failed; the port is out of service.
    OutOfService {
        /// The `LineInterface` method that failed (`hook`, `read_frame`,
        /// `set_feed`, `write_frame`).
        operation: &'static str,
        /// The driver's classification of the failure.
        kind: fxs_hal::LineErrorKind,
    },
}

impl EventKind {
    /// A short snake-case name for the event, stable for logs and JSON.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Registered { .. } => "registered",
            EventKind::RegistrationFailed { .. } => "registration_failed",
            EventKind::Unregistered => "unregistered",
            EventKind::OffHook => "off_hook",
            EventKind::OnHook => "on_hook",
            EventKind::DialTone => "dial_tone_started",
            EventKind::DigitCollected { .. } => "digit",
            EventKind::Digits { .. } => "digits",
            EventKind::Ringback => "ringback_started",
            EventKind::IncomingCall { .. } => "incoming_call",
            EventKind::Answered { .. } => "answered",
            EventKind::CallEnded { .. } => "call_ended",
            EventKind::CallRecord(_) => "call_record",
            EventKind::DialPlanRejected { .. } => "dial_plan_rejected",
            EventKind::Busy => "busy_started",
            EventKind::Reorder => "reorder_started",
            EventKind::IncomingRefused { .. } => "incoming_refused",
            EventKind::OutOfService { .. } => "out_of_service",
        }
    }
}
