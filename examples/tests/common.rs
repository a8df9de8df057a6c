//! Shared setup of the end-to-end tests.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use fxs_examples::scenario::Step;
use fxs_examples::setup::{FileConfig, RunOptions, Server, requested_addrs, world_config};
use fxs_examples::timeline::{Entry, Format};
use fxs_examples::world::WorldConfig;

/// The built-in two-port configuration with the embedded registrar, on fixed
/// loopback addresses (virtual time: nothing is bound).
pub fn virtual_config(scenario: Vec<Step>, seed: u64) -> WorldConfig {
    let file = FileConfig::builtin();
    let addrs = requested_addrs(&file, &Server::Embedded, IpAddr::V4(Ipv4Addr::LOCALHOST), 5060);
    world_config(
        &file,
        &Server::Embedded,
        &addrs,
        RunOptions {
            scenario,
            duration: None,
            format: Format::Silent,
            seed,
            auto_answer: true,
        },
    )
    .expect("built-in configuration is valid")
}

/// Entries named `event` (for `port`, if given).
pub fn events<'a>(entries: &'a [Entry], port: Option<u16>, event: &str) -> Vec<&'a Entry> {
    entries
        .iter()
        .filter(|e| e.event == event && (port.is_none() || e.port == port))
        .collect()
}

/// Time of the first entry named `event` on `port`.
pub fn first(entries: &[Entry], port: Option<u16>, event: &str) -> Option<f64> {
    events(entries, port, event).first().map(|e| e.t)
}

/// Talk time used by the tests.
pub const TALK: Duration = Duration::from_secs(2);
