//! Once built, a MediaStream moves audio both ways without allocating.
//!
//! The counting allocator is in `tests/common`.

use std::time::{Duration, Instant};

use fxs_media::{Codec, FRAME_SAMPLES, MediaConfig, MediaStream};

mod common;

use common::allocations_in;

#[test]
fn steady_state_audio_in_both_directions_does_not_allocate() {
    let config = |ssrc| MediaConfig {
        codec: Codec::Pcma,
        payload_type: 8,
        ssrc,
        ..MediaConfig::default()
    };
    let mut a = MediaStream::new(config(1)).unwrap();
    let mut b = MediaStream::new(config(2)).unwrap();
    let start = Instant::now();
    let frame: Vec<i16> = (0..FRAME_SAMPLES as i16).map(|i| i * 300 - 12000).collect();
    let mut heard = [0i16; FRAME_SAMPLES];
    let mut datagram = Vec::with_capacity(512);
    let mut held = Vec::with_capacity(512);

    let mut run = |ticks: std::ops::Range<u64>| {
        for tick in ticks {
            let now = start + Duration::from_millis(10 * tick);
            a.handle_pcm(&frame);
            while a.poll_rtp(&mut datagram) {
                // Hold every 3rd packet back one packet (reordering), and
                // deliver every 7th twice (duplicate).
                if tick % 6 == 1 && held.is_empty() {
                    held.extend_from_slice(&datagram);
                } else {
                    b.handle_rtp(now, &datagram).unwrap();
                    if tick % 14 == 1 {
                        b.handle_rtp(now, &datagram).unwrap();
                    }
                    if !held.is_empty() {
                        b.handle_rtp(now, &held).unwrap();
                        held.clear();
                    }
                }
                datagram.clear();
            }
            b.poll_pcm(&mut heard);
            let _ = b.stats();
        }
    };
    // Warm up: the first packets set up the receive state.
    run(0..20);
    let allocations = allocations_in(|| run(20..400));
    assert_eq!(allocations, 0);
    let stats = b.stats();
    assert!(stats.packets_duplicate > 0, "{stats:?}");
    assert_eq!(stats.packets_lost, 0, "{stats:?}");
}
