//! The real-network driver: owns the UDP sockets and the clock, and nothing
//! else. Every 10 ms it ticks the [`Node`]; every datagram that arrives goes
//! to the node; everything the node wants sent is sent.

use std::collections::HashMap;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::UdpSocket;
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use crate::net::Node;

/// Largest datagram read (SIP over UDP stays far below).
const MAX_DATAGRAM: usize = 65_535;

/// Bound UDP sockets, ready to drive a node.
pub struct UdpDriver {
    sockets: HashMap<SocketAddr, Arc<UdpSocket>>,
}

/// Counters of a UDP run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UdpStats {
    /// Datagrams sent.
    pub sent: u64,
    /// Datagrams received.
    pub received: u64,
    /// Sends that failed (the error is not fatal: UDP is lossy anyway).
    pub send_errors: u64,
}

impl UdpDriver {
    /// Bind one socket per requested address (port 0 = any free port).
    /// Returns the driver and the actual addresses, in request order.
    pub async fn bind(requested: &[SocketAddr]) -> io::Result<(UdpDriver, Vec<SocketAddr>)> {
        let mut sockets = HashMap::new();
        let mut actual = Vec::with_capacity(requested.len());
        for addr in requested {
            let socket = UdpSocket::bind(addr)
                .await
                .map_err(|e| io::Error::new(e.kind(), format!("cannot bind UDP {addr}: {e}")))?;
            let local = socket.local_addr()?;
            sockets.insert(local, Arc::new(socket));
            actual.push(local);
        }
        Ok((UdpDriver { sockets }, actual))
    }

    /// Drive `node` until it is finished or `limit` has passed.
    pub async fn run<N: Node>(&self, node: &mut N, limit: Duration) -> UdpStats {
        let (tx, mut rx) = mpsc::channel::<(SocketAddr, SocketAddr, Vec<u8>)>(1024);
        let mut readers = Vec::new();
        for (&local, socket) in &self.sockets {
            let socket = Arc::clone(socket);
            let tx = tx.clone();
            readers.push(tokio::spawn(async move {
                let mut buf = vec![0u8; MAX_DATAGRAM];
                loop {
                    match socket.recv_from(&mut buf).await {
                        Ok((n, remote)) => {
                            if tx.send((local, remote, buf[..n].to_vec())).await.is_err() {
                                break;
                            }
                        }
                        // ICMP port unreachable shows up as an error on some
                        // systems: it is not fatal for a UDP receiver.
                        Err(_) => tokio::task::yield_now().await,
                    }
                }
            }));
        }
        drop(tx);

        let start = Instant::now();
        let mut stats = UdpStats::default();
        let mut interval = tokio::time::interval(Duration::from_millis(10));
        // The line is the clock: a late tick is caught up, not skipped.
        interval.set_missed_tick_behavior(MissedTickBehavior::Burst);
        while !node.is_finished() && start.elapsed() < limit {
            tokio::select! {
                _ = interval.tick() => node.handle_tick(Instant::now()),
                Some((local, remote, data)) = rx.recv() => {
                    stats.received += 1;
                    node.handle_datagram(Instant::now(), local, remote, &data);
                }
            }
            while let Some(d) = node.poll_transmit() {
                match self.sockets.get(&d.source) {
                    Some(socket) => match socket.send_to(&d.payload, d.destination).await {
                        Ok(_) => stats.sent += 1,
                        Err(_) => stats.send_errors += 1,
                    },
                    None => stats.send_errors += 1,
                }
            }
        }
        for r in readers {
            r.abort();
        }
        stats
    }
}
