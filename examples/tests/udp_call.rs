//! The default scenario over real UDP sockets on 127.0.0.1, with the tokio
//! driver: real SIP and RTP datagrams between the registrar and the gateway.

mod common;

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use common::{TALK, events};
use fxs_examples::scenario::default_scenario;
use fxs_examples::setup::{FileConfig, RunOptions, Server, requested_addrs, world_config};
use fxs_examples::timeline::Format;
use fxs_examples::udp::UdpDriver;
use fxs_examples::world::World;

#[test]
fn two_phones_call_each_other_over_loopback_udp() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let file = FileConfig::builtin();
        let requested = requested_addrs(&file, &Server::Embedded, IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        let (driver, bound) = UdpDriver::bind(&requested).await.unwrap();
        assert!(bound.iter().all(|a| a.port() != 0));
        let config = world_config(
            &file,
            &Server::Embedded,
            &bound,
            RunOptions {
                scenario: default_scenario(TALK),
                duration: None,
                format: Format::Silent,
                seed: 5,
                auto_answer: true,
            },
        )
        .unwrap();
        let mut world = World::new(config, Instant::now()).unwrap();
        let stats = driver.run(&mut world, Duration::from_secs(60)).await;
        let summary = world.summary();
        assert!(summary.passed(), "failures: {:#?}", summary.failures);
        assert!(stats.sent > 200 && stats.received > 200, "{stats:?}");
        let entries = world.timeline().entries();
        assert_eq!(events(entries, Some(1), "heard").len(), 1);
        assert_eq!(events(entries, Some(2), "heard").len(), 1);
        for m in summary.media.iter().flatten() {
            assert!(m.packets_received >= 80, "{m:?}");
        }
    });
}
