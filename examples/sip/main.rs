//! `sip parse FILE`: print one SIP message as JSON, or the response the user
//! agent would answer it with when it is invalid (exit status 1).
//!
//! ```text
//! cargo run --release --example sip -- parse message.sip
//! ```

use std::io::Write;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (code, out, err) = fxs_examples::tools::sip::run(&args);
    let _ = std::io::stdout().write_all(out.as_bytes());
    let _ = std::io::stderr().write_all(err.as_bytes());
    std::process::exit(code);
}
