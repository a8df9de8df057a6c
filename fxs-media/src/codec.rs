//! Codec identities and the encoder/decoder traits.

use core::fmt;
use core::str::FromStr;

use crate::Error;
use crate::g711::G711Law;

/// An audio codec this crate can encode and decode.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Codec {
    /// G.711 µ-law, static payload type 0 (RFC 3551 Table 4).
    Pcmu,
    /// G.711 A-law, static payload type 8 (RFC 3551 Table 4).
    Pcma,
}

impl Codec {
    /// Every codec this crate implements, in our default preference order.
    pub const ALL: &'static [Codec] = &[Codec::Pcmu, Codec::Pcma];

    /// Encoding name as used in SDP `a=rtpmap` (RFC 3551 Table 4).
    pub fn sdp_name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
        }
    }

    /// Static RTP payload type (RFC 3551 Table 4), if the codec has one.
    pub fn static_payload_type(self) -> Option<u8> {
        match self {
            Codec::Pcmu => Some(0),
            Codec::Pcma => Some(8),
        }
    }

    /// RTP clock rate in Hz (RFC 3551 Table 4).
    pub fn clock_rate(self) -> u32 {
        match self {
            Codec::Pcmu | Codec::Pcma => 8000,
        }
    }

    /// The codec with this SDP encoding name, compared case-insensitively.
    pub fn from_sdp_name(name: &str) -> Option<Codec> {
        Codec::ALL
            .iter()
            .copied()
            .find(|codec| codec.sdp_name().eq_ignore_ascii_case(name))
    }

    /// The codec a static payload type stands for (RFC 3551 Table 4), if we implement it.
    pub fn from_static_payload_type(payload_type: u8) -> Option<Codec> {
        Codec::ALL
            .iter()
            .copied()
            .find(|codec| codec.static_payload_type() == Some(payload_type))
    }

    /// Octets of payload that `samples` samples (at the RTP clock) encode to.
    pub fn encoded_len(self, samples: usize) -> usize {
        match self {
            Codec::Pcmu | Codec::Pcma => samples,
        }
    }

    /// A new encoder for this codec. Allocates; call it when a stream is set
    /// up, not per frame.
    pub fn encoder(self) -> Box<dyn AudioEncoder + Send> {
        Box::new(G711Encoder::for_codec(self))
    }

    /// A new decoder for this codec. Allocates; call it when a stream is set
    /// up, not per frame.
    pub fn decoder(self) -> Box<dyn AudioDecoder + Send> {
        Box::new(G711Decoder::for_codec(self))
    }

    fn g711_law(self) -> G711Law {
        match self {
            Codec::Pcmu => G711Law::MuLaw,
            Codec::Pcma => G711Law::ALaw,
        }
    }
}

impl fmt::Display for Codec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.sdp_name())
    }
}

impl FromStr for Codec {
    type Err = Error;

    /// Parses an SDP encoding name; [`Error::UnsupportedCodec`] names it if unknown.
    fn from_str(name: &str) -> Result<Codec, Error> {
        Codec::from_sdp_name(name).ok_or_else(|| Error::UnsupportedCodec(name.to_owned()))
    }
}

/// Turns linear PCM at the codec's sample rate into codec payload.
pub trait AudioEncoder {
    /// The codec this encoder produces.
    fn codec(&self) -> Codec;
    /// Encodes as much of `pcm` as fits in `out`; returns the octets written.
    /// Called per frame: implementations do not allocate.
    fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize;
}

/// Turns codec payload into linear PCM at the codec's sample rate.
pub trait AudioDecoder {
    /// The codec this decoder consumes.
    fn codec(&self) -> Codec;
    /// Decodes as much of `payload` as fits in `out`; returns the samples written.
    /// Called per frame: implementations do not allocate.
    fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> usize;
}

/// G.711 encoder (stateless: one octet per sample).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct G711Encoder {
    law: G711Law,
}

impl G711Encoder {
    /// An encoder for the given law.
    pub fn new(law: G711Law) -> G711Encoder {
        G711Encoder { law }
    }

    fn for_codec(codec: Codec) -> G711Encoder {
        G711Encoder::new(codec.g711_law())
    }
}

impl AudioEncoder for G711Encoder {
    fn codec(&self) -> Codec {
        law_codec(self.law)
    }

    fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize {
        self.law.encode(pcm, out)
    }
}

/// G.711 decoder (stateless: one sample per octet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct G711Decoder {
    law: G711Law,
}

impl G711Decoder {
    /// A decoder for the given law.
    pub fn new(law: G711Law) -> G711Decoder {
        G711Decoder { law }
    }

    fn for_codec(codec: Codec) -> G711Decoder {
        G711Decoder::new(codec.g711_law())
    }
}

impl AudioDecoder for G711Decoder {
    fn codec(&self) -> Codec {
        law_codec(self.law)
    }

    fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> usize {
        self.law.decode(payload, out)
    }
}

fn law_codec(law: G711Law) -> Codec {
    match law {
        G711Law::MuLaw => Codec::Pcmu,
        G711Law::ALaw => Codec::Pcma,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn sdp_names_and_payload_types_follow_rfc3551() {
        assert_eq!(Codec::Pcmu.sdp_name(), "PCMU");
        assert_eq!(Codec::Pcma.sdp_name(), "PCMA");
        assert_eq!(Codec::Pcmu.static_payload_type(), Some(0));
        assert_eq!(Codec::Pcma.static_payload_type(), Some(8));
        assert_eq!(Codec::Pcmu.clock_rate(), 8000);
        assert_eq!(Codec::Pcma.clock_rate(), 8000);
        assert_eq!(Codec::from_static_payload_type(8), Some(Codec::Pcma));
        assert_eq!(Codec::from_static_payload_type(18), None);
    }

    #[test]
    fn sdp_name_lookup_ignores_case_and_rejects_unknown() {
        assert_eq!(Codec::from_sdp_name("pcmu"), Some(Codec::Pcmu));
        assert_eq!(Codec::from_sdp_name("PcMa"), Some(Codec::Pcma));
        assert_eq!(Codec::from_sdp_name("G729"), None);
        assert_eq!(
            "opus".parse::<Codec>(),
            Err(Error::UnsupportedCodec("opus".into()))
        );
        assert_eq!("PCMA".parse::<Codec>(), Ok(Codec::Pcma));
        assert_eq!(Codec::Pcmu.to_string(), "PCMU");
    }

    #[test]
    fn boxed_coders_report_their_codec_and_use_the_right_law() {
        for &codec in Codec::ALL {
            let mut enc = codec.encoder();
            let mut dec = codec.decoder();
            assert_eq!(enc.codec(), codec);
            assert_eq!(dec.codec(), codec);
            let mut payload = [0u8; 4];
            assert_eq!(enc.encode(&[0, 0, 0, 0], &mut payload), 4);
            let silence = codec.g711_law().silence();
            assert_eq!(payload, [silence; 4]);
            let mut pcm = [1i16; 4];
            assert_eq!(dec.decode(&payload[..3], &mut pcm), 3);
            assert_eq!(codec.encoded_len(80), 80);
        }
    }

    proptest! {
        #[test]
        fn encoder_then_decoder_stays_within_g711_error(pcm in proptest::collection::vec(-32000i16..32000, 0..160)) {
            for &codec in Codec::ALL {
                let mut payload = vec![0u8; pcm.len()];
                let mut back = vec![0i16; pcm.len()];
                prop_assert_eq!(codec.encoder().encode(&pcm, &mut payload), pcm.len());
                prop_assert_eq!(codec.decoder().decode(&payload, &mut back), pcm.len());
                for (&x, &y) in pcm.iter().zip(&back) {
                    // Largest G.711 step is 1024 (µ-law) / 1024 (A-law) at the top segment.
                    prop_assert!((i32::from(x) - i32::from(y)).abs() <= 512 + 8, "{:?}: {} -> {}", codec, x, y);
                }
            }
        }
    }
}
