//! Registration against the in-test registrar: digest, refresh, 423,
//! failures with backoff, unregistration.

mod ua_harness;

use std::time::Duration;

use fxs_sip::{Header, Method, StatusCode, UaEvent};
use ua_harness::*;

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(s)
}

#[test]
fn registration_answers_the_digest_challenge_and_reports_the_granted_lifetime() {
    let mut net = Net::pair();
    let id = net.register(0, "1001");
    assert_eq!(net.events(0), [UaEvent::Registered { id, expires: 300 }]);
    let registers = &net.proxy().registers.clone();
    assert_eq!(registers.len(), 2, "one challenge, one answer");
    let (first, second) = (&registers[0], &registers[1]);
    assert_eq!(first.uri.to_string(), "sip:pbx.test");
    assert!(first.headers.authorization().is_none());
    for r in registers {
        assert_eq!(
            r.headers.from().map(|f| f.uri.to_string()).as_deref(),
            Some("sip:1001@pbx.test")
        );
        assert_eq!(
            r.headers.to().map(|t| t.uri.to_string()).as_deref(),
            Some("sip:1001@pbx.test")
        );
        assert!(r.headers.from().and_then(|f| f.tag()).is_some());
        assert_eq!(
            r.headers.contact().map(|c| c.uri.to_string()).as_deref(),
            Some("sip:1001@10.0.0.1:5060")
        );
        assert_eq!(r.headers.expires(), Some(300));
        assert_eq!(r.headers.max_forwards(), Some(70));
    }
    assert_eq!(first.headers.call_id(), second.headers.call_id());
    assert_eq!(first.headers.cseq().map(|c| c.seq), Some(1));
    assert_eq!(second.headers.cseq().map(|c| c.seq), Some(2));
    assert_ne!(
        first.headers.top_via().and_then(|v| v.branch()),
        second.headers.top_via().and_then(|v| v.branch())
    );
    let creds = second.headers.authorization().expect("credentials");
    assert_eq!(creds.username, "1001");
    assert_eq!(creds.realm, REALM);
    assert_eq!(creds.uri, "sip:pbx.test");
    assert_eq!(creds.qop.as_deref(), Some("auth"));
    assert_eq!(creds.nc, Some(1));
    assert_eq!(creds.opaque.as_deref(), Some("op4que"));
    assert!(creds.cnonce.as_deref().is_some_and(|c| !c.is_empty()));
}

#[test]
fn refresh_goes_out_between_50_and_90_percent_of_the_granted_lifetime() {
    let mut net = Net::pair();
    net.proxy().grant = Some(120);
    let id = net.register(0, "1001");
    let registered_at = net.elapsed();
    assert_eq!(net.events(0), [UaEvent::Registered { id, expires: 120 }]);
    net.drive_bounded(20, |n| n.proxy.as_ref().is_some_and(|p| p.registers.len() == 3));
    let refresh_at = net.elapsed() - registered_at;
    assert!(
        refresh_at >= secs(60.0) && refresh_at < secs(108.0),
        "refresh after {refresh_at:?}, want 60-108 s of a 120 s lifetime"
    );
    // Pre-emptive credentials with the next nonce count; no new challenge.
    let refresh = net.proxy().registers[2].clone();
    let creds = refresh.headers.authorization().expect("credentials on refresh");
    assert_eq!(creds.nc, Some(2));
    assert_eq!(refresh.headers.cseq().map(|c| c.seq), Some(3));
    net.pump();
    assert_eq!(
        net.events(0),
        [
            UaEvent::Registered { id, expires: 120 },
            UaEvent::Registered { id, expires: 120 }
        ]
    );
}

#[test]
fn a_stale_nonce_is_answered_again_without_reporting_a_failure() {
    let mut net = Net::pair();
    net.proxy().single_use_nonces = true;
    let id = net.register(0, "1001");
    // The refresh reuses the nonce, the registrar says stale=true, the UA
    // answers the fresh nonce with nc=1.
    net.drive_bounded(40, |n| n.events(0).len() >= 2);
    assert_eq!(net.events(0)[1], UaEvent::Registered { id, expires: 300 });
    let registers = net.proxy().registers.clone();
    assert_eq!(registers.len(), 4);
    let last = registers[3].headers.authorization().expect("credentials");
    assert_eq!(last.nc, Some(1));
    assert_ne!(last.nonce, registers[2].headers.authorization().unwrap().nonce);
}

#[test]
fn a_wrong_password_fails_once_without_looping_and_retries_after_a_backoff() {
    let mut net = Net::pair();
    net.proxy().passwords.insert("1001".into(), "other".into());
    let id = net.with_ua(0, |ua, now| ua.register(now, registration("1001")));
    assert_eq!(net.proxy().registers.len(), 2, "the same nonce twice ends it");
    assert_eq!(
        net.events(0),
        [UaEvent::RegistrationFailed {
            id,
            status: Some(StatusCode::UNAUTHORIZED),
            reason: "credentials rejected".into()
        }]
    );
    let failed_at = net.elapsed();
    net.drive_bounded(20, |n| n.proxy.as_ref().is_some_and(|p| p.registers.len() >= 3));
    let retry = net.elapsed() - failed_at;
    assert!(
        retry >= secs(24.0) && retry < secs(30.0),
        "first retry after {retry:?}, want 80-100 % of 30 s"
    );
}

#[test]
fn interval_too_brief_is_retried_with_min_expires() {
    let mut net = Net::pair();
    net.proxy().min_expires = Some(600);
    let id = net.register(0, "1001");
    assert_eq!(net.events(0), [UaEvent::Registered { id, expires: 600 }]);
    let registers = net.proxy().registers.clone();
    let last = registers.last().expect("REGISTER");
    assert_eq!(last.headers.expires(), Some(600));
}

#[test]
fn a_silent_registrar_gives_a_timeout_failure_and_doubling_backoff() {
    let mut net = Net::pair();
    net.proxy().silent = true;
    let id = net.with_ua(0, |ua, now| ua.register(now, registration("1001")));
    net.drive_bounded(100, |n| !n.events(0).is_empty());
    // Timer F = 64·T1 = 32 s.
    assert_eq!(net.elapsed(), secs(32.0));
    assert!(matches!(
        &net.events(0)[0],
        UaEvent::RegistrationFailed { id: i, status: None, .. } if *i == id
    ));
    // REGISTER retransmissions follow Timer E: 0, 0.5, 1.5, 3.5, 7.5, then every T2.
    let times: Vec<Duration> = net
        .sent_by(a_addr(), |p| p.is_request(&Method::Register))
        .iter()
        .map(|p| p.at)
        .collect();
    assert_eq!(
        &times[..6],
        [secs(0.0), secs(0.5), secs(1.5), secs(3.5), secs(7.5), secs(11.5)]
    );
    let first_attempt = times.len();
    net.drive_bounded(200, |n| n.events(0).len() >= 2);
    let second_failure = net.elapsed();
    let all: Vec<Duration> = net
        .sent_by(a_addr(), |p| p.is_request(&Method::Register))
        .iter()
        .map(|p| p.at)
        .collect();
    let retry = all[first_attempt] - secs(32.0);
    assert!(retry >= secs(24.0) && retry < secs(30.0), "retry after {retry:?}");
    net.drive_bounded(200, |n| {
        n.sent_by(a_addr(), |p| p.is_request(&Method::Register)).len() > 2 * first_attempt
    });
    let all: Vec<Duration> = net
        .sent_by(a_addr(), |p| p.is_request(&Method::Register))
        .iter()
        .map(|p| p.at)
        .collect();
    let second_retry = all[2 * first_attempt] - second_failure;
    assert!(
        second_retry >= secs(48.0) && second_retry < secs(60.0),
        "second retry after {second_retry:?}, want 80-100 % of 60 s"
    );
}

#[test]
fn unregister_sends_expires_zero_and_reports_unregistered() {
    let mut net = Net::pair();
    let id = net.register(0, "1001");
    assert!(net.proxy().bindings.contains_key("1001"));
    net.with_ua(0, |ua, now| ua.unregister(now, id));
    assert_eq!(net.events(0).last(), Some(&UaEvent::Unregistered { id }));
    let last = net.proxy().registers.last().cloned().expect("REGISTER");
    assert_eq!(last.headers.expires(), Some(0));
    assert!(last.headers.iter().any(|h| matches!(h, Header::Authorization(_))));
    assert!(!net.proxy().bindings.contains_key("1001"));
    assert!(net.ua(0).is_idle());
    // No refresh is ever sent again.
    let count = net.proxy().registers.len();
    net.run_for(Duration::from_secs(3600));
    assert_eq!(net.proxy().registers.len(), count);
}

#[test]
fn unregister_finishes_even_when_the_registrar_is_gone() {
    let mut net = Net::pair();
    let id = net.register(0, "1001");
    net.proxy().silent = true;
    net.with_ua(0, |ua, now| ua.unregister(now, id));
    let asked = net.elapsed();
    net.drive_bounded(100, |n| n.has_event(0, |e| *e == UaEvent::Unregistered { id }));
    assert_eq!(net.elapsed() - asked, secs(32.0));
    assert!(net.ua(0).is_idle());
}
