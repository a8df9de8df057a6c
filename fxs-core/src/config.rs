//! Gateway and port configuration, validated once at load.
//!
//! The structs are plain Rust (usable without any file format); with the
//! `serde` feature they also deserialize, so a product can keep them in TOML.

use core::time::Duration;
use std::net::SocketAddr;

use crate::Error;

/// Configuration of a whole gateway: its SIP side and its ports.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(deny_unknown_fields))]
pub struct GatewayConfig {
    /// The SIP side: where the gateway listens and which server it uses.
    pub sip: SipConfig,
    /// One entry per FXS port, in port order (port 1 first).
    pub ports: Vec<PortConfig>,
    /// Digit collection timing.
    #[cfg_attr(feature = "serde", serde(default))]
    pub dialing: DialingConfig,
    /// Seed for every random choice (SIP tags, branches, RTP SSRCs and start
    /// values), so that a run can be repeated exactly.
    #[cfg_attr(feature = "serde", serde(default))]
    pub rng_seed: u64,
}

/// The SIP side of the gateway.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(deny_unknown_fields))]
pub struct SipConfig {
    /// Local address of the gateway's SIP socket, as the driver bound it. It is
    /// also the host of the Via sent-by and of every Contact.
    pub local_addr: SocketAddr,
    /// The registrar / outbound proxy every request is sent to.
    pub server: SocketAddr,
    /// SIP domain of the ports' addresses of record (`sip:1001@domain`).
    pub domain: String,
    /// Registration interval requested from the registrar, in seconds
    /// (default 300 s, the PJSIP figure of sip.md §3).
    #[cfg_attr(feature = "serde", serde(default = "default_expires"))]
    pub register_expires: u32,
}

#[cfg(feature = "serde")]
fn default_expires() -> u32 {
    DEFAULT_REGISTER_EXPIRES
}

/// Default registration interval in seconds.
pub const DEFAULT_REGISTER_EXPIRES: u32 = 300;

/// One FXS port.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Deserialize), serde(deny_unknown_fields))]
pub struct PortConfig {
    /// The port's extension: the user part of its address of record.
    pub extension: String,
    /// Digest user name (often the extension itself).
    pub auth_user: String,
    /// Digest password.
    pub password: String,
    /// ISO 3166 alpha-2 country code that selects tones and ring cadence.
    #[cfg_attr(feature = "serde", serde(default = "default_country"))]
    pub country: String,
    /// Local address of this port's RTP socket, as bound by the driver and
    /// advertised in SDP.
    pub rtp_addr: SocketAddr,
    /// Dial plan (Grandstream/Cisco syntax, see [`crate::dialplan`]); `None`
    /// uses [`crate::dialplan::DEFAULT_DIAL_PLAN`].
    #[cfg_attr(feature = "serde", serde(default))]
    pub dial_plan: Option<String>,
}

#[cfg(feature = "serde")]
fn default_country() -> String {
    "US".to_owned()
}

/// How dialed digits are collected before a call is placed.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Deserialize),
    serde(default, deny_unknown_fields)
)]
pub struct DialingConfig {
    /// Time after the last digit that ends digit collection, in milliseconds
    /// (default 4000).
    pub inter_digit_timeout_ms: u32,
    /// Time off hook with dial tone and no digit before the port gives up and
    /// plays reorder, in milliseconds (default 15000).
    pub first_digit_timeout_ms: u32,
    /// Whether `#` ends digit collection at once (default true) when no
    /// pattern of the dial plan uses it.
    pub hash_terminates: bool,
    /// Numbers always allowed and dispatched at once, whatever the dial plan
    /// (default `911`, `112`).
    pub emergency_numbers: Vec<String>,
}

impl Default for DialingConfig {
    fn default() -> Self {
        DialingConfig {
            inter_digit_timeout_ms: 4000,
            first_digit_timeout_ms: 15000,
            hash_terminates: true,
            emergency_numbers: vec!["911".to_owned(), "112".to_owned()],
        }
    }
}

impl DialingConfig {
    /// The inter-digit timeout as a duration.
    pub fn inter_digit_timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.inter_digit_timeout_ms))
    }

    /// The first-digit timeout as a duration.
    pub fn first_digit_timeout(&self) -> Duration {
        Duration::from_millis(u64::from(self.first_digit_timeout_ms))
    }
}

fn invalid(field: String, problem: impl Into<String>) -> Error {
    Error::InvalidConfig {
        field,
        problem: problem.into(),
    }
}

impl GatewayConfig {
    /// Check every field; the error names the first bad field and what is
    /// allowed there.
    pub fn validate(&self) -> Result<(), Error> {
        if self.sip.domain.trim().is_empty() {
            return Err(invalid("sip.domain".into(), "must not be empty"));
        }
        if !(60..=86_400).contains(&self.sip.register_expires) {
            return Err(invalid(
                "sip.register_expires".into(),
                format!(
                    "{} is out of range: allowed 60..=86400 seconds",
                    self.sip.register_expires
                ),
            ));
        }
        if self.ports.is_empty() {
            return Err(invalid("ports".into(), "at least one port is required"));
        }
        if self.ports.len() > usize::from(u16::MAX) {
            return Err(invalid("ports".into(), "at most 65535 ports"));
        }
        let d = &self.dialing;
        if !(500..=60_000).contains(&d.inter_digit_timeout_ms) {
            return Err(invalid(
                "dialing.inter_digit_timeout_ms".into(),
                format!(
                    "{} is out of range: allowed 500..=60000 ms",
                    d.inter_digit_timeout_ms
                ),
            ));
        }
        if !(1_000..=600_000).contains(&d.first_digit_timeout_ms) {
            return Err(invalid(
                "dialing.first_digit_timeout_ms".into(),
                format!(
                    "{} is out of range: allowed 1000..=600000 ms",
                    d.first_digit_timeout_ms
                ),
            ));
        }
        for (i, port) in self.ports.iter().enumerate() {
            let at = |f: &str| format!("ports[{i}].{f}");
            let ext = &port.extension;
            if ext.is_empty() || ext.len() > 32 || !ext.chars().all(is_user_char) {
                return Err(invalid(
                    at("extension"),
                    format!(
                        "{ext:?} is not allowed: 1-32 characters of letters, digits, '*', '#', '+', '-', '.', '_'"
                    ),
                ));
            }
            if port.auth_user.is_empty() || port.auth_user.chars().any(|c| c.is_control() || c == '"') {
                return Err(invalid(
                    at("auth_user"),
                    "must be non-empty, without control characters or '\"'",
                ));
            }
            if port.password.chars().any(|c| c.is_control()) {
                return Err(invalid(at("password"), "must not contain control characters"));
            }
            if fxs_tones::TonePlan::for_country(&port.country).is_err() {
                return Err(invalid(
                    at("country"),
                    format!(
                        "{:?} has no tone plan: allowed {}",
                        port.country,
                        supported_countries()
                    ),
                ));
            }
            let plan = port
                .dial_plan
                .as_deref()
                .unwrap_or(crate::dialplan::DEFAULT_DIAL_PLAN);
            let emergency: Vec<&str> = d.emergency_numbers.iter().map(String::as_str).collect();
            if let Err(e) = crate::dialplan::DialPlan::parse(plan, &emergency, d.inter_digit_timeout()) {
                let field = if e.position == 0 && e.problem.starts_with("an emergency") {
                    "dialing.emergency_numbers".to_owned()
                } else {
                    at("dial_plan")
                };
                return Err(invalid(field, e.to_string()));
            }
            if port.rtp_addr.port() == 0 {
                return Err(invalid(
                    at("rtp_addr"),
                    "port 0: give the address the driver bound",
                ));
            }
            if let Some(j) = self.ports[..i].iter().position(|p| p.extension == *ext) {
                return Err(invalid(
                    at("extension"),
                    format!("{ext:?} is already used by ports[{j}]"),
                ));
            }
            if let Some(j) = self.ports[..i].iter().position(|p| p.rtp_addr == port.rtp_addr) {
                return Err(invalid(
                    at("rtp_addr"),
                    format!("{} is already used by ports[{j}]", port.rtp_addr),
                ));
            }
        }
        Ok(())
    }
}

/// The country codes that have a tone plan (see `fxs_tones::TonePlan`),
/// comma-separated, for error messages.
pub fn supported_countries() -> String {
    fxs_tones::TonePlan::all()
        .iter()
        .map(|p| p.country)
        .collect::<Vec<_>>()
        .join(", ")
}

fn is_user_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '*' | '#' | '+' | '-' | '.' | '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> GatewayConfig {
        GatewayConfig {
            sip: SipConfig {
                local_addr: "127.0.0.1:5062".parse().unwrap(),
                server: "127.0.0.1:5060".parse().unwrap(),
                domain: "127.0.0.1".into(),
                register_expires: 300,
            },
            ports: vec![
                PortConfig {
                    extension: "1001".into(),
                    auth_user: "1001".into(),
                    password: "secret".into(),
                    country: "US".into(),
                    rtp_addr: "127.0.0.1:40000".parse().unwrap(),
                    dial_plan: None,
                },
                PortConfig {
                    extension: "1002".into(),
                    auth_user: "1002".into(),
                    password: "secret".into(),
                    country: "DE".into(),
                    rtp_addr: "127.0.0.1:40002".parse().unwrap(),
                    dial_plan: Some("{ 1xxx | 911 }".into()),
                },
            ],
            dialing: DialingConfig::default(),
            rng_seed: 1,
        }
    }

    fn field_of(err: Error) -> String {
        match err {
            Error::InvalidConfig { field, .. } => field,
            other => panic!("unexpected error {other:?}"),
        }
    }

    #[test]
    fn valid_config_passes() {
        config().validate().unwrap();
    }

    #[test]
    fn unknown_country_names_the_field_and_the_allowed_values() {
        let mut c = config();
        c.ports[1].country = "XX".into();
        let err = c.validate().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("ports[1].country"), "{text}");
        assert!(
            text.contains("US") && text.contains("DE") && text.contains("JP"),
            "{text}"
        );
    }

    #[test]
    fn duplicate_extension_is_refused() {
        let mut c = config();
        c.ports[1].extension = "1001".into();
        assert_eq!(field_of(c.validate().unwrap_err()), "ports[1].extension");
    }

    #[test]
    fn duplicate_rtp_address_is_refused() {
        let mut c = config();
        c.ports[1].rtp_addr = c.ports[0].rtp_addr;
        assert_eq!(field_of(c.validate().unwrap_err()), "ports[1].rtp_addr");
    }

    #[test]
    fn extension_with_space_is_refused() {
        let mut c = config();
        c.ports[0].extension = "10 01".into();
        assert_eq!(field_of(c.validate().unwrap_err()), "ports[0].extension");
    }

    #[test]
    fn inter_digit_timeout_out_of_range_is_refused() {
        let mut c = config();
        c.dialing.inter_digit_timeout_ms = 10;
        assert_eq!(
            field_of(c.validate().unwrap_err()),
            "dialing.inter_digit_timeout_ms"
        );
    }

    #[test]
    fn bad_dial_plan_names_the_port_and_the_position() {
        let mut c = config();
        c.ports[1].dial_plan = Some("{ 1xx | [2-9 }".into());
        let err = c.validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid configuration: ports[1].dial_plan: at character 8: unclosed '['"
        );
    }

    #[test]
    fn bad_emergency_number_names_the_field() {
        let mut c = config();
        c.dialing.emergency_numbers = vec!["9-1-1".into()];
        assert_eq!(field_of(c.validate().unwrap_err()), "dialing.emergency_numbers");
    }

    #[test]
    fn no_ports_is_refused() {
        let mut c = config();
        c.ports.clear();
        assert_eq!(field_of(c.validate().unwrap_err()), "ports");
    }
}
