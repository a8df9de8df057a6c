//! The data types of the SIP message model (RFC 3261 §7, §19, §20, §25).
//!
//! Parsing lives in `parse`, writing in `write`; this module only holds the
//! types and their small accessors.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// A SIP request method (RFC 3261 §7.1 and the extension RFCs).
///
/// Method names are case-sensitive (RFC 3261 §7.1): `invite` is not `INVITE`
/// and parses as [`Method::Other`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Method {
    /// INVITE (RFC 3261).
    Invite,
    /// ACK (RFC 3261).
    Ack,
    /// BYE (RFC 3261).
    Bye,
    /// CANCEL (RFC 3261).
    Cancel,
    /// REGISTER (RFC 3261).
    Register,
    /// OPTIONS (RFC 3261).
    Options,
    /// INFO (RFC 6086).
    Info,
    /// REFER (RFC 3515).
    Refer,
    /// NOTIFY (RFC 6665).
    Notify,
    /// SUBSCRIBE (RFC 6665).
    Subscribe,
    /// PRACK (RFC 3262).
    Prack,
    /// UPDATE (RFC 3311).
    Update,
    /// MESSAGE (RFC 3428).
    Message,
    /// PUBLISH (RFC 3903).
    Publish,
    /// Any other method token, exactly as received.
    Other(String),
}

impl Method {
    /// The method token as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Invite => "INVITE",
            Method::Ack => "ACK",
            Method::Bye => "BYE",
            Method::Cancel => "CANCEL",
            Method::Register => "REGISTER",
            Method::Options => "OPTIONS",
            Method::Info => "INFO",
            Method::Refer => "REFER",
            Method::Notify => "NOTIFY",
            Method::Subscribe => "SUBSCRIBE",
            Method::Prack => "PRACK",
            Method::Update => "UPDATE",
            Method::Message => "MESSAGE",
            Method::Publish => "PUBLISH",
            Method::Other(s) => s,
        }
    }

    /// Map a method token to a `Method`; case-sensitive per RFC 3261 §7.1.
    /// Anything unknown becomes [`Method::Other`] (no validation here; the
    /// message parser checks the token characters).
    pub fn parse(s: &str) -> Method {
        match s {
            "INVITE" => Method::Invite,
            "ACK" => Method::Ack,
            "BYE" => Method::Bye,
            "CANCEL" => Method::Cancel,
            "REGISTER" => Method::Register,
            "OPTIONS" => Method::Options,
            "INFO" => Method::Info,
            "REFER" => Method::Refer,
            "NOTIFY" => Method::Notify,
            "SUBSCRIBE" => Method::Subscribe,
            "PRACK" => Method::Prack,
            "UPDATE" => Method::Update,
            "MESSAGE" => Method::Message,
            "PUBLISH" => Method::Publish,
            other => Method::Other(other.to_owned()),
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A SIP response status code (RFC 3261 §21), 100..=699 on the wire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusCode(pub u16);

impl StatusCode {
    /// 100 Trying (§21.1.1).
    pub const TRYING: StatusCode = StatusCode(100);
    /// 180 Ringing (§21.1.2).
    pub const RINGING: StatusCode = StatusCode(180);
    /// 183 Session Progress (§21.1.5).
    pub const SESSION_PROGRESS: StatusCode = StatusCode(183);
    /// 200 OK (§21.2.1).
    pub const OK: StatusCode = StatusCode(200);
    /// 400 Bad Request (§21.4.1).
    pub const BAD_REQUEST: StatusCode = StatusCode(400);
    /// 401 Unauthorized (§21.4.2).
    pub const UNAUTHORIZED: StatusCode = StatusCode(401);
    /// 403 Forbidden (§21.4.4).
    pub const FORBIDDEN: StatusCode = StatusCode(403);
    /// 404 Not Found (§21.4.5).
    pub const NOT_FOUND: StatusCode = StatusCode(404);
    /// 405 Method Not Allowed (§21.4.6).
    pub const METHOD_NOT_ALLOWED: StatusCode = StatusCode(405);
    /// 407 Proxy Authentication Required (§21.4.8).
    pub const PROXY_AUTH_REQUIRED: StatusCode = StatusCode(407);
    /// 408 Request Timeout (§21.4.9).
    pub const REQUEST_TIMEOUT: StatusCode = StatusCode(408);
    /// 415 Unsupported Media Type (§21.4.13).
    pub const UNSUPPORTED_MEDIA_TYPE: StatusCode = StatusCode(415);
    /// 420 Bad Extension (§21.4.15).
    pub const BAD_EXTENSION: StatusCode = StatusCode(420);
    /// 423 Interval Too Brief (§21.4.17).
    pub const INTERVAL_TOO_BRIEF: StatusCode = StatusCode(423);
    /// 480 Temporarily Unavailable (§21.4.18).
    pub const TEMPORARILY_UNAVAILABLE: StatusCode = StatusCode(480);
    /// 481 Call/Transaction Does Not Exist (§21.4.19).
    pub const CALL_DOES_NOT_EXIST: StatusCode = StatusCode(481);
    /// 486 Busy Here (§21.4.24).
    pub const BUSY_HERE: StatusCode = StatusCode(486);
    /// 487 Request Terminated (§21.4.25).
    pub const REQUEST_TERMINATED: StatusCode = StatusCode(487);
    /// 488 Not Acceptable Here (§21.4.26).
    pub const NOT_ACCEPTABLE_HERE: StatusCode = StatusCode(488);
    /// 491 Request Pending (§21.4.27).
    pub const REQUEST_PENDING: StatusCode = StatusCode(491);
    /// 500 Server Internal Error (§21.5.1).
    pub const SERVER_INTERNAL_ERROR: StatusCode = StatusCode(500);
    /// 501 Not Implemented (§21.5.2).
    pub const NOT_IMPLEMENTED: StatusCode = StatusCode(501);
    /// 503 Service Unavailable (§21.5.4).
    pub const SERVICE_UNAVAILABLE: StatusCode = StatusCode(503);
    /// 603 Decline (§21.6.2).
    pub const DECLINE: StatusCode = StatusCode(603);

    /// The reason phrase RFC 3261 §21 (and the extension RFCs) give for this
    /// code; for an unknown code the generic phrase of its class.
    pub fn default_reason(self) -> &'static str {
        match self.0 {
            100 => "Trying",
            180 => "Ringing",
            181 => "Call Is Being Forwarded",
            182 => "Queued",
            183 => "Session Progress",
            199 => "Early Dialog Terminated",
            200 => "OK",
            202 => "Accepted",
            204 => "No Notification",
            300 => "Multiple Choices",
            301 => "Moved Permanently",
            302 => "Moved Temporarily",
            305 => "Use Proxy",
            380 => "Alternative Service",
            400 => "Bad Request",
            401 => "Unauthorized",
            402 => "Payment Required",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            406 => "Not Acceptable",
            407 => "Proxy Authentication Required",
            408 => "Request Timeout",
            410 => "Gone",
            412 => "Conditional Request Failed",
            413 => "Request Entity Too Large",
            414 => "Request-URI Too Long",
            415 => "Unsupported Media Type",
            416 => "Unsupported URI Scheme",
            417 => "Unknown Resource-Priority",
            420 => "Bad Extension",
            421 => "Extension Required",
            422 => "Session Interval Too Small",
            423 => "Interval Too Brief",
            428 => "Use Identity Header",
            429 => "Provide Referrer Identity",
            433 => "Anonymity Disallowed",
            437 => "Unsupported Certificate",
            438 => "Invalid Identity Header",
            439 => "First Hop Lacks Outbound Support",
            440 => "Max-Breadth Exceeded",
            469 => "Bad Info Package",
            470 => "Consent Needed",
            480 => "Temporarily Unavailable",
            481 => "Call/Transaction Does Not Exist",
            482 => "Loop Detected",
            483 => "Too Many Hops",
            484 => "Address Incomplete",
            485 => "Ambiguous",
            486 => "Busy Here",
            487 => "Request Terminated",
            488 => "Not Acceptable Here",
            489 => "Bad Event",
            491 => "Request Pending",
            493 => "Undecipherable",
            494 => "Security Agreement Required",
            500 => "Server Internal Error",
            501 => "Not Implemented",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Server Time-out",
            505 => "Version Not Supported",
            513 => "Message Too Large",
            580 => "Precondition Failure",
            600 => "Busy Everywhere",
            603 => "Decline",
            604 => "Does Not Exist Anywhere",
            606 => "Not Acceptable",
            607 => "Unwanted",
            _ => match self.class() {
                1 => "Provisional",
                2 => "Success",
                3 => "Redirection",
                4 => "Client Error",
                5 => "Server Error",
                6 => "Global Failure",
                _ => "Unknown",
            },
        }
    }

    /// 1xx.
    pub fn is_provisional(self) -> bool {
        self.class() == 1
    }

    /// 2xx.
    pub fn is_success(self) -> bool {
        self.class() == 2
    }

    /// 3xx..6xx: a final response that is not a success.
    pub fn is_failure(self) -> bool {
        (3..=6).contains(&self.class())
    }

    /// 1xx-6xx: the hundreds digit (`486` -> `4`).
    pub fn class(self) -> u16 {
        self.0 / 100
    }
}

impl std::fmt::Display for StatusCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// URI scheme (RFC 3261 §19.1, RFC 3966, RFC 3986 §3.1).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `sip:`
    Sip,
    /// `sips:`
    Sips,
    /// `tel:` (RFC 3966). The number is kept in [`Uri::user`]; the host is an
    /// empty [`Host::Domain`].
    Tel,
    /// Any other scheme (`http:`, `isbn:`, `urn:`...), accepted in name-addr
    /// headers such as To, From, Contact and Alert-Info (RFC 4475 §3.3.4
    /// unksm2) but never as a Request-URI (416). The scheme name is kept as
    /// received; the rest of the URI is kept verbatim in [`Uri::user`], the
    /// host is an empty [`Host::Domain`] and there are no parameters.
    Other(String),
}

impl Scheme {
    /// The scheme name without the colon.
    pub fn as_str(&self) -> &str {
        match self {
            Scheme::Sip => "sip",
            Scheme::Sips => "sips",
            Scheme::Tel => "tel",
            Scheme::Other(s) => s,
        }
    }
}

/// A host: a domain name or an IP literal (RFC 3261 §25.1 `host`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Host {
    /// A host name, as received (case is kept; compare case-insensitively).
    Domain(String),
    /// An IPv4 address.
    Ipv4(Ipv4Addr),
    /// An IPv6 address, written as an IPv6 reference `[...]`.
    Ipv6(Ipv6Addr),
}

impl Host {
    /// The host part of a socket address.
    pub fn from_socket_addr(a: SocketAddr) -> Host {
        Host::from_ip(a.ip())
    }

    /// The host for an IP address.
    pub fn from_ip(ip: IpAddr) -> Host {
        match ip {
            IpAddr::V4(v4) => Host::Ipv4(v4),
            IpAddr::V6(v6) => Host::Ipv6(v6),
        }
    }

    /// The IP address, if this host is an IP literal.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Host::Domain(_) => None,
            Host::Ipv4(a) => Some(IpAddr::V4(*a)),
            Host::Ipv6(a) => Some(IpAddr::V6(*a)),
        }
    }
}

/// A `;name` or `;name=value` parameter, or a `name=value` URI header.
///
/// Names and values are kept as written: a quoted value keeps its quotes and
/// escapes, a URI parameter keeps its `%`-escapes. Names compare
/// case-insensitively through the `param` accessors.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Param {
    /// Parameter name.
    pub name: String,
    /// Parameter value, `None` for a flag parameter such as `;lr`.
    pub value: Option<String>,
}

impl Param {
    /// A parameter with a value.
    pub fn new(name: &str, value: Option<&str>) -> Param {
        Param {
            name: name.to_owned(),
            value: value.map(str::to_owned),
        }
    }
}

/// Find a parameter by case-insensitive name.
pub(crate) fn find_param<'a>(params: &'a [Param], name: &str) -> Option<Option<&'a str>> {
    params
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
        .map(|p| p.value.as_deref())
}

/// Set (replace or append) a parameter by case-insensitive name.
pub(crate) fn set_param(params: &mut Vec<Param>, name: &str, value: Option<&str>) {
    match params.iter_mut().find(|p| p.name.eq_ignore_ascii_case(name)) {
        Some(p) => p.value = value.map(str::to_owned),
        None => params.push(Param::new(name, value)),
    }
}

/// A SIP, SIPS or tel URI (RFC 3261 §19.1, RFC 3966).
///
/// `user` and `password` hold the unescaped text (`%41` becomes `A`); the
/// writer escapes again whatever RFC 3261 §25.1 does not allow literally.
/// Parameters and headers are kept as written (see [`Param`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Uri {
    /// `sip`, `sips` or `tel`.
    pub scheme: Scheme,
    /// User part (unescaped); for `tel:` the telephone number.
    pub user: Option<String>,
    /// Password (unescaped), deprecated but legal (RFC 3261 §19.1.1).
    pub password: Option<String>,
    /// Host; an empty domain for `tel:` URIs.
    pub host: Host,
    /// Port, if given.
    pub port: Option<u16>,
    /// `;name=value` URI parameters, in order.
    pub params: Vec<Param>,
    /// `?name=value&...` URI headers, in order.
    pub headers: Vec<Param>,
}

impl Uri {
    /// Parse a URI (an addr-spec such as `sip:alice@example.com;transport=udp`).
    pub fn parse(s: &str) -> Result<Uri, crate::Error> {
        super::parse::parse_uri_str(s)
    }

    /// A URI parameter by case-insensitive name: `None` if absent,
    /// `Some(None)` for a flag such as `;lr`.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        find_param(&self.params, name)
    }

    /// A `sip:` URI with no parameters.
    pub fn sip(user: Option<&str>, host: Host, port: Option<u16>) -> Uri {
        Uri {
            scheme: Scheme::Sip,
            user: user.map(str::to_owned),
            password: None,
            host,
            port,
            params: Vec::new(),
            headers: Vec::new(),
        }
    }
}

/// An address with optional display name and header parameters: the value of
/// From, To, Contact, Route and Record-Route (RFC 3261 §20.10, §25.1
/// `name-addr` / `addr-spec`).
///
/// `display_name` holds the unquoted, unescaped text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameAddr {
    /// Display name, unquoted.
    pub display_name: Option<String>,
    /// The address.
    pub uri: Uri,
    /// Header parameters after the address (`tag`, `expires`, `q`, ...).
    pub params: Vec<Param>,
}

impl NameAddr {
    /// An address without display name or parameters.
    pub fn new(uri: Uri) -> NameAddr {
        NameAddr {
            display_name: None,
            uri,
            params: Vec::new(),
        }
    }

    /// The `tag` parameter (RFC 3261 §19.3).
    pub fn tag(&self) -> Option<&str> {
        self.param("tag").flatten()
    }

    /// Set or replace the `tag` parameter.
    pub fn set_tag(&mut self, tag: &str) {
        set_param(&mut self.params, "tag", Some(tag));
    }

    /// A header parameter by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        find_param(&self.params, name)
    }
}

/// Via transport (RFC 3261 §20.42, RFC 4168, RFC 7118).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transport {
    /// UDP.
    Udp,
    /// TCP.
    Tcp,
    /// TLS.
    Tls,
    /// SCTP (RFC 4168).
    Sctp,
    /// WebSocket (RFC 7118).
    Ws,
    /// Secure WebSocket (RFC 7118).
    Wss,
    /// Any other transport token, as received.
    Other(String),
}

impl Transport {
    /// The transport token as written in a Via (upper case for the known ones).
    pub fn as_str(&self) -> &str {
        match self {
            Transport::Udp => "UDP",
            Transport::Tcp => "TCP",
            Transport::Tls => "TLS",
            Transport::Sctp => "SCTP",
            Transport::Ws => "WS",
            Transport::Wss => "WSS",
            Transport::Other(s) => s,
        }
    }

    /// Map a token (case-insensitive) to a transport.
    pub fn parse(s: &str) -> Transport {
        const KNOWN: [(&str, Transport); 6] = [
            ("UDP", Transport::Udp),
            ("TCP", Transport::Tcp),
            ("TLS", Transport::Tls),
            ("SCTP", Transport::Sctp),
            ("WS", Transport::Ws),
            ("WSS", Transport::Wss),
        ];
        KNOWN
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s))
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| Transport::Other(s.to_owned()))
    }
}

/// One Via value: `SIP/2.0/UDP host:port;branch=...` (RFC 3261 §20.42).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Via {
    /// Transport of the hop.
    pub transport: Transport,
    /// sent-by host.
    pub host: Host,
    /// sent-by port.
    pub port: Option<u16>,
    /// Via parameters (`branch`, `received`, `rport`, `maddr`, `ttl`, ...).
    pub params: Vec<Param>,
}

impl Via {
    /// The `branch` parameter (RFC 3261 §8.1.1.7).
    pub fn branch(&self) -> Option<&str> {
        self.param("branch").flatten()
    }

    /// The `received` parameter (RFC 3261 §18.2.1).
    pub fn received(&self) -> Option<&str> {
        self.param("received").flatten()
    }

    /// The `rport` parameter (RFC 3581): `None` absent, `Some(None)` empty,
    /// `Some(Some(port))` filled in. A non-numeric value counts as empty.
    pub fn rport(&self) -> Option<Option<u16>> {
        self.param("rport").map(|v| v.and_then(|s| s.parse().ok()))
    }

    /// A parameter by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        find_param(&self.params, name)
    }

    /// Set or replace a parameter.
    pub fn set_param(&mut self, name: &str, value: Option<&str>) {
        set_param(&mut self.params, name, value);
    }
}

/// CSeq value (RFC 3261 §20.16).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CSeq {
    /// Sequence number.
    pub seq: u32,
    /// Method.
    pub method: Method,
}

/// The value of one Contact header line (RFC 3261 §20.10).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Contact {
    /// `Contact: *` (only in a REGISTER with `Expires: 0`).
    Star,
    /// One or more addresses.
    Addresses(Vec<NameAddr>),
}

/// A media type such as `application/sdp` (RFC 3261 §20.15).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaType {
    /// Top-level type (`application`).
    pub kind: String,
    /// Subtype (`sdp`).
    pub subtype: String,
    /// Parameters (`charset=...`), kept as written.
    pub params: Vec<Param>,
}

impl MediaType {
    /// A type without parameters.
    pub fn new(kind: &str, subtype: &str) -> MediaType {
        MediaType {
            kind: kind.to_owned(),
            subtype: subtype.to_owned(),
            params: Vec::new(),
        }
    }

    /// True for `type/subtype` compared case-insensitively.
    pub fn is(&self, kind: &str, subtype: &str) -> bool {
        self.kind.eq_ignore_ascii_case(kind) && self.subtype.eq_ignore_ascii_case(subtype)
    }
}

/// Digest algorithm (RFC 2617 §3.2.1, RFC 7616 §3.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DigestAlgorithm {
    /// MD5 (the default when absent).
    Md5,
    /// MD5-sess.
    Md5Sess,
    /// SHA-256 (RFC 7616).
    Sha256,
    /// SHA-256-sess (RFC 7616).
    Sha256Sess,
    /// Anything else. The parser keeps the original token in the `other`
    /// parameters of the challenge or credentials under the name `algorithm`.
    Other,
}

impl DigestAlgorithm {
    /// The token for a known algorithm; `None` for [`DigestAlgorithm::Other`].
    pub fn as_str(self) -> Option<&'static str> {
        match self {
            DigestAlgorithm::Md5 => Some("MD5"),
            DigestAlgorithm::Md5Sess => Some("MD5-sess"),
            DigestAlgorithm::Sha256 => Some("SHA-256"),
            DigestAlgorithm::Sha256Sess => Some("SHA-256-sess"),
            DigestAlgorithm::Other => None,
        }
    }

    /// Map a token (case-insensitive) to an algorithm.
    pub fn parse(s: &str) -> DigestAlgorithm {
        [
            DigestAlgorithm::Md5,
            DigestAlgorithm::Md5Sess,
            DigestAlgorithm::Sha256,
            DigestAlgorithm::Sha256Sess,
        ]
        .into_iter()
        .find(|a| a.as_str().is_some_and(|n| n.eq_ignore_ascii_case(s)))
        .unwrap_or(DigestAlgorithm::Other)
    }
}

/// A `Digest` challenge from WWW-Authenticate or Proxy-Authenticate
/// (RFC 3261 §20.44, §22.4; RFC 2617 §3.2.1; RFC 7616 §3.3).
///
/// String fields hold unquoted text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// Protection space.
    pub realm: String,
    /// Server nonce.
    pub nonce: String,
    /// Opaque string to be returned unchanged.
    pub opaque: Option<String>,
    /// Algorithm; `None` means MD5.
    pub algorithm: Option<DigestAlgorithm>,
    /// Offered qop values (`auth`, `auth-int`), empty when absent.
    pub qop: Vec<String>,
    /// `stale=true`: the nonce expired, the password was right.
    pub stale: bool,
    /// `domain` list, as a single unquoted string.
    pub domain: Option<String>,
    /// Other parameters, values kept as written (quoted ones with quotes).
    pub other: Vec<Param>,
}

impl Challenge {
    /// Parse the value of a WWW-Authenticate or Proxy-Authenticate header
    /// (`Digest realm="...", nonce="..."...`). A scheme other than Digest, or
    /// a Digest challenge without realm or nonce, is an error.
    pub fn parse(value: &str) -> Result<Challenge, crate::Error> {
        let bad = |reason: String| crate::Error::BadHeader {
            name: "WWW-Authenticate",
            reason,
        };
        match super::parse::challenge(value) {
            Ok(Some(c)) => Ok(c),
            Ok(None) => Err(bad("not a Digest challenge".to_owned())),
            Err(reason) => Err(bad(reason)),
        }
    }
}

/// `Digest` credentials in Authorization or Proxy-Authorization
/// (RFC 3261 §20.7, §22.4; RFC 2617 §3.2.2).
///
/// String fields hold unquoted text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credentials {
    /// User name.
    pub username: String,
    /// Realm of the challenge.
    pub realm: String,
    /// Nonce of the challenge.
    pub nonce: String,
    /// digest-uri: the Request-URI as sent.
    pub uri: String,
    /// request-digest, lowercase hex.
    pub response: String,
    /// Algorithm; `None` means MD5.
    pub algorithm: Option<DigestAlgorithm>,
    /// Client nonce (with qop).
    pub cnonce: Option<String>,
    /// Opaque string from the challenge.
    pub opaque: Option<String>,
    /// Chosen qop (`auth`).
    pub qop: Option<String>,
    /// Nonce count, written as 8 hex digits.
    pub nc: Option<u32>,
    /// Other parameters, values kept as written (quoted ones with quotes).
    pub other: Vec<Param>,
}

/// A token with `;name=value` parameters: the value of Event (RFC 6665
/// §8.2.1), Subscription-State (§8.2.3), Content-Disposition (RFC 3261
/// §20.11) and similar headers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenParams {
    /// The leading token (`message-summary`, `active`, `session`...).
    pub value: String,
    /// Parameters in order, values kept as written.
    pub params: Vec<Param>,
}

impl TokenParams {
    /// A token without parameters.
    pub fn new(value: &str) -> TokenParams {
        TokenParams {
            value: value.to_owned(),
            params: Vec::new(),
        }
    }

    /// A parameter by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        find_param(&self.params, name)
    }
}

/// A number of seconds with parameters: Session-Expires and Min-SE
/// (RFC 4028 §4, §5), Retry-After (RFC 3261 §20.33).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeltaSeconds {
    /// The delta-seconds value.
    pub seconds: u32,
    /// A comment in parentheses (Retry-After only), without the parentheses.
    pub comment: Option<String>,
    /// Parameters (`refresher=uac`, `duration=3600`...), values kept as written.
    pub params: Vec<Param>,
}

impl DeltaSeconds {
    /// A value without comment or parameters.
    pub fn new(seconds: u32) -> DeltaSeconds {
        DeltaSeconds {
            seconds,
            comment: None,
            params: Vec::new(),
        }
    }

    /// A parameter by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        find_param(&self.params, name)
    }

    /// The Session-Expires `refresher` parameter (`uac` or `uas`, RFC 4028 §4).
    pub fn refresher(&self) -> Option<&str> {
        self.param("refresher").flatten()
    }
}

/// The value of Replaces (RFC 3891 §6.1): the dialog to replace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Replaces {
    /// Call-ID of the dialog.
    pub call_id: String,
    /// Parameters: `to-tag`, `from-tag`, `early-only`, others.
    pub params: Vec<Param>,
}

impl Replaces {
    /// The `to-tag` parameter.
    pub fn to_tag(&self) -> Option<&str> {
        find_param(&self.params, "to-tag").flatten()
    }

    /// The `from-tag` parameter.
    pub fn from_tag(&self) -> Option<&str> {
        find_param(&self.params, "from-tag").flatten()
    }

    /// True with the `early-only` flag.
    pub fn early_only(&self) -> bool {
        find_param(&self.params, "early-only").is_some()
    }
}

/// One `<absoluteURI>;params` element of Alert-Info or Call-Info (RFC 3261
/// §20.4, §20.9). The URI may have any scheme (`http:`, `urn:alert:...`,
/// `sip:`), so it is kept as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InfoUri {
    /// The URI between the angle brackets.
    pub uri: String,
    /// Parameters after `>` (`answer-after=0`, `purpose=icon`, `info=...`).
    pub params: Vec<Param>,
}

impl InfoUri {
    /// A parameter by case-insensitive name.
    pub fn param(&self, name: &str) -> Option<Option<&str>> {
        find_param(&self.params, name)
    }
}

/// RAck value (RFC 3262 §7.2): the reliable provisional response acknowledged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RAck {
    /// RSeq of the provisional response.
    pub rseq: u32,
    /// CSeq number of the request it answered.
    pub cseq: u32,
    /// Method of that request.
    pub method: Method,
}

/// One Reason value (RFC 3326 §2): `Q.850;cause=16;text="..."`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// Protocol: `SIP`, `Q.850` or another token.
    pub protocol: String,
    /// Parameters (`cause`, `text`), values kept as written.
    pub params: Vec<Param>,
}

impl Reason {
    /// The `cause` parameter as a number.
    pub fn cause(&self) -> Option<u16> {
        find_param(&self.params, "cause")
            .flatten()
            .and_then(|c| c.parse().ok())
    }

    /// The `text` parameter, unquoted.
    pub fn text(&self) -> Option<String> {
        let raw = find_param(&self.params, "text").flatten()?;
        Some(super::parse::unquote(raw))
    }
}

impl Credentials {
    /// Parse the value of an Authorization or Proxy-Authorization header
    /// (`Digest username="...", ...`). A scheme other than Digest, or
    /// credentials missing a mandatory parameter, is an error.
    pub fn parse(value: &str) -> Result<Credentials, crate::Error> {
        let bad = |reason: String| crate::Error::BadHeader {
            name: "Authorization",
            reason,
        };
        match super::parse::credentials(value) {
            Ok(Some(c)) => Ok(c),
            Ok(None) => Err(bad("not Digest credentials".to_owned())),
            Err(reason) => Err(bad(reason)),
        }
    }
}

/// One header field. Typed variants for what a UA acts on; everything else is
/// kept in [`Header::Other`].
///
/// The core headers (Via, From, To, Contact, Call-ID, CSeq, Max-Forwards,
/// Expires, Min-Expires, Route, Record-Route, Content-Type, Content-Length,
/// the authentication headers, Allow, Supported, Require) are strict: a value
/// that does not parse makes the message malformed (400). The extension
/// headers typed here (Event, Refer-To, Alert-Info, Session-Expires, RAck,
/// Reason...) are lenient: a value that does not follow their grammar is
/// kept verbatim as [`Header::Other`] under its canonical name, so one odd
/// vendor header never costs a call.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Header {
    /// Via (one value; a comma-separated line gives several entries).
    Via(Via),
    /// From.
    From(NameAddr),
    /// To.
    To(NameAddr),
    /// Contact (one header line).
    Contact(Contact),
    /// Call-ID.
    CallId(String),
    /// CSeq.
    CSeq(CSeq),
    /// Max-Forwards (0..=255).
    MaxForwards(u32),
    /// Expires, in seconds.
    Expires(u32),
    /// Min-Expires, in seconds.
    MinExpires(u32),
    /// Route (one header line).
    Route(Vec<NameAddr>),
    /// Record-Route (one header line).
    RecordRoute(Vec<NameAddr>),
    /// Content-Type.
    ContentType(MediaType),
    /// Content-Length. The parser consumes it for framing and does not keep
    /// it; the writer ignores it and writes the body length itself.
    ContentLength(usize),
    /// WWW-Authenticate with a Digest challenge.
    WwwAuthenticate(Challenge),
    /// Proxy-Authenticate with a Digest challenge.
    ProxyAuthenticate(Challenge),
    /// Authorization with Digest credentials.
    Authorization(Credentials),
    /// Proxy-Authorization with Digest credentials.
    ProxyAuthorization(Credentials),
    /// Allow (one header line).
    Allow(Vec<Method>),
    /// Supported option tags (one header line).
    Supported(Vec<String>),
    /// Require option tags (one header line).
    Require(Vec<String>),
    /// User-Agent, verbatim.
    UserAgent(String),
    /// Server, verbatim.
    Server(String),
    /// Unsupported option tags (RFC 3261 §20.40).
    Unsupported(Vec<String>),
    /// Proxy-Require option tags (RFC 3261 §20.29).
    ProxyRequire(Vec<String>),
    /// Event (RFC 6665 §8.2.1; compact `o`).
    Event(TokenParams),
    /// Subscription-State (RFC 6665 §8.2.3).
    SubscriptionState(TokenParams),
    /// Refer-To (RFC 3515 §2.1; compact `r`).
    ReferTo(NameAddr),
    /// Referred-By (RFC 3892 §3; compact `b`).
    ReferredBy(NameAddr),
    /// Replaces (RFC 3891 §6.1).
    Replaces(Replaces),
    /// Alert-Info (RFC 3261 §20.4), one header line.
    AlertInfo(Vec<InfoUri>),
    /// Call-Info (RFC 3261 §20.9), one header line.
    CallInfo(Vec<InfoUri>),
    /// Session-Expires (RFC 4028 §4; compact `x`).
    SessionExpires(DeltaSeconds),
    /// Min-SE (RFC 4028 §5).
    MinSe(DeltaSeconds),
    /// Retry-After (RFC 3261 §20.33).
    RetryAfter(DeltaSeconds),
    /// RSeq (RFC 3262 §7.1).
    RSeq(u32),
    /// RAck (RFC 3262 §7.2).
    RAck(RAck),
    /// P-Asserted-Identity (RFC 3325 §9.1), one header line.
    PAssertedIdentity(Vec<NameAddr>),
    /// Privacy values (RFC 3323 §4.2: `id`, `header`, `user`, `none`...).
    Privacy(Vec<String>),
    /// Reason (RFC 3326 §2), one header line.
    Reason(Vec<Reason>),
    /// Content-Disposition (RFC 3261 §20.11).
    ContentDisposition(TokenParams),
    /// Content-Encoding codings (RFC 3261 §20.12; compact `e`).
    ContentEncoding(Vec<String>),
    /// Content-Language tags (RFC 3261 §20.13).
    ContentLanguage(Vec<String>),
    /// Any other header, kept verbatim (name as received, value with folding removed).
    Other {
        /// Header name as received (compact forms of unknown headers expanded).
        name: String,
        /// Value with line folding replaced by single spaces, trimmed.
        value: String,
    },
}

impl Header {
    /// Canonical long name ("Call-ID", "CSeq", "WWW-Authenticate", ...); for
    /// [`Header::Other`] the name as received.
    pub fn name(&self) -> &str {
        match self {
            Header::Via(_) => "Via",
            Header::From(_) => "From",
            Header::To(_) => "To",
            Header::Contact(_) => "Contact",
            Header::CallId(_) => "Call-ID",
            Header::CSeq(_) => "CSeq",
            Header::MaxForwards(_) => "Max-Forwards",
            Header::Expires(_) => "Expires",
            Header::MinExpires(_) => "Min-Expires",
            Header::Route(_) => "Route",
            Header::RecordRoute(_) => "Record-Route",
            Header::ContentType(_) => "Content-Type",
            Header::ContentLength(_) => "Content-Length",
            Header::WwwAuthenticate(_) => "WWW-Authenticate",
            Header::ProxyAuthenticate(_) => "Proxy-Authenticate",
            Header::Authorization(_) => "Authorization",
            Header::ProxyAuthorization(_) => "Proxy-Authorization",
            Header::Allow(_) => "Allow",
            Header::Supported(_) => "Supported",
            Header::Require(_) => "Require",
            Header::UserAgent(_) => "User-Agent",
            Header::Server(_) => "Server",
            Header::Unsupported(_) => "Unsupported",
            Header::ProxyRequire(_) => "Proxy-Require",
            Header::Event(_) => "Event",
            Header::SubscriptionState(_) => "Subscription-State",
            Header::ReferTo(_) => "Refer-To",
            Header::ReferredBy(_) => "Referred-By",
            Header::Replaces(_) => "Replaces",
            Header::AlertInfo(_) => "Alert-Info",
            Header::CallInfo(_) => "Call-Info",
            Header::SessionExpires(_) => "Session-Expires",
            Header::MinSe(_) => "Min-SE",
            Header::RetryAfter(_) => "Retry-After",
            Header::RSeq(_) => "RSeq",
            Header::RAck(_) => "RAck",
            Header::PAssertedIdentity(_) => "P-Asserted-Identity",
            Header::Privacy(_) => "Privacy",
            Header::Reason(_) => "Reason",
            Header::ContentDisposition(_) => "Content-Disposition",
            Header::ContentEncoding(_) => "Content-Encoding",
            Header::ContentLanguage(_) => "Content-Language",
            Header::Other { name, .. } => name,
        }
    }
}

/// Ordered header list. A comma-combined Via line becomes several
/// [`Header::Via`] entries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Headers(pub Vec<Header>);

/// A SIP request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// Method of the request line.
    pub method: Method,
    /// Request-URI.
    pub uri: Uri,
    /// Headers in order.
    pub headers: Headers,
    /// Body octets (exactly Content-Length of them when parsed).
    pub body: Vec<u8>,
}

/// A SIP response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// Status code.
    pub status: StatusCode,
    /// Reason phrase (may be empty, may be UTF-8).
    pub reason: String,
    /// Headers in order.
    pub headers: Headers,
    /// Body octets.
    pub body: Vec<u8>,
}

/// A SIP request or response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A response.
    Response(Response),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names_are_case_sensitive() {
        assert_eq!(Method::parse("INVITE"), Method::Invite);
        assert_eq!(Method::parse("invite"), Method::Other("invite".into()));
        assert_eq!(Method::parse("PRACK").as_str(), "PRACK");
    }

    #[test]
    fn status_code_classes_and_reasons() {
        assert!(StatusCode::RINGING.is_provisional());
        assert!(StatusCode::OK.is_success());
        assert!(StatusCode::BUSY_HERE.is_failure());
        assert_eq!(StatusCode::DECLINE.class(), 6);
        assert_eq!(
            StatusCode::REQUEST_TERMINATED.default_reason(),
            "Request Terminated"
        );
        assert_eq!(StatusCode(499).default_reason(), "Client Error");
    }

    #[test]
    fn transport_and_algorithm_tokens_are_case_insensitive() {
        assert_eq!(Transport::parse("udp"), Transport::Udp);
        assert_eq!(Transport::parse("Wss"), Transport::Wss);
        assert_eq!(Transport::parse("quic"), Transport::Other("quic".into()));
        assert_eq!(DigestAlgorithm::parse("md5-SESS"), DigestAlgorithm::Md5Sess);
        assert_eq!(DigestAlgorithm::parse("SHA-512-256"), DigestAlgorithm::Other);
    }

    #[test]
    fn set_tag_replaces_an_existing_tag() {
        let mut a = NameAddr::new(Uri::sip(Some("a"), Host::Domain("example.com".into()), None));
        a.set_tag("x");
        a.set_tag("y");
        assert_eq!(a.tag(), Some("y"));
        assert_eq!(a.params.len(), 1);
    }
}
