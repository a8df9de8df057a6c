//! Links the Debian `libspandsp` (libspandsp-dev 0.0.6) when the `spandsp`
//! feature is on, for the side-by-side benchmarks in `src/spandsp.rs`.
//! Without the feature nothing is linked and the crate needs no C library.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CARGO_FEATURE_SPANDSP");
    if std::env::var_os("CARGO_FEATURE_SPANDSP").is_some() {
        println!("cargo:rustc-link-lib=spandsp");
    }
}
