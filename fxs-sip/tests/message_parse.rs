//! Valid messages: RFC 4475 §3.1.1 (reconstructed from the RFC text), §3.3
//! semantic cases the parser must accept, compact forms, folding, IPv6.

use std::net::{Ipv4Addr, Ipv6Addr};

use fxs_sip::{
    Contact, DigestAlgorithm, Header, Host, Message, Method, Request, Response, Scheme, StatusCode, Transport,
};

/// The RFC writes messages with LF; on the wire every line ends in CRLF.
fn wire(text: &str) -> Vec<u8> {
    text.replace('\n', "\r\n").into_bytes()
}

fn request(text: &str) -> Request {
    match Message::parse(&wire(text)) {
        Ok(Message::Request(r)) => r,
        other => panic!("expected a request, got {other:?}"),
    }
}

fn response(text: &str) -> Response {
    match Message::parse(&wire(text)) {
        Ok(Message::Response(r)) => r,
        other => panic!("expected a response, got {other:?}"),
    }
}

/// Writing a parsed message and parsing it again gives the same model.
fn assert_round_trip(msg: &Message) {
    let again = Message::parse(&msg.to_bytes()).expect("written message parses");
    assert_eq!(&again, msg);
}

const SDP_150: &str = "v=0
o=mhandley 29739 7272939 IN IP4 192.0.2.3
s=-
c=IN IP4 192.0.2.4
t=0 0
m=audio 49217 RTP/AVP 0 12
m=video 3227 RTP/AVP 31
a=rtpmap:31 LPC
";

// RFC 4475 §3.1.1.1 wsinv
const WSINV: &str = r#"INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0
TO :
 sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n
from   : "J Rosenberg \\\""       <sip:jdrosen@example.com>
  ;
  tag = 98asjd8
MaX-fOrWaRdS: 0068
Call-ID: wsinv.ndaksdj@192.0.2.1
Content-Length   : 150
cseq: 0009
  INVITE
Via  : SIP  /   2.0
 /UDP
    192.0.2.2;rport;branch=390skdjuw
s :
NewFangledHeader:   newfangled value
 continued newfangled value
UnknownHeaderWithUnusualValue: ;;,,;;,;
Content-Type: application/sdp
Route:
 <sip:services.example.com;lr;unknownwith=value;unknown-no-value>
v:  SIP  / 2.0  / TCP     spindle.example.com   ;
  branch  =   z9hG4bK9ikj8  ,
 SIP  /    2.0   / UDP  192.168.255.111   ; branch=
 z9hG4bK30239
m:"Quoted string \"\"" <sip:jdrosen@example.com> ; newparam =
      newvalue ;
  secondparam ; q = 0.33

"#;

#[test]
fn wsinv_short_tortuous_invite_parses() {
    let text = format!("{WSINV}{SDP_150}");
    assert_eq!(SDP_150.replace('\n', "\r\n").len(), 150);
    let req = request(&text);
    let h = &req.headers;
    assert_eq!(req.method, Method::Invite);
    assert_eq!(req.uri.param("unknownparam"), Some(None));
    assert_eq!(h.to().unwrap().tag(), Some("1918181833n"));
    let from = h.from().unwrap();
    assert_eq!(from.display_name.as_deref(), Some("J Rosenberg \\\""));
    assert_eq!(from.tag(), Some("98asjd8"));
    assert_eq!(h.max_forwards(), Some(68));
    assert_eq!(h.cseq().map(|c| (c.seq, &c.method)), Some((9, &Method::Invite)));
    let vias: Vec<_> = h.vias().collect();
    assert_eq!(vias.len(), 3);
    assert_eq!(vias[0].host, Host::Ipv4(Ipv4Addr::new(192, 0, 2, 2)));
    assert_eq!(vias[0].rport(), Some(None));
    assert_eq!(vias[1].transport, Transport::Tcp);
    assert_eq!(vias[1].branch(), Some("z9hG4bK9ikj8"));
    assert_eq!(vias[2].branch(), Some("z9hG4bK30239"));
    // `s` is the compact form of Subject, an empty value is legal
    assert_eq!(h.other("Subject"), Some(""));
    assert_eq!(
        h.other("newfangledheader"),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(h.other("UnknownHeaderWithUnusualValue"), Some(";;,,;;,;"));
    let route: Vec<_> = h.routes().collect();
    assert_eq!(route[0].uri.param("lr"), Some(None));
    assert_eq!(route[0].uri.param("unknownwith"), Some(Some("value")));
    let contact = h.contact().unwrap();
    assert_eq!(contact.display_name.as_deref(), Some("Quoted string \"\""));
    assert_eq!(contact.param("newparam"), Some(Some("newvalue")));
    assert_eq!(contact.param("secondparam"), Some(None));
    assert_eq!(contact.param("q"), Some(Some("0.33")));
    assert!(h.content_type().unwrap().is("application", "sdp"));
    assert_eq!(req.body.len(), 150);
    assert_round_trip(&Message::Request(req));
}

#[test]
fn intmeth_wide_range_of_valid_characters_parses() {
    // RFC 4475 §3.1.1.2; the To display name holds escaped BEL, NUL and DEL.
    let text = "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0
Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~
To: \"BEL:\\\x07 NUL:\\\x00 DEL:\\\x7F\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>
From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\u{440}\u{430}\u{431}\u{43e}\u{442}\u{430}\u{44e}\u{449}\u{438}\u{439}\";tag=_token~1'+`*%!-.
Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{
CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~
Max-Forwards: 255
extensionHeader-!.%*+_`'~: \u{FEFF}\u{5927}\u{505C}\u{96FB}
Content-Length: 0

";
    let req = request(text);
    assert_eq!(
        req.method,
        Method::Other("!interesting-Method0123456789_*+`.%indeed'~".into())
    );
    assert_eq!(
        req.uri.user.as_deref(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(
        req.uri.password.as_deref(),
        Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    );
    let to = req.headers.to().unwrap();
    assert_eq!(to.display_name.as_deref(), Some("BEL:\x07 NUL:\x00 DEL:\x7F"));
    let from = req.headers.from().unwrap();
    assert_eq!(
        from.display_name.as_deref(),
        Some("token1~` token2'+_ token3*%!.-")
    );
    assert_eq!(from.tag(), Some("_token~1'+`*%!-."));
    assert_eq!(
        req.headers.call_id(),
        Some("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
    );
    assert_eq!(req.headers.max_forwards(), Some(255));
    assert_eq!(
        req.headers.other("extensionHeader-!.%*+_`'~"),
        Some("\u{FEFF}\u{5927}\u{505C}\u{96FB}")
    );
    assert_round_trip(&Message::Request(req));
}

#[test]
fn esc01_percent_escapes_are_decoded_in_user_parts() {
    let text = format!(
        "INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0
To: sip:%75se%72@example.com
From: <sip:I%20have%20spaces@example.net>;tag=938
Max-Forwards: 87
i: esc01.239409asdfakjkn23onasd0-3234
CSeq: 234234 INVITE
Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw
C: application/sdp
Contact:
  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>
Content-Length: 150

{SDP_150}"
    );
    let req = request(&text);
    assert_eq!(req.uri.user.as_deref(), Some("sips:user@example.com"));
    assert_eq!(req.uri.host, Host::Domain("example.net".into()));
    assert_eq!(req.headers.to().unwrap().uri.user.as_deref(), Some("user"));
    assert_eq!(
        req.headers.from().unwrap().uri.user.as_deref(),
        Some("I have spaces")
    );
    let contact = req.headers.contact().unwrap();
    assert_eq!(contact.uri.user.as_deref(), Some("caller"));
    // URI parameters keep their escaped form
    assert_eq!(contact.uri.params[0].name, "%6C%72");
    assert_eq!(contact.uri.param("n%61me"), Some(Some("v%61lue%25%34%31")));
    // the writer escapes what must be escaped
    let written = String::from_utf8(req.to_bytes()).unwrap();
    assert!(written.starts_with("INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0\r\n"));
    assert!(written.contains("<sip:I%20have%20spaces@example.net>"));
    assert_round_trip(&Message::Request(req));
}

#[test]
fn escnull_escaped_nul_is_kept_in_the_user_part() {
    let req = request(
        "REGISTER sip:example.com SIP/2.0
To: sip:null-%00-null@example.com
From: sip:null-%00-null@example.com;tag=839923423
Max-Forwards: 70
Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd
CSeq: 14398234 REGISTER
Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw
Contact: <sip:%00@host5.example.com>
Contact: <sip:%00%00@host5.example.com>
L:0

",
    );
    assert_eq!(
        req.headers.to().unwrap().uri.user.as_deref(),
        Some("null-\0-null")
    );
    let contacts: Vec<_> = req.headers.contacts().collect();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[1].uri.user.as_deref(), Some("\0\0"));
    assert_round_trip(&Message::Request(req));
}

#[test]
fn esc02_percent_in_method_is_not_an_escape() {
    let req = request(
        "RE%47IST%45R sip:registrar.example.com SIP/2.0
To: \"%Z%45\" <sip:resource@example.com>
From: \"%Z%45\" <sip:resource@example.com>;tag=f232jadfj23
Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf
Via: SIP/2.0/TCP host.example.com;branch=z9hG4bK209%fzsnel234
CSeq: 29344 RE%47IST%45R
Max-Forwards: 70
Contact: <sip:alias1@host1.example.com>
C%6Fntact: <sip:alias2@host2.example.com>
Contact: <sip:alias3@host3.example.com>
l: 0

",
    );
    assert_eq!(req.method, Method::Other("RE%47IST%45R".into()));
    assert_eq!(req.headers.to().unwrap().display_name.as_deref(), Some("%Z%45"));
    assert_eq!(req.headers.contacts().count(), 2);
    assert_eq!(
        req.headers.other("C%6Fntact"),
        Some("<sip:alias2@host2.example.com>")
    );
    assert_round_trip(&Message::Request(req));
}

#[test]
fn lwsdisp_display_name_directly_before_angle_bracket() {
    let req = request(
        "OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: caller<sip:caller@example.com>;tag=323
Max-Forwards: 70
Call-ID: lwsdisp.1234abcd@funky.example.com
CSeq: 60 OPTIONS
Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw
l: 0

",
    );
    let from = req.headers.from().unwrap();
    assert_eq!(from.display_name.as_deref(), Some("caller"));
    assert_eq!(from.uri.user.as_deref(), Some("caller"));
    assert_eq!(from.tag(), Some("323"));
}

#[test]
fn longreq_long_values_and_many_vias_parse() {
    let extreme = "extreme".repeat(10);
    let caller = "amazinglylongcallername".repeat(5);
    let tag = format!("12{}424", "982".repeat(50));
    let mut text = format!(
        "INVITE sip:user@example.com SIP/2.0
To: \"I have a user name of {extreme} proportion\" <sip:user@example.com:6000;unknownparam1=very{v}value;longparam{n}=shortvalue;very{p}ParameterNameWithNoValue>
F: sip:{caller}@example.net;tag={tag};unknownheaderparam{hn}=unknowheaderparam{hv};unknownValueless{vl}
Call-ID: longreq.one{cid}longcallid
CSeq: 3882340 INVITE
Unknown-{ln}-Name: unknown-{lv}-value;unknown-{lp}-parameter-name=unknown-{lp}-parameter-value
",
        v = "long".repeat(20),
        n = "name".repeat(25),
        p = "long".repeat(25),
        hn = "name".repeat(20),
        hv = "value".repeat(15),
        vl = "paramname".repeat(10),
        cid = "really".repeat(20),
        ln = "Long".repeat(20),
        lv = "long".repeat(20),
        lp = "long".repeat(20),
    );
    let names = [
        "Via", "v", "V", "Via", "ViA", "VIa", "VIA", "via", "viA", "vIa", "vIA", "V ", "v ", "V  ", "v  ",
        "Via ", "Via  ",
    ];
    for i in (1..=33).rev() {
        let name = names.get(33 - i).copied().unwrap_or("Via");
        text.push_str(&format!("{name}: SIP/2.0/TCP sip{i}.example.com\n"));
    }
    text.push_str(&format!(
        "Via: SIP/2.0/TCP host.example.com;received=192.0.2.5;branch=very{}branchvalue
Max-Forwards: 70
Contact: <sip:{caller}@host5.example.net>
Content-Type: application/sdp
l: 150

{SDP_150}",
        "long".repeat(50)
    ));
    let req = request(&text);
    assert_eq!(req.headers.vias().count(), 34);
    assert_eq!(
        req.headers.top_via().unwrap().host,
        Host::Domain("sip33.example.com".into())
    );
    assert_eq!(req.headers.from().unwrap().tag(), Some(tag.as_str()));
    assert_eq!(req.headers.to().unwrap().uri.port, Some(6000));
    assert_eq!(req.headers.vias().last().unwrap().received(), Some("192.0.2.5"));
    assert_round_trip(&Message::Request(req));
}

#[test]
fn dblreq_octets_after_content_length_are_ignored() {
    let text = format!(
        "REGISTER sip:example.com SIP/2.0
To: sip:j.user@example.com
From: sip:j.user@example.com;tag=43251j3j324
Max-Forwards: 8
I: dblreq.0ha0isndaksdj99sdfafnl3lk233412
Contact: sip:j.user@host.example.com
CSeq: 8 REGISTER
Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492
Content-Length: 0

INVITE sip:joe@example.com SIP/2.0
t: sip:joe@example.com
From: sip:caller@example.net;tag=141334
Max-Forwards: 8
Call-ID: dblreq.0ha0isnda977644900765@192.0.2.15
CSeq: 8 INVITE
Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234
Content-Type: application/sdp
Content-Length: 150

{SDP_150}"
    );
    let req = request(&text);
    assert_eq!(req.method, Method::Register);
    assert_eq!(
        req.headers.call_id(),
        Some("dblreq.0ha0isndaksdj99sdfafnl3lk233412")
    );
    assert!(req.body.is_empty());
}

#[test]
fn semiuri_semicolon_in_user_part_belongs_to_the_user() {
    let req = request(
        "OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0
To: sip:j_user@example.com
From: sip:caller@example.org;tag=33242
Max-Forwards: 3
Call-ID: semiuri.0ha0isndaksdj
CSeq: 8 OPTIONS
Accept: application/sdp, application/pkcs7-mime,
        multipart/mixed, multipart/signed,
        message/sip, message/sipfrag
Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw
l: 0

",
    );
    assert_eq!(req.uri.user.as_deref(), Some("user;par=u@example.net"));
    assert_eq!(req.uri.host, Host::Domain("example.com".into()));
    assert!(req.uri.params.is_empty());
    assert_eq!(
        req.headers.other("Accept"),
        Some(
            "application/sdp, application/pkcs7-mime, multipart/mixed, multipart/signed, message/sip, message/sipfrag"
        )
    );
    assert_round_trip(&Message::Request(req));
}

#[test]
fn transports_known_and_unknown_via_transports_parse() {
    let req = request(
        "OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: <sip:caller@example.com>;tag=323
Max-Forwards: 70
Call-ID:  transports.kijh4akdnaqjkwendsasfdj
Accept: application/sdp
CSeq: 60 OPTIONS
Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw
Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf
Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj
Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en
Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee
l: 0

",
    );
    let t: Vec<_> = req.headers.vias().map(|v| v.transport.clone()).collect();
    assert_eq!(
        t,
        vec![
            Transport::Udp,
            Transport::Sctp,
            Transport::Tls,
            Transport::Other("UNKNOWN".into()),
            Transport::Tcp
        ]
    );
    assert_round_trip(&Message::Request(req));
}

#[test]
fn mpart01_binary_multipart_body_is_exactly_content_length() {
    let mut body = b"--boundary42\r\nContent-Type: text/plain\r\n\r\nhello\r\n--boundary42\r\n\
Content-Type: application/octet-stream\r\n\r\n"
        .to_vec();
    body.extend_from_slice(&[0x30, 0x82, 0x01, 0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x0a, 0x80]);
    body.extend_from_slice(b"\r\n--boundary42--\r\n");
    let head = format!(
        "MESSAGE sip:kumiko@example.org SIP/2.0\r\n\
Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-;rport\r\n\
Max-Forwards: 70\r\nRoute: <sip:127.0.0.1:5080>\r\nContact: <sip:fluffy@127.0.0.1:5070>\r\n\
To: <sip:kumiko@example.org>\r\nFrom: <sip:fluffy@example.com>;tag=2fb0dcc9\r\n\
Call-ID: 3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..\r\nCSeq: 1 MESSAGE\r\n\
Content-Type: multipart/mixed;boundary=boundary42\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let mut datagram = head.into_bytes();
    datagram.extend_from_slice(&body);
    datagram.extend_from_slice(b"trailing junk");
    let Ok(Message::Request(req)) = Message::parse(&datagram) else {
        panic!("mpart01 must parse");
    };
    assert_eq!(req.body, body);
    let ct = req.headers.content_type().unwrap();
    assert!(ct.is("multipart", "mixed"));
    assert_eq!(ct.params[0].value.as_deref(), Some("boundary42"));
    assert_round_trip(&Message::Request(req));
}

#[test]
fn unreason_utf8_reason_phrase_is_kept() {
    let res = response(&format!(
        "SIP/2.0 200 = 2**3 * 5**2 \u{43d}\u{43e} \u{441}\u{442}\u{43e} \u{434}\u{435}\u{432}\u{44f}\u{43d}\u{43e}\u{441}\u{442}\u{43e} \u{434}\u{435}\u{432}\u{44f}\u{442}\u{44c} - \u{43f}\u{440}\u{43e}\u{441}\u{442}\u{43e}\u{435}
Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923
Call-ID: unreason.1234ksdfak3j2erwedfsASdf
CSeq: 35 INVITE
From: sip:user@example.com;tag=11141343
To: sip:user@example.edu;tag=2229
Content-Length: 154
Content-Type: application/sdp
Contact: <sip:user@host198.example.com>

{}",
        SDP_150.replace("192.0.2.3", "192.0.2.198").replace("192.0.2.4", "192.0.2.198")
    ));
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.reason.starts_with("= 2**3 * 5**2 \u{43d}\u{43e}"));
    assert!(
        res.reason
            .ends_with("\u{43f}\u{440}\u{43e}\u{441}\u{442}\u{43e}\u{435}")
    );
    assert_eq!(res.body.len(), 154);
    assert_round_trip(&Message::Response(res));
}

#[test]
fn noreason_empty_reason_phrase_is_accepted() {
    let res = response(
        "SIP/2.0 100 
Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe
Call-ID: noreason.asndj203insdf99223ndf
CSeq: 35 INVITE
From: <sip:user@example.com>;tag=39ansfi3
To: <sip:user@example.edu>;tag=902jndnke3
Content-Length: 0
Contact: <sip:user@host105.example.com>

",
    );
    assert_eq!(res.status, StatusCode::TRYING);
    assert_eq!(res.reason, "");
    assert!(res.status.is_provisional());
    assert_round_trip(&Message::Response(res));
}

#[test]
fn lwsstart_and_trws_extra_spaces_in_request_line_are_tolerated() {
    let req = request(&format!(
        "INVITE  sip:user@example.com  SIP/2.0  
Max-Forwards: 8
To: sip:user@example.com
From: sip:caller@example.net;tag=8814
Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com
CSeq: 1893884 INVITE
Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw3923
Contact: <sip:caller@host1.example.net>
Content-Type: application/sdp
Content-Length: 150

{SDP_150}"
    ));
    assert_eq!(req.uri.to_string(), "sip:user@example.com");
    assert!(
        req.to_bytes()
            .starts_with(b"INVITE sip:user@example.com SIP/2.0\r\n")
    );
}

#[test]
fn escruri_escaped_headers_in_request_uri_are_kept() {
    let req = request(&format!(
        "INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=341518
Max-Forwards: 7
Contact: <sip:caller@host39923.example.net>
Call-ID: escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5
CSeq: 149209342 INVITE
Via: SIP/2.0/UDP host-of-the-hour.example.com;branch=z9hG4bKkdjuw
Content-Type: application/sdp
Content-Length: 150

{SDP_150}"
    ));
    assert_eq!(req.uri.headers.len(), 1);
    assert_eq!(req.uri.headers[0].name, "Route");
    assert_eq!(req.uri.headers[0].value.as_deref(), Some("%3Csip:example.com%3E"));
}

#[test]
fn baddate_and_badaspec_are_tolerated() {
    let req = request(
        "OPTIONS sip:user@example.org SIP/2.0
Via: SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234
Max-Forwards: 70
From: \"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=433423
To: \"Watson, Thomas\" < sip:t.watson@example.org >
Date: Fri, 01 Jan 2010 16:00:00 EST
Call-ID: badaspec.sdf0234n2nds0a099u23h3hnnw009cdkne3
Accept: application/sdp
CSeq: 3923239 OPTIONS
l: 0

",
    );
    assert_eq!(req.headers.to().unwrap().uri.user.as_deref(), Some("t.watson"));
    assert_eq!(
        req.headers.from().unwrap().display_name.as_deref(),
        Some("Bell, Alexander")
    );
    assert_eq!(req.headers.other("date"), Some("Fri, 01 Jan 2010 16:00:00 EST"));
}

#[test]
fn regaut01_unknown_authorization_scheme_is_kept_but_not_typed() {
    let req = request(
        "REGISTER sip:example.com SIP/2.0
To: sip:j.user@example.com
From: sip:j.user@example.com;tag=87321hj23128
Max-Forwards: 8
Call-ID: regaut01.0ha0isndaksdj
CSeq: 9338 REGISTER
Via: SIP/2.0/TCP 192.0.2.253;branch=z9hG4bKkdjuw
Authorization: NoOneKnowsThisScheme opaque-data=here
Content-Length:0

",
    );
    assert_eq!(req.headers.authorization(), None);
    assert_eq!(
        req.headers.other("Authorization"),
        Some("NoOneKnowsThisScheme opaque-data=here")
    );
    assert_round_trip(&Message::Request(req));
}

#[test]
fn bcast_zeromf_and_badbranch_are_processed_normally() {
    let res = response(
        "SIP/2.0 200 OK
Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923
Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23
Call-ID: bcast.0384840201234ksdfak3j2erwedfsASdf
CSeq: 35 INVITE
From: sip:user@example.com;tag=11141343
To: sip:user@example.edu;tag=2229
Content-Length: 0

",
    );
    assert_eq!(
        res.headers.vias().nth(1).unwrap().host,
        Host::Ipv4(Ipv4Addr::BROADCAST)
    );
    let req = request(
        "OPTIONS sip:user@example.com SIP/2.0
To: sip:user@example.com
From: sip:caller@example.net;tag=3ghsd41
Call-ID: zeromf.jfasdlfnm2o2l43r5u0asdfas
CSeq: 39234321 OPTIONS
Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bK
Max-Forwards: 0

",
    );
    assert_eq!(req.headers.max_forwards(), Some(0));
    assert_eq!(req.headers.top_via().unwrap().branch(), Some("z9hG4bK"));
}

#[test]
fn cparam01_and_cparam02_place_parameters_by_brackets() {
    let base = "REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw
Max-Forwards: 70
From: sip:watson@example.com;tag=DkfVgjkrtMwaerKKpe
To: sip:watson@example.com
Call-ID: cparam01.70710@saturn.example.com
CSeq: 2 REGISTER
";
    let req = request(&format!(
        "{base}Contact: sip:+19725552222@gw1.example.net;unknownparam\nl: 0\n\n"
    ));
    let c = req.headers.contact().unwrap();
    assert!(c.uri.params.is_empty());
    assert_eq!(c.param("unknownparam"), Some(None));
    let req = request(&format!(
        "{base}Contact: <sip:+19725552222@gw1.example.net;unknownparam>\nl: 0\n\n"
    ));
    let c = req.headers.contact().unwrap();
    assert_eq!(c.uri.param("unknownparam"), Some(None));
    assert!(c.params.is_empty());
}

#[test]
fn regescrt_escaped_header_in_bracketed_contact_uri_parses() {
    let req = request(
        "REGISTER sip:example.com SIP/2.0
To: sip:user@example.com
From: sip:user@example.com;tag=8
Max-Forwards: 70
Call-ID: regescrt.k345asrl3fdbv@192.0.2.1
CSeq: 14398234 REGISTER
Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw
M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>
L:0

",
    );
    let c = req.headers.contact().unwrap();
    assert_eq!(c.uri.headers[0].name, "Route");
}

#[test]
fn inv2543_without_content_length_takes_rest_of_datagram_as_body() {
    let text = format!(
        "INVITE sip:UserB@example.com SIP/2.0
Via: SIP/2.0/UDP iftgw.example.com
From: <sip:+13035551111@ift.client.example.net;user=phone>
Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>
To: sip:+16505552222@ss1.example.net;user=phone
Call-ID: inv2543.1717@ift.client.example.com
CSeq: 56 INVITE
Content-Type: application/sdp

{SDP_150}"
    );
    let req = request(&text);
    assert_eq!(req.body, SDP_150.replace('\n', "\r\n").into_bytes());
    assert_eq!(req.headers.top_via().unwrap().branch(), None);
    assert_eq!(req.headers.from().unwrap().tag(), None);
    assert_eq!(req.headers.max_forwards(), None);
    assert_eq!(
        req.headers.record_routes().next().unwrap().uri.param("maddr"),
        Some(Some("ss1.example.com"))
    );
}

#[test]
fn ipv6_references_in_uri_via_and_received() {
    let req = request(
        "REGISTER sip:[2001:db8::10] SIP/2.0
To: sip:user@[2001:db8::10]
From: sip:user@example.com;tag=81x2
Call-ID: SSG9559905523997077@hlau_4100
Max-Forwards: 70
CSeq: 1 REGISTER
Via: SIP/2.0/UDP [2001:db8::9:1]:5070;branch=z9hG4bKas3-111;received=2001:db8::9:255
Contact: \"Caller\" <sip:caller@[2001:db8::1]:5060>
l: 0

",
    );
    let addr: Ipv6Addr = "2001:db8::10".parse().unwrap();
    assert_eq!(req.uri.host, Host::Ipv6(addr));
    let via = req.headers.top_via().unwrap();
    assert_eq!(via.host, Host::Ipv6("2001:db8::9:1".parse().unwrap()));
    assert_eq!(via.port, Some(5070));
    assert_eq!(via.received(), Some("2001:db8::9:255"));
    assert_eq!(req.headers.contact().unwrap().uri.port, Some(5060));
    assert!(
        String::from_utf8(req.to_bytes())
            .unwrap()
            .contains("Via: SIP/2.0/UDP [2001:db8::9:1]:5070;")
    );
    assert_round_trip(&Message::Request(req));
}

#[test]
fn compact_forms_map_per_rfc3261_table() {
    let req = request(
        "INVITE sip:bob@biloxi.example.com SIP/2.0
v: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bKnashds8
f: Alice <sip:alice@atlanta.example.com>;tag=1928301774
t: Bob <sip:bob@biloxi.example.com>
i: a84b4c76e66710@pc33.atlanta.example.com
CSeq: 314159 INVITE
m: <sip:alice@pc33.atlanta.example.com>
c: application/sdp
k: 100rel, timer
o: dialog
r: <sip:carol@example.com>
b: <sip:alice@atlanta.example.com>
x: 1800;refresher=uac
u: talk, hold
s: lunch
e: gzip
l: 4

v=0
",
    );
    let h = &req.headers;
    assert!(h.content_type().unwrap().is("application", "sdp"));
    assert_eq!(h.contact().unwrap().uri.user.as_deref(), Some("alice"));
    assert!(
        h.iter()
            .any(|x| *x == Header::Supported(vec!["100rel".into(), "timer".into()]))
    );
    assert_eq!(h.event().map(|e| e.value.as_str()), Some("dialog"));
    assert_eq!(h.refer_to().and_then(|a| a.uri.user.as_deref()), Some("carol"));
    assert_eq!(h.referred_by().and_then(|a| a.uri.user.as_deref()), Some("alice"));
    let se = h.session_expires().unwrap();
    assert_eq!((se.seconds, se.refresher()), (1800, Some("uac")));
    assert_eq!(h.expires(), None);
    assert_eq!(h.other("Allow-Events"), Some("talk, hold"));
    assert_eq!(h.other("Subject"), Some("lunch"));
    assert!(
        h.iter()
            .any(|x| *x == Header::ContentEncoding(vec!["gzip".into()]))
    );
    assert_eq!(req.body, b"v=0\r");
    // the writer uses long names
    let text = String::from_utf8(req.to_bytes()).unwrap();
    assert!(text.contains("\r\nContent-Type: application/sdp\r\n"));
    assert!(text.contains("\r\nSupported: 100rel, timer\r\n"));
    assert!(text.contains("\r\nSession-Expires: 1800;refresher=uac\r\n"));
    assert!(!text.contains("\r\nc:"));
}

#[test]
fn comma_separated_lists_split_outside_quotes_and_brackets() {
    let req = request(
        "INVITE sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1, SIP/2.0/TCP b.example.com:5080;branch=z9hG4bK2;x=\"a,b\"
From: <sip:alice@example.com>;tag=1
To: <sip:bob@example.com>
Call-ID: lists@example.com
CSeq: 1 INVITE
Contact: \"Doe, John\" <sip:john@a.example.com>;q=0.5, <sip:jo,hn@b.example.com;x=1>;q=0.1
Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>
Route: <sip:p3.example.com;lr>
Record-Route: <sip:rr.example.com;lr>
Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, FOOBAR
Require: 100rel
Supported:
User-Agent: fxs-gateway/0.1 (test, build 7)
Server: none
Content-Length: 0

",
    );
    let h = &req.headers;
    let vias: Vec<_> = h.vias().collect();
    assert_eq!(vias.len(), 2);
    assert_eq!(vias[1].port, Some(5080));
    assert_eq!(vias[1].param("x"), Some(Some("\"a,b\"")));
    let contacts: Vec<_> = h.contacts().collect();
    assert_eq!(contacts.len(), 2);
    assert_eq!(contacts[0].display_name.as_deref(), Some("Doe, John"));
    assert_eq!(contacts[1].uri.user.as_deref(), Some("jo,hn"));
    assert_eq!(h.routes().count(), 3);
    assert_eq!(h.record_routes().count(), 1);
    assert!(
        h.iter()
            .any(|x| matches!(x, Header::Allow(m) if m.len() == 6 && m[5] == Method::Other("FOOBAR".into())))
    );
    assert!(h.iter().any(|x| *x == Header::Require(vec!["100rel".into()])));
    assert!(h.iter().any(|x| *x == Header::Supported(vec![])));
    assert!(
        h.iter()
            .any(|x| *x == Header::UserAgent("fxs-gateway/0.1 (test, build 7)".into()))
    );
    assert_round_trip(&Message::Request(req));
}

#[test]
fn digest_challenge_and_credentials_are_typed() {
    let res = response(
        "SIP/2.0 401 Unauthorized
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK1;received=192.0.2.99;rport=40000
From: <sip:1001@pbx.example.com>;tag=a
To: <sip:1001@pbx.example.com>;tag=b
Call-ID: auth@192.0.2.10
CSeq: 1 REGISTER
WWW-Authenticate: Digest realm=\"pbx.example.com\", nonce=\"5f1a\\\"x\", algorithm=SHA-256, qop=\"auth,auth-int\", opaque=\"op\", stale=TRUE
WWW-Authenticate: Digest realm=\"pbx.example.com\",nonce=\"5f1b\",algorithm=MD5,qop=\"auth\"
Proxy-Authenticate: Digest realm=\"p\", nonce=\"n\", algorithm=SHA-512-256, charset=UTF-8
Content-Length: 0

",
    );
    let via = res.headers.top_via().unwrap();
    assert_eq!(via.rport(), Some(Some(40000)));
    let ch: Vec<_> = res.headers.www_authenticate().collect();
    assert_eq!(ch.len(), 2);
    assert_eq!(ch[0].nonce, "5f1a\"x");
    assert_eq!(ch[0].algorithm, Some(DigestAlgorithm::Sha256));
    assert_eq!(ch[0].qop, vec!["auth".to_string(), "auth-int".to_string()]);
    assert!(ch[0].stale);
    assert_eq!(ch[1].algorithm, Some(DigestAlgorithm::Md5));
    let p = res.headers.proxy_authenticate().next().unwrap();
    assert_eq!(p.algorithm, Some(DigestAlgorithm::Other));
    assert_eq!(p.other.len(), 2);
    assert_round_trip(&Message::Response(res));

    let req = request(
        "REGISTER sip:pbx.example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK2
From: <sip:1001@pbx.example.com>;tag=a
To: <sip:1001@pbx.example.com>
Call-ID: auth@192.0.2.10
CSeq: 2 REGISTER
Authorization: Digest username=\"1001\", realm=\"pbx.example.com\", nonce=\"5f1b\", uri=\"sip:pbx.example.com\", response=\"0123456789abcdef0123456789abcdef\", algorithm=MD5, cnonce=\"xyz\", qop=auth, nc=0000000a
Content-Length: 0

",
    );
    let c = req.headers.authorization().unwrap();
    assert_eq!(c.username, "1001");
    assert_eq!(c.uri, "sip:pbx.example.com");
    assert_eq!(c.nc, Some(10));
    assert_eq!(c.qop.as_deref(), Some("auth"));
    let text = String::from_utf8(req.to_bytes()).unwrap();
    assert!(text.contains("qop=auth, nc=0000000a"));
    assert_round_trip(&Message::Request(req));
}

#[test]
fn tel_and_sips_uris_parse() {
    let u = fxs_sip::Uri::parse("tel:+1-201-555-0123;phone-context=example.com").unwrap();
    assert_eq!(u.scheme, Scheme::Tel);
    assert_eq!(u.user.as_deref(), Some("+1-201-555-0123"));
    assert_eq!(u.param("phone-context"), Some(Some("example.com")));
    assert_eq!(u.to_string(), "tel:+1-201-555-0123;phone-context=example.com");
    let u = fxs_sip::Uri::parse("SIPS:alice:secret@atlanta.example.com:05061;transport=tcp").unwrap();
    assert_eq!(u.scheme, Scheme::Sips);
    assert_eq!(u.password.as_deref(), Some("secret"));
    assert_eq!(u.port, Some(5061));
    assert_eq!(
        u.to_string(),
        "sips:alice:secret@atlanta.example.com:5061;transport=tcp"
    );
}

#[test]
fn leading_crlf_and_bare_lf_line_ends_are_accepted() {
    let mut data = b"\r\n\r\n".to_vec();
    data.extend_from_slice(
        b"OPTIONS sip:a@example.com SIP/2.0\nVia: SIP/2.0/UDP h.example.com;branch=z9hG4bK1\n\
From: <sip:b@example.com>;tag=1\nTo: <sip:a@example.com>\nCall-ID: lf@h\nCSeq: 1 OPTIONS\n\n",
    );
    assert!(matches!(Message::parse(&data), Ok(Message::Request(_))));
}

#[test]
fn response_for_request_copies_dialog_headers_and_adds_to_tag() {
    let req = request(
        "INVITE sip:bob@example.com SIP/2.0
Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1
Via: SIP/2.0/UDP b.example.com;branch=z9hG4bK2
Max-Forwards: 69
From: <sip:alice@example.com>;tag=1
To: <sip:bob@example.com>
Call-ID: resp@example.com
CSeq: 4 INVITE
Contact: <sip:alice@a.example.com>
Content-Type: application/sdp
Content-Length: 4

v=0
",
    );
    let res = Response::for_request(&req, StatusCode::BUSY_HERE, Some("xyz"));
    assert_eq!(res.reason, "Busy Here");
    assert_eq!(res.headers.vias().count(), 2);
    assert_eq!(res.headers.to().unwrap().tag(), Some("xyz"));
    assert_eq!(res.headers.from(), req.headers.from());
    assert_eq!(res.headers.cseq(), req.headers.cseq());
    assert_eq!(res.headers.call_id(), Some("resp@example.com"));
    assert_eq!(res.headers.contact(), None);
    assert_eq!(res.headers.max_forwards(), None);
    assert!(res.body.is_empty());
    // an existing To-tag is kept
    let mut tagged = req.clone();
    tagged.headers.to_mut().unwrap().set_tag("old");
    let res = Response::for_request(&tagged, StatusCode::OK, Some("new"));
    assert_eq!(res.headers.to().unwrap().tag(), Some("old"));
    assert_round_trip(&Message::Response(res));
}

#[test]
fn headers_editing_helpers_work_on_vias_and_names() {
    let mut req = request(
        "OPTIONS sip:a@example.com SIP/2.0
Via: SIP/2.0/UDP h1.example.com;branch=z9hG4bK1
Via: SIP/2.0/UDP h2.example.com;branch=z9hG4bK2
From: <sip:b@example.com>;tag=1
To: <sip:a@example.com>
Call-ID: edit@h
CSeq: 1 OPTIONS
X-Custom: one
x-custom: two
Content-Length: 0

",
    );
    let h = &mut req.headers;
    h.top_via_mut().unwrap().set_param("received", Some("192.0.2.1"));
    assert_eq!(h.top_via().unwrap().received(), Some("192.0.2.1"));
    let top = h.remove_top_via().unwrap();
    assert_eq!(top.branch(), Some("z9hG4bK1"));
    assert_eq!(h.top_via().unwrap().branch(), Some("z9hG4bK2"));
    h.push_top_via(top);
    assert_eq!(h.top_via().unwrap().branch(), Some("z9hG4bK1"));
    assert_eq!(h.others("X-CUSTOM").collect::<Vec<_>>(), vec!["one", "two"]);
    h.remove_all("x-custom");
    assert_eq!(h.other("X-Custom"), None);
    h.remove_all("via");
    assert_eq!(h.vias().count(), 0);
    assert!(matches!(h.iter().next(), Some(Header::From(_))));
}

#[test]
fn contact_star_is_its_own_value() {
    let req = request(
        "REGISTER sip:example.com SIP/2.0
Via: SIP/2.0/UDP h1.example.com;branch=z9hG4bK1
From: <sip:b@example.com>;tag=1
To: <sip:b@example.com>
Call-ID: star@h
CSeq: 3 REGISTER
Contact: *
Expires: 0
Content-Length: 0

",
    );
    assert!(req.headers.iter().any(|h| *h == Header::Contact(Contact::Star)));
    assert_eq!(req.headers.contact(), None);
    assert_eq!(req.headers.expires(), Some(0));
    assert_round_trip(&Message::Request(req));
}

#[test]
fn via_sent_by_allows_white_space_around_the_port_colon() {
    let req = request(
        "OPTIONS sip:a@example.com SIP/2.0
Via: SIP/2.0/UDP h1.example.com : 5062 ;branch=z9hG4bK1
From: <sip:b@example.com>;tag=1
To: <sip:a@example.com>
Call-ID: colon@h
CSeq: 1 OPTIONS
Content-Length: 0

",
    );
    let via = req.headers.top_via().unwrap();
    assert_eq!(via.port, Some(5062));
    assert_eq!(via.branch(), Some("z9hG4bK1"));
}
