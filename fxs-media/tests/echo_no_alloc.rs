//! Once built, the echo canceller and the AGC process frames without
//! allocating, in every state (converging, double talk, NLP with comfort
//! noise, disabled by the 2100 Hz tone).
//!
//! The test installs a global allocator that forwards to the system one and
//! counts the calls made on this thread while counting is switched on
//! (test-only `unsafe`; the library itself forbids it).

use fxs_media::FRAME_SAMPLES;
use fxs_media::echo::{EchoCanceller, EchoConfig};
use fxs_media::gain::{Agc, AgcConfig, Gain};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

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
fn echo_canceller_and_agc_do_not_allocate_per_frame() {
    let mut ec = EchoCanceller::new(EchoConfig::default()).unwrap();
    let mut agc = Agc::new(AgcConfig::default()).unwrap();
    let gain = Gain::from_db(-3.0).unwrap();
    // Far end: a chirpy pseudo-random signal; near end: its delayed echo,
    // with a burst of near-end talk and then a 2100 Hz tone with reversals.
    let mut seed = 99u32;
    let far: Vec<i16> = (0..8000 * 6)
        .map(|n| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let noise = ((seed >> 16) % 4001) as i16 - 2000;
            if n > 8000 * 4 { 0 } else { noise }
        })
        .collect();
    let near: Vec<i16> = (0..far.len())
        .map(|n| {
            let echo = if n >= 300 { far[n - 300] / 4 } else { 0 };
            let talk = if (16_000..20_000).contains(&n) {
                ((n * 7) % 200) as i16 * 40 - 4000
            } else {
                0
            };
            let tone = if n > 8000 * 4 {
                let flip = if (n / 3600) % 2 == 0 { 1.0 } else { -1.0 };
                (flip * 5000.0 * (2.0 * std::f32::consts::PI * 2100.0 * n as f32 / 8000.0).sin()) as i16
            } else {
                0
            };
            echo.saturating_add(talk).saturating_add(tone)
        })
        .collect();
    let mut frame = [0i16; FRAME_SAMPLES];
    let mut run = |range: std::ops::Range<usize>| {
        for i in range {
            let a = i * FRAME_SAMPLES;
            frame.copy_from_slice(&near[a..a + FRAME_SAMPLES]);
            ec.process(&far[a..a + FRAME_SAMPLES], &mut frame);
            agc.process(&mut frame);
            gain.apply(&mut frame);
        }
    };
    run(0..5);
    let allocations = allocations_in(|| run(5..far.len() / FRAME_SAMPLES));
    assert_eq!(allocations, 0);
    assert!(ec.stats().disabled_by_tone, "{:?}", ec.stats());
}
