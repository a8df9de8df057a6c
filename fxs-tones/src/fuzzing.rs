//! Entry points of the fuzz targets in `fuzz/`. Public (and hidden from the
//! docs) so that the normal test suite replays each corpus through exactly
//! the code the fuzzer runs. Not a stable API.

use crate::{
    CallerIdCoding, CallerIdMessage, CallerIdReceiver, CallerIdStandard, DtmfClipVariant, EtsiAlert,
    FskEvent, FskModem, FskReceiver, decode_bytes,
};

/// Most samples the `fsk_bytes` target looks at (3 s).
const MAX_SAMPLES: usize = 24_000;

/// Standards whose encoders must reproduce what a decoder of `coding`
/// accepted.
fn standards(coding: CallerIdCoding) -> &'static [CallerIdStandard] {
    const FSK: [CallerIdStandard; 3] = [
        CallerIdStandard::TelcordiaSdmf,
        CallerIdStandard::TelcordiaMdmf,
        CallerIdStandard::Etsi(EtsiAlert::AfterFirstRing),
    ];
    const DTMF: [CallerIdStandard; 4] = [
        CallerIdStandard::EtsiDtmf {
            variant: DtmfClipVariant::StartA,
            line_reversal: false,
        },
        CallerIdStandard::EtsiDtmf {
            variant: DtmfClipVariant::HashTerminated,
            line_reversal: false,
        },
        CallerIdStandard::EtsiDtmf {
            variant: DtmfClipVariant::StartD,
            line_reversal: false,
        },
        CallerIdStandard::EtsiDtmf {
            variant: DtmfClipVariant::Bare,
            line_reversal: false,
        },
    ];
    match coding {
        CallerIdCoding::Fsk => &FSK,
        CallerIdCoding::Dtmf => &DTMF,
        CallerIdCoding::Ntt => &[CallerIdStandard::Ntt],
    }
}

/// Whatever an encoder writes for `msg` decodes to the part of `msg` it
/// carries. Panics if not.
fn check_reencode(msg: &CallerIdMessage, coding: CallerIdCoding) {
    for &standard in standards(coding) {
        if let Ok(Some(bytes)) = standard.encode(msg) {
            let back = decode_bytes(coding, bytes.as_slice()).expect("an encoded message decodes");
            assert_eq!(back, standard.carried(msg), "{standard:?} changed the message");
        }
    }
}

/// The `callerid_decode` target: the octets go to every decoder (FSK
/// Telcordia/ETSI, DTMF, NTT); none may panic, and every message one of
/// them accepts must survive re-encoding. Returns how many decoders
/// accepted the input.
pub fn callerid_decode(data: &[u8]) -> usize {
    let mut accepted = 0;
    for coding in [CallerIdCoding::Fsk, CallerIdCoding::Dtmf, CallerIdCoding::Ntt] {
        if let Ok(msg) = decode_bytes(coding, data) {
            check_reencode(&msg, coding);
            accepted += 1;
        }
    }
    accepted
}

/// The `fsk_bytes` target: the input, read as 16-bit little-endian
/// samples, goes through both FSK receivers and the caller ID receivers of
/// every FSK standard. Nothing may panic, no receiver may report more
/// octets than the samples can carry, and every decoded message must
/// survive re-encoding. Returns the number of valid messages found.
pub fn fsk_bytes(data: &[u8]) -> usize {
    let mut samples = [0i16; MAX_SAMPLES];
    let n = (data.len() / 2).min(samples.len());
    for (s, pair) in samples.iter_mut().zip(data.chunks_exact(2)) {
        *s = i16::from_le_bytes([pair[0], pair[1]]);
    }
    let samples = &samples[..n];
    for modem in [FskModem::Bell202, FskModem::V23] {
        let mut rx = FskReceiver::new(modem);
        let mut octets = 0usize;
        for frame in samples.chunks(crate::FRAME_SAMPLES) {
            rx.process(frame, |e| {
                if matches!(e, FskEvent::Octet(_) | FskEvent::FramingError) {
                    octets += 1;
                }
            });
        }
        // A character is 10 bits of 6 2/3 samples.
        assert!(octets <= n / 60 + 1, "{octets} characters from {n} samples");
    }
    let mut found = 0;
    for standard in [
        CallerIdStandard::TelcordiaMdmf,
        CallerIdStandard::Etsi(EtsiAlert::AfterFirstRing),
        CallerIdStandard::Ntt,
    ] {
        let Ok(mut rx) = CallerIdReceiver::new(standard) else {
            continue;
        };
        rx.process(samples);
        while let Some(r) = rx.poll_message() {
            if let (Ok(msg), Some(coding)) = (r, standard.coding()) {
                check_reencode(&msg, coding);
                found += 1;
            }
        }
    }
    found
}

/// A valid line signal of `standard` for `msg` as little-endian sample
/// bytes (to seed the `fsk_bytes` corpus). Empty for `Off`.
#[cfg(feature = "std")]
pub fn line_bytes(standard: CallerIdStandard, msg: &CallerIdMessage) -> std::vec::Vec<u8> {
    use crate::DEFAULT_FSK_LEVEL;
    let Ok(Some(mut signal)) = standard.signal(msg, DEFAULT_FSK_LEVEL) else {
        return std::vec::Vec::new();
    };
    let mut samples = std::vec![0i16; signal.total_samples() + 160];
    signal.generate(&mut samples[80..]);
    samples.iter().flat_map(|s| s.to_le_bytes()).collect()
}
