//! Fuzz target: the workbook / CSV reader and the sheet readers on arbitrary
//! bytes. The first byte picks the format; the rest is the file. Any panic,
//! abort or runaway allocation is a bug (unreadable input is exit 3).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    payrun::ingest::fuzz_read_input(data);
});
