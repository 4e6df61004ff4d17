//! The fuzzers' findings as ordinary tests (docs/fuzzing.md): every file
//! under `fuzz/regressions/<target>/` (crashers, kept after the fix) and
//! `fuzz/seeds/<target>/` (the committed seed corpus) goes through the same
//! function the fuzz target calls, so CI runs the inputs, not the fuzzer.
//! A panic fails the test and names the file.

use std::path::{Path, PathBuf};

fn files(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files: Vec<PathBuf> = ["regressions", "seeds"]
        .iter()
        .filter_map(|kind| std::fs::read_dir(root.join(kind).join(target)).ok())
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with('.')))
        .collect();
    files.sort();
    files
}

fn replay(target: &str, body: fn(&[u8])) {
    let files = files(target);
    assert!(!files.is_empty(), "no inputs for {target}");
    for path in files {
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| body(&data)).is_err() {
            panic!("{target}: {} panics", path.display());
        }
    }
}

#[test]
fn cell_parser_inputs_do_not_panic() {
    replay("cells", payrun::ingest::cell::fuzz_all_parsers);
}

#[test]
fn workbook_reader_inputs_do_not_panic() {
    replay("workbook", payrun::ingest::fuzz_read_input);
}
