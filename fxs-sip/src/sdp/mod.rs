//! SDP session descriptions (RFC 8866 subset) and the RFC 3264 offer/answer
//! model for one audio stream.
//!
//! The parser understands `v o s c t m a` and the `rtpmap`, `fmtp`, `ptime`
//! and direction attributes; `i u e p b r z k` lines are tolerated and kept.

mod offer_answer;

use std::fmt::{self, Display, Formatter};
use std::net::{IpAddr, Ipv4Addr};

pub use offer_answer::{
    AudioCodecPref, AudioOffer, NegotiatedAudio, accept_answer, answer_audio, answer_audio_with_origin,
    static_payload_type,
};

use crate::Error;

/// `o=` origin (RFC 8866 §5.2). The network type is always `IN`; the
/// address type follows `address`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// `<username>`, `-` when there is none.
    pub username: String,
    /// `<sess-id>`.
    pub session_id: u64,
    /// `<sess-version>`, incremented for each new offer (RFC 3264 §8).
    pub session_version: u64,
    /// `<unicast-address>`.
    pub address: IpAddr,
}

/// `c=` connection data (RFC 8866 §5.7). A multicast `/ttl` suffix is not kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Connection {
    /// Connection address; `0.0.0.0` is the legacy hold of RFC 2543 (RFC 3264 §8.4).
    pub address: IpAddr,
}

impl Connection {
    /// True for `c=IN IP4 0.0.0.0` (or `::`), the RFC 2543 way to put a call on hold.
    pub fn is_hold(&self) -> bool {
        self.address.is_unspecified()
    }
}

/// An `a=name[:value]` attribute (RFC 8866 §5.13).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribute {
    /// Attribute name.
    pub name: String,
    /// Value after the colon, if any.
    pub value: Option<String>,
}

impl Attribute {
    /// A property (`value = None`) or value attribute.
    pub fn new(name: &str, value: Option<&str>) -> Attribute {
        Attribute {
            name: name.to_owned(),
            value: value.map(str::to_owned),
        }
    }
}

/// Media direction attribute (RFC 8866 §6.7, RFC 3264 §5.1), always from the
/// point of view of the description's author.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Direction {
    /// `a=sendrecv` (the default).
    #[default]
    SendRecv,
    /// `a=sendonly`.
    SendOnly,
    /// `a=recvonly`.
    RecvOnly,
    /// `a=inactive`.
    Inactive,
}

impl Direction {
    /// The attribute name.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::SendRecv => "sendrecv",
            Direction::SendOnly => "sendonly",
            Direction::RecvOnly => "recvonly",
            Direction::Inactive => "inactive",
        }
    }

    /// Parse an attribute name (case-sensitive, as RFC 8866 defines them).
    pub fn from_attribute(name: &str) -> Option<Direction> {
        match name {
            "sendrecv" => Some(Direction::SendRecv),
            "sendonly" => Some(Direction::SendOnly),
            "recvonly" => Some(Direction::RecvOnly),
            "inactive" => Some(Direction::Inactive),
            _ => None,
        }
    }

    /// The author sends media.
    pub fn sends(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::SendOnly)
    }

    /// The author receives media.
    pub fn receives(self) -> bool {
        matches!(self, Direction::SendRecv | Direction::RecvOnly)
    }

    /// The direction with the given send/receive abilities.
    pub fn from_flags(send: bool, recv: bool) -> Direction {
        match (send, recv) {
            (true, true) => Direction::SendRecv,
            (true, false) => Direction::SendOnly,
            (false, true) => Direction::RecvOnly,
            (false, false) => Direction::Inactive,
        }
    }

    /// The same stream seen from the other end (`sendonly` <-> `recvonly`).
    pub fn reversed(self) -> Direction {
        Direction::from_flags(self.receives(), self.sends())
    }
}

impl Display for Direction {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `a=rtpmap:<pt> <encoding>/<clock>[/<channels>]` (RFC 8866 §6.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RtpMap {
    /// RTP payload type.
    pub payload_type: u8,
    /// Encoding name (`PCMU`, `telephone-event`).
    pub encoding: String,
    /// Clock rate in Hz.
    pub clock_rate: u32,
    /// Channel count for audio, if given.
    pub channels: Option<u8>,
}

/// `a=fmtp:<pt> <parameters>` (RFC 8866 §6.15).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fmtp {
    /// RTP payload type.
    pub payload_type: u8,
    /// Format parameters, verbatim (`0-16`, `annexb=no`).
    pub parameters: String,
}

/// `t=<start> <stop>` with its `r=` lines (RFC 8866 §5.9, §5.10).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Timing {
    /// Start time (NTP seconds), 0 = unbounded.
    pub start: u64,
    /// Stop time (NTP seconds), 0 = unbounded.
    pub stop: u64,
    /// `r=` repeat lines, verbatim.
    pub repeats: Vec<String>,
}

/// One `m=` section (RFC 8866 §5.14).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaDescription {
    /// Media type (`audio`, `image`...).
    pub kind: String,
    /// Transport port; 0 = stream rejected / disabled (RFC 3264 §6).
    pub port: u16,
    /// Transport protocol (`RTP/AVP`, `udptl`).
    pub protocol: String,
    /// Formats: RTP payload types as decimal strings, or other format names (`t38`).
    pub formats: Vec<String>,
    /// Media-level `c=`.
    pub connection: Option<Connection>,
    /// `a=rtpmap` attributes.
    pub rtpmaps: Vec<RtpMap>,
    /// `a=fmtp` attributes.
    pub fmtps: Vec<Fmtp>,
    /// Direction (media-level attribute, else the session-level one, else sendrecv).
    pub direction: Direction,
    /// `a=ptime`, in milliseconds.
    pub ptime: Option<u32>,
    /// Other media-level attributes, in order.
    pub attributes: Vec<Attribute>,
    /// `/<number of ports>` after the port, if given.
    pub port_count: Option<u16>,
    /// `i=` media title.
    pub information: Option<String>,
    /// `b=` lines, verbatim (`AS:64`).
    pub bandwidths: Vec<String>,
    /// `k=` line, verbatim (obsolete, RFC 8866 §5.12).
    pub key: Option<String>,
}

impl Default for MediaDescription {
    fn default() -> Self {
        MediaDescription {
            kind: "audio".to_owned(),
            port: 0,
            protocol: "RTP/AVP".to_owned(),
            formats: Vec::new(),
            connection: None,
            rtpmaps: Vec::new(),
            fmtps: Vec::new(),
            direction: Direction::SendRecv,
            ptime: None,
            attributes: Vec::new(),
            port_count: None,
            information: None,
            bandwidths: Vec::new(),
            key: None,
        }
    }
}

impl MediaDescription {
    /// The formats that are RTP payload type numbers.
    pub fn payload_types(&self) -> impl Iterator<Item = u8> + '_ {
        self.formats.iter().filter_map(|f| f.parse().ok())
    }

    /// The `rtpmap` of a payload type.
    pub fn rtpmap(&self, payload_type: u8) -> Option<&RtpMap> {
        self.rtpmaps.iter().find(|r| r.payload_type == payload_type)
    }

    /// The `fmtp` of a payload type.
    pub fn fmtp(&self, payload_type: u8) -> Option<&Fmtp> {
        self.fmtps.iter().find(|r| r.payload_type == payload_type)
    }

    /// An attribute value by name (`Some(None)` for a property attribute).
    pub fn attribute(&self, name: &str) -> Option<Option<&str>> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.value.as_deref())
    }

    /// `a=maxptime` in milliseconds, if given and numeric.
    pub fn max_ptime(&self) -> Option<u32> {
        self.attribute("maxptime")
            .flatten()
            .and_then(|v| v.trim().parse().ok())
    }
}

/// A session description (RFC 8866 §5).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionDescription {
    /// `o=`.
    pub origin: Origin,
    /// `s=` (`-` when there is nothing better).
    pub session_name: String,
    /// Session-level `c=`.
    pub connection: Option<Connection>,
    /// `m=` sections in order.
    pub media: Vec<MediaDescription>,
    /// Session-level attributes, in order (direction attributes included:
    /// they are also applied to each media section without its own).
    pub attributes: Vec<Attribute>,
    /// `i=` session information.
    pub information: Option<String>,
    /// `u=` URI.
    pub uri: Option<String>,
    /// `e=` lines.
    pub emails: Vec<String>,
    /// `p=` lines.
    pub phones: Vec<String>,
    /// Session-level `b=` lines, verbatim.
    pub bandwidths: Vec<String>,
    /// `t=` lines (with their `r=` lines); at least one on the wire.
    pub timing: Vec<Timing>,
    /// `z=` line, verbatim.
    pub time_zones: Option<String>,
    /// Session-level `k=` line, verbatim.
    pub key: Option<String>,
}

impl Default for SessionDescription {
    /// `v=0`, `o=- 0 0 IN IP4 0.0.0.0`, `s=-`, `t=0 0`, nothing else.
    fn default() -> Self {
        SessionDescription {
            origin: Origin {
                username: "-".to_owned(),
                session_id: 0,
                session_version: 0,
                address: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            },
            session_name: "-".to_owned(),
            connection: None,
            media: Vec::new(),
            attributes: Vec::new(),
            information: None,
            uri: None,
            emails: Vec::new(),
            phones: Vec::new(),
            bandwidths: Vec::new(),
            timing: vec![Timing::default()],
            time_zones: None,
            key: None,
        }
    }
}

fn sdp_err(line: usize, reason: impl Into<String>) -> Error {
    Error::BadSdp {
        line,
        reason: reason.into(),
    }
}

fn parse_address(line: usize, nettype: &str, addrtype: &str, addr: &str) -> Result<IpAddr, Error> {
    if nettype != "IN" {
        return Err(sdp_err(line, format!("network type {nettype:?} is not IN")));
    }
    // strip a multicast /ttl[/count] suffix
    let addr = addr.split('/').next().unwrap_or(addr);
    let ip: IpAddr = addr
        .parse()
        .map_err(|_| sdp_err(line, format!("address {addr:?} is not an IP address")))?;
    match (addrtype, ip) {
        ("IP4", IpAddr::V4(_)) | ("IP6", IpAddr::V6(_)) => Ok(ip),
        _ => Err(sdp_err(line, format!("address {addr:?} is not {addrtype}"))),
    }
}

fn parse_connection(line: usize, value: &str) -> Result<Connection, Error> {
    let parts: Vec<&str> = value.split(' ').collect();
    let [nettype, addrtype, addr] = parts[..] else {
        return Err(sdp_err(line, "c= needs <nettype> <addrtype> <address>"));
    };
    Ok(Connection {
        address: parse_address(line, nettype, addrtype, addr)?,
    })
}

fn parse_origin(line: usize, value: &str) -> Result<Origin, Error> {
    let parts: Vec<&str> = value.split(' ').collect();
    let [username, id, version, nettype, addrtype, addr] = parts[..] else {
        return Err(sdp_err(line, "o= needs six fields"));
    };
    let num = |s: &str, what: &str| {
        s.parse::<u64>()
            .map_err(|_| sdp_err(line, format!("{what} {s:?} is not a number")))
    };
    Ok(Origin {
        username: username.to_owned(),
        session_id: num(id, "session id")?,
        session_version: num(version, "session version")?,
        address: parse_address(line, nettype, addrtype, addr)?,
    })
}

fn parse_media_line(line: usize, value: &str) -> Result<MediaDescription, Error> {
    let mut parts = value.split(' ');
    let (Some(kind), Some(port), Some(protocol)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(sdp_err(line, "m= needs <media> <port> <proto> <fmt>..."));
    };
    let (port, count) = match port.split_once('/') {
        Some((p, c)) => (p, Some(c)),
        None => (port, None),
    };
    let port: u16 = port
        .parse()
        .map_err(|_| sdp_err(line, format!("port {port:?} is not a number")))?;
    let port_count = count
        .map(|c| {
            c.parse::<u16>()
                .map_err(|_| sdp_err(line, format!("port count {c:?} is not a number")))
        })
        .transpose()?;
    let formats: Vec<String> = parts.map(str::to_owned).collect();
    if kind.is_empty() || protocol.is_empty() || formats.iter().any(String::is_empty) {
        return Err(sdp_err(line, "empty field in m="));
    }
    Ok(MediaDescription {
        kind: kind.to_owned(),
        port,
        protocol: protocol.to_owned(),
        formats,
        port_count,
        ..MediaDescription::default()
    })
}

fn parse_rtpmap(line: usize, value: &str) -> Result<RtpMap, Error> {
    let bad = || sdp_err(line, format!("bad rtpmap {value:?}"));
    let (pt, rest) = value.split_once(' ').ok_or_else(bad)?;
    let mut enc = rest.trim().split('/');
    let encoding = enc.next().filter(|e| !e.is_empty()).ok_or_else(bad)?;
    let clock_rate = enc.next().and_then(|c| c.parse().ok()).ok_or_else(bad)?;
    let channels = match enc.next() {
        Some(c) => Some(c.parse().map_err(|_| bad())?),
        None => None,
    };
    if enc.next().is_some() {
        return Err(bad());
    }
    Ok(RtpMap {
        payload_type: pt.parse().map_err(|_| bad())?,
        encoding: encoding.to_owned(),
        clock_rate,
        channels,
    })
}

impl SessionDescription {
    /// Parse a session description. Lines end in CRLF or LF; types must be
    /// among `v o s i u e p c b t r z k a m` (RFC 8866 §5 says to reject
    /// unknown ones); `v=0`, `o=`, `s=` and at least one `t=` are required.
    pub fn parse(text: &str) -> Result<SessionDescription, Error> {
        let mut sdp = SessionDescription {
            timing: Vec::new(),
            ..SessionDescription::default()
        };
        let (mut have_v, mut have_o, mut have_s) = (false, false, false);
        let mut session_direction: Option<Direction> = None;
        let mut media_direction: Vec<bool> = Vec::new();
        for (idx, raw) in text.split('\n').enumerate() {
            let line_no = idx + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if line.is_empty() {
                continue;
            }
            let bytes = line.as_bytes();
            let (Some(&t), Some(b'=')) = (bytes.first(), bytes.get(1)) else {
                return Err(sdp_err(line_no, "line is not <type>=<value>"));
            };
            let value = line.get(2..).unwrap_or("");
            if line.chars().any(|c| c.is_control()) {
                return Err(sdp_err(line_no, "control character"));
            }
            if !have_v && t != b'v' {
                return Err(sdp_err(line_no, "description must start with v=0"));
            }
            let media = sdp.media.last_mut();
            match (t, media) {
                (b'v', _) => {
                    if have_v || value != "0" {
                        return Err(sdp_err(line_no, "v= must be 0 and appear once"));
                    }
                    have_v = true;
                }
                (b'o', None) if !have_o => {
                    sdp.origin = parse_origin(line_no, value)?;
                    have_o = true;
                }
                (b's', None) if !have_s => {
                    sdp.session_name = value.to_owned();
                    have_s = true;
                }
                (b'i', None) => sdp.information = Some(value.to_owned()),
                (b'i', Some(m)) => m.information = Some(value.to_owned()),
                (b'u', None) => sdp.uri = Some(value.to_owned()),
                (b'e', None) => sdp.emails.push(value.to_owned()),
                (b'p', None) => sdp.phones.push(value.to_owned()),
                (b'c', None) => sdp.connection = Some(parse_connection(line_no, value)?),
                (b'c', Some(m)) => m.connection = Some(parse_connection(line_no, value)?),
                (b'b', None) => sdp.bandwidths.push(value.to_owned()),
                (b'b', Some(m)) => m.bandwidths.push(value.to_owned()),
                (b't', None) => {
                    let (start, stop) = value
                        .split_once(' ')
                        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)))
                        .ok_or_else(|| sdp_err(line_no, "t= needs <start> <stop>"))?;
                    sdp.timing.push(Timing {
                        start,
                        stop,
                        repeats: Vec::new(),
                    });
                }
                (b'r', None) => match sdp.timing.last_mut() {
                    Some(t) => t.repeats.push(value.to_owned()),
                    None => return Err(sdp_err(line_no, "r= without t=")),
                },
                (b'z', None) => sdp.time_zones = Some(value.to_owned()),
                (b'k', None) => sdp.key = Some(value.to_owned()),
                (b'k', Some(m)) => m.key = Some(value.to_owned()),
                (b'a', media) => {
                    let (name, val) = match value.split_once(':') {
                        Some((n, v)) => (n, Some(v)),
                        None => (value, None),
                    };
                    if name.is_empty() {
                        return Err(sdp_err(line_no, "empty attribute name"));
                    }
                    match media {
                        None => {
                            if let (Some(d), None) = (Direction::from_attribute(name), val) {
                                session_direction = Some(d);
                            }
                            sdp.attributes.push(Attribute::new(name, val));
                        }
                        Some(m) => {
                            let has_dir = media_direction.last_mut();
                            media_attribute(line_no, m, name, val, has_dir)?;
                        }
                    }
                }
                (b'm', _) => {
                    sdp.media.push(parse_media_line(line_no, value)?);
                    media_direction.push(false);
                }
                _ => {
                    return Err(sdp_err(line_no, format!("unexpected {}= line", char::from(t))));
                }
            }
        }
        if !have_v || !have_o || !have_s {
            return Err(sdp_err(0, "v=, o= and s= are required"));
        }
        if sdp.timing.is_empty() {
            return Err(sdp_err(0, "t= is required"));
        }
        if let Some(d) = session_direction {
            for (m, has) in sdp.media.iter_mut().zip(media_direction) {
                if !has {
                    m.direction = d;
                }
            }
        }
        Ok(sdp)
    }

    /// The connection address for a media section: its own `c=`, else the
    /// session's.
    pub fn connection_for<'a>(&'a self, media: &'a MediaDescription) -> Option<&'a Connection> {
        media.connection.as_ref().or(self.connection.as_ref())
    }
}

/// Apply one media-level attribute: typed ones go to their fields.
fn media_attribute(
    line: usize,
    m: &mut MediaDescription,
    name: &str,
    value: Option<&str>,
    has_direction: Option<&mut bool>,
) -> Result<(), Error> {
    let numeric = |v: &str| v.split_once(' ').is_some_and(|(pt, _)| pt.parse::<u8>().is_ok());
    match (name, value) {
        // An rtpmap without a clock rate (`a=rtpmap:31 LPC`, RFC 4475's
        // test bodies) is kept as a plain attribute: its payload type simply
        // has no mapping, which offer/answer treats as unknown (RFC 3264 §6).
        ("rtpmap", Some(v)) if numeric(v) => match parse_rtpmap(line, v) {
            Ok(map) => m.rtpmaps.push(map),
            Err(_) => m.attributes.push(Attribute::new(name, value)),
        },
        ("fmtp", Some(v)) if numeric(v) => {
            let (pt, params) = v.split_once(' ').unwrap_or((v, ""));
            m.fmtps.push(Fmtp {
                payload_type: pt.parse().map_err(|_| sdp_err(line, format!("bad fmtp {v:?}")))?,
                parameters: params.trim().to_owned(),
            });
        }
        ("ptime", Some(v)) => {
            m.ptime = Some(
                v.trim()
                    .parse()
                    .map_err(|_| sdp_err(line, format!("bad ptime {v:?}")))?,
            );
        }
        (n, None) if Direction::from_attribute(n).is_some() => {
            m.direction = Direction::from_attribute(n).unwrap_or_default();
            if let Some(h) = has_direction {
                *h = true;
            }
        }
        _ => m.attributes.push(Attribute::new(name, value)),
    }
    Ok(())
}

fn write_address(f: &mut Formatter<'_>, ip: IpAddr) -> fmt::Result {
    match ip {
        IpAddr::V4(a) => write!(f, "IN IP4 {a}"),
        IpAddr::V6(a) => write!(f, "IN IP6 {a}"),
    }
}

fn write_attribute(f: &mut Formatter<'_>, a: &Attribute) -> fmt::Result {
    match &a.value {
        Some(v) => write!(f, "a={}:{}\r\n", a.name, v),
        None => write!(f, "a={}\r\n", a.name),
    }
}

impl Display for MediaDescription {
    /// The `m=` section, CRLF line ends, typed attributes first.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "m={} {}", self.kind, self.port)?;
        if let Some(c) = self.port_count {
            write!(f, "/{c}")?;
        }
        write!(f, " {}", self.protocol)?;
        for fmt in &self.formats {
            write!(f, " {fmt}")?;
        }
        f.write_str("\r\n")?;
        if let Some(i) = &self.information {
            write!(f, "i={i}\r\n")?;
        }
        if let Some(c) = &self.connection {
            f.write_str("c=")?;
            write_address(f, c.address)?;
            f.write_str("\r\n")?;
        }
        for b in &self.bandwidths {
            write!(f, "b={b}\r\n")?;
        }
        if let Some(k) = &self.key {
            write!(f, "k={k}\r\n")?;
        }
        for r in &self.rtpmaps {
            write!(f, "a=rtpmap:{} {}/{}", r.payload_type, r.encoding, r.clock_rate)?;
            if let Some(ch) = r.channels {
                write!(f, "/{ch}")?;
            }
            f.write_str("\r\n")?;
        }
        for p in &self.fmtps {
            write!(f, "a=fmtp:{} {}\r\n", p.payload_type, p.parameters)?;
        }
        if let Some(p) = self.ptime {
            write!(f, "a=ptime:{p}\r\n")?;
        }
        for a in &self.attributes {
            write_attribute(f, a)?;
        }
        write!(f, "a={}\r\n", self.direction)
    }
}

impl Display for SessionDescription {
    /// The description in RFC 8866 §5 order with CRLF line ends.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let o = &self.origin;
        write!(
            f,
            "v=0\r\no={} {} {} ",
            o.username, o.session_id, o.session_version
        )?;
        write_address(f, o.address)?;
        write!(f, "\r\ns={}\r\n", self.session_name)?;
        if let Some(i) = &self.information {
            write!(f, "i={i}\r\n")?;
        }
        if let Some(u) = &self.uri {
            write!(f, "u={u}\r\n")?;
        }
        for e in &self.emails {
            write!(f, "e={e}\r\n")?;
        }
        for p in &self.phones {
            write!(f, "p={p}\r\n")?;
        }
        if let Some(c) = &self.connection {
            f.write_str("c=")?;
            write_address(f, c.address)?;
            f.write_str("\r\n")?;
        }
        for b in &self.bandwidths {
            write!(f, "b={b}\r\n")?;
        }
        for t in &self.timing {
            write!(f, "t={} {}\r\n", t.start, t.stop)?;
            for r in &t.repeats {
                write!(f, "r={r}\r\n")?;
            }
        }
        if let Some(z) = &self.time_zones {
            write!(f, "z={z}\r\n")?;
        }
        if let Some(k) = &self.key {
            write!(f, "k={k}\r\n")?;
        }
        for a in &self.attributes {
            write_attribute(f, a)?;
        }
        for m in &self.media {
            write!(f, "{m}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for SessionDescription {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        SessionDescription::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\no=alice 2890844526 2890844526 IN IP4 198.51.100.1\r\ns=-\r\n\
        c=IN IP4 198.51.100.1\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 97\r\n\
        a=rtpmap:0 PCMU/8000\r\na=rtpmap:97 telephone-event/8000\r\na=fmtp:97 0-16\r\n\
        a=ptime:20\r\na=sendrecv\r\n";

    #[test]
    fn parses_typed_media_attributes() {
        let sdp = SessionDescription::parse(OFFER).unwrap();
        let m = &sdp.media[0];
        assert_eq!(m.port, 49170);
        assert_eq!(m.payload_types().collect::<Vec<_>>(), vec![0, 8, 97]);
        assert_eq!(m.rtpmap(97).map(|r| r.encoding.as_str()), Some("telephone-event"));
        assert_eq!(m.fmtp(97).map(|f| f.parameters.as_str()), Some("0-16"));
        assert_eq!(m.ptime, Some(20));
        assert!(m.attributes.is_empty());
    }

    #[test]
    fn writer_output_reparses_to_the_same_description() {
        let sdp = SessionDescription::parse(OFFER).unwrap();
        assert_eq!(SessionDescription::parse(&sdp.to_string()).unwrap(), sdp);
    }

    #[test]
    fn session_level_direction_applies_to_media_without_one() {
        let text = OFFER
            .replace("a=sendrecv\r\n", "")
            .replace("t=0 0\r\n", "t=0 0\r\na=sendonly\r\n");
        let sdp = SessionDescription::parse(&text).unwrap();
        assert_eq!(sdp.media[0].direction, Direction::SendOnly);
    }

    #[test]
    fn unknown_line_type_is_rejected() {
        let text = format!("{OFFER}q=what\r\n");
        assert!(matches!(
            SessionDescription::parse(&text),
            Err(Error::BadSdp { line: 12, .. })
        ));
    }

    #[test]
    fn direction_reversal_swaps_send_and_receive() {
        assert_eq!(Direction::SendOnly.reversed(), Direction::RecvOnly);
        assert_eq!(Direction::SendRecv.reversed(), Direction::SendRecv);
        assert_eq!(Direction::Inactive.reversed(), Direction::Inactive);
    }
}
