//! A simulated SLIC with simulated phones, in virtual time.
//!
//! [`SimSlic`] is a [`LineBank`] of [`SimLine`]s, each with a [`SimPhone`]
//! at the far end of its loop. The gateway engine drives the lines through
//! the ordinary [`LineInterface`](crate::LineInterface) calls; a test drives
//! the phones (lift, dial, talk) and reads what they noticed (rings, tones
//! heard, with timestamps). Nothing reads a clock: time is the `now` given to
//! [`SimSlic::tick`], which must come once per 10 ms frame, before the engine
//! touches the lines for that frame:
//!
//! ```text
//!  every 10 ms:  slic.tick(now)            phones hear the last downlink frame,
//!                                          apply their hook switch, speak
//!                engine.poll(now, &mut slic)   hook(), read_frame(), write_frame(),
//!                                          set_feed() on each line
//! ```
//!
//! What is modelled (line-electrical.md §1-§2, tones-and-ringing.md §6):
//!
//! - [`SimLine`]: loop current needs battery and a closed loop; feed
//!   changes take a configurable transition delay; the ring trip detector
//!   needs one ring cycle of loop closure (optionally leaving ringing by
//!   itself); the ringing voltage at the phone falls with the REN load;
//!   audio reaches an on-hook phone only in on-hook transmission; the
//!   uplink carries the hybrid echo of the downlink through an
//!   [`EchoPath`]; injectable [`LineFaults`] answer GR-909 line tests
//!   ([`LineTester`](crate::caps::LineTester)); a message-waiting lamp
//!   ([`MwiLamp`](crate::caps::MwiLamp)); optionally time-stamped hook
//!   edges ([`SimLine::set_hook_events`]).
//! - [`SimPhone`]: lift and hang up with optional contact bounce, hook
//!   flash, rotary dialling ([`PulseDialing`]: pps, break ratio, decadic
//!   variant), DTMF with level and twist, a ringer that measures the
//!   cadence, a caller-ID display for the standards of fxs-tones (the
//!   off-hook ones acknowledge the alert with DTMF `D`), a message-waiting
//!   lamp (SLIC lamp voltage or VMWI), an ear that classifies call-progress
//!   tones, and a jack for a [`LineDevice`] (a fax machine later).
//! - [`FaultyLine`] / [`FaultySlic`]: ports whose driver fails on demand.
//! - [`RegisterMock`]: a register-level mock with expectations and
//!   `done()`, for testing chip drivers against their register map.
//!
//! Not modelled: NTT (Japan) caller ID, whose CAR signal the set must
//! answer by closing the loop; wideband (16 kHz) ports.

mod echo;
mod faulty;
mod line;
mod mock;
mod phone;

use std::time::Instant;

pub use echo::{EchoPath, MAX_ECHO_TAPS};
pub use faulty::{FaultyError, FaultyLine, FaultySlic};
pub use line::{HOOK_EDGE_CAPACITY, LINE_TEST_TIME, LineFaults, OHMS_PER_REN, RING_SOURCE_OHMS, SimLine};
pub use mock::{MockBusError, RegOp, RegisterBus, RegisterMock};
pub use phone::{
    CADENCE_CAPACITY, EAR_HISTORY_SAMPLES, EVENT_CAPACITY, HOOK_SCRIPT_CAPACITY, LineDevice, PhoneEvent,
    PulseDialing, RINGER_THRESHOLD_VRMS, SimPhone,
};

use crate::bank::LineBank;

/// Simulated SLIC: N ports, each with a [`SimPhone`] attached. Its virtual
/// clock is the `now` given to [`tick`](SimSlic::tick).
///
/// ```
/// use std::time::{Duration, Instant};
/// use fxs_hal::sim::{PhoneEvent, SimSlic};
/// use fxs_hal::{HookState, LineBank, LineFeed, LineInterface};
///
/// let start = Instant::now();
/// let mut slic = SimSlic::new(2, start);
/// let Ok(()) = slic.line(1).unwrap().set_feed(LineFeed::IDLE);
/// slic.phone_mut(1).lift();
/// slic.tick(start + Duration::from_millis(10));
/// assert_eq!(slic.line(1).unwrap().hook(), Ok(HookState::OffHook));
/// assert_eq!(slic.line(0).unwrap().hook(), Ok(HookState::OnHook));
/// assert_eq!(
///     slic.phone_mut(1).poll_event(),
///     Some((start + Duration::from_millis(10), PhoneEvent::OffHook))
/// );
/// ```
#[derive(Debug)]
pub struct SimSlic {
    lines: Vec<FaultyLine<SimLine>>,
    phones: Vec<SimPhone>,
    now: Instant,
}

impl SimSlic {
    /// A SLIC with `ports` open lines, each with an on-hook phone, its clock
    /// at `start`.
    #[must_use]
    pub fn new(ports: usize, start: Instant) -> SimSlic {
        SimSlic {
            lines: (0..ports).map(|_| FaultyLine::new(SimLine::new())).collect(),
            phones: (0..ports).map(|_| SimPhone::new(start)).collect(),
            now: start,
        }
    }

    /// Advance every port and phone by one 10 ms frame ending at `now`: each
    /// phone hears the frame the gateway last wrote, updates its hook state
    /// and produces its next uplink frame. Call once per tick BEFORE the
    /// gateway reads and writes the lines. A `now` earlier than the previous
    /// one is clamped to it.
    pub fn tick(&mut self, now: Instant) {
        if now > self.now {
            self.now = now;
        }
        for (phone, line) in self.phones.iter_mut().zip(self.lines.iter_mut()) {
            phone.tick(self.now, line.inner_mut());
        }
    }

    /// The phone on `port` (0-based).
    ///
    /// # Panics
    ///
    /// If `port` is out of range (this is a test API).
    #[must_use]
    pub fn phone(&self, port: usize) -> &SimPhone {
        &self.phones[port]
    }

    /// The phone on `port` (0-based), to lift it, dial, talk, poll events.
    ///
    /// # Panics
    ///
    /// If `port` is out of range (this is a test API).
    pub fn phone_mut(&mut self, port: usize) -> &mut SimPhone {
        &mut self.phones[port]
    }

    /// The line of `port` (0-based) for inspection without `&mut`
    /// ([`LineBank::line`] gives the gateway's mutable view).
    ///
    /// # Panics
    ///
    /// If `port` is out of range (this is a test API).
    #[must_use]
    pub fn sim_line(&self, port: usize) -> &SimLine {
        self.lines[port].inner()
    }

    /// The line of `port`, to set its echo path, faults, REN, delays.
    ///
    /// # Panics
    ///
    /// If `port` is out of range (this is a test API).
    pub fn sim_line_mut(&mut self, port: usize) -> &mut SimLine {
        self.lines[port].inner_mut()
    }

    /// The fault-injection wrapper of `port` (what [`FaultySlic`] hands to
    /// the gateway), `None` past the end.
    pub fn faulty_line_mut(&mut self, port: usize) -> Option<&mut FaultyLine<SimLine>> {
        self.lines.get_mut(port)
    }

    /// The virtual clock: the `now` of the last tick (or the start).
    #[must_use]
    pub fn now(&self) -> Instant {
        self.now
    }
}

impl LineBank for SimSlic {
    type Line = SimLine;

    fn port_count(&self) -> usize {
        self.lines.len()
    }

    fn line(&mut self, index: usize) -> Option<&mut SimLine> {
        self.lines.get_mut(index).map(FaultyLine::inner_mut)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::line::{LineFeed, LineInterface};
    use core::time::Duration;

    #[test]
    fn tick_advances_the_clock_and_clamps_time_going_backwards() {
        let t0 = Instant::now();
        let mut slic = SimSlic::new(1, t0);
        assert_eq!(slic.now(), t0);
        slic.tick(t0 + Duration::from_millis(10));
        slic.tick(t0 + Duration::from_millis(5));
        assert_eq!(slic.now(), t0 + Duration::from_millis(10));
        assert_eq!(slic.phone(0).now(), t0 + Duration::from_millis(10));
    }

    #[test]
    fn each_port_carries_only_its_own_phone() {
        let t0 = Instant::now();
        let mut slic = SimSlic::new(3, t0);
        assert_eq!(slic.port_count(), 3);
        assert!(slic.line(3).is_none());
        for port in 0..3 {
            let Ok(()) = slic.line(port).expect("port exists").set_feed(LineFeed::IDLE);
        }
        slic.phone_mut(2).lift();
        slic.phone_mut(2).talk_tone(440.0, fxs_tones::Dbm0(-10.0));
        slic.phone_mut(0).lift();
        for i in 1..=3 {
            slic.tick(t0 + Duration::from_millis(10 * i));
        }
        let mut frame = [0i16; 80];
        let Ok(()) = slic.line(2).expect("port 2").read_frame(&mut frame);
        assert!(frame.iter().any(|&s| s != 0));
        let Ok(()) = slic.line(0).expect("port 0").read_frame(&mut frame);
        assert_eq!(frame, [0; 80], "phone 0 is off hook but silent");
        assert!(!slic.sim_line(1).has_loop_current());
        assert!(slic.sim_line(0).has_loop_current());
    }

    #[test]
    #[should_panic]
    fn phone_out_of_range_panics() {
        let slic = SimSlic::new(1, Instant::now());
        let _ = slic.phone(1);
    }
}
