//! spandsp's FSK receiver `fsk_rx` (`/usr/include/spandsp/fsk.h`) and its
//! caller ID receiver `adsi_rx` (`/usr/include/spandsp/adsi.h`), for the
//! side-by-side group in `benches/callerid.rs`.
//!
//! [`SpandspFskRx`] demodulates Bell 202 or V.23 (channel 1) with
//! asynchronous framing and counts the bits it delivers;
//! [`SpandspAdsiRx`] runs the CLASS (Bell 202) or CLIP (V.23) message
//! receiver and keeps the last message whose checksum spandsp accepted.

use core::ffi::{c_char, c_int, c_void};

/// `fsk_spec_t`.
#[repr(C)]
struct FskSpec {
    name: *const c_char,
    freq_zero: c_int,
    freq_one: c_int,
    tx_level: c_int,
    min_level: c_int,
    baud_rate: c_int,
}

/// Opaque `fsk_rx_state_t`.
#[repr(C)]
struct FskRxState {
    _private: [u8; 0],
}

/// Opaque `adsi_rx_state_t`.
#[repr(C)]
struct AdsiRxState {
    _private: [u8; 0],
}

type PutBitFunc = Option<unsafe extern "C" fn(user_data: *mut c_void, bit: c_int)>;
type PutMsgFunc = Option<unsafe extern "C" fn(user_data: *mut c_void, msg: *const u8, len: c_int)>;

/// `FSK_V23CH1` and `FSK_BELL202` in the `preset_fsk_specs` table.
const FSK_V23CH1: usize = 2;
const FSK_BELL202: usize = 6;
/// Entries of `preset_fsk_specs` in 0.0.6 (`FSK_V21CH1` .. `FSK_V21CH1_110`).
const PRESET_COUNT: usize = 10;
/// `FSK_FRAME_MODE_ASYNC`.
const FRAME_MODE_ASYNC: c_int = 0;
/// `ADSI_STANDARD_CLASS` and `ADSI_STANDARD_CLIP`.
const ADSI_STANDARD_CLASS: c_int = 1;
const ADSI_STANDARD_CLIP: c_int = 2;

unsafe extern "C" {
    static preset_fsk_specs: [FskSpec; PRESET_COUNT];
    fn fsk_rx_init(
        s: *mut FskRxState,
        spec: *const FskSpec,
        framing_mode: c_int,
        put_bit: PutBitFunc,
        user_data: *mut c_void,
    ) -> *mut FskRxState;
    fn fsk_rx(s: *mut FskRxState, amp: *const i16, len: c_int) -> c_int;
    fn fsk_rx_free(s: *mut FskRxState) -> c_int;
    fn adsi_rx_init(
        s: *mut AdsiRxState,
        standard: c_int,
        put_msg: PutMsgFunc,
        user_data: *mut c_void,
    ) -> *mut AdsiRxState;
    fn adsi_rx(s: *mut AdsiRxState, amp: *const i16, len: c_int) -> c_int;
    fn adsi_rx_free(s: *mut AdsiRxState) -> c_int;
}

/// Which modem / caller ID family to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// Bell 202 / Telcordia (ADSI_STANDARD_CLASS).
    Bell202,
    /// V.23 / ETSI (ADSI_STANDARD_CLIP).
    V23,
}

/// What the bit callback writes into; boxed so its address stays fixed.
#[derive(Debug, Default)]
struct BitSink {
    bits: u64,
}

unsafe extern "C" fn on_bit(user_data: *mut c_void, bit: c_int) {
    // SAFETY: `user_data` is the `Box<BitSink>` registered in `new`; it
    // outlives the C state (freed first in `drop`) and the callback only
    // runs inside `fsk_rx`, while `process` holds `&mut self`.
    let sink = unsafe { &mut *user_data.cast::<BitSink>() };
    if bit >= 0 {
        sink.bits += 1;
    }
}

/// spandsp `fsk_rx` with asynchronous framing at 8 kHz.
#[derive(Debug)]
pub struct SpandspFskRx {
    state: *mut FskRxState,
    sink: Box<BitSink>,
}

impl SpandspFskRx {
    /// A receiver; `None` if spandsp fails to allocate.
    pub fn new(family: Family) -> Option<SpandspFskRx> {
        let mut sink = Box::new(BitSink::default());
        let sink_ptr: *mut BitSink = &mut *sink;
        let index = match family {
            Family::Bell202 => FSK_BELL202,
            Family::V23 => FSK_V23CH1,
        };
        // SAFETY: `preset_fsk_specs` is a constant table of the library
        // with `PRESET_COUNT` entries; a null state asks spandsp to
        // allocate; the sink outlives the state (see `on_bit`).
        let state = unsafe {
            let spec: *const FskSpec = &preset_fsk_specs[index];
            fsk_rx_init(
                core::ptr::null_mut(),
                spec,
                FRAME_MODE_ASYNC,
                Some(on_bit),
                sink_ptr.cast(),
            )
        };
        (!state.is_null()).then_some(SpandspFskRx { state, sink })
    }

    /// Demodulates `samples`.
    pub fn process(&mut self, samples: &[i16]) {
        let len = c_int::try_from(samples.len()).unwrap_or(c_int::MAX);
        // SAFETY: `state` is live; spandsp reads `len` samples from `amp`.
        unsafe { fsk_rx(self.state, samples.as_ptr(), len) };
    }

    /// Bits delivered so far.
    pub fn bits(&self) -> u64 {
        self.sink.bits
    }
}

impl Drop for SpandspFskRx {
    fn drop(&mut self) {
        // SAFETY: `state` came from `fsk_rx_init` and is freed once.
        unsafe { fsk_rx_free(self.state) };
    }
}

/// What the message callback writes into.
#[derive(Debug, Default)]
struct MsgSink {
    messages: u64,
    last: Vec<u8>,
}

unsafe extern "C" fn on_msg(user_data: *mut c_void, msg: *const u8, len: c_int) {
    // SAFETY: as `on_bit`; `msg` points at `len` octets valid for the call.
    let sink = unsafe { &mut *user_data.cast::<MsgSink>() };
    let Ok(len) = usize::try_from(len) else { return };
    if msg.is_null() {
        return;
    }
    sink.messages += 1;
    sink.last.clear();
    // SAFETY: see above.
    sink.last
        .extend_from_slice(unsafe { core::slice::from_raw_parts(msg, len) });
}

/// spandsp `adsi_rx` (CLASS or CLIP).
#[derive(Debug)]
pub struct SpandspAdsiRx {
    state: *mut AdsiRxState,
    sink: Box<MsgSink>,
}

impl SpandspAdsiRx {
    /// A receiver; `None` if spandsp fails to allocate.
    pub fn new(family: Family) -> Option<SpandspAdsiRx> {
        let mut sink = Box::new(MsgSink::default());
        let sink_ptr: *mut MsgSink = &mut *sink;
        let standard = match family {
            Family::Bell202 => ADSI_STANDARD_CLASS,
            Family::V23 => ADSI_STANDARD_CLIP,
        };
        // SAFETY: null state: spandsp allocates; the sink outlives it.
        let state = unsafe { adsi_rx_init(core::ptr::null_mut(), standard, Some(on_msg), sink_ptr.cast()) };
        (!state.is_null()).then_some(SpandspAdsiRx { state, sink })
    }

    /// Processes `samples`.
    pub fn process(&mut self, samples: &[i16]) {
        let len = c_int::try_from(samples.len()).unwrap_or(c_int::MAX);
        // SAFETY: `state` is live; spandsp reads `len` samples.
        unsafe { adsi_rx(self.state, samples.as_ptr(), len) };
    }

    /// Messages accepted so far.
    pub fn messages(&self) -> u64 {
        self.sink.messages
    }

    /// The last accepted message (type .. data, without the checksum).
    pub fn last(&self) -> &[u8] {
        &self.sink.last
    }
}

impl Drop for SpandspAdsiRx {
    fn drop(&mut self) {
        // SAFETY: `state` came from `adsi_rx_init` and is freed once.
        unsafe { adsi_rx_free(self.state) };
    }
}
