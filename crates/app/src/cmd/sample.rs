//! `payrun sample`: deterministic synthetic roster and expenses workbooks.

use crate::sample::{generate, SampleOptions};
use clap::Args;
use std::path::PathBuf;

/// Write a synthetic but realistic roster.xlsx and expenses.xlsx that exercise
/// every category, absence type, protection kind and rule, with human-style
/// headers that go through the aliases. Same options → byte-identical files.
#[derive(Debug, Args)]
pub struct SampleArgs {
    /// Number of staff (assignments).
    #[arg(long, default_value_t = 200)]
    pub staff: usize,
    /// Number of claim lines.
    #[arg(long, default_value_t = 3000)]
    pub lines: usize,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Pay period the data is for, YYYY-MM (activity in the month before).
    #[arg(long, default_value = "2025-06")]
    pub period: String,
    /// Output folder.
    #[arg(long, default_value = "samples")]
    pub out: PathBuf,
}

pub fn run(args: SampleArgs) -> crate::error::Result<()> {
    let period = super::parse_period(&args.period)?;
    let summary = generate(&SampleOptions {
        staff: args.staff,
        lines: args.lines,
        seed: args.seed,
        out: args.out,
        period,
    })?;
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
    Ok(())
}
