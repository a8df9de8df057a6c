//! `sim-gateway`: a simulated FXS gateway whose simulated phones call each
//! other over real SIP and RTP.
//!
//! With no arguments it starts a test SIP registrar/proxy on 127.0.0.1, a
//! 2-port gateway whose ports register as 1001 and 1002, and plays the
//! default scenario: port 1 dials 1002, port 2 rings and answers, both talk a
//! test tone and check they hear each other, port 1 hangs up.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use std::io::Write as _;

use clap::Parser;
use fxs_examples::net::{Node, VirtualNetConfig, run_virtual};
use fxs_examples::scenario::{call_steps, default_scenario};
use fxs_examples::setup::{
    FileConfig, RunOptions, Server, local_ip_towards, parse_call, requested_addrs, resolve_server,
    world_config,
};
use fxs_examples::timeline::Format;
use fxs_examples::udp::UdpDriver;
use fxs_examples::world::{Summary, World};

/// A simulated FXS gateway with simulated phones, over real SIP and RTP.
#[derive(Parser, Debug)]
#[command(
    name = "sim-gateway",
    version,
    about = "A simulated FXS gateway whose simulated phones call each other over real SIP and RTP"
)]
struct Args {
    /// TOML configuration: `[sip] server = "HOST:PORT"`, `transport = "udp"`,
    /// and `[[port]]` tables with `extension`, `auth_user`, `password`
    /// (optional `country`). With `[sip] server`, no embedded registrar starts
    /// and the ports register to that server. Default: ports 1001 and 1002 on
    /// the embedded test registrar.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// The simulated phone on PORT (1-based) dials NUMBER; repeatable, run in
    /// order. Without --call, port 1 calls 1002.
    #[arg(long = "call", value_name = "PORT:NUMBER", conflicts_with = "scenario")]
    calls: Vec<String>,

    /// Run this TOML scenario: `[[step]]` tables with `port` and `action`
    /// (off_hook, on_hook, dial, talk, wait) or `expect` (dial_tone, ringback,
    /// busy, reorder, ringing, silence, answered, heard, idle, ...) and
    /// `within` (seconds, default 5). Phones then answer only when told to.
    #[arg(long, value_name = "FILE")]
    scenario: Option<PathBuf>,

    /// How long each side talks its test tone once a call is answered, in
    /// seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0)]
    talk: f64,

    /// How long the gateway runs before it shuts down (unregistering its
    /// ports), in seconds from start. Default: shut down when the scenario
    /// ends. A scenario still running then fails.
    #[arg(long, value_name = "SECONDS")]
    duration: Option<f64>,

    /// Print each event as one JSON object per line (fields `t` in seconds
    /// since start, `port`, `event`, and per-event fields).
    #[arg(long)]
    json: bool,

    /// Run in virtual time over a simulated network instead of real UDP on
    /// the loopback interface (embedded registrar only). Default: off.
    #[arg(long)]
    virtual_time: bool,

    /// Seed of every random choice (SIP tags and branches, RTP SSRCs).
    #[arg(long, value_name = "N", default_value_t = 1)]
    seed: u64,
}

fn seconds(name: &str, value: f64) -> Result<Duration, String> {
    if value.is_finite() && (0.0..=86_400.0).contains(&value) {
        Ok(Duration::from_secs_f64(value))
    } else {
        Err(format!("{name} {value}: must be between 0 and 86400 seconds"))
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(args) {
        Ok(summary) if summary.passed() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::from(1),
        Err(message) => {
            eprintln!("sim-gateway: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Args) -> Result<Summary, String> {
    let file = match &args.config {
        Some(path) => FileConfig::load(path).map_err(|e| e.to_string())?,
        None => FileConfig::builtin(),
    };
    let talk = seconds("--talk", args.talk)?;
    let duration = args.duration.map(|d| seconds("--duration", d)).transpose()?;
    let server = resolve_server(&file).map_err(|e| e.to_string())?;

    let extension_port = |number: &str| {
        file.ports
            .iter()
            .position(|p| p.extension == number)
            .and_then(|i| u16::try_from(i + 1).ok())
    };
    let scenario = if let Some(path) = &args.scenario {
        fxs_examples::scenario_file::load(path, file.ports.len()).map_err(|e| e.to_string())?
    } else if args.calls.is_empty() {
        if file.ports.len() < 2 || extension_port("1002") != Some(2) {
            return Err(
                "the default scenario needs port 2 to be extension 1002: give --call PORT:NUMBER".into(),
            );
        }
        default_scenario(talk)
    } else {
        let mut steps = Vec::new();
        for arg in &args.calls {
            let (port, number) = parse_call(arg, file.ports.len())?;
            let callee = extension_port(&number).filter(|c| *c != port);
            steps.extend(call_steps(port, &number, callee, talk));
        }
        steps
    };
    let format = if args.json { Format::Json } else { Format::Human };
    let options = RunOptions {
        scenario,
        duration,
        format,
        seed: args.seed,
        auto_answer: args.scenario.is_none(),
    };
    // Generous overall limit: the scenario's own time limits end a stuck run first.
    let limit = duration.unwrap_or(Duration::from_secs(600)) + Duration::from_secs(30);

    let summary = if args.virtual_time {
        if server != Server::Embedded {
            return Err("--virtual-time runs only with the embedded registrar (no [sip] server)".into());
        }
        let addrs = requested_addrs(&file, &server, IpAddr::V4(Ipv4Addr::LOCALHOST), 5060);
        let config = world_config(&file, &server, &addrs, options).map_err(|e| e.to_string())?;
        let start = Instant::now();
        let mut world = World::new(config, start).map_err(|e| e.to_string())?;
        run_virtual(&mut world, start, &VirtualNetConfig::default(), limit);
        world.summary()
    } else {
        let ip = match &server {
            Server::Embedded => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Server::External { addr, .. } => local_ip_towards(*addr),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start the runtime: {e}"))?;
        runtime.block_on(async {
            let requested = requested_addrs(&file, &server, ip, 0);
            let (driver, bound) = UdpDriver::bind(&requested).await.map_err(|e| e.to_string())?;
            let config = world_config(&file, &server, &bound, options).map_err(|e| e.to_string())?;
            let mut world = World::new(config, Instant::now()).map_err(|e| e.to_string())?;
            if format == Format::Human {
                let addrs = world.local_addrs();
                let _ = writeln!(
                    std::io::stdout().lock(),
                    "sim-gateway: SIP on {}, RTP on {}",
                    addrs[0],
                    addrs[1..=file.ports.len()]
                        .iter()
                        .map(|a| a.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                );
            }
            driver.run(&mut world, limit).await;
            Ok::<_, String>(world.summary())
        })?
    };
    print_summary(&summary, format);
    Ok(summary)
}

fn print_summary(summary: &Summary, format: Format) {
    use std::fmt::Write as _;
    let mut text = String::new();
    let media: Vec<serde_json::Value> = summary
        .media
        .iter()
        .enumerate()
        .map(|(i, m)| match m {
            Some(m) => serde_json::json!({
                "port": i + 1,
                "rtp_sent": m.packets_sent,
                "rtp_received": m.packets_received,
                "rtp_lost": m.packets_lost,
                "jitter_ms": (m.jitter_ms * 100.0).round() / 100.0,
            }),
            None => serde_json::json!({ "port": i + 1 }),
        })
        .collect();
    match format {
        Format::Json => {
            let obj = serde_json::json!({
                "t": (summary.elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
                "port": null,
                "event": "summary",
                "passed": summary.passed(),
                "checks_passed": summary.checks_passed,
                "failures": summary.failures,
                "steps_not_run": summary.steps_not_run,
                "media": media,
            });
            let _ = writeln!(text, "{obj}");
        }
        Format::Human | Format::Silent => {
            let _ = writeln!(text);
            let _ = writeln!(
                text,
                "summary: {} after {:.1} s",
                if summary.passed() { "PASSED" } else { "FAILED" },
                summary.elapsed.as_secs_f64()
            );
            let _ = writeln!(text, "  checks passed: {}", summary.checks_passed);
            for f in &summary.failures {
                let _ = writeln!(text, "  FAILED {f}");
            }
            if summary.steps_not_run > 0 {
                let _ = writeln!(text, "  steps not run: {}", summary.steps_not_run);
            }
            for (i, m) in summary.media.iter().enumerate() {
                if let Some(m) = m {
                    let _ = writeln!(
                        text,
                        "  port {}: RTP sent {}, received {}, lost {}, jitter {:.2} ms",
                        i + 1,
                        m.packets_sent,
                        m.packets_received,
                        m.packets_lost,
                        m.jitter_ms
                    );
                }
            }
            if let Some(r) = summary.registrar {
                let _ = writeln!(
                    text,
                    "  test registrar: {} registrations, {} challenges, {} requests and {} responses forwarded",
                    r.registrations, r.challenges, r.forwarded_requests, r.forwarded_responses
                );
            }
        }
    }
    // A closed stdout (e.g. piped into `head`) is not an error of the run.
    let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes());
}
