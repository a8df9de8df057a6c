//! The simulator's per-tick path allocates nothing once built.
//!
//! A counting global allocator (test-only; the library itself forbids
//! `unsafe`) counts allocations made by this thread while the flag is on.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::time::{Duration, Instant};

use fxs_hal::sim::SimSlic;
use fxs_hal::{HookDebouncer, LineBank, LineFeed, LineInterface};
use fxs_tones::{Dbm0, FRAME_SAMPLES, SAMPLE_RATE, ToneGenerator, TonePlan};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

fn note_allocation() {
    // `try_with`: the thread-locals may be gone while a thread shuts down.
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
        }
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator; the
// only addition is a thread-local counter that does not allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> u64 {
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|on| on.set(true));
    f();
    COUNTING.with(|on| on.set(false));
    ALLOCATIONS.with(Cell::get)
}

#[test]
fn ticks_with_ringing_dialing_talking_and_listening_do_not_allocate() {
    let start = Instant::now();
    let mut slic = SimSlic::new(4, start);
    let us = TonePlan::for_country("US").expect("US plan");
    let mut dial_tone = ToneGenerator::new(SAMPLE_RATE, &us.dial).expect("dial tone");
    let mut hooks: [HookDebouncer; 4] = std::array::from_fn(|_| HookDebouncer::default());
    let mut up = [0i16; FRAME_SAMPLES];
    let mut down = [0i16; FRAME_SAMPLES];
    for port in 0..4 {
        let Ok(()) = slic.line(port).expect("port").set_feed(LineFeed::IDLE);
    }
    slic.phone_mut(0).lift();
    slic.phone_mut(0).dial("123#").expect("digits");
    slic.phone_mut(1).lift();
    slic.phone_mut(1).talk_tone(1000.0, Dbm0(-10.0));
    let Ok(()) = slic.line(2).expect("port").set_ringing(true);

    let mut measured = 0;
    let count = allocations_during(|| {
        for tick in 1..=300u32 {
            let now = start + Duration::from_millis(10) * tick;
            slic.tick(now);
            for (port, hook) in hooks.iter_mut().enumerate() {
                let Some(line) = slic.line(port) else { continue };
                let Ok(raw) = line.hook();
                let _ = hook.update(now, raw);
                let Ok(()) = line.read_frame(&mut up);
                dial_tone.generate(&mut down);
                let Ok(()) = line.write_frame(&down);
            }
            if tick % 50 == 0 {
                let Ok(()) = slic.line(2).expect("port").set_ringing(tick % 100 != 0);
                measured += usize::from(slic.phone(0).measure().is_some());
            }
            while slic.phone_mut(0).poll_event().is_some() {}
        }
    });
    assert_eq!(count, 0, "allocations during 300 ticks of 4 ports");
    assert!(measured > 0, "the ear heard the dial tone");
}

#[test]
fn conditioning_ringing_echo_and_caller_id_display_do_not_allocate_per_tick() {
    use fxs_hal::ring::{CallerIdPlacement, RingCadence, RingMode, Ringer};
    use fxs_hal::sim::{EchoPath, PulseDialing};
    use fxs_hal::{HookConditioner, HookProfile};
    use fxs_tones::CallerIdStandard;

    let start = Instant::now();
    let mut slic = SimSlic::new(2, start);
    let mut hooks: [HookConditioner; 2] =
        std::array::from_fn(|_| HookConditioner::new(HookProfile::default(), start));
    let mut ringer = Ringer::new(RingMode::Software);
    for port in 0..2 {
        let Ok(()) = slic.line(port).expect("port").set_feed(LineFeed::IDLE);
    }
    slic.sim_line_mut(0)
        .set_echo_path(Some(EchoPath::typical(10.0).expect("echo")));
    slic.phone_mut(0).lift();
    slic.phone_mut(0).set_hook_bounce(Duration::from_millis(30));
    slic.phone_mut(1)
        .set_caller_id(CallerIdStandard::TelcordiaMdmf)
        .expect("display");
    let cadence = RingCadence::for_country("US").expect("cadence");
    ringer.start(start, cadence, CallerIdPlacement::AfterFirstRing);
    // Queued before counting: dialling allocates nothing per tick.
    for _ in 0..5 {
        slic.tick(start);
    }
    slic.phone_mut(0)
        .dial_pulses("90", PulseDialing::default())
        .expect("digits");
    let mut up = [0i16; FRAME_SAMPLES];
    let down = [1000i16; FRAME_SAMPLES];
    let mut signals = 0;
    let count = allocations_during(|| {
        for tick in 1..=400u32 {
            let now = start + Duration::from_millis(10) * tick;
            slic.tick(now);
            for (port, hook) in hooks.iter_mut().enumerate() {
                let Some(line) = slic.line(port) else { continue };
                let Ok(raw) = line.hook();
                hook.update(now, raw);
                while hook.poll_signal().is_some() {
                    signals += 1;
                }
                if port == 1 {
                    while let Ok(Some(_)) = ringer.drive(now, line) {}
                }
                let Ok(()) = line.read_frame(&mut up);
                let Ok(()) = line.write_frame(&down);
            }
            for port in 0..2 {
                while slic.phone_mut(port).poll_event().is_some() {}
            }
        }
    });
    assert_eq!(count, 0, "allocations during 400 ticks");
    assert!(signals >= 3, "off-hook and two pulse digits were conditioned");
}
