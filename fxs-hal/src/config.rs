//! Line settings a driver applies once per port or per call: AC impedance,
//! gains, DC feed, the ringing signal and the kind of polarity reversal
//! (line-electrical.md §2, §4, §6; tones-and-ringing.md §6).
//!
//! [`LineConfig`] bundles them; [`LineConfig::validate`] checks every field
//! against the ranges the SLIC families of line-electrical.md §6 can
//! produce, so a driver receives only settings that make sense electrically.
//! Whether its chip can produce a particular valid setting (an impedance
//! preset it has no coefficients for, say) is the driver's call: it answers
//! with an error of kind [`LineErrorKind::InvalidSetting`].

use core::fmt;

use crate::line::{Error, LineErrorKind};

/// The error of this crate's own types: a setting, profile or request that
/// cannot be applied, named by field.
///
/// Its [`kind`](Error::kind) is [`LineErrorKind::InvalidSetting`], so it can
/// travel through the same paths as a driver's error.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// An impedance name that is not one of the [`Impedance`] presets.
    #[error("unknown line impedance {0:?}")]
    UnknownImpedance(String),
    /// A country code with no built-in profile.
    #[error("no built-in {what} profile for country {country:?}")]
    UnknownCountry {
        /// Which table was asked ("line", "hook", "ring cadence").
        what: &'static str,
        /// The code asked for.
        country: String,
    },
    /// A numeric field outside the range the hardware can produce.
    #[error("{field} = {value} is outside {min}..={max}")]
    OutOfRange {
        /// The field, e.g. `"ring.frequency_hz"`.
        field: &'static str,
        /// The value given.
        value: f32,
        /// Smallest accepted value.
        min: f32,
        /// Largest accepted value.
        max: f32,
    },
    /// A timing profile whose windows contradict each other.
    #[error("inconsistent timing: {0}")]
    Timing(&'static str),
    /// A cadence with no steps, too many steps, or a zero-length step.
    #[error("invalid cadence: {0}")]
    Cadence(&'static str),
    /// Power ringing was requested while the loop is closed (the phone is
    /// off hook): the ringing would trip at once and ring into the ear.
    #[error("ringing requested while the line is off hook")]
    RingingWhileOffHook,
    /// The chip has no coefficients for this impedance.
    #[error("this line cannot synthesise impedance {0}")]
    UnsupportedImpedance(Impedance),
    /// A `Bellcore-drN` or other `Alert-Info` value with no known pattern.
    #[error("unknown distinctive ring {0:?}")]
    UnknownDistinctiveRing(String),
}

impl Error for ConfigError {
    fn kind(&self) -> LineErrorKind {
        LineErrorKind::InvalidSetting
    }
}

pub(crate) fn check_range(field: &'static str, value: f32, min: f32, max: f32) -> Result<(), ConfigError> {
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange {
            field,
            value,
            min,
            max,
        })
    }
}

/// AC termination (line impedance) presets, line-electrical.md §4.
///
/// A complex network `Rs + (Rp ‖ Cp)` is written as the three values; the
/// variant names follow them (`Z220_820_120n` is 220 Ω + (820 Ω ‖ 120 nF)).
/// The SLIC synthesises the impedance (ProSLIC Zsynth, VP-API AC profiles);
/// [`Impedance::network`] gives the components for simulation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Impedance {
    /// 600 Ω real: US (FCC Part 68 terminals), Japan, Russia, most of Asia
    /// and the Americas.
    R600,
    /// 900 Ω real: US CO-side reference.
    R900,
    /// 900 Ω + 2.16 µF: US CO-side reference.
    R900C2160n,
    /// 270 Ω + (750 Ω ‖ 150 nF): TBR21/CTR21, the harmonised EU setting.
    Tbr21,
    /// 220 Ω + (820 Ω ‖ 120 nF): Australia, Germany, Austria, South Africa.
    Z220_820_120n,
    /// 370 Ω + (620 Ω ‖ 310 nF): New Zealand, India.
    Z370_620_310n,
    /// 320 Ω + (1050 Ω ‖ 230 nF): UK.
    Z320_1050_230n,
    /// 200 Ω + (680 Ω ‖ 100 nF): China.
    Z200_680_100n,
    /// 350 Ω + (1000 Ω ‖ 210 nF): ANSI/EIA/TIA-464 compromise.
    Z350_1000_210n,
    /// 370 Ω + (820 Ω ‖ 110 nF) (Si3019 table).
    Z370_820_110n,
    /// 120 Ω + (820 Ω ‖ 110 nF) (Si3019 table).
    Z120_820_110n,
    /// 600 Ω + 1 µF (Si3019 table).
    R600C1u,
    /// 600 Ω + 2.16 µF (Si3019 table).
    R600C2160n,
    /// 900 Ω + 1 µF (Si3019 table).
    R900C1u,
}

/// The components of an [`Impedance`]: `series_ohms` in series with an
/// optional series capacitor and an optional `parallel_ohms ‖ parallel_nf`
/// branch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ImpedanceNetwork {
    /// Series resistance, Ω.
    pub series_ohms: f32,
    /// Series capacitance, nF (`None`: no series capacitor).
    pub series_nf: Option<f32>,
    /// Resistance of the parallel branch, Ω (`None`: no branch).
    pub parallel_ohms: Option<f32>,
    /// Capacitance across `parallel_ohms`, nF.
    pub parallel_nf: Option<f32>,
}

impl ImpedanceNetwork {
    /// The complex impedance `(re, im)` in Ω at `freq_hz`.
    #[must_use]
    pub fn at(&self, freq_hz: f32) -> (f32, f32) {
        let w = 2.0 * core::f32::consts::PI * freq_hz;
        let mut re = self.series_ohms;
        let mut im = 0.0;
        if let Some(c) = self.series_nf {
            im -= 1.0 / (w * c * 1e-9);
        }
        if let Some(r) = self.parallel_ohms {
            // r ‖ 1/(jwC) = r / (1 + j w r C)
            let x = self.parallel_nf.map_or(0.0, |c| w * r * c * 1e-9);
            let d = 1.0 + x * x;
            re += r / d;
            im -= r * x / d;
        }
        (re, im)
    }
}

impl Impedance {
    /// Every preset, in declaration order.
    pub const ALL: [Impedance; 14] = [
        Impedance::R600,
        Impedance::R900,
        Impedance::R900C2160n,
        Impedance::Tbr21,
        Impedance::Z220_820_120n,
        Impedance::Z370_620_310n,
        Impedance::Z320_1050_230n,
        Impedance::Z200_680_100n,
        Impedance::Z350_1000_210n,
        Impedance::Z370_820_110n,
        Impedance::Z120_820_110n,
        Impedance::R600C1u,
        Impedance::R600C2160n,
        Impedance::R900C1u,
    ];

    /// The short name used in configuration files (`"600"`, `"tbr21"`,
    /// `"220+820||120n"`, ...); [`Impedance::from_name`] reads it back.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Impedance::R600 => "600",
            Impedance::R900 => "900",
            Impedance::R900C2160n => "900+2.16u",
            Impedance::Tbr21 => "tbr21",
            Impedance::Z220_820_120n => "220+820||120n",
            Impedance::Z370_620_310n => "370+620||310n",
            Impedance::Z320_1050_230n => "320+1050||230n",
            Impedance::Z200_680_100n => "200+680||100n",
            Impedance::Z350_1000_210n => "350+1000||210n",
            Impedance::Z370_820_110n => "370+820||110n",
            Impedance::Z120_820_110n => "120+820||110n",
            Impedance::R600C1u => "600+1u",
            Impedance::R600C2160n => "600+2.16u",
            Impedance::R900C1u => "900+1u",
        }
    }

    /// The preset called `name` ([`Impedance::name`]; `"270+750||150n"` is
    /// accepted for TBR21). An unknown name is an error, never a default.
    pub fn from_name(name: &str) -> Result<Impedance, ConfigError> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("270+750||150n") || name.eq_ignore_ascii_case("ctr21") {
            return Ok(Impedance::Tbr21);
        }
        Impedance::ALL
            .into_iter()
            .find(|z| z.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| ConfigError::UnknownImpedance(name.to_owned()))
    }

    /// The components of the preset.
    #[must_use]
    pub fn network(self) -> ImpedanceNetwork {
        let complex = |rs: f32, rp: f32, cp: f32| ImpedanceNetwork {
            series_ohms: rs,
            series_nf: None,
            parallel_ohms: Some(rp),
            parallel_nf: Some(cp),
        };
        let series = |rs: f32, c: Option<f32>| ImpedanceNetwork {
            series_ohms: rs,
            series_nf: c,
            parallel_ohms: None,
            parallel_nf: None,
        };
        match self {
            Impedance::R600 => series(600.0, None),
            Impedance::R900 => series(900.0, None),
            Impedance::R900C2160n => series(900.0, Some(2160.0)),
            Impedance::Tbr21 => complex(270.0, 750.0, 150.0),
            Impedance::Z220_820_120n => complex(220.0, 820.0, 120.0),
            Impedance::Z370_620_310n => complex(370.0, 620.0, 310.0),
            Impedance::Z320_1050_230n => complex(320.0, 1050.0, 230.0),
            Impedance::Z200_680_100n => complex(200.0, 680.0, 100.0),
            Impedance::Z350_1000_210n => complex(350.0, 1000.0, 210.0),
            Impedance::Z370_820_110n => complex(370.0, 820.0, 110.0),
            Impedance::Z120_820_110n => complex(120.0, 820.0, 110.0),
            Impedance::R600C1u => series(600.0, Some(1000.0)),
            Impedance::R600C2160n => series(600.0, Some(2160.0)),
            Impedance::R900C1u => series(900.0, Some(1000.0)),
        }
    }

    /// The usual FXS termination of a country (line-electrical.md §4), by
    /// ISO 3166 code; an unknown code is an error.
    pub fn for_country(country: &str) -> Result<Impedance, ConfigError> {
        let cc = country.trim().to_ascii_uppercase();
        Ok(match cc.as_str() {
            "US" | "CA" | "JP" | "RU" | "MX" | "BR" | "KR" | "TW" | "SG" => Impedance::R600,
            "BE" | "DK" | "FI" | "FR" | "GR" | "IE" | "IT" | "NL" | "NO" | "PT" | "ES" | "SE" | "CH"
            | "LU" | "IS" => Impedance::Tbr21,
            "AU" | "DE" | "AT" | "BG" | "SK" | "ZA" => Impedance::Z220_820_120n,
            "NZ" | "IN" => Impedance::Z370_620_310n,
            "GB" | "UK" => Impedance::Z320_1050_230n,
            "CN" => Impedance::Z200_680_100n,
            _ => {
                return Err(ConfigError::UnknownCountry {
                    what: "line impedance",
                    country: country.to_owned(),
                });
            }
        })
    }
}

impl fmt::Display for Impedance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Audio gains of the SLIC's codec path, in dB (dBr), in the data-sheet
/// sense of ProSLIC and VP-API: *transmit* is line → PCM highway (what the
/// network hears of the phone), *receive* is PCM → line (what the phone
/// hears). line-electrical.md §4 lists country values such as Germany
/// −3 dBr in / −10 dBr out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gains {
    /// Line → PCM gain, dB.
    pub tx_db: f32,
    /// PCM → line gain, dB.
    pub rx_db: f32,
}

impl Gains {
    /// Smallest gain accepted, dB (ProSLIC and VP-API both reach below it).
    pub const MIN_DB: f32 = -20.0;
    /// Largest gain accepted, dB.
    pub const MAX_DB: f32 = 12.0;

    /// 0 dB both ways.
    pub const UNITY: Gains = Gains {
        tx_db: 0.0,
        rx_db: 0.0,
    };

    /// Check both gains lie in [`MIN_DB`](Self::MIN_DB)..=[`MAX_DB`](Self::MAX_DB).
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_range("gains.tx_db", self.tx_db, Gains::MIN_DB, Gains::MAX_DB)?;
        check_range("gains.rx_db", self.rx_db, Gains::MIN_DB, Gains::MAX_DB)
    }
}

impl Default for Gains {
    /// [`Gains::UNITY`].
    fn default() -> Gains {
        Gains::UNITY
    }
}

/// DC feed preset (line-electrical.md §2).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DcFeed {
    /// Constant-current limit when off hook, mA (ProSLIC Si3210 20-41 mA;
    /// ≥ 20 mA at the phone is the usual objective).
    pub loop_current_ma: f32,
    /// Open-circuit (on-hook) tip-ring voltage magnitude, V (ATAs usually
    /// 48 V).
    pub open_circuit_v: f32,
}

impl DcFeed {
    /// The accepted loop-current range, mA (Si3210's 20-41 mA, with a
    /// little margin for other parts).
    pub const LOOP_CURRENT_MA: (f32, f32) = (18.0, 45.0);
    /// The accepted open-circuit voltage range, V.
    pub const OPEN_CIRCUIT_V: (f32, f32) = (20.0, 60.0);

    /// Check both fields against [`LOOP_CURRENT_MA`](Self::LOOP_CURRENT_MA)
    /// and [`OPEN_CIRCUIT_V`](Self::OPEN_CIRCUIT_V).
    pub fn validate(&self) -> Result<(), ConfigError> {
        let (lo, hi) = DcFeed::LOOP_CURRENT_MA;
        check_range("dc_feed.loop_current_ma", self.loop_current_ma, lo, hi)?;
        let (lo, hi) = DcFeed::OPEN_CIRCUIT_V;
        check_range("dc_feed.open_circuit_v", self.open_circuit_v, lo, hi)
    }
}

impl Default for DcFeed {
    /// 25 mA, 48 V: inside the 20-40 mA typical range and the usual ATA
    /// battery (line-electrical.md §2).
    fn default() -> DcFeed {
        DcFeed {
            loop_current_ma: 25.0,
            open_circuit_v: 48.0,
        }
    }
}

/// Shape of the ringing signal.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RingWaveform {
    /// Sinusoidal ringing.
    Sine,
    /// Trapezoidal ringing with this crest factor (peak / rms; 1.0 is a
    /// square wave, √2 a sine). Trapezoids reach a given rms with a lower
    /// peak, which saves battery voltage.
    Trapezoid {
        /// Peak over rms, 1.0..=1.6.
        crest_factor: f32,
    },
}

/// The ringing signal (tones-and-ringing.md §6).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RingSignal {
    /// Ring frequency, Hz (US 20, Europe 25, FR/AT 50, Japan 16).
    pub frequency_hz: f32,
    /// AC amplitude at the SLIC, Vrms (typical ATA 45-55).
    pub amplitude_vrms: f32,
    /// DC offset under the AC, V (Mediatrix: 15 V), which lets the ring
    /// trip detector see loop closure.
    pub dc_offset_v: f32,
    /// Sine or trapezoid.
    pub waveform: RingWaveform,
}

impl RingSignal {
    /// Accepted ring frequencies, Hz (Japan's 15 Hz up to 68 Hz).
    pub const FREQUENCY_HZ: (f32, f32) = (15.0, 68.0);
    /// Accepted amplitudes, Vrms (up to a CO's 90 Vrms).
    pub const AMPLITUDE_VRMS: (f32, f32) = (20.0, 95.0);
    /// Accepted DC offsets, V.
    pub const DC_OFFSET_V: (f32, f32) = (-60.0, 60.0);

    /// Ringing at `frequency_hz` with the typical ATA level of 45 Vrms on
    /// 15 V DC, sine (tones-and-ringing.md §6).
    #[must_use]
    pub const fn ata(frequency_hz: f32) -> RingSignal {
        RingSignal {
            frequency_hz,
            amplitude_vrms: 45.0,
            dc_offset_v: 15.0,
            waveform: RingWaveform::Sine,
        }
    }

    /// The ring signal of a country (tones-and-ringing.md §5.1, §6): the
    /// ring frequency of fxs-tones' [`TonePlan`](fxs_tones::TonePlan) at the
    /// ATA level (Finland 53 Vrms, Zyxel table). An unknown code is an
    /// error.
    pub fn for_country(country: &str) -> Result<RingSignal, ConfigError> {
        let plan = fxs_tones::TonePlan::for_country(country).map_err(|_| ConfigError::UnknownCountry {
            what: "ring signal",
            country: country.to_owned(),
        })?;
        let mut ring = RingSignal::ata(plan.ring_frequency_hz);
        if plan.country == "FI" {
            ring.amplitude_vrms = 53.0;
        }
        Ok(ring)
    }

    /// Check every field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let (lo, hi) = RingSignal::FREQUENCY_HZ;
        check_range("ring.frequency_hz", self.frequency_hz, lo, hi)?;
        let (lo, hi) = RingSignal::AMPLITUDE_VRMS;
        check_range("ring.amplitude_vrms", self.amplitude_vrms, lo, hi)?;
        let (lo, hi) = RingSignal::DC_OFFSET_V;
        check_range("ring.dc_offset_v", self.dc_offset_v, lo, hi)?;
        if let RingWaveform::Trapezoid { crest_factor } = self.waveform {
            check_range("ring.waveform.crest_factor", crest_factor, 1.0, 1.6)?;
        }
        Ok(())
    }

    /// Peak AC voltage: amplitude × crest factor (√2 for a sine).
    #[must_use]
    pub fn peak_v(&self) -> f32 {
        let crest = match self.waveform {
            RingWaveform::Sine => core::f32::consts::SQRT_2,
            RingWaveform::Trapezoid { crest_factor } => crest_factor,
        };
        self.amplitude_vrms * crest
    }
}

impl Default for RingSignal {
    /// US: 20 Hz, 45 Vrms on 15 V DC, sine.
    fn default() -> RingSignal {
        RingSignal::ata(20.0)
    }
}

/// How the SLIC swaps tip and ring (line-electrical.md §1: ProSLIC offers
/// abrupt or smooth reversal).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum ReversalMode {
    /// Swap at once.
    #[default]
    Abrupt,
    /// Ramp the voltage through zero, which avoids a click and false
    /// ringer "tinkle" on old bells.
    Smooth,
}

/// Every per-port setting a driver applies in
/// [`LineInterface::configure`](crate::LineInterface::configure).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineConfig {
    /// AC termination.
    pub impedance: Impedance,
    /// Codec gains.
    pub gains: Gains,
    /// DC feed.
    pub dc_feed: DcFeed,
    /// Ringing signal.
    pub ring: RingSignal,
    /// How polarity reversals are made.
    pub reversal: ReversalMode,
}

impl LineConfig {
    /// The profile of a country: its impedance (§4) and ring signal (§5.1),
    /// default gains and DC feed, abrupt reversal.
    pub fn for_country(country: &str) -> Result<LineConfig, ConfigError> {
        Ok(LineConfig {
            impedance: Impedance::for_country(country)?,
            gains: Gains::UNITY,
            dc_feed: DcFeed::default(),
            ring: RingSignal::for_country(country)?,
            reversal: ReversalMode::Abrupt,
        })
    }

    /// Check every field; the error names the first bad one.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.gains.validate()?;
        self.dc_feed.validate()?;
        self.ring.validate()
    }
}

impl Default for LineConfig {
    /// The US profile: 600 Ω, unity gains, 25 mA / 48 V, 20 Hz ringing.
    fn default() -> LineConfig {
        LineConfig {
            impedance: Impedance::R600,
            gains: Gains::UNITY,
            dc_feed: DcFeed::default(),
            ring: RingSignal::default(),
            reversal: ReversalMode::Abrupt,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_impedance_name_reads_back_to_itself() {
        for z in Impedance::ALL {
            assert_eq!(Impedance::from_name(z.name()), Ok(z));
            assert_eq!(z.to_string(), z.name());
        }
        assert_eq!(Impedance::from_name("270+750||150n"), Ok(Impedance::Tbr21));
    }

    #[test]
    fn unknown_impedance_is_a_typed_error_not_a_default() {
        assert_eq!(
            Impedance::from_name("601"),
            Err(ConfigError::UnknownImpedance("601".into()))
        );
        assert_eq!(
            ConfigError::UnknownImpedance("x".into()).kind(),
            LineErrorKind::InvalidSetting
        );
    }

    #[test]
    fn complex_networks_have_the_expected_values_at_dc_and_high_frequency() {
        let tbr21 = Impedance::Tbr21.network();
        let (re, im) = tbr21.at(1.0);
        assert!((re - 1020.0).abs() < 1.0 && im.abs() < 1.0, "{re} {im}");
        let (re, _) = tbr21.at(100_000.0);
        assert!((re - 270.0).abs() < 5.0, "capacitor shorts the branch: {re}");
        let (re, im) = Impedance::R600.network().at(1000.0);
        assert_eq!((re, im), (600.0, 0.0));
        // 2.16 µF at 1 kHz: -73.7 Ω reactance.
        let (_, im) = Impedance::R900C2160n.network().at(1000.0);
        assert!((im + 73.7).abs() < 0.5, "{im}");
    }

    #[test]
    fn country_profiles_pick_the_spec_values() {
        let de = LineConfig::for_country("de").unwrap();
        assert_eq!(de.impedance, Impedance::Z220_820_120n);
        assert_eq!(de.ring.frequency_hz, 25.0);
        let fr = LineConfig::for_country("FR").unwrap();
        assert_eq!((fr.impedance, fr.ring.frequency_hz), (Impedance::Tbr21, 50.0));
        assert_eq!(
            LineConfig::for_country("GB").unwrap().impedance,
            Impedance::Z320_1050_230n
        );
        assert_eq!(LineConfig::for_country("JP").unwrap().ring.frequency_hz, 16.0);
        assert_eq!(LineConfig::for_country("FI").unwrap().ring.amplitude_vrms, 53.0);
        assert!(matches!(
            LineConfig::for_country("XX"),
            Err(ConfigError::UnknownCountry { .. })
        ));
        for cc in ["US", "DE", "FR", "GB", "JP", "AU", "NZ", "CN", "SE"] {
            LineConfig::for_country(cc).unwrap().validate().unwrap();
        }
    }

    #[test]
    fn out_of_range_settings_name_their_field() {
        let mut c = LineConfig::default();
        c.ring.frequency_hz = 100.0;
        assert!(matches!(
            c.validate(),
            Err(ConfigError::OutOfRange {
                field: "ring.frequency_hz",
                ..
            })
        ));
        let mut c = LineConfig::default();
        c.dc_feed.loop_current_ma = 60.0;
        assert!(matches!(
            c.validate(),
            Err(ConfigError::OutOfRange {
                field: "dc_feed.loop_current_ma",
                ..
            })
        ));
        let mut c = LineConfig::default();
        c.gains.rx_db = f32::NAN;
        assert!(c.validate().is_err());
        let mut c = LineConfig::default();
        c.ring.waveform = RingWaveform::Trapezoid { crest_factor: 2.0 };
        assert!(c.validate().is_err());
        c.ring.waveform = RingWaveform::Trapezoid { crest_factor: 1.2 };
        assert!(c.validate().is_ok());
        assert!((c.ring.peak_v() - 54.0).abs() < 1e-3);
    }
}
