//! Unit tests of the user agent core.

use std::time::{Duration, Instant};

use super::*;

fn config(seed: u64) -> UaConfig {
    UaConfig {
        local_addr: "10.0.0.1:5060".parse().unwrap(),
        rng_seed: seed,
        ..UaConfig::default()
    }
}

fn registration() -> RegistrationConfig {
    RegistrationConfig {
        registrar: "10.0.0.100:5060".parse().unwrap(),
        domain: "pbx.test".into(),
        user: "1001".into(),
        auth_user: "1001".into(),
        password: "pw".into(),
        expires: 300,
    }
}

#[test]
fn the_same_seed_and_inputs_give_the_same_datagrams() {
    let t0 = Instant::now();
    let run = |seed| {
        let mut ua = UserAgent::new(config(seed), t0);
        let _ = ua.register(t0, registration());
        ua.poll_transmit().expect("REGISTER").payload
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn poll_timeout_is_the_earliest_deadline_of_all_timers() {
    let t0 = Instant::now();
    let mut ua = UserAgent::new(config(1), t0);
    assert_eq!(ua.poll_timeout(), None);
    assert!(ua.is_idle());
    let _ = ua.register(t0, registration());
    assert_eq!(ua.poll_timeout(), Some(t0 + Duration::from_millis(500)));
    assert!(!ua.is_idle(), "a REGISTER waits for its answer");
    // A later UA timer does not hide the earlier transaction timer.
    ua.timers.set(
        UaTimer::Registration(RegistrationId(9)),
        Some(t0 + Duration::from_secs(60)),
    );
    assert_eq!(ua.poll_timeout(), Some(t0 + Duration::from_millis(500)));
    ua.timers.set(
        UaTimer::Registration(RegistrationId(9)),
        Some(t0 + Duration::from_millis(100)),
    );
    assert_eq!(ua.poll_timeout(), Some(t0 + Duration::from_millis(100)));
    // Firing a timer whose registration does not exist does nothing.
    ua.handle_timeout(t0 + Duration::from_millis(100));
    assert!(ua.poll_transmit().is_some(), "the REGISTER itself");
    assert!(ua.poll_transmit().is_none());
    assert_eq!(ua.poll_timeout(), Some(t0 + Duration::from_millis(500)));
}

#[test]
fn commands_on_unknown_handles_do_nothing() {
    let t0 = Instant::now();
    let mut ua = UserAgent::new(config(1), t0);
    let ghost = CallId(42);
    ua.ringing(t0, ghost);
    ua.answer(t0, ghost, crate::sdp::SessionDescription::parse(
        "v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n",
    ).expect("SDP"));
    ua.reject(t0, ghost, StatusCode::BUSY_HERE);
    ua.hangup(t0, ghost);
    ua.unregister(t0, RegistrationId(3));
    assert!(ua.poll_transmit().is_none());
    assert!(ua.poll_event().is_none());
    assert!(ua.is_idle());
}

#[test]
fn zero_timer_values_cannot_stall_the_timer_loop() {
    let t0 = Instant::now();
    let mut ua = UserAgent::new(
        UaConfig {
            t1: Duration::ZERO,
            t2: Duration::ZERO,
            t4: Duration::ZERO,
            ..config(1)
        },
        t0,
    );
    assert_eq!(ua.config().t1, Duration::from_millis(1));
    assert_eq!(ua.config().t2, Duration::from_millis(1));
    let _ = ua.register(t0, registration());
    let mut now = t0;
    let mut sent = 0;
    while let Some(at) = ua.poll_timeout() {
        assert!(at > now || sent == 0, "deadline does not advance");
        now = at;
        ua.handle_timeout(now);
        while ua.poll_transmit().is_some() {
            sent += 1;
        }
        while ua.poll_event().is_some() {}
        if now - t0 > Duration::from_secs(1) {
            break;
        }
    }
    // Timer F = 64 ms with T1 = 1 ms: the REGISTER gave up and a retry waits.
    assert!(sent > 10 && sent < 100, "{sent} retransmissions");
}
