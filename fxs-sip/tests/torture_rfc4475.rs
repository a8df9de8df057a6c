//! RFC 4475 torture tests: every message of the RFC, as files under
//! `tests/data/rfc4475/` (one `.dat` per message, named as in the RFC's
//! archive), parsed with the expected outcome of sip.md §10.
//!
//! Valid messages must parse and survive write → parse unchanged; invalid
//! ones must be refused with the response a UAS answers (status and a reason
//! phrase naming the defect). Messages the RFC says to tolerate (lwsstart,
//! trws, badaspec, baddate...) parse; those whose rejection is the UA's
//! business rather than the parser's (bext01 → 420, invut → 415) parse here
//! and are checked against the UA in `ua_errors.rs`.

use std::path::PathBuf;

use fxs_sip::{Header, Host, Message, Method, Scheme, Transport};

fn data(name: &str) -> Vec<u8> {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "data",
        "rfc4475",
        &format!("{name}.dat"),
    ]
    .iter()
    .collect();
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(name: &str) -> Message {
    match Message::parse(&data(name)) {
        Ok(m) => m,
        Err(e) => panic!("{name}: expected to parse, got {e}"),
    }
}

/// The expected outcome of each message (RFC 4475 §3; sip.md §10).
enum Expect {
    Parse,
    Reject(u16, &'static str),
}

const CASES: &[(&str, Expect)] = &[
    // §3.1.1 valid messages
    ("wsinv", Expect::Parse),
    ("intmeth", Expect::Parse),
    ("esc01", Expect::Parse),
    ("escnull", Expect::Parse),
    ("esc02", Expect::Parse),
    ("lwsdisp", Expect::Parse),
    ("longreq", Expect::Parse),
    ("dblreq", Expect::Parse),
    ("semiuri", Expect::Parse),
    ("transports", Expect::Parse),
    ("mpart01", Expect::Parse),
    ("unreason", Expect::Parse),
    ("noreason", Expect::Parse),
    // §3.1.2 invalid messages
    ("badinv01", Expect::Reject(400, "Bad Via header")),
    (
        "clerr",
        Expect::Reject(400, "Content-Length exceeds message size"),
    ),
    ("ncl", Expect::Reject(400, "Bad Content-Length header")),
    ("scalar02", Expect::Reject(400, "Bad CSeq header")),
    // a response: the status is what the parser reports; the UA drops it
    ("scalarlg", Expect::Reject(400, "Bad CSeq header")),
    ("quotbal", Expect::Reject(400, "Bad To header")),
    ("ltgtruri", Expect::Reject(400, "Bad Request-URI")),
    ("lwsruri", Expect::Reject(400, "Malformed start line")),
    ("lwsstart", Expect::Parse),
    ("trws", Expect::Parse),
    ("escruri", Expect::Parse),
    ("baddate", Expect::Parse),
    ("regbadct", Expect::Reject(400, "Bad Contact header")),
    ("badaspec", Expect::Parse),
    ("baddn", Expect::Reject(400, "Bad From header")),
    ("badvers", Expect::Reject(505, "Version Not Supported")),
    (
        "mismatch01",
        Expect::Reject(400, "CSeq method does not match request method"),
    ),
    (
        "mismatch02",
        Expect::Reject(400, "CSeq method does not match request method"),
    ),
    ("bigcode", Expect::Reject(400, "Malformed start line")),
    // §3.2 transaction layer
    ("badbranch", Expect::Parse),
    // §3.3 application layer
    ("insuf", Expect::Reject(400, "Missing From header")),
    ("unkscm", Expect::Reject(416, "Unsupported URI Scheme")),
    ("novelsc", Expect::Reject(416, "Unsupported URI Scheme")),
    ("unksm2", Expect::Parse),
    ("bext01", Expect::Parse),
    ("invut", Expect::Parse),
    ("regaut01", Expect::Parse),
    ("multi01", Expect::Reject(400, "Multiple CSeq headers")),
    ("mcl01", Expect::Reject(400, "Multiple Content-Length headers")),
    ("bcast", Expect::Parse),
    ("zeromf", Expect::Parse),
    ("cparam01", Expect::Parse),
    ("cparam02", Expect::Parse),
    ("regescrt", Expect::Parse),
    ("sdp01", Expect::Parse),
    // §3.4 backward compatibility
    ("inv2543", Expect::Parse),
];

#[test]
fn every_torture_message_has_its_expected_outcome() {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", "rfc4475"]
        .iter()
        .collect();
    let files = std::fs::read_dir(&dir).expect("data dir").count();
    assert_eq!(files, CASES.len(), "every file in {} has a case", dir.display());
    for (name, expect) in CASES {
        let result = Message::parse(&data(name));
        match (expect, result) {
            (Expect::Parse, Ok(msg)) => {
                let again = Message::parse(&msg.to_bytes())
                    .unwrap_or_else(|e| panic!("{name}: written form does not parse: {e}"));
                assert_eq!(again, msg, "{name}: write → parse changed the message");
            }
            (Expect::Parse, Err(e)) => panic!("{name}: expected to parse, got {e}"),
            (Expect::Reject(code, reason), Ok(_)) => {
                panic!("{name}: expected {code} {reason}, but it parsed")
            }
            (Expect::Reject(code, reason), Err(e)) => {
                let (status, phrase) = e.response_status();
                assert_eq!((status.0, phrase.as_str()), (*code, *reason), "{name}: {e}");
            }
        }
    }
}

#[test]
fn wsinv_folding_case_and_compact_forms() {
    let Message::Request(r) = parse("wsinv") else {
        panic!()
    };
    assert_eq!(r.method, Method::Invite);
    assert_eq!(r.uri.param("unknownparam"), Some(None));
    let h = &r.headers;
    assert_eq!(h.to().and_then(|t| t.tag()), Some("1918181833n"));
    let from = h.from().unwrap();
    assert_eq!(from.display_name.as_deref(), Some("J Rosenberg \\\""));
    assert_eq!(from.tag(), Some("98asjd8"));
    assert_eq!(h.max_forwards(), Some(68));
    assert_eq!(
        h.cseq().map(|c| (c.seq, c.method.clone())),
        Some((9, Method::Invite))
    );
    let vias: Vec<_> = h
        .vias()
        .map(|v| (v.transport.clone(), v.host.clone(), v.branch()))
        .collect();
    assert_eq!(vias.len(), 3);
    assert_eq!(
        vias[0],
        (
            Transport::Udp,
            Host::Ipv4("192.0.2.2".parse().unwrap()),
            Some("390skdjuw")
        )
    );
    assert_eq!(vias[1].2, Some("z9hG4bK9ikj8"));
    assert_eq!(vias[2].2, Some("z9hG4bK30239"));
    assert_eq!(h.other("Subject"), Some(""));
    assert_eq!(
        h.other("NewFangledHeader"),
        Some("newfangled value continued newfangled value")
    );
    assert_eq!(h.other("UnknownHeaderWithUnusualValue"), Some(";;,,;;,;"));
    let contact = h.contact().unwrap();
    assert_eq!(contact.display_name.as_deref(), Some("Quoted string \"\""));
    assert_eq!(contact.param("newparam"), Some(Some("newvalue")));
    assert_eq!(contact.param("secondparam"), Some(None));
    assert_eq!(contact.param("q"), Some(Some("0.33")));
    assert_eq!(h.routes().next().and_then(|r| r.uri.param("lr")), Some(None));
    assert_eq!(r.body.len(), 150);
}

#[test]
fn intmeth_unusual_tokens_and_quoted_controls() {
    let Message::Request(r) = parse("intmeth") else {
        panic!()
    };
    assert_eq!(
        r.method,
        Method::Other("!interesting-Method0123456789_*+`.%indeed'~".into())
    );
    assert_eq!(
        r.uri.user.as_deref(),
        Some("1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
    );
    assert_eq!(
        r.uri.password.as_deref(),
        Some("&it+has=1,weird!*pas$wo~d_too.(doesn't-it)")
    );
    let to = r.headers.to().unwrap();
    assert_eq!(to.display_name.as_deref(), Some("BEL:\u{7} NUL:\u{0} DEL:\u{7f}"));
    let from = r.headers.from().unwrap();
    assert_eq!(
        from.display_name.as_deref(),
        Some("token1~` token2'+_ token3*%!.-")
    );
    assert_eq!(from.tag(), Some("_token~1'+`*%!-."));
    assert_eq!(
        r.headers.call_id(),
        Some("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
    );
    assert_eq!(
        r.headers.other("extensionHeader-!.%*+_`'~"),
        Some("\u{feff}大停電")
    );
}

#[test]
fn escapes_are_decoded_where_the_grammar_has_them() {
    let Message::Request(r) = parse("esc01") else {
        panic!()
    };
    assert_eq!(r.uri.user.as_deref(), Some("sips:user@example.com"));
    assert_eq!(r.headers.to().and_then(|t| t.uri.user.as_deref()), Some("user"));
    assert_eq!(
        r.headers.from().and_then(|t| t.uri.user.as_deref()),
        Some("I have spaces")
    );
    let contact = r.headers.contact().unwrap();
    assert_eq!(contact.uri.user.as_deref(), Some("caller"));
    // URI parameters keep their escapes (compared after unescaping by users)
    assert_eq!(contact.uri.params[0].name, "%6C%72");

    let Message::Request(r) = parse("escnull") else {
        panic!()
    };
    assert_eq!(
        r.headers.to().and_then(|t| t.uri.user.as_deref()),
        Some("null-\0-null")
    );
    let users: Vec<_> = r
        .headers
        .contacts()
        .map(|c| c.uri.user.clone().unwrap())
        .collect();
    assert_eq!(users, ["\0", "\0\0"]);

    // % is not an escape in a method, a display name or a header name
    let Message::Request(r) = parse("esc02") else {
        panic!()
    };
    assert_eq!(r.method, Method::Other("RE%47IST%45R".into()));
    assert_eq!(
        r.headers.to().and_then(|t| t.display_name.as_deref()),
        Some("%Z%45")
    );
    assert_eq!(r.headers.contacts().count(), 2);
    assert_eq!(
        r.headers.other("C%6Fntact"),
        Some("<sip:alias2@host2.example.com>")
    );
}

#[test]
fn framing_and_start_line_cases() {
    // dblreq: only the REGISTER, the trailing INVITE is ignored
    let Message::Request(r) = parse("dblreq") else {
        panic!()
    };
    assert_eq!(r.method, Method::Register);
    assert!(r.body.is_empty());
    // semiuri: the ; belongs to the user part
    let Message::Request(r) = parse("semiuri") else {
        panic!()
    };
    assert_eq!(r.uri.user.as_deref(), Some("user;par=u@example.net"));
    assert!(r.uri.params.is_empty());
    // mpart01: body length = Content-Length, binary octets kept
    let Message::Request(r) = parse("mpart01") else {
        panic!()
    };
    assert_eq!(r.body.len(), 553);
    assert!(r.headers.content_type().unwrap().is("multipart", "mixed"));
    // unreason / noreason
    let Message::Response(resp) = parse("unreason") else {
        panic!()
    };
    assert_eq!(resp.reason, "= 2**3 * 5**2 но сто девяносто девять - простое");
    let Message::Response(resp) = parse("noreason") else {
        panic!()
    };
    assert_eq!((resp.status.0, resp.reason.as_str()), (100, ""));
    // inv2543: no Content-Length over UDP, body is the rest of the datagram
    let Message::Request(r) = parse("inv2543") else {
        panic!()
    };
    assert!(r.body.starts_with(b"v=0\r\n"));
    // lwsstart/trws are tolerated and normalised on output
    let m = parse("lwsstart");
    assert!(
        m.to_bytes()
            .starts_with(b"INVITE sip:user@example.com SIP/2.0\r\n")
    );
}

#[test]
fn transports_vias_keep_unknown_transport() {
    let m = parse("transports");
    let t: Vec<_> = m.headers().vias().map(|v| v.transport.clone()).collect();
    assert_eq!(
        t,
        [
            Transport::Udp,
            Transport::Sctp,
            Transport::Tls,
            Transport::Other("UNKNOWN".into()),
            Transport::Tcp
        ]
    );
}

#[test]
fn application_layer_cases_parse_with_the_right_structure() {
    // unksm2: absolute URIs of unknown schemes in To, From, Contact
    let m = parse("unksm2");
    let h = m.headers();
    assert_eq!(h.to().unwrap().uri.scheme, Scheme::Other("isbn".into()));
    assert_eq!(h.from().unwrap().uri.to_string(), "http://www.example.com");
    assert_eq!(h.from().unwrap().tag(), Some("3234233"));
    assert_eq!(h.contact().unwrap().uri.to_string(), "name:John_Smith");
    // bext01: Require and Proxy-Require are typed (the UA answers 420)
    let m = parse("bext01");
    let req: Vec<_> = m.headers().require().collect();
    assert_eq!(req, ["nothingSupportsThis", "nothingSupportsThisEither"]);
    assert!(
        m.headers()
            .iter()
            .any(|h| matches!(h, Header::ProxyRequire(t) if t.len() == 2))
    );
    // regaut01: an unknown auth scheme is kept verbatim
    let m = parse("regaut01");
    assert!(m.headers().authorization().is_none());
    assert_eq!(
        m.headers().other("Authorization"),
        Some("NoOneKnowsThisScheme opaque-data=here")
    );
    // zeromf
    assert_eq!(parse("zeromf").headers().max_forwards(), Some(0));
    // cparam01: without <> the parameter is a contact parameter...
    let m = parse("cparam01");
    let c = m.headers().contact().unwrap();
    assert_eq!(
        (c.param("unknownparam"), c.uri.param("unknownparam")),
        (Some(None), None)
    );
    // ... cparam02: inside <> it is a URI parameter
    let m = parse("cparam02");
    let c = m.headers().contact().unwrap();
    assert_eq!(
        (c.param("unknownparam"), c.uri.param("unknownparam")),
        (None, Some(None))
    );
    // regescrt: escaped URI headers inside <> are kept
    let m = parse("regescrt");
    let c = m.headers().contact().unwrap();
    assert_eq!(c.uri.headers[0].name, "Route");
    assert_eq!(
        c.uri.headers[0].value.as_deref(),
        Some("%3Csip:sip.example.com%3E")
    );
    // bcast: a broadcast sent-by is just an address
    let m = parse("bcast");
    assert_eq!(
        m.headers().vias().nth(1).map(|v| v.host.clone()),
        Some(Host::Ipv4([255; 4].into()))
    );
    // badbranch: the bare magic cookie is kept as the branch
    assert_eq!(
        parse("badbranch").headers().top_via().and_then(|v| v.branch()),
        Some("z9hG4bK")
    );
}
