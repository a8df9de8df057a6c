//! What a driver drives: a [`Node`] with sockets and a 10 ms tick; and the
//! virtual-time network that runs one without sockets.

use std::collections::BinaryHeap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

/// A datagram between two sockets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Datagram {
    /// Sending socket.
    pub source: SocketAddr,
    /// Receiving socket.
    pub destination: SocketAddr,
    /// Contents.
    pub payload: Vec<u8>,
}

/// Something with sockets and a frame clock, driven by a driver that owns
/// the real (or virtual) sockets and the clock.
pub trait Node {
    /// The local addresses of the node's sockets.
    fn local_addrs(&self) -> Vec<SocketAddr>;
    /// A datagram arrived on local socket `local` from `remote`.
    fn handle_datagram(&mut self, now: Instant, local: SocketAddr, remote: SocketAddr, data: &[u8]);
    /// The 10 ms frame clock ticked.
    fn handle_tick(&mut self, now: Instant);
    /// A datagram to send, if any.
    fn poll_transmit(&mut self) -> Option<Datagram>;
    /// True when the node has nothing more to do and the driver may stop.
    fn is_finished(&self) -> bool;
}

/// Impairments of the virtual network.
#[derive(Clone, Debug)]
pub struct VirtualNetConfig {
    /// One-way delay of every datagram.
    pub latency: Duration,
    /// Extra random delay, uniform in 0..=jitter.
    pub jitter: Duration,
    /// Probability of losing a datagram, 0..=1.
    pub loss: f64,
    /// Seed of the impairment randomness.
    pub seed: u64,
}

impl Default for VirtualNetConfig {
    fn default() -> Self {
        VirtualNetConfig {
            latency: Duration::from_millis(2),
            jitter: Duration::ZERO,
            loss: 0.0,
            seed: 1,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct InFlight {
    at: Instant,
    order: u64,
    datagram: Datagram,
}

impl Ord for InFlight {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        // Earliest first out of the max-heap.
        (other.at, other.order).cmp(&(self.at, self.order))
    }
}

impl PartialOrd for InFlight {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// Statistics of a virtual run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VirtualNetStats {
    /// Datagrams delivered.
    pub delivered: u64,
    /// Datagrams dropped by the loss setting.
    pub lost: u64,
    /// Datagrams sent to an address no socket has.
    pub unroutable: u64,
}

/// Run `node` in virtual time from `start` until it is finished or `limit`
/// has passed. Returns the virtual time at the end and network statistics.
/// Deterministic: the same node and configuration give the same run.
pub fn run_virtual<N: Node>(
    node: &mut N,
    start: Instant,
    config: &VirtualNetConfig,
    limit: Duration,
) -> (Instant, VirtualNetStats) {
    let locals = node.local_addrs();
    let mut rng = SmallRng::seed_from_u64(config.seed);
    let mut queue = BinaryHeap::new();
    let mut order = 0u64;
    let mut stats = VirtualNetStats::default();
    let tick = Duration::from_millis(10);
    let mut now = start;
    while !node.is_finished() && now.duration_since(start) < limit {
        now += tick;
        while queue.peek().is_some_and(|f: &InFlight| f.at <= now) {
            let Some(f) = queue.pop() else { break };
            stats.delivered += 1;
            node.handle_datagram(
                f.at,
                f.datagram.destination,
                f.datagram.source,
                &f.datagram.payload,
            );
        }
        node.handle_tick(now);
        while let Some(d) = node.poll_transmit() {
            if !locals.contains(&d.destination) {
                stats.unroutable += 1;
                continue;
            }
            if config.loss > 0.0 && rng.r#gen::<f64>() < config.loss {
                stats.lost += 1;
                continue;
            }
            let extra = if config.jitter.is_zero() {
                Duration::ZERO
            } else {
                config.jitter.mul_f64(rng.r#gen::<f64>())
            };
            order += 1;
            queue.push(InFlight {
                at: now + config.latency + extra,
                order,
                datagram: d,
            });
        }
    }
    (now, stats)
}
