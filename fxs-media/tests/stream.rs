//! MediaStream end to end: two streams back to back, with the network in
//! between simulated packet by packet in virtual time.

use std::f64::consts::PI;
use std::time::{Duration, Instant};

use fxs_media::rtp::{self, RtpHeader, RtpSender};
use fxs_media::{Codec, Error, FRAME_SAMPLES, MediaConfig, MediaStream};

/// Level of a full-scale sine (media.md §1, API.md level convention).
#[allow(clippy::approx_constant, reason = "3.14 dB is the G.711 figure, not pi")]
const FULL_SCALE_DBM0: f64 = 3.14;

/// Peak amplitude of a sine at `dbm0` (API.md level convention).
fn amplitude(dbm0: f64) -> f64 {
    32767.0 * 10f64.powf((dbm0 - FULL_SCALE_DBM0) / 20.0)
}

/// Level of a signal in dBm0 from its RMS (API.md level convention).
fn level_dbm0(samples: &[i16]) -> f64 {
    let power = samples.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / samples.len() as f64;
    20.0 * (power.sqrt() * 2f64.sqrt() / 32767.0).log10() + FULL_SCALE_DBM0
}

/// Frequency from the interpolated positions of the first and last rising
/// zero crossings.
fn frequency_hz(samples: &[i16]) -> f64 {
    let crossings: Vec<f64> = samples
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] < 0 && w[1] >= 0)
        .map(|(i, w)| {
            let (a, b) = (f64::from(w[0]), f64::from(w[1]));
            i as f64 + -a / (b - a)
        })
        .collect();
    let (first, last) = (crossings[0], crossings[crossings.len() - 1]);
    (crossings.len() - 1) as f64 * 8000.0 / (last - first)
}

/// A phase-continuous sine generator producing 10 ms frames.
struct Sine {
    freq: f64,
    amplitude: f64,
    n: u64,
}

impl Sine {
    fn new(freq: f64, dbm0: f64) -> Sine {
        Sine {
            freq,
            amplitude: amplitude(dbm0),
            n: 0,
        }
    }

    fn frame(&mut self) -> [i16; FRAME_SAMPLES] {
        let mut frame = [0i16; FRAME_SAMPLES];
        for s in &mut frame {
            let phase = 2.0 * PI * self.freq * self.n as f64 / 8000.0;
            *s = (self.amplitude * phase.sin()).round() as i16;
            self.n += 1;
        }
        frame
    }
}

fn config(codec: Codec, ssrc: u32) -> MediaConfig {
    MediaConfig {
        codec,
        payload_type: codec.static_payload_type().unwrap(),
        ssrc,
        ..MediaConfig::default()
    }
}

fn tick_time(start: Instant, tick: usize) -> Instant {
    start + Duration::from_millis(10 * tick as u64)
}

/// Runs `ticks` 10 ms ticks of a sender A and receiver B. `network` decides,
/// for each packet A produced (by index), at which later tick it is delivered
/// (None = lost; may return several ticks for duplicates). Returns B's output.
fn run_link(
    a: &mut MediaStream,
    b: &mut MediaStream,
    ticks: usize,
    source: &mut Sine,
    network: impl Fn(usize, usize) -> Vec<usize>,
) -> Vec<i16> {
    let start = Instant::now();
    let mut in_flight: Vec<(usize, Vec<u8>)> = Vec::new();
    let mut produced = 0;
    let mut output = Vec::new();
    for tick in 0..ticks {
        a.handle_pcm(&source.frame());
        let mut datagram = Vec::new();
        while a.poll_rtp(&mut datagram) {
            for at in network(produced, tick) {
                in_flight.push((at, datagram.clone()));
            }
            produced += 1;
            datagram.clear();
        }
        // Deliver in the order the network chose, stable for equal ticks.
        let (now, later): (Vec<_>, Vec<_>) = in_flight.into_iter().partition(|(at, _)| *at <= tick);
        in_flight = later;
        for (_, packet) in now {
            b.handle_rtp(tick_time(start, tick), &packet).unwrap();
        }
        let mut frame = [0i16; FRAME_SAMPLES];
        b.poll_pcm(&mut frame);
        output.extend_from_slice(&frame);
    }
    output
}

/// Drops the frames before playout started (all zero).
fn from_first_sound(output: &[i16]) -> &[i16] {
    let first = output.iter().position(|&s| s != 0).unwrap_or(output.len());
    &output[first / FRAME_SAMPLES * FRAME_SAMPLES..]
}

#[test]
fn tone_passes_through_back_to_back_streams_with_its_level_and_frequency() {
    for codec in [Codec::Pcmu, Codec::Pcma] {
        let mut a = MediaStream::new(config(codec, 0xA)).unwrap();
        let mut b = MediaStream::new(config(codec, 0xB)).unwrap();
        let mut tone = Sine::new(1000.0, -10.0);
        let output = run_link(&mut a, &mut b, 150, &mut tone, |_, tick| vec![tick]);
        // The first packet leaves after 20 ms; then 60 ms of buffering.
        assert!(output[..7 * FRAME_SAMPLES].iter().all(|&s| s == 0));
        assert!(
            output[7 * FRAME_SAMPLES..8 * FRAME_SAMPLES]
                .iter()
                .any(|&s| s != 0)
        );
        let steady = &output[20 * FRAME_SAMPLES..];
        let level = level_dbm0(steady);
        assert!((level + 10.0).abs() < 0.5, "{codec}: {level} dBm0");
        let freq = frequency_hz(steady);
        assert!((freq - 1000.0).abs() < 2.0, "{codec}: {freq} Hz");
        let stats = b.stats();
        assert_eq!(stats.packets_received, 75);
        assert_eq!(stats.packets_lost, 0);
        assert_eq!(stats.frames_concealed, 0);
        assert!(stats.jitter_ms < 0.2, "{}", stats.jitter_ms);
    }
}

#[test]
fn uplink_packets_carry_ptime_worth_with_consecutive_numbers() {
    let mut stream = MediaStream::new(MediaConfig {
        codec: Codec::Pcma,
        payload_type: 8,
        ptime_ms: 30,
        ssrc: 0xCAFE_F00D,
        initial_sequence: 65534,
        initial_timestamp: u32::MAX - 300,
        jitter_buffer_ms: 40,
        ..MediaConfig::default()
    })
    .unwrap();
    let mut packets = Vec::new();
    let mut tone = Sine::new(400.0, -20.0);
    for _ in 0..9 {
        stream.handle_pcm(&tone.frame());
        let mut out = Vec::new();
        if stream.poll_rtp(&mut out) {
            packets.push(out);
        }
    }
    assert_eq!(packets.len(), 3);
    let headers: Vec<RtpHeader> = packets.iter().map(|p| rtp::parse(p).unwrap().0).collect();
    let payload_lens: Vec<usize> = packets.iter().map(|p| rtp::parse(p).unwrap().1.len()).collect();
    assert_eq!(payload_lens, [240, 240, 240]);
    assert_eq!(
        headers.iter().map(|h| h.sequence).collect::<Vec<_>>(),
        [65534, 65535, 0]
    );
    assert_eq!(
        headers.iter().map(|h| h.timestamp).collect::<Vec<_>>(),
        [u32::MAX - 300, u32::MAX - 60, 179]
    );
    assert_eq!(
        headers.iter().map(|h| h.marker).collect::<Vec<_>>(),
        [true, false, false]
    );
    assert!(
        headers
            .iter()
            .all(|h| h.ssrc == 0xCAFE_F00D && h.payload_type == 8)
    );
    let stats = stream.stats();
    assert_eq!((stats.packets_sent, stats.octets_sent), (3, 720));
}

#[test]
fn frames_of_any_length_are_collected_into_packets() {
    let mut stream = MediaStream::new(MediaConfig::default()).unwrap();
    stream.handle_pcm(&[0; 50]);
    stream.handle_pcm(&[0; 200]);
    let mut out = Vec::new();
    assert!(stream.poll_rtp(&mut out));
    assert_eq!(out.len(), 12 + 160);
    // 90 samples are waiting for the next packet.
    assert!(!stream.poll_rtp(&mut out));
    stream.handle_pcm(&[0; 70]);
    assert!(stream.poll_rtp(&mut out));
    assert_eq!(out.len(), 2 * (12 + 160));
}

#[test]
fn unpolled_packets_beyond_the_queue_drop_the_oldest() {
    let mut stream = MediaStream::new(MediaConfig {
        ptime_ms: 10,
        ..MediaConfig::default()
    })
    .unwrap();
    for _ in 0..20 {
        stream.handle_pcm(&[0; FRAME_SAMPLES]);
    }
    let mut sequences = Vec::new();
    let mut out = Vec::new();
    while stream.poll_rtp(&mut out) {
        sequences.push(rtp::parse(&out).unwrap().0.sequence);
        out.clear();
    }
    assert_eq!(sequences, (12..20).collect::<Vec<u16>>());
    assert_eq!(stream.stats().packets_unsent, 12);
    assert_eq!(stream.stats().packets_sent, 20);
}

#[test]
fn reordered_and_duplicated_packets_play_like_the_original() {
    let reference = {
        let mut a = MediaStream::new(config(Codec::Pcmu, 1)).unwrap();
        let mut b = MediaStream::new(config(Codec::Pcmu, 2)).unwrap();
        run_link(&mut a, &mut b, 80, &mut Sine::new(700.0, -15.0), |_, tick| {
            vec![tick]
        })
    };
    let mut a = MediaStream::new(config(Codec::Pcmu, 1)).unwrap();
    let mut b = MediaStream::new(config(Codec::Pcmu, 2)).unwrap();
    // Every pair swapped (the even packet is held 30 ms), every 5th sent twice.
    let output = run_link(&mut a, &mut b, 80, &mut Sine::new(700.0, -15.0), |k, tick| {
        let at = if k % 2 == 0 { tick + 3 } else { tick };
        if k % 5 == 0 { vec![at, at + 1] } else { vec![at] }
    });
    let (ours, theirs) = (from_first_sound(&output), from_first_sound(&reference));
    let n = ours.len().min(theirs.len()) - 6 * FRAME_SAMPLES;
    assert!(n > 40 * FRAME_SAMPLES);
    assert_eq!(ours[..n], theirs[..n]);
    let stats = b.stats();
    assert_eq!(stats.packets_duplicate, 8);
    assert_eq!(stats.packets_lost, 0);
    assert_eq!(stats.packets_late, 0);
}

#[test]
fn lost_packet_is_counted_and_played_as_silence_without_plc() {
    let mut a = MediaStream::new(config(Codec::Pcma, 1)).unwrap();
    let mut b = MediaStream::new(MediaConfig {
        plc: false,
        ..config(Codec::Pcma, 2)
    })
    .unwrap();
    let output = run_link(&mut a, &mut b, 60, &mut Sine::new(1000.0, -10.0), |k, tick| {
        if k == 10 { vec![] } else { vec![tick] }
    });
    let stats = b.stats();
    assert_eq!(stats.packets_lost, 1);
    assert_eq!(stats.frames_concealed, 2);
    // Packet 10 holds frames 20 and 21 of the tone. The first packet arrives
    // at tick 1 (after two frames were collected), then 6 frames of delay.
    let played = |frame: usize| &output[(7 + frame) * FRAME_SAMPLES..(8 + frame) * FRAME_SAMPLES];
    assert!(played(20).iter().chain(played(21)).all(|&s| s == 0));
    for frame in [19, 22] {
        assert!((level_dbm0(played(frame)) + 10.0).abs() < 0.5, "frame {frame}");
    }
}

#[test]
fn packets_later_than_the_playout_delay_are_dropped_as_late() {
    let mut a = MediaStream::new(config(Codec::Pcmu, 1)).unwrap();
    let mut b = MediaStream::new(config(Codec::Pcmu, 2)).unwrap();
    // Packet 20 is held 150 ms, far beyond the 60 ms buffer.
    run_link(&mut a, &mut b, 70, &mut Sine::new(1000.0, -10.0), |k, tick| {
        if k == 20 { vec![tick + 15] } else { vec![tick] }
    });
    let stats = b.stats();
    assert_eq!(stats.packets_late, 1);
    assert_eq!(stats.packets_lost, 0);
    assert_eq!(stats.frames_concealed, 2);
}

#[test]
fn sequence_and_timestamp_wrap_do_not_disturb_playout() {
    let mut a = MediaStream::new(MediaConfig {
        initial_sequence: 65500,
        initial_timestamp: u32::MAX - 2000,
        ..config(Codec::Pcmu, 1)
    })
    .unwrap();
    let mut b = MediaStream::new(config(Codec::Pcmu, 2)).unwrap();
    // 200 ticks = 100 packets: the sequence wraps after 36, the timestamp after 13.
    let output = run_link(&mut a, &mut b, 200, &mut Sine::new(1000.0, -10.0), |_, tick| {
        vec![tick]
    });
    let stats = b.stats();
    assert_eq!(stats.packets_received, 100);
    assert_eq!(stats.packets_lost, 0);
    assert_eq!(stats.packets_late, 0);
    assert_eq!(stats.jitter_buffer_resyncs, 0);
    assert_eq!(stats.frames_concealed, 0);
    let steady = &output[10 * FRAME_SAMPLES..];
    assert!((level_dbm0(steady) + 10.0).abs() < 0.5);
}

/// Hand-made packets from a remote sender.
struct Remote {
    sender: RtpSender,
}

impl Remote {
    fn new(ssrc: u32, seq: u16, ts: u32) -> Remote {
        Remote {
            sender: RtpSender::new(ssrc, 0, seq, ts),
        }
    }

    fn audio(&mut self, value: i16) -> Vec<u8> {
        let mut payload = [0u8; 160];
        fxs_media::g711::encode_ulaw(&[value; 160], &mut payload);
        let mut out = Vec::new();
        self.sender.write_packet(&payload, 160, &mut out);
        out
    }
}

#[test]
fn packets_of_another_payload_type_are_ignored_but_keep_the_sequence() {
    let mut b = MediaStream::new(MediaConfig::default()).unwrap();
    let now = Instant::now();
    let mut remote = Remote::new(9, 100, 0);
    for _ in 0..3 {
        b.handle_rtp(now, &remote.audio(500)).unwrap();
    }
    // A telephone-event packet (PT 101) in the same sequence space.
    let event = RtpHeader {
        payload_type: 101,
        sequence: 103,
        timestamp: 480,
        ssrc: 9,
        ..RtpHeader::default()
    };
    let mut datagram = Vec::new();
    rtp::write(&event, &[1, 0x8A, 0, 160], &mut datagram);
    b.handle_rtp(now, &datagram).unwrap();
    let mut remote = Remote::new(9, 104, 480);
    b.handle_rtp(now, &remote.audio(500)).unwrap();
    let stats = b.stats();
    assert_eq!(stats.packets_ignored, 1);
    assert_eq!(stats.packets_received, 5);
    assert_eq!(stats.packets_lost, 0);
}

#[test]
fn a_new_remote_ssrc_restarts_the_jitter_buffer() {
    let mut b = MediaStream::new(MediaConfig {
        jitter_buffer_ms: 20,
        ..MediaConfig::default().pass_through()
    })
    .unwrap();
    let start = Instant::now();
    let mut first = Remote::new(1, 10, 1000);
    let mut second = Remote::new(2, 5000, 777_777);
    let mut frame = [0i16; FRAME_SAMPLES];
    let mut levels = Vec::new();
    for tick in 0..40 {
        if tick % 2 == 0 {
            let packet = if tick < 20 {
                first.audio(1000)
            } else {
                second.audio(-2000)
            };
            b.handle_rtp(tick_time(start, tick), &packet).unwrap();
        }
        b.poll_pcm(&mut frame);
        levels.push(frame[0]);
    }
    assert_eq!(b.remote_ssrc(), Some(2));
    let stats = b.stats();
    assert_eq!(stats.jitter_buffer_resyncs, 1);
    assert_eq!(stats.packets_lost, 0);
    // First source after 20 ms, then a 20 ms gap while the new one buffers.
    assert_eq!(levels[..2], [0, 0]);
    assert!(levels[2..20].iter().all(|&s| (s - 1000).abs() < 40));
    assert!(levels[20..22].iter().all(|&s| s == 0));
    assert!(levels[22..].iter().all(|&s| (s + 2000).abs() < 70));
}

#[test]
fn interarrival_jitter_follows_rfc3550() {
    let mut b = MediaStream::new(MediaConfig::default()).unwrap();
    let start = Instant::now();
    let mut remote = Remote::new(3, 0, 0);
    // Packets every 20 ms, alternately 10 ms late: |D| = 10 ms for every pair.
    for k in 0..200u64 {
        let arrival = start + Duration::from_millis(20 * k + 10 * (k % 2));
        b.handle_rtp(arrival, &remote.audio(0)).unwrap();
    }
    let jitter = b.stats().jitter_ms;
    assert!((jitter - 10.0).abs() < 0.1, "{jitter} ms");
}

#[test]
fn malformed_datagrams_are_rejected_without_changing_anything() {
    let mut b = MediaStream::new(MediaConfig::default()).unwrap();
    let now = Instant::now();
    b.handle_rtp(now, &Remote::new(1, 0, 0).audio(0)).unwrap();
    let before = b.stats();
    assert_eq!(
        b.handle_rtp(now, &[0x80, 0, 0]),
        Err(Error::Truncated {
            what: "fixed header",
            need: 12,
            got: 3
        })
    );
    assert_eq!(b.handle_rtp(now, &[0x40; 20]), Err(Error::BadVersion(1)));
    assert_eq!(b.stats(), before);
    assert_eq!(b.remote_ssrc(), Some(1));
}

#[test]
fn invalid_configuration_names_the_field() {
    let field = |config: MediaConfig| match MediaStream::new(config) {
        Err(Error::InvalidConfig { field, .. }) => field,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(MediaConfig {
            ptime_ms: 25,
            ..MediaConfig::default()
        }),
        "ptime_ms"
    );
    assert_eq!(
        field(MediaConfig {
            ptime_ms: 0,
            ..MediaConfig::default()
        }),
        "ptime_ms"
    );
    assert_eq!(
        field(MediaConfig {
            jitter_buffer_ms: 1010,
            ..MediaConfig::default()
        }),
        "jitter_buffer_ms"
    );
    assert_eq!(
        field(MediaConfig {
            payload_type: 128,
            ..MediaConfig::default()
        }),
        "payload_type"
    );
    let message = MediaStream::new(MediaConfig {
        ptime_ms: 25,
        ..MediaConfig::default()
    })
    .unwrap_err()
    .to_string();
    assert!(
        message.contains("ptime_ms") && message.contains("25"),
        "{message}"
    );
}

mod random_traffic {
    use super::*;
    use proptest::prelude::*;

    /// One datagram of arbitrary (but well-formed) RTP from a small set of
    /// sources, with the arrival tick.
    fn packet() -> impl Strategy<Value = (u8, RtpHeader, usize)> {
        (
            0u8..4,
            prop_oneof![Just(0u8), Just(8), Just(101), 0u8..128],
            any::<u16>(),
            prop_oneof![any::<u32>(), 0u32..4000],
            0u32..3,
            0usize..400,
        )
            .prop_map(|(tick_step, payload_type, sequence, timestamp, ssrc, len)| {
                let header = RtpHeader {
                    payload_type,
                    sequence,
                    timestamp,
                    ssrc,
                    ..RtpHeader::default()
                };
                (tick_step, header, len)
            })
    }

    proptest! {
        #[test]
        fn arbitrary_packet_sequences_never_break_the_stream(packets in proptest::collection::vec(packet(), 1..60)) {
            let mut b = MediaStream::new(MediaConfig::default()).unwrap();
            let start = Instant::now();
            let mut tick = 0;
            let mut frame = [0i16; FRAME_SAMPLES];
            for (step, header, len) in &packets {
                for _ in 0..*step {
                    b.poll_pcm(&mut frame);
                    tick += 1;
                }
                let mut datagram = Vec::new();
                rtp::write(header, &vec![0xD5; *len], &mut datagram);
                prop_assert!(b.handle_rtp(tick_time(start, tick), &datagram).is_ok());
            }
            for _ in 0..30 {
                b.poll_pcm(&mut frame);
            }
            let stats = b.stats();
            prop_assert_eq!(stats.packets_received, packets.len() as u64);
            prop_assert!(stats.packets_late + stats.packets_duplicate + stats.packets_ignored <= stats.packets_received);
            prop_assert!(stats.jitter_ms.is_finite() && stats.jitter_ms >= 0.0);
        }
    }
}
