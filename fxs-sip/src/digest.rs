//! HTTP Digest authentication as SIP uses it (RFC 3261 §22.4, RFC 2617 §3.2,
//! RFC 7616 §3.4, RFC 8760): MD5, MD5-sess, SHA-256 and SHA-256-sess, with
//! `qop=auth` or the RFC 2069 form without qop.
//!
//! ```
//! use fxs_sip::digest::digest_response;
//! use fxs_sip::DigestAlgorithm;
//! // RFC 2617 §3.5
//! let r = digest_response(DigestAlgorithm::Md5, "Mufasa", "testrealm@host.com",
//!     "Circle Of Life", "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
//!     Some(1), Some("0a4f113b"), Some("auth"));
//! assert_eq!(r, "6629fae49393a05397450978507c4ef1");
//! ```

use md5::Md5;
use sha2::Sha256;

use crate::Error;
use crate::message::{Challenge, Credentials, DigestAlgorithm, Method};

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// H(parts joined by ':'), lowercase hex.
fn h(alg: DigestAlgorithm, parts: &[&str]) -> String {
    fn run<D: md5::Digest>(parts: &[&str]) -> String {
        let mut d = D::new();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                d.update(b":");
            }
            d.update(p.as_bytes());
        }
        hex(&d.finalize())
    }
    match alg {
        DigestAlgorithm::Sha256 | DigestAlgorithm::Sha256Sess => run::<Sha256>(parts),
        DigestAlgorithm::Md5 | DigestAlgorithm::Md5Sess | DigestAlgorithm::Other => run::<Md5>(parts),
    }
}

fn is_sess(alg: DigestAlgorithm) -> bool {
    matches!(alg, DigestAlgorithm::Md5Sess | DigestAlgorithm::Sha256Sess)
}

/// The request-digest (RFC 2617 §3.2.2.1, RFC 7616 §3.4.1), lowercase hex.
///
/// HA1 = H(username:realm:password), for `-sess` H(HA1:nonce:cnonce);
/// HA2 = H(method:uri) (for `auth-int`, H(method:uri:H(body)) with an empty
/// body); with a qop the response is H(HA1:nonce:nc:cnonce:qop:HA2) where nc
/// is 8 hex digits, else H(HA1:nonce:HA2). A missing `nc`/`cnonce` counts as
/// empty. [`DigestAlgorithm::Other`] is computed as MD5 ([`authorize`]
/// refuses it before getting here).
#[allow(clippy::too_many_arguments)]
pub fn digest_response(
    alg: DigestAlgorithm,
    username: &str,
    realm: &str,
    password: &str,
    method: &str,
    uri: &str,
    nonce: &str,
    nc: Option<u32>,
    cnonce: Option<&str>,
    qop: Option<&str>,
) -> String {
    let cnonce = cnonce.unwrap_or("");
    let mut ha1 = h(alg, &[username, realm, password]);
    if is_sess(alg) {
        ha1 = h(alg, &[&ha1, nonce, cnonce]);
    }
    let ha2 = match qop {
        Some(q) if q.eq_ignore_ascii_case("auth-int") => {
            let body = h(alg, &[""]);
            h(alg, &[method, uri, &body])
        }
        _ => h(alg, &[method, uri]),
    };
    match qop {
        Some(q) => {
            let nc = format!("{:08x}", nc.unwrap_or(0));
            h(alg, &[&ha1, nonce, &nc, cnonce, q, &ha2])
        }
        None => h(alg, &[&ha1, nonce, &ha2]),
    }
}

/// UAC side: answer a Digest challenge (RFC 3261 §22.4). Uses `qop=auth`
/// when the challenge offers it (with `nc` and `cnonce`), the RFC 2069 form
/// when it offers no qop. Err for an algorithm other than MD5, MD5-sess,
/// SHA-256, SHA-256-sess, or when only unsupported qop values are offered.
pub fn authorize(
    challenge: &Challenge,
    username: &str,
    password: &str,
    method: &Method,
    uri: &str,
    nc: u32,
    cnonce: &str,
) -> Result<Credentials, Error> {
    let alg = challenge.algorithm.unwrap_or(DigestAlgorithm::Md5);
    if alg == DigestAlgorithm::Other {
        let name = crate::message::find_param(&challenge.other, "algorithm")
            .flatten()
            .unwrap_or("unknown");
        return Err(Error::UnsupportedAlgorithm(name.to_owned()));
    }
    let qop = if challenge.qop.is_empty() {
        None
    } else if challenge.qop.iter().any(|q| q.eq_ignore_ascii_case("auth")) {
        Some("auth")
    } else {
        return Err(Error::UnsupportedQop(challenge.qop.join(",")));
    };
    let send_cnonce = qop.is_some() || is_sess(alg);
    let response = digest_response(
        alg,
        username,
        &challenge.realm,
        password,
        method.as_str(),
        uri,
        &challenge.nonce,
        qop.map(|_| nc),
        send_cnonce.then_some(cnonce),
        qop,
    );
    Ok(Credentials {
        username: username.to_owned(),
        realm: challenge.realm.clone(),
        nonce: challenge.nonce.clone(),
        uri: uri.to_owned(),
        response,
        algorithm: challenge.algorithm,
        cnonce: send_cnonce.then(|| cnonce.to_owned()),
        opaque: challenge.opaque.clone(),
        qop: qop.map(str::to_owned),
        nc: qop.map(|_| nc),
        other: Vec::new(),
    })
}

/// UAS side: check credentials against the password (the caller checks that
/// realm and nonce are ones it issued). False for an unknown algorithm, a qop
/// without `nc`/`cnonce`, or a wrong response.
pub fn verify(credentials: &Credentials, password: &str, method: &Method) -> bool {
    let alg = credentials.algorithm.unwrap_or(DigestAlgorithm::Md5);
    if alg == DigestAlgorithm::Other {
        return false;
    }
    let qop = credentials.qop.as_deref();
    if qop.is_some() && (credentials.nc.is_none() || credentials.cnonce.is_none()) {
        return false;
    }
    if qop.is_some_and(|q| !q.eq_ignore_ascii_case("auth") && !q.eq_ignore_ascii_case("auth-int")) {
        return false;
    }
    let expected = digest_response(
        alg,
        &credentials.username,
        &credentials.realm,
        password,
        method.as_str(),
        &credentials.uri,
        &credentials.nonce,
        credentials.nc,
        credentials.cnonce.as_deref(),
        qop,
    );
    // compare without an early exit on the first differing octet
    let given = credentials.response.to_ascii_lowercase();
    expected.len() == given.len()
        && expected
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc2617_challenge() -> Challenge {
        Challenge {
            realm: "testrealm@host.com".into(),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            opaque: Some("5ccc069c403ebaf9f0171e9517f40e41".into()),
            algorithm: None,
            qop: vec!["auth".into(), "auth-int".into()],
            stale: false,
            domain: None,
            other: Vec::new(),
        }
    }

    #[test]
    fn rfc2617_section_3_5_example() {
        let c = authorize(
            &rfc2617_challenge(),
            "Mufasa",
            "Circle Of Life",
            &Method::Other("GET".into()),
            "/dir/index.html",
            1,
            "0a4f113b",
        )
        .unwrap();
        assert_eq!(c.response, "6629fae49393a05397450978507c4ef1");
        assert_eq!(c.qop.as_deref(), Some("auth"));
        assert_eq!(c.nc, Some(1));
        assert_eq!(c.opaque.as_deref(), Some("5ccc069c403ebaf9f0171e9517f40e41"));
    }

    #[test]
    fn rfc7616_section_3_9_1_sha256_example() {
        // RFC 7616 §3.9.1, SHA-256, qop=auth, nc=00000001
        let r = digest_response(
            DigestAlgorithm::Sha256,
            "Mufasa",
            "http-auth@example.org",
            "Circle of Life",
            "GET",
            "/dir/index.html",
            "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            Some(1),
            Some("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"),
            Some("auth"),
        );
        assert_eq!(
            r,
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"
        );
        // and MD5 for the same inputs (RFC 7616 §3.9.1 first response)
        let r = digest_response(
            DigestAlgorithm::Md5,
            "Mufasa",
            "http-auth@example.org",
            "Circle of Life",
            "GET",
            "/dir/index.html",
            "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            Some(1),
            Some("f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"),
            Some("auth"),
        );
        assert_eq!(r, "8ca523f5e9506fed4657c9700eebdbec");
    }

    #[test]
    fn verify_accepts_authorize_output_and_rejects_wrong_password() {
        for alg in [
            None,
            Some(DigestAlgorithm::Md5Sess),
            Some(DigestAlgorithm::Sha256),
            Some(DigestAlgorithm::Sha256Sess),
        ] {
            let mut ch = rfc2617_challenge();
            ch.algorithm = alg;
            let c = authorize(&ch, "1001", "secret", &Method::Register, "sip:pbx", 7, "abc").unwrap();
            assert!(verify(&c, "secret", &Method::Register), "{alg:?}");
            assert!(!verify(&c, "secrex", &Method::Register), "{alg:?}");
            assert!(!verify(&c, "secret", &Method::Invite), "{alg:?}");
        }
    }

    #[test]
    fn challenge_without_qop_uses_rfc2069_form() {
        let mut ch = rfc2617_challenge();
        ch.qop.clear();
        let c = authorize(
            &ch,
            "Mufasa",
            "Circle Of Life",
            &Method::Register,
            "sip:x",
            1,
            "cn",
        )
        .unwrap();
        assert_eq!(c.qop, None);
        assert_eq!(c.nc, None);
        assert_eq!(c.cnonce, None);
        let ha1 = h(
            DigestAlgorithm::Md5,
            &["Mufasa", "testrealm@host.com", "Circle Of Life"],
        );
        let ha2 = h(DigestAlgorithm::Md5, &["REGISTER", "sip:x"]);
        assert_eq!(c.response, h(DigestAlgorithm::Md5, &[&ha1, &ch.nonce, &ha2]));
        assert!(verify(&c, "Circle Of Life", &Method::Register));
    }

    #[test]
    fn unknown_algorithm_and_auth_int_only_are_refused() {
        let mut ch = rfc2617_challenge();
        ch.algorithm = Some(DigestAlgorithm::Other);
        ch.other.push(crate::Param::new("algorithm", Some("SHA-512-256")));
        assert_eq!(
            authorize(&ch, "u", "p", &Method::Register, "sip:x", 1, "c"),
            Err(Error::UnsupportedAlgorithm("SHA-512-256".into()))
        );
        let mut ch = rfc2617_challenge();
        ch.qop = vec!["auth-int".into()];
        assert!(matches!(
            authorize(&ch, "u", "p", &Method::Register, "sip:x", 1, "c"),
            Err(Error::UnsupportedQop(_))
        ));
    }
}
