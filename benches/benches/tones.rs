//! Benchmarks of the fxs-tones hot paths: DTMF detection, tone generation
//! and tone measurement, with throughput in samples per second.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fxs_tones::{
    DtmfDetector, DtmfGenerator, DtmfGeneratorConfig, FRAME_SAMPLES, SAMPLE_RATE, ToneGenerator, TonePlan,
    measure_tone,
};

/// One second at 8 kHz.
const ONE_SECOND: usize = SAMPLE_RATE as usize;

/// One second of mixed DTMF digits and silence: 70 ms on / 70 ms off
/// digits, then the generator's idle silence.
fn digits_and_silence() -> Vec<i16> {
    let config = DtmfGeneratorConfig {
        on: Duration::from_millis(70),
        off: Duration::from_millis(70),
        ..Default::default()
    };
    let mut generator = DtmfGenerator::new(config).expect("valid DTMF configuration");
    generator.push_str("159#*0").expect("valid digits");
    let mut signal = vec![0i16; ONE_SECOND];
    for frame in signal.chunks_mut(FRAME_SAMPLES) {
        generator.generate(frame);
    }
    signal
}

fn bench_dtmf_detect(c: &mut Criterion) {
    let signal = digits_and_silence();
    let mut group = c.benchmark_group("dtmf_detect");
    group.throughput(Throughput::Elements(signal.len() as u64));
    group.bench_function("1s_digits_and_silence_80_sample_frames", |b| {
        b.iter(|| {
            let mut detector = DtmfDetector::new(SAMPLE_RATE).expect("8 kHz is supported");
            let mut events = 0u32;
            for frame in signal.chunks_exact(FRAME_SAMPLES) {
                detector.process(black_box(frame));
                while detector.poll_event().is_some() {
                    events += 1;
                }
            }
            events
        });
    });
    group.finish();
}

fn bench_tone_generate(c: &mut Criterion) {
    let us = TonePlan::for_country("US").expect("US plan");
    let india = TonePlan::for_country("IN").expect("IN plan");
    let mut group = c.benchmark_group("tone_generate");
    group.throughput(Throughput::Elements(ONE_SECOND as u64));
    // Two summed sines; 400 Hz x 25 Hz AM (India dial); four summed sines
    // (the howler, 0.1/0.1 s, so half of it is silence).
    let cases = [
        ("us_dial_1s_80_sample_frames", &us.dial),
        ("in_dial_am_1s_80_sample_frames", &india.dial),
        ("us_howler_4_freqs_1s_80_sample_frames", &us.howler),
    ];
    for (name, tone) in cases {
        group.bench_function(name, |b| {
            let mut generator = ToneGenerator::new(SAMPLE_RATE, tone).expect("plan tone");
            let mut frame = [0i16; FRAME_SAMPLES];
            b.iter(|| {
                let mut sum = 0i32;
                for _ in 0..ONE_SECOND / FRAME_SAMPLES {
                    generator.generate(black_box(&mut frame));
                    sum = sum.wrapping_add(i32::from(frame[0]));
                }
                sum
            });
        });
    }
    // The howler's sound held steadily: four sines every sample.
    let steady_howler = fxs_tones::Tone::continuous(us.howler.steps[0].sound);
    group.bench_function("four_sines_steady_1s_80_sample_frames", |b| {
        let mut generator = ToneGenerator::new(SAMPLE_RATE, &steady_howler).expect("four sines");
        let mut frame = [0i16; FRAME_SAMPLES];
        b.iter(|| {
            let mut sum = 0i32;
            for _ in 0..ONE_SECOND / FRAME_SAMPLES {
                generator.generate(black_box(&mut frame));
                sum = sum.wrapping_add(i32::from(frame[0]));
            }
            sum
        });
    });
    group.finish();
}

fn bench_measure_tone(c: &mut Criterion) {
    let plan = TonePlan::for_country("US").expect("US plan");
    let mut generator = ToneGenerator::new(SAMPLE_RATE, &plan.ringback).expect("plan ring-back tone");
    // 200 ms, what the simulated phone's ear measures.
    let mut block = vec![0i16; ONE_SECOND / 5];
    generator.generate(&mut block);
    let mut group = c.benchmark_group("measure_tone");
    group.throughput(Throughput::Elements(block.len() as u64));
    group.bench_function("us_ringback_200ms", |b| {
        b.iter(|| measure_tone(black_box(&block), SAMPLE_RATE))
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_dtmf_detect,
    bench_tone_generate,
    bench_measure_tone
);
criterion_main!(benches);
