//! One file per command, its help text beside it.

pub mod check;
pub mod ledger;
pub mod rules;
pub mod run;
pub mod sample;

use crate::error::{Error, Result};
use chrono::NaiveDate;

/// Parses `--period YYYY-MM` into the pay period's first day. Periods
/// outside 2000-01 … 2099-12 are refused: a typo such as `9999-12`, once
/// committed, would make every real period need `--rerun`.
pub fn parse_period(text: &str) -> Result<NaiveDate> {
    let period = crate::model::period::Period::parse_month(text)
        .ok_or_else(|| Error::Usage(format!("--period '{text}' is not a month in the form YYYY-MM")))?;
    if !(2000..=2099).contains(&chrono::Datelike::year(&period)) {
        return Err(Error::Usage(format!("--period {text} is outside 2000-01 … 2099-12")));
    }
    Ok(period)
}
