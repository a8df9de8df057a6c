//! The default scenario of `sim-gateway`, end to end, in virtual time over a
//! simulated network: no sockets, deterministic, much faster than real time.

mod common;

use std::time::{Duration, Instant};

use common::{TALK, events, first, virtual_config};
use fxs_examples::net::{VirtualNetConfig, run_virtual};
use fxs_examples::scenario::{Action, Expect, Step, StepKind, default_scenario, talk_freq};
use fxs_examples::world::World;

fn run(steps: Vec<Step>, seed: u64, net: VirtualNetConfig) -> World {
    let start = Instant::now();
    let mut world = World::new(virtual_config(steps, seed), start).unwrap();
    run_virtual(&mut world, start, &net, Duration::from_secs(120));
    world
}

#[test]
fn two_phones_call_each_other_through_the_gateway() {
    let world = run(default_scenario(TALK), 1, VirtualNetConfig::default());
    let summary = world.summary();
    assert!(summary.passed(), "failures: {:#?}", summary.failures);

    let entries = world.timeline().entries();
    // Both ports registered through the digest challenge.
    assert_eq!(events(entries, Some(1), "registered").len(), 1);
    assert_eq!(events(entries, Some(2), "registered").len(), 1);
    let reg = summary.registrar.unwrap();
    assert_eq!(
        reg.challenges, 3,
        "REGISTER x2 and the INVITE are challenged: {reg:?}"
    );
    // Only the authenticated INVITE is forwarded: the ACK of the 407 ends at
    // the proxy, and the 2xx ACK and the BYE go end to end.
    assert_eq!(reg.forwarded_requests, 1, "{reg:?}");

    // The order a caller experiences.
    let off = first(entries, Some(1), "off_hook").unwrap();
    let dial = first(entries, Some(1), "dial_tone").unwrap();
    let digits = events(entries, Some(1), "digits");
    assert_eq!(digits.len(), 1);
    assert_eq!(digits[0].fields["number"], "1002");
    let ringing = first(entries, Some(2), "ringing").unwrap();
    let ringback = first(entries, Some(1), "ringback").unwrap();
    let answered = first(entries, Some(1), "answered").unwrap();
    assert!(off < dial && dial < digits[0].t && digits[0].t < ringing && ringing < answered);
    assert!(ringback < answered);
    // The inter-digit timeout (4 s) ends digit collection.
    let last_digit = events(entries, Some(1), "digit").last().unwrap().t;
    let wait = digits[0].t - last_digit;
    assert!((3.9..4.2).contains(&wait), "inter-digit timeout took {wait} s");
    // Auto-answer after the first US ring cycle (2 s on, 4 s off).
    let answer_delay = first(entries, Some(2), "off_hook").unwrap() - ringing;
    assert!(
        (5.8..6.3).contains(&answer_delay),
        "answered after {answer_delay} s"
    );

    // Each side heard the other's tone at the level it was sent.
    for (port, other) in [(1u16, 2u16), (2, 1)] {
        let heard = events(entries, Some(port), "heard");
        assert_eq!(heard.len(), 1, "port {port}");
        let f = heard[0].fields["freq_hz"].as_f64().unwrap();
        let l = heard[0].fields["level_dbm0"].as_f64().unwrap();
        assert!(
            (f - f64::from(talk_freq(other))).abs() < 5.0,
            "port {port} heard {f} Hz"
        );
        assert!((l + 10.0).abs() < 1.0, "port {port} heard {l} dBm0");
    }

    // Hang-up: port 1 ends locally, port 2 by the remote BYE.
    let ended1 = events(entries, Some(1), "call_ended");
    let ended2 = events(entries, Some(2), "call_ended");
    assert_eq!(ended1.len(), 1);
    assert_eq!(ended2.len(), 1);
    assert_eq!(ended1[0].fields["reason"], "local_hangup");
    assert_eq!(ended2[0].fields["reason"], "remote_hangup");
    assert!(first(entries, Some(2), "reorder_tone").is_some());

    // RTP flowed both ways for the whole talk time (20 ms packets).
    for (i, m) in summary.media.iter().enumerate() {
        let m = m.as_ref().unwrap();
        assert!(m.packets_sent >= 100, "port {}: {m:?}", i + 1);
        assert!(m.packets_received >= 100, "port {}: {m:?}", i + 1);
        assert_eq!(m.packets_lost, 0, "port {}: {m:?}", i + 1);
    }

    // Shutdown unregistered both ports and the run ended.
    assert_eq!(events(entries, Some(1), "unregistered").len(), 1);
    assert_eq!(events(entries, Some(2), "unregistered").len(), 1);
    assert!(first(entries, None, "shutdown_complete").is_some());
    let status = world.gateway().status();
    assert!(status.iter().all(|s| s.call_state == "idle" && !s.registered));
}

#[test]
fn the_virtual_run_is_deterministic() {
    let a = run(default_scenario(TALK), 7, VirtualNetConfig::default());
    let b = run(default_scenario(TALK), 7, VirtualNetConfig::default());
    let names = |w: &World| {
        w.timeline()
            .entries()
            .iter()
            .map(|e| (e.port, e.event.clone(), (e.t * 1000.0).round() as i64))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(&a), names(&b));
}

#[test]
fn sip_survives_ten_percent_loss() {
    // Retransmissions (Timer A/E, 2xx until ACK) carry the call through a lossy
    // network; audio may lose packets, but the tones still measure right.
    let net = VirtualNetConfig {
        loss: 0.10,
        seed: 3,
        ..VirtualNetConfig::default()
    };
    // A lost 180 is never retransmitted (without PRACK, RFC 3262), so the
    // caller may legitimately hear no ringback: that one check is left out.
    let steps = default_scenario(Duration::from_secs(3))
        .into_iter()
        .filter(|s| s.kind != StepKind::Expect(Expect::Ringback))
        .collect();
    let world = run(steps, 3, net);
    let summary = world.summary();
    assert!(summary.passed(), "failures: {:#?}", summary.failures);
}

#[test]
fn a_failed_expectation_names_the_check_and_what_was_observed() {
    // Port 2 stays on hook, so it cannot hear dial tone.
    let steps = vec![
        Step::expect_within(2, Expect::Registered, Duration::from_secs(10)),
        Step::expect_within(2, Expect::DialTone, Duration::from_secs(1)),
    ];
    let world = run(steps, 1, VirtualNetConfig::default());
    let summary = world.summary();
    assert!(!summary.passed());
    assert_eq!(summary.failures.len(), 1);
    assert!(
        summary.failures[0].starts_with("step 2 (port 2): dial_tone"),
        "{}",
        summary.failures[0]
    );
    assert!(summary.failures[0].contains("on hook"), "{}", summary.failures[0]);
    let failed = events(world.timeline().entries(), Some(2), "check_failed");
    assert_eq!(failed[0].fields["check"], "dial_tone");
}

#[test]
fn calling_an_unknown_number_gives_reorder() {
    let steps = vec![
        Step::expect_within(1, Expect::Registered, Duration::from_secs(10)),
        Step::action(1, Action::OffHook),
        Step::expect_within(1, Expect::DialTone, Duration::from_secs(2)),
        Step::action(
            1,
            Action::Dial {
                digits: "4711#".into(),
            },
        ),
        Step::expect_within(1, Expect::Reorder, Duration::from_secs(5)),
        Step::action(1, Action::OnHook),
        Step::expect_within(1, Expect::Idle, Duration::from_secs(2)),
    ];
    let world = run(steps, 1, VirtualNetConfig::default());
    let summary = world.summary();
    assert!(summary.passed(), "failures: {:#?}", summary.failures);
    let entries = world.timeline().entries();
    let ended = events(entries, Some(1), "call_ended");
    assert_eq!(ended[0].fields["reason"], "rejected_404");
    // '#' dispatched at once: no 4 s wait.
    let digits = first(entries, Some(1), "digits").unwrap();
    let off = first(entries, Some(1), "off_hook").unwrap();
    assert!(digits - off < 2.0, "{}", digits - off);
}

#[test]
fn caller_hanging_up_while_it_rings_cancels_the_call() {
    let steps = vec![
        Step::expect_within(1, Expect::Registered, Duration::from_secs(10)),
        Step::expect_within(2, Expect::Registered, Duration::from_secs(10)),
        Step::action(1, Action::OffHook),
        Step::expect_within(1, Expect::DialTone, Duration::from_secs(2)),
        Step::action(
            1,
            Action::Dial {
                digits: "1002#".into(),
            },
        ),
        Step::expect_within(2, Expect::Ringing, Duration::from_secs(5)),
        Step::action(1, Action::OnHook),
        Step::expect_within(2, Expect::Idle, Duration::from_secs(3)),
        Step::expect_within(1, Expect::Idle, Duration::from_secs(1)),
    ];
    let start = Instant::now();
    let mut config = virtual_config(steps, 1);
    config.auto_answer = false;
    let mut world = World::new(config, start).unwrap();
    run_virtual(
        &mut world,
        start,
        &VirtualNetConfig::default(),
        Duration::from_secs(60),
    );
    let summary = world.summary();
    assert!(summary.passed(), "failures: {:#?}", summary.failures);
    let entries = world.timeline().entries();
    assert_eq!(
        events(entries, Some(1), "call_ended")[0].fields["reason"],
        "cancelled"
    );
    assert_eq!(
        events(entries, Some(2), "call_ended")[0].fields["reason"],
        "cancelled"
    );
    assert!(first(entries, Some(2), "off_hook").is_none());
}
