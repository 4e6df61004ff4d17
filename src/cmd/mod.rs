//! One file per command, its help text beside it.

pub mod batch;
pub mod check;
pub mod completions;
pub mod config;
pub mod insights;
pub mod ledger;
pub mod rules;
pub mod run;
pub mod sample;

use crate::error::{Error, Result};
use chrono::NaiveDate;

/// Parses `--period YYYY-MM` into the pay period's first day.
pub fn parse_period(text: &str) -> Result<NaiveDate> {
    crate::model::period::Period::parse_month(text)
        .ok_or_else(|| Error::Usage(format!("--period '{text}' is not a month in the form YYYY-MM")))
}
