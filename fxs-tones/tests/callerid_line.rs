//! Caller ID line signals: timing against ringing, alerting tones, the
//! off-hook exchange, "off" producing nothing, corrupt signals reported.

use fxs_tones::{
    AbsenceReason, AckKind, AlertToneDetector, AlertToneEvent, CallerIdMessage, CallerIdReceiver,
    CallerIdStandard, DEFAULT_FSK_LEVEL, Digit, DtmfDetector, DtmfEvent, Error, EtsiAlert, OffHookCallerId,
    OffHookState, RingAnchor, decode_samples,
};

fn samples(standard: CallerIdStandard, m: &CallerIdMessage) -> Vec<i16> {
    let mut s = standard.signal(m, DEFAULT_FSK_LEVEL).unwrap().unwrap();
    let mut out = vec![0i16; s.total_samples() + 400];
    let n = s.generate(&mut out);
    assert_eq!(n, s.total_samples());
    assert!(s.is_done());
    out
}

#[test]
fn telcordia_type_1_goes_500_ms_after_ring_1_and_200_ms_before_ring_2() {
    let m = CallerIdMessage::with_number("2015550123").unwrap();
    let s = CallerIdStandard::TelcordiaMdmf
        .signal(&m, DEFAULT_FSK_LEVEL)
        .unwrap()
        .unwrap();
    let t = s.timing();
    assert_eq!(t.anchor, RingAnchor::AfterFirstRing);
    assert_eq!((t.min_delay_ms, t.min_gap_before_ring_ms), (500, 200));
    assert_eq!((t.seizure_bits, t.mark_bits), (300, 180));
    // 300 + 180 bits + (2 + 12 + 1) octets * 10 + 5 postamble = 635 bits.
    assert_eq!(s.total_samples(), (635 * 8000usize).div_ceil(1200));
    // It fits the 4 s US silent interval with the required margins.
    assert!(500 + s.total_samples() / 8 + 200 < 4000);
}

#[test]
fn etsi_dt_as_and_bt_tas_start_with_the_dual_tone_alert() {
    let m = CallerIdMessage::with_number("0301234567").unwrap();
    for standard in [
        CallerIdStandard::Etsi(EtsiAlert::LineReversalDtAs),
        CallerIdStandard::Bt,
    ] {
        let line = samples(standard, &m);
        let mut det = AlertToneDetector::new();
        det.process(&line[..2400]);
        let mut got = None;
        while let Some(e) = det.poll_event() {
            if let AlertToneEvent::End { start, end } = e {
                got = Some((start, end));
            }
        }
        let (start, end) = got.expect("alert detected");
        assert!(
            start < 80 && (720..=880).contains(&end),
            "{standard:?}: {start}..{end}"
        );
        assert_eq!(
            decode_samples(standard, &line).unwrap().number_str(),
            Some("0301234567")
        );
        assert_eq!(
            standard
                .signal(&m, DEFAULT_FSK_LEVEL)
                .unwrap()
                .unwrap()
                .timing()
                .anchor,
            RingAnchor::LineReversal
        );
    }
}

#[test]
fn rp_as_timing_asks_for_a_ring_pulse_and_500_ms() {
    let m = CallerIdMessage::with_number("1").unwrap();
    let t = CallerIdStandard::Etsi(EtsiAlert::RpAs)
        .signal(&m, DEFAULT_FSK_LEVEL)
        .unwrap()
        .unwrap()
        .timing();
    assert_eq!(
        t.anchor,
        RingAnchor::RingPulse {
            min_ms: 200,
            max_ms: 300
        }
    );
    assert_eq!(t.min_delay_ms, 500);
}

#[test]
fn caller_id_off_produces_no_signal_and_no_exchange() {
    let m = CallerIdMessage::with_number("5551234").unwrap();
    assert!(
        CallerIdStandard::Off
            .signal(&m, DEFAULT_FSK_LEVEL)
            .unwrap()
            .is_none()
    );
    assert!(
        OffHookCallerId::new(CallerIdStandard::Off, &m, DEFAULT_FSK_LEVEL)
            .unwrap()
            .is_none()
    );
    assert!(CallerIdReceiver::new(CallerIdStandard::Off).is_err());
}

#[test]
fn dtmf_caller_id_is_sent_at_70_ms_on_70_ms_off() {
    let standard = CallerIdStandard::EtsiDtmf {
        variant: fxs_tones::DtmfClipVariant::StartA,
        line_reversal: true,
    };
    let m = CallerIdMessage::with_number("4687").unwrap();
    let line = samples(standard, &m);
    let mut det = DtmfDetector::new(8000).unwrap();
    let mut heard = String::new();
    for f in line.chunks(80) {
        det.process(f);
        while let Some(e) = det.poll_event() {
            if let DtmfEvent::End { digit, start, end } = e {
                heard.push(digit.as_char());
                let ms = (end - start) / 8;
                assert!((55..=85).contains(&ms), "{digit} lasted {ms} ms");
            }
        }
    }
    assert_eq!(heard, "A4687C");
}

fn run_offhook(standard: CallerIdStandard, ack: Option<Digit>) -> (OffHookState, Vec<i16>) {
    let m = CallerIdMessage::withheld(AbsenceReason::Private);
    let mut x = OffHookCallerId::new(standard, &m, DEFAULT_FSK_LEVEL)
        .unwrap()
        .unwrap();
    let mut line = Vec::new();
    let mut frame = [0i16; 80];
    let mut alert = AlertToneDetector::new();
    let mut acked = false;
    for _ in 0..300 {
        x.generate(&mut frame);
        line.extend_from_slice(&frame);
        alert.process(&frame);
        // The phone answers the alert 20 ms after it ends (as a DTMF detector would report).
        if let (Some(AlertToneEvent::End { .. }), Some(d), false) = (alert.poll_event(), ack, acked) {
            acked = true;
            let _ = x.handle_digit(Digit::D0); // not an ACK: ignored
            assert_eq!(x.handle_digit(d), AckKind::from_digit(standard, d));
        }
        if x.is_finished() {
            break;
        }
    }
    (x.state(), line)
}

#[test]
fn type_2_sends_data_only_after_the_ack() {
    let (state, line) = run_offhook(CallerIdStandard::TelcordiaTypeIi, Some(Digit::A));
    assert_eq!(state, OffHookState::Done);
    let m = decode_samples(CallerIdStandard::TelcordiaTypeIi, &line).unwrap();
    assert_eq!(
        m.number,
        Some(fxs_tones::Presented::Absent(AbsenceReason::Private))
    );

    let (state, line) = run_offhook(CallerIdStandard::TelcordiaTypeIi, None);
    assert_eq!(state, OffHookState::NoAck);
    assert_eq!(
        decode_samples(CallerIdStandard::TelcordiaTypeIi, &line),
        Err(Error::NoMessage)
    );
}

#[test]
fn etsi_off_hook_accepts_only_d_as_ack() {
    assert_eq!(AckKind::from_digit(CallerIdStandard::EtsiOffHook, Digit::A), None);
    let (state, _) = run_offhook(CallerIdStandard::EtsiOffHook, Some(Digit::D));
    assert_eq!(state, OffHookState::Done);
}

#[test]
fn a_corrupted_line_signal_is_reported_as_corrupt() {
    let standard = CallerIdStandard::TelcordiaMdmf;
    let m = CallerIdMessage::with_number("6175551212").unwrap();
    let mut line = samples(standard, &m);
    // Wipe out a few bits inside the number (after 480 preamble bits + 6 octets).
    let at = (480 + 6 * 10) * 8000 / 1200;
    line[at..at + 20].iter_mut().for_each(|s| *s = -*s / 8);
    let r = decode_samples(standard, &line);
    assert!(
        matches!(
            r,
            Err(Error::ChecksumMismatch { .. } | Error::MalformedMessage { .. })
        ),
        "{r:?}"
    );
}
