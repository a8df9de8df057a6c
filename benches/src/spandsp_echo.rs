//! spandsp's line echo canceller, `echo_can` (`/usr/include/spandsp/echo.h`).
//!
//! [`SpandspEchoCanceller`] owns one `echo_can_state_t` and runs
//! `echo_can_update` sample by sample: `tx` is what was sent to the line
//! (our far end), `rx` what came back (our near end), and the return value
//! is `rx` with the echo removed.

use core::ffi::c_int;

/// Opaque `echo_can_state_t`.
#[repr(C)]
struct EchoCanState {
    _private: [u8; 0],
}

/// `ECHO_CAN_USE_ADAPTION`: adapt the filter.
pub const ECHO_CAN_USE_ADAPTION: c_int = 0x01;
/// `ECHO_CAN_USE_NLP`: non-linear processor.
pub const ECHO_CAN_USE_NLP: c_int = 0x02;
/// `ECHO_CAN_USE_CNG`: comfort noise in the NLP.
pub const ECHO_CAN_USE_CNG: c_int = 0x04;

unsafe extern "C" {
    fn echo_can_init(len: c_int, adaption_mode: c_int) -> *mut EchoCanState;
    fn echo_can_update(ec: *mut EchoCanState, tx: i16, rx: i16) -> i16;
    fn echo_can_free(ec: *mut EchoCanState) -> c_int;
}

/// A spandsp echo canceller of `taps` taps.
#[derive(Debug)]
pub struct SpandspEchoCanceller {
    state: *mut EchoCanState,
}

impl SpandspEchoCanceller {
    /// `echo_can_init(taps, mode)`; `None` if spandsp fails to allocate or
    /// `taps` does not fit a C int. `mode` is a combination of the
    /// `ECHO_CAN_USE_*` flags.
    pub fn new(taps: usize, mode: c_int) -> Option<SpandspEchoCanceller> {
        let len = c_int::try_from(taps).ok()?;
        // SAFETY: plain constructor; spandsp allocates and returns the
        // state or null.
        let state = unsafe { echo_can_init(len, mode) };
        (!state.is_null()).then_some(SpandspEchoCanceller { state })
    }

    /// Removes the echo of `far` from `near` in place, sample by sample
    /// (over the shorter of the two).
    pub fn process(&mut self, far: &[i16], near: &mut [i16]) {
        for (&tx, rx) in far.iter().zip(near.iter_mut()) {
            // SAFETY: `state` is live (freed only in drop) and `&mut self`
            // gives exclusive use of it.
            *rx = unsafe { echo_can_update(self.state, tx, *rx) };
        }
    }
}

impl Drop for SpandspEchoCanceller {
    fn drop(&mut self) {
        // SAFETY: `state` came from `echo_can_init` and is freed once, here.
        unsafe { echo_can_free(self.state) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spandsp_canceller_passes_silence() {
        let mut ec = SpandspEchoCanceller::new(256, ECHO_CAN_USE_ADAPTION).expect("spandsp allocates");
        let far = [0i16; 160];
        let mut near = [0i16; 160];
        ec.process(&far, &mut near);
        assert!(near.iter().all(|&s| s.abs() < 4));
    }
}
