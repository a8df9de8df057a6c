//! `media encode` / `media decode`: WAV files through the codecs of
//! `fxs-media` (issue 6, item 10).
//!
//! `encode --codec C IN.wav OUT.bin` reads 16-bit mono PCM at the codec's
//! sample rate (16 kHz for G.722, 8 kHz for the others) and writes the raw
//! payload octets, no RTP header; `decode --codec C IN.bin OUT.wav` does the
//! reverse. Both run the codec in 20 ms frames, as a call would. Every
//! failure names the file or the argument at fault.

use std::fmt;
use std::path::{Path, PathBuf};

use fxs_media::{Codec, G726Rate};

/// Frame length the files are cut into, as in a call (`a=ptime:20`).
pub const FRAME_MS: u32 = 20;

/// The codecs the tool knows, by their command-line names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ToolCodec {
    /// G.711 µ-law, 8 kHz.
    Pcmu,
    /// G.711 A-law, 8 kHz.
    Pcma,
    /// G.722 at 64 kbit/s, 16 kHz.
    G722,
    /// G.726 at 16 kbit/s (RFC 3551 packing), 8 kHz.
    #[value(name = "g726-16")]
    G726_16,
    /// G.726 at 24 kbit/s (RFC 3551 packing), 8 kHz.
    #[value(name = "g726-24")]
    G726_24,
    /// G.726 at 32 kbit/s (RFC 3551 packing), 8 kHz.
    #[value(name = "g726-32")]
    G726_32,
    /// G.726 at 40 kbit/s (RFC 3551 packing), 8 kHz.
    #[value(name = "g726-40")]
    G726_40,
}

impl ToolCodec {
    /// The `fxs-media` codec.
    pub fn codec(self) -> Codec {
        match self {
            ToolCodec::Pcmu => Codec::Pcmu,
            ToolCodec::Pcma => Codec::Pcma,
            ToolCodec::G722 => Codec::G722,
            ToolCodec::G726_16 => Codec::g726(G726Rate::Kbps16),
            ToolCodec::G726_24 => Codec::g726(G726Rate::Kbps24),
            ToolCodec::G726_32 => Codec::g726(G726Rate::Kbps32),
            ToolCodec::G726_40 => Codec::g726(G726Rate::Kbps40),
        }
    }

    /// The command-line name (`pcmu`, `g726-32`...).
    pub fn name(self) -> &'static str {
        match self {
            ToolCodec::Pcmu => "pcmu",
            ToolCodec::Pcma => "pcma",
            ToolCodec::G722 => "g722",
            ToolCodec::G726_16 => "g726-16",
            ToolCodec::G726_24 => "g726-24",
            ToolCodec::G726_32 => "g726-32",
            ToolCodec::G726_40 => "g726-40",
        }
    }
}

impl fmt::Display for ToolCodec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why `media encode` or `media decode` fails.
#[derive(Debug, thiserror::Error)]
pub enum MediaToolError {
    /// The input WAV cannot be opened or read.
    #[error("cannot read WAV file {}: {source}", path.display())]
    ReadWav {
        /// The file named on the command line.
        path: PathBuf,
        /// What hound reported.
        source: hound::Error,
    },
    /// The input WAV is not what the codec takes.
    #[error(
        "{}: {found}, but --codec {codec} takes 16-bit mono PCM at {rate} Hz",
        path.display()
    )]
    WrongFormat {
        /// The file named on the command line.
        path: PathBuf,
        /// What the file holds, e.g. "2 channels of 16-bit PCM at 16000 Hz".
        found: String,
        /// The codec given with `--codec`.
        codec: ToolCodec,
        /// The sample rate the codec needs.
        rate: u32,
    },
    /// The input payload file cannot be read.
    #[error("cannot read {}: {source}", path.display())]
    ReadBin {
        /// The file named on the command line.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The output WAV cannot be written.
    #[error("cannot write WAV file {}: {source}", path.display())]
    WriteWav {
        /// The file named on the command line.
        path: PathBuf,
        /// What hound reported.
        source: hound::Error,
    },
    /// The output payload file cannot be written.
    #[error("cannot write {}: {source}", path.display())]
    WriteBin {
        /// The file named on the command line.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// What one run did, for the summary line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// PCM samples read (encode) or written (decode).
    pub samples: usize,
    /// Payload octets written (encode) or read (decode).
    pub octets: usize,
}

/// Encodes a whole PCM signal with `codec` in 20 ms frames.
pub fn encode_pcm(codec: Codec, pcm: &[i16]) -> Vec<u8> {
    let mut encoder = codec.encoder();
    let frame_samples = codec.samples_per_frame(FRAME_MS);
    let mut payload = vec![0u8; codec.octets_per_frame(FRAME_MS)];
    let mut out = Vec::with_capacity(pcm.len());
    for frame in pcm.chunks(frame_samples) {
        let n = encoder.encode(frame, &mut payload);
        out.extend_from_slice(&payload[..n]);
    }
    out
}

/// Decodes a whole payload stream with `codec` in 20 ms frames.
pub fn decode_payload(codec: Codec, payload: &[u8]) -> Vec<i16> {
    let mut decoder = codec.decoder();
    let mut frame = vec![0i16; codec.samples_per_frame(FRAME_MS)];
    let mut out = Vec::with_capacity(frame.len() * (payload.len() / frame.len().max(1) + 1));
    for chunk in payload.chunks(codec.octets_per_frame(FRAME_MS)) {
        let n = decoder.decode(chunk, &mut frame);
        out.extend_from_slice(&frame[..n]);
    }
    out
}

/// Reads a 16-bit mono WAV at the codec's sample rate.
pub fn read_pcm(path: &Path, codec: ToolCodec) -> Result<Vec<i16>, MediaToolError> {
    let read_err = |source| MediaToolError::ReadWav {
        path: path.to_owned(),
        source,
    };
    let reader = hound::WavReader::open(path).map_err(read_err)?;
    let spec = reader.spec();
    let rate = codec.codec().sample_rate();
    if spec.channels != 1
        || spec.bits_per_sample != 16
        || spec.sample_format != hound::SampleFormat::Int
        || spec.sample_rate != rate
    {
        let format = match spec.sample_format {
            hound::SampleFormat::Int => "PCM",
            hound::SampleFormat::Float => "float",
        };
        let channels = if spec.channels == 1 {
            "1 channel".to_owned()
        } else {
            format!("{} channels", spec.channels)
        };
        return Err(MediaToolError::WrongFormat {
            path: path.to_owned(),
            found: format!(
                "{channels} of {}-bit {format} at {} Hz",
                spec.bits_per_sample, spec.sample_rate
            ),
            codec,
            rate,
        });
    }
    reader
        .into_samples::<i16>()
        .collect::<Result<Vec<i16>, _>>()
        .map_err(read_err)
}

/// Writes 16-bit mono PCM at `rate` Hz.
pub fn write_pcm(path: &Path, rate: u32, pcm: &[i16]) -> Result<(), MediaToolError> {
    let write_err = |source| MediaToolError::WriteWav {
        path: path.to_owned(),
        source,
    };
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).map_err(write_err)?;
    let mut samples = writer.get_i16_writer(pcm.len() as u32);
    for &s in pcm {
        samples.write_sample(s);
    }
    samples.flush().map_err(write_err)?;
    writer.finalize().map_err(write_err)
}

/// `media encode --codec C IN.wav OUT.bin`.
pub fn encode_file(codec: ToolCodec, input: &Path, output: &Path) -> Result<Summary, MediaToolError> {
    let pcm = read_pcm(input, codec)?;
    let payload = encode_pcm(codec.codec(), &pcm);
    std::fs::write(output, &payload).map_err(|source| MediaToolError::WriteBin {
        path: output.to_owned(),
        source,
    })?;
    Ok(Summary {
        samples: pcm.len(),
        octets: payload.len(),
    })
}

/// `media decode --codec C IN.bin OUT.wav`.
pub fn decode_file(codec: ToolCodec, input: &Path, output: &Path) -> Result<Summary, MediaToolError> {
    let payload = std::fs::read(input).map_err(|source| MediaToolError::ReadBin {
        path: input.to_owned(),
        source,
    })?;
    let pcm = decode_payload(codec.codec(), &payload);
    write_pcm(output, codec.codec().sample_rate(), &pcm)?;
    Ok(Summary {
        samples: pcm.len(),
        octets: payload.len(),
    })
}
