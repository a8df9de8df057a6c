//! spandsp's DTMF receiver, `dtmf_rx` (`/usr/include/spandsp/dtmf.h`).
//!
//! [`SpandspDtmfRx`] owns one `dtmf_rx_state_t` created with its default
//! settings (the reference behaviour: -42 dBm0 threshold, 8 dB normal and
//! 4 dB reverse twist, dtmf.md §3.3) and reports each digit's start and
//! end through spandsp's real-time callback, stamped with the sample
//! count at the end of the `process` call that saw it.

use core::ffi::{c_char, c_int, c_void};

/// Opaque `dtmf_rx_state_t`.
#[repr(C)]
struct DtmfRxState {
    _private: [u8; 0],
}

/// `digits_rx_callback_t`.
type DigitsRxCallback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, digits: *const c_char, len: c_int)>;
/// `tone_report_func_t` (`super_tone_rx.h`): `code` is the digit's ASCII
/// value at its start and 0 at its end.
type ToneReportFunc =
    Option<unsafe extern "C" fn(user_data: *mut c_void, code: c_int, level: c_int, delay: c_int)>;

unsafe extern "C" {
    fn dtmf_rx_init(
        s: *mut DtmfRxState,
        callback: DigitsRxCallback,
        user_data: *mut c_void,
    ) -> *mut DtmfRxState;
    fn dtmf_rx_set_realtime_callback(s: *mut DtmfRxState, callback: ToneReportFunc, user_data: *mut c_void);
    fn dtmf_rx(s: *mut DtmfRxState, amp: *const i16, samples: c_int) -> c_int;
    fn dtmf_rx_free(s: *mut DtmfRxState) -> c_int;
}

/// One edge reported by spandsp's real-time callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpandspEdge {
    /// The digit's ASCII character at its start, `None` at its end.
    pub digit: Option<char>,
    /// Samples fed when the edge was reported (end of the `process` call).
    pub at: u64,
}

/// What the callback writes into; boxed so its address stays fixed.
#[derive(Debug, Default)]
struct Sink {
    /// Codes reported during the current `process` call.
    pending: Vec<c_int>,
}

unsafe extern "C" fn on_tone(user_data: *mut c_void, code: c_int, _level: c_int, _delay: c_int) {
    // SAFETY: `user_data` is the `Box<Sink>` pointer registered in `new`;
    // the box outlives the C state (dropped after `dtmf_rx_free`) and the
    // callback runs only inside `dtmf_rx`, while `process` holds `&mut self`,
    // so no other reference to the sink exists.
    let sink = unsafe { &mut *user_data.cast::<Sink>() };
    sink.pending.push(code);
}

/// A spandsp `dtmf_rx` receiver at 8 kHz with default parameters.
#[derive(Debug)]
pub struct SpandspDtmfRx {
    state: *mut DtmfRxState,
    sink: Box<Sink>,
    samples: u64,
    edges: Vec<SpandspEdge>,
}

impl SpandspDtmfRx {
    /// Allocates and initialises a receiver; `None` if spandsp fails to
    /// allocate.
    pub fn new() -> Option<SpandspDtmfRx> {
        let mut sink = Box::new(Sink::default());
        let sink_ptr: *mut Sink = &mut *sink;
        // SAFETY: a null state asks spandsp to allocate one; no digit
        // callback is registered (digits are also buffered internally,
        // which we do not read).
        let state = unsafe { dtmf_rx_init(core::ptr::null_mut(), None, core::ptr::null_mut()) };
        if state.is_null() {
            return None;
        }
        // SAFETY: `state` is a live receiver; `sink_ptr` points into the
        // box owned by the returned value, which frees `state` before the box.
        unsafe { dtmf_rx_set_realtime_callback(state, Some(on_tone), sink_ptr.cast()) };
        Some(SpandspDtmfRx {
            state,
            sink,
            samples: 0,
            edges: Vec::new(),
        })
    }

    /// Feeds samples (any length up to `i32::MAX`).
    pub fn process(&mut self, samples: &[i16]) {
        let len = c_int::try_from(samples.len()).unwrap_or(c_int::MAX);
        // SAFETY: `state` is live; `amp` points to `len` readable samples,
        // which spandsp only reads.
        unsafe { dtmf_rx(self.state, samples.as_ptr(), len) };
        self.samples += samples.len() as u64;
        for code in self.sink.pending.drain(..) {
            let digit = u8::try_from(code).ok().filter(|&c| c != 0).map(char::from);
            self.edges.push(SpandspEdge {
                digit,
                at: self.samples,
            });
        }
    }

    /// Edges reported so far, oldest first.
    pub fn edges(&self) -> &[SpandspEdge] {
        &self.edges
    }

    /// Digits started so far, in order.
    pub fn digits(&self) -> String {
        self.edges.iter().filter_map(|e| e.digit).collect()
    }

    /// Forgets the recorded edges (the receiver keeps its state).
    pub fn clear_edges(&mut self) {
        self.edges.clear();
    }
}

impl Drop for SpandspDtmfRx {
    fn drop(&mut self) {
        // SAFETY: `state` came from `dtmf_rx_init` and is freed once, here.
        unsafe { dtmf_rx_free(self.state) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two tones at -10 dBm0 each (spandsp and we share the 0 dBm0 =
    /// 22 826 peak convention within 0.1 dB).
    fn digit_9(ms: usize) -> Vec<i16> {
        let amp = 22_826.0 * 10f64.powf(-10.0 / 20.0);
        (0..ms * 8)
            .map(|i| {
                let t = i as f64 / 8000.0;
                let x = amp
                    * ((2.0 * std::f64::consts::PI * 852.0 * t).sin()
                        + (2.0 * std::f64::consts::PI * 1477.0 * t).sin());
                x.round() as i16
            })
            .collect()
    }

    #[test]
    fn spandsp_reports_start_and_end_of_a_digit() {
        let mut rx = SpandspDtmfRx::new().expect("spandsp allocates");
        let mut x = digit_9(100);
        x.resize(x.len() + 800, 0);
        for f in x.chunks(80) {
            rx.process(f);
        }
        assert_eq!(rx.digits(), "9");
        assert_eq!(rx.edges().len(), 2, "{:?}", rx.edges());
        assert_eq!(rx.edges()[1].digit, None);
    }
}
