//! Property: for generated requests and responses, parse(write(msg)) == msg.

use std::net::{Ipv4Addr, Ipv6Addr};

use fxs_sip::{
    CSeq, Challenge, Contact, Credentials, DeltaSeconds, DigestAlgorithm, Header, Headers, Host, InfoUri,
    MediaType, Message, Method, NameAddr, Param, RAck, Reason, Replaces, Request, Response, Scheme,
    StatusCode, TokenParams, Transport, Uri, Via,
};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9][A-Za-z0-9.!%*_+`'~-]{0,10}"
}

fn method() -> impl Strategy<Value = Method> {
    prop_oneof![
        Just(Method::Invite),
        Just(Method::Ack),
        Just(Method::Bye),
        Just(Method::Cancel),
        Just(Method::Register),
        Just(Method::Options),
        Just(Method::Info),
        Just(Method::Refer),
        Just(Method::Notify),
        Just(Method::Subscribe),
        Just(Method::Prack),
        Just(Method::Update),
        Just(Method::Message),
        Just(Method::Publish),
        token().prop_map(|t| Method::parse(&t)),
    ]
}

fn host() -> impl Strategy<Value = Host> {
    prop_oneof![
        "[a-z][a-z0-9-]{0,8}(\\.[a-z][a-z0-9-]{0,6}){0,2}".prop_map(Host::Domain),
        any::<u32>().prop_map(|v| Host::Ipv4(Ipv4Addr::from(v))),
        any::<u128>().prop_map(|v| Host::Ipv6(Ipv6Addr::from(v))),
    ]
}

/// A header or Via parameter: flag, token value or quoted value.
fn header_param() -> impl Strategy<Value = Param> {
    (
        "[a-z][a-z0-9-]{0,6}",
        option::of(prop_oneof!["[A-Za-z0-9.!%*_+`'~-]{1,8}", "\"[a-z ,;]{0,6}\""]),
    )
        .prop_map(|(name, value)| Param { name, value })
}

/// A URI parameter, escaped form kept.
fn uri_param() -> impl Strategy<Value = Param> {
    (
        "[a-z][a-z0-9-]{0,6}",
        option::of("[a-z0-9_~-]{1,6}(%[0-9A-F]{2})?"),
    )
        .prop_map(|(name, value)| Param { name, value })
}

fn text() -> impl Strategy<Value = String> {
    // printable, including quotes, backslashes and non-ASCII, plus control
    // characters other than CR/LF (they travel as quoted-pairs)
    "[\\PC\u{0}-\u{8}\u{b}\u{c}\u{e}-\u{1f}\u{7f}\u{85}]{0,12}"
}

fn sip_uri() -> impl Strategy<Value = Uri> {
    (
        prop_oneof![Just(Scheme::Sip), Just(Scheme::Sips)],
        option::of("\\PC{1,10}"),
        option::of("\\PC{0,6}"),
        host(),
        option::of(any::<u16>()),
        vec(uri_param(), 0..3),
        vec(
            ("[A-Za-z][A-Za-z0-9-]{0,6}", "[A-Za-z0-9%:]{0,6}").prop_map(|(n, v)| Param::new(&n, Some(&v))),
            0..2,
        ),
    )
        .prop_map(|(scheme, user, password, host, port, params, headers)| Uri {
            scheme,
            password: user.as_ref().and(password),
            user,
            host,
            port,
            params,
            headers: headers
                .into_iter()
                .filter(|h| !h.value.as_deref().unwrap_or("").contains('%'))
                .collect(),
        })
}

/// RFC 3966: a global number, or a local number with its phone-context.
fn tel_uri() -> impl Strategy<Value = Uri> {
    let global = ("\\+[0-9][0-9.()-]{0,10}", vec(uri_param(), 0..2));
    let local = (
        "[0-9A-F*#][0-9A-F*#.-]{0,6}",
        "\\+?[a-z0-9][a-z0-9.-]{0,8}",
        vec(uri_param(), 0..2),
    )
        .prop_map(|(n, ctx, mut params)| {
            params.retain(|p| !p.name.eq_ignore_ascii_case("phone-context"));
            params.insert(0, Param::new("phone-context", Some(&ctx)));
            (n, params)
        });
    prop_oneof![global, local].prop_map(|(number, params)| Uri {
        scheme: Scheme::Tel,
        user: Some(number),
        password: None,
        host: Host::Domain(String::new()),
        port: None,
        params,
        headers: Vec::new(),
    })
}

/// An absolute URI of another scheme (RFC 4475 unksm2), allowed in name-addr.
fn absolute_uri() -> impl Strategy<Value = Uri> {
    ("(http|isbn|urn|x-[a-z]{1,4})", "[A-Za-z0-9_.:/;?=&%@+-]{1,16}").prop_map(|(scheme, rest)| Uri {
        scheme: Scheme::Other(scheme),
        user: Some(rest),
        password: None,
        host: Host::Domain(String::new()),
        port: None,
        params: Vec::new(),
        headers: Vec::new(),
    })
}

fn uri() -> impl Strategy<Value = Uri> {
    prop_oneof![4 => sip_uri(), 1 => tel_uri()]
}

fn name_addr() -> BoxedStrategy<NameAddr> {
    let any_uri = prop_oneof![6 => uri(), 1 => absolute_uri()];
    (option::of(text()), any_uri, vec(header_param(), 0..3))
        .prop_map(|(display_name, uri, params)| NameAddr {
            display_name,
            uri,
            params,
        })
        .boxed()
}

fn via() -> impl Strategy<Value = Via> {
    (
        prop_oneof![
            Just(Transport::Udp),
            Just(Transport::Tcp),
            Just(Transport::Tls),
            Just(Transport::Sctp),
            Just(Transport::Ws),
            Just(Transport::Wss),
            Just(Transport::Other("QUIC".into())),
        ],
        host(),
        option::of(any::<u16>()),
        vec(header_param(), 0..4),
    )
        .prop_map(|(transport, host, port, params)| Via {
            transport,
            host,
            port,
            params,
        })
}

/// `algorithm` and `other` consistent with how the parser keeps an unknown algorithm.
fn algorithm_and_other() -> impl Strategy<Value = (Option<DigestAlgorithm>, Vec<Param>)> {
    let other = vec(
        ("x-[a-z]{1,5}", prop_oneof!["[a-z0-9]{1,6}", "\"[a-z ,]{0,6}\""])
            .prop_map(|(n, v)| Param::new(&n, Some(&v))),
        0..2,
    );
    (
        prop_oneof![
            Just(None),
            Just(Some(DigestAlgorithm::Md5)),
            Just(Some(DigestAlgorithm::Md5Sess)),
            Just(Some(DigestAlgorithm::Sha256)),
            Just(Some(DigestAlgorithm::Sha256Sess)),
            Just(Some(DigestAlgorithm::Other)),
        ],
        other,
    )
        .prop_map(|(alg, mut other)| {
            if alg == Some(DigestAlgorithm::Other) {
                other.insert(0, Param::new("algorithm", Some("SHA-512-256")));
            }
            (alg, other)
        })
}

fn challenge() -> impl Strategy<Value = Challenge> {
    (
        text(),
        text(),
        option::of(text()),
        algorithm_and_other(),
        vec("auth|auth-int|[a-z]{1,5}", 0..3),
        any::<bool>(),
        option::of(text()),
    )
        .prop_map(
            |(realm, nonce, opaque, (algorithm, other), qop, stale, domain)| Challenge {
                realm,
                nonce,
                opaque,
                algorithm,
                qop,
                stale,
                domain,
                other,
            },
        )
}

fn credentials() -> impl Strategy<Value = Credentials> {
    (
        (text(), text(), text(), text(), "[0-9a-f]{32}"),
        algorithm_and_other(),
        option::of(text()),
        option::of(text()),
        option::of("auth|auth-int|[a-z ]{1,5}"),
        option::of(any::<u32>()),
    )
        .prop_map(
            |((username, realm, nonce, uri, response), (algorithm, other), cnonce, opaque, qop, nc)| {
                Credentials {
                    username,
                    realm,
                    nonce,
                    uri,
                    response,
                    algorithm,
                    cnonce,
                    opaque,
                    qop,
                    nc,
                    other,
                }
            },
        )
}

/// A verbatim header value: no leading/trailing white space, no controls.
fn verbatim() -> impl Strategy<Value = String> {
    "([!-~\u{a1}-\u{2ff}]([ !-~\u{a1}-\u{2ff}]{0,20}[!-~\u{a1}-\u{2ff}])?)?"
}

/// Headers that may repeat (the single-valued ones are added by `headers`).
fn repeatable_header() -> BoxedStrategy<Header> {
    prop_oneof![
        via().prop_map(Header::Via),
        prop_oneof![
            Just(Contact::Star),
            vec(name_addr(), 1..3).prop_map(Contact::Addresses)
        ]
        .prop_map(Header::Contact),
        any::<u32>().prop_map(Header::Expires),
        any::<u32>().prop_map(Header::MinExpires),
        vec(name_addr(), 1..3).prop_map(Header::Route),
        vec(name_addr(), 1..3).prop_map(Header::RecordRoute),
        challenge().prop_map(Header::WwwAuthenticate),
        challenge().prop_map(Header::ProxyAuthenticate),
        credentials().prop_map(Header::Authorization),
        credentials().prop_map(Header::ProxyAuthorization),
        vec(method(), 0..4).prop_map(Header::Allow),
        vec(token(), 0..3).prop_map(Header::Supported),
        vec(token(), 1..3).prop_map(Header::Require),
        verbatim().prop_map(Header::UserAgent),
        verbatim().prop_map(Header::Server),
        ("X-[A-Za-z0-9-]{1,10}", verbatim()).prop_map(|(name, value)| Header::Other { name, value }),
        extension_header(),
    ]
    .boxed()
}

fn token_params() -> impl Strategy<Value = TokenParams> {
    (token(), vec(header_param(), 0..3)).prop_map(|(value, params)| TokenParams { value, params })
}

fn delta(with_comment: bool) -> impl Strategy<Value = DeltaSeconds> {
    let comment = if with_comment {
        option::of("[A-Za-z0-9 ',.]{0,10}").boxed()
    } else {
        Just(None).boxed()
    };
    (any::<u32>(), comment, vec(header_param(), 0..2)).prop_map(|(seconds, comment, params)| DeltaSeconds {
        seconds,
        comment,
        params,
    })
}

fn info_uri() -> impl Strategy<Value = InfoUri> {
    (
        prop_oneof![
            "http://[a-z]{1,8}\\.example\\.com/[A-Za-z0-9-]{0,8}",
            "urn:alert:(service|source):[a-z-]{1,10}",
            "sip:[a-z]{1,6}@example\\.com",
        ],
        vec(header_param(), 0..2),
    )
        .prop_map(|(uri, params)| InfoUri { uri, params })
}

/// The extension headers typed since RFC 3261 (Event, Refer-To, RAck...).
fn extension_header() -> BoxedStrategy<Header> {
    prop_oneof![
        vec(token(), 1..3).prop_map(Header::Unsupported),
        vec(token(), 1..3).prop_map(Header::ProxyRequire),
        token_params().prop_map(Header::Event),
        token_params().prop_map(Header::SubscriptionState),
        token_params().prop_map(Header::ContentDisposition),
        name_addr().prop_map(Header::ReferTo),
        name_addr().prop_map(Header::ReferredBy),
        ("[A-Za-z0-9.@!%*_+`'~<>:/?{}-]{1,20}", vec(header_param(), 0..3))
            .prop_map(|(call_id, params)| Header::Replaces(Replaces { call_id, params })),
        vec(info_uri(), 1..3).prop_map(Header::AlertInfo),
        vec(info_uri(), 1..3).prop_map(Header::CallInfo),
        delta(false).prop_map(Header::SessionExpires),
        delta(false).prop_map(Header::MinSe),
        delta(true).prop_map(Header::RetryAfter),
        any::<u32>().prop_map(Header::RSeq),
        (any::<u32>(), any::<u32>(), method()).prop_map(|(rseq, cseq, method)| Header::RAck(RAck {
            rseq,
            cseq,
            method
        })),
        vec(name_addr(), 1..3).prop_map(Header::PAssertedIdentity),
        vec("id|header|user|none|critical|[a-z]{1,6}", 1..3).prop_map(Header::Privacy),
        vec(
            (prop_oneof!["SIP", "Q\\.850", token()], vec(header_param(), 0..3))
                .prop_map(|(protocol, params)| Reason { protocol, params }),
            1..3
        )
        .prop_map(Header::Reason),
        vec(token(), 1..3).prop_map(Header::ContentEncoding),
        vec("[a-z]{1,8}(-[A-Za-z0-9]{1,8})?", 1..3).prop_map(Header::ContentLanguage),
    ]
    .boxed()
}

fn media_type() -> impl Strategy<Value = MediaType> {
    (
        token(),
        token(),
        vec(
            (token(), prop_oneof![token(), "\"[a-z ;,]{0,6}\""]).prop_map(|(n, v)| Param::new(&n, Some(&v))),
            0..2,
        ),
    )
        .prop_map(|(kind, subtype, params)| MediaType {
            kind,
            subtype,
            params,
        })
}

fn headers(cseq_method: Method) -> impl Strategy<Value = Headers> {
    (
        via(),
        name_addr(),
        name_addr(),
        "[A-Za-z0-9.@!%*_+`'~<>:/?{}-]{1,20}",
        any::<u32>(),
        option::of(0u32..=255),
        option::of(media_type()),
        vec(repeatable_header(), 0..6),
    )
        .prop_flat_map(move |(v, from, to, call_id, seq, mf, ct, extra)| {
            let mut list = vec![
                Header::Via(v),
                Header::From(from),
                Header::To(to),
                Header::CallId(call_id),
                Header::CSeq(CSeq {
                    seq,
                    method: cseq_method.clone(),
                }),
            ];
            list.extend(mf.map(Header::MaxForwards));
            list.extend(ct.map(Header::ContentType));
            list.extend(extra);
            Just(list).prop_shuffle().prop_map(Headers)
        })
}

fn request() -> impl Strategy<Value = Request> {
    (method(), uri())
        .prop_flat_map(|(method, uri)| {
            (
                Just(method.clone()),
                Just(uri),
                headers(method),
                vec(any::<u8>(), 0..48),
            )
        })
        .prop_map(|(method, uri, headers, body)| Request {
            method,
            uri,
            headers,
            body,
        })
}

fn response() -> impl Strategy<Value = Response> {
    (
        100u16..=699,
        "([A-Za-z0-9\u{430}-\u{44f}]([A-Za-z0-9 \u{430}-\u{44f}]{0,15}[A-Za-z0-9])?)?",
        method().prop_flat_map(headers),
        vec(any::<u8>(), 0..48),
    )
        .prop_map(|(code, reason, headers, body)| Response {
            status: StatusCode(code),
            reason,
            headers,
            body,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn written_request_parses_back_to_the_same_model(req in request()) {
        let msg = Message::Request(req);
        let bytes = msg.to_bytes();
        let parsed = Message::parse(&bytes);
        prop_assert_eq!(parsed.as_ref(), Ok(&msg), "{}", String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn written_response_parses_back_to_the_same_model(res in response()) {
        let msg = Message::Response(res);
        let bytes = msg.to_bytes();
        let parsed = Message::parse(&bytes);
        prop_assert_eq!(parsed.as_ref(), Ok(&msg), "{}", String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn uri_display_parses_back(u in uri()) {
        prop_assert_eq!(Uri::parse(&u.to_string()), Ok(u));
    }

    #[test]
    fn parser_never_panics_on_mutated_messages(
        req in request(),
        cuts in vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut bytes = Message::Request(req).to_bytes();
        for (at, byte) in cuts {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Ok(m) = Message::parse(&bytes) {
            // whatever parses must write out to something that parses again
            let again = Message::parse(&m.to_bytes());
            prop_assert_eq!(again.as_ref(), Ok(&m));
        } else if let Err(e) = Message::parse(&bytes) {
            let (code, reason) = e.response_status();
            prop_assert!(code.0 >= 400 && !reason.is_empty());
        }
    }
}
