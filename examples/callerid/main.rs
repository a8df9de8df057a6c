//! `callerid`: write caller ID line signals to WAV files and decode them
//! (issue 4, item 7).
//!
//! ```text
//! cargo run --release --example callerid -- generate --standard bellcore-mdmf --number 6175551212 --name "JOHN DOE" -o cid.wav
//! cargo run --release --example callerid -- decode cid.wav [--standard bellcore-mdmf]
//! ```
//!
//! WAV files are 8 kHz, 16-bit, mono. `decode` prints `number=...`,
//! `name=...`, `datetime=...` (and `presentation=...`, `redirecting=...`,
//! `message_waiting=...` where present) for the first valid message and
//! exits with status 1 if none was found, 2 on a usage or file error.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use fxs_tones::{
    AbsenceReason, CallerIdMessage, CallerIdStandard, DateTime, Dbm0, DtmfClipVariant, Error, EtsiAlert,
    Name, Presented, decode_samples,
};

/// Generate and decode caller ID line signals (8 kHz 16-bit mono WAV).
#[derive(Parser, Debug)]
#[command(
    name = "callerid",
    version,
    about = "Generate and decode caller ID line signals (8 kHz 16-bit mono WAV)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write the line signal of one caller ID message to a WAV file.
    Generate(GenerateArgs),
    /// Decode caller ID from a WAV file and print its fields.
    Decode(DecodeArgs),
}

/// The standards of the command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum StandardArg {
    /// Telcordia GR-30 SDMF, Bell 202 (needs --datetime).
    BellcoreSdmf,
    /// Telcordia GR-30 MDMF, Bell 202.
    BellcoreMdmf,
    /// ETSI EN 300 659 V.23 FSK (alerting from --alert).
    EtsiFsk,
    /// DTMF caller ID (format from --dtmf-variant).
    EtsiDtmf,
    /// NTT Number Display (Japan), V.23.
    Ntt,
    /// BT SIN 227 (UK): TAS then V.23 FSK.
    Bt,
}

/// ETSI alerting methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum AlertArg {
    /// Line reversal, DT-AS (2130 + 2750 Hz, 100 ms), 150 ms, FSK.
    DtAs,
    /// Line reversal, then FSK (no tone in the file).
    LineReversal,
    /// Ring pulse, then FSK (no tone in the file).
    RpAs,
    /// FSK after the first ring.
    AfterRing,
}

/// DTMF caller ID formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DtmfVariantArg {
    /// A<number>C
    A,
    /// A<number>#
    Hash,
    /// D<number>C
    D,
    /// <number>#
    Bare,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("absence").args(["private", "unavailable"])))]
struct GenerateArgs {
    /// Caller ID standard.
    #[arg(long, value_enum)]
    standard: StandardArg,
    /// Calling number (digits; required unless --private or --unavailable).
    #[arg(long, required_unless_present_any = ["private", "unavailable"])]
    number: Option<String>,
    /// Calling name (printable ASCII; FSK MDMF standards and NTT).
    #[arg(long)]
    name: Option<String>,
    /// Date and time as MMDDHHMM (local time).
    #[arg(long, value_name = "MMDDHHMM")]
    datetime: Option<String>,
    /// Withhold the number (and name): presentation restricted ("P").
    #[arg(long)]
    private: bool,
    /// Number (and name) not available ("O").
    #[arg(long)]
    unavailable: bool,
    /// FSK send level in dBm0 (alert and DTMF tones use their standard levels).
    #[arg(long, value_name = "DBM0", default_value_t = -13.5, allow_negative_numbers = true)]
    level_dbm0: f32,
    /// ETSI alerting method (etsi-fsk only).
    #[arg(long, value_enum, default_value = "dt-as")]
    alert: AlertArg,
    /// DTMF caller ID format (etsi-dtmf only).
    #[arg(long, value_enum, default_value = "a")]
    dtmf_variant: DtmfVariantArg,
    /// Silence before and after the signal, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 200)]
    pad_ms: u32,
    /// Output WAV file.
    #[arg(short = 'o', long = "output", value_name = "FILE.wav")]
    output: PathBuf,
}

#[derive(Args, Debug)]
struct DecodeArgs {
    /// Input WAV file (8 kHz, 16-bit, mono).
    input: PathBuf,
    /// Only try this standard (default: try every standard).
    #[arg(long, value_enum)]
    standard: Option<StandardArg>,
}

fn standard(arg: StandardArg, alert: AlertArg, variant: DtmfVariantArg) -> CallerIdStandard {
    match arg {
        StandardArg::BellcoreSdmf => CallerIdStandard::TelcordiaSdmf,
        StandardArg::BellcoreMdmf => CallerIdStandard::TelcordiaMdmf,
        StandardArg::EtsiFsk => CallerIdStandard::Etsi(match alert {
            AlertArg::DtAs => EtsiAlert::LineReversalDtAs,
            AlertArg::LineReversal => EtsiAlert::LineReversal,
            AlertArg::RpAs => EtsiAlert::RpAs,
            AlertArg::AfterRing => EtsiAlert::AfterFirstRing,
        }),
        StandardArg::EtsiDtmf => CallerIdStandard::EtsiDtmf {
            variant: match variant {
                DtmfVariantArg::A => DtmfClipVariant::StartA,
                DtmfVariantArg::Hash => DtmfClipVariant::HashTerminated,
                DtmfVariantArg::D => DtmfClipVariant::StartD,
                DtmfVariantArg::Bare => DtmfClipVariant::Bare,
            },
            line_reversal: false,
        },
        StandardArg::Ntt => CallerIdStandard::Ntt,
        StandardArg::Bt => CallerIdStandard::Bt,
    }
}

/// What went wrong, for the message and the exit status.
#[derive(Debug, thiserror::Error)]
enum ToolError {
    #[error("{0}")]
    Usage(String),
    #[error("{path}: {source}")]
    Wav { path: String, source: hound::Error },
    #[error("{path}: {reason}")]
    Format { path: String, reason: String },
    #[error("{0}")]
    Caller(#[from] Error),
    #[error("{path}: no valid caller ID message found{detail}")]
    NotFound { path: String, detail: String },
}

fn message(a: &GenerateArgs) -> Result<CallerIdMessage, ToolError> {
    let reason = if a.private {
        Some(AbsenceReason::Private)
    } else if a.unavailable {
        Some(AbsenceReason::Unavailable)
    } else {
        None
    };
    let mut m = match (reason, &a.number) {
        (Some(r), _) => {
            let mut m = CallerIdMessage::withheld(r);
            m.name = Some(Presented::Absent(r));
            m
        }
        (None, Some(n)) => CallerIdMessage::with_number(n)?,
        (None, None) => return Err(ToolError::Usage("--number is required".into())),
    };
    if let Some(name) = &a.name {
        m.name = Some(Presented::Value(Name::new(name).map_err(|_| {
            ToolError::Usage(format!("--name {name:?}: at most 64 printable ASCII characters"))
        })?));
    }
    if let Some(dt) = &a.datetime {
        m.datetime = Some(
            DateTime::from_ascii(dt.as_bytes())
                .map_err(|_| ToolError::Usage(format!("--datetime {dt:?}: expected MMDDHHMM")))?,
        );
    }
    Ok(m)
}

fn generate(a: &GenerateArgs) -> Result<String, ToolError> {
    let s = standard(a.standard, a.alert, a.dtmf_variant);
    let m = message(a)?;
    if s == CallerIdStandard::TelcordiaSdmf && m.datetime.is_none() && m.message_waiting.is_none() {
        return Err(ToolError::Usage("bellcore-sdmf needs --datetime MMDDHHMM".into()));
    }
    let Some(mut signal) = s.signal(&m, Dbm0(a.level_dbm0))? else {
        return Err(ToolError::Usage("caller ID is off: nothing to write".into()));
    };
    let pad = a.pad_ms as usize * 8;
    let mut samples = vec![0i16; pad + signal.total_samples() + pad];
    signal.generate(&mut samples[pad..]);
    let path = a.output.display().to_string();
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let wav_err = |source| ToolError::Wav {
        path: path.clone(),
        source,
    };
    let mut w = hound::WavWriter::create(&a.output, spec).map_err(wav_err)?;
    for &x in &samples {
        w.write_sample(x).map_err(wav_err)?;
    }
    w.finalize().map_err(wav_err)?;
    let t = signal.timing();
    Ok(format!(
        "wrote {path}: {} ({} ms of signal; send {:?} + {} ms, >= {} ms before the next ring)",
        s.name(),
        signal.total_samples() / 8,
        t.anchor,
        t.min_delay_ms,
        t.min_gap_before_ring_ms
    ))
}

fn read_wav(path: &Path) -> Result<Vec<i16>, ToolError> {
    let name = path.display().to_string();
    let reader = hound::WavReader::open(path).map_err(|source| ToolError::Wav {
        path: name.clone(),
        source,
    })?;
    let spec = reader.spec();
    if spec.sample_rate != 8000
        || spec.channels != 1
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
    {
        return Err(ToolError::Format {
            path: name,
            reason: format!(
                "need 8000 Hz 16-bit mono PCM, got {} Hz {}-bit {} channel(s)",
                spec.sample_rate, spec.bits_per_sample, spec.channels
            ),
        });
    }
    reader
        .into_samples::<i16>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(|source| ToolError::Wav { path: name, source })
}

fn reason_str(r: AbsenceReason) -> &'static str {
    match r {
        AbsenceReason::Private => "private",
        AbsenceReason::Unavailable => "unavailable",
        AbsenceReason::Payphone => "payphone",
        AbsenceReason::International => "international",
        AbsenceReason::ServiceConflict => "service-conflict",
    }
}

fn fields(m: &CallerIdMessage) -> String {
    let mut out = String::new();
    match &m.number {
        Some(Presented::Value(n)) => out.push_str(&format!("number={n}\n")),
        Some(Presented::Absent(r)) => out.push_str(&format!("presentation={}\n", reason_str(*r))),
        None => {}
    }
    match &m.name {
        Some(Presented::Value(n)) => out.push_str(&format!("name={n}\n")),
        Some(Presented::Absent(r)) => out.push_str(&format!("name_presentation={}\n", reason_str(*r))),
        None => {}
    }
    if let Some(dt) = m.datetime {
        out.push_str(&format!("datetime={dt}\n"));
    }
    if let Some(r) = &m.redirecting {
        out.push_str(&format!("redirecting={r}\n"));
    }
    if let Some(mw) = m.message_waiting {
        out.push_str(&format!(
            "message_waiting={}\n",
            if mw.active { "on" } else { "off" }
        ));
        if let Some(c) = mw.count {
            out.push_str(&format!("messages={c}\n"));
        }
    }
    out
}

fn decode(a: &DecodeArgs) -> Result<String, ToolError> {
    let samples = read_wav(&a.input)?;
    let candidates: Vec<(&str, CallerIdStandard)> = match a.standard {
        Some(s) => vec![("", standard(s, AlertArg::DtAs, DtmfVariantArg::A))],
        None => vec![
            ("bellcore", CallerIdStandard::TelcordiaMdmf),
            ("etsi-fsk/bt", CallerIdStandard::Etsi(EtsiAlert::AfterFirstRing)),
            ("ntt", CallerIdStandard::Ntt),
            (
                "etsi-dtmf",
                CallerIdStandard::EtsiDtmf {
                    variant: DtmfClipVariant::StartA,
                    line_reversal: false,
                },
            ),
        ],
    };
    let mut errors = Vec::new();
    for (label, s) in candidates {
        match decode_samples(s, &samples) {
            Ok(m) => return Ok(fields(&m)),
            Err(Error::NoMessage) => {}
            Err(e) => errors.push(if label.is_empty() {
                e.to_string()
            } else {
                format!("{label}: {e}")
            }),
        }
    }
    Err(ToolError::NotFound {
        path: a.input.display().to_string(),
        detail: if errors.is_empty() {
            String::new()
        } else {
            format!(" ({})", errors.join("; "))
        },
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Generate(a) => generate(a).map(|line| {
            eprintln!("{line}");
        }),
        Command::Decode(a) => decode(a).map(|text| print!("{text}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ ToolError::NotFound { .. }) => {
            eprintln!("callerid: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("callerid: {e}");
            ExitCode::from(2)
        }
    }
}
