//! Replays the `sip_message` fuzz corpus on stable with the fuzz target's
//! checks. Files named `bad_*` must be refused; every other file must parse.

use std::path::PathBuf;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/sip_message")
}

#[test]
fn every_corpus_file_passes_the_fuzz_target_checks() {
    let mut entries: Vec<_> = std::fs::read_dir(corpus_dir())
        .expect("corpus directory exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "the corpus is empty");
    let (mut parsed, mut refused) = (0, 0);
    for path in &entries {
        let data = std::fs::read(path).expect("readable file");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let must_fail = name.starts_with("bad_");
        match fxs_sip::fuzzing::sip_message(&data) {
            Ok(_) => {
                assert!(!must_fail, "{name} should be refused");
                parsed += 1;
            }
            Err(e) => {
                // files found by the fuzzer (not `bad_*` by name) may be refused too
                assert!(must_fail || !name.ends_with(".sip"), "{name} should parse: {e}");
                refused += 1;
            }
        }
    }
    assert!(parsed > 0 && refused > 0, "corpus needs valid and invalid seeds");
}
