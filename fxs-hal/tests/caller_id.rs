//! Caller ID delivered by the simulated SLIC and decoded by the simulated
//! phone's display, for every on-hook standard of fxs-tones: the ringer
//! places fxs-tones' signal in the slot its timing asks for, and the phone
//! must decode exactly the fields the standard carries, in that window.

use std::time::{Duration, Instant};

use fxs_hal::ring::{CallerIdPlacement, CallerIdSlot, RingCadence, RingMode, RingOutput, Ringer};
use fxs_hal::sim::{PhoneEvent, SimSlic};
use fxs_hal::{LineBank, LineFeed, LineInterface, Polarity};
use fxs_tones::{
    CallerIdMessage, CallerIdStandard, DEFAULT_FSK_LEVEL, DateTime, DtmfClipVariant, EtsiAlert,
    FRAME_SAMPLES, Name, Presented,
};

const TICK: Duration = Duration::from_millis(10);

struct Outcome {
    /// Phone events with their time in ms from the start.
    events: Vec<(u64, PhoneEvent)>,
    /// When the signal was started and finished, ms.
    sent: Option<(u64, u64)>,
    decoded: Option<CallerIdMessage>,
    /// Feeds the line went through, in order (deduplicated).
    feeds: Vec<LineFeed>,
}

fn deliver(standard: CallerIdStandard, country: &str, msg: &CallerIdMessage) -> Outcome {
    let t0 = Instant::now();
    let mut slic = SimSlic::new(1, t0);
    let Ok(()) = slic.line(0).expect("port").set_feed(LineFeed::IDLE);
    slic.phone_mut(0).set_caller_id(standard).expect("display");
    let mut signal = standard
        .signal(msg, DEFAULT_FSK_LEVEL)
        .expect("encodable")
        .expect("an on-hook standard has a signal");
    let timing = signal.timing();
    let placement = CallerIdPlacement::from_anchor(timing.anchor).expect("a ringing placement");
    let mut ringer = Ringer::with_slot(RingMode::Software, CallerIdSlot::from_timing(&timing));
    ringer.start(
        t0 + TICK,
        RingCadence::for_country(country).expect("cadence"),
        placement,
    );

    let mut out = Outcome {
        events: Vec::new(),
        sent: None,
        decoded: None,
        feeds: vec![LineFeed::IDLE],
    };
    let mut sending_since = None;
    let mut down = [0i16; FRAME_SAMPLES];
    for tick in 1..=900u64 {
        let now = t0 + TICK * tick as u32;
        slic.tick(now);
        while let Some((at, e)) = slic.phone_mut(0).poll_event() {
            out.events.push(((at - t0).as_millis() as u64, e));
        }
        let line = slic.line(0).expect("port");
        let mut up = [0i16; FRAME_SAMPLES];
        let Ok(()) = line.read_frame(&mut up);
        while let Ok(Some(o)) = ringer.drive(now, line) {
            match o {
                RingOutput::SendCallerId { .. } => sending_since = Some(tick * 10),
                RingOutput::CallerIdAborted => panic!("{standard:?}: the slot closed before the data ended"),
                _ => {}
            }
        }
        if out.feeds.last() != Some(&line.feed()) {
            out.feeds.push(line.feed());
        }
        if let Some(since) = sending_since {
            signal.generate(&mut down);
            if signal.is_done() {
                ringer.caller_id_sent(now);
                out.sent = Some((since, tick * 10));
                sending_since = None;
            }
        } else {
            down.fill(0);
        }
        let Ok(()) = line.write_frame(&down);
    }
    out.decoded = slic.phone(0).caller_id().copied();
    out
}

fn first(events: &[(u64, PhoneEvent)], what: PhoneEvent) -> Option<u64> {
    events.iter().find(|(_, e)| *e == what).map(|(t, _)| *t)
}

fn message() -> CallerIdMessage {
    let mut msg = CallerIdMessage::with_number("5551234").expect("number");
    msg.datetime = Some(DateTime::new(11, 25, 3, 30).expect("date"));
    msg.name = Some(Presented::Value(Name::new("ALICE").expect("name")));
    msg
}

#[test]
fn every_on_hook_standard_is_decoded_by_the_phone_with_the_fields_it_carries() {
    let msg = message();
    let cases = [
        (CallerIdStandard::TelcordiaSdmf, "US"),
        (CallerIdStandard::TelcordiaMdmf, "US"),
        (CallerIdStandard::Etsi(EtsiAlert::AfterFirstRing), "DE"),
        (CallerIdStandard::Etsi(EtsiAlert::RpAs), "DE"),
        (CallerIdStandard::Etsi(EtsiAlert::LineReversalDtAs), "FR"),
        (CallerIdStandard::Etsi(EtsiAlert::LineReversal), "FR"),
        (CallerIdStandard::Bt, "GB"),
        (
            CallerIdStandard::EtsiDtmf {
                variant: DtmfClipVariant::StartA,
                line_reversal: false,
            },
            "SE",
        ),
        (
            CallerIdStandard::EtsiDtmf {
                variant: DtmfClipVariant::HashTerminated,
                line_reversal: true,
            },
            "IN",
        ),
    ];
    for (standard, country) in cases {
        let out = deliver(standard, country, &msg);
        let want = standard.carried(&msg);
        assert_eq!(out.decoded, Some(want), "{standard:?}");
        assert_eq!(
            out.decoded
                .and_then(|m| m.number_str().map(str::to_owned))
                .as_deref(),
            Some("5551234")
        );
        let (start, end) = out.sent.expect("signal sent");
        let shown = first(&out.events, PhoneEvent::CallerId).expect("display event");
        assert!(
            shown >= start && shown <= end + 20,
            "{standard:?}: shown at {shown}, sent {start}-{end}"
        );
        let rings: Vec<u64> = out
            .events
            .iter()
            .filter(|(_, e)| *e == PhoneEvent::RingStart)
            .map(|(t, _)| *t)
            .collect();
        let stops: Vec<u64> = out
            .events
            .iter()
            .filter(|(_, e)| *e == PhoneEvent::RingStop)
            .map(|(t, _)| *t)
            .collect();
        match CallerIdPlacement::from_anchor(
            standard
                .signal(&msg, DEFAULT_FSK_LEVEL)
                .unwrap()
                .unwrap()
                .timing()
                .anchor,
        ) {
            Some(CallerIdPlacement::AfterFirstRing) => {
                // ≥ 500 ms after ring 1 ends, ≥ 200 ms before ring 2.
                assert!(
                    start >= stops[0] + 490,
                    "{standard:?}: {start} vs ring end {}",
                    stops[0]
                );
                assert!(
                    end + 200 <= rings[1] + 10,
                    "{standard:?}: {end} vs ring 2 {}",
                    rings[1]
                );
            }
            Some(CallerIdPlacement::RingPulse) => {
                let pulse = stops[0] - rings[0];
                assert!((200..=300).contains(&pulse), "RP-AS pulse {pulse} ms");
                assert!(start >= stops[0] + 490, "{start}");
                assert!(end + 200 <= rings[1] + 10);
            }
            Some(CallerIdPlacement::LineReversal) => {
                assert!(
                    out.feeds
                        .contains(&LineFeed::OnHookTransmission(Polarity::Reverse)),
                    "{:?}",
                    out.feeds
                );
                assert!(end + 200 <= rings[0] + 10, "{standard:?}: before the first ring");
            }
            Some(CallerIdPlacement::BeforeFirstRing) => {
                assert!(
                    out.feeds
                        .contains(&LineFeed::OnHookTransmission(Polarity::Forward))
                );
                assert!(end + 200 <= rings[0] + 10, "{standard:?}: before the first ring");
            }
            other => panic!("{standard:?}: unexpected placement {other:?}"),
        }
    }
}

/// Plays a Telcordia signal on a line in `feed` to a phone that is on or
/// off hook; returns what the display shows.
fn play_to(feed: LineFeed, off_hook: bool) -> Option<CallerIdMessage> {
    let t0 = Instant::now();
    let mut slic = SimSlic::new(1, t0);
    slic.phone_mut(0)
        .set_caller_id(CallerIdStandard::TelcordiaMdmf)
        .expect("display");
    assert_eq!(
        slic.phone(0).caller_id_standard(),
        CallerIdStandard::TelcordiaMdmf
    );
    if off_hook {
        slic.phone_mut(0).lift();
    }
    let Ok(()) = slic.line(0).expect("port").set_feed(feed);
    let mut signal = CallerIdStandard::TelcordiaMdmf
        .signal(&message(), DEFAULT_FSK_LEVEL)
        .expect("encodable")
        .expect("signal");
    let mut down = [0i16; FRAME_SAMPLES];
    for tick in 1..=200u32 {
        slic.tick(t0 + TICK * tick);
        signal.generate(&mut down);
        let Ok(()) = slic.line(0).expect("port").write_frame(&down);
    }
    slic.phone(0).caller_id().copied()
}

#[test]
fn on_hook_display_hears_data_only_in_on_hook_transmission() {
    let oht = LineFeed::OnHookTransmission(Polarity::Forward);
    assert!(play_to(oht, false).is_some(), "on hook, OHT: shown");
    assert_eq!(
        play_to(LineFeed::IDLE, false),
        None,
        "on hook, no OHT: no audio reaches the set"
    );
    assert_eq!(
        play_to(LineFeed::IDLE, true),
        None,
        "off hook: an on-hook display does not listen"
    );
}

#[test]
fn vmwi_message_lights_the_lamp_without_touching_the_display() {
    let t0 = Instant::now();
    let mut slic = SimSlic::new(1, t0);
    slic.phone_mut(0)
        .set_caller_id(CallerIdStandard::TelcordiaMdmf)
        .expect("display");
    let Ok(()) = slic
        .line(0)
        .expect("port")
        .set_feed(LineFeed::OnHookTransmission(Polarity::Forward));
    let mut down = [0i16; FRAME_SAMPLES];
    for active in [true, false] {
        let mut signal = CallerIdStandard::TelcordiaMdmf
            .signal(&CallerIdMessage::message_waiting(active), DEFAULT_FSK_LEVEL)
            .expect("encodable")
            .expect("signal");
        for _ in 0..150 {
            let now = slic.now() + TICK;
            slic.tick(now);
            signal.generate(&mut down);
            let Ok(()) = slic.line(0).expect("port").write_frame(&down);
        }
        assert_eq!(slic.phone(0).mwi_lamp(), active);
    }
    assert_eq!(slic.phone(0).caller_id(), None);
    let lamp: Vec<_> = std::iter::from_fn(|| slic.phone_mut(0).poll_event())
        .filter_map(|(_, e)| match e {
            PhoneEvent::MwiLamp(on) => Some(on),
            _ => None,
        })
        .collect();
    assert_eq!(lamp, vec![true, false]);
}

#[test]
fn off_hook_standards_are_acknowledged_and_decoded_during_a_call() {
    use fxs_tones::{Digit, DtmfDetector, DtmfEvent, OffHookCallerId, OffHookState, SAMPLE_RATE};
    let msg = message();
    for standard in [CallerIdStandard::TelcordiaTypeIi, CallerIdStandard::EtsiOffHook] {
        let t0 = Instant::now();
        let mut slic = SimSlic::new(1, t0);
        let Ok(()) = slic.line(0).expect("port").set_feed(LineFeed::IDLE);
        slic.phone_mut(0).set_caller_id(standard).expect("display");
        slic.phone_mut(0).lift();
        let mut exchange = OffHookCallerId::new(standard, &msg, DEFAULT_FSK_LEVEL)
            .expect("encodable")
            .expect("an exchange");
        let mut keypad = DtmfDetector::new(SAMPLE_RATE).expect("detector");
        let mut acks = Vec::new();
        let mut down = [0i16; FRAME_SAMPLES];
        for tick in 1..=300u32 {
            slic.tick(t0 + TICK * tick);
            let line = slic.line(0).expect("port");
            let mut up = [0i16; FRAME_SAMPLES];
            let Ok(()) = line.read_frame(&mut up);
            keypad.process(&up);
            while let Some(e) = keypad.poll_event() {
                if let DtmfEvent::Start { digit, .. } = e {
                    acks.push(digit);
                    exchange.handle_digit(digit);
                }
            }
            exchange.generate(&mut down);
            let Ok(()) = line.write_frame(&down);
        }
        assert_eq!(
            acks,
            vec![Digit::D],
            "{standard:?}: the set acknowledges once with D"
        );
        assert_eq!(exchange.state(), OffHookState::Done, "{standard:?}");
        assert_eq!(
            slic.phone(0).caller_id().copied(),
            Some(standard.carried(&msg)),
            "{standard:?}"
        );
    }
}
