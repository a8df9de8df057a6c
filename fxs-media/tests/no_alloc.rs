//! Once built, a MediaStream moves audio both ways without allocating.
//!
//! The test installs a global allocator that forwards to the system one and
//! counts the calls made on this thread while counting is switched on
//! (test-only `unsafe`; the library itself forbids it).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use fxs_media::{Codec, FRAME_SAMPLES, MediaConfig, MediaStream};

struct CountingAllocator;

thread_local! {
    static ENABLED: Cell<bool> = const { Cell::new(false) };
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

fn count_call() {
    // The thread-locals may already be torn down when a thread exits.
    let _ = ENABLED.try_with(|enabled| {
        if enabled.get() {
            let _ = CALLS.try_with(|calls| calls.set(calls.get() + 1));
        }
    });
}

// SAFETY: each method hands its arguments unchanged to `System`, which
// upholds the GlobalAlloc contract; counting touches only const-initialised
// thread-locals, which never allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_call();
        // SAFETY: the caller's guarantees are passed on as they are.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_call();
        // SAFETY: the caller's guarantees are passed on as they are.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's guarantees are passed on as they are.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_call();
        // SAFETY: the caller's guarantees are passed on as they are.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn allocations_in(f: impl FnOnce()) -> usize {
    CALLS.with(|calls| calls.set(0));
    ENABLED.with(|enabled| enabled.set(true));
    f();
    ENABLED.with(|enabled| enabled.set(false));
    CALLS.with(Cell::get)
}

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
