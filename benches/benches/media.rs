//! Benchmarks of the fxs-media hot paths: G.711, RTP, one MediaStream
//! cycle, the jitter buffer, packet-loss concealment, RTCP and RFC 4733.
//!
//! With `--features spandsp` the `plc` group also runs spandsp's
//! `plc_rx`/`plc_fillin` on the same signal and loss pattern, side by side:
//! `cargo bench -p fxs-benches --features spandsp --bench media -- plc`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use fxs_media::jitter::{JitterBuffer, JitterBufferConfig, JitterMode, Playout};
use fxs_media::plc::Plc;
use fxs_media::rtcp::{self, RtcpPacket};
use fxs_media::telephone_event::{EventReceiver, EventReceiverConfig, EventSender};
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

fn bench_jitter_buffer(c: &mut Criterion) {
    let mut group = c.benchmark_group("jitter_buffer");
    // One cycle: one 20 ms packet in (with arrival time), two 10 ms frames out.
    group.throughput(Throughput::Elements(2 * FRAME_SAMPLES as u64));
    for (name, mode) in [
        (
            "adaptive_push_pop_20ms",
            JitterMode::Adaptive {
                min_frames: 2,
                max_frames: 20,
            },
        ),
        ("fixed_push_pop_20ms", JitterMode::Fixed),
    ] {
        group.bench_function(name, |b| {
            let mut jb = JitterBuffer::new(JitterBufferConfig {
                frame_samples: 80,
                frame_bytes: 80,
                delay_frames: 6,
                capacity_frames: 60,
                resync_threshold: 8000,
                mode,
            })
            .expect("valid configuration");
            let payload = [0x55u8; 160];
            let mut ts = 0u32;
            let mut noise = 1u32;
            b.iter(|| {
                noise = noise.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                let arrival = ts.wrapping_add((noise >> 24) % 160);
                jb.insert_at(arrival, ts, false, black_box(&payload));
                ts = ts.wrapping_add(160);
                let mut octets = 0;
                for _ in 0..2 {
                    if let Playout::Frame { payload, .. } = jb.pop_with(false) {
                        octets += payload.len();
                    }
                }
                octets
            });
        });
    }
    group.finish();
}

/// Frames lost at 10 %: a fixed pseudo-random pattern, the same for both
/// implementations.
fn loss_pattern(frames: usize) -> Vec<bool> {
    let mut state = 0x9E37_79B9u32;
    (0..frames)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state % 10 == 0
        })
        .collect()
}

fn bench_plc(c: &mut Criterion) {
    let pcm = speech_like(SAMPLE_RATE);
    let lost = loss_pattern(pcm.len() / FRAME_SAMPLES);
    let mut group = c.benchmark_group("plc");
    group.throughput(Throughput::Elements(pcm.len() as u64));
    group.bench_function("g711_appendix_i_10pct_loss_1s", |b| {
        let mut plc = Plc::new();
        let mut frame = [0i16; FRAME_SAMPLES];
        b.iter(|| {
            let mut sum = 0i32;
            for (chunk, &is_lost) in pcm.chunks_exact(FRAME_SAMPLES).zip(&lost) {
                if is_lost {
                    plc.lost_frame(&mut frame);
                } else {
                    frame.copy_from_slice(chunk);
                    plc.good_frame(black_box(&mut frame));
                }
                sum = sum.wrapping_add(i32::from(frame[0]));
            }
            sum
        });
    });
    #[cfg(feature = "spandsp")]
    group.bench_function("spandsp_plc_fillin_10pct_loss_1s", |b| {
        let mut plc = fxs_benches::spandsp::plc::SpandspPlc::new().expect("spandsp allocates");
        let mut frame = [0i16; FRAME_SAMPLES];
        b.iter(|| {
            let mut sum = 0i32;
            for (chunk, &is_lost) in pcm.chunks_exact(FRAME_SAMPLES).zip(&lost) {
                if is_lost {
                    plc.fillin(&mut frame);
                } else {
                    frame.copy_from_slice(chunk);
                    plc.rx(black_box(&mut frame));
                }
                sum = sum.wrapping_add(i32::from(frame[0]));
            }
            sum
        });
    });
    group.finish();
}

fn bench_rtcp(c: &mut Criterion) {
    let packets = vec![
        RtcpPacket::Report(rtcp::Report {
            ssrc: 1,
            sender_info: Some(rtcp::SenderInfo {
                ntp_timestamp: 0xE000_0001_0000_0000,
                rtp_timestamp: 160,
                packet_count: 250,
                octet_count: 40_000,
            }),
            blocks: vec![rtcp::ReportBlock {
                ssrc: 2,
                fraction_lost: 3,
                cumulative_lost: 12,
                extended_highest_sequence: 0x1_0010,
                jitter: 40,
                last_sr: 0x1234_5678,
                delay_since_last_sr: 30_000,
            }],
            extension: Vec::new(),
        }),
        RtcpPacket::Sdes(vec![rtcp::SdesChunk {
            ssrc: 1,
            items: vec![rtcp::SdesItem {
                kind: rtcp::SDES_CNAME,
                value: b"fxs-00000001@fxs-gateway".to_vec(),
            }],
        }]),
        RtcpPacket::Xr {
            ssrc: 1,
            blocks: vec![rtcp::XrBlock::VoipMetrics(rtcp::VoipMetrics {
                ssrc: 2,
                gmin: 16,
                r_factor: 88,
                ..rtcp::VoipMetrics::default()
            })],
        },
    ];
    let mut wire = Vec::new();
    rtcp::write_compound(&packets, &mut wire);
    let mut group = c.benchmark_group("rtcp");
    group.throughput(Throughput::Bytes(wire.len() as u64));
    group.bench_function("build_sr_sdes_xr_compound", |b| {
        let mut out = Vec::with_capacity(256);
        b.iter(|| {
            out.clear();
            rtcp::write_compound(black_box(&packets), &mut out);
            out.len()
        })
    });
    group.bench_function("parse_sr_sdes_xr_compound", |b| {
        b.iter(|| rtcp::parse_compound(black_box(&wire)).map(|p| p.len()))
    });
    group.finish();
}

fn bench_telephone_event(c: &mut Criterion) {
    let mut group = c.benchmark_group("rfc4733");
    // One digit of 100 ms at 20 ms packets: 5 updates + 3 end reports.
    group.throughput(Throughput::Elements(1));
    group.bench_function("digit_send_receive_round_trip", |b| {
        let mut sender = EventSender::new(160, 320, 320).expect("valid interval");
        let mut receiver = EventReceiver::new(EventReceiverConfig::default());
        let mut ts = 0u32;
        let mut ms = 0u64;
        b.iter(|| {
            sender.send(5, 10, 800).expect("room in the queue");
            let mut events = 0;
            for _ in 0..12 {
                if let Some(packet) = sender.tick(ts) {
                    let payload = packet.report.to_bytes();
                    let now = Duration::from_millis(ms);
                    let _ =
                        receiver.handle_packet(now, 7, packet.timestamp, packet.marker, black_box(&payload));
                    while receiver.poll_event().is_some() {
                        events += 1;
                    }
                }
                ts = ts.wrapping_add(160);
                ms += 20;
            }
            events
        })
    });
    group.finish();
}

criterion_group!(
    benches,
    bench_g711,
    bench_rtp,
    bench_media_stream,
    bench_jitter_buffer,
    bench_plc,
    bench_rtcp,
    bench_telephone_event
);
criterion_main!(benches);
