//! Every integration test in one binary (issue 28): one crate to compile
//! and link instead of one per file, which cost about half a minute each
//! in a cold release build. The files stay where they were, one module each
//! (`cargo test --release --test it review::` runs one file's tests).
//! tests/panics.rs stays a binary of its own: it sets the process-wide
//! panic hook, which would hear every other test's panics.

#[path = "common/mod.rs"]
mod common;

#[path = "absence.rs"]
mod absence;
#[path = "acceptance_engine.rs"]
mod acceptance_engine;
#[path = "acceptance_ledger.rs"]
mod acceptance_ledger;
#[path = "acceptance_roster.rs"]
mod acceptance_roster;
#[path = "batch.rs"]
mod batch;
#[path = "batch_folders.rs"]
mod batch_folders;
#[path = "cli.rs"]
mod cli;
#[path = "crash_safety.rs"]
mod crash_safety;
#[path = "fail_on.rs"]
mod fail_on;
#[path = "faults.rs"]
mod faults;
#[path = "formula_text.rs"]
mod formula_text;
#[path = "full_disks.rs"]
mod full_disks;
#[path = "fuzz_regressions.rs"]
mod fuzz_regressions;
#[path = "hostile.rs"]
mod hostile;
#[path = "ingest.rs"]
mod ingest;
#[path = "insights.rs"]
mod insights;
#[path = "kit_days.rs"]
mod kit_days;
#[path = "layers.rs"]
mod layers;
#[path = "ledger.rs"]
mod ledger;
#[path = "month_around.rs"]
mod month_around;
#[path = "operator.rs"]
mod operator;
#[path = "organisations.rs"]
mod organisations;
#[path = "payroll_interface.rs"]
mod payroll_interface;
#[path = "policy_refs.rs"]
mod policy_refs;
#[path = "print_setup.rs"]
mod print_setup;
#[path = "protection.rs"]
mod protection;
#[path = "rerun_workbook.rs"]
mod rerun_workbook;
#[path = "review.rs"]
mod review;
#[path = "roster_ingest.rs"]
mod roster_ingest;
#[path = "samples.rs"]
mod samples;
#[path = "split_reading.rs"]
mod split_reading;
#[path = "workbooks.rs"]
mod workbooks;
