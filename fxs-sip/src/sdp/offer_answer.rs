//! RFC 3264 offer/answer for one audio stream.

use std::net::{IpAddr, SocketAddr};

use super::{Connection, Direction, Fmtp, MediaDescription, Origin, RtpMap, SessionDescription, Timing};
use crate::Error;

/// The only transport profile we negotiate (RFC 3551).
const RTP_AVP: &str = "RTP/AVP";
/// RFC 4733 event name.
const TELEPHONE_EVENT: &str = "telephone-event";
/// Events we offer: DTMF 0-15 and flash 16 (RFC 4733 §3.2).
const TELEPHONE_EVENT_FMTP: &str = "0-16";

/// One codec we can use: name as in `a=rtpmap`, the payload type we offer
/// it with, and its RTP clock rate.
#[derive(Clone, Debug, PartialEq)]
pub struct AudioCodecPref {
    /// Encoding name (`PCMU`), compared case-insensitively.
    pub name: String,
    /// Payload type (static ones from RFC 3551 Table 4, or dynamic 96-127).
    pub payload_type: u8,
    /// Clock rate in Hz (8000 for G.711).
    pub clock_rate: u32,
}

impl AudioCodecPref {
    /// A codec preference.
    pub fn new(name: &str, payload_type: u8, clock_rate: u32) -> AudioCodecPref {
        AudioCodecPref {
            name: name.to_owned(),
            payload_type,
            clock_rate,
        }
    }
}

/// What we offer (or are willing to answer with) for one audio stream.
#[derive(Clone, Debug, PartialEq)]
pub struct AudioOffer {
    /// Our RTP address.
    pub address: IpAddr,
    /// Our RTP port.
    pub port: u16,
    /// Codecs in order of preference.
    pub codecs: Vec<AudioCodecPref>,
    /// Payload type for RFC 4733 telephone-event, if we want DTMF events.
    pub telephone_event: Option<u8>,
    /// Packet time we want to receive, ms.
    pub ptime: u32,
    /// Our direction (`SendOnly` to put the peer on hold).
    pub direction: Direction,
}

/// The negotiated result for the audio stream. `direction` is from our
/// point of view: `SendOnly` means we send and do not receive.
#[derive(Clone, Debug, PartialEq)]
pub struct NegotiatedAudio {
    /// Where to send RTP (`0.0.0.0` when the peer put us on legacy hold).
    pub remote: SocketAddr,
    /// Chosen codec, with the payload type of the offer.
    pub codec: AudioCodecPref,
    /// telephone-event payload type, if both sides use it.
    pub telephone_event: Option<u8>,
    /// Packet time to send with, ms (the peer's `a=ptime` if usable, else ours).
    pub ptime: u32,
    /// Direction seen from us.
    pub direction: Direction,
}

/// Encoding and clock rate of the static RTP/AVP payload types
/// (RFC 3551 §6, Table 4), for offers without `a=rtpmap`.
pub fn static_payload_type(pt: u8) -> Option<(&'static str, u32)> {
    Some(match pt {
        0 => ("PCMU", 8000),
        3 => ("GSM", 8000),
        4 => ("G723", 8000),
        5 => ("DVI4", 8000),
        6 => ("DVI4", 16000),
        7 => ("LPC", 8000),
        8 => ("PCMA", 8000),
        9 => ("G722", 8000),
        10 | 11 => ("L16", 44100),
        12 => ("QCELP", 8000),
        13 => ("CN", 8000),
        14 => ("MPA", 90000),
        15 => ("G728", 8000),
        16 => ("DVI4", 11025),
        17 => ("DVI4", 22050),
        18 => ("G729", 8000),
        _ => return None,
    })
}

/// Encoding name and clock rate of a payload type in a media section.
fn encoding_of(m: &MediaDescription, pt: u8) -> Option<(&str, u32)> {
    match m.rtpmap(pt) {
        Some(r) => Some((r.encoding.as_str(), r.clock_rate)),
        None => static_payload_type(pt),
    }
}

fn telephone_event_pt(m: &MediaDescription) -> Option<u8> {
    m.payload_types().find(|&pt| {
        encoding_of(m, pt)
            .is_some_and(|(name, rate)| name.eq_ignore_ascii_case(TELEPHONE_EVENT) && rate == 8000)
    })
}

/// First payload type of `m` (in its order) that one of `codecs` supports.
fn first_common(m: &MediaDescription, codecs: &[AudioCodecPref]) -> Option<AudioCodecPref> {
    m.payload_types().find_map(|pt| {
        let (name, rate) = encoding_of(m, pt)?;
        codecs
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name) && c.clock_rate == rate)
            .map(|c| AudioCodecPref {
                name: c.name.clone(),
                payload_type: pt,
                clock_rate: rate,
            })
    })
}

fn is_usable_audio(m: &MediaDescription) -> bool {
    m.kind == "audio" && m.port != 0 && m.protocol.eq_ignore_ascii_case(RTP_AVP)
}

/// The peer's direction, with legacy hold (`c=0.0.0.0`, RFC 3264 §8.4)
/// meaning "do not send to me".
fn peer_direction(m: &MediaDescription, conn: &Connection) -> Direction {
    Direction::from_flags(m.direction.sends(), m.direction.receives() && !conn.is_hold())
}

/// The peer's ptime if it is a usable multiple of 10 ms, else ours.
fn choose_ptime(m: &MediaDescription, ours: u32) -> u32 {
    match m.ptime {
        Some(p) if p > 0 && p % 10 == 0 && p <= 200 => p,
        _ => ours,
    }
}

fn rtpmap_for(pt: u8, name: &str, clock_rate: u32) -> RtpMap {
    RtpMap {
        payload_type: pt,
        encoding: name.to_owned(),
        clock_rate,
        channels: None,
    }
}

/// The `m=audio` section for our side.
fn audio_media(
    port: u16,
    codecs: &[AudioCodecPref],
    telephone_event: Option<(u8, String)>,
    ptime: u32,
    direction: Direction,
) -> MediaDescription {
    let mut m = MediaDescription {
        port,
        direction,
        ptime: Some(ptime),
        ..MediaDescription::default()
    };
    for c in codecs {
        m.formats.push(c.payload_type.to_string());
        m.rtpmaps.push(rtpmap_for(c.payload_type, &c.name, c.clock_rate));
    }
    if let Some((pt, fmtp)) = telephone_event {
        m.formats.push(pt.to_string());
        m.rtpmaps.push(rtpmap_for(pt, TELEPHONE_EVENT, 8000));
        m.fmtps.push(Fmtp {
            payload_type: pt,
            parameters: fmtp,
        });
    }
    m
}

fn description(
    address: IpAddr,
    session_id: u64,
    version: u64,
    media: Vec<MediaDescription>,
) -> SessionDescription {
    SessionDescription {
        origin: Origin {
            username: "-".to_owned(),
            session_id,
            session_version: version,
            address,
        },
        session_name: "-".to_owned(),
        connection: Some(Connection { address }),
        media,
        timing: vec![Timing::default()],
        ..SessionDescription::default()
    }
}

impl AudioOffer {
    /// The offer as SDP: one `m=audio` line with our codecs (each with an
    /// `a=rtpmap`), telephone-event with `a=fmtp:<pt> 0-16`, `a=ptime` and the
    /// direction; `o=- <session_id> <version> IN IP4|IP6 <address>`.
    pub fn to_sdp(&self, session_id: u64, version: u64) -> SessionDescription {
        let te = self
            .telephone_event
            .map(|pt| (pt, TELEPHONE_EVENT_FMTP.to_owned()));
        let media = audio_media(self.port, &self.codecs, te, self.ptime, self.direction);
        description(self.address, session_id, version, vec![media])
    }
}

/// A rejected copy of an offered media section (port 0, RFC 3264 §6).
fn rejected(m: &MediaDescription) -> MediaDescription {
    MediaDescription {
        kind: m.kind.clone(),
        port: 0,
        protocol: m.protocol.clone(),
        formats: m.formats.clone(),
        direction: Direction::Inactive,
        ..MediaDescription::default()
    }
}

/// Answer `offer` with our supported codecs; see [`answer_audio_with_origin`].
/// The answer's `o=` line takes the offer's session id and version 1.
pub fn answer_audio(
    offer: &SessionDescription,
    local: &AudioOffer,
) -> Result<(SessionDescription, NegotiatedAudio), Error> {
    answer_audio_with_origin(offer, local, offer.origin.session_id, 1)
}

/// Answer `offer` (RFC 3264 §6): the answer has the same m-lines in the same
/// order; the first usable `audio RTP/AVP` stream is accepted with the first
/// codec of the offer's list that we support (keeping the offer's payload
/// type) plus telephone-event if offered and wanted; every other stream is
/// rejected with port 0. Legacy hold (`c=0.0.0.0`) is understood as "do not
/// send". Err ([`Error::NotAcceptable`], 488) when no audio stream can be
/// accepted.
pub fn answer_audio_with_origin(
    offer: &SessionDescription,
    local: &AudioOffer,
    session_id: u64,
    version: u64,
) -> Result<(SessionDescription, NegotiatedAudio), Error> {
    let mut answer_media = Vec::with_capacity(offer.media.len());
    let mut negotiated = None;
    for m in &offer.media {
        let accepted = if negotiated.is_none() && is_usable_audio(m) {
            match (offer.connection_for(m), first_common(m, &local.codecs)) {
                (Some(conn), Some(codec)) => Some((conn, codec)),
                _ => None,
            }
        } else {
            None
        };
        let Some((conn, codec)) = accepted else {
            answer_media.push(rejected(m));
            continue;
        };
        let te = match (local.telephone_event, telephone_event_pt(m)) {
            (Some(_), Some(pt)) => Some(pt),
            _ => None,
        };
        let peer = peer_direction(m, conn);
        let ours = Direction::from_flags(
            peer.receives() && local.direction.sends(),
            peer.sends() && local.direction.receives(),
        );
        let te_fmtp = te.map(|pt| {
            let params = m
                .fmtp(pt)
                .map(|f| f.parameters.clone())
                .unwrap_or_else(|| TELEPHONE_EVENT_FMTP.to_owned());
            (pt, params)
        });
        answer_media.push(audio_media(
            local.port,
            std::slice::from_ref(&codec),
            te_fmtp,
            local.ptime,
            ours,
        ));
        negotiated = Some(NegotiatedAudio {
            remote: SocketAddr::new(conn.address, m.port),
            codec,
            telephone_event: te,
            ptime: choose_ptime(m, local.ptime),
            direction: ours,
        });
    }
    let negotiated = negotiated
        .ok_or_else(|| Error::NotAcceptable("no audio stream with a codec we support".to_owned()))?;
    let answer = description(local.address, session_id, version, answer_media);
    Ok((answer, negotiated))
}

/// Read the answer to our offer (RFC 3264 §7): the first accepted
/// `audio RTP/AVP` stream, its first codec that we offered, telephone-event
/// if both use it, and the direction from our side. Err
/// ([`Error::NotAcceptable`]) when the answer rejects the audio stream or
/// picks nothing we offered.
pub fn accept_answer(answer: &SessionDescription, our_offer: &AudioOffer) -> Result<NegotiatedAudio, Error> {
    let m = answer
        .media
        .iter()
        .find(|m| is_usable_audio(m))
        .ok_or_else(|| Error::NotAcceptable("the answer rejected the audio stream".to_owned()))?;
    let conn = answer
        .connection_for(m)
        .ok_or_else(|| Error::NotAcceptable("the answer has no connection address".to_owned()))?;
    let codec = first_common(m, &our_offer.codecs)
        .ok_or_else(|| Error::NotAcceptable("the answer has no codec we offered".to_owned()))?;
    let te = match our_offer.telephone_event {
        Some(_) => telephone_event_pt(m),
        None => None,
    };
    let peer = peer_direction(m, conn);
    let direction = Direction::from_flags(
        peer.receives() && our_offer.direction.sends(),
        peer.sends() && our_offer.direction.receives(),
    );
    Ok(NegotiatedAudio {
        remote: SocketAddr::new(conn.address, m.port),
        codec,
        telephone_event: te,
        ptime: choose_ptime(m, our_offer.ptime),
        direction,
    })
}
