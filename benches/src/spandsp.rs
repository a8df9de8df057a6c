//! Hand-written FFI to the spandsp C library (Debian `libspandsp-dev`
//! 0.0.6), the reference implementation our DSP is measured against.
//!
//! Only compiled with the `spandsp` feature of `fxs-benches` (off by
//! default); `build.rs` then links `libspandsp`. Run the side-by-side
//! benchmarks with, for example:
//!
//! ```text
//! cargo bench -p fxs-benches --features spandsp --bench dtmf_vs_spandsp
//! ```
//!
//! # Layout
//!
//! One topic file per spandsp module, beside this file, named
//! `src/spandsp_<topic>.rs` (e.g. `spandsp_dtmf.rs` for `dtmf_rx`). Each
//! holds its own `extern "C"` declarations, copied by hand from the
//! headers under `/usr/include/spandsp/` (no bindgen), and a small safe
//! wrapper that owns the C state and frees it on drop. To add a topic:
//!
//! 1. create `src/spandsp_<topic>.rs` with the declarations and the wrapper;
//! 2. add one line below: `#[path = "spandsp_<topic>.rs"] pub mod <topic>;`;
//! 3. add a bench file under `benches/` with
//!    `required-features = ["spandsp"]` in `Cargo.toml`.
//!
//! `unsafe` is confined to the FFI calls in these files; every wrapper
//! states why its calls are sound.

#[path = "spandsp_dtmf.rs"]
pub mod dtmf;

#[path = "spandsp_echo.rs"]
pub mod echo;

#[path = "spandsp_codecs.rs"]
pub mod codecs;

#[path = "spandsp_plc.rs"]
pub mod plc;

#[path = "spandsp_fsk.rs"]
pub mod fsk;
