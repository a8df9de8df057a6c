//! `dtmf detect` / `dtmf generate`: DTMF digits in and out of WAV files
//! (issue 4, item 7), on `fxs-tones`' [`DtmfDetector`] and [`DtmfGenerator`].
//!
//! `detect FILE.wav` prints one line per digit, `DIGIT START_MS END_MS`
//! ([`DetectedDigit`]'s `Display`); `generate DIGITS -o FILE.wav` writes
//! the digits as 16-bit mono PCM at 8 kHz. Every failure names the file or
//! the argument at fault.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fxs_tones::{Dbm0, Digit, DtmfDetector, DtmfEvent, DtmfGenerator, DtmfGeneratorConfig, FRAME_SAMPLES};

/// Sample rate of the generated files.
pub const WAV_RATE: u32 = 8000;

/// Why `dtmf detect` or `dtmf generate` fails.
#[derive(Debug, thiserror::Error)]
pub enum DtmfToolError {
    /// The input WAV cannot be opened or read.
    #[error("cannot read WAV file {}: {source}", path.display())]
    ReadWav {
        /// The file.
        path: PathBuf,
        /// What hound reported.
        source: hound::Error,
    },
    /// The input WAV is not 16-bit integer mono PCM at 8 or 16 kHz.
    #[error("WAV file {} is {found}; need 16-bit mono PCM at 8000 or 16000 Hz", path.display())]
    WavFormat {
        /// The file.
        path: PathBuf,
        /// What the file holds, e.g. "2 channels".
        found: String,
    },
    /// The output WAV cannot be written.
    #[error("cannot write WAV file {}: {source}", path.display())]
    WriteWav {
        /// The file.
        path: PathBuf,
        /// What hound reported.
        source: hound::Error,
    },
    /// `DIGITS` holds a character that is not a DTMF key.
    #[error("DIGITS: {0:?} is not a DTMF digit (use 0-9, *, #, A-D)")]
    BadDigit(char),
    /// `DIGITS` is empty.
    #[error("DIGITS: no digit given")]
    NoDigits,
    /// An option is out of range.
    #[error("{option}: {reason}")]
    BadOption {
        /// The option, e.g. `--twist-db`.
        option: &'static str,
        /// Why it is refused.
        reason: String,
    },
}

/// How `generate` plays the digits.
#[derive(Clone, Debug, PartialEq)]
pub struct GenerateOptions {
    /// Level of the low-group tone, dBm0 (default -10).
    pub level_dbm0: f32,
    /// High tone level minus low tone level, dB (default +2).
    pub twist_db: f32,
    /// Tone-on time per digit, ms (default 70).
    pub on_ms: u32,
    /// Pause after each digit, ms (default 70).
    pub off_ms: u32,
}

impl Default for GenerateOptions {
    /// The generator defaults of dtmf.md §2: -10 dBm0, +2 dB, 70/70 ms.
    fn default() -> Self {
        let c = DtmfGeneratorConfig::default();
        GenerateOptions {
            level_dbm0: c.level.0,
            twist_db: c.twist_db,
            on_ms: 70,
            off_ms: 70,
        }
    }
}

/// Renders `digits` as 8 kHz PCM: each digit's tone and pause, nothing
/// before the first digit.
pub fn generate(digits: &str, options: &GenerateOptions) -> Result<Vec<i16>, DtmfToolError> {
    let keys: Vec<Digit> = digits
        .chars()
        .map(|c| Digit::from_char(c).ok_or(DtmfToolError::BadDigit(c)))
        .collect::<Result<_, _>>()?;
    if keys.is_empty() {
        return Err(DtmfToolError::NoDigits);
    }
    let config = DtmfGeneratorConfig {
        sample_rate: WAV_RATE,
        level: Dbm0(options.level_dbm0),
        twist_db: options.twist_db,
        on: Duration::from_millis(u64::from(options.on_ms)),
        off: Duration::from_millis(u64::from(options.off_ms)),
    };
    let mut generator = DtmfGenerator::new(config).map_err(|e| config_error(&e))?;
    let mut out = Vec::new();
    let mut frame = [0i16; FRAME_SAMPLES];
    let mut next = keys.iter();
    loop {
        // Keep the generator's fixed queue topped up.
        while generator.queued() < 4 {
            match next.next() {
                Some(&d) => generator.push(d).map_err(|e| config_error(&e))?,
                None => break,
            }
        }
        if generator.is_idle() {
            break;
        }
        generator.generate(&mut frame);
        out.extend_from_slice(&frame);
    }
    Ok(out)
}

/// Names the command-line option behind a generator configuration error.
fn config_error(e: &fxs_tones::Error) -> DtmfToolError {
    let option = match e {
        fxs_tones::Error::InvalidConfig { field: "level", .. } => "--level-dbm0",
        fxs_tones::Error::InvalidConfig {
            field: "twist_db", ..
        } => "--twist-db",
        fxs_tones::Error::InvalidConfig { field: "on", .. } => "--on-ms",
        fxs_tones::Error::InvalidConfig { field: "off", .. } => "--off-ms",
        _ => "DIGITS",
    };
    DtmfToolError::BadOption {
        option,
        reason: e.to_string(),
    }
}

/// Writes 8 kHz 16-bit mono PCM to `path`.
pub fn write_wav(path: &Path, samples: &[i16]) -> Result<(), DtmfToolError> {
    let write_err = |source| DtmfToolError::WriteWav {
        path: path.to_path_buf(),
        source,
    };
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: WAV_RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(write_err)?;
    for &s in samples {
        w.write_sample(s).map_err(write_err)?;
    }
    w.finalize().map_err(write_err)
}

/// Reads a 16-bit mono PCM WAV at 8 or 16 kHz; returns the samples and
/// the sample rate.
pub fn read_wav(path: &Path) -> Result<(Vec<i16>, u32), DtmfToolError> {
    let read_err = |source| DtmfToolError::ReadWav {
        path: path.to_path_buf(),
        source,
    };
    let reader = hound::WavReader::open(path).map_err(read_err)?;
    let spec = reader.spec();
    let found = if spec.channels != 1 {
        Some(format!("{} channels", spec.channels))
    } else if spec.sample_format != hound::SampleFormat::Int || spec.bits_per_sample != 16 {
        Some(format!("{}-bit {:?}", spec.bits_per_sample, spec.sample_format))
    } else if spec.sample_rate != 8000 && spec.sample_rate != 16_000 {
        Some(format!("{} Hz", spec.sample_rate))
    } else {
        None
    };
    if let Some(found) = found {
        return Err(DtmfToolError::WavFormat {
            path: path.to_path_buf(),
            found,
        });
    }
    let samples = reader
        .into_samples::<i16>()
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_err)?;
    Ok((samples, spec.sample_rate))
}

/// One detected digit: the line `detect` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DetectedDigit {
    /// The key.
    pub digit: Digit,
    /// Start, ms from the beginning of the file (10 ms accuracy).
    pub start_ms: u64,
    /// End (exclusive), ms from the beginning of the file.
    pub end_ms: u64,
}

impl fmt::Display for DetectedDigit {
    /// `DIGIT START_MS END_MS`, e.g. `5 120 190`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.digit.as_char(), self.start_ms, self.end_ms)
    }
}

/// Finds the digits in `samples` (at `sample_rate`, 8000 or 16000 Hz),
/// in 10 ms frames; a digit still sounding at the end of the samples ends
/// there.
pub fn detect(samples: &[i16], sample_rate: u32) -> Result<Vec<DetectedDigit>, DtmfToolError> {
    let mut detector = DtmfDetector::new(sample_rate).map_err(|e| DtmfToolError::BadOption {
        option: "FILE",
        reason: e.to_string(),
    })?;
    let ms = |sample: u64| sample * 1000 / u64::from(sample_rate);
    let mut found = Vec::new();
    let frame = (sample_rate / 100) as usize;
    let mut collect = |d: &mut DtmfDetector| {
        while let Some(e) = d.poll_event() {
            if let DtmfEvent::End { digit, start, end } = e {
                found.push(DetectedDigit {
                    digit,
                    start_ms: ms(start),
                    end_ms: ms(end),
                });
            }
        }
    };
    for chunk in samples.chunks(frame) {
        detector.process(chunk);
        collect(&mut detector);
    }
    // Silence after the end lets a digit held to the last sample end.
    let silence = vec![0i16; frame];
    for _ in 0..5 {
        detector.process(&silence);
        collect(&mut detector);
    }
    let total_ms = ms(samples.len() as u64);
    for d in &mut found {
        d.end_ms = d.end_ms.min(total_ms);
    }
    Ok(found)
}

/// `detect FILE.wav`: the lines to print.
pub fn detect_file(path: &Path) -> Result<Vec<DetectedDigit>, DtmfToolError> {
    let (samples, rate) = read_wav(path)?;
    detect(&samples, rate)
}

/// `generate DIGITS -o FILE.wav`.
pub fn generate_file(digits: &str, options: &GenerateOptions, path: &Path) -> Result<(), DtmfToolError> {
    let samples = generate(digits, options)?;
    write_wav(path, &samples)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detected_digit_prints_digit_start_end() {
        let d = DetectedDigit {
            digit: Digit::Hash,
            start_ms: 140,
            end_ms: 210,
        };
        assert_eq!(d.to_string(), "# 140 210");
    }

    #[test]
    fn bad_digit_is_named() {
        let e = generate("12x", &GenerateOptions::default()).unwrap_err();
        assert!(matches!(e, DtmfToolError::BadDigit('x')), "{e}");
        assert!(matches!(
            generate("", &GenerateOptions::default()),
            Err(DtmfToolError::NoDigits)
        ));
    }

    #[test]
    fn bad_options_name_the_option() {
        let opts = GenerateOptions {
            twist_db: 40.0,
            ..Default::default()
        };
        let e = generate("1", &opts).unwrap_err();
        assert!(e.to_string().starts_with("--twist-db:"), "{e}");
        let opts = GenerateOptions {
            on_ms: 0,
            ..Default::default()
        };
        assert!(
            generate("1", &opts)
                .unwrap_err()
                .to_string()
                .starts_with("--on-ms:")
        );
        let opts = GenerateOptions {
            level_dbm0: 5.0,
            ..Default::default()
        };
        assert!(
            generate("1", &opts)
                .unwrap_err()
                .to_string()
                .starts_with("--level-dbm0:")
        );
    }
}
