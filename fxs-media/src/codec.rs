//! Codec identities and the encoder/decoder traits.

use core::fmt;
use core::str::FromStr;

use crate::Error;
use crate::g711::G711Law;
use crate::g722::{G722Decoder, G722Encoder};
use crate::g726::{G726Decoder, G726Encoder, G726Packing, G726Rate};

/// An audio codec this crate can encode and decode.
///
/// Per codec: the SDP encoding name ([`Codec::sdp_name`]), the static payload
/// type if it has one ([`Codec::static_payload_type`]; G.726 is always
/// dynamic), the RTP clock rate ([`Codec::clock_rate`]), the PCM sample rate
/// ([`Codec::sample_rate`], which differs from the clock rate for G.722) and
/// frame sizes ([`Codec::samples_per_frame`], [`Codec::octets_per_frame`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Codec {
    /// G.711 µ-law, static payload type 0 (RFC 3551 Table 4).
    Pcmu,
    /// G.711 A-law, static payload type 8 (RFC 3551 Table 4).
    Pcma,
    /// G.722 at 64 kbit/s, static payload type 9, 16 kHz audio on an 8000 Hz
    /// RTP clock (RFC 3551 §4.5.2, media.md §2).
    G722,
    /// G.726 at one of its four rates with one of the two octet packings;
    /// dynamic payload type, SDP names `G726-32` (RFC 3551 packing) or
    /// `AAL2-G726-32` (AAL2 packing) and so on (media.md §2).
    G726 {
        /// The bit rate.
        rate: G726Rate,
        /// How code words are packed into octets.
        packing: G726Packing,
    },
}

impl Codec {
    /// Every codec this crate implements, in our default preference order.
    pub const ALL: &'static [Codec] = &[
        Codec::Pcmu,
        Codec::Pcma,
        Codec::G722,
        Codec::g726(G726Rate::Kbps32),
        Codec::g726(G726Rate::Kbps24),
        Codec::g726(G726Rate::Kbps40),
        Codec::g726(G726Rate::Kbps16),
        Codec::aal2_g726(G726Rate::Kbps32),
        Codec::aal2_g726(G726Rate::Kbps24),
        Codec::aal2_g726(G726Rate::Kbps40),
        Codec::aal2_g726(G726Rate::Kbps16),
    ];

    /// G.726 at `rate` with the RFC 3551 packing (SDP `G726-<rate>`).
    pub const fn g726(rate: G726Rate) -> Codec {
        Codec::G726 {
            rate,
            packing: G726Packing::Rfc3551,
        }
    }

    /// G.726 at `rate` with the AAL2 packing (SDP `AAL2-G726-<rate>`).
    pub const fn aal2_g726(rate: G726Rate) -> Codec {
        Codec::G726 {
            rate,
            packing: G726Packing::Aal2,
        }
    }

    /// Encoding name as used in SDP `a=rtpmap` (RFC 3551 Table 4 and §4.5.4;
    /// the AAL2 names as registered with IANA).
    pub fn sdp_name(self) -> &'static str {
        match self {
            Codec::Pcmu => "PCMU",
            Codec::Pcma => "PCMA",
            Codec::G722 => "G722",
            Codec::G726 { rate, packing } => match (packing, rate) {
                (G726Packing::Rfc3551, G726Rate::Kbps16) => "G726-16",
                (G726Packing::Rfc3551, G726Rate::Kbps24) => "G726-24",
                (G726Packing::Rfc3551, G726Rate::Kbps32) => "G726-32",
                (G726Packing::Rfc3551, G726Rate::Kbps40) => "G726-40",
                (G726Packing::Aal2, G726Rate::Kbps16) => "AAL2-G726-16",
                (G726Packing::Aal2, G726Rate::Kbps24) => "AAL2-G726-24",
                (G726Packing::Aal2, G726Rate::Kbps32) => "AAL2-G726-32",
                (G726Packing::Aal2, G726Rate::Kbps40) => "AAL2-G726-40",
            },
        }
    }

    /// Static RTP payload type (RFC 3551 Table 4), if the codec has one;
    /// `None` means a dynamic payload type (96-127) must be negotiated.
    pub fn static_payload_type(self) -> Option<u8> {
        match self {
            Codec::Pcmu => Some(0),
            Codec::Pcma => Some(8),
            Codec::G722 => Some(9),
            Codec::G726 { .. } => None,
        }
    }

    /// RTP clock rate in Hz (RFC 3551 Table 4). 8000 for every codec here,
    /// G.722 included although it samples at 16 kHz (RFC 3551 §4.5.2).
    pub fn clock_rate(self) -> u32 {
        match self {
            Codec::Pcmu | Codec::Pcma | Codec::G722 | Codec::G726 { .. } => 8000,
        }
    }

    /// Sample rate in Hz of the linear PCM the encoder takes and the decoder
    /// gives: 16 000 for G.722, 8000 for the others.
    pub fn sample_rate(self) -> u32 {
        match self {
            Codec::G722 => 16_000,
            Codec::Pcmu | Codec::Pcma | Codec::G726 { .. } => 8000,
        }
    }

    /// Bit rate of the payload in bit/s.
    pub fn bit_rate(self) -> u32 {
        match self {
            Codec::Pcmu | Codec::Pcma | Codec::G722 => 64_000,
            Codec::G726 { rate, .. } => rate.bit_rate(),
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

    /// Octets of payload that `samples` samples *at the RTP clock* encode to
    /// (for G.722, 80 clock ticks = 160 PCM samples = 80 octets); a last,
    /// partly filled octet counts.
    pub fn encoded_len(self, samples: usize) -> usize {
        match self {
            Codec::Pcmu | Codec::Pcma | Codec::G722 => samples,
            Codec::G726 { rate, .. } => rate.encoded_len(samples),
        }
    }

    /// PCM samples (at [`Codec::sample_rate`]) in a frame of `frame_ms` ms.
    pub fn samples_per_frame(self, frame_ms: u32) -> usize {
        (u64::from(self.sample_rate()) * u64::from(frame_ms) / 1000) as usize
    }

    /// Payload octets of a frame of `frame_ms` ms (20 ms: 160 for G.711 and
    /// G.722, 80 for G.726-32).
    pub fn octets_per_frame(self, frame_ms: u32) -> usize {
        self.encoded_len(self.timestamp_step(frame_ms) as usize)
    }

    /// RTP timestamp increment of a frame of `frame_ms` ms (20 ms: 160 for
    /// every codec here, G.722 included).
    pub fn timestamp_step(self, frame_ms: u32) -> u32 {
        (u64::from(self.clock_rate()) * u64::from(frame_ms) / 1000) as u32
    }

    /// A new encoder for this codec. Allocates; call it when a stream is set
    /// up, not per frame.
    pub fn encoder(self) -> Box<dyn AudioEncoder + Send> {
        match self {
            Codec::Pcmu => Box::new(G711Encoder::new(G711Law::MuLaw)),
            Codec::Pcma => Box::new(G711Encoder::new(G711Law::ALaw)),
            Codec::G722 => Box::new(G722Encoder::new()),
            Codec::G726 { rate, packing } => Box::new(G726Encoder::new(rate, packing)),
        }
    }

    /// A new decoder for this codec. Allocates; call it when a stream is set
    /// up, not per frame.
    pub fn decoder(self) -> Box<dyn AudioDecoder + Send> {
        match self {
            Codec::Pcmu => Box::new(G711Decoder::new(G711Law::MuLaw)),
            Codec::Pcma => Box::new(G711Decoder::new(G711Law::ALaw)),
            Codec::G722 => Box::new(G722Decoder::new()),
            Codec::G726 { rate, packing } => Box::new(G726Decoder::new(rate, packing)),
        }
    }

    /// The G.711 law of this codec, if it is G.711.
    pub fn g711_law(self) -> Option<G711Law> {
        match self {
            Codec::Pcmu => Some(G711Law::MuLaw),
            Codec::Pcma => Some(G711Law::ALaw),
            Codec::G722 | Codec::G726 { .. } => None,
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

impl AudioEncoder for G722Encoder {
    fn codec(&self) -> Codec {
        Codec::G722
    }

    /// Takes 16 kHz PCM: two samples per octet.
    fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize {
        G722Encoder::encode(self, pcm, out)
    }
}

impl AudioDecoder for G722Decoder {
    fn codec(&self) -> Codec {
        Codec::G722
    }

    /// Gives 16 kHz PCM: two samples per octet.
    fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> usize {
        G722Decoder::decode(self, payload, out)
    }
}

impl AudioEncoder for G726Encoder {
    fn codec(&self) -> Codec {
        Codec::G726 {
            rate: self.rate(),
            packing: self.packing(),
        }
    }

    fn encode(&mut self, pcm: &[i16], out: &mut [u8]) -> usize {
        G726Encoder::encode(self, pcm, out)
    }
}

impl AudioDecoder for G726Decoder {
    fn codec(&self) -> Codec {
        Codec::G726 {
            rate: self.rate(),
            packing: self.packing(),
        }
    }

    fn decode(&mut self, payload: &[u8], out: &mut [i16]) -> usize {
        G726Decoder::decode(self, payload, out)
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
    fn new_codecs_have_their_rfc3551_names_payload_types_and_rates() {
        assert_eq!(Codec::G722.sdp_name(), "G722");
        assert_eq!(Codec::G722.static_payload_type(), Some(9));
        assert_eq!(Codec::G722.clock_rate(), 8000);
        assert_eq!(Codec::G722.sample_rate(), 16_000);
        assert_eq!(Codec::from_static_payload_type(9), Some(Codec::G722));
        let g726_32 = Codec::g726(G726Rate::Kbps32);
        assert_eq!(g726_32.sdp_name(), "G726-32");
        assert_eq!(Codec::aal2_g726(G726Rate::Kbps32).sdp_name(), "AAL2-G726-32");
        assert_eq!(g726_32.static_payload_type(), None);
        assert_eq!(
            Codec::from_sdp_name("g726-16"),
            Some(Codec::g726(G726Rate::Kbps16))
        );
        assert_eq!(
            Codec::from_sdp_name("aal2-G726-40"),
            Some(Codec::aal2_g726(G726Rate::Kbps40))
        );
        assert_eq!(Codec::from_sdp_name("g722"), Some(Codec::G722));
        // Every name in ALL maps back to its codec.
        for &codec in Codec::ALL {
            assert_eq!(Codec::from_sdp_name(codec.sdp_name()), Some(codec));
            assert_eq!(codec.clock_rate(), 8000);
        }
    }

    #[test]
    fn frame_sizes_follow_the_bit_rates() {
        assert_eq!(Codec::Pcmu.octets_per_frame(20), 160);
        assert_eq!(Codec::G722.octets_per_frame(20), 160);
        assert_eq!(Codec::G722.samples_per_frame(20), 320);
        assert_eq!(Codec::G722.timestamp_step(20), 160);
        assert_eq!(Codec::g726(G726Rate::Kbps16).octets_per_frame(20), 40);
        assert_eq!(Codec::g726(G726Rate::Kbps24).octets_per_frame(10), 30);
        assert_eq!(Codec::g726(G726Rate::Kbps32).octets_per_frame(20), 80);
        assert_eq!(Codec::g726(G726Rate::Kbps40).octets_per_frame(20), 100);
        assert_eq!(Codec::g726(G726Rate::Kbps40).bit_rate(), 40_000);
        assert_eq!(Codec::G722.bit_rate(), 64_000);
    }

    #[test]
    fn boxed_coders_report_their_codec_and_fill_a_frame() {
        for &codec in Codec::ALL {
            let mut enc = codec.encoder();
            let mut dec = codec.decoder();
            assert_eq!(enc.codec(), codec);
            assert_eq!(dec.codec(), codec);
            let pcm = vec![0i16; codec.samples_per_frame(10)];
            let mut payload = vec![0u8; codec.octets_per_frame(10)];
            assert_eq!(enc.encode(&pcm, &mut payload), payload.len(), "{codec}");
            if let Some(law) = codec.g711_law() {
                assert!(payload.iter().all(|&o| o == law.silence()));
            }
            let mut back = vec![1i16; pcm.len()];
            assert_eq!(dec.decode(&payload, &mut back), pcm.len(), "{codec}");
        }
    }

    proptest! {
        #[test]
        fn encoder_then_decoder_stays_within_g711_error(pcm in proptest::collection::vec(-32000i16..32000, 0..160)) {
            for codec in [Codec::Pcmu, Codec::Pcma] {
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
