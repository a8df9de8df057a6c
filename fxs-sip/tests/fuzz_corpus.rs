//! Replays the fuzz corpora (`fuzz/corpus/<target>/`) on stable through the
//! fuzz targets' own checks (`fxs_sip::fuzzing`). Files named `bad_*` must be
//! refused; seed files with a known extension must be accepted; anything else
//! (inputs the fuzzer found) only has to pass the checks.

use std::path::PathBuf;

/// Run `check` over every file of `fuzz/corpus/<target>`; returns
/// (accepted, refused).
fn replay<T, E: std::fmt::Display>(
    target: &str,
    seed_ext: &str,
    check: impl Fn(&[u8]) -> Result<T, E>,
) -> (usize, usize) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "the {target} corpus is empty");
    let (mut accepted, mut refused) = (0, 0);
    for path in &entries {
        let data = std::fs::read(path).expect("readable file");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let must_fail = name.starts_with("bad_");
        match check(&data) {
            Ok(_) => {
                assert!(!must_fail, "{target}/{name} should be refused");
                accepted += 1;
            }
            Err(e) => {
                assert!(
                    must_fail || !name.ends_with(seed_ext),
                    "{target}/{name} should be accepted: {e}"
                );
                refused += 1;
            }
        }
    }
    (accepted, refused)
}

#[test]
fn sip_message_corpus_passes_the_fuzz_target_checks() {
    let (ok, bad) = replay("sip_message", ".sip", fxs_sip::fuzzing::sip_message);
    assert!(ok > 0 && bad > 0, "corpus needs valid and invalid seeds");
}

#[test]
fn sip_uri_corpus_passes_the_fuzz_target_checks() {
    let (ok, bad) = replay("sip_uri", ".txt", fxs_sip::fuzzing::sip_uri);
    assert!(ok > 0 && bad > 0, "corpus needs valid and invalid seeds");
}

#[test]
fn sdp_corpus_passes_the_fuzz_target_checks() {
    let (ok, bad) = replay("sdp", ".sdp", fxs_sip::fuzzing::sdp);
    assert!(ok > 0 && bad > 0, "corpus needs valid and invalid seeds");
}

#[test]
fn digest_challenge_corpus_passes_the_fuzz_target_checks() {
    let (ok, bad) = replay("digest_challenge", ".txt", fxs_sip::fuzzing::digest_challenge);
    assert!(ok > 0 && bad > 0, "corpus needs valid and invalid seeds");
}

#[test]
fn rfc4475_messages_pass_the_sip_message_checks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/rfc4475");
    for entry in std::fs::read_dir(&dir).expect("rfc4475 data") {
        let path = entry.expect("entry").path();
        let data = std::fs::read(&path).expect("readable");
        // parse or refuse, but the fuzz target's properties must hold
        let _ = fxs_sip::fuzzing::sip_message(&data);
    }
}
