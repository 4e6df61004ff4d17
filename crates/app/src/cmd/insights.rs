//! `payrun insights`: several finished runs read together for auditors (SPEC §9).

use crate::insights::{self, Options};
use clap::Args;
use std::path::PathBuf;

/// Read the outputs of several finished runs (months, organisations or both)
/// and write insights-FROM-TO.xlsx — Trend, Repeat patterns, Outliers, Cost
/// centres, Late and deferred, Runs, the four absence sheets and, with
/// --state, Reviews — plus a CSV of each.
///
/// Exit 3 names a folder that is not a finished run, two runs of the same
/// organisation and period, or a run's CSV that cannot be read.
#[derive(Debug, Args)]
pub struct InsightsArgs {
    /// Run output folders (each holding manifest.json, decisions.csv, exceptions.csv, adjustments.csv).
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
    /// Output folder.
    #[arg(long, default_value = "insights")]
    pub out: PathBuf,
    /// Periods a rule must be listed on a claimant's lines in to be a repeat pattern.
    #[arg(long, default_value_t = 3)]
    pub min_months: usize,
    /// State folder of an organisation whose ledger's reviews make the Reviews
    /// sheet (repeat: one per organisation); read only, without the run lock.
    /// Without it the Reviews sheet is not written.
    #[arg(long = "state", value_name = "DIR")]
    pub states: Vec<PathBuf>,
    /// No summary line on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// Configuration folder, for the paper the workbook prints on ([workbooks] paper)
    /// [default: $PAYRUN_CONFIG, else ./config, else the built-in defaults].
    #[arg(long)]
    pub config: Option<PathBuf>,
}

pub fn run(args: InsightsArgs) -> crate::error::Result<()> {
    let paper = crate::config::Config::find(args.config.as_deref())?.policy.workbooks.paper;
    let summary = insights::run(&Options {
        runs: args.runs,
        out_dir: args.out,
        min_months: args.min_months,
        states: args.states,
        paper,
    })?;
    // SPEC §10.5: said even with --quiet, since sheets 7–10 leave these months out.
    for dir in &summary.without_absence {
        eprintln!(
            "payrun insights: {dir} has no absence.csv (written before payrun reported sickness absence): \
             its month is left out of the absence sheets"
        );
    }
    // SPEC §11.5: likewise, since the Reviews sheet leaves these out.
    for note in &summary.review_notes {
        eprintln!("payrun insights: {note}");
    }
    if !args.quiet {
        let rows: Vec<String> = summary.rows.iter().map(|(sheet, n)| format!("{sheet} {n}")).collect();
        eprintln!(
            "payrun insights {}–{}: {}; wrote {} and its CSVs",
            summary.from,
            summary.to,
            rows.join(", "),
            summary.workbook.display()
        );
    }
    Ok(())
}
