//! Shared inputs for the benchmarks.

#[cfg(feature = "spandsp")]
pub mod spandsp;
