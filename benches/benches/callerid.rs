//! Benchmarks of the FSK receiver and caller ID (fxs-tones): receiver
//! throughput in samples per second, encoding in messages and samples per
//! second. With the `spandsp` feature, spandsp's `fsk_rx` and `adsi_rx`
//! run on the same signal in the same run:
//!
//! ```text
//! cargo bench -p fxs-benches --bench callerid
//! cargo bench -p fxs-benches --features spandsp --bench callerid
//! ```

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fxs_tones::{
    CallerIdMessage, CallerIdReceiver, CallerIdStandard, DEFAULT_FSK_LEVEL, DateTime, EtsiAlert,
    FRAME_SAMPLES, FskModem, FskReceiver, Name, Presented,
};

/// A typical MDMF message: date, number, name.
fn message() -> CallerIdMessage {
    let mut m = CallerIdMessage::with_number("6175551212").expect("valid number");
    m.datetime = Some(DateTime::new(11, 25, 4, 30).expect("valid date"));
    m.name = Some(Presented::Value(Name::new("JOHN DOE").expect("valid name")));
    m
}

/// Two seconds of line: the message's full on-hook signal, repeated with
/// 200 ms of silence in between, cut to a whole number of frames.
fn line(standard: CallerIdStandard) -> Vec<i16> {
    let mut out = Vec::new();
    while out.len() < 16_000 {
        let mut signal = standard
            .signal(&message(), DEFAULT_FSK_LEVEL)
            .expect("encodable")
            .expect("standard is on");
        let start = out.len();
        out.resize(start + signal.total_samples() + 1600, 0);
        signal.generate(&mut out[start..]);
    }
    out.truncate(out.len() / FRAME_SAMPLES * FRAME_SAMPLES);
    out
}

fn families() -> [(&'static str, FskModem, CallerIdStandard); 2] {
    [
        ("bell202", FskModem::Bell202, CallerIdStandard::TelcordiaMdmf),
        (
            "v23",
            FskModem::V23,
            CallerIdStandard::Etsi(EtsiAlert::AfterFirstRing),
        ),
    ]
}

fn ours_fsk(modem: FskModem, signal: &[i16]) -> u32 {
    let mut rx = FskReceiver::new(modem);
    let mut octets = 0u32;
    for frame in signal.chunks_exact(FRAME_SAMPLES) {
        rx.process(black_box(frame), |e| {
            if matches!(e, fxs_tones::FskEvent::Octet(_)) {
                octets += 1;
            }
        });
    }
    octets
}

fn ours_callerid(standard: CallerIdStandard, signal: &[i16]) -> u32 {
    let mut rx = CallerIdReceiver::new(standard).expect("standard is on");
    let mut ok = 0u32;
    for frame in signal.chunks_exact(FRAME_SAMPLES) {
        rx.process(black_box(frame));
        while let Some(r) = rx.poll_message() {
            ok += u32::from(r.is_ok());
        }
    }
    ok
}

fn bench_fsk_rx(c: &mut Criterion) {
    let mut group = c.benchmark_group("fsk_rx");
    for (name, modem, standard) in families() {
        let signal = line(standard);
        group.throughput(Throughput::Elements(signal.len() as u64));
        group.bench_function(format!("{name}_2s_80_sample_frames"), |b| {
            b.iter(|| ours_fsk(modem, &signal))
        });
    }
    group.finish();
}

fn bench_callerid_rx(c: &mut Criterion) {
    let mut group = c.benchmark_group("callerid_rx");
    for (name, _, standard) in families() {
        let signal = line(standard);
        assert!(ours_callerid(standard, &signal) >= 2, "the bench signal decodes");
        group.throughput(Throughput::Elements(signal.len() as u64));
        group.bench_function(format!("{name}_mdmf_2s_80_sample_frames"), |b| {
            b.iter(|| ours_callerid(standard, &signal))
        });
    }
    group.finish();
}

fn bench_callerid_encode(c: &mut Criterion) {
    let m = message();
    let mut group = c.benchmark_group("callerid_encode");
    group.throughput(Throughput::Elements(1));
    group.bench_function("mdmf_octets_messages", |b| {
        b.iter(|| CallerIdStandard::TelcordiaMdmf.encode(black_box(&m)))
    });
    for standard in [CallerIdStandard::TelcordiaMdmf, CallerIdStandard::Bt] {
        let total = standard
            .signal(&m, DEFAULT_FSK_LEVEL)
            .expect("encodable")
            .expect("on")
            .total_samples();
        group.throughput(Throughput::Elements(total as u64));
        group.bench_function(
            format!("{}_line_signal_samples", standard.name().replace(' ', "_")),
            |b| {
                let mut frame = [0i16; FRAME_SAMPLES];
                b.iter(|| {
                    let mut s = standard
                        .signal(black_box(&m), DEFAULT_FSK_LEVEL)
                        .expect("encodable")
                        .expect("on");
                    while !s.is_done() {
                        s.generate(&mut frame);
                    }
                    frame[0]
                })
            },
        );
    }
    group.finish();
}

#[cfg(feature = "spandsp")]
fn bench_vs_spandsp(c: &mut Criterion) {
    use fxs_benches::spandsp::fsk::{Family, SpandspAdsiRx, SpandspFskRx};
    for (name, modem, standard) in families() {
        let family = if modem == FskModem::Bell202 {
            Family::Bell202
        } else {
            Family::V23
        };
        let signal = line(standard);
        // Both must decode the same messages before we time them.
        let mut adsi = SpandspAdsiRx::new(family).expect("spandsp allocates");
        for frame in signal.chunks_exact(FRAME_SAMPLES) {
            adsi.process(frame);
        }
        let ours = ours_callerid(standard, &signal);
        assert_eq!(u64::from(ours), adsi.messages(), "{name}: same messages decoded");

        let mut group = c.benchmark_group(format!("fsk_rx_vs_spandsp_{name}"));
        group.throughput(Throughput::Elements(signal.len() as u64));
        group.bench_function("fxs_tones_fsk_rx", |b| b.iter(|| ours_fsk(modem, &signal)));
        group.bench_function("spandsp_fsk_rx", |b| {
            b.iter(|| {
                let mut rx = SpandspFskRx::new(family).expect("spandsp allocates");
                for frame in signal.chunks_exact(FRAME_SAMPLES) {
                    rx.process(black_box(frame));
                }
                rx.bits()
            })
        });
        group.bench_function("fxs_tones_callerid_rx", |b| {
            b.iter(|| ours_callerid(standard, &signal))
        });
        group.bench_function("spandsp_adsi_rx", |b| {
            b.iter(|| {
                let mut rx = SpandspAdsiRx::new(family).expect("spandsp allocates");
                for frame in signal.chunks_exact(FRAME_SAMPLES) {
                    rx.process(black_box(frame));
                }
                rx.messages()
            })
        });
        group.finish();
    }
}

#[cfg(not(feature = "spandsp"))]
fn bench_vs_spandsp(_: &mut Criterion) {}

criterion_group!(
    benches,
    bench_fsk_rx,
    bench_callerid_rx,
    bench_callerid_encode,
    bench_vs_spandsp
);
criterion_main!(benches);
