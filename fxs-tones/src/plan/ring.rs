//! Distinctive ringing: the Telcordia (Bellcore) GR-506 patterns DR1 to DR5
//! and the SIP `Alert-Info` values that select them (tones-and-ringing.md
//! §5.2).

/// A power-ringing cadence: on/off durations in ms, starting with "on".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingCadence {
    /// On/off durations in ms (on, off, on, off, ...).
    pub on_off_ms: &'static [u32],
    /// True if the pattern repeats; false for a single burst (splash).
    pub repeats: bool,
}

/// A Telcordia GR-506 distinctive ringing pattern (§5.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DistinctiveRing {
    /// #1, standard: 2/4 s.
    Dr1,
    /// #2, long-long: 0.8/0.4/0.8/4.0 s.
    Dr2,
    /// #3, short-short-long: 0.4/0.2/0.4/0.2/0.8/4.0 s.
    Dr3,
    /// #4, short-long-short: 0.3/0.2/1.0/0.2/0.3/4.0 s (AMX; marked verify).
    Dr4,
    /// #5, single splash (reminder): one 0.5 s burst (vendor default; marked verify).
    Dr5,
}

impl DistinctiveRing {
    /// All five patterns.
    pub const ALL: [DistinctiveRing; 5] = [
        DistinctiveRing::Dr1,
        DistinctiveRing::Dr2,
        DistinctiveRing::Dr3,
        DistinctiveRing::Dr4,
        DistinctiveRing::Dr5,
    ];

    /// The pattern number, 1 to 5.
    pub const fn number(self) -> u8 {
        match self {
            DistinctiveRing::Dr1 => 1,
            DistinctiveRing::Dr2 => 2,
            DistinctiveRing::Dr3 => 3,
            DistinctiveRing::Dr4 => 4,
            DistinctiveRing::Dr5 => 5,
        }
    }

    /// The pattern with number `n` (1 to 5).
    pub fn from_number(n: u32) -> Option<DistinctiveRing> {
        DistinctiveRing::ALL
            .into_iter()
            .find(|d| u32::from(d.number()) == n)
    }

    /// The ringing cadence (§5.2).
    pub const fn cadence(self) -> RingCadence {
        match self {
            DistinctiveRing::Dr1 => RingCadence {
                on_off_ms: &[2000, 4000],
                repeats: true,
            },
            DistinctiveRing::Dr2 => RingCadence {
                on_off_ms: &[800, 400, 800, 4000],
                repeats: true,
            },
            DistinctiveRing::Dr3 => RingCadence {
                on_off_ms: &[400, 200, 400, 200, 800, 4000],
                repeats: true,
            },
            DistinctiveRing::Dr4 => RingCadence {
                on_off_ms: &[300, 200, 1000, 200, 300, 4000],
                repeats: true,
            },
            DistinctiveRing::Dr5 => RingCadence {
                on_off_ms: &[500],
                repeats: false,
            },
        }
    }
}

/// What an `Alert-Info` header value asks for (RFC 3261 §20.4, RFC 7462).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AlertInfo {
    /// A Bellcore distinctive ringing pattern.
    Ring(DistinctiveRing),
    /// `urn:alert:service:call-waiting`: play the call-waiting tone, not ringing.
    CallWaiting,
}

/// Reads an `Alert-Info` header value (one or several comma-separated
/// entries, each `<uri>` with optional `;params`, or a bare token) and
/// returns what the first entry that maps to something asks for.
///
/// Mappings (AudioCodes/Cisco/Polycom convention, §5.2; URNs RFC 7462):
///
/// - a URI or token whose last path segment is `Bellcore-drN` (N 1 to 5),
///   any case: pattern N, e.g. `<http://127.0.0.1/Bellcore-dr2>`,
///   `<Bellcore-dr3>`, `Bellcore-dr4`;
/// - `urn:alert:service:normal` and `urn:alert:source:internal`: DR1;
///   `urn:alert:source:external`: DR2 (the usual "outside call" double
///   ring); `urn:alert:priority:high`: DR3; `urn:alert:service:reminder`:
///   DR5 (splash); `urn:alert:service:call-waiting`:
///   [`AlertInfo::CallWaiting`]. These URN choices are ours: RFC 7462 names
///   the meaning, not a cadence.
///
/// Anything else (a sound file URL, an unknown URN) maps to nothing:
/// `None`, and the caller rings normally.
pub fn parse_alert_info(value: &str) -> Option<AlertInfo> {
    value.split(',').find_map(parse_entry)
}

fn parse_entry(entry: &str) -> Option<AlertInfo> {
    let entry = entry.trim();
    let uri = match entry.strip_prefix('<') {
        Some(rest) => rest.split('>').next()?,
        None => entry.split(';').next()?,
    }
    .trim();
    if let Some(urn) = strip_prefix_ignore_case(uri, "urn:alert:") {
        return parse_urn(urn);
    }
    let last = uri.rsplit(['/', ':']).next()?;
    let n = strip_prefix_ignore_case(last, "bellcore-dr")?;
    let n: u32 = n.parse().ok()?;
    DistinctiveRing::from_number(n).map(AlertInfo::Ring)
}

fn parse_urn(urn: &str) -> Option<AlertInfo> {
    // Only the first indication and its first value count (RFC 7462 §4).
    let mut parts = urn.split(':');
    let category = parts.next()?;
    let value = parts.next()?;
    let is = |c: &str, v: &str| category.eq_ignore_ascii_case(c) && value.eq_ignore_ascii_case(v);
    let ring = |d| Some(AlertInfo::Ring(d));
    if is("service", "normal") || is("source", "internal") {
        ring(DistinctiveRing::Dr1)
    } else if is("source", "external") {
        ring(DistinctiveRing::Dr2)
    } else if is("priority", "high") {
        ring(DistinctiveRing::Dr3)
    } else if is("service", "reminder") {
        ring(DistinctiveRing::Dr5)
    } else if is("service", "call-waiting") {
        Some(AlertInfo::CallWaiting)
    } else {
        None
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bellcore_uris_select_their_pattern() {
        let dr = |n| Some(AlertInfo::Ring(DistinctiveRing::from_number(n).unwrap()));
        assert_eq!(parse_alert_info("<http://127.0.0.1/Bellcore-dr2>"), dr(2));
        assert_eq!(
            parse_alert_info("<http://example.com/ring/bellcore-DR3>;x=y"),
            dr(3)
        );
        assert_eq!(parse_alert_info("<Bellcore-dr4>"), dr(4));
        assert_eq!(parse_alert_info("Bellcore-dr5"), dr(5));
        assert_eq!(parse_alert_info("  <Bellcore-dr1>  "), dr(1));
        assert_eq!(
            parse_alert_info("<http://x/music.wav>, <http://x/Bellcore-dr3>"),
            dr(3)
        );
    }

    #[test]
    fn unknown_or_malformed_values_map_to_nothing() {
        for v in [
            "",
            "<>",
            "<http://example.com/sounds/moo.wav>",
            "<Bellcore-dr6>",
            "<Bellcore-dr0>",
            "<Bellcore-dr>",
            "<Bellcore-drx>",
            "<urn:alert:tone:ring>",
            "<urn:alert:>",
            "<",
            "Bellcore-dr99999999999999999999",
            "é<Bellcore",
        ] {
            assert_eq!(parse_alert_info(v), None, "{v:?}");
        }
    }

    #[test]
    fn alert_urns_map_as_documented() {
        let ring = |d| Some(AlertInfo::Ring(d));
        assert_eq!(
            parse_alert_info("<urn:alert:service:normal>"),
            ring(DistinctiveRing::Dr1)
        );
        assert_eq!(
            parse_alert_info("<urn:alert:source:internal>"),
            ring(DistinctiveRing::Dr1)
        );
        assert_eq!(
            parse_alert_info("<urn:alert:source:external>"),
            ring(DistinctiveRing::Dr2)
        );
        assert_eq!(
            parse_alert_info("<URN:Alert:Priority:High>"),
            ring(DistinctiveRing::Dr3)
        );
        assert_eq!(
            parse_alert_info("<urn:alert:service:reminder>"),
            ring(DistinctiveRing::Dr5)
        );
        assert_eq!(
            parse_alert_info("<urn:alert:service:call-waiting>"),
            Some(AlertInfo::CallWaiting)
        );
    }

    #[test]
    fn cadences_are_the_gr506_figures() {
        assert_eq!(DistinctiveRing::Dr1.cadence().on_off_ms, &[2000, 4000]);
        assert_eq!(DistinctiveRing::Dr2.cadence().on_off_ms, &[800, 400, 800, 4000]);
        assert_eq!(
            DistinctiveRing::Dr3.cadence().on_off_ms,
            &[400, 200, 400, 200, 800, 4000]
        );
        assert_eq!(
            DistinctiveRing::Dr4.cadence().on_off_ms,
            &[300, 200, 1000, 200, 300, 4000]
        );
        assert!(!DistinctiveRing::Dr5.cadence().repeats);
        for d in DistinctiveRing::ALL {
            let c = d.cadence();
            assert!(!c.on_off_ms.contains(&0));
            assert!(!c.repeats || c.on_off_ms.len() % 2 == 0, "{d:?}");
            assert_eq!(DistinctiveRing::from_number(u32::from(d.number())), Some(d));
        }
    }
}
