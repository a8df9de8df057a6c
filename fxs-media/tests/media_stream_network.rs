//! Two MediaStreams talking through an in-test network that loses,
//! delays, jitters and reorders packets, in virtual time: audio keeps
//! flowing, statistics add up, DTMF leaves exactly once, RTCP measures the
//! round trip, latching follows the policy, and DTX sends comfort noise.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use fxs_media::rtcp::{self, RtcpPacket, XrBlock};
use fxs_media::rtp::RtpPacket;
use fxs_media::{Codec, FRAME_SAMPLES, LatchPolicy, MediaConfig, MediaEvent, MediaStream};
use fxs_tones::{Digit, DtmfDetector, DtmfEvent, DtmfGenerator, DtmfGeneratorConfig};

/// Deterministic xorshift generator for the network.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A one-way network path: loss in percent, delay base + uniform jitter in ms.
struct Path {
    rng: Rng,
    loss_percent: u64,
    base_ms: u64,
    jitter_ms: u64,
    /// (delivery time in ms, datagram)
    in_flight: Vec<(u64, Vec<u8>)>,
    dropped: u64,
}

impl Path {
    fn new(seed: u64, loss_percent: u64, base_ms: u64, jitter_ms: u64) -> Path {
        Path {
            rng: Rng(seed),
            loss_percent,
            base_ms,
            jitter_ms,
            in_flight: Vec::new(),
            dropped: 0,
        }
    }

    fn send(&mut self, now_ms: u64, datagram: Vec<u8>) {
        if self.rng.below(100) < self.loss_percent {
            self.dropped += 1;
            return;
        }
        let jitter = if self.jitter_ms > 0 {
            self.rng.below(self.jitter_ms + 1)
        } else {
            0
        };
        self.in_flight.push((now_ms + self.base_ms + jitter, datagram));
    }

    /// Datagrams due by `now_ms`, in delivery-time order (reordering when
    /// the jitter exceeds the packet interval).
    fn deliver(&mut self, now_ms: u64) -> Vec<Vec<u8>> {
        self.in_flight.sort_by_key(|(at, _)| *at);
        let due = self.in_flight.iter().take_while(|(at, _)| *at <= now_ms).count();
        self.in_flight.drain(..due).map(|(_, d)| d).collect()
    }
}

fn sine_frame(n: &mut u64, freq: f64, amplitude: f64) -> [i16; FRAME_SAMPLES] {
    let mut frame = [0i16; FRAME_SAMPLES];
    for s in &mut frame {
        *s = (amplitude * (2.0 * std::f64::consts::PI * freq * *n as f64 / 8000.0).sin()) as i16;
        *n += 1;
    }
    frame
}

fn rms(x: &[i16]) -> f64 {
    (x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

fn addr(port: u16) -> SocketAddr {
    SocketAddr::from(([192, 0, 2, 1], port))
}

fn config(ssrc: u32) -> MediaConfig {
    MediaConfig {
        codec: Codec::Pcmu,
        payload_type: 0,
        ssrc,
        initial_sequence: (ssrc as u16).wrapping_mul(7),
        initial_timestamp: ssrc.wrapping_mul(1000),
        telephone_event_payload_type: Some(101),
        ..MediaConfig::default()
    }
}

/// Everything one run of the two-party call produced.
struct Call {
    a: MediaStream,
    b: MediaStream,
    heard_by_a: Vec<i16>,
    heard_by_b: Vec<i16>,
    a_to_b: Path,
}

/// Runs `ms` of a call; A talks `a_audio(tick)`, B talks a 500 Hz tone.
/// RTCP runs both ways on the same paths.
fn run_call(
    mut a: MediaStream,
    mut b: MediaStream,
    ms: u64,
    mut a_to_b: Path,
    mut b_to_a: Path,
    mut a_audio: impl FnMut(u64) -> [i16; FRAME_SAMPLES],
) -> Call {
    let start = Instant::now();
    a.set_remote(addr(4000));
    b.set_remote(addr(5000));
    let mut b_phase = 0;
    let mut heard_by_a = Vec::new();
    let mut heard_by_b = Vec::new();
    let mut frame = [0i16; FRAME_SAMPLES];
    let mut datagram = Vec::new();
    // RTCP datagrams are marked with a leading 0xFF octet in flight.
    for now_ms in (0..ms).step_by(10) {
        let now = start + Duration::from_millis(now_ms);
        a.handle_pcm(&a_audio(now_ms / 10));
        b.handle_pcm(&sine_frame(&mut b_phase, 500.0, 3000.0));
        a.handle_timeout(now);
        b.handle_timeout(now);
        for (from, path) in [(&mut a, &mut a_to_b), (&mut b, &mut b_to_a)] {
            while from.poll_rtp(&mut datagram) {
                path.send(now_ms, core::mem::take(&mut datagram));
            }
            let mut report = vec![0xFF];
            if from.poll_rtcp(&mut report) {
                path.send(now_ms, report);
            }
        }
        for (to, path, source) in [
            (&mut b, &mut a_to_b, addr(5000)),
            (&mut a, &mut b_to_a, addr(4000)),
        ] {
            for d in path.deliver(now_ms) {
                if d.first() == Some(&0xFF) {
                    let mut rtcp_from = source;
                    rtcp_from.set_port(source.port() + 1);
                    to.handle_rtcp_from(now, rtcp_from, &d[1..]).unwrap();
                } else {
                    to.handle_rtp_from(now, source, &d).unwrap();
                }
            }
        }
        a.poll_pcm(&mut frame);
        heard_by_a.extend_from_slice(&frame);
        b.poll_pcm(&mut frame);
        heard_by_b.extend_from_slice(&frame);
    }
    Call {
        a,
        b,
        heard_by_a,
        heard_by_b,
        a_to_b,
    }
}

#[test]
fn audio_keeps_flowing_through_a_lossy_jittery_reordering_network() {
    let mut phase = 0;
    let call = run_call(
        MediaStream::new(config(0x0A0A)).unwrap(),
        MediaStream::new(config(0x0B0B)).unwrap(),
        20_000,
        Path::new(1, 5, 20, 60),
        Path::new(2, 5, 20, 60),
        |_| sine_frame(&mut phase, 440.0, 3000.0),
    );
    let stats = call.b.stats();
    // Every packet the network dropped is counted lost (none was late
    // enough to be counted twice), and some were reordered on the way.
    assert!(
        stats.packets_lost.abs_diff(call.a_to_b.dropped) <= 1,
        "{stats:?} dropped {}",
        call.a_to_b.dropped
    );
    assert!((3.0..8.0).contains(&stats.loss_percent), "{stats:?}");
    assert!(stats.packets_late <= 10, "{stats:?}");
    // The jitter (uniform 0-60 ms) is measured and the buffer adapted to it.
    assert!((10.0..40.0).contains(&stats.jitter_ms), "{stats:?}");
    assert!(
        (50.0..=200.0).contains(&stats.jitter_buffer_delay_ms),
        "{stats:?}"
    );
    // The audio keeps flowing: every 100 ms after the start has the tone.
    let expected = 3000.0 / 2f64.sqrt();
    for (k, chunk) in call.heard_by_b.chunks(800).enumerate().skip(5) {
        let level = rms(chunk);
        assert!(level > 0.6 * expected, "100 ms block {k}: RMS {level:.0}");
    }
    let a_heard = rms(&call.heard_by_a[8000..]);
    assert!(a_heard > 0.7 * expected, "{a_heard}");
    // Quality estimate: about 5 % random loss with PLC costs 15 R points.
    assert!((60.0..85.0).contains(&stats.r_factor), "{stats:?}");
    assert!((3.0..4.3).contains(&stats.mos), "{stats:?}");
    // RTCP went both ways and measured the 40-100 ms round trip.
    let rtt = stats.round_trip_ms.expect("round trip measured");
    assert!((40.0..=130.0).contains(&rtt), "{rtt}");
    assert!(stats.rtcp_sent >= 3 && stats.rtcp_received >= 2, "{stats:?}");
    assert!(
        (0.01..0.15).contains(&call.a.stats().remote_fraction_lost)
            || call.a.stats().remote_fraction_lost == 0.0
    );
}

#[test]
fn a_clean_network_scores_the_default_r_factor_less_the_delay() {
    let mut phase = 0;
    let call = run_call(
        MediaStream::new(config(1)).unwrap(),
        MediaStream::new(config(2)).unwrap(),
        3000,
        Path::new(1, 0, 10, 0),
        Path::new(2, 0, 10, 0),
        |_| sine_frame(&mut phase, 440.0, 3000.0),
    );
    let stats = call.b.stats();
    assert_eq!(stats.packets_lost, 0);
    assert_eq!(stats.frames_concealed, 0);
    assert!(stats.r_factor > 90.0 && stats.mos > 4.3, "{stats:?}");
}

#[test]
fn rtcp_compounds_carry_sr_sdes_and_xr_voip_metrics() {
    let mut phase = 0;
    let mut call = run_call(
        MediaStream::new(config(1)).unwrap(),
        MediaStream::new(config(2)).unwrap(),
        12_000,
        Path::new(1, 2, 10, 20),
        Path::new(2, 0, 10, 0),
        |_| sine_frame(&mut phase, 440.0, 3000.0),
    );
    let now = Instant::now() + Duration::from_secs(30);
    call.b.send_bye(now);
    let mut out = Vec::new();
    assert_eq!(call.b.poll_rtcp_to(&mut out), Some(addr(5001)));
    let packets = rtcp::parse_compound(&out).unwrap();
    let RtcpPacket::Report(report) = &packets[0] else {
        panic!("{packets:?}")
    };
    assert!(report.sender_info.is_some());
    assert_eq!(report.blocks.len(), 1);
    assert_eq!(report.blocks[0].ssrc, 1);
    assert!(matches!(&packets[1], RtcpPacket::Sdes(chunks) if chunks[0].items[0].kind == rtcp::SDES_CNAME));
    let RtcpPacket::Xr { blocks, .. } = &packets[2] else {
        panic!("{packets:?}")
    };
    let XrBlock::VoipMetrics(m) = &blocks[0] else {
        panic!("{blocks:?}")
    };
    assert_eq!(m.gmin, 16);
    assert!(m.jb_nominal >= 20 && m.jb_nominal <= m.jb_abs_max, "{m:?}");
    assert!((50..=95).contains(&m.r_factor), "{m:?}");
    assert!(matches!(packets.last(), Some(RtcpPacket::Bye { .. })));
    // A sees the BYE.
    call.a.handle_rtcp(now, &out).unwrap();
    let mut bye = false;
    while let Some(e) = call.a.poll_event() {
        bye |= e == MediaEvent::RemoteBye;
    }
    assert!(bye);
}

/// Plays `digit` in-band on A's uplink from 500 ms for 100 ms, over a tone.
fn keypress_audio(digit: Digit) -> impl FnMut(u64) -> [i16; FRAME_SAMPLES] {
    let mut generator = DtmfGenerator::new(DtmfGeneratorConfig {
        on: Duration::from_millis(100),
        ..DtmfGeneratorConfig::default()
    })
    .unwrap();
    move |tick| {
        let mut frame = [0i16; FRAME_SAMPLES];
        if tick == 50 {
            generator.push(digit).unwrap();
        }
        generator.generate(&mut frame);
        frame
    }
}

fn detect(samples: &[i16]) -> Vec<Digit> {
    let mut detector = DtmfDetector::new(8000).unwrap();
    let mut found = Vec::new();
    for frame in samples.chunks(FRAME_SAMPLES) {
        detector.process(frame);
        while let Some(e) = detector.poll_event() {
            if let DtmfEvent::Start { digit, .. } = e {
                found.push(digit);
            }
        }
    }
    found
}

fn received_digits(stream: &mut MediaStream) -> Vec<Digit> {
    let mut digits = Vec::new();
    while let Some(event) = stream.poll_event() {
        if let MediaEvent::DigitStarted { digit } = event {
            digits.push(digit);
        }
    }
    digits
}

#[test]
fn an_inband_key_press_leaves_exactly_once_as_an_event_and_not_as_a_tone() {
    let b_config = MediaConfig {
        regenerate_received_digits: false,
        ..config(2)
    };
    let mut call = run_call(
        MediaStream::new(config(1)).unwrap(),
        MediaStream::new(b_config).unwrap(),
        1500,
        Path::new(1, 0, 10, 10),
        Path::new(2, 0, 10, 10),
        keypress_audio(Digit::D5),
    );
    assert_eq!(received_digits(&mut call.b), [Digit::D5]);
    assert_eq!(call.a.stats().digits_sent, 1);
    assert_eq!(call.b.stats().digits_received, 1);
    // The tone was removed from A's audio: B's output holds no DTMF at all.
    assert_eq!(detect(&call.heard_by_b), []);
    assert!(rms(&call.heard_by_b) < 50.0, "{}", rms(&call.heard_by_b));
}

#[test]
fn received_events_are_regenerated_as_tones_for_the_line() {
    let mut call = run_call(
        MediaStream::new(config(1)).unwrap(),
        MediaStream::new(config(2)).unwrap(),
        1500,
        Path::new(1, 0, 10, 0),
        Path::new(2, 0, 10, 0),
        keypress_audio(Digit::Hash),
    );
    assert_eq!(received_digits(&mut call.b), [Digit::Hash]);
    // The line behind B hears one '#'.
    assert_eq!(detect(&call.heard_by_b), [Digit::Hash]);
}

#[test]
fn send_digit_uses_events_when_negotiated_and_tones_otherwise() {
    // With telephone-event: B receives one event of about the asked length.
    let mut a = MediaStream::new(config(1)).unwrap();
    a.send_digit(Digit::D7, Duration::from_millis(120)).unwrap();
    let mut call = run_call(
        a,
        MediaStream::new(config(2)).unwrap(),
        1000,
        Path::new(1, 0, 10, 0),
        Path::new(2, 0, 10, 0),
        |_| [0; FRAME_SAMPLES],
    );
    let mut ended = None;
    while let Some(e) = call.b.poll_event() {
        if let MediaEvent::DigitEnded { digit, duration } = e {
            ended = Some((digit, duration));
        }
    }
    let (digit, duration) = ended.expect("digit ended");
    assert_eq!(digit, Digit::D7);
    assert!(duration.as_millis().abs_diff(120) <= 20, "{duration:?}");

    // Without: the digit is a tone in A's audio, heard once by B's line.
    let no_events = |ssrc| MediaConfig {
        telephone_event_payload_type: None,
        ..config(ssrc)
    };
    let mut a = MediaStream::new(no_events(1)).unwrap();
    a.send_digit(Digit::D3, Duration::from_millis(100)).unwrap();
    let mut call = run_call(
        a,
        MediaStream::new(no_events(2)).unwrap(),
        1000,
        Path::new(1, 0, 10, 0),
        Path::new(2, 0, 10, 0),
        |_| [0; FRAME_SAMPLES],
    );
    assert_eq!(detect(&call.heard_by_b), [Digit::D3]);
    assert_eq!(received_digits(&mut call.b), []);
}

/// An audio packet from a remote SSRC 9.
fn remote_packet(seq: u16) -> Vec<u8> {
    let header = fxs_media::rtp::RtpHeader {
        payload_type: 0,
        sequence: seq,
        timestamp: u32::from(seq) * 160,
        ssrc: 9,
        ..Default::default()
    };
    let mut out = Vec::new();
    fxs_media::rtp::write(&header, &[0xFF; 160], &mut out);
    out
}

fn destination_after(policy: LatchPolicy, sources: &[SocketAddr]) -> (Option<SocketAddr>, usize) {
    let mut s = MediaStream::new(MediaConfig {
        latch: policy,
        ..config(1)
    })
    .unwrap();
    s.set_remote(addr(7000));
    let now = Instant::now();
    for (k, &from) in sources.iter().enumerate() {
        s.handle_rtp_from(now, from, &remote_packet(k as u16)).unwrap();
    }
    s.handle_pcm(&[0; FRAME_SAMPLES]);
    s.handle_pcm(&[0; FRAME_SAMPLES]);
    let mut out = Vec::new();
    let to = s.poll_rtp_to(&mut out);
    assert!(to.is_none() || RtpPacket::parse(&out).is_ok());
    let mut latched = 0;
    while let Some(e) = s.poll_event() {
        latched += usize::from(matches!(e, MediaEvent::RemoteLatched { .. }));
    }
    (to, latched)
}

#[test]
fn symmetric_rtp_latches_by_policy() {
    let nat = addr(40_000);
    let moved = addr(40_002);
    assert_eq!(
        destination_after(LatchPolicy::Off, &[nat, moved]),
        (Some(addr(7000)), 0)
    );
    assert_eq!(
        destination_after(LatchPolicy::FirstPacket, &[nat, moved]),
        (Some(nat), 1)
    );
    assert_eq!(
        destination_after(LatchPolicy::Always, &[nat, moved]),
        (Some(moved), 2)
    );
    // RTCP goes to the RTP port + 1 until the peer's RTCP is seen.
    let mut s = MediaStream::new(config(1)).unwrap();
    assert_eq!(s.rtcp_remote(), None);
    s.set_remote(addr(7000));
    assert_eq!(s.rtcp_remote(), Some(addr(7001)));
}

#[test]
fn silence_is_sent_as_comfort_noise_and_played_at_its_level() {
    let with_cn = |ssrc| MediaConfig {
        comfort_noise_payload_type: Some(13),
        vad: true,
        ..config(ssrc)
    };
    // A talks for 1 s, then 3 s of quiet background noise (about -50 dBov).
    let mut rng = Rng(77);
    let mut phase = 0;
    let call = run_call(
        MediaStream::new(with_cn(1)).unwrap(),
        MediaStream::new(with_cn(2)).unwrap(),
        4000,
        Path::new(1, 0, 10, 5),
        Path::new(2, 0, 10, 5),
        move |tick| {
            if tick < 100 {
                sine_frame(&mut phase, 300.0, 5000.0)
            } else {
                let mut frame = [0i16; FRAME_SAMPLES];
                for s in &mut frame {
                    *s = (rng.below(200) as i16) - 100;
                }
                frame
            }
        },
    );
    let a = call.a.stats();
    let b = call.b.stats();
    // 4 s at 20 ms would be 200 audio packets; the quiet part sent few.
    assert!(a.comfort_noise_sent >= 1, "{a:?}");
    assert!(a.packets_sent < 130, "{a:?}");
    assert_eq!(b.comfort_noise_received, a.comfort_noise_sent);
    // B plays noise at about the level of A's background (RMS 58) in the gap.
    let gap = &call.heard_by_b[2500 * 8..3900 * 8];
    let level = rms(gap);
    assert!((25.0..120.0).contains(&level), "comfort noise RMS {level}");
    assert!(b.frames_concealed < 5, "{b:?}");
}

#[test]
fn losses_are_concealed_without_gaps_in_the_audio() {
    let mut phase = 0;
    let call = run_call(
        MediaStream::new(config(1)).unwrap(),
        MediaStream::new(config(2)).unwrap(),
        5000,
        Path::new(3, 10, 10, 0),
        Path::new(4, 0, 10, 0),
        |_| sine_frame(&mut phase, 200.0, 8000.0),
    );
    let stats = call.b.stats();
    assert!(stats.frames_concealed >= 10, "{stats:?}");
    // No 10 ms frame of silence once the audio started: the PLC filled them.
    let silent = call.heard_by_b[FRAME_SAMPLES * 20..]
        .chunks(FRAME_SAMPLES)
        .filter(|f| rms(f) < 500.0)
        .count();
    assert!(silent <= 2, "{silent} silent frames");
}

#[test]
fn g726_streams_conceal_losses_and_score_the_codec_impairment() {
    let g726 = |ssrc| MediaConfig {
        codec: Codec::g726(fxs_media::G726Rate::Kbps32),
        payload_type: 111,
        ..config(ssrc)
    };
    let mut phase = 0;
    let call = run_call(
        MediaStream::new(g726(1)).unwrap(),
        MediaStream::new(g726(2)).unwrap(),
        4000,
        Path::new(5, 3, 10, 20),
        Path::new(6, 0, 10, 0),
        |_| sine_frame(&mut phase, 440.0, 3000.0),
    );
    let stats = call.b.stats();
    assert!(stats.packets_received > 150, "{stats:?}");
    let heard = rms(&call.heard_by_b[8000..]);
    assert!(heard > 0.6 * 3000.0 / 2f64.sqrt(), "{heard}");
    // Ie 7 for G.726-32 on top of the loss and delay.
    assert!(stats.r_factor < 93.2 - 7.0, "{stats:?}");
}
