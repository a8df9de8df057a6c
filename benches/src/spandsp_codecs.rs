//! spandsp's codecs: G.711 (`g711.h`: `g711_encode` / `g711_decode`, which
//! loop over the header's `linear_to_alaw`, `alaw_to_linear`,
//! `linear_to_ulaw` and `ulaw_to_linear`), G.722 (`g722.h`) and G.726
//! (`g726.h`, linear samples in and out, `G726_PACKING_RIGHT` = the RFC 3551
//! packing of the `G726-32` vectors).
//!
//! Each wrapper owns one C state created by the library's `*_init(NULL, ..)`
//! and frees it on drop. Encoding or decoding checks the buffer lengths
//! before handing raw pointers to C, so the safe methods cannot overrun.

use core::ffi::c_int;

/// Opaque `g711_state_t`.
#[repr(C)]
struct G711State {
    _private: [u8; 0],
}

/// Opaque `g722_encode_state_t`.
#[repr(C)]
struct G722EncodeState {
    _private: [u8; 0],
}

/// Opaque `g722_decode_state_t`.
#[repr(C)]
struct G722DecodeState {
    _private: [u8; 0],
}

/// Opaque `g726_state_t`.
#[repr(C)]
struct G726State {
    _private: [u8; 0],
}

/// `G711_ALAW` / `G711_ULAW` (`g711.h`).
const G711_ALAW: c_int = 0;
const G711_ULAW: c_int = 1;
/// `G726_ENCODING_LINEAR` and `G726_PACKING_RIGHT` (`g726.h`).
const G726_ENCODING_LINEAR: c_int = 0;
const G726_PACKING_RIGHT: c_int = 2;

unsafe extern "C" {
    fn g711_init(s: *mut G711State, mode: c_int) -> *mut G711State;
    fn g711_free(s: *mut G711State) -> c_int;
    fn g711_encode(s: *mut G711State, g711_data: *mut u8, amp: *const i16, len: c_int) -> c_int;
    fn g711_decode(s: *mut G711State, amp: *mut i16, g711_data: *const u8, g711_bytes: c_int) -> c_int;

    fn g722_encode_init(s: *mut G722EncodeState, rate: c_int, options: c_int) -> *mut G722EncodeState;
    fn g722_encode_free(s: *mut G722EncodeState) -> c_int;
    fn g722_encode(s: *mut G722EncodeState, g722_data: *mut u8, amp: *const i16, len: c_int) -> c_int;
    fn g722_decode_init(s: *mut G722DecodeState, rate: c_int, options: c_int) -> *mut G722DecodeState;
    fn g722_decode_free(s: *mut G722DecodeState) -> c_int;
    fn g722_decode(s: *mut G722DecodeState, amp: *mut i16, g722_data: *const u8, len: c_int) -> c_int;

    fn g726_init(s: *mut G726State, bit_rate: c_int, ext_coding: c_int, packing: c_int) -> *mut G726State;
    fn g726_free(s: *mut G726State) -> c_int;
    fn g726_encode(s: *mut G726State, g726_data: *mut u8, amp: *const i16, len: c_int) -> c_int;
    fn g726_decode(s: *mut G726State, amp: *mut i16, g726_data: *const u8, g726_bytes: c_int) -> c_int;
}

/// Which G.711 law.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Law {
    /// A-law (`G711_ALAW`).
    A,
    /// µ-law (`G711_ULAW`).
    Mu,
}

/// A spandsp G.711 coder (stateless in practice; the state holds the law).
#[derive(Debug)]
pub struct SpandspG711 {
    state: *mut G711State,
}

impl SpandspG711 {
    /// A coder for `law`; `None` if spandsp fails to allocate.
    pub fn new(law: Law) -> Option<SpandspG711> {
        let mode = match law {
            Law::A => G711_ALAW,
            Law::Mu => G711_ULAW,
        };
        // SAFETY: a null state asks spandsp to allocate one.
        let state = unsafe { g711_init(core::ptr::null_mut(), mode) };
        (!state.is_null()).then_some(SpandspG711 { state })
    }

    /// Encodes `min(pcm.len(), out.len())` samples; returns the octets written.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize {
        let n = pcm.len().min(out.len()).min(c_int::MAX as usize);
        // SAFETY: `state` is live; both buffers hold at least `n` elements
        // and g711_encode writes one octet per sample.
        unsafe { g711_encode(self.state, out.as_mut_ptr(), pcm.as_ptr(), n as c_int) as usize }
    }

    /// Decodes `min(codes.len(), out.len())` octets; returns the samples written.
    pub fn decode(&mut self, codes: &[u8], out: &mut [i16]) -> usize {
        let n = codes.len().min(out.len()).min(c_int::MAX as usize);
        // SAFETY: `state` is live; both buffers hold at least `n` elements
        // and g711_decode writes one sample per octet.
        unsafe { g711_decode(self.state, out.as_mut_ptr(), codes.as_ptr(), n as c_int) as usize }
    }
}

impl Drop for SpandspG711 {
    fn drop(&mut self) {
        // SAFETY: `state` came from g711_init and is freed once, here.
        unsafe { g711_free(self.state) };
    }
}

/// A spandsp G.722 encoder and decoder pair at 64 kbit/s, 16 kHz.
#[derive(Debug)]
pub struct SpandspG722 {
    enc: *mut G722EncodeState,
    dec: *mut G722DecodeState,
}

impl SpandspG722 {
    /// A fresh pair; `None` if spandsp fails to allocate.
    pub fn new() -> Option<SpandspG722> {
        // SAFETY: null states ask spandsp to allocate; options 0 = 16 kHz, unpacked.
        let enc = unsafe { g722_encode_init(core::ptr::null_mut(), 64000, 0) };
        // SAFETY: as above.
        let dec = unsafe { g722_decode_init(core::ptr::null_mut(), 64000, 0) };
        if enc.is_null() || dec.is_null() {
            // SAFETY: free whichever was allocated (spandsp's free accepts only live states).
            unsafe {
                if !enc.is_null() {
                    g722_encode_free(enc);
                }
                if !dec.is_null() {
                    g722_decode_free(dec);
                }
            }
            return None;
        }
        Some(SpandspG722 { enc, dec })
    }

    /// Encodes the sample pairs of `pcm` that fit in `out`; returns the octets.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize {
        let pairs = (pcm.len() / 2).min(out.len()).min(c_int::MAX as usize / 2);
        // SAFETY: `enc` is live; g722_encode reads `2 * pairs` samples and
        // writes `pairs` octets, which both buffers hold.
        unsafe { g722_encode(self.enc, out.as_mut_ptr(), pcm.as_ptr(), (2 * pairs) as c_int) as usize }
    }

    /// Decodes the octets of `payload` whose two samples fit in `out`; returns the samples.
    pub fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> usize {
        let n = payload.len().min(out.len() / 2).min(c_int::MAX as usize);
        // SAFETY: `dec` is live; g722_decode reads `n` octets and writes
        // `2 * n` samples, which both buffers hold.
        unsafe { g722_decode(self.dec, out.as_mut_ptr(), payload.as_ptr(), n as c_int) as usize }
    }
}

impl Drop for SpandspG722 {
    fn drop(&mut self) {
        // SAFETY: both states came from the init calls and are freed once, here.
        unsafe {
            g722_encode_free(self.enc);
            g722_decode_free(self.dec);
        }
    }
}

/// A spandsp G.726 encoder and decoder pair, linear samples, RFC 3551 packing.
#[derive(Debug)]
pub struct SpandspG726 {
    enc: *mut G726State,
    dec: *mut G726State,
    bits: usize,
}

impl SpandspG726 {
    /// A fresh pair at `bit_rate` (16000, 24000, 32000 or 40000); `None` for
    /// another rate or if spandsp fails to allocate.
    pub fn new(bit_rate: u32) -> Option<SpandspG726> {
        if ![16000, 24000, 32000, 40000].contains(&bit_rate) {
            return None;
        }
        let rate = bit_rate as c_int;
        // SAFETY: null states ask spandsp to allocate; the rate is valid.
        let enc = unsafe {
            g726_init(
                core::ptr::null_mut(),
                rate,
                G726_ENCODING_LINEAR,
                G726_PACKING_RIGHT,
            )
        };
        // SAFETY: as above.
        let dec = unsafe {
            g726_init(
                core::ptr::null_mut(),
                rate,
                G726_ENCODING_LINEAR,
                G726_PACKING_RIGHT,
            )
        };
        if enc.is_null() || dec.is_null() {
            // SAFETY: free whichever was allocated.
            unsafe {
                if !enc.is_null() {
                    g726_free(enc);
                }
                if !dec.is_null() {
                    g726_free(dec);
                }
            }
            return None;
        }
        Some(SpandspG726 {
            enc,
            dec,
            bits: (bit_rate / 8000) as usize,
        })
    }

    /// Encodes the samples of `pcm` whose code words fit whole in `out`;
    /// returns the octets written.
    pub fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize {
        // Whole groups of 8 samples only, so no bits carry over between calls.
        let groups = (pcm.len() / 8)
            .min(out.len() / self.bits)
            .min(c_int::MAX as usize / 8);
        // SAFETY: `enc` is live; g726_encode reads `8 * groups` samples and
        // writes `bits * groups` octets, which both buffers hold.
        unsafe { g726_encode(self.enc, out.as_mut_ptr(), pcm.as_ptr(), (8 * groups) as c_int) as usize }
    }

    /// Decodes whole groups of octets whose samples fit in `out`; returns the samples.
    pub fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> usize {
        let groups = (payload.len() / self.bits)
            .min(out.len() / 8)
            .min(c_int::MAX as usize / 8);
        // SAFETY: `dec` is live; g726_decode reads `bits * groups` octets and
        // writes `8 * groups` samples, which both buffers hold.
        unsafe {
            g726_decode(
                self.dec,
                out.as_mut_ptr(),
                payload.as_ptr(),
                (self.bits * groups) as c_int,
            ) as usize
        }
    }
}

impl Drop for SpandspG726 {
    fn drop(&mut self) {
        // SAFETY: both states came from g726_init and are freed once, here.
        unsafe {
            g726_free(self.enc);
            g726_free(self.dec);
        }
    }
}
