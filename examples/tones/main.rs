//! Call-progress tones of the country plans as WAV files.
//!
//! ```text
//! cargo run --release --example tones -- generate --country DE --tone busy --seconds 5 -o busy.wav
//! cargo run --release --example tones -- list
//! ```
//!
//! WAV files are 8 kHz, 16-bit, mono. A bad country or tone name is refused
//! with the allowed values and exit code 2.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use fxs_tones::{SAMPLE_RATE, ToneGenerator, ToneKind, TonePlan};

#[derive(Parser, Debug)]
#[command(
    name = "tones",
    about = "Generate the call-progress tones of a country's tone plan (tones-and-ringing.md)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write one tone of a country plan to an 8 kHz, 16-bit, mono WAV file.
    Generate {
        /// Country: ISO 3166 alpha-2 code, any case (US, DE, GB or UK, ...),
        /// or ITU for the ITU-T E.180 plan. No default. See `tones list`.
        #[arg(long)]
        country: String,
        /// Tone: dial, ringback, busy, congestion (or reorder), call_waiting,
        /// stutter, recall, confirmation, sit, howler. No default.
        #[arg(long)]
        tone: String,
        /// Length of the file in seconds (decimal allowed, e.g. 2.5); a tone
        /// that plays once is followed by silence.
        #[arg(long, default_value_t = 10.0)]
        seconds: f64,
        /// Output WAV file (8000 Hz, 16-bit PCM, mono). Overwritten if it exists.
        #[arg(short = 'o', long = "output")]
        output: PathBuf,
    },
    /// List the countries and the tones of each (frequencies, levels and cadences).
    List,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Generate {
            country,
            tone,
            seconds,
            output,
        } => generate(&country, &tone, seconds, &output),
        Command::List => {
            list();
            ExitCode::SUCCESS
        }
    }
}

fn country_codes() -> String {
    TonePlan::all()
        .iter()
        .map(|p| p.country)
        .collect::<Vec<_>>()
        .join(", ")
}

fn tone_names() -> String {
    ToneKind::ALL
        .iter()
        .map(|k| k.name())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Usage errors exit with 2, like clap's own.
fn usage_error(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

fn generate(country: &str, tone: &str, seconds: f64, output: &std::path::Path) -> ExitCode {
    let Ok(plan) = TonePlan::for_country(country) else {
        return usage_error(format!(
            "unknown country '{country}'; allowed: {} (UK is accepted for GB)",
            country_codes()
        ));
    };
    let Some(kind) = ToneKind::from_name(tone) else {
        return usage_error(format!("unknown tone '{tone}'; allowed: {}", tone_names()));
    };
    if !(seconds.is_finite() && seconds > 0.0 && seconds <= 3600.0) {
        return usage_error(format!(
            "--seconds {seconds} is out of range; allowed: above 0, at most 3600"
        ));
    }
    let mut generator = match ToneGenerator::new(SAMPLE_RATE, plan.tone(kind)) {
        Ok(g) => g,
        Err(e) => {
            eprintln!("error: {} {}: {e}", plan.country, kind.name());
            return ExitCode::FAILURE;
        }
    };
    let total = (seconds * f64::from(SAMPLE_RATE)).round() as usize;
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: SAMPLE_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let result = (|| -> Result<(), hound::Error> {
        let mut writer = hound::WavWriter::create(output, spec)?;
        let mut frame = [0i16; 80];
        let mut left = total;
        while left > 0 {
            let n = left.min(frame.len());
            generator.generate(&mut frame[..n]);
            for &s in &frame[..n] {
                writer.write_sample(s)?;
            }
            left -= n;
        }
        writer.finalize()
    })();
    match result {
        Ok(()) => {
            println!(
                "{}: {} {} tone, {total} samples ({seconds} s) at {SAMPLE_RATE} Hz",
                output.display(),
                plan.country,
                kind.name()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: writing {}: {e}", output.display());
            ExitCode::FAILURE
        }
    }
}

fn list() {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    for plan in TonePlan::all() {
        let ring: Vec<String> = plan.ring_cadence_ms.iter().map(|ms| format!("{ms}")).collect();
        let mut text = format!(
            "{} ({}): ring {} ms at {} Hz\n",
            plan.country,
            plan.name,
            ring.join("/"),
            plan.ring_frequency_hz
        );
        for kind in ToneKind::ALL {
            text.push_str(&format!("  {:<13} {}\n", kind.name(), describe(plan.tone(kind))));
        }
        // A closed pipe (`tones list | head`) just ends the listing.
        if out.write_all(text.as_bytes()).is_err() {
            return;
        }
    }
}

/// A tone in the notation of tones-and-ringing.md §2: `f1+f2@level/ms`,
/// `f1*f2` for AM, `0/ms` silence, `!` for steps played once.
fn describe(tone: &fxs_tones::Tone) -> String {
    use fxs_tones::ToneSound;
    let from = tone.repeat_from.map_or(usize::MAX, usize::from);
    let steps: Vec<String> = tone
        .used_steps()
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let sound = match step.sound {
                ToneSound::Silence => "0".to_string(),
                ToneSound::Modulated {
                    carrier,
                    modulator,
                    level,
                    ..
                } => format!("{carrier}*{modulator}@{}", level.0),
                s => s
                    .components()
                    .iter()
                    .map(|(f, l)| format!("{f}@{}", l.0))
                    .collect::<Vec<_>>()
                    .join("+"),
            };
            let once = if i < from && step.duration_ms > 0 { "!" } else { "" };
            match step.duration_ms {
                0 => format!("{once}{sound}"),
                ms => format!("{once}{sound}/{ms}"),
            }
        })
        .collect();
    steps.join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use fxs_tones::measure_tone;

    fn read(path: &std::path::Path) -> (hound::WavSpec, Vec<i16>) {
        let mut r = hound::WavReader::open(path).unwrap();
        let samples = r.samples::<i16>().map(Result::unwrap).collect();
        (r.spec(), samples)
    }

    #[test]
    fn generated_wav_measures_as_the_plan_tone() {
        let dir = std::env::temp_dir().join(format!("fxs-tones-example-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("de-busy.wav");
        assert_eq!(generate("de", "busy", 2.0, &path), ExitCode::SUCCESS);
        let (spec, x) = read(&path);
        assert_eq!(
            (spec.sample_rate, spec.channels, spec.bits_per_sample),
            (8000, 1, 16)
        );
        assert_eq!(x.len(), 16_000);
        // DE busy: 425 Hz at -16 dBm0, 0.48 s on: measure inside the first burst.
        let m = measure_tone(&x[400..3600], 8000).unwrap();
        assert!((m.freq_hz - 425.0).abs() < 2.0, "{m:?}");
        assert!((m.level.0 - -16.0).abs() < 0.5, "{m:?}");
        // And off in the gap.
        assert!(x[4200..7400].iter().all(|&s| s == 0));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn bad_names_and_lengths_are_refused_with_exit_code_2() {
        let path = std::env::temp_dir().join("fxs-tones-example-never-written.wav");
        assert_eq!(generate("XX", "busy", 1.0, &path), ExitCode::from(2));
        assert_eq!(generate("US", "ring", 1.0, &path), ExitCode::from(2));
        assert_eq!(generate("US", "busy", 0.0, &path), ExitCode::from(2));
        assert_eq!(generate("US", "busy", f64::NAN, &path), ExitCode::from(2));
        assert!(!path.exists());
    }

    #[test]
    fn every_listed_tone_name_is_accepted() {
        for kind in ToneKind::ALL {
            assert_eq!(ToneKind::from_name(kind.name()), Some(kind));
        }
        assert!(tone_names().contains("call_waiting"));
        assert!(country_codes().contains("GB"));
    }
}
