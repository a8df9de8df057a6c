//! `media echo-cancel`: remove the line echo from a recording (issue 6,
//! item 10).
//!
//! ```text
//! cargo run --release --example media -- echo-cancel --far FAR.wav --near NEAR.wav --tail-ms 128 -o OUT.wav
//! ```
//!
//! `FAR.wav` is what was sent to the line, `NEAR.wav` what came back from it
//! in the same sample clock (local speech plus the echo of the far end);
//! `OUT.wav` is the near signal with the echo removed by
//! [`fxs_media::echo::EchoCanceller`]. All three are 16-bit mono 8 kHz WAV
//! files. Errors name the file at fault.

use std::path::{Path, PathBuf};

use fxs_media::FRAME_SAMPLES;
use fxs_media::echo::{EchoCanceller, EchoConfig, EchoStats};

/// Sample rate the canceller works at.
const RATE: u32 = 8000;

/// Arguments of `echo-cancel`.
#[derive(clap::Args, Debug, Clone)]
pub struct EchoCancelArgs {
    /// What was sent to the line (16-bit mono 8 kHz WAV).
    #[arg(long)]
    pub far: PathBuf,
    /// What came back from the line: local speech plus echo (same format and length).
    #[arg(long)]
    pub near: PathBuf,
    /// Echo tail to cover, 16 to 128 ms.
    #[arg(long, default_value_t = 128)]
    pub tail_ms: u32,
    /// Output: the near signal with the echo removed.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Switch off the non-linear processor (linear cancellation only).
    #[arg(long)]
    pub no_nlp: bool,
}

/// What can go wrong in `echo-cancel`; each variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum EchoToolError {
    /// A WAV file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    ReadWav {
        /// The file.
        path: PathBuf,
        /// What hound reported.
        source: hound::Error,
    },
    /// A WAV file is not 16-bit mono PCM at 8 kHz.
    #[error("{}: {found}; echo-cancel needs 16-bit mono PCM at 8000 Hz", path.display())]
    WrongFormat {
        /// The file.
        path: PathBuf,
        /// What it is instead, e.g. "2 channels" or "16000 Hz".
        found: String,
    },
    /// The far and near files have different lengths.
    #[error(
        "{} has {far_samples} samples but {} has {near_samples}: far and near must be recorded on the same clock",
        far.display(),
        near.display()
    )]
    LengthMismatch {
        /// The far-end file.
        far: PathBuf,
        /// Its length in samples.
        far_samples: usize,
        /// The near-end file.
        near: PathBuf,
        /// Its length in samples.
        near_samples: usize,
    },
    /// The canceller refused the configuration (tail length).
    #[error("--tail-ms: {0}")]
    Config(#[from] fxs_media::Error),
    /// The output could not be written.
    #[error("cannot write {}: {source}", path.display())]
    WriteWav {
        /// The file.
        path: PathBuf,
        /// What hound reported.
        source: hound::Error,
    },
}

/// What one run did.
#[derive(Clone, Copy, Debug)]
pub struct EchoSummary {
    /// Samples processed.
    pub samples: usize,
    /// The canceller's state at the end.
    pub stats: EchoStats,
}

/// Reads a 16-bit mono 8 kHz WAV file.
pub fn read_wav(path: &Path) -> Result<Vec<i16>, EchoToolError> {
    let read_err = |source| EchoToolError::ReadWav {
        path: path.to_path_buf(),
        source,
    };
    let reader = hound::WavReader::open(path).map_err(read_err)?;
    let spec = reader.spec();
    let found = if spec.channels != 1 {
        Some(format!("{} channels", spec.channels))
    } else if spec.sample_format != hound::SampleFormat::Int || spec.bits_per_sample != 16 {
        Some(format!(
            "{}-bit {:?} samples",
            spec.bits_per_sample, spec.sample_format
        ))
    } else if spec.sample_rate != RATE {
        Some(format!("{} Hz", spec.sample_rate))
    } else {
        None
    };
    if let Some(found) = found {
        return Err(EchoToolError::WrongFormat {
            path: path.to_path_buf(),
            found,
        });
    }
    reader
        .into_samples::<i16>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_err)
}

/// Writes a 16-bit mono 8 kHz WAV file.
pub fn write_wav(path: &Path, samples: &[i16]) -> Result<(), EchoToolError> {
    let write_err = |source| EchoToolError::WriteWav {
        path: path.to_path_buf(),
        source,
    };
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).map_err(write_err)?;
    for &s in samples {
        writer.write_sample(s).map_err(write_err)?;
    }
    writer.finalize().map_err(write_err)
}

/// Removes the echo of `far` from `near` (equal lengths), 10 ms at a time;
/// the last partial frame is padded with silence for the canceller.
pub fn cancel(far: &[i16], near: &[i16], config: EchoConfig) -> Result<(Vec<i16>, EchoStats), EchoToolError> {
    let mut ec = EchoCanceller::new(config)?;
    let mut out = Vec::with_capacity(near.len());
    let mut far_frame = [0i16; FRAME_SAMPLES];
    let mut near_frame = [0i16; FRAME_SAMPLES];
    for (f, n) in far.chunks(FRAME_SAMPLES).zip(near.chunks(FRAME_SAMPLES)) {
        far_frame.fill(0);
        near_frame.fill(0);
        far_frame[..f.len()].copy_from_slice(f);
        near_frame[..n.len()].copy_from_slice(n);
        ec.process(&far_frame, &mut near_frame);
        out.extend_from_slice(&near_frame[..n.len()]);
    }
    Ok((out, ec.stats()))
}

/// The whole tool: read both files, check they match, cancel, write.
pub fn echo_cancel_file(args: &EchoCancelArgs) -> Result<EchoSummary, EchoToolError> {
    let config = EchoConfig {
        tail_ms: args.tail_ms,
        nlp: !args.no_nlp,
        ..EchoConfig::default()
    };
    config.validate()?;
    let far = read_wav(&args.far)?;
    let near = read_wav(&args.near)?;
    if far.len() != near.len() {
        return Err(EchoToolError::LengthMismatch {
            far: args.far.clone(),
            far_samples: far.len(),
            near: args.near.clone(),
            near_samples: near.len(),
        });
    }
    let (out, stats) = cancel(&far, &near, config)?;
    write_wav(&args.output, &out)?;
    Ok(EchoSummary {
        samples: out.len(),
        stats,
    })
}

/// Runs `echo-cancel`; the line to print on success.
pub fn run(args: &EchoCancelArgs) -> Result<String, EchoToolError> {
    let s = echo_cancel_file(args)?;
    Ok(format!(
        "cancelled echo in {} samples ({:.1} s), tail {} ms: ERLE estimate {:.1} dB, converged {}, disabled by tone {}: {}",
        s.samples,
        s.samples as f32 / RATE as f32,
        args.tail_ms,
        s.stats.erle_db,
        s.stats.converged,
        s.stats.disabled_by_tone,
        args.output.display()
    ))
}
