//! spandsp's packet-loss concealment, `plc` (`/usr/include/spandsp/plc.h`):
//! `plc_rx` for received audio, `plc_fillin` for lost audio.
//!
//! [`SpandspPlc`] owns one `plc_state_t` allocated by `plc_init`.

use core::ffi::c_int;

/// Opaque `plc_state_t`.
#[repr(C)]
struct PlcState {
    _private: [u8; 0],
}

unsafe extern "C" {
    fn plc_init(s: *mut PlcState) -> *mut PlcState;
    fn plc_rx(s: *mut PlcState, amp: *mut i16, len: c_int) -> c_int;
    fn plc_fillin(s: *mut PlcState, amp: *mut i16, len: c_int) -> c_int;
    fn plc_free(s: *mut PlcState) -> c_int;
}

/// A spandsp PLC context.
#[derive(Debug)]
pub struct SpandspPlc {
    state: *mut PlcState,
}

impl SpandspPlc {
    /// Allocates and initialises a context; `None` if spandsp fails to allocate.
    pub fn new() -> Option<SpandspPlc> {
        // SAFETY: a null state asks spandsp to allocate one.
        let state = unsafe { plc_init(core::ptr::null_mut()) };
        (!state.is_null()).then_some(SpandspPlc { state })
    }

    /// A received frame: spandsp records it (and blends the end of a gap
    /// into it) in place.
    pub fn rx(&mut self, amp: &mut [i16]) {
        let len = c_int::try_from(amp.len()).unwrap_or(c_int::MAX);
        // SAFETY: `state` is live until drop; spandsp reads and writes
        // exactly `len` samples of `amp`, which is that long.
        unsafe { plc_rx(self.state, amp.as_mut_ptr(), len) };
    }

    /// A lost frame: spandsp writes the concealment into `amp`.
    pub fn fillin(&mut self, amp: &mut [i16]) {
        let len = c_int::try_from(amp.len()).unwrap_or(c_int::MAX);
        // SAFETY: as in `rx`; `plc_fillin` writes `len` samples.
        unsafe { plc_fillin(self.state, amp.as_mut_ptr(), len) };
    }
}

impl Drop for SpandspPlc {
    fn drop(&mut self) {
        // SAFETY: `state` came from `plc_init` with a null argument (so
        // spandsp owns the allocation) and is freed once, here.
        unsafe { plc_free(self.state) };
    }
}
