//! Property tests: every caller ID encode/decode pair, through octets and
//! through line samples and the receivers, keeps the message (the part
//! each standard carries), and presentation always survives.

use fxs_tones::{
    AbsenceReason, CallQualifier, CallerIdMessage, CallerIdStandard, DateTime, Dbm0, DtmfClipVariant,
    EtsiAlert, MessageWaiting, Name, Number, Presented, RedirectReason, decode_bytes, decode_samples,
};
use proptest::prelude::*;

fn number(max: usize) -> impl Strategy<Value = Number> {
    proptest::string::string_regex(&format!("[0-9]{{1,{max}}}"))
        .unwrap()
        .prop_map(|s| Number::new(&s).unwrap())
}

fn name() -> impl Strategy<Value = Name> {
    proptest::string::string_regex("[A-Za-z .,'-]{1,20}")
        .unwrap()
        .prop_map(|s| Name::new(&s).unwrap())
}

fn reason() -> impl Strategy<Value = AbsenceReason> {
    prop_oneof![Just(AbsenceReason::Private), Just(AbsenceReason::Unavailable)]
}

fn datetime() -> impl Strategy<Value = DateTime> {
    (1u8..=12, 1u8..=31, 0u8..=23, 0u8..=59).prop_map(|(m, d, h, n)| DateTime::new(m, d, h, n).unwrap())
}

fn presented<T: std::fmt::Debug + Clone>(v: impl Strategy<Value = T>) -> impl Strategy<Value = Presented<T>> {
    prop_oneof![v.prop_map(Presented::Value), reason().prop_map(Presented::Absent)]
}

/// Any message (the encoder picks what its standard carries).
fn message(max_digits: usize) -> impl Strategy<Value = CallerIdMessage> {
    (
        proptest::option::of(datetime()),
        presented(number(max_digits)),
        proptest::option::of(presented(name())),
        proptest::option::of(number(max_digits)),
        proptest::option::of(number(max_digits)),
        proptest::option::of(prop_oneof![
            Just(RedirectReason::Busy),
            Just(RedirectReason::Deflection)
        ]),
        proptest::bool::ANY,
    )
        .prop_map(
            |(datetime, number, name, called, redirecting, redirect_reason, ld)| CallerIdMessage {
                datetime,
                number: Some(number),
                name,
                called,
                redirecting,
                redirect_reason,
                qualifier: ld.then_some(CallQualifier::LongDistance),
                message_waiting: None,
            },
        )
}

fn mwi() -> impl Strategy<Value = CallerIdMessage> {
    (proptest::bool::ANY, proptest::option::of(0u8..=99)).prop_map(|(active, count)| CallerIdMessage {
        message_waiting: Some(MessageWaiting { active, count }),
        ..CallerIdMessage::default()
    })
}

fn fsk_standard() -> impl Strategy<Value = CallerIdStandard> {
    prop_oneof![
        Just(CallerIdStandard::TelcordiaSdmf),
        Just(CallerIdStandard::TelcordiaMdmf),
        Just(CallerIdStandard::TelcordiaTypeIi),
        Just(CallerIdStandard::Etsi(EtsiAlert::LineReversalDtAs)),
        Just(CallerIdStandard::Etsi(EtsiAlert::RpAs)),
        Just(CallerIdStandard::EtsiOffHook),
        Just(CallerIdStandard::Bt),
        Just(CallerIdStandard::Ntt),
    ]
}

fn dtmf_standard() -> impl Strategy<Value = CallerIdStandard> {
    proptest::sample::select(DtmfClipVariant::ALL.to_vec()).prop_map(|variant| CallerIdStandard::EtsiDtmf {
        variant,
        line_reversal: false,
    })
}

/// SDMF needs the date and time; give it one.
fn fix_for(standard: CallerIdStandard, mut m: CallerIdMessage) -> CallerIdMessage {
    if standard == CallerIdStandard::TelcordiaSdmf && m.datetime.is_none() {
        m.datetime = Some(DateTime::new(1, 1, 0, 0).unwrap());
    }
    m
}

proptest! {
    #[test]
    fn fsk_messages_survive_octets(standard in fsk_standard(), m in message(20)) {
        let m = fix_for(standard, m);
        let bytes = standard.encode(&m).unwrap().unwrap();
        let back = decode_bytes(standard.coding().unwrap(), bytes.as_slice()).unwrap();
        prop_assert_eq!(back, standard.carried(&m));
        prop_assert_eq!(back.number, m.number);
        if standard != CallerIdStandard::TelcordiaSdmf {
            prop_assert_eq!(back.name, m.name);
        }
    }

    #[test]
    fn message_waiting_survives_octets(m in mwi()) {
        for standard in [CallerIdStandard::TelcordiaSdmf, CallerIdStandard::TelcordiaMdmf, CallerIdStandard::Bt, CallerIdStandard::Etsi(EtsiAlert::AfterFirstRing)] {
            let bytes = standard.encode(&m).unwrap().unwrap();
            let back = decode_bytes(standard.coding().unwrap(), bytes.as_slice()).unwrap();
            prop_assert_eq!(back, standard.carried(&m));
            prop_assert_eq!(back.message_waiting.map(|w| w.active), m.message_waiting.map(|w| w.active));
        }
    }

    #[test]
    fn dtmf_messages_survive_characters(standard in dtmf_standard(), m in message(15)) {
        let bytes = standard.encode(&m).unwrap().unwrap();
        let back = decode_bytes(standard.coding().unwrap(), bytes.as_slice()).unwrap();
        prop_assert_eq!(back, standard.carried(&m));
        prop_assert_eq!(back.number, m.number);
    }

    #[test]
    fn any_single_bit_error_is_caught(standard in fsk_standard(), m in message(12), bit in 0usize..2000) {
        let m = fix_for(standard, m);
        let bytes = standard.encode(&m).unwrap().unwrap();
        let mut bad = bytes.as_slice().to_vec();
        let bit = bit % (bad.len() * 8);
        bad[bit / 8] ^= 1 << (bit % 8);
        prop_assert!(decode_bytes(standard.coding().unwrap(), &bad).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn fsk_messages_survive_the_line_at_any_level(standard in fsk_standard(), m in message(12), level in -40.0f32..0.0) {
        let m = fix_for(standard, m);
        let mut signal = standard.signal(&m, Dbm0(level)).unwrap().unwrap();
        let mut samples = vec![0i16; signal.total_samples() + 800];
        signal.generate(&mut samples[400..]);
        let back = decode_samples(standard, &samples).unwrap();
        prop_assert_eq!(back, standard.carried(&m));
    }

    #[test]
    fn dtmf_messages_survive_the_line(standard in dtmf_standard(), m in message(10)) {
        let mut signal = standard.signal(&m, Dbm0(-13.5)).unwrap().unwrap();
        let mut samples = vec![0i16; signal.total_samples() + 800];
        signal.generate(&mut samples[400..]);
        let back = decode_samples(standard, &samples).unwrap();
        prop_assert_eq!(back, standard.carried(&m));
    }
}

proptest! {
    #[test]
    fn decoders_survive_random_octets(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        fxs_tones::fuzzing::callerid_decode(&data);
    }

    #[test]
    fn decoders_survive_mutated_valid_messages(m in message(12), at in 0usize..64, value in any::<u8>()) {
        for standard in [CallerIdStandard::TelcordiaMdmf, CallerIdStandard::Ntt] {
            let mut bytes = standard.encode(&m).unwrap().unwrap().as_slice().to_vec();
            let i = at % bytes.len();
            bytes[i] = value;
            fxs_tones::fuzzing::callerid_decode(&bytes);
            bytes.truncate(i);
            fxs_tones::fuzzing::callerid_decode(&bytes);
        }
    }
}
