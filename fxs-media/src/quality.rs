//! Call quality estimate by the ITU-T G.107 E-model (media.md §8): an R
//! factor from packet loss (burst-aware), one-way delay and the codec's
//! equipment impairment, and the MOS it maps to.
//!
//! Only the impairments a media stream can observe are modelled; the other
//! G.107 inputs keep their defaults, which give R = 93.2 with no impairment.

use crate::Codec;

/// R with every G.107 input at its default (media.md §8).
pub const DEFAULT_R: f32 = 93.2;

/// A codec's equipment impairment factor and packet-loss robustness
/// (media.md §8, from ITU-T G.113 Appendix I).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CodecImpairment {
    /// Equipment impairment factor Ie.
    pub ie: f32,
    /// Packet-loss robustness factor Bpl.
    pub bpl: f32,
}

impl CodecImpairment {
    /// G.711 with packet-loss concealment: Ie 0, Bpl 25.1.
    pub const G711_PLC: CodecImpairment = CodecImpairment { ie: 0.0, bpl: 25.1 };
    /// G.711 without concealment: Ie 0, Bpl 4.3.
    pub const G711_NO_PLC: CodecImpairment = CodecImpairment { ie: 0.0, bpl: 4.3 };

    /// The figures for `codec`, with or without concealment. G.726 has only
    /// an Ie in G.113 (7 / 25 / 50 at 32 / 24 / 16 kbit/s; 2 at 40 kbit/s);
    /// its Bpl is taken as G.711's (it is a sample-based codec concealed
    /// the same way). Codecs G.113 does not list in the narrowband model
    /// (G.722) are treated like G.711.
    pub fn for_codec(codec: Codec, plc: bool) -> CodecImpairment {
        let base = if plc {
            CodecImpairment::G711_PLC
        } else {
            CodecImpairment::G711_NO_PLC
        };
        let name = codec.sdp_name();
        let ends_with = |suffix: &str| {
            name.len() >= suffix.len()
                && name
                    .get(name.len() - suffix.len()..)
                    .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
        };
        let ie = if ends_with("G726-32") {
            7.0
        } else if ends_with("G726-24") {
            25.0
        } else if ends_with("G726-16") {
            50.0
        } else if ends_with("G726-40") {
            2.0
        } else {
            0.0
        };
        CodecImpairment { ie, ..base }
    }
}

/// What the E-model needs from a stream.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EModelInput {
    /// Packet loss in percent (0-100), late discards included.
    pub loss_percent: f32,
    /// Burst ratio BurstR: 1 for random loss, above 1 for bursty loss.
    pub burst_ratio: f32,
    /// One-way mouth-to-ear delay in ms.
    pub one_way_delay_ms: f32,
    /// The codec's Ie and Bpl.
    pub codec: CodecImpairment,
    /// Advantage factor A (0 for wired, media.md §8).
    pub advantage: f32,
}

/// Effective equipment impairment under loss:
/// Ie,eff = Ie + (95 − Ie) · Ppl / (Ppl / BurstR + Bpl) (G.107, media.md §8).
pub fn effective_ie(codec: CodecImpairment, loss_percent: f32, burst_ratio: f32) -> f32 {
    let ppl = loss_percent.clamp(0.0, 100.0);
    let burst = if burst_ratio.is_finite() {
        burst_ratio.max(1.0)
    } else {
        1.0
    };
    let denominator = ppl / burst + codec.bpl;
    if denominator <= 0.0 {
        return codec.ie;
    }
    codec.ie + (95.0 - codec.ie) * ppl / denominator
}

/// Delay impairment Id by the Cole & Rosenbluth fit of G.107
/// (media.md §8): 0.024·d + 0.11·(d − 177.3)·H(d − 177.3).
pub fn delay_impairment(one_way_delay_ms: f32) -> f32 {
    let d = one_way_delay_ms.max(0.0);
    let excess = if d > 177.3 { 0.11 * (d - 177.3) } else { 0.0 };
    0.024 * d + excess
}

/// R = Ro − Is − Id − Ie,eff + A with the default Ro − Is = 93.2,
/// limited to 0..=100.
pub fn r_factor(input: &EModelInput) -> f32 {
    let r = DEFAULT_R
        - delay_impairment(input.one_way_delay_ms)
        - effective_ie(input.codec, input.loss_percent, input.burst_ratio)
        + input.advantage;
    if r.is_finite() { r.clamp(0.0, 100.0) } else { 0.0 }
}

/// MOS (CQE) from R (G.107 Annex B, media.md §8).
pub fn mos_from_r(r: f32) -> f32 {
    if r.is_nan() || r <= 0.0 {
        1.0
    } else if r >= 100.0 {
        4.5
    } else {
        1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7.0e-6
    }
}

/// Burst ratio from a two-state (Gilbert) loss model: `p` is the chance
/// that a packet after a received one is lost, `q` that a packet after a
/// lost one is received; BurstR = 1 / (p + q), 1 for random loss.
pub fn burst_ratio(p: f32, q: f32) -> f32 {
    let sum = p + q;
    if sum > 0.0 && sum.is_finite() {
        (1.0 / sum).max(1.0)
    } else {
        1.0
    }
}

/// Counts loss bursts from sequence-number gaps, for the burst ratio
/// (packets in received order; reordering is counted as loss then arrival).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LossPattern {
    /// Transitions received → received.
    pub received_received: u64,
    /// Transitions received → lost (bursts begun).
    pub received_lost: u64,
    /// Transitions lost → lost.
    pub lost_lost: u64,
    /// Transitions lost → received (bursts ended).
    pub lost_received: u64,
}

impl LossPattern {
    /// A packet arrived after `gap` missing ones (0 for the next in order).
    pub fn record(&mut self, gap: u64) {
        if gap == 0 {
            self.received_received += 1;
        } else {
            self.received_lost += 1;
            self.lost_lost += gap - 1;
            self.lost_received += 1;
        }
    }

    /// BurstR of the pattern so far (1 with no loss).
    pub fn burst_ratio(&self) -> f32 {
        let from_received = self.received_received + self.received_lost;
        let from_lost = self.lost_lost + self.lost_received;
        if from_received == 0 || from_lost == 0 {
            return 1.0;
        }
        let p = self.received_lost as f32 / from_received as f32;
        let q = self.lost_received as f32 / from_lost as f32;
        burst_ratio(p, q)
    }
}

/// Gap threshold Gmin of RFC 3611 §4.7.2: a loss fewer than this many
/// received packets after the previous one belongs to a burst.
pub const GMIN: u8 = 16;

/// Burst and gap statistics of RFC 3611 §4.7.2 (VoIP metrics block):
/// losses closer together than [`GMIN`] received packets form bursts; the
/// rest of the stream is gaps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BurstGapCounter {
    received_run: u64,
    seen_loss: bool,
    in_burst: bool,
    bursts: u64,
    burst_packets: u64,
    burst_lost: u64,
    gap_packets: u64,
    gap_lost: u64,
}

impl BurstGapCounter {
    /// A packet was received.
    pub fn received(&mut self) {
        self.received_run += 1;
    }

    /// `count` packets in a row were lost.
    pub fn lost(&mut self, count: u64) {
        for _ in 0..count {
            if self.seen_loss && self.received_run < u64::from(GMIN) {
                if !self.in_burst {
                    // The previous loss opens this burst.
                    self.gap_lost = self.gap_lost.saturating_sub(1);
                    self.gap_packets = self.gap_packets.saturating_sub(1);
                    self.burst_lost += 1;
                    self.burst_packets += 1;
                    self.bursts += 1;
                    self.in_burst = true;
                }
                self.burst_packets += self.received_run + 1;
                self.burst_lost += 1;
            } else {
                self.gap_packets += self.received_run + 1;
                self.gap_lost += 1;
                self.in_burst = false;
            }
            self.seen_loss = true;
            self.received_run = 0;
        }
    }

    /// Loss density in bursts, ×256 (0 without bursts).
    pub fn burst_density(&self) -> u8 {
        density(self.burst_lost, self.burst_packets)
    }

    /// Loss density in gaps, ×256 (the run since the last loss included).
    pub fn gap_density(&self) -> u8 {
        density(self.gap_lost, self.gap_packets + self.received_run)
    }

    /// Mean burst length in packets (0 without bursts).
    pub fn mean_burst_packets(&self) -> f32 {
        if self.bursts == 0 {
            0.0
        } else {
            self.burst_packets as f32 / self.bursts as f32
        }
    }

    /// Mean gap length in packets.
    pub fn mean_gap_packets(&self) -> f32 {
        let gaps = self.bursts + 1;
        (self.gap_packets + self.received_run) as f32 / gaps as f32
    }
}

fn density(lost: u64, packets: u64) -> u8 {
    (lost * 256).checked_div(packets).map_or(0, |d| d.min(255) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(loss: f32, burst: f32, delay: f32) -> EModelInput {
        EModelInput {
            loss_percent: loss,
            burst_ratio: burst,
            one_way_delay_ms: delay,
            codec: CodecImpairment::G711_PLC,
            advantage: 0.0,
        }
    }

    #[test]
    fn no_impairment_gives_the_default_r_and_a_mos_of_4_41() {
        let r = r_factor(&input(0.0, 1.0, 0.0));
        assert!((r - 93.2).abs() < 1e-4);
        assert!((mos_from_r(r) - 4.41).abs() < 0.01, "{}", mos_from_r(r));
    }

    #[test]
    fn mos_mapping_matches_annex_b_at_its_ends() {
        assert_eq!(mos_from_r(-5.0), 1.0);
        assert_eq!(mos_from_r(100.0), 4.5);
        assert!((mos_from_r(50.0) - 2.575).abs() < 1e-3);
    }

    #[test]
    fn loss_lowers_r_more_without_plc_and_more_when_bursty() {
        let with_plc = r_factor(&input(2.0, 1.0, 0.0));
        let bursty = r_factor(&input(2.0, 3.0, 0.0));
        let without = r_factor(&EModelInput {
            codec: CodecImpairment::G711_NO_PLC,
            ..input(2.0, 1.0, 0.0)
        });
        // Ie,eff = 95 * 2 / (2 + 25.1) = 7.01
        assert!((with_plc - (93.2 - 7.011)).abs() < 0.01, "{with_plc}");
        assert!(
            bursty < with_plc && without < bursty,
            "{with_plc} {bursty} {without}"
        );
    }

    #[test]
    fn delay_costs_little_below_177_ms_and_much_above() {
        assert!((delay_impairment(100.0) - 2.4).abs() < 1e-4);
        assert!((delay_impairment(300.0) - (7.2 + 0.11 * 122.7)).abs() < 1e-3);
    }

    #[test]
    fn g726_rates_carry_their_g113_impairment() {
        assert_eq!(
            CodecImpairment::for_codec(Codec::Pcmu, true),
            CodecImpairment::G711_PLC
        );
        assert_eq!(CodecImpairment::for_codec(Codec::Pcma, false).bpl, 4.3);
        let g726 = |rate| CodecImpairment::for_codec(Codec::g726(rate), true).ie;
        let aal2 = |rate| CodecImpairment::for_codec(Codec::aal2_g726(rate), true).ie;
        use crate::G726Rate::{Kbps16, Kbps24, Kbps32, Kbps40};
        assert_eq!(
            [g726(Kbps32), g726(Kbps24), g726(Kbps16), g726(Kbps40)],
            [7.0, 25.0, 50.0, 2.0]
        );
        assert_eq!(aal2(Kbps32), 7.0);
    }

    #[test]
    fn losses_closer_than_gmin_form_a_burst() {
        let mut c = BurstGapCounter::default();
        for _ in 0..100 {
            c.received();
        }
        c.lost(1);
        for _ in 0..3 {
            c.received();
        }
        c.lost(2);
        for _ in 0..100 {
            c.received();
        }
        // The burst: loss, 3 received, 2 lost = 6 packets, 3 lost.
        assert_eq!(c.burst_density(), (3 * 256 / 6) as u8);
        assert_eq!(c.mean_burst_packets(), 6.0);
        assert_eq!(c.gap_density(), 0);
        let mut isolated = BurstGapCounter::default();
        for _ in 0..5 {
            for _ in 0..50 {
                isolated.received();
            }
            isolated.lost(1);
        }
        assert_eq!(isolated.burst_density(), 0);
        assert!(isolated.gap_density() > 0);
    }

    #[test]
    fn random_loss_has_a_burst_ratio_near_one_and_bursts_above() {
        let mut random = LossPattern::default();
        for k in 0..1000 {
            random.record(u64::from(k % 20 == 0));
        }
        assert!(
            (random.burst_ratio() - 1.0).abs() < 0.1,
            "{}",
            random.burst_ratio()
        );
        let mut bursty = LossPattern::default();
        for k in 0..1000 {
            bursty.record(if k % 50 == 0 { 5 } else { 0 });
        }
        assert!(bursty.burst_ratio() > 3.0, "{}", bursty.burst_ratio());
    }
}
