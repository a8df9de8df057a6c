//! Pieces of the messages the user agent writes, and the transport rules for
//! where messages go (RFC 3261 §18, RFC 3581).

use std::net::{IpAddr, SocketAddr};

use crate::Error;
use crate::message::{Header, Host, MediaType, Method, Request, Response, StatusCode, Transport, Uri, Via};
use crate::sdp::SessionDescription;

/// The methods we accept (Allow, RFC 3261 §20.5).
pub(crate) const ALLOWED: [Method; 5] = [
    Method::Invite,
    Method::Ack,
    Method::Cancel,
    Method::Bye,
    Method::Options,
];

/// Option tags we support (none yet: no 100rel, timer, replaces).
pub(crate) const SUPPORTED: [&str; 0] = [];

/// Max-Forwards of every request we originate (RFC 3261 §8.1.1.6).
pub(crate) const MAX_FORWARDS: u32 = 70;

/// Default SIP port over UDP (RFC 3261 §19.1.2).
const SIP_PORT: u16 = 5060;

/// `Allow: INVITE, ACK, CANCEL, BYE, OPTIONS`.
pub(crate) fn allow() -> Header {
    Header::Allow(ALLOWED.to_vec())
}

/// `Supported:` with our (empty) option-tag list.
pub(crate) fn supported() -> Header {
    Header::Supported(SUPPORTED.iter().map(|s| (*s).to_owned()).collect())
}

/// `Content-Type: application/sdp`.
pub(crate) fn sdp_type() -> MediaType {
    MediaType::new("application", "sdp")
}

/// Our Via for a new request: `SIP/2.0/UDP <local>;branch=..;rport`
/// (RFC 3261 §8.1.1.7, RFC 3581 §3).
pub(crate) fn our_via(local: SocketAddr, branch: &str) -> Via {
    let mut via = Via {
        transport: Transport::Udp,
        host: Host::from_socket_addr(local),
        port: Some(local.port()),
        params: Vec::new(),
    };
    via.set_param("branch", Some(branch));
    via.set_param("rport", None);
    via
}

/// A `sip:` URI for `[user@]domain`, where `domain` may carry a port or be an
/// IP literal; falls back to a plain domain host when it does not parse.
pub(crate) fn domain_uri(user: Option<&str>, domain: &str) -> Uri {
    let text = match user {
        Some(u) => format!("sip:{u}@{domain}"),
        None => format!("sip:{domain}"),
    };
    match Uri::parse(&text) {
        Ok(uri) => uri,
        Err(_) => Uri::sip(user, Host::Domain(domain.to_owned()), None),
    }
}

/// Our Contact URI: `sip:user@<local_addr>`.
pub(crate) fn contact_uri(user: Option<&str>, local: SocketAddr) -> Uri {
    Uri::sip(
        user.filter(|u| !u.is_empty()),
        Host::from_socket_addr(local),
        Some(local.port()),
    )
}

/// The socket address of a URI whose host is an IP literal (`maddr` wins);
/// `None` for a domain name, which needs DNS (RFC 3263) the caller resolves
/// by falling back to its outbound proxy.
pub(crate) fn resolve(uri: &Uri) -> Option<SocketAddr> {
    let ip = match uri.param("maddr").flatten() {
        Some(maddr) => maddr.parse::<IpAddr>().ok()?,
        None => uri.host.ip()?,
    };
    Some(SocketAddr::new(ip, uri.port.unwrap_or(SIP_PORT)))
}

/// Record where a request came from in its top Via (RFC 3261 §18.2.1:
/// `received` when the sent-by host differs from the source; RFC 3581 §4:
/// `rport` filled in when the client asked for it), and return where the
/// responses go (RFC 3261 §18.2.2, RFC 3581 §4): the source address when
/// `rport` was asked for, otherwise the source IP and the sent-by port.
pub(crate) fn stamp_via(request: &mut Request, source: SocketAddr) -> SocketAddr {
    let Some(via) = request.headers.top_via_mut() else {
        return source;
    };
    let wants_rport = via.rport().is_some();
    if wants_rport {
        via.set_param("rport", Some(&source.port().to_string()));
    }
    if via.host.ip() != Some(source.ip()) || wants_rport {
        via.set_param("received", Some(&source.ip().to_string()));
    }
    if wants_rport {
        source
    } else {
        SocketAddr::new(source.ip(), via.port.unwrap_or(SIP_PORT))
    }
}

/// The SDP of a message body: `Ok(None)` without a body, an error when the
/// body is not `application/sdp` (→ 415) or does not parse (→ 488).
pub(crate) fn sdp_body(
    content_type: Option<&MediaType>,
    body: &[u8],
) -> Result<Option<SessionDescription>, SdpBodyError> {
    if body.is_empty() {
        return Ok(None);
    }
    match content_type {
        Some(t) if t.is("application", "sdp") => {}
        _ => return Err(SdpBodyError::UnsupportedType),
    }
    let text = std::str::from_utf8(body).map_err(|_| SdpBodyError::Malformed(None))?;
    SessionDescription::parse(text)
        .map(Some)
        .map_err(|e| SdpBodyError::Malformed(Some(e)))
}

/// Why a body is not a usable SDP.
#[derive(Debug)]
pub(crate) enum SdpBodyError {
    /// Not `application/sdp` (RFC 3261 §21.4.13: 415 with Accept).
    UnsupportedType,
    /// Not valid SDP (488; the parser's error when there is one).
    Malformed(Option<Error>),
}

impl SdpBodyError {
    /// Status and reason phrase to answer a request carrying this body with.
    pub(crate) fn response_status(&self) -> (StatusCode, String) {
        match self {
            SdpBodyError::UnsupportedType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                StatusCode::UNSUPPORTED_MEDIA_TYPE.default_reason().to_owned(),
            ),
            SdpBodyError::Malformed(Some(e)) => e.response_status(),
            SdpBodyError::Malformed(None) => (
                StatusCode::NOT_ACCEPTABLE_HERE,
                "SDP body is not UTF-8".to_owned(),
            ),
        }
    }
}

/// Our answer to a request the parser refused (RFC 3261 §8.2, RFC 4475
/// §3.1.2, §3.3.1): the status and defect from [`Error::response_status`],
/// and a copy of whatever Via, From, To, Call-ID and CSeq lines the raw text
/// has, so the client can match it. `None` when the datagram does not look
/// like a request at all (a response, a keep-alive, garbage): those get no
/// answer.
pub(crate) fn reject_unparsed(data: &[u8], error: &Error) -> Option<Response> {
    let text = String::from_utf8_lossy(data);
    let head = text.split("\r\n\r\n").next().unwrap_or("");
    let mut lines = head.lines();
    let start = lines.next()?.trim_end_matches('\r');
    if !looks_like_request_line(start) {
        return None;
    }
    let (status, reason) = error.response_status();
    let mut response = Response {
        status,
        reason,
        headers: Default::default(),
        body: Vec::new(),
    };
    let mut last_copied = false;
    for line in lines {
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            // Folded continuation of the previous header line.
            if last_copied {
                if let Some(Header::Other { value, .. }) = response.headers.0.last_mut() {
                    value.push(' ');
                    value.push_str(line.trim());
                }
            }
            continue;
        }
        last_copied = false;
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let Some(canonical) = matching_header_name(name.trim()) else {
            continue;
        };
        response.headers.push(Header::Other {
            name: canonical.to_owned(),
            value: value.trim().to_owned(),
        });
        last_copied = true;
    }
    Some(response)
}

/// `METHOD SP Request-URI SP SIP/x.y`, loosely: three or more tokens, the
/// last one a SIP version, the first not.
fn looks_like_request_line(line: &str) -> bool {
    let mut tokens = line.split_whitespace();
    let first = tokens.next().unwrap_or("");
    let last = tokens.last().unwrap_or("");
    !first.is_empty()
        && !first.to_ascii_uppercase().starts_with("SIP/")
        && last.to_ascii_uppercase().starts_with("SIP/")
}

/// Long name of the headers a response copies from its request
/// (RFC 3261 §8.2.6.2), accepting compact forms (§7.3.3).
fn matching_header_name(name: &str) -> Option<&'static str> {
    const COPIED: [(&str, &str, &str); 5] = [
        ("Via", "v", "Via"),
        ("From", "f", "From"),
        ("To", "t", "To"),
        ("Call-ID", "i", "Call-ID"),
        ("CSeq", "", "CSeq"),
    ];
    COPIED
        .iter()
        .find(|(long, short, _)| {
            name.eq_ignore_ascii_case(long) || (!short.is_empty() && name.eq_ignore_ascii_case(short))
        })
        .map(|(_, _, canonical)| *canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unparsed_request_is_answered_with_its_defect_and_headers() {
        let data = b"INVITE sip:bob@example.com SIP/2.0\r\n\
            v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKabc\r\n\
            f: <sip:alice@example.com>;tag=1\r\n\
            t: <sip:bob@example.com>\r\n\
            CSeq: 1 INVITE\r\n\
            Subject: hello\r\n\r\n";
        let error = Error::MissingHeader("Call-ID");
        let response = reject_unparsed(data, &error).expect("answered");
        assert_eq!(response.status, StatusCode::BAD_REQUEST);
        assert!(response.reason.contains("Call-ID"), "{}", response.reason);
        let names: Vec<&str> = response.headers.iter().map(|h| h.name()).collect();
        assert_eq!(names, ["Via", "From", "To", "CSeq"]);
    }

    #[test]
    fn garbage_and_responses_get_no_answer() {
        let error = Error::MalformedStartLine("x".into());
        assert!(reject_unparsed(b"\r\n\r\n", &error).is_none());
        assert!(reject_unparsed(b"SIP/2.0 200 OK\r\n\r\n", &error).is_none());
        assert!(reject_unparsed(&[0xff, 0x00, 0x13], &error).is_none());
    }

    #[test]
    fn responses_go_to_the_source_port_only_when_rport_was_asked() {
        let source: SocketAddr = "198.51.100.7:40000".parse().unwrap();
        let mut req = Request {
            method: Method::Options,
            uri: Uri::sip(None, Host::Domain("example.com".into()), None),
            headers: Default::default(),
            body: Vec::new(),
        };
        req.headers
            .push(Header::Via(our_via("10.0.0.1:5070".parse().unwrap(), "z9hG4bK1")));
        assert_eq!(stamp_via(&mut req, source), source);
        let via = req.headers.top_via().unwrap();
        assert_eq!(via.rport(), Some(Some(40000)));
        assert_eq!(via.received(), Some("198.51.100.7"));

        let mut plain = req.clone();
        plain.headers.0.clear();
        let mut via = our_via("10.0.0.1:5070".parse().unwrap(), "z9hG4bK2");
        via.params.retain(|p| p.name != "rport");
        plain.headers.push(Header::Via(via));
        assert_eq!(
            stamp_via(&mut plain, source),
            "198.51.100.7:5070".parse().unwrap()
        );
    }

    #[test]
    fn ip_uris_resolve_and_domains_do_not() {
        let uri = Uri::parse("sip:1002@10.0.0.2:5062").unwrap();
        assert_eq!(resolve(&uri), Some("10.0.0.2:5062".parse().unwrap()));
        let uri = Uri::parse("sip:1002@pbx.example.com").unwrap();
        assert_eq!(resolve(&uri), None);
        let uri = Uri::parse("sip:pbx.example.com;maddr=10.0.0.9;lr").unwrap();
        assert_eq!(resolve(&uri), Some("10.0.0.9:5060".parse().unwrap()));
    }
}
