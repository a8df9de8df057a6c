//! nom parser for SIP messages (RFC 3261 §7 and the §25 ABNF, for what a UA
//! meets).
//!
//! The message is first cut into its start line, unfolded header lines and
//! body by hand (framing needs the octet positions); each line is then parsed
//! with nom combinators on `&str`.

use std::borrow::Cow;
use std::net::Ipv4Addr;

use nom::{
    IResult,
    branch::alt,
    bytes::complete::{tag, tag_no_case, take_while, take_while1},
    character::complete::{char, digit1},
    combinator::{all_consuming, map, map_res, opt},
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

/// Length of the quoted-string at the start of `s` (quotes included), without
/// building its text; `None` when `s` does not start with a complete one.
fn quoted_len(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'"') {
        return None;
    }
    let mut i = 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => return Some(i + 1),
            b'\\' => match bytes.get(i + 1) {
                Some(b'\r' | b'\n') | None => return None,
                Some(_) => i += 2,
            },
            b'\t' => i += 1,
            b if b < 0x20 || b == 0x7f => return None,
            // U+0080..U+009F (C1 controls), as quoted_string refuses them
            0xc2 if bytes.get(i + 1).is_some_and(|c| (0x80..0xa0).contains(c)) => return None,
            _ => i += 1,
        }
    }
    None
}

/// A quoted-string returned as written, quotes included.
fn quoted_raw(input: &str) -> PResult<'_, &str> {
    match quoted_len(input) {
        // ends on the closing quote, an ASCII octet: a char boundary
        Some(n) => Ok((&input[n..], &input[..n])),
        None => fail(input),
    }
}

/// Length of the run of bytes at the start of `s` accepted by `f` (ASCII only).
fn ascii_run(s: &str, f: fn(char) -> bool) -> usize {
    s.bytes().take_while(|&b| b.is_ascii() && f(b as char)).count()
}

/// `gen-value` = token / host / quoted-string, kept as written. Accepts `:`
/// too, for `received=` IPv6 addresses (RFC 3261 §20.42 allows IPv6address
/// there without brackets).
fn gen_value(input: &str) -> PResult<'_, &str> {
    if input.starts_with('"') {
        return quoted_raw(input);
    }
    let n = ascii_run(input, |c| is_token_char(c) || c == ':' || c == '[' || c == ']');
    if n == 0 {
        return fail(input);
    }
    Ok((&input[n..], &input[..n]))
}

/// `*( SEMI generic-param )` with `generic-param = token [ EQUAL gen-value ]`,
/// written by hand (it is the hottest path of the parser). Stops, without
/// consuming, at the first `;` not followed by a parameter.
fn header_params(input: &str) -> PResult<'_, Vec<Param>> {
    let mut out = Vec::new();
    let mut rest = input;
    while let Some(after) = rest.trim_start_matches(is_ws).strip_prefix(';') {
        let after = after.trim_start_matches(is_ws);
        let n = ascii_run(after, is_token_char);
        if n == 0 {
            break;
        }
        let (name, mut r) = after.split_at(n);
        let mut value = None;
        if let Some(v) = r.trim_start_matches(is_ws).strip_prefix('=')
            && let Ok((r2, v)) = gen_value(v.trim_start_matches(is_ws))
        {
            value = Some(v.to_owned());
            r = r2;
        }
        out.push(Param {
            name: name.to_owned(),
            value,
        });
        rest = r;
    }
    Ok((rest, out))
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

fn valid_hostname(s: &str) -> bool {
    let trimmed = s.strip_suffix('.').unwrap_or(s);
    let mut top_ok = false;
    for label in trimmed.split('.') {
        let ok = !label.is_empty()
            && !label.starts_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !ok {
            return false;
        }
        top_ok = label.as_bytes().first().is_some_and(u8::is_ascii_alphabetic);
    }
    top_ok
}

/// The host at the start of `s` and its length: `hostname / IPv4address /
/// IPv6reference` (RFC 3261 §25.1).
fn host_prefix(s: &str) -> Option<(Host, usize)> {
    if let Some(inner) = s.strip_prefix('[') {
        let end = inner.find(']')?;
        let addr = &inner[..end];
        if addr.is_empty()
            || !addr
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
        {
            return None;
        }
        return Some((Host::Ipv6(addr.parse().ok()?), end + 2));
    }
    let n = s
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        .count();
    let name = s.get(..n).filter(|n| !n.is_empty())?;
    if name.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && let Ok(a) = name.parse::<Ipv4Addr>()
    {
        return Some((Host::Ipv4(a), n));
    }
    valid_hostname(name).then(|| (Host::Domain(name.to_owned()), n))
}

/// `host` = hostname / IPv4address / IPv6reference.
pub(crate) fn host(input: &str) -> PResult<'_, Host> {
    match host_prefix(input) {
        Some((h, n)) => Ok((&input[n..], h)),
        None => fail(input),
    }
}

/// Length of the longest prefix of `s` made of `allowed` ASCII characters
/// and well-formed `%HH` escapes.
fn escaped_len(s: &str, allowed: fn(char) -> bool) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |k: usize| bytes.get(k).is_some_and(u8::is_ascii_hexdigit);
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
    i
}

/// `s` is entirely `allowed` characters and escapes (and not empty).
fn all_escaped(s: &str, allowed: fn(char) -> bool) -> bool {
    !s.is_empty() && escaped_len(s, allowed) == s.len()
}

/// `*( ";" pname [ "=" pvalue ] )` URI parameters at the start of `s`, kept
/// escaped; returns them and the rest.
fn uri_params_prefix(mut s: &str) -> Option<(Vec<Param>, &str)> {
    let mut params = Vec::new();
    while let Some(after) = s.strip_prefix(';') {
        let n = escaped_len(after, is_paramchar);
        if n == 0 {
            return None;
        }
        let (name, rest) = after.split_at(n);
        let (value, rest) = match rest.strip_prefix('=') {
            Some(v) => {
                let m = escaped_len(v, is_paramchar);
                if m == 0 {
                    return None;
                }
                (Some(v[..m].to_owned()), &v[m..])
            }
            None => (None, rest),
        };
        params.push(Param {
            name: name.to_owned(),
            value,
        });
        s = rest;
    }
    Some((params, s))
}

/// A SIP or SIPS URI after its scheme, the whole of `s` (RFC 3261 §19.1.1).
/// `@` can only end the userinfo (no other part of the URI may hold it
/// unescaped), so the first `@` splits userinfo from hostport.
fn sip_uri_exact(scheme: Scheme, s: &str) -> Option<Uri> {
    let (user, password, rest) = match s.find('@') {
        Some(at) => {
            let userinfo = &s[..at];
            let (u, p) = match userinfo.find(':') {
                Some(c) => (&userinfo[..c], Some(&userinfo[c + 1..])),
                None => (userinfo, None),
            };
            if !all_escaped(u, is_user_char) {
                return None;
            }
            let password = match p {
                None => None,
                Some("") => Some(String::new()),
                Some(p) if all_escaped(p, is_password_char) => Some(unescape(p)?),
                Some(_) => return None,
            };
            (Some(unescape(u)?), password, &s[at + 1..])
        }
        None => (None, None, s),
    };
    let (host, n) = host_prefix(rest)?;
    let mut rest = &rest[n..];
    let mut port = None;
    if let Some(p) = rest.strip_prefix(':') {
        let d = p.bytes().take_while(u8::is_ascii_digit).count();
        port = Some(p.get(..d).filter(|d| !d.is_empty())?.parse::<u16>().ok()?);
        rest = &p[d..];
    }
    let (params, mut rest) = uri_params_prefix(rest)?;
    let mut headers = Vec::new();
    if let Some(h) = rest.strip_prefix('?') {
        rest = h;
        loop {
            let n = escaped_len(rest, is_hchar);
            let eq = rest.get(n..)?.strip_prefix('=');
            if n == 0 || eq.is_none() {
                return None;
            }
            let name = &rest[..n];
            let v = eq.unwrap_or_default();
            let m = escaped_len(v, is_hchar);
            headers.push(Param {
                name: name.to_owned(),
                value: Some(v[..m].to_owned()),
            });
            rest = &v[m..];
            match rest.strip_prefix('&') {
                Some(r) => rest = r,
                None => break,
            }
        }
    }
    rest.is_empty().then_some(Uri {
        scheme,
        user,
        password,
        host,
        port,
        params,
        headers,
    })
}

/// RFC 3966 §5.1 `visual-separator`.
pub(crate) fn is_visual_separator(c: char) -> bool {
    matches!(c, '-' | '.' | '(' | ')')
}

/// RFC 3966 §3 `telephone-subscriber`: a global number (`+` then digits and
/// visual separators) or a local number (hex digits, `*`, `#` and visual
/// separators) that must carry `;phone-context=`.
fn valid_tel_number(number: &str, params: &[Param]) -> bool {
    if let Some(digits) = number.strip_prefix('+') {
        digits.chars().any(|c| c.is_ascii_digit())
            && digits
                .chars()
                .all(|c| c.is_ascii_digit() || is_visual_separator(c))
    } else {
        number
            .chars()
            .any(|c| c.is_ascii_hexdigit() || c == '*' || c == '#')
            && number
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == '*' || c == '#' || is_visual_separator(c))
            && find_param(params, "phone-context")
                .flatten()
                .is_some_and(|c| !c.is_empty())
    }
}

/// A tel URI after its scheme, the whole of `s` (RFC 3966 §3).
fn tel_uri_exact(s: &str) -> Option<Uri> {
    let n = escaped_len(s, is_tel_char);
    if n == 0 {
        return None;
    }
    let number = unescape(&s[..n])?;
    let (params, rest) = uri_params_prefix(&s[n..])?;
    (rest.is_empty() && valid_tel_number(&number, &params)).then_some(Uri {
        scheme: Scheme::Tel,
        user: Some(number),
        password: None,
        host: Host::Domain(String::new()),
        port: None,
        params,
        headers: Vec::new(),
    })
}

/// `s` without the case-insensitive prefix `p`.
fn strip_prefix_ci<'a>(s: &'a str, p: &str) -> Option<&'a str> {
    let head = s.get(..p.len())?;
    head.eq_ignore_ascii_case(p).then(|| &s[p.len()..])
}

/// The whole of `s` as a SIP, SIPS or tel URI.
fn uri_exact(s: &str) -> Option<Uri> {
    if let Some(r) = strip_prefix_ci(s, "sip:") {
        sip_uri_exact(Scheme::Sip, r)
    } else if let Some(r) = strip_prefix_ci(s, "sips:") {
        sip_uri_exact(Scheme::Sips, r)
    } else if let Some(r) = strip_prefix_ci(s, "tel:") {
        tel_uri_exact(r)
    } else {
        None
    }
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
    match uri_exact(s) {
        Some(u) => Ok(u),
        None => match scheme_of(s) {
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

/// An absolute URI of a scheme other than sip, sips and tel (RFC 3986 §3;
/// RFC 3261 §25.1 `absoluteURI`), kept opaque: accepted in To, From,
/// Contact and the other name-addr headers (RFC 4475 §3.3.4 unksm2).
fn absolute_uri(s: &str) -> Option<Uri> {
    let scheme = scheme_of(s)?;
    if is_supported_scheme(scheme) {
        return None;
    }
    let rest = s.get(scheme.len() + 1..)?;
    let ok = !rest.is_empty()
        && rest.bytes().all(|b| {
            b.is_ascii_graphic()
                && !matches!(b, b'<' | b'>' | b'"' | b'\\' | b'{' | b'}' | b'|' | b'^' | b'`')
        });
    ok.then(|| Uri {
        scheme: Scheme::Other(scheme.to_owned()),
        user: Some(rest.to_owned()),
        password: None,
        host: Host::Domain(String::new()),
        port: None,
        params: Vec::new(),
        headers: Vec::new(),
    })
}

/// A URI of any scheme: SIP, SIPS and tel typed, others kept opaque.
fn any_uri(s: &str) -> Option<Uri> {
    uri_exact(s).or_else(|| absolute_uri(s))
}

/// `[display-name] LAQUOT addr RAQUOT` or `addr-spec`, then header
/// parameters (RFC 3261 §20.10, §25.1), by hand. The display name is a
/// quoted-string or `*(token LWS)`; white space inside the brackets is
/// tolerated (RFC 4475 §3.1.2.14 badaspec). An addr-spec ends at the first
/// `;`, `,` or white space and may not carry URI headers.
fn name_addr(input: &str) -> PResult<'_, NameAddr> {
    // display name, if any, and what follows it
    let (display_name, after) = if input.starts_with('"') {
        match quoted_string(input) {
            Ok((rest, d)) => (Some(d), rest.trim_start_matches(is_ws)),
            Err(_) => (None, input),
        }
    } else {
        let n = input
            .bytes()
            .take_while(|&b| b.is_ascii() && (is_token_char(b as char) || b == b' ' || b == b'\t'))
            .count();
        let words = input[..n].trim_matches(is_ws);
        if !words.is_empty() && input[n..].starts_with('<') {
            (
                Some(words.split_whitespace().collect::<Vec<_>>().join(" ")),
                &input[n..],
            )
        } else {
            (None, input)
        }
    };
    if let Some(inner) = after.strip_prefix('<')
        && let Some(end) = inner.find('>')
        && let Some(uri) = any_uri(inner[..end].trim_matches(is_ws))
    {
        let (rest, params) = header_params(&inner[end + 1..])?;
        return Ok((
            rest,
            NameAddr {
                display_name,
                uri,
                params,
            },
        ));
    }
    let n = input
        .find(|c: char| is_ws(c) || c == ';' || c == ',')
        .unwrap_or(input.len());
    let spec = &input[..n];
    if n == 0 || spec.contains('?') {
        return fail(input);
    }
    let Some(uri) = any_uri(spec) else {
        return fail(input);
    };
    let (rest, params) = header_params(&input[n..])?;
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

/// `name` lowercased into `buf`, without allocating; empty when too long
/// (no known parameter name is).
fn lower<'b>(name: &str, buf: &'b mut [u8; 16]) -> &'b [u8] {
    match buf.get_mut(..name.len()) {
        Some(dst) => {
            for (d, s) in dst.iter_mut().zip(name.bytes()) {
                *d = s.to_ascii_lowercase();
            }
            dst
        }
        None => &[],
    }
}

fn parse_algorithm(value: &str, other: &mut Vec<Param>, raw: &str) -> DigestAlgorithm {
    let alg = DigestAlgorithm::parse(value);
    if alg == DigestAlgorithm::Other {
        other.push(Param::new("algorithm", Some(raw)));
    }
    alg
}

pub(crate) fn challenge(value: &str) -> Result<Option<Challenge>, String> {
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
    let mut buf = [0u8; 16];
    for p in params {
        match lower(p.name, &mut buf) {
            b"realm" => {
                c.realm = p.value;
                realm = true;
            }
            b"nonce" => {
                c.nonce = p.value;
                nonce = true;
            }
            b"opaque" => c.opaque = Some(p.value),
            b"domain" => c.domain = Some(p.value),
            b"stale" => c.stale = p.value.eq_ignore_ascii_case("true"),
            b"algorithm" => c.algorithm = Some(parse_algorithm(&p.value, &mut c.other, p.raw)),
            b"qop" => {
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

pub(crate) fn credentials(value: &str) -> Result<Option<Credentials>, String> {
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
    let mut buf = [0u8; 16];
    for p in params {
        match lower(p.name, &mut buf) {
            b"username" => {
                c.username = p.value;
                seen[0] = true;
            }
            b"realm" => {
                c.realm = p.value;
                seen[1] = true;
            }
            b"nonce" => {
                c.nonce = p.value;
                seen[2] = true;
            }
            b"uri" => {
                c.uri = p.value;
                seen[3] = true;
            }
            b"response" => {
                c.response = p.value;
                seen[4] = true;
            }
            b"algorithm" => c.algorithm = Some(parse_algorithm(&p.value, &mut c.other, p.raw)),
            b"cnonce" => c.cnonce = Some(p.value),
            b"opaque" => c.opaque = Some(p.value),
            b"qop" => c.qop = Some(p.value),
            b"nc" => {
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

/// The typed header kinds (RFC 3261 §7.3.3 compact forms; sip.md §2).
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
    Unsupported,
    ProxyRequire,
    Event,
    SubscriptionState,
    ReferTo,
    ReferredBy,
    Replaces,
    AlertInfo,
    CallInfo,
    SessionExpires,
    MinSe,
    RetryAfter,
    RSeq,
    RAck,
    PAssertedIdentity,
    Privacy,
    Reason,
    ContentDisposition,
    ContentEncoding,
    ContentLanguage,
}

impl Kind {
    /// Extension headers: a value that does not parse is kept verbatim
    /// instead of making the message malformed (see [`Header`]).
    fn lenient(self) -> bool {
        matches!(
            self,
            Kind::Unsupported
                | Kind::ProxyRequire
                | Kind::Event
                | Kind::SubscriptionState
                | Kind::ReferTo
                | Kind::ReferredBy
                | Kind::Replaces
                | Kind::AlertInfo
                | Kind::CallInfo
                | Kind::SessionExpires
                | Kind::MinSe
                | Kind::RetryAfter
                | Kind::RSeq
                | Kind::RAck
                | Kind::PAssertedIdentity
                | Kind::Privacy
                | Kind::Reason
                | Kind::ContentDisposition
                | Kind::ContentEncoding
                | Kind::ContentLanguage
        )
    }
}

/// The canonical name and kind of a header name, long or compact, matched
/// case-insensitively without allocating (RFC 3261 §7.3.1, §7.3.3).
fn kind_of(name: &str) -> Option<(&'static str, Kind)> {
    let bytes = name.as_bytes();
    let mut buf = [0u8; 24];
    let lower = buf.get_mut(..bytes.len())?;
    for (d, s) in lower.iter_mut().zip(bytes) {
        *d = s.to_ascii_lowercase();
    }
    let found = match &*lower {
        b"via" | b"v" => ("Via", Kind::Via),
        b"from" | b"f" => ("From", Kind::From),
        b"to" | b"t" => ("To", Kind::To),
        b"contact" | b"m" => ("Contact", Kind::Contact),
        b"call-id" | b"i" => ("Call-ID", Kind::CallId),
        b"cseq" => ("CSeq", Kind::CSeq),
        b"max-forwards" => ("Max-Forwards", Kind::MaxForwards),
        b"expires" => ("Expires", Kind::Expires),
        b"min-expires" => ("Min-Expires", Kind::MinExpires),
        b"route" => ("Route", Kind::Route),
        b"record-route" => ("Record-Route", Kind::RecordRoute),
        b"content-type" | b"c" => ("Content-Type", Kind::ContentType),
        b"content-length" | b"l" => ("Content-Length", Kind::ContentLength),
        b"www-authenticate" => ("WWW-Authenticate", Kind::WwwAuthenticate),
        b"proxy-authenticate" => ("Proxy-Authenticate", Kind::ProxyAuthenticate),
        b"authorization" => ("Authorization", Kind::Authorization),
        b"proxy-authorization" => ("Proxy-Authorization", Kind::ProxyAuthorization),
        b"allow" => ("Allow", Kind::Allow),
        b"supported" | b"k" => ("Supported", Kind::Supported),
        b"require" => ("Require", Kind::Require),
        b"user-agent" => ("User-Agent", Kind::UserAgent),
        b"server" => ("Server", Kind::Server),
        b"unsupported" => ("Unsupported", Kind::Unsupported),
        b"proxy-require" => ("Proxy-Require", Kind::ProxyRequire),
        b"event" | b"o" => ("Event", Kind::Event),
        b"subscription-state" => ("Subscription-State", Kind::SubscriptionState),
        b"refer-to" | b"r" => ("Refer-To", Kind::ReferTo),
        b"referred-by" | b"b" => ("Referred-By", Kind::ReferredBy),
        b"replaces" => ("Replaces", Kind::Replaces),
        b"alert-info" => ("Alert-Info", Kind::AlertInfo),
        b"call-info" => ("Call-Info", Kind::CallInfo),
        b"session-expires" | b"x" => ("Session-Expires", Kind::SessionExpires),
        b"min-se" => ("Min-SE", Kind::MinSe),
        b"retry-after" => ("Retry-After", Kind::RetryAfter),
        b"rseq" => ("RSeq", Kind::RSeq),
        b"rack" => ("RAck", Kind::RAck),
        b"p-asserted-identity" => ("P-Asserted-Identity", Kind::PAssertedIdentity),
        b"privacy" => ("Privacy", Kind::Privacy),
        b"reason" => ("Reason", Kind::Reason),
        b"content-disposition" => ("Content-Disposition", Kind::ContentDisposition),
        b"content-encoding" | b"e" => ("Content-Encoding", Kind::ContentEncoding),
        b"content-language" => ("Content-Language", Kind::ContentLanguage),
        _ => return None,
    };
    Some(found)
}

/// Compact forms of headers we keep as [`Header::Other`], expanded to their
/// long names (sip.md §2).
const OTHER_COMPACT: [(char, &str); 7] = [
    ('a', "Accept-Contact"),
    ('d', "Request-Disposition"),
    ('j', "Reject-Contact"),
    ('n', "Identity-Info"),
    ('s', "Subject"),
    ('u', "Allow-Events"),
    ('y', "Identity"),
];

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
fn split_list(value: &str) -> impl Iterator<Item = &str> {
    let bytes = value.as_bytes();
    let mut start = 0;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        let (mut in_quotes, mut in_angle, mut escaped) = (false, false, false);
        let mut i = start;
        while let Some(&b) = bytes.get(i) {
            if in_quotes {
                if escaped {
                    escaped = false;
                } else if b == b'\\' {
                    escaped = true;
                } else if b == b'"' {
                    in_quotes = false;
                }
            } else {
                match b {
                    b'"' => in_quotes = true,
                    b'<' => in_angle = true,
                    b'>' => in_angle = false,
                    b',' if !in_angle => {
                        let item = value.get(start..i).unwrap_or_default().trim_matches(is_ws);
                        start = i + 1;
                        return Some(item);
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        done = true;
        Some(value.get(start..).unwrap_or_default().trim_matches(is_ws))
    })
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
        Kind::Unsupported => out.push(Header::Unsupported(token_list(value)?)),
        Kind::ProxyRequire => out.push(Header::ProxyRequire(token_list(value)?)),
        Kind::Event => out.push(Header::Event(whole(token_params, value)?)),
        Kind::SubscriptionState => out.push(Header::SubscriptionState(whole(token_params, value)?)),
        Kind::ContentDisposition => out.push(Header::ContentDisposition(whole(token_params, value)?)),
        Kind::ReferTo => out.push(Header::ReferTo(single_name_addr(value)?)),
        Kind::ReferredBy => out.push(Header::ReferredBy(single_name_addr(value)?)),
        Kind::Replaces => out.push(Header::Replaces(whole(replaces, value)?)),
        Kind::AlertInfo => out.push(Header::AlertInfo(list(value, info_uri, false)?)),
        Kind::CallInfo => out.push(Header::CallInfo(list(value, info_uri, false)?)),
        Kind::SessionExpires => out.push(Header::SessionExpires(whole(delta_seconds(false), value)?)),
        Kind::MinSe => out.push(Header::MinSe(whole(delta_seconds(false), value)?)),
        Kind::RetryAfter => out.push(Header::RetryAfter(whole(delta_seconds(true), value)?)),
        Kind::RSeq => out.push(Header::RSeq(whole(u32_value, value)?)),
        Kind::RAck => out.push(Header::RAck(whole(rack, value)?)),
        Kind::PAssertedIdentity => out.push(Header::PAssertedIdentity(name_addr_list(value)?)),
        Kind::Privacy => out.push(Header::Privacy(privacy(value)?)),
        Kind::Reason => out.push(Header::Reason(list(value, reason, false)?)),
        Kind::ContentEncoding => out.push(Header::ContentEncoding(token_list(value)?)),
        Kind::ContentLanguage => out.push(Header::ContentLanguage(token_list(value)?)),
    }
    Ok(true)
}

/// A non-empty comma-separated list of tokens (option tags, codings, language tags).
fn token_list(value: &str) -> Result<Vec<String>, String> {
    list(value, map(token, str::to_owned), false)
}

/// `token *( SEMI generic-param )`.
fn token_params(input: &str) -> PResult<'_, TokenParams> {
    map(pair(token, header_params), |(v, params): (&str, Vec<Param>)| {
        TokenParams {
            value: v.to_owned(),
            params,
        }
    })(input)
}

/// A parenthesised comment (RFC 3261 §25.1 `comment`), nesting allowed;
/// returns the text inside the outer parentheses.
fn comment(input: &str) -> PResult<'_, &str> {
    let (rest, _) = char('(')(input)?;
    let mut depth = 1usize;
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' => {
                depth -= 1;
                if depth == 0 {
                    return Ok((&rest[i + 1..], &rest[..i]));
                }
            }
            c if c.is_control() && c != '\t' => return fail(input),
            _ => {}
        }
    }
    fail(input)
}

/// `delta-seconds [ comment ] *( SEMI generic-param )` (Retry-After, RFC 3261
/// §20.33; Session-Expires and Min-SE, RFC 4028 §4-5, without the comment).
fn delta_seconds(with_comment: bool) -> impl Fn(&str) -> PResult<'_, DeltaSeconds> {
    move |input: &str| {
        let (rest, seconds) = u32_value(input)?;
        let (rest, comment_text) = if with_comment {
            opt(preceded(sws, comment))(rest)?
        } else {
            (rest, None)
        };
        let (rest, params) = header_params(rest)?;
        Ok((
            rest,
            DeltaSeconds {
                seconds,
                comment: comment_text.map(str::to_owned),
                params,
            },
        ))
    }
}

/// `callid *( SEMI replaces-param )` (RFC 3891 §6.1).
fn replaces(input: &str) -> PResult<'_, Replaces> {
    let (rest, call_id) = take_while1(|c: char| !is_ws(c) && c != ';' && !c.is_control())(input)?;
    let (rest, params) = header_params(rest)?;
    Ok((
        rest,
        Replaces {
            call_id: call_id.to_owned(),
            params,
        },
    ))
}

/// `LAQUOT absoluteURI RAQUOT *( SEMI generic-param )` (Alert-Info, Call-Info).
fn info_uri(input: &str) -> PResult<'_, InfoUri> {
    let (rest, _) = char('<')(input)?;
    let Some(end) = rest.find('>') else {
        return fail(input);
    };
    let uri = rest[..end].trim_matches(is_ws);
    if uri.is_empty()
        || uri
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '<' || c == '"')
    {
        return fail(input);
    }
    let (rest, params) = header_params(&rest[end + 1..])?;
    Ok((
        rest,
        InfoUri {
            uri: uri.to_owned(),
            params,
        },
    ))
}

/// `response-num LWS CSeq-num LWS Method` (RFC 3262 §7.2).
fn rack(input: &str) -> PResult<'_, RAck> {
    map(
        tuple((u32_value, ws1, u32_value, ws1, token)),
        |(rseq, _, cseq, _, m): (u32, &str, u32, &str, &str)| RAck {
            rseq,
            cseq,
            method: Method::parse(m),
        },
    )(input)
}

/// `priv-value *( ";" priv-value )` (RFC 3323 §4.2).
fn privacy(value: &str) -> Result<Vec<String>, String> {
    value
        .split(';')
        .map(|v| {
            let v = v.trim_matches(is_ws);
            if !v.is_empty() && v.chars().all(is_token_char) {
                Ok(v.to_owned())
            } else {
                Err(format!("bad privacy value {v:?}"))
            }
        })
        .collect()
}

/// `protocol *( SEMI reason-params )` (RFC 3326 §2).
fn reason(input: &str) -> PResult<'_, Reason> {
    map(pair(token, header_params), |(p, params): (&str, Vec<Param>)| {
        Reason {
            protocol: p.to_owned(),
            params,
        }
    })(input)
}

/// The text of a parameter value: a quoted-string unquoted, anything else as is.
pub(crate) fn unquote(raw: &str) -> String {
    match quoted_string(raw) {
        Ok(("", text)) => text,
        _ => raw.to_owned(),
    }
}

/// Parse one `name: value` header (already unfolded) into `out`. A header
/// of a typed kind whose value does not parse is an error naming the header;
/// an authentication header with a scheme other than Digest is kept as
/// [`Header::Other`] (RFC 4475 §3.3.7: such credentials are ignored).
pub(crate) fn parse_header(name: &str, value: &str, out: &mut Vec<Header>) -> Result<(), Error> {
    match kind_of(name) {
        Some((long, kind)) => match typed_header(kind, value, out) {
            Ok(true) => Ok(()),
            Err(_) if kind.lenient() => {
                out.push(Header::Other {
                    name: long.to_owned(),
                    value: value.to_owned(),
                });
                Ok(())
            }
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
    s.bytes()
        .any(|b| (b.is_ascii_control() && b != b'\t') || b == 0x7f)
}

/// Length of the first message in a stream buffer (RFC 3261 §18.3: framing
/// by Content-Length, mandatory on streams), checked against
/// [`MAX_MESSAGE_SIZE`] from the headers alone, before the body is buffered.
/// `Ok(None)`: more octets are needed. Leading CRLFs (keep-alives, RFC 5626
/// §3.5.1) count towards the frame and are skipped by the parser.
pub(crate) fn stream_frame_len(buf: &[u8]) -> Result<Option<usize>, Error> {
    let too_large = |size| Error::MessageTooLarge {
        size,
        max: MAX_MESSAGE_SIZE,
    };
    let Some(skip) = buf.iter().position(|&b| b != b'\r' && b != b'\n') else {
        return Ok(None);
    };
    let data = buf.get(skip..).unwrap_or_default();
    let Some((head_len, body_start)) = find_head_end(data) else {
        return if buf.len() > MAX_MESSAGE_SIZE {
            Err(too_large(buf.len()))
        } else {
            Ok(None)
        };
    };
    let head = data.get(..head_len).unwrap_or_default();
    let mut content_length = None;
    for line in head.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let name = std::str::from_utf8(line.get(..colon).unwrap_or_default()).unwrap_or("");
        if !matches!(
            kind_of(name.trim_end_matches(is_ws)),
            Some((_, Kind::ContentLength))
        ) {
            continue;
        }
        let value = std::str::from_utf8(line.get(colon + 1..).unwrap_or_default()).unwrap_or("");
        let value = value.trim_matches(|c: char| is_ws(c) || c == '\r');
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::BadHeader {
                name: "Content-Length",
                reason: format!("{:?} is not a number", value.chars().take(16).collect::<String>()),
            });
        }
        // anything longer than 9 digits is over the limit anyway
        let n = if value.len() > 9 {
            usize::MAX
        } else {
            value.parse().unwrap_or(usize::MAX)
        };
        if content_length.replace(n).is_some() {
            return Err(Error::DuplicateHeader("Content-Length"));
        }
    }
    let content_length = content_length.ok_or(Error::MissingHeader("Content-Length"))?;
    let total = (skip + body_start).saturating_add(content_length);
    if total > MAX_MESSAGE_SIZE {
        return Err(too_large(total));
    }
    Ok((buf.len() >= total).then_some(total))
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
    let mut logical: Vec<(usize, Cow<'_, str>)> = Vec::with_capacity(24);
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
                let prev = prev.to_mut();
                let kept = prev.trim_end_matches(is_ws).len();
                prev.truncate(kept);
                prev.push(' ');
                prev.push_str(cont);
            }
        } else {
            logical.push((line_no, Cow::Borrowed(line)));
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
        let v: Vec<_> = split_list(r#""Doe, \"J\"" <sip:a@b;x=1,2>, <sip:c@d> , sip:e@f"#).collect();
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
        assert_eq!(kind_of("x"), Some(("Session-Expires", Kind::SessionExpires)));
        assert_eq!(kind_of("O"), Some(("Event", Kind::Event)));
        assert_eq!(kind_of("b"), Some(("Referred-By", Kind::ReferredBy)));
        assert_eq!(kind_of("r"), Some(("Refer-To", Kind::ReferTo)));
        assert_eq!(kind_of("e"), Some(("Content-Encoding", Kind::ContentEncoding)));
        assert_eq!(kind_of("a-header-name-longer-than-the-buffer"), None);
        assert_eq!(expand_other_name("s"), "Subject");
        assert_eq!(expand_other_name("u"), "Allow-Events");
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
