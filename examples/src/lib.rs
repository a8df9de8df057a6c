//! Runnable pieces of the FXS gateway SDK's examples.
//!
//! The main example, `sim-gateway`, runs a simulated 2-port gateway whose
//! simulated phones call each other over real SIP and RTP. This library holds
//! what it is made of, so that tests can run the same world in virtual time:
//!
//! - [`registrar`]: a **test** SIP registrar and stateless proxy with digest
//!   authentication (a stand-in for a PBX, not a product);
//! - [`world`]: the gateway, its simulated SLIC and phones, and the scenario;
//! - [`scenario`]: scripted steps (actions and expectations);
//! - [`scenario_file`]: the TOML scenario files of `--scenario`;
//! - [`net`]: the [`Node`](net::Node) a driver drives, and the virtual-time
//!   network driver;
//! - [`udp`]: the tokio UDP driver (owns sockets and clock, nothing else);
//! - [`timeline`]: the printed timeline, human or JSON lines;
//! - [`setup`]: the example's TOML configuration and how a run is assembled;
//! - [`tools`]: the command-line tools (`sip parse`, `media encode` /
//!   `media decode`).
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod net;
pub mod registrar;
pub mod scenario;
pub mod scenario_file;
pub mod setup;
pub mod timeline;
pub mod tools;
pub mod udp;
pub mod world;
