//! Every scenario shipped in examples/scenarios/ runs in virtual time and
//! passes. `NAME.toml` runs with `NAME.gateway.toml` as its `--config` when
//! that file exists, else with the built-in two-port configuration.

use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fxs_examples::net::{VirtualNetConfig, run_virtual};
use fxs_examples::setup::{FileConfig, RunOptions, Server, requested_addrs, world_config};
use fxs_examples::timeline::Format;
use fxs_examples::world::{Summary, World};

fn run_scenario(path: &Path) -> Summary {
    let companion = path.with_extension("gateway.toml");
    let file = if companion.exists() {
        FileConfig::load(&companion).unwrap()
    } else {
        FileConfig::builtin()
    };
    let steps = fxs_examples::scenario_file::load(path, file.ports.len()).unwrap();
    let addrs = requested_addrs(&file, &Server::Embedded, IpAddr::V4(Ipv4Addr::LOCALHOST), 5060);
    let options = RunOptions {
        scenario: steps,
        duration: None,
        format: Format::Silent,
        seed: 11,
        auto_answer: false,
    };
    let config = world_config(&file, &Server::Embedded, &addrs, options).unwrap();
    let start = Instant::now();
    let mut world = World::new(config, start).unwrap();
    run_virtual(
        &mut world,
        start,
        &VirtualNetConfig::default(),
        Duration::from_secs(300),
    );
    world.summary()
}

fn scenario_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "toml")
                && !p
                    .file_name()
                    .unwrap()
                    .to_string_lossy()
                    .ends_with(".gateway.toml")
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_shipped_scenario_passes_in_virtual_time() {
    let files = scenario_files();
    assert!(files.len() >= 6, "{files:?}");
    let mut failed = Vec::new();
    for path in &files {
        let summary = run_scenario(path);
        if !summary.passed() {
            failed.push(format!(
                "{}: {:?} (not run: {})",
                path.display(),
                summary.failures,
                summary.steps_not_run
            ));
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn a_scenario_whose_expectation_cannot_hold_fails_naming_the_step() {
    let dir = std::env::temp_dir().join(format!("fxs-scenario-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("wrong.toml");
    // Nobody calls port 2, so it never rings.
    std::fs::write(&path, "[[step]]\nport = 2\nexpect = \"ringing\"\nwithin = 1\n").unwrap();
    let summary = run_scenario(&path);
    assert!(!summary.passed());
    assert!(
        summary.failures[0].starts_with("step 1 (port 2): ringing: observed"),
        "{:?}",
        summary.failures
    );
}
