//! Benchmarks of the fxs-media hot paths: G.711, RTP, and one MediaStream cycle.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fxs_media::{Codec, FRAME_SAMPLES, MediaConfig, MediaStream, g711, rtp};

const SAMPLE_RATE: usize = 8000;

/// One second of a speech-like test signal: a few harmonics of a gliding
/// pitch under a syllable-rate envelope, plus a little deterministic noise.
fn speech_like(samples: usize) -> Vec<i16> {
    let mut noise: u32 = 0x1234_5678;
    (0..samples)
        .map(|n| {
            let t = n as f32 / SAMPLE_RATE as f32;
            let pitch = 120.0 + 30.0 * (2.0 * std::f32::consts::PI * 0.7 * t).sin();
            let envelope = 0.5 + 0.5 * (2.0 * std::f32::consts::PI * 4.0 * t).sin();
            let voiced: f32 = (1..=5)
                .map(|h| (2.0 * std::f32::consts::PI * pitch * h as f32 * t).sin() / h as f32)
                .sum();
            noise = noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            let hiss = ((noise >> 16) as f32 / 65536.0 - 0.5) * 0.05;
            (8000.0 * envelope * voiced + 8000.0 * hiss) as i16
        })
        .collect()
}

fn bench_g711(c: &mut Criterion) {
    let pcm = speech_like(SAMPLE_RATE);
    let mut group = c.benchmark_group("g711");
    group.throughput(Throughput::Elements(pcm.len() as u64));
    type Coder = fn(&[i16], &mut [u8]) -> usize;
    type Decoder = fn(&[u8], &mut [i16]) -> usize;
    let laws: [(&str, Coder, Decoder); 2] = [
        ("ulaw", g711::encode_ulaw, g711::decode_ulaw),
        ("alaw", g711::encode_alaw, g711::decode_alaw),
    ];
    for (name, encode, decode) in laws {
        group.bench_function(format!("{name}_encode_decode_1s_80_sample_frames"), |b| {
            let mut codes = [0u8; FRAME_SAMPLES];
            let mut out = [0i16; FRAME_SAMPLES];
            b.iter(|| {
                let mut sum = 0i32;
                for frame in pcm.chunks_exact(FRAME_SAMPLES) {
                    encode(black_box(frame), &mut codes);
                    decode(black_box(&codes), &mut out);
                    sum = sum.wrapping_add(i32::from(out[0]));
                }
                sum
            });
        });
    }
    group.finish();
}

fn bench_rtp(c: &mut Criterion) {
    let header = rtp::RtpHeader {
        marker: false,
        payload_type: 0,
        sequence: 4242,
        timestamp: 123_456,
        ssrc: 0xDEAD_BEEF,
        ..rtp::RtpHeader::default()
    };
    let payload = [0xFFu8; 160];
    let mut packet = Vec::with_capacity(172);
    rtp::write(&header, &payload, &mut packet);
    assert_eq!(packet.len(), 172);

    let mut group = c.benchmark_group("rtp");
    group.throughput(Throughput::Elements(160));
    group.bench_function("parse_172_byte_pcmu", |b| {
        b.iter(|| rtp::RtpPacket::parse(black_box(&packet)).map(|p| p.payload().len()))
    });
    group.bench_function("parse_owned_172_byte_pcmu", |b| {
        b.iter(|| rtp::parse(black_box(&packet)).map(|(h, p)| (h.sequence, p.len())))
    });
    group.bench_function("write_172_byte_pcmu", |b| {
        let mut out = Vec::with_capacity(172);
        b.iter(|| {
            out.clear();
            rtp::write(black_box(&header), black_box(&payload), &mut out);
            out.len()
        })
    });
    group.finish();
}

fn bench_media_stream(c: &mut Criterion) {
    let pcm = speech_like(2 * FRAME_SAMPLES);
    let (first, second) = pcm.split_at(FRAME_SAMPLES);
    let config = |ssrc| MediaConfig {
        codec: Codec::Pcmu,
        ssrc,
        ..MediaConfig::default()
    };
    let mut group = c.benchmark_group("media_stream");
    // One cycle moves 20 ms up and 20 ms down.
    group.throughput(Throughput::Elements(2 * pcm.len() as u64));
    group.bench_function("uplink_downlink_20ms_pcmu", |b| {
        let mut a = MediaStream::new(config(1)).expect("valid configuration");
        let mut z = MediaStream::new(config(2)).expect("valid configuration");
        let mut now = Instant::now();
        let mut datagram = Vec::with_capacity(256);
        let mut heard = [0i16; FRAME_SAMPLES];
        b.iter(|| {
            a.handle_pcm(black_box(first));
            a.handle_pcm(black_box(second));
            while a.poll_rtp(&mut datagram) {
                let _ = z.handle_rtp(now, &datagram);
                datagram.clear();
            }
            z.poll_pcm(&mut heard);
            z.poll_pcm(&mut heard);
            now += Duration::from_millis(20);
            heard[0]
        });
    });
    group.finish();
}

criterion_group!(benches, bench_g711, bench_rtp, bench_media_stream);
criterion_main!(benches);
