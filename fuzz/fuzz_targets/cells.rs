//! Fuzz target: every cell parser of `payrun::ingest::cell` on arbitrary
//! text and numbers. Any panic is a bug (the parsers return DAT002 instead).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    payrun::ingest::cell::fuzz_all_parsers(data);
});
