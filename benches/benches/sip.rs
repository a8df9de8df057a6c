//! SIP message parsing and writing: a typical INVITE with SDP, a 200 OK and
//! a REGISTER with Authorization, as a gateway meets them per call; and the
//! same messages parsed by the `rsip` crate side by side (issue 7, item 10).
//!
//! `fxs_sip::Message::parse` types every header of these messages (Via,
//! From, To, Call-ID, CSeq, Contact, Max-Forwards, Allow, Supported,
//! User-Agent, Record-Route, Server, Authorization, Expires, Content-Type,
//! Content-Length). `rsip::SipMessage::try_from` only splits the headers into
//! untyped strings; the `rsip_typed` group adds rsip's conversion of every
//! header it has a typed form or a number accessor for, the like-for-like
//! comparison.
//!
//! ```text
//! cargo bench -p fxs-benches --bench sip -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fxs_sip::Message;

const SDP: &str = "v=0\r\n\
o=- 3724394400 3724394400 IN IP4 192.0.2.10\r\n\
s=-\r\n\
c=IN IP4 192.0.2.10\r\n\
t=0 0\r\n\
m=audio 40000 RTP/AVP 0 8 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-16\r\n\
a=ptime:20\r\n\
a=sendrecv\r\n";

fn invite() -> Vec<u8> {
    format!(
        "INVITE sip:1002@pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds8;rport\r\n\
Max-Forwards: 70\r\n\
To: <sip:1002@pbx.example.com>\r\n\
From: \"Port 1\" <sip:1001@pbx.example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@192.0.2.10\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:1001@192.0.2.10:5060>\r\n\
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, NOTIFY, REFER\r\n\
Supported: replaces, timer\r\n\
User-Agent: fxs-gateway/0.1\r\n\
Content-Type: application/sdp\r\n\
Content-Length: {}\r\n\r\n{SDP}",
        SDP.len()
    )
    .into_bytes()
}

fn ok_200() -> Vec<u8> {
    b"SIP/2.0 200 OK\r\n\
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKnashds8;rport=5060;received=192.0.2.10\r\n\
Record-Route: <sip:pbx.example.com;lr>\r\n\
To: <sip:1002@pbx.example.com>;tag=a6c85cf\r\n\
From: \"Port 1\" <sip:1001@pbx.example.com>;tag=1928301774\r\n\
Call-ID: a84b4c76e66710@192.0.2.10\r\n\
CSeq: 314159 INVITE\r\n\
Contact: <sip:1002@198.51.100.7:5060>\r\n\
Server: pbx/1.0\r\n\
Content-Length: 0\r\n\r\n"
        .to_vec()
}

fn register_with_authorization() -> Vec<u8> {
    b"REGISTER sip:pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhdt;rport\r\n\
Max-Forwards: 70\r\n\
To: <sip:1001@pbx.example.com>\r\n\
From: <sip:1001@pbx.example.com>;tag=a73kszlfl\r\n\
Call-ID: 1j9FpLxk3uxtm8tn@192.0.2.10\r\n\
CSeq: 2 REGISTER\r\n\
Contact: <sip:1001@192.0.2.10:5060>\r\n\
Authorization: Digest username=\"1001\", realm=\"pbx.example.com\", \
nonce=\"ea9c8e88df84f1cec4341ae6cbe5a359\", uri=\"sip:pbx.example.com\", \
response=\"dfe56131d1958046689d83306477ecc0\", algorithm=MD5, cnonce=\"0a4f113b\", \
qop=auth, nc=00000001, opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"\r\n\
Expires: 300\r\n\
Content-Length: 0\r\n\r\n"
        .to_vec()
}

fn inputs() -> [(&'static str, Vec<u8>); 3] {
    [
        ("invite_sdp", invite()),
        ("ok_200", ok_200()),
        ("register_auth", register_with_authorization()),
    ]
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse");
    for (name, data) in inputs() {
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| Message::parse(black_box(&data)).expect("benchmark input parses"))
        });
    }
    group.finish();
}

fn write(c: &mut Criterion) {
    let mut group = c.benchmark_group("write");
    for (name, data) in inputs() {
        let msg = Message::parse(&data).expect("benchmark input parses");
        let mut out = Vec::with_capacity(2048);
        group.throughput(Throughput::Bytes(msg.to_bytes().len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                black_box(&msg).write_to(&mut out);
                out.len()
            })
        });
    }
    group.finish();
}

/// rsip's parse (headers left as untyped strings).
fn rsip_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("rsip_parse");
    for (name, data) in inputs() {
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| rsip::SipMessage::try_from(black_box(data.as_slice())).expect("rsip parses the input"))
        });
    }
    group.finish();
}

/// rsip's parse, then every header converted to rsip's typed form (or its
/// number, for the scalar ones), as `fxs_sip` delivers them.
fn rsip_parse_typed(data: &[u8]) -> usize {
    use rsip::Header as H;
    use rsip::headers::ToTypedHeader;
    use rsip::message::HasHeaders;

    let msg = rsip::SipMessage::try_from(data).expect("rsip parses the input");
    let mut typed = 0;
    for h in msg.headers().iter() {
        let ok = match h {
            H::Via(v) => v.typed().is_ok(),
            H::From(v) => v.typed().is_ok(),
            H::To(v) => v.typed().is_ok(),
            H::Contact(v) => v.typed().is_ok(),
            H::CSeq(v) => v.typed().is_ok(),
            H::Allow(v) => v.typed().is_ok(),
            H::RecordRoute(v) => v.typed().is_ok(),
            H::Route(v) => v.typed().is_ok(),
            H::Authorization(v) => v.typed().is_ok(),
            H::WwwAuthenticate(v) => v.typed().is_ok(),
            H::ContentType(v) => v.typed().is_ok(),
            H::MaxForwards(v) => v.num().is_ok(),
            H::Expires(v) => v.seconds().is_ok(),
            H::ContentLength(v) => v.length().is_ok(),
            _ => true,
        };
        typed += usize::from(ok);
    }
    typed
}

fn rsip_typed(c: &mut Criterion) {
    let mut group = c.benchmark_group("rsip_typed");
    for (name, data) in inputs() {
        assert!(rsip_parse_typed(&data) > 0);
        group.throughput(Throughput::Bytes(data.len() as u64));
        group.bench_function(name, |b| b.iter(|| rsip_parse_typed(black_box(&data))));
    }
    group.finish();
}

criterion_group!(benches, parse, write, rsip_parse, rsip_typed);
criterion_main!(benches);
