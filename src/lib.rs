//! payrun: the monthly payroll-adjustments pipeline for NHS e-Rostering and
//! e-expenses exports.
//!
//! The code lives in the workspace's crates, one per stage of the data flow
//! (docs/architecture.md); this library gathers them under one name for the
//! integration tests, the benchmarks and the fuzz targets.

pub use payrun_app::{batch, cli, cmd, pipeline};
pub use payrun_config as config;
pub use payrun_files as files;
pub use payrun_ingest as ingest;
pub use payrun_insights as insights;
pub use payrun_ledger as ledger;
pub use payrun_model as model;
pub use payrun_model::error;
pub use payrun_model::{Error, Result};
pub use payrun_output as output;
pub use payrun_rules as rules;
pub use payrun_sample as sample;
