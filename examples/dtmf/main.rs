//! `dtmf`: find DTMF digits in a WAV file, or write digits to one (issue 4,
//! item 7).
//!
//! ```text
//! cargo run --release --example dtmf -- detect FILE.wav
//! cargo run --release --example dtmf -- generate DIGITS -o FILE.wav [--level-dbm0 L] [--twist-db T] [--on-ms D] [--off-ms P]
//! ```
//!
//! `detect` prints one line per digit, `DIGIT START_MS END_MS`; `generate`
//! writes 16-bit mono PCM at 8 kHz. Errors name the file or argument at
//! fault and exit with status 2.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use fxs_examples::tools::dtmf::{self, GenerateOptions};

/// Detect or generate DTMF digits in 16-bit mono WAV files.
#[derive(Parser, Debug)]
#[command(
    name = "dtmf",
    version,
    about = "Detect or generate DTMF digits in 16-bit mono WAV files"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print one line per digit found in FILE.wav (16-bit mono, 8 or 16 kHz):
    /// `DIGIT START_MS END_MS`.
    Detect {
        /// The WAV file to scan.
        file: PathBuf,
    },
    /// Write DIGITS (0-9, *, #, A-D) as DTMF to an 8 kHz 16-bit mono WAV.
    Generate(GenerateArgs),
}

#[derive(Args, Debug)]
struct GenerateArgs {
    /// The digits to play, e.g. 0123456789*#ABCD.
    digits: String,
    /// Output WAV file.
    #[arg(short = 'o', long = "output", value_name = "FILE.wav")]
    output: PathBuf,
    /// Level of the low-group tone in dBm0 (0 dBm0 = a sine of peak 22 826).
    #[arg(long, value_name = "L", default_value_t = -10.0, allow_negative_numbers = true)]
    level_dbm0: f32,
    /// Twist in dB: high-group tone level minus low-group tone level.
    #[arg(long, value_name = "T", default_value_t = 2.0, allow_negative_numbers = true)]
    twist_db: f32,
    /// Tone-on time per digit in milliseconds.
    #[arg(long, value_name = "D", default_value_t = 70)]
    on_ms: u32,
    /// Silence after each digit in milliseconds.
    #[arg(long, value_name = "P", default_value_t = 70)]
    off_ms: u32,
}

fn run(command: &Command) -> Result<(), Box<dyn std::error::Error>> {
    match command {
        Command::Detect { file } => {
            let digits = dtmf::detect_file(file)?;
            let mut out = std::io::stdout().lock();
            for d in digits {
                // A closed pipe (`| head`) is not an error worth a message.
                if writeln!(out, "{d}").is_err() {
                    break;
                }
            }
        }
        Command::Generate(a) => {
            let options = GenerateOptions {
                level_dbm0: a.level_dbm0,
                twist_db: a.twist_db,
                on_ms: a.on_ms,
                off_ms: a.off_ms,
            };
            dtmf::generate_file(&a.digits, &options, &a.output)?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli.command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dtmf: {e}");
            ExitCode::from(2)
        }
    }
}
