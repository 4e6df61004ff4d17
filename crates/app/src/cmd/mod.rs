//! One file per command, its help text beside it.

pub mod batch;
pub mod check;
pub mod completions;
pub mod config;
pub mod insights;
pub mod ledger;
pub mod review;
pub mod rules;
pub mod run;
pub mod sample;

use crate::error::{Error, Result};
use chrono::NaiveDate;
use std::path::PathBuf;

/// Parses `--period YYYY-MM` into the pay period's first day. Periods
/// outside 2000-01 … 2099-12 are refused: a typo such as `9999-12`, once
/// committed, would make every real period need `--rerun`.
pub fn parse_period(text: &str) -> Result<NaiveDate> {
    parse_month_flag("--period", text)
}

/// A `YYYY-MM` option other than `--period`: the error names the option given.
pub fn parse_month_flag(flag: &str, text: &str) -> Result<NaiveDate> {
    let period = crate::model::period::Period::parse_month(text)
        .ok_or_else(|| Error::Usage(format!("{flag} '{text}' is not a month in the form YYYY-MM")))?;
    if !(2000..=2099).contains(&chrono::Datelike::year(&period)) {
        return Err(Error::Usage(format!("{flag} {text} is outside 2000-01 … 2099-12")));
    }
    Ok(period)
}

/// Checks `--org CODE` (exit 2 naming the option).
pub fn check_org(org: Option<&str>) -> Result<()> {
    match org {
        Some(code) => {
            crate::model::org::check_code(code).map_err(|message| Error::Usage(format!("--org: {message}")))
        }
        None => Ok(()),
    }
}

/// The state folder a command works on, the same for `run` and `ledger`:
/// `--state`, else `$PAYRUN_STATE` (or `payrun-state`), plus `/ORG` with
/// `--org` (SPEC §8.1). An organisation's folder without a ledger while the
/// shared one has one is refused (exit 2), so no command silently looks at
/// (or starts) an empty history beside the real one.
pub fn state_dir(state: Option<PathBuf>, org: Option<&str>) -> Result<PathBuf> {
    check_org(org)?;
    match state {
        Some(dir) => Ok(dir),
        None => {
            let dir = crate::ledger::default_state_dir(org);
            if org.is_some() {
                crate::ledger::refuse_fresh_org_ledger(&crate::ledger::default_state_dir(None), &dir)?;
            }
            Ok(dir)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_period;

    #[test]
    fn periods_are_bounded_to_2000_01_through_2099_12() {
        for ok in ["2000-01", "2025-06", "2099-12"] {
            assert!(parse_period(ok).is_ok(), "{ok}");
        }
        for bad in ["1999-12", "2100-01", "0000-01", "9999-12"] {
            let e = parse_period(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2);
            assert!(e.to_string().contains("outside 2000-01"), "{e}");
        }
        assert_eq!(parse_period("2025-13").unwrap_err().exit_code(), 2);
    }
}
