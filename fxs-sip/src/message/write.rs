//! Canonical writer: long header names, one header per line, CRLF line
//! ends, Content-Length computed from the body (RFC 3261 §7, §20.14).

use std::fmt::{self, Display, Formatter, Write as _};

use super::parse::{is_password_char, is_tel_char, is_user_char};
use super::types::*;

/// Write `s` with every character outside `allowed` as `%HH` (per UTF-8 octet).
fn write_escaped(f: &mut Formatter<'_>, s: &str, allowed: fn(char) -> bool) -> fmt::Result {
    for c in s.chars() {
        if c.is_ascii() && allowed(c) {
            f.write_char(c)?;
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                write!(f, "%{b:02X}")?;
            }
        }
    }
    Ok(())
}

/// Write `s` as a quoted-string, escaping `"`, `\` and control characters.
fn write_quoted(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        if c == '"' || c == '\\' || (c.is_control() && c != '\t') {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}

fn write_params(f: &mut Formatter<'_>, params: &[Param]) -> fmt::Result {
    for p in params {
        match &p.value {
            Some(v) => write!(f, ";{}={}", p.name, v)?,
            None => write!(f, ";{}", p.name)?,
        }
    }
    Ok(())
}

impl Display for Host {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Host::Domain(d) => f.write_str(d),
            Host::Ipv4(a) => write!(f, "{a}"),
            Host::Ipv6(a) => write!(f, "[{a}]"),
        }
    }
}

impl Display for Param {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.value {
            Some(v) => write!(f, "{}={}", self.name, v),
            None => f.write_str(&self.name),
        }
    }
}

impl Display for Uri {
    /// `sip:user:password@host:port;params?headers`; a tel URI writes only the
    /// number and its parameters.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.scheme.as_str())?;
        if let Scheme::Other(_) = self.scheme {
            // an opaque absolute URI, kept verbatim
            return f.write_str(self.user.as_deref().unwrap_or(""));
        }
        if self.scheme == Scheme::Tel {
            write_escaped(f, self.user.as_deref().unwrap_or(""), |c| {
                is_tel_char(c) && c != '#'
            })?;
            return write_params(f, &self.params);
        }
        if let Some(user) = &self.user {
            write_escaped(f, user, is_user_char)?;
            if let Some(pw) = &self.password {
                f.write_char(':')?;
                write_escaped(f, pw, is_password_char)?;
            }
            f.write_char('@')?;
        }
        write!(f, "{}", self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        write_params(f, &self.params)?;
        for (i, h) in self.headers.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            write!(f, "{sep}{}={}", h.name, h.value.as_deref().unwrap_or(""))?;
        }
        Ok(())
    }
}

impl Display for NameAddr {
    /// Always the `name-addr` form: `"Display" <uri>;params`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(name) = &self.display_name {
            write_quoted(f, name)?;
            f.write_char(' ')?;
        }
        write!(f, "<{}>", self.uri)?;
        write_params(f, &self.params)
    }
}

impl Display for Transport {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Display for Via {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "SIP/2.0/{} {}", self.transport, self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        write_params(f, &self.params)
    }
}

impl Display for CSeq {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.seq, self.method)
    }
}

fn write_list<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{item}")?;
    }
    Ok(())
}

impl Display for Contact {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Contact::Star => f.write_char('*'),
            Contact::Addresses(a) => write_list(f, a),
        }
    }
}

impl Display for MediaType {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.kind, self.subtype)?;
        write_params(f, &self.params)
    }
}

impl Display for TokenParams {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)?;
        write_params(f, &self.params)
    }
}

impl Display for DeltaSeconds {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.seconds)?;
        if let Some(c) = &self.comment {
            write!(f, " ({c})")?;
        }
        write_params(f, &self.params)
    }
}

impl Display for Replaces {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.call_id)?;
        write_params(f, &self.params)
    }
}

impl Display for InfoUri {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "<{}>", self.uri)?;
        write_params(f, &self.params)
    }
}

impl Display for RAck {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.rseq, self.cseq, self.method)
    }
}

impl Display for Reason {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.protocol)?;
        write_params(f, &self.params)
    }
}

impl Display for DigestAlgorithm {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str().unwrap_or("unknown"))
    }
}

/// Writes `, name=value` pairs of a digest header, the first without comma.
struct AuthWriter<'a, 'b> {
    f: &'a mut Formatter<'b>,
    first: bool,
}

impl AuthWriter<'_, '_> {
    fn sep(&mut self) -> fmt::Result {
        let s = if self.first { " " } else { ", " };
        self.first = false;
        self.f.write_str(s)
    }
    fn quoted(&mut self, name: &str, value: &str) -> fmt::Result {
        self.sep()?;
        write!(self.f, "{name}=")?;
        write_quoted(self.f, value)
    }
    fn token(&mut self, name: &str, value: &dyn Display) -> fmt::Result {
        self.sep()?;
        write!(self.f, "{name}={value}")
    }
    fn algorithm(&mut self, alg: Option<DigestAlgorithm>) -> fmt::Result {
        // an unknown algorithm is written from its raw copy in `other`
        match alg.and_then(DigestAlgorithm::as_str) {
            Some(a) => self.token("algorithm", &a),
            None => Ok(()),
        }
    }
    fn others(&mut self, other: &[Param]) -> fmt::Result {
        for p in other {
            self.sep()?;
            write!(self.f, "{}={}", p.name, p.value.as_deref().unwrap_or("\"\""))?;
        }
        Ok(())
    }
}

impl Display for Challenge {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("Digest")?;
        let mut w = AuthWriter { f, first: true };
        w.quoted("realm", &self.realm)?;
        if let Some(d) = &self.domain {
            w.quoted("domain", d)?;
        }
        w.quoted("nonce", &self.nonce)?;
        if let Some(o) = &self.opaque {
            w.quoted("opaque", o)?;
        }
        if self.stale {
            w.token("stale", &"true")?;
        }
        w.algorithm(self.algorithm)?;
        if !self.qop.is_empty() {
            w.quoted("qop", &self.qop.join(","))?;
        }
        w.others(&self.other)
    }
}

impl Display for Credentials {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str("Digest")?;
        let mut w = AuthWriter { f, first: true };
        w.quoted("username", &self.username)?;
        w.quoted("realm", &self.realm)?;
        w.quoted("nonce", &self.nonce)?;
        w.quoted("uri", &self.uri)?;
        w.quoted("response", &self.response)?;
        w.algorithm(self.algorithm)?;
        if let Some(c) = &self.cnonce {
            w.quoted("cnonce", c)?;
        }
        if let Some(o) = &self.opaque {
            w.quoted("opaque", o)?;
        }
        if let Some(q) = &self.qop {
            if !q.is_empty() && q.chars().all(super::parse::is_token_char) {
                w.token("qop", q)?;
            } else {
                w.quoted("qop", q)?;
            }
        }
        if let Some(nc) = self.nc {
            w.token("nc", &format_args!("{nc:08x}"))?;
        }
        w.others(&self.other)
    }
}

impl Display for Header {
    /// `Name: value` without the line end.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.name())?;
        match self {
            Header::Via(v) => write!(f, "{v}"),
            Header::From(a) | Header::To(a) => write!(f, "{a}"),
            Header::Contact(c) => write!(f, "{c}"),
            Header::CallId(s) | Header::UserAgent(s) | Header::Server(s) => f.write_str(s),
            Header::CSeq(c) => write!(f, "{c}"),
            Header::MaxForwards(n) | Header::Expires(n) | Header::MinExpires(n) => {
                write!(f, "{n}")
            }
            Header::Route(r) | Header::RecordRoute(r) => write_list(f, r),
            Header::ContentType(t) => write!(f, "{t}"),
            Header::ContentLength(n) => write!(f, "{n}"),
            Header::WwwAuthenticate(c) | Header::ProxyAuthenticate(c) => write!(f, "{c}"),
            Header::Authorization(c) | Header::ProxyAuthorization(c) => write!(f, "{c}"),
            Header::Allow(m) => write_list(f, m),
            Header::Supported(t) | Header::Require(t) => write_list(f, t),
            Header::Unsupported(t)
            | Header::ProxyRequire(t)
            | Header::ContentEncoding(t)
            | Header::ContentLanguage(t) => write_list(f, t),
            Header::Event(t) | Header::SubscriptionState(t) | Header::ContentDisposition(t) => {
                write!(f, "{t}")
            }
            Header::ReferTo(a) | Header::ReferredBy(a) => write!(f, "{a}"),
            Header::Replaces(r) => write!(f, "{r}"),
            Header::AlertInfo(i) | Header::CallInfo(i) => write_list(f, i),
            Header::SessionExpires(d) | Header::MinSe(d) | Header::RetryAfter(d) => write!(f, "{d}"),
            Header::RSeq(n) => write!(f, "{n}"),
            Header::RAck(r) => write!(f, "{r}"),
            Header::PAssertedIdentity(a) => write_list(f, a),
            Header::Privacy(p) => {
                for (i, v) in p.iter().enumerate() {
                    if i > 0 {
                        f.write_char(';')?;
                    }
                    f.write_str(v)?;
                }
                Ok(())
            }
            Header::Reason(r) => write_list(f, r),
            Header::Other { value, .. } => f.write_str(value),
        }
    }
}

/// Headers, then the computed Content-Length, then the empty line and body.
fn write_rest(out: &mut Vec<u8>, headers: &Headers, body: &[u8]) {
    let mut text = String::with_capacity(64 * headers.len() + 32);
    for h in headers.iter() {
        if matches!(h, Header::ContentLength(_)) {
            continue;
        }
        // Writing into a String cannot fail.
        let _ = write!(text, "{h}\r\n");
    }
    let _ = write!(text, "Content-Length: {}\r\n\r\n", body.len());
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(body);
}

impl Request {
    /// Append the request to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(format!("{} {} SIP/2.0\r\n", self.method, self.uri).as_bytes());
        write_rest(out, &self.headers, &self.body);
    }

    /// The request as octets, with Content-Length computed from the body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512 + self.body.len());
        self.write_to(&mut out);
        out
    }
}

impl Response {
    /// Append the response to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(format!("SIP/2.0 {} {}\r\n", self.status, self.reason).as_bytes());
        write_rest(out, &self.headers, &self.body);
    }

    /// The response as octets, with Content-Length computed from the body.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(512 + self.body.len());
        self.write_to(&mut out);
        out
    }
}

impl Message {
    /// Parse one message from a datagram. Octets after Content-Length are
    /// ignored (RFC 4475 §3.1.1.8 dblreq); without Content-Length the body is
    /// the rest of the datagram (RFC 3261 §18.3, UDP). Datagrams over
    /// [`crate::MAX_MESSAGE_SIZE`] are refused before parsing.
    pub fn parse(data: &[u8]) -> Result<Message, crate::Error> {
        super::parse::parse_message(data)
    }

    /// For stream transports (TCP, TLS): the length of the first message in
    /// `buf`, framed by its Content-Length (RFC 3261 §18.3), or `Ok(None)`
    /// when more octets are needed. A message whose headers declare more than
    /// [`crate::MAX_MESSAGE_SIZE`] octets in all, or whose headers alone run
    /// past it, is refused with [`crate::Error::MessageTooLarge`] (513) as
    /// soon as that is known, before its body is buffered. Parse the frame
    /// with [`Message::parse`].
    pub fn stream_frame_len(buf: &[u8]) -> Result<Option<usize>, crate::Error> {
        super::parse::stream_frame_len(buf)
    }

    /// The message as octets, with Content-Length computed from the body.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Message::Request(r) => r.to_bytes(),
            Message::Response(r) => r.to_bytes(),
        }
    }

    /// Append the message to `out`.
    pub fn write_to(&self, out: &mut Vec<u8>) {
        match self {
            Message::Request(r) => r.write_to(out),
            Message::Response(r) => r.write_to(out),
        }
    }

    /// The headers of either kind.
    pub fn headers(&self) -> &Headers {
        match self {
            Message::Request(r) => &r.headers,
            Message::Response(r) => &r.headers,
        }
    }

    /// The body of either kind.
    pub fn body(&self) -> &[u8] {
        match self {
            Message::Request(r) => &r.body,
            Message::Response(r) => &r.body,
        }
    }
}

impl Display for Message {
    /// The message as text; a non-UTF-8 body is shown lossily.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

impl Display for Request {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}

impl Display for Response {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.to_bytes()))
    }
}
