//! The `sim-gateway` configuration file and how a run is assembled from it.
//!
//! ```toml
//! [sip]
//! server = "pbx.example.com:5060"   # omit to run the embedded test registrar
//! transport = "udp"
//!
//! [[port]]
//! extension = "1001"
//! auth_user = "1001"
//! password = "secret"
//! ```

use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use fxs_core::{DialingConfig, GatewayConfig, PortConfig, SipConfig};
use serde::Deserialize;

use crate::registrar::Account;
use crate::scenario::Step;
use crate::timeline::Format;
use crate::world::WorldConfig;

/// Errors of loading a configuration or assembling a run.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for this configuration.
    #[error("{path}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// The parser's message (names the key and the line).
        message: String,
    },
    /// A field has a value that is not allowed.
    #[error("{field}: {problem}")]
    Field {
        /// The field, as a path (`port[2].extension`).
        field: String,
        /// What is wrong and what is allowed.
        problem: String,
    },
}

fn field(field: impl Into<String>, problem: impl Into<String>) -> SetupError {
    SetupError::Field {
        field: field.into(),
        problem: problem.into(),
    }
}

/// The whole file.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The `[sip]` table.
    #[serde(default)]
    pub sip: SipSection,
    /// The `[[port]]` tables, port 1 first.
    #[serde(default, rename = "port")]
    pub ports: Vec<PortSection>,
}

/// The `[sip]` table.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SipSection {
    /// `HOST:PORT` of the SIP server the ports register to. Without it the
    /// embedded test registrar runs on 127.0.0.1.
    pub server: Option<String>,
    /// Transport: only `udp` today.
    pub transport: Option<String>,
    /// SIP domain of the ports' addresses of record (default: the server's host).
    pub domain: Option<String>,
    /// Registration interval to ask for, in seconds (default 300).
    pub register_expires: Option<u32>,
}

/// One `[[port]]` table.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PortSection {
    /// Extension (user part of the address of record).
    pub extension: String,
    /// Digest user name (default: the extension).
    pub auth_user: Option<String>,
    /// Digest password.
    pub password: String,
    /// Country of tones and ring cadence (default `US`).
    pub country: Option<String>,
    /// Dial plan, e.g. `"{ 1xxx | 9xxxxxxx | 911 }"` (default: any digits,
    /// ended by `#` or the 4 s inter-digit timeout).
    pub dial_plan: Option<String>,
}

impl FileConfig {
    /// Parse a configuration from TOML text; `path` names it in errors.
    pub fn parse(text: &str, path: &str) -> Result<FileConfig, SetupError> {
        let config: FileConfig = toml::from_str(text).map_err(|e| SetupError::Syntax {
            path: path.to_owned(),
            message: e.to_string().trim_end().to_owned(),
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Read and parse a configuration file.
    pub fn load(path: &Path) -> Result<FileConfig, SetupError> {
        let text = std::fs::read_to_string(path).map_err(|source| SetupError::Read {
            path: path.display().to_string(),
            source,
        })?;
        FileConfig::parse(&text, &path.display().to_string())
    }

    /// The built-in configuration: ports 1001 and 1002, embedded registrar.
    pub fn builtin() -> FileConfig {
        let port = |ext: &str| PortSection {
            extension: ext.to_owned(),
            auth_user: None,
            password: format!("pw-{ext}"),
            country: None,
            dial_plan: None,
        };
        FileConfig {
            sip: SipSection::default(),
            ports: vec![port("1001"), port("1002")],
        }
    }

    fn validate(&self) -> Result<(), SetupError> {
        if let Some(t) = &self.sip.transport {
            if !t.eq_ignore_ascii_case("udp") {
                return Err(field(
                    "sip.transport",
                    format!("{t:?} is not supported: allowed \"udp\""),
                ));
            }
        }
        if let Some(server) = &self.sip.server {
            split_host_port(server).map_err(|p| field("sip.server", p))?;
        }
        if self.ports.is_empty() {
            return Err(field("port", "at least one [[port]] table is required"));
        }
        for (i, p) in self.ports.iter().enumerate() {
            let n = i + 1;
            if p.extension.is_empty()
                || !p
                    .extension
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "*#+-._".contains(c))
            {
                return Err(field(
                    format!("port[{n}].extension"),
                    format!("{:?} is not allowed: 1-32 letters, digits or *#+-._", p.extension),
                ));
            }
            if let Some(c) = &p.country {
                if fxs_tones::TonePlan::for_country(c).is_err() {
                    return Err(field(
                        format!("port[{n}].country"),
                        format!(
                            "{c:?} has no tone plan: allowed {}",
                            fxs_core::supported_countries()
                        ),
                    ));
                }
            }
            if self.ports[..i].iter().any(|q| q.extension == p.extension) {
                return Err(field(
                    format!("port[{n}].extension"),
                    format!("{:?} is used twice", p.extension),
                ));
            }
        }
        Ok(())
    }
}

fn split_host_port(s: &str) -> Result<(String, u16), String> {
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| format!("{s:?} is not HOST:PORT"))?;
    let port = port
        .parse::<u16>()
        .ok()
        .filter(|p| *p != 0)
        .ok_or_else(|| format!("{s:?}: port must be 1-65535"))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(format!("{s:?}: host is empty"));
    }
    Ok((host.to_owned(), port))
}

/// Where the ports register.
#[derive(Clone, Debug, PartialEq)]
pub enum Server {
    /// The embedded test registrar, on a local address.
    Embedded,
    /// An external server, resolved, with the SIP domain to use.
    External {
        /// The server's address.
        addr: SocketAddr,
        /// The domain of the addresses of record.
        domain: String,
    },
}

/// Resolve the `[sip] server` setting (a blocking DNS lookup, done once at start).
pub fn resolve_server(config: &FileConfig) -> Result<Server, SetupError> {
    let Some(server) = &config.sip.server else {
        return Ok(Server::Embedded);
    };
    let (host, port) = split_host_port(server).map_err(|p| field("sip.server", p))?;
    let addr = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| field("sip.server", format!("cannot resolve {server:?}: {e}")))?
        .next()
        .ok_or_else(|| field("sip.server", format!("{server:?} resolves to no address")))?;
    let domain = config.sip.domain.clone().unwrap_or(host);
    Ok(Server::External { addr, domain })
}

/// The local IP from which `server` is reached (no packet is sent).
pub fn local_ip_towards(server: SocketAddr) -> IpAddr {
    let any: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        "[::]:0".parse().unwrap_or((Ipv4Addr::UNSPECIFIED, 0).into())
    };
    std::net::UdpSocket::bind(any)
        .and_then(|s| s.connect(server).and_then(|_| s.local_addr()))
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// The sockets a run needs, in the order [`world_config`] expects them:
/// SIP, one RTP socket per port, then the registrar's (embedded only).
pub fn requested_addrs(config: &FileConfig, server: &Server, ip: IpAddr, base_port: u16) -> Vec<SocketAddr> {
    let at = |offset: u16| {
        SocketAddr::new(
            ip,
            if base_port == 0 {
                0
            } else {
                base_port.wrapping_add(offset)
            },
        )
    };
    let mut addrs = vec![at(2)];
    for i in 0..config.ports.len() {
        addrs.push(at(1000 + 2 * i as u16));
    }
    if *server == Server::Embedded {
        addrs.push(at(0));
    }
    addrs
}

/// Options of a run beside the file.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The scenario.
    pub scenario: Vec<Step>,
    /// Total run time before shutdown, if given.
    pub duration: Option<Duration>,
    /// Timeline format.
    pub format: Format,
    /// Seed of every random choice.
    pub seed: u64,
    /// Phones answer incoming calls by themselves after the first ring cycle
    /// (the built-in scenarios); off when a scenario file says what to do.
    pub auto_answer: bool,
}

/// Assemble a world from the file, the bound addresses (as from
/// [`requested_addrs`], in that order) and the options.
pub fn world_config(
    config: &FileConfig,
    server: &Server,
    bound: &[SocketAddr],
    options: RunOptions,
) -> Result<WorldConfig, SetupError> {
    let n = config.ports.len();
    let need = 1 + n + usize::from(*server == Server::Embedded);
    if bound.len() != need {
        return Err(field(
            "sockets",
            format!("{} addresses bound, {need} needed", bound.len()),
        ));
    }
    let sip_addr = bound[0];
    let (server_addr, domain, registrar) = match server {
        Server::Embedded => {
            let reg = bound[1 + n];
            let accounts = config
                .ports
                .iter()
                .map(|p| Account {
                    user: p.extension.clone(),
                    auth_user: p.auth_user.clone().unwrap_or_else(|| p.extension.clone()),
                    password: p.password.clone(),
                })
                .collect();
            (reg, reg.ip().to_string(), Some((reg, accounts)))
        }
        Server::External { addr, domain } => (*addr, domain.clone(), None),
    };
    let ports = config
        .ports
        .iter()
        .enumerate()
        .map(|(i, p)| PortConfig {
            extension: p.extension.clone(),
            auth_user: p.auth_user.clone().unwrap_or_else(|| p.extension.clone()),
            password: p.password.clone(),
            country: p.country.clone().unwrap_or_else(|| "US".to_owned()),
            rtp_addr: bound[1 + i],
            dial_plan: p.dial_plan.clone(),
        })
        .collect();
    let gateway = GatewayConfig {
        sip: SipConfig {
            local_addr: sip_addr,
            server: server_addr,
            domain,
            register_expires: config
                .sip
                .register_expires
                .unwrap_or(fxs_core::DEFAULT_REGISTER_EXPIRES),
        },
        ports,
        dialing: DialingConfig::default(),
        rng_seed: options.seed,
    };
    gateway.validate().map_err(|e| match e {
        fxs_core::Error::InvalidConfig { field: f, problem } => field(f, problem),
        other => field("gateway", other.to_string()),
    })?;
    Ok(WorldConfig {
        gateway,
        registrar,
        scenario: options.scenario,
        duration: options.duration,
        auto_answer: options.auto_answer,
        format: options.format,
    })
}

/// Parse a `--call PORT:NUMBER` argument against `ports` configured ports.
pub fn parse_call(arg: &str, ports: usize) -> Result<(u16, String), String> {
    let (port, number) = arg
        .split_once(':')
        .ok_or_else(|| format!("--call {arg:?}: expected PORT:NUMBER, e.g. 1:1002"))?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p >= 1 && usize::from(*p) <= ports)
        .ok_or_else(|| format!("--call {arg:?}: PORT must be 1..={ports}"))?;
    if number.is_empty() || !number.chars().all(|c| fxs_tones::Digit::from_char(c).is_some()) {
        return Err(format!("--call {arg:?}: NUMBER must be DTMF digits 0-9 * # A-D"));
    }
    Ok((port, number.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_file_parses() {
        let c = FileConfig::parse(
            "[sip]\nserver = \"127.0.0.1:5060\"\ntransport = \"udp\"\n[[port]]\nextension = \"1001\"\nauth_user = \"1001\"\npassword = \"x\"\n",
            "t.toml",
        )
        .unwrap();
        assert_eq!(c.ports.len(), 1);
        assert_eq!(c.sip.server.as_deref(), Some("127.0.0.1:5060"));
    }

    #[test]
    fn unknown_key_is_named() {
        let err = FileConfig::parse(
            "[[port]]\nextension = \"1\"\npassword = \"x\"\nextn = 3\n",
            "t.toml",
        )
        .unwrap_err();
        assert!(err.to_string().contains("extn"), "{err}");
    }

    #[test]
    fn tcp_transport_is_refused_naming_the_field() {
        let err = FileConfig::parse(
            "[sip]\ntransport = \"tcp\"\n[[port]]\nextension = \"1\"\npassword = \"x\"\n",
            "t.toml",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("sip.transport"), "{err}");
    }

    #[test]
    fn missing_password_is_named() {
        let err = FileConfig::parse("[[port]]\nextension = \"1001\"\n", "t.toml").unwrap_err();
        assert!(err.to_string().contains("password"), "{err}");
    }

    #[test]
    fn bad_server_is_named() {
        let err = FileConfig::parse(
            "[sip]\nserver = \"nowhere\"\n[[port]]\nextension = \"1\"\npassword = \"x\"\n",
            "t.toml",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("sip.server"), "{err}");
    }

    #[test]
    fn call_argument_is_checked() {
        assert_eq!(parse_call("1:1002", 2).unwrap(), (1, "1002".to_owned()));
        assert!(parse_call("3:1002", 2).is_err());
        assert!(parse_call("1:10x2", 2).is_err());
        assert!(parse_call("1002", 2).is_err());
    }
}
