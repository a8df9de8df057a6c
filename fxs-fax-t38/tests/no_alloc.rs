//! FaxToneDetector::process and poll_event allocate nothing once the
//! detector exists, on every detection path (CNG, ANSam with reversals,
//! V.21 flags).
//!
//! The test installs a global allocator that forwards to the system one and
//! counts calls made by this thread while counting is switched on. The
//! library forbids `unsafe`; this test crate needs it for `GlobalAlloc`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::f64::consts::PI;

use fxs_fax_t38::{FaxTone, FaxToneDetector};

thread_local! {
    static ON: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<u64> = const { Cell::new(0) };
}

struct CountingAllocator;

fn count_one() {
    // The thread-locals can be gone during thread teardown; ignore then.
    let _ = ON.try_with(|on| {
        if on.get() {
            let _ = COUNT.try_with(|c| c.set(c.get() + 1));
        }
    });
}

// SAFETY: each method passes its arguments unchanged to `System`, which
// upholds the `GlobalAlloc` contract; counting touches only thread-local
// `Cell`s and never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: the caller's guarantees for `layout` carry over.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System.alloc`/`realloc` with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: as for `dealloc`, and `new_size` is the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn allocations_in(f: impl FnOnce()) -> u64 {
    COUNT.with(|c| c.set(0));
    ON.with(|on| on.set(true));
    f();
    ON.with(|on| on.set(false));
    COUNT.with(Cell::get)
}

fn push_tone(out: &mut Vec<i16>, ms: usize, mut sample: impl FnMut(f64) -> f64) {
    for i in 0..ms * 8 {
        out.push(sample(i as f64 / 8000.0).round() as i16);
    }
}

#[test]
fn processing_frames_allocates_nothing() {
    // Build every signal before counting starts.
    let mut pcm = Vec::new();
    push_tone(&mut pcm, 500, |t| 6000.0 * (2.0 * PI * 1100.0 * t).sin());
    push_tone(&mut pcm, 1000, |_| 0.0);
    push_tone(&mut pcm, 2000, |t| {
        let flip = if ((t * 1000.0) as u64 / 450) % 2 == 1 {
            PI
        } else {
            0.0
        };
        5000.0 * (1.0 + 0.2 * (2.0 * PI * 15.0 * t).sin()) * (2.0 * PI * 2100.0 * t + flip).sin()
    });
    push_tone(&mut pcm, 200, |_| 0.0);
    let mut phase = 0.0;
    push_tone(&mut pcm, 600, |t| {
        // HDLC flags 0x7E at 300 bit/s: bit i of the stream is bit (i % 8) of 0x7E.
        let bit = (0x7Eu8 >> (((t * 300.0) as usize) % 8)) & 1 == 1;
        phase += 2.0 * PI * if bit { 1650.0 } else { 1850.0 } / 8000.0;
        6000.0 * f64::sin(phase)
    });

    let mut detector = FaxToneDetector::new(8000).unwrap();
    let mut seen = [None; 8];
    let mut n = 0;
    let allocations = allocations_in(|| {
        for frame in pcm.chunks(80) {
            detector.process(frame);
            while let Some(event) = detector.poll_event() {
                if let Some(slot) = seen.get_mut(n) {
                    *slot = Some(event.tone);
                    n += 1;
                }
            }
        }
    });
    assert_eq!(allocations, 0);
    assert_eq!(
        &seen[..n],
        &[
            Some(FaxTone::Cng),
            Some(FaxTone::AnsamPr),
            Some(FaxTone::V21Preamble)
        ]
    );
}
