//! The payrun application: the run in one screen (`pipeline`), many
//! organisations in one pay period (`batch`), and one file per command
//! (`cmd`) behind the command line (`cli`). The composition root: the only
//! crate that sees every stage.

pub mod batch;
pub mod cli;
pub mod cmd;
pub mod pipeline;

// The stage crates, under the module names the code uses for them.
use payrun_config as config;
use payrun_files as files;
use payrun_ingest as ingest;
use payrun_insights as insights;
use payrun_ledger as ledger;
use payrun_model as model;
use payrun_model::error;
use payrun_output as output;
use payrun_rules as rules;
use payrun_sample as sample;
