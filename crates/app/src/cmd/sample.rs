//! `payrun sample`: deterministic synthetic roster and expenses workbooks.

use crate::sample::{generate_months, SampleOptions};
use clap::Args;
use std::path::PathBuf;

/// Write a synthetic but realistic roster.xlsx and expenses.xlsx that exercise
/// every category, absence type, protection kind and rule, with human-style
/// headers that go through the aliases; with --months, one pair per pay period
/// in OUT/YYYY-MM/. Same options → byte-identical files.
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Number of staff (assignments).
    #[arg(long, default_value_t = 200)]
    pub staff: usize,
    /// Number of claim lines (of each month).
    #[arg(long, default_value_t = 3000)]
    pub lines: usize,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Pay period the data is for, YYYY-MM (activity in the month before);
    /// with --months, the last of them.
    #[arg(long, default_value = "2025-06")]
    pub period: String,
    /// Consecutive pay periods to write, ending with --period: the same staff,
    /// each month's own shifts, absences and claims. With more than one, each
    /// month goes into OUT/YYYY-MM/ (run them in order on one --state).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..))]
    pub months: u32,
    /// Output folder.
    #[arg(long, default_value = "samples")]
    pub out: PathBuf,
}

pub fn run(args: SampleArgs) -> crate::error::Result<()> {
    let period = super::parse_period(&args.period)?;
    let first = chrono::Months::new(args.months - 1);
    if period.checked_sub_months(first).is_none_or(|d| chrono::Datelike::year(&d) < 2000) {
        return Err(crate::error::Error::Usage(format!(
            "--months {} ending with --period {} would start before 2000-01",
            args.months, args.period
        )));
    }
    let opts = SampleOptions { staff: args.staff, lines: args.lines, seed: args.seed, out: args.out, period };
    for summary in generate_months(&opts, args.months as usize)? {
        eprintln!(
            "wrote {} ({} staff, {} shifts, {} absences, {} protection rows) and {} ({} claim lines)",
            summary.roster.display(),
            summary.staff,
            summary.shifts,
            summary.absences,
            summary.protection_rows,
            summary.expenses.display(),
            summary.claim_lines
        );
    }
    Ok(())
}
