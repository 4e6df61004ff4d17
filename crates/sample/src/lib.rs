//! `payrun sample`: deterministic synthetic months of NHS payroll inputs.
//!
//! Writes, per pay period, `roster.xlsx` (Staff, Shifts, Absences, Protection)
//! and `expenses.xlsx` (Claims) shaped like real e-Rostering / e-expenses exports:
//! header aliases of SPEC §6.9, title rows above headers, Excel date and time
//! cells with a share of UK-text dates and `£` text money. Most lines are clean;
//! scripted cases (`scenarios.rs`) make every rule of SPEC §3 fire in a sample
//! of ~200 people and 3,000 lines. Consecutive months (`generate_months`) are
//! the same staff in the same cost centres (`cost_centres.rs`), each month with
//! its own shifts, absences and claims.
//!
//! Same options → byte-identical files: all randomness comes from a keyed
//! SplitMix64 stream (`rng.rs`) and the workbook creation time is pinned.
//! Memory stays flat: sheets are written row by row in rust_xlsxwriter's
//! constant-memory mode, and shifts and absences are recomputed per person
//! rather than stored.

// The sibling crates, under the module names the code uses for them
// (`crate::model::Pence`), so the layers read as before the split.
use payrun_model as model;
use payrun_model::error;

mod book;
mod calendar;
mod claim;
mod cost_centres;
mod expenses;
mod rng;
mod roster;
mod scenarios;
mod staff;
#[cfg(test)]
mod tests;

use std::path::PathBuf;

use crate::error::Error;
use calendar::Calendar;
use staff::StaffProfile;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SampleOptions {
    /// People (Staff rows; a few deliberately bad extra rows are added when ≥ 10).
    pub staff: usize,
    /// Claim lines, exactly.
    pub lines: usize,
    pub seed: u64,
    /// Output folder (created if missing).
    pub out: PathBuf,
    /// First day of the pay period, e.g. 2025-06-01; claims and shifts fall in
    /// the month before it (the activity month).
    pub period: chrono::NaiveDate,
}

/// What was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SampleSummary {
    pub roster: PathBuf,
    pub expenses: PathBuf,
    pub staff: usize,
    pub claim_lines: usize,
    pub shifts: usize,
    pub absences: usize,
    pub protection_rows: usize,
}

/// Generates both workbooks of the pay period `opts.period` into `opts.out`.
pub fn generate(opts: &SampleOptions) -> crate::error::Result<SampleSummary> {
    if opts.staff == 0 {
        return Err(Error::Internal("sample: at least one member of staff is needed".into()));
    }
    std::fs::create_dir_all(&opts.out).map_err(|e| Error::io(&opts.out, e))?;
    let cal = Calendar::new(opts.period);
    let people = StaffProfile::workforce(opts.seed, opts.staff, &cal);

    let roster = opts.out.join("roster.xlsx");
    let counts = roster::write(&roster, opts.seed, &people, &cal)?;
    let expenses = opts.out.join("expenses.xlsx");
    let claim_lines = expenses::write(&expenses, opts.seed, &people, &cal, opts.lines)?;

    Ok(SampleSummary {
        roster,
        expenses,
        staff: opts.staff,
        claim_lines,
        shifts: counts.shifts,
        absences: counts.absences,
        protection_rows: counts.protection_rows,
    })
}

/// Generates `months` consecutive pay periods ending with `opts.period`, the
/// oldest first: the same staff (same seed), each month's own roster and
/// claims, each month exactly what [`generate`] writes for its period. One
/// month goes into `opts.out` itself, several into `opts.out/YYYY-MM/`.
pub fn generate_months(opts: &SampleOptions, months: usize) -> crate::error::Result<Vec<SampleSummary>> {
    if months <= 1 {
        return Ok(vec![generate(opts)?]);
    }
    let last = Calendar::new(opts.period).pay_start;
    (0..months)
        .rev()
        .map(|back| {
            let period = calendar::months_before(last, back as u32);
            let out = opts.out.join(period.format("%Y-%m").to_string());
            generate(&SampleOptions { out, period, ..opts.clone() })
        })
        .collect()
}
