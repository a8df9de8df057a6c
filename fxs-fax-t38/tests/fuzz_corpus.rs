//! Replays the seed corpus of the `t38_ifp` fuzz target (fuzz/corpus/t38_ifp)
//! through the same checks the fuzz target makes, and pins what the real
//! encodings in it decode to.

use std::fs;
use std::path::PathBuf;

use fxs_fax_t38::fuzzing;
use fxs_fax_t38::{
    DataField, DataRate, ErrorRecovery, FieldType, IfpPacket, Indicator, T38Version, TypeOfMsg, UdptlPacket,
};

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/t38_ifp")
}

fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(corpus_dir())
        .expect("corpus directory exists")
        .map(|entry| {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).expect("corpus file readable"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn every_corpus_file_replays_without_panic() {
    let files = corpus();
    assert!(files.len() >= 8, "corpus has {} files", files.len());
    for (name, data) in files {
        assert!(!data.is_empty(), "{name} is empty");
        match fuzzing::t38_ifp(&data) {
            Ok(packet) => {
                assert!(!name.starts_with("truncated"), "{name} should not parse");
                assert!(fuzzing::ifp_packet(&packet.primary) > 0, "{name}: primary IFP");
                if let ErrorRecovery::Redundancy(secondaries) = &packet.error_recovery {
                    for s in secondaries {
                        assert!(fuzzing::ifp_packet(s) > 0, "{name}: secondary IFP");
                    }
                }
            }
            Err(e) => assert!(name.starts_with("truncated"), "{name}: {e}"),
        }
    }
}

fn primary(name: &str, version: T38Version) -> IfpPacket {
    let data = fs::read(corpus_dir().join(name)).unwrap();
    UdptlPacket::parse(&data).unwrap().primary_ifp(version).unwrap()
}

#[test]
fn corpus_indicators_decode_to_what_their_names_say() {
    let v0 = T38Version::V0;
    assert_eq!(primary("cng_indicator", v0), IfpPacket::indicator(Indicator::Cng));
    assert_eq!(
        primary("ced_indicator_redundant_cng", v0),
        IfpPacket::indicator(Indicator::Ced)
    );
    assert_eq!(
        primary("v21_preamble", v0),
        IfpPacket::indicator(Indicator::V21Preamble)
    );
    assert_eq!(
        primary("v8_ansam_v1", T38Version::V1),
        IfpPacket::indicator(Indicator::V8Ansam)
    );
}

#[test]
fn the_same_octets_mean_different_field_types_in_v0_and_v1() {
    let cfr = DataField::new(FieldType::HdlcData, [0xFF, 0xC8, 0x21]);
    assert_eq!(
        primary("hdlc_cfr_fcs_ok_v0", T38Version::V0),
        IfpPacket::data(
            DataRate::V21,
            vec![cfr.clone(), DataField::marker(FieldType::HdlcFcsOk)]
        )
    );
    assert_eq!(
        primary("hdlc_cfr_fcs_ok_sig_end_v1", T38Version::V1),
        IfpPacket::data(
            DataRate::V21,
            vec![cfr, DataField::marker(FieldType::HdlcFcsOkSigEnd)]
        )
    );
    let t4 = primary("t4_non_ecm_v17_14400_v0", T38Version::V0);
    assert_eq!(t4.type_of_msg, TypeOfMsg::Data(DataRate::V17_14400));
}
