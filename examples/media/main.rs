//! `media`: codec files in and out (issue 6, item 10).
//!
//! ```text
//! cargo run --release --example media -- encode --codec g722 in-16k.wav out.bin
//! cargo run --release --example media -- decode --codec g726-32 in.bin out.wav
//! ```
//!
//! Codecs: `pcmu`, `pcma`, `g722`, `g726-16`, `g726-24`, `g726-32`,
//! `g726-40`. WAV files are 16-bit mono PCM, 16 kHz for G.722 and 8 kHz for
//! the others; `.bin` files are raw payload octets (G.726 in the RFC 3551
//! packing). Errors name the file or argument at fault and exit with status 2.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use fxs_examples::tools::echo;
use fxs_examples::tools::media::{self, ToolCodec};

/// Encode and decode audio files with the fxs-media codecs.
#[derive(Parser, Debug)]
#[command(
    name = "media",
    version,
    about = "Encode and decode audio files with the fxs-media codecs"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// One subcommand per tool action; each variant's arguments live in its own
/// struct and `run` has one arm per variant (add a tool action there).
#[derive(Subcommand, Debug)]
enum Command {
    /// Encode a 16-bit mono WAV (16 kHz for g722, 8 kHz otherwise) into raw codec octets.
    Encode(CodecFiles),
    /// Decode raw codec octets into a 16-bit mono WAV.
    Decode(CodecFiles),
    /// Remove the echo of --far from --near (16-bit mono 8 kHz WAVs) into -o.
    EchoCancel(echo::EchoCancelArgs),
}

/// `--codec C IN OUT`, shared by encode and decode.
#[derive(Args, Debug)]
struct CodecFiles {
    /// The codec.
    #[arg(long, value_enum)]
    codec: ToolCodec,
    /// Input file (.wav to encode, .bin to decode).
    input: PathBuf,
    /// Output file (.bin when encoding, .wav when decoding).
    output: PathBuf,
}

/// Runs one subcommand; the line to print on success.
fn run(command: &Command) -> Result<String, Box<dyn std::error::Error>> {
    Ok(match command {
        Command::Encode(a) => {
            let s = media::encode_file(a.codec, &a.input, &a.output)?;
            format!(
                "encoded {} samples with {} into {} octets: {}",
                s.samples,
                a.codec,
                s.octets,
                a.output.display()
            )
        }
        Command::EchoCancel(a) => echo::run(a)?,
        Command::Decode(a) => {
            let s = media::decode_file(a.codec, &a.input, &a.output)?;
            format!(
                "decoded {} octets of {} into {} samples: {}",
                s.octets,
                a.codec,
                s.samples,
                a.output.display()
            )
        }
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli.command) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("media: {e}");
            ExitCode::from(2)
        }
    }
}
