//! nom parser for SIP messages (RFC 3261 §7 and the §25 ABNF, for what a UA
//! meets).
//!
//! The message is first cut into its start line, unfolded header lines and
//! body by hand (framing needs the octet positions); each line is then parsed
//! with nom combinators on `&str`.

use std::net::{Ipv4Addr, Ipv6Addr};

use nom::{
    IResult,
    branch::alt,
    bytes::complete::{tag, tag_no_case, take_while, take_while1},
    character::complete::{char, digit1},
    combinator::{all_consuming, map, map_res, opt, recognize},
    multi::many0,
    sequence::{pair, preceded, terminated, tuple},
};

use super::types::*;
use crate::error::{Error, MAX_MESSAGE_SIZE};

type PResult<'a, T> = IResult<&'a str, T>;

fn fail<T>(input: &str) -> PResult<'_, T> {
    Err(nom::Err::Error(nom::error::Error::new(
        input,
        nom::error::ErrorKind::Verify,
    )))
}

// ---------------------------------------------------------------------------
// Character classes (RFC 3261 §25.1)

/// `token` characters.
pub(crate) fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-.!%*_+`'~".contains(c)
}

/// `unreserved` = alphanum / mark.
fn is_unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-_.!~*'()".contains(c)
}

/// Characters allowed literally in the user part.
pub(crate) fn is_user_char(c: char) -> bool {
    is_unreserved(c) || "&=+$,;?/".contains(c)
}

/// Characters allowed literally in the password.
pub(crate) fn is_password_char(c: char) -> bool {
    is_unreserved(c) || "&=+$,".contains(c)
}

/// `paramchar` without escapes.
fn is_paramchar(c: char) -> bool {
    is_unreserved(c) || "[]/:&+$".contains(c)
}

/// `hname`/`hvalue` characters without escapes.
fn is_hchar(c: char) -> bool {
    is_unreserved(c) || "[]/?:+$".contains(c)
}

/// Characters of a tel: number (RFC 3966 §3) without escapes.
pub(crate) fn is_tel_char(c: char) -> bool {
    c.is_ascii_hexdigit() || "*#+-.()".contains(c)
}

fn is_ws(c: char) -> bool {
    c == ' ' || c == '\t'
}

// ---------------------------------------------------------------------------
// Small combinators

/// Optional white space (after unfolding, LWS is only SP / HTAB).
fn sws(input: &str) -> PResult<'_, &str> {
    take_while(is_ws)(input)
}

fn ws1(input: &str) -> PResult<'_, &str> {
    take_while1(is_ws)(input)
}

fn token(input: &str) -> PResult<'_, &str> {
    take_while1(is_token_char)(input)
}

/// `SWS c SWS`.
fn sep(c: char) -> impl FnMut(&str) -> PResult<'_, char> {
    move |i| {
        let (i, _) = sws(i)?;
        let (i, c) = char(c)(i)?;
        let (i, _) = sws(i)?;
        Ok((i, c))
    }
}

/// One or more characters from `allowed` or `%HH` escapes; returns the raw text.
fn escaped_run(allowed: fn(char) -> bool) -> impl Fn(&str) -> PResult<'_, &str> {
    move |input: &str| {
        let bytes = input.as_bytes();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            if b == b'%' {
                let hex = |k: usize| bytes.get(k).is_some_and(|h| h.is_ascii_hexdigit());
                if hex(i + 1) && hex(i + 2) {
                    i += 3;
                    continue;
                }
                break;
            }
            if b.is_ascii() && allowed(b as char) {
                i += 1;
            } else {
                break;
            }
        }
        if i == 0 {
            return fail(input);
        }
        Ok((&input[i..], &input[..i]))
    }
}

/// Decode `%HH` escapes. Fails when the result is not UTF-8.
pub(crate) fn unescape(s: &str) -> Option<String> {
    if !s.contains('%') {
        return Some(s.to_owned());
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hi = bytes.get(i + 1).and_then(|h| (*h as char).to_digit(16))?;
            let lo = bytes.get(i + 2).and_then(|h| (*h as char).to_digit(16))?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// A quoted-string, returned unquoted with quoted-pairs resolved
/// (RFC 3261 §25.1 `quoted-string`).
pub(crate) fn quoted_string(input: &str) -> PResult<'_, String> {
    let (rest, _) = char('"')(input)?;
    let mut out = String::new();
    let mut chars = rest.char_indices();
    loop {
        match chars.next() {
            None => return fail(input),
            Some((i, '"')) => return Ok((&rest[i + 1..], out)),
            Some((_, '\\')) => match chars.next() {
                Some((_, c)) if c != '\r' && c != '\n' => out.push(c),
                _ => return fail(input),
            },
            Some((_, c)) if c.is_control() && c != '\t' => return fail(input),
            Some((_, c)) => out.push(c),
        }
    }
}

/// A quoted-string returned as written, quotes included.
fn quoted_raw(input: &str) -> PResult<'_, &str> {
    recognize(quoted_string)(input)
}

/// `gen-value` = token / host / quoted-string, kept as written. Accepts `:`
/// too, for `received=` IPv6 addresses (RFC 3261 §20.42 allows IPv6address
/// there without brackets).
fn gen_value(input: &str) -> PResult<'_, &str> {
    alt((
        quoted_raw,
        take_while1(|c: char| is_token_char(c) || c == ':' || c == '[' || c == ']'),
    ))(input)
}

/// `generic-param` = token [ EQUAL gen-value ].
fn generic_param(input: &str) -> PResult<'_, Param> {
    map(
        pair(token, opt(preceded(sep('='), gen_value))),
        |(n, v): (&str, Option<&str>)| Param {
            name: n.to_owned(),
            value: v.map(str::to_owned),
        },
    )(input)
}

/// `*( SEMI generic-param )`.
fn header_params(input: &str) -> PResult<'_, Vec<Param>> {
    many0(preceded(sep(';'), generic_param))(input)
}

/// Parse a whole value with `p`, allowing surrounding white space.
fn whole<'a, T>(p: impl FnMut(&'a str) -> PResult<'a, T>, input: &'a str) -> Result<T, String> {
    match all_consuming(terminated(preceded(sws, p), sws))(input) {
        Ok((_, v)) => Ok(v),
        Err(nom::Err::Error(e) | nom::Err::Failure(e)) => Err(format!(
            "syntax error at {:?}",
            e.input.chars().take(24).collect::<String>()
        )),
        Err(nom::Err::Incomplete(_)) => Err("incomplete value".to_owned()),
    }
}

fn u32_value(input: &str) -> PResult<'_, u32> {
    map_res(digit1, str::parse::<u32>)(input)
}

// ---------------------------------------------------------------------------
// Hosts and URIs (RFC 3261 §19.1, §25.1; RFC 3966)

fn ipv6_reference(input: &str) -> PResult<'_, Host> {
    let (rest, _) = char('[')(input)?;
    let (rest, addr) = take_while1(|c: char| c.is_ascii_hexdigit() || c == ':' || c == '.')(rest)?;
    let (rest, _) = char(']')(rest)?;
    match addr.parse::<Ipv6Addr>() {
        Ok(a) => Ok((rest, Host::Ipv6(a))),
        Err(_) => fail(input),
    }
}

fn valid_hostname(s: &str) -> bool {
    let trimmed = s.strip_suffix('.').unwrap_or(s);
    let mut labels = trimmed.split('.');
    let all_ok = trimmed.split('.').all(|l| {
        !l.is_empty()
            && !l.starts_with('-')
            && l.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    let top_ok = labels
        .next_back()
        .and_then(|l| l.chars().next())
        .is_some_and(|c| c.is_ascii_alphabetic());
    all_ok && top_ok
}

fn hostname_or_ipv4(i: &str) -> PResult<'_, Host> {
    let (rest, name) =
        take_while1(|c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_')(i)?;
    if let Ok(a) = name.parse::<Ipv4Addr>() {
        Ok((rest, Host::Ipv4(a)))
    } else if valid_hostname(name) {
        Ok((rest, Host::Domain(name.to_owned())))
    } else {
        fail(i)
    }
}

/// `host` = hostname / IPv4address / IPv6reference.
pub(crate) fn host(input: &str) -> PResult<'_, Host> {
    alt((ipv6_reference, hostname_or_ipv4))(input)
}

fn port(input: &str) -> PResult<'_, u16> {
    preceded(char(':'), map_res(digit1, str::parse::<u16>))(input)
}

/// `;pname[=pvalue]` URI parameters, kept escaped.
fn uri_params(input: &str) -> PResult<'_, Vec<Param>> {
    many0(preceded(
        char(';'),
        map(
            pair(
                escaped_run(is_paramchar),
                opt(preceded(char('='), escaped_run(is_paramchar))),
            ),
            |(n, v): (&str, Option<&str>)| Param {
                name: n.to_owned(),
                value: v.map(str::to_owned),
            },
        ),
    ))(input)
}

/// `?hname=hvalue&...` URI headers, kept escaped.
fn uri_headers(input: &str) -> PResult<'_, Vec<Param>> {
    let one = |i| {
        map(
            pair(
                escaped_run(is_hchar),
                preceded(char('='), opt(escaped_run(is_hchar))),
            ),
            |(n, v): (&str, Option<&str>)| Param {
                name: n.to_owned(),
                value: Some(v.unwrap_or("").to_owned()),
            },
        )(i)
    };
    let (mut rest, first) = preceded(char('?'), one)(input)?;
    let mut out = vec![first];
    while let Ok((r, h)) = preceded(char('&'), one)(rest) {
        out.push(h);
        rest = r;
    }
    Ok((rest, out))
}

/// `userinfo` = user [ ":" password ] "@", unescaped.
fn userinfo(input: &str) -> PResult<'_, (String, Option<String>)> {
    let (rest, (user, password)) = terminated(
        pair(
            escaped_run(is_user_char),
            opt(preceded(char(':'), opt(escaped_run(is_password_char)))),
        ),
        char('@'),
    )(input)?;
    let Some(user) = unescape(user) else {
        return fail(input);
    };
    let password = match password {
        None => None,
        Some(p) => match unescape(p.unwrap_or("")) {
            Some(p) => Some(p),
            None => return fail(input),
        },
    };
    Ok((rest, (user, password)))
}

fn sip_uri_body(scheme: Scheme) -> impl Fn(&str) -> PResult<'_, Uri> {
    move |input: &str| {
        let (rest, ui) = opt(userinfo)(input)?;
        let (rest, host) = host(rest)?;
        let (rest, port) = opt(port)(rest)?;
        let (rest, params) = uri_params(rest)?;
        let (rest, headers) = opt(uri_headers)(rest)?;
        let (user, password) = match ui {
            Some((u, p)) => (Some(u), p),
            None => (None, None),
        };
        Ok((
            rest,
            Uri {
                scheme,
                user,
                password,
                host,
                port,
                params,
                headers: headers.unwrap_or_default(),
            },
        ))
    }
}

fn tel_uri_body(input: &str) -> PResult<'_, Uri> {
    let (rest, number) = escaped_run(is_tel_char)(input)?;
    let Some(number) = unescape(number) else {
        return fail(input);
    };
    let (rest, params) = uri_params(rest)?;
    Ok((
        rest,
        Uri {
            scheme: Scheme::Tel,
            user: Some(number),
            password: None,
            host: Host::Domain(String::new()),
            port: None,
            params,
            headers: Vec::new(),
        },
    ))
}

/// A SIP, SIPS or tel URI.
fn uri(input: &str) -> PResult<'_, Uri> {
    alt((
        preceded(tag_no_case("sips:"), sip_uri_body(Scheme::Sips)),
        preceded(tag_no_case("sip:"), sip_uri_body(Scheme::Sip)),
        preceded(tag_no_case("tel:"), tel_uri_body),
    ))(input)
}

/// The scheme of an absolute URI (`ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"`).
fn scheme_of(s: &str) -> Option<&str> {
    let (scheme, _) = s.split_once(':')?;
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))).then_some(scheme)
}

fn is_supported_scheme(s: &str) -> bool {
    ["sip", "sips", "tel"].iter().any(|k| k.eq_ignore_ascii_case(s))
}

/// Parse a complete URI (no surrounding white space).
pub(crate) fn parse_uri_str(s: &str) -> Result<Uri, Error> {
    match all_consuming(uri)(s) {
        Ok((_, u)) => Ok(u),
        Err(_) => match scheme_of(s) {
            Some(scheme) if !is_supported_scheme(scheme) => {
                Err(Error::UnsupportedUriScheme(scheme.to_owned()))
            }
            _ => Err(Error::BadUri {
                uri: s.chars().take(64).collect(),
                reason: "does not follow the sip/sips/tel URI syntax".to_owned(),
            }),
        },
    }
}

// ---------------------------------------------------------------------------
// Addresses (RFC 3261 §20.10, §25.1 name-addr / addr-spec)

/// An unquoted display name: `*(token LWS)` before `<`.
fn token_display_name(input: &str) -> PResult<'_, String> {
    let (rest, words) = recognize(pair(token, many0(pair(ws1, token))))(input)?;
    let (rest2, _) = sws(rest)?;
    if !rest2.starts_with('<') {
        return fail(input);
    }
    Ok((rest, words.split_whitespace().collect::<Vec<_>>().join(" ")))
}

/// `<` URI `>`, tolerating white space inside the brackets (RFC 4475
/// §3.1.2.14 badaspec).
fn bracketed_uri(input: &str) -> PResult<'_, Uri> {
    let (rest, _) = char('<')(input)?;
    let Some(end) = rest.find('>') else {
        return fail(input);
    };
    let inner = rest[..end].trim_matches(is_ws);
    match all_consuming(uri)(inner) {
        Ok((_, u)) => Ok((&rest[end + 1..], u)),
        Err(_) => fail(input),
    }
}

/// `[display-name] "<" URI ">"`.
fn display_and_bracketed_uri(i: &str) -> PResult<'_, (Option<String>, Uri)> {
    let (i, display) = opt(alt((
        terminated(quoted_string, sws),
        terminated(token_display_name, sws),
    )))(i)?;
    let (i, uri) = bracketed_uri(i)?;
    Ok((i, (display, uri)))
}

/// name-addr or addr-spec, then header parameters.
fn name_addr(input: &str) -> PResult<'_, NameAddr> {
    // name-addr with a display name, or just <uri>
    if let Ok((rest, (display_name, uri))) = display_and_bracketed_uri(input) {
        let (rest, params) = header_params(rest)?;
        return Ok((
            rest,
            NameAddr {
                display_name,
                uri,
                params,
            },
        ));
    }
    // addr-spec: ends at the first ';', ',' or white space and may not carry
    // URI parameters or headers (RFC 3261 §20.10)
    let (rest, spec) = take_while1(|c: char| !is_ws(c) && c != ';' && c != ',')(input)?;
    if spec.contains('?') {
        return fail(input);
    }
    let Ok((_, uri)) = all_consuming(uri)(spec) else {
        return fail(input);
    };
    let (rest, params) = header_params(rest)?;
    Ok((
        rest,
        NameAddr {
            display_name: None,
            uri,
            params,
        },
    ))
}

/// Why a name-addr value failed: names an unsupported scheme when that is the cause.
fn name_addr_error(value: &str, fallback: String) -> String {
    let v = value.trim_start_matches(|c: char| c != '<' && c != ':');
    let candidate = v.strip_prefix('<').unwrap_or(value.trim());
    match scheme_of(candidate.trim_start()) {
        Some(s) if !is_supported_scheme(s) => format!("unsupported URI scheme {s:?}"),
        _ => fallback,
    }
}

// ---------------------------------------------------------------------------
// Typed header values

fn via(input: &str) -> PResult<'_, Via> {
    let (rest, (proto, _, version, _, transport, _, host, port, params)) = tuple((
        token,
        sep('/'),
        token,
        sep('/'),
        token,
        ws1,
        host,
        opt(preceded(sep(':'), map_res(digit1, str::parse::<u16>))),
        header_params,
    ))(input)?;
    if !proto.eq_ignore_ascii_case("SIP") || version != "2.0" {
        return fail(input);
    }
    Ok((
        rest,
        Via {
            transport: Transport::parse(transport),
            host,
            port,
            params,
        },
    ))
}

fn cseq(input: &str) -> PResult<'_, CSeq> {
    map(
        tuple((u32_value, ws1, token)),
        |(seq, _, m): (u32, &str, &str)| CSeq {
            seq,
            method: Method::parse(m),
        },
    )(input)
}

fn media_type(input: &str) -> PResult<'_, MediaType> {
    map(
        tuple((
            token,
            sep('/'),
            token,
            many0(preceded(
                sep(';'),
                map(
                    tuple((token, sep('='), alt((quoted_raw, token)))),
                    |(n, _, v): (&str, char, &str)| Param {
                        name: n.to_owned(),
                        value: Some(v.to_owned()),
                    },
                ),
            )),
        )),
        |(k, _, s, params): (&str, char, &str, Vec<Param>)| MediaType {
            kind: k.to_owned(),
            subtype: s.to_owned(),
            params,
        },
    )(input)
}

/// An auth parameter value: quoted-string (unquoted) or token.
#[derive(Debug)]
struct AuthParam<'a> {
    name: &'a str,
    raw: &'a str,
    value: String,
}

fn auth_param(input: &str) -> PResult<'_, AuthParam<'_>> {
    let (rest, name) = token(input)?;
    let (rest, _) = sep('=')(rest)?;
    let (rest2, raw) = alt((
        quoted_raw,
        take_while1(|c: char| is_token_char(c) || c == ':' || c == '/' || c == '@'),
    ))(rest)?;
    let value = if raw.starts_with('"') {
        quoted_string(raw).map(|(_, v)| v)?
    } else {
        raw.to_owned()
    };
    Ok((rest2, AuthParam { name, raw, value }))
}

/// `Digest` followed by comma-separated auth-params; `None` for another scheme.
fn digest_params(input: &str) -> Result<Option<Vec<AuthParam<'_>>>, String> {
    let input = input.trim_matches(is_ws);
    let (scheme, rest) = match input.find(is_ws) {
        Some(i) => (&input[..i], &input[i..]),
        None => (input, ""),
    };
    if !scheme.eq_ignore_ascii_case("Digest") {
        if scheme.is_empty() || !scheme.chars().all(is_token_char) {
            return Err("missing auth scheme".to_owned());
        }
        return Ok(None);
    }
    let list = |i| {
        let (i, first) = preceded(sws, auth_param)(i)?;
        let (i, more) = many0(preceded(sep(','), auth_param))(i)?;
        let mut v = vec![first];
        v.extend(more);
        Ok((i, v))
    };
    whole(list, rest).map(Some)
}

fn parse_algorithm(value: &str, other: &mut Vec<Param>, raw: &str) -> DigestAlgorithm {
    let alg = DigestAlgorithm::parse(value);
    if alg == DigestAlgorithm::Other {
        other.push(Param::new("algorithm", Some(raw)));
    }
    alg
}

fn challenge(value: &str) -> Result<Option<Challenge>, String> {
    let Some(params) = digest_params(value)? else {
        return Ok(None);
    };
    let mut c = Challenge {
        realm: String::new(),
        nonce: String::new(),
        opaque: None,
        algorithm: None,
        qop: Vec::new(),
        stale: false,
        domain: None,
        other: Vec::new(),
    };
    let (mut realm, mut nonce) = (false, false);
    for p in params {
        match p.name.to_ascii_lowercase().as_str() {
            "realm" => {
                c.realm = p.value;
                realm = true;
            }
            "nonce" => {
                c.nonce = p.value;
                nonce = true;
            }
            "opaque" => c.opaque = Some(p.value),
            "domain" => c.domain = Some(p.value),
            "stale" => c.stale = p.value.eq_ignore_ascii_case("true"),
            "algorithm" => c.algorithm = Some(parse_algorithm(&p.value, &mut c.other, p.raw)),
            "qop" => {
                c.qop = p
                    .value
                    .split(',')
                    .map(|q| q.trim_matches(is_ws).to_owned())
                    .filter(|q| !q.is_empty())
                    .collect()
            }
            _ => c.other.push(Param::new(p.name, Some(p.raw))),
        }
    }
    if !realm || !nonce {
        return Err("Digest challenge without realm or nonce".to_owned());
    }
    Ok(Some(c))
}

fn credentials(value: &str) -> Result<Option<Credentials>, String> {
    let Some(params) = digest_params(value)? else {
        return Ok(None);
    };
    let mut c = Credentials {
        username: String::new(),
        realm: String::new(),
        nonce: String::new(),
        uri: String::new(),
        response: String::new(),
        algorithm: None,
        cnonce: None,
        opaque: None,
        qop: None,
        nc: None,
        other: Vec::new(),
    };
    let mut seen = [false; 5];
    for p in params {
        match p.name.to_ascii_lowercase().as_str() {
            "username" => {
                c.username = p.value;
                seen[0] = true;
            }
            "realm" => {
                c.realm = p.value;
                seen[1] = true;
            }
            "nonce" => {
                c.nonce = p.value;
                seen[2] = true;
            }
            "uri" => {
                c.uri = p.value;
                seen[3] = true;
            }
            "response" => {
                c.response = p.value;
                seen[4] = true;
            }
            "algorithm" => c.algorithm = Some(parse_algorithm(&p.value, &mut c.other, p.raw)),
            "cnonce" => c.cnonce = Some(p.value),
            "opaque" => c.opaque = Some(p.value),
            "qop" => c.qop = Some(p.value),
            "nc" => {
                if p.value.len() != 8 {
                    return Err("nc is not 8 hex digits".to_owned());
                }
                c.nc =
                    Some(u32::from_str_radix(&p.value, 16).map_err(|_| "nc is not 8 hex digits".to_owned())?);
            }
            _ => c.other.push(Param::new(p.name, Some(p.raw))),
        }
    }
    if seen.contains(&false) {
        return Err("Digest credentials need username, realm, nonce, uri and response".to_owned());
    }
    Ok(Some(c))
}

// ---------------------------------------------------------------------------
// Header names

/// The typed header kinds and where their names come from (RFC 3261 §7.3.3
/// compact forms; see also spec sip.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Via,
    From,
    To,
    Contact,
    CallId,
    CSeq,
    MaxForwards,
    Expires,
    MinExpires,
    Route,
    RecordRoute,
    ContentType,
    ContentLength,
    WwwAuthenticate,
    ProxyAuthenticate,
    Authorization,
    ProxyAuthorization,
    Allow,
    Supported,
    Require,
    UserAgent,
    Server,
}

const KINDS: [(&str, Option<char>, Kind); 22] = [
    ("Via", Some('v'), Kind::Via),
    ("From", Some('f'), Kind::From),
    ("To", Some('t'), Kind::To),
    ("Contact", Some('m'), Kind::Contact),
    ("Call-ID", Some('i'), Kind::CallId),
    ("CSeq", None, Kind::CSeq),
    ("Max-Forwards", None, Kind::MaxForwards),
    ("Expires", None, Kind::Expires),
    ("Min-Expires", None, Kind::MinExpires),
    ("Route", None, Kind::Route),
    ("Record-Route", None, Kind::RecordRoute),
    ("Content-Type", Some('c'), Kind::ContentType),
    ("Content-Length", Some('l'), Kind::ContentLength),
    ("WWW-Authenticate", None, Kind::WwwAuthenticate),
    ("Proxy-Authenticate", None, Kind::ProxyAuthenticate),
    ("Authorization", None, Kind::Authorization),
    ("Proxy-Authorization", None, Kind::ProxyAuthorization),
    ("Allow", None, Kind::Allow),
    ("Supported", Some('k'), Kind::Supported),
    ("Require", None, Kind::Require),
    ("User-Agent", None, Kind::UserAgent),
    ("Server", None, Kind::Server),
];

/// Compact forms of headers we keep as [`Header::Other`], expanded to their
/// long names (sip.md §2).
const OTHER_COMPACT: [(char, &str); 12] = [
    ('a', "Accept-Contact"),
    ('b', "Referred-By"),
    ('d', "Request-Disposition"),
    ('e', "Content-Encoding"),
    ('j', "Reject-Contact"),
    ('n', "Identity-Info"),
    ('o', "Event"),
    ('r', "Refer-To"),
    ('s', "Subject"),
    ('u', "Allow-Events"),
    ('x', "Session-Expires"),
    ('y', "Identity"),
];

fn kind_of(name: &str) -> Option<(&'static str, Kind)> {
    let compact = {
        let mut cs = name.chars();
        match (cs.next(), cs.next()) {
            (Some(c), None) => Some(c.to_ascii_lowercase()),
            _ => None,
        }
    };
    KINDS
        .iter()
        .find(|(long, short, _)| long.eq_ignore_ascii_case(name) || (compact.is_some() && *short == compact))
        .map(|(long, _, k)| (*long, *k))
}

fn expand_other_name(name: &str) -> String {
    let mut cs = name.chars();
    if let (Some(c), None) = (cs.next(), cs.next())
        && let Some((_, long)) = OTHER_COMPACT.iter().find(|(k, _)| *k == c.to_ascii_lowercase())
    {
        return (*long).to_owned();
    }
    name.to_owned()
}

/// Split a header value at commas outside quoted strings and `<...>`.
fn split_list(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut in_quotes, mut in_angle, mut escaped) = (false, false, false);
    let mut start = 0;
    for (i, c) in value.char_indices() {
        if in_quotes {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_quotes = false;
            }
            continue;
        }
        match c {
            '"' => in_quotes = true,
            '<' => in_angle = true,
            '>' => in_angle = false,
            ',' if !in_angle => {
                out.push(value[start..i].trim_matches(is_ws));
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(value[start..].trim_matches(is_ws));
    out
}

/// Parse every element of a comma-separated list with `p`.
fn list<'a, T>(
    value: &'a str,
    mut p: impl FnMut(&'a str) -> PResult<'a, T>,
    allow_empty: bool,
) -> Result<Vec<T>, String> {
    if value.trim_matches(is_ws).is_empty() {
        return if allow_empty {
            Ok(Vec::new())
        } else {
            Err("empty value".to_owned())
        };
    }
    split_list(value)
        .into_iter()
        .map(|item| {
            if item.is_empty() {
                Err("empty list element".to_owned())
            } else {
                whole(&mut p, item)
            }
        })
        .collect()
}

fn name_addr_list(value: &str) -> Result<Vec<NameAddr>, String> {
    list(value, name_addr, false).map_err(|e| name_addr_error(value, e))
}

fn single_name_addr(value: &str) -> Result<NameAddr, String> {
    whole(name_addr, value).map_err(|e| name_addr_error(value, e))
}

/// Parse one header value of a typed kind into zero or more header entries.
/// `Ok(false)`: the value is of a form the model does not type (an
/// authentication scheme other than Digest) and is to be kept verbatim.
fn typed_header(kind: Kind, value: &str, out: &mut Vec<Header>) -> Result<bool, String> {
    match kind {
        Kind::Via => out.extend(list(value, via, false)?.into_iter().map(Header::Via)),
        Kind::From => out.push(Header::From(single_name_addr(value)?)),
        Kind::To => out.push(Header::To(single_name_addr(value)?)),
        Kind::Contact => {
            if value.trim_matches(is_ws) == "*" {
                out.push(Header::Contact(Contact::Star));
            } else {
                out.push(Header::Contact(Contact::Addresses(name_addr_list(value)?)));
            }
        }
        Kind::CallId => {
            let v = value.trim_matches(is_ws);
            if v.is_empty() || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err("Call-ID must be one word".to_owned());
            }
            out.push(Header::CallId(v.to_owned()));
        }
        Kind::CSeq => out.push(Header::CSeq(whole(cseq, value)?)),
        Kind::MaxForwards => {
            let n = whole(u32_value, value)?;
            if n > 255 {
                return Err(format!("{n} exceeds 255"));
            }
            out.push(Header::MaxForwards(n));
        }
        Kind::Expires => out.push(Header::Expires(whole(u32_value, value)?)),
        Kind::MinExpires => out.push(Header::MinExpires(whole(u32_value, value)?)),
        Kind::Route => out.push(Header::Route(name_addr_list(value)?)),
        Kind::RecordRoute => out.push(Header::RecordRoute(name_addr_list(value)?)),
        Kind::ContentType => out.push(Header::ContentType(whole(media_type, value)?)),
        Kind::ContentLength => {
            let n = whole(map_res(digit1, str::parse::<usize>), value)?;
            out.push(Header::ContentLength(n));
        }
        Kind::WwwAuthenticate | Kind::ProxyAuthenticate => match challenge(value)? {
            Some(c) if kind == Kind::WwwAuthenticate => out.push(Header::WwwAuthenticate(c)),
            Some(c) => out.push(Header::ProxyAuthenticate(c)),
            None => return Ok(false),
        },
        Kind::Authorization | Kind::ProxyAuthorization => match credentials(value)? {
            Some(c) if kind == Kind::Authorization => out.push(Header::Authorization(c)),
            Some(c) => out.push(Header::ProxyAuthorization(c)),
            None => return Ok(false),
        },
        Kind::Allow => out.push(Header::Allow(list(value, map(token, Method::parse), true)?)),
        Kind::Supported => out.push(Header::Supported(list(value, map(token, str::to_owned), true)?)),
        Kind::Require => out.push(Header::Require(list(value, map(token, str::to_owned), false)?)),
        Kind::UserAgent => out.push(Header::UserAgent(value.to_owned())),
        Kind::Server => out.push(Header::Server(value.to_owned())),
    }
    Ok(true)
}

/// Parse one `name: value` header (already unfolded) into `out`. A header
/// of a typed kind whose value does not parse is an error naming the header;
/// an authentication header with a scheme other than Digest is kept as
/// [`Header::Other`] (RFC 4475 §3.3.7: such credentials are ignored).
pub(crate) fn parse_header(name: &str, value: &str, out: &mut Vec<Header>) -> Result<(), Error> {
    match kind_of(name) {
        Some((long, kind)) => match typed_header(kind, value, out) {
            Ok(true) => Ok(()),
            Ok(false) => {
                out.push(Header::Other {
                    name: long.to_owned(),
                    value: value.to_owned(),
                });
                Ok(())
            }
            Err(reason) => Err(Error::BadHeader { name: long, reason }),
        },
        None => {
            out.push(Header::Other {
                name: expand_other_name(name),
                value: value.to_owned(),
            });
            Ok(())
        }
    }
}

// ---------------------------------------------------------------------------
// Start lines

enum StartLine {
    Request(Method, Uri),
    Response(StatusCode, String),
}

/// `SIP/2.0`; another `SIP/x.y` is an unsupported version, anything else malformed.
fn check_version(v: &str) -> Result<(), Error> {
    let parsed: PResult<'_, (&str, &str, &str, &str)> =
        all_consuming(tuple((tag_no_case("SIP/"), digit1, tag("."), digit1)))(v);
    let Ok((_, (_, major, _, minor))) = parsed else {
        return Err(Error::MalformedStartLine(format!(
            "bad SIP version {:?}",
            v.chars().take(16).collect::<String>()
        )));
    };
    let (major, minor): (&str, &str) = (major, minor);
    if major.trim_start_matches('0') == "2" && minor.trim_start_matches('0').is_empty() {
        Ok(())
    } else {
        Err(Error::UnsupportedVersion(v.to_owned()))
    }
}

fn parse_start_line(line: &str) -> Result<StartLine, Error> {
    let malformed = |what: &str| Error::MalformedStartLine(what.to_owned());
    if line.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("SIP/")) {
        // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
        let (version, rest) = line
            .split_once(is_ws)
            .ok_or_else(|| malformed("no status code"))?;
        check_version(version)?;
        let rest = rest.trim_start_matches(is_ws);
        let (code, reason) = match rest.find(is_ws) {
            Some(i) => (&rest[..i], rest[i..].trim_matches(is_ws)),
            None => (rest, ""),
        };
        if code.is_empty() || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(malformed("status code is not a number"));
        }
        let n: u32 = code.parse().unwrap_or(u32::MAX);
        if code.len() != 3 || !(100..=699).contains(&n) {
            return Err(Error::BadStatusCode(n));
        }
        return Ok(StartLine::Response(StatusCode(n as u16), reason.to_owned()));
    }
    // Request-Line = Method SP Request-URI SP SIP-Version (extra SP tolerated, RFC 4475 §3.1.2.9/10)
    let parts: Vec<&str> = line.split(is_ws).filter(|p| !p.is_empty()).collect();
    let [method, ruri, version] = parts[..] else {
        return Err(malformed("request line must be method, Request-URI and version"));
    };
    if !method.chars().all(is_token_char) {
        return Err(malformed("method is not a token"));
    }
    check_version(version)?;
    let uri = match parse_uri_str(ruri) {
        Ok(u) => u,
        Err(e @ Error::UnsupportedUriScheme(_)) => return Err(e),
        Err(_) => return Err(Error::BadRequestUri(ruri.chars().take(64).collect())),
    };
    Ok(StartLine::Request(Method::parse(method), uri))
}

// ---------------------------------------------------------------------------
// Framing

/// Where the header section ends: (length of the head, start of the body).
fn find_head_end(data: &[u8]) -> Option<(usize, usize)> {
    let mut pos = 0;
    loop {
        let nl = pos + data.get(pos..)?.iter().position(|&b| b == b'\n')?;
        let line_end = if nl > pos && data.get(nl - 1) == Some(&b'\r') {
            nl - 1
        } else {
            nl
        };
        if line_end == pos {
            return Some((pos, nl + 1));
        }
        pos = nl + 1;
    }
}

fn has_bad_control(s: &str) -> bool {
    s.chars()
        .any(|c| (c.is_ascii_control() && c != '\t') || c == '\u{7f}')
}

/// Parse one message from a datagram (see [`Message::parse`]).
pub(crate) fn parse_message(data: &[u8]) -> Result<Message, Error> {
    if data.len() > MAX_MESSAGE_SIZE {
        return Err(Error::MessageTooLarge {
            size: data.len(),
            max: MAX_MESSAGE_SIZE,
        });
    }
    // RFC 3261 §7.5: ignore CRLFs before the start line
    let skip = data
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .ok_or_else(|| Error::MalformedStartLine("empty message".to_owned()))?;
    let data = data.get(skip..).unwrap_or_default();
    let (head_len, body_start) = find_head_end(data).ok_or(Error::UnterminatedHeaders)?;
    let head_bytes = data.get(..head_len).unwrap_or_default();
    let head = std::str::from_utf8(head_bytes).map_err(|e| {
        let line = 1 + head_bytes
            .iter()
            .take(e.valid_up_to())
            .filter(|&&b| b == b'\n')
            .count();
        if line == 1 {
            Error::MalformedStartLine("not UTF-8".to_owned())
        } else {
            Error::MalformedHeaderLine { line }
        }
    })?;
    let mut lines = head
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .filter(|(_, l)| !l.is_empty());
    let (_, first) = lines
        .next()
        .ok_or_else(|| Error::MalformedStartLine("empty message".to_owned()))?;
    if has_bad_control(first) {
        return Err(Error::MalformedStartLine(
            "control character in start line".to_owned(),
        ));
    }
    let start = parse_start_line(first)?;

    // Unfold: a line starting with SP/HT continues the previous header (RFC 3261 §7.3.1)
    let mut logical: Vec<(usize, String)> = Vec::new();
    for (idx, line) in lines {
        let line_no = idx + 1;
        // Control characters may appear escaped in quoted strings (RFC 4475
        // §3.1.1.2); the value parsers reject them elsewhere. A bare CR never.
        if line.contains('\r') {
            return Err(Error::MalformedHeaderLine { line: line_no });
        }
        if line.starts_with(is_ws) {
            let Some((_, prev)) = logical.last_mut() else {
                return Err(Error::MalformedHeaderLine { line: line_no });
            };
            let cont = line.trim_matches(is_ws);
            if !cont.is_empty() {
                let kept = prev.trim_end_matches(is_ws).len();
                prev.truncate(kept);
                prev.push(' ');
                prev.push_str(cont);
            }
        } else {
            logical.push((line_no, line.to_owned()));
        }
    }

    let mut headers = Vec::with_capacity(logical.len() + 2);
    let mut content_length: Option<usize> = None;
    let mut singles = [0u8; 6];
    for (line_no, text) in &logical {
        let Some((name, value)) = text.split_once(':') else {
            return Err(Error::MalformedHeaderLine { line: *line_no });
        };
        let name = name.trim_end_matches(is_ws);
        if name.is_empty() || !name.chars().all(is_token_char) {
            return Err(Error::MalformedHeaderLine { line: *line_no });
        }
        let value = value.trim_matches(is_ws);
        let before = headers.len();
        parse_header(name, value, &mut headers)?;
        for h in headers.get(before..).unwrap_or_default() {
            let slot = match h {
                Header::From(_) => 0,
                Header::To(_) => 1,
                Header::CallId(_) => 2,
                Header::CSeq(_) => 3,
                Header::MaxForwards(_) => 4,
                Header::ContentType(_) => 5,
                _ => continue,
            };
            if let Some(count) = singles.get_mut(slot) {
                *count += 1;
                if *count > 1 {
                    return Err(Error::DuplicateHeader(h_name_static(h)));
                }
            }
        }
        if let Some(Header::ContentLength(n)) = headers.last() {
            if content_length.is_some() {
                return Err(Error::DuplicateHeader("Content-Length"));
            }
            content_length = Some(*n);
            headers.pop();
        }
    }
    let headers = Headers(headers);

    for (present, name) in [
        (headers.top_via().is_some(), "Via"),
        (headers.from().is_some(), "From"),
        (headers.to().is_some(), "To"),
        (headers.call_id().is_some(), "Call-ID"),
        (headers.cseq().is_some(), "CSeq"),
    ] {
        if !present {
            return Err(Error::MissingHeader(name));
        }
    }

    let rest = data.get(body_start..).unwrap_or_default();
    let body = match content_length {
        Some(n) if n > rest.len() => {
            return Err(Error::ContentLengthExceedsMessage {
                content_length: n,
                available: rest.len(),
            });
        }
        Some(n) => rest.get(..n).unwrap_or_default().to_vec(),
        None => rest.to_vec(),
    };

    match start {
        StartLine::Request(method, uri) => {
            if let Some(cseq) = headers.cseq()
                && cseq.method != method
            {
                return Err(Error::CSeqMethodMismatch {
                    request: method.as_str().to_owned(),
                    cseq: cseq.method.as_str().to_owned(),
                });
            }
            Ok(Message::Request(Request {
                method,
                uri,
                headers,
                body,
            }))
        }
        StartLine::Response(status, reason) => Ok(Message::Response(Response {
            status,
            reason,
            headers,
            body,
        })),
    }
}

fn h_name_static(h: &Header) -> &'static str {
    match h {
        Header::From(_) => "From",
        Header::To(_) => "To",
        Header::CallId(_) => "Call-ID",
        Header::CSeq(_) => "CSeq",
        Header::MaxForwards(_) => "Max-Forwards",
        Header::ContentType(_) => "Content-Type",
        _ => "header",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_list_ignores_commas_in_quotes_and_brackets() {
        let v = split_list(r#""Doe, \"J\"" <sip:a@b;x=1,2>, <sip:c@d> , sip:e@f"#);
        assert_eq!(v, vec![r#""Doe, \"J\"" <sip:a@b;x=1,2>"#, "<sip:c@d>", "sip:e@f"]);
    }

    #[test]
    fn quoted_string_resolves_pairs_and_rejects_unterminated() {
        assert_eq!(
            quoted_string(r#""a\"b\\c" rest"#),
            Ok((" rest", "a\"b\\c".to_owned()))
        );
        assert!(quoted_string("\"open").is_err());
    }

    #[test]
    fn compact_c_is_content_type_not_contact() {
        assert_eq!(kind_of("c").map(|k| k.1), Some(Kind::ContentType));
        assert_eq!(kind_of("m").map(|k| k.1), Some(Kind::Contact));
        assert_eq!(kind_of("x"), None);
        assert_eq!(expand_other_name("x"), "Session-Expires");
    }

    #[test]
    fn host_accepts_ipv6_reference_and_rejects_numeric_toplabel() {
        assert_eq!(
            host("[2001:db8::1]:5060"),
            Ok((":5060", Host::Ipv6("2001:db8::1".parse().unwrap())))
        );
        assert!(host("1.2.3.999").is_err());
        assert_eq!(host("a.example."), Ok(("", Host::Domain("a.example.".into()))));
    }

    #[test]
    fn version_other_than_2_0_is_unsupported() {
        assert!(check_version("SIP/2.0").is_ok());
        assert!(matches!(
            check_version("SIP/7.0"),
            Err(Error::UnsupportedVersion(_))
        ));
        assert!(matches!(
            check_version("HTTP/1.1"),
            Err(Error::MalformedStartLine(_))
        ));
    }
}
