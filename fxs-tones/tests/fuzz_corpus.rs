//! Replays the `callerid_decode` and `fsk_bytes` fuzz corpora on stable
//! with the fuzz targets' checks. Files named `bad_*` must yield no valid
//! message; the seeds with other names must yield at least one. Files the
//! fuzzer added (other names, no known extension) only have to pass the
//! checks.

use std::path::{Path, PathBuf};

fn corpus(name: &str) -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(name);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus directory exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_file())
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "the corpus {name} is empty");
    entries
}

fn replay(name: &str, ext: &str, target: fn(&[u8]) -> usize) {
    let (mut good, mut bad) = (0, 0);
    for path in corpus(name) {
        let data = std::fs::read(&path).expect("readable file");
        let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let found = target(&data);
        if file.starts_with("bad_") {
            assert_eq!(found, 0, "{file} should yield no valid message");
            bad += 1;
        } else if Path::new(file).extension().is_some_and(|e| e == ext) {
            assert!(found > 0, "{file} should yield a valid message");
            good += 1;
        }
    }
    assert!(good > 0 && bad > 0, "{name} needs valid and invalid seeds");
}

#[test]
fn callerid_decode_corpus_passes_the_fuzz_target_checks() {
    replay("callerid_decode", "bin", fxs_tones::fuzzing::callerid_decode);
}

#[test]
fn fsk_bytes_corpus_passes_the_fuzz_target_checks() {
    replay("fsk_bytes", "raw", fxs_tones::fuzzing::fsk_bytes);
}
