//! `sip parse FILE`: one SIP message as JSON (issue 7, item 9).
//!
//! The file holds one message with CRLF line ends and a body framed by
//! Content-Length, as it came off the wire. The JSON keeps the header order
//! of the message; every header `fxs-sip` types is shown structured, every
//! other header verbatim; an `application/sdp` body is shown parsed. A
//! message the user agent would refuse is reported the way the UA answers it
//! (`400 Missing Call-ID header`, `505 Version Not Supported`, `488 Malformed
//! SDP body`...).

use std::path::{Path, PathBuf};

use fxs_sip::sdp::{MediaDescription, SessionDescription};
use fxs_sip::{
    Challenge, Contact, Credentials, DeltaSeconds, Header, Host, InfoUri, Message, NameAddr, Param, Uri, Via,
};
use serde_json::{Value, json};

/// Why `sip parse` fails.
#[derive(Debug, thiserror::Error)]
pub enum SipToolError {
    /// The file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    Read {
        /// The file named on the command line.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The message is refused; `status` and `reason` are what the UA answers.
    #[error("{status} {reason}")]
    Invalid {
        /// Response status the UA answers with (400, 416, 488, 505, 513...).
        status: u16,
        /// Reason phrase naming the defect.
        reason: String,
        /// The parser's own description of the defect.
        detail: String,
    },
}

impl SipToolError {
    fn from_sip(e: &fxs_sip::Error) -> SipToolError {
        let (status, reason) = e.response_status();
        SipToolError::Invalid {
            status: status.0,
            reason,
            detail: e.to_string(),
        }
    }
}

/// Read `path` and return the message as JSON.
pub fn parse_file(path: &Path) -> Result<Value, SipToolError> {
    let data = std::fs::read(path).map_err(|source| SipToolError::Read {
        path: path.to_owned(),
        source,
    })?;
    parse_bytes(&data)
}

/// Parse one message and return it as JSON.
pub fn parse_bytes(data: &[u8]) -> Result<Value, SipToolError> {
    let msg = Message::parse(data).map_err(|e| SipToolError::from_sip(&e))?;
    message_json(&msg)
}

/// The JSON of a parsed message; an `application/sdp` body that does not
/// parse is an error (the UA answers such an offer 488).
pub fn message_json(msg: &Message) -> Result<Value, SipToolError> {
    let mut out = serde_json::Map::new();
    match msg {
        Message::Request(r) => {
            out.insert("type".into(), json!("request"));
            out.insert("method".into(), json!(r.method.as_str()));
            out.insert("request_uri".into(), uri_json(&r.uri));
        }
        Message::Response(r) => {
            out.insert("type".into(), json!("response"));
            out.insert("status".into(), json!(r.status.0));
            out.insert("reason".into(), json!(r.reason));
        }
    }
    let headers: Vec<Value> = msg.headers().iter().map(header_json).collect();
    out.insert("headers".into(), Value::Array(headers));
    let body = msg.body();
    let mut body_json = serde_json::Map::new();
    body_json.insert("length".into(), json!(body.len()));
    let is_sdp = msg
        .headers()
        .content_type()
        .is_some_and(|t| t.is("application", "sdp"));
    if is_sdp && !body.is_empty() {
        let sdp = std::str::from_utf8(body)
            .map_err(|_| fxs_sip::Error::BadSdp {
                line: 0,
                reason: "not UTF-8".into(),
            })
            .and_then(SessionDescription::parse)
            .map_err(|e| SipToolError::from_sip(&e))?;
        body_json.insert("sdp".into(), sdp_json(&sdp));
    } else if let Ok(text) = std::str::from_utf8(body) {
        if !body.is_empty() {
            body_json.insert("text".into(), json!(text));
        }
    }
    out.insert("body".into(), Value::Object(body_json));
    Ok(Value::Object(out))
}

fn params_json(params: &[Param]) -> Value {
    Value::Array(
        params
            .iter()
            .map(|p| json!({ "name": p.name, "value": p.value }))
            .collect(),
    )
}

fn host_json(host: &Host) -> Value {
    match host {
        Host::Domain(d) => json!(d),
        Host::Ipv4(a) => json!(a.to_string()),
        Host::Ipv6(a) => json!(a.to_string()),
    }
}

fn uri_json(uri: &Uri) -> Value {
    json!({
        "text": uri.to_string(),
        "scheme": uri.scheme.as_str(),
        "user": uri.user,
        "password": uri.password,
        "host": host_json(&uri.host),
        "port": uri.port,
        "params": params_json(&uri.params),
        "headers": params_json(&uri.headers),
    })
}

fn name_addr_json(a: &NameAddr) -> Value {
    json!({
        "display_name": a.display_name,
        "uri": uri_json(&a.uri),
        "params": params_json(&a.params),
    })
}

fn via_json(v: &Via) -> Value {
    json!({
        "transport": v.transport.as_str(),
        "host": host_json(&v.host),
        "port": v.port,
        "branch": v.branch(),
        "params": params_json(&v.params),
    })
}

fn challenge_json(c: &Challenge) -> Value {
    json!({
        "scheme": "Digest",
        "realm": c.realm,
        "nonce": c.nonce,
        "opaque": c.opaque,
        "algorithm": c.algorithm.map(|a| a.to_string()),
        "qop": c.qop,
        "stale": c.stale,
        "domain": c.domain,
        "other": params_json(&c.other),
    })
}

fn credentials_json(c: &Credentials) -> Value {
    json!({
        "scheme": "Digest",
        "username": c.username,
        "realm": c.realm,
        "nonce": c.nonce,
        "uri": c.uri,
        "response": c.response,
        "algorithm": c.algorithm.map(|a| a.to_string()),
        "cnonce": c.cnonce,
        "opaque": c.opaque,
        "qop": c.qop,
        "nc": c.nc.map(|n| format!("{n:08x}")),
        "other": params_json(&c.other),
    })
}

fn delta_json(d: &DeltaSeconds) -> Value {
    json!({ "seconds": d.seconds, "comment": d.comment, "params": params_json(&d.params) })
}

fn info_json(list: &[InfoUri]) -> Value {
    Value::Array(
        list.iter()
            .map(|i| json!({ "uri": i.uri, "params": params_json(&i.params) }))
            .collect(),
    )
}

/// `{"name": canonical name, "value": structured value}`; an untyped header
/// is `{"name": name as received, "raw": value}`.
fn header_json(h: &Header) -> Value {
    let value = match h {
        Header::Via(v) => via_json(v),
        Header::From(a) | Header::To(a) | Header::ReferTo(a) | Header::ReferredBy(a) => name_addr_json(a),
        Header::Contact(Contact::Star) => json!("*"),
        Header::Contact(Contact::Addresses(list))
        | Header::Route(list)
        | Header::RecordRoute(list)
        | Header::PAssertedIdentity(list) => Value::Array(list.iter().map(name_addr_json).collect()),
        Header::CallId(s) | Header::UserAgent(s) | Header::Server(s) => json!(s),
        Header::CSeq(c) => json!({ "seq": c.seq, "method": c.method.as_str() }),
        Header::MaxForwards(n) | Header::Expires(n) | Header::MinExpires(n) | Header::RSeq(n) => json!(n),
        Header::ContentType(t) => json!({
            "type": t.kind,
            "subtype": t.subtype,
            "params": params_json(&t.params),
        }),
        Header::ContentLength(n) => json!(n),
        Header::WwwAuthenticate(c) | Header::ProxyAuthenticate(c) => challenge_json(c),
        Header::Authorization(c) | Header::ProxyAuthorization(c) => credentials_json(c),
        Header::Allow(methods) => Value::Array(methods.iter().map(|m| json!(m.as_str())).collect()),
        Header::Supported(t)
        | Header::Require(t)
        | Header::Unsupported(t)
        | Header::ProxyRequire(t)
        | Header::Privacy(t)
        | Header::ContentEncoding(t)
        | Header::ContentLanguage(t) => json!(t),
        Header::Event(t) | Header::SubscriptionState(t) | Header::ContentDisposition(t) => {
            json!({ "value": t.value, "params": params_json(&t.params) })
        }
        Header::Replaces(r) => json!({
            "call_id": r.call_id,
            "to_tag": r.to_tag(),
            "from_tag": r.from_tag(),
            "early_only": r.early_only(),
            "params": params_json(&r.params),
        }),
        Header::AlertInfo(list) | Header::CallInfo(list) => info_json(list),
        Header::SessionExpires(d) | Header::MinSe(d) | Header::RetryAfter(d) => delta_json(d),
        Header::RAck(r) => json!({ "rseq": r.rseq, "cseq": r.cseq, "method": r.method.as_str() }),
        Header::Reason(list) => Value::Array(
            list.iter()
                .map(|r| {
                    json!({
                        "protocol": r.protocol,
                        "cause": r.cause(),
                        "text": r.text(),
                        "params": params_json(&r.params),
                    })
                })
                .collect(),
        ),
        Header::Other { name, value } => return json!({ "name": name, "raw": value }),
        // a header kind added to fxs-sip after this tool: its written form
        other => {
            let text = other.to_string();
            let raw = text.split_once(": ").map(|(_, v)| v.to_owned()).unwrap_or(text);
            return json!({ "name": other.name(), "raw": raw });
        }
    };
    json!({ "name": h.name(), "value": value })
}

fn media_json(m: &MediaDescription) -> Value {
    json!({
        "media": m.kind,
        "port": m.port,
        "port_count": m.port_count,
        "protocol": m.protocol,
        "formats": m.formats,
        "connection": m.connection.as_ref().map(|c| c.address.to_string()),
        "direction": m.direction.as_str(),
        "ptime": m.ptime,
        "rtpmap": m.rtpmaps.iter().map(|r| json!({
            "payload_type": r.payload_type,
            "encoding": r.encoding,
            "clock_rate": r.clock_rate,
            "channels": r.channels,
        })).collect::<Vec<_>>(),
        "fmtp": m.fmtps.iter().map(|f| json!({
            "payload_type": f.payload_type,
            "parameters": f.parameters,
        })).collect::<Vec<_>>(),
        "attributes": m.attributes.iter().map(|a| json!({ "name": a.name, "value": a.value })).collect::<Vec<_>>(),
    })
}

fn sdp_json(sdp: &SessionDescription) -> Value {
    json!({
        "origin": {
            "username": sdp.origin.username,
            "session_id": sdp.origin.session_id,
            "session_version": sdp.origin.session_version,
            "address": sdp.origin.address.to_string(),
        },
        "session_name": sdp.session_name,
        "connection": sdp.connection.as_ref().map(|c| c.address.to_string()),
        "attributes": sdp.attributes.iter().map(|a| json!({ "name": a.name, "value": a.value })).collect::<Vec<_>>(),
        "media": sdp.media.iter().map(media_json).collect::<Vec<_>>(),
    })
}

/// What `sip` prints and its exit status, for `args` without the program
/// name (`["parse", "FILE"]`). Never panics.
pub fn run(args: &[String]) -> (i32, String, String) {
    match args {
        [cmd, file] if cmd == "parse" => match parse_file(Path::new(file)) {
            Ok(json) => {
                let text = serde_json::to_string_pretty(&json).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
                (0, text + "\n", String::new())
            }
            Err(e @ SipToolError::Read { .. }) => (1, String::new(), format!("sip: {e}\n")),
            Err(SipToolError::Invalid { status, reason, detail }) => {
                (1, format!("{status} {reason}\n"), format!("sip: {detail}\n"))
            }
        },
        _ => (
            2,
            String::new(),
            "usage: sip parse FILE\n  prints one SIP message (CRLF line ends, body per Content-Length) as JSON\n"
                .to_owned(),
        ),
    }
}
