//! Caller ID and visual message waiting (VMWI) for every standard of
//! callerid.md: Telcordia SDMF/MDMF on-hook and off-hook (Type II), ETSI
//! EN 300 659 FSK with its alerting variants, DTMF caller ID, NTT and BT
//! SIN 227.
//!
//! - [`CallerIdMessage`] is the typed message.
//! - [`CallerIdStandard`] picks the standard of a port, including
//!   [`CallerIdStandard::Off`], which produces no signal at all.
//! - [`CallerIdStandard::encode`] gives the octets,
//!   [`CallerIdStandard::signal`] the complete line signal
//!   ([`CallerIdSignal`]) with the [`SignalTiming`] it must keep against
//!   ringing; [`OffHookCallerId`] runs the Type II (call waiting) exchange.
//! - [`CallerIdReceiver`] decodes samples, [`decode_bytes`] raw octets.

mod alert;
mod bt;
mod dtmf_clip;
mod etsi;
mod message;
mod ntt;
mod offhook;
mod receiver;
mod signal;
mod telcordia;

pub use alert::{ALERT_TONE_HZ, AlertToneDetector, AlertToneEvent};
pub use dtmf_clip::DtmfClipVariant;
pub use etsi::EtsiAlert;
pub use message::{
    AbsenceReason, CallQualifier, CallerIdMessage, DateTime, MAX_MESSAGE_OCTETS, MessageBytes,
    MessageWaiting, Name, Number, Presented, RedirectReason, Text,
};
pub use offhook::{AckKind, OffHookCallerId, OffHookState};
pub use receiver::{CallerIdReceiver, decode_samples};
pub use signal::{CallerIdSignal, RingAnchor, SignalTiming};

use crate::{Dbm0, Error, FskModem};
use telcordia::Dialect;

/// Default FSK send level: -13.5 dBm nominal (callerid.md §2.1).
pub const DEFAULT_FSK_LEVEL: Dbm0 = Dbm0(-13.5);

/// The caller ID standard of a port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallerIdStandard {
    /// Caller ID off: encodes to nothing and no signal is ever produced.
    Off,
    /// Telcordia GR-30-CORE Type I, single data message format (Bell 202),
    /// after the first ring (callerid.md §2).
    TelcordiaSdmf,
    /// Telcordia GR-30-CORE Type I, multiple data message format.
    TelcordiaMdmf,
    /// Telcordia Type II / CIDCW: off-hook, CAS alert, DTMF ACK, then
    /// MDMF (callerid.md §3). Use [`OffHookCallerId`].
    TelcordiaTypeIi,
    /// ETSI EN 300 659-1 on-hook V.23 FSK with the given alerting method
    /// (callerid.md §4.2).
    Etsi(EtsiAlert),
    /// ETSI EN 300 659-2 off-hook (DT-AS, DTMF `D` ACK, FSK). Use
    /// [`OffHookCallerId`].
    EtsiOffHook,
    /// DTMF caller ID (callerid.md §6.1), sent before the first ring,
    /// after a line reversal if `line_reversal`.
    EtsiDtmf {
        /// The string format.
        variant: DtmfClipVariant,
        /// Reverse the line polarity first (India, callerid.md §6.1).
        line_reversal: bool,
    },
    /// NTT Number Display (JCLIP, Japan; callerid.md §6.2).
    Ntt,
    /// BT SIN 227 (UK; callerid.md §5).
    Bt,
}

/// How a standard codes its messages (what [`decode_bytes`] reads).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CallerIdCoding {
    /// Telcordia/ETSI/BT `type, length, data, checksum` (SDMF or MDMF).
    Fsk,
    /// A DTMF character string.
    Dtmf,
    /// NTT DLE-framed message with parity and CRC.
    Ntt,
}

impl CallerIdStandard {
    /// Every standard that sends something, each alerting variant once
    /// (DTMF variants without line reversal).
    pub const ALL_ON: [CallerIdStandard; 14] = [
        CallerIdStandard::TelcordiaSdmf,
        CallerIdStandard::TelcordiaMdmf,
        CallerIdStandard::TelcordiaTypeIi,
        CallerIdStandard::Etsi(EtsiAlert::LineReversalDtAs),
        CallerIdStandard::Etsi(EtsiAlert::LineReversal),
        CallerIdStandard::Etsi(EtsiAlert::RpAs),
        CallerIdStandard::Etsi(EtsiAlert::AfterFirstRing),
        CallerIdStandard::EtsiOffHook,
        CallerIdStandard::EtsiDtmf {
            variant: DtmfClipVariant::StartA,
            line_reversal: false,
        },
        CallerIdStandard::EtsiDtmf {
            variant: DtmfClipVariant::HashTerminated,
            line_reversal: false,
        },
        CallerIdStandard::EtsiDtmf {
            variant: DtmfClipVariant::StartD,
            line_reversal: false,
        },
        CallerIdStandard::EtsiDtmf {
            variant: DtmfClipVariant::Bare,
            line_reversal: false,
        },
        CallerIdStandard::Ntt,
        CallerIdStandard::Bt,
    ];

    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            CallerIdStandard::Off => "off",
            CallerIdStandard::TelcordiaSdmf => "Telcordia SDMF",
            CallerIdStandard::TelcordiaMdmf => "Telcordia MDMF",
            CallerIdStandard::TelcordiaTypeIi => "Telcordia Type II",
            CallerIdStandard::Etsi(_) => "ETSI EN 300 659 FSK",
            CallerIdStandard::EtsiOffHook => "ETSI EN 300 659-2",
            CallerIdStandard::EtsiDtmf { .. } => "DTMF CLIP",
            CallerIdStandard::Ntt => "NTT",
            CallerIdStandard::Bt => "BT SIN 227",
        }
    }

    /// The FSK modem of the standard (`None` for DTMF and Off).
    pub fn modem(self) -> Option<FskModem> {
        match self {
            CallerIdStandard::TelcordiaSdmf
            | CallerIdStandard::TelcordiaMdmf
            | CallerIdStandard::TelcordiaTypeIi => Some(FskModem::Bell202),
            CallerIdStandard::Etsi(_)
            | CallerIdStandard::EtsiOffHook
            | CallerIdStandard::Ntt
            | CallerIdStandard::Bt => Some(FskModem::V23),
            CallerIdStandard::Off | CallerIdStandard::EtsiDtmf { .. } => None,
        }
    }

    /// The message coding (`None` for Off).
    pub fn coding(self) -> Option<CallerIdCoding> {
        match self {
            CallerIdStandard::Off => None,
            CallerIdStandard::EtsiDtmf { .. } => Some(CallerIdCoding::Dtmf),
            CallerIdStandard::Ntt => Some(CallerIdCoding::Ntt),
            _ => Some(CallerIdCoding::Fsk),
        }
    }

    /// True for the off-hook (call waiting) standards, which need
    /// [`OffHookCallerId`].
    pub fn is_off_hook(self) -> bool {
        matches!(
            self,
            CallerIdStandard::TelcordiaTypeIi | CallerIdStandard::EtsiOffHook
        )
    }

    fn dialect(self) -> Dialect {
        match self {
            CallerIdStandard::TelcordiaSdmf => Dialect::Sdmf,
            CallerIdStandard::TelcordiaMdmf | CallerIdStandard::TelcordiaTypeIi => Dialect::TelcordiaMdmf,
            _ => Dialect::EtsiMdmf,
        }
    }

    /// The part of `msg` this standard carries: what a receiver will
    /// decode from [`encode`](Self::encode)'s output. Presentation of the
    /// number and name is always kept (reasons a format has no code for
    /// become "unavailable").
    pub fn carried(self, msg: &CallerIdMessage) -> CallerIdMessage {
        match self {
            CallerIdStandard::Off => CallerIdMessage::default(),
            CallerIdStandard::EtsiDtmf { variant, .. } => dtmf_clip::carried(msg, variant),
            CallerIdStandard::Ntt => ntt::carried(msg),
            s => telcordia::carried(msg, s.dialect()),
        }
    }

    /// Encodes `msg` into the octets (or DTMF characters) of this
    /// standard. `Ok(None)` for [`Off`](Self::Off): nothing is sent.
    pub fn encode(self, msg: &CallerIdMessage) -> Result<Option<MessageBytes>, Error> {
        match self {
            CallerIdStandard::Off => Ok(None),
            CallerIdStandard::EtsiDtmf { variant, .. } => dtmf_clip::encode(msg, variant).map(Some),
            CallerIdStandard::Ntt => ntt::encode(msg).map(Some),
            s => telcordia::encode(msg, s.dialect()).map(Some),
        }
    }

    /// The complete line signal of `msg` for an on-hook standard, FSK at
    /// `level` (DTMF at -10/-8 dBm0, alert tones at their own levels),
    /// with the timing it must keep against ringing. `Ok(None)` for
    /// [`Off`](Self::Off). Off-hook standards give their data part only
    /// (no CAS); use [`OffHookCallerId`] for the whole exchange.
    pub fn signal(self, msg: &CallerIdMessage, level: Dbm0) -> Result<Option<CallerIdSignal>, Error> {
        let Some(bytes) = self.encode(msg)? else {
            return Ok(None);
        };
        CallerIdSignal::new(self, &bytes, level).map(Some)
    }
}

/// Decodes raw message octets of `coding` (for FSK: type to checksum;
/// NTT: DLE to CRC; DTMF: the character string). Checksums, CRC and
/// parity are checked; a corrupt message is an error.
pub fn decode_bytes(coding: CallerIdCoding, bytes: &[u8]) -> Result<CallerIdMessage, Error> {
    match coding {
        CallerIdCoding::Fsk => telcordia::decode(bytes),
        CallerIdCoding::Dtmf => dtmf_clip::decode(bytes),
        CallerIdCoding::Ntt => ntt::decode(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_encodes_to_nothing() {
        let m = CallerIdMessage::with_number("5551234").unwrap();
        assert_eq!(CallerIdStandard::Off.encode(&m), Ok(None));
        assert!(
            CallerIdStandard::Off
                .signal(&m, DEFAULT_FSK_LEVEL)
                .unwrap()
                .is_none()
        );
        assert_eq!(CallerIdStandard::Off.coding(), None);
    }

    #[test]
    fn every_standard_round_trips_a_private_number() {
        for s in CallerIdStandard::ALL_ON {
            for r in [AbsenceReason::Private, AbsenceReason::Unavailable] {
                let mut m = CallerIdMessage::withheld(r);
                m.datetime = Some(DateTime::new(3, 4, 5, 6).unwrap());
                let bytes = s.encode(&m).unwrap().unwrap();
                let back = decode_bytes(s.coding().unwrap(), bytes.as_slice()).unwrap();
                assert_eq!(back.number, Some(Presented::Absent(r)), "{s:?}");
            }
        }
    }
}
